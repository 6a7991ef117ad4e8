/* The detector: sliding windows per (policy, destination) over the flow
 * records, or per (policy, network) for scope "group". Each window is
 * DETECT_BUCKETS coarse buckets of window / DETECT_BUCKETS; a flow's
 * bytes, packets and its one record are spread over its start..end (a
 * long flow exported at once does not spike). A window ends at its
 * exporter's watermark (the newest flow end received), so late data still
 * counts; once the exporter has been silent for DETECT_SILENCE_MS the
 * end moves on at clock speed, so a silent exporter's windows drain (and
 * the gaps between export packets do not read as falling traffic).
 *
 * Memory is bounded: at most max_tracked windows (the least recently fed
 * idle one makes room), and only suspects (past threshold /
 * DETECT_SUSPECT_DIV) carry a fingerprint. The cost per record is the
 * network lookup (a binary search over the networks' prefixes, lib/lpm),
 * one exporter lookup and, per policy that applies, one hash lookup and
 * at most DETECT_BUCKETS additions; nothing scans all destinations. */
#ifndef BGPD_POLICY_DETECT_H
#define BGPD_POLICY_DETECT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "bgpd/collector/flow.h"
#include "bgpd/policy/policy.h"
#include "bgpd/policy/sketch.h"

#define DETECT_BUCKETS 20	/* rate within 1/20 of the exact one */
#define DETECT_SUSPECT_DIV 4
#define DETECT_SUSPECTS_MAX 16384	/* a fingerprint is about 2 KiB */
#define DETECT_EXPORTERS_MAX 4096
#define DETECT_SILENCE_MS 2000

struct mitigation;

struct bucket {
	float bytes, packets, flows;
};

/* Track flags, for the engine. */
#define TRACK_SUSPECT 0x01	/* has a fingerprint, on the suspects list */
#define TRACK_DUE 0x02		/* crossed its threshold: decide now */
#define TRACK_REPORTED 0x04	/* refused or dry-run reported this episode */
#define TRACK_CAPPED 0x08	/* withdrawn at max_lifetime this episode */

/* One window. */
struct track {
	struct track *hnext;		/* hash chain */
	struct track *prev, *next;	/* idle (LRU) or suspects list */
	struct addr dst;		/* group scope: the family only */
	uint16_t policy;		/* index in the policy file */
	int16_t net;			/* host: the destination's network;
					 * group: the policy's network */
	uint16_t exporter;		/* the exporter that fed it last */
	uint8_t flags;
	int64_t head;			/* number of the newest bucket */
	struct bucket b[DETECT_BUCKETS];
	struct fingerprint *fp;		/* suspects only */
	struct mitigation *mit;		/* the engine's; NULL: none */
};

/* What a window holds at a time. */
struct window_sum {
	double bytes, packets, flows;	/* in the window */
	double seconds;			/* the time it covers */
};

struct detect_stats {
	uint64_t records;	/* given to detect_flow */
	uint64_t untracked;	/* destination in no network */
	uint64_t late;		/* wholly older than their window */
	uint64_t dropped;	/* no room (tracks, suspects, exporters) */
	uint64_t evicted;	/* idle windows dropped to make room */
	size_t tracked, suspects, exporters;
};

struct detector;

/* A detector for pf (which must outlive it); NULL when out of memory. */
struct detector *detect_new(const struct policy_file *pf);
void detect_free(struct detector *d);	/* NULL-safe */

/* Adds one record at clock time now_ms (the flows' time base). Tracks
 * that reach their policy's threshold and hold no mitigation and no
 * TRACK_REPORTED / TRACK_CAPPED flag are queued for detect_due. */
void detect_flow(struct detector *d, const struct flow_record *rec,
		 int64_t now_ms);
/* Takes the next queued track, or NULL. */
struct track *detect_due(struct detector *d);

/* Where t's window ends at clock time now_ms (its exporter's watermark,
 * moved on by the time the exporter has been silent past
 * DETECT_SILENCE_MS). */
int64_t detect_window_end(const struct detector *d, const struct track *t,
			  int64_t now_ms);
/* The sums of t's window ending at end_ms (old buckets are dropped). */
void detect_measure(const struct detector *d, struct track *t,
		    int64_t end_ms, struct window_sum *out);
/* The policy's metric per second from a window. */
double detect_rate(const struct policy *p, const struct window_sum *w);

/* The suspects list: first, and next (NULL at the end). */
struct track *detect_suspects(const struct detector *d);
/* Gives t a fingerprint (false when out of room) / takes it away. */
bool detect_promote(struct detector *d, struct track *t, int64_t now_ms);
void detect_demote(struct detector *d, struct track *t);
/* The track of the host-scope policy for destination dst, made when
 * missing, and a suspect (the engine keeps its mitigations on suspects):
 * for a mitigation the engine adopts. NULL when the policy's scope is
 * group, dst is in none of the policy's networks, or there is no room. */
struct track *detect_host_track(struct detector *d, unsigned policy,
				const struct addr *dst, int64_t now_ms);
/* Frees up to max idle tracks whose windows hold nothing any more. */
void detect_trim(struct detector *d, int64_t now_ms, size_t max);

/* "10.50.100.100", or the network's name for scope group. */
const char *detect_target(const struct detector *d, const struct track *t,
			  char *buf, size_t len);

void detect_stats(const struct detector *d, struct detect_stats *out);
/* Octets allocated for tracks and fingerprints. */
size_t detect_memory(const struct detector *d);

#endif
