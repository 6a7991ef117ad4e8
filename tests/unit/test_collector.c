/* Unit tests for the flow collector (bgpd/collector/): NetFlow v5 (Cisco's
 * layout), NetFlow v9 (RFC 3954), IPFIX (RFC 7011), sFlow v5, templates
 * (redefinition, withdrawal, expiry, options with sampling, enterprise and
 * variable-length fields, data before its template held and decoded when
 * it comes, within the hold's limits), uptime arithmetic
 * with wrap and exporter reboot, the exporter clock, the allow-list and
 * limits and their change on reload, the listeners and the service on
 * reload (loopback sockets on ports the system picks), the config object, and packet headers (lib/packet). Packets are
 * built field by field with the writer, named as the specs name them. */
#include <errno.h>
#include <stdio.h>
#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <event2/event.h>

#include "bgpd/collector/collector.h"
#include "bgpd/collector/config.h"
#include "bgpd/collector/exporter.h"
#include "bgpd/collector/listen.h"
#include "bgpd/collector/service.h"
#include "lib/log.h"
#include "lib/packet.h"
#include "lib/udp.h"
#include "vectors.h"

/* ---- harness ---- */

#define GOT_MAX 64

struct got {
	struct flow_record r[GOT_MAX];
	size_t n;
};

static void keep(void *arg, const struct flow_record *r)
{
	struct got *g = arg;
	ck_assert_uint_lt(g->n, GOT_MAX);
	g->r[g->n++] = *r;
}

static struct addr A(const char *s)
{
	struct addr a;
	ck_assert(addr_parse(&a, s, strlen(s)));
	return a;
}

static const char *S(const struct addr *a)
{
	static char buf[4][ADDR_STRLEN];
	static unsigned i;
	return addr_format(a, buf[i++ % 4]);
}

static struct collector *new_collector(struct got *g)
{
	struct collector_config cc;
	collector_config_init(&cc);
	struct collector *c = collector_new(&cc);
	ck_assert_ptr_nonnull(c);
	collector_set_sink(c, keep, g);
	return c;
}

#define EXPORTER "192.0.2.9"

/* Feeds w's octets (an exact copy, for ASan) from exporter. */
static size_t feed_from(struct collector *c, const char *exporter,
			const struct writer *w, int64_t now)
{
	ck_assert(!w->err);
	uint8_t *p = exact_copy(w->data, w->len);
	struct addr from = A(exporter);
	size_t n = collector_input(c, &from, p, w->len, now);
	free(p);
	return n;
}

static size_t feed(struct collector *c, const struct writer *w, int64_t now)
{
	return feed_from(c, EXPORTER, w, now);
}

static const struct exporter_stats *stats(struct collector *c)
{
	ck_assert_uint_ge(collector_exporter_count(c), 1);
	return &collector_exporter_at(c, 0)->stats;
}

static void put_addr(struct writer *w, const char *s)
{
	struct addr a = A(s);
	put_bytes(w, a.bytes, addr_octets(a.family));
}

/* True when len ends a NetFlow v9 message between two flowsets (a
 * shorter message that is still valid: v9 has no message length). */
static bool v9_set_boundary(const struct writer *w, size_t sets_from,
			    size_t len)
{
	if (!sets_from)
		return false;
	size_t off = sets_from, set_len = 4;
	while (off + 4 <= w->len && off < len && set_len >= 4) {
		set_len = (size_t)(w->data[off + 2] << 8 | w->data[off + 3]);
		off += set_len;
	}
	return off == len;
}

/* Every strict prefix of w: no crash, and a fault counted unless the
 * prefix ends between two v9 flowsets (sets_from: where they start; 0
 * for formats with a length or count that every prefix breaks). */
static void truncation_sweep_v9(const struct writer *w, size_t sets_from)
{
	for (size_t len = 0; len < w->len; len++) {
		if (v9_set_boundary(w, sets_from, len))
			continue;
		struct got g = { 0 };
		struct collector *c = new_collector(&g);
		struct writer cut = writer_init(0);
		put_bytes(&cut, w->data, len);
		feed(c, &cut, 0);
		uint64_t errs = 0;
		for (unsigned k = 0; k < CERR__COUNT; k++)
			errs += stats(c)->errors[k];
		ck_assert_msg(errs + stats(c)->missing_template >= 1,
			      "prefix %zu of %zu: no fault counted", len,
			      w->len);
		writer_free(&cut);
		collector_free(c);
	}
}

static void truncation_sweep(const struct writer *w)
{
	truncation_sweep_v9(w, 0);
}

/* ---- NetFlow v5: 24-octet header, 48-octet records ---- */

#define V5_SECS 1700000000u
#define V5_NSECS 500000000u	/* header time: 1700000000.5 */
#define V5_UPTIME 10000u

static void v5_header(struct writer *w, uint16_t count, uint32_t seq,
		      uint16_t sampling)
{
	put_u16(w, 5);			/* version */
	put_u16(w, count);
	put_u32(w, V5_UPTIME);		/* SysUptime */
	put_u32(w, V5_SECS);		/* unix_secs */
	put_u32(w, V5_NSECS);		/* unix_nsecs */
	put_u32(w, seq);		/* flow_sequence */
	put_u8(w, 1);			/* engine_type */
	put_u8(w, 2);			/* engine_id */
	put_u16(w, sampling);		/* mode (2 bits), interval (14) */
}

static void v5_record(struct writer *w, const char *src, const char *dst,
		      uint16_t sport, uint16_t dport, uint8_t proto,
		      uint32_t pkts, uint32_t octets)
{
	put_addr(w, src);		/* srcaddr */
	put_addr(w, dst);		/* dstaddr */
	put_addr(w, "0.0.0.0");		/* nexthop */
	put_u16(w, 3);			/* input */
	put_u16(w, 4);			/* output */
	put_u32(w, pkts);		/* dPkts */
	put_u32(w, octets);		/* dOctets */
	put_u32(w, 4000);		/* First */
	put_u32(w, 9000);		/* Last */
	put_u16(w, sport);
	put_u16(w, dport);
	put_u8(w, 0);			/* pad1 */
	put_u8(w, 0x12);		/* tcp_flags: SYN|ACK */
	put_u8(w, proto);		/* prot */
	put_u8(w, 0xb8);		/* tos */
	put_u16(w, 64500);		/* src_as */
	put_u16(w, 64501);		/* dst_as */
	put_u8(w, 24);			/* src_mask */
	put_u8(w, 32);			/* dst_mask */
	put_u16(w, 0);			/* pad2 */
}

START_TEST(v5_records)
{
	struct got g = { 0 };
	struct collector *c = new_collector(&g);
	struct writer w = writer_init(0);
	v5_header(&w, 2, 100, 0x4000 | 100);	/* 1 in 100, deterministic */
	v5_record(&w, "198.51.100.7", "10.50.100.100", 40000, 80, 6, 3, 1500);
	v5_record(&w, "198.51.100.8", "10.50.100.101", 123, 50000, 17, 1, 468);
	/* Arrives 200 ms after the header's time: that is the offset. */
	int64_t hdr_ms = (int64_t)V5_SECS * 1000 + 500;
	ck_assert_uint_eq(feed(c, &w, hdr_ms + 200), 2);
	const struct flow_record *r = &g.r[0];
	ck_assert_str_eq(S(&r->exporter), EXPORTER);
	ck_assert_str_eq(S(&r->src), "198.51.100.7");
	ck_assert_str_eq(S(&r->dst), "10.50.100.100");
	ck_assert_uint_eq(r->sport, 40000);
	ck_assert_uint_eq(r->dport, 80);
	ck_assert_uint_eq(r->proto, 6);
	ck_assert_uint_eq(r->tcp_flags, 0x12);
	ck_assert_uint_eq(r->tos, 0xb8);
	ck_assert_uint_eq(r->in_if, 3);
	ck_assert_uint_eq(r->out_if, 4);
	ck_assert_uint_eq(r->sampling, 100);
	ck_assert_uint_eq(r->packets, 300);
	ck_assert_uint_eq(r->bytes, 150000);
	/* First = uptime - 6000 ms, Last = uptime - 1000 ms. */
	ck_assert_int_eq(r->start_ms, hdr_ms - 6000 + 200);
	ck_assert_int_eq(r->end_ms, hdr_ms - 1000 + 200);
	ck_assert_str_eq(S(&g.r[1].dst), "10.50.100.101");
	ck_assert_uint_eq(stats(c)->records, 2);
	ck_assert_uint_eq(stats(c)->bytes, 150000 + 46800);
	truncation_sweep(&w);
	writer_free(&w);
	collector_free(c);
}
END_TEST

START_TEST(v5_bad_count_and_sequence)
{
	struct got g = { 0 };
	struct collector *c = new_collector(&g);
	struct writer w = writer_init(0);
	v5_header(&w, 2, 0, 0);		/* says 2, carries 1 */
	v5_record(&w, "198.51.100.7", "10.50.100.100", 1, 2, 6, 1, 40);
	ck_assert_uint_eq(feed(c, &w, 0), 0);
	ck_assert_uint_eq(stats(c)->errors[CERR_HEADER], 1);

	writer_reset(&w);
	v5_header(&w, 31, 0, 0);	/* over 30 records */
	for (int i = 0; i < 31; i++)
		v5_record(&w, "198.51.100.7", "10.50.100.100", 1, 2, 6, 1, 40);
	ck_assert_uint_eq(feed(c, &w, 0), 0);
	ck_assert_uint_eq(stats(c)->errors[CERR_HEADER], 2);

	/* flow_sequence counts flows: 10 + 1, then 15 means 4 lost. */
	for (uint32_t seq = 10; seq <= 15; seq += 5) {
		writer_reset(&w);
		v5_header(&w, 1, seq, 0);
		v5_record(&w, "198.51.100.7", "10.50.100.100", 1, 2, 6, 1, 40);
		ck_assert_uint_eq(feed(c, &w, 0), 1);
	}
	ck_assert_uint_eq(stats(c)->sequence_gaps, 1);
	ck_assert_uint_eq(stats(c)->lost, 4);
	ck_assert_uint_eq(g.r[0].sampling, 1);	/* interval 0: unsampled */
	writer_free(&w);
	collector_free(c);
}
END_TEST

/* ---- NetFlow v9 (RFC 3954) ---- */

#define V9_SECS 1700000000u

/* RFC 3954 §8 field types. */
enum {
	IN_BYTES = 1, IN_PKTS = 2, PROTOCOL = 4, SRC_TOS = 5, TCP_FLAGS = 6,
	L4_SRC_PORT = 7, IPV4_SRC_ADDR = 8, INPUT_SNMP = 10,
	L4_DST_PORT = 11, IPV4_DST_ADDR = 12, OUTPUT_SNMP = 14,
	LAST_SWITCHED = 21, FIRST_SWITCHED = 22, IPV6_SRC_ADDR = 27,
	IPV6_DST_ADDR = 28, SAMPLING_INTERVAL = 34, SAMPLING_ALGORITHM = 35,
	FLOW_SAMPLER_ID = 48, FLOW_SAMPLER_MODE = 49,
	FLOW_SAMPLER_RANDOM_INTERVAL = 50,
};
#define V9_SCOPE_SYSTEM 1	/* RFC 3954 §6.1 scope field types */

static void v9_header_at(struct writer *w, uint32_t uptime, uint32_t secs,
			 uint32_t seq)
{
	put_u16(w, 9);			/* Version */
	put_u16(w, 0);			/* Count (not checked) */
	put_u32(w, uptime);		/* sysUpTime */
	put_u32(w, secs);		/* UNIX Secs */
	put_u32(w, seq);		/* Sequence Number */
	put_u32(w, 7);			/* Source ID */
}

