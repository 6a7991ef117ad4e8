#!/usr/bin/env bash
# Checks pcaps/flowspecd-gobgp.pcap, a capture of our own session
# (flowspecd -> GoBGP, made by pcaps/make-flowspecd-gobgp.sh), with tshark:
#   - no frame tshark calls malformed, and no BGP expert warning or error;
#   - flowspecd's OPEN carries what the script configured: AS 65100, hold
#     time 9, identifier 127.0.0.91, multiprotocol IPv4 and IPv6 Flowspec
#     (1/133, 2/133), route refresh, enhanced route refresh, 4-octet AS
#     65100, extended message, graceful restart 120 s with the R and N bits
#     and both Flowspec families with the F bit;
#   - every UPDATE decodes the same with our decoder and with tshark, NLRI
#     by NLRI (tests/tshark/pcap_check.sh with PCAP=…): 15 announced and 2
#     withdrawn NLRIs, End-of-RIB for both families;
#   - KEEPALIVEs from flowspecd, and its NOTIFICATION Cease/Administrative
#     Shutdown (6/2) with the RFC 8203 message "flowspecd shutting down".
# Reads the capture only: no daemon, no root, no port.
#
# Usage: FLOWSPECD_BIN=/abs/build/bin tests/interop/pcap_own.sh
TEST=pcap_own
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

TSHARK=${TSHARK:-tshark}
need "$TSHARK" "$PYTHON"
PCAP=$ROOT/pcaps/flowspecd-gobgp.pcap
PORT=25790              # GoBGP's side of the captured session
[ -r "$PCAP" ] || die "$PCAP not found (pcaps/make-flowspecd-gobgp.sh makes it)"
mkdir "$WORK/wireshark"
export WIRESHARK_CONFIG_DIR=$WORK/wireshark

# tsh FILTER FIELD…: the fields of the frames FILTER selects, ';'-separated.
tsh() {
    local filter=$1 f args=()
    shift
    for f in "$@"; do args+=(-e "$f"); done
    "$TSHARK" -n -r "$PCAP" -d "tcp.port==$PORT,bgp" -Y "$filter" \
        -T fields -E separator=';' "${args[@]}" 2>"$WORK/tshark.log"
}

# ---- malformed ----

bad=$("$TSHARK" -n -r "$PCAP" -d "tcp.port==$PORT,bgp" \
    -Y 'bgp && (_ws.malformed || _ws.expert.severity >= warning)' 2>/dev/null)
check no-malformed "tshark flags: $(echo "$bad" | head -n 3 | tr '\n' ';')" [ -z "$bad" ]

# ---- flowspecd's OPEN ----

open=$(tsh "bgp.type == 1 && tcp.dstport == $PORT" \
    bgp.open.myas bgp.open.holdtime bgp.open.identifier bgp.cap.type \
    bgp.cap.mp.afi bgp.cap.mp.safi bgp.cap.4as \
    bgp.cap.gr.timers.restart_flag bgp.cap.gr.timers.notification_flag \
    bgp.cap.gr.timers.restart_time bgp.cap.gr.afi bgp.cap.gr.safi \
    bgp.cap.gr.flag.pfs)
# Capability codes (RFC 5492 registry): 1 multiprotocol (twice), 2 route
# refresh, 70 enhanced route refresh, 65 4-octet AS, 6 extended message,
# 64 graceful restart.
want="65100;9;127.0.0.91;1,1,2,70,65,6,64;1,2;133,133;65100;1;1;120;1,2;133,133;1,1"
check open-capabilities "flowspecd's OPEN: $open, expected $want" [ "$open" = "$want" ]

# ---- every UPDATE against our decoder ----

PCAP=$PCAP BGP_PORT=$PORT EXPECT=15,2,2 FLOWSPECD_BIN=$FLOWSPECD_BIN \
    TSHARK=$TSHARK PYTHON=$PYTHON bash "$ROOT/tests/tshark/pcap_check.sh" \
    >"$WORK/pcap_check.out" 2>"$WORK/pcap_check.log"
rc=$?
sed -n 's#^\(PASS\|FAIL\): pcap/#\1: interop/pcap_own/#p' "$WORK/pcap_check.out"
grep -q '^FAIL' "$WORK/pcap_check.out" && failures=$((failures + 1))
checks=$((checks + $(grep -c '^\(PASS\|FAIL\)' "$WORK/pcap_check.out")))
if ((rc != 0)) && ! grep -q '^FAIL' "$WORK/pcap_check.out"; then
    fail pcap-check "tests/tshark/pcap_check.sh exited with $rc: $(tail -n 3 "$WORK/pcap_check.log" | tr '\n' ';')"
fi

# ---- KEEPALIVEs and the NOTIFICATION ----

ka=$(tsh "bgp.type == 4 && tcp.dstport == $PORT" frame.number | wc -l)
check keepalives "$ka frames with KEEPALIVEs from flowspecd, expected at least 2" [ "$ka" -ge 2 ]
notif=$(tsh "bgp.type == 3 && tcp.dstport == $PORT" bgp.notify.major_error \
    bgp.notify.minor_error_cease bgp.notify.communication)
check cease-notification "flowspecd's NOTIFICATION: '$notif'" \
    [ "$notif" = "6;2;flowspecd shutting down" ]

finish
