/* BGP UPDATE codec for Flowspec: see msg.h. */
#include "msg.h"

#include <stdio.h>
#include <string.h>

#include "lib/reader.h"

/* What RFC 4271 §4.3 / §5 and the attribute's RFC fix for a known type. */
struct attr_info {
	const char *name;
	uint8_t flags;		/* expected OPTIONAL and TRANSITIVE bits */
	bool fixed;		/* the value has exactly len octets */
	uint8_t len;
	uint8_t unit;		/* the value is a whole number of units */
};

#define WELL_KNOWN BGP_ATTR_FLAG_TRANSITIVE
#define OPT_NON_TRANS BGP_ATTR_FLAG_OPTIONAL
#define OPT_TRANS (BGP_ATTR_FLAG_OPTIONAL | BGP_ATTR_FLAG_TRANSITIVE)

static const struct attr_info attr_info[256] = {
	[BGP_ATTR_ORIGIN] = { "ORIGIN", WELL_KNOWN, true, 1, 0 },
	[BGP_ATTR_AS_PATH] = { "AS_PATH", WELL_KNOWN, false, 0, 0 },
	[BGP_ATTR_NEXT_HOP] = { "NEXT_HOP", WELL_KNOWN, true, 4, 0 },
	[BGP_ATTR_MED] = { "MULTI_EXIT_DISC", OPT_NON_TRANS, true, 4, 0 },
	[BGP_ATTR_LOCAL_PREF] = { "LOCAL_PREF", WELL_KNOWN, true, 4, 0 },
	[BGP_ATTR_ATOMIC_AGGREGATE] = { "ATOMIC_AGGREGATE", WELL_KNOWN, true,
					0, 0 },
	[BGP_ATTR_AGGREGATOR] = { "AGGREGATOR", OPT_TRANS, false, 0, 0 },
	[BGP_ATTR_COMMUNITIES] = { "COMMUNITIES", OPT_TRANS, false, 0, 4 },
	[BGP_ATTR_MP_REACH_NLRI] = { "MP_REACH_NLRI", OPT_NON_TRANS, false,
				     0, 0 },
	[BGP_ATTR_MP_UNREACH_NLRI] = { "MP_UNREACH_NLRI", OPT_NON_TRANS,
				       false, 0, 0 },
	[BGP_ATTR_EXT_COMMUNITIES] = { "EXTENDED_COMMUNITIES", OPT_TRANS,
				       false, 0, EXT_COMMUNITY_LEN },
	[BGP_ATTR_AS4_PATH] = { "AS4_PATH", OPT_TRANS, false, 0, 0 },
	[BGP_ATTR_AS4_AGGREGATOR] = { "AS4_AGGREGATOR", OPT_TRANS, true, 8,
				      0 },
	[BGP_ATTR_IPV6_EXT_COMMUNITIES] = { "IPV6_EXT_COMMUNITIES", OPT_TRANS,
					    false, 0, EXT6_COMMUNITY_LEN },
};

const char *bgp_attr_name(unsigned type)
{
	return type < 256 ? attr_info[type].name : NULL;
}

/* ---- Builder ---- */

static const char *const build_err_str[] = {
	[BGP_BUILD_OK] = "ok",
	[BGP_BUILD_NO_RULES] = "no rule to encode",
	[BGP_BUILD_AFI] = "rules of different or unknown address families",
	[BGP_BUILD_NLRI] = "invalid Flowspec NLRI",
	[BGP_BUILD_NEXTHOP] = "next hop is not an IPv4 or IPv6 address",
	[BGP_BUILD_TOO_BIG] = "rule does not fit in one UPDATE message",
	[BGP_BUILD_PARAMS] = "maximum message size out of range",
	[BGP_BUILD_NOMEM] = "out of memory",
};

const char *bgp_build_err_str(enum bgp_build_err err)
{
	if ((unsigned)err >= sizeof build_err_str / sizeof build_err_str[0])
		return "unknown error";
	return build_err_str[err];
}

/* Octets of an attribute with a value of vlen octets: RFC 4271 §4.3, a
 * one-octet length up to 255, else the extended two-octet length. */
static size_t attr_size(size_t vlen)
{
	return (vlen > UINT8_MAX ? 4 : 3) + vlen;
}

