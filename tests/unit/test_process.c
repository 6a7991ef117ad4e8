/* ExaBGP-style helper programs (bgpd/control/process.h) with /bin/sh as
 * the program: its commands get "done" / "error" in order (show and help
 * bodies before "done"), it is started again after it exits when respawn
 * is on and not when it is off, a reload-style apply stops a removed one,
 * and proc_set_free stops a running one. */
#include <check.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <event2/event.h>

#include "bgpd/control/process.h"
#include "bgpd/rib/rib.h"
#include "vectors.h"

static int64_t now_ms(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static size_t no_peers(void *ctx)
{
	(void)ctx;
	return 0;
}

static bool no_peer(void *ctx, size_t i, struct ctl_peer_view *out)
{
	(void)ctx;
	(void)i;
	(void)out;
	return false;
}

static bool no_clear(void *ctx, const struct bgp_peer *p, bool soft,
		     char *err, size_t errlen)
{
	(void)ctx;
	(void)p;
	(void)soft;
	snprintf(err, errlen, "no");
	return false;
}

struct fx {
	struct event_base *base;
	struct rib *rib;
	struct ctl_daemon d;
	struct proc_set *ps;
	char dir[64];
	char out[96];
};

static void fx_init(struct fx *x)
{
	memset(x, 0, sizeof *x);
	x->base = event_base_new();
	x->rib = rib_new(now_ms);
	x->d = (struct ctl_daemon){ .rib = x->rib, .now_ms = now_ms,
				    .peer_count = no_peers,
				    .peer_get = no_peer,
				    .peer_clear = no_clear };
	x->ps = proc_set_new(x->base, &x->d);
	ck_assert_ptr_nonnull(x->ps);
	snprintf(x->dir, sizeof x->dir, "/tmp/test_process.XXXXXX");
	ck_assert_ptr_nonnull(mkdtemp(x->dir));
	snprintf(x->out, sizeof x->out, "%s/out", x->dir);
}

static void fx_free(struct fx *x)
{
	proc_set_free(x->ps);
	rib_free(x->rib);
	event_base_free(x->base);
	unlink(x->out);
	rmdir(x->dir);
}

/* The file's content (at most 4 KiB), "" when absent. */
static const char *slurp(const char *path)
{
	static char buf[4096];
	buf[0] = '\0';
	FILE *f = fopen(path, "r");
	if (!f)
		return buf;
	size_t n = fread(buf, 1, sizeof buf - 1, f);
	buf[n] = '\0';
	fclose(f);
	return buf;
}

/* Runs the loop until the file holds want (or ms pass). */
static bool wait_for(struct fx *x, const char *want, int ms)
{
	for (int i = 0; i < ms / 50; i++) {
		if (strcmp(slurp(x->out), want) == 0)
			return true;
		struct timeval tv = { 0, 50 * 1000 };
		event_base_loopexit(x->base, &tv);
		event_base_dispatch(x->base);
	}
	return false;
}

/* One /bin/sh program running script with $1 = the output file. */
static void apply_sh(struct fx *x, const char *name, const char *script,
		     bool respawn)
{
	char *argv[] = { "/bin/sh", "-c", (char *)script, "sh", x->out, NULL };
	struct config_process cp = { .name = (char *)name, .argv = argv,
				     .respawn = respawn };
	ck_assert(proc_set_apply(x->ps, &cp, 1));
}

START_TEST(answers_in_order)
{
	struct fx x;
	fx_init(&x);
	/* A bad command, a good one that changes nothing, help (a body,
	 * then done), and a blank line (an error, as in ExaBGP). */
	apply_sh(&x, "t",
		 "printf 'bogus command\\nflush\\nhelp\\n\\n'; "
		 "read a; read b; "
		 "while read l; do [ \"$l\" = done ] && break; "
		 "case \"$l\" in show*) h=body;; esac; done; read c; "
		 "echo \"$a $b ${h:-nobody} $c\" > \"$1\"; exec sleep 60",
		 false);
	ck_assert_uint_eq(proc_set_running(x.ps), 1);
	ck_assert_msg(wait_for(&x, "error done body error\n", 5000), "got '%s'",
		      slurp(x.out));
	fx_free(&x);
}
END_TEST

START_TEST(respawn_or_not)
{
	struct fx x;
	fx_init(&x);
	/* Each start appends a line and exits: respawned after 1 s. */
	apply_sh(&x, "r", "echo start >> \"$1\"", true);
	ck_assert_msg(wait_for(&x, "start\nstart\n", 5000), "got '%s'", slurp(x.out));
	fx_free(&x);

	fx_init(&x);
	apply_sh(&x, "n", "echo start >> \"$1\"", false);
	ck_assert(wait_for(&x, "start\n", 5000));
	/* Past the 1 s back-off: still one start. */
	ck_assert(!wait_for(&x, "start\nstart\n", 1500));
	ck_assert_uint_eq(proc_set_running(x.ps), 0);
	fx_free(&x);
}
END_TEST

/* Runs the loop until the output file has its first line (5 s at
 * most), and returns the pid written there; 0 when none. */
static pid_t wait_pid(struct fx *x)
{
	for (int i = 0; i < 100 && !strchr(slurp(x->out), '\n'); i++) {
		struct timeval tv = { 0, 50 * 1000 };
		event_base_loopexit(x->base, &tv);
		event_base_dispatch(x->base);
	}
	return (pid_t)atol(slurp(x->out));
}

START_TEST(apply_and_free_stop_it)
{
	struct fx x;
	fx_init(&x);
	apply_sh(&x, "s", "echo $$ > \"$1\"; exec sleep 60", true);
	pid_t pid = wait_pid(&x);
	ck_assert_int_gt(pid, 0);
	ck_assert_int_eq(kill(pid, 0), 0);
	/* Removed by an apply without it: SIGTERM, reaped from the loop. */
	ck_assert(proc_set_apply(x.ps, NULL, 0));
	ck_assert_uint_eq(proc_set_running(x.ps), 0);
	for (int i = 0; i < 100 && kill(pid, 0) == 0; i++) {
		struct timeval tv = { 0, 50 * 1000 };
		event_base_loopexit(x.base, &tv);
		event_base_dispatch(x.base);
	}
	ck_assert_int_ne(kill(pid, 0), 0);
	unlink(x.out);

	/* proc_set_free stops a running one. */
	apply_sh(&x, "s", "echo $$ > \"$1\"; exec sleep 60", true);
	pid = wait_pid(&x);
	ck_assert_int_gt(pid, 0);
	fx_free(&x);
	ck_assert_int_ne(kill(pid, 0), 0);
}
END_TEST

static Suite *process_suite(void)
{
	Suite *s = suite_create("process");
	ADD_CASE(s, "process", answers_in_order, respawn_or_not,
		 apply_and_free_stop_it);
	return s;
}

TEST_MAIN(process_suite)
