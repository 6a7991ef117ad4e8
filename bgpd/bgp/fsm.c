/* The RFC 4271 §8 finite state machine of one peer: a state × event
 * switch per state, one change_state() that does all entry work, message
 * checks that turn wire input into events (§6), timers and the automatic
 * restart with back-off. All I/O goes through struct bgp_io (peer.h).
 *
 * Where this FSM departs from the letter of §8.2.2 (optional attributes
 * DelayOpen, SendNOTIFICATIONwithoutOPEN, CollisionDetectEstablishedState
 * and DampPeerOscillations are all off):
 * - Connect + TcpConnectionFails goes to Active and waits ConnectRetry
 *   there (accepting the peer's connection meanwhile), as the RFC does
 *   when DelayOpen runs; the letter sends it to Idle, which would refuse
 *   the peer's own connection for the whole back-off.
 * - A message header or OPEN error in Established is answered with its
 *   §6.1 / §6.2 NOTIFICATION, not the FSM Error of "any other event".
 * - Idle refuses a connection it is told about (disconnect()).
 * - Event 13 (IdleHoldTimer_Expires) restarts a peer that was started
 *   and not stopped by hand: the automatic restart after errors. */
#include "bgpd/bgp/peer.h"

#include <stdio.h>
#include <string.h>

#include "bgpd/bgp/msg.h"
#include "bgpd/bgp/notify.h"
#include "bgpd/bgp/open.h"
#include "lib/log.h"
#include "lib/reader.h"

/* What came with an event. */
struct input {
	const uint8_t *msg;		/* message events: the message */
	size_t len;
	struct bgp_session_caps caps;	/* BGP_EV_OPEN: the negotiation */
	/* The NOTIFICATION an error event asks for (21, 22, 28, and a
	 * ROUTE-REFRESH of the wrong length). */
	bool has_error;
	uint8_t code, subcode;
	const uint8_t *data;
	size_t data_len;
	/* BGP_EV_UPDATE: the fault RFC 7606 lets us survive, or 0; for
	 * treat-as-withdraw, withdraw what the UPDATE carries. */
	bool update_invalid;
	bool treat_as_withdraw;
	char why[160];
	/* Stop events: the Cease subcode and the RFC 8203 text. */
	uint8_t cease;
	/* ManualStop: close without a NOTIFICATION (bgp_peer_stop_graceful). */
	bool silent;
	const char *reason;
};

static const char *const state_names[] = {
	[BGP_IDLE] = "Idle",
	[BGP_CONNECT] = "Connect",
	[BGP_ACTIVE] = "Active",
	[BGP_OPENSENT] = "OpenSent",
	[BGP_OPENCONFIRM] = "OpenConfirm",
	[BGP_ESTABLISHED] = "Established",
};

const char *bgp_state_name(enum bgp_state state)
{
	if ((unsigned)state >= sizeof state_names / sizeof state_names[0])
		return "unknown state";
	return state_names[state];
}

const char *bgp_event_name(enum bgp_event ev)
{
	switch (ev) {
	case BGP_EV_MANUAL_START: return "ManualStart";
	case BGP_EV_MANUAL_STOP: return "ManualStop";
	case BGP_EV_AUTOMATIC_START: return "AutomaticStart";
	case BGP_EV_MANUAL_START_PASSIVE:
		return "ManualStart_with_PassiveTcpEstablishment";
	case BGP_EV_AUTOMATIC_START_PASSIVE:
		return "AutomaticStart_with_PassiveTcpEstablishment";
	case BGP_EV_AUTOMATIC_STOP: return "AutomaticStop";
	case BGP_EV_CONNECT_RETRY_EXPIRES: return "ConnectRetryTimer_Expires";
	case BGP_EV_HOLD_TIMER_EXPIRES: return "HoldTimer_Expires";
	case BGP_EV_KEEPALIVE_TIMER_EXPIRES: return "KeepaliveTimer_Expires";
	case BGP_EV_IDLE_HOLD_TIMER_EXPIRES: return "IdleHoldTimer_Expires";
	case BGP_EV_TCP_CR_ACKED: return "Tcp_CR_Acked";
	case BGP_EV_TCP_CONFIRMED: return "TcpConnectionConfirmed";
	case BGP_EV_TCP_FAILS: return "TcpConnectionFails";
	case BGP_EV_OPEN: return "BGPOpen";
	case BGP_EV_HEADER_ERR: return "BGPHeaderErr";
	case BGP_EV_OPEN_ERR: return "BGPOpenMsgErr";
	case BGP_EV_OPEN_COLLISION_DUMP: return "OpenCollisionDump";
	case BGP_EV_NOTIF_VERSION_ERR: return "NotifMsgVerErr";
	case BGP_EV_NOTIFICATION: return "NotifMsg";
	case BGP_EV_KEEPALIVE: return "KeepAliveMsg";
	case BGP_EV_UPDATE: return "UpdateMsg";
	case BGP_EV_UPDATE_ERR: return "UpdateMsgErr";
	case BGP_EV_ROUTE_REFRESH: return "RouteRefreshMsg";
	}
	return "unknown event";
}

enum bgp_event bgp_timer_event(enum bgp_timer t)
{
	switch (t) {
	case BGP_TIMER_CONNECT_RETRY: return BGP_EV_CONNECT_RETRY_EXPIRES;
	case BGP_TIMER_HOLD: return BGP_EV_HOLD_TIMER_EXPIRES;
	case BGP_TIMER_KEEPALIVE: return BGP_EV_KEEPALIVE_TIMER_EXPIRES;
	case BGP_TIMER_IDLE_HOLD:
	case BGP_TIMER_COUNT:
		break;
	}
	return BGP_EV_IDLE_HOLD_TIMER_EXPIRES;
}

static bool is_message_event(enum bgp_event ev)
{
	switch (ev) {
	case BGP_EV_OPEN:
	case BGP_EV_HEADER_ERR:
	case BGP_EV_OPEN_ERR:
	case BGP_EV_NOTIF_VERSION_ERR:
	case BGP_EV_NOTIFICATION:
	case BGP_EV_KEEPALIVE:
	case BGP_EV_UPDATE:
	case BGP_EV_UPDATE_ERR:
	case BGP_EV_ROUTE_REFRESH:
		return true;
	default:
		return false;
	}
}

