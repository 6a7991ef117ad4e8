#!/usr/bin/env bash
# Remake pcaps/gobgp-exabgp-flowspec.pcap: a real eBGP session on loopback in
# which GoBGP (gobgpd 3.x) originates IPv4 and IPv6 Flowspec rules
# (RFC 8955 / RFC 8956) and ExaBGP 4.2 receives them, then GoBGP withdraws a
# few of them (MP_UNREACH_NLRI) and shuts the session down (NOTIFICATION Cease).
#
#   GoBGP  AS 65002, 127.0.0.2 (API on 127.0.0.2:50099, does not listen)
#      --TCP-->  ExaBGP AS 65001, passive, listening on 127.0.0.1:1790
#
# Capture: tcpdump on "lo", capture filter "tcp port 1790".
# Everything runs on loopback, on ports above 1024, from a temp directory that
# is removed on exit; every wait is bounded.
#
# Usage: pcaps/make-gobgp-exabgp.sh [OUTPUT.pcap]
# Needs root (tcpdump on lo).  Override tools/ports with the environment:
#   GOBGPD GOBGP EXABGP TCPDUMP TSHARK BGP_PORT API_PORT
# Inspect: tshark -r pcaps/gobgp-exabgp-flowspec.pcap -d tcp.port==1790,bgp -V

set -euo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
out=${1:-$here/gobgp-exabgp-flowspec.pcap}

GOBGPD=${GOBGPD:-gobgpd}
GOBGP=${GOBGP:-gobgp}
EXABGP=${EXABGP:-/usr/sbin/exabgp}
TCPDUMP=${TCPDUMP:-tcpdump}
TSHARK=${TSHARK:-tshark}

EXA_ADDR=127.0.0.1     # ExaBGP: listens here (passive)
GO_ADDR=127.0.0.2      # GoBGP: local address of the session and its API host
BGP_PORT=${BGP_PORT:-1790}
API_PORT=${API_PORT:-50099}
EXA_AS=65001
GO_AS=65002

SESSION_TIMEOUT=60     # seconds to wait for Established
EXCHANGE_TIMEOUT=30    # seconds to wait for ExaBGP to report the updates

die() { echo "make-gobgp-exabgp: error: $*" >&2; exit 1; }
log() { echo "make-gobgp-exabgp: $*" >&2; }

for tool in "$GOBGPD" "$GOBGP" "$EXABGP" "$TCPDUMP" python3 ss; do
    command -v "$tool" >/dev/null 2>&1 || die "required tool not found: $tool"
done
[ "$(id -u)" -eq 0 ] || die "must run as root (tcpdump on lo, exabgp without privilege drop)"

# Refuse to start if something already uses our ports: another run, or a
# stray daemon, would otherwise end up in the capture.
# (TIME-WAIT leftovers of a previous run are harmless and ignored.)
if ss -Hltn "( sport = :$BGP_PORT or sport = :$API_PORT )" | grep -q . ||
   ss -Htn state established "( sport = :$BGP_PORT or dport = :$BGP_PORT )" | grep -q .; then
    die "TCP port $BGP_PORT or $API_PORT is already in use on this host (ss -tanp to see by whom)"
fi

work=$(mktemp -d "${TMPDIR:-/tmp}/gobgp-exabgp.XXXXXX")
tcpdump_pid='' exabgp_pid='' gobgpd_pid=''
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
    trap '' PIPE    # stderr may be a closed pipe (| head): still clean up
    stop_pid "$tcpdump_pid" INT
    stop_pid "$gobgpd_pid" TERM
    stop_pid "$exabgp_pid" TERM
    if [ "$ok" -ne 1 ]; then
        for f in gobgpd.log exabgp.log tcpdump.log; do
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

# ---------------------------------------------------------------- configs --

cat >"$work/gobgpd.toml" <<EOF
[global.config]
  as = $GO_AS
  router-id = "$GO_ADDR"
  # do not listen for BGP at all: GoBGP connects out to ExaBGP
  port = -1

