/* BGP message constants (RFC 4271 §4) and the UPDATE codec for Flowspec:
 * a builder that packs rules sharing one attribute set into UPDATEs, and a
 * decoder that validates one UPDATE and hands over its Flowspec NLRIs.
 * No I/O here. */
#ifndef BGPD_BGP_MSG_H
#define BGPD_BGP_MSG_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "lib/writer.h"
#include "nlri/rule.h"

/* Message header, RFC 4271 §4.1. */
#define BGP_MARKER_LEN 16
#define BGP_MARKER_OCTET 0xff
#define BGP_HEADER_LEN 19
#define BGP_MAX_MSG 4096		/* RFC 4271 §4.1 */
#define BGP_MAX_MSG_EXTENDED 65535	/* RFC 8654 §4 */

/* Message types, RFC 4271 §4.1 and RFC 2918 §3. */
enum bgp_msg_type {
	BGP_MSG_OPEN = 1,
	BGP_MSG_UPDATE = 2,
	BGP_MSG_NOTIFICATION = 3,
	BGP_MSG_KEEPALIVE = 4,
	BGP_MSG_ROUTE_REFRESH = 5,
};

/* UPDATE fixed part after the header, RFC 4271 §4.3: Withdrawn Routes
 * Length and Total Path Attribute Length, two octets each. */
#define BGP_UPDATE_MIN_LEN (BGP_HEADER_LEN + 2 + 2)

/* Path attribute flags, RFC 4271 §4.3. The low four bits are unused. */
#define BGP_ATTR_FLAG_OPTIONAL 0x80
#define BGP_ATTR_FLAG_TRANSITIVE 0x40
#define BGP_ATTR_FLAG_PARTIAL 0x20
#define BGP_ATTR_FLAG_EXTENDED 0x10	/* two-octet attribute length */

/* Path attribute type codes. */
enum bgp_attr_type {
	BGP_ATTR_ORIGIN = 1,		/* RFC 4271 §5.1.1 */
	BGP_ATTR_AS_PATH = 2,		/* RFC 4271 §5.1.2 */
	BGP_ATTR_NEXT_HOP = 3,		/* RFC 4271 §5.1.3 */
	BGP_ATTR_MED = 4,		/* RFC 4271 §5.1.4 */
	BGP_ATTR_LOCAL_PREF = 5,	/* RFC 4271 §5.1.5 */
	BGP_ATTR_ATOMIC_AGGREGATE = 6,	/* RFC 4271 §5.1.6 */
	BGP_ATTR_AGGREGATOR = 7,	/* RFC 4271 §5.1.7 */
	BGP_ATTR_COMMUNITIES = 8,	/* RFC 1997 */
	BGP_ATTR_MP_REACH_NLRI = 14,	/* RFC 4760 §3 */
	BGP_ATTR_MP_UNREACH_NLRI = 15,	/* RFC 4760 §4 */
	BGP_ATTR_EXT_COMMUNITIES = 16,	/* RFC 4360 §2 */
	BGP_ATTR_AS4_PATH = 17,		/* RFC 6793 §3 */
	BGP_ATTR_AS4_AGGREGATOR = 18,	/* RFC 6793 §3 */
	BGP_ATTR_IPV6_EXT_COMMUNITIES = 25,	/* RFC 5701 §2 */
};

/* ORIGIN values, RFC 4271 §4.3 (a). */
#define BGP_ORIGIN_IGP 0
#define BGP_ORIGIN_EGP 1
#define BGP_ORIGIN_INCOMPLETE 2

/* AS_PATH segment types, RFC 4271 §4.3 (b). */
#define BGP_AS_SET 1
#define BGP_AS_SEQUENCE 2

/* The 2-octet stand-in for a 4-octet AS, RFC 6793 §9. */
#define BGP_AS_TRANS 23456
/* LOCAL_PREF we send to internal peers (RFC 4271 §5.1.5). */
#define BGP_LOCAL_PREF_DEFAULT 100

