/* Rule text: parse to RFC bytes, canonical print, round trips, errors. */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "nlri/text.h"

#define BYTES(...) ((const uint8_t[]){ __VA_ARGS__ }), sizeof((const uint8_t[]){ __VA_ARGS__ })

static struct fs_rule parse_ok(const char *text)
{
	struct fs_rule r;
	struct fs_text_error err = { 0 };
	if (!fs_text_parse(&r, text, NULL, &err))
		ck_abort_msg("parse failed: col %zu: %s\n  in: %s", err.col,
			     err.msg, text);
	return r;
}

static void check_bytes(const struct writer *w, const uint8_t *want,
			size_t n, const char *what)
{
	ck_assert_msg(w->len == n, "%s: length %zu, want %zu", what, w->len, n);
	for (size_t i = 0; i < n; i++)
		ck_assert_msg(w->data[i] == want[i],
			      "%s: octet %zu is %02x, want %02x", what, i,
			      w->data[i], want[i]);
}

static void check_match(const char *text, enum fs_afi afi, const uint8_t *want,
			size_t n)
{
	struct fs_rule r = parse_ok(text);
	ck_assert_int_eq(r.afi, afi);
	check_bytes(&r.match, want, n, text);
	fs_rule_clear(&r);
}

static void check_ext(const char *then, const uint8_t *want, size_t n)
{
	char text[512];
	snprintf(text, sizeof text,
		 "flow route { match { destination 10.0.0.1/32; } then { %s } }",
		 then);
	struct fs_rule r = parse_ok(text);
	check_bytes(&r.ext, want, n, text);
	fs_rule_clear(&r);
}

static char *print(const char *text)
{
	struct fs_rule r = parse_ok(text);
	char *s = fs_text_string(&r);
	fs_rule_clear(&r);
	ck_assert_ptr_nonnull(s);
	return s;
}

static void check_print(const char *text, const char *want)
{
	char *s = print(text);
	ck_assert_str_eq(s, want);
	free(s);
}

/* The IOS-XR vector of the issue, and RFC 8955 §4.2.2's example. */
START_TEST(iosxr_and_rfc8955_vectors)
{
	check_match("flow route { match { destination 10.50.100.100/32; "
		    "protocol =6; destination-port =1234; } then { discard; } }",
		    FS_AFI_IPV4,
		    BYTES(FS_TYPE_DST_PREFIX, 32, 10, 50, 100, 100,
			  FS_TYPE_IP_PROTO, FS_OP_END | FS_OP_EQ, 6,
			  FS_TYPE_DST_PORT, FS_OP_END | 1 << FS_OP_LEN_SHIFT | FS_OP_EQ, 0x04, 0xd2));
	check_match("flow route { match { port =25; protocol tcp; "
		    "destination 192.0.2.0/24; } }",
		    FS_AFI_IPV4,
		    BYTES(FS_TYPE_DST_PREFIX, 24, 192, 0, 2,
			  FS_TYPE_IP_PROTO, FS_OP_END | FS_OP_EQ, 6,
			  FS_TYPE_PORT, FS_OP_END | FS_OP_EQ, 25));
}
END_TEST

