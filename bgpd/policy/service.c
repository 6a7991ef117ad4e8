/* The policy engine in the daemon: see service.h. */
#include "bgpd/policy/service.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <event2/event.h>

#include "bgpd/collector/collector.h"
#include "bgpd/control/http.h"
#include "bgpd/policy/engine.h"
#include "bgpd/rib/rib.h"
#include "lib/log.h"

#define JSON_FLAGS (JSON_COMPACT | JSON_PRESERVE_ORDER | JSON_REAL_PRECISION(15))

struct policy_service {
	struct policy_env env;
	struct policy_file *pf;
	struct policy_engine *eng;
	FILE *events;			/* the event log, or stderr */
	char *events_path;		/* its path; NULL: stderr */
	struct event *tick;
};

static struct policy_clock clock_now(const struct policy_service *s)
{
	return (struct policy_clock){ s->env.wall_ms(), s->env.mono_ms() };
}

static void log_event(struct policy_service *s, const struct policy_event *ev)
{
	if (!policy_event_write(s->events, ev) || fflush(s->events) != 0)
		log_msg(LOG_WARN, "policy %s: the event log cannot be written",
			ev->policy->name);
}

/* Runs `/bin/sh -c cmd` with line on its stdin without waiting for it: a
 * middle child writes the line into the pipe and exits at once, so the
 * command is never our child (no zombie, no SIGCHLD handling) and a slow
 * command never holds the daemon. */
static void run_notify(const char *policy, const char *cmd, const char *line,
		       size_t len)
{
	pid_t mid = fork();
	if (mid < 0) {
		log_msg(LOG_WARN, "policy %s: notify: fork: %m", policy);
		return;
	}
	if (mid == 0) {
		int fd[2];
		if (pipe(fd) < 0)
			_exit(1);
		pid_t child = fork();
		if (child == 0) {
			dup2(fd[0], STDIN_FILENO);
			close(fd[0]);
			close(fd[1]);
			execl("/bin/sh", "sh", "-c", cmd, (char *)NULL);
			_exit(127);
		}
		close(fd[0]);
		/* One event line fits in the pipe buffer: no blocking. */
		ssize_t n = child > 0 ? write(fd[1], line, len) : -1;
		_exit(n == (ssize_t)len ? 0 : 1);
	}
	int status;
	if (waitpid(mid, &status, 0) != mid || !WIFEXITED(status) ||
	    WEXITSTATUS(status) != 0)
		log_msg(LOG_WARN, "policy %s: notify command not started",
			policy);
}

static void notify(const struct policy_event *ev)
{
	if (!ev->policy->notify)
		return;
	char *line = NULL;
	size_t len = 0;
	FILE *m = open_memstream(&line, &len);
	bool ok = m && policy_event_write(m, ev);
	if (m)
		fclose(m);
	if (ok)
		run_notify(ev->policy->name, ev->policy->notify, line, len);
	free(line);
}

/* announce, extend: the policy's claim with the event's lifetime; an
 * announce starts it anew (since: now), an extend keeps its start. */
static void claim(void *ctx, const struct policy_event *ev)
{
	struct policy_service *s = ctx;
	const struct policy *p = ev->policy;
	struct rib_opts o = {
		.origin = RIB_ORIGIN_POLICY, .policy = p->name,
		.ntargets = p->n_neighbors, .ttl_s = ev->ttl_s,
		.since_ms = ev->type == POLICY_EV_ANNOUNCE ? s->env.mono_ms() : 0,
	};
	memcpy(o.targets, p->neighbors, p->n_neighbors * sizeof *o.targets);
	enum rib_result r = rib_announce(s->env.rib, ev->rule, &o, NULL);
	if (r != RIB_ADDED && r != RIB_REPLACED && r != RIB_UNCHANGED) {
		char why[256] = "";
		if (r == RIB_PROTECTED)
			rib_protected(s->env.rib, ev->rule, why, sizeof why);
		log_msg(LOG_WARN, "policy %s: %s not announced: %s%s%s",
			p->name, ev->rule_text, rib_result_str(r),
			why[0] ? ": " : "", why);
	}
	log_event(s, ev);
}

static void on_announce(void *ctx, const struct policy_event *ev)
{
	claim(ctx, ev);
	notify(ev);
}

static void on_withdraw(void *ctx, const struct policy_event *ev)
{
	struct policy_service *s = ctx;
	const struct fs_rule *r = ev->rule;
	rib_withdraw_claim(s->env.rib, RIB_ORIGIN_POLICY, ev->policy->name,
			   r->afi, r->match.data, r->match.len);
	log_event(s, ev);
	notify(ev);
}

static void on_report(void *ctx, const struct policy_event *ev)
{
	log_event(ctx, ev);
}

static void on_flow(void *arg, const struct flow_record *r)
{
	struct policy_service *s = arg;
	struct policy_clock clk = clock_now(s);
	policy_engine_flow(s->eng, r, &clk);
}

