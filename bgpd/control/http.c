/* The HTTP JSON API server: the "http" config section, TLS and the bearer
 * token, routing, and the handlers, which run every change through
 * ctl_run() (the code path of flowspecctl). See http.h for the API. */
#include "bgpd/control/http.h"

#include <errno.h>
#include <pwd.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <unistd.h>

#include <event2/buffer.h>
#include <event2/bufferevent.h>
#include <event2/bufferevent_ssl.h>
#include <event2/event.h>
#include <event2/http.h>
#include <event2/keyvalq_struct.h>
#include <openssl/crypto.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/ssl.h>
#include <openssl/x509.h>

#include "bgpd/config.h"
#include "bgpd/control/ctl.h"
#include "bgpd/rib/rib.h"
#include "lib/log.h"

#define TOKEN_DIGEST_LEN 32	/* SHA-256 */
#define STATUS_MAX 600		/* counted statuses: 0..599 */
#define WHO_MAX 80
#define RULES_PATH "/api/v1/rules"
#define WITHDRAW_PATH RULES_PATH "/withdraw"
#define JSON_TYPE "application/json"
#define METRICS_TYPE "text/plain; version=0.0.4; charset=utf-8"
#define REALM "Bearer realm=\"flowspecd\""

/* The files of the section, by their key. */
enum http_file { FILE_TOKEN, FILE_CERT, FILE_KEY, FILES_N };
static const char *const file_keys[FILES_N] = { "token_file", "tls_cert",
						 "tls_key" };

/* A file as it was when it was read. A reload reads it again only when
 * its path or its identity (device, inode, size, times) changed, so a
 * root-only file read before the privilege drop need not be readable
 * later unless it is replaced. */
struct file_seen {
	char *path;		/* owned; NULL: not read */
	struct stat st;
};

struct http_server {
	struct evhttp *http;
	struct evhttp_bound_socket *bound;	/* the listener */
	struct addr listen_addr;
	uint16_t listen_port;
	SSL_CTX *tls;		/* NULL: plain HTTP */
	unsigned char token[TOKEN_DIGEST_LEN];
	struct file_seen files[FILES_N];	/* what token and tls came from */
	const struct ctl_daemon *d;
	struct http_hooks hooks;
	uint64_t counts[STATUS_MAX];
};

/* ---- config ------------------------------------------------------------ */

/* Everything the section gives, loaded. */
struct setup {
	struct addr listen_addr;
	uint16_t listen_port;
	unsigned char token[TOKEN_DIGEST_LEN];
	SSL_CTX *tls;
	struct file_seen files[FILES_N];
	bool reread[FILES_N];	/* read now, not taken from running */
	/* A reload: its files that did not change are taken from it, not
	 * read again (NULL: read them all). */
	const struct http_server *running;
	http_config_error_fn report;
	void *ctx;
	/* Only checking (the config loader): a file this process may not
	 * read is skipped, not an error, so a reload after the privilege
	 * drop (main.c) is not refused for a root-only key. */
	bool checking;
	bool ok;
};

__attribute__((format(printf, 3, 4))) static void
bad(struct setup *s, const char *key, const char *fmt, ...)
{
	char msg[512];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof msg, fmt, ap);
	va_end(ap);
	s->report(s->ctx, key, msg);
	s->ok = false;
}

/* A non-empty string value of key, or NULL (reported when present). */
static const char *string_key(struct setup *s, const json_t *section,
			      const char *key)
{
	const json_t *v = json_object_get(section, key);
	if (!v)
		return NULL;
	const char *str = json_string_value(v);
	if (!str || !*str || strlen(str) != json_string_length(v)) {
		bad(s, key, "must be a non-empty string");
		return NULL;
	}
	return str;
}

static bool is_blank(char c)
{
	return c == ' ' || c == '\t' || c == '\r' || c == '\n';
}

static void file_seen_clear(struct file_seen *f)
{
	free(f->path);
	*f = (struct file_seen){ 0 };
}

/* True when the running server read file which from path and it has not
 * changed since (s->files[which] then says so). A file this process may
 * not even look at (a directory it may not search, once root is
 * dropped) counts as unchanged, with a warning. */
