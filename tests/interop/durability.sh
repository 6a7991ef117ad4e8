#!/usr/bin/env bash
# Restart durability (issue 4): the state file brings back every claim
# that had not expired, with its remaining lifetime, after a kill -9.
#   1. flowspecd (state_file, audit_log, never_filter 10.99.0.1/32) peers
#      with GoBGP (no graceful restart: everything must be sent again);
#      `flowspecctl batch` announces 1,000 rules with TTLs:
#        A  200 rules, ttl 4     (expire while the daemon is down)
#        B  300 rules, ttl 25    (come back, then expire at the receiver)
#        C  500 rules, ttl 3600  (come back and stay)
#      plus one rule for 10.99.0.0/24, which never_filter refuses;
#      GoBGP holds exactly the 1,000; the audit log has every command.
#   2. Once the state file holds them, kill -9; GoBGP drops the session
#      and the rules.
#   3. Restart after the A rules' TTL: GoBGP ends with exactly B and C,
#      and no A rule shows up on the way; show flow gives the remaining
#      lifetimes (not the full TTLs again).
#   4. When the B rules' TTL passes, GoBGP ends with exactly C.
# Expected tables are GoBGP's own text for each rule (interop.py
# gobgp-table), written here from the rule's values.
#
# Addresses 127.0.0.120 (flowspecd), 127.0.0.121 (GoBGP); ports 26200
# (gobgpd), 26201 (GoBGP API).
# Usage: FLOWSPECD_BIN=/abs/build/bin tests/interop/durability.sh
TEST=durability
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

need "$GOBGPD" "$GOBGP" "$PYTHON" ss
ports_free 26200 26201

FSD=127.0.0.120
GO=127.0.0.121 GO_API=26201
SOCK=$WORK/fsd.sock
STATE=$WORK/state.json
AUDIT=$WORK/audit.log
TTL_A=4 TTL_B=25 TTL_C=3600

cat >"$WORK/flowspecd.json" <<EOF
{
  "router_id": "$FSD",
  "local_as": 65100,
  "control_socket": "$SOCK",
  "state_file": "$STATE",
  "audit_log": "$AUDIT",
  "never_filter": ["10.99.0.1/32"],
  "neighbors": [
    { "address": "$GO", "port": 26200, "remote_as": 65001,
      "local_address": "$FSD", "hold_time": 9, "connect_retry": 1 }
  ]
}
EOF
cat >"$WORK/gobgp.toml" <<EOF
[global.config]
  as = 65001
  router-id = "$GO"
  port = 26200
  local-address-list = ["$GO"]
$(gobgp_neighbor_toml "$FSD" 65100 "$GO" "" \
    "    idle-hold-time-after-reset = 1")
EOF

# The commands and GoBGP's text for each group: rule i of a group is
# destination 10.GROUP.(i/256).(i%256)/32, TCP, discard.
: >"$WORK/batch.txt"
for g in A B C; do : >"$WORK/expected-$g.txt"; done
add_group() { # add_group NAME OCTET COUNT TTL
    local name=$1 octet=$2 n=$3 ttl=$4 i dst
    for ((i = 0; i < n; i++)); do
        dst="10.$octet.$((i / 256)).$((i % 256))/32"
        echo "announce flow route { match { destination $dst; protocol tcp; } then { discard; } } ttl $ttl comment \"durability $name\"" >>"$WORK/batch.txt"
        echo "[destination: $dst][protocol: ==tcp] | rate:0:0" >>"$WORK/expected-$name.txt"
    done
}
add_group A 61 200 $TTL_A
add_group B 62 300 $TTL_B
add_group C 63 500 $TTL_C
echo 'announce flow route { match { destination 10.99.0.0/24; } then { discard; } } ttl 3600' >>"$WORK/batch.txt"
sort "$WORK"/expected-{A,B,C}.txt >"$WORK/expected-all.txt"
sort "$WORK"/expected-{B,C}.txt >"$WORK/expected-bc.txt"
sort "$WORK/expected-C.txt" >"$WORK/expected-c.txt"

table_is() { gobgp_table "$GO" "$GO_API" >"$WORK/table.txt" && same_table "$1" "$WORK/table.txt"; }
table_count() { gobgp_table "$GO" "$GO_API" | wc -l; }

# ---- 1. 1,000 rules through flowspecctl batch ----

gobgpd_start GO_PID "$WORK/gobgp.toml" "$GO" "$GO_API" gobgpd.log
fsd_start FSD_PID "$WORK/flowspecd.json" flowspecd-1.log
wait_until 20 gobgp_established "$GO" "$GO_API" "$FSD" ||
    die "GoBGP never reached Established with flowspecd" session-up
