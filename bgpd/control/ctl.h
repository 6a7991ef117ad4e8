/* The control socket: a unix stream socket on libevent that reads
 * commands (cmd.h), runs them against the daemon (the rib, the peers) and
 * writes replies. flowspecctl is its client; `nc -U` works too.
 *
 * Reply protocol
 * --------------
 * - The client sends commands, one per line (LF; a CR before it is
 *   ignored), at most CTL_LINE_MAX octets each. Blank lines and lines
 *   starting with '#' are ignored and get no reply.
 * - Each command gets one reply: zero or more body lines, then one final
 *   line, either "ok" or "error: MESSAGE" (MESSAGE on one line, e.g.
 *   "error: col 24: unknown component 'destinaton'"). A body line is never
 *   "ok" and never starts with "error:" (the server indents such a line
 *   with one space), so a client reads lines up to the final one.
 * - Replies come in command order. A client may send many commands before
 *   reading (batch input); the server stops reading from a client whose
 *   replies it has not taken (CTL_OUTPUT_HIGH), so memory stays bounded.
 * - The connection stays open until the client closes it, or after
 *   CTL_IDLE_TIMEOUT_S without a command. A line over CTL_LINE_MAX gets
 *   "error: command longer than 65536 octets" and the connection is closed.
 *   Past CTL_CLIENTS_MAX connections a new one gets
 *   "error: too many control clients" and is closed.
 *
 * Reply bodies
 * ------------
 * announce, withdraw and flush act on claims (bgpd/rib/rib.h): flowspecctl
 * and HTTP hold the "api" claim of a rule, beside any static or policy
 * claims on the same match; the api claim's actions win.
 * announce:  "added id 7: flow route { … }" | "replaced id 7: flow route
 *            { … } (was: flow route { … })" | "replaced id 7: flow route
 *            { … } (options changed)" | "unchanged id 7: flow route
 *            { … }"; "neighbor A announce" of a rule that already goes to
 *            every neighbor adds "note: the rule already goes to every
 *            neighbor and still does". An announce with neighbors adds them
 *            to those the api claim already goes to; actions, ttl and
 *            comment are those of the latest announce. When other origins
 *            claim the rule too: "note: also claimed by static,
 *            policy:NAME; the api claim's actions are announced".
 *            A rule that covers a never_filter prefix: "error: refused:
 *            destination 10.50.0.0/16 covers never_filter prefix
 *            10.50.0.1/32".
 * withdraw:  "withdrawn id 7: flow route { … }" (the api claim), followed
 *            by "; still announced for static: flow route { … }" when
 *            another claim keeps the rule; or, for a "neighbor A withdraw"
 *            of a claim that goes to others too, "withdrawn id 7 from
 *            10.0.0.1: …; still sent to 10.0.0.2". A rule with no api
 *            claim is taken back whole (as ExaBGP withdraws a configured
 *            route): "withdrawn id 7: flow route { … } (claims of
 *            static, policy:NAME)"; a static claim comes back with the
 *            next start or reload.
 * flush:     "flushed N rules of origin api" (N claims removed; ORIGIN is
 *            static, api, policy:NAME or policy for every policy)
 * clear:     "cleared 10.0.0.1" | "soft cleared 10.0.0.1"
 * show neighbor (columns like `gobgp neighbor`):
 *   Peer          AS     Up/Down   State        Sent  Received  Description
 *   10.255.255.1  65100  00:12:03  Established    12         0  lab router
 * show neighbor ADDR: one "Key: value" line per property.
 * show flow (one row per rule: the origins of its claims, the winner
 * first; when the last claim ends; the peers of every claim; the winning
 * claim's comment and actions):
 *   ID  Origin  Expires  Neighbors  Comment  Rule
 *   7   api     4m59s    all        -        flow route { … }
 * show received ADDR, show adj-rib-out ADDR: one canonical rule per line;
 *   show adj-rib-out then lists the rules the peer's profile refused, one
 *   per line: "# refused (profile frr: action mark not carried): flow
 *   route { … }".
 *
 * --json bodies: one line, one JSON object, keys in this order; new keys
 * may be added at the end of an object, existing ones keep their meaning.
 * show neighbor [ADDR] --json:
 *   {"neighbors": [{"address": "10.255.255.1", "port": 179,
 *     "remote_as": 65100, "local_as": 65100, "description": "…" | null,
 *     "state": "Established" (RFC 4271 names: Idle, Connect, Active,
 *     OpenSent, OpenConfirm, Established), "uptime": seconds | null,
 *     "established_count": 1, "families": [configured, "ipv4-flowspec"…],
 *     "negotiated": [families agreed; [] when not up],
 *     "hold_time": negotiated seconds | null, "rules_sent": 12,
 *     "rules_received": 0, "messages_in": 120, "messages_out": 130,
 *     "updates_in": 3, "updates_out": 10, "updates_invalid": 0,
 *     "last_error": null | {"direction": "sent" | "received", "code": 6,
 *       "subcode": 2, "name": "Cease/Administrative Shutdown",
 *       "text": "…"}, "rules_refused": 0 (held back: max_rules or the
 *     profile), "profile": "generic" | "iosxr" | "junos" | "frr" |
 *     "custom"}, …]}
 * show flow --json:
 *   {"rules": [{"id": "7", "rule": "flow route { … }",
 *     "family": "ipv4-flowspec", "origin": "api" (the winning claim's:
 *     "static", "api", "policy:NAME"), "neighbors": [] (every
 *     neighbor) | ["10.255.255.1", …], "expires_in": seconds | null,
 *     "comment": "…" | null, "claims": [{"origin": "api", "rule": "flow
 *     route { … }" (with that claim's actions), "neighbors": […],
 *     "expires_in": seconds | null, "comment": "…" | null}, …] (the
 *     winner first)}, …]}
 * show received ADDR --json, show adj-rib-out ADDR --json:
 *   {"neighbor": "10.255.255.1", "rules": [{"rule": "flow route { … }",
 *     "family": "ipv4-flowspec"}, …]}; show adj-rib-out adds "refused":
 *     [{"rule": "flow route { … }", "family": "…", "reason": "profile
 *     frr: action mark not carried"}, …] (the rib's rule, not sent).
 */
