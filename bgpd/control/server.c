/* The unix control socket server on libevent: listening (stale socket
 * replaced, a live daemon refused), clients, line framing and back
 * pressure. Commands are run by ctl_run_line() (exec.c). See ctl.h for
 * the protocol. */
#if defined(__linux__) && !defined(_GNU_SOURCE)
#define _GNU_SOURCE	/* struct ucred for SO_PEERCRED */
#endif
#include "bgpd/control/ctl.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include <event2/buffer.h>
#include <event2/bufferevent.h>
#include <event2/event.h>
#include <event2/listener.h>
#include <event2/util.h>

#include "lib/log.h"

#define WHO_MAX 64
#define TOO_MANY "error: too many control clients\n"

struct ctl_client {
	struct ctl_server *srv;
	struct bufferevent *bev;
	struct event *resume;	/* continues a long batch on the next turn */
	char who[WHO_MAX];
	bool eof;		/* the client closed its side */
	bool closing;		/* no more input: close once output is out */
	bool throttled;		/* reading paused until the output drains */
	struct ctl_client *prev, *next;
};

struct ctl_server {
	struct event_base *base;
	const struct ctl_daemon *d;
	struct evconnlistener *listener;
	char *path;
	dev_t dev;		/* the socket file we made, to remove only it */
	ino_t ino;
	struct ctl_client *clients;
	size_t nclients;
};

/* "uid 0 pid 1234" for a local peer; the one place that knows how. */
static void peer_ident(evutil_socket_t fd, char *buf, size_t len)
{
#if defined(SO_PEERCRED)
	struct ucred uc;
	socklen_t n = sizeof uc;
	if (getsockopt(fd, SOL_SOCKET, SO_PEERCRED, &uc, &n) == 0) {
		snprintf(buf, len, "uid %lu pid %ld", (unsigned long)uc.uid,
			 (long)uc.pid);
		return;
	}
#elif defined(__FreeBSD__) || defined(__OpenBSD__) || defined(__APPLE__)
	uid_t uid;
	gid_t gid;
	if (getpeereid(fd, &uid, &gid) == 0) {
		snprintf(buf, len, "uid %lu", (unsigned long)uid);
		return;
	}
#else
	(void)fd;
#endif
	snprintf(buf, len, "unknown");
}

/* ---- clients -------------------------------------------------------- */

static void client_free(struct ctl_client *c)
{
	struct ctl_server *s = c->srv;
	if (c->prev)
		c->prev->next = c->next;
	else
		s->clients = c->next;
	if (c->next)
		c->next->prev = c->prev;
	s->nclients--;
	if (c->resume)
		event_free(c->resume);
	bufferevent_free(c->bev);
	free(c);
}

/* Stops reading; the client is freed once its output is written. */
static void client_close_after_output(struct ctl_client *c)
{
	c->closing = true;
	bufferevent_disable(c->bev, EV_READ);
	if (evbuffer_get_length(bufferevent_get_output(c->bev)) == 0)
		client_free(c);
}

static bool blank_or_comment(const char *line, size_t n)
{
	size_t i = 0;
	while (i < n && (line[i] == ' ' || line[i] == '\t' || line[i] == '\r'))
		i++;
	return i == n || line[i] == '#';
}

static void run_line(struct ctl_client *c, const char *line, size_t n)
{
	if (blank_or_comment(line, n))
		return;
	struct writer reply = writer_init(0);
	ctl_run_line(c->srv->d, line, n, c->who, &reply);
	if (reply.err) {
		static const char oom[] = "error: out of memory\n";
		evbuffer_add(bufferevent_get_output(c->bev), oom,
			     sizeof oom - 1);
	} else {
		evbuffer_add(bufferevent_get_output(c->bev), reply.data,
			     reply.len);
	}
	writer_free(&reply);
}

/* Runs the complete lines in the input, at most CTL_LINES_PER_CALLBACK
 * of them per call, while the client takes its replies. May free c. */
