#!/usr/bin/env python3
"""Traffic for the attack captures (pcaps/make-attacks.sh): the scenarios,
a deterministic packet generator and the measurement of what was played.

  gen-attack.py list                      scenario names, one a line
  gen-attack.py export SCENARIO           export version softflowd uses (5, 9, 10)
  gen-attack.py gen SCENARIO OUT.pcap     write the traffic pcap (Ethernet)
  gen-attack.py describe SCENARIO RX.pcap JSON
                                          measure RX.pcap (the traffic as
                                          softflowd's interface saw it) and
                                          put the scenario's entry into JSON
  gen-attack.py expect JSON POLICY.json   add to each entry of JSON the
                                          decisions POLICY.json should give

Every scenario is background traffic for the whole capture, plus (except
for the benign ones' "attack", which is just a below-threshold burst) one
attack of ATTACK_S seconds starting LEAD_S seconds in, at a fixed packet
rate with packets evenly spaced (1/pps) and every packet the same IP
length. Sources, ports and jitter come from random.Random(SEED), so the
same scenario always gives the same pcap. Times in the generated pcap start
at 0; tcpreplay plays them in real time, so the entries in attacks.json
give the wall-clock times measured on the receiving interface.

Sizes are layer-3 (IP total length; IPv6: 40 + payload length), as
flowspecd counts them; bps = pps * ip_len * 8.
"""

import ipaddress
import json
import random
import struct
import sys

SEED = 6006
LEAD_S = 5.0      # background only, before the attack
ATTACK_S = 25.0   # the attack
TAIL_S = 20.0     # background only, after: long enough for the withdrawal
MAC_DST = bytes.fromhex("020000000002")   # not the veth's: the kernel drops it
MAC_SRC = bytes.fromhex("020000000001")
TCP, UDP = 6, 17
SYN, ACK, PSH = 0x02, 0x10, 0x08

# Background in every scenario (pps, proto, src, sport, dst, dport, flags,
# ip_len): a few steady flows into the protected networks, each far below
# every threshold of tests/policy-attacks.json.
BACKGROUND = [
    (10, TCP, "192.0.2.10", 40001, "10.50.100.100", 443, ACK | PSH, 1000),
    (10, TCP, "192.0.2.11", 40002, "10.50.200.10", 80, ACK, 600),
    (5, UDP, "192.0.2.12", 53, "10.50.200.10", 33000, 0, 200),
    (5, TCP, "2001:db8:1::10", 40003, "2001:db8:50::100", 443, ACK, 1000),
]

# The scenarios. sources: how many distinct source addresses (taken in
# order from the prefix), each with one source port (fixed "sport" or a
# random ephemeral one); dports: a fixed port, or "random" (each packet a
# port drawn from a set of dport_pool random ports). "rule" is what a
# policy of tests/policy-attacks.json should announce ("" for none).
SCENARIOS = {
    "syn-flood": dict(
        export=9, proto=TCP, flags=SYN, victim="10.50.100.100", dport=80,
        src_net="198.18.0.0/15", sources=256, pps=2500, ip_len=60,
        policy="syn-flood",
        rule="flow route { match { destination 10.50.100.100/32; "
             "protocol =tcp; destination-port =80; tcp-flags syn&!ack; } "
             "then { discard; } }",
        what="TCP SYN flood (no ACK) to 10.50.100.100 port 80 from 256 "
             "sources, 60-byte packets (20 IP + 20 TCP + 20 options)"),
    "dns-reflection": dict(
        export=9, proto=UDP, victim="10.50.200.20", sport=53,
        src_net="203.0.113.0/24", sources=64, pps=600, ip_len=1400,
        policy="dns-reflection",
        rule="flow route { match { destination 10.50.200.20/32; "
             "protocol =udp; source-port =53; packet-length =1400; } "
             "then { rate-limit 125000; } }",
        what="DNS reflection: UDP from source port 53 of 64 resolvers to "
             "10.50.200.20 (one random destination port each), "
             "1400-byte responses"),
    "ntp-reflection": dict(
        export=10, proto=UDP, victim="10.50.200.21", sport=123,
        src_net="203.0.113.0/24", sources=64, pps=800, ip_len=468,
        policy="ntp-reflection",
        rule="flow route { match { destination 10.50.200.21/32; "
             "protocol =udp; source-port =123; } "
             "then { rate-limit 125000; } }",
        what="NTP reflection (monlist-sized responses): UDP from source "
             "port 123 of 64 servers to 10.50.200.21, 468-byte packets; "
             "exported as IPFIX"),
    "udp-flood": dict(
        export=5, proto=UDP, victim="10.50.200.30", dport="random",
        dport_pool=256, src_net="198.51.100.0/24", sources=2, pps=3000,
        ip_len=100, policy="udp-flood",
        rule="flow route { match { destination 10.50.200.30/32; "
             "protocol =udp; } then { rate-limit 250000; } }",
        what="UDP flood on random destination ports (each packet one of "
             "256 random ports >= 1024) from 2 sources to 10.50.200.30, "
             "100-byte packets; exported as NetFlow v5 (which has no "
             "IPv6: the IPv6 background is not in this capture)"),
    "ipv6-flood": dict(
        export=9, proto=UDP, victim="2001:db8:50::100", dport=443,
        src_net="2001:db8:bad::/64", sources=32, pps=3000, ip_len=200,
        policy="udp-flood",
        rule="flow route { match { destination 2001:db8:50::100/128; "
             "next-header =udp; } then { rate-limit 250000; } }",
        what="IPv6 UDP flood to [2001:db8:50::100]:443 from 32 sources, "
             "200-byte packets (40 IPv6 + 8 UDP + 152)"),
    "benign-syn": dict(
        export=9, proto=TCP, flags=SYN, victim="10.50.100.100", dport=80,
        src_net="198.51.100.0/24", sources=64, pps=600, ip_len=60,
        policy="syn-flood", rule="",
        what="benign: SYNs to 10.50.100.100 port 80 from 64 sources at "
             "half the syn-flood threshold"),
    "benign-dns": dict(
        export=9, proto=UDP, victim="10.50.200.20", sport=53,
        src_net="203.0.113.0/24", sources=32, pps=120, ip_len=1400,
        policy="dns-reflection", rule="",
        what="benign: DNS responses to 10.50.200.20 from 32 resolvers at "
             "just under half the dns-reflection threshold"),
}


