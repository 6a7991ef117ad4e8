/* The session messages other than UPDATE and NOTIFICATION: OPEN with its
 * capabilities (RFC 4271 §4.2, RFC 5492, RFC 9072), KEEPALIVE (§4.4) and
 * ROUTE-REFRESH (RFC 2918, RFC 7313): build ours, check the peer's and
 * negotiate the session. Also the header writer every builder shares.
 * No I/O here. */
#ifndef BGPD_BGP_OPEN_H
#define BGPD_BGP_OPEN_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "bgpd/bgp/msg.h"
#include "bgpd/bgp/peer.h"
#include "lib/writer.h"

#define BGP_VERSION 4			/* RFC 4271 §4.2 */
/* OPEN fixed part: Version, My AS, Hold Time, BGP Identifier, Opt Parm
 * Len (RFC 4271 §4.2). */
#define BGP_OPEN_MIN_LEN (BGP_HEADER_LEN + 1 + 2 + 2 + 4 + 1)
#define BGP_KEEPALIVE_LEN BGP_HEADER_LEN	/* RFC 4271 §4.4 */
/* Type, Subtype (RFC 7313 §3; "Reserved" in RFC 2918 §3), AFI, SAFI. */
#define BGP_ROUTE_REFRESH_LEN (BGP_HEADER_LEN + 2 + 1 + 1)
/* Hold times below this are refused, except 0 (RFC 4271 §4.2, §6.2). */
#define BGP_HOLD_TIME_MIN 3

/* Optional parameter types (RFC 5492 §4, RFC 9072 §2). */
#define BGP_OPT_PARAM_CAPABILITIES 2
#define BGP_OPT_PARAM_EXTENDED 255	/* RFC 9072: Non-Ext OP Type */

/* Capability codes (IANA "Capability Codes"). */
enum bgp_capability {
	BGP_CAP_MULTIPROTOCOL = 1,	/* RFC 4760 §8 */
	BGP_CAP_ROUTE_REFRESH = 2,	/* RFC 2918 §2 */
	BGP_CAP_EXTENDED_MESSAGE = 6,	/* RFC 8654 §3 */
	BGP_CAP_GRACEFUL_RESTART = 64,	/* RFC 4724 §3 */
	BGP_CAP_AS4 = 65,		/* RFC 6793 §3 */
	BGP_CAP_ENHANCED_REFRESH = 70,	/* RFC 7313 §3 */
};

/* AFI and SAFI numbers (IANA) of the families in enum bgp_family. */
#define BGP_AFI_IPV4 1
#define BGP_AFI_IPV6 2
#define BGP_SAFI_UNICAST 1
#define BGP_SAFI_FLOWSPEC 133

/* Graceful Restart capability, RFC 4724 §3 and RFC 8538 §2: the flags
 * share two octets with the 12-bit Restart Time; then per family AFI,
 * SAFI and a flags octet. */
#define BGP_GR_FLAG_RESTART 0x8000	/* R: the sender has restarted */
#define BGP_GR_FLAG_NOTIFICATION 0x4000	/* N: RFC 8538 */
#define BGP_GR_TIME_MASK 0x0fff
#define BGP_GR_AF_FORWARDING 0x80	/* F: forwarding state preserved */

/* ROUTE-REFRESH Message Subtype, RFC 7313 §3. */
enum bgp_refresh_subtype {
	BGP_RR_REQUEST = 0,	/* plain RFC 2918 request */
	BGP_RR_BORR = 1,	/* Beginning of Route Refresh */
	BGP_RR_EORR = 2,	/* End of Route Refresh */
};

/* ---- Message header ---- */

/* Appends the RFC 4271 §4.1 header (marker, length to patch, type) and
 * returns the offset where the message starts. */
size_t bgp_header_put(struct writer *w, enum bgp_msg_type type);
/* Patches the length of the message that starts at start. */
void bgp_header_finish(struct writer *w, size_t start);

/* ---- Address families ---- */

/* The family bit of an AFI/SAFI pair; 0 when flowspecd has none. */
unsigned bgp_family_from(uint16_t afi, uint8_t safi);
/* The AFI and SAFI of one family bit. */
void bgp_family_afi_safi(enum bgp_family fam, uint16_t *afi, uint8_t *safi);
/* "ipv4-flowspec, ipv6-flowspec" for the bits of fams ("none" for 0). */
const char *bgp_families_str(unsigned fams, char *buf, size_t n);

/* ---- OPEN ---- */

/* Appends our OPEN for this neighbor: version 4, My AS (AS_TRANS when the
 * local AS needs four octets), cfg->hold_time, the router id, and one
 * optional parameter per capability: multiprotocol for each family of
 * cfg->families, route refresh, enhanced route refresh, 4-octet AS,
 * extended message, and graceful restart (RFC 4724 with the N bit of
 * RFC 8538, the F bit for each Flowspec family; R when local->restarting)
 * unless cfg->restart_time is 0. False when w failed. */
bool bgp_open_encode(struct writer *w, const struct bgp_peer_config *cfg,
		     const struct bgp_local *local);

/* An error found in a message, for the NOTIFICATION that reports it. */
#define BGP_ERROR_DATA_MAX 260
struct bgp_error {
	uint8_t code, subcode;
	size_t len;			/* octets of data */
	uint8_t data[BGP_ERROR_DATA_MAX];
	char why[128];			/* for the log */
};

/* Checks the peer's OPEN (len octets, header included; the header itself
 * is the caller's to check) against this neighbor's settings and
 * negotiates: caps gets the result (families both offered, hold time the
 * smaller one, what the peer announced). Unknown capabilities are
 * ignored. On a fault returns false with err set (code, subcode and data
 * as RFC 4271 §6.2 and RFC 5492 ask); caps is then partly filled. Safe on
 * any input. */
bool bgp_open_decode(const uint8_t *msg, size_t len,
		     const struct bgp_peer_config *cfg,
		     const struct bgp_local *local,
		     struct bgp_session_caps *caps, struct bgp_error *err);

/* The BGP Identifier of an OPEN (header included), for the connection
 * collision check (RFC 4271 §6.8) before the OPEN is fully processed.
 * False when the message is too short. */
bool bgp_open_peer_id(const uint8_t *msg, size_t len, struct addr *id);

/* ---- KEEPALIVE and ROUTE-REFRESH ---- */

bool bgp_keepalive_encode(struct writer *w);

struct bgp_refresh {
	uint16_t afi;
	uint8_t subtype;		/* enum bgp_refresh_subtype or other */
	uint8_t safi;
};
/* Appends a ROUTE-REFRESH (RFC 2918 §3, RFC 7313 §3). */
bool bgp_refresh_encode(struct writer *w, const struct bgp_refresh *rr);
/* Reads a ROUTE-REFRESH of exactly BGP_ROUTE_REFRESH_LEN octets. */
bool bgp_refresh_decode(const uint8_t *msg, size_t len,
			struct bgp_refresh *rr);

#endif
