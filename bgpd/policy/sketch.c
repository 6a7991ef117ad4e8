/* Heavy hitters, distinct counting and the fingerprint: see sketch.h. */
#include "bgpd/policy/sketch.h"

#include <math.h>
#include <string.h>

#define DISTINCT_BITS 256

unsigned hh_add(struct hh *h, uint64_t key, double w)
{
	unsigned min = 0;
	for (unsigned i = 0; i < h->n; i++) {
		if (h->key[i] == key) {
			h->count[i] += w;
			return i;
		}
		if (h->count[i] < h->count[min])
			min = i;
	}
	if (h->n < SKETCH_SLOTS) {
		h->key[h->n] = key;
		h->count[h->n] = w;
		h->err[h->n] = 0;
		return h->n++;
	}
	/* Space-Saving: the new key takes the smallest slot over. */
	h->key[min] = key;
	h->err[min] = h->count[min];
	h->count[min] += w;
	return min;
}

static void hh_halve(struct hh *h)
{
	for (unsigned i = 0; i < h->n; i++) {
		h->count[i] /= 2;
		h->err[i] /= 2;
	}
}

/* The slot with the largest lower bound not yet used, or SKETCH_SLOTS. */
static unsigned hh_next(const struct hh *h, const bool *used)
{
	unsigned best = SKETCH_SLOTS;
	for (unsigned i = 0; i < h->n; i++)
		if (!used[i] && (best == SKETCH_SLOTS ||
				 h->count[i] - h->err[i] >
					 h->count[best] - h->err[best]))
			best = i;
	return best;
}

uint64_t sketch_hash(const struct addr *a, uint64_t seed)
{
	uint64_t x = seed ^ (uint64_t)a->family;
	for (unsigned i = 0; i < addr_octets(a->family); i++)
		x = (x ^ a->bytes[i]) * 0x100000001b3ull;	/* FNV-1a */
	x ^= x >> 30;
	x *= 0xbf58476d1ce4e5b9ull;
	x ^= x >> 27;
	x *= 0x94d049bb133111ebull;
	return x ^ (x >> 31);
}

void fp_add(struct fingerprint *fp, const struct flow_record *rec, double w)
{
	fp->total += w;
	hh_add(&fp->proto, rec->proto, w);
	hh_add(&fp->dport, rec->dport, w);
	hh_add(&fp->sport, rec->sport, w);
	uint64_t avg = rec->packets ? rec->bytes / rec->packets : 0;
	hh_add(&fp->len_band, avg / SKETCH_LEN_BAND, w);
	hh_add(&fp->flags, rec->tcp_flags, w);
	hh_add(&fp->frag, rec->frag & FLOW_FRAG_IS, w);
	uint64_t sh = sketch_hash(&rec->src, 0);
	fp->src_addr[hh_add(&fp->src, sh, w)] = rec->src;
	fp->dst_addr[hh_add(&fp->dst, sketch_hash(&rec->dst, 0), w)] = rec->dst;
	unsigned bit = (unsigned)(sh % DISTINCT_BITS);
	fp->sources.bits[0][bit / 64] |= 1ull << (bit % 64);
}

void fp_decay(struct fingerprint *fp)
{
	struct hh *all[] = { &fp->proto, &fp->dport, &fp->sport,
			     &fp->len_band, &fp->flags, &fp->frag, &fp->src,
			     &fp->dst };
	for (size_t i = 0; i < sizeof all / sizeof all[0]; i++)
		hh_halve(all[i]);
	fp->total /= 2;
	memcpy(fp->sources.bits[1], fp->sources.bits[0],
	       sizeof fp->sources.bits[0]);
	memset(fp->sources.bits[0], 0, sizeof fp->sources.bits[0]);
}

static unsigned popcount64(uint64_t x)
{
	unsigned n = 0;
	for (; x; x &= x - 1)
		n++;
	return n;
}

uint32_t fp_sources(const struct fingerprint *fp)
{
	unsigned zero = 0;
	for (unsigned i = 0; i < 4; i++)
		zero += popcount64(~(fp->sources.bits[0][i] |
				     fp->sources.bits[1][i]));
	if (zero == 0)
		zero = 1;	/* saturated: the estimate's ceiling */
	double m = DISTINCT_BITS;
	return (uint32_t)lround(-m * log((double)zero / m));
}

unsigned hh_top(const struct hh *h)
{
	bool used[SKETCH_SLOTS] = { false };
	return hh_next(h, used);
}

unsigned hh_dominant(const struct hh *h, double total, uint64_t *keys,
		     unsigned *slots, unsigned max)
{
	if (!(total > 0))
		return 0;
	bool used[SKETCH_SLOTS] = { false };
	double sum = 0;
	for (unsigned n = 0; n < max && n < h->n; n++) {
		unsigned best = hh_next(h, used);
		used[best] = true;
		keys[n] = h->key[best];
		if (slots)
			slots[n] = best;
		sum += h->count[best] - h->err[best];
		if (sum >= SKETCH_COVER * total)
			return n + 1;
	}
	return 0;
}

/* The slots of h by lower bound, largest first, as [{"value": …,
 * "share": …}] (shares are lower bounds);
 * addrs (may be NULL) gives addresses instead of the keys, band a
 * packet-length band. */
static json_t *hh_json(const struct hh *h, double total,
		       const struct addr *addrs, bool band)
{
	json_t *arr = json_array();
	bool used[SKETCH_SLOTS] = { false };
	for (unsigned n = 0; arr && n < h->n; n++) {
		unsigned best = hh_next(h, used);
		used[best] = true;
		double share = total > 0
				       ? (h->count[best] - h->err[best]) / total
				       : 0;
		if (share > 1)
			share = 1;
		json_t *o;
		if (addrs) {
			char buf[ADDR_STRLEN];
			o = json_pack("{s:s,s:f}", "address",
				      addr_format(&addrs[best], buf), "share",
				      share);
		} else if (band) {
			o = json_pack("{s:I,s:I,s:f}", "from",
				      (json_int_t)(h->key[best] *
						   SKETCH_LEN_BAND),
				      "to",
				      (json_int_t)(h->key[best] *
						   SKETCH_LEN_BAND +
						   SKETCH_LEN_BAND - 1),
				      "share", share);
		} else {
			o = json_pack("{s:I,s:f}", "value",
				      (json_int_t)h->key[best], "share", share);
		}
		if (!o || json_array_append_new(arr, o)) {
			json_decref(arr);
			return NULL;
		}
	}
	return arr;
}

json_t *fp_json(const struct fingerprint *fp)
{
	return json_pack("{s:o*,s:o*,s:o*,s:o*,s:o*,s:o*,s:o*,s:o*,s:i}",
			 "protocols", hh_json(&fp->proto, fp->total, NULL, false),
			 "destination_ports",
			 hh_json(&fp->dport, fp->total, NULL, false),
			 "source_ports",
			 hh_json(&fp->sport, fp->total, NULL, false),
			 "packet_lengths",
			 hh_json(&fp->len_band, fp->total, NULL, true),
			 "tcp_flags", hh_json(&fp->flags, fp->total, NULL, false),
			 "fragments", hh_json(&fp->frag, fp->total, NULL, false),
			 "sources",
			 hh_json(&fp->src, fp->total, fp->src_addr, false),
			 "destinations",
			 hh_json(&fp->dst, fp->total, fp->dst_addr, false),
			 "distinct_sources", (int)fp_sources(fp));
}
