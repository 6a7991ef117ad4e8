/* libFuzzer harness for the policy file loader (bgpd/policy/policy.c,
 * bgpd/loader.c). Input: the file's text. A refused file must give at
 * least one error, each a non-empty line naming the file; an accepted one
 * none, and then an engine built from it takes a burst of traffic to the
 * first address of each network (announces, rule building from the
 * fingerprint, the event JSON) and drains. Any broken property abort()s. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bgpd/policy/engine.h"
#include "bgpd/policy/policy.h"

#define FUZZ_NAME "fuzz_policy"
#include "fuzz.h"

#define NAME "fuzz.json"

static void check_event(void *ctx, const struct policy_event *ev)
{
	(void)ctx;
	json_t *j = policy_event_json(ev);
	if (!j)
		die("event without JSON");
	if ((ev->type == POLICY_EV_ANNOUNCE || ev->type == POLICY_EV_EXTEND ||
	     ev->type == POLICY_EV_WITHDRAW) && (!ev->rule || !ev->rule_text))
		die("%s without a rule", policy_event_name(ev->type));
	json_decref(j);
}

static void run_engine(const struct policy_file *pf)
{
	struct policy_sink sink = { check_event, check_event, check_event,
				    check_event, check_event, NULL };
	struct policy_engine *eng = policy_engine_new(pf, &sink);
	if (!eng)
		return;
	int64_t t0 = 1700000000000;
	struct policy_clock clk = { t0, t0 };
	for (unsigned step = 0; step < 20; step++) {
		clk.wall_ms = clk.mono_ms = t0 + step * 500;
		policy_engine_run(eng, &clk);
		for (size_t n = 0; n < pf->n_networks && n < 8; n++) {
			const struct policy_network *net = &pf->networks[n];
			if (net->n_prefixes == 0)
				continue;
			struct flow_record r = { 0 };
			addr_parse(&r.exporter, "192.0.2.9", 9);
			r.dst = net->prefixes[0].addr;
			r.src = r.dst;
			r.src.bytes[0] ^= 0x80;
			r.proto = (uint8_t)(step % 2 ? 17 : 6);
			r.sport = (uint16_t)(step % 3 ? 123 : 40000);
			r.dport = 80;
			r.tcp_flags = 0x02;
			r.bytes = 1ull << 40;
			r.packets = 1ull << 30;
			r.sampling = 1;
			r.start_ms = clk.wall_ms - 500;
			r.end_ms = clk.wall_ms;
			policy_engine_flow(eng, &r, &clk);
		}
	}
	json_t *m = policy_engine_mitigations(eng, &clk);
	json_decref(m);
	/* Draining is bounded by max_lifetime: only when it is short. */
	int64_t longest = 0;
	for (size_t i = 0; i < pf->n_policies; i++) {
		struct policy_lifetimes l = policy_lifetimes_of(pf,
			&pf->policies[i], -1);
		for (size_t n = 0; n < pf->n_networks; n++) {
			struct policy_lifetimes ln = policy_lifetimes_of(
				pf, &pf->policies[i], (int)n);
			if (ln.max_s > l.max_s)
				l.max_s = ln.max_s;
		}
		if (l.max_s > longest)
			longest = l.max_s;
	}
	if (longest <= 3600)
		policy_engine_finish(eng, &clk);
	policy_engine_free(eng);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct config_errors errs;
	config_errors_init(&errs);
	struct policy_file *pf = policy_parse((const char *)data, size, NAME,
					      NULL, &errs);
	if (!pf && errs.n == 0)
		die("refused without an error");
	if (pf && errs.n)
		die("accepted with %zu errors: %s", errs.n, errs.lines[0]);
	for (size_t i = 0; i < errs.n; i++) {
		if (strncmp(errs.lines[i], NAME, strlen(NAME)) != 0 &&
		    strncmp(errs.lines[i], "out of memory", 13) != 0)
			die("error line does not name the file: %s",
			    errs.lines[i]);
		if (strlen(errs.lines[i]) <= strlen(NAME) + 1)
			die("empty error line: %s", errs.lines[i]);
	}
	config_errors_clear(&errs);
	if (pf)
		run_engine(pf);
	policy_file_free(pf);
	return 0;
}
