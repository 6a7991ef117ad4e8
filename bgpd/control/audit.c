/* The audit log: see audit.h. */
#include "bgpd/control/audit.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <jansson.h>

#include "lib/log.h"

struct audit_log {
	int fd;			/* -1: the log */
	char *path;
	bool failed;		/* a write failed: logged once */
};

struct audit_log *audit_open(const char *path, char *err, size_t errlen)
{
	struct audit_log *a = calloc(1, sizeof *a);
	if (!a || (path && !(a->path = strdup(path)))) {
		free(a);
		snprintf(err, errlen, "out of memory");
		return NULL;
	}
	a->fd = -1;
	if (path) {
		a->fd = open(path, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC,
			     0600);
		if (a->fd < 0) {
			snprintf(err, errlen, "%s: %s", path, strerror(errno));
			free(a->path);
			free(a);
			return NULL;
		}
	}
	return a;
}

/* A JSON string of s; bytes that are not valid UTF-8 become '?'. */
static json_t *jstr(const char *s)
{
	json_t *j = json_string(s);
	if (j)
		return j;
	char *copy = strdup(s);
	for (char *c = copy; c && *c; c++)
		if ((unsigned char)*c >= 0x80)
			*c = '?';
	j = copy ? json_string(copy) : NULL;
	free(copy);
	return j ? j : json_null();
}

void audit_write(struct audit_log *a, int64_t wall_ms,
		 const struct ctl_audit *entry)
{
	time_t secs = (time_t)(wall_ms / 1000);
	struct tm tm;
	char when[40] = "?";
	if (gmtime_r(&secs, &tm)) {
		size_t n = strftime(when, sizeof when, "%Y-%m-%dT%H:%M:%S", &tm);
		snprintf(when + n, sizeof when - n, ".%03dZ",
			 (int)(wall_ms % 1000));
	}
	json_t *o = json_object();
	json_object_set_new(o, "time", json_string(when));
	json_object_set_new(o, "client", jstr(entry->client));
	json_object_set_new(o, "command", jstr(entry->command));
	json_object_set_new(o, "ok", json_boolean(entry->ok));
	json_object_set_new(o, "result", jstr(entry->result));
	char *line = json_dumps(o, JSON_COMPACT);
	json_decref(o);
	if (!line) {
		log_msg(LOG_ERROR, "audit: out of memory: %s", entry->command);
		return;
	}
	if (a->fd < 0) {
		log_msg(LOG_INFO, "audit: %s", line);
		free(line);
		return;
	}
	size_t n = strlen(line);
	line[n] = '\n';		/* over the NUL: written by length */
	ssize_t w = write(a->fd, line, n + 1);
	if (w != (ssize_t)(n + 1) && !a->failed) {
		a->failed = true;
		log_msg(LOG_ERROR, "audit log %s: write failed (%s): %.*s",
			a->path, w < 0 ? strerror(errno) : "short write",
			(int)n, line);
	}
	free(line);
}

void audit_close(struct audit_log *a)
{
	if (!a)
		return;
	if (a->fd >= 0)
		close(a->fd);
	free(a->path);
	free(a);
}
