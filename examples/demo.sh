#!/usr/bin/env bash
# The lab demo (README's first command). On a fresh Debian 12 machine, as
# root: installs what it needs (tests/deps.sh demo), builds build/
# (cmake -B build && cmake --build build -j2), then runs the classic
# Flowspec controller lab on loopback, iBGP in AS 65100:
#
#   flowspecd 127.0.0.101 ──▶ route reflector 127.0.0.102:1790 ──▶ edge router 127.0.0.103
#   examples/lab/flowspecd.json   examples/routers/gobgp-rr.toml   examples/routers/gobgp-edge.toml
#                                  (gobgpd, API 127.0.0.102:50102)  (gobgpd, API 127.0.0.103:50103)
#
# It announces the classic rule with flowspecctl (10.50.100.100/32, TCP,
# destination port 1234: discard), shows flowspecd's neighbors and rules and
# both routers' tables, withdraws the rule and shows the tables empty again.
# Then the detection: the NetFlow v9 exports of a recorded SYN flood
# (pcaps/attack-syn-flood.pcap) are sent to flowspecd's collector
# (127.0.0.101:20555) from the allowed exporter 127.0.0.104 with their
# original timing (tests/interop/send_exports.py, about 31 s); the lab
# policy (examples/lab/policy.json) announces a discard rule, the event log
# line and the edge router's table show it, and it is withdrawn once the
# attack has ended (5 s below the clear threshold).
# The last line is the verdict; the exit status is 0 only when both routers
# really had the rule and then really did not, and the attack's rule
# reached the edge router and left it again.
#
# Every wait is bounded; the processes it starts are stopped by PID and its
# temporary directory removed on any exit. Without root it still runs when
# the packages are there (nothing here needs privileges).
# Environment: GOBGPD, GOBGP (tools), SKIP_DEPS=1, SKIP_BUILD=1 (use build/
# as it is).
set -euo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$ROOT"

GOBGPD=${GOBGPD:-gobgpd}
GOBGP=${GOBGP:-gobgp}
FLOWSPECD=build/bin/flowspecd
FLOWSPECCTL=build/bin/flowspecctl
PYTHON=${PYTHON:-python3}

FS_CONFIG=examples/lab/flowspecd.json
RR_CONFIG=examples/routers/gobgp-rr.toml
EDGE_CONFIG=examples/routers/gobgp-edge.toml
SOCK=/tmp/flowspecd-lab.sock        # control_socket in $FS_CONFIG
FS_ADDR=127.0.0.101
RR_ADDR=127.0.0.102 RR_BGP_PORT=1790 RR_API_PORT=50102
EDGE_ADDR=127.0.0.103 EDGE_API_PORT=50103
EXPORTER=127.0.0.104 NETFLOW_PORT=20555     # collector in $FS_CONFIG
EVENTS=/tmp/flowspecd-lab-events.jsonl      # event_log in $FS_CONFIG
ATTACK=pcaps/attack-syn-flood.pcap

RULE='flow route { match { destination 10.50.100.100/32; protocol tcp; destination-port =1234; } then { discard; } }'
# The same rule as `gobgp global rib` prints it.
RULE_GOBGP='[destination: 10.50.100.100/32][protocol: ==tcp][destination-port: ==1234]'
# The rule the lab policy makes of the SYN flood, as GoBGP prints it
# (pcaps/attacks.json: 10.50.100.100/32, TCP, port 80, SYN without ACK).
ATTACK_GOBGP='[destination: 10.50.100.100/32][protocol: ==tcp][destination-port: ==80][tcp-flags: '

