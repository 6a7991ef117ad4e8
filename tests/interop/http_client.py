#!/usr/bin/env python3
"""HTTP client side of tests/interop/http.sh and tests/bench/bench_http.sh
(standard library only).

Environment: API (base URL, e.g. http://127.0.0.130:26300), TOKEN (the
bearer token; unset or empty: no Authorization header), AUTH (a raw
Authorization header value, overrides TOKEN), CAFILE (CA certificate for
https; unset: the system's trust store).

  call METHOD PATH [BODY]    one request; prints "STATUS BODY" (body on
                             one line); exit 0 even for 4xx/5xx, 1 when
                             no HTTP answer came (the error on stderr)
  body PATH                  GET PATH; prints the body as it is (exit 1
                             unless the status is 200)
  get FIELD                  JSON on stdin; prints the value at the dotted
                             path (a.b.0.c): strings bare, null empty,
                             anything else as JSON; "len(a.b)" for a length
  to-object RULE [KEY=JSON…] a POST body with RULE (the text syntax) as a
                             rule object; KEY=JSON adds request keys
  concurrent THREADS EACH PREFIX
                             THREADS threads, each on its own keep-alive
                             connection, POST EACH distinct rules
                             (destination PREFIX.T.N/32); prints the
                             statuses counted ("201=200") and the ids
                             (one per line) to the file in $IDS_FILE
  delete-ids THREADS FILE    DELETE /api/v1/rules/ID for each id of FILE
                             from THREADS threads; prints status counts
  oversize PATH OCTETS       POST a body of OCTETS octets with its
                             Content-Length; prints the status read back
                             after the whole body was sent
  metrics-lint               Prometheus text (format 0.0.4) on stdin:
                             every sample's family has # HELP and # TYPE
                             before it, names and labels are well formed,
                             values are numbers, counters end in _total;
                             prints the problems, exit 1 when any
  metric NAME{LABELS}        Prometheus text on stdin; prints the value of
                             the sample with exactly this name and labels
  same-neighbors A B         two `show neighbor --json` objects (files)
                             agree on every key but the clocks and the
                             message counters (which move on their own)
  bench N CONNS OCTET        POST N rules over CONNS keep-alive connections
                             (text form, destination OCTET.x.y.z/32);
                             prints "N rules in S s: R rules/s"
  fingerprint                the SHA-256 fingerprint of the certificate
                             the https server at API sends (not verified),
                             as `openssl x509 -fingerprint -sha256` shows it
  across PATH CMD…           one keep-alive connection: GET PATH with
                             TOKEN, run CMD (its output on stderr), GET
                             PATH with NEW_TOKEN, then with TOKEN again;
                             prints the three statuses and "same" when
                             all went over the first connection ("200 200
                             401 same"); exit 1 when CMD failed
"""
import hashlib
import http.client
import json
import os
import re
import socket
import ssl
import subprocess
import sys
import threading
import time
import urllib.parse


def connection(timeout=30):
    url = urllib.parse.urlsplit(os.environ["API"])
    if url.scheme == "https":
        ctx = ssl.create_default_context(cafile=os.environ.get("CAFILE") or None)
        return http.client.HTTPSConnection(url.hostname, url.port,
                                           timeout=timeout, context=ctx)
    return http.client.HTTPConnection(url.hostname, url.port, timeout=timeout)


def headers(body):
    h = {}
    auth = os.environ.get("AUTH")
    token = os.environ.get("TOKEN")
    if auth is not None:
        h["Authorization"] = auth
    elif token:
        h["Authorization"] = "Bearer " + token
    if body is not None:
        h["Content-Type"] = "application/json"
    return h


def request(conn, method, path, body=None):
    data = body.encode() if isinstance(body, str) else body
    conn.request(method, path, body=data, headers=headers(data))
    resp = conn.getresponse()
    return resp.status, resp.read().decode("utf-8", "replace")


def cmd_call(method, path, body=None):
    conn = connection()
    try:
        status, text = request(conn, method, path, body)
    except (OSError, http.client.HTTPException) as e:
        print(f"no answer: {e!r}", file=sys.stderr)
        return 1
    print(status, text.replace("\n", " ").strip())
    return 0


def cmd_body(path):
    status, text = request(connection(), "GET", path)
    sys.stdout.write(text)
    return 0 if status == 200 else 1


def lookup(value, path):
    for part in path.split(".") if path else []:
        if isinstance(value, list):
            value = value[int(part)]
        else:
            value = value[part]
    return value


def cmd_get(path):
    value = json.load(sys.stdin)
    m = re.fullmatch(r"len\((.*)\)", path)
    if m:
        print(len(lookup(value, m.group(1))))
        return 0
    value = lookup(value, path)
    if value is None:
        print("")
    elif isinstance(value, str):
        print(value)
    else:
        print(json.dumps(value, sort_keys=True))
    return 0


