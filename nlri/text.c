/* The ExaBGP-compatible rule text: parse and canonical print. See text.h. */
#include "text.h"

#include <ctype.h>
#include <errno.h>
#include <inttypes.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* ---- names ---------------------------------------------------------- */

struct name_value {
	const char *name;
	uint32_t value;
};

static const struct name_value protocols[] = {
	{ "icmp", 1 }, { "igmp", 2 }, { "tcp", 6 }, { "egp", 8 },
	{ "udp", 17 }, { "rsvp", 46 }, { "gre", 47 }, { "esp", 50 },
	{ "ah", 51 }, { "icmpv6", 58 }, { "ospf", 89 }, { "pim", 103 },
	{ "sctp", 132 }, { NULL, 0 },
};

/* TCP flags, RFC 8955 §4.2.2.9; "push" and "urgent" are ExaBGP's names. */
static const struct name_value tcp_flags[] = {
	{ "fin", FS_TCP_FIN }, { "syn", FS_TCP_SYN }, { "rst", FS_TCP_RST },
	{ "push", FS_TCP_PSH }, { "ack", FS_TCP_ACK }, { "urgent", FS_TCP_URG },
	{ "ece", FS_TCP_ECE }, { "cwr", FS_TCP_CWR }, { "psh", FS_TCP_PSH },
	{ "urg", FS_TCP_URG }, { NULL, 0 },
};

/* Fragment bits, RFC 8955 §4.2.2.12; value 0 is ExaBGP's not-a-fragment. */
static const struct name_value fragments[] = {
	{ "dont-fragment", FS_FRAG_DF }, { "is-fragment", FS_FRAG_ISF },
	{ "first-fragment", FS_FRAG_FF }, { "last-fragment", FS_FRAG_LF },
	{ "not-a-fragment", 0 }, { NULL, 0 },
};

/* Well-known communities, RFC 1997 and RFC 7999. */
static const struct name_value communities[] = {
	{ "no-export", 0xffffff01 }, { "no-advertise", 0xffffff02 },
	{ "no-export-subconfed", 0xffffff03 }, { "blackhole", 0xffff029a },
	{ NULL, 0 },
};

static const struct name_value *name_find(const struct name_value *t,
					  const char *s, size_t n)
{
	for (; t->name; t++)
		if (strlen(t->name) == n && strncmp(t->name, s, n) == 0)
			return t;
	return NULL;
}

static const char *name_of(const struct name_value *t, uint64_t value)
{
	for (; t->name; t++)
		if (t->value == value)
			return t->name;
	return NULL;
}

/* One component keyword of the text form. */
struct keyword {
	const char *name;
	enum fs_type type;
	enum addr_family only;	/* ADDR_NONE: either family */
	const struct name_value *names;
};

static const struct keyword keywords[] = {
	{ "destination", FS_TYPE_DST_PREFIX, ADDR_NONE, NULL },
	{ "destination-ipv4", FS_TYPE_DST_PREFIX, ADDR_V4, NULL },
	{ "destination-ipv6", FS_TYPE_DST_PREFIX, ADDR_V6, NULL },
	{ "source", FS_TYPE_SRC_PREFIX, ADDR_NONE, NULL },
	{ "source-ipv4", FS_TYPE_SRC_PREFIX, ADDR_V4, NULL },
	{ "source-ipv6", FS_TYPE_SRC_PREFIX, ADDR_V6, NULL },
	{ "protocol", FS_TYPE_IP_PROTO, ADDR_NONE, protocols },
	{ "next-header", FS_TYPE_IP_PROTO, ADDR_V6, protocols },
	{ "port", FS_TYPE_PORT, ADDR_NONE, NULL },
	{ "destination-port", FS_TYPE_DST_PORT, ADDR_NONE, NULL },
	{ "source-port", FS_TYPE_SRC_PORT, ADDR_NONE, NULL },
	{ "icmp-type", FS_TYPE_ICMP_TYPE, ADDR_NONE, NULL },
	{ "icmp-code", FS_TYPE_ICMP_CODE, ADDR_NONE, NULL },
	{ "tcp-flags", FS_TYPE_TCP_FLAGS, ADDR_NONE, tcp_flags },
	{ "packet-length", FS_TYPE_PKT_LEN, ADDR_NONE, NULL },
	{ "dscp", FS_TYPE_DSCP, ADDR_NONE, NULL },
	{ "traffic-class", FS_TYPE_DSCP, ADDR_V6, NULL },
	{ "fragment", FS_TYPE_FRAGMENT, ADDR_NONE, fragments },
	{ "flow-label", FS_TYPE_FLOW_LABEL, ADDR_V6, NULL },
	{ NULL, 0, ADDR_NONE, NULL },
};

static const struct keyword *keyword_find(const char *s, size_t n)
{
	for (const struct keyword *k = keywords; k->name; k++)
		if (strlen(k->name) == n && strncmp(k->name, s, n) == 0)
			return k;
	return NULL;
}

static const char *const component_names[FS_TYPE_MAX + 1] = {
	[FS_TYPE_DST_PREFIX] = "destination",
	[FS_TYPE_SRC_PREFIX] = "source",
	[FS_TYPE_IP_PROTO] = "protocol",
	[FS_TYPE_PORT] = "port",
	[FS_TYPE_DST_PORT] = "destination-port",
	[FS_TYPE_SRC_PORT] = "source-port",
	[FS_TYPE_ICMP_TYPE] = "icmp-type",
	[FS_TYPE_ICMP_CODE] = "icmp-code",
	[FS_TYPE_TCP_FLAGS] = "tcp-flags",
	[FS_TYPE_PKT_LEN] = "packet-length",
	[FS_TYPE_DSCP] = "dscp",
	[FS_TYPE_FRAGMENT] = "fragment",
	[FS_TYPE_FLOW_LABEL] = "flow-label",
};

