/* Config loader: every key, the defaults, every kind of error with its
 * message and place, several errors in one run. Config files are written
 * to a temporary directory; FILE in the expected lines stands for their
 * path. */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "bgpd/config.h"
#include "nlri/text.h"

#define N(a) (sizeof(a) / sizeof((a)[0]))

struct loaded {
	struct config *cfg;
	struct config_errors errs;
	char path[64];
};

/* Writes text to a fresh temporary file and loads it. */
static struct loaded load(const char *text)
{
	struct loaded l = { 0 };
	config_errors_init(&l.errs);
	snprintf(l.path, sizeof l.path, "/tmp/test_config.XXXXXX");
	int fd = mkstemp(l.path);
	ck_assert_int_ge(fd, 0);
	size_t n = strlen(text);
	ck_assert_int_eq(write(fd, text, n), (ssize_t)n);
	close(fd);
	l.cfg = config_load(l.path, &l.errs);
	unlink(l.path);
	return l;
}

static void loaded_free(struct loaded *l)
{
	config_free(l->cfg);
	config_errors_clear(&l->errs);
}

static struct config *load_ok(const char *text, struct loaded *l)
{
	*l = load(text);
	if (!l->cfg) {
		for (size_t i = 0; i < l->errs.n; i++)
			fprintf(stderr, "  %s\n", l->errs.lines[i]);
		ck_abort_msg("config refused:\n%s", text);
	}
	ck_assert_uint_eq(l->errs.n, 0);
	return l->cfg;
}

/* The error lines with the file's path replaced by "FILE". On a
 * mismatch both lists go to stderr (Check limits its message size). */
static void check_errors(const char *text, const char *const *want, size_t n)
{
	struct loaded l = load(text);
	ck_assert_msg(l.cfg == NULL, "config accepted:\n%s", text);
	size_t plen = strlen(l.path);
	bool same = l.errs.n == n;
	for (size_t i = 0; i < l.errs.n; i++) {
		const char *line = l.errs.lines[i];
		ck_assert_msg(strncmp(line, l.path, plen) == 0,
			      "error does not start with the file: %s", line);
		same = same && strcmp(line + plen, want[i] + 4) == 0;
	}
	if (!same) {
		fprintf(stderr, "errors:\n");
		for (size_t i = 0; i < l.errs.n; i++)
			fprintf(stderr, "  FILE%s\n", l.errs.lines[i] + plen);
		fprintf(stderr, "wanted:\n");
		for (size_t i = 0; i < n; i++)
			fprintf(stderr, "  %s\n", want[i]);
	}
	ck_assert_msg(same, "errors differ (%zu, wanted %zu); see stderr",
		      l.errs.n, n);
	loaded_free(&l);
}

#define CHECK_ERRORS(text, ...)                                              \
	do {                                                                 \
		static const char *const want_[] = { __VA_ARGS__ };         \
		check_errors(text, want_, N(want_));                         \
	} while (0)

static const char *addr_str(const struct addr *a, char *buf)
{
	return addr_format(a, buf);
}

/* Wraps neighbor objects in a valid top level, one key per line. */
#define TOP "{\n\"router_id\": \"192.0.2.1\",\n\"local_as\": 65100,\n"

/* ---- what is accepted ------------------------------------------------ */

