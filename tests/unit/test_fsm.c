/* Unit tests for bgpd/bgp/fsm.c, driven with events and messages through
 * a recording fake struct bgp_io (no sockets): every state × event of
 * RFC 4271 §8.2.2 as a table, the handshake both ways, timers, hold time
 * 0, back-off, connection collision, every bad message and its
 * NOTIFICATION, RFC 7606 treat-as-withdraw, Hard Reset (RFC 8538) and
 * ROUTE-REFRESH. */
#include <stdio.h>

#include "bgpd/bgp/msg.h"
#include "bgpd/bgp/notify.h"
#include "bgpd/bgp/open.h"
#include "bgpd/bgp/peer.h"
#include "lib/log.h"
#include "vectors.h"

#define MARKER                                                          \
	0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, \
		0xff, 0xff, 0xff, 0xff, 0xff
#define U16(v) ((v) >> 8) & 0xff, (v) & 0xff
#define U32(v) ((v) >> 24) & 0xff, ((v) >> 16) & 0xff, ((v) >> 8) & 0xff, (v) & 0xff
#define OPT BGP_ATTR_FLAG_OPTIONAL
#define TRANS BGP_ATTR_FLAG_TRANSITIVE
#define EXTLEN BGP_ATTR_FLAG_EXTENDED

/* ---- the recording fake io ------------------------------------------------ */

#define MAX_SENT 128

struct fake {
	struct {
		uint8_t *data;
		size_t len;
	} sent[MAX_SENT];
	unsigned n_sent;
	uint32_t timer[BGP_TIMER_COUNT];	/* armed ms; 0: stopped */
	unsigned arms[BGP_TIMER_COUNT];		/* times armed (not stopped) */
	unsigned connects, disconnects, established, downs, updates;
	unsigned refreshes;
	enum fs_afi refresh_afi;
};

static int64_t fake_clock = 1000000;

static struct fake *F(struct bgp_peer *p)
{
	return p->io_ctx;
}

static void fake_connect(struct bgp_peer *p)
{
	F(p)->connects++;
}

static void fake_disconnect(struct bgp_peer *p)
{
	F(p)->disconnects++;
}

static void fake_send(struct bgp_peer *p, const uint8_t *msg, size_t len)
{
	struct fake *f = F(p);
	ck_assert_uint_lt(f->n_sent, MAX_SENT);
	ck_assert_uint_ge(len, BGP_HEADER_LEN);
	f->sent[f->n_sent].data = exact_copy(msg, len);
	f->sent[f->n_sent].len = len;
	f->n_sent++;
}

static void fake_timer(struct bgp_peer *p, enum bgp_timer t, uint32_t ms)
{
	F(p)->timer[t] = ms;
	if (ms)
		F(p)->arms[t]++;
}

static void fake_established(struct bgp_peer *p)
{
	F(p)->established++;
}

static void fake_down(struct bgp_peer *p)
{
	F(p)->downs++;
}

static void fake_update(struct bgp_peer *p, const uint8_t *msg, size_t len)
{
	(void)msg;
	(void)len;
	F(p)->updates++;
}

static void fake_refresh(struct bgp_peer *p, enum fs_afi afi)
{
	F(p)->refreshes++;
	F(p)->refresh_afi = afi;
}

static int64_t fake_now(void)
{
	return fake_clock;
}

static const struct bgp_io fake_io = {
	.connect = fake_connect,
	.disconnect = fake_disconnect,
	.send = fake_send,
	.timer = fake_timer,
	.established = fake_established,
	.down = fake_down,
	.update = fake_update,
	.refresh = fake_refresh,
	.now_ms = fake_now,
};

/* Forgets what was recorded (the timers stay as armed). */
static void fake_clear(struct fake *f)
{
	for (unsigned i = 0; i < f->n_sent; i++)
		free(f->sent[i].data);
	uint32_t timer[BGP_TIMER_COUNT];
	memcpy(timer, f->timer, sizeof timer);
	*f = (struct fake){ 0 };
	memcpy(f->timer, timer, sizeof timer);
}

static uint8_t sent_type(const struct fake *f, unsigned i)
{
	return f->sent[i].data[BGP_HEADER_LEN - 1];
}

/* The one NOTIFICATION sent since the last clear: false when none. */
static bool sent_notification(const struct fake *f,
			      struct bgp_notification_info *info,
			      const uint8_t **data, size_t *len)
{
	bool found = false;
	for (unsigned i = 0; i < f->n_sent; i++) {
		if (sent_type(f, i) != BGP_MSG_NOTIFICATION)
			continue;
		ck_assert_msg(!found, "two NOTIFICATIONs sent");
		found = true;
		ck_assert(bgp_notify_decode(f->sent[i].data, f->sent[i].len,
					    info));
		if (data) {
			*data = f->sent[i].data + BGP_NOTIFY_MIN_LEN;
			*len = f->sent[i].len - BGP_NOTIFY_MIN_LEN;
		}
	}
	return found;
}

/* The types of the other messages sent, in order (0-terminated). */
static unsigned sent_others(const struct fake *f, uint8_t *types, unsigned n)
{
	unsigned k = 0;
	for (unsigned i = 0; i < f->n_sent && k + 1 < n; i++)
		if (sent_type(f, i) != BGP_MSG_NOTIFICATION)
			types[k++] = sent_type(f, i);
	types[k] = 0;
	return k;
}

/* ---- a peer to drive ------------------------------------------------------ */

struct fx {
	struct bgp_peer_config cfg;
	struct bgp_local local;
	struct fake f;
	struct bgp_peer p;
	/* The neighbor's side, for the OPEN it sends us. */
	struct bgp_peer_config peer_cfg;
	struct bgp_local peer_local;
};

static void fx_init(struct fx *x)
{
	*x = (struct fx){ 0 };
	x->cfg = (struct bgp_peer_config){
		.port = 179,
		.remote_as = 65100,
		.families = BGP_FAM_FLOWSPEC,
		.hold_time = 90,
		.connect_retry = 30,
	};
	addr_parse(&x->cfg.address, "198.51.100.2", 12);
	x->local.local_as = 65100;
	addr_parse(&x->local.router_id, "192.0.2.1", 9);
	x->peer_cfg = x->cfg;
	x->peer_cfg.hold_time = 180;
	addr_parse(&x->peer_cfg.address, "192.0.2.1", 9);
	x->peer_local.local_as = 65100;
	addr_parse(&x->peer_local.router_id, "198.51.100.2", 12);
	bgp_peer_init(&x->p, &x->cfg, &x->local, &fake_io, &x->f);
}

static void fx_free(struct fx *x)
{
	fake_clear(&x->f);
}

static void feed_vec(struct fx *x, struct vec v)
{
	uint8_t *buf = exact_copy(v.data, v.len);
	bgp_fsm_message(&x->p, buf, v.len);
	free(buf);
}

static void feed_writer(struct fx *x, struct writer *w)
{
	ck_assert(!w->err);
	uint8_t *buf = exact_copy(w->data, w->len);
	bgp_fsm_message(&x->p, buf, w->len);
	free(buf);
	writer_free(w);
}

/* The OPEN the neighbor sends (built from peer_cfg / peer_local). */
static void feed_peer_open(struct fx *x)
{
	struct writer w = writer_init(0);
	ck_assert(bgp_open_encode(&w, &x->peer_cfg, &x->peer_local));
	feed_writer(x, &w);
}

/* A neighbor OPEN with only the two Flowspec families and 4-octet AS:
 * no route refresh, no extended message, no GR. */
#define MINIMAL_OPEN                                                        \
	VEC(MARKER, U16(53), BGP_MSG_OPEN, BGP_VERSION, U16(65100), U16(180), \
	    198, 51, 100, 2, 24, BGP_OPT_PARAM_CAPABILITIES, 6,               \
	    BGP_CAP_MULTIPROTOCOL, 4, U16(BGP_AFI_IPV4), 0, BGP_SAFI_FLOWSPEC, \
	    BGP_OPT_PARAM_CAPABILITIES, 6, BGP_CAP_MULTIPROTOCOL, 4,          \
	    U16(BGP_AFI_IPV6), 0, BGP_SAFI_FLOWSPEC,                          \
	    BGP_OPT_PARAM_CAPABILITIES, 6, BGP_CAP_AS4, 4, U32(65100))

#define KEEPALIVE VEC(MARKER, U16(19), BGP_MSG_KEEPALIVE)
/* End-of-RIB for IPv4 Flowspec: an empty MP_UNREACH_NLRI (RFC 4724 §2). */
#define UPDATE_EOR                                                          \
	VEC(MARKER, U16(29), BGP_MSG_UPDATE, U16(0), U16(6), OPT,           \
	    BGP_ATTR_MP_UNREACH_NLRI, 3, U16(BGP_AFI_IPV4), BGP_SAFI_FLOWSPEC)
#define ROUTE_REFRESH_V4                                                    \
	VEC(MARKER, U16(23), BGP_MSG_ROUTE_REFRESH, U16(BGP_AFI_IPV4),      \
	    BGP_RR_REQUEST, BGP_SAFI_FLOWSPEC)

static void go(struct fx *x, enum bgp_state s)
{
	switch (s) {
	case BGP_IDLE:
		break;
	case BGP_CONNECT:
		bgp_fsm(&x->p, BGP_EV_MANUAL_START);
		break;
	case BGP_ACTIVE:
		bgp_fsm(&x->p, BGP_EV_MANUAL_START_PASSIVE);
		break;
	case BGP_OPENSENT:
		go(x, BGP_CONNECT);
		bgp_fsm(&x->p, BGP_EV_TCP_CR_ACKED);
		break;
	case BGP_OPENCONFIRM:
		go(x, BGP_OPENSENT);
		feed_peer_open(x);
		break;
	case BGP_ESTABLISHED:
		go(x, BGP_OPENCONFIRM);
		feed_vec(x, KEEPALIVE);
		break;
	}
	ck_assert_msg(x->p.state == s, "reached %s, not %s",
		      bgp_state_name(x->p.state), bgp_state_name(s));
	fake_clear(&x->f);
}

/* Feeds one RFC 4271 §8.1 event: message events as a real message that
 * gives that event. */
static void feed_event(struct fx *x, enum bgp_event ev)
{
	switch (ev) {
	case BGP_EV_OPEN:
		feed_peer_open(x);
		break;
	case BGP_EV_HEADER_ERR:
		/* A KEEPALIVE whose marker is broken. */
		feed_vec(x, VEC(0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff,
				0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xfe,
				U16(19), BGP_MSG_KEEPALIVE));
		break;
	case BGP_EV_OPEN_ERR:
		feed_vec(x, VEC(MARKER, U16(29), BGP_MSG_OPEN, 3, U16(65100),
				U16(90), 198, 51, 100, 2, 0));
		break;
	case BGP_EV_NOTIF_VERSION_ERR:
		feed_vec(x, VEC(MARKER, U16(23), BGP_MSG_NOTIFICATION,
				BGP_ERR_OPEN, BGP_OPEN_UNSUP_VERSION, 0, 4));
		break;
	case BGP_EV_NOTIFICATION:
		feed_vec(x, VEC(MARKER, U16(21), BGP_MSG_NOTIFICATION,
				BGP_ERR_CEASE, BGP_CEASE_PEER_DECONFIGURED));
		break;
	case BGP_EV_KEEPALIVE:
		feed_vec(x, KEEPALIVE);
		break;
	case BGP_EV_UPDATE:
		feed_vec(x, UPDATE_EOR);
		break;
	case BGP_EV_UPDATE_ERR:
		/* Total Path Attribute Length past the message: 3/1. */
		feed_vec(x, VEC(MARKER, U16(25), BGP_MSG_UPDATE, U16(0), U16(10),
				OPT, BGP_ATTR_MP_UNREACH_NLRI));
		break;
	case BGP_EV_ROUTE_REFRESH:
		feed_vec(x, ROUTE_REFRESH_V4);
		break;
	default:
		bgp_fsm(&x->p, ev);
		break;
	}
}

