/* The policy engine's decisions: mitigations, their lifetimes and
 * limits, the rule built from a fingerprint, events and their JSON. See
 * engine.h. */
#include "bgpd/policy/engine.h"

#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include "bgpd/rib/protect.h"
#include "nlri/text.h"

#define JSON_FLAGS (JSON_COMPACT | JSON_PRESERVE_ORDER | JSON_REAL_PRECISION(15))
#define RULE_TEXT_MAX 2048
#define PROTO_TCP 6	/* IANA protocol numbers */
#define PROTO_UDP 17

struct mitigation {
	struct mitigation *prev, *next;	/* active list, oldest first */
	uint64_t id;
	struct track *track;
	struct fs_rule rule;
	char *text;
	struct policy_lifetimes life;	/* resolved, seconds */
	int64_t start_mono, start_wall;
	int64_t last_above_mono;
	int64_t blind_until_mono;	/* adopted: counts as above until then */
	bool wait_data;			/* adopted: no flow data seen yet */
	int64_t expires_mono;		/* what the rib was told */
	double rate, peak, bps;		/* bps: traffic, for max_rules */
	json_t *evidence;		/* fingerprint at the announce */
};

struct policy_engine {
	const struct policy_file *pf;
	struct policy_sink sink;
	struct detector *det;
	struct mitigation *first, *last;
	size_t active;
	size_t *active_of;		/* per policy */
	uint64_t next_id;
	int64_t next_tick;		/* policy_engine_run; 0: not started */
	struct policy_engine_stats st;
};

static const char *const event_names[] = {
	[POLICY_EV_ANNOUNCE] = "announce", [POLICY_EV_EXTEND] = "extend",
	[POLICY_EV_WITHDRAW] = "withdraw", [POLICY_EV_REFUSED] = "refused",
	[POLICY_EV_DRY_RUN] = "dry_run",
};

const char *policy_event_name(enum policy_event_type type)
{
	return event_names[type];
}

struct policy_engine *policy_engine_new(const struct policy_file *pf,
					const struct policy_sink *sink)
{
	struct policy_engine *eng = calloc(1, sizeof *eng);
	if (!eng)
		return NULL;
	eng->pf = pf;
	eng->sink = *sink;
	eng->next_id = 1;
	eng->det = detect_new(pf);
	eng->active_of = calloc(pf->n_policies ? pf->n_policies : 1,
				sizeof *eng->active_of);
	if (!eng->det || !eng->active_of) {
		policy_engine_free(eng);
		return NULL;
	}
	return eng;
}

void policy_engine_continue(struct policy_engine *eng,
			    const struct policy_engine *from)
{
	eng->next_id = from->next_id;
	eng->st.announces = from->st.announces;
	eng->st.extends = from->st.extends;
	eng->st.withdraws = from->st.withdraws;
	eng->st.refused = from->st.refused;
	eng->st.dry_runs = from->st.dry_runs;
}

static void mitigation_free(struct mitigation *m)
{
	fs_rule_clear(&m->rule);
	free(m->text);
	json_decref(m->evidence);
	free(m);
}

void policy_engine_free(struct policy_engine *eng)
{
	if (!eng)
		return;
	for (struct mitigation *m = eng->first, *next; m; m = next) {
		next = m->next;
		mitigation_free(m);
	}
	detect_free(eng->det);
	free(eng->active_of);
	free(eng);
}

/* ---- the rule from the fingerprint ------------------------------------ */

struct text {
	char s[RULE_TEXT_MAX];
	size_t n;
	bool full;
};

__attribute__((format(printf, 2, 3))) static void
add(struct text *t, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	int w = vsnprintf(t->s + t->n, sizeof t->s - t->n, fmt, ap);
	va_end(ap);
	if (w < 0 || (size_t)w >= sizeof t->s - t->n)
		t->full = true;
	else
		t->n += (size_t)w;
}

