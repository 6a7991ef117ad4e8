/* The HTTP API: the "http" config section (errors with their JSON path
 * and line, through the config loader), the rule object (the same rule as
 * the text syntax, errors naming the field), the request bodies, /metrics
 * text, and a server on loopback driven by libevent's HTTP client
 * (token, audit with the client's address, statuses; reload). */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>

#include <event2/buffer.h>
#include <event2/event.h>
#include <event2/http.h>
#include <jansson.h>

#include "bgpd/config.h"
#include "bgpd/control/ctl.h"
#include "bgpd/control/http.h"
#include "bgpd/rib/rib.h"
#include "nlri/text.h"

#define N(a) (sizeof(a) / sizeof((a)[0]))
#define TOKEN_FILE "test_http.token"
#define TOKEN "s3cret-t0ken"
/* The unit test's own loopback address and port (tests/interop use
 * 127.0.0.130-138, 26300-26398). */
#define TEST_ADDR "127.0.0.139"
#define TEST_PORT 26399

static void write_file(const char *path, const char *text)
{
	FILE *f = fopen(path, "w");
	ck_assert_ptr_nonnull(f);
	fputs(text, f);
	fclose(f);
}

/* ---- config ----------------------------------------------------------- */

/* Loads a config whose http section is http_json; returns the error lines
 * joined with '\n' (FILE for the name), "" when it loaded. */
static char *load_http(const char *http_json)
{
	char text[1024];
	snprintf(text, sizeof text,
		 "{\n\"router_id\": \"192.0.2.1\",\n\"local_as\": 65000,\n"
		 "\"http\": %s\n}\n", http_json);
	struct config_errors errs;
	config_errors_init(&errs);
	struct config *c = config_parse(text, strlen(text), "FILE", &errs);
	char *out = calloc(1, 4096);
	for (size_t i = 0; i < errs.n; i++) {
		strncat(out, errs.lines[i], 4000 - strlen(out));
		if (i + 1 < errs.n)
			strcat(out, "\n");
	}
	ck_assert_msg((c != NULL) == (errs.n == 0), "loaded with errors");
	config_free(c);
	config_errors_clear(&errs);
	return out;
}

static void config_is(const char *http_json, const char *want)
{
	char *got = load_http(http_json);
	ck_assert_msg(strcmp(got, want) == 0, "http %s:\n got: %s\nwant: %s",
		      http_json, got, want);
	free(got);
}

START_TEST(config_section)
{
	write_file(TOKEN_FILE, "  " TOKEN "\n");
	write_file("test_http.empty", " \n");
	config_is("{ \"token_file\": \"" TOKEN_FILE "\" }", "");
	config_is("{ \"listen\": \"[::1]:8443\", \"token_file\": \"" TOKEN_FILE
		  "\" }", "");
	config_is("{}", "FILE: http: missing key 'token_file' (the API needs "
		  "a bearer token) (line 4)");
	config_is("{ \"token_file\": \"" TOKEN_FILE "\",\n"
		  "  \"listen\": \"127.0.0.1:0\", \"tls\": true,\n"
		  "  \"tls_cert\": \"x.pem\" }",
		  "FILE: http: missing key 'tls_key' (TLS needs both tls_cert "
		  "and tls_key) (line 4)\n"
		  "FILE: http.tls: unknown key (http has listen, token_file, "
		  "tls_cert, tls_key) (line 5)\n"
		  "FILE: http.listen: '127.0.0.1:0' is not ADDR:PORT, "
		  "[IPV6]:PORT or ADDR (line 5)");
	config_is("{ \"token_file\": \"test_http.none\" }",
		  "FILE: http.token_file: cannot read test_http.none: No such "
		  "file or directory (line 4)");
	config_is("{ \"token_file\": \"test_http.empty\" }",
		  "FILE: http.token_file: test_http.empty holds no token "
		  "(line 4)");
	config_is("{ \"token_file\": 7 }", "FILE: http.token_file: must be a "
		  "non-empty string (line 4)");
	char *got = load_http("{ \"token_file\": \"" TOKEN_FILE "\", "
			      "\"tls_cert\": \"test_http.empty\", "
			      "\"tls_key\": \"test_http.empty\" }");
	ck_assert_msg(strncmp(got, "FILE: http.tls_cert: cannot use "
			      "test_http.empty: ", 49) == 0, "%s", got);
	free(got);
	unlink("test_http.empty");
	unlink(TOKEN_FILE);
}
END_TEST

