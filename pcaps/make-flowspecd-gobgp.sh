#!/usr/bin/env bash
# Remake pcaps/flowspecd-gobgp.pcap: a real eBGP session on loopback in which
# flowspecd originates IPv4 and IPv6 Flowspec rules (RFC 8955 / RFC 8956) and
# GoBGP (gobgpd 3.x) receives them:
#
#   flowspecd AS 65100, 127.0.0.91 (connects)
#      --TCP-->  GoBGP AS 65001, listening on 127.0.0.92:25790 (passive)
#
# The capture holds: both OPENs (flowspecd's with multiprotocol IPv4 + IPv6
# Flowspec, route refresh, enhanced route refresh, 4-octet AS, extended
# message, graceful restart 120 s with the N bit and, since flowspecd has
# just started, the R bit), KEEPALIVEs, the static table (RULES, IPv4 and
# IPv6), End-of-RIB for both families, two rules announced with flowspecctl
# (ANNOUNCE), their withdrawal (MP_UNREACH_NLRI), more KEEPALIVEs (hold time
# 9 s), and flowspecd's NOTIFICATION Cease/Administrative Shutdown with its
# RFC 8203 message on SIGTERM.
# Capture: tcpdump on "lo", capture filter "tcp port 25790". Everything runs
# on loopback, on ports above 1024, from a temp directory that is removed
# on exit; every wait is bounded.
#
# Usage: pcaps/make-flowspecd-gobgp.sh [OUTPUT.pcap]
# Needs root (tcpdump on lo) and a build (FLOWSPECD_BIN, default build/bin).
# Override tools/ports with the environment: GOBGPD GOBGP TCPDUMP TSHARK
# BGP_PORT API_PORT. Check it: tests/interop/pcap_own.sh.
# Inspect: tshark -r pcaps/flowspecd-gobgp.pcap -d tcp.port==25790,bgp -V

set -euo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
root=$(cd "$here/.." && pwd)
out=${1:-$here/flowspecd-gobgp.pcap}

FLOWSPECD_BIN=${FLOWSPECD_BIN:-$root/build/bin}
GOBGPD=${GOBGPD:-gobgpd}
GOBGP=${GOBGP:-gobgp}
TCPDUMP=${TCPDUMP:-tcpdump}
TSHARK=${TSHARK:-tshark}

FSD_ADDR=127.0.0.91    # flowspecd: connects from here
GO_ADDR=127.0.0.92     # GoBGP: listens here, API here too
BGP_PORT=${BGP_PORT:-25790}
API_PORT=${API_PORT:-25050}
FSD_AS=65100
GO_AS=65001

die() { echo "make-flowspecd-gobgp: error: $*" >&2; exit 1; }
log() { echo "make-flowspecd-gobgp: $*" >&2; }

for tool in "$GOBGPD" "$GOBGP" "$TCPDUMP" python3 ss; do
    command -v "$tool" >/dev/null 2>&1 || die "required tool not found: $tool"
done
for b in flowspecd flowspecctl; do
    [ -x "$FLOWSPECD_BIN/$b" ] || die "$FLOWSPECD_BIN/$b not found (set FLOWSPECD_BIN)"
done
[ "$(id -u)" -eq 0 ] || die "must run as root (tcpdump on lo)"

if ss -Hltn "( sport = :$BGP_PORT or sport = :$API_PORT )" | grep -q . ||
   ss -Htn state established "( sport = :$BGP_PORT or dport = :$BGP_PORT )" | grep -q .; then
    die "TCP port $BGP_PORT or $API_PORT is already in use on this host (ss -tanp to see by whom)"
fi

work=$(mktemp -d "${TMPDIR:-/tmp}/flowspecd-gobgp.XXXXXX")
tcpdump_pid='' gobgpd_pid='' fsd_pid=''
ok=0

stop_pid() { # stop_pid PID SIGNAL : signal one process we started, wait up to 5 s, then KILL
    local pid=$1 sig=$2 i
    [ -n "$pid" ] || return 0
    kill -0 "$pid" 2>/dev/null || { wait "$pid" 2>/dev/null || true; return 0; }
    kill -"$sig" "$pid" 2>/dev/null || true
    for ((i = 0; i < 50; i++)); do
        kill -0 "$pid" 2>/dev/null || break
        sleep 0.1
    done
    if kill -0 "$pid" 2>/dev/null; then kill -KILL "$pid" 2>/dev/null || true; fi
    wait "$pid" 2>/dev/null || true
}

cleanup() {
    local rc=$?
    set +e
    trap '' PIPE
    stop_pid "$tcpdump_pid" INT
    stop_pid "$fsd_pid" TERM
    stop_pid "$gobgpd_pid" TERM
    if [ "$ok" -ne 1 ]; then
        for f in flowspecd.log gobgpd.log tcpdump.log ctl.log; do
            [ -s "$work/$f" ] || continue
            echo "---- last lines of $f ----" >&2
            tail -n 25 "$work/$f" >&2
        done
    fi
    rm -rf "$work"
    exit "$rc"
}
trap cleanup EXIT
trap 'exit 130' INT TERM HUP