static void v9_header(struct writer *w, uint32_t uptime, uint32_t seq)
{
	v9_header_at(w, uptime, V9_SECS, seq);
}

/* Opens a (flow)set with id; returns the offset of its length. */
static size_t set_open(struct writer *w, uint16_t id)
{
	put_u16(w, id);
	return put_reserve(w, 2);
}

static void set_close(struct writer *w, size_t len_off)
{
	while ((w->len - (len_off - 2)) % 4)
		put_u8(w, 0);		/* padding to 32 bits */
	patch_u16(w, len_off, (uint16_t)(w->len - (len_off - 2)));
}

/* The IPv4 template 256 of these tests. */
static const uint16_t v9_tmpl4[][2] = {
	{ IPV4_SRC_ADDR, 4 }, { IPV4_DST_ADDR, 4 }, { L4_SRC_PORT, 2 },
	{ L4_DST_PORT, 2 }, { PROTOCOL, 1 }, { TCP_FLAGS, 1 },
	{ SRC_TOS, 1 }, { INPUT_SNMP, 2 }, { OUTPUT_SNMP, 2 },
	{ IN_BYTES, 4 }, { IN_PKTS, 4 }, { FIRST_SWITCHED, 4 },
	{ LAST_SWITCHED, 4 },
};

static void v9_template(struct writer *w, uint16_t id,
			const uint16_t (*f)[2], size_t n)
{
	size_t s = set_open(w, 0);	/* Template FlowSet */
	put_u16(w, id);			/* Template ID */
	put_u16(w, (uint16_t)n);	/* Field Count */
	for (size_t i = 0; i < n; i++) {
		put_u16(w, f[i][0]);	/* Field Type */
		put_u16(w, f[i][1]);	/* Field Length */
	}
	set_close(w, s);
}

static void v9_data4(struct writer *w, const char *src, uint32_t octets,
		     uint32_t first, uint32_t last)
{
	put_addr(w, src);
	put_addr(w, "10.50.100.100");
	put_u16(w, 40000);
	put_u16(w, 80);
	put_u8(w, 6);
	put_u8(w, 0x02);
	put_u8(w, 0);
	put_u16(w, 5);
	put_u16(w, 6);
	put_u32(w, octets);
	put_u32(w, 3);
	put_u32(w, first);
	put_u32(w, last);
}

#define NTMPL4 (sizeof v9_tmpl4 / sizeof v9_tmpl4[0])

START_TEST(v9_template_and_data)
{
	struct got g = { 0 };
	struct collector *c = new_collector(&g);
	struct writer w = writer_init(0);
	v9_header(&w, 60000, 1);
	v9_template(&w, 256, v9_tmpl4, NTMPL4);
	static const uint16_t t6[][2] = {
		{ IPV6_SRC_ADDR, 16 }, { IPV6_DST_ADDR, 16 }, { PROTOCOL, 1 },
		{ L4_DST_PORT, 2 }, { IN_BYTES, 8 }, { IN_PKTS, 8 },
	};
	v9_template(&w, 257, t6, 6);
	size_t s = set_open(&w, 256);
	v9_data4(&w, "198.51.100.7", 1500, 50000, 59000);
	v9_data4(&w, "198.51.100.8", 40, 55000, 55000);
	set_close(&w, s);
	s = set_open(&w, 257);
	put_addr(&w, "2001:db8:1::1");
	put_addr(&w, "2001:db8:50::100");
	put_u8(&w, 17);
	put_u16(&w, 53);
	put_u64(&w, 5000000000ull);	/* over 32 bits */
	put_u64(&w, 4);
	set_close(&w, s);
	int64_t hdr_ms = (int64_t)V9_SECS * 1000;
	ck_assert_uint_eq(feed(c, &w, hdr_ms + 1000), 3);
	const struct flow_record *r = &g.r[0];
	ck_assert_str_eq(S(&r->src), "198.51.100.7");
	ck_assert_str_eq(S(&r->dst), "10.50.100.100");
	ck_assert_uint_eq(r->sport, 40000);
	ck_assert_uint_eq(r->dport, 80);
	ck_assert_uint_eq(r->proto, 6);
	ck_assert_uint_eq(r->tcp_flags, 2);
	ck_assert_uint_eq(r->in_if, 5);
	ck_assert_uint_eq(r->out_if, 6);
	ck_assert_uint_eq(r->bytes, 1500);
	ck_assert_uint_eq(r->packets, 3);
	ck_assert_int_eq(r->start_ms, hdr_ms - 10000 + 1000);
	ck_assert_int_eq(r->end_ms, hdr_ms - 1000 + 1000);
	ck_assert_str_eq(S(&g.r[2].src), "2001:db8:1::1");
	ck_assert_str_eq(S(&g.r[2].dst), "2001:db8:50::100");
	ck_assert_uint_eq(g.r[2].bytes, 5000000000ull);
	ck_assert_uint_eq(g.r[2].dport, 53);
	/* No times in the record: the header's. */
	ck_assert_int_eq(g.r[2].start_ms, hdr_ms + 1000);
	ck_assert_uint_eq(collector_exporter_at(c, 0)->ntemplates, 2);
	truncation_sweep_v9(&w, 20);	/* after the 20-octet header */
	writer_free(&w);
	collector_free(c);
}
END_TEST

START_TEST(v9_uptime_wrap)
{
	struct got g = { 0 };
	struct collector *c = new_collector(&g);
	struct writer w = writer_init(0);
	/* sysUpTime wrapped 1000 ms ago; the flow began 4096 ms before. */
	v9_header(&w, 1000, 1);
	v9_template(&w, 256, v9_tmpl4, NTMPL4);
	size_t s = set_open(&w, 256);
	v9_data4(&w, "198.51.100.7", 1500, 0xfffff000u, 500);
	set_close(&w, s);
	int64_t hdr_ms = (int64_t)V9_SECS * 1000;
	ck_assert_uint_eq(feed(c, &w, hdr_ms), 1);
	ck_assert_int_eq(g.r[0].start_ms, hdr_ms - 1000 - 4096);
	ck_assert_int_eq(g.r[0].end_ms, hdr_ms - 500);
	ck_assert_uint_eq(stats(c)->reboots, 0);
	writer_free(&w);
	collector_free(c);
}
END_TEST

START_TEST(v9_data_before_template_and_redefinition)
{
	struct got g = { 0 };
	struct collector *c = new_collector(&g);
	struct writer w = writer_init(0);
	v9_header(&w, 60000, 1);
	size_t s = set_open(&w, 256);
	v9_data4(&w, "198.51.100.7", 1500, 50000, 59000);
	set_close(&w, s);
	ck_assert_uint_eq(feed(c, &w, 0), 0);
	ck_assert_uint_eq(stats(c)->missing_template, 1);

	writer_reset(&w);
	v9_header(&w, 61000, 2);
	v9_template(&w, 256, v9_tmpl4, NTMPL4);
	ck_assert_uint_eq(feed(c, &w, 0), 1);	/* the held set */
	ck_assert_uint_eq(stats(c)->late_records, 1);
	writer_reset(&w);
	v9_header(&w, 62000, 3);
	s = set_open(&w, 256);
	v9_data4(&w, "198.51.100.7", 1500, 50000, 59000);
	set_close(&w, s);
	ck_assert_uint_eq(feed(c, &w, 0), 1);

	/* 256 again with another layout: it replaces the first. */
	static const uint16_t t2[][2] = { { IPV4_DST_ADDR, 4 },
					  { IPV4_SRC_ADDR, 4 },
					  { IN_BYTES, 2 }, { IN_PKTS, 1 } };
	writer_reset(&w);
	v9_header(&w, 63000, 4);
	v9_template(&w, 256, t2, 4);
	s = set_open(&w, 256);
	put_addr(&w, "10.9.9.9");
	put_addr(&w, "192.0.2.200");
	put_u16(&w, 777);
	put_u8(&w, 7);
	set_close(&w, s);
	ck_assert_uint_eq(feed(c, &w, 0), 1);
	ck_assert_str_eq(S(&g.r[2].dst), "10.9.9.9");
	ck_assert_str_eq(S(&g.r[2].src), "192.0.2.200");
	ck_assert_uint_eq(g.r[2].bytes, 777);
	ck_assert_uint_eq(g.r[2].packets, 7);
	ck_assert_uint_eq(collector_exporter_at(c, 0)->ntemplates, 1);
	ck_assert_uint_eq(stats(c)->sequence_gaps, 0);
	writer_free(&w);
	collector_free(c);
}
END_TEST

/* An options template 258: scope system, then the given fields. */
static void v9_options_template(struct writer *w, const uint16_t (*f)[2],
				size_t n)
{
	size_t s = set_open(w, 1);	/* Options Template FlowSet */
	put_u16(w, 258);		/* Template ID */
	put_u16(w, 4);			/* Option Scope Length (octets) */
	put_u16(w, (uint16_t)(4 * n));	/* Option Length (octets) */
	put_u16(w, V9_SCOPE_SYSTEM);
	put_u16(w, 4);
	for (size_t i = 0; i < n; i++) {
		put_u16(w, f[i][0]);
		put_u16(w, f[i][1]);
	}
	set_close(w, s);
}

START_TEST(v9_options_sampling)
{
	struct got g = { 0 };
	struct collector *c = new_collector(&g);
	struct writer w = writer_init(0);
	static const uint16_t opt[][2] = { { SAMPLING_INTERVAL, 4 },
					   { SAMPLING_ALGORITHM, 1 } };
	v9_header(&w, 60000, 1);
	v9_options_template(&w, opt, 2);
	v9_template(&w, 256, v9_tmpl4, NTMPL4);
	size_t s = set_open(&w, 258);
	put_u32(&w, 0);			/* scope: system */
	put_u32(&w, 100);		/* SAMPLING_INTERVAL */
	put_u8(&w, 2);			/* random */
	set_close(&w, s);
	s = set_open(&w, 256);
	v9_data4(&w, "198.51.100.7", 1500, 50000, 59000);
	set_close(&w, s);
	ck_assert_uint_eq(feed(c, &w, 0), 1);
	ck_assert_uint_eq(g.r[0].sampling, 100);
	ck_assert_uint_eq(g.r[0].bytes, 150000);
	ck_assert_uint_eq(g.r[0].packets, 300);

	/* Cisco's sampler table: 48/49/50 in options, 48 in the data. */
	static const uint16_t sampler[][2] = {
		{ FLOW_SAMPLER_ID, 1 }, { FLOW_SAMPLER_MODE, 1 },
		{ FLOW_SAMPLER_RANDOM_INTERVAL, 4 } };
	uint16_t with_id[NTMPL4 + 1][2];
	memcpy(with_id, v9_tmpl4, sizeof v9_tmpl4);
	with_id[NTMPL4][0] = FLOW_SAMPLER_ID;
	with_id[NTMPL4][1] = 1;
	writer_reset(&w);
	v9_header(&w, 61000, 2);
	v9_options_template(&w, sampler, 3);
	v9_template(&w, 259, with_id, NTMPL4 + 1);
	s = set_open(&w, 258);
	put_u32(&w, 0);
	put_u8(&w, 3);			/* sampler 3 */
	put_u8(&w, 2);
	put_u32(&w, 1000);		/* 1 in 1000 */
	set_close(&w, s);
	s = set_open(&w, 259);
	v9_data4(&w, "198.51.100.9", 100, 50000, 59000);
	put_u8(&w, 3);			/* FLOW_SAMPLER_ID */
	set_close(&w, s);
	ck_assert_uint_eq(feed(c, &w, 0), 1);
	ck_assert_uint_eq(g.r[1].sampling, 1000);
	ck_assert_uint_eq(g.r[1].bytes, 100000);
	writer_free(&w);
	collector_free(c);
}
END_TEST

