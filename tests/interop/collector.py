#!/usr/bin/env python3
"""Helpers of tests/interop/collector.sh: flow records as tshark decodes
them from an export capture, as `flowspecd replay --flows` prints them,
and the traffic the exporters were fed, compared.

  collector.py compare KIND CAPTURE PORT REPLAY_JSONL TRAFFIC [SOFTFLOWD_TXT]
      KIND: v5 | v9 | ipfix | sflow. Prints one line per check,
      "NAME ok" or "NAME FAIL what", and exits 0.
  collector.py data-only CAPTURE PORT
      The NetFlow v9 / IPFIX datagrams of CAPTURE that carry no template
      set (their data needs templates sent before): "RECORDS FRAME...",
      the flow records tshark decodes in them and their frame numbers.
  collector.py counter JSON PATH
      One value from a `show collector --json` line: PATH is dotted,
      exporters[ADDR] picks the exporter with that address; a list of
      objects prints their addresses, comma-separated.
"""
import collections
import json
import re
import subprocess
import sys

TSHARK = "tshark"


def tshark_json(capture, port, proto):
    out = subprocess.run(
        [TSHARK, "-n", "-r", capture, "-d", "udp.port==%s,%s" % (port, proto),
         "-T", "json"], check=True, capture_output=True, text=True).stdout
    return json.loads(out)


def walk(o):
    """Every dict under o, depth first."""
    if isinstance(o, dict):
        yield o
        for v in o.values():
            yield from walk(v)
    elif isinstance(o, list):
        for v in o:
            yield from walk(v)


def cflow_records(capture, port, kind):
    """(src, dst, proto, sport, dport, bytes, packets) per flow record,
    counts times the sampling interval of the options data (v9/IPFIX) or
    of the header (v5)."""
    frames = tshark_json(capture, port, "cflow")
    rate = 1
    recs = []
    for fr in frames:
        layer = fr["_source"]["layers"].get("cflow")
        if layer is None:
            continue
        if kind == "v5":
            rate = int(layer.get("cflow.samplerate", "0")) or 1
        for d in walk(layer):
            if "cflow.sampling_interval" in d:
                rate = int(d["cflow.sampling_interval"]) or 1
            if "cflow.octets" not in d or "cflow.packets" not in d:
                continue
            src = d.get("cflow.srcaddr") or d.get("cflow.srcaddrv6")
            dst = d.get("cflow.dstaddr") or d.get("cflow.dstaddrv6")
            sport = int(d.get("cflow.srcport", 0))
            dport = int(d.get("cflow.dstport", 0))
            if "cflow.icmp_type_code_ipv4" in d:
                dport = int(d["cflow.icmp_type_code_ipv4"], 0)
            recs.append((src, dst, int(d["cflow.protocol"]), sport, dport,
                         int(d["cflow.octets"]) * rate,
                         int(d["cflow.packets"]) * rate))
    return recs


def sflow_records(capture, port):
    """One record per flow sample with a raw header: IP total length x
    sampling rate, sampling rate packets."""
    frames = tshark_json(capture, port, "sflow")
    recs = []
    for fr in frames:
        layer = fr["_source"]["layers"].get("sflow")
        if layer is None:
            continue
        for d in walk(layer):
            if "sflow.flow_sample.sampling_rate" not in d:
                continue
            rate = int(d["sflow.flow_sample.sampling_rate"])
            hdr = d.get("Raw packet header", {}).get("sflow_245.header_tree")
            if not hdr:
                continue
            if "ip" in hdr:
                ip = hdr["ip"]
                src, dst = ip["ip.src"], ip["ip.dst"]
                proto, length = int(ip["ip.proto"]), int(ip["ip.len"])
            elif "ipv6" in hdr:
                ip = hdr["ipv6"]
                src, dst = ip["ipv6.src"], ip["ipv6.dst"]
                proto = int(ip["ipv6.nxt"])
                length = int(ip["ipv6.plen"]) + 40
            else:
                continue
            sport = dport = 0
            for l4 in ("tcp", "udp"):
                if l4 in hdr:
                    sport = int(hdr[l4][l4 + ".srcport"])
                    dport = int(hdr[l4][l4 + ".dstport"])
            if "icmp" in hdr:
                dport = int(hdr["icmp"]["icmp.type"]) << 8 | \
                    int(hdr["icmp"]["icmp.code"])
            recs.append((src, dst, proto, sport, dport, length * rate, rate))
    return recs


def replay_records(path):
    recs = []
    with open(path) as f:
        for line in f:
            r = json.loads(line)
            assert r["type"] == "flow"
            recs.append((r["src"], r["dst"], r["proto"], r["sport"],
                         r["dport"], r["bytes"], r["packets"]))
    return recs


def traffic_totals(traffic):
    """Per destination: (packets, IP bytes) of the traffic pcap."""
    out = subprocess.run(
        [TSHARK, "-n", "-r", traffic, "-T", "fields", "-e", "ip.dst",
         "-e", "ip.len", "-e", "ipv6.dst", "-e", "ipv6.plen"],
        check=True, capture_output=True, text=True).stdout
    tot = collections.defaultdict(lambda: [0, 0])
    for line in out.splitlines():
        d4, l4, d6, l6 = (line.split("\t") + ["", "", "", ""])[:4]
        if d4:
            tot[d4][0] += 1
            tot[d4][1] += int(l4)
        elif d6:
            tot[d6][0] += 1
            tot[d6][1] += int(l6) + 40
    return tot