static bool unchanged(struct setup *s, enum http_file which, const char *path)
{
	const struct file_seen *was = s->running ? &s->running->files[which]
						 : NULL;
	if (!was || !was->path || strcmp(was->path, path) != 0)
		return false;
	struct stat st;
	if (stat(path, &st) != 0) {
		if (errno != EACCES)
			return false;
		log_msg(LOG_WARN, "http: cannot tell whether %s changed (%s): "
			"the one read before stays in use", path,
			strerror(errno));
		st = was->st;
	}
	if (st.st_dev != was->st.st_dev ||
	    st.st_ino != was->st.st_ino || st.st_size != was->st.st_size ||
	    st.st_mtim.tv_sec != was->st.st_mtim.tv_sec ||
	    st.st_mtim.tv_nsec != was->st.st_mtim.tv_nsec ||
	    st.st_ctim.tv_sec != was->st.st_ctim.tv_sec ||
	    st.st_ctim.tv_nsec != was->st.st_ctim.tv_nsec)
		return false;
	s->files[which].path = strdup(path);
	s->files[which].st = was->st;
	if (!s->files[which].path)
		bad(s, NULL, "out of memory");
	return s->ok;
}

/* " (flowspecd runs as user U: …)" after a refused read once root was
 * dropped, else "". */
static const char *not_root_hint(int err, char *buf, size_t len)
{
	uid_t uid = geteuid();
	if (err != EACCES || uid == 0)
		return "";
	const struct passwd *pw = getpwuid(uid);
	if (pw)
		snprintf(buf, len, " (flowspecd runs as user %s: the file "
			 "must be readable by it)", pw->pw_name);
	else
		snprintf(buf, len, " (flowspecd runs as uid %u: the file must "
			 "be readable by it)", (unsigned)uid);
	return buf;
}

/* The file at path opened for reading and noted in s->files[which], or
 * NULL: reported, or (EACCES while checking) skipped. */
static FILE *open_file(struct setup *s, enum http_file which,
		       const char *path)
{
	const char *key = file_keys[which];
	FILE *f = fopen(path, "rb");
	if (!f) {
		int e = errno;
		char hint[160];
		if (!(e == EACCES && s->checking))
			bad(s, key, "cannot read %s: %s%s", path, strerror(e),
			    not_root_hint(e, hint, sizeof hint));
		return NULL;
	}
	struct file_seen *seen = &s->files[which];
	file_seen_clear(seen);
	s->reread[which] = true;
	if (fstat(fileno(f), &seen->st) != 0 ||
	    !(seen->path = strdup(path))) {
		bad(s, key, "cannot read %s: %s", path, strerror(errno));
		fclose(f);
		return NULL;
	}
	return f;
}

/* Reads the token file into the SHA-256 digest of the token (the running
 * one's when the file is unchanged). */
static void load_token(struct setup *s, const char *path)
{
	if (unchanged(s, FILE_TOKEN, path)) {
		memcpy(s->token, s->running->token, sizeof s->token);
		return;
	}
	FILE *f = open_file(s, FILE_TOKEN, path);
	if (!f)
		return;
	char buf[HTTP_TOKEN_MAX + 1];
	size_t n = fread(buf, 1, sizeof buf, f);
	bool failed = ferror(f);
	fclose(f);
	size_t from = 0;
	while (n && is_blank(buf[n - 1]))
		n--;
	while (from < n && is_blank(buf[from]))
		from++;
	if (failed)
		bad(s, "token_file", "cannot read %s", path);
	else if (n > HTTP_TOKEN_MAX)
		bad(s, "token_file", "%s: the token is longer than %d octets",
		    path, HTTP_TOKEN_MAX);
	else if (from == n)
		bad(s, "token_file", "%s holds no token", path);
	for (size_t i = from; s->ok && i < n; i++)
		if ((unsigned char)buf[i] <= ' ' || buf[i] == 0x7f)
			bad(s, "token_file", "%s: the token contains a blank "
			    "or control character", path);
	if (s->ok && !EVP_Digest(buf + from, n - from, s->token, NULL,
				 EVP_sha256(), NULL))
		bad(s, "token_file", "cannot hash the token");
	OPENSSL_cleanse(buf, sizeof buf);
}

static const char *tls_error(char *buf, size_t len)
{
	unsigned long e = ERR_get_error();
	ERR_clear_error();
	if (!e)
		return "unknown error";
	ERR_error_string_n(e, buf, len);
	return buf;
}

/* True (the errors cleared) when OpenSSL refused a key because it is not
 * the certificate's (OpenSSL 3 checks that when the key is loaded, 1.1
 * only in SSL_CTX_check_private_key). */
static bool key_mismatch(void)
{
	unsigned long e = ERR_peek_error();
	bool mismatch = ERR_GET_LIB(e) == ERR_LIB_X509 &&
			(ERR_GET_REASON(e) == X509_R_KEY_VALUES_MISMATCH ||
			 ERR_GET_REASON(e) == X509_R_KEY_TYPE_MISMATCH);
	if (mismatch)
		ERR_clear_error();
	return mismatch;
}

/* Loads the certificate (chain) and its key into s->tls (the running
 * server's context when neither file changed). */
