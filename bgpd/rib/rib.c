/* The rule table: see rib.h. Two trees over the same nodes: by key (AFI,
 * then fs_cmp, RFC 8955 §5.1) and, for entries with an expiry, by
 * (expiry, id), so the next expiry is the first node. */
#include "bgpd/rib/rib.h"

#include <stdlib.h>
#include <string.h>

#include "lib/tree.h"
#include "nlri/text.h"

struct rib_node {
	struct rib_entry e;
	struct tree_node by_key;
	struct tree_node by_expiry;	/* linked while e.expires_ms != 0 */
};

struct rib {
	struct tree by_key;
	struct tree by_expiry;
	int64_t (*now_ms)(void);
	struct rib_listener *listeners;
	size_t nlisteners;
	uint64_t next_id;
	uint64_t version;
};

struct rib_key {
	enum fs_afi afi;
	const uint8_t *match;
	size_t len;
};

struct expiry_key {
	int64_t at;
	uint64_t id;
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

static int expiry_cmp(const void *key, const struct tree_node *n)
{
	const struct expiry_key *k = key;
	const struct rib_entry *e =
		&TREE_ENTRY(n, struct rib_node, by_expiry)->e;
	if (k->at != e->expires_ms)
		return k->at < e->expires_ms ? -1 : 1;
	if (k->id != e->id)
		return k->id < e->id ? -1 : 1;
	return 0;
}

const char *rib_origin_name(enum rib_origin origin)
{
	switch (origin) {
	case RIB_ORIGIN_STATIC: return "static";
	case RIB_ORIGIN_API: return "api";
	case RIB_ORIGIN_PEER: return "peer";
	}
	return "unknown";
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
	case RIB_INVALID: return "invalid match";
	}
	return "unknown result";
}

struct rib *rib_new(int64_t (*now_ms)(void))
{
	struct rib *rib = calloc(1, sizeof *rib);
	if (!rib)
		return NULL;
	tree_init(&rib->by_key, key_cmp);
	tree_init(&rib->by_expiry, expiry_cmp);
	rib->now_ms = now_ms;
	rib->next_id = 1;
	return rib;
}

static void entry_clear(struct rib_entry *e)
{
	fs_rule_clear(&e->rule);
	free(e->text);
	free(e->targets);
	free(e->comment);
}

