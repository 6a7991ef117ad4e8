/* Flowspec codec speed on one core, for the typical rule
 *   destination 10.50.100.100/32; protocol =6; destination-port =80;
 * decode (fs_validate and a full component/operator walk), encode (from
 * text, and the wire writers alone) and print (fs_text_format). Each loop
 * runs for about a second (or argv[1] seconds) of CLOCK_MONOTONIC time;
 * argv[2], when given, runs only the loops whose name contains it (for
 * profiling: perf record build/bin/bench_nlri 3 decode).
 * Build without sanitizers: cmake -B build -DCMAKE_BUILD_TYPE=Release &&
 * cmake --build build && build/bin/bench_nlri */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "nlri/flowspec.h"
#include "nlri/rule.h"
#include "nlri/text.h"

/* Iterations between two looks at the clock. */
#define BATCH 1024
/* RFC-sized goal for the decode, in rules per second. */
#define DECODE_GOAL 5000000.0

static const char typical_text[] =
	"flow route { match { destination 10.50.100.100/32; protocol =6; "
	"destination-port =80; } then { discard; } }";

static const uint8_t typical_wire[] = {
	FS_TYPE_DST_PREFIX, 32, 10, 50, 100, 100,
	FS_TYPE_IP_PROTO, FS_OP_END | FS_OP_EQ, 6,
	FS_TYPE_DST_PORT, FS_OP_END | FS_OP_EQ, 80,
};

/* Everything a loop computes ends here, so nothing is optimised away. */
static volatile uint64_t sink;

static double now(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

struct ctx {
	struct writer w;
	struct fs_rule rule;
	struct prefix dst;
};

typedef uint64_t (*bench_fn)(struct ctx *c);

/* Validate and walk every component and operator. */
static uint64_t do_decode(struct ctx *c)
{
	(void)c;
	uint64_t acc = 0;
	if (fs_validate(FS_AFI_IPV4, typical_wire, sizeof typical_wire, NULL) !=
	    FS_OK)
		abort();
	struct fs_iter it;
	struct fs_component comp;
	fs_iter_init(&it, FS_AFI_IPV4, typical_wire, sizeof typical_wire);
	while (fs_iter_next(&it, &comp)) {
		if (comp.kind == FS_KIND_PREFIX) {
			acc += comp.prefix.len + comp.prefix.addr.bytes[3];
			continue;
		}
		struct reader ops = comp.ops;
		struct fs_op op;
		while (fs_op_next(&ops, &comp, &op))
			acc += op.value + op.bits;
	}
	return acc + it.reason;
}

static uint64_t do_parse(struct ctx *c)
{
	struct fs_rule r;
	struct fs_text_error err;
	(void)c;
	if (!fs_text_parse(&r, typical_text, NULL, &err))
		abort();
	uint64_t acc = r.match.len + r.ext.len;
	fs_rule_clear(&r);
	return acc;
}

/* The wire writers alone, into a reused buffer. */
static uint64_t do_wire_encode(struct ctx *c)
{
	writer_reset(&c->w);
	fs_put_prefix(&c->w, FS_AFI_IPV4, FS_TYPE_DST_PREFIX, &c->dst, 0);
	put_u8(&c->w, FS_TYPE_IP_PROTO);
	fs_put_op(&c->w, false, true, FS_OP_EQ, 6);
	put_u8(&c->w, FS_TYPE_DST_PORT);
	fs_put_op(&c->w, false, true, FS_OP_EQ, 80);
	return c->w.len + c->w.data[c->w.len - 1];
}

static uint64_t do_format(struct ctx *c)
{
	writer_reset(&c->w);
	fs_text_format(&c->w, &c->rule);
	return c->w.len;
}

/* Runs fn in batches until `seconds` have passed; returns runs per second. */
static double run(bench_fn fn, struct ctx *c, double seconds)
{
	uint64_t n = 0, acc = 0;
	double start = now(), elapsed;
	do {
		for (unsigned i = 0; i < BATCH; i++)
			acc += fn(c);
		n += BATCH;
		elapsed = now() - start;
	} while (elapsed < seconds);
	sink += acc;
	return (double)n / elapsed;
}

static void report(const char *what, double rate)
{
	printf("%s: %.0f rules/s (%.1f ns/rule)\n", what, rate, 1e9 / rate);
}

int main(int argc, char **argv)
{
	double seconds = argc > 1 ? atof(argv[1]) : 1.0;
	if (seconds <= 0)
		seconds = 1.0;
	struct ctx c = { .w = writer_init(0) };
	struct fs_text_error err;
	if (!fs_text_parse(&c.rule, typical_text, NULL, &err)) {
		fprintf(stderr, "bench_nlri: col %zu: %s\n", err.col, err.msg);
		return 1;
	}
	/* The text and the wire vector must be the same rule. */
	if (c.rule.match.len != sizeof typical_wire ||
	    memcmp(c.rule.match.data, typical_wire, sizeof typical_wire)) {
		fprintf(stderr, "bench_nlri: text and wire vector differ\n");
		return 1;
	}
	if (!prefix_parse(&c.dst, "10.50.100.100/32", 16))
		return 1;
	do_wire_encode(&c);
	if (c.w.len != sizeof typical_wire ||
	    memcmp(c.w.data, typical_wire, sizeof typical_wire)) {
		fprintf(stderr, "bench_nlri: wire encode differs\n");
		return 1;
	}

	static const struct {
		const char *name;
		bench_fn fn;
	} benches[] = {
		{ "nlri decode", do_decode },
		{ "nlri encode (text parse)", do_parse },
		{ "nlri encode (wire)", do_wire_encode },
		{ "nlri format (text)", do_format },
	};
	const char *only = argc > 2 ? argv[2] : NULL;
	for (size_t i = 0; i < sizeof benches / sizeof benches[0]; i++) {
		if (only && !strstr(benches[i].name, only))
			continue;
		double rate = run(benches[i].fn, &c, seconds);
		report(benches[i].name, rate);
		if (benches[i].fn == do_decode && rate < DECODE_GOAL)
			printf("note: decode below the goal of %.0f rules/s\n",
			       DECODE_GOAL);
	}
	fs_rule_clear(&c.rule);
	writer_free(&c.w);
	return 0;
}
