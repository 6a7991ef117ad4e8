#!/usr/bin/env bash
# Figures for issue 3 ("Figures to report"): how long N distinct Flowspec
# rules (default 100,000) take to reach a receiver, side by side in one run:
#
#   (i)   flowspecd, rules in static_rules      -> bench_sink
#   (ii)  ExaBGP 4.2, rules in its config file  -> bench_sink
#   (iii) flowspecd, rules in static_rules      -> GoBGP and bench_sink at
#         once (GoBGP counted with `gobgp global rib -a ipv4-flowspec
#         summary`); the daemon's peak RSS (VmHWM) with N rules, two peers
#   (iv)  flowspecd started empty, rules pushed with `flowspecctl batch`
#                                                -> bench_sink
#         (with a state_file and an audit_log, as in production: the
#         state file is written once the batch is in, the audit log gets
#         one line per command)
#   (v)   ExaBGP -> GoBGP, for the figure the issue quotes (skip: BENCH_SKIP=v)
#
# Each time runs from the start of the sending daemon (or of the batch) to
# the receiver counting all N rules (bench_sink: the UPDATE that completes
# them; GoBGP: the first poll, every 0.25 s, that shows them). bench_sink
# (tests/bench/bench_sink.c) is a minimal BGP receiver that only counts:
# its CPU time is printed to show it is not what limits the sender.
#
# The times are wall-clock: run it on an otherwise idle host (the load
# average before the run is printed, and each sender's CPU seconds).
# This prints figures; it is not a test and tests/run.sh does not run it.
#
# Usage: tests/bench/bench_rules.sh [N]
# Environment:
#   FLOWSPECD_BIN  directory with flowspecd, flowspecctl, bench_sink
#                  [build-bench/bin: cmake -B build-bench
#                   -DCMAKE_BUILD_TYPE=Release && cmake --build build-bench]
#   EXABGP GOBGPD GOBGP   the tools [exabgp, gobgpd, gobgp from PATH]
#   BENCH_PORT     first of the 10 TCP ports used [23900]
#   BENCH_REPEAT   runs of (i) and (iv), the median is shown [3]
#   BENCH_TIMEOUT  seconds any one wait may take [300]
#   BENCH_SKIP     runs to leave out, e.g. "ii v" (no ExaBGP)
#   BENCH_KEEP=1   keep the work directory (configs, logs)
# Everything runs on loopback (127.0.0.2-127.0.0.5), on ports above 1024,
# from a temp directory removed on exit; every process is stopped by PID.

set -euo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
root=$(cd "$here/../.." && pwd)
N=${1:-100000}
BIN=${FLOWSPECD_BIN:-$root/build-bench/bin}
EXABGP=${EXABGP:-exabgp}
GOBGPD=${GOBGPD:-gobgpd}
GOBGP=${GOBGP:-gobgp}
PORT=${BENCH_PORT:-23900}
REPEAT=${BENCH_REPEAT:-3}
TIMEOUT=${BENCH_TIMEOUT:-300}
SKIP=" ${BENCH_SKIP:-} "

SINK_ADDR=127.0.0.2	# bench_sink listens here (AS 65001, eBGP)
GO_ADDR=127.0.0.4	# gobgpd listens here (AS 65100, iBGP), API too
SPEAKER_ADDR=127.0.0.5	# flowspecd's and ExaBGP's side of every session
LOCAL_AS=65100
SINK_AS=65001
GO_API_PORT=$((PORT + 9))

die() { echo "bench_rules: error: $*" >&2; exit 1; }
log() { echo "bench_rules: $*" >&2; }
skipped() { [[ "$SKIP" == *" $1 "* ]]; }

[[ "$N" =~ ^[1-9][0-9]*$ ]] || die "N must be a positive number, not '$N'"
((N <= 16777216)) || die "N at most 16777216 (one rule per 10.x.y.z)"
for f in flowspecd flowspecctl bench_sink; do
    [ -x "$BIN/$f" ] || die "$BIN/$f not found (set FLOWSPECD_BIN)"
