/* Running control commands against the daemon (the rib and the peers
 * behind struct ctl_daemon) and writing their replies: the human tables
 * and the --json bodies documented in ctl.h. No I/O here. */
#include "bgpd/control/ctl.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "bgpd/bgp/notify.h"
#include "bgpd/rib/rib.h"
#include "lib/log.h"
#include "nlri/text.h"

_Static_assert(CTL_TARGETS_MAX <= RIB_MAX_TARGETS,
	       "a command may target more peers than the rib holds");

#define MS_PER_S 1000

/* ---- small output helpers ---------------------------------------------- */

static const char *fmt_addr(const struct addr *a, char *buf)
{
	return addr_format(a, buf);
}

/* "00:12:03" under a day, "3d04h12m" from one day on. */
static const char *fmt_duration(int64_t s, char *buf, size_t n)
{
	if (s < 0)
		s = 0;
	if (s < 86400)
		snprintf(buf, n, "%02lld:%02lld:%02lld", (long long)(s / 3600),
			 (long long)(s / 60 % 60), (long long)(s % 60));
	else
		snprintf(buf, n, "%lldd%02lldh%02lldm", (long long)(s / 86400),
			 (long long)(s / 3600 % 24), (long long)(s / 60 % 60));
	return buf;
}

/* "45s", "4m59s", "2h03m", "3d04h". */
static const char *fmt_expiry(int64_t s, char *buf, size_t n)
{
	if (s < 0)
		s = 0;
	if (s < 60)
		snprintf(buf, n, "%llds", (long long)s);
	else if (s < 3600)
		snprintf(buf, n, "%lldm%02llds", (long long)(s / 60),
			 (long long)(s % 60));
	else if (s < 86400)
		snprintf(buf, n, "%lldh%02lldm", (long long)(s / 3600),
			 (long long)(s / 60 % 60));
	else
		snprintf(buf, n, "%lldd%02lldh", (long long)(s / 86400),
			 (long long)(s / 3600 % 24));
	return buf;
}

/* Seconds left before expires_ms, rounded up; 0 for no expiry. */
static int64_t seconds_left(const struct ctl_daemon *d, int64_t expires_ms)
{
	if (!expires_ms)
		return 0;
	int64_t left = expires_ms - d->now_ms();
	return left <= 0 ? 1 : (left + MS_PER_S - 1) / MS_PER_S;
}

/* Seconds left as JSON, null for no expiry. */
static json_t *jexpiry(const struct ctl_daemon *d, int64_t expires_ms)
{
	return expires_ms ? json_integer(seconds_left(d, expires_ms))
			  : json_null();
}

static const char *family_name(enum fs_afi afi)
{
	return bgp_family_name(bgp_family_of(afi));
}

/* ---- JSON ----------------------------------------------------------- */

/* A JSON string of s; bytes that are not valid UTF-8 become '?', so a
 * peer's text can never make the reply fail. */
static json_t *jstr(const char *s)
{
	json_t *j = json_string(s);
	if (j)
		return j;
	char *copy = strdup(s);
	if (!copy)
		return json_null();
	for (char *c = copy; *c; c++)
		if ((unsigned char)*c >= 0x80)
			*c = '?';
	j = json_string(copy);
	free(copy);
	return j ? j : json_null();
}

static json_t *jstr_or_null(const char *s)
{
	return s && *s ? jstr(s) : json_null();
}

static json_t *jaddr(const struct addr *a)
{
	char buf[ADDR_STRLEN];
	return json_string(addr_format(a, buf));
}

static json_t *jaddrs(const struct addr *a, unsigned n)
{
	json_t *arr = json_array();
	for (unsigned i = 0; i < n; i++)
		json_array_append_new(arr, jaddr(&a[i]));
	return arr;
}

static json_t *jfamilies(unsigned fams)
{
	json_t *arr = json_array();
	for (unsigned bit = 1; bit && bit <= BGP_FAM_IPV6_UNICAST; bit <<= 1)
		if (fams & bit)
			json_array_append_new(arr,
					      json_string(bgp_family_name(bit)));
	return arr;
}

/* Appends obj as one compact line and releases it. */
static bool put_json(struct writer *body, json_t *obj, char *err,
		     size_t errlen)
{
	char *s = obj ? json_dumps(obj, JSON_COMPACT) : NULL;
	json_decref(obj);
	if (!s)
		return fail_msg(err, errlen, "out of memory");
	put_str(body, s);
	put_u8(body, '\n');
	free(s);
	return true;
}

/* ---- aligned columns -------------------------------------------------- */

struct table {
	size_t ncols;
	const char *const *heads;
	const bool *right;	/* right-aligned columns */
	char **cells;		/* nrows * ncols, owned */
	size_t nrows, cap;
	bool err;
};

/* Adds one row of ncols strings (copied). */
static void table_row(struct table *t, ...)
{
	if (t->nrows == t->cap) {
		size_t cap = t->cap ? 2 * t->cap : 16;
		char **cells = realloc(t->cells, cap * t->ncols * sizeof *cells);
		if (!cells) {
			t->err = true;
			return;
		}
		t->cells = cells;
		t->cap = cap;
	}
	va_list ap;
	va_start(ap, t);
	for (size_t c = 0; c < t->ncols; c++) {
		const char *s = va_arg(ap, const char *);
		char *copy = strdup(s ? s : "");
		t->err |= !copy;
		t->cells[t->nrows * t->ncols + c] = copy;
	}
	va_end(ap);
	t->nrows++;
}

