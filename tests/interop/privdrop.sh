#!/usr/bin/env bash
# Dropping root (`user`): flowspecd started as root with "user": "nobody"
# binds its BGP listener and its control socket, then runs as nobody:
#   - every uid and gid of the daemon is nobody's, no supplementary group;
#   - the control socket belongs to nobody (mode 0600) and nobody can use
#     it; root still can;
#   - GoBGP connects to the listener opened before the drop;
#   - a helper process runs as nobody too;
#   - reload still reads the config; SIGTERM ends it cleanly and the
#     socket file is removed.
# Skipped (one PASS line saying so) when not run as root.
#
# Addresses 127.0.0.158 (flowspecd, listening on 26586), .159 (GoBGP);
# ports 26586, 26587 (gobgpd), 26556 (GoBGP API).
# Usage: FLOWSPECD_BIN=/abs/build/bin tests/interop/privdrop.sh
TEST=privdrop
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

if [ "$(id -u)" -ne 0 ]; then
    pass "skipped-not-root"
    finish
fi
need "$GOBGPD" "$GOBGP" "$PYTHON" ss runuser
ports_free 26586 26587 26556
id nobody >/dev/null 2>&1 || die "no user nobody"

FSD=127.0.0.158
GO=127.0.0.159 GO_API=26556
NOBODY_UID=$(id -u nobody)
NOBODY_GID=$(id -g nobody)
# The daemon's directory: nobody must reach it (the work directory is 0700).
chmod 0711 "$WORK"
RUN=$WORK/run
mkdir "$RUN" && chown nobody: "$RUN"
SOCK=$RUN/fsd.sock
CONF=$WORK/fsd.json

cat >"$CONF" <<EOF2
{
  "router_id": "$FSD",
  "local_as": 65100,
  "listen": "$FSD:26586",
  "control_socket": "$SOCK",
  "user": "nobody",
  "neighbors": [
    { "address": "$GO", "remote_as": 65001, "passive": true,
      "hold_time": 9 }
  ],
  "static_rules": [
    "flow route { match { destination 10.90.1.0/24; } then { discard; } }"
  ],
  "processes": [ { "name": "sleeper", "run": ["/bin/sleep", "600"] } ]
}
EOF2
chmod 0644 "$CONF"
cat >"$WORK/gobgp.toml" <<EOF2
[global.config]
  as = 65001
  router-id = "$GO"
  port = 26587
  local-address-list = ["$GO"]
$(gobgp_neighbor_toml "$FSD" 65100 "$GO" 26586)
EOF2

gobgpd_start GO_PID "$WORK/gobgp.toml" "$GO" "$GO_API" gobgpd.log
fsd_start FSD_PID "$CONF" flowspecd.log

# ids PID: "UIDS / GIDS / GROUPS" from /proc.
ids() {
    awk '/^Uid:/{u=$2" "$3" "$4" "$5} /^Gid:/{g=$2" "$3" "$4" "$5}
         /^Groups:/{$1=""; s=$0} END{print u" / "g" /"s}' "/proc/$1/status"
}
want="$NOBODY_UID $NOBODY_UID $NOBODY_UID $NOBODY_UID / $NOBODY_GID $NOBODY_GID $NOBODY_GID $NOBODY_GID / $NOBODY_GID"
got=$(ids "$FSD_PID" | sed 's/ *$//')
check daemon-ids "flowspecd's ids are '$got', want '$want'" [ "$got" = "$want" ]
check log-line "no 'running as user nobody' in the log" \
    grep -q "running as user nobody" "$WORK/flowspecd.log"

owner=$(stat -c '%U %a' "$SOCK")
check socket-owner "control socket is '$owner', want 'nobody 600'" [ "$owner" = "nobody 600" ]
check socket-nobody "nobody cannot use the control socket" \
    eval 'runuser -u nobody -- "$FLOWSPECCTL" -s "$SOCK" show flow >/dev/null'
check socket-root "root cannot use the control socket" eval 'ctl show flow >/dev/null'

got_rule() {
    gobgp_established "$GO" "$GO_API" "$FSD" &&
        [ "$(gobgp_table "$GO" "$GO_API")" = "[destination: 10.90.1.0/24] | rate:0:0" ]
}
check listener "GoBGP did not get the rule over the listener opened before the drop" \
    wait_until 30 got_rule

sleeper=$(pgrep -P "$FSD_PID" -x sleep | head -n 1)
if [ -n "$sleeper" ]; then
    got=$(ids "$sleeper" | sed 's/ *$//')
    check process-ids "the helper process runs with '$got', want '$want'" [ "$got" = "$want" ]
else
    fail process-ids "no helper process under flowspecd"
fi

out=$(ctl reload 2>&1)
check reload "reload as nobody failed: $out" [ "$out" = reloaded ]

fsd_stop "$FSD_PID" "$WORK/flowspecd.log"
check socket-removed "the control socket is still there" [ ! -e "$SOCK" ]
finish
