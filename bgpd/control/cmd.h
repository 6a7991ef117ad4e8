/* The control command language (flowspecctl, the unix control socket and,
 * later, ExaBGP-style helper processes): one command per line, parsed by a
 * pure function into struct ctl_cmd. No I/O here.
 *
 *   [neighbor ADDR [, [neighbor] ADDR]…] announce flow route { … }
 *                                         [ttl SECONDS] [comment "…"]
 *   [neighbor ADDR [, [neighbor] ADDR]…] withdraw flow route { … }
 *   show neighbor [ADDR] [--json]
 *   show flow [--json]
 *   show received ADDR [--json]        what the peer sent us
 *   show adj-rib-out ADDR [--json]     what we send the peer
 *   show collector [--json]
 *   show mitigations [--json]          the policy engine's active ones
 *   clear neighbor ADDR [soft]
 *   flush [ORIGIN]                     withdraw every rule of an origin
 *                                      (static, api, policy:NAME; default api)
 *   reload
 *   help
 *
 * Words are separated by blanks (space, tab); "json" is accepted for
 * "--json", and ttl/comment come in either order. The comment is a
 * double-quoted UTF-8 string (at most CTL_COMMENT_MAX octets) in which
 * \" and \\ stand for " and \. A trailing CR is ignored. Errors give the
 * 1-based column in the whole line: "col 24: unknown component
 * 'destinaton'". */
#ifndef BGPD_CONTROL_CMD_H
#define BGPD_CONTROL_CMD_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "lib/addr.h"
#include "lib/writer.h"
#include "nlri/rule.h"

#define CTL_LINE_MAX 65536	/* octets in a command line, newline excluded */
#define CTL_TARGETS_MAX 16	/* neighbors one command targets */
#define CTL_COMMENT_MAX 255	/* octets of a comment */
#define CTL_ORIGIN_MAX 63	/* octets of a flush origin */

enum ctl_verb {
	CTL_ANNOUNCE,
	CTL_WITHDRAW,
	CTL_SHOW_NEIGHBOR,
	CTL_SHOW_FLOW,
	CTL_SHOW_RECEIVED,
	CTL_SHOW_ADJ_RIB_OUT,
	CTL_SHOW_COLLECTOR,
	CTL_SHOW_MITIGATIONS,
	CTL_CLEAR_NEIGHBOR,
	CTL_FLUSH,
	CTL_RELOAD,
	CTL_HELP,
};

struct ctl_cmd {
	enum ctl_verb verb;
	/* ANNOUNCE, WITHDRAW: the "neighbor …" prefix; none: every peer. */
	struct addr targets[CTL_TARGETS_MAX];
	unsigned ntargets;
	struct fs_rule rule;	/* ANNOUNCE, WITHDRAW: owned */
	uint32_t ttl_s;		/* ANNOUNCE: 0 for none */
	bool has_comment;	/* ANNOUNCE */
	char comment[CTL_COMMENT_MAX + 1];
	/* SHOW_NEIGHBOR (ADDR_NONE: every peer), SHOW_RECEIVED,
	 * SHOW_ADJ_RIB_OUT, CLEAR_NEIGHBOR. */
	struct addr peer;
	bool json;		/* SHOW_*: --json */
	bool soft;		/* CLEAR_NEIGHBOR */
	char origin[CTL_ORIGIN_MAX + 1];	/* FLUSH; "api" by default */
};

struct ctl_error {
	size_t col;		/* 1-based column in the line */
	char msg[200];
};

/* Parses the line (len octets, no newline needed, NUL not allowed) into
 * cmd, which the call initialises. On failure cmd holds nothing (no
 * ctl_cmd_clear needed, though it is harmless) and err says where and
 * what. */
bool ctl_parse(struct ctl_cmd *cmd, const char *line, size_t len,
	       struct ctl_error *err);
/* Releases what cmd owns. NULL-safe. */
void ctl_cmd_clear(struct ctl_cmd *cmd);

/* Appends the command in canonical form (one line, no newline; the rule
 * in canonical text), which ctl_parse reads back as the same command. */
void ctl_cmd_format(struct writer *w, const struct ctl_cmd *cmd);
/* True for the commands that change state (announce, withdraw, clear,
 * flush, reload): these go to the audit log. */
bool ctl_cmd_changes(const struct ctl_cmd *cmd);

#endif