/* Display width: UTF-8 code points. */
static size_t width(const char *s)
{
	size_t n = 0;
	for (; *s; s++)
		n += ((unsigned char)*s & 0xc0) != 0x80;
	return n;
}

static void put_cell(struct writer *w, const char *s, size_t wide,
		     bool right, bool last)
{
	size_t pad = wide - width(s);
	if (right)
		for (size_t i = 0; i < pad; i++)
			put_u8(w, ' ');
	put_str(w, s);
	if (!right && !last)
		for (size_t i = 0; i < pad; i++)
			put_u8(w, ' ');
}

/* Writes the header and the rows, columns two blanks apart, the last
 * one not padded; frees the cells. */
static void table_print(struct table *t, struct writer *w)
{
	size_t wide[16] = { 0 };
	for (size_t c = 0; c < t->ncols && c < 16; c++) {
		wide[c] = width(t->heads[c]);
		for (size_t r = 0; r < t->nrows; r++) {
			const char *s = t->cells[r * t->ncols + c];
			if (s && width(s) > wide[c])
				wide[c] = width(s);
		}
	}
	for (size_t r = 0; r <= t->nrows; r++) {
		for (size_t c = 0; c < t->ncols && c < 16; c++) {
			const char *s = r ? t->cells[(r - 1) * t->ncols + c]
					  : t->heads[c];
			if (c)
				put_str(w, "  ");
			put_cell(w, s ? s : "", wide[c], t->right[c],
				 c + 1 == t->ncols);
		}
		put_u8(w, '\n');
	}
	for (size_t i = 0; i < t->nrows * t->ncols; i++)
		free(t->cells[i]);
	free(t->cells);
	if (t->err)
		w->err = true;
}

/* ---- peers -------------------------------------------------------------- */

static bool find_peer(const struct ctl_daemon *d, const struct addr *a,
		      struct ctl_peer_view *out)
{
	size_t n = d->peer_count(d->ctx);
	for (size_t i = 0; i < n; i++)
		if (d->peer_get(d->ctx, i, out) &&
		    addr_equal(&out->peer->cfg->address, a))
			return true;
	return false;
}

static bool need_peer(const struct ctl_daemon *d, const struct addr *a,
		      struct ctl_peer_view *out, char *err, size_t errlen)
{
	char buf[ADDR_STRLEN];
	if (find_peer(d, a, out))
		return true;
	return fail_msg(err, errlen, "%s is not a configured neighbor",
		    fmt_addr(a, buf));
}

static int64_t uptime_s(const struct ctl_daemon *d, const struct bgp_peer *p)
{
	if (p->state != BGP_ESTABLISHED || !p->established_at)
		return -1;
	return (d->now_ms() - p->established_at) / MS_PER_S;
}

static json_t *peer_json(const struct ctl_daemon *d,
			 const struct ctl_peer_view *v)
{
	const struct bgp_peer *p = v->peer;
	const struct bgp_peer_config *cfg = p->cfg;
	bool up = p->state == BGP_ESTABLISHED;
	int64_t uptime = uptime_s(d, p);
	json_t *o = json_object();
	json_object_set_new(o, "address", jaddr(&cfg->address));
	json_object_set_new(o, "port", json_integer(cfg->port));
	json_object_set_new(o, "remote_as", json_integer(cfg->remote_as));
	json_object_set_new(o, "local_as",
			    json_integer(p->local ? p->local->local_as : 0));
	json_object_set_new(o, "description",
			    jstr_or_null(cfg->description));
	json_object_set_new(o, "state", json_string(bgp_state_name(p->state)));
	json_object_set_new(o, "uptime", uptime >= 0 ? json_integer(uptime)
						     : json_null());
	json_object_set_new(o, "established_count",
			    json_integer((json_int_t)p->established_count));
	json_object_set_new(o, "families", jfamilies(cfg->families));
	json_object_set_new(o, "negotiated",
			    jfamilies(up ? p->caps.families : 0));
	json_object_set_new(o, "hold_time", up ? json_integer(p->caps.hold_time)
					       : json_null());
	json_object_set_new(o, "rules_sent",
			    json_integer((json_int_t)v->rules_sent));
	json_object_set_new(o, "rules_received",
			    json_integer((json_int_t)v->rules_received));
	json_object_set_new(o, "messages_in",
			    json_integer((json_int_t)p->msgs_in));
	json_object_set_new(o, "messages_out",
			    json_integer((json_int_t)p->msgs_out));
	json_object_set_new(o, "updates_in",
			    json_integer((json_int_t)p->updates_in));
	json_object_set_new(o, "updates_out",
			    json_integer((json_int_t)p->updates_out));
	json_object_set_new(o, "updates_invalid",
			    json_integer((json_int_t)p->updates_invalid));
	const struct bgp_notification_info *e = &p->last_error;
	if (e->code) {
		json_t *le = json_object();
		json_object_set_new(le, "direction",
				    json_string(e->sent ? "sent" : "received"));
		json_object_set_new(le, "code", json_integer(e->code));
		json_object_set_new(le, "subcode", json_integer(e->subcode));
		json_object_set_new(le, "name", json_string(bgp_notify_str(
						    e->code, e->subcode)));
		json_object_set_new(le, "text", jstr(e->text));
		json_object_set_new(o, "last_error", le);
	} else {
		json_object_set_new(o, "last_error", json_null());
	}
	json_object_set_new(o, "rules_refused",
			    json_integer((json_int_t)v->rules_refused));
	json_object_set_new(o, "profile",
			    json_string(profile_name(&cfg->profile)));
	return o;
}

