/* The configuration loader: JSON (jansson) into struct config, with every
 * error collected and placed. See config.h for the keys. */
#include "bgpd/config.h"

#include <ctype.h>
#include <errno.h>
#include <pwd.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <sys/un.h>
#include <unistd.h>

#include "bgpd/rib/protect.h"
#include "nlri/flowspec.h"
#include "nlri/text.h"

#define AS_TRANS 23456		/* RFC 6793 §9 */
#define PATH_DEPTH_MAX 8
#define SUN_PATH_MAX (sizeof(((struct sockaddr_un *)0)->sun_path))
#define DESCRIPTION_MAX (sizeof(((struct bgp_peer_config *)0)->description) - 1)

/* One step of a JSON path: an object key, or (key NULL) an array index. */
struct seg {
	const char *key;
	size_t index;
};

/* An error line waiting to be sorted into file order. */
struct pending {
	char *line;
	size_t src_line;	/* 0: not known, sorted last */
	size_t seq;
};

/* Where path_line() found the last path: the value after each of its
 * first n segments, and a line number at a known offset. The next error
 * usually lies at the same place or a later array element, so it goes on
 * from there instead of from the start: errors on every one of 100,000
 * static rules cost one pass over the file, not one pass each. */
struct line_memo {
	struct seg path[PATH_DEPTH_MAX];
	size_t pos[PATH_DEPTH_MAX + 1];	/* pos[0]: the top-level value */
	size_t n;			/* segments of path that are valid */
	size_t line_pos, line;		/* line is the line of offset line_pos */
};

struct loader {
	const char *name;	/* FILE in the messages */
	const char *text;	/* the source, for finding lines */
	size_t len;
	struct seg path[PATH_DEPTH_MAX];
	size_t depth;
	struct line_memo memo;
	struct pending *errs;
	size_t nerrs, caperrs;
	bool oom;
};

/* ---- error lines ------------------------------------------------------ */

void config_errors_init(struct config_errors *errs)
{
	memset(errs, 0, sizeof *errs);
}

void config_errors_clear(struct config_errors *errs)
{
	if (!errs)
		return;
	for (size_t i = 0; i < errs->n; i++)
		free(errs->lines[i]);
	free(errs->lines);
	memset(errs, 0, sizeof *errs);
}

void config_errors_print(const struct config_errors *errs, FILE *f)
{
	for (size_t i = 0; i < errs->n; i++)
		fprintf(f, "%s\n", errs->lines[i]);
}

/* Appends line (taken) to errs; on allocation failure the line is lost
 * but errs->n still grows past zero through a static fallback. */
static void errors_take(struct config_errors *errs, char *line)
{
	static char oom_line[] = "out of memory while reporting errors";
	if (errs->n == errs->cap) {
		size_t cap = errs->cap ? 2 * errs->cap : 8;
		char **lines = realloc(errs->lines, cap * sizeof *lines);
		if (!lines) {
			free(line);
			return;
		}
		errs->lines = lines;
		errs->cap = cap;
	}
	errs->lines[errs->n++] = line ? line : strdup(oom_line);
}

/* ---- finding the line of a JSON path in the source text -------------- */

/* The source was accepted by jansson, so these walkers can assume valid
 * JSON; they still never read past len. */

static size_t skip_ws(const char *t, size_t len, size_t pos)
{
	while (pos < len && (t[pos] == ' ' || t[pos] == '\t' ||
			     t[pos] == '\n' || t[pos] == '\r'))
		pos++;
	return pos;
}

/* pos at an opening quote: the offset just past the closing one. */
static size_t skip_string(const char *t, size_t len, size_t pos)
{
	for (pos++; pos < len && t[pos] != '"'; pos++)
		if (t[pos] == '\\')
			pos++;
	return pos < len ? pos + 1 : len;
}

static size_t skip_value(const char *t, size_t len, size_t pos)
{
	if (pos >= len)
		return len;
	if (t[pos] == '"')
		return skip_string(t, len, pos);
	if (t[pos] == '{' || t[pos] == '[') {
		unsigned depth = 0;
		while (pos < len) {
			char c = t[pos];
			if (c == '"') {
				pos = skip_string(t, len, pos);
				continue;
			}
			if (c == '{' || c == '[')
				depth++;
			else if ((c == '}' || c == ']') && --depth == 0)
				return pos + 1;
			pos++;
		}
		return len;
	}
	while (pos < len && !strchr(",]} \t\r\n", t[pos]))
		pos++;
	return pos;
}

/* True when the JSON string at pos (at its quote) decodes to key. Only
 * ASCII \u escapes are decoded; a key spelled with others never matches
 * (its line is then unknown, which is allowed). */
static bool string_is(const char *t, size_t len, size_t pos, const char *key)
{
	size_t k = 0;
	for (pos++; pos < len && t[pos] != '"'; pos++, k++) {
		char c = t[pos];
		if (c == '\\' && pos + 1 < len) {
			char e = t[++pos];
			switch (e) {
			case 'b': c = '\b'; break;
			case 'f': c = '\f'; break;
			case 'n': c = '\n'; break;
			case 'r': c = '\r'; break;
			case 't': c = '\t'; break;
			case 'u':
				if (pos + 4 >= len)
					return false;
				c = (char)strtol((char[]){ t[pos + 1], t[pos + 2],
							   t[pos + 3], t[pos + 4],
							   0 }, NULL, 16);
				if ((unsigned char)c >= 0x80 || !c)
					return false;
				pos += 4;
				break;
			default: c = e; break;
			}
		}
		if (key[k] != c)
			return false;
	}
	return key[k] == '\0';
}

/* From the value at pos, the offset of the value seg names in it, or len
 * when there is none. */