static void put_attr_head(struct writer *w, uint8_t flags, uint8_t type,
			  size_t vlen)
{
	if (vlen > UINT8_MAX) {
		put_u8(w, flags | BGP_ATTR_FLAG_EXTENDED);
		put_u8(w, type);
		put_u16(w, (uint16_t)vlen);
	} else {
		put_u8(w, flags);
		put_u8(w, type);
		put_u8(w, (uint8_t)vlen);
	}
}

static void put_attr(struct writer *w, uint8_t flags, uint8_t type,
		     const void *value, size_t vlen)
{
	if (vlen > UINT16_MAX) {
		w->err = true;
		return;
	}
	put_attr_head(w, flags, type, vlen);
	put_bytes(w, value, vlen);
}

/* One AS_SEQUENCE holding one AS, RFC 4271 §4.3 (b). */
static void put_as_sequence(struct writer *w, uint32_t as, bool as4)
{
	put_u8(w, BGP_AS_SEQUENCE);
	put_u8(w, 1);
	if (as4)
		put_u32(w, as);
	else
		put_u16(w, (uint16_t)as);
}

/* The attributes after MP_REACH_NLRI, in type order (RFC 4271 §5). */
static void put_tail(struct writer *w, const struct bgp_update_params *p,
		     const struct fs_rule *r)
{
	uint8_t origin = BGP_ORIGIN_IGP;
	put_attr(w, WELL_KNOWN, BGP_ATTR_ORIGIN, &origin, 1);
	/* RFC 6793 §4.2.2: a 2-octet peer gets AS_TRANS in AS_PATH and the
	 * real AS in AS4_PATH. */
	bool trans = !p->ibgp && !p->as4 && p->local_as > UINT16_MAX;
	struct writer seg = writer_init(0);
	if (p->ibgp) {
		/* RFC 4271 §5.1.2: empty AS_PATH towards internal peers. */
		put_attr(w, WELL_KNOWN, BGP_ATTR_AS_PATH, NULL, 0);
		struct writer pref = writer_init(0);
		put_u32(&pref, BGP_LOCAL_PREF_DEFAULT);
		put_attr(w, WELL_KNOWN, BGP_ATTR_LOCAL_PREF, pref.data, pref.len);
		w->err |= pref.err;
		writer_free(&pref);
	} else {
		put_as_sequence(&seg, trans ? BGP_AS_TRANS : p->local_as,
				p->as4);
		put_attr(w, WELL_KNOWN, BGP_ATTR_AS_PATH, seg.data, seg.len);
	}
	if (r->comm.len)
		put_attr(w, OPT_TRANS, BGP_ATTR_COMMUNITIES, r->comm.data,
			 r->comm.len);
	if (r->ext.len)
		put_attr(w, OPT_TRANS, BGP_ATTR_EXT_COMMUNITIES, r->ext.data,
			 r->ext.len);
	if (trans) {
		writer_reset(&seg);
		put_as_sequence(&seg, p->local_as, true);
		put_attr(w, OPT_TRANS, BGP_ATTR_AS4_PATH, seg.data, seg.len);
	}
	if (r->ext6.len)
		put_attr(w, OPT_TRANS, BGP_ATTR_IPV6_EXT_COMMUNITIES,
			 r->ext6.data, r->ext6.len);
	w->err |= seg.err;
	writer_free(&seg);
}

static bool same_buf(const struct writer *a, const struct writer *b)
{
	return a->len == b->len && (!a->len || !memcmp(a->data, b->data, a->len));
}

static bool same_attrs(const struct fs_rule *a, const struct fs_rule *b)
{
	return same_buf(&a->ext, &b->ext) && same_buf(&a->ext6, &b->ext6) &&
	       same_buf(&a->comm, &b->comm) &&
	       a->nexthop.family == b->nexthop.family &&
	       !memcmp(a->nexthop.bytes, b->nexthop.bytes,
		       addr_octets(a->nexthop.family));
}

/* Octets of one NLRI with its length prefix, RFC 8955 §4.1. */
static size_t nlri_size(size_t len)
{
	return (len >= FS_LEN_EXTENDED_MIN ? 2 : 1) + len;
}

