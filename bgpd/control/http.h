/* The HTTP JSON API (libevent evhttp + jansson, TLS with OpenSSL): the
 * `http` config section, the request bodies, the server and /metrics.
 * Changes run through the control code (ctl_run in exec.c), exactly like
 * flowspecctl announce/withdraw, and go to the same audit hook.
 *
 * Config ("http" object; no "http" key: no server):
 *   listen      "ADDR:PORT" or "[V6]:PORT" [127.0.0.1:8179]
 *   token_file  file holding the bearer token (surrounding blanks and the
 *               final newline are not part of it)              required
 *   tls_cert, tls_key   PEM certificate (chain) and key: HTTPS when both
 *               are given (one without the other is an error)
 * A reload applies all of it (http_server_reload).
 *
 * Every request carries "Authorization: Bearer TOKEN" (401 with a
 * WWW-Authenticate header otherwise). Endpoints:
 *   GET    /api/v1/rules          200 {"rules": [RULE, …]}
 *   GET    /api/v1/rules/ID       200 RULE | 404
 *   POST   /api/v1/rules          body ANNOUNCE: 201 RULE + {"result":
 *                                 "added", "message": "added id 7: …"}
 *                                 for a new match; 200 with "result"
 *                                 "replaced" (the message shows what it
 *                                 was) or "unchanged" for a known one
 *   DELETE /api/v1/rules/ID       204
 *   POST   /api/v1/rules/withdraw body WITHDRAW: 200 {"result":
 *                                 "withdrawn", "message": "…"} (libevent
 *                                 2.1 reads no body of a DELETE)
 *   GET    /api/v1/neighbors      200 the `show neighbor --json` object
 *   GET    /api/v1/mitigations    200 {"mitigations": [ … ]}
 *   GET    /metrics               200 Prometheus text format 0.0.4
 * RULE is the object of `show flow --json` (id, rule, family, origin,
 * neighbors, expires_in, comment) plus "expires": the Unix time (seconds)
 * it expires at, or null.
 *
 * ANNOUNCE: {"rule": R, "ttl": 300, "comment": "…", "neighbors":
 * ["10.255.255.1"]}, only "rule" required; WITHDRAW: {"rule": R,
 * "neighbors": […]}. R is the text syntax ("flow route { … }") or the
 * same as a JSON object:
 *   {"family": "ipv6",                      optional, as "flow route ipv6"
 *    "match": {"destination": "10.0.0.0/24", "protocol": ["tcp", "udp"],
 *              "destination-port": "=80", "packet-length": ">=1000&<=1500",
 *              "tcp-flags": ["syn&!ack"], "icmp-type": 8, …},
 *    "then":  {"discard": true, "rate-limit": 1000000, "redirect":
 *              "65000:100", "community": ["65000:666"], …}}   optional
 * Each key is a component or action of the text syntax ('_' may stand for
 * '-': "destination_port"); its value is written after the keyword: a
 * string as it is (no ';', '{', '}'), an integer in decimal, an array as
 * "[ a b ]", true as the keyword alone ("discard": true). The object is
 * turned into that text and parsed by the same parser, so both forms
 * accept exactly the same rules.
 *
 * Errors: a 4xx with {"error": "what is wrong", "field": "where"}; field
 * is a path into the request ("rule.match.destination-port",
 * "neighbors[1]", "ttl"), "body" for the body as a whole, "id" for the
 * ID in the URL, "Authorization" for the token. Bodies over
 * HTTP_BODY_MAX octets get 413 from libevent (the connection lingers
 * until the client has sent its body, so it reads the answer). */
#ifndef BGPD_CONTROL_HTTP_H
#define BGPD_CONTROL_HTTP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <jansson.h>

#include "bgpd/control/cmd.h"
#include "lib/addr.h"
#include "lib/writer.h"

struct event_base;
struct ctl_daemon;

#define HTTP_PORT_DEFAULT 8179
#define HTTP_LISTEN_DEFAULT "127.0.0.1:8179"
#define HTTP_BODY_MAX 65536		/* octets of a request body */
#define HTTP_HEADERS_MAX 16384		/* octets of the request headers */
#define HTTP_TIMEOUT_S 30		/* a request must arrive within */
#define HTTP_TOKEN_MAX 4096		/* octets in the token file */
#define HTTP_ERROR_MAX 256

/* ---- config ------------------------------------------------------------ */

/* Told of one error of the section: key is the key below "http" (NULL:
 * the section as a whole), msg says what is wrong. */
