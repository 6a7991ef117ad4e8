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

#define TEMPLATE_FIELDS_MAX 128		/* more is refused (memory bound) */
#define TEMPLATE_VARLEN 0xffff		/* RFC 7011 §7 */

/* What a field fills in (IANA IPFIX information elements; NetFlow v9
 * uses the same numbers for these, RFC 3954 §8). The four addresses come
 * first and in this order (record_fields.addr); at most 64 kinds. */
enum field_kind {
	FK_SRC4, FK_DST4, FK_SRC6, FK_DST6,
	FK_SKIP,
	FK_BYTES, FK_PACKETS, FK_PROTO, FK_TOS, FK_TCP_FLAGS,
	FK_SPORT, FK_DPORT, FK_IN_IF, FK_OUT_IF,
	FK_FIRST_UP, FK_LAST_UP,			/* sysUpTime ms */
	FK_START_S, FK_END_S, FK_START_MS, FK_END_MS,
	FK_START_NTP, FK_END_NTP,		/* micro/nanoseconds, NTP form */
	FK_ICMP_TC, FK_ICMP_TYPE, FK_ICMP_CODE,
	FK_LEN_MIN, FK_LEN_MAX, FK_FRAG_FLAGS,
	FK_SAMPLER_ID, FK_SAMPLING_RATE, FK_SAMPLING_PKT_INTERVAL,
	FK_SAMPLING_PKT_SPACE, FK_SAMPLING_SIZE, FK_SAMPLING_POPULATION,
	FK_SAMPLING_PROB32, FK_SAMPLING_PROB64,	/* float bits */
	FK_SYS_INIT_MS,
	FK__COUNT
};

/* One step: read len octets (TEMPLATE_VARLEN: an IPFIX variable-length
 * field) as kind; off is where they start in a record of a template
 * without variable-length fields. */
struct field_op {
	uint16_t len;
	uint16_t off;
	uint8_t kind;
};

/* A record of a fixed-length template up to this size is copied out of
 * the reader in one piece and its fields taken from the copy at their
 * offsets (checked against the length when compiled). */
#define TEMPLATE_COPY_MAX 512

struct template {
	uint16_t id;
	bool options;		/* an options template (RFC 7011 §3.4.2.2) */
	uint16_t nfields;	/* as the exporter sent it */
	uint16_t min_len;	/* of a record: variable fields count 1 */
	bool varlen;		/* has variable-length fields */
	uint16_t nops;
	struct field_op *ops;	/* owned */
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
 * memory runs out. A t that already reads records the same way is left
 * as it is (a refresh costs no allocation). */
bool template_compile(struct template *t, const struct field_spec *fields,
		      size_t n);
void template_clear(struct template *t);	/* NULL-safe */

/* What one data record says: each number as read (valid where its bit
 * is in seen), the addresses as octets. Only seen is cleared per record,
 * so reading one costs no more than its fields. */
struct record_fields {
	uint64_t seen;			/* 1 << kind of each field read */
	uint64_t v[FK__COUNT];
	uint8_t addr[4][16];		/* FK_SRC4 … FK_DST6 */
};

static inline bool rf_has(const struct record_fields *rf, enum field_kind k)
{
	return rf->seen >> k & 1;
}

/* Reads one record of t from r into out. False when r ends inside it. */
bool template_read(const struct template *t, struct reader *r,
		   struct record_fields *out);
/* The flow fields of a record into f (addresses, ports, ICMP type and
 * code as dport, protocol, TOS, TCP flags, fragment bits, lengths,
 * counters, interfaces; not times, sampling or exporter). False when it
 * has no source and destination of one family. */
bool record_flow(const struct record_fields *rf, struct flow_record *f);
/* Absolute start and end (Unix ms) when the record has either; a
 * missing one is the other. */
bool record_abs_times(const struct record_fields *rf, int64_t *start,
		      int64_t *end);
/* The same for sysUpTime start and end. */
bool record_uptimes(const struct record_fields *rf, uint32_t *first,
		    uint32_t *last);
/* The sampling rate the fields of an options record (or a data record)
 * give: 34/50 rate, 305/306 interval and space, 309/310 size and
 * population, 311 probability; 0 when none. */
uint32_t record_sampling(const struct record_fields *rf);

#endif
