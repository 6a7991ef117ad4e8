/* Policy file loader: the example, the defaults and resolution of
 * lifetimes, every kind of error with its JSON path and line, and
 * `flowspecd --check` on a config that names a policy file. */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "bgpd/config.h"
#include "bgpd/policy/policy.h"
#include "nlri/flowspec.h"
#include "randprefix.h"

#define N(a) (sizeof(a) / sizeof((a)[0]))

static struct policy_file *parse(const char *text, const struct config *cfg,
				 struct config_errors *errs)
{
	config_errors_init(errs);
	return policy_parse(text, strlen(text), "FILE", cfg, errs);
}

/* The error lines must be want, in order; on a mismatch both go to
 * stderr. A wanted line ending in "..." matches any line it starts. */
static void check_errors(const char *text, const struct config *cfg,
			 const char *const *want, size_t n)
{
	struct config_errors errs;
	struct policy_file *pf = parse(text, cfg, &errs);
	ck_assert_msg(pf == NULL, "policy file accepted:\n%s", text);
	bool same = errs.n == n;
	for (size_t i = 0; same && i < n; i++) {
		size_t wl = strlen(want[i]);
		same = wl > 3 && strcmp(want[i] + wl - 3, "...") == 0
			       ? strncmp(errs.lines[i], want[i], wl - 3) == 0
			       : strcmp(errs.lines[i], want[i]) == 0;
	}
	if (!same) {
		fprintf(stderr, "errors:\n");
		for (size_t i = 0; i < errs.n; i++)
			fprintf(stderr, "  %s\n", errs.lines[i]);
		fprintf(stderr, "wanted:\n");
		for (size_t i = 0; i < n; i++)
			fprintf(stderr, "  %s\n", want[i]);
	}
	ck_assert_msg(same, "errors differ (%zu, wanted %zu); see stderr",
		      errs.n, n);
	config_errors_clear(&errs);
}

#define CHECK_ERRORS(text, ...)                                              \
	do {                                                                 \
		static const char *const want_[] = { __VA_ARGS__ };         \
		check_errors(text, NULL, want_, N(want_));                   \
	} while (0)

/* A valid file, one key per line, with POLICY extra lines (each ending
 * in a comma) inside the one policy: the policy's keys start on line 9. */
#define FILE_WITH(POLICY)                                                   \
	"{\n"                                                                \
	"\"networks\": {\n"                                                  \
	"  \"customers\": { \"prefixes\": [\"10.50.0.0/16\"] },\n"           \
	"  \"dave\": { \"parent\": \"customers\",\n"                         \
	"    \"prefixes\": [\"10.50.100.100/32\"], \"ban_time\": 1800 }\n"   \
	"},\n"                                                               \
	"\"policies\": [\n"                                                  \
	"{\n"                                                                \
	POLICY                                                               \
	"\"name\": \"p1\",\n"                                                \
	"\"networks\": [\"customers\"],\n"                                   \
	"\"metric\": \"bps\",\n"                                             \
	"\"threshold\": \"2G\",\n"                                           \
	"\"window\": 30,\n"                                                  \
	"\"rule\": { \"match\": [\"destination\"], \"then\": \"discard\" }\n" \
	"}\n"                                                                \
	"]\n"                                                                \
	"}\n"

static char *source_path(const char *rel)
{
	static char path[1024];
	snprintf(path, sizeof path, "%s", __FILE__);
	char *slash = strrchr(path, '/');
	ck_assert_ptr_nonnull(slash);
	snprintf(slash, sizeof path - (size_t)(slash - path), "/../../%s", rel);
	return path;
}

static const struct policy *by_name(const struct policy_file *pf,
				    const char *name)
{
	for (size_t i = 0; i < pf->n_policies; i++)
		if (strcmp(pf->policies[i].name, name) == 0)
			return &pf->policies[i];
	ck_abort_msg("no policy %s", name);
	return NULL;
}

