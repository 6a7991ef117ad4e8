/* The rule table: see rib.h. Three trees: entries by key (AFI, then
 * fs_cmp, RFC 8955 §5.1) and by id, and claims with an expiry by
 * (expiry, seq), so the next expiry is the first claim. Each entry keeps
 * its claims in a list in precedence order; the entry's rule views the
 * first claim's action buffers. */
#include "bgpd/rib/rib.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bgpd/rib/protect.h"
#include "nlri/text.h"

struct rib_node {
	struct rib_entry e;
	struct tree_node by_key;
	struct tree_node by_id;
	struct rib_claim *claims;	/* e.claims, writable */
	struct addr *own_targets;	/* e.targets when it is a union */
	char *text;			/* rib_entry_text's cache */
	uint8_t match[];		/* e.rule.match views it */
};

struct protect_list {
	struct prefix *p;
	size_t n;
};

struct rib {
	struct tree by_key;
	struct tree by_id;
	struct tree by_expiry;
	int64_t (*now_ms)(void);
	struct rib_listener *listeners;
	size_t nlisteners;
	uint64_t next_id;
	uint64_t next_seq;
	uint64_t version;
	struct protect_list protect[2];	/* by enum rib_protect_list */
};

struct rib_key {
	enum fs_afi afi;
	const uint8_t *match;
	size_t len;
};

struct expiry_key {
	int64_t at;
	uint64_t seq;
};

static struct rib_node *node_of(const struct rib_entry *e)
{
	return TREE_ENTRY(e, struct rib_node, e);
}

static int key_cmp(const void *key, const struct tree_node *n)
{
	const struct rib_key *k = key;
	const struct rib_entry *e = &TREE_ENTRY(n, struct rib_node, by_key)->e;
	if (k->afi != e->rule.afi)
		return k->afi < e->rule.afi ? -1 : 1;
	return fs_cmp(k->afi, k->match, k->len, e->rule.match.data,
		      e->rule.match.len);
}

static int id_cmp(const void *key, const struct tree_node *n)
{
	uint64_t id = *(const uint64_t *)key;
	uint64_t other = TREE_ENTRY(n, struct rib_node, by_id)->e.id;
	return (id > other) - (id < other);
}

static int expiry_cmp(const void *key, const struct tree_node *n)
{
	const struct expiry_key *k = key;
	const struct rib_claim *c = TREE_ENTRY(n, struct rib_claim, by_expiry);
	if (k->at != c->expires_ms)
		return k->at < c->expires_ms ? -1 : 1;
	return (k->seq > c->seq) - (k->seq < c->seq);
}

/* ---- names ---- */

const char *rib_origin_name(enum rib_origin origin)
{
	switch (origin) {
	case RIB_ORIGIN_STATIC: return "static";
	case RIB_ORIGIN_API: return "api";
	case RIB_ORIGIN_POLICY: return "policy";
	case RIB_ORIGIN_PEER: return "peer";
	}
	return "unknown";
}

static bool policy_name_ok(const char *name)
{
	size_t n = name ? strlen(name) : 0;
	if (n == 0 || n > RIB_POLICY_NAME_MAX)
		return false;
	for (size_t i = 0; i < n; i++)
		if ((unsigned char)name[i] <= ' ' || name[i] == 0x7f)
			return false;
	return true;
}

bool rib_origin_parse(const char *s, enum rib_origin *origin,
		      const char **policy)
{
	static const char prefix[] = "policy:";
	*policy = NULL;
	if (strcmp(s, "static") == 0) {
		*origin = RIB_ORIGIN_STATIC;
		return true;
	}
	if (strcmp(s, "api") == 0) {
		*origin = RIB_ORIGIN_API;
		return true;
	}
	if (strncmp(s, prefix, sizeof prefix - 1) != 0 ||
	    !policy_name_ok(s + sizeof prefix - 1))
		return false;
	*origin = RIB_ORIGIN_POLICY;
	*policy = s + sizeof prefix - 1;
	return true;
}

const char *rib_claim_origin(const struct rib_claim *c, char *buf,
			     size_t len)
{
	if (c->origin == RIB_ORIGIN_POLICY)
		snprintf(buf, len, "policy:%s", c->policy);
	else
		snprintf(buf, len, "%s", rib_origin_name(c->origin));
	return buf;
}