/* ---- the rule object -------------------------------------------------- */

static char *object_text(const char *json, struct http_error *err)
{
	json_error_t jerr;
	json_t *v = json_loads(json, 0, &jerr);
	ck_assert_msg(v != NULL, "bad test JSON %s: %s", json, jerr.text);
	struct fs_rule rule;
	bool ok = http_parse_rule(v, "rule", &rule, err);
	json_decref(v);
	if (!ok)
		return NULL;
	char *text = fs_text_string(&rule);
	fs_rule_clear(&rule);
	return text;
}

START_TEST(rule_object_forms)
{
	/* Each object and the canonical text of the rule it stands for
	 * (the text syntax of DESIGN.md, canonical as fs_text_format). */
	static const struct {
		const char *json, *text;
	} cases[] = {
		{ "{\"match\": {\"destination\": \"10.0.0.0/24\"}}",
		  "flow route { match { destination 10.0.0.0/24; } then { "
		  "accept; } }" },
		{ "{\"match\": {\"destination\": \"10.50.100.100/32\", "
		  "\"protocol\": [\"tcp\", \"udp\"], \"destination_port\": "
		  "\"=80\"}, \"then\": {\"discard\": true}}",
		  "flow route { match { destination 10.50.100.100/32; protocol "
		  "[ =tcp =udp ]; destination-port =80; } then { discard; } }" },
		{ "{\"match\": {\"source\": \"192.0.2.0/24\", \"packet-length\": "
		  "\">=1000&<=1500\", \"tcp-flags\": [\"syn&!ack\"], "
		  "\"icmp-type\": 8}, \"then\": {\"rate-limit\": 1000000, "
		  "\"community\": [\"65000:666\"]}}",
		  NULL },
		{ "{\"family\": \"ipv6\", \"match\": {\"destination-port\": 53},"
		  " \"then\": {\"redirect\": \"65000:100\"}}",
		  NULL },
	};
	/* The same rules in the text syntax, for the two cases left NULL. */
	static const char *const same_as[] = {
		NULL, NULL,
		"flow route { match { source 192.0.2.0/24; packet-length "
		">=1000&<=1500; tcp-flags [ syn&!ack ]; icmp-type 8; } then { "
		"rate-limit 1000000; community [ 65000:666 ]; } }",
		"flow route ipv6 { match { destination-port 53; } then { "
		"redirect 65000:100; } }",
	};
	for (size_t i = 0; i < N(cases); i++) {
		struct http_error err = { 0 };
		char *got = object_text(cases[i].json, &err);
		ck_assert_msg(got != NULL, "%s: %s: %s", cases[i].json,
			      err.field, err.msg);
		if (cases[i].text) {
			ck_assert_str_eq(got, cases[i].text);
		} else {
			struct fs_rule r;
			struct fs_text_error terr;
			ck_assert(fs_text_parse(&r, same_as[i], NULL, &terr));
			char *want = fs_text_string(&r);
			ck_assert_str_eq(got, want);
			free(want);
			fs_rule_clear(&r);
		}
		free(got);
	}
}
END_TEST

