/* The policy file (DESIGN.md "The policy file", issue 6): protected
 * networks, policies that turn traffic into Flowspec rules, their
 * lifetimes and safety limits. Loaded with every error placed like the
 * config (bgpd/loader.h):
 *
 *   networks{NAME}   prefixes[] (IPv4/IPv6), parent (another network),
 *                    ban_time, clear_time, max_lifetime (seconds)
 *   never_filter[]   prefixes no rule may cover (added to the config's)
 *   defaults         ban_time [600], clear_time [120], max_lifetime [86400]
 *   max_rules        all policies together [0: no limit]
 *   max_tracked      destinations tracked at once [1000000]
 *   policies[]       name (unique), networks[] (names), match{ protocol,
 *                    destination_port, source_port (a value or a list),
 *                    tcp_flags ("syn&!ack"), packet_length ("64-128" or
 *                    a value), fragment (true: fragments only, false:
 *                    none), source (prefixes) }, metric (bps | pps |
 *                    flows: flow records per second), threshold and
 *                    clear_threshold [= threshold] (numbers or "2G",
 *                    "500M", "100k"), window (1..3600 s), scope (host |
 *                    group) [host], rule{ match[] (destination, source,
 *                    protocol, destination-port, source-port,
 *                    packet-length, tcp-flags, fragment; destination is
 *                    required), then (the action text of a rule:
 *                    "discard", "rate-limit 10000000", …) }, ban_time,
 *                    clear_time, max_lifetime, dry_run [false],
 *                    max_rules [0], min_flows [0], min_sources [0],
 *                    neighbors[] [every peer], notify (a command)
 *
 * Lifetimes resolve policy, then the nearest network with the value,
 * then defaults. */
#ifndef BGPD_POLICY_POLICY_H
#define BGPD_POLICY_POLICY_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "bgpd/loader.h"
#include "lib/addr.h"

struct config;
struct lpm;

#define POLICY_FILE_MAX (16u << 20)
#define POLICY_NEIGHBORS_MAX 16		/* == RIB_MAX_TARGETS */
#define POLICY_PORTS_MAX 16
#define POLICY_WINDOW_MAX_S 3600
#define POLICY_BAN_DEFAULT_S 600
#define POLICY_CLEAR_DEFAULT_S 120
#define POLICY_MAX_LIFETIME_DEFAULT_S 86400
#define POLICY_MAX_TRACKED_DEFAULT 1000000

enum policy_metric { POLICY_BPS, POLICY_PPS, POLICY_FLOWS };
const char *policy_metric_name(enum policy_metric m);

enum policy_scope { POLICY_SCOPE_HOST, POLICY_SCOPE_GROUP };

/* Attack properties that go into an announced rule (rule.match). */
enum policy_rule_part {
	POLICY_RULE_DESTINATION = 1 << 0,
	POLICY_RULE_SOURCE = 1 << 1,
	POLICY_RULE_PROTOCOL = 1 << 2,
	POLICY_RULE_DST_PORT = 1 << 3,
	POLICY_RULE_SRC_PORT = 1 << 4,
	POLICY_RULE_PKT_LEN = 1 << 5,
	POLICY_RULE_TCP_FLAGS = 1 << 6,
	POLICY_RULE_FRAGMENT = 1 << 7,
};

/* Seconds; -1: not given at this level. */
struct policy_lifetimes {
	int64_t ban_s, clear_s, max_s;
};

struct policy_network {
	char *name;
	int parent;			/* index in networks, -1: none */
	struct prefix *prefixes;
	size_t n_prefixes;
	struct policy_lifetimes life;
};

/* Which traffic a policy counts; an empty list or unset field matches
 * everything. */
struct policy_match {
	uint64_t protos[4];		/* bit p: protocol p; all 0: any */
	uint16_t dports[POLICY_PORTS_MAX], sports[POLICY_PORTS_MAX];
	unsigned n_dports, n_sports;
	uint8_t flags_set, flags_unset;	/* TCP flags that must be / not be seen */
	uint16_t len_min, len_max;	/* average packet length; 0, 0: any */
	int fragment;			/* -1 any, 0 no fragments, 1 only */
	struct prefix *sources;
	size_t n_sources;
};

struct policy {
	char *name;
	size_t *networks;		/* indices in the file's networks */
	size_t n_networks;
	struct policy_match match;
	enum policy_metric metric;
	double threshold, clear_threshold;	/* metric units per second */
	uint32_t window_s;
	enum policy_scope scope;
	unsigned rule_parts;		/* enum policy_rule_part bits */
	char *then;			/* the rule's "then { … }" body */
	struct policy_lifetimes life;
	bool dry_run;
	uint32_t max_rules;		/* 0: no limit */
	uint64_t min_flows;
	uint32_t min_sources;
	struct addr neighbors[POLICY_NEIGHBORS_MAX];	/* none: every peer */
	unsigned n_neighbors;
	char *notify;			/* NULL: none */
};

struct policy_file {
	char *path;
	char *text;			/* the file as read (policy_file_same) */
	size_t text_len;
	struct policy_network *networks;
	size_t n_networks;
	struct lpm *network_lookup;	/* every network's prefixes */
	struct prefix *never_filter;	/* the file's and the config's */
	size_t n_never_filter;
	struct policy_lifetimes defaults;	/* every field set */
	uint32_t max_rules;		/* 0: no limit */
	uint64_t max_tracked;
	struct policy *policies;
	size_t n_policies;
};

/* Loads and checks the policy file at path; cfg (may be NULL) adds its
 * never_filter and is where policy neighbors must be configured. NULL
 * when there was any error, each added to errs. The caller frees the
 * result with policy_file_free. */
struct policy_file *policy_load(const char *path, const struct config *cfg,
				struct config_errors *errs);
/* The same from text in memory; name is FILE in the messages. */
struct policy_file *policy_parse(const char *text, size_t len,
				 const char *name, const struct config *cfg,
				 struct config_errors *errs);
void policy_file_free(struct policy_file *pf);	/* NULL-safe */
/* True when a and b are the same file with the same text and the same
 * never_filter (the config's part included): one decides as the other. */
bool policy_file_same(const struct policy_file *a,
		      const struct policy_file *b);
/* For `flowspecd --check`: true when the file loads without error. */
bool policy_check(const char *path, const struct config *cfg,
		  struct config_errors *errs);

/* The most specific network that holds a, or -1; of two networks with
 * the same prefix, the first in the file. O(log prefixes). */
int policy_network_of(const struct policy_file *pf, const struct addr *a);
/* True when network n is net or lies under it (through parents). */
bool policy_network_within(const struct policy_file *pf, int n, size_t net);
/* Lifetimes of policy p for a destination in network n (-1: none),
 * resolved: policy, nearest network with the value, defaults. */
struct policy_lifetimes policy_lifetimes_of(const struct policy_file *pf,
					    const struct policy *p, int n);

#endif
