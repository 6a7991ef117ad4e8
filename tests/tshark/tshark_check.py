#!/usr/bin/env python3
"""Compares what tshark decoded from our UPDATEs with what each rule says.

Called by check.sh (see there for the whole pipeline):

    tshark_check.py RULES UPDATES PCAP PDML
    tshark_check.py --limitations      (what tshark 4.0 cannot decode)

RULES    tests/tshark/rules.txt: "name | rule text | expectations"
UPDATES  one "name<TAB>hex" line per encoded UPDATE, in frame order
PCAP     the classic pcap text2pcap wrote (one UPDATE per frame)
PDML     tshark -T pdml of PCAP

Prints "PASS: tshark/<name>" or "FAIL: tshark/<name>: <what differs>" per
rule and exits 1 if any failed. Python 3 standard library only.

The expected values in rules.txt are written by hand from RFC 8955 (IPv4),
RFC 8956 (IPv6), RFC 7674 (redirect), RFC 4360 / RFC 5701 / RFC 1997
(communities) and the two redirect-to-IP drafts; the notation is described
at the top of rules.txt. Where tshark 4.0 (Debian 12) cannot decode a field
(LIMITATIONS below, each verified with tshark 4.0.17), the rule gives the
RFC octets instead and they are compared with the octets of the frame at
the place tshark located.
"""

import ipaddress
import re
import struct
import sys
import xml.etree.ElementTree as ET

# What tshark 4.0.17 does not decode, and how each is checked instead.
LIMITATIONS = {
    "flow-label": (
        "component type 13 (flow label, RFC 8956 §3.7) shows as 'Unknown "
        "filter 13' with no operators: checked as octets (cT=HEX) from the "
        "position tshark gives it to the end of the NLRI"),
    "ipv6-offset": (
        "an IPv6 prefix with an offset (RFC 8956 §3.1) is read as if the "
        "pattern started at bit 0 and as length/8 octets long, so the prefix "
        "is wrong and the rest of the NLRI misaligned: the whole NLRI is "
        "checked as octets (nlri=HEX); tshark errors inside it are expected"),
    "tcp-flags-2-octet": (
        "of a 2-octet TCP flags bitmask (len=01, RFC 8955 §4.2.2.9) only "
        "the low octet is shown, and the next component is looked for one "
        "octet too far: the whole NLRI is checked as octets (nlri=HEX); "
        "tshark errors inside it are expected"),
    "dscp-operator": (
        "component type 11 (DSCP) is shown with the bitmask operator "
        "(not/match) instead of the numeric one (RFC 8955 §4.2.2.11): the "
        "operator octet and the value tshark isolates are read as numeric"),
    "ext-0x800c": (
        "traffic-rate in packets/s (0x800c, RFC 8955 §7.2) is 'Unknown "
        "subtype 0x0c': checked as its 8 octets (ext=HEX)"),
    "ext-0x0800": (
        "redirect to next hop (0x0800, draft-simpson-idr-flowspec-redirect) "
        "is 'Unknown type 0x08 subtype 0x00': checked as its 8 octets"),
    "next-hop": (
        "a Flowspec MP_REACH_NLRI next hop (used by 0x0800) is reported as "
        "malformed ('The length (N) of Next Hop (FlowSpec) is not zero', "
        "'Unknown Next Hop length') and not decoded: checked as octets "
        "(nh=HEX); those two errors are expected"),
    "ext6-attribute": (
        "attribute 25 (IPv6 Address Specific Extended Community, RFC 5701; "
        "redirect-to-IPv6 0x000c) is 'Unknown Path attributes': checked as "
        "its 20-octet communities (ext6=HEX)"),
}
# Decoded by tshark 4.0.17 although the issue expected otherwise:
#   0x8208 (redirect 4-octet AS, RFC 7674 §3.3): 'Flow spec redirect
#     AS-4byte format' with 4-Octet AS and 2-Octet AN -> ext:redirect-as4.
#   0x010c (redirect to IPv4, draft-ietf-idr-flowspec-redirect-ip): named
#     'Unknown subtype 0x0c', but its IPv4 address and 2-octet local
#     administrator are decoded -> ext:redirect-ip-ietf.
NEXT_HOP_EXPERTS = (
    re.compile(r"^The length \((\d+)\) of Next Hop \(FlowSpec\) is not zero$"),
    re.compile(r"^Unknown Next Hop length \((\d+) bytes?\)$"),
)

# ---- RFC tables ------------------------------------------------------------

