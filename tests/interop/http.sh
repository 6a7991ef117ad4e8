#!/usr/bin/env bash
# The HTTP JSON API against a GoBGP receiver:
#   flowspecd 127.0.0.130 (API on 127.0.0.130:26300, bearer token) connects
#   to gobgpd 127.0.0.131:26301 (AS 65001, eBGP; its API on 26302).
# - `flowspecd --check` names the http keys that are wrong (JSON path, line);
# - requests without a token, with a wrong one or another scheme get 401;
# - the 50 rules of gobgp-rules.txt are POSTed (every other one as a JSON
#   rule object, the others as text) and GoBGP must hold exactly what
#   gobgp-rules.txt says for each; a second POST of a match replaces it;
# - GET /api/v1/rules[/ID], /api/v1/neighbors (the same data as
#   `flowspecctl show neighbor --json`), /api/v1/mitigations, /metrics
#   (well-formed Prometheus text whose UPDATE count is what GoBGP counted);
# - malformed JSON and rules get 400 naming the field, and change nothing
#   (a rule for an unknown neighbor does not reach GoBGP); 413 for a body
#   over 64 KiB, read by the client after sending it;
# - DELETE /api/v1/rules/ID and POST /api/v1/rules/withdraw take rules back
#   at GoBGP; 20 concurrent clients post 200 rules and delete them again;
# - reload: a new token in the token file (the old one gets 401, a
#   connection opened before stays), a listen port in use (refused, the
#   API stays) and a free one (the API moves, the old port closes), http
#   removed (the server stops) and added again (it starts);
# - TLS: a second daemon (127.0.0.132:26303; as root it runs as nobody)
#   with a throw-away certificate made by `openssl req`: HTTPS with that
#   CA works, without it the client refuses the certificate, plain HTTP
#   gets no API answer; reload: the certificate the client sees (its
#   SHA-256 fingerprint, as `openssl x509` gives it) follows the files
#   rewritten and new paths; a new root-only key (as nobody), a missing
#   key and a key that is not the certificate's are refused, naming the
#   file, and the old certificate stays;
# - both daemons exit cleanly, without sanitizer reports.
#
# Ports: 26300 (API), 26301 (gobgpd BGP), 26302 (GoBGP API on .131; the
# API on .130 after a reload), 26303 (TLS API).
# Usage: FLOWSPECD_BIN=/abs/build/bin tests/interop/http.sh
TEST=http
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

need "$GOBGPD" "$GOBGP" "$PYTHON" ss openssl
ports_free 26300 26301 26302 26303

FSD=127.0.0.130
GO=127.0.0.131 GO_API=26302
TLSD=127.0.0.132
SOCK=$WORK/fsd.sock
HTTP_PY=$INTEROP_DIR/http_client.py
export API=http://$FSD:26300
TOKEN=$(od -An -N16 -tx1 /dev/urandom | tr -d ' \n')
export TOKEN
echo "$TOKEN" >"$WORK/token"

