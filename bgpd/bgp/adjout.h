/* The Adj-RIB-Out of one peer (RFC 4271 §3.2): what was sent to it, and
 * the UPDATEs still owed, generated from the rib when its socket can take
 * more. No message is queued per change: a change of the rib only marks
 * its key dirty; adjout_write() compares each dirty key's rule (for this
 * peer: targets, negotiated families, the router profile, max_rules) with
 * what was sent and announces, withdraws, or sends nothing when they are
 * equal, so an announce and a withdraw before sending cancel out. Memory stays bounded
 * by the table size however long the peer stalls. No I/O here. */
#ifndef BGPD_BGP_ADJOUT_H
#define BGPD_BGP_ADJOUT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "bgpd/bgp/msg.h"
#include "bgpd/bgp/profile.h"
#include "bgpd/rib/rib.h"
#include "lib/addr.h"
#include "lib/writer.h"

struct adjout;

struct adjout_config {
	struct addr peer;	/* for rib_entry_targets() */
	const char *name;	/* for logs; copied */
	size_t max_rules;	/* rules the peer may get; 0: no limit */
	/* What the peer can carry: a rule the profile refuses is not sent
	 * (withdrawn when the peer had an earlier version), one it rewrites
	 * is sent in the rewritten form (and withdrawn in it). */
	struct profile profile;
	/* Called when there is something to send after there was nothing
	 * (never from inside adjout_write). */
	void (*wake)(void *ctx);
	void *ctx;
};

/* What the session negotiated, given when it reaches Established. */
struct adjout_session {
	unsigned families;		/* enum bgp_family bits both offered */
	struct bgp_update_params params;
	bool enhanced_refresh;		/* RFC 7313 */
};

struct adjout_stats {
	size_t sent;		/* rules the peer has from us now */
	size_t pending;		/* dirty keys not compared yet */
	size_t refused;		/* rules held back by max_rules now */
	uint64_t announced;	/* NLRIs announced since the session came up */
	uint64_t withdrawn;	/* NLRIs withdrawn since then */
	bool synced;		/* End-of-RIB sent for every family */
	size_t profile_refused;	/* rules the profile refused now */
	size_t rewritten;	/* rules the peer has in a rewritten form */
};

/* Where one rule stands with this peer. */
enum adjout_state {
	ADJOUT_NONE,		/* not for this peer, or the session is down */
	ADJOUT_PENDING,		/* changed, not compared yet */
	ADJOUT_SENT,
	ADJOUT_REFUSED,		/* over max_rules */
	ADJOUT_PROFILE_REFUSED,	/* the profile cannot carry it */
};

/* A new Adj-RIB-Out that listens to rib (which must outlive it); the
 * session is down. NULL when out of memory. */
struct adjout *adjout_new(struct rib *rib, const struct adjout_config *cfg);
void adjout_free(struct adjout *a);	/* NULL-safe */

/* The session is up: every rule for this peer is owed, then End-of-RIB
 * for each negotiated Flowspec family (RFC 4724 §2). */
void adjout_start(struct adjout *a, const struct adjout_session *s);
/* The session is down: the peer has nothing from us any more. */
void adjout_stop(struct adjout *a);
/* The peer asked for the rules of afi again (RFC 2918): every one is owed
 * even when unchanged, between BoRR and EoRR (RFC 7313 §4) when enhanced
 * route refresh was negotiated. */
void adjout_refresh(struct adjout *a, enum fs_afi afi);

/* True when adjout_write has something to do. */
bool adjout_pending(const struct adjout *a);

/* What one adjout_write appended. */
struct adjout_written {
	size_t updates;		/* UPDATE messages (End-of-RIB included) */
	size_t refreshes;	/* ROUTE-REFRESH messages (BoRR, EoRR) */
};
/* Appends complete messages to w until it holds at least budget octets or
 * nothing is owed, with a bounded amount of work per call; returns what
 * it appended. */
struct adjout_written adjout_write(struct adjout *a, struct writer *w,
				   size_t budget);

void adjout_stats(const struct adjout *a, struct adjout_stats *st);
/* Calls fn for each rule the peer has from us, in the rib's order, with
 * the match and the actions as they were sent (a view valid during the
 * call); stops when fn returns false. */
void adjout_walk(const struct adjout *a,
		 bool (*fn)(void *arg, const struct fs_rule *rule), void *arg);
enum adjout_state adjout_state(const struct adjout *a, enum fs_afi afi,
			       const uint8_t *match, size_t len);
/* Calls fn for each rule the profile refused for this peer now, in the
 * rib's order, with the rib's rule and the reason in words (views valid
 * during the call); stops when fn returns false. */
void adjout_walk_refused(const struct adjout *a,
			 bool (*fn)(void *arg, const struct fs_rule *rule,
				    const char *reason),
			 void *arg);

#endif
