/* Unit tests for bgpd/bgp/adjout: the UPDATEs one peer gets from the rib,
 * with no sockets. Every test decodes what adjout_write produced with the
 * real decoder: full table then End-of-RIB (RFC 4724 §2), cancel-out,
 * packing, route refresh (RFC 2918, RFC 7313 BoRR/EoRR), targets,
 * max_rules, router profiles (refused rules never sent, withdrawn when
 * they become refused; rewritten rules announced and withdrawn in the
 * rewritten form), family filtering, the work cap and a stalled peer. */
#include <stdio.h>

#include "bgpd/bgp/adjout.h"
#include "bgpd/bgp/open.h"
#include "bgpd/bgp/peer.h"
#include "nlri/text.h"
#include "vectors.h"

/* ---- fixture ----------------------------------------------------------- */

static int64_t fake_clock(void)
{
	return 1;
}

static const char PEER[] = "192.0.2.1";
static const char OTHER[] = "192.0.2.2";

struct fixture {
	struct rib *rib;
	struct adjout *a;
	int wakes;
};

static void count_wake(void *ctx)
{
	((struct fixture *)ctx)->wakes++;
}

static struct addr addr_of(const char *s)
{
	struct addr a;
	ck_assert(addr_parse(&a, s, strlen(s)));
	return a;
}

static void setup_profile(struct fixture *f, size_t max_rules,
			  const char *profile)
{
	*f = (struct fixture){ .rib = rib_new(fake_clock) };
	struct adjout_config cfg = { .peer = addr_of(PEER), .name = PEER,
				     .max_rules = max_rules,
				     .wake = count_wake, .ctx = f };
	if (profile)
		ck_assert(profile_builtin(profile, &cfg.profile));
	f->a = adjout_new(f->rib, &cfg);
	ck_assert_ptr_nonnull(f->a);
}

static void setup(struct fixture *f, size_t max_rules)
{
	setup_profile(f, max_rules, NULL);
}

static void teardown(struct fixture *f)
{
	adjout_free(f->a);
	rib_free(f->rib);
}

static struct adjout_session session(unsigned families, bool enhanced)
{
	return (struct adjout_session){
		.families = families,
		.params = { .ibgp = true, .local_as = 65000, .as4 = true,
			    .max_msg = BGP_MAX_MSG },
		.enhanced_refresh = enhanced,
	};
}

static void start(struct fixture *f, unsigned families)
{
	struct adjout_session s = session(families, false);
	adjout_start(f->a, &s);
}

static void announce_opts(struct fixture *f, const char *text,
			  const struct rib_opts *o)
{
	struct fs_rule r;
	struct fs_text_error err;
	ck_assert_msg(fs_text_parse(&r, text, NULL, &err), "%s: %s", text,
		      err.msg);
	enum rib_result res = rib_announce(f->rib, &r, o, NULL);
	ck_assert_msg(res == RIB_ADDED || res == RIB_REPLACED, "%s: %s", text,
		      rib_result_str(res));
	fs_rule_clear(&r);
}

static void announce(struct fixture *f, const char *text)
{
	struct rib_opts o = { 0 };
	announce_opts(f, text, &o);
}

static void withdraw(struct fixture *f, const char *text)
{
	struct fs_rule r;
	ck_assert(fs_text_parse(&r, text, NULL, NULL));
	ck_assert_int_eq(rib_withdraw(f->rib, r.afi, r.match.data,
				      r.match.len), RIB_WITHDRAWN);
	fs_rule_clear(&r);
}

/* "flow route { match { destination 10.0.<i>.<j>/32; } then { discard; } }" */
static void rule_text(char *buf, size_t n, unsigned i, const char *then)
{
	snprintf(buf, n,
		 "flow route { match { destination 10.0.%u.%u/32; } "
		 "then { %s } }",
		 i / 256, i % 256, then);
}

/* ---- what the peer got ------------------------------------------------- */

/* Everything one or more adjout_write calls produced, decoded. */
struct got {
	size_t updates, refreshes, announced, withdrawn;
	size_t max_len;			/* longest message */
	unsigned eor[4];		/* AFIs of End-of-RIBs, in order */
	size_t neor;
	uint8_t rr[4];			/* ROUTE-REFRESH subtypes in order */
	size_t nrr;
	char first[256];		/* text of the first NLRI */
	char log[4096];			/* "A10.0.0.1/32 W… E1 B1 R2 …" */
};

