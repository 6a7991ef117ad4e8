/* BGP NOTIFICATION messages (RFC 4271 §4.5, §6): every error code and
 * subcode as a named constant with its text, the encoder (with the
 * RFC 8203 / RFC 9003 shutdown communication and the RFC 8538 Hard Reset
 * wrapping) and a decoder that is safe on any input. No I/O here. */
#ifndef BGPD_BGP_NOTIFY_H
#define BGPD_BGP_NOTIFY_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "bgpd/bgp/peer.h"
#include "lib/writer.h"

/* NOTIFICATION fixed part after the header: Error Code, Error Subcode. */
#define BGP_NOTIFY_MIN_LEN (19 + 2)

/* Error codes, RFC 4271 §4.5 (7: RFC 7313 §5, 8: RFC 9687 §3). */
enum bgp_err_code {
	BGP_ERR_HEADER = 1,
	BGP_ERR_OPEN = 2,
	BGP_ERR_UPDATE = 3,
	BGP_ERR_HOLD_TIMER = 4,
	BGP_ERR_FSM = 5,
	BGP_ERR_CEASE = 6,
	BGP_ERR_ROUTE_REFRESH = 7,
	BGP_ERR_SEND_HOLD_TIMER = 8,
};

/* Any code: no more precise subcode applies (RFC 4271 §4.5). */
#define BGP_ERR_UNSPECIFIC 0

/* Message Header Error subcodes, RFC 4271 §6.1. */
enum bgp_err_header {
	BGP_HDR_NOT_SYNC = 1,		/* marker not all ones */
	BGP_HDR_BAD_LENGTH = 2,		/* data: the Length field */
	BGP_HDR_BAD_TYPE = 3,		/* data: the Type field */
};

/* OPEN Message Error subcodes, RFC 4271 §6.2 (5 and 8-10 deprecated). */
enum bgp_err_open {
	BGP_OPEN_UNSUP_VERSION = 1,	/* data: our version, two octets */
	BGP_OPEN_BAD_PEER_AS = 2,
	BGP_OPEN_BAD_BGP_ID = 3,
	BGP_OPEN_UNSUP_OPT_PARAM = 4,
	BGP_OPEN_AUTH_FAILURE = 5,	/* deprecated, RFC 4271 */
	BGP_OPEN_BAD_HOLD_TIME = 6,
	BGP_OPEN_UNSUP_CAPABILITY = 7,	/* RFC 5492 §5 */
	BGP_OPEN_ROLE_MISMATCH = 11,	/* RFC 9234 §4.2 */
};

/* UPDATE Message Error subcodes, RFC 4271 §6.3 (7 deprecated). */
enum bgp_err_update {
	BGP_UPD_ERR_ATTR_LIST = 1,	/* Malformed Attribute List */
	BGP_UPD_ERR_UNRECOGNIZED_WK = 2,
	BGP_UPD_ERR_MISSING_WK = 3,
	BGP_UPD_ERR_ATTR_FLAGS = 4,
	BGP_UPD_ERR_ATTR_LENGTH = 5,
	BGP_UPD_ERR_ORIGIN = 6,
	BGP_UPD_ERR_AS_LOOP = 7,	/* deprecated */
	BGP_UPD_ERR_NEXT_HOP = 8,
	BGP_UPD_ERR_OPTIONAL_ATTR = 9,
	BGP_UPD_ERR_NETWORK = 10,	/* Invalid Network Field */
	BGP_UPD_ERR_AS_PATH = 11,
};

/* Finite State Machine Error subcodes, RFC 6608 §3. */
enum bgp_err_fsm {
	BGP_FSM_ERR_OPENSENT = 1,	/* unexpected message in OpenSent */
	BGP_FSM_ERR_OPENCONFIRM = 2,
	BGP_FSM_ERR_ESTABLISHED = 3,
};

/* Cease subcodes, RFC 4486 §4, RFC 8538 §3 (9), RFC 9384 §2 (10). */
enum bgp_err_cease {
	BGP_CEASE_MAX_PREFIXES = 1,
	BGP_CEASE_ADMIN_SHUTDOWN = 2,	/* RFC 8203 message allowed */
	BGP_CEASE_PEER_DECONFIGURED = 3,
	BGP_CEASE_ADMIN_RESET = 4,	/* RFC 8203 message allowed */
	BGP_CEASE_CONN_REJECTED = 5,
	BGP_CEASE_CONFIG_CHANGE = 6,
	BGP_CEASE_COLLISION = 7,	/* RFC 4271 §6.8 */
	BGP_CEASE_OUT_OF_RESOURCES = 8,
	BGP_CEASE_HARD_RESET = 9,	/* data: code, subcode, data inside */
	BGP_CEASE_BFD_DOWN = 10,
};

/* ROUTE-REFRESH Message Error subcodes, RFC 7313 §5. */
enum bgp_err_route_refresh {
	BGP_RR_ERR_LENGTH = 1,		/* data: the whole message */
};

/* RFC 8203 §2 as raised by RFC 9003 §2: a length octet, then at most
 * 255 octets of UTF-8. */
#define BGP_SHUTDOWN_MAX 255

/* "Cease/Administrative Shutdown", "Hold Timer Expired", "OPEN Message
 * Error/unknown subcode 42", … Never NULL; a static string. */
const char *bgp_notify_str(uint8_t code, uint8_t subcode);

/* Appends one complete NOTIFICATION (header included) with len octets of
 * data to w. The message is cut to max_msg octets (0: BGP_MAX_MSG) by
 * dropping the end of the data. False when w failed. */
bool bgp_notify_encode(struct writer *w, uint8_t code, uint8_t subcode,
		       const uint8_t *data, size_t len, size_t max_msg);

/* Appends the RFC 8203 / RFC 9003 Shutdown Communication for text (NULL
 * or "" gives a zero length octet): the length octet and the UTF-8 text,
 * cut at a character boundary to BGP_SHUTDOWN_MAX octets. */
void bgp_shutdown_put(struct writer *w, const char *text);

/* RFC 8538 §5: true when a Cease with this subcode must be sent as a
 * Hard Reset once both sides announced the N bit (the peer must then
 * drop our routes instead of keeping them through a graceful restart). */
bool bgp_cease_is_hard(uint8_t subcode);

/* Decodes a whole NOTIFICATION (header included) into info: the code and
 * subcode (those inside a Hard Reset are named in the text) and the data
 * as text: an RFC 8203 shutdown message (control characters replaced)
 * when the code allows one and it is well formed, else the data in hex.
 * info->sent is false. Safe on any input; false when len is too short
 * to hold a NOTIFICATION. */
bool bgp_notify_decode(const uint8_t *msg, size_t len,
		       struct bgp_notification_info *info);

#endif
