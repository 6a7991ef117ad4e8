/* Longest-prefix match: see lpm.h. An address is a 128-bit number (an
 * IPv4 address in the top 32 bits), so a prefix of len bits is the range
 * from its address to its address with the low 128 - len bits set, the
 * same way for both families. */
#include "lpm.h"

#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>

#define KEY_BITS 128
#define FAMILIES 2		/* IPv4, IPv6 */

struct key {
	uint64_t hi, lo;
};

/* One family's ranges: [start[i], start[i + 1]) (the last one to the end
 * of the space) is held by value[i], -1 for no prefix; start ascending. */
struct ranges {
	struct key *start;
	int *value;
	size_t n;
};

struct lpm {
	struct ranges fam[FAMILIES];
};

static int family_index(enum addr_family f)
{
	return f == ADDR_V4 ? 0 : f == ADDR_V6 ? 1 : -1;
}

static struct key key_of(const struct addr *a)
{
	struct key k = { 0, 0 };
	unsigned n = addr_octets(a->family);
	for (unsigned i = 0; i < n && i < 8; i++)
		k.hi |= (uint64_t)a->bytes[i] << (56 - 8 * i);
	for (unsigned i = 8; i < n; i++)
		k.lo |= (uint64_t)a->bytes[i] << (120 - 8 * i);
	return k;
}

static int key_cmp(struct key a, struct key b)
{
	if (a.hi != b.hi)
		return a.hi < b.hi ? -1 : 1;
	return a.lo < b.lo ? -1 : a.lo > b.lo;
}

/* The number with its low n bits set, 0 <= n <= KEY_BITS. */
static struct key low_ones(unsigned n)
{
	return (struct key){
		n <= 64 ? 0 : n == KEY_BITS ? UINT64_MAX
					    : (UINT64_C(1) << (n - 64)) - 1,
		n >= 64 ? UINT64_MAX : (UINT64_C(1) << n) - 1,
	};
}

/* ---- building ---------------------------------------------------------- */

/* An entry as a range; order is its place in the entries. */
struct item {
	struct key first, last;
	unsigned len;
	size_t order;
	int value;
};

/* By first address, then the least specific first, then entry order. */
static int item_cmp(const void *pa, const void *pb)
{
	const struct item *a = pa, *b = pb;
	int c = key_cmp(a->first, b->first);
	if (c)
		return c;
	if (a->len != b->len)
		return a->len < b->len ? -1 : 1;
	return a->order < b->order ? -1 : a->order > b->order;
}

/* Starts a range at start held by value. A range that starts at the same
 * address is replaced (a more specific prefix starts there), and none is
 * added when the range before has the same value. */
static void add_range(struct ranges *r, struct key start, int value)
{
	if (r->n > 0 && key_cmp(r->start[r->n - 1], start) == 0)
		r->n--;
	if ((r->n > 0 ? r->value[r->n - 1] : -1) == value)
		return;
	r->start[r->n] = start;
	r->value[r->n] = value;
	r->n++;
}

/* Fills r from the n items of one family (which it sorts): a sweep in
 * address order with the prefixes that hold the current address open,
 * most specific last. Prefixes nest or are apart, and an open prefix is
 * longer than the one below it, so at most KEY_BITS + 1 are open. Each
 * item starts at most one range and ends at most one: 2n ranges. */
static bool build(struct ranges *r, struct item *it, size_t n)
{
	if (n == 0)
		return true;
	qsort(it, n, sizeof *it, item_cmp);
	r->start = malloc(2 * n * sizeof *r->start);
	r->value = malloc(2 * n * sizeof *r->value);
	if (!r->start || !r->value)
		return false;
	const struct item *open[KEY_BITS + 1];
	size_t depth = 0;
	for (size_t i = 0; i <= n; i++) {
		/* Close the open prefixes that end before it[i] (all of
		 * them after the last item); past each, the address space
		 * goes back to the one below. */
		while (depth > 0 && (i == n || key_cmp(open[depth - 1]->last,
						       it[i].first) < 0)) {
			struct key end = open[--depth]->last;
			if (end.hi == UINT64_MAX && end.lo == UINT64_MAX)
				continue;	/* the end of the space */
			if (++end.lo == 0)
				end.hi++;
			add_range(r, end, depth ? open[depth - 1]->value : -1);
		}
		if (i == n || (i > 0 && it[i].len == it[i - 1].len &&
			       key_cmp(it[i].first, it[i - 1].first) == 0))
			continue;	/* the same prefix: the first counts */
		open[depth++] = &it[i];
		add_range(r, it[i].first, it[i].value);
	}
	struct key *s = realloc(r->start, r->n * sizeof *s);
	int *v = realloc(r->value, r->n * sizeof *v);
	r->start = s ? s : r->start;
	r->value = v ? v : r->value;
	return true;
}

struct lpm *lpm_new(const struct lpm_entry *entries, size_t n)
{
	struct lpm *t = calloc(1, sizeof *t);
	struct item *it = malloc(n ? n * sizeof *it : 1);
	bool ok = t && it;
	for (int f = 0; ok && f < FAMILIES; f++) {
		size_t m = 0;
		for (size_t i = 0; i < n; i++) {
			const struct prefix *p = &entries[i].prefix;
			unsigned bits = addr_bits(p->addr.family);
			if (family_index(p->addr.family) != f || p->len > bits)
				continue;
			struct key host = low_ones(KEY_BITS - p->len);
			struct key first = key_of(&p->addr);
			first.hi &= ~host.hi;
			first.lo &= ~host.lo;
			it[m++] = (struct item){
				first, { first.hi | host.hi, first.lo | host.lo },
				p->len, i, entries[i].value,
			};
		}
		ok = build(&t->fam[f], it, m);
	}
	free(it);
	if (!ok) {
		lpm_free(t);
		return NULL;
	}
	return t;
}

void lpm_free(struct lpm *t)
{
	if (!t)
		return;
	for (int f = 0; f < FAMILIES; f++) {
		free(t->fam[f].start);
		free(t->fam[f].value);
	}
	free(t);
}

/* ---- look-up ----------------------------------------------------------- */

int lpm_find(const struct lpm *t, const struct addr *a)
{
	int f = family_index(a->family);
	if (f < 0)
		return -1;
	const struct ranges *r = &t->fam[f];
	struct key k = key_of(a);
	/* The number of ranges that start at or before k. */
	size_t lo = 0, hi = r->n;
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		if (key_cmp(r->start[mid], k) <= 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo ? r->value[lo - 1] : -1;
}

size_t lpm_memory(const struct lpm *t)
{
	size_t m = sizeof *t;
	for (int f = 0; f < FAMILIES; f++)
		m += t->fam[f].n * (sizeof *t->fam[f].start +
				    sizeof *t->fam[f].value);
	return m;
}
