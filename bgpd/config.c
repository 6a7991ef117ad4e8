/* The configuration loader: JSON (jansson) into struct config, with every
 * error collected and placed. See config.h for the keys. */
#include "bgpd/config.h"

#include <ctype.h>
#include <errno.h>
#include <pwd.h>
#include <stdlib.h>
#include <string.h>
#include <sys/un.h>
#include <unistd.h>

#include "bgpd/collector/config.h"
#include "bgpd/control/http.h"
#include "bgpd/policy/policy.h"
#include "bgpd/rib/protect.h"
#include "nlri/flowspec.h"
#include "nlri/text.h"

#define AS_TRANS 23456		/* RFC 6793 §9 */
#define SUN_PATH_MAX (sizeof(((struct sockaddr_un *)0)->sun_path))
#define DESCRIPTION_MAX (sizeof(((struct bgp_peer_config *)0)->description) - 1)

static bool addr_is_zero(const struct addr *a)
{
	for (unsigned i = 0; i < addr_octets(a->family); i++)
		if (a->bytes[i])
			return false;
	return true;
}

/* ---- neighbors -------------------------------------------------------- */

struct neighbor {
	struct bgp_peer_config *pc;
	bool has_address;
	int graceful_restart;	/* -1: not given */
	bool has_restart_time;
	uint16_t restart_time;
};

#define NB(target) ((struct neighbor *)(target))

static void nb_address(struct loader *ld, json_t *v, void *t)
{
	struct addr a;
	if (!ld_want_addr(ld, v, &a))
		return;
	if (addr_is_zero(&a)) {
		ld_error(ld, "must not be the unspecified address");
		return;
	}
	NB(t)->pc->address = a;
	NB(t)->has_address = true;
}

static void nb_remote_as(struct loader *ld, json_t *v, void *t)
{
	uint64_t as;
	if (!ld_want_uint(ld, v, 1, UINT32_MAX, &as))
		return;
	if (as == AS_TRANS) {
		ld_error(ld, "%d is AS_TRANS (RFC 6793), not a real AS", AS_TRANS);
		return;
	}
	NB(t)->pc->remote_as = (uint32_t)as;
}

static void nb_port(struct loader *ld, json_t *v, void *t)
{
	uint64_t port;
	if (ld_want_uint(ld, v, 1, UINT16_MAX, &port))
		NB(t)->pc->port = (uint16_t)port;
}

static void nb_local_address(struct loader *ld, json_t *v, void *t)
{
	ld_want_addr(ld, v, &NB(t)->pc->local_address);
}

static void nb_passive(struct loader *ld, json_t *v, void *t)
{
	ld_want_bool(ld, v, &NB(t)->pc->passive);
}

static void nb_families(struct loader *ld, json_t *v, void *t)
{
	if (!ld_want_array(ld, v))
		return;
	if (json_array_size(v) == 0) {
		ld_error(ld, "must name at least one family");
		return;
	}
	unsigned fams = 0;
	bool ok = true;
	size_t i;
	json_t *f;
	json_array_foreach(v, i, f) {
		ld_push_index(ld, i);
		const char *name = ld_want_string(ld, f, 0);
		enum bgp_family fam;
		if (!name) {
			ok = false;
		} else if (!bgp_family_parse(name, &fam)) {
			ld_error(ld, "unknown family '%s' (ipv4-flowspec, "
				 "ipv6-flowspec, ipv4-unicast, ipv6-unicast)", name);
			ok = false;
		} else {
			fams |= fam;
		}
		ld_pop(ld);
	}
	if (ok)
		NB(t)->pc->families = fams;
}

static void nb_hold_time(struct loader *ld, json_t *v, void *t)
{
	uint64_t h;
	if (!ld_want_uint(ld, v, 0, UINT16_MAX, &h))
		return;
	if (h == 1 || h == 2) {
		/* RFC 4271 §4.2: zero or at least three seconds. */
		ld_error(ld, "%llu is not allowed: 0 or 3..65535 (RFC 4271 §4.2)",
			 (unsigned long long)h);
		return;
	}
	NB(t)->pc->hold_time = (uint16_t)h;
}

static void nb_connect_retry(struct loader *ld, json_t *v, void *t)
{
	uint64_t s;
	if (ld_want_uint(ld, v, 1, UINT16_MAX, &s))
		NB(t)->pc->connect_retry = (uint16_t)s;
}

