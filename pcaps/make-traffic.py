#!/usr/bin/env python3
"""Write pcaps/flow-traffic.pcap: the small, known traffic the flow
exporters (softflowd, pmacct's sfprobe) are fed to make the export
captures. Ethernet frames, captured 128 octets deep (snaplen) with the
full IP total length in the headers, so the file stays small while the
byte counts stay realistic. Deterministic: the same file every run.

Flows (times from 2023-11-14 22:13:20 UTC, Unix 1700000000, over ~20 s):
  20 TCP   198.51.100.1-20:40001-40020 -> 10.50.100.100:80, 4-9 packets,
           SYN first, ACK|PSH data, FIN|ACK last, 60-1500 octets
  10 UDP   203.0.113.1-10:123 -> 10.50.100.101-110:50000, 5 x 468 octets
   5 ICMP  192.0.2.1-5 -> 10.50.100.100, echo request, 3 x 84 octets
   5 TCP6  2001:db8:1::1-5:41001-41005 -> 2001:db8:50::100:443, 4 packets

Usage: pcaps/make-traffic.py [OUTPUT.pcap]
"""
import os
import struct
import sys

SNAPLEN = 128
BASE = 1700000000
LINKTYPE_ETHERNET = 1
MAC_DST = bytes.fromhex("020000000002")
MAC_SRC = bytes.fromhex("020000000001")


def csum(data):
    if len(data) % 2:
        data += b"\0"
    s = sum(struct.unpack("!%dH" % (len(data) // 2), data))
    while s >> 16:
        s = (s & 0xFFFF) + (s >> 16)
    return ~s & 0xFFFF


def ipv4(src, dst, proto, l4, total):
    hdr = struct.pack("!BBHHHBBH4s4s", 0x45, 0, total, 0, 0x4000, 64,
                      proto, 0, bytes(map(int, src.split("."))),
                      bytes(map(int, dst.split("."))))
    hdr = hdr[:10] + struct.pack("!H", csum(hdr)) + hdr[12:]
    return struct.pack("!H", 0x0800), hdr + l4


def ipv6(src, dst, proto, l4, total):
    import ipaddress
    hdr = struct.pack("!IHBB16s16s", 6 << 28, total - 40, proto, 64,
                      ipaddress.IPv6Address(src).packed,
                      ipaddress.IPv6Address(dst).packed)
    return struct.pack("!H", 0x86DD), hdr + l4


def tcp(sport, dport, flags):
    return struct.pack("!HHIIBBHHH", sport, dport, 1, 0, 5 << 4, flags,
                       65535, 0, 0)


def udp(sport, dport, length):
    return struct.pack("!HHHH", sport, dport, length, 0)


def icmp_echo(seq):
    return struct.pack("!BBHHH", 8, 0, 0, 1, seq)


SYN, FIN, PSH, ACK = 0x02, 0x01, 0x08, 0x10


def packets():
    """(time, ethertype, ip packet (headers), total length) in order."""
    out = []
    for i in range(20):
        n = 4 + i % 6
        for k in range(n):
            flags = SYN if k == 0 else FIN | ACK if k == n - 1 else PSH | ACK
            total = 60 if k in (0, n - 1) else 200 + (i * 97 + k * 131) % 1300
            t = BASE + i * 0.5 + k * 0.25
            et, pkt = ipv4("198.51.100.%d" % (i + 1), "10.50.100.100", 6,
                           tcp(40001 + i, 80, flags), total)
            out.append((t, et, pkt, total))
    for i in range(10):
        for k in range(5):
            t = BASE + 2 + i * 0.7 + k * 0.3
            et, pkt = ipv4("203.0.113.%d" % (i + 1), "10.50.100.%d" % (101 + i),
                           17, udp(123, 50000, 448), 468)
            out.append((t, et, pkt, 468))
    for i in range(5):
        for k in range(3):
            t = BASE + 5 + i + k * 0.5
            et, pkt = ipv4("192.0.2.%d" % (i + 1), "10.50.100.100", 1,
                           icmp_echo(k), 84)
            out.append((t, et, pkt, 84))
    for i in range(5):
        for k in range(4):
            flags = SYN if k == 0 else PSH | ACK
            total = 80 + 300 * k + 10 * i
            t = BASE + 8 + i * 0.9 + k * 0.2
            et, pkt = ipv6("2001:db8:1::%d" % (i + 1), "2001:db8:50::100", 6,
                           tcp(41001 + i, 443, flags), total)
            out.append((t, et, pkt, total))
    out.sort(key=lambda p: p[0])
    return out


def main():
    here = os.path.dirname(os.path.abspath(__file__))
    path = sys.argv[1] if len(sys.argv) > 1 else os.path.join(
        here, "flow-traffic.pcap")
    with open(path, "wb") as f:
        f.write(struct.pack("<IHHiIII", 0xA1B2C3D4, 2, 4, 0, 0, SNAPLEN,
                            LINKTYPE_ETHERNET))
        for t, et, pkt, total in packets():
            frame = MAC_DST + MAC_SRC + et + pkt
            frame_len = 14 + total
            data = frame[:SNAPLEN]
            sec = int(t)
            usec = int(round((t - sec) * 1e6))
            f.write(struct.pack("<IIII", sec, usec, len(data), frame_len))
            f.write(data)


if __name__ == "__main__":
    main()
