/* The policy file loader: JSON into struct policy_file, every error
 * placed through bgpd/loader.h. See policy.h for the keys. */
#include "bgpd/policy/policy.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bgpd/config.h"
#include "lib/lpm.h"
#include "nlri/flowspec.h"
#include "nlri/text.h"

#define N_OF(a) (sizeof(a) / sizeof((a)[0]))
#define NAME_MAX_LEN 64
#define PORT_MAX 65535

static const char *const metric_names[] = {
	[POLICY_BPS] = "bps", [POLICY_PPS] = "pps", [POLICY_FLOWS] = "flows",
};

const char *policy_metric_name(enum policy_metric m)
{
	return metric_names[m];
}

/* rule.match names: the rule text's component names. */
static const struct {
	const char *name;
	enum policy_rule_part part;
} rule_parts[] = {
	{ "destination", POLICY_RULE_DESTINATION },
	{ "source", POLICY_RULE_SOURCE },
	{ "protocol", POLICY_RULE_PROTOCOL },
	{ "destination-port", POLICY_RULE_DST_PORT },
	{ "source-port", POLICY_RULE_SRC_PORT },
	{ "packet-length", POLICY_RULE_PKT_LEN },
	{ "tcp-flags", POLICY_RULE_TCP_FLAGS },
	{ "fragment", POLICY_RULE_FRAGMENT },
};

/* What the loader fills, with the config for never_filter and neighbors. */
struct pload {
	struct loader *ld;
	struct policy_file *pf;
	const struct config *cfg;
};

/* ---- small values ----------------------------------------------------- */

/* A rate: a number > 0, or a string "2G", "500M", "100k", "1.5T" (SI). */
static bool want_rate(struct loader *ld, const json_t *v, double *out)
{
	double r = 0;
	if (json_is_number(v)) {
		r = json_number_value(v);
	} else if (json_is_string(v)) {
		const char *s = json_string_value(v);
		char *end = NULL;
		r = strtod(s, &end);
		if (end == s) {
			ld_error(ld, "'%s' is not a rate (a number with an "
				 "optional k, M, G or T)", s);
			return false;
		}
		static const char suffix[] = "kMGT";
		const char *at = *end ? strchr(suffix, *end) : NULL;
		if (*end && (!at || end[1])) {
			ld_error(ld, "'%s': unknown suffix '%s' (k, M, G or T)",
				 s, end);
			return false;
		}
		for (const char *p = suffix; at && p <= at; p++)
			r *= 1000;
	} else {
		ld_error(ld, "must be a number or a string such as \"2G\", "
			 "not %s", ld_type_name(v));
		return false;
	}
	if (!(r > 0) || !isfinite(r)) {
		ld_error(ld, "must be more than 0");
		return false;
	}
	*out = r;
	return true;
}

static void want_seconds(struct loader *ld, const json_t *v, uint64_t min,
			 int64_t *out)
{
	uint64_t s;
	if (ld_want_uint(ld, v, min, UINT32_MAX, &s))
		*out = (int64_t)s;
}

/* A name: 1..64 characters. */
static const char *want_name(struct loader *ld, const json_t *v)
{
	return ld_want_string(ld, v, NAME_MAX_LEN);
}

/* Parses "flow route { match { destination 0.0.0.0/0; COMPONENT VALUES; }
 * then { THEN } }" to check values or an action with the rule parser;
 * rule gets the result. False with the parser's message reported. */
static bool parse_probe(struct loader *ld, const char *component,
			const char *values, const char *then,
			struct fs_rule *rule)
{
	char text[1024];
	int n = snprintf(text, sizeof text,
			 "flow route { match { destination 0.0.0.0/0; %s %s%s "
			 "} then { %s%s } }", component ? component : "",
			 values ? values : "", component ? ";" : "",
			 then ? then : "discard",
			 then && then[strlen(then) - 1] == ';' ? "" : ";");
	if (n < 0 || (size_t)n >= sizeof text) {
		ld_error(ld, "too long");
		return false;
	}
	struct fs_text_error err;
	size_t end;
	if (!fs_text_parse(rule, text, &end, &err)) {
		ld_error(ld, "%s", err.msg);
		return false;
	}
	if (end != (size_t)n) {
		/* "discard; } } …": text that closes the rule early. */
		ld_error(ld, "unexpected text after the %s",
			 component ? "value" : "action");
		fs_rule_clear(rule);
		return false;
	}
	return true;
}