/* Every IPv4 component type, RFC 8955 §4.2.2. */
START_TEST(every_ipv4_component)
{
	check_match("flow route { match { source 192.0.2.0/25; } }", FS_AFI_IPV4,
		    BYTES(FS_TYPE_SRC_PREFIX, 25, 192, 0, 2, 0));
	check_match("flow route { match { destination 0.0.0.0/0; } }", FS_AFI_IPV4,
		    BYTES(FS_TYPE_DST_PREFIX, 0));
	check_match("flow route { match { source-port [ =53 =123 ]; } }", FS_AFI_IPV4,
		    BYTES(FS_TYPE_SRC_PORT, FS_OP_EQ, 53, FS_OP_END | FS_OP_EQ, 123));
	check_match("flow route { match { icmp-type 8; icmp-code 0; } }", FS_AFI_IPV4,
		    BYTES(FS_TYPE_ICMP_TYPE, FS_OP_END | FS_OP_EQ, 8,
			  FS_TYPE_ICMP_CODE, FS_OP_END | FS_OP_EQ, 0));
	check_match("flow route { match { packet-length >=1000&<=1500; } }", FS_AFI_IPV4,
		    BYTES(FS_TYPE_PKT_LEN, 1 << FS_OP_LEN_SHIFT | FS_OP_GT | FS_OP_EQ, 0x03, 0xe8,
			  FS_OP_END | FS_OP_AND | 1 << FS_OP_LEN_SHIFT | FS_OP_LT | FS_OP_EQ, 0x05, 0xdc));
	check_match("flow route { match { dscp 46; } }", FS_AFI_IPV4,
		    BYTES(FS_TYPE_DSCP, FS_OP_END | FS_OP_EQ, 46));
	/* Bitmask: bare = any bit (no flags), '!' not, '=' match. */
	check_match("flow route { match { tcp-flags [ syn&!ack =fin+rst ]; } }", FS_AFI_IPV4,
		    BYTES(FS_TYPE_TCP_FLAGS, 0, FS_TCP_SYN,
			  FS_OP_AND | FS_OP_NOT, FS_TCP_ACK,
			  FS_OP_END | FS_OP_MATCH, FS_TCP_FIN | FS_TCP_RST));
	check_match("flow route { match { tcp-flags !=cwr; } }", FS_AFI_IPV4,
		    BYTES(FS_TYPE_TCP_FLAGS, FS_OP_END | FS_OP_NOT | FS_OP_MATCH, FS_TCP_CWR));
	check_match("flow route { match { fragment [ is-fragment first-fragment "
		    "last-fragment dont-fragment not-a-fragment ]; } }", FS_AFI_IPV4,
		    BYTES(FS_TYPE_FRAGMENT, 0, FS_FRAG_ISF, 0, FS_FRAG_FF, 0, FS_FRAG_LF,
			  0, FS_FRAG_DF, FS_OP_END, 0));
}
END_TEST

/* All eight lt/gt/eq combinations, RFC 8955 §4.2.1.1. */
START_TEST(every_numeric_operator)
{
	check_match("flow route { match { port [ false =1 >2 >=3 <4 <=5 !=6 true ]; } }",
		    FS_AFI_IPV4,
		    BYTES(FS_TYPE_PORT, 0, 0, FS_OP_EQ, 1, FS_OP_GT, 2,
			  FS_OP_GT | FS_OP_EQ, 3, FS_OP_LT, 4, FS_OP_LT | FS_OP_EQ, 5,
			  FS_OP_LT | FS_OP_GT, 6,
			  FS_OP_END | FS_OP_LT | FS_OP_GT | FS_OP_EQ, 0));
	/* Shortest value length: 1, 2 and 4 octets. */
	check_match("flow route { match { destination 2001:db8::/32; flow-label "
		    "[ 255 256 1048575 ]; } }", FS_AFI_IPV6,
		    BYTES(FS_TYPE_DST_PREFIX, 32, 0, 0x20, 0x01, 0x0d, 0xb8,
			  FS_TYPE_FLOW_LABEL, FS_OP_EQ, 0xff,
			  1 << FS_OP_LEN_SHIFT | FS_OP_EQ, 0x01, 0x00,
			  FS_OP_END | 2 << FS_OP_LEN_SHIFT | FS_OP_EQ, 0x00, 0x0f, 0xff, 0xff));
}
END_TEST

