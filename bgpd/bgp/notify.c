/* NOTIFICATION codes, encoder and decoder: see notify.h. */
#include "notify.h"

#include <stdio.h>
#include <string.h>

#include "bgpd/bgp/msg.h"
#include "bgpd/bgp/open.h"
#include "lib/reader.h"

/* Highest subcode with a name, per code. */
#define SUBCODE_MAX 11

struct code_names {
	const char *code;
	const char *sub[SUBCODE_MAX + 1];	/* "Code/Subcode" */
	const char *unknown;			/* "Code/unknown subcode" */
};

static const struct code_names names[] = {
	[BGP_ERR_HEADER] = {
		"Message Header Error",
		{
			[BGP_ERR_UNSPECIFIC] = "Message Header Error/Unspecific",
			[BGP_HDR_NOT_SYNC] = "Message Header Error/Connection Not Synchronized",
			[BGP_HDR_BAD_LENGTH] = "Message Header Error/Bad Message Length",
			[BGP_HDR_BAD_TYPE] = "Message Header Error/Bad Message Type",
		},
		"Message Header Error/unknown subcode",
	},
	[BGP_ERR_OPEN] = {
		"OPEN Message Error",
		{
			[BGP_ERR_UNSPECIFIC] = "OPEN Message Error/Unspecific",
			[BGP_OPEN_UNSUP_VERSION] = "OPEN Message Error/Unsupported Version Number",
			[BGP_OPEN_BAD_PEER_AS] = "OPEN Message Error/Bad Peer AS",
			[BGP_OPEN_BAD_BGP_ID] = "OPEN Message Error/Bad BGP Identifier",
			[BGP_OPEN_UNSUP_OPT_PARAM] = "OPEN Message Error/Unsupported Optional Parameter",
			[BGP_OPEN_AUTH_FAILURE] = "OPEN Message Error/Authentication Failure (deprecated)",
			[BGP_OPEN_BAD_HOLD_TIME] = "OPEN Message Error/Unacceptable Hold Time",
			[BGP_OPEN_UNSUP_CAPABILITY] = "OPEN Message Error/Unsupported Capability",
			[8] = "OPEN Message Error/deprecated subcode 8",
			[9] = "OPEN Message Error/deprecated subcode 9",
			[10] = "OPEN Message Error/deprecated subcode 10",
			[BGP_OPEN_ROLE_MISMATCH] = "OPEN Message Error/Role Mismatch",
		},
		"OPEN Message Error/unknown subcode",
	},
	[BGP_ERR_UPDATE] = {
		"UPDATE Message Error",
		{
			[BGP_ERR_UNSPECIFIC] = "UPDATE Message Error/Unspecific",
			[BGP_UPD_ERR_ATTR_LIST] = "UPDATE Message Error/Malformed Attribute List",
			[BGP_UPD_ERR_UNRECOGNIZED_WK] = "UPDATE Message Error/Unrecognized Well-known Attribute",
			[BGP_UPD_ERR_MISSING_WK] = "UPDATE Message Error/Missing Well-known Attribute",
			[BGP_UPD_ERR_ATTR_FLAGS] = "UPDATE Message Error/Attribute Flags Error",
			[BGP_UPD_ERR_ATTR_LENGTH] = "UPDATE Message Error/Attribute Length Error",
			[BGP_UPD_ERR_ORIGIN] = "UPDATE Message Error/Invalid ORIGIN Attribute",
			[BGP_UPD_ERR_AS_LOOP] = "UPDATE Message Error/AS Routing Loop (deprecated)",
			[BGP_UPD_ERR_NEXT_HOP] = "UPDATE Message Error/Invalid NEXT_HOP Attribute",
			[BGP_UPD_ERR_OPTIONAL_ATTR] = "UPDATE Message Error/Optional Attribute Error",
			[BGP_UPD_ERR_NETWORK] = "UPDATE Message Error/Invalid Network Field",
			[BGP_UPD_ERR_AS_PATH] = "UPDATE Message Error/Malformed AS_PATH",
		},
		"UPDATE Message Error/unknown subcode",
	},
	[BGP_ERR_HOLD_TIMER] = {
		"Hold Timer Expired",
		{ [BGP_ERR_UNSPECIFIC] = "Hold Timer Expired" },
		"Hold Timer Expired/unknown subcode",
	},
	[BGP_ERR_FSM] = {
		"Finite State Machine Error",
		{
			[BGP_ERR_UNSPECIFIC] = "Finite State Machine Error/Unspecified Error",
			[BGP_FSM_ERR_OPENSENT] = "Finite State Machine Error/Receive Unexpected Message in OpenSent State",
			[BGP_FSM_ERR_OPENCONFIRM] = "Finite State Machine Error/Receive Unexpected Message in OpenConfirm State",
			[BGP_FSM_ERR_ESTABLISHED] = "Finite State Machine Error/Receive Unexpected Message in Established State",
		},
		"Finite State Machine Error/unknown subcode",
	},
	[BGP_ERR_CEASE] = {
		"Cease",
		{
			[BGP_ERR_UNSPECIFIC] = "Cease/Unspecific",
			[BGP_CEASE_MAX_PREFIXES] = "Cease/Maximum Number of Prefixes Reached",
			[BGP_CEASE_ADMIN_SHUTDOWN] = "Cease/Administrative Shutdown",
			[BGP_CEASE_PEER_DECONFIGURED] = "Cease/Peer De-configured",
			[BGP_CEASE_ADMIN_RESET] = "Cease/Administrative Reset",
			[BGP_CEASE_CONN_REJECTED] = "Cease/Connection Rejected",
			[BGP_CEASE_CONFIG_CHANGE] = "Cease/Other Configuration Change",
			[BGP_CEASE_COLLISION] = "Cease/Connection Collision Resolution",
			[BGP_CEASE_OUT_OF_RESOURCES] = "Cease/Out of Resources",
			[BGP_CEASE_HARD_RESET] = "Cease/Hard Reset",
			[BGP_CEASE_BFD_DOWN] = "Cease/BFD Down",
		},
		"Cease/unknown subcode",
	},
	[BGP_ERR_ROUTE_REFRESH] = {
		"ROUTE-REFRESH Message Error",
		{
			[BGP_ERR_UNSPECIFIC] = "ROUTE-REFRESH Message Error/Unspecific",
			[BGP_RR_ERR_LENGTH] = "ROUTE-REFRESH Message Error/Invalid Message Length",
		},
		"ROUTE-REFRESH Message Error/unknown subcode",
	},
	[BGP_ERR_SEND_HOLD_TIMER] = {
		"Send Hold Timer Expired",
		{ [BGP_ERR_UNSPECIFIC] = "Send Hold Timer Expired" },
		"Send Hold Timer Expired/unknown subcode",
	},
};

