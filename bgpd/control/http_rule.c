/* The HTTP API's request bodies: JSON into a control command (struct
 * ctl_cmd), with errors that name the field. A rule given as a JSON object
 * is written out as the rule text and read by the text parser, so both
 * forms accept the same rules; the text parser's column is mapped back to
 * the key it falls in. No I/O here. */
#include "bgpd/control/http.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "bgpd/loader.h"
#include "nlri/text.h"

#define SECTION_KEYS_MAX 32	/* keys of one match or then object */
#define KEY_MAX 40		/* octets of a component or action name */

__attribute__((format(printf, 4, 5))) static bool
refuse(struct http_error *err, int status, const char *field,
       const char *fmt, ...)
{
	err->status = status;
	snprintf(err->field, sizeof err->field, "%s", field);
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(err->msg, sizeof err->msg, fmt, ap);
	va_end(ap);
	return false;
}

/* ---- the rule as text ------------------------------------------------ */

static bool text_rule(const json_t *v, const char *field, struct fs_rule *rule,
		      struct http_error *err)
{
	const char *s = json_string_value(v);
	size_t n = json_string_length(v);
	if (strlen(s) != n)
		return refuse(err, 400, field, "must not contain a NUL "
			      "character");
	if (n > CTL_LINE_MAX)
		return refuse(err, 400, field, "longer than %d octets",
			      CTL_LINE_MAX);
	struct fs_text_error terr = { 0 };
	size_t end = 0;
	if (!fs_text_parse(rule, s, &end, &terr))
		return refuse(err, 400, field, "col %zu: %s", terr.col,
			      terr.msg);
	for (size_t i = end; i < n; i++) {
		if (s[i] != ' ' && s[i] != '\t' && s[i] != '\r' &&
		    s[i] != '\n') {
			fs_rule_clear(rule);
			return refuse(err, 400, field, "col %zu: unexpected "
				      "text after the rule", i + 1);
		}
	}
	return true;
}

/* ---- the rule as an object ------------------------------------------- */

/* Where one key's text went: [from, to) of the generated rule. */
struct span {
	size_t from, to;
	char field[64];
};

struct builder {
	struct writer text;
	struct span spans[2 * SECTION_KEYS_MAX + 2];
	size_t nspans;
	const char *field;		/* the rule's path */
	struct http_error *err;
};

static bool name_ok(const char *key)
{
	size_t n = strlen(key);
	if (n == 0 || n > KEY_MAX)
		return false;
	for (const char *c = key; *c; c++)
		if (!((*c >= 'a' && *c <= 'z') || (*c >= '0' && *c <= '9') ||
		      *c == '-' || *c == '_'))
			return false;
	return true;
}

/* One scalar: a string as it is, an integer in decimal. */
static bool put_scalar(struct builder *b, const json_t *v, const char *field)
{
	if (json_is_integer(v)) {
		char num[32];
		snprintf(num, sizeof num, "%lld", (long long)json_integer_value(v));
		put_str(&b->text, num);
		return true;
	}
	if (!json_is_string(v))
		return refuse(b->err, 400, field, "must be a string or an "
			      "integer, not %s", ld_type_name(v));
	const char *s = json_string_value(v);
	size_t n = json_string_length(v);
	if (n == 0 || strlen(s) != n)
		return refuse(b->err, 400, field, n ? "must not contain a NUL "
			      "character" : "must not be empty");
	/* A value stays inside its own statement. */
	const char *bad = strpbrk(s, ";{}");
	if (bad)
		return refuse(b->err, 400, field, "'%c' is not allowed in a "
			      "value", *bad);
	put_bytes(&b->text, s, n);
	return true;
}

/* "key value; " for one key of match or then. */
static bool put_statement(struct builder *b, const char *section,
			  const char *key, const json_t *v)
{
	if (b->nspans == sizeof b->spans / sizeof b->spans[0])
		return refuse(b->err, 400, b->field, "more than %d keys in "
			      "'%s'", SECTION_KEYS_MAX, section);
	struct span *sp = &b->spans[b->nspans];
	snprintf(sp->field, sizeof sp->field, "%s.%s.%s", b->field, section,
		 key);
	if (!name_ok(key))
		return refuse(b->err, 400, sp->field, "not a %s name",
			      strcmp(section, "match") == 0 ? "component"
							    : "action");
	sp->from = b->text.len;
	for (const char *c = key; *c; c++)
		put_u8(&b->text, *c == '_' ? '-' : (uint8_t)*c);
	if (json_is_array(v)) {
		size_t i;
		const json_t *e;
		if (json_array_size(v) == 0)
			return refuse(b->err, 400, sp->field, "must not be an "
				      "empty array");
		put_str(&b->text, " [");
		json_array_foreach(v, i, e) {
			char f[96];
			snprintf(f, sizeof f, "%s[%zu]", sp->field, i);
			put_u8(&b->text, ' ');
			if (!put_scalar(b, e, f))
				return false;
		}
		put_str(&b->text, " ]");
	} else if (!json_is_true(v)) {
		if (json_is_false(v) || json_is_null(v) || json_is_object(v) ||
		    json_is_real(v))
			return refuse(b->err, 400, sp->field, "must be a "
				      "string, an integer, an array of them, "
				      "or true, not %s", ld_type_name(v));
		put_u8(&b->text, ' ');
		if (!put_scalar(b, v, sp->field))
			return false;
	}
	put_str(&b->text, "; ");
	sp->to = b->text.len;
	b->nspans++;
	return true;
}

