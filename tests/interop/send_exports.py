#!/usr/bin/env python3
"""Sends the UDP payloads of a capture (classic pcap, Ethernet, IPv4; as
tcpdump records an exporter on lo) to HOST:PORT from SRC, keeping the
capture's timing (SPEED times faster), like the exporter sent them. Stops
after SECONDS at most. Prints "sent N datagrams in T s".

Usage: send_exports.py CAPTURE HOST PORT SRC [SPEED] [SECONDS]"""
import socket
import struct
import sys
import time

ETH_HLEN = 14
ETHERTYPE_IPV4 = 0x0800
IPPROTO_UDP = 17
UDP_HLEN = 8


def datagrams(path):
    """(time, payload) of every IPv4/UDP frame of the capture."""
    with open(path, "rb") as f:
        head = f.read(24)
        magic = head[:4]
        if magic in (b"\xd4\xc3\xb2\xa1", b"\x4d\x3c\xb2\xa1"):
            end = "<"
        elif magic in (b"\xa1\xb2\xc3\xd4", b"\xa1\xb2\x3c\x4d"):
            end = ">"
        else:
            sys.exit("%s: not a classic pcap file" % path)
        nano = magic in (b"\x4d\x3c\xb2\xa1", b"\xa1\xb2\x3c\x4d")
        link = struct.unpack(end + "I", head[20:24])[0]
        if link != 1:
            sys.exit("%s: link type %d, want Ethernet (1)" % (path, link))
        while True:
            rec = f.read(16)
            if len(rec) < 16:
                return
            sec, frac, incl, _ = struct.unpack(end + "IIII", rec)
            frame = f.read(incl)
            t = sec + frac / (1e9 if nano else 1e6)
            if len(frame) < ETH_HLEN + 20 or struct.unpack(
                    "!H", frame[12:14])[0] != ETHERTYPE_IPV4:
                continue
            ip = frame[ETH_HLEN:]
            ihl = (ip[0] & 0x0f) * 4
            if ip[9] != IPPROTO_UDP or len(ip) < ihl + UDP_HLEN:
                continue
            ulen = struct.unpack("!H", ip[ihl + 4:ihl + 6])[0]
            yield t, ip[ihl + UDP_HLEN:ihl + ulen]


def main():
    capture, host, port, src = sys.argv[1:5]
    speed = float(sys.argv[5]) if len(sys.argv) > 5 else 1.0
    limit = float(sys.argv[6]) if len(sys.argv) > 6 else 300.0
    s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    s.bind((src, 0))
    start = time.monotonic()
    first = None
    n = 0
    for t, payload in datagrams(capture):
        if first is None:
            first = t
        due = start + (t - first) / speed
        if due - start > limit:
            break
        delay = due - time.monotonic()
        if delay > 0:
            time.sleep(delay)
        s.sendto(payload, (host, int(port)))
        n += 1
    print("sent %d datagrams in %.1f s" % (n, time.monotonic() - start))


if __name__ == "__main__":
    main()