static void nb_md5_password(struct loader *ld, json_t *v, void *t)
{
	const char *s = ld_want_string(ld, v, CONFIG_MD5_MAX);
	if (s)
		snprintf(NB(t)->pc->md5_password,
			 sizeof NB(t)->pc->md5_password, "%s", s);
}

static void nb_ttl_security(struct loader *ld, json_t *v, void *t)
{
	ld_want_bool(ld, v, &NB(t)->pc->ttl_security);
}

static void nb_description(struct loader *ld, json_t *v, void *t)
{
	const char *s = ld_want_string(ld, v, DESCRIPTION_MAX);
	if (s)
		snprintf(NB(t)->pc->description,
			 sizeof NB(t)->pc->description, "%s", s);
}

static void nb_max_received(struct loader *ld, json_t *v, void *t)
{
	uint64_t n;
	if (ld_want_uint(ld, v, 0, SIZE_MAX < INT64_MAX ? SIZE_MAX : INT64_MAX, &n))
		NB(t)->pc->max_received = (size_t)n;
}

static void nb_max_rules(struct loader *ld, json_t *v, void *t)
{
	uint64_t n;
	if (ld_want_uint(ld, v, 0, SIZE_MAX < INT64_MAX ? SIZE_MAX : INT64_MAX, &n))
		NB(t)->pc->max_rules = (size_t)n;
}

/* profile: a built-in name, or an object (keys below) that starts from
 * "base" (generic when absent) and replaces what it names. */
static void pf_base(struct loader *ld, json_t *v, void *t)
{
	const char *s = ld_want_string(ld, v, 0);
	if (s && !profile_builtin(s, t))
		ld_error(ld, "unknown profile '%s' (%s)", s,
		      profile_builtin_names());
}

/* A list of names: *lacks gets the bits of all outside the list. */
static void pf_names(struct loader *ld, json_t *v, uint32_t all,
		     bool (*parse)(const char *, uint32_t *), const char *what,
		     const char *known, uint32_t *lacks)
{
	if (!ld_want_array(ld, v))
		return;
	uint32_t takes = 0;
	bool ok = true;
	size_t i;
	json_t *e;
	json_array_foreach(v, i, e) {
		ld_push_index(ld, i);
		const char *name = ld_want_string(ld, e, 0);
		uint32_t bits;
		if (!name) {
			ok = false;
		} else if (!parse(name, &bits)) {
			ld_error(ld, "unknown %s '%s' (%s)", what, name, known);
			ok = false;
		} else {
			takes |= bits;
		}
		ld_pop(ld);
	}
	if (ok)
		*lacks = all & ~takes;
}

static void pf_components(struct loader *ld, json_t *v, void *t)
{
	pf_names(ld, v, PROFILE_COMPONENTS_ALL, profile_component_parse,
		 "component", "the names of the rule text: destination, "
		 "destination-port, …",
		 &((struct profile *)t)->no_components);
}

static void pf_actions(struct loader *ld, json_t *v, void *t)
{
	pf_names(ld, v, PROFILE_ACTIONS_ALL, profile_action_parse,
		 "action", "rate-limit, rate-limit-packets, traffic-action, "
		 "redirect, redirect-as2, redirect-ipv4, redirect-as4, mark",
		 &((struct profile *)t)->no_actions);
}

static void pf_redirect_to_ip(struct loader *ld, json_t *v, void *t)
{
	struct profile *p = t;
	const char *s = ld_want_string(ld, v, 0);
	if (s && !profile_redirect_ip_parse(s, &p->redirect_ip))
		ld_error(ld, "unknown redirect-to-IP form '%s' (nexthop: 0x0800 "
		      "with the next hop, ietf: 0x010c, any, none)", s);
}

static void pf_ipv6(struct loader *ld, json_t *v, void *t)
{
	bool on;
	if (ld_want_bool(ld, v, &on))
		((struct profile *)t)->no_ipv6 = !on;
}

static void pf_ipv6_prefix_offset(struct loader *ld, json_t *v, void *t)
{
	bool on;
	if (ld_want_bool(ld, v, &on))
		((struct profile *)t)->no_ipv6_offset = !on;
}

static void pf_rewrite_not_equal(struct loader *ld, json_t *v, void *t)
{
	ld_want_bool(ld, v, &((struct profile *)t)->rewrite_not_equal);
}

static void pf_max_rules(struct loader *ld, json_t *v, void *t)
{
	uint64_t n;
	if (ld_want_uint(ld, v, 0, SIZE_MAX < INT64_MAX ? SIZE_MAX : INT64_MAX, &n))
		((struct profile *)t)->max_rules = (size_t)n;
}

