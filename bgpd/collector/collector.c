/* The decoding core: exporter table, dispatch by version, the record
 * sink. See collector.h. */
#include "bgpd/collector/collector.h"

#include <stdlib.h>
#include <string.h>

#include "bgpd/collector/decode.h"
#include "lib/log.h"

/* The version field that tells the formats apart: NetFlow v5, v9 and
 * IPFIX start with a 16-bit version (5, 9, 10); sFlow with a 32-bit one
 * (5), so its first 16 bits are 0. */
#define NETFLOW_V5 5			/* Cisco NetFlow v5 header */
#define NETFLOW_V9 9			/* RFC 3954 §5.1 */
#define IPFIX_VERSION 10		/* RFC 7011 §3.1 */
#define SFLOW_HI 0			/* sFlow v5: version 0x00000005 */
#define SFLOW_VERSION 5

struct collector {
	struct collector_config cfg;
	collector_flow_fn fn;
	void *arg;
	struct exporter **exporters;	/* in arrival order, owned */
	size_t nexporters;
	size_t *slots;			/* open addressing: index + 1 */
	size_t nslots;			/* a power of two > 2 x max */
	struct collector_totals totals;
	struct hold_pool hold;		/* all exporters' held data sets */
};

/* The exporter table for max exporters, empty; false when out of
 * memory (c unchanged). */
static bool table_new(struct collector *c, uint32_t max)
{
	size_t nslots = 16;
	while (nslots < 2 * (size_t)max)
		nslots *= 2;
	size_t *slots = calloc(nslots, sizeof *slots);
	struct exporter **exporters = calloc(max, sizeof *exporters);
	if (!slots || !exporters) {
		free(slots);
		free(exporters);
		return false;
	}
	c->slots = slots;
	c->nslots = nslots;
	c->exporters = exporters;
	c->nexporters = 0;
	return true;
}

/* The hold's limits from the config: a set waits no longer than a
 * template lives unrefreshed, and at most COLLECTOR_HOLD_AGE_MAX. */
static void hold_limits(struct collector *c)
{
	uint32_t age = c->cfg.template_timeout_s;
	if (age > COLLECTOR_HOLD_AGE_MAX)
		age = COLLECTOR_HOLD_AGE_MAX;
	c->hold.exporter_max = c->cfg.hold_octets;
	c->hold.total_max = c->cfg.hold_total_octets;
	c->hold.age_ms = (int64_t)age * 1000;
}

struct collector *collector_new(struct collector_config *cc)
{
	struct collector *c = calloc(1, sizeof *c);
	if (!c || !table_new(c, cc->max_exporters)) {
		free(c);
		return NULL;
	}
	c->cfg = *cc;
	collector_config_init(cc);
	hold_limits(c);
	return c;
}

static void exporter_free(struct collector *c, struct exporter *e)
{
	hold_clear(&e->hold, &c->hold);
	exporter_clear(e);
	free(e);
}

void collector_free(struct collector *c)
{
	if (!c)
		return;
	for (size_t i = 0; i < c->nexporters; i++)
		exporter_free(c, c->exporters[i]);
	free(c->exporters);
	free(c->slots);
	collector_config_clear(&c->cfg);
	free(c);
}

const struct collector_config *collector_config(const struct collector *c)
{
	return &c->cfg;
}

void collector_set_sink(struct collector *c, collector_flow_fn fn, void *arg)
{
	c->fn = fn;
	c->arg = arg;
}

static size_t addr_hash(const struct addr *a)
{
	uint32_t h = 2166136261u;
	for (unsigned i = 0; i < addr_octets(a->family); i++)
		h = (h ^ a->bytes[i]) * 16777619u;
	return h;
}

/* The slot of the exporter at a, or the empty slot where it goes. */
static size_t slot_of(const struct collector *c, const struct addr *a)
{
	size_t mask = c->nslots - 1, i = addr_hash(a) & mask;
	while (c->slots[i] &&
	       !addr_equal(&c->exporters[c->slots[i] - 1]->addr, a))
		i = (i + 1) & mask;
	return i;
}

/* Appends e to the table (which has room for it). */
static void table_add(struct collector *c, struct exporter *e)
{
	size_t i = slot_of(c, &e->addr);
	c->exporters[c->nexporters++] = e;
	c->slots[i] = c->nexporters;
}

/* The exporter at `from`, created when new; NULL (counted) when it is
 * not allowed or the table is full. */