/* "NAME { statements } " from the object at key name of obj; the whole
 * section gets a span too, for errors that are not inside one key. */
static bool put_section(struct builder *b, const json_t *obj, const char *name)
{
	const json_t *sec = json_object_get(obj, name);
	char field[64];
	snprintf(field, sizeof field, "%s.%s", b->field, name);
	if (!sec)
		return refuse(b->err, 400, field, "missing");
	if (!json_is_object(sec))
		return refuse(b->err, 400, field, "must be an object, not %s",
			      ld_type_name(sec));
	if (json_object_size(sec) > SECTION_KEYS_MAX)
		return refuse(b->err, 400, field, "more than %d keys",
			      SECTION_KEYS_MAX);
	size_t from = b->text.len;
	put_str(&b->text, name);
	put_str(&b->text, " { ");
	const char *key;
	const json_t *v;
	json_object_foreach((json_t *)sec, key, v)
		if (!put_statement(b, name, key, v))
			return false;
	put_str(&b->text, "} ");
	struct span *sp = &b->spans[b->nspans++];
	*sp = (struct span){ .from = from, .to = b->text.len };
	snprintf(sp->field, sizeof sp->field, "%s", field);
	return true;
}

/* The field whose text holds offset off: a key, else its section, else
 * the rule. */
static const char *field_at(const struct builder *b, size_t off)
{
	for (size_t i = 0; i < b->nspans; i++)
		if (off >= b->spans[i].from && off < b->spans[i].to)
			return b->spans[i].field;
	return b->field;
}

static bool object_rule(const json_t *obj, const char *field,
			struct fs_rule *rule, struct http_error *err)
{
	static const char *const keys[] = { "family", "match", "then" };
	const char *key;
	const json_t *v;
	json_object_foreach((json_t *)obj, key, v) {
		bool known = false;
		for (size_t i = 0; i < sizeof keys / sizeof keys[0]; i++)
			known |= strcmp(key, keys[i]) == 0;
		if (!known) {
			char f[96];
			snprintf(f, sizeof f, "%s.%.60s", field, key);
			return refuse(err, 400, f, "unknown key (a rule object "
				      "has family, match, then)");
		}
	}
	struct builder b = { .text = writer_init(CTL_LINE_MAX), .field = field,
			     .err = err };
	bool ok = true;
	put_str(&b.text, "flow route ");
	const json_t *fam = json_object_get(obj, "family");
	if (fam) {
		const char *s = json_string_value(fam);
		char f[96];
		snprintf(f, sizeof f, "%s.family", field);
		if (!s || (strcmp(s, "ipv4") != 0 && strcmp(s, "ipv6") != 0))
			ok = refuse(err, 400, f, "must be \"ipv4\" or \"ipv6\"");
		else
			put_str(&b.text, s);
		put_u8(&b.text, ' ');
	}
	put_str(&b.text, "{ ");
	ok = ok && put_section(&b, obj, "match");
	if (ok && json_object_get(obj, "then"))
		ok = put_section(&b, obj, "then");
	put_u8(&b.text, '}');
	put_u8(&b.text, '\0');
	if (ok && b.text.err)
		ok = refuse(err, 400, field, "longer than %d octets as text",
			    CTL_LINE_MAX);
	if (ok) {
		struct fs_text_error terr = { 0 };
		if (!fs_text_parse(rule, (const char *)b.text.data, NULL, &terr))
			ok = refuse(err, 400, field_at(&b, terr.col - 1), "%s",
				    terr.msg);
	}
	writer_free(&b.text);
	return ok;
}

bool http_parse_rule(const json_t *value, const char *field,
		     struct fs_rule *rule, struct http_error *err)
{
	fs_rule_init(rule, FS_AFI_IPV4);
	if (json_is_string(value))
		return text_rule(value, field, rule, err);
	if (json_is_object(value))
		return object_rule(value, field, rule, err);
	return refuse(err, 400, field, "must be a rule in the text syntax "
		      "(\"flow route { … }\") or an object, not %s",
		      ld_type_name(value));
}

/* ---- the request ------------------------------------------------------- */

