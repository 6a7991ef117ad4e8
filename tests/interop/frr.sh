#!/usr/bin/env bash
# The frr profile against a real FRR 8.4 bgpd (Debian package frr, run
# alone: no zebra, no kernel routes) on loopback. flowspecd 127.0.0.143
# connects to bgpd on 127.0.0.144:26403 (iBGP, IPv4 Flowspec) and
# announces a rule with !=, and rules with what the frr profile claims FRR
# takes (bgpd/bgp/profile.c): IPv6 with a flow label, the three redirect
# VRF forms, redirect to IP as 0x0800 with the next hop.
#   1. neighbor without a profile (generic): FRR 8.4 answers the != rule
#      with NOTIFICATION 3/9 (so the check below can fail);
#   2. neighbor without a profile, IPv6 prefix offsets (RFC 8956 §3.1):
#      FRR 8.4 reads the pre-RFC layout (length/8 octets from bit 0), so
#      it misreads source 0:db8:aa00::/40 offset 16 + next-header udp
#      (shown below as it must read the RFC's octets), and answers RFC
#      8956 §3.8's first example with NOTIFICATION 3/9. When a later FRR
#      reads offsets, these fail: then the frr profile can carry them;
#   3. neighbor with "profile": "frr": the session stays up, FRR holds every
#      rule, the != one as < and > (read back with vtysh); the two offset
#      rules are refused (show adj-rib-out, rules_refused) and not sent.
# Skips (one SKIP line, exit 0) when FRR's bgpd is not installed.
#
# Ports: 26403 (bgpd). Usage: FLOWSPECD_BIN=/abs/build/bin tests/interop/frr.sh
TEST=frr
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

FRR_BGPD=${FRR_BGPD:-/usr/lib/frr/bgpd}
VTYSH=${VTYSH:-vtysh}
if [ ! -x "$FRR_BGPD" ] || ! command -v "$VTYSH" >/dev/null; then
    echo "SKIP: interop/frr: FRR bgpd or vtysh not installed (tests/deps.sh installs frr)"
    exit 0
fi
need "$PYTHON" ss
ports_free 26403

FSD=127.0.0.143
FRR=127.0.0.144
SOCK=$WORK/fsd.sock
NE='flow route { match { destination 10.70.0.1/32; destination-port !=80; } then { discard; } }'
PLAIN='flow route { match { destination 10.70.0.2/32; protocol udp; } then { discard; } }'
OTHERS=(
    'flow route { match { destination 10.70.0.3/32; } then { redirect 4200000000:1; } }'
    'flow route { match { destination 10.70.0.4/32; } then { redirect 192.0.2.1:100; } }'
    'flow route { match { destination 10.70.0.5/32; } then { rate-limit 1000; redirect 65000:1; } }'
    'flow route { match { destination 10.70.0.6/32; } then { redirect 192.0.2.9; } }'
    'flow route { match { destination 2001:db8:70::/48; flow-label 1234; } then { discard; } }'
)
# RFC 8956 §3.1 sends bits 16..40 of the source: 02 28 10 0d b8 aa, then
# next-header udp 03 81 11. A pre-RFC reader takes 40/8 = 5 octets from
# bit 0 instead (0d b8 aa 03 81): db8:aa03:8100::/40, the next header gone.
MISREAD='flow route { match { destination 2001:db8:71::/48; source 0:db8:aa00::/40/16; next-header udp; } then { discard; } }'
MISREAD_FRR='Source Address db8:aa03:8100::/40/off 16'
# RFC 8956 §3.8, first example: 01 20 20 01 0d b8 02 68 40 12 34 56 78 9a
# 03 81 06.
RFC_OFF=$RFC8956_OFF64

# bgpd drops privileges to frr unless -S; its files must be reachable.
mkdir -p "$WORK/frr"
chmod 755 "$WORK" "$WORK/frr"
cat >"$WORK/frr/bgpd.conf" <<EOF
frr defaults traditional
hostname flowspecd-test
router bgp 65100
 bgp router-id $FRR
 no bgp default ipv4-unicast
 neighbor $FSD remote-as 65100
 neighbor $FSD passive
 address-family ipv4 flowspec
  neighbor $FSD activate
 exit-address-family
 address-family ipv6 flowspec
  neighbor $FSD activate
 exit-address-family