/* DESIGN.md's minimal form, and the defaults it leaves. */
START_TEST(minimal_form_and_defaults)
{
	struct loaded l;
	struct config *c = load_ok(
		"{\n"
		"  \"router_id\": \"192.0.2.1\",\n"
		"  \"local_as\": 65100,\n"
		"  \"listen\": \"0.0.0.0:179\",\n"
		"  \"control_socket\": \"/run/flowspecd.sock\",\n"
		"  \"neighbors\": [\n"
		"    { \"address\": \"10.255.255.1\", \"remote_as\": 65100, \"port\": 179,\n"
		"      \"local_address\": \"192.0.2.1\", \"passive\": false,\n"
		"      \"families\": [\"ipv4-flowspec\", \"ipv6-flowspec\"] },\n"
		"    { \"address\": \"2001:db8::2\", \"remote_as\": 65002 }\n"
		"  ]\n"
		"}\n", &l);
	char buf[ADDR_STRLEN];
	ck_assert_str_eq(addr_str(&c->local.router_id, buf), "192.0.2.1");
	ck_assert_uint_eq(c->local.local_as, 65100);
	ck_assert(c->has_listen);
	ck_assert_str_eq(addr_str(&c->listen_addr, buf), "0.0.0.0");
	ck_assert_uint_eq(c->listen_port, 179);
	ck_assert_str_eq(c->control_socket, "/run/flowspecd.sock");
	ck_assert_uint_eq(c->n_neighbors, 2);

	const struct bgp_peer_config *a = &c->neighbors[0];
	ck_assert_str_eq(addr_str(&a->address, buf), "10.255.255.1");
	ck_assert_str_eq(addr_str(&a->local_address, buf), "192.0.2.1");
	ck_assert_uint_eq(a->remote_as, 65100);

	/* Every default, on the second neighbor. */
	const struct bgp_peer_config *b = &c->neighbors[1];
	ck_assert_str_eq(addr_str(&b->address, buf), "2001:db8::2");
	ck_assert_uint_eq(b->port, 179);
	ck_assert_int_eq(b->local_address.family, ADDR_NONE);
	ck_assert(!b->passive);
	ck_assert_uint_eq(b->families, BGP_FAM_IPV4_FLOWSPEC | BGP_FAM_IPV6_FLOWSPEC);
	ck_assert_uint_eq(b->hold_time, 90);
	ck_assert_uint_eq(b->connect_retry, 30);
	ck_assert_str_eq(b->md5_password, "");
	ck_assert(!b->ttl_security);
	ck_assert_str_eq(b->description, "");
	ck_assert_uint_eq(b->max_received, 0);
	ck_assert_uint_eq(b->max_rules, 0);
	ck_assert_uint_eq(b->restart_time, 0);

	ck_assert_ptr_eq(config_find_neighbor(c, &b->address), b);
	struct addr none;
	addr_parse(&none, "10.9.9.9", 8);
	ck_assert_ptr_null(config_find_neighbor(c, &none));

	ck_assert_uint_eq(c->n_static_rules, 0);
	ck_assert_ptr_null(c->state_file);
	ck_assert_ptr_null(c->policy);
	ck_assert_ptr_null(c->user);
	ck_assert_ptr_null(c->collector);
	ck_assert_ptr_null(c->http);
	ck_assert_uint_eq(c->n_never_filter, 0);
	loaded_free(&l);
}
END_TEST

/* Only router_id and local_as are required. */
START_TEST(top_level_defaults)
{
	struct loaded l;
	struct config *c = load_ok("{\"router_id\": \"10.0.0.1\", "
				   "\"local_as\": 4200000000}", &l);
	ck_assert_uint_eq(c->local.local_as, 4200000000u);
	ck_assert(!c->has_listen);
	ck_assert_str_eq(c->control_socket, CONFIG_CONTROL_SOCKET_DEFAULT);
	ck_assert_uint_eq(c->n_neighbors, 0);
	loaded_free(&l);
}
END_TEST