const char *fs_text_component(unsigned t)
{
	return t <= FS_TYPE_MAX ? component_names[t] : NULL;
}

/* The canonical keyword of a type in a family. */
static const struct keyword *keyword_of(enum fs_afi afi, enum fs_type type)
{
	const char *name = fs_text_component(type);
	/* IPv6 spellings, which also tell the family (RFC 8956 §3). */
	if (afi == FS_AFI_IPV6 && type == FS_TYPE_IP_PROTO)
		name = "next-header";
	else if (afi == FS_AFI_IPV6 && type == FS_TYPE_DSCP)
		name = "traffic-class";
	return keyword_find(name, strlen(name));
}

/* ---- lexer ---------------------------------------------------------- */

struct token {
	const char *p;
	size_t n;	/* 0 at the end of the input */
	size_t off;	/* offset in the parsed string */
};

struct parser {
	const char *s;
	size_t pos;
	struct fs_text_error *err;
	enum addr_family family;	/* ADDR_NONE until a component says */
	struct token df;		/* a fragment term with DF, if any */
	struct token nexthop;		/* where the next hop was given */
	unsigned actions;		/* enum action_kind bits seen */
	struct writer comps[FS_TYPE_MAX + 1];
	struct fs_rule *rule;
};

static bool is_special(char c)
{
	return c == '{' || c == '}' || c == '[' || c == ']' || c == ';';
}

static bool is_blank(char c)
{
	return c == ' ' || c == '\t' || c == '\n' || c == '\r';
}

static struct token lex(struct parser *ps)
{
	while (is_blank(ps->s[ps->pos]))
		ps->pos++;
	struct token t = { .p = ps->s + ps->pos, .off = ps->pos };
	if (ps->s[ps->pos] == '\0')
		return t;
	if (is_special(ps->s[ps->pos])) {
		t.n = 1;
	} else {
		while (ps->s[ps->pos + t.n] && !is_blank(ps->s[ps->pos + t.n]) &&
		       !is_special(ps->s[ps->pos + t.n]))
			t.n++;
	}
	ps->pos += t.n;
	return t;
}

static struct token peek(struct parser *ps)
{
	size_t pos = ps->pos;
	struct token t = lex(ps);
	ps->pos = pos;
	return t;
}

/* The last ':' in [p, p+n), or NULL. */
static const char *last_colon(const char *p, size_t n)
{
	while (n--)
		if (p[n] == ':')
			return p + n;
	return NULL;
}

static bool tok_is(struct token t, const char *s)
{
	return t.n == strlen(s) && strncmp(t.p, s, t.n) == 0;
}

__attribute__((format(printf, 3, 4))) static bool
fail(struct parser *ps, struct token t, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(ps->err->msg, sizeof ps->err->msg, fmt, ap);
	va_end(ap);
	ps->err->col = t.off + 1;
	return false;
}

/* "'word'" or "end of input", for messages. */
#define TOK_FMT "%s%.*s%s"
#define TOK_ARG(t) (t).n ? "'" : "", (int)((t).n > 40 ? 40 : (t).n), (t).p, \
		   (t).n ? "'" : "end of input"

static bool expect(struct parser *ps, const char *what)
{
	struct token t = lex(ps);
	if (tok_is(t, what))
		return true;
	return fail(ps, t, "expected '%s', found " TOK_FMT, what, TOK_ARG(t));
}

/* ---- values --------------------------------------------------------- */

/* Parses a decimal (leading zeros are decimal too, never octal) or
 * 0x-hex number filling all of [p, p+n). */
static bool parse_u64(const char *p, size_t n, uint64_t *v)
{
	char buf[24];
	int base = 10;
	if (n > 2 && p[0] == '0' && (p[1] == 'x' || p[1] == 'X')) {
		base = 16;
		p += 2;
		n -= 2;
	}
	if (n == 0 || n >= sizeof buf || !isxdigit((unsigned char)p[0]))
		return false;
	memcpy(buf, p, n);
	buf[n] = '\0';
	char *end;
	errno = 0;
	unsigned long long x = strtoull(buf, &end, base);
	if (errno || *end)
		return false;
	*v = x;
	return true;
}

static bool set_family(struct parser *ps, struct token t, enum addr_family f)
{
	if (ps->family != ADDR_NONE && ps->family != f)
		return fail(ps, t, "%s value in an %s rule",
			    f == ADDR_V4 ? "IPv4" : "IPv6",
			    ps->family == ADDR_V4 ? "IPv4" : "IPv6");
	ps->family = f;
	return true;
}

/* destination 10.0.0.0/8 | 2001:db8::/32 | 2001:db8::/64/8 (offset) */
static bool parse_prefix(struct parser *ps, const struct keyword *k,
			 struct writer *w)
{
	struct token t = lex(ps);
	const char *second = NULL, *first = memchr(t.p, '/', t.n);
	if (first)
		second = memchr(first + 1, '/', t.n - (size_t)(first + 1 - t.p));
	size_t plen = second ? (size_t)(second - t.p) : t.n;
	uint64_t offset = 0;
	struct prefix p;
	if (!prefix_parse(&p, t.p, plen)) {
		struct addr a;
		uint64_t len;
		size_t alen = first ? (size_t)(first - t.p) : t.n;
		if (first && addr_parse(&a, t.p, alen) &&
		    parse_u64(first + 1, plen - alen - 1, &len) &&
		    len <= addr_bits(a.family))
			return fail(ps, t, "bad prefix " TOK_FMT
				    ": address bits set past /%" PRIu64,
				    TOK_ARG(t), len);
		return fail(ps, t, "expected a prefix for %s, found " TOK_FMT,
			    k->name, TOK_ARG(t));
	}
	if (k->only != ADDR_NONE && p.addr.family != k->only)
		return fail(ps, t, "%s takes an %s prefix", k->name,
			    k->only == ADDR_V4 ? "IPv4" : "IPv6");
	if (second) {
		if (p.addr.family != ADDR_V6)
			return fail(ps, t, "a prefix offset is IPv6 only");
		if (!parse_u64(second + 1, t.n - plen - 1, &offset) ||
		    offset >= p.len)
			return fail(ps, t, "bad offset in " TOK_FMT
				    ": a number below the prefix length",
				    TOK_ARG(t));
	}
	/* RFC 8956 §3.1: the bits before the offset are not matched. */
	for (unsigned i = 0; i < offset; i++)
		p.addr.bytes[i / 8] &= (uint8_t)~(0x80 >> (i % 8));
	if (!set_family(ps, t, p.addr.family))
		return false;
	fs_put_prefix(w, p.addr.family == ADDR_V6 ? FS_AFI_IPV6 : FS_AFI_IPV4,
		      k->type, &p, (uint8_t)offset);
	return true;
}