#ifndef BGPD_CONTROL_CTL_H
#define BGPD_CONTROL_CTL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include <jansson.h>

#include "bgpd/bgp/peer.h"
#include "bgpd/control/cmd.h"
#include "lib/writer.h"
#include "nlri/rule.h"

struct event_base;
struct rib;

#define CTL_SOCKET_MODE 0600
#define CTL_CLIENTS_MAX 64
#define CTL_IDLE_TIMEOUT_S 600
#define CTL_OUTPUT_HIGH (1u << 20)	/* stop reading a client above this */
#define CTL_LINES_PER_CALLBACK 256	/* fairness between clients */

/* One peer as the control server sees it. */
struct ctl_peer_view {
	const struct bgp_peer *peer;	/* cfg, state, caps, counters */
	size_t rules_sent;		/* in its adj-rib-out now */
	size_t rules_received;		/* in its adj-rib-in now */
	/* Held back now: over max_rules, or refused by its profile. */
	size_t rules_refused;
};

/* Called for each rule of a listing; return false to stop. */
typedef bool (*ctl_rule_fn)(void *arg, const struct fs_rule *rule);

/* One change command, for the audit log. */
struct ctl_audit {
	const char *client;	/* "uid 0 pid 1234" */
	const char *command;	/* canonical form (ctl_cmd_format) */
	bool ok;
	const char *result;	/* first body line, or the error message */
};

/* What the control server needs from the daemon; main.c fills it in and
 * keeps it alive as long as the server. Required: rib, now_ms,
 * peer_count, peer_get, peer_clear. The others may be NULL: their
 * commands then answer "error: … is not available in this daemon". */
