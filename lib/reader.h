/* The one bounds-checked reader for all wire input (BGP, Flowspec, flow export).
 * A reader is a view: it never owns the bytes. Every get_* fails softly: past
 * the end it returns 0, reads nothing and sets the sticky error flag. */
#ifndef LIB_READER_H
#define LIB_READER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct reader {
	const uint8_t *data;
	size_t len;
	size_t off;
	bool err;
};

struct reader reader_init(const void *data, size_t len);

uint8_t get_u8(struct reader *r);
uint16_t get_u16(struct reader *r);	/* network byte order */
uint32_t get_u32(struct reader *r);
uint64_t get_u64(struct reader *r);
/* Copies n octets into dst; on short input dst is zeroed. */
void get_bytes(struct reader *r, void *dst, size_t n);
void skip(struct reader *r, size_t n);
/* Next octet without consuming it (0 and error at the end). */
uint8_t peek_u8(struct reader *r);

/* A bounded view of the next n octets, consumed from r. When r holds fewer,
 * both r and the returned view are in error. */
struct reader sub(struct reader *r, size_t n);

size_t remaining(const struct reader *r);
/* True when no read failed and every octet was consumed. */
bool reader_done(const struct reader *r);

#endif
