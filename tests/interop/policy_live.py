#!/usr/bin/env python3
"""Helpers of policy_live.sh (the policy engine live, end to end).

  crossing CAPTURE FLOWSPECD POLICY
      Replays the first k datagrams of CAPTURE (`flowspecd replay
      --policy`) for k = 1, 2, …: the first k whose replay announces is the
      datagram that pushes the destination over its threshold. Prints
      "K OFFSET LAST" (OFFSET: datagram K's time from the first datagram,
      LAST: the last datagram's, in seconds).
  rule ATTACKS SCENARIO TABLE
      TABLE (lib.sh gobgp_table lines "key | actions") holds exactly one
      rule, and it is the one the scenario of ATTACKS (pcaps/attacks.json)
      calls for: its victim as a /32, protocol, destination port, the TCP
      flags of its "rule", and discard (GoBGP: rate 0).
  events EVENTLOG STOP [SKIP]
      The event log holds, for one rule of one mitigation: an announce,
      then at least one extend before STOP (Unix seconds: the last export
      datagram sent), then a withdraw (reason clear) after STOP, in time
      order and nothing else. Prints the event types. With SKIP: the
      first SKIP lines are an announce and extends, and the events after
      them (those of an engine that took the mitigation over: after a
      reload, or a restart on the state file) are the same without the
      announce, for the rule the first line announced.
  edit-policy POLICY broken|added
      POLICY (JSON) on stdout, changed: "broken" gives the first policy
      the threshold "lots"; "added" appends a policy (icmp-flood, a copy
      of the last one for ICMP, which the SYN flood does not feed).
  expires EVENTLOG N
      The "expires" (Unix seconds) of the Nth event, or nothing.
  state-has STATE EXPIRES
      The state file holds a policy claim that expires at EXPIRES (Unix
      seconds, within 1 ms) or later.
  mitigation JSON RULE TARGET
      `show mitigations --json` lists exactly one mitigation: policy
      syn-flood's for TARGET, with RULE (the event log's text).
  latency PCAP EXPORTER PORT K SPEAKER BGP_PORT AFTER
      In PCAP (loopback, recorded during the run): the time of the Kth
      datagram from EXPORTER to UDP PORT sent after AFTER (Unix seconds),
      and of the first UPDATE with MP_REACH_NLRI from SPEAKER (BGP on
      TCP BGP_PORT) after it.
      Prints "T_DATAGRAM T_UPDATE"."""
import json
import os
import struct
import subprocess
import sys
import tempfile

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from send_exports import datagrams  # noqa: E402  (the same frames it sends)

PCAP_HLEN = 24
PCAP_RHLEN = 16
FLAG_LETTER = {"fin": "F", "syn": "S", "rst": "R", "push": "P",
               "ack": "A", "urgent": "U", "ece": "E", "cwr": "C"}


def frames(path):
    """(record header, frame) of every frame of a classic pcap, and its
    file header."""
    with open(path, "rb") as f:
        head = f.read(PCAP_HLEN)
        end = "<" if head[:4] in (b"\xd4\xc3\xb2\xa1",
                                  b"\x4d\x3c\xb2\xa1") else ">"
        out = []
        while True:
            rec = f.read(PCAP_RHLEN)
            if len(rec) < PCAP_RHLEN:
                break
            incl = struct.unpack(end + "IIII", rec)[2]
            out.append((rec, f.read(incl)))
    return head, out


def crossing(capture, flowspecd, policy):
    head, fr = frames(capture)
    times = [t for t, _ in datagrams(capture)]
    if len(times) != len(fr):
        sys.exit("%s: frames that are not export datagrams" % capture)
    with tempfile.TemporaryDirectory() as tmp:
        part = os.path.join(tmp, "part.pcap")
        for k in range(1, len(fr) + 1):
            with open(part, "wb") as f:
                f.write(head)
                for rec, frame in fr[:k]:
                    f.write(rec + frame)
            out = subprocess.run([flowspecd, "replay", "--policy", policy,
                                  part], capture_output=True, text=True,
                                 timeout=60, check=True).stdout
            if any(json.loads(line)["type"] == "announce"
                   for line in out.splitlines()):
                print(k, "%.6f" % (times[k - 1] - times[0]),
                      "%.6f" % (times[-1] - times[0]))
                return 0
    sys.exit("%s: no prefix of the capture announces" % capture)


def flag_terms(text):
    """'syn&!ack' → {'S', '!A'}; GoBGP's '=S&!F&!R&!A' → {'S', '!F', …}."""
    terms = set()
    for t in text.lstrip("=").split("&"):
        neg = t.startswith("!")
        t = t.lstrip("!")
        letter = FLAG_LETTER.get(t, t)
        terms.add(("!" if neg else "") + letter)
    return terms


def rule(attacks, scenario, table):
    sc = json.load(open(attacks))["scenarios"][scenario]
    lines = [ln for ln in open(table).read().splitlines() if ln.strip()]
    if len(lines) != 1:
        print("%d rules at GoBGP: %s" % (len(lines), "; ".join(lines)))
        return 1
    key, actions = lines[0].split(" | ", 1)
    comps = dict(c.split(": ", 1) for c in key.strip("[]").split("]["))
    want_flags = sc["rule"].split("tcp-flags ", 1)[1].split(";", 1)[0]
    problems = []
    if comps.get("destination") != sc["victim"] + "/32":
        problems.append("destination %s" % comps.get("destination"))
    if comps.get("protocol") != "==" + sc["protocol"]:
        problems.append("protocol %s" % comps.get("protocol"))
    if comps.get("destination-port") != "==%d" % sc["destination_port"]:
        problems.append("destination-port %s" % comps.get("destination-port"))
    if not flag_terms(want_flags) <= flag_terms(comps.get("tcp-flags", "")):
        problems.append("tcp-flags %s lacks %s" % (comps.get("tcp-flags"),
                                                   want_flags))
    if actions != "rate:0:0":       # discard is traffic-rate 0
        problems.append("actions %s" % actions)
    if problems:
        print("%s: %s" % (lines[0], ", ".join(problems)))
        return 1
    return 0