gobgp_cli() { "$GOBGP" -u "$GO_ADDR" -p "$API_PORT" "$@"; }
ctl() { "$FLOWSPECD_BIN/flowspecctl" -s "$work/fsd.sock" "$@"; }

# ------------------------------------------------------------------ rules --
# Static rules: every component type (1-13), every numeric and bitmask
# operator form, 1-, 2- and 4-octet values, and the actions traffic-rate
# (bytes and packets), discard, redirect (2-octet AS, IPv4, 4-octet AS),
# traffic-marking, traffic-action, communities.
# Left out, because tshark 4.0 or tests/tshark/pcap_check.py cannot check
# them (tests/interop/gobgp.sh and exabgp.sh send them to real peers):
# - redirect-to-nexthop with a next hop: tshark calls any Flowspec
#   MP_REACH next hop of non-zero length malformed;
# - redirect-to-nexthop-ietf (0x010c, and attribute 25 for an IPv6
#   address): pcap_check.py cannot read that action back from our text,
#   and does not check attribute 25 (IPv6 Address Specific Extended
#   Community) at all.
RULES=(
"flow route { match { destination 10.50.100.100/32; protocol tcp; destination-port =1234; } then { discard; } }"
"flow route { match { destination 192.0.2.0/24; source 198.51.100.0/24; protocol [ tcp udp ]; port >=1024&<=65535; } then { rate-limit 125000; } }"
"flow route { match { destination 10.6.0.0/16; protocol icmp; icmp-type 8; icmp-code 0; } then { rate-limit 5000 packets; } }"
"flow route { match { destination 10.8.0.0/16; protocol tcp; tcp-flags [ syn&!ack =fin+rst ]; packet-length [ <64 >1500 ]; } then { redirect 65000:100; } }"
"flow route { match { destination 10.10.0.0/16; dscp [ >=8&<=14 !=63 ]; fragment [ is-fragment first-fragment ]; } then { mark 46; action sample-terminal; } }"
"flow route { match { destination 10.5.0.0/16; protocol udp; source-port <1024; } then { redirect 4200000000:300; } }"
"flow route { match { destination 10.4.0.0/16; protocol tcp; destination-port [ =80 =443 ]; } then { redirect 192.0.2.1:200; } }"
"flow route { match { destination 10.15.0.0/16; protocol !=tcp; } then { redirect 65000:4000000000; community [ 65000:666 no-export ]; } }"
"flow route { match { destination 10.13.0.0/16; port true; dscp false; } then { discard; } }"
"flow route { match { destination 2001:db8:1::/48; next-header tcp; destination-port =443; } then { discard; } }"
"flow route { match { destination 2001:db8:2::/64; source 2001:db8:ffff::/48; flow-label [ >=100000&<=200000 =0 ]; } then { rate-limit 100000; } }"
"flow route { match { destination 2001:db8:3::/64; traffic-class 46; fragment is-fragment; } then { mark 0; } }"
"flow route { match { destination 2001:db8:4::/64; source 0:db8:aa00::/40/16; next-header udp; } then { redirect 65000:600; } }"
)
# Announced with flowspecctl after the table, then withdrawn again.
ANNOUNCE=(
"flow route { match { destination 10.50.0.0/16; protocol udp; source-port =123; packet-length >=468; } then { discard; } }"
"flow route { match { flow-label 1048575; } then { discard; } }"
)

static_json=$(printf '%s\n' "${RULES[@]}" |
    python3 -c 'import json,sys; print(json.dumps(sys.stdin.read().splitlines(), indent=2))')
cat >"$work/flowspecd.json" <<EOF
{
  "router_id": "$FSD_ADDR",
  "local_as": $FSD_AS,
  "control_socket": "$work/fsd.sock",
  "neighbors": [
    { "address": "$GO_ADDR", "port": $BGP_PORT, "remote_as": $GO_AS,
      "local_address": "$FSD_ADDR", "hold_time": 9, "connect_retry": 1,
      "graceful_restart": true, "restart_time": 120,
      "families": ["ipv4-flowspec", "ipv6-flowspec"] }
  ],
  "static_rules": $static_json
}
EOF

cat >"$work/gobgpd.toml" <<EOF
[global.config]
  as = $GO_AS
  router-id = "$GO_ADDR"
  port = $BGP_PORT
  local-address-list = ["$GO_ADDR"]

[[neighbors]]
  [neighbors.config]
    neighbor-address = "$FSD_ADDR"
    peer-as = $FSD_AS
  [neighbors.transport.config]
    passive-mode = true
    local-address = "$GO_ADDR"
  [neighbors.timers.config]
    hold-time = 9
    keepalive-interval = 3
  [[neighbors.afi-safis]]
    [neighbors.afi-safis.config]
      afi-safi-name = "ipv4-flowspec"
  [[neighbors.afi-safis]]
    [neighbors.afi-safis.config]
      afi-safi-name = "ipv6-flowspec"
