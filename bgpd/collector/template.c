/* Template compilation and data record reading: see template.h. */
#include "bgpd/collector/template.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#define NTP_UNIX_OFFSET 2208988800ull	/* 1900 to 1970, RFC 7011 §6.1.9 */
#define IE_TABLE_MAX 320

/* The IANA information elements the flow record uses, with the octet
 * counts each may come in (RFC 7011 §6.2 reduced-size encoding gives
 * counters fewer than their 8). A field of another length is skipped. */
struct ie_rule {
	uint8_t kind;
	uint8_t min, max;
};

static const struct ie_rule ie_table[IE_TABLE_MAX] = {
	[1] = { FK_BYTES, 1, 8 },		/* octetDeltaCount */
	[2] = { FK_PACKETS, 1, 8 },		/* packetDeltaCount */
	[4] = { FK_PROTO, 1, 1 },		/* protocolIdentifier */
	[5] = { FK_TOS, 1, 1 },			/* ipClassOfService */
	[6] = { FK_TCP_FLAGS, 1, 2 },		/* tcpControlBits */
	[7] = { FK_SPORT, 1, 2 },		/* sourceTransportPort */
	[8] = { FK_SRC4, 4, 4 },		/* sourceIPv4Address */
	[10] = { FK_IN_IF, 1, 4 },		/* ingressInterface */
	[11] = { FK_DPORT, 1, 2 },		/* destinationTransportPort */
	[12] = { FK_DST4, 4, 4 },		/* destinationIPv4Address */
	[14] = { FK_OUT_IF, 1, 4 },		/* egressInterface */
	[21] = { FK_LAST_UP, 4, 4 },		/* flowEndSysUpTime */
	[22] = { FK_FIRST_UP, 4, 4 },		/* flowStartSysUpTime */
	[25] = { FK_LEN_MIN, 1, 2 },		/* minimumIpTotalLength */
	[26] = { FK_LEN_MAX, 1, 2 },		/* maximumIpTotalLength */
	[27] = { FK_SRC6, 16, 16 },		/* sourceIPv6Address */
	[28] = { FK_DST6, 16, 16 },		/* destinationIPv6Address */
	[32] = { FK_ICMP_TC, 2, 2 },		/* icmpTypeCodeIPv4 */
	[34] = { FK_SAMPLING_RATE, 1, 4 },	/* samplingInterval */
	[48] = { FK_SAMPLER_ID, 1, 4 },		/* samplerId (v9 48) */
	[50] = { FK_SAMPLING_RATE, 1, 4 },	/* samplerRandomInterval */
	[139] = { FK_ICMP_TC, 2, 2 },		/* icmpTypeCodeIPv6 */
	[150] = { FK_START_S, 4, 4 },		/* flowStartSeconds */
	[151] = { FK_END_S, 4, 4 },		/* flowEndSeconds */
	[152] = { FK_START_MS, 8, 8 },		/* flowStartMilliseconds */
	[153] = { FK_END_MS, 8, 8 },		/* flowEndMilliseconds */
	[154] = { FK_START_US, 8, 8 },		/* flowStartMicroseconds */
	[155] = { FK_END_US, 8, 8 },		/* flowEndMicroseconds */
	[156] = { FK_START_NS, 8, 8 },		/* flowStartNanoseconds */
	[157] = { FK_END_NS, 8, 8 },		/* flowEndNanoseconds */
	[160] = { FK_SYS_INIT_MS, 8, 8 },	/* systemInitTimeMilliseconds */
	[176] = { FK_ICMP_TYPE, 1, 1 },		/* icmpTypeIPv4 */
	[177] = { FK_ICMP_CODE, 1, 1 },		/* icmpCodeIPv4 */
	[178] = { FK_ICMP_TYPE, 1, 1 },		/* icmpTypeIPv6 */
	[179] = { FK_ICMP_CODE, 1, 1 },		/* icmpCodeIPv6 */
	[197] = { FK_FRAG_FLAGS, 1, 1 },	/* fragmentFlags */
	[302] = { FK_SAMPLER_ID, 1, 4 },	/* selectorId (RFC 5477) */
	[305] = { FK_SAMPLING_PKT_INTERVAL, 1, 4 }, /* samplingPacketInterval */
	[306] = { FK_SAMPLING_PKT_SPACE, 1, 4 },	/* samplingPacketSpace */
	[309] = { FK_SAMPLING_SIZE, 1, 4 },	/* samplingSize */
	[310] = { FK_SAMPLING_POPULATION, 1, 4 },	/* samplingPopulation */
	[311] = { FK_SAMPLING_PROBABILITY, 4, 8 },	/* samplingProbability */
};

/* fragmentFlags (IANA IE 197) bits. */
#define IE_FRAG_DF 0x01
#define IE_FRAG_MORE 0x04

