/* Socket helpers: see sock.h. */
#include "sock.h"

#include <errno.h>
#include <netinet/in.h>
#include <netinet/ip.h>
#include <netinet/tcp.h>
#include <string.h>

/* RFC 5082 §3: the TTL we send and the least we accept (one hop). */
#define GTSM_TTL 255

socklen_t sock_addr_to(const struct addr *a, uint16_t port,
		       struct sockaddr_storage *ss)
{
	memset(ss, 0, sizeof *ss);
	if (a->family == ADDR_V4) {
		struct sockaddr_in *sin = (struct sockaddr_in *)ss;
		sin->sin_family = AF_INET;
		sin->sin_port = htons(port);
		memcpy(&sin->sin_addr, a->bytes, 4);
		return sizeof *sin;
	}
	if (a->family == ADDR_V6) {
		struct sockaddr_in6 *sin6 = (struct sockaddr_in6 *)ss;
		sin6->sin6_family = AF_INET6;
		sin6->sin6_port = htons(port);
		memcpy(&sin6->sin6_addr, a->bytes, 16);
		return sizeof *sin6;
	}
	return 0;
}

bool sock_addr_from(const struct sockaddr *sa, struct addr *a,
		    uint16_t *port)
{
	memset(a, 0, sizeof *a);
	if (sa->sa_family == AF_INET) {
		const struct sockaddr_in *sin = (const struct sockaddr_in *)sa;
		a->family = ADDR_V4;
		memcpy(a->bytes, &sin->sin_addr, 4);
		*port = ntohs(sin->sin_port);
		return true;
	}
	if (sa->sa_family == AF_INET6) {
		const struct sockaddr_in6 *sin6 =
			(const struct sockaddr_in6 *)sa;
		*port = ntohs(sin6->sin6_port);
		if (IN6_IS_ADDR_V4MAPPED(&sin6->sin6_addr)) {
			a->family = ADDR_V4;
			memcpy(a->bytes, sin6->sin6_addr.s6_addr + 12, 4);
		} else {
			a->family = ADDR_V6;
			memcpy(a->bytes, &sin6->sin6_addr, 16);
		}
		return true;
	}
	return false;
}

bool sock_set_md5(int fd, const struct addr *peer, const char *key)
{
#ifdef TCP_MD5SIG
	struct tcp_md5sig sig;
	memset(&sig, 0, sizeof sig);
	size_t len = key ? strlen(key) : 0;
	if (len > TCP_MD5SIG_MAXKEYLEN ||
	    !sock_addr_to(peer, 0, &sig.tcpm_addr)) {
		errno = EINVAL;
		return false;
	}
	sig.tcpm_keylen = (uint16_t)len;
	memcpy(sig.tcpm_key, key, len);
	return setsockopt(fd, IPPROTO_TCP, TCP_MD5SIG, &sig, sizeof sig) == 0;
#else
	(void)fd;
	(void)peer;
	(void)key;
	errno = ENOTSUP;
	return false;
#endif
}

bool sock_gtsm_send(int fd, enum addr_family family)
{
	int ttl = GTSM_TTL;
	if (family == ADDR_V4)
		return setsockopt(fd, IPPROTO_IP, IP_TTL, &ttl, sizeof ttl) == 0;
	if (family == ADDR_V6)
		return setsockopt(fd, IPPROTO_IPV6, IPV6_UNICAST_HOPS, &ttl,
				  sizeof ttl) == 0;
	errno = EINVAL;
	return false;
}

bool sock_gtsm_check(int fd, enum addr_family family)
{
	int ttl = GTSM_TTL;
#ifdef IP_MINTTL
	if (family == ADDR_V4)
		return setsockopt(fd, IPPROTO_IP, IP_MINTTL, &ttl,
				  sizeof ttl) == 0;
#endif
#ifdef IPV6_MINHOPCOUNT
	if (family == ADDR_V6)
		return setsockopt(fd, IPPROTO_IPV6, IPV6_MINHOPCOUNT, &ttl,
				  sizeof ttl) == 0;
#endif
	(void)ttl;
	errno = family == ADDR_V4 || family == ADDR_V6 ? ENOTSUP : EINVAL;
	return false;
}
