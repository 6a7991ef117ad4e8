/* Control commands: the parser (every form, the neighbor prefixes, ttl and
 * comment, errors with their column, the canonical print), the executor
 * against a real rib and fake peers (replies, tables, JSON), and the unix
 * socket server (mode, stale socket, a live daemon, framing, limits). */
#include <check.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include <event2/event.h>
#include <jansson.h>

#include "bgpd/control/client.h"
#include "bgpd/control/cmd.h"
#include "bgpd/control/ctl.h"
#include "bgpd/rib/rib.h"
#include "nlri/text.h"

#define N(a) (sizeof(a) / sizeof((a)[0]))

#define RULE "flow route { match { destination 10.50.100.100/32; protocol tcp; destination-port =1234; } then { discard; } }"
#define RULE_CANON "flow route { match { destination 10.50.100.100/32; protocol =tcp; destination-port =1234; } then { discard; } }"

/* ---- parser ---------------------------------------------------------- */

static struct ctl_cmd parse_ok(const char *line)
{
	struct ctl_cmd cmd;
	struct ctl_error err;
	if (!ctl_parse(&cmd, line, strlen(line), &err))
		ck_abort_msg("refused: col %zu: %s\n  in: %s", err.col, err.msg,
			     line);
	return cmd;
}

static char *format(const struct ctl_cmd *cmd)
{
	struct writer w = writer_init(0);
	ctl_cmd_format(&w, cmd);
	put_u8(&w, 0);
	ck_assert(!w.err);
	return (char *)w.data;
}

/* line parses, prints as canon, and canon parses to the same print. */
static void check_canon(const char *line, const char *canon)
{
	struct ctl_cmd cmd = parse_ok(line);
	char *s = format(&cmd);
	ck_assert_msg(strcmp(s, canon) == 0, "%s\n  printed: %s\n  wanted:  %s",
		      line, s, canon);
	struct ctl_cmd again = parse_ok(s);
	char *s2 = format(&again);
	ck_assert_str_eq(s, s2);
	free(s2);
	free(s);
	ctl_cmd_clear(&again);
	ctl_cmd_clear(&cmd);
}

static void check_error(const char *line, size_t col, const char *msg)
{
	struct ctl_cmd cmd;
	struct ctl_error err;
	ck_assert_msg(!ctl_parse(&cmd, line, strlen(line), &err),
		      "accepted: %s", line);
	ck_assert_msg(err.col == col && strcmp(err.msg, msg) == 0,
		      "%s\n  got:    col %zu: %s\n  wanted: col %zu: %s", line,
		      err.col, err.msg, col, msg);
	ctl_cmd_clear(&cmd);	/* harmless after a failure */
}

START_TEST(announce_and_withdraw)
{
	struct ctl_cmd c = parse_ok("announce " RULE);
	ck_assert_int_eq(c.verb, CTL_ANNOUNCE);
	ck_assert_uint_eq(c.ntargets, 0);
	ck_assert_uint_eq(c.ttl_s, 0);
	ck_assert(!c.has_comment);
	struct fs_rule want;
	ck_assert(fs_text_parse(&want, RULE, NULL, NULL));
	ck_assert_int_eq(c.rule.afi, FS_AFI_IPV4);
	ck_assert_uint_eq(c.rule.match.len, want.match.len);
	ck_assert(memcmp(c.rule.match.data, want.match.data, want.match.len) == 0);
	ck_assert_uint_eq(c.rule.ext.len, want.ext.len);
	fs_rule_clear(&want);
	ctl_cmd_clear(&c);

	c = parse_ok("  withdraw   flow route { match { destination 2001:db8::/32; } }  ");
	ck_assert_int_eq(c.verb, CTL_WITHDRAW);
	ck_assert_int_eq(c.rule.afi, FS_AFI_IPV6);
	ctl_cmd_clear(&c);

	check_canon("announce " RULE, "announce " RULE_CANON);
	check_canon("withdraw " RULE, "withdraw flow route { match { destination "
		    "10.50.100.100/32; protocol =tcp; destination-port =1234; } }");
	/* An IPv6 rule whose match names no address keeps its family. */
	check_canon("announce flow route ipv6 { match { port =1; } }",
		    "announce flow route ipv6 { match { port =1; } then { accept; } }");
	check_canon("withdraw flow route ipv6 { match { port =1; } }",
		    "withdraw flow route ipv6 { match { port =1; } }");
	c = parse_ok("withdraw flow route ipv6 { match { port =1; } }");
	ck_assert_int_eq(c.rule.afi, FS_AFI_IPV6);
	ctl_cmd_clear(&c);
	/* A CR before the newline (nc -C, Windows files) is ignored. */
	check_canon("withdraw flow route { match { port =1; } }\r\n",
		    "withdraw flow route { match { port =1; } }");
}
END_TEST

START_TEST(ttl_and_comment)
{
	struct ctl_cmd c = parse_ok("announce " RULE " ttl 300 comment \"ddos \\\"42\\\" \\\\ ticket\"");
	ck_assert_uint_eq(c.ttl_s, 300);
	ck_assert(c.has_comment);
	ck_assert_str_eq(c.comment, "ddos \"42\" \\ ticket");
	ctl_cmd_clear(&c);

	c = parse_ok("announce " RULE " comment \"Zürich – edge\" ttl 4294967295");
	ck_assert_uint_eq(c.ttl_s, 4294967295u);
	ck_assert_str_eq(c.comment, "Zürich – edge");
	ctl_cmd_clear(&c);

	c = parse_ok("announce " RULE " comment \"\"");
	ck_assert(c.has_comment);
	ck_assert_str_eq(c.comment, "");
	ctl_cmd_clear(&c);

	check_canon("announce " RULE " comment \"a \\\"b\\\" \\\\\"  ttl 60",
		    "announce " RULE_CANON " ttl 60 comment \"a \\\"b\\\" \\\\\"");
	/* Right after the brace, no blank. */
	check_canon("announce flow route { match { port =1; } }ttl 5",
		    "announce flow route { match { port =1; } then { accept; } } ttl 5");
}
END_TEST

