#!/usr/bin/env python3
"""Python helpers of the interop tests (lib.sh calls them; stdlib only).

  nbr ADDR FIELD        stdin: `flowspecctl show neighbor --json`; prints
                        FIELD (dotted path, e.g. last_error.code) of ADDR
  gobgp-state           stdin: `gobgp neighbor ADDR -j`; prints the state
                        (idle, connect, active, opensent, openconfirm,
                        established)
  gobgp-msgs DIR KIND   stdin: `gobgp neighbor ADDR -j`; prints a message
                        counter (DIR sent/received, KIND update, refresh…)
  gobgp-table           stdin: one or more `gobgp global rib -a F -j`
                        documents; prints one line per path:
                        "KEY | ACTIONS" (see gobgp_actions), sorted
  gobgp-stale           the same input; prints "STALE TOTAL" (paths)
  gobgp-attrs           the same input; prints each distinct set of the
                        other path attributes once ("origin=… as_path=…
                        local_pref=…"), and "stale" for stale paths
  exabgp-table FILE PEER  FILE: ExaBGP's JSON API lines ("receive {
                        parsed; update; }"); replays the UPDATEs received
                        from the session whose local address is PEER and
                        prints the table left: "STRING | ACTIONS", sorted
  exabgp-api RECEIVED CMDS  ExaBGP's API process: its output to the file
                        RECEIVED, lines appended to the file CMDS to it
  exabgp-count FILE PEER KIND  how many NLRIs of KIND (announce, withdraw,
                        eor) that session received
  compare EXPECTED ACTUAL  two files of "KEY | ACTIONS" lines: prints
                        every difference, rule by rule; exit 1 if any
  contains EXPECTED ACTUAL  exit 1 (and print them) when lines of
                        EXPECTED are not in ACTUAL

The expected side is always written by hand in the test (the GoBGP or
ExaBGP text of each rule): the receiver's own decoding is compared with
it, not with our encoder's output, so an encoding bug makes it fail.
"""
import base64
import json
import sys


def die(msg):
    print("interop.py: " + msg, file=sys.stderr)
    sys.exit(2)


def json_docs(text):
    """Every JSON document in text (concatenated, whitespace between)."""
    dec = json.JSONDecoder()
    i, n, out = 0, len(text), []
    while True:
        while i < n and text[i].isspace():
            i += 1
        if i >= n:
            return out
        doc, i = dec.raw_decode(text, i)
        out.append(doc)


# ---- flowspecd ----

def cmd_nbr(addr, field):
    doc = json.load(sys.stdin)
    for n in doc.get("neighbors", []):
        if n.get("address") != addr:
            continue
        v = n
        for part in field.split("."):
            v = v.get(part) if isinstance(v, dict) else None
        if v is None:
            return
        if isinstance(v, bool):
            v = "true" if v else "false"
        print(json.dumps(v) if isinstance(v, (list, dict)) else v)
        return


# ---- GoBGP ----

GOBGP_STATES = {0: "unknown", 1: "idle", 2: "connect", 3: "active",
                4: "opensent", 5: "openconfirm", 6: "established"}


def cmd_gobgp_state():
    try:
        doc = json.load(sys.stdin)
    except ValueError:
        print("none")
        return
    if isinstance(doc, list):
        doc = doc[0] if doc else {}
    st = doc.get("state", {}).get("session_state", 0)
    print(GOBGP_STATES.get(st, str(st)))


def cmd_gobgp_msgs(direction, kind):
    try:
        doc = json.load(sys.stdin)
    except ValueError:
        doc = {}
    msgs = doc.get("state", {}).get("messages", {})
    print(msgs.get(direction, {}).get(kind, 0))


def num(v):
    v = float(v)
    return str(int(v)) if v.is_integer() else repr(v)


def community(c):
    return "community:%d:%d" % (c >> 16, c & 0xFFFF)


