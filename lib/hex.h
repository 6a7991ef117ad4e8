/* Hex text <-> octets, for the command line and tests. */
#ifndef LIB_HEX_H
#define LIB_HEX_H

#include <stdio.h>

#include "writer.h"

/* Where hex text is bad: s[pos] is the first character that is neither a
 * hex digit nor skipped, or the unpaired last digit of an odd count; octet
 * is the index (from 0) of the octet that character was to be part of. */
struct hex_error {
	size_t pos;
	size_t octet;
};

/* Appends the octets of hex text s to w; white space, ':' and a leading
 * "0x" are skipped. Returns false (w unchanged in length) on any other
 * character or an odd number of digits, or when w fails. */
bool hex_decode(struct writer *w, const char *s);
/* hex_decode that also says, in *err (when not NULL), where the text is bad
 * (w->err tells a failure of w itself). */
bool hex_decode_at(struct writer *w, const char *s, struct hex_error *err);
/* Prints n octets as lower-case hex, no separators. */
void hex_print(FILE *f, const uint8_t *data, size_t n);

#endif
