/* OPEN, KEEPALIVE and ROUTE-REFRESH messages and capability negotiation:
 * see open.h. */
#include "open.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "bgpd/bgp/notify.h"
#include "lib/reader.h"

/* ---- Message header ---- */

size_t bgp_header_put(struct writer *w, enum bgp_msg_type type)
{
	size_t start = w->len;
	for (unsigned i = 0; i < BGP_MARKER_LEN; i++)
		put_u8(w, BGP_MARKER_OCTET);
	(void)put_reserve(w, 2);
	put_u8(w, (uint8_t)type);
	return start;
}

void bgp_header_finish(struct writer *w, size_t start)
{
	size_t len = w->len - start;
	if (len > BGP_MAX_MSG_EXTENDED)
		w->err = true;
	patch_u16(w, start + BGP_MARKER_LEN, (uint16_t)len);
}

/* ---- Address families ---- */

static const struct family {
	enum bgp_family fam;
	const char *name;
	uint16_t afi;
	uint8_t safi;
} families[] = {
	{ BGP_FAM_IPV4_FLOWSPEC, "ipv4-flowspec", BGP_AFI_IPV4, BGP_SAFI_FLOWSPEC },
	{ BGP_FAM_IPV6_FLOWSPEC, "ipv6-flowspec", BGP_AFI_IPV6, BGP_SAFI_FLOWSPEC },
	{ BGP_FAM_IPV4_UNICAST, "ipv4-unicast", BGP_AFI_IPV4, BGP_SAFI_UNICAST },
	{ BGP_FAM_IPV6_UNICAST, "ipv6-unicast", BGP_AFI_IPV6, BGP_SAFI_UNICAST },
};
#define N_FAMILIES (sizeof families / sizeof families[0])

enum bgp_family bgp_family_of(enum fs_afi afi)
{
	return afi == FS_AFI_IPV6 ? BGP_FAM_IPV6_FLOWSPEC
				  : BGP_FAM_IPV4_FLOWSPEC;
}

bool bgp_family_parse(const char *name, enum bgp_family *fam)
{
	for (size_t i = 0; i < N_FAMILIES; i++) {
		if (strcmp(name, families[i].name) == 0) {
			*fam = families[i].fam;
			return true;
		}
	}
	return false;
}

const char *bgp_family_name(enum bgp_family fam)
{
	for (size_t i = 0; i < N_FAMILIES; i++)
		if (families[i].fam == fam)
			return families[i].name;
	return "unknown";
}

unsigned bgp_family_from(uint16_t afi, uint8_t safi)
{
	for (size_t i = 0; i < N_FAMILIES; i++)
		if (families[i].afi == afi && families[i].safi == safi)
			return families[i].fam;
	return 0;
}

void bgp_family_afi_safi(enum bgp_family fam, uint16_t *afi, uint8_t *safi)
{
	*afi = 0;
	*safi = 0;
	for (size_t i = 0; i < N_FAMILIES; i++) {
		if (families[i].fam == fam) {
			*afi = families[i].afi;
			*safi = families[i].safi;
		}
	}
}

const char *bgp_families_str(unsigned fams, char *buf, size_t n)
{
	if (!n)
		return buf;
	buf[0] = '\0';
	size_t used = 0;
	for (size_t i = 0; i < N_FAMILIES; i++) {
		if (!(fams & families[i].fam))
			continue;
		int k = snprintf(buf + used, n - used, "%s%s",
				 used ? ", " : "", families[i].name);
		if (k < 0 || (size_t)k >= n - used) {
			buf[used] = '\0';	/* whole names only */
			break;
		}
		used += (size_t)k;
	}
	if (!used)
		snprintf(buf, n, "none");
	return buf;
}

/* ---- OPEN: ours ---- */

/* One capability in its own optional parameter (RFC 5492 §4): returns
 * the offsets of the two length octets for cap_end(). */
struct cap_mark {
	size_t param_len, cap_len;
};

static struct cap_mark cap_begin(struct writer *w, uint8_t code)
{
	struct cap_mark m;
	put_u8(w, BGP_OPT_PARAM_CAPABILITIES);
	m.param_len = put_reserve(w, 1);
	put_u8(w, code);
	m.cap_len = put_reserve(w, 1);
	return m;
}

static void cap_end(struct writer *w, struct cap_mark m)
{
	size_t cap = w->len - m.cap_len - 1;
	if (cap > UINT8_MAX)
		w->err = true;
	patch_u8(w, m.cap_len, (uint8_t)cap);
	patch_u8(w, m.param_len, (uint8_t)(cap + 2));
}