static void load_tls(struct setup *s, const char *cert, const char *key)
{
	if (s->running && s->running->tls && unchanged(s, FILE_CERT, cert) &&
	    unchanged(s, FILE_KEY, key)) {
		if (SSL_CTX_up_ref(s->running->tls) == 1)
			s->tls = s->running->tls;
		else
			bad(s, NULL, "out of memory");
		return;
	}
	if (!s->ok)
		return;
	FILE *fc = open_file(s, FILE_CERT, cert);
	FILE *fk = open_file(s, FILE_KEY, key);
	bool readable = fc && fk;
	if (fc)
		fclose(fc);
	if (fk)
		fclose(fk);
	if (!readable)
		return;
	char why[256];
	SSL_CTX *ctx = SSL_CTX_new(TLS_server_method());
	if (!ctx) {
		bad(s, NULL, "cannot set up TLS: %s", tls_error(why, sizeof why));
		return;
	}
	SSL_CTX_set_min_proto_version(ctx, TLS1_2_VERSION);
	if (SSL_CTX_use_certificate_chain_file(ctx, cert) != 1)
		bad(s, "tls_cert", "cannot use %s: %s", cert,
		    tls_error(why, sizeof why));
	else if (SSL_CTX_use_PrivateKey_file(ctx, key, SSL_FILETYPE_PEM) != 1 &&
		 !key_mismatch())
		bad(s, "tls_key", "cannot use %s: %s", key,
		    tls_error(why, sizeof why));
	else if (SSL_CTX_check_private_key(ctx) != 1)
		bad(s, "tls_key", "%s does not match the certificate %s", key,
		    cert);
	if (s->ok) {
		s->tls = ctx;
	} else {
		SSL_CTX_free(ctx);
		ERR_clear_error();
	}
}

static void setup_clear(struct setup *s)
{
	SSL_CTX_free(s->tls);
	s->tls = NULL;
	OPENSSL_cleanse(s->token, sizeof s->token);
	for (unsigned i = 0; i < FILES_N; i++)
		file_seen_clear(&s->files[i]);
}

static bool setup_load(struct setup *s, const json_t *section)
{
	static const char *const keys[] = { "listen", "token_file", "tls_cert",
					    "tls_key" };
	s->ok = true;
	const char *key;
	const json_t *v;
	json_object_foreach((json_t *)section, key, v) {
		bool known = false;
		for (size_t i = 0; i < sizeof keys / sizeof keys[0]; i++)
			known |= strcmp(key, keys[i]) == 0;
		if (!known)
			bad(s, key, "unknown key (http has listen, token_file, "
			    "tls_cert, tls_key)");
	}
	const char *listen = string_key(s, section, "listen");
	if (!config_parse_hostport(listen ? listen : HTTP_LISTEN_DEFAULT,
				   HTTP_PORT_DEFAULT, &s->listen_addr,
				   &s->listen_port))
		bad(s, "listen", "'%s' is not ADDR:PORT, [IPV6]:PORT or ADDR",
		    listen ? listen : HTTP_LISTEN_DEFAULT);
	const char *token = string_key(s, section, "token_file");
	if (!token && !json_object_get(section, "token_file"))
		bad(s, NULL, "missing key 'token_file' (the API needs a "
		    "bearer token)");
	const char *cert = string_key(s, section, "tls_cert");
	const char *tkey = string_key(s, section, "tls_key");
	if (!cert != !tkey && !json_object_get(section, cert ? "tls_key"
								: "tls_cert"))
		bad(s, NULL, "missing key '%s' (TLS needs both tls_cert and "
		    "tls_key)", cert ? "tls_key" : "tls_cert");
	if (s->ok)
		load_token(s, token);
	if (s->ok && cert)
		load_tls(s, cert, tkey);
	return s->ok;
}

bool http_config_check(const json_t *section, http_config_error_fn report,
		       void *ctx)
{
	struct setup s = { .report = report, .ctx = ctx, .checking = true };
	bool ok = setup_load(&s, section);
	setup_clear(&s);
	return ok;
}

/* ---- replies ---------------------------------------------------------- */

static void count(struct http_server *s, int status)
{
	if (status >= 0 && status < STATUS_MAX)
		s->counts[status]++;
}

static void send_body(struct http_server *s, struct evhttp_request *req,
		      int status, const char *type, const void *data,
		      size_t len)
{
	struct evbuffer *buf = evbuffer_new();
	if (!buf || evbuffer_add(buf, data, len) < 0) {
		evbuffer_free(buf);
		count(s, 500);
		evhttp_send_error(req, 500, NULL);
		return;
	}
	evhttp_add_header(evhttp_request_get_output_headers(req),
			  "Content-Type", type);
	count(s, status);
	evhttp_send_reply(req, status, NULL, buf);
	evbuffer_free(buf);
}