static void got_add(struct got *g, const char *s)
{
	size_t len = strlen(g->log), n = strlen(s);
	if (len + 1 + n >= sizeof g->log)
		return;		/* big tests count, they do not read the log */
	if (len)
		g->log[len++] = ' ';
	memcpy(g->log + len, s, n + 1);
}

static bool take_flow(void *ctx, const struct bgp_flow *flow)
{
	struct got *g = ctx;
	char *text = fs_text_string(flow->rule);
	ck_assert_ptr_nonnull(text);
	if (!g->announced && !g->withdrawn)
		snprintf(g->first, sizeof g->first, "%s", text);
	/* "… destination 10.0.0.1/32; …": the prefix is enough here. */
	const char *d = strstr(text, "destination ");
	char item[80];
	snprintf(item, sizeof item, "%c%.*s", flow->withdrawn ? 'W' : 'A',
		 d ? (int)strcspn(d + 12, ";") : 0, d ? d + 12 : "");
	got_add(g, item);
	if (flow->withdrawn)
		g->withdrawn++;
	else
		g->announced++;
	free(text);
	return true;
}

/* Decodes every message in w (and empties it). */
static void decode_all(struct writer *w, struct got *g)
{
	struct reader r = reader_init(w->data, w->len);
	while (remaining(&r)) {
		size_t at = r.off;
		skip(&r, BGP_MARKER_LEN);
		size_t len = get_u16(&r);
		uint8_t type = get_u8(&r);
		ck_assert(!r.err);
		ck_assert_uint_ge(len, BGP_HEADER_LEN);
		skip(&r, len - BGP_HEADER_LEN);
		ck_assert(!r.err);
		const uint8_t *msg = w->data + at;
		if (len > g->max_len)
			g->max_len = len;
		if (type == BGP_MSG_ROUTE_REFRESH) {
			struct bgp_refresh rr;
			ck_assert(bgp_refresh_decode(msg, len, &rr));
			ck_assert_uint_eq(rr.safi, FS_SAFI);
			char item[16];
			snprintf(item, sizeof item, "%c%u",
				 rr.subtype == BGP_RR_BORR ? 'B' : 'R', rr.afi);
			got_add(g, item);
			g->rr[g->nrr++ % 4] = rr.subtype;
			g->refreshes++;
			continue;
		}
		ck_assert_uint_eq(type, BGP_MSG_UPDATE);
		struct bgp_update_result res;
		ck_assert_int_eq(bgp_update_decode(msg, len, take_flow, g, &res),
				 BGP_UPD_OK);
		if (res.eor_afi) {
			char item[16];
			snprintf(item, sizeof item, "E%u", res.eor_afi);
			got_add(g, item);
			g->eor[g->neor++ % 4] = res.eor_afi;
		}
		g->updates++;
	}
	writer_reset(w);
}

/* Writes until nothing is owed (a bounded number of calls). */
static struct got drain(struct fixture *f)
{
	struct got g = { 0 };
	struct writer w = writer_init(0);
	for (int calls = 0; adjout_pending(f->a); calls++) {
		ck_assert_int_lt(calls, 10000);
		struct adjout_written out = adjout_write(f->a, &w, 65536);
		struct got one = { 0 };
		decode_all(&w, &one);
		ck_assert_uint_eq(one.updates, out.updates);
		ck_assert_uint_eq(one.refreshes, out.refreshes);
		g.updates += one.updates;
		g.refreshes += one.refreshes;
		g.announced += one.announced;
		g.withdrawn += one.withdrawn;
		if (one.max_len > g.max_len)
			g.max_len = one.max_len;
		for (size_t i = 0; i < one.neor; i++)
			g.eor[g.neor++ % 4] = one.eor[i];
		for (size_t i = 0; i < one.nrr; i++)
			g.rr[g.nrr++ % 4] = one.rr[i];
		if (!g.first[0])
			memcpy(g.first, one.first, sizeof g.first);
		got_add(&g, one.log);
	}
	writer_free(&w);
	return g;
}