static int net(const struct policy_file *pf, const char *a)
{
	struct addr x;
	ck_assert(addr_parse(&x, a, strlen(a)));
	return policy_network_of(pf, &x);
}

/* ---- what is accepted ------------------------------------------------ */

START_TEST(example_loads)
{
	struct config_errors errs;
	config_errors_init(&errs);
	struct policy_file *pf =
		policy_load(source_path("examples/policy.json"), NULL, &errs);
	for (size_t i = 0; i < errs.n; i++)
		fprintf(stderr, "  %s\n", errs.lines[i]);
	ck_assert_ptr_nonnull(pf);
	ck_assert_uint_eq(pf->n_networks, 3);
	ck_assert_uint_eq(pf->n_policies, 7);
	ck_assert_uint_eq(pf->n_never_filter, 3);
	ck_assert_uint_eq(pf->max_rules, 200);

	const struct policy *http = by_name(pf, "http-flood");
	ck_assert(http->threshold == 2e9);
	ck_assert(http->clear_threshold == 5e8);
	ck_assert_uint_eq(http->window_s, 30);
	ck_assert_int_eq(http->scope, POLICY_SCOPE_HOST);
	ck_assert_uint_eq(http->match.protos[0], (1ull << 6) | (1ull << 17));
	ck_assert_uint_eq(http->match.n_dports, 1);
	ck_assert_uint_eq(http->match.dports[0], 80);
	ck_assert_uint_eq(http->rule_parts, POLICY_RULE_DESTINATION |
				  POLICY_RULE_PROTOCOL | POLICY_RULE_DST_PORT);
	ck_assert_uint_eq(http->min_sources, 20);

	const struct policy *syn = by_name(pf, "syn-flood");
	ck_assert_int_eq(syn->metric, POLICY_PPS);
	ck_assert_uint_eq(syn->match.flags_set, FS_TCP_SYN);
	ck_assert_uint_eq(syn->match.flags_unset, FS_TCP_ACK);
	ck_assert(syn->threshold == 2e5);

	/* clear_threshold defaults to threshold. */
	const struct policy *dns = by_name(pf, "dns-reflection");
	ck_assert(dns->clear_threshold == dns->threshold);
	ck_assert_str_eq(dns->then, "rate-limit 10000000");
	ck_assert(by_name(pf, "fragments")->dry_run);
	ck_assert_int_eq(by_name(pf, "fragments")->match.fragment, 1);

	/* Networks: the most specific holds the address. */
	int customers = net(pf, "10.50.1.1"), dave = net(pf, "10.50.100.100");
	int hosting = net(pf, "10.50.200.7");
	ck_assert_int_ge(customers, 0);
	ck_assert_str_eq(pf->networks[customers].name, "customers");
	ck_assert_str_eq(pf->networks[dave].name, "dave");
	ck_assert_str_eq(pf->networks[hosting].name, "hosting");
	ck_assert_int_eq(net(pf, "2001:db8:50:200::9"), hosting);
	ck_assert_int_eq(net(pf, "10.51.0.1"), -1);
	ck_assert(policy_network_within(pf, dave, (size_t)customers));
	ck_assert(!policy_network_within(pf, customers, (size_t)dave));

	/* Lifetimes: policy, nearest network, defaults. */
	struct policy_lifetimes l = policy_lifetimes_of(pf, http, dave);
	ck_assert_int_eq(l.ban_s, 1800);
	ck_assert_int_eq(l.clear_s, 120);
	ck_assert_int_eq(l.max_s, 86400);
	l = policy_lifetimes_of(pf, http, customers);
	ck_assert_int_eq(l.ban_s, 600);
	l = policy_lifetimes_of(pf, by_name(pf, "hosting-total"), hosting);
	ck_assert_int_eq(l.ban_s, 900);
	ck_assert_int_eq(l.clear_s, 300);
	ck_assert_int_eq(l.max_s, 7200);
	policy_file_free(pf);
	config_errors_clear(&errs);
}
END_TEST

