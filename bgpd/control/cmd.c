/* The control command parser and printer: see cmd.h. */
#include "bgpd/control/cmd.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "nlri/text.h"

#define DEFAULT_FLUSH_ORIGIN "api"
#define WORD_SHOWN_MAX 40	/* longest word quoted back in a message */

struct parser {
	const char *s;		/* NUL-terminated copy of the line */
	size_t len;
	size_t pos;
	struct ctl_cmd *cmd;
	struct ctl_error *err;
};

/* A word: a run of characters other than blanks and ','. */
struct word {
	size_t pos;
	size_t len;
};

__attribute__((format(printf, 3, 4))) static bool
fail(struct parser *p, size_t pos, const char *fmt, ...)
{
	p->err->col = pos + 1;
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(p->err->msg, sizeof p->err->msg, fmt, ap);
	va_end(ap);
	return false;
}

static bool is_blank(char c)
{
	return c == ' ' || c == '\t';
}

static void skip_blanks(struct parser *p)
{
	while (p->pos < p->len && is_blank(p->s[p->pos]))
		p->pos++;
}

static bool at_end(struct parser *p)
{
	skip_blanks(p);
	return p->pos >= p->len;
}

/* The next word (empty at the end or at a ','), not consumed. */
static struct word peek_word(struct parser *p)
{
	skip_blanks(p);
	struct word w = { p->pos, 0 };
	while (w.pos + w.len < p->len && !is_blank(p->s[w.pos + w.len]) &&
	       p->s[w.pos + w.len] != ',')
		w.len++;
	return w;
}

static struct word next_word(struct parser *p)
{
	struct word w = peek_word(p);
	p->pos = w.pos + w.len;
	return w;
}

static bool word_is(struct parser *p, struct word w, const char *text)
{
	return w.len == strlen(text) && memcmp(p->s + w.pos, text, w.len) == 0;
}

/* Consumes the next word when it is text. */
static bool accept(struct parser *p, const char *text)
{
	struct word w = peek_word(p);
	if (!word_is(p, w, text))
		return false;
	p->pos = w.pos + w.len;
	return true;
}

/* Fails at w: "what, not 'word'" (or "what" at the end of the line). */
static bool unexpected(struct parser *p, struct word w, const char *what)
{
	if (w.len == 0 && w.pos >= p->len)
		return fail(p, w.pos, "%s at the end of the command", what);
	if (w.len == 0)
		return fail(p, w.pos, "%s, not '%c'", what, p->s[w.pos]);
	int n = w.len > WORD_SHOWN_MAX ? WORD_SHOWN_MAX : (int)w.len;
	return fail(p, w.pos, "%s, not '%.*s%s'", what, n, p->s + w.pos,
		    w.len > WORD_SHOWN_MAX ? "…" : "");
}

static bool parse_addr(struct parser *p, struct addr *a, const char *what)
{
	struct word w = next_word(p);
	if (w.len == 0 || !addr_parse(a, p->s + w.pos, w.len))
		return unexpected(p, w, what);
	return true;
}

/* Commands take nothing past their last argument. */
static bool expect_end(struct parser *p)
{
	if (at_end(p))
		return true;
	return unexpected(p, peek_word(p), "expected the end of the command");
}

/* ---- announce / withdraw -------------------------------------------- */

static bool add_target(struct parser *p, size_t pos, const struct addr *a)
{
	struct ctl_cmd *cmd = p->cmd;
	for (unsigned i = 0; i < cmd->ntargets; i++)
		if (addr_equal(&cmd->targets[i], a))
			return fail(p, pos, "neighbor listed twice");
	if (cmd->ntargets == CTL_TARGETS_MAX)
		return fail(p, pos, "more than %d neighbors", CTL_TARGETS_MAX);
	cmd->targets[cmd->ntargets++] = *a;
	return true;
}

/* "neighbor A [, [neighbor] B]…", the first "neighbor" already read. */
static bool parse_targets(struct parser *p)
{
	for (;;) {
		skip_blanks(p);
		size_t pos = p->pos;
		struct addr a;
		if (!parse_addr(p, &a, "expected a neighbor address") ||
		    !add_target(p, pos, &a))
			return false;
		skip_blanks(p);
		if (p->pos >= p->len || p->s[p->pos] != ',')
			return true;
		p->pos++;
		accept(p, "neighbor");	/* ExaBGP: "neighbor A , neighbor B" */
	}
}