static void put_families(struct writer *w, unsigned fams)
{
	bool first = true;
	for (unsigned bit = 1; bit && bit <= BGP_FAM_IPV6_UNICAST; bit <<= 1) {
		if (!(fams & bit))
			continue;
		if (!first)
			put_u8(w, ' ');
		put_str(w, bgp_family_name(bit));
		first = false;
	}
	if (first)
		put_str(w, "none");
}

/* `show neighbor ADDR`: one "Key: value" line per property. */
static void peer_detail(const struct ctl_daemon *d,
			const struct ctl_peer_view *v, struct writer *w)
{
	const struct bgp_peer *p = v->peer;
	const struct bgp_peer_config *cfg = p->cfg;
	char a[ADDR_STRLEN], t[32];
	bool ibgp = p->local && p->local->local_as == cfg->remote_as;
	put_fmt(w, "Neighbor:       %s port %u, remote AS %lu (%s)\n",
		fmt_addr(&cfg->address, a), (unsigned)cfg->port,
		(unsigned long)cfg->remote_as, ibgp ? "iBGP" : "eBGP");
	if (cfg->description[0])
		put_fmt(w, "Description:    %s\n", cfg->description);
	int64_t up = uptime_s(d, p);
	if (up >= 0)
		put_fmt(w, "State:          %s, up for %s\n",
			bgp_state_name(p->state), fmt_duration(up, t, sizeof t));
	else
		put_fmt(w, "State:          %s\n", bgp_state_name(p->state));
	put_fmt(w, "Established:    %llu times\n",
		(unsigned long long)p->established_count);
	put_fmt(w, "Local address:  %s%s\n",
		cfg->local_address.family ? fmt_addr(&cfg->local_address, a)
					  : "any",
		cfg->passive ? " (passive)" : "");
	put_str(w, "Families:       ");
	put_families(w, cfg->families);
	if (p->state == BGP_ESTABLISHED) {
		put_str(w, " (negotiated: ");
		put_families(w, p->caps.families);
		put_u8(w, ')');
	}
	put_u8(w, '\n');
	if (p->state == BGP_ESTABLISHED)
		put_fmt(w, "Hold time:      %u s (we proposed %u s)\n",
			(unsigned)p->caps.hold_time, (unsigned)cfg->hold_time);
	else
		put_fmt(w, "Hold time:      %u s proposed\n",
			(unsigned)cfg->hold_time);
	if (p->state == BGP_ESTABLISHED) {
		static const char *const names[] = {
			"4-octet-as", "route-refresh", "enhanced-route-refresh",
			"extended-message", "graceful-restart",
		};
		const bool has[] = { p->caps.as4, p->caps.route_refresh,
				     p->caps.enhanced_refresh,
				     p->caps.extended_msg,
				     p->caps.graceful_restart };
		put_str(w, "Capabilities:  ");
		bool any = false;
		for (size_t i = 0; i < sizeof has / sizeof has[0]; i++) {
			if (!has[i])
				continue;
			put_u8(w, ' ');
			put_str(w, names[i]);
			any = true;
		}
		put_str(w, any ? "\n" : " none\n");
	}
	put_fmt(w, "Rules:          %zu sent, %zu received, %zu refused\n",
		v->rules_sent, v->rules_received, v->rules_refused);
	put_fmt(w, "Profile:        %s\n", profile_name(&cfg->profile));
	if (cfg->max_rules || cfg->max_received)
		put_fmt(w, "Limits:         max_rules %zu, max_received %zu "
			"(0: none)\n", cfg->max_rules, cfg->max_received);
	put_fmt(w, "Messages:       %llu in, %llu out (UPDATE %llu in, %llu "
		"out, %llu invalid)\n", (unsigned long long)p->msgs_in,
		(unsigned long long)p->msgs_out,
		(unsigned long long)p->updates_in,
		(unsigned long long)p->updates_out,
		(unsigned long long)p->updates_invalid);
	const struct bgp_notification_info *e = &p->last_error;
	if (e->code)
		put_fmt(w, "Last error:     %s %u/%u (%s)%s%s\n",
			e->sent ? "sent" : "received", (unsigned)e->code,
			(unsigned)e->subcode, bgp_notify_str(e->code, e->subcode),
			e->text[0] ? ": " : "", e->text);
}