/* In this order: base first, the others change it. */
static const struct ld_key profile_keys[] = {
	{ "base", false, pf_base },
	{ "components", false, pf_components },
	{ "actions", false, pf_actions },
	{ "redirect_to_ip", false, pf_redirect_to_ip },
	{ "ipv6", false, pf_ipv6 },
	{ "ipv6_prefix_offset", false, pf_ipv6_prefix_offset },
	{ "rewrite_not_equal", false, pf_rewrite_not_equal },
	{ "max_rules", false, pf_max_rules },
};

static void nb_profile(struct loader *ld, json_t *v, void *t)
{
	struct profile *p = &NB(t)->pc->profile;
	if (json_is_string(v)) {
		pf_base(ld, v, p);
		return;
	}
	if (!json_is_object(v)) {
		ld_error(ld, "must be a profile name (%s) or an object, not %s",
		      profile_builtin_names(), ld_type_name(v));
		return;
	}
	ld_parse_object(ld, v, profile_keys,
		     sizeof profile_keys / sizeof profile_keys[0], p);
	snprintf(p->name, sizeof p->name, "custom");
}

static void nb_graceful_restart(struct loader *ld, json_t *v, void *t)
{
	bool on;
	if (ld_want_bool(ld, v, &on))
		NB(t)->graceful_restart = on;
}

static void nb_restart_time(struct loader *ld, json_t *v, void *t)
{
	uint64_t s;
	if (!ld_want_uint(ld, v, 1, CONFIG_RESTART_TIME_MAX, &s))
		return;
	NB(t)->has_restart_time = true;
	NB(t)->restart_time = (uint16_t)s;
}

static const struct ld_key neighbor_keys[] = {
	{ "address", true, nb_address },
	{ "remote_as", true, nb_remote_as },
	{ "port", false, nb_port },
	{ "local_address", false, nb_local_address },
	{ "passive", false, nb_passive },
	{ "families", false, nb_families },
	{ "hold_time", false, nb_hold_time },
	{ "connect_retry", false, nb_connect_retry },
	{ "md5_password", false, nb_md5_password },
	{ "ttl_security", false, nb_ttl_security },
	{ "description", false, nb_description },
	{ "max_received", false, nb_max_received },
	{ "max_rules", false, nb_max_rules },
	{ "graceful_restart", false, nb_graceful_restart },
	{ "restart_time", false, nb_restart_time },
	{ "profile", false, nb_profile },
};

static void neighbor_defaults(struct bgp_peer_config *pc)
{
	memset(pc, 0, sizeof *pc);
	pc->port = CONFIG_BGP_PORT;
	pc->families = BGP_FAM_FLOWSPEC;
	pc->hold_time = CONFIG_HOLD_TIME_DEFAULT;
	pc->connect_retry = CONFIG_CONNECT_RETRY_DEFAULT;
	profile_default(&pc->profile);
}

/* Parses one neighbor into pc; false when it has no usable address. */
static bool parse_neighbor(struct loader *ld, json_t *v,
			   struct bgp_peer_config *pc)
{
	neighbor_defaults(pc);
	if (!json_is_object(v)) {
		ld_error(ld, "must be an object, not %s", ld_type_name(v));
		return false;
	}
	struct neighbor nb = { .pc = pc, .graceful_restart = -1 };
	ld_parse_object(ld, v, neighbor_keys,
			sizeof neighbor_keys / sizeof neighbor_keys[0], &nb);

	if (nb.has_address && pc->local_address.family != ADDR_NONE &&
	    pc->local_address.family != pc->address.family) {
		ld_push_key(ld, "local_address");
		ld_error(ld, "must be of the same family as address (IPv%d)",
			 pc->address.family);
		ld_pop(ld);
	}
	/* The neighbor's own max_rules wins over its profile's. */
	if (!pc->max_rules)
		pc->max_rules = pc->profile.max_rules;
	if (nb.graceful_restart == 0 && nb.has_restart_time) {
		ld_push_key(ld, "restart_time");
		ld_error(ld, "given while graceful_restart is false");
		ld_pop(ld);
	} else if (nb.graceful_restart == 1 || nb.has_restart_time) {
		pc->restart_time = nb.has_restart_time
					   ? nb.restart_time
					   : CONFIG_RESTART_TIME_DEFAULT;
	}
	return nb.has_address;
}

