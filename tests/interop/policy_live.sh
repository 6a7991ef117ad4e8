#!/usr/bin/env bash
# The policy engine live, end to end (issue 6): flowspecd with a NetFlow
# collector on loopback, tests/policy-attacks.json, an event log, a state
# file and graceful restart, peered with a GoBGP receiver; the NetFlow v9
# export datagrams of pcaps/attack-syn-flood.pcap are sent over UDP with
# their recorded timing (send_exports.py).
#   1. Sent from an address not in the collector's allow-list (up to just
#      past the datagram that crosses the threshold): nothing changes (no
#      event, no rule at GoBGP, the collector counts them not_allowed).
#   2. Sent from the allowed exporter: the rule pcaps/attacks.json expects
#      (10.50.100.100/32, tcp, port 80, SYN without ACK, discard) appears
#      at GoBGP; `show mitigations --json` lists it; the event log has the
#      announce, extends while the traffic goes on, and the withdraw after
#      it stops; the rule leaves GoBGP. Mid-attack, `flowspecctl reload`
#      with a broken policy file is refused with its place and changes
#      nothing; with a good one (one policy more) the new engine takes
#      over the mitigation (and a reload of the same file keeps the
#      engine): the rule stays at GoBGP, the events after the
#      reload are extends and the withdraw of the same rule, no new
#      announce. Figure: detection latency, from
#      the export datagram that crosses the threshold to the UPDATE on the
#      wire (both in one loopback capture).
#   3. Again with a new daemon, killed with SIGKILL mid-attack and started
#      again on the same state file: the restarted engine takes over the
#      claim restored from the state file (policy_engine_adopt; the log
#      says so, `show mitigations` lists it); GoBGP holds the rule in
#      every sample (stale while flowspecd is down, then from the
#      restored claim, which the engine extends while the traffic goes
#      on), and it is withdrawn after the traffic ends within the same
#      bound as in 2; the restarted daemon's events are extends and a
#      withdraw (clear) of the same rule, no new announce.
#
# Bounded waits, from the policy file and the capture (policy_live.py
# crossing finds the crossing datagram: the first prefix of the capture
# whose replay announces; offsets are from the first datagram):
#   - rule at GoBGP: by the crossing datagram's offset + one tick (1 s)
#     + SLACK;
#   - withdraw: after the last datagram, the exporter is silent
#     (DETECT_SILENCE_MS 2 s) before its windows drain at clock speed,
#     the rate is under clear_threshold within one window (10 s), then
#     clear_time (5 s) and one tick (1 s): 18 s + SLACK.
# Restart variant: the restarted daemon misses what arrives while it is
# down and cannot decode NetFlow v9 data until the exporter sends its
# templates again (datagram 17, at 16.3 s here). The daemon is killed
# once the state file holds the announce's claim (about 6 s in) and
# restarted at once; the engine adopts the restored claim and counts
# its rate as above clear_threshold for one window (10 s) after the
# restart and again for one window after its first data (from 16.3 s
# on), so it holds past the template refresh until the window is full
# of decoded traffic, which is above clear_threshold (600 pps) again
# and extends it (without the adoption the claim would expire 10 s
# after the last extend before the kill, at about 16 s).
#
# Addresses 127.0.0.170 (flowspecd), .171 (GoBGP), .172 (the allowed
# exporter), .173 (a non-allowed one); ports 26700 (gobgpd), 26701
# (GoBGP API), 26702 (UDP, NetFlow).
# Usage: FLOWSPECD_BIN=/abs/build/bin tests/interop/policy_live.sh
TEST=policy_live
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

need "$GOBGPD" "$GOBGP" "$PYTHON" ss tshark
ports_free 26700 26701

FSD=127.0.0.170
GO=127.0.0.171 GO_API=26701
EXPORTER=127.0.0.172 OTHER=127.0.0.173 NF_PORT=26702
SOCK=$WORK/fsd.sock
STATE=$WORK/state.json
EVENTS=$WORK/events.jsonl
POLICY=$ROOT/tests/policy-attacks.json
RUN_POLICY=$WORK/policy.json    # the daemon's copy, changed for the reload
CAPTURE=$ROOT/pcaps/attack-syn-flood.pcap
LIVE_PY=$INTEROP_DIR/policy_live.py
SEND_PY=$INTEROP_DIR/send_exports.py
SLACK=4                 # seconds of scheduling slack on every bound
VICTIM=10.50.100.100

