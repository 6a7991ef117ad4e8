/* Policy engine: synthetic flow records on a synthetic clock (replay
 * style: wall = mono = the time the record arrives) and the decisions
 * that come out. Rates are chosen against the thresholds: a policy of
 * 8 Mbit/s is 1,000,000 bytes/s, averaged over its window. */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bgpd/policy/engine.h"
#include "nlri/text.h"

#define T0 1700000000000	/* ms; a multiple of every bucket width */
#define MB 1000000.0
#define EV_MAX 256

struct event {
	enum policy_event_type type;
	int64_t time_ms;
	char rule[512];
	char target[64];
	char reason[160];
	uint32_t ttl_s;
	uint32_t sources;
	double rate;
};

struct rec {
	struct event ev[EV_MAX];
	size_t n;
	size_t count[5];
};

static void record(void *ctx, const struct policy_event *pe)
{
	struct rec *r = ctx;
	ck_assert_uint_lt(r->n, EV_MAX);
	struct event *e = &r->ev[r->n++];
	e->type = pe->type;
	e->time_ms = pe->time_ms;
	snprintf(e->rule, sizeof e->rule, "%s", pe->rule_text ? pe->rule_text : "");
	snprintf(e->target, sizeof e->target, "%s", pe->target);
	snprintf(e->reason, sizeof e->reason, "%s", pe->reason ? pe->reason : "");
	e->ttl_s = pe->ttl_s;
	e->sources = pe->sources;
	e->rate = pe->rate;
	r->count[pe->type]++;
}

struct lab {
	struct policy_file *pf;
	struct policy_engine *eng;
	struct rec rec;
	int64_t now;
};

static struct lab *lab_new(const char *policy_json)
{
	struct lab *l = calloc(1, sizeof *l);
	ck_assert_ptr_nonnull(l);
	struct config_errors errs;
	config_errors_init(&errs);
	l->pf = policy_parse(policy_json, strlen(policy_json), "test.json",
			     NULL, &errs);
	for (size_t i = 0; i < errs.n; i++)
		fprintf(stderr, "%s\n", errs.lines[i]);
	ck_assert_ptr_nonnull(l->pf);
	config_errors_clear(&errs);
	struct policy_sink sink = { record, record, record, record, record,
				    &l->rec };
	l->eng = policy_engine_new(l->pf, &sink);
	ck_assert_ptr_nonnull(l->eng);
	l->now = T0;
	return l;
}

static void lab_free(struct lab *l)
{
	policy_engine_free(l->eng);
	policy_file_free(l->pf);
	free(l);
}

static struct policy_clock clock_at(int64_t ms)
{
	return (struct policy_clock){ ms, ms };
}

/* Runs the ticks up to ms without traffic. */
static void idle_until(struct lab *l, int64_t ms)
{
	struct policy_clock c = clock_at(ms);
	policy_engine_run(l->eng, &c);
	l->now = ms;
}

struct flow {
	const char *src, *dst;
	uint8_t proto;
	uint16_t sport, dport;
	uint8_t flags;
	uint64_t bytes, packets;
	int64_t start, end;	/* ms */
};

/* One record arriving at `at` (replay: the ticks before it run first). */
static void feed_at(struct lab *l, const struct flow *f, int64_t at)
{
	struct flow_record r = { 0 };
	addr_parse(&r.exporter, "192.0.2.9", 9);
	ck_assert(addr_parse(&r.src, f->src, strlen(f->src)));
	ck_assert(addr_parse(&r.dst, f->dst, strlen(f->dst)));
	r.proto = f->proto;
	r.sport = f->sport;
	r.dport = f->dport;
	r.tcp_flags = f->flags;
	r.bytes = f->bytes;
	r.packets = f->packets ? f->packets : (f->bytes + 499) / 500;
	r.sampling = 1;
	r.start_ms = f->start;
	r.end_ms = f->end;
	struct policy_clock c = clock_at(at);
	policy_engine_run(l->eng, &c);
	policy_engine_flow(l->eng, &r, &c);
	l->now = at;
}

/* Traffic of bps_bytes bytes/s to dst from `from` to `to`, as records of
 * 100 ms each sent when they end; sources cycle through nsrc addresses
 * 198.51.100.x, source ports through the sports list. */
struct stream {
	const char *dst;
	uint8_t proto;
	const uint16_t *sports;
	size_t n_sports;
	uint16_t dport;		/* 0: random */
	unsigned nsrc;
	double bytes_per_s;
};

static uint32_t lcg = 12345;
static uint16_t rnd16(void)
{
	lcg = lcg * 1103515245 + 12345;
	return (uint16_t)(lcg >> 16);
}

static void stream(struct lab *l, const struct stream *s, int64_t from,
		   int64_t to)
{
	unsigned i = 0;
	for (int64_t t = from + 100; t <= to; t += 100, i++) {
		char src[32];
		snprintf(src, sizeof src, "198.51.100.%u",
			 s->nsrc ? 1 + i % s->nsrc : 1);
		struct flow f = {
			.src = src, .dst = s->dst, .proto = s->proto,
			.sport = s->n_sports ? s->sports[i % s->n_sports]
					     : 40000,
			.dport = s->dport ? s->dport : (uint16_t)(1024 + rnd16() % 60000),
			.bytes = (uint64_t)(s->bytes_per_s / 10),
			.start = t - 100, .end = t,
		};
		feed_at(l, &f, t);
	}
}

/* Several streams side by side, 100 ms apart. */
static void streams(struct lab *l, const struct stream *s, size_t n,
		    int64_t from, int64_t to)
{
	for (int64_t t = from; t < to; t += 100)
		for (size_t k = 0; k < n; k++)
			stream(l, &s[k], t, t + 100);
}

static const struct event *find(const struct lab *l,
				 enum policy_event_type type, size_t nth)
{
	for (size_t i = 0; i < l->rec.n; i++)
		if (l->rec.ev[i].type == type && nth-- == 0)
			return &l->rec.ev[i];
	return NULL;
}

/* The canonical form of a rule, for comparing with event rules. */
static char *canon(const char *text)
{
	struct fs_rule r;
	struct fs_text_error err;
	ck_assert_msg(fs_text_parse(&r, text, NULL, &err), "%s", err.msg);
	fs_rule_normalize(&r);
	char *s = fs_text_string(&r);
	fs_rule_clear(&r);
	return s;
}

static void assert_rule(const struct event *e, const char *want)
{
	char *c = canon(want);
	ck_assert_str_eq(e->rule, c);
	free(c);
}

