/* A BGP peer: its configuration, the RFC 4271 §8 finite state machine and
 * what was negotiated in the OPEN exchange. The FSM does no I/O itself: it
 * acts through struct bgp_io (connect, close, send, timers, and the hooks
 * that hand the session to the adj-rib-out), so unit tests drive it with
 * events and no sockets, and session.c maps libevent callbacks to events. */
#ifndef BGPD_BGP_PEER_H
#define BGPD_BGP_PEER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "bgpd/bgp/profile.h"
#include "lib/addr.h"
#include "nlri/flowspec.h"

/* Address families a session can carry (AFI/SAFI, RFC 4760). */
enum bgp_family {
	BGP_FAM_IPV4_FLOWSPEC = 1 << 0,	/* 1/133 */
	BGP_FAM_IPV6_FLOWSPEC = 1 << 1,	/* 2/133 */
	BGP_FAM_IPV4_UNICAST = 1 << 2,	/* 1/1 */
	BGP_FAM_IPV6_UNICAST = 1 << 3,	/* 2/1 */
};
#define BGP_FAM_FLOWSPEC (BGP_FAM_IPV4_FLOWSPEC | BGP_FAM_IPV6_FLOWSPEC)

/* The family bit of a Flowspec AFI. */
enum bgp_family bgp_family_of(enum fs_afi afi);
/* "ipv4-flowspec" etc.; false for an unknown name. */
bool bgp_family_parse(const char *name, enum bgp_family *fam);
const char *bgp_family_name(enum bgp_family fam);

/* One neighbor's settings, from the config file. */
struct bgp_peer_config {
	struct addr address;
	uint16_t port;			/* default 179 */
	struct addr local_address;	/* ADDR_NONE: any */
	uint32_t remote_as;
	bool passive;			/* never connect, only accept */
	unsigned families;		/* enum bgp_family bits we offer */
	uint16_t hold_time;		/* we propose; default 90, 0 or >= 3 */
	uint16_t connect_retry;		/* seconds, default 30 */
	char md5_password[81];		/* RFC 2385; empty: none (max 80) */
	bool ttl_security;		/* RFC 5082 GTSM */
	char description[128];
	size_t max_received;		/* rules the peer may send us; 0: no limit */
	size_t max_rules;		/* rules we send it; 0: no limit */
	struct profile profile;		/* what it can carry (profile.h) */
	uint16_t restart_time;		/* RFC 4724 restart time we announce; 0: no GR */
};

/* The local side, shared by all peers. */
struct bgp_local {
	uint32_t local_as;
	struct addr router_id;		/* IPv4 */
	/* RFC 4724 §3: set the Restart State (R) bit in our OPENs, because
	 * we have just restarted. The daemon sets it at start when it comes
	 * back with its rule table (state file) and clears it once each peer
	 * got the table and End-of-RIB, or after the restart time. */
	bool restarting;
};

/* RFC 4271 §8.2.2 states. */
enum bgp_state {
	BGP_IDLE,
	BGP_CONNECT,
	BGP_ACTIVE,
	BGP_OPENSENT,
	BGP_OPENCONFIRM,
	BGP_ESTABLISHED,
};
const char *bgp_state_name(enum bgp_state state);

/* RFC 4271 §8.1 events, with their numbers from the RFC. Message events
 * carry the message: see bgp_fsm_message(). */
