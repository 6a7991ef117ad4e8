/* Unit tests for the state file (bgpd/rib/state.h): a round trip across a
 * "restart" with another monotonic clock (remaining lifetimes kept,
 * expired claims dropped, static claims not stored), the exact file
 * format, a truncated file, a bad line, a file that is not a state file,
 * a missing file; and the coalescing timer on a real event loop. */
#include <stdio.h>
#include <sys/stat.h>
#include <unistd.h>

#include <event2/event.h>

#include "bgpd/rib/state.h"
#include "nlri/text.h"
#include "vectors.h"

static int64_t mono = 5000, wall = 1700000000000;
static int64_t mono_clock(void)
{
	return mono;
}
static int64_t wall_clock(void)
{
	return wall;
}
static const struct state_clock clk = { mono_clock, wall_clock };

static char dir[64], path[128];

static void setup(void)
{
	snprintf(dir, sizeof dir, "/tmp/test_state.XXXXXX");
	ck_assert_ptr_nonnull(mkdtemp(dir));
	snprintf(path, sizeof path, "%s/state.json", dir);
}

static void teardown(void)
{
	char p[160];
	const char *names[] = { "state.json", "state.json.bad",
				"state.json.tmp" };
	for (size_t i = 0; i < 3; i++) {
		snprintf(p, sizeof p, "%s/%s", dir, names[i]);
		unlink(p);
	}
	rmdir(dir);
}

static void announce(struct rib *rib, const char *text,
		     const struct rib_opts *o)
{
	struct fs_rule r;
	struct fs_text_error err;
	ck_assert_msg(fs_text_parse(&r, text, NULL, &err), "%s", err.msg);
	enum rib_result res = rib_announce(rib, &r, o, NULL);
	ck_assert_msg(res == RIB_ADDED || res == RIB_REPLACED, "%s: %s", text,
		      rib_result_str(res));
	fs_rule_clear(&r);
}

static const struct rib_entry *find(struct rib *rib, const char *text)
{
	struct fs_rule r;
	struct fs_text_error err;
	ck_assert(fs_text_parse(&r, text, NULL, &err));
	const struct rib_entry *e = rib_find(rib, r.afi, r.match.data,
					     r.match.len);
	fs_rule_clear(&r);
	return e;
}

static char *slurp(const char *p)
{
	FILE *f = fopen(p, "r");
	ck_assert_ptr_nonnull(f);
	static char buf[8192];
	size_t n = fread(buf, 1, sizeof buf - 1, f);
	buf[n] = '\0';
	fclose(f);
	return buf;
}

static void spit(const char *p, const char *text)
{
	FILE *f = fopen(p, "w");
	ck_assert_ptr_nonnull(f);
	fputs(text, f);
	fclose(f);
}

#define R1 "flow route { match { destination 10.0.0.1/32; } then { discard; } }"
#define R2 "flow route { match { destination 10.0.0.2/32; protocol =tcp; } then { rate-limit 1000; } }"
#define R3 "flow route { match { destination 10.0.0.3/32; } then { discard; } }"
#define R6 "flow route { match { destination 2001:db8::/64; } then { redirect 65000:100; } }"

