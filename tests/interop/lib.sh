# Shared helpers of the interop tests (tests/interop/*.sh source this file).
#
# A script sets TEST (its name) and sources this file; it gets:
#   - pass CHECK / fail CHECK WHAT: "PASS: interop/TEST/CHECK" lines, the
#     failures counted; finish exits non-zero when any check failed;
#   - a work directory $WORK, removed on exit with every process started
#     through spawn (each stopped by its PID: TERM, then KILL after 5 s);
#   - bounded waits (wait_until SECS CMD…), port checks, and wrappers for
#     flowspecd/flowspecctl, gobgpd/gobgp and the python helpers
#     (interop.py). Nothing here outlives the script (KEEP_WORK=1 keeps
#     the work directory and its logs, for debugging).
# Only loopback addresses and ports above 1024 are used; each script has
# its own port range (see the top of each script).
# shellcheck shell=bash

set -u

# Run directly (lib_selftest.sh does it: tests/run.sh skips lib.sh),
# it checks its own helpers: see lib_self_test at the end.
if [ "${BASH_SOURCE[0]}" = "$0" ]; then
    TEST=lib
    LIB_SELF_TEST=1
fi

INTEROP_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
ROOT=$(cd "$INTEROP_DIR/../.." && pwd)
FLOWSPECD_BIN=${FLOWSPECD_BIN:-$ROOT/build/bin}
FLOWSPECD=$FLOWSPECD_BIN/flowspecd
FLOWSPECCTL=$FLOWSPECD_BIN/flowspecctl
GOBGPD=${GOBGPD:-gobgpd}
GOBGP=${GOBGP:-gobgp}
EXABGP=${EXABGP:-exabgp}
# The system python when there is one: a pyenv shim costs 0.4 s a call.
if [ -z "${PYTHON:-}" ]; then
    PYTHON=python3
    [ -x /usr/bin/python3 ] && PYTHON=/usr/bin/python3
fi
INTEROP_PY=$INTEROP_DIR/interop.py
# The sanitizers must not turn a leak at exit into a failed daemon start.
export ASAN_OPTIONS=${ASAN_OPTIONS:-detect_leaks=1:abort_on_error=0}

failures=0
checks=0
PIDS=()
T0=$SECONDS
WORK=$(mktemp -d "${TMPDIR:-/tmp}/flowspecd-interop-$TEST.XXXXXX") || {
    echo "FAIL: interop/$TEST: mktemp failed"
    exit 1
}

say() { echo "[$TEST +$((SECONDS - T0))s] $*"; }
pass() { checks=$((checks + 1)); echo "PASS: interop/$TEST/$1"; }
fail() {
    checks=$((checks + 1))
    failures=$((failures + 1))
    echo "FAIL: interop/$TEST/$1: $2"
}
# check NAME WHAT CMD…: pass when CMD succeeds, else fail with WHAT.
check() {
    local name=$1 what=$2
    shift 2
    if "$@"; then pass "$name"; else fail "$name" "$what"; fi
}
# A setup step that cannot go on: one FAIL line, then exit (cleanup runs).
die() {
    fail "${2:-setup}" "$1"
    exit 1
}

# stop_pid PID [SIGNAL]: signal one process we started, wait up to 5 s,
# then KILL it.
stop_pid() {
    local pid=$1 sig=${2:-TERM} i
    [ -n "$pid" ] || return 0
    if kill -0 "$pid" 2>/dev/null; then
        kill -CONT "$pid" 2>/dev/null
        kill -"$sig" "$pid" 2>/dev/null
        for ((i = 0; i < 50; i++)); do
            kill -0 "$pid" 2>/dev/null || break
            sleep 0.1
        done
        kill -0 "$pid" 2>/dev/null && kill -KILL "$pid" 2>/dev/null
    fi
    wait "$pid" 2>/dev/null
    return 0
}

