/* Unit tests for bgpd/bgp/msg.c: UPDATEs built from Flowspec rules compared
 * with messages written out by hand from RFC 4271 §4.3, RFC 4760 §3/§4 and
 * RFC 8955 §4/§7, packing, and the decoder's refusals with their offsets. */
#include <stdio.h>

#include "bgpd/bgp/msg.h"
#include "nlri/rule.h"
#include "nlri/text.h"
#include "vectors.h"

/* ---- named bytes ------------------------------------------------------- */

/* RFC 4271 §4.1: 16 marker octets of all ones, the length, the type. */
#define MARKER                                                          \
	0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff,     \
		0xff, 0xff, 0xff, 0xff, 0xff, 0xff
#define UPDATE_HEADER(len) MARKER, (len) >> 8, (len) & 0xff, BGP_MSG_UPDATE

#define WELL_KNOWN BGP_ATTR_FLAG_TRANSITIVE
#define OPT_NON_TRANS BGP_ATTR_FLAG_OPTIONAL
#define OPT_TRANS (BGP_ATTR_FLAG_OPTIONAL | BGP_ATTR_FLAG_TRANSITIVE)

/* RFC 8955 §4.2.2: destination 10.50.100.100/32; protocol =6;
 * destination-port =80 — 12 octets. */
#define MATCH_V4_WEB                                                    \
	FS_TYPE_DST_PREFIX, 32, 10, 50, 100, 100,                       \
	FS_TYPE_IP_PROTO, FS_OP_END | FS_OP_EQ, 6,                      \
	FS_TYPE_DST_PORT, FS_OP_END | FS_OP_EQ, 80
#define MATCH_V4_WEB_LEN 12

/* RFC 8956 §3.1: destination 2001:db8::/32 offset 0; next-header =17 —
 * 10 octets. */
#define MATCH_V6_UDP                                                    \
	FS_TYPE_DST_PREFIX, 32, 0, 0x20, 0x01, 0x0d, 0xb8,              \
	FS_TYPE_IP_PROTO, FS_OP_END | FS_OP_EQ, 17
#define MATCH_V6_UDP_LEN 10

/* RFC 8955 §7.1: traffic-rate, AS 0, rate 0.0 (IEEE float 0) = discard. */
#define EXT_DISCARD 0x80, 0x06, 0, 0, 0, 0, 0, 0
/* draft-simpson-idr-flowspec-redirect: redirect to the next hop. */
#define EXT_REDIRECT_NH 0x08, 0x00, 0, 0, 0, 0, 0, 0

/* The attributes every iBGP announce ends with (RFC 4271 §5.1):
 * ORIGIN IGP, empty AS_PATH, LOCAL_PREF 100 — 14 octets. */
#define IBGP_ATTRS                                                      \
	WELL_KNOWN, BGP_ATTR_ORIGIN, 1, BGP_ORIGIN_IGP,                 \
	WELL_KNOWN, BGP_ATTR_AS_PATH, 0,                                \
	WELL_KNOWN, BGP_ATTR_LOCAL_PREF, 4, 0, 0, 0, 100
#define EXT_DISCARD_ATTR                                                \
	OPT_TRANS, BGP_ATTR_EXT_COMMUNITIES, 8, EXT_DISCARD

/* The announce of MATCH_V4_WEB with discard to an iBGP peer: 69 octets. */
#define MSG_V4_WEB_IBGP                                                 \
	UPDATE_HEADER(69),                                              \
	0, 0,		/* withdrawn routes length */                   \
	0, 46,		/* total path attribute length: 21+14+11 */     \
	/* RFC 4760 §3, value 18 octets */                              \
	OPT_NON_TRANS, BGP_ATTR_MP_REACH_NLRI, 18,                      \
	0, FS_AFI_IPV4, FS_SAFI,                                        \
	0,		/* next hop length */                           \
	0,		/* reserved */                                  \
	MATCH_V4_WEB_LEN, MATCH_V4_WEB,                                 \
	IBGP_ATTRS,                                                     \
	EXT_DISCARD_ATTR

/* Offsets in MSG_V4_WEB_IBGP, counted from the bytes above. */
enum {
	AT_LENGTH = 16,
	AT_TYPE = 18,
	AT_WITHDRAWN_LEN = 19,
	AT_ATTRS_LEN = 21,
	AT_MP_REACH = 23,
	AT_AFI = 26,
	AT_SAFI = 28,
	AT_NH_LEN = 29,
	AT_NLRI = 31,		/* the NLRI length octet */
	AT_ORIGIN = 44,
	AT_ORIGIN_VALUE = 47,
	AT_AS_PATH = 48,
	AT_LOCAL_PREF = 51,
	AT_EXT = 58,
	MSG_V4_WEB_LEN = 69,
};

/* ---- helpers ----------------------------------------------------------- */

static const struct bgp_update_params ibgp = { .ibgp = true };

/* A rule of afi with the given match and extended communities. */
static void rule_make(struct fs_rule *r, enum fs_afi afi, struct vec match,
		      struct vec ext)
{
	fs_rule_init(r, afi);
	put_bytes(&r->match, match.data, match.len);
	if (ext.len)
		put_bytes(&r->ext, ext.data, ext.len);
	ck_assert(fs_rule_ok(r));
}

/* Builds one announce of a single rule and compares it with want. */
static void check_announce(const struct bgp_update_params *p,
			   const struct fs_rule *rule, struct vec want)
{
	struct writer w = writer_init(0);
	size_t taken = 99;
	ck_assert_int_eq(bgp_update_announce(&w, p, &rule, 1, &taken),
			 BGP_BUILD_OK);
	ck_assert_uint_eq(taken, 1);
	ck_assert_octets(w.data, w.len, want);
	writer_free(&w);
}

/* What the decoder handed over, kept. */
#define MAX_FLOWS 400
struct flows {
	size_t n;
	struct fs_rule rules[MAX_FLOWS];
	bool withdrawn[MAX_FLOWS];
	size_t off[MAX_FLOWS];
	size_t stop_after;	/* refuse the NLRI after this many; 0: never */
};

static bool keep_flow(void *ctx, const struct bgp_flow *flow)
{
	struct flows *f = ctx;
	if (f->stop_after && f->n == f->stop_after)
		return false;
	ck_assert_uint_lt(f->n, MAX_FLOWS);
	ck_assert_int_eq(flow->rule->afi, flow->afi);
	ck_assert(fs_rule_copy(&f->rules[f->n], flow->rule));
	f->withdrawn[f->n] = flow->withdrawn;
	f->off[f->n] = flow->off;
	f->n++;
	return true;
}

static void flows_free(struct flows *f)
{
	for (size_t i = 0; i < f->n; i++)
		fs_rule_clear(&f->rules[i]);
	f->n = 0;
}

/* Decodes an exact heap copy of v (so ASan sees any overread). */
static enum bgp_update_err decode_vec(struct vec v, struct flows *f,
				      struct bgp_update_result *res)
{
	uint8_t *copy = exact_copy(v.data, v.len);
	enum bgp_update_err err = bgp_update_decode(copy, v.len,
						    f ? keep_flow : NULL, f,
						    res);
	ck_assert_int_eq(err, res->err);
	free(copy);
	return err;
}

static void ck_writer_is(const struct writer *w, struct vec want)
{
	ck_assert_octets(w->data, w->len, want);
}

/* ---- constants --------------------------------------------------------- */

