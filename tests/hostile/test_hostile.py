#!/usr/bin/python3
"""Hostile-input suite: the real binary in native-messaging mode.

Table-driven (CASES below): each case writes hostile bytes to a fresh
`dane-smime native` session, expects the exact replies host/PROTOCOL.md
documents (error codes, bad-address results), and then the host must
still answer a `hello` in the same session: it never crashes, hangs or
goes silent.  A last test plays every case back to back in ONE session.

No DNS test bed is needed: the configured resolver is a loopback port
that never answers (timeout_ms = 150, attempts = 1), and the few valid
addresses in the table expect exactly that `timeout`.

Run:  python3 tests/hostile/test_hostile.py
Binary: $DANE_SMIME or build/host/dane-smime ($DANE_SMIME_TIME_SCALE
multiplies every wait: use 10 or more under valgrind).  Last line of stdout:
"N passed, N failed"; exit status 1 on failure.
"""

import base64
import hashlib
import json
import os
import struct
import sys
import time
import unittest

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import nm  # noqa: E402

CONFIG = None
SILENT = None
TIMEOUT_MS = 150

MAX_REQUEST = 64 * 1024 * 1024          # DS_MAX_REQUEST_BYTES
MAX_ADDRESSES = 100000                  # DS_MAX_ADDRESSES
MAX_DEPTH = 32                          # DS_MAX_JSON_DEPTH
MAX_ID = 256                            # DS_MAX_ID_BYTES
MAX_CHAIN = 8                           # DS_MAX_CHAIN


def setUpModule():
    global CONFIG, SILENT
    nm.binary()
    SILENT = nm.SilentUDP().__enter__()
    CONFIG = nm.write_config([("resolver", SILENT.address),
                              ("timeout_ms", str(TIMEOUT_MS)),
                              ("attempts", "1")])


def tearDownModule():
    if SILENT is not None:
        SILENT.__exit__(None, None, None)
    if CONFIG:
        os.unlink(CONFIG)


# --- building requests ---------------------------------------------------

def frame(body):
    return struct.pack("=I", len(body)) + body


def j(obj):
    return json.dumps(obj, ensure_ascii=False).encode("utf-8")


def owner(local, domain):
    """RFC 8162 3: hex of the first 28 octets of SHA-256(local-part)."""
    h = hashlib.sha256(local.encode("utf-8")).digest()[:28].hex()
    return h + "._smimecert." + domain


GARBAGE_B64 = base64.b64encode(b"\x30\x03\x02\x01\x00" * 7).decode()


# --- expectations ----------------------------------------------------------
# Each is a function (session, case) -> None that reads and checks replies.

def err(code, req_id=None):
    """One {"type":"error"} with this code and id."""
    def check(s, tc):
        f = s.recv(10)
        tc.assertEqual(f.get("type"), "error", f)
        tc.assertEqual(f.get("error", {}).get("code"), code, f)
        tc.assertIsInstance(f["error"].get("message"), str, f)
        tc.assertTrue(f["error"]["message"], f)
        tc.assertEqual(f.get("id"), req_id, f)
    check.desc = "error %s" % code
    return check


def reply(rtype, req_id, **fields):
    """One reply of this type and id (with these field values)."""
    def check(s, tc):
        f = s.recv(10)
        tc.assertEqual(f.get("type"), rtype, f)
        tc.assertEqual(f.get("id"), req_id, f)
        for k, v in fields.items():
            tc.assertEqual(f.get(k), v, f)
    check.desc = rtype
    return check