START_TEST(neighbor_prefixes)
{
	static const char *const forms[] = {
		"neighbor 10.0.0.1, 10.0.0.2 announce " RULE,
		"neighbor 10.0.0.1 , neighbor 10.0.0.2 announce " RULE,
		"neighbor 10.0.0.1,neighbor 10.0.0.2 announce " RULE,
		"neighbor   10.0.0.1 ,10.0.0.2   announce " RULE,
	};
	for (size_t i = 0; i < N(forms); i++) {
		struct ctl_cmd c = parse_ok(forms[i]);
		ck_assert_uint_eq(c.ntargets, 2);
		char a[ADDR_STRLEN], b[ADDR_STRLEN];
		ck_assert_str_eq(addr_format(&c.targets[0], a), "10.0.0.1");
		ck_assert_str_eq(addr_format(&c.targets[1], b), "10.0.0.2");
		ctl_cmd_clear(&c);
		check_canon(forms[i], "neighbor 10.0.0.1, 10.0.0.2 announce "
			    RULE_CANON);
	}
	check_canon("neighbor 2001:db8::1 withdraw flow route { match { port =1; } }",
		    "neighbor 2001:db8::1 withdraw flow route { match { port =1; } }");
	/* Sixteen is the limit. */
	char line[1024] = "neighbor 10.0.0.1";
	for (int i = 2; i <= CTL_TARGETS_MAX; i++)
		snprintf(line + strlen(line), sizeof line - strlen(line),
			 ", 10.0.0.%d", i);
	strcat(line, " announce " RULE);
	struct ctl_cmd c = parse_ok(line);
	ck_assert_uint_eq(c.ntargets, CTL_TARGETS_MAX);
	ctl_cmd_clear(&c);
	size_t col = strlen(line) - strlen(" announce " RULE) + 3;
	line[strlen(line) - strlen(" announce " RULE)] = '\0';
	strcat(line, ", 10.0.0.99 announce " RULE);
	check_error(line, col, "more than 16 neighbors");
}
END_TEST

START_TEST(show_clear_flush_forms)
{
	static const struct {
		const char *line, *canon;
		enum ctl_verb verb;
	} cases[] = {
		{ "show neighbor", "show neighbor", CTL_SHOW_NEIGHBOR },
		{ "show neighbor 10.0.0.1 --json", "show neighbor 10.0.0.1 --json", CTL_SHOW_NEIGHBOR },
		{ "show neighbor --json 10.0.0.1", "show neighbor 10.0.0.1 --json", CTL_SHOW_NEIGHBOR },
		{ "show neighbor json", "show neighbor --json", CTL_SHOW_NEIGHBOR },
		{ "show flow", "show flow", CTL_SHOW_FLOW },
		{ "show flow --json", "show flow --json", CTL_SHOW_FLOW },
		{ "show received 10.0.0.1", "show received 10.0.0.1", CTL_SHOW_RECEIVED },
		{ "show received 2001:db8::1 --json", "show received 2001:db8::1 --json", CTL_SHOW_RECEIVED },
		{ "show adj-rib-out 10.0.0.1", "show adj-rib-out 10.0.0.1", CTL_SHOW_ADJ_RIB_OUT },
		{ "show collector --json", "show collector --json", CTL_SHOW_COLLECTOR },
		{ "show mitigations json", "show mitigations --json",
		  CTL_SHOW_MITIGATIONS },
		{ "clear neighbor 10.0.0.1", "clear neighbor 10.0.0.1", CTL_CLEAR_NEIGHBOR },
		{ "clear neighbor 10.0.0.1 soft", "clear neighbor 10.0.0.1 soft", CTL_CLEAR_NEIGHBOR },
		{ "flush", "flush api", CTL_FLUSH },
		{ "flush static", "flush static", CTL_FLUSH },
		{ "flush policy:http-flood", "flush policy:http-flood", CTL_FLUSH },
		{ "reload", "reload", CTL_RELOAD },
		{ "\thelp ", "help", CTL_HELP },
	};
	for (size_t i = 0; i < N(cases); i++) {
		struct ctl_cmd c = parse_ok(cases[i].line);
		ck_assert_int_eq(c.verb, cases[i].verb);
		ck_assert(ctl_cmd_changes(&c) ==
			  (c.verb == CTL_CLEAR_NEIGHBOR || c.verb == CTL_FLUSH ||
			   c.verb == CTL_RELOAD));
		ctl_cmd_clear(&c);
		check_canon(cases[i].line, cases[i].canon);
	}
	struct ctl_cmd c = parse_ok("clear neighbor 10.0.0.1 soft");
	ck_assert(c.soft);
	ctl_cmd_clear(&c);
}
END_TEST

/* The column of the last '}' of "announce " RULE (or "withdraw " RULE). */
#define END (sizeof "announce " RULE - 1)

