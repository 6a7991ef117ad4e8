/* Packet header parsing: see packet.h. */
#include "packet.h"

#include <string.h>

#define ETH_ADDRS_LEN 12		/* destination and source MAC */
#define ETHERTYPE_IPV4 0x0800
#define ETHERTYPE_IPV6 0x86dd
#define ETHERTYPE_VLAN 0x8100		/* IEEE 802.1Q */
#define ETHERTYPE_QINQ 0x88a8		/* IEEE 802.1ad */
#define VLAN_TAGS_MAX 4
#define VLAN_TCI_LEN 2

#define IPV4_MIN_HLEN 20		/* RFC 791 §3.1 */
#define IPV4_DF 0x4000
#define IPV4_MF 0x2000
#define IPV4_OFFSET_MASK 0x1fff
#define IPV6_HLEN 40			/* RFC 8200 §3 */
#define IPV6_EXT_MAX 8

#define IPPROTO_V6_HOPOPTS 0		/* RFC 8200 §4 extension headers */
#define IPPROTO_V6_ROUTING 43
#define IPPROTO_V6_FRAGMENT 44
#define IPPROTO_V6_DSTOPTS 60
#define IP_PROTO_ICMP 1
#define IP_PROTO_TCP 6
#define IP_PROTO_UDP 17
#define IP_PROTO_ICMPV6 58

#define TCP_FLAGS_OFF 13		/* RFC 9293 §3.1: after ports, seq,
					 * ack, data offset */
#define UDP_HLEN 8			/* RFC 768 */

/* Reads the transport header of the packet in r (the IP payload). */
static void parse_l4(struct reader *r, struct packet *p, bool first_frag)
{
	if (!first_frag)
		return;		/* later fragments carry no header */
	switch (p->proto) {
	case IP_PROTO_TCP: {
		p->sport = get_u16(r);
		p->dport = get_u16(r);
		skip(r, TCP_FLAGS_OFF - 4);
		p->tcp_flags = get_u8(r);
		p->has_l4 = !r->err;
		break;
	}
	case IP_PROTO_UDP: {
		p->sport = get_u16(r);
		p->dport = get_u16(r);
		uint16_t len = get_u16(r);
		skip(r, 2);	/* checksum */
		p->has_l4 = !r->err;
		if (p->has_l4 && len >= UDP_HLEN &&
		    (size_t)(len - UDP_HLEN) < remaining(r))
			p->payload = sub(r, len - UDP_HLEN);
		else if (p->has_l4)
			p->payload = sub(r, remaining(r));
		break;
	}
	case IP_PROTO_ICMP:
	case IP_PROTO_ICMPV6: {
		uint8_t type = get_u8(r), code = get_u8(r);
		p->dport = (uint16_t)(type << 8 | code);
		p->has_l4 = !r->err;
		break;
	}
	default:
		break;
	}
}

static bool parse_ipv4(struct reader *r, struct packet *p)
{
	uint8_t vihl = get_u8(r);
	size_t hlen = (size_t)(vihl & 0x0f) * 4;
	if ((vihl >> 4) != 4 || hlen < IPV4_MIN_HLEN)
		return false;
	p->tos = get_u8(r);
	p->ip_len = get_u16(r);
	skip(r, 2);	/* identification */
	uint16_t frag = get_u16(r);
	skip(r, 1);	/* TTL */
	p->proto = get_u8(r);
	skip(r, 2);	/* checksum */
	get_bytes(r, p->src.bytes, 4);
	get_bytes(r, p->dst.bytes, 4);
	skip(r, hlen - IPV4_MIN_HLEN);	/* options */
	if (r->err)
		return false;
	p->src.family = p->dst.family = ADDR_V4;
	uint16_t offset = frag & IPV4_OFFSET_MASK;
	if (frag & IPV4_DF)
		p->frag |= PACKET_FRAG_DF;
	if ((frag & IPV4_MF) || offset) {
		p->frag |= PACKET_FRAG_IS;
		if (!offset)
			p->frag |= PACKET_FRAG_FIRST;
		if (!(frag & IPV4_MF))
			p->frag |= PACKET_FRAG_LAST;
	}
	/* The IP payload, cut to the total length when the capture has it
	 * all (frames may carry padding). */
	size_t body = p->ip_len > hlen ? p->ip_len - hlen : 0;
	struct reader l4 = sub(r, body < remaining(r) ? body : remaining(r));
	parse_l4(&l4, p, offset == 0);
	return true;
}

static bool parse_ipv6(struct reader *r, struct packet *p)
{
	uint32_t vtf = get_u32(r);
	if ((vtf >> 28) != 6)
		return false;
	p->tos = (uint8_t)(vtf >> 20);
	uint16_t plen = get_u16(r);
	uint8_t next = get_u8(r);
	skip(r, 1);	/* hop limit */
	get_bytes(r, p->src.bytes, 16);
	get_bytes(r, p->dst.bytes, 16);
	if (r->err)
		return false;
	p->src.family = p->dst.family = ADDR_V6;
	p->ip_len = (uint16_t)(plen + IPV6_HLEN > UINT16_MAX
				       ? UINT16_MAX : plen + IPV6_HLEN);
	struct reader body = sub(r, plen < remaining(r) ? plen : remaining(r));
	bool first = true;
	for (unsigned i = 0; i < IPV6_EXT_MAX; i++) {
		if (next == IPPROTO_V6_FRAGMENT) {	/* RFC 8200 §4.5 */
			next = get_u8(&body);
			skip(&body, 1);
			uint16_t off_m = get_u16(&body);
			skip(&body, 4);	/* identification */
			p->frag |= PACKET_FRAG_IS;
			if ((off_m >> 3) == 0)
				p->frag |= PACKET_FRAG_FIRST;
			else
				first = false;
			if (!(off_m & 1))
				p->frag |= PACKET_FRAG_LAST;
		} else if (next == IPPROTO_V6_HOPOPTS ||
			   next == IPPROTO_V6_ROUTING ||
			   next == IPPROTO_V6_DSTOPTS) {
			next = get_u8(&body);
			size_t len = ((size_t)get_u8(&body) + 1) * 8;
			skip(&body, len - 2);
		} else {
			break;
		}
		if (body.err)
			break;
	}
	p->proto = next;
	if (!body.err)
		parse_l4(&body, p, first);
	return true;
}

bool packet_parse(struct reader frame, enum packet_link link,
		  struct packet *p)
{
	memset(p, 0, sizeof *p);
	p->payload = reader_init(NULL, 0);
	struct reader *r = &frame;
	if (link == PACKET_RAW) {
		uint8_t v = peek_u8(r) >> 4;
		link = v == 6 ? PACKET_IPV6 : PACKET_IPV4;
	} else if (link == PACKET_ETHERNET) {
		skip(r, ETH_ADDRS_LEN);
		uint16_t type = get_u16(r);
		for (unsigned i = 0; i < VLAN_TAGS_MAX &&
		     (type == ETHERTYPE_VLAN || type == ETHERTYPE_QINQ); i++) {
			skip(r, VLAN_TCI_LEN);
			type = get_u16(r);
		}
		if (r->err || (type != ETHERTYPE_IPV4 && type != ETHERTYPE_IPV6))
			return false;
		link = type == ETHERTYPE_IPV6 ? PACKET_IPV6 : PACKET_IPV4;
	}
	return link == PACKET_IPV6 ? parse_ipv6(r, p) : parse_ipv4(r, p);
}
