/* Hex text <-> octets, for the command line and tests. */
#ifndef LIB_HEX_H
#define LIB_HEX_H

#include <stdio.h>

#include "writer.h"

/* Appends the octets of hex text s to w; white space, ':' and a leading
 * "0x" are skipped. Returns false (w unchanged in length) on any other
 * character or an odd number of digits. */
bool hex_decode(struct writer *w, const char *s);
/* Prints n octets as lower-case hex, no separators. */
void hex_print(FILE *f, const uint8_t *data, size_t n);

#endif
