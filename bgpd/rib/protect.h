/* Protected prefixes (never_filter): does a rule's destination share an
 * address with one of them? The rule the rib applies is in rib.h; this is
 * the pure check, also used by the config loader for static rules. */
#ifndef BGPD_RIB_PROTECT_H
#define BGPD_RIB_PROTECT_H

#include <stdbool.h>
#include <stddef.h>

#include "lib/addr.h"
#include "nlri/rule.h"

/* True when rule's destination (RFC 8955 §4.2.2.1, with the RFC 8956
 * §3.1 offset for IPv6) shares an address with one of the n prefixes,
 * or when rule has no destination and one of them is of its family. why
 * (when not NULL) then gets "destination 10.50.0.0/16 covers never_filter
 * prefix 10.50.0.1/32", "destination 10.50.0.5/32 is inside never_filter
 * prefix 10.50.0.0/24" or "a rule without destination covers never_filter
 * prefix 10.50.0.1/32". */
bool protect_check(const struct fs_rule *rule, const struct prefix *list,
		   size_t n, char *why, size_t whylen);

#endif
