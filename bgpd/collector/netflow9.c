/* NetFlow v9 (RFC 3954) and IPFIX (RFC 7011): the message headers,
 * template and options template sets, data sets read through the
 * domain's templates, sampling from options data, uptime and absolute
 * flow times. The two differ in the header, the set ids, the field
 * specifier (IPFIX: enterprise bit, variable length) and what the
 * sequence number counts. Data sets that come before their template are
 * held (hold.h) and decoded at the end of the datagram that brings it,
 * after its options data, so sampling sent with the template applies. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bgpd/collector/decode.h"

#define V9_SET_TEMPLATE 0		/* RFC 3954 §5.2, after a 20-octet header */
#define V9_SET_OPTIONS 1		/* RFC 3954 §6.1 */
#define IPFIX_HEADER_LEN 16		/* RFC 7011 §3.1 */
#define IPFIX_SET_TEMPLATE 2		/* RFC 7011 §3.3.2 */
#define IPFIX_SET_OPTIONS 3
#define SET_DATA_MIN 256		/* both: data set ids start here */
#define SET_HEADER_LEN 4
#define FIELD_SPEC_LEN 4		/* type, length */
#define IPFIX_ENTERPRISE_BIT 0x8000	/* RFC 7011 §3.2 */
#define V9_SCOPE_FIELD 0		/* IE 0 is reserved: a field skipped */

/* One message being decoded. */
struct msg {
	struct decode *d;
	struct domain *dom;
	bool ipfix;
	int64_t hdr_ms;			/* export time, exporter clock */
	int64_t offset_ms;		/* exporter clock -> ours, for hdr_ms */
	uint32_t uptime;		/* v9 sysUptime */
	uint32_t data_records;		/* IPFIX sequence counts these */
	bool defined;			/* a template (re)defined */
	bool unknown;			/* a data set without its template */
};

/* ---- the domain's templates ---- */

static struct template *find(struct domain *dom, uint16_t id)
{
	for (size_t i = 0; i < dom->ntemplates; i++)
		if (dom->templates[i].id == id)
			return &dom->templates[i];
	return NULL;
}

static void drop(struct msg *m, struct template *t)
{
	struct domain *dom = m->dom;
	template_clear(t);
	*t = dom->templates[--dom->ntemplates];
	m->d->e->ntemplates--;
}

/* The live template id, or NULL; an expired one is dropped. */
static struct template *lookup(struct msg *m, uint16_t id)
{
	struct template *t = find(m->dom, id);
	if (t && m->d->now_ms - t->refreshed_ms > m->d->template_timeout_ms) {
		drop(m, t);
		return NULL;
	}
	return t;
}

/* (Re)defines template id. A new layout for a known id replaces it
 * (RFC 7011 §8: over UDP a redefinition comes without a withdrawal). */
static void define(struct msg *m, uint16_t id, bool options,
		   const struct field_spec *fields, size_t n)
{
	struct decode *d = m->d;
	struct domain *dom = m->dom;
	struct template *t = find(dom, id);
	if (!t) {
		if (d->e->ntemplates >= d->max_templates) {
			decode_error(d, CERR_LIMIT, "max_templates reached");
			return;
		}
		if (dom->ntemplates == dom->cap_templates) {
			size_t cap = dom->cap_templates ? 2 * dom->cap_templates
							: 8;
			struct template *a = realloc(dom->templates,
						     cap * sizeof *a);
			if (!a) {
				decode_error(d, CERR_LIMIT, "out of memory");
				return;
			}
			dom->templates = a;
			dom->cap_templates = cap;
		}
		struct template fresh = { 0 };
		if (!template_compile(&fresh, fields, n)) {
			decode_error(d, CERR_TEMPLATE, "template cannot be "
				     "used (length or memory)");
			return;
		}
		t = &dom->templates[dom->ntemplates++];
		*t = fresh;
		d->e->ntemplates++;
	} else if (!template_compile(t, fields, n)) {
		decode_error(d, CERR_TEMPLATE, "template cannot be used");
		drop(m, t);
		return;
	}
	t->id = id;
	t->options = options;
	t->refreshed_ms = d->now_ms;
	m->defined = true;
}

/* ---- data sets held for their template (hold.h) ---- */

static uint8_t domain_index(const struct msg *m)
{
	return (uint8_t)(m->dom - m->d->e->domains);
}