bool bgp_open_encode(struct writer *w, const struct bgp_peer_config *cfg,
		     const struct bgp_local *local)
{
	size_t start = bgp_header_put(w, BGP_MSG_OPEN);
	put_u8(w, BGP_VERSION);
	/* RFC 6793 §4.2.3: AS_TRANS when the AS needs four octets. */
	put_u16(w, local->local_as > UINT16_MAX ? BGP_AS_TRANS
						: (uint16_t)local->local_as);
	put_u16(w, cfg->hold_time);
	put_bytes(w, local->router_id.bytes, 4);
	size_t opt_len = put_reserve(w, 1);

	struct cap_mark m;
	/* RFC 4760 §8: AFI, reserved, SAFI for each family we offer. */
	for (size_t i = 0; i < N_FAMILIES; i++) {
		if (!(cfg->families & families[i].fam))
			continue;
		m = cap_begin(w, BGP_CAP_MULTIPROTOCOL);
		put_u16(w, families[i].afi);
		put_u8(w, 0);
		put_u8(w, families[i].safi);
		cap_end(w, m);
	}
	cap_end(w, cap_begin(w, BGP_CAP_ROUTE_REFRESH));	/* RFC 2918 §2 */
	cap_end(w, cap_begin(w, BGP_CAP_ENHANCED_REFRESH));	/* RFC 7313 §3 */
	m = cap_begin(w, BGP_CAP_AS4);				/* RFC 6793 §3 */
	put_u32(w, local->local_as);
	cap_end(w, m);
	cap_end(w, cap_begin(w, BGP_CAP_EXTENDED_MESSAGE));	/* RFC 8654 §3 */
	if (cfg->restart_time) {
		/* RFC 4724 §3 with the N bit of RFC 8538 §2. */
		m = cap_begin(w, BGP_CAP_GRACEFUL_RESTART);
		uint16_t time = cfg->restart_time > BGP_GR_TIME_MASK
					? BGP_GR_TIME_MASK
					: cfg->restart_time;
		uint16_t flags = BGP_GR_FLAG_NOTIFICATION;
		if (local->restarting)
			flags |= BGP_GR_FLAG_RESTART;
		put_u16(w, flags | time);
		for (size_t i = 0; i < N_FAMILIES; i++) {
			if (!(cfg->families & families[i].fam & BGP_FAM_FLOWSPEC))
				continue;
			put_u16(w, families[i].afi);
			put_u8(w, families[i].safi);
			put_u8(w, BGP_GR_AF_FORWARDING);
		}
		cap_end(w, m);
	}
	size_t params = w->len - opt_len - 1;
	if (params > UINT8_MAX)
		w->err = true;	/* never with our capabilities (RFC 9072) */
	patch_u8(w, opt_len, (uint8_t)params);
	bgp_header_finish(w, start);
	return !w->err;
}

/* ---- OPEN: the peer's ---- */

static bool fail(struct bgp_error *err, uint8_t code, uint8_t subcode,
		 const char *fmt, ...) __attribute__((format(printf, 4, 5)));

static bool fail(struct bgp_error *err, uint8_t code, uint8_t subcode,
		 const char *fmt, ...)
{
	err->code = code;
	err->subcode = subcode;
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(err->why, sizeof err->why, fmt, ap);
	va_end(ap);
	return false;
}

/* What the capabilities said, before the negotiation. */
struct peer_caps {
	bool mp_seen;
	unsigned families;
	bool as4;
	uint32_t as4_value;
	bool route_refresh, enhanced_refresh, extended_msg;
	bool gr;
	uint16_t gr_flags;
	unsigned gr_families, gr_forwarding;
};

/* One capability's value v (RFC 5492 §4); false when its length is wrong
 * for its code. Unknown codes are passed over. */