const char *rib_result_str(enum rib_result r)
{
	switch (r) {
	case RIB_ADDED: return "added";
	case RIB_REPLACED: return "replaced";
	case RIB_UNCHANGED: return "unchanged";
	case RIB_WITHDRAWN: return "withdrawn";
	case RIB_NOT_FOUND: return "not found";
	case RIB_NOMEM: return "out of memory";
	case RIB_INVALID: return "invalid match or origin";
	case RIB_PROTECTED: return "covers a never_filter prefix";
	}
	return "unknown result";
}

/* ---- life cycle ---- */

struct rib *rib_new(int64_t (*now_ms)(void))
{
	struct rib *rib = calloc(1, sizeof *rib);
	if (!rib)
		return NULL;
	tree_init(&rib->by_key, key_cmp);
	tree_init(&rib->by_id, id_cmp);
	tree_init(&rib->by_expiry, expiry_cmp);
	rib->now_ms = now_ms;
	rib->next_id = 1;
	return rib;
}

static void claim_free(struct rib_claim *c)
{
	if (!c)
		return;
	free(c->policy);
	free(c->targets);
	free(c->comment);
	free(c);
}

/* Frees rn and its claims; the entry's rule views their buffers. */
static void node_free(struct rib_node *rn)
{
	struct rib_claim *c = rn->claims;
	while (c) {
		struct rib_claim *next = c->next;
		claim_free(c);
		c = next;
	}
	free(rn->own_targets);
	free(rn->text);
	free(rn);
}

void rib_free(struct rib *rib)
{
	if (!rib)
		return;
	struct tree_node *n;
	while ((n = tree_drain(&rib->by_key)))
		node_free(TREE_ENTRY(n, struct rib_node, by_key));
	for (unsigned i = 0; i < 2; i++)
		free(rib->protect[i].p);
	free(rib->listeners);
	free(rib);
}

bool rib_listen(struct rib *rib, const struct rib_listener *l)
{
	struct rib_listener *ls = realloc(
		rib->listeners, (rib->nlisteners + 1) * sizeof *ls);
	if (!ls)
		return false;
	ls[rib->nlisteners++] = *l;
	rib->listeners = ls;
	return true;
}

void rib_unlisten(struct rib *rib, const struct rib_listener *l)
{
	for (size_t i = 0; i < rib->nlisteners; i++) {
		if (rib->listeners[i].changed == l->changed &&
		    rib->listeners[i].ctx == l->ctx) {
			memmove(&rib->listeners[i], &rib->listeners[i + 1],
				(rib->nlisteners - i - 1) * sizeof *l);
			rib->nlisteners--;
			return;
		}
	}
}

static void notify(struct rib *rib, enum fs_afi afi, const uint8_t *match,
		   size_t len, const struct rib_entry *e)
{
	for (size_t i = 0; i < rib->nlisteners; i++)
		rib->listeners[i].changed(rib->listeners[i].ctx, afi, match,
					  len, e);
}

/* ---- protected prefixes ---- */

bool rib_set_protected(struct rib *rib, enum rib_protect_list list,
		       const struct prefix *prefixes, size_t n)
{
	struct prefix *copy = NULL;
	if (n) {
		copy = malloc(n * sizeof *copy);
		if (!copy)
			return false;
		memcpy(copy, prefixes, n * sizeof *copy);
	}
	struct protect_list *pl = &rib->protect[list == RIB_PROTECT_POLICY];
	free(pl->p);
	pl->p = copy;
	pl->n = n;
	return true;
}

bool rib_protected(const struct rib *rib, const struct fs_rule *rule,
		   char *why, size_t whylen)
{
	for (unsigned i = 0; i < 2; i++)
		if (protect_check(rule, rib->protect[i].p, rib->protect[i].n,
				  why, whylen))
			return true;
	return false;
}

/* ---- lookups ---- */

static bool key_valid(enum fs_afi afi, const uint8_t *match, size_t len)
{
	return (afi == FS_AFI_IPV4 || afi == FS_AFI_IPV6) &&
	       fs_validate(afi, match, len, NULL) == FS_OK;
}

static struct rib_node *find(const struct rib *rib, enum fs_afi afi,
			     const uint8_t *match, size_t len)
{
	if (!key_valid(afi, match, len))
		return NULL;
	struct rib_key k = { afi, match, len };
	struct tree_node *n = tree_find(&rib->by_key, &k);
	return n ? TREE_ENTRY(n, struct rib_node, by_key) : NULL;
}