static bool exec_show_neighbor(const struct ctl_daemon *d,
			       const struct ctl_cmd *cmd, struct writer *body,
			       char *err, size_t errlen)
{
	struct ctl_peer_view one;
	if (cmd->peer.family &&
	    !need_peer(d, &cmd->peer, &one, err, errlen))
		return false;
	if (cmd->json) {
		json_t *arr = json_array();
		if (cmd->peer.family) {
			json_array_append_new(arr, peer_json(d, &one));
		} else {
			size_t n = d->peer_count(d->ctx);
			for (size_t i = 0; i < n; i++) {
				struct ctl_peer_view v;
				if (d->peer_get(d->ctx, i, &v))
					json_array_append_new(arr,
							      peer_json(d, &v));
			}
		}
		json_t *o = json_object();
		json_object_set_new(o, "neighbors", arr);
		return put_json(body, o, err, errlen);
	}
	if (cmd->peer.family) {
		peer_detail(d, &one, body);
		return true;
	}
	static const char *const heads[] = { "Peer", "AS", "Up/Down", "State",
					     "Sent", "Received", "Description" };
	static const bool right[] = { false, true, false, false, true, true,
				      false };
	struct table t = { .ncols = 7, .heads = heads, .right = right };
	size_t n = d->peer_count(d->ctx);
	for (size_t i = 0; i < n; i++) {
		struct ctl_peer_view v;
		if (!d->peer_get(d->ctx, i, &v))
			continue;
		const struct bgp_peer *p = v.peer;
		char a[ADDR_STRLEN], as[16], up[32], sent[24], recv[24];
		snprintf(as, sizeof as, "%lu", (unsigned long)p->cfg->remote_as);
		int64_t s = uptime_s(d, p);
		if (s >= 0)
			fmt_duration(s, up, sizeof up);
		else
			snprintf(up, sizeof up, "%s",
				 p->established_count ? "down" : "never");
		snprintf(sent, sizeof sent, "%zu", v.rules_sent);
		snprintf(recv, sizeof recv, "%zu", v.rules_received);
		table_row(&t, fmt_addr(&p->cfg->address, a), as, up,
			  bgp_state_name(p->state), sent, recv,
			  p->cfg->description[0] ? p->cfg->description : "-");
	}
	table_print(&t, body);
	return true;
}

/* ---- rules ---------------------------------------------------------- */

json_t *ctl_rule_json(const struct ctl_daemon *d, const struct rib_entry *e)
{
	json_t *o = json_object();
	char id[24];
	snprintf(id, sizeof id, "%llu", (unsigned long long)e->id);
	json_object_set_new(o, "id", json_string(id));
	char origin[RIB_POLICY_NAME_MAX + 8];
	json_object_set_new(o, "rule", jstr(rib_entry_text(e)));
	json_object_set_new(o, "family", json_string(family_name(e->rule.afi)));
	json_object_set_new(o, "origin", jstr(rib_claim_origin(
				    e->claims, origin, sizeof origin)));
	json_object_set_new(o, "neighbors", jaddrs(e->targets, e->ntargets));
	json_object_set_new(o, "expires_in", jexpiry(d, e->expires_ms));
	json_object_set_new(o, "comment", jstr_or_null(e->comment));
	json_t *claims = json_array();
	for (const struct rib_claim *c = e->claims; c; c = c->next) {
		json_t *j = json_object();
		char *text = rib_claim_text(e, c);
		json_object_set_new(j, "origin", jstr(rib_claim_origin(
					    c, origin, sizeof origin)));
		json_object_set_new(j, "rule", text ? jstr(text) : json_null());
		json_object_set_new(j, "neighbors",
				    jaddrs(c->targets, c->ntargets));
		json_object_set_new(j, "expires_in", jexpiry(d, c->expires_ms));
		json_object_set_new(j, "comment", jstr_or_null(c->comment));
		json_array_append_new(claims, j);
		free(text);
	}
	json_object_set_new(o, "claims", claims);
	return o;
}

/* Every claim's origin joined with ',', the winner first. */
static void origins_text(const struct rib_entry *e, char *buf, size_t len)
{
	size_t used = 0;
	buf[0] = '\0';
	for (const struct rib_claim *c = e->claims; c && used < len;
	     c = c->next) {
		char o[RIB_POLICY_NAME_MAX + 8];
		int w = snprintf(buf + used, len - used, "%s%s",
				 c == e->claims ? "" : ",",
				 rib_claim_origin(c, o, sizeof o));
		if (w < 0)
			break;
		used += (size_t)w;
	}
}

/* "all", or the targets joined with ','. */
static void targets_text(const struct addr *t, unsigned n, char *buf,
			 size_t len)
{
	if (!n) {
		snprintf(buf, len, "all");
		return;
	}
	size_t used = 0;
	buf[0] = '\0';
	for (unsigned i = 0; i < n && used < len; i++) {
		char a[ADDR_STRLEN];
		int w = snprintf(buf + used, len - used, "%s%s", i ? "," : "",
				 addr_format(&t[i], a));
		if (w < 0)
			break;
		used += (size_t)w;
	}
}

static bool exec_show_flow(const struct ctl_daemon *d,
			   const struct ctl_cmd *cmd, struct writer *body,
			   char *err, size_t errlen)
{
	if (cmd->json) {
		json_t *arr = json_array();
		for (const struct rib_entry *e = rib_next(d->rib, NULL); e;
		     e = rib_next(d->rib, e))
			json_array_append_new(arr, ctl_rule_json(d, e));
		json_t *o = json_object();
		json_object_set_new(o, "rules", arr);
		return put_json(body, o, err, errlen);
	}
	static const char *const heads[] = { "ID", "Origin", "Expires",
					     "Neighbors", "Comment", "Rule" };
	static const bool right[] = { true, false, false, false, false, false };
	struct table t = { .ncols = 6, .heads = heads, .right = right };
	for (const struct rib_entry *e = rib_next(d->rib, NULL); e;
	     e = rib_next(d->rib, e)) {
		char id[24], exp[32], nb[RIB_MAX_TARGETS * (ADDR_STRLEN + 1)];
		char origins[256];
		snprintf(id, sizeof id, "%llu", (unsigned long long)e->id);
		origins_text(e, origins, sizeof origins);
		if (e->expires_ms)
			fmt_expiry(seconds_left(d, e->expires_ms), exp,
				   sizeof exp);
		else
			snprintf(exp, sizeof exp, "never");
		targets_text(e->targets, e->ntargets, nb, sizeof nb);
		table_row(&t, id, origins, exp, nb,
			  e->comment && e->comment[0] ? e->comment : "-",
			  rib_entry_text(e));
	}
	table_print(&t, body);
	return true;
}