done
for t in python3 ss; do
    command -v "$t" >/dev/null 2>&1 || die "required tool not found: $t"
done
if ! skipped ii || ! skipped v; then
    command -v "$EXABGP" >/dev/null 2>&1 ||
        die "$EXABGP not found (BENCH_SKIP=\"ii v\" to run without ExaBGP)"
fi
if ! skipped iii || ! skipped v; then
    for t in "$GOBGPD" "$GOBGP"; do
        command -v "$t" >/dev/null 2>&1 ||
            die "$t not found (BENCH_SKIP=\"iii v\" to run without GoBGP)"
    done
fi
if ss -Htan "( sport >= :$PORT and sport <= :$((PORT + 9)) )" |
    grep -v TIME-WAIT | grep -q .; then
    die "a TCP port in $PORT..$((PORT + 9)) is in use (set BENCH_PORT)"
fi

work=$(mktemp -d "${TMPDIR:-/tmp}/bench-rules.XXXXXX")
PIDS=()
exa='' gobgpd='' sink='' fsd=''	# PIDs, set by spawn

stop_pid() { # stop_pid PID: TERM, up to 5 s, then KILL
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

stop_all() {
    local i
    for ((i = ${#PIDS[@]} - 1; i >= 0; i--)); do stop_pid "${PIDS[i]}"; done
    PIDS=()
}

cleanup() {
    local rc=$?
    set +e
    trap '' PIPE
    stop_all
    if [ "$rc" -ne 0 ]; then
        for f in "$work"/*.log; do
            [ -s "$f" ] || continue
            echo "---- last lines of $(basename "$f") ----" >&2
            tail -n 15 "$f" | cut -c1-300 >&2
        done
    fi
    if [ "${BENCH_KEEP:-0}" = 1 ]; then
        log "work directory kept: $work"
    else
        rm -rf "$work"
    fi
    exit "$rc"
}
trap cleanup EXIT
trap 'exit 130' INT TERM HUP

# spawn VAR LOG CMD…: CMD in the background, output to $work/LOG.
spawn() {
    local var=$1 out=$2
    shift 2
    "$@" >"$work/$out" 2>&1 </dev/null &
    PIDS+=("$!")
    printf -v "$var" '%s' "$!"
}

now() { date +%s.%N; }
# sub A B: A - B in seconds, 3 decimals.
sub() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.3f", a - b }'; }

# wait_for SECS WHAT CMD…: CMD every $POLL s (default 0.1) until it
# succeeds; dies after SECS seconds.
wait_for() {
    local secs=$1 what=$2 deadline
    shift 2
    deadline=$((SECONDS + secs))
    until "$@"; do
        ((SECONDS < deadline)) || die "timed out after ${secs}s: $what"
        sleep "${POLL:-0.1}"
    done
}

alive() { kill -0 "$1" 2>/dev/null || die "$2 exited (see its log)"; }

# sink_field LOG EVENT KEY: the value of KEY= on the first EVENT line.
sink_field() {
    awk -v ev="$2" -v key="$3" '$1 == ev {
        for (i = 2; i <= NF; i++) if (index($i, key "=") == 1) {
            print substr($i, length(key) + 2); exit } }' "$work/$1"
}
sink_has() { grep -q "^$2 " "$work/$1"; }

# start_sink VAR LOG PORT: a bench_sink counting N rules.
start_sink() {
    spawn "$1" "$2" "$BIN/bench_sink" -l "$SINK_ADDR" -p "$3" \
        -P "$SPEAKER_ADDR" -n "$N" -a "$SINK_AS" -t $((TIMEOUT * 2))
    wait_for 10 "bench_sink on $SINK_ADDR:$3" sink_has "$2" listening
}

hwm_kb() { awk '/^VmHWM:/ { print $2 }' "/proc/$1/status"; }
# cpu_s PID: user + system CPU seconds of a running process so far.
cpu_s() {
    local tck
    tck=$(getconf CLK_TCK)
    sed 's/.*) //' "/proc/$1/stat" |
        awk -v t="$tck" '{ printf "%.2f", ($12 + $13) / t }'
}

median() { sort -n | awk '{ v[NR] = $1 } END { print v[int((NR + 1) / 2)] }'; }

# ------------------------------------------------------------- the rules --
# Rule i: destination 10.a.b.c/32 (i in the low 24 bits), TCP, destination
# port 1 + i mod 65535; three action sets (discard for 3 in 4, two
# traffic-rate values), so UPDATEs pack rules by attribute set as they
# would in practice.

load0=$(cut -d' ' -f1-3 /proc/loadavg)
log "generating $N rules in $work"
python3 - "$N" "$work" "$SINK_ADDR" "$GO_ADDR" "$SPEAKER_ADDR" \
    "$LOCAL_AS" "$SINK_AS" "$PORT" <<'PY'
import json, sys
n = int(sys.argv[1])
work, sink, go, speaker = sys.argv[2:6]
local_as, sink_as, port = int(sys.argv[6]), int(sys.argv[7]), int(sys.argv[8])

def rule(i):
    m = (f"destination 10.{i >> 16 & 255}.{i >> 8 & 255}.{i & 255}/32; "
         f"protocol tcp; destination-port ={1 + i % 65535};")
    if i % 4 != 3:
        t = "discard;"
    else:
        t = "rate-limit 125000;" if i % 8 == 3 else "rate-limit 12500;"
    return m, t

rules = [rule(i) for i in range(n)]
texts = [f"flow route {{ match {{ {m} }} then {{ {t} }} }}" for m, t in rules]

def config(name, neighbors, static):
    cfg = {"router_id": "192.0.2.1", "local_as": local_as,
           "control_socket": f"{work}/{name}.sock",
           "neighbors": neighbors}
    if static:
        cfg["static_rules"] = texts
    else:
        cfg["state_file"] = f"{work}/{name}.state"
        cfg["audit_log"] = f"{work}/{name}.audit"
    with open(f"{work}/{name}.json", "w") as f:
        json.dump(cfg, f, indent=1)

def sink_nb(p):
    return {"address": sink, "port": p, "remote_as": sink_as,
            "local_address": speaker, "families": ["ipv4-flowspec"],
            "connect_retry": 1}

go_nb = {"address": go, "port": port + 8, "remote_as": local_as,
         "local_address": speaker, "families": ["ipv4-flowspec"],
         "connect_retry": 1}
config("static", [sink_nb(port)], True)
config("two", [sink_nb(port + 1), go_nb], True)
config("empty", [sink_nb(port + 2)], False)
with open(f"{work}/batch.txt", "w") as f:
    for t in texts:
        f.write(f"announce {t}\n")

# ExaBGP 4.2: the same rules in its config file.
def exabgp(name, peer, local, peer_as):
    with open(f"{work}/{name}.conf", "w") as f:
        f.write(f"neighbor {peer} {{\n"
                f"    router-id 192.0.2.1;\n"
                f"    local-address {local};\n"
                f"    local-as {local_as};\n"
                f"    peer-as {peer_as};\n"
                f"    family {{ ipv4 flow; }}\n"
                f"    flow {{\n")
        for i, (m, t) in enumerate(rules):
            f.write(f"        route r{i} {{ match {{ {m} }} then {{ {t} }} }}\n")
        f.write("    }\n}\n")

exabgp("exa-sink", sink, speaker, sink_as)
exabgp("exa-gobgp", go, speaker, local_as)
PY

cat >"$work/gobgpd.toml" <<EOF
[global.config]
  as = $LOCAL_AS
  router-id = "$GO_ADDR"
  port = $((PORT + 8))
  local-address-list = ["$GO_ADDR"]

[[neighbors]]
  [neighbors.config]
    neighbor-address = "$SPEAKER_ADDR"
    peer-as = $LOCAL_AS
  [neighbors.transport.config]
    passive-mode = true
    local-address = "$GO_ADDR"
  [[neighbors.afi-safis]]
    [neighbors.afi-safis.config]
      afi-safi-name = "ipv4-flowspec"
EOF

gobgp_count() {
    "$GOBGP" -u "$GO_ADDR" -p "$GO_API_PORT" global rib -a ipv4-flowspec \
        summary 2>/dev/null | awk -F'[:,]' '/^Destination/ { print $2 + 0 }'
}
gobgp_has_all() { [ "$(gobgp_count)" = "$N" ]; }
gobgp_up() { "$GOBGP" -u "$GO_ADDR" -p "$GO_API_PORT" global >/dev/null 2>&1; }

start_gobgpd() { # start_gobgpd VAR LOG
    spawn "$1" "$2" "$GOBGPD" -f "$work/gobgpd.toml" --pprof-disable \
        --api-hosts "$GO_ADDR:$GO_API_PORT"
    wait_for 20 "the GoBGP API on $GO_ADDR:$GO_API_PORT" gobgp_up
}

# exabgp_env PORT: the environment for ExaBGP connecting to PORT (an array
# for env, so that the PID spawn records is ExaBGP's own).
exabgp_env() {
    EXA_ENV=(exabgp.tcp.port="$1" exabgp.tcp.bind=
        exabgp.daemon.user=root exabgp.daemon.drop=false
        exabgp.daemon.daemonize=false exabgp.api.cli=false
        exabgp.log.destination=stdout)
}

declare -A R	# results

# sink_result LOG T0 PREFIX: R[PREFIX.total] (T0 to reached), .connect
# (T0 to the connection), .cpu (the sink's CPU seconds).
sink_result() {
    local at conn
    at=$(sink_field "$1" reached at)
    conn=$(sink_field "$1" connected at)
    R[$3.total]=$(sub "$at" "$2")
    R[$3.connect]=$(sub "$conn" "$2")
    R[$3.send]=$(sub "$at" "$conn")
}

sink_cpu() {
    awk '$1 == "summary" { for (i = 2; i <= NF; i++) {
        split($i, kv, "="); v[kv[1]] = kv[2] }
        printf "%.3f", v["cpu_user"] + v["cpu_sys"] }' "$work/$1"
}

# ---------------------------------------------- (i) flowspecd -> sink --

run_static() { # run_static K
    local sink fsd t0
    start_sink sink "sink-i$1.log" "$PORT"
    t0=$(now)
    spawn fsd "flowspecd-i$1.log" "$BIN/flowspecd" -c "$work/static.json"
    wait_for "$TIMEOUT" "bench_sink to count $N rules from flowspecd" \
        sink_has "sink-i$1.log" reached
    R[i$1.hwm]=$(hwm_kb "$fsd")
    R[i$1.cpu]=$(cpu_s "$fsd")
    sink_result "sink-i$1.log" "$t0" "i$1"
    stop_all
    R[i$1.sinkcpu]=$(sink_cpu "sink-i$1.log")
    log "(i) run $1: ${R[i$1.total]} s (connected at ${R[i$1.connect]} s)"
}

if ! skipped i; then
    for ((k = 1; k <= REPEAT; k++)); do run_static "$k"; done
fi

# ------------------------------------------------- (ii) ExaBGP -> sink --

if ! skipped ii; then
    start_sink sink sink-ii.log "$PORT"
    t0=$(now)
    exabgp_env "$PORT"
    spawn exa exabgp-ii.log env "${EXA_ENV[@]}" "$EXABGP" "$work/exa-sink.conf"
    wait_for "$TIMEOUT" "bench_sink to count $N rules from ExaBGP" \
        sink_has sink-ii.log reached
    R[ii.cpu]=$(cpu_s "$exa")
    sink_result sink-ii.log "$t0" ii
    stop_all
    R[ii.sinkcpu]=$(sink_cpu sink-ii.log)
    log "(ii) ExaBGP: ${R[ii.total]} s (connected at ${R[ii.connect]} s)"
fi

# ------------------------------- (iii) flowspecd -> GoBGP + sink, RSS --

if ! skipped iii; then
    start_gobgpd gobgpd gobgpd-iii.log
    start_sink sink sink-iii.log $((PORT + 1))
    t0=$(now)
    spawn fsd flowspecd-iii.log "$BIN/flowspecd" -c "$work/two.json"
    # Each poll runs the gobgp CLI (CPU that gobgpd would use): 4 a second.
    POLL=0.25 wait_for "$TIMEOUT" "GoBGP to have $N rules from flowspecd" \
        gobgp_has_all
    t1=$(now)
    wait_for 30 "bench_sink to count $N rules" sink_has sink-iii.log reached
    R[iii.total]=$(sub "$t1" "$t0")
    sink_result sink-iii.log "$t0" iii.sink
    R[iii.hwm]=$(hwm_kb "$fsd")
    R[iii.cpu]=$(cpu_s "$fsd")
    R[iii.gocpu]=$(cpu_s "$gobgpd")
    stop_all
    log "(iii) to GoBGP: ${R[iii.total]} s; peak RSS ${R[iii.hwm]} kB"
fi

# ------------------------------------- (iv) flowspecctl batch -> sink --

run_batch() { # run_batch K
    local sink fsd t0 t1
    rm -f "$work/empty.state" "$work/empty.audit"	# each run starts empty
    start_sink sink "sink-iv$1.log" $((PORT + 2))
    spawn fsd "flowspecd-iv$1.log" "$BIN/flowspecd" -c "$work/empty.json"
    # Established with the empty table: its End-of-RIB came.
    wait_for 30 "the flowspecd -> bench_sink session" \
        sink_has "sink-iv$1.log" eor
    t0=$(now)
    "$BIN/flowspecctl" -s "$work/empty.sock" batch "$work/batch.txt" \
        >"$work/batch-iv$1.log" 2>&1 || die "flowspecctl batch failed"
    t1=$(now)
    wait_for "$TIMEOUT" "bench_sink to count $N rules from the batch" \
        sink_has "sink-iv$1.log" reached
    R[iv$1.total]=$(sub "$(sink_field "sink-iv$1.log" reached at)" "$t0")
    R[iv$1.batch]=$(sub "$t1" "$t0")
    R[iv$1.cpu]=$(cpu_s "$fsd")
    wait_for 30 "the state file to hold the $N claims" \
        grep -q "^{\"end\":$N}\$" "$work/empty.state"
    log "(iv) run $1: state file written $(sub "$(now)" "$t0") s after the batch started"
    R[iv$1.hwm]=$(hwm_kb "$fsd")
    stop_all
    R[iv$1.sinkcpu]=$(sink_cpu "sink-iv$1.log")
    log "(iv) run $1: ${R[iv$1.total]} s (batch command ${R[iv$1.batch]} s)"
}

if ! skipped iv; then
    for ((k = 1; k <= REPEAT; k++)); do run_batch "$k"; done
fi

# ------------------------------------------------ (v) ExaBGP -> GoBGP --

if ! skipped v; then
    start_gobgpd gobgpd gobgpd-v.log
    t0=$(now)
    exabgp_env $((PORT + 8))
    spawn exa exabgp-v.log env "${EXA_ENV[@]}" "$EXABGP" \
        "$work/exa-gobgp.conf"
    POLL=0.25 wait_for "$TIMEOUT" "GoBGP to have $N rules from ExaBGP" \
        gobgp_has_all
    R[v.total]=$(sub "$(now)" "$t0")
    R[v.cpu]=$(cpu_s "$exa")
    R[v.gocpu]=$(cpu_s "$gobgpd")
    stop_all
    log "(v) ExaBGP -> GoBGP: ${R[v.total]} s"
fi

# ------------------------------------------------------------ the table --

# vals RUN KEY: R[RUNk.KEY] for each repeat k, one a line.
vals() {
    local k
    for ((k = 1; k <= REPEAT; k++)); do echo "${R[$1$k.$2]}"; done
}
med() { vals "$1" "$2" | median; }
range() {
    vals "$1" "$2" | sort -n |
        awk 'NR == 1 { lo = $1 } { hi = $1 } END { printf "%s-%s", lo, hi }'
}
rate() { awk -v n="$N" -v t="$1" 'BEGIN { printf "%.0f", (t > 0 ? n / t : 0) }'; }
mb() { awk -v k="$1" 'BEGIN { printf "%.1f", k / 1024 }'; }
ratio() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.1f", (b > 0 ? a / b : 0) }'; }
row() { printf '%-44s %8s %8s %8s %9s %8s\n' "$@"; }

cpu=$(awk -F': ' '/^model name/ { print $2; exit }' /proc/cpuinfo)
echo
echo "$N Flowspec rules (destination /32, tcp, destination-port; 3 action sets), loopback"
echo "host: ${cpu:-unknown CPU}, $(nproc) CPUs, load average before: $load0"
echo "flowspecd: $BIN"
if ! skipped ii || ! skipped v; then
    echo "ExaBGP $("$EXABGP" --version 2>&1 | awk '/ExaBGP/ { print $3; exit }')"
fi
if ! skipped iii || ! skipped v; then
    echo "GoBGP $("$GOBGPD" --version 2>&1 | awk '{ print $3; exit }')"
fi
echo
row "run: start -> the receiver has all $N" "total s" "connect" "send s" \
    "rules/s" "CPU s"
if ! skipped i; then
    row "(i)   flowspecd static_rules -> sink [med/$REPEAT]" \
        "$(med i total)" "$(med i connect)" "$(med i send)" \
        "$(rate "$(med i total)")" "$(med i cpu)"
fi
if ! skipped ii; then
    row "(ii)  ExaBGP config -> sink" "${R[ii.total]}" "${R[ii.connect]}" \
        "${R[ii.send]}" "$(rate "${R[ii.total]}")" "${R[ii.cpu]}"
fi
if ! skipped iii; then
    row "(iii) flowspecd static_rules -> GoBGP" "${R[iii.total]}" "" "" \
        "$(rate "${R[iii.total]}")" "${R[iii.cpu]}"
    row "      same run -> sink (2 peers)" "${R[iii.sink.total]}" \
        "${R[iii.sink.connect]}" "${R[iii.sink.send]}" \
        "$(rate "${R[iii.sink.total]}")" ""
fi
if ! skipped iv; then
    row "(iv)  flowspecctl batch -> sink [med/$REPEAT]" "$(med iv total)" \
        "" "" "$(rate "$(med iv total)")" "$(med iv cpu)"
fi
if ! skipped v; then
    row "(v)   ExaBGP config -> GoBGP" "${R[v.total]}" "" "" \
        "$(rate "${R[v.total]}")" "${R[v.cpu]}"
fi
echo
echo "connect: start -> TCP connection at the receiver (config, rule table);"
echo "send: connection -> all counted; CPU: the sender's, at that moment."
if ! skipped i; then
    echo "(i) totals of the $REPEAT runs: $(range i total) s;" \
        "bench_sink CPU $(med i sinkcpu) s"
fi
if ! skipped iv; then
    echo "(iv) from the start of \`flowspecctl batch\` (daemon up, session" \
        "Established); the batch command took $(med iv batch) s"
fi
if ! skipped iii; then
    echo "(iii) gobgpd CPU ${R[iii.gocpu]} s$(skipped v ||
        echo "; (v) gobgpd CPU ${R[v.gocpu]} s")"
fi
if ! skipped i && ! skipped ii; then
    echo "to the sink: flowspecd $(ratio "${R[ii.total]}" "$(med i total)")x" \
        "faster than ExaBGP (bench_sink CPU with ExaBGP: ${R[ii.sinkcpu]} s)"
fi
if ! skipped iii && ! skipped v; then
    echo "to GoBGP: flowspecd $(ratio "${R[v.total]}" "${R[iii.total]}")x" \
        "faster than ExaBGP"
fi
echo "flowspecd peak RSS (VmHWM) with $N rules:" \
    "$(skipped iii || echo "2 peers (sink + GoBGP) $(mb "${R[iii.hwm]}") MB; ")$(
    skipped i || echo "1 peer $(mb "$(med i hwm)") MB; ")$(skipped iv ||
    echo "rules from the batch, 1 peer $(mb "$(med iv hwm)") MB")"