/* Sends obj (taken) as one line. */
static void send_json(struct http_server *s, struct evhttp_request *req,
		      int status, json_t *obj)
{
	char *text = obj ? json_dumps(obj, JSON_COMPACT) : NULL;
	json_decref(obj);
	if (!text) {
		count(s, 500);
		evhttp_send_error(req, 500, NULL);
		return;
	}
	size_t n = strlen(text);
	text[n] = '\n';
	send_body(s, req, status, JSON_TYPE, text, n + 1);
	free(text);
}

static void send_error(struct http_server *s, struct evhttp_request *req,
		       const struct http_error *e)
{
	json_t *o = json_object();
	json_object_set_new(o, "error", json_string(e->msg));
	json_object_set_new(o, "field", json_string(e->field));
	send_json(s, req, e->status, o);
}

__attribute__((format(printf, 5, 6))) static void
refuse(struct http_server *s, struct evhttp_request *req, int status,
       const char *field, const char *fmt, ...)
{
	struct http_error e = { .status = status };
	snprintf(e.field, sizeof e.field, "%s", field);
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(e.msg, sizeof e.msg, fmt, ap);
	va_end(ap);
	send_error(s, req, &e);
}

static void send_empty(struct http_server *s, struct evhttp_request *req,
		       int status)
{
	count(s, status);
	evhttp_send_reply(req, status, NULL, NULL);
}

/* ---- requests ------------------------------------------------------- */

/* "http 192.0.2.1:40000", for the audit log and the logs. */
static void who_of(struct evhttp_request *req, char *buf, size_t len)
{
	char *host = NULL;
	ev_uint16_t port = 0;
	struct evhttp_connection *c = evhttp_request_get_connection(req);
	if (c)
		evhttp_connection_get_peer(c, &host, &port);
	if (!host)
		snprintf(buf, len, "http unknown");
	else if (strchr(host, ':'))
		snprintf(buf, len, "http [%s]:%u", host, (unsigned)port);
	else
		snprintf(buf, len, "http %s:%u", host, (unsigned)port);
}

/* True when the request has our token; otherwise sends 401. */
static bool authorized(struct http_server *s, struct evhttp_request *req,
		       const char *who)
{
	struct evkeyvalq *in = evhttp_request_get_input_headers(req);
	struct evkeyvalq *out = evhttp_request_get_output_headers(req);
	const char *h = evhttp_find_header(in, "Authorization");
	const char *why = NULL, *challenge = REALM;
	if (!h) {
		why = "missing: send \"Authorization: Bearer TOKEN\"";
	} else if (strncasecmp(h, "Bearer ", 7) != 0) {
		why = "expected \"Bearer TOKEN\"";
		challenge = REALM ", error=\"invalid_request\"";
	} else {
		const char *t = h + 7;
		while (*t == ' ')
			t++;
		size_t n = strlen(t);
		while (n && t[n - 1] == ' ')
			n--;
		unsigned char md[TOKEN_DIGEST_LEN];
		if (!EVP_Digest(t, n, md, NULL, EVP_sha256(), NULL) ||
		    CRYPTO_memcmp(md, s->token, sizeof md) != 0) {
			why = "wrong token";
			challenge = REALM ", error=\"invalid_token\"";
		}
	}
	if (!why)
		return true;
	log_peer(LOG_WARN, who, "refused: Authorization %s", why);
	evhttp_add_header(out, "WWW-Authenticate", challenge);
	refuse(s, req, 401, "Authorization", "%s", why);
	return false;
}

/* The request body as a string view (NUL-free not guaranteed). */
static const char *body_of(struct evhttp_request *req, size_t *len)
{
	struct evbuffer *in = evhttp_request_get_input_buffer(req);
	*len = evbuffer_get_length(in);
	return *len ? (const char *)evbuffer_pullup(in, -1) : "";
}

/* ---- rules ---------------------------------------------------------- */

/* A rule as the API shows it: the `show flow --json` object and "expires". */
static json_t *rule_json(const struct http_server *s, const struct rib_entry *e)
{
	json_t *o = ctl_rule_json(s->d, e);
	json_t *expires = json_null();
	if (e->expires_ms && s->hooks.wall_ms) {
		int64_t left = e->expires_ms - s->d->now_ms();
		int64_t at = s->hooks.wall_ms() + (left > 0 ? left : 0);
		expires = json_integer((at + 999) / 1000);
	}
	json_object_set_new(o, "expires", expires);
	return o;
}

