/* Actions <-> extended communities: see actions.h. */
#include "actions.h"

#include <string.h>

#include "lib/reader.h"

static float float_from_bits(uint32_t bits)
{
	float f;
	memcpy(&f, &bits, sizeof f);
	return f;
}

static uint32_t float_bits(float f)
{
	uint32_t bits;
	memcpy(&bits, &f, sizeof bits);
	return bits;
}

static void decode_ext6(struct fs_action *a, struct reader *r)
{
	uint16_t kind = get_u16(r);
	if (kind != EXT6_FLOW_REDIRECT_IP_IETF)
		return;
	a->type = FS_ACT_REDIRECT_IP_IETF;
	a->ip.family = ADDR_V6;
	get_bytes(r, a->ip.bytes, 16);
	a->copy = get_u16(r) & FS_REDIRECT_COPY;
}

void fs_action_decode(struct fs_action *a, const uint8_t *raw, unsigned len)
{
	memset(a, 0, sizeof *a);
	a->type = FS_ACT_OTHER;
	a->raw_len = (uint8_t)(len < sizeof a->raw ? len : sizeof a->raw);
	memcpy(a->raw, raw, a->raw_len);
	struct reader r = reader_init(raw, a->raw_len);
	if (len == EXT6_COMMUNITY_LEN) {
		decode_ext6(a, &r);
		return;
	}
	if (len != EXT_COMMUNITY_LEN)
		return;
	uint16_t kind = get_u16(&r);
	switch (kind) {
	case EXT_FLOW_TRAFFIC_RATE:
	case EXT_FLOW_RATE_PACKETS:
		a->type = kind == EXT_FLOW_TRAFFIC_RATE ? FS_ACT_RATE_BYTES
							: FS_ACT_RATE_PACKETS;
		a->rate_as = get_u16(&r);
		a->rate = float_from_bits(get_u32(&r));
		break;
	case EXT_FLOW_TRAFFIC_ACTION:
		a->type = FS_ACT_TRAFFIC_ACTION;
		skip(&r, 5);
		a->flags = get_u8(&r);
		break;
	case EXT_FLOW_REDIRECT_AS2:
		a->type = FS_ACT_REDIRECT_AS2;
		a->asn = get_u16(&r);
		a->local = get_u32(&r);
		break;
	case EXT_FLOW_REDIRECT_IP4:
		a->type = FS_ACT_REDIRECT_IP4;
		a->ip.family = ADDR_V4;
		get_bytes(&r, a->ip.bytes, 4);
		a->local = get_u16(&r);
		break;
	case EXT_FLOW_REDIRECT_AS4:
		a->type = FS_ACT_REDIRECT_AS4;
		a->asn = get_u32(&r);
		a->local = get_u16(&r);
		break;
	case EXT_FLOW_TRAFFIC_MARK:
		a->type = FS_ACT_MARK;
		skip(&r, 5);
		a->dscp = get_u8(&r) & FS_MARK_DSCP_MASK;
		break;
	case EXT_FLOW_REDIRECT_NH:
		a->type = FS_ACT_REDIRECT_NH;
		skip(&r, 4);
		a->copy = get_u16(&r) & FS_REDIRECT_COPY;
		break;
	case EXT_FLOW_REDIRECT_IP_IETF:
		a->type = FS_ACT_REDIRECT_IP_IETF;
		a->ip.family = ADDR_V4;
		get_bytes(&r, a->ip.bytes, 4);
		a->copy = get_u16(&r) & FS_REDIRECT_COPY;
		break;
	default:
		break;
	}
}

bool fs_action_is_ext6(const struct fs_action *a)
{
	if (a->type == FS_ACT_OTHER)
		return a->raw_len == EXT6_COMMUNITY_LEN;
	return a->type == FS_ACT_REDIRECT_IP_IETF && a->ip.family == ADDR_V6;
}

unsigned fs_action_put(struct writer *w, const struct fs_action *a)
{
	uint16_t copy = a->copy ? FS_REDIRECT_COPY : 0;
	switch (a->type) {
	case FS_ACT_RATE_BYTES:
	case FS_ACT_RATE_PACKETS:
		put_u16(w, a->type == FS_ACT_RATE_BYTES ? EXT_FLOW_TRAFFIC_RATE
							: EXT_FLOW_RATE_PACKETS);
		put_u16(w, a->rate_as);
		put_u32(w, float_bits(a->rate));
		break;
	case FS_ACT_TRAFFIC_ACTION:
		put_u16(w, EXT_FLOW_TRAFFIC_ACTION);
		put_u32(w, 0);
		put_u8(w, 0);
		put_u8(w, a->flags);
		break;
	case FS_ACT_REDIRECT_AS2:
		put_u16(w, EXT_FLOW_REDIRECT_AS2);
		put_u16(w, (uint16_t)a->asn);
		put_u32(w, a->local);
		break;
	case FS_ACT_REDIRECT_IP4:
		put_u16(w, EXT_FLOW_REDIRECT_IP4);
		put_bytes(w, a->ip.bytes, 4);
		put_u16(w, (uint16_t)a->local);
		break;
	case FS_ACT_REDIRECT_AS4:
		put_u16(w, EXT_FLOW_REDIRECT_AS4);
		put_u32(w, a->asn);
		put_u16(w, (uint16_t)a->local);
		break;
	case FS_ACT_MARK:
		put_u16(w, EXT_FLOW_TRAFFIC_MARK);
		put_u32(w, 0);
		put_u8(w, 0);
		put_u8(w, a->dscp & FS_MARK_DSCP_MASK);
		break;
	case FS_ACT_REDIRECT_NH:
		put_u16(w, EXT_FLOW_REDIRECT_NH);
		put_u32(w, 0);
		put_u16(w, copy);
		break;
	case FS_ACT_REDIRECT_IP_IETF:
		if (a->ip.family == ADDR_V6) {
			put_u16(w, EXT6_FLOW_REDIRECT_IP_IETF);
			put_bytes(w, a->ip.bytes, 16);
			put_u16(w, copy);
			return EXT6_COMMUNITY_LEN;
		}
		put_u16(w, EXT_FLOW_REDIRECT_IP_IETF);
		put_bytes(w, a->ip.bytes, 4);
		put_u16(w, copy);
		break;
	case FS_ACT_OTHER:
		put_bytes(w, a->raw, a->raw_len);
		return a->raw_len;
	}
	return EXT_COMMUNITY_LEN;
}
