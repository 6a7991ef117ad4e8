/* Template compilation and data record reading: see template.h. */
#include "bgpd/collector/template.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#define NTP_UNIX_OFFSET 2208988800ull	/* 1900 to 1970, RFC 7011 §6.1.9 */
#define IE_TABLE_MAX 320

/* The IANA information elements the flow record uses (an FK_SKIP entry,
 * 0 in this table, is FK_SRC4's value: kind_of tells them apart by the
 * min and max lengths, which are 0 for an element not listed), with the octet
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
	[154] = { FK_START_NTP, 8, 8 },		/* flowStartMicroseconds */
	[155] = { FK_END_NTP, 8, 8 },		/* flowEndMicroseconds */
	[156] = { FK_START_NTP, 8, 8 },		/* flowStartNanoseconds */
	[157] = { FK_END_NTP, 8, 8 },		/* flowEndNanoseconds */
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
	[311] = { FK_SAMPLING_PROB64, 4, 8 },	/* samplingProbability */
};

static enum field_kind kind_of(const struct field_spec *f)
{
	if (f->enterprise || f->len == TEMPLATE_VARLEN || f->id >= IE_TABLE_MAX)
		return FK_SKIP;
	const struct ie_rule *r = &ie_table[f->id];
	if (r->max == 0 || f->len < r->min || f->len > r->max)
		return FK_SKIP;
	if (r->kind == FK_SAMPLING_PROB64)	/* float32 or float64 */
		return f->len == 8 ? FK_SAMPLING_PROB64
		       : f->len == 4 ? FK_SAMPLING_PROB32 : FK_SKIP;
	return r->kind;
}

static bool same_ops(const struct template *t, const struct field_op *ops,
		     size_t nops)
{
	if (t->nops != nops)
		return false;
	for (size_t i = 0; i < nops; i++)
		if (t->ops[i].len != ops[i].len || t->ops[i].kind != ops[i].kind ||
		    t->ops[i].off != ops[i].off)
			return false;
	return true;
}

