/* Loading JSON with placed errors: the error lines, the JSON path and
 * the line it is on, typed values, objects with known keys, reading the
 * file and its syntax errors. See loader.h. */
#include "bgpd/loader.h"

#include <errno.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

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

void config_errors_add(struct config_errors *errs, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	char *line = NULL;
	int n = vsnprintf(NULL, 0, fmt, ap);
	va_end(ap);
	if (n >= 0 && (line = malloc((size_t)n + 1)) != NULL) {
		va_start(ap, fmt);
		vsnprintf(line, (size_t)n + 1, fmt, ap);
		va_end(ap);
	}
	errors_take(errs, line);
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
		      const struct ld_seg *seg)
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

static bool seg_eq(const struct ld_seg *a, const struct ld_seg *b)
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
	struct ld_line_memo *m = &ld->memo;
	if (m->line == 0) {
		m->pos[0] = skip_ws(t, len, 0);
		m->n = 0;
		m->line_pos = 0;
		m->line = 1;
	}
	size_t depth = ld->depth < LD_PATH_DEPTH_MAX ? ld->depth : LD_PATH_DEPTH_MAX;
	size_t pos = m->pos[0];
	for (size_t i = 0; i < depth && pos < len; i++) {
		const struct ld_seg *seg = &ld->path[i];
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

void ld_push_key(struct loader *ld, const char *key)
{
	if (ld->depth < LD_PATH_DEPTH_MAX)
		ld->path[ld->depth] = (struct ld_seg){ .key = key };
	ld->depth++;
}

void ld_push_index(struct loader *ld, size_t index)
{
	if (ld->depth < LD_PATH_DEPTH_MAX)
		ld->path[ld->depth] = (struct ld_seg){ .index = index };
	ld->depth++;
}

void ld_pop(struct loader *ld)
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
		struct ld_pending *p = realloc(ld->errs, cap * sizeof *p);
		if (!p) {
			free(line);
			ld->oom = true;
			return;
		}
		ld->errs = p;
		ld->caperrs = cap;
	}
	ld->errs[ld->nerrs] = (struct ld_pending){ line, src_line, ld->nerrs };
	ld->nerrs++;
}

