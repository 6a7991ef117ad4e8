/* The `collector` config object: parsed and checked here (bgpd/config.c
 * keeps it as JSON and calls collector_config_parse for --check).
 *
 *   "collector": {
 *     "netflow": "0.0.0.0:2055",    NetFlow v5/v9 and IPFIX (by version)
 *     "ipfix": "0.0.0.0:4739",      the same decoders, another port
 *     "sflow": "0.0.0.0:6343",      sFlow v5
 *                                   (each also an array of such strings)
 *     "exporters": ["192.0.2.9", "2001:db8::/64",
 *                   { "prefix": "192.0.2.10", "sampling": 1000 }],
 *                                   the allow-list [absent: everyone, with
 *                                   a warning]; sampling overrides what
 *                                   the exporter says
 *     "socket_buffer": 4194304,     SO_RCVBUF octets [4 MiB; 0: system]
 *     "max_exporters": 1024,        exporters kept (others dropped)
 *     "max_templates": 64,          templates per exporter
 *     "template_timeout": 1800      seconds a template lives unrefreshed
 *   }
 * Memory is bounded by these: an exporter takes about 2.7 KiB, a template
 * at most 32 octets + 6 per field (TEMPLATE_FIELDS_MAX fields), so the
 * defaults hold every exporter's state in under 60 MiB even when each
 * sends the largest templates it may. Data sets waiting for their
 * template (hold.h) add at most hold_octets per exporter and
 * hold_total_octets in all (no keys: the defaults below), each for at
 * most the template timeout or COLLECTOR_HOLD_AGE_MAX seconds. */
#ifndef BGPD_COLLECTOR_CONFIG_H
#define BGPD_COLLECTOR_CONFIG_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <jansson.h>

#include "lib/addr.h"

#define COLLECTOR_LISTEN_MAX 16
#define COLLECTOR_ALLOW_MAX 4096
#define COLLECTOR_SOCKET_BUFFER_DEFAULT (4u << 20)
#define COLLECTOR_MAX_EXPORTERS_DEFAULT 1024
#define COLLECTOR_MAX_TEMPLATES_DEFAULT 64
#define COLLECTOR_TEMPLATE_TIMEOUT_DEFAULT 1800
#define COLLECTOR_HOLD_OCTETS_DEFAULT (64u << 10)
#define COLLECTOR_HOLD_TOTAL_DEFAULT (16u << 20)
#define COLLECTOR_HOLD_AGE_MAX 60
#define COLLECTOR_PORT_NETFLOW 2055	/* customary, no RFC */
#define COLLECTOR_PORT_IPFIX 4739	/* RFC 7011 §10.3.4 */
#define COLLECTOR_PORT_SFLOW 6343	/* sFlow v5 */

enum collector_proto { COLLECTOR_NETFLOW, COLLECTOR_IPFIX, COLLECTOR_SFLOW };

struct collector_listen {
	enum collector_proto proto;	/* a label: every port decodes all */
	struct addr addr;
	uint16_t port;
};

struct collector_allow {
	struct prefix prefix;
	uint32_t sampling;		/* 0: what the exporter says */
};

struct collector_config {
	struct collector_listen listen[COLLECTOR_LISTEN_MAX];
	size_t n_listen;
	bool has_allow;			/* false: every exporter accepted */
	struct collector_allow *allow;	/* owned */
	size_t n_allow;
	uint32_t socket_buffer;
	uint32_t max_exporters;
	uint32_t max_templates;
	uint32_t template_timeout_s;
	uint32_t hold_octets;		/* per exporter; 0: hold nothing */
	uint32_t hold_total_octets;	/* over all exporters */
};

/* Told of each error: key is the collector key it is under, index the
 * array element (SIZE_MAX: none), msg says what is wrong. */
typedef void (*collector_config_error_fn)(void *arg, const char *key,
					  size_t index, const char *msg);

/* The defaults: no listener, every exporter accepted. */
void collector_config_init(struct collector_config *cc);
/* Parses obj (a JSON object) into cc (initialised here); reports every
 * error through fn and returns false when there was any. Free cc with
 * collector_config_clear either way. */
bool collector_config_parse(struct collector_config *cc, const json_t *obj,
			    collector_config_error_fn fn, void *arg);
void collector_config_clear(struct collector_config *cc);
/* The allow-list entry that covers a (NULL: not allowed); with no list,
 * a static entry with sampling 0. */
const struct collector_allow *
collector_config_allowed(const struct collector_config *cc,
			 const struct addr *a);
const char *collector_proto_name(enum collector_proto p);

#endif
