#!/usr/bin/env python3
"""A hostile BGP peer for tests/interop/hostile.sh (python3 stdlib only).

  hostile.py --dst ADDR:PORT --src ADDR --as AS --fsd-as AS
             [--ctl FLOWSPECCTL --sock SOCKET] CASE

Connects from --src (a configured, passive neighbor of flowspecd, remote
AS --as) to flowspecd's listener, plays one case and checks what comes
back. Prints one line, "CASE: what happened", and exits 0 when that is
what the RFCs ask for, 1 when not, 2 when the test itself could not run.
`hostile.py --list` prints every case with its expectation.

Header and OPEN cases send their message right after the TCP handshake
(flowspecd has sent its OPEN and is in OpenSent); UPDATE and
ROUTE-REFRESH cases first bring the session up (OPEN, KEEPALIVE) and read
the table flowspecd sends (up to its End-of-RIB markers).
"""
import argparse
import json
import socket
import struct
import subprocess
import sys
import time

MARKER = b"\xff" * 16
OPEN, UPDATE, NOTIFICATION, KEEPALIVE, ROUTE_REFRESH = 1, 2, 3, 4, 5
AFI_IPV4, AFI_IPV6, SAFI_FLOWSPEC = 1, 2, 133
# Path attributes (RFC 4271 §5, RFC 4760, RFC 4360).
ORIGIN, AS_PATH, MP_REACH, MP_UNREACH, EXT_COMM = 1, 2, 14, 15, 16
WELL_KNOWN, OPTIONAL = 0x40, 0x80       # transitive well-known / optional
# Flowspec component types (RFC 8955 §4.2.2).
FS_DST, FS_SRC, FS_PROTO, FS_DPORT = 1, 2, 3, 5
# Capabilities (RFC 5492): multiprotocol, route refresh, 4-octet AS,
# enhanced route refresh.
CAP_MP, CAP_RR, CAP_AS4, CAP_ERR = 1, 2, 65, 70
RR_REQUEST, RR_BORR, RR_EORR = 0, 1, 2
WAIT_S = 5                              # for an answer
QUIET_S = 1.5                           # "nothing comes back"


def msg(mtype, body=b"", marker=MARKER, length=None):
    if length is None:
        length = 19 + len(body)
    return marker + struct.pack("!HB", length, mtype) + body


def cap(code, value=b""):
    return struct.pack("!BB", code, len(value)) + value


def open_body(args, version=4, my_as=None, hold=9, bgp_id=None, params=None,
              enhanced=False):
    if params is None:
        caps = (cap(CAP_MP, struct.pack("!HBB", AFI_IPV4, 0, SAFI_FLOWSPEC)) +
                cap(CAP_MP, struct.pack("!HBB", AFI_IPV6, 0, SAFI_FLOWSPEC)) +
                cap(CAP_RR) + cap(CAP_AS4, struct.pack("!I", args.peer_as)))
        if enhanced:
            caps += cap(CAP_ERR)
        params = struct.pack("!BB", 2, len(caps)) + caps
    my_as = args.peer_as if my_as is None else my_as
    bgp_id = socket.inet_aton(bgp_id or args.src)
    return (struct.pack("!BHH", version, my_as, hold) + bgp_id +
            struct.pack("!B", len(params)) + params)


def attr(flags, atype, value):
    if len(value) > 255:
        return struct.pack("!BBH", flags | 0x10, atype, len(value)) + value
    return struct.pack("!BBB", flags, atype, len(value)) + value


def update_body(attrs, withdrawn=b"", nlri=b""):
    return (struct.pack("!H", len(withdrawn)) + withdrawn +
            struct.pack("!H", len(attrs)) + attrs + nlri)


def nlri(components):
    return struct.pack("!B", len(components)) + components


def mp_reach(nlris, afi=AFI_IPV4, safi=SAFI_FLOWSPEC):
    # next hop length 0, reserved 0 (RFC 8955 §4)
    return attr(OPTIONAL, MP_REACH, struct.pack("!HBBB", afi, safi, 0, 0) + nlris)