const char *bgp_notify_str(uint8_t code, uint8_t subcode)
{
	if (code >= sizeof names / sizeof names[0] || !names[code].code)
		return "unknown error code";
	const struct code_names *n = &names[code];
	if (subcode <= SUBCODE_MAX && n->sub[subcode])
		return n->sub[subcode];
	return n->unknown;
}

bool bgp_notify_encode(struct writer *w, uint8_t code, uint8_t subcode,
		       const uint8_t *data, size_t len, size_t max_msg)
{
	if (!max_msg || max_msg > BGP_MAX_MSG_EXTENDED)
		max_msg = BGP_MAX_MSG;
	if (len > max_msg - BGP_NOTIFY_MIN_LEN)
		len = max_msg - BGP_NOTIFY_MIN_LEN;
	size_t start = bgp_header_put(w, BGP_MSG_NOTIFICATION);
	put_u8(w, code);
	put_u8(w, subcode);
	if (len)
		put_bytes(w, data, len);
	bgp_header_finish(w, start);
	return !w->err;
}

/* The length of the UTF-8 character that starts with lead, 0 if none. */
static unsigned utf8_len(uint8_t lead)
{
	if (lead < 0x80)
		return 1;
	if ((lead & 0xe0) == 0xc0)
		return 2;
	if ((lead & 0xf0) == 0xe0)
		return 3;
	if ((lead & 0xf8) == 0xf0)
		return 4;
	return 0;
}

void bgp_shutdown_put(struct writer *w, const char *text)
{
	size_t n = text ? strlen(text) : 0;
	if (n > BGP_SHUTDOWN_MAX) {
		/* Cut before the character that would cross the limit. */
		size_t i = 0;
		while (i < n) {
			unsigned c = utf8_len((uint8_t)text[i]);
			if (!c)
				c = 1;
			if (i + c > BGP_SHUTDOWN_MAX)
				break;
			i += c;
		}
		n = i;
	}
	put_u8(w, (uint8_t)n);
	if (n)
		put_bytes(w, text, n);
}

