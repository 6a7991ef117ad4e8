/* Router profiles: see profile.h. The built-in table, the name tables
 * of the config keys, the check of one rule and its two rewrites (the
 * != operator, the redirect-to-IP encoding). */
#include "bgpd/bgp/profile.h"

#include <stdio.h>
#include <string.h>

#include "nlri/text.h"

#define BIT(n) (1u << (n))
#define ACT(t) BIT(FS_ACT_##t)
#define ACTIONS_REDIRECT_VRF \
	(ACT(REDIRECT_AS2) | ACT(REDIRECT_IP4) | ACT(REDIRECT_AS4))
/* The complement of what a router takes. */
#define LACKS_COMPONENTS(takes) (PROFILE_COMPONENTS_ALL & ~(uint32_t)(takes))
#define LACKS_ACTIONS(takes) (PROFILE_ACTIONS_ALL & ~(uint32_t)(takes))
/* Component types 1..12 (RFC 8955 §4.2.2): all but the flow label. */
#define COMPONENTS_12 (PROFILE_COMPONENTS_ALL & ~BIT(FS_TYPE_FLOW_LABEL))

/* What each router takes, conservatively: only what its documentation
 * (or source) says it supports. A rule with anything else is refused for
 * that peer rather than sent to be ignored, half-applied, or to reset
 * the session.
 *
 * iosxr: Cisco ASR 9000 Routing Configuration Guide (IOS XR 5.3.x) and
 *   NCS 6000 guide (6.4.x), "Implementing BGP Flowspec": match tuples
 *   types 1-12; actions traffic-rate 0x8006 (police / drop), redirect-vrf
 *   0x8008, traffic-marking 0x8009, and "Redirect IP Nexthop" (the 0x0800
 *   form with the next hop; default VRF only). No traffic-action 0x8007,
 *   no packet rate 0x800c, no RFC 7674 IPv4/4-octet-AS redirects listed.
 * junos: Junos "Understanding Flow Routes" (routing-options flow): match
 *   conditions destination, source, protocol, port, destination-port,
 *   source-port, icmp-type, icmp-code, tcp-flags, packet-length, dscp,
 *   fragment (types 1-12); actions accept, discard / rate-limit (0x8006),
 *   sample (0x8007), routing-instance (redirect 0x8008), community. No
 *   marking and no redirect-to-IP in that table. IPv6 (inet6 flow) as in
 *   examples/routers/junos.conf.
 * frr: FRR 8.4 bgpd (doc/user/flowspec.rst, bgpd/bgp_flowspec_util.c):
 *   decodes types 1-13 (flow label for IPv6); installs redirect IP
 *   (draft-ietf-idr-flowspec-redirect-ip-02: the 0x0800 + next-hop form),
 *   redirect VRF (route targets A.B.C.D:U16, U16:U32, U32:U16) and rate
 *   (0: discard). bgp_flowspec_op_decode() fails on an operator with
 *   both < and > set ("can not be < and > at the same time"), which
 *   FRR 8.4 answers with NOTIFICATION 3/9: so != is rewritten.
 *   IPv6 prefix offsets: measured (tests/interop/frr.sh), FRR 8.4 reads
 *   the pre-RFC layout: RFC 8956 §3.8's two examples get NOTIFICATION
 *   3/9 ("Error parsing NLRI"), and source 0:db8:aa00::/40/16 with
 *   next-header 17 is silently misread as db8:aa03:8100::/40 offset 16
 *   without the next header. So no offsets.
 * gobgp: GoBGP 3.10, measured: every component and action (the 50 rules
 *   of tests/interop/gobgp-rules.txt), but IPv6 prefixes in the pre-RFC
 *   8956 layout (length/8 octets from bit 0): it keeps RFC 8956 §3.8's
 *   examples as "unknown" components and misreads 0:db8:aa00::/40/16 +
 *   next-header 17 as db8:aa03:8100::/40/16, with no NOTIFICATION.
 * exabgp: ExaBGP 4.2 (bgp/message/update/nlri/flow.py, IPrefix6 packs
 *   and reads CIDR.size(mask) octets), measured: the whole set but
 *   offsets, whose NLRI it drops without a word.
 * iosxr, junos: no router to measure and no vendor statement that they
 *   implement RFC 8956 offsets: offsets are refused.
 * generic: everything, as is: RFC 8955 and RFC 8956 as written, offsets
 *   included. */