START_TEST(every_key)
{
	/* The http section's token file must be readable (http.h). */
	FILE *token = fopen("test_config.token", "w");
	ck_assert_ptr_nonnull(token);
	fputs("t0ken\n", token);
	fclose(token);
	struct loaded l;
	struct config *c = load_ok(
		TOP
		"\"listen\": \"[2001:db8::1]:1179\",\n"
		"\"control_socket\": \"/tmp/fs.sock\",\n"
		"\"neighbors\": [{\n"
		"  \"address\": \"10.0.0.2\", \"remote_as\": 65002, \"port\": 1179,\n"
		"  \"local_address\": \"10.0.0.1\", \"passive\": true,\n"
		"  \"families\": [\"ipv4-flowspec\", \"ipv4-unicast\", \"ipv6-unicast\"],\n"
		"  \"hold_time\": 0, \"connect_retry\": 5,\n"
		"  \"md5_password\": \"s3cret\", \"ttl_security\": true,\n"
		"  \"description\": \"edge router – Zürich\",\n"
		"  \"max_received\": 100, \"max_rules\": 3000,\n"
		"  \"graceful_restart\": true, \"restart_time\": 300\n"
		"}, {\n"
		"  \"address\": \"10.0.0.3\", \"remote_as\": 65003,\n"
		"  \"graceful_restart\": true\n"
		"}],\n"
		"\"static_rules\": [\n"
		"  \"flow route { match { destination 10.50.100.100/32; protocol tcp; destination-port =1234; } then { discard; } }\",\n"
		"  { \"rule\": \"flow route { match { destination 2001:db8::/64; } then { rate-limit 1000; } }\",\n"
		"    \"neighbors\": [\"10.0.0.3\", \"10.0.0.2\"], \"comment\": \"ipv6 test\" }\n"
		"],\n"
		"\"state_file\": \"/var/lib/flowspecd/state.json\",\n"
		"\"never_filter\": [\"10.50.0.1/32\", \"2001:db8:50::/48\"],\n"
		"\"policy\": \"/etc/flowspecd/policy.json\",\n"
		"\"collector\": { \"netflow\": \"0.0.0.0:2055\" },\n"
		"\"http\": { \"listen\": \"127.0.0.1:8179\", "
		"\"token_file\": \"test_config.token\" },\n"
		"\"user\": \"root\"\n"
		"}\n", &l);
	char buf[ADDR_STRLEN];
	ck_assert_str_eq(addr_str(&c->listen_addr, buf), "2001:db8::1");
	ck_assert_uint_eq(c->listen_port, 1179);
	ck_assert_str_eq(c->control_socket, "/tmp/fs.sock");

	const struct bgp_peer_config *a = &c->neighbors[0];
	ck_assert_uint_eq(a->port, 1179);
	ck_assert(a->passive);
	ck_assert_uint_eq(a->families, BGP_FAM_IPV4_FLOWSPEC |
					       BGP_FAM_IPV4_UNICAST |
					       BGP_FAM_IPV6_UNICAST);
	ck_assert_uint_eq(a->hold_time, 0);
	ck_assert_uint_eq(a->connect_retry, 5);
	ck_assert_str_eq(a->md5_password, "s3cret");
	ck_assert(a->ttl_security);
	ck_assert_str_eq(a->description, "edge router – Zürich");
	ck_assert_uint_eq(a->max_received, 100);
	ck_assert_uint_eq(a->max_rules, 3000);
	ck_assert_uint_eq(a->restart_time, 300);
	/* graceful_restart alone: the default restart time. */
	ck_assert_uint_eq(c->neighbors[1].restart_time,
			  CONFIG_RESTART_TIME_DEFAULT);

	ck_assert_uint_eq(c->n_static_rules, 2);
	const struct config_static_rule *s0 = &c->static_rules[0];
	ck_assert_int_eq(s0->rule.afi, FS_AFI_IPV4);
	ck_assert_uint_eq(s0->ntargets, 0);
	ck_assert_ptr_null(s0->comment);
	char *text = fs_text_string(&s0->rule);
	ck_assert_str_eq(text, "flow route { match { destination 10.50.100.100/32; "
			       "protocol =tcp; destination-port =1234; } then { "
			       "discard; } }");
	free(text);
	const struct config_static_rule *s1 = &c->static_rules[1];
	ck_assert_int_eq(s1->rule.afi, FS_AFI_IPV6);
	ck_assert_uint_eq(s1->ntargets, 2);
	ck_assert_str_eq(addr_str(&s1->targets[0], buf), "10.0.0.3");
	ck_assert_str_eq(s1->comment, "ipv6 test");

	ck_assert_str_eq(c->state_file, "/var/lib/flowspecd/state.json");
	ck_assert_uint_eq(c->n_never_filter, 2);
	ck_assert_uint_eq(c->never_filter[1].len, 48);
	ck_assert_str_eq(c->policy, "/etc/flowspecd/policy.json");
	ck_assert_ptr_nonnull(c->collector);
	ck_assert_str_eq(json_string_value(json_object_get(c->http, "listen")),
			 "127.0.0.1:8179");
	ck_assert_str_eq(c->user, "root");
	loaded_free(&l);
	unlink("test_config.token");
}
END_TEST

START_TEST(hostport_forms)
{
	struct addr a;
	uint16_t port;
	char buf[ADDR_STRLEN];
	ck_assert(config_parse_hostport("192.0.2.1:1179", 179, &a, &port));
	ck_assert_str_eq(addr_str(&a, buf), "192.0.2.1");
	ck_assert_uint_eq(port, 1179);
	ck_assert(config_parse_hostport("[::1]:65535", 179, &a, &port));
	ck_assert_str_eq(addr_str(&a, buf), "::1");
	ck_assert_uint_eq(port, 65535);
	ck_assert(config_parse_hostport("192.0.2.1", 179, &a, &port));
	ck_assert_uint_eq(port, 179);
	ck_assert(config_parse_hostport("2001:db8::1", 8179, &a, &port));
	ck_assert_uint_eq(port, 8179);
	ck_assert(config_parse_hostport("[2001:db8::1]", 179, &a, &port));

	static const char *const bad[] = {
		"", ":179", "192.0.2.1:", "192.0.2.1:0", "192.0.2.1:65536",
		"192.0.2.1:1x", "host:179", "[192.0.2.1]:179", "[::1]179",
		"[::1", "192.0.2.1:179:1", "192.0.2.1:000179",
	};
	for (size_t i = 0; i < N(bad); i++)
		ck_assert_msg(!config_parse_hostport(bad[i], 179, &a, &port),
			      "accepted '%s'", bad[i]);
}
END_TEST

/* The collector object's keys are checked by the collector module and
 * placed like the others (path and line). */