static size_t descend(const char *t, size_t len, size_t pos,
		      const struct seg *seg)
{
	char open = seg->key ? '{' : '[', close = seg->key ? '}' : ']';
	if (pos >= len || t[pos] != open)
		return len;
	pos = skip_ws(t, len, pos + 1);
	for (size_t i = 0; pos < len && t[pos] != close; i++) {
		if (seg->key) {
			bool hit = t[pos] == '"' && string_is(t, len, pos, seg->key);
			pos = skip_ws(t, len, skip_string(t, len, pos));
			if (pos >= len || t[pos] != ':')
				return len;
			pos = skip_ws(t, len, pos + 1);
			if (hit)
				return pos;
		} else if (i == seg->index) {
			return pos;
		}
		pos = skip_ws(t, len, skip_value(t, len, pos));
		if (pos < len && t[pos] == ',')
			pos = skip_ws(t, len, pos + 1);
	}
	return len;
}

/* From the array element at pos, the offset of the element n further on,
 * or len when the array ends first. */
static size_t next_elements(const char *t, size_t len, size_t pos, size_t n)
{
	while (n-- && pos < len) {
		pos = skip_ws(t, len, skip_value(t, len, pos));
		if (pos >= len || t[pos] != ',')
			return len;
		pos = skip_ws(t, len, pos + 1);
	}
	return pos;
}

static bool seg_eq(const struct seg *a, const struct seg *b)
{
	return a->key && b->key ? strcmp(a->key, b->key) == 0
				: !a->key && !b->key && a->index == b->index;
}

/* The 1-based line of the loader's current path, or 0 when not found. */
static size_t path_line(struct loader *ld)
{
	if (!ld->text)
		return 0;
	const char *t = ld->text;
	size_t len = ld->len;
	struct line_memo *m = &ld->memo;
	if (m->line == 0) {
		m->pos[0] = skip_ws(t, len, 0);
		m->n = 0;
		m->line_pos = 0;
		m->line = 1;
	}
	size_t depth = ld->depth < PATH_DEPTH_MAX ? ld->depth : PATH_DEPTH_MAX;
	size_t pos = m->pos[0];
	for (size_t i = 0; i < depth && pos < len; i++) {
		const struct seg *seg = &ld->path[i];
		if (i < m->n && seg_eq(&m->path[i], seg)) {
			pos = m->pos[i + 1];
			continue;
		}
		if (i < m->n && !seg->key && !m->path[i].key &&
		    m->path[i].index < seg->index && m->pos[i + 1] < len)
			/* A later element of the same array. */
			pos = next_elements(t, len, m->pos[i + 1],
					    seg->index - m->path[i].index);
		else
			pos = descend(t, len, pos, seg);
		m->path[i] = *seg;
		m->pos[i + 1] = pos;
		m->n = i + 1;
	}
	if (pos >= len)
		return 0;
	if (pos < m->line_pos) {
		m->line_pos = 0;
		m->line = 1;
	}
	for (size_t i = m->line_pos; i < pos; i++)
		m->line += t[i] == '\n';
	m->line_pos = pos;
	return m->line;
}

/* ---- the loader's path and errors ------------------------------------- */

static void push_key(struct loader *ld, const char *key)
{
	if (ld->depth < PATH_DEPTH_MAX)
		ld->path[ld->depth] = (struct seg){ .key = key };
	ld->depth++;
}

static void push_index(struct loader *ld, size_t index)
{
	if (ld->depth < PATH_DEPTH_MAX)
		ld->path[ld->depth] = (struct seg){ .index = index };
	ld->depth++;
}

static void pop(struct loader *ld)
{
	ld->depth--;
}

static void add_pending(struct loader *ld, char *line, size_t src_line)
{
	if (!line) {
		ld->oom = true;
		return;
	}
	if (ld->nerrs == ld->caperrs) {
		size_t cap = ld->caperrs ? 2 * ld->caperrs : 8;
		struct pending *p = realloc(ld->errs, cap * sizeof *p);
		if (!p) {
			free(line);
			ld->oom = true;
			return;
		}
		ld->errs = p;
		ld->caperrs = cap;
	}
	ld->errs[ld->nerrs] = (struct pending){ line, src_line, ld->nerrs };
	ld->nerrs++;
}

/* Records "FILE: path: message (line N)" for the current path. */
__attribute__((format(printf, 2, 3))) static void
error(struct loader *ld, const char *fmt, ...)
{
	char path[512] = "";
	size_t n = 0;
	for (size_t i = 0; i < ld->depth && i < PATH_DEPTH_MAX; i++) {
		const struct seg *s = &ld->path[i];
		int w = s->key ? snprintf(path + n, sizeof path - n, "%s%s",
					  i ? "." : "", s->key)
			       : snprintf(path + n, sizeof path - n, "[%zu]",
					  s->index);
		if (w < 0 || (size_t)w >= sizeof path - n)
			break;
		n += (size_t)w;
	}
	char msg[1024];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof msg, fmt, ap);
	va_end(ap);

	size_t line = path_line(ld);
	char where[32] = "";
	if (line)
		snprintf(where, sizeof where, " (line %zu)", line);
	size_t size = strlen(ld->name) + strlen(path) + strlen(msg) +
		      strlen(where) + 8;
	char *out = malloc(size);
	if (out)
		snprintf(out, size, "%s: %s%s%s%s", ld->name, path,
			 path[0] ? ": " : "", msg, where);
	add_pending(ld, out, line);
}

static int pending_cmp(const void *a, const void *b)
{
	const struct pending *x = a, *y = b;
	size_t lx = x->src_line ? x->src_line : SIZE_MAX;
	size_t ly = y->src_line ? y->src_line : SIZE_MAX;
	if (lx != ly)
		return lx < ly ? -1 : 1;
	return x->seq < y->seq ? -1 : x->seq > y->seq;
}

/* Moves the errors, in file order, into errs; true when there were any. */
static bool flush_errors(struct loader *ld, struct config_errors *errs)
{
	if (ld->nerrs)
		qsort(ld->errs, ld->nerrs, sizeof *ld->errs, pending_cmp);
	for (size_t i = 0; i < ld->nerrs; i++)
		errors_take(errs, ld->errs[i].line);
	if (ld->oom)
		errors_take(errs, strdup("out of memory while loading the "
					 "configuration"));
	bool any = ld->nerrs > 0 || ld->oom;
	free(ld->errs);
	ld->errs = NULL;
	ld->nerrs = ld->caperrs = 0;
	return any;
}

/* ---- typed values ----------------------------------------------------- */

