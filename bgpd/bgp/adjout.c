/* Adj-RIB-Out: see adjout.h. One node per key the peer has from us or is
 * owed (a tree in the rib's order), a FIFO of dirty nodes with End-of-RIB
 * and BoRR/EoRR markers between them, a FIFO of nodes refused by
 * max_rules, and the attribute sets that were sent, interned so that
 * "what was sent" is one pointer per node and rules with equal attributes
 * are easy to pack together. The router profile (profile.c) decides per
 * rule: sent as is, rewritten (the node keeps the match it is sent with,
 * for the withdraw, in a second tree so that no two rules become one NLRI
 * at the peer), or refused (kept out of both FIFOs until the rule
 * changes). */
#include "bgpd/bgp/adjout.h"

#include <stdlib.h>
#include <string.h>

#include "bgpd/bgp/open.h"
#include "bgpd/bgp/peer.h"
#include "lib/log.h"
#include "lib/reader.h"
#include "lib/tree.h"

/* Nodes compared per batch, and per adjout_write call at most. */
#define ADJOUT_BATCH 1024
#define ADJOUT_WORK (4 * ADJOUT_BATCH)
/* The MP_UNREACH_NLRI of an End-of-RIB: AFI and SAFI (RFC 4724 §2). */
#define EOR_ATTR_LEN 3

enum link_kind { LINK_NODE, LINK_EOR, LINK_BORR, LINK_EORR };

/* A place in the dirty or refused FIFO; next is NULL when in none. */
struct link {
	struct link *prev, *next;
	enum link_kind kind;
	enum fs_afi afi;	/* markers */
};

enum node_state { NODE_CLEAN, NODE_DIRTY, NODE_REFUSED, NODE_BLOCKED };

/* One attribute set as sent: next hop and community values, serialized. */
struct attrs {
	struct tree_node node;
	size_t refs;
	uint64_t seq;		/* creation order, for a stable packing order */
	size_t len;
	uint8_t data[];
};

struct adj_node {
	struct tree_node by_key;
	struct link link;
	enum fs_afi afi;
	/* The key: the rib entry's match while entry is set, else our own
	 * copy (a withdraw still owed). */
	const uint8_t *match;
	size_t len;
	bool owns_match;
	const struct rib_entry *entry;	/* the rib's rule, or NULL */
	struct attrs *sent;		/* NULL: the peer does not have it */
	/* The match as sent when the profile rewrote it (owned; in
	 * adjout.wires); NULL: sent as the key. */
	uint8_t *wire;
	size_t wire_len;
	struct tree_node by_wire;
	struct profile_result why;	/* the profile's last decision */
	enum node_state state;
	bool force;			/* send even when unchanged (refresh) */
};

struct announce {
	struct adj_node *node;
	struct attrs *attrs;	/* a reference, given to the node on success */
	size_t idx;
	struct fs_rule *rw;	/* the rewritten rule to send, or NULL */
};

struct adjout {
	struct rib *rib;
	struct adjout_config cfg;
	char *name;
	bool up;
	struct adjout_session sess;
	struct tree nodes;
	struct tree wires;		/* nodes with a rewritten match */
	struct tree attrs;
	uint64_t attrs_seq;
	struct link dirty, refused;	/* list heads */
	size_t ndirty, nrefused, nsent, nblocked, nrewritten;
	struct link eor[2], borr[2], eorr[2];	/* by AFI - 1 */
	unsigned eor_pending;		/* bit AFI - 1: End-of-RIB owed */
	uint64_t announced, withdrawn;
	bool limit_logged;
	struct writer scratch;
	/* Work space of one batch. */
	struct announce *ann;
	struct adj_node **wd;
	struct fs_rule *views;
	const struct fs_rule **rules;
	struct fs_rule *rws;	/* rewritten rules, by announce index */
};

#define NODE_OF_LINK(l)                                                  \
	((struct adj_node *)(void *)((char *)(l) -                       \
				     offsetof(struct adj_node, link)))

struct key {
	enum fs_afi afi;
	const uint8_t *match;
	size_t len;
};