START_TEST(constants_are_the_rfc_numbers)
{
	/* RFC 4271 §4.1, §4.3; RFC 4760 §3-4; RFC 4360; RFC 5701; RFC 8654. */
	ck_assert_int_eq(BGP_HEADER_LEN, 19);
	ck_assert_int_eq(BGP_MAX_MSG, 4096);
	ck_assert_int_eq(BGP_MAX_MSG_EXTENDED, 65535);
	ck_assert_int_eq(BGP_MSG_OPEN, 1);
	ck_assert_int_eq(BGP_MSG_UPDATE, 2);
	ck_assert_int_eq(BGP_MSG_NOTIFICATION, 3);
	ck_assert_int_eq(BGP_MSG_KEEPALIVE, 4);
	ck_assert_int_eq(BGP_MSG_ROUTE_REFRESH, 5);
	ck_assert_int_eq(BGP_ATTR_FLAG_OPTIONAL, 0x80);
	ck_assert_int_eq(BGP_ATTR_FLAG_TRANSITIVE, 0x40);
	ck_assert_int_eq(BGP_ATTR_FLAG_PARTIAL, 0x20);
	ck_assert_int_eq(BGP_ATTR_FLAG_EXTENDED, 0x10);
	ck_assert_int_eq(BGP_ATTR_ORIGIN, 1);
	ck_assert_int_eq(BGP_ATTR_AS_PATH, 2);
	ck_assert_int_eq(BGP_ATTR_NEXT_HOP, 3);
	ck_assert_int_eq(BGP_ATTR_MED, 4);
	ck_assert_int_eq(BGP_ATTR_LOCAL_PREF, 5);
	ck_assert_int_eq(BGP_ATTR_COMMUNITIES, 8);
	ck_assert_int_eq(BGP_ATTR_MP_REACH_NLRI, 14);
	ck_assert_int_eq(BGP_ATTR_MP_UNREACH_NLRI, 15);
	ck_assert_int_eq(BGP_ATTR_EXT_COMMUNITIES, 16);
	ck_assert_int_eq(BGP_ATTR_AS4_PATH, 17);
	ck_assert_int_eq(BGP_ATTR_IPV6_EXT_COMMUNITIES, 25);
	ck_assert_int_eq(BGP_ORIGIN_IGP, 0);
	ck_assert_int_eq(BGP_AS_SEQUENCE, 2);
	ck_assert_int_eq(BGP_AS_TRANS, 23456);
	ck_assert_int_eq(FS_SAFI, 133);
	ck_assert_str_eq(bgp_attr_name(BGP_ATTR_MP_REACH_NLRI), "MP_REACH_NLRI");
	ck_assert_ptr_null(bgp_attr_name(99));
}
END_TEST

/* ---- builder: one rule ------------------------------------------------- */

START_TEST(announce_ipv4_ibgp)
{
	struct fs_rule r;
	rule_make(&r, FS_AFI_IPV4, VEC(MATCH_V4_WEB), VEC(EXT_DISCARD));
	check_announce(&ibgp, &r, VEC(MSG_V4_WEB_IBGP));
	fs_rule_clear(&r);
}
END_TEST

/* The MP_REACH_NLRI of MATCH_V4_WEB with no next hop: 21 octets. */
#define MP_REACH_V4_WEB                                                 \
	OPT_NON_TRANS, BGP_ATTR_MP_REACH_NLRI, 18,                      \
	0, FS_AFI_IPV4, FS_SAFI, 0, 0,                                  \
	MATCH_V4_WEB_LEN, MATCH_V4_WEB

START_TEST(announce_ipv4_ebgp_as2)
{
	struct fs_rule r;
	rule_make(&r, FS_AFI_IPV4, VEC(MATCH_V4_WEB), VEC(EXT_DISCARD));
	struct bgp_update_params p = { .local_as = 65001 };
	check_announce(&p, &r, VEC(
		UPDATE_HEADER(66),
		0, 0,
		0, 43,		/* 21 + 4 + 7 + 11 */
		MP_REACH_V4_WEB,
		WELL_KNOWN, BGP_ATTR_ORIGIN, 1, BGP_ORIGIN_IGP,
		/* RFC 4271 §4.3 (b): one AS_SEQUENCE of one 2-octet AS */
		WELL_KNOWN, BGP_ATTR_AS_PATH, 4,
		BGP_AS_SEQUENCE, 1, 0xfd, 0xe9,	/* 65001 */
		/* no LOCAL_PREF to an external peer (RFC 4271 §5.1.5) */
		EXT_DISCARD_ATTR));
	fs_rule_clear(&r);
}
END_TEST

START_TEST(announce_ipv4_ebgp_as_trans)
{
	struct fs_rule r;
	rule_make(&r, FS_AFI_IPV4, VEC(MATCH_V4_WEB), VEC(EXT_DISCARD));
	struct bgp_update_params p = { .local_as = 4200000000u };
	check_announce(&p, &r, VEC(
		UPDATE_HEADER(75),
		0, 0,
		0, 52,		/* 21 + 4 + 7 + 11 + 9 */
		MP_REACH_V4_WEB,
		WELL_KNOWN, BGP_ATTR_ORIGIN, 1, BGP_ORIGIN_IGP,
		/* RFC 6793 §4.2.2: AS_TRANS in AS_PATH ... */
		WELL_KNOWN, BGP_ATTR_AS_PATH, 4,
		BGP_AS_SEQUENCE, 1, 0x5b, 0xa0,	/* 23456 */
		EXT_DISCARD_ATTR,
		/* ... and the real AS in AS4_PATH, after type 16 */
		OPT_TRANS, BGP_ATTR_AS4_PATH, 6,
		BGP_AS_SEQUENCE, 1, 0xfa, 0x56, 0xea, 0x00));	/* 4200000000 */
	fs_rule_clear(&r);
}
END_TEST

START_TEST(announce_ipv4_ebgp_as4)
{
	struct fs_rule r;
	rule_make(&r, FS_AFI_IPV4, VEC(MATCH_V4_WEB), VEC(EXT_DISCARD));
	struct bgp_update_params p = { .local_as = 4200000000u, .as4 = true };
	check_announce(&p, &r, VEC(
		UPDATE_HEADER(68),
		0, 0,
		0, 45,		/* 21 + 4 + 9 + 11 */
		MP_REACH_V4_WEB,
		WELL_KNOWN, BGP_ATTR_ORIGIN, 1, BGP_ORIGIN_IGP,
		/* RFC 6793 §3: 4-octet AS numbers in AS_PATH */
		WELL_KNOWN, BGP_ATTR_AS_PATH, 6,
		BGP_AS_SEQUENCE, 1, 0xfa, 0x56, 0xea, 0x00,
		EXT_DISCARD_ATTR));
	fs_rule_clear(&r);
}
END_TEST

START_TEST(announce_ipv6)
{
	struct fs_rule r;
	rule_make(&r, FS_AFI_IPV6, VEC(MATCH_V6_UDP), VEC(EXT_DISCARD));
	check_announce(&ibgp, &r, VEC(
		UPDATE_HEADER(67),
		0, 0,
		0, 44,		/* 19 + 14 + 11 */
		OPT_NON_TRANS, BGP_ATTR_MP_REACH_NLRI, 16,
		0, FS_AFI_IPV6, FS_SAFI, 0, 0,
		MATCH_V6_UDP_LEN, MATCH_V6_UDP,
		IBGP_ATTRS,
		EXT_DISCARD_ATTR));
	fs_rule_clear(&r);
}
END_TEST

/* RFC 4760 §4: MP_UNREACH_NLRI alone, AFI, SAFI, the NLRIs: 42 octets. */
#define MSG_V4_WEB_WITHDRAW                                             \
	UPDATE_HEADER(42),                                              \
	0, 0,                                                           \
	0, 19,                                                          \
	OPT_NON_TRANS, BGP_ATTR_MP_UNREACH_NLRI, 16,                    \
	0, FS_AFI_IPV4, FS_SAFI,                                        \
	MATCH_V4_WEB_LEN, MATCH_V4_WEB

START_TEST(withdraw_ipv4)
{
	struct fs_rule r;
	/* The actions of a withdrawn rule are not sent. */
	rule_make(&r, FS_AFI_IPV4, VEC(MATCH_V4_WEB), VEC(EXT_DISCARD));
	const struct fs_rule *one = &r;
	struct writer w = writer_init(0);
	size_t taken;
	ck_assert_int_eq(bgp_update_withdraw(&w, &ibgp, &one, 1, &taken),
			 BGP_BUILD_OK);
	ck_assert_uint_eq(taken, 1);
	ck_writer_is(&w, VEC(MSG_V4_WEB_WITHDRAW));
	writer_free(&w);
	fs_rule_clear(&r);
}
END_TEST

/* Redirect to the next hop 192.0.2.1: a 4-octet MP_REACH next hop. */
#define MSG_V4_REDIRECT_NH                                              \
	UPDATE_HEADER(73),                                              \
	0, 0,                                                           \
	0, 50,		/* 25 + 14 + 11 */                              \
	OPT_NON_TRANS, BGP_ATTR_MP_REACH_NLRI, 22,                      \
	0, FS_AFI_IPV4, FS_SAFI,                                        \
	4, 192, 0, 2, 1,	/* next hop */                          \
	0,                                                              \
	MATCH_V4_WEB_LEN, MATCH_V4_WEB,                                 \
	IBGP_ATTRS,                                                     \
	OPT_TRANS, BGP_ATTR_EXT_COMMUNITIES, 8, EXT_REDIRECT_NH

START_TEST(announce_redirect_nexthop)
{
	struct fs_rule r;
	rule_make(&r, FS_AFI_IPV4, VEC(MATCH_V4_WEB), VEC(EXT_REDIRECT_NH));
	ck_assert(addr_parse(&r.nexthop, "192.0.2.1", 9));
	check_announce(&ibgp, &r, VEC(MSG_V4_REDIRECT_NH));
	fs_rule_clear(&r);
}
END_TEST

