#!/usr/bin/env bash
# flowspecd -> GoBGP on loopback, both directions at once:
#   A: gobgpd 127.0.0.22 (AS 65001, eBGP) listens on 127.0.0.22:21790 and
#      flowspecd connects to it;
#   B: gobgpd 127.0.0.23 (AS 65100, iBGP) connects to flowspecd's passive
#      listener 127.0.0.21:21179.
# The 50 rules of gobgp-rules.txt (25 from static_rules, 25 announced with
# flowspecctl, 10 of them IPv6) are read back from `gobgp global rib -j`
# and compared rule by rule with what GoBGP must show for each (written by
# hand in gobgp-rules.txt; B has "profile": "gobgp", which carries them
# all). Then: a rule for one neighbor only, RFC 8956 §3.8's IPv6 prefix
# offset examples (A, generic, holds the RFC's octets; the gobgp profile
# refuses them for B: GoBGP reads the pre-RFC layout), withdraws,
# GoBGP restart (full table again), hold timer expiry (SIGSTOP gobgpd A:
# NOTIFICATION 4/0 from flowspecd; SIGCONT: session and table back), route
# refresh (clear neighbor soft: the table again, ROUTE-REFRESH to GoBGP),
# and a clean daemon exit (Cease to both).
#
# Ports: 21179 (flowspecd), 21790 (gobgpd A), 21050/21051 (GoBGP APIs).
# Usage: FLOWSPECD_BIN=/abs/build/bin tests/interop/gobgp.sh
TEST=gobgp
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

need "$GOBGPD" "$GOBGP" "$PYTHON" ss
ports_free 21179 21790 21050 21051

FSD=127.0.0.21
A=127.0.0.22 A_API=21050
B=127.0.0.23 B_API=21051
SOCK=$WORK/fsd.sock
HOLD_A=6                # flowspecd's hold time towards A: negotiated 6 s

