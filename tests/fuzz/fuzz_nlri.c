/* libFuzzer harness for the Flowspec NLRI codec (nlri/flowspec.c), the
 * rule text printer and parser (nlri/text.c) and the action codec
 * (nlri/actions.c).
 *
 * Input: one control octet, a packed NLRI list, then a tail of communities.
 *   control bit 0     AFI: 0 IPv4, 1 IPv6
 *   control bits 1-4  number of 8-octet extended communities at the end
 *   control bits 5-6  number of 20-octet IPv6 extended communities before them
 *   control bit 7     the rules carry a next hop (of the rule's family)
 * Every NLRI is validated and walked; each valid one is printed, parsed back
 * and printed again, which must give the same text; fs_cmp must be a
 * consistent order. Any broken property abort()s with the texts involved. */
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "nlri/actions.h"
#include "nlri/flowspec.h"
#include "nlri/rule.h"
#include "nlri/text.h"

#define FUZZ_NAME "fuzz_nlri"
#include "fuzz.h"

#define CTRL_AFI_V6 0x01
#define CTRL_EXT_SHIFT 1
#define CTRL_EXT_MASK 0x0f
#define CTRL_EXT6_SHIFT 5
#define CTRL_EXT6_MASK 0x03
#define CTRL_NEXTHOP 0x80

/* Valid NLRIs kept for the order checks: every pair of the first
 * ORDER_MAX, every triple of the first TRIPLE_MAX (cubic: keep it small). */
#define ORDER_MAX 24
#define TRIPLE_MAX 8

static int sign(int v)
{
	return (v > 0) - (v < 0);
}

static void hex_dump(const char *what, const uint8_t *p, size_t n)
{
	fprintf(stderr, "%s (%zu):", what, n);
	for (size_t i = 0; i < n; i++)
		fprintf(stderr, " %02x", p[i]);
	fputc('\n', stderr);
}

/* The communities of the input tail, added to every rule. */
struct tail {
	const uint8_t *ext;
	size_t n_ext;
	const uint8_t *ext6;
	size_t n_ext6;
	struct addr nexthop;
};

static void rule_fill(struct fs_rule *r, enum fs_afi afi, const uint8_t *nlri,
		      size_t len, const struct tail *t)
{
	fs_rule_init(r, afi);
	put_bytes(&r->match, nlri, len);
	if (t) {
		put_bytes(&r->ext, t->ext, t->n_ext * EXT_COMMUNITY_LEN);
		put_bytes(&r->ext6, t->ext6, t->n_ext6 * EXT6_COMMUNITY_LEN);
		r->nexthop = t->nexthop;
	}
}

/* Walks one NLRI with the iterator and checks it against fs_validate. */
static void walk(enum fs_afi afi, const uint8_t *nlri, size_t len)
{
	size_t off_v = 0;
	enum fs_reason why = fs_validate(afi, nlri, len, &off_v);
	struct fs_iter it;
	struct fs_component c;
	unsigned n = 0, last = 0;
	fs_iter_init(&it, afi, nlri, len);
	while (fs_iter_next(&it, &c)) {
		n++;
		if (c.type <= last || c.type > FS_TYPE_MAX)
			die("component type %u after %u", c.type, last);
		last = c.type;
		if (c.wire < nlri || c.wire_len == 0 ||
		    c.wire + c.wire_len > nlri + len || c.wire[0] != c.type)
			die("component %u: wire view outside the NLRI", c.type);
		if (c.kind == FS_KIND_PREFIX) {
			unsigned bits = addr_bits(c.prefix.addr.family);
			if (c.prefix.len > bits || c.offset > c.prefix.len)
				die("prefix /%u offset %u", c.prefix.len,
				    c.offset);
			struct addr masked = c.prefix.addr;
			addr_mask(&masked, c.prefix.len);
			if (memcmp(&masked, &c.prefix.addr, sizeof masked))
				die("prefix has bits set past its length");
			continue;
		}
		struct reader ops = c.ops;
		struct fs_op op;
		unsigned max = fs_type_max_len(afi, c.type), nops = 0;
		while (fs_op_next(&ops, &c, &op)) {
			if (op.len == 0 || op.len > max)
				die("type %u: value length %u", c.type, op.len);
			if (nops++ == 0 && op.and)
				die("type %u: AND on the first operator",
				    c.type);
		}
		if (nops == 0 || !reader_done(&ops))
			die("type %u: operator list not consumed exactly "
			    "(%u ops)", c.type, nops);
	}
	if (it.reason != why || (why != FS_OK && it.err_off != off_v))
		die("iterator says %s at %zu, fs_validate %s at %zu",
		    fs_reason_str(it.reason), it.err_off, fs_reason_str(why),
		    off_v);
	if (why == FS_OK && n == 0)
		die("valid NLRI with no component");
	if (why != FS_OK && len && off_v >= len)
		die("fault offset %zu outside the %zu-octet NLRI", off_v, len);
	if (strcmp(fs_reason_str(why), "unknown reason") == 0)
		die("reason %d has no text", (int)why);
}

