#!/usr/bin/env bash
# A hostile peer against flowspecd (hostile.py, raw TCP): malformed
# headers, bad OPENs, bad UPDATEs and ROUTE-REFRESHes, one case per
# connection, each from its own configured neighbor address
# (127.0.0.50 and up, passive, AS 65066) to flowspecd's listener
# 127.0.0.41:23179. For each case the NOTIFICATION code/subcode (and data
# where RFC 4271 §6 gives it) that comes back is checked, or, for the
# RFC 7606 treat-as-withdraw cases, that none comes and the session takes
# the next UPDATE. Meanwhile a well-behaved peer, gobgpd 127.0.0.42
# (flowspecd connects to 127.0.0.42:23790), must stay Established the
# whole time (never re-established) with all its rules, and flowspecd
# must keep answering and exit cleanly.
#
# Ports: 23179 (flowspecd), 23790 (gobgpd), 23050 (GoBGP API).
# Usage: FLOWSPECD_BIN=/abs/build/bin tests/interop/hostile.sh
TEST=hostile
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

need "$GOBGPD" "$GOBGP" "$PYTHON" ss
ports_free 23179 23790 23050

FSD=127.0.0.41
GO=127.0.0.42 GO_API=23050
SOCK=$WORK/fsd.sock
HOSTILE_AS=65066
HOSTILE=("$PYTHON" "$INTEROP_DIR/hostile.py")

mapfile -t CASES < <("${HOSTILE[@]}" --list | awk '{ print $1 }')
((${#CASES[@]} > 0)) || die "hostile.py --list gave no case"

# One passive neighbor per case: an error sends a neighbor into its
# back-off, which must not hold up the next case.
neighbors=""
for i in "${!CASES[@]}"; do
    neighbors+="    { \"address\": \"127.0.0.$((50 + i))\", \"remote_as\": $HOSTILE_AS,
      \"passive\": true, \"hold_time\": 9,
      \"description\": \"hostile: ${CASES[i]}\" },
"
done

cat >"$WORK/flowspecd.json" <<EOF
{
  "router_id": "$FSD",
  "local_as": 65100,
  "listen": "$FSD:23179",
  "control_socket": "$SOCK",
  "neighbors": [
$neighbors    { "address": "$GO", "port": 23790, "remote_as": 65001,
      "local_address": "$FSD", "hold_time": 9, "connect_retry": 1,
      "description": "gobgpd (well-behaved)" }
  ],
  "static_rules": [
    "flow route { match { destination 10.50.100.100/32; protocol tcp; destination-port =1234; } then { discard; } }",
    "flow route { match { destination 10.1.0.0/16; protocol udp; source-port =53; } then { rate-limit 1000; } }",
    "flow route { match { destination 10.2.0.0/16; fragment is-fragment; } then { redirect 65000:100; } }",
    "flow route { match { destination 2001:db8:1::/48; next-header tcp; } then { discard; } }"
  ]
}
EOF
cat >"$WORK/expected.txt" <<'EOF'
[destination: 10.50.100.100/32][protocol: ==tcp][destination-port: ==1234] | rate:0:0
[destination: 10.1.0.0/16][protocol: ==udp][source-port: ==53] | rate:0:1000
[destination: 10.2.0.0/16][fragment: is-fragment] | redirect:65000:100
[destination: 2001:db8:1::/48/0][protocol: ==tcp] | rate:0:0
EOF

cat >"$WORK/gobgp.toml" <<EOF
[global.config]
  as = 65001
  router-id = "$GO"
  port = 23790
  local-address-list = ["$GO"]
$(gobgp_neighbor_toml "$FSD" 65100 "$GO" "")
EOF

gobgp_ok() {
    nbr_is "$GO" state Established && nbr_is "$GO" established_count 1
}
table_is() {
    gobgp_table "$GO" "$GO_API" >"$WORK/table.txt"
    same_table "$WORK/expected.txt" "$WORK/table.txt"
}

gobgpd_start GO_PID "$WORK/gobgp.toml" "$GO" "$GO_API" gobgpd.log
fsd_start FSD_PID "$WORK/flowspecd.json" flowspecd.log
if wait_until 30 eval 'gobgp_ok && gobgp_established "$GO" "$GO_API" "$FSD" && table_is'; then
    pass gobgp-before
else
    die "the GoBGP session or its table is not there: state $(nbr "$GO" state)" gobgp-before
fi

# ---- the cases ----

for i in "${!CASES[@]}"; do
    c=${CASES[i]}
    src=127.0.0.$((50 + i))
    # Wait until flowspecd listens for this neighbor (Active).
    wait_until 10 nbr_is "$src" state Active ||
        say "note: $src is $(nbr "$src" state), not Active"
    out=$(timeout 60 "${HOSTILE[@]}" --dst "$FSD:23179" --src "$src" \
        --as "$HOSTILE_AS" --fsd-as 65100 --ctl "$FLOWSPECCTL" --sock "$SOCK" \
        "$c" 2>&1)
    rc=$?
    echo "$out" >>"$WORK/hostile.log"
    if ((rc == 0)); then
        pass "$c"
        say "$out"
    else
        fail "$c" "$(echo "$out" | tail -n 1)"
    fi
    # The daemon and the good peer after each case.
    if ! alive "$FSD_PID"; then
        fail "$c-daemon" "flowspecd died"
        break
    fi
    gobgp_ok || fail "$c-gobgp" "GoBGP session: $(nbr "$GO" state), established $(nbr "$GO" established_count) times"
done

# ---- afterwards ----

check gobgp-throughout "GoBGP session went down during the cases (established_count $(nbr "$GO" established_count))" gobgp_ok
wait_until 10 table_is
compare gobgp-table "$WORK/expected.txt" "$WORK/table.txt"

fsd_stop "$FSD_PID" "$WORK/flowspecd.log"

finish