RULES_FILE=$INTEROP_DIR/gobgp-rules.txt
mapfile -t RULES < <(rules_field "$RULES_FILE" 1)
((${#RULES[@]} == 50)) || die "gobgp-rules.txt has ${#RULES[@]} rules, not 50"
paste -d '|' <(rules_field "$RULES_FILE" 2) <(rules_field "$RULES_FILE" 3) |
    sed 's/|/ | /' >"$WORK/expected.txt"
STATIC=("${RULES[@]:0:25}")
ANNOUNCED=("${RULES[@]:25}")

# ---- configs ----

# GoBGP waits 30 s after a reset by default: make it 1 s.
IDLE_HOLD="    idle-hold-time-after-reset = 1"

cat >"$WORK/gobgp-a.toml" <<EOF
[global.config]
  as = 65001
  router-id = "$A"
  port = 21790
  local-address-list = ["$A"]
$(gobgp_neighbor_toml "$FSD" 65100 "$A" "" "$IDLE_HOLD")
EOF
# B does not listen (port -1): it connects to flowspecd's listener.
cat >"$WORK/gobgp-b.toml" <<EOF
[global.config]
  as = 65100
  router-id = "$B"
  port = -1
$(gobgp_neighbor_toml "$FSD" 65100 "$B" 21179 "$IDLE_HOLD")
EOF

static_json=$(printf '%s\n' "${STATIC[@]}" |
    "$PYTHON" -c 'import json,sys; print(json.dumps(sys.stdin.read().splitlines(), indent=2))')
cat >"$WORK/flowspecd.json" <<EOF
{
  "router_id": "$FSD",
  "local_as": 65100,
  "listen": "$FSD:21179",
  "control_socket": "$SOCK",
  "neighbors": [
    { "address": "$A", "port": 21790, "remote_as": 65001,
      "local_address": "$FSD", "hold_time": $HOLD_A, "connect_retry": 1,
      "description": "gobgpd A (we connect)" },
    { "address": "$B", "remote_as": 65100, "passive": true,
      "hold_time": 9, "description": "gobgpd B (it connects)",
      "profile": "gobgp" }
  ],
  "static_rules": $static_json
}
EOF

# ---- helpers ----

both_up() {
    fsd_established "$A" && fsd_established "$B" &&
        gobgp_established "$A" "$A_API" "$FSD" &&
        gobgp_established "$B" "$B_API" "$FSD"
}
# table_is HOST API EXPECTED: GoBGP's table equals EXPECTED now (the
# normalised table is left in $WORK/table-HOST.txt).
table_is() {
    gobgp_table "$1" "$2" >"$WORK/table-$1.txt"
    same_table "$3" "$WORK/table-$1.txt"
}
# table_check CHECK HOST API EXPECTED: wait up to 20 s for it, then
# compare rule by rule (the diff is the failure message).
table_check() {
    wait_until 20 table_is "$2" "$3" "$4"
    compare "$1" "$4" "$WORK/table-$2.txt"
}
# Lines of flowspecd's log matching a pattern.
log_count() { grep -c -- "$1" "$WORK/flowspecd.log"; }

# ---- start ----

gobgpd_start GA "$WORK/gobgp-a.toml" "$A" "$A_API" gobgpd-a.log
gobgpd_start GB "$WORK/gobgp-b.toml" "$B" "$B_API" gobgpd-b.log
fsd_start FSD_PID "$WORK/flowspecd.json" flowspecd.log

if wait_until 30 both_up; then
    pass established
else
    die "sessions not Established: A $(nbr "$A" state) / B $(nbr "$B" state)" established
fi

bad=0
for r in "${ANNOUNCED[@]}"; do
    ctl announce "$r" >>"$WORK/ctl.log" 2>&1 || {
        bad=$((bad + 1))
        echo "refused: $r" >>"$WORK/ctl.log"
    }
done
check announce "$bad of 25 announces refused (ctl.log)" [ "$bad" -eq 0 ]

# ---- the 50 rules, rule by rule ----

table_check rules-we-connect "$A" "$A_API" "$WORK/expected.txt"
table_check rules-they-connect "$B" "$B_API" "$WORK/expected.txt"
v6=$(grep -c '^\[destination: [0-9a-f:]*::\|^\[source: [0-9a-f:]*::\|^\[label' \
    "$WORK/table-$A.txt")
check ipv6-rules "GoBGP holds $v6 IPv6 rules, not 10" [ "$v6" -eq 10 ]

attrs_a=$(gocli "$A" "$A_API" global rib -a ipv4-flowspec -j |
    "$PYTHON" "$INTEROP_PY" gobgp-attrs)
check attrs-ebgp "eBGP attributes: $attrs_a" \
    [ "$attrs_a" = "origin=igp as_path=[65100] local_pref=-" ]
attrs_b=$(gocli "$B" "$B_API" global rib -a ipv6-flowspec -j |
    "$PYTHON" "$INTEROP_PY" gobgp-attrs)
check attrs-ibgp "iBGP attributes: $attrs_b" \
    [ "$attrs_b" = "origin=igp as_path=[] local_pref=100" ]

# ---- a rule for one neighbor only ----

ONE='flow route { match { destination 10.99.0.0/16; } then { discard; } }'
cp "$WORK/expected.txt" "$WORK/expected-one.txt"
echo '[destination: 10.99.0.0/16] | rate:0:0' >>"$WORK/expected-one.txt"
if ctl neighbor "$A" announce "$ONE" >>"$WORK/ctl.log" 2>&1; then
    table_check targeted-announce "$A" "$A_API" "$WORK/expected-one.txt"
    # B must not get it: its table stays the 50 (give it a moment).
    sleep 1
    table_check targeted-not-others "$B" "$B_API" "$WORK/expected.txt"
    ctl withdraw "$ONE" >>"$WORK/ctl.log" 2>&1 ||
        fail targeted-withdraw "flowspecctl withdraw failed"
    table_check targeted-withdraw "$A" "$A_API" "$WORK/expected.txt"
else
    fail targeted-announce "flowspecctl neighbor $A announce failed"
fi

# ---- RFC 8956 IPv6 prefix offsets: A (generic) gets them, B (gobgp) not ----
# RFC 8956 §3.8's two examples (destination 2001:db8::/32, source
# ::1234:5678:9a00:0/104 at offset 64 with next header tcp, and at offset
# 65). GoBGP 3.10 reads IPv6 prefixes in the pre-RFC layout (length/8
# octets from bit 0): it cannot parse the source component and keeps the
# rest of the NLRI as one "unknown" component, its raw octets in decimal.
# So A's keys are the RFC's octets from the source component on; its JSON
# has no attributes for such a path ("nlri": null, "attrs": null): "-".
OFF1=$RFC8956_OFF64
OFF2=$RFC8956_OFF65
RFC_OFF1='02 68 40 12 34 56 78 9a 03 81 06'
RFC_OFF2='02 68 41 24 68 ac f1 34'
decimal() {
    local h out=()
    for h in $1; do out+=($((16#$h))); done
    echo "${out[*]}"
}
cp "$WORK/expected.txt" "$WORK/expected-off.txt"
for o in "$RFC_OFF1" "$RFC_OFF2"; do
    echo "[destination: 2001:db8::/32/0][unknown:[$(decimal "$o")]] | -"
done >>"$WORK/expected-off.txt"
if ctl announce "$OFF1" >>"$WORK/ctl.log" 2>&1 &&
    ctl announce "$OFF2" >>"$WORK/ctl.log" 2>&1; then
    table_check offset-generic-rfc-octets "$A" "$A_API" "$WORK/expected-off.txt"
    table_check offset-gobgp-not-sent "$B" "$B_API" "$WORK/expected.txt"
    check offset-gobgp-refused-count "B rules_refused $(nbr "$B" rules_refused), not 2" \
        nbr_is "$B" rules_refused 2
    offset_refused offset-gobgp-adj-rib-out "$B" gobgp \
        64 "${OFF1%% next-header*}" 65 "${OFF2%% \} then*}"
    check offset-gobgp-logged "no 'not sent (profile gobgp: source prefix offset 64' for $B in the log" \
        grep -q "peer $B: not sent (profile gobgp: source prefix offset 64: gobgp reads the pre-RFC 8956 IPv6 prefix layout)" "$WORK/flowspecd.log"
    bad=0
    for r in "$OFF1" "$OFF2"; do
        ctl withdraw "${r%% then *} }" >>"$WORK/ctl.log" 2>&1 || bad=$((bad + 1))
    done
    check offset-withdraw-command "$bad withdraws refused (ctl.log)" [ "$bad" -eq 0 ]
    table_check offset-withdrawn "$A" "$A_API" "$WORK/expected.txt"
    check offset-gobgp-refused-gone "B rules_refused $(nbr "$B" rules_refused), not 0" \
        nbr_is "$B" rules_refused 0
else
    fail offset-generic-rfc-octets "flowspecctl announce of the RFC 8956 §3.8 rules failed (ctl.log)"
fi

# ---- withdraws: 2 static and 3 announced rules, IPv4 and IPv6 ----

WITHDRAW=(2 15 24 33 46)        # line numbers in gobgp-rules.txt order
cp "$WORK/expected.txt" "$WORK/expected-w.txt"
bad=0
for i in "${WITHDRAW[@]}"; do
    r=${RULES[i - 1]}
    key=$(rules_field "$RULES_FILE" 2 | sed -n "${i}p")
    grep -vF "$key |" "$WORK/expected-w.txt" >"$WORK/tmp" &&
        mv "$WORK/tmp" "$WORK/expected-w.txt"
    ctl withdraw "${r%% then *} }" >>"$WORK/ctl.log" 2>&1 ||
        bad=$((bad + 1))
done
check withdraw-command "$bad withdraws refused (ctl.log)" [ "$bad" -eq 0 ]
table_check withdraw-we-connect "$A" "$A_API" "$WORK/expected-w.txt"
table_check withdraw-they-connect "$B" "$B_API" "$WORK/expected-w.txt"

# ---- GoBGP restart: the whole table again ----

count_a=$(nbr "$A" established_count)
stop_pid "$GA" TERM
forget "$GA"
wait_until 15 eval '! fsd_established "$A"' ||
    fail peer-restart "flowspecd did not see gobgpd A go"
gobgpd_start GA "$WORK/gobgp-a.toml" "$A" "$A_API" gobgpd-a.log
if wait_until 30 eval 'fsd_established "$A" && [ "$(nbr "$A" established_count)" -gt "$count_a" ]'; then
    table_check peer-restart "$A" "$A_API" "$WORK/expected-w.txt"
else
    fail peer-restart "session to A not back after the GoBGP restart"
fi

# ---- hold timer expiry: gobgpd A stopped longer than the hold time ----
# (A, because flowspecd reconnects to it within a second or two; GoBGP
# waits 5 s or more before it connects again.)

count_a=$(nbr "$A" established_count)
kill -STOP "$GA"
if wait_until $((HOLD_A + 8)) nbr_is "$A" last_error.code 4; then
    err="$(nbr "$A" last_error.direction) $(nbr "$A" last_error.code)/$(nbr "$A" last_error.subcode)"
    check hold-timer-notification "last error: $err" [ "$err" = "sent 4/0" ]
else
    fail hold-timer-notification "no Hold Timer Expired after $((HOLD_A + 8)) s: state $(nbr "$A" state), last error $(nbr "$A" last_error)"
fi
check hold-timer-logged "no 'sending NOTIFICATION Hold Timer Expired' for $A in the log" \
    grep -q "peer $A: sending NOTIFICATION Hold Timer Expired" "$WORK/flowspecd.log"
kill -CONT "$GA"
if wait_until 30 eval 'fsd_established "$A" && [ "$(nbr "$A" established_count)" -gt "$count_a" ]'; then
    pass hold-timer-reestablished
    table_check hold-timer-table "$A" "$A_API" "$WORK/expected-w.txt"
else
    fail hold-timer-reestablished "A not back: $(nbr "$A" state)"
fi

# ---- route refresh ----
# GoBGP 3.10's "neighbor ADDR softresetin" re-applies its import policy
# to its own Adj-RIB-In and sends no ROUTE-REFRESH (its message counters
# stay 0), so the peer-initiated refresh is tested with ExaBGP
# (exabgp.sh) and the raw peer (hostile.sh). Here: `clear neighbor ADDR
# soft` sends our table again and asks GoBGP for its routes (ROUTE-REFRESH
# per family, RFC 2918).

wait_until 20 both_up || fail soft-clear "sessions not up before the refresh"
upd_out=$(nbr "$A" updates_out)
rr_in=$(gobgp_msgs "$A" "$A_API" "$FSD" received refresh)
upd_in=$(gobgp_msgs "$A" "$A_API" "$FSD" received update)
if ctl clear neighbor "$A" soft >>"$WORK/ctl.log" 2>&1 &&
    wait_until 10 eval '[ "$(nbr "$A" updates_out)" -gt "$upd_out" ] &&
        [ "$(gobgp_msgs "$A" "$A_API" "$FSD" received refresh)" -ge $((rr_in + 2)) ]'; then
    pass soft-clear
    say "soft clear: GoBGP got $(($(gobgp_msgs "$A" "$A_API" "$FSD" received update) - upd_in)) UPDATEs again, ROUTE-REFRESH $rr_in -> $(gobgp_msgs "$A" "$A_API" "$FSD" received refresh)"
    table_check soft-clear-table "$A" "$A_API" "$WORK/expected-w.txt"
else
    fail soft-clear "clear neighbor $A soft: updates_out $upd_out -> $(nbr "$A" updates_out), GoBGP ROUTE-REFRESH received $rr_in -> $(gobgp_msgs "$A" "$A_API" "$FSD" received refresh)"
fi

# ---- shutdown: Cease to both, clean exit ----

fsd_stop "$FSD_PID" "$WORK/flowspecd.log"
notif=$(gobgp_msgs "$A" "$A_API" "$FSD" received notification)
check cease-received "GoBGP A received $notif NOTIFICATIONs" [ "${notif:-0}" -ge 1 ]

finish