static bool rule_valid(const struct fs_rule *r)
{
	return fs_rule_ok(r) &&
	       fs_validate(r->afi, r->match.data, r->match.len, NULL) == FS_OK;
}

/* What one build writes: the MP attribute and what follows it. */
struct build {
	const struct bgp_update_params *p;
	bool reach;			/* MP_REACH_NLRI, else MP_UNREACH_NLRI */
	size_t mp_fixed;		/* MP value octets before the NLRIs */
	const struct writer *tail;	/* the attributes after it */
};

/* How many rules fit (0: error in *err, or the first does not fit) and
 * the NLRI octets they take. */
static size_t plan(const struct build *b, const struct fs_rule *const *rules,
		   size_t n, size_t max, size_t *nlri_len,
		   enum bgp_build_err *err)
{
	size_t fixed = BGP_UPDATE_MIN_LEN + b->tail->len;
	size_t count, nl = 0;
	*err = BGP_BUILD_OK;
	for (count = 0; count < n; count++) {
		const struct fs_rule *r = rules[count];
		if (r->afi != rules[0]->afi) {
			*err = BGP_BUILD_AFI;
			return 0;
		}
		if (count > 0 && b->reach && !same_attrs(rules[0], r))
			break;
		if (!rule_valid(r)) {
			*err = BGP_BUILD_NLRI;
			return 0;
		}
		size_t add = nlri_size(r->match.len);
		if (fixed + attr_size(b->mp_fixed + nl + add) > max)
			break;
		nl += add;
	}
	if (count == 0)
		*err = BGP_BUILD_TOO_BIG;
	*nlri_len = nl;
	return count;
}

/* Appends the UPDATE of b for the first rules that fit. */
static enum bgp_build_err build(struct writer *w, struct build *b,
				const struct fs_rule *const *rules, size_t n,
				size_t *taken)
{
	*taken = 0;
	size_t max = b->p->max_msg ? b->p->max_msg : BGP_MAX_MSG;
	if (max < BGP_UPDATE_MIN_LEN || max > BGP_MAX_MSG_EXTENDED)
		return BGP_BUILD_PARAMS;
	if (n == 0)
		return BGP_BUILD_NO_RULES;
	const struct fs_rule *first = rules[0];
	if (first->afi != FS_AFI_IPV4 && first->afi != FS_AFI_IPV6)
		return BGP_BUILD_AFI;
	unsigned nh_len = 0;
	if (b->reach) {
		if (first->nexthop.family != ADDR_NONE &&
		    first->nexthop.family != ADDR_V4 &&
		    first->nexthop.family != ADDR_V6)
			return BGP_BUILD_NEXTHOP;
		nh_len = addr_octets(first->nexthop.family);
		/* RFC 4760 §3: AFI, SAFI, next hop length, next hop,
		 * reserved. */
		b->mp_fixed = 2 + 1 + 1 + nh_len + 1;
	} else {
		/* RFC 4760 §4: AFI, SAFI. */
		b->mp_fixed = 2 + 1;
	}
	if (w->err)
		return BGP_BUILD_NOMEM;

	enum bgp_build_err err;
	size_t nl;
	size_t count = plan(b, rules, n, max, &nl, &err);
	if (!count)
		return err;

	size_t start = w->len;
	/* RFC 4271 §4.1 header; the length is patched at the end. */
	for (unsigned i = 0; i < BGP_MARKER_LEN; i++)
		put_u8(w, BGP_MARKER_OCTET);
	size_t len_off = put_reserve(w, 2);
	put_u8(w, BGP_MSG_UPDATE);
	/* RFC 4271 §4.3: no withdrawn IPv4 routes, then the attributes. */
	put_u16(w, 0);
	size_t attrs_off = put_reserve(w, 2);
	/* RFC 4760 §3 / §4; first of all attributes (RFC 7606 §5.1). */
	put_attr_head(w, OPT_NON_TRANS,
		      b->reach ? BGP_ATTR_MP_REACH_NLRI : BGP_ATTR_MP_UNREACH_NLRI,
		      b->mp_fixed + nl);
	put_u16(w, (uint16_t)first->afi);
	put_u8(w, FS_SAFI);
	if (b->reach) {
		put_u8(w, (uint8_t)nh_len);
		put_bytes(w, first->nexthop.bytes, nh_len);
		put_u8(w, 0);	/* reserved */
	}
	for (size_t i = 0; i < count; i++)
		fs_nlri_put(w, rules[i]->match.data, rules[i]->match.len);
	put_bytes(w, b->tail->data, b->tail->len);
	patch_u16(w, attrs_off, (uint16_t)(w->len - attrs_off - 2));
	patch_u16(w, len_off, (uint16_t)(w->len - start));
	if (w->err) {
		w->len = start;
		return BGP_BUILD_NOMEM;
	}
	*taken = count;
	return BGP_BUILD_OK;
}