START_TEST(announce_communities_and_ext6)
{
	struct fs_rule r;
	rule_make(&r, FS_AFI_IPV6, VEC(MATCH_V6_UDP), VEC());
	fs_rule_add_community(&r, 0xfde8029a);	/* 65000:666 */
	/* draft-ietf-idr-flowspec-redirect-ip, RFC 5701 form, 2001:db8::1 */
	uint8_t ext6[] = { 0x00, 0x0c, 0x20, 0x01, 0x0d, 0xb8, 0, 0, 0, 0,
			   0, 0, 0, 0, 0, 0, 0, 1, 0, 0 };
	put_bytes(&r.ext6, ext6, sizeof ext6);
	check_announce(&ibgp, &r, VEC(
		UPDATE_HEADER(86),
		0, 0,
		0, 63,		/* 19 + 14 + 7 + 23 */
		OPT_NON_TRANS, BGP_ATTR_MP_REACH_NLRI, 16,
		0, FS_AFI_IPV6, FS_SAFI, 0, 0,
		MATCH_V6_UDP_LEN, MATCH_V6_UDP,
		IBGP_ATTRS,
		/* RFC 1997 */
		OPT_TRANS, BGP_ATTR_COMMUNITIES, 4, 0xfd, 0xe8, 0x02, 0x9a,
		/* RFC 5701 §2 */
		OPT_TRANS, BGP_ATTR_IPV6_EXT_COMMUNITIES, 20,
		0x00, 0x0c, 0x20, 0x01, 0x0d, 0xb8, 0, 0, 0, 0,
		0, 0, 0, 0, 0, 0, 0, 1, 0, 0));
	fs_rule_clear(&r);
}
END_TEST

/* ---- builder: packing -------------------------------------------------- */

/* Rule i of the packing test: destination 10.0.i/32, source
 * 198.51.100.(i%256)/32, protocol =6, destination-port =80,
 * packet-length >=64&<=1500, dscp =0 =1 — 29 octets, 30 with its length. */
#define PACK_MATCH_LEN 29
static void pack_rule(struct fs_rule *r, unsigned i)
{
	uint8_t m[] = {
		FS_TYPE_DST_PREFIX, 32, 10, 0, (uint8_t)(i >> 8), (uint8_t)i,
		FS_TYPE_SRC_PREFIX, 32, 198, 51, 100, (uint8_t)(i % 256),
		FS_TYPE_IP_PROTO, FS_OP_END | FS_OP_EQ, 6,
		FS_TYPE_DST_PORT, FS_OP_END | FS_OP_EQ, 80,
		FS_TYPE_PKT_LEN, FS_OP_GT | FS_OP_EQ, 64,
		FS_OP_END | FS_OP_AND | 1 << FS_OP_LEN_SHIFT | FS_OP_LT | FS_OP_EQ,
		0x05, 0xdc,	/* 1500 */
		FS_TYPE_DSCP, FS_OP_EQ, 0, FS_OP_END | FS_OP_EQ, 1,
	};
	ck_assert_uint_eq(sizeof m, PACK_MATCH_LEN);
	rule_make(r, FS_AFI_IPV4, (struct vec){ m, sizeof m },
		  VEC(EXT_DISCARD));
}

START_TEST(pack_300_rules)
{
	enum { N = 300 };
	static struct fs_rule rules[N];
	const struct fs_rule *ptr[N];
	for (unsigned i = 0; i < N; i++) {
		pack_rule(&rules[i], i);
		ptr[i] = &rules[i];
	}
	/* Every message: 23 octets of header and lengths, MP_REACH_NLRI with
	 * an extended length (4) and 5 fixed octets, 25 more attribute
	 * octets: 57; 4096 - 57 = 4039 = 134 * 30 + 19. */
	const size_t want_taken[] = { 134, 134, 32 };
	struct flows *f = calloc(1, sizeof *f);
	ck_assert_ptr_nonnull(f);
	size_t done = 0, msgs = 0;
	while (done < N) {
		struct writer w = writer_init(0);
		size_t taken;
		ck_assert_int_eq(bgp_update_announce(&w, &ibgp, ptr + done,
						     N - done, &taken),
				 BGP_BUILD_OK);
		ck_assert_uint_lt(msgs, 3);
		ck_assert_uint_eq(taken, want_taken[msgs]);
		ck_assert_uint_eq(w.len, 57 + taken * (PACK_MATCH_LEN + 1));
		ck_assert_uint_le(w.len, BGP_MAX_MSG);
		if (done + taken < N)	/* full: one more would not fit */
			ck_assert_uint_gt(w.len + PACK_MATCH_LEN + 1,
					  BGP_MAX_MSG);
		struct bgp_update_result res;
		ck_assert_int_eq(decode_vec((struct vec){ w.data, w.len }, f,
					    &res),
				 BGP_UPD_OK);
		ck_assert_uint_eq(res.announced, taken);
		done += taken;
		msgs++;
		writer_free(&w);
	}
	ck_assert_uint_eq(msgs, 3);
	ck_assert_uint_eq(f->n, N);
	for (unsigned i = 0; i < N; i++) {
		ck_assert(!f->withdrawn[i]);
		ck_assert_uint_eq(f->rules[i].match.len, PACK_MATCH_LEN);
		ck_assert_mem_eq(f->rules[i].match.data, rules[i].match.data,
				 PACK_MATCH_LEN);
		ck_assert_octets(f->rules[i].ext.data, f->rules[i].ext.len,
				 VEC(EXT_DISCARD));
		fs_rule_clear(&rules[i]);
	}
	flows_free(f);
	free(f);
}
END_TEST

START_TEST(pack_withdraw_ignores_attributes)
{
	struct fs_rule a, b;
	rule_make(&a, FS_AFI_IPV4, VEC(MATCH_V4_WEB), VEC(EXT_DISCARD));
	rule_make(&b, FS_AFI_IPV4, VEC(FS_TYPE_DST_PREFIX, 8, 10),
		  VEC(EXT_REDIRECT_NH));
	const struct fs_rule *two[] = { &a, &b };
	struct writer w = writer_init(0);
	size_t taken;
	ck_assert_int_eq(bgp_update_withdraw(&w, &ibgp, two, 2, &taken),
			 BGP_BUILD_OK);
	ck_assert_uint_eq(taken, 2);
	ck_writer_is(&w, VEC(
		UPDATE_HEADER(46),
		0, 0,
		0, 23,
		OPT_NON_TRANS, BGP_ATTR_MP_UNREACH_NLRI, 20,
		0, FS_AFI_IPV4, FS_SAFI,
		MATCH_V4_WEB_LEN, MATCH_V4_WEB,
		3, FS_TYPE_DST_PREFIX, 8, 10));
	/* An announce stops at the rule with other communities. */
	writer_reset(&w);
	ck_assert_int_eq(bgp_update_announce(&w, &ibgp, two, 2, &taken),
			 BGP_BUILD_OK);
	ck_assert_uint_eq(taken, 1);
	ck_writer_is(&w, VEC(MSG_V4_WEB_IBGP));
	writer_free(&w);
	fs_rule_clear(&a);
	fs_rule_clear(&b);
}
END_TEST

