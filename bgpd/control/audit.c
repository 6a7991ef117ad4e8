/* The audit log: see audit.h. */
#include "bgpd/control/audit.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <event2/event.h>

#include "lib/log.h"
#include "lib/writer.h"

struct audit_log {
	int fd;			/* -1: the log */
	char *path;
	struct event *flush;	/* runs after the current callback */
	struct writer buf;	/* lines waiting, each ending in '\n' */
	bool failed;		/* a write failed: logged once */
};

static void flush_now(struct audit_log *a)
{
	if (!a->buf.len)
		return;
	if (a->fd < 0) {
		/* The log takes one line at a time. */
		size_t start = 0;
		while (start < a->buf.len) {
			const uint8_t *nl = memchr(a->buf.data + start, '\n',
						   a->buf.len - start);
			size_t end = (size_t)(nl - a->buf.data);
			log_msg(LOG_INFO, "audit: %.*s", (int)(end - start),
				(const char *)a->buf.data + start);
			start = end + 1;
		}
	} else {
		size_t off = 0;
		while (off < a->buf.len) {
			ssize_t w = write(a->fd, a->buf.data + off,
					  a->buf.len - off);
			if (w < 0 && errno == EINTR)
				continue;
			if (w <= 0) {
				if (!a->failed)
					log_msg(LOG_ERROR, "audit log %s: write "
						"failed (%s): %zu octets lost",
						a->path, w < 0 ? strerror(errno)
							       : "no progress",
						a->buf.len - off);
				a->failed = true;
				break;
			}
			off += (size_t)w;
		}
	}
	writer_reset(&a->buf);
}

static void flush_due(evutil_socket_t fd, short what, void *ctx)
{
	(void)fd;
	(void)what;
	flush_now(ctx);
}

struct audit_log *audit_open(struct event_base *base, const char *path,
			     char *err, size_t errlen)
{
	struct audit_log *a = calloc(1, sizeof *a);
	if (!a || (path && !(a->path = strdup(path))) ||
	    !(a->flush = event_new(base, -1, 0, flush_due, a))) {
		if (a)
			free(a->path);
		free(a);
		snprintf(err, errlen, "out of memory");
		return NULL;
	}
	a->fd = -1;
	a->buf = writer_init(0);
	if (path) {
		a->fd = open(path, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC,
			     0600);
		if (a->fd < 0) {
			snprintf(err, errlen, "%s: %s", path, strerror(errno));
			audit_close(a);
			return NULL;
		}
	}
	return a;
}

/* s as a JSON string: '"', '\' and control characters escaped; other
 * octets as they are (the command parser takes UTF-8 only). */
static void put_jstr(struct writer *w, const char *s)
{
	put_u8(w, '"');
	for (; *s; s++) {
		unsigned char c = (unsigned char)*s;
		if (c == '"' || c == '\\') {
			put_u8(w, '\\');
			put_u8(w, c);
		} else if (c < 0x20) {
			char esc[8];
			snprintf(esc, sizeof esc, "\\u%04x", c);
			put_str(w, esc);
		} else {
			put_u8(w, c);
		}
	}
	put_u8(w, '"');
}

void audit_write(struct audit_log *a, int64_t wall_ms,
		 const struct ctl_audit *entry)
{
	time_t secs = (time_t)(wall_ms / 1000);
	struct tm tm;
	char when[48] = "?";
	if (gmtime_r(&secs, &tm)) {
		size_t n = strftime(when, sizeof when, "%Y-%m-%dT%H:%M:%S", &tm);
		snprintf(when + n, sizeof when - n, ".%03dZ",
			 (int)(wall_ms % 1000));
	}
	struct writer *w = &a->buf;
	put_str(w, "{\"time\":\"");
	put_str(w, when);
	put_str(w, "\",\"client\":");
	put_jstr(w, entry->client);
	put_str(w, ",\"command\":");
	put_jstr(w, entry->command);
	put_str(w, entry->ok ? ",\"ok\":true,\"result\":"
			     : ",\"ok\":false,\"result\":");
	put_jstr(w, entry->result);
	put_str(w, "}\n");
	if (w->err) {
		log_msg(LOG_ERROR, "audit: out of memory: %s", entry->command);
		writer_reset(w);
		return;
	}
	if (w->len >= AUDIT_BUFFER_MAX)
		flush_now(a);
	else
		event_active(a->flush, 0, 0);
}

void audit_close(struct audit_log *a)
{
	if (!a)
		return;
	flush_now(a);
	if (a->flush)
		event_free(a->flush);
	if (a->fd >= 0)
		close(a->fd);
	writer_free(&a->buf);
	free(a->path);
	free(a);
}
