/* A Flowspec rule: its match in wire form (the BGP key) and its actions as
 * the path attribute values that carry them. Owned buffers; a rule is
 * initialised with fs_rule_init and released with fs_rule_clear. */
#ifndef NLRI_RULE_H
#define NLRI_RULE_H

#include "nlri/actions.h"
#include "nlri/flowspec.h"

struct fs_rule {
	enum fs_afi afi;
	struct writer match;	/* NLRI components, no length prefix */
	struct writer ext;	/* EXTENDED_COMMUNITIES value: 8-octet entries */
	struct writer ext6;	/* IPv6 address-specific (RFC 5701): 20-octet */
	struct writer comm;	/* COMMUNITIES value: 4-octet entries */
	struct addr nexthop;	/* MP_REACH next hop; ADDR_NONE: length 0 */
};

void fs_rule_init(struct fs_rule *r, enum fs_afi afi);
/* Releases the buffers; r may be reused after fs_rule_init. NULL-safe. */
void fs_rule_clear(struct fs_rule *r);
/* Deep copy into dst, which must hold no buffers (new, or cleared);
 * false when out of memory. */
bool fs_rule_copy(struct fs_rule *dst, const struct fs_rule *src);

/* Adds an action's community to ext or ext6. */
void fs_rule_add_action(struct fs_rule *r, const struct fs_action *a);
void fs_rule_add_community(struct fs_rule *r, uint32_t community);
/* Sorts the communities of each attribute and drops repeats, so that equal
 * action sets have equal bytes. */
void fs_rule_normalize(struct fs_rule *r);
/* True when no buffer hit an error (allocation, size limit). */
bool fs_rule_ok(const struct fs_rule *r);

#endif
