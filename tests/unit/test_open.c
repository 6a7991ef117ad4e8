/* Unit tests for bgpd/bgp/open.c: our OPEN against bytes written from
 * RFC 4271 §4.2, RFC 5492, RFC 4760, RFC 6793, RFC 4724 / RFC 8538,
 * RFC 8654, RFC 2918 and RFC 7313; the peer's OPEN with every capability,
 * AS_TRANS, the RFC 9072 form, every OPEN error and a truncation sweep;
 * KEEPALIVE and ROUTE-REFRESH. */
#include <stdio.h>

#include "bgpd/bgp/msg.h"
#include "bgpd/bgp/notify.h"
#include "bgpd/bgp/open.h"
#include "vectors.h"

#define MARKER                                                          \
	0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, \
		0xff, 0xff, 0xff, 0xff, 0xff
#define U16(v) ((v) >> 8) & 0xff, (v) & 0xff
#define U32(v) ((v) >> 24) & 0xff, ((v) >> 16) & 0xff, ((v) >> 8) & 0xff, (v) & 0xff
#define PARAM BGP_OPT_PARAM_CAPABILITIES
/* One capability in its own optional parameter (RFC 5492 §4). */
#define CAP(code, len, ...) PARAM, (len) + 2, code, len, __VA_ARGS__
#define CAP0(code) PARAM, 2, code, 0
/* RFC 4760 §8: AFI, reserved, SAFI. */
#define MP(afi, safi) CAP(BGP_CAP_MULTIPROTOCOL, 4, U16(afi), 0, safi)
#define AS_65100 0xfe4c
#define AS_65200 0xfeb0
#define AS_4200000000 0xfa56ea00u
#define ID_192_0_2_1 192, 0, 2, 1
#define ID_198_51_100_2 198, 51, 100, 2

static struct bgp_peer_config cfg_ibgp(void)
{
	struct bgp_peer_config c = {
		.port = 179,
		.remote_as = 65100,
		.families = BGP_FAM_FLOWSPEC,
		.hold_time = 90,
		.connect_retry = 30,
		.restart_time = 120,
	};
	addr_parse(&c.address, "198.51.100.2", 12);
	return c;
}

static struct bgp_local local_65100(void)
{
	struct bgp_local l = { .local_as = 65100 };
	addr_parse(&l.router_id, "192.0.2.1", 9);
	return l;
}

/* ---- our OPEN ------------------------------------------------------------- */

START_TEST(encode_ibgp_flowspec)
{
	struct bgp_peer_config cfg = cfg_ibgp();
	struct bgp_local local = local_65100();
	struct writer w = writer_init(0);
	ck_assert(bgp_open_encode(&w, &cfg, &local));
	ck_assert_octets(
		w.data, w.len,
		VEC(MARKER, U16(79), BGP_MSG_OPEN,
		    /* RFC 4271 §4.2 */
		    BGP_VERSION, U16(AS_65100), U16(90), ID_192_0_2_1, 50,
		    MP(BGP_AFI_IPV4, BGP_SAFI_FLOWSPEC),
		    MP(BGP_AFI_IPV6, BGP_SAFI_FLOWSPEC),
		    CAP0(BGP_CAP_ROUTE_REFRESH),
		    CAP0(BGP_CAP_ENHANCED_REFRESH),
		    CAP(BGP_CAP_AS4, 4, U32(65100)),
		    CAP0(BGP_CAP_EXTENDED_MESSAGE),
		    /* RFC 4724 §3: N (RFC 8538) and 120 s, then each
		     * Flowspec family with F. */
		    CAP(BGP_CAP_GRACEFUL_RESTART, 10, 0x40, 120,
			U16(BGP_AFI_IPV4), BGP_SAFI_FLOWSPEC, 0x80,
			U16(BGP_AFI_IPV6), BGP_SAFI_FLOWSPEC, 0x80)));
	writer_free(&w);
}
END_TEST

/* RFC 6793 §4.2.3: AS_TRANS in My AS, the real AS in the capability;
 * no GR when restart_time is 0; unicast families as asked. */