def rule_object(text):
    """The object form (bgpd/control/http.h) of a rule in the text syntax."""
    m = re.fullmatch(r"\s*flow route\s*(ipv4|ipv6)?\s*\{\s*match\s*\{(.*?)\}"
                     r"\s*(?:then\s*\{(.*?)\}\s*)?\}\s*", text)
    if not m:
        raise SystemExit(f"to-object: not a rule: {text}")
    obj = {}
    if m.group(1):
        obj["family"] = m.group(1)
    for name, body in (("match", m.group(2)), ("then", m.group(3))):
        if body is None:
            continue
        section = {}
        for stmt in body.split(";"):
            stmt = stmt.strip()
            if not stmt:
                continue
            key, _, value = stmt.partition(" ")
            value = value.strip()
            if not value:
                section[key] = True
            elif value.startswith("[") and value.endswith("]"):
                section[key] = value[1:-1].split()
            elif re.fullmatch(r"[0-9]+", value):
                section[key] = int(value)
            else:
                section[key] = value
        obj[name] = section
    return obj


def cmd_to_object(text, *extra):
    body = {"rule": rule_object(text)}
    for kv in extra:
        key, _, value = kv.partition("=")
        body[key] = json.loads(value)
    print(json.dumps(body))
    return 0


def count(statuses):
    out = {}
    for s in statuses:
        out[s] = out.get(s, 0) + 1
    return " ".join(f"{k}={out[k]}" for k in sorted(out, key=str))


def cmd_concurrent(threads, each, prefix):
    threads, each = int(threads), int(each)
    statuses, ids, lock = [], [], threading.Lock()

    def worker(t):
        conn = connection()
        for n in range(each):
            rule = (f"flow route {{ match {{ destination {prefix}.{t}.{n}/32; "
                    f"protocol udp; }} then {{ discard; }} }}")
            try:
                status, text = request(conn, "POST", "/api/v1/rules",
                                       json.dumps({"rule": rule}))
                rid = json.loads(text).get("id") if status == 201 else None
            except (OSError, http.client.HTTPException, ValueError) as e:
                status, rid = f"error:{type(e).__name__}", None
                conn.close()
                conn = connection()
            with lock:
                statuses.append(status)
                if rid:
                    ids.append(rid)
        conn.close()

    run_threads(threads, worker)
    if os.environ.get("IDS_FILE"):
        with open(os.environ["IDS_FILE"], "w") as f:
            f.write("".join(i + "\n" for i in ids))
    print(count(statuses))
    return 0


def run_threads(n, fn):
    pool = [threading.Thread(target=fn, args=(t,)) for t in range(n)]
    for t in pool:
        t.start()
    for t in pool:
        t.join(120)


def cmd_delete_ids(threads, path):
    with open(path) as f:
        ids = [line.strip() for line in f if line.strip()]
    threads = int(threads)
    statuses, lock = [], threading.Lock()

    def worker(t):
        conn = connection()
        for rid in ids[t::threads]:
            try:
                status, _ = request(conn, "DELETE", f"/api/v1/rules/{rid}")
            except (OSError, http.client.HTTPException) as e:
                status = f"error:{type(e).__name__}"
                conn.close()
                conn = connection()
            with lock:
                statuses.append(status)
        conn.close()

    run_threads(threads, worker)
    print(count(statuses))
    return 0


def cmd_oversize(path, octets):
    conn = connection()
    body = b'{"rule": "' + b"x" * (int(octets) - 12) + b'"}'
    try:
        status, _ = request(conn, "POST", path, body)
    except (OSError, http.client.HTTPException) as e:
        print(f"no answer: {e!r}")
        return 0
    print(status)
    return 0


METRIC_NAME = r"[a-zA-Z_:][a-zA-Z0-9_:]*"
LABEL = r'[a-zA-Z_][a-zA-Z0-9_]*="(?:[^"\\\n]|\\[\\"n])*"'
SAMPLE = re.compile(rf"({METRIC_NAME})(\{{(?:{LABEL}(?:,{LABEL})*)?\}})? "
                    r"(\S+)(?: -?[0-9]+)?")