static int key_cmp(const void *key, const struct tree_node *t)
{
	const struct key *k = key;
	const struct adj_node *n = TREE_ENTRY(t, struct adj_node, by_key);
	if (k->afi != n->afi)
		return k->afi < n->afi ? -1 : 1;
	return fs_cmp(k->afi, k->match, k->len, n->match, n->len);
}

static int wire_cmp(const void *key, const struct tree_node *t)
{
	const struct key *k = key;
	const struct adj_node *n = TREE_ENTRY(t, struct adj_node, by_wire);
	if (k->afi != n->afi)
		return k->afi < n->afi ? -1 : 1;
	return fs_cmp(k->afi, k->match, k->len, n->wire, n->wire_len);
}

struct attrs_key {
	const uint8_t *data;
	size_t len;
};

static int attrs_cmp(const void *key, const struct tree_node *t)
{
	const struct attrs_key *k = key;
	const struct attrs *at = TREE_ENTRY(t, struct attrs, node);
	if (k->len != at->len)
		return k->len < at->len ? -1 : 1;
	return memcmp(k->data, at->data, k->len);
}

/* ---- lists ---- */

static void list_init(struct link *head)
{
	head->prev = head->next = head;
}

static bool list_empty(const struct link *head)
{
	return head->next == head;
}

static void list_append(struct link *head, struct link *l)
{
	l->prev = head->prev;
	l->next = head;
	head->prev->next = l;
	head->prev = l;
}

static void list_unlink(struct link *l)
{
	if (!l->next)
		return;
	l->prev->next = l->next;
	l->next->prev = l->prev;
	l->next = l->prev = NULL;
}

/* ---- attribute sets ---- */

/* The interned attribute set of r with a reference taken, or NULL when
 * out of memory. */
static struct attrs *attrs_get(struct adjout *a, const struct fs_rule *r)
{
	struct writer *w = &a->scratch;
	writer_reset(w);
	put_u8(w, (uint8_t)r->nexthop.family);
	put_bytes(w, r->nexthop.bytes, addr_octets(r->nexthop.family));
	put_u32(w, (uint32_t)r->ext.len);
	put_bytes(w, r->ext.data, r->ext.len);
	put_u32(w, (uint32_t)r->ext6.len);
	put_bytes(w, r->ext6.data, r->ext6.len);
	put_u32(w, (uint32_t)r->comm.len);
	put_bytes(w, r->comm.data, r->comm.len);
	if (w->err)
		return NULL;
	struct attrs_key k = { w->data, w->len };
	struct tree_pos pos;
	struct tree_node *t = tree_search(&a->attrs, &k, &pos);
	struct attrs *at;
	if (t) {
		at = TREE_ENTRY(t, struct attrs, node);
	} else {
		at = malloc(sizeof *at + w->len);
		if (!at)
			return NULL;
		at->refs = 0;
		at->seq = ++a->attrs_seq;
		at->len = w->len;
		memcpy(at->data, w->data, w->len);
		tree_insert_at(&a->attrs, &at->node, &pos);
	}
	at->refs++;
	return at;
}

static void attrs_unref(struct adjout *a, struct attrs *at)
{
	if (at && --at->refs == 0) {
		tree_remove(&a->attrs, &at->node);
		free(at);
	}
}

/* ---- nodes ---- */

static bool for_peer(const struct adjout *a, const struct rib_entry *e)
{
	return (a->sess.families & bgp_family_of(e->rule.afi)) &&
	       rib_entry_targets(e, &a->cfg.peer);
}

static void set_state(struct adjout *a, struct adj_node *n,
		      enum node_state st)
{
	if (n->state == NODE_DIRTY)
		a->ndirty--;
	else if (n->state == NODE_REFUSED)
		a->nrefused--;
	else if (n->state == NODE_BLOCKED)
		a->nblocked--;
	list_unlink(&n->link);
	n->state = st;
	if (st == NODE_BLOCKED)
		a->nblocked++;
	if (st == NODE_DIRTY) {
		list_append(&a->dirty, &n->link);
		a->ndirty++;
	} else if (st == NODE_REFUSED) {
		list_append(&a->refused, &n->link);
		a->nrefused++;
	}
	if (!a->nrefused)
		a->limit_logged = false;
}

static void wake(struct adjout *a, bool was_pending)
{
	if (!was_pending && adjout_pending(a) && a->cfg.wake)
		a->cfg.wake(a->cfg.ctx);
}