#define R1 "flow route { match { destination 10.0.0.1/32; } then { discard; } }"
#define R2 "flow route { match { destination 10.0.0.2/32; } then { discard; } }"
#define R3 "flow route { match { destination 10.0.0.3/32; } then { discard; } }"
#define R1_RATE "flow route { match { destination 10.0.0.1/32; } then { rate-limit 1000; } }"
#define R6 "flow route { match { destination 2001:db8::/32; } then { discard; } }"

/* ---- full table and End-of-RIB ----------------------------------------- */

START_TEST(full_table_then_end_of_rib)
{
	struct fixture f;
	setup(&f, 0);
	announce(&f, R3);
	announce(&f, R6);
	announce(&f, R1);
	announce(&f, R2);
	ck_assert(!adjout_pending(f.a));	/* down: nothing owed */
	start(&f, BGP_FAM_FLOWSPEC);
	ck_assert_int_eq(f.wakes, 1);
	struct got g = drain(&f);
	/* Three IPv4 rules with one attribute set: one UPDATE, in RFC 8955
	 * order; then IPv6; then End-of-RIB for each family. */
	ck_assert_str_eq(g.log, "A10.0.0.1/32 A10.0.0.2/32 A10.0.0.3/32 "
				"A2001:db8::/32 E1 E2");
	ck_assert_uint_eq(g.updates, 4);
	struct adjout_stats st;
	adjout_stats(f.a, &st);
	ck_assert_uint_eq(st.sent, 4);
	ck_assert_uint_eq(st.pending, 0);
	ck_assert(st.synced);
	ck_assert_uint_eq(st.announced, 4);

	/* Down and up again: the full table again. */
	adjout_stop(f.a);
	ck_assert_int_eq(adjout_state(f.a, FS_AFI_IPV4, NULL, 0), ADJOUT_NONE);
	start(&f, BGP_FAM_FLOWSPEC);
	g = drain(&f);
	ck_assert_uint_eq(g.announced, 4);
	ck_assert_uint_eq(g.neor, 2);
	teardown(&f);
}
END_TEST

START_TEST(empty_table_only_end_of_rib)
{
	struct fixture f;
	setup(&f, 0);
	start(&f, BGP_FAM_IPV4_FLOWSPEC | BGP_FAM_IPV4_UNICAST);
	struct adjout_stats st;
	adjout_stats(f.a, &st);
	ck_assert(!st.synced);
	struct got g = drain(&f);
	/* Only for a negotiated Flowspec family. */
	ck_assert_str_eq(g.log, "E1");
	adjout_stats(f.a, &st);
	ck_assert(st.synced);
	teardown(&f);
}
END_TEST

/* ---- changes after the table ------------------------------------------- */

START_TEST(changes_are_announced_replaced_withdrawn)
{
	struct fixture f;
	setup(&f, 0);
	announce(&f, R1);
	start(&f, BGP_FAM_FLOWSPEC);
	drain(&f);
	f.wakes = 0;

	announce(&f, R2);
	ck_assert_int_eq(f.wakes, 1);
	announce(&f, R3);
	ck_assert_int_eq(f.wakes, 1);	/* only when something became owed */
	ck_assert(adjout_pending(f.a));
	struct got g = drain(&f);
	ck_assert_str_eq(g.log, "A10.0.0.2/32 A10.0.0.3/32");

	announce(&f, R1_RATE);
	g = drain(&f);
	ck_assert_uint_eq(g.announced, 1);
	ck_assert_ptr_nonnull(strstr(g.first, "rate-limit 1000"));

	withdraw(&f, R2);
	g = drain(&f);
	ck_assert_str_eq(g.log, "W10.0.0.2/32");
	struct fs_rule r;
	fs_text_parse(&r, R2, NULL, NULL);
	ck_assert_int_eq(adjout_state(f.a, r.afi, r.match.data, r.match.len),
			 ADJOUT_NONE);
	fs_rule_clear(&r);
	struct adjout_stats st;
	adjout_stats(f.a, &st);
	ck_assert_uint_eq(st.sent, 2);
	ck_assert_uint_eq(st.withdrawn, 1);
	teardown(&f);
}
END_TEST

