/* Flowspec actions <-> extended communities: RFC 8955 §7 (traffic-rate,
 * traffic-action, redirect, traffic-marking), RFC 7674 (redirect in three
 * forms), traffic-rate in packets (0x800c), and the two redirect-to-IP
 * encodings in use: the next hop plus 0x0800 (draft-simpson, "redirect IP"
 * and "copy IP" in ExaBGP) and the IETF form 0x010c / IPv6 0x000c
 * (draft-ietf-idr-flowspec-redirect-ip). No I/O here. */
#ifndef NLRI_ACTIONS_H
#define NLRI_ACTIONS_H

#include <stdbool.h>
#include <stdint.h>

#include "lib/addr.h"
#include "lib/writer.h"

/* Extended community type and sub-type, as one 16-bit value. */
#define EXT_FLOW_TRAFFIC_RATE 0x8006	/* RFC 8955 §7.1, bytes/s */
#define EXT_FLOW_TRAFFIC_ACTION 0x8007	/* RFC 8955 §7.3 */
#define EXT_FLOW_REDIRECT_AS2 0x8008	/* RFC 7674 §3.1, 2-octet AS */
#define EXT_FLOW_TRAFFIC_MARK 0x8009	/* RFC 8955 §7.5 */
#define EXT_FLOW_RATE_PACKETS 0x800c	/* RFC 8955 §7.2, packets/s */
#define EXT_FLOW_REDIRECT_IP4 0x8108	/* RFC 7674 §3.2, IPv4 address */
#define EXT_FLOW_REDIRECT_AS4 0x8208	/* RFC 7674 §3.3, 4-octet AS */
#define EXT_FLOW_REDIRECT_NH 0x0800	/* draft-simpson: redirect to next hop */
#define EXT_FLOW_REDIRECT_IP_IETF 0x010c	/* IPv4-address-specific, redirect to IP */
#define EXT6_FLOW_REDIRECT_IP_IETF 0x000c	/* RFC 5701 IPv6-address-specific form */
#define EXT_RT_AS2 0x0002	/* RFC 4360 §4: route target, 2-octet AS */

#define EXT_COMMUNITY_LEN 8	/* RFC 4360 */
#define EXT6_COMMUNITY_LEN 20	/* RFC 5701 */

/* Traffic-action bits, RFC 8955 §7.3 (low octet of the value). */
#define FS_ACTION_TERMINAL 0x01
#define FS_ACTION_SAMPLE 0x02
/* Copy flag in the local part of the redirect-to-IP communities. */
#define FS_REDIRECT_COPY 0x0001
/* traffic-marking: DSCP in the low six bits of the last octet. */
#define FS_MARK_DSCP_MASK 0x3f

enum fs_action_type {
	FS_ACT_RATE_BYTES,	/* rate (0: discard) */
	FS_ACT_RATE_PACKETS,	/* rate */
	FS_ACT_TRAFFIC_ACTION,	/* flags */
	FS_ACT_REDIRECT_AS2,	/* asn, local */
	FS_ACT_REDIRECT_IP4,	/* ip, local */
	FS_ACT_REDIRECT_AS4,	/* asn, local */
	FS_ACT_MARK,		/* dscp */
	FS_ACT_REDIRECT_NH,	/* copy; the address is the next hop */
	FS_ACT_REDIRECT_IP_IETF,	/* ip (IPv4 or IPv6), copy */
	FS_ACT_OTHER,		/* anything else: raw, kept as it came */
};

struct fs_action {
	enum fs_action_type type;
	float rate;
	uint16_t rate_as;	/* informational AS of a traffic-rate */
	uint8_t flags;
	uint8_t dscp;
	bool copy;
	uint32_t asn;
	uint32_t local;
	struct addr ip;
	uint8_t raw[EXT6_COMMUNITY_LEN];
	uint8_t raw_len;	/* EXT_COMMUNITY_LEN or EXT6_COMMUNITY_LEN */
};

/* Decodes one community of raw_len octets (8: RFC 4360, 20: RFC 5701);
 * unknown ones come back as FS_ACT_OTHER with raw set. */
void fs_action_decode(struct fs_action *a, const uint8_t *raw, unsigned len);
/* Appends the community of a to w (20 octets for an IPv6 redirect-to-IP or
 * an OTHER of that size, 8 otherwise). Returns the length written. */
unsigned fs_action_put(struct writer *w, const struct fs_action *a);
/* True when a encodes as an RFC 5701 IPv6 community. */
bool fs_action_is_ext6(const struct fs_action *a);

#endif
