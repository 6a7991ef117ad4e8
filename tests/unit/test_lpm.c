/* Longest-prefix match (lib/lpm.h): small named cases, then random
 * prefix sets (fixed seed; IPv4 and IPv6; nested, duplicated, /0 and
 * host prefixes) against a brute-force reference on the first and last
 * address of every prefix, the addresses just outside, and random ones. */
#include <check.h>
#include <stdlib.h>
#include <string.h>

#include "lib/lpm.h"
#include "randprefix.h"
#include "vectors.h"

#define N(a) (sizeof(a) / sizeof((a)[0]))

static struct prefix P(const char *s)
{
	struct prefix p;
	ck_assert_msg(prefix_parse(&p, s, strlen(s)), "bad prefix %s", s);
	return p;
}

static int find(const struct lpm *t, const char *s)
{
	struct addr a;
	ck_assert_msg(addr_parse(&a, s, strlen(s)), "bad address %s", s);
	return lpm_find(t, &a);
}

/* ---- named cases --------------------------------------------------------- */

START_TEST(most_specific_wins)
{
	const struct lpm_entry e[] = {
		{ P("10.0.0.0/8"), 0 },
		{ P("10.1.0.0/16"), 1 },
		{ P("10.1.2.0/24"), 2 },
		{ P("10.1.2.3/32"), 3 },
		{ P("10.255.0.0/16"), 4 },	/* ends where 10/8 ends */
		{ P("2001:db8::/32"), 5 },
		{ P("2001:db8::1/128"), 6 },
	};
	struct lpm *t = lpm_new(e, N(e));
	ck_assert_ptr_nonnull(t);
	ck_assert_int_eq(find(t, "9.255.255.255"), -1);
	ck_assert_int_eq(find(t, "10.0.0.0"), 0);
	ck_assert_int_eq(find(t, "10.0.255.255"), 0);
	ck_assert_int_eq(find(t, "10.1.0.0"), 1);
	ck_assert_int_eq(find(t, "10.1.2.2"), 2);
	ck_assert_int_eq(find(t, "10.1.2.3"), 3);
	ck_assert_int_eq(find(t, "10.1.2.4"), 2);
	ck_assert_int_eq(find(t, "10.1.3.0"), 1);
	ck_assert_int_eq(find(t, "10.2.0.0"), 0);
	ck_assert_int_eq(find(t, "10.254.255.255"), 0);
	ck_assert_int_eq(find(t, "10.255.255.255"), 4);
	ck_assert_int_eq(find(t, "11.0.0.0"), -1);
	ck_assert_int_eq(find(t, "2001:db8::"), 5);
	ck_assert_int_eq(find(t, "2001:db8::1"), 6);
	ck_assert_int_eq(find(t, "2001:db8::2"), 5);
	ck_assert_int_eq(find(t, "2001:db8:ffff:ffff:ffff:ffff:ffff:ffff"), 5);
	ck_assert_int_eq(find(t, "2001:db9::"), -1);
	/* The families are apart: 10.0.0.0 is not ::a00:0. */
	ck_assert_int_eq(find(t, "::a00:0"), -1);
	struct addr none = { 0 };
	ck_assert_int_eq(lpm_find(t, &none), -1);
	lpm_free(t);
}
END_TEST

START_TEST(same_prefix_first_counts)
{
	const struct lpm_entry e[] = {
		{ P("192.0.2.0/24"), 7 },
		{ P("192.0.2.0/25"), 8 },
		{ P("192.0.2.0/24"), 9 },
		{ P("192.0.2.0/25"), 10 },
	};
	struct lpm *t = lpm_new(e, N(e));
	ck_assert_int_eq(find(t, "192.0.2.0"), 8);
	ck_assert_int_eq(find(t, "192.0.2.127"), 8);
	ck_assert_int_eq(find(t, "192.0.2.128"), 7);
	ck_assert_int_eq(find(t, "192.0.2.255"), 7);
	lpm_free(t);
}
END_TEST

