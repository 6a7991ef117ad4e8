/* The cost of many protected prefixes: a policy file whose networks hold
 * N customer prefixes (random IPv4 /16../30 in 10.0.0.0/8 and, one in
 * five, IPv6 /40../64 in 2001:db8::/32; overlaps nest), ten to a customer
 * network, every customer under one "isp" network (10.0.0.0/8 and
 * 2001:db8::/32) that one UDP policy watches. For each N it prints the
 * CPU time of loading the file, the size of the prefix look-up table,
 * policy_network_of look-ups per second, and flow records per second
 * through policy_engine_flow with 65,536 destinations inside random
 * customer prefixes (fixed seed).
 *   bench_networks [N ...]   (default 10 1000 100000)
 * Build without sanitizers: cmake -B build-rel -DCMAKE_BUILD_TYPE=Release
 * && cmake --build build-rel && build-rel/bin/bench_networks */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "bgpd/policy/engine.h"
#include "lib/lpm.h"

#define PER_NETWORK 10
#define DESTINATIONS 65536
#define MIN_CPU_S 1.0		/* each rate is measured over at least this */
#define BATCH 1024		/* calls between clock readings */

/* CPU time of the process: the machine may be shared. */
static double now_s(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static uint64_t rng = 0x2545f4914f6cdd1dull;
static uint64_t next(void)	/* xorshift64 */
{
	rng ^= rng << 13;
	rng ^= rng >> 7;
	rng ^= rng << 17;
	return rng;
}

/* A random prefix inside 10.0.0.0/8 or 2001:db8::/32, or (host) a
 * random address inside p. */
static void random_prefix(struct prefix *p)
{
	memset(p, 0, sizeof *p);
	bool v6 = next() % 5 == 0;
	p->addr.family = v6 ? ADDR_V6 : ADDR_V4;
	for (unsigned i = 0; i < sizeof p->addr.bytes; i++)
		p->addr.bytes[i] = (uint8_t)next();
	if (v6) {
		memcpy(p->addr.bytes, "\x20\x01\x0d\xb8", 4);
		p->len = (uint8_t)(40 + next() % 25);
	} else {
		p->addr.bytes[0] = 10;
		p->len = (uint8_t)(16 + next() % 15);
	}
	addr_mask(&p->addr, p->len);
}

static void random_host(struct addr *a, const struct prefix *p)
{
	*a = p->addr;
	for (unsigned i = 0; i < addr_octets(a->family); i++) {
		unsigned keep = p->len > 8 * i ? p->len - 8 * i : 0;
		if (keep < 8)
			a->bytes[i] |= (uint8_t)(next() & (0xffu >> keep));
	}
}

/* The policy file text (malloc'ed) with n customer prefixes, which go
 * into pfx. */
static char *policy_text(struct prefix *pfx, size_t n)
{
	char *text = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&text, &len);
	if (!f)
		return NULL;
	fprintf(f, "{ \"networks\": { \"isp\": { \"prefixes\": "
		   "[\"10.0.0.0/8\", \"2001:db8::/32\"] }");
	for (size_t i = 0; i < n; i++) {
		char buf[ADDR_STRLEN];
		random_prefix(&pfx[i]);
		if (i % PER_NETWORK == 0)
			fprintf(f, ",\n \"c%zu\": { \"parent\": \"isp\", "
				   "\"prefixes\": [", i / PER_NETWORK);
		fprintf(f, "%s\"%s\"", i % PER_NETWORK ? ", " : "",
			prefix_format(&pfx[i], buf));
		if (i % PER_NETWORK == PER_NETWORK - 1 || i == n - 1)
			fprintf(f, "] }");
	}
	fprintf(f, " },\n \"policies\": [ { \"name\": \"udp\", "
		   "\"networks\": [\"isp\"], \"match\": { \"protocol\": "
		   "\"udp\" }, \"metric\": \"bps\", \"threshold\": \"100G\", "
		   "\"window\": 10, \"rule\": { \"match\": [\"destination\"], "
		   "\"then\": \"discard\" } } ] }\n");
	return fclose(f) == 0 ? text : NULL;
}

static void ignore(void *ctx, const struct policy_event *ev)
{
	(void)ctx;
	(void)ev;
}