bool bgp_cease_is_hard(uint8_t subcode)
{
	/* RFC 8538 §5 table; Administrative Reset is "user control", and
	 * we default it to Hard Reset as the RFC suggests. */
	switch (subcode) {
	case BGP_CEASE_MAX_PREFIXES:
	case BGP_CEASE_ADMIN_SHUTDOWN:
	case BGP_CEASE_PEER_DECONFIGURED:
	case BGP_CEASE_ADMIN_RESET:
	case BGP_CEASE_HARD_RESET:
		return true;
	default:
		return false;
	}
}

/* True when what is left in v is well-formed UTF-8 (RFC 3629). */
static bool utf8_valid(struct reader v)
{
	static const uint32_t min[] = { 0, 0, 0x80, 0x800, 0x10000 };
	while (remaining(&v)) {
		uint8_t lead = get_u8(&v);
		unsigned c = utf8_len(lead);
		if (!c)
			return false;
		uint32_t cp = c == 1 ? lead : lead & (0x7f >> c);
		for (unsigned k = 1; k < c; k++) {
			uint8_t b = get_u8(&v);
			if (v.err || (b & 0xc0) != 0x80)
				return false;
			cp = cp << 6 | (b & 0x3f);
		}
		if (cp < min[c] || cp > 0x10ffff ||
		    (cp >= 0xd800 && cp <= 0xdfff))
			return false;
	}
	return true;
}

/* Appends s to buf (n octets, NUL-terminated), as far as it fits. */
static void append(char *buf, size_t n, const char *s)
{
	size_t used = strlen(buf);
	if (used + 1 < n)
		snprintf(buf + used, n - used, "%s", s);
}

/* Appends the r's remaining octets in hex, "..." when they do not fit. */
static void append_hex(char *buf, size_t n, struct reader *r)
{
	size_t used = strlen(buf);
	while (remaining(r)) {
		if (used + 2 + 3 + 1 > n) {
			append(buf, n, "...");
			return;
		}
		snprintf(buf + used, n - used, "%02x", get_u8(r));
		used += 2;
	}
}

/* Appends an RFC 8203 shutdown communication from r, or its hex when it
 * is malformed (RFC 8203 §4: logged, never passed on as text). */
static void append_shutdown(char *buf, size_t n, struct reader *r)
{
	struct reader all = *r;
	uint8_t len = get_u8(r);
	struct reader text = sub(r, len);
	if (r->err || !utf8_valid(text)) {
		append(buf, n, "malformed shutdown communication: ");
		append_hex(buf, n, &all);
		return;
	}
	/* Control characters could forge log lines: shown as '?'. */
	size_t used = strlen(buf);
	while (remaining(&text) && used + 1 < n) {
		uint8_t c = get_u8(&text);
		buf[used++] = c < 0x20 || c == 0x7f ? '?' : (char)c;
	}
	buf[used] = '\0';
	if (remaining(r)) {
		append(buf, n, " (then ");
		append_hex(buf, n, r);
		append(buf, n, ")");
	}
}

/* The data of a code/subcode pair in words, from r. */
static void describe(char *buf, size_t n, uint8_t code, uint8_t subcode,
		     struct reader *r, bool nested)
{
	if (code == BGP_ERR_CEASE && (subcode == BGP_CEASE_ADMIN_SHUTDOWN ||
				      subcode == BGP_CEASE_ADMIN_RESET)) {
		if (remaining(r))
			append_shutdown(buf, n, r);
		return;
	}
	if (code == BGP_ERR_CEASE && subcode == BGP_CEASE_HARD_RESET &&
	    !nested && remaining(r) >= 2) {
		/* RFC 8538 §3: the NOTIFICATION it stands for. */
		uint8_t in_code = get_u8(r);
		uint8_t in_sub = get_u8(r);
		append(buf, n, bgp_notify_str(in_code, in_sub));
		if (remaining(r))
			append(buf, n, ": ");
		describe(buf, n, in_code, in_sub, r, true);
		return;
	}
	append_hex(buf, n, r);
}

bool bgp_notify_decode(const uint8_t *msg, size_t len,
		       struct bgp_notification_info *info)
{
	*info = (struct bgp_notification_info){ 0 };
	struct reader m = reader_init(msg, len);
	skip(&m, BGP_HEADER_LEN);
	info->code = get_u8(&m);
	info->subcode = get_u8(&m);
	if (m.err) {
		*info = (struct bgp_notification_info){ 0 };
		return false;
	}
	describe(info->text, sizeof info->text, info->code, info->subcode,
		 &m, false);
	return true;
}