START_TEST(announce_then_withdraw_cancels_out)
{
	struct fixture f;
	setup(&f, 0);
	announce(&f, R1);
	start(&f, BGP_FAM_FLOWSPEC);
	drain(&f);

	/* Never sent: announce + withdraw leave nothing owed. */
	announce(&f, R2);
	struct fs_rule r;
	fs_text_parse(&r, R2, NULL, NULL);
	ck_assert_int_eq(adjout_state(f.a, r.afi, r.match.data, r.match.len),
			 ADJOUT_PENDING);
	withdraw(&f, R2);
	ck_assert(!adjout_pending(f.a));
	fs_rule_clear(&r);

	/* Sent: withdraw + the same announce again send nothing; a change
	 * and back sends nothing either. */
	withdraw(&f, R1);
	announce(&f, R1);
	announce(&f, R1_RATE);
	announce(&f, R1);
	ck_assert(adjout_pending(f.a));
	struct got g = drain(&f);
	ck_assert_uint_eq(g.updates, 0);

	/* Sent, then withdrawn and re-announced with other actions: one
	 * announce that replaces it, no withdraw. */
	withdraw(&f, R1);
	announce(&f, R1_RATE);
	g = drain(&f);
	ck_assert_str_eq(g.log, "A10.0.0.1/32");
	teardown(&f);
}
END_TEST

static bool walk_text(void *arg, const struct fs_rule *rule)
{
	char *text = fs_text_string(rule);
	ck_assert_ptr_nonnull(text);
	char *log = arg;
	size_t len = strlen(log);
	snprintf(log + len, 1024 - len, "%s%s", len ? "\n" : "", text);
	free(text);
	return true;
}

START_TEST(walk_shows_what_was_sent)
{
	struct fixture f;
	setup(&f, 0);
	announce(&f, R2);
	announce(&f, R1);
	start(&f, BGP_FAM_FLOWSPEC);
	char log[1024] = "";
	adjout_walk(f.a, walk_text, log);
	ck_assert_str_eq(log, "");		/* nothing sent yet */
	drain(&f);
	/* A change not sent yet: the walk shows the actions as sent. */
	announce(&f, R1_RATE);
	withdraw(&f, R2);
	adjout_walk(f.a, walk_text, log);
	ck_assert_str_eq(log, R1 "\n" R2);
	drain(&f);
	log[0] = 0;
	adjout_walk(f.a, walk_text, log);
	ck_assert_str_eq(log, R1_RATE);
	teardown(&f);
}
END_TEST

/* ---- packing ----------------------------------------------------------- */

START_TEST(equal_attributes_are_packed)
{
	struct fixture f;
	setup(&f, 0);
	char text[160];
	/* 600 rules, alternating between two attribute sets. */
	for (unsigned i = 0; i < 600; i++) {
		rule_text(text, sizeof text, i,
			  i % 2 ? "discard;" : "rate-limit 9600;");
		announce(&f, text);
	}
	start(&f, BGP_FAM_IPV4_FLOWSPEC);
	struct got g = drain(&f);
	ck_assert_uint_eq(g.announced, 600);
	ck_assert_uint_le(g.max_len, BGP_MAX_MSG);
	/* 300 NLRIs of 7 octets (length octet, type, 32, 4 address octets)
	 * fit in one 4096-octet UPDATE; the batch splits them at most once
	 * per 1024 rules: 2 UPDATEs per attribute set at most, + EoR. */
	ck_assert_uint_le(g.updates, 2 * 2 + 1);
	ck_assert_uint_ge(g.updates, 2 + 1);

	/* Withdraws pack too. */
	for (unsigned i = 0; i < 600; i++) {
		rule_text(text, sizeof text, i, "");
		withdraw(&f, text);
	}
	g = drain(&f);
	ck_assert_uint_eq(g.withdrawn, 600);
	ck_assert_uint_le(g.updates, 2);
	teardown(&f);
}
END_TEST

START_TEST(extended_message_size_is_used)
{
	struct fixture f;
	setup(&f, 0);
	char text[160];
	for (unsigned i = 0; i < 1000; i++) {
		rule_text(text, sizeof text, i, "discard;");
		announce(&f, text);
	}
	struct adjout_session s = session(BGP_FAM_IPV4_FLOWSPEC, false);
	s.params.max_msg = BGP_MAX_MSG_EXTENDED;	/* RFC 8654 */
	adjout_start(f.a, &s);
	struct got g = drain(&f);
	ck_assert_uint_eq(g.announced, 1000);
	ck_assert_uint_eq(g.updates, 1 + 1);
	ck_assert_uint_gt(g.max_len, BGP_MAX_MSG);
	teardown(&f);
}
END_TEST

