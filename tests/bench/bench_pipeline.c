/* Where flowspecd's time goes between its start and the last UPDATE, one
 * stage at a time on one core, with no sockets: the rules of
 * tests/bench/bench_rules.sh (destination 10.a.b.c/32, TCP, destination
 * port, three action sets) as static_rules in a config text, then
 *   config    config_parse (JSON, rule text, duplicate check)
 *   rib       rib_announce of every static rule
 *   adjout    adjout_start and adjout_write until nothing is owed (the
 *             UPDATEs of one eBGP peer with extended messages, with the
 *             router profile PROFILE: generic by default)
 *   decode    bgp_update_decode of those UPDATEs (what bench_sink does)
 * Each line gives the stage's wall time, rules per second and the peak RSS
 * after it (getrusage). The 'fs_cmp' line times the rib's comparator on
 * neighbouring keys.
 *
 *   bench_pipeline [N [PROFILE]]     (default 100000 generic)
 * Build without sanitizers: cmake -B build-bench -DCMAKE_BUILD_TYPE=Release
 * && cmake --build build-bench && build-bench/bin/bench_pipeline */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <time.h>

#include "bgpd/bgp/adjout.h"
#include "bgpd/bgp/msg.h"
#include "bgpd/bgp/peer.h"
#include "bgpd/config.h"
#include "bgpd/rib/rib.h"
#include "lib/writer.h"
#include "nlri/flowspec.h"

#define DEFAULT_N 100000
#define MAX_N (1u << 24)		/* one rule per 10.a.b.c */
#define OUT_BUDGET (256u << 10)	/* octets per adjout_write, as a socket */
#define CMP_ROUNDS 20

static volatile uint64_t sink;