/* "name [ =a =b ]" for the dominant values of h; false when none
 * dominate. */
static bool add_values(struct text *t, const char *name, const struct hh *h,
		       double total)
{
	uint64_t v[SKETCH_DOMINANT_MAX];
	unsigned n = hh_dominant(h, total, v, NULL, SKETCH_DOMINANT_MAX);
	if (n == 0)
		return false;
	add(t, " %s [", name);
	for (unsigned i = 0; i < n; i++)
		add(t, " =%llu", (unsigned long long)v[i]);
	add(t, " ];");
	return true;
}

static const struct {
	const char *name;
	uint8_t bit;
} flag_names[] = {
	{ "fin", 0x01 }, { "syn", 0x02 }, { "rst", 0x04 }, { "push", 0x08 },
	{ "ack", 0x10 }, { "urgent", 0x20 }, { "ece", 0x40 }, { "cwr", 0x80 },
};
/* Flags whose absence a tcp-flags match requires (the handshake ones). */
#define FLAGS_ABSENT_CHECKED 0x17	/* fin syn rst ack */

/* "tcp-flags =syn&!fin&!rst&!ack;" for the dominant flags value. */
static bool add_tcp_flags(struct text *t, const struct fingerprint *fp)
{
	uint64_t v;
	if (hh_dominant(&fp->flags, fp->total, &v, NULL, 1) != 1 || v == 0)
		return false;
	add(t, " tcp-flags ");
	const char *sep = "";
	for (size_t i = 0; i < sizeof flag_names / sizeof flag_names[0]; i++) {
		if (v & flag_names[i].bit) {
			add(t, "%s=%s", sep, flag_names[i].name);
			sep = "&";
		}
	}
	for (size_t i = 0; i < sizeof flag_names / sizeof flag_names[0]; i++)
		if (!(v & flag_names[i].bit) &&
		    (flag_names[i].bit & FLAGS_ABSENT_CHECKED))
			add(t, "&!%s", flag_names[i].name);
	add(t, ";");
	return true;
}

/* The destination prefix of t's rule into *dst. */
static bool rule_destination(const struct policy_engine *eng,
			     const struct track *t, struct prefix *dst)
{
	const struct policy *p = &eng->pf->policies[t->policy];
	if (p->scope == POLICY_SCOPE_HOST) {
		*dst = (struct prefix){ t->dst,
					(uint8_t)addr_bits(t->dst.family) };
		return true;
	}
	/* Group: the network's prefix that holds the top destination. */
	unsigned best = hh_top(&t->fp->dst);
	if (best == SKETCH_SLOTS)
		return false;
	struct prefix host = { t->fp->dst_addr[best],
			       (uint8_t)addr_bits(t->dst.family) };
	const struct policy_network *net = &eng->pf->networks[t->net];
	for (size_t i = 0; i < net->n_prefixes; i++) {
		if (prefix_covers(&net->prefixes[i], &host)) {
			*dst = net->prefixes[i];
			return true;
		}
	}
	return false;
}

/* Builds t's rule from its fingerprint and the policy's rule.match and
 * then; false with why set when it cannot. */
