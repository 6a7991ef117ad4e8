/* Unit tests for nlri/rule: actions and communities into their attribute
 * buffers, normalisation (sorted, no repeats), deep copy, error state. */
#include "nlri/rule.h"
#include "vectors.h"

static struct addr addr_of(const char *s)
{
	struct addr a;
	ck_assert_msg(addr_parse(&a, s, strlen(s)), "addr %s", s);
	return a;
}

static const struct fs_action discard = { .type = FS_ACT_RATE_BYTES };
static const struct fs_action mark46 = { .type = FS_ACT_MARK, .dscp = 46 };
static const struct fs_action redirect = { .type = FS_ACT_REDIRECT_AS2,
					   .asn = 65000, .local = 100 };

/* The octets of each action, from test_actions. */
#define DISCARD_OCTETS 0x80, 0x06, 0, 0, 0, 0, 0, 0
#define MARK46_OCTETS 0x80, 0x09, 0, 0, 0, 0, 0, 0x2e
#define REDIRECT_OCTETS 0x80, 0x08, 0xfd, 0xe8, 0, 0, 0, 0x64

static struct fs_action redirect_v6(const char *ip)
{
	return (struct fs_action){ .type = FS_ACT_REDIRECT_IP_IETF,
				   .ip = addr_of(ip) };
}

START_TEST(init_and_clear)
{
	struct fs_rule r;
	fs_rule_init(&r, FS_AFI_IPV6);
	ck_assert_int_eq(r.afi, FS_AFI_IPV6);
	ck_assert_uint_eq(r.match.len, 0);
	ck_assert_uint_eq(r.ext.len, 0);
	ck_assert_uint_eq(r.ext6.len, 0);
	ck_assert_uint_eq(r.comm.len, 0);
	ck_assert_int_eq(r.nexthop.family, ADDR_NONE);
	ck_assert_uint_eq(r.match.limit, FS_NLRI_MAX);
	ck_assert(fs_rule_ok(&r));
	fs_rule_add_action(&r, &discard);
	fs_rule_clear(&r);
	ck_assert_uint_eq(r.ext.len, 0);
	ck_assert_ptr_null(r.ext.data);
	fs_rule_clear(&r);	/* twice is fine */
	fs_rule_clear(NULL);
}
END_TEST

START_TEST(actions_go_to_their_attribute)
{
	struct fs_rule r;
	fs_rule_init(&r, FS_AFI_IPV4);
	fs_rule_add_action(&r, &discard);
	struct fs_action v6 = redirect_v6("2001:db8::1");
	fs_rule_add_action(&r, &v6);
	struct fs_action v4 = { .type = FS_ACT_REDIRECT_IP_IETF,
				.ip = addr_of("192.0.2.1") };
	fs_rule_add_action(&r, &v4);
	fs_rule_add_community(&r, 0xfde8029a);	/* 65000:666 */
	ck_assert(fs_rule_ok(&r));

	/* 8-octet communities in EXTENDED_COMMUNITIES ... */
	ck_assert_octets(r.ext.data, r.ext.len,
			 VEC(DISCARD_OCTETS,
			     0x01, 0x0c, 192, 0, 2, 1, 0x00, 0x00));
	/* ... the 20-octet one in IPv6_ADDRESS_SPECIFIC (RFC 5701) ... */
	ck_assert_octets(r.ext6.data, r.ext6.len,
			 VEC(0x00, 0x0c, 0x20, 0x01, 0x0d, 0xb8, 0, 0, 0, 0,
			     0, 0, 0, 0, 0, 0, 0, 0x01, 0x00, 0x00));
	/* ... and the community in COMMUNITIES, 4 octets. */
	ck_assert_octets(r.comm.data, r.comm.len, VEC(0xfd, 0xe8, 0x02, 0x9a));

	/* An unknown 20-octet community is IPv6 too. */
	struct fs_action other6;
	uint8_t raw6[EXT6_COMMUNITY_LEN] = { 0x00, 0x02 };
	fs_action_decode(&other6, raw6, sizeof raw6);
	fs_rule_add_action(&r, &other6);
	ck_assert_uint_eq(r.ext6.len, 2 * EXT6_COMMUNITY_LEN);
	fs_rule_clear(&r);
}
END_TEST

