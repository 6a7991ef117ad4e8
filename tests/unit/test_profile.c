/* Unit tests for bgpd/bgp/profile: each built-in profile's decision on
 * rules it must send, rewrite or refuse (with the reason; IPv6 prefix
 * offsets on RFC 8956 §3.8's example octets), custom
 * profiles, the != rewrite (wire-valid by fs_validate, and the same
 * match as the original on every value of the component, read as
 * RFC 8955 §4.2.1.1 defines the operators) and the redirect-to-IP
 * conversions. */
#include <stdio.h>

#include "bgpd/bgp/profile.h"
#include "nlri/text.h"
#include "vectors.h"

static struct fs_rule parse(const char *text)
{
	struct fs_rule r;
	struct fs_text_error err;
	ck_assert_msg(fs_text_parse(&r, text, NULL, &err), "%s: %s", text,
		      err.msg);
	fs_rule_normalize(&r);
	return r;
}

static struct profile builtin(const char *name)
{
	struct profile p;
	ck_assert_msg(profile_builtin(name, &p), "%s", name);
	return p;
}

/* ---- the decision table ---- */

struct decision {
	const char *profile;
	const char *rule;
	enum profile_verdict verdict;
	enum profile_reason reason;
	unsigned detail;
};

#define M(x) "flow route { match { destination 10.0.0.1/32; " x " } "
#define M6(x) "flow route { match { destination 2001:db8::/32; " x " } "

