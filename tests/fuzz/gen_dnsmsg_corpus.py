#!/usr/bin/env python3
"""Writes the seed corpus of fuzz_dnsmsg into tests/fuzz/corpus/dnsmsg/.

Each seed is a DNS response (RFC 1035 4.1) to the question the fuzz target
asks: QNAME below, type SMIMEA (53), class IN. Valid answers, negative
answers, CNAME chains, EDNS/EDE, and deliberately broken ones.
Run: python3 tests/fuzz/gen_dnsmsg_corpus.py [outdir]   (stdlib only)
Files named regress-* (inputs the fuzzer found) are left alone.
"""
import os
import struct
import sys

QNAME = ("c93f1e400f26708f98cb19d936620da35eec8f72e57f9eec01c1afd6."
         "_smimecert.example.com")
QPTR = b"\xc0\x0c"
T_CNAME, T_SOA, T_OPT, T_RRSIG, T_SMIMEA = 5, 6, 41, 46, 53
QR, AA, TC, RD, RA, AD, CD = 0x8000, 0x0400, 0x0200, 0x0100, 0x80, 0x20, 0x10
RESP = QR | RD | RA


def name(n):
    """Presentation name to uncompressed wire (no escapes needed here)."""
    out = b""
    for label in n.rstrip(".").split("."):
        if label:
            out += bytes([len(label)]) + label.encode()
    return out + b"\0"


def rr(owner, rtype, rdata, ttl=3600, rclass=1):
    if isinstance(owner, str):
        owner = name(owner)
    return owner + struct.pack(">HHIH", rtype, rclass, ttl, len(rdata)) + rdata


def smimea(owner, usage, sel, mtype, data, ttl=3600):
    return rr(owner, T_SMIMEA, bytes([usage, sel, mtype]) + data, ttl)


def soa(ttl=3600, minimum=300):
    rdata = (name("ns1.example.com") + name("hostmaster.example.com") +
             struct.pack(">IIIII", 2024010101, 7200, 3600, 1209600, minimum))
    return rr("example.com", T_SOA, rdata, ttl)


def opt(ttl=0x8000, options=b"", owner=b"\0"):
    return rr(owner, T_OPT, options, ttl, rclass=1232)


def ede(code, text):
    return struct.pack(">HHH", 15, len(text) + 2, code) + text


def msg(flags=RESP, an=(), ns=(), ar=(), qd=None, counts=None):
    if qd is None:
        qd = [name(QNAME) + struct.pack(">HH", T_SMIMEA, 1)]
    c = counts or (len(qd), len(an), len(ns), len(ar))
    return (struct.pack(">HHHHHH", 0x1234, flags, *c) + b"".join(qd) +
            b"".join(an) + b"".join(ns) + b"".join(ar))


CERT = b"0\x82\x01\x0a" + bytes(range(60))
H256 = bytes(range(32))
H512 = bytes(range(64))


