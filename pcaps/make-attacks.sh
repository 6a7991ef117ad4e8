#!/usr/bin/env bash
# Remake the attack captures pcaps/attack-<scenario>.pcap and their table
# pcaps/attacks.json: NetFlow v5 / v9 / IPFIX export packets from softflowd
# watching traffic played in real time (softflowd -r would send every export
# in one burst and lose the timing).
#
# For each scenario of gen-attack.py (beside this script):
#   1. gen-attack.py writes the traffic pcap (deterministic, fixed seed) into
#      a temp directory: background flows for the whole capture, the attack
#      LEAD_S seconds in for ATTACK_S seconds at a fixed rate, TAIL_S seconds
#      of background after it;
#   2. a network namespace ($NS) holds a veth pair $NS.0 / $NS.1 and its own
#      lo; tcpreplay plays the pcap into $NS.0 at its recorded speed;
#      softflowd -i $NS.1 exports to 127.0.0.1:$EXPORT_PORT (the namespace's
#      lo) with short timeouts (active 10 s, inactive 3 s, expiry every 1 s);
#      tcpdump on the namespace's lo records the export packets, and a
#      second tcpdump on $NS.1 records the traffic (headers only, kept in
#      the temp directory) so the real times and counts can be measured;
#   3. softflowd is stopped with SIGTERM, which exports the flows it still
#      holds; gen-attack.py describe measures the played traffic and writes
#      the scenario's entry into attacks.json.
# The namespace and the temp directory are removed on exit (trap).
#
# Usage: pcaps/make-attacks.sh [SCENARIO...]   (default: every scenario)
# Needs root (ip netns, tcpdump), tcpreplay, softflowd, tcpdump, python3.
# Override with the environment: NS (namespace, default fsdatk),
# EXPORT_PORT (default 20555), TCPREPLAY SOFTFLOWD TCPDUMP PYTHON.
# Check the result: tests/tshark/attacks_check.sh.

set -euo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
NS=${NS:-fsdatk}
EXPORT_PORT=${EXPORT_PORT:-20555}
TCPREPLAY=${TCPREPLAY:-tcpreplay}
SOFTFLOWD=${SOFTFLOWD:-softflowd}
TCPDUMP=${TCPDUMP:-tcpdump}
PYTHON=${PYTHON:-python3}
gen=$here/gen-attack.py
table=$here/attacks.json
policy=$here/../tests/policy-attacks.json
tx=$NS.0
rx=$NS.1

die() { echo "make-attacks: error: $*" >&2; exit 1; }
log() { echo "make-attacks: $*" >&2; }

for tool in "$TCPREPLAY" "$SOFTFLOWD" "$TCPDUMP" "$PYTHON" ip; do
    command -v "$tool" >/dev/null 2>&1 || die "required tool not found: $tool"
done
[ "$(id -u)" -eq 0 ] || die "must run as root (ip netns, tcpdump)"
ip netns list | grep -qw "^$NS" && die "namespace $NS exists already (ip netns del $NS if it is a leftover)"

