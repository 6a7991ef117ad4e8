/* The flow collector's decoding core, with no I/O: export datagrams in
 * (NetFlow v5, NetFlow v9, IPFIX, sFlow v5, told apart by their version
 * field), normalized flow records out through one callback. Keeps the
 * per-exporter state (exporter.h) within the configured limits and
 * drops datagrams from exporters the allow-list does not name. The live
 * listeners (listen.h) and `flowspecd replay` (replay.h) both feed it. */
#ifndef BGPD_COLLECTOR_COLLECTOR_H
#define BGPD_COLLECTOR_COLLECTOR_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "bgpd/collector/config.h"
#include "bgpd/collector/exporter.h"
#include "bgpd/collector/flow.h"
#include "lib/addr.h"

/* Gets every decoded record; r is valid during the call only. */
typedef void (*collector_flow_fn)(void *arg, const struct flow_record *r);

struct collector;

/* Counters over all exporters and those that never got one. */
struct collector_totals {
	uint64_t packets;		/* datagrams given to collector_input */
	uint64_t records;
	uint64_t not_allowed;		/* from outside the allow-list */
	uint64_t over_exporter_limit;	/* from a new exporter past max */
};

/* A collector with cc's settings; it takes cc's contents (cc is left
 * initialised). NULL when out of memory. */
struct collector *collector_new(struct collector_config *cc);
void collector_free(struct collector *c);	/* NULL-safe */
const struct collector_config *collector_config(const struct collector *c);
/* Where records go (NULL: nowhere, they are only counted). */
void collector_set_sink(struct collector *c, collector_flow_fn fn, void *arg);

/* What collector_reconfigure did with the exporters it had. */
struct collector_reconfigured {
	size_t kept, dropped;
};

/* Takes cc's settings (its contents, as collector_new) in place of c's:
 * an exporter the new allow-list still covers keeps its state (templates,
 * sequence, clock offset, counters) and gets the new sampling override;
 * the others (and those past a lower max_exporters, the latest first)
 * are dropped, their datagrams counted as not allowed from then on.
 * Templates over a lower max_templates stay until they expire or are
 * replaced; the new template timeout applies from the next datagram.
 * False when out of memory: c and cc unchanged. */
bool collector_reconfigure(struct collector *c, struct collector_config *cc,
			   struct collector_reconfigured *out);

/* Decodes one datagram that came from `from` at arrival_ms (Unix ms on
 * the collector's clock). Returns the number of flow records passed on;
 * faults are counted on the exporter, never fatal. */
size_t collector_input(struct collector *c, const struct addr *from,
		       const uint8_t *data, size_t len, int64_t arrival_ms);

void collector_get_totals(const struct collector *c,
			  struct collector_totals *t);
/* The exporters seen, in the order they were first seen. */
size_t collector_exporter_count(const struct collector *c);
const struct exporter *collector_exporter_at(const struct collector *c,
					     size_t i);

#endif