START_TEST(rates_and_defaults)
{
	struct config_errors errs;
	struct policy_file *pf = parse(FILE_WITH(
		"\"clear_threshold\": 1500000.5,\n"), NULL, &errs);
	ck_assert_ptr_nonnull(pf);
	const struct policy *p = &pf->policies[0];
	ck_assert(p->threshold == 2e9);
	ck_assert(p->clear_threshold == 1500000.5);
	ck_assert_int_eq(p->scope, POLICY_SCOPE_HOST);
	ck_assert_int_eq(p->match.fragment, -1);
	ck_assert(!p->dry_run);
	ck_assert_int_eq(pf->defaults.ban_s, 600);
	ck_assert_int_eq(pf->defaults.clear_s, 120);
	ck_assert_int_eq(pf->defaults.max_s, 86400);
	ck_assert_uint_eq(pf->max_tracked, 1000000);
	policy_file_free(pf);
	config_errors_clear(&errs);

	static const struct {
		const char *text;
		double rate;
	} rates[] = {
		{ "\"threshold\": \"100k\",\n", 1e5 },
		{ "\"threshold\": \"1.5T\",\n", 1.5e12 },
		{ "\"threshold\": 42,\n", 42 },
	};
	for (size_t i = 0; i < N(rates); i++) {
		char text[2048];
		snprintf(text, sizeof text, "{\"networks\": {\"c\": "
			 "{\"prefixes\": [\"10.0.0.0/8\"]}}, \"policies\": [{"
			 "%s \"name\": \"p\", \"networks\": [\"c\"], "
			 "\"metric\": \"pps\", \"window\": 1, \"rule\": "
			 "{\"match\": [\"destination\"], \"then\": "
			 "\"discard\"}}]}", rates[i].text);
		pf = parse(text, NULL, &errs);
		ck_assert_ptr_nonnull(pf);
		ck_assert(pf->policies[0].threshold == rates[i].rate);
		policy_file_free(pf);
		config_errors_clear(&errs);
	}
}
END_TEST

/* ---- what is refused, and where ---------------------------------------- */

START_TEST(syntax_errors)
{
	CHECK_ERRORS("{\n\"networks\": {},\n}\n",
		     "FILE:3:1: string or '}' expected near '}'");
	CHECK_ERRORS("[]\n", "FILE: the policy file must be a JSON object, "
			     "not an array (line 1)");
}
END_TEST

