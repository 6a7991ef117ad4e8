/* Unit tests for nlri/flowspec: the NLRI length (RFC 8955 §4.1), the
 * components and operators (RFC 8955 §4.2, RFC 8956 §3), validation with
 * its reasons, truncation sweeps, the §5.1 ordering and the writers. */
#include "nlri/flowspec.h"
#include "vectors.h"

#define V4 FS_AFI_IPV4
#define V6 FS_AFI_IPV6

/* Operator octet pieces, RFC 8955 §4.2.1.1: the value length code. */
#define LEN1 (0 << FS_OP_LEN_SHIFT)
#define LEN2 (1 << FS_OP_LEN_SHIFT)
#define LEN4 (2 << FS_OP_LEN_SHIFT)
#define LEN8 (3 << FS_OP_LEN_SHIFT)
#define END FS_OP_END
#define AND FS_OP_AND
#define EQ FS_OP_EQ
#define LT FS_OP_LT
#define GT FS_OP_GT

/* ---- helpers ----------------------------------------------------------- */

/* The components of one NLRI as fs_iter yields them. */
struct parsed {
	size_t n;
	struct fs_component c[FS_TYPE_MAX + 1];
	enum fs_reason reason;
	size_t err_off;
};

static struct parsed parse(enum fs_afi afi, const uint8_t *nlri, size_t len)
{
	struct parsed p = { 0 };
	struct fs_iter it;
	fs_iter_init(&it, afi, nlri, len);
	while (p.n < FS_TYPE_MAX + 1 && fs_iter_next(&it, &p.c[p.n]))
		p.n++;
	p.reason = it.reason;
	p.err_off = it.err_off;
	return p;
}

/* Reads every operator of a component; returns how many there were. */
static size_t ops_of(const struct fs_component *c, struct fs_op *ops,
		     size_t max)
{
	struct reader r = c->ops;
	size_t n = 0;
	struct fs_op scratch;
	while (fs_op_next(&r, c, n < max ? &ops[n] : &scratch))
		n++;
	ck_assert(reader_done(&r));
	return n;
}

static void assert_op(const struct fs_op *op, bool and, uint8_t bits,
		      uint8_t len, uint64_t value)
{
	ck_assert_int_eq(op->and, and);
	ck_assert_uint_eq(op->bits, bits);
	ck_assert_uint_eq(op->len, len);
	ck_assert_uint_eq(op->value, value);
}

/* Asserts a component holds exactly one operator. */
static void assert_single_op(const struct fs_component *c, enum fs_type type,
			     uint8_t bits, uint8_t len, uint64_t value)
{
	struct fs_op ops[4];
	ck_assert_int_eq(c->type, type);
	ck_assert_uint_eq(ops_of(c, ops, 4), 1);
	assert_op(&ops[0], false, bits, len, value);
}

static struct prefix prefix_of(const char *s)
{
	struct prefix p;
	ck_assert_msg(prefix_parse(&p, s, strlen(s)), "prefix %s", s);
	return p;
}

static void assert_prefix(const struct fs_component *c, enum fs_type type,
			  const char *text, unsigned offset)
{
	struct prefix want = prefix_of(text);
	ck_assert_int_eq(c->type, type);
	ck_assert_int_eq(c->kind, FS_KIND_PREFIX);
	ck_assert_int_eq(c->prefix.addr.family, want.addr.family);
	ck_assert_uint_eq(c->prefix.len, want.len);
	ck_assert_uint_eq(c->offset, offset);
	ck_assert_mem_eq(c->prefix.addr.bytes, want.addr.bytes, 16);
	ck_assert_uint_eq(remaining(&c->ops), 0);
}

static enum fs_reason validate_vec(enum fs_afi afi, struct vec v,
				   size_t *err_off)
{
	uint8_t *copy = exact_copy(v.data, v.len);
	enum fs_reason r = fs_validate(afi, copy, v.len, err_off);
	free(copy);
	return r;
}

/* Octets of a rule with every component type of the family, in order. */
static struct writer all_types(enum fs_afi afi)
{
	struct writer w = writer_init(0);
	unsigned last = afi == V6 ? FS_TYPE_FLOW_LABEL : FS_TYPE_FRAGMENT;
	struct prefix dst = prefix_of(afi == V6 ? "2001:db8::/32"
						: "10.50.100.100/32");
	struct prefix src = prefix_of(afi == V6 ? "2001:db8:1::/48"
						: "192.0.2.0/24");
	fs_put_prefix(&w, afi, FS_TYPE_DST_PREFIX, &dst, 0);
	fs_put_prefix(&w, afi, FS_TYPE_SRC_PREFIX, &src, 0);
	for (unsigned t = FS_TYPE_IP_PROTO; t <= last; t++) {
		enum fs_kind kind;
		ck_assert(fs_type_kind(afi, t, &kind));
		put_u8(&w, (uint8_t)t);
		uint8_t bits = kind == FS_KIND_BITMASK ? FS_OP_MATCH : EQ;
		/* Values that need the type's longest allowed length. */
		uint64_t value = t == FS_TYPE_FLOW_LABEL ? 0xfffff
				 : fs_type_max_len(afi, t) == 2 ? 0x100 + t
								: t;
		fs_put_op(&w, false, true, bits, value);
	}
	ck_assert(!w.err);
	return w;
}

/* ---- the RFC vectors ---------------------------------------------------- */

START_TEST(rfc8955_example)
{
	/* RFC 8955 §4.2.3 example 1: all packets to 192.0.2.0/24 and TCP port 25,
	 * with its one-octet NLRI length. */
	struct vec named = VEC(11,
			       FS_TYPE_DST_PREFIX, 24, 192, 0, 2,
			       FS_TYPE_IP_PROTO, END | EQ, 6,
			       FS_TYPE_PORT, END | EQ, 25);
	struct writer hex = hex_vec("0b 01 18 c0 00 02 03 81 06 04 81 19");
	ck_assert_octets(hex.data, hex.len, named);

	uint8_t *buf = exact_copy(hex.data, hex.len);
	struct reader r = reader_init(buf, hex.len);
	struct reader nlri;
	ck_assert(fs_nlri_next(&r, &nlri));
	ck_assert(reader_done(&r));
	ck_assert_uint_eq(nlri.len, 11);
	ck_assert_ptr_eq(nlri.data, buf + 1);

	struct fs_iter it;
	struct fs_component c;
	fs_iter_init(&it, V4, nlri.data, nlri.len);

	ck_assert(fs_iter_next(&it, &c));
	assert_prefix(&c, FS_TYPE_DST_PREFIX, "192.0.2.0/24", 0);
	ck_assert_ptr_eq(c.wire, buf + 1);
	ck_assert_uint_eq(c.wire_len, 5);

	ck_assert(fs_iter_next(&it, &c));
	ck_assert_int_eq(c.kind, FS_KIND_NUMERIC);
	assert_single_op(&c, FS_TYPE_IP_PROTO, EQ, 1, 6);
	ck_assert_ptr_eq(c.wire, buf + 6);
	ck_assert_uint_eq(c.wire_len, 3);

	ck_assert(fs_iter_next(&it, &c));
	assert_single_op(&c, FS_TYPE_PORT, EQ, 1, 25);
	ck_assert_uint_eq(c.wire_len, 3);

	ck_assert(!fs_iter_next(&it, &c));
	ck_assert_int_eq(it.reason, FS_OK);
	ck_assert(!fs_iter_next(&it, &c));	/* stays at the end */
	ck_assert_int_eq(fs_validate(V4, nlri.data, nlri.len, NULL), FS_OK);
	free(buf);
	writer_free(&hex);
}
END_TEST

START_TEST(iosxr_vector)
{
	/* An NLRI body (no length) as IOS-XR shows it: destination
	 * 10.50.100.100/32, protocol =6, destination port =1234. */
	struct vec named = VEC(FS_TYPE_DST_PREFIX, 32, 10, 50, 100, 100,
			       FS_TYPE_IP_PROTO, END | EQ, 6,
			       FS_TYPE_DST_PORT, END | LEN2 | EQ, 0x04, 0xd2);
	struct writer hex = hex_vec("01 20 0a 32 64 64 03 81 06 05 91 04 d2");
	ck_assert_octets(hex.data, hex.len, named);

	uint8_t *buf = exact_copy(hex.data, hex.len);
	struct parsed p = parse(V4, buf, hex.len);
	ck_assert_int_eq(p.reason, FS_OK);
	ck_assert_uint_eq(p.n, 3);
	assert_prefix(&p.c[0], FS_TYPE_DST_PREFIX, "10.50.100.100/32", 0);
	assert_single_op(&p.c[1], FS_TYPE_IP_PROTO, EQ, 1, 6);
	assert_single_op(&p.c[2], FS_TYPE_DST_PORT, EQ, 2, 1234);
	ck_assert_uint_eq(p.c[2].wire_len, 4);
	free(buf);
	writer_free(&hex);
}
END_TEST