/* One network, one UDP policy of 8 Mbit/s over 10 s; extra goes into
 * the policy object, top at the top level. */
static char *udp_policy(const char *extra, const char *top)
{
	static char buf[4096];
	snprintf(buf, sizeof buf,
		 "{ \"networks\": { \"customers\": { \"prefixes\": "
		 "[\"10.50.0.0/16\", \"2001:db8:50::/48\"] } },\n"
		 "  \"defaults\": { \"ban_time\": 60, \"clear_time\": 20, "
		 "\"max_lifetime\": 600 },\n %s\n"
		 "  \"policies\": [ { \"name\": \"udp-flood\", "
		 "\"networks\": [\"customers\"], \"match\": { \"protocol\": "
		 "\"udp\" }, \"metric\": \"bps\", \"threshold\": \"8M\", "
		 "\"window\": 10, \"rule\": { \"match\": [\"destination\", "
		 "\"protocol\", \"destination-port\"], \"then\": \"discard\" } "
		 "%s } ] }", top ? top : "", extra ? extra : "");
	return buf;
}

static struct stream dns_at(const char *dst, double mb)
{
	return (struct stream){ .dst = dst, .proto = 17, .dport = 53,
				.nsrc = 20, .bytes_per_s = mb * MB };
}

/* ---- thresholds ---------------------------------------------------- */

/* 2 MB/s against 1 MB/s averaged over 10 s: the average passes the
 * threshold after 5 s of traffic. */
START_TEST(crossing_announces_once)
{
	struct lab *l = lab_new(udp_policy(NULL, NULL));
	struct stream s = dns_at("10.50.100.100", 2);
	stream(l, &s, T0, T0 + 20000);
	ck_assert_uint_eq(l->rec.count[POLICY_EV_ANNOUNCE], 1);
	const struct event *a = find(l, POLICY_EV_ANNOUNCE, 0);
	ck_assert_int_ge(a->time_ms, T0 + 4500);
	ck_assert_int_le(a->time_ms, T0 + 5600);
	ck_assert_str_eq(a->target, "10.50.100.100");
	ck_assert_uint_eq(a->ttl_s, 60);
	ck_assert(a->rate >= 8e6 && a->rate < 8.5e6);
	assert_rule(a, "flow route { match { destination 10.50.100.100/32; "
		    "protocol udp; destination-port =53; } then { discard; } }");
	ck_assert_uint_eq(l->rec.count[POLICY_EV_WITHDRAW], 0);
	lab_free(l);
}
END_TEST

START_TEST(below_threshold_no_rule)
{
	struct lab *l = lab_new(udp_policy(NULL, NULL));
	struct stream s = dns_at("10.50.100.100", 0.95);
	stream(l, &s, T0, T0 + 60000);
	ck_assert_uint_eq(l->rec.n, 0);
	/* TCP is not the policy's traffic. */
	s = dns_at("10.50.100.100", 5);
	s.proto = 6;
	stream(l, &s, T0 + 60000, T0 + 80000);
	ck_assert_uint_eq(l->rec.n, 0);
	/* Nor is a destination outside the networks. */
	s = dns_at("10.51.0.1", 5);
	stream(l, &s, T0 + 80000, T0 + 100000);
	ck_assert_uint_eq(l->rec.n, 0);
	struct policy_engine_stats st;
	policy_engine_stats(l->eng, &st);
	ck_assert_uint_eq(st.detect.untracked, 200);
	lab_free(l);
}
END_TEST

/* Hysteresis: at 0.6 MB/s (above clear 0.5, below threshold 1) the rule
 * stays and is extended; after the traffic stops the window end holds
 * at the last record for DETECT_SILENCE_MS (2 s), then the 10 s average
 * falls under 0.5 MB/s within 2 s more (0.6 x (9.5 - s) / 9.5 < 0.5 from
 * s = 1.6), so the last tick above is stop + 3 s and the withdraw comes
 * clear_time (20 s) later. */
START_TEST(hysteresis_and_clear_time)
{
	struct lab *l = lab_new(udp_policy(", \"clear_threshold\": \"4M\"",
					   NULL));
	struct stream s = dns_at("10.50.100.100", 2);
	stream(l, &s, T0, T0 + 30000);
	s.bytes_per_s = 0.6 * MB;
	stream(l, &s, T0 + 30000, T0 + 120000);
	ck_assert_uint_eq(l->rec.count[POLICY_EV_ANNOUNCE], 1);
	ck_assert_uint_eq(l->rec.count[POLICY_EV_WITHDRAW], 0);
	ck_assert_uint_ge(l->rec.count[POLICY_EV_EXTEND], 1);
	const struct event *x = find(l, POLICY_EV_EXTEND, 0);
	ck_assert_str_eq(x->rule, find(l, POLICY_EV_ANNOUNCE, 0)->rule);
	idle_until(l, T0 + 200000);
	ck_assert_uint_eq(l->rec.count[POLICY_EV_WITHDRAW], 1);
	const struct event *w = find(l, POLICY_EV_WITHDRAW, 0);
	ck_assert_int_eq(w->time_ms, T0 + 120000 + 23000);
	ck_assert_str_eq(w->reason, "clear");
	lab_free(l);
}
END_TEST

/* Without hysteresis (clear = threshold) the same 0.6 MB/s lets the rule
 * go once ban_time (60 s from the announce) has passed. */
START_TEST(no_hysteresis_withdraws_below_threshold)
{
	struct lab *l = lab_new(udp_policy(NULL, NULL));
	struct stream s = dns_at("10.50.100.100", 2);
	stream(l, &s, T0, T0 + 30000);
	s.bytes_per_s = 0.6 * MB;
	stream(l, &s, T0 + 30000, T0 + 120000);
	const struct event *a = find(l, POLICY_EV_ANNOUNCE, 0);
	const struct event *w = find(l, POLICY_EV_WITHDRAW, 0);
	ck_assert_ptr_nonnull(w);
	ck_assert_int_ge(w->time_ms, a->time_ms + 60000);
	ck_assert_int_le(w->time_ms, a->time_ms + 61000);
	lab_free(l);
}
END_TEST

/* A short attack: the rule lives ban_time (60 s), though the traffic
 * fell below the threshold long before and clear_time (20 s) passed. */
