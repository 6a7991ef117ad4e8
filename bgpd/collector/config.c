/* The collector's config object: see config.h. */
#include "bgpd/collector/config.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bgpd/loader.h"

#define TEMPLATE_TIMEOUT_MAX 86400
#define EXPORTERS_LIMIT 65536
#define TEMPLATES_LIMIT 65536

struct ctx {
	struct collector_config *cc;
	collector_config_error_fn fn;
	void *arg;
	bool bad;
};

__attribute__((format(printf, 4, 5))) static void
fail(struct ctx *x, const char *key, size_t index, const char *fmt, ...)
{
	char msg[256];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof msg, fmt, ap);
	va_end(ap);
	x->bad = true;
	if (x->fn)
		x->fn(x->arg, key, index, msg);
}

static void one_listen(struct ctx *x, const char *key, size_t index,
		       const json_t *v, enum collector_proto proto,
		       uint16_t port)
{
	struct collector_config *cc = x->cc;
	const char *s = json_string_value(v);
	if (!s) {
		fail(x, key, index, "must be \"ADDR:PORT\", not %s",
		     ld_type_name(v));
		return;
	}
	struct collector_listen l = { .proto = proto };
	if (!addr_port_parse(s, port, &l.addr, &l.port)) {
		fail(x, key, index, "'%s' is not ADDR:PORT, [ADDR6]:PORT or "
		     "ADDR", s);
		return;
	}
	for (size_t i = 0; i < cc->n_listen; i++)
		if (cc->listen[i].port == l.port &&
		    !memcmp(&cc->listen[i].addr, &l.addr, sizeof l.addr)) {
			fail(x, key, index, "'%s' is already a listener", s);
			return;
		}
	if (cc->n_listen == COLLECTOR_LISTEN_MAX) {
		fail(x, key, index, "more than %d listeners",
		     COLLECTOR_LISTEN_MAX);
		return;
	}
	cc->listen[cc->n_listen++] = l;
}

static void listeners(struct ctx *x, const char *key, const json_t *v,
		      enum collector_proto proto, uint16_t port)
{
	if (!json_is_array(v)) {
		one_listen(x, key, SIZE_MAX, v, proto, port);
		return;
	}
	size_t i;
	const json_t *e;
	json_array_foreach(v, i, e)
		one_listen(x, key, i, e, proto, port);
}

static bool want_prefix(struct ctx *x, size_t index, const json_t *v,
			struct prefix *p)
{
	const char *s = json_string_value(v);
	if (!s) {
		fail(x, "exporters", index, "prefix must be a string, not %s",
		     ld_type_name(v));
		return false;
	}
	if (!prefix_parse(p, s, strlen(s))) {
		fail(x, "exporters", index, "'%s' is not an address or a "
		     "prefix (ADDR/LEN with no bit set past LEN)", s);
		return false;
	}
	return true;
}

static void one_exporter(struct ctx *x, size_t i, const json_t *v,
			 struct collector_allow *out)
{
	if (json_is_string(v)) {
		want_prefix(x, i, v, &out->prefix);
		return;
	}
	if (!json_is_object(v)) {
		fail(x, "exporters", i, "must be a prefix or an object, not %s",
		     ld_type_name(v));
		return;
	}
	const char *k;
	const json_t *e;
	bool has_prefix = false;
	json_object_foreach((json_t *)v, k, e) {
		if (!strcmp(k, "prefix")) {
			has_prefix = want_prefix(x, i, e, &out->prefix);
		} else if (!strcmp(k, "sampling")) {
			json_int_t n = json_integer_value(e);
			if (!json_is_integer(e) || n < 1 || n > UINT32_MAX)
				fail(x, "exporters", i, "sampling must be an "
				     "integer 1..4294967295");
			else
				out->sampling = (uint32_t)n;
		} else {
			fail(x, "exporters", i, "unknown key '%s' (known: "
			     "prefix, sampling)", k);
		}
	}
	if (!has_prefix && !json_object_get(v, "prefix"))
		fail(x, "exporters", i, "prefix is required");
}

static void exporters(struct ctx *x, const json_t *v)
{
	struct collector_config *cc = x->cc;
	if (!json_is_array(v)) {
		fail(x, "exporters", SIZE_MAX, "must be an array, not %s",
		     ld_type_name(v));
		return;
	}
	if (json_array_size(v) > COLLECTOR_ALLOW_MAX) {
		fail(x, "exporters", SIZE_MAX, "more than %d entries",
		     COLLECTOR_ALLOW_MAX);
		return;
	}
	cc->has_allow = true;
	cc->allow = calloc(json_array_size(v) + 1, sizeof *cc->allow);
	if (!cc->allow) {
		fail(x, "exporters", SIZE_MAX, "out of memory");
		return;
	}
	size_t i;
	const json_t *e;
	json_array_foreach(v, i, e)
		one_exporter(x, i, e, &cc->allow[cc->n_allow++]);
}