const struct rib_entry *rib_find(const struct rib *rib, enum fs_afi afi,
				 const uint8_t *match, size_t len)
{
	struct rib_node *rn = find(rib, afi, match, len);
	return rn ? &rn->e : NULL;
}

const struct rib_entry *rib_find_id(const struct rib *rib, uint64_t id)
{
	struct tree_node *n = tree_find(&rib->by_id, &id);
	return n ? &TREE_ENTRY(n, struct rib_node, by_id)->e : NULL;
}

/* Precedence of claims: < 0 when a comes first. */
static int claim_rank(enum rib_origin ao, const char *ap, enum rib_origin bo,
		      const char *bp)
{
	if (ao != bo)
		return ao < bo ? -1 : 1;
	return ao == RIB_ORIGIN_POLICY ? strcmp(ap, bp) : 0;
}

/* The link that points at the claim of (origin, policy), or at the place
 * where it would go. */
static struct rib_claim **claim_slot(struct rib_node *rn,
				     enum rib_origin origin,
				     const char *policy)
{
	struct rib_claim **p = &rn->claims;
	while (*p && claim_rank((*p)->origin, (*p)->policy, origin, policy) < 0)
		p = &(*p)->next;
	return p;
}

static bool claim_is(const struct rib_claim *c, enum rib_origin origin,
		     const char *policy)
{
	return c && claim_rank(c->origin, c->policy, origin, policy) == 0;
}

const struct rib_claim *rib_claim_of(const struct rib_entry *e,
				     enum rib_origin origin,
				     const char *policy)
{
	if (origin == RIB_ORIGIN_POLICY && !policy)
		return NULL;
	struct rib_claim **p = claim_slot(node_of(e), origin, policy);
	return claim_is(*p, origin, policy) ? *p : NULL;
}

/* ---- claims ---- */

static int addr_cmp(const void *a, const void *b)
{
	return memcmp(a, b, sizeof(struct addr));
}

/* Sorts n canonical (zero padded) addresses in place and drops repeats;
 * returns how many are left. */
static unsigned addrs_unique(struct addr *a, unsigned n)
{
	if (!n)
		return 0;
	qsort(a, n, sizeof *a, addr_cmp);
	unsigned k = 1;
	for (unsigned i = 1; i < n; i++)
		if (addr_cmp(&a[k - 1], &a[i]))
			a[k++] = a[i];
	return k;
}

/* A new claim with a copy of rule's actions and the options; NULL when
 * out of memory. */
static struct rib_claim *claim_new(struct rib *rib, const struct fs_rule *r,
				   const struct rib_opts *o)
{
	if (r->ext.err || r->ext6.err || r->comm.err ||
	    r->ext.len > UINT16_MAX || r->ext6.len > UINT16_MAX ||
	    r->comm.len > UINT16_MAX)
		return NULL;
	/* Normalized on a copy (sorted, no repeats), then packed. */
	struct fs_rule acts;
	fs_rule_init(&acts, r->afi);
	put_bytes(&acts.ext, r->ext.data, r->ext.len);
	put_bytes(&acts.ext6, r->ext6.data, r->ext6.len);
	put_bytes(&acts.comm, r->comm.data, r->comm.len);
	fs_rule_normalize(&acts);
	size_t len = acts.ext.len + acts.ext6.len + acts.comm.len;
	struct rib_claim *c = fs_rule_ok(&acts) ? calloc(1, sizeof *c + len)
						: NULL;
	if (!c) {
		fs_rule_clear(&acts);
		return NULL;
	}
	c->origin = o->origin;
	c->seq = ++rib->next_seq;
	c->nexthop = r->nexthop;
	c->ext_len = (uint16_t)acts.ext.len;
	c->ext6_len = (uint16_t)acts.ext6.len;
	c->comm_len = (uint16_t)acts.comm.len;
	if (acts.ext.len)
		memcpy(c->actions, acts.ext.data, acts.ext.len);
	if (acts.ext6.len)
		memcpy(c->actions + c->ext_len, acts.ext6.data, acts.ext6.len);
	if (acts.comm.len)
		memcpy(c->actions + c->ext_len + c->ext6_len, acts.comm.data,
		       acts.comm.len);
	fs_rule_clear(&acts);
	bool ok = true;
	unsigned n = o->ntargets < RIB_MAX_TARGETS ? o->ntargets
						   : RIB_MAX_TARGETS;
	if (n) {
		c->targets = calloc(n, sizeof *c->targets);
		ok = c->targets != NULL;
		/* Canonical: zero padding, sorted, no repeats. */
		for (unsigned i = 0; ok && i < n; i++) {
			c->targets[i].family = o->targets[i].family;
			memcpy(c->targets[i].bytes, o->targets[i].bytes,
			       addr_octets(o->targets[i].family));
		}
		if (ok)
			c->ntargets = addrs_unique(c->targets, n);
	}
	if (ok && o->comment)
		ok = (c->comment = strdup(o->comment)) != NULL;
	if (ok && o->origin == RIB_ORIGIN_POLICY)
		ok = (c->policy = strdup(o->policy)) != NULL;
	if (!ok) {
		claim_free(c);
		return NULL;
	}
	if (o->ttl_s)
		c->expires_ms = rib->now_ms() + (int64_t)o->ttl_s * 1000;
	if (o->expires_ms && (!c->expires_ms || o->expires_ms < c->expires_ms))
		c->expires_ms = o->expires_ms;
	c->since_ms = o->since_ms ? o->since_ms : rib->now_ms();
	return c;
}