static const char *type_name(const json_t *v)
{
	switch (json_typeof(v)) {
	case JSON_OBJECT: return "an object";
	case JSON_ARRAY: return "an array";
	case JSON_STRING: return "a string";
	case JSON_INTEGER: return "an integer";
	case JSON_REAL: return "a number with a fraction";
	case JSON_TRUE:
	case JSON_FALSE: return "a boolean";
	case JSON_NULL: return "null";
	}
	return "unknown";
}

static bool want_uint(struct loader *ld, const json_t *v, uint64_t min,
		      uint64_t max, uint64_t *out)
{
	if (!json_is_integer(v)) {
		error(ld, "must be an integer (%llu..%llu), not %s",
		      (unsigned long long)min, (unsigned long long)max,
		      type_name(v));
		return false;
	}
	json_int_t i = json_integer_value(v);
	if (i < 0 || (uint64_t)i < min || (uint64_t)i > max) {
		error(ld, "%lld is out of range (%llu..%llu)", (long long)i,
		      (unsigned long long)min, (unsigned long long)max);
		return false;
	}
	*out = (uint64_t)i;
	return true;
}

static bool want_bool(struct loader *ld, const json_t *v, bool *out)
{
	if (!json_is_boolean(v)) {
		error(ld, "must be true or false, not %s", type_name(v));
		return false;
	}
	*out = json_is_true(v);
	return true;
}

/* A string of 1..max characters (max 0: no limit). */
static const char *want_string(struct loader *ld, const json_t *v, size_t max)
{
	if (!json_is_string(v)) {
		error(ld, "must be a string, not %s", type_name(v));
		return NULL;
	}
	const char *s = json_string_value(v);
	size_t n = json_string_length(v);
	if (n == 0) {
		error(ld, "must not be empty");
		return NULL;
	}
	if (strlen(s) != n) {
		error(ld, "must not contain a NUL character");
		return NULL;
	}
	if (max && n > max) {
		error(ld, "is %zu characters long, at most %zu allowed", n, max);
		return NULL;
	}
	return s;
}

/* Replaces *dst with a copy of a valid string value. */
static void set_string(struct loader *ld, const json_t *v, size_t max,
		       char **dst)
{
	const char *s = want_string(ld, v, max);
	if (!s)
		return;
	char *copy = strdup(s);
	if (!copy) {
		ld->oom = true;
		return;
	}
	free(*dst);
	*dst = copy;
}

static bool want_addr(struct loader *ld, const json_t *v, struct addr *out)
{
	const char *s = want_string(ld, v, 0);
	if (!s)
		return false;
	if (!addr_parse(out, s, strlen(s))) {
		error(ld, "'%s' is not an IPv4 or IPv6 address", s);
		return false;
	}
	return true;
}

static bool addr_is_zero(const struct addr *a)
{
	for (unsigned i = 0; i < addr_octets(a->family); i++)
		if (a->bytes[i])
			return false;
	return true;
}

static bool want_array(struct loader *ld, const json_t *v)
{
	if (!json_is_array(v)) {
		error(ld, "must be an array, not %s", type_name(v));
		return false;
	}
	return true;
}

/* ---- objects: known keys, required keys, unknown keys ----------------- */

struct key_rule {
	const char *name;
	bool required;
	void (*parse)(struct loader *ld, json_t *v, void *target);
};

static size_t edit_distance(const char *a, const char *b)
{
	size_t la = strlen(a), lb = strlen(b);
	if (la > 63 || lb > 63)
		return SIZE_MAX;
	size_t row[64];
	for (size_t j = 0; j <= lb; j++)
		row[j] = j;
	for (size_t i = 1; i <= la; i++) {
		size_t diag = row[0];
		row[0] = i;
		for (size_t j = 1; j <= lb; j++) {
			size_t up = row[j];
			size_t best = diag + (a[i - 1] != b[j - 1]);
			if (up + 1 < best)
				best = up + 1;
			if (row[j - 1] + 1 < best)
				best = row[j - 1] + 1;
			row[j] = best;
			diag = up;
		}
	}
	return row[lb];
}

/* Runs the rules' parsers on obj's keys (in table order), then reports
 * every missing required key and every unknown key. */
static void parse_object(struct loader *ld, json_t *obj,
			 const struct key_rule *rules, size_t n, void *target)
{
	for (size_t i = 0; i < n; i++) {
		json_t *v = json_object_get(obj, rules[i].name);
		if (!v) {
			if (rules[i].required)
				error(ld, "missing key '%s'", rules[i].name);
			continue;
		}
		push_key(ld, rules[i].name);
		rules[i].parse(ld, v, target);
		pop(ld);
	}
	const char *key;
	json_t *v;
	json_object_foreach(obj, key, v) {
		const char *best = NULL;
		size_t best_d = SIZE_MAX;
		bool known = false;
		for (size_t i = 0; i < n && !known; i++) {
			known = strcmp(key, rules[i].name) == 0;
			size_t d = edit_distance(key, rules[i].name);
			if (d < best_d) {
				best_d = d;
				best = rules[i].name;
			}
		}
		if (known)
			continue;
		push_key(ld, key);
		if (best && (best_d <= 2 || best_d * 3 <= strlen(key)))
			error(ld, "unknown key (did you mean '%s'?)", best);
		else
			error(ld, "unknown key");
		pop(ld);
	}
}

/* ---- neighbors -------------------------------------------------------- */

struct neighbor {
	struct bgp_peer_config *pc;
	bool has_address;
	int graceful_restart;	/* -1: not given */
	bool has_restart_time;
	uint16_t restart_time;
};

#define NB(target) ((struct neighbor *)(target))

static void nb_address(struct loader *ld, json_t *v, void *t)
{
	struct addr a;
	if (!want_addr(ld, v, &a))
		return;
	if (addr_is_zero(&a)) {
		error(ld, "must not be the unspecified address");
		return;
	}
	NB(t)->pc->address = a;
	NB(t)->has_address = true;
}