static struct exporter *exporter_get(struct collector *c,
				     const struct addr *from)
{
	size_t i = slot_of(c, from);
	if (c->slots[i])
		return c->exporters[c->slots[i] - 1];
	const struct collector_allow *allow =
		collector_config_allowed(&c->cfg, from);
	char buf[ADDR_STRLEN];
	if (!allow) {
		if (!c->totals.not_allowed++)
			log_peer(LOG_WARN, addr_format(from, buf),
				 "export from outside the collector's "
				 "exporters list dropped (counted from now "
				 "on)");
		return NULL;
	}
	if (c->nexporters == c->cfg.max_exporters) {
		if (!c->totals.over_exporter_limit++)
			log_peer(LOG_WARN, addr_format(from, buf),
				 "max_exporters (%u) reached: export from a "
				 "new exporter dropped", c->cfg.max_exporters);
		return NULL;
	}
	struct exporter *e = calloc(1, sizeof *e);
	if (!e)
		return NULL;
	e->addr = *from;
	e->sampling_override = allow->sampling;
	table_add(c, e);
	log_peer(LOG_INFO, addr_format(from, buf), "new exporter");
	return e;
}

bool collector_reconfigure(struct collector *c, struct collector_config *cc,
			   struct collector_reconfigured *out)
{
	struct collector old = *c;
	if (!table_new(c, cc->max_exporters))
		return false;
	*out = (struct collector_reconfigured){ 0 };
	char buf[ADDR_STRLEN];
	for (size_t i = 0; i < old.nexporters; i++) {
		struct exporter *e = old.exporters[i];
		const struct collector_allow *allow =
			collector_config_allowed(cc, &e->addr);
		if (!allow || c->nexporters == cc->max_exporters) {
			log_peer(LOG_INFO, addr_format(&e->addr, buf),
				 "exporter state dropped: %s", allow ?
				 "over the new max_exporters" :
				 "no longer in the exporters list");
			exporter_free(c, e);
			out->dropped++;
			continue;
		}
		e->sampling_override = allow->sampling;
		table_add(c, e);
		out->kept++;
	}
	free(old.exporters);
	free(old.slots);
	collector_config_clear(&c->cfg);
	c->cfg = *cc;
	collector_config_init(cc);
	hold_limits(c);
	return true;
}

void decode_emit(struct decode *d, struct flow_record *r, uint32_t rate)
{
	struct exporter *e = d->e;
	uint32_t s = e->sampling_override ? e->sampling_override
					  : rate ? rate : 1;
	r->exporter = e->addr;
	r->sampling = s;
	r->bytes *= s;
	r->packets *= s;
	e->stats.records++;
	e->stats.bytes += r->bytes;
	e->stats.flow_packets += r->packets;
	d->emitted++;
	if (d->fn)
		d->fn(d->arg, r);
}

void decode_error(struct decode *d, enum collector_error err,
		  const char *what)
{
	d->e->stats.errors[err]++;
	char buf[ADDR_STRLEN];
	log_peer(LOG_DEBUG, addr_format(&d->e->addr, buf), "%s: %s",
		 collector_error_name(err), what);
}

size_t collector_input(struct collector *c, const struct addr *from,
		       const uint8_t *data, size_t len, int64_t arrival_ms)
{
	c->totals.packets++;
	struct exporter *e = exporter_get(c, from);
	if (!e)
		return 0;
	e->stats.packets++;
	e->stats.octets += len;
	e->stats.last_ms = arrival_ms;
	struct decode d = {
		.e = e,
		.now_ms = arrival_ms,
		.template_timeout_ms = (int64_t)c->cfg.template_timeout_s * 1000,
		.max_templates = c->cfg.max_templates,
		.hold = &c->hold,
		.fn = c->fn,
		.arg = c->arg,
	};
	struct reader r = reader_init(data, len);
	struct reader peek = r;
	uint16_t version = get_u16(&peek);
	if (peek.err) {
		decode_error(&d, CERR_TRUNCATED, "datagram shorter than a "
			     "version field");
		return 0;
	}
	switch (version) {
	case NETFLOW_V5:
		netflow5_decode(&d, &r);
		break;
	case NETFLOW_V9:
		netflow9_decode(&d, &r);
		break;
	case IPFIX_VERSION:
		ipfix_decode(&d, &r);
		break;
	case SFLOW_HI:
		if (get_u16(&peek) == SFLOW_VERSION) {
			sflow_decode(&d, &r);
			break;
		}
		/* fall through */
	default:
		decode_error(&d, CERR_VERSION, "not NetFlow v5/v9, IPFIX or "
			     "sFlow v5");
		break;
	}
	c->totals.records += d.emitted;
	return d.emitted;
}

void collector_get_totals(const struct collector *c,
			  struct collector_totals *t)
{
	*t = c->totals;
}

size_t collector_exporter_count(const struct collector *c)
{
	return c->nexporters;
}

const struct exporter *collector_exporter_at(const struct collector *c,
					     size_t i)
{
	return i < c->nexporters ? c->exporters[i] : NULL;
}