static void get_rules(struct http_server *s, struct evhttp_request *req)
{
	json_t *arr = json_array();
	for (const struct rib_entry *e = rib_next(s->d->rib, NULL); e;
	     e = rib_next(s->d->rib, e))
		json_array_append_new(arr, rule_json(s, e));
	json_t *o = json_object();
	json_object_set_new(o, "rules", arr);
	send_json(s, req, 200, o);
}

/* Every target of cmd is a configured neighbor (else a 400 naming it). */
static bool check_targets(struct http_server *s, const struct ctl_cmd *cmd,
			  struct http_error *err)
{
	const struct ctl_daemon *d = s->d;
	for (unsigned i = 0; i < cmd->ntargets; i++) {
		bool found = false;
		size_t n = d->peer_count(d->ctx);
		for (size_t p = 0; p < n && !found; p++) {
			struct ctl_peer_view v;
			found = d->peer_get(d->ctx, p, &v) &&
				addr_equal(&v.peer->cfg->address,
					&cmd->targets[i]);
		}
		if (!found) {
			char a[ADDR_STRLEN];
			*err = (struct http_error){ .status = 400 };
			snprintf(err->field, sizeof err->field,
				 "neighbors[%u]", i);
			snprintf(err->msg, sizeof err->msg, "%s is not a "
				 "configured neighbor",
				 addr_format(&cmd->targets[i], a));
			return false;
		}
	}
	return true;
}

/* The reply body without its final newline, as a JSON string. */
static json_t *message(const struct writer *body)
{
	size_t n = body->len;
	while (n && body->data[n - 1] == '\n')
		n--;
	return json_stringn((const char *)body->data, n);
}

/* Runs cmd (announce or withdraw) through the control code and answers. */
static void run_change(struct http_server *s, struct evhttp_request *req,
		       const struct ctl_cmd *cmd, const char *who,
		       bool by_id)
{
	struct writer body = writer_init(0);
	char err[512];
	bool ok = ctl_run(s->d, cmd, who, &body, err, sizeof err);
	if (!ok) {
		bool missing = strstr(err, "no rule with this match") != NULL;
		bool oom = strstr(err, "out of memory") != NULL;
		refuse(s, req, oom ? 500 : missing ? 404 : 409,
		       cmd->ntargets && !missing ? "neighbors" : "rule", "%s",
		       err);
	} else if (cmd->verb == CTL_WITHDRAW && by_id) {
		send_empty(s, req, 204);
	} else if (cmd->verb == CTL_WITHDRAW) {
		json_t *o = json_object();
		json_object_set_new(o, "result", json_string("withdrawn"));
		json_object_set_new(o, "message", message(&body));
		send_json(s, req, 200, o);
	} else {
		const struct fs_rule *r = &cmd->rule;
		const struct rib_entry *e = rib_find(s->d->rib, r->afi,
						     r->match.data,
						     r->match.len);
		/* The body starts with the rib's result: "added id 7: …". */
		size_t w = 0;
		while (w < body.len && w < 15 && body.data[w] != ' ')
			w++;
		bool added = w == 5 && memcmp(body.data, "added", 5) == 0;
		json_t *o = e ? rule_json(s, e) : json_object();
		json_object_set_new(o, "result",
				    json_stringn((const char *)body.data, w));
		json_object_set_new(o, "message", message(&body));
		send_json(s, req, added ? 201 : 200, o);
	}
	writer_free(&body);
}

static void change_rule(struct http_server *s, struct evhttp_request *req,
			bool announce, const char *who)
{
	size_t len;
	const char *data = body_of(req, &len);
	struct ctl_cmd cmd;
	struct http_error err;
	if (!http_parse_rule_request(data, len, announce, &cmd, &err) ||
	    !check_targets(s, &cmd, &err)) {
		send_error(s, req, &err);
		ctl_cmd_clear(&cmd);
		return;
	}
	run_change(s, req, &cmd, who, false);
	ctl_cmd_clear(&cmd);
}

/* The entry whose id is the decimal text id, or NULL (400/404 sent). */
static const struct rib_entry *entry_by_id(struct http_server *s,
					   struct evhttp_request *req,
					   const char *id)
{
	unsigned long long v = 0;
	size_t n = strlen(id);
	bool ok = n > 0 && n <= 19;
	for (size_t i = 0; ok && i < n; i++) {
		ok = id[i] >= '0' && id[i] <= '9';
		v = v * 10 + (unsigned long long)(id[i] - '0');
	}
	if (!ok) {
		refuse(s, req, 400, "id", "'%.40s' is not a rule id (a "
		       "decimal number)", id);
		return NULL;
	}
	for (const struct rib_entry *e = rib_next(s->d->rib, NULL); e;
	     e = rib_next(s->d->rib, e))
		if (e->id == v)
			return e;
	refuse(s, req, 404, "id", "no rule with id %llu", v);
	return NULL;
}