static const struct decision decisions[] = {
	/* generic: everything as it is. */
	{ "generic", M("destination-port !=80;") "then { discard; } }",
	  PROFILE_SEND, 0, 0 },
	{ "generic", M6("flow-label 1234;") "then { rate-limit 100 packets; "
	  "mark 10; action sample; redirect-to-nexthop-ietf 2001:db8::1; } }",
	  PROFILE_SEND, 0, 0 },
	/* iosxr: types 1-12; traffic-rate, redirect-vrf (AS2), marking,
	 * redirect IP next hop. */
	{ "iosxr", M("protocol tcp; destination-port =80; fragment "
	  "[ is-fragment ];") "then { discard; } }", PROFILE_SEND, 0, 0 },
	{ "iosxr", M("") "then { rate-limit 1000; mark 10; redirect 65000:100; } }",
	  PROFILE_SEND, 0, 0 },
	{ "iosxr", M("") "then { redirect 192.0.2.9; } }", PROFILE_SEND, 0, 0 },
	{ "iosxr", M6("flow-label 1234;") "then { discard; } }",
	  PROFILE_REFUSE, PROFILE_ERR_COMPONENT, FS_TYPE_FLOW_LABEL },
	{ "iosxr", M("") "then { rate-limit 100 packets; } }",
	  PROFILE_REFUSE, PROFILE_ERR_ACTION, FS_ACT_RATE_PACKETS },
	{ "iosxr", M("") "then { action sample; } }",
	  PROFILE_REFUSE, PROFILE_ERR_ACTION, FS_ACT_TRAFFIC_ACTION },
	{ "iosxr", M("") "then { redirect 192.0.2.1:100; } }",
	  PROFILE_REFUSE, PROFILE_ERR_ACTION, FS_ACT_REDIRECT_IP4 },
	{ "iosxr", M("") "then { redirect-to-nexthop-ietf 192.0.2.1; } }",
	  PROFILE_REWRITE, 0, 0 },
	{ "iosxr", M("") "then { redirect-to-nexthop-ietf 2001:db8::1; } }",
	  PROFILE_REFUSE, PROFILE_ERR_REDIRECT_CONVERT,
	  FS_ACT_REDIRECT_IP_IETF },
	/* junos: types 1-12; discard/rate-limit, sample, routing-instance. */
	{ "junos", M("tcp-flags [ syn&!ack ]; packet-length >=1000&<=1500;")
	  "then { rate-limit 1000; action sample; redirect 65000:100; } }",
	  PROFILE_SEND, 0, 0 },
	{ "junos", M6("next-header tcp;") "then { discard; } }",
	  PROFILE_SEND, 0, 0 },
	{ "junos", M("") "then { mark 10; } }",
	  PROFILE_REFUSE, PROFILE_ERR_ACTION, FS_ACT_MARK },
	{ "junos", M("") "then { redirect 192.0.2.9; } }",
	  PROFILE_REFUSE, PROFILE_ERR_REDIRECT_IP, FS_ACT_REDIRECT_NH },
	{ "junos", M("") "then { redirect-to-nexthop-ietf 192.0.2.1; } }",
	  PROFILE_REFUSE, PROFILE_ERR_REDIRECT_IP, FS_ACT_REDIRECT_IP_IETF },
	{ "junos", M6("flow-label 1;") "then { discard; } }",
	  PROFILE_REFUSE, PROFILE_ERR_COMPONENT, FS_TYPE_FLOW_LABEL },
	/* frr: types 1-13; rate, redirect VRF (three forms), redirect IP
	 * (0x0800); != rewritten. */
	{ "frr", M6("flow-label 1234;") "then { redirect 4200000000:1; } }",
	  PROFILE_SEND, 0, 0 },
	{ "frr", M("destination-port [ <80 >80 ];") "then { redirect 192.0.2.9; } }",
	  PROFILE_SEND, 0, 0 },
	{ "frr", M("destination-port !=80;") "then { discard; } }",
	  PROFILE_REWRITE, 0, 0 },
	{ "frr", M("destination-port >1024&!=8080;") "then { discard; } }",
	  PROFILE_REFUSE, PROFILE_ERR_NOT_EQUAL, FS_TYPE_DST_PORT },
	{ "frr", M("source-port !=8080&<9000;") "then { discard; } }",
	  PROFILE_REFUSE, PROFILE_ERR_NOT_EQUAL, FS_TYPE_SRC_PORT },
	{ "frr", M("") "then { mark 10; } }",
	  PROFILE_REFUSE, PROFILE_ERR_ACTION, FS_ACT_MARK },
	{ "frr", M("") "then { action terminal; } }",
	  PROFILE_REFUSE, PROFILE_ERR_ACTION, FS_ACT_TRAFFIC_ACTION },
	{ "frr", M("") "then { rate-limit 100 packets; } }",
	  PROFILE_REFUSE, PROFILE_ERR_ACTION, FS_ACT_RATE_PACKETS },
	{ "frr", M("") "then { redirect-to-nexthop-ietf 192.0.2.1; } }",
	  PROFILE_REWRITE, 0, 0 },
	/* IPv6 prefix offsets (RFC 8956 §3.1): only generic sends them;
	 * offset 0 is the plain prefix every profile carries. */
	{ "generic", M6("source ::1234:5678:9a00:0/104/64;")
	  "then { discard; } }", PROFILE_SEND, 0, 0 },
	{ "gobgp", M6("source ::1234:5678:9a00:0/104/64;")
	  "then { discard; } }",
	  PROFILE_REFUSE, PROFILE_ERR_OFFSET, FS_TYPE_SRC_PREFIX },
	{ "exabgp", "flow route { match { destination ::1:0:0/96/80; } "
	  "then { discard; } }",
	  PROFILE_REFUSE, PROFILE_ERR_OFFSET, FS_TYPE_DST_PREFIX },
	{ "frr", M6("source 0:db8:aa00::/40/16; next-header udp;")
	  "then { discard; } }",
	  PROFILE_REFUSE, PROFILE_ERR_OFFSET, FS_TYPE_SRC_PREFIX },
	{ "iosxr", M6("source ::1234:5678:9a00:0/104/65;") "then { discard; } }",
	  PROFILE_REFUSE, PROFILE_ERR_OFFSET, FS_TYPE_SRC_PREFIX },
	{ "junos", M6("source ::1234:5678:9a00:0/104/65;") "then { discard; } }",
	  PROFILE_REFUSE, PROFILE_ERR_OFFSET, FS_TYPE_SRC_PREFIX },
	{ "gobgp", M6("source 2001:db8:aa00::/40/0; next-header udp;")
	  "then { discard; } }", PROFILE_SEND, 0, 0 },
	{ "exabgp", M6("source 2001:db8:aa00::/40;") "then { discard; } }",
	  PROFILE_SEND, 0, 0 },
	{ "frr", M6("next-header tcp;") "then { discard; } }",
	  PROFILE_SEND, 0, 0 },
	{ "gobgp", M("source 192.0.2.0/24; destination-port !=80;")
	  "then { rate-limit 100 packets; mark 10; action sample; "
	  "redirect-to-nexthop-ietf 192.0.2.1; } }", PROFILE_SEND, 0, 0 },
	/* A community the profile does not know of is not an action. */
	{ "frr", M("") "then { discard; community [ 65000:666 ]; "
	  "extended-community [ 0x0002fde800000064 ]; } }", PROFILE_SEND, 0, 0 },
};