static bool build_rule(const struct policy_engine *eng, const struct track *t,
		       struct fs_rule *rule, char **text, const char **why)
{
	const struct policy *p = &eng->pf->policies[t->policy];
	const struct fingerprint *fp = t->fp;
	struct prefix dst;
	char buf[ADDR_STRLEN];
	if (!rule_destination(eng, t, &dst)) {
		*why = "no destination of the group's prefixes dominates";
		return false;
	}
	struct text tx = { .n = 0 };
	add(&tx, "flow route { match { destination %s;",
	    prefix_format(&dst, buf));
	unsigned parts = p->rule_parts;
	uint64_t v[SKETCH_DOMINANT_MAX];
	unsigned slot[SKETCH_DOMINANT_MAX];
	if ((parts & POLICY_RULE_SOURCE) &&
	    hh_dominant(&fp->src, fp->total, v, slot, 1) == 1) {
		struct prefix src = { fp->src_addr[slot[0]],
				      (uint8_t)addr_bits(t->dst.family) };
		add(&tx, " source %s;", prefix_format(&src, buf));
	}
	unsigned np = hh_dominant(&fp->proto, fp->total, v, NULL,
				  SKETCH_DOMINANT_MAX);
	bool ports_apply = np > 0;
	for (unsigned i = 0; i < np; i++)
		ports_apply = ports_apply && (v[i] == PROTO_TCP ||
					      v[i] == PROTO_UDP);
	bool tcp_only = np == 1 && v[0] == PROTO_TCP;
	if (parts & POLICY_RULE_PROTOCOL)
		add_values(&tx, "protocol", &fp->proto, fp->total);
	if ((parts & POLICY_RULE_DST_PORT) && ports_apply)
		add_values(&tx, "destination-port", &fp->dport, fp->total);
	if ((parts & POLICY_RULE_SRC_PORT) && ports_apply)
		add_values(&tx, "source-port", &fp->sport, fp->total);
	if (parts & POLICY_RULE_PKT_LEN) {
		unsigned n = hh_dominant(&fp->len_band, fp->total, v, NULL,
					 SKETCH_DOMINANT_MAX);
		uint64_t lo = UINT64_MAX, hi = 0;
		for (unsigned i = 0; i < n; i++) {
			lo = v[i] < lo ? v[i] : lo;
			hi = v[i] > hi ? v[i] : hi;
		}
		if (n)
			add(&tx, " packet-length >=%llu&<=%llu;",
			    (unsigned long long)(lo * SKETCH_LEN_BAND),
			    (unsigned long long)(hi * SKETCH_LEN_BAND +
						 SKETCH_LEN_BAND - 1));
	}
	if ((parts & POLICY_RULE_TCP_FLAGS) && tcp_only)
		add_tcp_flags(&tx, fp);
	if (parts & POLICY_RULE_FRAGMENT) {
		uint64_t f;
		if (hh_dominant(&fp->frag, fp->total, &f, NULL, 1) == 1 && f)
			add(&tx, " fragment [ is-fragment ];");
	}
	size_t tl = strlen(p->then);
	add(&tx, " } then { %s%s } }", p->then,
	    tl && p->then[tl - 1] == ';' ? "" : ";");
	struct fs_text_error err;
	if (tx.full || !fs_text_parse(rule, tx.s, NULL, &err)) {
		*why = "the rule built from the fingerprint does not parse";
		return false;
	}
	fs_rule_normalize(rule);
	if (!fs_rule_ok(rule) || !(*text = fs_text_string(rule))) {
		fs_rule_clear(rule);
		*why = "out of memory";
		return false;
	}
	return true;
}

/* ---- events ------------------------------------------------------------ */

/* What a decision measured. */
struct measured {
	struct window_sum w;
	double rate;
};