static double now(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static int64_t mono_ms(void)
{
	return (int64_t)(now() * 1000);
}

static double peak_mb(void)
{
	struct rusage ru;
	getrusage(RUSAGE_SELF, &ru);
	return (double)ru.ru_maxrss / 1024;	/* kB on Linux */
}

static void report(const char *stage, double secs, size_t n)
{
	printf("%-8s %9.3f s %12.0f rules/s   peak RSS %7.1f MB\n", stage, secs,
	       secs > 0 ? (double)n / secs : 0, peak_mb());
}

/* The config text: the bench rules as static_rules, one neighbor. */
static char *config_text(size_t n, size_t *len)
{
	struct writer w = writer_init(0);
	static const char head[] =
		"{\"router_id\": \"192.0.2.1\", \"local_as\": 65100,\n"
		" \"control_socket\": \"/nonexistent/bench.sock\",\n"
		" \"neighbors\": [{\"address\": \"127.0.0.2\", "
		"\"remote_as\": 65001}],\n"
		" \"static_rules\": [\n";
	put_bytes(&w, head, sizeof head - 1);
	for (size_t i = 0; i < n; i++) {
		char line[256];
		const char *then = i % 4 != 3 ? "discard;"
				   : i % 8 == 3 ? "rate-limit 125000;"
						: "rate-limit 12500;";
		int k = snprintf(line, sizeof line,
				 "  \"flow route { match { destination "
				 "10.%zu.%zu.%zu/32; protocol tcp; "
				 "destination-port =%zu; } then { %s } }\"%s\n",
				 i >> 16 & 255, i >> 8 & 255, i & 255,
				 1 + i % 65535, then, i + 1 < n ? "," : "");
		put_bytes(&w, line, (size_t)k);
	}
	put_bytes(&w, "]}\n", 3);
	if (w.err) {
		fprintf(stderr, "bench_pipeline: out of memory\n");
		exit(1);
	}
	*len = w.len;
	return (char *)w.data;
}

/* Decodes the UPDATEs in buf; returns the Flowspec NLRIs announced. */
static size_t decode_all(const uint8_t *buf, size_t len)
{
	size_t off = 0, announced = 0;
	while (off + BGP_HEADER_LEN <= len) {
		size_t mlen = (size_t)buf[off + BGP_MARKER_LEN] << 8 |
			      buf[off + BGP_MARKER_LEN + 1];
		struct bgp_update_result res;
		if (mlen < BGP_HEADER_LEN || off + mlen > len ||
		    bgp_update_decode(buf + off, mlen, NULL, NULL, &res) !=
			    BGP_UPD_OK) {
			fprintf(stderr, "bench_pipeline: bad UPDATE at %zu\n",
				off);
			exit(1);
		}
		announced += res.announced;
		off += mlen;
	}
	return announced;
}

int main(int argc, char **argv)
{
	size_t n = DEFAULT_N;
	struct adjout_config ac = { .name = "bench" };
	profile_default(&ac.profile);
	if (argc > 1) {
		char *end;
		unsigned long long v = strtoull(argv[1], &end, 10);
		if (*end || v == 0 || v > MAX_N || argc > 3 ||
		    (argc == 3 && !profile_builtin(argv[2], &ac.profile))) {
			fprintf(stderr, "usage: bench_pipeline [N <= %u "
				"[PROFILE: %s]]\n", MAX_N,
				profile_builtin_names());
			return 2;
		}
		n = (size_t)v;
	}
	size_t len;
	char *text = config_text(n, &len);
	printf("%zu rules, config %.1f MB; peak RSS at start %.1f MB\n", n,
	       (double)len / 1e6, peak_mb());

	/* config: what flowspecd -c does before anything else. */
	struct config_errors errs;
	config_errors_init(&errs);
	double t = now();
	struct config *cfg = config_parse(text, len, "bench", &errs);
	double t_config = now() - t;
	if (!cfg) {
		config_errors_print(&errs, stderr);
		return 1;
	}
	config_errors_clear(&errs);
	free(text);
	report("config", t_config, n);

	/* rib: main.c load_static_rules. */
	struct rib *rib = rib_new(mono_ms);
	t = now();
	for (size_t i = 0; i < cfg->n_static_rules; i++) {
		struct rib_opts o = { .origin = RIB_ORIGIN_STATIC };
		if (rib_announce(rib, &cfg->static_rules[i].rule, &o, NULL) !=
		    RIB_ADDED) {
			fprintf(stderr, "bench_pipeline: rule %zu refused\n", i);
			return 1;
		}
	}
	report("rib", now() - t, n);

	/* fs_cmp over neighbouring keys in the rib's order (the hardest
	 * case: they share the longest leading part). */
	const struct fs_rule **keys = malloc(n * sizeof *keys);
	size_t nkeys = 0;
	for (const struct rib_entry *e = rib_next(rib, NULL); e && keys;
	     e = rib_next(rib, e))
		keys[nkeys++] = &e->rule;
	t = now();
	for (unsigned round = 0; keys && round < CMP_ROUNDS; round++)
		for (size_t i = 1; i < nkeys; i++)
			sink += (uint64_t)fs_cmp(keys[i]->afi,
						 keys[i - 1]->match.data,
						 keys[i - 1]->match.len,
						 keys[i]->match.data,
						 keys[i]->match.len);
	double t_cmp = now() - t;
	if (nkeys > 1)
		printf("%-8s %9.1f ns per call\n", "fs_cmp",
		       t_cmp * 1e9 / ((double)(nkeys - 1) * CMP_ROUNDS));
	free(keys);

	/* adjout: one eBGP peer that took extended messages. */
	addr_parse(&ac.peer, "127.0.0.2", strlen("127.0.0.2"));
	struct adjout *a = adjout_new(rib, &ac);
	struct adjout_session s = {
		.families = BGP_FAM_IPV4_FLOWSPEC,
		.params = { .ibgp = false, .local_as = 65100, .as4 = true,
			    .max_msg = BGP_MAX_MSG_EXTENDED },
	};
	struct writer out = writer_init(0);
	struct writer chunk = writer_init(0);
	size_t updates = 0;
	t = now();
	adjout_start(a, &s);
	while (adjout_pending(a)) {
		writer_reset(&chunk);
		updates += adjout_write(a, &chunk, OUT_BUDGET).updates;
		put_bytes(&out, chunk.data, chunk.len);
	}
	double t_out = now() - t;
	if (out.err) {
		fprintf(stderr, "bench_pipeline: out of memory\n");
		return 1;
	}
	report("adjout", t_out, n);
	printf("         profile %s\n", profile_name(&ac.profile));
	printf("         %zu UPDATEs, %.1f MB\n", updates,
	       (double)out.len / 1e6);

	t = now();
	size_t got = decode_all(out.data, out.len);
	report("decode", now() - t, n);
	if (got != n) {
		fprintf(stderr, "bench_pipeline: %zu NLRIs decoded, not %zu\n",
			got, n);
		return 1;
	}

	writer_free(&chunk);
	writer_free(&out);
	adjout_free(a);
	rib_free(rib);
	config_free(cfg);
	return 0;
}