START_TEST(builtin_decisions)
{
	const struct decision *d = &decisions[_i];
	struct profile p = builtin(d->profile);
	struct fs_rule r = parse(d->rule), out;
	struct profile_result res = profile_apply(&p, &r, &out);
	char why[160];
	profile_reason_format(&p, &res, why, sizeof why);
	ck_assert_msg(res.verdict == d->verdict && res.reason == d->reason &&
			      res.detail == d->detail,
		      "%s: %s: got verdict %d reason %d detail %u (%s)",
		      d->profile, d->rule, res.verdict, res.reason, res.detail,
		      why);
	if (res.verdict == PROFILE_REWRITE) {
		ck_assert_int_eq(fs_validate(out.afi, out.match.data,
					     out.match.len, NULL), FS_OK);
		fs_rule_clear(&out);
	}
	fs_rule_clear(&r);
}
END_TEST

START_TEST(names_and_reasons)
{
	struct profile p;
	ck_assert(!profile_builtin("iosx", &p));
	ck_assert(!profile_builtin("", &p));
	profile_default(&p);
	ck_assert_str_eq(profile_name(&p), "generic");
	struct profile zero = { 0 };
	ck_assert_str_eq(profile_name(&zero), "generic");
	ck_assert(profile_equal(&p, &zero));
	struct profile frr = builtin("frr"), frr2 = builtin("frr");
	ck_assert(!profile_equal(&p, &frr));
	ck_assert(profile_equal(&frr2, &frr));
	frr2.rewrite_not_equal = false;
	ck_assert(!profile_equal(&frr2, &frr));
	/* gobgp and exabgp: generic but for offsets. */
	struct profile gobgp = builtin("gobgp"), exabgp = builtin("exabgp");
	ck_assert(!profile_equal(&gobgp, &zero));
	ck_assert(profile_equal(&gobgp, &exabgp));
	gobgp.no_ipv6_offset = false;
	ck_assert(profile_equal(&gobgp, &zero));
	ck_assert_str_eq(profile_builtin_names(),
			 "generic, iosxr, junos, frr, gobgp, exabgp");

	uint32_t bits;
	ck_assert(profile_component_parse("flow-label", &bits));
	ck_assert_uint_eq(bits, 1u << FS_TYPE_FLOW_LABEL);
	ck_assert(!profile_component_parse("destinaton", &bits));
	ck_assert(profile_action_parse("redirect", &bits));
	ck_assert_uint_eq(bits, (1u << FS_ACT_REDIRECT_AS2) |
				(1u << FS_ACT_REDIRECT_IP4) |
				(1u << FS_ACT_REDIRECT_AS4));
	ck_assert(!profile_action_parse("discard", &bits));
	enum profile_redirect_ip rip;
	ck_assert(profile_redirect_ip_parse("ietf", &rip));
	ck_assert_int_eq(rip, PROFILE_RIP_IETF);
	ck_assert(!profile_redirect_ip_parse("0x0800", &rip));

	p = builtin("iosxr");
	struct profile_result res = { .verdict = PROFILE_REFUSE,
				      .reason = PROFILE_ERR_COMPONENT,
				      .detail = FS_TYPE_FLOW_LABEL };
	char buf[160];
	profile_reason_format(&p, &res, buf, sizeof buf);
	ck_assert_str_eq(buf, "profile iosxr: component flow-label not carried");
	res = (struct profile_result){ .verdict = PROFILE_REFUSE,
				       .reason = PROFILE_ERR_ACTION,
				       .detail = FS_ACT_RATE_PACKETS };
	profile_reason_format(&p, &res, buf, sizeof buf);
	ck_assert_str_eq(buf, "profile iosxr: action rate-limit-packets not "
			      "carried");
}
END_TEST

/* RFC 8956 §3.8's two example NLRIs, as octets: each has an offset in
 * its source prefix. Refused, with the offset in the reason, by every
 * profile that reads the pre-RFC layout; sent by generic. */
