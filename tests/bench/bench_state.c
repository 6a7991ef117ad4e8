/* The cost of the state file (bgpd/rib/state.h) with N api claims (the
 * rules of tests/bench/bench_rules.sh, each with a ttl and a comment):
 *   save    state_save: the whole file, temp file, fsync, rename
 *   load    state_load into an empty rib (text parse and announce)
 * and the file size. The timer writes at most once per max(1 s, 4 x the
 * save time), so "save" bounds both the CPU the file costs and the window
 * of loss README gives.
 *
 *   bench_state [N] [DIR]     (default 100000, $TMPDIR or /tmp)
 * Build without sanitizers: cmake -B build-bench -DCMAKE_BUILD_TYPE=Release
 * && cmake --build build-bench && build-bench/bin/bench_state */
#include <stdio.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "bgpd/rib/state.h"
#include "nlri/text.h"

#define DEFAULT_N 100000
#define MAX_N (1u << 24)	/* one rule per 10.a.b.c */

static int64_t clock_ms(clockid_t id)
{
	struct timespec ts;
	clock_gettime(id, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}
static int64_t mono_ms(void)
{
	return clock_ms(CLOCK_MONOTONIC);
}
static int64_t wall_ms(void)
{
	return clock_ms(CLOCK_REALTIME);
}

static double now(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

int main(int argc, char **argv)
{
	unsigned long n = argc > 1 ? strtoul(argv[1], NULL, 10) : DEFAULT_N;
	const char *tmp = argc > 2 ? argv[2] : getenv("TMPDIR");
	if (n == 0 || n > MAX_N) {
		fprintf(stderr, "usage: bench_state [N (1..%u)] [DIR]\n", MAX_N);
		return 2;
	}
	char path[4096];
	snprintf(path, sizeof path, "%s/bench_state.%ld.json", tmp ? tmp : "/tmp",
		 (long)getpid());
	const struct state_clock clk = { mono_ms, wall_ms };
	struct rib *rib = rib_new(mono_ms);
	struct rib_opts o = { .origin = RIB_ORIGIN_API, .ttl_s = 3600,
			      .comment = "bench" };
	for (unsigned long i = 0; i < n; i++) {
		char text[256];
		snprintf(text, sizeof text, "flow route { match { destination "
			 "10.%lu.%lu.%lu/32; protocol tcp; destination-port "
			 "=%lu; } then { %s } }", i >> 16 & 255, i >> 8 & 255,
			 i & 255, 1 + i % 65535,
			 i % 4 != 3 ? "discard;" : "rate-limit 12500;");
		struct fs_rule r;
		struct fs_text_error err;
		if (!fs_text_parse(&r, text, NULL, &err) ||
		    rib_announce(rib, &r, &o, NULL) != RIB_ADDED) {
			fprintf(stderr, "bench_state: rule %lu refused\n", i);
			return 1;
		}
		fs_rule_clear(&r);
	}
	char err[512];
	double t0 = now();
	bool ok = state_save(rib, path, &clk, err, sizeof err);
	double t1 = now();
	rib_free(rib);
	if (!ok) {
		fprintf(stderr, "bench_state: %s\n", err);
		return 1;
	}
	struct stat sb;
	stat(path, &sb);
	rib = rib_new(mono_ms);
	struct state_loaded ld;
	double t2 = now();
	ok = state_load(rib, path, &clk, &ld, err, sizeof err);
	double t3 = now();
	unlink(path);
	if (!ok || ld.claims != n) {
		fprintf(stderr, "bench_state: load: %s (%zu claims)\n",
			ok ? "not every claim" : err, ld.claims);
		return 1;
	}
	printf("%lu api claims, state file %.1f MB\n", n,
	       (double)sb.st_size / 1e6);
	printf("save  %8.3f s  (the timer then waits max(1 s, 4 x this))\n",
	       t1 - t0);
	printf("load  %8.3f s\n", t3 - t2);
	rib_free(rib);
	return 0;
}