/* Parses text and prints the rule again into *again (free() it); false
 * when the parse failed, after checking the error it gave. */
static bool reparse(const char *text, enum fs_afi afi, char **again)
{
	struct fs_rule back;
	struct fs_text_error err = { 0 };
	size_t end = 0;
	if (!fs_text_parse(&back, text, &end, &err)) {
		if (err.col < 1 || err.col > strlen(text) + 1 || !err.msg[0])
			die("bad error (col %zu, '%s') for: %s", err.col,
			    err.msg, text);
		return false;
	}
	if (end != strlen(text))
		die("parse stopped at %zu of %zu: %s", end, strlen(text), text);
	if (back.afi != afi)
		die("family %d became %d: %s", (int)afi, (int)back.afi, text);
	*again = fs_text_string(&back);
	if (!*again)
		die("fs_text_string failed on a parsed rule");
	fs_rule_clear(&back);
	return true;
}

/* Text round trip of one valid NLRI: the match alone, and the match with
 * the actions of the tail, must print, parse and print to the same text
 * (what a statement cannot say exactly prints as a raw community).
 * Returns the match-only text (free() it). */
static char *round_trip(enum fs_afi afi, const uint8_t *nlri, size_t len,
			const struct tail *t)
{
	struct fs_rule r;
	char *again, *third;
	rule_fill(&r, afi, nlri, len, NULL);
	char *text = fs_text_string(&r);
	if (!text)
		die("fs_text_string failed");
	if (reparse(text, afi, &again)) {
		if (strcmp(again, text) != 0)
			die("text not stable:\n  first:  %s\n  second: %s",
			    text, again);
		free(again);
	} else {
		hex_dump("nlri", nlri, len);
		die("valid NLRI prints as text that does not parse: %s", text);
	}
	fs_rule_clear(&r);

	rule_fill(&r, afi, nlri, len, t);
	fs_rule_normalize(&r);	/* the parser sorts and drops repeats */
	char *full = fs_text_string(&r);
	if (!full)
		die("fs_text_string failed");
	if (reparse(full, afi, &again)) {
		if (strcmp(full, again) != 0)
			die("text not stable:\n  first:  %s\n  second: %s",
			    full, again);
		if (!reparse(again, afi, &third))
			die("printed text does not parse: %s", again);
		if (strcmp(again, third) != 0)
			die("text not stable after one round:\n  wire:   %s\n"
			    "  first:  %s\n  second: %s", full, again, third);
		free(third);
		free(again);
	}
	free(full);
	fs_rule_clear(&r);
	return text;
}

/* Each community decoded, re-encoded, decoded again: the second encoding
 * must equal the first (only reserved bits may drop the first time). */
static void check_actions(const uint8_t *p, size_t n, unsigned size)
{
	for (size_t i = 0; i < n; i++, p += size) {
		struct fs_action a, b;
		struct writer w1 = writer_init(0), w2 = writer_init(0);
		fs_action_decode(&a, p, size);
		unsigned l1 = fs_action_put(&w1, &a);
		if (l1 != w1.len || (l1 != EXT_COMMUNITY_LEN &&
				     l1 != EXT6_COMMUNITY_LEN))
			die("fs_action_put returned %u for %zu octets", l1,
			    w1.len);
		if (fs_action_is_ext6(&a) != (l1 == EXT6_COMMUNITY_LEN))
			die("fs_action_is_ext6 disagrees with the length");
		if (a.type == FS_ACT_OTHER && memcmp(w1.data, p, size))
			die("unknown community not kept as it came");
		fs_action_decode(&b, w1.data, l1);
		fs_action_put(&w2, &b);
		if (w1.err || w2.err || w1.len != w2.len ||
		    memcmp(w1.data, w2.data, w1.len)) {
			hex_dump("community", p, size);
			die("action encoding not stable (type %d)", (int)a.type);
		}
		writer_free(&w1);
		writer_free(&w2);
	}
}

struct kept {
	const uint8_t *p;
	size_t len;
	char *text;
};

/* Checks the order over the kept NLRIs: symmetric, equal only for the
 * same text, transitive over the triples of the first TRIPLE_MAX. */