static void on_tick(evutil_socket_t fd, short what, void *arg)
{
	(void)fd;
	(void)what;
	struct policy_service *s = arg;
	struct policy_clock clk = clock_now(s);
	policy_engine_tick(s->eng, &clk);
}

/* The engine takes over the policy claims in the rib: restored from the
 * state file at start, the running engine's at a reload
 * (policy_engine_adopt); the others just expire. */
static void adopt_claims(struct policy_service *s)
{
	struct policy_clock clk = clock_now(s);
	size_t adopted = 0, left = 0;
	for (const struct rib_entry *e = rib_next(s->env.rib, NULL); e;
	     e = rib_next(s->env.rib, e)) {
		for (const struct rib_claim *c = e->claims; c; c = c->next) {
			if (c->origin != RIB_ORIGIN_POLICY)
				continue;
			struct fs_rule view;
			rib_claim_rule(e, c, &view);
			if (policy_engine_adopt(s->eng, c->policy, &view,
						c->expires_ms, c->since_ms,
						&clk)) {
				adopted++;
				continue;
			}
			left++;
			log_msg(LOG_INFO, "policy %s: claim %s not taken over "
				"(unknown policy, scope group, limits): it "
				"expires", c->policy, rib_entry_text(e));
		}
	}
	if (adopted || left)
		log_msg(LOG_INFO, "policy: claims taken over: %zu, left to "
			"expire: %zu", adopted, left);
}

static bool same_path(const char *a, const char *b)
{
	return a && b ? strcmp(a, b) == 0 : a == b;
}

static void close_events(FILE *f)
{
	if (f && f != stderr)
		fclose(f);
}

/* s's event log from now on: path (appended to; NULL: stderr). The same
 * path as now: the open file goes on (it was opened before the daemon
 * dropped root; an appending writer follows a copytruncate rotation)
 * unless the path now names another file (a rotation that moved it
 * away), which is opened when it can be (else a warning, and the old
 * file goes on). False with err (s unchanged). */
static bool use_events(struct policy_service *s, const char *path,
		       char *err, size_t errlen)
{
	bool same = s->events && same_path(path, s->events_path);
	if (same) {
		struct stat now, open;
		if (!path || (stat(path, &now) == 0 &&
			      fstat(fileno(s->events), &open) == 0 &&
			      now.st_dev == open.st_dev &&
			      now.st_ino == open.st_ino))
			return true;
	}
	char *copy = NULL;
	if (path && !(copy = strdup(path))) {
		snprintf(err, errlen, "out of memory");
		return false;
	}
	FILE *f = path ? fopen(path, "a") : stderr;
	if (!f) {
		free(copy);
		if (same) {
			log_msg(LOG_WARN, "event log %s: cannot open it again "
				"(%m): writing on to the file already open",
				path);
			return true;
		}
		snprintf(err, errlen, "event log %s: %m", path);
		return false;
	}
	close_events(s->events);
	free(s->events_path);
	s->events = f;
	s->events_path = copy;
	return true;
}

bool policy_service_reload(struct policy_service *s, struct policy_file *pf,
			   const char *event_log, char *err, size_t errlen)
{
	if (s->pf && policy_file_same(s->pf, pf)) {
		policy_file_free(pf);
		if (!use_events(s, event_log, err, errlen))
			return false;
		log_msg(LOG_INFO, "policy %s: unchanged: the engine goes on",
			s->pf->path);
		return true;
	}
	const struct policy_sink sink = {
		.announce = on_announce, .extend = claim,
		.withdraw = on_withdraw, .refused = on_report,
		.dry_run = on_report, .ctx = s,
	};
	struct policy_engine *eng = policy_engine_new(pf, &sink);
	bool events_ok = eng && use_events(s, event_log, err, errlen);
	if (!events_ok || !rib_set_protected(s->env.rib, RIB_PROTECT_POLICY,
					     pf->never_filter,
					     pf->n_never_filter)) {
		if (!eng || events_ok)
			snprintf(err, errlen, "out of memory");
		policy_engine_free(eng);
		policy_file_free(pf);
		return false;
	}
	if (s->eng)
		policy_engine_continue(eng, s->eng);
	policy_engine_free(s->eng);
	policy_file_free(s->pf);
	s->eng = eng;
	s->pf = pf;
	adopt_claims(s);
	log_msg(LOG_INFO, "policy %s: %zu policies", pf->path,
		pf->n_policies);
	return true;
}

