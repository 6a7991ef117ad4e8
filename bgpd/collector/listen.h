/* The collector's UDP listeners on the daemon's libevent loop: one socket
 * per configured address, read in batches (lib/udp) with a cap per
 * callback so BGP sessions keep their turn, each datagram handed to
 * collector_input with the wall-clock arrival time. */
#ifndef BGPD_COLLECTOR_LISTEN_H
#define BGPD_COLLECTOR_LISTEN_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "bgpd/collector/collector.h"

struct event_base;
struct collector_net;

struct listener_stats {
	const struct collector_listen *cfg;	/* valid until an update */
	uint64_t datagrams;
	uint64_t truncated;		/* longer than the receive buffer */
	uint32_t kernel_drops;		/* socket buffer overflows */
};

/* Binds every listener of c's config. NULL with a one-line reason in err
 * (naming the listener). clock gives Unix ms. c must outlive the net. */
struct collector_net *collector_net_new(struct event_base *base,
					struct collector *c,
					int64_t (*clock)(void), char *err,
					size_t errlen);
/* Makes n's listeners cc's (reload): one at an address and port n has
 * keeps its socket (its queue, its counters; a new socket_buffer is set
 * on it), a new one is bound, then the ones cc does not name are closed.
 * False with a one-line reason in err (naming the listener) when one
 * cannot be bound or out of memory: n is left as it was. */
bool collector_net_update(struct collector_net *n,
			  const struct collector_config *cc, char *err,
			  size_t errlen);
void collector_net_free(struct collector_net *n);	/* NULL-safe */
size_t collector_net_count(const struct collector_net *n);
void collector_net_stats(const struct collector_net *n, size_t i,
			 struct listener_stats *out);

#endif