/* ---- RFC 4271 §8.2.2, every state × event --------------------------------- */

#define NONE 0
#define N(code, sub) BGP_ERR_##code, sub

/* Event, next state, the NOTIFICATION sent (code 0: none) and the other
 * message sent (0: none). */
struct row {
	enum bgp_state state;
	enum bgp_event ev;
	enum bgp_state next;
	uint8_t code, subcode;
	uint8_t sends;
};

static const struct row table[] = {
	/* Idle: start events leave it; anything else is ignored. */
	{ BGP_IDLE, BGP_EV_MANUAL_START, BGP_CONNECT, NONE, 0, 0 },
	{ BGP_IDLE, BGP_EV_MANUAL_STOP, BGP_IDLE, NONE, 0, 0 },
	{ BGP_IDLE, BGP_EV_AUTOMATIC_START, BGP_CONNECT, NONE, 0, 0 },
	{ BGP_IDLE, BGP_EV_MANUAL_START_PASSIVE, BGP_ACTIVE, NONE, 0, 0 },
	{ BGP_IDLE, BGP_EV_AUTOMATIC_START_PASSIVE, BGP_ACTIVE, NONE, 0, 0 },
	{ BGP_IDLE, BGP_EV_AUTOMATIC_STOP, BGP_IDLE, NONE, 0, 0 },
	{ BGP_IDLE, BGP_EV_CONNECT_RETRY_EXPIRES, BGP_IDLE, NONE, 0, 0 },
	{ BGP_IDLE, BGP_EV_HOLD_TIMER_EXPIRES, BGP_IDLE, NONE, 0, 0 },
	{ BGP_IDLE, BGP_EV_KEEPALIVE_TIMER_EXPIRES, BGP_IDLE, NONE, 0, 0 },
	{ BGP_IDLE, BGP_EV_IDLE_HOLD_TIMER_EXPIRES, BGP_IDLE, NONE, 0, 0 },
	{ BGP_IDLE, BGP_EV_TCP_CR_ACKED, BGP_IDLE, NONE, 0, 0 },
	{ BGP_IDLE, BGP_EV_TCP_CONFIRMED, BGP_IDLE, NONE, 0, 0 },
	{ BGP_IDLE, BGP_EV_TCP_FAILS, BGP_IDLE, NONE, 0, 0 },
	{ BGP_IDLE, BGP_EV_OPEN, BGP_IDLE, NONE, 0, 0 },
	{ BGP_IDLE, BGP_EV_HEADER_ERR, BGP_IDLE, NONE, 0, 0 },
	{ BGP_IDLE, BGP_EV_OPEN_ERR, BGP_IDLE, NONE, 0, 0 },
	{ BGP_IDLE, BGP_EV_OPEN_COLLISION_DUMP, BGP_IDLE, NONE, 0, 0 },
	{ BGP_IDLE, BGP_EV_NOTIF_VERSION_ERR, BGP_IDLE, NONE, 0, 0 },
	{ BGP_IDLE, BGP_EV_NOTIFICATION, BGP_IDLE, NONE, 0, 0 },
	{ BGP_IDLE, BGP_EV_KEEPALIVE, BGP_IDLE, NONE, 0, 0 },
	{ BGP_IDLE, BGP_EV_UPDATE, BGP_IDLE, NONE, 0, 0 },
	{ BGP_IDLE, BGP_EV_UPDATE_ERR, BGP_IDLE, NONE, 0, 0 },
	{ BGP_IDLE, BGP_EV_ROUTE_REFRESH, BGP_IDLE, NONE, 0, 0 },

	/* Connect: no OPEN sent yet, so never a NOTIFICATION. */
	{ BGP_CONNECT, BGP_EV_MANUAL_START, BGP_CONNECT, NONE, 0, 0 },
	{ BGP_CONNECT, BGP_EV_MANUAL_STOP, BGP_IDLE, NONE, 0, 0 },
	{ BGP_CONNECT, BGP_EV_AUTOMATIC_START, BGP_CONNECT, NONE, 0, 0 },
	{ BGP_CONNECT, BGP_EV_MANUAL_START_PASSIVE, BGP_CONNECT, NONE, 0, 0 },
	{ BGP_CONNECT, BGP_EV_AUTOMATIC_START_PASSIVE, BGP_CONNECT, NONE, 0, 0 },
	{ BGP_CONNECT, BGP_EV_AUTOMATIC_STOP, BGP_IDLE, NONE, 0, 0 },
	{ BGP_CONNECT, BGP_EV_CONNECT_RETRY_EXPIRES, BGP_CONNECT, NONE, 0, 0 },
	{ BGP_CONNECT, BGP_EV_HOLD_TIMER_EXPIRES, BGP_IDLE, NONE, 0, 0 },
	{ BGP_CONNECT, BGP_EV_KEEPALIVE_TIMER_EXPIRES, BGP_IDLE, NONE, 0, 0 },
	{ BGP_CONNECT, BGP_EV_IDLE_HOLD_TIMER_EXPIRES, BGP_IDLE, NONE, 0, 0 },
	{ BGP_CONNECT, BGP_EV_TCP_CR_ACKED, BGP_OPENSENT, NONE, 0, BGP_MSG_OPEN },
	{ BGP_CONNECT, BGP_EV_TCP_CONFIRMED, BGP_OPENSENT, NONE, 0, BGP_MSG_OPEN },
	/* Active, not Idle: see the top of fsm.c. */
	{ BGP_CONNECT, BGP_EV_TCP_FAILS, BGP_ACTIVE, NONE, 0, 0 },
	{ BGP_CONNECT, BGP_EV_OPEN, BGP_IDLE, NONE, 0, 0 },
	{ BGP_CONNECT, BGP_EV_HEADER_ERR, BGP_IDLE, NONE, 0, 0 },
	{ BGP_CONNECT, BGP_EV_OPEN_ERR, BGP_IDLE, NONE, 0, 0 },
	{ BGP_CONNECT, BGP_EV_OPEN_COLLISION_DUMP, BGP_IDLE, NONE, 0, 0 },
	{ BGP_CONNECT, BGP_EV_NOTIF_VERSION_ERR, BGP_IDLE, NONE, 0, 0 },
	{ BGP_CONNECT, BGP_EV_NOTIFICATION, BGP_IDLE, NONE, 0, 0 },
	{ BGP_CONNECT, BGP_EV_KEEPALIVE, BGP_IDLE, NONE, 0, 0 },
	{ BGP_CONNECT, BGP_EV_UPDATE, BGP_IDLE, NONE, 0, 0 },
	{ BGP_CONNECT, BGP_EV_UPDATE_ERR, BGP_IDLE, NONE, 0, 0 },
	{ BGP_CONNECT, BGP_EV_ROUTE_REFRESH, BGP_IDLE, NONE, 0, 0 },

	/* Active. */
	{ BGP_ACTIVE, BGP_EV_MANUAL_START, BGP_ACTIVE, NONE, 0, 0 },
	{ BGP_ACTIVE, BGP_EV_MANUAL_STOP, BGP_IDLE, NONE, 0, 0 },
	{ BGP_ACTIVE, BGP_EV_AUTOMATIC_START, BGP_ACTIVE, NONE, 0, 0 },
	{ BGP_ACTIVE, BGP_EV_MANUAL_START_PASSIVE, BGP_ACTIVE, NONE, 0, 0 },
	{ BGP_ACTIVE, BGP_EV_AUTOMATIC_START_PASSIVE, BGP_ACTIVE, NONE, 0, 0 },
	{ BGP_ACTIVE, BGP_EV_AUTOMATIC_STOP, BGP_IDLE, NONE, 0, 0 },
	{ BGP_ACTIVE, BGP_EV_CONNECT_RETRY_EXPIRES, BGP_CONNECT, NONE, 0, 0 },
	{ BGP_ACTIVE, BGP_EV_HOLD_TIMER_EXPIRES, BGP_IDLE, NONE, 0, 0 },
	{ BGP_ACTIVE, BGP_EV_KEEPALIVE_TIMER_EXPIRES, BGP_IDLE, NONE, 0, 0 },
	{ BGP_ACTIVE, BGP_EV_IDLE_HOLD_TIMER_EXPIRES, BGP_IDLE, NONE, 0, 0 },
	{ BGP_ACTIVE, BGP_EV_TCP_CR_ACKED, BGP_OPENSENT, NONE, 0, BGP_MSG_OPEN },
	{ BGP_ACTIVE, BGP_EV_TCP_CONFIRMED, BGP_OPENSENT, NONE, 0, BGP_MSG_OPEN },
	{ BGP_ACTIVE, BGP_EV_TCP_FAILS, BGP_IDLE, NONE, 0, 0 },
	{ BGP_ACTIVE, BGP_EV_OPEN, BGP_IDLE, NONE, 0, 0 },
	{ BGP_ACTIVE, BGP_EV_HEADER_ERR, BGP_IDLE, NONE, 0, 0 },
	{ BGP_ACTIVE, BGP_EV_OPEN_ERR, BGP_IDLE, NONE, 0, 0 },
	{ BGP_ACTIVE, BGP_EV_OPEN_COLLISION_DUMP, BGP_IDLE, NONE, 0, 0 },
	{ BGP_ACTIVE, BGP_EV_NOTIF_VERSION_ERR, BGP_IDLE, NONE, 0, 0 },
	{ BGP_ACTIVE, BGP_EV_NOTIFICATION, BGP_IDLE, NONE, 0, 0 },
	{ BGP_ACTIVE, BGP_EV_KEEPALIVE, BGP_IDLE, NONE, 0, 0 },
	{ BGP_ACTIVE, BGP_EV_UPDATE, BGP_IDLE, NONE, 0, 0 },
	{ BGP_ACTIVE, BGP_EV_UPDATE_ERR, BGP_IDLE, NONE, 0, 0 },
	{ BGP_ACTIVE, BGP_EV_ROUTE_REFRESH, BGP_IDLE, NONE, 0, 0 },

	/* OpenSent: unexpected is FSM Error 5/1 (RFC 6608). */
	{ BGP_OPENSENT, BGP_EV_MANUAL_START, BGP_OPENSENT, NONE, 0, 0 },
	{ BGP_OPENSENT, BGP_EV_MANUAL_STOP, BGP_IDLE, N(CEASE, BGP_CEASE_ADMIN_SHUTDOWN), 0 },
	{ BGP_OPENSENT, BGP_EV_AUTOMATIC_START, BGP_OPENSENT, NONE, 0, 0 },
	{ BGP_OPENSENT, BGP_EV_MANUAL_START_PASSIVE, BGP_OPENSENT, NONE, 0, 0 },
	{ BGP_OPENSENT, BGP_EV_AUTOMATIC_START_PASSIVE, BGP_OPENSENT, NONE, 0, 0 },
	{ BGP_OPENSENT, BGP_EV_AUTOMATIC_STOP, BGP_IDLE, N(CEASE, BGP_ERR_UNSPECIFIC), 0 },
	{ BGP_OPENSENT, BGP_EV_CONNECT_RETRY_EXPIRES, BGP_IDLE, N(FSM, BGP_FSM_ERR_OPENSENT), 0 },
	{ BGP_OPENSENT, BGP_EV_HOLD_TIMER_EXPIRES, BGP_IDLE, N(HOLD_TIMER, 0), 0 },
	{ BGP_OPENSENT, BGP_EV_KEEPALIVE_TIMER_EXPIRES, BGP_IDLE, N(FSM, BGP_FSM_ERR_OPENSENT), 0 },
	{ BGP_OPENSENT, BGP_EV_IDLE_HOLD_TIMER_EXPIRES, BGP_IDLE, N(FSM, BGP_FSM_ERR_OPENSENT), 0 },
	{ BGP_OPENSENT, BGP_EV_TCP_CR_ACKED, BGP_OPENSENT, NONE, 0, 0 },
	{ BGP_OPENSENT, BGP_EV_TCP_CONFIRMED, BGP_OPENSENT, NONE, 0, 0 },
	{ BGP_OPENSENT, BGP_EV_TCP_FAILS, BGP_ACTIVE, NONE, 0, 0 },
	{ BGP_OPENSENT, BGP_EV_OPEN, BGP_OPENCONFIRM, NONE, 0, BGP_MSG_KEEPALIVE },
	{ BGP_OPENSENT, BGP_EV_HEADER_ERR, BGP_IDLE, N(HEADER, BGP_HDR_NOT_SYNC), 0 },
	{ BGP_OPENSENT, BGP_EV_OPEN_ERR, BGP_IDLE, N(OPEN, BGP_OPEN_UNSUP_VERSION), 0 },
	{ BGP_OPENSENT, BGP_EV_OPEN_COLLISION_DUMP, BGP_IDLE, N(CEASE, BGP_CEASE_COLLISION), 0 },
	{ BGP_OPENSENT, BGP_EV_NOTIF_VERSION_ERR, BGP_IDLE, NONE, 0, 0 },
	{ BGP_OPENSENT, BGP_EV_NOTIFICATION, BGP_IDLE, N(FSM, BGP_FSM_ERR_OPENSENT), 0 },
	{ BGP_OPENSENT, BGP_EV_KEEPALIVE, BGP_IDLE, N(FSM, BGP_FSM_ERR_OPENSENT), 0 },
	{ BGP_OPENSENT, BGP_EV_UPDATE, BGP_IDLE, N(FSM, BGP_FSM_ERR_OPENSENT), 0 },
	{ BGP_OPENSENT, BGP_EV_UPDATE_ERR, BGP_IDLE, N(FSM, BGP_FSM_ERR_OPENSENT), 0 },
	{ BGP_OPENSENT, BGP_EV_ROUTE_REFRESH, BGP_IDLE, N(FSM, BGP_FSM_ERR_OPENSENT), 0 },

	/* OpenConfirm: unexpected is 5/2. */
	{ BGP_OPENCONFIRM, BGP_EV_MANUAL_START, BGP_OPENCONFIRM, NONE, 0, 0 },
	{ BGP_OPENCONFIRM, BGP_EV_MANUAL_STOP, BGP_IDLE, N(CEASE, BGP_CEASE_ADMIN_SHUTDOWN), 0 },
	{ BGP_OPENCONFIRM, BGP_EV_AUTOMATIC_START, BGP_OPENCONFIRM, NONE, 0, 0 },
	{ BGP_OPENCONFIRM, BGP_EV_MANUAL_START_PASSIVE, BGP_OPENCONFIRM, NONE, 0, 0 },
	{ BGP_OPENCONFIRM, BGP_EV_AUTOMATIC_START_PASSIVE, BGP_OPENCONFIRM, NONE, 0, 0 },
	{ BGP_OPENCONFIRM, BGP_EV_AUTOMATIC_STOP, BGP_IDLE, N(CEASE, BGP_ERR_UNSPECIFIC), 0 },
	{ BGP_OPENCONFIRM, BGP_EV_CONNECT_RETRY_EXPIRES, BGP_IDLE, N(FSM, BGP_FSM_ERR_OPENCONFIRM), 0 },
	{ BGP_OPENCONFIRM, BGP_EV_HOLD_TIMER_EXPIRES, BGP_IDLE, N(HOLD_TIMER, 0), 0 },
	{ BGP_OPENCONFIRM, BGP_EV_KEEPALIVE_TIMER_EXPIRES, BGP_OPENCONFIRM, NONE, 0, BGP_MSG_KEEPALIVE },
	{ BGP_OPENCONFIRM, BGP_EV_IDLE_HOLD_TIMER_EXPIRES, BGP_IDLE, N(FSM, BGP_FSM_ERR_OPENCONFIRM), 0 },
	{ BGP_OPENCONFIRM, BGP_EV_TCP_CR_ACKED, BGP_OPENCONFIRM, NONE, 0, 0 },
	{ BGP_OPENCONFIRM, BGP_EV_TCP_CONFIRMED, BGP_OPENCONFIRM, NONE, 0, 0 },
	{ BGP_OPENCONFIRM, BGP_EV_TCP_FAILS, BGP_IDLE, NONE, 0, 0 },
	{ BGP_OPENCONFIRM, BGP_EV_OPEN, BGP_IDLE, N(FSM, BGP_FSM_ERR_OPENCONFIRM), 0 },
	{ BGP_OPENCONFIRM, BGP_EV_HEADER_ERR, BGP_IDLE, N(HEADER, BGP_HDR_NOT_SYNC), 0 },
	{ BGP_OPENCONFIRM, BGP_EV_OPEN_ERR, BGP_IDLE, N(OPEN, BGP_OPEN_UNSUP_VERSION), 0 },
	{ BGP_OPENCONFIRM, BGP_EV_OPEN_COLLISION_DUMP, BGP_IDLE, N(CEASE, BGP_CEASE_COLLISION), 0 },
	{ BGP_OPENCONFIRM, BGP_EV_NOTIF_VERSION_ERR, BGP_IDLE, NONE, 0, 0 },
	{ BGP_OPENCONFIRM, BGP_EV_NOTIFICATION, BGP_IDLE, NONE, 0, 0 },
	{ BGP_OPENCONFIRM, BGP_EV_KEEPALIVE, BGP_ESTABLISHED, NONE, 0, 0 },
	{ BGP_OPENCONFIRM, BGP_EV_UPDATE, BGP_IDLE, N(FSM, BGP_FSM_ERR_OPENCONFIRM), 0 },
	{ BGP_OPENCONFIRM, BGP_EV_UPDATE_ERR, BGP_IDLE, N(FSM, BGP_FSM_ERR_OPENCONFIRM), 0 },
	{ BGP_OPENCONFIRM, BGP_EV_ROUTE_REFRESH, BGP_IDLE, N(FSM, BGP_FSM_ERR_OPENCONFIRM), 0 },

	/* Established: unexpected is 5/3; message errors name their own
	 * error (§6). */
	{ BGP_ESTABLISHED, BGP_EV_MANUAL_START, BGP_ESTABLISHED, NONE, 0, 0 },
	{ BGP_ESTABLISHED, BGP_EV_MANUAL_STOP, BGP_IDLE, N(CEASE, BGP_CEASE_ADMIN_SHUTDOWN), 0 },
	{ BGP_ESTABLISHED, BGP_EV_AUTOMATIC_START, BGP_ESTABLISHED, NONE, 0, 0 },
	{ BGP_ESTABLISHED, BGP_EV_MANUAL_START_PASSIVE, BGP_ESTABLISHED, NONE, 0, 0 },
	{ BGP_ESTABLISHED, BGP_EV_AUTOMATIC_START_PASSIVE, BGP_ESTABLISHED, NONE, 0, 0 },
	{ BGP_ESTABLISHED, BGP_EV_AUTOMATIC_STOP, BGP_IDLE, N(CEASE, BGP_ERR_UNSPECIFIC), 0 },
	{ BGP_ESTABLISHED, BGP_EV_CONNECT_RETRY_EXPIRES, BGP_IDLE, N(FSM, BGP_FSM_ERR_ESTABLISHED), 0 },
	{ BGP_ESTABLISHED, BGP_EV_HOLD_TIMER_EXPIRES, BGP_IDLE, N(HOLD_TIMER, 0), 0 },
	{ BGP_ESTABLISHED, BGP_EV_KEEPALIVE_TIMER_EXPIRES, BGP_ESTABLISHED, NONE, 0, BGP_MSG_KEEPALIVE },
	{ BGP_ESTABLISHED, BGP_EV_IDLE_HOLD_TIMER_EXPIRES, BGP_IDLE, N(FSM, BGP_FSM_ERR_ESTABLISHED), 0 },
	{ BGP_ESTABLISHED, BGP_EV_TCP_CR_ACKED, BGP_ESTABLISHED, NONE, 0, 0 },
	{ BGP_ESTABLISHED, BGP_EV_TCP_CONFIRMED, BGP_ESTABLISHED, NONE, 0, 0 },
	{ BGP_ESTABLISHED, BGP_EV_TCP_FAILS, BGP_IDLE, NONE, 0, 0 },
	{ BGP_ESTABLISHED, BGP_EV_OPEN, BGP_IDLE, N(FSM, BGP_FSM_ERR_ESTABLISHED), 0 },
	{ BGP_ESTABLISHED, BGP_EV_HEADER_ERR, BGP_IDLE, N(HEADER, BGP_HDR_NOT_SYNC), 0 },
	{ BGP_ESTABLISHED, BGP_EV_OPEN_ERR, BGP_IDLE, N(OPEN, BGP_OPEN_UNSUP_VERSION), 0 },
	{ BGP_ESTABLISHED, BGP_EV_OPEN_COLLISION_DUMP, BGP_IDLE, N(CEASE, BGP_CEASE_COLLISION), 0 },
	{ BGP_ESTABLISHED, BGP_EV_NOTIF_VERSION_ERR, BGP_IDLE, NONE, 0, 0 },
	{ BGP_ESTABLISHED, BGP_EV_NOTIFICATION, BGP_IDLE, NONE, 0, 0 },
	{ BGP_ESTABLISHED, BGP_EV_KEEPALIVE, BGP_ESTABLISHED, NONE, 0, 0 },
	{ BGP_ESTABLISHED, BGP_EV_UPDATE, BGP_ESTABLISHED, NONE, 0, 0 },
	{ BGP_ESTABLISHED, BGP_EV_UPDATE_ERR, BGP_IDLE, N(UPDATE, BGP_UPD_ERR_ATTR_LIST), 0 },
	{ BGP_ESTABLISHED, BGP_EV_ROUTE_REFRESH, BGP_ESTABLISHED, NONE, 0, 0 },
};