START_TEST(round_trip_across_a_restart)
{
	mono = 5000;
	wall = 1700000000000;
	struct rib *rib = rib_new(mono_clock);
	struct rib_opts api = { .origin = RIB_ORIGIN_API, .ttl_s = 100,
				.comment = "ticket \"7\" \xc3\xa9", .ntargets = 1 };
	addr_parse(&api.targets[0], "192.0.2.1", 9);
	announce(rib, R1, &api);
	struct rib_opts shortlived = { .origin = RIB_ORIGIN_API, .ttl_s = 2 };
	announce(rib, R2, &shortlived);
	struct rib_opts pol = { .origin = RIB_ORIGIN_POLICY, .policy = "flood",
				.ttl_s = 600 };
	announce(rib, R1, &pol);
	struct rib_opts forever = { .origin = RIB_ORIGIN_API };
	announce(rib, R6, &forever);
	struct rib_opts st = { .origin = RIB_ORIGIN_STATIC };
	announce(rib, R3, &st);
	/* 2 s on, the policy extends its claim: "since" stays. */
	mono += 2000;
	wall += 2000;
	announce(rib, R1, &pol);
	char err[256];
	ck_assert_msg(state_save(rib, path, &clk, err, sizeof err), "%s", err);
	rib_free(rib);

	/* The documented format, line by line (state.h). */
	ck_assert_str_eq(slurp(path),
		"{\"flowspecd_state\":1,\"saved\":1700000002000}\n"
		"{\"origin\":\"api\",\"rule\":\"" R1 "\",\"neighbors\":[\"192.0.2.1\"],"
		"\"expires\":1700000100000,\"since\":1700000000000,"
		"\"comment\":\"ticket \\\"7\\\" \xc3\xa9\"}\n"
		"{\"origin\":\"policy:flood\",\"rule\":\"" R1 "\",\"neighbors\":[],"
		"\"expires\":1700000602000,\"since\":1700000000000,\"comment\":null}\n"
		"{\"origin\":\"api\",\"rule\":\"" R2 "\",\"neighbors\":[],"
		"\"expires\":1700000002000,\"since\":1700000000000,\"comment\":null}\n"
		"{\"origin\":\"api\",\"rule\":\"" R6 "\",\"neighbors\":[],"
		"\"expires\":null,\"since\":1700000000000,\"comment\":null}\n"
		"{\"end\":4}\n");

	/* A reboot: the monotonic clock starts again, 30 s have passed. */
	ck_assert_int_eq(wall, 1700000002000);
	mono = 100;
	wall += 30000;
	rib = rib_new(mono_clock);
	struct state_loaded ld;
	ck_assert_msg(state_load(rib, path, &clk, &ld, err, sizeof err), "%s",
		      err);
	ck_assert_uint_eq(ld.claims, 3);
	ck_assert_uint_eq(ld.expired, 1);
	ck_assert_uint_eq(ld.bad, 0);
	ck_assert(!ld.truncated);
	ck_assert_uint_eq(rib_count(rib), 2);
	ck_assert_ptr_null(find(rib, R2));
	ck_assert_ptr_null(find(rib, R3));
	const struct rib_entry *e = find(rib, R1);
	ck_assert_ptr_nonnull(e);
	const struct rib_claim *a = rib_claim_of(e, RIB_ORIGIN_API, NULL);
	ck_assert_int_eq(a->expires_ms, 100 + 68000);
	ck_assert_str_eq(a->comment, "ticket \"7\" \xc3\xa9");
	ck_assert_uint_eq(a->ntargets, 1);
	const struct rib_claim *p = rib_claim_of(e, RIB_ORIGIN_POLICY, "flood");
	ck_assert_int_eq(p->expires_ms, 100 + 570000);
	/* First claimed 32 s before the restart, on the new clock. */
	ck_assert_int_eq(p->since_ms, 100 - 32000);
	ck_assert_int_eq(a->since_ms, 100 - 32000);
	e = find(rib, R6);
	ck_assert_int_eq(e->expires_ms, 0);
	ck_assert_str_eq(rib_entry_text(e), R6);
	/* A clean file is not moved aside. */
	struct stat sb;
	ck_assert_int_eq(stat(path, &sb), 0);
	rib_free(rib);
}
END_TEST

START_TEST(damaged_files)
{
	mono = 0;
	wall = 1700000000000;
	char err[256], bad[160];
	snprintf(bad, sizeof bad, "%s.bad", path);
	struct state_loaded ld;
	struct rib *rib = rib_new(mono_clock);

	/* Missing: nothing to load. */
	ck_assert(state_load(rib, path, &clk, &ld, err, sizeof err));
	ck_assert_uint_eq(ld.claims, 0);

	/* Truncated inside a line (no end line): what reads back. */
	spit(path, "{\"flowspecd_state\":1,\"saved\":1700000000000}\n"
		   "{\"origin\":\"api\",\"rule\":\"" R1 "\",\"neighbors\":[],"
		   "\"expires\":null,\"comment\":null}\n"
		   "{\"origin\":\"api\",\"rule\":\"flow route { mat");
	ck_assert(state_load(rib, path, &clk, &ld, err, sizeof err));
	ck_assert_uint_eq(ld.claims, 1);
	ck_assert_uint_eq(ld.bad, 1);
	ck_assert(ld.truncated);
	ck_assert_ptr_nonnull(find(rib, R1));
	ck_assert_int_eq(access(path, F_OK), -1);
	ck_assert_int_eq(access(bad, F_OK), 0);
	unlink(bad);

	/* A bad line among good ones; a count that differs. */
	spit(path, "{\"flowspecd_state\":1,\"saved\":1700000000000}\n"
		   "{\"origin\":\"static\",\"rule\":\"" R2 "\",\"neighbors\":[],"
		   "\"expires\":null,\"comment\":null}\n"
		   "{\"origin\":\"api\",\"rule\":\"" R3 "\",\"neighbors\":[\"x\"],"
		   "\"expires\":null,\"comment\":null}\n"
		   "{\"origin\":\"policy:p\",\"rule\":\"" R6 "\",\"neighbors\":[],"
		   "\"expires\":1700000005000,\"comment\":null}\n"
		   "{\"origin\":\"api\",\"rule\":\"" R2 "\",\"neighbors\":[],"
		   "\"expires\":null,\"since\":\"monday\",\"comment\":null}\n"
		   "{\"end\":5}\n");
	ck_assert(state_load(rib, path, &clk, &ld, err, sizeof err));
	ck_assert_uint_eq(ld.claims, 1);
	ck_assert_uint_eq(ld.bad, 3);
	ck_assert(ld.truncated);
	ck_assert_ptr_null(find(rib, R2));
	ck_assert_ptr_null(find(rib, R3));
	ck_assert_int_eq(find(rib, R6)->expires_ms, 5000);
	unlink(bad);

	/* Not a state file: refused, and left where it is. */
	spit(path, "root:x:0:0:root:/root:/bin/bash\n");
	ck_assert(!state_load(rib, path, &clk, &ld, err, sizeof err));
	ck_assert_ptr_nonnull(strstr(err, "not a flowspecd state file"));
	ck_assert_int_eq(access(path, F_OK), 0);
	/* Empty: nothing. */
	spit(path, "");
	ck_assert(state_load(rib, path, &clk, &ld, err, sizeof err));
	ck_assert_uint_eq(ld.claims + ld.bad, 0);
	rib_free(rib);
}
END_TEST