/* Owes n to the peer; move: to the end of the FIFO even when owed. */
static void mark_dirty(struct adjout *a, struct adj_node *n, bool move)
{
	if (n->state == NODE_DIRTY && !move)
		return;
	bool was = adjout_pending(a);
	set_state(a, n, NODE_DIRTY);
	wake(a, was);
}

static void node_attach(struct adj_node *n, const struct rib_entry *e)
{
	if (n->owns_match)
		free((void *)n->match);
	n->entry = e;
	n->afi = e->rule.afi;
	n->match = e->rule.match.data;
	n->len = e->rule.match.len;
	n->owns_match = false;
}

/* The rib entry goes away: keep a copy of the key. False when out of
 * memory. */
static bool node_detach(struct adj_node *n)
{
	uint8_t *copy = malloc(n->len);
	if (!copy)
		return false;
	memcpy(copy, n->match, n->len);
	n->match = copy;
	n->owns_match = true;
	n->entry = NULL;
	return true;
}

/* Sets the match n is sent with: rw's (rewritten), or the key itself
 * (rw NULL). The caller checked that no other node has rw's match in
 * a->wires. False when out of memory (n then has none). */
static bool node_set_wire(struct adjout *a, struct adj_node *n,
			  const struct fs_rule *rw)
{
	if (n->wire) {
		tree_remove(&a->wires, &n->by_wire);
		a->nrewritten--;
	}
	free(n->wire);
	n->wire = NULL;
	n->wire_len = 0;
	if (!rw || (rw->match.len == n->len &&
		    memcmp(rw->match.data, n->match, n->len) == 0))
		return true;
	n->wire = malloc(rw->match.len);
	if (!n->wire)
		return false;
	memcpy(n->wire, rw->match.data, rw->match.len);
	n->wire_len = rw->match.len;
	struct key k = { n->afi, n->wire, n->wire_len };
	tree_insert(&a->wires, &n->by_wire, &k);
	a->nrewritten++;
	return true;
}

/* The node other than n that is sent (or owed) as this match after a
 * rewrite, or NULL. */
static const struct adj_node *wire_owner(const struct adjout *a,
					 const struct adj_node *n,
					 const struct fs_rule *as)
{
	struct key k = { as->afi, as->match.data, as->match.len };
	const struct tree_node *t = tree_find(&a->wires, &k);
	const struct adj_node *o =
		t ? TREE_ENTRY(t, struct adj_node, by_wire) : NULL;
	return o == n ? NULL : o;
}

/* A view of the match the peer has n under: the rewritten one, or the
 * key. */
static struct writer sent_match(const struct adj_node *n)
{
	if (n->wire)
		return (struct writer){ .data = n->wire, .len = n->wire_len };
	return (struct writer){ .data = (uint8_t *)n->match, .len = n->len };
}

/* The peer no longer has n. */
static void node_unsend(struct adjout *a, struct adj_node *n)
{
	if (n->sent) {
		attrs_unref(a, n->sent);
		n->sent = NULL;
		a->nsent--;
	}
	node_set_wire(a, n, NULL);
}

static void node_free(struct adjout *a, struct adj_node *n)
{
	set_state(a, n, NODE_CLEAN);
	tree_remove(&a->nodes, &n->by_key);
	node_unsend(a, n);
	if (n->owns_match)
		free((void *)n->match);
	free(n);
}

static struct adj_node *node_find(const struct adjout *a, enum fs_afi afi,
				  const uint8_t *match, size_t len,
				  struct tree_pos *pos)
{
	struct key k = { afi, match, len };
	struct tree_node *t = tree_search((struct tree *)&a->nodes, &k, pos);
	return t ? TREE_ENTRY(t, struct adj_node, by_key) : NULL;
}

/* A node for e at pos (from node_find); NULL when out of memory. */
static struct adj_node *node_new(struct adjout *a, const struct rib_entry *e,
				 const struct tree_pos *pos)
{
	struct adj_node *n = calloc(1, sizeof *n);
	if (!n) {
		log_msg(LOG_ERROR, "%s: out of memory: %s not sent", a->name,
			rib_entry_text(e));
		return NULL;
	}
	node_attach(n, e);
	tree_insert_at(&a->nodes, &n->by_key, pos);
	return n;
}

