/* libFuzzer harness for the state file loader (bgpd/rib/state.h): any
 * file content loads what reads back or is refused, never crashes, and
 * every claim it loads is in the rib with a valid expiry. The input is
 * written to a file in a private temporary directory (state_load reads a
 * path; a damaged file is renamed to PATH.bad, removed here). */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "bgpd/rib/state.h"

static int64_t mono_ms(void)
{
	return 1000;
}
static int64_t wall_ms(void)
{
	return 1700000000000;
}

static char path[256], bad[270];

static void die(const char *what)
{
	fprintf(stderr, "fuzz_state: %s\n", what);
	abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (!path[0]) {
		char dir[] = "/tmp/fuzz_state.XXXXXX";
		if (!mkdtemp(dir))
			die("mkdtemp");
		snprintf(path, sizeof path, "%s/state.json", dir);
		snprintf(bad, sizeof bad, "%s.bad", path);
	}
	FILE *f = fopen(path, "w");
	if (!f || fwrite(data, 1, size, f) != size || fclose(f) != 0)
		die("cannot write the input");
	const struct state_clock clk = { mono_ms, wall_ms };
	struct rib *rib = rib_new(mono_ms);
	struct state_loaded ld;
	char err[256];
	if (state_load(rib, path, &clk, &ld, err, sizeof err)) {
		size_t claims = 0;
		for (const struct rib_entry *e = rib_next(rib, NULL); e;
		     e = rib_next(rib, e))
			for (const struct rib_claim *c = e->claims; c; c = c->next) {
				claims++;
				if (c->expires_ms && c->expires_ms <= mono_ms())
					die("an expired claim was loaded");
			}
		if (claims > ld.claims)
			die("more claims in the rib than loaded");
	} else if (!err[0]) {
		die("refused without a reason");
	}
	rib_free(rib);
	unlink(path);
	unlink(bad);
	return 0;
}
