#!/usr/bin/env bash
# Encoding check against an independent decoder: every rule of rules.txt is
# encoded with `flowspecctl encode`, the UPDATEs go into one pcap (one UPDATE
# per TCP segment to port 179, made with text2pcap), tshark decodes the pcap
# once (-T pdml), and tshark_check.py compares what tshark decoded with the
# values written by hand in rules.txt from RFC 8955 / 8956 / 7674.
#
# What Debian 12's tshark (4.0) cannot decode is listed, with the reason, in
# LIMITATIONS of tshark_check.py; those fields are compared as RFC octets at
# the place tshark located. Any other tshark error (_ws.expert,
# _ws.malformed) in our UPDATEs fails the rule.
#
# Usage: FLOWSPECD_BIN=/abs/build/bin tests/tshark/check.sh
# Prints "PASS: tshark/<rule>" or "FAIL: tshark/<rule>: <what differs>" per
# rule and exits non-zero if any failed. Needs tshark and text2pcap
# (wireshark-common) and python3. Override with TSHARK, TEXT2PCAP, PYTHON;
# RULES=FILE checks another rules file (used to test the checker itself).

set -u

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
rules=${RULES:-$here/rules.txt}
TSHARK=${TSHARK:-tshark}
TEXT2PCAP=${TEXT2PCAP:-text2pcap}
PYTHON=${PYTHON:-python3}

fail() { echo "FAIL: tshark: $*"; exit 1; }

[ -n "${FLOWSPECD_BIN:-}" ] || fail "FLOWSPECD_BIN is not set"
ctl=$FLOWSPECD_BIN/flowspecctl
[ -x "$ctl" ] || fail "$ctl not found"
for tool in "$TSHARK" "$TEXT2PCAP" "$PYTHON" timeout; do
    command -v "$tool" >/dev/null 2>&1 || fail "required tool not found: $tool"
done

tmp=$(mktemp -d "${TMPDIR:-/tmp}/flowspecd-tshark.XXXXXX") || fail "mktemp"
trap 'rm -rf "$tmp"' EXIT
# Keep the user's Wireshark preferences out of the decode.
mkdir "$tmp/wireshark"
export WIRESHARK_CONFIG_DIR=$tmp/wireshark

status=0
: >"$tmp/updates.tsv"
: >"$tmp/updates.txt"

# One rule per line: "name | flow route { … } | expectations".
while IFS= read -r line || [ -n "$line" ]; do
    case $line in '' | '#'*) continue ;; esac
    if [[ $line != *" | "*" | "* ]]; then
        echo "FAIL: tshark: $rules: not 'name | rule | expectations': $line"
        status=1
        continue
    fi
    name=${line%% | *}
    rest=${line#* | }
    rule=${rest%% | *}
    expect=" ${rest#* | } "
    if out=$(timeout 10 "$ctl" encode "$rule" 2>&1); then
        if [[ $expect == *" refused "* ]]; then
            echo "FAIL: tshark/$name: encoded, expected a refusal: $out"
            status=1
            continue
        fi
    else
        if [[ $expect == *" refused "* ]] && [[ $out == error:* ]]; then
            echo "PASS: tshark/$name"
        else
            echo "FAIL: tshark/$name: flowspecctl encode failed: $out"
            status=1
        fi
        continue
    fi
    if ! [[ $out =~ ^[0-9a-f]+$ ]] || [ $(( ${#out} % 2 )) -ne 0 ]; then
        echo "FAIL: tshark/$name: flowspecctl encode printed no hex line: $out"
        status=1
        continue
    fi
    printf '%s\t%s\n' "$name" "$out" >>"$tmp/updates.tsv"
    # text2pcap hex dump: each packet restarts at offset 000000.
    awk -v hex="$out" 'BEGIN {
        n = length(hex) / 2
        for (i = 0; i < n; i++) {
            if (i % 16 == 0) printf "%s%06x", (i ? "\n" : ""), i
            printf " %s", substr(hex, 2 * i + 1, 2)
        }
        printf "\n"
    }' >>"$tmp/updates.txt"
done <"$rules"

if [ -s "$tmp/updates.tsv" ]; then
    timeout 30 "$TEXT2PCAP" -q -F pcap -4 127.0.0.1,127.0.0.2 -T 1790,179 \
        "$tmp/updates.txt" "$tmp/updates.pcap" >"$tmp/text2pcap.log" 2>&1 ||
        fail "text2pcap failed: $(head -c 500 "$tmp/text2pcap.log")"
    timeout 60 "$TSHARK" -n -r "$tmp/updates.pcap" -d tcp.port==179,bgp \
        -o tcp.analyze_sequence_numbers:FALSE -T pdml \
        >"$tmp/updates.pdml" 2>"$tmp/tshark.log" ||
        fail "tshark failed: $(head -c 500 "$tmp/tshark.log")"
    timeout 60 "$PYTHON" "$here/tshark_check.py" "$rules" "$tmp/updates.tsv" \
        "$tmp/updates.pcap" "$tmp/updates.pdml" || status=1
fi
exit $status