[[neighbors]]
  [neighbors.config]
    neighbor-address = "$EXA_ADDR"
    peer-as = $EXA_AS
  [neighbors.transport.config]
    local-address = "$GO_ADDR"
    remote-port = $BGP_PORT
  [neighbors.timers.config]
    connect-retry = 1
    hold-time = 90
    keepalive-interval = 30
  [[neighbors.afi-safis]]
    [neighbors.afi-safis.config]
      afi-safi-name = "ipv4-flowspec"
  [[neighbors.afi-safis]]
    [neighbors.afi-safis.config]
      afi-safi-name = "ipv6-flowspec"
EOF

# ExaBGP hands every received UPDATE to this helper's stdin as JSON with the
# raw message in hex ("receive { packets; update; }").  We count NLRIs from
# the raw bytes ourselves: asking ExaBGP 4.2 for "parsed" JSON crashes it on
# the 4-octet-AS redirect community (0x8208: TrafficRedirectASN4 has no
# __repr__, infinite recursion) and it then resets the session.
# It must keep its stdout (ExaBGP's command pipe) open, or ExaBGP thinks the
# helper died and, after 5 respawns, gives up and exits.
cat >"$work/rx.sh" <<EOF
#!/bin/sh
exec 3>&1
exec cat >>"$work/received.json"
EOF
chmod 755 "$work/rx.sh"
: >"$work/received.json"

cat >"$work/exabgp.conf" <<EOF
process rx {
    run $work/rx.sh;
    encoder json;
}

neighbor $GO_ADDR {
    router-id $EXA_ADDR;
    local-address $EXA_ADDR;
    local-as $EXA_AS;
    peer-as $GO_AS;
    passive;
    hold-time 90;
    family {
        ipv4 flow;
        ipv6 flow;
    }
    api {
        processes [ rx ];
        receive { packets; update; }
    }
}
EOF

