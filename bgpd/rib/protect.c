/* never_filter: see protect.h. */
#include "bgpd/rib/protect.h"

#include <stdio.h>

/* Bit i (0: the most significant) of a. */
static unsigned bit_at(const struct addr *a, unsigned i)
{
	return (a->bytes[i / 8] >> (7 - i % 8)) & 1u;
}

/* True when some address has the destination's bits offset..len and the
 * protected prefix's bits 0..plen: they agree where both fix a bit. */
static bool overlaps(const struct prefix *dst, unsigned offset,
		     const struct prefix *p)
{
	if (dst->addr.family != p->addr.family)
		return false;
	unsigned end = dst->len < p->len ? dst->len : p->len;
	for (unsigned i = offset; i < end; i++)
		if (bit_at(&dst->addr, i) != bit_at(&p->addr, i))
			return false;
	return true;
}

bool protect_check(const struct fs_rule *rule, const struct prefix *list,
		   size_t n, char *why, size_t whylen)
{
	enum addr_family fam = rule->afi == FS_AFI_IPV6 ? ADDR_V6 : ADDR_V4;
	struct fs_iter it;
	struct fs_component c;
	bool has_dst = false;
	fs_iter_init(&it, rule->afi, rule->match.data, rule->match.len);
	while (fs_iter_next(&it, &c)) {
		if (c.type == FS_TYPE_DST_PREFIX) {
			has_dst = true;
			break;
		}
	}
	char a[ADDR_STRLEN], b[ADDR_STRLEN];
	for (size_t i = 0; i < n; i++) {
		const struct prefix *p = &list[i];
		if (has_dst ? !overlaps(&c.prefix, c.offset, p)
			    : p->addr.family != fam)
			continue;
		if (!why)
			return true;
		if (!has_dst)
			snprintf(why, whylen, "a rule without destination "
				 "covers never_filter prefix %s",
				 prefix_format(p, b));
		else
			snprintf(why, whylen, "destination %s%s%.0u %s "
				 "never_filter prefix %s",
				 prefix_format(&c.prefix, a), c.offset ? "/" : "",
				 (unsigned)c.offset,
				 c.prefix.len <= p->len ? "covers" : "is inside",
				 prefix_format(p, b));
		return true;
	}
	return false;
}