START_TEST(ban_time_is_the_minimum)
{
	struct lab *l = lab_new(udp_policy(NULL, NULL));
	struct stream s = dns_at("10.50.100.100", 2);
	stream(l, &s, T0, T0 + 8000);
	idle_until(l, T0 + 100000);
	const struct event *a = find(l, POLICY_EV_ANNOUNCE, 0);
	const struct event *w = find(l, POLICY_EV_WITHDRAW, 0);
	ck_assert_ptr_nonnull(a);
	ck_assert_ptr_nonnull(w);
	ck_assert_int_ge(w->time_ms - a->time_ms, 60000);
	ck_assert_int_le(w->time_ms - a->time_ms, 61000);
	ck_assert_uint_eq(l->rec.count[POLICY_EV_EXTEND], 0);
	lab_free(l);
}
END_TEST

/* max_lifetime caps a rule under a constant attack; it is not announced
 * again until the destination has been below clear_threshold. */
START_TEST(max_lifetime_caps)
{
	struct lab *l = lab_new(udp_policy(", \"ban_time\": 10, "
					   "\"max_lifetime\": 30", NULL));
	struct stream s = dns_at("10.50.100.100", 2);
	stream(l, &s, T0, T0 + 70000);
	ck_assert_uint_eq(l->rec.count[POLICY_EV_ANNOUNCE], 1);
	const struct event *a = find(l, POLICY_EV_ANNOUNCE, 0);
	ck_assert_uint_eq(a->ttl_s, 10);
	const struct event *w = find(l, POLICY_EV_WITHDRAW, 0);
	ck_assert_ptr_nonnull(w);
	ck_assert_str_eq(w->reason, "max_lifetime");
	ck_assert_int_ge(w->time_ms - a->time_ms, 30000);
	ck_assert_int_le(w->time_ms - a->time_ms, 31000);
	/* Extends never pass the cap. */
	for (size_t i = 0; find(l, POLICY_EV_EXTEND, i); i++) {
		const struct event *x = find(l, POLICY_EV_EXTEND, i);
		ck_assert_int_le(x->time_ms + (int64_t)x->ttl_s * 1000,
				 a->time_ms + 30000 + 1000);
	}
	/* A quiet minute, then a new attack is a new rule. */
	idle_until(l, T0 + 130000);
	stream(l, &s, T0 + 130000, T0 + 140000);
	ck_assert_uint_eq(l->rec.count[POLICY_EV_ANNOUNCE], 2);
	lab_free(l);
}
END_TEST

/* ---- safety -------------------------------------------------------- */

START_TEST(dry_run_announces_nothing)
{
	struct lab *l = lab_new(udp_policy(", \"dry_run\": true", NULL));
	struct stream s = dns_at("10.50.100.100", 2);
	stream(l, &s, T0, T0 + 30000);
	ck_assert_uint_eq(l->rec.count[POLICY_EV_DRY_RUN], 1);
	ck_assert_uint_eq(l->rec.n, 1);
	assert_rule(find(l, POLICY_EV_DRY_RUN, 0),
		    "flow route { match { destination 10.50.100.100/32; "
		    "protocol udp; destination-port =53; } then { discard; } }");
	struct policy_clock c = clock_at(l->now);
	json_t *m = policy_engine_mitigations(l->eng, &c);
	ck_assert_uint_eq(json_array_size(json_object_get(m, "mitigations")), 0);
	json_decref(m);
	lab_free(l);
}
END_TEST

/* max_rules 2: the third, larger attack evicts the smallest rule; a
 * fourth, smaller than both kept, is refused. */
START_TEST(max_rules_keeps_most_traffic)
{
	struct lab *l = lab_new(udp_policy(", \"max_rules\": 2", NULL));
	struct stream ab[2] = { dns_at("10.50.0.10", 2), dns_at("10.50.0.11", 3) };
	streams(l, ab, 2, T0, T0 + 10000);
	ck_assert_uint_eq(l->rec.count[POLICY_EV_ANNOUNCE], 2);
	struct stream abc[3] = { ab[0], ab[1], dns_at("10.50.0.12", 5) };
	streams(l, abc, 3, T0 + 10000, T0 + 20000);
	ck_assert_uint_eq(l->rec.count[POLICY_EV_ANNOUNCE], 3);
	const struct event *w = find(l, POLICY_EV_WITHDRAW, 0);
	ck_assert_ptr_nonnull(w);
	ck_assert_str_eq(w->target, "10.50.0.10");
	ck_assert_ptr_nonnull(strstr(w->reason, "evicted"));
	ck_assert_str_eq(find(l, POLICY_EV_ANNOUNCE, 2)->target, "10.50.0.12");
	struct stream abcd[4] = { abc[0], abc[1], abc[2],
				  dns_at("10.50.0.13", 2.5) };
	streams(l, abcd, 4, T0 + 20000, T0 + 30000);
	ck_assert_uint_eq(l->rec.count[POLICY_EV_ANNOUNCE], 3);
	/* 10.50.0.13 is refused, once. (So are 10.50.0.10 once evicted, and
	 * 10.50.0.12 at its crossing, while its window still read less than
	 * the rules kept.) */
	const struct event *r = NULL;
	for (size_t i = 0; find(l, POLICY_EV_REFUSED, i); i++) {
		const struct event *e = find(l, POLICY_EV_REFUSED, i);
		if (strcmp(e->target, "10.50.0.13") == 0) {
			ck_assert_ptr_null(r);
			r = e;
		}
	}
	ck_assert_ptr_nonnull(r);
	ck_assert_ptr_nonnull(strstr(r->reason, "max_rules 2"));
	lab_free(l);
}
END_TEST

/* The file's max_rules counts the rules of every policy together. */
START_TEST(global_max_rules)
{
	struct lab *l = lab_new(udp_policy(NULL, "\"max_rules\": 1,"));
	struct stream ab[2] = { dns_at("10.50.0.10", 2), dns_at("10.50.0.11", 1.5) };
	streams(l, ab, 2, T0, T0 + 15000);
	ck_assert_uint_eq(l->rec.count[POLICY_EV_ANNOUNCE], 1);
	ck_assert_uint_eq(l->rec.count[POLICY_EV_REFUSED], 1);
	ck_assert_str_eq(find(l, POLICY_EV_REFUSED, 0)->target, "10.50.0.11");
	ck_assert_ptr_nonnull(strstr(find(l, POLICY_EV_REFUSED, 0)->reason,
				     "policy file"));
	lab_free(l);
}
END_TEST

