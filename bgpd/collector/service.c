/* The collector in the daemon: see service.h. */
#include "bgpd/collector/service.h"

#include <stdio.h>
#include <stdlib.h>

#include "bgpd/collector/listen.h"
#include "bgpd/collector/show.h"
#include "lib/log.h"

struct collector_service {
	struct collector *core;
	struct collector_net *net;
};

#define ERR_LEN 256

static void first_error(void *arg, const char *key, size_t index,
			const char *msg)
{
	char *err = arg;
	if (err[0])
		return;
	if (index != SIZE_MAX)
		snprintf(err, ERR_LEN, "%s[%zu]: %s", key ? key : "", index, msg);
	else
		snprintf(err, ERR_LEN, "%s%s%s", key ? key : "", key ? ": " : "",
			 msg);
}

/* cfg parsed into cc (free it with collector_config_clear either way);
 * false with the first error in err. Warns when there is no allow-list. */
static bool parse(struct collector_config *cc, const json_t *cfg, char *err,
		  size_t errlen)
{
	char why[ERR_LEN] = "";
	if (!collector_config_parse(cc, cfg, first_error, why)) {
		snprintf(err, errlen, "%s", why);
		return false;
	}
	if (!cc->has_allow)
		log_msg(LOG_WARN, "collector: no exporters list: export "
			"packets from any address are accepted (a spoofed "
			"export could get any traffic filtered)");
	return true;
}

struct collector_service *collector_service_start(struct event_base *base,
						  const json_t *cfg,
						  int64_t (*wall_ms)(void),
						  char *err, size_t errlen)
{
	struct collector_config cc;
	if (!parse(&cc, cfg, err, errlen)) {
		collector_config_clear(&cc);
		return NULL;
	}
	struct collector_service *s = calloc(1, sizeof *s);
	if (!s || !(s->core = collector_new(&cc))) {
		snprintf(err, errlen, "out of memory");
		collector_config_clear(&cc);
		free(s);
		return NULL;
	}
	s->net = collector_net_new(base, s->core, wall_ms, err, errlen);
	if (!s->net) {
		collector_service_stop(s);
		return NULL;
	}
	return s;
}

/* The running service s takes cfg: listeners first (the step that can
 * fail), then the core. */
static bool reconfigure(struct collector_service *s, const json_t *cfg,
			char *err, size_t errlen)
{
	struct collector_config cc;
	bool ok = parse(&cc, cfg, err, errlen) &&
		  collector_net_update(s->net, &cc, err, errlen);
	struct collector_reconfigured r = { 0 };
	if (ok && !collector_reconfigure(s->core, &cc, &r)) {
		snprintf(err, errlen, "out of memory: the listeners changed, "
			 "the exporters list and limits did not");
		ok = false;
	}
	collector_config_clear(&cc);
	if (ok)
		log_msg(LOG_INFO, "reload: collector: %zu listeners; "
			"exporters: %zu kept, %zu dropped",
			collector_net_count(s->net), r.kept, r.dropped);
	return ok;
}

bool collector_service_reload(struct collector_service **sp,
			      struct event_base *base, const json_t *cfg,
			      int64_t (*wall_ms)(void), char *err,
			      size_t errlen)
{
	if (*sp && cfg)
		return reconfigure(*sp, cfg, err, errlen);
	if (*sp) {
		log_msg(LOG_INFO, "reload: no collector any more: its "
			"listeners close, its state is dropped");
		collector_service_stop(*sp);
		*sp = NULL;
	} else if (cfg) {
		*sp = collector_service_start(base, cfg, wall_ms, err, errlen);
		if (!*sp)
			return false;
		log_msg(LOG_INFO, "reload: collector started");
	}
	return true;
}

void collector_service_stop(struct collector_service *s)
{
	if (!s)
		return;
	collector_net_free(s->net);
	collector_free(s->core);
	free(s);
}

struct collector *collector_service_core(struct collector_service *s)
{
	return s->core;
}

bool collector_service_show(const struct collector_service *s, bool json,
			    struct writer *out, char *err, size_t errlen)
{
	if (!s) {
		snprintf(err, errlen, "no collector is configured");
		return false;
	}
	if (!collector_show(s->core, s->net, json, out)) {
		snprintf(err, errlen, "out of memory");
		return false;
	}
	return true;
}
