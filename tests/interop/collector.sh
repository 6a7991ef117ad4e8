#!/usr/bin/env bash
# The flow collector against real exporters and tshark:
#   replay  `flowspecd replay --flows` on each export capture of pcaps/
#           (softflowd NetFlow v5, v9, IPFIX; pmacct sfprobe sFlow, 1/1
#           and 1/4): every record equals what tshark decodes from the
#           same capture (addresses, protocol, ports, bytes and packets
#           times the sampling rate); per destination the totals equal
#           the traffic pcap softflowd was fed (sFlow: never more, and at
#           least 95 %); the flow count and per-protocol octets/packets
#           equal softflowd's own report.
#   live    a running flowspecd with a NetFlow and an sFlow listener and
#           an allow-list: the export datagrams of the v9 and sFlow
#           captures sent over loopback UDP from an allowed and from a
#           non-allowed address; `show collector --json` counts every
#           datagram and record of the allowed one and drops the other.
#           Then `flowspecctl reload`: a listener that cannot be bound is
#           refused (the running collector kept); OTHER added to the list
#           and the sFlow listener moved: OTHER's datagrams are counted,
#           and the allowed one's v9 data decodes with the templates it
#           sent before the reload (none resent). As root the daemon
#           runs as nobody: a port below 1024 is refused on reload. The
#           collector removed (stopped, the policy engine told) and added
#           back (started afresh). That fresh collector, like a daemon
#           started after its exporter, first gets the v9 datagram without
#           templates, then the one with them: the data is held, and
#           decoded when they come (every record tshark decodes in both,
#           the held ones counted as decoded late, none dropped).
#   check   `flowspecd --check` names the bad collector keys by path.
# Addresses 127.0.0.100-102, UDP ports 26010-26011.
#
# Usage: FLOWSPECD_BIN=/abs/build/bin tests/interop/collector.sh
TEST=collector
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

TSHARK=${TSHARK:-tshark}
need "$TSHARK" "$PYTHON"
COLL_PY=$INTEROP_DIR/collector.py
PCAPS=$ROOT/pcaps
TRAFFIC=$PCAPS/flow-traffic.pcap
mkdir "$WORK/wireshark"
export WIRESHARK_CONFIG_DIR=$WORK/wireshark

# ---- replay against tshark, the traffic and softflowd ----

# kind:capture:port the exporter sent to when it was captured
for spec in v5:softflowd-v5:26001 v9:softflowd-v9:26002 \
	ipfix:softflowd-ipfix:26003 sflow:pmacct-sflow:26004 \
	sflow:pmacct-sflow-sampled:26005; do
	IFS=: read -r kind name port <<<"$spec"
	pcap=$PCAPS/$name.pcap
	[ -r "$pcap" ] || die "$pcap not found (pcaps/make-flow-exports.sh)"
	if ! "$FLOWSPECD" replay --flows "$pcap" >"$WORK/$name.jsonl" \
		2>"$WORK/replay-$name.log"; then
		fail "$name/replay" "flowspecd replay failed: $(tail -1 "$WORK/replay-$name.log")"
		continue
	fi
	check "$name/no-decode-errors" "$(tail -1 "$WORK/replay-$name.log")" \
		grep -q ' 0 decode errors, 0 data sets without' "$WORK/replay-$name.log"
	sf=$PCAPS/$name.softflowd.txt
	[ -f "$sf" ] || sf=
	while read -r check_name verdict what; do
		if [ "$verdict" = ok ]; then
			pass "$name/$check_name"
		else
			fail "$name/$check_name" "$what"
		fi
	done < <(TSHARK=$TSHARK "$PYTHON" "$COLL_PY" compare "$kind" "$pcap" \
		"$port" "$WORK/$name.jsonl" "$TRAFFIC" $sf 2>"$WORK/compare.log" ||
		echo "compare FAIL $(tail -1 "$WORK/compare.log")")
done

# The --flows line is DESIGN.md's, key for key.
first=$(head -n 1 "$WORK/softflowd-v9.jsonl")
keys=$("$PYTHON" -c 'import json,sys; print(",".join(json.loads(sys.argv[1])))' "$first")
check flows-line-keys "keys: $keys" [ "$keys" = \
	"type,exporter,src,dst,proto,sport,dport,tcp_flags,bytes,packets,sampling,start,end" ]

# ---- live: UDP to a running daemon ----

LISTEN=127.0.0.100
ALLOWED=127.0.0.101
OTHER=127.0.0.102
NF_PORT=26010
SF_PORT=26011
SOCK=$WORK/ctl.sock
for p in $NF_PORT $SF_PORT; do
	ss -Hlun "( sport = :$p )" | grep -q . && die "UDP port $p is in use"
