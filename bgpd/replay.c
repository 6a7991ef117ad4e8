/* flowspecd replay: see replay.h. Capture time is both the flows' time
 * base and the engine's clock (DESIGN.md "Time"), so a capture gives the
 * same decisions on every run. */
#include "bgpd/replay.h"

#include <getopt.h>
#include <inttypes.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>

#include "bgpd/collector/replay.h"
#include "bgpd/policy/engine.h"
#include "lib/log.h"

struct run {
	bool flows;			/* --flows: print every record */
	struct policy_engine *eng;	/* --policy; NULL: none */
	struct policy_clock clk;	/* the current datagram's time */
};

static void print_event(void *ctx, const struct policy_event *ev)
{
	(void)ctx;
	policy_event_write(stdout, ev);
}

/* Before each datagram: the engine's ticks due by its capture time. */
static void at_time(void *arg, int64_t time_ms)
{
	struct run *run = arg;
	run->clk = (struct policy_clock){ time_ms, time_ms };
	if (run->eng)
		policy_engine_run(run->eng, &run->clk);
}

static void on_record(void *arg, const struct flow_record *r)
{
	struct run *run = arg;
	if (run->flows)
		replay_print_flow(stdout, r);
	if (run->eng)
		policy_engine_flow(run->eng, r, &run->clk);
}

static void usage(FILE *f)
{
	fprintf(f, "usage: flowspecd replay [--policy FILE] [--flows] "
		   "CAPTURE...\n"
		   "  --policy FILE  run the policy engine on capture time and "
		   "print its decisions\n"
		   "  --flows        print one JSON line per decoded flow "
		   "record\n");
}

/* Loads the policy file and makes an engine printing every decision;
 * NULL (errors printed) when the file has errors. */
static struct policy_engine *engine_for(const char *path,
					struct policy_file **pf)
{
	struct config_errors errs;
	config_errors_init(&errs);
	*pf = policy_load(path, NULL, &errs);
	config_errors_print(&errs, stderr);
	config_errors_clear(&errs);
	if (!*pf)
		return NULL;
	const struct policy_sink sink = {
		.announce = print_event, .extend = print_event,
		.withdraw = print_event, .refused = print_event,
		.dry_run = print_event,
	};
	struct policy_engine *eng = policy_engine_new(*pf, &sink);
	if (!eng)
		fatal("out of memory");
	return eng;
}

static void log_totals(const struct collector *col,
		       const struct replay_stats *st)
{
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
		"%" PRIu64 " data sets without a template", st->frames,
		st->datagrams, t.records, errors, missing);
}

int replay_main(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "flows", no_argument, NULL, 'f' },
		{ "policy", required_argument, NULL, 'p' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	struct run run = { 0 };
	const char *policy = NULL;
	int c;
	optind = 1;
	while ((c = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
		switch (c) {
		case 'f':
			run.flows = true;
			break;
		case 'p':
			policy = optarg;
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
	struct policy_file *pf = NULL;
	if (policy && !(run.eng = engine_for(policy, &pf)))
		return EXIT_FAILURE;
	struct collector_config cc;
	collector_config_init(&cc);
	struct replay r = { .col = collector_new(&cc), .before = at_time,
			    .arg = &run };
	if (!r.col)
		fatal("out of memory");
	collector_set_sink(r.col, on_record, &run);
	int status = EXIT_SUCCESS;
	for (int i = optind; i < argc; i++) {
		char err[512];
		if (!replay_capture(&r, argv[i], err, sizeof err)) {
			fprintf(stderr, "flowspecd replay: %s\n", err);
			status = EXIT_FAILURE;
		}
	}
	/* Every mitigation ends in the output: the withdraws still due. */
	if (run.eng)
		policy_engine_finish(run.eng, &run.clk);
	log_totals(r.col, &r.stats);
	collector_free(r.col);
	policy_engine_free(run.eng);
	policy_file_free(pf);
	if (fflush(stdout) != 0)
		status = EXIT_FAILURE;
	return status;
}