enum bgp_build_err bgp_update_announce(struct writer *w,
				       const struct bgp_update_params *p,
				       const struct fs_rule *const *rules,
				       size_t n, size_t *taken)
{
	*taken = 0;
	if (n == 0)
		return BGP_BUILD_NO_RULES;
	struct writer tail = writer_init(0);
	put_tail(&tail, p, rules[0]);
	enum bgp_build_err err = BGP_BUILD_NOMEM;
	if (!tail.err) {
		struct build b = { .p = p, .reach = true, .tail = &tail };
		err = build(w, &b, rules, n, taken);
	}
	writer_free(&tail);
	return err;
}

enum bgp_build_err bgp_update_withdraw(struct writer *w,
				       const struct bgp_update_params *p,
				       const struct fs_rule *const *rules,
				       size_t n, size_t *taken)
{
	struct writer none = writer_init(0);
	struct build b = { .p = p, .reach = false, .tail = &none };
	return build(w, &b, rules, n, taken);
}

/* ---- Decoder ---- */

static const char *const update_err_str[] = {
	[BGP_UPD_OK] = "valid",
	[BGP_UPD_SHORT] = "message shorter than the BGP header",
	[BGP_UPD_MARKER] = "marker is not all ones",
	[BGP_UPD_LENGTH] = "length field does not match the message",
	[BGP_UPD_TYPE] = "not an UPDATE message",
	[BGP_UPD_WITHDRAWN_LEN] = "withdrawn routes length runs past the message",
	[BGP_UPD_PREFIX] = "malformed IPv4 prefix",
	[BGP_UPD_ATTRS_LEN] = "total path attribute length runs past the message",
	[BGP_UPD_ATTR_TRUNCATED] = "attribute runs past the path attributes",
	[BGP_UPD_ATTR_DUP] = "attribute appears twice",
	[BGP_UPD_ATTR_FLAGS] = "attribute flags conflict with the attribute type",
	[BGP_UPD_ATTR_WELL_KNOWN] = "unrecognized well-known attribute",
	[BGP_UPD_ATTR_LEN] = "attribute length wrong for its type",
	[BGP_UPD_ATTR_VALUE] = "attribute value not defined",
	[BGP_UPD_AFI] = "address family is not IPv4 or IPv6",
	[BGP_UPD_SAFI] = "subsequent address family is not Flowspec (133)",
	[BGP_UPD_NEXTHOP_LEN] = "next hop length is not 0, 4, 16 or 32",
	[BGP_UPD_NLRI_TRUNCATED] = "NLRI runs past the attribute",
	[BGP_UPD_NLRI] = "invalid Flowspec NLRI",
	[BGP_UPD_CALLBACK] = "NLRI refused by the receiver",
	[BGP_UPD_NOMEM] = "out of memory",
	[BGP_UPD_MISSING_WK] = "missing well-known attribute",
};

const char *bgp_update_err_str(enum bgp_update_err err)
{
	if ((unsigned)err >= sizeof update_err_str / sizeof update_err_str[0])
		return "unknown error";
	return update_err_str[err];
}

/* The NLRI list of one MP attribute, checked. */
struct mp_part {
	bool seen;
	enum fs_afi afi;
	struct reader nlri;	/* the packed list */
	size_t base;		/* message offset of its first octet */
	struct addr nexthop;
};

struct update {
	struct bgp_update_result *res;
	bool seen[256];
	unsigned attrs;
	struct mp_part reach, unreach;
	struct reader comm, ext, ext6;	/* values; empty when absent */
};