static void emit(struct policy_engine *eng, enum policy_event_type type,
		 const struct policy_clock *clk, const struct track *t,
		 const struct mitigation *m, const struct measured *ms,
		 const struct fs_rule *rule, const char *text,
		 const char *reason)
{
	void (*cb)(void *, const struct policy_event *) = NULL;
	switch (type) {
	case POLICY_EV_ANNOUNCE:
		cb = eng->sink.announce;
		eng->st.announces++;
		break;
	case POLICY_EV_EXTEND:
		cb = eng->sink.extend;
		eng->st.extends++;
		break;
	case POLICY_EV_WITHDRAW:
		cb = eng->sink.withdraw;
		eng->st.withdraws++;
		break;
	case POLICY_EV_REFUSED:
		cb = eng->sink.refused;
		eng->st.refused++;
		break;
	case POLICY_EV_DRY_RUN:
		cb = eng->sink.dry_run;
		eng->st.dry_runs++;
		break;
	}
	if (!cb)
		return;
	char target[ADDR_STRLEN + 64];
	struct policy_event ev = {
		.type = type,
		.time_ms = clk->wall_ms,
		.policy = &eng->pf->policies[t->policy],
		.id = m ? m->id : 0,
		.rule = rule,
		.rule_text = text,
		.target = detect_target(eng->det, t, target, sizeof target),
		.rate = ms->rate,
		.bps = ms->w.bytes * 8 / ms->w.seconds,
		.pps = ms->w.packets / ms->w.seconds,
		.flows = ms->w.flows / ms->w.seconds,
		.sources = t->fp ? fp_sources(t->fp) : 0,
		.reason = reason,
		.fingerprint = t->fp ? fp_json(t->fp) : NULL,
	};
	if (m && (type == POLICY_EV_ANNOUNCE || type == POLICY_EV_EXTEND)) {
		int64_t left = m->expires_mono - clk->mono_ms;
		ev.ttl_s = left > 0 ? (uint32_t)((left + 999) / 1000) : 0;
		ev.expires_ms = clk->wall_ms + left;
	}
	cb(eng->sink.ctx, &ev);
	json_decref(ev.fingerprint);
}

/* ---- mitigations ------------------------------------------------------- */

static void withdraw(struct policy_engine *eng, struct mitigation *m,
		     const struct policy_clock *clk, const struct measured *ms,
		     const char *reason)
{
	struct track *t = m->track;
	emit(eng, POLICY_EV_WITHDRAW, clk, t, m, ms, &m->rule, m->text,
	     reason);
	if (m->prev)
		m->prev->next = m->next;
	else
		eng->first = m->next;
	if (m->next)
		m->next->prev = m->prev;
	else
		eng->last = m->prev;
	eng->active--;
	eng->active_of[t->policy]--;
	t->mit = NULL;
	mitigation_free(m);
}

static struct measured measure(struct policy_engine *eng, struct track *t,
			       const struct policy_clock *clk)
{
	struct measured ms;
	detect_measure(eng->det, t,
		       detect_window_end(eng->det, t, clk->wall_ms), &ms.w);
	ms.rate = detect_rate(&eng->pf->policies[t->policy], &ms.w);
	return ms;
}

/* The active mitigation of policy (or of any, policy < 0) with the
 * least traffic. */
static struct mitigation *smallest(const struct policy_engine *eng,
				   int policy)
{
	struct mitigation *best = NULL;
	for (struct mitigation *m = eng->first; m; m = m->next)
		if ((policy < 0 || m->track->policy == policy) &&
		    (!best || m->bps < best->bps))
			best = m;
	return best;
}

/* Makes room under a limit of limit rules (0: none) holding count now;
 * false when the new one (bps) carries less than the smallest. */
static bool make_room(struct policy_engine *eng, int policy, uint32_t limit,
		      size_t count, double bps, const struct policy_clock *clk)
{
	if (limit == 0 || count < limit)
		return true;
	struct mitigation *m = smallest(eng, policy);
	if (!m || m->bps >= bps)
		return false;
	struct measured ms = measure(eng, m->track, clk);
	withdraw(eng, m, clk, &ms, "evicted: max_rules reached and a "
		 "larger attack needed the room");
	return true;
}

/* Reports a refusal once per episode. */
static void refuse(struct policy_engine *eng, struct track *t,
		   const struct policy_clock *clk, const struct measured *ms,
		   const struct fs_rule *rule, const char *text,
		   const char *reason)
{
	if (t->flags & TRACK_REPORTED)
		return;
	t->flags |= TRACK_REPORTED;
	emit(eng, POLICY_EV_REFUSED, clk, t, NULL, ms, rule, text, reason);
}

/* A new active mitigation of t started at clk, with an expiry of
 * ban_time (capped at max_lifetime); it takes rule and text. NULL when
 * out of memory (rule and text stay the caller's). */