void rib_free(struct rib *rib)
{
	if (!rib)
		return;
	struct tree_node *n;
	while ((n = tree_drain(&rib->by_key))) {
		struct rib_node *rn = TREE_ENTRY(n, struct rib_node, by_key);
		entry_clear(&rn->e);
		free(rn);
	}
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

static int addr_cmp(const void *a, const void *b)
{
	return memcmp(a, b, sizeof(struct addr));
}

/* The options of an entry, built apart so that a failed allocation
 * leaves the entry as it was. */
struct opts_copy {
	struct addr *targets;
	unsigned ntargets;
	char *comment;
	int64_t expires_ms;
};

static bool opts_copy(struct rib *rib, const struct rib_opts *o,
		      struct opts_copy *c)
{
	*c = (struct opts_copy){ 0 };
	unsigned n = o->ntargets < RIB_MAX_TARGETS ? o->ntargets
						   : RIB_MAX_TARGETS;
	if (n) {
		c->targets = calloc(n, sizeof *c->targets);
		if (!c->targets)
			return false;
		/* Canonical: zero padding, sorted, no repeats. */
		for (unsigned i = 0; i < n; i++) {
			c->targets[i].family = o->targets[i].family;
			memcpy(c->targets[i].bytes, o->targets[i].bytes,
			       addr_octets(o->targets[i].family));
		}
		qsort(c->targets, n, sizeof *c->targets, addr_cmp);
		c->ntargets = 1;
		for (unsigned i = 1; i < n; i++)
			if (addr_cmp(&c->targets[c->ntargets - 1],
				     &c->targets[i]))
				c->targets[c->ntargets++] = c->targets[i];
	}
	if (o->comment && !(c->comment = strdup(o->comment))) {
		free(c->targets);
		return false;
	}
	if (o->ttl_s)
		c->expires_ms = rib->now_ms() + (int64_t)o->ttl_s * 1000;
	return true;
}

static bool writer_eq(const struct writer *a, const struct writer *b)
{
	return a->len == b->len && (!a->len || !memcmp(a->data, b->data, a->len));
}

static bool same(const struct rib_entry *e, const struct fs_rule *r,
		 enum rib_origin origin, const struct opts_copy *c)
{
	return writer_eq(&e->rule.ext, &r->ext) &&
	       writer_eq(&e->rule.ext6, &r->ext6) &&
	       writer_eq(&e->rule.comm, &r->comm) &&
	       !memcmp(&e->rule.nexthop, &r->nexthop, sizeof r->nexthop) &&
	       e->origin == origin && e->ntargets == c->ntargets &&
	       (!c->ntargets || !memcmp(e->targets, c->targets,
					c->ntargets * sizeof *c->targets)) &&
	       (e->comment && c->comment ? !strcmp(e->comment, c->comment)
					 : e->comment == c->comment) &&
	       e->expires_ms == c->expires_ms;
}

static void expiry_link(struct rib *rib, struct rib_node *rn)
{
	if (rn->e.expires_ms) {
		struct expiry_key k = { rn->e.expires_ms, rn->e.id };
		tree_insert(&rib->by_expiry, &rn->by_expiry, &k);
	}
}

static void expiry_unlink(struct rib *rib, struct rib_node *rn)
{
	if (rn->e.expires_ms)
		tree_remove(&rib->by_expiry, &rn->by_expiry);
}

/* Gives e the options c (taken over) and text, and a new version. */
static void entry_set(struct rib *rib, struct rib_entry *e,
		      enum rib_origin origin, struct opts_copy *c, char *text)
{
	free(e->text);
	e->text = text;
	e->origin = origin;
	free(e->targets);
	e->targets = c->targets;
	e->ntargets = c->ntargets;
	free(e->comment);
	e->comment = c->comment;
	e->expires_ms = c->expires_ms;
	e->version = ++rib->version;
}

/* Gives e the actions of r and r the old ones; e keeps its match. */
static void actions_swap(struct fs_rule *e, struct fs_rule *r)
{
	struct writer m = e->match;
	e->match = r->match;
	r->match = m;
	struct fs_rule old = *e;
	*e = *r;
	*r = old;
}

enum rib_result rib_announce(struct rib *rib, const struct fs_rule *rule,
			     const struct rib_opts *opts,
			     const struct rib_entry **out)
{
	if (out)
		*out = NULL;
	if (!key_valid(rule->afi, rule->match.data, rule->match.len))
		return RIB_INVALID;
	struct fs_rule copy;
	if (!fs_rule_copy(&copy, rule)) {
		fs_rule_clear(&copy);
		return RIB_NOMEM;
	}
	fs_rule_normalize(&copy);
	struct opts_copy c;
	if (!opts_copy(rib, opts, &c)) {
		fs_rule_clear(&copy);
		return RIB_NOMEM;
	}

	struct rib_key k = { rule->afi, rule->match.data, rule->match.len };
	struct tree_pos pos;
	struct tree_node *found = tree_search(&rib->by_key, &k, &pos);
	struct rib_node *rn =
		found ? TREE_ENTRY(found, struct rib_node, by_key) : NULL;
	if (rn && same(&rn->e, &copy, opts->origin, &c)) {
		fs_rule_clear(&copy);
		free(c.targets);
		free(c.comment);
		if (out)
			*out = &rn->e;
		return RIB_UNCHANGED;
	}
	char *text = fs_text_string(&copy);
	struct rib_node *fresh = rn ? NULL : calloc(1, sizeof *fresh);
	if (!text || (!rn && !fresh)) {
		free(text);
		free(fresh);
		fs_rule_clear(&copy);
		free(c.targets);
		free(c.comment);
		return RIB_NOMEM;
	}

	enum rib_result res = RIB_REPLACED;
	if (rn) {
		expiry_unlink(rib, rn);
		actions_swap(&rn->e.rule, &copy);
		fs_rule_clear(&copy);
	} else {
		rn = fresh;
		rn->e.rule = copy;
		rn->e.id = rib->next_id++;
		tree_insert_at(&rib->by_key, &rn->by_key, &pos);
		res = RIB_ADDED;
	}
	entry_set(rib, &rn->e, opts->origin, &c, text);
	expiry_link(rib, rn);
	notify(rib, rn->e.rule.afi, rn->e.rule.match.data,
	       rn->e.rule.match.len, &rn->e);
	if (out)
		*out = &rn->e;
	return res;
}

/* Unlinks rn, tells the listeners (the key is still valid) and frees it. */
static void remove_node(struct rib *rib, struct rib_node *rn)
{
	tree_remove(&rib->by_key, &rn->by_key);
	expiry_unlink(rib, rn);
	notify(rib, rn->e.rule.afi, rn->e.rule.match.data,
	       rn->e.rule.match.len, NULL);
	entry_clear(&rn->e);
	free(rn);
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

size_t rib_expire(struct rib *rib)
{
	int64_t now = rib->now_ms();
	size_t n = 0;
	struct tree_node *t;
	while ((t = tree_first(&rib->by_expiry))) {
		struct rib_node *rn = TREE_ENTRY(t, struct rib_node, by_expiry);
		if (rn->e.expires_ms > now)
			break;
		remove_node(rib, rn);
		n++;
	}
	return n;
}

int64_t rib_next_expiry(const struct rib *rib)
{
	struct tree_node *t = tree_first(&rib->by_expiry);
	return t ? TREE_ENTRY(t, struct rib_node, by_expiry)->e.expires_ms : 0;
}

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
		if (e->targets[i].family == addr->family &&
		    !memcmp(e->targets[i].bytes, addr->bytes,
			    addr_octets(addr->family)))
			return true;
	return false;
}