/* One value: a number or a name of the keyword's table. */
static bool parse_value(struct parser *ps, struct token t, const char *p,
			size_t n, const struct keyword *k, uint64_t *v)
{
	const struct name_value *nv = k->names ? name_find(k->names, p, n)
					       : NULL;
	if (nv) {
		*v = nv->value;
		return true;
	}
	/* The IPv6-only flow label has its own limit; the DF bit that IPv6
	 * lacks is refused once the family is known (fs_text_parse). */
	uint64_t max = fs_type_limit(k->type == FS_TYPE_FLOW_LABEL
					     ? FS_AFI_IPV6 : FS_AFI_IPV4,
				     k->type);
	if (!parse_u64(p, n, v))
		return fail(ps, t, "bad value '%.*s' for %s", (int)n, p,
			    k->name);
	if (*v > max)
		return fail(ps, t, "value %" PRIu64 " too large for %s (max %"
			    PRIu64 ")", *v, k->name, max);
	return true;
}

/* Bitmask value: names joined with '+', or a number. */
static bool parse_bits(struct parser *ps, struct token t, const char *p,
		       size_t n, const struct keyword *k, uint64_t *v)
{
	*v = 0;
	while (n) {
		const char *plus = memchr(p, '+', n);
		size_t len = plus ? (size_t)(plus - p) : n;
		uint64_t part;
		if (!parse_value(ps, t, p, len, k, &part))
			return false;
		*v |= part;
		n -= plus ? len + 1 : len;
		p += plus ? len + 1 : len;
	}
	return true;
}

/* Numeric operator prefixes, longest first; bits per RFC 8955 §4.2.1.1. */
static const struct {
	const char *text;
	uint8_t bits;
} num_ops[] = {
	{ ">=", FS_OP_GT | FS_OP_EQ }, { "<=", FS_OP_LT | FS_OP_EQ },
	{ "!=", FS_OP_LT | FS_OP_GT }, { "==", FS_OP_EQ },
	{ "=", FS_OP_EQ }, { ">", FS_OP_GT }, { "<", FS_OP_LT },
};

/* One operator term: "=80", ">=10", "true", "!=syn", "syn". */
static bool parse_term(struct parser *ps, struct token t, const char *p,
		       size_t n, const struct keyword *k, enum fs_kind kind,
		       uint8_t *bits, uint64_t *v)
{
	if (kind == FS_KIND_NUMERIC) {
		if (n == 4 && strncmp(p, "true", 4) == 0) {
			*bits = FS_OP_LT | FS_OP_GT | FS_OP_EQ;
			*v = 0;
			return true;
		}
		if (n == 5 && strncmp(p, "false", 5) == 0) {
			*bits = 0;
			*v = 0;
			return true;
		}
		*bits = FS_OP_EQ;	/* a bare value means '=' */
		for (size_t i = 0; i < sizeof num_ops / sizeof num_ops[0]; i++) {
			size_t l = strlen(num_ops[i].text);
			if (n > l && strncmp(p, num_ops[i].text, l) == 0) {
				*bits = num_ops[i].bits;
				p += l;
				n -= l;
				break;
			}
		}
		return parse_value(ps, t, p, n, k, v);
	}
	/* RFC 8955 §4.2.1.2: '!' sets not, '=' sets match; bare: any bit. */
	*bits = 0;
	if (n > 1 && p[0] == '!') {
		*bits |= FS_OP_NOT;
		p++, n--;
	}
	if (n > 1 && p[0] == '=') {
		*bits |= FS_OP_MATCH;
		p++, n--;
	}
	return parse_bits(ps, t, p, n, k, v);
}

/* A list of words (OR), each a chain of terms joined with '&' (AND). */
static bool parse_ops(struct parser *ps, const struct keyword *k,
		      enum fs_kind kind, struct writer *w)
{
	bool list = tok_is(peek(ps), "[");
	size_t last = 0;
	unsigned words = 0;
	if (list)
		lex(ps);
	for (;;) {
		struct token t = peek(ps);
		if (t.n == 0 || tok_is(t, ";") || tok_is(t, "]") ||
		    tok_is(t, "}") || tok_is(t, "["))
			break;
		lex(ps);
		const char *p = t.p;
		size_t n = t.n;
		for (bool and = false; n; and = true) {
			const char *amp = memchr(p, '&', n);
			size_t len = amp ? (size_t)(amp - p) : n;
			uint8_t bits;
			uint64_t v;
			if (len == 0)
				return fail(ps, t, "empty term in " TOK_FMT,
					    TOK_ARG(t));
			if (!parse_term(ps, t, p, len, k, kind, &bits, &v))
				return false;
			if (k->type == FS_TYPE_FRAGMENT && (v & FS_FRAG_DF))
				ps->df = t;
			last = w->len;
			fs_put_op(w, and, false, bits, v);
			n -= amp ? len + 1 : len;
			p += amp ? len + 1 : len;
			if (amp && n == 0)
				return fail(ps, t, "'&' at the end of "
					    TOK_FMT, TOK_ARG(t));
		}
		words++;
		if (!list)
			break;
	}
	if (list && !expect(ps, "]"))
		return false;
	if (words == 0)
		return fail(ps, peek(ps), "expected a value for %s", k->name);
	if (!w->err)
		w->data[last] |= FS_OP_END;
	return true;
}