SESSION_TIMEOUT=30   # seconds for a BGP session to come up
ROUTE_TIMEOUT=10     # seconds for a rule to reach, or leave, a router
# The attack's exports take 31 s; the rate crosses the threshold with the
# datagrams 5.1 s in (then one tick, 1 s, at most), and falls under the
# clear threshold at most 12 s after the last one (2 s of exporter silence,
# then the 10 s window drains), then clear_time 5 s and a tick: 18 s.
DETECT_TIMEOUT=15    # seconds from the first datagram to the announce
ATTACK_TIMEOUT=40    # seconds for the exports to be sent
CLEAR_TIMEOUT=25     # seconds from the last datagram to the withdraw

started=$SECONDS
work=''
fs_pid='' rr_pid='' edge_pid='' send_pid=''
failure=''

say() { printf '%s\n' "$*"; }
section() { printf '\n== %s\n' "$*"; }
fail() { # fail REASON: exit 1; the cleanup prints the logs, then the verdict
	failure=$*
	exit 1
}

stop_pid() { # stop_pid PID: TERM one process we started, KILL after 5 s
	local pid=$1 i
	[ -n "$pid" ] || return 0
	if kill -0 "$pid" 2>/dev/null; then
		kill -TERM "$pid" 2>/dev/null || true
		for ((i = 0; i < 50; i++)); do
			kill -0 "$pid" 2>/dev/null || break
			sleep 0.1
		done
		kill -0 "$pid" 2>/dev/null && kill -KILL "$pid" 2>/dev/null
	fi
	wait "$pid" 2>/dev/null || true
}

cleanup() {
	local rc=$?
	set +e
	trap '' PIPE INT TERM
	stop_pid "$send_pid"
	# flowspecd first: it says goodbye (Cease) to the route reflector.
	stop_pid "$fs_pid"
	stop_pid "$edge_pid"
	stop_pid "$rr_pid"
	if ((rc != 0)) && [ -n "$work" ]; then
		for f in flowspecd.log gobgpd-rr.log gobgpd-edge.log build.log send.log; do
			[ -s "$work/$f" ] || continue
			say "---- last lines of $f ----"
			tail -n 15 "$work/$f"
		done
		say ""
		say "demo: FAILED — ${failure:-exit status $rc}"
	fi
	[ -n "$work" ] && rm -rf "$work"
	exit "$rc"
}
trap cleanup EXIT
trap 'failure=interrupted; exit 130' INT TERM HUP

# wait_for SECONDS COMMAND…: true once COMMAND succeeds (polled every
# 0.2 s), false after SECONDS.
wait_for() {
	local deadline=$((SECONDS + $1))
	shift
	until "$@"; do
		((SECONDS < deadline)) || return 1
		sleep 0.2
	done
}

listening() { (exec 3<>"/dev/tcp/$1/$2") 2>/dev/null; }
alive() { kill -0 "$2" 2>/dev/null || fail "$1 exited (its log is below)"; }

# show ARG…: print the command as one would type it, then its output
# (indented); returns the command's status.
show() {
	local a out rc=0
	printf '$'
	for a in "$@"; do
		case $a in *[\ \;\{\}]*) printf " '%s'" "$a" ;; *) printf ' %s' "$a" ;; esac
	done
	printf '\n'
	out=$("$@" 2>&1) || rc=$?
	printf '%s\n' "$out" | sed 's/^/  /'
	return "$rc"
}
ctl() { show "$FLOWSPECCTL" -s "$SOCK" "$@"; }

rr_cli() { "$GOBGP" -u "$RR_ADDR" -p "$RR_API_PORT" "$@"; }
edge_cli() { "$GOBGP" -u "$EDGE_ADDR" -p "$EDGE_API_PORT" "$@"; }

