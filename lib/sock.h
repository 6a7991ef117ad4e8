/* Socket helpers whose details differ between platforms, each behind one
 * small function: sockaddr conversion, TCP-MD5 (RFC 2385) and GTSM
 * (RFC 5082). Where a platform lacks an option the function fails with
 * errno ENOTSUP, so callers never need an #ifdef. */
#ifndef LIB_SOCK_H
#define LIB_SOCK_H

#include <stdbool.h>
#include <stdint.h>
#include <sys/socket.h>

#include "lib/addr.h"

/* The sockaddr of a and port in *ss; returns its length, 0 for a
 * family that is neither IPv4 nor IPv6. */
socklen_t sock_addr_to(const struct addr *a, uint16_t port,
		       struct sockaddr_storage *ss);
/* The address and port of sa (an IPv4-mapped IPv6 address gives the IPv4
 * address); false for another family. */
bool sock_addr_from(const struct sockaddr *sa, struct addr *a,
		    uint16_t *port);

/* RFC 2385: signs the segments exchanged with peer on fd with key (at
 * most 80 octets); NULL or "" removes the key. On a listening socket it
 * sets the key the accepted connections from peer get. False with errno
 * set on failure. */
bool sock_set_md5(int fd, const struct addr *peer, const char *key);

/* RFC 5082 for a directly connected peer, in two halves: fd (of this
 * family) sends with TTL / hop limit 255; fd drops segments that arrive
 * with less. A listening socket passes both on to its connections (and
 * sends its SYN-ACKs with 255). False with errno set on failure. */
bool sock_gtsm_send(int fd, enum addr_family family);
bool sock_gtsm_check(int fd, enum addr_family family);

#endif
