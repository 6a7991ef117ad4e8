/* Detector and engine speed on one core: flow records per second (and
 * ns of CPU time per record) through policy_engine_flow with many
 * destinations, the memory the windows take, and the cost of a tick. The
 * policy file has one /8 of customers and two policies (UDP by bps, TCP
 * SYN by pps); even destinations get UDP, odd ones SYNs, so each record
 * feeds one window and each destination has one. Then the CPU time of
 * the record that pushes a flood over its threshold (decision, rule and
 * event included), and of a tick with 10,000 suspects.
 *   bench_policy [DESTINATIONS [RECORDS]]   (default 1000000 5000000)
 * Records go round the destinations in a scrambled order, 100 ms apart
 * per 10,000 records (replay style: the ticks run on the way). Build
 * without sanitizers: cmake -B build -DCMAKE_BUILD_TYPE=Release &&
 * cmake --build build && build/bin/bench_policy */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <time.h>

#include "bgpd/policy/engine.h"

static const char policy_text[] =
	"{ \"networks\": { \"customers\": { \"prefixes\": [\"10.0.0.0/8\"] } },"
	"  \"max_tracked\": 4000000,"
	"  \"policies\": ["
	"  { \"name\": \"udp\", \"networks\": [\"customers\"],"
	"    \"match\": { \"protocol\": \"udp\" }, \"metric\": \"bps\","
	"    \"threshold\": \"1G\", \"window\": 10, \"rule\": { \"match\":"
	"    [\"destination\", \"protocol\", \"source-port\"], \"then\":"
	"    \"discard\" } },"
	"  { \"name\": \"syn\", \"networks\": [\"customers\"],"
	"    \"match\": { \"protocol\": \"tcp\", \"tcp_flags\": \"syn&!ack\" },"
	"    \"metric\": \"pps\", \"threshold\": \"100k\", \"window\": 10,"
	"    \"rule\": { \"match\": [\"destination\", \"protocol\","
	"    \"destination-port\"], \"then\": \"discard\" } }"
	"  ] }";