START_TEST(collector_errors_placed)
{
	CHECK_ERRORS(TOP "\"collector\": {\n"
		     "  \"netflow\": \"0.0.0.0:0\",\n"
		     "  \"exporters\": [\"192.0.2.1\",\n"
		     "                { \"prefix\": \"10.0.0.0/8\", \"sampling\": 0 }],\n"
		     "  \"max_template\": 5\n"
		     "}\n}\n",
		     "FILE: collector.netflow: '0.0.0.0:0' is not ADDR:PORT, "
		     "[ADDR6]:PORT or ADDR (line 5)",
		     "FILE: collector.exporters[1]: sampling must be an integer "
		     "1..4294967295 (line 7)",
		     "FILE: collector.max_template: unknown key (known: netflow, "
		     "ipfix, sflow, exporters, socket_buffer, max_exporters, "
		     "max_templates, template_timeout) (line 8)");
}
END_TEST

/* The example shipped in examples/ passes --check. */
START_TEST(example_config_loads)
{
	char path[1024];
	snprintf(path, sizeof path, "%s", __FILE__);
	char *slash = strrchr(path, '/');
	ck_assert_ptr_nonnull(slash);
	snprintf(slash, sizeof path - (size_t)(slash - path),
		 "/../../examples/flowspecd.json");
	struct config_errors errs;
	config_errors_init(&errs);
	struct config *c = config_load(path, &errs);
	for (size_t i = 0; i < errs.n; i++)
		fprintf(stderr, "  %s\n", errs.lines[i]);
	ck_assert_ptr_nonnull(c);
	ck_assert_uint_ge(c->n_neighbors, 1);
	config_free(c);
	config_errors_clear(&errs);
	ck_assert_int_eq(config_check_main(path), EXIT_SUCCESS);
}
END_TEST

/* ---- what is refused, and where ------------------------------------ */

START_TEST(syntax_errors_give_line_and_column)
{
	CHECK_ERRORS("{\n  \"router_id\": \"192.0.2.1\",\n}\n",
		     "FILE:3:1: string or '}' expected near '}'");
	CHECK_ERRORS("{\n  \"local_as\": 1,\n  \"local_as\": 2\n}\n",
		     "FILE:3:12: duplicate object key near '\"local_as\"'");
	CHECK_ERRORS("", "FILE:1:0: '[' or '{' expected near end of file");
	CHECK_ERRORS("[1]\n", "FILE: the configuration must be a JSON object, "
			      "not an array (line 1)");
}
END_TEST

START_TEST(unreadable_file)
{
	struct config_errors errs;
	config_errors_init(&errs);
	ck_assert_ptr_null(config_load("/nonexistent/flowspecd.json", &errs));
	ck_assert_uint_eq(errs.n, 1);
	ck_assert_str_eq(errs.lines[0], "/nonexistent/flowspecd.json: cannot "
					"read: No such file or directory");
	config_errors_clear(&errs);
	ck_assert_int_eq(config_check_main("/nonexistent/flowspecd.json"),
			 EXIT_FAILURE);
}
END_TEST

START_TEST(missing_and_unknown_keys)
{
	CHECK_ERRORS("{\n\"router_id\": \"192.0.2.1\",\n\"neighbours\": []\n}\n",
		     "FILE: missing key 'local_as' (line 1)",
		     "FILE: neighbours: unknown key (did you mean 'neighbors'?) (line 3)");
	CHECK_ERRORS(TOP "\"neighbors\": [\n"
		     "  { \"address\": \"10.0.0.2\", \"remote_as\": 1,\n"
		     "    \"hodl_time\": 30, \"xyzzy\": 1 },\n"
		     "  { \"remote_as\": 2 }\n"
		     "]}\n",
		     "FILE: neighbors[0].hodl_time: unknown key (did you mean 'hold_time'?) (line 6)",
		     "FILE: neighbors[0].xyzzy: unknown key (line 6)",
		     "FILE: neighbors[1]: missing key 'address' (line 7)");
}
END_TEST

START_TEST(value_errors_give_path_and_line)
{
	CHECK_ERRORS(TOP "\"neighbors\": [\n"
		     "  { \"address\": \"10.0.0.2\", \"remote_as\": 65002 },\n"
		     "  { \"address\": \"10.0.0.3\",\n"
		     "    \"remote_as\": 0 }\n"
		     "]}\n",
		     "FILE: neighbors[1].remote_as: 0 is out of range (1..4294967295) (line 7)");
	CHECK_ERRORS("{\n\"router_id\": \"2001:db8::1\",\n\"local_as\": 4294967296\n}",
		     "FILE: router_id: must be an IPv4 address (RFC 4271 §4.2) (line 2)",
		     "FILE: local_as: 4294967296 is out of range (1..4294967295) (line 3)");
	CHECK_ERRORS("{\n\"router_id\": \"0.0.0.0\",\n\"local_as\": 23456\n}",
		     "FILE: router_id: must not be 0.0.0.0 (RFC 6286 §2.1) (line 2)",
		     "FILE: local_as: 23456 is AS_TRANS (RFC 6793), not a real AS (line 3)");
	CHECK_ERRORS("{\n\"router_id\": \"192.0.2.300\",\n\"local_as\": \"65000\"\n}",
		     "FILE: router_id: '192.0.2.300' is not an IPv4 or IPv6 address (line 2)",
		     "FILE: local_as: must be an integer (1..4294967295), not a string (line 3)");
}
END_TEST