/* The node of e, made when missing; NULL when out of memory. */
static struct adj_node *node_get(struct adjout *a, const struct rib_entry *e)
{
	struct tree_pos pos;
	struct adj_node *n = node_find(a, e->rule.afi, e->rule.match.data,
				       e->rule.match.len, &pos);
	return n ? n : node_new(a, e, &pos);
}

/* ---- the rib's changes ---- */

static void changed(void *ctx, enum fs_afi afi, const uint8_t *match,
		    size_t len, const struct rib_entry *e)
{
	struct adjout *a = ctx;
	if (!a->up || !(a->sess.families & bgp_family_of(afi)))
		return;
	struct tree_pos pos;
	struct adj_node *n = node_find(a, afi, match, len, &pos);
	if (!n) {
		if (e && rib_entry_targets(e, &a->cfg.peer) &&
		    (n = node_new(a, e, &pos)))
			mark_dirty(a, n, false);
		return;
	}
	if (e) {
		node_attach(n, e);
	} else if (!n->sent) {
		/* Never sent: the announce and the withdraw cancel out. */
		node_free(a, n);
		return;
	} else if (!node_detach(n)) {
		log_msg(LOG_ERROR, "%s: out of memory: a withdraw is lost",
			a->name);
		node_free(a, n);
		return;
	}
	mark_dirty(a, n, false);
}

/* ---- life cycle ---- */

struct adjout *adjout_new(struct rib *rib, const struct adjout_config *cfg)
{
	struct adjout *a = calloc(1, sizeof *a);
	if (!a)
		return NULL;
	a->rib = rib;
	a->cfg = *cfg;
	a->name = strdup(cfg->name ? cfg->name : "peer");
	a->cfg.name = a->name;
	tree_init(&a->nodes, key_cmp);
	tree_init(&a->wires, wire_cmp);
	tree_init(&a->attrs, attrs_cmp);
	list_init(&a->dirty);
	list_init(&a->refused);
	for (unsigned i = 0; i < 2; i++) {
		enum fs_afi afi = i ? FS_AFI_IPV6 : FS_AFI_IPV4;
		a->eor[i] = (struct link){ .kind = LINK_EOR, .afi = afi };
		a->borr[i] = (struct link){ .kind = LINK_BORR, .afi = afi };
		a->eorr[i] = (struct link){ .kind = LINK_EORR, .afi = afi };
	}
	a->scratch = writer_init(0);
	a->ann = calloc(ADJOUT_BATCH, sizeof *a->ann);
	a->wd = calloc(ADJOUT_BATCH, sizeof *a->wd);
	a->views = calloc(ADJOUT_BATCH, sizeof *a->views);
	a->rules = calloc(ADJOUT_BATCH, sizeof *a->rules);
	a->rws = calloc(ADJOUT_BATCH, sizeof *a->rws);
	struct rib_listener l = { changed, a };
	if (!a->name || !a->ann || !a->wd || !a->views || !a->rules ||
	    !a->rws || !rib_listen(rib, &l)) {
		adjout_free(a);
		return NULL;
	}
	return a;
}

void adjout_stop(struct adjout *a)
{
	struct tree_node *t;
	while ((t = tree_drain(&a->nodes))) {
		struct adj_node *n = TREE_ENTRY(t, struct adj_node, by_key);
		if (n->owns_match)
			free((void *)n->match);
		free(n->wire);
		free(n);
	}
	while ((t = tree_drain(&a->attrs)))
		free(TREE_ENTRY(t, struct attrs, node));
	tree_init(&a->wires, wire_cmp);	/* its nodes went with a->nodes */
	list_init(&a->dirty);
	list_init(&a->refused);
	for (unsigned i = 0; i < 2; i++)
		a->eor[i].next = a->borr[i].next = a->eorr[i].next = NULL;
	a->ndirty = a->nrefused = a->nsent = a->nblocked = a->nrewritten = 0;
	a->eor_pending = 0;
	a->limit_logged = false;
	a->up = false;
}