static int run(size_t n)
{
	struct prefix *pfx = calloc(n, sizeof *pfx);
	struct addr *dst = calloc(DESTINATIONS, sizeof *dst);
	char *text = pfx && dst ? policy_text(pfx, n) : NULL;
	if (!text)
		return 1;
	for (size_t i = 0; i < DESTINATIONS; i++)
		random_host(&dst[i], &pfx[next() % n]);

	struct config_errors errs;
	config_errors_init(&errs);
	double l0 = now_s();
	struct policy_file *pf = policy_parse(text, strlen(text), "bench",
					      NULL, &errs);
	double load = now_s() - l0;
	if (!pf) {
		config_errors_print(&errs, stderr);
		return 1;
	}

	/* Look-ups alone. */
	uint64_t found = 0, lookups = 0;
	double a = now_s(), spent;
	do {
		for (size_t i = 0; i < BATCH; i++, lookups++)
			found += policy_network_of(
				pf, &dst[lookups % DESTINATIONS]) >= 0;
	} while ((spent = now_s() - a) < MIN_CPU_S);
	double lookup_rate = (double)lookups / spent;

	/* Records through the detector and engine, 100 ms apart per
	 * 10,000 (replay style: the ticks run on the way). */
	struct policy_sink sink = { ignore, ignore, ignore, ignore, ignore,
				    NULL };
	struct policy_engine *eng = policy_engine_new(pf, &sink);
	if (!eng)
		return 1;
	struct flow_record r = { 0 };
	r.exporter.family = ADDR_V4;
	r.exporter.bytes[0] = 192;
	r.proto = 17;
	r.sport = 53;
	r.dport = 4444;
	r.bytes = 1500;
	r.packets = 1;
	r.sampling = 1;
	int64_t t0 = 1700000000000;
	uint64_t records = 0;
	a = now_s();
	do {
		for (size_t i = 0; i < BATCH; i++, records++) {
			int64_t t = t0 + (int64_t)(records / 10000) * 100;
			struct policy_clock clk = { t, t };
			if (records % 10000 == 0)
				policy_engine_run(eng, &clk);
			r.dst = dst[records % DESTINATIONS];
			r.src = r.dst;
			r.src.bytes[0] ^= 0x80;
			r.start_ms = t - 1000;
			r.end_ms = t;
			policy_engine_flow(eng, &r, &clk);
		}
	} while ((spent = now_s() - a) < MIN_CPU_S);
	struct policy_engine_stats st;
	policy_engine_stats(eng, &st);

	size_t mem = lpm_memory(pf->network_lookup);
	printf("%zu prefixes in %zu networks (+ isp), file %zu KiB: "
	       "load %.1f ms\n", n, pf->n_networks - 1, strlen(text) / 1024,
	       load * 1e3);
	printf("  look-up table: %zu octets, %.1f per prefix\n", mem,
	       (double)mem / (double)(n + 2));
	printf("  policy_network_of: %.0f look-ups/s (%.0f ns each, "
	       "%.1f%% found)\n", lookup_rate, 1e9 / lookup_rate,
	       100.0 * (double)found / (double)lookups);
	printf("  detector+engine: %.0f records/s (%.0f ns each), "
	       "%zu windows, %llu untracked\n", (double)records / spent,
	       spent * 1e9 / (double)records, st.detect.tracked,
	       (unsigned long long)st.detect.untracked);
	policy_engine_free(eng);
	policy_file_free(pf);
	config_errors_clear(&errs);
	free(text);
	free(dst);
	free(pfx);
	return 0;
}

int main(int argc, char **argv)
{
	static const size_t sizes[] = { 10, 1000, 100000 };
	int rc = 0;
	if (argc > 1) {
		for (int i = 1; i < argc && rc == 0; i++) {
			size_t n = strtoull(argv[i], NULL, 10);
			if (n == 0 || n / PER_NETWORK > INT16_MAX) {
				fprintf(stderr, "N must be 1..%d\n",
					INT16_MAX * PER_NETWORK);
				return 1;
			}
			rc = run(n);
		}
		return rc;
	}
	for (size_t i = 0; i < sizeof sizes / sizeof sizes[0] && rc == 0; i++)
		rc = run(sizes[i]);
	return rc;
}
