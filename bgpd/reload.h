/* Applying a changed configuration to a running daemon (`reload`,
 * SIGHUP): neighbors added, removed or changed one by one, static rules
 * diffed into the rib, helper programs started or stopped. Sessions whose
 * settings did not change keep running. */
#ifndef BGPD_RELOAD_H
#define BGPD_RELOAD_H

#include <stdbool.h>
#include <stddef.h>

#include "bgpd/bgp/session.h"
#include "bgpd/config.h"
#include "bgpd/control/process.h"
#include "bgpd/rib/rib.h"

/* The running parts a reload changes. local is the one the sessions
 * point at; procs may be NULL. */
struct reload_target {
	struct session *session;
	struct rib *rib;
	struct bgp_local *local;
	struct proc_set *procs;
};

/* What a reload did, for the log and the reply. */
struct reload_stats {
	size_t peers_added, peers_removed, peers_reset, peers_kept;
	size_t rules_added, rules_replaced, rules_withdrawn, rules_kept;
};

/* Applies next (a config that loaded without error) over what cur
 * described: router_id or local_as changed resets every session (Cease
 * 6/6, Other Configuration Change); a neighbor that is gone is removed
 * (Cease 6/3, Peer De-configured), a new one added and started, one
 * whose settings changed replaced (Cease 6/6; a description alone is
 * applied in place); never_filter replaces the config's protected
 * prefixes; static_rules are announced (static claims: only those that
 * differ reach the peers) and the static claims that are no longer there
 * withdrawn (other origins' claims on those rules stay). listen,
 * control_socket, user, state_file and audit_log keep their running
 * values (logged when they differ: they need a restart); the collector,
 * http and the policy file are main.c's (collector_service_reload,
 * http_server_reload, policy_service_reload). The
 * caller then frees cur and keeps next, which the sessions do not point
 * into. */
void reload_apply(const struct reload_target *t, const struct config *cur,
		  const struct config *next, struct reload_stats *st);

#endif