struct listing {
	struct writer *body;
	json_t *rules;		/* --json: the array being filled */
	bool err;
};

/* One rule: its text line, or an object of the array; with a reason
 * (a rule the peer's profile refused) "# refused (REASON): RULE", or the
 * object with its "reason". */
static bool list_entry(struct listing *l, const struct fs_rule *rule,
		       const char *reason)
{
	char *text = fs_text_string(rule);
	if (!text) {
		l->err = true;
		return false;
	}
	if (l->rules) {
		json_t *o = json_object();
		json_object_set_new(o, "rule", json_string(text));
		json_object_set_new(o, "family",
				    json_string(family_name(rule->afi)));
		if (reason)
			json_object_set_new(o, "reason", json_string(reason));
		json_array_append_new(l->rules, o);
	} else if (reason) {
		put_fmt(l->body, "# refused (%s): %s\n", reason, text);
	} else {
		put_str(l->body, text);
		put_u8(l->body, '\n');
	}
	free(text);
	return true;
}

static bool list_rule(void *arg, const struct fs_rule *rule)
{
	return list_entry(arg, rule, NULL);
}

static bool list_refused(void *arg, const struct fs_rule *rule,
			 const char *reason)
{
	return list_entry(arg, rule, reason);
}

static bool exec_rule_listing(const struct ctl_daemon *d,
			      const struct ctl_cmd *cmd, struct writer *body,
			      char *err, size_t errlen)
{
	bool received = cmd->verb == CTL_SHOW_RECEIVED;
	bool (*fn)(void *, const struct bgp_peer *, ctl_rule_fn, void *) =
		received ? d->received : d->adj_rib_out;
	if (!fn)
		return fail_msg(err, errlen, "show %s is not available in this "
			    "daemon", received ? "received" : "adj-rib-out");
	struct ctl_peer_view v;
	if (!need_peer(d, &cmd->peer, &v, err, errlen))
		return false;
	struct listing l = { .body = body,
			     .rules = cmd->json ? json_array() : NULL };
	if (!fn(d->ctx, v.peer, list_rule, &l) || l.err) {
		json_decref(l.rules);
		return fail_msg(err, errlen, "cannot list the rules of the peer");
	}
	struct listing refused = { .body = body,
				   .rules = cmd->json ? json_array() : NULL };
	if (!received && d->adj_rib_out_refused &&
	    (!d->adj_rib_out_refused(d->ctx, v.peer, list_refused, &refused) ||
	     refused.err)) {
		json_decref(l.rules);
		json_decref(refused.rules);
		return fail_msg(err, errlen, "cannot list the rules of the peer");
	}
	if (!cmd->json)
		return true;
	json_t *o = json_object();
	json_object_set_new(o, "neighbor", jaddr(&cmd->peer));
	json_object_set_new(o, "rules", l.rules);
	if (!received)
		json_object_set_new(o, "refused", refused.rules);
	else
		json_decref(refused.rules);
	return put_json(body, o, err, errlen);
}

/* ---- announce / withdraw / flush ------------------------------------- */

static bool has_addr(const struct addr *list, unsigned n, const struct addr *a)
{
	for (unsigned i = 0; i < n; i++)
		if (addr_equal(&list[i], a))
			return true;
	return false;
}

static bool check_targets(const struct ctl_daemon *d,
			  const struct ctl_cmd *cmd, char *err, size_t errlen)
{
	struct ctl_peer_view v;
	for (unsigned i = 0; i < cmd->ntargets; i++)
		if (!need_peer(d, &cmd->targets[i], &v, err, errlen))
			return false;
	return true;
}

static bool rib_failed(const struct ctl_daemon *d, enum rib_result r,
		       const struct fs_rule *rule, char *err, size_t errlen)
{
	char why[200];
	if (r == RIB_PROTECTED && rule &&
	    rib_protected(d->rib, rule, why, sizeof why))
		return fail_msg(err, errlen, "refused: %s", why);
	return fail_msg(err, errlen, "rule table: %s", rib_result_str(r));
}

/* "static, policy:x": the origins of e's claims other than api. */
static void other_origins(const struct rib_entry *e, char *buf, size_t len)
{
	size_t used = 0;
	buf[0] = '\0';
	for (const struct rib_claim *c = e->claims; c && used < len;
	     c = c->next) {
		if (c->origin == RIB_ORIGIN_API)
			continue;
		char o[RIB_POLICY_NAME_MAX + 8];
		int w = snprintf(buf + used, len - used, "%s%s",
				 used ? ", " : "",
				 rib_claim_origin(c, o, sizeof o));
		if (w < 0)
			break;
		used += (size_t)w;
	}
}