/* min_sources 10: one source is not enough evidence, fifty are. */
START_TEST(min_sources)
{
	struct lab *l = lab_new(udp_policy(", \"min_sources\": 10", NULL));
	struct stream s = dns_at("10.50.0.20", 2);
	s.nsrc = 1;
	stream(l, &s, T0, T0 + 30000);
	ck_assert_uint_eq(l->rec.n, 0);
	s = dns_at("10.50.0.21", 2);
	s.nsrc = 50;
	stream(l, &s, T0 + 30000, T0 + 60000);
	ck_assert_uint_eq(l->rec.count[POLICY_EV_ANNOUNCE], 1);
	const struct event *a = find(l, POLICY_EV_ANNOUNCE, 0);
	ck_assert_str_eq(a->target, "10.50.0.21");
	/* The fingerprint starts at a quarter of the threshold (1.25 s in),
	 * so it has seen the 37 or so sources since. */
	ck_assert_uint_ge(a->sources, 25);
	ck_assert_uint_le(a->sources, 55);
	lab_free(l);
}
END_TEST

/* min_flows 500: 2 MB/s in 10 records a second gives 100 records in a
 * 10 s window: never enough. */
START_TEST(min_flows)
{
	struct lab *l = lab_new(udp_policy(", \"min_flows\": 500", NULL));
	struct stream s = dns_at("10.50.0.20", 2);
	stream(l, &s, T0, T0 + 30000);
	ck_assert_uint_eq(l->rec.n, 0);
	lab_free(l);
}
END_TEST

START_TEST(never_filter_refuses)
{
	struct lab *l = lab_new(udp_policy(NULL, "\"never_filter\": "
					   "[\"10.50.0.1/32\"],"));
	struct stream s = dns_at("10.50.0.1", 2);
	stream(l, &s, T0, T0 + 30000);
	ck_assert_uint_eq(l->rec.count[POLICY_EV_ANNOUNCE], 0);
	ck_assert_uint_eq(l->rec.count[POLICY_EV_REFUSED], 1);
	const struct event *r = find(l, POLICY_EV_REFUSED, 0);
	ck_assert_str_eq(r->reason, "destination 10.50.0.1/32 covers "
			 "never_filter prefix 10.50.0.1/32");
	assert_rule(r, "flow route { match { destination 10.50.0.1/32; "
		    "protocol udp; destination-port =53; } then { discard; } }");
	lab_free(l);
}
END_TEST

/* ---- the fingerprint ----------------------------------------------- */

/* NTP reflection: UDP from source port 123 to random ports. The rule
 * takes source port 123; the destination ports dominate nothing and are
 * left out. */
START_TEST(reflection_source_port)
{
	struct lab *l = lab_new(
		"{ \"networks\": { \"c\": { \"prefixes\": [\"10.50.0.0/16\"] } },"
		"  \"policies\": [ { \"name\": \"reflection\", \"networks\": [\"c\"],"
		"  \"match\": { \"protocol\": \"udp\" }, \"metric\": \"bps\","
		"  \"threshold\": \"8M\", \"window\": 10, \"rule\": { \"match\":"
		"  [\"destination\", \"protocol\", \"source-port\", "
		"\"destination-port\"], \"then\": \"rate-limit 10000000\" } } ] }");
	static const uint16_t ntp[] = { 123, 123, 123, 123, 123, 123, 123,
					123, 123, 123, 123, 123, 123, 123,
					123, 123, 123, 123, 123, 5353 };
	struct stream s = { .dst = "10.50.7.7", .proto = 17, .sports = ntp,
			    .n_sports = 20, .dport = 0, .nsrc = 40,
			    .bytes_per_s = 3 * MB };
	stream(l, &s, T0, T0 + 10000);
	const struct event *a = find(l, POLICY_EV_ANNOUNCE, 0);
	ck_assert_ptr_nonnull(a);
	assert_rule(a, "flow route { match { destination 10.50.7.7/32; "
		    "protocol udp; source-port =123; } then { rate-limit "
		    "10000000; } }");
	lab_free(l);
}
END_TEST

/* A SYN flood measured in packets: the rule takes the port and the
 * flags. */
START_TEST(syn_flood_flags)
{
	struct lab *l = lab_new(
		"{ \"networks\": { \"c\": { \"prefixes\": [\"10.50.0.0/16\"] } },"
		"  \"policies\": [ { \"name\": \"syn\", \"networks\": [\"c\"],"
		"  \"match\": { \"protocol\": \"tcp\", \"tcp_flags\": \"syn&!ack\" },"
		"  \"metric\": \"pps\", \"threshold\": \"10k\", \"window\": 5,"
		"  \"rule\": { \"match\": [\"destination\", \"protocol\","
		"  \"destination-port\", \"tcp-flags\", \"packet-length\"],"
		"  \"then\": \"discard\" } } ] }");
	for (int64_t t = T0 + 100; t <= T0 + 10000; t += 100) {
		char src[32];
		snprintf(src, sizeof src, "203.0.113.%u", rnd16() % 250 + 1);
		/* 3,000 SYNs of 60 octets every 100 ms: 30 kpps. */
		struct flow f = { .src = src, .dst = "10.50.100.100",
				  .proto = 6, .sport = rnd16(), .dport = 80,
				  .flags = 0x02, .bytes = 3000 * 60,
				  .packets = 3000, .start = t - 100, .end = t };
		feed_at(l, &f, t);
		/* ACKed traffic is not the policy's. */
		f.flags = 0x12;
		f.bytes = 1000000;
		f.packets = 700;
		feed_at(l, &f, t);
	}
	const struct event *a = find(l, POLICY_EV_ANNOUNCE, 0);
	ck_assert_ptr_nonnull(a);
	assert_rule(a, "flow route { match { destination 10.50.100.100/32; "
		    "protocol tcp; destination-port =80; tcp-flags "
		    "=syn&!fin&!rst&!ack; packet-length >=0&<=63; } then { "
		    "discard; } }");
	lab_free(l);
}
END_TEST

/* Space-Saving dominance: random keys dominate nothing; a key with 95 %
 * of the weight does, alone; two with 50 % and 45 % do together. */
START_TEST(sketch_dominance)
{
	struct hh h = { .n = 0 };
	uint64_t keys[SKETCH_DOMINANT_MAX];
	for (unsigned i = 0; i < 10000; i++)
		hh_add(&h, rnd16(), 1);
	ck_assert_uint_eq(hh_dominant(&h, 10000, keys, NULL, 4), 0);

	memset(&h, 0, sizeof h);
	for (unsigned i = 0; i < 1000; i++)
		hh_add(&h, i % 20 ? 123 : 40000u + rnd16() % 1000, 1);
	ck_assert_uint_eq(hh_dominant(&h, 1000, keys, NULL, 4), 1);
	ck_assert_uint_eq(keys[0], 123);

	memset(&h, 0, sizeof h);
	for (unsigned i = 0; i < 1000; i++)
		hh_add(&h, i % 20 < 10 ? 53 : i % 20 < 19 ? 123 : rnd16(), 1);
	ck_assert_uint_eq(hh_dominant(&h, 1000, keys, NULL, 4), 2);
	ck_assert_uint_eq(keys[0], 53);
	ck_assert_uint_eq(keys[1], 123);
	ck_assert_uint_eq(hh_dominant(&h, 1000, keys, NULL, 1), 0);
}
END_TEST