def results(req_id, expect, timeout=30):
    """Results for a lookup/verify: expect maps address -> (status,
    error code or None, query or None or ...).  Exactly one result per
    address in any order, then one done with the count."""
    def check(s, tc):
        frames = s.recv_until_done(req_id, timeout)
        done = frames[-1]
        tc.assertEqual(done.get("type"), "done", done)
        tc.assertEqual(done.get("count"), len(expect), done)
        got = {}
        for f in frames[:-1]:
            tc.assertEqual(f.get("type"), "result", f)
            tc.assertEqual(f.get("id"), req_id, f)
            a = f.get("address")
            tc.assertNotIn(a, got, "two results for %r" % a)
            got[a] = f
        tc.assertEqual(sorted(got), sorted(expect))
        for a, (status, code, query) in expect.items():
            f = got[a]
            tc.assertEqual(f.get("status"), status, f)
            tc.assertNotEqual(f.get("dnssec"), "secure", f)
            if code is not None:
                tc.assertEqual(f.get("error", {}).get("code"), code, f)
            if query is not Ellipsis:
                tc.assertEqual(f.get("query"), query, f)
    check.desc = "%d results" % len(expect)
    return check


def bad_addresses(req_id, addrs):
    return results(req_id, {a: ("error", "bad-address", None)
                             for a in addrs})


def lookup(req_id, addrs):
    return j({"type": "lookup", "id": req_id, "addresses": addrs})


# --- the table ---------------------------------------------------------------
# (name, list of raw writes, list of expectations).  Writes are bytes sent
# as they are (so a case controls framing itself).

def case_frames(*bodies):
    return [frame(b) for b in bodies]


def nested(depth, inner=b"1"):
    return b"[" * depth + inner + b"]" * depth


def obj_nested(depth):
    """{"type":"hello","x": depth-1 more levels }: total depth `depth`."""
    inner = b"1"
    for _ in range(depth - 1):
        inner = b'{"a":' + inner + b"}"
    return b'{"type":"hello","id":"d","x":' + inner + b"}"


CASES = []


def case(name, writes, expects):
    CASES.append((name, writes, expects))


# framing
case("zero-length-frame", [struct.pack("=I", 0)], [err("empty-frame")])
case("two-zero-length-frames", [struct.pack("=I", 0) * 2],
     [err("empty-frame"), err("empty-frame")])
case("length-just-over-limit",
     # 64 MiB + 1: announced too large, answered at once, body skipped
     # (sent here, so the session can go on).
     [struct.pack("=I", MAX_REQUEST + 1), b" " * (MAX_REQUEST + 1)],
     [err("too-large")])
case("length-at-limit",
     # exactly 64 MiB of JSON (whitespace padding) is accepted
     [frame(b'{"type":"hello","id":"64m"}' + b" " *
            (MAX_REQUEST - len(b'{"type":"hello","id":"64m"}')))],
     [reply("hello", "64m")])
case("frame-in-1-byte-writes",
     [bytes([c]) for c in frame(j({"type": "hello", "id": "slow"}))],
     [reply("hello", "slow")])
case("two-frames-one-write",
     [frame(j({"type": "hello", "id": "a"})) +
      frame(j({"type": "hello", "id": "b"}))],
     [reply("hello", "a"), reply("hello", "b")])
case("frame-header-split",
     [frame(j({"type": "hello", "id": "h"}))[:3],
      frame(j({"type": "hello", "id": "h"}))[3:]],
     [reply("hello", "h")])

# UTF-8 (RFC 3629) and JSON strings (RFC 8259 7, 8)
case("invalid-utf8-byte",
     case_frames(b'{"type":"hello","id":"x\xff"}'), [err("bad-utf8")])
case("overlong-utf8",
     case_frames(b'{"type":"hello","id":"\xc0\xaf"}'), [err("bad-utf8")])
case("utf8-encoded-surrogate",
     case_frames(b'{"type":"hello","id":"\xed\xa0\x80"}'), [err("bad-utf8")])
case("utf8-above-u10ffff",
     case_frames(b'{"type":"hello","id":"\xf4\x90\x80\x80"}'),
     [err("bad-utf8")])
case("utf8-truncated-at-end",
     case_frames(b'{"type":"hello","id":"a"}\xe2\x82'), [err("bad-utf8")])
case("nul-escape-in-value",
     case_frames(b'{"type":"hello","id":"a\\u0000b"}'), [err("bad-string")])
