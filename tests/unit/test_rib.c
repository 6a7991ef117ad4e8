/* Unit tests for bgpd/rib and lib/tree: the table in RFC 8955 §5.1 order,
 * replace / unchanged / withdraw, expiry on a fake clock, listeners, the
 * tree's balance under random changes, and 100,000 inserts. */
#include <stdio.h>
#include <time.h>

#include "bgpd/rib/rib.h"
#include "lib/tree.h"
#include "nlri/text.h"
#include "vectors.h"

/* ---- helpers ----------------------------------------------------------- */

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

/* Announces text with opts (NULL: static, no options). */
static enum rib_result announce(struct rib *rib, const char *text,
				const struct rib_opts *opts,
				const struct rib_entry **out)
{
	struct fs_rule r = rule_of(text);
	struct rib_opts none = { .origin = RIB_ORIGIN_STATIC };
	enum rib_result res = rib_announce(rib, &r, opts ? opts : &none, out);
	fs_rule_clear(&r);
	return res;
}

static enum rib_result withdraw(struct rib *rib, const char *text)
{
	struct fs_rule r = rule_of(text);
	enum rib_result res = rib_withdraw(rib, r.afi, r.match.data,
					   r.match.len);
	fs_rule_clear(&r);
	return res;
}

/* A listener that records its calls. */
struct calls {
	int n;
	int withdrawn;
	char last[256];		/* text of the last entry, or the withdraw */
	uint8_t key[64];
	size_t key_len;
	int tag;		/* when not 0: appended to call_order */
};

static int call_order[8];
static int ncalls;

static void record(void *ctx, enum fs_afi afi, const uint8_t *match,
		   size_t len, const struct rib_entry *e)
{
	struct calls *c = ctx;
	ck_assert(afi == FS_AFI_IPV4 || afi == FS_AFI_IPV6);
	c->n++;
	if (c->tag)
		call_order[ncalls++ % 8] = c->tag;
	c->key_len = len < sizeof c->key ? len : sizeof c->key;
	memcpy(c->key, match, c->key_len);
	if (e) {
		ck_assert_ptr_eq(match, e->rule.match.data);
		snprintf(c->last, sizeof c->last, "%s", rib_entry_text(e));
	} else {
		c->withdrawn++;
		snprintf(c->last, sizeof c->last, "withdrawn");
	}
}

#define R_A "flow route { match { destination 10.0.0.0/8; } then { discard; } }"
#define R_B "flow route { match { destination 10.1.0.0/16; } then { discard; } }"
#define R_C "flow route { match { destination 10.1.2.0/24; protocol tcp; } then { discard; } }"
#define R_D "flow route { match { source 192.0.2.0/24; } then { discard; } }"
#define R_V6 "flow route { match { destination 2001:db8::/32; } then { discard; } }"

/* ---- order ------------------------------------------------------------- */

START_TEST(walk_is_afi_then_rfc8955_order)
{
	struct rib *rib = rib_new(fake_clock);
	ck_assert_ptr_nonnull(rib);
	/* Added out of order; RFC 8955 §5.1: a destination prefix sorts
	 * before no destination, and a more specific one first. */
	const char *in[] = { R_V6, R_D, R_A, R_C, R_B };
	for (size_t i = 0; i < 5; i++)
		ck_assert_int_eq(announce(rib, in[i], NULL, NULL), RIB_ADDED);
	ck_assert_uint_eq(rib_count(rib), 5);

	const char *want[] = { R_C, R_B, R_A, R_D, R_V6 };
	const struct rib_entry *e = NULL;
	for (size_t i = 0; i < 5; i++) {
		e = rib_next(rib, e);
		ck_assert_ptr_nonnull(e);
		struct fs_rule w = rule_of(want[i]);
		ck_assert_int_eq(e->rule.afi, w.afi);
		ck_assert_int_eq(fs_cmp(w.afi, e->rule.match.data,
					e->rule.match.len, w.match.data,
					w.match.len), 0);
		fs_rule_clear(&w);
	}
	ck_assert_ptr_null(rib_next(rib, e));

	/* Symmetric: each entry sorts before the next one. */
	const struct rib_entry *a = rib_next(rib, NULL), *b;
	for (; (b = rib_next(rib, a)) && b->rule.afi == a->rule.afi; a = b) {
		ck_assert_int_lt(fs_cmp(a->rule.afi, a->rule.match.data,
					a->rule.match.len, b->rule.match.data,
					b->rule.match.len), 0);
		ck_assert_int_gt(fs_cmp(a->rule.afi, b->rule.match.data,
					b->rule.match.len, a->rule.match.data,
					a->rule.match.len), 0);
	}
	rib_free(rib);
}
END_TEST

