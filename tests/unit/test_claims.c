/* Unit tests for the claims of bgpd/rib (rib.h): precedence of api,
 * static and policy claims, one origin never removing another's claim,
 * the union of targets, flush, per-claim expiry on a fake clock, and the
 * never_filter check (bgpd/rib/protect.c). */
#include <stdio.h>

#include "bgpd/rib/rib.h"
#include "nlri/text.h"
#include "vectors.h"

static int64_t fake_now = 1000;
static int64_t fake_clock(void)
{
	return fake_now;
}

static struct fs_rule rule_of(const char *text)
{
	struct fs_rule r;
	struct fs_text_error err;
	ck_assert_msg(fs_text_parse(&r, text, NULL, &err), "%s: col %zu: %s",
		      text, err.col, err.msg);
	return r;
}

static enum rib_result announce(struct rib *rib, const char *text,
				const struct rib_opts *o,
				const struct rib_entry **out)
{
	struct fs_rule r = rule_of(text);
	enum rib_result res = rib_announce(rib, &r, o, out);
	fs_rule_clear(&r);
	return res;
}

static enum rib_result withdraw(struct rib *rib, enum rib_origin origin,
				const char *policy, const char *text)
{
	struct fs_rule r = rule_of(text);
	enum rib_result res = rib_withdraw_claim(rib, origin, policy, r.afi,
						 r.match.data, r.match.len);
	fs_rule_clear(&r);
	return res;
}

static const struct rib_entry *find(struct rib *rib, const char *text)
{
	struct fs_rule r = rule_of(text);
	const struct rib_entry *e = rib_find(rib, r.afi, r.match.data,
					     r.match.len);
	fs_rule_clear(&r);
	return e;
}

struct calls {
	int n, withdrawn;
};

static void record(void *ctx, enum fs_afi afi, const uint8_t *match,
		   size_t len, const struct rib_entry *e)
{
	(void)afi;
	(void)match;
	(void)len;
	struct calls *c = ctx;
	c->n++;
	c->withdrawn += !e;
}

#define M "match { destination 10.50.100.100/32; protocol tcp; }"
#define DISCARD "flow route { " M " then { discard; } }"
#define RATE(n) "flow route { " M " then { rate-limit " #n "; } }"

static const struct rib_opts API = { .origin = RIB_ORIGIN_API };
static const struct rib_opts STATIC = { .origin = RIB_ORIGIN_STATIC };

static struct rib_opts policy(const char *name)
{
	return (struct rib_opts){ .origin = RIB_ORIGIN_POLICY, .policy = name };
}

static const char *winner(const struct rib_entry *e)
{
	static char buf[80];
	return rib_claim_origin(e->claims, buf, sizeof buf);
}

/* ---- precedence ---------------------------------------------------------- */