PREFIX_TYPES = (1, 2)
BITMASK_TYPES = (9, 12)
# Largest value length in octets per component type: RFC 8955 §4.2.2 (ports,
# packet length and TCP flags 1 or 2; protocol, ICMP, DSCP, fragment 1) and
# RFC 8956 §3.7 (flow label, 20 bits).
MAX_VALUE_LEN = {3: 1, 4: 2, 5: 2, 6: 2, 7: 1, 8: 1, 9: 2, 10: 2, 11: 1,
                 12: 1, 13: 4}
# Operator octet, RFC 8955 §4.2.1.1 / §4.2.1.2.
OP_EOL, OP_AND, OP_LEN = 0x80, 0x40, 0x30
NUM_RESERVED, BIT_RESERVED = 0x08, 0x0c
NUM_CONDS = {0: "false", 1: "=", 2: ">", 3: ">=", 4: "<", 5: "<=", 6: "!=",
             7: "true"}
NUM_BITS = {v: k for k, v in NUM_CONDS.items()}
BIT_NOT, BIT_MATCH = 0x02, 0x01
# TCP flags: RFC 8955 §4.2.2.9 (the TCP header's flag octet, RFC 793 names).
TCP_FLAGS = (("fin", 0x01), ("syn", 0x02), ("rst", 0x04), ("psh", 0x08),
             ("ack", 0x10), ("urg", 0x20), ("ece", 0x40), ("cwr", 0x80))
# Fragment: RFC 8955 §4.2.2.12 (| 0 0 0 0 | LF FF IsF DF |); RFC 8956 §3.6
# makes the DF bit reserved (0) for IPv6.
FRAG_FLAGS = (("df", 0x01), ("isf", 0x02), ("ff", 0x04), ("lf", 0x08))
FRAG_RESERVED = {1: 0xf0, 2: 0xf1}
# Path attribute flags, RFC 4271 §4.3: (optional, transitive) per type code.
ATTR_FLAGS = {
    1: (0, 1), 2: (0, 1), 5: (0, 1),        # well-known (RFC 4271 §5)
    8: (1, 1),                              # COMMUNITIES, RFC 1997
    14: (1, 0), 15: (1, 0),                 # MP_(UN)REACH, RFC 4760 §3-4
    16: (1, 1),                             # EXTENDED_COMMUNITIES, RFC 4360 §2
    25: (1, 1),                             # IPv6 ext. communities, RFC 5701
}


def die(msg):
    """A fault of the test itself: one FAIL line, exit status 1."""
    print("FAIL: tshark: %s" % msg)
    sys.exit(1)


def hexbytes(text):
    """Octets of hex text; '_' and '.' may group digits."""
    clean = text.replace("_", "").replace(".", "")
    if not re.fullmatch(r"(?:[0-9a-fA-F]{2})*", clean):
        raise ValueError("bad hex %r" % text)
    return bytes.fromhex(clean)


def flag_table(ctype):
    return TCP_FLAGS if ctype == 9 else FRAG_FLAGS


def f32(x):
    return struct.unpack(">f", struct.pack(">f", float(x)))[0]


# ---- operators: parse (expected) and format (both) --------------------------

def parse_bits(ctype, text):
    names = dict(flag_table(ctype))
    value = 0
    for part in text.split("+"):
        if part in names:
            value |= names[part]
        else:
            value |= int(part, 0)
    return value


def parse_ops(ctype, text):
    """'>=1&<=5,=8' -> [(and, bits, value)]: ',' is OR, '&' is AND."""
    ops = []
    for word in text.split(","):
        for i, term in enumerate(word.split("&")):
            if ctype in BITMASK_TYPES:
                m = re.fullmatch(r"(!?)(=?)(.+)", term)
                bits = (BIT_NOT if m.group(1) else 0) | \
                    (BIT_MATCH if m.group(2) else 0)
                ops.append((i > 0, bits, parse_bits(ctype, m.group(3))))
                continue
            m = re.fullmatch(r"(true|false)(?::(\w+))?", term)
            if m:
                ops.append((i > 0, NUM_BITS[m.group(1)],
                            int(m.group(2) or "0", 0)))
                continue
            m = re.fullmatch(r"(>=|<=|!=|=|>|<)(\w+)", term)
            if not m:
                raise ValueError("bad operator term %r" % term)
            ops.append((i > 0, NUM_BITS[m.group(1)], int(m.group(2), 0)))
    return ops


def format_bits(ctype, value):
    if value == 0:
        return "0"
    names = [n for n, b in flag_table(ctype) if value & b]
    known = sum(b for n, b in flag_table(ctype) if value & b)
    return "+".join(names) if known == value else "0x%x" % value