static struct mitigation *mitigation_add(struct policy_engine *eng,
					 struct track *t, struct fs_rule *rule,
					 char *text,
					 const struct policy_clock *clk)
{
	struct mitigation *m = calloc(1, sizeof *m);
	if (!m)
		return NULL;
	const struct policy *p = &eng->pf->policies[t->policy];
	m->id = eng->next_id++;
	m->track = t;
	m->rule = *rule;
	m->text = text;
	m->life = policy_lifetimes_of(eng->pf, p, t->net);
	m->start_mono = m->last_above_mono = clk->mono_ms;
	m->start_wall = clk->wall_ms;
	int64_t cap = m->start_mono + m->life.max_s * 1000;
	m->expires_mono = clk->mono_ms + m->life.ban_s * 1000;
	if (m->expires_mono > cap)
		m->expires_mono = cap;
	m->prev = eng->last;
	if (eng->last)
		eng->last->next = m;
	else
		eng->first = m;
	eng->last = m;
	eng->active++;
	eng->active_of[t->policy]++;
	t->mit = m;
	return m;
}

static void announce(struct policy_engine *eng, struct track *t,
		     const struct policy_clock *clk, const struct measured *ms)
{
	const struct policy *p = &eng->pf->policies[t->policy];
	if (ms->w.flows + 0.5 < (double)p->min_flows ||
	    (t->fp ? fp_sources(t->fp) : 0) < p->min_sources)
		return;		/* not enough evidence yet */
	struct fs_rule rule;
	char *text = NULL;
	const char *why = NULL;
	if (!build_rule(eng, t, &rule, &text, &why)) {
		refuse(eng, t, clk, ms, NULL, NULL, why);
		return;
	}
	char reason[160];
	double bps = ms->w.bytes * 8 / ms->w.seconds;
	if (protect_check(&rule, eng->pf->never_filter,
			  eng->pf->n_never_filter, reason, sizeof reason)) {
		refuse(eng, t, clk, ms, &rule, text, reason);
	} else if (p->dry_run) {
		if (!(t->flags & TRACK_REPORTED))
			emit(eng, POLICY_EV_DRY_RUN, clk, t, NULL, ms, &rule,
			     text, NULL);
		t->flags |= TRACK_REPORTED;
	} else if (!make_room(eng, t->policy, p->max_rules,
			      eng->active_of[t->policy], bps, clk)) {
		snprintf(reason, sizeof reason, "max_rules %u of the policy "
			 "reached by larger attacks", p->max_rules);
		refuse(eng, t, clk, ms, &rule, text, reason);
	} else if (!make_room(eng, -1, eng->pf->max_rules, eng->active, bps,
			      clk)) {
		snprintf(reason, sizeof reason, "max_rules %u of the policy "
			 "file reached by larger attacks", eng->pf->max_rules);
		refuse(eng, t, clk, ms, &rule, text, reason);
	} else {
		struct mitigation *m = mitigation_add(eng, t, &rule, text, clk);
		if (!m) {
			refuse(eng, t, clk, ms, &rule, text, "out of memory");
		} else {
			m->rate = m->peak = ms->rate;
			m->bps = bps;
			m->evidence = fp_json(t->fp);
			emit(eng, POLICY_EV_ANNOUNCE, clk, t, m, ms, &m->rule,
			     m->text, NULL);
			return;
		}
	}
	fs_rule_clear(&rule);
	free(text);
}