START_TEST(values_with_path_and_line)
{
	CHECK_ERRORS(FILE_WITH("\"treshold\": \"2G\",\n"),
		     "FILE: policies[0].treshold: unknown key (did you mean "
		     "'threshold'?) (line 9)");
	CHECK_ERRORS(FILE_WITH("\"clear_threshold\": \"2X\",\n"),
		     "FILE: policies[0].clear_threshold: '2X': unknown suffix "
		     "'X' (k, M, G or T) (line 9)");
	CHECK_ERRORS(FILE_WITH("\"clear_threshold\": \"3G\",\n"),
		     "FILE: policies[0].clear_threshold: 3e+09 is above "
		     "threshold (2e+09) (line 9)");
	CHECK_ERRORS(FILE_WITH("\"clear_threshold\": -1,\n"),
		     "FILE: policies[0].clear_threshold: must be more than 0 "
		     "(line 9)");
	CHECK_ERRORS(FILE_WITH("\"scope\": \"all\",\n"),
		     "FILE: policies[0].scope: unknown scope 'all' (host or "
		     "group) (line 9)");
	CHECK_ERRORS(FILE_WITH("\"match\": { \"protocol\": [\"tcp\", 300] },\n"),
		     "FILE: policies[0].match.protocol[1]: 300 is out of range "
		     "(0..255) (line 9)");
	CHECK_ERRORS(FILE_WITH("\"match\": { \"protocol\": \"tcpp\" },\n"),
		     "FILE: policies[0].match.protocol: ...");
	CHECK_ERRORS(FILE_WITH("\"match\": { \"tcp_flags\": \"[ syn ack ]\" },\n"),
		     "FILE: policies[0].match.tcp_flags: '[ syn ack ]': one set "
		     "of flags joined with '&' (no list) (line 9)");
	CHECK_ERRORS(FILE_WITH("\"match\": { \"packet_length\": \"100-50\" },\n"),
		     "FILE: policies[0].match.packet_length: '100-50' is not a "
		     "length range LOW-HIGH (1..65535) (line 9)");
	CHECK_ERRORS(FILE_WITH("\"match\": { \"source\": [\"192.0.2.1/24\"] },\n"),
		     "FILE: policies[0].match.source[0]: '192.0.2.1/24' is not "
		     "a prefix (ADDR/LEN with no bit set past LEN) (line 9)");
	CHECK_ERRORS(FILE_WITH("\"ban_time\": 7200,\n\"max_lifetime\": 3600,\n"),
		     "FILE: policies[0].ban_time: 7200 is longer than "
		     "max_lifetime (3600) (line 9)");
	CHECK_ERRORS("{\"networks\": {\"c\": {\"prefixes\": [\"10.0.0.0/8\"]}},\n"
		     "\"policies\": [{ \"name\": \"a\", \"networks\": [\"c\"],\n"
		     "\"metric\": \"bps\", \"threshold\": 1, \"window\": 1,\n"
		     "\"rule\": { \"match\": [\"destination\"],\n"
		     "\"then\": \"discard; } } x\" } }]}\n",
		     "FILE: policies[0].rule.then: unexpected text after the "
		     "action (line 5)");
	CHECK_ERRORS(FILE_WITH("\"dry_run\": \"yes\",\n"),
		     "FILE: policies[0].dry_run: must be true or false, not a "
		     "string (line 9)");
}
END_TEST

START_TEST(metric_window_and_rule)
{
	CHECK_ERRORS("{\n\"networks\": {\"c\": {\"prefixes\": [\"10.0.0.0/8\"]}},\n"
		     "\"policies\": [\n"
		     "{ \"name\": \"a\", \"networks\": [\"c\"],\n"
		     "  \"metric\": \"bytes\",\n"
		     "  \"threshold\": 1,\n"
		     "  \"window\": 0,\n"
		     "  \"rule\": { \"match\": [\"protocol\", \"dst-port\"],\n"
		     "            \"then\": \"discrad\" } }\n"
		     "]\n}\n",
		     "FILE: policies[0].metric: unknown metric 'bytes' (bps, pps "
		     "or flows) (line 5)",
		     "FILE: policies[0].window: 0 is out of range (1..3600) "
		     "(line 7)",
		     "FILE: policies[0].rule.match[1]: unknown property "
		     "'dst-port' (destination, source, protocol, "
		     "destination-port, source-port, packet-length, tcp-flags, "
		     "fragment) (line 8)",
		     "FILE: policies[0].rule.match: must include destination (a "
		     "rule without it would filter every destination) (line 8)",
		     "FILE: policies[0].rule.then: ...");
}
END_TEST

