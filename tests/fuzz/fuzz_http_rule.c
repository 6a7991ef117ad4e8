/* libFuzzer harness for the HTTP API's request bodies and the JSON rule
 * object (bgpd/control/http_rule.c). Input: a request body, read once as
 * an announce and once as a withdraw. For each:
 * - a refused body gets status 400 and says where (a non-empty field) and
 *   what (a non-empty message);
 * - an accepted one is a command flowspecctl could send: printed with
 *   ctl_cmd_format it parses (ctl_parse) to the same verb, rule bytes,
 *   neighbors, ttl and comment;
 * - its rule, given back as text ({"rule": "<canonical text>"}), is
 *   accepted and gives the same rule, so the object form and the text form
 *   agree.
 * Any broken property abort()s. */
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "bgpd/control/cmd.h"
#include "bgpd/control/http.h"
#include "nlri/text.h"

#define FUZZ_NAME "fuzz_http_rule"
#include "fuzz.h"

static bool same_buf(const struct writer *a, const struct writer *b)
{
	return a->len == b->len && (a->len == 0 ||
				    memcmp(a->data, b->data, a->len) == 0);
}

static bool same_rule(const struct fs_rule *a, const struct fs_rule *b)
{
	return a->afi == b->afi && same_buf(&a->match, &b->match) &&
	       same_buf(&a->ext, &b->ext) && same_buf(&a->ext6, &b->ext6) &&
	       same_buf(&a->comm, &b->comm) &&
	       memcmp(&a->nexthop, &b->nexthop, sizeof a->nexthop) == 0;
}

static void check_refusal(const struct http_error *e)
{
	if (e->status != 400)
		die("status %d for a bad body", e->status);
	if (!e->field[0] || !e->msg[0] ||
	    strnlen(e->msg, sizeof e->msg) == sizeof e->msg)
		die("error without a field or a message: '%s' '%s'", e->field,
		    e->msg);
}

/* The command as flowspecctl would send it parses to the same command. */
static void check_as_command(const struct ctl_cmd *cmd)
{
	struct writer w = writer_init(0);
	ctl_cmd_format(&w, cmd);
	if (w.err)
		die("ctl_cmd_format failed");
	struct ctl_cmd again;
	struct ctl_error err;
	if (!ctl_parse(&again, (const char *)w.data, w.len, &err))
		die("accepted body prints as a refused command: col %zu: %s\n"
		    "  %.*s", err.col, err.msg, (int)w.len, (char *)w.data);
	/* A withdraw prints its match only. */
	bool same = cmd->verb == CTL_WITHDRAW
			    ? again.rule.afi == cmd->rule.afi &&
				      same_buf(&again.rule.match,
					       &cmd->rule.match)
			    : same_rule(&again.rule, &cmd->rule);
	if (again.verb != cmd->verb || !same ||
	    again.ntargets != cmd->ntargets ||
	    memcmp(again.targets, cmd->targets,
		   cmd->ntargets * sizeof cmd->targets[0]) != 0 ||
	    again.ttl_s != cmd->ttl_s ||
	    again.has_comment != cmd->has_comment ||
	    strcmp(again.comment, cmd->comment) != 0)
		die("command differs after a round trip: %.*s", (int)w.len,
		    (char *)w.data);
	ctl_cmd_clear(&again);
	writer_free(&w);
}

/* The rule's canonical text, as a text rule, is the same rule. */
static void check_as_text(const struct fs_rule *rule)
{
	char *text = fs_text_string(rule);
	if (!text)
		die("fs_text_string failed");
	json_t *v = json_string(text);
	if (!v)
		die("canonical text is not UTF-8: %s", text);
	struct fs_rule again;
	struct http_error err = { 0 };
	if (!http_parse_rule(v, "rule", &again, &err))
		die("canonical text refused: %s: %s\n  %s", err.field, err.msg,
		    text);
	if (!same_rule(&again, rule))
		die("canonical text gives another rule: %s", text);
	fs_rule_clear(&again);
	json_decref(v);
	free(text);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	for (int announce = 0; announce < 2; announce++) {
		struct ctl_cmd cmd;
		struct http_error err = { 0 };
		if (!http_parse_rule_request((const char *)data, size, announce,
					     &cmd, &err)) {
			check_refusal(&err);
			continue;
		}
		if (cmd.verb != (announce ? CTL_ANNOUNCE : CTL_WITHDRAW))
			die("wrong verb");
		check_as_command(&cmd);
		check_as_text(&cmd.rule);
		ctl_cmd_clear(&cmd);
	}
	return 0;
}
