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
#define PRIVILEGED_PORTS 1024		/* below: binding needs root */

struct listener {
	struct collector_net *net;
	struct collector_listen cfg;
	int fd;
	struct event *ev;
	uint64_t datagrams, truncated;
	uint32_t kernel_drops;
};

struct collector_net {
	struct event_base *base;
	struct collector *c;
	int64_t (*clock)(void);
	struct listener **ls;		/* owned, n of them */
	size_t n;
	uint32_t socket_buffer;		/* what the sockets were given */
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
				collector_proto_name(l->cfg.proto),
				l->cfg.port, strerror(errno));
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

static void listener_free(struct listener *l)
{
	if (!l)
		return;
	if (l->ev)
		event_free(l->ev);
	if (l->fd >= 0)
		close(l->fd);
	free(l);
}

/* A listener bound to lc and reading on n's loop; NULL with a reason in
 * err naming it. */
static struct listener *listener_open(struct collector_net *n,
				      const struct collector_listen *lc,
				      uint32_t rcvbuf, char *err,
				      size_t errlen)
{
	char why[128], a[ADDR_STRLEN];
	struct listener *l = calloc(1, sizeof *l);
	if (!l) {
		snprintf(err, errlen, "out of memory");
		return NULL;
	}
	*l = (struct listener){ .net = n, .cfg = *lc };
	l->fd = udp_bind(&lc->addr, lc->port, rcvbuf, why, sizeof why);
	if (l->fd < 0) {
		bool priv = errno == EACCES && lc->port < PRIVILEGED_PORTS;
		snprintf(err, errlen, "%s listener %s port %u: %s%s",
			 collector_proto_name(lc->proto),
			 addr_format(&lc->addr, a), lc->port, why,
			 priv ? " (a port below 1024 needs root, which the "
				"daemon gave up for its user: restart it)" : "");
		listener_free(l);
		return NULL;
	}
	l->ev = event_new(n->base, l->fd, EV_READ | EV_PERSIST, on_read, l);
	if (!l->ev || event_add(l->ev, NULL) < 0) {
		snprintf(err, errlen, "out of memory");
		listener_free(l);
		return NULL;
	}
	log_msg(LOG_INFO, "collector: %s on %s port %u",
		collector_proto_name(lc->proto), addr_format(&lc->addr, a),
		lc->port);
	return l;
}

struct collector_net *collector_net_new(struct event_base *base,
					struct collector *c,
					int64_t (*clock)(void), char *err,
					size_t errlen)
{
	struct collector_net *n = calloc(1, sizeof *n);
	if (!n || !(n->bufs = malloc((size_t)LISTEN_BATCH *
				     LISTEN_DATAGRAM_MAX))) {
		snprintf(err, errlen, "out of memory");
		free(n);
		return NULL;
	}
	n->base = base;
	n->c = c;
	n->clock = clock;
	for (unsigned i = 0; i < LISTEN_BATCH; i++)
		n->msgs[i] = (struct udp_msg){
			.buf = n->bufs + (size_t)i * LISTEN_DATAGRAM_MAX,
			.cap = LISTEN_DATAGRAM_MAX };
	if (!collector_net_update(n, collector_config(c), err, errlen)) {
		collector_net_free(n);
		return NULL;
	}
	return n;
}

static bool same_place(const struct collector_listen *a,
		       const struct collector_listen *b)
{
	return a->port == b->port && addr_equal(&a->addr, &b->addr);
}

bool collector_net_update(struct collector_net *n,
			  const struct collector_config *cc, char *err,
			  size_t errlen)
{
	struct listener **next = calloc(cc->n_listen + 1, sizeof *next);
	/* kept: n's listeners still wanted; fresh: next's new ones. */
	bool *kept = calloc(n->n + cc->n_listen + 1, sizeof *kept);
	bool *fresh = kept + n->n;
	if (!next || !kept) {
		snprintf(err, errlen, "out of memory");
		free(next);
		free(kept);
		return false;
	}
	/* The new ones bound first: on failure the old set runs on. */
	for (size_t i = 0; i < cc->n_listen; i++) {
		const struct collector_listen *lc = &cc->listen[i];
		for (size_t k = 0; k < n->n && !next[i]; k++)
			if (!kept[k] && same_place(&n->ls[k]->cfg, lc)) {
				kept[k] = true;
				next[i] = n->ls[k];
			}
		if (next[i])
			continue;
		next[i] = listener_open(n, lc, cc->socket_buffer, err, errlen);
		if (!next[i]) {
			for (size_t j = 0; j < i; j++)
				if (fresh[j])
					listener_free(next[j]);
			free(next);
			free(kept);
			return false;
		}
		fresh[i] = true;
	}
	char a[ADDR_STRLEN];
	for (size_t k = 0; k < n->n; k++) {
		struct listener *l = n->ls[k];
		if (kept[k])
			continue;
		log_msg(LOG_INFO, "collector: %s on %s port %u closed",
			collector_proto_name(l->cfg.proto),
			addr_format(&l->cfg.addr, a), l->cfg.port);
		listener_free(l);
	}
	for (size_t i = 0; i < cc->n_listen; i++) {
		struct listener *l = next[i];
		if (fresh[i])
			continue;
		l->cfg.proto = cc->listen[i].proto;	/* a label */
		if (cc->socket_buffer == n->socket_buffer)
			continue;
		if (!cc->socket_buffer)
			log_msg(LOG_INFO, "collector: %s on %s port %u: "
				"socket_buffer 0 (the system's) applies to "
				"a new socket: this one keeps its size",
				collector_proto_name(l->cfg.proto),
				addr_format(&l->cfg.addr, a), l->cfg.port);
		else if (!udp_set_rcvbuf(l->fd, cc->socket_buffer))
			log_msg(LOG_WARN, "collector: %s on %s port %u: "
				"socket_buffer %u: %s",
				collector_proto_name(l->cfg.proto),
				addr_format(&l->cfg.addr, a), l->cfg.port,
				cc->socket_buffer, strerror(errno));
	}
	free(n->ls);
	free(kept);
	n->ls = next;
	n->n = cc->n_listen;
	n->socket_buffer = cc->socket_buffer;
	return true;
}

void collector_net_free(struct collector_net *n)
{
	if (!n)
		return;
	for (size_t i = 0; i < n->n; i++)
		listener_free(n->ls[i]);
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
	const struct listener *l = n->ls[i];
	*out = (struct listener_stats){ .cfg = &l->cfg,
					.datagrams = l->datagrams,
					.truncated = l->truncated,
					.kernel_drops = l->kernel_drops };
}
