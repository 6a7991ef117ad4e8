#!/usr/bin/env python3
"""Compares `flowspecctl decode` with tshark on every UPDATE of a capture.

Called by pcap_check.sh (see there for the whole pipeline):

    pcap_check.py [--expect ANNOUNCED,WITHDRAWN,EOR] CTL SEGMENTS PDML

CTL       the flowspecctl binary
SEGMENTS  tshark -T fields of every TCP segment with payload:
          frame.number, tcp.stream, tcp.srcport, tcp.dstport, tcp.seq
          (relative), tcp.len, tcp.payload (tab-separated, in frame order)
PDML      tshark -T pdml of the same capture, BGP decoded
--expect  the Flowspec NLRI totals the capture must hold (pcaps/README.md)

The TCP payload of each direction is put back together by sequence number
and cut into BGP messages by their header length (RFC 4271 §4.1), so a
segment with several messages, or a message split over segments, is one
message here. tshark's BGP messages are matched to them in order, direction
by direction, and every field tshark shows is checked against the octets of
the message at the place tshark gives it (so both sides look at the same
bytes). Each UPDATE goes through `flowspecctl decode HEX`; its canonical text
is read back into (AFI, components, operators, values, extended communities)
here, independently of the C code, and compared NLRI by NLRI with tshark's
decode. Where tshark 4.0 cannot decode a field (BYTES_ONLY below), the field
is read from the octets by RFC 8955 / RFC 8956 here and compared with that.

Prints "PASS: pcap/frameN" or "FAIL: pcap/frameN: <what differs>" per UPDATE
(frameN.K when frame N ends several BGP messages), "PASS/FAIL: pcap/messages"
for the message split and "PASS/FAIL: pcap/totals"; exits 1 if any failed.
A summary (counts, what was read from octets) goes to stderr.
Python 3 standard library only.
"""

import ipaddress
import re
import struct
import subprocess
import sys
import xml.etree.ElementTree as ET

# What tshark 4.0.17 (Debian 12) cannot decode in a Flowspec UPDATE, and how
# it is checked instead. Each was seen with tshark 4.0.17.
BYTES_ONLY = {
    "flow-label": (
        "component type 13 (flow label, RFC 8956 §3.7) is 'Unknown filter "
        "13' with no operators: its operators and values are read from the "
        "octets, from the type octet tshark locates to the end of the NLRI "
        "(type 13 is the highest, so it is last)"),
    "dscp-operator": (
        "component type 11 (DSCP) is shown with the bitmask operator "
        "(not/match) instead of the numeric one (RFC 8955 §4.2.2.11): the "
        "operator octet tshark isolates is read as numeric (lt/gt/eq, and, "
        "end-of-list); tshark's value is used"),
    "ipv6-offset": (
        "an IPv6 prefix with a non-zero offset (RFC 8956 §3.1) is read by "
        "tshark as length/8 octets from address bit 0, not as the "
        "length-offset bits of the pattern: the whole NLRI is read from the "
        "octets by the RFC 8956 rule (pattern = address bits offset..length; "
        "example in RFC 8956 §3.8.2)"),
    "tcp-flags-2-octet": (
        "of a 2-octet TCP flags value (RFC 8955 §4.2.2.9) tshark shows only "
        "the low octet and loses its place: the whole NLRI is read from the "
        "octets"),
    "ext-0x800c": (
        "traffic-rate-packets (0x800c, RFC 8955 §7.2) is 'Unknown subtype "
        "0x0c': its 8 octets are read (2-octet id, IEEE float)"),
    "ext-0x0800": (
        "redirect to next hop (0x0800, draft-simpson-idr-flowspec-redirect) "
        "is 'Unknown type 0x08 subtype 0x00': its 8 octets are read"),
    "ext-other": (
        "an extended community tshark does not name: its 8 octets are read"),
}
# What the canonical text does not show, so it is not compared.
NOT_IN_TEXT = {
    "traffic-rate-id": (
        "the 2-octet id of traffic-rate (0x8006/0x800c): RFC 8955 §7.1 says "
        "it 'is purely informational and SHOULD NOT be interpreted'; the "
        "text (as ExaBGP's) has no place for it, only the rate is compared"),
    "value-length": (
        "the value length of an operator (RFC 8955 §4.2.1.1 'len'): the text "
        "has numbers, not octets; tshark's value is compared as a number"),
    "true-false-value": (
        "the value of a 'true'/'false' numeric operator (it cannot change "
        "the match)"),
}

# ---- RFC tables -------------------------------------------------------------

AFI_IPV4, AFI_IPV6 = 1, 2
SAFI_FLOWSPEC = 133
MSG_OPEN, MSG_UPDATE, MSG_NOTIFICATION, MSG_KEEPALIVE = 1, 2, 3, 4
HEADER_LEN, MARKER = 19, b"\xff" * 16
ATTR_MP_REACH, ATTR_MP_UNREACH, ATTR_EXT_COMM, ATTR_COMM = 14, 15, 16, 8
ATTR_EXT6_COMM = 25

# Component types, RFC 8955 §4.2.2 and RFC 8956 §3.
T_DST, T_SRC, T_PROTO, T_PORT, T_DPORT, T_SPORT = 1, 2, 3, 4, 5, 6
T_ICMP_TYPE, T_ICMP_CODE, T_TCP_FLAGS, T_PKT_LEN = 7, 8, 9, 10
T_DSCP, T_FRAGMENT, T_FLOW_LABEL = 11, 12, 13
PREFIX_TYPES = (T_DST, T_SRC)
BITMASK_TYPES = (T_TCP_FLAGS, T_FRAGMENT)
TYPE_NAMES = {1: "destination", 2: "source", 3: "protocol", 4: "port",
              5: "destination-port", 6: "source-port", 7: "icmp-type",
              8: "icmp-code", 9: "tcp-flags", 10: "packet-length",
              11: "dscp", 12: "fragment", 13: "flow-label"}

# Operator octet, RFC 8955 §4.2.1.1 (numeric) and §4.2.1.2 (bitmask).
OP_EOL, OP_AND, OP_LEN_MASK, OP_LEN_SHIFT = 0x80, 0x40, 0x30, 4
NUM_LT, NUM_GT, NUM_EQ = 0x04, 0x02, 0x01
BIT_NOT, BIT_MATCH = 0x02, 0x01
NUM_TEXT = {0: "false", 1: "=", 2: ">", 3: ">=", 4: "<", 5: "<=", 6: "!=",
            7: "true"}
NUM_BITS = {v: k for k, v in NUM_TEXT.items()}