case("nul-escape-in-key",
     case_frames(b'{"type":"hello","i\\u0000d":"a"}'), [err("bad-string")])
case("raw-nul-byte-in-string",
     case_frames(b'{"type":"hello","id":"a\x00b"}'), [err("bad-string")])
case("raw-control-in-string",
     case_frames(b'{"type":"hello","id":"a\x01b"}'), [err("bad-string")])
case("unpaired-high-surrogate",
     case_frames(b'{"type":"hello","id":"\\ud800"}'), [err("bad-string")])
case("unpaired-low-surrogate",
     case_frames(b'{"type":"hello","id":"\\udc00x"}'), [err("bad-string")])
case("paired-surrogate-ok",
     case_frames(b'{"type":"hello","id":"\\ud83d\\ude00"}'),
     [reply("hello", "\U0001F600")])
case("bad-escape",
     case_frames(b'{"type":"hello","id":"\\x41"}'), [err("bad-json")])

# JSON structure
case("duplicate-key-type",
     case_frames(b'{"type":"hello","type":"lookup","id":"d"}'),
     [err("duplicate-key", "d")])
case("duplicate-key-nested",
     case_frames(b'{"type":"hello","id":"d","x":{"a":1,"a":2}}'),
     [err("duplicate-key", "d")])
case("nesting-1000-arrays",
     case_frames(b'{"type":"hello","id":"n","x":' + nested(1000) + b"}"),
     [err("too-deep")])
case("nesting-1000-objects", case_frames(obj_nested(1000)),
     [err("too-deep")])
case("nesting-at-limit", case_frames(obj_nested(MAX_DEPTH)),
     [reply("hello", "d")])
case("nesting-over-limit", case_frames(obj_nested(MAX_DEPTH + 1)),
     [err("too-deep")])
case("huge-array-values",
     # more JSON values than DS_MAX_JSON_VALUES (101,024)
     case_frames(b'{"type":"hello","id":"v","x":[' +
                 b",".join([b"0"] * 200000) + b"]}"),
     [err("too-many-values")])
case("huge-array-strings-ok",
     # a large array under the value limit is fine for a hello
     case_frames(b'{"type":"hello","id":"v","x":[' +
                 b",".join([b'"aaaaaaaaaaaaaaaa"'] * 50000) + b"]}"),
     [reply("hello", "v")])
case("top-level-array", case_frames(b'[{"type":"hello"}]'),
     [err("not-object")])
case("top-level-string", case_frames(b'"hello"'), [err("not-object")])
case("trailing-data", case_frames(b'{"type":"hello","id":"t"} x'),
     [err("bad-json")])
case("two-objects-one-frame",
     case_frames(b'{"type":"hello","id":"t"}{"type":"hello"}'),
     [err("bad-json")])
case("not-json", case_frames(b"GET / HTTP/1.1\r\n\r\n"), [err("bad-json")])
case("utf8-bom", case_frames(b'\xef\xbb\xbf{"type":"hello"}'),
     [err("bad-json")])
case("unterminated-object", case_frames(b'{"type":"hello"'),
     [err("bad-json")])
case("leading-zero-number", case_frames(b'{"type":"hello","id":01}'),
     [err("bad-json")])
case("nan-literal", case_frames(b'{"type":"hello","id":NaN}'),
     [err("bad-json")])
case("number-too-long",
     case_frames(b'{"type":"hello","id":' + b"1" * 100 + b"}"),
     [err("bad-json")])

# ids and types
case("number-id", case_frames(b'{"type":"hello","id":42}'),
     [reply("hello", 42)])
case("negative-fraction-id", case_frames(b'{"type":"hello","id":-1.5}'),
     [reply("hello", -1.5)])
case("huge-number-id", case_frames(b'{"type":"hello","id":1e400}'),
     [err("bad-field")])
case("object-id", case_frames(b'{"type":"hello","id":{"a":1}}'),
     [err("bad-field")])
case("id-too-long", case_frames(j({"type": "hello", "id": "x" * (MAX_ID + 1)})),
     [err("bad-field")])