now() { date +%s.%N; }
# calc EXPR DIGITS: EXPR (awk arithmetic) with DIGITS decimals.
calc() { awk "BEGIN { printf \"%.${2}f\", $1 }"; }

ss -Hluan "( sport = :$NF_PORT )" | grep -q . && die "UDP port $NF_PORT is in use"

read -r CROSS_K CROSS_T LAST_T < <("$PYTHON" "$LIVE_PY" crossing "$CAPTURE" \
    "$FLOWSPECD" "$POLICY") || die "policy_live.py crossing failed"
say "datagram $CROSS_K (at ${CROSS_T} s) crosses the threshold; the last at ${LAST_T} s"
ANNOUNCE_BOUND=$(calc "$CROSS_T + 1 + $SLACK" 0)
WITHDRAW_BOUND=$((2 + 10 + 5 + 1 + SLACK))
SEND_BOUND=$(calc "$LAST_T + $SLACK" 0)

cp "$POLICY" "$RUN_POLICY"
cat >"$WORK/flowspecd.json" <<EOF
{
  "router_id": "$FSD",
  "local_as": 65100,
  "control_socket": "$SOCK",
  "state_file": "$STATE",
  "event_log": "$EVENTS",
  "policy": "$RUN_POLICY",
  "collector": { "netflow": "$FSD:$NF_PORT", "exporters": ["$EXPORTER"] },
  "neighbors": [
    { "address": "$GO", "port": 26700, "remote_as": 65001,
      "local_address": "$FSD", "hold_time": 9, "connect_retry": 1,
      "graceful_restart": true, "restart_time": 30 }
  ]
}
EOF
GOBGP_GR=1
cat >"$WORK/gobgp.toml" <<EOF
[global.config]
  as = 65001
  router-id = "$GO"
  port = 26700
  local-address-list = ["$GO"]
$(gobgp_neighbor_toml "$FSD" 65100 "$GO" "" \
    "    idle-hold-time-after-reset = 1" \
    "  [neighbors.graceful-restart.config]" \
    "    enabled = true" \
    "    restart-time = 30")
EOF

table_now() { gobgp_table "$GO" "$GO_API" >"$WORK/table.txt"; }
has_rule() { table_now && "$PYTHON" "$LIVE_PY" rule "$ROOT/pcaps/attacks.json" syn-flood "$WORK/table.txt" >"$WORK/rule.txt"; }
no_rule() { table_now && [ ! -s "$WORK/table.txt" ]; }
up() { fsd_established "$GO" && gobgp_established "$GO" "$GO_API" "$FSD"; }
counter() {
    ctl show collector --json | "$PYTHON" -c 'import json, sys
print(json.load(sys.stdin).get(sys.argv[1]))' "$1"
}

# Every frame of the run on our addresses, for the latency figure.
spawn CAP_PID tshark.log tshark -i lo -n -w "$WORK/run.pcap" \
    -f "host $FSD and (tcp port 26700 or (udp port $NF_PORT and src host $EXPORTER))"
wait_until 10 grep -q "Capturing on" "$WORK/tshark.log" || die "tshark does not capture on lo"

gobgpd_start GO_PID "$WORK/gobgp.toml" "$GO" "$GO_API" gobgpd.log
fsd_start FSD_PID "$WORK/flowspecd.json" flowspecd-1.log
wait_until 30 up || die "no session between flowspecd and GoBGP"

# ---- 1. a non-allowed exporter changes nothing ----

n_other=$("$PYTHON" "$SEND_PY" "$CAPTURE" "$FSD" "$NF_PORT" "$OTHER" 1 \
    "$(calc "$CROSS_T + 0.5" 3)" | awk '{ print $2 }')
sleep 2     # one tick and more: a decision would be in by now
check other-not-allowed "not_allowed $(counter not_allowed), sent $n_other from $OTHER" \
    [ "$(counter not_allowed)" = "$n_other" ]
check other-no-event "the event log has: $(head -c 200 "$EVENTS" 2>/dev/null)" \
    [ ! -s "$EVENTS" ]
check other-no-rule "GoBGP has: $(tr '\n' ';' <"$WORK/table.txt")" no_rule