/* The operators of the one component of type in rule (after the
 * destination); n gets how many, at most max. */
static unsigned probe_ops(const struct fs_rule *rule, enum fs_type type,
			  struct fs_op *ops, unsigned max)
{
	struct fs_iter it;
	struct fs_component c;
	unsigned n = 0;
	fs_iter_init(&it, rule->afi, rule->match.data, rule->match.len);
	while (fs_iter_next(&it, &c)) {
		if (c.type != type)
			continue;
		struct reader r = c.ops;
		struct fs_op op;
		while (n < max && fs_op_next(&r, &c, &op))
			ops[n++] = op;
	}
	return n;
}

/* ---- policy match ----------------------------------------------------- */

struct pmatch {
	struct loader *ld;
	struct policy_match *m;
};

/* One protocol: a number or a name the rule text knows ("tcp"). */
static bool want_protocol(struct loader *ld, const json_t *v, unsigned *p)
{
	uint64_t u;
	if (json_is_integer(v)) {
		if (!ld_want_uint(ld, v, 0, 255, &u))
			return false;
		*p = (unsigned)u;
		return true;
	}
	const char *s = ld_want_string(ld, v, 32);
	if (!s)
		return false;
	struct fs_rule rule;
	if (!parse_probe(ld, "protocol", s, NULL, &rule))
		return false;
	struct fs_op op;
	bool one = probe_ops(&rule, FS_TYPE_IP_PROTO, &op, 1) == 1 &&
		   op.bits == FS_OP_EQ;
	fs_rule_clear(&rule);
	if (!one) {
		ld_error(ld, "'%s' is not one protocol", s);
		return false;
	}
	*p = (unsigned)op.value;
	return true;
}

static void m_protocol(struct loader *ld, json_t *v, void *t)
{
	struct policy_match *m = ((struct pmatch *)t)->m;
	unsigned p;
	if (!json_is_array(v)) {
		if (want_protocol(ld, v, &p))
			m->protos[p / 64] |= 1ull << (p % 64);
		return;
	}
	size_t i;
	json_t *e;
	json_array_foreach(v, i, e) {
		ld_push_index(ld, i);
		if (want_protocol(ld, e, &p))
			m->protos[p / 64] |= 1ull << (p % 64);
		ld_pop(ld);
	}
}

/* A port or a list of ports into ports[]. */
static void want_ports(struct loader *ld, const json_t *v, uint16_t *ports,
		       unsigned *n)
{
	uint64_t p;
	if (!json_is_array(v)) {
		if (ld_want_uint(ld, v, 0, PORT_MAX, &p))
			ports[(*n)++] = (uint16_t)p;
		return;
	}
	if (json_array_size(v) > POLICY_PORTS_MAX) {
		ld_error(ld, "more than %d ports", POLICY_PORTS_MAX);
		return;
	}
	size_t i;
	json_t *e;
	json_array_foreach(v, i, e) {
		ld_push_index(ld, i);
		if (ld_want_uint(ld, e, 0, PORT_MAX, &p))
			ports[(*n)++] = (uint16_t)p;
		ld_pop(ld);
	}
}

static void m_dport(struct loader *ld, json_t *v, void *t)
{
	struct policy_match *m = ((struct pmatch *)t)->m;
	want_ports(ld, v, m->dports, &m->n_dports);
}

static void m_sport(struct loader *ld, json_t *v, void *t)
{
	struct policy_match *m = ((struct pmatch *)t)->m;
	want_ports(ld, v, m->sports, &m->n_sports);
}

/* "syn&!ack": flags that must be seen, and with '!' flags that must not. */
static void m_tcp_flags(struct loader *ld, json_t *v, void *t)
{
	struct policy_match *m = ((struct pmatch *)t)->m;
	const char *s = ld_want_string(ld, v, 64);
	struct fs_rule rule;
	if (!s || !parse_probe(ld, "tcp-flags", s, NULL, &rule))
		return;
	struct fs_op ops[8];
	unsigned n = probe_ops(&rule, FS_TYPE_TCP_FLAGS, ops, 8);
	fs_rule_clear(&rule);
	for (unsigned i = 1; i < n; i++) {
		if (!ops[i].and) {
			ld_error(ld, "'%s': one set of flags joined with '&' "
				 "(no list)", s);
			return;
		}
	}
	for (unsigned i = 0; i < n; i++) {
		if (ops[i].bits & FS_OP_NOT)
			m->flags_unset |= (uint8_t)ops[i].value;
		else
			m->flags_set |= (uint8_t)ops[i].value;
	}
}