case("id-at-limit", case_frames(j({"type": "hello", "id": "x" * MAX_ID})),
     [reply("hello", "x" * MAX_ID)])
case("missing-type", case_frames(b'{"id":"m"}'), [err("missing-field", "m")])
case("type-not-string", case_frames(b'{"type":1,"id":"m"}'),
     [err("bad-field", "m")])
case("unknown-type", case_frames(b'{"type":"rm -rf","id":"m"}'),
     [err("unknown-type", "m")])
case("type-case", case_frames(b'{"type":"HELLO","id":"m"}'),
     [err("unknown-type", "m")])
case("verify-message-no-message",
     case_frames(b'{"type":"verify-message","id":"m"}'),
     [err("missing-field", "m")])
case("verify-message-not-base64",
     case_frames(b'{"type":"verify-message","id":"m","message":"%%%"}'),
     [err("bad-field", "m")])
case("verify-message-empty",
     case_frames(b'{"type":"verify-message","id":"m","message":""}'),
     [err("bad-field", "m")])
case("verify-message-from-number",
     case_frames(b'{"type":"verify-message","id":"m","message":"QQ==",'
                 b'"from":1}'),
     [err("bad-field", "m")])
case("bad-at-string",
     case_frames(j({"type": "hello", "id": "at", "at": "yesterday"})),
     [err("bad-field", "at")])
case("bad-at-month",
     case_frames(j({"type": "hello", "id": "at",
                    "at": "2026-13-01T00:00:00Z"})),
     [err("bad-field", "at")])
case("bad-at-huge",
     case_frames(b'{"type":"hello","id":"at","at":1e300}'),
     [err("bad-field", "at")])

# lookup: the request
case("lookup-no-addresses", case_frames(j({"type": "lookup", "id": "l"})),
     [err("missing-field", "l")])
case("lookup-addresses-string",
     case_frames(j({"type": "lookup", "id": "l", "addresses": "a@b.test"})),
     [err("bad-field", "l")])
case("lookup-addresses-empty",
     case_frames(lookup("l", [])), [err("bad-field", "l")])
case("lookup-address-number",
     case_frames(j({"type": "lookup", "id": "l", "addresses": [1]})),
     [err("bad-field", "l")])
case("lookup-address-null-mixed",
     case_frames(j({"type": "lookup", "id": "l",
                    "addresses": ["a@b.test", None]})),
     [err("bad-field", "l")])
case("lookup-address-nul",
     # rejected by the lexical scan, before the id can be read: id null
     case_frames(b'{"type":"lookup","id":"l","addresses":'
                 b'["a\\u0000@example.test"]}'),
     [err("bad-string")])
case("lookup-too-many-addresses",
     case_frames(lookup("l", ["x"] * (MAX_ADDRESSES + 1))),
     [err("too-many-addresses", "l")])

# lookup: the addresses (RFC 5322 3.4.1, RFC 6531, RFC 1035 2.3.4, IDNA2008)
BAD_ADDRESSES = [
    "", "plain", "a@", "@example.test", "a@b@example.test",
    "a@example.test\r\n", "a\r\nb@example.test", "a@exa\nmple.test",
    "a b@example.test", "a@example.test.\t",
    "a@" + "l" * 64 + ".test",                       # label > 63
    "a@" + ".".join(["abcdefghi"] * 26) + ".test",     # domain > 253
    "l" * 65 + "@example.test",                      # local-part > 64
    "a@example..test", "a@.example.test", ".a@example.test",
    "a.@example.test", "a..b@example.test", "a@-example.test",
    "a@example-.test", "a@[127.0.0.1]", "a@[IPv6:::1]",
    '"unterminated@example.test', '"a"b@example.test',
    '"a\\"@example.test',                            # escape eats the quote
    "a@\u2603.test",                                 # snowman: DISALLOWED
    "a@\u00ad.test",                                 # soft hyphen
    "a@xn--.test", "a@xn--zz-.test",                 # not Punycode
    "a@\u05d0a.test",                                # RFC 5893 bidi rule
    "a@a\u0301\u200d.test",                          # ZWJ outside context
    "\ud7ff@\U0001F600.test",                        # emoji domain
    "a@example.test" + "x" * 10000,                  # long
]
case("lookup-bad-addresses", case_frames(lookup("b", BAD_ADDRESSES)),
     [bad_addresses("b", BAD_ADDRESSES)])
