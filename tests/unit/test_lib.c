/* Unit tests for lib/: the bounds-checked reader, the growable writer,
 * addresses and prefixes, hex text, logging. */
#include <stdio.h>
#include <sys/wait.h>
#include <unistd.h>

#include "lib/addr.h"
#include "lib/hex.h"
#include "lib/log.h"
#include "lib/reader.h"
#include "lib/writer.h"
#include "vectors.h"

/* ---- reader -------------------------------------------------------------- */

START_TEST(reader_get_network_order)
{
	struct vec v = VEC(0x01, 0x02, 0x03, 0x04, 0x05, 0x06, 0x07,
			   0x08, 0x09, 0x0a, 0x0b, 0x0c, 0x0d, 0x0e, 0x0f,
			   0x10, 0x11, 0x12, 0x13, 0x14);
	uint8_t *buf = exact_copy(v.data, v.len);
	struct reader r = reader_init(buf, v.len);

	ck_assert_uint_eq(remaining(&r), 20);
	ck_assert_uint_eq(get_u8(&r), 0x01);
	ck_assert_uint_eq(get_u16(&r), 0x0203);
	ck_assert_uint_eq(get_u32(&r), 0x04050607);
	ck_assert_uint_eq(get_u64(&r), 0x08090a0b0c0d0e0fULL);
	ck_assert_uint_eq(peek_u8(&r), 0x10);
	ck_assert_uint_eq(remaining(&r), 5);	/* peek consumes nothing */
	uint8_t two[2];
	get_bytes(&r, two, sizeof two);
	ck_assert_uint_eq(two[0], 0x10);
	ck_assert_uint_eq(two[1], 0x11);
	skip(&r, 2);
	ck_assert_uint_eq(get_u8(&r), 0x14);
	ck_assert(!r.err);
	ck_assert_uint_eq(remaining(&r), 0);
	ck_assert(reader_done(&r));
	free(buf);
}
END_TEST

START_TEST(reader_past_end_returns_zero)
{
	static const uint8_t three[] = { 0xff, 0xff, 0xff };
	uint8_t *buf = exact_copy(three, sizeof three);

	/* Each get_* on too short an input returns 0 and reads nothing. */
	struct reader r = reader_init(buf, 1);
	ck_assert_uint_eq(get_u16(&r), 0);
	ck_assert(r.err);
	ck_assert_uint_eq(r.off, 0);

	r = reader_init(buf, 3);
	ck_assert_uint_eq(get_u32(&r), 0);
	ck_assert(r.err);
	ck_assert_uint_eq(r.off, 0);

	r = reader_init(buf, 3);
	ck_assert_uint_eq(get_u64(&r), 0);
	ck_assert(r.err);

	r = reader_init(buf, 0);
	ck_assert_uint_eq(get_u8(&r), 0);
	ck_assert(r.err);

	r = reader_init(buf, 0);
	ck_assert_uint_eq(peek_u8(&r), 0);
	ck_assert(r.err);

	/* get_bytes zeroes its destination on short input. */
	uint8_t dst[4] = { 1, 2, 3, 4 };
	r = reader_init(buf, 3);
	get_bytes(&r, dst, sizeof dst);
	ck_assert(r.err);
	for (size_t i = 0; i < sizeof dst; i++)
		ck_assert_uint_eq(dst[i], 0);

	r = reader_init(buf, 3);
	skip(&r, 4);
	ck_assert(r.err);
	free(buf);
}
END_TEST

START_TEST(reader_error_is_sticky)
{
	static const uint8_t data[] = { 0xaa, 0xbb, 0xcc };
	struct reader r = reader_init(data, sizeof data);

	ck_assert_uint_eq(get_u32(&r), 0);	/* fails: 3 octets left */
	ck_assert(r.err);
	/* The octets are still there, but every later read fails too. */
	ck_assert_uint_eq(get_u8(&r), 0);
	ck_assert_uint_eq(peek_u8(&r), 0);
	ck_assert_uint_eq(get_u16(&r), 0);
	ck_assert_uint_eq(remaining(&r), 0);
	ck_assert(r.err);
	ck_assert(!reader_done(&r));
}
END_TEST