# ------------------------------------------------------------------ rules --
# One rule per line: "<gobgp address family>|<arguments after 'add'>".
# Arguments are split on blanks (no globbing); each is one gobgp argv word.
# Not included: "redirect <IPv6>:<n>" (GoBGP sends it as an IPv6 Address
# Specific Extended Community, path attribute 25, sub-type 0x0b) because
# ExaBGP 4.2 fails to decode attribute 25 ("unpack requires a buffer of 18
# bytes") and resets the session with NOTIFICATION 1/0.
RULES=(
# --- IPv4 (AFI 1 / SAFI 133) ---
"ipv4-flowspec|match destination 192.0.2.0/24 then discard"
"ipv4-flowspec|match destination 198.51.100.10/32 source 203.0.113.0/24 protocol tcp destination-port ==80 then rate-limit 125000"
"ipv4-flowspec|match destination 198.51.100.0/24 protocol udp source-port ==53 packet-length >=512 then rate-limit 1000.5 as 65002"
"ipv4-flowspec|match destination 10.1.0.0/16 protocol ==tcp ==udp port ==53 then discard"
"ipv4-flowspec|match destination 10.2.0.0/16 protocol !=tcp then accept"
"ipv4-flowspec|match destination 10.3.0.0/16 protocol tcp destination-port >=1024&<=65535 then redirect 65000:100"
"ipv4-flowspec|match destination 10.4.0.0/16 protocol tcp destination-port >1024&<2048 ==80 ==443 then redirect 192.0.2.1:200"
"ipv4-flowspec|match destination 10.5.0.0/16 protocol udp source-port <1024 then redirect 64086.59904:300"
"ipv4-flowspec|match destination 10.5.1.0/24 then redirect 65000:4000000000"
"ipv4-flowspec|match destination 10.6.0.0/16 protocol icmp icmp-type ==8 icmp-code ==0 then rate-limit 8000"
"ipv4-flowspec|match destination 10.7.0.0/16 protocol icmp icmp-type >=3&<=5 icmp-code !=0 then discard"
"ipv4-flowspec|match destination 10.8.0.1/32 protocol tcp tcp-flags S then discard"
"ipv4-flowspec|match destination 10.8.0.2/32 protocol tcp tcp-flags =SA then rate-limit 0"
"ipv4-flowspec|match destination 10.8.0.3/32 protocol tcp tcp-flags !R then accept"
"ipv4-flowspec|match destination 10.8.0.4/32 protocol tcp tcp-flags !=SA then discard"
"ipv4-flowspec|match destination 10.8.0.5/32 protocol tcp tcp-flags S&!A F then discard"
"ipv4-flowspec|match destination 10.8.0.6/32 protocol tcp tcp-flags =FSRPAUEC then discard"
"ipv4-flowspec|match destination 10.9.0.0/16 packet-length <64 >1500 then discard"
"ipv4-flowspec|match destination 10.9.1.0/24 packet-length >=1000&<=1500 then rate-limit 50000"
"ipv4-flowspec|match destination 10.9.2.0/24 packet-length ==65535 then discard"
"ipv4-flowspec|match destination 10.10.0.0/16 dscp ==46 then mark 0"
"ipv4-flowspec|match destination 10.10.1.0/24 dscp >=8&<=14 !=63 then mark 46"
"ipv4-flowspec|match destination 10.11.0.0/16 fragment is-fragment then discard"
"ipv4-flowspec|match destination 10.11.1.0/24 fragment =dont-fragment then discard"
"ipv4-flowspec|match destination 10.11.2.0/24 fragment !is-fragment then accept"
"ipv4-flowspec|match destination 10.11.3.0/24 fragment first-fragment last-fragment then discard"
"ipv4-flowspec|match destination 10.11.4.0/24 fragment is-fragment &!first-fragment then discard"
"ipv4-flowspec|match destination 10.12.0.0/16 port <=1023 then action sample"
"ipv4-flowspec|match destination 10.12.1.0/24 port ==8080 then action terminal"
"ipv4-flowspec|match destination 10.12.2.0/24 protocol tcp port ==22 then rate-limit 9600 redirect 65000:22 mark 10 action sample-terminal"
"ipv4-flowspec|match destination 0.0.0.0/0 protocol >=250 then rate-limit 1000"
"ipv4-flowspec|match source 172.16.0.0/12 protocol <6 then discard"
# --- IPv6 (AFI 2 / SAFI 133) ---
"ipv6-flowspec|match destination 2001:db8:1::/48 then discard"
"ipv6-flowspec|match destination 2001:db8:2::/64 32 source 2001:db8:ffff::/48 16 then rate-limit 100000"
"ipv6-flowspec|match destination 2001:db8:3::/64 protocol tcp destination-port ==443 tcp-flags S then discard"
"ipv6-flowspec|match destination 2001:db8:4::/64 protocol udp source-port ==53 packet-length >512 then rate-limit 10000 as 65002"
"ipv6-flowspec|match destination 2001:db8:5::/64 protocol 58 icmp-type ==128 icmp-code ==0 then rate-limit 1000"
"ipv6-flowspec|match label ==1048575 then discard"
"ipv6-flowspec|match destination 2001:db8:6::/64 label >=100000&<=200000 ==0 then mark 10"
"ipv6-flowspec|match destination 2001:db8:7::/64 dscp ==46 then mark 0"
"ipv6-flowspec|match destination 2001:db8:8::/64 fragment is-fragment first-fragment last-fragment then discard"
"ipv6-flowspec|match destination 2001:db8:9::/64 then redirect 1.1:900"
"ipv6-flowspec|match destination 2001:db8:a::/64 protocol !=6&!=17 then redirect 65000:600"
"ipv6-flowspec|match destination ::/0 source 2001:db8:bad::/48 then rate-limit 0 action terminal"
)

# Rules withdrawn again after the announcements ("del" takes the same match).
WITHDRAW=(
"ipv4-flowspec|match destination 192.0.2.0/24"
"ipv4-flowspec|match destination 10.1.0.0/16 protocol ==tcp ==udp port ==53"
"ipv4-flowspec|match destination 10.8.0.5/32 protocol tcp tcp-flags S&!A F"
"ipv6-flowspec|match destination 2001:db8:1::/48"
"ipv6-flowspec|match label ==1048575"
)

# ------------------------------------------------------------------ helpers --

