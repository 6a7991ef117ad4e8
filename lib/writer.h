/* The growable writer for all wire output. Errors (allocation failure, the
 * size limit) are sticky and checked once at the end; lengths are written by
 * reserving the field, writing the body, then patching. */
#ifndef LIB_WRITER_H
#define LIB_WRITER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct writer {
	uint8_t *data;
	size_t len;
	size_t cap;
	size_t limit;	/* writes that would pass it fail; 0 = no limit */
	bool err;
};

/* An empty writer that holds at most limit octets (0: unbounded). */
struct writer writer_init(size_t limit);
void writer_free(struct writer *w);
/* Forget the contents, keep the buffer and the limit. */
void writer_reset(struct writer *w);

void put_u8(struct writer *w, uint8_t v);
void put_u16(struct writer *w, uint16_t v);
void put_u32(struct writer *w, uint32_t v);
void put_u64(struct writer *w, uint64_t v);
void put_bytes(struct writer *w, const void *src, size_t n);
/* The octets of the C string s, without its NUL. */
void put_str(struct writer *w, const char *s);
/* The printf-formatted text, without a NUL (any length). */
__attribute__((format(printf, 2, 3))) void
put_fmt(struct writer *w, const char *fmt, ...);

/* Reserves n octets (zeroed) and returns their offset, for a later patch. */
size_t put_reserve(struct writer *w, size_t n);
void patch_u8(struct writer *w, size_t off, uint8_t v);
void patch_u16(struct writer *w, size_t off, uint16_t v);

#endif