def format_ops(ctype, ops):
    out = ""
    for i, (and_, bits, value) in enumerate(ops):
        if i:
            out += "&" if and_ else ","
        if ctype in BITMASK_TYPES:
            out += ("!" if bits & BIT_NOT else "") + \
                ("=" if bits & BIT_MATCH else "") + format_bits(ctype, value)
        else:
            cond = NUM_CONDS[bits & 7]
            if cond in ("true", "false"):
                out += cond if value == 0 else "%s:%d" % (cond, value)
            else:
                out += "%s%d" % (cond, value)
    return out


def canon_prefix(text):
    """'10.0.0.0/8' -> canonical network text (host bits must be zero)."""
    return str(ipaddress.ip_network(text, strict=True))


# ---- extended communities ----------------------------------------------------

def canon_ext(text):
    """Canonical form of an expected 'KIND:ARGS' community."""
    kind, _, args = text.partition(":")
    a = args.split(":") if args else []
    if kind == "traffic-rate" and len(a) == 2:
        return "traffic-rate:%d:%.9g" % (int(a[0]), f32(a[1]))
    if kind == "traffic-action" and len(a) == 1:
        flags = set(a[0].split("+")) - {"none"}
        if not flags <= {"sample", "terminal"}:
            raise ValueError("bad traffic-action %r" % text)
        return "traffic-action:" + ("+".join(sorted(flags)) or "none")
    if kind == "traffic-marking" and len(a) == 1:
        return "traffic-marking:%d" % int(a[0])
    if kind in ("redirect-as2", "redirect-as4", "rt-as2") and len(a) == 2:
        return "%s:%d:%d" % (kind, int(a[0]), int(a[1]))
    if kind in ("redirect-ip4", "rt-ip4", "redirect-ip-ietf") and len(a) == 2:
        return "%s:%s:%d" % (kind, ipaddress.IPv4Address(a[0]), int(a[1]))
    raise ValueError("unknown extended community %r" % text)


# ---- rules.txt ---------------------------------------------------------------

class Rule:
    def __init__(self, name, text, tokens, line):
        self.name, self.text, self.line = name, text, line
        self.refused = False
        self.mp = self.unreach = None
        self.nh = None                  # bytes, b"" for none
        self.comps = []                 # [(type, kind, value)] in order
        self.nlri = None                # bytes of the NLRI with its length
        self.nlri_len = None
        self.exts = []                  # ("sem", canon) or ("raw", bytes)
        self.ext6 = []                  # bytes (20 octets each)
        self.comms = []                 # "AS:N"
        for tok in tokens:
            self._token(tok)
        if not self.refused and not (self.mp or self.unreach):
            raise ValueError("no mp= or unreach=")
        if self.mp and self.nh is None:
            raise ValueError("an announce needs nh=")
        types = [c[0] for c in self.comps]
        if types != sorted(types):
            raise ValueError("components must be listed by type")
        if len({(c[0], c[1] == "raw") for c in self.comps}) != len(types):
            raise ValueError("a component is given twice the same way")

    def _token(self, tok):
        m = re.fullmatch(r"c(\d+)([:=])(.+)", tok)
        if m:
            ctype, how, val = int(m.group(1)), m.group(2), m.group(3)
            if how == "=":
                self.comps.append((ctype, "raw", hexbytes(val)))
            elif ctype in PREFIX_TYPES:
                self.comps.append((ctype, "prefix", canon_prefix(val)))
            else:
                self.comps.append((ctype, "ops", parse_ops(ctype, val)))
            return
        key, sep, val = re.match(r"([a-z0-9-]+)([:=]?)(.*)", tok).groups()
        if tok == "refused":
            self.refused = True
        elif key in ("mp", "unreach") and sep == "=":
            afi, safi = (int(x) for x in val.split("/"))
            setattr(self, key, (afi, safi))
        elif key == "nh" and sep == "=":
            self.nh = b"" if val == "-" else hexbytes(val)
        elif key == "nlri" and sep == "=":
            self.nlri = hexbytes(val)
        elif key == "nlri-len" and sep == "=":
            self.nlri_len = int(val)
        elif key == "ext" and sep == ":":
            self.exts.append(("sem", canon_ext(val)))
        elif key == "ext" and sep == "=":
            raw = hexbytes(val)
            if len(raw) != 8:
                raise ValueError("ext= takes 8 octets")
            self.exts.append(("raw", raw))
        elif key == "ext6" and sep == "=":
            raw = hexbytes(val)
            if len(raw) != 20:
                raise ValueError("ext6= takes 20 octets")
            self.ext6.append(raw)
        elif key == "comm" and sep == ":":
            hi, lo = (int(x) for x in val.split(":"))
            self.comms.append("%d:%d" % (hi, lo))
        else:
            raise ValueError("unknown expectation %r" % tok)


