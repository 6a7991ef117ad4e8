/* What the collector harnesses share: the input is a sequence of export
 * datagrams, each [u16 length][octets], fed in order from one exporter to
 * one collector (so templates, sequence numbers and the clock carry from
 * one datagram to the next), each given a version prefix first so the
 * fuzzer spends its time in one decoder. Every record passed on must be
 * well formed and the counters must agree (data sets held for their
 * template too: small hold limits, so they are reached); any broken
 * property abort()s. */
#ifndef TESTS_FUZZ_COLLECTOR_FUZZ_H
#define TESTS_FUZZ_COLLECTOR_FUZZ_H

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bgpd/collector/collector.h"
#include "bgpd/collector/show.h"
#include "lib/log.h"
#include "lib/reader.h"

#define FUZZ_DATAGRAM_MAX 65535
#define FUZZ_MAX_TEMPLATES 16
#define FUZZ_HOLD_OCTETS 1024		/* a few held sets per input */
#define FUZZ_HOLD_TOTAL 768		/* below it: the total's path too */

struct fuzz_sink {
	size_t records;
};

static void fuzz_die(const char *what)
{
	fprintf(stderr, "collector fuzz: %s\n", what);
	abort();
}

static void fuzz_record(void *arg, const struct flow_record *r)
{
	struct fuzz_sink *s = arg;
	s->records++;
	if (r->src.family == ADDR_NONE || r->src.family != r->dst.family)
		fuzz_die("record with missing or mixed address families");
	if (r->sampling == 0)
		fuzz_die("record with sampling 0");
	if (r->exporter.family != ADDR_V4)
		fuzz_die("record without its exporter");
}

/* Feeds data as datagrams, each after the prefix (pre_len octets). */
static int fuzz_collector(const uint8_t *data, size_t size,
			  const uint8_t *prefix, size_t pre_len)
{
	static bool quiet;
	if (!quiet) {
		log_set_level(LOG_ERROR);
		quiet = true;
	}
	struct collector_config cc;
	collector_config_init(&cc);
	cc.max_templates = FUZZ_MAX_TEMPLATES;
	cc.template_timeout_s = 5;	/* 5 datagrams: held sets expire too */
	cc.hold_octets = FUZZ_HOLD_OCTETS;
	cc.hold_total_octets = FUZZ_HOLD_TOTAL;
	struct collector *c = collector_new(&cc);
	if (!c)
		return 0;
	struct fuzz_sink sink = { 0 };
	collector_set_sink(c, fuzz_record, &sink);
	struct addr from = { .family = ADDR_V4, .bytes = { 192, 0, 2, 9 } };
	static uint8_t buf[FUZZ_DATAGRAM_MAX + 8];
	struct reader in = reader_init(data, size);
	size_t passed = 0;
	int64_t now = 1700000000000;
	while (remaining(&in) >= 2) {
		size_t len = get_u16(&in);
		if (len > remaining(&in))
			len = remaining(&in);
		memcpy(buf, prefix, pre_len);
		get_bytes(&in, buf + pre_len, len);
		/* An exact-size heap copy, so ASan sees any overread. */
		uint8_t *dg = malloc(pre_len + len);
		if (!dg)
			break;
		memcpy(dg, buf, pre_len + len);
		passed += collector_input(c, &from, dg, pre_len + len, now);
		free(dg);
		now += 1000;
	}
	const struct exporter *e = collector_exporter_at(c, 0);
	if (passed != sink.records)
		fuzz_die("collector_input's count differs from the sink's");
	if (e && (e->stats.records != sink.records ||
		  e->ntemplates > FUZZ_MAX_TEMPLATES))
		fuzz_die("exporter counters disagree or templates over max");
	if (e && (e->stats.held != e->stats.held_decoded +
					  e->stats.held_dropped + e->hold.count ||
		  e->stats.late_records > e->stats.records ||
		  e->stats.held > e->stats.missing_template ||
		  e->hold.octets > FUZZ_HOLD_TOTAL))
		fuzz_die("held data sets unaccounted for or over the limit");
	struct writer w = writer_init(0);
	collector_show(c, NULL, true, &w);
	collector_show(c, NULL, false, &w);
	writer_free(&w);
	collector_free(c);
	return 0;
}

#endif