/* "64-128" or a single length. */
static void m_packet_length(struct loader *ld, json_t *v, void *t)
{
	struct policy_match *m = ((struct pmatch *)t)->m;
	uint64_t one;
	if (json_is_integer(v)) {
		if (ld_want_uint(ld, v, 1, PORT_MAX, &one))
			m->len_min = m->len_max = (uint16_t)one;
		return;
	}
	const char *s = ld_want_string(ld, v, 32);
	unsigned lo, hi;
	char end;
	if (!s)
		return;
	if (sscanf(s, "%u-%u%c", &lo, &hi, &end) != 2 || lo < 1 || lo > hi ||
	    hi > PORT_MAX) {
		ld_error(ld, "'%s' is not a length range LOW-HIGH "
			 "(1..65535)", s);
		return;
	}
	m->len_min = (uint16_t)lo;
	m->len_max = (uint16_t)hi;
}

static void m_fragment(struct loader *ld, json_t *v, void *t)
{
	struct policy_match *m = ((struct pmatch *)t)->m;
	bool b;
	if (ld_want_bool(ld, v, &b))
		m->fragment = b;
}

static void m_source(struct loader *ld, json_t *v, void *t)
{
	struct policy_match *m = ((struct pmatch *)t)->m;
	ld_want_prefixes(ld, v, &m->sources, &m->n_sources);
}

static const struct ld_key match_keys[] = {
	{ "protocol", false, m_protocol },
	{ "destination_port", false, m_dport },
	{ "source_port", false, m_sport },
	{ "tcp_flags", false, m_tcp_flags },
	{ "packet_length", false, m_packet_length },
	{ "fragment", false, m_fragment },
	{ "source", false, m_source },
};

/* ---- lifetimes (networks, defaults, policies) -------------------------- */

static void l_ban(struct loader *ld, json_t *v, void *t)
{
	want_seconds(ld, v, 1, &((struct policy_lifetimes *)t)->ban_s);
}

static void l_clear(struct loader *ld, json_t *v, void *t)
{
	want_seconds(ld, v, 0, &((struct policy_lifetimes *)t)->clear_s);
}

static void l_max(struct loader *ld, json_t *v, void *t)
{
	want_seconds(ld, v, 1, &((struct policy_lifetimes *)t)->max_s);
}

static const struct ld_key defaults_keys[] = {
	{ "ban_time", false, l_ban },
	{ "clear_time", false, l_clear },
	{ "max_lifetime", false, l_max },
};

/* ban_time past max_lifetime, when both are given at one level. */
static void check_lifetimes(struct loader *ld,
			    const struct policy_lifetimes *l)
{
	if (l->ban_s >= 0 && l->max_s >= 0 && l->ban_s > l->max_s) {
		ld_push_key(ld, "ban_time");
		ld_error(ld, "%lld is longer than max_lifetime (%lld)",
			 (long long)l->ban_s, (long long)l->max_s);
		ld_pop(ld);
	}
}

/* ---- networks ---------------------------------------------------------- */

static int network_index(const struct policy_file *pf, const char *name)
{
	for (size_t i = 0; i < pf->n_networks; i++)
		if (strcmp(pf->networks[i].name, name) == 0)
			return (int)i;
	return -1;
}

struct pnet {
	struct pload *pl;
	struct policy_network *net;
};

static void n_prefixes(struct loader *ld, json_t *v, void *t)
{
	struct policy_network *net = ((struct pnet *)t)->net;
	ld_want_prefixes(ld, v, &net->prefixes, &net->n_prefixes);
	if (json_is_array(v) && json_array_size(v) == 0)
		ld_error(ld, "must hold at least one prefix");
}

static void n_parent(struct loader *ld, json_t *v, void *t)
{
	struct pnet *pn = t;
	const char *s = want_name(ld, v);
	if (!s)
		return;
	int p = network_index(pn->pl->pf, s);
	if (p < 0)
		ld_error(ld, "no network '%s'", s);
	else if (&pn->pl->pf->networks[p] == pn->net)
		ld_error(ld, "a network cannot be its own parent");
	else
		pn->net->parent = p;
}

static void n_life(struct loader *ld, json_t *v, void *t, size_t which)
{
	defaults_keys[which].parse(ld, v, &((struct pnet *)t)->net->life);
}