exit
EOF

vty() { "$VTYSH" --vty_socket "$WORK/frr" -d bgpd -c "$1" 2>>"$WORK/vtysh.log"; }
frr_state() {
    vty "show bgp neighbors $FSD json" |
        "$PYTHON" -c 'import json,sys
try: print(json.load(sys.stdin)[sys.argv[1]]["bgpState"])
except Exception: print("none")' "$FSD"
}
frr_up() { [ "$(frr_state)" = Established ]; }
frr_rules() {
    { vty "show bgp ipv4 flowspec detail" &&
        vty "show bgp ipv6 flowspec detail"; } >"$WORK/frr-table.txt"
}

# rules_json RULE…: the rules as a JSON array.
rules_json() {
    printf '%s\n' "$@" |
        "$PYTHON" -c 'import json,sys; print(json.dumps(sys.stdin.read().splitlines()))'
}
static_json=$(rules_json "$PLAIN" "$NE" "${OTHERS[@]}")
# flowspecd_conf FILE [PROFILE-LINE] (static_json: the static rules)
flowspecd_conf() {
    cat >"$1" <<EOF
{
  "router_id": "$FSD",
  "local_as": 65100,
  "control_socket": "$SOCK",
  "neighbors": [
    { "address": "$FRR", "port": 26403, "remote_as": 65100,
      "local_address": "$FSD", "hold_time": 9, "connect_retry": 1$2 }
  ],
  "static_rules": $static_json
}
EOF
}

spawn BGPD frr.log "$FRR_BGPD" -f "$WORK/frr/bgpd.conf" -i "$WORK/frr/bgpd.pid" \
    -z "$WORK/frr/zserv.api" -Z -S -n -p 26403 -l "$FRR" -P 0 \
    --vty_socket "$WORK/frr" --log stdout --log-level informational
wait_until 15 eval '[ "$(frr_state)" != none ]' || die "FRR bgpd did not come up (frr.log)"

# ---- 1. generic: FRR 8.4 cannot take != ----

flowspecd_conf "$WORK/generic.json" ""
fsd_start FSD_PID "$WORK/generic.json" flowspecd-generic.log
if wait_until 20 nbr_is "$FRR" last_error.code 3; then
    err="$(nbr "$FRR" last_error.direction) $(nbr "$FRR" last_error.code)/$(nbr "$FRR" last_error.subcode)"
    check generic-gets-3-9 "last error: $err" [ "$err" = "received 3/9" ]
else
    fail generic-gets-3-9 "no NOTIFICATION 3 from FRR in 20 s: state $(nbr "$FRR" state), last error $(nbr "$FRR" last_error)"
fi
fsd_stop "$FSD_PID" "$WORK/flowspecd-generic.log"
wait_until 15 eval '! frr_up' || fail frr-down "FRR still Established after flowspecd stopped"

# ---- 2. generic: FRR 8.4 reads the pre-RFC 8956 IPv6 prefix layout ----

static_json=$(rules_json "$MISREAD")
flowspecd_conf "$WORK/offset.json" ""
fsd_start FSD_PID "$WORK/offset.json" flowspecd-offset.log
misread() { frr_rules && grep -qF "$MISREAD_FRR" "$WORK/frr-table.txt"; }
if wait_until 20 eval 'fsd_established "$FRR" && frr_up' && wait_until 10 misread; then
    check offset-misread "FRR shows $(grep -A3 '2001:db8:71::' "$WORK/frr-table.txt" | tr '\n\t' '; ')" \
        eval '! grep -q "IP Protocol" "$WORK/frr-table.txt"'
else
    fail offset-misread "FRR does not show '$MISREAD_FRR': $(grep -E 'Address|Protocol' "$WORK/frr-table.txt" | tr '\n\t' '; ')"
