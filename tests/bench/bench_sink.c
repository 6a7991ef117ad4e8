/* A minimal counting BGP receiver for the benchmarks (tests/bench/
 * bench_rules.sh): it accepts one TCP connection, answers the peer's OPEN
 * with its own (multiprotocol ipv4-flowspec and ipv6-flowspec, 4-octet AS,
 * extended message; RFC 4760, RFC 6793, RFC 8654), sends KEEPALIVEs, and
 * counts the Flowspec NLRIs of every UPDATE with the project's decoder
 * (bgp_update_decode, which checks every message and NLRI). It keeps
 * nothing, reads in big chunks and has no event library, so it is not what
 * limits a sender.
 *
 *   bench_sink [-l ADDR] [-p PORT] [-P PEER] [-n COUNT] [-a AS]
 *              [-i ROUTER_ID] [-H HOLD] [-t SECONDS] [-x]
 *
 * -P accepts only connections from PEER (others are closed at once).
 *
 * Lines on stdout, flushed as they happen (times are CLOCK_REALTIME in
 * seconds, so a script can subtract its own `date +%s.%N`; "+S" fields are
 * seconds since the connection was accepted):
 *   listening ADDR PORT
 *   connected at=T
 *   open at=T +S peer_as=AS hold=H
 *   first_update at=T +S
 *   reached at=T +S count=N updates=U octets=O   (announced NLRIs >= COUNT)
 *   eor at=T +S afi=AFI count=N                  (End-of-RIB, RFC 4724 §2)
 *   notification at=T code=C subcode=S
 *   summary announced=N withdrawn=W updates=U errors=E octets=O
 *           cpu_user=S cpu_sys=S
 * -x exits once COUNT is reached and an End-of-RIB came after it; -t
 * (default 600) bounds the whole run. Exit status 0 when COUNT was
 * reached (or not asked for), 1 otherwise. */
#include <errno.h>
#include <getopt.h>
#include <poll.h>
#include <signal.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include <arpa/inet.h>
#include <netinet/in.h>
#include <netinet/tcp.h>

#include "bgpd/bgp/msg.h"
#include "bgpd/bgp/open.h"
#include "lib/addr.h"
#include "lib/reader.h"
#include "lib/writer.h"

#define SINK_BUF (8u << 20)		/* read buffer: many UPDATEs per read */
#define SINK_RCVBUF (4 << 20)		/* SO_RCVBUF asked for */
#define SINK_HOLD_DEFAULT 90
#define SINK_AS_DEFAULT 65001
#define SINK_TIMEOUT_DEFAULT 600
/* Capability lengths: AFI(2) reserved(1) SAFI(1); the AS(4); none. */
#define CAP_MP_LEN 4
#define CAP_AS4_LEN 4
#define CAP_EXTENDED_LEN 0
#define NOTIFICATION_MIN_LEN (BGP_HEADER_LEN + 2)

struct opts {
	const char *addr;
	uint16_t port;
	bool has_peer;
	struct in_addr peer;	/* when has_peer: the only one accepted */
	uint64_t count;		/* 0: none asked */
	uint32_t as;
	struct addr router_id;
	uint16_t hold;
	unsigned timeout_s;
	bool exit_when_done;
};

struct sink {
	struct opts o;
	int fd;
	double t_conn;		/* CLOCK_REALTIME of the accept */
	double t_last_ka;	/* monotonic: the last KEEPALIVE we sent */
	uint16_t hold;		/* negotiated; 0: no KEEPALIVEs */
	bool open_seen, first_seen, reached, done;
	uint64_t announced, withdrawn, updates, errors, octets;
	uint8_t *buf;
	size_t have;
};

static volatile sig_atomic_t stop_signal;

static void on_signal(int sig)
{
	stop_signal = sig;
}