START_TEST(networks_and_names)
{
	CHECK_ERRORS("{\n\"networks\": {\n"
		     "  \"a\": { \"parent\": \"b\", \"prefixes\": [\"10.1.0.0/16\"] },\n"
		     "  \"b\": { \"parent\": \"a\", \"prefixes\": [\"10.2.0.0/16\"] },\n"
		     "  \"c\": { \"parent\": \"nope\", \"prefixes\": [\"10.3.0.1/16\"] },\n"
		     "  \"d\": { \"prefixes\": [] }\n"
		     "},\n"
		     "\"policies\": [\n"
		     "{ \"name\": \"x\", \"networks\": [\"custmers\"], \"metric\": \"bps\",\n"
		     "  \"threshold\": 1, \"window\": 1, \"rule\": { \"match\": [\"destination\"],\n"
		     "  \"then\": \"discard\" } },\n"
		     "{ \"name\": \"x\", \"networks\": [\"a\"], \"metric\": \"bps\",\n"
		     "  \"threshold\": 1, \"window\": 1, \"rule\": { \"match\": [\"destination\"],\n"
		     "  \"then\": \"discard\" } }\n"
		     "]\n}\n",
		     "FILE: networks.a.parent: parents form a loop (line 3)",
		     "FILE: networks.b.parent: parents form a loop (line 4)",
		     "FILE: networks.c.prefixes[0]: '10.3.0.1/16' is not a prefix "
		     "(ADDR/LEN with no bit set past LEN) (line 5)",
		     "FILE: networks.c.parent: no network 'nope' (line 5)",
		     "FILE: networks.d.prefixes: must hold at least one prefix "
		     "(line 6)",
		     "FILE: policies[0].networks[0]: no network 'custmers' "
		     "(line 9)",
		     "FILE: policies[1].name: 'x' is already policies[0] "
		     "(line 12)");
	CHECK_ERRORS("{\n\"never_filter\": [\"10.0.0.1/8\"],\n"
		     "\"defaults\": { \"ban_time\": 0 }\n}\n",
		     "FILE: missing key 'networks' (line 1)",
		     "FILE: missing key 'policies' (line 1)",
		     "FILE: never_filter[0]: '10.0.0.1/8' is not a prefix "
		     "(ADDR/LEN with no bit set past LEN) (line 2)",
		     "FILE: defaults.ban_time: 0 is out of range (1..4294967295) "
		     "(line 3)");
}
END_TEST

/* ---- which network holds an address ---------------------------------- */

/* The reference: a scan of every prefix of every network, the longest
 * holding a, the first network on a tie. */
static int network_scan(const struct policy_file *pf, const struct addr *a)
{
	int best = -1, best_len = -1;
	struct prefix host = { *a, (uint8_t)addr_bits(a->family) };
	for (size_t i = 0; i < pf->n_networks; i++) {
		const struct policy_network *n = &pf->networks[i];
		for (size_t k = 0; k < n->n_prefixes; k++) {
			if (n->prefixes[k].len > best_len &&
			    prefix_covers(&n->prefixes[k], &host)) {
				best = (int)i;
				best_len = n->prefixes[k].len;
			}
		}
	}
	return best;
}

static void check_network_of(const struct policy_file *pf,
			     const struct addr *a)
{
	char buf[ADDR_STRLEN];
	int want = network_scan(pf, a), got = policy_network_of(pf, a);
	ck_assert_msg(got == want, "%s: network %d, the scan %d",
		      addr_format(a, buf), got, want);
}

/* Named: the most specific wins, through parents too; of two networks
 * with the same prefix the first in the file holds it. Random files
 * (fixed seed): every prefix's first and last address, the addresses
 * just outside, and random ones, against the scan. */
