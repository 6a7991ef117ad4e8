/* Sessions on libevent: see session.h. The callbacks only turn I/O and
 * timers into FSM events (STYLE item 4). A connection is never freed
 * inside an FSM call: closing detaches it and its memory goes from the
 * event loop once the last messages are flushed, so a message the FSM is
 * reading stays valid. Work per callback is capped (messages read, the
 * adj-rib-out's batch) so that one busy peer does not starve the others. */
#include "bgpd/bgp/session.h"

#include <errno.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <event2/buffer.h>
#include <event2/bufferevent.h>
#include <event2/event.h>
#include <event2/listener.h>
#include <event2/util.h>

#include "bgpd/bgp/msg.h"
#include "bgpd/bgp/notify.h"
#include "bgpd/bgp/open.h"
#include "lib/log.h"
#include "lib/reader.h"
#include "lib/sock.h"

struct conn {
	struct session *s;
	struct session_peer *sp;	/* NULL once closing */
	struct bufferevent *bev;
	struct event *close_ev;		/* frees a closing connection */
	bool connecting;		/* our connect() has not completed */
	struct conn *prev, *next;	/* every connection of the session */
};

struct peer_timer {
	struct session_peer *sp;
	enum bgp_timer t;
	struct event *ev;
};

struct session_peer {
	struct session *s;
	struct bgp_peer_config cfg;
	struct bgp_peer bgp;
	struct conn *conn;		/* the one the FSM knows */
	struct conn *collide;		/* a second one, until its OPEN */
	struct peer_timer timers[BGP_TIMER_COUNT];
	struct event *pump;		/* adj-rib-out work, activated by hand */
	struct event *failed;		/* a connect() that failed at once */
	struct adjout *adjout;
	struct rib *received;
	struct writer out;		/* adjout_write's buffer, reused */
	bool max_received_hit;		/* set in the update hook */
};

struct session {
	struct event_base *base;
	struct rib *rib;
	const struct bgp_local *local;
	int64_t (*now_ms)(void);
	struct bgp_io io;
	struct session_peer **peers;
	size_t npeers;
	struct evconnlistener **listeners;
	size_t nlisteners;
	struct conn *conns;
	size_t nconns;
	bool shutting_down;
	void (*done)(void *ctx);
	void *done_ctx;
	struct event *shutdown_ev;	/* done() after the flush time */
};

static void after_fsm(struct session_peer *sp);
static void conn_read(struct bufferevent *bev, void *ctx);
static void conn_write(struct bufferevent *bev, void *ctx);
static void conn_event(struct bufferevent *bev, short what, void *ctx);

/* ---- connections ---- */

static void shutdown_done(struct session *s)
{
	void (*done)(void *) = s->done;
	s->done = NULL;
	if (done)
		done(s->done_ctx);
}

static void conn_free(struct conn *c)
{
	struct session *s = c->s;
	if (c->prev)
		c->prev->next = c->next;
	else
		s->conns = c->next;
	if (c->next)
		c->next->prev = c->prev;
	event_free(c->close_ev);
	bufferevent_free(c->bev);
	free(c);
	if (--s->nconns == 0 && s->shutting_down)
		shutdown_done(s);
}

static void closing_check(evutil_socket_t fd, short what, void *ctx)
{
	(void)fd;
	(void)what;
	struct conn *c = ctx;
	if (c->connecting ||
	    !evbuffer_get_length(bufferevent_get_output(c->bev)))
		conn_free(c);
}

static void closing_write(struct bufferevent *bev, void *ctx)
{
	(void)bev;
	conn_free(ctx);
}

static void closing_event(struct bufferevent *bev, short what, void *ctx)
{
	(void)bev;
	(void)what;
	conn_free(ctx);
}

/* Detaches c from its peer (the caller clears the peer's pointer) and
 * frees it from the event loop once its output is flushed, or after
 * SESSION_FLUSH_S. */
static void conn_close(struct conn *c)
{
	c->sp = NULL;
	bufferevent_disable(c->bev, EV_READ);
	bufferevent_setcb(c->bev, NULL, closing_write, closing_event, c);
	bufferevent_setwatermark(c->bev, EV_WRITE, 0, 0);
	struct timeval tv = { SESSION_FLUSH_S, 0 };
	bufferevent_set_timeouts(c->bev, NULL, &tv);
	event_active(c->close_ev, EV_TIMEOUT, 0);
}

/* A connection on fd (which it owns from now on) for sp; NULL with fd
 * closed on failure. */