START_TEST(reader_null_data)
{
	struct reader r = reader_init(NULL, 5);
	ck_assert_uint_eq(remaining(&r), 0);
	ck_assert(reader_done(&r));	/* nothing to consume */
	ck_assert_uint_eq(get_u8(&r), 0);
	ck_assert(r.err);

	/* Zero-length reads of an empty reader succeed (and compute no
	 * NULL + 0, which UBSan refuses). */
	r = reader_init(NULL, 0);
	uint8_t none[1] = { 7 };
	get_bytes(&r, none, 0);
	skip(&r, 0);
	struct reader v = sub(&r, 0);
	ck_assert(!r.err);
	ck_assert(!v.err);
	ck_assert(reader_done(&v));
	ck_assert_uint_eq(none[0], 7);
}
END_TEST

START_TEST(reader_sub_views)
{
	/* A TLV list: type 1 length 2 {0x12 0x34}, type 2 length 1 {0x56}. */
	struct vec v = VEC(1, 2, 0x12, 0x34, 2, 1, 0x56);
	uint8_t *buf = exact_copy(v.data, v.len);
	struct reader r = reader_init(buf, v.len);

	ck_assert_uint_eq(get_u8(&r), 1);
	struct reader tlv = sub(&r, get_u8(&r));
	ck_assert_uint_eq(remaining(&tlv), 2);
	ck_assert_uint_eq(r.off, 4);	/* consumed from the parent */
	ck_assert_uint_eq(get_u16(&tlv), 0x1234);
	ck_assert(reader_done(&tlv));

	/* A fault inside a view stays in the view. */
	ck_assert_uint_eq(get_u8(&r), 2);
	tlv = sub(&r, get_u8(&r));
	ck_assert_uint_eq(get_u16(&tlv), 0);
	ck_assert(tlv.err);
	ck_assert(!r.err);
	ck_assert(reader_done(&r));

	/* A view longer than what is left puts both in error. */
	r = reader_init(buf, v.len);
	skip(&r, 5);
	tlv = sub(&r, 3);
	ck_assert(r.err);
	ck_assert(tlv.err);
	ck_assert_uint_eq(remaining(&tlv), 0);
	ck_assert_uint_eq(get_u8(&tlv), 0);

	/* A view of a view. */
	r = reader_init(buf, v.len);
	struct reader outer = sub(&r, 4);
	skip(&outer, 2);
	struct reader inner = sub(&outer, 2);
	ck_assert_uint_eq(get_u8(&inner), 0x12);
	ck_assert_uint_eq(get_u8(&inner), 0x34);
	ck_assert_uint_eq(get_u8(&inner), 0);
	ck_assert(inner.err);
	ck_assert(reader_done(&outer));
	free(buf);
}
END_TEST

START_TEST(reader_done_exact)
{
	static const uint8_t data[] = { 1, 2, 3 };
	struct reader r = reader_init(data, sizeof data);
	ck_assert(!reader_done(&r));
	get_u16(&r);
	ck_assert(!reader_done(&r));	/* one octet left over */
	get_u8(&r);
	ck_assert(reader_done(&r));
	get_u8(&r);			/* one too many */
	ck_assert(!reader_done(&r));

	r = reader_init(data, 0);
	ck_assert(reader_done(&r));
}
END_TEST

/* ---- writer -------------------------------------------------------------- */

START_TEST(writer_put_network_order)
{
	struct writer w = writer_init(0);
	put_u8(&w, 0x01);
	put_u16(&w, 0x0203);
	put_u32(&w, 0x04050607);
	put_u64(&w, 0x08090a0b0c0d0e0fULL);
	put_bytes(&w, "\x10\x11", 2);
	ck_assert_writer_hex(&w, "01 0203 04050607 08090a0b0c0d0e0f 1011");
	writer_free(&w);
}
END_TEST

START_TEST(writer_grows)
{
	struct writer w = writer_init(0);
	for (unsigned i = 0; i < 100000; i++)
		put_u8(&w, (uint8_t)(i * 7));
	ck_assert(!w.err);
	ck_assert_uint_eq(w.len, 100000);
	ck_assert_uint_ge(w.cap, w.len);
	for (unsigned i = 0; i < 100000; i++)
		ck_assert_uint_eq(w.data[i], (uint8_t)(i * 7));

	/* One large write past the current capacity. */
	static uint8_t big[70000];
	memset(big, 0x5a, sizeof big);
	put_bytes(&w, big, sizeof big);
	ck_assert(!w.err);
	ck_assert_uint_eq(w.len, 170000);
	ck_assert_uint_eq(w.data[169999], 0x5a);
	writer_free(&w);
	ck_assert_ptr_null(w.data);
	ck_assert_uint_eq(w.len, 0);
}
END_TEST