static enum bgp_update_err fail(struct update *u, enum bgp_update_err err,
				unsigned attr, size_t off)
{
	u->res->err = err;
	u->res->attr = attr;
	u->res->off = off;
	return err;
}

/* Skips an RFC 4271 §4.3 prefix list (Withdrawn Routes, NLRI), counting. */
static enum bgp_update_err skip_prefixes(struct update *u, struct reader *r,
					 size_t base, size_t *count)
{
	while (remaining(r)) {
		size_t off = base + r->off;
		unsigned bits = get_u8(r);
		if (bits > 32)
			return fail(u, BGP_UPD_PREFIX, 0, off);
		skip(r, (bits + 7) / 8);
		if (r->err)
			return fail(u, BGP_UPD_PREFIX, 0, off);
		(*count)++;
	}
	return BGP_UPD_OK;
}

/* Checks every NLRI of a packed list, RFC 8955 §4.1 and §4.2. */
static enum bgp_update_err check_nlris(struct update *u, unsigned type,
				       const struct mp_part *mp)
{
	struct reader list = mp->nlri;
	while (remaining(&list)) {
		size_t off = mp->base + list.off;
		struct reader one;
		if (!fs_nlri_next(&list, &one))
			return fail(u, BGP_UPD_NLRI_TRUNCATED, type, off);
		size_t data_off = mp->base + list.off - one.len;
		size_t err_off = 0;
		enum fs_reason why = fs_validate(mp->afi, one.data, one.len,
						 &err_off);
		if (why != FS_OK) {
			u->res->nlri_reason = why;
			return fail(u, BGP_UPD_NLRI, type, data_off + err_off);
		}
	}
	return BGP_UPD_OK;
}

/* MP_REACH_NLRI (RFC 4760 §3) or MP_UNREACH_NLRI (§4) value v, which
 * starts at message offset base; at is the attribute's offset. */
static enum bgp_update_err parse_mp(struct update *u, unsigned type,
				    struct reader *v, size_t base, size_t at)
{
	bool reach = type == BGP_ATTR_MP_REACH_NLRI;
	struct mp_part *mp = reach ? &u->reach : &u->unreach;
	size_t afi_off = base + v->off;
	unsigned afi = get_u16(v);
	size_t safi_off = base + v->off;
	unsigned safi = get_u8(v);
	if (v->err)
		return fail(u, BGP_UPD_ATTR_LEN, type, at);
	if (afi != FS_AFI_IPV4 && afi != FS_AFI_IPV6)
		return fail(u, BGP_UPD_AFI, type, afi_off);
	if (safi != FS_SAFI)
		return fail(u, BGP_UPD_SAFI, type, safi_off);
	mp->afi = afi;
	if (reach) {
		size_t nh_off = base + v->off;
		unsigned nh_len = get_u8(v);
		if (v->err)
			return fail(u, BGP_UPD_ATTR_LEN, type, at);
		if (nh_len != BGP_NH_LEN_NONE && nh_len != BGP_NH_LEN_IPV4 &&
		    nh_len != BGP_NH_LEN_IPV6 && nh_len != BGP_NH_LEN_IPV6_LL)
			return fail(u, BGP_UPD_NEXTHOP_LEN, type, nh_off);
		uint8_t nh[BGP_NH_LEN_IPV6_LL];
		get_bytes(v, nh, nh_len);
		/* Reserved: RFC 4760 §3 says to ignore it on receipt. */
		(void)get_u8(v);
		if (v->err)
			return fail(u, BGP_UPD_ATTR_LEN, type, at);
		mp->nexthop = (struct addr){ 0 };
		if (nh_len == BGP_NH_LEN_IPV4) {
			mp->nexthop.family = ADDR_V4;
			memcpy(mp->nexthop.bytes, nh, BGP_NH_LEN_IPV4);
		} else if (nh_len >= BGP_NH_LEN_IPV6) {
			/* Of global + link-local (RFC 2545 §3), the global. */
			mp->nexthop.family = ADDR_V6;
			memcpy(mp->nexthop.bytes, nh, BGP_NH_LEN_IPV6);
		}
	}
	mp->seen = true;
	mp->base = base + v->off;
	mp->nlri = sub(v, remaining(v));
	return check_nlris(u, type, mp);
}