/* CPU time of the process: the machine may be shared. */
static double now_s(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static uint64_t events, announces;
static void count(void *ctx, const struct policy_event *ev)
{
	(void)ctx;
	events++;
	announces += ev->type == POLICY_EV_ANNOUNCE;
}

/* Record i: destination (i * a large odd number) mod n, so consecutive
 * records hit far-apart windows. */
static void make(struct flow_record *r, uint64_t i, uint64_t n, int64_t t)
{
	uint32_t d = (uint32_t)((i * 2654435761u) % n);
	r->dst.bytes[1] = (uint8_t)(d >> 16);
	r->dst.bytes[2] = (uint8_t)(d >> 8);
	r->dst.bytes[3] = (uint8_t)d;
	r->src.bytes[3] = (uint8_t)i;
	r->proto = d % 2 ? 6 : 17;
	r->tcp_flags = r->proto == 6 ? 0x02 : 0;
	r->sport = (uint16_t)(i * 7);
	r->dport = 53;
	r->bytes = 1500;
	r->packets = 1;
	r->start_ms = t - 1000;
	r->end_ms = t;
}

int main(int argc, char **argv)
{
	uint64_t ndst = argc > 1 ? strtoull(argv[1], NULL, 10) : 1000000;
	uint64_t nrec = argc > 2 ? strtoull(argv[2], NULL, 10) : 5000000;
	if (ndst == 0 || ndst > (1u << 24)) {
		fprintf(stderr, "DESTINATIONS must be 1..16777216\n");
		return 1;
	}
	struct config_errors errs;
	config_errors_init(&errs);
	struct policy_file *pf = policy_parse(policy_text, strlen(policy_text),
					      "bench", NULL, &errs);
	if (!pf) {
		config_errors_print(&errs, stderr);
		return 1;
	}
	struct policy_sink sink = { count, count, count, count, count, NULL };
	struct policy_engine *eng = policy_engine_new(pf, &sink);
	if (!eng)
		return 1;

	struct flow_record r = { 0 };
	r.exporter.family = r.src.family = r.dst.family = ADDR_V4;
	r.exporter.bytes[0] = 192;
	r.src.bytes[0] = 198;
	r.dst.bytes[0] = 10;
	r.sampling = 1;
	int64_t t0 = 1700000000000;

	/* The record generator alone, to subtract. */
	volatile uint64_t sink_v = 0;
	double g0 = now_s();
	for (uint64_t i = 0; i < nrec; i++) {
		make(&r, i, ndst, t0 + (int64_t)(i / 10000) * 100);
		sink_v += r.dst.bytes[3];
	}
	double gen = now_s() - g0;

	double a = now_s();
	for (uint64_t i = 0; i < nrec; i++) {
		int64_t t = t0 + (int64_t)(i / 10000) * 100;
		make(&r, i, ndst, t);
		struct policy_clock clk = { t, t };
		if (i % 10000 == 0)
			policy_engine_run(eng, &clk);
		policy_engine_flow(eng, &r, &clk);
	}
	double spent = now_s() - a - gen;

	struct policy_engine_stats st;
	policy_engine_stats(eng, &st);
	int64_t tend = t0 + (int64_t)(nrec / 10000) * 100 + 1000;
	struct policy_clock clk = { tend, tend };
	double k0 = now_s();
	policy_engine_tick(eng, &clk);
	double tick = now_s() - k0;
	struct rusage ru;
	getrusage(RUSAGE_SELF, &ru);

	/* Decision latency: a UDP flood on one more destination, 4 Gbit/s in
	 * records of 10 ms; the time of the one policy_engine_flow call that
	 * crosses the threshold (it announces before it returns). */
	double crossing = 0;
	uint64_t before = announces;
	r.dst.bytes[1] = 0xff;
	r.proto = 17;
	for (int64_t t = tend + 10; announces == before && t < tend + 20000;
	     t += 10) {
		r.bytes = 5000000;
		r.packets = 3400;
		r.start_ms = t - 10;
		r.end_ms = t;
		struct policy_clock c = { t, t };
		policy_engine_run(eng, &c);
		double c0 = now_s();
		policy_engine_flow(eng, &r, &c);
		crossing = now_s() - c0;
	}

	/* A tick with many suspects: 10,000 more destinations at half the
	 * UDP threshold (past a quarter: they get fingerprints). */
	int64_t ts = tend + 30000;
	for (uint32_t k = 0; k < 10000; k++) {
		r.dst.bytes[1] = 0xfe;
		r.dst.bytes[2] = (uint8_t)(k >> 8);
		r.dst.bytes[3] = (uint8_t)k;
		r.proto = 17;
		r.bytes = 625000000;	/* 0.5 Gbit/s over the 10 s window */
		r.packets = 500000;
		r.start_ms = ts - 10000;
		r.end_ms = ts;
		struct policy_clock c = { ts, ts };
		policy_engine_flow(eng, &r, &c);
	}
	struct policy_engine_stats st2;
	policy_engine_stats(eng, &st2);
	struct policy_clock cs = { ts + 500, ts + 500 };
	double s0 = now_s();
	policy_engine_tick(eng, &cs);
	double tick_suspects = now_s() - s0;

	printf("destinations %llu, records %llu, windows %zu, suspects %zu, "
	       "events %llu\n",
	       (unsigned long long)ndst, (unsigned long long)nrec,
	       st.detect.tracked, st.detect.suspects,
	       (unsigned long long)events);
	printf("detector+engine: %.0f records/s, %.0f ns/record of CPU "
	       "(generator %.0f ns/record subtracted)\n",
	       (double)nrec / spent, spent * 1e9 / (double)nrec,
	       gen * 1e9 / (double)nrec);
	printf("memory: %zu octets in windows and hash table, %.0f per "
	       "window (malloc overhead not counted); max RSS %ld MiB\n",
	       st.memory, (double)st.memory /
	       (double)(st.detect.tracked ? st.detect.tracked : 1),
	       ru.ru_maxrss / 1024);
	printf("tick with %zu suspects: %.3f ms\n", st.detect.suspects,
	       tick * 1e3);
	printf("tick with %zu suspects: %.3f ms\n", st2.detect.suspects,
	       tick_suspects * 1e3);
	printf("crossing record to announce: %.1f us of CPU (%s)\n",
	       crossing * 1e6, announces > before ? "announced" : "NOT announced");
	policy_engine_free(eng);
	policy_file_free(pf);
	return sink_v == 42 ? 2 : 0;
}