static void n_ban(struct loader *ld, json_t *v, void *t)
{
	n_life(ld, v, t, 0);
}

static void n_clear(struct loader *ld, json_t *v, void *t)
{
	n_life(ld, v, t, 1);
}

static void n_max(struct loader *ld, json_t *v, void *t)
{
	n_life(ld, v, t, 2);
}

static const struct ld_key network_keys[] = {
	{ "prefixes", true, n_prefixes },
	{ "parent", false, n_parent },
	{ "ban_time", false, n_ban },
	{ "clear_time", false, n_clear },
	{ "max_lifetime", false, n_max },
};

/* Names first (parents may be named before they are defined), then each
 * network's keys; then parent cycles. */
static void top_networks(struct loader *ld, json_t *v, void *t)
{
	struct pload *pl = t;
	struct policy_file *pf = pl->pf;
	if (!json_is_object(v)) {
		ld_error(ld, "must be an object of named networks, not %s",
			 ld_type_name(v));
		return;
	}
	size_t n = json_object_size(v);
	if (n == 0)
		return;
	pf->networks = calloc(n, sizeof *pf->networks);
	if (!pf->networks) {
		ld->oom = true;
		return;
	}
	const char *name;
	json_t *nv;
	json_object_foreach(v, name, nv) {
		struct policy_network *net = &pf->networks[pf->n_networks];
		net->parent = -1;
		net->life = (struct policy_lifetimes){ -1, -1, -1 };
		if (!(net->name = strdup(name))) {
			ld->oom = true;
			return;
		}
		pf->n_networks++;
	}
	size_t i = 0;
	json_object_foreach(v, name, nv) {
		ld_push_key(ld, name);
		struct pnet pn = { pl, &pf->networks[i++] };
		if (strlen(name) == 0 || strlen(name) > NAME_MAX_LEN)
			ld_error(ld, "a network name must have 1..%d "
				 "characters", NAME_MAX_LEN);
		if (json_is_object(nv)) {
			ld_parse_object(ld, nv, network_keys,
					N_OF(network_keys), &pn);
			check_lifetimes(ld, &pn.net->life);
		} else {
			ld_error(ld, "must be an object, not %s",
				 ld_type_name(nv));
		}
		ld_pop(ld);
	}
	/* Every network on a loop is reported, then cut off its parent. */
	bool *loop = calloc(pf->n_networks, sizeof *loop);
	if (!loop) {
		ld->oom = true;
		return;
	}
	for (i = 0; i < pf->n_networks; i++) {
		int p = pf->networks[i].parent;
		for (size_t steps = 0; p >= 0 && !loop[i]; steps++) {
			loop[i] = (size_t)p == i;
			if (steps >= pf->n_networks)
				break;	/* a loop further up */
			p = pf->networks[p].parent;
		}
	}
	for (i = 0; i < pf->n_networks; i++) {
		if (!loop[i])
			continue;
		ld_push_key(ld, pf->networks[i].name);
		ld_push_key(ld, "parent");
		ld_error(ld, "parents form a loop");
		ld_pop(ld);
		ld_pop(ld);
		pf->networks[i].parent = -1;
	}
	free(loop);
}

/* ---- policies ---------------------------------------------------------- */

struct ppol {
	struct pload *pl;
	struct policy *p;
	bool has_clear_threshold;
};

static void p_name(struct loader *ld, json_t *v, void *t)
{
	ld_set_string(ld, v, NAME_MAX_LEN, &((struct ppol *)t)->p->name);
}

static void p_networks(struct loader *ld, json_t *v, void *t)
{
	struct ppol *pp = t;
	if (!ld_want_array(ld, v))
		return;
	size_t n = json_array_size(v);
	if (n == 0) {
		ld_error(ld, "must name at least one network");
		return;
	}
	pp->p->networks = calloc(n, sizeof *pp->p->networks);
	if (!pp->p->networks) {
		ld->oom = true;
		return;
	}
	size_t i;
	json_t *e;
	json_array_foreach(v, i, e) {
		ld_push_index(ld, i);
		const char *s = want_name(ld, e);
		int net = s ? network_index(pp->pl->pf, s) : -1;
		if (s && net < 0)
			ld_error(ld, "no network '%s'", s);
		else if (s)
			pp->p->networks[pp->p->n_networks++] = (size_t)net;
		ld_pop(ld);
	}
}

