#!/usr/bin/env bash
# Graceful stop: flowspecd stopped for an upgrade must leave its rules in
# the routers (RFC 4724), and a hard stop must take them away.
#   1. flowspecd and GoBGP (graceful-restart on, both Flowspec families)
#      up with GR negotiated, GoBGP has the 3 static rules;
#   2. SIGTERM: flowspecd exits (status 0) closing the session without a
#      NOTIFICATION; GoBGP keeps the 3 rules, all stale, and logs no
#      NOTIFICATION;
#   3. flowspecd started again: GoBGP ends with the 3 rules, none stale;
#   4. SIGQUIT (hard stop): GoBGP receives a Cease (RFC 8538 Hard Reset,
#      both sides set the N bit) and drops the rules at once.
#
# Addresses 127.0.0.156 (flowspecd), .157 (GoBGP); ports 26584 (gobgpd),
# 26555 (GoBGP API).
# Usage: FLOWSPECD_BIN=/abs/build/bin tests/interop/graceful_stop.sh
TEST=graceful_stop
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

need "$GOBGPD" "$GOBGP" "$PYTHON" ss
ports_free 26584 26555

FSD=127.0.0.156
GO=127.0.0.157 GO_API=26555
SOCK=$WORK/fsd.sock

cat >"$WORK/fsd.json" <<EOF2
{
  "router_id": "$FSD",
  "local_as": 65100,
  "control_socket": "$SOCK",
  "neighbors": [
    { "address": "$GO", "port": 26584, "remote_as": 65001,
      "local_address": "$FSD", "hold_time": 9, "connect_retry": 1,
      "restart_time": 60 }
  ],
  "static_rules": [
    "flow route { match { destination 10.80.1.0/24; protocol tcp; } then { discard; } }",
    "flow route { match { destination 10.80.2.0/24; } then { rate-limit 1000; } }",
    "flow route { match { destination 2001:db8:80::/48; } then { discard; } }"
  ]
}
EOF2
cat >"$WORK/expected.txt" <<'EOF2'
[destination: 10.80.1.0/24][protocol: ==tcp] | rate:0:0
[destination: 10.80.2.0/24] | rate:0:1000
[destination: 2001:db8:80::/48/0] | rate:0:0
EOF2

GOBGP_GR=1
cat >"$WORK/gobgp.toml" <<EOF2
[global.config]
  as = 65001
  router-id = "$GO"
  port = 26584
  local-address-list = ["$GO"]
$(gobgp_neighbor_toml "$FSD" 65100 "$GO" "" \
    "    idle-hold-time-after-reset = 1" \
    "  [neighbors.graceful-restart.config]" \
    "    enabled = true" \
    "    notification-enabled = true" \
    "    restart-time = 30")
EOF2

# table_now: GoBGP's table in $WORK/table.txt, "STALE TOTAL" in stale.txt.
table_now() { gobgp_table_stale "$GO" "$GO_API"; }
table_is() { # table_is EXPECTED "STALE TOTAL"
    table_now && same_table "$1" "$WORK/table.txt" &&
        [ "$(cat "$WORK/stale.txt")" = "$2" ]
}
up_with() { gobgp_established "$GO" "$GO_API" "$FSD" && table_is "$WORK/expected.txt" "0 3"; }
notifications() { grep -c "received notification" "$WORK/gobgpd.log"; }
# stop_with SIGNAL: signal flowspecd, check it exits with status 0.
stop_with() {
    kill -"$1" "$FSD_PID"
    if wait_until 15 eval '! alive "$FSD_PID"'; then
        wait "$FSD_PID"
        local rc=$?
        forget "$FSD_PID"
        check "exit-$1" "flowspecd exited with status $rc after SIG$1" [ "$rc" -eq 0 ]
    else
        fail "exit-$1" "flowspecd still running 15 s after SIG$1"
    fi
}

# ---- 1. up, GR negotiated ----

gobgpd_start GO_PID "$WORK/gobgp.toml" "$GO" "$GO_API" gobgpd.log
fsd_start FSD_PID "$WORK/fsd.json" flowspecd-1.log
wait_until 30 up_with ||
    die "GoBGP has not the 3 rules: $(tr '\n' ';' <"$WORK/table.txt") stale/total $(cat "$WORK/stale.txt")" start
check gr-negotiated "GoBGP saw no GR capability from flowspecd" \
    eval 'gocli "$GO" "$GO_API" neighbor "$FSD" | grep -q "restart time 60 sec"'
before=$(notifications)

# ---- 2. SIGTERM: GoBGP keeps the rules, stale ----

stop_with TERM
if wait_until 10 table_is "$WORK/expected.txt" "3 3"; then
    pass sigterm-rules-kept
else
    fail sigterm-rules-kept "GoBGP after SIGTERM: $(tr '\n' ';' <"$WORK/table.txt") stale/total $(cat "$WORK/stale.txt")"
fi
check sigterm-no-notification "GoBGP received a NOTIFICATION on SIGTERM" \
    [ "$(notifications)" = "$before" ]
check sigterm-logged "flowspecd did not log the graceful close" \
    grep -q "closing without NOTIFICATION (graceful restart)" "$WORK/flowspecd-1.log"
sleep 2
check still-kept "GoBGP dropped rules while flowspecd was down" \
    table_is "$WORK/expected.txt" "3 3"

# ---- 3. back: fresh again ----

fsd_start FSD_PID "$WORK/fsd.json" flowspecd-2.log
check restarted "GoBGP does not hold the 3 rules, none stale, after the restart" \
    wait_until 30 up_with

# ---- 4. SIGQUIT: hard stop, GoBGP drops the rules ----

stop_with QUIT
check sigquit-cease "GoBGP got no Cease on SIGQUIT" \
    wait_until 5 grep -q '"Code":6,.*"Subcode":9' "$WORK/gobgpd.log"
if wait_until 10 eval 'table_now && [ ! -s "$WORK/table.txt" ]'; then
    pass sigquit-rules-dropped
else
    fail sigquit-rules-dropped "GoBGP still holds after SIGQUIT: $(tr '\n' ';' <"$WORK/table.txt")"
fi
if grep -qE 'ERROR: (Address|Leak)Sanitizer|runtime error' "$WORK"/flowspecd-*.log; then
    fail sanitizers "flowspecd log has sanitizer reports"
else
    pass sanitizers
fi
finish
