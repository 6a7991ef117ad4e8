/* sFlow v5 (sflow.org, "sFlow Version 5", 2004): the datagram header
 * (IPv4 or IPv6 agent), flow samples and expanded flow samples with raw
 * packet headers or sampled IPv4/IPv6 records; counter samples and other
 * records are skipped. One flow record per flow sample, its bytes the
 * sampled packet's IP total length, both counts times the sampling
 * rate. */
#include "bgpd/collector/decode.h"
#include "lib/packet.h"

#define SFLOW_ADDR_IPV4 1		/* address_type */
#define SFLOW_ADDR_IPV6 2
#define SFLOW_FORMAT_BITS 12		/* data_format: enterprise << 12 |
					 * format */
#define SFLOW_FLOW_SAMPLE 1		/* enterprise 0 sample formats */
#define SFLOW_FLOW_SAMPLE_EXPANDED 3
#define SFLOW_REC_RAW_HEADER 1		/* enterprise 0 flow record formats */
#define SFLOW_REC_IPV4 3
#define SFLOW_REC_IPV6 4
#define SFLOW_HDR_ETHERNET 1		/* header_protocol */
#define SFLOW_HDR_IPV4 11
#define SFLOW_HDR_IPV6 12
#define SFLOW_IF_FORMAT_SHIFT 30	/* interface: format in top 2 bits */
#define SFLOW_IF_VALUE_MASK 0x3fffffffu
#define SFLOW_SAMPLES_MAX 1024
_Static_assert(PACKET_FRAG_DF == FLOW_FRAG_DF && PACKET_FRAG_IS == FLOW_FRAG_IS
	       && PACKET_FRAG_FIRST == FLOW_FRAG_FIRST &&
	       PACKET_FRAG_LAST == FLOW_FRAG_LAST,
	       "lib/packet.h and flow.h fragment bits differ");
#define SFLOW_RECORDS_MAX 256

/* XDR opaque: rounded up to 4 octets. */
static size_t xdr_pad(size_t n)
{
	return (4 - (n & 3)) & 3;
}

/* A raw packet header record: fills f; false when it holds no IP. */
static bool raw_header(struct reader *r, struct flow_record *f)
{
	uint32_t proto = get_u32(r);
	skip(r, 4);			/* frame_length */
	skip(r, 4);			/* stripped */
	uint32_t len = get_u32(r);
	struct reader hdr = sub(r, len);
	skip(r, xdr_pad(len));
	if (r->err)
		return false;
	enum packet_link link;
	switch (proto) {
	case SFLOW_HDR_ETHERNET: link = PACKET_ETHERNET; break;
	case SFLOW_HDR_IPV4: link = PACKET_IPV4; break;
	case SFLOW_HDR_IPV6: link = PACKET_IPV6; break;
	default: return false;
	}
	struct packet p;
	if (!packet_parse(hdr, link, &p))
		return false;
	f->src = p.src;
	f->dst = p.dst;
	f->proto = p.proto;
	f->tos = p.tos;
	f->frag = p.frag;
	f->sport = p.sport;
	f->dport = p.dport;
	f->tcp_flags = p.tcp_flags;
	f->bytes = p.ip_len;
	f->pkt_len_min = f->pkt_len_max = p.ip_len;
	return true;
}

/* A sampled IPv4 or IPv6 record (the agent decoded the packet). */
static bool sampled_ip(struct reader *r, struct flow_record *f, bool v6)
{
	uint32_t len = get_u32(r);	/* IP packet length */
	f->proto = (uint8_t)get_u32(r);
	enum addr_family fam = v6 ? ADDR_V6 : ADDR_V4;
	f->src.family = f->dst.family = fam;
	get_bytes(r, f->src.bytes, addr_octets(fam));
	get_bytes(r, f->dst.bytes, addr_octets(fam));
	f->sport = (uint16_t)get_u32(r);
	f->dport = (uint16_t)get_u32(r);
	f->tcp_flags = (uint8_t)get_u32(r);
	f->tos = (uint8_t)get_u32(r);	/* tos / priority */
	f->bytes = len;
	f->pkt_len_min = f->pkt_len_max = (uint16_t)len;
	return !r->err;
}

