/* libFuzzer harness for the session messages and the FSM
 * (bgpd/bgp/fsm.c, open.c, notify.c): a peer in OpenSent or Established
 * is fed messages and events through bgp_fsm_message() / bgp_fsm() with
 * a fake struct bgp_io. It must never crash, and every message it sends
 * must be well framed.
 *
 * Input: one control octet, then records.
 *   control bit 0   start in Established (else OpenSent)
 *   control bit 1   raw: the rest is one message, fed as it is
 *   control bit 2   graceful restart on both sides (RFC 8538 Hard Reset)
 *   control bit 3   passive neighbor
 * A record is a kind octet; kinds 0xf0-0xff are an event from the table
 * below (no body); any other kind is a message type, followed by a
 * two-octet body length and the body (cut to what is left); the harness
 * adds the marker and the Length field. */
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bgpd/bgp/msg.h"
#include "bgpd/bgp/notify.h"
#include "bgpd/bgp/open.h"
#include "bgpd/bgp/peer.h"
#include "lib/log.h"

#define FUZZ_NAME "fuzz_open"
#include "fuzz.h"

#define CTRL_ESTABLISHED 0x01
#define CTRL_RAW 0x02
#define CTRL_GR 0x04
#define CTRL_PASSIVE 0x08
#define KIND_EVENT 0xf0

static const enum bgp_event events[16] = {
	BGP_EV_MANUAL_START,		BGP_EV_MANUAL_STOP,
	BGP_EV_AUTOMATIC_START,		BGP_EV_MANUAL_START_PASSIVE,
	BGP_EV_AUTOMATIC_STOP,		BGP_EV_CONNECT_RETRY_EXPIRES,
	BGP_EV_HOLD_TIMER_EXPIRES,	BGP_EV_KEEPALIVE_TIMER_EXPIRES,
	BGP_EV_IDLE_HOLD_TIMER_EXPIRES, BGP_EV_TCP_CR_ACKED,
	BGP_EV_TCP_CONFIRMED,		BGP_EV_TCP_FAILS,
	BGP_EV_OPEN_COLLISION_DUMP,	BGP_EV_AUTOMATIC_START_PASSIVE,
	BGP_EV_MANUAL_START,		BGP_EV_TCP_CR_ACKED,
};

struct fake {
	uint32_t timer[BGP_TIMER_COUNT];
	unsigned up;	/* established() minus down() */
	size_t sent;
};

static int64_t clock_ms = 1;

static struct fake *F(struct bgp_peer *p)
{
	return p->io_ctx;
}

static void f_connect(struct bgp_peer *p)
{
	(void)p;
}

static void f_disconnect(struct bgp_peer *p)
{
	(void)p;
}

static void f_send(struct bgp_peer *p, const uint8_t *msg, size_t len)
{
	if (len < BGP_HEADER_LEN || len > BGP_MAX_MSG_EXTENDED ||
	    bgp_frame_length(msg, BGP_MAX_MSG_EXTENDED) != len)
		die("sent a badly framed message of %zu octets", len);
	if (len > bgp_peer_max_msg_out(p) && p->state != BGP_IDLE)
		die("sent %zu octets, more than the peer takes", len);
	if (msg[BGP_HEADER_LEN - 1] == BGP_MSG_NOTIFICATION) {
		struct bgp_notification_info info;
		if (!bgp_notify_decode(msg, len, &info))
			die("sent a NOTIFICATION we cannot read");
		if (strlen(info.text) >= sizeof info.text)
			die("text overflow");
	}
	F(p)->sent++;
}

static void f_timer(struct bgp_peer *p, enum bgp_timer t, uint32_t ms)
{
	if ((unsigned)t >= BGP_TIMER_COUNT)
		die("timer %d", (int)t);
	F(p)->timer[t] = ms;
}

static void f_established(struct bgp_peer *p)
{
	if (F(p)->up++)
		die("established() twice");
}

static void f_down(struct bgp_peer *p)
{
	if (!F(p)->up--)
		die("down() without established()");
}

static bool count_flow(void *ctx, const struct bgp_flow *flow)
{
	(void)ctx;
	if (!flow->withdrawn)
		die("treat-as-withdraw handed over an announce");
	return true;
}

static void f_update(struct bgp_peer *p, const uint8_t *msg, size_t len)
{
	struct bgp_update_result res;
	if (p->state != BGP_ESTABLISHED)
		die("update() in %s", bgp_state_name(p->state));
	/* A refused UPDATE comes only for RFC 7606 treat-as-withdraw: what
	 * it withdraws must be found safely. */
	if (bgp_update_decode(msg, len, NULL, NULL, &res) != BGP_UPD_OK)
		bgp_update_withdraw_all(msg, len, count_flow, NULL);
}

static void f_refresh(struct bgp_peer *p, enum fs_afi afi)
{
	if (afi != FS_AFI_IPV4 && afi != FS_AFI_IPV6)
		die("refresh() for AFI %d", (int)afi);
	if (!(p->caps.families & bgp_family_of(afi)))
		die("refresh() for a family not negotiated");
}

static int64_t f_now(void)
{
	return clock_ms;
}

static const struct bgp_io io = {
	.connect = f_connect,
	.disconnect = f_disconnect,
	.send = f_send,
	.timer = f_timer,
	.established = f_established,
	.down = f_down,
	.update = f_update,
	.refresh = f_refresh,
	.now_ms = f_now,
};