void ld_error(struct loader *ld, const char *fmt, ...)
{
	char path[512] = "";
	size_t n = 0;
	for (size_t i = 0; i < ld->depth && i < LD_PATH_DEPTH_MAX; i++) {
		const struct ld_seg *s = &ld->path[i];
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
	const struct ld_pending *x = a, *y = b;
	size_t lx = x->src_line ? x->src_line : SIZE_MAX;
	size_t ly = y->src_line ? y->src_line : SIZE_MAX;
	if (lx != ly)
		return lx < ly ? -1 : 1;
	return x->seq < y->seq ? -1 : x->seq > y->seq;
}

bool ld_flush(struct loader *ld, struct config_errors *errs, const char *what)
{
	if (ld->nerrs)
		qsort(ld->errs, ld->nerrs, sizeof *ld->errs, pending_cmp);
	for (size_t i = 0; i < ld->nerrs; i++)
		errors_take(errs, ld->errs[i].line);
	if (ld->oom)
		config_errors_add(errs, "out of memory while loading the %s",
				  what);
	bool any = ld->nerrs > 0 || ld->oom;
	free(ld->errs);
	ld->errs = NULL;
	ld->nerrs = ld->caperrs = 0;
	return any;
}

/* ---- typed values ----------------------------------------------------- */

const char *ld_type_name(const json_t *v)
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

bool ld_want_uint(struct loader *ld, const json_t *v, uint64_t min,
		  uint64_t max, uint64_t *out)
{
	if (!json_is_integer(v)) {
		ld_error(ld, "must be an integer (%llu..%llu), not %s",
			 (unsigned long long)min, (unsigned long long)max,
			 ld_type_name(v));
		return false;
	}
	json_int_t i = json_integer_value(v);
	if (i < 0 || (uint64_t)i < min || (uint64_t)i > max) {
		ld_error(ld, "%lld is out of range (%llu..%llu)", (long long)i,
			 (unsigned long long)min, (unsigned long long)max);
		return false;
	}
	*out = (uint64_t)i;
	return true;
}

bool ld_want_bool(struct loader *ld, const json_t *v, bool *out)
{
	if (!json_is_boolean(v)) {
		ld_error(ld, "must be true or false, not %s", ld_type_name(v));
		return false;
	}
	*out = json_is_true(v);
	return true;
}

const char *ld_want_string(struct loader *ld, const json_t *v, size_t max)
{
	if (!json_is_string(v)) {
		ld_error(ld, "must be a string, not %s", ld_type_name(v));
		return NULL;
	}
	const char *s = json_string_value(v);
	size_t n = json_string_length(v);
	if (n == 0) {
		ld_error(ld, "must not be empty");
		return NULL;
	}
	if (strlen(s) != n) {
		ld_error(ld, "must not contain a NUL character");
		return NULL;
	}
	if (max && n > max) {
		ld_error(ld, "is %zu characters long, at most %zu allowed", n, max);
		return NULL;
	}
	return s;
}

void ld_set_string(struct loader *ld, const json_t *v, size_t max,
		   char **dst)
{
	const char *s = ld_want_string(ld, v, max);
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

bool ld_want_addr(struct loader *ld, const json_t *v, struct addr *out)
{
	const char *s = ld_want_string(ld, v, 0);
	if (!s)
		return false;
	if (!addr_parse(out, s, strlen(s))) {
		ld_error(ld, "'%s' is not an IPv4 or IPv6 address", s);
		return false;
	}
	return true;
}

bool ld_want_prefix(struct loader *ld, const json_t *v, struct prefix *p)
{
	const char *s = ld_want_string(ld, v, 0);
	if (!s)
		return false;
	if (!prefix_parse(p, s, strlen(s))) {
		ld_error(ld, "'%s' is not a prefix (ADDR/LEN with no bit set "
			 "past LEN)", s);
		return false;
	}
	return true;
}

void ld_want_prefixes(struct loader *ld, const json_t *v,
		      struct prefix **list, size_t *n)
{
	if (!ld_want_array(ld, v))
		return;
	size_t add = json_array_size(v);
	if (add == 0)
		return;
	struct prefix *l = realloc(*list, (*n + add) * sizeof *l);
	if (!l) {
		ld->oom = true;
		return;
	}
	*list = l;
	size_t i;
	json_t *e;
	json_array_foreach(v, i, e) {
		ld_push_index(ld, i);
		if (ld_want_prefix(ld, e, &l[*n]))
			(*n)++;
		ld_pop(ld);
	}
}

bool ld_want_array(struct loader *ld, const json_t *v)
{
	if (!json_is_array(v)) {
		ld_error(ld, "must be an array, not %s", ld_type_name(v));
		return false;
	}
	return true;
}

/* ---- objects: known keys, required keys, unknown keys ----------------- */

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

void ld_parse_object(struct loader *ld, json_t *obj, const struct ld_key *rules,
		     size_t n, void *target)
{
	for (size_t i = 0; i < n; i++) {
		json_t *v = json_object_get(obj, rules[i].name);
		if (!v) {
			if (rules[i].required)
				ld_error(ld, "missing key '%s'", rules[i].name);
			continue;
		}
		ld_push_key(ld, rules[i].name);
		rules[i].parse(ld, v, target);
		ld_pop(ld);
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
		ld_push_key(ld, key);
		if (best && (best_d <= 2 || best_d * 3 <= strlen(key)))
			ld_error(ld, "unknown key (did you mean '%s'?)", best);
		else
			ld_error(ld, "unknown key");
		ld_pop(ld);
	}
}

/* ---- the file and its syntax ------------------------------------------ */

char *ld_read_file(const char *path, size_t max, size_t *len,
		   struct config_errors *errs)
{
	FILE *f = fopen(path, "rb");
	char *text = NULL;
	const char *why = NULL;
	char too_large[48];
	int saved = 0;
	*len = 0;
	snprintf(too_large, sizeof too_large, "larger than %zu octets", max);
	if (!f) {
		saved = errno;
	} else {
		text = malloc(max + 1);
		if (!text) {
			why = "out of memory";
		} else {
			*len = fread(text, 1, max + 1, f);
			if (ferror(f))
				saved = errno ? errno : EIO;
			else if (*len > max)
				why = too_large;
		}
		fclose(f);
	}
	if (saved || why) {
		config_errors_add(errs, "%s: cannot read: %s", path,
				  why ? why : strerror(saved));
		free(text);
		return NULL;
	}
	text[*len] = '\0';
	return text;
}

json_t *ld_parse_json(const char *text, size_t len, const char *name,
		      struct config_errors *errs)
{
	json_error_t jerr;
	json_t *root = json_loadb(text, len, JSON_REJECT_DUPLICATES, &jerr);
	if (root)
		return root;
	if (jerr.line > 0)
		config_errors_add(errs, "%s:%d:%d: %s", name, jerr.line,
				  jerr.column, jerr.text);
	else
		config_errors_add(errs, "%s: %s", name, jerr.text);
	return NULL;
}