def base_attrs(args):
    origin = attr(WELL_KNOWN, ORIGIN, b"\x00")                 # IGP
    seg = struct.pack("!BBI", 2, 1, args.peer_as)           # AS_SEQUENCE
    return origin + attr(WELL_KNOWN, AS_PATH, seg)


def discard():
    # traffic-rate 0 (RFC 8955 §7.1)
    return attr(OPTIONAL | WELL_KNOWN, EXT_COMM, bytes.fromhex("8006000000000000"))


# A valid rule: destination 198.51.100.0/24, protocol =tcp, dport =80.
GOOD = nlri(bytes([FS_DST, 24, 198, 51, 100]) + bytes([FS_PROTO, 0x81, 6]) +
            bytes([FS_DPORT, 0x81, 80]))
GOOD_TEXT = "destination 198.51.100.0/24"
# Another valid rule, for "the session still works".
GOOD2 = nlri(bytes([FS_DST, 24, 203, 0, 113]) + bytes([FS_PROTO, 0x81, 17]))
GOOD2_TEXT = "destination 203.0.113.0/24"
# Components out of order (dport before destination): RFC 8955 §4.2.
BAD_ORDER = nlri(bytes([FS_DPORT, 0x81, 80]) + bytes([FS_DST, 24, 192, 0, 2]))


class Peer:
    def __init__(self, args):
        self.args = args
        host, port = args.dst.rsplit(":", 1)
        self.sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        self.sock.bind((args.src, 0))
        self.sock.settimeout(WAIT_S)
        self.sock.connect((host, int(port)))
        self.buf = b""
        self.closed = False

    def send(self, data):
        try:
            self.sock.sendall(data)
        except OSError:
            self.closed = True

    def recv(self, timeout):
        """The next message (type, body), or None on timeout / close."""
        deadline = time.monotonic() + timeout
        while True:
            if len(self.buf) >= 19:
                length = struct.unpack("!H", self.buf[16:18])[0]
                if length >= 19 and len(self.buf) >= length:
                    m, self.buf = self.buf[:length], self.buf[length:]
                    return m[18], m[19:]
            left = deadline - time.monotonic()
            if left <= 0 or self.closed:
                return None
            self.sock.settimeout(left)
            try:
                data = self.sock.recv(65536)
            except socket.timeout:
                return None
            except OSError:
                data = b""
            if not data:
                self.closed = True
                continue
            self.buf += data

    def answer(self, timeout=WAIT_S):
        """What comes back: ("notification", code, subcode, data),
        ("closed",), or ("none",) when nothing but KEEPALIVEs and UPDATEs
        came for timeout seconds and the connection is still open."""
        deadline = time.monotonic() + timeout
        while True:
            m = self.recv(max(0.0, deadline - time.monotonic()))
            if m is None:
                return ("closed",) if self.closed else ("none",)
            if m[0] == NOTIFICATION:
                return ("notification", m[1][0], m[1][1], m[1][2:])

    def establish(self, enhanced=False):
        """OPEN / KEEPALIVE both ways; reads the table up to the
        End-of-RIB markers. Returns the flowspec NLRIs announced per
        AFI, or raises."""
        m = self.recv(WAIT_S)
        if not m or m[0] != OPEN:
            raise RuntimeError("no OPEN from flowspecd: %r" % (m,))
        self.send(msg(OPEN, open_body(self.args, enhanced=enhanced)))
        self.send(msg(KEEPALIVE))
        got_ka = False
        table = {AFI_IPV4: 0, AFI_IPV6: 0}
        eor = set()
        deadline = time.monotonic() + 10
        while len(eor) < 2:
            m = self.recv(max(0.0, deadline - time.monotonic()))
            if m is None:
                raise RuntimeError("session not up (KEEPALIVE %s, End-of-RIB %s)"
                                   % (got_ka, sorted(eor)))
            if m[0] == NOTIFICATION:
                raise RuntimeError("NOTIFICATION %d/%d while coming up"
                                   % (m[1][0], m[1][1]))
            if m[0] == KEEPALIVE:
                got_ka = True
            elif m[0] == UPDATE:
                u = parse_update(m[1])
                for afi, n in u["announced"].items():
                    table[afi] += n
                if u["eor"]:
                    eor.add(u["eor"])
        return table