START_TEST(offset_refused)
{
	const struct {
		struct vec nlri;
		unsigned offset;
	} examples[] = {
		/* source ::1234:5678:9a00:0/104 offset 64; next header =6 */
		{ VEC(FS_TYPE_SRC_PREFIX, 0x68, 0x40, 0x12, 0x34, 0x56, 0x78,
		      0x9a, FS_TYPE_IP_PROTO, FS_OP_END | FS_OP_EQ, 0x06),
		  64 },
		/* source ::1234:5678:9a00:0/104 offset 65 */
		{ VEC(FS_TYPE_SRC_PREFIX, 0x68, 0x41, 0x24, 0x68, 0xac, 0xf1,
		      0x34), 65 },
	};
	static const char *const refusing[] = { "gobgp", "exabgp", "frr",
						"iosxr", "junos" };
	for (size_t e = 0; e < sizeof examples / sizeof examples[0]; e++) {
		struct fs_rule r, out;
		fs_rule_init(&r, FS_AFI_IPV6);
		put_bytes(&r.match, examples[e].nlri.data, examples[e].nlri.len);
		ck_assert_int_eq(fs_validate(r.afi, r.match.data, r.match.len,
					     NULL), FS_OK);
		struct profile p = builtin("generic");
		ck_assert_int_eq(profile_apply(&p, &r, &out).verdict,
				 PROFILE_SEND);
		for (size_t i = 0; i < sizeof refusing / sizeof refusing[0];
		     i++) {
			p = builtin(refusing[i]);
			struct profile_result res = profile_apply(&p, &r, &out);
			ck_assert_int_eq(res.verdict, PROFILE_REFUSE);
			ck_assert_int_eq(res.reason, PROFILE_ERR_OFFSET);
			ck_assert_uint_eq(res.detail, FS_TYPE_SRC_PREFIX);
			ck_assert_uint_eq(res.offset, examples[e].offset);
		}
		fs_rule_clear(&r);
	}

	struct profile p = builtin("gobgp");
	struct profile_result res = { .verdict = PROFILE_REFUSE,
				      .reason = PROFILE_ERR_OFFSET,
				      .detail = FS_TYPE_SRC_PREFIX,
				      .offset = 64 };
	char buf[160];
	profile_reason_format(&p, &res, buf, sizeof buf);
	ck_assert_str_eq(buf, "profile gobgp: source prefix offset 64: gobgp "
			      "reads the pre-RFC 8956 IPv6 prefix layout");
	/* A custom profile that turns offsets on again over frr's. */
	p = builtin("frr");
	p.no_ipv6_offset = false;
	ck_assert(!profile_equal(&p, &(struct profile){ 0 }));
	struct fs_rule r = parse(M6("source ::1234:5678:9a00:0/104/64;")
				 "then { discard; } }"), out;
	ck_assert_int_eq(profile_apply(&p, &r, &out).verdict, PROFILE_SEND);
	fs_rule_clear(&r);
}
END_TEST

START_TEST(custom_profile)
{
	/* Only IPv4, only destination and protocol, only discard/rate. */
	struct profile p = { .no_ipv6 = true };
	uint32_t dst, proto, rate;
	ck_assert(profile_component_parse("destination", &dst));
	ck_assert(profile_component_parse("protocol", &proto));
	ck_assert(profile_action_parse("rate-limit", &rate));
	p.no_components = PROFILE_COMPONENTS_ALL & ~(dst | proto);
	p.no_actions = PROFILE_ACTIONS_ALL & ~rate;
	p.redirect_ip = PROFILE_RIP_NONE;
	struct fs_rule out;
	struct fs_rule r = parse(M("protocol udp;") "then { discard; } }");
	ck_assert_int_eq(profile_apply(&p, &r, &out).verdict, PROFILE_SEND);
	fs_rule_clear(&r);
	r = parse(M("destination-port 53;") "then { discard; } }");
	struct profile_result res = profile_apply(&p, &r, &out);
	ck_assert_int_eq(res.reason, PROFILE_ERR_COMPONENT);
	ck_assert_uint_eq(res.detail, FS_TYPE_DST_PORT);
	fs_rule_clear(&r);
	r = parse(M6("") "then { discard; } }");
	ck_assert_int_eq(profile_apply(&p, &r, &out).reason, PROFILE_ERR_IPV6);
	fs_rule_clear(&r);
}
END_TEST

/* ---- the != rewrite: same meaning, valid wire ---- */

static bool op_true(const struct fs_op *op, uint64_t v)
{
	return ((op->bits & FS_OP_LT) && v < op->value) ||
	       ((op->bits & FS_OP_GT) && v > op->value) ||
	       ((op->bits & FS_OP_EQ) && v == op->value);
}

/* A numeric component's match of v, read as an OR of AND runs
 * (and_first) or strictly from left to right: a rewrite must agree with
 * the original under both readings. */