START_TEST(v9_exporter_reboot)
{
	struct got g = { 0 };
	struct collector *c = new_collector(&g);
	struct writer w = writer_init(0);
	v9_header(&w, 3600000, 500);
	v9_template(&w, 256, v9_tmpl4, NTMPL4);
	ck_assert_uint_eq(feed(c, &w, 0), 0);
	ck_assert_uint_eq(collector_exporter_at(c, 0)->ntemplates, 1);
	/* Uptime back to 2 s, sequence from 0: a reboot, not a gap; the
	 * old templates are gone (RFC 3954 §5.2 lifetime of templates). */
	writer_reset(&w);
	v9_header(&w, 2000, 0);
	size_t s = set_open(&w, 256);
	v9_data4(&w, "198.51.100.7", 1500, 1000, 1500);
	set_close(&w, s);
	ck_assert_uint_eq(feed(c, &w, 0), 0);
	ck_assert_uint_eq(stats(c)->reboots, 1);
	ck_assert_uint_eq(stats(c)->missing_template, 1);
	ck_assert_uint_eq(stats(c)->sequence_gaps, 0);
	ck_assert_uint_eq(collector_exporter_at(c, 0)->ntemplates, 0);
	/* A little back (reordered) is no reboot. */
	writer_reset(&w);
	v9_header(&w, 1500, 1);
	v9_template(&w, 256, v9_tmpl4, NTMPL4);
	feed(c, &w, 0);
	ck_assert_uint_eq(stats(c)->reboots, 1);
	ck_assert_uint_eq(collector_exporter_at(c, 0)->ntemplates, 1);
	writer_free(&w);
	collector_free(c);
}
END_TEST

START_TEST(v9_bad_sets)
{
	struct got g = { 0 };
	struct collector *c = new_collector(&g);
	struct writer w = writer_init(0);
	v9_header(&w, 1, 1);
	put_u16(&w, 256);
	put_u16(&w, 3);			/* length below the set header */
	ck_assert_uint_eq(feed(c, &w, 0), 0);
	ck_assert_uint_eq(stats(c)->errors[CERR_SET], 1);
	writer_reset(&w);
	v9_header(&w, 2, 2);
	size_t s = set_open(&w, 0);
	put_u16(&w, 100);		/* template id below 256 */
	put_u16(&w, 1);
	put_u16(&w, IN_BYTES);
	put_u16(&w, 4);
	set_close(&w, s);
	feed(c, &w, 0);
	ck_assert_uint_eq(stats(c)->errors[CERR_TEMPLATE], 1);
	writer_reset(&w);
	put_u16(&w, 8);			/* version 8 */
	put_u16(&w, 0);
	feed(c, &w, 0);
	ck_assert_uint_eq(stats(c)->errors[CERR_VERSION], 1);
	writer_free(&w);
	collector_free(c);
}
END_TEST

/* ---- IPFIX (RFC 7011) ---- */

#define IPFIX_SECS 1700000100u
#define ENTERPRISE_BIT 0x8000
/* IANA information elements. */
enum {
	IE_octetDeltaCount = 1, IE_packetDeltaCount = 2,
	IE_protocolIdentifier = 4, IE_sourceTransportPort = 7,
	IE_sourceIPv4Address = 8, IE_destinationTransportPort = 11,
	IE_destinationIPv4Address = 12, IE_icmpTypeCodeIPv4 = 32,
	IE_flowStartMilliseconds = 152, IE_flowEndMilliseconds = 153,
	IE_flowStartSysUpTime = 22, IE_flowEndSysUpTime = 21,
	IE_systemInitTimeMilliseconds = 160, IE_interfaceName = 82,
	IE_selectorId = 302, IE_samplingPacketInterval = 305,
	IE_samplingPacketSpace = 306,
};

/* Opens a message; returns the offset of its Length. */
static size_t ipfix_open(struct writer *w, uint32_t seq)
{
	put_u16(w, 10);			/* Version */
	size_t len = put_reserve(w, 2);	/* Length */
	put_u32(w, IPFIX_SECS);		/* Export Time */
	put_u32(w, seq);		/* Sequence Number */
	put_u32(w, 42);			/* Observation Domain ID */
	return len;
}

static void ipfix_close(struct writer *w, size_t len_off)
{
	patch_u16(w, len_off, (uint16_t)w->len);
}

/* Template 300: an enterprise field, a variable-length IE between the
 * addresses and the counters, absolute millisecond times. */
static void ipfix_template300(struct writer *w)
{
	size_t s = set_open(w, 2);	/* Template Set */
	put_u16(w, 300);
	put_u16(w, 9);
	put_u16(w, IE_sourceIPv4Address); put_u16(w, 4);
	put_u16(w, IE_destinationIPv4Address); put_u16(w, 4);
	put_u16(w, ENTERPRISE_BIT | 1); put_u16(w, 2);	/* enterprise IE 1 */
	put_u32(w, 29305);				/* its PEN */
	put_u16(w, IE_interfaceName); put_u16(w, 0xffff);	/* variable */
	put_u16(w, IE_protocolIdentifier); put_u16(w, 1);
	put_u16(w, IE_octetDeltaCount); put_u16(w, 4);	/* reduced size */
	put_u16(w, IE_packetDeltaCount); put_u16(w, 8);
	put_u16(w, IE_flowStartMilliseconds); put_u16(w, 8);
	put_u16(w, IE_flowEndMilliseconds); put_u16(w, 8);
	set_close(w, s);
}

static void ipfix_data300(struct writer *w, const char *name)
{
	put_addr(w, "198.51.100.7");
	put_addr(w, "10.50.100.100");
	put_u16(w, 0xbeef);		/* the enterprise field */
	put_u8(w, (uint8_t)strlen(name));	/* short variable length */
	put_bytes(w, name, strlen(name));
	put_u8(w, 17);
	put_u32(w, 2340);
	put_u64(w, 5);
	put_u64(w, 1700000090123ull);
	put_u64(w, 1700000095456ull);
}

START_TEST(ipfix_enterprise_varlen_withdrawal)
{
	struct got g = { 0 };
	struct collector *c = new_collector(&g);
	struct writer w = writer_init(0);
	size_t m = ipfix_open(&w, 0);
	ipfix_template300(&w);
	size_t s = set_open(&w, 300);
	ipfix_data300(&w, "eth0");
	ipfix_data300(&w, "");
	set_close(&w, s);
	ipfix_close(&w, m);
	int64_t export_ms = (int64_t)IPFIX_SECS * 1000;
	ck_assert_uint_eq(feed(c, &w, export_ms + 50), 2);
	ck_assert_str_eq(S(&g.r[0].src), "198.51.100.7");
	ck_assert_uint_eq(g.r[0].proto, 17);
	ck_assert_uint_eq(g.r[0].bytes, 2340);
	ck_assert_uint_eq(g.r[0].packets, 5);
	ck_assert_int_eq(g.r[0].start_ms, 1700000090123ll + 50);
	ck_assert_int_eq(g.r[0].end_ms, 1700000095456ll + 50);
	ck_assert_uint_eq(g.r[1].bytes, 2340);
	truncation_sweep(&w);

	/* A long variable length (255, then 2 octets: RFC 7011 §7). */
	writer_reset(&w);
	m = ipfix_open(&w, 2);
	s = set_open(&w, 300);
	put_addr(&w, "198.51.100.7");
	put_addr(&w, "10.50.100.100");
	put_u16(&w, 0);
	put_u8(&w, 255);
	put_u16(&w, 300);
	for (int i = 0; i < 300; i++)
		put_u8(&w, 'x');
	put_u8(&w, 6);
	put_u32(&w, 99);
	put_u64(&w, 1);
	put_u64(&w, 1700000090000ull);
	put_u64(&w, 1700000090000ull);
	set_close(&w, s);
	ipfix_close(&w, m);
	ck_assert_uint_eq(feed(c, &w, export_ms), 1);
	ck_assert_uint_eq(g.r[2].bytes, 99);
	ck_assert_uint_eq(stats(c)->sequence_gaps, 0);	/* 0 + 2 = 2 */

	/* Withdrawal: template 300 with field count 0 (§8.1). */
	writer_reset(&w);
	m = ipfix_open(&w, 3);
	s = set_open(&w, 2);
	put_u16(&w, 300);
	put_u16(&w, 0);
	set_close(&w, s);
	s = set_open(&w, 300);
	ipfix_data300(&w, "eth0");
	set_close(&w, s);
	ipfix_close(&w, m);
	ck_assert_uint_eq(feed(c, &w, export_ms), 0);
	ck_assert_uint_eq(stats(c)->missing_template, 1);
	ck_assert_uint_eq(collector_exporter_at(c, 0)->ntemplates, 0);

	/* All templates withdrawn at once: template id 2 in set 2. */
	writer_reset(&w);
	m = ipfix_open(&w, 3);
	ipfix_template300(&w);
	s = set_open(&w, 2);
	put_u16(&w, 2);
	put_u16(&w, 0);
	set_close(&w, s);
	ipfix_close(&w, m);
	feed(c, &w, export_ms);
	ck_assert_uint_eq(collector_exporter_at(c, 0)->ntemplates, 0);
	writer_free(&w);
	collector_free(c);
}
END_TEST

START_TEST(ipfix_options_sampling_and_uptime)
{
	struct got g = { 0 };
	struct collector *c = new_collector(&g);
	struct writer w = writer_init(0);
	size_t m = ipfix_open(&w, 0);
	size_t s = set_open(&w, 3);	/* Options Template Set */
	put_u16(&w, 400);
	put_u16(&w, 4);			/* Field Count */
	put_u16(&w, 1);			/* Scope Field Count */
	put_u16(&w, IE_selectorId); put_u16(&w, 2);
	put_u16(&w, IE_samplingPacketInterval); put_u16(&w, 4);
	put_u16(&w, IE_samplingPacketSpace); put_u16(&w, 4);
	put_u16(&w, IE_systemInitTimeMilliseconds); put_u16(&w, 8);
	set_close(&w, s);
	s = set_open(&w, 2);
	put_u16(&w, 401);
	put_u16(&w, 7);
	put_u16(&w, IE_sourceIPv4Address); put_u16(&w, 4);
	put_u16(&w, IE_destinationIPv4Address); put_u16(&w, 4);
	put_u16(&w, IE_icmpTypeCodeIPv4); put_u16(&w, 2);
	put_u16(&w, IE_octetDeltaCount); put_u16(&w, 8);
	put_u16(&w, IE_flowStartSysUpTime); put_u16(&w, 4);
	put_u16(&w, IE_flowEndSysUpTime); put_u16(&w, 4);
	put_u16(&w, IE_selectorId); put_u16(&w, 2);
	set_close(&w, s);
	s = set_open(&w, 400);
	put_u16(&w, 9);			/* selector 9 */
	put_u32(&w, 1);			/* 1 packet sampled … */
	put_u32(&w, 99);		/* … then 99 not: 1 in 100 */
	put_u64(&w, 1699990000000ull);	/* system init */
	set_close(&w, s);
	s = set_open(&w, 401);
	put_addr(&w, "192.0.2.1");
	put_addr(&w, "10.50.100.100");
	put_u16(&w, 8 << 8 | 0);	/* echo request */
	put_u64(&w, 84);
	put_u32(&w, 10000);
	put_u32(&w, 12000);
	put_u16(&w, 9);
	set_close(&w, s);
	ipfix_close(&w, m);
	ck_assert_uint_eq(feed(c, &w, (int64_t)IPFIX_SECS * 1000), 1);
	ck_assert_uint_eq(g.r[0].dport, 0x0800);
	ck_assert_uint_eq(g.r[0].sampling, 100);
	ck_assert_uint_eq(g.r[0].bytes, 8400);
	ck_assert_int_eq(g.r[0].start_ms, 1699990010000ll);
	ck_assert_int_eq(g.r[0].end_ms, 1699990012000ll);
	writer_free(&w);
	collector_free(c);
}
END_TEST

