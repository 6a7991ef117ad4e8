/* NetFlow v9 (RFC 3954) and IPFIX (RFC 7011) templates: a template's
 * field list compiled into the few steps a data record needs (the fields
 * the flow record uses, runs of others skipped at once), and the reading
 * of one data record through it. */
#ifndef BGPD_COLLECTOR_TEMPLATE_H
#define BGPD_COLLECTOR_TEMPLATE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "bgpd/collector/flow.h"
#include "lib/reader.h"

#define TEMPLATE_FIELDS_MAX 256		/* more is refused (memory bound) */
#define TEMPLATE_VARLEN 0xffff		/* RFC 7011 §7 */

/* What a field fills in (IANA IPFIX information elements; NetFlow v9
 * uses the same numbers for these, RFC 3954 §8). */
enum field_kind {
	FK_SKIP,
	FK_BYTES, FK_PACKETS, FK_PROTO, FK_TOS, FK_TCP_FLAGS,
	FK_SPORT, FK_DPORT, FK_SRC4, FK_DST4, FK_SRC6, FK_DST6,
	FK_IN_IF, FK_OUT_IF,
	FK_FIRST_UP, FK_LAST_UP,			/* sysUpTime ms */
	FK_START_S, FK_END_S, FK_START_MS, FK_END_MS,
	FK_START_US, FK_END_US, FK_START_NS, FK_END_NS,	/* NTP format */
	FK_ICMP_TC, FK_ICMP_TYPE, FK_ICMP_CODE,
	FK_LEN_MIN, FK_LEN_MAX, FK_FRAG_FLAGS,
	FK_SAMPLER_ID, FK_SAMPLING_RATE, FK_SAMPLING_PKT_INTERVAL,
	FK_SAMPLING_PKT_SPACE,
	FK_SAMPLING_SIZE, FK_SAMPLING_POPULATION, FK_SAMPLING_PROBABILITY,
	FK_SYS_INIT_MS,
};

/* One step: read len octets (TEMPLATE_VARLEN: an IPFIX variable-length
 * field) as kind. */
struct field_op {
	uint16_t len;
	uint8_t kind;
};

struct template {
	uint16_t id;
	bool options;		/* an options template (RFC 7011 §3.4.2.2) */
	uint16_t nfields;	/* as the exporter sent it */
	uint16_t min_len;	/* of a record: variable fields count 1 */
	uint16_t nops;
	struct field_op *ops;	/* owned */
	uint32_t layout_hash;	/* of the field list, to spot a redefinition */
	int64_t refreshed_ms;	/* arrival of its last (re)definition */
};

/* One field as a template lists it. */
struct field_spec {
	uint16_t id;		/* without the enterprise bit */
	uint16_t len;
	uint32_t enterprise;	/* 0: IANA */
};

/* Compiles fields[0..n) into t (id, options and refreshed_ms are the
 * caller's). False (t untouched) when a length cannot be right or
 * memory runs out. */
bool template_compile(struct template *t, const struct field_spec *fields,
		      size_t n);
void template_clear(struct template *t);	/* NULL-safe */

/* What one data record says, before the exporter's clock and sampling
 * are applied. */
struct record_fields {
	struct flow_record f;		/* addresses, ports, counters … */
	bool has_first_up, has_last_up;
	uint32_t first_up, last_up;
	bool has_start, has_end;	/* Unix ms */
	int64_t start_ms, end_ms;
	bool has_sampler_id;
	uint32_t sampler_id;
	uint64_t rate;			/* 34, 50: one out of rate */
	uint64_t pkt_interval, pkt_space, size, population;
	double probability;
	bool has_sys_init;
	int64_t sys_init_ms;
	bool has_icmp;
	uint8_t icmp_type, icmp_code;
};

/* Reads one record of t from r into out. False when r ends inside it. */
bool template_read(const struct template *t, struct reader *r,
		   struct record_fields *out);
/* The sampling rate the fields of an options record (or a data record)
 * give: 34/50 interval, 305/306 interval and space, 309/310 size and
 * population, 311 probability; 0 when none. */
uint32_t record_sampling(const struct record_fields *rf);

#endif