START_TEST(errors_say_where)
{
	/* The column is in the whole line, also inside the rule. */
	check_error("announce flow route { match { destinaton 10.0.0.1/32; } }",
		    31, "unknown component 'destinaton'");
	check_error("neighbor 10.0.0.1 announce flow route { match { port =1; } then { discrd; } }",
		    67, "unknown action 'discrd'");
	check_error("", 1, "empty command");
	check_error("   ", 4, "empty command");
	check_error("anounce " RULE, 1, "unknown command (announce, withdraw, "
		    "neighbor, show, clear, flush, reload, help), not 'anounce'");
	check_error("announce route 10.0.0.0/24 next-hop self", 10,
		    "expected 'flow route { … }' (only Flowspec rules are "
		    "supported), not 'route'");
	check_error("announce", 9, "expected 'flow route { … }' (only Flowspec "
		    "rules are supported) at the end of the command");
	check_error("announce " RULE " ttl 0", END + 6, "expected a ttl in seconds "
		    "(1..4294967295), not '0'");
	check_error("announce " RULE " ttl 4294967296", END + 6, "expected a ttl in "
		    "seconds (1..4294967295), not '4294967296'");
	check_error("announce " RULE " ttl", END + 5, "expected a ttl in seconds "
		    "(1..4294967295) at the end of the command");
	check_error("announce " RULE " ttl 5 ttl 6", END + 8, "ttl given twice");
	check_error("announce " RULE " comment \"a\" comment \"b\"", END + 14,
		    "comment given twice");
	check_error("announce " RULE " comment x", END + 10, "expected a "
		    "double-quoted comment, not 'x'");
	check_error("announce " RULE " comment \"abc", END + 10,
		    "comment without its closing '\"'");
	check_error("announce " RULE " comment \"a\\nb\"", END + 12,
		    "in a comment only \\\" and \\\\ are escapes");
	check_error("announce " RULE " comment \"a\"b", END + 13,
		    "expected a blank after the comment");
	check_error("announce " RULE " comment \"\xff\"", END + 10,
		    "comment is not valid UTF-8");
	check_error("announce " RULE " tll 5", END + 2, "expected 'ttl SECONDS' or "
		    "'comment \"…\"' after the rule, not 'tll'");
	check_error("withdraw " RULE " ttl 5", END + 2, "expected the end of the "
		    "command (a withdraw takes no options), not 'ttl'");
	check_error("neighbor", 9, "expected a neighbor address at the end of "
		    "the command");
	check_error("neighbor 10.0.0.300 announce " RULE, 10,
		    "expected a neighbor address, not '10.0.0.300'");
	check_error("neighbor 10.0.0.1, 10.0.0.1 announce " RULE, 20,
		    "neighbor listed twice");
	check_error("neighbor 10.0.0.1, announce " RULE, 20,
		    "expected a neighbor address, not 'announce'");
	check_error("neighbor 10.0.0.1 show flow", 19, "expected ',', "
		    "'announce' or 'withdraw' after the neighbor, not 'show'");
	check_error("show", 5, "expected neighbor, flow, received, adj-rib-out, "
		    "collector or mitigations at the end of the command");
	check_error("show flows", 6, "expected neighbor, flow, received, "
		    "adj-rib-out, collector or mitigations, not 'flows'");
	check_error("show flow 10.0.0.1", 11, "expected --json, not '10.0.0.1'");
	check_error("show neighbor 10.0.0.1 10.0.0.2", 24,
		    "expected --json, not '10.0.0.2'");
	check_error("show neighbor bogus", 15, "expected a neighbor address or "
		    "--json, not 'bogus'");
	check_error("show received", 14, "expected a neighbor address at the "
		    "end of the command");
	check_error("show received --json", 21, "expected a neighbor address at "
		    "the end of the command");
	check_error("clear neighbor", 15, "expected a neighbor address at the "
		    "end of the command");
	check_error("clear 10.0.0.1", 7, "expected 'neighbor', not '10.0.0.1'");
	check_error("clear neighbor 10.0.0.1 hard", 25, "expected the end of "
		    "the command, not 'hard'");
	check_error("flush api static", 11, "expected the end of the command, "
		    "not 'static'");
	check_error("flush a/b", 7, "expected an origin (static, api, "
		    "policy:NAME), not 'a/b'");
	check_error("reload now", 8, "expected the end of the command, not 'now'");
	check_error("show flow\x01", 10, "control character 0x01 in the command");
	check_error("show\nflow", 5, "control character 0x0a in the command");

	struct ctl_cmd c;
	struct ctl_error err;
	const char nul[] = "show\0flow";
	ck_assert(!ctl_parse(&c, nul, sizeof nul - 1, &err));
	ck_assert_uint_eq(err.col, 5);

	/* At most CTL_LINE_MAX octets. */
	size_t n = CTL_LINE_MAX + 1;
	char *big = malloc(n + 1);
	memset(big, ' ', n);
	memcpy(big, "help", 4);
	big[n] = '\0';
	ck_assert(!ctl_parse(&c, big, n, &err));
	ck_assert_str_eq(err.msg, "command longer than 65536 octets");
	ck_assert(ctl_parse(&c, big, n - 1, &err));
	ck_assert_int_eq(c.verb, CTL_HELP);
	free(big);

	char comment[400] = "announce " RULE " comment \"";
	memset(comment + strlen(comment), 'c', CTL_COMMENT_MAX + 1);
	strcat(comment, "\"");
	check_error(comment, END + 10, "comment longer than 255 octets");
}
END_TEST

/* ---- executor: a real rib, fake peers -------------------------------- */

static int64_t clock_ms = 1000000;

static int64_t fake_now(void)
{
	return clock_ms;
}

#define NPEERS 2

struct fake {
	struct bgp_local local;
	struct bgp_peer_config cfg[NPEERS];
	struct bgp_peer peer[NPEERS];
	size_t sent[NPEERS];
	size_t npeers;
	int cleared;		/* peer index + 1 of the last clear */
	bool cleared_soft;
	char audit[8][512];
	size_t naudit;
	const char *collector_body;
	struct rib *rib;
	struct ctl_daemon d;
};

static size_t fake_peer_count(void *ctx)
{
	return ((struct fake *)ctx)->npeers;
}

static bool fake_peer_get(void *ctx, size_t i, struct ctl_peer_view *out)
{
	struct fake *f = ctx;
	if (i >= f->npeers)
		return false;
	*out = (struct ctl_peer_view){ &f->peer[i], f->sent[i], i == 0 ? 1 : 0,
				       i == 0 ? 3 : 0 };
	return true;
}

static bool fake_clear(void *ctx, const struct bgp_peer *p, bool soft,
		       char *err, size_t errlen)
{
	struct fake *f = ctx;
	if (p == &f->peer[1]) {
		snprintf(err, errlen, "the session is not up");
		return false;
	}
	f->cleared = (int)(p - f->peer) + 1;
	f->cleared_soft = soft;
	return true;
}

static bool fake_received(void *ctx, const struct bgp_peer *p, ctl_rule_fn fn,
			  void *arg)
{
	(void)ctx;
	(void)p;
	struct fs_rule r;
	ck_assert(fs_text_parse(&r, "flow route { match { source 198.51.100.0/24; } "
				"then { rate-limit 1000; } }", NULL, NULL));
	bool ok = fn(arg, &r);
	fs_rule_clear(&r);
	return ok;
}

static bool fake_refused(void *ctx, const struct bgp_peer *p,
			 bool (*fn)(void *, const struct fs_rule *, const char *),
			 void *arg)
{
	(void)ctx;
	(void)p;
	struct fs_rule r;
	ck_assert(fs_text_parse(&r, "flow route { match { destination 10.0.0.2/32; } "
				"then { mark 10; } }", NULL, NULL));
	bool ok = fn(arg, &r, "profile frr: action mark not carried");
	fs_rule_clear(&r);
	return ok;
}

static bool fake_collector(void *ctx, bool json, struct writer *out,
			   char *err, size_t errlen)
{
	(void)json;
	(void)err;
	(void)errlen;
	struct fake *f = ctx;
	put_bytes(out, f->collector_body, strlen(f->collector_body));
	return true;
}

static void fake_audit(void *ctx, const struct ctl_audit *a)
{
	struct fake *f = ctx;
	if (f->naudit < N(f->audit))
		snprintf(f->audit[f->naudit++], sizeof f->audit[0],
			 "%s|%s|%s|%s", a->client, a->command,
			 a->ok ? "ok" : "error", a->result);
}