/* The other field types: seconds and NTP times, lengths, fragment flags,
 * 2-octet TCP flags, interfaces, ICMP type and code apart, and sampling
 * from size/population and from a probability. */
START_TEST(ipfix_more_field_types)
{
	struct got g = { 0 };
	struct collector *c = new_collector(&g);
	struct writer w = writer_init(0);
	size_t m = ipfix_open(&w, 0);
	size_t s = set_open(&w, 3);
	put_u16(&w, 402);
	put_u16(&w, 3);
	put_u16(&w, 1);
	put_u16(&w, IE_selectorId); put_u16(&w, 1);
	put_u16(&w, 309); put_u16(&w, 4);	/* samplingSize */
	put_u16(&w, 310); put_u16(&w, 4);	/* samplingPopulation */
	set_close(&w, s);
	s = set_open(&w, 3);
	put_u16(&w, 403);
	put_u16(&w, 2);
	put_u16(&w, 1);
	put_u16(&w, IE_selectorId); put_u16(&w, 1);
	put_u16(&w, 311); put_u16(&w, 8);	/* samplingProbability */
	set_close(&w, s);
	s = set_open(&w, 2);
	put_u16(&w, 404);
	put_u16(&w, 13);
	put_u16(&w, IE_sourceIPv4Address); put_u16(&w, 4);
	put_u16(&w, IE_destinationIPv4Address); put_u16(&w, 4);
	put_u16(&w, 6); put_u16(&w, 2);		/* tcpControlBits */
	put_u16(&w, 10); put_u16(&w, 4);	/* ingressInterface */
	put_u16(&w, 14); put_u16(&w, 4);	/* egressInterface */
	put_u16(&w, 25); put_u16(&w, 2);	/* minimumIpTotalLength */
	put_u16(&w, 26); put_u16(&w, 2);	/* maximumIpTotalLength */
	put_u16(&w, 197); put_u16(&w, 1);	/* fragmentFlags */
	put_u16(&w, 176); put_u16(&w, 1);	/* icmpTypeIPv4 */
	put_u16(&w, 177); put_u16(&w, 1);	/* icmpCodeIPv4 */
	put_u16(&w, 150); put_u16(&w, 4);	/* flowStartSeconds */
	put_u16(&w, 155); put_u16(&w, 8);	/* flowEndMicroseconds */
	put_u16(&w, IE_selectorId); put_u16(&w, 1);
	set_close(&w, s);
	s = set_open(&w, 402);
	put_u8(&w, 1);
	put_u32(&w, 1);			/* 1 of … */
	put_u32(&w, 64);		/* … 64 */
	set_close(&w, s);
	s = set_open(&w, 403);
	put_u8(&w, 2);
	double p = 0.001;		/* 1 in 1000 */
	uint64_t bits;
	memcpy(&bits, &p, sizeof bits);
	put_u64(&w, bits);
	set_close(&w, s);
	s = set_open(&w, 404);
	for (uint8_t sel = 1; sel <= 2; sel++) {
		put_addr(&w, "192.0.2.1");
		put_addr(&w, "10.50.100.100");
		put_u16(&w, 0x0112);	/* NS bit (dropped), SYN|ACK */
		put_u32(&w, 100000);
		put_u32(&w, 200000);
		put_u16(&w, 40);
		put_u16(&w, 1500);
		put_u8(&w, 0x01 | 0x04);	/* DF, more fragments */
		put_u8(&w, 3);		/* destination unreachable */
		put_u8(&w, 4);		/* fragmentation needed */
		put_u32(&w, 1700000000);
		/* NTP: 1700000001.5 s = (1700000001 + 2208988800) . 2^31 */
		put_u32(&w, (uint32_t)(1700000001ull + 2208988800ull));
		put_u32(&w, 0x80000000u);
		put_u8(&w, sel);
	}
	set_close(&w, s);
	ipfix_close(&w, m);
	ck_assert_uint_eq(feed(c, &w, (int64_t)IPFIX_SECS * 1000), 2);
	const struct flow_record *r = &g.r[0];
	ck_assert_uint_eq(r->tcp_flags, 0x12);
	ck_assert_uint_eq(r->in_if, 100000);
	ck_assert_uint_eq(r->out_if, 200000);
	ck_assert_uint_eq(r->pkt_len_min, 40);
	ck_assert_uint_eq(r->pkt_len_max, 1500);
	ck_assert_uint_eq(r->frag, FLOW_FRAG_DF | FLOW_FRAG_IS);
	ck_assert_uint_eq(r->dport, 3 << 8 | 4);
	ck_assert_int_eq(r->start_ms, 1700000000000ll);
	ck_assert_int_eq(r->end_ms, 1700000001500ll);
	ck_assert_uint_eq(r->sampling, 64);
	ck_assert_uint_eq(g.r[1].sampling, 1000);
	writer_free(&w);
	collector_free(c);
}
END_TEST

START_TEST(ipfix_length_and_expiry)
{
	struct got g = { 0 };
	struct collector_config cc;
	collector_config_init(&cc);
	cc.template_timeout_s = 1;
	struct collector *c = collector_new(&cc);
	collector_set_sink(c, keep, &g);
	struct writer w = writer_init(0);
	size_t m = ipfix_open(&w, 0);
	ipfix_template300(&w);
	ipfix_close(&w, m);
	put_u8(&w, 0);			/* one octet past Length */
	feed(c, &w, 0);
	ck_assert_uint_eq(stats(c)->errors[CERR_HEADER], 1);
	w.len--;
	feed(c, &w, 0);
	ck_assert_uint_eq(collector_exporter_at(c, 0)->ntemplates, 1);
	writer_reset(&w);
	m = ipfix_open(&w, 0);
	size_t s = set_open(&w, 300);
	ipfix_data300(&w, "a");
	set_close(&w, s);
	ipfix_close(&w, m);
	ck_assert_uint_eq(feed(c, &w, 1000), 1);	/* within 1 s */
	ck_assert_uint_eq(feed(c, &w, 2500), 0);	/* expired */
	ck_assert_uint_eq(stats(c)->missing_template, 1);
	ck_assert_uint_eq(collector_exporter_at(c, 0)->ntemplates, 0);
	writer_free(&w);
	collector_free(c);
}
END_TEST

START_TEST(template_limit)
{
	struct got g = { 0 };
	struct collector_config cc;
	collector_config_init(&cc);
	cc.max_templates = 2;
	struct collector *c = collector_new(&cc);
	collector_set_sink(c, keep, &g);
	struct writer w = writer_init(0);
	v9_header(&w, 1, 1);
	for (uint16_t id = 256; id < 260; id++)
		v9_template(&w, id, v9_tmpl4, NTMPL4);
	feed(c, &w, 0);
	ck_assert_uint_eq(collector_exporter_at(c, 0)->ntemplates, 2);
	ck_assert_uint_eq(stats(c)->errors[CERR_LIMIT], 2);
	/* A template over TEMPLATE_FIELDS_MAX fields is refused. */
	writer_reset(&w);
	v9_header(&w, 2, 2);
	size_t s = set_open(&w, 0);
	put_u16(&w, 256);
	put_u16(&w, TEMPLATE_FIELDS_MAX + 1);
	for (int i = 0; i <= TEMPLATE_FIELDS_MAX; i++) {
		put_u16(&w, IN_BYTES);
		put_u16(&w, 4);
	}
	set_close(&w, s);
	feed(c, &w, 0);
	ck_assert_uint_eq(stats(c)->errors[CERR_LIMIT], 3);
	writer_free(&w);
	collector_free(c);
}
END_TEST

/* ---- sFlow v5 ---- */

#define SFLOW_FLOW_SAMPLE 1
#define SFLOW_COUNTER_SAMPLE 2
#define SFLOW_EXPANDED_FLOW_SAMPLE 3
#define SFLOW_RAW_HEADER 1
#define SFLOW_SAMPLED_IPV4 3
#define SFLOW_EXT_SWITCH 1001
#define HEADER_ETHERNET 1

static void sflow_header(struct writer *w, bool v6_agent, uint32_t seq,
			 uint32_t uptime, uint32_t nsamples)
{
	put_u32(w, 5);				/* version */
	put_u32(w, v6_agent ? 2 : 1);		/* address type */
	put_addr(w, v6_agent ? "2001:db8::9" : "192.0.2.9");
	put_u32(w, 0);				/* sub agent id */
	put_u32(w, seq);			/* sequence number */
	put_u32(w, uptime);			/* ms */
	put_u32(w, nsamples);
}

/* An Ethernet frame with an 802.1Q tag, IPv4 (total length ip_len) and
 * TCP SYN, cut after the TCP header as agents do. */
static void frame_v4_tcp(struct writer *w, uint16_t ip_len)
{
	static const uint8_t macs[12] = { 2, 0, 0, 0, 0, 2, 2, 0, 0, 0, 0, 1 };
	put_bytes(w, macs, sizeof macs);
	put_u16(w, 0x8100);		/* 802.1Q */
	put_u16(w, 100);		/* VLAN 100 */
	put_u16(w, 0x0800);
	put_u8(w, 0x45);		/* IPv4, 20-octet header */
	put_u8(w, 0x10);		/* TOS */
	put_u16(w, ip_len);		/* total length */
	put_u16(w, 1);			/* identification */
	put_u16(w, 0x4000);		/* DF */
	put_u8(w, 64);
	put_u8(w, 6);			/* TCP */
	put_u16(w, 0);
	put_addr(w, "198.51.100.7");
	put_addr(w, "10.50.100.100");
	put_u16(w, 40000);		/* source port */
	put_u16(w, 80);			/* destination port */
	put_u32(w, 1);			/* sequence */
	put_u32(w, 0);			/* acknowledgment */
	put_u8(w, 5 << 4);		/* data offset */
	put_u8(w, 0x02);		/* SYN */
	put_u16(w, 65535);
	put_u32(w, 0);			/* checksum, urgent */
}

/* IPv6 (payload length plen) with UDP, no link header. */
static void packet_v6_udp(struct writer *w, uint16_t plen)
{
	put_u32(w, 6u << 28);
	put_u16(w, plen);
	put_u8(w, 17);			/* next header: UDP */
	put_u8(w, 64);
	put_addr(w, "2001:db8:1::1");
	put_addr(w, "2001:db8:50::100");
	put_u16(w, 53);
	put_u16(w, 5353);
	put_u16(w, plen);
	put_u16(w, 0);
}

static void raw_header_record(struct writer *w, uint32_t proto,
			      const struct writer *hdr)
{
	put_u32(w, SFLOW_RAW_HEADER);	/* data format */
	size_t len = put_reserve(w, 4);
	size_t start = w->len;
	put_u32(w, proto);		/* header_protocol */
	put_u32(w, (uint32_t)hdr->len + 100);	/* frame_length */
	put_u32(w, 4);			/* stripped (FCS) */
	put_u32(w, (uint32_t)hdr->len);
	put_bytes(w, hdr->data, hdr->len);
	while (w->len % 4)
		put_u8(w, 0);		/* XDR padding */
	patch_u16(w, len + 2, (uint16_t)(w->len - start));
}