static enum field_kind kind_of(const struct field_spec *f)
{
	if (f->enterprise || f->len == TEMPLATE_VARLEN || f->id >= IE_TABLE_MAX)
		return FK_SKIP;
	const struct ie_rule *r = &ie_table[f->id];
	if (r->kind == FK_SKIP || f->len < r->min || f->len > r->max ||
	    (r->kind == FK_SAMPLING_PROBABILITY && f->len != 4 && f->len != 8))
		return FK_SKIP;
	return r->kind;
}

bool template_compile(struct template *t, const struct field_spec *fields,
		      size_t n)
{
	if (n > TEMPLATE_FIELDS_MAX)
		return false;
	struct field_op *ops = malloc((n ? n : 1) * sizeof *ops);
	if (!ops)
		return false;
	size_t nops = 0, min_len = 0;
	uint32_t hash = 2166136261u;	/* FNV-1a over id, len, enterprise */
	for (size_t i = 0; i < n; i++) {
		const struct field_spec *f = &fields[i];
		uint32_t words[3] = { f->id, f->len, f->enterprise };
		for (unsigned w = 0; w < 3; w++)
			hash = (hash ^ words[w]) * 16777619u;
		min_len += f->len == TEMPLATE_VARLEN ? 1 : f->len;
		enum field_kind k = kind_of(f);
		/* Adjacent fixed-length fields nobody reads: one skip. */
		if (k == FK_SKIP && f->len != TEMPLATE_VARLEN && nops &&
		    ops[nops - 1].kind == FK_SKIP &&
		    ops[nops - 1].len != TEMPLATE_VARLEN &&
		    (size_t)ops[nops - 1].len + f->len < TEMPLATE_VARLEN) {
			ops[nops - 1].len += f->len;
			continue;
		}
		ops[nops++] = (struct field_op){ f->len, (uint8_t)k };
	}
	/* RFC 7011 §3.1: a record fits in a 65535-octet message. */
	if (min_len > UINT16_MAX || (min_len == 0 && n)) {
		free(ops);
		return false;
	}
	free(t->ops);
	t->ops = ops;
	t->nops = (uint16_t)nops;
	t->nfields = (uint16_t)n;
	t->min_len = (uint16_t)min_len;
	t->layout_hash = hash;
	return true;
}

void template_clear(struct template *t)
{
	if (!t)
		return;
	free(t->ops);
	t->ops = NULL;
	t->nops = 0;
}

/* An unsigned number of len octets, network order (1 <= len <= 8). */
static uint64_t get_uint(struct reader *r, uint16_t len)
{
	switch (len) {
	case 1: return get_u8(r);
	case 2: return get_u16(r);
	case 4: return get_u32(r);
	case 8: return get_u64(r);
	default: {
		uint64_t v = 0;
		for (uint16_t i = 0; i < len; i++)
			v = v << 8 | get_u8(r);
		return v;
	}
	}
}

/* Unix ms of an NTP timestamp (seconds since 1900 . 2^-32 fraction). */
static int64_t ntp_ms(uint64_t ntp)
{
	uint64_t sec = ntp >> 32, frac = ntp & 0xffffffffu;
	return ((int64_t)sec - (int64_t)NTP_UNIX_OFFSET) * 1000 +
	       (int64_t)((frac * 1000) >> 32);
}

static double get_float(struct reader *r, uint16_t len)
{
	if (len == 4) {
		uint32_t bits = get_u32(r);
		float f;
		memcpy(&f, &bits, sizeof f);
		return f;
	}
	uint64_t bits = get_u64(r);
	double d;
	memcpy(&d, &bits, sizeof d);
	return d;
}