static struct fake *fake_new(void)
{
	struct fake *f = calloc(1, sizeof *f);
	f->local.local_as = 65100;
	addr_parse(&f->local.router_id, "192.0.2.1", 9);
	f->npeers = NPEERS;
	for (size_t i = 0; i < NPEERS; i++) {
		f->cfg[i].port = 179;
		f->cfg[i].families = BGP_FAM_FLOWSPEC;
		f->cfg[i].hold_time = 90;
		f->peer[i].cfg = &f->cfg[i];
		f->peer[i].local = &f->local;
	}
	addr_parse(&f->cfg[0].address, "10.0.0.1", 8);
	f->cfg[0].remote_as = 65100;
	ck_assert(profile_builtin("frr", &f->cfg[0].profile));
	snprintf(f->cfg[0].description, sizeof f->cfg[0].description,
		 "router A");
	f->peer[0].state = BGP_ESTABLISHED;
	f->peer[0].established_at = clock_ms - 3723 * 1000;
	f->peer[0].established_count = 2;
	f->peer[0].caps.families = BGP_FAM_IPV4_FLOWSPEC;
	f->peer[0].caps.hold_time = 90;
	f->peer[0].caps.as4 = true;
	f->peer[0].caps.route_refresh = true;
	f->peer[0].msgs_in = 10;
	f->peer[0].msgs_out = 12;
	f->peer[0].updates_out = 3;
	f->sent[0] = 2;
	addr_parse(&f->cfg[1].address, "2001:db8::2", 11);
	f->cfg[1].remote_as = 4200000000u;
	f->peer[1].state = BGP_ACTIVE;
	f->peer[1].last_error = (struct bgp_notification_info){
		.code = 6, .subcode = 2, .text = "maintenance", .sent = false };

	f->rib = rib_new(fake_now);
	f->d = (struct ctl_daemon){
		.rib = f->rib,
		.ctx = f,
		.now_ms = fake_now,
		.peer_count = fake_peer_count,
		.peer_get = fake_peer_get,
		.peer_clear = fake_clear,
		.received = fake_received,
		.collector = fake_collector,
		.audit = fake_audit,
	};
	return f;
}

static void fake_free(struct fake *f)
{
	rib_free(f->rib);
	free(f);
}

/* Runs line and returns the whole reply (free() it). */
static char *run(struct fake *f, const char *line)
{
	struct writer w = writer_init(0);
	ctl_run_line(&f->d, line, strlen(line), "uid 0 pid 1", &w);
	put_u8(&w, 0);
	ck_assert(!w.err);
	return (char *)w.data;
}

static void check_run(struct fake *f, const char *line, const char *want)
{
	char *got = run(f, line);
	ck_assert_msg(strcmp(got, want) == 0, "%s\n--- got:\n%s--- wanted:\n%s",
		      line, got, want);
	free(got);
}

START_TEST(announce_replace_withdraw)
{
	struct fake *f = fake_new();
	check_run(f, "announce " RULE, "added id 1: " RULE_CANON "\nok\n");
	check_run(f, "announce " RULE, "unchanged id 1: " RULE_CANON "\nok\n");
	check_run(f, "announce flow route { match { destination 10.50.100.100/32; "
		  "protocol tcp; destination-port =1234; } then { rate-limit 1000; } }",
		  "replaced id 1: flow route { match { destination 10.50.100.100/32; "
		  "protocol =tcp; destination-port =1234; } then { rate-limit 1000; } }"
		  " (was: " RULE_CANON ")\nok\n");
	check_run(f, "announce " RULE " comment \"x\"",
		  "replaced id 1: " RULE_CANON " (was: flow route { match { "
		  "destination 10.50.100.100/32; protocol =tcp; destination-port "
		  "=1234; } then { rate-limit 1000; } })\nok\n");
	check_run(f, "announce " RULE " comment \"y\"",
		  "replaced id 1: " RULE_CANON " (options changed)\nok\n");
	ck_assert_uint_eq(rib_count(f->rib), 1);
	check_run(f, "withdraw " RULE, "withdrawn id 1: " RULE_CANON "\nok\n");
	check_run(f, "withdraw " RULE, "error: no rule with this match\n");
	ck_assert_uint_eq(rib_count(f->rib), 0);
	check_run(f, "announce flow route { match { destinaton 10.0.0.1/32; } }",
		  "error: col 31: unknown component 'destinaton'\n");
	check_run(f, "neighbor 10.9.9.9 announce " RULE,
		  "error: 10.9.9.9 is not a configured neighbor\n");

	/* Only changes are audited, in canonical form. */
	ck_assert_uint_eq(f->naudit, 8);
	ck_assert_str_eq(f->audit[0], "uid 0 pid 1|announce " RULE_CANON
			 "|ok|added id 1: " RULE_CANON);
	ck_assert_str_eq(f->audit[6], "uid 0 pid 1|withdraw flow route { match { "
			 "destination 10.50.100.100/32; protocol =tcp; "
			 "destination-port =1234; } }|error|no rule with this match");
	check_run(f, "show flow", "ID  Origin  Expires  Neighbors  Comment  Rule\nok\n");
	ck_assert_uint_eq(f->naudit, 8);
	fake_free(f);
}
END_TEST

START_TEST(targeted_announce_and_withdraw)
{
	struct fake *f = fake_new();
	check_run(f, "neighbor 10.0.0.1 announce " RULE,
		  "added id 1: " RULE_CANON "\nok\n");
	/* A second neighbor is added, not swapped in. */
	check_run(f, "neighbor 2001:db8::2 announce " RULE,
		  "replaced id 1: " RULE_CANON " (options changed)\nok\n");
	const struct rib_entry *e = rib_next(f->rib, NULL);
	ck_assert_uint_eq(e->ntargets, 2);
	check_run(f, "neighbor 10.0.0.1 withdraw " RULE,
		  "withdrawn id 1 from 10.0.0.1: " RULE_CANON
		  "; still sent to 2001:db8::2\nok\n");
	check_run(f, "neighbor 10.0.0.1 withdraw " RULE,
		  "error: the rule is not sent to 10.0.0.1\n");
	check_run(f, "neighbor 2001:db8::2 withdraw " RULE,
		  "withdrawn id 1: " RULE_CANON "\nok\n");
	ck_assert_uint_eq(rib_count(f->rib), 0);

	/* A rule for every neighbor stays so; a targeted withdraw must name
	 * them all. */
	check_run(f, "announce " RULE, "added id 2: " RULE_CANON "\nok\n");
	check_run(f, "neighbor 10.0.0.1 announce " RULE,
		  "unchanged id 2: " RULE_CANON "\nnote: the rule already goes "
		  "to every neighbor and still does\nok\n");
	check_run(f, "neighbor 10.0.0.1 withdraw " RULE,
		  "error: the rule goes to every neighbor: withdraw it without "
		  "'neighbor'\n");
	check_run(f, "neighbor 10.0.0.1, 2001:db8::2 withdraw " RULE,
		  "withdrawn id 2: " RULE_CANON "\nok\n");
	fake_free(f);
}
END_TEST

