#!/usr/bin/env bash
# Router profiles with two GoBGP receivers: flowspecd 127.0.0.140 connects
# to gobgpd A 127.0.0.141 (profile frr) and gobgpd B 127.0.0.142 (profile
# iosxr). The same rules go to both; each receiver must hold exactly what
# its profile carries (bgpd/bgp/profile.c):
#   != 80          A: rewritten, GoBGP shows <80 >80 | B: != 80 as is
#   mark           A: refused (FRR installs no marking) | B: sent
#   flow-label     A: sent (IPv6 type 13)   | B: refused (IOS-XR: 1-12)
#   >1024&!=8080   A: refused (no OR-only form) | B: sent
#   plain discard  both
# then a rule both have changes to an action A's profile refuses: A gets
# the withdraw, B the new actions. Checked too: show neighbor --json
# (rules_refused, profile), show adj-rib-out (the refused lines and their
# reasons), the log, and that both sessions stay up.
#
# Ports: 26401/26402 (gobgpd A/B), 26450/26451 (GoBGP APIs).
# Usage: FLOWSPECD_BIN=/abs/build/bin tests/interop/profiles.sh
TEST=profiles
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

need "$GOBGPD" "$GOBGP" "$PYTHON" ss
ports_free 26401 26402 26450 26451

FSD=127.0.0.140
A=127.0.0.141 A_API=26450
B=127.0.0.142 B_API=26451
SOCK=$WORK/fsd.sock

NE='flow route { match { destination 10.60.0.1/32; destination-port !=80; } then { discard; } }'
MARK='flow route { match { destination 10.60.0.2/32; } then { mark 10; } }'
LABEL='flow route { match { destination 2001:db8:60::/48; flow-label 1234; } then { discard; } }'
NE_AND='flow route { match { destination 10.60.0.4/32; destination-port >1024&!=8080; } then { discard; } }'
PLAIN='flow route { match { destination 10.60.0.5/32; protocol tcp; } then { discard; } }'
LATER='flow route { match { destination 10.60.0.6/32; } then { rate-limit 1000; } }'
LATER_MARK='flow route { match { destination 10.60.0.6/32; } then { mark 12; } }'

# What GoBGP 3.10 shows for each (its own text for the NLRI and actions,
# as in gobgp-rules.txt).
K_NE_A='[destination: 10.60.0.1/32][destination-port: <80 >80] | rate:0:0'
K_NE_B='[destination: 10.60.0.1/32][destination-port: !=80] | rate:0:0'
K_MARK='[destination: 10.60.0.2/32] | mark:10'
K_LABEL='[destination: 2001:db8:60::/48/0][label: ==1234] | rate:0:0'
K_NE_AND='[destination: 10.60.0.4/32][destination-port: >1024&!=8080] | rate:0:0'
K_PLAIN='[destination: 10.60.0.5/32][protocol: ==tcp] | rate:0:0'
K_LATER='[destination: 10.60.0.6/32] | rate:0:1000'
K_LATER_MARK='[destination: 10.60.0.6/32] | mark:12'

# ---- configs ----

IDLE_HOLD="    idle-hold-time-after-reset = 1"
for peer in A B; do
    addr=${!peer}
    port=$([ "$peer" = A ] && echo 26401 || echo 26402)
    cat >"$WORK/gobgp-$peer.toml" <<EOF
[global.config]
  as = 65001
  router-id = "$addr"
  port = $port
  local-address-list = ["$addr"]
$(gobgp_neighbor_toml "$FSD" 65100 "$addr" "" "$IDLE_HOLD")
EOF
done

static_json=$(printf '%s\n' "$NE" "$MARK" "$LABEL" "$NE_AND" "$PLAIN" |
    "$PYTHON" -c 'import json,sys; print(json.dumps(sys.stdin.read().splitlines(), indent=2))')
cat >"$WORK/flowspecd.json" <<EOF
{
  "router_id": "$FSD",
  "local_as": 65100,
  "control_socket": "$SOCK",
  "neighbors": [
    { "address": "$A", "port": 26401, "remote_as": 65001,
      "local_address": "$FSD", "hold_time": 9, "connect_retry": 1,
      "profile": "frr", "description": "gobgpd A as FRR" },
    { "address": "$B", "port": 26402, "remote_as": 65001,
      "local_address": "$FSD", "hold_time": 9, "connect_retry": 1,
      "profile": "iosxr", "description": "gobgpd B as IOS-XR" }
  ],
  "static_rules": $static_json
}
EOF

both_up() {
    fsd_established "$A" && fsd_established "$B" &&
        gobgp_established "$A" "$A_API" "$FSD" &&
        gobgp_established "$B" "$B_API" "$FSD"
}
table_is() {
    gobgp_table "$1" "$2" >"$WORK/table-$1.txt"
    same_table "$3" "$WORK/table-$1.txt"
}
table_check() {
    wait_until 20 table_is "$2" "$3" "$4"
    compare "$1" "$4" "$WORK/table-$2.txt"
}
expect() { local f=$WORK/$1; shift; printf '%s\n' "$@" >"$f"; }

# ---- run ----

"$FLOWSPECD" -c "$WORK/flowspecd.json" --check >"$WORK/check.log" 2>&1
check config-check "flowspecd --check refused the config: $(head -n 3 "$WORK/check.log")" \
    grep -q ': ok$' "$WORK/check.log"

