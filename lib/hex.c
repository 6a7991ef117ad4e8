/* Hex text: see hex.h. */
#include "hex.h"

#include <ctype.h>
#include <string.h>

static int nibble(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	c = (char)tolower((unsigned char)c);
	return c >= 'a' && c <= 'f' ? c - 'a' + 10 : -1;
}

bool hex_decode(struct writer *w, const char *s)
{
	size_t start = w->len;
	int hi = -1;
	if (s[0] == '0' && (s[1] == 'x' || s[1] == 'X'))
		s += 2;
	for (; *s; s++) {
		if (isspace((unsigned char)*s) || *s == ':')
			continue;
		int v = nibble(*s);
		if (v < 0)
			break;
		if (hi < 0) {
			hi = v;
		} else {
			put_u8(w, (uint8_t)(hi << 4 | v));
			hi = -1;
		}
	}
	if (*s || hi >= 0 || w->err) {
		w->len = start;
		return false;
	}
	return true;
}

void hex_print(FILE *f, const uint8_t *data, size_t n)
{
	for (size_t i = 0; i < n; i++)
		fprintf(f, "%02x", data[i]);
}
