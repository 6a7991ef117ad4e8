/* Reload: the differences between two configs applied to the running
 * sessions, rib and helper programs. See reload.h. */
#include "bgpd/reload.h"

#include <stdlib.h>
#include <string.h>

#include "bgpd/bgp/notify.h"
#include "lib/log.h"

#define REASON_CHANGED "configuration changed"
#define REASON_REMOVED "neighbor removed from the configuration"

static bool same_str(const char *a, const char *b)
{
	return (!a && !b) || (a && b && strcmp(a, b) == 0);
}

/* Keys whose running value stays until a restart. */
static void note_restart_keys(const struct config *cur,
			      const struct config *next)
{
	if (cur->has_listen != next->has_listen ||
	    (cur->has_listen && (!addr_equal(&cur->listen_addr,
					    &next->listen_addr) ||
				 cur->listen_port != next->listen_port)))
		log_msg(LOG_WARN, "reload: listen changed: applies at the "
			"next restart");
	const struct {
		const char *key, *cur, *next;
	} strs[] = {
		{ "control_socket", cur->control_socket, next->control_socket },
		{ "user", cur->user, next->user },
		{ "state_file", cur->state_file, next->state_file },
		{ "audit_log", cur->audit_log, next->audit_log },
	};
	for (size_t i = 0; i < sizeof strs / sizeof strs[0]; i++)
		if (!same_str(strs[i].cur, strs[i].next))
			log_msg(LOG_WARN, "reload: %s changed: applies at the "
				"next restart", strs[i].key);
}

static void reload_peers(const struct reload_target *t,
			 const struct config *cur, const struct config *next,
			 struct reload_stats *st)
{
	bool local_changed =
		cur->local.local_as != next->local.local_as ||
		!addr_equal(&cur->local.router_id, &next->local.router_id);
	if (local_changed) {
		log_msg(LOG_INFO, "reload: router_id or local_as changed: "
			"every session restarts");
		t->local->local_as = next->local.local_as;
		t->local->router_id = next->local.router_id;
	}
	/* Gone or changed: removed (the changed ones come back below). */
	for (size_t i = session_peer_count(t->session); i-- > 0;) {
		struct session_peer *sp = session_peer_at(t->session, i);
		const struct bgp_peer_config *now =
			session_peer_bgp(sp)->cfg;
		const struct bgp_peer_config *want =
			config_find_neighbor(next, &now->address);
		if (!want) {
			log_msg(LOG_INFO, "reload: %s removed",
				session_peer_bgp(sp)->name);
			session_remove_peer(sp, BGP_CEASE_PEER_DECONFIGURED,
					    REASON_REMOVED);
			st->peers_removed++;
		} else if (local_changed ||
			   !session_peer_reconfigure(sp, want)) {
			log_msg(LOG_INFO, "reload: %s changed: new session",
				session_peer_bgp(sp)->name);
			session_remove_peer(sp, BGP_CEASE_CONFIG_CHANGE,
					    REASON_CHANGED);
			st->peers_reset++;
		} else {
			st->peers_kept++;
		}
	}
	for (size_t i = 0; i < next->n_neighbors; i++) {
		const struct bgp_peer_config *pc = &next->neighbors[i];
		if (session_peer_find(t->session, &pc->address))
			continue;
		struct session_peer *sp = session_add_peer(t->session, pc);
		if (!sp) {
			log_msg(LOG_ERROR, "reload: neighbor %zu: cannot be "
				"added (out of memory)", i);
			continue;
		}
		/* One that was there is back after a reset: counted above. */
		if (!config_find_neighbor(cur, &pc->address))
			st->peers_added++;
		session_peer_start(sp);
	}
}

static int id_cmp(const void *a, const void *b)
{
	uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;
	return (x > y) - (x < y);
}

struct key {
	enum fs_afi afi;
	uint8_t *match;
	size_t len;
};

/* Takes next's never_filter, announces next's static rules, then
 * withdraws the static claims that none of them is (collected first: the
 * rib must not change in a walk); other origins' claims stay (rib.h). */
static void reload_rules(const struct reload_target *t,
			 const struct config *next, struct reload_stats *st)
{
	uint64_t *ids = calloc(next->n_static_rules + 1, sizeof *ids);
	if (!ids) {
		log_msg(LOG_ERROR, "reload: out of memory: static rules left "
			"as they were");
		return;
	}
	size_t nids = 0;
	if (!rib_set_protected(t->rib, RIB_PROTECT_CONFIG, next->never_filter,
			       next->n_never_filter))
		log_msg(LOG_ERROR, "reload: out of memory: never_filter left "
			"as it was");
	for (size_t i = 0; i < next->n_static_rules; i++) {
		const struct config_static_rule *r = &next->static_rules[i];
		struct rib_opts o = { .origin = RIB_ORIGIN_STATIC,
				      .ntargets = r->ntargets,
				      .comment = r->comment };
		if (r->ntargets)
			memcpy(o.targets, r->targets,
			       r->ntargets * sizeof *o.targets);
		const struct rib_entry *e = NULL;
		enum rib_result res = rib_announce(t->rib, &r->rule, &o, &e);
		switch (res) {
		case RIB_ADDED:
			st->rules_added++;
			break;
		case RIB_REPLACED:
			st->rules_replaced++;
			break;
		case RIB_UNCHANGED:
			st->rules_kept++;
			break;
		default:
			log_msg(LOG_ERROR, "reload: static rule %zu: %s: %s", i,
				rib_result_str(res), r->text);
			continue;
		}
		ids[nids++] = e->id;
	}
	qsort(ids, nids, sizeof *ids, id_cmp);

	size_t n = 0, cap = 0;
	struct key *gone = NULL;
	for (const struct rib_entry *e = rib_next(t->rib, NULL); e;
	     e = rib_next(t->rib, e)) {
		if (!rib_claim_of(e, RIB_ORIGIN_STATIC, NULL) ||
		    bsearch(&e->id, ids, nids, sizeof *ids, id_cmp))
			continue;
		if (n == cap) {
			size_t ncap = cap ? 2 * cap : 16;
			struct key *k = realloc(gone, ncap * sizeof *k);
			if (!k)
				break;
			gone = k;
			cap = ncap;
		}
		gone[n].afi = e->rule.afi;
		gone[n].len = e->rule.match.len;
		gone[n].match = malloc(e->rule.match.len ? e->rule.match.len : 1);
		if (!gone[n].match)
			break;
		memcpy(gone[n].match, e->rule.match.data, e->rule.match.len);
		n++;
	}
	for (size_t i = 0; i < n; i++) {
		if (rib_withdraw_claim(t->rib, RIB_ORIGIN_STATIC, NULL,
				       gone[i].afi, gone[i].match,
				       gone[i].len) == RIB_WITHDRAWN)
			st->rules_withdrawn++;
		free(gone[i].match);
	}
	free(gone);
	free(ids);
}

void reload_apply(const struct reload_target *t, const struct config *cur,
		  const struct config *next, struct reload_stats *st)
{
	memset(st, 0, sizeof *st);
	note_restart_keys(cur, next);
	reload_peers(t, cur, next, st);
	reload_rules(t, next, st);
	if (t->procs && !proc_set_apply(t->procs, next->processes,
					next->n_processes))
		log_msg(LOG_ERROR, "reload: processes: out of memory");
}
