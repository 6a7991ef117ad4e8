/* libFuzzer harness for the control command parser (bgpd/control/cmd.c)
 * and the executor behind it (exec.c, against a real rib and two fake
 * peers). Input: command lines separated by '\n'. For each line:
 * - a refused line says where (a column inside the line or just past it)
 *   and what;
 * - a parsed command prints (ctl_cmd_format) as a line that parses to the
 *   same command and prints the same;
 * - run through ctl_run_line, the reply ends with exactly one final line
 *   ("ok" or "error: …"), and no body line could be taken for one.
 * The rib lives for one input, so announce/withdraw sequences are
 * explored. Any broken property abort()s. */
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bgpd/control/cmd.h"
#include "bgpd/control/ctl.h"
#include "bgpd/rib/rib.h"
#include "nlri/text.h"

#define FUZZ_NAME "fuzz_ctl"
#include "fuzz.h"

/* ---- a daemon with two peers ------------------------------------------ */

static int64_t now_ms(void)
{
	return 1000000;
}

static struct bgp_local local = { .local_as = 65000 };
static struct bgp_peer_config cfgs[2];
static struct bgp_peer peers[2];

static size_t peer_count(void *ctx)
{
	(void)ctx;
	return 2;
}

static bool peer_get(void *ctx, size_t i, struct ctl_peer_view *out)
{
	(void)ctx;
	if (i >= 2)
		return false;
	*out = (struct ctl_peer_view){ .peer = &peers[i], .rules_sent = i };
	return true;
}

static bool peer_clear(void *ctx, const struct bgp_peer *p, bool soft,
		       char *err, size_t errlen)
{
	(void)ctx;
	(void)p;
	if (!soft)
		snprintf(err, errlen, "refused\nwith a newline");
	return soft;
}

static void setup_peers(void)
{
	static bool done;
	if (done)
		return;
	done = true;
	const char *addrs[2] = { "10.0.0.1", "2001:db8::1" };
	for (int i = 0; i < 2; i++) {
		cfgs[i].port = 179;
		cfgs[i].remote_as = 65000 + (uint32_t)i;
		cfgs[i].families = 3;
		addr_parse(&cfgs[i].address, addrs[i], strlen(addrs[i]));
		peers[i].cfg = &cfgs[i];
		peers[i].local = &local;
	}
	peers[0].state = BGP_ESTABLISHED;
	peers[0].established_at = 1;
	snprintf(cfgs[1].description, sizeof cfgs[1].description, "ok");
}

/* ---- properties ------------------------------------------------------- */

static bool same_buf(const struct writer *a, const struct writer *b)
{
	return a->len == b->len && (a->len == 0 ||
				    memcmp(a->data, b->data, a->len) == 0);
}

static bool same_cmd(const struct ctl_cmd *a, const struct ctl_cmd *b)
{
	return a->verb == b->verb && a->ntargets == b->ntargets &&
	       memcmp(a->targets, b->targets,
		      a->ntargets * sizeof a->targets[0]) == 0 &&
	       a->rule.afi == b->rule.afi &&
	       same_buf(&a->rule.match, &b->rule.match) &&
	       same_buf(&a->rule.comm, &b->rule.comm) &&
	       a->ttl_s == b->ttl_s && a->has_comment == b->has_comment &&
	       strcmp(a->comment, b->comment) == 0 &&
	       memcmp(&a->peer, &b->peer, sizeof a->peer) == 0 &&
	       a->json == b->json && a->soft == b->soft &&
	       strcmp(a->origin, b->origin) == 0;
}

static char *format(const struct ctl_cmd *cmd)
{
	struct writer w = writer_init(0);
	ctl_cmd_format(&w, cmd);
	put_u8(&w, 0);
	if (w.err)
		die("ctl_cmd_format failed");
	return (char *)w.data;
}

static void check_parse(const char *line, size_t len)
{
	struct ctl_cmd cmd;
	struct ctl_error err;
	if (!ctl_parse(&cmd, line, len, &err)) {
		if (err.col < 1 || err.col > len + 1)
			die("error column %zu outside 1..%zu: %s", err.col,
			    len + 1, err.msg);
		if (!err.msg[0] ||
		    strnlen(err.msg, sizeof err.msg) == sizeof err.msg)
			die("error message empty or not terminated");
		ctl_cmd_clear(&cmd);
		return;
	}
	char *text = format(&cmd);
	struct ctl_cmd again;
	if (!ctl_parse(&again, text, strlen(text), &err))
		die("printed command does not parse: col %zu: %s\n  input:   "
		    "%.*s\n  printed: %s", err.col, err.msg, (int)len, line,
		    text);
	char *text2 = format(&again);
	if (strcmp(text, text2) != 0)
		die("print not stable:\n  first:  %s\n  second: %s", text,
		    text2);
	if (!same_cmd(&cmd, &again))
		die("printed command differs:\n  input: %.*s\n  text:  %s",
		    (int)len, line, text);
	free(text2);
	free(text);
	ctl_cmd_clear(&again);
	ctl_cmd_clear(&cmd);
}

static void check_reply(const struct ctl_daemon *d, const char *line,
			size_t len)
{
	struct writer out = writer_init(0);
	ctl_run_line(d, line, len, "fuzz", &out);
	if (out.err || out.len == 0 || out.data[out.len - 1] != '\n')
		die("reply empty or not ending in a newline");
	size_t start = 0;
	for (size_t i = 0; i < out.len; i++) {
		if (out.data[i] != '\n')
			continue;
		const char *l = (const char *)out.data + start;
		size_t n = i - start;
		bool final = (n == 2 && memcmp(l, "ok", 2) == 0) ||
			     (n >= 6 && memcmp(l, "error:", 6) == 0);
		bool last = i + 1 == out.len;
		if (final != last)
			die("reply line %s: %.*s", last ? "is not final"
							 : "looks final",
			    (int)n, l);
		start = i + 1;
	}
	writer_free(&out);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	setup_peers();
	struct rib *rib = rib_new(now_ms);
	if (!rib)
		return 0;
	/* Claims of other origins and a protected prefix, so that commands
	 * meet them (rib.h). */
	static const char *const others[] = {
		"flow route { match { destination 10.0.0.0/8; } then { discard; } }",
		"flow route { match { destination 2001:db8::/32; } then { rate-limit 0; } }",
	};
	struct prefix protect;
	prefix_parse(&protect, "10.99.0.1/32", 12);
	rib_set_protected(rib, RIB_PROTECT_CONFIG, &protect, 1);
	for (size_t i = 0; i < 2; i++) {
		struct fs_rule r;
		struct fs_text_error terr;
		struct rib_opts o = { .origin = i ? RIB_ORIGIN_POLICY
						  : RIB_ORIGIN_STATIC,
				      .policy = "fuzz", .ttl_s = (uint32_t)i };
		if (fs_text_parse(&r, others[i], NULL, &terr)) {
			rib_announce(rib, &r, &o, NULL);
			fs_rule_clear(&r);
		}
	}
	struct ctl_daemon d = {
		.rib = rib,
		.now_ms = now_ms,
		.peer_count = peer_count,
		.peer_get = peer_get,
		.peer_clear = peer_clear,
	};
	const char *s = (const char *)data;
	size_t start = 0;
	for (size_t i = 0; i <= size; i++) {
		if (i < size && s[i] != '\n')
			continue;
		/* The parser takes any octets (NUL included) and a length. */
		check_parse(s + start, i - start);
		check_reply(&d, s + start, i - start);
		start = i + 1;
	}
	rib_free(rib);
	return 0;
}