/* 30 rules: 30 * 13 + 5 = 395 octets of MP_REACH_NLRI value (> 255). */
START_TEST(extended_length_attribute)
{
	enum { N = 30 };
	struct fs_rule rules[N];
	const struct fs_rule *ptr[N];
	for (unsigned i = 0; i < N; i++) {
		rule_make(&rules[i], FS_AFI_IPV4,
			  VEC(FS_TYPE_DST_PREFIX, 32, 10, 50, 100, (uint8_t)i,
			      FS_TYPE_IP_PROTO, FS_OP_END | FS_OP_EQ, 6,
			      FS_TYPE_DST_PORT, FS_OP_END | FS_OP_EQ, 80),
			  VEC(EXT_DISCARD));
		ptr[i] = &rules[i];
	}
	struct writer w = writer_init(0);
	size_t taken;
	ck_assert_int_eq(bgp_update_announce(&w, &ibgp, ptr, N, &taken),
			 BGP_BUILD_OK);
	ck_assert_uint_eq(taken, N);
	/* 23 + (4 + 395) + 14 + 11 = 447 = 0x01bf; attributes 424 = 0x01a8 */
	struct vec head = VEC(
		UPDATE_HEADER(447),
		0, 0,
		0x01, 0xa8,
		/* RFC 4271 §4.3: Extended Length bit, two-octet length */
		OPT_NON_TRANS | BGP_ATTR_FLAG_EXTENDED, BGP_ATTR_MP_REACH_NLRI,
		0x01, 0x8b,	/* 395 */
		0, FS_AFI_IPV4, FS_SAFI, 0, 0);
	ck_assert_uint_eq(w.len, 447);
	ck_assert_mem_eq(w.data, head.data, head.len);
	for (unsigned i = 0; i < N; i++) {
		struct vec one = VEC(MATCH_V4_WEB_LEN,
				     FS_TYPE_DST_PREFIX, 32, 10, 50, 100,
				     (uint8_t)i,
				     FS_TYPE_IP_PROTO, FS_OP_END | FS_OP_EQ, 6,
				     FS_TYPE_DST_PORT, FS_OP_END | FS_OP_EQ,
				     80);
		ck_assert_mem_eq(w.data + head.len + i * one.len, one.data,
				 one.len);
	}
	struct vec tail = VEC(IBGP_ATTRS, EXT_DISCARD_ATTR);
	ck_assert_mem_eq(w.data + w.len - tail.len, tail.data, tail.len);

	struct flows *f = calloc(1, sizeof *f);
	struct bgp_update_result res;
	ck_assert_int_eq(decode_vec((struct vec){ w.data, w.len }, f, &res),
			 BGP_UPD_OK);
	ck_assert_uint_eq(f->n, N);
	for (unsigned i = 0; i < N; i++) {
		ck_assert_uint_eq(f->off[i], head.len + i * 13);
		fs_rule_clear(&rules[i]);
	}
	flows_free(f);
	free(f);
	writer_free(&w);
}
END_TEST

/* One NLRI of 244 octets: destination 10.0.0.0/8 and a port list of 120
 * "=n" operators, so its length takes two octets (RFC 8955 §4.1). */
static void long_rule(struct fs_rule *r)
{
	fs_rule_init(r, FS_AFI_IPV4);
	uint8_t pre[] = { FS_TYPE_DST_PREFIX, 8, 10, FS_TYPE_PORT };
	put_bytes(&r->match, pre, sizeof pre);
	for (unsigned i = 1; i <= 120; i++) {
		put_u8(&r->match, (i == 120 ? FS_OP_END : 0) | FS_OP_EQ);
		put_u8(&r->match, (uint8_t)i);
	}
	ck_assert_uint_eq(r->match.len, 4 + 240);
}

START_TEST(long_nlri_two_octet_length)
{
	struct fs_rule r;
	long_rule(&r);
	put_bytes(&r.ext, VEC(EXT_DISCARD).data, 8);
	const struct fs_rule *one = &r;
	struct writer w = writer_init(0);
	size_t taken;
	ck_assert_int_eq(bgp_update_announce(&w, &ibgp, &one, 1, &taken),
			 BGP_BUILD_OK);
	/* value 5 + 2 + 244 = 251: still a one-octet attribute length */
	struct vec head = VEC(
		UPDATE_HEADER(302),	/* 23 + 254 + 25 */
		0, 0,
		0x01, 0x17,		/* 279 */
		OPT_NON_TRANS, BGP_ATTR_MP_REACH_NLRI, 251,
		0, FS_AFI_IPV4, FS_SAFI, 0, 0,
		FS_LEN_EXTENDED_FLAG, 244,	/* 0xf0f4 */
		FS_TYPE_DST_PREFIX, 8, 10, FS_TYPE_PORT, FS_OP_EQ, 1);
	ck_assert_uint_eq(w.len, 302);
	ck_assert_mem_eq(w.data, head.data, head.len);
	struct flows *f = calloc(1, sizeof *f);
	struct bgp_update_result res;
	ck_assert_int_eq(decode_vec((struct vec){ w.data, w.len }, f, &res),
			 BGP_UPD_OK);
	ck_assert_uint_eq(f->n, 1);
	ck_assert_uint_eq(f->rules[0].match.len, 244);
	ck_assert_mem_eq(f->rules[0].match.data, r.match.data, 244);
	flows_free(f);
	free(f);
	writer_free(&w);
	fs_rule_clear(&r);
}
END_TEST

/* ---- builder: refusals ------------------------------------------------- */

START_TEST(build_errors)
{
	struct fs_rule v4, v6, bad, empty;
	rule_make(&v4, FS_AFI_IPV4, VEC(MATCH_V4_WEB), VEC(EXT_DISCARD));
	rule_make(&v6, FS_AFI_IPV6, VEC(MATCH_V6_UDP), VEC(EXT_DISCARD));
	/* destination-port before protocol: RFC 8955 §4.2 order */
	rule_make(&bad, FS_AFI_IPV4,
		  VEC(FS_TYPE_DST_PORT, FS_OP_END | FS_OP_EQ, 80,
		      FS_TYPE_IP_PROTO, FS_OP_END | FS_OP_EQ, 6),
		  VEC(EXT_DISCARD));
	fs_rule_init(&empty, FS_AFI_IPV4);
	struct writer w = writer_init(0);
	size_t taken = 7;

	ck_assert_int_eq(bgp_update_announce(&w, &ibgp, NULL, 0, &taken),
			 BGP_BUILD_NO_RULES);
	ck_assert_uint_eq(taken, 0);
	const struct fs_rule *mixed[] = { &v4, &v6 };
	ck_assert_int_eq(bgp_update_announce(&w, &ibgp, mixed, 2, &taken),
			 BGP_BUILD_AFI);
	ck_assert_int_eq(bgp_update_withdraw(&w, &ibgp, mixed, 2, &taken),
			 BGP_BUILD_AFI);
	const struct fs_rule *one = &bad;
	ck_assert_int_eq(bgp_update_announce(&w, &ibgp, &one, 1, &taken),
			 BGP_BUILD_NLRI);
	one = &empty;
	ck_assert_int_eq(bgp_update_withdraw(&w, &ibgp, &one, 1, &taken),
			 BGP_BUILD_NLRI);
	const struct fs_rule *then_bad[] = { &v4, &bad };
	ck_assert_int_eq(bgp_update_withdraw(&w, &ibgp, then_bad, 2, &taken),
			 BGP_BUILD_NLRI);

	/* The 69-octet message fits in 69, not in 68. */
	one = &v4;
	struct bgp_update_params p = { .ibgp = true, .max_msg = 68 };
	ck_assert_int_eq(bgp_update_announce(&w, &p, &one, 1, &taken),
			 BGP_BUILD_TOO_BIG);
	p.max_msg = MSG_V4_WEB_LEN;
	ck_assert_int_eq(bgp_update_announce(&w, &p, &one, 1, &taken),
			 BGP_BUILD_OK);
	ck_writer_is(&w, VEC(MSG_V4_WEB_IBGP));
	p.max_msg = BGP_UPDATE_MIN_LEN - 1;
	ck_assert_int_eq(bgp_update_announce(&w, &p, &one, 1, &taken),
			 BGP_BUILD_PARAMS);
	p.max_msg = BGP_MAX_MSG_EXTENDED + 1;
	ck_assert_int_eq(bgp_update_announce(&w, &p, &one, 1, &taken),
			 BGP_BUILD_PARAMS);
	ck_assert_uint_eq(w.len, MSG_V4_WEB_LEN);	/* nothing added */

	v4.nexthop.family = (enum addr_family)5;
	ck_assert_int_eq(bgp_update_announce(&w, &ibgp, &one, 1, &taken),
			 BGP_BUILD_NEXTHOP);
	v4.nexthop.family = ADDR_NONE;

	/* A writer that cannot hold the message: nothing appended. */
	struct writer small = writer_init(40);
	ck_assert_int_eq(bgp_update_announce(&small, &ibgp, &one, 1, &taken),
			 BGP_BUILD_NOMEM);
	ck_assert_uint_eq(taken, 0);
	ck_assert_uint_eq(small.len, 0);
	writer_free(&small);

	ck_assert_str_eq(bgp_build_err_str(BGP_BUILD_TOO_BIG),
			 "rule does not fit in one UPDATE message");
	ck_assert_str_eq(bgp_build_err_str((enum bgp_build_err)99),
			 "unknown error");
	writer_free(&w);
	fs_rule_clear(&v4);
	fs_rule_clear(&v6);
	fs_rule_clear(&bad);
	fs_rule_clear(&empty);
}
END_TEST

/* ---- decoder ----------------------------------------------------------- */