/* Commands act on the api claim (rib.h): an announce with targets adds
 * them to those of an existing targeted api claim (each neighbor keeps
 * what it was sent); a claim that already goes to every neighbor keeps
 * doing so. Actions, ttl and comment are those of the latest announce. */
static bool exec_announce(const struct ctl_daemon *d,
			  const struct ctl_cmd *cmd, struct writer *body,
			  char *err, size_t errlen)
{
	if (!check_targets(d, cmd, err, errlen))
		return false;
	const struct fs_rule *r = &cmd->rule;
	struct rib_opts opts = {
		.origin = RIB_ORIGIN_API,
		.ttl_s = cmd->ttl_s,
		.comment = cmd->has_comment ? cmd->comment : NULL,
	};
	const struct rib_entry *old =
		rib_find(d->rib, r->afi, r->match.data, r->match.len);
	const struct rib_claim *mine =
		old ? rib_claim_of(old, RIB_ORIGIN_API, NULL) : NULL;
	bool old_all = mine && mine->ntargets == 0;
	bool to_all = cmd->ntargets == 0 || old_all;
	if (!to_all) {
		if (mine)
			for (unsigned i = 0; i < mine->ntargets; i++)
				opts.targets[opts.ntargets++] = mine->targets[i];
		for (unsigned i = 0; i < cmd->ntargets; i++) {
			if (has_addr(opts.targets, opts.ntargets,
				     &cmd->targets[i]))
				continue;
			if (opts.ntargets == RIB_MAX_TARGETS)
				return fail_msg(err, errlen, "the rule would go to "
					    "more than %d neighbors: announce "
					    "it without 'neighbor'",
					    RIB_MAX_TARGETS);
			opts.targets[opts.ntargets++] = cmd->targets[i];
		}
	}
	char *was = mine ? rib_claim_text(old, mine) : NULL;
	if (mine && !was)
		return fail_msg(err, errlen, "out of memory");
	const struct rib_entry *e = NULL;
	enum rib_result res = rib_announce(d->rib, r, &opts, &e);
	bool ok = true;
	switch (res) {
	case RIB_ADDED:
	case RIB_UNCHANGED:
		put_fmt(body, "%s id %llu: %s\n", rib_result_str(res),
			(unsigned long long)e->id, rib_entry_text(e));
		break;
	case RIB_REPLACED:
		if (strcmp(was, rib_entry_text(e)) != 0)
			put_fmt(body, "replaced id %llu: %s (was: %s)\n",
				(unsigned long long)e->id, rib_entry_text(e),
				was);
		else
			put_fmt(body, "replaced id %llu: %s (options changed)\n",
				(unsigned long long)e->id, rib_entry_text(e));
		break;
	default:
		ok = rib_failed(d, res, r, err, errlen);
		break;
	}
	if (ok && cmd->ntargets && old_all)
		put_str(body, "note: the rule already goes to every neighbor "
			"and still does\n");
	if (ok && e->claims->next) {
		char others[256];
		other_origins(e, others, sizeof others);
		put_fmt(body, "note: also claimed by %s; the api claim's "
			"actions are announced\n", others);
	}
	free(was);
	return ok;
}

/* Removes the api claim on e. */
static bool withdraw_whole(const struct ctl_daemon *d,
			   const struct rib_entry *e,
			   const struct rib_claim *mine, struct writer *body,
			   char *err, size_t errlen)
{
	char *text = rib_claim_text(e, mine);
	uint64_t id = e->id;
	enum rib_result res = rib_withdraw_claim(d->rib, RIB_ORIGIN_API, NULL,
						 e->rule.afi,
						 e->rule.match.data,
						 e->rule.match.len);
	if (res != RIB_WITHDRAWN) {
		free(text);
		return rib_failed(d, res, NULL, err, errlen);
	}
	put_fmt(body, "withdrawn id %llu: %s", (unsigned long long)id,
		text ? text : "");
	free(text);
	const struct rib_entry *now = rib_find_id(d->rib, id);
	if (now) {
		char o[RIB_POLICY_NAME_MAX + 8];
		put_fmt(body, "; still announced for %s: %s",
			rib_claim_origin(now->claims, o, sizeof o),
			rib_entry_text(now));
	}
	put_u8(body, '\n');
	return true;
}

/* A withdraw of a rule without an api claim takes the rule back: every
 * claim goes (a static one comes back with the next start or reload, a
 * policy may announce it again). */
static bool withdraw_others(const struct ctl_daemon *d,
			    const struct ctl_cmd *cmd, const struct rib_entry *e,
			    struct writer *body, char *err, size_t errlen)
{
	char others[256];
	other_origins(e, others, sizeof others);
	if (cmd->ntargets)
		return fail_msg(err, errlen, "the rule has no api claim (it is "
			    "claimed by %s): withdraw it without 'neighbor'",
			    others);
	char *text = strdup(rib_entry_text(e));
	uint64_t id = e->id;
	enum rib_result res = rib_withdraw(d->rib, e->rule.afi,
					   e->rule.match.data,
					   e->rule.match.len);
	if (res != RIB_WITHDRAWN) {
		free(text);
		return rib_failed(d, res, NULL, err, errlen);
	}
	put_fmt(body, "withdrawn id %llu: %s (claims of %s)\n",
		(unsigned long long)id, text ? text : "", others);
	free(text);
	return true;
}

/* "neighbor A withdraw" of an api claim that targets A among others: the
 * claim stays for the others. */