static bool utf8_valid(const unsigned char *s, size_t n)
{
	for (size_t i = 0; i < n;) {
		unsigned char c = s[i];
		size_t more;
		uint32_t cp;
		if (c < 0x80) {
			i++;
			continue;
		} else if ((c & 0xe0) == 0xc0) {
			more = 1;
			cp = c & 0x1f;
		} else if ((c & 0xf0) == 0xe0) {
			more = 2;
			cp = c & 0x0f;
		} else if ((c & 0xf8) == 0xf0) {
			more = 3;
			cp = c & 0x07;
		} else {
			return false;
		}
		if (i + more >= n)
			return false;
		for (size_t k = 1; k <= more; k++) {
			if ((s[i + k] & 0xc0) != 0x80)
				return false;
			cp = cp << 6 | (s[i + k] & 0x3f);
		}
		static const uint32_t min[] = { 0, 0x80, 0x800, 0x10000 };
		if (cp < min[more] || cp > 0x10ffff ||
		    (cp >= 0xd800 && cp <= 0xdfff))
			return false;
		i += more + 1;
	}
	return true;
}

/* A double-quoted comment at p->pos into cmd->comment. */
static bool parse_comment(struct parser *p)
{
	skip_blanks(p);
	size_t start = p->pos;
	if (p->pos >= p->len || p->s[p->pos] != '"')
		return unexpected(p, peek_word(p),
				  "expected a double-quoted comment");
	size_t n = 0;
	char *out = p->cmd->comment;
	for (p->pos++;; p->pos++) {
		if (p->pos >= p->len)
			return fail(p, start, "comment without its closing '\"'");
		char c = p->s[p->pos];
		if (c == '"')
			break;
		if (c == '\\') {
			char e = p->pos + 1 < p->len ? p->s[p->pos + 1] : '\0';
			if (e != '"' && e != '\\')
				return fail(p, p->pos, "in a comment only \\\" "
					    "and \\\\ are escapes");
			c = e;
			p->pos++;
		}
		if (n == CTL_COMMENT_MAX)
			return fail(p, start, "comment longer than %d octets",
				    CTL_COMMENT_MAX);
		out[n++] = c;
	}
	p->pos++;	/* the closing quote */
	out[n] = '\0';
	if (!utf8_valid((const unsigned char *)out, n))
		return fail(p, start, "comment is not valid UTF-8");
	if (p->pos < p->len && !is_blank(p->s[p->pos]))
		return fail(p, p->pos, "expected a blank after the comment");
	p->cmd->has_comment = true;
	return true;
}

static bool parse_ttl(struct parser *p)
{
	struct word w = next_word(p);
	uint64_t v = 0;
	bool ok = w.len > 0 && w.len <= 10;
	for (size_t i = 0; ok && i < w.len; i++) {
		char c = p->s[w.pos + i];
		ok = c >= '0' && c <= '9';
		v = v * 10 + (uint64_t)(c - '0');
	}
	if (!ok || v < 1 || v > UINT32_MAX)
		return unexpected(p, w, "expected a ttl in seconds "
				  "(1..4294967295)");
	p->cmd->ttl_s = (uint32_t)v;
	return true;
}

static bool parse_rule_command(struct parser *p, bool announce)
{
	struct ctl_cmd *cmd = p->cmd;
	cmd->verb = announce ? CTL_ANNOUNCE : CTL_WITHDRAW;
	struct word w = peek_word(p);
	if (!word_is(p, w, "flow"))
		return unexpected(p, w, "expected 'flow route { … }' (only "
				  "Flowspec rules are supported)");
	struct fs_text_error terr = { 0 };
	size_t end = 0;
	if (!fs_text_parse(&cmd->rule, p->s + w.pos, &end, &terr))
		return fail(p, w.pos + terr.col - 1, "%s", terr.msg);
	p->pos = w.pos + end;
	bool ok = true, has_ttl = false;
	while (ok && !at_end(p)) {
		struct word opt = next_word(p);
		if (!announce) {
			ok = unexpected(p, opt, "expected the end of the "
					"command (a withdraw takes no options)");
		} else if (word_is(p, opt, "ttl") && !has_ttl) {
			ok = has_ttl = parse_ttl(p);
		} else if (word_is(p, opt, "comment") && !cmd->has_comment) {
			ok = parse_comment(p);
		} else if (word_is(p, opt, "ttl") ||
			   word_is(p, opt, "comment")) {
			ok = fail(p, opt.pos, "%.*s given twice", (int)opt.len,
				  p->s + opt.pos);
		} else {
			ok = unexpected(p, opt, "expected 'ttl SECONDS' or "
					"'comment \"…\"' after the rule");
		}
	}
	if (!ok)
		fs_rule_clear(&cmd->rule);
	return ok;
}

/* ---- show / clear / flush ------------------------------------------- */

struct show_noun {
	const char *name;
	enum ctl_verb verb;
	int addr;		/* 0: none, 1: optional, 2: required */
};