static void delete_rule_id(struct http_server *s, struct evhttp_request *req,
			   const char *id, const char *who)
{
	const struct rib_entry *e = entry_by_id(s, req, id);
	if (!e)
		return;
	struct ctl_cmd cmd = { .verb = CTL_WITHDRAW };
	if (!fs_rule_copy(&cmd.rule, &e->rule)) {
		refuse(s, req, 500, "id", "out of memory");
		return;
	}
	run_change(s, req, &cmd, who, true);
	ctl_cmd_clear(&cmd);
}

/* ---- the rest ----------------------------------------------------------- */

static void get_neighbors(struct http_server *s, struct evhttp_request *req,
			  const char *who)
{
	struct ctl_cmd cmd = { .verb = CTL_SHOW_NEIGHBOR, .json = true };
	struct writer body = writer_init(0);
	char err[512];
	if (ctl_run(s->d, &cmd, who, &body, err, sizeof err))
		send_body(s, req, 200, JSON_TYPE, body.data, body.len);
	else
		refuse(s, req, 500, "body", "%s", err);
	writer_free(&body);
}

static void get_mitigations(struct http_server *s, struct evhttp_request *req)
{
	json_t *arr = s->hooks.mitigations ? s->hooks.mitigations(s->hooks.ctx)
					   : NULL;
	json_t *o = json_object();
	json_object_set_new(o, "mitigations", arr ? arr : json_array());
	send_json(s, req, 200, o);
}

static void get_metrics(struct http_server *s, struct evhttp_request *req)
{
	struct writer out = writer_init(0);
	http_metrics(&out, s->d, s, &s->hooks);
	if (out.err)
		refuse(s, req, 500, "body", "out of memory");
	else
		send_body(s, req, 200, METRICS_TYPE, out.data, out.len);
	writer_free(&out);
}

static const char *method_name(enum evhttp_cmd_type m)
{
	switch (m) {
	case EVHTTP_REQ_GET: return "GET";
	case EVHTTP_REQ_POST: return "POST";
	case EVHTTP_REQ_DELETE: return "DELETE";
	case EVHTTP_REQ_PUT: return "PUT";
	case EVHTTP_REQ_PATCH: return "PATCH";
	case EVHTTP_REQ_HEAD: return "HEAD";
	case EVHTTP_REQ_OPTIONS: return "OPTIONS";
	default: return "other";
	}
}

/* 405 with the methods allowed ("GET, POST") and where to go instead. */
static void not_allowed(struct http_server *s, struct evhttp_request *req,
			const char *allow, const char *hint)
{
	evhttp_add_header(evhttp_request_get_output_headers(req), "Allow",
			  allow);
	refuse(s, req, 405, "method", "%s is not allowed here (%s%s%s)",
	       method_name(evhttp_request_get_command(req)), allow,
	       hint ? "; " : "", hint ? hint : "");
}

static void handle(struct evhttp_request *req, void *arg)
{
	struct http_server *s = arg;
	char who[WHO_MAX];
	who_of(req, who, sizeof who);
	enum evhttp_cmd_type m = evhttp_request_get_command(req);
	const struct evhttp_uri *uri = evhttp_request_get_evhttp_uri(req);
	const char *path = uri ? evhttp_uri_get_path(uri) : NULL;
	log_msg(LOG_DEBUG, "%s: %s %s", who, method_name(m),
		path ? path : "?");
	if (!authorized(s, req, who))
		return;
	if (!path) {
		refuse(s, req, 400, "path", "no path in the request");
		return;
	}
	bool get = m == EVHTTP_REQ_GET;
	if (strcmp(path, RULES_PATH) == 0) {
		if (get)
			get_rules(s, req);
		else if (m == EVHTTP_REQ_POST)
			change_rule(s, req, true, who);
		else
			not_allowed(s, req, "GET, POST", "withdraw with DELETE "
				    RULES_PATH "/ID or POST " WITHDRAW_PATH);
	} else if (strcmp(path, WITHDRAW_PATH) == 0) {
		if (m == EVHTTP_REQ_POST)
			change_rule(s, req, false, who);
		else
			not_allowed(s, req, "POST", NULL);
	} else if (strncmp(path, RULES_PATH "/", sizeof RULES_PATH) == 0) {
		const char *id = path + sizeof RULES_PATH;
		const struct rib_entry *e;
		if (m == EVHTTP_REQ_DELETE)
			delete_rule_id(s, req, id, who);
		else if (!get)
			not_allowed(s, req, "GET, DELETE", NULL);
		else if ((e = entry_by_id(s, req, id)) != NULL)
			send_json(s, req, 200, rule_json(s, e));
	} else if (strcmp(path, "/api/v1/neighbors") == 0) {
		if (get)
			get_neighbors(s, req, who);
		else
			not_allowed(s, req, "GET", NULL);
	} else if (strcmp(path, "/api/v1/mitigations") == 0) {
		if (get)
			get_mitigations(s, req);
		else
			not_allowed(s, req, "GET", NULL);
	} else if (strcmp(path, "/metrics") == 0) {
		if (get)
			get_metrics(s, req);
		else
			not_allowed(s, req, "GET", NULL);
	} else {
		refuse(s, req, 404, "path", "no such endpoint: %.100s", path);
	}
}