#define N_ROWS (sizeof table / sizeof table[0])

/* Runs table[_i] on a fresh peer. */
START_TEST(state_event_table)
{
	const struct row *r = &table[_i];
	char what[128];
	snprintf(what, sizeof what, "%s + %s", bgp_state_name(r->state),
		 bgp_event_name(r->ev));
	struct fx x;
	fx_init(&x);
	go(&x, r->state);
	bool was_up = r->state == BGP_ESTABLISHED;
	uint32_t counter = x.p.connect_retry_counter;

	feed_event(&x, r->ev);

	ck_assert_msg(x.p.state == r->next, "%s: %s, want %s", what,
		      bgp_state_name(x.p.state), bgp_state_name(r->next));
	struct bgp_notification_info info;
	bool sent = sent_notification(&x.f, &info, NULL, NULL);
	if (r->code) {
		ck_assert_msg(sent, "%s: no NOTIFICATION", what);
		ck_assert_msg(info.code == r->code && info.subcode == r->subcode,
			      "%s: sent %s, want %s", what,
			      bgp_notify_str(info.code, info.subcode),
			      bgp_notify_str(r->code, r->subcode));
	} else {
		ck_assert_msg(!sent, "%s: sent %s", what,
			      bgp_notify_str(info.code, info.subcode));
	}
	uint8_t types[8];
	unsigned n = sent_others(&x.f, types, 8);
	if (r->sends) {
		ck_assert_msg(n == 1 && types[0] == r->sends,
			      "%s: sent %u other messages", what, n);
	} else {
		ck_assert_msg(n == 0, "%s: sent message type %u", what,
			      types[0]);
	}

	/* Leaving for Idle: timers stopped, connection dropped, and the
	 * automatic restart armed unless stopped by hand. */
	if (r->next == BGP_IDLE && r->state != BGP_IDLE) {
		ck_assert_msg(x.f.disconnects >= 1, "%s: no disconnect", what);
		ck_assert_uint_eq(x.f.timer[BGP_TIMER_CONNECT_RETRY], 0);
		ck_assert_uint_eq(x.f.timer[BGP_TIMER_HOLD], 0);
		ck_assert_uint_eq(x.f.timer[BGP_TIMER_KEEPALIVE], 0);
		if (r->ev == BGP_EV_MANUAL_STOP) {
			ck_assert_uint_eq(x.f.timer[BGP_TIMER_IDLE_HOLD], 0);
			ck_assert_uint_eq(x.p.connect_retry_counter, 0);
			ck_assert(!x.p.enabled);
		} else {
			ck_assert_msg(x.f.timer[BGP_TIMER_IDLE_HOLD] ==
					      BGP_IDLE_HOLD_MIN * 1000,
				      "%s: idle hold %u", what,
				      x.f.timer[BGP_TIMER_IDLE_HOLD]);
			/* §8.2.2: a version error in OpenSent/OpenConfirm
			 * does not count. */
			bool counts = !(r->ev == BGP_EV_NOTIF_VERSION_ERR &&
					(r->state == BGP_OPENSENT ||
					 r->state == BGP_OPENCONFIRM));
			ck_assert_uint_eq(x.p.connect_retry_counter,
					  counter + counts);
		}
	}
	if (r->next != BGP_IDLE)
		ck_assert_uint_eq(x.f.timer[BGP_TIMER_IDLE_HOLD], 0);
	/* down() exactly when leaving Established. */
	ck_assert_uint_eq(x.f.downs,
			  was_up && r->next != BGP_ESTABLISHED ? 1 : 0);
	ck_assert_uint_eq(x.f.established,
			  !was_up && r->next == BGP_ESTABLISHED ? 1 : 0);
	fx_free(&x);
}
END_TEST