static const struct show_noun show_nouns[] = {
	{ "neighbor", CTL_SHOW_NEIGHBOR, 1 },
	{ "flow", CTL_SHOW_FLOW, 0 },
	{ "received", CTL_SHOW_RECEIVED, 2 },
	{ "adj-rib-out", CTL_SHOW_ADJ_RIB_OUT, 2 },
	{ "collector", CTL_SHOW_COLLECTOR, 0 },
	{ "mitigations", CTL_SHOW_MITIGATIONS, 0 },
};
#define N_SHOW_NOUNS (sizeof show_nouns / sizeof show_nouns[0])

static bool parse_show(struct parser *p)
{
	struct ctl_cmd *cmd = p->cmd;
	struct word w = next_word(p);
	const struct show_noun *noun = NULL;
	for (size_t i = 0; i < N_SHOW_NOUNS && !noun; i++)
		if (word_is(p, w, show_nouns[i].name))
			noun = &show_nouns[i];
	if (!noun)
		return unexpected(p, w, "expected neighbor, flow, received, "
				  "adj-rib-out, collector or mitigations");
	cmd->verb = noun->verb;
	while (!at_end(p)) {
		struct word arg = peek_word(p);
		struct addr a;
		if (word_is(p, arg, "--json") || word_is(p, arg, "json")) {
			cmd->json = true;
		} else if (noun->addr && cmd->peer.family == ADDR_NONE &&
			   arg.len && addr_parse(&a, p->s + arg.pos, arg.len)) {
			cmd->peer = a;
		} else {
			return unexpected(p, arg, noun->addr &&
					  cmd->peer.family == ADDR_NONE
					  ? "expected a neighbor address or "
					    "--json" : "expected --json");
		}
		p->pos = arg.pos + arg.len;
	}
	if (noun->addr == 2 && cmd->peer.family == ADDR_NONE)
		return fail(p, p->len, "expected a neighbor address at the "
			    "end of the command");
	return true;
}

static bool parse_clear(struct parser *p)
{
	struct ctl_cmd *cmd = p->cmd;
	cmd->verb = CTL_CLEAR_NEIGHBOR;
	if (!accept(p, "neighbor"))
		return unexpected(p, peek_word(p), "expected 'neighbor'");
	if (!parse_addr(p, &cmd->peer, "expected a neighbor address"))
		return false;
	cmd->soft = accept(p, "soft");
	return expect_end(p);
}

static bool origin_char(char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
	       (c >= '0' && c <= '9') || c == ':' || c == '-' || c == '_' ||
	       c == '.';
}

static bool parse_flush(struct parser *p)
{
	struct ctl_cmd *cmd = p->cmd;
	cmd->verb = CTL_FLUSH;
	if (at_end(p))
		return true;	/* the default origin, set by ctl_parse */
	struct word w = next_word(p);
	bool ok = w.len > 0 && w.len <= CTL_ORIGIN_MAX;
	for (size_t i = 0; ok && i < w.len; i++)
		ok = origin_char(p->s[w.pos + i]);
	if (!ok)
		return unexpected(p, w, "expected an origin (static, api, "
				  "policy:NAME)");
	memcpy(cmd->origin, p->s + w.pos, w.len);
	cmd->origin[w.len] = '\0';
	return expect_end(p);
}

/* ---- the line ------------------------------------------------------- */

static bool parse_line(struct parser *p)
{
	struct ctl_cmd *cmd = p->cmd;
	if (at_end(p))
		return fail(p, p->pos, "empty command");
	struct word w = next_word(p);
	if (word_is(p, w, "neighbor")) {
		if (!parse_targets(p))
			return false;
		struct word verb = next_word(p);
		if (word_is(p, verb, "announce"))
			return parse_rule_command(p, true);
		if (word_is(p, verb, "withdraw"))
			return parse_rule_command(p, false);
		return unexpected(p, verb, "expected ',', 'announce' or "
				  "'withdraw' after the neighbor");
	}
	if (word_is(p, w, "announce"))
		return parse_rule_command(p, true);
	if (word_is(p, w, "withdraw"))
		return parse_rule_command(p, false);
	if (word_is(p, w, "show"))
		return parse_show(p);
	if (word_is(p, w, "clear"))
		return parse_clear(p);
	if (word_is(p, w, "flush"))
		return parse_flush(p);
	if (word_is(p, w, "reload")) {
		cmd->verb = CTL_RELOAD;
		return expect_end(p);
	}
	if (word_is(p, w, "help")) {
		cmd->verb = CTL_HELP;
		return expect_end(p);
	}
	return unexpected(p, w, "unknown command (announce, withdraw, "
			  "neighbor, show, clear, flush, reload, help)");
}