/* What must hold between any two events. */
static void check(const struct bgp_peer *p, const struct fake *f)
{
	if ((unsigned)p->state > BGP_ESTABLISHED)
		die("state %d", (int)p->state);
	if ((p->state == BGP_ESTABLISHED) != (f->up == 1))
		die("in %s with established() %u", bgp_state_name(p->state),
		    f->up);
	if (p->state == BGP_ESTABLISHED && p->established_at <= 0)
		die("established_at not set");
	if (p->state == BGP_IDLE &&
	    (f->timer[BGP_TIMER_HOLD] || f->timer[BGP_TIMER_KEEPALIVE] ||
	     f->timer[BGP_TIMER_CONNECT_RETRY]))
		die("a session timer runs in Idle");
	if (p->state != BGP_IDLE && f->timer[BGP_TIMER_IDLE_HOLD])
		die("idle hold runs in %s", bgp_state_name(p->state));
	if (p->state >= BGP_OPENCONFIRM && p->caps.hold_time &&
	    p->caps.hold_time < BGP_HOLD_TIME_MIN)
		die("hold time %u", p->caps.hold_time);
	if (p->state >= BGP_OPENCONFIRM && !p->caps.hold_time &&
	    (f->timer[BGP_TIMER_HOLD] || f->timer[BGP_TIMER_KEEPALIVE]))
		die("timers run with hold time 0");
	if (p->idle_hold_s < BGP_IDLE_HOLD_MIN ||
	    p->idle_hold_s > BGP_IDLE_HOLD_MAX)
		die("back-off %u s", p->idle_hold_s);
}

static void feed(struct bgp_peer *p, const uint8_t *msg, size_t len)
{
	/* A copy of exactly len octets, so ASan sees any overread. */
	uint8_t *copy = malloc(len ? len : 1);
	if (!copy)
		abort();
	if (len)
		memcpy(copy, msg, len);
	bgp_fsm_message(p, copy, len);
	free(copy);
}

/* Feeds one framed message of this type and body. */
static void feed_framed(struct bgp_peer *p, uint8_t type, const uint8_t *body,
			size_t n)
{
	struct writer w = writer_init(BGP_MAX_MSG_EXTENDED);
	size_t start = bgp_header_put(&w, type);
	if (n)
		put_bytes(&w, body, n);
	bgp_header_finish(&w, start);
	if (!w.err)
		feed(p, w.data, w.len);
	writer_free(&w);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static bool quiet;
	if (!quiet) {
		log_set_level(LOG_ERROR);
		quiet = true;
	}
	if (size < 1)
		return 0;
	uint8_t ctrl = data[0];
	data++, size--;

	struct bgp_peer_config cfg = {
		.port = 179,
		.remote_as = 65100,
		.families = BGP_FAM_FLOWSPEC | BGP_FAM_IPV4_UNICAST,
		.hold_time = 90,
		.connect_retry = 30,
		.restart_time = ctrl & CTRL_GR ? 120 : 0,
		.passive = ctrl & CTRL_PASSIVE,
	};
	addr_parse(&cfg.address, "198.51.100.2", 12);
	struct bgp_local local = { .local_as = 65100 };
	addr_parse(&local.router_id, "192.0.2.1", 9);
	struct fake f = { 0 };
	struct bgp_peer p;
	bgp_peer_init(&p, &cfg, &local, &io, &f);
	clock_ms = 1000;

	bgp_fsm(&p, BGP_EV_MANUAL_START);
	bgp_fsm(&p, BGP_EV_TCP_CONFIRMED);
	if (p.state != BGP_OPENSENT)
		die("setup: %s", bgp_state_name(p.state));
	if (ctrl & CTRL_ESTABLISHED) {
		/* The neighbor's OPEN, from its side of the config. */
		struct bgp_peer_config peer_cfg = cfg;
		peer_cfg.hold_time = 30;
		struct bgp_local peer_local = { .local_as = 65100 };
		addr_parse(&peer_local.router_id, "198.51.100.2", 12);
		struct writer w = writer_init(0);
		bgp_open_encode(&w, &peer_cfg, &peer_local);
		feed(&p, w.data, w.len);
		writer_reset(&w);
		bgp_keepalive_encode(&w);
		feed(&p, w.data, w.len);
		writer_free(&w);
		if (p.state != BGP_ESTABLISHED)
			die("setup: %s", bgp_state_name(p.state));
	}
	check(&p, &f);

	if (ctrl & CTRL_RAW) {
		feed(&p, data, size);
		check(&p, &f);
		if (f.up)
			bgp_peer_shutdown(&p, "fuzz done");
		return 0;
	}

	size_t off = 0;
	while (off < size) {
		uint8_t kind = data[off++];
		clock_ms += 1000;
		if (kind >= KIND_EVENT) {
			bgp_fsm(&p, events[kind - KIND_EVENT]);
		} else {
			size_t n = 0;
			if (size - off >= 2) {
				n = (size_t)data[off] << 8 | data[off + 1];
				off += 2;
			} else {
				off = size;
			}
			if (n > size - off)
				n = size - off;
			feed_framed(&p, kind, data + off, n);
			off += n;
		}
		check(&p, &f);
	}
	bgp_peer_shutdown(&p, "fuzz done");
	check(&p, &f);
	if (p.state != BGP_IDLE || f.up)
		die("shutdown left %s", bgp_state_name(p.state));
	return 0;
}
