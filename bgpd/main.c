/* flowspecd: loads the config, puts the static rules into the rib, runs
 * the BGP sessions, the rules' expiry, the control socket and the helper
 * programs (processes) on one libevent loop in the foreground (logs on
 * stderr), as `user` once the sockets are open. Signals:
 *   SIGTERM, SIGINT  stop; a session with graceful restart on both sides
 *                    is closed without a NOTIFICATION, so the peer keeps
 *                    our rules (stale) until we are back (an upgrade);
 *                    the others get Cease/Administrative Shutdown (RFC
 *                    8203 message)
 *   SIGQUIT          hard stop: every peer gets Cease/Administrative
 *                    Shutdown (a Hard Reset with RFC 8538), so it drops
 *                    our rules at once
 *   SIGHUP           reload the config (like `flowspecctl reload`)
 *   a second stop signal: exit now, without waiting for the last
 *                    messages to go out.
 * With graceful restart configured it starts as a restarting speaker
 * (RFC 4724 §3 R bit) until its peers have the table again.
 *
 *   flowspecd -c FILE [-d]      run (-d: debug logs)
 *   flowspecd -c FILE --check   validate the config and exit
 *   flowspecd replay [--policy FILE] [--flows] CAPTURE...
 *                               decode captured exports (see replay.h) */
#include <getopt.h>
#include <signal.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <event2/event.h>

#include "bgpd/bgp/session.h"
#include "bgpd/collector/service.h"
#include "bgpd/config.h"
#include "bgpd/policy/policy.h"
#include "bgpd/policy/service.h"
#include "bgpd/control/audit.h"
#include "bgpd/control/ctl.h"
#include "bgpd/control/http.h"
#include "bgpd/control/process.h"
#include "bgpd/privdrop.h"
#include "bgpd/reload.h"
#include "bgpd/replay.h"
#include "bgpd/rib/rib.h"
#include "bgpd/rib/state.h"
#include "lib/log.h"

#define SHUTDOWN_REASON "flowspecd shutting down"

struct daemon {
	struct event_base *base;
	struct config *cfg;
	struct bgp_local local;		/* the sessions' (cfg changes on reload) */
	struct rib *rib;
	struct session *session;
	struct ctl_server *ctl;
	struct ctl_daemon ctl_daemon;
	struct http_server *http;	/* NULL: no "http" in the config */
	struct state *state;		/* the state file; NULL: none */
	struct audit_log *audit;
	struct event *expiry;		/* rib_expire at the next expiry */
	int64_t expiry_at;		/* when it is armed for; 0: not armed */
	struct event *signals[4];
	struct proc_set *procs;
	bool stopping;
	/* RFC 4724: local.restarting until every GR peer is synced or
	 * the longest restart time has passed. */
	struct event *gr_timer;
	int64_t gr_until;		/* monotonic ms */
	bool *gr_synced;		/* per session peer, session order */
	size_t gr_n;
	struct collector_service *collector;	/* NULL: not configured */
	struct policy_service *policy;		/* NULL: no policy file */
	struct http_hooks http_hooks;
};

