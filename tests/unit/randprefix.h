/* Random prefixes and addresses for the prefix look-up tests, from a
 * fixed seed: addresses near a few bases (so prefixes nest and repeat),
 * /0 and host prefixes among the lengths, the first and last address of
 * a prefix and the step past them. Header-only; each test_*.c is its
 * own program. */
#ifndef TESTS_UNIT_RANDPREFIX_H
#define TESTS_UNIT_RANDPREFIX_H

#include <stdbool.h>
#include <stdint.h>

#include "lib/addr.h"

#define RP_BASES 4

static uint64_t rp_state;

static inline void rp_seed(uint64_t seed)
{
	rp_state = seed;
}

static inline uint64_t rp_next(void)	/* splitmix64 */
{
	uint64_t z = (rp_state += 0x9e3779b97f4a7c15ull);
	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
	return z ^ (z >> 31);
}

static inline enum addr_family rp_family(void)
{
	return rp_next() % 2 ? ADDR_V6 : ADDR_V4;
}

/* Random bases of family f. */
static inline void rp_bases(enum addr_family f, struct addr *bases)
{
	for (int k = 0; k < RP_BASES; k++) {
		bases[k] = (struct addr){ f, { 0 } };
		for (unsigned i = 0; i < addr_octets(f); i++)
			bases[k].bytes[i] = (uint8_t)rp_next();
	}
}

/* A random address of family f: seven times in eight the leading bits
 * (a random number of them) of one of the RP_BASES bases. */
static inline struct addr rp_addr(enum addr_family f, const struct addr *bases)
{
	struct addr a = { f, { 0 } };
	for (unsigned i = 0; i < addr_octets(f); i++)
		a.bytes[i] = (uint8_t)rp_next();
	if (rp_next() % 8) {
		unsigned keep = (unsigned)(rp_next() % (addr_bits(f) + 1));
		const struct addr *b = &bases[rp_next() % RP_BASES];
		for (unsigned i = 0; i < keep; i++) {
			unsigned bit = 0x80u >> (i % 8);
			a.bytes[i / 8] = (uint8_t)((a.bytes[i / 8] & ~bit) |
						   (b->bytes[i / 8] & bit));
		}
	}
	return a;
}

/* A random prefix of family f near the bases: /0 or a host prefix one
 * time in sixteen each, else any length. */
static inline struct prefix rp_prefix(enum addr_family f,
				      const struct addr *bases)
{
	unsigned bits = addr_bits(f), r = (unsigned)(rp_next() % 16);
	struct prefix p = { rp_addr(f, bases), 0 };
	p.len = (uint8_t)(r == 0 ? 0 : r == 1 ? bits
					      : rp_next() % (bits + 1));
	addr_mask(&p.addr, p.len);
	return p;
}

/* The first (last = false) or last address of p. */
static inline struct addr rp_edge(const struct prefix *p, bool last)
{
	struct addr a = p->addr;
	for (unsigned i = p->len; last && i < addr_bits(a.family); i++)
		a.bytes[i / 8] |= (uint8_t)(0x80u >> (i % 8));
	return a;
}

/* a + 1 (up) or a - 1 within its family; false when that leaves the
 * address space. */
static inline bool rp_step(struct addr *a, bool up)
{
	for (int i = (int)addr_octets(a->family) - 1; i >= 0; i--) {
		uint8_t before = a->bytes[i];
		a->bytes[i] = (uint8_t)(up ? before + 1 : before - 1);
		if (before != (up ? 0xff : 0))
			return true;
	}
	return false;
}

#endif