def parse_update(body):
    """Flowspec NLRIs announced / withdrawn per AFI, and the End-of-RIB
    AFI (RFC 4724 §2) or 0."""
    out = {"announced": {}, "withdrawn": {}, "eor": 0}
    wlen = struct.unpack("!H", body[:2])[0]
    alen = struct.unpack("!H", body[2 + wlen:4 + wlen])[0]
    attrs = body[4 + wlen:4 + wlen + alen]
    n_attrs = 0
    while attrs:
        flags, atype = attrs[0], attrs[1]
        if flags & 0x10:
            vlen, hdr = struct.unpack("!H", attrs[2:4])[0], 4
        else:
            vlen, hdr = attrs[2], 3
        v, attrs = attrs[hdr:hdr + vlen], attrs[hdr + vlen:]
        n_attrs += 1
        if atype not in (MP_REACH, MP_UNREACH) or v[2] != SAFI_FLOWSPEC:
            continue
        afi = struct.unpack("!H", v[:2])[0]
        if atype == MP_REACH:
            lst, key = v[4 + v[3] + 1:], "announced"
        else:
            lst, key = v[3:], "withdrawn"
        n = 0
        while lst:
            if lst[0] >= 0xF0:
                ln, lst = ((lst[0] & 0x0F) << 8) | lst[1], lst[2:]
            else:
                ln, lst = lst[0], lst[1:]
            lst = lst[ln:]
            n += 1
        out[key][afi] = out[key].get(afi, 0) + n
        if atype == MP_UNREACH and n == 0 and n_attrs == 1 and not attrs:
            out["eor"] = afi
    return out


# ---- flowspecd's view ----

def ctl(args, *words):
    if not args.ctl:
        return None
    r = subprocess.run([args.ctl, "-s", args.sock] + list(words),
                       capture_output=True, text=True, timeout=10)
    return r.stdout


def neighbor(args):
    out = ctl(args, "show", "neighbor", "--json")
    for n in json.loads(out or "{}").get("neighbors", []):
        if n.get("address") == args.src:
            return n
    return {}


def received(args):
    return ctl(args, "show", "received", args.src) or ""


# ---- the cases ----
# Each returns (ok, text). The expectation is in the docstring (--list).

def expect_notify(peer, code, subcode, data=None, setup=None):
    a = peer.answer()
    if a[0] != "notification":
        return False, "expected NOTIFICATION %d/%d, got %s" % (code, subcode, a[0])
    text = "NOTIFICATION %d/%d data %s" % (a[1], a[2], a[3].hex() or "-")
    ok = (a[1], a[2]) == (code, subcode) and (data is None or a[3] == data)
    if not ok:
        text += " (expected %d/%d%s)" % (code, subcode,
                                         "" if data is None else " data " + data.hex())
    return ok, text


def opensent(peer):
    m = peer.recv(WAIT_S)
    if not m or m[0] != OPEN:
        raise RuntimeError("no OPEN from flowspecd")


def case_bad_marker(args, peer):
    """1/1 Connection Not Synchronized (RFC 4271 §6.1): marker not all ones."""
    opensent(peer)
    peer.send(msg(OPEN, open_body(args), marker=b"\xff" * 15 + b"\xfe"))
    return expect_notify(peer, 1, 1)


def case_short_length(args, peer):
    """1/2 Bad Message Length, data = the Length field: length 18 < 19."""
    opensent(peer)
    peer.send(MARKER + struct.pack("!HB", 18, KEEPALIVE))
    return expect_notify(peer, 1, 2, struct.pack("!H", 18))


def case_long_length(args, peer):
    """1/2 Bad Message Length, data = the Length field: 4097 > 4096 (no
    extended messages before the OPENs are exchanged, RFC 8654 §4)."""
    opensent(peer)
    peer.send(MARKER + struct.pack("!HB", 4097, OPEN) + b"\x00" * 4078)
    return expect_notify(peer, 1, 2, struct.pack("!H", 4097))