/* Drops the held sets of m's domain for template id (any: every id). */
static void unhold(struct msg *m, uint16_t id, bool any)
{
	struct exporter *e = m->d->e;
	if (e->hold.head)
		e->stats.held_dropped += hold_drop(&e->hold, m->d->hold,
						   domain_index(m), id, any);
}

/* r is a data set for template id, which is not known (not yet, or
 * expired): counted, and the rest of r kept to decode when the template
 * comes. Cold: out of the data path's way. */
__attribute__((cold)) static void hold(struct msg *m, uint16_t id,
				       struct reader *r)
{
	struct decode *d = m->d;
	struct exporter *e = d->e;
	e->stats.missing_template++;
	m->unknown = true;
	size_t len = remaining(r);
	if (!len)
		return;			/* no record to wait for */
	e->stats.held++;
	struct held_set *s = held_set_new(len);
	if (!s) {
		e->stats.held_dropped++;
		return;
	}
	s->arrival_ms = d->now_ms;
	s->hdr_ms = m->hdr_ms;
	s->offset_ms = m->offset_ms;
	s->uptime = m->uptime;
	s->template_id = id;
	s->domain = domain_index(m);
	get_bytes(r, s->data, len);
	e->stats.held_dropped += hold_put(&e->hold, d->hold, s);
}

/* Drops the exporter's sets held longer than the pool allows. */
static void hold_age(struct decode *d)
{
	struct exporter *e = d->e;
	if (e->hold.head)
		e->stats.held_dropped += hold_expire(&e->hold, d->hold,
						     d->now_ms - d->hold->age_ms);
}

/* RFC 7011 §8.1: a withdrawal of one id, or of every template of the
 * set's kind when id is the set id. */
static void withdraw(struct msg *m, uint16_t set_id, uint16_t id)
{
	/* Data held for a withdrawn id was sent under the old layout; on
	 * "all withdrawn" every held set of the domain goes (which of them
	 * are options data cannot be told). */
	unhold(m, id, id == set_id);
	if (id != set_id) {
		struct template *t = find(m->dom, id);
		if (t)
			drop(m, t);
		return;
	}
	bool options = set_id == IPFIX_SET_OPTIONS;
	for (size_t i = m->dom->ntemplates; i-- > 0;)
		if (m->dom->templates[i].options == options)
			drop(m, &m->dom->templates[i]);
}

/* ---- template sets ---- */

/* Reads n field specifiers into fields; false on a short set. */
static bool read_fields(struct msg *m, struct reader *r,
			struct field_spec *fields, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		uint16_t type = get_u16(r);
		fields[i].len = get_u16(r);
		fields[i].enterprise = 0;
		fields[i].id = type;
		if (m->ipfix && (type & IPFIX_ENTERPRISE_BIT)) {
			fields[i].id = type & ~IPFIX_ENTERPRISE_BIT;
			fields[i].enterprise = get_u32(r);
		}
		if (!m->ipfix && fields[i].len == TEMPLATE_VARLEN)
			return false;	/* v9 has no variable length */
	}
	return !r->err;
}

/* A template or options template set; one record after another until
 * only padding (zeros, less than a record header) is left. */
static void template_set(struct msg *m, uint16_t set_id, struct reader *r)
{
	bool options = set_id == V9_SET_OPTIONS || set_id == IPFIX_SET_OPTIONS;
	struct field_spec fields[TEMPLATE_FIELDS_MAX];
	while (remaining(r) >= SET_HEADER_LEN) {
		struct reader peek = *r;
		uint16_t id = get_u16(&peek);
		if (id == 0)
			break;		/* padding */
		skip(r, 2);
		size_t n, v9_scopes = 0;
		if (!m->ipfix && options) {	/* RFC 3954 §6.1: lengths */
			uint16_t scope_len = get_u16(r), opt_len = get_u16(r);
			if (scope_len % FIELD_SPEC_LEN || opt_len % FIELD_SPEC_LEN) {
				decode_error(m->d, CERR_TEMPLATE, "v9 options "
					     "template lengths not a multiple "
					     "of 4");
				return;
			}
			n = (scope_len + opt_len) / FIELD_SPEC_LEN;
			v9_scopes = scope_len / FIELD_SPEC_LEN;
		} else {
			n = get_u16(r);
			if (options && n) {	/* RFC 7011 §3.4.2.2 */
				uint16_t scope = get_u16(r);
				if (scope == 0 || scope > n) {
					decode_error(m->d, CERR_TEMPLATE,
						     "options template scope "
						     "count 0 or past the "
						     "field count");
					return;
				}
			}
		}
		if (r->err) {
			decode_error(m->d, CERR_TRUNCATED, "template header");
			return;
		}
		if (m->ipfix && n == 0) {
			withdraw(m, set_id, id);
			continue;
		}
		if (id < SET_DATA_MIN || n == 0) {
			decode_error(m->d, CERR_TEMPLATE, "template id below "
				     "256 or without fields");
			return;
		}
		if (n > TEMPLATE_FIELDS_MAX) {
			decode_error(m->d, CERR_LIMIT, "template with more "
				     "fields than the limit");
			return;
		}
		if (!read_fields(m, r, fields, n)) {
			decode_error(m->d, CERR_TEMPLATE, "field specifiers "
				     "cut short or variable length in v9");
			return;
		}
		/* RFC 3954 §6.1: v9 scope types are numbered on their own
		 * (1 System, 2 Interface, …), not as flow fields: read none. */
		for (size_t i = 0; i < v9_scopes && i < n; i++)
			fields[i].id = V9_SCOPE_FIELD;
		define(m, id, options, fields, n);
	}
}

