/* show collector: see show.h. */
#include "bgpd/collector/show.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

static uint64_t error_total(const struct exporter_stats *s)
{
	uint64_t n = 0;
	for (unsigned i = 0; i < CERR__COUNT; i++)
		n += s->errors[i];
	return n;
}

static void show_text(const struct collector *c,
		      const struct collector_net *net, struct writer *w)
{
	char a[ADDR_STRLEN];
	put_fmt(w, "%-8s %-39s %5s %12s %9s %12s\n", "Listener", "Address",
		"Port", "Datagrams", "Truncated", "Kernel-drops");
	for (size_t i = 0; i < collector_net_count(net); i++) {
		struct listener_stats st;
		collector_net_stats(net, i, &st);
		put_fmt(w, "%-8s %-39s %5u %12" PRIu64 " %9" PRIu64 " %12u\n",
			collector_proto_name(st.cfg->proto),
			addr_format(&st.cfg->addr, a), st.cfg->port,
			st.datagrams, st.truncated, st.kernel_drops);
	}
	struct collector_totals t;
	collector_get_totals(c, &t);
	put_fmt(w, "dropped: %" PRIu64 " not allowed, %" PRIu64 " over "
		"max_exporters\n", t.not_allowed, t.over_exporter_limit);
	put_fmt(w, "%-39s %10s %10s %14s %7s %11s %8s %8s %9s %6s\n",
		"Exporter", "Packets", "Records", "Bytes", "Errors",
		"No-template", "Seq-gaps", "Lost", "Templates", "Held");
	for (size_t i = 0; i < collector_exporter_count(c); i++) {
		const struct exporter *e = collector_exporter_at(c, i);
		const struct exporter_stats *s = &e->stats;
		put_fmt(w, "%-39s %10" PRIu64 " %10" PRIu64 " %14" PRIu64
			" %7" PRIu64 " %11" PRIu64 " %8" PRIu64 " %8" PRIu64
			" %9zu %6zu\n", addr_format(&e->addr, a), s->packets,
			s->records, s->bytes, error_total(s),
			s->missing_template, s->sequence_gaps, s->lost,
			e->ntemplates, e->hold.count);
	}
}

static json_t *jcount(uint64_t v)
{
	return json_integer((json_int_t)(v > INT64_MAX ? INT64_MAX : v));
}

static json_t *exporter_json(const struct exporter *e)
{
	const struct exporter_stats *s = &e->stats;
	char a[ADDR_STRLEN];
	json_t *o = json_object(), *errs = json_object();
	json_object_set_new(o, "address", json_string(addr_format(&e->addr, a)));
	json_object_set_new(o, "packets", jcount(s->packets));
	json_object_set_new(o, "octets", jcount(s->octets));
	json_object_set_new(o, "records", jcount(s->records));
	json_object_set_new(o, "bytes", jcount(s->bytes));
	json_object_set_new(o, "flow_packets", jcount(s->flow_packets));
	for (unsigned i = 0; i < CERR__COUNT; i++)
		json_object_set_new(errs, collector_error_name(i),
				    jcount(s->errors[i]));
	json_object_set_new(o, "errors", errs);
	json_object_set_new(o, "missing_template", jcount(s->missing_template));
	json_object_set_new(o, "sequence_gaps", jcount(s->sequence_gaps));
	json_object_set_new(o, "lost", jcount(s->lost));
	json_object_set_new(o, "reboots", jcount(s->reboots));
	json_object_set_new(o, "templates", jcount(e->ntemplates));
	json_object_set_new(o, "sampling_override",
			    e->sampling_override
				    ? jcount(e->sampling_override)
				    : json_null());
	json_object_set_new(o, "last_seen", jcount((uint64_t)(
				    s->last_ms > 0 ? s->last_ms / 1000 : 0)));
	json_object_set_new(o, "held", jcount(s->held));
	json_object_set_new(o, "held_decoded", jcount(s->held_decoded));
	json_object_set_new(o, "held_dropped", jcount(s->held_dropped));
	json_object_set_new(o, "late_records", jcount(s->late_records));
	return o;
}

static json_t *show_json(const struct collector *c,
			 const struct collector_net *net)
{
	char a[ADDR_STRLEN];
	json_t *root = json_object(), *ls = json_array(), *ex = json_array();
	for (size_t i = 0; i < collector_net_count(net); i++) {
		struct listener_stats st;
		collector_net_stats(net, i, &st);
		json_t *l = json_object();
		json_object_set_new(l, "protocol", json_string(
				    collector_proto_name(st.cfg->proto)));
		json_object_set_new(l, "address", json_string(
				    addr_format(&st.cfg->addr, a)));
		json_object_set_new(l, "port", json_integer(st.cfg->port));
		json_object_set_new(l, "datagrams", jcount(st.datagrams));
		json_object_set_new(l, "truncated", jcount(st.truncated));
		json_object_set_new(l, "kernel_drops", jcount(st.kernel_drops));
		json_array_append_new(ls, l);
	}
	struct collector_totals t;
	collector_get_totals(c, &t);
	json_object_set_new(root, "listeners", ls);
	json_object_set_new(root, "packets", jcount(t.packets));
	json_object_set_new(root, "records", jcount(t.records));
	json_object_set_new(root, "not_allowed", jcount(t.not_allowed));
	json_object_set_new(root, "over_exporter_limit",
			    jcount(t.over_exporter_limit));
	for (size_t i = 0; i < collector_exporter_count(c); i++)
		json_array_append_new(ex,
				      exporter_json(collector_exporter_at(c, i)));
	json_object_set_new(root, "exporters", ex);
	return root;
}

bool collector_show(const struct collector *c, const struct collector_net *net,
		    bool json, struct writer *out)
{
	if (!json) {
		show_text(c, net, out);
		return !out->err;
	}
	json_t *root = show_json(c, net);
	char *s = root ? json_dumps(root, JSON_COMPACT | JSON_PRESERVE_ORDER)
		       : NULL;
	json_decref(root);
	if (!s)
		return false;
	put_bytes(out, s, strlen(s));
	put_u8(out, '\n');
	free(s);
	return !out->err;
}