START_TEST(rule_object_errors)
{
	static const struct {
		const char *json, *field, *msg;
	} cases[] = {
		{ "{\"match\": {\"destinaton\": \"10.0.0.1/32\"}}",
		  "rule.match.destinaton", "unknown component 'destinaton'" },
		{ "{\"match\": {\"destination\": \"10.0.0.1/32\", "
		  "\"destination-port\": \"=99999\"}}",
		  "rule.match.destination-port", "too large" },
		{ "{\"match\": {\"protocol\": [\"tcp\", 3.5]}}",
		  "rule.match.protocol[1]", "must be a string or an integer" },
		{ "{\"match\": {\"destination\": \"10.0.0.1/32; source 1.2.3.4/32\"}}",
		  "rule.match.destination", "';' is not allowed" },
		{ "{\"match\": {\"destination\": \"10.0.0.1/32\"}, \"then\": "
		  "{\"discard\": false}}", "rule.then.discard", "must be" },
		{ "{\"match\": {\"destination\": \"10.0.0.1/32\"}, \"then\": "
		  "{\"rate-limit\": \"fast\"}}", "rule.then.rate-limit", "" },
		{ "{\"match\": {\"Destination\": \"10.0.0.1/32\"}}",
		  "rule.match.Destination", "not a component name" },
		{ "{\"match\": {}}", "rule", "at least one" },
		{ "{\"then\": {\"discard\": true}}", "rule.match", "missing" },
		{ "{\"match\": [\"destination 10.0.0.1/32\"]}", "rule.match",
		  "must be an object" },
		{ "{\"match\": {\"destination\": \"10.0.0.1/32\"}, \"family\": "
		  "\"ipv5\"}", "rule.family", "\"ipv4\" or \"ipv6\"" },
		{ "{\"match\": {\"destination\": \"10.0.0.1/32\"}, \"than\": {}}",
		  "rule.than", "unknown key" },
		{ "{\"family\": \"ipv4\", \"match\": {\"destination\": "
		  "\"2001:db8::/32\"}}", "rule.match.destination", "" },
		{ "[1]", "rule", "must be a rule in the text syntax" },
	};
	for (size_t i = 0; i < N(cases); i++) {
		struct http_error err = { 0 };
		char *got = object_text(cases[i].json, &err);
		ck_assert_msg(got == NULL, "%s accepted: %s", cases[i].json, got);
		ck_assert_int_eq(err.status, 400);
		ck_assert_msg(strcmp(err.field, cases[i].field) == 0,
			      "%s: field %s, want %s (%s)", cases[i].json,
			      err.field, cases[i].field, err.msg);
		ck_assert_msg(err.msg[0] && strstr(err.msg, cases[i].msg),
			      "%s: message '%s' lacks '%s'", cases[i].json,
			      err.msg, cases[i].msg);
	}
}
END_TEST

/* ---- request bodies ---------------------------------------------------- */

