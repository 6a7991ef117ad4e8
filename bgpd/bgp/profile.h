/* Router profiles: what one peer can carry (components, actions, the
 * redirect-to-IP encoding it wants, IPv6 Flowspec, its rule budget) and
 * the decision for one rule towards it: send as is, send a rewritten
 * equivalent, or refuse with a reason. The built-in table (generic,
 * iosxr, junos, frr, gobgp, exabgp) and the rewrites live in profile.c.
 * No I/O here. */
#ifndef BGPD_BGP_PROFILE_H
#define BGPD_BGP_PROFILE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "nlri/rule.h"

#define PROFILE_NAME_MAX 16
/* Every component type bit (1..13), every action bit (not the
 * redirect-to-IP ones, nor FS_ACT_OTHER: a community the profile does
 * not know of always passes). */
#define PROFILE_COMPONENTS_ALL 0x3ffeu
#define PROFILE_ACTIONS_ALL                                               \
	((1u << FS_ACT_RATE_BYTES) | (1u << FS_ACT_RATE_PACKETS) |        \
	 (1u << FS_ACT_TRAFFIC_ACTION) | (1u << FS_ACT_REDIRECT_AS2) |    \
	 (1u << FS_ACT_REDIRECT_IP4) | (1u << FS_ACT_REDIRECT_AS4) |      \
	 (1u << FS_ACT_MARK))

/* Which redirect-to-IP encoding the peer takes (nlri/actions.h). */
enum profile_redirect_ip {
	PROFILE_RIP_ANY,	/* both, sent as the rule has it */
	PROFILE_RIP_NEXTHOP,	/* 0x0800 + the MP_REACH next hop; the IETF
				 * form is converted */
	PROFILE_RIP_IETF,	/* 0x010c / IPv6 0x000c; the 0x0800 form is
				 * converted */
	PROFILE_RIP_NONE,	/* neither: such rules are refused */
};

/* All zero is the generic profile (name aside): every component and
 * action, both redirect-to-IP forms as they are, IPv6, no limit. */
struct profile {
	char name[PROFILE_NAME_MAX];	/* "generic", "frr", …, "custom" */
	uint32_t no_components;	/* bit 1 << enum fs_type the peer lacks */
	uint32_t no_actions;	/* bit 1 << enum fs_action_type it lacks;
				 * the redirect-to-IP ones are redirect_ip's */
	enum profile_redirect_ip redirect_ip;
	bool no_ipv6;		/* IPv6 Flowspec rules not allowed */
	/* The peer reads IPv6 prefix components in the pre-RFC 8956 layout
	 * (length/8 octets from bit 0), not RFC 8956 §3.1's (the octets of
	 * bits offset..length): a destination or source prefix with a
	 * non-zero offset is refused. */
	bool no_ipv6_offset;
	/* Numeric operators with both < and > set (!=, and "true") are
	 * rewritten: !=N as <N >N, true as >=0. */
	bool rewrite_not_equal;
	size_t max_rules;	/* 0: no limit */
};

/* The built-in profile called name ("generic", "iosxr", "junos", "frr",
 * "gobgp", "exabgp"); false for an unknown name. */
bool profile_builtin(const char *name, struct profile *out);
/* The default: generic (carries everything, as is). */
void profile_default(struct profile *out);
/* True when a and b decide every rule alike (names aside). */
bool profile_equal(const struct profile *a, const struct profile *b);
/* p's name ("generic" for an all-zero profile). */
const char *profile_name(const struct profile *p);
/* A comma-separated list of the built-in names, for messages. */
const char *profile_builtin_names(void);

/* Component names as in the rule text ("destination-port"); the bit
 * for it in *bit (PROFILE_COMPONENTS_ALL has every one). False for an
 * unknown name. */
bool profile_component_parse(const char *name, uint32_t *bit);
/* Action names: "rate-limit" (discard too), "rate-limit-packets",
 * "traffic-action", "redirect-as2", "redirect-ipv4", "redirect-as4",
 * "redirect" (the three), "mark". */
bool profile_action_parse(const char *name, uint32_t *bits);
bool profile_redirect_ip_parse(const char *name,
			       enum profile_redirect_ip *out);

enum profile_verdict {
	PROFILE_SEND,		/* as it is */
	PROFILE_REWRITE,	/* an equivalent rule is sent instead */
	PROFILE_REFUSE,
};

/* Why a rule was refused. */
enum profile_reason {
	PROFILE_OK = 0,
	PROFILE_ERR_IPV6,		/* IPv6 Flowspec not allowed */
	PROFILE_ERR_COMPONENT,		/* detail: enum fs_type */
	PROFILE_ERR_OFFSET,		/* IPv6 prefix offset not read; detail:
					 * enum fs_type, offset: its offset */
	PROFILE_ERR_ACTION,		/* detail: enum fs_action_type */
	PROFILE_ERR_REDIRECT_IP,	/* no redirect-to-IP at all */
	PROFILE_ERR_REDIRECT_CONVERT,	/* no equivalent in the wanted form */
	PROFILE_ERR_NOT_EQUAL,		/* != joined with &: no OR-only form */
	PROFILE_ERR_TOO_LONG,		/* rewritten NLRI over FS_NLRI_MAX */
	PROFILE_ERR_REWRITE_CLASH,	/* one NLRI with another rule once
					 * rewritten (set by the adj-rib-out) */
	PROFILE_ERR_NOMEM,
};

struct profile_result {
	enum profile_verdict verdict;
	enum profile_reason reason;
	unsigned detail;
	unsigned offset;	/* PROFILE_ERR_OFFSET: the prefix's offset */
};

/* Decides for rule (valid, normalized) towards a peer with profile p.
 * PROFILE_REWRITE fills out (which the call initialises; the caller
 * clears it) with the equivalent rule, normalized; otherwise out holds
 * nothing. */
struct profile_result profile_apply(const struct profile *p,
				    const struct fs_rule *rule,
				    struct fs_rule *out);

/* "profile frr: component flow-label not carried", "profile gobgp:
 * source prefix offset 64: gobgp reads the pre-RFC 8956 IPv6 prefix
 * layout" and so on, in buf. */
void profile_reason_format(const struct profile *p,
			   const struct profile_result *r, char *buf,
			   size_t len);

#endif