START_TEST(rfc8956_offset64)
{
	/* RFC 8956 §3.8 example 1: destination 2001:db8::/32 offset 0, source
	 * ::1234:5678:9a00:0/64-104 (offset 64, 40 pattern bits), next
	 * header =6. */
	struct vec named = VEC(18,
			       FS_TYPE_DST_PREFIX, 32, 0, 0x20, 0x01, 0x0d, 0xb8,
			       FS_TYPE_SRC_PREFIX, 104, 64,
			       0x12, 0x34, 0x56, 0x78, 0x9a,
			       FS_TYPE_IP_PROTO, END | EQ, 6);
	struct writer hex = hex_vec(
		"12 01 20 00 20 01 0d b8 02 68 40 12 34 56 78 9a 03 81 06");
	ck_assert_octets(hex.data, hex.len, named);

	uint8_t *buf = exact_copy(hex.data, hex.len);
	struct reader r = reader_init(buf, hex.len);
	struct reader nlri;
	ck_assert(fs_nlri_next(&r, &nlri));
	ck_assert(reader_done(&r));
	struct parsed p = parse(V6, nlri.data, nlri.len);
	ck_assert_int_eq(p.reason, FS_OK);
	ck_assert_uint_eq(p.n, 3);
	assert_prefix(&p.c[0], FS_TYPE_DST_PREFIX, "2001:db8::/32", 0);
	assert_prefix(&p.c[1], FS_TYPE_SRC_PREFIX, "::1234:5678:9a00:0/104",
		      64);
	assert_single_op(&p.c[2], FS_TYPE_IP_PROTO, EQ, 1, 6);
	/* Read as IPv4 the same octets make no sense: destination
	 * 0.32.1.13/32, then a type 0xb8. */
	ck_assert_int_ne(fs_validate(V4, nlri.data, nlri.len, NULL), FS_OK);
	free(buf);
	writer_free(&hex);
}
END_TEST

START_TEST(rfc8956_offset65)
{
	/* RFC 8956 §3.8 example 2: source prefix length 104 at offset 65; the
	 * 39 pattern bits come in 5 octets (one padding bit at the end). */
	struct vec named = VEC(15,
			       FS_TYPE_DST_PREFIX, 32, 0, 0x20, 0x01, 0x0d, 0xb8,
			       FS_TYPE_SRC_PREFIX, 104, 65,
			       0x24, 0x68, 0xac, 0xf1, 0x34);
	struct writer hex = hex_vec(
		"0f 01 20 00 20 01 0d b8 02 68 41 24 68 ac f1 34");
	ck_assert_octets(hex.data, hex.len, named);

	uint8_t *buf = exact_copy(hex.data, hex.len);
	struct reader r = reader_init(buf, hex.len);
	struct reader nlri;
	ck_assert(fs_nlri_next(&r, &nlri));
	struct parsed p = parse(V6, nlri.data, nlri.len);
	ck_assert_int_eq(p.reason, FS_OK);
	ck_assert_uint_eq(p.n, 2);
	const struct fs_component *src = &p.c[1];
	ck_assert_int_eq(src->type, FS_TYPE_SRC_PREFIX);
	ck_assert_uint_eq(src->prefix.len, 104);
	ck_assert_uint_eq(src->offset, 65);

	/* Independently: the 5 octets read as a 40-bit number; dropping the
	 * padding bit leaves the 39 pattern bits, whose last one is address
	 * bit 103, so the address (as a 128-bit number) is that value shifted
	 * left by 128 - 104 = 24 bits. Bits 0..64 (the high 64-bit half and
	 * bit 64) are zero. */
	uint64_t octets40 = 0x2468acf134;
	uint64_t pattern39 = octets40 >> 1;
	uint64_t low = pattern39 << (128 - 104);
	uint8_t want[16] = { 0 };
	for (int i = 0; i < 8; i++)
		want[8 + i] = (uint8_t)(low >> (56 - 8 * i));
	ck_assert_mem_eq(src->prefix.addr.bytes, want, 16);
	/* Which is ::1234:5678:9a00:0, the same as the offset-64 example. */
	assert_prefix(src, FS_TYPE_SRC_PREFIX, "::1234:5678:9a00:0/104", 65);
	free(buf);
	writer_free(&hex);
}
END_TEST

/* ---- component types and operators ---------------------------------------- */

START_TEST(type_kinds_and_lengths)
{
	enum fs_kind kind;
	for (unsigned t = 0; t < 256; t++) {
		bool v4 = t >= 1 && t <= 12, v6 = t >= 1 && t <= 13;
		ck_assert_int_eq(fs_type_kind(V4, t, &kind), v4);
		ck_assert_int_eq(fs_type_kind(V6, t, &kind), v6);
	}
	static const enum fs_kind kinds[FS_TYPE_MAX + 1] = {
		[FS_TYPE_DST_PREFIX] = FS_KIND_PREFIX,
		[FS_TYPE_SRC_PREFIX] = FS_KIND_PREFIX,
		[FS_TYPE_IP_PROTO] = FS_KIND_NUMERIC,
		[FS_TYPE_PORT] = FS_KIND_NUMERIC,
		[FS_TYPE_DST_PORT] = FS_KIND_NUMERIC,
		[FS_TYPE_SRC_PORT] = FS_KIND_NUMERIC,
		[FS_TYPE_ICMP_TYPE] = FS_KIND_NUMERIC,
		[FS_TYPE_ICMP_CODE] = FS_KIND_NUMERIC,
		[FS_TYPE_TCP_FLAGS] = FS_KIND_BITMASK,
		[FS_TYPE_PKT_LEN] = FS_KIND_NUMERIC,
		[FS_TYPE_DSCP] = FS_KIND_NUMERIC,
		[FS_TYPE_FRAGMENT] = FS_KIND_BITMASK,
		[FS_TYPE_FLOW_LABEL] = FS_KIND_NUMERIC,
	};
	/* Longest value per type: RFC 8955 §4.2.2.3-12, RFC 8956 §3.7. */
	static const unsigned max[FS_TYPE_MAX + 1] = {
		[FS_TYPE_IP_PROTO] = 1, [FS_TYPE_PORT] = 2,
		[FS_TYPE_DST_PORT] = 2, [FS_TYPE_SRC_PORT] = 2,
		[FS_TYPE_ICMP_TYPE] = 1, [FS_TYPE_ICMP_CODE] = 1,
		[FS_TYPE_TCP_FLAGS] = 2, [FS_TYPE_PKT_LEN] = 2,
		[FS_TYPE_DSCP] = 1, [FS_TYPE_FRAGMENT] = 1,
		[FS_TYPE_FLOW_LABEL] = 4,
	};
	for (unsigned t = FS_TYPE_DST_PREFIX; t <= FS_TYPE_MAX; t++) {
		ck_assert(fs_type_kind(V6, t, &kind));
		ck_assert_int_eq(kind, kinds[t]);
		ck_assert_uint_eq(fs_type_max_len(V6, t), max[t]);
		if (t != FS_TYPE_FLOW_LABEL) {
			ck_assert(fs_type_kind(V4, t, &kind));
			ck_assert_int_eq(kind, kinds[t]);
			ck_assert_uint_eq(fs_type_max_len(V4, t), max[t]);
		}
	}
	ck_assert_uint_eq(fs_type_max_len(V4, FS_TYPE_FLOW_LABEL), 0);
}
END_TEST