# received_count KIND: how many Flowspec NLRIs (SAFI 133, any AFI) ExaBGP has
# received in MP_REACH_NLRI (KIND=announce) or MP_UNREACH_NLRI (KIND=withdraw),
# decoded from the raw UPDATE bodies it passed to rx.sh.
received_count() {
    python3 - "$work/received.json" "$1" <<'PY'
import json, sys
path, kind = sys.argv[1], sys.argv[2]
want = 14 if kind == "announce" else 15

def flowspec_nlris(b):
    n = 0
    while b:
        if b[0] >= 0xF0:                # 2-octet length (RFC 8955 4.1)
            ln, b = ((b[0] & 0x0F) << 8) | b[1], b[2:]
        else:
            ln, b = b[0], b[1:]
        b = b[ln:]
        n += 1
    return n

n = 0
with open(path) as f:
    for line in f:
        try:
            m = json.loads(line)["neighbor"]["message"]
        except (ValueError, KeyError, TypeError):
            continue
        if m.get("category") != 2:
            continue
        body = bytes.fromhex(m["body"][2:])
        wl = int.from_bytes(body[0:2], "big")
        al = int.from_bytes(body[2 + wl:4 + wl], "big")
        attrs = body[4 + wl:4 + wl + al]
        while attrs:
            flags, typ = attrs[0], attrs[1]
            if flags & 0x10:
                ln, hdr = int.from_bytes(attrs[2:4], "big"), 4
            else:
                ln, hdr = attrs[2], 3
            val, attrs = attrs[hdr:hdr + ln], attrs[hdr + ln:]
            if typ != want or val[2] != 133:
                continue
            if typ == 14:               # AFI SAFI NH-len NH reserved NLRI...
                nlri = val[4 + val[3] + 1:]
            else:                       # AFI SAFI NLRI...
                nlri = val[3:]
            n += flowspec_nlris(nlri)
print(n)
PY
}

# wait_for DESCRIPTION SECONDS COMMAND...: poll COMMAND every 0.2 s, at most
# SECONDS seconds (and 5*SECONDS tries); fail with DESCRIPTION on timeout.
wait_for() {
    local what=$1 secs=$2 i deadline
    shift 2
    deadline=$((SECONDS + secs))
    for ((i = 0; i < secs * 5; i++)); do
        if "$@"; then return 0; fi
        [ "$SECONDS" -lt "$deadline" ] || break
        sleep 0.2
    done
    die "timed out after ${secs}s waiting for $what"
}

alive() { # alive NAME PID
    kill -0 "$2" 2>/dev/null || die "$1 exited unexpectedly (see its log above)"
}

tcpdump_listening() { alive tcpdump "$tcpdump_pid"; grep -q 'listening on' "$work/tcpdump.log"; }
exabgp_listening() {
    alive exabgp "$exabgp_pid"
    ss -Hltn "( sport = :$BGP_PORT )" | grep -q "$EXA_ADDR:$BGP_PORT"
}
gobgp_api_up() { alive gobgpd "$gobgpd_pid"; gobgp_cli global >/dev/null 2>&1; }
established() {
    alive gobgpd "$gobgpd_pid"
    alive exabgp "$exabgp_pid"
    gobgp_cli neighbor 2>/dev/null | grep -q "^ *$EXA_ADDR .*Establ"
}
announced_all() { alive exabgp "$exabgp_pid"; [ "$(received_count announce)" -ge "${#RULES[@]}" ]; }
withdrawn_all() { alive exabgp "$exabgp_pid"; [ "$(received_count withdraw)" -ge "${#WITHDRAW[@]}" ]; }