/* Every state has a row for every event the FSM knows. */
START_TEST(table_is_complete)
{
	static const enum bgp_event events[] = {
		BGP_EV_MANUAL_START, BGP_EV_MANUAL_STOP,
		BGP_EV_AUTOMATIC_START, BGP_EV_MANUAL_START_PASSIVE,
		BGP_EV_AUTOMATIC_START_PASSIVE, BGP_EV_AUTOMATIC_STOP,
		BGP_EV_CONNECT_RETRY_EXPIRES, BGP_EV_HOLD_TIMER_EXPIRES,
		BGP_EV_KEEPALIVE_TIMER_EXPIRES, BGP_EV_IDLE_HOLD_TIMER_EXPIRES,
		BGP_EV_TCP_CR_ACKED, BGP_EV_TCP_CONFIRMED, BGP_EV_TCP_FAILS,
		BGP_EV_OPEN, BGP_EV_HEADER_ERR, BGP_EV_OPEN_ERR,
		BGP_EV_OPEN_COLLISION_DUMP, BGP_EV_NOTIF_VERSION_ERR,
		BGP_EV_NOTIFICATION, BGP_EV_KEEPALIVE, BGP_EV_UPDATE,
		BGP_EV_UPDATE_ERR, BGP_EV_ROUTE_REFRESH,
	};
	for (unsigned s = BGP_IDLE; s <= BGP_ESTABLISHED; s++) {
		for (size_t e = 0; e < sizeof events / sizeof events[0]; e++) {
			unsigned found = 0;
			for (size_t i = 0; i < N_ROWS; i++)
				found += table[i].state == s &&
					 table[i].ev == events[e];
			ck_assert_msg(found == 1, "%s + %s: %u rows",
				      bgp_state_name(s),
				      bgp_event_name(events[e]), found);
		}
	}
	ck_assert_uint_eq(N_ROWS, 6 * sizeof events / sizeof events[0]);
}
END_TEST

/* ---- handshakes ----------------------------------------------------------- */

START_TEST(handshake_active)
{
	struct fx x;
	fx_init(&x);
	ck_assert_uint_eq(x.p.state, BGP_IDLE);
	bgp_fsm(&x.p, BGP_EV_MANUAL_START);
	ck_assert_uint_eq(x.p.state, BGP_CONNECT);
	ck_assert_uint_eq(x.f.connects, 1);
	ck_assert_uint_eq(x.f.timer[BGP_TIMER_CONNECT_RETRY], 30000);

	bgp_fsm(&x.p, BGP_EV_TCP_CR_ACKED);
	ck_assert_uint_eq(x.p.state, BGP_OPENSENT);
	ck_assert_uint_eq(x.f.n_sent, 1);
	struct writer open = writer_init(0);
	ck_assert(bgp_open_encode(&open, &x.cfg, &x.local));
	ck_assert_uint_eq(x.f.sent[0].len, open.len);
	ck_assert_mem_eq(x.f.sent[0].data, open.data, open.len);
	writer_free(&open);
	ck_assert_uint_eq(x.f.timer[BGP_TIMER_CONNECT_RETRY], 0);
	ck_assert_uint_eq(x.f.timer[BGP_TIMER_HOLD], BGP_HOLD_OPENSENT * 1000);

	feed_peer_open(&x);
	ck_assert_uint_eq(x.p.state, BGP_OPENCONFIRM);
	ck_assert_uint_eq(x.f.n_sent, 2);
	ck_assert_uint_eq(sent_type(&x.f, 1), BGP_MSG_KEEPALIVE);
	ck_assert_uint_eq(x.p.caps.hold_time, 90);
	ck_assert_uint_eq(x.p.caps.peer_as, 65100);
	ck_assert_uint_eq(x.p.caps.families, BGP_FAM_FLOWSPEC);
	ck_assert_uint_eq(x.f.timer[BGP_TIMER_HOLD], 90000);
	ck_assert_uint_eq(x.f.timer[BGP_TIMER_KEEPALIVE], 30000);
	ck_assert_uint_eq(x.f.established, 0);

	unsigned hold_arms = x.f.arms[BGP_TIMER_HOLD];
	feed_vec(&x, KEEPALIVE);
	ck_assert_uint_eq(x.p.state, BGP_ESTABLISHED);
	ck_assert_uint_eq(x.f.established, 1);
	ck_assert_uint_eq(x.f.arms[BGP_TIMER_HOLD], hold_arms + 1);
	ck_assert_uint_eq(x.p.established_count, 1);
	ck_assert_int_eq(x.p.established_at, fake_clock);
	ck_assert_uint_eq(x.p.msgs_in, 2);
	ck_assert_uint_eq(x.p.msgs_out, 2);
	ck_assert_uint_eq(x.f.downs, 0);
	fx_free(&x);
}
END_TEST

/* A passive neighbor: never connect(), wait in Active. */
START_TEST(handshake_passive)
{
	struct fx x;
	fx_init(&x);
	x.cfg.passive = true;
	bgp_fsm(&x.p, BGP_EV_AUTOMATIC_START);
	ck_assert_uint_eq(x.p.state, BGP_ACTIVE);
	ck_assert_uint_eq(x.f.connects, 0);
	ck_assert_uint_eq(x.f.timer[BGP_TIMER_CONNECT_RETRY], 0);
	/* A stray ConnectRetry expiry does not make it connect. */
	bgp_fsm(&x.p, BGP_EV_CONNECT_RETRY_EXPIRES);
	ck_assert_uint_eq(x.p.state, BGP_ACTIVE);
	ck_assert_uint_eq(x.f.connects, 0);

	bgp_fsm(&x.p, BGP_EV_TCP_CONFIRMED);
	ck_assert_uint_eq(x.p.state, BGP_OPENSENT);
	ck_assert_uint_eq(sent_type(&x.f, 0), BGP_MSG_OPEN);
	feed_peer_open(&x);
	feed_vec(&x, KEEPALIVE);
	ck_assert_uint_eq(x.p.state, BGP_ESTABLISHED);

	/* After an error it comes back to Active, still never
	 * connecting. */
	bgp_fsm(&x.p, BGP_EV_TCP_FAILS);
	ck_assert_uint_eq(x.p.state, BGP_IDLE);
	bgp_fsm(&x.p, BGP_EV_IDLE_HOLD_TIMER_EXPIRES);
	ck_assert_uint_eq(x.p.state, BGP_ACTIVE);
	ck_assert_uint_eq(x.f.connects, 0);
	fx_free(&x);
}
END_TEST

/* RFC 4271 passive start on an active neighbor: listen first, connect
 * when ConnectRetry expires. */
START_TEST(passive_start_then_connect)
{
	struct fx x;
	fx_init(&x);
	bgp_fsm(&x.p, BGP_EV_MANUAL_START_PASSIVE);
	ck_assert_uint_eq(x.p.state, BGP_ACTIVE);
	ck_assert_uint_eq(x.f.connects, 0);
	ck_assert_uint_eq(x.f.timer[BGP_TIMER_CONNECT_RETRY], 30000);
	bgp_fsm(&x.p, BGP_EV_CONNECT_RETRY_EXPIRES);
	ck_assert_uint_eq(x.p.state, BGP_CONNECT);
	ck_assert_uint_eq(x.f.connects, 1);

	/* A connect that fails waits in Active, then tries again. */
	bgp_fsm(&x.p, BGP_EV_TCP_FAILS);
	ck_assert_uint_eq(x.p.state, BGP_ACTIVE);
	ck_assert_uint_eq(x.f.timer[BGP_TIMER_CONNECT_RETRY], 30000);
	bgp_fsm(&x.p, BGP_EV_CONNECT_RETRY_EXPIRES);
	ck_assert_uint_eq(x.p.state, BGP_CONNECT);
	ck_assert_uint_eq(x.f.connects, 2);

	/* ConnectRetry in Connect: drop and try again. */
	unsigned drops = x.f.disconnects;
	bgp_fsm(&x.p, BGP_EV_CONNECT_RETRY_EXPIRES);
	ck_assert_uint_eq(x.p.state, BGP_CONNECT);
	ck_assert_uint_eq(x.f.connects, 3);
	ck_assert_uint_eq(x.f.disconnects, drops + 1);
	fx_free(&x);
}
END_TEST

/* The default ConnectRetry is 30 s (RFC 4271 §10). */
START_TEST(connect_retry_default)
{
	struct fx x;
	fx_init(&x);
	x.cfg.connect_retry = 0;
	bgp_fsm(&x.p, BGP_EV_MANUAL_START);
	ck_assert_uint_eq(x.f.timer[BGP_TIMER_CONNECT_RETRY],
			  BGP_CONNECT_RETRY_DEFAULT * 1000);
	fx_free(&x);
	fx_init(&x);
	x.cfg.connect_retry = 5;
	bgp_fsm(&x.p, BGP_EV_MANUAL_START);
	ck_assert_uint_eq(x.f.timer[BGP_TIMER_CONNECT_RETRY], 5000);
	fx_free(&x);
}
END_TEST

/* ---- timers --------------------------------------------------------------- */

START_TEST(keepalive_and_hold)
{
	struct fx x;
	fx_init(&x);
	go(&x, BGP_ESTABLISHED);

	bgp_fsm(&x.p, BGP_EV_KEEPALIVE_TIMER_EXPIRES);
	ck_assert_uint_eq(x.f.n_sent, 1);
	ck_assert_uint_eq(sent_type(&x.f, 0), BGP_MSG_KEEPALIVE);
	ck_assert_uint_eq(x.f.arms[BGP_TIMER_KEEPALIVE], 1);
	ck_assert_uint_eq(x.f.timer[BGP_TIMER_KEEPALIVE], 30000);

	/* KEEPALIVE and UPDATE restart the hold timer. */
	feed_vec(&x, KEEPALIVE);
	ck_assert_uint_eq(x.f.arms[BGP_TIMER_HOLD], 1);
	feed_vec(&x, UPDATE_EOR);
	ck_assert_uint_eq(x.f.arms[BGP_TIMER_HOLD], 2);
	ck_assert_uint_eq(x.f.timer[BGP_TIMER_HOLD], 90000);
	ck_assert_uint_eq(x.f.updates, 1);
	ck_assert_uint_eq(x.p.updates_in, 1);

	/* An UPDATE we send restarts the keepalive timer. */
	uint64_t out = x.p.msgs_out;
	bgp_peer_update_sent(&x.p);
	ck_assert_uint_eq(x.p.updates_out, 1);
	ck_assert_uint_eq(x.p.msgs_out, out + 1);
	ck_assert_uint_eq(x.f.arms[BGP_TIMER_KEEPALIVE], 2);

	/* Hold expiry: 4/0, Idle, restart armed. */
	fake_clear(&x.f);
	bgp_fsm(&x.p, BGP_EV_HOLD_TIMER_EXPIRES);
	struct bgp_notification_info info;
	ck_assert(sent_notification(&x.f, &info, NULL, NULL));
	ck_assert_uint_eq(info.code, BGP_ERR_HOLD_TIMER);
	ck_assert_uint_eq(x.p.state, BGP_IDLE);
	ck_assert_uint_eq(x.f.downs, 1);
	ck_assert_uint_eq(x.p.established_at, 0);
	ck_assert_uint_eq(x.p.last_error.code, BGP_ERR_HOLD_TIMER);
	ck_assert(x.p.last_error.sent);
	ck_assert_uint_eq(x.f.timer[BGP_TIMER_IDLE_HOLD], 1000);
	bgp_fsm(&x.p, BGP_EV_IDLE_HOLD_TIMER_EXPIRES);
	ck_assert_uint_eq(x.p.state, BGP_CONNECT);
	ck_assert_uint_eq(x.f.connects, 1);
	fx_free(&x);
}
END_TEST

