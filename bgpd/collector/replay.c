/* flowspecd replay: see replay.h. */
#include "bgpd/collector/replay.h"

#include <getopt.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include "lib/capture.h"
#include "lib/log.h"
#include "lib/packet.h"

#define IP_PROTO_UDP 17
#define UDP_PAYLOAD_MAX 65535

bool replay_capture(struct collector *c, const char *path,
		    struct replay_stats *st, char *err, size_t errlen)
{
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
		collector_input(c, &p.src, datagram, len, f.time_us / 1000);
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

/* What a run does with each record. */
struct replay_sink {
	bool flows;
};

static void replay_record(void *arg, const struct flow_record *r)
{
	const struct replay_sink *sink = arg;
	if (sink->flows)
		replay_print_flow(stdout, r);
}

static void usage(FILE *f)
{
	fprintf(f, "usage: flowspecd replay [--flows] CAPTURE...\n"
		   "  --flows  print one JSON line per decoded flow record\n");
}

int replay_main(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "flows", no_argument, NULL, 'f' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	struct replay_sink sink = { 0 };
	int c;
	optind = 1;
	while ((c = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
		switch (c) {
		case 'f':
			sink.flows = true;
			break;
		case 'h':
			usage(stdout);
			return EXIT_SUCCESS;
		default:
			usage(stderr);
			return EXIT_FAILURE;
		}
	}
	if (optind == argc) {
		usage(stderr);
		return EXIT_FAILURE;
	}
	struct collector_config cc;
	collector_config_init(&cc);
	struct collector *col = collector_new(&cc);
	if (!col)
		fatal("out of memory");
	collector_set_sink(col, replay_record, &sink);
	int status = EXIT_SUCCESS;
	struct replay_stats st = { 0 };
	for (int i = optind; i < argc; i++) {
		char err[512];
		if (!replay_capture(col, argv[i], &st, err, sizeof err)) {
			fprintf(stderr, "flowspecd replay: %s\n", err);
			status = EXIT_FAILURE;
		}
	}
	struct collector_totals t;
	collector_get_totals(col, &t);
	uint64_t errors = 0, missing = 0;
	for (size_t i = 0; i < collector_exporter_count(col); i++) {
		const struct exporter *e = collector_exporter_at(col, i);
		for (unsigned k = 0; k < CERR__COUNT; k++)
			errors += e->stats.errors[k];
		missing += e->stats.missing_template;
	}
	log_msg(LOG_INFO, "replay: %" PRIu64 " frames, %" PRIu64 " UDP "
		"datagrams, %" PRIu64 " records, %" PRIu64 " decode errors, "
		"%" PRIu64 " data sets without a template", st.frames,
		st.datagrams, t.records, errors, missing);
	collector_free(col);
	if (fflush(stdout) != 0)
		status = EXIT_FAILURE;
	return status;
}
