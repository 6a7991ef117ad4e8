/* Flowspec NLRI wire format: component iteration with validation, the
 * RFC 8955 §5.1 / RFC 8956 §4 ordering, and component writers. */
#include "flowspec.h"

#include <string.h>

static const char *const reason_str[] = {
	[FS_OK] = "valid",
	[FS_ERR_TRUNCATED] = "truncated component",
	[FS_ERR_EMPTY] = "NLRI has no component",
	[FS_ERR_TOO_LONG] = "NLRI longer than 4095 octets",
	[FS_ERR_UNKNOWN_TYPE] = "unknown component type",
	[FS_ERR_TYPE_ORDER] = "components not in increasing type order",
	[FS_ERR_DUP_TYPE] = "component type appears twice",
	[FS_ERR_VALUE_LEN] = "value length not allowed for this component",
	[FS_ERR_PREFIX_LEN] = "prefix length too long for the family",
	[FS_ERR_OFFSET] = "IPv6 prefix offset not below its length",
	[FS_ERR_TRAILING] = "trailing octets after the last component (type 0)",
	[FS_ERR_AFI] = "not a Flowspec address family",
};

const char *fs_reason_str(enum fs_reason reason)
{
	if ((unsigned)reason >= sizeof reason_str / sizeof reason_str[0])
		return "unknown reason";
	return reason_str[reason];
}

/* Largest value length per type: RFC 8955 §4.2.2, RFC 8956 §3.x. */
static const uint8_t max_len[FS_TYPE_MAX + 1] = {
	[FS_TYPE_IP_PROTO] = 1,
	[FS_TYPE_PORT] = 2,
	[FS_TYPE_DST_PORT] = 2,
	[FS_TYPE_SRC_PORT] = 2,
	[FS_TYPE_ICMP_TYPE] = 1,
	[FS_TYPE_ICMP_CODE] = 1,
	[FS_TYPE_TCP_FLAGS] = 2,
	[FS_TYPE_PKT_LEN] = 2,
	[FS_TYPE_DSCP] = 1,
	[FS_TYPE_FRAGMENT] = 1,
	[FS_TYPE_FLOW_LABEL] = 4,
};

/* Largest value, or defined bits, per type. */
static const uint64_t limit[FS_TYPE_MAX + 1] = {
	[FS_TYPE_IP_PROTO] = 0xff,
	[FS_TYPE_PORT] = 0xffff,
	[FS_TYPE_DST_PORT] = 0xffff,
	[FS_TYPE_SRC_PORT] = 0xffff,
	[FS_TYPE_ICMP_TYPE] = 0xff,
	[FS_TYPE_ICMP_CODE] = 0xff,
	[FS_TYPE_TCP_FLAGS] = 0xffff,
	[FS_TYPE_PKT_LEN] = 0xffff,
	[FS_TYPE_DSCP] = 0x3f,
	[FS_TYPE_FRAGMENT] = FS_FRAG_DF | FS_FRAG_ISF | FS_FRAG_FF | FS_FRAG_LF,
	[FS_TYPE_FLOW_LABEL] = 0xfffff,
};

bool fs_type_kind(enum fs_afi afi, unsigned type, enum fs_kind *kind)
{
	unsigned last = afi == FS_AFI_IPV6 ? FS_TYPE_FLOW_LABEL : FS_TYPE_FRAGMENT;
	if (type < FS_TYPE_DST_PREFIX || type > last)
		return false;
	if (type == FS_TYPE_DST_PREFIX || type == FS_TYPE_SRC_PREFIX)
		*kind = FS_KIND_PREFIX;
	else if (type == FS_TYPE_TCP_FLAGS || type == FS_TYPE_FRAGMENT)
		*kind = FS_KIND_BITMASK;
	else
		*kind = FS_KIND_NUMERIC;
	return true;
}

unsigned fs_type_max_len(enum fs_afi afi, enum fs_type type)
{
	enum fs_kind kind;
	if (!fs_type_kind(afi, type, &kind) || kind == FS_KIND_PREFIX)
		return 0;
	return max_len[type];
}

uint64_t fs_type_limit(enum fs_afi afi, enum fs_type type)
{
	if (fs_type_max_len(afi, type) == 0)
		return 0;
	if (afi == FS_AFI_IPV6 && type == FS_TYPE_FRAGMENT)
		return limit[type] & ~(uint64_t)FS_FRAG_DF;
	return limit[type];
}

