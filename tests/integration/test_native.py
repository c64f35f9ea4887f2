#!/usr/bin/python3
"""Integration tests: native-messaging mode (4-byte native-endian length +
UTF-8 JSON frames on stdin/stdout), against the NSD + Unbound test bed with
a bulk.test zone of 1000 addresses.

Run:  /usr/bin/python3 tests/integration/test_native.py
Binary: $DANE_SMIME or build/host/dane-smime.  Last line of stdout:
"N passed, N failed[, N skipped]"; exit status 1 on failure.
"""

import base64
import os
import sys
import time
import unittest

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import helpers  # noqa: E402
from helpers import (Native, binary, require_binary,  # noqa: E402
                     scaled)

TB = None
BULK = 1000


def setUpModule():
    global TB
    require_binary()
    TB = helpers.start_testbed(bulk_found=BULK)


def tearDownModule():
    if TB is not None:
        TB.stop()


class Base(unittest.TestCase):
    maxDiff = None

    def setUp(self):
        self.sessions = []

    def tearDown(self):
        for s in self.sessions:
            s.kill()

    def native(self, argv=None, env=None):
        s = Native(argv or [binary(), "--config", TB.config_path, "native"],
                   env=env)
        self.sessions.append(s)
        return s

    def check_error(self, f, code, req_id):
        self.assertEqual(f.get("type"), "error", f)
        self.assertEqual(f.get("id"), req_id, f)
        self.assertEqual(f.get("error", {}).get("code"), code, f)
        self.assertIsInstance(f["error"].get("message"), str, f)

    def check_hello(self, f, req_id):
        self.assertEqual(f.get("type"), "hello", f)
        self.assertEqual(f.get("id"), req_id, f)
        self.assertEqual(f.get("name"), "dane-smime", f)
        self.assertEqual(f.get("protocol"), 1, f)
        self.assertIsInstance(f.get("version"), str, f)
        self.assertIsInstance(f.get("trust"), str, f)
        res = f.get("resolvers")
        self.assertIsInstance(res, list, f)
        self.assertIn({"address": TB.resolver, "trusted": True},
                      [{"address": r.get("address"),
                        "trusted": r.get("trusted")} for r in res], f)