/* ---- route refresh ----------------------------------------------------- */

START_TEST(refresh_resends_everything)
{
	struct fixture f;
	setup(&f, 0);
	announce(&f, R1);
	announce(&f, R2);
	announce(&f, R6);
	start(&f, BGP_FAM_FLOWSPEC);
	drain(&f);

	adjout_refresh(f.a, FS_AFI_IPV4);
	struct got g = drain(&f);
	/* RFC 2918: unchanged rules are sent again, only of that AFI. */
	ck_assert_str_eq(g.log, "A10.0.0.1/32 A10.0.0.2/32");

	/* Not negotiated: ignored. */
	adjout_stop(f.a);
	start(&f, BGP_FAM_IPV6_FLOWSPEC);
	drain(&f);
	adjout_refresh(f.a, FS_AFI_IPV4);
	ck_assert(!adjout_pending(f.a));
	teardown(&f);
}
END_TEST

START_TEST(enhanced_refresh_has_borr_and_eorr)
{
	struct fixture f;
	setup(&f, 0);
	announce(&f, R1);
	announce(&f, R6);
	struct adjout_session s = session(BGP_FAM_FLOWSPEC, true);
	adjout_start(f.a, &s);
	drain(&f);

	announce(&f, R2);	/* owed before the refresh comes */
	adjout_refresh(f.a, FS_AFI_IPV4);
	struct got g = drain(&f);
	/* RFC 7313 §4: BoRR, the whole table of the AFI (R2 moved behind
	 * the BoRR), EoRR. */
	ck_assert_str_eq(g.log, "B1 A10.0.0.1/32 A10.0.0.2/32 R1");
	ck_assert_uint_eq(g.refreshes, 2);
	teardown(&f);
}
END_TEST

START_TEST(refresh_during_first_table_moves_end_of_rib)
{
	struct fixture f;
	setup(&f, 0);
	announce(&f, R1);
	announce(&f, R2);
	struct adjout_session s = session(BGP_FAM_IPV4_FLOWSPEC, true);
	adjout_start(f.a, &s);
	adjout_refresh(f.a, FS_AFI_IPV4);
	struct got g = drain(&f);
	/* No BoRR/EoRR inside the first table; End-of-RIB stays last. */
	ck_assert_str_eq(g.log, "A10.0.0.1/32 A10.0.0.2/32 E1");
	teardown(&f);
}
END_TEST

/* ---- which rules go to this peer --------------------------------------- */

START_TEST(targets_choose_the_peers)
{
	struct fixture f;
	setup(&f, 0);
	struct rib_opts other = { .ntargets = 1 }, both = { .ntargets = 2 };
	other.targets[0] = addr_of(OTHER);
	both.targets[0] = addr_of(OTHER);
	both.targets[1] = addr_of(PEER);
	announce_opts(&f, R1, &other);
	announce_opts(&f, R2, &both);
	start(&f, BGP_FAM_FLOWSPEC);
	struct got g = drain(&f);
	ck_assert_str_eq(g.log, "A10.0.0.2/32 E1 E2");

	/* Retargeted to this peer: announced; away again: withdrawn. */
	announce_opts(&f, R1, &both);
	g = drain(&f);
	ck_assert_str_eq(g.log, "A10.0.0.1/32");
	announce_opts(&f, R1, &other);
	g = drain(&f);
	ck_assert_str_eq(g.log, "W10.0.0.1/32");
	/* A new rule for another peer only: nothing owed. */
	announce_opts(&f, R3, &other);
	ck_assert(!adjout_pending(f.a));
	teardown(&f);
}
END_TEST

START_TEST(only_negotiated_families)
{
	struct fixture f;
	setup(&f, 0);
	announce(&f, R1);
	announce(&f, R6);
	start(&f, BGP_FAM_IPV6_FLOWSPEC);
	struct got g = drain(&f);
	ck_assert_str_eq(g.log, "A2001:db8::/32 E2");
	announce(&f, R2);
	ck_assert(!adjout_pending(f.a));
	struct adjout_stats st;
	adjout_stats(f.a, &st);
	ck_assert_uint_eq(st.sent, 1);
	teardown(&f);
}
END_TEST