void bgp_peer_init(struct bgp_peer *p, const struct bgp_peer_config *cfg,
		   const struct bgp_local *local, const struct bgp_io *io,
		   void *io_ctx)
{
	*p = (struct bgp_peer){
		.cfg = cfg,
		.local = local,
		.io = io,
		.io_ctx = io_ctx,
		.state = BGP_IDLE,
		.idle_hold_s = BGP_IDLE_HOLD_MIN,
	};
	addr_format(&cfg->address, p->name);
}

/* ---- Actions ---- */

static int64_t now_ms(const struct bgp_peer *p)
{
	return p->io->now_ms ? p->io->now_ms() : 0;
}

static void timer_arm_ms(struct bgp_peer *p, enum bgp_timer t, uint32_t ms)
{
	p->io->timer(p, t, ms);
}

static void timer_arm(struct bgp_peer *p, enum bgp_timer t, uint32_t s)
{
	timer_arm_ms(p, t, s * 1000);
}

static void timer_stop(struct bgp_peer *p, enum bgp_timer t)
{
	p->io->timer(p, t, 0);
}

static uint32_t connect_retry_s(const struct bgp_peer *p)
{
	return p->cfg->connect_retry ? p->cfg->connect_retry
				     : BGP_CONNECT_RETRY_DEFAULT;
}

/* RFC 4271 §4.4: a third of the hold time; no keepalives for 0. */
static void keepalive_arm(struct bgp_peer *p)
{
	if (p->caps.hold_time)
		timer_arm_ms(p, BGP_TIMER_KEEPALIVE,
			     p->caps.hold_time * 1000u / 3);
}

static void hold_restart(struct bgp_peer *p)
{
	if (p->caps.hold_time)
		timer_arm(p, BGP_TIMER_HOLD, p->caps.hold_time);
}

static void send_writer(struct bgp_peer *p, struct writer *w)
{
	if (w->err) {
		log_peer(LOG_ERROR, p->name, "could not build a message");
	} else {
		p->io->send(p, w->data, w->len);
		p->msgs_out++;
	}
	writer_free(w);
}

static void send_open(struct bgp_peer *p)
{
	struct writer w = writer_init(BGP_MAX_MSG);
	bgp_open_encode(&w, p->cfg, p->local);
	send_writer(p, &w);
}

static void send_keepalive(struct bgp_peer *p)
{
	struct writer w = writer_init(BGP_MAX_MSG);
	bgp_keepalive_encode(&w);
	send_writer(p, &w);
}

/* Sends a NOTIFICATION (RFC 4271 §4.5) and records it in last_error,
 * unless it answers one the peer sent (that one is kept). A Cease RFC
 * 8538 §5 wants hard goes out as a Hard Reset once both sides set N. */
static void notify(struct bgp_peer *p, uint8_t code, uint8_t subcode,
		   const uint8_t *data, size_t len, bool answer)
{
	struct writer w = writer_init(BGP_MAX_MSG_EXTENDED);
	size_t max = bgp_peer_max_msg_out(p);
	if (code == BGP_ERR_CEASE && subcode != BGP_CEASE_HARD_RESET &&
	    p->state >= BGP_OPENCONFIRM && p->caps.gr_notification &&
	    bgp_cease_is_hard(subcode)) {
		struct writer inner = writer_init(0);
		put_u8(&inner, code);
		put_u8(&inner, subcode);
		if (len)
			put_bytes(&inner, data, len);
		bgp_notify_encode(&w, BGP_ERR_CEASE, BGP_CEASE_HARD_RESET,
				  inner.data, inner.len, max);
		writer_free(&inner);
	} else {
		bgp_notify_encode(&w, code, subcode, data, len, max);
	}
	struct bgp_notification_info info;
	if (!w.err && bgp_notify_decode(w.data, w.len, &info)) {
		info.sent = true;
		log_peer(LOG_WARN, p->name, "sending NOTIFICATION %s%s%s",
			 bgp_notify_str(info.code, info.subcode),
			 info.text[0] ? ": " : "", info.text);
		if (!answer)
			p->last_error = info;
	}
	send_writer(p, &w);
}

/* Cease with the RFC 8203 message where the subcode allows one. */
static void notify_cease(struct bgp_peer *p, uint8_t subcode,
			 const char *reason)
{
	struct writer data = writer_init(0);
	if (reason && reason[0] && (subcode == BGP_CEASE_ADMIN_SHUTDOWN ||
				    subcode == BGP_CEASE_ADMIN_RESET))
		bgp_shutdown_put(&data, reason);
	else if (reason && reason[0])
		log_peer(LOG_INFO, p->name, "closing: %s", reason);
	notify(p, BGP_ERR_CEASE, subcode, data.data, data.len, false);
	writer_free(&data);
}

/* RFC 6608 §3: the subcode names the state the message was not
 * expected in. */
static void notify_fsm_error(struct bgp_peer *p, bool answer)
{
	uint8_t sub = p->state == BGP_OPENSENT	   ? BGP_FSM_ERR_OPENSENT
		      : p->state == BGP_OPENCONFIRM ? BGP_FSM_ERR_OPENCONFIRM
		      : p->state == BGP_ESTABLISHED ? BGP_FSM_ERR_ESTABLISHED
						    : BGP_ERR_UNSPECIFIC;
	notify(p, BGP_ERR_FSM, sub, NULL, 0, answer);
}

static void notify_input(struct bgp_peer *p, const struct input *in)
{
	notify(p, in->code, in->subcode, in->data, in->data_len, false);
}

/* The stop events' Cease: 6/2 for ManualStop unless told otherwise. */
static void notify_stop(struct bgp_peer *p, enum bgp_event ev,
			const struct input *in)
{
	uint8_t sub = in->cease;
	if (in->silent) {
		log_peer(LOG_INFO, p->name, "closing without NOTIFICATION "
			 "(graceful restart): %s", in->reason ? in->reason : "");
		return;
	}
	if (!sub && ev == BGP_EV_MANUAL_STOP)
		sub = BGP_CEASE_ADMIN_SHUTDOWN;
	notify_cease(p, sub, in->reason);
}