/* ---- time ---------------------------------------------------------- */

/* One record of a 60 s flow at 0.8 MB/s (6.4 Mbit/s), exported when it
 * ends: spread over its minute, the 10 s window holds 6.4 Mbit/s, under
 * 8M (dumped at its end it would read 38.4 Mbit/s) and over 6M. */
START_TEST(long_flow_is_spread)
{
	struct flow f = { .src = "198.51.100.1", .dst = "10.50.0.30",
			  .proto = 17, .sport = 1000, .dport = 53,
			  .bytes = 48000000, .start = T0, .end = T0 + 60000 };
	struct lab *l = lab_new(udp_policy(NULL, NULL));
	feed_at(l, &f, T0 + 60000);
	idle_until(l, T0 + 70000);
	ck_assert_uint_eq(l->rec.n, 0);
	lab_free(l);

	l = lab_new(udp_policy(NULL, NULL));
	l->pf->policies[0].threshold = l->pf->policies[0].clear_threshold = 6e6;
	feed_at(l, &f, T0 + 60000);
	ck_assert_uint_eq(l->rec.count[POLICY_EV_ANNOUNCE], 1);
	ck_assert(find(l, POLICY_EV_ANNOUNCE, 0)->rate > 6.3e6 &&
		  find(l, POLICY_EV_ANNOUNCE, 0)->rate < 6.5e6);
	lab_free(l);
}
END_TEST

/* An exporter with a 30 s active timeout: every record arrives 30 s
 * after its traffic. Windows end at the exporter's watermark, so the
 * attack is seen (ending at "now" they would be empty); a record older
 * than its window counts as late. */
START_TEST(late_flows_watermark)
{
	struct lab *l = lab_new(udp_policy(NULL, NULL));
	for (int64_t t = T0 + 1000; t <= T0 + 20000; t += 1000) {
		struct flow f = { .src = "198.51.100.1", .dst = "10.50.0.40",
				  .proto = 17, .sport = 1000, .dport = 53,
				  .bytes = 2000000, .start = t - 1000,
				  .end = t };
		feed_at(l, &f, t + 30000);
	}
	const struct event *a = find(l, POLICY_EV_ANNOUNCE, 0);
	ck_assert_ptr_nonnull(a);
	/* Crossed at 5 s of traffic, seen 30 s later. */
	ck_assert_int_ge(a->time_ms, T0 + 35000);
	ck_assert_int_le(a->time_ms, T0 + 36000);
	struct flow old = { .src = "198.51.100.1", .dst = "10.50.0.40",
			    .proto = 17, .sport = 1000, .dport = 53,
			    .bytes = 1000, .start = T0, .end = T0 + 1000 };
	feed_at(l, &old, T0 + 51000);
	struct policy_engine_stats st;
	policy_engine_stats(l->eng, &st);
	ck_assert_uint_eq(st.detect.late, 1);
	lab_free(l);
}
END_TEST

/* ---- memory -------------------------------------------------------- */

/* max_tracked 1000 with 100,000 destinations: the table stays at 1000,
 * the rest are evicted, and an attack among them is still found. */
START_TEST(memory_bound)
{
	struct lab *l = lab_new(udp_policy(NULL, "\"max_tracked\": 1000,"));
	int64_t t = T0;
	for (unsigned i = 0; i < 100000; i++) {
		char dst[32];
		snprintf(dst, sizeof dst, "10.50.%u.%u", i / 250 % 250,
			 i % 250 + 1);
		struct flow f = { .src = "198.51.100.1", .dst = dst,
				  .proto = 17, .sport = 1000, .dport = 53,
				  .bytes = 1000, .start = t - 10, .end = t };
		t = T0 + i / 10;
		feed_at(l, &f, t);
	}
	struct policy_engine_stats st;
	policy_engine_stats(l->eng, &st);
	ck_assert_uint_le(st.detect.tracked, 1000);
	ck_assert_uint_ge(st.detect.evicted, 99000);
	ck_assert_uint_le(st.memory, 1000 * 512);
	struct stream s = dns_at("10.50.100.100", 2);
	stream(l, &s, t, t + 10000);
	ck_assert_uint_eq(l->rec.count[POLICY_EV_ANNOUNCE], 1);
	lab_free(l);
}
END_TEST

/* An IPv6 flood: the rule is an IPv6 rule for the /128. */
START_TEST(ipv6_flood)
{
	struct lab *l = lab_new(udp_policy(NULL, NULL));
	for (int64_t t = T0 + 100; t <= T0 + 10000; t += 100) {
		char src[64];
		snprintf(src, sizeof src, "2001:db8:ffff::%x",
			 (unsigned)(t / 100 % 30 + 1));
		struct flow f = { .src = src, .dst = "2001:db8:50::7",
				  .proto = 17, .sport = 4444, .dport = 53,
				  .bytes = 200000, .start = t - 100, .end = t };
		feed_at(l, &f, t);
	}
	const struct event *a = find(l, POLICY_EV_ANNOUNCE, 0);
	ck_assert_ptr_nonnull(a);
	ck_assert_str_eq(a->target, "2001:db8:50::7");
	assert_rule(a, "flow route { match { destination 2001:db8:50::7/128; "
		    "next-header udp; destination-port =53; } then { discard; "
		    "} }");
	lab_free(l);
}
END_TEST

/* The coarse windows read a constant 16 Mbit/s within 5 % at any time
 * between two records (the end holds at the watermark for 2 s of
 * silence, then drains), whatever the end's place in its bucket. */