static struct conn *conn_new(struct session *s, struct session_peer *sp,
			     evutil_socket_t fd, bool connecting)
{
	struct conn *c = calloc(1, sizeof *c);
	if (c) {
		c->bev = bufferevent_socket_new(
			s->base, fd,
			BEV_OPT_CLOSE_ON_FREE | BEV_OPT_DEFER_CALLBACKS);
		c->close_ev = event_new(s->base, -1, 0, closing_check, c);
	}
	if (!c || !c->bev || !c->close_ev) {
		log_msg(LOG_ERROR, "%s: out of memory for a connection",
			sp->bgp.name);
		if (c && c->bev)
			bufferevent_free(c->bev);
		else
			evutil_closesocket(fd);
		if (c && c->close_ev)
			event_free(c->close_ev);
		free(c);
		return NULL;
	}
	c->s = s;
	c->sp = sp;
	c->connecting = connecting;
	c->next = s->conns;
	if (s->conns)
		s->conns->prev = c;
	s->conns = c;
	s->nconns++;
	bufferevent_setcb(c->bev, conn_read, conn_write, conn_event, c);
	bufferevent_setwatermark(c->bev, EV_READ, 0, SESSION_READ_MAX);
	bufferevent_setwatermark(c->bev, EV_WRITE, SESSION_OUT_LOW, 0);
	bufferevent_enable(c->bev, EV_READ | EV_WRITE);
	return c;
}

static void conn_send(struct conn *c, struct writer *w)
{
	if (!w->err && w->len)
		bufferevent_write(c->bev, w->data, w->len);
	writer_free(w);
}

/* ---- socket options ---- */

/* TCP-MD5 and GTSM as the neighbor asks; false (logged) on failure. */
static bool socket_secure(const struct session_peer *sp, evutil_socket_t fd)
{
	const struct bgp_peer_config *cfg = &sp->cfg;
	if (cfg->md5_password[0] &&
	    !sock_set_md5(fd, &cfg->address, cfg->md5_password)) {
		log_msg(LOG_ERROR, "%s: TCP-MD5: %s", sp->bgp.name,
			strerror(errno));
		return false;
	}
	if (cfg->ttl_security && (!sock_gtsm_send(fd, cfg->address.family) ||
				  !sock_gtsm_check(fd, cfg->address.family))) {
		log_msg(LOG_ERROR, "%s: GTSM: %s", sp->bgp.name,
			strerror(errno));
		return false;
	}
	return true;
}

/* A non-blocking socket bound to local_address when one is set, or -1
 * (logged). */
static evutil_socket_t connect_socket(const struct session_peer *sp)
{
	const struct bgp_peer_config *cfg = &sp->cfg;
	int family = cfg->address.family == ADDR_V6 ? AF_INET6 : AF_INET;
	evutil_socket_t fd = socket(family, SOCK_STREAM, 0);
	if (fd < 0 || evutil_make_socket_nonblocking(fd) < 0) {
		log_msg(LOG_ERROR, "%s: socket: %s", sp->bgp.name,
			strerror(errno));
	} else if (socket_secure(sp, fd)) {
		if (cfg->local_address.family == ADDR_NONE)
			return fd;
		struct sockaddr_storage ss;
		socklen_t len = sock_addr_to(&cfg->local_address, 0, &ss);
		if (bind(fd, (struct sockaddr *)&ss, len) == 0)
			return fd;
		char buf[ADDR_STRLEN];
		log_msg(LOG_ERROR, "%s: cannot bind to local address %s: %s",
			sp->bgp.name, addr_format(&cfg->local_address, buf),
			strerror(errno));
	}
	if (fd >= 0)
		evutil_closesocket(fd);
	return -1;
}

/* ---- the FSM's hooks (struct bgp_io) ---- */

static void io_connect(struct bgp_peer *p)
{
	struct session_peer *sp = p->io_ctx;
	if (sp->conn) {
		conn_close(sp->conn);
		sp->conn = NULL;
	}
	struct sockaddr_storage ss;
	socklen_t len = sock_addr_to(&sp->cfg.address, sp->cfg.port, &ss);
	evutil_socket_t fd = connect_socket(sp);
	struct conn *c = fd >= 0 ? conn_new(sp->s, sp, fd, true) : NULL;
	if (c && bufferevent_socket_connect(c->bev, (struct sockaddr *)&ss,
					    (int)len) < 0) {
		log_peer(LOG_WARN, p->name, "connect: %s", strerror(errno));
		conn_close(c);
		c = NULL;
	}
	sp->conn = c;
	/* TcpConnectionFails, from the event loop: not from inside the FSM. */
	if (!c)
		event_active(sp->failed, EV_TIMEOUT, 0);
}