START_TEST(sflow_samples)
{
	struct got g = { 0 };
	struct collector *c = new_collector(&g);
	struct writer w = writer_init(0), hdr = writer_init(0);
	sflow_header(&w, true, 1, 50000, 3);

	/* Flow sample: an extended switch record, then the raw header. */
	put_u32(&w, SFLOW_FLOW_SAMPLE);
	size_t len = put_reserve(&w, 4), start = w.len;
	put_u32(&w, 1);			/* sequence number */
	put_u32(&w, 0 << 24 | 7);	/* source id: ifIndex 7 */
	put_u32(&w, 512);		/* sampling rate */
	put_u32(&w, 5120);		/* sample pool */
	put_u32(&w, 0);			/* drops */
	put_u32(&w, 7);			/* input */
	put_u32(&w, 8);			/* output */
	put_u32(&w, 2);			/* flow records */
	put_u32(&w, SFLOW_EXT_SWITCH);
	put_u32(&w, 16);
	for (int i = 0; i < 4; i++)
		put_u32(&w, 0);
	frame_v4_tcp(&hdr, 1500);
	raw_header_record(&w, HEADER_ETHERNET, &hdr);
	patch_u16(&w, len + 2, (uint16_t)(w.len - start));

	/* A counter sample, skipped. */
	put_u32(&w, SFLOW_COUNTER_SAMPLE);
	put_u32(&w, 8);
	put_u32(&w, 1);
	put_u32(&w, 0);

	/* Expanded flow sample with an IPv6 packet header. */
	put_u32(&w, SFLOW_EXPANDED_FLOW_SAMPLE);
	len = put_reserve(&w, 4);
	start = w.len;
	put_u32(&w, 2);			/* sequence number */
	put_u32(&w, 0);			/* source id type */
	put_u32(&w, 7);			/* source id index */
	put_u32(&w, 1000);		/* sampling rate */
	put_u32(&w, 10000);
	put_u32(&w, 0);
	put_u32(&w, 0);			/* input format: ifIndex */
	put_u32(&w, 70000);		/* input value */
	put_u32(&w, 0);
	put_u32(&w, 9);
	put_u32(&w, 1);
	writer_reset(&hdr);
	packet_v6_udp(&hdr, 492);
	raw_header_record(&w, 12, &hdr);	/* header_protocol IPv6 */
	patch_u16(&w, len + 2, (uint16_t)(w.len - start));

	ck_assert_uint_eq(feed(c, &w, 1700000000000ll), 2);
	const struct flow_record *r = &g.r[0];
	ck_assert_str_eq(S(&r->src), "198.51.100.7");
	ck_assert_str_eq(S(&r->dst), "10.50.100.100");
	ck_assert_uint_eq(r->proto, 6);
	ck_assert_uint_eq(r->sport, 40000);
	ck_assert_uint_eq(r->dport, 80);
	ck_assert_uint_eq(r->tcp_flags, 2);
	ck_assert_uint_eq(r->tos, 0x10);
	ck_assert_uint_eq(r->frag, FLOW_FRAG_DF);
	ck_assert_uint_eq(r->sampling, 512);
	ck_assert_uint_eq(r->bytes, 1500u * 512);	/* IP length, not frame */
	ck_assert_uint_eq(r->packets, 512);
	ck_assert_uint_eq(r->in_if, 7);
	ck_assert_uint_eq(r->out_if, 8);
	ck_assert_int_eq(r->start_ms, 1700000000000ll);
	r = &g.r[1];
	ck_assert_str_eq(S(&r->src), "2001:db8:1::1");
	ck_assert_uint_eq(r->proto, 17);
	ck_assert_uint_eq(r->dport, 5353);
	ck_assert_uint_eq(r->bytes, 532u * 1000);
	ck_assert_uint_eq(r->in_if, 70000);
	truncation_sweep(&w);

	/* The next datagram 1 s later on the agent's uptime clock. */
	writer_reset(&w);
	sflow_header(&w, true, 2, 51000, 1);
	put_u32(&w, SFLOW_FLOW_SAMPLE);
	len = put_reserve(&w, 4);
	start = w.len;
	for (int i = 0; i < 7; i++)
		put_u32(&w, i == 2 ? 1 : 0);	/* rate 1 */
	put_u32(&w, 1);
	put_u32(&w, SFLOW_SAMPLED_IPV4);
	put_u32(&w, 32);
	put_u32(&w, 84);		/* length */
	put_u32(&w, 1);			/* protocol ICMP */
	put_addr(&w, "192.0.2.1");
	put_addr(&w, "10.50.100.100");
	put_u32(&w, 0);
	put_u32(&w, 0x0800);
	put_u32(&w, 0);
	put_u32(&w, 0);
	patch_u16(&w, len + 2, (uint16_t)(w.len - start));
	ck_assert_uint_eq(feed(c, &w, 1700000001300ll), 1);
	ck_assert_uint_eq(g.r[2].bytes, 84);
	ck_assert_int_eq(g.r[2].start_ms, 1700000001000ll);	/* offset kept */
	ck_assert_uint_eq(stats(c)->sequence_gaps, 0);
	writer_free(&hdr);
	writer_free(&w);
	collector_free(c);
}
END_TEST

START_TEST(sflow_bad_records)
{
	struct got g = { 0 };
	struct collector *c = new_collector(&g);
	struct writer w = writer_init(0);
	/* A raw header record whose header_length runs past the record. */
	sflow_header(&w, false, 1, 1000, 1);
	put_u32(&w, SFLOW_FLOW_SAMPLE);
	size_t len = put_reserve(&w, 4), start = w.len;
	for (int i = 0; i < 7; i++)
		put_u32(&w, i == 2 ? 1 : 0);
	put_u32(&w, 1);			/* one flow record */
	put_u32(&w, SFLOW_RAW_HEADER);
	put_u32(&w, 16);		/* record length */
	put_u32(&w, HEADER_ETHERNET);
	put_u32(&w, 64);		/* frame_length */
	put_u32(&w, 0);			/* stripped */
	put_u32(&w, 60);		/* header_length: 60 octets, none here */
	patch_u16(&w, len + 2, (uint16_t)(w.len - start));
	ck_assert_uint_eq(feed(c, &w, 0), 0);
	ck_assert_uint_eq(stats(c)->errors[CERR_SAMPLE], 1);
	/* An IPv4 agent address type 3: neither IPv4 nor IPv6. */
	writer_reset(&w);
	put_u32(&w, 5);
	put_u32(&w, 3);
	put_u32(&w, 0);
	ck_assert_uint_eq(feed(c, &w, 0), 0);
	ck_assert_uint_eq(stats(c)->errors[CERR_HEADER], 1);
	writer_free(&w);
	collector_free(c);
}
END_TEST

/* ---- clock, uptime, exporters ---- */

START_TEST(uptime_arithmetic)
{
	ck_assert_int_eq(uptime_to_ms(100000, 5000, 3000), 98000);
	ck_assert_int_eq(uptime_to_ms(100000, 5000, 6000), 101000);
	/* Wrapped between the flow's start and the header. */
	ck_assert_int_eq(uptime_to_ms(100000, 100, 0xffffff00u), 100000 - 356);

	struct exporter e = { 0 };
	struct domain *d = exporter_domain(&e, DOMAIN_V9, 1);
	ck_assert(!domain_uptime(&e, d, 0xfffff000u));
	ck_assert(!domain_uptime(&e, d, 0x00000100u));	/* wrap */
	ck_assert(!domain_uptime(&e, d, 0x000000f0u));	/* reordered */
	ck_assert(!domain_uptime(&e, d, 0x00000001u));	/* reordered */
	ck_assert(!domain_uptime(&e, d, 20000));
	ck_assert(domain_uptime(&e, d, 5000));		/* 15 s back */
	ck_assert_uint_eq(e.stats.reboots, 1);
	exporter_clear(&e);
}
END_TEST

START_TEST(clock_offset)
{
	struct domain d = { 0 };
	domain_clock(&d, 10500, 10000);
	ck_assert_int_eq(d.offset_ms, 500);
	domain_clock(&d, 11900, 11000);		/* larger: not taken */
	ck_assert_int_eq(d.offset_ms, 500);
	domain_clock(&d, 12100, 12000);		/* smaller wins */
	ck_assert_int_eq(d.offset_ms, 100);
	/* The exporter's clock stepped back a minute: take the new one. */
	domain_clock(&d, 13000, 13000 - 60000);
	ck_assert_int_eq(d.offset_ms, 60000);
}
END_TEST

START_TEST(allow_list_and_exporter_limit)
{
	struct got g = { 0 };
	struct collector_config cc;
	collector_config_init(&cc);
	cc.has_allow = true;
	cc.allow = calloc(1, sizeof *cc.allow);
	cc.n_allow = 1;
	ck_assert(prefix_parse(&cc.allow[0].prefix, "192.0.2.0/28", 12));
	cc.allow[0].sampling = 10;
	cc.max_exporters = 1;
	struct collector *c = collector_new(&cc);
	collector_set_sink(c, keep, &g);
	struct writer w = writer_init(0);
	v5_header(&w, 1, 0, 0);
	v5_record(&w, "198.51.100.7", "10.50.100.100", 1, 2, 6, 1, 40);
	struct addr in = A("192.0.2.9"), in2 = A("192.0.2.10"),
		    out = A("192.0.2.99");
	ck_assert_uint_eq(collector_input(c, &in, w.data, w.len, 0), 1);
	ck_assert_uint_eq(g.r[0].sampling, 10);		/* the override */
	ck_assert_uint_eq(g.r[0].bytes, 400);
	ck_assert_uint_eq(collector_input(c, &out, w.data, w.len, 0), 0);
	ck_assert_uint_eq(collector_input(c, &in2, w.data, w.len, 0), 0);
	struct collector_totals t;
	collector_get_totals(c, &t);
	ck_assert_uint_eq(t.not_allowed, 1);
	ck_assert_uint_eq(t.over_exporter_limit, 1);
	ck_assert_uint_eq(collector_exporter_count(c), 1);
	writer_free(&w);
	collector_free(c);
}
END_TEST

/* An allow-list of the given prefixes, sampling overrides 0. */
static void allow(struct collector_config *cc, const char *const *p,
		  size_t n)
{
	cc->has_allow = true;
	cc->allow = calloc(n, sizeof *cc->allow);
	ck_assert_ptr_nonnull(cc->allow);
	cc->n_allow = n;
	for (size_t i = 0; i < n; i++)
		ck_assert(prefix_parse(&cc->allow[i].prefix, p[i],
				       strlen(p[i])));
}

/* Reload: the v9 exporter that stays allowed decodes data with the
 * template it sent before (RFC 3954 §5: data needs its template, which
 * is not resent) under its new sampling override; the one taken off the
 * list loses its state and is counted as not allowed. */