def checksum(data):
    if len(data) % 2:
        data += b"\0"
    s = sum(struct.unpack("!%dH" % (len(data) // 2), data))
    while s >> 16:
        s = (s & 0xFFFF) + (s >> 16)
    return ~s & 0xFFFF


def l4(proto, sport, dport, flags, length):
    """The transport header and a zero payload, length bytes in all."""
    if proto == TCP:
        # A SYN carries 20 octets of options (MSS and NOPs), others data.
        opts = b"\x02\x04\x05\xb4" + b"\x01" * 16 if flags & SYN else b""
        hdr = struct.pack("!HHIIBBHHH", sport, dport, 1, 0,
                          (5 + len(opts) // 4) << 4, flags, 64240, 0, 0)
        assert length >= len(hdr) + len(opts)
        return hdr + opts + bytes(length - len(hdr) - len(opts))
    return struct.pack("!HHHH", sport, dport, length, 0) + bytes(length - 8)


def packet(proto, src, sport, dst, dport, flags, ip_len):
    """An Ethernet frame; checksums of the transport are left 0 (nobody
    checks them: the frames are never delivered to a stack)."""
    s, d = ipaddress.ip_address(src), ipaddress.ip_address(dst)
    if s.version == 4:
        body = l4(proto, sport, dport, flags, ip_len - 20)
        hdr = struct.pack("!BBHHHBBH4s4s", 0x45, 0, ip_len, 0, 0x4000, 64,
                          proto, 0, s.packed, d.packed)
        hdr = hdr[:10] + struct.pack("!H", checksum(hdr)) + hdr[12:]
        return MAC_DST + MAC_SRC + b"\x08\x00" + hdr + body
    body = l4(proto, sport, dport, flags, ip_len - 40)
    hdr = struct.pack("!IHBB16s16s", 6 << 28, len(body), proto, 64,
                      s.packed, d.packed)
    return MAC_DST + MAC_SRC + b"\x86\xdd" + hdr + body


def attack_sources(sc, rng):
    """[(address, source port)] of the scenario's attackers."""
    net = ipaddress.ip_network(sc["src_net"])
    out = []
    for i in range(sc["sources"]):
        sport = sc.get("sport") or rng.randrange(1024, 65536)
        out.append((str(net[i + 1]), sport))
    return out


def attack_packets(sc, rng):
    """[(time, frame)] of the attack: pps * ATTACK_S packets from LEAD_S."""
    srcs = attack_sources(sc, rng)
    if sc.get("dport") == "random":
        pool = rng.sample(range(1024, 65536), sc["dport_pool"])
    else:
        fixed = {a: sc.get("dport") or rng.randrange(1024, 65536)
                 for a, _ in srcs}
    n = int(round(sc["pps"] * ATTACK_S))
    out = []
    for i in range(n):
        addr, sport = srcs[i % len(srcs)]
        dport = rng.choice(pool) if sc.get("dport") == "random" else fixed[addr]
        out.append((LEAD_S + i / sc["pps"],
                    packet(sc["proto"], addr, sport, sc["victim"], dport,
                           sc.get("flags", 0), sc["ip_len"])))
    return out


def background_packets(rng):
    total = LEAD_S + ATTACK_S + TAIL_S
    out = []
    for pps, proto, src, sport, dst, dport, flags, ip_len in BACKGROUND:
        frame = packet(proto, src, sport, dst, dport, flags, ip_len)
        phase = rng.random() / pps
        for i in range(int(total * pps)):
            out.append((phase + i / pps, frame))
    return out


def write_pcap(path, pkts):
    with open(path, "wb") as f:
        f.write(struct.pack("<IHHiIII", 0xA1B2C3D4, 2, 4, 0, 0, 65535, 1))
        for t, frame in pkts:
            sec = int(t)
            usec = int(round((t - sec) * 1e6))
            f.write(struct.pack("<IIII", sec, usec, len(frame), len(frame)))
            f.write(frame)


def read_pcap(path):
    """[(time, frame)] of a pcap (either byte order, us or ns)."""
    with open(path, "rb") as f:
        data = f.read()
    magic = struct.unpack("<I", data[:4])[0]
    if magic in (0xA1B2C3D4, 0xA1B23C4D):
        end = "<"
    else:
        end = ">"
        magic = struct.unpack(">I", data[:4])[0]
    scale = 1e-9 if magic == 0xA1B23C4D else 1e-6
    linktype = struct.unpack(end + "I", data[20:24])[0]
    assert linktype == 1, "not Ethernet"
    off, out = 24, []
    while off + 16 <= len(data):
        sec, frac, caplen, _ = struct.unpack(end + "IIII", data[off:off + 16])
        out.append((sec + frac * scale, data[off + 16:off + 16 + caplen]))
        off += 16 + caplen
    return out


def classify(frame):
    """(proto, src, sport, dst, dport, flags, ip_len) of a frame, or None."""
    etype = struct.unpack("!H", frame[12:14])[0]
    ip = frame[14:]
    if etype == 0x0800:
        ihl = (ip[0] & 15) * 4
        ip_len, proto = struct.unpack("!H", ip[2:4])[0], ip[9]
        src, dst = ipaddress.ip_address(ip[12:16]), ipaddress.ip_address(ip[16:20])
        t = ip[ihl:]
    elif etype == 0x86DD:
        ip_len, proto = 40 + struct.unpack("!H", ip[4:6])[0], ip[6]
        src, dst = ipaddress.ip_address(ip[8:24]), ipaddress.ip_address(ip[24:40])
        t = ip[40:]
    else:
        return None
    if proto not in (TCP, UDP):
        return None
    sport, dport = struct.unpack("!HH", t[:4])
    flags = t[13] if proto == TCP else 0
    return proto, str(src), sport, str(dst), dport, flags, ip_len


def is_attack(sc, c):
    proto, src, sport, dst, dport, flags, ip_len = c
    return (proto == sc["proto"] and dst == sc["victim"]
            and ipaddress.ip_address(src) in ipaddress.ip_network(sc["src_net"]))


def describe(name, rx_path, json_path):
    """Measure the played traffic and store the scenario's entry."""
    sc = SCENARIOS[name]
    rx = read_pcap(rx_path)
    if not rx:
        sys.exit("gen-attack: %s: no packets captured" % rx_path)
    n_gen = int(round(sc["pps"] * ATTACK_S))
    atk = [(t, c) for t, c in ((t, classify(f)) for t, f in rx)
           if c and is_attack(sc, c)]
    bg = {}
    for t, f in rx:
        c = classify(f)
        if c and not is_attack(sc, c):
            key = "%s %s:%d > %s:%d" % ({TCP: "tcp", UDP: "udp"}[c[0]],
                                        c[1], c[2], c[3], c[4])
            bg.setdefault(key, [0, 0])
            bg[key][0] += 1
            bg[key][1] += c[6]
    if len(atk) != n_gen:
        print("gen-attack: %s: warning: %d of %d attack packets seen"
              % (name, len(atk), n_gen), file=sys.stderr)
    elif len(atk) > 1 and (atk[-1][0] - atk[0][0]) > 1.1 * ATTACK_S:
        print("gen-attack: %s: warning: tcpreplay fell behind: the attack "
              "took %.1f s, not %.0f" % (name, atk[-1][0] - atk[0][0],
                                         ATTACK_S), file=sys.stderr)
    srcs = {c[1] for _, c in atk}
    dports = {c[4] for _, c in atk}
    entry = {
        "capture": "attack-%s.pcap" % name,
        "what": sc["what"],
        "export": {5: "netflow-v5", 9: "netflow-v9", 10: "ipfix"}[sc["export"]],
        "benign": not sc["rule"],
        "victim": sc["victim"],
        "protocol": {TCP: "tcp", UDP: "udp"}[sc["proto"]],
        "tcp_flags": "syn" if sc.get("flags") == SYN else None,
        "source_port": sc.get("sport"),
        "destination_port": sc.get("dport"),
        "sources": sc["sources"],
        "source_prefix": sc["src_net"],
        "ip_len": sc["ip_len"],
        "generated": {
            "start_offset": LEAD_S,
            "end_offset": LEAD_S + (n_gen - 1) / sc["pps"],
            "pps": sc["pps"],
            "bps": sc["pps"] * sc["ip_len"] * 8,
            "packets": n_gen,
            "bytes": n_gen * sc["ip_len"],
            "lead_s": LEAD_S, "attack_s": ATTACK_S, "tail_s": TAIL_S,
        },
        "measured": {
            "capture_start": round(rx[0][0], 6),
            "start": round(atk[0][0], 6) if atk else None,
            "end": round(atk[-1][0], 6) if atk else None,
            "packets": len(atk),
            "bytes": sum(c[6] for _, c in atk),
            "pps": round(len(atk) / (atk[-1][0] - atk[0][0]), 1)
            if len(atk) > 1 else None,
            "sources": len(srcs),
            "destination_ports": len(dports),
            "background": {k: {"packets": v[0], "bytes": v[1]}
                           for k, v in sorted(bg.items())},
        },
        "policy": sc["policy"],
        "rule": sc["rule"] or None,
    }
    try:
        with open(json_path) as f:
            doc = json.load(f)
    except FileNotFoundError:
        doc = {"scenarios": {}}
    doc["scenarios"][name] = entry
    doc["scenarios"] = dict(sorted(doc["scenarios"].items()))
    with open(json_path, "w") as f:
        json.dump(doc, f, indent=2)
        f.write("\n")


def per_second(text):
    """A policy rate ("2G", "500M", "100k" or a number) as a number."""
    text = str(text)
    mult = {"k": 1e3, "M": 1e6, "G": 1e9}.get(text[-1], 1)
    return float(text[:-1] if mult != 1 else text) * mult


def expect(json_path, policy_path):
    """Ideal decision times: an exact sliding window of W seconds over the
    measured attack (first to last packet at its measured mean rate R):
    the average crosses the threshold T at start + W*T/R, falls below the
    clear threshold C at end + W*(1 - C/R); the rule is withdrawn when it
    has stayed below for clear_time and lived at least ban_time. The
    background is left out (none of it matches a policy of the file on an
    attack's victim). Lifetimes: the policy's, else the file's defaults
    (its networks set none)."""
    with open(json_path) as f:
        doc = json.load(f)
    with open(policy_path) as f:
        pf = json.load(f)
    pols = {p["name"]: p for p in pf["policies"]}
    for entry in doc["scenarios"].values():
        pol, m = pols[entry["policy"]], entry["measured"]
        dur = m["end"] - m["start"]
        r = (m["packets"] if pol["metric"] == "pps" else m["bytes"] * 8) / dur
        thr = per_second(pol["threshold"])
        clr = per_second(pol.get("clear_threshold", pol["threshold"]))
        life = {k: pol.get(k, pf["defaults"][k])
                for k in ("ban_time", "clear_time", "max_lifetime")}
        e = {"policy": pol["name"], "metric": pol["metric"],
             "measured_rate": round(r, 1), "threshold": thr,
             "clear_threshold": clr, "window": pol["window"],
             "rate_over_threshold": round(r / thr, 2)}
        if entry["benign"]:
            e.update(announce=None, withdraw=None)
        else:
            ann = m["start"] + pol["window"] * thr / r
            below = m["end"] + pol["window"] * (1 - clr / r)
            e.update(announce=round(ann, 3), below_clear=round(below, 3),
                     withdraw=round(max(ann + life["ban_time"],
                                        below + life["clear_time"]), 3),
                     **life)
        entry["expect"] = e
    with open(json_path, "w") as f:
        json.dump(doc, f, indent=2)
        f.write("\n")


def main(argv):
    if len(argv) >= 2 and argv[1] == "list":
        print("\n".join(SCENARIOS))
    elif len(argv) == 3 and argv[1] == "export" and argv[2] in SCENARIOS:
        print(SCENARIOS[argv[2]]["export"])
    elif len(argv) == 4 and argv[1] == "gen" and argv[2] in SCENARIOS:
        rng = random.Random("%d/%s" % (SEED, argv[2]))
        pkts = background_packets(rng) + attack_packets(SCENARIOS[argv[2]], rng)
        pkts.sort(key=lambda p: p[0])
        write_pcap(argv[3], pkts)
    elif len(argv) == 5 and argv[1] == "describe" and argv[2] in SCENARIOS:
        describe(*argv[2:])
    elif len(argv) == 4 and argv[1] == "expect":
        expect(argv[2], argv[3])
    else:
        sys.exit(__doc__)


if __name__ == "__main__":
    main(sys.argv)
