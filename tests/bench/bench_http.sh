#!/usr/bin/env bash
# Figures for issue 4 ("Figures to report"): API throughput.
#
#   (a) rules/s accepted through `flowspecctl batch` (N announce lines,
#       from the start of the command to its exit: every reply read);
#   (b) rules/s accepted through the HTTP API: N POST /api/v1/rules over
#       CONNS keep-alive connections (tests/interop/http_client.py bench,
#       one client process per connection), from the first request to the
#       last 201, for CONNS = 1 and CONNS = BENCH_CONNS;
#   (c) the time for N rules added over HTTP (CONNS = BENCH_CONNS) to reach
#       a GoBGP receiver: from the first request to the first poll (every
#       0.1 s, `gobgp global rib -a ipv4-flowspec summary`) that shows all N.
# For (a) and (b) the time to GoBGP is printed too. Between runs the rules
# are flushed (`flowspecctl flush api`) and GoBGP is seen empty again.
#
# One flowspecd (127.0.0.133, API on :26310) with one eBGP neighbor, gobgpd
# 127.0.0.134 (BGP :26311, its API :26312). The times are wall-clock: run it
# on an otherwise idle host (the load average is printed). This prints
# figures; it is not a test and tests/run.sh does not run it.
#
# Usage: tests/bench/bench_http.sh [N]          (default 10000)
# Environment:
#   FLOWSPECD_BIN  flowspecd and flowspecctl [build-bench/bin: cmake -B
#                  build-bench -DCMAKE_BUILD_TYPE=Release && cmake --build
#                  build-bench]
#   BENCH_CONNS    connections for the parallel HTTP runs [4]
#   GOBGPD GOBGP   the tools [from PATH]
TEST=bench-http
ROOT_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
FLOWSPECD_BIN=${FLOWSPECD_BIN:-$ROOT_DIR/build-bench/bin}
. "$ROOT_DIR/tests/interop/lib.sh"

N=${1:-10000}
CONNS=${BENCH_CONNS:-4}
[[ "$N" =~ ^[1-9][0-9]*$ ]] && ((N <= 16777216)) || die "N must be 1..16777216"
need "$GOBGPD" "$GOBGP" "$PYTHON" ss
ports_free 26310 26311 26312

FSD=127.0.0.133
GO=127.0.0.134 GO_API=26312
SOCK=$WORK/fsd.sock
HTTP_PY=$ROOT_DIR/tests/interop/http_client.py
export API=http://$FSD:26310
TOKEN=$(od -An -N16 -tx1 /dev/urandom | tr -d ' \n')
export TOKEN
echo "$TOKEN" >"$WORK/token"

cat >"$WORK/gobgp.toml" <<EOF
[global.config]
  as = 65001
  router-id = "$GO"
  port = 26311
  local-address-list = ["$GO"]
$(gobgp_neighbor_toml "$FSD" 65100 "$GO" "")
EOF
cat >"$WORK/flowspecd.json" <<EOF
{
  "router_id": "$FSD",
  "local_as": 65100,
  "control_socket": "$SOCK",
  "neighbors": [
    { "address": "$GO", "port": 26311, "remote_as": 65001,
      "local_address": "$FSD", "connect_retry": 1,
      "families": ["ipv4-flowspec"] }
  ],
  "http": { "listen": "$FSD:26310", "token_file": "$WORK/token" }
}
EOF
# The same rules as the HTTP bench (http_client.py bench): 10.x.y.z/32.
"$PYTHON" - "$N" >"$WORK/batch.txt" <<'PY'
import sys
for i in range(int(sys.argv[1])):
    print(f"announce flow route {{ match {{ destination 10.{i >> 16 & 255}."
          f"{i >> 8 & 255}.{i & 255}/32; }} then {{ discard; }} }}")
PY

now() { date +%s.%N; }
sub() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.2f", a - b }'; }
gobgp_count() {
    gocli "$GO" "$GO_API" global rib -a ipv4-flowspec summary 2>/dev/null |
        awk -F'[:,]' '/^Destination/ { print $2 + 0 }'
}
# wait_count K: until GoBGP holds K rules (polls every 0.1 s, 300 s at most);
# prints the time it got there.
wait_count() {
    local deadline=$((SECONDS + 300))
    until [ "$(gobgp_count)" = "$1" ]; do
        ((SECONDS < deadline)) || die "GoBGP did not reach $1 rules (has $(gobgp_count))"
        sleep 0.1
    done
    now
}
# cpu_s: flowspecd's user + system CPU seconds so far.
cpu_s() {
    sed 's/.*) //' "/proc/$FSD_PID/stat" |
        awk -v t="$(getconf CLK_TCK)" '{ printf "%.2f", ($12 + $13) / t }'
}
# per_rule CPU0 CPU1: microseconds of flowspecd CPU per rule between them.
per_rule() { awk -v a="$1" -v b="$2" -v n="$N" 'BEGIN { printf "%.0f", (b - a) * 1e6 / n }'; }
flush() {
    ctl flush api >/dev/null || die "flush failed"
    wait_count 0 >/dev/null
}

gobgpd_start GO_PID "$WORK/gobgp.toml" "$GO" "$GO_API" gobgpd.log
spawn FSD_PID flowspecd.log "$FLOWSPECD" -c "$WORK/flowspecd.json"
wait_until 20 fsd_up "$FSD_PID" || die "flowspecd did not come up"
wait_until 30 fsd_established "$GO" || die "session to GoBGP not Established"

say "N=$N rules, load average before: $(cut -d' ' -f1-3 /proc/loadavg)"

# (a) flowspecctl batch
c0=$(cpu_s)
t0=$(now)
ctl batch "$WORK/batch.txt" >"$WORK/batch.log" 2>&1 || die "flowspecctl batch failed"
t1=$(now)
t2=$(wait_count "$N")
say "(a) flowspecctl batch: $N rules accepted in $(sub "$t1" "$t0") s:" \
    "$(awk -v n="$N" -v d="$(sub "$t1" "$t0")" 'BEGIN { printf "%.0f", n / d }') rules/s;" \
    "all at GoBGP after $(sub "$t2" "$t0") s;" \
    "flowspecd CPU $(per_rule "$c0" "$(cpu_s)") us/rule"
flush

# (b) HTTP, one connection and CONNS connections; (c) the time to GoBGP.
for c in 1 "$CONNS"; do
    c0=$(cpu_s)
    t0=$(now)
    out=$("$PYTHON" "$HTTP_PY" bench "$N" "$c" 10) || die "HTTP bench: $out"
    t2=$(wait_count "$N")
    say "(b) HTTP, $c connection(s): $out"
    say "(c) HTTP, $c connection(s): all $N rules at GoBGP $(sub "$t2" "$t0") s" \
        "after the first POST; flowspecd CPU $(per_rule "$c0" "$(cpu_s)") us/rule"
    flush
done
exit 0