static void process(struct ctl_client *c)
{
	struct evbuffer *in = bufferevent_get_input(c->bev);
	struct evbuffer *out = bufferevent_get_output(c->bev);
	for (unsigned lines = 0; !c->closing; lines++) {
		if (evbuffer_get_length(out) >= CTL_OUTPUT_HIGH) {
			c->throttled = true;
			bufferevent_disable(c->bev, EV_READ);
			return;
		}
		if (lines == CTL_LINES_PER_CALLBACK) {
			event_active(c->resume, EV_TIMEOUT, 0);
			return;
		}
		size_t eol_len = 0;
		struct evbuffer_ptr eol =
			evbuffer_search_eol(in, NULL, &eol_len, EVBUFFER_EOL_LF);
		size_t avail = evbuffer_get_length(in);
		size_t n;
		if (eol.pos >= 0)
			n = (size_t)eol.pos;
		else if (c->eof && avail > 0)
			n = avail;	/* a last line without its newline */
		else if (avail > CTL_LINE_MAX + 1)
			n = avail;	/* too long, reported below */
		else
			break;
		/* Up to one octet more (a CR) goes to the parser, which
		 * answers a line that is still too long; past that the
		 * stream cannot be trusted to resynchronise. */
		if (n > CTL_LINE_MAX + 1) {
			char msg[64];
			int len = snprintf(msg, sizeof msg, "error: command "
					   "longer than %d octets\n",
					   CTL_LINE_MAX);
			evbuffer_add(out, msg, (size_t)len);
			log_msg(LOG_WARN, "control client %s: command longer "
				"than %d octets, closing", c->who, CTL_LINE_MAX);
			client_close_after_output(c);
			return;
		}
		char *line = (char *)evbuffer_pullup(in, (ev_ssize_t)n);
		if (n && !line) {
			log_msg(LOG_ERROR, "control client %s: out of memory",
				c->who);
			client_free(c);
			return;
		}
		run_line(c, line ? line : "", n);
		evbuffer_drain(in, n + eol_len);
	}
	if (c->eof && !c->closing)
		client_close_after_output(c);
}

static void on_read(struct bufferevent *bev, void *arg)
{
	(void)bev;
	process(arg);
}

static void on_resume(evutil_socket_t fd, short what, void *arg)
{
	(void)fd;
	(void)what;
	process(arg);
}

/* Called when the output drained below the low mark. */
static void on_write(struct bufferevent *bev, void *arg)
{
	struct ctl_client *c = arg;
	if (c->closing) {
		if (evbuffer_get_length(bufferevent_get_output(bev)) == 0)
			client_free(c);
		return;
	}
	if (c->throttled) {
		c->throttled = false;
		if (!c->eof)
			bufferevent_enable(bev, EV_READ);
		process(c);
	}
}

static void on_event(struct bufferevent *bev, short what, void *arg)
{
	(void)bev;
	struct ctl_client *c = arg;
	if (what & (BEV_EVENT_ERROR | BEV_EVENT_TIMEOUT)) {
		if (what & BEV_EVENT_TIMEOUT)
			log_msg(LOG_INFO, "control client %s: idle, closing",
				c->who);
		client_free(c);
		return;
	}
	if (what & BEV_EVENT_EOF) {
		c->eof = true;
		if (!c->throttled)
			process(c);
	}
}

static void on_accept(struct evconnlistener *l, evutil_socket_t fd,
		      struct sockaddr *sa, int socklen, void *arg)
{
	(void)l;
	(void)sa;
	(void)socklen;
	struct ctl_server *s = arg;
	if (s->nclients >= CTL_CLIENTS_MAX) {
		/* Best effort: the socket is new, the line fits its buffer. */
		ssize_t w = send(fd, TOO_MANY, sizeof TOO_MANY - 1, 0);
		(void)w;
		evutil_closesocket(fd);
		log_msg(LOG_WARN, "control socket: more than %d clients, "
			"refusing one", CTL_CLIENTS_MAX);
		return;
	}
	struct ctl_client *c = calloc(1, sizeof *c);
	if (!c) {
		evutil_closesocket(fd);
		return;
	}
	c->srv = s;
	peer_ident(fd, c->who, sizeof c->who);
	c->bev = bufferevent_socket_new(s->base, fd, BEV_OPT_CLOSE_ON_FREE);
	c->resume = event_new(s->base, -1, 0, on_resume, c);
	if (!c->bev || !c->resume) {
		if (c->bev)
			bufferevent_free(c->bev);
		else
			evutil_closesocket(fd);
		if (c->resume)
			event_free(c->resume);
		free(c);
		return;
	}
	c->next = s->clients;
	if (s->clients)
		s->clients->prev = c;
	s->clients = c;
	s->nclients++;

	bufferevent_setcb(c->bev, on_read, on_write, on_event, c);
	/* Input never holds much more than one longest line; the write
	 * callback fires once the output is below a quarter of the mark. */
	bufferevent_setwatermark(c->bev, EV_READ, 0, CTL_LINE_MAX + 2);
	bufferevent_setwatermark(c->bev, EV_WRITE, CTL_OUTPUT_HIGH / 4, 0);
	struct timeval idle = { .tv_sec = CTL_IDLE_TIMEOUT_S };
	bufferevent_set_timeouts(c->bev, &idle, &idle);
	bufferevent_enable(c->bev, EV_READ | EV_WRITE);
}

static void on_listen_error(struct evconnlistener *l, void *arg)
{
	(void)l;
	struct ctl_server *s = arg;
	int e = EVUTIL_SOCKET_ERROR();
	log_msg(LOG_WARN, "control socket %s: accept: %s", s->path,
		evutil_socket_error_to_string(e));
}

/* ---- the listening socket ------------------------------------------- */