/* Ranges of one value next to each other are one range: the table of
 * two halves of 10/8 takes as much as that of 10/8 (two ranges: 10/8
 * and after it), and a more specific prefix at the start of another
 * adds one range, not two. */
START_TEST(ranges_merge)
{
	const struct lpm_entry whole[] = { { P("10.0.0.0/8"), 0 } };
	const struct lpm_entry halves[] = {
		{ P("10.128.0.0/9"), 0 }, { P("10.0.0.0/9"), 0 },
	};
	const struct lpm_entry nested[] = {
		{ P("10.0.0.0/8"), 0 }, { P("10.0.0.0/16"), 1 },
	};
	struct lpm *empty = lpm_new(NULL, 0), *w = lpm_new(whole, 1);
	struct lpm *h = lpm_new(halves, 2), *n = lpm_new(nested, 2);
	size_t range = lpm_memory(w) - lpm_memory(empty);
	ck_assert_uint_eq(range % 2, 0);
	range /= 2;
	ck_assert_uint_ge(range, 17);	/* a 128-bit start and a value */
	ck_assert_uint_eq(lpm_memory(h), lpm_memory(w));
	ck_assert_uint_eq(lpm_memory(n), lpm_memory(w) + range);
	ck_assert_int_eq(find(h, "10.127.255.255"), 0);
	ck_assert_int_eq(find(h, "10.128.0.0"), 0);
	ck_assert_int_eq(find(n, "10.0.255.255"), 1);
	ck_assert_int_eq(find(n, "10.1.0.0"), 0);
	lpm_free(empty);
	lpm_free(w);
	lpm_free(h);
	lpm_free(n);
}
END_TEST

START_TEST(whole_space_and_its_ends)
{
	const struct lpm_entry e[] = {
		{ P("0.0.0.0/0"), 0 },
		{ P("255.255.255.255/32"), 1 },
		{ P("0.0.0.0/32"), 2 },
		{ P("::/0"), 3 },
		{ P("ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff/128"), 4 },
		{ P("::/128"), 5 },
		{ P("8000::/1"), 6 },
		{ P("ffff:ffff:ffff:ffff::/96"), 7 },
	};
	struct lpm *t = lpm_new(e, N(e));
	ck_assert_int_eq(find(t, "0.0.0.0"), 2);
	ck_assert_int_eq(find(t, "0.0.0.1"), 0);
	ck_assert_int_eq(find(t, "255.255.255.254"), 0);
	ck_assert_int_eq(find(t, "255.255.255.255"), 1);
	ck_assert_int_eq(find(t, "::"), 5);
	ck_assert_int_eq(find(t, "::1"), 3);
	ck_assert_int_eq(find(t, "7fff:ffff:ffff:ffff:ffff:ffff:ffff:ffff"), 3);
	ck_assert_int_eq(find(t, "8000::"), 6);
	ck_assert_int_eq(find(t, "ffff:ffff:ffff:fffe:ffff:ffff:ffff:ffff"), 6);
	ck_assert_int_eq(find(t, "ffff:ffff:ffff:ffff::"), 7);
	ck_assert_int_eq(find(t, "ffff:ffff:ffff:ffff:0:0:ffff:ffff"), 7);
	ck_assert_int_eq(find(t, "ffff:ffff:ffff:ffff:0:1::"), 6);
	ck_assert_int_eq(find(t, "ffff:ffff:ffff:ffff:ffff:ffff:ffff:fffe"), 6);
	ck_assert_int_eq(find(t, "ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff"), 4);
	lpm_free(t);
}
END_TEST

START_TEST(empty_and_bad_entries)
{
	struct lpm *t = lpm_new(NULL, 0);
	ck_assert_ptr_nonnull(t);
	ck_assert_int_eq(find(t, "10.0.0.1"), -1);
	ck_assert_int_eq(find(t, "2001:db8::1"), -1);
	lpm_free(t);
	lpm_free(NULL);

	/* No family, or a length past the family's bits: left out. */
	struct lpm_entry e[] = {
		{ { { ADDR_NONE, { 0 } }, 0 }, 0 },
		{ P("10.0.0.0/8"), 1 },
		{ P("10.0.0.0/8"), 2 },
	};
	e[1].prefix.len = 33;
	t = lpm_new(e, N(e));
	ck_assert_int_eq(find(t, "10.0.0.0"), 2);
	ck_assert_int_eq(find(t, "11.0.0.0"), -1);
	lpm_free(t);
}
END_TEST