START_TEST(writer_limit_sticky)
{
	struct writer w = writer_init(4);
	put_u32(&w, 0xdeadbeef);	/* exactly the limit */
	ck_assert(!w.err);
	put_u8(&w, 1);			/* one past it */
	ck_assert(w.err);
	ck_assert_uint_eq(w.len, 4);

	/* The error stays, whatever fits afterwards. */
	writer_reset(&w);
	ck_assert(!w.err);
	ck_assert_uint_eq(w.len, 0);
	ck_assert_uint_eq(w.limit, 4);
	put_u8(&w, 1);
	put_u16(&w, 2);
	put_u16(&w, 3);			/* 5 > 4 */
	ck_assert(w.err);
	ck_assert_uint_eq(w.len, 3);
	put_u8(&w, 4);			/* would fit, still refused */
	ck_assert(w.err);
	ck_assert_uint_eq(w.len, 3);
	(void)put_reserve(&w, 1);
	ck_assert_uint_eq(w.len, 3);
	patch_u8(&w, 0, 0xff);		/* patches are refused too */
	ck_assert_uint_eq(w.data[0], 1);

	/* Whatever fails, nothing is ever written past the limit. */
	writer_reset(&w);
	put_u16(&w, 1);
	put_u32(&w, 2);
	put_u64(&w, 3);
	ck_assert(w.err);
	ck_assert_uint_le(w.len, w.limit);
	writer_free(&w);
	ck_assert_uint_eq(w.limit, 4);	/* kept by free */

	/* Zero-length writes never fail and never grow. */
	writer_free(NULL);		/* NULL-safe */
	w = writer_init(0);
	put_bytes(&w, NULL, 0);
	put_bytes(&w, "", 0);
	ck_assert(!w.err);
	ck_assert_uint_eq(w.len, 0);
	writer_free(&w);
}
END_TEST

START_TEST(writer_reserve_patch)
{
	/* A TLV: type 7, a two-octet length patched after the body. */
	struct writer w = writer_init(0);
	put_u8(&w, 7);
	size_t len_at = put_reserve(&w, 2);
	ck_assert_uint_eq(len_at, 1);
	ck_assert_uint_eq(w.data[1], 0);	/* reserved octets are zero */
	ck_assert_uint_eq(w.data[2], 0);
	size_t flag_at = put_reserve(&w, 1);
	put_bytes(&w, "abc", 3);
	patch_u16(&w, len_at, (uint16_t)(w.len - len_at - 2));
	patch_u8(&w, flag_at, 0x80);
	ck_assert_writer_hex(&w, "07 0004 80 616263");

	/* Patches outside the written octets are ignored. */
	patch_u8(&w, w.len, 0xff);
	patch_u16(&w, w.len - 1, 0xffff);
	ck_assert_writer_hex(&w, "07 0004 80 616263");

	/* A reserve big enough to grow the buffer is zeroed too. */
	size_t at = put_reserve(&w, 1000);
	ck_assert_uint_eq(at, 7);
	for (size_t i = at; i < w.len; i++)
		ck_assert_uint_eq(w.data[i], 0);
	writer_free(&w);
}
END_TEST

/* ---- addresses and prefixes ------------------------------------------------ */

static struct addr addr_of(const char *s)
{
	struct addr a;
	ck_assert_msg(addr_parse(&a, s, strlen(s)), "addr %s", s);
	return a;
}

static struct prefix prefix_of(const char *s)
{
	struct prefix p;
	ck_assert_msg(prefix_parse(&p, s, strlen(s)), "prefix %s", s);
	return p;
}

