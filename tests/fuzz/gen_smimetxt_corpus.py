#!/usr/bin/env python3
"""Writes the seed corpus of fuzz_smimetxt into tests/fuzz/corpus/smimetxt/.

The first byte of each seed picks the mode (see fuzz_smimetxt.c): 0 owner
name, 1 TXT RDATA, 2 URL, 3 DNS answer to jane._smime.example.com TXT,
4 a list of TXT RDATAs for smimetxt_pick.
Run: python3 tests/fuzz/gen_smimetxt_corpus.py [outdir]   (stdlib only)
Files named regress-* (inputs the fuzzer found) are left alone.
"""
import os
import struct
import sys

QNAME = "jane._smime.example.com"
URL = b"https://example.com/.well-known/smime/jane.crt"
T_CNAME, T_SOA, T_TXT, T_SMIMEA, T_OPT = 5, 6, 16, 53, 41


def name(n):
    out = b""
    for label in n.rstrip(".").split("."):
        if label:
            out += bytes([len(label)]) + label.encode()
    return out + b"\0"


def strings(text):
    """One TXT RDATA of 255-octet character-strings."""
    out = b""
    while True:
        chunk, text = text[:255], text[255:]
        out += bytes([len(chunk)]) + chunk
        if not text:
            return out


def rr(owner, rtype, rdata, ttl=3600):
    return name(owner) + struct.pack(">HHIH", rtype, 1, ttl, len(rdata)) + rdata


def answer(records, qtype=T_TXT, flags=0x81a0, nscount=0, extra=b""):
    hdr = struct.pack(">HHHHHH", 0x4242, flags, 1, len(records), nscount, 0)
    q = name(QNAME) + struct.pack(">HH", qtype, 1)
    return hdr + q + b"".join(records) + extra


def main():
    out = sys.argv[1] if len(sys.argv) > 1 else os.path.join(
        os.path.dirname(os.path.abspath(__file__)), "corpus", "smimetxt")
    os.makedirs(out, exist_ok=True)
    seeds = {
        "owner-ok": b"\0firstname.lastname\0example.com",
        "owner-plus": b"\0a-b_c+d\0xn--bcher-kva.example",
        "owner-empty-label": b"\0a..b\0example.com",
        "owner-quoted": b'\0"a b"\0example.com',
        "owner-utf8": b"\0j\xc3\xb6rg\0example.com",
        "owner-long": b"\0" + b"a" * 63 + b"." + b"b" * 10 + b"\0" +
                      b".".join([b"d" * 63] * 3) + b".ddd",
        "rdata-one": b"\1" + strings(URL),
        "rdata-split": b"\1" + bytes([10]) + URL[:10] + bytes([len(URL) - 10]) + URL[10:],
        "rdata-empty-strings": b"\1\0\0\0",
        "rdata-overrun": b"\1\x30https://x",
        "rdata-long": b"\1" + strings(b"https://example.com/" + b"p" * 2100),
        "url-ok": b"\2" + URL,
        "url-port-query": b"\2https://certs.example.com:8443/get?u=jane%40example.com",
        "url-http": b"\2http://example.com/a.crt",
        "url-userinfo": b"\2https://bank.example@evil.example/",
        "url-fragment": b"\2https://example.com/a#b",
        "url-ipv4": b"\2https://127.0.0.1/a",
        "url-hex-ipv4": b"\2https://0x7f.1/a",
        "url-ipv6": b"\2https://[::1]/a",
        "url-backslash": b"\2https://example.com\\@evil.example/",
        "url-bad-pct": b"\2https://example.com/%4",
        "url-port-big": b"\2https://example.com:65536/",
        "url-space": b"\2https://example.com/a b",
        "answer-one": b"\3" + answer([rr(QNAME, T_TXT, strings(URL))]),
        "answer-cname": b"\3" + answer([
            rr(QNAME, T_CNAME, name("jane.certs.example.com"), 300),
            rr("jane.certs.example.com", T_TXT, strings(URL), 600)]),
        "answer-two": b"\3" + answer([
            rr(QNAME, T_TXT, strings(URL)),
            rr(QNAME, T_TXT, strings(b"https://example.com/other.crt"))]),
        "answer-spf-and-url": b"\3" + answer([
            rr(QNAME, T_TXT, strings(b"v=spf1 -all")),
            rr(QNAME, T_TXT, strings(URL))]),
        "answer-empty-rdata": b"\3" + answer([rr(QNAME, T_TXT, b"")]),
        "answer-many": b"\3" + answer([rr(QNAME, T_TXT, strings(b"x%d" % i))
                                       for i in range(20)]),
        "answer-smimea-stray": b"\3" + answer([
            rr(QNAME, T_SMIMEA, b"\3\0\0abc"), rr(QNAME, T_TXT, strings(URL))]),
        "answer-wrong-qtype": b"\3" + answer([], qtype=T_SMIMEA),
        "pick-one": b"\4" + bytes([len(strings(URL))]) + strings(URL),
        "pick-dup": b"\4" + (bytes([len(strings(URL))]) + strings(URL)) * 2,
        "pick-ambiguous": b"\4" + bytes([len(strings(URL))]) + strings(URL) +
                          bytes([len(strings(URL + b"x"))]) + strings(URL + b"x"),
    }
    for fname, data in seeds.items():
        with open(os.path.join(out, fname), "wb") as f:
            f.write(data)


if __name__ == "__main__":
    main()