START_TEST(decode_announce)
{
	struct flows *f = calloc(1, sizeof *f);
	struct bgp_update_result res;
	ck_assert_int_eq(decode_vec(VEC(MSG_V4_WEB_IBGP), f, &res), BGP_UPD_OK);
	ck_assert_uint_eq(res.announced, 1);
	ck_assert_uint_eq(res.withdrawn, 0);
	ck_assert_uint_eq(res.eor_afi, 0);
	ck_assert_uint_eq(f->n, 1);
	ck_assert(!f->withdrawn[0]);
	ck_assert_uint_eq(f->off[0], AT_NLRI);
	const struct fs_rule *r = &f->rules[0];
	ck_assert_int_eq(r->afi, FS_AFI_IPV4);
	ck_assert_octets(r->match.data, r->match.len, VEC(MATCH_V4_WEB));
	ck_assert_octets(r->ext.data, r->ext.len, VEC(EXT_DISCARD));
	ck_assert_uint_eq(r->ext6.len, 0);
	ck_assert_uint_eq(r->comm.len, 0);
	ck_assert_int_eq(r->nexthop.family, ADDR_NONE);
	flows_free(f);

	ck_assert_int_eq(decode_vec(VEC(MSG_V4_REDIRECT_NH), f, &res),
			 BGP_UPD_OK);
	ck_assert_uint_eq(f->n, 1);
	char buf[ADDR_STRLEN];
	ck_assert_str_eq(addr_format(&f->rules[0].nexthop, buf), "192.0.2.1");
	ck_assert_octets(f->rules[0].ext.data, f->rules[0].ext.len,
			 VEC(EXT_REDIRECT_NH));
	flows_free(f);

	/* Without a callback it only checks and counts. */
	ck_assert_int_eq(decode_vec(VEC(MSG_V4_WEB_IBGP), NULL, &res),
			 BGP_UPD_OK);
	ck_assert_uint_eq(res.announced, 1);
	free(f);
}
END_TEST

START_TEST(decode_withdraw_and_announce)
{
	/* A fault anywhere: nothing is handed over, not even the NLRIs
	 * of an MP_UNREACH_NLRI that came before it. */
	struct flows *f = calloc(1, sizeof *f);
	struct bgp_update_result res;
	ck_assert_int_eq(decode_vec(VEC(
		UPDATE_HEADER(88),
		0, 0,
		0, 65,		/* 19 + 21 + 14 + 11 */
		OPT_NON_TRANS, BGP_ATTR_MP_UNREACH_NLRI, 16,
		0, FS_AFI_IPV4, FS_SAFI,
		MATCH_V4_WEB_LEN, MATCH_V4_WEB,
		OPT_NON_TRANS, BGP_ATTR_MP_REACH_NLRI, 18,
		0, FS_AFI_IPV4, FS_SAFI, 0, 0,
		MATCH_V4_WEB_LEN,
		FS_TYPE_DST_PREFIX, 32, 10, 50, 100, 100,
		FS_TYPE_DST_PORT, FS_OP_END | FS_OP_EQ, 80,
		FS_TYPE_IP_PROTO, FS_OP_END | FS_OP_EQ, 6,
		IBGP_ATTRS,
		EXT_DISCARD_ATTR), f, &res), BGP_UPD_NLRI);
	ck_assert_uint_eq(f->n, 0);

	/* One UPDATE that withdraws two IPv6 rules and announces the IPv4
	 * one; withdrawals are handed over first, whatever the order. */
	ck_assert_int_eq(decode_vec(VEC(
		UPDATE_HEADER(91),
		0, 0,
		0, 68,		/* 21 + 14 + 11 + 22 */
		MP_REACH_V4_WEB,
		IBGP_ATTRS,
		EXT_DISCARD_ATTR,
		OPT_NON_TRANS, BGP_ATTR_MP_UNREACH_NLRI, 19,
		0, FS_AFI_IPV6, FS_SAFI,
		MATCH_V6_UDP_LEN, MATCH_V6_UDP,
		/* source 2000::/8 offset 0 */
		4, FS_TYPE_SRC_PREFIX, 8, 0, 0x20), f, &res),
		BGP_UPD_OK);
	ck_assert_uint_eq(res.withdrawn, 2);
	ck_assert_uint_eq(res.announced, 1);
	ck_assert_uint_eq(f->n, 3);
	ck_assert(f->withdrawn[0] && f->withdrawn[1] && !f->withdrawn[2]);
	ck_assert_int_eq(f->rules[0].afi, FS_AFI_IPV6);
	ck_assert_octets(f->rules[0].match.data, f->rules[0].match.len,
			 VEC(MATCH_V6_UDP));
	ck_assert_uint_eq(f->rules[0].ext.len, 0);	/* no actions */
	ck_assert_octets(f->rules[1].match.data, f->rules[1].match.len,
			 VEC(FS_TYPE_SRC_PREFIX, 8, 0, 0x20));
	ck_assert_int_eq(f->rules[2].afi, FS_AFI_IPV4);
	ck_assert_octets(f->rules[2].ext.data, f->rules[2].ext.len,
			 VEC(EXT_DISCARD));
	flows_free(f);
	free(f);
}
END_TEST

START_TEST(decode_withdraw)
{
	struct flows *f = calloc(1, sizeof *f);
	struct bgp_update_result res;
	ck_assert_int_eq(decode_vec(VEC(MSG_V4_WEB_WITHDRAW), f, &res),
			 BGP_UPD_OK);
	ck_assert_uint_eq(res.withdrawn, 1);
	ck_assert_uint_eq(res.eor_afi, 0);
	ck_assert(f->withdrawn[0]);
	ck_assert_uint_eq(f->off[0], 29);
	ck_assert_octets(f->rules[0].match.data, f->rules[0].match.len,
			 VEC(MATCH_V4_WEB));
	flows_free(f);
	free(f);
}
END_TEST

START_TEST(decode_end_of_rib)
{
	/* RFC 4724 §2 for IPv6 Flowspec: MP_UNREACH_NLRI, AFI, SAFI, nothing. */
	struct bgp_update_result res;
	ck_assert_int_eq(decode_vec(VEC(
		UPDATE_HEADER(29),
		0, 0,
		0, 6,
		OPT_NON_TRANS, BGP_ATTR_MP_UNREACH_NLRI, 3,
		0, FS_AFI_IPV6, FS_SAFI), NULL, &res), BGP_UPD_OK);
	ck_assert_uint_eq(res.eor_afi, FS_AFI_IPV6);
	ck_assert_uint_eq(res.withdrawn, 0);
}
END_TEST

START_TEST(decode_skips_ipv4_unicast)
{
	/* RFC 4271 §4.3: withdrawn 192.0.2.0/24, NLRI 198.51.100.1/32 and
	 * 0.0.0.0/0 with ORIGIN, AS_PATH and NEXT_HOP. */
	struct bgp_update_result res;
	ck_assert_int_eq(decode_vec(VEC(
		UPDATE_HEADER(47),
		0, 4,
		24, 192, 0, 2,
		0, 14,
		WELL_KNOWN, BGP_ATTR_ORIGIN, 1, BGP_ORIGIN_IGP,
		WELL_KNOWN, BGP_ATTR_AS_PATH, 0,
		WELL_KNOWN, BGP_ATTR_NEXT_HOP, 4, 192, 0, 2, 1,
		32, 198, 51, 100, 1,
		0), NULL, &res), BGP_UPD_OK);
	ck_assert_uint_eq(res.ipv4_withdrawn, 1);
	ck_assert_uint_eq(res.ipv4_nlri, 2);
	ck_assert_uint_eq(res.announced + res.withdrawn, 0);

	/* A prefix longer than 32 bits, and one cut short. */
	ck_assert_int_eq(decode_vec(VEC(UPDATE_HEADER(28), 0, 0, 0, 0,
					33, 1, 2, 3, 4), NULL, &res),
			 BGP_UPD_PREFIX);
	ck_assert_uint_eq(res.off, 23);
	ck_assert_int_eq(decode_vec(VEC(UPDATE_HEADER(26), 0, 3,
					24, 192, 0, 0, 0), NULL, &res),
			 BGP_UPD_PREFIX);
	ck_assert_uint_eq(res.off, 21);
}
END_TEST

START_TEST(decode_callback_stops)
{
	struct flows *f = calloc(1, sizeof *f);
	f->stop_after = 1;
	struct bgp_update_result res;
	ck_assert_int_eq(decode_vec(VEC(
		UPDATE_HEADER(46),
		0, 0,
		0, 23,
		OPT_NON_TRANS, BGP_ATTR_MP_UNREACH_NLRI, 20,
		0, FS_AFI_IPV4, FS_SAFI,
		MATCH_V4_WEB_LEN, MATCH_V4_WEB,
		3, FS_TYPE_DST_PREFIX, 8, 10), f, &res), BGP_UPD_CALLBACK);
	ck_assert_uint_eq(res.off, 42);
	ck_assert_uint_eq(f->n, 1);
	flows_free(f);
	free(f);
}
END_TEST