/* An active mitigation at a tick: extend or withdraw. */
static void manage(struct policy_engine *eng, struct mitigation *m,
		   const struct policy_clock *clk, const struct measured *ms)
{
	const struct policy *p = &eng->pf->policies[m->track->policy];
	m->rate = ms->rate;
	m->bps = ms->w.bytes * 8 / ms->w.seconds;
	if (ms->rate > m->peak)
		m->peak = ms->rate;
	if (m->wait_data && ms->w.flows > 0) {
		/* Adopted: its first data; not a whole window of it yet. */
		m->wait_data = false;
		m->blind_until_mono = clk->mono_ms +
				      (int64_t)p->window_s * 1000;
	}
	if (ms->rate >= p->clear_threshold ||
	    clk->mono_ms <= m->blind_until_mono)
		m->last_above_mono = clk->mono_ms;
	int64_t until = m->last_above_mono + m->life.clear_s * 1000;
	int64_t ban_end = m->start_mono + m->life.ban_s * 1000;
	int64_t cap = m->start_mono + m->life.max_s * 1000;
	if (until < ban_end)
		until = ban_end;
	if (clk->mono_ms >= cap && until > cap) {
		m->track->flags |= TRACK_CAPPED;
		withdraw(eng, m, clk, ms, "max_lifetime");
	} else if (clk->mono_ms >= until) {
		withdraw(eng, m, clk, ms, "clear");
	} else if (until > m->expires_mono && m->expires_mono < cap) {
		int64_t exp = clk->mono_ms + m->life.ban_s * 1000;
		if (exp < until)
			exp = until;
		m->expires_mono = exp < cap ? exp : cap;
		emit(eng, POLICY_EV_EXTEND, clk, m->track, m, ms, &m->rule,
		     m->text, NULL);
	}
}

/* Decides on t; returns its rate. */
static double decide(struct policy_engine *eng, struct track *t,
		     const struct policy_clock *clk)
{
	const struct policy *p = &eng->pf->policies[t->policy];
	struct measured ms = measure(eng, t, clk);
	if (t->mit) {
		manage(eng, t->mit, clk, &ms);
		return ms.rate;
	}
	if (ms.rate < p->clear_threshold)
		t->flags &= (uint8_t)~(TRACK_REPORTED | TRACK_CAPPED);
	if (ms.rate < p->threshold || (t->flags & TRACK_CAPPED))
		return ms.rate;
	if (!t->fp && !detect_promote(eng->det, t, clk->wall_ms))
		refuse(eng, t, clk, &ms, NULL, NULL,
		       "too many suspects to keep a fingerprint");
	else
		announce(eng, t, clk, &ms);
	return ms.rate;
}

/* The host destination of rule (its destination component, a full
 * length prefix) into *dst. */
static bool rule_host(const struct fs_rule *rule, struct addr *dst)
{
	struct fs_iter it;
	struct fs_component c;
	fs_iter_init(&it, rule->afi, rule->match.data, rule->match.len);
	while (fs_iter_next(&it, &c)) {
		if (c.type != FS_TYPE_DST_PREFIX)
			continue;
		if (c.offset != 0 ||
		    c.prefix.len != addr_bits(c.prefix.addr.family))
			return false;
		*dst = c.prefix.addr;
		return true;
	}
	return false;
}

bool policy_engine_adopt(struct policy_engine *eng, const char *policy,
			 const struct fs_rule *rule, int64_t expires_mono,
			 int64_t since_mono, const struct policy_clock *clk)
{
	size_t i = 0;
	while (i < eng->pf->n_policies &&
	       strcmp(eng->pf->policies[i].name, policy) != 0)
		i++;
	if (i == eng->pf->n_policies)
		return false;
	const struct policy *p = &eng->pf->policies[i];
	struct addr dst;
	if (p->dry_run || !rule_host(rule, &dst) ||
	    (p->max_rules && eng->active_of[i] >= p->max_rules) ||
	    (eng->pf->max_rules && eng->active >= eng->pf->max_rules))
		return false;
	struct track *t = detect_host_track(eng->det, (unsigned)i, &dst,
					    clk->wall_ms);
	if (!t || t->mit)
		return false;
	struct fs_rule copy;
	char *text = NULL;
	struct mitigation *m = NULL;
	if (fs_rule_copy(&copy, rule) && (text = fs_text_string(&copy)))
		m = mitigation_add(eng, t, &copy, text, clk);
	if (!m) {
		fs_rule_clear(&copy);
		free(text);
		return false;
	}
	if (since_mono && since_mono < clk->mono_ms) {
		m->start_mono = since_mono;
		m->start_wall = clk->wall_ms - (clk->mono_ms - since_mono);
	}
	m->expires_mono = expires_mono;
	m->blind_until_mono = clk->mono_ms + (int64_t)p->window_s * 1000;
	m->wait_data = true;
	return true;
}

