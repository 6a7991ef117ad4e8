/* IPv4/IPv6 addresses and prefixes: parse and format in standard text form. */
#ifndef LIB_ADDR_H
#define LIB_ADDR_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

enum addr_family { ADDR_NONE = 0, ADDR_V4 = 4, ADDR_V6 = 6 };

struct addr {
	enum addr_family family;
	uint8_t bytes[16];	/* network order; IPv4 uses the first 4 */
};

struct prefix {
	struct addr addr;
	uint8_t len;
};

/* Large enough for any address, a '/', a length, another '/' and an offset. */
#define ADDR_STRLEN 56

/* Octets of an address of this family (4, 16, or 0 for ADDR_NONE). */
unsigned addr_octets(enum addr_family family);
/* True when a and b are the same address (of the same family). */
bool addr_equal(const struct addr *a, const struct addr *b);
/* Bits of an address of this family (32, 128, or 0). */
unsigned addr_bits(enum addr_family family);

/* Parses "192.0.2.1" or "2001:db8::1" from the first n chars of s. */
bool addr_parse(struct addr *a, const char *s, size_t n);
/* Writes the standard text form into buf (ADDR_STRLEN octets). */
const char *addr_format(const struct addr *a, char *buf);
/* Parses "10.0.0.0/8" from the first n chars of s; a missing length means a
 * host prefix. Fails when bits past the length are set. */
bool prefix_parse(struct prefix *p, const char *s, size_t n);
const char *prefix_format(const struct prefix *p, char *buf);
/* Zeroes every bit of a past its first len bits. */
void addr_mask(struct addr *a, unsigned len);
/* True when p covers every address of q. */
bool prefix_covers(const struct prefix *p, const struct prefix *q);
/* Parses "192.0.2.1:179", "[2001:db8::1]:179", or an address alone
 * (which gets default_port). The port must be 1..65535. */
bool addr_port_parse(const char *s, uint16_t default_port, struct addr *addr,
		     uint16_t *port);

#endif