/* Decodes MSG_V4_WEB_IBGP with octet at set to value. */
static enum bgp_update_err decode_patched(size_t at, uint8_t value,
					  struct bgp_update_result *res)
{
	struct vec v = VEC(MSG_V4_WEB_IBGP);
	uint8_t buf[MSG_V4_WEB_LEN];
	ck_assert_uint_eq(v.len, sizeof buf);
	memcpy(buf, v.data, sizeof buf);
	buf[at] = value;
	return decode_vec((struct vec){ buf, sizeof buf }, NULL, res);
}

/* Checks the reason, attribute and offset of a refusal. */
#define ck_refused(call, want_err, want_attr, want_off)                  \
	do {                                                             \
		struct bgp_update_result res_;                           \
		ck_assert_int_eq(call, want_err);                        \
		ck_assert_int_eq(res_.err, want_err);                    \
		ck_assert_uint_eq(res_.attr, want_attr);                 \
		ck_assert_uint_eq(res_.off, want_off);                   \
	} while (0)

START_TEST(decode_header_errors)
{
	/* RFC 4271 §6.1 */
	ck_refused(decode_patched(5, 0xfe, &res_), BGP_UPD_MARKER, 0, 5);
	ck_refused(decode_patched(AT_LENGTH + 1, MSG_V4_WEB_LEN + 1, &res_),
		   BGP_UPD_LENGTH, 0, AT_LENGTH);
	ck_refused(decode_patched(AT_TYPE, BGP_MSG_KEEPALIVE, &res_),
		   BGP_UPD_TYPE, 0, AT_TYPE);
	/* A buffer one octet short of what the length field says. */
	struct vec v = VEC(MSG_V4_WEB_IBGP);
	ck_refused(decode_vec((struct vec){ v.data, v.len - 1 }, NULL, &res_),
		   BGP_UPD_LENGTH, 0, AT_LENGTH);
	ck_refused(decode_vec((struct vec){ v.data, 10 }, NULL, &res_),
		   BGP_UPD_SHORT, 0, 10);
	ck_refused(decode_vec((struct vec){ NULL, 0 }, NULL, &res_),
		   BGP_UPD_SHORT, 0, 0);
	/* A 19..22-octet UPDATE cannot hold its two length fields. */
	ck_refused(decode_vec(VEC(UPDATE_HEADER(21), 0, 0), NULL, &res_),
		   BGP_UPD_LENGTH, 0, AT_LENGTH);
	/* RFC 4271 §6.3: the lengths must fit the message. */
	ck_refused(decode_patched(AT_WITHDRAWN_LEN + 1, 49, &res_),
		   BGP_UPD_WITHDRAWN_LEN, 0, AT_WITHDRAWN_LEN);
	ck_refused(decode_patched(AT_ATTRS_LEN + 1, 47, &res_),
		   BGP_UPD_ATTRS_LEN, 0, AT_ATTRS_LEN);
	ck_refused(decode_patched(AT_ATTRS_LEN + 1, 45, &res_),
		   BGP_UPD_ATTR_TRUNCATED, BGP_ATTR_EXT_COMMUNITIES, AT_EXT);
}
END_TEST

START_TEST(decode_attribute_errors)
{
	/* RFC 7606 §3 (g): MP_UNREACH_NLRI twice. */
	ck_refused(decode_vec(VEC(
		UPDATE_HEADER(35),
		0, 0,
		0, 12,
		OPT_NON_TRANS, BGP_ATTR_MP_UNREACH_NLRI, 3, 0, FS_AFI_IPV4, FS_SAFI,
		OPT_NON_TRANS, BGP_ATTR_MP_UNREACH_NLRI, 3, 0, FS_AFI_IPV4, FS_SAFI),
		NULL, &res_),
		BGP_UPD_ATTR_DUP, BGP_ATTR_MP_UNREACH_NLRI, 29);
	/* Any other attribute twice: the second is discarded (§3 g). */
	struct bgp_update_result ok;
	ck_assert_int_eq(decode_vec(VEC(
		UPDATE_HEADER(31),
		0, 0,
		0, 8,
		WELL_KNOWN, BGP_ATTR_ORIGIN, 1, BGP_ORIGIN_IGP,
		WELL_KNOWN, BGP_ATTR_ORIGIN, 1, 7), NULL, &ok), BGP_UPD_OK);
	/* An attribute longer than the Path Attributes field. */
	ck_refused(decode_vec(VEC(
		UPDATE_HEADER(27),
		0, 0,
		0, 4,
		WELL_KNOWN, BGP_ATTR_ORIGIN, 2, BGP_ORIGIN_IGP), NULL, &res_),
		BGP_UPD_ATTR_TRUNCATED, BGP_ATTR_ORIGIN, 23);
	/* An attribute header cut after its flags. */
	ck_refused(decode_vec(VEC(UPDATE_HEADER(24), 0, 0, 0, 1, WELL_KNOWN),
			      NULL, &res_),
		   BGP_UPD_ATTR_TRUNCATED, 0, 23);
	/* An extended length cut after one octet. */
	ck_refused(decode_vec(VEC(UPDATE_HEADER(26), 0, 0, 0, 3,
				  OPT_TRANS | BGP_ATTR_FLAG_EXTENDED,
				  BGP_ATTR_COMMUNITIES, 0), NULL, &res_),
		   BGP_UPD_ATTR_TRUNCATED, BGP_ATTR_COMMUNITIES, 23);
	/* RFC 4271 §6.3 / RFC 7606 §3 (c): flags against the type. */
	ck_refused(decode_patched(AT_ORIGIN, OPT_TRANS, &res_),
		   BGP_UPD_ATTR_FLAGS, BGP_ATTR_ORIGIN, AT_ORIGIN);
	ck_refused(decode_patched(AT_MP_REACH, OPT_TRANS, &res_),
		   BGP_UPD_ATTR_FLAGS, BGP_ATTR_MP_REACH_NLRI, AT_MP_REACH);
	ck_refused(decode_patched(AT_LOCAL_PREF,
				  WELL_KNOWN | BGP_ATTR_FLAG_PARTIAL, &res_),
		   BGP_UPD_ATTR_FLAGS, BGP_ATTR_LOCAL_PREF, AT_LOCAL_PREF);
	ck_refused(decode_patched(AT_EXT, BGP_ATTR_FLAG_TRANSITIVE, &res_),
		   BGP_UPD_ATTR_FLAGS, BGP_ATTR_EXT_COMMUNITIES, AT_EXT);
	/* Partial is fine on an optional transitive attribute. */
	ck_assert_int_eq(decode_patched(AT_EXT, OPT_TRANS |
					BGP_ATTR_FLAG_PARTIAL,
					&(struct bgp_update_result){ 0 }),
			 BGP_UPD_OK);
	/* Unknown: optional is passed over, well-known is an error. */
	ck_assert_int_eq(decode_patched(AT_EXT + 1, 99,
					&(struct bgp_update_result){ 0 }),
			 BGP_UPD_OK);
	ck_refused(decode_patched(AT_LOCAL_PREF + 1, 99, &res_),
		   BGP_UPD_ATTR_WELL_KNOWN, 99, AT_LOCAL_PREF);
	/* ORIGIN 3 is not defined (RFC 4271 §4.3 (a)). */
	ck_refused(decode_patched(AT_ORIGIN_VALUE, 3, &res_),
		   BGP_UPD_ATTR_VALUE, BGP_ATTR_ORIGIN, AT_ORIGIN_VALUE);
	/* Fixed lengths and whole communities. */
	ck_refused(decode_vec(VEC(UPDATE_HEADER(30), 0, 0, 0, 7,
				  OPT_TRANS, BGP_ATTR_EXT_COMMUNITIES, 4,
				  1, 2, 3, 4), NULL, &res_),
		   BGP_UPD_ATTR_LEN, BGP_ATTR_EXT_COMMUNITIES, 23);
	ck_refused(decode_vec(VEC(UPDATE_HEADER(29), 0, 0, 0, 6,
				  WELL_KNOWN, BGP_ATTR_LOCAL_PREF, 3,
				  0, 0, 100), NULL, &res_),
		   BGP_UPD_ATTR_LEN, BGP_ATTR_LOCAL_PREF, 23);
	ck_refused(decode_vec(VEC(UPDATE_HEADER(30), 0, 0, 0, 7,
				  OPT_TRANS, BGP_ATTR_IPV6_EXT_COMMUNITIES, 4,
				  1, 2, 3, 4), NULL, &res_),
		   BGP_UPD_ATTR_LEN, BGP_ATTR_IPV6_EXT_COMMUNITIES, 23);
}
END_TEST