t0=$SECONDS
"$FLOWSPECCTL" -s "$SOCK" batch "$WORK/batch.txt" >"$WORK/batch.out" 2>"$WORK/batch.err"
rc=$?
check batch-refuses-protected "batch: status $rc, errors: $(cat "$WORK/batch.err")" \
    eval '[ "$rc" -ne 0 ] && [ "$(wc -l <"$WORK/batch.err")" -eq 1 ] &&
          grep -q "^error: line 1001: refused: destination 10.99.0.0/24 covers never_filter prefix 10.99.0.1/32$" "$WORK/batch.err"'
check batch-added "not 1000 'added' replies: $(grep -vc '^added id' "$WORK/batch.out") other lines" \
    eval '[ "$(grep -c "^added id [0-9]*: flow route" "$WORK/batch.out")" -eq 1000 ]'
if wait_until 20 table_is "$WORK/expected-all.txt"; then
    pass receiver-has-1000
else
    compare receiver-has-1000 "$WORK/expected-all.txt" "$WORK/table.txt"
fi
check never-filter-not-sent "GoBGP has a rule for 10.99.0.0/24" \
    eval '! grep -q "10\.99\." "$WORK/table.txt"'
check audit-log "the audit log has not 1001 lines, 1000 ok, one refusal" \
    "$PYTHON" - "$AUDIT" <<'EOF'
import json, sys
lines = [json.loads(l) for l in open(sys.argv[1])]
ok = [l for l in lines if l["ok"] and l["command"].startswith("announce ")
      and l["result"].startswith("added id ") and l["client"].startswith("uid ")]
bad = [l for l in lines if not l["ok"] and "never_filter" in l["result"]]
sys.exit(0 if len(lines) == 1001 and len(ok) == 1000 and len(bad) == 1 else 1)
EOF

# ---- 2. kill -9 once the state file has them ----

state_has() { grep -q "^{\"end\":$1}\$" "$STATE" 2>/dev/null; }
wait_until 10 state_has 1000 || fail state-written "the state file has not the 1000 claims"
kill -KILL "$FSD_PID"
wait "$FSD_PID" 2>/dev/null
forget "$FSD_PID"
wait_until 20 eval '[ "$(table_count)" -eq 0 ]' ||
    fail receiver-dropped "GoBGP kept $(table_count) rules after the session went down"

# ---- 3. restart after the A rules' TTL ----

while ((SECONDS - t0 <= TTL_A + 1)); do sleep 0.2; done
fsd_start FSD_PID "$WORK/flowspecd.json" flowspecd-2.log
check restored "no 'state file … 800 claims restored, 200 expired' in the log" \
    grep -q "state file .*: 800 claims restored, 200 expired, 0 refused, 0 bad lines$" \
    "$WORK/flowspecd-2.log"
seen_a=""
poll_bc() {
    gobgp_table "$GO" "$GO_API" >"$WORK/table.txt"
    grep -q '10\.61\.' "$WORK/table.txt" && seen_a=yes
    same_table "$WORK/expected-bc.txt" "$WORK/table.txt"
}
if wait_until 20 poll_bc; then
    pass receiver-has-unexpired
else
    compare receiver-has-unexpired "$WORK/expected-bc.txt" "$WORK/table.txt"
fi
check no-expired-rule-back "an expired (A) rule reached GoBGP after the restart" \
    [ -z "$seen_a" ]
# Remaining lifetimes: what is left of 25 s and 3600 s, not the TTLs.
elapsed=$((SECONDS - t0))
check remaining-lifetime "show flow --json does not give the remaining lifetimes" \
    "$PYTHON" - "$elapsed" "$TTL_B" "$TTL_C" <<EOF
import json, subprocess, sys
elapsed, ttl_b, ttl_c = (int(x) for x in sys.argv[1:])
out = subprocess.run(["$FLOWSPECCTL", "-s", "$SOCK", "show", "flow", "--json"],
                     capture_output=True, text=True, check=True).stdout
rules = json.loads(out.splitlines()[0])["rules"]
b = [r["expires_in"] for r in rules if "10.62." in r["rule"]]
c = [r["expires_in"] for r in rules if "10.63." in r["rule"]]
okb = len(b) == 300 and all(0 < x <= ttl_b - elapsed + 2 for x in b)
okc = len(c) == 500 and all(ttl_c - elapsed - 3 <= x <= ttl_c - elapsed + 2 for x in c)
comments = {r["comment"] for r in rules}
sys.exit(0 if okb and okc and comments == {"durability B", "durability C"} else 1)
EOF

# ---- 4. the B rules expire at the receiver ----

if wait_until $((TTL_B + 10)) table_is "$WORK/expected-c.txt"; then
    pass receiver-withdrawn-expired
else
    compare receiver-withdrawn-expired "$WORK/expected-c.txt" "$WORK/table.txt"
fi
check expired-after-ttl "the B rules went before their TTL ($((SECONDS - t0)) s)" \
    [ $((SECONDS - t0)) -ge "$TTL_B" ]
fsd_stop "$FSD_PID" "$WORK/flowspecd-2.log"
# SIGTERM writes what was pending: the 500 C claims.
check state-on-exit "the state file has not the 500 claims after exit" state_has 500
finish