START_TEST(addr_parse_format)
{
	struct addr a = addr_of("192.0.2.1");
	ck_assert_int_eq(a.family, ADDR_V4);
	ck_assert_octets(a.bytes, 4, VEC(192, 0, 2, 1));

	a = addr_of("2001:db8::1");
	ck_assert_int_eq(a.family, ADDR_V6);
	ck_assert_octets(a.bytes, 16, VEC(0x20, 0x01, 0x0d, 0xb8, 0, 0, 0, 0,
					  0, 0, 0, 0, 0, 0, 0, 1));

	/* Only the first n characters count. */
	const char *s = "10.1.2.3/24 and more";
	ck_assert(addr_parse(&a, s, 8));
	ck_assert_octets(a.bytes, 4, VEC(10, 1, 2, 3));

	char buf[ADDR_STRLEN];
	a = addr_of("2001:0db8:0000:0000:0000:0000:0000:0001");
	ck_assert_str_eq(addr_format(&a, buf), "2001:db8::1");
	a = addr_of("198.51.100.7");
	ck_assert_str_eq(addr_format(&a, buf), "198.51.100.7");
	a = addr_of("::ffff:192.0.2.1");
	ck_assert_int_eq(a.family, ADDR_V6);
	ck_assert_str_eq(addr_format(&a, buf), "::ffff:192.0.2.1");
	a = addr_of("::");
	ck_assert_str_eq(addr_format(&a, buf), "::");
	memset(&a, 0, sizeof a);
	ck_assert_str_eq(addr_format(&a, buf), "none");

	ck_assert_uint_eq(addr_octets(ADDR_V4), 4);
	ck_assert_uint_eq(addr_octets(ADDR_V6), 16);
	ck_assert_uint_eq(addr_octets(ADDR_NONE), 0);
	ck_assert_uint_eq(addr_bits(ADDR_V4), 32);
	ck_assert_uint_eq(addr_bits(ADDR_V6), 128);
	ck_assert_uint_eq(addr_bits(ADDR_NONE), 0);
}
END_TEST

START_TEST(addr_parse_bad)
{
	static const char *const bad[] = {
		"", "256.0.0.1", "1.2.3", "1.2.3.4.5", "192.0.2.1 ",
		" 192.0.2.1", "2001:db8:::1", "2001:db8::g", "hello", "::1::",
		"1.2.3.-4", "12345::",
		"0000:0000:0000:0000:0000:0000:0000:0000:0000:0000:0000:0001",
	};
	for (size_t i = 0; i < sizeof bad / sizeof *bad; i++) {
		struct addr a;
		ck_assert_msg(!addr_parse(&a, bad[i], strlen(bad[i])),
			      "accepted '%s'", bad[i]);
	}
	struct addr a;
	ck_assert(!addr_parse(&a, "192.0.2.1", 0));
	ck_assert(!addr_parse(&a, "192.0.2.1", 5));	/* "192.0" */
}
END_TEST

START_TEST(prefix_parse_format)
{
	char buf[ADDR_STRLEN];
	struct prefix p = prefix_of("10.0.0.0/8");
	ck_assert_int_eq(p.addr.family, ADDR_V4);
	ck_assert_uint_eq(p.len, 8);
	ck_assert_str_eq(prefix_format(&p, buf), "10.0.0.0/8");

	p = prefix_of("192.0.2.1");		/* no length: a host */
	ck_assert_uint_eq(p.len, 32);
	ck_assert_str_eq(prefix_format(&p, buf), "192.0.2.1/32");

	p = prefix_of("2001:db8::/32");
	ck_assert_int_eq(p.addr.family, ADDR_V6);
	ck_assert_uint_eq(p.len, 32);
	ck_assert_str_eq(prefix_format(&p, buf), "2001:db8::/32");

	p = prefix_of("2001:db8::1");
	ck_assert_uint_eq(p.len, 128);
	p = prefix_of("0.0.0.0/0");
	ck_assert_uint_eq(p.len, 0);
	p = prefix_of("::/0");
	ck_assert_uint_eq(p.len, 0);
	p = prefix_of("10.50.100.100/32");
	ck_assert_uint_eq(p.len, 32);
	p = prefix_of("2001:db8::/128");
	ck_assert_uint_eq(p.len, 128);
	p = prefix_of("192.0.2.128/25");
	ck_assert_uint_eq(p.len, 25);
	ck_assert_str_eq(prefix_format(&p, buf), "192.0.2.128/25");
}
END_TEST