static bool parse_component(struct parser *ps, struct token name)
{
	const struct keyword *k = keyword_find(name.p, name.n);
	if (!k)
		return fail(ps, name, "unknown component " TOK_FMT,
			    TOK_ARG(name));
	if (k->only == ADDR_V6 && !set_family(ps, name, ADDR_V6))
		return false;
	struct writer *w = &ps->comps[k->type];
	if (w->len)
		return fail(ps, name, "%s given twice (use a list: %s [ a b ])",
			    k->name, k->name);
	enum fs_kind kind = FS_KIND_NUMERIC;
	fs_type_kind(FS_AFI_IPV6, k->type, &kind);
	if (kind == FS_KIND_PREFIX) {
		if (!parse_prefix(ps, k, w))
			return false;
	} else {
		put_u8(w, (uint8_t)k->type);
		if (!parse_ops(ps, k, kind, w))
			return false;
	}
	return expect(ps, ";");
}

static bool parse_match(struct parser *ps)
{
	if (!expect(ps, "match") || !expect(ps, "{"))
		return false;
	for (;;) {
		struct token t = lex(ps);
		if (tok_is(t, "}"))
			break;
		if (t.n == 0 || is_special(t.p[0]))
			return fail(ps, t, "expected a component or '}', found "
				    TOK_FMT, TOK_ARG(t));
		if (!parse_component(ps, t))
			return false;
	}
	return true;
}

/* ---- actions -------------------------------------------------------- */

static bool parse_addr_tok(struct parser *ps, struct token t, struct addr *a)
{
	if (addr_parse(a, t.p, t.n))
		return true;
	return fail(ps, t, "expected an IP address, found " TOK_FMT,
		    TOK_ARG(t));
}

static bool parse_rate(struct parser *ps, struct fs_action *a)
{
	struct token t = lex(ps);
	char buf[32];
	char *end;
	if (t.n == 0 || t.n >= sizeof buf)
		return fail(ps, t, "expected a rate, found " TOK_FMT,
			    TOK_ARG(t));
	memcpy(buf, t.p, t.n);
	buf[t.n] = '\0';
	double rate = strtod(buf, &end);
	if (*end || !isfinite(rate) || signbit(rate) || rate > 3.4e38)
		return fail(ps, t, "bad rate " TOK_FMT
			    ": a number of bytes (or packets) per second",
			    TOK_ARG(t));
	a->type = FS_ACT_RATE_BYTES;
	a->rate = (float)rate;
	if (rate > 0 && a->rate == 0)
		return fail(ps, t, "rate " TOK_FMT " is too small: it would be "
			    "sent as 0, which means discard", TOK_ARG(t));
	struct token unit = peek(ps);
	if (tok_is(unit, "packets") || tok_is(unit, "bytes")) {
		lex(ps);
		if (tok_is(unit, "packets"))
			a->type = FS_ACT_RATE_PACKETS;
	}
	return true;
}

/* Takes the address in t as the MP_REACH next hop; one per rule. */
static bool set_nexthop(struct parser *ps, struct token t)
{
	if (ps->nexthop.n)
		return fail(ps, t, "a second next hop: a rule has one");
	if (!addr_parse(&ps->rule->nexthop, t.p, t.n))
		return fail(ps, t, "expected an IP address, found " TOK_FMT,
			    TOK_ARG(t));
	ps->nexthop = t;
	return true;
}

/* redirect ASN:N | IPv4:N | IP (to that next hop, RFC 7674 / simpson). */
static bool parse_redirect(struct parser *ps, struct fs_action *a)
{
	struct token t = lex(ps);
	if (addr_parse(&a->ip, t.p, t.n)) {
		a->type = FS_ACT_REDIRECT_NH;
		return set_nexthop(ps, t);
	}
	const char *colon = last_colon(t.p, t.n);
	uint64_t asn, local;
	size_t hlen = colon ? (size_t)(colon - t.p) : 0;
	if (!colon || !parse_u64(colon + 1, t.n - hlen - 1, &local))
		return fail(ps, t, "expected ASN:N, IPv4:N or an IP address "
			    "after redirect, found " TOK_FMT, TOK_ARG(t));
	if (addr_parse(&a->ip, t.p, hlen) && a->ip.family == ADDR_V4) {
		a->type = FS_ACT_REDIRECT_IP4;
	} else if (parse_u64(t.p, hlen, &asn) && asn <= UINT32_MAX) {
		a->type = asn > 0xffff ? FS_ACT_REDIRECT_AS4
				       : FS_ACT_REDIRECT_AS2;
		a->asn = (uint32_t)asn;
	} else {
		return fail(ps, t, "bad redirect target " TOK_FMT, TOK_ARG(t));
	}
	uint64_t max = a->type == FS_ACT_REDIRECT_AS2 ? UINT32_MAX : 0xffff;
	if (local > max)
		return fail(ps, t, "redirect value %" PRIu64 " too large "
			    "(max %" PRIu64 " in this form)", local, max);
	a->local = (uint32_t)local;
	return true;
}

static bool parse_traffic_action(struct parser *ps, struct fs_action *a)
{
	struct token t = lex(ps);
	a->type = FS_ACT_TRAFFIC_ACTION;
	if (tok_is(t, "sample"))
		a->flags = FS_ACTION_SAMPLE;
	else if (tok_is(t, "terminal"))
		a->flags = FS_ACTION_TERMINAL;
	else if (tok_is(t, "sample-terminal"))
		a->flags = FS_ACTION_SAMPLE | FS_ACTION_TERMINAL;
	else
		return fail(ps, t, "expected sample, terminal or "
			    "sample-terminal, found " TOK_FMT, TOK_ARG(t));
	return true;
}