static void p_match(struct loader *ld, json_t *v, void *t)
{
	struct pmatch pm = { ld, &((struct ppol *)t)->p->match };
	if (!json_is_object(v)) {
		ld_error(ld, "must be an object, not %s", ld_type_name(v));
		return;
	}
	ld_parse_object(ld, v, match_keys, N_OF(match_keys), &pm);
}

static void p_metric(struct loader *ld, json_t *v, void *t)
{
	const char *s = ld_want_string(ld, v, 0);
	if (!s)
		return;
	for (size_t i = 0; i < N_OF(metric_names); i++) {
		if (strcmp(s, metric_names[i]) == 0) {
			((struct ppol *)t)->p->metric = (enum policy_metric)i;
			return;
		}
	}
	ld_error(ld, "unknown metric '%s' (bps, pps or flows)", s);
}

static void p_threshold(struct loader *ld, json_t *v, void *t)
{
	want_rate(ld, v, &((struct ppol *)t)->p->threshold);
}

static void p_clear_threshold(struct loader *ld, json_t *v, void *t)
{
	struct ppol *pp = t;
	pp->has_clear_threshold = want_rate(ld, v, &pp->p->clear_threshold);
}

static void p_window(struct loader *ld, json_t *v, void *t)
{
	uint64_t s;
	if (ld_want_uint(ld, v, 1, POLICY_WINDOW_MAX_S, &s))
		((struct ppol *)t)->p->window_s = (uint32_t)s;
}

static void p_scope(struct loader *ld, json_t *v, void *t)
{
	const char *s = ld_want_string(ld, v, 0);
	if (!s)
		return;
	if (strcmp(s, "host") == 0)
		((struct ppol *)t)->p->scope = POLICY_SCOPE_HOST;
	else if (strcmp(s, "group") == 0)
		((struct ppol *)t)->p->scope = POLICY_SCOPE_GROUP;
	else
		ld_error(ld, "unknown scope '%s' (host or group)", s);
}

static void r_match(struct loader *ld, json_t *v, void *t)
{
	struct policy *p = ((struct ppol *)t)->p;
	if (!ld_want_array(ld, v))
		return;
	size_t i;
	json_t *e;
	json_array_foreach(v, i, e) {
		ld_push_index(ld, i);
		const char *s = ld_want_string(ld, e, 0);
		size_t k = 0;
		while (s && k < N_OF(rule_parts) &&
		       strcmp(s, rule_parts[k].name) != 0)
			k++;
		if (s && k == N_OF(rule_parts))
			ld_error(ld, "unknown property '%s' (destination, "
				 "source, protocol, destination-port, "
				 "source-port, packet-length, tcp-flags, "
				 "fragment)", s);
		else if (s && (p->rule_parts & rule_parts[k].part))
			ld_error(ld, "'%s' is listed twice", s);
		else if (s)
			p->rule_parts |= rule_parts[k].part;
		ld_pop(ld);
	}
	if (!(p->rule_parts & POLICY_RULE_DESTINATION))
		ld_error(ld, "must include destination (a rule without it "
			 "would filter every destination)");
}

static void r_then(struct loader *ld, json_t *v, void *t)
{
	struct policy *p = ((struct ppol *)t)->p;
	const char *s = ld_want_string(ld, v, 512);
	struct fs_rule rule;
	if (!s || !parse_probe(ld, NULL, NULL, s, &rule))
		return;
	fs_rule_clear(&rule);
	ld_set_string(ld, v, 512, &p->then);
}

static const struct ld_key rule_keys[] = {
	{ "match", true, r_match },
	{ "then", true, r_then },
};

static void p_rule(struct loader *ld, json_t *v, void *t)
{
	if (!json_is_object(v)) {
		ld_error(ld, "must be an object, not %s", ld_type_name(v));
		return;
	}
	ld_parse_object(ld, v, rule_keys, N_OF(rule_keys), t);
}

static void p_ban(struct loader *ld, json_t *v, void *t)
{
	l_ban(ld, v, &((struct ppol *)t)->p->life);
}

static void p_clear(struct loader *ld, json_t *v, void *t)
{
	l_clear(ld, v, &((struct ppol *)t)->p->life);
}

static void p_max(struct loader *ld, json_t *v, void *t)
{
	l_max(ld, v, &((struct ppol *)t)->p->life);
}

static void p_dry_run(struct loader *ld, json_t *v, void *t)
{
	ld_want_bool(ld, v, &((struct ppol *)t)->p->dry_run);
}