# rib_state NAME PID CLI [KEY]: "present" or "absent" for the rule (GoBGP's
# text KEY, default $RULE_GOBGP) in that router's ipv4-flowspec table,
# "error" when the router does not answer.
rib_state() {
	local out
	kill -0 "$2" 2>/dev/null || { echo error; return; }
	out=$("$3" global rib -a ipv4-flowspec 2>&1) || { echo error; return; }
	if grep -F -- "${4:-$RULE_GOBGP}" <<<"$out" | grep -q 'discard'; then
		echo present
	elif grep -q '10\.50\.100\.100' <<<"$out"; then
		echo other   # a different rule for the address: not ours
	else
		echo absent
	fi
}
both() { # both STATE [KEY]: true when both routers are in STATE
	[ "$(rib_state rr "$rr_pid" rr_cli "${2:-}")" = "$1" ] &&
		[ "$(rib_state edge "$edge_pid" edge_cli "${2:-}")" = "$1" ]
}
# event TYPE: the event log's first line of that type (empty: none yet).
event() { grep -m1 "^{\"type\":\"$1\"" "$EVENTS" 2>/dev/null || true; }
has_event() { [ -n "$(event "$1")" ]; }
# show_event LINE: the decision's main fields, then the line itself (cut).
show_event() {
	"$PYTHON" -c 'import json, sys, time
e = json.loads(sys.argv[1])
print("  %s %s: policy %s, %s at %.0f %s (threshold %.0f), %s" % (
    time.strftime("%H:%M:%S", time.localtime(e["time"])), e["type"],
    e["policy"], e["target"], e["rate"], e["metric"], e["threshold"],
    e["rule"]))' "$1" || true
	printf '  %s\n' "$(cut -c1-300 <<<"$1")…"
}

fs_established() {
	alive flowspecd "$fs_pid"
	"$FLOWSPECCTL" -s "$SOCK" show neighbor "$RR_ADDR" --json 2>/dev/null |
		grep -q '"state": *"Established"'
}
edge_established() {
	alive "gobgpd (edge)" "$edge_pid"
	edge_cli neighbor 2>/dev/null | grep -q "^ *$RR_ADDR .*Establ"
}

say "flowspecd lab demo: controller -> route reflector -> edge router, on loopback"

# ---- 1. packages -------------------------------------------------------------

section "packages (tests/deps.sh demo)"
if [ "${SKIP_DEPS:-0}" != 1 ]; then
	tests/deps.sh demo || fail "could not install the packages (tests/deps.sh demo)"
fi
for tool in cmake "$GOBGPD" "$GOBGP" "$PYTHON"; do
	command -v "$tool" >/dev/null || fail "$tool not found"
done

work=$(mktemp -d "${TMPDIR:-/tmp}/flowspecd-demo.XXXXXX")

# ---- 2. build ---------------------------------------------------------------

section "build: cmake -B build && cmake --build build -j2"
if [ "${SKIP_BUILD:-0}" != 1 ]; then
	t=$SECONDS
	{ cmake -B build && cmake --build build -j2; } >"$work/build.log" 2>&1 ||
		fail "the build failed (last lines of its log above)"
	say "built $FLOWSPECD and $FLOWSPECCTL in $((SECONDS - t)) s"
fi
[ -x "$FLOWSPECD" ] && [ -x "$FLOWSPECCTL" ] || fail "no $FLOWSPECD or $FLOWSPECCTL"

# ---- 3. the lab -------------------------------------------------------------

section "lab: iBGP AS 65100 on loopback"
say "  flowspecd        $FS_ADDR             $FS_CONFIG (control socket $SOCK)"
say "  route reflector  $RR_ADDR:$RR_BGP_PORT        gobgpd -f $RR_CONFIG (API port $RR_API_PORT)"
say "  edge router      $EDGE_ADDR             gobgpd -f $EDGE_CONFIG (API port $EDGE_API_PORT), RR client"

for hp in "$RR_ADDR:$RR_BGP_PORT" "$RR_ADDR:$RR_API_PORT" "$EDGE_ADDR:$EDGE_API_PORT"; do
	! listening "${hp%:*}" "${hp#*:}" ||
		fail "$hp is already in use (another demo running? see: ss -ltnp)"