# ---- 2. the attack from the allowed exporter ----

start=$(now)
spawn SEND_PID sender-1.log "$PYTHON" "$SEND_PY" "$CAPTURE" "$FSD" "$NF_PORT" "$EXPORTER"
if wait_until "$ANNOUNCE_BOUND" has_rule; then
    pass rule-at-gobgp
    appeared=$(now)
else
    fail rule-at-gobgp "not within $ANNOUNCE_BOUND s: $(cat "$WORK/rule.txt")"
fi
rule_text=$(head -n 1 "$EVENTS" 2>/dev/null | "$PYTHON" -c 'import json, sys
print(json.loads(sys.stdin.readline()).get("rule", ""))' 2>/dev/null)
check show-mitigations "show mitigations --json: $("$PYTHON" "$LIVE_PY" mitigation \
    "$(ctl show mitigations --json)" "$rule_text" "$VICTIM")" \
    "$PYTHON" "$LIVE_PY" mitigation "$(ctl show mitigations --json)" "$rule_text" "$VICTIM"

# Reload mid-attack: first a policy file with a wrong threshold, then a
# good one with a policy added.
"$PYTHON" "$LIVE_PY" edit-policy "$POLICY" broken >"$RUN_POLICY"
out=$(ctl reload 2>&1) && fail reload-broken "accepted: $out" ||
    check reload-broken "reload said: $out" \
        grep -qE "^error: $RUN_POLICY: policies\[0\]\.threshold: .*\(line [0-9]+\).*running config kept" <<<"$out"
check reload-broken-kept "GoBGP lost the rule after a refused reload" has_rule
"$PYTHON" "$LIVE_PY" edit-policy "$POLICY" added >"$RUN_POLICY"
before_reload=$(wc -l <"$EVENTS")
check reload "reload said: $(ctl reload 2>&1)" ctl reload
check reload-applied "the log: $(grep -m1 "policy $RUN_POLICY: 5" "$WORK/flowspecd-1.log")" \
    grep -q "policy $RUN_POLICY: 5 policies" "$WORK/flowspecd-1.log"
check reload-adopted "the log: $(grep 'claims taken over' "$WORK/flowspecd-1.log")" \
    grep -q "claims taken over: 1, left to expire: 0" "$WORK/flowspecd-1.log"
check reload-mitigations "show mitigations --json after the reload: $("$PYTHON" "$LIVE_PY" mitigation \
    "$(ctl show mitigations --json)" "$rule_text" "$VICTIM")" \
    "$PYTHON" "$LIVE_PY" mitigation "$(ctl show mitigations --json)" "$rule_text" "$VICTIM"
# Once more with the file unchanged: the engine goes on untouched.
out=$(ctl reload 2>&1)
check reload-unchanged "reload said: $out; the log has no 'unchanged: the engine goes on'" \
    grep -q "policy $RUN_POLICY: unchanged: the engine goes on" "$WORK/flowspecd-1.log"

wait_until "$SEND_BOUND" eval '! alive $SEND_PID' || fail sender "still sending after $SEND_BOUND s"
stopped=$(now)
check still-there "GoBGP lost the rule while the traffic went on" has_rule
if wait_until "$WITHDRAW_BOUND" no_rule; then
    pass withdrawn
    say "withdrawn at GoBGP $(calc "$(now) - $stopped" 1) s after the last datagram"
else
    fail withdrawn "GoBGP still has $(tr '\n' ';' <"$WORK/table.txt") $WITHDRAW_BOUND s after the traffic stopped"
fi
seq=$("$PYTHON" "$LIVE_PY" events "$EVENTS" "$stopped" "$before_reload")
check events "event log: $seq" "$PYTHON" "$LIVE_PY" events "$EVENTS" "$stopped" "$before_reload"
say "event log: $seq"

# Detection latency: crossing datagram → UPDATE on the wire, and the
# announce event → UPDATE; the rule in GoBGP's table is seen by polling.
sleep 0.5   # tshark writes what it has
ann=$(head -n 1 "$EVENTS" | "$PYTHON" -c 'import json, sys; print(json.loads(sys.stdin.readline())["time"])')
if lat=$("$PYTHON" "$LIVE_PY" latency "$WORK/run.pcap" "$EXPORTER" "$NF_PORT" \
    "$CROSS_K" "$FSD" 26700 "$start"); then
    read -r t_dgram t_update <<<"$lat"
    say "figure: detection latency (crossing datagram $CROSS_K -> UPDATE on the wire): $(calc "($t_update - $t_dgram) * 1000" 1) ms"
    say "figure: announce event -> UPDATE on the wire: $(calc "($t_update - $ann) * 1000" 0) ms (event times are whole ms)"
    pass latency-measured
else
    fail latency-measured "$lat"
fi
[ -n "${appeared:-}" ] &&
    say "figure: announce event -> rule seen in GoBGP's table (polled every 0.2 s): $(calc "($appeared - $ann) * 1000" 0) ms"
fsd_stop "$FSD_PID" "$WORK/flowspecd-1.log"

# ---- 3. kill -9 mid-attack, restart on the same state file ----

: >"$EVENTS"
fsd_start FSD_PID "$WORK/flowspecd.json" flowspecd-2.log
wait_until 30 up || die "no session after the second start" restart-setup
spawn SEND_PID sender-2.log "$PYTHON" "$SEND_PY" "$CAPTURE" "$FSD" "$NF_PORT" "$EXPORTER"
wait_until "$ANNOUNCE_BOUND" has_rule || fail restart-rule "no rule before the kill"
# The announce's claim, saved in the state file (STATE_WRITE_MIN_MS 1 s).
exp=$("$PYTHON" "$LIVE_PY" expires "$EVENTS" 1)
wait_until 5 "$PYTHON" "$LIVE_PY" state-has "$STATE" "${exp:-0}" ||
    fail restart-saved "the state file lacks the claim expiring at ${exp:-?}"
before_kill=$(wc -l <"$EVENTS")
kill -KILL "$FSD_PID"
wait "$FSD_PID" 2>/dev/null
forget "$FSD_PID"
killed=$(now)
fsd_start FSD_PID "$WORK/flowspecd.json" flowspecd-3.log
alive "$SEND_PID" || fail restart-in-time "the restarted daemon came up after the traffic ended"
check restart-adopted "the restarted daemon's log: $(grep -m1 'claims taken over' "$WORK/flowspecd-3.log")" \
    grep -q "claims taken over: 1, left to expire: 0" "$WORK/flowspecd-3.log"
check restart-mitigations "show mitigations --json after the restart: $("$PYTHON" "$LIVE_PY" mitigation \
    "$(ctl show mitigations --json)" "$rule_text" "$VICTIM")" \
    "$PYTHON" "$LIVE_PY" mitigation "$(ctl show mitigations --json)" "$rule_text" "$VICTIM"
# Sample GoBGP's table until the traffic stops: the rule in every sample.
samples=0 lost=""
while alive "$SEND_PID" && ((samples < 400)); do
    has_rule || lost+="$(calc "$(now) - $killed" 1) s: $(tr '\n' ';' <"$WORK/table.txt" | cut -c1-80); "
    samples=$((samples + 1))
    sleep 0.2
done
check restart-kept "lost after the kill at: ${lost:0:400}" [ -z "$lost" -a "$samples" -gt 10 ]
say "restart: $samples samples of GoBGP's table from the kill to the end of the traffic"
check restart-established "no session after the restart" up
stopped=$(now)
if wait_until "$WITHDRAW_BOUND" no_rule; then
    pass restart-withdrawn
    say "restart: withdrawn at GoBGP $(calc "$(now) - $stopped" 1) s after the last datagram"
else
    fail restart-withdrawn "GoBGP still has $(tr '\n' ';' <"$WORK/table.txt") $WITHDRAW_BOUND s after the traffic stopped"
fi
# The restarted engine's own decisions: it manages the adopted rule.
wait_until 3 eval '[ "$(tail -n 1 "$EVENTS" | grep -c withdraw)" = 1 ]' || true
seq=$("$PYTHON" "$LIVE_PY" events "$EVENTS" "$stopped" "$before_kill")
check restart-events "the restarted daemon's events: $seq" \
    "$PYTHON" "$LIVE_PY" events "$EVENTS" "$stopped" "$before_kill"
say "restart: events of the restarted daemon: $seq"
fsd_stop "$FSD_PID" "$WORK/flowspecd-3.log"
stop_pid "$CAP_PID"
finish