/* profile: built-in names, a custom object, errors that name the path. */
START_TEST(neighbor_profiles)
{
	struct loaded l;
	struct config *c = load_ok(TOP "\"neighbors\": [\n"
		"  { \"address\": \"10.0.0.1\", \"remote_as\": 1 },\n"
		"  { \"address\": \"10.0.0.2\", \"remote_as\": 1, \"profile\": \"frr\" },\n"
		"  { \"address\": \"10.0.0.3\", \"remote_as\": 1, \"profile\": {\n"
		"      \"base\": \"iosxr\", \"actions\": [\"rate-limit\", \"redirect\"],\n"
		"      \"components\": [\"destination\", \"destination-port\"],\n"
		"      \"redirect_to_ip\": \"ietf\", \"ipv6\": false,\n"
		"      \"rewrite_not_equal\": true, \"max_rules\": 500 } },\n"
		"  { \"address\": \"10.0.0.4\", \"remote_as\": 1, \"max_rules\": 7,\n"
		"    \"profile\": { \"max_rules\": 500 } },\n"
		"  { \"address\": \"10.0.0.5\", \"remote_as\": 1, \"profile\": \"gobgp\" },\n"
		"  { \"address\": \"10.0.0.6\", \"remote_as\": 1, \"profile\": {\n"
		"      \"base\": \"frr\", \"ipv6_prefix_offset\": true } },\n"
		"  { \"address\": \"10.0.0.7\", \"remote_as\": 1, \"profile\": {\n"
		"      \"ipv6_prefix_offset\": false } }\n"
		"]}\n", &l);
	const struct profile *g = &c->neighbors[0].profile;
	ck_assert_str_eq(profile_name(g), "generic");
	ck_assert_uint_eq(g->no_components | g->no_actions, 0);
	struct profile frr;
	ck_assert(profile_builtin("frr", &frr));
	ck_assert(memcmp(&c->neighbors[1].profile, &frr, sizeof frr) == 0);
	const struct profile *p = &c->neighbors[2].profile;
	ck_assert_str_eq(p->name, "custom");
	ck_assert_uint_eq(p->no_components,
			  PROFILE_COMPONENTS_ALL & ~((1u << FS_TYPE_DST_PREFIX) |
						     (1u << FS_TYPE_DST_PORT)));
	ck_assert_uint_eq(p->no_actions,
			  PROFILE_ACTIONS_ALL &
				  ~((1u << FS_ACT_RATE_BYTES) |
				    (1u << FS_ACT_REDIRECT_AS2) |
				    (1u << FS_ACT_REDIRECT_IP4) |
				    (1u << FS_ACT_REDIRECT_AS4)));
	ck_assert_int_eq(p->redirect_ip, PROFILE_RIP_IETF);
	ck_assert(p->no_ipv6);
	ck_assert(p->rewrite_not_equal);
	/* The profile's budget, unless the neighbor has its own. */
	ck_assert_uint_eq(c->neighbors[2].max_rules, 500);
	ck_assert_uint_eq(c->neighbors[3].max_rules, 7);
	/* IPv6 prefix offsets: gobgp lacks them, a custom key sets them. */
	struct profile gobgp;
	ck_assert(profile_builtin("gobgp", &gobgp));
	ck_assert(gobgp.no_ipv6_offset);
	ck_assert(memcmp(&c->neighbors[4].profile, &gobgp, sizeof gobgp) == 0);
	ck_assert(frr.no_ipv6_offset);
	p = &c->neighbors[5].profile;
	ck_assert(!p->no_ipv6_offset);
	ck_assert(p->rewrite_not_equal);
	p = &c->neighbors[6].profile;
	ck_assert(p->no_ipv6_offset);
	ck_assert(!p->no_components && !p->no_actions && !p->no_ipv6);
	loaded_free(&l);

	CHECK_ERRORS(TOP "\"neighbors\": [\n"
		     "  { \"address\": \"10.0.0.2\", \"remote_as\": 1,\n"
		     "    \"profile\": \"iosx\" },\n"
		     "  { \"address\": \"10.0.0.3\", \"remote_as\": 1, \"profile\": {\n"
		     "    \"components\": [\"destinaton\"],\n"
		     "    \"actions\": [\"discard\"],\n"
		     "    \"redirect_to_ip\": \"0x0800\", \"ipv6\": 1, \"colour\": 1,\n"
		     "    \"ipv6_prefix_offset\": \"no\" } },\n"
		     "  { \"address\": \"10.0.0.4\", \"remote_as\": 1, \"profile\": 3 }\n"
		     "]}\n",
		     "FILE: neighbors[0].profile: unknown profile 'iosx' (generic, iosxr, junos, frr, gobgp, exabgp) (line 6)",
		     "FILE: neighbors[1].profile.components[0]: unknown component 'destinaton' (the names of the rule text: destination, destination-port, …) (line 8)",
		     "FILE: neighbors[1].profile.actions[0]: unknown action 'discard' (rate-limit, rate-limit-packets, traffic-action, redirect, redirect-as2, redirect-ipv4, redirect-as4, mark) (line 9)",
		     "FILE: neighbors[1].profile.redirect_to_ip: unknown redirect-to-IP form '0x0800' (nexthop: 0x0800 with the next hop, ietf: 0x010c, any, none) (line 10)",
		     "FILE: neighbors[1].profile.ipv6: must be true or false, not an integer (line 10)",
		     "FILE: neighbors[1].profile.colour: unknown key (line 10)",
		     "FILE: neighbors[1].profile.ipv6_prefix_offset: must be true or false, not a string (line 11)",
		     "FILE: neighbors[2].profile: must be a profile name (generic, iosxr, junos, frr, gobgp, exabgp) or an object, not an integer (line 12)");
}
END_TEST