START_TEST(max_rules_refuses_the_rest)
{
	struct fixture f;
	setup(&f, 2);
	announce(&f, R1);
	announce(&f, R2);
	announce(&f, R3);
	start(&f, BGP_FAM_IPV4_FLOWSPEC);
	struct got g = drain(&f);
	ck_assert_str_eq(g.log, "A10.0.0.1/32 A10.0.0.2/32 E1");
	struct adjout_stats st;
	adjout_stats(f.a, &st);
	ck_assert_uint_eq(st.sent, 2);
	ck_assert_uint_eq(st.refused, 1);
	struct fs_rule r;
	fs_text_parse(&r, R3, NULL, NULL);
	ck_assert_int_eq(adjout_state(f.a, r.afi, r.match.data, r.match.len),
			 ADJOUT_REFUSED);

	/* A replace of a sent rule takes no new place. */
	announce(&f, R1_RATE);
	g = drain(&f);
	ck_assert_str_eq(g.log, "A10.0.0.1/32");

	/* A place comes free: the refused rule goes out. */
	withdraw(&f, R2);
	g = drain(&f);
	ck_assert_str_eq(g.log, "W10.0.0.2/32 A10.0.0.3/32");
	ck_assert_int_eq(adjout_state(f.a, r.afi, r.match.data, r.match.len),
			 ADJOUT_SENT);
	adjout_stats(f.a, &st);
	ck_assert_uint_eq(st.sent, 2);
	ck_assert_uint_eq(st.refused, 0);
	fs_rule_clear(&r);

	/* A refused rule that is withdrawn is simply gone. */
	announce(&f, R2);
	drain(&f);
	adjout_stats(f.a, &st);
	ck_assert_uint_eq(st.refused, 1);
	withdraw(&f, R2);
	adjout_stats(f.a, &st);
	ck_assert_uint_eq(st.refused, 0);
	ck_assert(!adjout_pending(f.a));
	teardown(&f);
}
END_TEST

/* ---- fairness and memory ----------------------------------------------- */

START_TEST(work_per_call_is_capped)
{
	struct fixture f;
	setup(&f, 0);
	char text[160];
	for (unsigned i = 0; i < 20000; i++) {
		rule_text(text, sizeof text, i, "discard;");
		announce(&f, text);
	}
	start(&f, BGP_FAM_IPV4_FLOWSPEC);
	struct writer w = writer_init(0);
	/* A large budget: the work cap ends the call. */
	adjout_write(f.a, &w, 1 << 24);
	ck_assert(adjout_pending(f.a));
	struct adjout_stats st;
	adjout_stats(f.a, &st);
	ck_assert_uint_gt(st.pending, 10000);
	/* A small budget: the call stops soon after it. */
	writer_reset(&w);
	adjout_write(f.a, &w, 1000);
	ck_assert_uint_ge(w.len, 1000);
	ck_assert_uint_lt(w.len, 1000 + 2 * BGP_MAX_MSG);
	writer_free(&w);
	teardown(&f);
}
END_TEST

START_TEST(stalled_peer_does_not_grow)
{
	struct fixture f;
	setup(&f, 0);
	char text[160];
	enum { N = 2000 };
	for (unsigned i = 0; i < N; i++) {
		rule_text(text, sizeof text, i, "discard;");
		announce(&f, text);
	}
	start(&f, BGP_FAM_IPV4_FLOWSPEC);
	/* Half the table reaches the peer, then it stalls. */
	struct writer w = writer_init(0);
	while (adjout_write(f.a, &w, N / 2 * 7).updates == 0)
		;
	writer_free(&w);
	struct adjout_stats st;
	adjout_stats(f.a, &st);
	ck_assert_uint_gt(st.sent, 0);
	ck_assert_uint_lt(st.sent, N);

	/* Rounds of churn while nothing is written: replace every rule,
	 * add and remove as many others. What is owed never exceeds the
	 * table plus what the peer has. */
	for (int round = 0; round < 10; round++) {
		for (unsigned i = 0; i < N; i++) {
			rule_text(text, sizeof text, i,
				  round % 2 ? "discard;" : "rate-limit 1;");
			announce(&f, text);
			rule_text(text, sizeof text, N + i, "discard;");
			announce(&f, text);
		}
		for (unsigned i = 0; i < N; i++) {
			rule_text(text, sizeof text, N + i, "");
			withdraw(&f, text);
		}
		adjout_stats(f.a, &st);
		ck_assert_uint_le(st.pending, rib_count(f.rib));
	}
	adjout_stats(f.a, &st);
	ck_assert_uint_eq(st.pending, N);
	/* Then it drains to exactly the table. */
	drain(&f);
	adjout_stats(f.a, &st);
	ck_assert_uint_eq(st.sent, N);
	ck_assert_uint_eq(st.pending, 0);
	teardown(&f);
}
END_TEST

