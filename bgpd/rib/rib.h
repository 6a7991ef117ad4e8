/* The rule table: the single owner of the rules flowspecd announces. Every
 * module that wants a rule announced or withdrawn asks the rib; the rib
 * tells its listeners (the adj-rib-out of each peer) what changed. Keyed by
 * (AFI, match) in RFC 8955 §5.1 order (fs_cmp): the same match announced
 * again replaces the actions of the existing rule. */
#ifndef BGPD_RIB_RIB_H
#define BGPD_RIB_RIB_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "lib/addr.h"
#include "nlri/rule.h"

#define RIB_MAX_TARGETS 16

/* Where a rule came from (RIB_ORIGIN_PEER: the table of what a BGP peer
 * sent us, see session.h). */
enum rib_origin { RIB_ORIGIN_STATIC, RIB_ORIGIN_API, RIB_ORIGIN_PEER };
const char *rib_origin_name(enum rib_origin origin);

/* Options of an announce beside the rule itself. */
struct rib_opts {
	enum rib_origin origin;
	/* The peers the rule goes to; none: every peer. */
	struct addr targets[RIB_MAX_TARGETS];
	unsigned ntargets;
	uint32_t ttl_s;		/* 0: no expiry */
	const char *comment;	/* copied; NULL: none */
};

/* One rule of the table. rule.match stays at the same address while the
 * entry lives (a replace changes only the actions and options), so a
 * listener may keep a pointer to it until it is told of the withdraw. */
struct rib_entry {
	struct fs_rule rule;	/* owned; normalized (fs_rule_normalize) */
	char *text;		/* canonical text, owned */
	uint64_t id;		/* stable while the entry lives */
	enum rib_origin origin;
	struct addr *targets;	/* owned, sorted, no repeats; NULL when none */
	unsigned ntargets;
	int64_t expires_ms;	/* monotonic; 0: never */
	char *comment;
	uint64_t version;	/* bumped on every change of the entry */
};

/* Told of every change: entry is the new state, or NULL with the old
 * match in key when the rule was withdrawn (the key is valid during the
 * call only). A listener must not change the table from the call. */
struct rib_listener {
	void (*changed)(void *ctx, enum fs_afi afi, const uint8_t *match,
			size_t len, const struct rib_entry *entry);
	void *ctx;
};

enum rib_result {
	RIB_ADDED,
	RIB_REPLACED,		/* same match: actions/options replaced */
	RIB_UNCHANGED,		/* same match and same actions and options */
	RIB_WITHDRAWN,
	RIB_NOT_FOUND,
	RIB_NOMEM,
	RIB_INVALID,		/* a match fs_validate refuses */
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

/* Announces a copy of rule with opts; *out (when not NULL) gets the entry.
 * RIB_UNCHANGED when an entry with this match has the same actions,
 * origin, targets, comment and expiry (then no listener is called);
 * RIB_REPLACED when any of them differ (a ttl always sets a new expiry). */
enum rib_result rib_announce(struct rib *rib, const struct fs_rule *rule,
			     const struct rib_opts *opts,
			     const struct rib_entry **out);
/* Withdraws the rule with this match (its actions are ignored);
 * RIB_NOT_FOUND when there is none, RIB_INVALID for an invalid match. */
enum rib_result rib_withdraw(struct rib *rib, enum fs_afi afi,
			     const uint8_t *match, size_t len);
/* Withdraws every rule whose expiry has passed; returns how many. */
size_t rib_expire(struct rib *rib);
/* Monotonic time of the next expiry, or 0 when none. */
int64_t rib_next_expiry(const struct rib *rib);

/* The entry with this match, or NULL (also for an invalid match). */
const struct rib_entry *rib_find(const struct rib *rib, enum fs_afi afi,
				 const uint8_t *match, size_t len);
size_t rib_count(const struct rib *rib);
/* In-order walk (AFI, then RFC 8955 §5.1 order): NULL starts, NULL ends.
 * The table must not change during a walk. */
const struct rib_entry *rib_next(const struct rib *rib,
				 const struct rib_entry *prev);
/* True when the entry goes to the peer at addr. */
bool rib_entry_targets(const struct rib_entry *e, const struct addr *addr);

#endif