/* Checks the flags of a known attribute, RFC 4271 §4.3 and §6.3. */
static bool flags_ok(const struct attr_info *info, uint8_t flags)
{
	uint8_t kind = flags & OPT_TRANS;
	if (kind != info->flags)
		return false;
	/* The partial bit only exists for optional transitive ones. */
	return info->flags == OPT_TRANS || !(flags & BGP_ATTR_FLAG_PARTIAL);
}

/* One attribute: value v starting at message offset base; at is the
 * attribute's own offset. */
static enum bgp_update_err parse_attr(struct update *u, uint8_t flags,
				      uint8_t type, struct reader *v,
				      size_t base, size_t at)
{
	const struct attr_info *info = &attr_info[type];
	if (!info->name) {
		/* RFC 4271 §6.3: an unknown optional attribute is passed
		 * over; an unknown well-known one is an error. */
		if (!(flags & BGP_ATTR_FLAG_OPTIONAL))
			return fail(u, BGP_UPD_ATTR_WELL_KNOWN, type, at);
		return BGP_UPD_OK;
	}
	if (!flags_ok(info, flags))
		return fail(u, BGP_UPD_ATTR_FLAGS, type, at);
	size_t vlen = remaining(v);
	if ((info->fixed && vlen != info->len) ||
	    (info->unit && vlen % info->unit))
		return fail(u, BGP_UPD_ATTR_LEN, type, at);
	switch (type) {
	case BGP_ATTR_ORIGIN:
		if (get_u8(v) > BGP_ORIGIN_INCOMPLETE)
			return fail(u, BGP_UPD_ATTR_VALUE, type, base);
		break;
	case BGP_ATTR_MP_REACH_NLRI:
	case BGP_ATTR_MP_UNREACH_NLRI:
		return parse_mp(u, type, v, base, at);
	case BGP_ATTR_COMMUNITIES:
		u->comm = *v;
		break;
	case BGP_ATTR_EXT_COMMUNITIES:
		u->ext = *v;
		break;
	case BGP_ATTR_IPV6_EXT_COMMUNITIES:
		u->ext6 = *v;
		break;
	default:
		/* Length checked; the value does not matter here. */
		break;
	}
	return BGP_UPD_OK;
}

/* The Path Attributes field, starting at message offset base. */
static enum bgp_update_err parse_attrs(struct update *u, struct reader *attrs,
				       size_t base)
{
	while (remaining(attrs)) {
		size_t at = base + attrs->off;
		uint8_t flags = get_u8(attrs);
		uint8_t type = get_u8(attrs);
		size_t vlen = flags & BGP_ATTR_FLAG_EXTENDED ? get_u16(attrs)
							    : get_u8(attrs);
		size_t vbase = base + attrs->off;
		struct reader v = sub(attrs, vlen);
		if (attrs->err)
			return fail(u, BGP_UPD_ATTR_TRUNCATED, type, at);
		/* RFC 7606 §3 (g): MP_REACH_NLRI or MP_UNREACH_NLRI twice
		 * is an error; of any other attribute the copies after the
		 * first are discarded and the UPDATE goes on. */
		if (u->seen[type]) {
			if (type == BGP_ATTR_MP_REACH_NLRI ||
			    type == BGP_ATTR_MP_UNREACH_NLRI)
				return fail(u, BGP_UPD_ATTR_DUP, type, at);
			continue;
		}
		u->seen[type] = true;
		u->attrs++;
		enum bgp_update_err err = parse_attr(u, flags, type, &v, vbase,
						     at);
		if (err)
			return err;
	}
	return BGP_UPD_OK;
}

/* The header (RFC 4271 §4.1, §6.1) and the UPDATE fields (§4.3). */
static enum bgp_update_err parse(struct update *u, struct reader *m)
{
	for (unsigned i = 0; i < BGP_MARKER_LEN; i++) {
		uint8_t b = get_u8(m);
		if (m->err)
			return fail(u, BGP_UPD_SHORT, 0, m->len);
		if (b != BGP_MARKER_OCTET)
			return fail(u, BGP_UPD_MARKER, 0, i);
	}
	size_t len_off = m->off;
	size_t len = get_u16(m);
	size_t type_off = m->off;
	uint8_t type = get_u8(m);
	if (m->err)
		return fail(u, BGP_UPD_SHORT, 0, m->len);
	if (len != m->len)
		return fail(u, BGP_UPD_LENGTH, 0, len_off);
	if (type != BGP_MSG_UPDATE)
		return fail(u, BGP_UPD_TYPE, 0, type_off);
	if (len < BGP_UPDATE_MIN_LEN)
		return fail(u, BGP_UPD_LENGTH, 0, len_off);

