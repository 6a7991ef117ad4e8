/* Dropping root once the privileged work is done (binding port 179, the
 * control socket): the `user` config key. */
#ifndef BGPD_PRIVDROP_H
#define BGPD_PRIVDROP_H

#include <stdbool.h>
#include <stddef.h>

/* Switches the process to user (its primary group, no supplementary
 * groups: setgroups, setgid, setuid, in that order) after giving it the
 * files in own[] (n paths, e.g. the control socket, so it can still be
 * used and removed). Running as that user already is fine; any other
 * non-root user fails. Checks that root cannot be regained. False with a
 * one-line reason in err. */
bool privdrop(const char *user, const char *const *own, size_t n, char *err,
	      size_t errlen);

#endif