done
# As root the daemon gives root up for nobody, as it would in production
# (then a reload cannot bind a port below 1024).
USER_KEY=
if [ "$(id -u)" -eq 0 ] && id nobody >/dev/null 2>&1 &&
	[ "$(cat /proc/sys/net/ipv4/ip_unprivileged_port_start)" -gt 999 ]; then
	USER_KEY='"user": "nobody",'
	chmod 0711 "$WORK"
	mkdir "$WORK/run" && chown nobody: "$WORK/run"
	SOCK=$WORK/run/ctl.sock
fi
# write_conf NETFLOW SFLOW EXPORTERS: the daemon's config with a policy
# file and a collector with these listeners (ADDR:PORT) and the
# allow-list's elements; NETFLOW "none": no collector.
cp "$ROOT/tests/policy-attacks.json" "$WORK/policy.json"
write_conf() {
	local col=
	[ "$1" = none ] || col=",
  \"collector\": {
    \"netflow\": \"$1\",
    \"sflow\": \"$2\",
    \"exporters\": [$3],
    \"socket_buffer\": 1048576
  }"
	cat >"$WORK/flowspecd.json" <<CONF
{
  "router_id": "192.0.2.1",
  "local_as": 65100,
  "control_socket": "$SOCK",
  $USER_KEY
  "policy": "$WORK/policy.json"$col
}
CONF
}
write_conf $LISTEN:$NF_PORT $LISTEN:$SF_PORT "\"$ALLOWED/32\""
fsd_start FSD "$WORK/flowspecd.json" flowspecd.log

# send CAPTURE PORT FROM [FILTER]: the UDP payloads of CAPTURE (those
# of the frames tshark's display filter FILTER picks), in order, to
# LISTEN:PORT from FROM; prints how many.
send() {
	"$PYTHON" - "$1" "$LISTEN" "$2" "$3" "${4:-udp}" <<'PY'
import socket, subprocess, sys
cap, host, port, src, flt = sys.argv[1], sys.argv[2], int(sys.argv[3]), sys.argv[4], sys.argv[5]
out = subprocess.run(["tshark", "-n", "-r", cap, "-Y", flt, "-T", "fields", "-e", "udp.payload"],
                     check=True, capture_output=True, text=True).stdout
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
s.bind((src, 0))
n = 0
for line in out.split():
    s.sendto(bytes.fromhex(line.replace(":", "")), (host, port))
    n += 1
print(n)
PY
}
n9=$(send "$PCAPS/softflowd-v9.pcap" $NF_PORT $ALLOWED)
nsf=$(send "$PCAPS/pmacct-sflow.pcap" $SF_PORT $ALLOWED)
nbad=$(send "$PCAPS/softflowd-v5.pcap" $NF_PORT $OTHER)
records=$(( $(wc -l <"$WORK/softflowd-v9.jsonl") + $(wc -l <"$WORK/pmacct-sflow.jsonl") ))

counter() { "$PYTHON" "$COLL_PY" counter "$(ctl show collector --json)" "$1"; }
got_all() { [ "$(counter "exporters[$ALLOWED].records")" = "$records" ]; }
wait_until 10 got_all
check live-records "records $(counter "exporters[$ALLOWED].records"), expected $records" got_all
check live-packets "packets $(counter "exporters[$ALLOWED].packets"), sent $((n9 + nsf))" \
	[ "$(counter "exporters[$ALLOWED].packets")" = $((n9 + nsf)) ]
check live-not-allowed "not_allowed $(counter not_allowed), sent $nbad from $OTHER" \
	[ "$(counter not_allowed)" = "$nbad" ]
check live-only-allowed "exporters: $(counter exporters)" \
	[ "$(counter exporters)" = "$ALLOWED" ]
check live-templates "templates $(counter "exporters[$ALLOWED].templates")" \
	[ "$(counter "exporters[$ALLOWED].templates")" -ge 4 ]
check live-no-errors "errors: $(counter "exporters[$ALLOWED].errors")" \
	[ "$(counter "exporters[$ALLOWED].errors.bad_version")$(counter "exporters[$ALLOWED].errors.truncated")" = 00 ]