START_TEST(normalize_sorts_and_dedups)
{
	struct fs_rule a, b;
	fs_rule_init(&a, FS_AFI_IPV4);
	fs_rule_init(&b, FS_AFI_IPV4);

	/* The same set in two orders, with repeats. */
	fs_rule_add_action(&a, &mark46);
	fs_rule_add_action(&a, &redirect);
	fs_rule_add_action(&a, &discard);
	fs_rule_add_action(&a, &mark46);
	fs_rule_add_community(&a, 0xfde8029a);
	fs_rule_add_community(&a, 0x0000ffff);
	fs_rule_add_community(&a, 0xfde8029a);

	fs_rule_add_action(&b, &discard);
	fs_rule_add_action(&b, &discard);
	fs_rule_add_action(&b, &redirect);
	fs_rule_add_action(&b, &mark46);
	fs_rule_add_community(&b, 0x0000ffff);
	fs_rule_add_community(&b, 0xfde8029a);

	fs_rule_normalize(&a);
	fs_rule_normalize(&b);
	/* Sorted as octet strings: 8006 < 8008 < 8009. */
	struct vec want = VEC(DISCARD_OCTETS, REDIRECT_OCTETS, MARK46_OCTETS);
	ck_assert_octets(a.ext.data, a.ext.len, want);
	ck_assert_octets(b.ext.data, b.ext.len, want);
	struct vec comm = VEC(0x00, 0x00, 0xff, 0xff, 0xfd, 0xe8, 0x02, 0x9a);
	ck_assert_octets(a.comm.data, a.comm.len, comm);
	ck_assert_octets(b.comm.data, b.comm.len, comm);

	/* Normalising again changes nothing. */
	fs_rule_normalize(&a);
	ck_assert_octets(a.ext.data, a.ext.len, want);

	/* IPv6 communities: sorted and unique too. */
	struct fs_action hi = redirect_v6("2001:db8::2");
	struct fs_action lo = redirect_v6("2001:db8::1");
	fs_rule_add_action(&a, &hi);
	fs_rule_add_action(&a, &lo);
	fs_rule_add_action(&a, &hi);
	fs_rule_normalize(&a);
	ck_assert_uint_eq(a.ext6.len, 2 * EXT6_COMMUNITY_LEN);
	ck_assert_uint_eq(a.ext6.data[17], 0x01);
	ck_assert_uint_eq(a.ext6.data[EXT6_COMMUNITY_LEN + 17], 0x02);

	/* Nothing or one entry: left as is. */
	struct fs_rule c;
	fs_rule_init(&c, FS_AFI_IPV4);
	fs_rule_normalize(&c);
	ck_assert_uint_eq(c.ext.len, 0);
	fs_rule_add_action(&c, &mark46);
	fs_rule_normalize(&c);
	ck_assert_octets(c.ext.data, c.ext.len, VEC(MARK46_OCTETS));
	/* All repeats collapse into one. */
	for (int i = 0; i < 50; i++)
		fs_rule_add_action(&c, &mark46);
	fs_rule_normalize(&c);
	ck_assert_octets(c.ext.data, c.ext.len, VEC(MARK46_OCTETS));

	fs_rule_clear(&a);
	fs_rule_clear(&b);
	fs_rule_clear(&c);
}
END_TEST

/* A rule with something in every buffer. */
static void fill(struct fs_rule *r)
{
	fs_rule_init(r, FS_AFI_IPV4);
	static const uint8_t match[] = { FS_TYPE_DST_PREFIX, 24, 192, 0, 2,
					 FS_TYPE_IP_PROTO, FS_OP_END | FS_OP_EQ,
					 6 };
	put_bytes(&r->match, match, sizeof match);
	fs_rule_add_action(r, &discard);
	struct fs_action v6 = redirect_v6("2001:db8::1");
	fs_rule_add_action(r, &v6);
	fs_rule_add_community(r, 0xfde8029a);
	r->nexthop = addr_of("192.0.2.254");
}

