/* Loading a JSON file with every error collected and placed: the config
 * loader and the policy file share it. A struct loader follows the JSON
 * path the parser is at (ld_push_key / ld_push_index / ld_pop), and each
 * ld_error becomes one line
 *   FILE: neighbors[1].remote_as: message (line N)
 * with the line found by walking the source text to that path. Syntax
 * errors (jansson stops at the first) read FILE:LINE:COL: message. */
#ifndef BGPD_LOADER_H
#define BGPD_LOADER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include <jansson.h>

#include "lib/addr.h"

#define LD_PATH_DEPTH_MAX 8

/* The error lines of one load, in file order (errors without a line
 * last). Each line is complete ("FILE: path: message (line N)"), without
 * a newline. */
struct config_errors {
	char **lines;
	size_t n;
	size_t cap;
};

void config_errors_init(struct config_errors *errs);
void config_errors_clear(struct config_errors *errs);	/* NULL-safe */
/* Prints every line followed by a newline. */
void config_errors_print(const struct config_errors *errs, FILE *f);
/* Appends a formatted line (no path, no line number) to errs. */
void config_errors_add(struct config_errors *errs, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

/* One step of a JSON path: an object key, or (key NULL) an array index. */
struct ld_seg {
	const char *key;
	size_t index;
};

/* An error line waiting to be sorted into file order. */
struct ld_pending {
	char *line;
	size_t src_line;	/* 0: not known, sorted last */
	size_t seq;
};

/* Where the last path was found in the text: the value after each of its
 * first n segments, and a line number at a known offset. The next error
 * usually lies at the same place or a later array element, so the search
 * goes on from there instead of from the start: errors on every one of
 * 100,000 static rules cost one pass over the file, not one pass each. */
struct ld_line_memo {
	struct ld_seg path[LD_PATH_DEPTH_MAX];
	size_t pos[LD_PATH_DEPTH_MAX + 1];	/* pos[0]: the top-level value */
	size_t n;			/* segments of path that are valid */
	size_t line_pos, line;		/* line is the line of offset line_pos */
};

/* Initialise with { .name = FILE, .text = source, .len = its length }
 * (text may be NULL: no line numbers); hand the errors over with
 * ld_flush. */
struct loader {
	const char *name;	/* FILE in the messages */
	const char *text;	/* the source, for finding lines */
	size_t len;
	struct ld_seg path[LD_PATH_DEPTH_MAX];
	size_t depth;
	struct ld_line_memo memo;
	struct ld_pending *errs;
	size_t nerrs, caperrs;
	bool oom;		/* set on allocation failure: reported once */
};

void ld_push_key(struct loader *ld, const char *key);
void ld_push_index(struct loader *ld, size_t index);
void ld_pop(struct loader *ld);
/* Records "FILE: path: message (line N)" for the current path. */
void ld_error(struct loader *ld, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
/* Moves the errors, in file order, into errs (what = what was loaded, for
 * the out-of-memory line); true when there were any. */
bool ld_flush(struct loader *ld, struct config_errors *errs, const char *what);

/* "an object", "a string", …: for messages. */
const char *ld_type_name(const json_t *v);
/* Typed values: each reports its own error at the current path and
 * returns false (NULL) when v is not what is wanted. */
bool ld_want_uint(struct loader *ld, const json_t *v, uint64_t min,
		  uint64_t max, uint64_t *out);
bool ld_want_bool(struct loader *ld, const json_t *v, bool *out);
/* A string of 1..max characters (max 0: no limit). */
const char *ld_want_string(struct loader *ld, const json_t *v, size_t max);
/* Replaces *dst with a copy of a valid string value. */
void ld_set_string(struct loader *ld, const json_t *v, size_t max,
		   char **dst);
bool ld_want_addr(struct loader *ld, const json_t *v, struct addr *out);
/* A prefix string ("10.50.0.0/16", no bit set past the length). */
bool ld_want_prefix(struct loader *ld, const json_t *v, struct prefix *p);
/* An array of prefixes, appended to *list (*n of them); each bad one is
 * an error at its index. */
void ld_want_prefixes(struct loader *ld, const json_t *v,
		      struct prefix **list, size_t *n);
bool ld_want_array(struct loader *ld, const json_t *v);

/* One known key of an object and its parser (v is its value, target the
 * ld_parse_object caller's). */
struct ld_key {
	const char *name;
	bool required;
	void (*parse)(struct loader *ld, json_t *v, void *target);
};
/* Runs the keys' parsers on obj's keys (in table order), then reports
 * every missing required key and every unknown key (with the closest
 * known one as a hint). */
void ld_parse_object(struct loader *ld, json_t *obj, const struct ld_key *keys,
		     size_t n, void *target);

/* Reads the file at path (at most max octets) into a new NUL-terminated
 * buffer (free() it), *len its length; NULL with one line in errs when
 * it cannot be read or is bigger. */
char *ld_read_file(const char *path, size_t max, size_t *len,
		   struct config_errors *errs);
/* Parses text as JSON (duplicate keys refused); NULL with the syntax
 * error ("FILE:LINE:COL: message") added to errs. */
json_t *ld_parse_json(const char *text, size_t len, const char *name,
		      struct config_errors *errs);

#endif