void adjout_free(struct adjout *a)
{
	if (!a)
		return;
	struct rib_listener l = { changed, a };
	rib_unlisten(a->rib, &l);
	adjout_stop(a);
	writer_free(&a->scratch);
	free(a->ann);
	free(a->wd);
	free(a->views);
	free(a->rules);
	free(a->rws);
	free(a->name);
	free(a);
}

void adjout_start(struct adjout *a, const struct adjout_session *s)
{
	if (a->up)
		adjout_stop(a);
	a->up = true;
	a->sess = *s;
	a->announced = a->withdrawn = 0;
	/* The rib's order is the tree's: append, no comparisons. */
	for (const struct rib_entry *e = rib_next(a->rib, NULL); e;
	     e = rib_next(a->rib, e)) {
		if (!for_peer(a, e))
			continue;
		struct adj_node *n = calloc(1, sizeof *n);
		if (!n) {
			log_msg(LOG_ERROR, "%s: out of memory: %s not sent",
				a->name, rib_entry_text(e));
			continue;
		}
		node_attach(n, e);
		tree_append(&a->nodes, &n->by_key);
		set_state(a, n, NODE_DIRTY);
	}
	for (unsigned i = 0; i < 2; i++) {
		if (a->sess.families & bgp_family_of(a->eor[i].afi)) {
			list_append(&a->dirty, &a->eor[i]);
			a->eor_pending |= 1u << i;
		}
	}
	wake(a, false);
}

void adjout_refresh(struct adjout *a, enum fs_afi afi)
{
	if (!a->up || !(a->sess.families & bgp_family_of(afi)))
		return;
	bool was = adjout_pending(a);
	unsigned i = afi == FS_AFI_IPV6;
	/* Still sending the first table: it ends with End-of-RIB, which
	 * moves behind the re-sent rules; no BoRR/EoRR then. */
	bool first = a->eor[i].next != NULL;
	bool enhanced = !first && a->sess.enhanced_refresh;
	if (enhanced) {
		list_unlink(&a->eorr[i]);
		if (!a->borr[i].next)
			list_append(&a->dirty, &a->borr[i]);
	}
	for (const struct rib_entry *e = rib_next(a->rib, NULL); e;
	     e = rib_next(a->rib, e)) {
		if (e->rule.afi != afi || !for_peer(a, e))
			continue;
		struct adj_node *n = node_get(a, e);
		if (n) {
			n->force = true;
			set_state(a, n, NODE_DIRTY);
		}
	}
	if (first) {
		list_unlink(&a->eor[i]);
		list_append(&a->dirty, &a->eor[i]);
	} else if (enhanced) {
		list_append(&a->dirty, &a->eorr[i]);
	}
	wake(a, was);
}

bool adjout_pending(const struct adjout *a)
{
	return a->up && !list_empty(&a->dirty);
}

/* ---- building UPDATEs ---- */

/* RFC 4724 §2: an UPDATE whose only attribute is an MP_UNREACH_NLRI with
 * the AFI and SAFI and no NLRI. */
static void eor_put(struct writer *w, enum fs_afi afi)
{
	size_t start = bgp_header_put(w, BGP_MSG_UPDATE);
	put_u16(w, 0);				/* withdrawn routes length */
	put_u16(w, 3 + EOR_ATTR_LEN);		/* path attributes length */
	put_u8(w, BGP_ATTR_FLAG_OPTIONAL);
	put_u8(w, BGP_ATTR_MP_UNREACH_NLRI);
	put_u8(w, EOR_ATTR_LEN);
	put_u16(w, (uint16_t)afi);
	put_u8(w, FS_SAFI);
	bgp_header_finish(w, start);
}

static void marker_put(struct adjout *a, struct writer *w, struct link *m,
		       struct adjout_written *out)
{
	list_unlink(m);
	if (m->kind == LINK_EOR) {
		eor_put(w, m->afi);
		out->updates++;
		a->eor_pending &= ~(1u << (m->afi == FS_AFI_IPV6));
		return;
	}
	struct bgp_refresh rr = {
		.afi = (uint16_t)m->afi,
		.subtype = m->kind == LINK_BORR ? BGP_RR_BORR : BGP_RR_EORR,
		.safi = FS_SAFI,
	};
	bgp_refresh_encode(w, &rr);
	out->refreshes++;
}