static void top_neighbors(struct loader *ld, json_t *v, void *t)
{
	struct config *cfg = t;
	if (!ld_want_array(ld, v))
		return;
	size_t n = json_array_size(v);
	if (n == 0)
		return;
	cfg->neighbors = calloc(n, sizeof *cfg->neighbors);
	if (!cfg->neighbors) {
		ld->oom = true;
		return;
	}
	/* Each neighbor's first index, for the duplicate message. */
	size_t *index = calloc(n, sizeof *index);
	if (!index) {
		ld->oom = true;
		return;
	}
	size_t i;
	json_t *nv;
	json_array_foreach(v, i, nv) {
		ld_push_index(ld, i);
		struct bgp_peer_config *pc = &cfg->neighbors[cfg->n_neighbors];
		bool usable = parse_neighbor(ld, nv, pc);
		const struct bgp_peer_config *dup =
			usable ? config_find_neighbor(cfg, &pc->address) : NULL;
		if (dup) {
			char buf[ADDR_STRLEN];
			ld_push_key(ld, "address");
			ld_error(ld, "%s is already neighbors[%zu]",
				 addr_format(&pc->address, buf),
				 index[dup - cfg->neighbors]);
			ld_pop(ld);
		} else if (usable) {
			index[cfg->n_neighbors++] = i;
		}
		ld_pop(ld);
	}
	free(index);
}

/* ---- static rules ----------------------------------------------------- */

static bool has_target(const struct addr *list, unsigned n,
		       const struct addr *a)
{
	for (unsigned i = 0; i < n; i++)
		if (memcmp(&list[i], a, sizeof *a) == 0)
			return true;
	return false;
}

/* Parses the rule text into sr; errors are placed at the current path. */
static bool static_rule_text(struct loader *ld, const json_t *v,
			     struct config_static_rule *sr)
{
	const char *s = ld_want_string(ld, v, 0);
	if (!s)
		return false;
	struct fs_text_error terr = { 0 };
	size_t end = 0;
	if (!fs_text_parse(&sr->rule, s, &end, &terr)) {
		ld_error(ld, "col %zu: %s", terr.col, terr.msg);
		return false;
	}
	size_t rest = end;
	while (s[rest] == ' ' || s[rest] == '\t' || s[rest] == '\n' ||
	       s[rest] == '\r')
		rest++;
	if (s[rest]) {
		ld_error(ld, "col %zu: unexpected text after the rule", rest + 1);
		fs_rule_clear(&sr->rule);
		return false;
	}
	if (!fs_rule_ok(&sr->rule)) {
		ld_error(ld, "the rule does not fit in memory or in an NLRI");
		fs_rule_clear(&sr->rule);
		return false;
	}
	sr->text = strdup(s);
	if (!sr->text)
		ld->oom = true;
	return true;
}

struct static_target {
	struct loader *ld;
	struct config *cfg;
	struct config_static_rule *sr;
	bool has_rule, ok;
};

static void sr_rule(struct loader *ld, json_t *v, void *t)
{
	struct static_target *st = t;
	st->has_rule = static_rule_text(ld, v, st->sr);
	st->ok = st->ok && st->has_rule;
}

static void sr_neighbors(struct loader *ld, json_t *v, void *t)
{
	struct static_target *st = t;
	if (!ld_want_array(ld, v)) {
		st->ok = false;
		return;
	}
	size_t i;
	json_t *a;
	size_t n = json_array_size(v);
	if (n && !st->sr->targets) {
		n = n < CONFIG_STATIC_TARGETS_MAX ? n : CONFIG_STATIC_TARGETS_MAX;
		st->sr->targets = calloc(n, sizeof *st->sr->targets);
		if (!st->sr->targets) {
			ld->oom = true;
			return;
		}
	}
	json_array_foreach(v, i, a) {
		ld_push_index(ld, i);
		struct addr addr;
		char buf[ADDR_STRLEN];
		if (!ld_want_addr(ld, a, &addr)) {
			st->ok = false;
		} else if (!config_find_neighbor(st->cfg, &addr)) {
			ld_error(ld, "%s is not a configured neighbor",
				 addr_format(&addr, buf));
			st->ok = false;
		} else if (has_target(st->sr->targets, st->sr->ntargets,
				      &addr)) {
			ld_error(ld, "%s is listed twice", addr_format(&addr, buf));
			st->ok = false;
		} else if (st->sr->ntargets == CONFIG_STATIC_TARGETS_MAX) {
			ld_error(ld, "more than %d neighbors",
				 CONFIG_STATIC_TARGETS_MAX);
			st->ok = false;
		} else {
			st->sr->targets[st->sr->ntargets++] = addr;
		}
		ld_pop(ld);
	}
}

