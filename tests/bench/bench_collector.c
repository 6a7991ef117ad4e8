/* Flow decode rate on one core: the export datagrams of the captures in
 * pcaps/ (softflowd NetFlow v5, v9, IPFIX; pmacct sFlow) held in memory
 * and fed to collector_input again and again, for about a second each (or
 * argv[1] seconds), printing records per second. The v9 and IPFIX
 * captures start with their templates, so each round also redefines
 * them, as a refreshing exporter does. Then the v9 and IPFIX captures
 * again, each round to a new collector (one started while its exporter
 * runs): in capture order, and in reverse, so the data comes before its
 * template, is held and decoded late (bgpd/collector/hold.h); the two
 * rates differ by what holding costs. argv[2..] may name other captures.
 * Build without sanitizers: cmake -B build -DCMAKE_BUILD_TYPE=Release &&
 * cmake --build build && build/bin/bench_collector */
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "bgpd/collector/collector.h"
#include "lib/capture.h"
#include "lib/log.h"
#include "lib/packet.h"

#define DATAGRAMS_MAX 4096
#define IP_PROTO_UDP 17

struct datagram {
	struct addr from;
	uint8_t *data;
	size_t len;
};

static double now_s(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static size_t load(const char *path, struct datagram *dg)
{
	char err[256];
	struct capture *cap = capture_open(path, err, sizeof err);
	if (!cap) {
		fprintf(stderr, "bench_collector: %s\n", err);
		exit(EXIT_FAILURE);
	}
	struct capture_frame f;
	size_t n = 0;
	while (n < DATAGRAMS_MAX && capture_next(cap, &f, err, sizeof err) == 1) {
		struct packet p;
		if (!packet_parse(f.data, f.link, &p) ||
		    p.proto != IP_PROTO_UDP || !p.has_l4)
			continue;
		dg[n].from = p.src;
		dg[n].len = remaining(&p.payload);
		dg[n].data = malloc(dg[n].len ? dg[n].len : 1);
		get_bytes(&p.payload, dg[n].data, dg[n].len);
		n++;
	}
	capture_close(cap);
	return n;
}

static void report(const char *path, const char *how, size_t n,
		   uint64_t rounds, uint64_t records, double secs)
{
	const char *name = strrchr(path, '/');
	char label[64];
	snprintf(label, sizeof label, "%s%s", name ? name + 1 : path, how);
	printf("%-36s %6zu datagrams %9.0f datagrams/s %12.0f records/s\n",
	       label, n, (double)(rounds * n) / secs, (double)records / secs);
}

/* Each round a new collector gets the datagrams, in reverse when
 * reversed (the v9/IPFIX data before its templates). */
static void bench_fresh(const char *path, double seconds, bool reversed)
{
	static struct datagram dg[DATAGRAMS_MAX];
	size_t n = load(path, dg);
	uint64_t records = 0, rounds = 0;
	int64_t t = 1700000000000;
	double start = now_s(), end = start + seconds, now;
	do {
		struct collector_config cc;
		collector_config_init(&cc);
		struct collector *c = collector_new(&cc);
		for (size_t i = 0; i < n; i++) {
			const struct datagram *d = &dg[reversed ? n - 1 - i : i];
			records += collector_input(c, &d->from, d->data, d->len,
						   t);
		}
		collector_free(c);
		rounds++;
	} while ((now = now_s()) < end);
	report(path, reversed ? " new, data first" : " new, in order", n,
	       rounds, records, now - start);
	for (size_t i = 0; i < n; i++)
		free(dg[i].data);
}

static void bench(const char *path, double seconds)
{
	static struct datagram dg[DATAGRAMS_MAX];
	size_t n = load(path, dg);
	struct collector_config cc;
	collector_config_init(&cc);
	struct collector *c = collector_new(&cc);
	uint64_t records = 0, rounds = 0;
	int64_t t = 1700000000000;
	double start = now_s(), end = start + seconds, now;
	do {
		for (size_t i = 0; i < n; i++)
			records += collector_input(c, &dg[i].from, dg[i].data,
						   dg[i].len, t);
		rounds++;
		t += 1000;
	} while ((now = now_s()) < end);
	report(path, "", n, rounds, records, now - start);
	collector_free(c);
	for (size_t i = 0; i < n; i++)
		free(dg[i].data);
}

int main(int argc, char **argv)
{
	static const char *const defaults[] = {
		"pcaps/softflowd-v5.pcap", "pcaps/softflowd-v9.pcap",
		"pcaps/softflowd-ipfix.pcap", "pcaps/pmacct-sflow.pcap",
	};
	double seconds = argc > 1 ? atof(argv[1]) : 1.0;
	log_set_level(LOG_ERROR);
	if (argc > 2) {
		for (int i = 2; i < argc; i++)
			bench(argv[i], seconds);
		return 0;
	}
	for (size_t i = 0; i < sizeof defaults / sizeof *defaults; i++)
		bench(defaults[i], seconds);
	for (size_t i = 1; i <= 2; i++) {	/* v9, IPFIX */
		bench_fresh(defaults[i], seconds, false);
		bench_fresh(defaults[i], seconds, true);
	}
	return 0;
}
