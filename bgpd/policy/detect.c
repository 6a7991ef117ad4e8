/* The detector: windows, their hash table, idle and suspect lists,
 * exporter watermarks. See detect.h. */
#include "bgpd/policy/detect.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define HASH_MIN 1024

struct exporter {
	struct addr addr;
	int64_t watermark;	/* newest flow end received */
	int64_t seen;		/* clock time of the last record */
};

/* A policy that applies to a network, and its group there. */
struct apply {
	uint16_t policy;
	int16_t group;		/* the policy's network that holds it */
};

/* A doubly linked list of tracks (prev/next), newest first. */
struct list {
	struct track *first, *last;
	size_t n;
};

struct detector {
	const struct policy_file *pf;
	struct apply **apply;		/* per network, n_apply[n] of them */
	size_t *n_apply;
	struct track **hash;
	size_t hash_size;		/* a power of two */
	size_t count;
	struct list idle, suspects;
	struct exporter *exporters;
	size_t n_exporters, last_exporter;
	struct track **due;		/* n_policies: one record queues at
					 * most one track per policy (a full
					 * queue waits for the next tick) */
	size_t n_due;
	uint64_t seed;
	struct detect_stats st;
};

/* ---- lists ------------------------------------------------------------ */

static void list_unlink(struct list *l, struct track *t)
{
	if (t->prev)
		t->prev->next = t->next;
	else
		l->first = t->next;
	if (t->next)
		t->next->prev = t->prev;
	else
		l->last = t->prev;
	t->prev = t->next = NULL;
	l->n--;
}

static void list_push(struct list *l, struct track *t)
{
	t->prev = NULL;
	t->next = l->first;
	if (l->first)
		l->first->prev = t;
	else
		l->last = t;
	l->first = t;
	l->n++;
}

static struct list *list_of(struct detector *d, const struct track *t)
{
	return t->flags & TRACK_SUSPECT ? &d->suspects : &d->idle;
}

/* ---- new / free -------------------------------------------------------- */

static bool build_apply(struct detector *d)
{
	const struct policy_file *pf = d->pf;
	size_t nn = pf->n_networks ? pf->n_networks : 1;
	d->apply = calloc(nn, sizeof *d->apply);
	d->n_apply = calloc(nn, sizeof *d->n_apply);
	if (!d->apply || !d->n_apply)
		return false;
	for (size_t n = 0; n < pf->n_networks; n++) {
		d->apply[n] = calloc(pf->n_policies ? pf->n_policies : 1,
				     sizeof *d->apply[n]);
		if (!d->apply[n])
			return false;
		for (size_t p = 0; p < pf->n_policies; p++) {
			const struct policy *pol = &pf->policies[p];
			for (size_t k = 0; k < pol->n_networks; k++) {
				if (!policy_network_within(pf, (int)n,
							   pol->networks[k]))
					continue;
				d->apply[n][d->n_apply[n]++] = (struct apply){
					(uint16_t)p, (int16_t)pol->networks[k]
				};
				break;
			}
		}
	}
	return true;
}

struct detector *detect_new(const struct policy_file *pf)
{
	struct detector *d = calloc(1, sizeof *d);
	if (!d)
		return NULL;
	d->pf = pf;
	d->hash_size = HASH_MIN;
	d->hash = calloc(d->hash_size, sizeof *d->hash);
	d->exporters = calloc(DETECT_EXPORTERS_MAX, sizeof *d->exporters);
	d->due = calloc(pf->n_policies ? pf->n_policies : 1, sizeof *d->due);
	d->seed = 0x9e3779b97f4a7c15ull;
	if (!d->hash || !d->exporters || !d->due || !build_apply(d) ||
	    pf->n_networks > INT16_MAX || pf->n_policies > UINT16_MAX) {
		detect_free(d);
		return NULL;
	}
	return d;
}

static void track_free(struct track *t)
{
	free(t->fp);
	free(t);
}

void detect_free(struct detector *d)
{
	if (!d)
		return;
	for (size_t i = 0; d->hash && i < d->hash_size; i++) {
		for (struct track *t = d->hash[i], *next; t; t = next) {
			next = t->hnext;
			track_free(t);
		}
	}
	free(d->hash);
	for (size_t n = 0; d->apply && n < d->pf->n_networks; n++)
		free(d->apply[n]);
	free(d->apply);
	free(d->n_apply);
	free(d->exporters);
	free(d->due);
	free(d);
}

/* ---- the hash table ---------------------------------------------------- */

static uint64_t track_hash(const struct detector *d, const struct addr *dst,
			   unsigned policy, int net)
{
	return sketch_hash(dst, d->seed ^ ((uint64_t)policy << 32) ^
				 (uint64_t)(uint16_t)net);
}