static bool eval(const struct fs_component *c, uint64_t v, bool and_first)
{
	struct reader r = c->ops;
	struct fs_op op;
	bool any = false, run = false, first = true;
	while (fs_op_next(&r, c, &op)) {
		bool t = op_true(&op, v);
		if (first)
			run = t;
		else if (!and_first)
			run = op.and ? run && t : run || t;
		else if (op.and)
			run = run && t;
		else {
			any = any || run;
			run = t;
		}
		first = false;
	}
	return any || run;
}

static bool component(const struct fs_rule *r, enum fs_type type,
		      struct fs_component *c)
{
	struct fs_iter it;
	fs_iter_init(&it, r->afi, r->match.data, r->match.len);
	while (fs_iter_next(&it, c))
		if (c->type == type)
			return true;
	return false;
}

/* Every component of a and b is the same match: numeric ones on every
 * value up to 65535 and the last 4096 below their limit (the flow label
 * goes to 2^20 - 1), the others octet for octet. */
static void same_meaning(const struct fs_rule *a, const struct fs_rule *b)
{
	for (unsigned t = 1; t <= FS_TYPE_MAX; t++) {
		struct fs_component ca, cb;
		bool ha = component(a, t, &ca), hb = component(b, t, &cb);
		ck_assert_int_eq(ha, hb);
		if (!ha)
			continue;
		if (ca.kind != FS_KIND_NUMERIC) {
			ck_assert_uint_eq(ca.wire_len, cb.wire_len);
			ck_assert(memcmp(ca.wire, cb.wire, ca.wire_len) == 0);
			continue;
		}
		for (uint64_t v = 0; v <= ca.limit; v++) {
			if (v == 65536 && ca.limit > 65536 + 4096)
				v = ca.limit - 4096;
			for (int and_first = 0; and_first < 2; and_first++)
				ck_assert_msg(eval(&ca, v, and_first) ==
						      eval(&cb, v, and_first),
					      "type %u value %llu", t,
					      (unsigned long long)v);
		}
	}
}

static const char *const rewrites[] = {
	M("destination-port !=80;") "then { discard; } }",
	M("protocol [ =6 !=17 ]; destination-port [ =22 !=8080 >60000 ]; "
	  "packet-length !=1500;") "then { discard; } }",
	M("source-port !=0; dscp !=46; icmp-type [ !=8 =0 ];")
	"then { rate-limit 1000; } }",
	M("port true;") "then { discard; } }",
	M("destination-port [ >1024&<2048 !=3000 ];") "then { discard; } }",
	M6("next-header !=58; flow-label !=1234;") "then { discard; } }",
};

START_TEST(not_equal_rewrite_keeps_the_meaning)
{
	struct profile p = builtin("frr");
	struct fs_rule r = parse(rewrites[_i]), out;
	struct profile_result res = profile_apply(&p, &r, &out);
	ck_assert_msg(res.verdict == PROFILE_REWRITE, "%s: %d/%d", rewrites[_i],
		      res.verdict, res.reason);
	size_t off;
	ck_assert_int_eq(fs_validate(out.afi, out.match.data, out.match.len,
				     &off), FS_OK);
	/* No operator with both < and > is left. */
	struct fs_iter it;
	struct fs_component c;
	fs_iter_init(&it, out.afi, out.match.data, out.match.len);
	while (fs_iter_next(&it, &c)) {
		struct reader ops = c.ops;
		struct fs_op op;
		while (c.kind == FS_KIND_NUMERIC && fs_op_next(&ops, &c, &op))
			ck_assert((op.bits & (FS_OP_LT | FS_OP_GT)) !=
				  (FS_OP_LT | FS_OP_GT));
	}
	same_meaning(&r, &out);
	/* The actions are untouched. */
	ck_assert_uint_eq(out.ext.len, r.ext.len);
	ck_assert(!r.ext.len || memcmp(out.ext.data, r.ext.data, r.ext.len) == 0);
	/* The rewrite is stable: frr sends it as it is. */
	struct fs_rule again;
	ck_assert_int_eq(profile_apply(&p, &out, &again).verdict, PROFILE_SEND);
	fs_rule_clear(&out);
	fs_rule_clear(&r);
}
END_TEST