def case_bad_type(args, peer):
    """1/3 Bad Message Type, data = the Type field: type 7."""
    opensent(peer)
    peer.send(msg(7))
    return expect_notify(peer, 1, 3, b"\x07")


def case_keepalive_length(args, peer):
    """1/2 Bad Message Length: a KEEPALIVE of 20 octets (§6.1: must be 19)."""
    opensent(peer)
    peer.send(msg(KEEPALIVE, b"\x00"))
    return expect_notify(peer, 1, 2, struct.pack("!H", 20))


def case_open_version(args, peer):
    """2/1 Unsupported Version Number, data = 4 in two octets: version 3."""
    opensent(peer)
    peer.send(msg(OPEN, open_body(args, version=3)))
    return expect_notify(peer, 2, 1, b"\x00\x04")


def case_open_peer_as(args, peer):
    """2/2 Bad Peer AS: AS (and 4-octet AS capability) not the configured one."""
    opensent(peer)
    args.peer_as += 1
    try:
        body = open_body(args)
    finally:
        args.peer_as -= 1
    peer.send(msg(OPEN, body))
    return expect_notify(peer, 2, 2)


def case_open_hold_time(args, peer):
    """2/6 Unacceptable Hold Time: hold time 1 (§4.2: 0 or at least 3)."""
    opensent(peer)
    peer.send(msg(OPEN, open_body(args, hold=1)))
    return expect_notify(peer, 2, 6)


def case_open_bgp_id(args, peer):
    """2/3 Bad BGP Identifier: identifier 0.0.0.0."""
    opensent(peer)
    peer.send(msg(OPEN, open_body(args, bgp_id="0.0.0.0")))
    return expect_notify(peer, 2, 3)


def case_open_truncated_cap(args, peer):
    """2/0 (§6.2: a recognized optional parameter that is malformed): a
    capability whose length runs past its parameter."""
    opensent(peer)
    caps = struct.pack("!BB", CAP_MP, 4) + struct.pack("!HB", AFI_IPV4, 0)
    params = struct.pack("!BB", 2, len(caps)) + caps   # 1 octet short
    peer.send(msg(OPEN, open_body(args, params=params)))
    return expect_notify(peer, 2, 0)


def case_update_in_opensent(args, peer):
    """5/1 Receive Unexpected Message in OpenSent State (RFC 6608): an
    UPDATE before any OPEN."""
    opensent(peer)
    peer.send(msg(UPDATE, update_body(b"")))
    return expect_notify(peer, 5, 1)


def case_attr_overrun(args, peer):
    """3/1 Malformed Attribute List: an attribute length running past the
    Total Path Attribute Length. (RFC 7606 §4 would allow
    treat-as-withdraw when the NLRI can still be found; flowspecd resets
    because its MP_REACH_NLRI may lie past the fault: see fsm.c.)"""
    peer.establish()
    attrs = base_attrs(args) + mp_reach(GOOD)
    attrs += struct.pack("!BBB", OPTIONAL | WELL_KNOWN, EXT_COMM, 16) + b"\x80\x06" + b"\x00" * 6
    peer.send(msg(UPDATE, update_body(attrs)))
    return expect_notify(peer, 3, 1)


def case_duplicate_mp_reach(args, peer):
    """3/1 Malformed Attribute List: MP_REACH_NLRI twice (RFC 7606 §3 g)."""
    peer.establish()
    attrs = base_attrs(args) + mp_reach(GOOD) + mp_reach(GOOD2)
    peer.send(msg(UPDATE, update_body(attrs)))
    return expect_notify(peer, 3, 1)


