/* The daemon configuration: one JSON file (snake_case keys) loaded with
 * jansson into struct config. Every error is collected, not only the
 * first, each as one line that says where:
 *   FILE:LINE:COL: message                       (JSON syntax; jansson stops
 *                                                 at the first one)
 *   FILE: neighbors[1].remote_as: message (line N)   (bad values; the line
 *                                                 is found by walking the
 *                                                 source text to that path)
 * Unknown keys are errors that name the key (with the closest known key as
 * a hint), so a typo never passes silently.
 *
 * Keys (defaults in brackets):
 *   router_id        IPv4 address, not 0.0.0.0                 required
 *   local_as         1..4294967295, not 23456 (AS_TRANS)       required
 *   listen           "ADDR:PORT", "[V6]:PORT" or "ADDR" (port 179)
 *                    [absent: no passive listener]
 *   control_socket   unix socket path [/run/flowspecd.sock]
 *   neighbors[]      address, remote_as (required); port [179];
 *                    local_address [any, same family as address];
 *                    passive [false]; families [ipv4-flowspec,
 *                    ipv6-flowspec] (also ipv4-unicast, ipv6-unicast);
 *                    hold_time [90] (0 or 3..65535); connect_retry [30];
 *                    md5_password (<= 80 chars); ttl_security [false];
 *                    description (<= 127 chars); max_received [0: none];
 *                    max_rules [0: none]; graceful_restart [false];
 *                    restart_time [120 when graceful_restart] (1..4095,
 *                    RFC 4724 §3; giving it turns graceful_restart on);
 *                    profile [generic]: "generic", "iosxr", "junos",
 *                    "frr", "gobgp", "exabgp" (bgpd/bgp/profile.c), or
 *                    an object { base, components[], actions[],
 *                    redirect_to_ip (nexthop, ietf, any, none), ipv6,
 *                    ipv6_prefix_offset, rewrite_not_equal, max_rules
 *                    (used when the neighbor has none) }.
 *                    Two neighbors with one address are an error.
 *   static_rules[]   "flow route { … }" strings, or objects
 *                    { "rule": "flow route { … }", "neighbors": [ADDR…],
 *                      "comment": "…" } whose neighbors are configured ones.
 *                    Two rules with the same match are an error.
 *   state_file, policy, user    strings [absent: none]
 *   audit_log        file the audit lines are appended to (control/
 *                    audit.h) [absent: the log]
 *   event_log        file the policy engine's decisions are appended to,
 *                    one JSON line each (policy/engine.h) [absent: stderr]
 *   never_filter[]   prefixes ("10.50.0.1/32"); a static rule they
 *                    refuse (rib.h) is an error
 *   processes[]      helper programs speaking ExaBGP's API (control/
 *                    process.h): { "name": "web" (unique; letters, digits,
 *                    - _ .), "run": ["/usr/bin/python3", "app.py"] (the
 *                    program's path and its arguments, no shell),
 *                    "respawn": true [true] }.
 *   collector, http  objects, kept as JSON for the modules that read them
 *                    (their keys are checked there).
 * Relative paths are kept as written (relative to the daemon's working
 * directory). */
#ifndef BGPD_CONFIG_H
#define BGPD_CONFIG_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include <jansson.h>

#include "bgpd/bgp/peer.h"
#include "bgpd/loader.h"
#include "lib/addr.h"
#include "nlri/rule.h"

#define CONFIG_CONTROL_SOCKET_DEFAULT "/run/flowspecd.sock"
#define CONFIG_BGP_PORT 179		/* RFC 4271 §8.2.1 */
#define CONFIG_HOLD_TIME_DEFAULT 90	/* RFC 4271 §10 suggests 90 s */
#define CONFIG_CONNECT_RETRY_DEFAULT 30
#define CONFIG_RESTART_TIME_DEFAULT 120
#define CONFIG_RESTART_TIME_MAX 4095	/* RFC 4724 §3: 12 bits */
#define CONFIG_MD5_MAX 80		/* RFC 2385 / TCP_MD5SIG_MAXKEYLEN */
#define CONFIG_STATIC_TARGETS_MAX 16	/* == RIB_MAX_TARGETS */
#define CONFIG_FILE_MAX (16u << 20)	/* a bigger file is refused */

/* One static rule, parsed and ready for rib_announce (origin static). */
struct config_static_rule {
	struct fs_rule rule;	/* owned */
	char *text;		/* the rule as written, owned */
	struct addr *targets;	/* owned; NULL (none): every peer */
	unsigned ntargets;
	char *comment;		/* owned; NULL: none */
};

#define CONFIG_PROCESS_NAME_MAX 63

/* One helper program (ExaBGP's "process"). */
struct config_process {
	char *name;		/* owned */
	char **argv;		/* owned, NULL-terminated; argv[0] the path */
	bool respawn;		/* start it again when it exits */
};

struct config {
	char *path;			/* the file name it came from */
	struct bgp_local local;		/* router_id, local_as */
	bool has_listen;
	struct addr listen_addr;
	uint16_t listen_port;
	char *control_socket;		/* always set */
	struct bgp_peer_config *neighbors;	/* in file order */
	size_t n_neighbors;
	struct config_static_rule *static_rules;
	size_t n_static_rules;
	char *state_file;		/* NULL: none */
	char *audit_log;		/* NULL: audit lines go to the log */
	char *event_log;		/* NULL: policy events go to stderr */
	struct prefix *never_filter;
	size_t n_never_filter;
	char *policy;			/* path of the policy file; NULL: none */
	char *user;			/* NULL: keep the starting user */
	struct config_process *processes;	/* in file order */
	size_t n_processes;
	json_t *collector;		/* one reference each; NULL: absent */
	json_t *http;
};

/* Loads and checks the file at path. Returns the config, or NULL when
 * there was any error; errs (initialised by the caller, may already hold
 * lines) gets every error. The caller frees the result. */
struct config *config_load(const char *path, struct config_errors *errs);
/* The same from text in memory (len octets); name is used as FILE in
 * the messages and as cfg->path. */
struct config *config_parse(const char *text, size_t len, const char *name,
			    struct config_errors *errs);
void config_free(struct config *cfg);	/* NULL-safe */

/* `flowspecd -c FILE --check`: loads path and the policy file it names,
 * prints every error on stderr (one per line) or "FILE: ok" on stdout, and
 * returns the exit status (EXIT_SUCCESS or EXIT_FAILURE). */
int config_check_main(const char *path);

/* The neighbor with this address, or NULL. */
const struct bgp_peer_config *config_find_neighbor(const struct config *cfg,
						   const struct addr *addr);

/* The process with this name, or NULL. */
const struct config_process *config_find_process(const struct config *cfg,
						 const char *name);

/* Parses "192.0.2.1:179", "[2001:db8::1]:179", or an address alone
 * (which gets default_port). The port must be 1..65535. */
bool config_parse_hostport(const char *s, uint16_t default_port,
			   struct addr *addr, uint16_t *port);

#endif