/* RFC 4271 §4.2: hold time 0 means no hold timer and no keepalives. */
START_TEST(hold_time_zero)
{
	struct fx x;
	fx_init(&x);
	x.peer_cfg.hold_time = 0;
	go(&x, BGP_OPENSENT);
	ck_assert_uint_eq(x.f.timer[BGP_TIMER_HOLD], BGP_HOLD_OPENSENT * 1000);
	feed_peer_open(&x);
	ck_assert_uint_eq(x.p.state, BGP_OPENCONFIRM);
	ck_assert_uint_eq(x.p.caps.hold_time, 0);
	ck_assert_uint_eq(x.f.timer[BGP_TIMER_HOLD], 0);
	ck_assert_uint_eq(x.f.timer[BGP_TIMER_KEEPALIVE], 0);
	ck_assert_uint_eq(x.f.arms[BGP_TIMER_KEEPALIVE], 0);
	feed_vec(&x, KEEPALIVE);
	ck_assert_uint_eq(x.p.state, BGP_ESTABLISHED);
	feed_vec(&x, KEEPALIVE);
	feed_vec(&x, UPDATE_EOR);
	bgp_peer_update_sent(&x.p);
	ck_assert_uint_eq(x.f.arms[BGP_TIMER_HOLD], 0);
	ck_assert_uint_eq(x.f.arms[BGP_TIMER_KEEPALIVE], 0);
	fx_free(&x);

	/* Ours 0, theirs 180: 0 too. */
	fx_init(&x);
	x.cfg.hold_time = 0;
	go(&x, BGP_OPENCONFIRM);
	ck_assert_uint_eq(x.p.caps.hold_time, 0);
	ck_assert_uint_eq(x.f.timer[BGP_TIMER_HOLD], 0);
	fx_free(&x);
}
END_TEST

/* Fails a session that got as far as OpenSent; returns the back-off. */
static uint32_t fail_once(struct fx *x)
{
	if (x->p.state == BGP_IDLE)
		bgp_fsm(&x->p, BGP_EV_IDLE_HOLD_TIMER_EXPIRES);
	ck_assert_uint_eq(x->p.state, BGP_CONNECT);
	bgp_fsm(&x->p, BGP_EV_TCP_CR_ACKED);
	bgp_fsm(&x->p, BGP_EV_HOLD_TIMER_EXPIRES);
	ck_assert_uint_eq(x->p.state, BGP_IDLE);
	return x->f.timer[BGP_TIMER_IDLE_HOLD];
}

START_TEST(backoff_growth_and_reset)
{
	struct fx x;
	fx_init(&x);
	bgp_fsm(&x.p, BGP_EV_MANUAL_START);
	static const uint32_t want[] = { 1, 2, 4, 8, 16, 32, 64, 120, 120 };
	for (size_t i = 0; i < sizeof want / sizeof want[0]; i++) {
		ck_assert_uint_eq(fail_once(&x), want[i] * 1000);
		ck_assert_uint_eq(x.p.connect_retry_counter, i + 1);
	}

	/* Up for less than BGP_STABLE_TIME: still backing off. */
	bgp_fsm(&x.p, BGP_EV_IDLE_HOLD_TIMER_EXPIRES);
	bgp_fsm(&x.p, BGP_EV_TCP_CR_ACKED);
	feed_peer_open(&x);
	feed_vec(&x, KEEPALIVE);
	ck_assert_uint_eq(x.p.state, BGP_ESTABLISHED);
	fake_clock += (BGP_STABLE_TIME - 1) * 1000;
	bgp_fsm(&x.p, BGP_EV_TCP_FAILS);
	ck_assert_uint_eq(x.f.timer[BGP_TIMER_IDLE_HOLD], 120000);

	/* Up for a while: back to the first step. */
	bgp_fsm(&x.p, BGP_EV_IDLE_HOLD_TIMER_EXPIRES);
	bgp_fsm(&x.p, BGP_EV_TCP_CR_ACKED);
	feed_peer_open(&x);
	feed_vec(&x, KEEPALIVE);
	fake_clock += BGP_STABLE_TIME * 1000;
	bgp_fsm(&x.p, BGP_EV_TCP_FAILS);
	ck_assert_uint_eq(x.f.timer[BGP_TIMER_IDLE_HOLD], 1000);
	ck_assert_uint_eq(fail_once(&x), 2000);

	/* A ManualStart resets it too. */
	bgp_fsm(&x.p, BGP_EV_MANUAL_STOP);
	ck_assert_uint_eq(x.f.timer[BGP_TIMER_IDLE_HOLD], 0);
	bgp_fsm(&x.p, BGP_EV_MANUAL_START);
	ck_assert_uint_eq(x.p.connect_retry_counter, 0);
	ck_assert_uint_eq(fail_once(&x), 1000);
	fx_free(&x);
}
END_TEST

/* ManualStop: Cease 6/2 with the RFC 8203 text, no restart. */
START_TEST(shutdown_no_restart)
{
	struct fx x;
	fx_init(&x);
	go(&x, BGP_ESTABLISHED);
	bgp_peer_shutdown(&x.p, "maintenance");
	struct bgp_notification_info info;
	const uint8_t *data;
	size_t len;
	ck_assert(sent_notification(&x.f, &info, &data, &len));
	ck_assert_uint_eq(info.code, BGP_ERR_CEASE);
	ck_assert_uint_eq(info.subcode, BGP_CEASE_ADMIN_SHUTDOWN);
	ck_assert_octets(data, len,
			 VEC(11, 'm', 'a', 'i', 'n', 't', 'e', 'n', 'a', 'n',
			     'c', 'e'));
	ck_assert_uint_eq(x.p.state, BGP_IDLE);
	ck_assert(!x.p.enabled);
	ck_assert_uint_eq(x.f.timer[BGP_TIMER_IDLE_HOLD], 0);
	ck_assert_uint_eq(x.f.downs, 1);
	ck_assert_str_eq(x.p.last_error.text, "maintenance");
	ck_assert(x.p.last_error.sent);
	bgp_fsm(&x.p, BGP_EV_IDLE_HOLD_TIMER_EXPIRES);
	ck_assert_uint_eq(x.p.state, BGP_IDLE);

	/* A ManualStop in Idle cancels a pending restart. */
	fx_free(&x);
	fx_init(&x);
	go(&x, BGP_OPENSENT);
	bgp_fsm(&x.p, BGP_EV_TCP_FAILS);	/* -> Active */
	bgp_fsm(&x.p, BGP_EV_TCP_FAILS);	/* -> Idle, restart armed */
	ck_assert_uint_eq(x.p.state, BGP_IDLE);
	ck_assert_uint_gt(x.f.timer[BGP_TIMER_IDLE_HOLD], 0);
	bgp_fsm(&x.p, BGP_EV_MANUAL_STOP);
	ck_assert_uint_eq(x.f.timer[BGP_TIMER_IDLE_HOLD], 0);
	bgp_fsm(&x.p, BGP_EV_IDLE_HOLD_TIMER_EXPIRES);
	ck_assert_uint_eq(x.p.state, BGP_IDLE);
	fx_free(&x);
}
END_TEST

/* AutomaticStop with a Cease subcode: restarts after the back-off. */
START_TEST(cease_then_restart)
{
	struct fx x;
	fx_init(&x);
	go(&x, BGP_ESTABLISHED);
	bgp_peer_cease(&x.p, BGP_CEASE_MAX_PREFIXES, "max_received 100");
	struct bgp_notification_info info;
	const uint8_t *data;
	size_t len;
	ck_assert(sent_notification(&x.f, &info, &data, &len));
	ck_assert_uint_eq(info.code, BGP_ERR_CEASE);
	ck_assert_uint_eq(info.subcode, BGP_CEASE_MAX_PREFIXES);
	ck_assert_uint_eq(len, 0);	/* the text only for 2 and 4 */
	ck_assert_uint_eq(x.p.state, BGP_IDLE);
	ck_assert(x.p.enabled);
	ck_assert_uint_eq(x.f.timer[BGP_TIMER_IDLE_HOLD], 1000);
	fx_free(&x);

	/* Administrative Reset carries the text. */
	fx_init(&x);
	go(&x, BGP_ESTABLISHED);
	bgp_peer_cease(&x.p, BGP_CEASE_ADMIN_RESET, "clear");
	ck_assert(sent_notification(&x.f, &info, &data, &len));
	ck_assert_uint_eq(info.subcode, BGP_CEASE_ADMIN_RESET);
	ck_assert_octets(data, len, VEC(5, 'c', 'l', 'e', 'a', 'r'));
	fx_free(&x);
}
END_TEST

/* RFC 8538: with N on both sides, the Ceases of §5 go as Hard Reset;
 * others and errors go as they are (the peer restarts gracefully). */
START_TEST(hard_reset)
{
	struct fx x;
	fx_init(&x);
	x.cfg.restart_time = 120;
	x.peer_cfg.restart_time = 90;
	go(&x, BGP_ESTABLISHED);
	ck_assert(x.p.caps.gr_notification);
	ck_assert(x.p.caps.graceful_restart);
	ck_assert_uint_eq(x.p.caps.peer_restart_time, 90);
	bgp_peer_shutdown(&x.p, "bye");
	struct bgp_notification_info info;
	const uint8_t *data;
	size_t len;
	ck_assert(sent_notification(&x.f, &info, &data, &len));
	ck_assert_uint_eq(info.code, BGP_ERR_CEASE);
	ck_assert_uint_eq(info.subcode, BGP_CEASE_HARD_RESET);
	ck_assert_octets(data, len,
			 VEC(BGP_ERR_CEASE, BGP_CEASE_ADMIN_SHUTDOWN, 3, 'b',
			     'y', 'e'));
	ck_assert_str_eq(info.text, "Cease/Administrative Shutdown: bye");
	fx_free(&x);

	fx_init(&x);
	x.cfg.restart_time = 120;
	x.peer_cfg.restart_time = 90;
	go(&x, BGP_ESTABLISHED);
	bgp_peer_cease(&x.p, BGP_CEASE_CONFIG_CHANGE, NULL);
	ck_assert(sent_notification(&x.f, &info, NULL, NULL));
	ck_assert_uint_eq(info.subcode, BGP_CEASE_CONFIG_CHANGE);
	fx_free(&x);

	fx_init(&x);
	x.cfg.restart_time = 120;
	x.peer_cfg.restart_time = 90;
	go(&x, BGP_ESTABLISHED);
	bgp_fsm(&x.p, BGP_EV_HOLD_TIMER_EXPIRES);
	ck_assert(sent_notification(&x.f, &info, NULL, NULL));
	ck_assert_uint_eq(info.code, BGP_ERR_HOLD_TIMER);
	fx_free(&x);

	/* Without our GR there is no N: a plain Cease. */
	fx_init(&x);
	x.peer_cfg.restart_time = 90;
	go(&x, BGP_ESTABLISHED);
	ck_assert(!x.p.caps.gr_notification);
	bgp_peer_shutdown(&x.p, NULL);
	ck_assert(sent_notification(&x.f, &info, &data, &len));
	ck_assert_uint_eq(info.subcode, BGP_CEASE_ADMIN_SHUTDOWN);
	ck_assert_uint_eq(len, 0);
	fx_free(&x);
}
END_TEST

