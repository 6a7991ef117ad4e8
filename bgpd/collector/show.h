/* `show collector [--json]`: the listeners, the drops before any exporter
 * state, and one entry per exporter with its counters.
 *
 * Text: a listener table, one "dropped:" line, an exporter table (Held:
 * the data sets waiting for their template now).
 * --json (one line; keys in this order, new ones only appended):
 *   {"listeners": [{"protocol": "netflow", "address": "0.0.0.0",
 *     "port": 2055, "datagrams": N, "truncated": N, "kernel_drops": N}],
 *    "packets": N, "records": N, "not_allowed": N,
 *    "over_exporter_limit": N,
 *    "exporters": [{"address": "192.0.2.9", "packets": N, "octets": N,
 *      "records": N, "bytes": N, "flow_packets": N,
 *      "errors": {"truncated": N, "bad_version": N, …, "over_limit": N},
 *      "missing_template": N, "sequence_gaps": N, "lost": N,
 *      "reboots": N, "templates": N, "sampling_override": N | null,
 *      "last_seen": Unix seconds, "held": N, "held_decoded": N,
 *      "held_dropped": N, "late_records": N}]}
 * missing_template counts the data sets that came before their template;
 * of those, held were kept for it (bgpd/collector/hold.h), then decoded
 * when it came (held_decoded; their records, also in records:
 * late_records) or dropped (held_dropped); the rest are held now. */
#ifndef BGPD_COLLECTOR_SHOW_H
#define BGPD_COLLECTOR_SHOW_H

#include <stdbool.h>

#include "bgpd/collector/collector.h"
#include "bgpd/collector/listen.h"
#include "lib/writer.h"

/* Appends the body (lines ending in '\n') to out; net may be NULL. False
 * when out of memory. */
bool collector_show(const struct collector *c, const struct collector_net *net,
		    bool json, struct writer *out);

#endif