static void refuse(struct adjout *a, struct adj_node *n)
{
	if (!a->limit_logged)
		log_peer(LOG_WARN, a->name,
			 "max_rules %zu reached: %s and further rules are "
			 "not sent (counted as refused)",
			 a->cfg.max_rules, rib_entry_text(n->entry));
	else
		log_peer(LOG_DEBUG, a->name, "max_rules %zu: not sent: %s",
			 a->cfg.max_rules, rib_entry_text(n->entry));
	set_state(a, n, NODE_REFUSED);
	a->limit_logged = true;
}

/* The profile refused n (n->why says why): withdrawn first when the
 * peer has an earlier version of it (put_withdraws then blocks it). */
static void block(struct adjout *a, struct adj_node *n, size_t *nw)
{
	char why[160];
	profile_reason_format(&a->cfg.profile, &n->why, why, sizeof why);
	log_peer(LOG_WARN, a->name, "not sent (%s): %s", why,
		 rib_entry_text(n->entry));
	if (n->sent)
		a->wd[(*nw)++] = n;
	else
		set_state(a, n, NODE_BLOCKED);
}

/* The profile's decision for n, with the match n is sent as taken in
 * a->wires; *rw is the rewritten rule (in a->rws[slot]) or NULL. False
 * when n is refused (n->why says why). */
static bool apply_profile(struct adjout *a, struct adj_node *n, size_t slot,
			  struct fs_rule **rw)
{
	struct fs_rule *out = &a->rws[slot];
	n->why = profile_apply(&a->cfg.profile, &n->entry->rule, out);
	*rw = n->why.verdict == PROFILE_REWRITE ? out : NULL;
	if (n->why.verdict == PROFILE_REFUSE)
		return false;
	/* Two rules must not become one NLRI at the peer: a rewritten
	 * match that is another rule's key, or a match another rule was
	 * rewritten to. */
	const struct fs_rule *as = *rw ? *rw : &n->entry->rule;
	const struct rib_entry *other =
		*rw ? rib_find(a->rib, as->afi, as->match.data, as->match.len)
		    : NULL;
	enum profile_reason why = PROFILE_OK;
	if ((other && other != n->entry) || wire_owner(a, n, as))
		why = PROFILE_ERR_REWRITE_CLASH;
	else if (!node_set_wire(a, n, *rw))
		why = PROFILE_ERR_NOMEM;
	if (why) {
		fs_rule_clear(*rw);
		*rw = NULL;
		n->why = (struct profile_result){ .verdict = PROFILE_REFUSE,
						  .reason = why };
		return false;
	}
	return true;
}

/* Decides what n needs: an announce (into a->ann), a withdraw (into
 * a->wd), a refusal, or nothing. */
static void plan(struct adjout *a, struct adj_node *n, size_t *na,
		 size_t *nw)
{
	bool force = n->force;
	n->force = false;
	if (!n->entry || !rib_entry_targets(n->entry, &a->cfg.peer)) {
		n->why = (struct profile_result){ 0 };
		if (n->sent)
			a->wd[(*nw)++] = n;
		else
			node_free(a, n);
		return;
	}
	struct fs_rule *rw;
	if (!apply_profile(a, n, *na, &rw)) {
		block(a, n, nw);
		return;
	}
	struct attrs *at = attrs_get(a, rw ? rw : &n->entry->rule);
	if (!at) {
		log_msg(LOG_ERROR, "%s: out of memory: %s not sent", a->name,
			rib_entry_text(n->entry));
		fs_rule_clear(rw);
		if (!n->sent)
			node_set_wire(a, n, NULL);
		return;
	}
	if (at == n->sent && !force) {
		attrs_unref(a, at);
		fs_rule_clear(rw);
		return;
	}
	if (!n->sent) {
		if (a->cfg.max_rules && a->nsent >= a->cfg.max_rules) {
			attrs_unref(a, at);
			fs_rule_clear(rw);
			node_set_wire(a, n, NULL);
			refuse(a, n);
			return;
		}
		a->nsent++;
	}
	a->ann[*na] = (struct announce){ n, at, *na, rw };
	(*na)++;
}

static void build_failed(const struct adjout *a, enum bgp_build_err err,
			 const char *what)
{
	log_msg(LOG_ERROR, "%s: cannot build an UPDATE for %s: %s", a->name,
		what, bgp_build_err_str(err));
}