class TestNative(Base):

    def test_hello(self):
        s = self.native()
        s.send({"id": 1, "type": "hello"})
        self.check_hello(s.recv(), 1)
        rc, secs = s.close()
        self.assertEqual(rc, 0)

    def test_lookup_three(self):
        s = self.native()
        addrs = ["hugh@example.test", "absent@example.test",
                 "hugh@bogus.test"]
        s.send({"id": 2, "type": "lookup", "addresses": addrs})
        frames = s.recv_until_done(2)
        results = [f for f in frames if f.get("type") == "result"]
        self.assertEqual(sorted(r["address"] for r in results), sorted(addrs),
                         frames)
        for r in results:
            self.assertEqual(r["id"], 2)
        by = {r["address"]: r for r in results}
        self.assertEqual(by["hugh@example.test"]["status"], "found")
        self.assertEqual(by["hugh@example.test"]["dnssec"], "secure")
        der = base64.b64decode(by["hugh@example.test"]["certificates"][0]
                               ["der"])
        self.assertEqual(der, TB.cert_der("hugh@example.test"))
        self.assertEqual(by["absent@example.test"]["status"], "absent")
        self.assertEqual(by["hugh@bogus.test"]["status"], "bogus")
        self.assertEqual(frames[-1], {"type": "done", "id": 2, "count": 3})

    def test_cached_answer_ttl_counts_down(self):
        # The host's own answer cache hands out what remains of the TTL
        # (RFC 1035 3.2.1), not the TTL the answer came with: the token
        # cache keeps an entry until then, and must not keep a withdrawn
        # record a whole TTL longer than the record may live.
        s = self.native()
        s.send({"id": 1, "type": "lookup",
                "addresses": ["hugh@example.test"]})
        first = [f for f in s.recv_until_done(1)
                 if f.get("type") == "result"][0]
        time.sleep(2.2)
        s.send({"id": 2, "type": "lookup",
                "addresses": ["hugh@example.test"]})
        second = [f for f in s.recv_until_done(2)
                  if f.get("type") == "result"][0]
        self.assertEqual(first["status"], "found", first)
        self.assertEqual(second["status"], "found", second)
        self.assertGreater(first["ttl"], 10, first)
        self.assertLessEqual(second["ttl"], first["ttl"] - 2,
                             (first["ttl"], second["ttl"]))
        self.assertGreater(second["ttl"], 0, second)

    def test_string_id_echoed(self):
        s = self.native()
        s.send({"id": "abc-1", "type": "lookup",
                "addresses": ["hugh@example.test"]})
        frames = s.recv_until_done("abc-1")
        self.assertEqual(frames[-1].get("type"), "done", frames)
        self.assertEqual(frames[0].get("id"), "abc-1")

    def test_bulk_1000(self):
        s = self.native()
        addrs = ["user%d@bulk.test" % i for i in range(BULK)]
        t = time.monotonic()
        s.send({"id": 7, "type": "lookup", "addresses": addrs})
        frames = s.recv_until_done(7, timeout=60)
        wall = time.monotonic() - t
        results = [f for f in frames if f.get("type") == "result"]
        seen = {}
        for r in results:
            seen[r["address"]] = seen.get(r["address"], 0) + 1
        self.assertEqual(len(results), BULK)
        self.assertEqual(set(seen), set(addrs))
        self.assertEqual(max(seen.values()), 1, "an address answered twice")
        bad = [r for r in results if r["status"] != "found"]
        self.assertEqual(bad[:3], [], "%d not found" % len(bad))
        self.assertEqual(frames[-1], {"type": "done", "id": 7,
                                      "count": BULK})
        sys.stderr.write("[bulk %d in %.2f s] " % (BULK, wall))

    def test_two_requests_interleaved(self):
        s = self.native()
        s.send({"id": 10, "type": "lookup",
                "addresses": ["hugh@example.test", "big@example.test"]})
        s.send({"id": 11, "type": "hello"})
        s.send({"id": 12, "type": "lookup",
                "addresses": ["absent@example.test"]})
        got = []
        deadline = time.monotonic() + scaled(20)
        done = set()
        while done != {10, 12} or 11 not in [g.get("id") for g in got]:
            got.append(s.recv_before(deadline))
            if got[-1].get("type") == "done":
                done.add(got[-1]["id"])
        r10 = [g for g in got if g.get("id") == 10 and g["type"] == "result"]
        r12 = [g for g in got if g.get("id") == 12 and g["type"] == "result"]
        self.assertEqual(len(r10), 2)
        self.assertEqual(len(r12), 1)

    def test_invalid_json_then_hello(self):
        s = self.native()
        s.send_raw(b"{not json")
        self.check_error(s.recv(), "bad-json", None)
        s.send({"id": 3, "type": "hello"})
        self.check_hello(s.recv(), 3)

    def test_protocol_errors(self):
        s = self.native()
        cases = [
            (b"[1,2,3]", "not-object", None),
            (b'"hello"', "not-object", None),
            (b'{"id":4,"type":"no-such-type"}', "unknown-type", 4),
            (b'{"id":5}', "missing-field", 5),
            (b'{"id":6,"type":"lookup"}', "missing-field", 6),
            (b'{"id":7,"type":"lookup","addresses":"hugh@example.test"}',
             "bad-field", 7),
            (b'{"id":8,"type":"lookup","addresses":[1,2]}', "bad-field", 8),
            (b'{"id":9,"type":"hello","x":"\xff\xfe"}', "bad-utf8", None),
        ]
        for body, code, rid in cases:
            with self.subTest(body=body):
                s.send_raw(body)
                f = s.recv()
                self.assertEqual(f.get("type"), "error", f)
                self.assertEqual(f.get("error", {}).get("code"), code, f)
                if rid is not None:
                    self.assertEqual(f.get("id"), rid, f)
        # still alive and in sync
        s.send({"id": 99, "type": "hello"})
        self.check_hello(s.recv(), 99)

    def test_bad_address_in_request(self):
        s = self.native()
        s.send({"id": 20, "type": "lookup",
                "addresses": ["hugh@example.test", "not-an-address"]})
        frames = s.recv_until_done(20)
        by = {f["address"]: f for f in frames if f.get("type") == "result"}
        self.assertEqual(by["not-an-address"]["status"], "error")
        self.assertEqual(by["not-an-address"]["error"]["code"], "bad-address")
        self.assertEqual(by["hugh@example.test"]["status"], "found")
        self.assertEqual(frames[-1]["count"], 2)

    def test_too_large_frame(self):
        s = self.native()
        # announce a 1 GiB frame: the host must refuse, not allocate/wait
        s.send_raw(b"{}", length=1 << 30)
        try:
            f = s.recv(5)
        except EOFError:
            self.fail("host closed without a too-large error")
        self.check_error(f, "too-large", None)

    def test_doctor(self):
        s = self.native()
        s.send({"id": "d1", "type": "doctor"})
        f = s.recv(15)
        self.assertEqual(f.get("type"), "doctor", f)
        self.assertEqual(f.get("id"), "d1", f)
        self.assertIs(f.get("ok"), True, f)

    def test_eof_exits_promptly(self):
        s = self.native()
        s.send({"id": 1, "type": "hello"})
        s.recv()
        rc, secs = s.close(timeout=1.0)
        self.assertIsNotNone(rc, "still running 1 s after EOF")
        self.assertEqual(rc, 0)
        self.assertLess(secs, scaled(1.0))

    def test_eof_immediately(self):
        s = self.native()
        rc, secs = s.close(timeout=1.0)
        self.assertEqual(rc, 0, "rc=%r after %.2fs" % (rc, secs))

    def test_eof_during_lookup(self):
        # EOF with a request in flight: the host finishes it, writes the
        # replies (we keep reading: a full pipe would block it) and exits.
        s = self.native()
        n = 200
        s.send({"id": 1, "type": "lookup",
                "addresses": ["user%d@bulk.test" % i for i in range(n)]})
        s.p.stdin.close()
        frames = []
        deadline = time.monotonic() + scaled(10)
        while True:
            try:
                frames.append(s.recv_before(deadline))
            except EOFError:
                break
        results = [f for f in frames if f.get("type") == "result"]
        self.assertEqual(len(results), n)
        self.assertEqual(frames[-1], {"type": "done", "id": 1, "count": n})
        rc = s.p.wait(scaled(2))
        self.assertEqual(rc, 0)

    def test_thunderbird_argv(self):
        # Thunderbird starts the host as: host /path/to/manifest.json ext-id
        manifest = os.path.join(TB.workdir, "dane_smime.json")
        with open(manifest, "w") as f:
            f.write("{}\n")
        s = self.native([binary(), manifest, "dane-smime@example.org"],
                        env={"DANE_SMIME_CONFIG": TB.config_path})
        s.send({"id": 1, "type": "hello"})
        self.check_hello(s.recv(), 1)
        s.send({"id": 2, "type": "lookup",
                "addresses": ["hugh@example.test"]})
        frames = s.recv_until_done(2)
        self.assertEqual(frames[0]["status"], "found", frames)
        rc, secs = s.close()
        self.assertEqual(rc, 0)


if __name__ == "__main__":
    sys.exit(helpers.main(__name__))