/* RFC 8956 §3: prefixes with offset, next header, flow label. */
START_TEST(ipv6_components)
{
	/* RFC 8956 §3.8.2, first example. */
	check_match("flow route { match { destination 2001:db8::/32; "
		    "source ::1234:5678:9a00:0/104/64; next-header tcp; } }",
		    FS_AFI_IPV6,
		    BYTES(0x01, 0x20, 0x00, 0x20, 0x01, 0x0d, 0xb8,
			  0x02, 0x68, 0x40, 0x12, 0x34, 0x56, 0x78, 0x9a,
			  0x03, 0x81, 0x06));
	/* Second example: offset 65, the pattern shifted by one bit. */
	check_match("flow route { match { destination 2001:db8::/32; "
		    "source ::1234:5678:9a00:0/104/65; } }", FS_AFI_IPV6,
		    BYTES(0x01, 0x20, 0x00, 0x20, 0x01, 0x0d, 0xb8,
			  0x02, 0x68, 0x41, 0x24, 0x68, 0xac, 0xf1, 0x34));
	check_match("flow route { match { flow-label 1234; } }", FS_AFI_IPV6,
		    BYTES(FS_TYPE_FLOW_LABEL, FS_OP_END | 1 << FS_OP_LEN_SHIFT | FS_OP_EQ, 0x04, 0xd2));
}
END_TEST

/* RFC 8956 §3: in IPv6, types 4, 5, 6, 9, 10 and 11 keep their RFC 8955
 * §4.2.2 encoding, ICMPv6 type and code (§3.4, §3.5) take one-octet
 * values, and the fragment bitmask (§3.6) is 0 0 0 0 LF FF IsF 0, no DF.
 * Operator octets (RFC 8955 §4.2.1): e a len(2) 0 lt gt eq (numeric),
 * e a len(2) 0 0 not m (bitmask). The values these types refuse in IPv6
 * are in bad[] below. */
START_TEST(ipv6_ports_to_fragment)
{
	/* Types 4, 5, 6: given in any order, written in type order. */
	check_match("flow route ipv6 { match { source-port !=53; "
		    "port [ =80 >=1024&<=2048 ]; destination-port =443; } }",
		    FS_AFI_IPV6,
		    BYTES(0x04,			/* port */
			  0x01, 0x50,		/* 1 octet, eq: 80 */
			  0x13, 0x04, 0x00,	/* 2 octets, gt eq: 1024 */
			  0xd5, 0x08, 0x00,	/* e a, 2 octets, lt eq: 2048 */
			  0x05,			/* destination port */
			  0x91, 0x01, 0xbb,	/* e, 2 octets, eq: 443 */
			  0x06,			/* source port */
			  0x86, 0x35));		/* e, lt gt: != 53 */
	/* Types 7, 8: neighbour discovery, ICMPv6 types 133 to 137. */
	check_match("flow route ipv6 { match { icmp-code 0; icmp-type >=133&<=137; } }",
		    FS_AFI_IPV6,
		    BYTES(0x07,			/* ICMPv6 type */
			  0x03, 0x85,		/* gt eq: 133 */
			  0xc5, 0x89,		/* e a, lt eq: 137 */
			  0x08,			/* ICMPv6 code */
			  0x81, 0x00));		/* e, eq: 0 */
	/* Type 9: SYN (bit 0x02) set and ACK (0x10) not set, or exactly RST
	 * (0x04), RFC 8955 §4.2.2.9. */
	check_match("flow route ipv6 { match { tcp-flags [ syn&!ack =rst ]; } }",
		    FS_AFI_IPV6,
		    BYTES(0x09,			/* TCP flags */
			  0x00, 0x02,		/* any of SYN */
			  0x42, 0x10,		/* a not: no ACK */
			  0x81, 0x04));		/* e m: exactly RST */
	/* Type 10. */
	check_match("flow route ipv6 { match { packet-length [ <64 >1500 ]; } }",
		    FS_AFI_IPV6,
		    BYTES(0x0a,			/* packet length */
			  0x04, 0x40,		/* lt: 64 */
			  0x92, 0x05, 0xdc));	/* e, 2 octets, gt: 1500 */
	/* Type 11, DSCP: the six DSCP bits of the traffic class; the
	 * keyword makes the rule IPv6. */
	check_match("flow route { match { traffic-class [ 10 46 ]; } }",
		    FS_AFI_IPV6,
		    BYTES(0x0b,			/* DSCP */
			  0x01, 0x0a,		/* eq: 10 */
			  0x81, 0x2e));		/* e, eq: 46 */
	/* Type 12, RFC 8956 §3.6: IsF 0x02, FF 0x04, LF 0x08. */
	check_match("flow route ipv6 { match { fragment [ is-fragment "
		    "first-fragment last-fragment ]; } }",
		    FS_AFI_IPV6,
		    BYTES(0x0c,			/* fragment */
			  0x00, 0x02,		/* any of IsF */
			  0x00, 0x04,		/* any of FF */
			  0x80, 0x08));		/* e: any of LF */
	check_match("flow route ipv6 { match { fragment !=first-fragment+last-fragment; } }",
		    FS_AFI_IPV6,
		    BYTES(0x0c, 0x83, 0x0c));	/* e not m: not exactly FF LF */
}
END_TEST