/* One pass reports everything, in file order. */
START_TEST(every_error_at_once)
{
	CHECK_ERRORS(
		"{\n"
		"  \"router_id\": 1,\n"
		"  \"local_as\": -5,\n"
		"  \"listen\": \"0.0.0.0:99999\",\n"
		"  \"control_socket\": \"\",\n"
		"  \"neighbors\": [\n"
		"    { \"address\": \"10.0.0.2\", \"remote_as\": 65002,\n"
		"      \"port\": 0,\n"
		"      \"local_address\": \"2001:db8::1\",\n"
		"      \"passive\": \"yes\",\n"
		"      \"families\": [\"ipv4-flowspec\", \"l2vpn-evpn\", 7],\n"
		"      \"hold_time\": 2,\n"
		"      \"connect_retry\": 0,\n"
		"      \"md5_password\": \"012345678901234567890123456789012345678901234567890123456789012345678901234567890\",\n"
		"      \"ttl_security\": 1,\n"
		"      \"description\": 5,\n"
		"      \"max_received\": 1.5,\n"
		"      \"max_rules\": -1,\n"
		"      \"graceful_restart\": false,\n"
		"      \"restart_time\": 100 },\n"
		"    { \"address\": \"10.0.0.2\", \"remote_as\": 65003, \"restart_time\": 4096 },\n"
		"    { \"address\": \"0.0.0.0\", \"remote_as\": 65004, \"families\": [] },\n"
		"    \"10.0.0.5\"\n"
		"  ],\n"
		"  \"state_file\": [],\n"
		"  \"never_filter\": [\"10.50.0.1/8\", \"10.50.0.0/16\", \"x\"],\n"
		"  \"policy\": null,\n"
		"  \"collector\": \"udp:2055\",\n"
		"  \"http\": true,\n"
		"  \"user\": \"no-such-user-here\"\n"
		"}\n",
		"FILE: router_id: must be a string, not an integer (line 2)",
		"FILE: local_as: -5 is out of range (1..4294967295) (line 3)",
		"FILE: listen: '0.0.0.0:99999' is not ADDR:PORT, [IPV6]:PORT or ADDR (port 1..65535) (line 4)",
		"FILE: control_socket: must not be empty (line 5)",
		"FILE: neighbors[0].port: 0 is out of range (1..65535) (line 8)",
		"FILE: neighbors[0].local_address: must be of the same family as address (IPv4) (line 9)",
		"FILE: neighbors[0].passive: must be true or false, not a string (line 10)",
		"FILE: neighbors[0].families[1]: unknown family 'l2vpn-evpn' (ipv4-flowspec, ipv6-flowspec, ipv4-unicast, ipv6-unicast) (line 11)",
		"FILE: neighbors[0].families[2]: must be a string, not an integer (line 11)",
		"FILE: neighbors[0].hold_time: 2 is not allowed: 0 or 3..65535 (RFC 4271 §4.2) (line 12)",
		"FILE: neighbors[0].connect_retry: 0 is out of range (1..65535) (line 13)",
		"FILE: neighbors[0].md5_password: is 81 characters long, at most 80 allowed (line 14)",
		"FILE: neighbors[0].ttl_security: must be true or false, not an integer (line 15)",
		"FILE: neighbors[0].description: must be a string, not an integer (line 16)",
		"FILE: neighbors[0].max_received: must be an integer (0..9223372036854775807), not a number with a fraction (line 17)",
		"FILE: neighbors[0].max_rules: -1 is out of range (0..9223372036854775807) (line 18)",
		"FILE: neighbors[0].restart_time: given while graceful_restart is false (line 20)",
		"FILE: neighbors[1].restart_time: 4096 is out of range (1..4095) (line 21)",
		"FILE: neighbors[1].address: 10.0.0.2 is already neighbors[0] (line 21)",
		"FILE: neighbors[2].address: must not be the unspecified address (line 22)",
		"FILE: neighbors[2].families: must name at least one family (line 22)",
		"FILE: neighbors[3]: must be an object, not a string (line 23)",
		"FILE: state_file: must be a string, not an array (line 25)",
		"FILE: never_filter[0]: '10.50.0.1/8' is not a prefix (ADDR/LEN with no bit set past LEN) (line 26)",
		"FILE: never_filter[2]: 'x' is not a prefix (ADDR/LEN with no bit set past LEN) (line 26)",
		"FILE: policy: must be a string, not null (line 27)",
		"FILE: collector: must be an object, not a string (line 28)",
		"FILE: http: must be an object, not a boolean (line 29)",
		"FILE: user: no user 'no-such-user-here' on this system (line 30)");
}
END_TEST

