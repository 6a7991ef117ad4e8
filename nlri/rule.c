/* Flowspec rule storage: see rule.h. */
#include "rule.h"

#include <stdlib.h>
#include <string.h>

/* Attribute values are carried with a two-octet length (RFC 4271 §4.3). */
#define ATTR_VALUE_MAX 65535

void fs_rule_init(struct fs_rule *r, enum fs_afi afi)
{
	*r = (struct fs_rule){
		.afi = afi,
		.match = writer_init(FS_NLRI_MAX),
		.ext = writer_init(ATTR_VALUE_MAX),
		.ext6 = writer_init(ATTR_VALUE_MAX),
		.comm = writer_init(ATTR_VALUE_MAX),
	};
}

void fs_rule_clear(struct fs_rule *r)
{
	if (!r)
		return;
	writer_free(&r->match);
	writer_free(&r->ext);
	writer_free(&r->ext6);
	writer_free(&r->comm);
}

static void copy_buf(struct writer *dst, const struct writer *src)
{
	put_bytes(dst, src->data, src->len);
	dst->err |= src->err;
}

bool fs_rule_copy(struct fs_rule *dst, const struct fs_rule *src)
{
	fs_rule_init(dst, src->afi);
	copy_buf(&dst->match, &src->match);
	copy_buf(&dst->ext, &src->ext);
	copy_buf(&dst->ext6, &src->ext6);
	copy_buf(&dst->comm, &src->comm);
	dst->nexthop = src->nexthop;
	return fs_rule_ok(dst);
}

void fs_rule_add_action(struct fs_rule *r, const struct fs_action *a)
{
	fs_action_put(fs_action_is_ext6(a) ? &r->ext6 : &r->ext, a);
}

void fs_rule_add_community(struct fs_rule *r, uint32_t community)
{
	put_u32(&r->comm, community);
}

static int cmp_comm(const void *a, const void *b)
{
	return memcmp(a, b, 4);
}

static int cmp_ext(const void *a, const void *b)
{
	return memcmp(a, b, EXT_COMMUNITY_LEN);
}

static int cmp_ext6(const void *a, const void *b)
{
	return memcmp(a, b, EXT6_COMMUNITY_LEN);
}

/* Sorts entries of one size and removes repeats. */
static void sort_unique(struct writer *w, size_t size,
			int (*cmp)(const void *, const void *))
{
	size_t n = w->len / size;
	if (n < 2)
		return;
	qsort(w->data, n, size, cmp);
	size_t out = 1;
	for (size_t i = 1; i < n; i++) {
		if (memcmp(w->data + (out - 1) * size, w->data + i * size,
			   size) != 0)
			memmove(w->data + out++ * size, w->data + i * size, size);
	}
	w->len = out * size;
}

void fs_rule_normalize(struct fs_rule *r)
{
	sort_unique(&r->ext, EXT_COMMUNITY_LEN, cmp_ext);
	sort_unique(&r->ext6, EXT6_COMMUNITY_LEN, cmp_ext6);
	sort_unique(&r->comm, 4, cmp_comm);
}

bool fs_rule_ok(const struct fs_rule *r)
{
	return !r->match.err && !r->ext.err && !r->ext6.err && !r->comm.err;
}