/* ---- change_state: all entry work ---- */

static bool passive(const struct bgp_peer *p)
{
	return p->cfg->passive || p->passive_start;
}

static void enter_idle(struct bgp_peer *p, enum bgp_state from,
		       enum bgp_event ev)
{
	timer_stop(p, BGP_TIMER_CONNECT_RETRY);
	timer_stop(p, BGP_TIMER_HOLD);
	timer_stop(p, BGP_TIMER_KEEPALIVE);
	p->io->disconnect(p);
	if (ev == BGP_EV_MANUAL_STOP) {
		/* §8.2.2: ConnectRetryCounter to zero; no restart. */
		p->connect_retry_counter = 0;
		p->enabled = false;
		timer_stop(p, BGP_TIMER_IDLE_HOLD);
		return;
	}
	/* §8.2.2: every other way into Idle counts, but a version error
	 * NOTIFICATION in OpenSent or OpenConfirm. */
	if (!(ev == BGP_EV_NOTIF_VERSION_ERR &&
	      (from == BGP_OPENSENT || from == BGP_OPENCONFIRM)))
		p->connect_retry_counter++;
	if (p->enabled) {
		log_peer(LOG_INFO, p->name, "restarting in %u s",
			 p->idle_hold_s);
		timer_arm(p, BGP_TIMER_IDLE_HOLD, p->idle_hold_s);
		p->idle_hold_s = p->idle_hold_s * 2 > BGP_IDLE_HOLD_MAX
					 ? BGP_IDLE_HOLD_MAX
					 : p->idle_hold_s * 2;
	}
}

static void change_state(struct bgp_peer *p, enum bgp_state to,
			 enum bgp_event ev)
{
	enum bgp_state from = p->state;
	if (from == BGP_IDLE && to != BGP_IDLE)
		timer_stop(p, BGP_TIMER_IDLE_HOLD);
	if (from == BGP_ESTABLISHED && to != BGP_ESTABLISHED) {
		if (now_ms(p) - p->established_at >= BGP_STABLE_TIME * 1000)
			p->idle_hold_s = BGP_IDLE_HOLD_MIN;
		p->established_at = 0;
		p->io->down(p);
	}
	p->state = to;
	if (from != to)
		log_peer(to == BGP_ESTABLISHED || from == BGP_ESTABLISHED
				 ? LOG_INFO
				 : LOG_DEBUG,
			 p->name, "%s -> %s (%s)", bgp_state_name(from),
			 bgp_state_name(to), bgp_event_name(ev));

	switch (to) {
	case BGP_IDLE:
		enter_idle(p, from, ev);
		break;
	case BGP_CONNECT:
		/* Also ConnectRetry expiry in Connect: drop, try again. */
		if (from != BGP_IDLE)
			p->io->disconnect(p);
		timer_arm(p, BGP_TIMER_CONNECT_RETRY, connect_retry_s(p));
		p->io->connect(p);
		break;
	case BGP_ACTIVE:
		if (from != BGP_IDLE)
			p->io->disconnect(p);
		timer_stop(p, BGP_TIMER_HOLD);
		timer_stop(p, BGP_TIMER_KEEPALIVE);
		/* A passive neighbor never connects: no ConnectRetry. */
		if (p->cfg->passive)
			timer_stop(p, BGP_TIMER_CONNECT_RETRY);
		else
			timer_arm(p, BGP_TIMER_CONNECT_RETRY,
				  connect_retry_s(p));
		break;
	case BGP_OPENSENT:
		timer_stop(p, BGP_TIMER_CONNECT_RETRY);
		p->caps = (struct bgp_session_caps){ 0 };
		send_open(p);
		timer_arm(p, BGP_TIMER_HOLD, BGP_HOLD_OPENSENT);
		break;
	case BGP_OPENCONFIRM:
		send_keepalive(p);
		if (p->caps.hold_time) {
			hold_restart(p);
			keepalive_arm(p);
		} else {
			timer_stop(p, BGP_TIMER_HOLD);
			timer_stop(p, BGP_TIMER_KEEPALIVE);
		}
		break;
	case BGP_ESTABLISHED:
		p->established_at = now_ms(p);
		p->established_count++;
		p->io->established(p);
		break;
	}
}

/* ---- The state × event switch ---- */

static void start(struct bgp_peer *p, enum bgp_event ev)
{
	bool manual = ev == BGP_EV_MANUAL_START ||
		      ev == BGP_EV_MANUAL_START_PASSIVE;
	p->enabled = true;
	p->passive_start = ev == BGP_EV_MANUAL_START_PASSIVE ||
			   ev == BGP_EV_AUTOMATIC_START_PASSIVE;
	p->connect_retry_counter = 0;
	if (manual)
		p->idle_hold_s = BGP_IDLE_HOLD_MIN;
	change_state(p, passive(p) ? BGP_ACTIVE : BGP_CONNECT, ev);
}

static void fsm_idle(struct bgp_peer *p, enum bgp_event ev)
{
	switch (ev) {
	case BGP_EV_MANUAL_START:
	case BGP_EV_AUTOMATIC_START:
	case BGP_EV_MANUAL_START_PASSIVE:
	case BGP_EV_AUTOMATIC_START_PASSIVE:
		start(p, ev);
		break;
	case BGP_EV_IDLE_HOLD_TIMER_EXPIRES:
		if (p->enabled)
			change_state(p, passive(p) ? BGP_ACTIVE : BGP_CONNECT,
				     ev);
		break;
	case BGP_EV_MANUAL_STOP:
		/* No state change; but no automatic restart either. */
		p->enabled = false;
		timer_stop(p, BGP_TIMER_IDLE_HOLD);
		break;
	case BGP_EV_TCP_CR_ACKED:
	case BGP_EV_TCP_CONFIRMED:
		p->io->disconnect(p);
		break;
	default:
		/* §8.2.2: any other event leaves Idle as it is. */
		break;
	}
}