static bool cap_decode(struct peer_caps *pc, uint8_t code, struct reader *v)
{
	switch (code) {
	case BGP_CAP_MULTIPROTOCOL: {
		/* RFC 4760 §8: AFI, reserved, SAFI. */
		uint16_t afi = get_u16(v);
		(void)get_u8(v);
		uint8_t safi = get_u8(v);
		if (!reader_done(v))
			return false;
		pc->mp_seen = true;
		pc->families |= bgp_family_from(afi, safi);
		return true;
	}
	case BGP_CAP_ROUTE_REFRESH:
		pc->route_refresh = true;
		return reader_done(v);
	case BGP_CAP_ENHANCED_REFRESH:
		pc->enhanced_refresh = true;
		return reader_done(v);
	case BGP_CAP_EXTENDED_MESSAGE:
		pc->extended_msg = true;
		return reader_done(v);
	case BGP_CAP_AS4:
		pc->as4 = true;
		pc->as4_value = get_u32(v);
		return reader_done(v);
	case BGP_CAP_GRACEFUL_RESTART:
		/* RFC 4724 §3: flags and time, then AFI, SAFI, flags. */
		pc->gr = true;
		pc->gr_flags = get_u16(v);
		while (!v->err && remaining(v)) {
			uint16_t afi = get_u16(v);
			uint8_t safi = get_u8(v);
			uint8_t flags = get_u8(v);
			unsigned fam = bgp_family_from(afi, safi);
			pc->gr_families |= fam;
			if (flags & BGP_GR_AF_FORWARDING)
				pc->gr_forwarding |= fam;
		}
		return reader_done(v);
	default:
		/* RFC 5492 §3: an unknown capability is ignored. */
		skip(v, remaining(v));
		return true;
	}
}

/* The optional parameters (RFC 4271 §4.2; two-octet lengths in the
 * RFC 9072 form). */
static bool params_decode(struct peer_caps *pc, struct reader *params,
			  bool ext, struct bgp_error *err)
{
	while (remaining(params)) {
		uint8_t type = get_u8(params);
		size_t len = ext ? get_u16(params) : get_u8(params);
		struct reader pv = sub(params, len);
		if (params->err)
			return fail(err, BGP_ERR_OPEN, BGP_ERR_UNSPECIFIC,
				    "optional parameter %u runs past the "
				    "parameters", type);
		/* RFC 5492 §4: capabilities are the one parameter left. */
		if (type != BGP_OPT_PARAM_CAPABILITIES)
			return fail(err, BGP_ERR_OPEN,
				    BGP_OPEN_UNSUP_OPT_PARAM,
				    "unsupported optional parameter %u", type);
		while (remaining(&pv)) {
			uint8_t code = get_u8(&pv);
			uint8_t clen = get_u8(&pv);
			struct reader cv = sub(&pv, clen);
			if (pv.err)
				return fail(err, BGP_ERR_OPEN,
					    BGP_ERR_UNSPECIFIC,
					    "capability %u runs past its "
					    "parameter", code);
			if (!cap_decode(pc, code, &cv))
				return fail(err, BGP_ERR_OPEN,
					    BGP_ERR_UNSPECIFIC,
					    "capability %u has a bad length "
					    "(%u)", code, clen);
		}
	}
	return true;
}

static uint32_t id_value(const struct addr *a)
{
	return (uint32_t)a->bytes[0] << 24 | (uint32_t)a->bytes[1] << 16 |
	       (uint32_t)a->bytes[2] << 8 | a->bytes[3];
}

bool bgp_open_decode(const uint8_t *msg, size_t len,
		     const struct bgp_peer_config *cfg,
		     const struct bgp_local *local,
		     struct bgp_session_caps *caps, struct bgp_error *err)
{
	*caps = (struct bgp_session_caps){ 0 };
	*err = (struct bgp_error){ 0 };
	struct reader m = reader_init(msg, len);
	skip(&m, BGP_HEADER_LEN);
	uint8_t version = get_u8(&m);
	uint16_t my_as = get_u16(&m);
	uint16_t hold = get_u16(&m);
	caps->peer_id.family = ADDR_V4;
	get_bytes(&m, caps->peer_id.bytes, 4);
	uint8_t opt_len = get_u8(&m);
	if (m.err) {
		/* RFC 4271 §6.1: shorter than an OPEN can be. */
		err->len = 2;
		err->data[0] = (uint8_t)(len >> 8);
		err->data[1] = (uint8_t)len;
		return fail(err, BGP_ERR_HEADER, BGP_HDR_BAD_LENGTH,
			    "OPEN of %zu octets is too short", len);
	}
	/* RFC 4271 §6.2: the data is the version we do support. */
	if (version != BGP_VERSION) {
		err->len = 2;
		err->data[0] = 0;
		err->data[1] = BGP_VERSION;
		return fail(err, BGP_ERR_OPEN, BGP_OPEN_UNSUP_VERSION,
			    "version %u, we speak %u", version, BGP_VERSION);
	}