/* The one clock of the rib and the sessions (DESIGN.md "Time"). */
static int64_t mono_ms(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* Wall-clock Unix ms: the flow time base (DESIGN.md "Time"), times shown
 * to users (the HTTP API's "expires"), the state file and the audit log. */
static int64_t wall_ms(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_REALTIME, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static const struct state_clock clocks = { mono_ms, wall_ms };

/* ---- expiry ---- */

static void expiry_arm(struct daemon *d)
{
	int64_t at = rib_next_expiry(d->rib);
	d->expiry_at = at;
	if (!at) {
		evtimer_del(d->expiry);
		return;
	}
	int64_t ms = at - mono_ms();
	if (ms < 0)
		ms = 0;
	struct timeval tv = { (time_t)(ms / 1000), (suseconds_t)(ms % 1000) * 1000 };
	evtimer_add(d->expiry, &tv);
}

static void expiry_due(evutil_socket_t fd, short what, void *ctx)
{
	(void)fd;
	(void)what;
	struct daemon *d = ctx;
	size_t n = rib_expire(d->rib);
	if (n)
		log_msg(LOG_INFO, "%zu rules expired", n);
	expiry_arm(d);
}

/* Re-arms the expiry timer when a rule expires sooner than it is set for. */
static void expiry_changed(void *ctx, enum fs_afi afi, const uint8_t *match,
			   size_t len, const struct rib_entry *e)
{
	(void)afi;
	(void)match;
	(void)len;
	(void)e;
	struct daemon *d = ctx;
	int64_t at = rib_next_expiry(d->rib);
	if (at && (!d->expiry_at || at < d->expiry_at))
		expiry_arm(d);
}

/* ---- graceful restart (RFC 4724) ---- */

#define GR_CHECK_MS 250

static void gr_arm(struct daemon *d)
{
	struct timeval tv = { 0, GR_CHECK_MS * 1000 };
	evtimer_add(d->gr_timer, &tv);
}

/* Clears the R bit once every neighbor with GR has had its whole table
 * and End-of-RIB (a peer that got them once counts even if it went down
 * again), or when the longest restart time we announced has passed:
 * later OPENs then say we did not just restart. */
static void gr_check(evutil_socket_t fd, short what, void *ctx)
{
	(void)fd;
	(void)what;
	struct daemon *d = ctx;
	bool all = true;
	for (size_t i = 0; i < d->gr_n; i++) {
		struct session_peer *sp = session_peer_at(d->session, i);
		if (!sp || !session_peer_bgp(sp)->cfg->restart_time ||
		    d->gr_synced[i])
			continue;
		struct session_peer_stats st;
		session_peer_stats(sp, &st);
		d->gr_synced[i] = st.out.synced;
		all = all && st.out.synced;
	}
	if (!all && mono_ms() < d->gr_until) {
		gr_arm(d);
		return;
	}
	d->local.restarting = false;
	log_msg(LOG_INFO, "graceful restart done: %s",
		all ? "every peer has the table" : "restart time passed");
}

/* Sets the R bit when any neighbor has GR (we cannot tell a restart from
 * a first start: either way the peers need not wait for our End-of-RIB). */
static void gr_start(struct daemon *d)
{
	uint16_t longest = 0;
	for (size_t i = 0; i < d->cfg->n_neighbors; i++)
		if (d->cfg->neighbors[i].restart_time > longest)
			longest = d->cfg->neighbors[i].restart_time;
	if (!longest)
		return;
	d->gr_n = d->cfg->n_neighbors;
	d->gr_synced = calloc(d->gr_n, sizeof *d->gr_synced);
	d->gr_timer = evtimer_new(d->base, gr_check, d);
	if (!d->gr_synced || !d->gr_timer)
		fatal("out of memory");
	d->gr_until = mono_ms() + longest * 1000;
	d->local.restarting = true;
	gr_arm(d);
}

/* ---- reload ---- */

static struct policy_service *start_policy(struct daemon *d,
					   struct policy_file *pf,
					   char *err, size_t errlen)
{
	const struct policy_env env = {
		.base = d->base, .rib = d->rib,
		.col = d->collector ? collector_service_core(d->collector) :
				      NULL,
		.wall_ms = wall_ms, .mono_ms = mono_ms,
	};
	return policy_service_start(&env, pf, d->cfg->event_log, err, errlen);
}

/* The policy file of the reloaded config (pf, loaded; NULL: none any
 * more) replaces the running one (policy_service_reload), starts the
 * engine or stops it. False with err (logged) when it could not be
 * applied. */
static bool reload_policy(struct daemon *d, struct policy_file *pf,
			  char *err, size_t errlen)
{
	char perr[256];
	if (!pf) {
		if (d->policy) {
			log_msg(LOG_INFO, "reload: no policy file any more: "
				"the engine stops, its rules expire");
			policy_service_stop(d->policy);
			d->policy = NULL;
			/* An empty list: cannot fail. */
			rib_set_protected(d->rib, RIB_PROTECT_POLICY, NULL, 0);
		}
		return true;
	}
	bool ok;
	if (d->policy) {
		ok = policy_service_reload(d->policy, pf, d->cfg->event_log,
					   perr, sizeof perr);
	} else {
		d->policy = start_policy(d, pf, perr, sizeof perr);
		ok = d->policy != NULL;
	}
	if (ok)
		return true;
	log_msg(LOG_ERROR, "reload: policy: %s", perr);
	snprintf(err, errlen, "config applied, but the policy file not: %s "
		 "(%s)", perr, d->policy ? "the running policies kept" :
		 "no policy engine runs");
	return false;
}

/* The reloaded config's collector applied (collector_service_reload);
 * the policy engine follows one that started or stopped. False with err
 * (logged) when it could not be applied. */
static bool reload_collector(struct daemon *d, char *err, size_t errlen)
{
	struct collector_service *was = d->collector;
	char cerr[256];
	if (!collector_service_reload(&d->collector, d->base,
				      d->cfg->collector, wall_ms, cerr,
				      sizeof cerr)) {
		log_msg(LOG_ERROR, "reload: collector: %s", cerr);
		snprintf(err, errlen, "config applied, but the collector not: "
			 "%s (%s)", cerr, was ? "the running collector kept" :
			 "no collector runs");
		return false;
	}
	if (d->policy && d->collector != was)
		policy_service_set_collector(d->policy, d->collector ?
				collector_service_core(d->collector) : NULL);
	return true;
}

/* The reloaded config's http section applied (http_server_reload).
 * False with err (logged) when it could not be applied. */
static bool reload_http(struct daemon *d, char *err, size_t errlen)
{
	char herr[256];
	if (http_server_reload(&d->http, d->base, d->cfg->http,
			       &d->ctl_daemon, &d->http_hooks, herr,
			       sizeof herr))
		return true;
	log_msg(LOG_ERROR, "reload: %s", herr);
	snprintf(err, errlen, "config applied, but not %s (%s)", herr,
		 d->http ? "the running HTTP API kept" : "no HTTP API runs");
	return false;
}

/* Re-reads the config file and the policy file it names: a broken one
 * changes nothing (err gets the first error; every error is logged); a
 * good one is applied (reload.h, reload_collector, reload_http,
 * reload_policy) and kept. A part that cannot be applied keeps running
 * as it was; err says the first such, and false. */
static bool reload(struct daemon *d, char *err, size_t errlen)
{
	struct config_errors errs;
	config_errors_init(&errs);
	struct config *next = config_load(d->cfg->path, &errs);
	struct policy_file *pf = NULL;
	if (next && next->policy &&
	    !(pf = policy_load(next->policy, next, &errs))) {
		config_free(next);
		next = NULL;
	}
	for (size_t i = 0; i < errs.n; i++)
		log_msg(LOG_ERROR, "reload: %s", errs.lines[i]);
	if (!next) {
		snprintf(err, errlen, "%s%s (running config kept)",
			 errs.n ? errs.lines[0] : "cannot load the config",
			 errs.n > 1 ? " and more, see the log" : "");
		config_errors_clear(&errs);
		return false;
	}
	config_errors_clear(&errs);
	struct reload_target t = { .session = d->session,
				   .rib = d->rib,
				   .local = &d->local,
				   .procs = d->procs };
	struct reload_stats st;
	reload_apply(&t, d->cfg, next, &st);
	config_free(d->cfg);
	d->cfg = next;
	if (d->gr_synced) {
		/* Peers moved: count them again from here. */
		size_t n = session_peer_count(d->session);
		bool *synced = calloc(n ? n : 1, sizeof *synced);
		if (synced) {
			free(d->gr_synced);
			d->gr_synced = synced;
			d->gr_n = n;
		}
	}
	log_msg(LOG_INFO, "reloaded %s: neighbors %zu added, %zu removed, "
		"%zu reset, %zu unchanged; static rules %zu added, %zu "
		"replaced, %zu withdrawn, %zu unchanged", d->cfg->path,
		st.peers_added, st.peers_removed, st.peers_reset, st.peers_kept,
		st.rules_added, st.rules_replaced, st.rules_withdrawn,
		st.rules_kept);
	/* Each part on its own (in this order); err says the first that
	 * failed, each is logged. */
	char part[3][512];
	bool ok[3];
	ok[0] = reload_collector(d, part[0], sizeof part[0]);
	ok[1] = reload_http(d, part[1], sizeof part[1]);
	ok[2] = reload_policy(d, pf, part[2], sizeof part[2]);
	for (size_t i = 0; i < 3; i++) {
		if (ok[i])
			continue;
		bool more = (i < 1 && !ok[1]) || (i < 2 && !ok[2]);
		snprintf(err, errlen, "%s%s", part[i],
			 more ? "; and more, see the log" : "");
		return false;
	}
	return true;
}

static bool ctl_reload(void *ctx, char *err, size_t errlen)
{
	struct daemon *d = ctx;
	if (d->stopping) {
		snprintf(err, errlen, "shutting down");
		return false;
	}
	return reload(d, err, errlen);
}

/* ---- the control socket's view of the peers ---- */

static size_t ctl_peer_count(void *ctx)
{
	struct daemon *d = ctx;
	return session_peer_count(d->session);
}

static bool ctl_peer_get(void *ctx, size_t i, struct ctl_peer_view *out)
{
	struct daemon *d = ctx;
	struct session_peer *sp = session_peer_at(d->session, i);
	if (!sp)
		return false;
	struct session_peer_stats st;
	session_peer_stats(sp, &st);
	*out = (struct ctl_peer_view){ .peer = session_peer_bgp(sp),
				       .rules_sent = st.out.sent,
				       .rules_received = st.received,
				       .rules_refused = st.out.refused +
							st.out.profile_refused };
	return true;
}

static struct session_peer *peer_of(struct daemon *d,
				    const struct bgp_peer *peer)
{
	return session_peer_find(d->session, &peer->cfg->address);
}

static bool ctl_peer_clear(void *ctx, const struct bgp_peer *peer, bool soft,
			   char *err, size_t errlen)
{
	struct session_peer *sp = peer_of(ctx, peer);
	if (!sp) {
		snprintf(err, errlen, "%s is not a neighbor", peer->name);
		return false;
	}
	return session_peer_clear(sp, soft, err, errlen);
}

static bool ctl_received(void *ctx, const struct bgp_peer *peer,
			 ctl_rule_fn fn, void *arg)
{
	struct session_peer *sp = peer_of(ctx, peer);
	if (!sp)
		return false;
	const struct rib *r = session_peer_received(sp);
	for (const struct rib_entry *e = rib_next(r, NULL); e;
	     e = rib_next(r, e))
		if (!fn(arg, &e->rule))
			break;
	return true;
}

static bool ctl_adj_rib_out(void *ctx, const struct bgp_peer *peer,
			    ctl_rule_fn fn, void *arg)
{
	struct session_peer *sp = peer_of(ctx, peer);
	if (!sp)
		return false;
	adjout_walk(session_peer_adjout(sp), fn, arg);
	return true;
}

static bool ctl_collector(void *ctx, bool json, struct writer *out,
			  char *err, size_t errlen)
{
	struct daemon *d = ctx;
	return collector_service_show(d->collector, json, out, err, errlen);
}

static bool ctl_mitigations(void *ctx, bool json, struct writer *out,
			    char *err, size_t errlen)
{
	struct daemon *d = ctx;
	return policy_service_show(d->policy, json, out, err, errlen);
}

static json_t *http_mitigations(void *ctx)
{
	struct daemon *d = ctx;
	return d->policy ? policy_service_mitigations(d->policy) : NULL;
}

static void http_policy_metrics(void *ctx, struct writer *out)
{
	struct daemon *d = ctx;
	if (d->policy)
		policy_service_metrics(d->policy, out);
}

/* The collector's counters, per exporter where they are kept there. */
static void collector_metrics(const struct collector *c, struct writer *out)
{
	struct collector_totals t;
	collector_get_totals(c, &t);
	const struct {
		const char *name, *help;
		uint64_t value;
	} totals[] = {
		{ "flowspecd_collector_datagrams_total",
		  "Export datagrams received", t.packets },
		{ "flowspecd_collector_not_allowed_total",
		  "Datagrams dropped: exporter not in the allow-list",
		  t.not_allowed },
		{ "flowspecd_collector_over_exporter_limit_total",
		  "Datagrams dropped: too many exporters", t.over_exporter_limit },
	};
	for (size_t i = 0; i < sizeof totals / sizeof totals[0]; i++) {
		http_metric_family(out, totals[i].name, "counter",
				   totals[i].help);
		http_metric_sample(out, totals[i].name, NULL, NULL,
				   totals[i].value);
	}
	const struct {
		const char *name, *help;
		size_t offset;
	} per[] = {
		{ "flowspecd_collector_exporter_datagrams_total",
		  "Export datagrams per exporter",
		  offsetof(struct exporter_stats, packets) },
		{ "flowspecd_collector_exporter_records_total",
		  "Flow records decoded per exporter",
		  offsetof(struct exporter_stats, records) },
		{ "flowspecd_collector_exporter_missing_template_total",
		  "Data sets that arrived before their template",
		  offsetof(struct exporter_stats, missing_template) },
		{ "flowspecd_collector_exporter_sequence_gaps_total",
		  "Sequence number jumps (lost exports)",
		  offsetof(struct exporter_stats, sequence_gaps) },
		{ "flowspecd_collector_exporter_held_total",
		  "Data sets held until their template came",
		  offsetof(struct exporter_stats, held) },
		{ "flowspecd_collector_exporter_held_decoded_total",
		  "Held data sets decoded when their template came",
		  offsetof(struct exporter_stats, held_decoded) },
		{ "flowspecd_collector_exporter_held_dropped_total",
		  "Held data sets dropped (limits, age, withdrawal, reboot)",
		  offsetof(struct exporter_stats, held_dropped) },
		{ "flowspecd_collector_exporter_late_records_total",
		  "Flow records decoded from held data sets",
		  offsetof(struct exporter_stats, late_records) },
	};
	size_t n = collector_exporter_count(c);
	char addr[ADDR_STRLEN];
	for (size_t i = 0; i < sizeof per / sizeof per[0]; i++) {
		http_metric_family(out, per[i].name, "counter", per[i].help);
		for (size_t k = 0; k < n; k++) {
			const struct exporter *e = collector_exporter_at(c, k);
			uint64_t v;
			memcpy(&v, (const char *)&e->stats + per[i].offset,
			       sizeof v);
			http_metric_sample(out, per[i].name, "exporter",
					   addr_format(&e->addr, addr), v);
		}
	}
	const char *errors = "flowspecd_collector_exporter_decode_errors_total";
	http_metric_family(out, errors, "counter",
			   "Decode errors per exporter (all kinds)");
	for (size_t k = 0; k < n; k++) {
		const struct exporter *e = collector_exporter_at(c, k);
		uint64_t sum = 0;
		for (unsigned kind = 0; kind < CERR__COUNT; kind++)
			sum += e->stats.errors[kind];
		http_metric_sample(out, errors, "exporter",
				   addr_format(&e->addr, addr), sum);
	}
}

static void http_collector_metrics(void *ctx, struct writer *out)
{
	struct daemon *d = ctx;
	if (!d->collector)
		return;
	collector_metrics(collector_service_core(d->collector), out);
}

static bool ctl_adj_rib_out_refused(void *ctx, const struct bgp_peer *peer,
				    bool (*fn)(void *arg,
					       const struct fs_rule *rule,
					       const char *reason),
				    void *arg)
{
	struct session_peer *sp = peer_of(ctx, peer);
	if (!sp)
		return false;
	adjout_walk_refused(session_peer_adjout(sp), fn, arg);
	return true;
}

/* ---- start and stop ---- */

static void load_static_rules(struct daemon *d)
{
	for (size_t i = 0; i < d->cfg->n_static_rules; i++) {
		const struct config_static_rule *r = &d->cfg->static_rules[i];
		struct rib_opts o = { .origin = RIB_ORIGIN_STATIC,
				      .ntargets = r->ntargets,
				      .comment = r->comment };
		if (r->ntargets)
			memcpy(o.targets, r->targets,
			       r->ntargets * sizeof *o.targets);
		enum rib_result res = rib_announce(d->rib, &r->rule, &o, NULL);
		if (res != RIB_ADDED)
			fatal("static rule %zu: %s: %s", i, rib_result_str(res),
			      r->text);
	}
	log_msg(LOG_INFO, "%zu static rules", d->cfg->n_static_rules);
}

/* The claims of the state file back in the rib, then it follows the rib. */
static void load_state(struct daemon *d)
{
	const char *path = d->cfg->state_file;
	if (!path)
		return;
	struct state_loaded st;
	char err[512];
	if (!state_load(d->rib, path, &clocks, &st, err, sizeof err))
		fatal("state file: %s", err);
	log_msg(LOG_INFO, "state file %s: %zu claims restored, %zu expired, "
		"%zu refused, %zu bad lines%s", path, st.claims, st.expired,
		st.refused, st.bad, st.truncated ? ", truncated" : "");
	d->state = state_new(d->base, d->rib, path, &clocks);
	if (!d->state)
		fatal("out of memory");
	if (st.bad || st.truncated)
		state_touch(d->state);	/* the file went to PATH.bad */
}

static void ctl_audit(void *ctx, const struct ctl_audit *entry)
{
	struct daemon *d = ctx;
	audit_write(d->audit, wall_ms(), entry);
}

static void loop_exit(void *ctx)
{
	struct daemon *d = ctx;
	event_base_loopexit(d->base, NULL);
}

static void on_signal(evutil_socket_t sig, short what, void *ctx)
{
	(void)what;
	struct daemon *d = ctx;
	if (sig == SIGHUP) {
		char err[512];
		if (!d->stopping && !reload(d, err, sizeof err))
			log_msg(LOG_ERROR, "SIGHUP: reload refused: %s", err);
		return;
	}
	if (d->stopping) {
		log_msg(LOG_WARN, "signal %d again: exiting now", (int)sig);
		loop_exit(d);
		return;
	}
	d->stopping = true;
	bool graceful = sig != SIGQUIT;
	log_msg(LOG_INFO, "signal %d: shutting down (%s)", (int)sig,
		graceful ? "graceful: peers with graceful restart keep the "
			   "rules" : "hard: peers drop the rules");
	session_shutdown(d->session, SHUTDOWN_REASON, graceful, loop_exit, d);
}

static void start(struct daemon *d)
{
	d->base = event_base_new();
	d->rib = rib_new(mono_ms);
	if (!d->base || !d->rib)
		fatal("out of memory");
	d->expiry = evtimer_new(d->base, expiry_due, d);
	struct rib_listener l = { expiry_changed, d };
	if (!d->expiry || !rib_listen(d->rib, &l) ||
	    !rib_set_protected(d->rib, RIB_PROTECT_CONFIG, d->cfg->never_filter,
			       d->cfg->n_never_filter))
		fatal("out of memory");
	load_static_rules(d);
	load_state(d);
	char err[256];
	d->audit = audit_open(d->base, d->cfg->audit_log, err, sizeof err);
	if (!d->audit)
		fatal("audit log: %s", err);

	d->local = d->cfg->local;
	d->session = session_new(d->base, d->rib, &d->local, mono_ms);
	if (!d->session)
		fatal("out of memory");
	for (size_t i = 0; i < d->cfg->n_neighbors; i++)
		if (!session_add_peer(d->session, &d->cfg->neighbors[i]))
			fatal("neighbor %zu: cannot be added", i);
	if (d->cfg->has_listen &&
	    !session_listen(d->session, &d->cfg->listen_addr,
			    d->cfg->listen_port))
		fatal("cannot listen (see above)");
	gr_start(d);

	if (d->cfg->collector) {
		d->collector = collector_service_start(d->base, d->cfg->collector,
						       wall_ms, err, sizeof err);
		if (!d->collector)
			fatal("collector: %s", err);
	}
	if (d->cfg->policy) {
		struct config_errors errs;
		config_errors_init(&errs);
		struct policy_file *pf = policy_load(d->cfg->policy, d->cfg,
						     &errs);
		config_errors_print(&errs, stderr);
		config_errors_clear(&errs);
		if (!pf)
			fatal("policy file %s has errors (above)",
			      d->cfg->policy);
		d->policy = start_policy(d, pf, err, sizeof err);
		if (!d->policy)
			fatal("%s", err);
	}

	d->ctl_daemon = (struct ctl_daemon){
		.rib = d->rib,
		.ctx = d,
		.now_ms = mono_ms,
		.peer_count = ctl_peer_count,
		.peer_get = ctl_peer_get,
		.peer_clear = ctl_peer_clear,
		.received = ctl_received,
		.adj_rib_out = ctl_adj_rib_out,
		.collector = ctl_collector,
		.mitigations = ctl_mitigations,
		.adj_rib_out_refused = ctl_adj_rib_out_refused,
		.reload = ctl_reload,
		.audit = ctl_audit,
	};
	d->ctl = ctl_server_new(d->base, d->cfg->control_socket,
				CTL_SOCKET_MODE, &d->ctl_daemon, err,
				sizeof err);
	if (!d->ctl)
		fatal("control socket %s: %s", d->cfg->control_socket, err);

	/* The HTTP API: the control code and audit hook, the wall clock;
	 * before the privilege drop (its port, token and TLS key). The
	 * hooks also serve a server a reload starts. */
	d->http_hooks = (struct http_hooks){
		.ctx = d, .wall_ms = wall_ms,
		.mitigations = http_mitigations,
		.collector_metrics = http_collector_metrics,
		.policy_metrics = http_policy_metrics,
	};
	if (d->cfg->http) {
		d->http = http_server_new(d->base, d->cfg->http, &d->ctl_daemon,
					  &d->http_hooks, err, sizeof err);
		if (!d->http)
			fatal("%s", err);
	}

	/* Every privileged socket is open: the rest runs as the user. */
	const char *own[] = { d->cfg->control_socket };
	if (d->cfg->user &&
	    !privdrop(d->cfg->user, own, sizeof own / sizeof own[0], err,
		      sizeof err))
		fatal("%s", err);
	if (d->cfg->user)
		log_msg(LOG_INFO, "running as user %s", d->cfg->user);

	d->procs = proc_set_new(d->base, &d->ctl_daemon);
	if (!d->procs ||
	    !proc_set_apply(d->procs, d->cfg->processes, d->cfg->n_processes))
		fatal("out of memory");

	const int sigs[4] = { SIGINT, SIGTERM, SIGQUIT, SIGHUP };
	for (unsigned i = 0; i < 4; i++) {
		d->signals[i] = evsignal_new(d->base, sigs[i], on_signal, d);
		if (!d->signals[i] || evsignal_add(d->signals[i], NULL) < 0)
			fatal("cannot catch signal %d", sigs[i]);
	}
	/* A peer that closes its socket must not kill the daemon. */
	signal(SIGPIPE, SIG_IGN);
}

static void stop(struct daemon *d)
{
	for (unsigned i = 0; i < 4; i++)
		event_free(d->signals[i]);
	proc_set_free(d->procs);
	http_server_free(d->http);
	ctl_server_free(d->ctl);
	policy_service_stop(d->policy);
	collector_service_stop(d->collector);
	if (d->gr_timer)
		event_free(d->gr_timer);
	free(d->gr_synced);
	state_close(d->state);
	audit_close(d->audit);
	session_free(d->session);
	event_free(d->expiry);
	rib_free(d->rib);
	event_base_free(d->base);
	config_free(d->cfg);
}

static void usage(FILE *f)
{
	fprintf(f, "usage: flowspecd -c FILE [--check] [-d]\n"
		   "       flowspecd replay [--policy FILE] [--flows] CAPTURE...\n"
		   "  -c, --config FILE  the daemon config (JSON)\n"
		   "      --check        validate the config and exit\n"
		   "  -d, --debug        debug logs\n");
}

int main(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "config", required_argument, NULL, 'c' },
		{ "check", no_argument, NULL, 'k' },
		{ "debug", no_argument, NULL, 'd' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	if (argc > 1 && strcmp(argv[1], "replay") == 0)
		return replay_main(argc - 1, argv + 1);
	const char *path = NULL;
	bool check = false;
	int c;
	while ((c = getopt_long(argc, argv, "c:dh", opts, NULL)) != -1) {
		switch (c) {
		case 'c':
			path = optarg;
			break;
		case 'k':
			check = true;
			break;
		case 'd':
			log_set_level(LOG_DEBUG);
			break;
		case 'h':
			usage(stdout);
			return EXIT_SUCCESS;
		default:
			usage(stderr);
			return EXIT_FAILURE;
		}
	}
	if (!path || optind != argc) {
		usage(stderr);
		return EXIT_FAILURE;
	}
	if (check)
		return config_check_main(path);

	struct daemon d = { 0 };
	struct config_errors errs;
	config_errors_init(&errs);
	d.cfg = config_load(path, &errs);
	config_errors_print(&errs, stderr);
	config_errors_clear(&errs);
	if (!d.cfg)
		return EXIT_FAILURE;
	start(&d);
	log_msg(LOG_INFO, "started: %zu neighbors, %zu rules",
		session_peer_count(d.session), rib_count(d.rib));
	session_start(d.session);
	event_base_dispatch(d.base);
	stop(&d);
	log_msg(LOG_INFO, "stopped");
	return EXIT_SUCCESS;
}