typedef void (*http_config_error_fn)(void *ctx, const char *key,
				     const char *msg);

/* Checks the section's keys and values (unknown keys are errors) and
 * that the token file, certificate and key exist and can be used (a file
 * this process may not read is left to http_server_new and
 * http_server_reload: a reload after dropping root still works); tells
 * report of every error and returns false when there was any. */
bool http_config_check(const json_t *section, http_config_error_fn report,
		       void *ctx);

/* ---- request bodies (no I/O) ----------------------------------------- */

/* A refused request: the HTTP status, what and where (see above). */
struct http_error {
	int status;
	char field[64];
	char msg[HTTP_ERROR_MAX];
};

/* Parses an ANNOUNCE (announce true) or WITHDRAW body of len octets into cmd
 * (CTL_ANNOUNCE or CTL_WITHDRAW), which the call initialises. On failure
 * cmd holds nothing and err says why (status 400). Neighbors are checked
 * to be addresses here, to be configured ones by the caller. */
bool http_parse_rule_request(const char *body, size_t len, bool announce,
			     struct ctl_cmd *cmd, struct http_error *err);

/* Parses the rule value R (a string or an object, see above) into rule,
 * which the call initialises; field is R's path for the messages. */
bool http_parse_rule(const json_t *value, const char *field,
		     struct fs_rule *rule, struct http_error *err);

/* ---- the server ------------------------------------------------------- */

/* What the API shows beside the control code's data; every member may be
 * NULL. */
struct http_hooks {
	void *ctx;
	/* Wall-clock milliseconds since the Unix epoch ("expires"); NULL:
	 * "expires" is null. */
	int64_t (*wall_ms)(void);
	/* GET /api/v1/mitigations: a new JSON array (the policy engine's
	 * active mitigations); NULL or a NULL result: []. */
	json_t *(*mitigations)(void *ctx);
	/* GET /metrics: appends complete metric families (# HELP, # TYPE,
	 * samples) of the collector and of the policy engine. */
	void (*collector_metrics)(void *ctx, struct writer *out);
	void (*policy_metrics)(void *ctx, struct writer *out);
};

struct http_server;

/* Parses section (already checked by the config loader), reads the token
 * and TLS files and listens. d and hooks (may be NULL) must outlive the
 * server. NULL with a one-line reason in err. */
struct http_server *http_server_new(struct event_base *base,
				    const json_t *section,
				    const struct ctl_daemon *d,
				    const struct http_hooks *hooks,
				    char *err, size_t errlen);
void http_server_free(struct http_server *s);	/* NULL-safe */

/* Applies a reloaded "http" section (checked; NULL: none) to *sp (NULL:
 * no server): starts the server, stops it (its connections close), or
 * changes it in place. A changed token applies to the requests that
 * follow, a changed certificate or key (new paths, or the same files
 * rewritten) to the connections that follow; a new listen address is
 * bound before the old one is closed (the connections it accepted stay).
 * A file whose path, inode, size and times are unchanged is not read
 * again (a root-only key read before the privilege drop stays usable;
 * so does one this process may not even stat, with a warning).
 * All or nothing: false with a one-line reason in err (a file that cannot
 * be read or used, an address that cannot be bound) and *sp as it was.
 * base, d and hooks: as for http_server_new. */
bool http_server_reload(struct http_server **sp, struct event_base *base,
			const json_t *section, const struct ctl_daemon *d,
			const struct http_hooks *hooks, char *err,
			size_t errlen);

/* Requests answered so far with this status (before the server sent
 * it: libevent's own 413/400 answers are not seen). */
uint64_t http_server_count(const struct http_server *s, int status);

/* ---- /metrics (no I/O) ------------------------------------------------ */

/* Appends the Prometheus text of the daemon (sessions, messages, rules
 * per origin and per peer), of the HTTP server (requests by status;
 * s may be NULL) and of the hooks. */
void http_metrics(struct writer *out, const struct ctl_daemon *d,
		  const struct http_server *s, const struct http_hooks *hooks);
/* For the hooks: a metric family's "# HELP" and "# TYPE" lines (type
 * "counter" or "gauge"), then its samples, each with one label (label
 * NULL: none). */
void http_metric_family(struct writer *out, const char *name,
			const char *type, const char *help);
void http_metric_sample(struct writer *out, const char *name,
			const char *label, const char *value_of_label,
			uint64_t value);

#endif