# The rule text's keywords (ExaBGP syntax, DESIGN.md) -> component type.
KEYWORDS = {"destination": T_DST, "destination-ipv4": T_DST,
            "destination-ipv6": T_DST, "source": T_SRC, "source-ipv4": T_SRC,
            "source-ipv6": T_SRC, "protocol": T_PROTO,
            "next-header": T_PROTO, "port": T_PORT,
            "destination-port": T_DPORT, "source-port": T_SPORT,
            "icmp-type": T_ICMP_TYPE, "icmp-code": T_ICMP_CODE,
            "tcp-flags": T_TCP_FLAGS, "packet-length": T_PKT_LEN,
            "dscp": T_DSCP, "traffic-class": T_DSCP,
            "fragment": T_FRAGMENT, "flow-label": T_FLOW_LABEL}
# Keywords that say which family the rule is for.
KEYWORD_AFI = {"next-header": AFI_IPV6, "flow-label": AFI_IPV6,
               "traffic-class": AFI_IPV6, "protocol": AFI_IPV4,
               "destination-ipv4": AFI_IPV4, "source-ipv4": AFI_IPV4,
               "destination-ipv6": AFI_IPV6, "source-ipv6": AFI_IPV6}
# IANA protocol numbers.
PROTOCOLS = {"icmp": 1, "igmp": 2, "tcp": 6, "egp": 8, "udp": 17,
             "rsvp": 46, "gre": 47, "esp": 50, "ah": 51, "icmpv6": 58,
             "ospf": 89, "pim": 103, "sctp": 132}
# TCP header flags (RFC 9293 §3.1 bit order; RFC 8955 §4.2.2.9).
TCP_FLAGS = {"fin": 0x01, "syn": 0x02, "rst": 0x04, "push": 0x08,
             "psh": 0x08, "ack": 0x10, "urgent": 0x20, "urg": 0x20,
             "ece": 0x40, "cwr": 0x80}
# Fragment bitmask, RFC 8955 §4.2.2.12: | 0 0 0 0 | LF FF IsF DF |.
FRAGMENTS = {"dont-fragment": 0x01, "is-fragment": 0x02,
             "first-fragment": 0x04, "last-fragment": 0x08,
             "not-a-fragment": 0x00}
BIT_NAMES = {T_TCP_FLAGS: TCP_FLAGS, T_FRAGMENT: FRAGMENTS}
# Well-known communities, RFC 1997 and RFC 7999.
WELL_KNOWN = {"no-export": 0xffffff01, "no-advertise": 0xffffff02,
              "no-export-subconfed": 0xffffff03, "blackhole": 0xffff029a}


class Bad(Exception):
    """Octets that break an RFC rule; .at is the offset in the input."""

    def __init__(self, at, why):
        super().__init__("octet %d: %s" % (at, why))
        self.at, self.why = at, why


def f32(x):
    """x rounded to an IEEE single (the wire format of traffic-rate)."""
    return struct.unpack(">f", struct.pack(">f", float(x)))[0]


def max_bits(afi):
    return 32 if afi == AFI_IPV4 else 128


def pattern_of(afi, addr, length, offset):
    """The address bits offset..length-1 of an address (as int)."""
    width = max_bits(afi)
    mask = ((1 << (length - offset)) - 1) << (width - length)
    return addr & mask


def show_prefix(afi, length, offset, pattern):
    cls = ipaddress.IPv4Address if afi == AFI_IPV4 else ipaddress.IPv6Address
    text = "%s/%d" % (cls(pattern), length)
    return text + ("/%d" % offset if offset else "")


def show_bits(ctype, value):
    names = [n for n, b in BIT_NAMES[ctype].items()
             if b and value & b and n not in ("psh", "urg")]
    known = sum(BIT_NAMES[ctype][n] for n in names)
    return "+".join(names) if value and known == value else "0x%x" % value


def show_ops(ctype, ops):
    out = []
    for and_, bits, value in ops:
        term = "&" if and_ else (" " if out else "")
        if ctype in BITMASK_TYPES:
            term += ("!" if bits & BIT_NOT else "") + \
                ("=" if bits & BIT_MATCH else "") + show_bits(ctype, value)
        elif bits in (0, 7):
            term += NUM_TEXT[bits]
        else:
            term += "%s%d" % (NUM_TEXT[bits], value)
        out.append(term)
    return "".join(out)


def show_comp(afi, comp):
    ctype, val = comp
    if ctype in PREFIX_TYPES:
        return show_prefix(afi, *val)
    return show_ops(ctype, val)


# ---- NLRI octets by the RFC -------------------------------------------------

def nlri_body(octets):
    head = 2 if octets[0] >= 0xf0 else 1
    return head, octets[head:]


def parse_ops(body, i, ctype):
    """Operators from body[i]: ([(and, bits, value)], next i, [vlen])."""
    ops, lens = [], []
    while True:
        if i >= len(body):
            raise Bad(i, "component %d: operator list has no end-of-list"
                      % ctype)
        op = body[i]
        vlen = 1 << ((op & OP_LEN_MASK) >> OP_LEN_SHIFT)
        if i + 1 + vlen > len(body):
            raise Bad(i, "component %d: value runs past the NLRI" % ctype)
        value = int.from_bytes(body[i + 1:i + 1 + vlen], "big")
        bits = op & (0x03 if ctype in BITMASK_TYPES else 0x07)
        # RFC 8955 §4.2.1.1: the AND bit of the first operator is ignored.
        ops.append((bool(op & OP_AND) and bool(ops), bits, value))
        lens.append(vlen)
        i += 1 + vlen
        if op & OP_EOL:
            return ops, i, lens