static void nb_remote_as(struct loader *ld, json_t *v, void *t)
{
	uint64_t as;
	if (!want_uint(ld, v, 1, UINT32_MAX, &as))
		return;
	if (as == AS_TRANS) {
		error(ld, "%d is AS_TRANS (RFC 6793), not a real AS", AS_TRANS);
		return;
	}
	NB(t)->pc->remote_as = (uint32_t)as;
}

static void nb_port(struct loader *ld, json_t *v, void *t)
{
	uint64_t port;
	if (want_uint(ld, v, 1, UINT16_MAX, &port))
		NB(t)->pc->port = (uint16_t)port;
}

static void nb_local_address(struct loader *ld, json_t *v, void *t)
{
	want_addr(ld, v, &NB(t)->pc->local_address);
}

static void nb_passive(struct loader *ld, json_t *v, void *t)
{
	want_bool(ld, v, &NB(t)->pc->passive);
}

static void nb_families(struct loader *ld, json_t *v, void *t)
{
	if (!want_array(ld, v))
		return;
	if (json_array_size(v) == 0) {
		error(ld, "must name at least one family");
		return;
	}
	unsigned fams = 0;
	bool ok = true;
	size_t i;
	json_t *f;
	json_array_foreach(v, i, f) {
		push_index(ld, i);
		const char *name = want_string(ld, f, 0);
		enum bgp_family fam;
		if (!name) {
			ok = false;
		} else if (!bgp_family_parse(name, &fam)) {
			error(ld, "unknown family '%s' (ipv4-flowspec, "
			      "ipv6-flowspec, ipv4-unicast, ipv6-unicast)", name);
			ok = false;
		} else {
			fams |= fam;
		}
		pop(ld);
	}
	if (ok)
		NB(t)->pc->families = fams;
}

static void nb_hold_time(struct loader *ld, json_t *v, void *t)
{
	uint64_t h;
	if (!want_uint(ld, v, 0, UINT16_MAX, &h))
		return;
	if (h == 1 || h == 2) {
		/* RFC 4271 §4.2: zero or at least three seconds. */
		error(ld, "%llu is not allowed: 0 or 3..65535 (RFC 4271 §4.2)",
		      (unsigned long long)h);
		return;
	}
	NB(t)->pc->hold_time = (uint16_t)h;
}

static void nb_connect_retry(struct loader *ld, json_t *v, void *t)
{
	uint64_t s;
	if (want_uint(ld, v, 1, UINT16_MAX, &s))
		NB(t)->pc->connect_retry = (uint16_t)s;
}

static void nb_md5_password(struct loader *ld, json_t *v, void *t)
{
	const char *s = want_string(ld, v, CONFIG_MD5_MAX);
	if (s)
		snprintf(NB(t)->pc->md5_password,
			 sizeof NB(t)->pc->md5_password, "%s", s);
}

static void nb_ttl_security(struct loader *ld, json_t *v, void *t)
{
	want_bool(ld, v, &NB(t)->pc->ttl_security);
}

static void nb_description(struct loader *ld, json_t *v, void *t)
{
	const char *s = want_string(ld, v, DESCRIPTION_MAX);
	if (s)
		snprintf(NB(t)->pc->description,
			 sizeof NB(t)->pc->description, "%s", s);
}

static void nb_max_received(struct loader *ld, json_t *v, void *t)
{
	uint64_t n;
	if (want_uint(ld, v, 0, SIZE_MAX < INT64_MAX ? SIZE_MAX : INT64_MAX, &n))
		NB(t)->pc->max_received = (size_t)n;
}

static void nb_max_rules(struct loader *ld, json_t *v, void *t)
{
	uint64_t n;
	if (want_uint(ld, v, 0, SIZE_MAX < INT64_MAX ? SIZE_MAX : INT64_MAX, &n))
		NB(t)->pc->max_rules = (size_t)n;
}

static void nb_graceful_restart(struct loader *ld, json_t *v, void *t)
{
	bool on;
	if (want_bool(ld, v, &on))
		NB(t)->graceful_restart = on;
}

static void nb_restart_time(struct loader *ld, json_t *v, void *t)
{
	uint64_t s;
	if (!want_uint(ld, v, 1, CONFIG_RESTART_TIME_MAX, &s))
		return;
	NB(t)->has_restart_time = true;
	NB(t)->restart_time = (uint16_t)s;
}

static const struct key_rule neighbor_keys[] = {
	{ "address", true, nb_address },
	{ "remote_as", true, nb_remote_as },
	{ "port", false, nb_port },
	{ "local_address", false, nb_local_address },
	{ "passive", false, nb_passive },
	{ "families", false, nb_families },
	{ "hold_time", false, nb_hold_time },
	{ "connect_retry", false, nb_connect_retry },
	{ "md5_password", false, nb_md5_password },
	{ "ttl_security", false, nb_ttl_security },
	{ "description", false, nb_description },
	{ "max_received", false, nb_max_received },
	{ "max_rules", false, nb_max_rules },
	{ "graceful_restart", false, nb_graceful_restart },
	{ "restart_time", false, nb_restart_time },
};

static void neighbor_defaults(struct bgp_peer_config *pc)
{
	memset(pc, 0, sizeof *pc);
	pc->port = CONFIG_BGP_PORT;
	pc->families = BGP_FAM_FLOWSPEC;
	pc->hold_time = CONFIG_HOLD_TIME_DEFAULT;
	pc->connect_retry = CONFIG_CONNECT_RETRY_DEFAULT;
}

/* Parses one neighbor into pc; false when it has no usable address. */
static bool parse_neighbor(struct loader *ld, json_t *v,
			   struct bgp_peer_config *pc)
{
	neighbor_defaults(pc);
	if (!json_is_object(v)) {
		error(ld, "must be an object, not %s", type_name(v));
		return false;
	}
	struct neighbor nb = { .pc = pc, .graceful_restart = -1 };
	parse_object(ld, v, neighbor_keys,
		     sizeof neighbor_keys / sizeof neighbor_keys[0], &nb);