/* RFC 4724 §4.2: a graceful stop closes a session with GR on both sides
 * without a NOTIFICATION (the peer keeps our routes); without GR on
 * either side, or before Established, it is an ordinary ManualStop. */
START_TEST(stop_graceful)
{
	struct fx x;
	fx_init(&x);
	x.cfg.restart_time = 120;
	x.peer_cfg.restart_time = 90;
	go(&x, BGP_ESTABLISHED);
	unsigned before = x.f.disconnects;
	struct bgp_notification_info info;
	ck_assert(bgp_peer_stop_graceful(&x.p, "upgrade"));
	ck_assert(!sent_notification(&x.f, &info, NULL, NULL));
	ck_assert_uint_eq(x.f.disconnects, before + 1);
	ck_assert_uint_eq(x.p.state, BGP_IDLE);
	ck_assert(!x.p.enabled);
	ck_assert_uint_eq(x.f.timer[BGP_TIMER_IDLE_HOLD], 0);
	ck_assert_uint_eq(x.f.downs, 1);
	fx_free(&x);

	/* The peer has no GR: Cease/Administrative Shutdown. */
	fx_init(&x);
	x.cfg.restart_time = 120;
	go(&x, BGP_ESTABLISHED);
	ck_assert(!bgp_peer_stop_graceful(&x.p, "upgrade"));
	ck_assert(sent_notification(&x.f, &info, NULL, NULL));
	ck_assert_uint_eq(info.subcode, BGP_CEASE_ADMIN_SHUTDOWN);
	fx_free(&x);

	/* We have no GR: the same. */
	fx_init(&x);
	x.peer_cfg.restart_time = 90;
	go(&x, BGP_ESTABLISHED);
	ck_assert(!bgp_peer_stop_graceful(&x.p, NULL));
	ck_assert(sent_notification(&x.f, &info, NULL, NULL));
	ck_assert_uint_eq(info.subcode, BGP_CEASE_ADMIN_SHUTDOWN);
	fx_free(&x);

	/* OpenConfirm: nothing to keep yet, a plain Cease. */
	fx_init(&x);
	x.cfg.restart_time = 120;
	x.peer_cfg.restart_time = 90;
	go(&x, BGP_OPENCONFIRM);
	ck_assert(!bgp_peer_stop_graceful(&x.p, NULL));
	ck_assert(sent_notification(&x.f, &info, NULL, NULL));
	ck_assert_uint_eq(info.code, BGP_ERR_CEASE);
	fx_free(&x);
}
END_TEST

/* bgp_peer_stop: ManualStop with the given Cease subcode. */
START_TEST(stop_with_subcode)
{
	struct fx x;
	fx_init(&x);
	go(&x, BGP_ESTABLISHED);
	bgp_peer_stop(&x.p, BGP_CEASE_PEER_DECONFIGURED, "removed");
	struct bgp_notification_info info;
	const uint8_t *data;
	size_t len;
	ck_assert(sent_notification(&x.f, &info, &data, &len));
	ck_assert_uint_eq(info.code, BGP_ERR_CEASE);
	ck_assert_uint_eq(info.subcode, BGP_CEASE_PEER_DECONFIGURED);
	ck_assert_uint_eq(len, 0);	/* RFC 8203 text only for 2 and 4 */
	ck_assert_uint_eq(x.p.state, BGP_IDLE);
	ck_assert(!x.p.enabled);
	ck_assert_uint_eq(x.f.timer[BGP_TIMER_IDLE_HOLD], 0);
	fx_free(&x);
}
END_TEST

/* ---- connection collision, RFC 4271 §6.8 ---------------------------------- */

START_TEST(collision_keep_new)
{
	struct fx x;
	fx_init(&x);
	struct addr higher, lower, same;
	addr_parse(&higher, "198.51.100.2", 12);
	addr_parse(&lower, "10.0.0.1", 8);
	addr_parse(&same, "192.0.2.1", 9);
	ck_assert(!bgp_collision_keep_new(&x.p, &higher));	/* Idle */
	go(&x, BGP_CONNECT);
	ck_assert(bgp_collision_keep_new(&x.p, &lower));
	fx_free(&x);

	/* Our 192.0.2.1 against theirs: the higher one's connection. */
	enum bgp_state states[] = { BGP_OPENSENT, BGP_OPENCONFIRM };
	for (size_t i = 0; i < 2; i++) {
		fx_init(&x);
		go(&x, states[i]);
		ck_assert(bgp_collision_keep_new(&x.p, &higher));
		ck_assert(!bgp_collision_keep_new(&x.p, &lower));
		/* RFC 6286 §2.3: equal: the larger AS's connection; the
		 * new one is the peer's. */
		ck_assert(!bgp_collision_keep_new(&x.p, &same));
		x.cfg.remote_as = 65200;
		ck_assert(bgp_collision_keep_new(&x.p, &same));
		fx_free(&x);
	}

	/* Established: the old one stays, unless the peer has GR
	 * (RFC 4724 §4.2: it restarted). */
	fx_init(&x);
	go(&x, BGP_ESTABLISHED);
	ck_assert(!bgp_collision_keep_new(&x.p, &higher));
	fx_free(&x);
	fx_init(&x);
	x.peer_cfg.restart_time = 120;
	go(&x, BGP_ESTABLISHED);
	ck_assert(bgp_collision_keep_new(&x.p, &higher));
	ck_assert(bgp_collision_keep_new(&x.p, &lower));
	fx_free(&x);
}
END_TEST

/* The new connection wins: Cease 6/7 on the old one, then the new one
 * goes through OpenSent and OpenConfirm. */
START_TEST(collision_dump_and_swap)
{
	struct fx x;
	fx_init(&x);
	go(&x, BGP_OPENCONFIRM);
	bgp_collision_dump(&x.p);
	struct bgp_notification_info info;
	ck_assert(sent_notification(&x.f, &info, NULL, NULL));
	ck_assert_uint_eq(info.code, BGP_ERR_CEASE);
	ck_assert_uint_eq(info.subcode, BGP_CEASE_COLLISION);
	ck_assert_uint_eq(x.p.state, BGP_ACTIVE);
	ck_assert_uint_eq(x.f.disconnects, 1);
	ck_assert_uint_eq(x.f.timer[BGP_TIMER_HOLD], 0);
	ck_assert_uint_eq(x.f.timer[BGP_TIMER_KEEPALIVE], 0);
	ck_assert_uint_eq(x.f.timer[BGP_TIMER_IDLE_HOLD], 0);

	fake_clear(&x.f);
	bgp_fsm(&x.p, BGP_EV_TCP_CONFIRMED);
	ck_assert_uint_eq(x.p.state, BGP_OPENSENT);
	ck_assert_uint_eq(sent_type(&x.f, 0), BGP_MSG_OPEN);
	feed_peer_open(&x);
	ck_assert_uint_eq(x.p.state, BGP_OPENCONFIRM);
	feed_vec(&x, KEEPALIVE);
	ck_assert_uint_eq(x.p.state, BGP_ESTABLISHED);
	ck_assert_uint_eq(x.p.connect_retry_counter, 0);
	fx_free(&x);

	/* From Established (peer restarted with GR): down(), then the
	 * new session. */
	fx_init(&x);
	x.peer_cfg.restart_time = 120;
	go(&x, BGP_ESTABLISHED);
	bgp_collision_dump(&x.p);
	ck_assert_uint_eq(x.p.state, BGP_ACTIVE);
	ck_assert_uint_eq(x.f.downs, 1);
	bgp_fsm(&x.p, BGP_EV_TCP_CONFIRMED);
	feed_peer_open(&x);
	feed_vec(&x, KEEPALIVE);
	ck_assert_uint_eq(x.p.state, BGP_ESTABLISHED);
	ck_assert_uint_eq(x.p.established_count, 2);
	fx_free(&x);

	/* Nothing to dump before OpenSent. */
	fx_init(&x);
	go(&x, BGP_ACTIVE);
	bgp_collision_dump(&x.p);
	ck_assert_uint_eq(x.p.state, BGP_ACTIVE);
	ck_assert_uint_eq(x.f.n_sent, 0);
	fx_free(&x);
}
END_TEST

/* ---- bad messages --------------------------------------------------------- */

struct bad {
	const char *what;
	enum bgp_state state;
	struct vec msg;
	uint8_t code, subcode;
	struct vec data;	/* .data NULL: do not check */
};

#define NO_DATA ((struct vec){ (const uint8_t *)"", 0 })
#define ANY_DATA ((struct vec){ NULL, 0 })

static void check_bad(const struct bad *b)
{
	struct fx x;
	fx_init(&x);
	go(&x, b->state);
	uint64_t in = x.p.msgs_in;
	feed_vec(&x, b->msg);
	struct bgp_notification_info info;
	const uint8_t *data;
	size_t len;
	ck_assert_msg(sent_notification(&x.f, &info, &data, &len),
		      "%s: no NOTIFICATION", b->what);
	ck_assert_msg(info.code == b->code && info.subcode == b->subcode,
		      "%s: sent %s, want %s", b->what,
		      bgp_notify_str(info.code, info.subcode),
		      bgp_notify_str(b->code, b->subcode));
	if (b->data.data) {
		ck_assert_msg(len == b->data.len, "%s: %zu octets of data",
			      b->what, len);
		ck_assert_mem_eq(data, b->data.data, len);
	}
	ck_assert_uint_eq(x.p.state, BGP_IDLE);
	ck_assert_uint_eq(x.p.msgs_in, in + 1);
	ck_assert_uint_eq(x.f.updates, 0);
	fx_free(&x);
}

START_TEST(bad_headers)
{
	const struct bad cases[] = {
		{ "marker", BGP_OPENSENT,
		  VEC(0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff,
		      0xff, 0xff, 0xff, 0xff, 0xff, 0x00, U16(19),
		      BGP_MSG_KEEPALIVE),
		  N(HEADER, BGP_HDR_NOT_SYNC), NO_DATA },
		{ "length 18", BGP_OPENSENT, VEC(MARKER, U16(18), BGP_MSG_KEEPALIVE),
		  N(HEADER, BGP_HDR_BAD_LENGTH), VEC(U16(18)) },
		{ "cut header", BGP_ESTABLISHED, VEC(MARKER, 0),
		  N(HEADER, BGP_HDR_BAD_LENGTH), VEC(U16(17)) },
		{ "length field not the size", BGP_OPENSENT,
		  VEC(MARKER, U16(20), BGP_MSG_KEEPALIVE),
		  N(HEADER, BGP_HDR_BAD_LENGTH), VEC(U16(20)) },
		{ "type 0", BGP_OPENSENT, VEC(MARKER, U16(19), 0),
		  N(HEADER, BGP_HDR_BAD_TYPE), VEC(0) },
		{ "type 6", BGP_ESTABLISHED, VEC(MARKER, U16(19), 6),
		  N(HEADER, BGP_HDR_BAD_TYPE), VEC(6) },
		{ "KEEPALIVE of 20", BGP_ESTABLISHED,
		  VEC(MARKER, U16(20), BGP_MSG_KEEPALIVE, 0),
		  N(HEADER, BGP_HDR_BAD_LENGTH), VEC(U16(20)) },
		{ "OPEN of 28", BGP_OPENSENT,
		  VEC(MARKER, U16(28), BGP_MSG_OPEN, 4, U16(65100), U16(90),
		      198, 51, 100, 2),
		  N(HEADER, BGP_HDR_BAD_LENGTH), VEC(U16(28)) },
		{ "UPDATE of 22", BGP_ESTABLISHED,
		  VEC(MARKER, U16(22), BGP_MSG_UPDATE, 0, 0, 0),
		  N(HEADER, BGP_HDR_BAD_LENGTH), VEC(U16(22)) },
		{ "NOTIFICATION of 20", BGP_ESTABLISHED,
		  VEC(MARKER, U16(20), BGP_MSG_NOTIFICATION, BGP_ERR_CEASE),
		  N(HEADER, BGP_HDR_BAD_LENGTH), VEC(U16(20)) },
		/* ROUTE-REFRESH of 24 when enhanced refresh is off: a header
		 * error (RFC 4271 §6.1). MINIMAL_OPEN has no refresh caps. */
	};
	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++)
		check_bad(&cases[i]);
}
END_TEST