static void io_disconnect(struct bgp_peer *p)
{
	struct session_peer *sp = p->io_ctx;
	if (sp->conn) {
		conn_close(sp->conn);
		sp->conn = NULL;
	}
}

static void io_send(struct bgp_peer *p, const uint8_t *msg, size_t len)
{
	struct session_peer *sp = p->io_ctx;
	if (sp->conn && !sp->conn->connecting)
		bufferevent_write(sp->conn->bev, msg, len);
	else
		log_peer(LOG_DEBUG, p->name, "no connection: message dropped");
}

static void io_timer(struct bgp_peer *p, enum bgp_timer t, uint32_t ms)
{
	struct session_peer *sp = p->io_ctx;
	if ((unsigned)t >= BGP_TIMER_COUNT)
		return;
	if (!ms) {
		evtimer_del(sp->timers[t].ev);
		return;
	}
	struct timeval tv = { ms / 1000, (ms % 1000) * 1000 };
	evtimer_add(sp->timers[t].ev, &tv);
}

static void io_established(struct bgp_peer *p)
{
	struct session_peer *sp = p->io_ctx;
	struct adjout_session as = {
		.families = p->caps.families,
		.params = { .ibgp = p->caps.peer_as == p->local->local_as,
			    .local_as = p->local->local_as,
			    .as4 = p->caps.as4,
			    .max_msg = bgp_peer_max_msg_out(p) },
		.enhanced_refresh = p->caps.enhanced_refresh,
	};
	adjout_start(sp->adjout, &as);
}

static void received_clear(struct session_peer *sp)
{
	const struct rib_entry *e;
	while ((e = rib_next(sp->received, NULL)))
		rib_withdraw(sp->received, e->rule.afi, e->rule.match.data,
			     e->rule.match.len);
}

static void io_down(struct bgp_peer *p)
{
	struct session_peer *sp = p->io_ctx;
	adjout_stop(sp->adjout);
	received_clear(sp);
}

/* Keeps one NLRI the peer sent; false stops at max_received. */
static bool take_flow(void *ctx, const struct bgp_flow *flow)
{
	struct session_peer *sp = ctx;
	const struct fs_rule *r = flow->rule;
	if (flow->withdrawn) {
		rib_withdraw(sp->received, flow->afi, r->match.data,
			     r->match.len);
		return true;
	}
	if (sp->cfg.max_received &&
	    rib_count(sp->received) >= sp->cfg.max_received &&
	    !rib_find(sp->received, flow->afi, r->match.data, r->match.len)) {
		log_peer(LOG_WARN, sp->bgp.name,
			 "more than max_received %zu rules", sp->cfg.max_received);
		sp->max_received_hit = true;
		return false;
	}
	struct rib_opts o = { .origin = RIB_ORIGIN_PEER };
	enum rib_result res = rib_announce(sp->received, r, &o, NULL);
	if (res == RIB_NOMEM || res == RIB_INVALID)
		log_peer(LOG_WARN, sp->bgp.name, "received rule not kept: %s",
			 rib_result_str(res));
	return true;
}

static void io_update(struct bgp_peer *p, const uint8_t *msg, size_t len)
{
	struct session_peer *sp = p->io_ctx;
	struct bgp_update_result res;
	enum bgp_update_err err = bgp_update_decode(msg, len, take_flow, sp,
						    &res);
	if (err != BGP_UPD_OK && err != BGP_UPD_CALLBACK) {
		/* The FSM hands a faulty UPDATE over only for RFC 7606
		 * treat-as-withdraw. */
		size_t n = bgp_update_withdraw_all(msg, len, take_flow, sp);
		log_peer(LOG_DEBUG, p->name, "treat-as-withdraw: %zu rules",
			 n);
	} else if (res.eor_afi) {
		log_peer(LOG_INFO, p->name, "End-of-RIB for AFI %u",
			 res.eor_afi);
	}
}

static void io_refresh(struct bgp_peer *p, enum fs_afi afi)
{
	struct session_peer *sp = p->io_ctx;
	log_peer(LOG_INFO, p->name, "route refresh for AFI %u", afi);
	adjout_refresh(sp->adjout, afi);
}

/* What the hooks could not do from inside the FSM. */
static void after_fsm(struct session_peer *sp)
{
	if (sp->max_received_hit) {
		sp->max_received_hit = false;
		bgp_peer_cease(&sp->bgp, BGP_CEASE_MAX_PREFIXES,
			       "maximum number of prefixes reached");
	}
}

/* ---- reading ---- */