START_TEST(static_rule_errors)
{
	CHECK_ERRORS(
		TOP
		"\"neighbors\": [{ \"address\": \"10.0.0.2\", \"remote_as\": 1 }],\n"
		"\"static_rules\": [\n"
		"  \"flow route { match { destination 10.0.0.1/32; } }\",\n"
		"  \"flow route { match { port =80; } }\",\n"
		"  \"flow route { match { destinaton 10.0.0.1/32; } }\",\n"
		"  \"flow route { match { destination 10.0.0.1/32; } then { discard; } }\",\n"
		"  \"flow route { match { port =81; } } ttl 30\",\n"
		"  { \"rule\": \"flow route { match { port =82; } }\",\n"
		"    \"neighbors\": [\"10.0.0.9\", \"10.0.0.2\", \"10.0.0.2\"] },\n"
		"  { \"neighbors\": [], \"comment\": \"no rule\", \"ttl\": 5 },\n"
		"  42\n"
		"]}\n",
		"FILE: static_rules[2]: col 22: unknown component 'destinaton' (line 8)",
		"FILE: static_rules[3]: same match as static_rules[0] (line 9)",
		"FILE: static_rules[4]: col 36: unexpected text after the rule (line 10)",
		"FILE: static_rules[5].neighbors[0]: 10.0.0.9 is not a configured neighbor (line 12)",
		"FILE: static_rules[5].neighbors[2]: 10.0.0.2 is listed twice (line 12)",
		"FILE: static_rules[6]: missing key 'rule' (line 13)",
		"FILE: static_rules[6].ttl: unknown key (line 13)",
		"FILE: static_rules[7]: must be a rule string or an object, not an integer (line 14)");
}
END_TEST

START_TEST(string_limits)
{
	char sock[200];
	memset(sock, 'a', sizeof sock);
	sock[0] = '/';
	sock[sizeof sock - 1] = '\0';
	char text[512];
	snprintf(text, sizeof text, TOP "\"control_socket\": \"%s\"\n}", sock);
	CHECK_ERRORS(text, "FILE: control_socket: is 199 characters long, at "
			   "most 107 allowed (line 4)");
	char desc[140];
	memset(desc, 'd', sizeof desc);
	desc[sizeof desc - 1] = '\0';
	snprintf(text, sizeof text, TOP "\"neighbors\": [{\"address\": \"10.0.0.2\","
		 "\"remote_as\": 1, \"description\": \"%s\"}]}", desc);
	CHECK_ERRORS(text, "FILE: neighbors[0].description: is 139 characters "
			   "long, at most 127 allowed (line 4)");
	CHECK_ERRORS(TOP "\"state_file\": \"a\\u0000b\"}",
		     "FILE:4:24: \\u0000 is not allowed without JSON_ALLOW_NUL "
		     "near '\"a\\u0000b\"'");
}
END_TEST

/* A line is found through escapes in keys and strings with braces. */
START_TEST(line_lookup_is_robust)
{
	CHECK_ERRORS("{\"router_id\": \"192.0.2.1\", \"local_as\": 1,\n"
		     "\"description\": \"{[\\\"}]\",\n"
		     "\"neighbors\": [\n"
		     "{}, {\"address\": \"10.0.0.1\",\n"
		     "\"remote_as\": 1, \"port\": \"x\"}]}",
		     "FILE: description: unknown key (line 2)",
		     "FILE: neighbors[0]: missing key 'address' (line 4)",
		     "FILE: neighbors[0]: missing key 'remote_as' (line 4)",
		     "FILE: neighbors[1].port: must be an integer (1..65535), not a string (line 5)");
	/* \u-escaped key: still found. */
	CHECK_ERRORS("{\"router_id\": \"192.0.2.1\",\n\"local_as\": 1,\n"
		     "\"\\u0070olicy\": 5}",
		     "FILE: policy: must be a string, not an integer (line 3)");
}
END_TEST