static void fsm_connect(struct bgp_peer *p, enum bgp_event ev)
{
	switch (ev) {
	case BGP_EV_MANUAL_START:
	case BGP_EV_AUTOMATIC_START:
	case BGP_EV_MANUAL_START_PASSIVE:
	case BGP_EV_AUTOMATIC_START_PASSIVE:
		break;
	case BGP_EV_CONNECT_RETRY_EXPIRES:
		change_state(p, BGP_CONNECT, ev);
		break;
	case BGP_EV_TCP_CR_ACKED:
	case BGP_EV_TCP_CONFIRMED:
		change_state(p, BGP_OPENSENT, ev);
		break;
	case BGP_EV_TCP_FAILS:
		/* See the top of the file: Active, not Idle. */
		change_state(p, BGP_ACTIVE, ev);
		break;
	default:
		/* ManualStop, AutomaticStop, header/OPEN errors, version
		 * error and every other event: Idle, no NOTIFICATION (no
		 * OPEN was sent). */
		change_state(p, BGP_IDLE, ev);
		break;
	}
}

static void fsm_active(struct bgp_peer *p, enum bgp_event ev)
{
	switch (ev) {
	case BGP_EV_MANUAL_START:
	case BGP_EV_AUTOMATIC_START:
	case BGP_EV_MANUAL_START_PASSIVE:
	case BGP_EV_AUTOMATIC_START_PASSIVE:
		break;
	case BGP_EV_CONNECT_RETRY_EXPIRES:
		if (!p->cfg->passive)
			change_state(p, BGP_CONNECT, ev);
		break;
	case BGP_EV_TCP_CR_ACKED:
	case BGP_EV_TCP_CONFIRMED:
		change_state(p, BGP_OPENSENT, ev);
		break;
	default:
		/* ManualStop, TcpConnectionFails, errors and every other
		 * event: Idle. */
		change_state(p, BGP_IDLE, ev);
		break;
	}
}

/* What the OPEN exchange agreed on; RFC 4760 §8: a peer without the
 * multiprotocol capability has IPv4 unicast only, so no Flowspec. */
static void log_caps(const struct bgp_peer *p)
{
	char fams[96];
	bgp_families_str(p->caps.families, fams, sizeof fams);
	log_peer(LOG_INFO, p->name, "OPEN: AS %u, hold time %u, families %s",
		 p->caps.peer_as, p->caps.hold_time, fams);
	if (!(p->caps.families & BGP_FAM_FLOWSPEC)) {
		bgp_families_str(p->caps.peer_families, fams, sizeof fams);
		log_peer(LOG_WARN, p->name,
			 "no Flowspec family in common (the peer offered %s): "
			 "this session will carry no rules", fams);
	}
}

static void fsm_opensent(struct bgp_peer *p, enum bgp_event ev,
			 const struct input *in)
{
	switch (ev) {
	case BGP_EV_MANUAL_START:
	case BGP_EV_AUTOMATIC_START:
	case BGP_EV_MANUAL_START_PASSIVE:
	case BGP_EV_AUTOMATIC_START_PASSIVE:
	case BGP_EV_TCP_CR_ACKED:
	case BGP_EV_TCP_CONFIRMED:
		/* A second connection is the session layer's to track
		 * (§6.8, bgp_collision_keep_new()). */
		break;
	case BGP_EV_MANUAL_STOP:
	case BGP_EV_AUTOMATIC_STOP:
		notify_stop(p, ev, in);
		change_state(p, BGP_IDLE, ev);
		break;
	case BGP_EV_HOLD_TIMER_EXPIRES:
		notify(p, BGP_ERR_HOLD_TIMER, BGP_ERR_UNSPECIFIC, NULL, 0,
		       false);
		change_state(p, BGP_IDLE, ev);
		break;
	case BGP_EV_TCP_FAILS:
		change_state(p, BGP_ACTIVE, ev);
		break;
	case BGP_EV_OPEN:
		p->caps = in->caps;
		log_caps(p);
		change_state(p, BGP_OPENCONFIRM, ev);
		break;
	case BGP_EV_HEADER_ERR:
	case BGP_EV_OPEN_ERR:
		notify_input(p, in);
		change_state(p, BGP_IDLE, ev);
		break;
	case BGP_EV_OPEN_COLLISION_DUMP:
		notify_cease(p, BGP_CEASE_COLLISION, NULL);
		change_state(p, BGP_IDLE, ev);
		break;
	case BGP_EV_NOTIF_VERSION_ERR:
		change_state(p, BGP_IDLE, ev);
		break;
	default:
		/* Events 9, 11, 13, 25-28 and ROUTE-REFRESH: FSM Error,
		 * even for a NOTIFICATION (25), as §8.2.2 has it. */
		notify_fsm_error(p, ev == BGP_EV_NOTIFICATION);
		change_state(p, BGP_IDLE, ev);
		break;
	}
}

static void fsm_openconfirm(struct bgp_peer *p, enum bgp_event ev,
			    const struct input *in)
{
	switch (ev) {
	case BGP_EV_MANUAL_START:
	case BGP_EV_AUTOMATIC_START:
	case BGP_EV_MANUAL_START_PASSIVE:
	case BGP_EV_AUTOMATIC_START_PASSIVE:
	case BGP_EV_TCP_CR_ACKED:
	case BGP_EV_TCP_CONFIRMED:
		break;
	case BGP_EV_MANUAL_STOP:
	case BGP_EV_AUTOMATIC_STOP:
		notify_stop(p, ev, in);
		change_state(p, BGP_IDLE, ev);
		break;
	case BGP_EV_HOLD_TIMER_EXPIRES:
		notify(p, BGP_ERR_HOLD_TIMER, BGP_ERR_UNSPECIFIC, NULL, 0,
		       false);
		change_state(p, BGP_IDLE, ev);
		break;
	case BGP_EV_KEEPALIVE_TIMER_EXPIRES:
		send_keepalive(p);
		keepalive_arm(p);
		break;
	case BGP_EV_TCP_FAILS:
	case BGP_EV_NOTIFICATION:
	case BGP_EV_NOTIF_VERSION_ERR:
		change_state(p, BGP_IDLE, ev);
		break;
	case BGP_EV_HEADER_ERR:
	case BGP_EV_OPEN_ERR:
		notify_input(p, in);
		change_state(p, BGP_IDLE, ev);
		break;
	case BGP_EV_OPEN_COLLISION_DUMP:
		notify_cease(p, BGP_CEASE_COLLISION, NULL);
		change_state(p, BGP_IDLE, ev);
		break;
	case BGP_EV_KEEPALIVE:
		hold_restart(p);
		change_state(p, BGP_ESTABLISHED, ev);
		break;
	default:
		/* Events 9, 13, 27, 28, ROUTE-REFRESH, and an OPEN on this
		 * same connection (a second OPEN of another connection goes
		 * through bgp_collision_keep_new()): FSM Error. */
		notify_fsm_error(p, false);
		change_state(p, BGP_IDLE, ev);
		break;
	}
}