/* Text -> the wire octets want -> the canonical text printed, which reads
 * back to the same octets. */
static void check_round_trip(const char *text, enum fs_afi afi,
			     const uint8_t *want, size_t n, const char *printed)
{
	check_match(text, afi, want, n);
	check_print(text, printed);
	check_match(printed, afi, want, n);
}

/* '!=' (lt gt), 'true' (lt gt eq) and 'false' (none), RFC 8955 §4.2.1.1;
 * true and false carry a one-octet value 0. */
START_TEST(not_equal_true_false_round_trip)
{
	check_round_trip("flow route { match { destination-port !=80; } }",
			 FS_AFI_IPV4,
			 BYTES(0x05, 0x86, 0x50),	/* e, lt gt: 80 */
			 "flow route { match { destination-port !=80; } then { accept; } }");
	check_round_trip("flow route { match { port !=1024; } }", FS_AFI_IPV4,
			 BYTES(0x04, 0x96, 0x04, 0x00),	/* e, 2 octets, lt gt */
			 "flow route { match { port !=1024; } then { accept; } }");
	check_round_trip("flow route { match { protocol !=6; } }", FS_AFI_IPV4,
			 BYTES(0x03, 0x86, 0x06),
			 "flow route { match { protocol !=tcp; } then { accept; } }");
	check_round_trip("flow route { match { destination-port >=1024&!=8080; } }",
			 FS_AFI_IPV4,
			 BYTES(0x05, 0x13, 0x04, 0x00,	/* 2 octets, gt eq */
			       0xd6, 0x1f, 0x90),	/* e a, 2 octets, lt gt */
			 "flow route { match { destination-port >=1024&!=8080; } then { accept; } }");
	check_round_trip("flow route { match { port true; } }", FS_AFI_IPV4,
			 BYTES(0x04, 0x87, 0x00),	/* e, lt gt eq */
			 "flow route { match { port true; } then { accept; } }");
	check_round_trip("flow route { match { dscp false; } }", FS_AFI_IPV4,
			 BYTES(0x0b, 0x80, 0x00),	/* e, no lt gt eq */
			 "flow route { match { dscp false; } then { accept; } }");
	check_round_trip("flow route { match { packet-length [ false !=0 true ]; } }",
			 FS_AFI_IPV4,
			 BYTES(0x0a, 0x00, 0x00, 0x06, 0x00, 0x87, 0x00),
			 "flow route { match { packet-length [ false !=0 true ]; } then { accept; } }");
	check_round_trip("flow route { match { flow-label !=0; } }", FS_AFI_IPV6,
			 BYTES(0x0d, 0x86, 0x00),
			 "flow route { match { flow-label !=0; } then { accept; } }");
}
END_TEST

