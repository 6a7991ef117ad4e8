#!/usr/bin/env bash
# Remake the flow export captures from pcaps/flow-traffic.pcap (made by
# pcaps/make-traffic.py): real exporters read that traffic and send their
# export datagrams over loopback to 127.0.0.100, where tcpdump on "lo"
# captures them and a small UDP sink takes them (so no ICMP port
# unreachable makes an exporter drop a datagram).
#
#   softflowd-v5.pcap           softflowd -v 5      -> 127.0.0.100:26001
#   softflowd-v9.pcap           softflowd -v 9 -6   -> 127.0.0.100:26002
#   softflowd-ipfix.pcap        softflowd -v 10 -6  -> 127.0.0.100:26003
#   pmacct-sflow.pcap           pmacctd sfprobe 1/1 -> 127.0.0.100:26004
#   pmacct-sflow-sampled.pcap   pmacctd sfprobe 1/4 -> 127.0.0.100:26005
#
# softflowd reads the file, expires all its flows at the end of it, and
# its own totals are kept next to each capture (NAME.softflowd.txt: what
# softflowd prints when it shuts down). pmacctd (the
# sfprobe plugin: a real sFlow v5 agent) samples the file's packets.
#
# Usage: sudo pcaps/make-flow-exports.sh       (root: tcpdump on lo)
# Needs softflowd, pmacct, tcpdump, python3. Every wait is bounded; the
# work directory is removed on exit; only the captures are left.
set -euo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
traffic=$here/flow-traffic.pcap
DST=127.0.0.100

die() { echo "make-flow-exports: error: $*" >&2; exit 1; }
for tool in softflowd softflowctl pmacctd tcpdump python3; do
	command -v "$tool" >/dev/null || die "required tool not found: $tool"
done
[ "$(id -u)" -eq 0 ] || die "must run as root (tcpdump on lo)"
[ -f "$traffic" ] || python3 "$here/make-traffic.py" "$traffic"

work=$(mktemp -d "${TMPDIR:-/tmp}/flow-exports.XXXXXX")
pids=()
cleanup() {
	for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done
	rm -rf "$work"
}
trap cleanup EXIT

# capture PORT OUT CMD...: runs CMD (which exports to DST:PORT) while
# tcpdump captures that port into OUT.
capture() {
	local port=$1 out=$2
	shift 2
	if ss -Hlun "( sport = :$port )" | grep -q .; then
		die "UDP port $port is in use"
	fi
	timeout 60 python3 -c '
import socket, sys
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
s.bind((sys.argv[1], int(sys.argv[2])))
while True:
    s.recv(65535)' "$DST" "$port" &
	local sink=$!
	pids+=("$sink")
	timeout 60 tcpdump -i lo -U -w "$work/cap.pcap" \
		"udp and dst host $DST and dst port $port" 2>"$work/tcpdump.log" &
	local dump=$!
	pids+=("$dump")
	local i
	for i in $(seq 50); do	# tcpdump says "listening" when ready
		grep -q listening "$work/tcpdump.log" && break
		sleep 0.1
	done
	"$@"
	sleep 1
	kill "$dump" "$sink"
	wait "$dump" 2>/dev/null || true
	cp "$work/cap.pcap" "$out"
	echo "make-flow-exports: $(basename "$out")" >&2
}

softflowd_run() {	# VERSION PORT STATS
	local ctl=$work/sf.ctl i now last=-1
	timeout 30 softflowd -d -r "$traffic" -v "$1" -6 -n "$DST:$2" \
		-c "$ctl" -p "$work/sf.pid" >"$work/sf.log" 2>&1 </dev/null &
	local sf=$!
	# It reads the file, then either exits by itself ("Shutting down
	# after pcap EOF") or waits: once the packet count stops moving,
	# `softflowctl shutdown` expires and exports every flow.
	for i in $(seq 50); do
		sleep 0.2
		kill -0 "$sf" 2>/dev/null || break
		[ -S "$ctl" ] || continue
		now=$(softflowctl -c "$ctl" statistics 2>/dev/null |
			sed -n 's/^Packets processed: //p') || true
		if [ "${now:-0}" -gt 0 ] && [ "$now" = "$last" ]; then
			softflowctl -c "$ctl" shutdown >/dev/null 2>&1 || true
			break
		fi
		last=${now:-0}
	done
	wait "$sf" || die "softflowd -v $1 failed: $(tail -3 "$work/sf.log")"
	grep -q "Packets processed: [1-9]" "$work/sf.log" ||
		die "softflowd -v $1 read no packets"
	grep -v '^Exporting flows from' "$work/sf.log" >"$3"
}

pmacct_run() {	# RATE PORT
	cat >"$work/pm.conf" <<CONF
daemonize: false
pcap_savefile: $traffic
pcap_savefile_wait: true
plugins: sfprobe
sfprobe_receiver: $DST:$2
sfprobe_agentip: 127.0.0.1
sampling_rate: $1
CONF
	# pmacctd stays up after the file (pcap_savefile_wait) and its
	# plugin has sent everything well within the timeout.
	timeout 6 pmacctd -f "$work/pm.conf" >"$work/pm.log" 2>&1 || true
	grep -q "finished reading PCAP" "$work/pm.log" ||
		die "pmacctd did not read the file: $(tail -3 "$work/pm.log")"
}

for v in 5:26001:softflowd-v5 9:26002:softflowd-v9 10:26003:softflowd-ipfix; do
	IFS=: read -r version port name <<<"$v"
	capture "$port" "$here/$name.pcap" \
		softflowd_run "$version" "$port" "$here/$name.softflowd.txt"
done
capture 26004 "$here/pmacct-sflow.pcap" pmacct_run 1 26004
capture 26005 "$here/pmacct-sflow-sampled.pcap" pmacct_run 4 26005
