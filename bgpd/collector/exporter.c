/* Per-exporter and per-domain state: see exporter.h. */
#include "bgpd/collector/exporter.h"

#include <stdlib.h>
#include <string.h>

static const char *const error_names[CERR__COUNT] = {
	[CERR_TRUNCATED] = "truncated",
	[CERR_VERSION] = "bad_version",
	[CERR_HEADER] = "bad_header",
	[CERR_SET] = "bad_set",
	[CERR_TEMPLATE] = "bad_template",
	[CERR_RECORD] = "bad_record",
	[CERR_SAMPLE] = "bad_sample",
	[CERR_LIMIT] = "over_limit",
};

const char *collector_error_name(enum collector_error e)
{
	return e < CERR__COUNT ? error_names[e] : "unknown";
}

struct domain *exporter_domain(struct exporter *e, enum domain_kind kind,
			       uint32_t id)
{
	for (size_t i = 0; i < e->ndomains; i++)
		if (e->domains[i].kind == kind && e->domains[i].id == id)
			return &e->domains[i];
	if (e->ndomains == EXPORTER_DOMAINS_MAX) {
		e->stats.errors[CERR_LIMIT]++;
		return NULL;
	}
	struct domain *d = &e->domains[e->ndomains++];
	memset(d, 0, sizeof *d);
	d->kind = kind;
	d->id = id;
	return d;
}

void domain_flush(struct exporter *e, struct domain *d)
{
	for (size_t i = 0; i < d->ntemplates; i++)
		template_clear(&d->templates[i]);
	e->ntemplates -= d->ntemplates;
	d->ntemplates = 0;
	d->nsamplers = 0;
	d->sampling = 0;
	d->has_sys_init = false;
}

void exporter_clear(struct exporter *e)
{
	for (size_t i = 0; i < e->ndomains; i++) {
		domain_flush(e, &e->domains[i]);
		free(e->domains[i].templates);
	}
	e->ndomains = 0;
}

void domain_clock(struct domain *d, int64_t arrival_ms, int64_t export_ms)
{
	int64_t off = arrival_ms - export_ms;
	if (!d->has_offset || off < d->offset_ms ||
	    off > d->offset_ms + CLOCK_RESYNC_MS) {
		d->offset_ms = off;
		d->has_offset = true;
	}
}

int64_t uptime_to_ms(int64_t hdr_ms, uint32_t hdr_up, uint32_t t)
{
	/* The distance back from the header, modulo 2^32: a flow that
	 * started before the uptime wrapped still lies a little back. */
	return hdr_ms - (int64_t)(int32_t)(hdr_up - t);
}

/* Uptime may run back this far (packets reordered) without a reboot. */
#define UPTIME_REORDER_MS 10000u
/* From the top quarter of the 32-bit range to the bottom one: a wrap. */
#define UPTIME_HIGH 0xc0000000u
#define UPTIME_LOW 0x40000000u

bool domain_uptime(struct exporter *e, struct domain *d, uint32_t hdr_up)
{
	if (!d->has_uptime || hdr_up >= d->last_uptime ||
	    (d->last_uptime >= UPTIME_HIGH && hdr_up < UPTIME_LOW)) {
		d->has_uptime = true;
		d->last_uptime = hdr_up;
		return false;
	}
	if (d->last_uptime - hdr_up <= UPTIME_REORDER_MS)
		return false;
	d->last_uptime = hdr_up;
	e->stats.reboots++;
	domain_flush(e, d);
	d->has_seq = false;
	d->has_offset = false;
	return true;
}

void domain_sequence(struct exporter *e, struct domain *d, uint32_t seq,
		     uint32_t count)
{
	if (d->has_seq) {
		uint32_t gap = seq - d->next_seq;
		/* Ahead of what we expected: units lost. Behind: reordered
		 * or duplicated, not counted. */
		if (gap && gap < 0x80000000u) {
			e->stats.sequence_gaps++;
			e->stats.lost += gap;
		}
	}
	d->has_seq = true;
	d->next_seq = seq + count;
}
