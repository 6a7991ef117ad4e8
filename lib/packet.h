/* Header fields of one captured packet: Ethernet (with 802.1Q / QinQ
 * tags), IPv4, IPv6 (hop-by-hop, routing, destination options and fragment
 * headers skipped), then TCP, UDP or ICMP. Used on capture frames (to find
 * export datagrams) and on the packet headers sFlow samples carry, which
 * are usually cut short: fields that lie past the end stay 0. */
#ifndef LIB_PACKET_H
#define LIB_PACKET_H

#include <stdbool.h>
#include <stdint.h>

#include "lib/addr.h"
#include "lib/reader.h"

/* Where the frame starts (pcap link types, sFlow header_protocol maps
 * onto these). */
enum packet_link { PACKET_ETHERNET, PACKET_IPV4, PACKET_IPV6, PACKET_RAW };

/* PACKET_FRAG_* match flow.h's FLOW_FRAG_* bits. */
#define PACKET_FRAG_DF 0x01
#define PACKET_FRAG_IS 0x02
#define PACKET_FRAG_FIRST 0x04
#define PACKET_FRAG_LAST 0x08

struct packet {
	struct addr src, dst;	/* family ADDR_NONE: no IP header found */
	uint8_t proto;		/* IPv4 protocol / last IPv6 next header */
	uint8_t tos;		/* TOS / traffic class */
	uint8_t frag;		/* PACKET_FRAG_* */
	uint16_t ip_len;	/* IP total length (IPv6: 40 + payload) */
	uint16_t sport, dport;	/* ICMP: dport = type << 8 | code */
	uint8_t tcp_flags;
	bool has_l4;		/* the transport header was complete */
	/* The transport payload present in the capture (UDP: cut to the
	 * UDP length). A view into the frame. */
	struct reader payload;
};

/* Fills p from frame. False when no IP header could be read (p then
 * holds what was found); a short transport header leaves has_l4 false. */
bool packet_parse(struct reader frame, enum packet_link link,
		  struct packet *p);

#endif
