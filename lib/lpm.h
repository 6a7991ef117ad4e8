/* Longest-prefix match over a fixed set of IPv4 and IPv6 prefixes, each
 * with a value: built once, then read only. The prefixes of a family cut
 * its address space into ranges, each held by one most specific prefix
 * (or none); the table keeps the sorted range starts with their values,
 * and a look-up is one binary search: O(log n) for n prefixes, at most
 * 2n ranges of 20 octets. */
#ifndef LIB_LPM_H
#define LIB_LPM_H

#include <stddef.h>

#include "addr.h"

struct lpm_entry {
	struct prefix prefix;	/* address bits past len are ignored */
	int value;		/* >= 0 */
};

struct lpm;

/* A table of the n entries (n may be 0): where two entries have the same
 * prefix, the first one's value counts. Entries of neither family, or
 * with a len past their family's bits, are left out. NULL when out of
 * memory; the caller frees it with lpm_free. */
struct lpm *lpm_new(const struct lpm_entry *entries, size_t n);
void lpm_free(struct lpm *t);	/* NULL-safe */

/* The value of the most specific prefix holding a, or -1. */
int lpm_find(const struct lpm *t, const struct addr *a);

/* Octets the table takes (its allocations). */
size_t lpm_memory(const struct lpm *t);

#endif
