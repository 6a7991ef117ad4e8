/* The attack fingerprint of a suspect destination: heavy hitters of each
 * property (Space-Saving, a fixed number of slots: bounded memory however
 * many values are seen), a distinct-source estimate, and the values that
 * dominate, which become the match of a rule. */
#ifndef BGPD_POLICY_SKETCH_H
#define BGPD_POLICY_SKETCH_H

#include <stdbool.h>
#include <stdint.h>

#include <jansson.h>

#include "bgpd/collector/flow.h"
#include "lib/addr.h"

#define SKETCH_SLOTS 8
#define SKETCH_LEN_BAND 64	/* packet lengths are kept in bands this wide */
/* Values that together carry this share of the traffic dominate it. */
#define SKETCH_COVER 0.9
#define SKETCH_DOMINANT_MAX 4	/* at most this many values in a rule */

/* Space-Saving (Metwally et al. 2005): the SKETCH_SLOTS heaviest keys,
 * each count over-estimated by at most its err (the count of the key it
 * replaced); count - err is a guaranteed lower bound, and what shares and
 * dominance use, so a flood of random keys dominates nothing. */
struct hh {
	uint64_t key[SKETCH_SLOTS];
	double count[SKETCH_SLOTS];
	double err[SKETCH_SLOTS];
	unsigned n;
};

/* A 64-bit hash of an address and a seed (FNV-1a, splitmix64 finish). */
uint64_t sketch_hash(const struct addr *a, uint64_t seed);

/* Adds w to key; returns its slot. */
unsigned hh_add(struct hh *h, uint64_t key, double w);

/* Linear counting over 256 bits (Whang et al. 1990), two generations so
 * the estimate covers the current and the previous window. */
struct distinct {
	uint64_t bits[2][4];
};

struct fingerprint {
	struct hh proto, dport, sport, len_band, flags, frag;
	struct hh src, dst;		/* keyed by a hash of the address */
	struct addr src_addr[SKETCH_SLOTS], dst_addr[SKETCH_SLOTS];
	struct distinct sources;
	double total;			/* weight of everything added */
	int64_t decayed_ms;		/* when the counts were last halved */
};

/* Adds a flow with weight w (the policy's metric: bytes, packets or 1). */
void fp_add(struct fingerprint *fp, const struct flow_record *rec, double w);
/* Halves every count and starts a new source generation. */
void fp_decay(struct fingerprint *fp);
/* Distinct sources seen in the current and the previous generation. */
uint32_t fp_sources(const struct fingerprint *fp);

/* The slot of h with the largest lower bound; SKETCH_SLOTS when empty. */
unsigned hh_top(const struct hh *h);
/* The heaviest keys of h (by lower bound, largest first) that together
 * carry SKETCH_COVER of total, at most max of them; 0 when more would be
 * needed (no dominant values: a random-port flood) or total is 0. */
unsigned hh_dominant(const struct hh *h, double total, uint64_t *keys,
		     unsigned *slots, unsigned max);

/* {"protocols":[{"value":17,"share":0.98}],"destination_ports":…,
 *  "source_ports":…,"packet_lengths":[{"from":64,"to":127,"share":…}],
 *  "tcp_flags":…,"fragments":…,"sources":[{"address":"…","share":…}],
 *  "destinations":…,"distinct_sources":N}, shares of the weight; a new
 * reference, NULL when out of memory. */
json_t *fp_json(const struct fingerprint *fp);

#endif