START_TEST(reconfigure_keeps_state)
{
	struct got g = { 0 };
	struct collector_config cc;
	collector_config_init(&cc);
	static const char *const before[] = { EXPORTER, "192.0.2.20" };
	allow(&cc, before, 2);
	struct collector *c = collector_new(&cc);
	ck_assert_ptr_nonnull(c);
	collector_set_sink(c, keep, &g);
	int64_t now = (int64_t)V9_SECS * 1000 + 1000;
	struct writer w = writer_init(0);
	v9_header(&w, 60000, 1);
	v9_template(&w, 256, v9_tmpl4, NTMPL4);
	size_t s = set_open(&w, 256);
	v9_data4(&w, "198.51.100.7", 1500, 50000, 59000);
	set_close(&w, s);
	ck_assert_uint_eq(feed(c, &w, now), 1);
	struct writer v5 = writer_init(0);
	v5_header(&v5, 1, 0, 0);
	v5_record(&v5, "198.51.100.7", "10.50.100.100", 1, 2, 6, 1, 40);
	struct addr other = A("192.0.2.20");
	ck_assert_uint_eq(collector_input(c, &other, v5.data, v5.len, now), 1);
	ck_assert_uint_eq(collector_exporter_count(c), 2);

	collector_config_init(&cc);
	static const char *const after[] = { EXPORTER };
	allow(&cc, after, 1);
	cc.allow[0].sampling = 100;
	cc.max_templates = 8;
	struct collector_reconfigured r;
	ck_assert(collector_reconfigure(c, &cc, &r));
	ck_assert_ptr_null(cc.allow);		/* taken */
	ck_assert_uint_eq(r.kept, 1);
	ck_assert_uint_eq(r.dropped, 1);
	ck_assert_uint_eq(collector_config(c)->max_templates, 8);
	ck_assert_uint_eq(collector_exporter_count(c), 1);
	ck_assert_str_eq(S(&collector_exporter_at(c, 0)->addr), EXPORTER);

	/* Data only, the next sequence number: decoded at once. */
	writer_reset(&w);
	v9_header(&w, 61000, 2);
	s = set_open(&w, 256);
	v9_data4(&w, "198.51.100.9", 40, 60000, 60500);
	set_close(&w, s);
	g.n = 0;
	ck_assert_uint_eq(feed(c, &w, now + 1000), 1);
	ck_assert_str_eq(S(&g.r[0].src), "198.51.100.9");
	ck_assert_uint_eq(g.r[0].sampling, 100);
	ck_assert_uint_eq(g.r[0].bytes, 4000);
	ck_assert_uint_eq(g.r[0].packets, 300);
	/* Same header seconds, arriving 1 s later: the clock offset kept
	 * is the smaller first one (a new one would put it 1 s later). */
	ck_assert_int_eq(g.r[0].end_ms, now - 500);
	ck_assert_uint_eq(stats(c)->records, 2);	/* counters kept */
	ck_assert_uint_eq(stats(c)->missing_template, 0);
	ck_assert_uint_eq(stats(c)->sequence_gaps, 0);

	/* The dropped one: not allowed, no state made for it. */
	ck_assert_uint_eq(collector_input(c, &other, v5.data, v5.len, now), 0);
	struct collector_totals t;
	collector_get_totals(c, &t);
	ck_assert_uint_eq(t.not_allowed, 1);
	ck_assert_uint_eq(collector_exporter_count(c), 1);

	/* A lower max_exporters keeps the first seen; a wider list lets
	 * the dropped one back in, as a new exporter. */
	collector_config_init(&cc);
	static const char *const all[] = { "192.0.2.0/24" };
	allow(&cc, all, 1);
	ck_assert(collector_reconfigure(c, &cc, &r));
	ck_assert_uint_eq(collector_input(c, &other, v5.data, v5.len, now), 1);
	ck_assert_uint_eq(collector_exporter_count(c), 2);
	collector_config_init(&cc);
	cc.max_exporters = 1;
	ck_assert(collector_reconfigure(c, &cc, &r));
	ck_assert_uint_eq(r.kept, 1);
	ck_assert_uint_eq(r.dropped, 1);
	ck_assert_str_eq(S(&collector_exporter_at(c, 0)->addr), EXPORTER);
	ck_assert_uint_eq(collector_exporter_at(c, 0)->ntemplates, 1);
	writer_free(&v5);
	writer_free(&w);
	collector_free(c);
}
END_TEST

/* ---- data before its template, held (bgpd/collector/hold.h) ---- */

/* Every set held is decoded, dropped or still held. */
static void held_balance(const struct collector *c, size_t i)
{
	const struct exporter *e = collector_exporter_at(c, i);
	ck_assert_uint_eq(e->stats.held, e->stats.held_decoded +
			  e->stats.held_dropped + e->hold.count);
}

/* w := a v9 datagram with one data set for template id, one record
 * from src (its flow 10 s to 1 s before the header's uptime). */
static void v9_data_only(struct writer *w, uint32_t uptime, uint32_t seq,
			 uint16_t id, const char *src)
{
	writer_reset(w);
	v9_header(w, uptime, seq);
	size_t s = set_open(w, id);
	v9_data4(w, src, 1500, uptime - 10000, uptime - 1000);
	set_close(w, s);
}

/* Data can come before its template (as a restarted
 * collector sees it). It is held and decoded when the template comes,
 * with its own datagram's times: header 1 (uptime 60000 at V9_SECS,
 * arriving 1 s later) puts a flow of uptime 50000-59000 at 10 s to 1 s
 * before V9_SECS, plus that 1 s offset; the template's datagram (30 s
 * later, its uptime 5 s ahead of that pace, arriving 0.5 s after its
 * export time, a smaller offset) changes neither. The options data sent
 * with the template (1 in 10) applies to them. */
START_TEST(v9_held_until_template)
{
	struct got g = { 0 };
	struct collector *c = new_collector(&g);
	struct writer w = writer_init(0);
	int64_t hdr1 = (int64_t)V9_SECS * 1000, hdr2 = hdr1 + 30000;
	v9_header_at(&w, 60000, V9_SECS, 1);
	size_t s = set_open(&w, 256);
	v9_data4(&w, "198.51.100.7", 1500, 50000, 59000);
	v9_data4(&w, "198.51.100.8", 40, 55000, 55000);
	set_close(&w, s);
	ck_assert_uint_eq(feed(c, &w, hdr1 + 1000), 0);
	ck_assert_uint_eq(stats(c)->missing_template, 1);
	ck_assert_uint_eq(stats(c)->held, 1);
	ck_assert_uint_eq(collector_exporter_at(c, 0)->hold.count, 1);

	static const uint16_t opt[][2] = { { SAMPLING_INTERVAL, 4 },
					   { SAMPLING_ALGORITHM, 1 } };
	writer_reset(&w);
	v9_header_at(&w, 95000, V9_SECS + 30, 2);
	v9_template(&w, 256, v9_tmpl4, NTMPL4);
	s = set_open(&w, 256);
	v9_data4(&w, "198.51.100.9", 100, 94000, 94500);
	set_close(&w, s);
	v9_options_template(&w, opt, 2);
	s = set_open(&w, 258);
	put_u32(&w, 0);			/* scope: system */
	put_u32(&w, 10);		/* SAMPLING_INTERVAL */
	put_u8(&w, 2);			/* random */
	set_close(&w, s);
	ck_assert_uint_eq(feed(c, &w, hdr2 + 500), 3);
	/* Its own record first, on its own times (offset now 500). */
	ck_assert_str_eq(S(&g.r[0].src), "198.51.100.9");
	ck_assert_int_eq(g.r[0].start_ms, hdr2 - 1000 + 500);
	/* Then the held ones, in order, on datagram 1's times. */
	ck_assert_str_eq(S(&g.r[1].src), "198.51.100.7");
	ck_assert_int_eq(g.r[1].start_ms, hdr1 - 10000 + 1000);
	ck_assert_int_eq(g.r[1].end_ms, hdr1 - 1000 + 1000);
	ck_assert_uint_eq(g.r[1].sampling, 10);
	ck_assert_uint_eq(g.r[1].bytes, 15000);
	ck_assert_uint_eq(g.r[1].packets, 30);
	ck_assert_str_eq(S(&g.r[2].src), "198.51.100.8");
	ck_assert_int_eq(g.r[2].start_ms, hdr1 - 5000 + 1000);
	ck_assert_int_eq(g.r[2].end_ms, hdr1 - 5000 + 1000);
	ck_assert_uint_eq(stats(c)->held_decoded, 1);
	ck_assert_uint_eq(stats(c)->late_records, 2);
	ck_assert_uint_eq(stats(c)->records, 3);
	ck_assert_uint_eq(stats(c)->held_dropped, 0);
	ck_assert_uint_eq(stats(c)->sequence_gaps, 0);
	ck_assert_uint_eq(collector_exporter_at(c, 0)->hold.count, 0);
	held_balance(c, 0);
	writer_free(&w);
	collector_free(c);
}
END_TEST

/* The hold's bounds: a held set is charged its octets (a v9_data4 set:
 * 35 + 1 of padding) and HOLD_SET_OVERHEAD; over an exporter's share its
 * own oldest sets make room, over the total too (never another
 * exporter's); a set bigger than the share is not kept; every drop is
 * counted; an exporter dropped by a reload gives its octets back. */
START_TEST(hold_limits)
{
	struct got g = { 0 };
	struct collector_config cc;
	collector_config_init(&cc);
	size_t one = 36 + HOLD_SET_OVERHEAD;
	cc.hold_octets = 2 * one;
	cc.hold_total_octets = 3 * one;
	struct collector *c = collector_new(&cc);
	collector_set_sink(c, keep, &g);
	struct writer w = writer_init(0);
	static const char *const src[] = { "198.51.100.1", "198.51.100.2",
					   "198.51.100.3" };
	for (uint32_t i = 0; i < 3; i++) {
		v9_data_only(&w, 60000 + 1000 * i, 1 + i, 256, src[i]);
		ck_assert_uint_eq(feed(c, &w, 1000 * i), 0);
	}
	ck_assert_uint_eq(stats(c)->held, 3);
	ck_assert_uint_eq(stats(c)->held_dropped, 1);	/* the first */
	ck_assert_uint_eq(collector_exporter_at(c, 0)->hold.count, 2);

	/* Exporter 2 has room for one (3 in all): its second set pushes
	 * out its own first, not exporter 1's. */
	v9_data_only(&w, 60000, 1, 256, "198.51.100.4");
	ck_assert_uint_eq(feed_from(c, "192.0.2.10", &w, 3000), 0);
	v9_data_only(&w, 61000, 2, 256, "198.51.100.5");
	ck_assert_uint_eq(feed_from(c, "192.0.2.10", &w, 3000), 0);
	const struct exporter *e2 = collector_exporter_at(c, 1);
	ck_assert_uint_eq(e2->stats.held, 2);
	ck_assert_uint_eq(e2->stats.held_dropped, 1);
	ck_assert_uint_eq(e2->hold.count, 1);
	ck_assert_uint_eq(collector_exporter_at(c, 0)->hold.count, 2);

	/* Exporter 1's template: its two, oldest first. */
	writer_reset(&w);
	v9_header(&w, 63000, 4);
	v9_template(&w, 256, v9_tmpl4, NTMPL4);
	ck_assert_uint_eq(feed(c, &w, 4000), 2);
	ck_assert_str_eq(S(&g.r[0].src), "198.51.100.2");
	ck_assert_str_eq(S(&g.r[1].src), "198.51.100.3");

	/* Over the share on its own: not kept. */
	writer_reset(&w);
	v9_header(&w, 64000, 5);
	size_t s = set_open(&w, 257);
	for (int i = 0; i < 5; i++)
		v9_data4(&w, "198.51.100.6", 40, 60000, 61000);
	set_close(&w, s);
	ck_assert_uint_eq(feed(c, &w, 5000), 0);
	ck_assert_uint_eq(stats(c)->held, 4);
	ck_assert_uint_eq(stats(c)->held_dropped, 2);
	held_balance(c, 0);
	held_balance(c, 1);

	/* Exporter 1 fills its share again (3 in all with exporter 2's);
	 * a reload drops exporter 2, then exporter 3 has room. */
	for (uint32_t i = 0; i < 2; i++) {
		v9_data_only(&w, 65000 + 1000 * i, 6 + i, 257, src[i]);
		ck_assert_uint_eq(feed(c, &w, 6000), 0);
	}
	ck_assert_uint_eq(stats(c)->held_dropped, 2);
	collector_config_init(&cc);
	static const char *const list[] = { EXPORTER, "192.0.2.11" };
	allow(&cc, list, 2);
	cc.hold_octets = 2 * one;
	cc.hold_total_octets = 3 * one;
	struct collector_reconfigured r;
	ck_assert(collector_reconfigure(c, &cc, &r));
	ck_assert_uint_eq(r.dropped, 1);
	v9_data_only(&w, 60000, 1, 256, "198.51.100.7");
	ck_assert_uint_eq(feed_from(c, "192.0.2.11", &w, 7000), 0);
	const struct exporter *e3 = collector_exporter_at(c, 1);
	ck_assert_str_eq(S(&e3->addr), "192.0.2.11");
	ck_assert_uint_eq(e3->stats.held_dropped, 0);
	ck_assert_uint_eq(e3->hold.count, 1);
	ck_assert_uint_eq(collector_exporter_at(c, 0)->hold.count, 2);
	held_balance(c, 0);
	writer_free(&w);
	collector_free(c);
}
END_TEST