def gobgp_ext(e, attr6=False):
    """One extended community of GoBGP's JSON as a short token."""
    t, s = e.get("type"), e.get("subtype")
    if attr6:
        return "ext6:%d/%d:%s" % (t, s, e.get("value"))
    if t == 0x80 and s == 6:
        return "rate:%d:%s" % (e.get("as", 0), num(e.get("rate", 0)))
    if t == 0x80 and s == 7:
        fl = [f for f in ("sample", "terminal") if e.get(f)]
        return "action:" + ("+".join(fl) if fl else "none")
    if t in (0x80, 0x81, 0x82) and s == 8:
        return "redirect:%s" % e.get("value")
    if t == 0x80 and s == 9:
        return "mark:%s" % e.get("value")
    v = e.get("value")
    if isinstance(v, str) and v.endswith("="):
        try:
            v = base64.b64decode(v).hex()
        except ValueError:
            pass
    return "ext:%d/%d:%s" % (t, s, v)


def gobgp_paths(text):
    for doc in json_docs(text):
        for key, paths in sorted(doc.items()):
            for p in paths:
                yield key, p


def gobgp_actions(p):
    """The rule's actions: ext communities (8 and 20 octets), communities
    and a next hop other than 0.0.0.0 / ::, sorted, ", "-joined. GoBGP
    gives "attrs": null for a path whose NLRI it could not parse: "-"."""
    out = []
    for a in p.get("attrs") or []:
        if a.get("type") == 16:
            out += [gobgp_ext(e) for e in a.get("value", [])]
        elif a.get("type") == 25:
            out += [gobgp_ext(e, True) for e in a.get("value", [])]
        elif a.get("type") == 8:
            out += [community(c) for c in a.get("communities", [])]
        elif a.get("type") == 14:
            nh = a.get("nexthop", "")
            if nh not in ("", "0.0.0.0", "::"):
                out.append("nexthop:" + nh)
    return ", ".join(sorted(out)) or "-"


def cmd_gobgp_table():
    lines = [key + " | " + gobgp_actions(p)
             for key, p in gobgp_paths(sys.stdin.read())]
    for line in sorted(lines):
        print(line)


def cmd_gobgp_stale():
    total = stale = 0
    for _, p in gobgp_paths(sys.stdin.read()):
        total += 1
        stale += 1 if p.get("stale") else 0
    print(stale, total)


ORIGINS = {0: "igp", 1: "egp", 2: "incomplete"}


def cmd_gobgp_attrs():
    seen = set()
    for _, p in gobgp_paths(sys.stdin.read()):
        origin, aspath, lp = "-", "", "-"
        for a in p.get("attrs", []):
            t = a.get("type")
            if t == 1:
                origin = ORIGINS.get(a.get("value"), str(a.get("value")))
            elif t == 2:
                aspath = " ".join(str(x) for seg in a.get("as_paths", [])
                                  for x in seg.get("asns", []))
            elif t == 5:
                lp = str(a.get("value"))
        s = "origin=%s as_path=[%s] local_pref=%s" % (origin, aspath, lp)
        if p.get("stale"):
            s += " stale"
        seen.add(s)
    for s in sorted(seen):
        print(s)


# ---- ExaBGP ----

def exabgp_updates(path, peer):
    """The "message" of each UPDATE from the session whose local address
    is peer, in order: {"update": {"attribute", "announce", "withdraw"}}
    or, for an End-of-RIB, {"eor": {"afi", "safi"}}."""
    with open(path, errors="replace") as f:
        for line in f:
            try:
                m = json.loads(line)
            except ValueError:
                continue
            if m.get("type") != "update":
                continue
            nb = m.get("neighbor", {})
            if nb.get("address", {}).get("local") != peer:
                continue
            yield nb.get("message", {})


def exabgp_actions(attr):
    out = []
    for e in attr.get("extended-community", []):
        v = e.get("value", 0)
        s = e.get("string") or "0x%016x" % v
        out.append(s)
    for c in attr.get("community", []):
        out.append("community:%d:%d" % (c[0], c[1]))
    return ", ".join(sorted(out)) or "-"


def exabgp_nlris(fam_map):
    """(family, string, next hop) of each NLRI in an announce/withdraw."""
    for fam, by_nh in fam_map.items():
        if isinstance(by_nh, dict):
            for nh, nlris in by_nh.items():
                for n in nlris:
                    yield fam, n.get("string", json.dumps(n)), nh
        else:
            for n in by_nh:
                yield fam, n.get("string", json.dumps(n)), None