/* ---- random sets against a brute-force reference -------------------------- */

/* True when the first len bits of a and b agree. */
static bool same_bits(const uint8_t *a, const uint8_t *b, unsigned len)
{
	for (unsigned i = 0; i < len; i++) {
		unsigned bit = 0x80u >> (i % 8);
		if ((a[i / 8] & bit) != (b[i / 8] & bit))
			return false;
	}
	return true;
}

/* The reference: the value of the longest prefix holding a, the first
 * entry on a tie. */
static int brute_force(const struct lpm_entry *e, size_t n,
		       const struct addr *a)
{
	int best = -1, best_len = -1;
	for (size_t i = 0; i < n; i++) {
		const struct prefix *p = &e[i].prefix;
		if (p->addr.family == a->family && (int)p->len > best_len &&
		    same_bits(p->addr.bytes, a->bytes, p->len)) {
			best = e[i].value;
			best_len = p->len;
		}
	}
	return best;
}

static void check_addr(const struct lpm *t, const struct lpm_entry *e,
		       size_t n, const struct addr *a)
{
	int want = brute_force(e, n, a), got = lpm_find(t, a);
	if (want != got) {
		char buf[ADDR_STRLEN];
		ck_abort_msg("%s: found %d, the reference %d (%zu prefixes)",
			     addr_format(a, buf), got, want, n);
	}
}

/* One random set of n entries of both families (one in sixteen a copy
 * of an earlier prefix with another value), checked. */
static void check_random_set(size_t n)
{
	struct lpm_entry *e = calloc(n, sizeof *e);
	ck_assert_ptr_nonnull(e);
	struct addr v4[RP_BASES], v6[RP_BASES];
	rp_bases(ADDR_V4, v4);
	rp_bases(ADDR_V6, v6);
	for (size_t i = 0; i < n; i++) {
		enum addr_family f = rp_family();
		e[i].prefix = i > 0 && rp_next() % 16 == 0
				      ? e[rp_next() % i].prefix
				      : rp_prefix(f, f == ADDR_V4 ? v4 : v6);
		e[i].value = (int)(rp_next() % (n + 1));
	}
	struct lpm *t = lpm_new(e, n);
	ck_assert_ptr_nonnull(t);
	ck_assert_uint_le(lpm_memory(t), 1024 + 2 * n * 20);
	for (size_t i = 0; i < n; i++) {
		struct addr first = rp_edge(&e[i].prefix, false);
		struct addr last = rp_edge(&e[i].prefix, true);
		check_addr(t, e, n, &first);
		check_addr(t, e, n, &last);
		if (rp_step(&first, false))
			check_addr(t, e, n, &first);
		if (rp_step(&last, true))
			check_addr(t, e, n, &last);
	}
	for (size_t k = 0; k < 2000; k++) {
		enum addr_family f = rp_family();
		struct addr a = rp_addr(f, f == ADDR_V4 ? v4 : v6);
		check_addr(t, e, n, &a);
	}
	lpm_free(t);
	free(e);
}

START_TEST(random_sets_match_brute_force)
{
	rp_seed(20261204);
	static const size_t sizes[] = { 1, 2, 3, 5, 10, 30, 100, 300, 1000 };
	for (size_t s = 0; s < N(sizes); s++)
		for (int round = 0; round < 20; round++)
			check_random_set(sizes[s]);
}
END_TEST

static Suite *lpm_suite(void)
{
	Suite *s = suite_create("lpm");
	ADD_CASE(s, "lpm", most_specific_wins, same_prefix_first_counts,
		 ranges_merge, whole_space_and_its_ends, empty_and_bad_entries,
		 random_sets_match_brute_force);
	return s;
}

TEST_MAIN(lpm_suite)