/* Actions, RFC 8955 §7, RFC 7674, redirect-to-IP drafts. */
START_TEST(every_action)
{
	/* traffic-rate 0 = discard; AS field 0 */
	check_ext("discard;", BYTES(0x80, 0x06, 0, 0, 0, 0, 0, 0));
	/* 1000000.0 as IEEE 754 single = 0x49742400 */
	check_ext("rate-limit 1000000;", BYTES(0x80, 0x06, 0, 0, 0x49, 0x74, 0x24, 0x00));
	/* 5000.0 = 0x459c4000, packets/s form 0x800c */
	check_ext("rate-limit 5000 packets;", BYTES(0x80, 0x0c, 0, 0, 0x45, 0x9c, 0x40, 0x00));
	check_ext("action sample;", BYTES(0x80, 0x07, 0, 0, 0, 0, 0, FS_ACTION_SAMPLE));
	check_ext("action terminal;", BYTES(0x80, 0x07, 0, 0, 0, 0, 0, FS_ACTION_TERMINAL));
	check_ext("action sample-terminal;", BYTES(0x80, 0x07, 0, 0, 0, 0, 0, 0x03));
	/* 65000 = 0xfde8 */
	check_ext("redirect 65000:100;", BYTES(0x80, 0x08, 0xfd, 0xe8, 0, 0, 0, 100));
	check_ext("redirect 192.0.2.1:100;", BYTES(0x81, 0x08, 192, 0, 2, 1, 0, 100));
	/* 4200000000 = 0xfa56ea00 */
	check_ext("redirect 4200000000:100;", BYTES(0x82, 0x08, 0xfa, 0x56, 0xea, 0x00, 0, 100));
	check_ext("mark 46;", BYTES(0x80, 0x09, 0, 0, 0, 0, 0, 46));
	check_ext("redirect-to-nexthop;", BYTES(0x08, 0x00, 0, 0, 0, 0, 0, 0));
	check_ext("redirect 192.0.2.1;", BYTES(0x08, 0x00, 0, 0, 0, 0, 0, 0));
	check_ext("copy 192.0.2.1;", BYTES(0x08, 0x00, 0, 0, 0, 0, 0, 1));
	check_ext("redirect-to-nexthop-ietf 192.0.2.1;", BYTES(0x01, 0x0c, 192, 0, 2, 1, 0, 0));
	check_ext("accept;", NULL, 0);
	/* Extended communities are a set: sorted, repeats dropped. */
	check_ext("mark 1; discard; extended-community [ 0x0102030405060708 0x0102030405060708 ];",
		  BYTES(1, 2, 3, 4, 5, 6, 7, 8, 0x80, 0x06, 0, 0, 0, 0, 0, 0,
			0x80, 0x09, 0, 0, 0, 0, 0, 1));
	check_ext("extended-community [ target:65000:1 0x0102030405060708 ];",
		  BYTES(0x00, 0x02, 0xfd, 0xe8, 0, 0, 0, 1, 1, 2, 3, 4, 5, 6, 7, 8));

	struct fs_rule r = parse_ok("flow route { match { destination 10.0.0.1/32; } "
				    "then { redirect 192.0.2.1; community [ 65000:666 no-export ]; } }");
	char nh[ADDR_STRLEN];
	ck_assert_str_eq(addr_format(&r.nexthop, nh), "192.0.2.1");
	check_bytes(&r.comm, BYTES(0xfd, 0xe8, 0x02, 0x9a, 0xff, 0xff, 0xff, 0x01), "communities");
	fs_rule_clear(&r);

	r = parse_ok("flow route { match { destination 2001:db8::1/128; } "
		     "then { redirect-to-nexthop-ietf 2001:db8::2; } }");
	check_bytes(&r.ext6, BYTES(0x00, 0x0c, 0x20, 0x01, 0x0d, 0xb8, 0, 0, 0, 0,
				   0, 0, 0, 0, 0, 0, 0, 2, 0, 0), "ipv6 redirect");
	fs_rule_clear(&r);
}
END_TEST