static void p_max_rules(struct loader *ld, json_t *v, void *t)
{
	uint64_t n;
	if (ld_want_uint(ld, v, 0, UINT32_MAX, &n))
		((struct ppol *)t)->p->max_rules = (uint32_t)n;
}

static void p_min_flows(struct loader *ld, json_t *v, void *t)
{
	ld_want_uint(ld, v, 0, UINT32_MAX, &((struct ppol *)t)->p->min_flows);
}

static void p_min_sources(struct loader *ld, json_t *v, void *t)
{
	uint64_t n;
	if (ld_want_uint(ld, v, 0, UINT16_MAX, &n))
		((struct ppol *)t)->p->min_sources = (uint32_t)n;
}

static void p_neighbors(struct loader *ld, json_t *v, void *t)
{
	struct ppol *pp = t;
	struct policy *p = pp->p;
	if (!ld_want_array(ld, v))
		return;
	size_t i;
	json_t *e;
	json_array_foreach(v, i, e) {
		ld_push_index(ld, i);
		struct addr a;
		char buf[ADDR_STRLEN];
		bool ok = ld_want_addr(ld, e, &a), dup = false;
		for (unsigned k = 0; ok && k < p->n_neighbors && !dup; k++)
			dup = memcmp(&p->neighbors[k], &a, sizeof a) == 0;
		if (!ok) {
			/* reported */
		} else if (pp->pl->cfg &&
			   !config_find_neighbor(pp->pl->cfg, &a)) {
			ld_error(ld, "%s is not a configured neighbor",
				 addr_format(&a, buf));
		} else if (dup) {
			ld_error(ld, "%s is listed twice", addr_format(&a, buf));
		} else if (p->n_neighbors == POLICY_NEIGHBORS_MAX) {
			ld_error(ld, "more than %d neighbors",
				 POLICY_NEIGHBORS_MAX);
		} else {
			p->neighbors[p->n_neighbors++] = a;
		}
		ld_pop(ld);
	}
}

static void p_notify(struct loader *ld, json_t *v, void *t)
{
	ld_set_string(ld, v, 0, &((struct ppol *)t)->p->notify);
}

static const struct ld_key policy_keys[] = {
	{ "name", true, p_name },
	{ "networks", true, p_networks },
	{ "match", false, p_match },
	{ "metric", true, p_metric },
	{ "threshold", true, p_threshold },
	{ "clear_threshold", false, p_clear_threshold },
	{ "window", true, p_window },
	{ "scope", false, p_scope },
	{ "rule", true, p_rule },
	{ "ban_time", false, p_ban },
	{ "clear_time", false, p_clear },
	{ "max_lifetime", false, p_max },
	{ "dry_run", false, p_dry_run },
	{ "max_rules", false, p_max_rules },
	{ "min_flows", false, p_min_flows },
	{ "min_sources", false, p_min_sources },
	{ "neighbors", false, p_neighbors },
	{ "notify", false, p_notify },
};

static void policy_clear(struct policy *p)
{
	free(p->name);
	free(p->networks);
	free(p->match.sources);
	free(p->then);
	free(p->notify);
	memset(p, 0, sizeof *p);
}

/* Parses one policy into p (kept even with errors: the file is refused
 * then, and later policies are still checked against its name). */
static void parse_policy(struct pload *pl, json_t *v, struct policy *p)
{
	struct loader *ld = pl->ld;
	p->match.fragment = -1;
	p->life = (struct policy_lifetimes){ -1, -1, -1 };
	if (!json_is_object(v)) {
		ld_error(ld, "must be an object, not %s", ld_type_name(v));
		return;
	}
	struct ppol pp = { pl, p, false };
	ld_parse_object(ld, v, policy_keys, N_OF(policy_keys), &pp);
	check_lifetimes(ld, &p->life);
	if (!pp.has_clear_threshold) {
		p->clear_threshold = p->threshold;
	} else if (p->threshold > 0 && p->clear_threshold > p->threshold) {
		ld_push_key(ld, "clear_threshold");
		ld_error(ld, "%g is above threshold (%g)", p->clear_threshold,
			 p->threshold);
		ld_pop(ld);
	}
	for (size_t i = 0; p->name && i < (size_t)(p - pl->pf->policies);
	     i++) {
		const char *other = pl->pf->policies[i].name;
		if (other && strcmp(other, p->name) == 0) {
			ld_push_key(ld, "name");
			ld_error(ld, "'%s' is already policies[%zu]", p->name,
				 i);
			ld_pop(ld);
			break;
		}
	}
}