void fs_iter_init(struct fs_iter *it, enum fs_afi afi, const uint8_t *nlri,
		  size_t len)
{
	*it = (struct fs_iter){ .r = reader_init(nlri, len), .afi = afi };
	if (afi != FS_AFI_IPV4 && afi != FS_AFI_IPV6)
		it->reason = FS_ERR_AFI;
	else if (len > FS_NLRI_MAX)
		it->reason = FS_ERR_TOO_LONG;
}

static bool fail(struct fs_iter *it, enum fs_reason reason, size_t off)
{
	it->reason = reason;
	it->err_off = off;
	return false;
}

/* Copies `bits` bits of pattern (MSB first) into a at bit position start. */
static void put_bits(uint8_t *a, const uint8_t *pattern, unsigned start,
		     unsigned bits)
{
	if (start % 8 == 0) {
		unsigned n = (bits + 7) / 8;
		memcpy(a + start / 8, pattern, n);
		if (bits % 8)
			a[start / 8 + n - 1] &= (uint8_t)(0xff00 >> (bits % 8));
		return;
	}
	for (unsigned i = 0; i < bits; i++) {
		unsigned to = start + i;
		if (pattern[i / 8] & (0x80 >> (i % 8)))
			a[to / 8] |= (uint8_t)(0x80 >> (to % 8));
	}
}

/* Where one component lies in the NLRI: what fs_iter_next and fs_cmp
 * both need, found with every check of RFC 8955 §4 / RFC 8956 §3 once. */
struct span {
	unsigned type;
	enum fs_kind kind;
	size_t start;		/* the type octet */
	size_t body;		/* the pattern (prefix) or the operators */
	size_t end;		/* just past the component */
	unsigned len, offset;	/* prefix: length and offset in bits */
};

/* Prefix component: RFC 8955 §4.2.2.1 (length, prefix) and RFC 8956 §3.1
 * (length, offset, pattern of length - offset bits). */
static bool scan_prefix(struct fs_iter *it, struct span *s)
{
	bool v6 = it->afi == FS_AFI_IPV6;
	unsigned max = v6 ? 128 : 32;
	unsigned len = get_u8(&it->r);
	unsigned offset = v6 ? get_u8(&it->r) : 0;
	if (it->r.err)
		return fail(it, FS_ERR_TRUNCATED, s->start);
	if (len > max)
		return fail(it, FS_ERR_PREFIX_LEN, s->start + 1);
	/* RFC 8956 §3.1: offset < length, except 0/0 (every address). */
	if (offset > len || (offset == len && len != 0))
		return fail(it, FS_ERR_OFFSET, s->start + 2);
	s->body = it->r.off;
	skip(&it->r, (len - offset + 7) / 8);
	if (it->r.err)
		return fail(it, FS_ERR_TRUNCATED, s->start);
	s->len = len;
	s->offset = offset;
	return true;
}

/* Operator list: up to and including the operator with the end bit. */
static bool scan_ops(struct fs_iter *it, struct span *s)
{
	unsigned max = max_len[s->type];
	s->body = it->r.off;
	for (;;) {
		size_t op_off = it->r.off;
		uint8_t op = get_u8(&it->r);
		unsigned vlen = 1u << ((op & FS_OP_LEN_MASK) >> FS_OP_LEN_SHIFT);
		if (it->r.err)
			return fail(it, FS_ERR_TRUNCATED, s->start);
		if (vlen > max)
			return fail(it, FS_ERR_VALUE_LEN, op_off);
		skip(&it->r, vlen);
		if (it->r.err)
			return fail(it, FS_ERR_TRUNCATED, s->start);
		if (op & FS_OP_END)
			break;
	}
	return true;
}

/* The next component's span; false at the end or on a fault (as
 * fs_iter_next). */
static bool scan(struct fs_iter *it, struct span *s)
{
	if (it->reason != FS_OK)
		return false;
	if (remaining(&it->r) == 0) {
		if (it->last_type == 0)
			return fail(it, FS_ERR_EMPTY, 0);
		return false;
	}
	s->start = it->r.off;
	unsigned type = get_u8(&it->r);
	if (type == 0 && it->last_type != 0)
		return fail(it, FS_ERR_TRAILING, s->start);
	if (!fs_type_kind(it->afi, type, &s->kind))
		return fail(it, FS_ERR_UNKNOWN_TYPE, s->start);
	if (type == it->last_type)
		return fail(it, FS_ERR_DUP_TYPE, s->start);
	if (type < it->last_type)
		return fail(it, FS_ERR_TYPE_ORDER, s->start);
	s->type = type;
	s->len = s->offset = 0;
	bool ok = s->kind == FS_KIND_PREFIX ? scan_prefix(it, s)
					    : scan_ops(it, s);
	if (!ok)
		return false;
	it->last_type = type;
	s->end = it->r.off;
	return true;
}