/* Longer than 4096: refused before the OPEN exchange and for OPEN and
 * KEEPALIVE always; other messages up to 65535 later (RFC 8654 §4). */
START_TEST(bad_length_extended)
{
	size_t n = BGP_MAX_MSG + 1;
	uint8_t *msg = calloc(1, n);
	memset(msg, 0xff, BGP_MARKER_LEN);
	msg[16] = (uint8_t)(n >> 8);
	msg[17] = (uint8_t)n;
	msg[18] = BGP_MSG_OPEN;

	struct fx x;
	fx_init(&x);
	go(&x, BGP_OPENSENT);
	bgp_fsm_message(&x.p, msg, n);
	struct bgp_notification_info info;
	const uint8_t *data;
	size_t len;
	ck_assert(sent_notification(&x.f, &info, &data, &len));
	ck_assert_uint_eq(info.code, BGP_ERR_HEADER);
	ck_assert_uint_eq(info.subcode, BGP_HDR_BAD_LENGTH);
	ck_assert_octets(data, len, VEC(U16(4097)));
	fx_free(&x);

	fx_init(&x);
	go(&x, BGP_ESTABLISHED);
	bgp_fsm_message(&x.p, msg, n);
	ck_assert(sent_notification(&x.f, &info, NULL, NULL));
	ck_assert_uint_eq(info.subcode, BGP_HDR_BAD_LENGTH);
	fx_free(&x);
	free(msg);

	/* A 5000-octet UPDATE (an unknown optional attribute) is fine once
	 * Established. */
	n = 5000;
	struct writer w = writer_init(0);
	size_t start = bgp_header_put(&w, BGP_MSG_UPDATE);
	put_u16(&w, 0);
	put_u16(&w, (uint16_t)(n - BGP_UPDATE_MIN_LEN));
	put_u8(&w, OPT | TRANS | EXTLEN);
	put_u8(&w, 200);
	put_u16(&w, (uint16_t)(n - BGP_UPDATE_MIN_LEN - 4));
	for (size_t i = w.len; i < n; i++)
		put_u8(&w, 0x5a);
	bgp_header_finish(&w, start);
	ck_assert_uint_eq(w.len, n);
	fx_init(&x);
	go(&x, BGP_ESTABLISHED);
	ck_assert_uint_eq(bgp_peer_max_msg_in(&x.p), BGP_MAX_MSG_EXTENDED);
	ck_assert_uint_eq(bgp_peer_max_msg_out(&x.p), BGP_MAX_MSG_EXTENDED);
	feed_writer(&x, &w);
	ck_assert_uint_eq(x.p.state, BGP_ESTABLISHED);
	ck_assert_uint_eq(x.f.updates, 1);
	fx_free(&x);
}
END_TEST

START_TEST(bad_opens)
{
	const struct bad cases[] = {
		{ "version 3", BGP_OPENSENT,
		  VEC(MARKER, U16(29), BGP_MSG_OPEN, 3, U16(65100), U16(90), 198,
		      51, 100, 2, 0),
		  N(OPEN, BGP_OPEN_UNSUP_VERSION), VEC(0, 4) },
		{ "peer AS", BGP_OPENSENT,
		  VEC(MARKER, U16(29), BGP_MSG_OPEN, 4, U16(65101), U16(90),
		      198, 51, 100, 2, 0),
		  N(OPEN, BGP_OPEN_BAD_PEER_AS), NO_DATA },
		{ "BGP identifier 0", BGP_OPENSENT,
		  VEC(MARKER, U16(29), BGP_MSG_OPEN, 4, U16(65100), U16(90), 0,
		      0, 0, 0, 0),
		  N(OPEN, BGP_OPEN_BAD_BGP_ID), NO_DATA },
		{ "our BGP identifier, iBGP", BGP_OPENSENT,
		  VEC(MARKER, U16(29), BGP_MSG_OPEN, 4, U16(65100), U16(90), 192,
		      0, 2, 1, 0),
		  N(OPEN, BGP_OPEN_BAD_BGP_ID), NO_DATA },
		{ "hold time 2", BGP_OPENSENT,
		  VEC(MARKER, U16(29), BGP_MSG_OPEN, 4, U16(65100), U16(2), 198,
		      51, 100, 2, 0),
		  N(OPEN, BGP_OPEN_BAD_HOLD_TIME), NO_DATA },
		{ "optional parameter 1", BGP_OPENSENT,
		  VEC(MARKER, U16(31), BGP_MSG_OPEN, 4, U16(65100), U16(90),
		      198, 51, 100, 2, 2, 1, 0),
		  N(OPEN, BGP_OPEN_UNSUP_OPT_PARAM), NO_DATA },
		{ "bad capability", BGP_OPENSENT,
		  VEC(MARKER, U16(33), BGP_MSG_OPEN, 4, U16(65100), U16(90),
		      198, 51, 100, 2, 4, BGP_OPT_PARAM_CAPABILITIES, 2,
		      BGP_CAP_AS4, 2),
		  N(OPEN, BGP_ERR_UNSPECIFIC), NO_DATA },
	};
	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++)
		check_bad(&cases[i]);
}
END_TEST

/* RFC 4271 §6.3 as RFC 7606 leaves it: faults that reset the session,
 * with the attribute as data where §6.3 asks for it. */
START_TEST(bad_updates_reset)
{
	const struct bad cases[] = {
		{ "withdrawn length", BGP_ESTABLISHED,
		  VEC(MARKER, U16(23), BGP_MSG_UPDATE, U16(50), U16(0)),
		  N(UPDATE, BGP_UPD_ERR_ATTR_LIST), NO_DATA },
		{ "attribute length past the list", BGP_ESTABLISHED,
		  VEC(MARKER, U16(27), BGP_MSG_UPDATE, U16(0), U16(4), OPT,
		      BGP_ATTR_MP_UNREACH_NLRI, 9, 0),
		  N(UPDATE, BGP_UPD_ERR_ATTR_LIST), NO_DATA },
		{ "unrecognized well-known", BGP_ESTABLISHED,
		  VEC(MARKER, U16(26), BGP_MSG_UPDATE, U16(0), U16(3), TRANS,
		      99, 0),
		  N(UPDATE, BGP_UPD_ERR_UNRECOGNIZED_WK), VEC(TRANS, 99, 0) },
		{ "MP_UNREACH_NLRI flags", BGP_ESTABLISHED,
		  VEC(MARKER, U16(29), BGP_MSG_UPDATE, U16(0), U16(6), TRANS,
		      BGP_ATTR_MP_UNREACH_NLRI, 3, U16(1), 133),
		  N(UPDATE, BGP_UPD_ERR_ATTR_FLAGS),
		  VEC(TRANS, BGP_ATTR_MP_UNREACH_NLRI, 3, U16(1), 133) },
		{ "MP_UNREACH_NLRI twice", BGP_ESTABLISHED,
		  VEC(MARKER, U16(35), BGP_MSG_UPDATE, U16(0), U16(12), OPT,
		      BGP_ATTR_MP_UNREACH_NLRI, 3, U16(1), 133, OPT,
		      BGP_ATTR_MP_UNREACH_NLRI, 3, U16(2), 133),
		  N(UPDATE, BGP_UPD_ERR_ATTR_LIST), NO_DATA },
		/* RFC 7606 §7.11: a next hop length that hides the NLRI. */
		{ "MP_REACH_NLRI next hop length", BGP_ESTABLISHED,
		  VEC(MARKER, U16(36), BGP_MSG_UPDATE, U16(0), U16(13), OPT,
		      BGP_ATTR_MP_REACH_NLRI, 10, U16(1), 133, 5, 1, 2, 3, 4,
		      5, 0),
		  N(UPDATE, BGP_UPD_ERR_OPTIONAL_ATTR),
		  VEC(OPT, BGP_ATTR_MP_REACH_NLRI, 10, U16(1), 133, 5, 1, 2, 3,
		      4, 5, 0) },
		/* RFC 7606 §5.3: an NLRI length past the attribute. */
		{ "MP_REACH_NLRI NLRI cut", BGP_ESTABLISHED,
		  VEC(MARKER, U16(34), BGP_MSG_UPDATE, U16(0), U16(11), OPT,
		      BGP_ATTR_MP_REACH_NLRI, 8, U16(1), 133, 0, 0, 10, 1, 24),
		  N(UPDATE, BGP_UPD_ERR_OPTIONAL_ATTR),
		  VEC(OPT, BGP_ATTR_MP_REACH_NLRI, 8, U16(1), 133, 0, 0, 10, 1,
		      24) },
		{ "MP_UNREACH_NLRI too short", BGP_ESTABLISHED,
		  VEC(MARKER, U16(28), BGP_MSG_UPDATE, U16(0), U16(5), OPT,
		      BGP_ATTR_MP_UNREACH_NLRI, 2, U16(1)),
		  N(UPDATE, BGP_UPD_ERR_OPTIONAL_ATTR),
		  VEC(OPT, BGP_ATTR_MP_UNREACH_NLRI, 2, U16(1)) },
		/* An IPv4 prefix longer than 32 bits. */
		{ "NLRI prefix", BGP_ESTABLISHED,
		  VEC(MARKER, U16(28), BGP_MSG_UPDATE, U16(0), U16(0), 33, 1, 2,
		      3, 4),
		  N(UPDATE, BGP_UPD_ERR_NETWORK), NO_DATA },
	};
	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++)
		check_bad(&cases[i]);
}
END_TEST

/* RFC 7606 faults that do not reset: logged, counted; treat-as-withdraw
 * hands the UPDATE over (its routes are withdrawn), a family we do not
 * take is not handed over. */
START_TEST(bad_updates_withdraw)
{
	const struct vec cases[] = {
		/* ORIGIN with the optional bit (RFC 7606 §3 c). */
		VEC(MARKER, U16(27), BGP_MSG_UPDATE, U16(0), U16(4), OPT | TRANS,
		    BGP_ATTR_ORIGIN, 1, 0),
		/* ORIGIN 5 (§7.1). */
		VEC(MARKER, U16(27), BGP_MSG_UPDATE, U16(0), U16(4), TRANS,
		    BGP_ATTR_ORIGIN, 1, 5),
		/* EXTENDED_COMMUNITIES of 7 octets (§7.14). */
		VEC(MARKER, U16(33), BGP_MSG_UPDATE, U16(0), U16(10),
		    OPT | TRANS, BGP_ATTR_EXT_COMMUNITIES, 7, 0x80, 0x06, 0, 0,
		    0, 0, 0),
		/* A Flowspec NLRI with its components out of order
		 * (RFC 8955 §4.2): protocol =6 before destination 10/8. */
		VEC(MARKER, U16(38), BGP_MSG_UPDATE, U16(0), U16(15), OPT,
		    BGP_ATTR_MP_REACH_NLRI, 12, U16(1), 133, 0, 0, 6, 3, 0x81,
		    6, 1, 8, 10),
		/* A family we do not take (AFI 3) and IPv4 unicast in MP. */
		VEC(MARKER, U16(29), BGP_MSG_UPDATE, U16(0), U16(6), OPT,
		    BGP_ATTR_MP_UNREACH_NLRI, 3, U16(3), 133),
		VEC(MARKER, U16(29), BGP_MSG_UPDATE, U16(0), U16(6), OPT,
		    BGP_ATTR_MP_UNREACH_NLRI, 3, U16(1), 1),
	};
	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		struct fx x;
		fx_init(&x);
		go(&x, BGP_ESTABLISHED);
		feed_vec(&x, cases[i]);
		ck_assert_msg(x.p.state == BGP_ESTABLISHED, "case %zu: %s", i,
			      bgp_state_name(x.p.state));
		ck_assert_uint_eq(x.f.n_sent, 0);
		/* The last two: AFI 3, IPv4 unicast: ignored. */
		ck_assert_uint_eq(x.f.updates,
				  i + 2 < sizeof cases / sizeof cases[0]);
		ck_assert_uint_eq(x.p.updates_in, 1);
		ck_assert_uint_eq(x.p.updates_invalid, 1);
		ck_assert_uint_eq(x.f.arms[BGP_TIMER_HOLD], 1);
		fx_free(&x);
	}
}
END_TEST