START_TEST(api_then_static_then_policies_by_name)
{
	struct rib *rib = rib_new(fake_clock);
	struct calls c = { 0 };
	struct rib_listener l = { record, &c };
	rib_listen(rib, &l);
	struct rib_opts pb = policy("b"), pa = policy("a");
	const struct rib_entry *e;

	ck_assert_int_eq(announce(rib, DISCARD, &pb, &e), RIB_ADDED);
	ck_assert_str_eq(winner(e), "policy:b");
	uint64_t id = e->id;
	/* policy:a sorts first: its actions win among policies. */
	ck_assert_int_eq(announce(rib, RATE(1000), &pa, &e), RIB_ADDED);
	ck_assert_str_eq(winner(e), "policy:a");
	ck_assert_ptr_nonnull(strstr(rib_entry_text(e), "rate-limit 1000"));
	ck_assert_int_eq(announce(rib, RATE(2000), &STATIC, &e), RIB_ADDED);
	ck_assert_str_eq(winner(e), "static");
	ck_assert_int_eq(announce(rib, RATE(3000), &API, &e), RIB_ADDED);
	ck_assert_str_eq(winner(e), "api");
	ck_assert_ptr_nonnull(strstr(rib_entry_text(e), "rate-limit 3000"));
	ck_assert_uint_eq(e->id, id);
	ck_assert_uint_eq(rib_count(rib), 1);

	/* The claims in precedence order. */
	const char *want[] = { "api", "static", "policy:a", "policy:b" };
	size_t n = 0;
	for (const struct rib_claim *cl = e->claims; cl; cl = cl->next, n++) {
		char buf[80];
		ck_assert_str_eq(rib_claim_origin(cl, buf, sizeof buf), want[n]);
	}
	ck_assert_uint_eq(n, 4);

	/* A policy replaces its own claim, never the announced actions. */
	ck_assert_int_eq(announce(rib, DISCARD, &pa, &e), RIB_REPLACED);
	ck_assert_str_eq(winner(e), "api");
	ck_assert_ptr_nonnull(strstr(rib_entry_text(e), "rate-limit 3000"));
	char *text = rib_claim_text(e, rib_claim_of(e, RIB_ORIGIN_POLICY, "a"));
	ck_assert_ptr_nonnull(strstr(text, "discard"));
	free(text);
	ck_assert_int_eq(announce(rib, DISCARD, &pa, NULL), RIB_UNCHANGED);
	ck_assert_int_eq(c.n, 5);

	/* Withdrawing claims one by one: the next one's actions. */
	ck_assert_int_eq(withdraw(rib, RIB_ORIGIN_API, NULL, DISCARD),
			 RIB_WITHDRAWN);
	e = find(rib, DISCARD);
	ck_assert_str_eq(winner(e), "static");
	ck_assert_ptr_nonnull(strstr(rib_entry_text(e), "rate-limit 2000"));
	ck_assert_int_eq(withdraw(rib, RIB_ORIGIN_API, NULL, DISCARD),
			 RIB_NOT_FOUND);
	ck_assert_int_eq(withdraw(rib, RIB_ORIGIN_STATIC, NULL, DISCARD),
			 RIB_WITHDRAWN);
	ck_assert_int_eq(withdraw(rib, RIB_ORIGIN_POLICY, "a", DISCARD),
			 RIB_WITHDRAWN);
	e = find(rib, DISCARD);
	ck_assert_str_eq(winner(e), "policy:b");
	ck_assert_int_eq(c.withdrawn, 0);
	ck_assert_int_eq(withdraw(rib, RIB_ORIGIN_POLICY, "b", DISCARD),
			 RIB_WITHDRAWN);
	ck_assert_int_eq(c.withdrawn, 1);
	ck_assert_uint_eq(rib_count(rib), 0);
	ck_assert_ptr_null(rib_find_id(rib, id));
	rib_free(rib);
}
END_TEST

START_TEST(a_policy_never_removes_an_api_or_static_claim)
{
	struct rib *rib = rib_new(fake_clock);
	struct rib_opts pa = policy("a");
	ck_assert_int_eq(announce(rib, DISCARD, &API, NULL), RIB_ADDED);
	ck_assert_int_eq(withdraw(rib, RIB_ORIGIN_POLICY, "a", DISCARD),
			 RIB_NOT_FOUND);
	ck_assert_uint_eq(rib_flush(rib, RIB_ORIGIN_POLICY, NULL), 0);
	ck_assert_int_eq(announce(rib, RATE(1), &pa, NULL), RIB_ADDED);
	ck_assert_uint_eq(rib_flush(rib, RIB_ORIGIN_POLICY, "a"), 1);
	const struct rib_entry *e = find(rib, DISCARD);
	ck_assert_ptr_nonnull(e);
	ck_assert_str_eq(winner(e), "api");
	ck_assert_ptr_null(e->claims->next);
	/* A policy claim needs a name without blanks. */
	struct rib_opts bad = policy("");
	ck_assert_int_eq(announce(rib, DISCARD, &bad, NULL), RIB_INVALID);
	bad = policy("two words");
	ck_assert_int_eq(announce(rib, DISCARD, &bad, NULL), RIB_INVALID);
	ck_assert_int_eq(withdraw(rib, RIB_ORIGIN_POLICY, NULL, DISCARD),
			 RIB_INVALID);
	rib_free(rib);
}
END_TEST