START_TEST(network_of_most_specific)
{
	struct config_errors errs;
	struct policy_file *pf = parse(
		"{ \"networks\": {\n"
		"  \"isp\": { \"prefixes\": [\"0.0.0.0/0\", \"::/0\"] },\n"
		"  \"b\": { \"prefixes\": [\"198.51.100.0/24\"] },\n"
		"  \"a\": { \"parent\": \"isp\", \"prefixes\": "
		"[\"198.51.100.0/24\", \"198.51.100.128/25\", "
		"\"2001:db8::/127\"] }\n"
		"},\n"
		"\"policies\": [ { \"name\": \"p\", \"networks\": [\"isp\"], "
		"\"metric\": \"bps\", \"threshold\": 1, \"window\": 1, "
		"\"rule\": { \"match\": [\"destination\"], "
		"\"then\": \"discard\" } } ] }\n", NULL, &errs);
	ck_assert_ptr_nonnull(pf);
	ck_assert_int_eq(net(pf, "198.51.100.1"), 1);
	ck_assert_int_eq(net(pf, "198.51.100.128"), 2);
	ck_assert_int_eq(net(pf, "198.51.99.255"), 0);
	ck_assert_int_eq(net(pf, "2001:db8::1"), 2);
	ck_assert_int_eq(net(pf, "2001:db8::2"), 0);
	ck_assert_int_eq(net(pf, "255.255.255.255"), 0);
	ck_assert(policy_network_within(pf, 2, 0));
	ck_assert(!policy_network_within(pf, 1, 0));
	policy_file_free(pf);
	config_errors_clear(&errs);

	rp_seed(20261204);
	for (int round = 0; round < 20; round++) {
		struct addr v4[RP_BASES], v6[RP_BASES];
		rp_bases(ADDR_V4, v4);
		rp_bases(ADDR_V6, v6);
		char *text = NULL;
		size_t len = 0;
		FILE *f = open_memstream(&text, &len);
		ck_assert_ptr_nonnull(f);
		fprintf(f, "{ \"networks\": {");
		size_t nets = 1 + rp_next() % 40;
		for (size_t i = 0; i < nets; i++) {
			fprintf(f, "%s \"n%zu\": { \"prefixes\": [",
				i ? "," : "", i);
			size_t np = 1 + rp_next() % 8;
			for (size_t k = 0; k < np; k++) {
				enum addr_family fam = rp_family();
				struct prefix p = rp_prefix(
					fam, fam == ADDR_V4 ? v4 : v6);
				char buf[ADDR_STRLEN];
				fprintf(f, "%s\"%s\"", k ? ", " : "",
					prefix_format(&p, buf));
			}
			fprintf(f, "] }");
		}
		fprintf(f, " }, \"policies\": [ { \"name\": \"p\", "
			   "\"networks\": [\"n0\"], \"metric\": \"bps\", "
			   "\"threshold\": 1, \"window\": 1, \"rule\": { "
			   "\"match\": [\"destination\"], \"then\": "
			   "\"discard\" } } ] }\n");
		ck_assert_int_eq(fclose(f), 0);
		pf = parse(text, NULL, &errs);
		for (size_t i = 0; i < errs.n; i++)
			fprintf(stderr, "  %s\n", errs.lines[i]);
		ck_assert_ptr_nonnull(pf);
		for (size_t i = 0; i < pf->n_networks; i++) {
			const struct policy_network *n = &pf->networks[i];
			for (size_t k = 0; k < n->n_prefixes; k++) {
				struct addr first = rp_edge(&n->prefixes[k],
							    false);
				struct addr last = rp_edge(&n->prefixes[k],
							   true);
				check_network_of(pf, &first);
				check_network_of(pf, &last);
				if (rp_step(&first, false))
					check_network_of(pf, &first);
				if (rp_step(&last, true))
					check_network_of(pf, &last);
			}
		}
		for (int k = 0; k < 2000; k++) {
			enum addr_family fam = rp_family();
			struct addr a = rp_addr(fam, fam == ADDR_V4 ? v4 : v6);
			check_network_of(pf, &a);
		}
		policy_file_free(pf);
		config_errors_clear(&errs);
		free(text);
	}
}
END_TEST

/* ---- with the config ------------------------------------------------- */

static void write_file(const char *path, const char *text)
{
	FILE *f = fopen(path, "w");
	ck_assert_ptr_nonnull(f);
	ck_assert_int_eq(fputs(text, f) >= 0, 1);
	ck_assert_int_eq(fclose(f), 0);
}

/* Neighbors must be configured ones; the config's never_filter is
 * added; --check follows "policy" and fails on its errors. */