	if (nb.has_address && pc->local_address.family != ADDR_NONE &&
	    pc->local_address.family != pc->address.family) {
		push_key(ld, "local_address");
		error(ld, "must be of the same family as address (IPv%d)",
		      pc->address.family);
		pop(ld);
	}
	if (nb.graceful_restart == 0 && nb.has_restart_time) {
		push_key(ld, "restart_time");
		error(ld, "given while graceful_restart is false");
		pop(ld);
	} else if (nb.graceful_restart == 1 || nb.has_restart_time) {
		pc->restart_time = nb.has_restart_time
					   ? nb.restart_time
					   : CONFIG_RESTART_TIME_DEFAULT;
	}
	return nb.has_address;
}

static void top_neighbors(struct loader *ld, json_t *v, void *t)
{
	struct config *cfg = t;
	if (!want_array(ld, v))
		return;
	size_t n = json_array_size(v);
	if (n == 0)
		return;
	cfg->neighbors = calloc(n, sizeof *cfg->neighbors);
	if (!cfg->neighbors) {
		ld->oom = true;
		return;
	}
	/* Each neighbor's first index, for the duplicate message. */
	size_t *index = calloc(n, sizeof *index);
	if (!index) {
		ld->oom = true;
		return;
	}
	size_t i;
	json_t *nv;
	json_array_foreach(v, i, nv) {
		push_index(ld, i);
		struct bgp_peer_config *pc = &cfg->neighbors[cfg->n_neighbors];
		bool usable = parse_neighbor(ld, nv, pc);
		const struct bgp_peer_config *dup =
			usable ? config_find_neighbor(cfg, &pc->address) : NULL;
		if (dup) {
			char buf[ADDR_STRLEN];
			push_key(ld, "address");
			error(ld, "%s is already neighbors[%zu]",
			      addr_format(&pc->address, buf),
			      index[dup - cfg->neighbors]);
			pop(ld);
		} else if (usable) {
			index[cfg->n_neighbors++] = i;
		}
		pop(ld);
	}
	free(index);
}

/* ---- static rules ----------------------------------------------------- */

static bool has_target(const struct addr *list, unsigned n,
		       const struct addr *a)
{
	for (unsigned i = 0; i < n; i++)
		if (memcmp(&list[i], a, sizeof *a) == 0)
			return true;
	return false;
}

/* Parses the rule text into sr; errors are placed at the current path. */
static bool static_rule_text(struct loader *ld, const json_t *v,
			     struct config_static_rule *sr)
{
	const char *s = want_string(ld, v, 0);
	if (!s)
		return false;
	struct fs_text_error terr = { 0 };
	size_t end = 0;
	if (!fs_text_parse(&sr->rule, s, &end, &terr)) {
		error(ld, "col %zu: %s", terr.col, terr.msg);
		return false;
	}
	size_t rest = end;
	while (s[rest] == ' ' || s[rest] == '\t' || s[rest] == '\n' ||
	       s[rest] == '\r')
		rest++;
	if (s[rest]) {
		error(ld, "col %zu: unexpected text after the rule", rest + 1);
		fs_rule_clear(&sr->rule);
		return false;
	}
	if (!fs_rule_ok(&sr->rule)) {
		error(ld, "the rule does not fit in memory or in an NLRI");
		fs_rule_clear(&sr->rule);
		return false;
	}
	sr->text = strdup(s);
	if (!sr->text)
		ld->oom = true;
	return true;
}

struct static_target {
	struct loader *ld;
	struct config *cfg;
	struct config_static_rule *sr;
	bool has_rule, ok;
};

static void sr_rule(struct loader *ld, json_t *v, void *t)
{
	struct static_target *st = t;
	st->has_rule = static_rule_text(ld, v, st->sr);
	st->ok = st->ok && st->has_rule;
}

static void sr_neighbors(struct loader *ld, json_t *v, void *t)
{
	struct static_target *st = t;
	if (!want_array(ld, v)) {
		st->ok = false;
		return;
	}
	size_t i;
	json_t *a;
	size_t n = json_array_size(v);
	if (n && !st->sr->targets) {
		n = n < CONFIG_STATIC_TARGETS_MAX ? n : CONFIG_STATIC_TARGETS_MAX;
		st->sr->targets = calloc(n, sizeof *st->sr->targets);
		if (!st->sr->targets) {
			ld->oom = true;
			return;
		}
	}
	json_array_foreach(v, i, a) {
		push_index(ld, i);
		struct addr addr;
		char buf[ADDR_STRLEN];
		if (!want_addr(ld, a, &addr)) {
			st->ok = false;
		} else if (!config_find_neighbor(st->cfg, &addr)) {
			error(ld, "%s is not a configured neighbor",
			      addr_format(&addr, buf));
			st->ok = false;
		} else if (has_target(st->sr->targets, st->sr->ntargets,
				      &addr)) {
			error(ld, "%s is listed twice", addr_format(&addr, buf));
			st->ok = false;
		} else if (st->sr->ntargets == CONFIG_STATIC_TARGETS_MAX) {
			error(ld, "more than %d neighbors",
			      CONFIG_STATIC_TARGETS_MAX);
			st->ok = false;
		} else {
			st->sr->targets[st->sr->ntargets++] = addr;
		}
		pop(ld);
	}
}

static void sr_comment(struct loader *ld, json_t *v, void *t)
{
	struct static_target *st = t;
	set_string(ld, v, 0, &st->sr->comment);
}

static const struct key_rule static_rule_keys[] = {
	{ "rule", true, sr_rule },
	{ "neighbors", false, sr_neighbors },
	{ "comment", false, sr_comment },
};

static void static_rule_free(struct config_static_rule *sr)
{
	fs_rule_clear(&sr->rule);
	free(sr->text);
	free(sr->targets);
	free(sr->comment);
	memset(sr, 0, sizeof *sr);
}

/* Three-way compare of the matches as octets: 0 exactly when fs_cmp is
 * 0 (RFC 8955 §5.1 orders equal types by their octets), and cheaper. */
static int match_octets_cmp(const struct fs_rule *a, const struct fs_rule *b)
{
	if (a->afi != b->afi)
		return a->afi < b->afi ? -1 : 1;
	if (a->match.len != b->match.len)
		return a->match.len < b->match.len ? -1 : 1;
	return a->match.len ? memcmp(a->match.data, b->match.data,
				     a->match.len)
			    : 0;
}