/* A held set waits COLLECTOR_HOLD_AGE_MAX seconds at most, or the
 * template timeout when that is shorter; then it is dropped, counted. */
START_TEST(hold_expiry)
{
	struct got g = { 0 };
	struct collector *c = new_collector(&g);
	struct writer w = writer_init(0);
	int64_t max_ms = COLLECTOR_HOLD_AGE_MAX * 1000;
	v9_data_only(&w, 60000, 1, 256, "198.51.100.1");
	ck_assert_uint_eq(feed(c, &w, 0), 0);
	v9_data_only(&w, 61000, 2, 256, "198.51.100.2");
	ck_assert_uint_eq(feed(c, &w, max_ms), 0);	/* the first: in time */
	ck_assert_uint_eq(stats(c)->held_dropped, 0);
	v9_data_only(&w, 62000, 3, 256, "198.51.100.3");
	ck_assert_uint_eq(feed(c, &w, max_ms + 1), 0);	/* the first: too old */
	ck_assert_uint_eq(stats(c)->held_dropped, 1);
	writer_reset(&w);
	v9_header(&w, 63000, 4);
	v9_template(&w, 256, v9_tmpl4, NTMPL4);
	ck_assert_uint_eq(feed(c, &w, max_ms + 2), 2);
	ck_assert_str_eq(S(&g.r[0].src), "198.51.100.2");
	held_balance(c, 0);
	collector_free(c);

	struct collector_config cc;
	collector_config_init(&cc);
	cc.template_timeout_s = 5;
	c = collector_new(&cc);
	collector_set_sink(c, keep, &g);
	v9_data_only(&w, 60000, 1, 256, "198.51.100.1");
	ck_assert_uint_eq(feed(c, &w, 0), 0);
	writer_reset(&w);
	v9_header(&w, 65001, 2);
	v9_template(&w, 256, v9_tmpl4, NTMPL4);
	ck_assert_uint_eq(feed(c, &w, 5001), 0);
	ck_assert_uint_eq(stats(c)->held_dropped, 1);
	ck_assert_uint_eq(stats(c)->held_decoded, 0);
	held_balance(c, 0);
	writer_free(&w);
	collector_free(c);
}
END_TEST

/* An exporter reboot (uptime back) drops what was held: it was sent
 * under the templates of before. Data held after it still decodes, here
 * a set that comes before its template in the same datagram. */
START_TEST(hold_dropped_on_reboot)
{
	struct got g = { 0 };
	struct collector *c = new_collector(&g);
	struct writer w = writer_init(0);
	v9_data_only(&w, 3600000, 500, 256, "198.51.100.1");
	ck_assert_uint_eq(feed(c, &w, 0), 0);
	writer_reset(&w);
	v9_header(&w, 20000, 0);
	size_t s = set_open(&w, 256);
	v9_data4(&w, "198.51.100.2", 1500, 10000, 19000);
	set_close(&w, s);
	v9_template(&w, 256, v9_tmpl4, NTMPL4);
	ck_assert_uint_eq(feed(c, &w, 1000), 1);
	ck_assert_str_eq(S(&g.r[0].src), "198.51.100.2");
	ck_assert_uint_eq(stats(c)->reboots, 1);
	ck_assert_uint_eq(stats(c)->held, 2);
	ck_assert_uint_eq(stats(c)->held_dropped, 1);
	ck_assert_uint_eq(stats(c)->held_decoded, 1);
	ck_assert_uint_eq(stats(c)->late_records, 1);
	ck_assert_uint_eq(stats(c)->missing_template, 2);
	held_balance(c, 0);
	writer_free(&w);
	collector_free(c);
}
END_TEST

/* IPFIX (RFC 7011 §8): data before its template is held and decoded on
 * its own message's clock offset; the sequence number, which counts
 * records, takes a new base after a message whose records could not be
 * counted (no gap). A withdrawal of the id, or of all, drops what is held
 * for it (sent under the withdrawn template). */
START_TEST(ipfix_held_and_withdrawn)
{
	struct got g = { 0 };
	struct collector *c = new_collector(&g);
	struct writer w = writer_init(0);
	int64_t export_ms = (int64_t)IPFIX_SECS * 1000;
	size_t m = ipfix_open(&w, 0);
	size_t s = set_open(&w, 300);
	ipfix_data300(&w, "eth0");
	ipfix_data300(&w, "");
	set_close(&w, s);
	ipfix_close(&w, m);
	ck_assert_uint_eq(feed(c, &w, export_ms + 50), 0);
	ck_assert_uint_eq(stats(c)->held, 1);
	writer_reset(&w);
	m = ipfix_open(&w, 2);		/* 2 records sent before */
	ipfix_template300(&w);
	ipfix_close(&w, m);
	ck_assert_uint_eq(feed(c, &w, export_ms + 20), 2);
	ck_assert_int_eq(g.r[0].start_ms, 1700000090123ll + 50);
	ck_assert_int_eq(g.r[0].end_ms, 1700000095456ll + 50);
	ck_assert_uint_eq(g.r[1].bytes, 2340);
	ck_assert_uint_eq(stats(c)->late_records, 2);
	ck_assert_uint_eq(stats(c)->sequence_gaps, 0);

	/* Held for 301, then 301 withdrawn: dropped, not decoded with the
	 * 301 defined next. */
	writer_reset(&w);
	m = ipfix_open(&w, 2);
	s = set_open(&w, 301);
	ipfix_data300(&w, "eth1");
	set_close(&w, s);
	ipfix_close(&w, m);
	ck_assert_uint_eq(feed(c, &w, export_ms), 0);
	writer_reset(&w);
	m = ipfix_open(&w, 3);
	s = set_open(&w, 2);
	put_u16(&w, 301);		/* Template ID */
	put_u16(&w, 0);			/* Field Count 0: withdrawn */
	set_close(&w, s);
	ipfix_close(&w, m);
	feed(c, &w, export_ms);
	ck_assert_uint_eq(stats(c)->held_dropped, 1);
	ck_assert_uint_eq(collector_exporter_at(c, 0)->hold.count, 0);

	/* Held for 302, then all templates withdrawn (id 2 in set 2). */
	writer_reset(&w);
	m = ipfix_open(&w, 3);
	s = set_open(&w, 302);
	ipfix_data300(&w, "eth2");
	set_close(&w, s);
	ipfix_close(&w, m);
	feed(c, &w, export_ms);
	writer_reset(&w);
	m = ipfix_open(&w, 3);
	s = set_open(&w, 2);
	put_u16(&w, 2);
	put_u16(&w, 0);
	set_close(&w, s);
	ipfix_close(&w, m);
	feed(c, &w, export_ms);
	ck_assert_uint_eq(stats(c)->held_dropped, 2);
	ck_assert_uint_eq(stats(c)->held_decoded, 1);
	ck_assert_uint_eq(stats(c)->records, 2);
	held_balance(c, 0);
	writer_free(&w);
	collector_free(c);
}
END_TEST

/* ---- listeners and the service on reload (loopback sockets) ---- */

static int64_t fixed_ms(void)
{
	return (int64_t)V5_SECS * 1000;
}

/* A UDP socket bound to 127.0.0.1 on a port the system picks; *port is
 * set to it. */
static int bound_socket(uint16_t *port)
{
	int fd = socket(AF_INET, SOCK_DGRAM, 0);
	struct sockaddr_in sin = { .sin_family = AF_INET,
				   .sin_addr.s_addr = htonl(INADDR_LOOPBACK) };
	socklen_t len = sizeof sin;
	ck_assert_int_ge(fd, 0);
	ck_assert_int_eq(bind(fd, (struct sockaddr *)&sin, sizeof sin), 0);
	ck_assert_int_eq(getsockname(fd, (struct sockaddr *)&sin, &len), 0);
	*port = ntohs(sin.sin_port);
	return fd;
}

static uint16_t free_port(void)
{
	uint16_t port;
	close(bound_socket(&port));
	return port;
}

/* The collector object text, parsed and checked. */
static json_t *object(const char *text)
{
	json_error_t je;
	json_t *o = json_loads(text, 0, &je);
	ck_assert_msg(o != NULL, "%s: %s", text, je.text);
	struct collector_config cc;
	ck_assert(collector_config_parse(&cc, o, NULL, NULL));
	collector_config_clear(&cc);
	return o;
}

static void update(struct collector_net *n, const char *text, bool want,
		   char *err, size_t errlen)
{
	json_t *o = object(text);
	struct collector_config cc;
	ck_assert(collector_config_parse(&cc, o, NULL, NULL));
	ck_assert_int_eq(collector_net_update(n, &cc, err, errlen), want);
	collector_config_clear(&cc);
	json_decref(o);
}

/* One NetFlow v5 datagram with one record to 127.0.0.1:port. */
static void send_v5(uint16_t port)
{
	struct writer w = writer_init(0);
	v5_header(&w, 1, 0, 0);
	v5_record(&w, "198.51.100.7", "10.50.100.100", 1, 2, 6, 1, 40);
	int fd = socket(AF_INET, SOCK_DGRAM, 0);
	struct sockaddr_in to = { .sin_family = AF_INET,
				  .sin_port = htons(port),
				  .sin_addr.s_addr = htonl(INADDR_LOOPBACK) };
	ck_assert_int_eq(sendto(fd, w.data, w.len, 0, (struct sockaddr *)&to,
				sizeof to), (ssize_t)w.len);
	close(fd);
	writer_free(&w);
}

/* Runs the loop until c has had `packets` datagrams (at most ~2 s). */
static void pump(struct event_base *base, const struct collector *c,
		 uint64_t packets)
{
	struct collector_totals t;
	for (int i = 0; i < 400; i++) {
		event_base_loop(base, EVLOOP_NONBLOCK);
		collector_get_totals(c, &t);
		if (t.packets >= packets)
			break;
		usleep(5000);
	}
	ck_assert_uint_eq(t.packets, packets);
}