def parse_nlri(body, afi, pre_rfc=False):
    """Components [(type, value)] of an NLRI body by RFC 8955 / RFC 8956.

    A prefix value is (length, offset, pattern), pattern being the address
    bits offset..length-1 in place; an operator list is [(and, bits, value)].
    pre_rfc reads an IPv6 prefix as GoBGP 3.10 sends it and tshark 4.0
    reads it (length/8 octets from bit 0; the offset only said).
    Also returns the set of BYTES_ONLY keys the NLRI runs into.
    Raises Bad (offset in body) on octets that break the RFC.
    """
    comps, found, i, last = [], set(), 0, 0
    while i < len(body):
        ctype = body[i]
        if not 1 <= ctype <= (13 if afi == AFI_IPV6 else 12):
            raise Bad(i, "component type %d is not defined for AFI %d "
                      "(RFC 8955 §4.2.2, RFC 8956 §3)" % (ctype, afi))
        if ctype <= last:
            raise Bad(i, "component type %d after type %d: types must "
                      "increase (RFC 8955 §4.2.2)" % (ctype, last))
        last = ctype
        i += 1
        if ctype in PREFIX_TYPES:
            width = max_bits(afi)
            if afi == AFI_IPV4:
                if i >= len(body):
                    raise Bad(i, "prefix length missing")
                length, offset, i = body[i], 0, i + 1
            else:
                if i + 2 > len(body):
                    raise Bad(i, "prefix length/offset missing")
                length, offset, i = body[i], body[i + 1], i + 2
                if offset:
                    found.add("ipv6-offset")
            if length > width or offset > length:
                raise Bad(i - 1, "prefix length %d offset %d for a %d-bit "
                          "address (RFC 8956 §3.1)" % (length, offset, width))
            first = 0 if pre_rfc else offset
            size = (length - first + 7) // 8
            if i + size > len(body):
                raise Bad(i, "prefix pattern of %d octets runs past the NLRI"
                          % size)
            raw = int.from_bytes(body[i:i + size], "big")
            # Place the octets at bit `first` of the address; padding bits
            # past `length` are ignored (RFC 8956 §3.1).
            addr = (raw << (width - first - 8 * size)) if size else 0
            comps.append((ctype, (length, offset, pattern_of(
                afi, addr, length, first))))
            i += size
            continue
        if ctype == T_FLOW_LABEL:
            found.add("flow-label")
        ops, i, lens = parse_ops(body, i, ctype)
        if ctype == T_TCP_FLAGS and any(n == 2 for n in lens):
            found.add("tcp-flags-2-octet")
        comps.append((ctype, ops))
    return comps, found


# ---- extended communities by the RFC ----------------------------------------

def ext_from_octets(raw):
    """One 8-octet extended community as a comparable tuple."""
    kind = raw[:2]
    v = raw[2:]
    if kind in (b"\x80\x06", b"\x80\x0c"):                # RFC 8955 §7.1-7.2
        return ("rate", kind.hex(), struct.unpack(">f", v[2:6])[0])
    if kind == b"\x80\x07":                               # RFC 8955 §7.3
        return ("action", v[5] >> 1 & 1, v[5] & 1, v[5] & 0xfc, v[:5].hex())
    if kind == b"\x80\x08":                               # RFC 8955 §7.4
        return ("redirect-as2", int.from_bytes(v[:2], "big"),
                int.from_bytes(v[2:], "big"))
    if kind == b"\x81\x08":
        return ("redirect-ip4", str(ipaddress.IPv4Address(v[:4])),
                int.from_bytes(v[4:], "big"))
    if kind == b"\x82\x08":
        return ("redirect-as4", int.from_bytes(v[:4], "big"),
                int.from_bytes(v[4:], "big"))
    if kind == b"\x80\x09":                               # RFC 8955 §7.5
        return ("mark", v[5] & 0x3f, v[:5].hex() + "%02x" % (v[5] & 0xc0))
    if kind == b"\x08\x00":           # draft-simpson-idr-flowspec-redirect
        return ("redirect-nh", v[4:].hex(), v[:4].hex())
    if kind == b"\x01\x0c":           # draft-ietf-idr-flowspec-redirect-ip
        return ("redirect-ip-ietf", str(ipaddress.IPv4Address(v[:4])),
                int.from_bytes(v[4:], "big"))
    if kind == b"\x00\x02":                               # RFC 4360 §3.1
        return ("target", int.from_bytes(v[:2], "big"),
                int.from_bytes(v[2:], "big"))
    return ("raw", raw.hex())


def show_ext(t):
    return ":".join(str(x) for x in t)


# ---- the canonical text, read back ------------------------------------------

TOKEN = re.compile(r'"(?:[^"\\]|\\.)*"|[\[\]{};]|[^\s\[\]{};]+')


class Text:
    """One `flow route { … }` line of flowspecctl decode, read back."""

    def __init__(self, line):
        self.line = line
        self.toks = TOKEN.findall(line)
        self.i = 0
        self.withdraw = self.accept("withdraw")
        self.want("flow")
        self.want("route")
        self.want("{")
        self.want("match")
        self.match = self.block()           # [(keyword, [tokens])]
        self.then = None
        if self.accept("then"):
            self.then = self.block()
        self.want("}")
        if self.i != len(self.toks):
            raise ValueError("text after the rule: %r"
                             % " ".join(self.toks[self.i:]))
        if self.withdraw == (self.then is not None):
            raise ValueError("a withdraw has no 'then', an announce has one")

    def accept(self, word):
        if self.i < len(self.toks) and self.toks[self.i] == word:
            self.i += 1
            return True
        return False

    def want(self, word):
        if not self.accept(word):
            got = self.toks[self.i] if self.i < len(self.toks) else "the end"
            raise ValueError("expected %r, found %r" % (word, got))

    def block(self):
        self.want("{")
        out = []
        while not self.accept("}"):
            if self.i >= len(self.toks):
                raise ValueError("block not closed")
            name = self.toks[self.i]
            self.i += 1
            args = []
            while not self.accept(";"):
                if self.i >= len(self.toks) or self.toks[self.i] in "{}":
                    raise ValueError("statement %r not ended by ';'" % name)
                args.append(self.toks[self.i])
                self.i += 1
            out.append((name, args))
        return out


def list_words(args):
    """`x` or `[ x y ]` -> [x, y]."""
    if args[:1] == ["["]:
        if args[-1:] != ["]"] or "[" in args[1:-1] or "]" in args[1:-1]:
            raise ValueError("bad list %r" % " ".join(args))
        words = args[1:-1]
    else:
        words = args
    if not words:
        raise ValueError("empty value")
    return words


def text_value(ctype, word):
    if ctype == T_PROTO and word in PROTOCOLS:
        return PROTOCOLS[word]
    if not re.fullmatch(r"[0-9]+", word):
        raise ValueError("component %d: bad value %r" % (ctype, word))
    return int(word)


def text_bits(ctype, word):
    names = BIT_NAMES[ctype]
    if word in names:
        return names[word]
    if re.fullmatch(r"[0-9]+", word):
        return int(word)
    value = 0
    for part in word.split("+"):
        if part not in names or not names[part]:
            raise ValueError("component %d: bad flag %r" % (ctype, part))
        value |= names[part]
    return value