struct policy_service *policy_service_start(const struct policy_env *env,
					    struct policy_file *pf,
					    const char *event_log,
					    char *err, size_t errlen)
{
	struct policy_service *s = calloc(1, sizeof *s);
	if (!s) {
		snprintf(err, errlen, "out of memory");
		policy_file_free(pf);
		return NULL;
	}
	s->env = *env;
	s->tick = event_new(env->base, -1, EV_PERSIST, on_tick, s);
	const struct timeval every = { POLICY_TICK_MS / 1000,
				       POLICY_TICK_MS % 1000 * 1000 };
	if (!s->tick || event_add(s->tick, &every) < 0) {
		snprintf(err, errlen, "out of memory");
		policy_file_free(pf);
		policy_service_stop(s);
		return NULL;
	}
	if (!policy_service_reload(s, pf, event_log, err, errlen)) {
		policy_service_stop(s);
		return NULL;
	}
	policy_service_set_collector(s, env->col);
	return s;
}

void policy_service_set_collector(struct policy_service *s,
				  struct collector *col)
{
	s->env.col = col;
	if (col)
		collector_set_sink(col, on_flow, s);
	else
		log_msg(LOG_WARN, "policy %s: no collector configured: the "
			"policies see no traffic", s->pf->path);
}

void policy_service_stop(struct policy_service *s)
{
	if (!s)
		return;
	if (s->env.col && s->eng)
		collector_set_sink(s->env.col, NULL, NULL);
	if (s->tick)
		event_free(s->tick);
	policy_engine_free(s->eng);
	policy_file_free(s->pf);
	close_events(s->events);
	free(s->events_path);
	free(s);
}

json_t *policy_service_mitigations(const struct policy_service *s)
{
	struct policy_clock clk = clock_now(s);
	json_t *o = policy_engine_mitigations(s->eng, &clk);
	json_t *list = json_incref(json_object_get(o, "mitigations"));
	json_decref(o);
	return list;
}

/* One mitigation as a line of the human listing. */
static void put_mitigation(struct writer *out, const json_t *m)
{
	char line[4096];
	int n = snprintf(line, sizeof line, "%-4lld %-20s %-24s %6llds  "
			 "%-10.3g %-5s %s\n",
			 (long long)json_integer_value(json_object_get(m, "id")),
			 json_string_value(json_object_get(m, "policy")),
			 json_string_value(json_object_get(m, "target")),
			 (long long)json_integer_value(json_object_get(m, "ttl")),
			 json_number_value(json_object_get(m, "rate")),
			 json_string_value(json_object_get(m, "metric")),
			 json_string_value(json_object_get(m, "rule")));
	if (n > 0)
		put_bytes(out, line, (size_t)n < sizeof line ? (size_t)n :
				     sizeof line - 1);
}

bool policy_service_show(const struct policy_service *s, bool json,
			 struct writer *out, char *err, size_t errlen)
{
	if (!s) {
		snprintf(err, errlen, "no policy file is configured");
		return false;
	}
	struct policy_clock clk = clock_now(s);
	json_t *o = policy_engine_mitigations(s->eng, &clk);
	if (!o) {
		snprintf(err, errlen, "out of memory");
		return false;
	}
	if (json) {
		char *text = json_dumps(o, JSON_FLAGS);
		if (text) {
			put_str(out, text);
			put_u8(out, '\n');
		}
		free(text);
	} else {
		put_str(out, "ID   Policy               Target                   "
			     "Expires  Rate       Unit  Rule\n");
		size_t i;
		json_t *m;
		json_array_foreach(json_object_get(o, "mitigations"), i, m)
			put_mitigation(out, m);
	}
	json_decref(o);
	return true;
}

void policy_service_metrics(const struct policy_service *s,
			    struct writer *out)
{
	struct policy_engine_stats st;
	policy_engine_stats(s->eng, &st);
	const struct {
		const char *name, *type, *help;
		uint64_t value;
	} m[] = {
		{ "flowspecd_policy_records_total", "counter",
		  "Flow records given to the policy engine", st.detect.records },
		{ "flowspecd_policy_late_records_total", "counter",
		  "Flow records older than their window", st.detect.late },
		{ "flowspecd_policy_tracked", "gauge",
		  "Destinations tracked now", st.detect.tracked },
		{ "flowspecd_policy_announces_total", "counter",
		  "Mitigations announced", st.announces },
		{ "flowspecd_policy_extends_total", "counter",
		  "Mitigations extended", st.extends },
		{ "flowspecd_policy_withdraws_total", "counter",
		  "Mitigations withdrawn", st.withdraws },
		{ "flowspecd_policy_refused_total", "counter",
		  "Decisions refused (limits, never_filter)", st.refused },
		{ "flowspecd_policy_dry_runs_total", "counter",
		  "Decisions of dry-run policies", st.dry_runs },
		{ "flowspecd_policy_mitigations", "gauge",
		  "Active mitigations", st.active },
	};
	for (size_t i = 0; i < sizeof m / sizeof m[0]; i++) {
		http_metric_family(out, m[i].name, m[i].type, m[i].help);
		http_metric_sample(out, m[i].name, NULL, NULL, m[i].value);
	}
}