static void check_all_types(enum fs_afi afi)
{
	unsigned last = afi == V6 ? FS_TYPE_FLOW_LABEL : FS_TYPE_FRAGMENT;
	struct writer w = all_types(afi);
	uint8_t *buf = exact_copy(w.data, w.len);
	struct parsed p = parse(afi, buf, w.len);
	ck_assert_int_eq(p.reason, FS_OK);
	ck_assert_uint_eq(p.n, last);
	assert_prefix(&p.c[0], FS_TYPE_DST_PREFIX,
		      afi == V6 ? "2001:db8::/32" : "10.50.100.100/32", 0);
	assert_prefix(&p.c[1], FS_TYPE_SRC_PREFIX,
		      afi == V6 ? "2001:db8:1::/48" : "192.0.2.0/24", 0);
	for (unsigned t = FS_TYPE_IP_PROTO; t <= last; t++) {
		const struct fs_component *c = &p.c[t - 1];
		bool bitmask = t == FS_TYPE_TCP_FLAGS || t == FS_TYPE_FRAGMENT;
		ck_assert_int_eq(c->kind,
				 bitmask ? FS_KIND_BITMASK : FS_KIND_NUMERIC);
		unsigned len = fs_type_max_len(afi, t);
		uint64_t value = t == FS_TYPE_FLOW_LABEL ? 0xfffff
				 : len == 2 ? 0x100 + t : t;
		assert_single_op(c, t, bitmask ? FS_OP_MATCH : EQ, len, value);
		ck_assert_uint_eq(c->wire_len, 2 + len);
	}
	free(buf);
	writer_free(&w);
}

START_TEST(every_type_ipv4)
{
	check_all_types(V4);
}
END_TEST

START_TEST(every_type_ipv6)
{
	check_all_types(V6);
}
END_TEST

START_TEST(value_lengths)
{
	/* Value lengths 1, 2, 4, 8 (RFC 8955 §4.2.1.1) for every operator
	 * type: allowed up to the type's longest; 8 octets fit no type. */
	for (int f = 0; f < 2; f++) {
		enum fs_afi afi = f ? V6 : V4;
		unsigned last = f ? FS_TYPE_FLOW_LABEL : FS_TYPE_FRAGMENT;
		for (unsigned t = FS_TYPE_IP_PROTO; t <= last; t++) {
			for (unsigned code = 0; code < 4; code++) {
				unsigned len = 1u << code;
				uint8_t nlri[10] = {
					(uint8_t)t,
					(uint8_t)(END | code << FS_OP_LEN_SHIFT |
						  FS_OP_EQ),
				};
				/* A value with octets 0xa0, 0xa1, … kept
				 * within what the type may carry. */
				uint64_t want = 0;
				for (unsigned i = 0; i < len; i++)
					want = want << 8 | (0xa0 + i);
				want &= fs_type_limit(afi, t);
				for (unsigned i = 0; i < len; i++)
					nlri[2 + i] = (uint8_t)(want >> (8 * (len - 1 - i)));
				size_t off = 99;
				enum fs_reason r = validate_vec(
					afi, (struct vec){ nlri, 2 + len }, &off);
				if (len > fs_type_max_len(afi, t)) {
					ck_assert_msg(r == FS_ERR_VALUE_LEN,
						      "afi %d type %u len %u: %s",
						      afi, t, len,
						      fs_reason_str(r));
					ck_assert_uint_eq(off, 1);
					continue;
				}
				ck_assert_msg(r == FS_OK,
					      "afi %d type %u len %u: %s", afi,
					      t, len, fs_reason_str(r));
				struct parsed p = parse(afi, nlri, 2 + len);
				ck_assert_uint_eq(p.n, 1);
				struct fs_op op;
				ck_assert_uint_eq(ops_of(&p.c[0], &op, 1), 1);
				ck_assert_uint_eq(op.len, len);
				ck_assert_uint_eq(op.value, want);
			}
		}
	}
}
END_TEST

START_TEST(numeric_operator_bits)
{
	/* Every combination of lt, gt, eq (RFC 8955 §4.2.1.1): 0 is false,
	 * lt|gt|eq is true, lt|gt is "not equal". */
	for (uint8_t bits = 0; bits < 8; bits++) {
		/* packet-length <bits> 1500 */
		uint8_t nlri[] = { FS_TYPE_PKT_LEN, END | LEN2 | bits, 0x05,
				   0xdc };
		struct parsed p = parse(V4, nlri, sizeof nlri);
		ck_assert_int_eq(p.reason, FS_OK);
		assert_single_op(&p.c[0], FS_TYPE_PKT_LEN, bits, 2, 1500);
	}
	ck_assert_uint_eq(LT | GT | EQ, 0x07);

	/* All eight in one list, joined with OR. */
	struct writer w = writer_init(0);
	put_u8(&w, FS_TYPE_PORT);
	for (uint8_t bits = 0; bits < 8; bits++)
		fs_put_op(&w, false, bits == 7, bits, 1000 + bits);
	struct parsed p = parse(V4, w.data, w.len);
	ck_assert_int_eq(p.reason, FS_OK);
	struct fs_op ops[8];
	ck_assert_uint_eq(ops_of(&p.c[0], ops, 8), 8);
	for (uint8_t bits = 0; bits < 8; bits++)
		assert_op(&ops[bits], false, bits, 2, 1000 + bits);
	writer_free(&w);
}
END_TEST

START_TEST(numeric_and_or)
{
	/* port >1024&<2048 or =80: ">1024 AND <2048" OR "=80". */
	struct vec v = VEC(FS_TYPE_PORT,
			   LEN2 | GT, 0x04, 0x00,
			   AND | LEN2 | LT, 0x08, 0x00,
			   END | EQ, 80);
	struct writer hex = hex_vec("04 12 0400 54 0800 81 50");
	ck_assert_octets(hex.data, hex.len, v);
	struct parsed p = parse(V4, v.data, v.len);
	ck_assert_int_eq(p.reason, FS_OK);
	struct fs_op ops[3];
	ck_assert_uint_eq(ops_of(&p.c[0], ops, 3), 3);
	assert_op(&ops[0], false, GT, 2, 1024);
	assert_op(&ops[1], true, LT, 2, 2048);
	assert_op(&ops[2], false, EQ, 1, 80);
	writer_free(&hex);
}
END_TEST

START_TEST(bitmask_operators)
{
	/* tcp-flags syn&!ack: (flags & SYN) != 0 AND NOT((flags & ACK) != 0);
	 * then =fin|syn (match: all bits set) and !=rst (not match). */
	struct vec v = VEC(FS_TYPE_TCP_FLAGS,
			   0, FS_TCP_SYN,
			   AND | FS_OP_NOT, FS_TCP_ACK,
			   FS_OP_MATCH, FS_TCP_FIN | FS_TCP_SYN,
			   FS_OP_NOT | FS_OP_MATCH, FS_TCP_RST,
			   END | LEN2 | FS_OP_MATCH, 0x01, 0x00,
			   FS_TYPE_FRAGMENT, END | FS_OP_MATCH, FS_FRAG_ISF);
	struct writer hex = hex_vec("09 00 02 42 10 01 03 03 04 91 0100 "
				    "0c 81 02");
	ck_assert_octets(hex.data, hex.len, v);
	struct parsed p = parse(V4, v.data, v.len);
	ck_assert_int_eq(p.reason, FS_OK);
	ck_assert_uint_eq(p.n, 2);
	ck_assert_int_eq(p.c[0].kind, FS_KIND_BITMASK);
	struct fs_op ops[5];
	ck_assert_uint_eq(ops_of(&p.c[0], ops, 5), 5);
	assert_op(&ops[0], false, 0, 1, FS_TCP_SYN);
	assert_op(&ops[1], true, FS_OP_NOT, 1, FS_TCP_ACK);
	assert_op(&ops[2], false, FS_OP_MATCH, 1, FS_TCP_FIN | FS_TCP_SYN);
	assert_op(&ops[3], false, FS_OP_NOT | FS_OP_MATCH, 1, FS_TCP_RST);
	assert_op(&ops[4], false, FS_OP_MATCH, 2, 0x100);
	ck_assert_int_eq(p.c[1].kind, FS_KIND_BITMASK);
	assert_single_op(&p.c[1], FS_TYPE_FRAGMENT, FS_OP_MATCH, 1,
			 FS_FRAG_ISF);
	/* Fragment bits, RFC 8955 §4.2.2.12: 0 0 0 0 LF FF IsF DF. */
	ck_assert_uint_eq(FS_FRAG_DF, 0x01);
	ck_assert_uint_eq(FS_FRAG_ISF, 0x02);
	ck_assert_uint_eq(FS_FRAG_FF, 0x04);
	ck_assert_uint_eq(FS_FRAG_LF, 0x08);
	writer_free(&hex);
}
END_TEST