def text_ops(ctype, words):
    """Operator words -> [(and, bits, value)]; '&' joins terms by AND."""
    ops = []
    for word in words:
        for n, term in enumerate(word.split("&")):
            if not term:
                raise ValueError("empty term in %r" % word)
            if ctype in BITMASK_TYPES:
                m = re.fullmatch(r"(!?)(=?)(.+)", term)
                bits = (BIT_NOT if m.group(1) else 0) | \
                    (BIT_MATCH if m.group(2) else 0)
                ops.append((n > 0, bits, text_bits(ctype, m.group(3))))
                continue
            m = re.fullmatch(r"(true|false|>=|<=|!=|=|>|<)(.*)", term)
            if not m:
                raise ValueError("component %d: bad term %r" % (ctype, term))
            bits = NUM_BITS[m.group(1)]
            if bits in (0, 7):
                if m.group(2):
                    raise ValueError("a value after %r" % m.group(1))
                ops.append((n > 0, bits, None))
            else:
                ops.append((n > 0, bits, text_value(ctype, m.group(2))))
    return ops


def text_prefix(word):
    """'addr/len' or 'addr/len/offset' -> (afi, (len, offset, pattern), ok)."""
    parts = word.split("/")
    if len(parts) not in (2, 3):
        raise ValueError("bad prefix %r" % word)
    addr = ipaddress.ip_address(parts[0])
    afi = AFI_IPV4 if addr.version == 4 else AFI_IPV6
    length = int(parts[1])
    offset = int(parts[2]) if len(parts) == 3 else 0
    if length > max_bits(afi) or offset > length or \
            (afi == AFI_IPV4 and len(parts) == 3):
        raise ValueError("bad prefix %r" % word)
    pattern = pattern_of(afi, int(addr), length, offset)
    return afi, (length, offset, pattern), pattern == int(addr)


def text_rule(line):
    """(withdraw, afi or None, comps, exts, comms, problems) of a line."""
    t = Text(line)
    comps, afis, problems = [], set(), []
    for name, args in t.match:
        if name not in KEYWORDS:
            raise ValueError("unknown component %r" % name)
        ctype = KEYWORDS[name]
        if name in KEYWORD_AFI:
            afis.add(KEYWORD_AFI[name])
        if ctype in PREFIX_TYPES:
            if len(args) != 1:
                raise ValueError("%s takes one prefix" % name)
            afi, value, canonical = text_prefix(args[0])
            afis.add(afi)
            if not canonical:
                problems.append("%s %s has address bits outside "
                                "offset..length" % (name, args[0]))
            comps.append((ctype, value))
        else:
            comps.append((ctype, text_ops(ctype, list_words(args))))
    if len(afis) > 1:
        problems.append("the text mixes IPv4 and IPv6 (%s)" % line)
    # No prefix and no IPv6-only keyword: the text's default, IPv4.
    afi = afis.pop() if len(afis) == 1 else None if afis else AFI_IPV4
    exts, comms = [], []
    for name, args in t.then or []:
        exts += text_action(name, args, comms)
    if t.then is not None and any(n == "accept" for n, _ in t.then) and \
            (len(t.then) != 1):
        problems.append("'accept' with other actions")
    return t.withdraw, afi, comps, exts, comms, problems


def text_action(name, args, comms):
    """Extended communities an action statement stands for."""
    one = args[0] if len(args) == 1 else None
    if name == "accept" and not args:
        return []
    if name == "discard" and not args:
        return [("rate", "8006", 0.0)]
    if name == "rate-limit" and len(args) in (1, 2):
        kind = "8006"
        if len(args) == 2:
            if args[1] != "packets":
                raise ValueError("rate-limit %s" % " ".join(args))
            kind = "800c"
        return [("rate", kind, f32(args[0]))]
    if name == "redirect" and one:
        m = re.fullmatch(r"(.+):([0-9]+)", one)
        if not m:
            raise ValueError("cannot map 'redirect %s' back" % one)
        admin, local = m.group(1), int(m.group(2))
        if "." in admin:
            return [("redirect-ip4", str(ipaddress.IPv4Address(admin)),
                     local)]
        # The text does not say which of 0x8008 / 0x8208: an AS above 65535
        # needs 0x8208 (RFC 8955 §7.4), the others are taken as 0x8008.
        asn = int(admin)
        return [("redirect-as4" if asn > 0xffff else "redirect-as2", asn,
                 local)]
    if name == "mark" and one:
        return [("mark", int(one), "0" * 12)]
    if name == "action" and one in ("sample", "terminal", "sample-terminal"):
        return [("action", int("sample" in one), int("terminal" in one), 0,
                 "0" * 10)]
    if name == "redirect-to-nexthop" and not args:
        return [("redirect-nh", "0000", "00000000")]
    if name == "community" and args:
        for word in list_words(args):
            if word in WELL_KNOWN:
                comms.append("%d:%d" % (WELL_KNOWN[word] >> 16,
                                        WELL_KNOWN[word] & 0xffff))
            else:
                hi, lo = (int(x) for x in word.split(":"))
                comms.append("%d:%d" % (hi, lo))
        return []
    if name == "extended-community" and args:
        out = []
        for word in list_words(args):
            m = re.fullmatch(r"target:([0-9]+):([0-9]+)", word)
            if m:
                out.append(("target", int(m.group(1)), int(m.group(2))))
            elif re.fullmatch(r"0x(?:[0-9a-f]{16}|[0-9a-f]{40})", word):
                raw = bytes.fromhex(word[2:])
                out.append(ext_from_octets(raw) if len(raw) == 8
                           else ("ext6", raw.hex()))
            else:
                raise ValueError("cannot map extended-community %r back"
                                 % word)
        return out
    raise ValueError("cannot map action '%s' back (not handled by "
                     "pcap_check.py)" % " ".join([name] + args))


# ---- TCP reassembly and BGP messages ----------------------------------------

class Message:
    def __init__(self, direction, frame, octets):
        self.dir, self.frame, self.raw = direction, frame, octets
        self.type = octets[18]
        self.name = None
        self.proto = None               # tshark's <proto name="bgp">


