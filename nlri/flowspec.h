/* Flowspec NLRI wire format (RFC 8955 §4 for IPv4, RFC 8956 §3 for IPv6):
 * constants, the validating component iterator and the §5.1 ordering.
 * A rule's match is kept in wire form (the components, without the NLRI
 * length prefix): it is the BGP key, and everything else reads it through
 * fs_iter. No I/O here. */
#ifndef NLRI_FLOWSPEC_H
#define NLRI_FLOWSPEC_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "lib/addr.h"
#include "lib/reader.h"
#include "lib/writer.h"

/* AFI (RFC 4760) and the Flowspec SAFI (RFC 8955 §4). */
enum fs_afi { FS_AFI_IPV4 = 1, FS_AFI_IPV6 = 2 };
#define FS_SAFI 133

/* Component types: RFC 8955 §4.2.2, RFC 8956 §3 (type 13 is IPv6 only). */
enum fs_type {
	FS_TYPE_DST_PREFIX = 1,
	FS_TYPE_SRC_PREFIX = 2,
	FS_TYPE_IP_PROTO = 3,	/* IPv6: next header */
	FS_TYPE_PORT = 4,
	FS_TYPE_DST_PORT = 5,
	FS_TYPE_SRC_PORT = 6,
	FS_TYPE_ICMP_TYPE = 7,
	FS_TYPE_ICMP_CODE = 8,
	FS_TYPE_TCP_FLAGS = 9,
	FS_TYPE_PKT_LEN = 10,
	FS_TYPE_DSCP = 11,
	FS_TYPE_FRAGMENT = 12,
	FS_TYPE_FLOW_LABEL = 13,
};
#define FS_TYPE_MAX FS_TYPE_FLOW_LABEL

/* Operator octet, RFC 8955 §4.2.1.1 (numeric) and §4.2.1.2 (bitmask). */
#define FS_OP_END 0x80
#define FS_OP_AND 0x40
#define FS_OP_LEN_MASK 0x30
#define FS_OP_LEN_SHIFT 4
#define FS_OP_NUM_RESERVED 0x08
#define FS_OP_LT 0x04
#define FS_OP_GT 0x02
#define FS_OP_EQ 0x01
#define FS_OP_BIT_RESERVED 0x0c
#define FS_OP_NOT 0x02
#define FS_OP_MATCH 0x01

/* TCP flags bits (RFC 8955 §4.2.2.9, low octet of the TCP header flags). */
#define FS_TCP_FIN 0x01
#define FS_TCP_SYN 0x02
#define FS_TCP_RST 0x04
#define FS_TCP_PSH 0x08
#define FS_TCP_ACK 0x10
#define FS_TCP_URG 0x20
#define FS_TCP_ECE 0x40
#define FS_TCP_CWR 0x80

/* Fragment bits (RFC 8955 §4.2.2.12; LF, FF, IsF, DF from high to low). */
#define FS_FRAG_DF 0x01
#define FS_FRAG_ISF 0x02
#define FS_FRAG_FF 0x04
#define FS_FRAG_LF 0x08

/* Longest NLRI (RFC 8955 §4.1); lengths from 240 take two octets. */
#define FS_NLRI_MAX 4095
#define FS_LEN_EXTENDED_MIN 240
#define FS_LEN_EXTENDED_FLAG 0xf0

enum fs_kind { FS_KIND_PREFIX, FS_KIND_NUMERIC, FS_KIND_BITMASK };

/* Why an NLRI was refused; fs_reason_str() says it in words. */
enum fs_reason {
	FS_OK = 0,
	FS_ERR_TRUNCATED,
	FS_ERR_EMPTY,
	FS_ERR_TOO_LONG,
	FS_ERR_UNKNOWN_TYPE,
	FS_ERR_TYPE_ORDER,
	FS_ERR_DUP_TYPE,
	FS_ERR_VALUE_LEN,
	FS_ERR_PREFIX_LEN,
	FS_ERR_OFFSET,
	FS_ERR_TRAILING,
	FS_ERR_AFI,
};
const char *fs_reason_str(enum fs_reason reason);