/* ---- replace, unchanged, withdraw -------------------------------------- */

START_TEST(same_match_replaces_actions)
{
	struct rib *rib = rib_new(fake_clock);
	const struct rib_entry *e1, *e2;
	ck_assert_int_eq(announce(rib, R_A, NULL, &e1), RIB_ADDED);
	uint64_t id = e1->id, version = e1->version;
	const uint8_t *match = e1->rule.match.data;

	ck_assert_int_eq(
		announce(rib,
			 "flow route { match { destination 10.0.0.0/8; } "
			 "then { rate-limit 1000; } }",
			 NULL, &e2),
		RIB_REPLACED);
	ck_assert_ptr_eq(e1, e2);
	ck_assert_uint_eq(e2->id, id);
	ck_assert_uint_gt(e2->version, version);
	ck_assert_ptr_eq(e2->rule.match.data, match); /* rib.h contract */
	ck_assert_ptr_nonnull(strstr(rib_entry_text(e2), "rate-limit 1000"));
	ck_assert_uint_eq(rib_count(rib), 1);

	/* New options with the same actions also replace. */
	struct rib_opts o = { .origin = RIB_ORIGIN_STATIC, .comment = "ticket 7" };
	ck_assert_int_eq(
		announce(rib,
			 "flow route { match { destination 10.0.0.0/8; } "
			 "then { rate-limit 1000; } }",
			 &o, &e2),
		RIB_REPLACED);
	ck_assert_int_eq(e2->origin, RIB_ORIGIN_STATIC);
	ck_assert_str_eq(e2->comment, "ticket 7");
	rib_free(rib);
}
END_TEST

START_TEST(same_rule_is_unchanged_and_not_told)
{
	struct rib *rib = rib_new(fake_clock);
	struct calls c = { 0 };
	struct rib_listener l = { record, &c };
	ck_assert(rib_listen(rib, &l));
	struct rib_opts o = { .origin = RIB_ORIGIN_API, .comment = "x",
			      .ntargets = 2 };
	addr_parse(&o.targets[0], "192.0.2.2", 9);
	addr_parse(&o.targets[1], "192.0.2.1", 9);
	const struct rib_entry *e1, *e2;
	ck_assert_int_eq(announce(rib, R_A, &o, &e1), RIB_ADDED);
	uint64_t version = e1->version;
	/* The same targets in another order are the same set. */
	struct rib_opts o2 = o;
	o2.targets[0] = o.targets[1];
	o2.targets[1] = o.targets[0];
	/* Communities in another order normalize to the same bytes. */
	ck_assert_int_eq(announce(rib, R_A, &o2, &e2), RIB_UNCHANGED);
	ck_assert_ptr_eq(e1, e2);
	ck_assert_uint_eq(e2->version, version);
	ck_assert_int_eq(c.n, 1);
	ck_assert_uint_eq(e2->ntargets, 2);
	ck_assert_int_lt(memcmp(&e2->targets[0], &e2->targets[1],
				sizeof(struct addr)), 0);

	ck_assert_int_eq(
		announce(rib,
			 "flow route { match { destination 10.0.0.0/8; } then "
			 "{ community [ 65000:2 65000:1 ]; discard; } }",
			 &o, NULL),
		RIB_REPLACED);
	ck_assert_int_eq(
		announce(rib,
			 "flow route { match { destination 10.0.0.0/8; } then "
			 "{ discard; community [ 65000:1 65000:2 65000:1 ]; } }",
			 &o, NULL),
		RIB_UNCHANGED);
	ck_assert_int_eq(c.n, 2);
	rib_free(rib);
}
END_TEST