START_TEST(show_flow_table_and_json)
{
	struct fake *f = fake_new();
	check_run(f, "announce " RULE " ttl 300 comment \"ticket 42\"",
		  "added id 1: " RULE_CANON "\nok\n");
	check_run(f, "neighbor 10.0.0.1 announce flow route { match { destination "
		  "2001:db8::/64; } then { rate-limit 1000; } }",
		  "added id 2: flow route { match { destination 2001:db8::/64; } "
		  "then { rate-limit 1000; } }\nok\n");
	clock_ms += 1500;	/* 298.5 s left: shown rounded up */
	check_run(f, "show flow",
		  "ID  Origin  Expires  Neighbors  Comment    Rule\n"
		  " 1  api     4m59s    all        ticket 42  " RULE_CANON "\n"
		  " 2  api     never    10.0.0.1   -          flow route { match { "
		  "destination 2001:db8::/64; } then { rate-limit 1000; } }\n"
		  "ok\n");
	check_run(f, "show flow --json",
		  "{\"rules\":[{\"id\":\"1\",\"rule\":\"" RULE_CANON "\","
		  "\"family\":\"ipv4-flowspec\",\"origin\":\"api\",\"neighbors\":[],"
		  "\"expires_in\":299,\"comment\":\"ticket 42\",\"claims\":[{"
		  "\"origin\":\"api\",\"rule\":\"" RULE_CANON "\",\"neighbors\":[],"
		  "\"expires_in\":299,\"comment\":\"ticket 42\"}]},"
		  "{\"id\":\"2\",\"rule\":\"flow route { match { destination "
		  "2001:db8::/64; } then { rate-limit 1000; } }\",\"family\":"
		  "\"ipv6-flowspec\",\"origin\":\"api\",\"neighbors\":[\"10.0.0.1\"],"
		  "\"expires_in\":null,\"comment\":null,\"claims\":[{\"origin\":"
		  "\"api\",\"rule\":\"flow route { match { destination "
		  "2001:db8::/64; } then { rate-limit 1000; } }\",\"neighbors\":"
		  "[\"10.0.0.1\"],\"expires_in\":null,\"comment\":null}]}]}\nok\n");
	clock_ms -= 1500;
	check_run(f, "flush static", "flushed 0 rules of origin static\nok\n");
	check_run(f, "flush", "flushed 2 rules of origin api\nok\n");
	check_run(f, "flush bogus", "error: unknown origin 'bogus' (static, api, policy, "
		  "policy:NAME)\n");
	ck_assert_uint_eq(rib_count(f->rib), 0);
	fake_free(f);
}
END_TEST

/* Commands hold the api claim beside static and policy claims (rib.h):
 * the replies say what else holds the rule and what stays announced. */
START_TEST(claims_and_never_filter)
{
	struct fake *f = fake_new();
	struct fs_rule r;
	ck_assert(fs_text_parse(&r, "flow route { match { destination "
				"10.50.100.100/32; protocol tcp; destination-port "
				"=1234; } then { rate-limit 1000; } }", NULL, NULL));
	struct rib_opts st = { .origin = RIB_ORIGIN_STATIC };
	struct rib_opts pol = { .origin = RIB_ORIGIN_POLICY, .policy = "flood" };
	ck_assert_int_eq(rib_announce(f->rib, &r, &st, NULL), RIB_ADDED);
	ck_assert_int_eq(rib_announce(f->rib, &r, &pol, NULL), RIB_ADDED);
	fs_rule_clear(&r);
#define RATE_CANON "flow route { match { destination 10.50.100.100/32; " \
	"protocol =tcp; destination-port =1234; } then { rate-limit 1000; } }"
	check_run(f, "neighbor 10.0.0.1 withdraw " RULE, "error: the rule has no "
		  "api claim (it is claimed by static, policy:flood): withdraw "
		  "it without 'neighbor'\n");
	check_run(f, "announce " RULE, "added id 1: " RULE_CANON "\nnote: also "
		  "claimed by static, policy:flood; the api claim's actions are "
		  "announced\nok\n");
	check_run(f, "show flow", "ID  Origin                   Expires  "
		  "Neighbors  Comment  Rule\n"
		  " 1  api,static,policy:flood  never    all        -        "
		  RULE_CANON "\nok\n");
	check_run(f, "withdraw " RULE, "withdrawn id 1: " RULE_CANON "; still "
		  "announced for static: " RATE_CANON "\nok\n");
	check_run(f, "flush static", "flushed 1 rule of origin static\nok\n");
	check_run(f, "flush policy:other", "flushed 0 rules of origin "
		  "policy:other\nok\n");
	check_run(f, "flush policy", "flushed 1 rule of origin policy\nok\n");
	ck_assert_uint_eq(rib_count(f->rib), 0);
	/* No api claim: the operator's withdraw takes the rule back whole. */
	ck_assert(fs_text_parse(&r, RULE, NULL, NULL));
	ck_assert_int_eq(rib_announce(f->rib, &r, &st, NULL), RIB_ADDED);
	ck_assert_int_eq(rib_announce(f->rib, &r, &pol, NULL), RIB_ADDED);
	fs_rule_clear(&r);
	check_run(f, "withdraw " RULE, "withdrawn id 2: " RULE_CANON " (claims "
		  "of static, policy:flood)\nok\n");
	ck_assert_uint_eq(rib_count(f->rib), 0);

	struct prefix p;
	ck_assert(prefix_parse(&p, "10.50.0.1/32", 12));
	ck_assert(rib_set_protected(f->rib, RIB_PROTECT_CONFIG, &p, 1));
	check_run(f, "announce flow route { match { destination 10.50.0.0/16; } "
		  "then { discard; } }", "error: refused: destination "
		  "10.50.0.0/16 covers never_filter prefix 10.50.0.1/32\n");
	check_run(f, "announce flow route { match { source 192.0.2.0/24; } then "
		  "{ discard; } }", "error: refused: a rule without destination "
		  "covers never_filter prefix 10.50.0.1/32\n");
	ck_assert_uint_eq(rib_count(f->rib), 0);
	/* Refusals are audited like any change (the fake keeps 8). */
	ck_assert_uint_eq(f->naudit, 8);
	ck_assert_str_eq(f->audit[7], "uid 0 pid 1|announce flow route { match "
			 "{ destination 10.50.0.0/16; } then { discard; } }|error|"
			 "refused: destination 10.50.0.0/16 covers never_filter "
			 "prefix 10.50.0.1/32");
	fake_free(f);
}
END_TEST