START_TEST(prefix_parse_bad)
{
	static const char *const bad[] = {
		"10.0.0.1/8",		/* host bits set */
		"192.0.2.129/25",	/* host bit set in the last octet */
		"2001:db8::1/64",	/* host bits set */
		"10.0.0.0/33",		/* longer than IPv4 */
		"2001:db8::/129",	/* longer than IPv6 */
		"10.0.0.0/", "10.0.0.0/abc", "10.0.0.0/8x", "10.0.0.0/-1",
		"10.0.0.0/0008", "/8", "10.0.0/8", "10.0.0.0//8",
		"10.0.0.0/8/8", "",
	};
	for (size_t i = 0; i < sizeof bad / sizeof *bad; i++) {
		struct prefix p;
		ck_assert_msg(!prefix_parse(&p, bad[i], strlen(bad[i])),
			      "accepted '%s'", bad[i]);
	}
}
END_TEST

START_TEST(addr_mask_bits)
{
	struct addr a = addr_of("255.255.255.255");
	addr_mask(&a, 20);
	ck_assert_octets(a.bytes, 4, VEC(255, 255, 240, 0));
	a = addr_of("255.255.255.255");
	addr_mask(&a, 32);
	ck_assert_octets(a.bytes, 4, VEC(255, 255, 255, 255));
	addr_mask(&a, 0);
	ck_assert_octets(a.bytes, 4, VEC(0, 0, 0, 0));
	a = addr_of("ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff");
	addr_mask(&a, 65);
	ck_assert_octets(a.bytes, 16, VEC(0xff, 0xff, 0xff, 0xff, 0xff, 0xff,
					  0xff, 0xff, 0x80, 0, 0, 0, 0, 0, 0,
					  0));
}
END_TEST

START_TEST(prefix_covers_families)
{
	struct prefix p8 = prefix_of("10.0.0.0/8");
	struct prefix p16 = prefix_of("10.1.0.0/16");
	struct prefix other = prefix_of("11.0.0.0/8");
	struct prefix host = prefix_of("10.1.2.3");
	struct prefix all = prefix_of("0.0.0.0/0");
	struct prefix v6 = prefix_of("::/0");
	struct prefix v6doc = prefix_of("2001:db8::/32");
	struct prefix v6host = prefix_of("2001:db8:1::1");

	ck_assert(prefix_covers(&p8, &p16));
	ck_assert(!prefix_covers(&p16, &p8));
	ck_assert(prefix_covers(&p8, &p8));
	ck_assert(prefix_covers(&p16, &host));
	ck_assert(prefix_covers(&all, &host));
	ck_assert(prefix_covers(&all, &other));
	ck_assert(!prefix_covers(&p8, &other));
	ck_assert(!prefix_covers(&other, &p8));
	ck_assert(prefix_covers(&v6, &v6host));
	ck_assert(prefix_covers(&v6doc, &v6host));
	ck_assert(!prefix_covers(&v6host, &v6doc));
	/* Families never mix, not even with the default routes. */
	ck_assert(!prefix_covers(&all, &v6host));
	ck_assert(!prefix_covers(&v6, &host));
}
END_TEST

/* ---- hex ----------------------------------------------------------------- */

START_TEST(hex_decode_forms)
{
	struct writer w = writer_init(0);
	ck_assert(hex_decode(&w, "0b01 18:c0 0002"));
	ck_assert_octets(w.data, w.len, VEC(0x0b, 0x01, 0x18, 0xc0, 0x00, 0x02));

	writer_reset(&w);
	ck_assert(hex_decode(&w, "0xDEADbeef"));
	ck_assert_octets(w.data, w.len, VEC(0xde, 0xad, 0xbe, 0xef));

	/* Appends to what the writer holds. */
	ck_assert(hex_decode(&w, "\t01\n"));
	ck_assert_octets(w.data, w.len, VEC(0xde, 0xad, 0xbe, 0xef, 0x01));

	/* Failures leave the length as it was. */
	ck_assert(!hex_decode(&w, "abc"));		/* odd digit count */
	ck_assert(!hex_decode(&w, "0g"));		/* not a digit */
	ck_assert(!hex_decode(&w, "01 0x02"));		/* 0x only at the start */
	ck_assert(!hex_decode(&w, "12-34"));
	ck_assert_uint_eq(w.len, 5);

	writer_reset(&w);
	ck_assert(hex_decode(&w, ""));
	ck_assert(hex_decode(&w, "0x"));
	ck_assert_uint_eq(w.len, 0);
	writer_free(&w);

	/* The writer's limit makes decoding fail. */
	w = writer_init(2);
	ck_assert(!hex_decode(&w, "010203"));
	ck_assert_uint_eq(w.len, 0);
	writer_free(&w);
}
END_TEST