START_TEST(encode_as4_no_gr_unicast)
{
	struct bgp_peer_config cfg = cfg_ibgp();
	cfg.remote_as = 65200;
	cfg.restart_time = 0;
	cfg.hold_time = 0;
	cfg.families = BGP_FAM_IPV4_FLOWSPEC | BGP_FAM_IPV4_UNICAST |
		       BGP_FAM_IPV6_UNICAST;
	struct bgp_local local = local_65100();
	local.local_as = 4200000000u;
	struct writer w = writer_init(0);
	ck_assert(bgp_open_encode(&w, &cfg, &local));
	ck_assert_octets(
		w.data, w.len,
		VEC(MARKER, U16(73), BGP_MSG_OPEN, BGP_VERSION,
		    U16(BGP_AS_TRANS), U16(0), ID_192_0_2_1, 44,
		    MP(BGP_AFI_IPV4, BGP_SAFI_FLOWSPEC),
		    MP(BGP_AFI_IPV4, BGP_SAFI_UNICAST),
		    MP(BGP_AFI_IPV6, BGP_SAFI_UNICAST),
		    CAP0(BGP_CAP_ROUTE_REFRESH),
		    CAP0(BGP_CAP_ENHANCED_REFRESH),
		    CAP(BGP_CAP_AS4, 4, U32(AS_4200000000)),
		    CAP0(BGP_CAP_EXTENDED_MESSAGE)));
	writer_free(&w);
}
END_TEST

/* RFC 4724 §3: R set after our restart; the time is 12 bits. */
START_TEST(encode_gr_restarting)
{
	struct bgp_peer_config cfg = cfg_ibgp();
	cfg.families = BGP_FAM_IPV6_FLOWSPEC;
	cfg.restart_time = 5000;	/* more than 4095: capped */
	struct bgp_local local = local_65100();
	local.restarting = true;
	struct writer w = writer_init(0);
	ck_assert(bgp_open_encode(&w, &cfg, &local));
	ck_assert_octets(
		w.data, w.len,
		VEC(MARKER, U16(67), BGP_MSG_OPEN, BGP_VERSION, U16(AS_65100),
		    U16(90), ID_192_0_2_1, 38,
		    MP(BGP_AFI_IPV6, BGP_SAFI_FLOWSPEC),
		    CAP0(BGP_CAP_ROUTE_REFRESH),
		    CAP0(BGP_CAP_ENHANCED_REFRESH),
		    CAP(BGP_CAP_AS4, 4, U32(65100)),
		    CAP0(BGP_CAP_EXTENDED_MESSAGE),
		    CAP(BGP_CAP_GRACEFUL_RESTART, 6, 0xcf, 0xff,
			U16(BGP_AFI_IPV6), BGP_SAFI_FLOWSPEC, 0x80)));
	writer_free(&w);
}
END_TEST

/* Our OPEN, read by the peer it is meant for, negotiates everything. */
START_TEST(encode_decode_both_ends)
{
	struct bgp_peer_config ours = cfg_ibgp();
	ours.remote_as = 65200;
	struct bgp_local local = local_65100();
	struct writer w = writer_init(0);
	ck_assert(bgp_open_encode(&w, &ours, &local));

	struct bgp_peer_config theirs = cfg_ibgp();
	theirs.remote_as = 65100;
	theirs.hold_time = 30;
	theirs.families = BGP_FAM_IPV4_FLOWSPEC | BGP_FAM_IPV4_UNICAST;
	struct bgp_local peer = { .local_as = 65200 };
	addr_parse(&peer.router_id, "198.51.100.2", 12);
	struct bgp_session_caps caps;
	struct bgp_error err;
	uint8_t *buf = exact_copy(w.data, w.len);
	ck_assert_msg(bgp_open_decode(buf, w.len, &theirs, &peer, &caps, &err),
		      "%s", err.why);
	ck_assert_uint_eq(caps.peer_as, 65100);
	ck_assert_uint_eq(caps.hold_time, 30);
	ck_assert_uint_eq(caps.peer_hold_time, 90);
	ck_assert_uint_eq(caps.families, BGP_FAM_IPV4_FLOWSPEC);
	ck_assert_uint_eq(caps.peer_families, BGP_FAM_FLOWSPEC);
	ck_assert(caps.as4 && caps.route_refresh && caps.enhanced_refresh &&
		  caps.extended_msg && caps.graceful_restart);
	ck_assert(caps.gr_notification);
	ck_assert(!caps.peer_restarted);
	ck_assert_uint_eq(caps.peer_restart_time, 120);
	ck_assert_uint_eq(caps.peer_gr_families, BGP_FAM_FLOWSPEC);
	ck_assert_uint_eq(caps.peer_gr_forwarding, BGP_FAM_FLOWSPEC);
	ck_assert_uint_eq(caps.peer_id.family, ADDR_V4);
	ck_assert_mem_eq(caps.peer_id.bytes, local.router_id.bytes, 4);
	free(buf);
	writer_free(&w);
}
END_TEST