START_TEST(canonical_print)
{
	check_print("flow route { match { destination-port =1234; protocol tcp;"
		    " destination 10.50.100.100/32; } then { discard; } }",
		    "flow route { match { destination 10.50.100.100/32; protocol =tcp; "
		    "destination-port =1234; } then { discard; } }");
	check_print("flow route ipv6 { match { destination-port 80; dscp 10; } }",
		    "flow route { match { destination-port =80; traffic-class =10; } then { accept; } }");
	/* Leading zeros are decimal; bits before an IPv6 offset are not matched. */
	check_print("flow route { match { port =010; } }",
		    "flow route { match { port =10; } then { accept; } }");
	check_print("flow route { match { destination 2001:db8::/64/8; } }",
		    "flow route { match { destination 1:db8::/64/8; } then { accept; } }");
	check_print("flow route ipv6 { match { destination-port 80; } }",
		    "flow route ipv6 { match { destination-port =80; } then { accept; } }");
	check_print("flow route {match{destination 192.0.2.0/24;port 25;}}",
		    "flow route { match { destination 192.0.2.0/24; port =25; } then { accept; } }");
	check_print("flow route { match { source 2001:db8::/32; next-header [ 6 17 ]; "
		    "destination ::1234:5678:9a00:0/104/65; } }",
		    "flow route { match { destination ::1234:5678:9a00:0/104/65; "
		    "source 2001:db8::/32; next-header [ =tcp =udp ]; } then { accept; } }");
	check_print("flow route { match { destination 10.0.0.1/32; tcp-flags [ syn&!ack =fin+rst ]; "
		    "port >1024&<2048; } then { copy 192.0.2.1; rate-limit 5000 packets; "
		    "community 65000:666; } }",
		    "flow route { match { destination 10.0.0.1/32; port >1024&<2048; "
		    "tcp-flags [ syn&!ack =fin+rst ]; } then { copy 192.0.2.1; "
		    "rate-limit 5000 packets; community [ 65000:666 ]; } }");
}
END_TEST

static const char *const round_trips[] = {
	"flow route { match { destination 10.50.100.100/32; protocol [ tcp udp ]; "
	"destination-port =80; } then { discard; } }",
	"flow route { match { destination 10.0.0.0/8; source 192.0.2.0/24; port [ >1024&<2048 =80 ]; "
	"source-port [ =53 =123 ]; icmp-type 8; icmp-code 0; tcp-flags [ syn&!ack ]; "
	"packet-length >=1000&<=1500; dscp 46; fragment [ is-fragment !first-fragment ]; } "
	"then { rate-limit 1000000; redirect 65000:100; mark 10; action sample-terminal; } }",
	"flow route { match { destination 0:db8::/64/8; flow-label 1234; next-header udp; } "
	"then { redirect-to-nexthop-ietf 2001:db8::1; redirect 4200000000:100; } }",
	"flow route { match { source 10.1.0.0/16; } then { redirect 192.0.2.1:100; "
	"community [ 65000:666 blackhole ]; extended-community [ 0x0102030405060708 ]; } }",
	"flow route { match { destination 10.0.0.1/32; } then { redirect-to-nexthop; } }",
	"flow route { match { destination 10.0.0.1/32; } then { next-hop 192.0.2.9; } }",
	"flow route { match { destination 10.0.0.1/32; port true; dscp false; } then { accept; } }",
	"flow route ipv6 { match { port =80; } then { discard; } }",
	"flow route { match { traffic-class 10; } then { discard; } }",
};

/* text -> wire -> text is stable, and the wire survives the round trip. */
START_TEST(round_trip)
{
	for (size_t i = 0; i < sizeof round_trips / sizeof round_trips[0]; i++) {
		struct fs_rule a = parse_ok(round_trips[i]);
		char *once = fs_text_string(&a);
		struct fs_rule b = parse_ok(once);
		char *twice = fs_text_string(&b);
		ck_assert_str_eq(once, twice);
		ck_assert_int_eq(a.afi, b.afi);
		check_bytes(&b.match, a.match.data, a.match.len, once);
		check_bytes(&b.ext, a.ext.data, a.ext.len, once);
		check_bytes(&b.ext6, a.ext6.data, a.ext6.len, once);
		check_bytes(&b.comm, a.comm.data, a.comm.len, once);
		ck_assert(memcmp(&a.nexthop, &b.nexthop, sizeof a.nexthop) == 0);
		free(once);
		free(twice);
		fs_rule_clear(&a);
		fs_rule_clear(&b);
	}
}
END_TEST