static int wd_cmp(const void *x, const void *y)
{
	const struct adj_node *a = *(struct adj_node *const *)x;
	const struct adj_node *b = *(struct adj_node *const *)y;
	return (a->afi > b->afi) - (a->afi < b->afi);
}

/* The end of the run of rules[i..n) with the AFI of rules[i]. */
static size_t afi_run(const struct fs_rule *const *rules, size_t i, size_t n)
{
	size_t end = i;
	while (end < n && rules[end]->afi == rules[i]->afi)
		end++;
	return end;
}

static void put_withdraws(struct adjout *a, struct writer *w, size_t nw,
			  struct adjout_written *out)
{
	qsort(a->wd, nw, sizeof *a->wd, wd_cmp);
	for (size_t i = 0; i < nw; i++) {
		/* A view of the match as sent: a withdraw needs only it. */
		const struct adj_node *n = a->wd[i];
		a->views[i] = (struct fs_rule){ .afi = n->afi,
						.match = sent_match(n) };
		a->rules[i] = &a->views[i];
	}
	for (size_t i = 0; i < nw;) {
		size_t taken;
		enum bgp_build_err err = bgp_update_withdraw(
			w, &a->sess.params, a->rules + i,
			afi_run(a->rules, i, nw) - i, &taken);
		if (err != BGP_BUILD_OK) {
			/* The peer keeps it; the next change tries again. */
			build_failed(a, err, "a withdraw");
			i++;
			continue;
		}
		out->updates++;
		for (size_t j = i; j < i + taken; j++) {
			struct adj_node *n = a->wd[j];
			a->withdrawn++;
			if (n->entry && n->why.verdict == PROFILE_REFUSE) {
				node_unsend(a, n);
				set_state(a, n, NODE_BLOCKED);
			} else {
				node_free(a, n);
			}
		}
		i += taken;
	}
}

/* Same AFI and attributes next to each other, else in batch order. */
static int ann_cmp(const void *x, const void *y)
{
	const struct announce *a = x, *b = y;
	if (a->node->afi != b->node->afi)
		return a->node->afi < b->node->afi ? -1 : 1;
	if (a->attrs->seq != b->attrs->seq)
		return a->attrs->seq < b->attrs->seq ? -1 : 1;
	return (a->idx > b->idx) - (a->idx < b->idx);
}

static void put_announces(struct adjout *a, struct writer *w, size_t na,
			  struct adjout_written *out)
{
	qsort(a->ann, na, sizeof *a->ann, ann_cmp);
	for (size_t i = 0; i < na; i++)
		a->rules[i] = a->ann[i].rw ? a->ann[i].rw
					   : &a->ann[i].node->entry->rule;
	for (size_t i = 0; i < na;) {
		size_t taken;
		enum bgp_build_err err = bgp_update_announce(
			w, &a->sess.params, a->rules + i,
			afi_run(a->rules, i, na) - i, &taken);
		if (err != BGP_BUILD_OK) {
			struct announce *x = &a->ann[i];
			build_failed(a, err, rib_entry_text(x->node->entry));
			attrs_unref(a, x->attrs);
			/* Unchanged at the peer; the next change tries again. */
			if (!x->node->sent) {
				a->nsent--;
				node_free(a, x->node);
			}
			i++;
			continue;
		}
		out->updates++;
		for (size_t j = i; j < i + taken; j++) {
			struct announce *x = &a->ann[j];
			attrs_unref(a, x->node->sent);
			x->node->sent = x->attrs;
			a->announced++;
		}
		i += taken;
	}
	for (size_t i = 0; i < na; i++)
		fs_rule_clear(a->ann[i].rw);
}

/* Gives refused rules the places that withdraws freed, first come first. */
static void promote_refused(struct adjout *a)
{
	size_t room = a->cfg.max_rules > a->nsent + a->ndirty
			      ? a->cfg.max_rules - a->nsent - a->ndirty
			      : 0;
	while (a->nrefused && room--)
		set_state(a, NODE_OF_LINK(a->refused.next), NODE_DIRTY);
}

/* Compares and sends the dirty nodes at the front of the FIFO, up to a
 * batch or the octets left; returns how many it took. */