RULES_FILE=$INTEROP_DIR/gobgp-rules.txt
mapfile -t RULES < <(rules_field "$RULES_FILE" 1)
mapfile -t KEYS < <(rules_field "$RULES_FILE" 2)
((${#RULES[@]} == 50)) || die "gobgp-rules.txt has ${#RULES[@]} rules, not 50"
paste -d '|' <(rules_field "$RULES_FILE" 2) <(rules_field "$RULES_FILE" 3) |
    sed 's/|/ | /' >"$WORK/expected.txt"

cat >"$WORK/gobgp.toml" <<EOF
[global.config]
  as = 65001
  router-id = "$GO"
  port = 26301
  local-address-list = ["$GO"]
$(gobgp_neighbor_toml "$FSD" 65100 "$GO" "" "    idle-hold-time-after-reset = 1")
EOF
# main_conf [HTTP]: the daemon's config with this "http" object (none
# without one).
main_conf() {
    local http=${1:+,$'\n'  \"http\": $1}
    cat >"$WORK/flowspecd.json" <<EOF
{
  "router_id": "$FSD",
  "local_as": 65100,
  "control_socket": "$SOCK",
  "neighbors": [
    { "address": "$GO", "port": 26301, "remote_as": 65001,
      "local_address": "$FSD", "connect_retry": 1 }
  ]$http
}
EOF
}
# http_at ADDR:PORT: the main daemon's "http" object.
http_at() { echo "{ \"listen\": \"$1\", \"token_file\": \"$WORK/token\" }"; }
main_conf "$(http_at "$FSD:26300")"

# ---- helpers ----

# api METHOD PATH [BODY]: "STATUS BODY" (http_client.py call).
api() { "$PYTHON" "$HTTP_PY" call "$@" 2>>"$WORK/client.log"; }
# field FIELD: a value of the JSON body on stdin ("STATUS BODY" lines too).
field() { sed 's/^[0-9]* //' | "$PYTHON" "$HTTP_PY" get "$1"; }
# expect CHECK STATUS FIELD TEXT METHOD PATH [BODY]: the answer has this
# status and, for an error, names FIELD with TEXT in its message.
expect() {
    local name=$1 status=$2 fld=$3 text=$4 out
    shift 4
    out=$(api "$@")
    if [ "${out%% *}" != "$status" ]; then
        fail "$name" "want $status, got: $out"
    elif [ -n "$fld" ] && [ "$(field field <<<"$out")" != "$fld" ]; then
        fail "$name" "want field $fld, got: $out"
    elif [ -n "$text" ] && [[ "$(field error <<<"$out" 2>/dev/null)" != *"$text"* ]]; then
        fail "$name" "want an error with '$text', got: $out"
    else
        pass "$name"
    fi
}
table_is() {
    gobgp_table "$GO" "$GO_API" >"$WORK/table.txt"
    same_table "$1" "$WORK/table.txt"
}
# table_check CHECK EXPECTED: GoBGP's table becomes EXPECTED within 20 s.
table_check() {
    wait_until 20 table_is "$2"
    compare "$1" "$2" "$WORK/table.txt"
}
rule_count() { api GET /api/v1/rules | field 'len(rules)'; }
metrics() { "$PYTHON" "$HTTP_PY" body /metrics; }

# ---- --check names the http keys ----

cat >"$WORK/bad.json" <<EOF
{
  "router_id": "$FSD",
  "local_as": 65100,
  "http": {
    "listen": "$FSD:0",
    "token_file": "$WORK/no-such-token",
    "tls_cert": "$WORK/cert.pem",
    "tlskey": "x"
  }
}
EOF
out=$("$FLOWSPECD" -c "$WORK/bad.json" --check 2>&1)
rc=$?
want="$WORK/bad.json: http: missing key 'tls_key' (TLS needs both tls_cert and tls_key) (line 4)
$WORK/bad.json: http.listen: '$FSD:0' is not ADDR:PORT, [IPV6]:PORT or ADDR (line 5)
$WORK/bad.json: http.tlskey: unknown key (http has listen, token_file, tls_cert, tls_key) (line 8)"
check check-errors "exit $rc, output: $(tr '\n' ';' <<<"$out")" \
    [ "$rc" -ne 0 -a "$out" = "$want" ]
cat >"$WORK/bad2.json" <<EOF
{
  "router_id": "$FSD",
  "local_as": 65100,
  "http": {
    "listen": "$FSD:26300",
    "token_file": "$WORK/no-such-token"
  }
}
EOF
out=$("$FLOWSPECD" -c "$WORK/bad2.json" --check 2>&1)
check check-token-file "output: $out" \
    [ "$out" = "$WORK/bad2.json: http.token_file: cannot read $WORK/no-such-token: No such file or directory (line 6)" ]
out=$("$FLOWSPECD" -c "$WORK/flowspecd.json" --check 2>&1)
check check-ok "output: $out" [ "$out" = "$WORK/flowspecd.json: ok" ]

# ---- start ----

gobgpd_start GO_PID "$WORK/gobgp.toml" "$GO" "$GO_API" gobgpd.log
fsd_start FSD_PID "$WORK/flowspecd.json" flowspecd.log
wait_until 30 eval 'fsd_established "$GO" && gobgp_established "$GO" "$GO_API" "$FSD"' ||
    die "session not Established: $(nbr "$GO" state)" established
pass established

# ---- authentication ----

TOKEN= expect auth-none 401 Authorization "missing" GET /api/v1/rules
TOKEN="x$TOKEN" expect auth-wrong 401 Authorization "wrong token" GET /api/v1/rules
AUTH="Basic $TOKEN" expect auth-scheme 401 Authorization "Bearer" POST /api/v1/rules '{}'
TOKEN= expect auth-metrics 401 Authorization "" GET /metrics

# ---- 50 rules, text and object, to GoBGP ----

bad=0
for i in "${!RULES[@]}"; do
    if ((i % 2)); then
        body=$("$PYTHON" "$HTTP_PY" to-object "${RULES[i]}" 'comment="obj"')
    else
        body=$("$PYTHON" -c 'import json,sys; print(json.dumps({"rule": sys.argv[1], "ttl": 3600}))' "${RULES[i]}")
    fi
    out=$(api POST /api/v1/rules "$body")
    IDS[i]=$(field id <<<"$out" 2>/dev/null)
    [ "${out%% *}" = 201 ] || { bad=$((bad + 1)); echo "refused: $out" >>"$WORK/client.log"; }
done
check post-rules "$bad of 50 POSTs not 201 (client.log)" [ "$bad" -eq 0 ]
table_check rules-at-gobgp "$WORK/expected.txt"

out=$(api GET /api/v1/rules)
check get-rules "GET /api/v1/rules: $(head -c 300 <<<"$out")" \
    [ "${out%% *}" = 200 -a "$(field 'len(rules)' <<<"$out")" = 50 -a \
      "$(field rules.0.origin <<<"$out")" = api ]
id=$(field rules.3.id <<<"$out")
one=$(api GET "/api/v1/rules/$id")
check get-rule-id "GET /api/v1/rules/$id: $one" \
    [ "${one%% *}" = 200 -a "$(field rule <<<"$one")" = "$(field rules.3.rule <<<"$out")" ]
# A text rule was posted with ttl 3600: expires = now + expires_in.
exp=$(sed 's/^[0-9]* //' <<<"$out" | "$PYTHON" -c 'import json, sys, time
r = [x for x in json.load(sys.stdin)["rules"] if x["expires_in"] is not None][0]
print(r["expires_in"], r["expires"] - int(time.time()))')
check get-rule-expires "expires_in and expires - now: $exp" \
    eval 'set -- $exp; (($1 >= 3500 && $1 <= 3600 && $2 >= $1 - 2 && $2 <= $1 + 2))'

# A second POST of the first rule's match with other actions replaces it.
first="${RULES[0]%% then *} then { rate-limit 9000; } }"
out=$(api POST /api/v1/rules "$("$PYTHON" "$HTTP_PY" to-object "$first")")
check replace "answer: $out" \
    [ "${out%% *}" = 200 -a "$(field result <<<"$out")" = replaced ]
sed "1s/| rate:0:0$/| rate:0:9000/" "$WORK/expected.txt" >"$WORK/expected-r.txt"
table_check replace-at-gobgp "$WORK/expected-r.txt"

# ---- bad requests: 400 naming the field, nothing changed ----

R='flow route { match { destination 10.77.0.0/16; } then { discard; } }'
expect bad-json 400 body "invalid JSON" POST /api/v1/rules '{"rule": "flow route {'
expect bad-body-type 400 body "must be a JSON object" POST /api/v1/rules '["x"]'
expect bad-empty 400 body "empty" POST /api/v1/rules ''
expect bad-rule-text 400 rule "col 22: unknown component 'destinaton'" POST /api/v1/rules \
    '{"rule": "flow route { match { destinaton 10.77.0.0/16; } }"}'
expect bad-object-value 400 rule.match.destination-port "65535" POST /api/v1/rules \
    '{"rule": {"match": {"destination": "10.77.0.0/16", "destination-port": "=70000"}}}'
expect bad-object-key 400 rule.then.rate_limit "" POST /api/v1/rules \
    '{"rule": {"match": {"destination": "10.77.0.0/16"}, "then": {"rate_limit": "fast"}}}'
expect bad-key 400 tll "unknown key" POST /api/v1/rules "{\"rule\": \"$R\", \"tll\": 60}"
expect bad-ttl 400 ttl "" POST /api/v1/rules "{\"rule\": \"$R\", \"ttl\": -1}"
expect bad-neighbor 400 'neighbors[1]' "not a configured neighbor" POST /api/v1/rules \
    "{\"rule\": \"$R\", \"neighbors\": [\"$GO\", \"127.0.0.139\"]}"
expect bad-id 400 id "" DELETE /api/v1/rules/abc
expect unknown-id 404 id "" DELETE /api/v1/rules/999999
expect unknown-path 404 path "" GET /api/v1/rule
expect bad-method 405 method "" PUT /api/v1/rules "{}"
expect delete-collection 405 method "withdraw" DELETE /api/v1/rules
check bad-unchanged "the rule table has $(rule_count) rules, not 50" [ "$(rule_count)" = 50 ]
sleep 1
check bad-not-at-gobgp "GoBGP got a refused rule" \
    eval 'table_is "$WORK/expected-r.txt"'

out=$("$PYTHON" "$HTTP_PY" oversize /api/v1/rules 100000)
check oversize "a 100000-octet body: $out" [ "$out" = 413 ]
out=$(api GET /api/v1/mitigations)
check after-oversize "the next request: $out" [ "${out%% *}" = 200 ]

# ---- neighbors, mitigations, metrics ----

api GET /api/v1/neighbors | sed 's/^[0-9]* //' >"$WORK/nb-http.json"
ctl show neighbor --json >"$WORK/nb-ctl.json"
check neighbors "$("$PYTHON" "$HTTP_PY" same-neighbors "$WORK/nb-http.json" "$WORK/nb-ctl.json")" \
    "$PYTHON" "$HTTP_PY" same-neighbors "$WORK/nb-http.json" "$WORK/nb-ctl.json"
check neighbors-state "neighbors: $(head -c 200 "$WORK/nb-http.json")" \
    [ "$(field neighbors.0.state <"$WORK/nb-http.json")" = Established ]
expect mitigations 200 "" "" GET /api/v1/mitigations
check mitigations-empty "$(api GET /api/v1/mitigations)" \
    [ "$(api GET /api/v1/mitigations)" = '200 {"mitigations":[]}' ]

metrics >"$WORK/metrics.txt"
check metrics-format "$("$PYTHON" "$HTTP_PY" metrics-lint <"$WORK/metrics.txt" | head -n 3 | tr '\n' ';')" \
    "$PYTHON" "$HTTP_PY" metrics-lint <"$WORK/metrics.txt"
m() { "$PYTHON" "$HTTP_PY" metric "$1" <"$WORK/metrics.txt"; }
check metrics-session "session_up $(m "flowspecd_bgp_session_up{neighbor=\"$GO\"}")" \
    [ "$(m "flowspecd_bgp_session_up{neighbor=\"$GO\"}")" = 1 ]
check metrics-rules "api $(m 'flowspecd_rules{origin="api"}') sent $(m "flowspecd_bgp_rules_sent{neighbor=\"$GO\"}")" \
    [ "$(m 'flowspecd_rules{origin="api"}')" = 50 -a "$(m "flowspecd_bgp_rules_sent{neighbor=\"$GO\"}")" = 50 ]
check metrics-http "401s: $(m 'flowspecd_http_requests_total{code="401"}')" \
    [ "$(m 'flowspecd_http_requests_total{code="401"}')" -ge 4 ]
go_updates=$(gobgp_msgs "$GO" "$GO_API" "$FSD" received update)
check metrics-updates-gobgp "we sent $(m "flowspecd_bgp_updates_sent_total{neighbor=\"$GO\"}") UPDATEs, GoBGP counted $go_updates" \
    [ "$(m "flowspecd_bgp_updates_sent_total{neighbor=\"$GO\"}")" = "$go_updates" ]

# ---- withdraws: 5 by match (text and object), 5 by id ----

cp "$WORK/expected-r.txt" "$WORK/expected-w.txt"
drop_key() {
    grep -vF "$1 |" "$WORK/expected-w.txt" >"$WORK/tmp" && mv "$WORK/tmp" "$WORK/expected-w.txt"
}
bad=0
for i in 4 9 14 19 24; do
    r="${RULES[i]%% then *} }"
    if ((i % 2)); then
        body=$("$PYTHON" "$HTTP_PY" to-object "$r")
    else
        body=$("$PYTHON" -c 'import json,sys; print(json.dumps({"rule": sys.argv[1]}))' "$r")
    fi
    out=$(api POST /api/v1/rules/withdraw "$body")
    [ "${out%% *}" = 200 ] && [ "$(field result <<<"$out")" = withdrawn ] ||
        { bad=$((bad + 1)); echo "withdraw $r: $out" >>"$WORK/client.log"; }
    drop_key "${KEYS[i]}"
done
check withdraw-match "$bad withdraws not 200 (client.log)" [ "$bad" -eq 0 ]
bad=0
for i in 29 34 39 44 49; do
    out=$(api DELETE "/api/v1/rules/${IDS[i]}")
    [ "${out%% *}" = 204 ] || { bad=$((bad + 1)); echo "delete ${IDS[i]}: $out" >>"$WORK/client.log"; }
    drop_key "${KEYS[i]}"
done
check delete-id "$bad DELETEs not 204 (client.log)" [ "$bad" -eq 0 ]
table_check withdrawn-at-gobgp "$WORK/expected-w.txt"
check withdrawn-count "the rule table has $(rule_count) rules, not 40" [ "$(rule_count)" = 40 ]
expect withdraw-again 404 rule "no rule with this match" POST /api/v1/rules/withdraw \
    "$("$PYTHON" -c 'import json,sys; print(json.dumps({"rule": sys.argv[1]}))' "${RULES[4]%% then *} }")"

# ---- 20 concurrent clients ----

export IDS_FILE=$WORK/ids.txt
go_count() {
    gocli "$GO" "$GO_API" global rib -a ipv4-flowspec -j |
        "$PYTHON" -c 'import json,sys; print(len(json.load(sys.stdin)))'
}
before=$(go_count)
out=$("$PYTHON" "$HTTP_PY" concurrent 20 10 10.123)
check concurrent-post "statuses: $out" [ "$out" = "201=200" ]
wait_until 20 eval '[ "$(go_count)" -eq $((before + 200)) ]'
check concurrent-at-gobgp "GoBGP holds $(go_count) IPv4 rules, not $before + 200" \
    [ "$(go_count)" -eq $((before + 200)) ]
out=$("$PYTHON" "$HTTP_PY" delete-ids 20 "$IDS_FILE")
check concurrent-delete "statuses: $out" [ "$out" = "204=200" ]
table_check concurrent-withdrawn "$WORK/expected-w.txt"

# ---- reload: the token, the listen address, no http, http again ----

# A new token in the same file: a connection opened before the reload
# stays; from the reload on the old token gets 401, the new one works.
NEW_TOKEN=$(od -An -N16 -tx1 /dev/urandom | tr -d ' \n')
export NEW_TOKEN
echo "$NEW_TOKEN" >"$WORK/token"
out=$("$PYTHON" "$HTTP_PY" across /api/v1/mitigations "$FLOWSPECCTL" -s "$SOCK" reload 2>>"$WORK/client.log")
check reload-token-connection "old token, reload, new token, old token on one connection: $out" \
    [ "$out" = "200 200 401 same" ]
expect reload-token-old 401 Authorization "wrong token" GET /api/v1/rules
TOKEN=$NEW_TOKEN expect reload-token-new 200 "" "" GET /api/v1/rules
TOKEN=$NEW_TOKEN

# A port in use (GoBGP's) is refused and the API stays; a free one moves it.
main_conf "$(http_at "$GO:26301")"
out=$(ctl reload 2>&1)
check reload-listen-in-use "reload onto GoBGP's port: $out" \
    [ "$out" = "error: config applied, but not http.listen: cannot listen on $GO port 26301: Address already in use (the running HTTP API kept)" ]
expect reload-listen-kept 200 "" "" GET /api/v1/mitigations
main_conf "$(http_at "$FSD:26302")"
out=$(ctl reload 2>&1)
check reload-listen "reload to port 26302: $out" [ "$out" = reloaded ]
API=http://$FSD:26302 expect reload-listen-moved 200 "" "" GET /api/v1/mitigations
check reload-listen-old-closed "port 26300 still answers" \
    eval '! api GET /api/v1/mitigations >/dev/null 2>&1'

# No http: the server stops; http again: it starts.
main_conf ""
out=$(ctl reload 2>&1)
check reload-http-removed "reload without http: $out" [ "$out" = reloaded ]
check reload-http-stopped "port 26302 still answers" \
    eval '! API=http://$FSD:26302 api GET /api/v1/mitigations >/dev/null 2>&1'
main_conf "$(http_at "$FSD:26300")"
out=$(ctl reload 2>&1)
check reload-http-added "reload with http: $out" [ "$out" = reloaded ]
expect reload-http-started 200 "" "" GET /api/v1/mitigations
check reload-no-restart-note "the log says http needs a restart" \
    eval '! grep -q "http changed" "$WORK/flowspecd.log"'
check reload-session-kept "session state $(nbr "$GO" state) after the reloads" \
    fsd_established "$GO"

# ---- TLS with a throw-away certificate ----

# make_cert CERT KEY: a new EC key (mode 0600) and a self-signed
# certificate for $TLSD.
make_cert() {
    openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 \
        -nodes -days 1 -subj "/CN=flowspecd test" \
        -addext "subjectAltName=IP:$TLSD" -keyout "$2" -out "$1" \
        >>"$WORK/openssl.log" 2>&1 || die "openssl req failed" tls-cert
    chmod 0600 "$2"
}
# fingerprint_of CERT: as openssl shows it; served: what the API sends.
fingerprint_of() { openssl x509 -noout -fingerprint -sha256 -in "$1" | cut -d= -f2; }
served() { API=https://$TLSD:26303 "$PYTHON" "$HTTP_PY" fingerprint 2>>"$WORK/client.log"; }
# As root the TLS daemon runs as nobody: a reload must read what changed
# as nobody (the keys are root-only until given to nobody). Its first
# certificate and key are in TLS_DIR, which nobody may not even search
# at first.
TLS_RUN=$WORK
TLS_DIR=$WORK
TLS_USER=
if [ "$(id -u)" -eq 0 ]; then
    chmod 0711 "$WORK"
    TLS_RUN=$WORK/tls-run
    mkdir "$TLS_RUN" && chown nobody: "$TLS_RUN"
    TLS_DIR=$WORK/tls
    mkdir -m 0700 "$TLS_DIR"
    TLS_USER='"user": "nobody",'
fi
# tls_conf CERT KEY: the TLS daemon's config.
tls_conf() {
    cat >"$WORK/tls.json" <<EOF
{
  "router_id": "$TLSD",
  "local_as": 65100,
  "control_socket": "$TLS_RUN/tls.sock", $TLS_USER
  "http": { "listen": "$TLSD:26303", "token_file": "$WORK/token",
            "tls_cert": "$1", "tls_key": "$2" }
}
EOF
}
make_cert "$TLS_DIR/cert.pem" "$TLS_DIR/key.pem"
tls_conf "$TLS_DIR/cert.pem" "$TLS_DIR/key.pem"
SOCK_MAIN=$SOCK
SOCK=$TLS_RUN/tls.sock
fsd_start TLS_PID "$WORK/tls.json" flowspecd-tls.log
out=$(API=https://$TLSD:26303 CAFILE=$TLS_DIR/cert.pem api POST /api/v1/rules "{\"rule\": \"$R\"}")
check tls-post "over HTTPS: $out" [ "${out%% *}" = 201 ]
out=$(API=https://$TLSD:26303 CAFILE=$TLS_DIR/cert.pem TOKEN=wrong api GET /api/v1/rules)
check tls-auth "wrong token over HTTPS: $out" [ "${out%% *}" = 401 ]
check tls-verified "a client without the CA accepted the certificate" \
    eval '! API=https://$TLSD:26303 CAFILE= api GET /api/v1/rules >/dev/null'
out=$(API=http://$TLSD:26303 api GET /api/v1/rules)
check tls-no-plain "plain HTTP to the TLS port: $out" [ "${out%% *}" != 200 ]
out=$(API=https://$TLSD:26303 CAFILE=$TLS_DIR/cert.pem api GET /api/v1/rules)
check tls-get "after the plain request: $(head -c 200 <<<"$out")" \
    [ "${out%% *}" = 200 -a "$(field 'len(rules)' <<<"$out")" = 1 ]

# ---- TLS reload: the files rewritten, new paths, refused ones ----

fp1=$(fingerprint_of "$TLS_DIR/cert.pem")
check tls-fingerprint "served $(served), cert.pem is $fp1" [ "$(served)" = "$fp1" ]
out=$(ctl reload 2>&1)
check tls-reload-unchanged "a reload with the files unchanged: $out" [ "$out" = reloaded ]
if [ -n "$TLS_USER" ]; then
    check tls-reload-unseen-warned "no warning that $TLS_DIR/cert.pem cannot be checked" \
        grep -q "cannot tell whether $TLS_DIR/cert.pem changed (Permission denied)" "$WORK/flowspecd-tls.log"
    chmod 0711 "$TLS_DIR"
fi
make_cert "$TLS_DIR/cert.pem" "$TLS_DIR/key.pem"
fp2=$(fingerprint_of "$TLS_DIR/cert.pem")
if [ -n "$TLS_USER" ]; then
    out=$(ctl reload 2>&1)
    check tls-reload-unreadable "a root-only new key: $out" \
        [ "$out" = "error: config applied, but not http.tls_key: cannot read $TLS_DIR/key.pem: Permission denied (flowspecd runs as user nobody: the file must be readable by it) (the running HTTP API kept)" ]
    check tls-reload-unreadable-kept "served $(served), not the old $fp1" [ "$(served)" = "$fp1" ]
    chown nobody "$TLS_DIR/key.pem"
else
    pass tls-reload-unreadable-skipped-not-root
fi
out=$(ctl reload 2>&1)
check tls-reload-rewritten "reload: $out" [ "$out" = reloaded ]
check tls-rewritten-served "served $(served), want the new $fp2 (old $fp1)" \
    [ "$(served)" = "$fp2" -a "$fp2" != "$fp1" ]

make_cert "$WORK/cert2.pem" "$WORK/key2.pem"
[ -z "$TLS_USER" ] || chown nobody "$WORK/key2.pem"
fp3=$(fingerprint_of "$WORK/cert2.pem")
tls_conf "$WORK/cert2.pem" "$WORK/key2.pem"
out=$(ctl reload 2>&1)
check tls-reload-paths "reload: $out" [ "$out" = reloaded ]
check tls-paths-served "served $(served), want $fp3" [ "$(served)" = "$fp3" ]
out=$(API=https://$TLSD:26303 CAFILE=$WORK/cert2.pem api GET /api/v1/rules)
check tls-paths-verified "HTTPS with the new CA: $(head -c 200 <<<"$out")" [ "${out%% *}" = 200 ]

tls_conf "$WORK/cert2.pem" "$WORK/no-such-key.pem"
out=$(ctl reload 2>&1)
check tls-reload-missing-key "reload: $out" \
    eval '[[ "$out" == "error: "*"http.tls_key: cannot read $WORK/no-such-key.pem: No such file or directory"*"(running config kept)" ]]'
tls_conf "$WORK/cert2.pem" "$TLS_DIR/key.pem"
out=$(ctl reload 2>&1)
check tls-reload-wrong-key "reload: $out" \
    eval '[[ "$out" == "error: "*"http.tls_key: $TLS_DIR/key.pem does not match the certificate $WORK/cert2.pem"*"(running config kept)" ]]'
check tls-refused-kept "served $(served), want still $fp3" [ "$(served)" = "$fp3" ]
fsd_stop "$TLS_PID" "$WORK/flowspecd-tls.log"
SOCK=$SOCK_MAIN

fsd_stop "$FSD_PID" "$WORK/flowspecd.log"
finish