static void route_refresh(struct bgp_peer *p, const struct input *in)
{
	struct bgp_refresh rr;
	if (!bgp_refresh_decode(in->msg, in->len, &rr))
		return;
	unsigned fam = bgp_family_from(rr.afi, rr.safi);
	switch (rr.subtype) {
	case BGP_RR_REQUEST:
		/* RFC 2918 §4: a family not negotiated is ignored. */
		if (!(fam & p->caps.families & BGP_FAM_FLOWSPEC)) {
			log_peer(LOG_INFO, p->name,
				 "ROUTE-REFRESH for AFI %u SAFI %u, not a "
				 "Flowspec family of this session: ignored",
				 rr.afi, rr.safi);
			return;
		}
		if (p->io->refresh)
			p->io->refresh(p, rr.afi == BGP_AFI_IPV6 ? FS_AFI_IPV6
								: FS_AFI_IPV4);
		break;
	case BGP_RR_BORR:
	case BGP_RR_EORR:
		/* RFC 7313 §4: the peer re-sends its routes; we keep
		 * no stale marks for what it sends us. */
		log_peer(LOG_DEBUG, p->name, "%s for AFI %u SAFI %u",
			 rr.subtype == BGP_RR_BORR ? "BoRR" : "EoRR", rr.afi,
			 rr.safi);
		break;
	default:
		/* RFC 7313 §5: an unknown subtype is ignored. */
		break;
	}
}

static void fsm_established(struct bgp_peer *p, enum bgp_event ev,
			    const struct input *in)
{
	switch (ev) {
	case BGP_EV_MANUAL_START:
	case BGP_EV_AUTOMATIC_START:
	case BGP_EV_MANUAL_START_PASSIVE:
	case BGP_EV_AUTOMATIC_START_PASSIVE:
	case BGP_EV_TCP_CR_ACKED:
	case BGP_EV_TCP_CONFIRMED:
		break;
	case BGP_EV_MANUAL_STOP:
	case BGP_EV_AUTOMATIC_STOP:
		notify_stop(p, ev, in);
		change_state(p, BGP_IDLE, ev);
		break;
	case BGP_EV_HOLD_TIMER_EXPIRES:
		notify(p, BGP_ERR_HOLD_TIMER, BGP_ERR_UNSPECIFIC, NULL, 0,
		       false);
		change_state(p, BGP_IDLE, ev);
		break;
	case BGP_EV_KEEPALIVE_TIMER_EXPIRES:
		send_keepalive(p);
		keepalive_arm(p);
		break;
	case BGP_EV_TCP_FAILS:
	case BGP_EV_NOTIFICATION:
	case BGP_EV_NOTIF_VERSION_ERR:
		change_state(p, BGP_IDLE, ev);
		break;
	case BGP_EV_OPEN_COLLISION_DUMP:
		notify_cease(p, BGP_CEASE_COLLISION, NULL);
		change_state(p, BGP_IDLE, ev);
		break;
	case BGP_EV_KEEPALIVE:
		hold_restart(p);
		break;
	case BGP_EV_UPDATE:
		hold_restart(p);
		p->updates_in++;
		if (in->update_invalid) {
			p->updates_invalid++;
			log_peer(LOG_WARN, p->name, "UPDATE not taken: %s",
				 in->why);
			/* RFC 7606 §2: its routes count as withdrawn. */
			if (in->treat_as_withdraw)
				p->io->update(p, in->msg, in->len);
		} else {
			p->io->update(p, in->msg, in->len);
		}
		break;
	case BGP_EV_ROUTE_REFRESH:
		if (in->has_error) {
			notify_input(p, in);
			change_state(p, BGP_IDLE, ev);
		} else {
			route_refresh(p, in);
		}
		break;
	case BGP_EV_HEADER_ERR:
	case BGP_EV_OPEN_ERR:
	case BGP_EV_UPDATE_ERR:
		/* §6.1-6.3 name the NOTIFICATION (see the top). */
		notify_input(p, in);
		change_state(p, BGP_IDLE, ev);
		break;
	default:
		/* Events 9, 13 and an OPEN on the session: FSM Error. */
		notify_fsm_error(p, false);
		change_state(p, BGP_IDLE, ev);
		break;
	}
}

static void run(struct bgp_peer *p, enum bgp_event ev, const struct input *in)
{
	log_peer(LOG_DEBUG, p->name, "%s in %s", bgp_event_name(ev),
		 bgp_state_name(p->state));
	switch (p->state) {
	case BGP_IDLE:
		fsm_idle(p, ev);
		break;
	case BGP_CONNECT:
		fsm_connect(p, ev);
		break;
	case BGP_ACTIVE:
		fsm_active(p, ev);
		break;
	case BGP_OPENSENT:
		fsm_opensent(p, ev, in);
		break;
	case BGP_OPENCONFIRM:
		fsm_openconfirm(p, ev, in);
		break;
	case BGP_ESTABLISHED:
		fsm_established(p, ev, in);
		break;
	}
}

void bgp_fsm(struct bgp_peer *p, enum bgp_event ev)
{
	if (is_message_event(ev)) {
		log_msg(LOG_ERROR, "bug: bgp_fsm(%s) for %s needs a message",
			bgp_event_name(ev), p->name);
		return;
	}
	struct input in = { 0 };
	run(p, ev, &in);
}

void bgp_peer_shutdown(struct bgp_peer *p, const char *reason)
{
	bgp_peer_stop(p, BGP_CEASE_ADMIN_SHUTDOWN, reason);
}