static bool track_is(const struct track *t, const struct addr *dst,
		     unsigned policy, int net)
{
	return t->policy == policy && t->net == net &&
	       t->dst.family == dst->family &&
	       memcmp(t->dst.bytes, dst->bytes, addr_octets(dst->family)) == 0;
}

/* Doubles the table when it is fuller than one track per slot. */
static void hash_grow(struct detector *d)
{
	size_t size = d->hash_size * 2;
	struct track **h = calloc(size, sizeof *h);
	if (!h)
		return;		/* longer chains, still correct */
	for (size_t i = 0; i < d->hash_size; i++) {
		for (struct track *t = d->hash[i], *next; t; t = next) {
			next = t->hnext;
			size_t s = track_hash(d, &t->dst, t->policy, t->net) &
				   (size - 1);
			t->hnext = h[s];
			h[s] = t;
		}
	}
	free(d->hash);
	d->hash = h;
	d->hash_size = size;
}

static void hash_unlink(struct detector *d, struct track *t)
{
	size_t s = track_hash(d, &t->dst, t->policy, t->net) &
		   (d->hash_size - 1);
	for (struct track **pp = &d->hash[s]; *pp; pp = &(*pp)->hnext) {
		if (*pp == t) {
			*pp = t->hnext;
			return;
		}
	}
}

static void track_drop(struct detector *d, struct track *t)
{
	hash_unlink(d, t);
	list_unlink(list_of(d, t), t);
	d->count--;
	track_free(t);
}

/* The track for the key, made when missing; NULL when there is no room
 * (every track a suspect) or no memory. */
static struct track *track_get(struct detector *d, const struct addr *dst,
			       unsigned policy, int net)
{
	uint64_t h = track_hash(d, dst, policy, net);
	for (struct track *t = d->hash[h & (d->hash_size - 1)]; t;
	     t = t->hnext)
		if (track_is(t, dst, policy, net))
			return t;
	if (d->count >= d->pf->max_tracked) {
		/* A queued track stays until the engine has seen it. */
		if (!d->idle.last || (d->idle.last->flags & TRACK_DUE))
			return NULL;
		track_drop(d, d->idle.last);
		d->st.evicted++;
	}
	struct track *t = calloc(1, sizeof *t);
	if (!t)
		return NULL;
	t->dst = *dst;
	t->policy = (uint16_t)policy;
	t->net = (int16_t)net;
	t->head = INT64_MIN;
	if (d->count >= d->hash_size)
		hash_grow(d);
	size_t s = h & (d->hash_size - 1);
	t->hnext = d->hash[s];
	d->hash[s] = t;
	d->count++;
	list_push(&d->idle, t);
	return t;
}

/* ---- windows ----------------------------------------------------------- */

static int64_t bucket_ms(const struct policy *p)
{
	return (int64_t)p->window_s * 1000 / DETECT_BUCKETS;
}

static struct bucket *bucket_at(struct track *t, int64_t n)
{
	int64_t i = n % DETECT_BUCKETS;
	return &t->b[i < 0 ? i + DETECT_BUCKETS : i];
}

/* Makes bucket n the newest, emptying the ones it passes. */
static void advance(struct track *t, int64_t n)
{
	if (t->head != INT64_MIN && n <= t->head)
		return;
	if (t->head == INT64_MIN || n - t->head >= DETECT_BUCKETS) {
		memset(t->b, 0, sizeof t->b);
	} else {
		for (int64_t k = t->head + 1; k <= n; k++)
			*bucket_at(t, k) = (struct bucket){ 0, 0, 0 };
	}
	t->head = n;
}

/* Spreads the record over the buckets its start..end overlaps; false
 * when all of it is older than the window. */
static bool spread(struct track *t, const struct policy *p,
		   const struct flow_record *rec)
{
	int64_t bw = bucket_ms(p);
	int64_t t0 = rec->start_ms, t1 = rec->end_ms;
	if (t0 < 0)
		t0 = 0;
	if (t1 < t0)
		t1 = t0;
	advance(t, t1 / bw);
	int64_t oldest = t->head - DETECT_BUCKETS + 1;
	int64_t b1 = t1 / bw;
	if (b1 < oldest)
		return false;
	double dur = (double)(t1 - t0);
	int64_t b0 = t0 / bw < oldest ? oldest : t0 / bw;
	for (int64_t b = b0; b <= b1; b++) {
		double share = 1;
		if (dur > 0) {
			int64_t lo = b * bw > t0 ? b * bw : t0;
			int64_t hi = (b + 1) * bw < t1 ? (b + 1) * bw : t1;
			share = (double)(hi - lo) / dur;
		}
		struct bucket *k = bucket_at(t, b);
		k->bytes += (float)(share * (double)rec->bytes);
		k->packets += (float)(share * (double)rec->packets);
		k->flows += (float)share;
	}
	return true;
}