enum bgp_event {
	BGP_EV_MANUAL_START = 1,
	BGP_EV_MANUAL_STOP = 2,
	BGP_EV_AUTOMATIC_START = 3,
	BGP_EV_MANUAL_START_PASSIVE = 4,
	BGP_EV_AUTOMATIC_START_PASSIVE = 5,
	BGP_EV_AUTOMATIC_STOP = 8,
	BGP_EV_CONNECT_RETRY_EXPIRES = 9,
	BGP_EV_HOLD_TIMER_EXPIRES = 10,
	BGP_EV_KEEPALIVE_TIMER_EXPIRES = 11,
	BGP_EV_IDLE_HOLD_TIMER_EXPIRES = 13,	/* automatic restart, after back-off */
	BGP_EV_TCP_CR_ACKED = 16,	/* our connect() completed */
	BGP_EV_TCP_CONFIRMED = 17,	/* we accepted the peer's connection */
	BGP_EV_TCP_FAILS = 18,
	BGP_EV_OPEN = 19,
	BGP_EV_HEADER_ERR = 21,
	BGP_EV_OPEN_ERR = 22,
	BGP_EV_OPEN_COLLISION_DUMP = 23,
	BGP_EV_NOTIF_VERSION_ERR = 24,
	BGP_EV_NOTIFICATION = 25,
	BGP_EV_KEEPALIVE = 26,
	BGP_EV_UPDATE = 27,
	BGP_EV_UPDATE_ERR = 28,
	BGP_EV_ROUTE_REFRESH = 100,	/* RFC 2918; not an RFC 4271 event */
};
const char *bgp_event_name(enum bgp_event ev);

enum bgp_timer {
	BGP_TIMER_CONNECT_RETRY,
	BGP_TIMER_HOLD,
	BGP_TIMER_KEEPALIVE,
	BGP_TIMER_IDLE_HOLD,	/* back-off before an automatic restart */
	BGP_TIMER_COUNT,
};
/* The event a timer's expiry is: BGP_EV_CONNECT_RETRY_EXPIRES, … */
enum bgp_event bgp_timer_event(enum bgp_timer t);

/* Timer values (RFC 4271 §10 suggests them). */
#define BGP_CONNECT_RETRY_DEFAULT 30	/* s, when cfg->connect_retry is 0 */
#define BGP_HOLD_OPENSENT 240		/* s, the "large value" of §8.2.2 */
#define BGP_IDLE_HOLD_MIN 1		/* s, first automatic restart */
#define BGP_IDLE_HOLD_MAX 120		/* s, back-off doubles up to this */
#define BGP_STABLE_TIME 60		/* s up in Established: back-off reset */

struct bgp_peer;

/* What the FSM asks of its environment. Every hook is called from inside
 * bgp_fsm*(), never re-enters it, and must not free the peer. All are
 * required but refresh (NULL: requests ignored).
 *
 * Connections (RFC 4271 §8, §6.8), for the session layer:
 * - the peer has at most one connection the FSM knows of; connect() asks
 *   for an outgoing one, an accepted one is announced with
 *   BGP_EV_TCP_CONFIRMED (in Connect it replaces the pending connect(),
 *   which the session layer drops). In Idle, OpenSent, OpenConfirm and
 *   Established the FSM does not take a new connection: see the
 *   collision functions below for OpenSent and later; in Idle the FSM
 *   answers BGP_EV_TCP_CONFIRMED with disconnect().
 * - disconnect() ends the current connection, or the pending connect();
 *   it is also called when there is none (make it idempotent).
 * - timer(t, 0) stops t; an expiry is fed back as bgp_timer_event(t). */
struct bgp_io {
	/* Start a TCP connection to the peer; completion comes back as
	 * BGP_EV_TCP_CR_ACKED or BGP_EV_TCP_FAILS. */
	void (*connect)(struct bgp_peer *p);
	/* Drop the TCP connection (after flushing what was sent). */
	void (*disconnect)(struct bgp_peer *p);
	/* Queue one complete message for sending. */
	void (*send)(struct bgp_peer *p, const uint8_t *msg, size_t len);
	/* Arm timer t to fire in ms milliseconds (0: stop it). */
	void (*timer)(struct bgp_peer *p, enum bgp_timer t, uint32_t ms);
	/* The session reached Established: send the table, then End-of-RIB. */
	void (*established)(struct bgp_peer *p);
	/* The session left Established (called once per established()). */
	void (*down)(struct bgp_peer *p);
	/* An UPDATE arrived, checked by the FSM: valid, or with a fault
	 * RFC 7606 treats as withdraw (bgp_update_decode() then refuses it
	 * and bgp_update_withdraw_all() finds what it withdraws). */
	void (*update)(struct bgp_peer *p, const uint8_t *msg, size_t len);
	/* The peer asked for the table again (RFC 2918 / RFC 7313): only
	 * for a negotiated Flowspec family. With p->caps.enhanced_refresh
	 * the answer is BoRR, the table, EoRR (RFC 7313 §4). */
	void (*refresh)(struct bgp_peer *p, enum fs_afi afi);
	/* Monotonic milliseconds, > 0: the FSM's only clock. */
	int64_t (*now_ms)(void);
};