START_TEST(window_accuracy)
{
	struct lab *l = lab_new(udp_policy(NULL, NULL));
	struct detector *d = detect_new(l->pf);
	ck_assert_ptr_nonnull(d);
	struct track *t = NULL;
	for (int64_t at = T0 + 100; at <= T0 + 60000; at += 100) {
		struct flow_record r = { 0 };
		addr_parse(&r.exporter, "192.0.2.9", 9);
		addr_parse(&r.src, "198.51.100.1", 12);
		addr_parse(&r.dst, "10.50.0.50", 10);
		r.proto = 17;
		r.bytes = 200000;
		r.packets = 200;
		r.start_ms = at - 100;
		r.end_ms = at;
		detect_flow(d, &r, at);
		while (detect_due(d))
			;
		t = detect_suspects(d);
		if (at < T0 + 20000 || at % 1000 != 0 || !t)
			continue;
		static const int64_t offs[] = { 0, 37, 99, 250, 499, 501, 777,
						 2000, 2037, 2100 };
		for (size_t i = 0; i < sizeof offs / sizeof offs[0]; i++) {
			struct window_sum w;
			detect_measure(d, t,
				       detect_window_end(d, t, at + offs[i]),
				       &w);
			double rate = detect_rate(&l->pf->policies[0], &w);
			ck_assert_msg(rate > 16e6 * 0.95 && rate < 16e6 * 1.05,
				      "rate %.0f at +%lld ms", rate,
				      (long long)offs[i]);
		}
	}
	ck_assert_ptr_nonnull(t);
	detect_free(d);
	lab_free(l);
}
END_TEST

/* A table of one window and two policies for the same traffic: the
 * first policy's window, a suspect, is never evicted for the second's;
 * the second's records are dropped and counted. */
START_TEST(tiny_table)
{
	struct lab *l = lab_new(
		"{ \"networks\": { \"c\": { \"prefixes\": [\"10.50.0.0/16\"] } },"
		"  \"max_tracked\": 1, \"policies\": ["
		"  { \"name\": \"a\", \"networks\": [\"c\"], \"metric\": \"bps\","
		"    \"threshold\": 1, \"window\": 1, \"rule\": { \"match\":"
		"    [\"destination\"], \"then\": \"discard\" } },"
		"  { \"name\": \"b\", \"networks\": [\"c\"], \"metric\": \"pps\","
		"    \"threshold\": 1, \"window\": 1, \"rule\": { \"match\":"
		"    [\"destination\"], \"then\": \"discard\" } } ] }");
	struct stream s = dns_at("10.50.0.60", 1);
	stream(l, &s, T0, T0 + 3000);
	struct policy_engine_stats st;
	policy_engine_stats(l->eng, &st);
	ck_assert_uint_eq(st.detect.tracked, 1);
	ck_assert_uint_ge(st.detect.dropped, 1);
	ck_assert_uint_eq(l->rec.count[POLICY_EV_ANNOUNCE], 1);
	lab_free(l);
}
END_TEST

/* ---- scope group, JSON --------------------------------------------- */

/* scope group: twenty hosts at 0.1 MB/s each are 16 Mbit/s for the
 * network, over its 8M; the rule covers the network's prefix. */
START_TEST(group_scope)
{
	struct lab *l = lab_new(udp_policy(", \"scope\": \"group\"", NULL));
	struct stream s[20];
	char dst[20][32];
	for (unsigned i = 0; i < 20; i++) {
		snprintf(dst[i], sizeof dst[i], "10.50.1.%u", i + 1);
		s[i] = dns_at(dst[i], 0.1);
	}
	streams(l, s, 20, T0, T0 + 10000);
	const struct event *a = find(l, POLICY_EV_ANNOUNCE, 0);
	ck_assert_ptr_nonnull(a);
	ck_assert_str_eq(a->target, "customers");
	assert_rule(a, "flow route { match { destination 10.50.0.0/16; "
		    "protocol udp; destination-port =53; } then { discard; } }");
	lab_free(l);
}
END_TEST

/* ---- adoption after a restart --------------------------------------- */

#define VICTIM_RULE "flow route { match { destination 10.50.100.100/32; " \
	"protocol udp; destination-port =53; } then { discard; } }"

/* Adopts text for policy with the restored expiry expires, first
 * claimed at since (0: now), at now (and starts the tick grid there). */
static bool adopt(struct lab *l, const char *policy, const char *text,
		  int64_t expires, int64_t since)
{
	struct fs_rule r;
	struct fs_text_error err;
	ck_assert_msg(fs_text_parse(&r, text, NULL, &err), "%s", err.msg);
	fs_rule_normalize(&r);
	struct policy_clock c = clock_at(l->now);
	policy_engine_run(l->eng, &c);
	bool ok = policy_engine_adopt(l->eng, policy, &r, expires, since, &c);
	fs_rule_clear(&r);
	return ok;
}

/* Adopted at T0 with 5 s left, traffic at 0.6 MB/s (above clear 0.5,
 * below threshold 1): no event at the adoption, listed in the
 * mitigations, extended (the first tick moves the restored expiry to
 * ban_time), never announced again; after the traffic stops it is
 * withdrawn as in hysteresis_and_clear_time: stop + 3 s + clear_time. */
START_TEST(adopt_extends_while_above)
{
	struct lab *l = lab_new(udp_policy(", \"clear_threshold\": \"4M\"",
					   NULL));
	ck_assert(adopt(l, "udp-flood", VICTIM_RULE, T0 + 5000, 0));
	ck_assert_uint_eq(l->rec.n, 0);
	struct policy_clock c = clock_at(T0);
	json_t *o = policy_engine_mitigations(l->eng, &c);
	json_t *m = json_array_get(json_object_get(o, "mitigations"), 0);
	ck_assert_ptr_nonnull(m);
	ck_assert_str_eq(json_string_value(json_object_get(m, "target")),
			 "10.50.100.100");
	char *want = canon(VICTIM_RULE);
	ck_assert_str_eq(json_string_value(json_object_get(m, "rule")), want);
	free(want);
	ck_assert_int_eq(json_integer_value(json_object_get(m, "ttl")), 5);
	json_decref(o);

	struct stream s = dns_at("10.50.100.100", 0.6);
	stream(l, &s, T0, T0 + 120000);
	ck_assert_uint_eq(l->rec.count[POLICY_EV_ANNOUNCE], 0);
	ck_assert_uint_eq(l->rec.count[POLICY_EV_WITHDRAW], 0);
	ck_assert_uint_ge(l->rec.count[POLICY_EV_EXTEND], 2);
	const struct event *x = find(l, POLICY_EV_EXTEND, 0);
	ck_assert_int_eq(x->time_ms, T0 + 1000);
	ck_assert_uint_eq(x->ttl_s, 60);
	assert_rule(x, VICTIM_RULE);
	idle_until(l, T0 + 200000);
	ck_assert_uint_eq(l->rec.count[POLICY_EV_WITHDRAW], 1);
	const struct event *w = find(l, POLICY_EV_WITHDRAW, 0);
	ck_assert_int_eq(w->time_ms, T0 + 120000 + 23000);
	ck_assert_str_eq(w->reason, "clear");
	assert_rule(w, VICTIM_RULE);
	ck_assert_uint_eq(l->rec.count[POLICY_EV_ANNOUNCE], 0);
	lab_free(l);
}
END_TEST