void bgp_peer_stop(struct bgp_peer *p, uint8_t subcode, const char *reason)
{
	struct input in = { .cease = subcode, .reason = reason };
	run(p, BGP_EV_MANUAL_STOP, &in);
}

bool bgp_peer_stop_graceful(struct bgp_peer *p, const char *reason)
{
	/* RFC 4724 §4.2: the peer keeps our routes (stale) when the TCP
	 * session ends without a NOTIFICATION. A Cease would not do: without
	 * the N bit every NOTIFICATION ends GR, and with it Administrative
	 * Shutdown goes as a Hard Reset (RFC 8538 §5). */
	bool keep = p->state == BGP_ESTABLISHED && p->cfg->restart_time &&
		    p->caps.graceful_restart;
	struct input in = { .cease = BGP_CEASE_ADMIN_SHUTDOWN,
			    .reason = reason,
			    .silent = keep };
	run(p, BGP_EV_MANUAL_STOP, &in);
	return keep;
}

void bgp_peer_cease(struct bgp_peer *p, uint8_t subcode, const char *reason)
{
	struct input in = { .cease = subcode, .reason = reason };
	run(p, BGP_EV_AUTOMATIC_STOP, &in);
}

void bgp_peer_update_sent(struct bgp_peer *p)
{
	p->msgs_out++;
	p->updates_out++;
	/* §8.2.2: each KEEPALIVE or UPDATE sent restarts the timer. */
	if (p->state == BGP_ESTABLISHED)
		keepalive_arm(p);
}

/* ---- Connection collision, RFC 4271 §6.8 ---- */

bool bgp_collision_keep_new(const struct bgp_peer *p,
			    const struct addr *new_peer_id)
{
	switch (p->state) {
	case BGP_IDLE:
		return false;
	case BGP_CONNECT:
	case BGP_ACTIVE:
		return true;
	case BGP_OPENSENT:
	case BGP_OPENCONFIRM: {
		uint32_t ours = (uint32_t)p->local->router_id.bytes[0] << 24 |
				(uint32_t)p->local->router_id.bytes[1] << 16 |
				(uint32_t)p->local->router_id.bytes[2] << 8 |
				p->local->router_id.bytes[3];
		uint32_t theirs = (uint32_t)new_peer_id->bytes[0] << 24 |
				  (uint32_t)new_peer_id->bytes[1] << 16 |
				  (uint32_t)new_peer_id->bytes[2] << 8 |
				  new_peer_id->bytes[3];
		/* RFC 6286 §2.3: equal identifiers (eBGP): the connection
		 * the larger AS opened stays; the new one is the peer's. */
		if (ours == theirs)
			return p->cfg->remote_as > p->local->local_as;
		return ours < theirs;
	}
	case BGP_ESTABLISHED:
		/* RFC 4724 §4.2: the peer restarted. */
		return p->caps.graceful_restart;
	}
	return false;
}

void bgp_collision_dump(struct bgp_peer *p)
{
	if (p->state < BGP_OPENSENT)
		return;
	notify_cease(p, BGP_CEASE_COLLISION, NULL);
	change_state(p, BGP_ACTIVE, BGP_EV_OPEN_COLLISION_DUMP);
}

/* ---- Message sizes and framing ---- */

size_t bgp_peer_max_msg_in(const struct bgp_peer *p)
{
	return p->state >= BGP_OPENCONFIRM ? BGP_MAX_MSG_EXTENDED : BGP_MAX_MSG;
}

size_t bgp_peer_max_msg_out(const struct bgp_peer *p)
{
	return p->state >= BGP_OPENCONFIRM && p->caps.extended_msg
		       ? BGP_MAX_MSG_EXTENDED
		       : BGP_MAX_MSG;
}

size_t bgp_frame_length(const uint8_t *hdr, size_t max_msg)
{
	struct reader r = reader_init(hdr, BGP_HEADER_LEN);
	for (unsigned i = 0; i < BGP_MARKER_LEN; i++)
		if (get_u8(&r) != BGP_MARKER_OCTET)
			return 0;
	size_t len = get_u16(&r);
	if (r.err || len < BGP_HEADER_LEN || len > max_msg)
		return 0;
	return len;
}

/* ---- Messages into events ---- */

/* RFC 4271 §6.3 wants the attribute as data for some subcodes: the
 * first attribute of this type in the UPDATE, flags to value. */
static bool find_attr(const uint8_t *msg, size_t len, unsigned type,
		      const uint8_t **attr, size_t *attr_len)
{
	struct reader m = reader_init(msg, len);
	skip(&m, BGP_HEADER_LEN);
	skip(&m, get_u16(&m));
	struct reader attrs = sub(&m, get_u16(&m));
	while (!attrs.err && remaining(&attrs)) {
		struct reader mark = attrs;
		uint8_t flags = get_u8(&attrs);
		uint8_t t = get_u8(&attrs);
		size_t vlen = flags & BGP_ATTR_FLAG_EXTENDED ? get_u16(&attrs)
							    : get_u8(&attrs);
		skip(&attrs, vlen);
		if (attrs.err)
			return false;
		if (t == type) {
			struct reader whole = sub(&mark, attrs.off - mark.off);
			*attr = whole.data;
			*attr_len = whole.len;
			return true;
		}
	}
	return false;
}

/* RFC 7606 for each fault bgp_update_decode() reports. */
enum upd_action {
	UPD_RESET,	/* NOTIFICATION, session reset (§2 "session reset") */
	UPD_WITHDRAW,	/* treat-as-withdraw (also for attribute discard) */
	UPD_IGNORE,	/* not a fault: a family we do not take */
};

struct upd_fault {
	enum upd_action act;
	uint8_t subcode;	/* RFC 4271 §6.3, sent on a reset */
	/* The same fault inside MP_REACH_NLRI / MP_UNREACH_NLRI, whose NLRI
	 * can then not be found (RFC 7606 §5.3, §7.11; RFC 4760 §7). */
	enum upd_action mp_act;
	uint8_t mp_subcode;
};

