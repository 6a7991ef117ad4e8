/* Unit tests for nlri/actions: every Flowspec action to and from its
 * extended community, with the octets written out by hand from RFC 8955
 * §7, RFC 7674, RFC 4360 / RFC 5701 and the redirect-to-IP drafts. */
#include "nlri/actions.h"
#include "vectors.h"

static struct addr addr_of(const char *s)
{
	struct addr a;
	ck_assert_msg(addr_parse(&a, s, strlen(s)), "addr %s", s);
	return a;
}

/* Encodes a, checks the octets, decodes them back, checks the fields
 * compare equal via a second encoding, and returns the decoded action. */
static struct fs_action round_trip(const struct fs_action *a, struct vec want)
{
	struct writer w = writer_init(0);
	unsigned n = fs_action_put(&w, a);
	ck_assert(!w.err);
	ck_assert_uint_eq(n, want.len);
	ck_assert_octets(w.data, w.len, want);
	ck_assert_int_eq(fs_action_is_ext6(a), want.len == EXT6_COMMUNITY_LEN);

	uint8_t *raw = exact_copy(want.data, want.len);
	struct fs_action d;
	fs_action_decode(&d, raw, (unsigned)want.len);
	free(raw);
	ck_assert_int_eq(d.type, a->type);
	ck_assert_uint_eq(d.raw_len, want.len);
	ck_assert_mem_eq(d.raw, want.data, want.len);

	writer_reset(&w);
	ck_assert_uint_eq(fs_action_put(&w, &d), want.len);
	ck_assert_octets(w.data, w.len, want);
	writer_free(&w);
	return d;
}

START_TEST(traffic_rate_bytes)
{
	/* RFC 8955 §7.1: type 0x80, sub-type 0x06, a 2-octet AS
	 * (informational), then the rate in bytes per second as an IEEE 754
	 * single: 1000000.0 = 0x49742400 (sign 0, exponent 19 + 127 = 0x92,
	 * mantissa 0x742400). */
	struct fs_action a = { .type = FS_ACT_RATE_BYTES, .rate = 1000000.0f };
	struct fs_action d = round_trip(
		&a, VEC(0x80, 0x06, 0x00, 0x00, 0x49, 0x74, 0x24, 0x00));
	ck_assert_float_eq(d.rate, 1000000.0f);
	ck_assert_uint_eq(d.rate_as, 0);

	/* The AS field is carried as it is. */
	a.rate_as = 65000;
	a.rate = 1.5f;	/* 0x3fc00000 */
	d = round_trip(&a, VEC(0x80, 0x06, 0xfd, 0xe8, 0x3f, 0xc0, 0x00, 0x00));
	ck_assert_uint_eq(d.rate_as, 65000);
	ck_assert_float_eq(d.rate, 1.5f);
}
END_TEST

START_TEST(discard_is_rate_zero)
{
	/* RFC 8955 §7.1: a rate of 0 discards all traffic. */
	struct fs_action a = { .type = FS_ACT_RATE_BYTES, .rate = 0.0f };
	struct fs_action d = round_trip(
		&a, VEC(0x80, 0x06, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00));
	ck_assert_float_eq(d.rate, 0.0f);
}
END_TEST

START_TEST(traffic_rate_packets)
{
	/* RFC 8955 §7.2 traffic-rate-packets, sub-type 0x0c: 5000 packets/s =
	 * 0x459c4000 (exponent 12 + 127 = 0x8b, mantissa 0x1c4000). */
	struct fs_action a = { .type = FS_ACT_RATE_PACKETS, .rate = 5000.0f };
	struct fs_action d = round_trip(
		&a, VEC(0x80, 0x0c, 0x00, 0x00, 0x45, 0x9c, 0x40, 0x00));
	ck_assert_float_eq(d.rate, 5000.0f);
}
END_TEST