struct ctl_daemon {
	struct rib *rib;
	void *ctx;			/* passed to every callback */
	/* Monotonic milliseconds, the rib's clock (expiry, uptime). */
	int64_t (*now_ms)(void);
	/* The configured peers, in config order: peer_get fills *out for
	 * 0 <= i < peer_count() and returns true. */
	size_t (*peer_count)(void *ctx);
	bool (*peer_get)(void *ctx, size_t i, struct ctl_peer_view *out);
	/* clear neighbor: hard resets the session (Cease/Administrative
	 * Reset, then it comes back up); soft re-sends our whole table and
	 * asks the peer for its own (route refresh). False with a one-line
	 * reason in err. */
	bool (*peer_clear)(void *ctx, const struct bgp_peer *peer, bool soft,
			   char *err, size_t errlen);
	/* show received: every rule the peer sent us. */
	bool (*received)(void *ctx, const struct bgp_peer *peer,
			 ctl_rule_fn fn, void *arg);
	/* show adj-rib-out: every rule we send the peer now. */
	bool (*adj_rib_out)(void *ctx, const struct bgp_peer *peer,
			    ctl_rule_fn fn, void *arg);
	/* show adj-rib-out: every rule the peer's profile refuses now, with
	 * the reason. */
	bool (*adj_rib_out_refused)(void *ctx, const struct bgp_peer *peer,
				    bool (*fn)(void *arg,
					       const struct fs_rule *rule,
					       const char *reason),
				    void *arg);
	/* show collector: appends body lines (or the JSON line) to out. */
	bool (*collector)(void *ctx, bool json, struct writer *out,
			  char *err, size_t errlen);
	/* show mitigations: the same for the policy engine's active
	 * mitigations. */
	bool (*mitigations)(void *ctx, bool json, struct writer *out,
			    char *err, size_t errlen);
	/* reload: re-reads the config; false (running config kept) with
	 * the first error in err. */
	bool (*reload)(void *ctx, char *err, size_t errlen);
	/* Told of every change command and its result. */
	void (*audit)(void *ctx, const struct ctl_audit *entry);
};

/* Runs one command line from client who (for the audit log): parses,
 * executes, and appends the whole reply (body lines and the final "ok" or
 * "error: …" line, each ending in '\n') to out. */
void ctl_run_line(const struct ctl_daemon *d, const char *line, size_t len,
		  const char *who, struct writer *out);

/* Executes a parsed command: appends body lines to body and returns true,
 * or returns false with a one-line message in err (body then holds what
 * was done before the error, if anything). */
bool ctl_exec(const struct ctl_daemon *d, const struct ctl_cmd *cmd,
	      struct writer *body, char *err, size_t errlen);
/* ctl_exec for client who, and a change command with its result goes to
 * d->audit: the one way flowspecctl and the HTTP API change things. On
 * failure err holds one line (never empty). */
bool ctl_run(const struct ctl_daemon *d, const struct ctl_cmd *cmd,
	     const char *who, struct writer *body, char *err, size_t errlen);

struct rib_entry;
/* One rule as `show flow --json` shows it (a new object). */
json_t *ctl_rule_json(const struct ctl_daemon *d, const struct rib_entry *e);

struct ctl_server;

/* Listens on path (mode, e.g. CTL_SOCKET_MODE). A socket file left by a
 * dead daemon is replaced; when a daemon answers on it, or path is not a
 * socket, this fails. Returns NULL with a one-line reason in err. d must
 * outlive the server. */
struct ctl_server *ctl_server_new(struct event_base *base, const char *path,
				  mode_t mode, const struct ctl_daemon *d,
				  char *err, size_t errlen);
/* Closes every client and the listener and removes the socket file.
 * NULL-safe. */
void ctl_server_free(struct ctl_server *s);
/* Connected clients now (for tests and metrics). */
size_t ctl_server_clients(const struct ctl_server *s);

#endif