# Logs shown when the script fails: the last lines of each.
dump_logs() {
    local f
    for f in "$WORK"/*.log; do
        [ -s "$f" ] || continue
        echo "---- last lines of $(basename "$f") ----"
        tail -n 25 "$f" | cut -c1-300
    done
}

cleanup() {
    local rc=$? i
    set +e
    trap '' PIPE
    for ((i = ${#PIDS[@]} - 1; i >= 0; i--)); do
        stop_pid "${PIDS[i]}"
    done
    if ((failures > 0 || rc != 0)); then
        dump_logs
        # Sanitizer reports anywhere in the daemon logs.
        grep -h -A5 -E 'ERROR: (Address|Leak)Sanitizer|runtime error' \
            "$WORK"/*.log 2>/dev/null | head -n 40
    fi
    if [ -n "${KEEP_WORK:-}" ]; then
        say "work directory kept: $WORK"
    else
        rm -rf "$WORK"
    fi
    say "done in $((SECONDS - T0)) s"
    exit "$rc"
}
trap cleanup EXIT
trap 'exit 130' INT TERM HUP

# finish: the exit status of the script (after its checks).
finish() {
    if ((failures > 0)); then
        say "$failures of $checks checks failed"
        exit 1
    fi
    ((checks > 0)) || { echo "FAIL: interop/$TEST: no check ran"; exit 1; }
    exit 0
}

# spawn VAR LOG CMD…: start CMD in the background (stdout and stderr to
# $WORK/LOG), its PID in VAR and in the cleanup list.
spawn() {
    local var=$1 log=$2
    shift 2
    "$@" >>"$WORK/$log" 2>&1 </dev/null &
    PIDS+=("$!")
    printf -v "$var" '%s' "$!"
}

# forget PID: a process that is gone (killed on purpose) leaves the list.
forget() {
    local i
    for i in "${!PIDS[@]}"; do
        [ "${PIDS[i]}" = "$1" ] && unset 'PIDS[i]'
    done
    PIDS=("${PIDS[@]}")
}

# wait_until SECS CMD…: run CMD every 0.2 s until it succeeds (0) or SECS
# seconds have passed (1).
wait_until() {
    local secs=$1 deadline
    shift
    deadline=$((SECONDS + secs))
    while :; do
        "$@" && return 0
        ((SECONDS < deadline)) || return 1
        sleep 0.2
    done
}

alive() { kill -0 "$1" 2>/dev/null; }

# need TOOL…: every tool there, or one FAIL line and exit.
need() {
    local t
    for t in "$@"; do
        command -v "$t" >/dev/null 2>&1 || die "required tool not found: $t"
    done
    [ -x "$FLOWSPECD" ] && [ -x "$FLOWSPECCTL" ] ||
        die "flowspecd/flowspecctl not found in FLOWSPECD_BIN=$FLOWSPECD_BIN"
}

# ports_free PORT…: none of the TCP ports is listened on or connected
# (TIME-WAIT leftovers do not count).
ports_free() {
    local p
    for p in "$@"; do
        if ss -Hltn "( sport = :$p )" | grep -q . ||
            ss -Htn state established "( sport = :$p or dport = :$p )" |
            grep -q .; then
            die "TCP port $p is already in use (ss -tanp shows by whom)"
        fi
    done
}

# ---- flowspecd ----------------------------------------------------------

# fsd_start VAR CONFIG LOG: start flowspecd -d on CONFIG, wait until its
# control socket ($SOCK) answers.
fsd_start() {
    local var=$1 conf=$2 log=$3 pid
    spawn pid "$log" "$FLOWSPECD" -c "$conf" -d
    printf -v "$var" '%s' "$pid"
    wait_until 20 fsd_up "$pid" ||
        die "flowspecd did not come up (log $log)"
}
fsd_up() { alive "$1" && "$FLOWSPECCTL" -s "$SOCK" show neighbor >/dev/null 2>&1; }

# fsd_stop PID LOG: SIGTERM, then check a clean exit (status 0 within 15 s)
# and no sanitizer report in LOG.
fsd_stop() {
    local pid=$1 log=$2 rc
    kill -TERM "$pid"
    if wait_until 15 eval "! alive $pid"; then
        wait "$pid"
        rc=$?
        forget "$pid"
        check clean-exit "flowspecd exited with status $rc" [ "$rc" -eq 0 ]
    else
        fail clean-exit "flowspecd still running 15 s after SIGTERM"
    fi
    if grep -qE 'ERROR: (Address|Leak)Sanitizer|runtime error' "$log"; then
        fail sanitizers "flowspecd log has sanitizer reports"
    else
        pass sanitizers
    fi
}

ctl() { "$FLOWSPECCTL" -s "$SOCK" "$@"; }

# RFC 8956 §3.8's two examples as rules: source prefixes with offsets 64
# and 65 (most peers read the pre-RFC 8956 layout: bgpd/bgp/profile.c).
RFC8956_OFF64='flow route { match { destination 2001:db8::/32; source ::1234:5678:9a00:0/104/64; next-header =tcp; } then { discard; } }'
RFC8956_OFF65='flow route { match { destination 2001:db8::/32; source ::1234:5678:9a00:0/104/65; } then { discard; } }'

# offset_refused CHECK PEER PROFILE OFFSET TEXT [OFFSET TEXT]…: `show
# adj-rib-out PEER` lists each rule whose text starts with TEXT as
# refused by PROFILE for its source prefix's OFFSET, with profile.c's
# reason.
offset_refused() {
    local name=$1 peer=$2 profile=$3 out=$WORK/adj-$2.txt ok=1
    shift 3
    ctl show adj-rib-out "$peer" >"$out" 2>&1
    while [ $# -ge 2 ]; do
        grep -qF "# refused (profile $profile: source prefix offset $1: $profile reads the pre-RFC 8956 IPv6 prefix layout): $2" "$out" || ok=0
        shift 2
    done
    check "$name" "refused lines of $peer: $(grep '^# refused' "$out" | tr '\n' ';')" [ "$ok" = 1 ]
}

# nbr ADDR FIELD: one field of `show neighbor --json` for ADDR (dotted
# path into the object, e.g. last_error.code); empty when absent/null.
nbr() { ctl show neighbor --json | "$PYTHON" "$INTEROP_PY" nbr "$1" "$2"; }
nbr_is() { [ "$(nbr "$1" "$2")" = "$3" ]; }
fsd_established() { nbr_is "$1" state Established; }

# ---- GoBGP --------------------------------------------------------------

# gocli HOST PORT ARGS…: the gobgp CLI against the API at HOST:PORT.
gocli() {
    local host=$1 port=$2
    shift 2
    "$GOBGP" -u "$host" -p "$port" "$@"
}

# gobgpd_start VAR TOML HOST PORT LOG: start gobgpd with its API on
# HOST:PORT and wait until the API answers.
gobgpd_start() {
    local var=$1 toml=$2 host=$3 port=$4 log=$5 pid
    spawn pid "$log" "$GOBGPD" -f "$toml" --api-hosts "$host:$port" \
        --pprof-disable
    printf -v "$var" '%s' "$pid"
    wait_until 20 gobgp_up "$pid" "$host" "$port" ||
        die "gobgpd did not come up (log $log)"
}
gobgp_up() { alive "$1" && gocli "$2" "$3" global >/dev/null 2>&1; }

# gobgp_state HOST PORT NEIGHBOR: its session state (established, idle, …;
# "none" when GoBGP does not answer).
gobgp_state() {
    gocli "$1" "$2" neighbor "$3" -j 2>/dev/null |
        "$PYTHON" "$INTEROP_PY" gobgp-state
}
gobgp_established() { [ "$(gobgp_state "$@")" = established ]; }

# gobgp_msgs HOST PORT NEIGHBOR sent|received KIND: GoBGP's message
# counter (update, refresh, notification, …) for that neighbor.
gobgp_msgs() {
    gocli "$1" "$2" neighbor "$3" -j 2>/dev/null |
        "$PYTHON" "$INTEROP_PY" gobgp-msgs "$4" "$5"
}

# gobgp_rib_json HOST PORT: GoBGP's JSON tables of both Flowspec families.
gobgp_rib_json() {
    local host=$1 port=$2 f
    for f in ipv4-flowspec ipv6-flowspec; do
        gocli "$host" "$port" global rib -a "$f" -j 2>/dev/null || echo '{}'
        echo
    done
}

# gobgp_table HOST PORT: the rules GoBGP holds (both Flowspec families),
# one normalised line each (interop.py gobgp-table), sorted.
gobgp_table() { gobgp_rib_json "$1" "$2" | "$PYTHON" "$INTEROP_PY" gobgp-table; }

# gobgp_table_stale HOST PORT: the same table in $WORK/table.txt, and
# "STALE TOTAL" (rules GoBGP marks stale, all rules) in $WORK/stale.txt.
gobgp_table_stale() {
    gobgp_rib_json "$1" "$2" >"$WORK/rib.json" &&
        "$PYTHON" "$INTEROP_PY" gobgp-table <"$WORK/rib.json" >"$WORK/table.txt" &&
        "$PYTHON" "$INTEROP_PY" gobgp-stale <"$WORK/rib.json" >"$WORK/stale.txt"
}

# gobgp_neighbor_toml ADDR AS LOCAL PORT [LINE…]: a [[neighbors]] block
# with both Flowspec families and short timers; with a PORT GoBGP
# connects to ADDR:PORT, with "" it only listens (passive-mode). The
# LINEs follow the timers' keys (so a first "    key = value" line is a
# timer; a "  [neighbors.graceful-restart.config]" line starts a section).
# With GOBGP_GR set, each family gets mp-graceful-restart.
gobgp_neighbor_toml() {
    local addr=$1 as=$2 local=$3 port=${4:-}
    shift 3
    [ $# -gt 0 ] && shift
    cat <<EOF
[[neighbors]]
  [neighbors.config]
    neighbor-address = "$addr"
    peer-as = $as
  [neighbors.transport.config]
    local-address = "$local"
EOF
    if [ -n "$port" ]; then
        echo "    remote-port = $port"
    else
        echo "    passive-mode = true"
    fi
    cat <<EOF
  [neighbors.timers.config]
    connect-retry = 1
    hold-time = 9
    keepalive-interval = 3
EOF
    local line
    for line in "$@"; do echo "$line"; done
    local fam
    for fam in ipv4-flowspec ipv6-flowspec; do
        cat <<EOF
  [[neighbors.afi-safis]]
    [neighbors.afi-safis.config]
      afi-safi-name = "$fam"
EOF
        if [ -n "${GOBGP_GR:-}" ]; then
            cat <<EOF
    [neighbors.afi-safis.mp-graceful-restart.config]
      enabled = true
EOF
        fi
    done
}

# ---- rule tables --------------------------------------------------------

# rules_field FILE N: field N (1: our rule, 2: GoBGP key, 3: actions) of
# every rule line of a table file ("rule | key | actions", # comments).
rules_field() {
    sed -e 's/[[:space:]]*#.*$//' -e '/^[[:space:]]*$/d' "$1" |
        awk -F ' [|] ' -v n="$2" '{ print $n }'
}

# compare CHECK EXPECTED ACTUAL: the two normalised tables, rule by rule
# (interop.py compare prints what differs); pass or fail CHECK.
compare() {
    local name=$1 out
    if out=$("$PYTHON" "$INTEROP_PY" compare "$2" "$3"); then
        pass "$name"
    else
        fail "$name" "$(printf '%s' "$out" | head -n 8 | tr '\n' ';')"
    fi
}

# same_table EXPECTED ACTUAL: quiet compare, for polling.
same_table() { "$PYTHON" "$INTEROP_PY" compare "$1" "$2" >/dev/null; }

# ---- self test (bash tests/interop/lib.sh) --------------------------------
# The helpers the other scripts trust: the comparison must be able to fail,
# the GoBGP and ExaBGP normalisers must read what those daemons print, the
# waits must end, and the rule tables must be well formed.

lib_self_test() {
    local t=$WORK/self
    mkdir -p "$t"
    printf '%s\n' 'k1 | a, b' 'k2 | -' >"$t/exp"
    printf '%s\n' 'k2 | -' 'k1 | b, a' >"$t/same"
    printf '%s\n' 'k1 | a, c' 'k2 | -' >"$t/differs"
    printf '%s\n' 'k1 | a, b' >"$t/missing"
    printf '%s\n' 'k1 | a, b' 'k2 | -' 'k3 | -' >"$t/extra"
    check compare-equal "equal tables (any order) compare as different" \
        same_table "$t/exp" "$t/same"
    check compare-differs "different actions compare as equal" \
        eval '! same_table "$t/exp" "$t/differs" &&
            "$PYTHON" "$INTEROP_PY" compare "$t/exp" "$t/differs" | grep -q "^differs: k1"'
    check compare-missing "a missing rule is not seen" \
        eval '"$PYTHON" "$INTEROP_PY" compare "$t/exp" "$t/missing" | grep -q "^missing: k2"'
    check compare-unexpected "an extra rule is not seen" \
        eval '"$PYTHON" "$INTEROP_PY" compare "$t/exp" "$t/extra" | grep -q "^unexpected: k3"'
    check contains "contains is wrong" \
        eval '"$PYTHON" "$INTEROP_PY" contains "$t/missing" "$t/exp" &&
            ! "$PYTHON" "$INTEROP_PY" contains "$t/exp" "$t/missing" >/dev/null'

    # What gobgp 3.10 prints for one IPv4 and one IPv6 rule (-j), trimmed,
    # and for an IPv6 rule it cannot parse (an RFC 8956 prefix offset:
    # no NLRI, no attributes).
    cat >"$t/gobgp.json" <<'JSON'
{"[destination: 10.0.0.0/24][tcp-flags: S&!A]":[{"nlri":{"value":[]},"attrs":[{"type":1,"value":0},{"type":16,"value":[{"type":128,"subtype":6,"as":0,"rate":1000},{"type":128,"subtype":7,"terminal":true,"sample":true},{"type":130,"subtype":8,"value":"64086.59904:100"},{"type":128,"subtype":12,"value":"DAAARZxAAA=="}]},{"type":8,"communities":[4259840666]},{"type":14,"nexthop":"0.0.0.0","afi":1,"safi":133}],"stale":true}]}
{"[destination: 2001:db8::/32/0][label: ==1234]":[{"nlri":{"value":[]},"attrs":[{"type":2,"as_paths":[{"segment_type":2,"num":1,"asns":[65100]}]},{"type":25,"value":[{"type":0,"subtype":12,"value":"2001:db8::1:0"}]},{"type":14,"nexthop":"::","afi":2,"safi":133}],"stale":false}]}
{"[destination: 2001:db8::/32/0][unknown:[2 104 65 36 104 172 241 52]]":[{"nlri":null,"age":1796419090,"best":true,"attrs":null,"stale":false}]}
JSON
    "$PYTHON" "$INTEROP_PY" gobgp-table <"$t/gobgp.json" >"$t/gobgp.out"
    printf '%s\n' \
        '[destination: 10.0.0.0/24][tcp-flags: S&!A] | action:sample+terminal, community:65000:666, ext:128/12:0c0000459c4000, rate:0:1000, redirect:64086.59904:100' \
        '[destination: 2001:db8::/32/0][label: ==1234] | ext6:0/12:2001:db8::1:0' \
        '[destination: 2001:db8::/32/0][unknown:[2 104 65 36 104 172 241 52]] | -' >"$t/gobgp.exp"
    check gobgp-normalise "gobgp-table: $(tr '\n' ';' <"$t/gobgp.out")" \
        cmp -s "$t/gobgp.exp" "$t/gobgp.out"
    check gobgp-stale "gobgp-stale: $("$PYTHON" "$INTEROP_PY" gobgp-stale <"$t/gobgp.json")" \
        [ "$("$PYTHON" "$INTEROP_PY" gobgp-stale <"$t/gobgp.json")" = "1 3" ]

    # ExaBGP 4.2's JSON: two announces, a withdraw of one, an End-of-RIB,
    # and a line from another session.
    cat >"$t/exabgp.json" <<'JSON'
{ "type": "update", "neighbor": { "address": { "local": "127.0.0.2", "peer": "127.0.0.1" }, "message": { "update": { "attribute": { "origin": "igp", "extended-community": [ { "value": 9225060886715039744, "string": "rate-limit:0" } ] }, "announce": { "ipv4 flow": { "no-nexthop": [ { "string": "flow destination-ipv4 10.0.0.0/24" }, { "string": "flow destination-ipv4 10.0.1.0/24" } ] } } } } } }
{ "type": "update", "neighbor": { "address": { "local": "127.0.0.2", "peer": "127.0.0.1" }, "message": { "update": { "attribute": { "community": [ [ 65000, 666 ] ], "extended-community": [ { "value": 9226749737743171584, "string": "" } ] }, "announce": { "ipv4 flow": { "192.0.2.10": [ { "string": "flow destination-ipv4 10.0.2.0/24 next-hop 192.0.2.10" } ] } } } } } }
{ "type": "update", "neighbor": { "address": { "local": "127.0.0.2", "peer": "127.0.0.1" }, "message": { "update": { "withdraw": { "ipv4 flow": [ { "string": "flow destination-ipv4 10.0.1.0/24" } ] } } } } }
{ "type": "update", "neighbor": { "address": { "local": "127.0.0.2", "peer": "127.0.0.1" }, "message": { "eor": { "afi" : "ipv4", "safi" : "flow" } } } }
{ "type": "update", "neighbor": { "address": { "local": "127.0.0.3", "peer": "127.0.0.1" }, "message": { "eor": { "afi" : "ipv6", "safi" : "flow" } } } }
not json: an API answer
JSON
    "$PYTHON" "$INTEROP_PY" exabgp-table "$t/exabgp.json" 127.0.0.2 >"$t/exabgp.out"
    printf '%s\n' \
        'flow destination-ipv4 10.0.0.0/24 | rate-limit:0' \
        'flow destination-ipv4 10.0.2.0/24 next-hop 192.0.2.10 | 0x800c0000459c4000, community:65000:666, nexthop:192.0.2.10' >"$t/exabgp.exp"
    check exabgp-replay "exabgp-table: $(tr '\n' ';' <"$t/exabgp.out")" \
        cmp -s "$t/exabgp.exp" "$t/exabgp.out"
    local counts
    counts="$("$PYTHON" "$INTEROP_PY" exabgp-count "$t/exabgp.json" 127.0.0.2 announce) $("$PYTHON" "$INTEROP_PY" exabgp-count "$t/exabgp.json" 127.0.0.2 withdraw) $("$PYTHON" "$INTEROP_PY" exabgp-count "$t/exabgp.json" 127.0.0.2 eor)"
    check exabgp-count "exabgp-count announce/withdraw/eor: $counts" [ "$counts" = "3 1 1" ]

    local t0=$SECONDS
    check wait-bounded "wait_until 1 false did not give up after about 1 s" \
        eval '! wait_until 1 false && ((SECONDS - t0 <= 3))'

    local f n bad
    for f in gobgp-rules.txt exabgp-rules.txt; do
        n=$(rules_field "$INTEROP_DIR/$f" 1 | grep -c '^flow route {')
        bad=$(sed -e 's/[[:space:]]*#.*$//' -e '/^[[:space:]]*$/d' "$INTEROP_DIR/$f" |
            awk -F ' [|] ' 'NF != 3' | head -n 1)
        check "rules-${f%.txt}" "$f: $n rules (not 50) or a line without 3 fields: $bad" \
            [ "$n" -eq 50 -a -z "$bad" ]
    done
}

if [ -n "${LIB_SELF_TEST:-}" ]; then
    lib_self_test
    finish
fi