START_TEST(traffic_action)
{
	/* RFC 8955 §7.3: 0x8007, the flags in the last octet: terminal is
	 * bit 47 (0x01), sample bit 46 (0x02). */
	ck_assert_uint_eq(FS_ACTION_TERMINAL, 0x01);
	ck_assert_uint_eq(FS_ACTION_SAMPLE, 0x02);
	struct fs_action a = { .type = FS_ACT_TRAFFIC_ACTION,
			       .flags = FS_ACTION_SAMPLE };
	struct fs_action d = round_trip(
		&a, VEC(0x80, 0x07, 0x00, 0x00, 0x00, 0x00, 0x00, 0x02));
	ck_assert_uint_eq(d.flags, FS_ACTION_SAMPLE);
	a.flags = FS_ACTION_TERMINAL;
	d = round_trip(&a, VEC(0x80, 0x07, 0x00, 0x00, 0x00, 0x00, 0x00, 0x01));
	ck_assert_uint_eq(d.flags, FS_ACTION_TERMINAL);
	a.flags = FS_ACTION_SAMPLE | FS_ACTION_TERMINAL;
	d = round_trip(&a, VEC(0x80, 0x07, 0x00, 0x00, 0x00, 0x00, 0x00, 0x03));
	ck_assert_uint_eq(d.flags, 0x03);
}
END_TEST

START_TEST(redirect_as2)
{
	/* RFC 7674 §3.1 (2-octet AS specific, 0x8008): redirect 65000:100. */
	struct fs_action a = { .type = FS_ACT_REDIRECT_AS2, .asn = 65000,
			       .local = 100 };
	struct fs_action d = round_trip(
		&a, VEC(0x80, 0x08, 0xfd, 0xe8, 0x00, 0x00, 0x00, 0x64));
	ck_assert_uint_eq(d.asn, 65000);
	ck_assert_uint_eq(d.local, 100);

	/* The local part has four octets here. */
	a.local = 4000000000u;	/* 0xee6b2800 */
	d = round_trip(&a, VEC(0x80, 0x08, 0xfd, 0xe8, 0xee, 0x6b, 0x28, 0x00));
	ck_assert_uint_eq(d.local, 4000000000u);
}
END_TEST

START_TEST(redirect_ip4)
{
	/* RFC 7674 §3.2 (IPv4 address specific, 0x8108): 192.0.2.1:100. */
	struct fs_action a = { .type = FS_ACT_REDIRECT_IP4,
			       .ip = addr_of("192.0.2.1"), .local = 100 };
	struct fs_action d = round_trip(
		&a, VEC(0x81, 0x08, 192, 0, 2, 1, 0x00, 0x64));
	ck_assert_int_eq(d.ip.family, ADDR_V4);
	ck_assert_octets(d.ip.bytes, 4, VEC(192, 0, 2, 1));
	ck_assert_uint_eq(d.local, 100);

	/* The local part has two octets: 192.0.2.1:65000. */
	a.local = 65000;
	d = round_trip(&a, VEC(0x81, 0x08, 192, 0, 2, 1, 0xfd, 0xe8));
	ck_assert_uint_eq(d.local, 65000);
}
END_TEST

START_TEST(redirect_as4)
{
	/* RFC 7674 §3.3 (4-octet AS specific, 0x8208): 4200000000:100,
	 * 4200000000 = 0xfa56ea00. */
	struct fs_action a = { .type = FS_ACT_REDIRECT_AS4, .asn = 4200000000u,
			       .local = 100 };
	struct fs_action d = round_trip(
		&a, VEC(0x82, 0x08, 0xfa, 0x56, 0xea, 0x00, 0x00, 0x64));
	ck_assert_uint_eq(d.asn, 4200000000u);
	ck_assert_uint_eq(d.local, 100);

	/* The local part has two octets: 4200000000:65001. */
	a.local = 65001;
	d = round_trip(&a, VEC(0x82, 0x08, 0xfa, 0x56, 0xea, 0x00, 0xfd, 0xe9));
	ck_assert_uint_eq(d.local, 65001);
}
END_TEST

