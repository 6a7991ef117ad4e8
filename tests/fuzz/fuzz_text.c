/* libFuzzer harness for the rule text parser and printer (nlri/text.c).
 * Input: rule text (a NUL-terminated copy is parsed). A rule that parses
 * must print as one line of printable ASCII (no newline, no control
 * character; the withdraw form too) that parses again and prints the same,
 * with the same wire match, family, communities, extended communities and
 * next hop; a refused one must
 * say where (a column inside the text, or just past it) and what. Any
 * broken property abort()s. */
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "nlri/flowspec.h"
#include "nlri/rule.h"
#include "nlri/text.h"

#define FUZZ_NAME "fuzz_text"
#include "fuzz.h"

static bool same_buf(const struct writer *a, const struct writer *b)
{
	return a->len == b->len && (a->len == 0 ||
				    memcmp(a->data, b->data, a->len) == 0);
}

/* The offset of the first octet of p[0..n) that is not printable ASCII
 * (0x20..0x7e: so no newline, no control character), or n. */
static size_t first_unprintable(const char *p, size_t n)
{
	size_t i = 0;
	while (i < n && p[i] >= 0x20 && p[i] <= 0x7e)
		i++;
	return i;
}

/* Dies unless the n octets at p are one line of printable ASCII. */
static void check_one_line(const char *what, const char *p, size_t n,
			   const char *input)
{
	size_t bad = first_unprintable(p, n);
	if (bad < n)
		die("%s is not one printable line: octet 0x%02x at %zu\n"
		    "  input: %s\n  text:  %.*s", what, (unsigned char)p[bad],
		    bad, input, (int)n, p);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *s = malloc(size + 1);
	if (!s)
		return 0;
	memcpy(s, data, size);
	s[size] = '\0';
	size_t len = strlen(s);	/* the parser stops at the first NUL */

	struct fs_rule rule;
	struct fs_text_error err = { 0 };
	size_t end = 0;
	if (!fs_text_parse(&rule, s, &end, &err)) {
		if (err.col < 1 || err.col > len + 1)
			die("error column %zu outside 1..%zu: %s", err.col,
			    len + 1, err.msg);
		if (!err.msg[0] || strnlen(err.msg, sizeof err.msg) ==
					   sizeof err.msg)
			die("error message empty or not terminated");
		fs_rule_clear(&rule);	/* must be harmless after a failure */
		free(s);
		return 0;
	}
	if (end < 1 || end > len || s[end - 1] != '}')
		die("end %zu is not just past a '}' (length %zu)", end, len);
	if (!fs_rule_ok(&rule) ||
	    fs_validate(rule.afi, rule.match.data, rule.match.len, NULL) != FS_OK)
		die("parsed rule is not valid");
	if (rule.ext.len % EXT_COMMUNITY_LEN || rule.ext6.len %
	    EXT6_COMMUNITY_LEN || rule.comm.len % 4)
		die("community attribute of a bad length");

	char *text = fs_text_string(&rule);
	if (!text)
		die("fs_text_string failed");
	check_one_line("printed rule", text, strlen(text), s);
	struct writer withdraw = writer_init(0);
	fs_text_format_withdraw(&withdraw, &rule);
	if (withdraw.err || withdraw.len == 0)
		die("fs_text_format_withdraw failed");
	check_one_line("withdraw form", (const char *)withdraw.data,
		       withdraw.len, s);
	writer_free(&withdraw);
	struct fs_rule again;
	size_t end2 = 0;
	if (!fs_text_parse(&again, text, &end2, &err))
		die("printed rule does not parse: col %zu: %s\n  input:   %s\n"
		    "  printed: %s", err.col, err.msg, s, text);
	if (end2 != strlen(text))
		die("parse of the printed rule stopped at %zu of %zu", end2,
		    strlen(text));
	char *text2 = fs_text_string(&again);
	if (!text2)
		die("fs_text_string failed");
	if (strcmp(text, text2) != 0)
		die("text not stable:\n  input:  %s\n  first:  %s\n  second: %s",
		    s, text, text2);
	if (again.afi != rule.afi)
		die("printed rule reads as another family (%d, was %d):\n"
		    "  input: %s\n  text:  %s", (int)again.afi, (int)rule.afi,
		    s, text);
	if (!same_buf(&again.match, &rule.match))
		die("printed rule has another match:\n  input: %s\n  text:  %s",
		    s, text);
	if (!same_buf(&again.comm, &rule.comm) ||
	    memcmp(&again.nexthop, &rule.nexthop, sizeof rule.nexthop) != 0)
		die("printed rule has other communities or next hop:\n"
		    "  input: %s\n  text:  %s", s, text);
	if (!same_buf(&again.ext, &rule.ext) ||
	    !same_buf(&again.ext6, &rule.ext6))
		die("printed rule has other extended communities:\n"
		    "  input: %s\n  text:  %s", s, text);
	if (fs_cmp(rule.afi, rule.match.data, rule.match.len, again.match.data,
		   again.match.len) != 0)
		die("fs_cmp of a rule and its reprint is not 0");

	/* Parsing from the end offset on must not read past the NUL. */
	struct fs_rule rest;
	if (fs_text_parse(&rest, s + end, NULL, NULL))
		fs_rule_clear(&rest);

	free(text2);
	free(text);
	fs_rule_clear(&again);
	fs_rule_clear(&rule);
	free(s);
	return 0;
}