/* MP_REACH_NLRI next hop lengths for Flowspec (RFC 8955 §4: 0; a
 * redirect-to-IP next hop: an IPv4 or IPv6 address, or IPv6 global plus
 * link-local, RFC 2545 §3). */
#define BGP_NH_LEN_NONE 0
#define BGP_NH_LEN_IPV4 4
#define BGP_NH_LEN_IPV6 16
#define BGP_NH_LEN_IPV6_LL 32

/* The name of an attribute type ("MP_REACH_NLRI"), or NULL for a type
 * this file does not know. */
const char *bgp_attr_name(unsigned type);

/* ---- Builder ---- */

/* What the UPDATE depends on in the session. */
struct bgp_update_params {
	/* Internal peer: empty AS_PATH and LOCAL_PREF (RFC 4271 §5.1.2,
	 * §5.1.5); else one AS_SEQUENCE of local_as. */
	bool ibgp;
	uint32_t local_as;	/* eBGP: the one AS of the AS_PATH */
	bool as4;		/* 4-octet AS numbers negotiated (RFC 6793) */
	size_t max_msg;		/* largest message; 0 means BGP_MAX_MSG */
};

/* Why a build failed; bgp_build_err_str() says it in words. */
enum bgp_build_err {
	BGP_BUILD_OK = 0,
	BGP_BUILD_NO_RULES,	/* n == 0 */
	BGP_BUILD_AFI,		/* not a Flowspec AFI, or rules of mixed AFI */
	BGP_BUILD_NLRI,		/* a match that fs_validate refuses */
	BGP_BUILD_NEXTHOP,	/* a next hop that is not IPv4 or IPv6 */
	BGP_BUILD_TOO_BIG,	/* the first rule does not fit in max_msg */
	BGP_BUILD_PARAMS,	/* max_msg outside BGP_UPDATE_MIN_LEN..65535 */
	BGP_BUILD_NOMEM,	/* the writer failed (memory, its limit) */
};
const char *bgp_build_err_str(enum bgp_build_err err);

/* Appends to w one complete UPDATE (header included) that announces
 * rules[0], rules[1], … with the attributes of rules[0]: MP_REACH_NLRI
 * first (RFC 7606 §5.1), then in type order ORIGIN IGP, AS_PATH,
 * LOCAL_PREF (iBGP), COMMUNITIES, EXTENDED_COMMUNITIES, AS4_PATH (eBGP to a
 * 2-octet peer from an AS above 65535, RFC 6793 §4.2.2) and
 * IPV6_EXT_COMMUNITIES, the communities only when not empty.
 * It packs rules in order while they fit in p->max_msg and share the
 * attributes (communities and next hop) of rules[0], and sets *taken to the
 * count (at least 1 on success); the caller loops on the rest. All n rules
 * must have the AFI of rules[0]. On error nothing is appended and *taken
 * is 0. The rules stay the caller's. */
enum bgp_build_err bgp_update_announce(struct writer *w,
				       const struct bgp_update_params *p,
				       const struct fs_rule *const *rules,
				       size_t n, size_t *taken);
/* The same for a withdraw: only MP_UNREACH_NLRI (RFC 4760 §4) with the
 * matches of the rules; their attributes are ignored. */
enum bgp_build_err bgp_update_withdraw(struct writer *w,
				       const struct bgp_update_params *p,
				       const struct fs_rule *const *rules,
				       size_t n, size_t *taken);

/* ---- Decoder ---- */