START_TEST(traffic_marking)
{
	/* RFC 8955 §7.5 (0x8009): the DSCP in the low six bits of the last
	 * octet; mark 46 (EF). */
	struct fs_action a = { .type = FS_ACT_MARK, .dscp = 46 };
	struct fs_action d = round_trip(
		&a, VEC(0x80, 0x09, 0x00, 0x00, 0x00, 0x00, 0x00, 0x2e));
	ck_assert_uint_eq(d.dscp, 46);

	/* The two high bits are not DSCP: masked on decode. */
	static const uint8_t high[] = { 0x80, 0x09, 0, 0, 0, 0, 0, 0xee };
	fs_action_decode(&d, high, sizeof high);
	ck_assert_int_eq(d.type, FS_ACT_MARK);
	ck_assert_uint_eq(d.dscp, 0x2e);
	/* ... and on encode. */
	a.dscp = 0xff;
	struct writer w = writer_init(0);
	fs_action_put(&w, &a);
	ck_assert_octets(w.data, w.len,
			 VEC(0x80, 0x09, 0x00, 0x00, 0x00, 0x00, 0x00, 0x3f));
	writer_free(&w);
}
END_TEST

START_TEST(redirect_next_hop)
{
	/* draft-simpson-idr-flowspec-redirect: 0x0800, all zero but the copy
	 * flag in the last octet; the address is the UPDATE's next hop. */
	struct fs_action a = { .type = FS_ACT_REDIRECT_NH };
	struct fs_action d = round_trip(
		&a, VEC(0x08, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00));
	ck_assert(!d.copy);
	a.copy = true;
	d = round_trip(&a, VEC(0x08, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x01));
	ck_assert(d.copy);
}
END_TEST

START_TEST(redirect_ip_ietf_v4)
{
	/* draft-ietf-idr-flowspec-redirect-ip: IPv4-address-specific type
	 * 0x01, sub-type 0x0c, the target address, then the local part whose
	 * low bit is the copy flag. */
	struct fs_action a = { .type = FS_ACT_REDIRECT_IP_IETF,
			       .ip = addr_of("192.0.2.1") };
	struct fs_action d = round_trip(
		&a, VEC(0x01, 0x0c, 192, 0, 2, 1, 0x00, 0x00));
	ck_assert_int_eq(d.ip.family, ADDR_V4);
	ck_assert_octets(d.ip.bytes, 4, VEC(192, 0, 2, 1));
	ck_assert(!d.copy);
	a.copy = true;
	d = round_trip(&a, VEC(0x01, 0x0c, 192, 0, 2, 1, 0x00, 0x01));
	ck_assert(d.copy);
}
END_TEST

START_TEST(redirect_ip_ietf_v6)
{
	/* The same in the RFC 5701 IPv6-address-specific form: 20 octets,
	 * type 0x00, sub-type 0x0c, 16 address octets, 2 local octets. */
	struct fs_action a = { .type = FS_ACT_REDIRECT_IP_IETF,
			       .ip = addr_of("2001:db8::1") };
	ck_assert(fs_action_is_ext6(&a));
	struct fs_action d = round_trip(
		&a, VEC(0x00, 0x0c,
			0x20, 0x01, 0x0d, 0xb8, 0, 0, 0, 0,
			0, 0, 0, 0, 0, 0, 0, 0x01,
			0x00, 0x00));
	ck_assert_int_eq(d.ip.family, ADDR_V6);
	ck_assert_mem_eq(d.ip.bytes, a.ip.bytes, 16);
	ck_assert(!d.copy);
	a.copy = true;
	d = round_trip(&a, VEC(0x00, 0x0c,
			       0x20, 0x01, 0x0d, 0xb8, 0, 0, 0, 0,
			       0, 0, 0, 0, 0, 0, 0, 0x01,
			       0x00, 0x01));
	ck_assert(d.copy);
}
END_TEST

