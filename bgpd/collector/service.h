/* The collector in the daemon: the config object parsed, the decoding
 * core and its UDP listeners started on the daemon's loop, `show
 * collector` answered, everything stopped. main.c's only collector
 * calls. */
#ifndef BGPD_COLLECTOR_SERVICE_H
#define BGPD_COLLECTOR_SERVICE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <jansson.h>

#include "bgpd/collector/collector.h"
#include "lib/writer.h"

struct event_base;
struct collector_service;

/* Starts from the config's `collector` object (already checked by the
 * loader); wall_ms gives the flow time base (Unix ms). NULL with a
 * one-line reason in err when a listener cannot be bound. Warns when
 * there is no allow-list. */
struct collector_service *collector_service_start(struct event_base *base,
						  const json_t *cfg,
						  int64_t (*wall_ms)(void),
						  char *err, size_t errlen);
void collector_service_stop(struct collector_service *s);	/* NULL-safe */
/* Reload: the reloaded config's `collector` object cfg (checked by the
 * loader; NULL: none) applied to *sp (NULL: none running). Both there:
 * the listeners and then the core are updated in place
 * (collector_net_update, collector_reconfigure: kept exporters keep
 * their templates). Only cfg: started (*sp set; base and wall_ms as for
 * collector_service_start). Only *sp: stopped (*sp NULL). False with a
 * one-line reason in err when a listener cannot be bound: *sp runs on
 * as it was (out of memory may leave the new listeners with the old
 * rest, err says so). The caller hands a core that started
 * or stopped to its record sink's owner. */
bool collector_service_reload(struct collector_service **sp,
			      struct event_base *base, const json_t *cfg,
			      int64_t (*wall_ms)(void), char *err,
			      size_t errlen);
/* The core, to plug a record sink in (collector_set_sink). */
struct collector *collector_service_core(struct collector_service *s);
/* The ctl_daemon.collector hook: s NULL answers that none is configured. */
bool collector_service_show(const struct collector_service *s, bool json,
			    struct writer *out, char *err, size_t errlen);

#endif
