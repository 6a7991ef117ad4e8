/* Data sets held for their template: see hold.h. */
#include "bgpd/collector/hold.h"

#include <stdlib.h>

static size_t charge(const struct held_set *s)
{
	return (size_t)s->len + HOLD_SET_OVERHEAD;
}

struct held_set *held_set_new(size_t len)
{
	if (len > UINT16_MAX)
		return NULL;
	struct held_set *s = malloc(sizeof *s + len);
	if (s) {
		s->next = NULL;
		s->len = (uint16_t)len;
	}
	return s;
}

/* Unlinks the first set of h (there is one) and frees it. */
static void drop_oldest(struct hold *h, struct hold_pool *p)
{
	struct held_set *s = h->head;
	h->head = s->next;
	if (!h->head)
		h->tail = NULL;
	h->count--;
	h->octets -= charge(s);
	p->total -= charge(s);
	free(s);
}

size_t hold_put(struct hold *h, struct hold_pool *p, struct held_set *s)
{
	size_t need = charge(s), dropped = 0;
	if (need > p->exporter_max || need > p->total_max) {
		free(s);
		return 1;
	}
	while (h->head && (h->octets + need > p->exporter_max ||
			   p->total + need > p->total_max)) {
		drop_oldest(h, p);
		dropped++;
	}
	if (p->total + need > p->total_max) {	/* others hold the rest */
		free(s);
		return dropped + 1;
	}
	s->next = NULL;
	if (h->tail)
		h->tail->next = s;
	else
		h->head = s;
	h->tail = s;
	h->count++;
	h->octets += need;
	p->total += need;
	return dropped;
}

size_t hold_expire(struct hold *h, struct hold_pool *p, int64_t before_ms)
{
	size_t n = 0;
	for (; h->head && h->head->arrival_ms < before_ms; n++)
		drop_oldest(h, p);
	return n;
}

struct held_set *hold_take(struct hold *h, struct hold_pool *p,
			   bool (*ready)(void *arg, const struct held_set *s),
			   void *arg)
{
	struct held_set *out = NULL, **out_tail = &out, **link = &h->head;
	h->tail = NULL;
	while (*link) {
		struct held_set *s = *link;
		if (!ready(arg, s)) {
			h->tail = s;
			link = &s->next;
			continue;
		}
		*link = s->next;
		s->next = NULL;
		*out_tail = s;
		out_tail = &s->next;
		h->count--;
		h->octets -= charge(s);
		p->total -= charge(s);
	}
	return out;
}

struct key {
	uint8_t domain;
	uint16_t template_id;
	bool any_id;
};

static bool key_match(void *arg, const struct held_set *s)
{
	const struct key *k = arg;
	return s->domain == k->domain &&
	       (k->any_id || s->template_id == k->template_id);
}

size_t hold_drop(struct hold *h, struct hold_pool *p, uint8_t domain,
		 uint16_t template_id, bool any_id)
{
	struct key k = { domain, template_id, any_id };
	size_t n = 0;
	for (struct held_set *s = hold_take(h, p, key_match, &k), *next; s;
	     s = next, n++) {
		next = s->next;
		free(s);
	}
	return n;
}

void hold_clear(struct hold *h, struct hold_pool *p)
{
	while (h->head)
		drop_oldest(h, p);
}
