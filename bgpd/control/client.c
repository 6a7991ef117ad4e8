/* Control socket client helpers: see client.h. */
#include "bgpd/control/client.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#ifndef MSG_NOSIGNAL
#define MSG_NOSIGNAL 0	/* the caller ignores SIGPIPE instead */
#endif

#define READ_CHUNK 65536

int ctl_client_connect(const char *path, char *err, size_t errlen)
{
	struct sockaddr_un sun = { .sun_family = AF_UNIX };
	if (strlen(path) >= sizeof sun.sun_path) {
		snprintf(err, errlen, "control socket path %s is too long",
			 path);
		return -1;
	}
	memcpy(sun.sun_path, path, strlen(path));
	int fd = socket(AF_UNIX, SOCK_STREAM, 0);
	if (fd < 0) {
		snprintf(err, errlen, "socket: %s", strerror(errno));
		return -1;
	}
	if (connect(fd, (const struct sockaddr *)&sun, sizeof sun) != 0) {
		int e = errno;
		close(fd);
		snprintf(err, errlen, "cannot connect to %s: %s%s", path,
			 strerror(e),
			 e == ENOENT || e == ECONNREFUSED
				 ? " (is flowspecd running?)" : "");
		return -1;
	}
	return fd;
}

bool ctl_client_write(int fd, const void *data, size_t n)
{
	const char *p = data;
	while (n > 0) {
		ssize_t w = send(fd, p, n, MSG_NOSIGNAL);
		if (w < 0 && errno == EINTR)
			continue;
		if (w <= 0)
			return false;
		p += w;
		n -= (size_t)w;
	}
	return true;
}

void ctl_lines_init(struct ctl_lines *l)
{
	memset(l, 0, sizeof *l);
}

void ctl_lines_free(struct ctl_lines *l)
{
	free(l->buf);
	memset(l, 0, sizeof *l);
}

ssize_t ctl_lines_read(struct ctl_lines *l, int fd)
{
	if (l->off > 0) {	/* drop the lines already taken */
		memmove(l->buf, l->buf + l->off, l->len - l->off);
		l->len -= l->off;
		l->off = 0;
	}
	if (l->cap - l->len < READ_CHUNK) {
		size_t cap = l->len + READ_CHUNK + 1;
		char *buf = realloc(l->buf, cap);
		if (!buf) {
			errno = ENOMEM;
			return -1;
		}
		l->buf = buf;
		l->cap = cap;
	}
	ssize_t n;
	do
		n = read(fd, l->buf + l->len, READ_CHUNK);
	while (n < 0 && errno == EINTR);
	if (n > 0)
		l->len += (size_t)n;
	return n;
}

char *ctl_lines_next(struct ctl_lines *l)
{
	if (l->off >= l->len)
		return NULL;
	char *start = l->buf + l->off;
	char *nl = memchr(start, '\n', l->len - l->off);
	if (!nl)
		return NULL;
	*nl = '\0';
	l->off = (size_t)(nl - l->buf) + 1;
	return start;
}

enum ctl_line_kind ctl_line_kind(const char *line)
{
	if (strcmp(line, "ok") == 0)
		return CTL_LINE_OK;
	if (strncmp(line, "error:", 6) == 0)
		return CTL_LINE_ERROR;
	return CTL_LINE_BODY;
}
