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

struct collector_service *collector_service_start(struct event_base *base,
						  const json_t *cfg,
						  int64_t (*wall_ms)(void),
						  char *err, size_t errlen)
{
	struct collector_config cc;
	char why[ERR_LEN] = "";
	if (!collector_config_parse(&cc, cfg, first_error, why)) {
		snprintf(err, errlen, "%s", why);
		collector_config_clear(&cc);
		return NULL;
	}
	if (!cc.has_allow)
		log_msg(LOG_WARN, "collector: no exporters list: export "
			"packets from any address are accepted (a spoofed "
			"export could get any traffic filtered)");
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
