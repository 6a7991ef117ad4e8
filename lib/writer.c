/* Growable writer: see writer.h. */
#include "writer.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct writer writer_init(size_t limit)
{
	return (struct writer){ .limit = limit };
}

void writer_free(struct writer *w)
{
	if (!w)
		return;
	free(w->data);
	*w = writer_init(w->limit);
}

void writer_reset(struct writer *w)
{
	w->len = 0;
	w->err = false;
}

/* Room for n more octets; returns where they go, or NULL (sticky error). */
static uint8_t *grow(struct writer *w, size_t n)
{
	if (w->err || n == 0)
		return NULL;
	if ((w->limit && n > w->limit - w->len) || n > SIZE_MAX / 2 - w->len) {
		w->err = true;
		return NULL;
	}
	if (w->len + n > w->cap) {
		size_t cap = w->cap ? w->cap : 64;
		while (cap < w->len + n)
			cap *= 2;
		uint8_t *d = realloc(w->data, cap);
		if (!d) {
			w->err = true;
			return NULL;
		}
		w->data = d;
		w->cap = cap;
	}
	uint8_t *p = w->data + w->len;
	w->len += n;
	return p;
}

void put_bytes(struct writer *w, const void *src, size_t n)
{
	uint8_t *p = grow(w, n);
	if (p && n)
		memcpy(p, src, n);
}

void put_str(struct writer *w, const char *s)
{
	put_bytes(w, s, strlen(s));
}

void put_fmt(struct writer *w, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	int n = vsnprintf(NULL, 0, fmt, ap);
	va_end(ap);
	if (n < 0) {
		w->err = true;
		return;
	}
	/* Room for the NUL vsnprintf writes, which is then not counted. */
	uint8_t *p = grow(w, (size_t)n + 1);
	if (!p)
		return;
	va_start(ap, fmt);
	vsnprintf((char *)p, (size_t)n + 1, fmt, ap);
	va_end(ap);
	w->len--;
}

void put_u8(struct writer *w, uint8_t v)
{
	put_bytes(w, &v, 1);
}

void put_u16(struct writer *w, uint16_t v)
{
	uint8_t b[2] = { v >> 8, v & 0xff };
	put_bytes(w, b, sizeof b);
}

void put_u32(struct writer *w, uint32_t v)
{
	uint8_t b[4] = { v >> 24, (v >> 16) & 0xff, (v >> 8) & 0xff, v & 0xff };
	put_bytes(w, b, sizeof b);
}

void put_u64(struct writer *w, uint64_t v)
{
	uint8_t b[8];
	for (int i = 0; i < 8; i++)
		b[i] = (uint8_t)(v >> (56 - 8 * i));
	put_bytes(w, b, sizeof b);
}

size_t put_reserve(struct writer *w, size_t n)
{
	size_t off = w->len;
	uint8_t *p = grow(w, n);
	if (p)
		memset(p, 0, n);
	return off;
}

void patch_u8(struct writer *w, size_t off, uint8_t v)
{
	if (!w->err && off < w->len)
		w->data[off] = v;
}

void patch_u16(struct writer *w, size_t off, uint16_t v)
{
	if (!w->err && off + 1 < w->len) {
		w->data[off] = v >> 8;
		w->data[off + 1] = v & 0xff;
	}
}