/* ---- NOTIFICATION received ------------------------------------------------ */

START_TEST(notification_received)
{
	struct fx x;
	fx_init(&x);
	go(&x, BGP_ESTABLISHED);
	feed_vec(&x, VEC(MARKER, U16(25), BGP_MSG_NOTIFICATION, BGP_ERR_CEASE,
			 BGP_CEASE_ADMIN_SHUTDOWN, 3, 'b', 'y', 'e'));
	ck_assert_uint_eq(x.p.state, BGP_IDLE);
	ck_assert_uint_eq(x.f.n_sent, 0);
	ck_assert_uint_eq(x.p.last_error.code, BGP_ERR_CEASE);
	ck_assert_uint_eq(x.p.last_error.subcode, BGP_CEASE_ADMIN_SHUTDOWN);
	ck_assert_str_eq(x.p.last_error.text, "bye");
	ck_assert(!x.p.last_error.sent);
	ck_assert_uint_eq(x.f.downs, 1);
	/* The peer's restart is ours to wait for: restart armed. */
	ck_assert_uint_eq(x.f.timer[BGP_TIMER_IDLE_HOLD], 1000);
	fx_free(&x);

	/* In OpenSent §8.2.2 answers with an FSM Error, but the peer's
	 * NOTIFICATION stays the one shown. */
	fx_init(&x);
	go(&x, BGP_OPENSENT);
	feed_vec(&x, VEC(MARKER, U16(21), BGP_MSG_NOTIFICATION,
			 BGP_ERR_OPEN, BGP_OPEN_BAD_PEER_AS));
	ck_assert_uint_eq(x.p.state, BGP_IDLE);
	ck_assert_uint_eq(x.p.last_error.code, BGP_ERR_OPEN);
	ck_assert_uint_eq(x.p.last_error.subcode, BGP_OPEN_BAD_PEER_AS);
	ck_assert(!x.p.last_error.sent);
	fx_free(&x);
}
END_TEST

/* ---- ROUTE-REFRESH -------------------------------------------------------- */

START_TEST(route_refresh)
{
	struct fx x;
	fx_init(&x);
	go(&x, BGP_ESTABLISHED);
	feed_vec(&x, VEC(MARKER, U16(23), BGP_MSG_ROUTE_REFRESH,
			 U16(BGP_AFI_IPV6), BGP_RR_REQUEST, BGP_SAFI_FLOWSPEC));
	ck_assert_uint_eq(x.f.refreshes, 1);
	ck_assert_uint_eq(x.f.refresh_afi, FS_AFI_IPV6);
	feed_vec(&x, ROUTE_REFRESH_V4);
	ck_assert_uint_eq(x.f.refreshes, 2);
	ck_assert_uint_eq(x.f.refresh_afi, FS_AFI_IPV4);
	/* RFC 2918 §4: a family not negotiated is ignored. */
	feed_vec(&x, VEC(MARKER, U16(23), BGP_MSG_ROUTE_REFRESH,
			 U16(BGP_AFI_IPV4), BGP_RR_REQUEST, BGP_SAFI_UNICAST));
	/* RFC 7313: BoRR/EoRR are about the peer's routes; other
	 * subtypes are ignored. */
	feed_vec(&x, VEC(MARKER, U16(23), BGP_MSG_ROUTE_REFRESH,
			 U16(BGP_AFI_IPV4), BGP_RR_BORR, BGP_SAFI_FLOWSPEC));
	feed_vec(&x, VEC(MARKER, U16(23), BGP_MSG_ROUTE_REFRESH,
			 U16(BGP_AFI_IPV4), 7, BGP_SAFI_FLOWSPEC));
	ck_assert_uint_eq(x.f.refreshes, 2);
	ck_assert_uint_eq(x.p.state, BGP_ESTABLISHED);
	ck_assert_uint_eq(x.f.n_sent, 0);

	/* RFC 7313 §5: the wrong length with enhanced refresh on: 7/1 with
	 * the whole message. */
	struct vec rr24 = VEC(MARKER, U16(24), BGP_MSG_ROUTE_REFRESH,
			      U16(BGP_AFI_IPV4), BGP_RR_REQUEST,
			      BGP_SAFI_FLOWSPEC, 0);
	feed_vec(&x, rr24);
	struct bgp_notification_info info;
	const uint8_t *data;
	size_t len;
	ck_assert(sent_notification(&x.f, &info, &data, &len));
	ck_assert_uint_eq(info.code, BGP_ERR_ROUTE_REFRESH);
	ck_assert_uint_eq(info.subcode, BGP_RR_ERR_LENGTH);
	ck_assert_uint_eq(len, rr24.len);
	ck_assert_mem_eq(data, rr24.data, len);
	ck_assert_uint_eq(x.p.state, BGP_IDLE);
	fx_free(&x);

	/* Without it: a header error. A session with IPv4 Flowspec only
	 * ignores an IPv6 request. */
	fx_init(&x);
	x.cfg.families = BGP_FAM_IPV4_FLOWSPEC;
	go(&x, BGP_OPENSENT);
	feed_vec(&x, MINIMAL_OPEN);
	feed_vec(&x, KEEPALIVE);
	ck_assert_uint_eq(x.p.state, BGP_ESTABLISHED);
	ck_assert(!x.p.caps.enhanced_refresh && !x.p.caps.route_refresh);
	ck_assert_uint_eq(bgp_peer_max_msg_out(&x.p), BGP_MAX_MSG);
	fake_clear(&x.f);
	feed_vec(&x, VEC(MARKER, U16(23), BGP_MSG_ROUTE_REFRESH,
			 U16(BGP_AFI_IPV6), BGP_RR_REQUEST, BGP_SAFI_FLOWSPEC));
	ck_assert_uint_eq(x.f.refreshes, 0);
	feed_vec(&x, rr24);
	ck_assert(sent_notification(&x.f, &info, &data, &len));
	ck_assert_uint_eq(info.code, BGP_ERR_HEADER);
	ck_assert_uint_eq(info.subcode, BGP_HDR_BAD_LENGTH);
	ck_assert_octets(data, len, VEC(U16(24)));
	fx_free(&x);
}
END_TEST

/* ---- odds and ends -------------------------------------------------------- */

/* A peer that offered no Flowspec family still comes up (and carries
 * nothing; the FSM logs it). */
START_TEST(no_common_family)
{
	struct fx x;
	fx_init(&x);
	go(&x, BGP_OPENSENT);
	feed_vec(&x, VEC(MARKER, U16(29), BGP_MSG_OPEN, BGP_VERSION,
			 U16(65100), U16(90), 198, 51, 100, 2, 0));
	ck_assert_uint_eq(x.p.state, BGP_OPENCONFIRM);
	ck_assert_uint_eq(x.p.caps.families, 0);
	ck_assert_uint_eq(x.p.caps.peer_families, BGP_FAM_IPV4_UNICAST);
	fx_free(&x);
}
END_TEST

START_TEST(message_event_without_message)
{
	struct fx x;
	fx_init(&x);
	go(&x, BGP_OPENCONFIRM);
	bgp_fsm(&x.p, BGP_EV_KEEPALIVE);
	bgp_fsm(&x.p, BGP_EV_OPEN);
	bgp_fsm(&x.p, BGP_EV_UPDATE_ERR);
	ck_assert_uint_eq(x.p.state, BGP_OPENCONFIRM);
	ck_assert_uint_eq(x.f.n_sent, 0);
	fx_free(&x);
}
END_TEST

START_TEST(idle_refuses_connection)
{
	struct fx x;
	fx_init(&x);
	bgp_fsm(&x.p, BGP_EV_TCP_CONFIRMED);
	ck_assert_uint_eq(x.p.state, BGP_IDLE);
	ck_assert_uint_eq(x.f.disconnects, 1);
	ck_assert_uint_eq(x.f.n_sent, 0);
	feed_vec(&x, KEEPALIVE);
	ck_assert_uint_eq(x.p.state, BGP_IDLE);
	ck_assert_uint_eq(x.f.n_sent, 0);
	fx_free(&x);
}
END_TEST

START_TEST(frame_length)
{
	struct vec ok = VEC(MARKER, U16(19), BGP_MSG_KEEPALIVE);
	ck_assert_uint_eq(bgp_frame_length(ok.data, BGP_MAX_MSG), 19);
	struct vec big = VEC(MARKER, U16(5000), BGP_MSG_UPDATE);
	ck_assert_uint_eq(bgp_frame_length(big.data, BGP_MAX_MSG), 0);
	ck_assert_uint_eq(bgp_frame_length(big.data, BGP_MAX_MSG_EXTENDED),
			  5000);
	struct vec small = VEC(MARKER, U16(18), BGP_MSG_KEEPALIVE);
	ck_assert_uint_eq(bgp_frame_length(small.data, BGP_MAX_MSG), 0);
	struct vec marker = VEC(0xfe, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff,
				0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff,
				U16(19), BGP_MSG_KEEPALIVE);
	ck_assert_uint_eq(bgp_frame_length(marker.data, BGP_MAX_MSG), 0);
}
END_TEST

START_TEST(names_and_timers)
{
	ck_assert_str_eq(bgp_state_name(BGP_OPENCONFIRM), "OpenConfirm");
	ck_assert_str_eq(bgp_state_name((enum bgp_state)42), "unknown state");
	ck_assert_str_eq(bgp_event_name(BGP_EV_NOTIF_VERSION_ERR),
			 "NotifMsgVerErr");
	ck_assert_str_eq(bgp_event_name((enum bgp_event)77), "unknown event");
	ck_assert_uint_eq(bgp_timer_event(BGP_TIMER_CONNECT_RETRY),
			  BGP_EV_CONNECT_RETRY_EXPIRES);
	ck_assert_uint_eq(bgp_timer_event(BGP_TIMER_HOLD),
			  BGP_EV_HOLD_TIMER_EXPIRES);
	ck_assert_uint_eq(bgp_timer_event(BGP_TIMER_KEEPALIVE),
			  BGP_EV_KEEPALIVE_TIMER_EXPIRES);
	ck_assert_uint_eq(bgp_timer_event(BGP_TIMER_IDLE_HOLD),
			  BGP_EV_IDLE_HOLD_TIMER_EXPIRES);
}
END_TEST

static Suite *fsm_suite(void)
{
	Suite *s = suite_create("fsm");
	TCase *tc = tcase_create("rfc4271 8.2.2 table");
	tcase_add_loop_test(tc, state_event_table, 0, (int)N_ROWS);
	tcase_add_test(tc, table_is_complete);
	suite_add_tcase(s, tc);
	ADD_CASE(s, "handshake", handshake_active, handshake_passive,
		 passive_start_then_connect, connect_retry_default);
	ADD_CASE(s, "timers", keepalive_and_hold, hold_time_zero,
		 backoff_growth_and_reset, shutdown_no_restart,
		 stop_graceful, stop_with_subcode,
		 cease_then_restart, hard_reset);
	ADD_CASE(s, "collision", collision_keep_new, collision_dump_and_swap);
	ADD_CASE(s, "messages", bad_headers, bad_length_extended, bad_opens,
		 bad_updates_reset, bad_updates_withdraw, notification_received,
		 route_refresh, no_common_family, message_event_without_message,
		 idle_refuses_connection, frame_length);
	ADD_CASE(s, "names", names_and_timers);
	return s;
}

static Suite *quiet_fsm_suite(void)
{
	log_set_level(LOG_ERROR);
	return fsm_suite();
}

TEST_MAIN(quiet_fsm_suite)
