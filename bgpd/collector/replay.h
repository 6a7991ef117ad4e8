/* `flowspecd replay [--flows] CAPTURE…` (DESIGN.md): every UDP datagram
 * of pcap/pcapng captures, whatever its port, through the live decoders,
 * on capture time. Records go to one sink per run: --flows prints one
 * JSON line per record; the policy engine plugs in beside it
 * (replay_sink). */
#ifndef BGPD_COLLECTOR_REPLAY_H
#define BGPD_COLLECTOR_REPLAY_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "bgpd/collector/collector.h"

struct replay_stats {
	uint64_t frames;
	uint64_t datagrams;		/* UDP datagrams fed to the collector */
	uint64_t skipped;		/* not UDP over IP, or IP fragments */
};

/* Feeds every UDP datagram of the capture at path to c, with its capture
 * time as arrival time. False with a one-line reason in err (which names
 * the file) when the file cannot be read. */
bool replay_capture(struct collector *c, const char *path,
		    struct replay_stats *st, char *err, size_t errlen);

/* Writes r as the --flows JSON line (DESIGN.md) to f. */
void replay_print_flow(FILE *f, const struct flow_record *r);

/* The subcommand: argv[0] is "replay". Returns the exit status. */
int replay_main(int argc, char **argv);

#endif
