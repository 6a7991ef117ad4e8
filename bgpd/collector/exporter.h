/* Per-exporter state: counters, and per observation domain (NetFlow v5
 * engine, v9 source id, IPFIX observation domain, sFlow sub-agent) the
 * clock offset, sequence tracking, templates and sampling; the data sets
 * held for their template (hold.h). Bounded: a fixed number of domains
 * per exporter, templates per exporter and fields per template. */
#ifndef BGPD_COLLECTOR_EXPORTER_H
#define BGPD_COLLECTOR_EXPORTER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "bgpd/collector/hold.h"
#include "bgpd/collector/template.h"
#include "lib/addr.h"

#define EXPORTER_DOMAINS_MAX 16
#define DOMAIN_SAMPLERS_MAX 8
/* A clock offset this much above the smallest seen is taken as a step of
 * the exporter's clock, not as transit delay (DESIGN.md "Time"). */
#define CLOCK_RESYNC_MS 30000

/* Decode errors by kind; collector_error_name gives their names. */
enum collector_error {
	CERR_TRUNCATED,		/* a header or record cut short */
	CERR_VERSION,		/* not NetFlow v5/v9, IPFIX or sFlow v5 */
	CERR_HEADER,		/* counts or lengths that do not add up */
	CERR_SET,		/* a (flow)set with a bad id or length */
	CERR_TEMPLATE,		/* a template that cannot be used */
	CERR_RECORD,		/* a data record that does not fit */
	CERR_SAMPLE,		/* an sFlow sample or flow record */
	CERR_LIMIT,		/* templates or domains over the limit */
	CERR__COUNT
};

const char *collector_error_name(enum collector_error e);

enum domain_kind { DOMAIN_V5 = 5, DOMAIN_V9 = 9, DOMAIN_IPFIX = 10,
		   DOMAIN_SFLOW = 100 };

struct sampler {
	uint32_t id;
	uint32_t rate;
};

struct domain {
	enum domain_kind kind;
	uint32_t id;
	/* Exporter clock -> collector time: exporter ms + offset_ms. */
	bool has_offset;
	int64_t offset_ms;
	bool has_seq;
	uint32_t next_seq;
	bool has_uptime;
	uint32_t last_uptime;
	struct template *templates;	/* owned, ntemplates of them */
	size_t ntemplates, cap_templates;
	uint32_t sampling;		/* from options data; 0: none */
	struct sampler samplers[DOMAIN_SAMPLERS_MAX];
	size_t nsamplers;
	bool has_sys_init;		/* IPFIX systemInitTimeMilliseconds */
	int64_t sys_init_ms;
};

struct exporter_stats {
	uint64_t packets, octets;	/* export datagrams received */
	uint64_t records;		/* flow records decoded */
	uint64_t bytes, flow_packets;	/* what they count (x sampling) */
	uint64_t errors[CERR__COUNT];
	uint64_t missing_template;	/* data sets before their template */
	uint64_t sequence_gaps;		/* times the sequence jumped */
	uint64_t lost;			/* what the jumps skipped (v5, IPFIX:
					 * records; v9, sFlow: packets) */
	uint64_t reboots;		/* uptime went back */
	int64_t last_ms;		/* arrival of the last packet */
	/* Of the data sets before their template (hold.h): held, then
	 * decoded when it came (their records also in late_records) or
	 * dropped (caps, age, withdrawal, reboot). */
	uint64_t held, held_decoded, held_dropped, late_records;
};

struct exporter {
	struct addr addr;
	uint32_t sampling_override;	/* from the allow-list; 0: none */
	struct domain domains[EXPORTER_DOMAINS_MAX];
	size_t ndomains;
	size_t ntemplates;		/* over all domains */
	struct hold hold;		/* data sets awaiting their template */
	struct exporter_stats stats;
};

/* The domain (kind, id) of e, created when new; NULL (counted as a
 * CERR_LIMIT) when e has EXPORTER_DOMAINS_MAX already. */
struct domain *exporter_domain(struct exporter *e, enum domain_kind kind,
			       uint32_t id);
/* Drops every template of d (exporter reboot). */
void domain_flush(struct exporter *e, struct domain *d);
/* Frees the templates (the held sets are the collector's: hold_clear). */
void exporter_clear(struct exporter *e);

/* The exporter's clock against ours: export_ms is what the exporter's
 * header says the time is, arrival_ms when the packet reached us. Keeps
 * the smallest arrival - export (headers count whole seconds), taking a
 * new one when it rises by more than CLOCK_RESYNC_MS (a clock step). */
void domain_clock(struct domain *d, int64_t arrival_ms, int64_t export_ms);
/* Unix ms of uptime t, for a header that says uptime hdr_up at Unix
 * hdr_ms (32-bit wrap handled: t may lie before or after a wrap). */
int64_t uptime_to_ms(int64_t hdr_ms, uint32_t hdr_up, uint32_t t);
/* Uptime hdr_up arrived; true when it went back (the exporter rebooted),
 * in which case the domain's templates and sequence are reset. */
bool domain_uptime(struct exporter *e, struct domain *d, uint32_t hdr_up);
/* Sequence seq arrived, covering count units (records or packets);
 * counts a gap when units before it are missing. */
void domain_sequence(struct exporter *e, struct domain *d, uint32_t seq,
		     uint32_t count);

#endif