START_TEST(withdraw_tells_the_key_then_not_found)
{
	struct rib *rib = rib_new(fake_clock);
	struct calls c = { 0 };
	struct rib_listener l = { record, &c };
	rib_listen(rib, &l);
	ck_assert_int_eq(announce(rib, R_B, NULL, NULL), RIB_ADDED);
	ck_assert_int_eq(announce(rib, R_A, NULL, NULL), RIB_ADDED);
	ck_assert_int_eq(withdraw(rib, R_B), RIB_WITHDRAWN);
	ck_assert_int_eq(c.withdrawn, 1);
	ck_assert_str_eq(c.last, "withdrawn");
	struct fs_rule b = rule_of(R_B);
	ck_assert_octets(c.key, c.key_len,
			 ((struct vec){ b.match.data, b.match.len }));
	ck_assert_ptr_null(rib_find(rib, b.afi, b.match.data, b.match.len));
	fs_rule_clear(&b);
	ck_assert_uint_eq(rib_count(rib), 1);

	ck_assert_int_eq(withdraw(rib, R_B), RIB_NOT_FOUND);
	ck_assert_int_eq(withdraw(rib, R_V6), RIB_NOT_FOUND);
	ck_assert_int_eq(c.n, 3);
	rib_free(rib);
}
END_TEST

START_TEST(invalid_match_is_refused)
{
	struct rib *rib = rib_new(fake_clock);
	/* RFC 8955 §4.2: components in increasing type order. */
	struct vec bad = VEC(FS_TYPE_IP_PROTO, FS_OP_END | FS_OP_EQ, 6,
			     FS_TYPE_DST_PREFIX, 8, 10);
	struct fs_rule r;
	fs_rule_init(&r, FS_AFI_IPV4);
	put_bytes(&r.match, bad.data, bad.len);
	struct rib_opts o = { 0 };
	ck_assert_int_eq(rib_announce(rib, &r, &o, NULL), RIB_INVALID);
	ck_assert_int_eq(rib_withdraw(rib, FS_AFI_IPV4, bad.data, bad.len),
			 RIB_INVALID);
	ck_assert_ptr_null(rib_find(rib, FS_AFI_IPV4, bad.data, bad.len));
	/* An empty match and an unknown AFI. */
	ck_assert_int_eq(rib_withdraw(rib, FS_AFI_IPV4, bad.data, 0),
			 RIB_INVALID);
	ck_assert_int_eq(rib_withdraw(rib, (enum fs_afi)3, bad.data + 3, 3),
			 RIB_INVALID);
	ck_assert_uint_eq(rib_count(rib), 0);
	fs_rule_clear(&r);
	rib_free(rib);
}
END_TEST

START_TEST(targets)
{
	struct rib *rib = rib_new(fake_clock);
	struct addr p1, p2, p6;
	addr_parse(&p1, "192.0.2.1", 9);
	addr_parse(&p2, "192.0.2.2", 9);
	addr_parse(&p6, "2001:db8::1", 11);
	const struct rib_entry *all, *one;
	announce(rib, R_A, NULL, &all);
	struct rib_opts o = { .ntargets = 2 };
	o.targets[0] = p1;
	o.targets[1] = p6;
	announce(rib, R_B, &o, &one);
	ck_assert(rib_entry_targets(all, &p1));
	ck_assert(rib_entry_targets(all, &p2));
	ck_assert(rib_entry_targets(one, &p1));
	ck_assert(rib_entry_targets(one, &p6));
	ck_assert(!rib_entry_targets(one, &p2));
	rib_free(rib);
}
END_TEST