START_TEST(unknown_round_trip)
{
	/* Anything else comes back as FS_ACT_OTHER and goes out untouched:
	 * a route target 65000:100 (RFC 4360, 0x0002) ... */
	struct vec rt = VEC(0x00, 0x02, 0xfd, 0xe8, 0x00, 0x00, 0x00, 0x64);
	struct fs_action d;
	fs_action_decode(&d, rt.data, (unsigned)rt.len);
	ck_assert_int_eq(d.type, FS_ACT_OTHER);
	ck_assert(!fs_action_is_ext6(&d));
	struct fs_action again = round_trip(&d, rt);
	ck_assert_int_eq(again.type, FS_ACT_OTHER);

	/* ... a flowspec-looking sub-type nobody defined (0x80ff) ... */
	struct vec odd = VEC(0x80, 0xff, 1, 2, 3, 4, 5, 6);
	fs_action_decode(&d, odd.data, (unsigned)odd.len);
	ck_assert_int_eq(d.type, FS_ACT_OTHER);
	round_trip(&d, odd);

	/* ... and an IPv6 route target (RFC 5701, 0x0002), 20 octets. */
	struct vec rt6 = VEC(0x00, 0x02,
			     0x20, 0x01, 0x0d, 0xb8, 0, 0, 0, 0,
			     0, 0, 0, 0, 0, 0, 0, 0x01,
			     0x00, 0x64);
	fs_action_decode(&d, rt6.data, (unsigned)rt6.len);
	ck_assert_int_eq(d.type, FS_ACT_OTHER);
	ck_assert(fs_action_is_ext6(&d));
	round_trip(&d, rt6);

	/* An 8-octet community with the IPv6 sub-type is not IPv6. */
	struct vec short6 = VEC(0x00, 0x0c, 0, 0, 0, 0, 0, 0);
	fs_action_decode(&d, short6.data, (unsigned)short6.len);
	ck_assert_int_eq(d.type, FS_ACT_OTHER);
	/* Nor is any other length an action. */
	struct vec seven = VEC(0x80, 0x06, 0, 0, 0, 0, 0);
	fs_action_decode(&d, seven.data, (unsigned)seven.len);
	ck_assert_int_eq(d.type, FS_ACT_OTHER);
	ck_assert_uint_eq(d.raw_len, 7);
}
END_TEST

START_TEST(constants)
{
	ck_assert_uint_eq(EXT_FLOW_TRAFFIC_RATE, 0x8006);
	ck_assert_uint_eq(EXT_FLOW_TRAFFIC_ACTION, 0x8007);
	ck_assert_uint_eq(EXT_FLOW_REDIRECT_AS2, 0x8008);
	ck_assert_uint_eq(EXT_FLOW_TRAFFIC_MARK, 0x8009);
	ck_assert_uint_eq(EXT_FLOW_RATE_PACKETS, 0x800c);
	ck_assert_uint_eq(EXT_FLOW_REDIRECT_IP4, 0x8108);
	ck_assert_uint_eq(EXT_FLOW_REDIRECT_AS4, 0x8208);
	ck_assert_uint_eq(EXT_FLOW_REDIRECT_NH, 0x0800);
	ck_assert_uint_eq(EXT_FLOW_REDIRECT_IP_IETF, 0x010c);
	ck_assert_uint_eq(EXT6_FLOW_REDIRECT_IP_IETF, 0x000c);
	ck_assert_uint_eq(EXT_COMMUNITY_LEN, 8);
	ck_assert_uint_eq(EXT6_COMMUNITY_LEN, 20);
}
END_TEST

static Suite *actions_suite(void)
{
	Suite *s = suite_create("actions");
	ADD_CASE(s, "rfc8955", traffic_rate_bytes, discard_is_rate_zero,
		 traffic_rate_packets, traffic_action, traffic_marking);
	ADD_CASE(s, "redirect", redirect_as2, redirect_ip4, redirect_as4,
		 redirect_next_hop, redirect_ip_ietf_v4, redirect_ip_ietf_v6);
	ADD_CASE(s, "other", unknown_round_trip, constants);
	return s;
}

TEST_MAIN(actions_suite)