def read_rules(path):
    rules = {}
    with open(path, encoding="utf-8") as f:
        for n, line in enumerate(f, 1):
            line = line.strip()
            if not line or line.startswith("#"):
                continue
            parts = line.split(" | ")
            if len(parts) != 3:
                die("%s:%d: expected 'name | rule | expectations'"
                    % (path, n))
            name = parts[0].strip()
            if name in rules:
                die("%s:%d: rule %s given twice" % (path, n, name))
            try:
                rules[name] = Rule(name, parts[1], parts[2].split(), n)
            except (ValueError, AttributeError) as e:
                die("%s:%d: %s" % (path, n, e))
    return rules


# ---- pcap --------------------------------------------------------------------

def read_pcap(path):
    """The frames of a classic pcap file, as bytes."""
    with open(path, "rb") as f:
        data = f.read()
    magic = data[:4]
    if magic in (b"\xd4\xc3\xb2\xa1", b"\x4d\x3c\xb2\xa1"):
        end = "<"
    elif magic in (b"\xa1\xb2\xc3\xd4", b"\xa1\xb2\x3c\x4d"):
        end = ">"
    else:
        die("%s: not a classic pcap file" % path)
    frames, off = [], 24
    while off + 16 <= len(data):
        incl = struct.unpack(end + "I", data[off + 8:off + 12])[0]
        frames.append(data[off + 16:off + 16 + incl])
        off += 16 + incl
    return frames


# ---- PDML helpers ------------------------------------------------------------

def fields(elem, name):
    return [e for e in elem.iter("field") if e.get("name") == name]


def field(elem, name):
    found = fields(elem, name)
    return found[0] if found else None


def pos(e):
    return int(e.get("pos")), int(e.get("size"))


def raw_int(e):
    """The field's own octets as a number (unmasked when it is a bit field)."""
    return int(e.get("unmaskedvalue") or e.get("value") or "0", 16)


# ---- one frame ---------------------------------------------------------------

