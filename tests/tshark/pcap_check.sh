#!/usr/bin/env bash
# Decoding check on a capture from real peers: every BGP UPDATE of
# pcaps/gobgp-exabgp-flowspec.pcap (GoBGP -> ExaBGP, made by
# pcaps/make-gobgp-exabgp.sh) is decoded by `flowspecctl decode` and by
# tshark, and pcap_check.py compares the two NLRI by NLRI: AFI, component
# types in order, prefixes, every operator's flags and value, extended
# communities; then the totals (44 announced + 5 withdrawn NLRIs, 2
# End-of-RIB, pcaps/README.md).
#
# tshark reads the capture twice: once for the TCP payloads (-T fields; the
# BGP messages are cut out of each direction's byte stream here, so a
# segment with several messages or a message over several segments is
# handled), once for its own decode (-T pdml). What Debian 12's tshark (4.0)
# cannot decode is listed, with the reason, in BYTES_ONLY of pcap_check.py
# and read from the octets by RFC 8955 / RFC 8956 instead.
#
# Usage: FLOWSPECD_BIN=/abs/build/bin tests/tshark/pcap_check.sh
# Prints "PASS: pcap/<frame>" or "FAIL: pcap/<frame>: <what differs>" per
# UPDATE, plus pcap/messages and pcap/totals, and exits non-zero if any
# failed. Needs tshark and python3. Override with TSHARK, PYTHON; PCAP=FILE
# (with BGP_PORT, default 1790) checks another capture, without the totals
# of pcaps/README.md unless EXPECT="ANNOUNCED,WITHDRAWN,EOR" is given.

set -u

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
root=$(cd "$here/../.." && pwd)
default_pcap=$root/pcaps/gobgp-exabgp-flowspec.pcap
pcap=${PCAP:-$default_pcap}
port=${BGP_PORT:-1790}
TSHARK=${TSHARK:-tshark}
PYTHON=${PYTHON:-python3}
if [ "$pcap" = "$default_pcap" ]; then
    expect=${EXPECT-44,5,2}   # pcaps/README.md: announced, withdrawn, EoR
else
    expect=${EXPECT-}
fi

fail() { echo "FAIL: pcap: $*"; exit 1; }

[ -n "${FLOWSPECD_BIN:-}" ] || fail "FLOWSPECD_BIN is not set"
ctl=$FLOWSPECD_BIN/flowspecctl
[ -x "$ctl" ] || fail "$ctl not found"
[ -r "$pcap" ] || fail "capture $pcap not found"
for tool in "$TSHARK" "$PYTHON" timeout; do
    command -v "$tool" >/dev/null 2>&1 || fail "required tool not found: $tool"
done

tmp=$(mktemp -d "${TMPDIR:-/tmp}/flowspecd-pcap.XXXXXX") || fail "mktemp"
trap 'rm -rf "$tmp"' EXIT
# Keep the user's Wireshark preferences out of the decode.
mkdir "$tmp/wireshark"
export WIRESHARK_CONFIG_DIR=$tmp/wireshark

tshark_run() { # tshark_run OUT ARGS...: tshark on the capture, BGP on $port
    local out=$1
    shift
    timeout 60 "$TSHARK" -n -r "$pcap" -d "tcp.port==$port,bgp" "$@" \
        >"$out" 2>"$tmp/tshark.log" ||
        fail "tshark failed: $(grep -v '^Running as user' "$tmp/tshark.log" |
            head -c 500)"
}

tshark_run "$tmp/segments.tsv" -Y "tcp.port==$port && tcp.len > 0" \
    -T fields -E separator=/t -e frame.number -e tcp.stream -e tcp.srcport \
    -e tcp.dstport -e tcp.seq -e tcp.len -e tcp.payload
tshark_run "$tmp/capture.pdml" -T pdml

expect_args=()
[ -z "$expect" ] || expect_args=(--expect "$expect")
timeout 60 "$PYTHON" "$here/pcap_check.py" "${expect_args[@]}" "$ctl" \
    "$tmp/segments.tsv" "$tmp/capture.pdml"