/* ---- expiry ------------------------------------------------------------ */

START_TEST(expiry_on_a_fake_clock)
{
	fake_now = 1000;
	struct rib *rib = rib_new(fake_clock);
	struct calls c = { 0 };
	struct rib_listener l = { record, &c };
	rib_listen(rib, &l);
	struct rib_opts ten = { .ttl_s = 10 }, five = { .ttl_s = 5 };
	ck_assert_int_eq(rib_next_expiry(rib), 0);
	announce(rib, R_A, &ten, NULL);
	announce(rib, R_B, &five, NULL);
	announce(rib, R_C, NULL, NULL);
	ck_assert_int_eq(rib_next_expiry(rib), 6000);
	ck_assert_uint_eq(rib_expire(rib), 0);

	fake_now = 5999;
	ck_assert_uint_eq(rib_expire(rib), 0);
	fake_now = 6000;
	ck_assert_uint_eq(rib_expire(rib), 1);
	ck_assert_int_eq(c.withdrawn, 1);
	ck_assert_int_eq(rib_next_expiry(rib), 11000);

	/* Announcing again with a ttl restarts it; without one, no expiry. */
	fake_now = 8000;
	ck_assert_int_eq(announce(rib, R_A, &ten, NULL), RIB_REPLACED);
	ck_assert_int_eq(rib_next_expiry(rib), 18000);
	struct rib_opts none = { .origin = RIB_ORIGIN_API };
	ck_assert_int_eq(announce(rib, R_A, &none, NULL), RIB_REPLACED);
	ck_assert_int_eq(rib_next_expiry(rib), 0);
	fake_now = 1000000;
	ck_assert_uint_eq(rib_expire(rib), 0);
	ck_assert_uint_eq(rib_count(rib), 2);
	rib_free(rib);
}
END_TEST

START_TEST(expiry_takes_all_due_at_once)
{
	fake_now = 0;
	struct rib *rib = rib_new(fake_clock);
	struct rib_opts o = { .ttl_s = 1 };
	announce(rib, R_A, &o, NULL);
	announce(rib, R_B, &o, NULL);	/* same expiry: ordered by id */
	o.ttl_s = 2;
	announce(rib, R_V6, &o, NULL);
	fake_now = 2000;
	ck_assert_uint_eq(rib_expire(rib), 3);
	ck_assert_uint_eq(rib_count(rib), 0);
	ck_assert_int_eq(rib_next_expiry(rib), 0);
	rib_free(rib);
}
END_TEST

/* ---- listeners --------------------------------------------------------- */

START_TEST(listeners_in_order_and_removed)
{
	struct rib *rib = rib_new(fake_clock);
	ncalls = 0;
	struct calls a = { .tag = 1 }, b = { .tag = 2 };
	struct rib_listener la = { record, &a }, lb = { record, &b };
	rib_listen(rib, &la);
	rib_listen(rib, &lb);
	announce(rib, R_A, NULL, NULL);
	ck_assert_int_eq(ncalls, 2);
	ck_assert_int_eq(call_order[0], 1);
	ck_assert_int_eq(call_order[1], 2);
	ck_assert_str_eq(a.last, b.last);
	ck_assert_ptr_nonnull(strstr(a.last, "10.0.0.0/8"));

	announce(rib, "flow route { match { destination 10.0.0.0/8; } then "
		      "{ rate-limit 5; } }", NULL, NULL);
	ck_assert_int_eq(a.n, 2);
	ck_assert_ptr_nonnull(strstr(b.last, "rate-limit 5"));

	rib_unlisten(rib, &la);
	withdraw(rib, R_A);
	ck_assert_int_eq(a.n, 2);
	ck_assert_int_eq(b.n, 3);
	ck_assert_int_eq(b.withdrawn, 1);
	rib_free(rib);
}
END_TEST