START_TEST(not_equal_rewrite_octets)
{
	/* destination-port !=80 -> <80 >80 (RFC 8955 §4.2.1.1 operators). */
	struct profile p = builtin("frr");
	struct fs_rule r = parse("flow route { match { destination-port !=80; } }");
	struct fs_rule out;
	ck_assert_int_eq(profile_apply(&p, &r, &out).verdict, PROFILE_REWRITE);
	struct vec want = VEC(FS_TYPE_DST_PORT, FS_OP_LT, 80,
			      FS_OP_END | FS_OP_GT, 80);
	ck_assert_uint_eq(out.match.len, want.len);
	ck_assert(memcmp(out.match.data, want.data, want.len) == 0);
	char *text = fs_text_string(&out);
	ck_assert_str_eq(text, "flow route { match { destination-port [ <80 >80 ]; } "
			       "then { accept; } }");
	free(text);
	fs_rule_clear(&out);
	fs_rule_clear(&r);

	/* "true" (all three bits) -> >=0. */
	r = parse("flow route { match { port true; } }");
	ck_assert_int_eq(profile_apply(&p, &r, &out).verdict, PROFILE_REWRITE);
	want = VEC(FS_TYPE_PORT, FS_OP_END | FS_OP_GT | FS_OP_EQ, 0);
	ck_assert_uint_eq(out.match.len, want.len);
	ck_assert(memcmp(out.match.data, want.data, want.len) == 0);
	fs_rule_clear(&out);
	fs_rule_clear(&r);
}
END_TEST

/* ---- redirect-to-IP conversions ---- */

START_TEST(redirect_ip_ietf_to_nexthop)
{
	struct profile p = builtin("iosxr");
	struct fs_rule r = parse(M("") "then { copy-to-nexthop-ietf 192.0.2.1; "
				 "discard; } }"), out;
	ck_assert_int_eq(profile_apply(&p, &r, &out).verdict, PROFILE_REWRITE);
	char *text = fs_text_string(&out);
	ck_assert_str_eq(text, "flow route { match { destination 10.0.0.1/32; } "
			       "then { copy 192.0.2.1; discard; } }");
	free(text);
	ck_assert_int_eq(out.nexthop.family, ADDR_V4);
	/* The match is the same NLRI. */
	ck_assert_uint_eq(out.match.len, r.match.len);
	ck_assert(memcmp(out.match.data, r.match.data, r.match.len) == 0);
	fs_rule_clear(&out);
	fs_rule_clear(&r);
}
END_TEST

START_TEST(redirect_ip_nexthop_to_ietf)
{
	struct profile p = { .name = "custom", .redirect_ip = PROFILE_RIP_IETF };
	struct fs_rule r = parse(M6("") "then { redirect 2001:db8::9; } }"), out;
	ck_assert_int_eq(profile_apply(&p, &r, &out).verdict, PROFILE_REWRITE);
	char *text = fs_text_string(&out);
	ck_assert_str_eq(text, "flow route { match { destination 2001:db8::/32; } "
			       "then { redirect-to-nexthop-ietf 2001:db8::9; } }");
	free(text);
	ck_assert_int_eq(out.nexthop.family, ADDR_NONE);
	ck_assert_uint_eq(out.ext6.len, EXT6_COMMUNITY_LEN);
	ck_assert_uint_eq(out.ext.len, 0);
	fs_rule_clear(&out);
	fs_rule_clear(&r);

	/* 0x0800 with no next hop: nothing to put in the community. */
	r = parse(M("") "then { redirect-to-nexthop; } }");
	struct profile_result res = profile_apply(&p, &r, &out);
	ck_assert_int_eq(res.verdict, PROFILE_REFUSE);
	ck_assert_int_eq(res.reason, PROFILE_ERR_REDIRECT_CONVERT);
	fs_rule_clear(&r);
}
END_TEST

static Suite *profile_suite(void)
{
	Suite *s = suite_create("profile");
	TCase *tc = tcase_create("decisions");
	tcase_add_loop_test(tc, builtin_decisions, 0,
			    sizeof decisions / sizeof decisions[0]);
	tcase_add_test(tc, names_and_reasons);
	tcase_add_test(tc, offset_refused);
	tcase_add_test(tc, custom_profile);
	suite_add_tcase(s, tc);
	tc = tcase_create("rewrite");
	tcase_add_loop_test(tc, not_equal_rewrite_keeps_the_meaning, 0,
			    sizeof rewrites / sizeof rewrites[0]);
	tcase_add_test(tc, not_equal_rewrite_octets);
	tcase_add_test(tc, redirect_ip_ietf_to_nexthop);
	tcase_add_test(tc, redirect_ip_nexthop_to_ietf);
	suite_add_tcase(s, tc);
	return s;
}

TEST_MAIN(profile_suite)