/* No traffic after the restart: withdrawn at restart + max(ban_time,
 * window + clear_time), as if the attack had stopped at the restart. */
START_TEST(adopt_traffic_gone)
{
	/* ban 10 s, window 10 s, clear 20 s: window + clear_time decides;
	 * the restored expiry (40 s) is not extended. */
	struct lab *l = lab_new(udp_policy(", \"ban_time\": 10", NULL));
	ck_assert(adopt(l, "udp-flood", VICTIM_RULE, T0 + 40000, 0));
	idle_until(l, T0 + 100000);
	ck_assert_uint_eq(l->rec.n, 1);
	const struct event *w = find(l, POLICY_EV_WITHDRAW, 0);
	ck_assert_ptr_nonnull(w);
	ck_assert_int_eq(w->time_ms, T0 + 30000);
	ck_assert_str_eq(w->reason, "clear");
	ck_assert_str_eq(w->target, "10.50.100.100");
	lab_free(l);

	/* ban 60 s decides: the restored expiry (5 s) is moved to ban_time
	 * once. */
	l = lab_new(udp_policy(NULL, NULL));
	ck_assert(adopt(l, "udp-flood", VICTIM_RULE, T0 + 5000, 0));
	idle_until(l, T0 + 100000);
	ck_assert_uint_eq(l->rec.count[POLICY_EV_EXTEND], 1);
	ck_assert_uint_eq(find(l, POLICY_EV_EXTEND, 0)->ttl_s, 60);
	w = find(l, POLICY_EV_WITHDRAW, 0);
	ck_assert_ptr_nonnull(w);
	ck_assert_int_eq(w->time_ms, T0 + 60000);
	ck_assert_uint_eq(l->rec.n, 2);
	lab_free(l);

	/* A trickle below clear_threshold from 15 s on (after the first
	 * window; the first tick to see it: 16 s): counted as above until a
	 * window after that, 26 s, withdrawn clear_time later. */
	l = lab_new(udp_policy(", \"ban_time\": 10", NULL));
	ck_assert(adopt(l, "udp-flood", VICTIM_RULE, T0 + 40000, 0));
	idle_until(l, T0 + 15000);
	struct stream s = dns_at("10.50.100.100", 0.1);
	stream(l, &s, T0 + 15000, T0 + 16000);
	idle_until(l, T0 + 100000);
	ck_assert_uint_eq(l->rec.count[POLICY_EV_ANNOUNCE], 0);
	ck_assert_uint_eq(l->rec.count[POLICY_EV_WITHDRAW], 1);
	w = find(l, POLICY_EV_WITHDRAW, 0);
	ck_assert_int_eq(w->time_ms, T0 + 46000);
	lab_free(l);

	/* First claimed 50 s before: ban_time (60 s) ends 10 s after the
	 * adoption, so window + clear_time decides (30 s), not ban_time as
	 * in the second case. */
	l = lab_new(udp_policy(NULL, NULL));
	ck_assert(adopt(l, "udp-flood", VICTIM_RULE, T0 + 5000, T0 - 50000));
	idle_until(l, T0 + 100000);
	w = find(l, POLICY_EV_WITHDRAW, 0);
	ck_assert_ptr_nonnull(w);
	ck_assert_int_eq(w->time_ms, T0 + 30000);
	ck_assert_str_eq(w->reason, "clear");
	lab_free(l);
}
END_TEST

START_TEST(adopt_refused)
{
	struct lab *l = lab_new(udp_policy(NULL, NULL));
	ck_assert(!adopt(l, "no-such-policy", VICTIM_RULE, T0 + 5000, 0));
	ck_assert(!adopt(l, "udp-flood", "flow route { match { protocol udp; "
			 "} then { discard; } }", T0 + 5000, 0));
	ck_assert(!adopt(l, "udp-flood", "flow route { match { destination "
			 "10.50.100.0/24; } then { discard; } }", T0 + 5000, 0));
	ck_assert(!adopt(l, "udp-flood", "flow route { match { destination "
			 "10.51.0.1/32; } then { discard; } }", T0 + 5000, 0));
	ck_assert(adopt(l, "udp-flood", VICTIM_RULE, T0 + 5000, 0));
	ck_assert(!adopt(l, "udp-flood", VICTIM_RULE, T0 + 5000, 0));
	struct policy_engine_stats st;
	policy_engine_stats(l->eng, &st);
	ck_assert_uint_eq(st.active, 1);
	lab_free(l);

	l = lab_new(udp_policy(", \"scope\": \"group\"", NULL));
	ck_assert(!adopt(l, "udp-flood", "flow route { match { destination "
			 "10.50.0.0/16; } then { discard; } }", T0 + 5000, 0));
	lab_free(l);
	l = lab_new(udp_policy(", \"dry_run\": true", NULL));
	ck_assert(!adopt(l, "udp-flood", VICTIM_RULE, T0 + 5000, 0));
	ck_assert_uint_eq(l->rec.n, 0);
	lab_free(l);
}
END_TEST

/* max_lifetime counts from the first claim (the adoption when not
 * known) and caps it under a constant attack; the attack is not
 * announced again while it goes on; `started` is the first claim. */