START_TEST(show_neighbor_forms)
{
	struct fake *f = fake_new();
	check_run(f, "show neighbor",
		  "Peer                 AS  Up/Down   State        Sent  Received  Description\n"
		  "10.0.0.1          65100  01:02:03  Established     2         1  router A\n"
		  "2001:db8::2  4200000000  never     Active          0         0  -\n"
		  "ok\n");
	check_run(f, "show neighbor 10.0.0.1",
		  "Neighbor:       10.0.0.1 port 179, remote AS 65100 (iBGP)\n"
		  "Description:    router A\n"
		  "State:          Established, up for 01:02:03\n"
		  "Established:    2 times\n"
		  "Local address:  any\n"
		  "Families:       ipv4-flowspec ipv6-flowspec (negotiated: ipv4-flowspec)\n"
		  "Hold time:      90 s (we proposed 90 s)\n"
		  "Capabilities:   4-octet-as route-refresh\n"
		  "Rules:          2 sent, 1 received, 3 refused\n"
		  "Profile:        frr\n"
		  "Messages:       10 in, 12 out (UPDATE 0 in, 3 out, 0 invalid)\n"
		  "ok\n");
	char *s = run(f, "show neighbor --json");
	ck_assert_str_eq(s + strlen(s) - 3, "ok\n");
	/* New keys at the end of the object (ctl.h). */
	ck_assert_ptr_nonnull(strstr(s, "\"last_error\":null,\"rules_refused\":3,"
				     "\"profile\":\"frr\"}"));
	ck_assert_ptr_nonnull(strstr(s, "\"rules_refused\":0,\"profile\":"
				     "\"generic\"}"));
	json_error_t jerr;
	json_t *j = json_loadb(s, strlen(s) - 3, 0, &jerr);
	ck_assert_msg(j != NULL, "bad JSON: %s: %s", jerr.text, s);
	json_t *nb = json_object_get(j, "neighbors");
	ck_assert_uint_eq(json_array_size(nb), 2);
	json_t *a = json_array_get(nb, 0), *b = json_array_get(nb, 1);
	ck_assert_str_eq(json_string_value(json_object_get(a, "address")), "10.0.0.1");
	ck_assert_str_eq(json_string_value(json_object_get(a, "state")), "Established");
	ck_assert_int_eq(json_integer_value(json_object_get(a, "uptime")), 3723);
	ck_assert_int_eq(json_integer_value(json_object_get(a, "rules_sent")), 2);
	ck_assert_int_eq(json_integer_value(json_object_get(a, "rules_received")), 1);
	ck_assert_uint_eq(json_array_size(json_object_get(a, "negotiated")), 1);
	ck_assert(json_is_null(json_object_get(a, "last_error")));
	ck_assert(json_is_null(json_object_get(b, "uptime")));
	ck_assert(json_is_null(json_object_get(b, "description")));
	ck_assert_int_eq(json_integer_value(json_object_get(b, "remote_as")), 4200000000);
	json_t *le = json_object_get(b, "last_error");
	ck_assert_str_eq(json_string_value(json_object_get(le, "direction")), "received");
	ck_assert_str_eq(json_string_value(json_object_get(le, "name")),
			 "Cease/Administrative Shutdown");
	ck_assert_str_eq(json_string_value(json_object_get(le, "text")), "maintenance");
	json_decref(j);
	free(s);
	s = run(f, "show neighbor 2001:db8::2");
	ck_assert_ptr_nonnull(strstr(s, "\nLast error:     received 6/2 "
				     "(Cease/Administrative Shutdown): maintenance\n"));
	free(s);
	check_run(f, "show neighbor 10.0.0.9",
		  "error: 10.0.0.9 is not a configured neighbor\n");
	fake_free(f);
}
END_TEST

START_TEST(clear_received_and_optional_commands)
{
	struct fake *f = fake_new();
	check_run(f, "clear neighbor 10.0.0.1 soft", "soft cleared 10.0.0.1\nok\n");
	ck_assert_int_eq(f->cleared, 1);
	ck_assert(f->cleared_soft);
	check_run(f, "clear neighbor 2001:db8::2",
		  "error: the session is not up\n");
	check_run(f, "show received 10.0.0.1",
		  "flow route { match { source 198.51.100.0/24; } then { "
		  "rate-limit 1000; } }\nok\n");
	check_run(f, "show received 10.0.0.1 --json",
		  "{\"neighbor\":\"10.0.0.1\",\"rules\":[{\"rule\":\"flow route { "
		  "match { source 198.51.100.0/24; } then { rate-limit 1000; } }\","
		  "\"family\":\"ipv4-flowspec\"}]}\nok\n");
	check_run(f, "show adj-rib-out 10.0.0.1",
		  "error: show adj-rib-out is not available in this daemon\n");
	check_run(f, "reload", "error: reload is not available in this daemon\n");
	/* adj-rib-out: what was sent, then what the profile refused. */
	f->d.adj_rib_out = fake_received;
	f->d.adj_rib_out_refused = fake_refused;
	check_run(f, "show adj-rib-out 10.0.0.1",
		  "flow route { match { source 198.51.100.0/24; } then { "
		  "rate-limit 1000; } }\n"
		  "# refused (profile frr: action mark not carried): flow route "
		  "{ match { destination 10.0.0.2/32; } then { mark 10; } }\nok\n");
	check_run(f, "show adj-rib-out 10.0.0.1 --json",
		  "{\"neighbor\":\"10.0.0.1\",\"rules\":[{\"rule\":\"flow route { "
		  "match { source 198.51.100.0/24; } then { rate-limit 1000; } }\","
		  "\"family\":\"ipv4-flowspec\"}],\"refused\":[{\"rule\":\"flow "
		  "route { match { destination 10.0.0.2/32; } then { mark 10; } }\","
		  "\"family\":\"ipv4-flowspec\",\"reason\":\"profile frr: action "
		  "mark not carried\"}]}\nok\n");
	/* A body line never reads as the end of the reply. */
	f->collector_body = "ok\nerror: not really\nfine\n";
	check_run(f, "show collector", " ok\n error: not really\nfine\nok\n");
	char *s = run(f, "help");
	ck_assert_ptr_nonnull(strstr(s, "\nshow flow [--json]\n"));
	ck_assert_str_eq(s + strlen(s) - 4, "\nok\n");
	free(s);
	ck_assert_str_eq(f->audit[0], "uid 0 pid 1|clear neighbor 10.0.0.1 soft|ok|"
			 "soft cleared 10.0.0.1");
	ck_assert_str_eq(f->audit[2], "uid 0 pid 1|reload|error|reload is not "
			 "available in this daemon");
	fake_free(f);
}
END_TEST

