/* `flowspecd replay [--policy FILE] [--flows] CAPTURE…` (DESIGN.md):
 * captured export datagrams through the live decoders and, with --policy,
 * the policy engine on capture time; prints JSON lines on stdout. */
#ifndef BGPD_REPLAY_H
#define BGPD_REPLAY_H

/* The subcommand: argv[0] is "replay". Returns the exit status. */
int replay_main(int argc, char **argv);

#endif