enum feed_result {
	FEED_WAIT,	/* no complete message left */
	FEED_MORE,	/* the cap was reached with messages left */
	FEED_GONE,	/* c is no longer the peer's connection */
};

/* Hands up to max complete messages of c's input to the FSM. */
static enum feed_result feed(struct conn *c, size_t max)
{
	struct session_peer *sp = c->sp;
	struct evbuffer *in = bufferevent_get_input(c->bev);
	for (size_t n = 0; n < max; n++) {
		size_t avail = evbuffer_get_length(in);
		if (avail < BGP_HEADER_LEN)
			return FEED_WAIT;
		size_t len = bgp_frame_length(evbuffer_pullup(in, BGP_HEADER_LEN),
					      bgp_peer_max_msg_in(&sp->bgp));
		/* A bad header goes in alone: the FSM answers it (peer.h). */
		bool bad = len == 0;
		if (bad)
			len = BGP_HEADER_LEN;
		else if (avail < len)
			return FEED_WAIT;
		bgp_fsm_message(&sp->bgp, evbuffer_pullup(in, (ev_ssize_t)len),
				len);
		after_fsm(sp);
		if (sp->conn != c)
			return FEED_GONE;
		if (bad) {
			/* The FSM kept a connection that cannot be framed. */
			bgp_fsm(&sp->bgp, BGP_EV_TCP_FAILS);
			if (sp->conn == c) {
				sp->conn = NULL;
				conn_close(c);
			}
			return FEED_GONE;
		}
		evbuffer_drain(in, len);
	}
	return FEED_MORE;
}

static void send_cease(struct conn *c, uint8_t subcode)
{
	struct writer w = writer_init(BGP_MAX_MSG);
	bgp_notify_encode(&w, BGP_ERR_CEASE, subcode, NULL, 0, BGP_MAX_MSG);
	conn_send(c, &w);
}

/* RFC 4271 §6.8: the second connection's first message must be an OPEN;
 * its BGP Identifier decides which connection stays. */
static void collide_read(struct conn *c)
{
	struct session_peer *sp = c->sp;
	struct evbuffer *in = bufferevent_get_input(c->bev);
	size_t avail = evbuffer_get_length(in);
	if (avail < BGP_HEADER_LEN)
		return;
	struct reader hdr =
		reader_init(evbuffer_pullup(in, BGP_HEADER_LEN), BGP_HEADER_LEN);
	size_t len = bgp_frame_length(hdr.data, BGP_MAX_MSG);
	if (len && avail < len)
		return;
	skip(&hdr, BGP_MARKER_LEN + 2);		/* marker, length */
	struct addr id;
	sp->collide = NULL;
	if (!len || get_u8(&hdr) != BGP_MSG_OPEN ||
	    !bgp_open_peer_id(evbuffer_pullup(in, (ev_ssize_t)len), len, &id)) {
		log_peer(LOG_WARN, sp->bgp.name,
			 "second connection did not begin with an OPEN: closed");
		conn_close(c);
		return;
	}
	if (!bgp_collision_keep_new(&sp->bgp, &id)) {
		log_peer(LOG_INFO, sp->bgp.name,
			 "connection collision: the existing connection stays");
		if (sp->bgp.state != BGP_IDLE)
			send_cease(c, BGP_CEASE_COLLISION);
		conn_close(c);
		return;
	}
	log_peer(LOG_INFO, sp->bgp.name,
		 "connection collision: the new connection stays");
	bgp_collision_dump(&sp->bgp);
	if (sp->conn) {
		conn_close(sp->conn);	/* a connect() still pending */
		sp->conn = NULL;
	}
	sp->conn = c;
	bufferevent_set_timeouts(c->bev, NULL, NULL);
	bgp_fsm(&sp->bgp, BGP_EV_TCP_CONFIRMED);
	after_fsm(sp);
	/* The OPEN is still in the input: it is read as any message. */
	if (sp->conn == c)
		conn_read(c->bev, c);
}

static void conn_read(struct bufferevent *bev, void *ctx)
{
	struct conn *c = ctx;
	if (!c->sp)
		return;
	if (c == c->sp->collide) {
		collide_read(c);
		return;
	}
	if (feed(c, SESSION_MSGS_PER_CALLBACK) == FEED_MORE)
		/* The rest after the other peers' events. */
		bufferevent_trigger(bev, EV_READ,
				    BEV_TRIG_IGNORE_WATERMARKS |
					    BEV_TRIG_DEFER_CALLBACKS);
}

