/* The BGP side of the daemon on libevent: listening sockets, one TCP
 * connection per peer (a second one only while a collision, RFC 4271
 * §6.8, is resolved), framing into the FSM (peer.h), timers, the write
 * path that the adj-rib-out fills when the socket can take more, and the
 * table of rules each peer sent us. A peer's bad input ends in a
 * NOTIFICATION or a logged drop, never in an abort. */
#ifndef BGPD_BGP_SESSION_H
#define BGPD_BGP_SESSION_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "bgpd/bgp/adjout.h"
#include "bgpd/bgp/peer.h"
#include "bgpd/rib/rib.h"
#include "lib/addr.h"

struct event_base;
struct session;
struct session_peer;

/* Output buffered per connection: the adj-rib-out refills below LOW up to
 * HIGH; at most READ_MAX octets of input are buffered. */
#define SESSION_OUT_LOW (64u * 1024)
#define SESSION_OUT_HIGH (256u * 1024)
#define SESSION_READ_MAX (4u * 65535)
#define SESSION_MSGS_PER_CALLBACK 256	/* fairness between peers */
#define SESSION_FLUSH_S 5	/* a closing connection's last writes */
#define SESSION_COLLISION_S 30	/* a second connection must send its OPEN */

/* A session layer with no peers; local and the rib must outlive it, and
 * now_ms is the monotonic clock (milliseconds) of the FSM and the tables. */
struct session *session_new(struct event_base *base, struct rib *rib,
			    const struct bgp_local *local,
			    int64_t (*now_ms)(void));
/* Closes every connection at once (no NOTIFICATION). NULL-safe. */
void session_free(struct session *s);

/* Listens on addr:port (SO_REUSEADDR, IPv6 only for an IPv6 address, the
 * TCP-MD5 keys of the neighbors). Connections from other addresses than
 * the neighbors' are closed at once and logged. False with the reason
 * logged. Add the peers first: their keys are set here. */
bool session_listen(struct session *s, const struct addr *addr,
		    uint16_t port);
/* Adds a neighbor (cfg is copied), not started; NULL when out of memory
 * or when a neighbor with this address exists. */
struct session_peer *session_add_peer(struct session *s,
				      const struct bgp_peer_config *cfg);
/* Starts every peer (ManualStart; passive ones wait for the peer). */
void session_start(struct session *s);
/* Starts one peer (a neighbor added by a reload). */
void session_peer_start(struct session_peer *sp);
/* A reload gives the peer cfg: true when that changes nothing but what
 * applies without a new session (the description), which is then
 * applied; false (nothing changed) when the session must be replaced. */
bool session_peer_reconfigure(struct session_peer *sp,
			      const struct bgp_peer_config *cfg);
/* Ends the peer's session with Cease/subcode (RFC 4486: 3 Peer
 * De-configured for a removed neighbor, 6 Other Configuration Change for
 * a changed one) and frees it; its connection flushes the NOTIFICATION on
 * its own. sp is invalid afterwards, and later peers move down by one in
 * session_peer_at(). */
void session_remove_peer(struct session_peer *sp, uint8_t subcode,
			 const char *reason);
/* Stops listening and ends every session, then calls done(ctx) once
 * every connection has flushed its last messages (or after
 * SESSION_FLUSH_S). Each peer gets Cease/Administrative Shutdown with
 * the RFC 8203 reason (an RFC 8538 Hard Reset when both sides set the N
 * bit: the peer drops our routes), except with graceful set, where a
 * session with graceful restart on both sides is closed without a
 * NOTIFICATION so that the peer keeps our routes as stale
 * (bgp_peer_stop_graceful). */
void session_shutdown(struct session *s, const char *reason, bool graceful,
		      void (*done)(void *ctx), void *ctx);

/* The peers in the order added. */
size_t session_peer_count(const struct session *s);
struct session_peer *session_peer_at(const struct session *s, size_t i);
/* The peer with this address, or NULL. */
struct session_peer *session_peer_find(const struct session *s,
				       const struct addr *addr);

/* Its FSM: configuration, state, negotiated caps and counters. */
const struct bgp_peer *session_peer_bgp(const struct session_peer *sp);
/* What we send it (adjout_stats, adjout_state, adjout_walk). */
const struct adjout *session_peer_adjout(const struct session_peer *sp);
/* What it sent us (origin RIB_ORIGIN_PEER), kept while it is up. */
const struct rib *session_peer_received(const struct session_peer *sp);

struct session_peer_stats {
	struct adjout_stats out;	/* sent, refused by max_rules, … */
	size_t received;		/* rules it sent us, now */
};
void session_peer_stats(const struct session_peer *sp,
			struct session_peer_stats *st);

/* clear neighbor: hard ends the session with Cease/Administrative Reset
 * (it comes back after the back-off); soft sends our whole table again
 * and asks the peer for its own (ROUTE-REFRESH, when it announced the
 * capability). False with a one-line reason in err when soft is asked of
 * a session that is not Established. */
bool session_peer_clear(struct session_peer *sp, bool soft, char *err,
			size_t errlen);

#endif