static void top_policies(struct loader *ld, json_t *v, void *t)
{
	struct pload *pl = t;
	struct policy_file *pf = pl->pf;
	if (!ld_want_array(ld, v))
		return;
	size_t n = json_array_size(v);
	if (n == 0)
		return;
	pf->policies = calloc(n, sizeof *pf->policies);
	if (!pf->policies) {
		ld->oom = true;
		return;
	}
	size_t i;
	json_t *e;
	json_array_foreach(v, i, e) {
		ld_push_index(ld, i);
		parse_policy(pl, e, &pf->policies[pf->n_policies++]);
		ld_pop(ld);
	}
}

/* ---- the other top-level keys ------------------------------------------ */

static void top_never_filter(struct loader *ld, json_t *v, void *t)
{
	struct policy_file *pf = ((struct pload *)t)->pf;
	ld_want_prefixes(ld, v, &pf->never_filter, &pf->n_never_filter);
}

static void top_defaults(struct loader *ld, json_t *v, void *t)
{
	struct policy_file *pf = ((struct pload *)t)->pf;
	if (!json_is_object(v)) {
		ld_error(ld, "must be an object, not %s", ld_type_name(v));
		return;
	}
	ld_parse_object(ld, v, defaults_keys, N_OF(defaults_keys),
			&pf->defaults);
	check_lifetimes(ld, &pf->defaults);
}

static void top_max_rules(struct loader *ld, json_t *v, void *t)
{
	uint64_t n;
	if (ld_want_uint(ld, v, 0, UINT32_MAX, &n))
		((struct pload *)t)->pf->max_rules = (uint32_t)n;
}

static void top_max_tracked(struct loader *ld, json_t *v, void *t)
{
	ld_want_uint(ld, v, 1, UINT32_MAX,
		     &((struct pload *)t)->pf->max_tracked);
}

/* In this order: policies name networks. */
static const struct ld_key top_keys[] = {
	{ "networks", true, top_networks },
	{ "never_filter", false, top_never_filter },
	{ "defaults", false, top_defaults },
	{ "max_rules", false, top_max_rules },
	{ "max_tracked", false, top_max_tracked },
	{ "policies", true, top_policies },
};

/* pf->network_lookup from every network's prefixes, in file order: of
 * two networks with the same prefix, the first holds it. */
static bool build_network_lookup(struct policy_file *pf)
{
	size_t n = 0;
	for (size_t i = 0; i < pf->n_networks; i++)
		n += pf->networks[i].n_prefixes;
	struct lpm_entry *e = malloc(n ? n * sizeof *e : 1);
	if (!e)
		return false;
	n = 0;
	for (size_t i = 0; i < pf->n_networks; i++)
		for (size_t k = 0; k < pf->networks[i].n_prefixes; k++)
			e[n++] = (struct lpm_entry){
				pf->networks[i].prefixes[k], (int)i
			};
	pf->network_lookup = lpm_new(e, n);
	free(e);
	return pf->network_lookup != NULL;
}

/* ---- entry points ------------------------------------------------------ */

void policy_file_free(struct policy_file *pf)
{
	if (!pf)
		return;
	free(pf->path);
	free(pf->text);
	for (size_t i = 0; i < pf->n_networks; i++) {
		free(pf->networks[i].name);
		free(pf->networks[i].prefixes);
	}
	free(pf->networks);
	lpm_free(pf->network_lookup);
	free(pf->never_filter);
	for (size_t i = 0; i < pf->n_policies; i++)
		policy_clear(&pf->policies[i]);
	free(pf->policies);
	free(pf);
}

/* The config's never_filter goes after the file's. */
static bool add_config_never_filter(struct policy_file *pf,
				    const struct config *cfg)
{
	if (!cfg || cfg->n_never_filter == 0)
		return true;
	size_t n = pf->n_never_filter + cfg->n_never_filter;
	struct prefix *l = realloc(pf->never_filter, n * sizeof *l);
	if (!l)
		return false;
	memcpy(l + pf->n_never_filter, cfg->never_filter,
	       cfg->n_never_filter * sizeof *l);
	pf->never_filter = l;
	pf->n_never_filter = n;
	return true;
}