START_TEST(first_and_bit_unset)
{
	/* RFC 8955 §4.2.1.1: the AND bit of the first operator reads as 0. */
	struct vec v = VEC(FS_TYPE_IP_PROTO, AND | EQ, 6, END | AND | EQ, 17);
	struct parsed p = parse(V4, v.data, v.len);
	ck_assert_int_eq(p.reason, FS_OK);
	struct fs_op ops[2];
	ck_assert_uint_eq(ops_of(&p.c[0], ops, 2), 2);
	assert_op(&ops[0], false, EQ, 1, 6);
	assert_op(&ops[1], true, EQ, 1, 17);

	struct vec b = VEC(FS_TYPE_TCP_FLAGS, END | AND | FS_OP_NOT, FS_TCP_ACK);
	p = parse(V4, b.data, b.len);
	ck_assert_int_eq(p.reason, FS_OK);
	assert_single_op(&p.c[0], FS_TYPE_TCP_FLAGS, FS_OP_NOT, 1, FS_TCP_ACK);
}
END_TEST

START_TEST(reserved_bits_ignored)
{
	/* Numeric: bit 0x08 is reserved; bitmask: 0x0c (RFC 8955 §4.2.1). */
	struct vec n = VEC(FS_TYPE_IP_PROTO, END | FS_OP_NUM_RESERVED | EQ, 6);
	struct parsed p = parse(V4, n.data, n.len);
	ck_assert_int_eq(p.reason, FS_OK);
	assert_single_op(&p.c[0], FS_TYPE_IP_PROTO, EQ, 1, 6);

	struct vec b = VEC(FS_TYPE_FRAGMENT,
			   END | FS_OP_BIT_RESERVED | FS_OP_MATCH, FS_FRAG_DF);
	p = parse(V4, b.data, b.len);
	ck_assert_int_eq(p.reason, FS_OK);
	assert_single_op(&p.c[0], FS_TYPE_FRAGMENT, FS_OP_MATCH, 1,
			 FS_FRAG_DF);
	ck_assert_uint_eq(FS_OP_NUM_RESERVED, 0x08);
	ck_assert_uint_eq(FS_OP_BIT_RESERVED, 0x0c);

	/* fs_op_next on a prefix component's (empty) list ends at once. */
	struct vec d = VEC(FS_TYPE_DST_PREFIX, 8, 10);
	p = parse(V4, d.data, d.len);
	struct fs_op op;
	struct reader ops = p.c[0].ops;
	ck_assert(!fs_op_next(&ops, &p.c[0], &op));
}
END_TEST

/* ---- NLRI length and packing ----------------------------------------------- */

/* A rule of exactly len octets (len >= 8): destination 192.0.2.0/24, then
 * a port component of OR-ed =value operators of two octets each, the last
 * one of three octets (a two-octet value) when the count is odd. */
static struct writer rule_of_len(size_t len)
{
	struct writer w = writer_init(0);
	struct prefix dst = prefix_of("192.0.2.0/24");
	fs_put_prefix(&w, V4, FS_TYPE_DST_PREFIX, &dst, 0);	/* 5 octets */
	put_u8(&w, FS_TYPE_PORT);
	while (len - w.len > 3)
		fs_put_op(&w, false, false, EQ, (w.len / 2) % 256);
	fs_put_op(&w, false, true, EQ, len - w.len == 3 ? 0x1000 : 80);
	ck_assert(!w.err);
	ck_assert_uint_eq(w.len, len);
	return w;
}

START_TEST(two_octet_length)
{
	/* RFC 8955 §4.1: below 240 one octet; from 240 two, 0xfnnn. */
	struct writer rule = rule_of_len(300);
	ck_assert_uint_eq(rule.len, 300);
	ck_assert_int_eq(fs_validate(V4, rule.data, rule.len, NULL), FS_OK);
	struct parsed p = parse(V4, rule.data, rule.len);
	ck_assert_uint_eq(p.n, 2);
	struct fs_op scratch;
	ck_assert_uint_eq(ops_of(&p.c[1], &scratch, 0), 147);

	struct writer packed = writer_init(0);
	fs_nlri_put(&packed, rule.data, rule.len);
	ck_assert_uint_eq(packed.len, 302);
	ck_assert_uint_eq(packed.data[0], FS_LEN_EXTENDED_FLAG | 0x01);
	ck_assert_uint_eq(packed.data[1], 0x2c);	/* 0x12c = 300 */
	uint8_t *buf = exact_copy(packed.data, packed.len);
	struct reader r = reader_init(buf, packed.len);
	struct reader nlri;
	ck_assert(fs_nlri_next(&r, &nlri));
	ck_assert(reader_done(&r));
	ck_assert_uint_eq(nlri.len, 300);
	ck_assert_mem_eq(nlri.data, rule.data, 300);
	free(buf);

	/* The edges of the one-octet form: 239 and 240. */
	struct writer r239 = rule_of_len(239), r240 = rule_of_len(240);
	ck_assert_uint_eq(r239.len, 239);
	ck_assert_uint_eq(r240.len, 240);
	writer_reset(&packed);
	fs_nlri_put(&packed, r239.data, r239.len);
	ck_assert_uint_eq(packed.len, 240);
	ck_assert_uint_eq(packed.data[0], 239);
	writer_reset(&packed);
	fs_nlri_put(&packed, r240.data, r240.len);
	ck_assert_uint_eq(packed.len, 242);
	ck_assert_uint_eq(packed.data[0], 0xf0);
	ck_assert_uint_eq(packed.data[1], 0xf0);
	r = reader_init(packed.data, packed.len);
	ck_assert(fs_nlri_next(&r, &nlri));
	ck_assert_uint_eq(nlri.len, 240);
	ck_assert(reader_done(&r));
	ck_assert_int_eq(fs_validate(V4, r239.data, r239.len, NULL), FS_OK);
	ck_assert_int_eq(fs_validate(V4, r240.data, r240.len, NULL), FS_OK);

	writer_free(&r239);
	writer_free(&r240);
	writer_free(&packed);
	writer_free(&rule);
}
END_TEST

START_TEST(longest_rule)
{
	/* 4095 octets: the most RFC 8955 §4.1 allows, length 0xffff. */
	struct writer rule = rule_of_len(FS_NLRI_MAX);
	ck_assert_uint_eq(rule.len, 4095);
	uint8_t *buf = exact_copy(rule.data, rule.len);
	ck_assert_int_eq(fs_validate(V4, buf, rule.len, NULL), FS_OK);
	free(buf);

	struct writer packed = writer_init(0);
	fs_nlri_put(&packed, rule.data, rule.len);
	ck_assert_uint_eq(packed.len, 4097);
	ck_assert_uint_eq(packed.data[0], 0xff);
	ck_assert_uint_eq(packed.data[1], 0xff);
	struct reader r = reader_init(packed.data, packed.len), nlri;
	ck_assert(fs_nlri_next(&r, &nlri));
	ck_assert_uint_eq(nlri.len, 4095);
	ck_assert(reader_done(&r));

	/* One more octet is too long, whatever it holds. */
	struct writer over = rule_of_len(FS_NLRI_MAX + 1);
	ck_assert_uint_eq(over.len, 4096);
	size_t off = 99;
	ck_assert_int_eq(fs_validate(V4, over.data, over.len, &off),
			 FS_ERR_TOO_LONG);
	ck_assert_uint_eq(off, 0);
	struct fs_iter it;
	struct fs_component c;
	fs_iter_init(&it, V4, over.data, over.len);
	ck_assert(!fs_iter_next(&it, &c));
	ck_assert_int_eq(it.reason, FS_ERR_TOO_LONG);
	/* ... and has no length encoding: writing it is an error. */
	writer_reset(&packed);
	fs_nlri_put(&packed, over.data, over.len);
	ck_assert(packed.err);
	ck_assert_uint_eq(packed.len, 0);
	writer_free(&over);
	writer_free(&packed);
	writer_free(&rule);
}
END_TEST