static bool fill_sun(struct sockaddr_un *sun, const char *path, char *err,
		     size_t errlen)
{
	memset(sun, 0, sizeof *sun);
	sun->sun_family = AF_UNIX;
	if (strlen(path) >= sizeof sun->sun_path)
		return fail_msg(err, errlen, "control socket path %s is longer "
			    "than %zu characters", path,
			    sizeof sun->sun_path - 1);
	memcpy(sun->sun_path, path, strlen(path));
	return true;
}

/* Makes path free for bind(): nothing there, or a socket nobody answers
 * on (removed). Refuses a live daemon's socket and anything else. */
static bool clear_stale(const char *path, const struct sockaddr_un *sun,
			char *err, size_t errlen)
{
	struct stat st;
	if (lstat(path, &st) != 0) {
		if (errno == ENOENT)
			return true;
		return fail_msg(err, errlen, "control socket %s: %s", path,
			    strerror(errno));
	}
	if (!S_ISSOCK(st.st_mode))
		return fail_msg(err, errlen, "control socket %s exists and is not "
			    "a socket", path);
	int fd = socket(AF_UNIX, SOCK_STREAM, 0);
	if (fd < 0)
		return fail_msg(err, errlen, "socket: %s", strerror(errno));
	int rc = connect(fd, (const struct sockaddr *)sun, sizeof *sun);
	int e = errno;
	close(fd);
	if (rc == 0)
		return fail_msg(err, errlen, "another flowspecd answers on the "
			    "control socket %s", path);
	if (e != ECONNREFUSED)
		return fail_msg(err, errlen, "control socket %s: %s", path,
			    strerror(e));
	if (unlink(path) != 0 && errno != ENOENT)
		return fail_msg(err, errlen, "cannot remove the stale control "
			    "socket %s: %s", path, strerror(errno));
	log_msg(LOG_INFO, "removed the stale control socket %s", path);
	return true;
}

static int listen_unix(const char *path, const struct sockaddr_un *sun,
		       mode_t mode, char *err, size_t errlen)
{
	int fd = socket(AF_UNIX, SOCK_STREAM, 0);
	if (fd < 0) {
		fail_msg(err, errlen, "socket: %s", strerror(errno));
		return -1;
	}
	/* The file gets its mode at bind(): no moment with a wider one. */
	mode_t old = umask((mode_t)(~mode & 0777));
	int rc = bind(fd, (const struct sockaddr *)sun, sizeof *sun);
	int e = errno;
	umask(old);
	if (rc != 0) {
		fail_msg(err, errlen, "control socket %s: bind: %s", path,
		     strerror(e));
		close(fd);
		return -1;
	}
	if (chmod(path, mode) != 0 || listen(fd, 16) != 0 ||
	    evutil_make_socket_nonblocking(fd) != 0 ||
	    evutil_make_socket_closeonexec(fd) != 0) {
		fail_msg(err, errlen, "control socket %s: %s", path,
		     strerror(errno));
		close(fd);
		unlink(path);
		return -1;
	}
	return fd;
}

struct ctl_server *ctl_server_new(struct event_base *base, const char *path,
				  mode_t mode, const struct ctl_daemon *d,
				  char *err, size_t errlen)
{
	struct sockaddr_un sun;
	if (!fill_sun(&sun, path, err, errlen) ||
	    !clear_stale(path, &sun, err, errlen))
		return NULL;
	struct ctl_server *s = calloc(1, sizeof *s);
	if (!s || !(s->path = strdup(path))) {
		free(s);
		fail_msg(err, errlen, "out of memory");
		return NULL;
	}
	s->base = base;
	s->d = d;
	int fd = listen_unix(path, &sun, mode, err, errlen);
	if (fd < 0) {
		free(s->path);
		free(s);
		return NULL;
	}
	struct stat st;
	if (fstat(fd, &st) == 0 && stat(path, &st) == 0) {
		s->dev = st.st_dev;
		s->ino = st.st_ino;
	}
	s->listener = evconnlistener_new(base, on_accept, s,
					 LEV_OPT_CLOSE_ON_FREE |
						 LEV_OPT_CLOSE_ON_EXEC,
					 -1, fd);
	if (!s->listener) {
		fail_msg(err, errlen, "control socket %s: cannot listen", path);
		close(fd);
		unlink(path);
		free(s->path);
		free(s);
		return NULL;
	}
	evconnlistener_set_error_cb(s->listener, on_listen_error);
	log_msg(LOG_INFO, "control socket on %s", path);
	return s;
}

void ctl_server_free(struct ctl_server *s)
{
	if (!s)
		return;
	while (s->clients)
		client_free(s->clients);
	evconnlistener_free(s->listener);
	struct stat st;
	if (stat(s->path, &st) == 0 && st.st_dev == s->dev &&
	    st.st_ino == s->ino)
		unlink(s->path);
	free(s->path);
	free(s);
}

size_t ctl_server_clients(const struct ctl_server *s)
{
	return s->nclients;
}
