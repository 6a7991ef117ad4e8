/* The rule table: the single owner of the rules flowspecd announces. Every
 * module that wants a rule announced or withdrawn asks the rib; the rib
 * tells its listeners (the adj-rib-out of each peer, the state file) what
 * changed. Keyed by (AFI, match) in RFC 8955 §5.1 order (fs_cmp): the
 * NLRI is the BGP key, so one match is one rule.
 *
 * Claims
 * ------
 * Each origin (static, api, policy:NAME) holds its own claim on a rule:
 * its actions, the peers it targets, its expiry and comment. The rule is
 * announced while any claim lives, and withdrawn when the last one ends
 * (withdrawn, flushed or expired). Announcing the same match again from
 * the same origin replaces that origin's claim (RIB_REPLACED); another
 * origin's announce adds a claim beside it.
 *
 * Which claim's actions are announced: the first claim in this order
 *   1. api             (flowspecctl, HTTP: the operator's latest word)
 *   2. static          (the config's static_rules)
 *   3. policy:NAME     (the policy engine), policies by NAME (strcmp)
 * so a policy never replaces the actions of a static or API claim, and
 * withdrawing, flushing or expiring a claim removes only that claim. The
 * rule goes to every peer any live claim targets (a claim with no targets:
 * every peer), always with the winning claim's actions: one NLRI carries
 * one set of actions. The state file (state.h) brings the api and
 * policy claims back at start, with their remaining lifetimes: the policy
 * engine finds its earlier claims in the table (rib_claim_of) and may
 * extend, replace or withdraw them.
 *
 * Protected prefixes (never_filter)
 * ---------------------------------
 * An announce whose destination shares any address with a protected
 * prefix is refused (RIB_PROTECTED), whatever the origin: a rule for
 * 10.50.0.0/16 when 10.50.0.1/32 is protected, and a rule for
 * 10.50.0.1/32 when 10.50.0.0/24 is. With an IPv6 offset the bits from
 * the offset on are compared. A rule without a destination matches every
 * destination, so it is refused when any prefix of its family is
 * protected (an IPv4 rule is not refused for a protected IPv6 prefix).
 * The lists apply to announces from the time they are set; rules already
 * in the table stay.
 *
 * Time: the rib runs on the monotonic clock it is given (milliseconds). */
#ifndef BGPD_RIB_RIB_H
#define BGPD_RIB_RIB_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "lib/addr.h"
#include "lib/tree.h"
#include "nlri/rule.h"

#define RIB_MAX_TARGETS 16
#define RIB_POLICY_NAME_MAX 63	/* octets of a policy name */

/* Where a claim came from, in precedence order (see above).
 * RIB_ORIGIN_PEER: the table of what a BGP peer sent us (session.h). */
enum rib_origin {
	RIB_ORIGIN_API,
	RIB_ORIGIN_STATIC,
	RIB_ORIGIN_POLICY,
	RIB_ORIGIN_PEER,
};
/* "api", "static", "policy", "peer" (without a policy's name). */
const char *rib_origin_name(enum rib_origin origin);
/* Parses "static", "api" or "policy:NAME" (NAME: 1..RIB_POLICY_NAME_MAX
 * octets, no blanks); *policy points into s after the colon, or is NULL. */
bool rib_origin_parse(const char *s, enum rib_origin *origin,
		      const char **policy);

/* Options of an announce beside the rule itself. */
struct rib_opts {
	enum rib_origin origin;
	const char *policy;	/* RIB_ORIGIN_POLICY: the name; copied */
	/* The peers the claim targets; none: every peer. */
	struct addr targets[RIB_MAX_TARGETS];
	unsigned ntargets;
	uint32_t ttl_s;		/* 0: no ttl */
	int64_t expires_ms;	/* absolute, monotonic; 0: none. With a ttl
				   too, the earlier of the two counts. */
	int64_t since_ms;	/* monotonic: when the origin first claimed
				   the rule (a restored claim's, a new
				   start); 0: now, or the replaced claim's */
	const char *comment;	/* copied; NULL: none */
};

