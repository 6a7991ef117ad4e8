/* The state file: see state.h. Loading and saving are plain functions on
 * a rib and a path; struct state adds the coalescing timer. */
#include "bgpd/rib/state.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <event2/event.h>
#include <jansson.h>

#include "lib/log.h"
#include "nlri/text.h"

#define STATE_WRITE_FACTOR 4	/* the timer waits 4 x the last write */
#define STATE_IO_BUFFER (1u << 20)

/* ---- saving ---- */

/* s as a JSON string; bytes that are not valid UTF-8 become '?'. */
static void put_jstr(FILE *f, const char *s)
{
	json_t *j = json_string(s);
	if (!j) {
		char *copy = strdup(s);
		for (char *c = copy; c && *c; c++)
			if ((unsigned char)*c >= 0x80)
				*c = '?';
		j = json_string(copy ? copy : "");
		free(copy);
	}
	char *out = j ? json_dumps(j, JSON_ENCODE_ANY) : NULL;
	fputs(out ? out : "null", f);
	free(out);
	json_decref(j);
}

/* s between quotes, '"', '\\' and control characters escaped. */
static void put_ascii(FILE *f, const char *s)
{
	putc('"', f);
	for (; *s; s++) {
		unsigned char c = (unsigned char)*s;
		if (c == '"' || c == '\\')
			fprintf(f, "\\%c", c);
		else if (c < 0x20)
			fprintf(f, "\\u%04x", c);
		else
			putc(c, f);
	}
	putc('"', f);
}

/* One claim line; text is scratch space for the rule's text. */
static bool put_claim(FILE *f, const struct rib_entry *e,
		      const struct rib_claim *c, int64_t wall_minus_mono,
		      struct writer *text)
{
	struct fs_rule view;
	rib_claim_rule(e, c, &view);
	writer_reset(text);
	fs_text_format(text, &view);
	put_u8(text, '\0');
	if (text->err)
		return false;
	fputs("{\"origin\":", f);
	if (c->origin == RIB_ORIGIN_POLICY) {
		char o[RIB_POLICY_NAME_MAX + 8];
		put_jstr(f, rib_claim_origin(c, o, sizeof o));
	} else {
		fprintf(f, "\"%s\"", rib_origin_name(c->origin));
	}
	fputs(",\"rule\":", f);
	put_ascii(f, (const char *)text->data);
	fputs(",\"neighbors\":[", f);
	for (unsigned i = 0; i < c->ntargets; i++) {
		char a[ADDR_STRLEN];
		fprintf(f, "%s\"%s\"", i ? "," : "",
			addr_format(&c->targets[i], a));
	}
	if (c->expires_ms)
		fprintf(f, "],\"expires\":%lld",
			(long long)(c->expires_ms + wall_minus_mono));
	else
		fputs("],\"expires\":null", f);
	fprintf(f, ",\"since\":%lld,\"comment\":",
		(long long)(c->since_ms + wall_minus_mono));
	if (c->comment)
		put_jstr(f, c->comment);
	else
		fputs("null", f);
	fputs("}\n", f);
	return true;
}

static bool kept(const struct rib_claim *c)
{
	return c->origin == RIB_ORIGIN_API || c->origin == RIB_ORIGIN_POLICY;
}

/* fsync of the directory that holds path, so the rename is durable. */
static void sync_dir(const char *path)
{
	char *dir = strdup(path);
	if (!dir)
		return;
	char *slash = strrchr(dir, '/');
	if (slash == dir)
		slash[1] = '\0';
	else if (slash)
		*slash = '\0';
	int fd = open(slash ? dir : ".", O_RDONLY | O_DIRECTORY);
	if (fd >= 0) {
		fsync(fd);
		close(fd);
	}
	free(dir);
}

bool state_save(const struct rib *rib, const char *path,
		const struct state_clock *clk, char *err, size_t errlen)
{
	size_t n = strlen(path) + sizeof ".tmp";
	char *tmp = malloc(n);
	if (!tmp)
		return fail_msg(err, errlen, "out of memory");
	snprintf(tmp, n, "%s.tmp", path);
	int fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
	FILE *f = fd >= 0 ? fdopen(fd, "w") : NULL;
	if (!f) {
		int e = errno;
		if (fd >= 0)
			close(fd);
		fail_msg(err, errlen, "%s: %s", tmp, strerror(e));
		free(tmp);
		return false;
	}
	setvbuf(f, NULL, _IOFBF, STATE_IO_BUFFER);
	int64_t wall = clk->wall_ms(), mono = clk->mono_ms();
	fprintf(f, "{\"flowspecd_state\":%d,\"saved\":%lld}\n", STATE_VERSION,
		(long long)wall);
	size_t lines = 0;
	bool ok = true;
	struct writer text = writer_init(0);
	for (const struct rib_entry *e = rib_next(rib, NULL); e && ok;
	     e = rib_next(rib, e))
		for (const struct rib_claim *c = e->claims; c && ok; c = c->next)
			if (kept(c)) {
				ok = put_claim(f, e, c, wall - mono, &text);
				lines++;
			}
	writer_free(&text);
	fprintf(f, "{\"end\":%zu}\n", lines);
	int e = 0;
	if (!ok)
		e = ENOMEM;
	else if (fflush(f) != 0 || ferror(f) || fsync(fileno(f)) != 0)
		e = errno ? errno : EIO;
	if (fclose(f) != 0 && !e)
		e = errno;
	if (!e && rename(tmp, path) != 0)
		e = errno;
	if (e) {
		unlink(tmp);
		fail_msg(err, errlen, "%s: %s", tmp, strerror(e));
		free(tmp);
		return false;
	}
	free(tmp);
	sync_dir(path);
	return true;
}