START_TEST(hex_print_lower)
{
	char *out = NULL;
	size_t outlen = 0;
	FILE *f = open_memstream(&out, &outlen);
	ck_assert_ptr_nonnull(f);
	struct vec v = VEC(0x00, 0x0b, 0xc0, 0xff, 0x7a);
	hex_print(f, v.data, v.len);
	hex_print(f, v.data, 0);
	ck_assert_int_eq(fclose(f), 0);
	ck_assert_str_eq(out, "000bc0ff7a");
	free(out);

	/* hex_print then hex_decode is the identity. */
	uint8_t all[256];
	for (unsigned i = 0; i < 256; i++)
		all[i] = (uint8_t)i;
	f = open_memstream(&out, &outlen);
	hex_print(f, all, sizeof all);
	fclose(f);
	ck_assert_uint_eq(strlen(out), 512);
	struct writer w = writer_init(0);
	ck_assert(hex_decode(&w, out));
	ck_assert_uint_eq(w.len, 256);
	ck_assert_mem_eq(w.data, all, 256);
	writer_free(&w);
	free(out);
}
END_TEST

/* Where hex text is bad: the offending character and its octet. */
START_TEST(hex_decode_at_says_where)
{
	static const struct {
		const char *text;
		size_t pos, octet;
	} bad[] = {
		{ "0b 01 1g", 7, 2 },	/* 'g' in the third octet */
		{ "0b 01 1", 6, 2 },	/* the unpaired last digit */
		{ "0x0b01-02", 6, 2 },	/* after the skipped "0x" */
		{ "0", 0, 0 },
		{ "01 0x02", 4, 1 },	/* 'x': 0x only at the start */
		{ "abc", 2, 1 },
	};
	struct writer w = writer_init(0);
	put_u8(&w, 0xff);	/* held before: it stays, nothing is added */
	for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
		struct hex_error err = { 99, 99 };
		ck_assert_msg(!hex_decode_at(&w, bad[i].text, &err), "%s",
			      bad[i].text);
		ck_assert_msg(err.pos == bad[i].pos && err.octet == bad[i].octet,
			      "%s: pos %zu octet %zu, want %zu %zu", bad[i].text,
			      err.pos, err.octet, bad[i].pos, bad[i].octet);
		ck_assert_uint_eq(w.len, 1);
	}
	ck_assert(hex_decode_at(&w, "0b01", NULL));
	ck_assert_octets(w.data, w.len, VEC(0xff, 0x0b, 0x01));
	writer_free(&w);
}
END_TEST

/* ---- log ----------------------------------------------------------------- */

/* stderr redirected to a temporary file, to read what the log wrote. */
struct stderr_capture {
	FILE *file;
	int saved;
};

static void capture_start(struct stderr_capture *c)
{
	fflush(stderr);
	c->file = tmpfile();
	ck_assert_ptr_nonnull(c->file);
	c->saved = dup(STDERR_FILENO);
	ck_assert_int_ge(c->saved, 0);
	ck_assert_int_ge(dup2(fileno(c->file), STDERR_FILENO), 0);
}

/* Puts stderr back; returns what was written meanwhile (free() it). */
static char *capture_end(struct stderr_capture *c)
{
	fflush(stderr);
	ck_assert_int_ge(dup2(c->saved, STDERR_FILENO), 0);
	close(c->saved);
	long n = ftell(c->file);
	ck_assert_int_ge(n, 0);
	char *text = calloc(1, (size_t)n + 1);
	ck_assert_ptr_nonnull(text);
	rewind(c->file);
	ck_assert_uint_eq(fread(text, 1, (size_t)n, c->file), (size_t)n);
	fclose(c->file);
	return text;
}

/* One message of each level at the level set; what came out. */
static char *log_each_level(void)
{
	struct stderr_capture c;
	capture_start(&c);
	log_msg(LOG_ERROR, "e %d", 1);
	log_msg(LOG_WARN, "w %s", "two");
	log_msg(LOG_INFO, "i %02x", 3);
	log_msg(LOG_DEBUG, "d %c", '4');
	return capture_end(&c);
}