static bool parse_neighbors(const json_t *v, struct ctl_cmd *cmd,
			    struct http_error *err)
{
	if (!json_is_array(v))
		return refuse(err, 400, "neighbors", "must be an array of "
			      "addresses, not %s", ld_type_name(v));
	if (json_array_size(v) > CTL_TARGETS_MAX)
		return refuse(err, 400, "neighbors", "more than %d neighbors",
			      CTL_TARGETS_MAX);
	size_t i;
	const json_t *e;
	json_array_foreach(v, i, e) {
		char f[32];
		snprintf(f, sizeof f, "neighbors[%zu]", i);
		const char *s = json_string_value(e);
		if (!s)
			return refuse(err, 400, f, "must be an address, not %s",
				      ld_type_name(e));
		if (!addr_parse(&cmd->targets[i], s, strlen(s)))
			return refuse(err, 400, f, "'%.60s' is not an IPv4 or "
				      "IPv6 address", s);
		for (size_t k = 0; k < i; k++)
			if (addr_equal(&cmd->targets[k], &cmd->targets[i]))
				return refuse(err, 400, f, "'%.60s' is listed "
					      "twice", s);
	}
	cmd->ntargets = (unsigned)json_array_size(v);
	return true;
}

static bool parse_comment(const json_t *v, struct ctl_cmd *cmd,
			  struct http_error *err)
{
	const char *s = json_string_value(v);
	if (!s)
		return refuse(err, 400, "comment", "must be a string, not %s",
			      ld_type_name(v));
	size_t n = json_string_length(v);
	if (n > CTL_COMMENT_MAX)
		return refuse(err, 400, "comment", "longer than %d octets",
			      CTL_COMMENT_MAX);
	/* The comment stays on one line in listings and the audit log. */
	for (size_t i = 0; i < n; i++)
		if ((unsigned char)s[i] < 0x20 || s[i] == 0x7f)
			return refuse(err, 400, "comment", "control character "
				      "at octet %zu", i + 1);
	memcpy(cmd->comment, s, n + 1);
	cmd->has_comment = true;
	return true;
}

static bool parse_ttl(const json_t *v, struct ctl_cmd *cmd,
		      struct http_error *err)
{
	json_int_t t = json_is_integer(v) ? json_integer_value(v) : 0;
	if (t < 1 || t > (json_int_t)UINT32_MAX)
		return refuse(err, 400, "ttl", "must be an integer "
			      "(1..4294967295 seconds)");
	cmd->ttl_s = (uint32_t)t;
	return true;
}

static bool parse_request(const json_t *root, bool announce,
			  struct ctl_cmd *cmd, struct http_error *err)
{
	if (!json_is_object(root))
		return refuse(err, 400, "body", "must be a JSON object, not %s",
			      ld_type_name(root));
	const char *key;
	const json_t *v;
	json_object_foreach((json_t *)root, key, v) {
		bool rule = strcmp(key, "rule") == 0;
		bool nb = strcmp(key, "neighbors") == 0;
		bool opt = strcmp(key, "ttl") == 0 ||
			   strcmp(key, "comment") == 0;
		char f[64];
		snprintf(f, sizeof f, "%.60s", key);
		if (!key[0])
			return refuse(err, 400, "body", "an empty key");
		if (opt && !announce)
			return refuse(err, 400, f, "a withdraw takes no %s",
				      key);
		if (!rule && !nb && !opt)
			return refuse(err, 400, f, "unknown key (expected rule,"
				      " neighbors%s)", announce ?
				      ", ttl, comment" : "");
	}
	const json_t *rule = json_object_get(root, "rule");
	if (!rule)
		return refuse(err, 400, "rule", "missing");
	if ((v = json_object_get(root, "neighbors")) &&
	    !parse_neighbors(v, cmd, err))
		return false;
	if ((v = json_object_get(root, "ttl")) && !parse_ttl(v, cmd, err))
		return false;
	if ((v = json_object_get(root, "comment")) &&
	    !parse_comment(v, cmd, err))
		return false;
	return http_parse_rule(rule, "rule", &cmd->rule, err);
}

bool http_parse_rule_request(const char *body, size_t len, bool announce,
			     struct ctl_cmd *cmd, struct http_error *err)
{
	memset(cmd, 0, sizeof *cmd);
	fs_rule_init(&cmd->rule, FS_AFI_IPV4);
	cmd->verb = announce ? CTL_ANNOUNCE : CTL_WITHDRAW;
	if (len == 0)
		return refuse(err, 400, "body", "empty: expected a JSON "
			      "object with \"rule\"");
	json_error_t jerr;
	json_t *root = json_loadb(body, len, JSON_REJECT_DUPLICATES, &jerr);
	if (!root)
		return refuse(err, 400, "body", "invalid JSON: line %d col %d:"
			      " %s", jerr.line, jerr.column, jerr.text);
	bool ok = parse_request(root, announce, cmd, err);
	json_decref(root);
	if (!ok)
		ctl_cmd_clear(cmd);
	return ok;
}