START_TEST(targets_are_the_union_of_the_claims)
{
	struct rib *rib = rib_new(fake_clock);
	struct addr p1, p2, p3;
	addr_parse(&p1, "192.0.2.1", 9);
	addr_parse(&p2, "192.0.2.2", 9);
	addr_parse(&p3, "192.0.2.3", 9);
	struct rib_opts api = { .origin = RIB_ORIGIN_API, .ntargets = 1,
				.targets = { p2 } };
	struct rib_opts st = { .origin = RIB_ORIGIN_STATIC, .ntargets = 2,
			       .targets = { p1, p2 } };
	const struct rib_entry *e;
	announce(rib, DISCARD, &api, &e);
	ck_assert_uint_eq(e->ntargets, 1);
	announce(rib, RATE(5), &st, &e);
	ck_assert_uint_eq(e->ntargets, 2);
	ck_assert(rib_entry_targets(e, &p1));
	ck_assert(rib_entry_targets(e, &p2));
	ck_assert(!rib_entry_targets(e, &p3));
	/* The api claim's actions go to p1 too. */
	ck_assert_ptr_nonnull(strstr(rib_entry_text(e), "discard"));
	/* A claim for every peer: the rule goes to every peer. */
	struct rib_opts pa = policy("a");
	announce(rib, RATE(5), &pa, &e);
	ck_assert_uint_eq(e->ntargets, 0);
	ck_assert(rib_entry_targets(e, &p3));
	ck_assert_uint_eq(rib_flush(rib, RIB_ORIGIN_POLICY, NULL), 1);
	e = find(rib, DISCARD);
	ck_assert_uint_eq(e->ntargets, 2);
	rib_free(rib);
}
END_TEST

START_TEST(flush_takes_one_origin)
{
	struct rib *rib = rib_new(fake_clock);
	struct rib_opts pa = policy("a"), pb = policy("b");
	const char *rules[] = {
		"flow route { match { destination 10.0.0.1/32; } then { discard; } }",
		"flow route { match { destination 10.0.0.2/32; } then { discard; } }",
		"flow route { match { destination 10.0.0.3/32; } then { discard; } }",
	};
	announce(rib, rules[0], &API, NULL);
	announce(rib, rules[1], &API, NULL);
	announce(rib, rules[1], &STATIC, NULL);
	announce(rib, rules[2], &pa, NULL);
	announce(rib, rules[2], &pb, NULL);
	ck_assert_uint_eq(rib_flush(rib, RIB_ORIGIN_API, NULL), 2);
	ck_assert_uint_eq(rib_count(rib), 2);
	ck_assert_str_eq(winner(find(rib, rules[1])), "static");
	ck_assert_uint_eq(rib_flush(rib, RIB_ORIGIN_POLICY, "b"), 1);
	ck_assert_uint_eq(rib_count(rib), 2);
	ck_assert_uint_eq(rib_flush(rib, RIB_ORIGIN_POLICY, NULL), 1);
	ck_assert_uint_eq(rib_flush(rib, RIB_ORIGIN_STATIC, NULL), 1);
	ck_assert_uint_eq(rib_count(rib), 0);
	rib_free(rib);
}
END_TEST

/* ---- expiry per claim -------------------------------------------------- */

