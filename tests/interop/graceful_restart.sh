#!/usr/bin/env bash
# Graceful Restart (RFC 4724, with the N bit of RFC 8538) between
# flowspecd (the restarting speaker, restart_time 20) and GoBGP (the
# receiving speaker, graceful-restart and mp-graceful-restart on for both
# Flowspec families):
#   1. GR is negotiated; GoBGP has the 6 static rules;
#   2. flowspecd is killed with SIGKILL: GoBGP keeps all 6, marked stale;
#   3. flowspecd comes back with one static rule removed, its OPEN with the
#      Restart State bit: GoBGP is polled the whole time and must hold the
#      5 remaining rules in every sample; after flowspecd's End-of-RIB it
#      holds exactly those 5, none stale (the removed one is gone);
#   4. flowspecd clears the R bit once the peer has the table: after a
#      hard reset the next OPEN has no R bit.
#
# Ports: 24790 (gobgpd), 24050 (GoBGP API).
# Usage: FLOWSPECD_BIN=/abs/build/bin tests/interop/graceful_restart.sh
TEST=graceful_restart
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

need "$GOBGPD" "$GOBGP" "$PYTHON" ss
ports_free 24790 24050

FSD=127.0.0.81
GO=127.0.0.82 GO_API=24050
SOCK=$WORK/fsd.sock
RESTART_TIME=20         # flowspecd announces it; GoBGP keeps stale rules this long
REMOVED=3               # the static rule the restarted flowspecd no longer has

RULES=(
    "flow route { match { destination 10.50.100.100/32; protocol tcp; destination-port =1234; } then { discard; } }"
    "flow route { match { destination 10.1.0.0/16; protocol udp; source-port =53; } then { rate-limit 1000; } }"
    "flow route { match { destination 10.2.0.0/16; fragment is-fragment; } then { redirect 65000:100; } }"
    "flow route { match { destination 10.3.0.0/16; packet-length >=1000&<=1500; } then { mark 10; } }"
    "flow route { match { destination 2001:db8:1::/48; next-header tcp; } then { discard; } }"
    "flow route { match { destination 2001:db8:2::/48; flow-label 1234; } then { rate-limit 5000; } }"
)
KEYS=(
    "[destination: 10.50.100.100/32][protocol: ==tcp][destination-port: ==1234] | rate:0:0"
    "[destination: 10.1.0.0/16][protocol: ==udp][source-port: ==53] | rate:0:1000"
    "[destination: 10.2.0.0/16][fragment: is-fragment] | redirect:65000:100"
    "[destination: 10.3.0.0/16][packet-length: >=1000&<=1500] | mark:10"
    "[destination: 2001:db8:1::/48/0][protocol: ==tcp] | rate:0:0"
    "[destination: 2001:db8:2::/48/0][label: ==1234] | rate:0:5000"
)
printf '%s\n' "${KEYS[@]}" >"$WORK/expected-all.txt"
printf '%s\n' "${KEYS[@]}" | grep -vF "${KEYS[REMOVED - 1]}" >"$WORK/expected-after.txt"

# flowspecd_config FILE RULE_INDEX…: the config with those static rules.
flowspecd_config() {
    local file=$1 i rules=()
    shift
    for i in "$@"; do rules+=("${RULES[i - 1]}"); done
    cat >"$file" <<EOF
{
  "router_id": "$FSD",
  "local_as": 65100,
  "control_socket": "$SOCK",
  "neighbors": [
    { "address": "$GO", "port": 24790, "remote_as": 65001,
      "local_address": "$FSD", "hold_time": 9, "connect_retry": 1,
      "graceful_restart": true, "restart_time": $RESTART_TIME }
  ],
  "static_rules": $(printf '%s\n' "${rules[@]}" |
        "$PYTHON" -c 'import json,sys; print(json.dumps(sys.stdin.read().splitlines()))')
}
EOF
}
flowspecd_config "$WORK/before.json" 1 2 3 4 5 6
flowspecd_config "$WORK/after.json" 1 2 4 5 6

GOBGP_GR=1
cat >"$WORK/gobgp.toml" <<EOF
[global.config]
  as = 65001
  router-id = "$GO"
  port = 24790
  local-address-list = ["$GO"]
$(gobgp_neighbor_toml "$FSD" 65100 "$GO" "" \
    "    idle-hold-time-after-reset = 1" \
    "  [neighbors.graceful-restart.config]" \
    "    enabled = true" \
    "    restart-time = 30")
EOF

# table_now: GoBGP's table in $WORK/table.txt, "STALE TOTAL" in stale.txt.
table_now() { gobgp_table_stale "$GO" "$GO_API"; }
stale_is() { [ "$(cat "$WORK/stale.txt")" = "$1" ]; }
# remote_gr: GoBGP's text on the GR capability flowspecd sent.
remote_gr() { gocli "$GO" "$GO_API" neighbor "$FSD" | grep -A1 -m1 'Remote: restart time'; }
up_with() { # up_with EXPECTED STALE_TOTAL: Established, that table, that stale count
    gobgp_established "$GO" "$GO_API" "$FSD" && table_now &&
        same_table "$1" "$WORK/table.txt" && stale_is "$2"
}