START_TEST(nlri_back_to_back)
{
	struct writer a = hex_vec("01 18 c0 00 02 03 81 06 04 81 19");
	struct writer b = hex_vec("01 20 0a 32 64 64 03 81 06 05 91 04 d2");
	struct writer c = rule_of_len(300);
	struct writer d = all_types(V4);
	const struct writer *all[] = { &a, &b, &c, &d };
	struct writer packed = writer_init(0);
	for (size_t i = 0; i < 4; i++)
		fs_nlri_put(&packed, all[i]->data, all[i]->len);
	ck_assert_uint_eq(packed.len, 1 + a.len + 1 + b.len + 2 + c.len + 1 +
					      d.len);

	uint8_t *buf = exact_copy(packed.data, packed.len);
	struct reader r = reader_init(buf, packed.len), nlri;
	for (size_t i = 0; i < 4; i++) {
		ck_assert(fs_nlri_next(&r, &nlri));
		ck_assert_uint_eq(nlri.len, all[i]->len);
		ck_assert_mem_eq(nlri.data, all[i]->data, nlri.len);
		ck_assert_int_eq(fs_validate(V4, nlri.data, nlri.len, NULL),
				 FS_OK);
	}
	ck_assert(reader_done(&r));
	ck_assert(!fs_nlri_next(&r, &nlri));	/* nothing left */
	ck_assert(r.err);

	/* A truncated two-octet length, and a length past the end. */
	static const uint8_t short_len[] = { 0xf0 };
	r = reader_init(short_len, 1);
	ck_assert(!fs_nlri_next(&r, &nlri));
	static const uint8_t past[] = { 3, FS_TYPE_IP_PROTO, END | EQ };
	r = reader_init(past, sizeof past);
	ck_assert(!fs_nlri_next(&r, &nlri));
	ck_assert(nlri.err);
	free(buf);
	writer_free(&packed);
	writer_free(&a);
	writer_free(&b);
	writer_free(&c);
	writer_free(&d);
}
END_TEST

/* ---- every reason ----------------------------------------------------------- */

struct bad_case {
	const char *what;
	enum fs_afi afi;
	struct vec nlri;
	enum fs_reason reason;
	size_t err_off;
};

START_TEST(every_reason)
{
	const struct bad_case cases[] = {
		{ "valid", V4, VEC(FS_TYPE_IP_PROTO, END | EQ, 6), FS_OK, 0 },
		{ "prefix octets missing", V4,
		  VEC(FS_TYPE_DST_PREFIX, 24, 192, 0), FS_ERR_TRUNCATED, 0 },
		{ "prefix length missing", V4, VEC(FS_TYPE_DST_PREFIX),
		  FS_ERR_TRUNCATED, 0 },
		{ "IPv6 offset missing", V6, VEC(FS_TYPE_SRC_PREFIX, 64),
		  FS_ERR_TRUNCATED, 0 },
		{ "no end bit", V4, VEC(FS_TYPE_IP_PROTO, EQ, 6),
		  FS_ERR_TRUNCATED, 0 },
		{ "value cut short", V4,
		  VEC(FS_TYPE_DST_PORT, END | LEN2 | EQ, 0x04),
		  FS_ERR_TRUNCATED, 0 },
		{ "no operator", V4, VEC(FS_TYPE_DST_PORT), FS_ERR_TRUNCATED,
		  0 },
		{ "second component cut", V4,
		  VEC(FS_TYPE_DST_PREFIX, 24, 192, 0, 2, FS_TYPE_IP_PROTO,
		      END | EQ),
		  FS_ERR_TRUNCATED, 5 },
		{ "type 0 first", V4, VEC(0, END | EQ, 6),
		  FS_ERR_UNKNOWN_TYPE, 0 },
		{ "type 13 in IPv4", V4, VEC(FS_TYPE_FLOW_LABEL, END | EQ, 1),
		  FS_ERR_UNKNOWN_TYPE, 0 },
		{ "type 14 in IPv6", V6, VEC(14, END | EQ, 1),
		  FS_ERR_UNKNOWN_TYPE, 0 },
		{ "type 255", V4, VEC(255, END | EQ, 1), FS_ERR_UNKNOWN_TYPE,
		  0 },
		{ "unknown after valid", V4,
		  VEC(FS_TYPE_IP_PROTO, END | EQ, 6, 13, END | EQ, 1),
		  FS_ERR_UNKNOWN_TYPE, 3 },
		{ "type order", V4,
		  VEC(FS_TYPE_IP_PROTO, END | EQ, 6, FS_TYPE_DST_PREFIX, 24,
		      192, 0, 2),
		  FS_ERR_TYPE_ORDER, 3 },
		{ "type order, bitmasks", V4,
		  VEC(FS_TYPE_FRAGMENT, END | FS_OP_MATCH, FS_FRAG_DF,
		      FS_TYPE_TCP_FLAGS, END, FS_TCP_SYN),
		  FS_ERR_TYPE_ORDER, 3 },
		{ "duplicate type", V4,
		  VEC(FS_TYPE_IP_PROTO, END | EQ, 6, FS_TYPE_IP_PROTO, END | EQ,
		      17),
		  FS_ERR_DUP_TYPE, 3 },
		{ "duplicate prefix", V6,
		  VEC(FS_TYPE_DST_PREFIX, 0, 0, FS_TYPE_DST_PREFIX, 0, 0),
		  FS_ERR_DUP_TYPE, 3 },
		{ "2-octet protocol", V4,
		  VEC(FS_TYPE_IP_PROTO, END | LEN2 | EQ, 0, 6),
		  FS_ERR_VALUE_LEN, 1 },
		{ "4-octet port, second operator", V4,
		  VEC(FS_TYPE_PORT, EQ, 80, END | LEN4 | EQ, 0, 0, 1, 0xbb),
		  FS_ERR_VALUE_LEN, 3 },
		{ "8-octet flow label", V6,
		  VEC(FS_TYPE_FLOW_LABEL, END | LEN8 | EQ, 0, 0, 0, 0, 0, 0, 0,
		      1),
		  FS_ERR_VALUE_LEN, 1 },
		{ "IPv4 /33", V4,
		  VEC(FS_TYPE_DST_PREFIX, 33, 10, 0, 0, 0, 0),
		  FS_ERR_PREFIX_LEN, 1 },
		{ "IPv4 source /33", V4,
		  VEC(FS_TYPE_DST_PREFIX, 8, 10, FS_TYPE_SRC_PREFIX, 33, 10, 0,
		      0, 0, 0),
		  FS_ERR_PREFIX_LEN, 4 },
		{ "IPv6 /129", V6,
		  VEC(FS_TYPE_DST_PREFIX, 129, 0, 0x20, 0x01, 0x0d, 0xb8, 0, 0,
		      0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0),
		  FS_ERR_PREFIX_LEN, 1 },
		{ "offset past length", V6,
		  VEC(FS_TYPE_DST_PREFIX, 32, 33), FS_ERR_OFFSET, 2 },
		{ "source offset past length", V6,
		  VEC(FS_TYPE_DST_PREFIX, 0, 0, FS_TYPE_SRC_PREFIX, 64, 65, 0,
		      0),
		  FS_ERR_OFFSET, 5 },
		{ "offset past a zero length", V6,
		  VEC(FS_TYPE_DST_PREFIX, 0, 8), FS_ERR_OFFSET, 2 },
		{ "length 0, offset 0: any address", V6,
		  VEC(FS_TYPE_DST_PREFIX, 0, 0), FS_OK, 0 },
		{ "zero octet after a component", V4,
		  VEC(FS_TYPE_IP_PROTO, END | EQ, 6, 0), FS_ERR_TRAILING, 3 },
		{ "zero octet after a prefix", V6,
		  VEC(FS_TYPE_DST_PREFIX, 8, 0, 0x20, 0), FS_ERR_TRAILING, 4 },
	};
	for (size_t i = 0; i < sizeof cases / sizeof *cases; i++) {
		const struct bad_case *bc = &cases[i];
		size_t off = 99;
		enum fs_reason r = validate_vec(bc->afi, bc->nlri, &off);
		ck_assert_msg(r == bc->reason, "%s: got '%s', want '%s'",
			      bc->what, fs_reason_str(r),
			      fs_reason_str(bc->reason));
		if (r != FS_OK)
			ck_assert_msg(off == bc->err_off,
				      "%s: fault at %zu, want %zu", bc->what,
				      off, bc->err_off);
	}

	/* RFC 8956 §3.1: "If length = 0 and offset = 0, this component
	 * matches every address; otherwise, length MUST be in the range
	 * offset < length < 129 or the component is malformed." */
	size_t off = 99;
	ck_assert_int_eq(validate_vec(V6, VEC(FS_TYPE_DST_PREFIX, 32, 32), &off),
			 FS_ERR_OFFSET);
	ck_assert_uint_eq(off, 2);
	ck_assert_int_eq(validate_vec(V6, VEC(FS_TYPE_SRC_PREFIX, 128, 128),
				      NULL),
			 FS_ERR_OFFSET);
	ck_assert_int_eq(validate_vec(V6, VEC(FS_TYPE_SRC_PREFIX, 128, 127,
					      0x80),
				      NULL),
			 FS_OK);

	/* No component at all. */
	off = 99;
	ck_assert_int_eq(fs_validate(V4, NULL, 0, &off), FS_ERR_EMPTY);
	ck_assert_uint_eq(off, 0);
	static const uint8_t one[] = { FS_TYPE_IP_PROTO };
	ck_assert_int_eq(fs_validate(V6, one, 0, NULL), FS_ERR_EMPTY);

	/* Not a Flowspec family. */
	ck_assert_int_eq(fs_validate(0, one, 1, NULL), FS_ERR_AFI);
	ck_assert_int_eq(fs_validate(3, one, 1, NULL), FS_ERR_AFI);
	/* FS_ERR_TOO_LONG: see longest_rule. */
}
END_TEST