/* ---- data sets ---- */

static uint32_t sampler_rate(const struct domain *dom, uint32_t id)
{
	for (size_t i = 0; i < dom->nsamplers; i++)
		if (dom->samplers[i].id == id)
			return dom->samplers[i].rate;
	return 0;
}

/* Options data: sampling for the domain or for one sampler, and the
 * IPFIX system init time. */
static void options_record(struct msg *m, const struct record_fields *rf)
{
	struct domain *dom = m->dom;
	if (rf_has(rf, FK_SYS_INIT_MS)) {
		dom->has_sys_init = true;
		dom->sys_init_ms = (int64_t)rf->v[FK_SYS_INIT_MS];
	}
	uint32_t rate = record_sampling(rf);
	if (!rate)
		return;
	if (!rf_has(rf, FK_SAMPLER_ID)) {
		dom->sampling = rate;
		return;
	}
	uint32_t id = (uint32_t)rf->v[FK_SAMPLER_ID];
	for (size_t i = 0; i < dom->nsamplers; i++)
		if (dom->samplers[i].id == id) {
			dom->samplers[i].rate = rate;
			return;
		}
	if (dom->nsamplers == DOMAIN_SAMPLERS_MAX) {
		decode_error(m->d, CERR_LIMIT, "too many samplers");
		return;
	}
	dom->samplers[dom->nsamplers++] = (struct sampler){ id, rate };
}

/* Exporter-clock ms of an uptime (v9: from the header; IPFIX: from the
 * system init time when the exporter sent one, else the export time). */
static int64_t up_ms(const struct msg *m, uint32_t up)
{
	if (!m->ipfix)
		return uptime_to_ms(m->hdr_ms, m->uptime, up);
	if (m->dom->has_sys_init)
		return m->dom->sys_init_ms + up;
	return m->hdr_ms;
}

static void flow_record(struct msg *m, const struct record_fields *rf)
{
	struct flow_record f = { 0 };
	if (!record_flow(rf, &f))
		return;		/* not an IP flow (e.g. layer 2 only) */
	int64_t start = m->hdr_ms, end = m->hdr_ms;
	uint32_t first, last;
	if (!record_abs_times(rf, &start, &end) &&
	    record_uptimes(rf, &first, &last)) {
		start = up_ms(m, first);
		end = up_ms(m, last);
	}
	f.start_ms = start + m->offset_ms;
	f.end_ms = end + m->offset_ms;
	uint32_t rate = record_sampling(rf);
	if (!rate && rf_has(rf, FK_SAMPLER_ID))
		rate = sampler_rate(m->dom, (uint32_t)rf->v[FK_SAMPLER_ID]);
	if (!rate)
		rate = m->dom->sampling;
	decode_emit(m->d, &f, rate);
}

static void data_set(struct msg *m, uint16_t id, struct reader *r)
{
	struct template *t = lookup(m, id);
	if (!t) {
		hold(m, id, r);
		return;
	}
	struct record_fields rf;
	while (remaining(r) >= t->min_len) {	/* the rest: padding */
		if (!template_read(t, r, &rf)) {
			decode_error(m->d, CERR_RECORD, "data record runs past "
				     "its set");
			return;
		}
		m->data_records++;
		if (t->options)
			options_record(m, &rf);
		else
			flow_record(m, &rf);
	}
}

static bool ready(void *arg, const struct held_set *s)
{
	struct msg *m = arg;
	return s->domain == domain_index(m) && lookup(m, s->template_id);
}

