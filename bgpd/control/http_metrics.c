/* GET /metrics: the daemon's counters in the Prometheus text exposition
 * format 0.0.4 (one "# HELP" and "# TYPE" line per metric family, then
 * its samples). The collector and the policy engine append their own
 * families through the hooks. No I/O here. */
#include "bgpd/control/http.h"

#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include "bgpd/control/ctl.h"
#include "bgpd/rib/rib.h"

#define ORIGINS_MAX 64		/* distinct origins counted by name */

void http_metric_family(struct writer *w, const char *name,
			const char *type, const char *help)
{
	put_fmt(w, "# HELP %s %s\n# TYPE %s %s\n", name, help, name, type);
}

/* A label value: '\', '"' and newline escaped. */
static void put_label(struct writer *w, const char *s)
{
	for (; *s; s++) {
		if (*s == '\n') {
			put_bytes(w, "\\n", 2);
			continue;
		}
		if (*s == '\\' || *s == '"')
			put_u8(w, '\\');
		put_u8(w, (uint8_t)*s);
	}
}

void http_metric_sample(struct writer *w, const char *name, const char *label,
			const char *value_of_label, uint64_t value)
{
	put_str(w, name);
	if (label) {
		put_fmt(w, "{%s=\"", label);
		put_label(w, value_of_label);
		put_str(w, "\"}");
	}
	put_fmt(w, " %" PRIu64 "\n", value);
}

/* ---- per neighbor ----------------------------------------------------- */

enum peer_value {
	PV_UP, PV_ESTABLISHED, PV_MSGS_IN, PV_MSGS_OUT, PV_UPD_IN, PV_UPD_OUT,
	PV_UPD_INVALID, PV_RULES_SENT, PV_RULES_RECEIVED,
};

static const struct {
	const char *name, *type, *help;
} peer_families[] = {
	[PV_UP] = { "flowspecd_bgp_session_up", "gauge",
		    "1 when the BGP session is Established, else 0." },
	[PV_ESTABLISHED] = { "flowspecd_bgp_established_total", "counter",
			     "Times the session reached Established." },
	[PV_MSGS_IN] = { "flowspecd_bgp_messages_received_total", "counter",
			 "BGP messages received from the neighbor." },
	[PV_MSGS_OUT] = { "flowspecd_bgp_messages_sent_total", "counter",
			  "BGP messages sent to the neighbor." },
	[PV_UPD_IN] = { "flowspecd_bgp_updates_received_total", "counter",
			"UPDATE messages received from the neighbor." },
	[PV_UPD_OUT] = { "flowspecd_bgp_updates_sent_total", "counter",
			 "UPDATE messages sent to the neighbor." },
	[PV_UPD_INVALID] = { "flowspecd_bgp_updates_invalid_total", "counter",
			     "Received UPDATEs that were malformed "
			     "(RFC 7606 treat-as-withdraw or discarded)." },
	[PV_RULES_SENT] = { "flowspecd_bgp_rules_sent", "gauge",
			    "Rules in the neighbor's adj-rib-out now." },
	[PV_RULES_RECEIVED] = { "flowspecd_bgp_rules_received", "gauge",
				"Rules the neighbor sent us, held now." },
};

static uint64_t peer_value(const struct ctl_peer_view *v, enum peer_value pv)
{
	const struct bgp_peer *p = v->peer;
	switch (pv) {
	case PV_UP: return p->state == BGP_ESTABLISHED;
	case PV_ESTABLISHED: return p->established_count;
	case PV_MSGS_IN: return p->msgs_in;
	case PV_MSGS_OUT: return p->msgs_out;
	case PV_UPD_IN: return p->updates_in;
	case PV_UPD_OUT: return p->updates_out;
	case PV_UPD_INVALID: return p->updates_invalid;
	case PV_RULES_SENT: return v->rules_sent;
	case PV_RULES_RECEIVED: return v->rules_received;
	}
	return 0;
}

static void peer_metrics(struct writer *w, const struct ctl_daemon *d)
{
	size_t n = d->peer_count(d->ctx);
	for (size_t f = 0; f < sizeof peer_families / sizeof peer_families[0];
	     f++) {
		http_metric_family(w, peer_families[f].name, peer_families[f].type,
		       peer_families[f].help);
		for (size_t i = 0; i < n; i++) {
			struct ctl_peer_view v;
			char a[ADDR_STRLEN];
			if (d->peer_get(d->ctx, i, &v))
				put_fmt(w, "%s{neighbor=\"%s\"} %llu\n",
				    peer_families[f].name,
				    addr_format(&v.peer->cfg->address, a),
				    (unsigned long long)peer_value(&v, f));
		}
	}
	http_metric_family(w, "flowspecd_bgp_session_state", "gauge",
	       "The session's RFC 4271 state: 1 for the current one.");
	for (size_t i = 0; i < n; i++) {
		struct ctl_peer_view v;
		char a[ADDR_STRLEN];
		if (!d->peer_get(d->ctx, i, &v))
			continue;
		addr_format(&v.peer->cfg->address, a);
		for (int st = BGP_IDLE; st <= BGP_ESTABLISHED; st++)
			put_fmt(w, "flowspecd_bgp_session_state{neighbor=\"%s\","
			    "state=\"%s\"} %d\n", a, bgp_state_name(st),
			    v.peer->state == (enum bgp_state)st);
	}
}

/* ---- rules per origin ------------------------------------------------ */

static void rule_metrics(struct writer *w, const struct ctl_daemon *d)
{
	struct origin_count {
		const char *name;
		size_t n;
	} origins[ORIGINS_MAX] = {
		{ rib_origin_name(RIB_ORIGIN_STATIC), 0 },
		{ rib_origin_name(RIB_ORIGIN_API), 0 },
	};
	size_t norigins = 2;
	for (const struct rib_entry *e = rib_next(d->rib, NULL); e;
	     e = rib_next(d->rib, e)) {
		const char *name = rib_origin_name(e->origin);
		size_t i = 0;
		while (i < norigins && strcmp(origins[i].name, name) != 0)
			i++;
		if (i == norigins && norigins < ORIGINS_MAX)
			origins[norigins++] = (struct origin_count){ name, 0 };
		if (i < norigins)
			origins[i].n++;
	}
	http_metric_family(w, "flowspecd_rules", "gauge",
	       "Rules in the rule table, by origin.");
	for (size_t i = 0; i < norigins; i++) {
		put_bytes(w, "flowspecd_rules{origin=\"", 24);
		put_label(w, origins[i].name);
		put_fmt(w, "\"} %zu\n", origins[i].n);
	}
}

void http_metrics(struct writer *w, const struct ctl_daemon *d,
		  const struct http_server *s, const struct http_hooks *hooks)
{
	peer_metrics(w, d);
	rule_metrics(w, d);
	http_metric_family(w, "flowspecd_http_requests_total", "counter",
	       "HTTP API requests answered, by status code.");
	for (int code = 100; code < 600; code++) {
		uint64_t n = http_server_count(s, code);
		if (n)
			put_fmt(w, "flowspecd_http_requests_total{code=\"%d\"} "
			    "%llu\n", code, (unsigned long long)n);
	}
	if (hooks && hooks->collector_metrics)
		hooks->collector_metrics(hooks->ctx, w);
	if (hooks && hooks->policy_metrics)
		hooks->policy_metrics(hooks->ctx, w);
}
