#!/usr/bin/env bash
# `flowspecctl decode --nlri [--ipv6] HEX`, the packed NLRI list form, on
# NLRIs written by hand from RFC 8955 §4 / RFC 8956 §3 and the issue's
# IOS-XR vector: one canonical `flow route { … }` line per NLRI (README
# "Rule syntax"; a bare NLRI has no action, so `then { accept; }`), and the
# refusals: exit status 1, one "error: octet N: …" line naming where the
# input is bad, nothing on stdout. Needs no tshark; it stands next to the
# other checks of what flowspecctl decodes. (A whole UPDATE with several
# NLRIs is checked against tshark by tests/interop/pcap_own.sh.)
#
# Usage: FLOWSPECD_BIN=/abs/build/bin tests/tshark/ctl_decode.sh
# Prints "PASS: decode/<check>" or "FAIL: decode/<check>: <what differs>"
# per check and exits non-zero if any failed.

set -u

fail() { echo "FAIL: decode: $*"; exit 1; }

[ -n "${FLOWSPECD_BIN:-}" ] || fail "FLOWSPECD_BIN is not set"
ctl=$FLOWSPECD_BIN/flowspecctl
[ -x "$ctl" ] || fail "$ctl not found"
command -v timeout >/dev/null 2>&1 || fail "required tool not found: timeout"

tmp=$(mktemp -d "${TMPDIR:-/tmp}/flowspecd-decode.XXXXXX") || fail "mktemp"
trap 'rm -rf "$tmp"' EXIT
status=0

bad() { echo "FAIL: decode/$1: $2"; status=1; }

# run ARGS…: flowspecctl decode ARGS…, its output in $tmp/out and $tmp/err.
run() {
    timeout 10 "$ctl" decode "$@" >"$tmp/out" 2>"$tmp/err"
}

# decodes NAME WANT ARGS…: exit 0, nothing on stderr, stdout exactly the
# lines of WANT (each ending in a newline).
decodes() {
    local name=$1 want=$2
    shift 2
    printf '%s\n' "$want" >"$tmp/want"
    run "$@"
    local rc=$?
    if ((rc != 0)); then
        bad "$name" "exit status $rc: $(head -c 300 "$tmp/err")"
    elif [ -s "$tmp/err" ]; then
        bad "$name" "wrote on stderr: $(head -c 300 "$tmp/err")"
    elif ! cmp -s "$tmp/out" "$tmp/want"; then
        bad "$name" "printed $(wc -l <"$tmp/out") lines:
$(head -c 600 "$tmp/out")
expected:
$want"
    else
        echo "PASS: decode/$name"
    fi
}

# refuses NAME PATTERN ARGS…: exit status 1, nothing on stdout, and stderr
# one line matching the glob PATTERN.
refuses() {
    local name=$1 pattern=$2
    shift 2
    run "$@"
    local rc=$?
    local err
    err=$(cat "$tmp/err")
    if ((rc != 1)); then
        bad "$name" "exit status $rc, expected 1 (stderr: ${err:0:300})"
    elif [ -s "$tmp/out" ]; then
        bad "$name" "printed on stdout: $(head -c 300 "$tmp/out")"
    elif [ "$(wc -l <"$tmp/err")" -ne 1 ] || [[ $err != $pattern ]]; then
        bad "$name" "stderr '${err:0:300}', expected '$pattern'"
    else
        echo "PASS: decode/$name"
    fi
}

# ---- the issue's two vectors, back to back -----------------------------

# RFC 8955 §4.2.3, first example: length 0x0b; type 1 /24 192.0.2;
# type 3 op 0x81 (end, 1 octet, =) 6; type 4 op 0x81 25.
rfc8955='0b 01 18 c0 00 02 03 81 06 04 81 19'
rfc8955_text='flow route { match { destination 192.0.2.0/24; protocol =tcp; port =25; } then { accept; } }'
# The issue's IOS-XR NLRI with its length 0x0d: type 1 /32 10.50.100.100;
# type 3 op 0x81 6; type 5 op 0x91 (end, 2 octets, =) 0x04d2 = 1234.
iosxr='0d 01 20 0a 32 64 64 03 81 06 05 91 04 d2'
iosxr_text='flow route { match { destination 10.50.100.100/32; protocol =tcp; destination-port =1234; } then { accept; } }'