/* The records of a flow sample: the first usable one makes the flow. */
static bool flow_records(struct decode *d, struct reader *r,
			 struct flow_record *f)
{
	uint32_t n = get_u32(r);
	if (n > SFLOW_RECORDS_MAX) {
		decode_error(d, CERR_SAMPLE, "more flow records than allowed");
		return false;
	}
	bool found = false;
	for (uint32_t i = 0; i < n; i++) {
		uint32_t format = get_u32(r), len = get_u32(r);
		struct reader rec = sub(r, len);
		if (r->err) {
			decode_error(d, CERR_SAMPLE, "flow record past its "
				     "sample");
			return false;
		}
		if (found || format >> SFLOW_FORMAT_BITS)
			continue;	/* another enterprise's record */
		switch (format) {
		case SFLOW_REC_RAW_HEADER:
			found = raw_header(&rec, f);
			if (rec.err)
				decode_error(d, CERR_SAMPLE, "raw packet "
					     "header past its record");
			break;
		case SFLOW_REC_IPV4:
		case SFLOW_REC_IPV6:
			found = sampled_ip(&rec, f, format == SFLOW_REC_IPV6);
			if (!found || !reader_done(&rec)) {
				decode_error(d, CERR_SAMPLE, "sampled IP "
					     "record of the wrong length");
				found = false;
			}
			break;
		default:
			break;
		}
	}
	if (!reader_done(r)) {
		decode_error(d, CERR_SAMPLE, "octets after the flow records");
		return false;
	}
	return found;
}

static uint32_t if_index(uint32_t v)
{
	return v >> SFLOW_IF_FORMAT_SHIFT ? 0 : v & SFLOW_IF_VALUE_MASK;
}

static void flow_sample(struct decode *d, struct reader *r, bool expanded,
			int64_t time_ms)
{
	struct flow_record f = { 0 };
	skip(r, 4);			/* sequence_number */
	skip(r, expanded ? 8 : 4);	/* source_id (type, index) */
	uint32_t rate = get_u32(r);	/* sampling_rate */
	skip(r, 4);			/* sample_pool */
	skip(r, 4);			/* drops */
	if (expanded) {
		uint32_t in_format = get_u32(r), in = get_u32(r);
		uint32_t out_format = get_u32(r), out = get_u32(r);
		f.in_if = in_format ? 0 : in;
		f.out_if = out_format ? 0 : out;
	} else {
		f.in_if = if_index(get_u32(r));
		f.out_if = if_index(get_u32(r));
	}
	if (r->err) {
		decode_error(d, CERR_SAMPLE, "flow sample cut short");
		return;
	}
	if (!flow_records(d, r, &f))
		return;
	f.packets = 1;
	f.start_ms = f.end_ms = time_ms;
	decode_emit(d, &f, rate);
}

void sflow_decode(struct decode *d, struct reader *r)
{
	skip(r, 4);				/* version */
	uint32_t atype = get_u32(r);
	if (atype != SFLOW_ADDR_IPV4 && atype != SFLOW_ADDR_IPV6) {
		decode_error(d, CERR_HEADER, "sFlow agent address type");
		return;
	}
	skip(r, atype == SFLOW_ADDR_IPV6 ? 16 : 4);	/* agent address */
	uint32_t sub_agent = get_u32(r);
	uint32_t seq = get_u32(r);
	uint32_t uptime = get_u32(r);		/* ms */
	uint32_t nsamples = get_u32(r);
	if (r->err) {
		decode_error(d, CERR_TRUNCATED, "sFlow header");
		return;
	}
	if (nsamples > SFLOW_SAMPLES_MAX) {
		decode_error(d, CERR_HEADER, "more samples than allowed");
		return;
	}
	struct domain *dom = exporter_domain(d->e, DOMAIN_SFLOW, sub_agent);
	if (!dom)
		return;
	/* The agent's clock is its uptime: the offset maps it to ours
	 * and is set anew when the agent restarts. */
	domain_uptime(d->e, dom, uptime);
	domain_clock(dom, d->now_ms, uptime);
	domain_sequence(d->e, dom, seq, 1);
	int64_t time_ms = uptime + dom->offset_ms;
	for (uint32_t i = 0; i < nsamples; i++) {
		uint32_t format = get_u32(r), len = get_u32(r);
		struct reader s = sub(r, len);
		if (r->err) {
			decode_error(d, CERR_TRUNCATED, "sFlow sample past the "
				     "datagram");
			return;
		}
		if (format == SFLOW_FLOW_SAMPLE ||
		    format == SFLOW_FLOW_SAMPLE_EXPANDED)
			flow_sample(d, &s, format == SFLOW_FLOW_SAMPLE_EXPANDED,
				    time_ms);
	}
	if (remaining(r))
		decode_error(d, CERR_HEADER, "octets after the last sample");
}
