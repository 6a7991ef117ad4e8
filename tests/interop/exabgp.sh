#!/usr/bin/env bash
# flowspecd -> ExaBGP 4.2 on loopback, both directions at once, one ExaBGP
# with two neighbors (AS 65002, eBGP, both to flowspecd 127.0.0.31):
#   A: ExaBGP 127.0.0.32 listens on 127.0.0.32:22179 (passive), flowspecd
#      connects to it;
#   B: ExaBGP 127.0.0.33 connects to flowspecd's listener 127.0.0.31:22180.
# ExaBGP hands every UPDATE to its API process as JSON ("receive { parsed;
# update; }"); the table each session holds is replayed from those and
# compared rule by rule with exabgp-rules.txt (25 static rules, 25 from
# flowspecctl, 10 IPv6; ExaBGP's text of each written by hand). Then
# RFC 8956 §3.8's IPv6 prefix offset examples (A, generic, gets them and
# ExaBGP drops them silently: it reads the pre-RFC layout; B has
# "profile": "exabgp", which refuses them), withdraws, a ROUTE-REFRESH
# from ExaBGP (API "announce route-refresh": the IPv4 table is sent
# again), and a clean exit.
# Not here (ExaBGP 4.2 resets the session on them, see exabgp-rules.txt):
# the 4-octet-AS redirect 0x8208 and IPv6 extended communities
# (attribute 25); gobgp.sh and pcap_own.sh cover those.
#
# Ports: 22179 (ExaBGP A), 22180 (flowspecd).
# Usage: FLOWSPECD_BIN=/abs/build/bin tests/interop/exabgp.sh
TEST=exabgp
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

need "$EXABGP" "$PYTHON" ss
ports_free 22179 22180

FSD=127.0.0.31
A=127.0.0.32
B=127.0.0.33
SOCK=$WORK/fsd.sock
RX=$WORK/received.json          # ExaBGP's JSON, both sessions
CMDS=$WORK/commands.txt         # API commands to ExaBGP
: >"$RX"
: >"$CMDS"