bool fs_iter_next(struct fs_iter *it, struct fs_component *c)
{
	struct span s;
	if (!scan(it, &s))
		return false;
	const uint8_t *nlri = it->r.data;
	c->type = s.type;
	c->kind = s.kind;
	c->offset = (uint8_t)s.offset;
	c->limit = fs_type_limit(it->afi, s.type);
	c->wire = nlri + s.start;
	c->wire_len = s.end - s.start;
	if (s.kind == FS_KIND_PREFIX) {
		c->ops = reader_init(NULL, 0);
		memset(&c->prefix, 0, sizeof c->prefix);
		c->prefix.addr.family =
			it->afi == FS_AFI_IPV6 ? ADDR_V6 : ADDR_V4;
		c->prefix.len = (uint8_t)s.len;
		/* The padding bits after the pattern are irrelevant
		 * (§4.2.2.1). */
		put_bits(c->prefix.addr.bytes, nlri + s.body, s.offset,
			 s.len - s.offset);
	} else {
		c->ops = reader_init(nlri + s.body, s.end - s.body);
	}
	return true;
}

bool fs_op_next(struct reader *ops, const struct fs_component *c,
		struct fs_op *op)
{
	enum fs_kind kind = c->kind;
	if (remaining(ops) == 0)
		return false;
	bool first = ops->off == 0;
	uint8_t b = get_u8(ops);
	op->len = (uint8_t)(1u << ((b & FS_OP_LEN_MASK) >> FS_OP_LEN_SHIFT));
	/* RFC 8955 §4.2.1.1: AND on the first operator reads as unset. */
	op->and = !first && (b & FS_OP_AND);
	op->bits = b & (kind == FS_KIND_BITMASK ? FS_OP_NOT | FS_OP_MATCH
					       : FS_OP_LT | FS_OP_GT | FS_OP_EQ);
	op->value = 0;
	for (unsigned i = 0; i < op->len; i++)
		op->value = op->value << 8 | get_u8(ops);
	op->value &= c->limit;
	return !ops->err;
}

enum fs_reason fs_validate(enum fs_afi afi, const uint8_t *nlri, size_t len,
			   size_t *err_off)
{
	struct fs_iter it;
	struct span s;
	fs_iter_init(&it, afi, nlri, len);
	while (scan(&it, &s))
		;
	if (err_off)
		*err_off = it.err_off;
	return it.reason;
}

bool fs_nlri_next(struct reader *r, struct reader *nlri)
{
	size_t len = get_u8(r);
	/* RFC 8955 §4.1: 0xfnnn is the two-octet form of length nnn. */
	if ((len & FS_LEN_EXTENDED_FLAG) == FS_LEN_EXTENDED_FLAG)
		len = (len & 0x0f) << 8 | get_u8(r);
	*nlri = sub(r, len);
	return !r->err;
}

void fs_nlri_put(struct writer *w, const uint8_t *nlri, size_t len)
{
	if (len > FS_NLRI_MAX) {
		w->err = true;
		return;
	}
	if (len >= FS_LEN_EXTENDED_MIN)
		put_u16(w, (uint16_t)(FS_LEN_EXTENDED_FLAG << 8 | len));
	else
		put_u8(w, (uint8_t)len);
	put_bytes(w, nlri, len);
}

/* The bits of x and y under mask, compared as numbers: the first bit
 * (MSB first) where they differ decides. */
static int masked_cmp(uint8_t x, uint8_t y, uint8_t mask)
{
	x &= mask;
	y &= mask;
	return x == y ? 0 : x < y ? -1 : 1;
}

/* Compares bits from..to-1 of two addresses, MSB first: -1, 0 or 1 as
 * the first differing bit is 0 in a, absent, or 1 in a. The bits up to
 * the next octet boundary, then whole octets, then the bits left. */