START_TEST(request_bodies)
{
	const char *ok = "{\"rule\": \"flow route { match { destination "
			 "10.0.0.1/32; } then { discard; } }\", \"ttl\": 300, "
			 "\"comment\": \"ticket 42\", \"neighbors\": "
			 "[\"10.255.255.1\", \"2001:db8::1\"]}";
	struct ctl_cmd cmd;
	struct http_error err = { 0 };
	ck_assert_msg(http_parse_rule_request(ok, strlen(ok), true, &cmd, &err),
		      "%s: %s", err.field, err.msg);
	ck_assert_int_eq(cmd.verb, CTL_ANNOUNCE);
	ck_assert_uint_eq(cmd.ttl_s, 300);
	ck_assert(cmd.has_comment);
	ck_assert_str_eq(cmd.comment, "ticket 42");
	ck_assert_uint_eq(cmd.ntargets, 2);
	ck_assert_int_eq(cmd.targets[1].family, ADDR_V6);
	/* The same command flowspecctl would send. */
	struct writer w = writer_init(0);
	ctl_cmd_format(&w, &cmd);
	put_u8(&w, 0);
	ck_assert_str_eq((char *)w.data, "neighbor 10.255.255.1, 2001:db8::1 "
			 "announce flow route { match { destination "
			 "10.0.0.1/32; } then { discard; } } ttl 300 comment "
			 "\"ticket 42\"");
	writer_free(&w);
	ctl_cmd_clear(&cmd);

	static const struct {
		const char *body;
		bool announce;
		const char *field, *msg;
	} bad[] = {
		{ "", true, "body", "empty" },
		{ "{\"rule\": ", true, "body", "invalid JSON: line 1" },
		{ "[]", true, "body", "must be a JSON object" },
		{ "{\"rule\": \"x\", \"rule\": \"y\"}", true, "body",
		  "duplicate" },
		{ "{\"ttl\": 5}", true, "rule", "missing" },
		{ "{\"rule\": \"flow route { match { destination 10.0.0.1/32; "
		  "} }\", \"tll\": 5}", true, "tll", "unknown key" },
		{ "{\"rule\": \"flow route { match { destination 10.0.0.1/32; "
		  "} }\", \"ttl\": 0}", true, "ttl", "1..4294967295" },
		{ "{\"rule\": \"flow route { match { destination 10.0.0.1/32; "
		  "} }\", \"ttl\": \"5\"}", true, "ttl", "integer" },
		{ "{\"rule\": \"flow route { match { destination 10.0.0.1/32; "
		  "} }\", \"ttl\": 5}", false, "ttl", "a withdraw takes no ttl" },
		{ "{\"rule\": \"flow route { match { destination 10.0.0.1/32; "
		  "} }\", \"comment\": \"a\\nb\"}", true, "comment",
		  "control character" },
		{ "{\"rule\": \"flow route { match { destination 10.0.0.1/32; "
		  "} }\", \"neighbors\": [\"10.0.0.1\", \"router\"]}", true,
		  "neighbors[1]", "not an IPv4 or IPv6 address" },
		{ "{\"rule\": \"flow route { match { destination 10.0.0.1/32; "
		  "} }\", \"neighbors\": [\"::1\", \"10.0.0.1\", "
		  "\"0::1\"]}", false, "neighbors[2]", "'0::1' is listed twice" },
		{ "{\"rule\": \"flow route { match { destination 10.0.0.1/32; "
		  "} } x\"}", true, "rule", "col 51: unexpected text" },
		{ "{\"rule\": \"flow route { match { destinaton 10.0.0.1/32; "
		  "} }\"}", true, "rule", "col 22: unknown component" },
	};
	for (size_t i = 0; i < N(bad); i++) {
		struct http_error e = { 0 };
		bool accepted = http_parse_rule_request(bad[i].body,
							strlen(bad[i].body),
							bad[i].announce, &cmd,
							&e);
		ck_assert_msg(!accepted, "accepted: %s", bad[i].body);
		ck_assert_int_eq(e.status, 400);
		ck_assert_msg(strcmp(e.field, bad[i].field) == 0 &&
			      strstr(e.msg, bad[i].msg),
			      "%s: got %s: %s; want %s: …%s…", bad[i].body,
			      e.field, e.msg, bad[i].field, bad[i].msg);
	}
}
END_TEST

/* ---- a daemon with one peer ------------------------------------------ */

static int64_t now_ms(void)
{
	return 5000000;
}

static int64_t wall_ms(void)
{
	return 1700000000000;
}

static struct bgp_local local = { .local_as = 65000 };
static struct bgp_peer_config peer_cfg;
static struct bgp_peer peer;

static size_t peer_count(void *ctx)
{
	(void)ctx;
	return 1;
}

static bool peer_get(void *ctx, size_t i, struct ctl_peer_view *out)
{
	(void)ctx;
	if (i)
		return false;
	*out = (struct ctl_peer_view){ .peer = &peer, .rules_sent = 3,
				       .rules_received = 1 };
	return true;
}

static bool peer_clear(void *ctx, const struct bgp_peer *p, bool soft,
		       char *err, size_t errlen)
{
	(void)ctx, (void)p, (void)soft;
	snprintf(err, errlen, "not here");
	return false;
}

struct audit_log {
	size_t n;
	char client[64], command[512], result[512];
	bool ok;
};

static void audit(void *ctx, const struct ctl_audit *a)
{
	struct audit_log *l = ctx;
	l->n++;
	snprintf(l->client, sizeof l->client, "%s", a->client);
	snprintf(l->command, sizeof l->command, "%s", a->command);
	snprintf(l->result, sizeof l->result, "%s", a->result);
	l->ok = a->ok;
}

