/* ExaBGP-style helper programs: starting, reading their commands,
 * answering, respawning and stopping them. See process.h. */
#include "bgpd/control/process.h"

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <event2/buffer.h>
#include <event2/bufferevent.h>
#include <event2/event.h>

#include "lib/log.h"

#define ANSWER_DONE "done\n"	/* ExaBGP 4: reactor/api/response/answer.py */
#define ANSWER_ERROR "error\n"
#define CHILD_FD_MAX 65536	/* fds closed in the child: 3 .. this */
#define STOP_POLL_MS 20

struct proc {
	struct proc_set *ps;
	char *name;
	char **argv;
	bool respawn;
	bool retired;		/* removed by a reload: freed once reaped */
	pid_t pid;		/* 0: not running */
	struct bufferevent *out;	/* its stdout: commands */
	struct bufferevent *in;		/* its stdin: answers */
	struct event *restart;	/* the respawn back-off */
	unsigned backoff_s;
	int64_t started_ms;
	char who[CONFIG_PROCESS_NAME_MAX + 32];	/* "process NAME pid N" */
};

struct proc_set {
	struct event_base *base;
	const struct ctl_daemon *d;
	struct event *sigchld;
	struct proc **procs;
	size_t n;
};

static int64_t mono_ms(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static void proc_start(struct proc *p);

/* ---- the pipes ---------------------------------------------------------- */

static void pipes_close(struct proc *p)
{
	if (p->out)
		bufferevent_free(p->out);
	if (p->in)
		bufferevent_free(p->in);
	p->out = p->in = NULL;
}

/* The first word of the line is "show" or "help": its reply body goes
 * to the program before "done" (ExaBGP's show commands write theirs). */
static bool wants_body(const char *line)
{
	line += strspn(line, " \t");
	size_t n = strcspn(line, " \t");
	return (n == 4 && !memcmp(line, "show", 4)) ||
	       (n == 4 && !memcmp(line, "help", 4));
}

/* Runs one command line and queues the answer. */
static void run_line(struct proc *p, const char *line, size_t len)
{
	struct writer reply = writer_init(0);
	ctl_run_line(p->ps->d, line, len, p->who, &reply);
	/* The reply's last line is "ok" or "error: …" (ctl.h). */
	size_t end = reply.len ? reply.len - 1 : 0;
	size_t last = end;
	while (last > 0 && reply.data[last - 1] != '\n')
		last--;
	const char *final = (const char *)reply.data + last;
	bool ok = !reply.err && end - last == 2 && !memcmp(final, "ok", 2);
	if (!ok)
		log_msg(LOG_WARN, "%s: %.*s: %.*s", p->who,
			reply.err ? 13 : (int)(end - last),
			reply.err ? "out of memory" : final, (int)len, line);
	if (p->in && ok && last && wants_body(line))
		bufferevent_write(p->in, reply.data, last);
	if (p->in)
		bufferevent_write(p->in, ok ? ANSWER_DONE : ANSWER_ERROR,
				  strlen(ok ? ANSWER_DONE : ANSWER_ERROR));
	writer_free(&reply);
}

/* Whether the program still reads its answers (true once it is gone:
 * its last commands still run). */
static bool answers_taken(const struct proc *p)
{
	return !p->in || evbuffer_get_length(bufferevent_get_output(p->in)) <
				 CTL_OUTPUT_HIGH;
}

/* A line over CTL_LINE_MAX: the program is stopped (and respawned). */
static void too_long(struct proc *p)
{
	log_msg(LOG_ERROR, "%s: command longer than %d octets: stopping it",
		p->who, CTL_LINE_MAX);
	if (p->pid)
		kill(p->pid, SIGTERM);
	pipes_close(p);
}

/* Reads and runs up to CTL_LINES_PER_CALLBACK complete lines (the rest
 * on the next turn of the loop); pauses while the program does not take
 * its answers. */
static void out_read(struct bufferevent *bev, void *ctx)
{
	struct proc *p = ctx;
	struct evbuffer *buf = bufferevent_get_input(bev);
	for (unsigned i = 0; i < CTL_LINES_PER_CALLBACK; i++) {
		if (!answers_taken(p)) {
			bufferevent_disable(p->out, EV_READ);
			return;
		}
		size_t len;
		char *line = evbuffer_readln(buf, &len, EVBUFFER_EOL_LF);
		if (!line)
			break;
		if (len && line[len - 1] == '\r')
			line[--len] = '\0';
		if (len > CTL_LINE_MAX) {
			free(line);
			too_long(p);
			return;
		}
		run_line(p, line, len);
		free(line);
	}
	bool more = evbuffer_search_eol(buf, NULL, NULL, EVBUFFER_EOL_LF).pos >= 0;
	if (!more && evbuffer_get_length(buf) > CTL_LINE_MAX) {
		too_long(p);
		return;
	}
	/* More lines left: go on from the loop, after the others' turn. */
	if (more)
		bufferevent_trigger(bev, EV_READ, BEV_TRIG_DEFER_CALLBACKS |
						  BEV_TRIG_IGNORE_WATERMARKS);
}

/* The answers went out: read commands again. */
static void in_written(struct bufferevent *bev, void *ctx)
{
	(void)bev;
	struct proc *p = ctx;
	if (p->out && answers_taken(p) &&
	    !(bufferevent_get_enabled(p->out) & EV_READ)) {
		bufferevent_enable(p->out, EV_READ);
		bufferevent_trigger(p->out, EV_READ, BEV_TRIG_DEFER_CALLBACKS |
						     BEV_TRIG_IGNORE_WATERMARKS);
	}
}

/* Its stdout closed (or failed): everything it wrote is in the buffer
 * (at most twice CTL_LINE_MAX, the read watermark), so run it all, a
 * last line without its newline too; then close both pipes. A program
 * that is still running is told to stop; the respawn comes when it is
 * reaped. */
static void out_event(struct bufferevent *bev, short what, void *ctx)
{
	struct proc *p = ctx;
	if (!(what & (BEV_EVENT_EOF | BEV_EVENT_ERROR)))
		return;
	struct evbuffer *buf = bufferevent_get_input(bev);
	size_t len;
	char *line;
	while ((line = evbuffer_readln(buf, &len, EVBUFFER_EOL_LF)) ||
	       (len = evbuffer_get_length(buf)) != 0) {
		if (!line && (line = malloc(len + 1)) != NULL) {
			evbuffer_remove(buf, line, len);
			line[len] = '\0';
		}
		if (!line)
			break;
		if (len && line[len - 1] == '\r')
			line[--len] = '\0';
		if (len <= CTL_LINE_MAX)
			run_line(p, line, len);
		free(line);
	}
	log_msg(LOG_INFO, "%s: its output closed", p->who);
	pipes_close(p);
	if (p->pid)
		kill(p->pid, SIGTERM);
}

/* Its stdin failed (it exited, or closed it): answers are dropped. */
static void in_event(struct bufferevent *bev, short what, void *ctx)
{
	(void)bev;
	struct proc *p = ctx;
	if (what & (BEV_EVENT_EOF | BEV_EVENT_ERROR))
		evbuffer_drain(bufferevent_get_output(p->in),
			       evbuffer_get_length(bufferevent_get_output(p->in)));
}

/* ---- start, reap, respawn ----------------------------------------------- */

/* In the child: stdin/stdout on the pipes, default SIGPIPE, no other
 * inherited descriptor but stderr, its own process group (a Ctrl-C at
 * the terminal goes to the daemon, which stops it), then exec. Only
 * async-signal-safe calls. */
static _Noreturn void child(char **argv, int in_fd, int out_fd)
{
	if (dup2(in_fd, STDIN_FILENO) < 0 || dup2(out_fd, STDOUT_FILENO) < 0)
		_exit(127);
	for (int fd = STDERR_FILENO + 1; fd < CHILD_FD_MAX; fd++)
		close(fd);
	signal(SIGPIPE, SIG_DFL);
	setpgid(0, 0);
	execv(argv[0], argv);
	static const char msg[] = "flowspecd: exec of a process failed\n";
	ssize_t w = write(STDERR_FILENO, msg, sizeof msg - 1);
	(void)w;
	_exit(127);
}

/* pipe() with FD_CLOEXEC on both ends (pipe2 is not POSIX). */
static bool cloexec_pipe(int fds[2])
{
	if (pipe(fds) < 0)
		return false;
	if (fcntl(fds[0], F_SETFD, FD_CLOEXEC) < 0 ||
	    fcntl(fds[1], F_SETFD, FD_CLOEXEC) < 0) {
		int saved = errno;
		close(fds[0]);
		close(fds[1]);
		fds[0] = fds[1] = -1;
		errno = saved;
		return false;
	}
	return true;
}

static void proc_start(struct proc *p)
{
	pipes_close(p);	/* what a dead one left unread */
	int to_child[2] = { -1, -1 }, from_child[2] = { -1, -1 };
	if (!cloexec_pipe(to_child) || !cloexec_pipe(from_child)) {
		log_msg(LOG_ERROR, "process %s: pipe: %s", p->name,
			strerror(errno));
		goto fail;
	}
	pid_t pid = fork();
	if (pid < 0) {
		log_msg(LOG_ERROR, "process %s: fork: %s", p->name,
			strerror(errno));
		goto fail;
	}
	if (pid == 0)
		child(p->argv, to_child[0], from_child[1]);
	close(to_child[0]);
	close(from_child[1]);
	p->pid = pid;
	p->started_ms = mono_ms();
	snprintf(p->who, sizeof p->who, "process %s pid %ld", p->name,
		 (long)pid);
	evutil_make_socket_nonblocking(to_child[1]);
	evutil_make_socket_nonblocking(from_child[0]);
	p->out = bufferevent_socket_new(p->ps->base, from_child[0],
					BEV_OPT_CLOSE_ON_FREE |
						BEV_OPT_DEFER_CALLBACKS);
	p->in = bufferevent_socket_new(p->ps->base, to_child[1],
				       BEV_OPT_CLOSE_ON_FREE |
					       BEV_OPT_DEFER_CALLBACKS);
	if (!p->out || !p->in) {
		log_msg(LOG_ERROR, "%s: out of memory", p->who);
		if (!p->out)
			close(from_child[0]);
		if (!p->in)
			close(to_child[1]);
		pipes_close(p);
		kill(pid, SIGTERM);
		return;
	}
	bufferevent_setcb(p->out, out_read, NULL, out_event, p);
	bufferevent_setcb(p->in, NULL, in_written, in_event, p);
	bufferevent_setwatermark(p->out, EV_READ, 0, 2 * CTL_LINE_MAX);
	bufferevent_setwatermark(p->in, EV_WRITE, CTL_OUTPUT_HIGH / 2, 0);
	bufferevent_enable(p->out, EV_READ);
	bufferevent_enable(p->in, EV_WRITE);
	log_msg(LOG_INFO, "%s: started (%s)", p->who, p->argv[0]);
	return;
fail:
	for (int i = 0; i < 2; i++) {
		if (to_child[i] >= 0)
			close(to_child[i]);
		if (from_child[i] >= 0)
			close(from_child[i]);
	}
	if (p->respawn) {
		struct timeval tv = { PROC_RESPAWN_MAX_S, 0 };
		evtimer_add(p->restart, &tv);
	}
}

static void restart_due(evutil_socket_t fd, short what, void *ctx)
{
	(void)fd;
	(void)what;
	proc_start(ctx);
}

static void proc_free(struct proc *p)
{
	pipes_close(p);
	if (p->restart)
		event_free(p->restart);
	free(p->name);
	for (char **a = p->argv; a && *a; a++)
		free(*a);
	free(p->argv);
	free(p);
}

static void remove_at(struct proc_set *ps, size_t i)
{
	proc_free(ps->procs[i]);
	memmove(&ps->procs[i], &ps->procs[i + 1],
		(ps->n - i - 1) * sizeof *ps->procs);
	ps->n--;
}

static void log_exit(const struct proc *p, int status)
{
	if (WIFEXITED(status))
		log_msg(WEXITSTATUS(status) ? LOG_WARN : LOG_INFO,
			"%s: exited with status %d", p->who,
			WEXITSTATUS(status));
	else if (WIFSIGNALED(status))
		log_msg(LOG_WARN, "%s: killed by signal %d", p->who,
			WTERMSIG(status));
}

/* A child is gone: its answers are of no use; respawn after the back-off
 * (reset when it ran long enough), or forget it when retired. */
static void reaped(struct proc_set *ps, size_t i, int status)
{
	struct proc *p = ps->procs[i];
	log_exit(p, status);
	p->pid = 0;
	if (p->in) {
		bufferevent_free(p->in);
		p->in = NULL;
	}
	/* Its last lines may still be in the pipe: out_event reads them. */
	if (p->retired) {
		remove_at(ps, i);
		return;
	}
	if (!p->respawn) {
		log_msg(LOG_WARN, "process %s: not started again (respawn is "
			"false)", p->name);
		return;
	}
	if (mono_ms() - p->started_ms >= PROC_STABLE_S * 1000)
		p->backoff_s = PROC_RESPAWN_MIN_S;
	log_msg(LOG_INFO, "process %s: starting again in %u s", p->name,
		p->backoff_s);
	struct timeval tv = { p->backoff_s, 0 };
	evtimer_add(p->restart, &tv);
	p->backoff_s = p->backoff_s * 2 > PROC_RESPAWN_MAX_S
			       ? PROC_RESPAWN_MAX_S
			       : p->backoff_s * 2;
}

static void on_sigchld(evutil_socket_t sig, short what, void *ctx)
{
	(void)sig;
	(void)what;
	struct proc_set *ps = ctx;
	for (size_t i = ps->n; i-- > 0;) {
		int status;
		if (ps->procs[i]->pid &&
		    waitpid(ps->procs[i]->pid, &status, WNOHANG) ==
			    ps->procs[i]->pid)
			reaped(ps, i, status);
	}
}

/* ---- the set ------------------------------------------------------------ */

struct proc_set *proc_set_new(struct event_base *base,
			      const struct ctl_daemon *d)
{
	struct proc_set *ps = calloc(1, sizeof *ps);
	if (!ps)
		return NULL;
	ps->base = base;
	ps->d = d;
	ps->sigchld = evsignal_new(base, SIGCHLD, on_sigchld, ps);
	if (!ps->sigchld || evsignal_add(ps->sigchld, NULL) < 0) {
		proc_set_free(ps);
		return NULL;
	}
	return ps;
}

static bool same_argv(char *const *a, char *const *b)
{
	for (; *a && *b; a++, b++)
		if (strcmp(*a, *b) != 0)
			return false;
	return !*a && !*b;
}

static char **argv_copy(char *const *argv)
{
	size_t n = 0;
	while (argv[n])
		n++;
	char **copy = calloc(n + 1, sizeof *copy);
	for (size_t i = 0; copy && i < n; i++) {
		if (!(copy[i] = strdup(argv[i]))) {
			while (i-- > 0)
				free(copy[i]);
			free(copy);
			return NULL;
		}
	}
	return copy;
}

/* Stops a running program for good (SIGTERM); it is freed when reaped,
 * at once when it is not running. */
static void retire(struct proc_set *ps, size_t i)
{
	struct proc *p = ps->procs[i];
	evtimer_del(p->restart);
	if (!p->pid) {
		remove_at(ps, i);
		return;
	}
	log_msg(LOG_INFO, "%s: stopping (removed or changed)", p->who);
	p->retired = true;
	pipes_close(p);
	kill(p->pid, SIGTERM);
}

static struct proc *proc_new(struct proc_set *ps,
			     const struct config_process *cp)
{
	struct proc **procs = realloc(ps->procs, (ps->n + 1) * sizeof *procs);
	if (!procs)
		return NULL;
	ps->procs = procs;
	struct proc *p = calloc(1, sizeof *p);
	if (!p)
		return NULL;
	p->ps = ps;
	p->respawn = cp->respawn;
	p->backoff_s = PROC_RESPAWN_MIN_S;
	p->name = strdup(cp->name);
	p->argv = argv_copy(cp->argv);
	p->restart = evtimer_new(ps->base, restart_due, p);
	if (!p->name || !p->argv || !p->restart) {
		proc_free(p);
		return NULL;
	}
	ps->procs[ps->n++] = p;
	return p;
}

bool proc_set_apply(struct proc_set *ps, const struct config_process *list,
		    size_t n)
{
	for (size_t i = ps->n; i-- > 0;) {
		struct proc *p = ps->procs[i];
		if (p->retired)
			continue;
		const struct config_process *cp = NULL;
		for (size_t j = 0; j < n && !cp; j++)
			if (strcmp(list[j].name, p->name) == 0)
				cp = &list[j];
		if (cp && same_argv(cp->argv, p->argv))
			p->respawn = cp->respawn;
		else
			retire(ps, i);
	}
	bool ok = true;
	for (size_t j = 0; j < n; j++) {
		bool running = false;
		for (size_t i = 0; i < ps->n && !running; i++)
			running = !ps->procs[i]->retired &&
				  strcmp(ps->procs[i]->name, list[j].name) == 0;
		if (running)
			continue;
		struct proc *p = proc_new(ps, &list[j]);
		if (p)
			proc_start(p);
		ok = ok && p;
	}
	return ok;
}

size_t proc_set_running(const struct proc_set *ps)
{
	size_t n = 0;
	for (size_t i = 0; i < ps->n; i++)
		n += ps->procs[i]->pid && !ps->procs[i]->retired;
	return n;
}

void proc_set_free(struct proc_set *ps)
{
	if (!ps)
		return;
	for (size_t i = 0; i < ps->n; i++) {
		pipes_close(ps->procs[i]);
		if (ps->procs[i]->pid)
			kill(ps->procs[i]->pid, SIGTERM);
	}
	/* Bounded wait for them all, then SIGKILL. */
	for (int waited = 0;; waited += STOP_POLL_MS) {
		bool left = false;
		for (size_t i = 0; i < ps->n; i++) {
			struct proc *p = ps->procs[i];
			int status;
			if (p->pid && waitpid(p->pid, &status, WNOHANG) == p->pid) {
				log_exit(p, status);
				p->pid = 0;
			}
			left = left || p->pid;
		}
		if (!left)
			break;
		if (waited >= PROC_STOP_WAIT_MS) {
			for (size_t i = 0; i < ps->n; i++) {
				struct proc *p = ps->procs[i];
				if (!p->pid)
					continue;
				log_msg(LOG_WARN, "%s: still running: SIGKILL",
					p->who);
				kill(p->pid, SIGKILL);
				waitpid(p->pid, NULL, 0);
				p->pid = 0;
			}
			break;
		}
		struct timespec ts = { 0, STOP_POLL_MS * 1000000L };
		nanosleep(&ts, NULL);
	}
	for (size_t i = 0; i < ps->n; i++)
		proc_free(ps->procs[i]);
	free(ps->procs);
	if (ps->sigchld)
		event_free(ps->sigchld);
	free(ps);
}
