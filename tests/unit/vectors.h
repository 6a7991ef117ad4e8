/* Shared glue for the Check unit tests: byte vectors written as named
 * octets, hex vectors, exact-size copies (so ASan sees every overread) and
 * the common main(). Header-only; each test_*.c is its own program. */
#ifndef TESTS_UNIT_VECTORS_H
#define TESTS_UNIT_VECTORS_H

#include <check.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "lib/hex.h"
#include "lib/writer.h"

/* A view of test octets. VEC(FS_TYPE_DST_PREFIX, 24, 192, 0, 2) builds one
 * from a list of octets. */
struct vec {
	const uint8_t *data;
	size_t len;
};
#define VEC(...)                                                         \
	((struct vec){ (const uint8_t[]){ __VA_ARGS__ },                 \
		       sizeof((const uint8_t[]){ __VA_ARGS__ }) })

/* The octets of hex text (spaces allowed), in a writer the caller frees. */
static inline struct writer hex_vec(const char *text)
{
	struct writer w = writer_init(0);
	ck_assert_msg(hex_decode(&w, text), "bad hex in test: %s", text);
	return w;
}

/* A heap copy of exactly n octets: reading one past it is an ASan error. */
static inline uint8_t *exact_copy(const void *p, size_t n)
{
	uint8_t *c = malloc(n ? n : 1);
	ck_assert_ptr_nonnull(c);
	if (n)
		memcpy(c, p, n);
	return c;
}

/* Asserts that n octets at got are the octets of want. */
#define ck_assert_octets(got, n, want)                                   \
	do {                                                             \
		struct vec want_ = (want);                               \
		ck_assert_uint_eq((n), want_.len);                       \
		ck_assert_mem_eq((got), want_.data, want_.len);          \
	} while (0)

/* Asserts that writer w holds exactly the octets of hex text. */
#define ck_assert_writer_hex(w, text)                                    \
	do {                                                             \
		struct writer hx_ = hex_vec(text);                       \
		ck_assert(!(w)->err);                                    \
		ck_assert_uint_eq((w)->len, hx_.len);                    \
		ck_assert_mem_eq((w)->data, hx_.data, hx_.len);          \
		writer_free(&hx_);                                       \
	} while (0)

/* Adds a test case holding the given tests to suite s. */
#define ADD_CASE(s, name, ...)                                           \
	do {                                                             \
		TCase *tc_ = tcase_create(name);                         \
		tcase_set_timeout(tc_, 120);                             \
		const TTest *tests_[] = { __VA_ARGS__ };                 \
		for (size_t i_ = 0; i_ < sizeof tests_ / sizeof *tests_; \
		     i_++)                                               \
			_tcase_add_test(tc_, tests_[i_], 0, 0, 0, 1);    \
		suite_add_tcase((s), tc_);                               \
	} while (0)

/* main() for a test program whose suite is built by make_suite(). */
#define TEST_MAIN(make_suite)                                            \
	int main(void)                                                   \
	{                                                                \
		SRunner *sr = srunner_create(make_suite());              \
		srunner_run_all(sr, CK_ENV);                             \
		int failed = srunner_ntests_failed(sr);                  \
		srunner_free(sr);                                        \
		return failed ? EXIT_FAILURE : EXIT_SUCCESS;             \
	}

#endif