struct bad_case {
	const char *text;
	size_t col;
	const char *msg;	/* a part of the expected message */
};

static const struct bad_case bad[] = {
	{ "flow route { match { destinaton 10.0.0.1/32; } }", 22, "unknown component 'destinaton'" },
	{ "flow route { match { destination 10.0.0.1/24; } }", 34, "bits set past /24" },
	{ "flow route { match { destination 10.0.0.0/33; } }", 34, "expected a prefix" },
	{ "flow route { match { destination 10.0.0.1/32; port =70000; } }", 52, "too large" },
	{ "flow route { match { destination 10.0.0.1/32; source 2001:db8::/32; } }", 54, "IPv6 value in an IPv4 rule" },
	{ "flow route { match { flow-label 1; destination 10.0.0.1/32; } }", 48, "IPv4 value in an IPv6 rule" },
	{ "flow route { match { destination 10.0.0.0/8/4; } }", 34, "offset is IPv6 only" },
	{ "flow route { match { destination 2001:db8::/32/33; } }", 34, "bad offset" },
	{ "flow route { match { destination 2001:db8::/32/32; } }", 34, "below the prefix length" },
	{ "flow route { match { port 08x; } }", 27, "bad value '08x'" },
	{ "flow route { match { port =1; } then { rate-limit 1e-50; } }", 51, "too small" },
	{ "flow route { match { port =1; } then { discard; rate-limit 5; } }", 49, "a second traffic-rate" },
	{ "flow route { match { port =1; } then { redirect 1:1; redirect 192.0.2.1:2; } }", 54, "a second redirect action" },
	{ "flow route { match { port =1; } then { redirect 192.0.2.1; next-hop 192.0.2.2; } }", 69, "a second next hop" },
	/* 0x800c is traffic-rate-packets (RFC 8955 §7): it prints as
	 * rate-limit … packets, so two of them are two such actions. */
	{ "flow route { match { port =1; } then { extended-community 0x800c000000000001; extended-community 0x800c000000000002; } }", 98, "a second rate-limit in packets" },
	{ "flow route { match { port =1; } then { discard; extended-community [ 0x8006000000000000 ]; } }", 70, "a second traffic-rate" },
	{ "flow route { match { port =1; } then { redirect 2001:db8::1; } }", 49, "of the rule's address family" },
	{ "flow route { match { dscp 64; } }", 27, "too large for dscp (max 63)" },
	{ "flow route { match { fragment [ is-fragment dont-fragment ]; flow-label 1; } }", 45, "dont-fragment is IPv4 only" },
	{ "flow route { match { fragment 16; } }", 31, "too large" },
	/* RFC 8956 §3.4: one octet */
	{ "flow route ipv6 { match { icmp-type 256; } }", 37, "too large for icmp-type (max 255)" },
	{ "flow route { match { traffic-class 64; } }", 36, "too large for traffic-class (max 63)" },
	/* RFC 8956 §3.6: no DF, by name or as the bit 0x01 */
	{ "flow route ipv6 { match { fragment dont-fragment; } }", 36, "dont-fragment is IPv4 only" },
	{ "flow route ipv6 { match { fragment 1; } }", 36, "dont-fragment is IPv4 only" },
	{ "flow route ipv6 { match { fragment =is-fragment+1; } }", 36, "dont-fragment is IPv4 only" },
	{ "flow route { match { } }", 1, "at least one match component" },
	{ "flow route { match { destination 10.0.0.1/32 } }", 46, "expected ';'" },
	{ "flow route { match { port =80; port =81; } }", 32, "given twice" },
	{ "flow route { match { port >; } }", 27, "bad value '>'" },
	{ "flow route { match { port =80&; } }", 27, "'&' at the end" },
	{ "flow route { match { port; } }", 26, "expected a value" },
	{ "flow route { match { tcp-flags [ syn bogus ]; } }", 38, "bad value 'bogus'" },
	{ "flow route { match { port =1; } then { discard } }", 48, "expected ';'" },
	{ "flow route { match { port =1; } then { redirect nowhere; } }", 49, "after redirect" },
	{ "flow route { match { port =1; } then { redirect 65000:4294967296; } }", 49, "too large" },
	{ "flow route { match { port =1; } then { redirect 70000:70000; } }", 49, "too large" },
	{ "flow route { match { port =1; } then { mark 64; } }", 45, "DSCP value 0-63" },
	{ "flow route { match { port =1; } then { rate-limit -5; } }", 51, "bad rate" },
	{ "flow route { match { port =1; } then { action bogus; } }", 47, "sample, terminal" },
	{ "flow route { match { port =1; } then { community 70000:1; } }", 50, "community" },
	{ "flow route { match { port =1; } then { fly; } }", 40, "unknown action 'fly'" },
	{ "flow route { match { port =1; }", 32, "expected 'then' or '}', found end of input" },
	{ "flow rout { }", 6, "expected 'route'" },
	{ "", 1, "expected 'flow', found end of input" },
};