static void read_field(const struct field_op *op, struct reader *r,
		       struct record_fields *rf)
{
	struct flow_record *f = &rf->f;
	switch ((enum field_kind)op->kind) {
	case FK_SKIP:
		if (op->len == TEMPLATE_VARLEN) {	/* RFC 7011 §7 */
			size_t n = get_u8(r);
			if (n == 255)
				n = get_u16(r);
			skip(r, n);
		} else {
			skip(r, op->len);
		}
		break;
	case FK_BYTES: f->bytes = get_uint(r, op->len); break;
	case FK_PACKETS: f->packets = get_uint(r, op->len); break;
	case FK_PROTO: f->proto = get_u8(r); break;
	case FK_TOS: f->tos = get_u8(r); break;
	case FK_TCP_FLAGS: f->tcp_flags = (uint8_t)get_uint(r, op->len); break;
	case FK_SPORT: f->sport = (uint16_t)get_uint(r, op->len); break;
	case FK_DPORT: f->dport = (uint16_t)get_uint(r, op->len); break;
	case FK_SRC4:
		f->src.family = ADDR_V4;
		get_bytes(r, f->src.bytes, 4);
		break;
	case FK_DST4:
		f->dst.family = ADDR_V4;
		get_bytes(r, f->dst.bytes, 4);
		break;
	case FK_SRC6:
		f->src.family = ADDR_V6;
		get_bytes(r, f->src.bytes, 16);
		break;
	case FK_DST6:
		f->dst.family = ADDR_V6;
		get_bytes(r, f->dst.bytes, 16);
		break;
	case FK_IN_IF: f->in_if = (uint32_t)get_uint(r, op->len); break;
	case FK_OUT_IF: f->out_if = (uint32_t)get_uint(r, op->len); break;
	case FK_FIRST_UP:
		rf->has_first_up = true;
		rf->first_up = get_u32(r);
		break;
	case FK_LAST_UP:
		rf->has_last_up = true;
		rf->last_up = get_u32(r);
		break;
	case FK_START_S:
		rf->has_start = true;
		rf->start_ms = (int64_t)get_u32(r) * 1000;
		break;
	case FK_END_S:
		rf->has_end = true;
		rf->end_ms = (int64_t)get_u32(r) * 1000;
		break;
	case FK_START_MS:
		rf->has_start = true;
		rf->start_ms = (int64_t)get_u64(r);
		break;
	case FK_END_MS:
		rf->has_end = true;
		rf->end_ms = (int64_t)get_u64(r);
		break;
	case FK_START_US:
	case FK_START_NS:
		rf->has_start = true;
		rf->start_ms = ntp_ms(get_u64(r));
		break;
	case FK_END_US:
	case FK_END_NS:
		rf->has_end = true;
		rf->end_ms = ntp_ms(get_u64(r));
		break;
	case FK_ICMP_TC: {
		uint16_t tc = get_u16(r);
		rf->has_icmp = true;
		rf->icmp_type = (uint8_t)(tc >> 8);
		rf->icmp_code = (uint8_t)tc;
		break;
	}
	case FK_ICMP_TYPE:
		rf->has_icmp = true;
		rf->icmp_type = get_u8(r);
		break;
	case FK_ICMP_CODE:
		rf->has_icmp = true;
		rf->icmp_code = get_u8(r);
		break;
	case FK_LEN_MIN: f->pkt_len_min = (uint16_t)get_uint(r, op->len); break;
	case FK_LEN_MAX: f->pkt_len_max = (uint16_t)get_uint(r, op->len); break;
	case FK_FRAG_FLAGS: {
		uint8_t v = get_u8(r);
		if (v & IE_FRAG_DF)
			f->frag |= FLOW_FRAG_DF;
		if (v & IE_FRAG_MORE)
			f->frag |= FLOW_FRAG_IS;
		break;
	}
	case FK_SAMPLER_ID:
		rf->has_sampler_id = true;
		rf->sampler_id = (uint32_t)get_uint(r, op->len);
		break;
	case FK_SAMPLING_RATE: rf->rate = get_uint(r, op->len); break;
	case FK_SAMPLING_PKT_INTERVAL:
		rf->pkt_interval = get_uint(r, op->len);
		break;
	case FK_SAMPLING_PKT_SPACE: rf->pkt_space = get_uint(r, op->len); break;
	case FK_SAMPLING_SIZE: rf->size = get_uint(r, op->len); break;
	case FK_SAMPLING_POPULATION:
		rf->population = get_uint(r, op->len);
		break;
	case FK_SAMPLING_PROBABILITY:
		rf->probability = get_float(r, op->len);
		break;
	case FK_SYS_INIT_MS:
		rf->has_sys_init = true;
		rf->sys_init_ms = (int64_t)get_u64(r);
		break;
	}
}

bool template_read(const struct template *t, struct reader *r,
		   struct record_fields *out)
{
	memset(out, 0, sizeof *out);
	for (uint16_t i = 0; i < t->nops; i++)
		read_field(&t->ops[i], r, out);
	if (out->has_icmp)
		out->f.dport = (uint16_t)(out->icmp_type << 8 | out->icmp_code);
	return !r->err;
}

static uint32_t clamp_rate(uint64_t v)
{
	return v > UINT32_MAX ? UINT32_MAX : (uint32_t)v;
}

uint32_t record_sampling(const struct record_fields *rf)
{
	if (rf->rate)
		return clamp_rate(rf->rate);
	if (rf->pkt_interval)		/* RFC 5477 §8.2.2 */
		return clamp_rate((rf->pkt_interval + rf->pkt_space) /
				  rf->pkt_interval);
	if (rf->size && rf->population)	/* RFC 5477 §8.2.4 */
		return clamp_rate(rf->population / rf->size);
	if (rf->probability > 0 && rf->probability <= 1)
		return clamp_rate((uint64_t)llround(1.0 / rf->probability));
	return 0;
}