/* By AFI and match octets, then place in the array (file order). */
static int static_rule_cmp(const void *x, const void *y)
{
	const struct config_static_rule *a =
		*(const struct config_static_rule *const *)x;
	const struct config_static_rule *b =
		*(const struct config_static_rule *const *)y;
	int cmp = match_octets_cmp(&a->rule, &b->rule);
	if (cmp)
		return cmp;
	return (a > b) - (a < b);
}

/* Reports every static rule whose match an earlier one already has ("same
 * match as static_rules[I]", I the first one's index in the file, index[]
 * giving each kept rule's) and drops it from cfg, keeping file order.
 * Sorting makes it O(n log n): equal matches end up next to each other,
 * the first in the file first. The errors go out in file order. */
static void drop_duplicate_rules(struct loader *ld, struct config *cfg,
				 size_t *index)
{
	size_t n = cfg->n_static_rules;
	if (n < 2)
		return;
	struct config_static_rule **by_match = malloc(n * sizeof *by_match);
	size_t *first = malloc(n * sizeof *first);	/* SIZE_MAX: none */
	if (!by_match || !first) {
		free(by_match);
		free(first);
		ld->oom = true;
		return;
	}
	for (size_t i = 0; i < n; i++) {
		by_match[i] = &cfg->static_rules[i];
		first[i] = SIZE_MAX;
	}
	qsort(by_match, n, sizeof *by_match, static_rule_cmp);
	size_t run = 0;		/* the first of the run of equal matches */
	for (size_t i = 1; i < n; i++) {
		if (match_octets_cmp(&by_match[run]->rule,
				     &by_match[i]->rule) != 0)
			run = i;
		else
			first[by_match[i] - cfg->static_rules] =
				(size_t)(by_match[run] - cfg->static_rules);
	}
	free(by_match);
	for (size_t i = 0; i < n; i++) {
		if (first[i] == SIZE_MAX)
			continue;
		push_index(ld, index[i]);
		error(ld, "same match as static_rules[%zu]", index[first[i]]);
		pop(ld);
	}
	size_t kept = 0;
	for (size_t i = 0; i < n; i++) {
		if (first[i] != SIZE_MAX) {
			static_rule_free(&cfg->static_rules[i]);
			continue;
		}
		if (kept != i) {
			cfg->static_rules[kept] = cfg->static_rules[i];
			index[kept] = index[i];
		}
		kept++;
	}
	memset(&cfg->static_rules[kept], 0,
	       (n - kept) * sizeof *cfg->static_rules);
	cfg->n_static_rules = kept;
	free(first);
}

static void top_static_rules(struct loader *ld, json_t *v, void *t)
{
	struct config *cfg = t;
	if (!want_array(ld, v))
		return;
	size_t n = json_array_size(v);
	if (n == 0)
		return;
	cfg->static_rules = calloc(n, sizeof *cfg->static_rules);
	size_t *index = calloc(n, sizeof *index);
	if (!cfg->static_rules || !index) {
		free(index);
		ld->oom = true;
		return;
	}
	size_t i;
	json_t *rv;
	json_array_foreach(v, i, rv) {
		push_index(ld, i);
		struct config_static_rule *sr =
			&cfg->static_rules[cfg->n_static_rules];
		memset(sr, 0, sizeof *sr);
		bool ok, have_rule;
		if (json_is_object(rv)) {
			struct static_target st = { ld, cfg, sr, false, true };
			parse_object(ld, rv, static_rule_keys,
				     sizeof static_rule_keys /
					     sizeof static_rule_keys[0], &st);
			have_rule = st.has_rule;
			ok = st.ok && st.has_rule;
		} else if (json_is_string(rv)) {
			ok = have_rule = static_rule_text(ld, rv, sr);
		} else {
			error(ld, "must be a rule string or an object, not %s",
			      type_name(rv));
			ok = have_rule = false;
		}
		if (ok) {
			index[cfg->n_static_rules++] = i;
		} else {
			if (have_rule)
				fs_rule_clear(&sr->rule);
			free(sr->text);
			free(sr->targets);
			free(sr->comment);
			memset(sr, 0, sizeof *sr);
		}
		pop(ld);
	}
	drop_duplicate_rules(ld, cfg, index);
	free(index);
}

/* ---- the other top-level keys ----------------------------------------- */

static void top_router_id(struct loader *ld, json_t *v, void *t)
{
	struct config *cfg = t;
	struct addr a;
	if (!want_addr(ld, v, &a))
		return;
	if (a.family != ADDR_V4)
		error(ld, "must be an IPv4 address (RFC 4271 §4.2)");
	else if (addr_is_zero(&a))
		error(ld, "must not be 0.0.0.0 (RFC 6286 §2.1)");
	else
		cfg->local.router_id = a;
}

static void top_local_as(struct loader *ld, json_t *v, void *t)
{
	struct config *cfg = t;
	uint64_t as;
	if (!want_uint(ld, v, 1, UINT32_MAX, &as))
		return;
	if (as == AS_TRANS)
		error(ld, "%d is AS_TRANS (RFC 6793), not a real AS", AS_TRANS);
	else
		cfg->local.local_as = (uint32_t)as;
}

static void top_listen(struct loader *ld, json_t *v, void *t)
{
	struct config *cfg = t;
	const char *s = want_string(ld, v, 0);
	if (!s)
		return;
	if (!config_parse_hostport(s, CONFIG_BGP_PORT, &cfg->listen_addr,
				   &cfg->listen_port)) {
		error(ld, "'%s' is not ADDR:PORT, [IPV6]:PORT or ADDR "
		      "(port 1..65535)", s);
		return;
	}
	cfg->has_listen = true;
}

static void top_control_socket(struct loader *ld, json_t *v, void *t)
{
	set_string(ld, v, SUN_PATH_MAX - 1, &((struct config *)t)->control_socket);
}

static void top_state_file(struct loader *ld, json_t *v, void *t)
{
	set_string(ld, v, 0, &((struct config *)t)->state_file);
}

static void top_audit_log(struct loader *ld, json_t *v, void *t)
{
	set_string(ld, v, 0, &((struct config *)t)->audit_log);
}