mapfile -t all < <("$PYTHON" "$gen" list)
if (($#)); then
    for s in "$@"; do
        printf '%s\n' "${all[@]}" | grep -qx -- "$s" || die "unknown scenario '$s' (one of: ${all[*]})"
    done
    scenarios=("$@")
else
    scenarios=("${all[@]}")
fi

work=$(mktemp -d "${TMPDIR:-/tmp}/flowspecd-attacks.XXXXXX")
pids=()

stop_pid() { # stop_pid PID: SIGTERM one process we started, wait up to 5 s, then KILL
    local pid=$1 i
    kill -0 "$pid" 2>/dev/null || { wait "$pid" 2>/dev/null || true; return 0; }
    kill -TERM "$pid" 2>/dev/null || true
    for ((i = 0; i < 50; i++)); do
        kill -0 "$pid" 2>/dev/null || break
        sleep 0.1
    done
    if kill -0 "$pid" 2>/dev/null; then kill -KILL "$pid" 2>/dev/null || true; fi
    wait "$pid" 2>/dev/null || true
}

cleanup() {
    local rc=$? pid
    for pid in "${pids[@]}"; do stop_pid "$pid"; done
    ip netns del "$NS" 2>/dev/null || true
    rm -rf "$work"
    exit $rc
}
trap cleanup EXIT
trap 'exit 1' INT TERM

wait_socket() { # wait_socket SOCKET WHAT: until SOCKET exists, 10 s at most
    local i
    for ((i = 0; i < 100; i++)); do
        [ -S "$1" ] && return 0
        sleep 0.1
    done
    die "$2 did not start (no $1)"
}

ip netns add "$NS"
# No IPv6 on the namespace's interfaces: the kernel's own router and
# multicast listener packets on the veth would become flows too.
ip netns exec "$NS" sysctl -qw net.ipv6.conf.all.disable_ipv6=1 \
    net.ipv6.conf.default.disable_ipv6=1
ip -n "$NS" link set lo up
ip -n "$NS" link add "$tx" type veth peer name "$rx"
ip -n "$NS" link set "$tx" up
ip -n "$NS" link set "$rx" up
# "ip netns exec" execs the tool: $! is the tool's own PID.

for s in "${scenarios[@]}"; do
    version=$("$PYTHON" "$gen" export "$s")
    out=$here/attack-$s.pcap
    dir=$work/$s
    mkdir "$dir"
    "$PYTHON" "$gen" gen "$s" "$dir/traffic.pcap"

    # Export packets on lo; the traffic on the receiving end (headers only).
    ip netns exec "$NS" "$TCPDUMP" -i lo -n -U -s 0 -w "$dir/export.pcap" \
        "udp dst port $EXPORT_PORT" >/dev/null 2>"$dir/tcpdump-lo.log" &
    pids+=($!)
    ip netns exec "$NS" "$TCPDUMP" -i "$rx" -n -U -s 96 -B 16384 -w "$dir/rx.pcap" \
        >/dev/null 2>"$dir/tcpdump-rx.log" &
    pids+=($!)
    sleep 1  # tcpdump prints nothing when it is ready: give it a second

    v6=()
    [ "$version" = 5 ] || v6=(-6)
    ip netns exec "$NS" "$SOFTFLOWD" -d -i "$rx" -n "127.0.0.1:$EXPORT_PORT" -v "$version" \
        "${v6[@]}" -m 65536 -B 16777216 -p "$dir/softflowd.pid" \
        -c "$dir/softflowd.ctl" -t maxlife=10 -t expint=1 -t udp=3 \
        -t tcp=3 -t tcp.rst=3 -t tcp.fin=3 -t icmp=3 -t general=3 \
        >"$dir/softflowd.log" 2>&1 &
    sfd=$!
    pids+=("$sfd")
    wait_socket "$dir/softflowd.ctl" softflowd
    sleep 1

    log "$s: playing $(du -h "$dir/traffic.pcap" | cut -f1) of traffic in real time (NetFlow v$version)"
    ip netns exec "$NS" timeout 120 "$TCPREPLAY" -q -K -i "$tx" "$dir/traffic.pcap" \
        >"$dir/tcpreplay.log" 2>&1 ||
        die "$s: tcpreplay failed: $(tail -n 5 "$dir/tcpreplay.log")"
    grep -E 'Actual|Failed' "$dir/tcpreplay.log" | sed "s/^ */make-attacks: $s: tcpreplay: /" >&2 || true

    # softflowd's inactive timeout expires the last flows; SIGTERM sends
    # the rest. Then give tcpdump a moment and stop it.
    sleep 5
    stop_pid "$sfd"
    sleep 1
    for pid in "${pids[@]}"; do stop_pid "$pid"; done
    pids=()
    grep -h 'dropped by kernel' "$dir"/tcpdump-*.log | sed "s/^/make-attacks: $s: tcpdump: /" >&2 || true

    cp "$dir/export.pcap" "$out"
    "$PYTHON" "$gen" describe "$s" "$dir/rx.pcap" "$table"
    log "$s: wrote $out ($(du -h "$out" | cut -f1))"
done
"$PYTHON" "$gen" expect "$table" "$policy"
log "done; check with tests/tshark/attacks_check.sh"