/* One operator and its value. */
struct fs_op {
	bool and;	/* joined to the previous operator with AND */
	uint8_t bits;	/* FS_OP_LT|GT|EQ, or FS_OP_NOT|MATCH for bitmasks */
	uint8_t len;	/* value octets: 1, 2, 4 or 8 */
	uint64_t value;
};

/* One component, as the iterator yields it (a view into the NLRI). */
struct fs_component {
	enum fs_type type;
	enum fs_kind kind;
	struct prefix prefix;	/* FS_KIND_PREFIX: bits outside offset..len are 0 */
	uint8_t offset;		/* IPv6 prefix offset (RFC 8956 §3.1) */
	struct reader ops;	/* FS_KIND_NUMERIC/BITMASK: read with fs_op_next */
	uint64_t limit;		/* fs_type_limit() of the type */
	const uint8_t *wire;	/* the whole component, type octet included */
	size_t wire_len;
};

/* The kind of a component type in a family; false for an unknown type. */
bool fs_type_kind(enum fs_afi afi, unsigned type, enum fs_kind *kind);
/* Largest value length (octets) RFC 8955/8956 allow for a type. */
unsigned fs_type_max_len(enum fs_afi afi, enum fs_type type);
/* The values a type may carry: the largest value of a numeric type, the
 * defined bits of a bitmask type (RFC 8955 §4.2.2, RFC 8956 §3.6: the
 * IPv6 fragment component has no DF bit); 0 for a prefix type. */
uint64_t fs_type_limit(enum fs_afi afi, enum fs_type type);

/* Walks the components of one NLRI (the octets after its length), checking
 * every rule of RFC 8955 §4 / RFC 8956 §3 on the way. */
struct fs_iter {
	struct reader r;
	enum fs_afi afi;
	unsigned last_type;
	enum fs_reason reason;	/* why fs_iter_next stopped with false */
	size_t err_off;		/* octet offset of the fault in the NLRI */
};
void fs_iter_init(struct fs_iter *it, enum fs_afi afi, const uint8_t *nlri,
		  size_t len);
/* Fills c with the next component; false at the end (reason FS_OK, or
 * FS_ERR_EMPTY for an NLRI with no component) or on a fault (reason set). */
bool fs_iter_next(struct fs_iter *it, struct fs_component *c);

/* Reads the next operator of c's list (ops, a copy of c->ops) into op;
 * false at the end. As RFC 8955 §4.2.1.1 says, an AND bit on the first
 * operator reads as unset and reserved bits are ignored; value bits the
 * type does not define (DSCP past six bits, RFC 8955 §4.2.2.11; fragment
 * bits past LF and the IPv6 DF, RFC 8956 §3.6; flow label past twenty)
 * read as 0. The list was checked by fs_iter. */
bool fs_op_next(struct reader *ops, const struct fs_component *c,
		struct fs_op *op);

/* Checks a whole NLRI; *err_off (when not NULL) gets the fault's offset. */
enum fs_reason fs_validate(enum fs_afi afi, const uint8_t *nlri, size_t len,
			   size_t *err_off);

/* Slices the next NLRI (one- or two-octet length, RFC 8955 §4.1) from a
 * packed list into *nlri. False with r in error when it is truncated. */
bool fs_nlri_next(struct reader *r, struct reader *nlri);
/* Appends the length prefix and the NLRI octets to w (an error in w when
 * len is over FS_NLRI_MAX). */
void fs_nlri_put(struct writer *w, const uint8_t *nlri, size_t len);

/* RFC 8955 §5.1 / RFC 8956 §4 order of two valid NLRIs of one family:
 * < 0 when a has precedence over b, 0 when they are the same rule. */
int fs_cmp(enum fs_afi afi, const uint8_t *a, size_t alen, const uint8_t *b,
	   size_t blen);

/* Writers for the pieces of a component, used by the text parser and tests.
 * The prefix must have no bits set past its length (prefix_parse makes
 * sure), nor, with an offset, before the offset. */
void fs_put_prefix(struct writer *w, enum fs_afi afi, enum fs_type type,
		   const struct prefix *p, uint8_t offset);
/* Appends one operator with the shortest value length that holds value. */
void fs_put_op(struct writer *w, bool and, bool end, uint8_t bits,
	       uint64_t value);

#endif