static void top_policy(struct loader *ld, json_t *v, void *t)
{
	set_string(ld, v, 0, &((struct config *)t)->policy);
}

static void top_user(struct loader *ld, json_t *v, void *t)
{
	struct config *cfg = t;
	const char *s = want_string(ld, v, 0);
	if (!s)
		return;
	errno = 0;
	if (!getpwnam(s)) {
		error(ld, "no user '%s' on this system", s);
		return;
	}
	set_string(ld, v, 0, &cfg->user);
}

static void top_never_filter(struct loader *ld, json_t *v, void *t)
{
	struct config *cfg = t;
	if (!want_array(ld, v))
		return;
	size_t n = json_array_size(v);
	if (n == 0)
		return;
	cfg->never_filter = calloc(n, sizeof *cfg->never_filter);
	if (!cfg->never_filter) {
		ld->oom = true;
		return;
	}
	size_t i;
	json_t *p;
	json_array_foreach(v, i, p) {
		push_index(ld, i);
		const char *s = want_string(ld, p, 0);
		struct prefix pfx;
		if (s && !prefix_parse(&pfx, s, strlen(s)))
			error(ld, "'%s' is not a prefix (ADDR/LEN with no bit "
			      "set past LEN)", s);
		else if (s)
			cfg->never_filter[cfg->n_never_filter++] = pfx;
		pop(ld);
	}
	/* The rib refuses these (rib.h); --check says so first. */
	for (size_t k = 0; k < cfg->n_static_rules; k++) {
		char why[200];
		const struct config_static_rule *sr = &cfg->static_rules[k];
		if (protect_check(&sr->rule, cfg->never_filter,
				  cfg->n_never_filter, why, sizeof why))
			error(ld, "static rule '%s' is refused: %s", sr->text,
			      why);
	}
}

/* ---- processes (ExaBGP-style helper programs) ------------------------- */

static void pr_name(struct loader *ld, json_t *v, void *t)
{
	struct config_process *p = t;
	const char *s = want_string(ld, v, CONFIG_PROCESS_NAME_MAX);
	if (!s)
		return;
	for (const char *c = s; *c; c++) {
		if (!isalnum((unsigned char)*c) && !strchr("-_.", *c)) {
			error(ld, "'%s': only letters, digits, '-', '_' and "
			      "'.' are allowed", s);
			return;
		}
	}
	set_string(ld, v, 0, &p->name);
}

static void pr_run(struct loader *ld, json_t *v, void *t)
{
	struct config_process *p = t;
	if (!json_is_array(v) || json_array_size(v) == 0) {
		error(ld, "must be a non-empty array of strings (the program "
		      "and its arguments, no shell), not %s",
		      json_is_array(v) ? "an empty array" : type_name(v));
		return;
	}
	size_t n = json_array_size(v);
	char **argv = calloc(n + 1, sizeof *argv);
	if (!argv) {
		ld->oom = true;
		return;
	}
	bool ok = true;
	size_t i;
	json_t *a;
	json_array_foreach(v, i, a) {
		push_index(ld, i);
		const char *s = want_string(ld, a, 0);
		if (s && !(argv[i] = strdup(s)))
			ld->oom = true;
		ok = ok && argv[i];
		if (i == 0 && s && !strchr(s, '/'))
			error(ld, "'%s': give the program's path (it is run "
			      "without a shell or a PATH search)", s);
		else if (i == 0 && s && access(s, X_OK) != 0)
			error(ld, "'%s' is not an executable file: %s", s,
			      strerror(errno));
		pop(ld);
	}
	if (!ok) {
		for (i = 0; i < n; i++)
			free(argv[i]);
		free(argv);
		return;
	}
	p->argv = argv;
}

static void pr_respawn(struct loader *ld, json_t *v, void *t)
{
	want_bool(ld, v, &((struct config_process *)t)->respawn);
}

static const struct key_rule process_keys[] = {
	{ "name", true, pr_name },
	{ "run", true, pr_run },
	{ "respawn", false, pr_respawn },
};

static void process_free(struct config_process *p)
{
	free(p->name);
	for (char **a = p->argv; a && *a; a++)
		free(*a);
	free(p->argv);
}

static void top_processes(struct loader *ld, json_t *v, void *t)
{
	struct config *cfg = t;
	if (!want_array(ld, v))
		return;
	size_t n = json_array_size(v);
	if (n == 0)
		return;
	cfg->processes = calloc(n, sizeof *cfg->processes);
	if (!cfg->processes) {
		ld->oom = true;
		return;
	}
	size_t i;
	json_t *pv;
	json_array_foreach(v, i, pv) {
		push_index(ld, i);
		struct config_process *p = &cfg->processes[cfg->n_processes];
		*p = (struct config_process){ .respawn = true };
		if (!json_is_object(pv)) {
			error(ld, "must be an object, not %s", type_name(pv));
			pop(ld);
			continue;
		}
		parse_object(ld, pv, process_keys,
			     sizeof process_keys / sizeof process_keys[0], p);
		const struct config_process *dup =
			p->name ? config_find_process(cfg, p->name) : NULL;
		if (dup) {
			push_key(ld, "name");
			error(ld, "'%s' is already processes[%zu]", p->name,
			      (size_t)(dup - cfg->processes));
			pop(ld);
		}
		if (p->name && p->argv && !dup)
			cfg->n_processes++;
		else
			process_free(p);
		pop(ld);
	}
}

/* Sections other modules read: only their type is checked here. */
static void keep_object(struct loader *ld, json_t *v, json_t **dst)
{
	if (!json_is_object(v)) {
		error(ld, "must be an object, not %s", type_name(v));
		return;
	}
	*dst = json_incref(v);
}

static void top_collector(struct loader *ld, json_t *v, void *t)
{
	keep_object(ld, v, &((struct config *)t)->collector);
}

static void top_http(struct loader *ld, json_t *v, void *t)
{
	keep_object(ld, v, &((struct config *)t)->http);
}