static double clock_s(clockid_t id)
{
	struct timespec ts;
	clock_gettime(id, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static double now(void)
{
	return clock_s(CLOCK_REALTIME);
}

__attribute__((format(printf, 1, 2))) static void say(const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	putchar('\n');
	fflush(stdout);
}

/* Writes all of w to the socket (the messages we send are tiny). */
static bool send_all(int fd, const struct writer *w)
{
	if (w->err)
		return false;
	size_t off = 0;
	while (off < w->len) {
		ssize_t n = send(fd, w->data + off, w->len - off, MSG_NOSIGNAL);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			return false;
		off += (size_t)n;
	}
	return true;
}

static void cap_put(struct writer *w, enum bgp_capability code, size_t len)
{
	put_u8(w, BGP_OPT_PARAM_CAPABILITIES);
	put_u8(w, (uint8_t)(2 + len));
	put_u8(w, (uint8_t)code);
	put_u8(w, (uint8_t)len);
}

/* Our OPEN, RFC 4271 §4.2, with one optional parameter per capability. */
static bool send_open(struct sink *s)
{
	struct writer w = writer_init(BGP_MAX_MSG);
	size_t start = bgp_header_put(&w, BGP_MSG_OPEN);
	put_u8(&w, BGP_VERSION);
	put_u16(&w, s->o.as > UINT16_MAX ? BGP_AS_TRANS : (uint16_t)s->o.as);
	put_u16(&w, s->o.hold);
	put_bytes(&w, s->o.router_id.bytes, 4);
	size_t opt_len = put_reserve(&w, 1);
	static const uint16_t afis[] = { BGP_AFI_IPV4, BGP_AFI_IPV6 };
	for (size_t i = 0; i < sizeof afis / sizeof afis[0]; i++) {
		cap_put(&w, BGP_CAP_MULTIPROTOCOL, CAP_MP_LEN);	/* RFC 4760 §8 */
		put_u16(&w, afis[i]);
		put_u8(&w, 0);
		put_u8(&w, BGP_SAFI_FLOWSPEC);
	}
	cap_put(&w, BGP_CAP_AS4, CAP_AS4_LEN);			/* RFC 6793 §3 */
	put_u32(&w, s->o.as);
	cap_put(&w, BGP_CAP_EXTENDED_MESSAGE, CAP_EXTENDED_LEN);	/* RFC 8654 */
	patch_u8(&w, opt_len, (uint8_t)(w.len - opt_len - 1));
	bgp_header_finish(&w, start);
	bool ok = send_all(s->fd, &w);
	writer_free(&w);
	return ok;
}

static bool send_keepalive(struct sink *s)
{
	struct writer w = writer_init(BGP_MAX_MSG);
	bgp_header_finish(&w, bgp_header_put(&w, BGP_MSG_KEEPALIVE));
	bool ok = send_all(s->fd, &w);
	writer_free(&w);
	s->t_last_ka = clock_s(CLOCK_MONOTONIC);
	return ok;
}

/* The peer's OPEN: only its AS and hold time matter here. */
static bool got_open(struct sink *s, const uint8_t *msg, size_t len)
{
	struct reader r = reader_init(msg, len);
	skip(&r, BGP_HEADER_LEN);
	(void)get_u8(&r);			/* version */
	uint16_t as = get_u16(&r);
	uint16_t hold = get_u16(&r);
	if (r.err) {
		say("error: short OPEN");
		return false;
	}
	s->hold = hold < s->o.hold ? hold : s->o.hold;
	s->open_seen = true;
	double t = now();
	say("open at=%.6f +%.6f peer_as=%u hold=%u", t, t - s->t_conn, as,
	    s->hold);
	return send_keepalive(s);
}

static void got_update(struct sink *s, const uint8_t *msg, size_t len)
{
	double t = 0;
	if (!s->first_seen) {
		s->first_seen = true;
		t = now();
		say("first_update at=%.6f +%.6f", t, t - s->t_conn);
	}
	s->updates++;
	struct bgp_update_result res;
	if (bgp_update_decode(msg, len, NULL, NULL, &res) != BGP_UPD_OK) {
		char why[160];
		if (s->errors++ < 10)
			say("error: UPDATE %llu: %s",
			    (unsigned long long)s->updates,
			    bgp_update_error_text(&res, why, sizeof why));
		return;
	}
	s->announced += res.announced;
	s->withdrawn += res.withdrawn;
	if (!s->reached && s->o.count && s->announced >= s->o.count) {
		s->reached = true;
		t = now();
		say("reached at=%.6f +%.6f count=%llu updates=%llu octets=%llu",
		    t, t - s->t_conn, (unsigned long long)s->announced,
		    (unsigned long long)s->updates,
		    (unsigned long long)s->octets);
	}
	if (res.eor_afi) {
		t = now();
		say("eor at=%.6f +%.6f afi=%u count=%llu", t, t - s->t_conn,
		    res.eor_afi, (unsigned long long)s->announced);
		if (s->o.exit_when_done && (s->reached || !s->o.count))
			s->done = true;
	}
}

static void got_notification(struct sink *s, const uint8_t *msg, size_t len)
{
	struct reader r = reader_init(msg, len);
	skip(&r, BGP_HEADER_LEN);
	uint8_t code = get_u8(&r), subcode = get_u8(&r);
	say("notification at=%.6f code=%u subcode=%u", now(), code, subcode);
	s->done = true;
}

/* Handles every complete message in the buffer; false on a fatal fault. */
static bool frames(struct sink *s)
{
	size_t off = 0;
	while (s->have - off >= BGP_HEADER_LEN) {
		const uint8_t *m = s->buf + off;
		struct reader r = reader_init(m, BGP_HEADER_LEN);
		for (unsigned i = 0; i < BGP_MARKER_LEN; i++) {
			if (get_u8(&r) != BGP_MARKER_OCTET) {
				say("error: bad marker at octet %llu",
				    (unsigned long long)(s->octets + off));
				return false;
			}
		}
		size_t len = get_u16(&r);
		uint8_t type = get_u8(&r);
		if (len < BGP_HEADER_LEN) {
			say("error: message length %zu", len);
			return false;
		}
		if (s->have - off < len)
			break;
		switch (type) {
		case BGP_MSG_OPEN:
			if (!got_open(s, m, len))
				return false;
			break;
		case BGP_MSG_UPDATE:
			got_update(s, m, len);
			break;
		case BGP_MSG_NOTIFICATION:
			if (len >= NOTIFICATION_MIN_LEN)
				got_notification(s, m, len);
			return false;
		default:	/* KEEPALIVE, ROUTE-REFRESH: nothing to do */
			break;
		}
		off += len;
	}
	memmove(s->buf, s->buf + off, s->have - off);
	s->have -= off;
	s->octets += off;
	return true;
}

static int listen_on(const struct opts *o)
{
	struct sockaddr_in sin = { .sin_family = AF_INET,
				   .sin_port = htons(o->port) };
	if (inet_pton(AF_INET, o->addr, &sin.sin_addr) != 1) {
		fprintf(stderr, "bench_sink: %s: not an IPv4 address\n",
			o->addr);
		return -1;
	}
	int fd = socket(AF_INET, SOCK_STREAM, 0);
	int one = 1;
	if (fd < 0 ||
	    setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one) < 0 ||
	    bind(fd, (struct sockaddr *)&sin, sizeof sin) < 0 ||
	    listen(fd, 4) < 0) {
		fprintf(stderr, "bench_sink: %s:%u: %s\n", o->addr, o->port,
			strerror(errno));
		if (fd >= 0)
			close(fd);
		return -1;
	}
	return fd;
}

/* Waits for fd to be readable until the deadline (monotonic); also sends
 * KEEPALIVEs on time. 1 readable, 0 deadline or signal, -1 error. */
static int wait_readable(struct sink *s, int fd, double deadline)
{
	for (;;) {
		if (stop_signal)
			return 0;
		double t = clock_s(CLOCK_MONOTONIC);
		if (t >= deadline)
			return 0;
		double until = deadline;
		if (s->open_seen && s->hold) {
			double ka = s->t_last_ka + s->hold / 3.0;
			if (t >= ka) {
				if (!send_keepalive(s))
					return -1;
				continue;
			}
			if (ka < until)
				until = ka;
		}
		struct pollfd p = { .fd = fd, .events = POLLIN };
		int ms = (int)((until - t) * 1000) + 1;
		int n = poll(&p, 1, ms);
		if (n < 0 && errno != EINTR)
			return -1;
		if (n > 0)
			return 1;
	}
}

static void usage(FILE *f)
{
	fprintf(f, "usage: bench_sink [-l ADDR] [-p PORT] [-P PEER] [-n COUNT] "
		   "[-a AS] [-i ROUTER_ID] [-H HOLD] [-t SECONDS] [-x]\n");
}

static bool parse_opts(int argc, char **argv, struct opts *o)
{
	*o = (struct opts){ .addr = "127.0.0.1", .port = 1790,
			    .as = SINK_AS_DEFAULT, .hold = SINK_HOLD_DEFAULT,
			    .timeout_s = SINK_TIMEOUT_DEFAULT };
	const char *rid = "192.0.2.254";
	int c;
	while ((c = getopt(argc, argv, "l:p:P:n:a:i:H:t:xh")) != -1) {
		char *end = NULL;
		unsigned long long v = 0;
		if (!strchr("liPxh?", c)) {
			errno = 0;
			v = strtoull(optarg, &end, 10);
			if (errno || *end || end == optarg)
				return false;
		}
		switch (c) {
		case 'l': o->addr = optarg; break;
		case 'P':
			if (inet_pton(AF_INET, optarg, &o->peer) != 1)
				return false;
			o->has_peer = true;
			break;
		case 'p':
			if (v == 0 || v > UINT16_MAX)
				return false;
			o->port = (uint16_t)v;
			break;
		case 'n': o->count = v; break;
		case 'a':
			if (v == 0 || v > UINT32_MAX)
				return false;
			o->as = (uint32_t)v;
			break;
		case 'i': rid = optarg; break;
		case 'H':
			if (v > UINT16_MAX || (v && v < BGP_HOLD_TIME_MIN))
				return false;
			o->hold = (uint16_t)v;
			break;
		case 't': o->timeout_s = (unsigned)v; break;
		case 'x': o->exit_when_done = true; break;
		default: return false;
		}
	}
	if (optind != argc || !addr_parse(&o->router_id, rid, strlen(rid)) ||
	    o->router_id.family != ADDR_V4)
		return false;
	return true;
}

int main(int argc, char **argv)
{
	struct sink s = { .fd = -1 };
	if (!parse_opts(argc, argv, &s.o)) {
		usage(stderr);
		return 2;
	}
	struct sigaction sa = { .sa_handler = on_signal };
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	signal(SIGPIPE, SIG_IGN);

	double deadline = clock_s(CLOCK_MONOTONIC) + s.o.timeout_s;
	int lfd = listen_on(&s.o);
	s.buf = malloc(SINK_BUF);
	if (lfd < 0 || !s.buf)
		return 1;
	say("listening %s %u", s.o.addr, s.o.port);
	while (s.fd < 0 && wait_readable(&s, lfd, deadline) == 1) {
		struct sockaddr_in from;
		socklen_t fromlen = sizeof from;
		s.fd = accept(lfd, (struct sockaddr *)&from, &fromlen);
		if (s.fd >= 0 && s.o.has_peer &&
		    from.sin_addr.s_addr != s.o.peer.s_addr) {
			char buf[INET_ADDRSTRLEN];
			say("refused %s",
			    inet_ntop(AF_INET, &from.sin_addr, buf, sizeof buf));
			close(s.fd);
			s.fd = -1;
		}
	}
	close(lfd);
	if (s.fd < 0) {
		say("error: no connection");
		return 1;
	}
	s.t_conn = now();
	say("connected at=%.6f", s.t_conn);
	int rcvbuf = SINK_RCVBUF, one = 1;
	setsockopt(s.fd, SOL_SOCKET, SO_RCVBUF, &rcvbuf, sizeof rcvbuf);
	setsockopt(s.fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
	/* Both sides may send the OPEN first (RFC 4271 §8.2.2). */
	if (!send_open(&s)) {
		say("error: cannot send the OPEN: %s", strerror(errno));
		return 1;
	}
	while (!s.done && wait_readable(&s, s.fd, deadline) == 1) {
		ssize_t n = recv(s.fd, s.buf + s.have, SINK_BUF - s.have, 0);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0) {
			say("closed at=%.6f%s%s", now(), n < 0 ? " " : "",
			    n < 0 ? strerror(errno) : "");
			break;
		}
		s.have += (size_t)n;
		if (!frames(&s))
			break;
	}
	struct rusage ru;
	getrusage(RUSAGE_SELF, &ru);
	say("summary announced=%llu withdrawn=%llu updates=%llu errors=%llu "
	    "octets=%llu cpu_user=%.3f cpu_sys=%.3f",
	    (unsigned long long)s.announced, (unsigned long long)s.withdrawn,
	    (unsigned long long)s.updates, (unsigned long long)s.errors,
	    (unsigned long long)(s.octets + s.have),
	    (double)ru.ru_utime.tv_sec + ru.ru_utime.tv_usec / 1e6,
	    (double)ru.ru_stime.tv_sec + ru.ru_stime.tv_usec / 1e6);
	close(s.fd);
	free(s.buf);
	return s.o.count && !s.reached ? 1 : 0;
}
