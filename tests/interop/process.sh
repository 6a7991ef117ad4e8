#!/usr/bin/env bash
# ExaBGP process compatibility: one helper program written for ExaBGP 4's
# API (process-helper.py: commands on its stdout, one "done"/"error"
# answer read on its stdin after each) is run unchanged
#   1. by ExaBGP 4.2 (api.ack on, its default): the answers it gets are
#      the reference;
#   2. by flowspecd as a "processes" entry: the same answers, in order;
#      its rules reach a GoBGP receiver (the one withdrawn does not, the
#      refused ones do not); it exits after its first run and is started
#      again (respawn); on SIGTERM flowspecd stops it.
#
# Addresses 127.0.0.150 (flowspecd), .151 (GoBGP), .152 (a neighbor that
# never comes up); ports 26579 (gobgpd), 26550 (GoBGP API).
# Usage: FLOWSPECD_BIN=/abs/build/bin tests/interop/process.sh
TEST=process
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

need "$GOBGPD" "$GOBGP" "$PYTHON" ss
ports_free 26579 26550

FSD=127.0.0.150
GO=127.0.0.151 GO_API=26550
OTHER=127.0.0.152
SOCK=$WORK/fsd.sock
HELPER=$INTEROP_DIR/process-helper.py
export HELPER_NEIGHBOR_A=$GO HELPER_NEIGHBOR_B=$OTHER

# ExaBGP 4.2's answers to the helper's 7 commands (checked again below
# when exabgp is installed): the typo'd component and the unknown
# neighbor are errors.
EXPECTED_ANSWERS="done done done error done done error"
# GoBGP's text of the rules left: 1, 2, 3 (5 was withdrawn).
cat >"$WORK/expected.txt" <<'EOF2'
[destination: 10.60.1.0/24][protocol: ==tcp][destination-port: ==80] | rate:0:0
[destination: 10.60.2.0/24][protocol: ==udp][source-port: ==53] | rate:0:1000
[destination: 10.60.3.0/24] | redirect:65000:100
EOF2

# answers LOG RUN: the answers of the helper's RUN-th start, on one line.
answers() {
    awk -v run="$2" '/^start /{n++} n==run && /^answer /{print $3}' "$1" 2>/dev/null |
        tr '\n' ' ' | sed 's/ $//'
}
has_answers() { [ "$(answers "$1" "$2" | wc -w)" -eq 7 ]; }

# ---- 1. ExaBGP runs the helper ----

if command -v "$EXABGP" >/dev/null 2>&1; then
    cat >"$WORK/exabgp.conf" <<EOF2
process web {
    run $PYTHON $HELPER $WORK/exabgp-helper.log;
    encoder text;
}
$(for n in "$GO" "$OTHER"; do cat <<EOF3
neighbor $n {
    router-id $FSD;
    local-address $FSD;
    local-as 65100;
    peer-as 65001;
    passive;
    api { processes [ web ]; }
    family { ipv4 flow; }
}
EOF3
done)
EOF2
    spawn EXA_PID exabgp.log env \
        exabgp.tcp.bind= exabgp.daemon.user="$(id -un)" \
        exabgp.daemon.drop=false exabgp.daemon.daemonize=false \
        exabgp.api.cli=false exabgp.log.destination=stdout \
        "$EXABGP" "$WORK/exabgp.conf"
    if wait_until 30 has_answers "$WORK/exabgp-helper.log" 1; then
        exa=$(answers "$WORK/exabgp-helper.log" 1)
        check exabgp-answers "ExaBGP answered '$exa', the test expects '$EXPECTED_ANSWERS'" \
            [ "$exa" = "$EXPECTED_ANSWERS" ]
    else
        fail exabgp-answers "the helper got no 7 answers from ExaBGP (exabgp.log)"
    fi
    stop_pid "$EXA_PID"
    forget "$EXA_PID"
else
    say "exabgp not installed: its answers are taken as written in the test"
fi

# ---- 2. flowspecd runs it ----

cat >"$WORK/gobgp.toml" <<EOF2
[global.config]
  as = 65001
  router-id = "$GO"
  port = 26579
  local-address-list = ["$GO"]
$(gobgp_neighbor_toml "$FSD" 65100 "$GO" "")
EOF2
cat >"$WORK/fsd.json" <<EOF2
{
  "router_id": "$FSD",
  "local_as": 65100,
  "control_socket": "$SOCK",
  "neighbors": [
    { "address": "$GO", "port": 26579, "remote_as": 65001,
      "local_address": "$FSD", "hold_time": 9, "connect_retry": 1 },
    { "address": "$OTHER", "remote_as": 65001, "passive": true }
  ],
  "processes": [
    { "name": "web",
      "run": ["$PYTHON", "$HELPER", "$WORK/helper.log", "$WORK/marker"] }
  ]
}
EOF2
gobgpd_start GO_PID "$WORK/gobgp.toml" "$GO" "$GO_API" gobgpd.log
fsd_start FSD_PID "$WORK/fsd.json" flowspecd.log

if wait_until 20 has_answers "$WORK/helper.log" 1; then
    ours=$(answers "$WORK/helper.log" 1)
    check answers "flowspecd answered '$ours', ExaBGP '$EXPECTED_ANSWERS'" \
        [ "$ours" = "$EXPECTED_ANSWERS" ]
else
    fail answers "the helper got no 7 answers from flowspecd"
fi
check error-logged "the refused command's reason is not in the log" \
    grep -q "process web pid [0-9]*: error: col 31: unknown component 'destinaton'" \
    "$WORK/flowspecd.log"

# The helper exits with status 3 after its first run: started again.
if wait_until 15 has_answers "$WORK/helper.log" 2; then
    again=$(answers "$WORK/helper.log" 2)
    check respawn "the second run got '$again'" [ "$again" = "$EXPECTED_ANSWERS" ]
else
    fail respawn "the helper was not started again after it exited ($(grep -c '^start' "$WORK/helper.log") starts)"
fi
check respawn-logged "no exit status / back-off in the log" \
    grep -q "exited with status 3" "$WORK/flowspecd.log"

got_table() {
    gobgp_established "$GO" "$GO_API" "$FSD" &&
        gobgp_table "$GO" "$GO_API" >"$WORK/table.txt" &&
        same_table "$WORK/expected.txt" "$WORK/table.txt"
}
if wait_until 30 got_table; then
    pass gobgp-table
else
    compare gobgp-table "$WORK/expected.txt" "$WORK/table.txt"
fi

# ---- 3. stopping flowspecd stops the helper ----

helper_pid=$(awk '/^start /{p=$2} END{print p}' "$WORK/helper.log")
check helper-running "the helper (pid $helper_pid) is not running" alive "$helper_pid"
fsd_stop "$FSD_PID" "$WORK/flowspecd.log"
check helper-stopped "the helper (pid $helper_pid) outlived flowspecd" \
    wait_until 5 eval "! alive $helper_pid"

finish