def case_duplicate_origin(args, peer):
    """No NOTIFICATION, and the rule is taken: ORIGIN twice (RFC 7606 §3 g:
    the copies after the first are discarded and the UPDATE is processed;
    only MP_REACH/MP_UNREACH twice resets)."""
    peer.establish()
    attrs = (base_attrs(args) + attr(WELL_KNOWN, ORIGIN, b"\x02") + discard() +
             mp_reach(GOOD))
    peer.send(msg(UPDATE, update_body(attrs)))
    a = peer.answer(QUIET_S)
    if a[0] != "none":
        return False, "expected no answer, got %s" % (a,)
    if args.ctl and not wait_for(lambda: GOOD_TEXT in received(args), 3):
        return False, ("session up, but the rule of that UPDATE was not "
                       "taken (updates_invalid %s)"
                       % neighbor(args).get("updates_invalid"))
    return True, "no NOTIFICATION; the second ORIGIN is discarded, the rule taken"


def case_bad_mp_afi(args, peer):
    """No NOTIFICATION: MP_REACH_NLRI with AFI 3, never negotiated (RFC 4760
    §7: delete and ignore that AFI/SAFI; terminating is a MAY). Counted in
    updates_invalid; the session stays up."""
    peer.establish()
    attrs = base_attrs(args) + mp_reach(GOOD, afi=3)
    before = neighbor(args).get("updates_invalid", 0)
    peer.send(msg(UPDATE, update_body(attrs)))
    ok, text = expect_survives(args, peer)
    after = neighbor(args).get("updates_invalid", 0)
    if args.ctl and after != before + 1:
        return False, text + "; updates_invalid %s -> %s" % (before, after)
    return ok, text


def case_invalid_nlri(args, peer):
    """No NOTIFICATION (RFC 8955 §4.2, RFC 7606 §5.4: treat-as-withdraw):
    Flowspec components out of order. The rule is not kept, updates_invalid
    counts it, the session stays up and takes the next good UPDATE."""
    peer.establish()
    before = neighbor(args).get("updates_invalid", 0)
    peer.send(msg(UPDATE, update_body(base_attrs(args) + discard() +
                                      mp_reach(BAD_ORDER))))
    ok, text = expect_survives(args, peer)
    after = neighbor(args).get("updates_invalid", 0)
    if args.ctl and (after != before + 1 or "192.0.2.0/24" in received(args)):
        return False, text + "; updates_invalid %s -> %s, received: %s" % (
            before, after, received(args).strip().replace("\n", " / "))
    return ok, text


def case_nlri_overrun(args, peer):
    """3/9 Optional Attribute Error (RFC 7606 §5.3, RFC 4760 §7): a
    Flowspec NLRI length running past MP_REACH_NLRI, so no NLRI can be
    found."""
    peer.establish()
    bad = struct.pack("!B", 20) + bytes([FS_DST, 24, 192, 0, 2])
    peer.send(msg(UPDATE, update_body(base_attrs(args) + mp_reach(bad))))
    return expect_notify(peer, 3, 9)


def case_treat_as_withdraw(args, peer):
    """No NOTIFICATION, and the rule is gone: a good rule, then the same
    rule again with an ORIGIN of 7 (RFC 7606 §7.1: treat-as-withdraw, so
    the rule counts as withdrawn)."""
    peer.establish()
    good = base_attrs(args) + discard() + mp_reach(GOOD)
    peer.send(msg(UPDATE, update_body(good)))
    if args.ctl and not wait_for(lambda: GOOD_TEXT in received(args)):
        return False, "the good rule never showed in show received"
    bad = (attr(WELL_KNOWN, ORIGIN, b"\x07") +
           base_attrs(args)[4:] + discard() + mp_reach(GOOD))
    peer.send(msg(UPDATE, update_body(bad)))
    a = peer.answer(QUIET_S)
    if a[0] != "none":
        return False, "expected no answer, got %s" % (a,)
    if args.ctl and not wait_for(lambda: GOOD_TEXT not in received(args), 3):
        return False, ("session up, but the rule is still kept after the "
                       "treat-as-withdraw UPDATE (show received: %s)"
                       % received(args).strip())
    return True, "no NOTIFICATION; the rule is withdrawn"


