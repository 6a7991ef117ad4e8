/* The policy engine in the running daemon: on a loaded policy file, every
 * flow record of the collector fed to the engine, its tick on the
 * daemon's loop, its decisions turned into claims of origin policy:NAME
 * in the rib (announce, extend: the claim with its new expiry; withdraw:
 * the claim removed), each decision one JSON line of the event log
 * (policy_event_write), a policy's notify command run with the announce
 * and withdraw lines on its stdin, and `show mitigations` answered. */
#ifndef BGPD_POLICY_SERVICE_H
#define BGPD_POLICY_SERVICE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <jansson.h>

#include "lib/writer.h"

struct collector;
struct event_base;
struct policy_file;
struct rib;

/* What the service runs on; everything must outlive it. */
struct policy_env {
	struct event_base *base;
	struct rib *rib;
	struct collector *col;		/* NULL: no collector, no flows */
	int64_t (*wall_ms)(void);	/* the flows' time base, event times */
	int64_t (*mono_ms)(void);	/* the rib's clock (lifetimes) */
};

struct policy_service;

/* Starts on pf (policy_load; owned from here on, freed on failure) with
 * the event log at event_log (appended to; NULL: stderr). The engine
 * takes over the policy claims already in the rib (restored from the
 * state file). NULL with a one-line reason in err when the event log
 * cannot be opened or out of memory. */
struct policy_service *policy_service_start(const struct policy_env *env,
					    struct policy_file *pf,
					    const char *event_log,
					    char *err, size_t errlen);
/* Reload: pf (owned from here on) replaces the running file. The same
 * file, text and never_filter (policy_file_same): the engine goes on
 * untouched. Otherwise a new engine (mitigation ids and decision
 * counters going on from the old one's), pf's never_filter replaces the
 * old one's, and the new engine takes over every policy claim in the rib
 * (policy_engine_adopt: a mitigation of a policy still in pf goes on,
 * re-measured, ban_time and max_lifetime counted from its first
 * announce; the claims of policies gone from pf just expire; detection
 * windows start empty). Either way the event log is event_log (the
 * open file goes on when the path still names it). False with err (s
 * runs on with its policies, pf freed) when the event log cannot be
 * opened or out of memory. */
bool policy_service_reload(struct policy_service *s, struct policy_file *pf,
			   const char *event_log, char *err, size_t errlen);
/* The collector whose records the engine gets from now on (NULL: none,
 * logged); the one it had is gone or feeds it no more (reload). */
void policy_service_set_collector(struct policy_service *s,
				  struct collector *col);
/* Stops; the policy claims stay in the rib (and the state file) until
 * they expire: every policy rule has an expiry. NULL-safe. */
void policy_service_stop(struct policy_service *s);

/* The ctl_daemon.mitigations hook: s NULL answers that no policy is
 * configured. Human form, one line per mitigation:
 *   ID  Policy      Target         Expires  Rate      Rule
 *   1   syn-flood   10.50.100.100  9m58s    2.4k pps  flow route { … }
 * --json: the policy_engine_mitigations object on one line. */
bool policy_service_show(const struct policy_service *s, bool json,
			 struct writer *out, char *err, size_t errlen);
/* GET /api/v1/mitigations: a new reference to the array of active
 * mitigations (engine.h shape); NULL when out of memory. */
json_t *policy_service_mitigations(const struct policy_service *s);
/* GET /metrics: the engine's counters as Prometheus metric families. */
void policy_service_metrics(const struct policy_service *s,
			    struct writer *out);

#endif