static void check_order(enum fs_afi afi, const struct kept *k, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		for (size_t j = i + 1; j < n; j++) {
			int ab = fs_cmp(afi, k[i].p, k[i].len, k[j].p, k[j].len);
			int ba = fs_cmp(afi, k[j].p, k[j].len, k[i].p, k[i].len);
			if (sign(ab) != -sign(ba)) {
				hex_dump("a", k[i].p, k[i].len);
				hex_dump("b", k[j].p, k[j].len);
				die("fs_cmp not symmetric: %d, %d", ab, ba);
			}
			if (ab == 0 && strcmp(k[i].text, k[j].text) != 0)
				die("fs_cmp 0 for different rules:\n  %s\n  %s",
				    k[i].text, k[j].text);
			for (size_t m = j + 1; m < n && m < TRIPLE_MAX; m++) {
				int bc = fs_cmp(afi, k[j].p, k[j].len, k[m].p,
						k[m].len);
				int ac = fs_cmp(afi, k[i].p, k[i].len, k[m].p,
						k[m].len);
				/* a<=b<=c implies a<=c; a>=b>=c implies a>=c */
				if ((ab <= 0 && bc <= 0 && ac > 0) ||
				    (ab >= 0 && bc >= 0 && ac < 0) ||
				    (ab == 0 && sign(bc) != sign(ac))) {
					hex_dump("a", k[i].p, k[i].len);
					hex_dump("b", k[j].p, k[j].len);
					hex_dump("c", k[m].p, k[m].len);
					die("fs_cmp not transitive: %d %d %d",
					    ab, bc, ac);
				}
			}
		}
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (size < 1)
		return 0;
	uint8_t ctrl = data[0];
	enum fs_afi afi = ctrl & CTRL_AFI_V6 ? FS_AFI_IPV6 : FS_AFI_IPV4;
	data++, size--;

	/* The community tail comes off the end of the input. */
	struct tail t = { 0 };
	t.n_ext = (ctrl >> CTRL_EXT_SHIFT) & CTRL_EXT_MASK;
	t.n_ext6 = (ctrl >> CTRL_EXT6_SHIFT) & CTRL_EXT6_MASK;
	size_t tail_len = t.n_ext * EXT_COMMUNITY_LEN +
			  t.n_ext6 * EXT6_COMMUNITY_LEN;
	if (tail_len > size) {
		t.n_ext = t.n_ext6 = 0;
		tail_len = 0;
	}
	size -= tail_len;
	t.ext6 = data + size;
	t.ext = t.ext6 + t.n_ext6 * EXT6_COMMUNITY_LEN;
	if (ctrl & CTRL_NEXTHOP) {
		const char *nh = afi == FS_AFI_IPV6 ? "2001:db8::1" : "192.0.2.1";
		addr_parse(&t.nexthop, nh, strlen(nh));
	}
	check_actions(t.ext, t.n_ext, EXT_COMMUNITY_LEN);
	check_actions(t.ext6, t.n_ext6, EXT6_COMMUNITY_LEN);

	struct kept kept[ORDER_MAX];
	size_t n_kept = 0;
	struct reader list = reader_init(data, size);
	struct reader nlri;
	while (remaining(&list) && fs_nlri_next(&list, &nlri)) {
		const uint8_t *p = nlri.data + nlri.off;
		size_t len = remaining(&nlri);
		walk(afi, p, len);

		/* The length prefix written back reads as the same NLRI. */
		struct writer w = writer_init(0);
		fs_nlri_put(&w, p, len);
		struct reader wr = reader_init(w.data, w.len), back;
		if (!fs_nlri_next(&wr, &back) || remaining(&back) != len ||
		    !reader_done(&wr) ||
		    (len && memcmp(back.data + back.off, p, len)))
			die("fs_nlri_put/fs_nlri_next disagree at %zu", len);
		writer_free(&w);

		if (fs_validate(afi, p, len, NULL) != FS_OK) {
			/* Printing a refused match must still be safe. */
			struct fs_rule r;
			rule_fill(&r, afi, p, len, &t);
			char *s = fs_text_string(&r);
			free(s);
			fs_rule_clear(&r);
			continue;
		}
		if (fs_cmp(afi, p, len, p, len) != 0)
			die("fs_cmp(x, x) != 0");
		char *text = round_trip(afi, p, len, &t);
		if (n_kept < ORDER_MAX)
			kept[n_kept++] = (struct kept){ p, len, text };
		else
			free(text);
	}
	check_order(afi, kept, n_kept);
	for (size_t i = 0; i < n_kept; i++)
		free(kept[i].text);
	return 0;
}