/* Decodes the held sets of m's domain whose template is now known, in
 * the order they came, each with its own datagram's times. */
static void release(struct msg *m)
{
	struct decode *d = m->d;
	struct exporter *e = d->e;
	struct held_set *s = hold_take(&e->hold, d->hold, ready, m), *next;
	for (; s; s = next) {
		next = s->next;
		struct msg late = { .d = d, .dom = m->dom, .ipfix = m->ipfix,
				    .hdr_ms = s->hdr_ms,
				    .offset_ms = s->offset_ms,
				    .uptime = s->uptime };
		size_t before = d->emitted;
		struct reader r = reader_init(s->data, s->len);
		data_set(&late, s->template_id, &r);
		e->stats.held_decoded++;
		e->stats.late_records += d->emitted - before;
		free(s);
	}
}

/* ---- messages ---- */

static void sets(struct msg *m, struct reader *r)
{
	while (remaining(r)) {
		uint16_t id = get_u16(r), len = get_u16(r);
		if (r->err || len < SET_HEADER_LEN ||
		    (size_t)(len - SET_HEADER_LEN) > remaining(r)) {
			decode_error(m->d, CERR_SET, "set header or length "
				     "past the message");
			return;
		}
		struct reader body = sub(r, len - SET_HEADER_LEN);
		if (id >= SET_DATA_MIN)
			data_set(m, id, &body);
		else if ((m->ipfix && (id == IPFIX_SET_TEMPLATE ||
				       id == IPFIX_SET_OPTIONS)) ||
			 (!m->ipfix && (id == V9_SET_TEMPLATE ||
					id == V9_SET_OPTIONS)))
			template_set(m, id, &body);
		else
			decode_error(m->d, CERR_SET, "reserved set id");
	}
}

void netflow9_decode(struct decode *d, struct reader *r)
{
	skip(r, 2);			/* version */
	skip(r, 2);			/* count: records of all kinds */
	uint32_t uptime = get_u32(r);	/* sysUpTime, ms */
	uint32_t secs = get_u32(r);	/* UNIX Secs */
	uint32_t seq = get_u32(r);	/* Sequence Number: per packet */
	uint32_t source_id = get_u32(r);
	if (r->err) {
		decode_error(d, CERR_TRUNCATED, "NetFlow v9 header");
		return;
	}
	struct msg m = { .d = d, .uptime = uptime,
			 .hdr_ms = (int64_t)secs * 1000 };
	if (!(m.dom = exporter_domain(d->e, DOMAIN_V9, source_id)))
		return;
	if (domain_uptime(d->e, m.dom, uptime))
		unhold(&m, 0, true);	/* held under the old templates */
	domain_clock(m.dom, d->now_ms, m.hdr_ms);
	m.offset_ms = m.dom->offset_ms;
	domain_sequence(d->e, m.dom, seq, 1);
	hold_age(d);
	sets(&m, r);
	if (m.defined && d->e->hold.head)
		release(&m);
}

void ipfix_decode(struct decode *d, struct reader *r)
{
	skip(r, 2);			/* version */
	uint16_t len = get_u16(r);	/* the whole message */
	uint32_t secs = get_u32(r);	/* Export Time */
	uint32_t seq = get_u32(r);	/* data records sent before */
	uint32_t domain_id = get_u32(r);
	if (r->err) {
		decode_error(d, CERR_TRUNCATED, "IPFIX header");
		return;
	}
	if (len < IPFIX_HEADER_LEN ||
	    (size_t)(len - IPFIX_HEADER_LEN) != remaining(r)) {
		char what[64];
		snprintf(what, sizeof what, "IPFIX length %u in a %zu-octet "
			 "datagram", len, remaining(r) + IPFIX_HEADER_LEN);
		decode_error(d, CERR_HEADER, what);
		return;
	}
	struct msg m = { .d = d, .ipfix = true,
			 .hdr_ms = (int64_t)secs * 1000 };
	if (!(m.dom = exporter_domain(d->e, DOMAIN_IPFIX, domain_id)))
		return;
	domain_clock(m.dom, d->now_ms, m.hdr_ms);
	m.offset_ms = m.dom->offset_ms;
	hold_age(d);
	sets(&m, r);
	domain_sequence(d->e, m.dom, seq, m.data_records);
	/* Records not decoded are not counted: the next sequence number
	 * cannot be told, so it sets a new base (no gap counted). */
	if (m.unknown)
		m.dom->has_seq = false;
	if (m.defined && d->e->hold.head)
		release(&m);
}