#define RESET(sub) UPD_RESET, BGP_UPD_ERR_##sub
#define WITHDRAW(sub) UPD_WITHDRAW, BGP_UPD_ERR_##sub
#define IGNORE UPD_IGNORE, 0

static const struct upd_fault upd_faults[] = {
	/* The header was checked before: these cannot come. */
	[BGP_UPD_SHORT] = { RESET(ATTR_LIST), RESET(ATTR_LIST) },
	[BGP_UPD_MARKER] = { RESET(ATTR_LIST), RESET(ATTR_LIST) },
	[BGP_UPD_LENGTH] = { RESET(ATTR_LIST), RESET(ATTR_LIST) },
	[BGP_UPD_TYPE] = { RESET(ATTR_LIST), RESET(ATTR_LIST) },
	/* RFC 4271 §6.3; RFC 7606 §5.3 (no NLRI can be trusted). */
	[BGP_UPD_WITHDRAWN_LEN] = { RESET(ATTR_LIST), RESET(ATTR_LIST) },
	[BGP_UPD_PREFIX] = { RESET(NETWORK), RESET(NETWORK) },
	[BGP_UPD_ATTRS_LEN] = { RESET(ATTR_LIST), RESET(ATTR_LIST) },
	/* RFC 7606 §4 would withdraw, but the MP_REACH_NLRI holding our
	 * NLRI may lie past the fault: reset. */
	[BGP_UPD_ATTR_TRUNCATED] = { RESET(ATTR_LIST), RESET(ATTR_LIST) },
	/* RFC 7606 §3 (g): MP attributes twice reset, others are
	 * discarded, which this decoder cannot do: withdraw. */
	[BGP_UPD_ATTR_DUP] = { WITHDRAW(ATTR_LIST), RESET(ATTR_LIST) },
	/* RFC 7606 §3 (c). */
	[BGP_UPD_ATTR_FLAGS] = { WITHDRAW(ATTR_FLAGS), RESET(ATTR_FLAGS) },
	/* RFC 4271 §6.3; RFC 7606 leaves it as it was. */
	[BGP_UPD_ATTR_WELL_KNOWN] = { RESET(UNRECOGNIZED_WK),
				      RESET(UNRECOGNIZED_WK) },
	/* RFC 7606 §7.1-7.10, §7.14-7.16: withdraw (or discard). */
	[BGP_UPD_ATTR_LEN] = { WITHDRAW(ATTR_LENGTH), RESET(OPTIONAL_ATTR) },
	[BGP_UPD_ATTR_VALUE] = { WITHDRAW(ORIGIN), RESET(OPTIONAL_ATTR) },
	/* A family we do not take (RFC 4760 §7 lets us ignore it). */
	[BGP_UPD_AFI] = { IGNORE, IGNORE },
	[BGP_UPD_SAFI] = { IGNORE, IGNORE },
	/* RFC 7606 §7.11. */
	[BGP_UPD_NEXTHOP_LEN] = { RESET(OPTIONAL_ATTR), RESET(OPTIONAL_ATTR) },
	/* RFC 7606 §5.3: the NLRI cannot be parsed. */
	[BGP_UPD_NLRI_TRUNCATED] = { RESET(OPTIONAL_ATTR),
				     RESET(OPTIONAL_ATTR) },
	/* RFC 8955 §4.2 / RFC 7606 §5.4: a Flowspec NLRI that parses but
	 * breaks the rules: withdraw. */
	[BGP_UPD_NLRI] = { WITHDRAW(OPTIONAL_ATTR), WITHDRAW(OPTIONAL_ATTR) },
	[BGP_UPD_CALLBACK] = { IGNORE, IGNORE },
	/* Handled apart: Cease/Out of Resources. */
	[BGP_UPD_NOMEM] = { RESET(ATTR_LIST), RESET(ATTR_LIST) },
	/* RFC 7606 §3 (d). */
	[BGP_UPD_MISSING_WK] = { WITHDRAW(MISSING_WK), WITHDRAW(MISSING_WK) },
};

#undef RESET
#undef WITHDRAW
#undef IGNORE

/* RFC 4271 §6.3: these subcodes carry the erroneous attribute. */
static bool subcode_has_attr(uint8_t subcode)
{
	switch (subcode) {
	case BGP_UPD_ERR_UNRECOGNIZED_WK:
	case BGP_UPD_ERR_ATTR_FLAGS:
	case BGP_UPD_ERR_ATTR_LENGTH:
	case BGP_UPD_ERR_ORIGIN:
	case BGP_UPD_ERR_NEXT_HOP:
	case BGP_UPD_ERR_OPTIONAL_ATTR:
		return true;
	default:
		return false;
	}
}

/* Checks an UPDATE and sets the event it is (27 or 28) with in. */
static enum bgp_event check_update(struct bgp_peer *p, struct input *in)
{
	struct bgp_update_result res;
	if (bgp_update_decode(in->msg, in->len, NULL, NULL, &res) == BGP_UPD_OK)
		return BGP_EV_UPDATE;
	char text[128];
	bgp_update_error_text(&res, text, sizeof text);
	if (res.err == BGP_UPD_NOMEM) {
		in->has_error = true;
		in->code = BGP_ERR_CEASE;
		in->subcode = BGP_CEASE_OUT_OF_RESOURCES;
		log_msg(LOG_ERROR, "%s: out of memory checking an UPDATE",
			p->name);
		return BGP_EV_UPDATE_ERR;
	}
	const struct upd_fault *f = &upd_faults[BGP_UPD_ATTR_TRUNCATED];
	if ((unsigned)res.err < sizeof upd_faults / sizeof upd_faults[0])
		f = &upd_faults[res.err];
	bool mp = res.attr == BGP_ATTR_MP_REACH_NLRI ||
		  res.attr == BGP_ATTR_MP_UNREACH_NLRI;
	enum upd_action act = mp ? f->mp_act : f->act;
	uint8_t subcode = mp ? f->mp_subcode : f->subcode;
	switch (act) {
	case UPD_IGNORE:
		in->update_invalid = true;
		snprintf(in->why, sizeof in->why, "ignored: %s", text);
		return BGP_EV_UPDATE;
	case UPD_WITHDRAW:
		in->update_invalid = true;
		in->treat_as_withdraw = true;
		snprintf(in->why, sizeof in->why,
			 "treat-as-withdraw (RFC 7606): %s", text);
		return BGP_EV_UPDATE;
	case UPD_RESET:
		break;
	}
	log_peer(LOG_WARN, p->name, "bad UPDATE: %s", text);
	in->has_error = true;
	in->code = BGP_ERR_UPDATE;
	in->subcode = subcode;
	if (subcode_has_attr(subcode) && res.attr)
		find_attr(in->msg, in->len, res.attr, &in->data,
			  &in->data_len);
	return BGP_EV_UPDATE_ERR;
}

