#!/usr/bin/env python3
"""Checks the attack captures (pcaps/attack-*.pcap) against what was
played: tshark's decode of softflowd's exports (tshark -T json, one file
per capture) must hold the generated attack exactly, and the policy file
must tell the attacks from the benign traffic by a clear margin.

  attacks_check.py ATTACKS.json POLICY.json DIR

DIR holds <scenario>.json (tshark -T json of the capture). Per scenario:
  decode    tshark decoded export packets of the right version, no
            malformed packet
  totals    the attack's flow records (victim, protocol, source prefix)
            add up to the generated packets and bytes (softflowd counts
            every packet: layer-3 bytes, IPv6 with its 40-octet header)
  shape     sources, source/destination ports, TCP flags as generated
  times     first flow start and last flow end within TIME_SLACK of the
            attack's first and last packet seen on softflowd's interface
  policy    the attack's rate (from the flow records, over its measured
            duration) is >= MARGIN x the threshold of its policy, benign
            <= threshold / MARGIN; and no other policy of the file is
            above 1 / MARGIN of its threshold for any destination
Prints PASS/FAIL lines (attacks/<scenario>/<check>); exits 1 on any FAIL.
"""

import datetime
import ipaddress
import json
import os
import sys

TIME_SLACK = 1.5   # v5/v9 headers give the export time in whole seconds
MARGIN = 1.5
PROTO = {"tcp": 6, "udp": 17}
VERSION = {"netflow-v5": 5, "netflow-v9": 9, "ipfix": 10}
SYN, ACK = 0x02, 0x10


def flows_of(frames):
    """(version set, malformed count, [flow dict]) with absolute times."""
    versions, malformed, out = set(), 0, []
    for fr in frames:
        layers = fr["_source"]["layers"]
        if "_ws.malformed" in layers:
            malformed += 1
        c = layers.get("cflow")
        if c is None:
            continue
        v = int(c["cflow.version"])
        versions.add(v)
        if v == 10:
            base = sys_init(c) or flows_of.sys_init or float("nan")
            flows_of.sys_init = base   # nan: no systemInitTime yet
        else:
            now = int(c["cflow.timestamp_tree"]["cflow.unix_secs"])
            now += int(c["cflow.timestamp_tree"].get("cflow.unix_nsecs", 0)) / 1e9
            base = now - float(c["cflow.sysuptime"])
        for rec in records(c):
            if "cflow.packets" not in rec:
                continue
            t = rec["cflow.timedelta_tree"]
            out.append({
                "src": rec.get("cflow.srcaddr") or rec.get("cflow.srcaddrv6"),
                "dst": rec.get("cflow.dstaddr") or rec.get("cflow.dstaddrv6"),
                "proto": int(rec["cflow.protocol"]),
                "sport": int(rec["cflow.srcport"]),
                "dport": int(rec["cflow.dstport"]),
                "flags": int(rec["cflow.tcpflags"], 16),
                "packets": int(rec["cflow.packets"]),
                "bytes": int(rec["cflow.octets"]),
                "start": base + float(t["cflow.timestart"]),
                "end": base + float(t["cflow.timeend"]),
            })
    return versions, malformed, out


flows_of.sys_init = None


def records(c):
    """Every flow record of one export packet (v5 pdus, v9/IPFIX flows)."""
    for k, v in c.items():
        if k.startswith("pdu "):
            yield v
        elif k.startswith(("FlowSet ", "Set ")) and isinstance(v, dict):
            for kk, vv in v.items():
                if kk.startswith("Flow ") and isinstance(vv, dict):
                    yield vv


def sys_init(c):
    """IPFIX systemInitTimeMilliseconds (option record) as Unix time."""
    for rec in records(c):
        s = rec.get("cflow.sys_init_time")
        if s:
            s = s.replace(" UTC", "")
            date, frac = s.rsplit(".", 1)
            dt = datetime.datetime.strptime(" ".join(date.split()), "%b %d, %Y %H:%M:%S")
            return dt.replace(tzinfo=datetime.timezone.utc).timestamp() + float("0." + frac)
    return None


def rate(text):
    text = str(text)
    mult = {"k": 1e3, "M": 1e6, "G": 1e9}.get(text[-1], 1)
    return float(text[:-1] if mult != 1 else text) * mult


def in_networks(policy_file, pol, addr):
    a = ipaddress.ip_address(addr)
    for name in pol["networks"]:
        for p in policy_file["networks"][name]["prefixes"]:
            n = ipaddress.ip_network(p)
            if a.version == n.version and a in n:
                return True
    return False


def matches(pol, f):
    """The subset of policy matching flowspecd's policy files use here."""
    m = pol.get("match", {})
    protos = m.get("protocol")
    if protos is not None:
        protos = protos if isinstance(protos, list) else [protos]
        if f["proto"] not in [PROTO[p] for p in protos]:
            return False
    for key, field in (("source_port", "sport"), ("destination_port", "dport")):
        want = m.get(key)
        if want is not None:
            want = want if isinstance(want, list) else [want]
            if f[field] not in want:
                return False
    if m.get("tcp_flags") == "syn&!ack":
        if not f["flags"] & SYN or f["flags"] & ACK:
            return False
    elif "tcp_flags" in m:
        raise ValueError("tcp_flags %s: not understood here" % m["tcp_flags"])
    return True