static void conn_event(struct bufferevent *bev, short what, void *ctx)
{
	(void)bev;
	struct conn *c = ctx;
	struct session_peer *sp = c->sp;
	if (!sp)
		return;
	if (what & BEV_EVENT_CONNECTED) {
		c->connecting = false;
		bgp_fsm(&sp->bgp, BGP_EV_TCP_CR_ACKED);
		after_fsm(sp);
		return;
	}
	int err = EVUTIL_SOCKET_ERROR();
	const char *why = what & BEV_EVENT_EOF		? "closed by the peer"
			  : what & BEV_EVENT_TIMEOUT	? "timed out"
							: strerror(err);
	if (c == sp->collide) {
		log_peer(LOG_INFO, sp->bgp.name, "second connection: %s", why);
		sp->collide = NULL;
		conn_close(c);
		return;
	}
	/* What the peer sent before it closed (a NOTIFICATION) first. */
	if ((what & BEV_EVENT_EOF) && feed(c, SIZE_MAX) == FEED_GONE)
		return;
	log_peer(LOG_INFO, sp->bgp.name, "%s: %s",
		 c->connecting ? "connect" : "connection", why);
	bgp_fsm(&sp->bgp, BGP_EV_TCP_FAILS);
	after_fsm(sp);
	if (sp->conn == c) {
		sp->conn = NULL;
		conn_close(c);
	}
}

/* ---- writing: the adj-rib-out fills the buffer when it runs low ---- */

static void pump(struct session_peer *sp)
{
	struct conn *c = sp->conn;
	if (!c || c->connecting || sp->bgp.state != BGP_ESTABLISHED)
		return;
	struct evbuffer *out = bufferevent_get_output(c->bev);
	size_t have = evbuffer_get_length(out);
	if (have >= SESSION_OUT_LOW)
		return;		/* conn_write comes back below the mark */
	writer_reset(&sp->out);
	struct adjout_written n =
		adjout_write(sp->adjout, &sp->out, SESSION_OUT_HIGH - have);
	if (sp->out.err) {
		/* What adjout_write took as sent is lost: start over. */
		bgp_peer_cease(&sp->bgp, BGP_CEASE_OUT_OF_RESOURCES,
			       "out of memory building UPDATEs");
		return;
	}
	if (sp->out.len)
		bufferevent_write(c->bev, sp->out.data, sp->out.len);
	for (size_t i = 0; i < n.updates; i++)
		bgp_peer_update_sent(&sp->bgp);
	sp->bgp.msgs_out += n.refreshes;
	if (adjout_pending(sp->adjout) &&
	    evbuffer_get_length(out) < SESSION_OUT_LOW)
		event_active(sp->pump, EV_TIMEOUT, 0);	/* after the others */
}

static void pump_cb(evutil_socket_t fd, short what, void *ctx)
{
	(void)fd;
	(void)what;
	pump(ctx);
}

static void conn_write(struct bufferevent *bev, void *ctx)
{
	(void)bev;
	struct conn *c = ctx;
	if (c->sp && c == c->sp->conn)
		pump(c->sp);
}

static void wake(void *ctx)
{
	struct session_peer *sp = ctx;
	event_active(sp->pump, EV_TIMEOUT, 0);
}

/* ---- timers and deferred events ---- */

static void timer_cb(evutil_socket_t fd, short what, void *ctx)
{
	(void)fd;
	(void)what;
	struct peer_timer *pt = ctx;
	bgp_fsm(&pt->sp->bgp, bgp_timer_event(pt->t));
	after_fsm(pt->sp);
}

static void failed_cb(evutil_socket_t fd, short what, void *ctx)
{
	(void)fd;
	(void)what;
	struct session_peer *sp = ctx;
	if (!sp->conn && sp->bgp.state == BGP_CONNECT) {
		bgp_fsm(&sp->bgp, BGP_EV_TCP_FAILS);
		after_fsm(sp);
	}
}

/* ---- accepting ---- */