START_TEST(listeners_update)
{
	struct event_base *base = event_base_new();
	uint16_t p1 = free_port(), p3 = free_port(), p2;
	int busy = bound_socket(&p2);
	char text[256], err[256];
	snprintf(text, sizeof text, "{\"netflow\": \"127.0.0.1:%u\"}", p1);
	json_t *o = object(text);
	struct collector_config cc;
	ck_assert(collector_config_parse(&cc, o, NULL, NULL));
	json_decref(o);
	struct got g = { 0 };
	struct collector *c = collector_new(&cc);
	collector_set_sink(c, keep, &g);
	struct collector_net *n = collector_net_new(base, c, fixed_ms, err,
						    sizeof err);
	ck_assert_msg(n != NULL, "%s", err);
	send_v5(p1);			/* queued on p1 across the updates */

	/* p2 is taken: refused, naming it; p1 stays. */
	snprintf(text, sizeof text, "{\"netflow\": [\"127.0.0.1:%u\", "
		 "\"127.0.0.1:%u\"]}", p1, p2);
	update(n, text, false, err, sizeof err);
	char want[128];
	snprintf(want, sizeof want, "netflow listener 127.0.0.1 port %u: %s",
		 p2, strerror(EADDRINUSE));
	ck_assert_str_eq(err, want);
	ck_assert_uint_eq(collector_net_count(n), 1);

	/* p1 kept (relabelled), p3 added, a new socket buffer. */
	snprintf(text, sizeof text, "{\"ipfix\": \"127.0.0.1:%u\", "
		 "\"sflow\": \"127.0.0.1:%u\", \"socket_buffer\": "
		 "1048576}", p1, p3);
	update(n, text, true, err, sizeof err);
	ck_assert_uint_eq(collector_net_count(n), 2);
	pump(base, c, 1);		/* the datagram sent before: not lost */
	ck_assert_uint_eq(g.n, 1);
	struct listener_stats st;
	collector_net_stats(n, 0, &st);
	ck_assert_int_eq(st.cfg->proto, COLLECTOR_IPFIX);
	ck_assert_uint_eq(st.cfg->port, p1);
	ck_assert_uint_eq(st.datagrams, 1);
	send_v5(p3);
	pump(base, c, 2);
	collector_net_stats(n, 1, &st);
	ck_assert_uint_eq(st.cfg->port, p3);
	ck_assert_uint_eq(st.datagrams, 1);

	/* p1 dropped: closed, so it can be bound again. */
	snprintf(text, sizeof text, "{\"sflow\": \"127.0.0.1:%u\"}", p3);
	update(n, text, true, err, sizeof err);
	ck_assert_uint_eq(collector_net_count(n), 1);
	struct addr lo = A("127.0.0.1");
	int fd = udp_bind(&lo, p1, 0, err, sizeof err);
	ck_assert_msg(fd >= 0, "%s", err);
	close(fd);
	close(busy);
	collector_net_free(n);
	collector_free(c);
	event_base_free(base);
}
END_TEST

START_TEST(service_reload)
{
	struct event_base *base = event_base_new();
	uint16_t p1 = free_port(), p2;
	int busy = bound_socket(&p2);
	char text[256], err[256] = "";
	struct collector_service *s = NULL;
	ck_assert(collector_service_reload(&s, base, NULL, fixed_ms, err,
					   sizeof err));
	ck_assert_ptr_null(s);

	/* Added: started. */
	snprintf(text, sizeof text, "{\"netflow\": \"127.0.0.1:%u\", "
		 "\"exporters\": [\"127.0.0.1\"]}", p1);
	json_t *o = object(text);
	ck_assert(collector_service_reload(&s, base, o, fixed_ms, err,
					   sizeof err));
	json_decref(o);
	ck_assert_ptr_nonnull(s);
	struct collector_service *was = s;
	struct collector *c = collector_service_core(s);
	send_v5(p1);
	pump(base, c, 1);
	ck_assert_uint_eq(collector_exporter_count(c), 1);

	/* A listener that cannot be bound: refused, nothing changed (the
	 * exporters list of the refused object is not applied either). */
	snprintf(text, sizeof text, "{\"netflow\": [\"127.0.0.1:%u\", "
		 "\"127.0.0.1:%u\"], \"exporters\": [\"192.0.2.1\"]}",
		 p1, p2);
	o = object(text);
	ck_assert(!collector_service_reload(&s, base, o, fixed_ms, err,
					    sizeof err));
	json_decref(o);
	ck_assert_ptr_nonnull(strstr(err, "Address already in use"));
	ck_assert_ptr_eq(s, was);
	ck_assert_uint_eq(collector_exporter_count(c), 1);
	send_v5(p1);
	pump(base, c, 2);
	struct collector_totals t;
	collector_get_totals(c, &t);
	ck_assert_uint_eq(t.records, 2);

	/* The same object but 127.0.0.1 off the list: in place, the
	 * exporter dropped, its datagrams counted. */
	snprintf(text, sizeof text, "{\"netflow\": \"127.0.0.1:%u\", "
		 "\"exporters\": [\"192.0.2.1\"]}", p1);
	o = object(text);
	ck_assert(collector_service_reload(&s, base, o, fixed_ms, err,
					   sizeof err));
	json_decref(o);
	ck_assert_ptr_eq(s, was);
	ck_assert_uint_eq(collector_exporter_count(c), 0);
	send_v5(p1);
	pump(base, c, 3);
	collector_get_totals(c, &t);
	ck_assert_uint_eq(t.not_allowed, 1);
	ck_assert_uint_eq(t.records, 2);

	/* Removed: stopped. */
	ck_assert(collector_service_reload(&s, base, NULL, fixed_ms, err,
					   sizeof err));
	ck_assert_ptr_null(s);
	close(busy);
	event_base_free(base);
}
END_TEST

/* ---- the config object ---- */

struct errs {
	char lines[8][160];
	size_t n;
};

static void on_error(void *arg, const char *key, size_t index,
		     const char *msg)
{
	struct errs *e = arg;
	ck_assert_uint_lt(e->n, 8);
	if (index == SIZE_MAX)
		snprintf(e->lines[e->n++], 160, "%s: %s", key, msg);
	else
		snprintf(e->lines[e->n++], 160, "%s[%zu]: %s", key, index, msg);
}

START_TEST(config_object)
{
	json_error_t je;
	json_t *ok = json_loads(
		"{\"netflow\": \"127.0.0.1:2055\", \"sflow\": [\"[::1]\"],"
		" \"exporters\": [\"192.0.2.9\", {\"prefix\": \"10.0.0.0/8\","
		" \"sampling\": 100}], \"max_templates\": 10}", 0, &je);
	struct collector_config cc;
	struct errs e = { 0 };
	ck_assert(collector_config_parse(&cc, ok, on_error, &e));
	ck_assert_uint_eq(cc.n_listen, 2);
	ck_assert_uint_eq(cc.listen[0].port, 2055);
	ck_assert_uint_eq(cc.listen[1].port, COLLECTOR_PORT_SFLOW);
	ck_assert_int_eq(cc.listen[1].proto, COLLECTOR_SFLOW);
	ck_assert(cc.has_allow);
	struct addr a = A("10.1.2.3");
	ck_assert_uint_eq(collector_config_allowed(&cc, &a)->sampling, 100);
	a = A("192.0.2.10");
	ck_assert_ptr_null(collector_config_allowed(&cc, &a));
	ck_assert_uint_eq(cc.max_templates, 10);
	collector_config_clear(&cc);
	json_decref(ok);

	json_t *bad = json_loads(
		"{\"ipfix\": 4739, \"exporters\": [\"10.0.0.1/8\", {}],"
		" \"max_exporters\": 0, \"nope\": 1}", 0, &je);
	ck_assert(!collector_config_parse(&cc, bad, on_error, &e));
	ck_assert_uint_eq(e.n, 5);
	ck_assert_str_eq(e.lines[0], "ipfix: must be \"ADDR:PORT\", not an "
				     "integer");
	ck_assert_ptr_nonnull(strstr(e.lines[1], "exporters[0]: '10.0.0.1/8'"));
	ck_assert_str_eq(e.lines[2], "exporters[1]: prefix is required");
	ck_assert_str_eq(e.lines[3], "max_exporters: must be an integer "
				     "1..65536");
	ck_assert_ptr_nonnull(strstr(e.lines[4], "nope: unknown key"));
	collector_config_clear(&cc);
	json_decref(bad);
}
END_TEST

/* ---- packet headers (lib/packet) ---- */

START_TEST(packet_fragments)
{
	struct writer w = writer_init(0);
	put_u8(&w, 0x45);
	put_u8(&w, 0);
	put_u16(&w, 1500);
	put_u16(&w, 7);
	put_u16(&w, 0x2000 | 185);	/* MF, offset 185 x 8: a middle one */
	put_u8(&w, 64);
	put_u8(&w, 17);
	put_u16(&w, 0);
	put_addr(&w, "192.0.2.1");
	put_addr(&w, "192.0.2.2");
	struct packet p;
	ck_assert(packet_parse(reader_init(w.data, w.len), PACKET_RAW, &p));
	ck_assert_uint_eq(p.frag, PACKET_FRAG_IS);
	ck_assert(!p.has_l4);		/* no UDP header in a later fragment */

	writer_reset(&w);		/* IPv6 first fragment of UDP */
	put_u32(&w, 6u << 28);
	put_u16(&w, 16);
	put_u8(&w, 44);			/* Fragment header */
	put_u8(&w, 64);
	put_addr(&w, "2001:db8::1");
	put_addr(&w, "2001:db8::2");
	put_u8(&w, 17);			/* next header */
	put_u8(&w, 0);
	put_u16(&w, 0 << 3 | 1);	/* offset 0, M */
	put_u32(&w, 99);
	put_u16(&w, 1000);
	put_u16(&w, 2000);
	put_u16(&w, 8);
	put_u16(&w, 0);
	ck_assert(packet_parse(reader_init(w.data, w.len), PACKET_IPV6, &p));
	ck_assert_uint_eq(p.frag, PACKET_FRAG_IS | PACKET_FRAG_FIRST);
	ck_assert_uint_eq(p.proto, 17);
	ck_assert_uint_eq(p.sport, 1000);
	ck_assert_uint_eq(p.dport, 2000);
	ck_assert_uint_eq(p.ip_len, 56);
	writer_free(&w);
}
END_TEST

static Suite *collector_suite(void)
{
	log_set_level(LOG_ERROR);
	Suite *s = suite_create("collector");
	ADD_CASE(s, "netflow5", v5_records, v5_bad_count_and_sequence);
	ADD_CASE(s, "netflow9", v9_template_and_data, v9_uptime_wrap,
		 v9_data_before_template_and_redefinition, v9_options_sampling,
		 v9_exporter_reboot, v9_bad_sets, template_limit);
	ADD_CASE(s, "ipfix", ipfix_enterprise_varlen_withdrawal,
		 ipfix_options_sampling_and_uptime, ipfix_more_field_types,
		 ipfix_length_and_expiry);
	ADD_CASE(s, "sflow", sflow_samples, sflow_bad_records);
	ADD_CASE(s, "state", uptime_arithmetic, clock_offset,
		 allow_list_and_exporter_limit, reconfigure_keeps_state);
	ADD_CASE(s, "hold", v9_held_until_template, hold_limits, hold_expiry,
		 hold_dropped_on_reboot, ipfix_held_and_withdrawn);
	ADD_CASE(s, "reload", listeners_update, service_reload);
	ADD_CASE(s, "config", config_object);
	ADD_CASE(s, "packet", packet_fragments);
	return s;
}

TEST_MAIN(collector_suite)