START_TEST(decode_mp_errors)
{
	/* RFC 4760 §3 with RFC 8955 §4: AFI 1 or 2, SAFI 133. */
	ck_refused(decode_patched(AT_AFI + 1, 3, &res_),
		   BGP_UPD_AFI, BGP_ATTR_MP_REACH_NLRI, AT_AFI);
	ck_refused(decode_patched(AT_AFI, 1, &res_),
		   BGP_UPD_AFI, BGP_ATTR_MP_REACH_NLRI, AT_AFI);
	ck_refused(decode_patched(AT_SAFI, 1, &res_),
		   BGP_UPD_SAFI, BGP_ATTR_MP_REACH_NLRI, AT_SAFI);
	ck_refused(decode_patched(AT_NH_LEN, 5, &res_),
		   BGP_UPD_NEXTHOP_LEN, BGP_ATTR_MP_REACH_NLRI, AT_NH_LEN);
	/* A next hop of 4 octets would eat the reserved octet and the NLRI
	 * length: the NLRI list then starts inside the NLRI. */
	ck_assert_int_ne(decode_patched(AT_NH_LEN, 4,
					&(struct bgp_update_result){ 0 }),
			 BGP_UPD_OK);
	/* An NLRI length past the attribute. */
	ck_refused(decode_patched(AT_NLRI, MATCH_V4_WEB_LEN + 1, &res_),
		   BGP_UPD_NLRI_TRUNCATED, BGP_ATTR_MP_REACH_NLRI, AT_NLRI);
	/* MP_UNREACH_NLRI too short for AFI and SAFI. */
	ck_refused(decode_vec(VEC(UPDATE_HEADER(28), 0, 0, 0, 5,
				  OPT_NON_TRANS, BGP_ATTR_MP_UNREACH_NLRI, 2,
				  0, FS_AFI_IPV4), NULL, &res_),
		   BGP_UPD_ATTR_LEN, BGP_ATTR_MP_UNREACH_NLRI, 23);
	ck_refused(decode_vec(VEC(UPDATE_HEADER(30), 0, 0, 0, 7,
				  OPT_NON_TRANS, BGP_ATTR_MP_UNREACH_NLRI, 4,
				  0, FS_AFI_IPV4, FS_SAFI, 3), NULL, &res_),
		   BGP_UPD_NLRI_TRUNCATED, BGP_ATTR_MP_UNREACH_NLRI, 29);
	/* MP_REACH_NLRI without its reserved octet. */
	ck_refused(decode_vec(VEC(UPDATE_HEADER(30), 0, 0, 0, 7,
				  OPT_NON_TRANS, BGP_ATTR_MP_REACH_NLRI, 4,
				  0, FS_AFI_IPV4, FS_SAFI, 0), NULL, &res_),
		   BGP_UPD_ATTR_LEN, BGP_ATTR_MP_REACH_NLRI, 23);
	/* A 32-octet next hop (RFC 2545 §3): the global address is kept. */
	struct flows *f = calloc(1, sizeof *f);
	struct bgp_update_result res;
	ck_assert_int_eq(decode_vec(VEC(
		UPDATE_HEADER(81),
		0, 0,
		0, 58,
		/* 3 + 1 + 32 + 1 + 11 = 48 */
		OPT_NON_TRANS, BGP_ATTR_MP_REACH_NLRI, 48,
		0, FS_AFI_IPV6, FS_SAFI,
		32,
		0x20, 0x01, 0x0d, 0xb8, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1,
		0xfe, 0x80, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1,
		0,
		MATCH_V6_UDP_LEN, MATCH_V6_UDP,
		/* ORIGIN IGP and an empty AS_PATH, which routes need. */
		BGP_ATTR_FLAG_TRANSITIVE, BGP_ATTR_ORIGIN, 1, BGP_ORIGIN_IGP,
		BGP_ATTR_FLAG_TRANSITIVE, BGP_ATTR_AS_PATH, 0), f, &res), BGP_UPD_OK);
	char buf[ADDR_STRLEN];
	ck_assert_uint_eq(f->n, 1);
	ck_assert_str_eq(addr_format(&f->rules[0].nexthop, buf), "2001:db8::1");
	flows_free(f);
	free(f);
}
END_TEST

/* destination-port before protocol: RFC 8955 §4.2 wants increasing type. */
#define MSG_V4_BAD_ORDER                                                \
	UPDATE_HEADER(69),                                              \
	0, 0,                                                           \
	0, 46,                                                          \
	OPT_NON_TRANS, BGP_ATTR_MP_REACH_NLRI, 18,                      \
	0, FS_AFI_IPV4, FS_SAFI, 0, 0,                                  \
	MATCH_V4_WEB_LEN,                                               \
	FS_TYPE_DST_PREFIX, 32, 10, 50, 100, 100,	/* octet 32 */  \
	FS_TYPE_DST_PORT, FS_OP_END | FS_OP_EQ, 80,	/* octet 38 */  \
	FS_TYPE_IP_PROTO, FS_OP_END | FS_OP_EQ, 6,	/* octet 41 */  \
	IBGP_ATTRS,                                                     \
	EXT_DISCARD_ATTR

START_TEST(decode_invalid_nlri)
{
	struct bgp_update_result res;
	ck_assert_int_eq(decode_vec(VEC(MSG_V4_BAD_ORDER), NULL, &res),
			 BGP_UPD_NLRI);
	ck_assert_int_eq(res.nlri_reason, FS_ERR_TYPE_ORDER);
	ck_assert_uint_eq(res.attr, BGP_ATTR_MP_REACH_NLRI);
	ck_assert_uint_eq(res.off, 41);
	char buf[128];
	ck_assert_str_eq(bgp_update_error_text(&res, buf, sizeof buf),
			 "octet 41: MP_REACH_NLRI: components not in increasing "
			 "type order");

	/* An IPv4 prefix length of 33 in the NLRI (RFC 8955 §4.2.2.1). */
	ck_refused(decode_patched(33, 33, &res_), BGP_UPD_NLRI,
		   BGP_ATTR_MP_REACH_NLRI, 33);
	/* An empty NLRI (RFC 8955 §4.1: at least one component). */
	ck_refused(decode_vec(VEC(UPDATE_HEADER(30), 0, 0, 0, 7,
				  OPT_NON_TRANS, BGP_ATTR_MP_UNREACH_NLRI, 4,
				  0, FS_AFI_IPV4, FS_SAFI, 0), NULL, &res_),
		   BGP_UPD_NLRI, BGP_ATTR_MP_UNREACH_NLRI, 30);
	/* Type 13 (flow label) is IPv6 only (RFC 8956 §3.7). */
	ck_refused(decode_vec(VEC(UPDATE_HEADER(33), 0, 0, 0, 10,
				  OPT_NON_TRANS, BGP_ATTR_MP_UNREACH_NLRI, 7,
				  0, FS_AFI_IPV4, FS_SAFI,
				  3, FS_TYPE_FLOW_LABEL, FS_OP_END | FS_OP_EQ,
				  1), NULL, &res_),
		   BGP_UPD_NLRI, BGP_ATTR_MP_UNREACH_NLRI, 30);
}
END_TEST

/* RFC 7606 treat-as-withdraw: the valid NLRIs of a refused UPDATE, as
 * withdrawn; an invalid one is passed over, and nothing past a fault in
 * the attribute framing. */
START_TEST(withdraw_all_of_refused)
{
	/* ORIGIN 7 (RFC 7606 §7.1), then MP_REACH_NLRI with MATCH_V4_WEB and
	 * an NLRI out of type order (protocol before destination). */
	struct vec bad = VEC(UPDATE_HEADER(55), 0, 0, 0, 32,
			     WELL_KNOWN, BGP_ATTR_ORIGIN, 1, 7,
			     OPT_NON_TRANS, BGP_ATTR_MP_REACH_NLRI, 25,
			     0, FS_AFI_IPV4, FS_SAFI, 0, 0,
			     MATCH_V4_WEB_LEN, MATCH_V4_WEB,
			     6, FS_TYPE_IP_PROTO, FS_OP_END | FS_OP_EQ, 6,
			     FS_TYPE_DST_PREFIX, 8, 10);
	struct bgp_update_result res;
	ck_assert_int_eq(decode_vec(bad, NULL, &res), BGP_UPD_ATTR_VALUE);
	struct flows *f = calloc(1, sizeof *f);
	uint8_t *copy = exact_copy(bad.data, bad.len);
	ck_assert_uint_eq(bgp_update_withdraw_all(copy, bad.len, keep_flow,
						  f), 1);
	ck_assert_uint_eq(f->n, 1);
	ck_assert(f->withdrawn[0]);
	ck_assert_octets(f->rules[0].match.data, f->rules[0].match.len,
			 VEC(MATCH_V4_WEB));
	flows_free(f);
	/* Every truncation: no overread, never more than the one. */
	for (size_t n = 0; n < bad.len; n++) {
		free(copy);
		copy = exact_copy(bad.data, n);
		ck_assert_uint_le(bgp_update_withdraw_all(copy, n, keep_flow,
							  f), 1);
		flows_free(f);
	}
	free(copy);
	free(f);
}
END_TEST