def policy_rates(policy_file, pol, flows, duration):
    """{destination: metric per second over duration} of what pol counts."""
    out = {}
    for f in flows:
        if not in_networks(policy_file, pol, f["dst"]) or not matches(pol, f):
            continue
        v = {"pps": f["packets"], "bps": f["bytes"] * 8}[pol["metric"]]
        out[f["dst"]] = out.get(f["dst"], 0) + v / duration
    return out


class Report:
    def __init__(self):
        self.failed = 0

    def check(self, name, ok, why):
        if ok:
            print("PASS: attacks/%s" % name)
        else:
            print("FAIL: attacks/%s: %s" % (name, why))
            self.failed += 1


def check(rep, name, sc, policy_file, frames):
    versions, malformed, flows = frames
    want_v = VERSION[sc["export"]]
    rep.check(name + "/decode", versions == {want_v} and malformed == 0 and flows,
              "versions %s (want %d), %d malformed, %d flow records"
              % (sorted(versions), want_v, malformed, len(flows)))
    if not flows:
        return
    net = ipaddress.ip_network(sc["source_prefix"])
    atk = [f for f in flows if f["dst"] == sc["victim"]
           and f["proto"] == PROTO[sc["protocol"]]
           and ipaddress.ip_address(f["src"]) in net]
    gen, meas = sc["generated"], sc["measured"]
    pk, by = sum(f["packets"] for f in atk), sum(f["bytes"] for f in atk)
    rep.check(name + "/totals",
              pk == gen["packets"] == meas["packets"]
              and by == gen["bytes"] == meas["bytes"],
              "flow records %d packets %d bytes; generated %d / %d, seen "
              "on the interface %d / %d" % (pk, by, gen["packets"],
                                            gen["bytes"], meas["packets"],
                                            meas["bytes"]))
    if not atk:
        return
    srcs = {f["src"] for f in atk}
    bad = []
    if len(srcs) != sc["sources"]:
        bad.append("%d sources, want %d" % (len(srcs), sc["sources"]))
    if sc["source_port"] is not None and {f["sport"] for f in atk} != {sc["source_port"]}:
        bad.append("source ports %s" % sorted({f["sport"] for f in atk})[:5])
    dports = {f["dport"] for f in atk}
    if sc["destination_port"] == "random":
        if len(dports) != meas["destination_ports"]:
            bad.append("%d destination ports, want %d"
                       % (len(dports), meas["destination_ports"]))
    elif sc["destination_port"] is not None and dports != {sc["destination_port"]}:
        bad.append("destination ports %s" % sorted(dports)[:5])
    flags = {f["flags"] for f in atk}
    if sc["tcp_flags"] == "syn" and flags != {SYN}:
        bad.append("tcp flags %s, want only SYN" % sorted(flags))
    rep.check(name + "/shape", not bad, "; ".join(bad))

    first = min(f["start"] for f in atk)
    last = max(f["end"] for f in atk)
    rep.check(name + "/times",
              abs(first - meas["start"]) <= TIME_SLACK
              and abs(last - meas["end"]) <= TIME_SLACK,
              "flows %.3f..%.3f, packets seen %.3f..%.3f (slack %.1f s)"
              % (first, last, meas["start"], meas["end"], TIME_SLACK))

    duration = meas["end"] - meas["start"]
    pols = {p["name"]: p for p in policy_file["policies"]}
    own = pols[sc["policy"]]
    r = policy_rates(policy_file, own, atk, duration).get(sc["victim"], 0)
    thr = rate(own["threshold"])
    if sc["benign"]:
        ok, want = r * MARGIN <= thr, "<= threshold / %.1f" % MARGIN
    else:
        ok, want = r >= MARGIN * thr, ">= %.1f x threshold" % MARGIN
    others = []
    for p in policy_file["policies"]:
        for dst, v in policy_rates(policy_file, p, flows, duration).items():
            expected = p is own and dst == sc["victim"] and not sc["benign"]
            if not expected and v * MARGIN > rate(p["threshold"]):
                others.append("%s %s at %.0f %s" % (p["name"], dst, v, p["metric"]))
    rep.check(name + "/policy", ok and not others,
              "%s: %.0f %s, threshold %s (want %s)%s"
              % (own["name"], r, own["metric"], own["threshold"], want,
                 "; also near or above: " + ", ".join(others) if others else ""))


def main(argv):
    if len(argv) != 4:
        sys.exit(__doc__)
    with open(argv[1]) as f:
        table = json.load(f)["scenarios"]
    with open(argv[2]) as f:
        policy_file = json.load(f)
    rep = Report()
    for name, sc in table.items():
        path = os.path.join(argv[3], name + ".json")
        try:
            with open(path) as f:
                frames = json.load(f)
        except (OSError, ValueError) as e:
            rep.check(name + "/decode", False, "no tshark output: %s" % e)
            continue
        flows_of.sys_init = None
        check(rep, name, sc, policy_file, flows_of(frames))
    return 1 if rep.failed else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