gobgpd_start GA "$WORK/gobgp-A.toml" "$A" "$A_API" gobgpd-a.log
gobgpd_start GB "$WORK/gobgp-B.toml" "$B" "$B_API" gobgpd-b.log
fsd_start FSD_PID "$WORK/flowspecd.json" flowspecd.log

if wait_until 30 both_up; then
    pass established
else
    die "sessions not Established: A $(nbr "$A" state) / B $(nbr "$B" state)" established
fi

expect exp-a "$K_NE_A" "$K_LABEL" "$K_PLAIN"
expect exp-b "$K_NE_B" "$K_MARK" "$K_NE_AND" "$K_PLAIN"
table_check frr-receiver "$A" "$A_API" "$WORK/exp-a"
table_check iosxr-receiver "$B" "$B_API" "$WORK/exp-b"
# The refused rules are not late: both tables stay as they are.
sleep 1
table_check frr-receiver-stays "$A" "$A_API" "$WORK/exp-a"

check refused-count-frr "A rules_refused $(nbr "$A" rules_refused), not 2" nbr_is "$A" rules_refused 2
check refused-count-iosxr "B rules_refused $(nbr "$B" rules_refused), not 1" nbr_is "$B" rules_refused 1
check profile-shown "A profile $(nbr "$A" profile) / B $(nbr "$B" profile)" \
    eval '[ "$(nbr "$A" profile)/$(nbr "$B" profile)" = frr/iosxr ]'
ctl show neighbor "$A" >"$WORK/show-a.txt" 2>&1
check show-neighbor-human "show neighbor $A: $(grep -E '^(Rules|Profile)' "$WORK/show-a.txt" | tr '\n' ';')" \
    eval 'grep -q "^Rules: .* 2 refused$" "$WORK/show-a.txt" && grep -q "^Profile: *frr$" "$WORK/show-a.txt"'

ctl show adj-rib-out "$A" >"$WORK/adj-a.txt" 2>&1
check adj-rib-out-rewritten "show adj-rib-out $A has no '<80 >80' rule: $(head -n 5 "$WORK/adj-a.txt" | tr '\n' ';')" \
    grep -qF 'destination 10.60.0.1/32; destination-port [ <80 >80 ];' "$WORK/adj-a.txt"
check adj-rib-out-refused "refused lines of $A: $(grep '^# refused' "$WORK/adj-a.txt" | tr '\n' ';')" \
    eval '[ "$(grep -c "^# refused" "$WORK/adj-a.txt")" -eq 2 ] &&
        grep -qF "# refused (profile frr: action mark not carried): flow route { match { destination 10.60.0.2/32; }" "$WORK/adj-a.txt" &&
        grep -qF "# refused (profile frr: destination-port != joined with &" "$WORK/adj-a.txt"'
ctl show adj-rib-out "$B" --json >"$WORK/adj-b.json" 2>&1
check adj-rib-out-json "B's refused array: $(head -c 300 "$WORK/adj-b.json")" \
    grep -qF '"refused":[{"rule":"flow route { match { destination 2001:db8:60::/48; flow-label =1234; } then { discard; } }","family":"ipv6-flowspec","reason":"profile iosxr: component flow-label not carried"}]' "$WORK/adj-b.json"
check refused-logged "no 'not sent (profile frr: action mark' in the log" \
    grep -q "peer $A: not sent (profile frr: action mark not carried)" "$WORK/flowspecd.log"

# A rule both have changes to an action A's profile refuses: withdrawn
# at A, replaced at B; and back.
ctl announce "$LATER" >>"$WORK/ctl.log" 2>&1 || fail announce "flowspecctl announce failed"
expect exp-a2 "$K_NE_A" "$K_LABEL" "$K_PLAIN" "$K_LATER"
expect exp-b2 "$K_NE_B" "$K_MARK" "$K_NE_AND" "$K_PLAIN" "$K_LATER"
table_check announce-frr "$A" "$A_API" "$WORK/exp-a2"
table_check announce-iosxr "$B" "$B_API" "$WORK/exp-b2"
ctl announce "$LATER_MARK" >>"$WORK/ctl.log" 2>&1 || fail change "flowspecctl announce failed"
expect exp-b3 "$K_NE_B" "$K_MARK" "$K_NE_AND" "$K_PLAIN" "$K_LATER_MARK"
table_check becomes-refused-withdrawn "$A" "$A_API" "$WORK/exp-a"
table_check becomes-refused-other-peer "$B" "$B_API" "$WORK/exp-b3"
check refused-count-after "A rules_refused $(nbr "$A" rules_refused), not 3" nbr_is "$A" rules_refused 3
ctl announce "$LATER" >>"$WORK/ctl.log" 2>&1 || fail change-back "flowspecctl announce failed"
table_check carried-again "$A" "$A_API" "$WORK/exp-a2"

# The rewritten rule's withdraw is the NLRI A has.
ctl withdraw "${NE%% then *} }" >>"$WORK/ctl.log" 2>&1 || fail withdraw "flowspecctl withdraw failed"
expect exp-a4 "$K_LABEL" "$K_PLAIN" "$K_LATER"
table_check rewritten-withdrawn "$A" "$A_API" "$WORK/exp-a4"

check sessions-stayed-up "established_count A $(nbr "$A" established_count) B $(nbr "$B" established_count)" \
    eval '[ "$(nbr "$A" established_count)$(nbr "$B" established_count)" = 11 ]'

fsd_stop "$FSD_PID" "$WORK/flowspecd.log"
finish
