/* Captures into the collector, for `flowspecd replay` (bgpd/replay.c):
 * every UDP datagram of a pcap/pcapng capture, whatever its port, through
 * the live decoders on capture time; and the --flows line of a record. */
#ifndef BGPD_COLLECTOR_REPLAY_H
#define BGPD_COLLECTOR_REPLAY_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "bgpd/collector/collector.h"

struct replay_stats {
	uint64_t frames;
	uint64_t datagrams;		/* UDP datagrams fed to the collector */
	uint64_t skipped;		/* not UDP over IP, or IP fragments */
};

/* One run over captures. */
struct replay {
	struct collector *col;		/* gets every datagram */
	/* Called before each datagram goes to col with its capture time
	 * (Unix ms); NULL: not called. */
	void (*before)(void *arg, int64_t time_ms);
	void *arg;
	struct replay_stats stats;	/* summed over the captures */
};

/* Feeds every UDP datagram of the capture at path to r->col, with its
 * capture time as arrival time. False with a one-line reason in err
 * (which names the file) when the file cannot be read. */
bool replay_capture(struct replay *r, const char *path, char *err,
		    size_t errlen);

/* Writes r as the --flows JSON line (DESIGN.md) to f. */
void replay_print_flow(FILE *f, const struct flow_record *r);

#endif