/* ---- the server --------------------------------------------------------- */

/* Each connection of an HTTPS server: a TLS bufferevent. (On failure
 * libevent falls back to a plain one, which cannot read a TLS hello and
 * only answers 400.) */
static struct bufferevent *tls_bev(struct event_base *base, void *arg)
{
	struct http_server *s = arg;
	SSL *ssl = SSL_new(s->tls);
	if (!ssl)
		return NULL;
	struct bufferevent *bev = bufferevent_openssl_socket_new(
		base, -1, ssl, BUFFEREVENT_SSL_ACCEPTING, BEV_OPT_CLOSE_ON_FREE);
	if (!bev) {
		SSL_free(ssl);
		return NULL;
	}
	/* Clients that close without close_notify are not an error. */
	bufferevent_openssl_set_allow_dirty_shutdown(bev, 1);
	return bev;
}

struct first_error {
	char *buf;
	size_t len;
	bool set;
};

static void keep_first(void *ctx, const char *key, const char *msg)
{
	struct first_error *f = ctx;
	if (f->set)
		return;
	f->set = true;
	snprintf(f->buf, f->len, "http%s%s: %s", key ? "." : "",
		 key ? key : "", msg);
}

static bool is_loopback(const struct addr *a)
{
	static const uint8_t v6_loop[16] = { [15] = 1 };
	return a->family == ADDR_V4 ? a->bytes[0] == 127
				    : memcmp(a->bytes, v6_loop, 16) == 0;
}

/* A listener on st's address, or NULL with the reason in err. */
static struct evhttp_bound_socket *listen_on(struct http_server *s,
					     const struct setup *st,
					     char *err, size_t errlen)
{
	char a[ADDR_STRLEN];
	addr_format(&st->listen_addr, a);
	unsigned port = st->listen_port;
	struct evhttp_bound_socket *b =
		evhttp_bind_socket_with_handle(s->http, a, st->listen_port);
	if (b)
		return b;
	int e = errno;
	const char *hint = "";
	if (e == EACCES && port < 1024 && geteuid() != 0)
		hint = " (a port below 1024 needs root, which flowspecd has "
		       "dropped: it takes a restart)";
	else if (e == EADDRINUSE && s->bound && port == s->listen_port)
		hint = " (the running listener holds this port: moving to an "
		       "address that overlaps it takes a restart)";
	snprintf(err, errlen, "http.listen: cannot listen on %s port %u: "
		 "%s%s", a, port, strerror(e), hint);
	return NULL;
}

/* Logs the certificate that new connections get, with its SHA-256
 * fingerprint (as `openssl x509 -fingerprint -sha256` shows it). */
static void log_certificate(SSL_CTX *tls, const char *path)
{
	X509 *x = SSL_CTX_get0_certificate(tls);
	unsigned char md[EVP_MAX_MD_SIZE];
	unsigned n = 0;
	char hex[3 * EVP_MAX_MD_SIZE + 1] = "?";
	if (x && X509_digest(x, EVP_sha256(), md, &n))
		for (unsigned i = 0; i < n; i++)
			snprintf(hex + 3 * i, 4, "%02X%s", md[i],
				 i + 1 < n ? ":" : "");
	log_msg(LOG_INFO, "http: certificate %s for new connections, SHA-256 "
		"fingerprint %s", path, hex);
}

/* Loads section (s's files that did not change are kept, not read
 * again) and binds its address when s does not listen there yet; only
 * then puts it all in place: the token for the requests that follow, the
 * TLS context for the connections that follow, the new listener instead
 * of the old one (the connections it accepted stay). All or nothing:
 * false with err and s as it was. */