/* ---- the peer's OPEN ------------------------------------------------------ */

/* Decodes v (exact copy) with cfg_ibgp() and local_65100() unless given. */
struct decoded {
	bool ok;
	struct bgp_session_caps caps;
	struct bgp_error err;
};

static struct decoded decode_with(struct vec v,
				  const struct bgp_peer_config *cfg,
				  const struct bgp_local *local)
{
	struct decoded d;
	uint8_t *buf = exact_copy(v.data, v.len);
	d.ok = bgp_open_decode(buf, v.len, cfg, local, &d.caps, &d.err);
	free(buf);
	return d;
}

static struct decoded decode(struct vec v)
{
	struct bgp_peer_config cfg = cfg_ibgp();
	struct bgp_local local = local_65100();
	return decode_with(v, &cfg, &local);
}

#define ck_assert_open_error(d, c, s)                                     \
	do {                                                              \
		ck_assert(!(d).ok);                                       \
		ck_assert_uint_eq((d).err.code, (c));                     \
		ck_assert_uint_eq((d).err.subcode, (s));                  \
		ck_assert((d).err.why[0]);                                \
	} while (0)

/* An iBGP OPEN from 198.51.100.2 (AS 65100) with every capability we
 * know, unknown ones around them, and several capabilities in one
 * parameter (RFC 5492 §4 allows both forms). */
START_TEST(decode_every_capability)
{
	struct decoded d = decode(VEC(
		MARKER, U16(100), BGP_MSG_OPEN, BGP_VERSION, U16(AS_65100),
		U16(180), ID_198_51_100_2, 71,
		MP(BGP_AFI_IPV4, BGP_SAFI_FLOWSPEC),
		/* One parameter: IPv6 Flowspec, IPv4 unicast, route refresh,
		 * an unknown capability 73 (FQDN) with a value. */
		PARAM, 19, BGP_CAP_MULTIPROTOCOL, 4, U16(BGP_AFI_IPV6), 0,
		BGP_SAFI_FLOWSPEC, BGP_CAP_MULTIPROTOCOL, 4, U16(BGP_AFI_IPV4),
		0, BGP_SAFI_UNICAST, BGP_CAP_ROUTE_REFRESH, 0, 73, 3, 1, 'r',
		'1',
		/* MP for a family we have no name for (L2VPN EVPN). */
		MP(25, 70),
		CAP0(128),	/* the pre-standard route refresh */
		CAP0(BGP_CAP_ENHANCED_REFRESH), CAP(BGP_CAP_AS4, 4, U32(65100)),
		CAP0(BGP_CAP_EXTENDED_MESSAGE),
		/* RFC 4724 §3 with R and N, 300 s; IPv4 Flowspec with F,
		 * IPv6 Flowspec without. */
		CAP(BGP_CAP_GRACEFUL_RESTART, 10, 0xc1, 0x2c,
		    U16(BGP_AFI_IPV4), BGP_SAFI_FLOWSPEC, 0x80,
		    U16(BGP_AFI_IPV6), BGP_SAFI_FLOWSPEC, 0x00)));
	ck_assert_msg(d.ok, "%s", d.err.why);
	ck_assert_uint_eq(d.caps.peer_as, 65100);
	ck_assert_uint_eq(d.caps.hold_time, 90);
	ck_assert_uint_eq(d.caps.peer_hold_time, 180);
	ck_assert_uint_eq(d.caps.peer_families,
			  BGP_FAM_FLOWSPEC | BGP_FAM_IPV4_UNICAST);
	ck_assert_uint_eq(d.caps.families, BGP_FAM_FLOWSPEC);
	ck_assert(d.caps.as4);
	ck_assert(d.caps.route_refresh);
	ck_assert(d.caps.enhanced_refresh);
	ck_assert(d.caps.extended_msg);
	ck_assert(d.caps.graceful_restart);
	ck_assert(d.caps.peer_restarted);
	ck_assert(d.caps.gr_notification);
	ck_assert_uint_eq(d.caps.peer_restart_time, 300);
	ck_assert_uint_eq(d.caps.peer_gr_families, BGP_FAM_FLOWSPEC);
	ck_assert_uint_eq(d.caps.peer_gr_forwarding, BGP_FAM_IPV4_FLOWSPEC);
	char buf[ADDR_STRLEN];
	ck_assert_str_eq(addr_format(&d.caps.peer_id, buf), "198.51.100.2");
}
END_TEST

