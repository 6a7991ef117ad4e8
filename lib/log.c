/* Logging: see log.h. */
#include "log.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>

static enum log_level max_level = LOG_INFO;
static const char *const level_names[] = {
	[LOG_ERROR] = "error",
	[LOG_WARN] = "warning",
	[LOG_INFO] = "info",
	[LOG_DEBUG] = "debug",
};

void log_set_level(enum log_level level)
{
	max_level = level;
}

static void vlog(enum log_level level, const char *peer, const char *fmt,
		 va_list ap)
{
	if (level > max_level)
		return;
	fprintf(stderr, "flowspecd: %s: ", level_names[level]);
	if (peer)
		fprintf(stderr, "peer %s: ", peer);
	vfprintf(stderr, fmt, ap);
	fputc('\n', stderr);
}

void log_msg(enum log_level level, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	vlog(level, NULL, fmt, ap);
	va_end(ap);
}

void log_peer(enum log_level level, const char *peer, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	vlog(level, peer, fmt, ap);
	va_end(ap);
}

void fatal(const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	vlog(LOG_ERROR, NULL, fmt, ap);
	va_end(ap);
	exit(EXIT_FAILURE);
}

bool fail_msg(char *err, size_t errlen, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(err, errlen, fmt, ap);
	va_end(ap);
	return false;
}
