/* `show collector [--json]`: the listeners, the drops before any exporter
 * state, and one entry per exporter with its counters.
 *
 * Text: a listener table, one "dropped:" line, an exporter table.
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
 *      "last_seen": Unix seconds}]} */
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