static bool str_eq(const char *a, const char *b)
{
	return a && b ? strcmp(a, b) == 0 : a == b;
}

static bool claim_same(const struct rib_claim *a, const struct rib_claim *b)
{
	return a->ext_len == b->ext_len && a->ext6_len == b->ext6_len &&
	       a->comm_len == b->comm_len &&
	       !memcmp(a->actions, b->actions,
		       (size_t)a->ext_len + a->ext6_len + a->comm_len) &&
	       !memcmp(&a->nexthop, &b->nexthop, sizeof a->nexthop) &&
	       a->ntargets == b->ntargets &&
	       (!a->ntargets || !memcmp(a->targets, b->targets,
					a->ntargets * sizeof *a->targets)) &&
	       str_eq(a->comment, b->comment) &&
	       a->expires_ms == b->expires_ms;
}

static void expiry_link(struct rib *rib, struct rib_claim *c)
{
	if (c->expires_ms) {
		struct expiry_key k = { c->expires_ms, c->seq };
		tree_insert(&rib->by_expiry, &c->by_expiry, &k);
	}
}

static void expiry_unlink(struct rib *rib, struct rib_claim *c)
{
	if (c->expires_ms)
		tree_remove(&rib->by_expiry, &c->by_expiry);
}

/* ---- the entry as its claims make it ---- */

/* The peers of every claim (none when a claim goes to every peer) into
 * rn; when the union cannot be allocated, the winner's peers. */
static void targets_refresh(struct rib_node *rn)
{
	free(rn->own_targets);
	rn->own_targets = NULL;
	const struct rib_claim *w = rn->claims;
	rn->e.targets = w->targets;
	rn->e.ntargets = w->ntargets;
	unsigned total = 0;
	for (const struct rib_claim *c = rn->claims; c; c = c->next) {
		if (!c->ntargets) {
			rn->e.targets = NULL;
			rn->e.ntargets = 0;
			return;
		}
		total += c->ntargets;
	}
	if (!w->next)
		return;
	struct addr *u = malloc(total * sizeof *u);
	if (!u)
		return;
	unsigned n = 0;
	for (const struct rib_claim *c = rn->claims; c; c = c->next) {
		memcpy(u + n, c->targets, c->ntargets * sizeof *u);
		n += c->ntargets;
	}
	rn->own_targets = u;
	rn->e.targets = u;
	rn->e.ntargets = addrs_unique(u, n);
}

/* Makes rn's entry what its claims (at least one) say, a new version. */
static void entry_refresh(struct rib *rib, struct rib_node *rn)
{
	struct rib_entry *e = &rn->e;
	const struct rib_claim *w = rn->claims;
	e->claims = w;
	e->origin = w->origin;
	e->comment = w->comment;
	/* Views of the winner's actions (never freed through e). */
	rib_claim_rule(e, w, &e->rule);
	targets_refresh(rn);
	e->expires_ms = 0;
	for (const struct rib_claim *c = w; c; c = c->next) {
		if (!c->expires_ms) {
			e->expires_ms = 0;
			break;
		}
		if (c->expires_ms > e->expires_ms)
			e->expires_ms = c->expires_ms;
	}
	free(rn->text);
	rn->text = NULL;
	e->version = ++rib->version;
}

