#!/usr/bin/env bash
# reload and SIGHUP with two GoBGP receivers, A and B:
#   1. flowspecd up with A and B and three static rules;
#   2. `flowspecctl reload` of a changed config: A's description changed
#      (applied in place: its session stays up, GoBGP sees no new
#      session), B's hold time changed (its session is replaced), one
#      static rule removed, one added, one with a new action: both
#      receivers end with the new table;
#   3. a broken config (JSON syntax error, then a bad value) is refused
#      with its place, and nothing changes;
#   4. SIGHUP with B removed: B gets Cease/Peer De-configured (6/3) and
#      leaves `show neighbor`; A is untouched.
#
# Addresses 127.0.0.153 (flowspecd), .154 (GoBGP A), .155 (GoBGP B);
# ports 26582/26583 (gobgpd A/B), 26553/26554 (their APIs).
# Usage: FLOWSPECD_BIN=/abs/build/bin tests/interop/reload.sh
TEST=reload
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

need "$GOBGPD" "$GOBGP" "$PYTHON" ss
ports_free 26582 26583 26553 26554

FSD=127.0.0.153
A=127.0.0.154 A_PORT=26582 A_API=26553
B=127.0.0.155 B_PORT=26583 B_API=26554
SOCK=$WORK/fsd.sock
CONF=$WORK/fsd.json

R1="flow route { match { destination 10.70.1.0/24; protocol tcp; } then { discard; } }"
R1B="flow route { match { destination 10.70.1.0/24; protocol tcp; } then { rate-limit 5000; } }"
R2="flow route { match { destination 10.70.2.0/24; protocol udp; } then { discard; } }"
R3="flow route { match { destination 10.70.3.0/24; } then { redirect 65000:300; } }"
R4="flow route { match { destination 10.70.4.0/24; } then { mark 10; } }"
K1="[destination: 10.70.1.0/24][protocol: ==tcp] | rate:0:0"
K1B="[destination: 10.70.1.0/24][protocol: ==tcp] | rate:0:5000"
K2="[destination: 10.70.2.0/24][protocol: ==udp] | rate:0:0"
K3="[destination: 10.70.3.0/24] | redirect:65000:300"
K4="[destination: 10.70.4.0/24] | mark:10"
printf '%s\n' "$K1" "$K2" "$K3" >"$WORK/expected-1.txt"
printf '%s\n' "$K1B" "$K3" "$K4" >"$WORK/expected-2.txt"