def case_route_refresh(args, peer):
    """The table again (RFC 2918, RFC 7313 §4): with enhanced route refresh,
    a ROUTE-REFRESH for IPv4 Flowspec gets BoRR, every IPv4 rule, EoRR."""
    table = peer.establish(enhanced=True)
    peer.send(msg(ROUTE_REFRESH, struct.pack("!HBB", AFI_IPV4, RR_REQUEST, SAFI_FLOWSPEC)))
    seen, n = [], 0
    deadline = time.monotonic() + WAIT_S
    while time.monotonic() < deadline and "EoRR" not in seen:
        m = peer.recv(max(0.0, deadline - time.monotonic()))
        if m is None:
            break
        if m[0] == ROUTE_REFRESH and m[1][2] in (RR_BORR, RR_EORR):
            seen.append("BoRR" if m[1][2] == RR_BORR else "EoRR")
        elif m[0] == UPDATE:
            n += parse_update(m[1])["announced"].get(AFI_IPV4, 0)
        elif m[0] == NOTIFICATION:
            return False, "NOTIFICATION %d/%d" % (m[1][0], m[1][1])
    text = "%s, %d IPv4 rules again (table: %d)" % (" ".join(seen) or "no BoRR/EoRR",
                                                    n, table[AFI_IPV4])
    return seen == ["BoRR", "EoRR"] and n == table[AFI_IPV4] and n > 0, text


def case_refresh_bad_length(args, peer):
    """7/1 ROUTE-REFRESH Message Error / Invalid Message Length, data = the
    message (RFC 7313 §5): a ROUTE-REFRESH of 24 octets, enhanced route
    refresh negotiated."""
    peer.establish(enhanced=True)
    bad = msg(ROUTE_REFRESH, struct.pack("!HBB", AFI_IPV4, RR_REQUEST, SAFI_FLOWSPEC) + b"\x00")
    peer.send(bad)
    return expect_notify(peer, 7, 1, bad)


def wait_for(pred, secs=5):
    deadline = time.monotonic() + secs
    while time.monotonic() < deadline:
        if pred():
            return True
        time.sleep(0.2)
    return pred()


def expect_survives(args, peer):
    """No answer for QUIET_S, then a good UPDATE is taken (when --ctl)."""
    a = peer.answer(QUIET_S)
    if a[0] != "none":
        return False, "expected no NOTIFICATION, got %s" % (a,)
    peer.send(msg(KEEPALIVE))
    peer.send(msg(UPDATE, update_body(base_attrs(args) + discard() + mp_reach(GOOD2))))
    a = peer.answer(QUIET_S)
    if a[0] != "none":
        return False, "no NOTIFICATION, but then %s" % (a,)
    if args.ctl and not wait_for(lambda: GOOD2_TEXT in received(args)):
        return False, "session up but the next good rule was not kept"
    return True, "no NOTIFICATION; the session stays up and takes the next UPDATE"


CASES = {name[5:].replace("_", "-"): fn for name, fn in sorted(globals().items())
         if name.startswith("case_")}


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--dst")
    ap.add_argument("--src")
    ap.add_argument("--as", dest="peer_as", type=int)
    ap.add_argument("--fsd-as", type=int)
    ap.add_argument("--ctl")
    ap.add_argument("--sock")
    ap.add_argument("--list", action="store_true")
    ap.add_argument("case", nargs="?")
    args = ap.parse_args()
    if args.list:
        for name, fn in CASES.items():
            print("%-22s %s" % (name, " ".join(fn.__doc__.split())))
        return 0
    if args.case not in CASES or not (args.dst and args.src and args.peer_as):
        ap.error("need --dst, --src, --as and a case (--list)")
    try:
        peer = Peer(args)
    except OSError as e:
        print("%s: cannot connect from %s to %s: %s" % (args.case, args.src, args.dst, e))
        return 2
    try:
        ok, text = CASES[args.case](args, peer)
    except (RuntimeError, OSError, subprocess.SubprocessError, ValueError) as e:
        print("%s: %s" % (args.case, e))
        return 2
    finally:
        peer.sock.close()
    print("%s: %s" % (args.case, text))
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
