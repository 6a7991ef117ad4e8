/* NetFlow v9 / IPFIX data sets held until their template arrives.
 *
 * DESIGN: after a collector restart (or a lost template) an exporter
 * resends its templates only every so many packets or minutes (softflowd:
 * every other datagram; routers: every 1-30 minutes), and the data in
 * between would be lost to detection. So a data
 * set whose template is unknown is copied here with what its datagram's
 * header said (export time, sysUpTime, the domain's clock offset then) and
 * decoded by netflow9.c when the template for (domain, template id)
 * arrives, with its own datagram's times: the records are the ones an
 * on-time decode would have given, only later, so the policy engine files
 * them by their own times (its watermark counts those too old as late).
 * Bounded in octets per exporter and over all exporters (the oldest of
 * the exporter's held sets make room first) and in age; every set held is
 * in the end decoded or dropped, and counted as such (exporter_stats). */
#ifndef BGPD_COLLECTOR_HOLD_H
#define BGPD_COLLECTOR_HOLD_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* What a held set is charged beyond its octets (its header here). */
#define HOLD_SET_OVERHEAD 64

/* One data set (its body: the records and padding after the set header)
 * with the context of the datagram it came in. */
struct held_set {
	struct held_set *next;
	int64_t arrival_ms;		/* collector clock */
	int64_t hdr_ms;			/* export time, exporter clock */
	int64_t offset_ms;		/* the domain's clock offset then */
	uint32_t uptime;		/* v9 sysUpTime of the datagram */
	uint16_t template_id;
	uint16_t len;			/* of data */
	uint8_t domain;			/* index in the exporter's domains */
	uint8_t data[];
};

/* An exporter's held sets, oldest first. */
struct hold {
	struct held_set *head, *tail;	/* owned */
	size_t count;
	size_t octets;			/* charged: len + overhead each */
};

/* The limits, and what all exporters hold together. */
struct hold_pool {
	size_t exporter_max;		/* octets per exporter; 0: hold none */
	size_t total_max;		/* octets over all exporters */
	int64_t age_ms;			/* a set held longer is dropped */
	size_t total;			/* held now */
};

/* A set for len octets (fields other than len and next are the
 * caller's); NULL when out of memory. Freed with free(). */
struct held_set *held_set_new(size_t len);

/* Appends s (taking it) to h, first dropping h's oldest sets while h or
 * the pool would be over its limit; s itself is dropped when it cannot
 * fit even so. Returns the number of sets dropped (s included). */
size_t hold_put(struct hold *h, struct hold_pool *p, struct held_set *s);
/* Drops the sets at the front of h that arrived before before_ms;
 * returns how many. */
size_t hold_expire(struct hold *h, struct hold_pool *p, int64_t before_ms);
/* Drops the sets of h for domain and template_id (any id when any_id);
 * returns how many. */
size_t hold_drop(struct hold *h, struct hold_pool *p, uint8_t domain,
		 uint16_t template_id, bool any_id);
/* Takes every set of h that ready() says can be decoded now, returned as
 * a list (next-linked) in arrival order; the caller frees each. */
struct held_set *hold_take(struct hold *h, struct hold_pool *p,
			   bool (*ready)(void *arg, const struct held_set *s),
			   void *arg);
/* Drops every set of h (the exporter goes away). */
void hold_clear(struct hold *h, struct hold_pool *p);

#endif