START_TEST(reason_strings)
{
	for (int a = FS_OK; a <= FS_ERR_AFI; a++) {
		const char *s = fs_reason_str(a);
		ck_assert_ptr_nonnull(s);
		ck_assert_uint_gt(strlen(s), 0);
		ck_assert_str_ne(s, "unknown reason");
		for (int b = FS_OK; b < a; b++)
			ck_assert_str_ne(s, fs_reason_str(b));
	}
	ck_assert_str_eq(fs_reason_str(FS_ERR_AFI + 1), "unknown reason");
	ck_assert_str_eq(fs_reason_str((enum fs_reason)-1), "unknown reason");
}
END_TEST

/* ---- truncation and corruption sweeps ------------------------------------ */

/* The valid NLRI bodies the sweeps cut: RFC and vendor vectors and rules
 * with every type. */
static size_t sweep_vectors(struct writer *out, enum fs_afi *afi, size_t max)
{
	static const struct {
		enum fs_afi afi;
		const char *hex;
	} hexes[] = {
		{ V4, "01 18 c0 00 02 03 81 06 04 81 19" },
		{ V4, "01 20 0a 32 64 64 03 81 06 05 91 04 d2" },
		{ V6, "01 20 00 20 01 0d b8 02 68 40 12 34 56 78 9a 03 81 06" },
		{ V6, "01 20 00 20 01 0d b8 02 68 41 24 68 ac f1 34" },
		{ V4, "04 12 0400 54 0800 81 50 09 00 02 c2 10" },
		{ V6, "0d a1 00 0f ff ff" },
	};
	size_t n = 0;
	for (size_t i = 0; i < sizeof hexes / sizeof *hexes && n < max; i++) {
		afi[n] = hexes[i].afi;
		out[n++] = hex_vec(hexes[i].hex);
	}
	afi[n] = V4;
	out[n++] = all_types(V4);
	afi[n] = V6;
	out[n++] = all_types(V6);
	afi[n] = V4;
	out[n++] = rule_of_len(300);
	ck_assert_uint_le(n, max);
	return n;
}

START_TEST(truncation_sweep)
{
	struct writer vecs[16];
	enum fs_afi afis[16];
	size_t nvec = sweep_vectors(vecs, afis, 16);
	for (size_t v = 0; v < nvec; v++) {
		const struct writer *full = &vecs[v];
		ck_assert_int_eq(fs_validate(afis[v], full->data, full->len,
					     NULL),
				 FS_OK);
		/* Where the components end: cutting there leaves a shorter
		 * valid NLRI, anywhere else must be refused. */
		bool boundary[FS_NLRI_MAX + 1] = { false };
		struct parsed p = parse(afis[v], full->data, full->len);
		for (size_t i = 0; i < p.n; i++)
			boundary[p.c[i].wire - full->data + p.c[i].wire_len] =
				true;
		ck_assert(boundary[full->len]);

		for (size_t len = 0; len < full->len; len++) {
			uint8_t *cut = exact_copy(full->data, len);
			enum fs_reason r = fs_validate(afis[v], cut, len, NULL);
			if (len == 0)
				ck_assert_int_eq(r, FS_ERR_EMPTY);
			else if (boundary[len])
				ck_assert_int_eq(r, FS_OK);
			else
				ck_assert_msg(r != FS_OK,
					      "vector %zu cut to %zu accepted",
					      v, len);
			/* Read everything the iterator yields. */
			struct parsed q = parse(afis[v], cut, len);
			for (size_t i = 0; i < q.n; i++) {
				struct fs_op scratch;
				ops_of(&q.c[i], &scratch, 0);
			}
			free(cut);
		}

		/* With its length prefix, every cut is refused by
		 * fs_nlri_next. */
		struct writer packed = writer_init(0);
		fs_nlri_put(&packed, full->data, full->len);
		for (size_t len = 0; len < packed.len; len++) {
			uint8_t *cut = exact_copy(packed.data, len);
			struct reader r = reader_init(cut, len), nlri;
			ck_assert_msg(!fs_nlri_next(&r, &nlri),
				      "vector %zu packed, cut to %zu accepted",
				      v, len);
			ck_assert(r.err);
			free(cut);
		}
		writer_free(&packed);
	}
	for (size_t v = 0; v < nvec; v++)
		writer_free(&vecs[v]);
}
END_TEST

START_TEST(corruption_sweep)
{
	/* Every value of every octet: valid or refused with a reason, never a
	 * read outside the buffer (ASan). */
	struct writer vecs[16];
	enum fs_afi afis[16];
	size_t nvec = sweep_vectors(vecs, afis, 16);
	for (size_t v = 0; v < nvec; v++) {
		if (vecs[v].len > 64)
			continue;
		uint8_t *buf = exact_copy(vecs[v].data, vecs[v].len);
		for (size_t at = 0; at < vecs[v].len; at++) {
			uint8_t keep = buf[at];
			for (unsigned b = 0; b < 256; b++) {
				buf[at] = (uint8_t)b;
				struct parsed p = parse(afis[v], buf,
							vecs[v].len);
				ck_assert_int_le(p.reason, FS_ERR_AFI);
				for (size_t i = 0; i < p.n; i++) {
					struct fs_op scratch;
					ops_of(&p.c[i], &scratch, 0);
				}
				if (p.reason == FS_OK)
					ck_assert_int_eq(
						fs_cmp(afis[v], buf,
						       vecs[v].len, buf,
						       vecs[v].len),
						0);
			}
			buf[at] = keep;
		}
		free(buf);
	}
	for (size_t v = 0; v < nvec; v++)
		writer_free(&vecs[v]);
}
END_TEST

/* ---- RFC 8955 §5.1 ordering -------------------------------------------------- */

static int cmp_vec(enum fs_afi afi, struct vec a, struct vec b)
{
	ck_assert_int_eq(fs_validate(afi, a.data, a.len, NULL), FS_OK);
	ck_assert_int_eq(fs_validate(afi, b.data, b.len, NULL), FS_OK);
	uint8_t *ca = exact_copy(a.data, a.len), *cb = exact_copy(b.data, b.len);
	int r = fs_cmp(afi, ca, a.len, cb, b.len);
	free(ca);
	free(cb);
	return r;
}

/* a has precedence over b, checked both ways round. */
#define ck_assert_before(afi, a, b)                                      \
	do {                                                             \
		ck_assert_int_lt(cmp_vec((afi), (a), (b)), 0);           \
		ck_assert_int_gt(cmp_vec((afi), (b), (a)), 0);           \
	} while (0)

START_TEST(cmp_type_order)
{
	/* The rule whose first differing component has the lower type wins
	 * over one without that type. */
	struct vec dst = VEC(FS_TYPE_DST_PREFIX, 8, 10);
	struct vec proto = VEC(FS_TYPE_IP_PROTO, END | EQ, 6);
	struct vec src = VEC(FS_TYPE_SRC_PREFIX, 8, 10);
	ck_assert_before(V4, dst, proto);
	ck_assert_before(V4, dst, src);
	ck_assert_before(V4, src, proto);

	/* Equal so far: the rule with one more component wins (the other
	 * does not contain that component type). */
	struct vec dst_proto = VEC(FS_TYPE_DST_PREFIX, 8, 10,
				   FS_TYPE_IP_PROTO, END | EQ, 6);
	ck_assert_before(V4, dst_proto, dst);
	struct vec proto_port = VEC(FS_TYPE_IP_PROTO, END | EQ, 6,
				    FS_TYPE_PORT, END | EQ, 80);
	ck_assert_before(V4, proto_port, proto);
	/* ... but the earlier component decides first. */
	struct vec dst9 = VEC(FS_TYPE_DST_PREFIX, 8, 9);
	ck_assert_before(V4, dst9, dst_proto);
}
END_TEST