/* ---- the tree ---------------------------------------------------------- */

struct item {
	struct tree_node node;
	int key;
};

static int item_cmp(const void *key, const struct tree_node *n)
{
	int k = *(const int *)key, v = TREE_ENTRY(n, struct item, node)->key;
	return (k > v) - (k < v);
}

/* Checks order, parents and AVL balance; returns the height. */
static int check_subtree(const struct tree_node *n,
			 const struct tree_node *parent)
{
	if (!n)
		return 0;
	ck_assert_ptr_eq(n->parent, parent);
	int l = check_subtree(n->left, n), r = check_subtree(n->right, n);
	ck_assert_int_le(abs(l - r), 1);
	ck_assert_int_eq(n->height, (l > r ? l : r) + 1);
	return n->height;
}

START_TEST(tree_stays_balanced)
{
	enum { N = 2000 };
	static struct item items[N];
	static bool in[N];
	struct tree t;
	tree_init(&t, item_cmp);
	srand(42);
	size_t count = 0;
	for (int round = 0; round < 20000; round++) {
		int k = rand() % N;
		items[k].key = k;
		if (in[k]) {
			ck_assert_ptr_eq(tree_find(&t, &k), &items[k].node);
			tree_remove(&t, &items[k].node);
			count--;
		} else {
			ck_assert_ptr_null(tree_insert(&t, &items[k].node, &k));
			count++;
		}
		in[k] = !in[k];
		if (round % 1000 == 0)
			check_subtree(t.root, NULL);
	}
	check_subtree(t.root, NULL);
	ck_assert_uint_eq(t.count, count);
	int prev = -1;
	size_t seen = 0;
	for (struct tree_node *n = tree_first(&t); n; n = tree_next(n)) {
		int k = TREE_ENTRY(n, struct item, node)->key;
		ck_assert_int_gt(k, prev);
		ck_assert(in[k]);
		prev = k;
		seen++;
	}
	ck_assert_uint_eq(seen, count);
	/* A second insert of a key gives the node already there. */
	int k = prev;
	struct item dup = { .key = k };
	ck_assert_ptr_eq(tree_insert(&t, &dup.node, &k), &items[k].node);
}
END_TEST

/* ---- scale ------------------------------------------------------------- */

/* Rule i: destination 10.a.b.c/32, destination-port =(1000 + i % 7). */
static void make_rule(struct fs_rule *r, unsigned i)
{
	fs_rule_init(r, FS_AFI_IPV4);
	struct prefix p = { .addr = { .family = ADDR_V4,
				      .bytes = { 10, (uint8_t)(i >> 16),
						 (uint8_t)(i >> 8),
						 (uint8_t)i } },
			    .len = 32 };
	fs_put_prefix(&r->match, FS_AFI_IPV4, FS_TYPE_DST_PREFIX, &p, 0);
	put_u8(&r->match, FS_TYPE_DST_PORT);
	fs_put_op(&r->match, false, true, FS_OP_EQ, 1000 + i % 7);
	static const uint8_t discard[] = { 0x80, 0x06, 0, 0, 0, 0, 0, 0 };
	put_bytes(&r->ext, discard, sizeof discard);
}