RULES_FILE=$INTEROP_DIR/exabgp-rules.txt
mapfile -t RULES < <(rules_field "$RULES_FILE" 1)
((${#RULES[@]} == 50)) || die "exabgp-rules.txt has ${#RULES[@]} rules, not 50"
paste -d '|' <(rules_field "$RULES_FILE" 2) <(rules_field "$RULES_FILE" 3) |
    sed 's/|/ | /' >"$WORK/expected.txt"
STATIC=("${RULES[@]:0:25}")
ANNOUNCED=("${RULES[@]:25}")

# ---- configs ----

cat >"$WORK/exabgp.conf" <<EOF
process api {
    run $PYTHON $INTEROP_PY exabgp-api $RX $CMDS;
    encoder json;
}
template {
    neighbor flowspecd {
        local-as 65002;
        peer-as 65100;
        hold-time 9;
        capability { route-refresh; }
        family { ipv4 flow; ipv6 flow; }
        api { processes [ api ]; receive { parsed; update; } }
    }
}
neighbor $FSD {
    inherit flowspecd;
    router-id $A;
    local-address $A;
    passive;
    listen 22179;
}
neighbor $FSD {
    inherit flowspecd;
    router-id $B;
    local-address $B;
    connect 22180;
}
EOF

static_json=$(printf '%s\n' "${STATIC[@]}" |
    "$PYTHON" -c 'import json,sys; print(json.dumps(sys.stdin.read().splitlines(), indent=2))')
cat >"$WORK/flowspecd.json" <<EOF
{
  "router_id": "$FSD",
  "local_as": 65100,
  "listen": "$FSD:22180",
  "control_socket": "$SOCK",
  "neighbors": [
    { "address": "$A", "port": 22179, "remote_as": 65002,
      "local_address": "$FSD", "hold_time": 9, "connect_retry": 1,
      "description": "ExaBGP A (we connect)" },
    { "address": "$B", "remote_as": 65002, "passive": true,
      "hold_time": 9, "description": "ExaBGP B (it connects)",
      "profile": "exabgp" }
  ],
  "static_rules": $static_json
}
EOF

# ---- helpers ----

exa_count() { "$PYTHON" "$INTEROP_PY" exabgp-count "$RX" "$1" "$2"; }
# table_is PEER EXPECTED: the table ExaBGP's session PEER holds (replayed
# into $WORK/table-PEER.txt) equals EXPECTED.
table_is() {
    "$PYTHON" "$INTEROP_PY" exabgp-table "$RX" "$1" >"$WORK/table-$1.txt"
    same_table "$2" "$WORK/table-$1.txt"
}
table_check() { # table_check CHECK PEER EXPECTED
    wait_until 20 table_is "$2" "$3"
    compare "$1" "$3" "$WORK/table-$2.txt"
}
exabgp_up() { alive "$EXA_PID" && ss -Hltn "( sport = :22179 )" | grep -q "$A:22179"; }

# ---- start ----

spawn EXA_PID exabgp.log env \
    exabgp.tcp.bind= exabgp.tcp.port=22179 \
    exabgp.daemon.user="$(id -un)" exabgp.daemon.drop=false \
    exabgp.daemon.daemonize=false exabgp.api.cli=false exabgp.api.ack=false \
    exabgp.log.destination=stdout \
    "$EXABGP" "$WORK/exabgp.conf"
wait_until 30 exabgp_up || die "ExaBGP did not listen on $A:22179 (exabgp.log)"
fsd_start FSD_PID "$WORK/flowspecd.json" flowspecd.log

# Established both ways, and End-of-RIB for both families on each.
if wait_until 30 eval 'fsd_established "$A" && fsd_established "$B" &&
        [ "$(exa_count "$A" eor)" -ge 2 ] && [ "$(exa_count "$B" eor)" -ge 2 ]'; then
    pass established
else
    die "sessions: A $(nbr "$A" state), B $(nbr "$B" state); End-of-RIB A $(exa_count "$A" eor), B $(exa_count "$B" eor)" established
fi

bad=0
for r in "${ANNOUNCED[@]}"; do
    ctl announce "$r" >>"$WORK/ctl.log" 2>&1 || {
        bad=$((bad + 1))
        echo "refused: $r" >>"$WORK/ctl.log"
    }
done
check announce "$bad of 25 announces refused (ctl.log)" [ "$bad" -eq 0 ]

# ---- the 50 rules, rule by rule ----

table_check rules-we-connect "$A" "$WORK/expected.txt"
table_check rules-they-connect "$B" "$WORK/expected.txt"
v6=$(grep -c '^flow destination-ipv6\|^flow flow-label' "$WORK/table-$A.txt")
check ipv6-rules "ExaBGP holds $v6 IPv6 rules, not 10" [ "$v6" -eq 10 ]

# ---- RFC 8956 IPv6 prefix offsets: sent to A (generic), not to B ----
# RFC 8956 §3.8's two examples. ExaBGP 4.2 reads IPv6 prefixes in the
# pre-RFC layout (flow.py IPrefix6: CIDR.size(mask) octets from bit 0):
# A gets the UPDATE, drops the NLRI without a word (its API shows the
# attributes alone) and keeps the session; their withdraws come out of
# its API as an IPv6 Flowspec End-of-RIB (an MP_UNREACH with no NLRI it
# can read). B's profile (exabgp) refuses them, so B gets no UPDATE.
OFF1=$RFC8956_OFF64
OFF2=$RFC8956_OFF65
upd_a=$(nbr "$A" updates_out)
upd_b=$(nbr "$B" updates_out)
rx_lines=$(wc -l <"$RX")
ctl announce "$OFF1" >>"$WORK/ctl.log" 2>&1 && ctl announce "$OFF2" >>"$WORK/ctl.log" 2>&1 ||
    fail offset-announce "flowspecctl announce failed (ctl.log)"
# A's UPDATEs reach ExaBGP (its API prints them) but add no rule.
if wait_until 10 eval '[ "$(nbr "$A" updates_out)" -ge $((upd_a + 2)) ] &&
        [ "$(wc -l <"$RX")" -ge $((rx_lines + 2)) ]'; then
    table_check offset-generic-dropped "$A" "$WORK/expected.txt"
else
    fail offset-generic-dropped "A: updates_out $upd_a -> $(nbr "$A" updates_out), ExaBGP's API lines $rx_lines -> $(wc -l <"$RX")"
fi
check offset-exabgp-not-sent "B: updates_out $upd_b -> $(nbr "$B" updates_out)" \
    nbr_is "$B" updates_out "$upd_b"
check offset-exabgp-refused-count "B rules_refused $(nbr "$B" rules_refused), not 2" \
    nbr_is "$B" rules_refused 2
offset_refused offset-exabgp-adj-rib-out "$B" exabgp \
    64 "${OFF1%% next-header*}" 65 "${OFF2%% \} then*}"
for r in "$OFF1" "$OFF2"; do
    ctl withdraw "${r%% then *} }" >>"$WORK/ctl.log" 2>&1 || fail offset-withdraw "flowspecctl withdraw failed"
done
check offset-exabgp-refused-gone "B rules_refused $(nbr "$B" rules_refused), not 0" \
    nbr_is "$B" rules_refused 0

# ---- withdraws: 2 static and 3 announced rules, IPv4 and IPv6 ----

WITHDRAW=(2 15 24 33 46)
cp "$WORK/expected.txt" "$WORK/expected-w.txt"
bad=0
before=$(exa_count "$A" withdraw)
for i in "${WITHDRAW[@]}"; do
    r=${RULES[i - 1]}
    key=$(rules_field "$RULES_FILE" 2 | sed -n "${i}p")
    grep -vF "$key |" "$WORK/expected-w.txt" >"$WORK/tmp" &&
        mv "$WORK/tmp" "$WORK/expected-w.txt"
    ctl withdraw "${r%% then *} }" >>"$WORK/ctl.log" 2>&1 ||
        bad=$((bad + 1))
done
check withdraw-command "$bad withdraws refused (ctl.log)" [ "$bad" -eq 0 ]
table_check withdraw-we-connect "$A" "$WORK/expected-w.txt"
table_check withdraw-they-connect "$B" "$WORK/expected-w.txt"
got=$(($(exa_count "$A" withdraw) - before))
check withdraw-count "ExaBGP A got $got withdrawn NLRIs, not 5" [ "$got" -eq 5 ]

# ---- ROUTE-REFRESH from ExaBGP A for IPv4: the IPv4 table again ----

v4=$(grep -c '^flow destination-ipv4\|^flow source-ipv4' "$WORK/expected-w.txt")
ann=$(exa_count "$A" announce)
msgs_in=$(nbr "$A" messages_in)
echo "neighbor $FSD local-ip $A announce route-refresh ipv4 flow" >>"$CMDS"
if wait_until 15 eval '[ "$(exa_count "$A" announce)" -ge $((ann + v4)) ]'; then
    sleep 1     # anything more would be a bug: give it the time to show
    got=$(($(exa_count "$A" announce) - ann))
    check route-refresh "ExaBGP A got $got NLRIs again, not the $v4 IPv4 rules" \
        [ "$got" -eq "$v4" ]
else
    fail route-refresh "ExaBGP A got $(($(exa_count "$A" announce) - ann)) of $v4 NLRIs again (messages_in $msgs_in -> $(nbr "$A" messages_in))"
fi
check route-refresh-logged "no 'route refresh for AFI 1' line for $A" \
    grep -q "peer $A: route refresh for AFI 1" "$WORK/flowspecd.log"
table_check route-refresh-table "$A" "$WORK/expected-w.txt"

# Both sessions stayed up the whole time.
check no-flap "established_count A $(nbr "$A" established_count), B $(nbr "$B" established_count)" \
    [ "$(nbr "$A" established_count)$(nbr "$B" established_count)" = 11 ]

# ---- shutdown ----

fsd_stop "$FSD_PID" "$WORK/flowspecd.log"

finish