class Frame:
    """Checks one rule against its frame; collects differences in self.diffs."""

    def __init__(self, rule, packet, frame_bytes, msg):
        self.rule, self.pkt, self.raw, self.msg = rule, packet, frame_bytes, msg
        self.diffs = []
        self.checks = 0
        self.limits = set()

    def expect(self, ok, text):
        self.checks += 1
        if not ok:
            self.diffs.append(text)
        return ok

    def octets(self, start, size):
        return self.raw[start:start + size]

    def run(self):
        bgps = [p for p in self.pkt.iter("proto") if p.get("name") == "bgp"]
        if not self.expect(len(bgps) == 1,
                           "tshark decoded %d BGP messages, not 1" % len(bgps)):
            return
        bgp = self.bgp = bgps[0]
        start, size = pos(bgp)
        self.expect(self.octets(start, size) == self.msg,
                    "the frame does not hold the encoded UPDATE")
        self.expect(field(bgp, "bgp.type") is not None and
                    field(bgp, "bgp.type").get("show") == "2",
                    "not an UPDATE message")
        length = field(bgp, "bgp.length")
        self.expect(length is not None and int(length.get("show")) == size,
                    "BGP length field is not the message size")
        wd = field(bgp, "bgp.update.withdrawn_routes.length")
        self.expect(wd is not None and wd.get("show") == "0",
                    "IPv4 withdrawn routes present")
        self.attributes()
        nlris = fields(bgp, "bgp.flowspec_nlri")
        if self.expect(len(nlris) == 1, "%d Flowspec NLRIs, expected 1"
                       % len(nlris)):
            self.nlri(nlris[0])
        self.communities()
        self.experts()

    # -- path attributes

    def attributes(self):
        r = self.rule
        attrs = fields(self.bgp, "bgp.update.path_attribute")
        codes = []
        self.mp_attr = None
        for a in attrs:
            code = int(field(a, "bgp.update.path_attribute.type_code")
                       .get("show"))
            flags = int(field(a, "bgp.update.path_attribute.flags")
                        .get("value"), 16)
            codes.append(code)
            if code in ATTR_FLAGS:
                opt, trans = ATTR_FLAGS[code]
                self.expect((flags >> 7 & 1, flags >> 6 & 1) == (opt, trans),
                            "attribute %d flags 0x%02x: optional=%d "
                            "transitive=%d expected (RFC 4271 §4.3)"
                            % (code, flags, opt, trans))
            self.expect(flags & 0x2f == 0, "attribute %d flags 0x%02x: "
                        "partial or unused bits set" % (code, flags))
            if code in (14, 15):
                self.mp_attr = a
        self.expect(len(set(codes)) == len(codes),
                    "an attribute appears twice: %s" % codes)
        want = 14 if r.mp else 15
        self.expect(codes[:1] == [want], "first attribute is %s, expected "
                    "MP_%sREACH_NLRI (RFC 7606 §5.1)" % (codes[:1], "" if
                                                       r.mp else "UN"))
        if r.mp:
            for must in (1, 2):
                self.expect(must in codes, "no attribute %d (RFC 4271 §5)"
                            % must)
            self.expect(15 not in codes, "MP_UNREACH_NLRI in an announce")
        else:
            self.expect(codes == [15], "a withdraw carries attributes %s"
                        % codes)
        if self.mp_attr is None:
            return
        kind = "reach" if r.mp else "unreach"
        afi = field(self.mp_attr, "bgp.update.path_attribute.mp_%s_nlri.afi"
                    % kind)
        safi = field(self.mp_attr,
                     "bgp.update.path_attribute.mp_%s_nlri.safi" % kind)
        got = (int(afi.get("show")), int(safi.get("show")))
        self.expect(got == (r.mp or r.unreach), "AFI/SAFI %d/%d, expected "
                    "%d/%d" % (got + (r.mp or r.unreach)))
        if r.mp:
            # Next hop length and address, RFC 4760 §3: the octet after SAFI.
            at, _ = pos(safi)
            nhlen = self.raw[at + 1]
            nh = self.octets(at + 2, nhlen)
            if nhlen:
                self.limits.add("next-hop")
            self.expect(nh == r.nh, "next hop %s, expected %s" % (
                nh.hex() or "none", r.nh.hex() or "none"))

    # -- NLRI

    def nlri(self, elem):
        r = self.rule
        start, size = pos(elem)
        octets = self.octets(start, size)
        two = octets[0] >= 0xf0
        length = ((octets[0] & 0x0f) << 8 | octets[1]) if two else octets[0]
        body = octets[2:] if two else octets[1:]
        # RFC 8955 §4.1: from 240 octets the length takes two octets with
        # 0xf in the high nibble; below, one may be used (flowspecd does).
        self.expect(length == len(body), "NLRI length %d, %d octets follow"
                    % (length, len(body)))
        self.expect(two == (length >= 240), "NLRI length %d in %d octet(s) "
                    "(RFC 8955 §4.1; one below 240)"
                    % (length, 2 if two else 1))
        if r.nlri_len is not None:
            self.expect(length == r.nlri_len, "NLRI length %d, expected %d"
                        % (length, r.nlri_len))
        if r.nlri is not None:
            self.expect(octets == r.nlri, "NLRI octets %s, expected %s"
                        % (octets.hex(), r.nlri.hex()))
        self.nlri_range = (start, start + size)
        walk = walk_nlri(body, (r.mp or r.unreach)[0])
        self.limits |= walk
        if walk & {"ipv6-offset", "tcp-flags-2-octet"}:
            # tshark loses its place: the octets above are the check.
            self.expect(r.nlri is not None and not r.comps,
                        "tshark cannot decode this NLRI (%s): rules.txt must "
                        "give it as nlri=HEX, without cT" % ", ".join(
                            sorted(walk & {"ipv6-offset", "tcp-flags-2-octet"})))
            return
        self.components(elem, start + size)

    def components(self, elem, end):
        r = self.rule
        afi = (r.mp or r.unreach)[0]
        filters = [e for e in elem if e.get("name") == "bgp.flowspec_nlri.filter"]
        got = []
        for i, flt in enumerate(filters):
            ctype = int(field(flt, "bgp.flowspec_nlri.filter_type").get("show"))
            fstart = pos(flt)[0]
            fend = pos(filters[i + 1])[0] if i + 1 < len(filters) else end
            got.append((ctype, flt, self.octets(fstart, fend - fstart)))
        types = [g[0] for g in got]
        self.expect(all(a < b for a, b in zip(types, types[1:])),
                    "component types %s not strictly increasing "
                    "(RFC 8955 §4.2)" % types)
        want = sorted({c[0] for c in r.comps})
        if not self.expect(types == want, "component types %s, expected %s"
                           % (types, want)):
            return
        found = {g[0]: g for g in got}
        for ctype, kind, value in r.comps:
            _, flt, octets = found[ctype]
            if ctype == 13:
                self.limits.add("flow-label")
            if ctype == 11:
                self.limits.add("dscp-operator")
            if kind == "raw":
                self.expect(octets == value, "component %d octets %s, "
                            "expected %s" % (ctype, octets.hex(), value.hex()))
                continue
            if ctype in PREFIX_TYPES:
                self.expect_prefix(flt, ctype, afi, value)
            else:
                self.expect_ops(flt, ctype, afi, value)

    def expect_prefix(self, flt, ctype, afi, want):
        if afi == 1:
            plen = field(flt, "bgp.prefix_length")
            addr = field(flt, "bgp.flowspec_nlri.%s_prefix_filter"
                         % ("dst" if ctype == 1 else "src"))
            offset = 0
        else:
            plen = field(flt, "bgp.flowspec_nlri.ipv6_pref_length")
            addr = field(flt, "bgp.flowspec_nlri.%s_ipv6_pref"
                         % ("dst" if ctype == 1 else "src"))
            off = field(flt, "bgp.flowspec_nlri.ipv6_pref_offset")
            offset = int(off.get("show")) if off is not None else -1
        if not self.expect(plen is not None and addr is not None,
                           "component %d: tshark shows no prefix" % ctype):
            return
        text = "%s/%s" % (addr.get("show"), plen.get("show"))
        try:
            got = canon_prefix(text)
        except ValueError:
            got = text + " (bits set past the length)"
        self.expect(got == want and offset == 0, "component %d: %s offset %d,"
                    " expected %s" % (ctype, got, offset, want))

    def expect_ops(self, flt, ctype, afi, want):
        kids = [e for e in flt if e.get("name") != "bgp.flowspec_nlri.filter_type"]
        ops, i = [], 0
        while i < len(kids):
            if kids[i].get("name") != "bgp.flowspec_nlri.opflags":
                self.expect(False, "component %d: unexpected %s"
                            % (ctype, kids[i].get("name")))
                return
            if not self.expect(i + 1 < len(kids), "component %d: operator "
                               "without value" % ctype):
                return
            op, val = raw_int(kids[i]), kids[i + 1]
            vlen = 1 << ((op & OP_LEN) >> 4)
            vsize = pos(val)[1]
            if not self.expect(vsize == vlen, "component %d: tshark read %d "
                               "value octet(s), operator says %d"
                               % (ctype, vsize, vlen)):
                return
            value = raw_int(val)
            ops.append((op, value, vlen))
            i += 2
        got = [(bool(op & OP_AND) if n else False,
                op & (0x03 if ctype in BITMASK_TYPES else 0x07), value)
               for n, (op, value, _) in enumerate(ops)]
        self.expect(got == want, "component %d: %s, expected %s" % (
            ctype, format_ops(ctype, got), format_ops(ctype, want)))
        # Operator rules that hold for any rule (RFC 8955 §4.2.1).
        reserved = BIT_RESERVED if ctype in BITMASK_TYPES else NUM_RESERVED
        for n, (op, value, vlen) in enumerate(ops):
            last = n == len(ops) - 1
            self.expect(bool(op & OP_EOL) == last, "component %d operator %d:"
                        " end-of-list bit %s (RFC 8955 §4.2.1.1)" % (
                            ctype, n + 1, "unset on the last" if last
                            else "set before the last"))
            self.expect(n or not op & OP_AND, "component %d: AND bit on the "
                        "first operator (RFC 8955 §4.2.1.1)" % ctype)
            self.expect(op & reserved == 0, "component %d operator 0x%02x: "
                        "reserved bits set" % (ctype, op))
            self.expect(vlen <= MAX_VALUE_LEN.get(ctype, 8), "component %d: "
                        "%d-octet value, at most %d allowed" % (
                            ctype, vlen, MAX_VALUE_LEN.get(ctype, 8)))
            shortest = 1
            while value >> (8 * shortest):
                shortest *= 2
            self.expect(vlen == shortest, "component %d: value %d in %d "
                        "octets, flowspecd writes the shortest (%d)"
                        % (ctype, value, vlen, shortest))
            if ctype == 12:
                self.expect(value & FRAG_RESERVED[afi] == 0, "fragment "
                            "bitmask 0x%02x sets bits reserved for AFI %d "
                            "(RFC 8955 §4.2.2.12, RFC 8956 §3.6)"
                            % (value, afi))
            if ctype == 11:
                self.expect(value <= 0x3f, "DSCP %d is not 6 bits" % value)

    # -- communities

    def communities(self):
        r = self.rule
        got = []
        for e in fields(self.bgp, "bgp.ext_community"):
            start, size = pos(e)
            raw = self.octets(start, size)
            self.expect(size == 8, "extended community of %d octets" % size)
            got.append((self.decode_ext(e, raw), raw))
        # A community may be expected both decoded and as octets.
        claimed = [set() for _ in got]
        for kind, value in r.exts:
            hit = None
            for n, (canon, raw) in enumerate(got):
                if kind not in claimed[n] and (
                        (kind == "sem" and canon == value) or
                        (kind == "raw" and raw == value)):
                    hit = n
                    break
            if kind == "raw":
                t = value[:2].hex()
                if t in ("800c", "0800"):
                    self.limits.add("ext-0x" + t)
            shown = value if kind == "sem" else value.hex()
            if self.expect(hit is not None, "no extended community %s (got %s)"
                           % (shown, ", ".join(c or raw.hex()
                                               for c, raw in got) or "none")):
                claimed[hit].add(kind)
        for (canon, raw), kinds in zip(got, claimed):
            self.expect(bool(kinds), "unexpected extended community %s"
                        % (canon or raw.hex()))
        # IPv6 Address Specific Extended Communities (attribute 25).
        got6 = []
        for a in fields(self.bgp, "bgp.update.path_attribute"):
            code = field(a, "bgp.update.path_attribute.type_code")
            if int(code.get("show")) != 25:
                continue
            self.limits.add("ext6-attribute")
            alen = field(a, "bgp.update.path_attribute.length")
            vstart = pos(alen)[0] + pos(alen)[1]
            value = self.octets(vstart, int(alen.get("show")))
            self.expect(len(value) % 20 == 0, "attribute 25 of %d octets "
                        "(RFC 5701: 20 per community)" % len(value))
            got6 += [value[i:i + 20] for i in range(0, len(value), 20)]
        self.expect(sorted(got6) == sorted(r.ext6), "IPv6 extended "
                    "communities %s, expected %s" % (
                        [g.hex() for g in got6] or "none",
                        [w.hex() for w in r.ext6] or "none"))
        comms = ["%d:%d" % (int(a.get("show")), int(v.get("show"))) for a, v
                 in zip(fields(self.bgp,
                               "bgp.update.path_attribute.community_as"),
                        fields(self.bgp,
                               "bgp.update.path_attribute.community_value"))]
        for w in fields(self.bgp, "bgp.update.path_attribute.community_wellknown"):
            v = int(w.get("value"), 16)
            comms.append("%d:%d" % (v >> 16, v & 0xffff))
        self.expect(sorted(comms) == sorted(r.comms), "communities %s, "
                    "expected %s" % (sorted(comms) or "none",
                                     sorted(r.comms) or "none"))

    def decode_ext(self, e, raw):
        """tshark's decode of one community in canon_ext form, or None."""
        named = {f.get("name"): f for f in e.iter("field")}
        stype = [f for n, f in named.items() if n.startswith("bgp.ext_com.stype")]
        if "bgp.ext_com.type" not in named or not stype:
            return None
        key = (raw_int(named["bgp.ext_com.type"]), raw_int(stype[0]))

        def show(name):
            return named[name].get("show") if name in named else None

        try:
            if key == (0x80, 0x06):
                rate = struct.unpack(">f", bytes.fromhex(
                    named["bgp.ext_com_flow.rate_limit"].get("value")))[0]
                return canon_ext("traffic-rate:%s:%r" % (
                    show("bgp.ext_com.value_as2"), rate))
            if key == (0x80, 0x07):
                self.expect(show("bgp.flowspec_ext_com.emptybytes") ==
                            "00:00:00:00:00" and raw_int(
                                named["bgp.ext_com_flow.sample"]) & 0xfc == 0,
                            "traffic-action reserved bits set (RFC 8955 §7.3)")
                flags = [n for n, f in (("sample", "bgp.ext_com_flow.sample"),
                                        ("terminal",
                                         "bgp.ext_com_flow.traff_act"))
                         if show(f) == "1"]
                return canon_ext("traffic-action:" +
                                 ("+".join(flags) or "none"))
            if key == (0x80, 0x09):
                dscp = raw_int(named["bgp.ext_com.value_fs_dscp"])
                self.expect(raw[2:7] == bytes(5) and dscp <= 0x3f,
                            "traffic-marking reserved bits set "
                            "(RFC 8955 §7.5): %s" % raw.hex())
                return canon_ext("traffic-marking:%d" % dscp)
            as2_an4 = ("bgp.ext_com.value_as2", "bgp.ext_com.value_an4")
            ip_an2 = ("bgp.ext_com.value_IP4", "bgp.ext_com.value_an2")
            as4_an2 = ("bgp.ext_com.value_as4", "bgp.ext_com.value_an2")
            table = {(0x80, 0x08): ("redirect-as2", as2_an4),
                     (0x81, 0x08): ("redirect-ip4", ip_an2),
                     (0x82, 0x08): ("redirect-as4", as4_an2),
                     (0x00, 0x02): ("rt-as2", as2_an4),
                     (0x01, 0x02): ("rt-ip4", ip_an2),
                     (0x01, 0x0c): ("redirect-ip-ietf", ip_an2)}
            if key in table:
                kind, (f1, f2) = table[key]
                return canon_ext("%s:%s:%s" % (kind, show(f1), show(f2)))
        except (KeyError, TypeError, ValueError, struct.error):
            return None
        return None

    # -- tshark errors

    def experts(self):
        lo, hi = getattr(self, "nlri_range", (0, 0))
        garbled = self.limits & {"ipv6-offset", "tcp-flags-2-octet"}
        found = []                      # (name, position, message)
        for e in self.pkt.iter():
            name = e.get("name")
            if name in ("_ws.expert", "_ws.malformed"):
                msg = field(e, "_ws.expert.message")
                found.append((name, int(e.get("pos") or 0),
                              msg.get("show") if msg is not None
                              else e.get("showname")))
        # The next-hop errors of LIMITATIONS, and the malformed marks tshark
        # puts at the same place.
        known = {at for name, at, text in found if name == "_ws.expert" and
                 "next-hop" in self.limits and
                 any(p.match(text or "") for p in NEXT_HOP_EXPERTS)}
        for name, at, text in found:
            if at in known or (garbled and lo <= at < hi):
                continue
            if name == "_ws.malformed":
                self.expect(False, "tshark: malformed packet at octet %d" % at)
            else:
                self.expect(False, "tshark: %s" % text)