START_TEST(cmp_prefixes)
{
	/* Lowest IP value first. */
	ck_assert_before(V4, VEC(FS_TYPE_DST_PREFIX, 8, 10),
			 VEC(FS_TYPE_DST_PREFIX, 8, 11));
	/* ... over the common bits, even when the lower one is longer. */
	ck_assert_before(V4, VEC(FS_TYPE_DST_PREFIX, 16, 9, 255),
			 VEC(FS_TYPE_DST_PREFIX, 8, 10));
	ck_assert_before(V4, VEC(FS_TYPE_DST_PREFIX, 9, 10, 0),
			 VEC(FS_TYPE_DST_PREFIX, 9, 10, 128));
	/* ... and when the lower one is shorter. */
	ck_assert_before(V4, VEC(FS_TYPE_DST_PREFIX, 8, 10),
			 VEC(FS_TYPE_DST_PREFIX, 16, 11, 0));
	/* One covers the other: the more specific (longer) first. */
	ck_assert_before(V4, VEC(FS_TYPE_DST_PREFIX, 16, 10, 0),
			 VEC(FS_TYPE_DST_PREFIX, 8, 10));
	ck_assert_before(V4, VEC(FS_TYPE_DST_PREFIX, 32, 10, 0, 0, 1),
			 VEC(FS_TYPE_DST_PREFIX, 0));
	ck_assert_before(V4, VEC(FS_TYPE_SRC_PREFIX, 25, 192, 0, 2, 128),
			 VEC(FS_TYPE_SRC_PREFIX, 24, 192, 0, 2));
	/* Padding bits past the length do not count (RFC 8955 §4.2.2.1). */
	ck_assert_int_eq(cmp_vec(V4, VEC(FS_TYPE_DST_PREFIX, 12, 10, 0x10),
				 VEC(FS_TYPE_DST_PREFIX, 12, 10, 0x1f)),
			 0);

	/* IPv6 (RFC 8956 §4 ordering): the lowest offset first, whatever
	 * the values. */
	struct vec off0 = VEC(FS_TYPE_DST_PREFIX, 16, 0, 0xff, 0xff);
	struct vec off8 = VEC(FS_TYPE_DST_PREFIX, 16, 8, 0x00);
	ck_assert_before(V6, off0, off8);
	/* Same offset: lowest value, then the longest. */
	ck_assert_before(V6, VEC(FS_TYPE_DST_PREFIX, 32, 0, 0x20, 0x01, 0x0d,
				 0xb8),
			 VEC(FS_TYPE_DST_PREFIX, 32, 0, 0x20, 0x01, 0x0d,
			     0xb9));
	ck_assert_before(V6, VEC(FS_TYPE_DST_PREFIX, 48, 0, 0x20, 0x01, 0x0d,
				 0xb8, 0, 1),
			 VEC(FS_TYPE_DST_PREFIX, 32, 0, 0x20, 0x01, 0x0d,
			     0xb8));
	ck_assert_before(V6, VEC(FS_TYPE_SRC_PREFIX, 104, 64, 0x12, 0x34, 0x56,
				 0x78, 0x9a),
			 VEC(FS_TYPE_SRC_PREFIX, 96, 64, 0x12, 0x34, 0x56,
			     0x78));
	ck_assert_before(V6, VEC(FS_TYPE_SRC_PREFIX, 72, 64, 0x11),
			 VEC(FS_TYPE_SRC_PREFIX, 80, 64, 0x12, 0x00));
}
END_TEST

START_TEST(cmp_operator_strings)
{
	/* Other types: memcmp of the component data (after the type). */
	ck_assert_before(V4, VEC(FS_TYPE_IP_PROTO, END | EQ, 6),
			 VEC(FS_TYPE_IP_PROTO, END | EQ, 17));
	/* 81 50 < 91 00 50: the same port with a longer value sorts after. */
	ck_assert_before(V4, VEC(FS_TYPE_PORT, END | EQ, 80),
			 VEC(FS_TYPE_PORT, END | LEN2 | EQ, 0, 80));
	/* Different lengths: the common prefix decides; the longer string
	 * wins here (01 50 < 81 50) ... */
	ck_assert_before(V4, VEC(FS_TYPE_PORT, EQ, 80, END | LEN2 | EQ, 0x01,
				 0xbb),
			 VEC(FS_TYPE_PORT, END | EQ, 80));
	/* ... and the shorter one here (01 50 81 51 < 01 50 91 01). */
	ck_assert_before(V4, VEC(FS_TYPE_PORT, EQ, 80, END | EQ, 81),
			 VEC(FS_TYPE_PORT, EQ, 80, END | LEN2 | EQ, 0x01,
			     0xbb));
	/* A well-formed operator list ends at its end bit, so one list can
	 * never be a strict prefix of another: the "equal common prefix,
	 * longer string first" rule only decides between whole rules, where
	 * the one with more components wins (see cmp_type_order). */
	ck_assert_before(V4, VEC(FS_TYPE_TCP_FLAGS, 0, FS_TCP_SYN,
				 END | AND | FS_OP_NOT, FS_TCP_ACK),
			 VEC(FS_TYPE_TCP_FLAGS, END, FS_TCP_SYN));
	ck_assert_before(V6, VEC(FS_TYPE_FLOW_LABEL, END | LEN4 | EQ, 0, 0, 0,
				 1),
			 VEC(FS_TYPE_FLOW_LABEL, END | LEN4 | EQ, 0, 0, 0, 2));
}
END_TEST

START_TEST(cmp_equal_and_total_order)
{
	/* Equal rules in different buffers compare 0. */
	struct vec a = VEC(FS_TYPE_DST_PREFIX, 24, 192, 0, 2, FS_TYPE_IP_PROTO,
			   END | EQ, 6, FS_TYPE_PORT, END | EQ, 25);
	struct vec b = VEC(FS_TYPE_DST_PREFIX, 24, 192, 0, 2, FS_TYPE_IP_PROTO,
			   END | EQ, 6, FS_TYPE_PORT, END | EQ, 25);
	ck_assert_int_eq(cmp_vec(V4, a, b), 0);
	ck_assert_int_eq(cmp_vec(V4, b, a), 0);

	/* A list in precedence order: every pair agrees, both ways. */
	const struct vec order[] = {
		VEC(FS_TYPE_DST_PREFIX, 16, 9, 255),
		VEC(FS_TYPE_DST_PREFIX, 16, 10, 0, FS_TYPE_IP_PROTO, END | EQ, 6),
		VEC(FS_TYPE_DST_PREFIX, 16, 10, 0),
		VEC(FS_TYPE_DST_PREFIX, 8, 10, FS_TYPE_SRC_PREFIX, 24, 192, 0, 2),
		VEC(FS_TYPE_DST_PREFIX, 8, 10),
		VEC(FS_TYPE_DST_PREFIX, 8, 11),
		VEC(FS_TYPE_SRC_PREFIX, 8, 10),
		VEC(FS_TYPE_IP_PROTO, END | EQ, 6, FS_TYPE_PORT, END | EQ, 80),
		VEC(FS_TYPE_IP_PROTO, END | EQ, 6),
		VEC(FS_TYPE_IP_PROTO, END | EQ, 17),
		VEC(FS_TYPE_PORT, END | EQ, 80),
		VEC(FS_TYPE_FRAGMENT, END | FS_OP_MATCH, FS_FRAG_ISF),
	};
	size_t n = sizeof order / sizeof *order;
	for (size_t i = 0; i < n; i++) {
		for (size_t j = 0; j < n; j++) {
			int r = cmp_vec(V4, order[i], order[j]);
			int want = i < j ? -1 : i > j ? 1 : 0;
			ck_assert_msg((r > 0) - (r < 0) == want,
				      "cmp(%zu, %zu) = %d", i, j, r);
		}
	}
}
END_TEST