/* Why an UPDATE was refused; bgp_update_err_str() says it in words. */
enum bgp_update_err {
	BGP_UPD_OK = 0,
	BGP_UPD_SHORT,		/* shorter than header + the two length fields */
	BGP_UPD_MARKER,
	BGP_UPD_LENGTH,		/* length field is not the message size */
	BGP_UPD_TYPE,
	BGP_UPD_WITHDRAWN_LEN,
	BGP_UPD_PREFIX,		/* withdrawn route or IPv4 NLRI prefix */
	BGP_UPD_ATTRS_LEN,
	BGP_UPD_ATTR_TRUNCATED,
	BGP_UPD_ATTR_DUP,
	BGP_UPD_ATTR_FLAGS,
	BGP_UPD_ATTR_WELL_KNOWN,	/* unrecognized well-known attribute */
	BGP_UPD_ATTR_LEN,	/* value length wrong for the attribute type */
	BGP_UPD_ATTR_VALUE,
	BGP_UPD_AFI,
	BGP_UPD_SAFI,
	BGP_UPD_NEXTHOP_LEN,
	BGP_UPD_NLRI_TRUNCATED,
	BGP_UPD_NLRI,		/* an invalid Flowspec NLRI: see nlri_reason */
	BGP_UPD_CALLBACK,	/* the callback returned false */
	BGP_UPD_NOMEM,
	BGP_UPD_MISSING_WK,	/* ORIGIN or AS_PATH missing: see attr */
};
const char *bgp_update_err_str(enum bgp_update_err err);

/* One Flowspec NLRI of a decoded UPDATE. */
struct bgp_flow {
	enum fs_afi afi;
	bool withdrawn;		/* from MP_UNREACH_NLRI */
	/* A view valid during the callback only (fs_rule_copy to keep it):
	 * the match, and for an announce the message's COMMUNITIES,
	 * EXTENDED_COMMUNITIES and IPV6_EXT_COMMUNITIES values as received
	 * and the MP_REACH_NLRI next hop (the global one of 32 octets). */
	const struct fs_rule *rule;
	size_t off;		/* octet offset of its length prefix */
};
/* Gets each Flowspec NLRI; false stops the decode (BGP_UPD_CALLBACK). */
typedef bool (*bgp_flow_fn)(void *ctx, const struct bgp_flow *flow);

struct bgp_update_result {
	size_t announced, withdrawn;	/* Flowspec NLRIs handed over */
	/* IPv4 unicast prefixes passed over (Withdrawn Routes, NLRI). */
	size_t ipv4_withdrawn, ipv4_nlri;
	/* End-of-RIB (RFC 4724 §2): the AFI of an MP_UNREACH_NLRI with no
	 * NLRI, in an UPDATE with no other attribute; else 0. */
	unsigned eor_afi;
	/* On error: the reason, the attribute it is in (0: none), the
	 * NLRI reason for BGP_UPD_NLRI and the 0-based octet offset of the
	 * fault in the message. */
	enum bgp_update_err err;
	unsigned attr;
	enum fs_reason nlri_reason;
	size_t off;
};

/* Decodes and checks the whole UPDATE of len octets (header included; the
 * length field must be len), then calls fn (when not NULL) for each
 * Flowspec NLRI: those of MP_UNREACH_NLRI first, then those of
 * MP_REACH_NLRI, each list in message order. Nothing is handed over when
 * the message has a fault. res (not NULL) gets the counts or the fault.
 * Safe on any input. */
enum bgp_update_err bgp_update_decode(const uint8_t *msg, size_t len,
				      bgp_flow_fn fn, void *ctx,
				      struct bgp_update_result *res);

/* RFC 7606 treat-as-withdraw for an UPDATE bgp_update_decode() refused:
 * calls fn, with withdrawn set, for every valid Flowspec NLRI that can
 * still be found (in the first MP_REACH_NLRI and MP_UNREACH_NLRI that
 * can be framed), so that what the peer sent before under those keys
 * goes. Returns how many it handed over. Safe on any input. */
size_t bgp_update_withdraw_all(const uint8_t *msg, size_t len,
			       bgp_flow_fn fn, void *ctx);

/* Writes "octet N: ATTRIBUTE: reason" for the fault in res into buf (n
 * octets, NUL-terminated) and returns buf. */
const char *bgp_update_error_text(const struct bgp_update_result *res,
				  char *buf, size_t n);

#endif