fi
ctl announce "$RFC_OFF" >>"$WORK/ctl.log" 2>&1 || fail offset-announce "flowspecctl announce failed"
if wait_until 10 nbr_is "$FRR" last_error.code 3; then
    err="$(nbr "$FRR" last_error.direction) $(nbr "$FRR" last_error.code)/$(nbr "$FRR" last_error.subcode)"
    check offset-rfc-example-3-9 "last error: $err" [ "$err" = "received 3/9" ]
else
    fail offset-rfc-example-3-9 "no NOTIFICATION 3 from FRR in 10 s: state $(nbr "$FRR" state), last error $(nbr "$FRR" last_error)"
fi
fsd_stop "$FSD_PID" "$WORK/flowspecd-offset.log"
wait_until 15 eval '! frr_up' || fail frr-down "FRR still Established after flowspecd stopped"

# ---- 3. profile frr: rewritten, offsets refused, the session stays up ----

static_json=$(rules_json "$PLAIN" "$NE" "${OTHERS[@]}" "$MISREAD" "$RFC_OFF")
flowspecd_conf "$WORK/frr.json" ', "profile": "frr"'
fsd_start FSD_PID "$WORK/frr.json" flowspecd-frr.log
if wait_until 30 eval 'fsd_established "$FRR" && frr_up'; then
    pass frr-profile-established
else
    die "session with FRR not up: flowspecd $(nbr "$FRR" state), FRR $(frr_state)" frr-profile-established
fi
has_all() {
    local i
    frr_rules || return 1
    for i in 1 2 3 4 5 6; do
        grep -q "Destination Address 10.70.0.$i/32" "$WORK/frr-table.txt" ||
            return 1
    done
    grep -q 'Destination Address 2001:db8:70::/48' "$WORK/frr-table.txt"
}
wait_until 15 has_all
check frr-has-every-rule "FRR's table: $(grep -c 'Destination Address' "$WORK/frr-table.txt") of 7 rules: $(grep 'Destination Address' "$WORK/frr-table.txt" | tr '\n' ';')" has_all
check frr-flow-label "FRR shows no flow label 1234" \
    grep -Eq 'Flow Label.*1234' "$WORK/frr-table.txt"
check frr-redirect-ip "FRR shows no redirect IP 192.0.2.9: $(grep -i 'redirect' "$WORK/frr-table.txt" | tr '\n' ';')" \
    grep -Eq 'redirect IP 192\.0\.2\.9|NH 192\.0\.2\.9' "$WORK/frr-table.txt"
# FRR prints a port list as "Destination Port < 80 , > 80".
check frr-shows-lt-gt "FRR shows $(grep 'Destination Port' "$WORK/frr-table.txt")" \
    grep -Eq 'Destination Port +< ?80 *, *> ?80' "$WORK/frr-table.txt"
# The offset rules: refused for FRR, with the reason; FRR has neither.
check frr-offset-refused-count "rules_refused $(nbr "$FRR" rules_refused), not 2" \
    nbr_is "$FRR" rules_refused 2
offset_refused frr-offset-adj-rib-out "$FRR" frr \
    16 "flow route { match { destination 2001:db8:71::/48; source 0:db8:aa00::/40/16;" \
    64 "${RFC_OFF%% next-header*}"
check frr-offset-not-sent "FRR holds an offset rule: $(grep -E 'Address (2001:db8::/32|2001:db8:71::|db8:aa03)' "$WORK/frr-table.txt" | tr '\n\t' '; ')" \
    eval '! grep -qE "Address (2001:db8::/32|2001:db8:71::/48|db8:aa03)" "$WORK/frr-table.txt"'
# Longer than it takes FRR to answer an UPDATE (well under a second).
sleep 3
check frr-stays-up "established_count $(nbr "$FRR" established_count), last error $(nbr "$FRR" last_error.code)" \
    eval 'fsd_established "$FRR" && nbr_is "$FRR" established_count 1 && [ -z "$(nbr "$FRR" last_error.code)" ]'
fsd_stop "$FSD_PID" "$WORK/flowspecd-frr.log"
finish