/* ---- writers ---------------------------------------------------------------- */

START_TEST(put_prefix_bytes)
{
	struct writer w = writer_init(0);
	struct prefix p = prefix_of("192.0.2.0/24");
	fs_put_prefix(&w, V4, FS_TYPE_DST_PREFIX, &p, 0);
	ck_assert_writer_hex(&w, "01 18 c0 00 02");

	writer_reset(&w);
	p = prefix_of("10.50.100.100/32");
	fs_put_prefix(&w, V4, FS_TYPE_DST_PREFIX, &p, 0);
	ck_assert_writer_hex(&w, "01 20 0a 32 64 64");

	writer_reset(&w);
	p = prefix_of("0.0.0.0/0");
	fs_put_prefix(&w, V4, FS_TYPE_SRC_PREFIX, &p, 0);
	ck_assert_writer_hex(&w, "02 00");

	writer_reset(&w);
	p = prefix_of("192.0.2.128/25");
	fs_put_prefix(&w, V4, FS_TYPE_SRC_PREFIX, &p, 0);
	ck_assert_writer_hex(&w, "02 19 c0 00 02 80");

	/* RFC 8956 §3.1: length, offset, then only the bits offset..len. */
	writer_reset(&w);
	p = prefix_of("2001:db8::/32");
	fs_put_prefix(&w, V6, FS_TYPE_DST_PREFIX, &p, 0);
	ck_assert_writer_hex(&w, "01 20 00 20 01 0d b8");

	writer_reset(&w);
	p = prefix_of("::1234:5678:9a00:0/104");
	fs_put_prefix(&w, V6, FS_TYPE_SRC_PREFIX, &p, 64);
	ck_assert_writer_hex(&w, "02 68 40 12 34 56 78 9a");

	writer_reset(&w);
	fs_put_prefix(&w, V6, FS_TYPE_SRC_PREFIX, &p, 65);
	ck_assert_writer_hex(&w, "02 68 41 24 68 ac f1 34");

	writer_reset(&w);
	p = prefix_of("::/0");
	fs_put_prefix(&w, V6, FS_TYPE_DST_PREFIX, &p, 0);
	ck_assert_writer_hex(&w, "01 00 00");

	/* And back: the iterator reads what the writer wrote. */
	writer_reset(&w);
	p = prefix_of("2001:db8:ffff:ffff:ffff:ffff:ffff:ff00/120");
	fs_put_prefix(&w, V6, FS_TYPE_DST_PREFIX, &p, 17);
	struct parsed q = parse(V6, w.data, w.len);
	ck_assert_int_eq(q.reason, FS_OK);
	/* Bits before the offset are not carried: they read as zero. */
	assert_prefix(&q.c[0], FS_TYPE_DST_PREFIX,
		      "0:db8:ffff:ffff:ffff:ffff:ffff:ff00/120", 17);
	writer_free(&w);
}
END_TEST

START_TEST(put_op_bytes)
{
	struct writer w = writer_init(0);
	/* The shortest value length that holds the value. */
	fs_put_op(&w, false, true, EQ, 6);
	ck_assert_writer_hex(&w, "81 06");
	writer_reset(&w);
	fs_put_op(&w, false, true, EQ, 0);
	ck_assert_writer_hex(&w, "81 00");
	writer_reset(&w);
	fs_put_op(&w, false, false, GT, 255);
	ck_assert_writer_hex(&w, "02 ff");
	writer_reset(&w);
	fs_put_op(&w, false, true, EQ, 256);
	ck_assert_writer_hex(&w, "91 01 00");
	writer_reset(&w);
	fs_put_op(&w, false, true, EQ, 1234);
	ck_assert_writer_hex(&w, "91 04 d2");
	writer_reset(&w);
	fs_put_op(&w, true, false, LT, 65535);
	ck_assert_writer_hex(&w, "54 ff ff");
	writer_reset(&w);
	fs_put_op(&w, false, true, EQ, 65536);
	ck_assert_writer_hex(&w, "a1 00 01 00 00");
	writer_reset(&w);
	fs_put_op(&w, true, true, GT | EQ, 0xffffffff);
	ck_assert_writer_hex(&w, "e3 ff ff ff ff");
	writer_reset(&w);
	fs_put_op(&w, false, true, EQ, 0x100000000ULL);
	ck_assert_writer_hex(&w, "b1 00 00 00 01 00 00 00 00");
	writer_reset(&w);
	fs_put_op(&w, true, true, FS_OP_NOT | FS_OP_MATCH, FS_TCP_ACK);
	ck_assert_writer_hex(&w, "c3 10");

	/* The IOS-XR vector, written piece by piece. */
	writer_reset(&w);
	struct prefix p = prefix_of("10.50.100.100/32");
	fs_put_prefix(&w, V4, FS_TYPE_DST_PREFIX, &p, 0);
	put_u8(&w, FS_TYPE_IP_PROTO);
	fs_put_op(&w, false, true, EQ, 6);
	put_u8(&w, FS_TYPE_DST_PORT);
	fs_put_op(&w, false, true, EQ, 1234);
	ck_assert_writer_hex(&w, "01 20 0a 32 64 64 03 81 06 05 91 04 d2");

	/* And the RFC 8955 example with its length. */
	struct writer body = writer_init(0);
	p = prefix_of("192.0.2.0/24");
	fs_put_prefix(&body, V4, FS_TYPE_DST_PREFIX, &p, 0);
	put_u8(&body, FS_TYPE_IP_PROTO);
	fs_put_op(&body, false, true, EQ, 6);
	put_u8(&body, FS_TYPE_PORT);
	fs_put_op(&body, false, true, EQ, 25);
	writer_reset(&w);
	fs_nlri_put(&w, body.data, body.len);
	ck_assert_writer_hex(&w, "0b 01 18 c0 00 02 03 81 06 04 81 19");
	writer_free(&body);
	writer_free(&w);
}
END_TEST

/* Value bits a type does not define read as 0 (RFC 8955 §4.2.2.11 DSCP,
 * §4.2.2.12 fragment; RFC 8956 §3.6 no DF in IPv6, §3.7 20-bit label). */
START_TEST(undefined_value_bits_read_as_zero)
{
	static const struct {
		enum fs_afi afi;
		uint8_t nlri[6];
		size_t len;
		uint64_t want;
	} cases[] = {
		{ V4, { FS_TYPE_DSCP, END | EQ, 0xff }, 3, 0x3f },
		{ V4, { FS_TYPE_FRAGMENT, END, 0x13 }, 3, FS_FRAG_ISF | FS_FRAG_DF },
		{ V6, { FS_TYPE_FRAGMENT, END, FS_FRAG_ISF | FS_FRAG_DF }, 3,
		  FS_FRAG_ISF },
		{ V6, { FS_TYPE_FLOW_LABEL, END | 2 << FS_OP_LEN_SHIFT | EQ,
			0xff, 0xf0, 0x00, 0x01 }, 6, 1 },
	};
	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		struct parsed p = parse(cases[i].afi, cases[i].nlri,
					cases[i].len);
		ck_assert_int_eq(p.reason, FS_OK);
		ck_assert_uint_eq(p.n, 1);
		struct fs_op op;
		ck_assert_uint_eq(ops_of(&p.c[0], &op, 1), 1);
		ck_assert_uint_eq(op.value, cases[i].want);
	}
}
END_TEST

static Suite *flowspec_suite(void)
{
	Suite *s = suite_create("flowspec");
	ADD_CASE(s, "vectors", rfc8955_example, iosxr_vector,
		 rfc8956_offset64, rfc8956_offset65);
	ADD_CASE(s, "components", type_kinds_and_lengths, every_type_ipv4,
		 every_type_ipv6, value_lengths, numeric_operator_bits,
		 numeric_and_or, bitmask_operators, first_and_bit_unset,
		 reserved_bits_ignored, undefined_value_bits_read_as_zero);
	ADD_CASE(s, "length", two_octet_length, longest_rule,
		 nlri_back_to_back);
	ADD_CASE(s, "validation", every_reason, reason_strings,
		 truncation_sweep, corruption_sweep);
	ADD_CASE(s, "order", cmp_type_order, cmp_prefixes,
		 cmp_operator_strings, cmp_equal_and_total_order);
	ADD_CASE(s, "writers", put_prefix_bytes, put_op_bytes);
	return s;
}

TEST_MAIN(flowspec_suite)
