/* Dropping root: see privdrop.h. */
#include "bgpd/privdrop.h"

#include <errno.h>
#include <grp.h>
#include <pwd.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

bool privdrop(const char *user, const char *const *own, size_t n, char *err,
	      size_t errlen)
{
	errno = 0;
	const struct passwd *pw = getpwnam(user);
	if (!pw) {
		snprintf(err, errlen, "user '%s': %s", user,
			 errno ? strerror(errno) : "no such user");
		return false;
	}
	uid_t uid = pw->pw_uid;
	gid_t gid = pw->pw_gid;
	if (geteuid() == uid && getuid() == uid)
		return true;
	if (geteuid() != 0) {
		snprintf(err, errlen, "cannot become user '%s': not started "
			 "as root", user);
		return false;
	}
	for (size_t i = 0; i < n; i++) {
		if (own[i] && chown(own[i], uid, gid) < 0) {
			snprintf(err, errlen, "chown %s to '%s': %s", own[i],
				 user, strerror(errno));
			return false;
		}
	}
	const char *step = "setgroups";
	if (setgroups(1, &gid) < 0)
		goto fail;
	step = "setgid";
	if (setgid(gid) < 0)
		goto fail;
	step = "setuid";
	if (setuid(uid) < 0)
		goto fail;
	if (uid != 0 && (setuid(0) == 0 || seteuid(0) == 0)) {
		snprintf(err, errlen, "root could be regained after switching "
			 "to '%s'", user);
		return false;
	}
	return true;
fail:
	snprintf(err, errlen, "%s for user '%s': %s", step, user,
		 strerror(errno));
	return false;
}