START_TEST(metrics_text)
{
	addr_parse(&peer_cfg.address, "10.0.0.1", 8);
	peer = (struct bgp_peer){ .cfg = &peer_cfg, .local = &local,
				  .state = BGP_ESTABLISHED, .msgs_in = 7,
				  .msgs_out = 9, .established_count = 2 };
	struct rib *rib = rib_new(now_ms);
	struct ctl_daemon d = { .rib = rib, .now_ms = now_ms,
				.peer_count = peer_count, .peer_get = peer_get,
				.peer_clear = peer_clear };
	struct fs_rule r;
	struct fs_text_error terr;
	ck_assert(fs_text_parse(&r, "flow route { match { destination "
				"10.0.0.1/32; } }", NULL, &terr));
	struct rib_opts o = { .origin = RIB_ORIGIN_API };
	ck_assert_int_eq(rib_announce(rib, &r, &o, NULL), RIB_ADDED);
	fs_rule_clear(&r);
	struct writer w = writer_init(0);
	http_metrics(&w, &d, NULL, NULL);
	put_u8(&w, 0);
	const char *t = (const char *)w.data;
	static const char *const lines[] = {
		("# TYPE flowspecd_bgp_session_up gauge\n"
		 "flowspecd_bgp_session_up{neighbor=\"10.0.0.1\"} 1\n"),
		"flowspecd_bgp_messages_received_total{neighbor=\"10.0.0.1\"} 7\n",
		"flowspecd_bgp_messages_sent_total{neighbor=\"10.0.0.1\"} 9\n",
		"flowspecd_bgp_established_total{neighbor=\"10.0.0.1\"} 2\n",
		"flowspecd_bgp_rules_sent{neighbor=\"10.0.0.1\"} 3\n",
		"flowspecd_bgp_session_state{neighbor=\"10.0.0.1\",state=\"Idle\"} 0\n",
		"flowspecd_bgp_session_state{neighbor=\"10.0.0.1\",state=\"Established\"} 1\n",
		"flowspecd_rules{origin=\"static\"} 0\n",
		"flowspecd_rules{origin=\"api\"} 1\n",
		"# TYPE flowspecd_http_requests_total counter\n",
	};
	for (size_t i = 0; i < N(lines); i++)
		ck_assert_msg(strstr(t, lines[i]), "no '%s' in:\n%s", lines[i], t);
	writer_free(&w);
	rib_free(rib);
}
END_TEST

/* ---- the server, driven by libevent's client --------------------------- */

struct reply {
	struct event_base *base;
	int status;
	char body[4096];
	char auth[128];		/* WWW-Authenticate */
};

static void on_reply(struct evhttp_request *req, void *arg)
{
	struct reply *r = arg;
	if (req) {
		r->status = evhttp_request_get_response_code(req);
		struct evbuffer *b = evhttp_request_get_input_buffer(req);
		size_t n = evbuffer_get_length(b);
		if (n >= sizeof r->body)
			n = sizeof r->body - 1;
		evbuffer_remove(b, r->body, n);
		r->body[n] = 0;
		const char *h = evhttp_find_header(
			evhttp_request_get_input_headers(req),
			"WWW-Authenticate");
		snprintf(r->auth, sizeof r->auth, "%s", h ? h : "");
	}
	event_base_loopexit(r->base, NULL);
}

static void give_up(evutil_socket_t fd, short what, void *base)
{
	(void)fd, (void)what;
	event_base_loopbreak(base);
}

/* One request to TEST_ADDR port; status -1 or 0 when no answer came. */
static struct reply request_to(struct event_base *base, uint16_t port,
			       enum evhttp_cmd_type method, const char *path,
			       const char *token, const char *body)
{
	struct reply r = { .base = base, .status = -1 };
	struct evhttp_connection *c =
		evhttp_connection_base_new(base, NULL, TEST_ADDR, port);
	ck_assert_ptr_nonnull(c);
	struct evhttp_request *req = evhttp_request_new(on_reply, &r);
	struct evkeyvalq *h = evhttp_request_get_output_headers(req);
	evhttp_add_header(h, "Host", TEST_ADDR);
	if (token) {
		char auth[128];
		snprintf(auth, sizeof auth, "Bearer %s", token);
		evhttp_add_header(h, "Authorization", auth);
	}
	if (body)
		evbuffer_add(evhttp_request_get_output_buffer(req), body,
			     strlen(body));
	ck_assert_int_eq(evhttp_make_request(c, req, method, path), 0);
	struct timeval limit = { 10, 0 };
	struct event *guard = evtimer_new(base, give_up, base);
	evtimer_add(guard, &limit);
	event_base_dispatch(base);
	event_free(guard);
	evhttp_connection_free(c);
	return r;
}