/* ---- loading ---- */

/* One claim line into rib; false with the reason in why. */
static bool load_claim(struct rib *rib, json_t *j, int64_t wall, int64_t mono, struct state_loaded *out,
		       char *why, size_t whylen)
{
	const char *origin_s = json_string_value(json_object_get(j, "origin"));
	const char *rule_s = json_string_value(json_object_get(j, "rule"));
	json_t *nb = json_object_get(j, "neighbors");
	json_t *exp = json_object_get(j, "expires");
	json_t *since = json_object_get(j, "since");
	json_t *comment = json_object_get(j, "comment");
	if (!origin_s || !rule_s)
		return fail_msg(why, whylen, "no \"origin\" or \"rule\" string");
	if (!json_is_array(nb) || !(json_is_null(exp) || json_is_integer(exp)) ||
	    !(!since || json_is_integer(since)) ||
	    !(json_is_null(comment) || json_is_string(comment)))
		return fail_msg(why, whylen, "\"neighbors\", \"expires\", "
			    "\"since\" or \"comment\" of the wrong type");
	struct rib_opts o = { 0 };
	if (!rib_origin_parse(origin_s, &o.origin, &o.policy) ||
	    o.origin == RIB_ORIGIN_STATIC)
		return fail_msg(why, whylen, "origin '%s' is not api or "
			    "policy:NAME", origin_s);
	if (json_array_size(nb) > RIB_MAX_TARGETS)
		return fail_msg(why, whylen, "more than %d neighbors",
			    RIB_MAX_TARGETS);
	size_t i;
	json_t *a;
	json_array_foreach(nb, i, a) {
		const char *s = json_string_value(a);
		if (!s || !addr_parse(&o.targets[o.ntargets++], s, strlen(s)))
			return fail_msg(why, whylen, "neighbors[%zu] is not an "
				    "address", i);
	}
	if (json_is_integer(exp)) {
		int64_t at = json_integer_value(exp);
		if (at <= wall) {
			out->expired++;
			return true;
		}
		o.expires_ms = mono + (at - wall);
	}
	if (since && json_integer_value(since) >= 0 &&
	    json_integer_value(since) < wall)		/* else: now */
		o.since_ms = mono - (wall - json_integer_value(since));
	o.comment = json_string_value(comment);

	struct fs_rule r;
	struct fs_text_error terr;
	size_t end;
	if (!fs_text_parse(&r, rule_s, &end, &terr))
		return fail_msg(why, whylen, "rule: col %zu: %s", terr.col,
			    terr.msg);
	enum rib_result res = rib_announce(rib, &r, &o, NULL);
	bool ok = true;
	if (res == RIB_PROTECTED) {
		char pwhy[200];
		rib_protected(rib, &r, pwhy, sizeof pwhy);
		log_msg(LOG_WARN, "state file: not restored: %s: %s", rule_s,
			pwhy);
		out->refused++;
	} else if (res == RIB_ADDED || res == RIB_REPLACED) {
		out->claims++;
	} else {
		ok = fail_msg(why, whylen, "rule table: %s", rib_result_str(res));
	}
	fs_rule_clear(&r);
	return ok;
}

/* Moves a damaged file aside so that the next save does not lose it. */
static void keep_bad(const char *path)
{
	size_t n = strlen(path) + sizeof ".bad";
	char *bad = malloc(n);
	if (!bad)
		return;
	snprintf(bad, n, "%s.bad", path);
	if (rename(path, bad) == 0)
		log_msg(LOG_ERROR, "state file %s: kept as %s", path, bad);
	free(bad);
}

