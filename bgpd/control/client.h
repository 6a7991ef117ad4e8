/* The client side of the control socket protocol (ctl.h): connecting and
 * splitting the server's output into lines. Used by flowspecctl and the
 * tests; no libevent. */
#ifndef BGPD_CONTROL_CLIENT_H
#define BGPD_CONTROL_CLIENT_H

#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>

/* Connects to the control socket at path (blocking). Returns the socket,
 * or -1 with a one-line reason in err: "cannot connect to PATH: No such
 * file or directory (is flowspecd running?)". */
int ctl_client_connect(const char *path, char *err, size_t errlen);

/* Writes all n octets (blocking; no SIGPIPE). False with errno set. */
bool ctl_client_write(int fd, const void *data, size_t n);

/* What the server sent, split into lines. */
struct ctl_lines {
	char *buf;
	size_t len, cap;
	size_t off;		/* start of the first line not yet taken */
};

void ctl_lines_init(struct ctl_lines *l);
void ctl_lines_free(struct ctl_lines *l);
/* One read() from fd into l: the octets read, 0 at end of file, -1 on an
 * error (errno set; EAGAIN for a non-blocking socket with nothing). */
ssize_t ctl_lines_read(struct ctl_lines *l, int fd);
/* The next complete line (NUL-terminated in place, without its newline),
 * or NULL when none is complete. Valid until the next call on l. */
char *ctl_lines_next(struct ctl_lines *l);

/* The kind of a reply line. */
enum ctl_line_kind { CTL_LINE_BODY, CTL_LINE_OK, CTL_LINE_ERROR };
enum ctl_line_kind ctl_line_kind(const char *line);

#endif