static void changed(struct rib *rib, struct rib_node *rn)
{
	notify(rib, rn->e.rule.afi, rn->e.rule.match.data,
	       rn->e.rule.match.len, &rn->e);
}

/* Unlinks rn, tells the listeners (the key is still valid) and frees it. */
static void remove_node(struct rib *rib, struct rib_node *rn)
{
	tree_remove(&rib->by_key, &rn->by_key);
	tree_remove(&rib->by_id, &rn->by_id);
	for (struct rib_claim *c = rn->claims; c; c = c->next)
		expiry_unlink(rib, c);
	notify(rib, rn->e.rule.afi, rn->e.rule.match.data,
	       rn->e.rule.match.len, NULL);
	node_free(rn);
}

/* Removes the claim at *slot from rn: the rule changes or goes. */
static void remove_claim(struct rib *rib, struct rib_node *rn,
			 struct rib_claim **slot)
{
	struct rib_claim *c = *slot;
	if (c == rn->claims && !c->next) {
		remove_node(rib, rn);
		return;
	}
	*slot = c->next;
	expiry_unlink(rib, c);
	entry_refresh(rib, rn);
	claim_free(c);
	changed(rib, rn);
}

/* ---- changes ---- */

enum rib_result rib_announce(struct rib *rib, const struct fs_rule *rule,
			     const struct rib_opts *opts,
			     const struct rib_entry **out)
{
	if (out)
		*out = NULL;
	if (!key_valid(rule->afi, rule->match.data, rule->match.len) ||
	    (opts->origin == RIB_ORIGIN_POLICY && !policy_name_ok(opts->policy)))
		return RIB_INVALID;
	if (rib_protected(rib, rule, NULL, 0))
		return RIB_PROTECTED;
	struct rib_claim *c = claim_new(rib, rule, opts);
	if (!c)
		return RIB_NOMEM;

	struct rib_key k = { rule->afi, rule->match.data, rule->match.len };
	struct tree_pos pos;
	/* Rules often come in order (a sorted config, the state file, a
	 * script's loop): one comparison with the last entry then does. */
	struct tree_node *last = tree_last(&rib->by_key);
	bool append = last && key_cmp(&k, last) > 0;
	struct tree_node *found =
		append ? NULL : tree_search(&rib->by_key, &k, &pos);
	struct rib_node *rn;
	enum rib_result res = RIB_ADDED;
	struct rib_claim *old = NULL;
	if (found) {
		rn = TREE_ENTRY(found, struct rib_node, by_key);
		struct rib_claim **slot = claim_slot(rn, c->origin, c->policy);
		if (claim_is(*slot, c->origin, c->policy)) {
			old = *slot;
			if (claim_same(old, c) &&
			    (!opts->since_ms || opts->since_ms == old->since_ms)) {
				claim_free(c);
				if (out)
					*out = &rn->e;
				return RIB_UNCHANGED;
			}
			c->next = old->next;
			if (!opts->since_ms)
				c->since_ms = old->since_ms;
			expiry_unlink(rib, old);
			res = RIB_REPLACED;
		} else {
			c->next = *slot;
		}
		*slot = c;
	} else {
		rn = calloc(1, sizeof *rn + rule->match.len);
		if (!rn) {
			claim_free(c);
			return RIB_NOMEM;
		}
		memcpy(rn->match, rule->match.data, rule->match.len);
		rn->e.rule.afi = rule->afi;
		rn->e.rule.match = (struct writer){ .data = rn->match,
						    .len = rule->match.len };
		rn->claims = c;
		rn->e.id = rib->next_id++;
		if (append)
			tree_append(&rib->by_key, &rn->by_key);
		else
			tree_insert_at(&rib->by_key, &rn->by_key, &pos);
		tree_append(&rib->by_id, &rn->by_id);
	}
	c->owner = rn;
	expiry_link(rib, c);
	/* The entry views the old claim's buffers until the refresh. */
	entry_refresh(rib, rn);
	claim_free(old);
	changed(rib, rn);
	if (out)
		*out = &rn->e;
	return res;
}