bool state_load(struct rib *rib, const char *path,
		const struct state_clock *clk, struct state_loaded *out,
		char *err, size_t errlen)
{
	*out = (struct state_loaded){ 0 };
	FILE *f = fopen(path, "re");
	if (!f) {
		if (errno == ENOENT)
			return true;
		return fail_msg(err, errlen, "%s: %s", path, strerror(errno));
	}
	int64_t wall = clk->wall_ms(), mono = clk->mono_ms();
	char *line = NULL;
	size_t cap = 0, lineno = 0, lines = 0;
	ssize_t len;
	bool ok = true, ended = false;
	long long end_count = -1;
	while ((len = getline(&line, &cap, f)) > 0) {
		lineno++;
		json_error_t jerr;
		json_t *j = json_loadb(line, (size_t)len, 0, &jerr);
		if (lineno == 1) {
			json_t *v = j ? json_object_get(j, "flowspecd_state")
				      : NULL;
			if (!json_is_integer(v) ||
			    json_integer_value(v) != STATE_VERSION) {
				json_decref(j);
				ok = fail_msg(err, errlen, "%s:1: not a flowspecd "
					  "state file (version %d)", path,
					  STATE_VERSION);
				break;
			}
			json_decref(j);
			continue;
		}
		char why[256];
		json_t *endv = j ? json_object_get(j, "end") : NULL;
		if (json_is_integer(endv)) {
			ended = true;
			end_count = json_integer_value(endv);
		} else if (ended) {
			snprintf(why, sizeof why, "text after the end line");
			out->bad++;
			log_msg(LOG_ERROR, "state file %s:%zu: %s", path,
				lineno, why);
		} else if (!j || !json_is_object(j)) {
			out->bad++;
			log_msg(LOG_ERROR, "state file %s:%zu: %s", path,
				lineno, j ? "not an object" : jerr.text);
		} else {
			lines++;
			if (!load_claim(rib, j, wall, mono, out, why,
					sizeof why)) {
				out->bad++;
				log_msg(LOG_ERROR, "state file %s:%zu: %s",
					path, lineno, why);
			}
		}
		json_decref(j);
	}
	if (ok && ferror(f))
		ok = fail_msg(err, errlen, "%s: %s", path, strerror(errno));
	free(line);
	fclose(f);
	if (!ok || lineno == 0)
		return ok;
	if (!ended || end_count != (long long)lines) {
		out->truncated = true;
		log_msg(LOG_ERROR, "state file %s: truncated (%s): %zu claim "
			"lines read", path, ended ? "count differs" :
			"no end line", lines);
	}
	if (out->bad || out->truncated)
		keep_bad(path);
	return true;
}

/* ---- the coalescing timer ---- */

struct state {
	struct event_base *base;
	struct rib *rib;
	char *path;
	const struct state_clock *clk;
	struct event *timer;
	bool dirty;
	bool armed;
	int64_t next_ok;	/* monotonic: no write before */
	uint64_t writes;
};

static void write_now(struct state *s)
{
	char err[256];
	int64_t t0 = s->clk->mono_ms();
	s->dirty = false;
	if (!state_save(s->rib, s->path, s->clk, err, sizeof err)) {
		log_msg(LOG_ERROR, "state file not written: %s", err);
		s->dirty = true;	/* the timer tries again */
	} else {
		s->writes++;
	}
	int64_t t1 = s->clk->mono_ms();
	int64_t wait = STATE_WRITE_FACTOR * (t1 - t0);
	s->next_ok = t1 + (wait > STATE_WRITE_MIN_MS ? wait : STATE_WRITE_MIN_MS);
}

static void arm(struct state *s)
{
	if (s->armed || !s->dirty)
		return;
	int64_t ms = s->next_ok - s->clk->mono_ms();
	if (ms < 0)
		ms = 0;
	struct timeval tv = { (time_t)(ms / 1000), (suseconds_t)(ms % 1000) * 1000 };
	if (evtimer_add(s->timer, &tv) == 0)
		s->armed = true;
}

static void due(evutil_socket_t fd, short what, void *ctx)
{
	(void)fd;
	(void)what;
	struct state *s = ctx;
	s->armed = false;
	write_now(s);
	arm(s);
}

/* The first change after a write waits STATE_WRITE_MIN_MS too, so a
 * burst of changes is one write. */
static void changed(void *ctx, enum fs_afi afi, const uint8_t *match,
		    size_t len, const struct rib_entry *e)
{
	(void)afi;
	(void)match;
	(void)len;
	(void)e;
	struct state *s = ctx;
	if (!s->dirty) {
		s->dirty = true;
		int64_t soonest = s->clk->mono_ms() + STATE_WRITE_MIN_MS;
		if (s->next_ok < soonest)
			s->next_ok = soonest;
	}
	arm(s);
}

void state_touch(struct state *s)
{
	changed(s, FS_AFI_IPV4, NULL, 0, NULL);
}

struct state *state_new(struct event_base *base, struct rib *rib,
			const char *path, const struct state_clock *clk)
{
	struct state *s = calloc(1, sizeof *s);
	if (!s)
		return NULL;
	*s = (struct state){ .base = base, .rib = rib, .clk = clk,
			     .path = strdup(path) };
	s->timer = evtimer_new(base, due, s);
	struct rib_listener l = { changed, s };
	if (!s->path || !s->timer || !rib_listen(rib, &l)) {
		if (s->timer)
			event_free(s->timer);
		free(s->path);
		free(s);
		return NULL;
	}
	s->next_ok = clk->mono_ms();
	return s;
}

void state_close(struct state *s)
{
	if (!s)
		return;
	struct rib_listener l = { changed, s };
	rib_unlisten(s->rib, &l);
	event_free(s->timer);
	if (s->dirty)
		write_now(s);
	free(s->path);
	free(s);
}

uint64_t state_writes(const struct state *s)
{
	return s->writes;
}