def per_dst(recs):
    tot = collections.defaultdict(lambda: [0, 0, 0])
    for r in recs:
        t = tot[r[1]]
        t[0] += 1
        t[1] += r[6]
        t[2] += r[5]
    return tot


def softflowd_totals(path):
    """softflowd's exit report: flows exported, and octets / packets per
    protocol."""
    exported, proto = None, {}
    with open(path) as f:
        for line in f:
            w = line.split()
            if line.startswith("Flows exported:"):
                exported = int(w[2])
            elif len(w) >= 4 and w[1].startswith("(") and w[1].endswith("):"):
                proto[int(w[1][1:-2])] = (int(w[2]), int(w[3]))
    return exported, proto


def report(name, ok, what=""):
    print("%s %s" % (name, "ok" if ok else "FAIL " + what))


def compare(kind, capture, port, replay_path, traffic, sf_txt=None):
    mine = replay_records(replay_path)
    theirs = (sflow_records(capture, port) if kind == "sflow"
              else cflow_records(capture, port, kind))
    report("records-nonempty", len(mine) > 0, "replay printed no record")
    a, b = collections.Counter(mine), collections.Counter(theirs)
    report("records-tshark", a == b,
           "%d records vs tshark's %d; only ours: %s; only tshark's: %s" % (
               len(mine), len(theirs), list((a - b).items())[:3],
               list((b - a).items())[:3]))
    sent = traffic_totals(traffic)
    got = per_dst(mine)
    if kind == "v5":     # v5 carries IPv4 only
        sent = {k: v for k, v in sent.items() if ":" not in k}
    bad = []
    for dst in sorted(set(sent) | set(got)):
        s = sent.get(dst, [0, 0])
        g = got.get(dst, [0, 0, 0])
        if kind == "sflow" and "sampled" in capture:
            continue     # 1 in 4 at random: only tshark can say
        if kind == "sflow":
            # pmacctd loses the last samples when it stops at the end of
            # the file: never more than sent, and nearly all of it.
            if g[1] > s[0] or g[2] > s[1]:
                bad.append("%s: %s > sent %s" % (dst, g[1:], s))
        elif [g[1], g[2]] != s:
            bad.append("%s: packets, bytes %s, sent %s" % (dst, g[1:], s))
    report("totals-traffic", not bad, "; ".join(bad[:4]))
    if kind == "sflow" and "sampled" not in capture:
        total_sent = sum(v[0] for v in sent.values())
        total_got = sum(v[1] for v in got.values())
        report("sflow-coverage", total_got >= 0.95 * total_sent,
               "%d of %d packets sampled" % (total_got, total_sent))
    if sf_txt:
        exported, proto = softflowd_totals(sf_txt)
        report("softflowd-flows", exported == len(mine),
               "softflowd exported %s flows, replay has %d" % (
                   exported, len(mine)))
        if kind != "v5":
            mp = collections.defaultdict(lambda: [0, 0])
            for r in mine:
                mp[r[2]][0] += r[5]
                mp[r[2]][1] += r[6]
            want = {k: list(v) for k, v in proto.items()}
            report("softflowd-protocols", dict(mp) == want,
                   "ours %s, softflowd %s" % (dict(mp), want))


TEMPLATE_SETS = ("0", "1", "2", "3")    # RFC 3954 §5.2, RFC 7011 §3.3.2


def data_only(capture, port):
    records, frames = 0, []
    for fr in tshark_json(capture, port, "cflow"):
        layers = fr["_source"]["layers"]
        layer = layers.get("cflow")
        if layer is None:
            continue
        sets = [d["cflow.flowset_id"] for d in walk(layer)
                if "cflow.flowset_id" in d]
        if any(s in TEMPLATE_SETS for s in sets):
            continue
        frames.append(layers["frame"]["frame.number"])
        records += sum(1 for d in walk(layer)
                       if "cflow.octets" in d and "cflow.packets" in d)
    print(records, *frames)


def counter(js, path):
    o = json.loads(js)
    for key, sel in re.findall(r"([^.\[]+)(?:\[([^\]]*)\])?", path):
        o = o.get(key) if isinstance(o, dict) else None
        if sel and isinstance(o, list):
            o = next((e for e in o if e.get("address") == sel), None)
        if o is None:
            break
    if isinstance(o, list):
        o = ",".join(e.get("address", "?") for e in o)
    print("" if o is None else o)


def main():
    if sys.argv[1] == "compare":
        compare(*sys.argv[2:])
    elif sys.argv[1] == "data-only":
        data_only(sys.argv[2], sys.argv[3])
    elif sys.argv[1] == "counter":
        counter(sys.argv[2], sys.argv[3])
    else:
        sys.exit(__doc__)


if __name__ == "__main__":
    main()