static bool parse_community(struct parser *ps, struct token t)
{
	const struct name_value *nv = name_find(communities, t.p, t.n);
	if (nv) {
		fs_rule_add_community(ps->rule, nv->value);
		return true;
	}
	const char *colon = memchr(t.p, ':', t.n);
	uint64_t hi, lo;
	size_t hlen = colon ? (size_t)(colon - t.p) : 0;
	if (!colon || !parse_u64(t.p, hlen, &hi) ||
	    !parse_u64(colon + 1, t.n - hlen - 1, &lo) || hi > 0xffff ||
	    lo > 0xffff)
		return fail(ps, t, "expected a community ASN:N (16 bits each) "
			    "or a well-known name, found " TOK_FMT, TOK_ARG(t));
	fs_rule_add_community(ps->rule, (uint32_t)(hi << 16 | lo));
	return true;
}

/* Actions of which a rule takes at most one (RFC 8955 §7 leaves the
 * outcome of two traffic-rates or two redirects to the router). */
enum action_kind {
	KIND_RATE_BYTES = 1 << 0,
	KIND_RATE_PACKETS = 1 << 1,
	KIND_TRAFFIC_ACTION = 1 << 2,
	KIND_REDIRECT = 1 << 3,
	KIND_MARK = 1 << 4,
	KIND_REDIRECT_IP = 1 << 5,
};

static unsigned action_kind(enum fs_action_type type)
{
	switch (type) {
	case FS_ACT_RATE_BYTES:
		return KIND_RATE_BYTES;
	case FS_ACT_RATE_PACKETS:
		return KIND_RATE_PACKETS;
	case FS_ACT_TRAFFIC_ACTION:
		return KIND_TRAFFIC_ACTION;
	case FS_ACT_REDIRECT_AS2:
	case FS_ACT_REDIRECT_IP4:
	case FS_ACT_REDIRECT_AS4:
		return KIND_REDIRECT;
	case FS_ACT_MARK:
		return KIND_MARK;
	case FS_ACT_REDIRECT_NH:
	case FS_ACT_REDIRECT_IP_IETF:
		return KIND_REDIRECT_IP;
	case FS_ACT_OTHER:
		break;
	}
	return 0;
}

static const char *action_kind_name(unsigned kind)
{
	switch (kind) {
	case KIND_RATE_BYTES:
		return "traffic-rate (discard, rate-limit)";
	case KIND_RATE_PACKETS:
		return "rate-limit in packets";
	case KIND_TRAFFIC_ACTION:
		return "traffic-action";
	case KIND_REDIRECT:
		return "redirect";
	case KIND_MARK:
		return "mark";
	default:
		return "redirect-to-IP";
	}
}

/* Adds a to the rule, refusing a second action of a kind that takes one; a
 * raw extended community counts as the action it decodes to, since it
 * prints as that action. */
static bool add_action(struct parser *ps, struct token t,
		       const struct fs_action *a)
{
	struct fs_action decoded = *a;
	if (a->type == FS_ACT_OTHER)
		fs_action_decode(&decoded, a->raw, a->raw_len);
	unsigned kind = action_kind(decoded.type);
	if (ps->actions & kind)
		return fail(ps, t, "a second %s action: a rule takes one",
			    action_kind_name(kind));
	ps->actions |= kind;
	fs_rule_add_action(ps->rule, a);
	return true;
}

/* 0x + 16 (RFC 4360) or 40 (RFC 5701) hex digits, or target:ASN:N. */
static bool parse_ext_community(struct parser *ps, struct token t)
{
	struct fs_action a = { .type = FS_ACT_OTHER };
	uint64_t v;
	if (t.n == 18 && parse_u64(t.p, t.n, &v) && t.p[1] == 'x') {
		struct writer w = writer_init(0);
		put_u64(&w, v);
		if (!w.err)
			memcpy(a.raw, w.data, EXT_COMMUNITY_LEN);
		writer_free(&w);
		a.raw_len = EXT_COMMUNITY_LEN;
		return add_action(ps, t, &a);
	}
	if (t.n == 42 && t.p[0] == '0' && t.p[1] == 'x') {
		for (unsigned i = 0; i < EXT6_COMMUNITY_LEN; i++) {
			char byte[5] = { '0', 'x', t.p[2 + 2 * i],
					 t.p[3 + 2 * i], 0 };
			if (!parse_u64(byte, 4, &v))
				goto bad;
			a.raw[i] = (uint8_t)v;
		}
		a.raw_len = EXT6_COMMUNITY_LEN;
		return add_action(ps, t, &a);
	}
	const char *colon = last_colon(t.p, t.n);
	uint64_t asn, local;
	if (t.n > 7 && strncmp(t.p, "target:", 7) == 0 && colon > t.p + 7 &&
	    parse_u64(t.p + 7, (size_t)(colon - t.p - 7), &asn) &&
	    parse_u64(colon + 1, (size_t)(t.p + t.n - colon - 1), &local) &&
	    asn <= 0xffff && local <= UINT32_MAX) {
		uint8_t raw[EXT_COMMUNITY_LEN] = {
			EXT_RT_AS2 >> 8, EXT_RT_AS2 & 0xff,
			(uint8_t)(asn >> 8), (uint8_t)asn,
			(uint8_t)(local >> 24), (uint8_t)(local >> 16),
			(uint8_t)(local >> 8), (uint8_t)local,
		};
		memcpy(a.raw, raw, sizeof raw);
		a.raw_len = EXT_COMMUNITY_LEN;
		return add_action(ps, t, &a);
	}
bad:
	return fail(ps, t, "expected an extended community (0x and 16 or 40 "
		    "hex digits, or target:ASN:N), found " TOK_FMT, TOK_ARG(t));
}