void detect_measure(const struct detector *d, struct track *t,
		    int64_t end_ms, struct window_sum *out)
{
	const struct policy *p = &d->pf->policies[t->policy];
	int64_t bw = bucket_ms(p);
	int64_t n = end_ms / bw;
	advance(t, n);
	*out = (struct window_sum){ 0, 0, 0, 0 };
	for (unsigned i = 0; i < DETECT_BUCKETS; i++) {
		out->bytes += t->b[i].bytes;
		out->packets += t->b[i].packets;
		out->flows += t->b[i].flows;
	}
	/* The newest bucket is covered up to end_ms only. */
	int64_t covered = (DETECT_BUCKETS - 1) * bw;
	if (n == t->head)
		covered += end_ms - n * bw;
	else
		covered += bw;
	if (covered < bw)
		covered = bw;
	out->seconds = (double)covered / 1000;
}

double detect_rate(const struct policy *p, const struct window_sum *w)
{
	switch (p->metric) {
	case POLICY_BPS: return w->bytes * 8 / w->seconds;
	case POLICY_PPS: return w->packets / w->seconds;
	case POLICY_FLOWS: return w->flows / w->seconds;
	}
	return 0;
}

/* ---- exporters --------------------------------------------------------- */

static struct exporter *exporter_get(struct detector *d, const struct addr *a)
{
	if (d->last_exporter < d->n_exporters &&
	    memcmp(&d->exporters[d->last_exporter].addr, a, sizeof *a) == 0)
		return &d->exporters[d->last_exporter];
	for (size_t i = 0; i < d->n_exporters; i++) {
		if (memcmp(&d->exporters[i].addr, a, sizeof *a) == 0) {
			d->last_exporter = i;
			return &d->exporters[i];
		}
	}
	if (d->n_exporters == DETECT_EXPORTERS_MAX)
		return NULL;
	struct exporter *e = &d->exporters[d->n_exporters];
	*e = (struct exporter){ *a, INT64_MIN, 0 };
	d->last_exporter = d->n_exporters++;
	return e;
}

static int64_t exporter_end(const struct exporter *e, int64_t now_ms)
{
	int64_t silent = now_ms - e->seen - DETECT_SILENCE_MS;
	return e->watermark + (silent > 0 ? silent : 0);
}

int64_t detect_window_end(const struct detector *d, const struct track *t,
			  int64_t now_ms)
{
	return exporter_end(&d->exporters[t->exporter], now_ms);
}

/* ---- records ----------------------------------------------------------- */

static bool port_in(const uint16_t *ports, unsigned n, uint16_t port)
{
	for (unsigned i = 0; i < n; i++)
		if (ports[i] == port)
			return true;
	return n == 0;
}

static bool matches(const struct policy_match *m,
		    const struct flow_record *rec)
{
	if ((m->protos[0] | m->protos[1] | m->protos[2] | m->protos[3]) &&
	    !(m->protos[rec->proto / 64] & (1ull << (rec->proto % 64))))
		return false;
	if (!port_in(m->dports, m->n_dports, rec->dport) ||
	    !port_in(m->sports, m->n_sports, rec->sport))
		return false;
	if ((rec->tcp_flags & m->flags_set) != m->flags_set ||
	    (rec->tcp_flags & m->flags_unset))
		return false;
	if (m->len_max) {
		uint64_t avg = rec->packets ? rec->bytes / rec->packets : 0;
		if (avg < m->len_min || avg > m->len_max)
			return false;
	}
	if (m->fragment >= 0 && !!(rec->frag & FLOW_FRAG_IS) != m->fragment)
		return false;
	if (m->n_sources == 0)
		return true;
	struct prefix src = { rec->src, (uint8_t)addr_bits(rec->src.family) };
	for (size_t i = 0; i < m->n_sources; i++)
		if (prefix_covers(&m->sources[i], &src))
			return true;
	return false;
}

static double weight(const struct policy *p, const struct flow_record *rec)
{
	switch (p->metric) {
	case POLICY_BPS: return (double)rec->bytes;
	case POLICY_PPS: return (double)rec->packets;
	case POLICY_FLOWS: return 1;
	}
	return 0;
}