/* Sets a Message Header Error (RFC 4271 §6.1) with data in buf. */
static enum bgp_event header_error(struct bgp_peer *p, struct input *in,
				   uint8_t subcode, const uint8_t *data,
				   size_t len, const char *why)
{
	log_peer(LOG_WARN, p->name, "bad message header: %s", why);
	in->has_error = true;
	in->code = BGP_ERR_HEADER;
	in->subcode = subcode;
	in->data = data;
	in->data_len = len;
	return BGP_EV_HEADER_ERR;
}

/* The per-type length bounds of RFC 4271 §6.1 (and RFC 8654 §4: OPEN
 * and KEEPALIVE stay within 4096). */
static bool type_length_ok(uint8_t type, size_t len)
{
	switch (type) {
	case BGP_MSG_OPEN:
		return len >= BGP_OPEN_MIN_LEN && len <= BGP_MAX_MSG;
	case BGP_MSG_UPDATE:
		return len >= BGP_UPDATE_MIN_LEN;
	case BGP_MSG_NOTIFICATION:
		return len >= BGP_NOTIFY_MIN_LEN;
	case BGP_MSG_KEEPALIVE:
		return len == BGP_KEEPALIVE_LEN;
	case BGP_MSG_ROUTE_REFRESH:
		return len == BGP_ROUTE_REFRESH_LEN;
	}
	return false;
}

void bgp_fsm_message(struct bgp_peer *p, const uint8_t *msg, size_t len)
{
	p->msgs_in++;
	/* §8.2.2: Idle ignores everything, and has no connection. */
	if (p->state == BGP_IDLE)
		return;

	struct input in = { .msg = msg, .len = len };
	enum bgp_event ev;
	struct reader m = reader_init(msg, len);
	bool sync = true;
	for (unsigned i = 0; i < BGP_MARKER_LEN && !m.err; i++)
		if (get_u8(&m) != BGP_MARKER_OCTET && !m.err)
			sync = false;
	size_t mlen = get_u16(&m);
	uint8_t type = get_u8(&m);
	/* The NOTIFICATION data of §6.1: the Length or the Type field (the
	 * octets we have when the header is cut short). */
	uint8_t len_field[2] = { (uint8_t)(mlen >> 8), (uint8_t)mlen };
	uint8_t got_len[2] = { (uint8_t)(len >> 8), (uint8_t)len };
	uint8_t type_field[1] = { type };
	struct bgp_error err;

	if (!sync) {
		ev = header_error(p, &in, BGP_HDR_NOT_SYNC, NULL, 0,
				  "marker is not all ones");
	} else if (m.err) {
		ev = header_error(p, &in, BGP_HDR_BAD_LENGTH, got_len, 2,
				  "shorter than a header");
	} else if (mlen < BGP_HEADER_LEN || mlen > bgp_peer_max_msg_in(p) ||
		   mlen != len) {
		ev = header_error(p, &in, BGP_HDR_BAD_LENGTH, len_field, 2,
				  "length field out of range");
	} else if (type < BGP_MSG_OPEN || type > BGP_MSG_ROUTE_REFRESH) {
		ev = header_error(p, &in, BGP_HDR_BAD_TYPE, type_field, 1,
				  "unknown message type");
	} else if (!type_length_ok(type, len)) {
		if (type == BGP_MSG_ROUTE_REFRESH &&
		    p->state == BGP_ESTABLISHED && p->caps.enhanced_refresh) {
			/* RFC 7313 §5: the data is the whole message. */
			log_peer(LOG_WARN, p->name,
				 "ROUTE-REFRESH of %zu octets", len);
			in.has_error = true;
			in.code = BGP_ERR_ROUTE_REFRESH;
			in.subcode = BGP_RR_ERR_LENGTH;
			in.data = msg;
			in.data_len = len;
			ev = BGP_EV_ROUTE_REFRESH;
		} else {
			ev = header_error(p, &in, BGP_HDR_BAD_LENGTH, len_field,
					  2, "length wrong for the type");
		}
	} else {
		switch (type) {
		case BGP_MSG_OPEN:
			if (bgp_open_decode(msg, len, p->cfg, p->local,
					    &in.caps, &err)) {
				ev = BGP_EV_OPEN;
			} else {
				log_peer(LOG_WARN, p->name, "bad OPEN: %s",
					 err.why);
				in.has_error = true;
				in.code = err.code;
				in.subcode = err.subcode;
				in.data = err.data;
				in.data_len = err.len;
				ev = BGP_EV_OPEN_ERR;
			}
			break;
		case BGP_MSG_KEEPALIVE:
			ev = BGP_EV_KEEPALIVE;
			break;
		case BGP_MSG_NOTIFICATION: {
			struct bgp_notification_info info;
			bgp_notify_decode(msg, len, &info);
			log_peer(LOG_WARN, p->name,
				 "received NOTIFICATION %s%s%s",
				 bgp_notify_str(info.code, info.subcode),
				 info.text[0] ? ": " : "", info.text);
			p->last_error = info;
			/* §8.1: event 24 is a version error. */
			ev = info.code == BGP_ERR_OPEN &&
					     info.subcode ==
						     BGP_OPEN_UNSUP_VERSION
				     ? BGP_EV_NOTIF_VERSION_ERR
				     : BGP_EV_NOTIFICATION;
			break;
		}
		case BGP_MSG_UPDATE:
			ev = check_update(p, &in);
			break;
		default:
			ev = BGP_EV_ROUTE_REFRESH;
			break;
		}
	}
	run(p, ev, &in);
}