/* "name X;" or "name [ X Y ];" for community lists. */
static bool parse_list(struct parser *ps,
		       bool (*item)(struct parser *, struct token))
{
	bool list = tok_is(peek(ps), "[");
	unsigned n = 0;
	if (list)
		lex(ps);
	for (;;) {
		struct token t = peek(ps);
		if (t.n == 0 || is_special(t.p[0]))
			break;
		lex(ps);
		if (!item(ps, t))
			return false;
		n++;
		if (!list)
			break;
	}
	if (list && !expect(ps, "]"))
		return false;
	if (n == 0)
		return fail(ps, peek(ps), "expected a value in the list");
	return true;
}

static bool parse_action(struct parser *ps, struct token t)
{
	struct fs_action a = { 0 };
	if (tok_is(t, "accept"))
		return true;
	if (tok_is(t, "discard")) {
		a.type = FS_ACT_RATE_BYTES;	/* RFC 8955 §7.1: rate 0 */
	} else if (tok_is(t, "rate-limit")) {
		if (!parse_rate(ps, &a))
			return false;
	} else if (tok_is(t, "redirect")) {
		if (!parse_redirect(ps, &a))
			return false;
	} else if (tok_is(t, "copy")) {
		if (!set_nexthop(ps, lex(ps)))
			return false;
		a.type = FS_ACT_REDIRECT_NH;
		a.copy = true;
	} else if (tok_is(t, "redirect-to-nexthop")) {
		a.type = FS_ACT_REDIRECT_NH;
	} else if (tok_is(t, "redirect-to-nexthop-ietf") ||
		   tok_is(t, "copy-to-nexthop-ietf")) {
		struct token ip = lex(ps);
		if (!parse_addr_tok(ps, ip, &a.ip))
			return false;
		a.type = FS_ACT_REDIRECT_IP_IETF;
		a.copy = t.p[0] == 'c';
	} else if (tok_is(t, "next-hop")) {
		return set_nexthop(ps, lex(ps));
	} else if (tok_is(t, "mark")) {
		struct token v = lex(ps);
		uint64_t dscp;
		if (!parse_u64(v.p, v.n, &dscp) || dscp > FS_MARK_DSCP_MASK)
			return fail(ps, v, "expected a DSCP value 0-63, found "
				    TOK_FMT, TOK_ARG(v));
		a.type = FS_ACT_MARK;
		a.dscp = (uint8_t)dscp;
	} else if (tok_is(t, "action")) {
		if (!parse_traffic_action(ps, &a))
			return false;
	} else if (tok_is(t, "community")) {
		return parse_list(ps, parse_community);
	} else if (tok_is(t, "extended-community")) {
		return parse_list(ps, parse_ext_community);
	} else {
		return fail(ps, t, "unknown action " TOK_FMT, TOK_ARG(t));
	}
	return add_action(ps, t, &a);
}

static bool parse_then(struct parser *ps)
{
	if (!expect(ps, "{"))
		return false;
	for (;;) {
		struct token t = lex(ps);
		if (tok_is(t, "}"))
			return true;
		if (t.n == 0 || is_special(t.p[0]))
			return fail(ps, t, "expected an action or '}', found "
				    TOK_FMT, TOK_ARG(t));
		if (!parse_action(ps, t) || !expect(ps, ";"))
			return false;
	}
}

/* ---- parse entry ---------------------------------------------------- */

static bool parse_rule(struct parser *ps)
{
	if (!expect(ps, "flow") || !expect(ps, "route"))
		return false;
	/* "flow route ipv6 { … }" names the family of a rule whose components
	 * do not (a port-only IPv6 rule). */
	struct token fam = peek(ps);
	if (tok_is(fam, "ipv4") || tok_is(fam, "ipv6")) {
		lex(ps);
		if (!set_family(ps, fam, fam.p[3] == '6' ? ADDR_V6 : ADDR_V4))
			return false;
	}
	if (!expect(ps, "{") || !parse_match(ps))
		return false;
	struct token t = lex(ps);
	if (tok_is(t, "then")) {
		if (!parse_then(ps))
			return false;
		t = lex(ps);
	}
	if (!tok_is(t, "}"))
		return fail(ps, t, "expected 'then' or '}', found " TOK_FMT,
			    TOK_ARG(t));
	return true;
}

bool fs_text_parse(struct fs_rule *rule, const char *s, size_t *end,
		   struct fs_text_error *err)
{
	struct fs_text_error scratch;
	struct parser ps = { .s = s, .err = err ? err : &scratch, .rule = rule };
	fs_rule_init(rule, FS_AFI_IPV4);
	for (unsigned i = 0; i <= FS_TYPE_MAX; i++)
		ps.comps[i] = writer_init(FS_NLRI_MAX);
	bool ok = parse_rule(&ps);
	/* RFC 8956 §3.6: the IPv6 fragment component has no DF bit. */
	if (ok && ps.family == ADDR_V6 && ps.df.n)
		ok = fail(&ps, ps.df, "dont-fragment is IPv4 only");
	/* RFC 4760: the MP_REACH next hop is of the rule's family. */
	if (ok && ps.nexthop.n &&
	    rule->nexthop.family != (ps.family == ADDR_V6 ? ADDR_V6 : ADDR_V4))
		ok = fail(&ps, ps.nexthop, "the next hop must be of the "
			  "rule's address family");
	if (ok) {
		rule->afi = ps.family == ADDR_V6 ? FS_AFI_IPV6 : FS_AFI_IPV4;
		for (unsigned i = 0; i <= FS_TYPE_MAX; i++) {
			put_bytes(&rule->match, ps.comps[i].data,
				  ps.comps[i].len);
			rule->match.err |= ps.comps[i].err;
		}
		fs_rule_normalize(rule);
		size_t off;
		enum fs_reason why = fs_validate(rule->afi, rule->match.data,
						 rule->match.len, &off);
		struct token whole = { .off = 0 };
		if (!fs_rule_ok(rule))
			ok = fail(&ps, whole, "rule too long: the match must "
				  "fit in %d octets", FS_NLRI_MAX);
		else if (why != FS_OK)
			ok = fail(&ps, whole, "%s", why == FS_ERR_EMPTY
				  ? "a rule needs at least one match component"
				  : fs_reason_str(why));
	}
	for (unsigned i = 0; i <= FS_TYPE_MAX; i++)
		writer_free(&ps.comps[i]);
	if (!ok) {
		fs_rule_clear(rule);
		return false;
	}
	if (end)
		*end = ps.pos;
	return true;
}