/* ---- router profiles ---------------------------------------------------- */

#define R_NE "flow route { match { destination 10.0.0.1/32; destination-port !=80; } then { discard; } }"
#define R_NE_WIRE "flow route { match { destination 10.0.0.1/32; destination-port [ <80 >80 ]; } then { discard; } }"
#define R2_MARK "flow route { match { destination 10.0.0.2/32; } then { mark 10; } }"
#define R3_MARK "flow route { match { destination 10.0.0.3/32; } then { mark 10; } }"

static bool collect_text(void *arg, const struct fs_rule *rule)
{
	char *text = fs_text_string(rule);
	ck_assert_ptr_nonnull(text);
	got_add(arg, text);
	free(text);
	return true;
}

static bool collect_refused(void *arg, const struct fs_rule *rule,
			    const char *reason)
{
	collect_text(arg, rule);
	got_add(arg, reason);
	return true;
}

static enum adjout_state state_of(struct fixture *f, const char *text)
{
	struct fs_rule r;
	ck_assert(fs_text_parse(&r, text, NULL, NULL));
	enum adjout_state st = adjout_state(f->a, r.afi, r.match.data,
					    r.match.len);
	fs_rule_clear(&r);
	return st;
}

START_TEST(profile_refuses_and_rewrites)
{
	struct fixture f;
	setup_profile(&f, 0, "frr");
	announce(&f, R_NE);
	announce(&f, R2_MARK);
	announce(&f, R3);
	start(&f, BGP_FAM_FLOWSPEC);
	struct got g = drain(&f);
	/* FRR cannot take mark: never sent; != goes as <80 >80. */
	ck_assert_str_eq(g.log, "A10.0.0.1/32 A10.0.0.3/32 E1 E2");
	ck_assert_str_eq(g.first, R_NE_WIRE);
	ck_assert_int_eq(state_of(&f, R2_MARK), ADJOUT_PROFILE_REFUSED);
	ck_assert_int_eq(state_of(&f, R_NE), ADJOUT_SENT);
	struct adjout_stats st;
	adjout_stats(f.a, &st);
	ck_assert_uint_eq(st.sent, 2);
	ck_assert_uint_eq(st.profile_refused, 1);
	ck_assert_uint_eq(st.rewritten, 1);
	ck_assert_uint_eq(st.refused, 0);

	struct got w = { 0 };
	adjout_walk(f.a, collect_text, &w);
	ck_assert_str_eq(w.log, R_NE_WIRE " " R3);
	w = (struct got){ 0 };
	adjout_walk_refused(f.a, collect_refused, &w);
	ck_assert_str_eq(w.log, R2_MARK " profile frr: action mark not carried");

	/* The withdraw is of the NLRI the peer has: the rewritten one. */
	withdraw(&f, R_NE);
	g = drain(&f);
	ck_assert_str_eq(g.log, "W10.0.0.1/32");
	ck_assert_str_eq(g.first, "flow route { match { destination "
			 "10.0.0.1/32; destination-port [ <80 >80 ]; } "
			 "then { accept; } }");

	/* A sent rule that becomes one the profile refuses is withdrawn,
	 * and announced again when it is carried again. */
	announce(&f, R3_MARK);
	g = drain(&f);
	ck_assert_str_eq(g.log, "W10.0.0.3/32");
	ck_assert_int_eq(state_of(&f, R3_MARK), ADJOUT_PROFILE_REFUSED);
	adjout_stats(f.a, &st);
	ck_assert_uint_eq(st.sent, 0);
	ck_assert_uint_eq(st.profile_refused, 2);
	ck_assert_uint_eq(st.rewritten, 0);
	announce(&f, R3);
	g = drain(&f);
	ck_assert_str_eq(g.log, "A10.0.0.3/32");
	ck_assert_int_eq(state_of(&f, R3), ADJOUT_SENT);

	/* A refused rule that goes away sends nothing. */
	withdraw(&f, R2_MARK);
	ck_assert(!adjout_pending(f.a));
	adjout_stats(f.a, &st);
	ck_assert_uint_eq(st.profile_refused, 0);
	ck_assert_uint_eq(st.sent, 1);
	teardown(&f);
}
END_TEST

