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

bool hex_decode_at(struct writer *w, const char *s, struct hex_error *err)
{
	size_t start = w->len;
	size_t i = 0, digit = 0;	/* digit: where the unpaired digit is */
	int hi = -1;
	if (s[0] == '0' && (s[1] == 'x' || s[1] == 'X'))
		i = 2;
	for (; s[i]; i++) {
		if (isspace((unsigned char)s[i]) || s[i] == ':')
			continue;
		int v = nibble(s[i]);
		if (v < 0)
			break;
		if (hi < 0) {
			hi = v;
			digit = i;
		} else {
			put_u8(w, (uint8_t)(hi << 4 | v));
			hi = -1;
		}
	}
	if (!s[i] && hi < 0 && !w->err)
		return true;
	if (err)
		*err = (struct hex_error){ .pos = s[i] ? i : digit,
					   .octet = w->len - start };
	w->len = start;
	return false;
}

bool hex_decode(struct writer *w, const char *s)
{
	return hex_decode_at(w, s, NULL);
}

void hex_print(FILE *f, const uint8_t *data, size_t n)
{
	for (size_t i = 0; i < n; i++)
		fprintf(f, "%02x", data[i]);
}