struct rib_node;

/* One origin's claim on a rule. Read-only outside the rib. */
struct rib_claim {
	struct rib_claim *next;	/* the entry's claims, precedence order */
	enum rib_origin origin;
	char *policy;		/* RIB_ORIGIN_POLICY: the name, else NULL */
	struct addr *targets;	/* sorted, no repeats; NULL when none */
	unsigned ntargets;
	int64_t expires_ms;	/* monotonic; 0: never */
	int64_t since_ms;	/* monotonic: first claimed (kept when the
				   claim is replaced) */
	char *comment;		/* NULL: none */
	uint64_t seq;		/* unique, for the expiry order */
	struct tree_node by_expiry;	/* rib internal */
	struct rib_node *owner;		/* rib internal */
	/* The actions (rib_claim_rule shows them as a rule): the next hop,
	 * and the EXTENDED_COMMUNITIES, IPv6 address-specific and
	 * COMMUNITIES values one after the other in actions[]. */
	struct addr nexthop;
	uint16_t ext_len, ext6_len, comm_len;
	uint8_t actions[];
};

/* One rule of the table. rule.match stays at the same address while the
 * entry lives (a change touches only the actions and options), so a
 * listener may keep a pointer to it until it is told of the withdraw.
 * The actions of rule are those of the winning claim (views of its
 * buffers: never free or change them). */
struct rib_entry {
	struct fs_rule rule;	/* normalized (fs_rule_normalize) */
	uint64_t id;		/* stable while the entry lives */
	enum rib_origin origin;	/* of the winning claim */
	const struct rib_claim *claims;	/* never NULL; the first wins */
	/* Every peer a claim targets: sorted, no repeats; none: every peer. */
	const struct addr *targets;
	unsigned ntargets;
	int64_t expires_ms;	/* when the last claim ends; 0: never */
	const char *comment;	/* the winning claim's; NULL: none */
	uint64_t version;	/* bumped on every change of the entry */
};

/* Told of every change of an entry or of its claims: entry is the new
 * state, or NULL with the old match in key when the rule was withdrawn
 * (the key is valid during the call only). A listener must not change the
 * table from the call. */
struct rib_listener {
	void (*changed)(void *ctx, enum fs_afi afi, const uint8_t *match,
			size_t len, const struct rib_entry *entry);
	void *ctx;
};

/* What happened to the claim of the origin that asked. */
enum rib_result {
	RIB_ADDED,		/* a new claim (the rule may have existed) */
	RIB_REPLACED,		/* the origin's claim: actions/options replaced */
	RIB_UNCHANGED,		/* same actions and options */
	RIB_WITHDRAWN,
	RIB_NOT_FOUND,		/* no such rule, or no claim of the origin */
	RIB_NOMEM,
	RIB_INVALID,		/* a match fs_validate refuses, a bad origin */
	RIB_PROTECTED,		/* covers a never_filter prefix (rib_protected) */
};
const char *rib_result_str(enum rib_result r);

struct rib;

/* A new empty table; now_ms is its clock (monotonic milliseconds). */
struct rib *rib_new(int64_t (*now_ms)(void));
void rib_free(struct rib *rib);	/* NULL-safe */

/* Adds several listeners; they are called in the order added. False
 * when out of memory. */
bool rib_listen(struct rib *rib, const struct rib_listener *l);
/* Removes the listener with l's function and context. */
void rib_unlisten(struct rib *rib, const struct rib_listener *l);

/* The two lists of protected prefixes: the config's never_filter and the
 * policy file's, which adds to it. */
enum rib_protect_list { RIB_PROTECT_CONFIG, RIB_PROTECT_POLICY };
/* Replaces one list with a copy of the n prefixes; false when out of
 * memory (the list is then unchanged). */
