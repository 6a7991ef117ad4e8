/* The policy engine: flow records in, Flowspec rule decisions out. It
 * runs the detector (detect.h) for the policies of a policy file and
 * decides on every track that crosses its threshold (at once) and on
 * every suspect (on a fixed tick): announce, extend, withdraw, refuse,
 * or report a dry run. Decisions go to a sink of callbacks; the engine
 * never touches the rib, a socket or the wall clock itself.
 *
 * Lifetimes of a mitigation (resolved per policy_lifetimes_of):
 *   - announced with an expiry of ban_time (capped at max_lifetime);
 *   - the attack counts as going on while the rate is at or above
 *     clear_threshold; the engine withdraws at
 *       max(start + ban_time, last time above + clear_time),
 *     or at start + max_lifetime, whichever comes first (after a
 *     max_lifetime withdraw the destination must fall below
 *     clear_threshold before it can be announced again);
 *   - before its expiry would come first, the rule is extended (expiry
 *     moved to now + ban_time, capped): an extend event.
 * Limits, checked in this order before an announce: evidence (min_flows
 * flow records in the window, min_sources distinct sources: not met
 * means no decision yet, and no event), the rule (built from the
 * fingerprint), never_filter (refused), dry_run (a dry_run event, no
 * rule), max_rules of the policy and of the file (when full, the active
 * rule of that scope with the least traffic (bytes/s) is withdrawn,
 * reason "evicted", if the new one carries more; otherwise refused).
 * Refused and dry_run are reported once per episode (until the rate falls
 * below clear_threshold).
 *
 * Time (DESIGN.md "Time"): every call takes a struct policy_clock. Live:
 * wall = the wall clock (the flows' time base, event times), mono =
 * CLOCK_MONOTONIC (lifetimes); replay: both the capture time. */
#ifndef BGPD_POLICY_ENGINE_H
#define BGPD_POLICY_ENGINE_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#include <jansson.h>

#include "bgpd/collector/flow.h"
#include "bgpd/policy/detect.h"
#include "bgpd/policy/policy.h"
#include "nlri/rule.h"

#define POLICY_TICK_MS 1000
#define POLICY_TRIM_PER_TICK 4096	/* idle windows freed per tick */

struct policy_clock {
	int64_t wall_ms;	/* Unix time, ms */
	int64_t mono_ms;	/* monotonic, ms */
};

enum policy_event_type {
	POLICY_EV_ANNOUNCE,
	POLICY_EV_EXTEND,
	POLICY_EV_WITHDRAW,
	POLICY_EV_REFUSED,
	POLICY_EV_DRY_RUN,
};
/* "announce", "extend", "withdraw", "refused", "dry_run". */
const char *policy_event_name(enum policy_event_type type);

/* One decision; every pointer is valid during the sink call only. */
struct policy_event {
	enum policy_event_type type;
	int64_t time_ms;		/* wall clock */
	const struct policy *policy;	/* name, neighbors, notify, dry_run */
	uint64_t id;			/* the mitigation's; 0: refused,
					 * dry_run */
	const struct fs_rule *rule;	/* NULL when refused before a rule */
	const char *rule_text;		/* canonical; NULL as rule */
	uint32_t ttl_s;			/* announce, extend: to the expiry */
	int64_t expires_ms;		/* announce, extend: wall clock */
	const char *target;		/* destination, or the network name */
	double rate;			/* the policy's metric, per second */
	double bps, pps, flows;		/* the window, per second */
	uint32_t sources;		/* distinct sources (estimate) */
	const char *reason;		/* refused, withdraw: why */
	json_t *fingerprint;		/* fp_json() shape; NULL: none */
};

/* Where decisions go. Any callback may be NULL. Live: announce and
 * extend → rib announce with origin "policy:<name>", ttl_s and the
 * policy's neighbors; withdraw → rib withdraw of rule's match; all five
 * → the event log (policy_event_write). Replay: all five →
 * policy_event_write on stdout. A callback must not call back into the
 * engine. */
struct policy_sink {
	void (*announce)(void *ctx, const struct policy_event *ev);
	void (*extend)(void *ctx, const struct policy_event *ev);
	void (*withdraw)(void *ctx, const struct policy_event *ev);
	void (*refused)(void *ctx, const struct policy_event *ev);
	void (*dry_run)(void *ctx, const struct policy_event *ev);
	void *ctx;
};

struct policy_engine_stats {
	struct detect_stats detect;
	uint64_t announces, extends, withdraws, refused, dry_runs;
	size_t active;			/* mitigations now */
	size_t memory;			/* detect_memory() */
};

struct policy_engine;

/* An engine for pf (which must outlive it), deciding into a copy of sink;
 * NULL when out of memory. */
struct policy_engine *policy_engine_new(const struct policy_file *pf,
					const struct policy_sink *sink);