static const struct profile builtins[] = {
	{ .name = "generic" },
	{ .name = "iosxr", .no_components = LACKS_COMPONENTS(COMPONENTS_12),
	  .no_actions = LACKS_ACTIONS(ACT(RATE_BYTES) | ACT(REDIRECT_AS2) |
				      ACT(MARK)),
	  .redirect_ip = PROFILE_RIP_NEXTHOP, .no_ipv6_offset = true },
	{ .name = "junos", .no_components = LACKS_COMPONENTS(COMPONENTS_12),
	  .no_actions = LACKS_ACTIONS(ACT(RATE_BYTES) | ACT(TRAFFIC_ACTION) |
				      ACT(REDIRECT_AS2)),
	  .redirect_ip = PROFILE_RIP_NONE, .no_ipv6_offset = true },
	{ .name = "frr",
	  .no_actions = LACKS_ACTIONS(ACT(RATE_BYTES) | ACTIONS_REDIRECT_VRF),
	  .redirect_ip = PROFILE_RIP_NEXTHOP, .rewrite_not_equal = true,
	  .no_ipv6_offset = true },
	{ .name = "gobgp", .no_ipv6_offset = true },
	{ .name = "exabgp", .no_ipv6_offset = true },
};
#define NBUILTINS (sizeof builtins / sizeof builtins[0])

bool profile_builtin(const char *name, struct profile *out)
{
	for (size_t i = 0; i < NBUILTINS; i++) {
		if (strcmp(builtins[i].name, name) == 0) {
			*out = builtins[i];
			return true;
		}
	}
	return false;
}

void profile_default(struct profile *out)
{
	*out = builtins[0];
}

bool profile_equal(const struct profile *a, const struct profile *b)
{
	return a->no_components == b->no_components &&
	       a->no_actions == b->no_actions &&
	       a->redirect_ip == b->redirect_ip && a->no_ipv6 == b->no_ipv6 &&
	       a->no_ipv6_offset == b->no_ipv6_offset &&
	       a->rewrite_not_equal == b->rewrite_not_equal &&
	       a->max_rules == b->max_rules;
}

const char *profile_name(const struct profile *p)
{
	return p->name[0] ? p->name : builtins[0].name;
}

const char *profile_builtin_names(void)
{
	return "generic, iosxr, junos, frr, gobgp, exabgp";
}

/* ---- names ---- */

bool profile_component_parse(const char *name, uint32_t *bit)
{
	for (unsigned t = 1; t <= FS_TYPE_MAX; t++) {
		if (strcmp(fs_text_component(t), name) == 0) {
			*bit = BIT(t);
			return true;
		}
	}
	return false;
}

static const struct {
	const char *name;
	uint32_t bits;
} action_names[] = {
	{ "rate-limit", ACT(RATE_BYTES) },
	{ "rate-limit-packets", ACT(RATE_PACKETS) },
	{ "traffic-action", ACT(TRAFFIC_ACTION) },
	{ "redirect-as2", ACT(REDIRECT_AS2) },
	{ "redirect-ipv4", ACT(REDIRECT_IP4) },
	{ "redirect-as4", ACT(REDIRECT_AS4) },
	{ "redirect", ACTIONS_REDIRECT_VRF },
	{ "mark", ACT(MARK) },
};

bool profile_action_parse(const char *name, uint32_t *bits)
{
	for (size_t i = 0; i < sizeof action_names / sizeof action_names[0];
	     i++) {
		if (strcmp(action_names[i].name, name) == 0) {
			*bits = action_names[i].bits;
			return true;
		}
	}
	return false;
}

static const char *action_name(unsigned type)
{
	for (size_t i = 0; i < sizeof action_names / sizeof action_names[0];
	     i++)
		if (action_names[i].bits == BIT(type))
			return action_names[i].name;
	return "?";
}

static const char *const rip_names[] = {
	[PROFILE_RIP_ANY] = "any",
	[PROFILE_RIP_NEXTHOP] = "nexthop",
	[PROFILE_RIP_IETF] = "ietf",
	[PROFILE_RIP_NONE] = "none",
};