START_TEST(each_claim_expires_on_its_own)
{
	fake_now = 1000;
	struct rib *rib = rib_new(fake_clock);
	struct calls c = { 0 };
	struct rib_listener l = { record, &c };
	rib_listen(rib, &l);
	struct rib_opts api = { .origin = RIB_ORIGIN_API, .ttl_s = 5 };
	struct rib_opts pa = { .origin = RIB_ORIGIN_POLICY, .policy = "a",
			       .ttl_s = 60, .expires_ms = 11000 };
	const struct rib_entry *e;
	announce(rib, DISCARD, &api, &e);
	announce(rib, RATE(9), &pa, &e);
	/* The earlier of ttl and absolute expiry; the rule lasts as long
	 * as its last claim. */
	ck_assert_int_eq(rib_claim_of(e, RIB_ORIGIN_POLICY, "a")->expires_ms,
			 11000);
	ck_assert_int_eq(e->expires_ms, 11000);
	ck_assert_int_eq(rib_next_expiry(rib), 6000);
	fake_now = 6000;
	ck_assert_uint_eq(rib_expire(rib), 1);
	e = find(rib, DISCARD);
	ck_assert_str_eq(winner(e), "policy:a");
	ck_assert_ptr_nonnull(strstr(rib_entry_text(e), "rate-limit 9"));
	ck_assert_int_eq(c.withdrawn, 0);
	/* A static claim without expiry keeps the rule. */
	announce(rib, DISCARD, &STATIC, &e);
	ck_assert_int_eq(e->expires_ms, 0);
	fake_now = 11000;
	ck_assert_uint_eq(rib_expire(rib), 1);
	e = find(rib, DISCARD);
	ck_assert_str_eq(winner(e), "static");
	ck_assert_ptr_null(e->claims->next);
	ck_assert_int_eq(rib_next_expiry(rib), 0);
	ck_assert_uint_eq(rib_flush(rib, RIB_ORIGIN_STATIC, NULL), 1);
	ck_assert_int_eq(c.withdrawn, 1);

	/* The last claim expiring withdraws the rule. */
	api.ttl_s = 1;
	announce(rib, DISCARD, &api, NULL);
	fake_now = 12000;
	ck_assert_uint_eq(rib_expire(rib), 1);
	ck_assert_uint_eq(rib_count(rib), 0);
	ck_assert_int_eq(c.withdrawn, 2);
	rib_free(rib);
}
END_TEST

/* ---- never_filter ------------------------------------------------------ */

static struct prefix pfx(const char *s)
{
	struct prefix p;
	ck_assert_msg(prefix_parse(&p, s, strlen(s)), "%s", s);
	return p;
}

static enum rib_result try(struct rib *rib, const char *match, char *why,
			   size_t whylen)
{
	char text[256];
	snprintf(text, sizeof text, "flow route { match { %s } then { discard; } }",
		 match);
	struct fs_rule r = rule_of(text);
	why[0] = '\0';
	rib_protected(rib, &r, why, whylen);
	enum rib_result res = rib_announce(rib, &r, &API, NULL);
	fs_rule_clear(&r);
	return res;
}

START_TEST(never_filter_refuses_overlapping_destinations)
{
	struct rib *rib = rib_new(fake_clock);
	const struct prefix cfg[] = { pfx("10.50.0.1/32"),
				      pfx("2001:db8:0:5::/64") };
	const struct prefix pol[] = { pfx("10.60.0.0/24") };
	ck_assert(rib_set_protected(rib, RIB_PROTECT_CONFIG, cfg, 2));
	char why[200];
	ck_assert_int_eq(try(rib, "destination 10.50.0.0/16;", why, sizeof why),
			 RIB_PROTECTED);
	ck_assert_str_eq(why, "destination 10.50.0.0/16 covers never_filter "
			 "prefix 10.50.0.1/32");
	ck_assert_int_eq(try(rib, "destination 10.50.0.1/32; protocol udp;",
			     why, sizeof why), RIB_PROTECTED);
	ck_assert_int_eq(try(rib, "destination 10.50.0.2/32;", why, sizeof why),
			 RIB_ADDED);
	/* The policy file's list adds to the config's. */
	ck_assert_int_eq(try(rib, "destination 10.60.0.7/32;", why, sizeof why),
			 RIB_ADDED);
	ck_assert(rib_set_protected(rib, RIB_PROTECT_POLICY, pol, 1));
	ck_assert_int_eq(try(rib, "destination 10.60.0.8/32;", why, sizeof why),
			 RIB_PROTECTED);
	ck_assert_str_eq(why, "destination 10.60.0.8/32 is inside never_filter "
			 "prefix 10.60.0.0/24");
	/* Set earlier: stays (rib.h). */
	ck_assert_uint_eq(rib_count(rib), 2);
	/* No destination: every destination, so refused while its family
	 * has a protected prefix. */
	ck_assert_int_eq(try(rib, "source 192.0.2.0/24;", why, sizeof why),
			 RIB_PROTECTED);
	ck_assert_str_eq(why, "a rule without destination covers never_filter "
			 "prefix 10.50.0.1/32");
	ck_assert(rib_set_protected(rib, RIB_PROTECT_POLICY, NULL, 0));
	/* IPv6: with an offset, the bits from the offset on count. */
	ck_assert_int_eq(try(rib, "destination 2001:db8::/32;", why, sizeof why),
			 RIB_PROTECTED);
	ck_assert_int_eq(try(rib, "destination 0:0:0:5::/64/48;", why,
			     sizeof why), RIB_PROTECTED);
	ck_assert_str_eq(why, "destination 0:0:0:5::/64/48 covers never_filter "
			 "prefix 2001:db8:0:5::/64");
	ck_assert_int_eq(try(rib, "destination 0:0:0:6::/64/48;", why,
			     sizeof why), RIB_ADDED);
	ck_assert_int_eq(try(rib, "destination 2001:db8:0:6::/64;", why,
			     sizeof why), RIB_ADDED);
	/* Families apart: no IPv4 list, an IPv4 rule without destination. */
	ck_assert(rib_set_protected(rib, RIB_PROTECT_CONFIG, cfg + 1, 1));
	ck_assert_int_eq(try(rib, "source 192.0.2.0/24;", why, sizeof why),
			 RIB_ADDED);
	ck_assert_int_eq(try(rib, "flow-label 5;", why, sizeof why),
			 RIB_PROTECTED);
	rib_free(rib);
}
END_TEST

