/* What every libFuzzer harness here shares. A harness defines FUZZ_NAME
 * (its program name) before including this. */
#ifndef TESTS_FUZZ_FUZZ_H
#define TESTS_FUZZ_FUZZ_H

#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* A property the input broke: "FUZZ_NAME: message" on stderr, then
 * abort(), so libFuzzer keeps the input as a crash. */
__attribute__((format(printf, 1, 2), noreturn)) static inline void
die(const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	fputs(FUZZ_NAME ": ", stderr);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	abort();
}

#endif
