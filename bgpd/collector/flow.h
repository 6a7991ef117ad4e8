/* The normalized flow record: what every decoder (NetFlow v5, v9, IPFIX,
 * sFlow v5) turns an export into, and all the policy engine reads. */
#ifndef BGPD_COLLECTOR_FLOW_H
#define BGPD_COLLECTOR_FLOW_H

#include <stdint.h>

#include "lib/addr.h"

/* One flow (or one sFlow sample) as the collector saw it. */
struct flow_record {
	struct addr exporter;	/* the export packet's source address */
	struct addr src, dst;	/* same family */
	uint8_t proto;		/* IP protocol / IPv6 next header */
	uint16_t sport, dport;	/* 0 when the protocol has none; ICMP:
				 * dport = type << 8 | code as exporters do */
	uint8_t tcp_flags;	/* OR of the flags seen; 0 when not TCP */
	uint8_t tos;		/* the IP TOS / traffic class octet */
	uint8_t frag;		/* FLOW_FRAG_* seen; 0 when not known */
	uint16_t pkt_len_min, pkt_len_max;	/* layer-3 lengths when the
						 * exporter gives them, else
						 * 0 (see bytes / packets) */
	uint64_t bytes;		/* layer-3 octets x sampling */
	uint64_t packets;	/* packets x sampling */
	uint32_t sampling;	/* 1 when unsampled */
	uint32_t in_if, out_if;	/* SNMP ifIndex; 0 when not known */
	/* Start and end on the collector's time base (DESIGN.md "Time"):
	 * Unix time in milliseconds, exporter clock offset applied. */
	int64_t start_ms, end_ms;
};

/* frag bits (what RFC 8955 §4.2.2.12 can match on). */
#define FLOW_FRAG_DF 0x01		/* don't fragment set */
#define FLOW_FRAG_IS 0x02		/* a fragment */
#define FLOW_FRAG_FIRST 0x04		/* the first fragment */
#define FLOW_FRAG_LAST 0x08		/* the last fragment */

#endif