bool ctl_parse(struct ctl_cmd *cmd, const char *line, size_t len,
	       struct ctl_error *err)
{
	memset(cmd, 0, sizeof *cmd);
	fs_rule_init(&cmd->rule, FS_AFI_IPV4);
	snprintf(cmd->origin, sizeof cmd->origin, "%s", DEFAULT_FLUSH_ORIGIN);
	struct ctl_error scratch;
	if (!err)
		err = &scratch;
	memset(err, 0, sizeof *err);

	while (len > 0 && (line[len - 1] == '\r' || line[len - 1] == '\n'))
		len--;
	struct parser p = { .len = len, .cmd = cmd, .err = err };
	if (len > CTL_LINE_MAX) {
		fail(&p, 0, "command longer than %d octets", CTL_LINE_MAX);
		return false;
	}
	for (size_t i = 0; i < len; i++) {
		unsigned char c = (unsigned char)line[i];
		if ((c < 0x20 && c != '\t') || c == 0x7f) {
			fail(&p, i, "control character 0x%02x in the command", c);
			return false;
		}
	}
	char *s = malloc(len + 1);
	if (!s) {
		fail(&p, 0, "out of memory");
		return false;
	}
	memcpy(s, line, len);
	s[len] = '\0';
	p.s = s;
	bool ok = parse_line(&p);
	free(s);
	if (!ok) {
		fs_rule_clear(&cmd->rule);
		memset(cmd, 0, sizeof *cmd);
		fs_rule_init(&cmd->rule, FS_AFI_IPV4);
	}
	return ok;
}

void ctl_cmd_clear(struct ctl_cmd *cmd)
{
	if (!cmd)
		return;
	fs_rule_clear(&cmd->rule);
}

bool ctl_cmd_changes(const struct ctl_cmd *cmd)
{
	switch (cmd->verb) {
	case CTL_ANNOUNCE:
	case CTL_WITHDRAW:
	case CTL_CLEAR_NEIGHBOR:
	case CTL_FLUSH:
	case CTL_RELOAD:
		return true;
	default:
		return false;
	}
}

/* ---- printing ------------------------------------------------------- */

static void put_addr(struct writer *w, const struct addr *a)
{
	char buf[ADDR_STRLEN];
	put_str(w, addr_format(a, buf));
}

static const char *show_noun_name(enum ctl_verb verb)
{
	for (size_t i = 0; i < N_SHOW_NOUNS; i++)
		if (show_nouns[i].verb == verb)
			return show_nouns[i].name;
	return NULL;
}

void ctl_cmd_format(struct writer *w, const struct ctl_cmd *cmd)
{
	switch (cmd->verb) {
	case CTL_ANNOUNCE:
	case CTL_WITHDRAW:
		if (cmd->ntargets) {
			put_str(w, "neighbor ");
			for (unsigned i = 0; i < cmd->ntargets; i++) {
				if (i)
					put_str(w, ", ");
				put_addr(w, &cmd->targets[i]);
			}
			put_u8(w, ' ');
		}
		if (cmd->verb == CTL_ANNOUNCE) {
			put_str(w, "announce ");
			fs_text_format(w, &cmd->rule);
		} else {
			put_str(w, "withdraw ");
			fs_text_format_withdraw(w, &cmd->rule);
		}
		if (cmd->verb == CTL_ANNOUNCE && cmd->ttl_s) {
			char buf[24];
			snprintf(buf, sizeof buf, " ttl %lu",
				 (unsigned long)cmd->ttl_s);
			put_str(w, buf);
		}
		if (cmd->verb == CTL_ANNOUNCE && cmd->has_comment) {
			put_str(w, " comment \"");
			for (const char *c = cmd->comment; *c; c++) {
				if (*c == '"' || *c == '\\')
					put_u8(w, '\\');
				put_u8(w, (uint8_t)*c);
			}
			put_u8(w, '"');
		}
		break;
	case CTL_SHOW_NEIGHBOR:
	case CTL_SHOW_FLOW:
	case CTL_SHOW_RECEIVED:
	case CTL_SHOW_ADJ_RIB_OUT:
	case CTL_SHOW_COLLECTOR:
	case CTL_SHOW_MITIGATIONS:
		put_str(w, "show ");
		put_str(w, show_noun_name(cmd->verb));
		if (cmd->peer.family != ADDR_NONE) {
			put_u8(w, ' ');
			put_addr(w, &cmd->peer);
		}
		if (cmd->json)
			put_str(w, " --json");
		break;
	case CTL_CLEAR_NEIGHBOR:
		put_str(w, "clear neighbor ");
		put_addr(w, &cmd->peer);
		if (cmd->soft)
			put_str(w, " soft");
		break;
	case CTL_FLUSH:
		put_str(w, "flush ");
		put_str(w, cmd->origin);
		break;
	case CTL_RELOAD:
		put_str(w, "reload");
		break;
	case CTL_HELP:
		put_str(w, "help");
		break;
	}
}
