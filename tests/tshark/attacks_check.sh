#!/usr/bin/env bash
# Checks the attack captures pcaps/attack-*.pcap (softflowd's NetFlow v5 /
# v9 / IPFIX exports of generated attacks, made by pcaps/make-attacks.sh)
# with tshark as the independent decoder: per scenario of pcaps/attacks.json
# the attack's flow records must add up to the packets and bytes the
# generator sent, with the generated sources, ports, TCP flags and times,
# and tests/policy-attacks.json must put every attack above its policy's
# threshold and every benign capture below, both by a clear margin
# (attacks_check.py says exactly what is compared). Last, two tampered
# copies (a packet too many, a threshold too close) must make it fail.
#
# Usage: tests/tshark/attacks_check.sh
# Prints "PASS: attacks/<scenario>/<check>" or "FAIL: …: what differs" and
# exits non-zero if any failed. Needs tshark and python3 (TSHARK, PYTHON
# override them); EXPORT_PORT is the UDP port of the exports (20555).

set -u

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
root=$(cd "$here/../.." && pwd)
table=$root/pcaps/attacks.json
policy=$root/tests/policy-attacks.json
port=${EXPORT_PORT:-20555}
TSHARK=${TSHARK:-tshark}
PYTHON=${PYTHON:-python3}

fail() { echo "FAIL: attacks: $*"; exit 1; }

for tool in "$TSHARK" "$PYTHON" timeout; do
    command -v "$tool" >/dev/null 2>&1 || fail "required tool not found: $tool"
done
[ -r "$table" ] || fail "$table not found"
[ -r "$policy" ] || fail "$policy not found"

tmp=$(mktemp -d "${TMPDIR:-/tmp}/flowspecd-attacks.XXXXXX") || fail "mktemp"
trap 'rm -rf "$tmp"' EXIT
# Keep the user's Wireshark preferences out of the decode.
mkdir "$tmp/wireshark"
export WIRESHARK_CONFIG_DIR=$tmp/wireshark

mapfile -t names < <("$PYTHON" -c 'import json, sys
print("\n".join(json.load(open(sys.argv[1]))["scenarios"]))' "$table") ||
    fail "$table: not readable JSON"
((${#names[@]})) || fail "$table: no scenarios"
for s in "${names[@]}"; do
    pcap=$root/pcaps/attack-$s.pcap
    [ -r "$pcap" ] || { echo "FAIL: attacks/$s/decode: $pcap not found"; continue; }
    timeout 60 "$TSHARK" -n -r "$pcap" -d "udp.port==$port,cflow" -T json \
        >"$tmp/$s.json" 2>"$tmp/$s.log" ||
        echo "FAIL: attacks/$s/decode: tshark failed: $(head -c 300 "$tmp/$s.log")"
done
status=0
timeout 120 "$PYTHON" "$here/attacks_check.py" "$table" "$policy" "$tmp" ||
    status=1

# The checker itself: one packet more in the table, and a threshold the
# attack no longer clears by the margin, must each fail.
"$PYTHON" - "$table" "$policy" "$tmp" <<'PY'
import json, sys
table, policy, tmp = sys.argv[1:]
t = json.load(open(table))
sc = t["scenarios"]["syn-flood"]
sc["generated"]["packets"] += 1
json.dump({"scenarios": {"syn-flood": sc}}, open(tmp + "/bad-table.json", "w"))
p = json.load(open(policy))
for pol in p["policies"]:
    if pol["name"] == "syn-flood":   # the flood 1.2 x above: too close
        pol["threshold"] = sc["measured"]["pps"] / 1.2
json.dump(p, open(tmp + "/bad-policy.json", "w"))
PY
out=$(timeout 60 "$PYTHON" "$here/attacks_check.py" "$tmp/bad-table.json" \
    "$policy" "$tmp" 2>&1)
if [[ $out == *"FAIL: attacks/syn-flood/totals"* ]]; then
    echo "PASS: attacks/checker/totals-mismatch"
else
    echo "FAIL: attacks/checker/totals-mismatch: not detected: $out"
    status=1
fi
out=$(timeout 60 "$PYTHON" "$here/attacks_check.py" "$table" \
    "$tmp/bad-policy.json" "$tmp" 2>&1)
if [[ $out == *"FAIL: attacks/syn-flood/policy"* ]]; then
    echo "PASS: attacks/checker/threshold-margin"
else
    echo "FAIL: attacks/checker/threshold-margin: not detected: $out"
    status=1
fi
exit $status