def read_messages(path):
    """BGP messages of every TCP direction, in the order they end."""
    streams, order = {}, []
    with open(path, encoding="ascii") as f:
        for line in f:
            cols = line.rstrip("\n").split("\t")
            if len(cols) != 7 or not cols[5] or int(cols[5]) == 0:
                continue
            frame, stream, sport, dport, seq, length, payload = cols
            key = (stream, sport, dport)
            if key not in streams:
                streams[key] = []
                order.append(key)
            data = bytes.fromhex(payload.replace(":", ""))
            if len(data) != int(length):
                raise Bad(0, "frame %s: tcp.len %s but %d payload octets"
                          % (frame, length, len(data)))
            streams[key].append((int(seq), int(frame), data))
    messages = []
    for key in order:
        segs = sorted(streams[key], key=lambda s: (s[0], s[1]))
        buf, ends, nxt = bytearray(), [], segs[0][0]
        for seq, frame, data in segs:
            if seq + len(data) <= nxt:
                continue                # retransmission of octets we have
            if seq > nxt:
                raise Bad(0, "direction %s: %d octets missing before frame "
                          "%d" % ("/".join(key), seq - nxt, frame))
            buf += data[nxt - seq:]
            nxt = seq + len(data)
            ends.append((len(buf), frame))
        i = 0
        while i < len(buf):
            if len(buf) - i < HEADER_LEN or buf[i:i + 16] != MARKER:
                raise Bad(i, "direction %s: no BGP header at stream octet %d"
                          % ("/".join(key), i))
            size = int.from_bytes(buf[i + 16:i + 18], "big")
            if size < HEADER_LEN or i + size > len(buf):
                raise Bad(i, "direction %s: BGP length %d at stream octet %d"
                          % ("/".join(key), size, i))
            frame = next(f for end, f in ends if end >= i + size)
            messages.append(Message(key, frame, bytes(buf[i:i + size])))
            i += size
    per_frame = {}
    for m in messages:
        per_frame.setdefault(m.frame, []).append(m)
    for frame, ms in per_frame.items():
        for k, m in enumerate(ms, 1):
            m.name = "frame%d" % frame + (".%d" % k if len(ms) > 1 else "")
    messages.sort(key=lambda m: (m.frame, per_frame[m.frame].index(m)))
    return messages


# ---- PDML helpers -----------------------------------------------------------

def fields(elem, name):
    return [e for e in elem.iter("field") if e.get("name") == name]


def field(elem, name):
    found = fields(elem, name)
    return found[0] if found else None


def show(elem, name):
    f = field(elem, name)
    return f.get("show") if f is not None else None


def octet_int(e):
    """A field's own octets as a number (unmasked for a bit field)."""
    return int(e.get("unmaskedvalue") or e.get("value") or "0", 16)


def is_set(elem, name):
    return show(elem, name) == "1"


def pdml_bgp(path):
    """[(frame, direction, bgp proto)] in frame order."""
    out = []
    for _, pkt in ET.iterparse(path):
        if pkt.tag != "packet":
            continue
        frame = int(show(pkt, "frame.number"))
        key = (show(pkt, "tcp.stream"), show(pkt, "tcp.srcport"),
               show(pkt, "tcp.dstport"))
        for p in pkt.iter("proto"):
            if p.get("name") == "bgp":
                out.append((frame, key, p))
    return out


# ---- one UPDATE -------------------------------------------------------------

