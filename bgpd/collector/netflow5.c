/* NetFlow v5 (Cisco's export format): a 24-octet header and up to 30
 * records of 48 octets each. */
#include <stdio.h>

#include "bgpd/collector/decode.h"

#define V5_RECORDS_MAX 30
#define V5_RECORD_LEN 48
#define V5_SAMPLING_INTERVAL_MASK 0x3fff	/* top 2 bits: the mode */

/* One 48-octet record into f (uptimes in *first, *last). */
static void read_record(struct reader *r, struct flow_record *f,
			uint32_t *first, uint32_t *last)
{
	f->src.family = f->dst.family = ADDR_V4;
	get_bytes(r, f->src.bytes, 4);		/* srcaddr */
	get_bytes(r, f->dst.bytes, 4);		/* dstaddr */
	skip(r, 4);				/* nexthop */
	f->in_if = get_u16(r);			/* input */
	f->out_if = get_u16(r);			/* output */
	f->packets = get_u32(r);		/* dPkts */
	f->bytes = get_u32(r);			/* dOctets */
	*first = get_u32(r);			/* First (sysUptime ms) */
	*last = get_u32(r);			/* Last */
	f->sport = get_u16(r);			/* srcport */
	f->dport = get_u16(r);			/* dstport */
	skip(r, 1);				/* pad1 */
	f->tcp_flags = get_u8(r);		/* tcp_flags */
	f->proto = get_u8(r);			/* prot */
	f->tos = get_u8(r);			/* tos */
	skip(r, 2 + 2 + 1 + 1 + 2);		/* src_as, dst_as, masks, pad2 */
}

void netflow5_decode(struct decode *d, struct reader *r)
{
	skip(r, 2);				/* version */
	uint16_t count = get_u16(r);
	uint32_t uptime = get_u32(r);		/* SysUptime, ms */
	uint32_t secs = get_u32(r);		/* unix_secs */
	uint32_t nsecs = get_u32(r);		/* unix_nsecs */
	uint32_t seq = get_u32(r);		/* flow_sequence */
	uint8_t engine_type = get_u8(r);
	uint8_t engine_id = get_u8(r);
	uint16_t sampling = get_u16(r);
	if (r->err) {
		decode_error(d, CERR_TRUNCATED, "NetFlow v5 header");
		return;
	}
	if (count == 0 || count > V5_RECORDS_MAX ||
	    remaining(r) != (size_t)count * V5_RECORD_LEN) {
		char what[80];
		snprintf(what, sizeof what, "NetFlow v5 count %u with %zu "
			 "octets of records", count, remaining(r));
		decode_error(d, CERR_HEADER, what);
		return;
	}
	struct domain *dom = exporter_domain(d->e, DOMAIN_V5,
					     (uint32_t)engine_type << 8 |
						     engine_id);
	if (!dom)
		return;
	int64_t hdr_ms = (int64_t)secs * 1000 + nsecs / 1000000;
	domain_uptime(d->e, dom, uptime);
	domain_clock(dom, d->now_ms, hdr_ms);
	domain_sequence(d->e, dom, seq, count);
	uint32_t rate = sampling & V5_SAMPLING_INTERVAL_MASK;
	for (unsigned i = 0; i < count; i++) {
		struct flow_record f = { 0 };
		uint32_t first, last;
		read_record(r, &f, &first, &last);
		f.start_ms = uptime_to_ms(hdr_ms, uptime, first) + dom->offset_ms;
		f.end_ms = uptime_to_ms(hdr_ms, uptime, last) + dom->offset_ms;
		decode_emit(d, &f, rate);
	}
}