static bool withdraw_some(const struct ctl_daemon *d,
			  const struct ctl_cmd *cmd, const struct rib_entry *e,
			  const struct rib_claim *mine, struct writer *body,
			  char *err, size_t errlen)
{
	char buf[ADDR_STRLEN];
	for (unsigned i = 0; i < cmd->ntargets; i++)
		if (!has_addr(mine->targets, mine->ntargets, &cmd->targets[i]))
			return fail_msg(err, errlen, "the rule is not sent to %s",
				    fmt_addr(&cmd->targets[i], buf));
	struct rib_opts opts = {
		.origin = RIB_ORIGIN_API,
		.expires_ms = mine->expires_ms,
	};
	for (unsigned i = 0; i < mine->ntargets; i++)
		if (!has_addr(cmd->targets, cmd->ntargets, &mine->targets[i]))
			opts.targets[opts.ntargets++] = mine->targets[i];
	if (opts.ntargets == 0)
		return withdraw_whole(d, e, mine, body, err, errlen);

	/* Re-announce the claim to the rest: copy it first, since the claim
	 * is replaced under us. */
	struct fs_rule view, copy;
	rib_claim_rule(e, mine, &view);
	char *comment = mine->comment ? strdup(mine->comment) : NULL;
	if (!fs_rule_copy(&copy, &view) || (mine->comment && !comment)) {
		fs_rule_clear(&copy);
		free(comment);
		return fail_msg(err, errlen, "out of memory");
	}
	opts.comment = comment;
	const struct rib_entry *now = NULL;
	enum rib_result res = rib_announce(d->rib, &copy, &opts, &now);
	bool ok = res == RIB_REPLACED || res == RIB_UNCHANGED ||
		  rib_failed(d, res, &copy, err, errlen);
	fs_rule_clear(&copy);
	free(comment);
	if (!ok)
		return false;
	char from[CTL_TARGETS_MAX * (ADDR_STRLEN + 1)];
	char rest[RIB_MAX_TARGETS * (ADDR_STRLEN + 1)];
	targets_text(cmd->targets, cmd->ntargets, from, sizeof from);
	targets_text(now->targets, now->ntargets, rest, sizeof rest);
	put_fmt(body, "withdrawn id %llu from %s: %s; still sent to %s\n",
		(unsigned long long)now->id, from, rib_entry_text(now), rest);
	return true;
}

static bool exec_withdraw(const struct ctl_daemon *d,
			  const struct ctl_cmd *cmd, struct writer *body,
			  char *err, size_t errlen)
{
	if (!check_targets(d, cmd, err, errlen))
		return false;
	const struct fs_rule *r = &cmd->rule;
	const struct rib_entry *e =
		rib_find(d->rib, r->afi, r->match.data, r->match.len);
	if (!e)
		return fail_msg(err, errlen, "no rule with this match");
	const struct rib_claim *mine = rib_claim_of(e, RIB_ORIGIN_API, NULL);
	if (!mine)
		return withdraw_others(d, cmd, e, body, err, errlen);
	if (cmd->ntargets == 0)
		return withdraw_whole(d, e, mine, body, err, errlen);
	if (mine->ntargets)
		return withdraw_some(d, cmd, e, mine, body, err, errlen);
	/* The claim goes to every neighbor: a targeted withdraw can take it
	 * back only when it names all of them. */
	size_t n = d->peer_count(d->ctx);
	for (size_t i = 0; i < n; i++) {
		struct ctl_peer_view v;
		if (d->peer_get(d->ctx, i, &v) &&
		    !has_addr(cmd->targets, cmd->ntargets,
			      &v.peer->cfg->address))
			return fail_msg(err, errlen, "the rule goes to every "
				    "neighbor: withdraw it without 'neighbor'");
	}
	return withdraw_whole(d, e, mine, body, err, errlen);
}

/* flush ORIGIN: "policy" alone flushes every policy's claims. */
static bool exec_flush(const struct ctl_daemon *d, const struct ctl_cmd *cmd,
		       struct writer *body, char *err, size_t errlen)
{
	enum rib_origin origin = RIB_ORIGIN_POLICY;
	const char *policy = NULL;
	if (strcmp(cmd->origin, "policy") != 0 &&
	    !rib_origin_parse(cmd->origin, &origin, &policy))
		return fail_msg(err, errlen, "unknown origin '%s' (static, api, "
			    "policy, policy:NAME)", cmd->origin);
	size_t done = rib_flush(d->rib, origin, policy);
	put_fmt(body, "flushed %zu rule%s of origin %s\n", done,
		done == 1 ? "" : "s", cmd->origin);
	return true;
}

/* ---- the rest ----------------------------------------------------------- */

static bool exec_clear(const struct ctl_daemon *d, const struct ctl_cmd *cmd,
		       struct writer *body, char *err, size_t errlen)
{
	struct ctl_peer_view v;
	if (!need_peer(d, &cmd->peer, &v, err, errlen))
		return false;
	if (!d->peer_clear(d->ctx, v.peer, cmd->soft, err, errlen))
		return false;
	char a[ADDR_STRLEN];
	put_fmt(body, "%scleared %s\n", cmd->soft ? "soft " : "",
		fmt_addr(&cmd->peer, a));
	return true;
}