bool rib_set_protected(struct rib *rib, enum rib_protect_list list,
		       const struct prefix *prefixes, size_t n);
/* True when rule may not be announced; why (when not NULL) gets the
 * reason: "destination 10.50.0.0/16 covers never_filter prefix
 * 10.50.0.1/32". */
bool rib_protected(const struct rib *rib, const struct fs_rule *rule,
		   char *why, size_t whylen);

/* Sets the claim of opts->origin on rule's match to a copy of rule's
 * actions and opts; *out (when not NULL) gets the entry. RIB_UNCHANGED
 * when that claim has the same actions, targets, comment and expiry
 * (then no listener is called); RIB_REPLACED when any of them differ (a
 * ttl always sets a new expiry); RIB_ADDED for a new claim;
 * RIB_PROTECTED, RIB_INVALID, RIB_NOMEM with the table unchanged. */
enum rib_result rib_announce(struct rib *rib, const struct fs_rule *rule,
			     const struct rib_opts *opts,
			     const struct rib_entry **out);
/* Removes the claim of origin (policy: the name for RIB_ORIGIN_POLICY)
 * on the rule with this match; the rule is withdrawn when it was the last
 * claim. RIB_NOT_FOUND when there is no such claim. */
enum rib_result rib_withdraw_claim(struct rib *rib, enum rib_origin origin,
				   const char *policy, enum fs_afi afi,
				   const uint8_t *match, size_t len);
/* Withdraws the rule with this match and all its claims (the table of a
 * peer's routes uses this); RIB_NOT_FOUND when there is none, RIB_INVALID
 * for an invalid match. */
enum rib_result rib_withdraw(struct rib *rib, enum fs_afi afi,
			     const uint8_t *match, size_t len);
/* Removes every claim of origin (policy: the name, or NULL for every
 * policy when origin is RIB_ORIGIN_POLICY); returns how many. */
size_t rib_flush(struct rib *rib, enum rib_origin origin, const char *policy);
/* Removes every claim whose expiry has passed; returns how many. */
size_t rib_expire(struct rib *rib);
/* Monotonic time of the next claim expiry, or 0 when none. */
int64_t rib_next_expiry(const struct rib *rib);

/* The entry with this match, or NULL (also for an invalid match). */
const struct rib_entry *rib_find(const struct rib *rib, enum fs_afi afi,
				 const uint8_t *match, size_t len);
/* The entry with this id, or NULL. */
const struct rib_entry *rib_find_id(const struct rib *rib, uint64_t id);
/* The claim of origin (and policy name) on e, or NULL. */
const struct rib_claim *rib_claim_of(const struct rib_entry *e,
				     enum rib_origin origin,
				     const char *policy);
/* "api", "static", "policy:NAME" into buf (RIB_POLICY_NAME_MAX + 8). */
const char *rib_claim_origin(const struct rib_claim *c, char *buf,
			     size_t len);
size_t rib_count(const struct rib *rib);
/* In-order walk (AFI, then RFC 8955 §5.1 order): NULL starts, NULL ends.
 * The table must not change during a walk. */
const struct rib_entry *rib_next(const struct rib *rib,
				 const struct rib_entry *prev);
/* True when the entry goes to the peer at addr. */
bool rib_entry_targets(const struct rib_entry *e, const struct addr *addr);
/* The canonical text of the rule as announced, made on first use and kept
 * until the entry changes; "(out of memory)" when it cannot be made. */
const char *rib_entry_text(const struct rib_entry *e);
/* A view of e's match with c's actions, valid while both live (never
 * free or change its buffers). */
void rib_claim_rule(const struct rib_entry *e, const struct rib_claim *c,
		    struct fs_rule *view);
/* The canonical text of the rule with c's actions, as a new string
 * (free() it), or NULL when out of memory. */
char *rib_claim_text(const struct rib_entry *e, const struct rib_claim *c);

#endif