struct policy_file *policy_parse(const char *text, size_t len,
				 const char *name, const struct config *cfg,
				 struct config_errors *errs)
{
	struct loader ld = { .name = name, .text = text, .len = len };
	json_t *root = ld_parse_json(text, len, name, errs);
	if (!root)
		return NULL;
	struct policy_file *pf = calloc(1, sizeof *pf);
	if (!pf || !(pf->path = strdup(name)) ||
	    !(pf->text = malloc(len ? len : 1))) {
		ld.oom = true;
	} else if (!json_is_object(root)) {
		ld_error(&ld, "the policy file must be a JSON object, not %s",
			 ld_type_name(root));
	} else {
		memcpy(pf->text, text, len);
		pf->text_len = len;
		pf->defaults = (struct policy_lifetimes){ -1, -1, -1 };
		pf->max_tracked = POLICY_MAX_TRACKED_DEFAULT;
		struct pload pl = { &ld, pf, cfg };
		ld_parse_object(&ld, root, top_keys, N_OF(top_keys), &pl);
		if (pf->defaults.ban_s < 0)
			pf->defaults.ban_s = POLICY_BAN_DEFAULT_S;
		if (pf->defaults.clear_s < 0)
			pf->defaults.clear_s = POLICY_CLEAR_DEFAULT_S;
		if (pf->defaults.max_s < 0)
			pf->defaults.max_s = POLICY_MAX_LIFETIME_DEFAULT_S;
		if (!add_config_never_filter(pf, cfg))
			ld.oom = true;
		if (ld.nerrs == 0 && !ld.oom && !build_network_lookup(pf))
			ld.oom = true;
	}
	json_decref(root);
	if (ld_flush(&ld, errs, "policy file")) {
		policy_file_free(pf);
		return NULL;
	}
	return pf;
}

bool policy_file_same(const struct policy_file *a,
		      const struct policy_file *b)
{
	if (strcmp(a->path, b->path) != 0 || a->text_len != b->text_len ||
	    memcmp(a->text, b->text, a->text_len) != 0 ||
	    a->n_never_filter != b->n_never_filter)
		return false;
	for (size_t i = 0; i < a->n_never_filter; i++)
		if (!prefix_covers(&a->never_filter[i], &b->never_filter[i]) ||
		    !prefix_covers(&b->never_filter[i], &a->never_filter[i]))
			return false;
	return true;
}

struct policy_file *policy_load(const char *path, const struct config *cfg,
				struct config_errors *errs)
{
	size_t len;
	char *text = ld_read_file(path, POLICY_FILE_MAX, &len, errs);
	if (!text)
		return NULL;
	struct policy_file *pf = policy_parse(text, len, path, cfg, errs);
	free(text);
	return pf;
}

bool policy_check(const char *path, const struct config *cfg,
		  struct config_errors *errs)
{
	struct policy_file *pf = policy_load(path, cfg, errs);
	policy_file_free(pf);
	return pf != NULL;
}

int policy_network_of(const struct policy_file *pf, const struct addr *a)
{
	return lpm_find(pf->network_lookup, a);
}

bool policy_network_within(const struct policy_file *pf, int n, size_t net)
{
	for (size_t steps = 0; n >= 0 && steps <= pf->n_networks; steps++) {
		if ((size_t)n == net)
			return true;
		n = pf->networks[n].parent;
	}
	return false;
}

/* Field f (0 ban, 1 clear, 2 max) of l. */
static int64_t life_field(const struct policy_lifetimes *l, size_t f)
{
	return f == 0 ? l->ban_s : f == 1 ? l->clear_s : l->max_s;
}

/* One lifetime field: policy, nearest network with it, defaults. */
static int64_t resolve(const struct policy_file *pf, const struct policy *p,
		       int n, size_t f)
{
	if (life_field(&p->life, f) >= 0)
		return life_field(&p->life, f);
	for (size_t steps = 0; n >= 0 && steps <= pf->n_networks; steps++) {
		int64_t v = life_field(&pf->networks[n].life, f);
		if (v >= 0)
			return v;
		n = pf->networks[n].parent;
	}
	return life_field(&pf->defaults, f);
}

struct policy_lifetimes policy_lifetimes_of(const struct policy_file *pf,
					    const struct policy *p, int n)
{
	return (struct policy_lifetimes){
		resolve(pf, p, n, 0), resolve(pf, p, n, 1),
		resolve(pf, p, n, 2),
	};
}