/* Runs first: no test before it sets the level (LOG_INFO by default). */
START_TEST(log_default_level)
{
	char *out = log_each_level();
	ck_assert_str_eq(out, "flowspecd: error: e 1\n"
			      "flowspecd: warning: w two\n"
			      "flowspecd: info: i 03\n");
	free(out);
}
END_TEST

START_TEST(log_level_filters)
{
	static const struct {
		enum log_level level;
		const char *want;
	} cases[] = {
		{ LOG_ERROR, "flowspecd: error: e 1\n" },
		{ LOG_WARN, "flowspecd: error: e 1\n"
			    "flowspecd: warning: w two\n" },
		{ LOG_DEBUG, "flowspecd: error: e 1\n"
			     "flowspecd: warning: w two\n"
			     "flowspecd: info: i 03\n"
			     "flowspecd: debug: d 4\n" },
	};
	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		log_set_level(cases[i].level);
		char *out = log_each_level();
		ck_assert_str_eq(out, cases[i].want);
		free(out);
	}
	log_set_level(LOG_INFO);
}
END_TEST

START_TEST(log_peer_names_the_peer)
{
	log_set_level(LOG_WARN);
	struct stderr_capture c;
	capture_start(&c);
	log_peer(LOG_WARN, "192.0.2.1", "bad OPEN: version %u", 3u);
	log_peer(LOG_INFO, "192.0.2.1", "dropped at level warning");
	log_msg(LOG_ERROR, "no peer");
	char *out = capture_end(&c);
	ck_assert_str_eq(out, "flowspecd: warning: peer 192.0.2.1: bad OPEN: "
			      "version 3\nflowspecd: error: no peer\n");
	free(out);
	log_set_level(LOG_INFO);
}
END_TEST

/* fatal() logs an error even at the lowest level and exits with 1; run in
 * a child of our own so the test does not depend on Check's fork mode. */
START_TEST(log_fatal_exits)
{
	struct stderr_capture c;
	capture_start(&c);
	pid_t pid = fork();
	ck_assert_int_ge(pid, 0);
	if (pid == 0) {
		log_set_level(LOG_ERROR);
		fatal("cannot bind %s:%d", "127.0.0.1", 179);
	}
	int wstatus;
	pid_t got = waitpid(pid, &wstatus, 0);
	char *out = capture_end(&c);
	ck_assert_int_eq(got, pid);
	ck_assert(WIFEXITED(wstatus));
	ck_assert_int_eq(WEXITSTATUS(wstatus), EXIT_FAILURE);
	ck_assert_str_eq(out, "flowspecd: error: cannot bind 127.0.0.1:179\n");
	free(out);
}
END_TEST

/* fail_msg formats into the buffer, cuts it to fit, returns false. */
START_TEST(log_fail_msg)
{
	char err[8];
	memset(err, 'x', sizeof err);
	ck_assert(!fail_msg(err, sizeof err, "port %d", 80));
	ck_assert_str_eq(err, "port 80");
	memset(err, 'x', sizeof err);
	ck_assert(!fail_msg(err, sizeof err, "%s", "0123456789"));
	ck_assert_str_eq(err, "0123456");
}
END_TEST

static Suite *lib_suite(void)
{
	Suite *s = suite_create("lib");
	ADD_CASE(s, "reader", reader_get_network_order,
		 reader_past_end_returns_zero, reader_error_is_sticky,
		 reader_null_data, reader_sub_views, reader_done_exact);
	ADD_CASE(s, "writer", writer_put_network_order, writer_grows,
		 writer_limit_sticky, writer_reserve_patch);
	ADD_CASE(s, "addr", addr_parse_format, addr_parse_bad,
		 prefix_parse_format, prefix_parse_bad, addr_mask_bits,
		 prefix_covers_families);
	ADD_CASE(s, "hex", hex_decode_forms, hex_print_lower,
		 hex_decode_at_says_where);
	/* log_default_level first: in CK_FORK=no mode the level carries on. */
	ADD_CASE(s, "log", log_default_level, log_level_filters,
		 log_peer_names_the_peer, log_fatal_exits, log_fail_msg);
	return s;
}

TEST_MAIN(lib_suite)