# rib OP "family|args": run "gobgp global rib -a family OP args", fail loudly.
rib() {
    local op=$1 fam=${2%%|*} rest=${2#*|} outp
    local -a words
    read -r -a words <<<"$rest"
    if ! outp=$(gobgp_cli global rib -a "$fam" "$op" "${words[@]}" 2>&1); then
        die "gobgp rejected rule: gobgp global rib -a $fam $op $rest
$(printf '%s\n' "$outp" | head -n 3)"
    fi
    printf '  gobgp global rib -a %s %s %s\n' "$fam" "$op" "$rest" >&2
}

# ------------------------------------------------------------------ run --

log "work dir $work"

"$TCPDUMP" -i lo -n -U -s 0 -Z root -w "$work/capture.pcap" "tcp port $BGP_PORT" \
    >"$work/tcpdump.log" 2>&1 &
tcpdump_pid=$!
wait_for "tcpdump to start capturing on lo" 10 tcpdump_listening

env exabgp.tcp.port="$BGP_PORT" exabgp.tcp.bind="$EXA_ADDR" \
    exabgp.daemon.user=root exabgp.daemon.drop=false exabgp.daemon.daemonize=false \
    exabgp.api.cli=false exabgp.log.destination=stdout \
    "$EXABGP" "$work/exabgp.conf" >"$work/exabgp.log" 2>&1 &
exabgp_pid=$!
wait_for "ExaBGP to listen on $EXA_ADDR:$BGP_PORT" 30 exabgp_listening

"$GOBGPD" -f "$work/gobgpd.toml" --api-hosts "$GO_ADDR:$API_PORT" --pprof-disable \
    >"$work/gobgpd.log" 2>&1 &
gobgpd_pid=$!
wait_for "the GoBGP API on $GO_ADDR:$API_PORT" 20 gobgp_api_up

log "waiting (at most ${SESSION_TIMEOUT}s) for the BGP session to reach Established"
wait_for "the GoBGP->ExaBGP session to come up (Established)" "$SESSION_TIMEOUT" established
log "session Established; announcing ${#RULES[@]} rules"
sleep 1   # let the initial KEEPALIVEs/End-of-RIB pass so rules go out after them

for r in "${RULES[@]}"; do rib add "$r"; done
wait_for "ExaBGP to receive all ${#RULES[@]} announcements" "$EXCHANGE_TIMEOUT" announced_all
sleep 1

log "withdrawing ${#WITHDRAW[@]} rules"
for r in "${WITHDRAW[@]}"; do rib del "$r"; done
wait_for "ExaBGP to receive all ${#WITHDRAW[@]} withdrawals" "$EXCHANGE_TIMEOUT" withdrawn_all
sleep 1

# The session must have stayed up the whole time: one connection, no error.
established || die "the session is no longer Established after the exchange"
[ "$(grep -c 'connected to peer' "$work/exabgp.log")" -eq 1 ] ||
    die "the session flapped (ExaBGP saw more than one connection)"
! grep -qi 'notification' "$work/exabgp.log" ||
    die "ExaBGP sent or received a NOTIFICATION during the exchange"

log "closing the session (NOTIFICATION Cease) and stopping the capture"
gobgp_cli neighbor "$EXA_ADDR" disable >/dev/null 2>&1 || log "warning: 'gobgp neighbor $EXA_ADDR disable' failed"
sleep 2
stop_pid "$tcpdump_pid" INT
tcpdump_pid=''

announced=$(received_count announce)
withdrawn=$(received_count withdraw)
[ -s "$work/capture.pcap" ] || die "capture file is empty"

# Cross-check the capture with tshark, when it is there.
if command -v "$TSHARK" >/dev/null 2>&1; then
    updates=$("$TSHARK" -n -r "$work/capture.pcap" -d "tcp.port==$BGP_PORT,bgp" \
        -Y 'bgp.type == 2' -T fields -e frame.number 2>/dev/null | wc -l)
    nlris=$("$TSHARK" -n -r "$work/capture.pcap" -d "tcp.port==$BGP_PORT,bgp" \
        -T fields -e bgp.flowspec_nlri.length 2>/dev/null | tr ',' '\n' | grep -c . || true)
    [ "$updates" -gt 0 ] || die "tshark finds no BGP UPDATE in the capture"
    log "tshark: $updates frames with BGP UPDATEs, $nlris Flowspec NLRIs"
    expect=$((${#RULES[@]} + ${#WITHDRAW[@]}))
    [ "$nlris" -eq "$expect" ] ||
        log "warning: tshark decodes $nlris Flowspec NLRIs, expected $expect (old tshark?)"
fi

mv -f "$work/capture.pcap" "$out"
chmod 644 "$out"
ok=1
log "ExaBGP received $announced Flowspec announcements and $withdrawn withdrawals"
log "wrote $out ($(wc -c <"$out") bytes)"