/* No capabilities at all: IPv4 unicast only (RFC 4760 §8), nothing in
 * common with a Flowspec neighbor; no AS4, no refresh, no GR. */
START_TEST(decode_no_capabilities)
{
	struct decoded d = decode(VEC(MARKER, U16(29), BGP_MSG_OPEN,
				      BGP_VERSION, U16(AS_65100), U16(90),
				      ID_198_51_100_2, 0));
	ck_assert_msg(d.ok, "%s", d.err.why);
	ck_assert_uint_eq(d.caps.peer_families, BGP_FAM_IPV4_UNICAST);
	ck_assert_uint_eq(d.caps.families, 0);
	ck_assert(!d.caps.as4 && !d.caps.route_refresh &&
		  !d.caps.enhanced_refresh && !d.caps.extended_msg &&
		  !d.caps.graceful_restart && !d.caps.gr_notification);

	/* Our ipv4-unicast offer meets the implicit one. */
	struct bgp_peer_config cfg = cfg_ibgp();
	cfg.families |= BGP_FAM_IPV4_UNICAST;
	struct bgp_local local = local_65100();
	d = decode_with(VEC(MARKER, U16(29), BGP_MSG_OPEN, BGP_VERSION,
			    U16(AS_65100), U16(90), ID_198_51_100_2, 0),
			&cfg, &local);
	ck_assert(d.ok);
	ck_assert_uint_eq(d.caps.families, BGP_FAM_IPV4_UNICAST);
}
END_TEST

/* RFC 6793 §4.1: a 4-octet AS in the capability, AS_TRANS in My AS. */
START_TEST(decode_as_trans)
{
	struct bgp_peer_config cfg = cfg_ibgp();
	cfg.remote_as = 4200000000u;
	struct bgp_local local = local_65100();
	struct decoded d = decode_with(
		VEC(MARKER, U16(37), BGP_MSG_OPEN, BGP_VERSION,
		    U16(BGP_AS_TRANS), U16(90), ID_198_51_100_2, 8,
		    CAP(BGP_CAP_AS4, 4, U32(AS_4200000000))),
		&cfg, &local);
	ck_assert_msg(d.ok, "%s", d.err.why);
	ck_assert_uint_eq(d.caps.peer_as, 4200000000u);
	ck_assert(d.caps.as4);

	/* Without the capability the peer is AS_TRANS itself: bad AS. */
	d = decode_with(VEC(MARKER, U16(29), BGP_MSG_OPEN, BGP_VERSION,
			    U16(BGP_AS_TRANS), U16(90), ID_198_51_100_2, 0),
			&cfg, &local);
	ck_assert_open_error(d, BGP_ERR_OPEN, BGP_OPEN_BAD_PEER_AS);

	/* A 2-octet AS in the capability must match too. */
	cfg.remote_as = 65200;
	d = decode_with(VEC(MARKER, U16(37), BGP_MSG_OPEN, BGP_VERSION,
			    U16(AS_65200), U16(90), ID_198_51_100_2, 8,
			    CAP(BGP_CAP_AS4, 4, U32(65201))),
			&cfg, &local);
	ck_assert_open_error(d, BGP_ERR_OPEN, BGP_OPEN_BAD_PEER_AS);
}
END_TEST

/* RFC 9072 §2: Non-Ext OP Len 255, Non-Ext OP Type 255, a two-octet
 * length, parameters with two-octet lengths. */