bool profile_redirect_ip_parse(const char *name,
			       enum profile_redirect_ip *out)
{
	for (unsigned i = 0; i < sizeof rip_names / sizeof rip_names[0]; i++) {
		if (strcmp(rip_names[i], name) == 0) {
			*out = (enum profile_redirect_ip)i;
			return true;
		}
	}
	return false;
}

/* ---- the check ---- */

static bool is_not_equal(const struct fs_op *op)
{
	return (op->bits & (FS_OP_LT | FS_OP_GT)) == (FS_OP_LT | FS_OP_GT);
}

/* Whether component c needs the != rewrite; PROFILE_ERR_NOT_EQUAL when
 * it has a != it cannot take apart: one joined with & to another
 * operator (an OR of ANDs has no OR-only form of that). */
static enum profile_reason check_not_equal(const struct fs_component *c,
					   bool *needs)
{
	*needs = false;
	if (c->kind != FS_KIND_NUMERIC)
		return PROFILE_OK;
	struct reader r = c->ops;
	struct fs_op op, next;
	bool have = fs_op_next(&r, c, &op);
	while (have) {
		bool more = fs_op_next(&r, c, &next);
		if (is_not_equal(&op)) {
			if (op.and || (more && next.and))
				return PROFILE_ERR_NOT_EQUAL;
			*needs = true;
		}
		op = next;
		have = more;
	}
	return PROFILE_OK;
}

/* What the redirect-to-IP action a needs: PROFILE_OK and *convert. */
static enum profile_reason check_redirect_ip(const struct profile *p,
					     const struct fs_rule *rule,
					     const struct fs_action *a,
					     bool *convert)
{
	switch (p->redirect_ip) {
	case PROFILE_RIP_ANY:
		return PROFILE_OK;
	case PROFILE_RIP_NONE:
		return PROFILE_ERR_REDIRECT_IP;
	case PROFILE_RIP_NEXTHOP:
		if (a->type == FS_ACT_REDIRECT_NH)
			return PROFILE_OK;
		/* The next hop must be of the rule's family and free. */
		if (a->ip.family !=
			    (rule->afi == FS_AFI_IPV4 ? ADDR_V4 : ADDR_V6) ||
		    rule->nexthop.family != ADDR_NONE)
			return PROFILE_ERR_REDIRECT_CONVERT;
		*convert = true;
		return PROFILE_OK;
	case PROFILE_RIP_IETF:
		if (a->type == FS_ACT_REDIRECT_IP_IETF)
			return PROFILE_OK;
		if (rule->nexthop.family == ADDR_NONE)
			return PROFILE_ERR_REDIRECT_CONVERT;
		*convert = true;
		return PROFILE_OK;
	}
	return PROFILE_ERR_REDIRECT_IP;
}

struct walk {
	const struct profile *p;
	const struct fs_rule *rule;
	bool rewrite_match, rewrite_actions;
};

static struct profile_result refused(enum profile_reason reason,
				     unsigned detail)
{
	return (struct profile_result){ .verdict = PROFILE_REFUSE,
					.reason = reason, .detail = detail };
}

/* One community (8 or 20 octets) of the rule. */
static struct profile_result check_action(struct walk *w, const uint8_t *raw,
					  unsigned len)
{
	struct fs_action a;
	fs_action_decode(&a, raw, len);
	if (a.type == FS_ACT_OTHER)
		return (struct profile_result){ 0 };
	if (a.type == FS_ACT_REDIRECT_NH || a.type == FS_ACT_REDIRECT_IP_IETF) {
		bool convert = false;
		enum profile_reason why =
			check_redirect_ip(w->p, w->rule, &a, &convert);
		if (why)
			return refused(why, a.type);
		w->rewrite_actions |= convert;
		return (struct profile_result){ 0 };
	}
	if (w->p->no_actions & BIT(a.type))
		return refused(PROFILE_ERR_ACTION, a.type);
	return (struct profile_result){ 0 };
}