static void assert_same(const struct fs_rule *a, const struct fs_rule *b)
{
	ck_assert_int_eq(a->afi, b->afi);
	const struct writer *wa[] = { &a->match, &a->ext, &a->ext6, &a->comm };
	const struct writer *wb[] = { &b->match, &b->ext, &b->ext6, &b->comm };
	for (int i = 0; i < 4; i++) {
		ck_assert_uint_eq(wa[i]->len, wb[i]->len);
		if (wa[i]->len)
			ck_assert_mem_eq(wa[i]->data, wb[i]->data, wa[i]->len);
	}
	ck_assert_int_eq(a->nexthop.family, b->nexthop.family);
	ck_assert_mem_eq(a->nexthop.bytes, b->nexthop.bytes, 16);
}

START_TEST(copy_is_deep)
{
	struct fs_rule src, dst;
	fill(&src);
	ck_assert(fs_rule_copy(&dst, &src));
	assert_same(&src, &dst);
	ck_assert_ptr_ne(dst.match.data, src.match.data);
	ck_assert_ptr_ne(dst.ext.data, src.ext.data);
	ck_assert_uint_eq(dst.match.limit, FS_NLRI_MAX);

	/* Changing the source leaves the copy alone. */
	src.match.data[1] = 32;
	fs_rule_add_action(&src, &mark46);
	ck_assert_uint_eq(dst.match.data[1], 24);
	ck_assert_uint_eq(dst.ext.len, EXT_COMMUNITY_LEN);
	fs_rule_clear(&src);
	/* The copy outlives the source (ASan: no use after free). */
	ck_assert_uint_eq(dst.ext.data[1], 0x06);
	fs_rule_clear(&dst);
}
END_TEST

START_TEST(copy_with_empty_buffers)
{
	/* Empty buffers have no memory yet (data NULL). */
	struct fs_rule src, dst;
	fs_rule_init(&src, FS_AFI_IPV6);
	ck_assert(fs_rule_copy(&dst, &src));
	assert_same(&src, &dst);
	fs_rule_clear(&dst);
	fs_rule_clear(&src);
}
END_TEST

START_TEST(copy_keeps_errors)
{
	struct fs_rule src, dst;
	fill(&src);
	src.comm.err = true;
	ck_assert(!fs_rule_ok(&src));
	ck_assert(!fs_rule_copy(&dst, &src));
	ck_assert(!fs_rule_ok(&dst));
	fs_rule_clear(&dst);
	fs_rule_clear(&src);
}
END_TEST

START_TEST(ok_tracks_every_buffer)
{
	struct fs_rule r;
	fill(&r);
	ck_assert(fs_rule_ok(&r));

	/* The match holds at most FS_NLRI_MAX octets (RFC 8955 §4.1). */
	static uint8_t big[FS_NLRI_MAX];
	writer_reset(&r.match);
	put_bytes(&r.match, big, sizeof big);
	ck_assert(fs_rule_ok(&r));
	put_u8(&r.match, 0);
	ck_assert(!fs_rule_ok(&r));
	fs_rule_clear(&r);

	for (int i = 0; i < 4; i++) {
		fill(&r);
		struct writer *w[] = { &r.match, &r.ext, &r.ext6, &r.comm };
		w[i]->err = true;
		ck_assert_msg(!fs_rule_ok(&r), "buffer %d", i);
		fs_rule_clear(&r);
	}

	/* An attribute value has a two-octet length: 65535 octets at most,
	 * so 8191 extended communities fit and one more does not. */
	fs_rule_init(&r, FS_AFI_IPV4);
	for (unsigned i = 0; i < 65535 / EXT_COMMUNITY_LEN; i++) {
		struct fs_action a = { .type = FS_ACT_REDIRECT_AS4, .asn = i,
				       .local = 1 };
		fs_rule_add_action(&r, &a);
	}
	ck_assert(fs_rule_ok(&r));
	fs_rule_add_action(&r, &discard);
	ck_assert(!fs_rule_ok(&r));
	fs_rule_clear(&r);
}
END_TEST

static Suite *rule_suite(void)
{
	Suite *s = suite_create("rule");
	ADD_CASE(s, "actions", init_and_clear, actions_go_to_their_attribute,
		 normalize_sorts_and_dedups);
	ADD_CASE(s, "copy", copy_is_deep, copy_with_empty_buffers,
		 copy_keeps_errors, ok_tracks_every_buffer);
	return s;
}

TEST_MAIN(rule_suite)