/* ---- the entry points -------------------------------------------------- */

void policy_engine_flow(struct policy_engine *eng,
			const struct flow_record *rec,
			const struct policy_clock *clk)
{
	detect_flow(eng->det, rec, clk->wall_ms);
	struct track *t;
	while ((t = detect_due(eng->det)) != NULL)
		decide(eng, t, clk);
}

void policy_engine_tick(struct policy_engine *eng,
			const struct policy_clock *clk)
{
	for (struct track *t = detect_suspects(eng->det), *next; t; t = next) {
		next = t->next;
		const struct policy *p = &eng->pf->policies[t->policy];
		if (clk->wall_ms - t->fp->decayed_ms >=
		    (int64_t)p->window_s * 1000) {
			fp_decay(t->fp);
			t->fp->decayed_ms = clk->wall_ms;
		}
		double rate = decide(eng, t, clk);
		if (!t->mit && !(t->flags & (TRACK_REPORTED | TRACK_CAPPED)) &&
		    rate < p->threshold / (2 * DETECT_SUSPECT_DIV))
			detect_demote(eng->det, t);
	}
	detect_trim(eng->det, clk->wall_ms, POLICY_TRIM_PER_TICK);
}

void policy_engine_run(struct policy_engine *eng,
		       const struct policy_clock *clk)
{
	if (eng->next_tick == 0)
		eng->next_tick = (clk->wall_ms / POLICY_TICK_MS + 1) *
				 POLICY_TICK_MS;
	while (eng->next_tick <= clk->wall_ms) {
		int64_t back = clk->wall_ms - eng->next_tick;
		struct policy_clock at = { eng->next_tick, clk->mono_ms - back };
		policy_engine_tick(eng, &at);
		eng->next_tick += POLICY_TICK_MS;
	}
}

void policy_engine_finish(struct policy_engine *eng,
			  const struct policy_clock *clk)
{
	struct policy_clock at = *clk;
	policy_engine_run(eng, &at);
	while (eng->active > 0) {
		int64_t step = eng->next_tick - at.wall_ms;
		at.wall_ms += step;
		at.mono_ms += step;
		policy_engine_run(eng, &at);
	}
}

/* ---- JSON -------------------------------------------------------------- */

static json_t *neighbors_json(const struct policy *p)
{
	json_t *a = json_array();
	for (unsigned i = 0; a && i < p->n_neighbors; i++) {
		char buf[ADDR_STRLEN];
		if (json_array_append_new(a, json_string(addr_format(
					       &p->neighbors[i], buf)))) {
			json_decref(a);
			return NULL;
		}
	}
	return a;
}

static json_t *seconds(int64_t ms)
{
	return json_real((double)ms / 1000);
}

/* Sets key to v (taken); false when v is NULL or out of memory. */
static bool put(json_t *o, const char *key, json_t *v)
{
	return v && json_object_set_new(o, key, v) == 0;
}