enum rib_result rib_withdraw_claim(struct rib *rib, enum rib_origin origin,
				   const char *policy, enum fs_afi afi,
				   const uint8_t *match, size_t len)
{
	if (!key_valid(afi, match, len) ||
	    (origin == RIB_ORIGIN_POLICY && !policy))
		return RIB_INVALID;
	struct rib_node *rn = find(rib, afi, match, len);
	if (!rn)
		return RIB_NOT_FOUND;
	struct rib_claim **slot = claim_slot(rn, origin, policy);
	if (!claim_is(*slot, origin, policy))
		return RIB_NOT_FOUND;
	remove_claim(rib, rn, slot);
	return RIB_WITHDRAWN;
}

enum rib_result rib_withdraw(struct rib *rib, enum fs_afi afi,
			     const uint8_t *match, size_t len)
{
	if (!key_valid(afi, match, len))
		return RIB_INVALID;
	struct rib_node *rn = find(rib, afi, match, len);
	if (!rn)
		return RIB_NOT_FOUND;
	remove_node(rib, rn);
	return RIB_WITHDRAWN;
}

size_t rib_flush(struct rib *rib, enum rib_origin origin, const char *policy)
{
	size_t n = 0;
	struct tree_node *t = tree_first(&rib->by_key);
	while (t) {
		/* The next node stays in the tree when this one goes. */
		struct tree_node *next = tree_next(t);
		struct rib_node *rn = TREE_ENTRY(t, struct rib_node, by_key);
		for (struct rib_claim **p = &rn->claims; *p; p = &(*p)->next) {
			if ((*p)->origin == origin &&
			    (!policy || str_eq((*p)->policy, policy))) {
				remove_claim(rib, rn, p);
				n++;
				break;
			}
		}
		t = next;
	}
	return n;
}

size_t rib_expire(struct rib *rib)
{
	int64_t now = rib->now_ms();
	size_t n = 0;
	struct tree_node *t;
	while ((t = tree_first(&rib->by_expiry))) {
		struct rib_claim *c = TREE_ENTRY(t, struct rib_claim, by_expiry);
		if (c->expires_ms > now)
			break;
		struct rib_node *rn = c->owner;
		remove_claim(rib, rn, claim_slot(rn, c->origin, c->policy));
		n++;
	}
	return n;
}

int64_t rib_next_expiry(const struct rib *rib)
{
	struct tree_node *t = tree_first(&rib->by_expiry);
	return t ? TREE_ENTRY(t, struct rib_claim, by_expiry)->expires_ms : 0;
}

/* ---- walks and texts ---- */

size_t rib_count(const struct rib *rib)
{
	return rib->by_key.count;
}

const struct rib_entry *rib_next(const struct rib *rib,
				 const struct rib_entry *prev)
{
	struct tree_node *n = prev ? tree_next(&node_of(prev)->by_key)
				   : tree_first(&rib->by_key);
	return n ? &TREE_ENTRY(n, struct rib_node, by_key)->e : NULL;
}

bool rib_entry_targets(const struct rib_entry *e, const struct addr *addr)
{
	if (!e->ntargets)
		return true;
	for (unsigned i = 0; i < e->ntargets; i++)
		if (addr_equal(&e->targets[i], addr))
			return true;
	return false;
}

void rib_claim_rule(const struct rib_entry *e, const struct rib_claim *c,
		    struct fs_rule *view)
{
	uint8_t *a = (uint8_t *)c->actions;
	*view = (struct fs_rule){
		.afi = e->rule.afi,
		.match = e->rule.match,
		.ext = { .data = a, .len = c->ext_len },
		.ext6 = { .data = a + c->ext_len, .len = c->ext6_len },
		.comm = { .data = a + c->ext_len + c->ext6_len,
			  .len = c->comm_len },
		.nexthop = c->nexthop,
	};
}

char *rib_claim_text(const struct rib_entry *e, const struct rib_claim *c)
{
	struct fs_rule view;
	rib_claim_rule(e, c, &view);
	return fs_text_string(&view);
}

const char *rib_entry_text(const struct rib_entry *e)
{
	struct rib_node *rn = node_of(e);
	if (!rn->text)
		rn->text = fs_text_string(&e->rule);
	return rn->text ? rn->text : "(out of memory)";
}