/* What the two OPENs agreed on (RFC 4271 §4.2 and the capabilities). */
struct bgp_session_caps {
	uint16_t hold_time;		/* min of both; 0: no keepalives */
	uint32_t peer_as;
	struct addr peer_id;
	unsigned families;		/* offered by both sides */
	/* What the peer offered; IPv4 unicast alone when it sent no
	 * multiprotocol capability (RFC 4760 §8). */
	unsigned peer_families;
	uint16_t peer_hold_time;
	bool as4;			/* RFC 6793 */
	bool route_refresh;		/* RFC 2918 */
	bool enhanced_refresh;		/* RFC 7313 */
	bool extended_msg;		/* RFC 8654: max 65535 */
	bool graceful_restart;		/* the peer announced RFC 4724 */
	uint16_t peer_restart_time;
	bool peer_restarted;		/* its R bit: it has just restarted */
	unsigned peer_gr_families;	/* families in its GR capability */
	unsigned peer_gr_forwarding;	/* of those, the ones with the F bit */
	/* RFC 8538: both sides set the N bit (we do whenever we announce
	 * GR), so a NOTIFICATION starts a graceful restart unless it is a
	 * Hard Reset; the FSM sends Hard Reset where §5 asks for one. */
	bool gr_notification;
};

/* A received NOTIFICATION or one we sent, for `show neighbor`. */
struct bgp_notification_info {
	uint8_t code, subcode;
	char text[256];		/* decoded data: RFC 8203 message, or hex */
	bool sent;
};

struct bgp_peer {
	const struct bgp_peer_config *cfg;
	const struct bgp_local *local;
	const struct bgp_io *io;
	void *io_ctx;			/* the session layer's own state */
	char name[ADDR_STRLEN];		/* address in text, for logs */

	enum bgp_state state;
	bool enabled;			/* started and not stopped by hand:
					 * restart automatically after errors */
	bool passive_start;		/* started with a passive start event */
	struct bgp_session_caps caps;	/* valid from OpenConfirm on */
	uint32_t connect_retry_counter;
	uint32_t idle_hold_s;		/* current automatic-restart back-off */

	/* Counters for show neighbor. */
	uint64_t msgs_in, msgs_out, updates_in, updates_out;
	/* UPDATEs with a fault RFC 7606 handles without a reset
	 * (treat-as-withdraw, attribute discard) or of a family we do not
	 * take: logged and not handed over. */
	uint64_t updates_invalid;
	uint64_t established_count;
	int64_t established_at;		/* monotonic ms; 0 when not up */
	struct bgp_notification_info last_error;
};

/* Sets p up in Idle, not started; cfg and local must outlive p. */
void bgp_peer_init(struct bgp_peer *p, const struct bgp_peer_config *cfg,
		   const struct bgp_local *local, const struct bgp_io *io,
		   void *io_ctx);

/* Feeds one event without a message: start/stop, timers, TCP. The
 * message events (19, 21, 22, 24-28, 100) come only from
 * bgp_fsm_message(); fed here they are logged as a local bug and
 * ignored. Start with BGP_EV_MANUAL_START (or AUTOMATIC_START; the
 * _PASSIVE forms, or cfg->passive, wait in Active for the peer). After an
 * error the FSM goes to Idle and arms BGP_TIMER_IDLE_HOLD (back-off
 * BGP_IDLE_HOLD_MIN doubling to _MAX, reset after BGP_STABLE_TIME up);
 * its expiry restarts the session. BGP_EV_MANUAL_STOP stops for good. */
