/* The audit log (`audit_log` in the config): one JSON line per change
 * made through flowspecctl or the HTTP API (struct ctl_audit):
 *   {"time":"2026-12-04T18:30:00.123Z","client":"uid 0 pid 1234",
 *    "command":"announce flow route { … }","ok":true,
 *    "result":"added id 7: flow route { … }"}
 * Lines are gathered while the event loop runs one callback (a batch of
 * commands from one client) and appended with one write(2) right after
 * it, or as soon as AUDIT_BUFFER_MAX octets are waiting; so a kill -9
 * loses at most the lines of the commands whose callback was running.
 * Without a file the same lines go to the log (info level). */
#ifndef BGPD_CONTROL_AUDIT_H
#define BGPD_CONTROL_AUDIT_H

#include <stddef.h>
#include <stdint.h>

#include "bgpd/control/ctl.h"

struct event_base;
struct audit_log;

#define AUDIT_BUFFER_MAX (64u << 10)

/* Opens path for appending (created with mode 0600), or the log when
 * path is NULL; lines are written from base's loop. NULL with a one-line
 * reason in err. */
struct audit_log *audit_open(struct event_base *base, const char *path,
			     char *err, size_t errlen);
/* Adds one line for entry at wall-clock time wall_ms (Unix ms). */
void audit_write(struct audit_log *a, int64_t wall_ms,
		 const struct ctl_audit *entry);
/* Writes what is waiting and closes the file. NULL-safe. */
void audit_close(struct audit_log *a);

#endif
