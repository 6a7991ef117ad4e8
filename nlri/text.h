/* The ExaBGP-compatible rule text:
 *   flow route { match { destination 10.0.0.1/32; protocol tcp; } then { discard; } }
 * parse (any component order, errors with a column) and print (canonical:
 * components by type, one line, print(parse(x)) == print(parse(print(...)))).
 * No I/O here. */
#ifndef NLRI_TEXT_H
#define NLRI_TEXT_H

#include <stddef.h>

#include "nlri/rule.h"

struct fs_text_error {
	size_t col;		/* 1-based column in the parsed string */
	char msg[160];
};

/* Parses one "flow route { match { … } [then { … }] }" at the start of s
 * (leading blanks allowed) into rule, which the call initialises; on
 * success *end (when not NULL) is the offset just past the closing brace.
 * On failure rule holds nothing and err says where and what was expected. */
bool fs_text_parse(struct fs_rule *rule, const char *s, size_t *end,
		   struct fs_text_error *err);

/* Appends the canonical "flow route { match { … } then { … } }" to w,
 * NUL not included. A rule without actions prints "then { accept; }";
 * an IPv6 rule whose components do not show the family starts
 * "flow route ipv6 {". */
void fs_text_format(struct writer *w, const struct fs_rule *rule);
/* Appends "flow route { match { … } }", the form a withdraw takes. */
void fs_text_format_withdraw(struct writer *w, const struct fs_rule *rule);
/* The canonical text as a new NUL-terminated string (free() it), or NULL. */
char *fs_text_string(const struct fs_rule *rule);
/* The keyword of component type t ("destination-port"; the IPv4 spelling
 * where IPv6 has its own), or NULL when t is not a component type. */
const char *fs_text_component(unsigned t);

#endif