/* ---- the socket server ------------------------------------------------ */

struct srv_env {
	char dir[64];
	char path[128];
	struct event_base *base;
	struct fake *f;
	struct ctl_server *srv;
};

static void env_up(struct srv_env *e)
{
	snprintf(e->dir, sizeof e->dir, "/tmp/test_ctl.XXXXXX");
	ck_assert_ptr_nonnull(mkdtemp(e->dir));
	snprintf(e->path, sizeof e->path, "%s/ctl.sock", e->dir);
	e->base = event_base_new();
	e->f = fake_new();
	char err[256] = "";
	e->srv = ctl_server_new(e->base, e->path, CTL_SOCKET_MODE, &e->f->d,
				err, sizeof err);
	ck_assert_msg(e->srv != NULL, "%s", err);
}

static void env_down(struct srv_env *e)
{
	ctl_server_free(e->srv);
	ck_assert_int_ne(access(e->path, F_OK), 0);	/* removed */
	event_base_free(e->base);
	fake_free(e->f);
	rmdir(e->dir);
}

static int connect_to(const char *path)
{
	char err[256];
	int fd = ctl_client_connect(path, err, sizeof err);
	ck_assert_msg(fd >= 0, "%s", err);
	fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) | O_NONBLOCK);
	return fd;
}

static void send_str(int fd, const char *s)
{
	ck_assert(ctl_client_write(fd, s, strlen(s)));
}

/* Runs the loop until nfinal final lines (ok / error) arrived on fd or it
 * closed; returns everything read (free() it). */
static char *pump(struct srv_env *e, int fd, int nfinal, bool *closed)
{
	struct writer got = writer_init(0);
	int finals = 0;
	*closed = false;
	for (int spin = 0; spin < 20000 && finals < nfinal && !*closed; spin++) {
		event_base_loop(e->base, EVLOOP_NONBLOCK);
		char buf[4096];
		ssize_t n = read(fd, buf, sizeof buf);
		if (n == 0)
			*closed = true;
		if (n <= 0) {
			if (n < 0 && errno != EAGAIN)
				*closed = true;
			usleep(100);
			continue;
		}
		put_bytes(&got, buf, (size_t)n);
		finals = 0;
		for (size_t i = 0; i < got.len; i++) {
			bool bol = i == 0 || got.data[i - 1] == '\n';
			if (bol && ((got.len - i >= 3 &&
				     !memcmp(got.data + i, "ok\n", 3)) ||
				    (got.len - i >= 6 &&
				     !memcmp(got.data + i, "error:", 6))))
				finals++;
		}
	}
	put_u8(&got, 0);
	return (char *)got.data;
}

START_TEST(server_socket_file)
{
	struct srv_env e;
	env_up(&e);
	struct stat st;
	ck_assert_int_eq(stat(e.path, &st), 0);
	ck_assert(S_ISSOCK(st.st_mode));
	ck_assert_uint_eq(st.st_mode & 0777, 0600);

	/* A second daemon on the same path is refused. */
	char err[256] = "";
	struct ctl_server *two = ctl_server_new(e.base, e.path, CTL_SOCKET_MODE,
						&e.f->d, err, sizeof err);
	ck_assert_ptr_null(two);
	char want[256];
	snprintf(want, sizeof want, "another flowspecd answers on the control "
		 "socket %s", e.path);
	ck_assert_str_eq(err, want);
	env_down(&e);

	/* A stale socket (nobody listens) is replaced; a file is not. */
	ck_assert_ptr_nonnull(mkdtemp(strcpy(e.dir, "/tmp/test_ctl.XXXXXX")));
	snprintf(e.path, sizeof e.path, "%s/ctl.sock", e.dir);
	int s = socket(AF_UNIX, SOCK_STREAM, 0);
	struct sockaddr_un sun = { .sun_family = AF_UNIX };
	strcpy(sun.sun_path, e.path);
	ck_assert_int_eq(bind(s, (struct sockaddr *)&sun, sizeof sun), 0);
	close(s);
	e.base = event_base_new();
	e.f = fake_new();
	e.srv = ctl_server_new(e.base, e.path, 0660, &e.f->d, err, sizeof err);
	ck_assert_msg(e.srv != NULL, "%s", err);
	ck_assert_int_eq(stat(e.path, &st), 0);
	ck_assert_uint_eq(st.st_mode & 0777, 0660);
	ctl_server_free(e.srv);
	FILE *file = fopen(e.path, "w");
	fclose(file);
	ck_assert_ptr_null(ctl_server_new(e.base, e.path, CTL_SOCKET_MODE,
					  &e.f->d, err, sizeof err));
	snprintf(want, sizeof want, "control socket %s exists and is not a "
		 "socket", e.path);
	ck_assert_str_eq(err, want);
	unlink(e.path);
	event_base_free(e.base);
	fake_free(e.f);
	rmdir(e.dir);

	/* No daemon: flowspecctl's message. */
	ck_assert_int_lt(ctl_client_connect("/nonexistent/flowspecd.sock", err,
					    sizeof err), 0);
	ck_assert_str_eq(err, "cannot connect to /nonexistent/flowspecd.sock: "
			 "No such file or directory (is flowspecd running?)");
}
END_TEST