/* ---- print ---------------------------------------------------------- */

static void format_prefix(struct writer *w, const struct fs_component *c)
{
	char buf[ADDR_STRLEN];
	put_str(w, prefix_format(&c->prefix, buf));
	if (c->offset)
		put_fmt(w, "/%u", c->offset);
}

static void format_bits(struct writer *w, const struct keyword *k,
			uint64_t v)
{
	const char *name = name_of(k->names, v);
	if (name) {
		put_str(w, name);
		return;
	}
	/* Every set bit has a name: join them, else print the number. */
	uint64_t named = 0;
	for (const struct name_value *nv = k->names; nv->name; nv++)
		if (nv->value && (v & nv->value) == nv->value)
			named |= nv->value;
	if (named != v || v == 0) {
		put_fmt(w, "%" PRIu64, v);
		return;
	}
	bool first = true;
	for (unsigned bit = 0; bit < 64; bit++) {
		uint64_t b = (uint64_t)1 << bit;
		if (!(v & b))
			continue;
		put_fmt(w, "%s%s", first ? "" : "+", name_of(k->names, b));
		first = false;
	}
}

static void format_op(struct writer *w, const struct keyword *k,
		      enum fs_kind kind, const struct fs_op *op)
{
	static const char *const num[8] = { "false", "=", ">", ">=",
					    "<", "<=", "!=", "true" };
	if (op->and)
		put_u8(w, '&');
	if (kind == FS_KIND_BITMASK) {
		if (op->bits & FS_OP_NOT)
			put_u8(w, '!');
		if (op->bits & FS_OP_MATCH)
			put_u8(w, '=');
		format_bits(w, k, op->value);
		return;
	}
	put_str(w, num[op->bits & 7]);
	if (op->bits == 0 || op->bits == 7)
		return;
	const char *name = k->names ? name_of(k->names, op->value) : NULL;
	if (name)
		put_str(w, name);
	else
		put_fmt(w, "%" PRIu64, op->value);
}

static void format_ops(struct writer *w, const struct keyword *k,
		       const struct fs_component *c)
{
	struct reader ops = c->ops;
	struct fs_op op;
	unsigned words = 0;
	while (fs_op_next(&ops, c, &op))
		words += !op.and;
	bool list = words > 1;
	if (list)
		put_str(w, "[ ");
	ops = c->ops;
	bool first = true;
	while (fs_op_next(&ops, c, &op)) {
		if (!op.and && !first)
			put_u8(w, ' ');
		format_op(w, k, c->kind, &op);
		first = false;
	}
	if (list)
		put_str(w, " ]");
}

static void format_match(struct writer *w, const struct fs_rule *rule)
{
	struct fs_iter it;
	struct fs_component c;
	put_str(w, "match { ");
	fs_iter_init(&it, rule->afi, rule->match.data, rule->match.len);
	while (fs_iter_next(&it, &c)) {
		const struct keyword *k = keyword_of(rule->afi, c.type);
		put_str(w, k->name);
		put_u8(w, ' ');
		if (c.kind == FS_KIND_PREFIX)
			format_prefix(w, &c);
		else
			format_ops(w, k, &c);
		put_str(w, "; ");
	}
	put_u8(w, '}');
}

static void format_rate(struct writer *w, float rate)
{
	if (rate == floorf(rate) && rate < 1e15f)
		put_fmt(w, "%.0f", (double)rate);
	else
		put_fmt(w, "%.9g", (double)rate);
}

static void format_raw(struct writer *w, const struct fs_action *a)
{
	struct reader r = reader_init(a->raw, a->raw_len);
	if (a->raw_len == EXT_COMMUNITY_LEN && get_u16(&r) == EXT_RT_AS2) {
		uint16_t asn = get_u16(&r);
		put_fmt(w, "target:%u:%" PRIu32, asn, get_u32(&r));
		return;
	}
	put_str(w, "0x");
	for (unsigned i = 0; i < a->raw_len; i++)
		put_fmt(w, "%02x", a->raw[i]);
}

/* True when the statement for a parses back to exactly its octets: no
 * reserved bits, no informational rate AS, a rate the parser takes, a
 * 4-octet AS redirect whose AS needs four octets. */
static bool statement_exact(const struct fs_action *a)
{
	struct writer w = writer_init(0);
	unsigned n = fs_action_put(&w, a);
	bool same = !w.err && n == a->raw_len &&
		    memcmp(w.data, a->raw, n) == 0;
	writer_free(&w);
	if (!same)
		return false;
	switch (a->type) {
	case FS_ACT_RATE_BYTES:
	case FS_ACT_RATE_PACKETS:
		return a->rate_as == 0 && !signbit(a->rate) &&
		       isfinite(a->rate);
	case FS_ACT_REDIRECT_AS4:
		return a->asn > 0xffff;
	default:
		return true;
	}
}

/* Prints one action statement; false when it is only raw material for
 * the extended-community list. */
