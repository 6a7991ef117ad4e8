/* UDP receive sockets for many small datagrams: bound non-blocking with
 * a chosen receive buffer, read in batches (recvmmsg where the platform
 * has it, one recvmsg at a time elsewhere) with the kernel's count of
 * datagrams it dropped for want of buffer space where it keeps one. */
#ifndef LIB_UDP_H
#define LIB_UDP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "lib/addr.h"

/* One datagram slot: the caller sets buf and cap. */
struct udp_msg {
	uint8_t *buf;
	size_t cap;
	size_t len;		/* received octets */
	bool truncated;		/* the datagram was longer than cap */
	struct addr from;
	uint16_t port;
};

/* A non-blocking UDP socket bound to addr:port, SO_RCVBUF rcvbuf (0: the
 * system's) and, where there is one, the drop counter on. Returns the fd,
 * or -1 with a one-line reason in err and errno kept (EACCES: a port
 * below 1024 without the privilege). */
int udp_bind(const struct addr *addr, uint16_t port, uint32_t rcvbuf,
	     char *err, size_t errlen);
/* Sets fd's SO_RCVBUF to rcvbuf octets (0: leaves it); false with errno
 * when refused. */
bool udp_set_rcvbuf(int fd, uint32_t rcvbuf);
/* Receives up to n datagrams without blocking. Returns how many (0: none
 * waiting), or -1 with errno set. *drops is set to the kernel's total of
 * drops on this socket when a datagram carried it (else left alone). */
int udp_recv_batch(int fd, struct udp_msg *msgs, unsigned n,
		   uint32_t *drops);

#endif