	size_t wlen_off = m->off;
	size_t wlen = get_u16(m);
	size_t wbase = m->off;
	struct reader withdrawn = sub(m, wlen);
	if (m->err)
		return fail(u, BGP_UPD_WITHDRAWN_LEN, 0, wlen_off);
	enum bgp_update_err err = skip_prefixes(u, &withdrawn, wbase,
						&u->res->ipv4_withdrawn);
	if (err)
		return err;

	size_t alen_off = m->off;
	size_t alen = get_u16(m);
	size_t abase = m->off;
	struct reader attrs = sub(m, alen);
	if (m->err)
		return fail(u, BGP_UPD_ATTRS_LEN, 0, alen_off);
	err = parse_attrs(u, &attrs, abase);
	if (err)
		return err;

	size_t nbase = m->off;
	struct reader nlri = sub(m, remaining(m));
	return skip_prefixes(u, &nlri, nbase, &u->res->ipv4_nlri);
}

/* Hands the NLRIs of one checked list to fn, in rule (reused). */
static enum bgp_update_err deliver(struct update *u, const struct mp_part *mp,
				   bool withdrawn, struct fs_rule *rule,
				   bgp_flow_fn fn, void *ctx)
{
	struct reader list = mp->nlri;
	size_t *count = withdrawn ? &u->res->withdrawn : &u->res->announced;
	while (remaining(&list)) {
		size_t off = mp->base + list.off;
		struct reader one;
		if (!fs_nlri_next(&list, &one))
			return fail(u, BGP_UPD_NLRI_TRUNCATED, 0, off);
		if (fn) {
			writer_reset(&rule->match);
			put_bytes(&rule->match, one.data, one.len);
			if (!fs_rule_ok(rule))
				return fail(u, BGP_UPD_NOMEM, 0, off);
			struct bgp_flow flow = {
				.afi = mp->afi,
				.withdrawn = withdrawn,
				.rule = rule,
				.off = off,
			};
			if (!fn(ctx, &flow))
				return fail(u, BGP_UPD_CALLBACK, 0, off);
		}
		(*count)++;
	}
	return BGP_UPD_OK;
}

static void put_reader(struct writer *w, const struct reader *r)
{
	if (r->len)
		put_bytes(w, r->data, r->len);
}

enum bgp_update_err bgp_update_decode(const uint8_t *msg, size_t len,
				      bgp_flow_fn fn, void *ctx,
				      struct bgp_update_result *res)
{
	*res = (struct bgp_update_result){ 0 };
	struct update u = {
		.res = res,
		.comm = reader_init(NULL, 0),
		.ext = reader_init(NULL, 0),
		.ext6 = reader_init(NULL, 0),
	};
	struct reader m = reader_init(msg, len);
	enum bgp_update_err err = parse(&u, &m);
	if (err)
		return err;
	/* RFC 4271 §6.3, RFC 7606 §3 (d): routes need ORIGIN and AS_PATH. */
	if (u.reach.seen && remaining(&u.reach.nlri)) {
		if (!u.seen[BGP_ATTR_ORIGIN])
			return fail(&u, BGP_UPD_MISSING_WK, BGP_ATTR_ORIGIN,
				    BGP_HEADER_LEN);
		if (!u.seen[BGP_ATTR_AS_PATH])
			return fail(&u, BGP_UPD_MISSING_WK, BGP_ATTR_AS_PATH,
				    BGP_HEADER_LEN);
	}

	/* RFC 4724 §2: End-of-RIB is an MP_UNREACH_NLRI with nothing. */
	if (u.unreach.seen && u.attrs == 1 && !remaining(&u.unreach.nlri) &&
	    !res->ipv4_withdrawn && !res->ipv4_nlri)
		res->eor_afi = u.unreach.afi;

