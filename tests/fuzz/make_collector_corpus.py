#!/usr/bin/env python3
"""Remake the seed corpora of fuzz_netflow and fuzz_sflow from the export
captures in pcaps/ (tshark reads the UDP payloads): per capture one seed
with all its datagrams (when within run.sh's -max_len), the same in
reverse order for NetFlow v9 and IPFIX (data before its template, as a
collector restarted mid-stream sees it: the held data path), and one for
each of its first four, in the harnesses' input
format (collector_fuzz.h): [u16 length][datagram without its version]...,
fuzz_netflow's with a first octet choosing the version (0: v5, 1: v9,
2: IPFIX).

Usage: tests/fuzz/make_collector_corpus.py
"""
import os
import struct
import subprocess

HERE = os.path.dirname(os.path.abspath(__file__))
PCAPS = os.path.join(HERE, "..", "..", "pcaps")
MAX_LEN = 4200  # tests/fuzz/run.sh's -max_len
SOURCES = [  # capture, harness, version octet, version length, templates
    ("softflowd-v5.pcap", "netflow", 0, 2, False),
    ("softflowd-v9.pcap", "netflow", 1, 2, True),
    ("softflowd-ipfix.pcap", "netflow", 2, 2, True),
    ("pmacct-sflow.pcap", "sflow", None, 4, False),
    ("pmacct-sflow-sampled.pcap", "sflow", None, 4, False),
]


def payloads(pcap):
    out = subprocess.run(["tshark", "-n", "-r", pcap, "-T", "fields", "-e",
                          "udp.payload"], check=True, capture_output=True,
                         text=True).stdout
    return [bytes.fromhex(l.replace(":", "")) for l in out.split()]


def seed(head, dgs, cut):
    return head + b"".join(struct.pack("!H", len(d) - cut) + d[cut:]
                           for d in dgs)


def main():
    for pcap, harness, version, cut, templates in SOURCES:
        d = os.path.join(HERE, "corpus", harness)
        os.makedirs(d, exist_ok=True)
        dgs = payloads(os.path.join(PCAPS, pcap))
        head = b"" if version is None else bytes([version])
        name = pcap[:-5]
        whole = seed(head, dgs, cut)
        if len(whole) <= MAX_LEN:
            with open(os.path.join(d, name + "-all"), "wb") as f:
                f.write(whole)
            if templates:
                with open(os.path.join(d, name + "-reversed"), "wb") as f:
                    f.write(seed(head, dgs[::-1], cut))
        for i, dg in enumerate(dgs[:4]):
            with open(os.path.join(d, "%s-%d" % (name, i)), "wb") as f:
                f.write(seed(head, [dg], cut))


if __name__ == "__main__":
    main()