void bgp_fsm(struct bgp_peer *p, enum bgp_event ev);
/* Feeds one complete message as read from the wire (header included,
 * len octets as framed): the FSM checks it and turns it into the right
 * event (BGP_EV_OPEN, BGP_EV_HEADER_ERR, …), sending a NOTIFICATION
 * where RFC 4271 §6 asks for one. A header bgp_frame_length() refused
 * may be fed as its BGP_HEADER_LEN octets: that sends the header error. */
void bgp_fsm_message(struct bgp_peer *p, const uint8_t *msg, size_t len);
/* Administrative shutdown (ManualStop) with an RFC 8203 message (NULL:
 * none): Cease 6/2, no automatic restart until the next start event. */
void bgp_peer_shutdown(struct bgp_peer *p, const char *reason);
/* The same with another Cease subcode (BGP_CEASE_PEER_DECONFIGURED for a
 * neighbor removed from the config, …). */
void bgp_peer_stop(struct bgp_peer *p, uint8_t subcode, const char *reason);
/* The same, for a restart the peer should ride out (RFC 4724): when the
 * session is Established with graceful restart on both sides (we announce
 * a restart_time and the peer announced the capability), the connection
 * is closed without a NOTIFICATION, so the peer keeps our routes as
 * stale; otherwise this is bgp_peer_shutdown(). True when it was closed
 * gracefully. */
bool bgp_peer_stop_graceful(struct bgp_peer *p, const char *reason);
/* Ends the session with Cease/subcode (enum bgp_err_cease, e.g.
 * BGP_CEASE_MAX_PREFIXES for max_received; reason is sent as an RFC 8203
 * message for 2 and 4, else only logged): AutomaticStop, so the
 * session restarts after the back-off. */
void bgp_peer_cease(struct bgp_peer *p, uint8_t subcode, const char *reason);
/* The session layer sent an UPDATE it built itself: counts it and
 * restarts the keepalive timer (RFC 4271 §8.2.2, Established). */
void bgp_peer_update_sent(struct bgp_peer *p);

/* Connection collision, RFC 4271 §6.8. A second connection from the peer
 * arrives while p has one in OpenSent or later: the session layer keeps
 * it aside, reads its OPEN (bgp_open_peer_id()) and asks: */
/* True when the new connection must win: in OpenSent/OpenConfirm when our
 * BGP Identifier is lower than the peer's (the connection the higher one
 * opened survives); in Established only when the peer announced graceful
 * restart (RFC 4724 §4.2: it restarted, the old connection is dead); in
 * Idle, Connect and Active always. When false, the session layer sends
 * Cease/Connection Collision Resolution on the new connection and closes
 * it. */
bool bgp_collision_keep_new(const struct bgp_peer *p,
			    const struct addr *new_peer_id);
/* When true: this sends Cease/Connection Collision Resolution on the
 * current connection, disconnect()s it and leaves p in Active (down()
 * when it was Established). The session layer then makes the new
 * connection current and feeds BGP_EV_TCP_CONFIRMED (we send our OPEN on
 * it) and then the new connection's OPEN through bgp_fsm_message(). */
void bgp_collision_dump(struct bgp_peer *p);

/* The largest message the peer may send us now (RFC 8654: 65535 once the
 * OPENs are exchanged, since we always announce extended messages) and
 * the largest we may send it (65535 only when it announced them). */
size_t bgp_peer_max_msg_in(const struct bgp_peer *p);
size_t bgp_peer_max_msg_out(const struct bgp_peer *p);

/* The length a message header announces, once BGP_HEADER_LEN octets are
 * in: 0 when the header is bad (marker, length out of range for max). */
size_t bgp_frame_length(const uint8_t *hdr, size_t max_msg);

#endif
