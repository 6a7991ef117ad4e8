/* Batched UDP receive: see udp.h. recvmmsg and SO_RXQ_OVFL are Linux's;
 * this file is the one place that knows. */
#ifdef __linux__
#define _GNU_SOURCE		/* recvmmsg */
#endif
#include "udp.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "lib/sock.h"

#define UDP_BATCH_MAX 64
#define DROPS_CMSG_SPACE CMSG_SPACE(sizeof(uint32_t))

bool udp_set_rcvbuf(int fd, uint32_t rcvbuf)
{
	int size = (int)rcvbuf;
	return !rcvbuf || setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &size,
				     sizeof size) == 0;
}

int udp_bind(const struct addr *addr, uint16_t port, uint32_t rcvbuf,
	     char *err, size_t errlen)
{
	struct sockaddr_storage ss;
	socklen_t sl = sock_addr_to(addr, port, &ss);
	int fd = socket(ss.ss_family, SOCK_DGRAM, 0);
	if (fd < 0) {
		snprintf(err, errlen, "socket: %s", strerror(errno));
		return -1;
	}
	int one = 1;
	if (fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) | O_NONBLOCK) < 0 ||
	    !udp_set_rcvbuf(fd, rcvbuf) ||
	    bind(fd, (struct sockaddr *)&ss, sl) < 0) {
		int e = errno;
		snprintf(err, errlen, "%s", strerror(e));
		close(fd);
		errno = e;
		return -1;
	}
#ifdef SO_RXQ_OVFL
	(void)setsockopt(fd, SOL_SOCKET, SO_RXQ_OVFL, &one, sizeof one);
#else
	(void)one;
#endif
	return fd;
}

/* The drop counter of one received message, if it carries one. */
static void read_drops(struct msghdr *h, uint32_t *drops)
{
#ifdef SO_RXQ_OVFL
	for (struct cmsghdr *c = CMSG_FIRSTHDR(h); c; c = CMSG_NXTHDR(h, c))
		if (c->cmsg_level == SOL_SOCKET && c->cmsg_type == SO_RXQ_OVFL)
			memcpy(drops, CMSG_DATA(c), sizeof *drops);
#else
	(void)h;
	(void)drops;
#endif
}

static void finish(struct udp_msg *m, struct msghdr *h, size_t len,
		   uint32_t *drops)
{
	m->len = len < m->cap ? len : m->cap;
	m->truncated = (h->msg_flags & MSG_TRUNC) != 0;
	if (!sock_addr_from((struct sockaddr *)h->msg_name, &m->from,
			    &m->port))
		memset(&m->from, 0, sizeof m->from);
	read_drops(h, drops);
}

int udp_recv_batch(int fd, struct udp_msg *msgs, unsigned n,
		   uint32_t *drops)
{
	if (n > UDP_BATCH_MAX)
		n = UDP_BATCH_MAX;
	struct sockaddr_storage from[UDP_BATCH_MAX];
	struct iovec iov[UDP_BATCH_MAX];
	_Alignas(struct cmsghdr) uint8_t ctl[UDP_BATCH_MAX][DROPS_CMSG_SPACE];
#ifdef __linux__
	struct mmsghdr mm[UDP_BATCH_MAX];
	for (unsigned i = 0; i < n; i++) {
		iov[i] = (struct iovec){ msgs[i].buf, msgs[i].cap };
		mm[i].msg_hdr = (struct msghdr){
			.msg_name = &from[i], .msg_namelen = sizeof from[i],
			.msg_iov = &iov[i], .msg_iovlen = 1,
			.msg_control = ctl[i], .msg_controllen = sizeof ctl[i],
		};
	}
	int got = recvmmsg(fd, mm, n, MSG_DONTWAIT, NULL);
	if (got < 0)
		return errno == EAGAIN || errno == EWOULDBLOCK ? 0 : -1;
	for (int i = 0; i < got; i++)
		finish(&msgs[i], &mm[i].msg_hdr, mm[i].msg_len, drops);
	return got;
#else
	unsigned got = 0;
	for (; got < n; got++) {
		iov[got] = (struct iovec){ msgs[got].buf, msgs[got].cap };
		struct msghdr h = {
			.msg_name = &from[got], .msg_namelen = sizeof from[got],
			.msg_iov = &iov[got], .msg_iovlen = 1,
			.msg_control = ctl[got],
			.msg_controllen = sizeof ctl[got],
		};
		ssize_t len = recvmsg(fd, &h, MSG_DONTWAIT);
		if (len < 0) {
			if (errno == EAGAIN || errno == EWOULDBLOCK)
				break;
			return got ? (int)got : -1;
		}
		finish(&msgs[got], &h, (size_t)len, drops);
	}
	return (int)got;
#endif
}