static void sr_comment(struct loader *ld, json_t *v, void *t)
{
	struct static_target *st = t;
	ld_set_string(ld, v, 0, &st->sr->comment);
}

static const struct ld_key static_rule_keys[] = {
	{ "rule", true, sr_rule },
	{ "neighbors", false, sr_neighbors },
	{ "comment", false, sr_comment },
};

static void static_rule_free(struct config_static_rule *sr)
{
	fs_rule_clear(&sr->rule);
	free(sr->text);
	free(sr->targets);
	free(sr->comment);
	memset(sr, 0, sizeof *sr);
}

/* Three-way compare of the matches as octets: 0 exactly when fs_cmp is
 * 0 (RFC 8955 §5.1 orders equal types by their octets), and cheaper. */
static int match_octets_cmp(const struct fs_rule *a, const struct fs_rule *b)
{
	if (a->afi != b->afi)
		return a->afi < b->afi ? -1 : 1;
	if (a->match.len != b->match.len)
		return a->match.len < b->match.len ? -1 : 1;
	return a->match.len ? memcmp(a->match.data, b->match.data,
				     a->match.len)
			    : 0;
}

/* By AFI and match octets, then place in the array (file order). */
static int static_rule_cmp(const void *x, const void *y)
{
	const struct config_static_rule *a =
		*(const struct config_static_rule *const *)x;
	const struct config_static_rule *b =
		*(const struct config_static_rule *const *)y;
	int cmp = match_octets_cmp(&a->rule, &b->rule);
	if (cmp)
		return cmp;
	return (a > b) - (a < b);
}

/* Reports every static rule whose match an earlier one already has ("same
 * match as static_rules[I]", I the first one's index in the file, index[]
 * giving each kept rule's) and drops it from cfg, keeping file order.
 * Sorting makes it O(n log n): equal matches end up next to each other,
 * the first in the file first. The errors go out in file order. */
static void drop_duplicate_rules(struct loader *ld, struct config *cfg,
				 size_t *index)
{
	size_t n = cfg->n_static_rules;
	if (n < 2)
		return;
	struct config_static_rule **by_match = malloc(n * sizeof *by_match);
	size_t *first = malloc(n * sizeof *first);	/* SIZE_MAX: none */
	if (!by_match || !first) {
		free(by_match);
		free(first);
		ld->oom = true;
		return;
	}
	for (size_t i = 0; i < n; i++) {
		by_match[i] = &cfg->static_rules[i];
		first[i] = SIZE_MAX;
	}
	qsort(by_match, n, sizeof *by_match, static_rule_cmp);
	size_t run = 0;		/* the first of the run of equal matches */
	for (size_t i = 1; i < n; i++) {
		if (match_octets_cmp(&by_match[run]->rule,
				     &by_match[i]->rule) != 0)
			run = i;
		else
			first[by_match[i] - cfg->static_rules] =
				(size_t)(by_match[run] - cfg->static_rules);
	}
	free(by_match);
	for (size_t i = 0; i < n; i++) {
		if (first[i] == SIZE_MAX)
			continue;
		ld_push_index(ld, index[i]);
		ld_error(ld, "same match as static_rules[%zu]", index[first[i]]);
		ld_pop(ld);
	}
	size_t kept = 0;
	for (size_t i = 0; i < n; i++) {
		if (first[i] != SIZE_MAX) {
			static_rule_free(&cfg->static_rules[i]);
			continue;
		}
		if (kept != i) {
			cfg->static_rules[kept] = cfg->static_rules[i];
			index[kept] = index[i];
		}
		kept++;
	}
	memset(&cfg->static_rules[kept], 0,
	       (n - kept) * sizeof *cfg->static_rules);
	cfg->n_static_rules = kept;
	free(first);
}