static const char help_text[] =
	"[neighbor ADDR[, ADDR…]] announce flow route { match { … } then { … } } [ttl SECONDS] [comment \"…\"]\n"
	"[neighbor ADDR[, ADDR…]] withdraw flow route { match { … } }\n"
	"show neighbor [ADDR] [--json]\n"
	"show flow [--json]\n"
	"show received ADDR [--json]\n"
	"show adj-rib-out ADDR [--json]\n"
	"show collector [--json]\n"
	"show mitigations [--json]\n"
	"clear neighbor ADDR [soft]\n"
	"flush [static|api|policy|policy:NAME]\n"
	"reload\n"
	"help\n";

bool ctl_exec(const struct ctl_daemon *d, const struct ctl_cmd *cmd,
	      struct writer *body, char *err, size_t errlen)
{
	switch (cmd->verb) {
	case CTL_ANNOUNCE:
		return exec_announce(d, cmd, body, err, errlen);
	case CTL_WITHDRAW:
		return exec_withdraw(d, cmd, body, err, errlen);
	case CTL_SHOW_NEIGHBOR:
		return exec_show_neighbor(d, cmd, body, err, errlen);
	case CTL_SHOW_FLOW:
		return exec_show_flow(d, cmd, body, err, errlen);
	case CTL_SHOW_RECEIVED:
	case CTL_SHOW_ADJ_RIB_OUT:
		return exec_rule_listing(d, cmd, body, err, errlen);
	case CTL_SHOW_COLLECTOR:
		if (!d->collector)
			return fail_msg(err, errlen, "show collector is not "
				    "available in this daemon");
		return d->collector(d->ctx, cmd->json, body, err, errlen);
	case CTL_SHOW_MITIGATIONS:
		if (!d->mitigations)
			return fail_msg(err, errlen, "show mitigations is not "
				    "available in this daemon");
		return d->mitigations(d->ctx, cmd->json, body, err, errlen);
	case CTL_CLEAR_NEIGHBOR:
		return exec_clear(d, cmd, body, err, errlen);
	case CTL_FLUSH:
		return exec_flush(d, cmd, body, err, errlen);
	case CTL_RELOAD:
		if (!d->reload)
			return fail_msg(err, errlen, "reload is not available in "
				    "this daemon");
		if (!d->reload(d->ctx, err, errlen))
			return false;
		put_str(body, "reloaded\n");
		return true;
	case CTL_HELP:
		put_str(body, help_text);
		return true;
	}
	return fail_msg(err, errlen, "unknown command");
}

/* ---- one line in, one reply out ------------------------------------ */

/* Copies the body into out, indenting a line that a client would take
 * for the final one. */
static void put_body(struct writer *out, const struct writer *body)
{
	size_t start = 0;
	while (start < body->len) {
		const uint8_t *nl = memchr(body->data + start, '\n',
					   body->len - start);
		size_t end = nl ? (size_t)(nl - body->data) : body->len;
		size_t n = end - start;
		const char *line = (const char *)body->data + start;
		if ((n == 2 && memcmp(line, "ok", 2) == 0) ||
		    (n >= 6 && memcmp(line, "error:", 6) == 0))
			put_u8(out, ' ');
		put_bytes(out, line, n);
		put_u8(out, '\n');
		start = end + 1;
	}
}

/* The first line of the body, for the audit log. */
static void first_line(const struct writer *body, char *buf, size_t len)
{
	size_t n = 0;
	while (n < body->len && body->data[n] != '\n' && n + 1 < len) {
		buf[n] = (char)body->data[n];
		n++;
	}
	buf[n] = '\0';
}

bool ctl_run(const struct ctl_daemon *d, const struct ctl_cmd *cmd,
	     const char *who, struct writer *body, char *err, size_t errlen)
{
	bool ok = ctl_exec(d, cmd, body, err, errlen);
	if (body->err) {
		ok = false;
		snprintf(err, errlen, "out of memory");
		writer_reset(body);
	}
	/* One line whatever the callbacks wrote. */
	for (char *c = err; *c; c++)
		if (*c == '\n' || *c == '\r')
			*c = ' ';
	if (ok)
		err[0] = '\0';
	else if (!err[0])
		snprintf(err, errlen, "failed");

	if (d->audit && ctl_cmd_changes(cmd)) {
		struct writer canon = writer_init(0);
		ctl_cmd_format(&canon, cmd);
		put_u8(&canon, '\0');
		char result[512];
		first_line(body, result, sizeof result);
		struct ctl_audit a = {
			.client = who ? who : "unknown",
			.command = canon.err ? "?" : (const char *)canon.data,
			.ok = ok,
			.result = ok ? result : err,
		};
		d->audit(d->ctx, &a);
		writer_free(&canon);
	}
	return ok;
}

void ctl_run_line(const struct ctl_daemon *d, const char *line, size_t len,
		  const char *who, struct writer *out)
{
	struct ctl_cmd cmd;
	struct ctl_error perr;
	char err[512] = "";
	if (!ctl_parse(&cmd, line, len, &perr)) {
		put_fmt(out, "error: col %zu: %s\n", perr.col, perr.msg);
		return;
	}
	struct writer body = writer_init(0);
	bool ok = ctl_run(d, &cmd, who, &body, err, sizeof err);
	put_body(out, &body);
	if (ok)
		put_str(out, "ok\n");
	else
		put_fmt(out, "error: %s\n", err);
	writer_free(&body);
	ctl_cmd_clear(&cmd);
}