def cmd_metrics_lint():
    problems, helps, types, seen = [], set(), {}, set()
    lines = sys.stdin.read().split("\n")
    if lines[-1] != "":
        problems.append("the text does not end in a newline")
    for no, line in enumerate(lines[:-1], 1):
        if line.startswith("# HELP "):
            name = line.split(" ")[2]
            if name in helps:
                problems.append(f"line {no}: second HELP for {name}")
            helps.add(name)
            continue
        if line.startswith("# TYPE "):
            parts = line.split(" ")
            if len(parts) != 4 or parts[3] not in (
                    "counter", "gauge", "histogram", "summary", "untyped"):
                problems.append(f"line {no}: bad TYPE line: {line}")
                continue
            if parts[2] in types:
                problems.append(f"line {no}: second TYPE for {parts[2]}")
            types[parts[2]] = parts[3]
            continue
        if line.startswith("#") or not line:
            problems.append(f"line {no}: unexpected line: {line!r}")
            continue
        m = SAMPLE.fullmatch(line)
        if not m:
            problems.append(f"line {no}: not a sample: {line}")
            continue
        name, labels, value = m.group(1), m.group(2) or "", m.group(3)
        if name not in types or name not in helps:
            problems.append(f"line {no}: {name} has no TYPE/HELP before it")
        elif types[name] == "counter" and not name.endswith("_total"):
            problems.append(f"line {no}: counter {name} not named *_total")
        try:
            float(value)
        except ValueError:
            problems.append(f"line {no}: value {value!r} is not a number")
        if (name, labels) in seen:
            problems.append(f"line {no}: sample repeated: {name}{labels}")
        seen.add((name, labels))
    for p in problems:
        print(p)
    return 1 if problems else 0


def cmd_metric(want):
    for line in sys.stdin.read().split("\n"):
        m = SAMPLE.fullmatch(line)
        if m and m.group(1) + (m.group(2) or "") == want:
            print(m.group(3))
            return 0
    return 1


def cmd_same_neighbors(a, b):
    moving = {"uptime", "messages_in", "messages_out", "updates_in",
              "updates_out"}
    with open(a) as f:
        na = json.load(f)["neighbors"]
    with open(b) as f:
        nb = json.load(f)["neighbors"]
    strip = lambda ns: [{k: v for k, v in n.items() if k not in moving}
                        for n in ns]
    keys = lambda ns: [list(n.keys()) for n in ns]
    if keys(na) != keys(nb) or strip(na) != strip(nb):
        print(f"differ:\n  {json.dumps(na)}\n  {json.dumps(nb)}")
        return 1
    return 0


def bench_worker(args):
    t, n, conns, octet = args
    conn = connection()
    statuses = []
    for i in range(t, n, conns):
        rule = (f"flow route {{ match {{ destination {octet}."
                f"{i >> 16 & 255}.{i >> 8 & 255}.{i & 255}/32; }} "
                f"then {{ discard; }} }}")
        statuses.append(request(conn, "POST", "/api/v1/rules",
                                json.dumps({"rule": rule}))[0])
    conn.close()
    return statuses


def cmd_bench(n, conns, octet):
    import multiprocessing
    n, conns = int(n), int(conns)
    # One process per connection: the client must not be the bottleneck.
    with multiprocessing.Pool(conns) as pool:
        t0 = time.monotonic()
        parts = pool.map(bench_worker, [(t, n, conns, octet)
                                        for t in range(conns)])
        dt = time.monotonic() - t0
    statuses = [s for p in parts for s in p]
    ok = statuses.count(201)
    print(f"{ok} of {n} rules accepted (201) in {dt:.2f} s: "
          f"{ok / dt:.0f} rules/s ({count(statuses)})")
    return 0 if ok == n else 1


def cmd_fingerprint():
    url = urllib.parse.urlsplit(os.environ["API"])
    ctx = ssl.create_default_context()
    ctx.check_hostname = False
    ctx.verify_mode = ssl.CERT_NONE
    with socket.create_connection((url.hostname, url.port), timeout=10) as raw:
        with ctx.wrap_socket(raw, server_hostname=url.hostname) as conn:
            der = conn.getpeercert(binary_form=True)
    print(":".join(f"{b:02X}" for b in hashlib.sha256(der).digest()))
    return 0


def cmd_across(path, *command):
    conn = connection()
    before = request(conn, "GET", path)[0]
    local = conn.sock.getsockname()
    rc = subprocess.run(command, stdout=sys.stderr).returncode
    old = os.environ.get("TOKEN", "")
    os.environ["TOKEN"] = os.environ["NEW_TOKEN"]
    new = request(conn, "GET", path)[0]
    os.environ["TOKEN"] = old
    again = request(conn, "GET", path)[0]
    same = conn.sock is not None and conn.sock.getsockname() == local
    print(before, new, again, "same" if same else "new")
    return 0 if rc == 0 else 1


def main(argv):
    commands = {
        "call": cmd_call, "body": cmd_body, "get": cmd_get, "to-object": cmd_to_object,
        "concurrent": cmd_concurrent, "delete-ids": cmd_delete_ids,
        "oversize": cmd_oversize, "metrics-lint": cmd_metrics_lint,
        "metric": cmd_metric, "same-neighbors": cmd_same_neighbors,
        "bench": cmd_bench, "fingerprint": cmd_fingerprint,
        "across": cmd_across,
    }
    if len(argv) < 2 or argv[1] not in commands:
        print(__doc__, file=sys.stderr)
        return 2
    return commands[argv[1]](*argv[2:])


if __name__ == "__main__":
    sys.exit(main(sys.argv))