START_TEST(rewrite_that_clashes_is_refused)
{
	/* != 80 rewritten would be the other rule's NLRI: one key at the
	 * peer for two rules, whose withdraws would take both. */
	struct fixture f;
	setup_profile(&f, 0, "frr");
	announce(&f, R_NE);
	announce(&f, R_NE_WIRE);
	start(&f, BGP_FAM_IPV4_FLOWSPEC);
	struct got g = drain(&f);
	ck_assert_uint_eq(g.announced, 1);
	ck_assert_str_eq(g.first, R_NE_WIRE);
	ck_assert_int_eq(state_of(&f, R_NE), ADJOUT_PROFILE_REFUSED);
	ck_assert_int_eq(state_of(&f, R_NE_WIRE), ADJOUT_SENT);
	teardown(&f);

	/* The same the other way round: the rewritten one was sent first. */
	setup_profile(&f, 0, "frr");
	announce(&f, R_NE);
	start(&f, BGP_FAM_IPV4_FLOWSPEC);
	g = drain(&f);
	ck_assert_str_eq(g.first, R_NE_WIRE);
	announce(&f, R_NE_WIRE);
	g = drain(&f);
	ck_assert_uint_eq(g.announced + g.withdrawn, 0);
	ck_assert_int_eq(state_of(&f, R_NE_WIRE), ADJOUT_PROFILE_REFUSED);
	teardown(&f);

	/* Two rules rewritten to one NLRI, in one batch: one is sent. */
	setup_profile(&f, 0, "frr");
	announce(&f, "flow route { match { destination-port [ !=80 !=90 ]; } }");
	announce(&f, "flow route { match { destination-port [ <80 >80 !=90 ]; } }");
	start(&f, BGP_FAM_IPV4_FLOWSPEC);
	g = drain(&f);
	ck_assert_uint_eq(g.announced, 1);
	ck_assert_str_eq(g.first, "flow route { match { destination-port "
			 "[ <80 >80 <90 >90 ]; } then { accept; } }");
	struct adjout_stats st;
	adjout_stats(f.a, &st);
	ck_assert_uint_eq(st.profile_refused, 1);
	ck_assert_uint_eq(st.rewritten, 1);
	teardown(&f);
}
END_TEST

START_TEST(generic_profile_changes_nothing)
{
	struct fixture f;
	setup_profile(&f, 0, "generic");
	announce(&f, R_NE);
	announce(&f, R2_MARK);
	start(&f, BGP_FAM_FLOWSPEC);
	struct got g = drain(&f);
	ck_assert_str_eq(g.log, "A10.0.0.1/32 A10.0.0.2/32 E1 E2");
	ck_assert_str_eq(g.first, R_NE);
	struct adjout_stats st;
	adjout_stats(f.a, &st);
	ck_assert_uint_eq(st.profile_refused, 0);
	ck_assert_uint_eq(st.rewritten, 0);
	teardown(&f);
}
END_TEST

static Suite *adjout_suite(void)
{
	Suite *s = suite_create("adjout");
	ADD_CASE(s, "table", full_table_then_end_of_rib,
		 empty_table_only_end_of_rib);
	ADD_CASE(s, "changes", changes_are_announced_replaced_withdrawn,
		 announce_then_withdraw_cancels_out, walk_shows_what_was_sent);
	ADD_CASE(s, "packing", equal_attributes_are_packed,
		 extended_message_size_is_used);
	ADD_CASE(s, "refresh", refresh_resends_everything,
		 enhanced_refresh_has_borr_and_eorr,
		 refresh_during_first_table_moves_end_of_rib);
	ADD_CASE(s, "filter", targets_choose_the_peers, only_negotiated_families,
		 max_rules_refuses_the_rest);
	ADD_CASE(s, "profile", profile_refuses_and_rewrites,
		 rewrite_that_clashes_is_refused, generic_profile_changes_nothing);
	ADD_CASE(s, "fairness", work_per_call_is_capped,
		 stalled_peer_does_not_grow);
	return s;
}

TEST_MAIN(adjout_suite)