void detect_flow(struct detector *d, const struct flow_record *rec,
		 int64_t now_ms)
{
	d->st.records++;
	struct exporter *e = exporter_get(d, &rec->exporter);
	if (!e) {
		d->st.dropped++;
		return;
	}
	if (rec->end_ms > e->watermark)
		e->watermark = rec->end_ms;
	e->seen = now_ms;
	int n = rec->dst.family == ADDR_NONE ? -1
					      : policy_network_of(d->pf, &rec->dst);
	if (n < 0) {
		d->st.untracked++;
		return;
	}
	int64_t end = exporter_end(e, now_ms);
	for (size_t i = 0; i < d->n_apply[n]; i++) {
		const struct apply *a = &d->apply[n][i];
		const struct policy *p = &d->pf->policies[a->policy];
		if (!matches(&p->match, rec))
			continue;
		struct addr key = rec->dst;
		int net = n;
		if (p->scope == POLICY_SCOPE_GROUP) {
			memset(key.bytes, 0, sizeof key.bytes);
			net = a->group;
		}
		struct track *t = track_get(d, &key, a->policy, net);
		if (!t) {
			d->st.dropped++;
			continue;
		}
		t->exporter = (uint16_t)(e - d->exporters);
		if (!spread(t, p, rec)) {
			d->st.late++;
			continue;
		}
		if (t->fp)
			fp_add(t->fp, rec, weight(p, rec));
		struct window_sum w;
		detect_measure(d, t, end, &w);
		double rate = detect_rate(p, &w);
		if (!t->fp && rate >= p->threshold / DETECT_SUSPECT_DIV &&
		    detect_promote(d, t, now_ms))
			fp_add(t->fp, rec, weight(p, rec));
		if (!(t->flags & TRACK_SUSPECT)) {
			list_unlink(&d->idle, t);	/* most recent first */
			list_push(&d->idle, t);
		}
		if (rate >= p->threshold && !t->mit &&
		    !(t->flags & (TRACK_DUE | TRACK_REPORTED | TRACK_CAPPED)) &&
		    d->n_due < d->pf->n_policies) {
			t->flags |= TRACK_DUE;
			d->due[d->n_due++] = t;
		}
	}
}

struct track *detect_due(struct detector *d)
{
	if (d->n_due == 0)
		return NULL;
	struct track *t = d->due[--d->n_due];
	t->flags &= (uint8_t)~TRACK_DUE;
	return t;
}

/* ---- suspects ---------------------------------------------------------- */

struct track *detect_suspects(const struct detector *d)
{
	return d->suspects.first;
}

bool detect_promote(struct detector *d, struct track *t, int64_t now_ms)
{
	if (t->fp)
		return true;
	if (d->suspects.n >= DETECT_SUSPECTS_MAX)
		return false;
	t->fp = calloc(1, sizeof *t->fp);
	if (!t->fp)
		return false;
	t->fp->decayed_ms = now_ms;
	list_unlink(&d->idle, t);
	t->flags |= TRACK_SUSPECT;
	list_push(&d->suspects, t);
	return true;
}

void detect_demote(struct detector *d, struct track *t)
{
	if (!(t->flags & TRACK_SUSPECT))
		return;
	list_unlink(&d->suspects, t);
	t->flags &= (uint8_t)~TRACK_SUSPECT;
	free(t->fp);
	t->fp = NULL;
	list_push(&d->idle, t);
}

struct track *detect_host_track(struct detector *d, unsigned policy,
				const struct addr *dst, int64_t now_ms)
{
	if (policy >= d->pf->n_policies ||
	    d->pf->policies[policy].scope != POLICY_SCOPE_HOST)
		return NULL;
	int n = policy_network_of(d->pf, dst);
	if (n < 0)
		return NULL;
	for (size_t i = 0; i < d->n_apply[n]; i++) {
		if (d->apply[n][i].policy != policy)
			continue;
		struct track *t = track_get(d, dst, policy, n);
		return t && detect_promote(d, t, now_ms) ? t : NULL;
	}
	return NULL;
}

void detect_trim(struct detector *d, int64_t now_ms, size_t max)
{
	for (size_t i = 0; i < max && d->idle.last; i++) {
		struct track *t = d->idle.last;
		const struct policy *p = &d->pf->policies[t->policy];
		int64_t newest = detect_window_end(d, t, now_ms) / bucket_ms(p);
		if (t->head > newest - DETECT_BUCKETS)
			return;		/* the rest were fed later still */
		track_drop(d, t);
	}
}

const char *detect_target(const struct detector *d, const struct track *t,
			  char *buf, size_t len)
{
	const struct policy *p = &d->pf->policies[t->policy];
	if (p->scope == POLICY_SCOPE_GROUP)
		snprintf(buf, len, "%s", d->pf->networks[t->net].name);
	else if (len >= ADDR_STRLEN)
		addr_format(&t->dst, buf);
	return buf;
}

void detect_stats(const struct detector *d, struct detect_stats *out)
{
	*out = d->st;
	out->tracked = d->count;
	out->suspects = d->suspects.n;
	out->exporters = d->n_exporters;
}

size_t detect_memory(const struct detector *d)
{
	return d->count * sizeof(struct track) +
	       d->suspects.n * sizeof(struct fingerprint) +
	       d->hash_size * sizeof *d->hash;
}