static struct profile_result check(struct walk *w)
{
	const struct fs_rule *rule = w->rule;
	if (rule->afi == FS_AFI_IPV6 && w->p->no_ipv6)
		return refused(PROFILE_ERR_IPV6, 0);
	struct fs_iter it;
	struct fs_component c;
	fs_iter_init(&it, rule->afi, rule->match.data, rule->match.len);
	while (fs_iter_next(&it, &c)) {
		if (w->p->no_components & BIT(c.type))
			return refused(PROFILE_ERR_COMPONENT, c.type);
		if (w->p->no_ipv6_offset && c.kind == FS_KIND_PREFIX &&
		    c.offset) {
			struct profile_result r =
				refused(PROFILE_ERR_OFFSET, c.type);
			r.offset = c.offset;
			return r;
		}
		if (!w->p->rewrite_not_equal)
			continue;
		bool needs;
		enum profile_reason why = check_not_equal(&c, &needs);
		if (why)
			return refused(why, c.type);
		w->rewrite_match |= needs;
	}
	for (size_t off = 0; off + EXT_COMMUNITY_LEN <= rule->ext.len;
	     off += EXT_COMMUNITY_LEN) {
		struct profile_result r = check_action(
			w, rule->ext.data + off, EXT_COMMUNITY_LEN);
		if (r.verdict == PROFILE_REFUSE)
			return r;
	}
	for (size_t off = 0; off + EXT6_COMMUNITY_LEN <= rule->ext6.len;
	     off += EXT6_COMMUNITY_LEN) {
		struct profile_result r = check_action(
			w, rule->ext6.data + off, EXT6_COMMUNITY_LEN);
		if (r.verdict == PROFILE_REFUSE)
			return r;
	}
	bool rw = w->rewrite_match || w->rewrite_actions;
	return (struct profile_result){ .verdict = rw ? PROFILE_REWRITE
						      : PROFILE_SEND };
}

/* ---- the rewrites ---- */

/* Appends c with each != as two OR-ed operators (<N, >N) and each
 * "true" as >=0; check_not_equal() found none joined with &. */
static void put_rewritten(struct writer *w, const struct fs_component *c)
{
	put_u8(w, (uint8_t)c->type);
	struct reader r = c->ops;
	struct fs_op op;
	bool have = fs_op_next(&r, c, &op);
	while (have) {
		struct fs_op out[2];
		size_t n = 0;
		if (!is_not_equal(&op))
			out[n++] = op;
		else if (op.bits & FS_OP_EQ)
			out[n++] = (struct fs_op){ .bits = FS_OP_GT |
							   FS_OP_EQ };
		else {
			out[n++] = (struct fs_op){ .bits = FS_OP_LT,
						   .value = op.value };
			out[n++] = (struct fs_op){ .bits = FS_OP_GT,
						   .value = op.value };
		}
		/* Read ahead, so the last operator written gets END. */
		have = fs_op_next(&r, c, &op);
		for (size_t i = 0; i < n; i++)
			fs_put_op(w, out[i].and, !have && i + 1 == n,
				  out[i].bits, out[i].value);
	}
}

static void rewrite_match(const struct fs_rule *rule, struct writer *w)
{
	struct fs_iter it;
	struct fs_component c;
	fs_iter_init(&it, rule->afi, rule->match.data, rule->match.len);
	while (fs_iter_next(&it, &c)) {
		bool needs = false;
		check_not_equal(&c, &needs);
		if (needs)
			put_rewritten(w, &c);
		else
			put_bytes(w, c.wire, c.wire_len);
	}
}

/* Re-adds the communities of src (len octets each) to out, the
 * redirect-to-IP one in the form p wants. */
static void rewrite_actions(const struct profile *p, const struct fs_rule *in,
			    const struct writer *src, unsigned len,
			    struct fs_rule *out)
{
	for (size_t off = 0; off + len <= src->len; off += len) {
		struct fs_action a;
		fs_action_decode(&a, src->data + off, len);
		if (a.type == FS_ACT_REDIRECT_NH &&
		    p->redirect_ip == PROFILE_RIP_IETF) {
			/* draft-ietf-idr-flowspec-redirect-ip: the address
			 * goes into the community, not the next hop. */
			a.type = FS_ACT_REDIRECT_IP_IETF;
			a.ip = in->nexthop;
			out->nexthop.family = ADDR_NONE;
		} else if (a.type == FS_ACT_REDIRECT_IP_IETF &&
			   p->redirect_ip == PROFILE_RIP_NEXTHOP) {
			a.type = FS_ACT_REDIRECT_NH;
			out->nexthop = a.ip;
		} else {
			if (len == EXT_COMMUNITY_LEN)
				put_bytes(&out->ext, src->data + off, len);
			else
				put_bytes(&out->ext6, src->data + off, len);
			continue;
		}
		fs_rule_add_action(out, &a);
	}
}