static struct reply request(struct event_base *base,
			    enum evhttp_cmd_type method, const char *path,
			    const char *token, const char *body)
{
	return request_to(base, TEST_PORT, method, path, token, body);
}

START_TEST(server_round_trip)
{
	write_file(TOKEN_FILE, TOKEN "\n");
	addr_parse(&peer_cfg.address, "10.0.0.1", 8);
	peer = (struct bgp_peer){ .cfg = &peer_cfg, .local = &local };
	struct event_base *base = event_base_new();
	struct rib *rib = rib_new(now_ms);
	struct audit_log log = { 0 };
	struct ctl_daemon d = { .rib = rib, .ctx = &log, .now_ms = now_ms,
				.peer_count = peer_count, .peer_get = peer_get,
				.peer_clear = peer_clear, .audit = audit };
	struct http_hooks hooks = { .wall_ms = wall_ms };
	json_t *section = json_pack("{s:s, s:s}", "listen",
				    TEST_ADDR ":26399", "token_file",
				    TOKEN_FILE);
	char err[256];
	struct http_server *s = http_server_new(base, section, &d, &hooks, err,
						sizeof err);
	ck_assert_msg(s != NULL, "%s", err);

	struct reply r = request(base, EVHTTP_REQ_GET, "/api/v1/rules", NULL,
				 NULL);
	ck_assert_int_eq(r.status, 401);
	ck_assert_str_eq(r.auth, "Bearer realm=\"flowspecd\"");
	r = request(base, EVHTTP_REQ_GET, "/api/v1/rules", "wrong", NULL);
	ck_assert_int_eq(r.status, 401);
	ck_assert(strstr(r.auth, "invalid_token"));
	ck_assert(strstr(r.body, "\"field\":\"Authorization\""));

	r = request(base, EVHTTP_REQ_POST, "/api/v1/rules", TOKEN,
		    "{\"rule\": {\"match\": {\"destination\": \"10.9.0.0/16\"}, "
		    "\"then\": {\"discard\": true}}, \"ttl\": 60}");
	ck_assert_msg(r.status == 201, "%d %s", r.status, r.body);
	ck_assert(strstr(r.body, "\"result\":\"added\""));
	/* wall 1700000000 s + 60 s left. */
	ck_assert_msg(strstr(r.body, "\"expires\":1700000060"), "%s", r.body);
	ck_assert_uint_eq(log.n, 1);
	ck_assert_msg(strncmp(log.client, "http 127.0.0.", 13) == 0, "%s",
		      log.client);
	ck_assert_str_eq(log.command, "announce flow route { match { "
			 "destination 10.9.0.0/16; } then { discard; } } "
			 "ttl 60");
	ck_assert(log.ok);

	r = request(base, EVHTTP_REQ_POST, "/api/v1/rules", TOKEN,
		    "{\"rule\": \"flow route { match { destination "
		    "10.9.0.0/16; } }\", \"neighbors\": [\"10.0.0.2\"]}");
	ck_assert_int_eq(r.status, 400);
	ck_assert(strstr(r.body, "\"field\":\"neighbors[0]\""));
	ck_assert_uint_eq(log.n, 1);	/* refused before the control code */
	ck_assert_uint_eq(rib_count(rib), 1);

	r = request(base, EVHTTP_REQ_DELETE, "/api/v1/rules/1", TOKEN, NULL);
	ck_assert_int_eq(r.status, 204);
	ck_assert_uint_eq(rib_count(rib), 0);
	ck_assert_uint_eq(log.n, 2);
	ck_assert(strncmp(log.command, "withdraw flow route", 19) == 0);
	r = request(base, EVHTTP_REQ_DELETE, "/api/v1/rules/1", TOKEN, NULL);
	ck_assert_int_eq(r.status, 404);
	r = request(base, EVHTTP_REQ_DELETE, "/api/v1/rules/x1", TOKEN, NULL);
	ck_assert_int_eq(r.status, 400);
	r = request(base, EVHTTP_REQ_POST, "/api/v1/rules/withdraw", TOKEN,
		    "{\"rule\": \"flow route { match { destination "
		    "10.9.0.0/16; } }\"}");
	ck_assert_msg(r.status == 404, "%d %s", r.status, r.body);
	ck_assert(strstr(r.body, "no rule with this match"));
	ck_assert_uint_eq(log.n, 3);
	ck_assert(!log.ok);

	r = request(base, EVHTTP_REQ_POST, "/api/v1/neighbors", TOKEN, "{}");
	ck_assert_int_eq(r.status, 405);
	r = request(base, EVHTTP_REQ_GET, "/api/v2/rules", TOKEN, NULL);
	ck_assert_int_eq(r.status, 404);
	r = request(base, EVHTTP_REQ_GET, "/api/v1/mitigations", TOKEN, NULL);
	ck_assert_str_eq(r.body, "{\"mitigations\":[]}\n");
	r = request(base, EVHTTP_REQ_GET, "/api/v1/neighbors", TOKEN, NULL);
	ck_assert_int_eq(r.status, 200);
	ck_assert(strncmp(r.body, "{\"neighbors\":[{\"address\":\"10.0.0.1\"",
			  35) == 0);
	ck_assert_uint_eq(http_server_count(s, 401), 2);
	ck_assert_uint_eq(http_server_count(s, 204), 1);
	ck_assert_uint_eq(http_server_count(s, 404), 3);
	r = request(base, EVHTTP_REQ_GET, "/metrics", TOKEN, NULL);
	ck_assert_int_eq(r.status, 200);
	ck_assert(strstr(r.body, "flowspecd_http_requests_total{code=\"401\"} 2\n"));

	http_server_free(s);
	json_decref(section);
	rib_free(rib);
	event_base_free(base);
	unlink(TOKEN_FILE);
}
END_TEST

