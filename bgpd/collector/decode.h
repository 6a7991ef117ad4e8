/* What the four decoders share: the datagram's context (exporter, arrival
 * time, limits, where records go) and the one way out for a record. */
#ifndef BGPD_COLLECTOR_DECODE_H
#define BGPD_COLLECTOR_DECODE_H

#include <stdint.h>

#include "bgpd/collector/collector.h"
#include "bgpd/collector/exporter.h"
#include "lib/reader.h"

struct decode {
	struct exporter *e;
	int64_t now_ms;			/* arrival, collector clock */
	int64_t template_timeout_ms;
	size_t max_templates;		/* per exporter */
	struct hold_pool *hold;		/* for e->hold */
	collector_flow_fn fn;
	void *arg;
	size_t emitted;
};

/* Fills in the exporter, applies sampling (the exporter's override, else
 * rate, else 1) to bytes and packets, counts, and passes r on. */
void decode_emit(struct decode *d, struct flow_record *r, uint32_t rate);
/* Counts a fault of the exporter (and logs it at debug level). */
void decode_error(struct decode *d, enum collector_error err,
		  const char *what);

/* Each takes a whole datagram; r is consumed. */
void netflow5_decode(struct decode *d, struct reader *r);
void netflow9_decode(struct decode *d, struct reader *r);
void ipfix_decode(struct decode *d, struct reader *r);
void sflow_decode(struct decode *d, struct reader *r);

#endif
