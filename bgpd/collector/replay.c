/* Captured export datagrams into the collector: see replay.h. */
#include "bgpd/collector/replay.h"

#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include "lib/capture.h"
#include "lib/packet.h"

#define IP_PROTO_UDP 17
#define UDP_PAYLOAD_MAX 65535

bool replay_capture(struct replay *r, const char *path, char *err,
		    size_t errlen)
{
	struct replay_stats *st = &r->stats;
	struct capture *cap = capture_open(path, err, errlen);
	if (!cap)
		return false;
	static uint8_t datagram[UDP_PAYLOAD_MAX];
	struct capture_frame f;
	int rc;
	while ((rc = capture_next(cap, &f, err, errlen)) == 1) {
		st->frames++;
		struct packet p;
		if (!packet_parse(f.data, f.link, &p) ||
		    p.proto != IP_PROTO_UDP || !p.has_l4 ||
		    (p.frag & PACKET_FRAG_IS) ||
		    remaining(&p.payload) > sizeof datagram) {
			st->skipped++;
			continue;
		}
		st->datagrams++;
		size_t len = remaining(&p.payload);	/* <= the buffer */
		get_bytes(&p.payload, datagram, len);
		int64_t ms = f.time_us / 1000;
		if (r->before)
			r->before(r->arg, ms);
		collector_input(r->col, &p.src, datagram, len, ms);
	}
	capture_close(cap);
	return rc == 0;
}

/* Unix seconds from ms, with the fraction only as long as it needs. */
static void put_time(FILE *f, int64_t ms)
{
	const char *sign = ms < 0 ? "-" : "";
	uint64_t a = ms < 0 ? (uint64_t)-ms : (uint64_t)ms;
	uint64_t frac = a % 1000;
	fprintf(f, "%s%" PRIu64, sign, a / 1000);
	if (!frac)
		return;
	char digits[4];
	snprintf(digits, sizeof digits, "%03u", (unsigned)frac);
	for (int i = 2; i > 0 && digits[i] == '0'; i--)
		digits[i] = 0;
	fprintf(f, ".%s", digits);
}

void replay_print_flow(FILE *f, const struct flow_record *r)
{
	char e[ADDR_STRLEN], s[ADDR_STRLEN], d[ADDR_STRLEN];
	fprintf(f, "{\"type\":\"flow\",\"exporter\":\"%s\",\"src\":\"%s\","
		"\"dst\":\"%s\",\"proto\":%u,\"sport\":%u,\"dport\":%u,"
		"\"tcp_flags\":%u,\"bytes\":%" PRIu64 ",\"packets\":%" PRIu64
		",\"sampling\":%" PRIu32 ",\"start\":",
		addr_format(&r->exporter, e), addr_format(&r->src, s),
		addr_format(&r->dst, d), r->proto, r->sport, r->dport,
		r->tcp_flags, r->bytes, r->packets, r->sampling);
	put_time(f, r->start_ms);
	fputs(",\"end\":", f);
	put_time(f, r->end_ms);
	fputs("}\n", f);
}