/* A listening socket on TEST_ADDR and a port the kernel picks (outside
 * every test's range); *port gets it. */
static int listener(uint16_t *port)
{
	struct sockaddr_in sa = { .sin_family = AF_INET };
	socklen_t len = sizeof sa;
	inet_pton(AF_INET, TEST_ADDR, &sa.sin_addr);
	int fd = socket(AF_INET, SOCK_STREAM, 0);
	ck_assert_int_ge(fd, 0);
	ck_assert_int_eq(bind(fd, (struct sockaddr *)&sa, sizeof sa), 0);
	ck_assert_int_eq(listen(fd, 1), 0);
	ck_assert_int_eq(getsockname(fd, (struct sockaddr *)&sa, &len), 0);
	*port = ntohs(sa.sin_port);
	return fd;
}

static json_t *section_at(uint16_t port, const char *token_file)
{
	char listen[32];
	snprintf(listen, sizeof listen, TEST_ADDR ":%u", (unsigned)port);
	return json_pack("{s:s, s:s}", "listen", listen, "token_file",
			 token_file);
}

/* http_server_reload: start, a rewritten token file, a listen port in use
 * (refused, nothing changes), a free one (the API moves), a token file
 * that cannot be read (refused, nothing changes), stop and start again. */
START_TEST(server_reload)
{
	write_file(TOKEN_FILE, "old-token\n");
	struct event_base *base = event_base_new();
	struct rib *rib = rib_new(now_ms);
	struct ctl_daemon d = { .rib = rib, .now_ms = now_ms,
				.peer_count = peer_count, .peer_get = peer_get,
				.peer_clear = peer_clear };
	struct http_hooks hooks = { .wall_ms = wall_ms };
	const char *rules = "/api/v1/rules";
	json_t *home = section_at(TEST_PORT, TOKEN_FILE);
	char err[256] = "";
	struct http_server *s = NULL;
	ck_assert_msg(http_server_reload(&s, base, home, &d, &hooks, err,
					 sizeof err), "%s", err);
	ck_assert_ptr_nonnull(s);
	const struct http_server *first = s;
	ck_assert_int_eq(request(base, EVHTTP_REQ_GET, rules, "old-token",
				 NULL).status, 200);

	write_file(TOKEN_FILE, "new-token\n");
	ck_assert_msg(http_server_reload(&s, base, home, &d, &hooks, err,
					 sizeof err), "%s", err);
	ck_assert_ptr_eq(s, first);
	ck_assert_int_eq(request(base, EVHTTP_REQ_GET, rules, "old-token",
				 NULL).status, 401);
	ck_assert_int_eq(request(base, EVHTTP_REQ_GET, rules, "new-token",
				 NULL).status, 200);

	uint16_t port;
	int busy = listener(&port);
	json_t *moved = section_at(port, TOKEN_FILE);
	ck_assert(!http_server_reload(&s, base, moved, &d, &hooks, err,
				      sizeof err));
	char want[128];
	snprintf(want, sizeof want, "http.listen: cannot listen on " TEST_ADDR
		 " port %u: Address already in use", (unsigned)port);
	ck_assert_str_eq(err, want);
	ck_assert_ptr_eq(s, first);
	ck_assert_int_eq(request(base, EVHTTP_REQ_GET, rules, "new-token",
				 NULL).status, 200);

	close(busy);
	ck_assert_msg(http_server_reload(&s, base, moved, &d, &hooks, err,
					 sizeof err), "%s", err);
	ck_assert_int_eq(request_to(base, port, EVHTTP_REQ_GET, rules,
				    "new-token", NULL).status, 200);
	ck_assert_int_le(request(base, EVHTTP_REQ_GET, rules, "new-token",
				 NULL).status, 0);

	json_t *unreadable = section_at(TEST_PORT, "no-such-token");
	ck_assert(!http_server_reload(&s, base, unreadable, &d, &hooks, err,
				      sizeof err));
	ck_assert_str_eq(err, "http.token_file: cannot read no-such-token: "
			 "No such file or directory");
	ck_assert_int_eq(request_to(base, port, EVHTTP_REQ_GET, rules,
				    "new-token", NULL).status, 200);
	ck_assert_int_le(request(base, EVHTTP_REQ_GET, rules, "new-token",
				 NULL).status, 0);

	ck_assert(http_server_reload(&s, base, NULL, &d, &hooks, err,
				     sizeof err));
	ck_assert_ptr_null(s);
	ck_assert_int_le(request_to(base, port, EVHTTP_REQ_GET, rules,
				    "new-token", NULL).status, 0);
	ck_assert_msg(http_server_reload(&s, base, home, &d, &hooks, err,
					 sizeof err), "%s", err);
	ck_assert_int_eq(request(base, EVHTTP_REQ_GET, rules, "new-token",
				 NULL).status, 200);

	http_server_free(s);
	json_decref(home);
	json_decref(moved);
	json_decref(unreadable);
	rib_free(rib);
	event_base_free(base);
	unlink(TOKEN_FILE);
}
END_TEST

static Suite *http_suite(void)
{
	Suite *s = suite_create("http");
	TCase *tc = tcase_create("parse");
	tcase_add_test(tc, config_section);
	tcase_add_test(tc, rule_object_forms);
	tcase_add_test(tc, rule_object_errors);
	tcase_add_test(tc, request_bodies);
	tcase_add_test(tc, metrics_text);
	suite_add_tcase(s, tc);
	tc = tcase_create("server");
	tcase_set_timeout(tc, 60);
	tcase_add_test(tc, server_round_trip);
	tcase_add_test(tc, server_reload);
	suite_add_tcase(s, tc);
	return s;
}

int main(void)
{
	SRunner *sr = srunner_create(http_suite());
	srunner_run_all(sr, CK_NORMAL);
	int failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