def cmd_exabgp_table(path, peer):
    table = {}
    for m in exabgp_updates(path, peer):
        u = m.get("update", {})
        acts = exabgp_actions(u.get("attribute", {}))
        for _, s, nh in exabgp_nlris(u.get("withdraw", {})):
            table.pop(s, None)
        for _, s, nh in exabgp_nlris(u.get("announce", {})):
            a = acts
            if nh and nh != "no-nexthop":
                a = ", ".join(sorted(
                    ([] if a == "-" else a.split(", ")) + ["nexthop:" + nh]))
            table[s] = a
    for s in sorted(table):
        print(s + " | " + table[s])


def cmd_exabgp_api(received, cmds):
    """ExaBGP's API process: appends what ExaBGP writes (one JSON line per
    message) to received, and passes every complete line appended to the
    file cmds to ExaBGP (API commands). Ends when ExaBGP closes our
    stdin; keeps stdout open until then (ExaBGP restarts a helper that
    closes it)."""
    import os
    import select
    pos = 0
    with open(received, "ab") as out:
        while True:
            r, _, _ = select.select([0], [], [], 0.2)
            if r:
                data = os.read(0, 65536)
                if not data:
                    return 0
                out.write(data)
                out.flush()
            try:
                with open(cmds, "rb") as f:
                    f.seek(pos)
                    new = f.read()
            except OSError:
                new = b""
            end = new.rfind(b"\n") + 1
            if end:
                pos += end
                os.write(1, new[:end])


def cmd_exabgp_count(path, peer, kind):
    n = 0
    for m in exabgp_updates(path, peer):
        if kind == "eor":
            n += 1 if "eor" in m else 0
        else:
            n += sum(1 for _ in exabgp_nlris(m.get("update", {}).get(kind, {})))
    print(n)


# ---- comparing ----

def read_table(path):
    t = {}
    with open(path) as f:
        for line in f:
            line = line.rstrip("\n")
            if not line.strip():
                continue
            key, _, acts = line.partition(" | ")
            acts = ", ".join(sorted(a.strip() for a in acts.split(",")))
            t.setdefault(key.strip(), []).append(acts)
    return t


def cmd_contains(exp_path, act_path):
    """Exit 0 when every line of EXPECTED is in ACTUAL (others may be)."""
    exp, act = read_table(exp_path), read_table(act_path)
    missing = [k for k in exp if sorted(exp[k]) != sorted(act.get(k, []))]
    for k in missing:
        print("missing: %s | %s" % (k, " / ".join(exp[k])))
    return 1 if missing else 0


def cmd_compare(exp_path, act_path):
    exp, act = read_table(exp_path), read_table(act_path)
    bad = 0
    for key in sorted(set(exp) | set(act)):
        e, a = sorted(exp.get(key, [])), sorted(act.get(key, []))
        if e == a:
            continue
        bad += 1
        if not a:
            print("missing: %s | %s" % (key, " / ".join(e)))
        elif not e:
            print("unexpected: %s | %s" % (key, " / ".join(a)))
        else:
            print("differs: %s: expected %s, got %s"
                  % (key, " / ".join(e), " / ".join(a)))
    if bad:
        print("%d of %d rules differ (%d expected, %d received)"
              % (bad, len(set(exp) | set(act)),
                 sum(map(len, exp.values())), sum(map(len, act.values()))))
    return 1 if bad else 0


def main(argv):
    if len(argv) < 2:
        die("usage: see the top of the file")
    cmd, args = argv[1], argv[2:]
    table = {
        "nbr": (cmd_nbr, 2),
        "gobgp-state": (cmd_gobgp_state, 0),
        "gobgp-msgs": (cmd_gobgp_msgs, 2),
        "gobgp-table": (cmd_gobgp_table, 0),
        "gobgp-stale": (cmd_gobgp_stale, 0),
        "gobgp-attrs": (cmd_gobgp_attrs, 0),
        "exabgp-table": (cmd_exabgp_table, 2),
        "exabgp-api": (cmd_exabgp_api, 2),
        "exabgp-count": (cmd_exabgp_count, 3),
        "compare": (cmd_compare, 2),
        "contains": (cmd_contains, 2),
    }
    if cmd not in table or len(args) != table[cmd][1]:
        die("bad command: " + " ".join(argv[1:]))
    return table[cmd][0](*args) or 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