EOF

# ------------------------------------------------------------------ helpers --

# wait_for DESCRIPTION SECONDS COMMAND...: poll COMMAND every 0.2 s, at most
# SECONDS seconds; fail with DESCRIPTION on timeout.
wait_for() {
    local what=$1 secs=$2 deadline
    shift 2
    deadline=$((SECONDS + secs))
    until "$@"; do
        [ "$SECONDS" -lt "$deadline" ] || die "timed out after ${secs}s waiting for $what"
        sleep 0.2
    done
}
alive() { kill -0 "$2" 2>/dev/null || die "$1 exited unexpectedly (see its log above)"; }

tcpdump_listening() { alive tcpdump "$tcpdump_pid"; grep -q 'listening on' "$work/tcpdump.log"; }
gobgp_api_up() { alive gobgpd "$gobgpd_pid"; gobgp_cli global >/dev/null 2>&1; }
fsd_up() { alive flowspecd "$fsd_pid"; ctl show neighbor >/dev/null 2>&1; }
established() {
    alive gobgpd "$gobgpd_pid"
    alive flowspecd "$fsd_pid"
    gobgp_cli neighbor 2>/dev/null | grep -q "^ *$FSD_ADDR .*Establ"
}
# gobgp_count: the routes GoBGP has accepted from flowspecd (the last
# column of `gobgp neighbor`). Not `gobgp global rib`: gobgp 3.10's CLI
# panics showing the IPv6 rule with a prefix offset.
gobgp_count() {
    gobgp_cli neighbor 2>/dev/null | awk -v a="$FSD_ADDR" '$1 == a { print $NF; f = 1 } END { if (!f) print 0 }'
}
has_rules() { [ "$(gobgp_count)" -eq "$1" ]; }

# ------------------------------------------------------------------ run --

log "work dir $work"
"$TCPDUMP" -i lo -n -U -s 0 -Z root -w "$work/capture.pcap" "tcp port $BGP_PORT" \
    >"$work/tcpdump.log" 2>&1 &
tcpdump_pid=$!
wait_for "tcpdump to start capturing on lo" 10 tcpdump_listening

"$GOBGPD" -f "$work/gobgpd.toml" --api-hosts "$GO_ADDR:$API_PORT" --pprof-disable \
    >"$work/gobgpd.log" 2>&1 &
gobgpd_pid=$!
wait_for "the GoBGP API on $GO_ADDR:$API_PORT" 20 gobgp_api_up

"$FLOWSPECD_BIN/flowspecd" -c "$work/flowspecd.json" >"$work/flowspecd.log" 2>&1 &
fsd_pid=$!
wait_for "flowspecd's control socket" 20 fsd_up
wait_for "the flowspecd->GoBGP session to come up (Established)" 30 established
wait_for "GoBGP to hold the ${#RULES[@]} static rules" 20 has_rules "${#RULES[@]}"
log "session Established, ${#RULES[@]} static rules at GoBGP"
sleep 1

for r in "${ANNOUNCE[@]}"; do ctl announce "$r" >>"$work/ctl.log" || die "announce refused: $r"; done
wait_for "GoBGP to hold $((${#RULES[@]} + ${#ANNOUNCE[@]})) rules" 20 has_rules $((${#RULES[@]} + ${#ANNOUNCE[@]}))
sleep 1
for r in "${ANNOUNCE[@]}"; do ctl withdraw "${r%% then *} }" >>"$work/ctl.log" || die "withdraw refused: $r"; done
wait_for "GoBGP to drop the ${#ANNOUNCE[@]} withdrawn rules" 20 has_rules "${#RULES[@]}"

log "waiting for KEEPALIVEs (hold time 9 s)"
sleep 4
established || die "the session is no longer Established"
[ "$(grep -c 'Established' "$work/flowspecd.log")" -eq 1 ] ||
    die "the session flapped (flowspecd went Established more than once)"

log "stopping flowspecd (NOTIFICATION Cease/Administrative Shutdown)"
stop_pid "$fsd_pid" TERM
fsd_pid=''
sleep 1
stop_pid "$tcpdump_pid" INT
tcpdump_pid=''
[ -s "$work/capture.pcap" ] || die "capture file is empty"

if command -v "$TSHARK" >/dev/null 2>&1; then
    nlris=$("$TSHARK" -n -r "$work/capture.pcap" -d "tcp.port==$BGP_PORT,bgp" \
        -T fields -e bgp.flowspec_nlri.length 2>/dev/null | tr ',' '\n' | grep -c . || true)
    log "tshark: $nlris Flowspec NLRIs (expected $((${#RULES[@]} + 2 * ${#ANNOUNCE[@]})))"
fi

mv -f "$work/capture.pcap" "$out"
chmod 644 "$out"
ok=1
log "wrote $out ($(wc -c <"$out") bytes)"
