/* Logging to stderr with levels. Peer faults go through log_peer() so they
 * name the peer and stay apart from local bugs; fatal() is for start-up
 * errors and broken invariants only. */
#ifndef LIB_LOG_H
#define LIB_LOG_H

#include <stdbool.h>
#include <stddef.h>

enum log_level { LOG_ERROR, LOG_WARN, LOG_INFO, LOG_DEBUG };

/* Each message is one line on stderr,
 *   "flowspecd: LEVEL: [peer PEER: ]MESSAGE"
 * with LEVEL error, warning, info or debug. Messages of a level past the
 * one set (LOG_INFO until set) are dropped. */
void log_set_level(enum log_level level);
void log_msg(enum log_level level, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
/* A fault of the remote side (a BGP peer, an exporter, a client). */
void log_peer(enum log_level level, const char *peer, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
/* Logs the message as an error and exits with EXIT_FAILURE. */
_Noreturn void fatal(const char *fmt, ...)
	__attribute__((format(printf, 1, 2)));
/* For functions that return false "with a one-line reason in err":
 * formats the reason into err (errlen octets, always NUL-terminated) and
 * returns false. */
bool fail_msg(char *err, size_t errlen, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

#endif