done
! ss -Hlun "( sport = :$NETFLOW_PORT )" 2>/dev/null | grep -q "$FS_ADDR:" ||
	fail "UDP $FS_ADDR:$NETFLOW_PORT is already in use (another demo running? see: ss -lunp)"
: >"$EVENTS" || fail "cannot write the event log $EVENTS"
"$FLOWSPECD" -c "$FS_CONFIG" --check >/dev/null || fail "$FS_CONFIG does not pass --check"

"$GOBGPD" -f "$RR_CONFIG" --api-hosts "$RR_ADDR:$RR_API_PORT" --pprof-disable \
	>"$work/gobgpd-rr.log" 2>&1 &
rr_pid=$!
"$GOBGPD" -f "$EDGE_CONFIG" --api-hosts "$EDGE_ADDR:$EDGE_API_PORT" --pprof-disable \
	>"$work/gobgpd-edge.log" 2>&1 &
edge_pid=$!
rr_up() { alive "gobgpd (route reflector)" "$rr_pid"; rr_cli global >/dev/null 2>&1; }
wait_for 15 rr_up || fail "the route reflector's API did not answer on $RR_ADDR:$RR_API_PORT"

"$FLOWSPECD" -c "$FS_CONFIG" 2>"$work/flowspecd.log" &
fs_pid=$!

t=$SECONDS
wait_for "$SESSION_TIMEOUT" fs_established ||
	fail "flowspecd's session to the route reflector did not come up in $SESSION_TIMEOUT s"
say "session flowspecd -> route reflector: Established after $((SECONDS - t)) s"
wait_for "$SESSION_TIMEOUT" edge_established ||
	fail "the edge router's session to the route reflector did not come up in $SESSION_TIMEOUT s"
say "session edge router -> route reflector: Established after $((SECONDS - t)) s (GoBGP waits a few seconds before it connects)"

section "the rule"
say "$RULE"
if hex=$("$FLOWSPECCTL" encode "$RULE" 2>&1) && dec=$("$FLOWSPECCTL" decode "$hex" 2>&1); then
	say "UPDATE (flowspecctl encode): $hex"
	say "decoded (flowspecctl decode): $dec"
else
	say "warning: flowspecctl encode/decode failed: $hex ${dec:-}"
fi

# ---- 4. announce ------------------------------------------------------------

section "announce"
ctl announce "$RULE" || fail "flowspecctl announce failed"
wait_for "$ROUTE_TIMEOUT" both present || true
ctl show neighbor || fail "flowspecctl show neighbor failed"
ctl show flow || fail "flowspecctl show flow failed"
say "# the route reflector's table:"
show "$GOBGP" -u "$RR_ADDR" -p "$RR_API_PORT" global rib -a ipv4-flowspec || true
say "# the edge router's table (reflected: ORIGINATOR_ID $FS_ADDR, CLUSTER_LIST $RR_ADDR):"
show "$GOBGP" -u "$EDGE_ADDR" -p "$EDGE_API_PORT" global rib -a ipv4-flowspec || true
rr_had=$(rib_state rr "$rr_pid" rr_cli)
edge_had=$(rib_state edge "$edge_pid" edge_cli)
[ "$rr_had" = present ] ||
	fail "the route reflector does not have the rule ($rr_had) $ROUTE_TIMEOUT s after the announce"
[ "$edge_had" = present ] ||
	fail "the edge router does not have the rule ($edge_had) $ROUTE_TIMEOUT s after the announce"

# ---- 5. withdraw ------------------------------------------------------------

section "withdraw"
ctl withdraw "$RULE" || fail "flowspecctl withdraw failed"
wait_for "$ROUTE_TIMEOUT" both absent || true
say "# the route reflector's table:"
show "$GOBGP" -u "$RR_ADDR" -p "$RR_API_PORT" global rib -a ipv4-flowspec || true
say "# the edge router's table:"
show "$GOBGP" -u "$EDGE_ADDR" -p "$EDGE_API_PORT" global rib -a ipv4-flowspec || true
rr_after=$(rib_state rr "$rr_pid" rr_cli)
edge_after=$(rib_state edge "$edge_pid" edge_cli)
[ "$rr_after" = absent ] ||
	fail "the route reflector still has the rule ($rr_after) $ROUTE_TIMEOUT s after the withdraw"