class Update:
    """Checks one UPDATE: our decode against tshark's; collects diffs."""

    def __init__(self, msg, ctl):
        self.msg, self.ctl = msg, ctl
        self.diffs, self.notes = [], []
        self.checks = 0
        self.limits = set()
        self.ours = {"announce": 0, "withdraw": 0}      # lines we printed
        self.refused = {"announce": 0, "withdraw": 0}   # NLRIs refused
        self.compared = 0
        self.eor = False
        self.base = int(msg.proto.get("pos"))

    def expect(self, ok, text):
        self.checks += 1
        if not ok:
            self.diffs.append(text)
        return ok

    def at(self, elem):
        """Offset of a tshark field in the message."""
        return int(elem.get("pos")) - self.base

    def octets(self, elem):
        start = self.at(elem)
        return self.msg.raw[start:start + int(elem.get("size"))]

    def run(self):
        try:
            out = subprocess.run([self.ctl, "decode", self.msg.raw.hex()],
                                 capture_output=True, text=True, timeout=10)
        except subprocess.TimeoutExpired:
            self.expect(False, "flowspecctl decode timed out")
            return
        lines = [x for x in out.stdout.splitlines() if x.strip()]
        tsh = self.tshark_nlris()
        if out.returncode != 0:
            self.refusal(out, tsh)
            return
        if not self.expect(not out.stderr.strip(), "flowspecctl decode "
                           "wrote to stderr: %s" % out.stderr.strip()):
            return
        if not self.expect(len(lines) == len(tsh), "%d NLRIs decoded, tshark "
                           "shows %d" % (len(lines), len(tsh))):
            return
        for line in lines:
            self.ours["withdraw" if line.startswith("withdraw ")
                      else "announce"] += 1
        if not tsh:
            self.end_of_rib()
        for n, (line, t) in enumerate(zip(lines, tsh), 1):
            self.compare(n, line, t)

    # -- tshark's side

    def tshark_nlris(self):
        """[(kind, afi, nlri element, mp attribute)] in message order."""
        out = []
        self.attrs = fields(self.msg.proto, "bgp.update.path_attribute")
        for a in self.attrs:
            code = int(show(a, "bgp.update.path_attribute.type_code"))
            if code not in (ATTR_MP_REACH, ATTR_MP_UNREACH):
                continue
            kind = "reach" if code == ATTR_MP_REACH else "unreach"
            afi = int(show(a, "bgp.update.path_attribute.mp_%s_nlri.afi"
                           % kind))
            safi = int(show(a, "bgp.update.path_attribute.mp_%s_nlri.safi"
                            % kind))
            self.expect(safi == SAFI_FLOWSPEC, "MP_%sREACH_NLRI SAFI %d, not "
                        "Flowspec" % ("" if code == 14 else "UN", safi))
            self.afi_safi = (afi, safi)
            for e in fields(a, "bgp.flowspec_nlri"):
                out.append(("announce" if code == ATTR_MP_REACH
                            else "withdraw", afi, e, a))
        return out

    def end_of_rib(self):
        """RFC 4724 §2: no NLRI; the MP_UNREACH_NLRI (if any) is empty."""
        kinds = [int(show(a, "bgp.update.path_attribute.type_code"))
                 for a in self.attrs]
        wd = int(show(self.msg.proto, "bgp.update.withdrawn_routes.length"))
        ok = wd == 0 and (kinds == [] or kinds == [ATTR_MP_UNREACH])
        self.expect(ok, "no NLRI decoded, but the UPDATE is not an "
                    "End-of-RIB (attributes %s)" % kinds)
        self.eor = ok
        self.notes.append("End-of-RIB%s" % (
            " %d/%d" % self.afi_safi if kinds else " IPv4 unicast"))

    def components(self, elem, afi):
        """tshark's components [(type, value)] of one NLRI element."""
        comps = []
        filters = [e for e in elem if e.get("name") ==
                   "bgp.flowspec_nlri.filter"]
        nlri_end = self.at(elem) + int(elem.get("size"))
        for flt in filters:
            ctype = int(show(flt, "bgp.flowspec_nlri.filter_type"))
            if ctype in PREFIX_TYPES:
                comps.append((ctype, self.tshark_prefix(flt, ctype, afi)))
            elif ctype == T_FLOW_LABEL:
                self.limits.add("flow-label")
                octets = self.msg.raw[self.at(flt):nlri_end]
                try:
                    ops, end, _ = parse_ops(octets, 1, ctype)
                except Bad as e:
                    self.expect(False, "flow label octets %s: %s"
                                % (octets.hex(), e))
                    ops, end = [], len(octets)
                self.expect(end == len(octets), "flow label operators end "
                            "before the NLRI (%s)" % octets.hex())
                comps.append((ctype, ops))
            else:
                comps.append((ctype, self.tshark_ops(flt, ctype)))
        return comps

    def tshark_prefix(self, flt, ctype, afi):
        if afi == AFI_IPV4:
            length = int(show(flt, "bgp.prefix_length"))
            addr = show(flt, "bgp.flowspec_nlri.%s_prefix_filter"
                        % ("dst" if ctype == T_DST else "src"))
            offset = 0
        else:
            length = int(show(flt, "bgp.flowspec_nlri.ipv6_pref_length"))
            offset = int(show(flt, "bgp.flowspec_nlri.ipv6_pref_offset"))
            addr = show(flt, "bgp.flowspec_nlri.%s_ipv6_pref"
                        % ("dst" if ctype == T_DST else "src"))
        value = int(ipaddress.ip_address(addr))
        return (length, offset, pattern_of(afi, value, length, offset))

    def tshark_ops(self, flt, ctype):
        kids = [e for e in flt
                if e.get("name") != "bgp.flowspec_nlri.filter_type"]
        ops = []
        for i in range(0, len(kids), 2):
            opf = kids[i]
            if not self.expect(opf.get("name") == "bgp.flowspec_nlri.opflags"
                               and i + 1 < len(kids), "component %d: tshark "
                               "shows %s where an operator is due"
                               % (ctype, opf.get("name"))):
                return ops
            val = kids[i + 1]
            octet = octet_int(opf)
            and_ = is_set(opf, "bgp.flowspec_nlri.op.and")
            numeric = field(opf, "bgp.flowspec_nlri.op.equal") is not None
            if ctype == T_DSCP and not numeric:
                # tshark reads the DSCP operator as a bitmask one.
                self.limits.add("dscp-operator")
                bits = octet & 0x07
                and_ = bool(octet & OP_AND)
            elif numeric:
                self.expect(ctype not in BITMASK_TYPES, "component %d: tshark "
                            "reads a numeric operator" % ctype)
                bits = (NUM_LT if is_set(opf, "bgp.flowspec_nlri.op.lt")
                        else 0) | \
                    (NUM_GT if is_set(opf, "bgp.flowspec_nlri.op.gt")
                     else 0) | \
                    (NUM_EQ if is_set(opf, "bgp.flowspec_nlri.op.equal")
                     else 0)
            else:
                self.expect(ctype in BITMASK_TYPES, "component %d: tshark "
                            "reads a bitmask operator" % ctype)
                bits = (BIT_NOT if is_set(opf, "bgp.flowspec_nlri.op.flg_not")
                        else 0) | \
                    (BIT_MATCH if is_set(opf,
                                         "bgp.flowspec_nlri.op.flg_match")
                     else 0)
            eol = bool(octet & OP_EOL)
            self.expect(eol == (i + 2 >= len(kids)), "component %d operator "
                        "%d: end-of-list %s (RFC 8955 §4.2.1.1)"
                        % (ctype, i // 2 + 1, "set before the last" if eol
                           else "not set on the last"))
            if val.get("name").startswith("bgp.flowspec_nlri.dec_val_"):
                value = int(val.get("show"))
            else:                       # tcp flags, fragment, DSCP fields
                value = octet_int(val)
            # RFC 8955 §4.2.1.1: the first AND bit is ignored.
            ops.append((and_ and bool(ops), bits, value))
        return ops

    def tshark_exts(self):
        """tshark's extended communities as ext_from_octets tuples."""
        out = []
        for e in fields(self.msg.proto, "bgp.ext_community"):
            raw = self.octets(e)
            if not self.expect(len(raw) == 8, "extended community of %d "
                               "octets" % len(raw)):
                continue
            got = self.tshark_ext(e)
            if got is None:
                key = "ext-0x" + raw[:2].hex()
                self.limits.add(key if key in BYTES_ONLY else "ext-other")
                got = ext_from_octets(raw)
            if got[0] == "rate":
                self.limits.add("traffic-rate-id")
            out.append(got)
        for a in self.attrs:
            if int(show(a, "bgp.update.path_attribute.type_code")) == \
                    ATTR_EXT6_COMM:
                self.expect(False, "attribute 25 (IPv6 extended communities)"
                            " is not checked by pcap_check.py")
        return out

    def tshark_ext(self, e):
        named = {f.get("name"): f for f in e.iter("field")}
        stype = [f for n, f in named.items()
                 if n.startswith("bgp.ext_com.stype")]
        if "bgp.ext_com.type" not in named or not stype:
            return None
        key = (octet_int(named["bgp.ext_com.type"]), octet_int(stype[0]))

        def val(name):
            return named[name].get("show")
        try:
            if key == (0x80, 0x06):
                rate = struct.unpack(">f", bytes.fromhex(
                    named["bgp.ext_com_flow.rate_limit"].get("value")))[0]
                return ("rate", "8006", rate)
            if key == (0x80, 0x07):
                flags = octet_int(named["bgp.ext_com_flow.sample"])
                return ("action", int(val("bgp.ext_com_flow.sample")),
                        int(val("bgp.ext_com_flow.traff_act")), flags & 0xfc,
                        named["bgp.flowspec_ext_com.emptybytes"]
                        .get("value"))
            if key == (0x80, 0x09):
                dscp = octet_int(named["bgp.ext_com.value_fs_dscp"])
                raw = self.octets(e)
                return ("mark", dscp & 0x3f, raw[2:7].hex() +
                        "%02x" % (dscp & 0xc0))
            table = {
                (0x80, 0x08): ("redirect-as2", "bgp.ext_com.value_as2",
                               "bgp.ext_com.value_an4", int),
                (0x81, 0x08): ("redirect-ip4", "bgp.ext_com.value_IP4",
                               "bgp.ext_com.value_an2", str),
                (0x82, 0x08): ("redirect-as4", "bgp.ext_com.value_as4",
                               "bgp.ext_com.value_an2", int),
                (0x00, 0x02): ("target", "bgp.ext_com.value_as2",
                               "bgp.ext_com.value_an4", int),
            }
            if key in table:
                kind, f1, f2, conv = table[key]
                return (kind, conv(val(f1)), int(val(f2)))
        except (KeyError, TypeError, ValueError, struct.error):
            return None
        return None

    def tshark_comms(self):
        comms = ["%d:%d" % (int(a.get("show")), int(v.get("show")))
                 for a, v in zip(
                     fields(self.msg.proto,
                            "bgp.update.path_attribute.community_as"),
                     fields(self.msg.proto,
                            "bgp.update.path_attribute.community_value"))]
        for w in fields(self.msg.proto,
                        "bgp.update.path_attribute.community_wellknown"):
            v = octet_int(w)
            comms.append("%d:%d" % (v >> 16, v & 0xffff))
        return comms

    # -- the comparison

    def compare(self, n, line, tsh):
        kind, afi, elem, attr = tsh
        where = "nlri %d" % n
        self.compared += 1
        try:
            withdraw, tafi, comps, exts, comms, problems = text_rule(line)
        except ValueError as e:
            self.expect(False, "%s: cannot read our text back (%s): %s"
                        % (where, e, line))
            return
        for p in problems:
            self.expect(False, "%s: %s" % (where, p))
        self.expect(withdraw == (kind == "withdraw"), "%s: ours is %s, "
                    "tshark shows it in MP_%sREACH_NLRI" % (
                        where, "a withdraw" if withdraw else "an announce",
                        "UN" if kind == "withdraw" else ""))
        self.expect(tafi == afi, "%s: AFI %s in our text, tshark AFI %d"
                    % (where, tafi if tafi else "not shown", afi))
        octets = self.octets(elem)
        head, body = nlri_body(octets)
        length = octet_int(field(elem, "bgp.flowspec_nlri.length"))
        self.expect(length == len(body), "%s: tshark NLRI length %d, %d "
                    "octets" % (where, length, len(body)))
        try:
            rfc, found = parse_nlri(body, afi)
        except Bad as e:
            self.expect(False, "%s: decoded by us, but its octets break the "
                        "RFC at octet %d: %s" % (
                            where, self.at(elem) + head + e.at, e.why))
            return
        if found & {"ipv6-offset", "tcp-flags-2-octet"}:
            self.limits |= found
            theirs, source = rfc, "the octets (RFC)"
        else:
            theirs, source = self.components(elem, afi), "tshark"
        self.compare_comps(where, afi, comps, theirs, source)
        if kind == "announce":
            self.compare_actions(where, exts, comms, attr)

    def compare_comps(self, where, afi, ours, theirs, source):
        otypes = [c[0] for c in ours]
        ttypes = [c[0] for c in theirs]
        if not self.expect(otypes == ttypes, "%s: component types %s, %s "
                           "shows %s" % (where, otypes, source, ttypes)):
            return
        for (ctype, mine), (_, other) in zip(ours, theirs):
            name = TYPE_NAMES[ctype]
            if source == "tshark" and ctype == T_FLOW_LABEL:
                source = "the octets"
            if ctype not in PREFIX_TYPES:
                self.expect(len(mine) == len(other), "%s %s: %d operators, "
                            "%s shows %d (%s)" % (
                                where, name, len(mine), source, len(other),
                                show_ops(ctype, other)))
                if len(mine) != len(other):
                    continue
                # The value of true/false is not in the text.
                mine = [(a, b, v if v is not None else o[2])
                        for (a, b, v), o in zip(mine, other)]
            self.expect(mine == other, "%s %s: ours %s, %s %s" % (
                where, name, show_comp(afi, (ctype, mine)), source,
                show_comp(afi, (ctype, other))))

    def compare_actions(self, where, exts, comms, attr):
        theirs = self.tshark_exts()
        self.expect(sorted(map(show_ext, exts)) ==
                    sorted(map(show_ext, theirs)),
                    "%s: extended communities ours [%s], tshark [%s]" % (
                        where, ", ".join(map(show_ext, exts)) or "none",
                        ", ".join(map(show_ext, theirs)) or "none"))
        tcomms = self.tshark_comms()
        self.expect(sorted(comms) == sorted(tcomms), "%s: communities ours "
                    "%s, tshark %s" % (where, sorted(comms) or "none",
                                       sorted(tcomms) or "none"))
        nh = field(attr, "bgp.update.path_attribute.mp_reach_nlri.next_hop")
        nhlen = self.msg.raw[self.at(nh)] if nh is not None else 0
        self.expect(nhlen == 0, "%s: MP_REACH_NLRI next hop of %d octets "
                    "(not checked by pcap_check.py)" % (where, nhlen))

    def refusal(self, out, tsh):
        """flowspecctl refused the UPDATE: right only if the RFC does too."""
        err = out.stderr.strip()
        m = re.fullmatch(r"error: octet (\d+): (.*)", err)
        if not self.expect(m is not None, "flowspecctl decode failed (exit "
                           "%d): %s" % (out.returncode, err or "no message")):
            return
        at = int(m.group(1))
        broken = []
        for kind, afi, elem, _ in tsh:
            octets = self.octets(elem)
            head, body = nlri_body(octets)
            try:
                parse_nlri(body, afi)
            except Bad as e:
                broken.append((self.at(elem) + head + e.at, e.why, afi,
                               kind, body))
        if not self.expect(any(b[0] == at for b in broken), "flowspecctl "
                           "refused it (%s), the octets follow RFC 8955/8956"
                           " there%s" % (err, "; the RFC breaks at octet %s"
                                         % [b[0] for b in broken]
                                         if broken else "")):
            return
        where, why, afi, kind, body = next(b for b in broken if b[0] == at)
        for t in tsh:                   # the whole UPDATE is refused
            self.refused[t[0]] += 1
        if len(tsh) > 1:
            self.notes.append("the %d other NLRIs of this UPDATE could not "
                              "be compared" % (len(tsh) - 1))
        try:
            old, _ = parse_nlri(body, afi, pre_rfc=True)
            self.limits.add("ipv6-offset")
            self.notes.append(
                "refused at octet %d as RFC 8956 requires (%s); its octets "
                "%s are the pre-RFC 8956 IPv6 prefix encoding (pattern from "
                "bit 0, length/8 octets) that the sender used and tshark "
                "reads: %s" % (at, why, body.hex(), " ".join(
                    "%s %s" % (TYPE_NAMES[c[0]], show_comp(afi, c))
                    for c in old)))
        except Bad:
            self.notes.append("refused at octet %d as the RFC requires (%s)"
                              % (at, why))


