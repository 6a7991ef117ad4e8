/* UDP listeners: see listen.h. */
#include "bgpd/collector/listen.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <event2/event.h>

#include "lib/log.h"
#include "lib/udp.h"

#define LISTEN_BATCH 64			/* datagrams per recvmmsg */
#define LISTEN_BATCHES_PER_CALLBACK 8	/* then back to the loop */
#define LISTEN_DATAGRAM_MAX 65535	/* the largest UDP payload */

struct listener {
	struct collector_net *net;
	const struct collector_listen *cfg;
	int fd;
	struct event *ev;
	uint64_t datagrams, truncated;
	uint32_t kernel_drops;
};

struct collector_net {
	struct collector *c;
	int64_t (*clock)(void);
	struct listener *ls;
	size_t n;
	uint8_t *bufs;			/* LISTEN_BATCH x DATAGRAM_MAX */
	struct udp_msg msgs[LISTEN_BATCH];
};

static void on_read(evutil_socket_t fd, short what, void *arg)
{
	(void)what;
	struct listener *l = arg;
	struct collector_net *n = l->net;
	for (unsigned b = 0; b < LISTEN_BATCHES_PER_CALLBACK; b++) {
		int got = udp_recv_batch(fd, n->msgs, LISTEN_BATCH,
					 &l->kernel_drops);
		if (got < 0) {
			log_msg(LOG_WARN, "collector %s port %u: receive: %s",
				collector_proto_name(l->cfg->proto),
				l->cfg->port, strerror(errno));
			return;
		}
		int64_t now = n->clock();
		for (int i = 0; i < got; i++) {
			const struct udp_msg *m = &n->msgs[i];
			l->datagrams++;
			if (m->truncated) {
				l->truncated++;
				continue;
			}
			collector_input(n->c, &m->from, m->buf, m->len, now);
		}
		if (got < LISTEN_BATCH)
			return;
	}
}

struct collector_net *collector_net_new(struct event_base *base,
					struct collector *c,
					int64_t (*clock)(void), char *err,
					size_t errlen)
{
	const struct collector_config *cc = collector_config(c);
	struct collector_net *n = calloc(1, sizeof *n);
	if (!n || !(n->ls = calloc(cc->n_listen + 1, sizeof *n->ls)) ||
	    !(n->bufs = malloc((size_t)LISTEN_BATCH * LISTEN_DATAGRAM_MAX))) {
		snprintf(err, errlen, "out of memory");
		collector_net_free(n);
		return NULL;
	}
	n->c = c;
	n->clock = clock;
	for (unsigned i = 0; i < LISTEN_BATCH; i++)
		n->msgs[i] = (struct udp_msg){
			.buf = n->bufs + (size_t)i * LISTEN_DATAGRAM_MAX,
			.cap = LISTEN_DATAGRAM_MAX };
	for (size_t i = 0; i < cc->n_listen; i++) {
		const struct collector_listen *lc = &cc->listen[i];
		struct listener *l = &n->ls[n->n];
		char why[128], a[ADDR_STRLEN];
		*l = (struct listener){ .net = n, .cfg = lc, .fd = -1 };
		l->fd = udp_bind(&lc->addr, lc->port, cc->socket_buffer, why,
				 sizeof why);
		if (l->fd < 0) {
			snprintf(err, errlen, "%s listener %s port %u: %s",
				 collector_proto_name(lc->proto),
				 addr_format(&lc->addr, a), lc->port, why);
			collector_net_free(n);
			return NULL;
		}
		n->n++;
		l->ev = event_new(base, l->fd, EV_READ | EV_PERSIST, on_read, l);
		if (!l->ev || event_add(l->ev, NULL) < 0) {
			snprintf(err, errlen, "out of memory");
			collector_net_free(n);
			return NULL;
		}
		log_msg(LOG_INFO, "collector: %s on %s port %u",
			collector_proto_name(lc->proto),
			addr_format(&lc->addr, a), lc->port);
	}
	return n;
}

void collector_net_free(struct collector_net *n)
{
	if (!n)
		return;
	for (size_t i = 0; i < n->n; i++) {
		if (n->ls[i].ev)
			event_free(n->ls[i].ev);
		close(n->ls[i].fd);
	}
	free(n->ls);
	free(n->bufs);
	free(n);
}

size_t collector_net_count(const struct collector_net *n)
{
	return n ? n->n : 0;
}

void collector_net_stats(const struct collector_net *n, size_t i,
			 struct listener_stats *out)
{
	const struct listener *l = &n->ls[i];
	*out = (struct listener_stats){ .cfg = l->cfg,
					.datagrams = l->datagrams,
					.truncated = l->truncated,
					.kernel_drops = l->kernel_drops };
}