def walk_nlri(body, afi):
    """The LIMITATIONS an NLRI body (RFC octets) runs into."""
    found, i = set(), 0
    while i < len(body):
        ctype = body[i]
        i += 1
        if ctype in PREFIX_TYPES:
            plen = body[i]
            if afi == 2:
                offset = body[i + 1]
                if offset:
                    found.add("ipv6-offset")
                i += 2 + (plen - offset + 7) // 8
            else:
                i += 1 + (plen + 7) // 8
            continue
        if ctype == 13:
            found.add("flow-label")
        while i < len(body):
            op = body[i]
            vlen = 1 << ((op & OP_LEN) >> 4)
            if ctype == 9 and vlen == 2:
                found.add("tcp-flags-2-octet")
            i += 1 + vlen
            if op & OP_EOL:
                break
    return found


def main(argv):
    if argv[1:] == ["--limitations"]:
        for key, why in LIMITATIONS.items():
            print("%s: %s" % (key, why))
        return 0
    if len(argv) != 5:
        raise SystemExit(__doc__)
    rules = read_rules(argv[1])
    with open(argv[2], encoding="utf-8") as f:
        updates = [line.rstrip("\n").split("\t") for line in f if line.strip()]
    frames = read_pcap(argv[3])
    try:
        packets = ET.parse(argv[4]).getroot().findall("packet")
    except ET.ParseError as e:
        die("cannot read tshark's PDML: %s" % e)
    failed = checks = 0
    used = set()
    for n, (name, hexmsg) in enumerate(updates):
        if name not in rules:
            die("UPDATE for unknown rule %s" % name)
        rule = rules[name]
        if n >= len(frames) or n >= len(packets):
            print("FAIL: tshark/%s: no frame %d in the capture" % (name, n + 1))
            failed += 1
            continue
        frame = Frame(rule, packets[n], frames[n], bytes.fromhex(hexmsg))
        try:
            frame.run()
        except (AttributeError, TypeError, ValueError, IndexError) as e:
            frame.diffs.append("could not read tshark's decode: %r" % e)
        checks += frame.checks
        used |= frame.limits
        if frame.diffs:
            failed += 1
            print("FAIL: tshark/%s: %s" % (name, "; ".join(frame.diffs)))
        else:
            print("PASS: tshark/%s" % name)
    sys.stdout.flush()
    print("tshark: %d UPDATEs, %d checks; checked as octets or read around "
          "tshark 4.0: %s" % (len(updates), checks,
                              ", ".join(sorted(used)) or "none"),
          file=sys.stderr)
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