decodes two-vectors "$rfc8955_text
$iosxr_text" --nlri "$rfc8955 $iosxr"
# The hex may come as several words, without blanks, or with a 0x.
decodes hex-forms "$iosxr_text
$rfc8955_text" --nlri 0x0d01200a3264640381 0605 9104d2 "$rfc8955"

# ---- IPv6, RFC 8956 §3.8 ---------------------------------------------

# §3.8.1: length 0x12; type 1 length 32 offset 0 2001:db8; type 2 length
# 104 offset 64 pattern 12 34 56 78 9a; type 3 op 0x81 6.
# §3.8.2: length 0x0f; type 1 as above; type 2 length 104 offset 65, the
# same address bits 65..103 (pattern 24 68 ac f1 34, one bit of padding).
decodes ipv6-rfc8956-examples "flow route { match { destination 2001:db8::/32; source ::1234:5678:9a00:0/104/64; next-header =tcp; } then { accept; } }
flow route { match { destination 2001:db8::/32; source ::1234:5678:9a00:0/104/65; } then { accept; } }" \
    --nlri --ipv6 '12 01 20 00 20 01 0d b8 02 68 40 12 34 56 78 9a 03 81 06
                   0f 01 20 00 20 01 0d b8 02 68 41 24 68 ac f1 34'

# The RFC 8955 vector read as IPv6: octet 2 (0x18) is the prefix length
# 24, octet 3 (0xc0) the offset 192, past the length (RFC 8956 §3.1).
refuses ipv6-flag-matters 'error: octet 3: *offset*' --nlri --ipv6 "$rfc8955"

# ---- two-octet NLRI length (RFC 8955 §4.1: 0xfnnn from 240 on) -------

# A port list of 240 octets: type 4, op 0x11 (2 octets, =) 1000 = 0x03e8,
# then =1 … =118 with op 0x01, the last with the end bit (0x81):
# 1 + 3 + 118 * 2 = 240 = 0x0f0, so the length is f0 f0. The RFC 8955
# vector after it shows where the long NLRI ends.
hex='f0 f0 04 11 03 e8' text='=1000'
for ((v = 1; v <= 118; v++)); do
    printf -v hex '%s %02x %02x' "$hex" $((v < 118 ? 0x01 : 0x81)) "$v"
    text+=" =$v"
done
decodes length-240 "flow route { match { port [ $text ]; } then { accept; } }
$rfc8955_text" --nlri "$hex $rfc8955"

# The longest NLRI, 4095 = 0xfff octets (length ff ff): type 4 and 2047
# one-octet values =0 … =255, =0 …, the last with the end bit.
hex='ff ff 04' text=''
for ((i = 0; i < 2047; i++)); do
    printf -v hex '%s %02x %02x' "$hex" $((i < 2046 ? 0x01 : 0x81)) $((i % 256))
    text+="${text:+ }=$((i % 256))"
done
decodes length-4095 "flow route { match { port [ $text ]; } then { accept; } }" \
    --nlri "$hex"

# ---- refusals ----------------------------------------------------------

# The IOS-XR NLRI one octet short after a good one: its length octet,
# octet 12, promises 13 octets and 12 follow. Nothing is printed, not
# even the good first rule.
refuses nlri-past-input 'error: octet 12: *past*' --nlri "$rfc8955 ${iosxr% d2}"
# Length 0x0a cuts the RFC 8955 NLRI inside its last component: the port
# component at octet 9 (type 4, op 0x81) has no value octet.
refuses component-truncated 'error: octet 9: *truncated*' \
    --nlri '0a 01 18 c0 00 02 03 81 06 04 81'
# A two-octet length with nothing after it.
refuses length-truncated 'error: octet 0: *' --nlri 'f0'
# Bad hex: the 11th octet (octet 10) is "8g"; an odd digit count leaves
# octet 11 half written.
refuses bad-hex-digit "error: octet 10: *'g'*" --nlri '0b 01 18 c0 00 02 03 81 06 04 8g 19'
refuses bad-hex-odd 'error: octet 11: *' --nlri '0b 01 18 c0 00 02 03 81 06 04 81 1'

exit $status