START_TEST(adopt_max_lifetime_caps)
{
	struct lab *l = lab_new(udp_policy(", \"ban_time\": 10, "
					   "\"max_lifetime\": 30", NULL));
	ck_assert(adopt(l, "udp-flood", VICTIM_RULE, T0 + 8000, 0));
	struct stream s = dns_at("10.50.100.100", 2);
	stream(l, &s, T0, T0 + 70000);
	ck_assert_uint_eq(l->rec.count[POLICY_EV_ANNOUNCE], 0);
	ck_assert_uint_ge(l->rec.count[POLICY_EV_EXTEND], 1);
	ck_assert_uint_eq(l->rec.count[POLICY_EV_WITHDRAW], 1);
	const struct event *w = find(l, POLICY_EV_WITHDRAW, 0);
	ck_assert_str_eq(w->reason, "max_lifetime");
	ck_assert_int_eq(w->time_ms, T0 + 30000);
	for (size_t i = 0; find(l, POLICY_EV_EXTEND, i); i++) {
		const struct event *x = find(l, POLICY_EV_EXTEND, i);
		ck_assert_int_le(x->time_ms + (int64_t)x->ttl_s * 1000,
				 T0 + 30000);
	}
	lab_free(l);

	l = lab_new(udp_policy(", \"ban_time\": 10, "
			       "\"max_lifetime\": 30", NULL));
	ck_assert(adopt(l, "udp-flood", VICTIM_RULE, T0 + 8000, T0 - 20000));
	struct policy_clock c = clock_at(T0);
	json_t *o = policy_engine_mitigations(l->eng, &c);
	json_t *m = json_array_get(json_object_get(o, "mitigations"), 0);
	ck_assert_double_eq_tol(json_number_value(json_object_get(m,
				"started")), (T0 - 20000) / 1000.0, 1e-3);
	json_decref(o);
	s = dns_at("10.50.100.100", 2);
	stream(l, &s, T0, T0 + 70000);
	ck_assert_uint_eq(l->rec.count[POLICY_EV_ANNOUNCE], 0);
	ck_assert_uint_eq(l->rec.count[POLICY_EV_WITHDRAW], 1);
	w = find(l, POLICY_EV_WITHDRAW, 0);
	ck_assert_str_eq(w->reason, "max_lifetime");
	ck_assert_int_eq(w->time_ms, T0 + 10000);
	lab_free(l);
}
END_TEST

static void json_line(void *ctx, const struct policy_event *ev)
{
	ck_assert(policy_event_write(ctx, ev));
}

/* The event line and the mitigations list carry what DESIGN.md and
 * engine.h say. */
START_TEST(event_and_mitigation_json)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);
	struct config_errors errs;
	config_errors_init(&errs);
	const char *text = udp_policy(NULL, NULL);
	struct policy_file *pf = policy_parse(text, strlen(text), "p.json",
					      NULL, &errs);
	ck_assert_ptr_nonnull(pf);
	struct policy_sink sink = { json_line, json_line, json_line, json_line,
				    json_line, f };
	struct policy_engine *eng = policy_engine_new(pf, &sink);
	struct lab l = { .pf = pf, .eng = eng, .now = T0 };
	struct stream s = dns_at("10.50.100.100", 2);
	stream(&l, &s, T0, T0 + 6000);
	fflush(f);
	ck_assert_ptr_nonnull(strchr(buf, '\n'));
	ck_assert_ptr_eq(strchr(buf, '\n'), buf + len - 1);	/* one line */
	json_error_t jerr;
	json_t *ev = json_loads(buf, 0, &jerr);
	ck_assert_ptr_nonnull(ev);
	ck_assert_str_eq(json_string_value(json_object_get(ev, "type")),
			 "announce");
	ck_assert_str_eq(json_string_value(json_object_get(ev, "policy")),
			 "udp-flood");
	double time = json_number_value(json_object_get(ev, "time"));
	ck_assert(time > 1700000004.4 && time < 1700000005.7);
	ck_assert_int_eq(json_integer_value(json_object_get(ev, "ttl")), 60);
	ck_assert(json_number_value(json_object_get(ev, "expires")) -
		  time > 59.99);
	ck_assert_ptr_nonnull(json_object_get(ev, "rule"));
	json_t *fp = json_object_get(ev, "fingerprint");
	json_t *top = json_array_get(json_object_get(fp, "destination_ports"), 0);
	ck_assert_int_eq(json_integer_value(json_object_get(top, "value")), 53);
	ck_assert(json_number_value(json_object_get(top, "share")) > 0.99);
	json_decref(ev);

	struct policy_clock c = clock_at(T0 + 6000);
	json_t *m = policy_engine_mitigations(eng, &c);
	json_t *one = json_array_get(json_object_get(m, "mitigations"), 0);
	ck_assert_ptr_nonnull(one);
	ck_assert_str_eq(json_string_value(json_object_get(one, "target")),
			 "10.50.100.100");
	ck_assert_int_eq(json_integer_value(json_object_get(one, "id")), 1);
	ck_assert_ptr_nonnull(json_object_get(one, "evidence"));
	ck_assert_int_le(json_integer_value(json_object_get(one, "ttl")), 60);
	ck_assert_int_ge(json_integer_value(json_object_get(one, "ttl")), 58);
	json_decref(m);
	policy_engine_finish(eng, &c);
	struct policy_engine_stats st;
	policy_engine_stats(eng, &st);
	ck_assert_uint_eq(st.active, 0);
	ck_assert_uint_eq(st.withdraws, 1);
	policy_engine_free(eng);
	policy_file_free(pf);
	fclose(f);
	free(buf);
}
END_TEST

static Suite *suite(void)
{
	Suite *s = suite_create("engine");
	TCase *tc = tcase_create("engine");
	tcase_set_timeout(tc, 60);
	tcase_add_test(tc, crossing_announces_once);
	tcase_add_test(tc, below_threshold_no_rule);
	tcase_add_test(tc, hysteresis_and_clear_time);
	tcase_add_test(tc, no_hysteresis_withdraws_below_threshold);
	tcase_add_test(tc, ban_time_is_the_minimum);
	tcase_add_test(tc, max_lifetime_caps);
	tcase_add_test(tc, dry_run_announces_nothing);
	tcase_add_test(tc, max_rules_keeps_most_traffic);
	tcase_add_test(tc, global_max_rules);
	tcase_add_test(tc, min_sources);
	tcase_add_test(tc, min_flows);
	tcase_add_test(tc, never_filter_refuses);
	tcase_add_test(tc, reflection_source_port);
	tcase_add_test(tc, syn_flood_flags);
	tcase_add_test(tc, sketch_dominance);
	tcase_add_test(tc, long_flow_is_spread);
	tcase_add_test(tc, late_flows_watermark);
	tcase_add_test(tc, memory_bound);
	tcase_add_test(tc, ipv6_flood);
	tcase_add_test(tc, window_accuracy);
	tcase_add_test(tc, tiny_table);
	tcase_add_test(tc, group_scope);
	tcase_add_test(tc, event_and_mitigation_json);
	tcase_add_test(tc, adopt_extends_while_above);
	tcase_add_test(tc, adopt_traffic_gone);
	tcase_add_test(tc, adopt_refused);
	tcase_add_test(tc, adopt_max_lifetime_caps);
	suite_add_tcase(s, tc);
	return s;
}

int main(void)
{
	SRunner *sr = srunner_create(suite());
	srunner_run_all(sr, CK_NORMAL);
	int failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