START_TEST(errors_say_where_and_what)
{
	for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
		struct fs_rule r;
		struct fs_text_error err = { 0 };
		ck_assert_msg(!fs_text_parse(&r, bad[i].text, NULL, &err),
			      "accepted: %s", bad[i].text);
		ck_assert_msg(err.col == bad[i].col && strstr(err.msg, bad[i].msg),
			      "%s\n  got col %zu: %s\n  want col %zu: ...%s...",
			      bad[i].text, err.col, err.msg, bad[i].col, bad[i].msg);
	}
}
END_TEST

/* A match over 4095 octets (RFC 8955 §4.1) is refused, one just under is fine. */
START_TEST(rule_length_limit)
{
	char *text = malloc(20000);
	ck_assert_ptr_nonnull(text);
	for (int n = 1360; n <= 1370; n += 10) {
		/* port =N with N > 255: 3 octets per operator */
		size_t off = (size_t)sprintf(text, "flow route { match { port [");
		for (int i = 0; i < n; i++)
			off += (size_t)sprintf(text + off, " =%d", 1000 + i);
		sprintf(text + off, " ]; } }");
		struct fs_rule r;
		struct fs_text_error err;
		bool ok = fs_text_parse(&r, text, NULL, &err);
		if (n == 1360) {
			ck_assert_msg(ok, "%s", err.msg);
			ck_assert_uint_eq(r.match.len, 1 + 3 * 1360);
			fs_rule_clear(&r);
		} else {
			ck_assert(!ok);
			ck_assert_msg(strstr(err.msg, "4095"), "%s", err.msg);
		}
	}
	free(text);
}
END_TEST

/* The end offset lets callers read what follows (ttl, comment). */
START_TEST(end_offset)
{
	const char *s = "  flow route { match { port =1; } } ttl 300";
	struct fs_rule r;
	size_t end = 0;
	ck_assert(fs_text_parse(&r, s, &end, NULL));
	ck_assert_str_eq(s + end, " ttl 300");
	fs_rule_clear(&r);
}
END_TEST

static Suite *text_suite(void)
{
	Suite *s = suite_create("text");
	TCase *tc = tcase_create("text");
	tcase_add_test(tc, iosxr_and_rfc8955_vectors);
	tcase_add_test(tc, every_ipv4_component);
	tcase_add_test(tc, every_numeric_operator);
	tcase_add_test(tc, ipv6_components);
	tcase_add_test(tc, ipv6_ports_to_fragment);
	tcase_add_test(tc, not_equal_true_false_round_trip);
	tcase_add_test(tc, every_action);
	tcase_add_test(tc, canonical_print);
	tcase_add_test(tc, round_trip);
	tcase_add_test(tc, errors_say_where_and_what);
	tcase_add_test(tc, rule_length_limit);
	tcase_add_test(tc, end_offset);
	suite_add_tcase(s, tc);
	return s;
}

int main(void)
{
	SRunner *sr = srunner_create(text_suite());
	srunner_run_all(sr, CK_NORMAL);
	int failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