def load_events(path):
    with open(path) as f:
        return [json.loads(line) for line in f if line.strip()]


def events(path, stop, skip=None):
    ev = load_events(path)
    before = []
    if skip is not None:
        before, ev = ev[:skip], ev[skip:]
    types = [e["type"] for e in ev]
    first = [] if skip is not None else ["announce"]
    problems = []
    if len(ev) < len(first) + 2 or types[:len(first)] != first or \
            types[-1] != "withdraw" or \
            any(t != "extend" for t in types[len(first):-1]):
        problems.append("sequence %s" % ",".join(types))
    rules = {e.get("rule") for e in ev}
    if len(rules) != 1 or len({e.get("id") for e in ev}) != 1:
        problems.append("more than one rule or id")
    btypes = [e["type"] for e in before]
    if skip is not None and (btypes[:1] != ["announce"] or
                             any(t != "extend" for t in btypes[1:])):
        problems.append("before the takeover: %s" % ",".join(btypes))
    if before and rules != {before[0].get("rule")}:
        problems.append("not the rule announced before: %s" % before[0].get("rule"))
    if [e["time"] for e in ev] != sorted(e["time"] for e in ev):
        problems.append("times out of order")
    if not any(e["type"] == "extend" and e["time"] <= stop for e in ev):
        problems.append("no extend while the traffic went on (before %.3f)" % stop)
    if ev and ev[-1]["type"] == "withdraw" and (
            ev[-1]["time"] <= stop or ev[-1].get("reason") != "clear"):
        problems.append("withdraw at %.3f (reason %s), traffic stopped %.3f" %
                        (ev[-1]["time"], ev[-1].get("reason"), stop))
    if problems:
        print("; ".join(problems))
        return 1
    print(" ".join(types))
    return 0


def edit_policy(path, how):
    with open(path) as f:
        doc = json.load(f)
    if how == "broken":
        doc["policies"][0]["threshold"] = "lots"
    elif how == "added":
        extra = dict(doc["policies"][-1], name="icmp-flood",
                     match={"protocol": "icmp"})
        doc["policies"].append(extra)
    else:
        sys.exit("edit-policy: broken or added, not %s" % how)
    json.dump(doc, sys.stdout, indent=2)
    print()
    return 0


def expires(path, n):
    ev = load_events(path)
    if len(ev) >= n and "expires" in ev[n - 1]:
        print("%.3f" % ev[n - 1]["expires"])
    return 0


def state_has(path, exp):
    try:
        with open(path) as f:
            lines = [json.loads(line) for line in f if line.strip()]
    except (OSError, ValueError):
        return 1
    return 0 if any(c.get("origin", "").startswith("policy") and
                    (c.get("expires") or 0) >= exp * 1000 - 1
                    for c in lines) else 1


def mitigation(text, rule_text, target):
    m = json.loads(text)["mitigations"]
    if len(m) != 1 or m[0].get("policy") != "syn-flood" or \
            m[0].get("target") != target or m[0].get("rule") != rule_text:
        print(json.dumps(m)[:300])
        return 1
    return 0


def tshark(pcap, bgp_port, filt, fields):
    out = subprocess.run(["tshark", "-r", pcap, "-d",
                          "tcp.port==%s,bgp" % bgp_port, "-Y", filt,
                          "-T", "fields"] +
                         sum((["-e", f] for f in fields), []),
                         capture_output=True, text=True, timeout=60,
                         check=True).stdout
    return [ln.split("\t") for ln in out.splitlines() if ln]


def latency(pcap, exporter, port, k, speaker, bgp_port, after):
    sent = [float(r[0]) for r in tshark(
        pcap, bgp_port, "ip.src==%s && udp.dstport==%s" % (exporter, port),
        ["frame.time_epoch"]) if float(r[0]) >= float(after)]
    if len(sent) < int(k):
        sys.exit("only %d datagrams from %s after %s" % (len(sent), exporter,
                                                        after))
    t_k = sent[int(k) - 1]
    ups = [float(r[0]) for r in tshark(
        pcap, bgp_port, "ip.src==%s && bgp.type==2 && bgp.update.path_attribute.type_code==14"
        % speaker, ["frame.time_epoch"]) if float(r[0]) >= t_k]
    if not ups:
        sys.exit("no UPDATE from %s after the datagram" % speaker)
    print("%.6f %.6f" % (t_k, ups[0]))
    return 0


def main():
    cmd, args = sys.argv[1], sys.argv[2:]
    if cmd == "crossing":
        return crossing(*args)
    if cmd == "rule":
        return rule(*args)
    if cmd == "events":
        return events(args[0], float(args[1]),
                      int(args[2]) if len(args) > 2 else None)
    if cmd == "edit-policy":
        return edit_policy(*args)
    if cmd == "expires":
        return expires(args[0], int(args[1]))
    if cmd == "state-has":
        return state_has(args[0], float(args[1]))
    if cmd == "mitigation":
        return mitigation(*args)
    if cmd == "latency":
        return latency(*args)
    sys.exit("unknown command %s" % cmd)


if __name__ == "__main__":
    sys.exit(main())
