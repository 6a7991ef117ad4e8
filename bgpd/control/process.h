/* Helper programs that speak ExaBGP's API ("process" in an ExaBGP config):
 * each configured program is started without a shell (fork/exec, its own
 * process group, stderr shared with the daemon), every line it writes on
 * its stdout is one control command (cmd.h: the same parser and executor
 * as the control socket, including ExaBGP's "neighbor A , neighbor B
 * announce …"), and after each command it reads one answer on its stdin,
 * as ExaBGP 4 does with its default api.ack:
 *   "done"   the command worked
 *   "error"  it did not (the reason is logged with the process's name)
 * Show commands (and help) write their reply body first, then "done".
 * Blank lines are commands too, answered "error" like ExaBGP does.
 *
 * A program that exits (or closes its stdout) is started again after a
 * back-off of PROC_RESPAWN_MIN_S doubling to PROC_RESPAWN_MAX_S (back to
 * the minimum once it ran PROC_STABLE_S), unless its respawn is false. A
 * line longer than CTL_LINE_MAX ends the program the same way. While it
 * does not read its answers (more than CTL_OUTPUT_HIGH queued), its
 * commands are not read either. Every command goes to the audit log as
 * "process NAME pid N". */
#ifndef BGPD_CONTROL_PROCESS_H
#define BGPD_CONTROL_PROCESS_H

#include <stdbool.h>
#include <stddef.h>

#include "bgpd/config.h"
#include "bgpd/control/ctl.h"

struct event_base;

#define PROC_RESPAWN_MIN_S 1
#define PROC_RESPAWN_MAX_S 60
#define PROC_STABLE_S 60
#define PROC_STOP_WAIT_MS 2000	/* SIGTERM, then SIGKILL after this */

struct proc_set;

/* A set with no programs, whose commands run against d (which must
 * outlive it). It reaps its children on SIGCHLD. NULL when out of
 * memory. */
struct proc_set *proc_set_new(struct event_base *base,
			      const struct ctl_daemon *d);
/* Makes the running programs those of list (n entries, copied): a
 * program whose name is new is started, one whose name is gone is
 * stopped (SIGTERM), one whose run changed is stopped and started again;
 * the others keep running (a changed respawn applies from now on). False
 * when out of memory (what could be applied is). */
bool proc_set_apply(struct proc_set *ps, const struct config_process *list,
		    size_t n);
/* Programs running now (for tests and logs). */
size_t proc_set_running(const struct proc_set *ps);
/* Closes every program's stdin, sends it SIGTERM, waits up to
 * PROC_STOP_WAIT_MS in all for them to exit, SIGKILLs the rest and reaps
 * them. NULL-safe. */
void proc_set_free(struct proc_set *ps);

#endif