[ "$edge_after" = absent ] ||
	fail "the edge router still has the rule ($edge_after) $ROUTE_TIMEOUT s after the withdraw"
fs_established || fail "flowspecd's session went down during the demo"

# ---- 6. detection: a SYN flood as NetFlow ------------------------------------

section "detection: a SYN flood replayed as NetFlow v9"
say "$ATTACK: the exports softflowd sent for 25 s of SYNs to 10.50.100.100 port 80"
say "(2,500 packets/s from 256 sources); sent from the exporter $EXPORTER to the"
say "collector $FS_ADDR:$NETFLOW_PORT with their original timing (about 31 s)."
say "Policy syn-flood (examples/lab/policy.json): SYN without ACK above 1,200 packets/s"
say "over 10 s -> discard; withdrawn 5 s after the rate falls below 600 packets/s."
"$PYTHON" tests/interop/send_exports.py "$ATTACK" "$FS_ADDR" "$NETFLOW_PORT" \
	"$EXPORTER" >"$work/send.log" 2>&1 &
send_pid=$!
t=$SECONDS
wait_for "$DETECT_TIMEOUT" has_event announce ||
	fail "no announce in the event log $EVENTS $DETECT_TIMEOUT s into the attack"
say "# detected $((SECONDS - t)) s into the attack; the event log ($EVENTS):"
show_event "$(event announce)"
wait_for "$ROUTE_TIMEOUT" both present "$ATTACK_GOBGP" || true
ctl show mitigations || fail "flowspecctl show mitigations failed"
say "# the edge router's table:"
show "$GOBGP" -u "$EDGE_ADDR" -p "$EDGE_API_PORT" global rib -a ipv4-flowspec || true
edge_had=$(rib_state edge "$edge_pid" edge_cli "$ATTACK_GOBGP")
[ "$edge_had" = present ] ||
	fail "the edge router does not have the attack's rule ($edge_had) $ROUTE_TIMEOUT s after the announce"

say "# the attack goes on: the policy extends the rule while the rate stays high"
wait_for "$ATTACK_TIMEOUT" eval '! kill -0 "$send_pid" 2>/dev/null' ||
	fail "the exports were not sent in $ATTACK_TIMEOUT s"
wait "$send_pid" || fail "send_exports.py failed"
send_pid=''
say "# the attack is over ($(cat "$work/send.log")); waiting for the withdraw"
t=$SECONDS
wait_for "$CLEAR_TIMEOUT" has_event withdraw ||
	fail "no withdraw in the event log $CLEAR_TIMEOUT s after the attack"
show_event "$(event withdraw)"
say "# extends while the attack lasted: $(grep -c '^{"type":"extend"' "$EVENTS")"
wait_for "$ROUTE_TIMEOUT" both absent "$ATTACK_GOBGP" || true
say "# the edge router's table, $((SECONDS - t)) s after the last export:"
show "$GOBGP" -u "$EDGE_ADDR" -p "$EDGE_API_PORT" global rib -a ipv4-flowspec || true
edge_after=$(rib_state edge "$edge_pid" edge_cli "$ATTACK_GOBGP")
[ "$edge_after" = absent ] ||
	fail "the edge router still has the attack's rule ($edge_after) after the withdraw"
fs_established || fail "flowspecd's session went down during the demo"

say ""
say "demo: ok — both routers received the rule and removed it on withdraw; the SYN flood sent as NetFlow was detected, its rule reached the edge router and left it when the attack ended ($((SECONDS - started)) s)"
