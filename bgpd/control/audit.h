/* The audit log (`audit_log` in the config): one JSON line per change
 * made through flowspecctl or the HTTP API (struct ctl_audit), appended
 * with one write(2) each, so a line is never split and nothing waits in a
 * buffer when the daemon dies:
 *   {"time":"2026-12-04T18:30:00.123Z","client":"uid 0 pid 1234",
 *    "command":"announce flow route { … }","ok":true,
 *    "result":"added id 7: flow route { … }"}
 * Without a file the same line goes to the log (info level). */
#ifndef BGPD_CONTROL_AUDIT_H
#define BGPD_CONTROL_AUDIT_H

#include <stddef.h>
#include <stdint.h>

#include "bgpd/control/ctl.h"

struct audit_log;

/* Opens path for appending (created with mode 0600), or the log when
 * path is NULL. NULL with a one-line reason in err. */
struct audit_log *audit_open(const char *path, char *err, size_t errlen);
/* Appends one line for entry at wall-clock time wall_ms (Unix ms). */
void audit_write(struct audit_log *a, int64_t wall_ms,
		 const struct ctl_audit *entry);
void audit_close(struct audit_log *a);	/* NULL-safe */

#endif