START_TEST(decode_extended_opt_params)
{
	struct decoded d = decode(VEC(
		MARKER, U16(49), BGP_MSG_OPEN, BGP_VERSION, U16(AS_65100),
		U16(90), ID_198_51_100_2, 255, BGP_OPT_PARAM_EXTENDED, U16(17),
		PARAM, U16(14), BGP_CAP_MULTIPROTOCOL, 4, U16(BGP_AFI_IPV6), 0,
		BGP_SAFI_FLOWSPEC, BGP_CAP_AS4, 4, U32(65100),
		BGP_CAP_ROUTE_REFRESH, 0));
	ck_assert_msg(d.ok, "%s", d.err.why);
	ck_assert_uint_eq(d.caps.families, BGP_FAM_IPV6_FLOWSPEC);
	ck_assert(d.caps.as4);
	ck_assert(d.caps.route_refresh);

	/* The extended length must match the message too. */
	d = decode(VEC(MARKER, U16(49), BGP_MSG_OPEN, BGP_VERSION,
		       U16(AS_65100), U16(90), ID_198_51_100_2, 255,
		       BGP_OPT_PARAM_EXTENDED, U16(18), PARAM, U16(14),
		       BGP_CAP_MULTIPROTOCOL, 4, U16(BGP_AFI_IPV6), 0,
		       BGP_SAFI_FLOWSPEC, BGP_CAP_AS4, 4, U32(65100),
		       BGP_CAP_ROUTE_REFRESH, 0));
	ck_assert_open_error(d, BGP_ERR_OPEN, BGP_ERR_UNSPECIFIC);
}
END_TEST

START_TEST(decode_hold_time)
{
	/* RFC 4271 §4.2: the smaller; 0 is allowed, 1 and 2 are not. */
	static const struct {
		uint16_t ours, theirs, result;
	} cases[] = {
		{ 90, 180, 90 }, { 90, 30, 30 }, { 90, 3, 3 },
		{ 90, 0, 0 },	 { 0, 90, 0 },	 { 65535, 65535, 65535 },
	};
	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		struct bgp_peer_config cfg = cfg_ibgp();
		cfg.hold_time = cases[i].ours;
		struct bgp_local local = local_65100();
		struct decoded d = decode_with(
			VEC(MARKER, U16(29), BGP_MSG_OPEN, BGP_VERSION,
			    U16(AS_65100), U16(cases[i].theirs),
			    ID_198_51_100_2, 0),
			&cfg, &local);
		ck_assert(d.ok);
		ck_assert_uint_eq(d.caps.hold_time, cases[i].result);
	}
	for (uint16_t bad = 1; bad <= 2; bad++) {
		struct decoded d = decode(VEC(MARKER, U16(29), BGP_MSG_OPEN,
					      BGP_VERSION, U16(AS_65100),
					      U16(bad), ID_198_51_100_2, 0));
		ck_assert_open_error(d, BGP_ERR_OPEN, BGP_OPEN_BAD_HOLD_TIME);
	}
}
END_TEST

