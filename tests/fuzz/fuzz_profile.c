/* libFuzzer harness for the router profiles (bgpd/bgp/profile.c): every
 * built-in profile, and one built from the input, applied to rules made
 * from the input.
 *
 * Input: the layout of fuzz_nlri (one control octet, a packed NLRI list,
 * then a tail of communities):
 *   control bit 0     AFI: 0 IPv4, 1 IPv6
 *   control bits 1-4  number of 8-octet extended communities at the end
 *   control bits 5-6  number of 20-octet IPv6 extended communities before them
 *   control bit 7     the rules carry a next hop (of the rule's family)
 * Each valid NLRI becomes a rule with those communities. Properties
 * (abort() with the rule's text when broken): a rewritten rule is valid
 * (fs_validate), the profile sends it as it is (a rewrite is final), its
 * numeric components match the same values as the original's (on the
 * operators' values and their neighbours), and nothing is refused
 * without a reason. */
#include <stdarg.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bgpd/bgp/profile.h"
#include "nlri/text.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define CTRL_AFI_V6 0x01
#define CTRL_EXT_SHIFT 1
#define CTRL_EXT_MASK 0x0f
#define CTRL_EXT6_SHIFT 5
#define CTRL_EXT6_MASK 0x03
#define CTRL_NEXTHOP 0x80

__attribute__((format(printf, 2, 3), noreturn)) static void
die(const struct fs_rule *r, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	fputs("fuzz_profile: ", stderr);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	char *text = fs_text_string(r);
	fprintf(stderr, ": %s\n", text ? text : "(no text)");
	free(text);
	abort();
}

static bool op_true(const struct fs_op *op, uint64_t v)
{
	return ((op->bits & FS_OP_LT) && v < op->value) ||
	       ((op->bits & FS_OP_GT) && v > op->value) ||
	       ((op->bits & FS_OP_EQ) && v == op->value);
}

/* RFC 8955 §4.2.1.1, read as an OR of AND runs. */
static bool eval(const struct fs_component *c, uint64_t v)
{
	struct reader r = c->ops;
	struct fs_op op;
	bool any = false, run = false, first = true;
	while (fs_op_next(&r, c, &op)) {
		bool t = op_true(&op, v);
		if (first || !op.and) {
			any = any || (!first && run);
			run = t;
		} else {
			run = run && t;
		}
		first = false;
	}
	return any || run;
}

static bool find(const struct fs_rule *r, unsigned type,
		 struct fs_component *c)
{
	struct fs_iter it;
	fs_iter_init(&it, r->afi, r->match.data, r->match.len);
	while (fs_iter_next(&it, c))
		if (c->type == type)
			return true;
	return false;
}

/* Same match on every operator value of a's components, and one each
 * side of it. */
static void same_meaning(const struct fs_rule *a, const struct fs_rule *b)
{
	for (unsigned t = 1; t <= FS_TYPE_MAX; t++) {
		struct fs_component ca, cb;
		bool ha = find(a, t, &ca), hb = find(b, t, &cb);
		if (ha != hb)
			die(a, "component %u only in one form", t);
		if (!ha || ca.kind != FS_KIND_NUMERIC)
			continue;
		struct reader r = ca.ops;
		struct fs_op op;
		while (fs_op_next(&r, &ca, &op)) {
			uint64_t vs[3] = { op.value, op.value - 1, op.value + 1 };
			for (unsigned i = 0; i < 3; i++) {
				if (vs[i] > ca.limit)
					continue;
				if (eval(&ca, vs[i]) != eval(&cb, vs[i]))
					die(a, "type %u differs on %llu", t,
					    (unsigned long long)vs[i]);
			}
		}
	}
}

static void apply(const struct profile *p, const struct fs_rule *r)
{
	struct fs_rule out;
	struct profile_result res = profile_apply(p, r, &out);
	char why[160];
	profile_reason_format(p, &res, why, sizeof why);
	if (res.verdict == PROFILE_REFUSE && res.reason == PROFILE_OK)
		die(r, "profile %s refused with no reason", p->name);
	if (res.verdict != PROFILE_REWRITE)
		return;
	if (fs_validate(out.afi, out.match.data, out.match.len, NULL) != FS_OK)
		die(r, "profile %s: rewritten match is not valid", p->name);
	struct fs_rule again;
	struct profile_result res2 = profile_apply(p, &out, &again);
	if (res2.verdict == PROFILE_REWRITE)
		fs_rule_clear(&again);
	if (res2.verdict != PROFILE_SEND)
		die(&out, "profile %s: the rewrite is not final (%d)", p->name,
		    res2.verdict);
	same_meaning(r, &out);
	fs_rule_clear(&out);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (size < 1)
		return 0;
	uint8_t ctrl = data[0];
	enum fs_afi afi = ctrl & CTRL_AFI_V6 ? FS_AFI_IPV6 : FS_AFI_IPV4;
	data++, size--;
	size_t n_ext = (ctrl >> CTRL_EXT_SHIFT) & CTRL_EXT_MASK;
	size_t n_ext6 = (ctrl >> CTRL_EXT6_SHIFT) & CTRL_EXT6_MASK;
	size_t tail = n_ext * EXT_COMMUNITY_LEN + n_ext6 * EXT6_COMMUNITY_LEN;
	if (tail > size)
		n_ext = n_ext6 = tail = 0;
	size -= tail;
	const uint8_t *ext6 = data + size;
	const uint8_t *ext = ext6 + n_ext6 * EXT6_COMMUNITY_LEN;

	/* The builtins, and one from the first octets of the tail. */
	struct profile profiles[5];
	const char *const names[] = { "generic", "iosxr", "junos", "frr" };
	for (unsigned i = 0; i < 4; i++)
		profile_builtin(names[i], &profiles[i]);
	struct profile *custom = &profiles[4];
	*custom = (struct profile){ .name = "custom" };
	if (size >= 4) {
		custom->no_components = (uint32_t)(data[0] << 8 | data[1]) &
					PROFILE_COMPONENTS_ALL;
		custom->no_actions = data[2] & PROFILE_ACTIONS_ALL;
		custom->redirect_ip = (enum profile_redirect_ip)(data[3] & 3);
		custom->rewrite_not_equal = data[3] & 4;
		custom->no_ipv6 = data[3] & 8;
	}

	struct reader list = reader_init(data, size);
	struct reader nlri;
	while (remaining(&list) && fs_nlri_next(&list, &nlri)) {
		const uint8_t *p = nlri.data + nlri.off;
		size_t len = remaining(&nlri);
		if (fs_validate(afi, p, len, NULL) != FS_OK)
			continue;
		struct fs_rule r;
		fs_rule_init(&r, afi);
		put_bytes(&r.match, p, len);
		put_bytes(&r.ext, ext, n_ext * EXT_COMMUNITY_LEN);
		put_bytes(&r.ext6, ext6, n_ext6 * EXT6_COMMUNITY_LEN);
		if (ctrl & CTRL_NEXTHOP) {
			const char *nh = afi == FS_AFI_IPV6 ? "2001:db8::1"
							    : "192.0.2.1";
			addr_parse(&r.nexthop, nh, strlen(nh));
		}
		fs_rule_normalize(&r);
		for (unsigned i = 0; i < 5; i++)
			apply(&profiles[i], &r);
		fs_rule_clear(&r);
	}
	return 0;
}