START_TEST(error_text)
{
	char buf[128];
	struct bgp_update_result res = { .err = BGP_UPD_MARKER, .off = 3 };
	ck_assert_str_eq(bgp_update_error_text(&res, buf, sizeof buf),
			 "octet 3: marker is not all ones");
	res = (struct bgp_update_result){ .err = BGP_UPD_ATTR_WELL_KNOWN,
					  .attr = 99, .off = 51 };
	ck_assert_str_eq(bgp_update_error_text(&res, buf, sizeof buf),
			 "octet 51: attribute 99: unrecognized well-known "
			 "attribute");
	res = (struct bgp_update_result){ .err = BGP_UPD_ATTR_DUP,
					  .attr = BGP_ATTR_ORIGIN, .off = 27 };
	ck_assert_str_eq(bgp_update_error_text(&res, buf, sizeof buf),
			 "octet 27: ORIGIN: attribute appears twice");
	ck_assert_str_eq(bgp_update_error_text(&res, buf, 9), "octet 27");
	ck_assert_str_eq(bgp_update_err_str((enum bgp_update_err)99),
			 "unknown error");
	for (int e = BGP_UPD_OK; e <= BGP_UPD_NOMEM; e++)
		ck_assert_ptr_nonnull(bgp_update_err_str(e));
	for (int e = BGP_BUILD_OK; e <= BGP_BUILD_NOMEM; e++)
		ck_assert_ptr_nonnull(bgp_build_err_str(e));
}
END_TEST

/* ---- sweeps ------------------------------------------------------------ */

/* Every strict prefix of v is refused as it is, and with the header
 * length patched to fit; with both lengths patched, only the cuts at
 * attribute boundaries (listed in ok, 0-terminated) decode. */
static void sweep(struct vec v, const size_t *ok)
{
	uint8_t *buf = malloc(v.len);
	ck_assert_ptr_nonnull(buf);
	for (size_t n = 0; n < v.len; n++) {
		struct bgp_update_result res;
		memcpy(buf, v.data, n);
		ck_assert_int_ne(decode_vec((struct vec){ buf, n }, NULL, &res),
				 BGP_UPD_OK);
		if (n < BGP_HEADER_LEN)
			continue;
		buf[AT_LENGTH] = (uint8_t)(n >> 8);
		buf[AT_LENGTH + 1] = (uint8_t)n;
		ck_assert_msg(decode_vec((struct vec){ buf, n }, NULL, &res) !=
				      BGP_UPD_OK,
			      "prefix of %zu octets accepted", n);
		ck_assert_uint_lt(res.off, n);
		if (n < BGP_UPDATE_MIN_LEN)
			continue;
		buf[AT_ATTRS_LEN] = (uint8_t)((n - BGP_UPDATE_MIN_LEN) >> 8);
		buf[AT_ATTRS_LEN + 1] = (uint8_t)(n - BGP_UPDATE_MIN_LEN);
		bool want_ok = false;
		for (const size_t *o = ok; *o; o++)
			want_ok |= *o == n;
		ck_assert_msg((decode_vec((struct vec){ buf, n }, NULL, &res) ==
			       BGP_UPD_OK) == want_ok,
			      "cut at %zu: %s", n, bgp_update_err_str(res.err));
		if (!want_ok)
			ck_assert_uint_lt(res.off, n);
	}
	free(buf);
}

START_TEST(truncation_sweep)
{
	/* Attribute boundaries of MSG_V4_WEB_IBGP: no attribute, after
	 * AS_PATH, LOCAL_PREF (before, ORIGIN or AS_PATH is missing). */
	const size_t ok[] = { 23, AT_LOCAL_PREF, AT_EXT, 0 };
	sweep(VEC(MSG_V4_WEB_IBGP), ok);
	const size_t ok_redirect[] = { 23, 55, 62, 0 };
	sweep(VEC(MSG_V4_REDIRECT_NH), ok_redirect);
	const size_t ok_withdraw[] = { 23, 0 };
	sweep(VEC(MSG_V4_WEB_WITHDRAW), ok_withdraw);
}
END_TEST

/* Every single-bit change of valid messages decodes or is refused, and
 * a refusal points inside the message. */
START_TEST(bit_flip_sweep)
{
	struct vec vs[] = { VEC(MSG_V4_WEB_IBGP), VEC(MSG_V4_REDIRECT_NH),
			    VEC(MSG_V4_WEB_WITHDRAW) };
	struct flows *f = calloc(1, sizeof *f);
	for (size_t k = 0; k < sizeof vs / sizeof vs[0]; k++) {
		uint8_t *buf = malloc(vs[k].len);
		for (size_t i = 0; i < vs[k].len * 8; i++) {
			memcpy(buf, vs[k].data, vs[k].len);
			buf[i / 8] ^= (uint8_t)(1u << (i % 8));
			struct bgp_update_result res;
			if (decode_vec((struct vec){ buf, vs[k].len }, f,
				       &res) != BGP_UPD_OK)
				ck_assert_uint_le(res.off, vs[k].len);
			flows_free(f);
		}
		free(buf);
	}
	free(f);
}
END_TEST

/* ---- with the text syntax ---------------------------------------------- */

START_TEST(text_rule_encodes_to_hand_vector)
{
	struct fs_rule r;
	struct fs_text_error err;
	const char *text = "flow route { match { destination 10.50.100.100/32; "
			   "protocol =6; destination-port =80; } then { "
			   "discard; } }";
	ck_assert_msg(fs_text_parse(&r, text, NULL, &err), "col %zu: %s",
		      err.col, err.msg);
	check_announce(&ibgp, &r, VEC(MSG_V4_WEB_IBGP));
	fs_rule_clear(&r);
}
END_TEST

START_TEST(decoded_rule_formats_and_parses_back)
{
	struct flows *f = calloc(1, sizeof *f);
	struct bgp_update_result res;
	ck_assert_int_eq(decode_vec(VEC(MSG_V4_WEB_IBGP), f, &res), BGP_UPD_OK);
	char *text = fs_text_string(&f->rules[0]);
	ck_assert_ptr_nonnull(text);
	struct fs_rule back;
	struct fs_text_error err;
	ck_assert_msg(fs_text_parse(&back, text, NULL, &err), "%s: col %zu: %s",
		      text, err.col, err.msg);
	ck_assert_octets(back.match.data, back.match.len, VEC(MATCH_V4_WEB));
	ck_assert_octets(back.ext.data, back.ext.len, VEC(EXT_DISCARD));
	fs_rule_clear(&back);
	free(text);
	flows_free(f);
	free(f);
}
END_TEST

static Suite *update_suite(void)
{
	Suite *s = suite_create("update");
	ADD_CASE(s, "constants", constants_are_the_rfc_numbers);
	ADD_CASE(s, "build", announce_ipv4_ibgp, announce_ipv4_ebgp_as2,
		 announce_ipv4_ebgp_as_trans, announce_ipv4_ebgp_as4,
		 announce_ipv6, withdraw_ipv4, announce_redirect_nexthop,
		 announce_communities_and_ext6);
	ADD_CASE(s, "pack", pack_300_rules, pack_withdraw_ignores_attributes,
		 extended_length_attribute, long_nlri_two_octet_length,
		 build_errors);
	ADD_CASE(s, "decode", decode_announce, decode_withdraw_and_announce,
		 decode_withdraw, decode_end_of_rib, decode_skips_ipv4_unicast,
		 decode_callback_stops, decode_header_errors,
		 decode_attribute_errors, decode_mp_errors,
		 decode_invalid_nlri, withdraw_all_of_refused, error_text);
	ADD_CASE(s, "sweep", truncation_sweep, bit_flip_sweep);
	ADD_CASE(s, "text", text_rule_encodes_to_hand_vector,
		 decoded_rule_formats_and_parses_back);
	return s;
}

TEST_MAIN(update_suite)