/* In this order: static_rules needs the neighbors. */
static const struct key_rule top_keys[] = {
	{ "router_id", true, top_router_id },
	{ "local_as", true, top_local_as },
	{ "listen", false, top_listen },
	{ "control_socket", false, top_control_socket },
	{ "neighbors", false, top_neighbors },
	{ "static_rules", false, top_static_rules },
	{ "state_file", false, top_state_file },
	{ "audit_log", false, top_audit_log },
	{ "never_filter", false, top_never_filter },
	{ "policy", false, top_policy },
	{ "collector", false, top_collector },
	{ "http", false, top_http },
	{ "user", false, top_user },
	{ "processes", false, top_processes },
};

/* ---- entry points ----------------------------------------------------- */

void config_free(struct config *cfg)
{
	if (!cfg)
		return;
	free(cfg->path);
	free(cfg->control_socket);
	free(cfg->neighbors);
	for (size_t i = 0; i < cfg->n_static_rules; i++)
		static_rule_free(&cfg->static_rules[i]);
	free(cfg->static_rules);
	free(cfg->state_file);
	free(cfg->audit_log);
	free(cfg->never_filter);
	free(cfg->policy);
	free(cfg->user);
	for (size_t i = 0; i < cfg->n_processes; i++)
		process_free(&cfg->processes[i]);
	free(cfg->processes);
	json_decref(cfg->collector);
	json_decref(cfg->http);
	free(cfg);
}

struct config *config_parse(const char *text, size_t len, const char *name,
			    struct config_errors *errs)
{
	struct loader ld = { .name = name, .text = text, .len = len };
	json_error_t jerr;
	json_t *root = json_loadb(text, len, JSON_REJECT_DUPLICATES, &jerr);
	if (!root) {
		char *line = NULL;
		size_t size = strlen(name) + strlen(jerr.text) + 48;
		if ((line = malloc(size)) != NULL) {
			if (jerr.line > 0)
				snprintf(line, size, "%s:%d:%d: %s", name,
					 jerr.line, jerr.column, jerr.text);
			else
				snprintf(line, size, "%s: %s", name, jerr.text);
		}
		errors_take(errs, line);
		return NULL;
	}
	struct config *cfg = calloc(1, sizeof *cfg);
	if (!cfg || !(cfg->path = strdup(name)) ||
	    !(cfg->control_socket = strdup(CONFIG_CONTROL_SOCKET_DEFAULT))) {
		ld.oom = true;
	} else if (!json_is_object(root)) {
		error(&ld, "the configuration must be a JSON object, not %s",
		      type_name(root));
	} else {
		parse_object(&ld, root, top_keys,
			     sizeof top_keys / sizeof top_keys[0], cfg);
	}
	json_decref(root);
	if (flush_errors(&ld, errs)) {
		config_free(cfg);
		return NULL;
	}
	return cfg;
}

struct config *config_load(const char *path, struct config_errors *errs)
{
	FILE *f = fopen(path, "rb");
	char *text = NULL;
	size_t len = 0;
	const char *why = NULL;
	int saved = 0;
	if (!f) {
		saved = errno;
	} else {
		text = malloc(CONFIG_FILE_MAX + 1);
		if (!text) {
			why = "out of memory";
		} else {
			len = fread(text, 1, CONFIG_FILE_MAX + 1, f);
			if (ferror(f))
				saved = errno ? errno : EIO;
			else if (len > CONFIG_FILE_MAX)
				why = "larger than 16 MiB";
		}
		fclose(f);
	}
	if (saved || why) {
		size_t size = strlen(path) + 128;
		char *line = malloc(size);
		if (line)
			snprintf(line, size, "%s: cannot read: %s", path,
				 why ? why : strerror(saved));
		errors_take(errs, line);
		free(text);
		return NULL;
	}
	struct config *cfg = config_parse(text, len, path, errs);
	free(text);
	return cfg;
}

int config_check_main(const char *path)
{
	struct config_errors errs;
	config_errors_init(&errs);
	struct config *cfg = config_load(path, &errs);
	config_errors_print(&errs, stderr);
	config_errors_clear(&errs);
	if (!cfg)
		return EXIT_FAILURE;
	printf("%s: ok\n", path);
	config_free(cfg);
	return fflush(stdout) == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}

const struct bgp_peer_config *config_find_neighbor(const struct config *cfg,
						   const struct addr *addr)
{
	for (size_t i = 0; i < cfg->n_neighbors; i++)
		if (cfg->neighbors[i].address.family == addr->family &&
		    memcmp(cfg->neighbors[i].address.bytes, addr->bytes,
			   addr_octets(addr->family)) == 0)
			return &cfg->neighbors[i];
	return NULL;
}

static bool parse_port(const char *s, uint16_t *port)
{
	if (!*s || strlen(s) > 5)
		return false;
	unsigned v = 0;
	for (; *s; s++) {
		if (*s < '0' || *s > '9')
			return false;
		v = v * 10 + (unsigned)(*s - '0');
	}
	if (v < 1 || v > UINT16_MAX)
		return false;
	*port = (uint16_t)v;
	return true;
}

bool config_parse_hostport(const char *s, uint16_t default_port,
			   struct addr *addr, uint16_t *port)
{
	size_t n = strlen(s);
	if (s[0] == '[') {
		const char *close = strchr(s, ']');
		if (!close || !addr_parse(addr, s + 1, (size_t)(close - s - 1)) ||
		    addr->family != ADDR_V6)
			return false;
		if (!close[1]) {
			*port = default_port;
			return true;
		}
		return close[1] == ':' && parse_port(close + 2, port);
	}
	if (addr_parse(addr, s, n)) {
		*port = default_port;
		return true;
	}
	const char *colon = strrchr(s, ':');
	if (!colon || memchr(s, ':', (size_t)(colon - s)))
		return false;	/* an IPv6 address with a port needs [ ] */
	return addr_parse(addr, s, (size_t)(colon - s)) &&
	       addr->family == ADDR_V4 && parse_port(colon + 1, port);
}

const struct config_process *config_find_process(const struct config *cfg,
						 const char *name)
{
	for (size_t i = 0; i < cfg->n_processes; i++)
		if (strcmp(cfg->processes[i].name, name) == 0)
			return &cfg->processes[i];
	return NULL;
}