/* Every OPEN error subcode we send, RFC 4271 §6.2 and RFC 5492. */
START_TEST(decode_errors)
{
	/* 2/1, with the version we speak as two octets. */
	struct decoded d = decode(VEC(MARKER, U16(29), BGP_MSG_OPEN, 3,
				      U16(AS_65100), U16(90), ID_198_51_100_2,
				      0));
	ck_assert_open_error(d, BGP_ERR_OPEN, BGP_OPEN_UNSUP_VERSION);
	ck_assert_octets(d.err.data, d.err.len, VEC(0, BGP_VERSION));
	d = decode(VEC(MARKER, U16(29), BGP_MSG_OPEN, 5, U16(AS_65100), U16(90),
		       ID_198_51_100_2, 0));
	ck_assert_open_error(d, BGP_ERR_OPEN, BGP_OPEN_UNSUP_VERSION);

	/* 2/2: not the configured AS, and AS 0 (RFC 7607). */
	d = decode(VEC(MARKER, U16(29), BGP_MSG_OPEN, BGP_VERSION,
		       U16(AS_65200), U16(90), ID_198_51_100_2, 0));
	ck_assert_open_error(d, BGP_ERR_OPEN, BGP_OPEN_BAD_PEER_AS);
	ck_assert_uint_eq(d.err.len, 0);
	d = decode(VEC(MARKER, U16(29), BGP_MSG_OPEN, BGP_VERSION, U16(0),
		       U16(90), ID_198_51_100_2, 0));
	ck_assert_open_error(d, BGP_ERR_OPEN, BGP_OPEN_BAD_PEER_AS);

	/* 2/3: zero, or ours on an internal session. */
	d = decode(VEC(MARKER, U16(29), BGP_MSG_OPEN, BGP_VERSION,
		       U16(AS_65100), U16(90), 0, 0, 0, 0, 0));
	ck_assert_open_error(d, BGP_ERR_OPEN, BGP_OPEN_BAD_BGP_ID);
	d = decode(VEC(MARKER, U16(29), BGP_MSG_OPEN, BGP_VERSION,
		       U16(AS_65100), U16(90), ID_192_0_2_1, 0));
	ck_assert_open_error(d, BGP_ERR_OPEN, BGP_OPEN_BAD_BGP_ID);
	/* ... which an external peer may share (RFC 6286 §2.2). */
	struct bgp_peer_config ebgp = cfg_ibgp();
	ebgp.remote_as = 65200;
	struct bgp_local local = local_65100();
	d = decode_with(VEC(MARKER, U16(29), BGP_MSG_OPEN, BGP_VERSION,
			    U16(AS_65200), U16(90), ID_192_0_2_1, 0),
			&ebgp, &local);
	ck_assert_msg(d.ok, "%s", d.err.why);

	/* 2/4: any optional parameter but capabilities (1 was
	 * authentication, RFC 1771). */
	d = decode(VEC(MARKER, U16(33), BGP_MSG_OPEN, BGP_VERSION,
		       U16(AS_65100), U16(90), ID_198_51_100_2, 4, 1, 2, 0xaa,
		       0xbb));
	ck_assert_open_error(d, BGP_ERR_OPEN, BGP_OPEN_UNSUP_OPT_PARAM);

	/* 2/6 is in decode_hold_time. 2/0 for structure faults: */
	/* a capability running past its parameter, */
	d = decode(VEC(MARKER, U16(33), BGP_MSG_OPEN, BGP_VERSION,
		       U16(AS_65100), U16(90), ID_198_51_100_2, 4, PARAM, 2,
		       BGP_CAP_AS4, 4));
	ck_assert_open_error(d, BGP_ERR_OPEN, BGP_ERR_UNSPECIFIC);
	/* a parameter running past the parameters, */
	d = decode(VEC(MARKER, U16(33), BGP_MSG_OPEN, BGP_VERSION,
		       U16(AS_65100), U16(90), ID_198_51_100_2, 4, PARAM, 3,
		       BGP_CAP_ROUTE_REFRESH, 0));
	ck_assert_open_error(d, BGP_ERR_OPEN, BGP_ERR_UNSPECIFIC);
	/* a known capability of the wrong length, */
	d = decode(VEC(MARKER, U16(36), BGP_MSG_OPEN, BGP_VERSION,
		       U16(AS_65100), U16(90), ID_198_51_100_2, 7,
		       CAP(BGP_CAP_MULTIPROTOCOL, 3, 0, 1, 133)));
	ck_assert_open_error(d, BGP_ERR_OPEN, BGP_ERR_UNSPECIFIC);
	d = decode(VEC(MARKER, U16(34), BGP_MSG_OPEN, BGP_VERSION,
		       U16(AS_65100), U16(90), ID_198_51_100_2, 5,
		       CAP(BGP_CAP_ROUTE_REFRESH, 1, 0)));
	ck_assert_open_error(d, BGP_ERR_OPEN, BGP_ERR_UNSPECIFIC);
	d = decode(VEC(MARKER, U16(38), BGP_MSG_OPEN, BGP_VERSION,
		       U16(AS_65100), U16(90), ID_198_51_100_2, 9,
		       CAP(BGP_CAP_GRACEFUL_RESTART, 5, 0, 120, 0, 1, 133)));
	ck_assert_open_error(d, BGP_ERR_OPEN, BGP_ERR_UNSPECIFIC);
	/* Opt Parm Len disagreeing with the message, both ways. */
	d = decode(VEC(MARKER, U16(33), BGP_MSG_OPEN, BGP_VERSION,
		       U16(AS_65100), U16(90), ID_198_51_100_2, 5,
		       CAP0(BGP_CAP_ROUTE_REFRESH)));
	ck_assert_open_error(d, BGP_ERR_OPEN, BGP_ERR_UNSPECIFIC);
	d = decode(VEC(MARKER, U16(34), BGP_MSG_OPEN, BGP_VERSION,
		       U16(AS_65100), U16(90), ID_198_51_100_2, 4,
		       CAP0(BGP_CAP_ROUTE_REFRESH), 0));
	ck_assert_open_error(d, BGP_ERR_OPEN, BGP_ERR_UNSPECIFIC);

	/* Shorter than the fixed part: Bad Message Length, with it. */
	d = decode(VEC(MARKER, U16(28), BGP_MSG_OPEN, BGP_VERSION,
		       U16(AS_65100), U16(90), ID_198_51_100_2));
	ck_assert_open_error(d, BGP_ERR_HEADER, BGP_HDR_BAD_LENGTH);
	ck_assert_octets(d.err.data, d.err.len, VEC(0, 28));
}
END_TEST