static int bits_cmp(const uint8_t *a, const uint8_t *b, unsigned from,
		    unsigned to)
{
	if (from >= to)
		return 0;
	unsigned i = from / 8;
	if (from % 8) {
		unsigned end = to < (i + 1) * 8 ? to : (i + 1) * 8;
		uint8_t mask = (uint8_t)((0xffu >> (from % 8)) &
					 (0xff00u >> (end - i * 8)));
		int cmp = masked_cmp(a[i], b[i], mask);
		if (cmp || end == to)
			return cmp;
		i++;
	}
	size_t octets = to / 8 - i;
	if (octets) {
		int cmp = memcmp(a + i, b + i, octets);
		if (cmp)
			return cmp < 0 ? -1 : 1;
		i += (unsigned)octets;
	}
	if (to % 8 == 0)
		return 0;
	return masked_cmp(a[i], b[i], (uint8_t)(0xff00u >> (to % 8)));
}

/* Two components of one type, at x in a and y in b. */
static int span_cmp(const uint8_t *a, const struct span *x, const uint8_t *b,
		    const struct span *y)
{
	if (x->kind == FS_KIND_PREFIX) {
		/* RFC 8956 §4: lowest offset first, then the common bits,
		 * lowest value first; equal so far, longest prefix first.
		 * The patterns start at the offset: bit i of a pattern is
		 * bit offset + i of the address. */
		if (x->offset != y->offset)
			return x->offset < y->offset ? -1 : 1;
		unsigned common = x->len < y->len ? x->len : y->len;
		int cmp = bits_cmp(a + x->body, b + y->body, 0,
				   common - x->offset);
		if (cmp)
			return cmp;
		return x->len == y->len ? 0 : x->len > y->len ? -1 : 1;
	}
	/* RFC 8955 §5.1: memcmp over the common length, lowest value
	 * first; equal so far, the longer string first. */
	size_t alen = x->end - x->body, blen = y->end - y->body;
	int cmp = memcmp(a + x->body, b + y->body, alen < blen ? alen : blen);
	if (cmp)
		return cmp < 0 ? -1 : 1;
	return alen == blen ? 0 : alen > blen ? -1 : 1;
}

int fs_cmp(enum fs_afi afi, const uint8_t *a, size_t alen, const uint8_t *b,
	   size_t blen)
{
	/* The same octets are the same rule: no need to walk them. */
	if (alen == blen && (alen == 0 || memcmp(a, b, alen) == 0))
		return 0;
	struct fs_iter ia, ib;
	struct span sa = { 0 }, sb = { 0 };
	fs_iter_init(&ia, afi, a, alen);
	fs_iter_init(&ib, afi, b, blen);
	for (;;) {
		bool ha = scan(&ia, &sa);
		bool hb = scan(&ib, &sb);
		if (!ha && !hb)
			return 0;
		/* A missing component sorts as type infinity. */
		if (!hb || (ha && sa.type < sb.type))
			return -1;
		if (!ha || sb.type < sa.type)
			return 1;
		int cmp = span_cmp(a, &sa, b, &sb);
		if (cmp)
			return cmp;
	}
}

void fs_put_prefix(struct writer *w, enum fs_afi afi, enum fs_type type,
		   const struct prefix *p, uint8_t offset)
{
	put_u8(w, (uint8_t)type);
	put_u8(w, p->len);
	unsigned from = 0;
	if (afi == FS_AFI_IPV6) {
		put_u8(w, offset);
		from = offset;
	}
	unsigned bits = p->len > from ? p->len - from : 0;
	unsigned octets = (bits + 7) / 8;
	if (from % 8 == 0) {
		/* Octet-aligned: the pattern is the address octets as they are;
		 * the address has no bits set past len. */
		put_bytes(w, p->addr.bytes + from / 8, octets);
		return;
	}
	uint8_t pattern[16] = { 0 };
	for (unsigned i = 0; i < bits; i++) {
		unsigned at = from + i;
		if (p->addr.bytes[at / 8] & (0x80 >> (at % 8)))
			pattern[i / 8] |= (uint8_t)(0x80 >> (i % 8));
	}
	put_bytes(w, pattern, octets);
}

void fs_put_op(struct writer *w, bool and, bool end, uint8_t bits,
	       uint64_t value)
{
	unsigned code = value > 0xffffffff ? 3 : value > 0xffff ? 2
			: value > 0xff ? 1 : 0;
	put_u8(w, (uint8_t)((end ? FS_OP_END : 0) | (and ? FS_OP_AND : 0) |
			    code << FS_OP_LEN_SHIFT | bits));
	for (int i = (1 << code) - 1; i >= 0; i--)
		put_u8(w, (uint8_t)(value >> (8 * i)));
}