static void top_static_rules(struct loader *ld, json_t *v, void *t)
{
	struct config *cfg = t;
	if (!ld_want_array(ld, v))
		return;
	size_t n = json_array_size(v);
	if (n == 0)
		return;
	cfg->static_rules = calloc(n, sizeof *cfg->static_rules);
	size_t *index = calloc(n, sizeof *index);
	if (!cfg->static_rules || !index) {
		free(index);
		ld->oom = true;
		return;
	}
	size_t i;
	json_t *rv;
	json_array_foreach(v, i, rv) {
		ld_push_index(ld, i);
		struct config_static_rule *sr =
			&cfg->static_rules[cfg->n_static_rules];
		memset(sr, 0, sizeof *sr);
		bool ok, have_rule;
		if (json_is_object(rv)) {
			struct static_target st = { ld, cfg, sr, false, true };
			ld_parse_object(ld, rv, static_rule_keys,
					sizeof static_rule_keys /
					     sizeof static_rule_keys[0], &st);
			have_rule = st.has_rule;
			ok = st.ok && st.has_rule;
		} else if (json_is_string(rv)) {
			ok = have_rule = static_rule_text(ld, rv, sr);
		} else {
			ld_error(ld, "must be a rule string or an object, not %s",
				 ld_type_name(rv));
			ok = have_rule = false;
		}
		if (ok) {
			index[cfg->n_static_rules++] = i;
		} else {
			if (have_rule)
				fs_rule_clear(&sr->rule);
			free(sr->text);
			free(sr->targets);
			free(sr->comment);
			memset(sr, 0, sizeof *sr);
		}
		ld_pop(ld);
	}
	drop_duplicate_rules(ld, cfg, index);
	free(index);
}

/* ---- the other top-level keys ----------------------------------------- */

static void top_router_id(struct loader *ld, json_t *v, void *t)
{
	struct config *cfg = t;
	struct addr a;
	if (!ld_want_addr(ld, v, &a))
		return;
	if (a.family != ADDR_V4)
		ld_error(ld, "must be an IPv4 address (RFC 4271 §4.2)");
	else if (addr_is_zero(&a))
		ld_error(ld, "must not be 0.0.0.0 (RFC 6286 §2.1)");
	else
		cfg->local.router_id = a;
}

static void top_local_as(struct loader *ld, json_t *v, void *t)
{
	struct config *cfg = t;
	uint64_t as;
	if (!ld_want_uint(ld, v, 1, UINT32_MAX, &as))
		return;
	if (as == AS_TRANS)
		ld_error(ld, "%d is AS_TRANS (RFC 6793), not a real AS", AS_TRANS);
	else
		cfg->local.local_as = (uint32_t)as;
}

static void top_listen(struct loader *ld, json_t *v, void *t)
{
	struct config *cfg = t;
	const char *s = ld_want_string(ld, v, 0);
	if (!s)
		return;
	if (!config_parse_hostport(s, CONFIG_BGP_PORT, &cfg->listen_addr,
				   &cfg->listen_port)) {
		ld_error(ld, "'%s' is not ADDR:PORT, [IPV6]:PORT or ADDR "
			 "(port 1..65535)", s);
		return;
	}
	cfg->has_listen = true;
}

static void top_control_socket(struct loader *ld, json_t *v, void *t)
{
	ld_set_string(ld, v, SUN_PATH_MAX - 1, &((struct config *)t)->control_socket);
}

static void top_state_file(struct loader *ld, json_t *v, void *t)
{
	ld_set_string(ld, v, 0, &((struct config *)t)->state_file);
}

static void top_audit_log(struct loader *ld, json_t *v, void *t)
{
	ld_set_string(ld, v, 0, &((struct config *)t)->audit_log);
}

static void top_event_log(struct loader *ld, json_t *v, void *t)
{
	ld_set_string(ld, v, 0, &((struct config *)t)->event_log);
}

static void top_policy(struct loader *ld, json_t *v, void *t)
{
	ld_set_string(ld, v, 0, &((struct config *)t)->policy);
}

static void top_user(struct loader *ld, json_t *v, void *t)
{
	struct config *cfg = t;
	const char *s = ld_want_string(ld, v, 0);
	if (!s)
		return;
	errno = 0;
	if (!getpwnam(s)) {
		ld_error(ld, "no user '%s' on this system", s);
		return;
	}
	ld_set_string(ld, v, 0, &cfg->user);
}

static void top_never_filter(struct loader *ld, json_t *v, void *t)
{
	struct config *cfg = t;
	ld_want_prefixes(ld, v, &cfg->never_filter, &cfg->n_never_filter);
	/* The rib refuses these (rib.h); --check says so first. */
	for (size_t k = 0; k < cfg->n_static_rules; k++) {
		char why[200];
		const struct config_static_rule *sr = &cfg->static_rules[k];
		if (protect_check(&sr->rule, cfg->never_filter,
				  cfg->n_never_filter, why, sizeof why))
			ld_error(ld, "static rule '%s' is refused: %s",
				 sr->text, why);
	}
}

/* ---- processes (ExaBGP-style helper programs) ------------------------- */