static bool format_action(struct writer *w, const struct fs_rule *rule,
			  const struct fs_action *a)
{
	char ip[ADDR_STRLEN];
	if (!statement_exact(a))
		return false;
	switch (a->type) {
	case FS_ACT_RATE_BYTES:
		if (a->rate == 0) {
			put_str(w, "discard; ");
			return true;
		}
		put_str(w, "rate-limit ");
		format_rate(w, a->rate);
		put_str(w, "; ");
		return true;
	case FS_ACT_RATE_PACKETS:
		put_str(w, "rate-limit ");
		format_rate(w, a->rate);
		put_str(w, " packets; ");
		return true;
	case FS_ACT_TRAFFIC_ACTION: {
		static const char *const names[4] = {
			NULL, "terminal", "sample", "sample-terminal"
		};
		if (a->flags == 0 || a->flags > 3)
			return false;
		put_fmt(w, "action %s; ", names[a->flags]);
		return true;
	}
	case FS_ACT_REDIRECT_AS2:
	case FS_ACT_REDIRECT_AS4:
		put_fmt(w, "redirect %" PRIu32 ":%" PRIu32 "; ", a->asn,
			a->local);
		return true;
	case FS_ACT_REDIRECT_IP4:
		put_fmt(w, "redirect %s:%" PRIu32 "; ", addr_format(&a->ip, ip),
			a->local);
		return true;
	case FS_ACT_MARK:
		put_fmt(w, "mark %u; ", a->dscp);
		return true;
	case FS_ACT_REDIRECT_NH:
		if (rule->nexthop.family == ADDR_NONE) {
			if (a->copy)
				return false;
			put_str(w, "redirect-to-nexthop; ");
			return true;
		}
		put_fmt(w, "%s %s; ", a->copy ? "copy" : "redirect",
			addr_format(&rule->nexthop, ip));
		return true;
	case FS_ACT_REDIRECT_IP_IETF:
		put_fmt(w, "%s-to-nexthop-ietf %s; ",
			a->copy ? "copy" : "redirect", addr_format(&a->ip, ip));
		return true;
	case FS_ACT_OTHER:
		break;
	}
	return false;
}

/* Prints the action statements of one attribute value's communities;
 * sets *nh_used when one of them uses the next hop. */
static void format_actions(struct writer *w, const struct fs_rule *rule,
			   const struct writer *attr, unsigned size,
			   bool *nh_used)
{
	for (size_t off = 0; off + size <= attr->len; off += size) {
		struct fs_action a;
		fs_action_decode(&a, attr->data + off, size);
		if (format_action(w, rule, &a) && a.type == FS_ACT_REDIRECT_NH)
			*nh_used = true;
	}
}

/* Prints the communities that are no action statement as raw entries of
 * the extended-community list; *n counts the entries printed so far. */
static void format_raw_list(struct writer *w, const struct fs_rule *rule,
			    const struct writer *attr, unsigned size,
			    unsigned *n)
{
	for (size_t off = 0; off + size <= attr->len; off += size) {
		struct fs_action a;
		struct writer scratch = writer_init(0);
		fs_action_decode(&a, attr->data + off, size);
		bool statement = format_action(&scratch, rule, &a);
		writer_free(&scratch);
		if (statement)
			continue;
		put_str(w, (*n)++ ? " " : "extended-community [ ");
		format_raw(w, &a);
	}
}

static void format_then(struct writer *w, const struct fs_rule *rule)
{
	char ip[ADDR_STRLEN];
	bool nh_used = false;
	unsigned raw = 0;
	put_str(w, "then { ");
	size_t body = w->len;
	format_actions(w, rule, &rule->ext, EXT_COMMUNITY_LEN, &nh_used);
	format_actions(w, rule, &rule->ext6, EXT6_COMMUNITY_LEN, &nh_used);
	if (rule->nexthop.family != ADDR_NONE && !nh_used)
		put_fmt(w, "next-hop %s; ", addr_format(&rule->nexthop, ip));
	if (rule->comm.len >= 4) {
		put_str(w, "community [ ");
		struct reader r = reader_init(rule->comm.data, rule->comm.len);
		while (remaining(&r) >= 4) {
			uint32_t c = get_u32(&r);
			const char *name = name_of(communities, c);
			if (name)
				put_fmt(w, "%s ", name);
			else
				put_fmt(w, "%u:%u ", c >> 16, c & 0xffff);
		}
		put_str(w, "]; ");
	}
	format_raw_list(w, rule, &rule->ext, EXT_COMMUNITY_LEN, &raw);
	format_raw_list(w, rule, &rule->ext6, EXT6_COMMUNITY_LEN, &raw);
	if (raw)
		put_str(w, " ]; ");
	if (w->len == body)
		put_str(w, "accept; ");
	put_u8(w, '}');
}

/* True when the printed match shows the family by itself: an address, or
 * a component that only IPv6 has or spells its own way. */
static bool match_shows_family(const struct fs_rule *rule)
{
	struct fs_iter it;
	struct fs_component c;
	if (rule->afi == FS_AFI_IPV4)
		return true;
	fs_iter_init(&it, rule->afi, rule->match.data, rule->match.len);
	while (fs_iter_next(&it, &c))
		if (c.kind == FS_KIND_PREFIX || c.type == FS_TYPE_IP_PROTO ||
		    c.type == FS_TYPE_DSCP || c.type == FS_TYPE_FLOW_LABEL)
			return true;
	return false;
}

static void format_head(struct writer *w, const struct fs_rule *rule)
{
	put_str(w, match_shows_family(rule) ? "flow route { "
					    : "flow route ipv6 { ");
	format_match(w, rule);
}

void fs_text_format(struct writer *w, const struct fs_rule *rule)
{
	format_head(w, rule);
	put_u8(w, ' ');
	format_then(w, rule);
	put_str(w, " }");
}

void fs_text_format_withdraw(struct writer *w, const struct fs_rule *rule)
{
	format_head(w, rule);
	put_str(w, " }");
}

char *fs_text_string(const struct fs_rule *rule)
{
	struct writer w = writer_init(0);
	fs_text_format(&w, rule);
	put_u8(&w, '\0');
	if (w.err) {
		writer_free(&w);
		return NULL;
	}
	return (char *)w.data;
}
