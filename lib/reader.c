/* Bounds-checked reader: see reader.h. */
#include "reader.h"

#include <string.h>

struct reader reader_init(const void *data, size_t len)
{
	static const uint8_t none[1];
	return (struct reader){ .data = data ? data : none,
				.len = data ? len : 0 };
}

size_t remaining(const struct reader *r)
{
	return r->err ? 0 : r->len - r->off;
}

/* Returns a pointer to the next n octets and consumes them, or NULL. */
static const uint8_t *take(struct reader *r, size_t n)
{
	if (r->err || r->len - r->off < n) {
		r->err = true;
		return NULL;
	}
	const uint8_t *p = r->data + r->off;
	r->off += n;
	return p;
}

uint8_t get_u8(struct reader *r)
{
	const uint8_t *p = take(r, 1);
	return p ? p[0] : 0;
}

uint16_t get_u16(struct reader *r)
{
	const uint8_t *p = take(r, 2);
	return p ? (uint16_t)(p[0] << 8 | p[1]) : 0;
}

uint32_t get_u32(struct reader *r)
{
	const uint8_t *p = take(r, 4);
	return p ? (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 |
			   (uint32_t)p[2] << 8 | p[3]
		 : 0;
}

uint64_t get_u64(struct reader *r)
{
	uint64_t hi = get_u32(r);
	return hi << 32 | get_u32(r);
}

void get_bytes(struct reader *r, void *dst, size_t n)
{
	const uint8_t *p = take(r, n);
	if (p)
		memcpy(dst, p, n);
	else if (n)
		memset(dst, 0, n);
}

void skip(struct reader *r, size_t n)
{
	(void)take(r, n);
}

uint8_t peek_u8(struct reader *r)
{
	if (r->err || r->off >= r->len) {
		r->err = true;
		return 0;
	}
	return r->data[r->off];
}

struct reader sub(struct reader *r, size_t n)
{
	const uint8_t *p = take(r, n);
	struct reader v = reader_init(p, p ? n : 0);
	v.err = !p;
	return v;
}

bool reader_done(const struct reader *r)
{
	return !r->err && r->off == r->len;
}