check live-listener-count "datagrams on the listeners: $(counter "listeners")" \
	[ "$(ctl show collector --json | "$PYTHON" -c '
import json, sys
print(sum(l["datagrams"] for l in json.load(sys.stdin)["listeners"]))')" = $((n9 + nsf + nbad)) ]
check live-text "show collector (text) lacks $ALLOWED" \
	eval "ctl show collector | grep -q '^$ALLOWED '"

# ---- live reload: the collector object changed in place ----

listeners() {
	ctl show collector --json | "$PYTHON" -c '
import json, sys
print(",".join("%s %s %d" % (l["protocol"], l["address"], l["port"])
               for l in json.load(sys.stdin)["listeners"]))'
}
# An sFlow address that is not this host's: the bind fails, the collector
# part of the reload is refused with its reason, the running one kept.
write_conf $LISTEN:$NF_PORT 192.0.2.1:$SF_PORT "\"$ALLOWED/32\", \"$OTHER\""
out=$(ctl reload 2>&1) && fail reload-bind-refused "accepted: $out" ||
	check reload-bind-refused "reload said: $out" \
		grep -q "collector not: sflow listener 192.0.2.1 port $SF_PORT: " <<<"$out"
check reload-bind-kept "listeners: $(listeners)" \
	[ "$(listeners)" = "netflow $LISTEN $NF_PORT,sflow $LISTEN $SF_PORT" ]
nbad2=$(send "$PCAPS/softflowd-v5.pcap" $NF_PORT $OTHER)
not_allowed_grew() { [ "$(counter not_allowed)" = $((nbad + nbad2)) ]; }
wait_until 10 not_allowed_grew
check reload-refused-list-kept "not_allowed $(counter not_allowed), sent $((nbad + nbad2)) from $OTHER" \
	not_allowed_grew

# OTHER allowed, sFlow moved to ALLOWED's address: applied.
write_conf $LISTEN:$NF_PORT $ALLOWED:$SF_PORT "\"$ALLOWED/32\", \"$OTHER\""
out=$(ctl reload 2>&1)
rc=$?
check reload-applied "reload: exit status $rc: $out" [ $rc -eq 0 ]
check reload-listener-moved "listeners: $(listeners)" \
	[ "$(listeners)" = "netflow $LISTEN $NF_PORT,sflow $ALLOWED $SF_PORT" ]
check reload-old-port-closed "$LISTEN:$SF_PORT still bound" \
	eval "! ss -Hlun '( sport = :$SF_PORT )' | grep -q '$LISTEN:'"
# The v9 datagrams without a template set, resent from ALLOWED: they
# decode with the templates it sent before the reload.
read -r data_records data_frames < <("$PYTHON" "$COLL_PY" data-only \
	"$PCAPS/softflowd-v9.pcap" 26002)
[ -n "$data_frames" ] || die "softflowd-v9.pcap has no datagram without templates"
send "$PCAPS/softflowd-v9.pcap" $NF_PORT $ALLOWED \
	"frame.number in {$data_frames}" >/dev/null
nok=$(send "$PCAPS/softflowd-v5.pcap" $NF_PORT $OTHER)
v5_records=$("$TSHARK" -n -r "$PCAPS/softflowd-v5.pcap" -d udp.port==26001,cflow \
	-T fields -e cflow.count 2>/dev/null | awk '{ n += $1 } END { print n }')
more=$((records + data_records))
got_more() {
	[ "$(counter "exporters[$ALLOWED].records")" = "$more" ] &&
		[ "$(counter "exporters[$OTHER].records")" = "$v5_records" ]
}
wait_until 10 got_more
check reload-templates-kept "records $(counter "exporters[$ALLOWED].records"), expected $more; missing template $(counter "exporters[$ALLOWED].missing_template")" \
	eval '[ "$(counter "exporters[$ALLOWED].records")" = "$more" ] &&
		[ "$(counter "exporters[$ALLOWED].missing_template")" = 0 ]'
check reload-now-allowed "$OTHER: packets $(counter "exporters[$OTHER].packets") of $nok, records $(counter "exporters[$OTHER].records") of $v5_records; not_allowed $(counter not_allowed)" \
	eval '[ "$(counter "exporters[$OTHER].packets")" = "$nok" ] &&
		[ "$(counter "exporters[$OTHER].records")" = "$v5_records" ] &&
		[ "$(counter not_allowed)" = $((nbad + nbad2)) ]'
# Running as nobody: a port below 1024 is refused with the reason.
if [ -n "$USER_KEY" ]; then
	write_conf $LISTEN:999 $ALLOWED:$SF_PORT "\"$ALLOWED/32\", \"$OTHER\""
	out=$(ctl reload 2>&1) && fail reload-privileged-port "accepted: $out" ||
		check reload-privileged-port "reload said: $out" \
			grep -q "netflow listener $LISTEN port 999: .*a port below 1024 needs root" <<<"$out"
	check reload-privileged-port-kept "listeners: $(listeners)" \
		[ "$(listeners)" = "netflow $LISTEN $NF_PORT,sflow $ALLOWED $SF_PORT" ]
else
	pass reload-privileged-port-skipped-not-root
fi
# Removed: the collector stops, its ports close, the policy engine is
# told; added back: a new one starts, its state from scratch.
write_conf none
out=$(ctl reload 2>&1)
rc=$?
check reload-removed "reload: exit status $rc: $out; show collector: $(ctl show collector 2>&1)" \
	eval '[ $rc -eq 0 ] && [ "$(ctl show collector 2>&1)" = "error: no collector is configured" ] &&
		! ss -Hlun "( sport = :$NF_PORT or sport = :$SF_PORT )" | grep -q .'
check reload-removed-policy-told "the log lacks the policy engine's warning" \
	grep -q "policy $WORK/policy.json: no collector configured: the policies see no traffic" \
	"$WORK/flowspecd.log"
write_conf $LISTEN:$NF_PORT $ALLOWED:$SF_PORT "\"$ALLOWED/32\""
out=$(ctl reload 2>&1)
rc=$?
check reload-added "reload: exit status $rc: $out; listeners: $(listeners)" \
	eval '[ $rc -eq 0 ] && [ "$(listeners)" = "netflow $LISTEN $NF_PORT,sflow $ALLOWED $SF_PORT" ]'
nv5=$(send "$PCAPS/softflowd-v5.pcap" $NF_PORT $ALLOWED)
fresh() {
	[ "$(counter "exporters[$ALLOWED].records")" = "$v5_records" ] &&
		[ "$(counter "exporters[$ALLOWED].packets")" = "$nv5" ]
}
wait_until 10 fresh
check reload-added-counts "$ALLOWED: records $(counter "exporters[$ALLOWED].records") of $v5_records, packets $(counter "exporters[$ALLOWED].packets") of $nv5" \
	fresh
send "$PCAPS/softflowd-v9.pcap" $NF_PORT $ALLOWED \
	"frame.number in {$data_frames}" >/dev/null
send "$PCAPS/softflowd-v9.pcap" $NF_PORT $ALLOWED \
	"!(frame.number in {$data_frames})" >/dev/null
# (the replay's records, equal to tshark's by softflowd-v9/records-tshark)
v9_records=$(wc -l <"$WORK/softflowd-v9.jsonl")
late_decoded() {
	[ "$(counter "exporters[$ALLOWED].records")" = $((v5_records + v9_records)) ]
}
wait_until 10 late_decoded
js=$(ctl show collector --json)
for k in records missing_template held held_decoded held_dropped late_records; do
	printf -v "h_$k" '%s' "$("$PYTHON" "$COLL_PY" counter "$js" "exporters[$ALLOWED].$k")"
done
check held-until-template "records $h_records, expected $v5_records v5 + $v9_records v9; missing template $h_missing_template, held $h_held, decoded $h_held_decoded, dropped $h_held_dropped, late records $h_late_records of tshark's $data_records" \
	eval '[ "$h_records" = $((v5_records + v9_records)) ] &&
		[ "$h_missing_template" -gt 0 ] && [ "$h_held" = "$h_missing_template" ] &&
		[ "$h_held_decoded" = "$h_held" ] && [ "$h_held_dropped" = 0 ] &&
		[ "$h_late_records" = "$data_records" ]'
fsd_stop "$FSD" "$WORK/flowspecd.log"

# ---- --check names the collector's bad keys ----

cat >"$WORK/bad.json" <<CONF
{
  "router_id": "192.0.2.1",
  "local_as": 65100,
  "collector": {
    "netflow": "127.0.0.100:99999",
    "exporters": ["192.0.2.1", { "prefix": "10.0.0.1/8" }],
    "template_timout": 60
  }
}
CONF
"$FLOWSPECD" -c "$WORK/bad.json" --check >"$WORK/check.out" 2>&1
rc=$?
check check-fails "--check exit status $rc" [ "$rc" -ne 0 ]
for want in "collector.netflow: '127.0.0.100:99999' is not ADDR:PORT" \
	"collector.exporters\[1\]: '10.0.0.1/8' is not an address" \
	"collector.template_timout: unknown key"; do
	check "check-says/${want%%:*}" "--check said: $(tr '\n' '|' <"$WORK/check.out")" \
		grep -q "$want" "$WORK/check.out"
done
finish