# config DESC_A HOLD_B WITH_B RULE…: the daemon config.
config() {
    local desc=$1 hold=$2 with_b=$3 b=""
    shift 3
    [ "$with_b" = 1 ] && b=",
    { \"address\": \"$B\", \"port\": $B_PORT, \"remote_as\": 65002,
      \"local_address\": \"$FSD\", \"hold_time\": $hold, \"connect_retry\": 1 }"
    cat <<EOF2
{
  "router_id": "$FSD",
  "local_as": 65100,
  "control_socket": "$SOCK",
  "neighbors": [
    { "address": "$A", "port": $A_PORT, "remote_as": 65001,
      "local_address": "$FSD", "hold_time": 9, "connect_retry": 1,
      "description": "$desc" }$b
  ],
  "static_rules": $(printf '%s\n' "$@" |
        "$PYTHON" -c 'import json,sys; print(json.dumps(sys.stdin.read().splitlines()))')
}
EOF2
}

gobgp_toml() { # gobgp_toml ADDR AS PORT
    cat <<EOF2
[global.config]
  as = $2
  router-id = "$1"
  port = $3
  local-address-list = ["$1"]
$(gobgp_neighbor_toml "$FSD" 65100 "$1" "")
EOF2
}
gobgp_toml "$A" 65001 "$A_PORT" >"$WORK/gobgp-a.toml"
gobgp_toml "$B" 65002 "$B_PORT" >"$WORK/gobgp-b.toml"

# has_table HOST API EXPECTED: established with exactly that table.
has_table() {
    gobgp_established "$1" "$2" "$FSD" &&
        gobgp_table "$1" "$2" >"$WORK/table-$1.txt" &&
        same_table "$3" "$WORK/table-$1.txt"
}
both_have() { has_table "$A" "$A_API" "$1" && has_table "$B" "$B_API" "$1"; }
# go_uptime HOST API: GoBGP's uptime stamp of the session (changes only
# when a new session comes up).
go_uptime() {
    gocli "$1" "$2" neighbor "$FSD" -j 2>/dev/null | "$PYTHON" -c '
import json, sys
d = json.load(sys.stdin)
d = d[0] if isinstance(d, list) else d
print(d.get("timers", {}).get("state", {}).get("uptime", {}))'
}

# ---- 1. up ----

config "router A" 9 1 "$R1" "$R2" "$R3" >"$CONF"
gobgpd_start A_PID "$WORK/gobgp-a.toml" "$A" "$A_API" gobgpd-a.log
gobgpd_start B_PID "$WORK/gobgp-b.toml" "$B" "$B_API" gobgpd-b.log
fsd_start FSD_PID "$CONF" flowspecd.log
if wait_until 30 both_have "$WORK/expected-1.txt"; then
    pass start
else
    die "A and B do not both have the 3 rules: A $(tr '\n' ';' <"$WORK/table-$A.txt") B $(tr '\n' ';' <"$WORK/table-$B.txt" 2>/dev/null)" start
fi
a_count=$(nbr "$A" established_count)
a_up=$(go_uptime "$A" "$A_API")
b_up=$(go_uptime "$B" "$B_API")
sleep 1.1     # GoBGP's uptime has a 1 s resolution

# ---- 2. reload of a changed config ----

config "router A, rack 2" 12 1 "$R1B" "$R3" "$R4" >"$CONF"
if out=$(ctl reload 2>&1); then
    pass reload-ok
else
    fail reload-ok "flowspecctl reload failed: $out"
fi
if wait_until 30 both_have "$WORK/expected-2.txt"; then
    pass new-table
else
    compare new-table-a "$WORK/expected-2.txt" "$WORK/table-$A.txt"
    compare new-table-b "$WORK/expected-2.txt" "$WORK/table-$B.txt"
fi
check a-kept "A's session was reset: established_count $a_count -> $(nbr "$A" established_count)" \
    nbr_is "$A" established_count "$a_count"
check a-kept-gobgp "GoBGP saw a new session from flowspecd on A: uptime $a_up -> $(go_uptime "$A" "$A_API")" \
    [ "$(go_uptime "$A" "$A_API")" = "$a_up" ]
check a-description "A's description was not updated: $(nbr "$A" description)" \
    nbr_is "$A" description "router A, rack 2"
check b-reset "B's session was not replaced: GoBGP's uptime stamp $b_up -> $(go_uptime "$B" "$B_API")" \
    wait_until 20 eval '[ "$(go_uptime "$B" "$B_API")" != "$b_up" ] && fsd_established "$B"'
check b-reset-cease "GoBGP B got no Cease/Other Configuration Change" \
    grep -q "code 6(cease) subcode 6(other configuration change)" "$WORK/gobgpd-b.log"

# ---- 3. a broken config is refused ----

cp "$CONF" "$WORK/good.json"
printf '{\n  "router_id": "%s",\n  "local_as": 65100\n  "neighbors": []\n}\n' "$FSD" >"$CONF"
out=$(ctl reload 2>&1)
rc=$?
check broken-syntax "reload of a JSON syntax error: exit $rc, '$out'" \
    eval '[ "$rc" -ne 0 ] && grep -qE "^error: .*fsd.json:4:[0-9]+: .*running config kept" <<<"$out"'
config "router A, rack 2" 12 1 "$R1B" "$R3" "$R4" |
    sed 's/"remote_as": 65002/"remote_as": "65002"/' >"$CONF"
out=$(ctl reload 2>&1)
rc=$?
check broken-value "reload of a bad value: exit $rc, '$out'" \
    eval '[ "$rc" -ne 0 ] && grep -qE "^error: .*fsd.json: neighbors\[1\]\.remote_as: .*line [0-9]+" <<<"$out"'
check broken-kept "the running config changed after refused reloads" \
    eval 'nbr_is "$A" established_count "$a_count" && both_have "$WORK/expected-2.txt"'

# ---- 4. SIGHUP: B removed ----

config "router A, rack 2" 12 0 "$R1B" "$R3" "$R4" >"$CONF"
kill -HUP "$FSD_PID"
b_gone() { ! ctl show neighbor --json | grep -q "\"$B\""; }
check sighup-b-removed "B is still in show neighbor after SIGHUP" wait_until 10 b_gone
check sighup-b-cease "GoBGP B got no Cease/Peer De-configured" \
    wait_until 10 grep -q "code 6(cease) subcode 3(peer deconfigured)" "$WORK/gobgpd-b.log"
check sighup-b-table "GoBGP B still holds rules after B was removed" \
    wait_until 10 eval '[ -z "$(gobgp_table "$B" "$B_API")" ]'
check sighup-a-kept "A's session was reset by the SIGHUP" \
    eval 'nbr_is "$A" established_count "$a_count" && [ "$(go_uptime "$A" "$A_API")" = "$a_up" ] && has_table "$A" "$A_API" "$WORK/expected-2.txt"'
check sighup-logged "no 'reloaded' line for the SIGHUP" \
    grep -q "reloaded .*1 removed" "$WORK/flowspecd.log"

fsd_stop "$FSD_PID" "$WORK/flowspecd.log"
finish
