/* Addresses and prefixes: see addr.h. */
#include "addr.h"

#include <arpa/inet.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

unsigned addr_octets(enum addr_family family)
{
	return family == ADDR_V4 ? 4 : family == ADDR_V6 ? 16 : 0;
}

unsigned addr_bits(enum addr_family family)
{
	return addr_octets(family) * 8;
}

bool addr_equal(const struct addr *a, const struct addr *b)
{
	return a->family == b->family &&
	       memcmp(a->bytes, b->bytes, addr_octets(a->family)) == 0;
}

bool addr_parse(struct addr *a, const char *s, size_t n)
{
	char tmp[ADDR_STRLEN];
	if (n == 0 || n >= sizeof tmp)
		return false;
	memcpy(tmp, s, n);
	tmp[n] = '\0';
	memset(a, 0, sizeof *a);
	if (inet_pton(AF_INET, tmp, a->bytes) == 1)
		a->family = ADDR_V4;
	else if (inet_pton(AF_INET6, tmp, a->bytes) == 1)
		a->family = ADDR_V6;
	return a->family != ADDR_NONE;
}

const char *addr_format(const struct addr *a, char *buf)
{
	int af = a->family == ADDR_V4 ? AF_INET : AF_INET6;
	if (a->family == ADDR_NONE || !inet_ntop(af, a->bytes, buf, ADDR_STRLEN))
		snprintf(buf, ADDR_STRLEN, "none");
	return buf;
}

void addr_mask(struct addr *a, unsigned len)
{
	for (unsigned i = 0; i < sizeof a->bytes; i++) {
		if (len >= 8 * (i + 1))
			continue;
		unsigned keep = len > 8 * i ? len - 8 * i : 0;
		a->bytes[i] &= (uint8_t)(0xff00 >> keep);
	}
}

bool prefix_parse(struct prefix *p, const char *s, size_t n)
{
	const char *slash = memchr(s, '/', n);
	size_t alen = slash ? (size_t)(slash - s) : n;
	if (!addr_parse(&p->addr, s, alen))
		return false;
	unsigned max = addr_bits(p->addr.family);
	p->len = max;
	if (slash) {
		size_t dlen = n - alen - 1;
		unsigned v = 0;
		if (dlen == 0 || dlen > 3)
			return false;
		for (size_t i = 0; i < dlen; i++) {
			char c = slash[1 + i];
			if (c < '0' || c > '9')
				return false;
			v = v * 10 + (unsigned)(c - '0');
		}
		if (v > max)
			return false;
		p->len = v;
	}
	struct addr masked = p->addr;
	addr_mask(&masked, p->len);
	return memcmp(masked.bytes, p->addr.bytes, sizeof masked.bytes) == 0;
}

const char *prefix_format(const struct prefix *p, char *buf)
{
	char a[ADDR_STRLEN];
	/* An address takes at most 45 characters (INET6_ADDRSTRLEN - 1). */
	snprintf(buf, ADDR_STRLEN, "%.45s/%u", addr_format(&p->addr, a), p->len);
	return buf;
}

bool prefix_covers(const struct prefix *p, const struct prefix *q)
{
	if (p->addr.family != q->addr.family || p->len > q->len)
		return false;
	struct addr a = q->addr;
	addr_mask(&a, p->len);
	return memcmp(a.bytes, p->addr.bytes, sizeof a.bytes) == 0;
}

static bool parse_port(const char *s, uint16_t *port)
{
	if (!*s || strlen(s) > 5)
		return false;
	unsigned v = 0;
	for (; *s; s++) {
		if (*s < '0' || *s > '9')
			return false;
		v = v * 10 + (unsigned)(*s - '0');
	}
	if (v < 1 || v > UINT16_MAX)
		return false;
	*port = (uint16_t)v;
	return true;
}

bool addr_port_parse(const char *s, uint16_t default_port, struct addr *addr,
		     uint16_t *port)
{
	size_t n = strlen(s);
	if (s[0] == '[') {
		const char *close = strchr(s, ']');
		if (!close || !addr_parse(addr, s + 1, (size_t)(close - s - 1)) ||
		    addr->family != ADDR_V6)
			return false;
		if (!close[1]) {
			*port = default_port;
			return true;
		}
		return close[1] == ':' && parse_port(close + 2, port);
	}
	if (addr_parse(addr, s, n)) {
		*port = default_port;
		return true;
	}
	const char *colon = strrchr(s, ':');
	if (!colon || memchr(s, ':', (size_t)(colon - s)))
		return false;	/* an IPv6 address with a port needs [ ] */
	return addr_parse(addr, s, (size_t)(colon - s)) &&
	       addr->family == ADDR_V4 && parse_port(colon + 1, port);
}