static bool server_apply(struct http_server *s, const json_t *section,
			 char *err, size_t errlen)
{
	struct first_error fe = { .buf = err, .len = errlen };
	struct setup st = { .report = keep_first, .ctx = &fe, .running = s };
	if (!setup_load(&st, section)) {
		setup_clear(&st);
		return false;
	}
	bool starting = !s->bound;
	bool move = starting || st.listen_port != s->listen_port ||
		    !addr_equal(&st.listen_addr, &s->listen_addr);
	struct evhttp_bound_socket *b = NULL;
	if (move && !(b = listen_on(s, &st, err, errlen))) {
		setup_clear(&st);
		return false;
	}
	char a[ADDR_STRLEN];
	if (move && s->bound) {
		evhttp_del_accept_socket(s->http, s->bound);
		log_msg(LOG_INFO, "http: no longer listening on %s port %u",
			addr_format(&s->listen_addr, a),
			(unsigned)s->listen_port);
	}
	if (move) {
		s->bound = b;
		s->listen_addr = st.listen_addr;
		s->listen_port = st.listen_port;
	}
	if (!starting && CRYPTO_memcmp(s->token, st.token, sizeof s->token))
		log_msg(LOG_INFO, "http: token changed (%s)",
			st.files[FILE_TOKEN].path);
	memcpy(s->token, st.token, sizeof s->token);
	bool scheme = starting || !s->tls != !st.tls;
	if (st.tls && st.reread[FILE_CERT])
		log_certificate(st.tls, st.files[FILE_CERT].path);
	SSL_CTX *old = s->tls;
	s->tls = st.tls;
	st.tls = old;		/* freed below */
	evhttp_set_bevcb(s->http, s->tls ? tls_bev : NULL, s);
	for (unsigned i = 0; i < FILES_N; i++) {
		struct file_seen f = s->files[i];
		s->files[i] = st.files[i];
		st.files[i] = f;
	}
	setup_clear(&st);
	if (!move && !scheme)
		return true;
	addr_format(&s->listen_addr, a);
	if (!s->tls && !is_loopback(&s->listen_addr))
		log_msg(LOG_WARN, "http: listening on %s without TLS: the "
			"token crosses the network in clear text", a);
	log_msg(LOG_INFO, "http: API on %s://%s%s%s:%u/api/v1/",
		s->tls ? "https" : "http", strchr(a, ':') ? "[" : "", a,
		strchr(a, ':') ? "]" : "", (unsigned)s->listen_port);
	return true;
}

struct http_server *http_server_new(struct event_base *base,
				    const json_t *section,
				    const struct ctl_daemon *d,
				    const struct http_hooks *hooks,
				    char *err, size_t errlen)
{
	struct http_server *s = calloc(1, sizeof *s);
	if (!s || !(s->http = evhttp_new(base))) {
		snprintf(err, errlen, "out of memory");
		http_server_free(s);
		return NULL;
	}
	s->d = d;
	if (hooks)
		s->hooks = *hooks;
	evhttp_set_max_body_size(s->http, HTTP_BODY_MAX);
	evhttp_set_max_headers_size(s->http, HTTP_HEADERS_MAX);
	evhttp_set_timeout(s->http, HTTP_TIMEOUT_S);
	/* A client whose body is too big gets its 413 before the close. */
	evhttp_set_flags(s->http, EVHTTP_SERVER_LINGERING_CLOSE);
	/* These reach handle(), which answers 405 (JSON, Allow) for the
	 * ones a path does not take; libevent answers others with 501. */
	evhttp_set_allowed_methods(s->http, EVHTTP_REQ_GET | EVHTTP_REQ_POST |
				   EVHTTP_REQ_DELETE | EVHTTP_REQ_PUT |
				   EVHTTP_REQ_PATCH | EVHTTP_REQ_HEAD |
				   EVHTTP_REQ_OPTIONS);
	evhttp_set_gencb(s->http, handle, s);
	if (!server_apply(s, section, err, errlen)) {
		http_server_free(s);
		return NULL;
	}
	return s;
}

bool http_server_reload(struct http_server **sp, struct event_base *base,
			const json_t *section, const struct ctl_daemon *d,
			const struct http_hooks *hooks, char *err,
			size_t errlen)
{
	if (!section) {
		if (*sp)
			log_msg(LOG_INFO, "http: no http section any more: "
				"the API stops");
		http_server_free(*sp);
		*sp = NULL;
		return true;
	}
	if (*sp)
		return server_apply(*sp, section, err, errlen);
	*sp = http_server_new(base, section, d, hooks, err, errlen);
	return *sp != NULL;
}

void http_server_free(struct http_server *s)
{
	if (!s)
		return;
	if (s->http)
		evhttp_free(s->http);
	SSL_CTX_free(s->tls);
	OPENSSL_cleanse(s->token, sizeof s->token);
	for (unsigned i = 0; i < FILES_N; i++)
		file_seen_clear(&s->files[i]);
	free(s);
}

uint64_t http_server_count(const struct http_server *s, int status)
{
	return s && status >= 0 && status < STATUS_MAX ? s->counts[status] : 0;
}
