/* Unit tests for the audit log (bgpd/control/audit.h): the documented
 * line, read back with jansson; escaping; lines written after the
 * callback that made them, or at once past AUDIT_BUFFER_MAX; close writes
 * what waits. */
#include <stdio.h>
#include <unistd.h>

#include <event2/event.h>
#include <jansson.h>

#include "bgpd/control/audit.h"
#include "vectors.h"

static char dir[64], path[128];

static void setup(void)
{
	snprintf(dir, sizeof dir, "/tmp/test_audit.XXXXXX");
	ck_assert_ptr_nonnull(mkdtemp(dir));
	snprintf(path, sizeof path, "%s/audit.log", dir);
}

static void teardown(void)
{
	unlink(path);
	rmdir(dir);
}

static size_t lines_in(const char *p)
{
	FILE *f = fopen(p, "r");
	if (!f)
		return 0;
	size_t n = 0;
	int c;
	while ((c = getc(f)) != EOF)
		n += c == '\n';
	fclose(f);
	return n;
}

START_TEST(lines_after_the_callback)
{
	struct event_base *base = event_base_new();
	char err[128];
	struct audit_log *a = audit_open(base, path, err, sizeof err);
	ck_assert_msg(a != NULL, "%s", err);
	struct ctl_audit ok = {
		.client = "uid 0 pid 7",
		.command = "announce flow route { match { destination "
			   "10.0.0.1/32; } then { discard; } } comment \"a \\\"b\\\"\"",
		.ok = true,
		.result = "added id 1: flow route { … }",
	};
	struct ctl_audit bad = { .client = "uid 1000 pid 8",
				 .command = "withdraw x\t",
				 .ok = false, .result = "no rule with this match" };
	/* 2026-12-04T18:30:00.123Z */
	audit_write(a, 1796409000123, &ok);
	audit_write(a, 1796409000999, &bad);
	ck_assert_uint_eq(lines_in(path), 0);
	event_base_loop(base, EVLOOP_NONBLOCK);
	ck_assert_uint_eq(lines_in(path), 2);

	FILE *f = fopen(path, "r");
	char line[1024];
	ck_assert_ptr_nonnull(fgets(line, sizeof line, f));
	ck_assert_str_eq(line, "{\"time\":\"2026-12-04T18:30:00.123Z\","
			 "\"client\":\"uid 0 pid 7\",\"command\":\"announce flow "
			 "route { match { destination 10.0.0.1/32; } then { "
			 "discard; } } comment \\\"a \\\\\\\"b\\\\\\\"\\\"\","
			 "\"ok\":true,\"result\":\"added id 1: flow route { … }\"}\n");
	json_error_t jerr;
	json_t *j = json_loads(line, 0, &jerr);
	ck_assert_msg(j != NULL, "%s", jerr.text);
	ck_assert_str_eq(json_string_value(json_object_get(j, "command")),
			 ok.command);
	json_decref(j);
	ck_assert_ptr_nonnull(fgets(line, sizeof line, f));
	j = json_loads(line, 0, &jerr);
	ck_assert_msg(j != NULL, "%s", jerr.text);
	ck_assert(json_is_false(json_object_get(j, "ok")));
	ck_assert_str_eq(json_string_value(json_object_get(j, "command")),
			 "withdraw x\t");
	json_decref(j);
	fclose(f);

	/* A burst larger than the buffer goes out without the loop. */
	size_t n = 0;
	while (lines_in(path) == 2 && n < 10000) {
		audit_write(a, 1796409001000, &ok);
		n++;
	}
	ck_assert_uint_lt(n, 10000);
	ck_assert_uint_gt(n, AUDIT_BUFFER_MAX / 1024);	/* lines < 1 KiB */
	/* Close writes the rest. */
	audit_write(a, 1796409001000, &bad);
	audit_close(a);
	ck_assert_uint_eq(lines_in(path), 2 + n + 1);
	event_base_free(base);
}
END_TEST

static Suite *audit_suite(void)
{
	Suite *s = suite_create("audit");
	TCase *tc = tcase_create("file");
	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, lines_after_the_callback);
	suite_add_tcase(s, tc);
	return s;
}

TEST_MAIN(audit_suite)