static void pr_name(struct loader *ld, json_t *v, void *t)
{
	struct config_process *p = t;
	const char *s = ld_want_string(ld, v, CONFIG_PROCESS_NAME_MAX);
	if (!s)
		return;
	for (const char *c = s; *c; c++) {
		if (!isalnum((unsigned char)*c) && !strchr("-_.", *c)) {
			ld_error(ld, "'%s': only letters, digits, '-', '_' and "
				 "'.' are allowed", s);
			return;
		}
	}
	ld_set_string(ld, v, 0, &p->name);
}

static void pr_run(struct loader *ld, json_t *v, void *t)
{
	struct config_process *p = t;
	if (!json_is_array(v) || json_array_size(v) == 0) {
		ld_error(ld, "must be a non-empty array of strings (the program "
			 "and its arguments, no shell), not %s",
		      json_is_array(v) ? "an empty array" : ld_type_name(v));
		return;
	}
	size_t n = json_array_size(v);
	char **argv = calloc(n + 1, sizeof *argv);
	if (!argv) {
		ld->oom = true;
		return;
	}
	bool ok = true;
	size_t i;
	json_t *a;
	json_array_foreach(v, i, a) {
		ld_push_index(ld, i);
		const char *s = ld_want_string(ld, a, 0);
		if (s && !(argv[i] = strdup(s)))
			ld->oom = true;
		ok = ok && argv[i];
		if (i == 0 && s && !strchr(s, '/'))
			ld_error(ld, "'%s': give the program's path (it is run "
				 "without a shell or a PATH search)", s);
		else if (i == 0 && s && access(s, X_OK) != 0)
			ld_error(ld, "'%s' is not an executable file: %s", s,
				 strerror(errno));
		ld_pop(ld);
	}
	if (!ok) {
		for (i = 0; i < n; i++)
			free(argv[i]);
		free(argv);
		return;
	}
	p->argv = argv;
}

static void pr_respawn(struct loader *ld, json_t *v, void *t)
{
	ld_want_bool(ld, v, &((struct config_process *)t)->respawn);
}

static const struct ld_key process_keys[] = {
	{ "name", true, pr_name },
	{ "run", true, pr_run },
	{ "respawn", false, pr_respawn },
};

static void process_free(struct config_process *p)
{
	free(p->name);
	for (char **a = p->argv; a && *a; a++)
		free(*a);
	free(p->argv);
}

static void top_processes(struct loader *ld, json_t *v, void *t)
{
	struct config *cfg = t;
	if (!ld_want_array(ld, v))
		return;
	size_t n = json_array_size(v);
	if (n == 0)
		return;
	cfg->processes = calloc(n, sizeof *cfg->processes);
	if (!cfg->processes) {
		ld->oom = true;
		return;
	}
	size_t i;
	json_t *pv;
	json_array_foreach(v, i, pv) {
		ld_push_index(ld, i);
		struct config_process *p = &cfg->processes[cfg->n_processes];
		*p = (struct config_process){ .respawn = true };
		if (!json_is_object(pv)) {
			ld_error(ld, "must be an object, not %s", ld_type_name(pv));
			ld_pop(ld);
			continue;
		}
		ld_parse_object(ld, pv, process_keys,
				sizeof process_keys / sizeof process_keys[0], p);
		const struct config_process *dup =
			p->name ? config_find_process(cfg, p->name) : NULL;
		if (dup) {
			ld_push_key(ld, "name");
			ld_error(ld, "'%s' is already processes[%zu]", p->name,
				 (size_t)(dup - cfg->processes));
			ld_pop(ld);
		}
		if (p->name && p->argv && !dup)
			cfg->n_processes++;
		else
			process_free(p);
		ld_pop(ld);
	}
}

/* Sections other modules read: only their type is checked here. */
static void keep_object(struct loader *ld, json_t *v, json_t **dst)
{
	if (!json_is_object(v)) {
		ld_error(ld, "must be an object, not %s", ld_type_name(v));
		return;
	}
	*dst = json_incref(v);
}

/* An error of the collector module, placed under "collector". */
static void collector_error(void *arg, const char *key, size_t index,
			    const char *msg)
{
	struct loader *ld = arg;
	size_t depth = ld->depth;
	if (key)
		ld_push_key(ld, key);
	if (index != SIZE_MAX)
		ld_push_index(ld, index);
	ld_error(ld, "%s", msg);
	while (ld->depth > depth)
		ld_pop(ld);
}

static void top_collector(struct loader *ld, json_t *v, void *t)
{
	keep_object(ld, v, &((struct config *)t)->collector);
	if (json_is_object(v)) {
		struct collector_config cc;
		collector_config_parse(&cc, v, collector_error, ld);
		collector_config_clear(&cc);
	}
}