	/* RFC 9072 §2: Non-Ext OP Len and Type 255, then a two-octet
	 * length and parameters with two-octet lengths. */
	bool ext = opt_len == BGP_OPT_PARAM_EXTENDED && remaining(&m) &&
		   peek_u8(&m) == BGP_OPT_PARAM_EXTENDED;
	struct reader params;
	if (ext) {
		skip(&m, 1);
		params = sub(&m, get_u16(&m));
	} else {
		params = sub(&m, opt_len);
	}
	if (m.err || remaining(&m))
		return fail(err, BGP_ERR_OPEN, BGP_ERR_UNSPECIFIC,
			    "optional parameters length disagrees with the "
			    "message length");
	struct peer_caps pc = { 0 };
	if (!params_decode(&pc, &params, ext, err))
		return false;

	/* RFC 6793 §4.1: the capability carries the real AS; My AS is
	 * AS_TRANS when that needs four octets. */
	caps->peer_as = pc.as4 ? pc.as4_value : my_as;
	caps->as4 = pc.as4;
	if (caps->peer_as == 0 || caps->peer_as != cfg->remote_as)
		return fail(err, BGP_ERR_OPEN, BGP_OPEN_BAD_PEER_AS,
			    "peer AS %u (My AS field %u), configured %u",
			    caps->peer_as, my_as, cfg->remote_as);
	/* RFC 4271 §4.2: zero or at least three seconds. */
	if (hold && hold < BGP_HOLD_TIME_MIN)
		return fail(err, BGP_ERR_OPEN, BGP_OPEN_BAD_HOLD_TIME,
			    "hold time %u", hold);
	/* RFC 4271 §6.2 (RFC 6286 §2.2): not zero, and not ours on an
	 * internal session. */
	uint32_t id = id_value(&caps->peer_id);
	bool ibgp = cfg->remote_as == local->local_as;
	if (id == 0 || (ibgp && id == id_value(&local->router_id)))
		return fail(err, BGP_ERR_OPEN, BGP_OPEN_BAD_BGP_ID,
			    "BGP identifier %u.%u.%u.%u", id >> 24,
			    (id >> 16) & 0xff, (id >> 8) & 0xff, id & 0xff);

	caps->peer_hold_time = hold;
	caps->hold_time = hold < cfg->hold_time ? hold : cfg->hold_time;
	/* RFC 4760 §8 (and §1): no capability means IPv4 unicast only. */
	caps->peer_families = pc.mp_seen ? pc.families : BGP_FAM_IPV4_UNICAST;
	caps->families = cfg->families & caps->peer_families;
	caps->route_refresh = pc.route_refresh;
	caps->enhanced_refresh = pc.enhanced_refresh;
	caps->extended_msg = pc.extended_msg;
	caps->graceful_restart = pc.gr;
	if (pc.gr) {
		caps->peer_restart_time = pc.gr_flags & BGP_GR_TIME_MASK;
		caps->peer_restarted = pc.gr_flags & BGP_GR_FLAG_RESTART;
		caps->peer_gr_families = pc.gr_families;
		caps->peer_gr_forwarding = pc.gr_forwarding;
		/* We set N whenever we announce GR (RFC 8538 §2). */
		caps->gr_notification = cfg->restart_time &&
					(pc.gr_flags & BGP_GR_FLAG_NOTIFICATION);
	}
	return true;
}

bool bgp_open_peer_id(const uint8_t *msg, size_t len, struct addr *id)
{
	struct reader m = reader_init(msg, len);
	skip(&m, BGP_HEADER_LEN + 1 + 2 + 2);
	*id = (struct addr){ .family = ADDR_V4 };
	get_bytes(&m, id->bytes, 4);
	return !m.err;
}

/* ---- KEEPALIVE and ROUTE-REFRESH ---- */

bool bgp_keepalive_encode(struct writer *w)
{
	size_t start = bgp_header_put(w, BGP_MSG_KEEPALIVE);
	bgp_header_finish(w, start);
	return !w->err;
}

bool bgp_refresh_encode(struct writer *w, const struct bgp_refresh *rr)
{
	size_t start = bgp_header_put(w, BGP_MSG_ROUTE_REFRESH);
	put_u16(w, rr->afi);
	put_u8(w, rr->subtype);
	put_u8(w, rr->safi);
	bgp_header_finish(w, start);
	return !w->err;
}

bool bgp_refresh_decode(const uint8_t *msg, size_t len,
			struct bgp_refresh *rr)
{
	struct reader m = reader_init(msg, len);
	skip(&m, BGP_HEADER_LEN);
	rr->afi = get_u16(&m);
	rr->subtype = get_u8(&m);
	rr->safi = get_u8(&m);
	return reader_done(&m);
}