/* Every prefix of a full OPEN fails cleanly; only the whole succeeds. */
START_TEST(decode_truncation_sweep)
{
	struct bgp_peer_config ours = cfg_ibgp();
	ours.families = BGP_FAM_FLOWSPEC | BGP_FAM_IPV4_UNICAST |
			BGP_FAM_IPV6_UNICAST;
	struct bgp_local peer = { .local_as = 65100 };
	addr_parse(&peer.router_id, "198.51.100.2", 12);
	struct writer w = writer_init(0);
	ck_assert(bgp_open_encode(&w, &ours, &peer));

	struct bgp_peer_config cfg = cfg_ibgp();
	struct bgp_local local = local_65100();
	for (size_t n = 0; n <= w.len + 1; n++) {
		/* n == w.len + 1: one zero octet too many. */
		uint8_t *buf = calloc(1, n ? n : 1);
		ck_assert_ptr_nonnull(buf);
		memcpy(buf, w.data, n <= w.len ? n : w.len);
		struct bgp_session_caps caps;
		struct bgp_error err;
		bool ok = bgp_open_decode(buf, n, &cfg, &local, &caps, &err);
		ck_assert_msg(ok == (n == w.len), "length %zu", n);
		if (!ok) {
			ck_assert(err.code == BGP_ERR_HEADER ||
				  err.code == BGP_ERR_OPEN);
			ck_assert(err.why[0]);
			ck_assert_uint_le(err.len, BGP_ERROR_DATA_MAX);
		}
		free(buf);
	}
	writer_free(&w);
}
END_TEST

/* Any octet of the capabilities changed: never a crash. */
START_TEST(decode_mutation_sweep)
{
	struct bgp_peer_config ours = cfg_ibgp();
	struct bgp_local peer = { .local_as = 65100 };
	addr_parse(&peer.router_id, "198.51.100.2", 12);
	struct writer w = writer_init(0);
	ck_assert(bgp_open_encode(&w, &ours, &peer));
	struct bgp_peer_config cfg = cfg_ibgp();
	struct bgp_local local = local_65100();
	uint8_t *buf = exact_copy(w.data, w.len);
	for (size_t i = BGP_HEADER_LEN; i < w.len; i++) {
		for (unsigned b = 0; b < 256; b++) {
			uint8_t keep = buf[i];
			buf[i] = (uint8_t)b;
			struct bgp_session_caps caps;
			struct bgp_error err;
			if (!bgp_open_decode(buf, w.len, &cfg, &local, &caps,
					     &err))
				ck_assert(err.why[0]);
			buf[i] = keep;
		}
	}
	free(buf);
	writer_free(&w);
}
END_TEST

START_TEST(peer_id)
{
	struct vec v = VEC(MARKER, U16(29), BGP_MSG_OPEN, BGP_VERSION,
			   U16(AS_65100), U16(90), ID_198_51_100_2, 0);
	struct addr id;
	ck_assert(bgp_open_peer_id(v.data, v.len, &id));
	char buf[ADDR_STRLEN];
	ck_assert_str_eq(addr_format(&id, buf), "198.51.100.2");
	ck_assert(!bgp_open_peer_id(v.data, 27, &id));
}
END_TEST