START_TEST(check_main_status)
{
	char path[] = "/tmp/test_config.XXXXXX";
	int fd = mkstemp(path);
	ck_assert_int_ge(fd, 0);
	const char *good = "{\"router_id\": \"192.0.2.1\", \"local_as\": 65000}";
	ck_assert_int_eq(write(fd, good, strlen(good)), (ssize_t)strlen(good));
	close(fd);
	ck_assert_int_eq(config_check_main(path), EXIT_SUCCESS);
	FILE *f = fopen(path, "w");
	fputs("{\"router_id\": \"192.0.2.1\"}", f);
	fclose(f);
	ck_assert_int_eq(config_check_main(path), EXIT_FAILURE);
	unlink(path);
}
END_TEST

START_TEST(processes_parsed)
{
	struct loaded l;
	struct config *cfg = load_ok(
		"{\"router_id\": \"192.0.2.1\", \"local_as\": 65000,\n"
		" \"processes\": [\n"
		"  {\"name\": \"web\", \"run\": [\"/bin/sh\", \"-c\", \"echo\"]},\n"
		"  {\"name\": \"b.2\", \"run\": [\"/bin/true\"], \"respawn\": false}\n"
		"]}", &l);
	ck_assert_uint_eq(cfg->n_processes, 2);
	const struct config_process *p = config_find_process(cfg, "web");
	ck_assert_ptr_eq(p, &cfg->processes[0]);
	ck_assert(p->respawn);
	ck_assert_str_eq(p->argv[0], "/bin/sh");
	ck_assert_str_eq(p->argv[2], "echo");
	ck_assert_ptr_null(p->argv[3]);
	ck_assert(!cfg->processes[1].respawn);
	ck_assert_ptr_null(config_find_process(cfg, "nope"));
	loaded_free(&l);
}
END_TEST

START_TEST(process_errors)
{
	CHECK_ERRORS(
		"{\"router_id\": \"192.0.2.1\", \"local_as\": 65000,\n"
		" \"processes\": [\n"
		"  {\"name\": \"web\", \"run\": [\"/nonexistent/py\"]},\n"
		"  {\"name\": \"web\", \"run\": [\"sh\"], \"respawn\": 1},\n"
		"  {\"name\": \"a b\", \"run\": [], \"rn\": 1},\n"
		"  {\"run\": \"/bin/true\"}, 7\n"
		"]}",
		"FILE: processes[0].run[0]: '/nonexistent/py' is not an executable "
		"file: No such file or directory (line 3)",
		"FILE: processes[1].run[0]: 'sh': give the program's path (it is run "
		"without a shell or a PATH search) (line 4)",
		"FILE: processes[1].respawn: must be true or false, not an integer "
		"(line 4)",
		"FILE: processes[1].name: 'web' is already processes[0] (line 4)",
		"FILE: processes[2].name: 'a b': only letters, digits, '-', '_' and "
		"'.' are allowed (line 5)",
		"FILE: processes[2].run: must be a non-empty array of strings (the "
		"program and its arguments, no shell), not an empty array (line 5)",
		"FILE: processes[2].rn: unknown key (did you mean 'run'?) (line 5)",
		"FILE: processes[3]: missing key 'name' (line 6)",
		"FILE: processes[3].run: must be a non-empty array of strings (the "
		"program and its arguments, no shell), not a string (line 6)",
		"FILE: processes[4]: must be an object, not an integer (line 6)");
}
END_TEST

static Suite *config_suite(void)
{
	Suite *s = suite_create("config");
	TCase *tc = tcase_create("config");
	tcase_add_test(tc, minimal_form_and_defaults);
	tcase_add_test(tc, top_level_defaults);
	tcase_add_test(tc, every_key);
	tcase_add_test(tc, hostport_forms);
	tcase_add_test(tc, example_config_loads);
	tcase_add_test(tc, collector_errors_placed);
	tcase_add_test(tc, syntax_errors_give_line_and_column);
	tcase_add_test(tc, unreadable_file);
	tcase_add_test(tc, missing_and_unknown_keys);
	tcase_add_test(tc, value_errors_give_path_and_line);
	tcase_add_test(tc, every_error_at_once);
	tcase_add_test(tc, static_rule_errors);
	tcase_add_test(tc, string_limits);
	tcase_add_test(tc, line_lookup_is_robust);
	tcase_add_test(tc, check_main_status);
	tcase_add_test(tc, neighbor_profiles);
	tcase_add_test(tc, processes_parsed);
	tcase_add_test(tc, process_errors);
	suite_add_tcase(s, tc);
	return s;
}

int main(void)
{
	SRunner *sr = srunner_create(config_suite());
	srunner_run_all(sr, CK_NORMAL);
	int failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