def seeds():
    s = {}
    positive = msg(RESP | AD, an=[smimea(QPTR, 3, 0, 0, CERT),
                                  smimea(QPTR, 3, 1, 1, H256, 300)],
                   ar=[opt()])
    s["positive-2rec"] = positive
    s["positive-all-usages"] = msg(RESP | AD, an=[
        smimea(QPTR, u, sel, m, {0: CERT, 1: H256, 2: H512}[m])
        for u in range(4) for sel in range(2) for m in range(3)][:12])
    s["problems"] = msg(RESP, an=[
        rr(QPTR, T_SMIMEA, b"\x03\x01"), smimea(QPTR, 4, 0, 0, CERT),
        smimea(QPTR, 3, 2, 0, CERT), smimea(QPTR, 3, 0, 3, CERT),
        smimea(QPTR, 3, 1, 1, H256[:31]), smimea(QPTR, 3, 1, 2, H256),
        smimea(QPTR, 3, 1, 0, b"")])
    s["nxdomain-soa"] = msg(RESP | AD | 3, ns=[soa(3600, 300)], ar=[opt()])
    s["nodata-soa"] = msg(RESP | AD, ns=[rr("example.com", 47, name(
        "z.example.com") + b"\x00\x06\x20\x00\x00\x00\x00\x03"), soa(60, 900)])
    s["servfail-ede"] = msg(RESP | 2, ar=[opt(0x8000, ede(6, b"DNSSEC Bogus"))])
    s["servfail-ede-hostile"] = msg(RESP | 2, ar=[opt(0, struct.pack(
        ">HH", 10, 8) + b"cookie!!" + ede(
        0, b"\x01ab\x1b[31m\xff\xc3\x28 \xc3\xa9 \xe2\x80\xae\xc0\xaf"
           b"\xed\xa0\x80\xf4\x90\x80\x80\x7f\xc2\x85z\0") + ede(9, b""))])
    s["ext-rcode"] = msg(RESP, ar=[opt(0x01008000)])
    s["flags-tc"] = msg(QR | AA | TC | RD | RA | AD | CD)
    s["cname-chain"] = msg(RESP | AD, an=[
        rr(QPTR, T_CNAME, name("a.Example.net"), 600),
        rr("a.example.net", T_CNAME, name("b.example.org"), 500),
        smimea("B.example.org", 3, 1, 1, H256, 700),
        rr("b.example.org", T_RRSIG, b"\x00" * 20)])
    s["cname-reversed"] = msg(RESP, an=[
        smimea("b.example.org", 3, 1, 1, H256, 700),
        rr("a.example.net", T_CNAME, name("b.example.org"), 500),
        rr(QNAME, T_CNAME, name("a.example.net"), 600)])
    s["cname-loop"] = msg(RESP, an=[
        rr(QPTR, T_CNAME, name("a.example.net")),
        rr("a.example.net", T_CNAME, QPTR)])
    s["cname-long"] = msg(RESP, an=[
        rr(QPTR if i == 0 else name("h%d.example.net" % i), T_CNAME,
           name("h%d.example.net" % (i + 1))) for i in range(9)])
    # Owner is a pointer to itself (offset of the answer section).
    off = len(msg())
    s["ptr-self"] = msg(RESP, an=[rr(struct.pack(">H", 0xc000 | off), 16, b"")])
    # Two pointers in an RDATA pointing at each other.
    rdoff = off + 2 + 10
    s["ptr-mutual"] = msg(RESP, an=[
        rr(QPTR, 16, struct.pack(">HH", 0xc000 | (rdoff + 2), 0xc000 | rdoff)),
        rr(struct.pack(">H", 0xc000 | rdoff), 16, b"")])
    s["ptr-beyond"] = msg(RESP, an=[rr(b"\xff\xff", 16, b"")])
    s["label-0x40"] = msg(RESP, an=[rr(b"\x41a\x00", 16, b"")])
    s["name-too-long"] = msg(RESP, an=[rr(
        (b"\x3f" + b"x" * 63) * 4 + b"\x00", 16, b"")])
    s["rdlength-past-end"] = positive[:-11 - 20]  # cut inside the 2nd RDATA
    s["rdlength-big"] = msg(RESP, an=[
        QPTR + struct.pack(">HHIH", T_SMIMEA, 1, 60, 1000) + b"\x03\x01\x01"])
    s["truncated-header"] = positive[:7]
    s["truncated-question"] = positive[:40]
    s["trailing"] = positive + b"\x00"
    s["question-mixed-case"] = msg(RESP, qd=[name(QNAME.upper()) +
                                            struct.pack(">HH", T_SMIMEA, 1)],
                                   an=[smimea(QPTR, 3, 1, 1, H256)])
    s["question-wrong-type"] = msg(RESP, qd=[name(QNAME) +
                                            struct.pack(">HH", 52, 1)])
    s["qdcount-2"] = msg(RESP, qd=[name(QNAME) + struct.pack(">HH", 53, 1)] * 2)
    s["query-not-response"] = msg(RD)
    s["opt-two"] = msg(RESP, ar=[opt(), opt()])
    s["opt-bad-option"] = msg(RESP, ar=[opt(0, struct.pack(">HHH", 15, 10, 6))])
    s["many-records"] = msg(RESP, an=[smimea(QPTR, 3, 1, 1, H256)] * 70)
    return s


def main():
    here = os.path.dirname(os.path.abspath(__file__))
    outdir = sys.argv[1] if len(sys.argv) > 1 else os.path.join(
        here, "corpus", "dnsmsg")
    os.makedirs(outdir, exist_ok=True)
    for fname, data in sorted(seeds().items()):
        with open(os.path.join(outdir, fname), "wb") as f:
            f.write(data)
    print("wrote %d seeds to %s" % (len(seeds()), outdir))


if __name__ == "__main__":
    main()