static void on_accept(struct evconnlistener *l, evutil_socket_t fd,
		      struct sockaddr *sa, int salen, void *ctx)
{
	(void)l;
	(void)salen;
	struct session *s = ctx;
	struct addr from;
	uint16_t port;
	char name[ADDR_STRLEN] = "?";
	struct session_peer *sp = NULL;
	if (sock_addr_from(sa, &from, &port)) {
		addr_format(&from, name);
		sp = session_peer_find(s, &from);
	}
	if (!sp || s->shutting_down) {
		log_msg(LOG_WARN, "connection from %s refused: %s", name,
			sp ? "shutting down" : "not a configured neighbor");
		evutil_closesocket(fd);
		return;
	}
	/* The listener holds the TCP-MD5 keys and GTSM as far as every
	 * neighbor wants it; the rest is per neighbor. */
	if (!socket_secure(sp, fd)) {
		log_msg(LOG_WARN, "connection from %s refused", name);
		evutil_closesocket(fd);
		return;
	}
	struct conn *c = conn_new(s, sp, fd, false);
	if (!c)
		return;
	log_peer(LOG_INFO, sp->bgp.name, "connection accepted from port %u",
		 port);
	if (sp->conn && !sp->conn->connecting) {
		/* RFC 4271 §6.8: aside until its OPEN decides. */
		if (sp->collide)
			conn_close(sp->collide);
		sp->collide = c;
		struct timeval tv = { SESSION_COLLISION_S, 0 };
		bufferevent_set_timeouts(c->bev, &tv, NULL);
		return;
	}
	if (sp->conn)
		conn_close(sp->conn);	/* the pending connect() (peer.h) */
	sp->conn = c;
	bgp_fsm(&sp->bgp, BGP_EV_TCP_CONFIRMED);
	after_fsm(sp);
}

bool session_listen(struct session *s, const struct addr *addr,
		    uint16_t port)
{
	char name[ADDR_STRLEN];
	addr_format(addr, name);
	struct sockaddr_storage ss;
	socklen_t len = sock_addr_to(addr, port, &ss);
	evutil_socket_t fd = socket(ss.ss_family, SOCK_STREAM, 0);
	const char *step = "socket";
	int on = 1;
	if (fd < 0 || evutil_make_socket_nonblocking(fd) < 0)
		goto fail;
	step = "SO_REUSEADDR";
	if (setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &on, sizeof on) < 0)
		goto fail;
	step = "IPV6_V6ONLY";
	if (addr->family == ADDR_V6 &&
	    setsockopt(fd, IPPROTO_IPV6, IPV6_V6ONLY, &on, sizeof on) < 0)
		goto fail;
	/* RFC 5082: SYN-ACKs leave with TTL 255 when a neighbor checks it;
	 * the listener drops less only when every neighbor of the family
	 * wants GTSM (else the accepted connection does, per neighbor). */
	size_t same = 0, gtsm = 0;
	step = "TCP-MD5";
	for (size_t i = 0; i < s->npeers; i++) {
		const struct bgp_peer_config *cfg = &s->peers[i]->cfg;
		if (cfg->address.family != addr->family)
			continue;
		same++;
		gtsm += cfg->ttl_security;
		if (cfg->md5_password[0] &&
		    !sock_set_md5(fd, &cfg->address, cfg->md5_password))
			goto fail;
	}
	step = "GTSM";
	if (gtsm && (!sock_gtsm_send(fd, addr->family) ||
		     (gtsm == same && !sock_gtsm_check(fd, addr->family))))
		goto fail;
	step = "bind";
	if (bind(fd, (struct sockaddr *)&ss, len) < 0)
		goto fail;
	step = "listen";
	struct evconnlistener **ls = realloc(
		s->listeners, (s->nlisteners + 1) * sizeof *ls);
	if (!ls)
		goto fail;
	s->listeners = ls;
	struct evconnlistener *l = evconnlistener_new(
		s->base, on_accept, s, LEV_OPT_CLOSE_ON_FREE, -1, fd);
	if (!l)
		goto fail;
	s->listeners[s->nlisteners++] = l;
	log_msg(LOG_INFO, "listening on %s port %u", name, port);
	return true;
fail:
	log_msg(LOG_ERROR, "cannot listen on %s port %u: %s: %s", name, port,
		step, strerror(errno));
	if (fd >= 0)
		evutil_closesocket(fd);
	return false;
}

/* ---- peers ---- */

/* A neighbor added after session_listen: its TCP-MD5 key on the
 * listeners of its family (logged on failure: its connections then fail
 * the MD5 check and are dropped by the kernel). */
static void listeners_add_key(struct session *s,
			      const struct bgp_peer_config *cfg)
{
	if (!cfg->md5_password[0])
		return;
	for (size_t i = 0; i < s->nlisteners; i++) {
		evutil_socket_t fd = evconnlistener_get_fd(s->listeners[i]);
		struct sockaddr_storage ss;
		socklen_t len = sizeof ss;
		struct addr a;
		uint16_t port;
		if (getsockname(fd, (struct sockaddr *)&ss, &len) < 0 ||
		    !sock_addr_from((struct sockaddr *)&ss, &a, &port) ||
		    a.family != cfg->address.family)
			continue;
		if (!sock_set_md5(fd, &cfg->address, cfg->md5_password))
			log_msg(LOG_ERROR, "TCP-MD5 key on the listener: %s",
				strerror(errno));
	}
}

