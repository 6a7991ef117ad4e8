#!/usr/bin/env bash
# The interop helpers' own checks (tests/run.sh skips lib.sh itself): the
# comparison can fail, the GoBGP and ExaBGP normalisers read what those
# daemons print, waits end, the rule tables are well formed. No daemon.
exec bash "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