# ---- main -------------------------------------------------------------------

def check_fields(msg):
    """Every tshark field in the message must show the message's octets."""
    bad = []
    base = int(msg.proto.get("pos"))
    for e in msg.proto.iter("field"):
        size = int(e.get("size") or 0)
        hexv = e.get("unmaskedvalue") or e.get("value")
        if not size or not hexv or len(hexv) != 2 * size or \
                not re.fullmatch(r"[0-9a-fA-F]+", hexv):
            continue
        at = int(e.get("pos")) - base
        if msg.raw[at:at + size].hex() != hexv.lower():
            bad.append("%s at octet %d" % (e.get("name") or e.get("show"), at))
    return bad


def main(argv):
    expect = None
    if len(argv) > 2 and argv[1] == "--expect":
        expect = [int(x) for x in argv[2].split(",")]
        argv = argv[:1] + argv[3:]
    if len(argv) != 4:
        raise SystemExit(__doc__)
    ctl, seg_path, pdml_path = argv[1:]
    failed = 0

    def verdict(name, diffs):
        nonlocal failed
        if diffs:
            failed += 1
            print("FAIL: pcap/%s: %s" % (name, "; ".join(diffs)))
        else:
            print("PASS: pcap/%s" % name)

    # 1. Our split of the TCP streams into BGP messages against tshark's.
    try:
        messages = read_messages(seg_path)
    except Bad as e:
        verdict("messages", ["cannot split the TCP payload: %s" % e.why])
        return 1
    protos = pdml_bgp(pdml_path)
    diffs = []
    by_dir = {}
    for frame, key, p in protos:
        by_dir.setdefault(key, []).append((frame, p))
    mine_dir = {}
    for m in messages:
        mine_dir.setdefault(m.dir, []).append(m)
    for key in sorted(set(by_dir) | set(mine_dir)):
        mine, theirs = mine_dir.get(key, []), by_dir.get(key, [])
        if len(mine) != len(theirs):
            diffs.append("direction %s: %d BGP messages in the payload, "
                         "tshark shows %d" % ("/".join(key), len(mine),
                                               len(theirs)))
            continue
        for m, (frame, p) in zip(mine, theirs):
            m.proto = p
            ttype, tlen = show(p, "bgp.type"), show(p, "bgp.length")
            if (frame, ttype, tlen) != (m.frame, str(m.type),
                                        str(len(m.raw))):
                diffs.append("%s: type %d length %d, tshark frame %d type "
                             "%s length %s" % (m.name, m.type, len(m.raw),
                                               frame, ttype, tlen))
                continue
            bad = check_fields(m)
            if bad:
                diffs.append("%s: tshark fields not the message octets: %s"
                             % (m.name, ", ".join(bad[:5])))
    kinds = {}
    for m in messages:
        kinds[m.type] = kinds.get(m.type, 0) + 1
    diffs += [] if kinds.get(MSG_UPDATE) else ["no UPDATE in the capture"]
    verdict("messages", diffs)
    if diffs:
        return 1

    # 2. Every UPDATE: our decode against tshark's.
    checks = compared = eor = 0
    ours = {"announce": 0, "withdraw": 0}
    refused = {"announce": 0, "withdraw": 0}
    limits, notes = set(), []
    for m in messages:
        if m.type != MSG_UPDATE:
            continue
        u = Update(m, ctl)
        try:
            u.run()
        except (AttributeError, TypeError, ValueError, IndexError,
                KeyError) as e:
            u.diffs.append("could not read tshark's decode: %r" % e)
        checks += u.checks
        compared += u.compared
        eor += u.eor
        limits |= u.limits
        for k in ours:
            ours[k] += u.ours[k]
            refused[k] += u.refused[k]
        notes += ["%s: %s" % (m.name, n) for n in u.notes
                  if not n.startswith("End-of-RIB")]
        verdict(m.name, u.diffs)

    # 3. Totals: what we printed (plus what we refused as the RFC requires)
    # against tshark's NLRI count, and tshark's count against the README.
    tsh = {"announce": 0, "withdraw": 0}
    fams = {}
    for m in messages:
        if m.type != MSG_UPDATE:
            continue
        for a in fields(m.proto, "bgp.update.path_attribute"):
            code = int(show(a, "bgp.update.path_attribute.type_code"))
            if code not in (ATTR_MP_REACH, ATTR_MP_UNREACH):
                continue
            k = "announce" if code == ATTR_MP_REACH else "withdraw"
            n = len(fields(a, "bgp.flowspec_nlri"))
            tsh[k] += n
            afi = "IPv%s" % {"1": "4", "2": "6"}.get(show(
                a, "bgp.update.path_attribute.mp_%s_nlri.afi" % (
                    "reach" if k == "announce" else "unreach")), "?")
            fams[(k, afi)] = fams.get((k, afi), 0) + n
    diffs = []
    checks += 2
    for k in ours:
        if ours[k] + refused[k] != tsh[k]:
            diffs.append("%s: we printed %d and refused %d NLRIs, tshark "
                         "shows %d" % (k, ours[k], refused[k], tsh[k]))
    if expect:
        checks += len(expect)
        want = dict(zip(("announce", "withdraw", "eor"), expect))
        got = dict(tsh, eor=eor)
        for k, n in want.items():
            if got[k] != n:
                diffs.append("%d %s, expected %d (pcaps/README.md)" % (
                    got[k], "End-of-RIB" if k == "eor" else
                    "%sd NLRIs" % k, n))
    verdict("totals", diffs)

    sys.stdout.flush()
    print("pcap: %d BGP messages (%s), %d UPDATEs: %d End-of-RIB, %d NLRIs "
          "(%s); %d compared with tshark or the octets, %d refused by "
          "flowspecctl as the RFC requires; %d checks" % (
              len(messages), ", ".join(
                  "%s %d" % ({1: "OPEN", 2: "UPDATE", 3: "NOTIFICATION",
                              4: "KEEPALIVE"}.get(t, "type %d" % t), n)
                  for t, n in sorted(kinds.items())),
              kinds.get(MSG_UPDATE, 0), eor, sum(tsh.values()),
              ", ".join("%s %s %d" % (a, k, n)
                        for (k, a), n in sorted(fams.items())),
              compared, sum(refused.values()), checks), file=sys.stderr)
    for key in sorted(limits):
        print("pcap: %s %s: %s" % (
            "read from the octets:" if key in BYTES_ONLY else
            "not in our text:", key,
            BYTES_ONLY.get(key) or NOT_IN_TEXT.get(key)), file=sys.stderr)
    for n in notes:
        print("pcap: note: %s" % n, file=sys.stderr)
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