START_TEST(check_with_config)
{
	char dir[] = "/tmp/test_policy.XXXXXX";
	ck_assert_ptr_nonnull(mkdtemp(dir));
	char cfg_path[128], pol_path[128], text[1024];
	snprintf(cfg_path, sizeof cfg_path, "%s/flowspecd.json", dir);
	snprintf(pol_path, sizeof pol_path, "%s/policy.json", dir);
	snprintf(text, sizeof text,
		 "{ \"router_id\": \"192.0.2.1\", \"local_as\": 65100,\n"
		 "  \"neighbors\": [ { \"address\": \"10.255.255.1\", "
		 "\"remote_as\": 65100 } ],\n"
		 "  \"never_filter\": [\"10.50.0.2/32\"],\n"
		 "  \"policy\": \"%s\" }\n", pol_path);
	write_file(cfg_path, text);
	write_file(pol_path, FILE_WITH("\"neighbors\": [\"10.255.255.1\", "
				       "\"192.0.2.77\"],\n"));

	struct config_errors errs;
	config_errors_init(&errs);
	struct config *cfg = config_load(cfg_path, &errs);
	ck_assert_ptr_nonnull(cfg);
	ck_assert(!policy_check(pol_path, cfg, &errs));
	ck_assert_uint_eq(errs.n, 1);
	char want[256];
	snprintf(want, sizeof want, "%s: policies[0].neighbors[1]: 192.0.2.77 "
		 "is not a configured neighbor (line 9)", pol_path);
	ck_assert_str_eq(errs.lines[0], want);
	config_errors_clear(&errs);
	ck_assert_int_eq(config_check_main(cfg_path), EXIT_FAILURE);

	write_file(pol_path, FILE_WITH("\"neighbors\": [\"10.255.255.1\"],\n"));
	config_errors_init(&errs);
	struct policy_file *pf = policy_load(pol_path, cfg, &errs);
	ck_assert_ptr_nonnull(pf);
	ck_assert_uint_eq(pf->policies[0].n_neighbors, 1);
	ck_assert_uint_eq(pf->n_never_filter, 1);
	char buf[ADDR_STRLEN];
	ck_assert_str_eq(prefix_format(&pf->never_filter[0], buf),
			 "10.50.0.2/32");
	/* policy_file_same: the same file read again, not another path,
	 * never_filter or text. */
	struct policy_file *again = policy_load(pol_path, cfg, &errs);
	ck_assert(policy_file_same(pf, again));
	policy_file_free(again);
	again = policy_load(pol_path, NULL, &errs);
	ck_assert(!policy_file_same(pf, again));
	policy_file_free(again);
	again = policy_parse(pf->text, pf->text_len, "FILE", cfg, &errs);
	ck_assert(!policy_file_same(pf, again));
	policy_file_free(again);
	write_file(pol_path, FILE_WITH("\"neighbors\": [\"10.255.255.1\"] ,\n"));
	again = policy_load(pol_path, cfg, &errs);
	ck_assert_ptr_nonnull(again);
	ck_assert(!policy_file_same(pf, again));
	policy_file_free(again);
	policy_file_free(pf);
	config_errors_clear(&errs);
	ck_assert_int_eq(config_check_main(cfg_path), EXIT_SUCCESS);

	unlink(pol_path);
	ck_assert_int_eq(config_check_main(cfg_path), EXIT_FAILURE);
	config_free(cfg);
	unlink(cfg_path);
	rmdir(dir);
}
END_TEST

static Suite *suite(void)
{
	Suite *s = suite_create("policy");
	TCase *tc = tcase_create("policy");
	tcase_add_test(tc, example_loads);
	tcase_add_test(tc, rates_and_defaults);
	tcase_add_test(tc, syntax_errors);
	tcase_add_test(tc, values_with_path_and_line);
	tcase_add_test(tc, metric_window_and_rule);
	tcase_add_test(tc, networks_and_names);
	tcase_add_test(tc, network_of_most_specific);
	tcase_add_test(tc, check_with_config);
	suite_add_tcase(s, tc);
	return s;
}

int main(void)
{
	SRunner *sr = srunner_create(suite());
	srunner_run_all(sr, CK_NORMAL);
	int failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