struct profile_result profile_apply(const struct profile *p,
				    const struct fs_rule *rule,
				    struct fs_rule *out)
{
	/* Generic: nothing to look at (the common case, kept cheap). */
	if (!p->no_components && !p->no_actions && !p->no_ipv6 &&
	    !p->no_ipv6_offset && p->redirect_ip == PROFILE_RIP_ANY &&
	    !p->rewrite_not_equal)
		return (struct profile_result){ .verdict = PROFILE_SEND };
	struct walk w = { .p = p, .rule = rule };
	struct profile_result res = check(&w);
	if (res.verdict != PROFILE_REWRITE)
		return res;
	fs_rule_init(out, rule->afi);
	out->nexthop = rule->nexthop;
	put_bytes(&out->comm, rule->comm.data, rule->comm.len);
	if (w.rewrite_match)
		rewrite_match(rule, &out->match);
	else
		put_bytes(&out->match, rule->match.data, rule->match.len);
	if (w.rewrite_actions) {
		rewrite_actions(p, rule, &rule->ext, EXT_COMMUNITY_LEN, out);
		rewrite_actions(p, rule, &rule->ext6, EXT6_COMMUNITY_LEN, out);
	} else {
		put_bytes(&out->ext, rule->ext.data, rule->ext.len);
		put_bytes(&out->ext6, rule->ext6.data, rule->ext6.len);
	}
	fs_rule_normalize(out);
	enum profile_reason why = PROFILE_OK;
	if (out->match.len > FS_NLRI_MAX)
		why = PROFILE_ERR_TOO_LONG;
	else if (!fs_rule_ok(out))
		why = PROFILE_ERR_NOMEM;
	if (why) {
		fs_rule_clear(out);
		return refused(why, 0);
	}
	return res;
}

void profile_reason_format(const struct profile *p,
			   const struct profile_result *r, char *buf,
			   size_t len)
{
	const char *name = profile_name(p);
	const char *comp = "?";
	if (fs_text_component(r->detail))
		comp = fs_text_component(r->detail);
	switch (r->reason) {
	case PROFILE_OK:
		snprintf(buf, len, "profile %s: %s", name,
			 r->verdict == PROFILE_REWRITE ? "rewritten" : "sent");
		return;
	case PROFILE_ERR_IPV6:
		snprintf(buf, len, "profile %s: IPv6 Flowspec not carried",
			 name);
		return;
	case PROFILE_ERR_COMPONENT:
		snprintf(buf, len, "profile %s: component %s not carried",
			 name, comp);
		return;
	case PROFILE_ERR_OFFSET:
		snprintf(buf, len, "profile %s: %s prefix offset %u: %s reads "
			 "the pre-RFC 8956 IPv6 prefix layout", name, comp,
			 r->offset, name);
		return;
	case PROFILE_ERR_ACTION:
		snprintf(buf, len, "profile %s: action %s not carried", name,
			 action_name(r->detail));
		return;
	case PROFILE_ERR_REDIRECT_IP:
		snprintf(buf, len, "profile %s: redirect-to-IP not carried",
			 name);
		return;
	case PROFILE_ERR_REDIRECT_CONVERT:
		snprintf(buf, len, "profile %s: redirect-to-IP has no %s form "
			 "for this rule", name, rip_names[p->redirect_ip]);
		return;
	case PROFILE_ERR_NOT_EQUAL:
		snprintf(buf, len, "profile %s: %s != joined with & has no "
			 "form without != (the peer cannot take !=)", name,
			 comp);
		return;
	case PROFILE_ERR_TOO_LONG:
		snprintf(buf, len, "profile %s: rewritten rule longer than "
			 "%d octets", name, FS_NLRI_MAX);
		return;
	case PROFILE_ERR_REWRITE_CLASH:
		snprintf(buf, len, "profile %s: the same NLRI as another "
			 "rule once rewritten", name);
		return;
	case PROFILE_ERR_NOMEM:
		snprintf(buf, len, "profile %s: out of memory", name);
		return;
	}
	snprintf(buf, len, "profile %s: refused", name);
}