static void number(struct ctx *x, const char *key, const json_t *v,
		   uint64_t min, uint64_t max, uint32_t *out)
{
	json_int_t n = json_integer_value(v);
	if (!json_is_integer(v) || n < 0 || (uint64_t)n < min ||
	    (uint64_t)n > max) {
		fail(x, key, SIZE_MAX, "must be an integer %llu..%llu",
		     (unsigned long long)min, (unsigned long long)max);
		return;
	}
	*out = (uint32_t)n;
}

void collector_config_init(struct collector_config *cc)
{
	*cc = (struct collector_config){
		.socket_buffer = COLLECTOR_SOCKET_BUFFER_DEFAULT,
		.max_exporters = COLLECTOR_MAX_EXPORTERS_DEFAULT,
		.max_templates = COLLECTOR_MAX_TEMPLATES_DEFAULT,
		.template_timeout_s = COLLECTOR_TEMPLATE_TIMEOUT_DEFAULT,
		.hold_octets = COLLECTOR_HOLD_OCTETS_DEFAULT,
		.hold_total_octets = COLLECTOR_HOLD_TOTAL_DEFAULT,
	};
}

bool collector_config_parse(struct collector_config *cc, const json_t *obj,
			    collector_config_error_fn fn, void *arg)
{
	collector_config_init(cc);
	struct ctx x = { cc, fn, arg, false };
	if (!json_is_object(obj)) {
		fail(&x, NULL, SIZE_MAX, "must be an object, not %s",
		     ld_type_name(obj));
		return false;
	}
	const char *k;
	const json_t *v;
	json_object_foreach((json_t *)obj, k, v) {
		if (!strcmp(k, "netflow"))
			listeners(&x, k, v, COLLECTOR_NETFLOW,
				  COLLECTOR_PORT_NETFLOW);
		else if (!strcmp(k, "ipfix"))
			listeners(&x, k, v, COLLECTOR_IPFIX,
				  COLLECTOR_PORT_IPFIX);
		else if (!strcmp(k, "sflow"))
			listeners(&x, k, v, COLLECTOR_SFLOW,
				  COLLECTOR_PORT_SFLOW);
		else if (!strcmp(k, "exporters"))
			exporters(&x, v);
		else if (!strcmp(k, "socket_buffer"))
			number(&x, k, v, 0, 1u << 30, &cc->socket_buffer);
		else if (!strcmp(k, "max_exporters"))
			number(&x, k, v, 1, EXPORTERS_LIMIT, &cc->max_exporters);
		else if (!strcmp(k, "max_templates"))
			number(&x, k, v, 1, TEMPLATES_LIMIT, &cc->max_templates);
		else if (!strcmp(k, "template_timeout"))
			number(&x, k, v, 1, TEMPLATE_TIMEOUT_MAX,
			       &cc->template_timeout_s);
		else
			fail(&x, k, SIZE_MAX, "unknown key (known: netflow, "
			     "ipfix, sflow, exporters, socket_buffer, "
			     "max_exporters, max_templates, template_timeout)");
	}
	return !x.bad;
}

void collector_config_clear(struct collector_config *cc)
{
	if (!cc)
		return;
	free(cc->allow);
	collector_config_init(cc);
}

const struct collector_allow *
collector_config_allowed(const struct collector_config *cc,
			 const struct addr *a)
{
	static const struct collector_allow all;
	if (!cc->has_allow)
		return &all;
	struct prefix host = { *a, (uint8_t)addr_bits(a->family) };
	const struct collector_allow *best = NULL;
	for (size_t i = 0; i < cc->n_allow; i++)
		if (prefix_covers(&cc->allow[i].prefix, &host) &&
		    (!best || cc->allow[i].prefix.len > best->prefix.len))
			best = &cc->allow[i];
	return best;
}

const char *collector_proto_name(enum collector_proto p)
{
	switch (p) {
	case COLLECTOR_NETFLOW: return "netflow";
	case COLLECTOR_IPFIX: return "ipfix";
	case COLLECTOR_SFLOW: return "sflow";
	}
	return "?";
}