for i, a in enumerate(["a@example.test\r\n", "a@" + "l" * 64 + ".test",
                       "a@example..test", ".a@example.test",
                       "a@\u2603.test", '"a\\"@example.test']):
    case("lookup-bad-address-%d" % i, case_frames(lookup("b%d" % i, [a])),
         [bad_addresses("b%d" % i, [a])])
QUOTED = ['"a\\"b"@example.test', '"a b"@example.test',
          '"a\\\\b"@example.test', '"\\a"@example.test']
case("lookup-quoted-local-parts", case_frames(lookup("q", QUOTED)),
     [results("q", {a: ("error", "timeout",
                        owner(a.rsplit("@", 1)[0], "example.test"))
                    for a in QUOTED})])
case("lookup-uts46-mapped",
    # UTS 46 nontransitional mapping (host/mail/address.c) folds fullwidth
    # U+FF21 to "a" before IDNA2008: looked up as a.test
    case_frames(lookup("m", ["a@\uff21.test"])),
    [results("m", {"a@\uff21.test": ("error", "timeout",
                                     owner("a", "a.test"))})])
case("lookup-u-label-ok",
     case_frames(lookup("u", ["j\u00f6rg@b\u00fccher.test"])),
     [results("u", {"j\u00f6rg@b\u00fccher.test": (
         "error", "timeout", owner("j\u00f6rg", "xn--bcher-kva.test"))})])
N100K = MAX_ADDRESSES
case("lookup-100000-bad-addresses",
     case_frames(lookup("big", ["bad%d" % i for i in range(N100K)])),
     [results("big", {"bad%d" % i: ("error", "bad-address", None)
                      for i in range(N100K)}, timeout=120)])
case("lookup-duplicate-addresses",
     case_frames(lookup("dup", ["x", "x"])),
     # one result per entry: the same address twice gives two results
     [lambda s, tc: (
         lambda fr: (tc.assertEqual([f["type"] for f in fr],
                                    ["result", "result", "done"], fr),
                     tc.assertEqual(fr[-1].get("count"), 2, fr)))(
         s.recv_until_done("dup"))])

# verify / record / check / import with bad fields
CERT = GARBAGE_B64
with open(os.path.join(nm.REPO, "tests", "fixtures", "certs", "ec.der"),
          "rb") as _f:
    GOOD_CERT = base64.b64encode(_f.read()).decode()
case("verify-no-certificate",
     case_frames(j({"type": "verify", "id": "v", "address": "a@b.test"})),
     [err("missing-field", "v")])
case("verify-no-address",
     case_frames(j({"type": "verify", "id": "v", "certificate": CERT})),
     [err("missing-field", "v")])
case("verify-address-number",
     case_frames(j({"type": "verify", "id": "v", "address": 5,
                    "certificate": CERT})),
     [err("bad-field", "v")])
case("verify-certificate-not-base64",
     case_frames(j({"type": "verify", "id": "v", "address": "a@b.test",
                    "certificate": "not base64!"})),
     [err("bad-field", "v")])
case("verify-certificate-too-big",
     case_frames(j({"type": "verify", "id": "v", "address": "a@b.test",
                    "certificate": base64.b64encode(
                        b"\0" * 65536).decode()})),
     [err("bad-field", "v")])
case("verify-chain-not-array",
     case_frames(j({"type": "verify", "id": "v", "address": "a@b.test",
                    "certificate": CERT, "chain": CERT})),
     [err("bad-field", "v")])