	struct fs_rule rule;
	if (u.unreach.seen) {
		fs_rule_init(&rule, u.unreach.afi);
		err = deliver(&u, &u.unreach, true, &rule, fn, ctx);
		fs_rule_clear(&rule);
		if (err)
			return err;
	}
	if (u.reach.seen) {
		fs_rule_init(&rule, u.reach.afi);
		put_reader(&rule.ext, &u.ext);
		put_reader(&rule.ext6, &u.ext6);
		put_reader(&rule.comm, &u.comm);
		rule.nexthop = u.reach.nexthop;
		err = fs_rule_ok(&rule) ? deliver(&u, &u.reach, false, &rule,
						   fn, ctx)
					: fail(&u, BGP_UPD_NOMEM, 0, 0);
		fs_rule_clear(&rule);
	}
	return err;
}

/* The Flowspec NLRIs of one MP_REACH_NLRI / MP_UNREACH_NLRI value v,
 * as withdrawn; stops at the first NLRI that cannot be framed. */
static size_t withdraw_mp(unsigned type, struct reader *v, bgp_flow_fn fn,
			  void *ctx)
{
	unsigned afi = get_u16(v);
	unsigned safi = get_u8(v);
	if (type == BGP_ATTR_MP_REACH_NLRI) {
		skip(v, get_u8(v));	/* next hop */
		(void)get_u8(v);	/* reserved */
	}
	if (v->err || safi != FS_SAFI ||
	    (afi != FS_AFI_IPV4 && afi != FS_AFI_IPV6))
		return 0;
	struct fs_rule rule;
	fs_rule_init(&rule, (enum fs_afi)afi);
	size_t n = 0;
	struct reader one;
	while (remaining(v) && fs_nlri_next(v, &one)) {
		size_t err_off;
		/* One that breaks RFC 8955 was never taken: nothing to undo. */
		if (fs_validate((enum fs_afi)afi, one.data, one.len,
				&err_off) != FS_OK)
			continue;
		writer_reset(&rule.match);
		put_bytes(&rule.match, one.data, one.len);
		if (!fs_rule_ok(&rule))
			break;
		struct bgp_flow flow = { .afi = (enum fs_afi)afi,
					 .withdrawn = true,
					 .rule = &rule };
		n++;
		if (!fn(ctx, &flow))
			break;
	}
	fs_rule_clear(&rule);
	return n;
}

size_t bgp_update_withdraw_all(const uint8_t *msg, size_t len,
			       bgp_flow_fn fn, void *ctx)
{
	struct reader m = reader_init(msg, len);
	skip(&m, BGP_HEADER_LEN);
	skip(&m, get_u16(&m));			/* withdrawn routes */
	struct reader attrs = sub(&m, get_u16(&m));
	size_t n = 0;
	bool done[2] = { false, false };	/* RFC 7606 §3 (g): the first */
	while (!m.err && remaining(&attrs)) {
		uint8_t flags = get_u8(&attrs);
		uint8_t type = get_u8(&attrs);
		size_t vlen = flags & BGP_ATTR_FLAG_EXTENDED ? get_u16(&attrs)
							    : get_u8(&attrs);
		struct reader v = sub(&attrs, vlen);
		if (attrs.err)
			break;	/* RFC 7606 §4: the rest cannot be framed */
		bool reach = type == BGP_ATTR_MP_REACH_NLRI;
		if ((reach || type == BGP_ATTR_MP_UNREACH_NLRI) &&
		    !done[reach]) {
			done[reach] = true;
			n += withdraw_mp(type, &v, fn, ctx);
		}
	}
	return n;
}

const char *bgp_update_error_text(const struct bgp_update_result *res,
				  char *buf, size_t n)
{
	if (!n)
		return buf;
	const char *why = res->err == BGP_UPD_NLRI
				  ? fs_reason_str(res->nlri_reason)
				  : bgp_update_err_str(res->err);
	const char *name = bgp_attr_name(res->attr);
	if (name)
		snprintf(buf, n, "octet %zu: %s: %s", res->off, name, why);
	else if (res->attr)
		snprintf(buf, n, "octet %zu: attribute %u: %s", res->off,
			 res->attr, why);
	else
		snprintf(buf, n, "octet %zu: %s", res->off, why);
	return buf;
}