static size_t put_batch(struct adjout *a, struct writer *w, size_t room,
			struct adjout_written *out)
{
	size_t taken = 0, na = 0, nw = 0, octets = 0;
	while (taken < ADJOUT_BATCH && octets < room &&
	       !list_empty(&a->dirty) && a->dirty.next->kind == LINK_NODE) {
		struct adj_node *n = NODE_OF_LINK(a->dirty.next);
		set_state(a, n, NODE_CLEAN);
		octets += n->len + 2;
		taken++;
		plan(a, n, &na, &nw);
	}
	put_withdraws(a, w, nw, out);
	put_announces(a, w, na, out);
	promote_refused(a);
	return taken;
}

struct adjout_written adjout_write(struct adjout *a, struct writer *w,
				   size_t budget)
{
	struct adjout_written out = { 0 };
	size_t work = 0;
	while (adjout_pending(a) && w->len < budget && work < ADJOUT_WORK) {
		struct link *l = a->dirty.next;
		if (l->kind != LINK_NODE) {
			marker_put(a, w, l, &out);
			work++;
		} else {
			work += put_batch(a, w, budget - w->len, &out);
		}
	}
	return out;
}

void adjout_stats(const struct adjout *a, struct adjout_stats *st)
{
	*st = (struct adjout_stats){
		.sent = a->nsent,
		.pending = a->ndirty,
		.refused = a->nrefused,
		.announced = a->announced,
		.withdrawn = a->withdrawn,
		.synced = a->up && !a->eor_pending,
		.profile_refused = a->nblocked,
		.rewritten = a->nrewritten,
	};
}

/* A writer that views n octets of r (never written to or freed). */
static struct writer view_of(struct reader *r, size_t n)
{
	struct writer w = { .len = n };
	if (n && remaining(r) >= n)
		w.data = (uint8_t *)r->data + r->off;
	skip(r, n);
	return w;
}

void adjout_walk(const struct adjout *a,
		 bool (*fn)(void *arg, const struct fs_rule *rule), void *arg)
{
	for (struct tree_node *t = tree_first(&a->nodes); t; t = tree_next(t)) {
		const struct adj_node *n = TREE_ENTRY(t, struct adj_node, by_key);
		if (!n->sent)
			continue;
		/* The attribute set, read back as attrs_get wrote it. */
		struct fs_rule v = { .afi = n->afi, .match = sent_match(n) };
		struct reader r = reader_init(n->sent->data, n->sent->len);
		v.nexthop.family = (enum addr_family)get_u8(&r);
		get_bytes(&r, v.nexthop.bytes, addr_octets(v.nexthop.family));
		v.ext = view_of(&r, get_u32(&r));
		v.ext6 = view_of(&r, get_u32(&r));
		v.comm = view_of(&r, get_u32(&r));
		if (!fn(arg, &v))
			return;
	}
}

enum adjout_state adjout_state(const struct adjout *a, enum fs_afi afi,
			       const uint8_t *match, size_t len)
{
	struct tree_pos pos;
	if (!a->up || fs_validate(afi, match, len, NULL) != FS_OK)
		return ADJOUT_NONE;
	const struct adj_node *n = node_find(a, afi, match, len, &pos);
	if (!n)
		return ADJOUT_NONE;
	switch (n->state) {
	case NODE_DIRTY: return ADJOUT_PENDING;
	case NODE_REFUSED: return ADJOUT_REFUSED;
	case NODE_BLOCKED: return ADJOUT_PROFILE_REFUSED;
	case NODE_CLEAN: break;
	}
	return n->sent ? ADJOUT_SENT : ADJOUT_NONE;
}

void adjout_walk_refused(const struct adjout *a,
			 bool (*fn)(void *arg, const struct fs_rule *rule,
				    const char *reason),
			 void *arg)
{
	for (struct tree_node *t = tree_first(&a->nodes); t && a->nblocked;
	     t = tree_next(t)) {
		const struct adj_node *n =
			TREE_ENTRY(t, struct adj_node, by_key);
		if (n->state != NODE_BLOCKED)
			continue;
		char why[160];
		profile_reason_format(&a->cfg.profile, &n->why, why,
				      sizeof why);
		if (!fn(arg, &n->entry->rule, why))
			return;
	}
}