case("verify-chain-too-long",
     case_frames(j({"type": "verify", "id": "v", "address": "a@b.test",
                    "certificate": CERT, "chain": [CERT] * (MAX_CHAIN + 1)})),
     [err("bad-field", "v")])
case("verify-undecodable-certificate",
     case_frames(j({"type": "verify", "id": "v", "address": "a@b.test",
                    "certificate": CERT})),
     [results("v", {"a@b.test": ("error", "bad-certificate", Ellipsis)})])
case("verify-bad-address",
     case_frames(j({"type": "verify", "id": "v", "address": "a@@b.test",
                    "certificate": GOOD_CERT})),
     [results("v", {"a@@b.test": ("error", "bad-address", None)})])
case("record-no-certificate", case_frames(j({"type": "record", "id": "r"})),
     [err("missing-field", "r")])
case("record-usage-4",
     case_frames(j({"type": "record", "id": "r", "certificate": CERT,
                    "usage": 4})), [err("bad-field", "r")])
case("record-selector-negative",
     case_frames(j({"type": "record", "id": "r", "certificate": CERT,
                    "selector": -1})), [err("bad-field", "r")])
case("record-matching-string",
     case_frames(j({"type": "record", "id": "r", "certificate": CERT,
                    "matching": "1"})), [err("bad-field", "r")])
case("record-usage-fraction",
     case_frames(j({"type": "record", "id": "r", "certificate": CERT,
                    "usage": 1.5})), [err("bad-field", "r")])
case("record-ttl-too-big",
     case_frames(j({"type": "record", "id": "r", "certificate": CERT,
                    "ttl": 2147483648})), [err("bad-field", "r")])
case("record-undecodable-certificate",
     case_frames(j({"type": "record", "id": "r", "certificate": CERT})),
     [err("bad-certificate", "r")])
case("record-bad-address",
     case_frames(j({"type": "record", "id": "r", "certificate": GOOD_CERT,
                    "address": "a@-b.test"})),
     [err("bad-address", "r")])
case("check-undecodable-certificate",
     case_frames(j({"type": "check", "id": "c", "address": "a@b.test",
                    "certificate": CERT})),
     [err("bad-certificate", "c")])
case("check-no-address", case_frames(j({"type": "check", "id": "c"})),
     [err("missing-field", "c")])
case("check-bad-address",
     case_frames(j({"type": "check", "id": "c", "address": "a@b..test"})),
     [err("bad-address", "c")])
case("check-certificate-not-base64",
     case_frames(j({"type": "check", "id": "c", "address": "a@b.test",
                    "certificate": "@@@"})), [err("bad-field", "c")])
case("import-no-db",
     case_frames(j({"type": "import", "id": "i", "addresses": ["a@b.test"]})),
     [err("missing-field", "i")])
case("import-db-number",
     case_frames(j({"type": "import", "id": "i", "db": 1,
                    "addresses": ["a@b.test"]})), [err("bad-field", "i")])
case("import-db-too-long",
     case_frames(j({"type": "import", "id": "i", "db": "sql:" + "x" * 2000,
                    "addresses": ["a@b.test"]})), [err("bad-field", "i")])
case("import-dry-run-string",
     case_frames(j({"type": "import", "id": "i", "db": "sql:/nonexistent",
                    "dry_run": "yes", "addresses": ["a@b.test"]})),
     [err("bad-field", "i")])
case("import-no-addresses",
     case_frames(j({"type": "import", "id": "i", "db": "sql:/nonexistent"})),
     [err("missing-field", "i")])


# --- running ----------------------------------------------------------------

def play(tc, s, writes, expects, tag):
    for w in writes:
        s.write(w)
    for e in expects:
        e(s, tc)
    # The host must still be there and in step.
    s.hello("after-" + tag)


def make_test(name, writes, expects):
    def test(self):
        s = nm.Session(CONFIG)
        try:
            play(self, s, writes, expects, name)
            s.nothing_more(0.05)
            rc, secs = s.close(10)
            self.assertEqual(rc, 0, "exit status; stderr:\n" + s.stderr())
        finally:
            s.kill()
    return test