/* ---- families ------------------------------------------------------------- */

START_TEST(family_names)
{
	enum bgp_family f;
	ck_assert(bgp_family_parse("ipv4-flowspec", &f));
	ck_assert_uint_eq(f, BGP_FAM_IPV4_FLOWSPEC);
	ck_assert(bgp_family_parse("ipv6-unicast", &f));
	ck_assert_uint_eq(f, BGP_FAM_IPV6_UNICAST);
	ck_assert(!bgp_family_parse("ipv4-flow", &f));
	ck_assert_str_eq(bgp_family_name(BGP_FAM_IPV6_FLOWSPEC),
			 "ipv6-flowspec");
	ck_assert_uint_eq(bgp_family_of(FS_AFI_IPV6), BGP_FAM_IPV6_FLOWSPEC);
	ck_assert_uint_eq(bgp_family_of(FS_AFI_IPV4), BGP_FAM_IPV4_FLOWSPEC);
	ck_assert_uint_eq(bgp_family_from(BGP_AFI_IPV4, BGP_SAFI_FLOWSPEC),
			  BGP_FAM_IPV4_FLOWSPEC);
	ck_assert_uint_eq(bgp_family_from(BGP_AFI_IPV6, 128), 0);
	uint16_t afi;
	uint8_t safi;
	bgp_family_afi_safi(BGP_FAM_IPV6_UNICAST, &afi, &safi);
	ck_assert_uint_eq(afi, BGP_AFI_IPV6);
	ck_assert_uint_eq(safi, BGP_SAFI_UNICAST);
	char buf[64];
	ck_assert_str_eq(bgp_families_str(BGP_FAM_FLOWSPEC, buf, sizeof buf),
			 "ipv4-flowspec, ipv6-flowspec");
	ck_assert_str_eq(bgp_families_str(0, buf, sizeof buf), "none");
	ck_assert_str_eq(bgp_families_str(BGP_FAM_FLOWSPEC, buf, 16),
			 "ipv4-flowspec");
}
END_TEST

/* ---- KEEPALIVE, ROUTE-REFRESH --------------------------------------------- */

START_TEST(keepalive_refresh)
{
	struct writer w = writer_init(0);
	ck_assert(bgp_keepalive_encode(&w));
	ck_assert_octets(w.data, w.len, VEC(MARKER, U16(19), BGP_MSG_KEEPALIVE));
	writer_reset(&w);

	/* RFC 7313 §3: AFI, subtype (EoRR), SAFI. */
	struct bgp_refresh rr = { .afi = BGP_AFI_IPV6, .subtype = BGP_RR_EORR,
				  .safi = BGP_SAFI_FLOWSPEC };
	ck_assert(bgp_refresh_encode(&w, &rr));
	ck_assert_octets(w.data, w.len,
			 VEC(MARKER, U16(23), BGP_MSG_ROUTE_REFRESH,
			     U16(BGP_AFI_IPV6), BGP_RR_EORR, BGP_SAFI_FLOWSPEC));
	struct bgp_refresh back;
	ck_assert(bgp_refresh_decode(w.data, w.len, &back));
	ck_assert_uint_eq(back.afi, BGP_AFI_IPV6);
	ck_assert_uint_eq(back.subtype, BGP_RR_EORR);
	ck_assert_uint_eq(back.safi, BGP_SAFI_FLOWSPEC);
	ck_assert(!bgp_refresh_decode(w.data, w.len - 1, &back));
	writer_free(&w);
}
END_TEST

static Suite *open_suite(void)
{
	Suite *s = suite_create("open");
	ADD_CASE(s, "encode", encode_ibgp_flowspec, encode_as4_no_gr_unicast,
		 encode_gr_restarting, encode_decode_both_ends);
	ADD_CASE(s, "decode", decode_every_capability, decode_no_capabilities,
		 decode_as_trans, decode_extended_opt_params, decode_hold_time,
		 decode_errors, decode_truncation_sweep, decode_mutation_sweep,
		 peer_id);
	ADD_CASE(s, "other", family_names, keepalive_refresh);
	return s;
}

TEST_MAIN(open_suite)