# ---- 1. up, GR negotiated ----

gobgpd_start GO_PID "$WORK/gobgp.toml" "$GO" "$GO_API" gobgpd.log
fsd_start FSD_PID "$WORK/before.json" flowspecd-1.log
if wait_until 30 up_with "$WORK/expected-all.txt" "0 6"; then
    pass table-before
else
    die "GoBGP has not the 6 rules: $(tr '\n' ';' <"$WORK/table.txt") stale/total $(cat "$WORK/stale.txt")" table-before
fi
gr=$(remote_gr)
check gr-negotiated "GoBGP saw no GR capability with 20 s and the N bit: $gr" \
    grep -q "restart time $RESTART_TIME sec.*notification flag set" <<<"$gr"
# flowspecd starts with the R bit (RFC 4724 §4.1: it cannot tell a
# restart from a first start) and clears it once the peer is synced.
wait_until 10 grep -q "graceful restart done: every peer has the table" \
    "$WORK/flowspecd-1.log" ||
    fail restart-state-cleared "no 'graceful restart done' in the log"

# ---- 2. SIGKILL: GoBGP keeps the rules, stale ----

kill -KILL "$FSD_PID"
wait "$FSD_PID" 2>/dev/null
forget "$FSD_PID"
killed_at=$SECONDS
if wait_until 10 eval 'table_now && stale_is "6 6"'; then
    compare stale-kept "$WORK/expected-all.txt" "$WORK/table.txt"
else
    fail stale-kept "GoBGP did not mark the 6 rules stale: stale/total $(cat "$WORK/stale.txt")"
fi

# Downtime: a few samples, every rule must still be there.
lost=""
for _ in 1 2 3 4 5; do
    table_now
    "$PYTHON" "$INTEROP_PY" contains "$WORK/expected-all.txt" "$WORK/table.txt" \
        >"$WORK/missing.txt" || lost+="$(head -n 1 "$WORK/missing.txt") (down $((SECONDS - killed_at)) s); "
    sleep 0.3
done

# ---- 3. back with one rule less: the 5 never go, the removed one goes ----

spawn FSD_PID flowspecd-2.log "$FLOWSPECD" -c "$WORK/after.json" -d
samples=0
synced=0
deadline=$((SECONDS + RESTART_TIME))
while ((SECONDS < deadline)); do
    table_now
    samples=$((samples + 1))
    "$PYTHON" "$INTEROP_PY" contains "$WORK/expected-after.txt" "$WORK/table.txt" \
        >"$WORK/missing.txt" || lost+="$(head -n 1 "$WORK/missing.txt") (down $((SECONDS - killed_at)) s); "
    if same_table "$WORK/expected-after.txt" "$WORK/table.txt" && stale_is "0 5"; then
        synced=1
        break
    fi
    alive "$FSD_PID" || break
    sleep 0.2
done
say "restart: $samples samples of GoBGP's table, $((SECONDS - killed_at)) s after the kill"
check never-lost "rules went missing during the restart: $lost" [ -z "$lost" ]
if ((synced)); then
    pass after-end-of-rib
else
    compare after-end-of-rib "$WORK/expected-after.txt" "$WORK/table.txt"
    say "stale/total: $(cat "$WORK/stale.txt")"
fi
check restart-bit "GoBGP warned that the restart flag is not set" \
    eval '! grep -q "restart flag is not set" "$WORK/gobgpd.log"'
gr=$(remote_gr)
say "GoBGP on the restarted flowspecd's OPEN: $(echo "$gr" | head -n 1 | sed 's/^ *//')"
check restart-bit-sent "GoBGP saw no Restart State bit from the restarted flowspecd: $gr" \
    grep -q "restart flag set" <<<"$gr"
check restart-state-cleared "no 'graceful restart done' after the restart" \
    wait_until 10 grep -q "graceful restart done: every peer has the table" \
    "$WORK/flowspecd-2.log"

# ---- 4. the R bit is gone from later OPENs ----

count=$(nbr "$GO" established_count)
ctl clear neighbor "$GO" >>"$WORK/ctl.log" 2>&1
if wait_until 30 eval '[ "$(nbr "$GO" established_count)" -gt "$count" ] &&
        up_with "$WORK/expected-after.txt" "0 5"'; then
    gr=$(remote_gr)
    check restart-bit-cleared "the OPEN after the restart still has the R bit: $gr" \
        eval '! grep -q "restart flag set" <<<"$gr"'
else
    fail restart-bit-cleared "no new session after clear neighbor ($(nbr "$GO" state))"
fi

kill -TERM "$FSD_PID"
if wait_until 15 eval '! alive "$FSD_PID"'; then
    wait "$FSD_PID"
    rc=$?
    forget "$FSD_PID"
    check clean-exit "flowspecd exited with status $rc" [ "$rc" -eq 0 ]
else
    fail clean-exit "flowspecd still running 15 s after SIGTERM"
fi
if grep -qE 'ERROR: (Address|Leak)Sanitizer|runtime error' "$WORK"/flowspecd-*.log; then
    fail sanitizers "flowspecd log has sanitizer reports"
else
    pass sanitizers
fi

finish