struct session *session_new(struct event_base *base, struct rib *rib,
			    const struct bgp_local *local,
			    int64_t (*now_ms)(void))
{
	struct session *s = calloc(1, sizeof *s);
	if (!s)
		return NULL;
	s->base = base;
	s->rib = rib;
	s->local = local;
	s->now_ms = now_ms;
	s->io = (struct bgp_io){
		.connect = io_connect,
		.disconnect = io_disconnect,
		.send = io_send,
		.timer = io_timer,
		.established = io_established,
		.down = io_down,
		.update = io_update,
		.refresh = io_refresh,
		.now_ms = now_ms,
	};
	return s;
}

static void peer_free(struct session_peer *sp)
{
	if (!sp)
		return;
	for (unsigned t = 0; t < BGP_TIMER_COUNT; t++)
		if (sp->timers[t].ev)
			event_free(sp->timers[t].ev);
	if (sp->pump)
		event_free(sp->pump);
	if (sp->failed)
		event_free(sp->failed);
	adjout_free(sp->adjout);
	rib_free(sp->received);
	writer_free(&sp->out);
	free(sp);
}

struct session_peer *session_add_peer(struct session *s,
				      const struct bgp_peer_config *cfg)
{
	if (session_peer_find(s, &cfg->address))
		return NULL;
	struct session_peer **peers =
		realloc(s->peers, (s->npeers + 1) * sizeof *peers);
	struct session_peer *sp = peers ? calloc(1, sizeof *sp) : NULL;
	if (peers)
		s->peers = peers;
	if (!sp)
		return NULL;
	sp->s = s;
	sp->cfg = *cfg;
	bgp_peer_init(&sp->bgp, &sp->cfg, s->local, &s->io, sp);
	bool ok = true;
	for (unsigned t = 0; t < BGP_TIMER_COUNT; t++) {
		sp->timers[t] = (struct peer_timer){ sp, (enum bgp_timer)t, NULL };
		sp->timers[t].ev = evtimer_new(s->base, timer_cb, &sp->timers[t]);
		ok = ok && sp->timers[t].ev;
	}
	sp->pump = event_new(s->base, -1, 0, pump_cb, sp);
	sp->failed = event_new(s->base, -1, 0, failed_cb, sp);
	struct adjout_config ac = { .peer = cfg->address,
				    .name = sp->bgp.name,
				    .max_rules = cfg->max_rules,
				    .profile = cfg->profile,
				    .wake = wake,
				    .ctx = sp };
	sp->adjout = adjout_new(s->rib, &ac);
	sp->received = rib_new(s->now_ms);
	sp->out = writer_init(0);
	if (!ok || !sp->pump || !sp->failed || !sp->adjout || !sp->received) {
		peer_free(sp);
		return NULL;
	}
	s->peers[s->npeers++] = sp;
	listeners_add_key(s, &sp->cfg);
	return sp;
}

void session_start(struct session *s)
{
	for (size_t i = 0; i < s->npeers; i++)
		session_peer_start(s->peers[i]);
}

void session_peer_start(struct session_peer *sp)
{
	bgp_fsm(&sp->bgp, BGP_EV_MANUAL_START);
	after_fsm(sp);
}

/* Every setting but the description: a difference needs a new session. */
static bool same_session_settings(const struct bgp_peer_config *a,
				  const struct bgp_peer_config *b)
{
	return addr_equal(&a->address, &b->address) &&
	       a->port == b->port &&
	       addr_equal(&a->local_address, &b->local_address) &&
	       a->remote_as == b->remote_as && a->passive == b->passive &&
	       a->families == b->families && a->hold_time == b->hold_time &&
	       a->connect_retry == b->connect_retry &&
	       strcmp(a->md5_password, b->md5_password) == 0 &&
	       a->ttl_security == b->ttl_security &&
	       a->max_received == b->max_received &&
	       a->max_rules == b->max_rules &&
	       profile_equal(&a->profile, &b->profile) &&
	       a->restart_time == b->restart_time;
}

bool session_peer_reconfigure(struct session_peer *sp,
			      const struct bgp_peer_config *cfg)
{
	if (!same_session_settings(&sp->cfg, cfg))
		return false;
	memcpy(sp->cfg.description, cfg->description,
	       sizeof sp->cfg.description);
	return true;
}