class TestHostile(unittest.TestCase):
    maxDiff = 2000

    def test_cases_count(self):
        self.assertGreaterEqual(len(CASES), 40)

    def test_length_ffffffff(self):
        # 0xFFFFFFFF: too-large at once; the body is skipped unbuffered
        # as it arrives, so after sending all 4 GiB - 1 of it the session
        # goes on.  Peak RSS must stay small meanwhile.
        s = nm.Session(CONFIG)
        try:
            s.hello("base")
            base = nm.vm_hwm_kib(s.pid)
            s.write(struct.pack("=I", 0xFFFFFFFF))
            err("too-large")(s, self)
            chunk = b" " * (1 << 20)
            left = 0xFFFFFFFF
            t = time.monotonic()
            while left:
                n = min(left, len(chunk))
                s.write(chunk[:n])
                left -= n
            s.hello("after-4g")
            sys.stderr.write("  4 GiB skipped in %.1f s\n"
                             % (time.monotonic() - t))
            # Relative to a fresh session, so that sanitizer builds
            # (large shadow memory) measure the same thing.
            hwm = nm.vm_hwm_kib(s.pid)
            self.assertLess(hwm - base, 16 * 1024,
                            "VmHWM %s KiB, %s after a hello" % (hwm, base))
        finally:
            s.kill()

    def test_length_larger_than_data_then_eof(self):
        # A frame announcing 100 bytes, 10 sent, then EOF: the partial
        # request is dropped, earlier requests are answered, clean exit.
        s = nm.Session(CONFIG)
        try:
            s.hello("before")
            s.write(struct.pack("=I", 100) + b'{"type":"h')
            rc, secs = s.close(5)
            self.assertEqual(rc, 0, s.stderr())
            self.assertEqual(s.p.stdout.read(), b"")
            self.assertIn("partial", s.stderr())
        finally:
            s.kill()

    def test_huge_length_then_eof(self):
        # 64 MiB announced, a few bytes, EOF: no 64 MiB allocation.
        s = nm.Session(CONFIG)
        try:
            s.hello("base")
            base = nm.vm_hwm_kib(s.pid)
            s.write(struct.pack("=I", MAX_REQUEST) + b'{"type":')
            time.sleep(0.2)
            hwm = nm.vm_hwm_kib(s.pid)
            rc, secs = s.close(5)
            self.assertEqual(rc, 0, s.stderr())
            self.assertLess(hwm - base, 4 * 1024,
                            "VmHWM %s KiB, %s after a hello" % (hwm, base))
        finally:
            s.kill()

    def test_partial_header_then_eof(self):
        s = nm.Session(CONFIG)
        try:
            s.write(b"\x05\x00")
            rc, secs = s.close(5)
            self.assertEqual(rc, 0, s.stderr())
        finally:
            s.kill()

    def test_pending_lookup_answered_after_eof(self):
        # EOF with a lookup in flight: its results still come, then exit.
        s = nm.Session(CONFIG)
        try:
            s.write(frame(lookup("eof", ["a@example.test", "bad"])))
            s.p.stdin.close()
            frames = s.recv_until_done("eof", 10)
            self.assertEqual(len(frames), 3, frames)
            self.assertEqual(s.p.wait(5), 0)
        finally:
            s.kill()

    def test_all_cases_one_session(self):
        # Every case back to back in a single process: no state leaks
        # from one hostile request into the next.
        s = nm.Session(CONFIG)
        try:
            for name, writes, expects in CASES:
                with self.subTest(case=name):
                    play(self, s, writes, expects, name)
            rc, secs = s.close(10)
            self.assertEqual(rc, 0, s.stderr())
        finally:
            s.kill()


for _name, _writes, _expects in CASES:
    setattr(TestHostile, "test_case_" + _name.replace("-", "_"),
            make_test(_name, _writes, _expects))


if __name__ == "__main__":
    sys.exit(nm.main(__name__))