bool template_compile(struct template *t, const struct field_spec *fields,
		      size_t n)
{
	struct field_op ops[TEMPLATE_FIELDS_MAX];
	if (n > TEMPLATE_FIELDS_MAX)
		return false;
	size_t nops = 0, min_len = 0;
	bool varlen = false;
	for (size_t i = 0; i < n; i++) {
		const struct field_spec *f = &fields[i];
		size_t off = min_len;
		varlen = varlen || f->len == TEMPLATE_VARLEN;
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
		ops[nops++] = (struct field_op){
			.len = f->len,
			.off = (uint16_t)(off > UINT16_MAX ? 0 : off),
			.kind = (uint8_t)k };
	}
	/* RFC 7011 §3.1: a record fits in a 65535-octet message. */
	if (min_len > UINT16_MAX || min_len == 0)
		return false;
	if (t->ops && same_ops(t, ops, nops) && t->min_len == min_len &&
	    t->varlen == varlen) {
		t->nfields = (uint16_t)n;
		return true;
	}
	struct field_op *copy = malloc(nops * sizeof *copy);
	if (!copy)
		return false;
	memcpy(copy, ops, nops * sizeof *copy);
	free(t->ops);
	t->ops = copy;
	t->nops = (uint16_t)nops;
	t->nfields = (uint16_t)n;
	t->min_len = (uint16_t)min_len;
	t->varlen = varlen;
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

/* A number of len octets in network order at p (1 <= len <= 8). */
static uint64_t load_uint(const uint8_t *p, uint16_t len)
{
	switch (len) {
	case 1: return p[0];
	case 2: return (uint64_t)p[0] << 8 | p[1];
	case 4: return (uint64_t)p[0] << 24 | (uint64_t)p[1] << 16 |
		       (uint64_t)p[2] << 8 | p[3];
	case 8: return load_uint(p, 4) << 32 | load_uint(p + 4, 4);
	default: {
		uint64_t v = 0;
		for (uint16_t i = 0; i < len; i++)
			v = v << 8 | p[i];
		return v;
	}
	}
}

/* The fast way for a fixed-length record: one copy out of the reader,
 * then every field at its offset in the copy (off + len <= min_len,
 * as compiled). */
static bool read_fixed(const struct template *t, struct reader *r,
		       struct record_fields *out)
{
	uint8_t rec[TEMPLATE_COPY_MAX];
	get_bytes(r, rec, t->min_len);
	if (r->err)
		return false;
	for (uint16_t i = 0; i < t->nops; i++) {
		const struct field_op *op = &t->ops[i];
		if (op->kind == FK_SKIP)
			continue;
		if (op->kind <= FK_DST6)
			memcpy(out->addr[op->kind], rec + op->off, op->len);
		else
			out->v[op->kind] = load_uint(rec + op->off, op->len);
		out->seen |= 1ull << op->kind;
	}
	return true;
}

bool template_read(const struct template *t, struct reader *r,
		   struct record_fields *out)
{
	out->seen = 0;
	if (!t->varlen && t->min_len <= TEMPLATE_COPY_MAX)
		return read_fixed(t, r, out);
	for (uint16_t i = 0; i < t->nops; i++) {
		const struct field_op *op = &t->ops[i];
		if (op->kind == FK_SKIP) {
			size_t n = op->len;
			if (n == TEMPLATE_VARLEN) {	/* RFC 7011 §7 */
				n = get_u8(r);
				if (n == 255)
					n = get_u16(r);
			}
			skip(r, n);
			continue;
		}
		if (op->kind <= FK_DST6)
			get_bytes(r, out->addr[op->kind], op->len);
		else
			out->v[op->kind] = get_uint(r, op->len);
		out->seen |= 1ull << op->kind;
	}
	return !r->err;
}

/* v[k] when the record has k, else 0. */
static uint64_t val(const struct record_fields *rf, enum field_kind k)
{
	return rf_has(rf, k) ? rf->v[k] : 0;
}

/* fragmentFlags (IANA IE 197) bits. */
#define IE_FRAG_DF 0x01
#define IE_FRAG_MORE 0x04

bool record_flow(const struct record_fields *rf, struct flow_record *f)
{
	enum field_kind src = FK_SRC4, dst = FK_DST4;
	enum addr_family fam = ADDR_V4;
	if (!rf_has(rf, FK_SRC4) || !rf_has(rf, FK_DST4)) {
		src = FK_SRC6;
		dst = FK_DST6;
		fam = ADDR_V6;
		if (!rf_has(rf, FK_SRC6) || !rf_has(rf, FK_DST6))
			return false;
	}
	f->src.family = f->dst.family = fam;
	memcpy(f->src.bytes, rf->addr[src], addr_octets(fam));
	memcpy(f->dst.bytes, rf->addr[dst], addr_octets(fam));
	f->bytes = val(rf, FK_BYTES);
	f->packets = val(rf, FK_PACKETS);
	f->proto = (uint8_t)val(rf, FK_PROTO);
	f->tos = (uint8_t)val(rf, FK_TOS);
	f->tcp_flags = (uint8_t)val(rf, FK_TCP_FLAGS);
	f->sport = (uint16_t)val(rf, FK_SPORT);
	f->dport = (uint16_t)val(rf, FK_DPORT);
	if (rf_has(rf, FK_ICMP_TC))
		f->dport = (uint16_t)rf->v[FK_ICMP_TC];
	else if (rf_has(rf, FK_ICMP_TYPE) || rf_has(rf, FK_ICMP_CODE))
		f->dport = (uint16_t)(val(rf, FK_ICMP_TYPE) << 8 |
				      val(rf, FK_ICMP_CODE));
	f->in_if = (uint32_t)val(rf, FK_IN_IF);
	f->out_if = (uint32_t)val(rf, FK_OUT_IF);
	f->pkt_len_min = (uint16_t)val(rf, FK_LEN_MIN);
	f->pkt_len_max = (uint16_t)val(rf, FK_LEN_MAX);
	uint64_t frag = val(rf, FK_FRAG_FLAGS);
	f->frag = (uint8_t)((frag & IE_FRAG_DF ? FLOW_FRAG_DF : 0) |
			    (frag & IE_FRAG_MORE ? FLOW_FRAG_IS : 0));
	return true;
}

/* One end in Unix ms from whichever form the record has. */
static bool abs_time(const struct record_fields *rf, enum field_kind ms,
		     enum field_kind ntp, enum field_kind s, int64_t *out)
{
	if (rf_has(rf, ms))
		*out = (int64_t)rf->v[ms];
	else if (rf_has(rf, ntp))
		*out = ntp_ms(rf->v[ntp]);
	else if (rf_has(rf, s))
		*out = (int64_t)rf->v[s] * 1000;
	else
		return false;
	return true;
}

bool record_abs_times(const struct record_fields *rf, int64_t *start,
		      int64_t *end)
{
	bool has_s = abs_time(rf, FK_START_MS, FK_START_NTP, FK_START_S, start);
	bool has_e = abs_time(rf, FK_END_MS, FK_END_NTP, FK_END_S, end);
	if (!has_s && !has_e)
		return false;
	if (!has_s)
		*start = *end;
	if (!has_e)
		*end = *start;
	return true;
}

bool record_uptimes(const struct record_fields *rf, uint32_t *first,
		    uint32_t *last)
{
	bool has_f = rf_has(rf, FK_FIRST_UP), has_l = rf_has(rf, FK_LAST_UP);
	if (!has_f && !has_l)
		return false;
	*first = (uint32_t)rf->v[has_f ? FK_FIRST_UP : FK_LAST_UP];
	*last = (uint32_t)rf->v[has_l ? FK_LAST_UP : FK_FIRST_UP];
	return true;
}

static uint32_t clamp_rate(uint64_t v)
{
	return v > UINT32_MAX ? UINT32_MAX : (uint32_t)v;
}

static double probability(const struct record_fields *rf)
{
	if (rf_has(rf, FK_SAMPLING_PROB64)) {
		double d;
		memcpy(&d, &rf->v[FK_SAMPLING_PROB64], sizeof d);
		return d;
	}
	if (rf_has(rf, FK_SAMPLING_PROB32)) {
		uint32_t bits = (uint32_t)rf->v[FK_SAMPLING_PROB32];
		float f;
		memcpy(&f, &bits, sizeof f);
		return f;
	}
	return 0;
}

uint32_t record_sampling(const struct record_fields *rf)
{
	uint64_t interval = val(rf, FK_SAMPLING_PKT_INTERVAL);
	uint64_t size = val(rf, FK_SAMPLING_SIZE);
	uint64_t population = val(rf, FK_SAMPLING_POPULATION);
	double p = probability(rf);
	if (val(rf, FK_SAMPLING_RATE))
		return clamp_rate(rf->v[FK_SAMPLING_RATE]);
	if (interval)			/* RFC 5477 §8.2.2 */
		return clamp_rate((interval + val(rf, FK_SAMPLING_PKT_SPACE)) /
				  interval);
	if (size && population)		/* RFC 5477 §8.2.4 */
		return clamp_rate(population / size);
	if (p > 0 && p <= 1)		/* RFC 5477 §8.2.5 */
		return clamp_rate((uint64_t)llround(1.0 / p));
	return 0;
}