/* eng (new, nothing decided yet) goes on from where from stopped: its
 * mitigation ids and decision counters continue from's. */
void policy_engine_continue(struct policy_engine *eng,
			    const struct policy_engine *from);
/* Frees the engine; active mitigations are forgotten (not withdrawn:
 * the rib still expires them). NULL-safe. */
void policy_engine_free(struct policy_engine *eng);

/* One flow record, received at clk: counted, and decided on at once
 * when its window crosses the threshold. */
void policy_engine_flow(struct policy_engine *eng,
			const struct flow_record *rec,
			const struct policy_clock *clk);
/* The fixed-tick pass: every suspect is decided on (extend, withdraw,
 * announce once evidence is there), fingerprints age, idle windows are
 * freed. Live: call it every POLICY_TICK_MS. */
void policy_engine_tick(struct policy_engine *eng,
			const struct policy_clock *clk);
/* Replay: runs the ticks due on the POLICY_TICK_MS grid up to clk (call
 * it before each packet's records), so a capture gives the same
 * decisions every run. */
void policy_engine_run(struct policy_engine *eng,
		       const struct policy_clock *clk);
/* Replay, at the end of the captures: runs ticks from clk on until no
 * mitigation is active (bounded by their max_lifetime). */
void policy_engine_finish(struct policy_engine *eng,
			  const struct policy_clock *clk);

/* Takes over a mitigation announced before a restart or a reload, whose
 * claim (origin policy:NAME, expiry expires_mono, first claimed at
 * since_mono) is in the rib (restored from the state file): the engine
 * manages it from now on as if it had announced rule at since_mono (at
 * clk when since_mono is 0 or later), with no event (the rule is already
 * announced; the caller logs it), and as if the attack had been above
 * clear_threshold until clk. The engine's windows start empty (and a NetFlow v9
 * collector decodes nothing until the exporter resends its templates),
 * so the rate counts as above clear_threshold for one window (the
 * policy's) after clk, and again for one window after the first flow
 * data for it comes (when that is later, and the mitigation still
 * lives): no withdraw on a window that holds only part of the data.
 * Otherwise the usual lifetimes apply: extended while the rate stays at
 * or above clear_threshold, withdrawn at max(since + ban_time, last
 * time above + clear_time), at since + max_lifetime at the latest (at
 * the first tick when that has passed). So with no traffic at all it is
 * withdrawn at max(since + ban_time, clk + window + clear_time), as if
 * the attack had stopped at clk (a first extend moves the restored
 * expiry there when it comes earlier); with traffic below
 * clear_threshold, by that time + window + clear_time.
 * Its extend and withdraw events go to the sink like any other; `show
 * mitigations` lists it, with no evidence and a rate of 0 until
 * measured. False (the claim then just expires in the rib) for an
 * unknown or dry_run policy, scope group, a rule whose destination is
 * not one host in the policy's networks, a (policy, destination)
 * already mitigated, max_rules reached, no room or no memory. */
bool policy_engine_adopt(struct policy_engine *eng, const char *policy,
			 const struct fs_rule *rule, int64_t expires_mono,
			 int64_t since_mono, const struct policy_clock *clk);

/* GET /api/v1/mitigations, `show mitigations --json`: a new reference to
 *   {"mitigations": [ {"id": 1, "policy": "http-flood",
 *     "target": "10.50.100.100", "rule": "flow route { … }",
 *     "neighbors": ["10.255.255.1"], "started": 1700000000.5,
 *     "expires": 1700000600.5, "ttl": 598, "metric": "bps",
 *     "rate": 2.4e9, "peak": 2.6e9, "threshold": 2e9,
 *     "clear_threshold": 5e8, "last_above": 1700000010.5,
 *     "evidence": { fp_json() at the announce } }, … ]}
 * (times in Unix seconds, oldest mitigation first); NULL when out of
 * memory. */
json_t *policy_engine_mitigations(const struct policy_engine *eng,
				  const struct policy_clock *clk);
void policy_engine_stats(const struct policy_engine *eng,
			 struct policy_engine_stats *out);

/* The event as the event log / replay --policy line:
 *   {"type":"announce","time":1700000000.5,"rule":"flow route { … }",
 *    "policy":"http-flood","id":1,"target":"10.50.100.100",
 *    "metric":"bps","rate":…,"threshold":…,"clear_threshold":…,
 *    "bps":…,"pps":…,"flows":…,"sources":…,"ttl":600,
 *    "expires":…,"neighbors":[…],"reason":"…","fingerprint":{…}}
 * (rule, id, ttl, expires, reason and fingerprint only when they apply).
 * A new reference, NULL when out of memory. */
json_t *policy_event_json(const struct policy_event *ev);
/* Writes it as one compact line; false on an output error. */
bool policy_event_write(FILE *f, const struct policy_event *ev);

#endif