/* An error of the http section at key (below "http"). */
static void http_error(void *ctx, const char *key, const char *msg)
{
	struct loader *ld = ctx;
	if (key)
		ld_push_key(ld, key);
	ld_error(ld, "%s", msg);
	if (key)
		ld_pop(ld);
}

static void top_http(struct loader *ld, json_t *v, void *t)
{
	keep_object(ld, v, &((struct config *)t)->http);
	if (json_is_object(v))
		http_config_check(v, http_error, ld);
}

/* In this order: static_rules needs the neighbors. */
static const struct ld_key top_keys[] = {
	{ "router_id", true, top_router_id },
	{ "local_as", true, top_local_as },
	{ "listen", false, top_listen },
	{ "control_socket", false, top_control_socket },
	{ "neighbors", false, top_neighbors },
	{ "static_rules", false, top_static_rules },
	{ "state_file", false, top_state_file },
	{ "audit_log", false, top_audit_log },
	{ "event_log", false, top_event_log },
	{ "never_filter", false, top_never_filter },
	{ "policy", false, top_policy },
	{ "collector", false, top_collector },
	{ "http", false, top_http },
	{ "user", false, top_user },
	{ "processes", false, top_processes },
};

/* ---- entry points ----------------------------------------------------- */

void config_free(struct config *cfg)
{
	if (!cfg)
		return;
	free(cfg->path);
	free(cfg->control_socket);
	free(cfg->neighbors);
	for (size_t i = 0; i < cfg->n_static_rules; i++)
		static_rule_free(&cfg->static_rules[i]);
	free(cfg->static_rules);
	free(cfg->state_file);
	free(cfg->audit_log);
	free(cfg->event_log);
	free(cfg->never_filter);
	free(cfg->policy);
	free(cfg->user);
	for (size_t i = 0; i < cfg->n_processes; i++)
		process_free(&cfg->processes[i]);
	free(cfg->processes);
	json_decref(cfg->collector);
	json_decref(cfg->http);
	free(cfg);
}

struct config *config_parse(const char *text, size_t len, const char *name,
			    struct config_errors *errs)
{
	struct loader ld = { .name = name, .text = text, .len = len };
	json_t *root = ld_parse_json(text, len, name, errs);
	if (!root)
		return NULL;
	struct config *cfg = calloc(1, sizeof *cfg);
	if (!cfg || !(cfg->path = strdup(name)) ||
	    !(cfg->control_socket = strdup(CONFIG_CONTROL_SOCKET_DEFAULT))) {
		ld.oom = true;
	} else if (!json_is_object(root)) {
		ld_error(&ld, "the configuration must be a JSON object, not %s",
			 ld_type_name(root));
	} else {
		ld_parse_object(&ld, root, top_keys,
				sizeof top_keys / sizeof top_keys[0], cfg);
	}
	json_decref(root);
	if (ld_flush(&ld, errs, "configuration")) {
		config_free(cfg);
		return NULL;
	}
	return cfg;
}

struct config *config_load(const char *path, struct config_errors *errs)
{
	size_t len;
	char *text = ld_read_file(path, CONFIG_FILE_MAX, &len, errs);
	if (!text)
		return NULL;
	struct config *cfg = config_parse(text, len, path, errs);
	free(text);
	return cfg;
}

int config_check_main(const char *path)
{
	struct config_errors errs;
	config_errors_init(&errs);
	struct config *cfg = config_load(path, &errs);
	bool ok = cfg && (!cfg->policy || policy_check(cfg->policy, cfg, &errs));
	config_errors_print(&errs, stderr);
	config_errors_clear(&errs);
	if (!ok) {
		config_free(cfg);
		return EXIT_FAILURE;
	}
	printf("%s: ok\n", path);
	config_free(cfg);
	return fflush(stdout) == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}

const struct bgp_peer_config *config_find_neighbor(const struct config *cfg,
						   const struct addr *addr)
{
	for (size_t i = 0; i < cfg->n_neighbors; i++)
		if (addr_equal(&cfg->neighbors[i].address, addr))
			return &cfg->neighbors[i];
	return NULL;
}

bool config_parse_hostport(const char *s, uint16_t default_port,
			   struct addr *addr, uint16_t *port)
{
	return addr_port_parse(s, default_port, addr, port);
}

const struct config_process *config_find_process(const struct config *cfg,
						 const char *name)
{
	for (size_t i = 0; i < cfg->n_processes; i++)
		if (strcmp(cfg->processes[i].name, name) == 0)
			return &cfg->processes[i];
	return NULL;
}
