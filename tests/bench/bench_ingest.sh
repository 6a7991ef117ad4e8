#!/usr/bin/env bash
# Ingest over loopback UDP (issue 5, "Figures to report"): flowspecd's
# collector takes NetFlow v9 export datagrams (pcaps/softflowd-v9.pcap,
# round after round, from bench_udp_send) at rising rates for SECONDS
# each; for each rate it prints what was sent, what `show collector
# --json` counted, the kernel's drops and flowspecd's CPU seconds per
# million records. With nfcapd (nfdump) installed, the same load goes to
# nfcapd too, for comparison (its records from `nfdump -I`).
# Sender and daemon share the machine: run it on an idle host.
# This prints figures; it is not a test and tests/run.sh does not run it.
#
# Usage: tests/bench/bench_ingest.sh [SECONDS [RATE...]]
#   SECONDS  per rate [30]; RATE  datagrams/s [10000 20000 40000 80000]
# Environment: FLOWSPECD_BIN [build-rel/bin: a Release build]
# Addresses 127.0.0.100 (daemon), 127.0.0.101 (sender); UDP 26020-26021.
set -euo pipefail

root=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
bin=${FLOWSPECD_BIN:-$root/build-rel/bin}
secs=${1:-30}
shift || true
rates=("$@")
((${#rates[@]})) || rates=(10000 20000 40000 80000)
pcap=$root/pcaps/softflowd-v9.pcap
work=$(mktemp -d "${TMPDIR:-/tmp}/bench-ingest.XXXXXX")
pids=()
cleanup() {
	for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done
	rm -rf "$work"
}
trap cleanup EXIT

cpu_s() {	# utime + stime of PID in seconds
	awk -v hz="$(getconf CLK_TCK)" '{ print ($14 + $15) / hz }' "/proc/$1/stat"
}
jget() { python3 -c 'import json,sys; o=json.load(sys.stdin); print(eval(sys.argv[1]))' "$1"; }

cat >"$work/fsd.json" <<CONF
{ "router_id": "192.0.2.1", "local_as": 65100,
  "control_socket": "$work/ctl.sock",
  "collector": { "netflow": "127.0.0.100:26020",
                 "exporters": ["127.0.0.101"], "socket_buffer": 8388608 } }
CONF
"$bin/flowspecd" -c "$work/fsd.json" 2>"$work/fsd.log" &
fsd=$!
pids+=("$fsd")
for _ in $(seq 50); do
	"$bin/flowspecctl" -s "$work/ctl.sock" show collector >/dev/null 2>&1 && break
	sleep 0.1
done

nfcapd_bin=$(command -v nfcapd || true)
echo "load: $(cut -d' ' -f1-3 /proc/loadavg); $secs s per rate; $(basename "$pcap")"
printf '%-9s %-10s %12s %12s %10s %8s %14s\n' receiver rate/s sent_records \
	records records/s drops cpu_s/M_rec
records_before=0
drops_before=0
for rate in "${rates[@]}"; do
	c0=$(cpu_s "$fsd")
	read -r _ sent rounds per_round < <("$bin/bench_udp_send" "$pcap" \
		127.0.0.100 26020 127.0.0.101 "$rate" "$secs")
	sleep 1
	js=$("$bin/flowspecctl" -s "$work/ctl.sock" show collector --json)
	c1=$(cpu_s "$fsd")
	total=$(echo "$js" | jget 'o["exporters"][0]["records"]')
	drops=$(echo "$js" | jget 'o["listeners"][0]["kernel_drops"]')
	got=$((total - records_before))
	want=$((rounds * per_round))
	printf '%-9s %-10s %12s %12s %10.0f %8s %14.3f\n' flowspecd "$rate" \
		"$want" "$got" "$(echo "$got / $secs" | bc -l)" \
		"$((drops - drops_before))" \
		"$(echo "($c1 - $c0) * 1000000 / ($got + 1)" | bc -l)"
	records_before=$total
	drops_before=$drops

	[ -n "$nfcapd_bin" ] || continue
	mkdir -p "$work/nf$rate"
	"$nfcapd_bin" -b 127.0.0.100 -p 26021 -B 8388608 -w "$work/nf$rate" \
		>"$work/nfcapd.log" 2>&1 &
	nf=$!
	pids+=("$nf")
	sleep 1
	n0=$(cpu_s "$nf")
	read -r _ sent rounds per_round < <("$bin/bench_udp_send" "$pcap" \
		127.0.0.100 26021 127.0.0.101 "$rate" "$secs")
	sleep 1
	n1=$(cpu_s "$nf")
	kill "$nf"
	wait "$nf" 2>/dev/null || true
	got=$(nfdump -R "$work/nf$rate" -I 2>/dev/null |
		sed -n 's/^Flows: *//p' | head -1)
	printf '%-9s %-10s %12s %12s %10.0f %8s %14.3f\n' nfcapd "$rate" \
		"$((rounds * per_round))" "${got:-?}" \
		"$(echo "${got:-0} / $secs" | bc -l)" - \
		"$(echo "($n1 - $n0) * 1000000 / (${got:-0} + 1)" | bc -l)"
done