START_TEST(server_pipelined_commands)
{
	struct srv_env e;
	env_up(&e);
	int fd = connect_to(e.path);
	/* Blank and comment lines get no reply; a CR is ignored. */
	send_str(fd, "\n# a comment\nannounce " RULE "\r\n   \nwithdraw " RULE
		 "\nshow flows\nshow flow\n");
	bool closed;
	char *got = pump(&e, fd, 4, &closed);
	ck_assert(!closed);
	ck_assert_str_eq(got, "added id 1: " RULE_CANON "\nok\n"
			 "withdrawn id 1: " RULE_CANON "\nok\n"
			 "error: col 6: expected neighbor, flow, received, "
			 "adj-rib-out, collector or mitigations, not 'flows'\n"
			 "ID  Origin  Expires  Neighbors  Comment  Rule\nok\n");
	free(got);
	ck_assert_uint_eq(ctl_server_clients(e.srv), 1);
	/* The last line may come without its newline before EOF. */
	send_str(fd, "show flow --json");
	shutdown(fd, SHUT_WR);
	got = pump(&e, fd, 1, &closed);
	ck_assert_str_eq(got, "{\"rules\":[]}\nok\n");
	free(got);
	got = pump(&e, fd, 1, &closed);
	ck_assert(closed);
	free(got);
	close(fd);
	event_base_loop(e.base, EVLOOP_NONBLOCK);
	ck_assert_uint_eq(ctl_server_clients(e.srv), 0);
	env_down(&e);
}
END_TEST

START_TEST(server_limits)
{
	struct srv_env e;
	env_up(&e);
	/* A line past the limit: an error, then the connection closes. */
	int fd = connect_to(e.path);
	size_t n = CTL_LINE_MAX + 10;
	char *big = malloc(n + 1);
	memset(big, 'x', n);
	big[n] = '\0';
	struct writer pending = writer_init(0);
	put_bytes(&pending, big, n);
	size_t off = 0;
	bool closed = false;
	struct writer got = writer_init(0);
	for (int spin = 0; spin < 20000 && !closed; spin++) {
		if (off < pending.len) {
			ssize_t w = send(fd, pending.data + off,
					 pending.len - off, MSG_DONTWAIT);
			if (w > 0)
				off += (size_t)w;
		}
		event_base_loop(e.base, EVLOOP_NONBLOCK);
		char buf[256];
		ssize_t r = read(fd, buf, sizeof buf);
		if (r > 0)
			put_bytes(&got, buf, (size_t)r);
		else if (r == 0 || (r < 0 && errno != EAGAIN))
			closed = true;
		else
			usleep(100);
	}
	put_u8(&got, 0);
	ck_assert(closed);
	ck_assert_str_eq((char *)got.data,
			 "error: command longer than 65536 octets\n");
	writer_free(&got);
	writer_free(&pending);
	free(big);
	close(fd);

	/* Past CTL_CLIENTS_MAX clients a new one is told and closed. */
	int fds[CTL_CLIENTS_MAX];
	for (int i = 0; i < CTL_CLIENTS_MAX; i++)
		fds[i] = connect_to(e.path);
	for (int spin = 0; spin < 1000 &&
			   ctl_server_clients(e.srv) < CTL_CLIENTS_MAX; spin++)
		event_base_loop(e.base, EVLOOP_NONBLOCK);
	ck_assert_uint_eq(ctl_server_clients(e.srv), CTL_CLIENTS_MAX);
	int extra = connect_to(e.path);
	char *reply = pump(&e, extra, 1, &closed);
	ck_assert_str_eq(reply, "error: too many control clients\n");
	free(reply);
	close(extra);
	/* The others still work. */
	send_str(fds[7], "help\n");
	reply = pump(&e, fds[7], 1, &closed);
	ck_assert_ptr_nonnull(strstr(reply, "\nreload\nhelp\nok\n"));
	free(reply);
	for (int i = 0; i < CTL_CLIENTS_MAX; i++)
		close(fds[i]);
	env_down(&e);
}
END_TEST

/* A client that sends a long batch without reading: the server stops
 * reading it instead of buffering every reply, and finishes once the
 * client reads. */
START_TEST(server_back_pressure)
{
	struct srv_env e;
	env_up(&e);
	int fd = connect_to(e.path);
	const char *cmd = "help\n";
	size_t count = 20000, sent = 0, off = 0;
	size_t finals = 0;
	struct ctl_lines in;
	ctl_lines_init(&in);
	bool reading = false;
	for (int spin = 0; spin < 400000 && finals < count; spin++) {
		if (sent < count) {
			ssize_t w = send(fd, cmd + off, strlen(cmd) - off,
					 MSG_DONTWAIT);
			if (w > 0) {
				off += (size_t)w;
				if (off == strlen(cmd)) {
					off = 0;
					sent++;
				}
			}
		}
		event_base_loop(e.base, EVLOOP_NONBLOCK);
		/* Read only after the writer stalled for a while. */
		if (!reading && spin > 2000) {
			ck_assert_uint_lt(sent, count);	/* the writer stalled */
			reading = true;
		}
		if (!reading)
			continue;
		ssize_t r = ctl_lines_read(&in, fd);
		if (r == 0)
			break;
		char *l;
		while ((l = ctl_lines_next(&in)) != NULL)
			finals += ctl_line_kind(l) == CTL_LINE_OK;
	}
	ck_assert_uint_eq(finals, count);
	ctl_lines_free(&in);
	close(fd);
	env_down(&e);
}
END_TEST

static Suite *ctl_suite(void)
{
	Suite *s = suite_create("ctl");
	TCase *tc = tcase_create("parser");
	tcase_add_test(tc, announce_and_withdraw);
	tcase_add_test(tc, ttl_and_comment);
	tcase_add_test(tc, neighbor_prefixes);
	tcase_add_test(tc, show_clear_flush_forms);
	tcase_add_test(tc, errors_say_where);
	suite_add_tcase(s, tc);
	tc = tcase_create("exec");
	tcase_add_test(tc, announce_replace_withdraw);
	tcase_add_test(tc, targeted_announce_and_withdraw);
	tcase_add_test(tc, show_flow_table_and_json);
	tcase_add_test(tc, claims_and_never_filter);
	tcase_add_test(tc, show_neighbor_forms);
	tcase_add_test(tc, clear_received_and_optional_commands);
	suite_add_tcase(s, tc);
	tc = tcase_create("server");
	tcase_set_timeout(tc, 60);
	tcase_add_test(tc, server_socket_file);
	tcase_add_test(tc, server_pipelined_commands);
	tcase_add_test(tc, server_limits);
	tcase_add_test(tc, server_back_pressure);
	suite_add_tcase(s, tc);
	return s;
}

int main(void)
{
	SRunner *sr = srunner_create(ctl_suite());
	srunner_run_all(sr, CK_NORMAL);
	int failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