json_t *policy_event_json(const struct policy_event *ev)
{
	const struct policy *p = ev->policy;
	json_t *o = json_object();
	bool ok = o && put(o, "type", json_string(event_names[ev->type])) &&
		  put(o, "time", seconds(ev->time_ms)) &&
		  (!ev->rule_text ||
		   put(o, "rule", json_string(ev->rule_text))) &&
		  put(o, "policy", json_string(p->name)) &&
		  (!ev->id || put(o, "id", json_integer((json_int_t)ev->id))) &&
		  put(o, "target", json_string(ev->target)) &&
		  put(o, "metric", json_string(policy_metric_name(p->metric))) &&
		  put(o, "rate", json_real(ev->rate)) &&
		  put(o, "threshold", json_real(p->threshold)) &&
		  put(o, "clear_threshold", json_real(p->clear_threshold)) &&
		  put(o, "bps", json_real(ev->bps)) &&
		  put(o, "pps", json_real(ev->pps)) &&
		  put(o, "flows", json_real(ev->flows)) &&
		  put(o, "sources", json_integer(ev->sources));
	if (ok && (ev->type == POLICY_EV_ANNOUNCE ||
		   ev->type == POLICY_EV_EXTEND))
		ok = put(o, "ttl", json_integer(ev->ttl_s)) &&
		     put(o, "expires", seconds(ev->expires_ms));
	ok = ok && put(o, "neighbors", neighbors_json(p)) &&
	     (!ev->reason || put(o, "reason", json_string(ev->reason))) &&
	     (!ev->fingerprint ||
	      put(o, "fingerprint", json_incref(ev->fingerprint)));
	if (!ok) {
		json_decref(o);
		return NULL;
	}
	return o;
}

bool policy_event_write(FILE *f, const struct policy_event *ev)
{
	json_t *o = policy_event_json(ev);
	if (!o)
		return false;
	bool ok = json_dumpf(o, f, JSON_FLAGS) == 0 && fputc('\n', f) != EOF;
	json_decref(o);
	return ok;
}

static json_t *mitigation_json(const struct policy_engine *eng,
			       const struct mitigation *m,
			       const struct policy_clock *clk)
{
	const struct policy *p = &eng->pf->policies[m->track->policy];
	char target[ADDR_STRLEN + 64];
	int64_t left = m->expires_mono - clk->mono_ms;
	json_t *o = json_object();
	bool ok = o && put(o, "id", json_integer((json_int_t)m->id)) &&
		  put(o, "policy", json_string(p->name)) &&
		  put(o, "target", json_string(detect_target(
					   eng->det, m->track, target,
					   sizeof target))) &&
		  put(o, "rule", json_string(m->text)) &&
		  put(o, "neighbors", neighbors_json(p)) &&
		  put(o, "started", seconds(m->start_wall)) &&
		  put(o, "expires", seconds(clk->wall_ms + left)) &&
		  put(o, "ttl", json_integer(left > 0 ? (left + 999) / 1000
						      : 0)) &&
		  put(o, "metric", json_string(policy_metric_name(p->metric))) &&
		  put(o, "rate", json_real(m->rate)) &&
		  put(o, "peak", json_real(m->peak)) &&
		  put(o, "threshold", json_real(p->threshold)) &&
		  put(o, "clear_threshold", json_real(p->clear_threshold)) &&
		  put(o, "last_above", seconds(clk->wall_ms -
					       (clk->mono_ms -
						m->last_above_mono))) &&
		  (!m->evidence ||
		   put(o, "evidence", json_incref(m->evidence)));
	if (!ok) {
		json_decref(o);
		return NULL;
	}
	return o;
}

json_t *policy_engine_mitigations(const struct policy_engine *eng,
				  const struct policy_clock *clk)
{
	json_t *list = json_array();
	for (const struct mitigation *m = eng->first; list && m; m = m->next) {
		if (json_array_append_new(list, mitigation_json(eng, m, clk))) {
			json_decref(list);
			return NULL;
		}
	}
	return list ? json_pack("{s:o}", "mitigations", list) : NULL;
}

void policy_engine_stats(const struct policy_engine *eng,
			 struct policy_engine_stats *out)
{
	*out = eng->st;
	detect_stats(eng->det, &out->detect);
	out->active = eng->active;
	out->memory = detect_memory(eng->det);
}