void session_remove_peer(struct session_peer *sp, uint8_t subcode,
			 const char *reason)
{
	struct session *s = sp->s;
	if (sp->collide) {
		conn_close(sp->collide);
		sp->collide = NULL;
	}
	/* ManualStop with this Cease; the connection is detached (conn_close)
	 * and flushes its NOTIFICATION without the peer. */
	bgp_peer_stop(&sp->bgp, subcode, reason);
	io_disconnect(&sp->bgp);
	size_t i = 0;
	while (i < s->npeers && s->peers[i] != sp)
		i++;
	if (i == s->npeers)
		return;
	memmove(&s->peers[i], &s->peers[i + 1],
		(s->npeers - i - 1) * sizeof *s->peers);
	s->npeers--;
	peer_free(sp);
}

static void shutdown_timeout(evutil_socket_t fd, short what, void *ctx)
{
	(void)fd;
	(void)what;
	shutdown_done(ctx);
}

void session_shutdown(struct session *s, const char *reason, bool graceful,
		      void (*done)(void *ctx), void *ctx)
{
	s->shutting_down = true;
	s->done = done;
	s->done_ctx = ctx;
	for (size_t i = 0; i < s->nlisteners; i++)
		evconnlistener_free(s->listeners[i]);
	s->nlisteners = 0;
	for (size_t i = 0; i < s->npeers; i++) {
		struct session_peer *sp = s->peers[i];
		if (sp->collide) {
			conn_close(sp->collide);
			sp->collide = NULL;
		}
		if (graceful)
			bgp_peer_stop_graceful(&sp->bgp, reason);
		else
			bgp_peer_shutdown(&sp->bgp, reason);
	}
	/* done() from the loop: now when nothing is open, else once the
	 * last connection is flushed or at the latest after the flush time. */
	s->shutdown_ev = evtimer_new(s->base, shutdown_timeout, s);
	struct timeval tv = { s->nconns ? SESSION_FLUSH_S + 1 : 0, 0 };
	if (s->shutdown_ev)
		evtimer_add(s->shutdown_ev, &tv);
	else if (!s->nconns)
		shutdown_done(s);
}

void session_free(struct session *s)
{
	if (!s)
		return;
	s->done = NULL;
	while (s->conns)
		conn_free(s->conns);
	for (size_t i = 0; i < s->nlisteners; i++)
		evconnlistener_free(s->listeners[i]);
	for (size_t i = 0; i < s->npeers; i++)
		peer_free(s->peers[i]);
	if (s->shutdown_ev)
		event_free(s->shutdown_ev);
	free(s->listeners);
	free(s->peers);
	free(s);
}

size_t session_peer_count(const struct session *s)
{
	return s->npeers;
}

struct session_peer *session_peer_at(const struct session *s, size_t i)
{
	return i < s->npeers ? s->peers[i] : NULL;
}

struct session_peer *session_peer_find(const struct session *s,
				       const struct addr *addr)
{
	for (size_t i = 0; i < s->npeers; i++) {
		if (addr_equal(&s->peers[i]->cfg.address, addr))
			return s->peers[i];
	}
	return NULL;
}

const struct bgp_peer *session_peer_bgp(const struct session_peer *sp)
{
	return &sp->bgp;
}

const struct adjout *session_peer_adjout(const struct session_peer *sp)
{
	return sp->adjout;
}

const struct rib *session_peer_received(const struct session_peer *sp)
{
	return sp->received;
}

void session_peer_stats(const struct session_peer *sp,
			struct session_peer_stats *st)
{
	adjout_stats(sp->adjout, &st->out);
	st->received = rib_count(sp->received);
}

bool session_peer_clear(struct session_peer *sp, bool soft, char *err,
			size_t errlen)
{
	struct bgp_peer *p = &sp->bgp;
	if (!soft) {
		bgp_peer_cease(p, BGP_CEASE_ADMIN_RESET, "cleared by operator");
		after_fsm(sp);
		return true;
	}
	if (p->state != BGP_ESTABLISHED || !sp->conn) {
		snprintf(err, errlen, "%s is %s, not Established", p->name,
			 bgp_state_name(p->state));
		return false;
	}
	for (enum fs_afi afi = FS_AFI_IPV4; afi <= FS_AFI_IPV6; afi++) {
		if (!(p->caps.families & bgp_family_of(afi)))
			continue;
		adjout_refresh(sp->adjout, afi);
		if (!p->caps.route_refresh)
			continue;
		/* RFC 2918 §3: ask the peer for its routes of this family. */
		struct writer w = writer_init(BGP_MAX_MSG);
		struct bgp_refresh rr = { .afi = (uint16_t)afi,
					  .subtype = BGP_RR_REQUEST,
					  .safi = FS_SAFI };
		bgp_refresh_encode(&w, &rr);
		conn_send(sp->conn, &w);
		p->msgs_out++;
	}
	return true;
}
