/* The state file (`state_file` in the config): the api and policy claims
 * of the rib kept across restarts, also across kill -9. Static claims are
 * not kept (the config is their source) and neither are a peer's routes.
 *
 * Format: JSON lines, written whole to PATH.tmp, fsync'd, renamed over
 * PATH (and the directory fsync'd), so PATH is always one complete save:
 *   {"flowspecd_state": 1, "saved": 1733333333123}
 *   {"origin": "api", "rule": "flow route { … }", "neighbors": [],
 *    "expires": 1733333633123 | null, "since": 1733333333000,
 *    "comment": "…" | null}
 *   …
 *   {"end": 2}                       (the number of claim lines)
 * Times are Unix milliseconds (wall clock): a claim's expiry is stored as
 * wall-clock time and turned back into the rib's monotonic time on load,
 * so a claim comes back with its remaining lifetime and an expired one
 * does not come back; "since" (when the origin first claimed the rule;
 * optional, now when absent) comes back the same way, so a policy's
 * max_lifetime still counts from the first announce.
 *
 * Writes are coalesced: a change marks the table dirty, and the file is
 * written from a timer STATE_WRITE_MIN_MS after the first unsaved change,
 * and never sooner than 4 × the last write's duration after that write
 * ended; and on state_close. A kill -9 loses the changes of that window
 * at most (README: "State file").
 *
 * A damaged file: a first line that is not the header means PATH is not
 * a state file: state_load fails and the daemon refuses to start, rather
 * than overwrite a file it does not know. Otherwise every claim line that
 * reads back is loaded, each bad line and a missing end line are logged
 * (FILE:LINE: what), and the file is kept as PATH.bad; the daemon then
 * writes PATH again with what was loaded (state_touch). */
#ifndef BGPD_RIB_STATE_H
#define BGPD_RIB_STATE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "bgpd/rib/rib.h"

struct event_base;

#define STATE_VERSION 1
#define STATE_WRITE_MIN_MS 1000

/* The two clocks the file needs (milliseconds): the rib's monotonic one
 * and the wall clock (Unix time) the file stores. */
struct state_clock {
	int64_t (*mono_ms)(void);
	int64_t (*wall_ms)(void);
};

/* What one load did. */
struct state_loaded {
	size_t claims;		/* claims back in the rib */
	size_t expired;		/* expired while the daemon was down */
	size_t refused;		/* refused by the rib now (never_filter) */
	size_t bad;		/* lines that did not read back */
	bool truncated;		/* no end line, or a count that differs */
};

/* Announces every unexpired claim of the file at path into rib. A
 * missing or empty file loads nothing. False, with a one-line reason in
 * err, when the file cannot be read or is not a state file. When lines
 * were bad or the file was truncated, it is renamed to PATH.bad. */
bool state_load(struct rib *rib, const char *path,
		const struct state_clock *clk, struct state_loaded *out,
		char *err, size_t errlen);
/* Writes the api and policy claims of rib to path (temp file, fsync,
 * rename); false with a one-line reason in err. */
bool state_save(const struct rib *rib, const char *path,
		const struct state_clock *clk, char *err, size_t errlen);

struct state;

/* Keeps path up to date with rib from base's timers (see above). NULL
 * when out of memory. rib, clk and base must outlive it. */
struct state *state_new(struct event_base *base, struct rib *rib,
			const char *path, const struct state_clock *clk);
/* Counts as a change of the table: the file is written again within
 * STATE_WRITE_MIN_MS (after a load that moved a damaged file aside). */
void state_touch(struct state *s);
/* Writes what is pending, stops listening. NULL-safe. */
void state_close(struct state *s);
/* Files written so far (for tests and metrics). */
uint64_t state_writes(const struct state *s);

#endif