/* ---- the timer ---- */

static int64_t real_mono(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}
static const struct state_clock real = { real_mono, wall_clock };

static void stop_loop(evutil_socket_t fd, short what, void *base)
{
	(void)fd;
	(void)what;
	event_base_loopexit(base, NULL);
}

START_TEST(writes_are_coalesced)
{
	struct event_base *base = event_base_new();
	struct rib *rib = rib_new(real_mono);
	struct state *s = state_new(base, rib, path, &real);
	ck_assert_ptr_nonnull(s);
	struct rib_opts o = { .origin = RIB_ORIGIN_API };
	for (unsigned i = 0; i < 1000; i++) {
		char text[128];
		snprintf(text, sizeof text, "flow route { match { destination "
			 "10.1.%u.%u/32; } then { discard; } }", i / 256,
			 i % 256);
		announce(rib, text, &o);
	}
	/* 1000 changes: no write before STATE_WRITE_MIN_MS, then one. */
	struct timeval short_tv = { 0, 300 * 1000 };
	struct timeval long_tv = { 1, 0 };
	struct event *ev = evtimer_new(base, stop_loop, base);
	evtimer_add(ev, &short_tv);
	event_base_dispatch(base);
	ck_assert_uint_eq(state_writes(s), 0);
	evtimer_add(ev, &long_tv);
	event_base_dispatch(base);
	ck_assert_uint_eq(state_writes(s), 1);
	/* The next change waits for the interval again. */
	ck_assert_int_eq(rib_flush(rib, RIB_ORIGIN_API, NULL), 1000);
	evtimer_add(ev, &short_tv);
	event_base_dispatch(base);
	ck_assert_uint_eq(state_writes(s), 1);
	/* Closing writes what is pending. */
	state_close(s);
	ck_assert_str_eq(slurp(path),
			 "{\"flowspecd_state\":1,\"saved\":1700000000000}\n"
			 "{\"end\":0}\n");
	event_free(ev);
	rib_free(rib);
	event_base_free(base);
}
END_TEST

/* After a damaged file went to PATH.bad, state_touch writes PATH again
 * with what was loaded, without waiting for a change. */
START_TEST(touch_writes_the_loaded_claims)
{
	spit(path, "{\"flowspecd_state\":1,\"saved\":1700000000000}\n"
		   "{\"origin\":\"api\",\"rule\":\"" R1 "\",\"neighbors\":[],"
		   "\"expires\":null,\"comment\":null}\n");
	struct event_base *base = event_base_new();
	struct rib *rib = rib_new(real_mono);
	struct state_loaded ld;
	char err[256];
	ck_assert(state_load(rib, path, &real, &ld, err, sizeof err));
	ck_assert(ld.truncated);
	ck_assert_int_eq(access(path, F_OK), -1);
	struct state *s = state_new(base, rib, path, &real);
	state_touch(s);
	struct timeval tv = { 1, 300 * 1000 };
	struct event *ev = evtimer_new(base, stop_loop, base);
	evtimer_add(ev, &tv);
	event_base_dispatch(base);
	ck_assert_uint_eq(state_writes(s), 1);
	ck_assert_ptr_nonnull(strstr(slurp(path), "{\"end\":1}\n"));
	state_close(s);
	event_free(ev);
	rib_free(rib);
	event_base_free(base);
}
END_TEST

static Suite *state_suite(void)
{
	Suite *s = suite_create("state");
	TCase *tc = tcase_create("file");
	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, round_trip_across_a_restart);
	tcase_add_test(tc, damaged_files);
	tcase_add_test(tc, writes_are_coalesced);
	tcase_add_test(tc, touch_writes_the_loaded_claims);
	suite_add_tcase(s, tc);
	return s;
}

TEST_MAIN(state_suite)