START_TEST(hundred_thousand_inserts)
{
	enum { N = 100000 };
	struct rib *rib = rib_new(fake_clock);
	struct rib_opts o = { .origin = RIB_ORIGIN_API };
	/* Check's asserts make a system call each: count, assert after. */
	unsigned added = 0;
	clock_t t0 = clock();
	/* A scattered order: 7919 is prime, so i * 7919 % N visits all. */
	for (unsigned i = 0; i < N; i++) {
		struct fs_rule r;
		make_rule(&r, (unsigned)((uint64_t)i * 7919 % N));
		added += rib_announce(rib, &r, &o, NULL) == RIB_ADDED;
		fs_rule_clear(&r);
	}
	double secs = (double)(clock() - t0) / CLOCKS_PER_SEC;
	ck_assert_uint_eq(added, N);
	ck_assert_uint_eq(rib_count(rib), N);
	size_t n = 0;
	for (const struct rib_entry *e = rib_next(rib, NULL), *prev = NULL; e;
	     prev = e, e = rib_next(rib, e), n++)
		if (prev)
			ck_assert_int_lt(fs_cmp(FS_AFI_IPV4,
						prev->rule.match.data,
						prev->rule.match.len,
						e->rule.match.data,
						e->rule.match.len), 0);
	ck_assert_uint_eq(n, N);
	for (unsigned i = 0; i < N; i += 2) {
		struct fs_rule r;
		make_rule(&r, i);
		ck_assert_int_eq(rib_withdraw(rib, FS_AFI_IPV4, r.match.data,
					      r.match.len), RIB_WITHDRAWN);
		fs_rule_clear(&r);
	}
	ck_assert_uint_eq(rib_count(rib), N / 2);
	printf("rib: %d inserts in %.3f s\n", N, secs);
	/* Generous, for sanitizer builds on slow machines. */
	ck_assert_msg(secs < 10.0, "100k inserts took %.1f s", secs);
	rib_free(rib);
}
END_TEST

/* In-order inserts take the append path (rib.c): the order and lookups
 * stay right when sorted and unsorted inserts mix. */
START_TEST(sorted_then_mixed_inserts)
{
	enum { N = 2000 };
	struct rib *rib = rib_new(fake_clock);
	struct rib_opts o = { .origin = RIB_ORIGIN_API };
	unsigned added = 0;
	for (unsigned i = 0; i < N; i += 2) {		/* ascending */
		struct fs_rule r;
		make_rule(&r, i);
		added += rib_announce(rib, &r, &o, NULL) == RIB_ADDED;
		fs_rule_clear(&r);
	}
	for (unsigned i = N - 1; i < N; i -= 2) {	/* odd, descending */
		struct fs_rule r;
		make_rule(&r, i);
		added += rib_announce(rib, &r, &o, NULL) == RIB_ADDED;
		fs_rule_clear(&r);
	}
	ck_assert_uint_eq(added, N);
	size_t n = 0;
	for (const struct rib_entry *e = rib_next(rib, NULL), *prev = NULL; e;
	     prev = e, e = rib_next(rib, e), n++)
		if (prev)
			ck_assert_int_lt(fs_cmp(FS_AFI_IPV4,
						prev->rule.match.data,
						prev->rule.match.len,
						e->rule.match.data,
						e->rule.match.len), 0);
	ck_assert_uint_eq(n, N);
	for (unsigned i = 0; i < N; i++) {
		struct fs_rule r;
		make_rule(&r, i);
		ck_assert_ptr_nonnull(rib_find(rib, r.afi, r.match.data,
					       r.match.len));
		/* Announcing the last one again is a replace, not an add. */
		ck_assert_int_ne(rib_announce(rib, &r, &o, NULL), RIB_ADDED);
		fs_rule_clear(&r);
	}
	ck_assert_uint_eq(rib_count(rib), N);
	rib_free(rib);
}
END_TEST

static Suite *rib_suite(void)
{
	Suite *s = suite_create("rib");
	ADD_CASE(s, "order", walk_is_afi_then_rfc8955_order);
	ADD_CASE(s, "changes", same_match_replaces_actions,
		 same_rule_is_unchanged_and_not_told,
		 withdraw_tells_the_key_then_not_found, invalid_match_is_refused,
		 targets);
	ADD_CASE(s, "expiry", expiry_on_a_fake_clock,
		 expiry_takes_all_due_at_once);
	ADD_CASE(s, "listeners", listeners_in_order_and_removed);
	ADD_CASE(s, "tree", tree_stays_balanced);
	ADD_CASE(s, "scale", hundred_thousand_inserts, sorted_then_mixed_inserts);
	return s;
}

TEST_MAIN(rib_suite)