START_TEST(origin_names)
{
	enum rib_origin o;
	const char *p;
	ck_assert(rib_origin_parse("api", &o, &p));
	ck_assert_int_eq(o, RIB_ORIGIN_API);
	ck_assert_ptr_null(p);
	ck_assert(rib_origin_parse("static", &o, &p));
	ck_assert_int_eq(o, RIB_ORIGIN_STATIC);
	ck_assert(rib_origin_parse("policy:http-flood", &o, &p));
	ck_assert_int_eq(o, RIB_ORIGIN_POLICY);
	ck_assert_str_eq(p, "http-flood");
	ck_assert(!rib_origin_parse("policy:", &o, &p));
	ck_assert(!rib_origin_parse("policy", &o, &p));
	ck_assert(!rib_origin_parse("peer", &o, &p));
	ck_assert(!rib_origin_parse("API", &o, &p));
}
END_TEST

/* A claim's since: now when first claimed, kept when its origin
 * replaces it, a given one starts it anew (never "unchanged"). */
START_TEST(since_is_the_first_claim)
{
	struct rib *rib = rib_new(fake_clock);
	struct rib_opts pol = { .origin = RIB_ORIGIN_POLICY, .policy = "p",
				.ttl_s = 60 };
	fake_now = 1000;
	ck_assert_int_eq(announce(rib, DISCARD, &pol, NULL), RIB_ADDED);
	fake_now = 5000;
	ck_assert_int_eq(announce(rib, DISCARD, &pol, NULL), RIB_REPLACED);
	const struct rib_claim *c =
		rib_claim_of(find(rib, DISCARD), RIB_ORIGIN_POLICY, "p");
	ck_assert_int_eq(c->since_ms, 1000);
	ck_assert_int_eq(c->expires_ms, 65000);
	pol.since_ms = 4000;
	pol.ttl_s = 0;
	pol.expires_ms = 65000;
	ck_assert_int_eq(announce(rib, DISCARD, &pol, NULL), RIB_REPLACED);
	c = rib_claim_of(find(rib, DISCARD), RIB_ORIGIN_POLICY, "p");
	ck_assert_int_eq(c->since_ms, 4000);
	pol.since_ms = 0;
	ck_assert_int_eq(announce(rib, DISCARD, &pol, NULL), RIB_UNCHANGED);
	ck_assert_int_eq(rib_claim_of(find(rib, DISCARD), RIB_ORIGIN_POLICY,
				      "p")->since_ms, 4000);
	rib_free(rib);
}
END_TEST

static Suite *claims_suite(void)
{
	Suite *s = suite_create("claims");
	ADD_CASE(s, "precedence", api_then_static_then_policies_by_name,
		 a_policy_never_removes_an_api_or_static_claim,
		 targets_are_the_union_of_the_claims, flush_takes_one_origin,
		 origin_names);
	ADD_CASE(s, "expiry", each_claim_expires_on_its_own,
		 since_is_the_first_claim);
	ADD_CASE(s, "never_filter",
		 never_filter_refuses_overlapping_destinations);
	return s;
}

TEST_MAIN(claims_suite)
