#!/usr/bin/python3
"""Bounded work in a native session (issue 15, "Bounded work" 2 and 3).

- Pending work per session is bounded (host/base/dslimits.h
  DS_MAX_PENDING_REQUESTS, DS_MAX_PENDING_ADDRESSES): with a resolver that
  never answers, a flood of 40 lookups of 100,000 addresses is answered
  `busy` beyond the limit instead of buffered, peak RSS stays under
  64 MiB, and the host keeps answering (`hello`).  Once pending work is
  answered, requests are taken again.
- An invalid configuration file fails closed: a host started as
  Thunderbird starts it answers every lookup (lookup, verify-message,
  check, doctor) with a `config` error naming the file and line, instead
  of using the defaults the file meant to change; the CLI exits 78.

No DNS test bed is needed: the resolver is tests/testbed's SilentResolver.

Run:  python3 tests/hostile/test_bounds.py
Binary: $DANE_SMIME or build/host/dane-smime ($DANE_SMIME_TIME_SCALE
multiplies every wait).  Last line of stdout: "N passed, N failed".
"""

import base64
import json
import os
import struct
import subprocess
import sys
import tempfile
import time
import unittest

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
sys.path.insert(0, os.path.join(HERE, ".."))
import nm  # noqa: E402
from testbed import SilentResolver  # noqa: E402

MAX_ADDRESSES = 100000                  # DS_MAX_ADDRESSES
MAX_PENDING_REQUESTS = 256              # DS_MAX_PENDING_REQUESTS
MAX_PENDING_ADDRESSES = 200000          # DS_MAX_PENDING_ADDRESSES
MIB = 1024                              # VmHWM is in KiB
MAIL = os.path.join(HERE, "..", "fixtures", "mail")

SILENT = None


def setUpModule():
    global SILENT
    nm.binary()
    SILENT = SilentResolver().__enter__()


def tearDownModule():
    if SILENT is not None:
        SILENT.__exit__(None, None, None)


def config(timeout_ms):
    return nm.write_config([("resolver", SILENT.address),
                            ("timeout_ms", str(timeout_ms)),
                            ("attempts", "1")])


def frame(obj_bytes):
    return struct.pack("=I", len(obj_bytes)) + obj_bytes


def big_lookup(req_id, addresses_json):
    return frame(b'{"type":"lookup","id":' + json.dumps(req_id).encode() +
                 b',"addresses":' + addresses_json + b"}")


def instrumented(pid):
    """ASan (whose quarantine keeps freed memory) or valgrind: their peak
    RSS says nothing about the host's own."""
    try:
        with open("/proc/%d/maps" % pid) as f:
            maps = f.read()
    except OSError:
        return False
    return "libasan" in maps or "vgpreload" in maps


def expect_busy(t, f, req_id):
    t.assertEqual(f.get("type"), "error", f)
    t.assertEqual(f.get("id"), req_id, f)
    t.assertEqual(f["error"]["code"], "busy", f)
    msg = f["error"]["message"]
    # The limits are in the message, so a client knows what to wait for.
    t.assertIn(str(MAX_PENDING_REQUESTS), msg)
    t.assertIn(str(MAX_PENDING_ADDRESSES), msg)


class TestPendingWork(unittest.TestCase):
    def test_flood_of_large_lookups(self):
        """40 x 100,000 addresses at a silent resolver: two are taken
        (200,000 addresses pending), the other 38 are answered busy at
        once, peak RSS < 64 MiB, hello answered promptly throughout."""
        cfg = config(60000)   # DS_MAX_TIMEOUT_MS: none ends in the test
        s = nm.Session(cfg)
        try:
            s.hello("base")
            base = nm.vm_hwm_kib(s.pid)
            addrs = json.dumps(["u%06d@flood.test" % i
                                for i in range(MAX_ADDRESSES)]).encode()
            t0 = time.monotonic()
            busy = 0
            for i in range(40):
                s.write(big_lookup("big%d" % i, addrs))
                if i >= 2:
                    expect_busy(self, s.recv(30), "big%d" % i)
                    busy += 1
                if i % 10 == 9:
                    t = time.monotonic()
                    s.hello("during%d" % i)
                    self.assertLess(time.monotonic() - t,
                                    1.0 * nm.TIME_SCALE)
            took = time.monotonic() - t0
            s.hello("after")
            hwm = nm.vm_hwm_kib(s.pid)
            sys.stderr.write("  40 x 100,000 addresses in %.1f s: %d busy; "
                             "VmHWM %d KiB (%d KiB after the first hello)\n"
                             % (took, busy, hwm, base))
            self.assertEqual(busy, 38)
            # Nothing of the pending lookups came back (the resolver is
            # silent), and the queries did go out.
            s.nothing_more(0.3)
            self.assertGreater(SILENT.udp_count, 0)
            if instrumented(s.pid):
                sys.stderr.write("  (ASan or valgrind: peak RSS not "
                                 "checked)\n")
            else:
                self.assertLess(hwm, 64 * MIB, "VmHWM %d KiB" % hwm)
            # Small requests are refused too while the budget is spent:
            # the addresses are the limit, not the size of a request.
            s.send({"type": "lookup", "id": "small",
                    "addresses": ["a@flood.test"]})
            expect_busy(self, s.recv(10), "small")
            # hello and record need no lookup: still served.
            s.hello("still")
        finally:
            s.kill()
            os.unlink(cfg)

    def test_request_count_and_recovery(self):
        """256 pending one-address lookups: the 257th, and a doctor, are
        busy; once the lookups time out (1 s), new requests are taken
        again."""
        cfg = config(1000)
        s = nm.Session(cfg)
        try:
            s.hello("base")
            for i in range(MAX_PENDING_REQUESTS):
                s.send({"type": "lookup", "id": i,
                        "addresses": ["r%d@flood.test" % i]})
            t_sent = time.monotonic()
            s.send({"type": "lookup", "id": "over",
                    "addresses": ["over@flood.test"]})
            s.send({"type": "doctor", "id": "doc"})
            s.send({"type": "hello", "id": "between"})
            got = {}
            frames = []
            # Everything up to the hello: two busy errors (nothing else
            # can be ready: the first timeout is 1 s away).
            while True:
                f = s.recv(10)
                if f.get("type") == "hello":
                    break
                frames.append(f)
            self.assertLess(time.monotonic() - t_sent, 1.0 * nm.TIME_SCALE)
            self.assertEqual(len(frames), 2, frames)
            expect_busy(self, frames[0], "over")
            expect_busy(self, frames[1], "doc")
            # The 256 time out: a result and a done each.
            deadline = time.monotonic() + 30 * nm.TIME_SCALE
            while len([k for k in got if k[0] == "done"]) < \
                    MAX_PENDING_REQUESTS:
                f = s.recv(max(0.1, deadline - time.monotonic()) /
                           nm.TIME_SCALE)
                got[(f["type"], f.get("id"))] = f
                if f["type"] == "result":
                    self.assertEqual(f["error"]["code"], "timeout", f)
            # Taken again.
            s.send({"type": "lookup", "id": "again",
                    "addresses": ["again@flood.test"]})
            frames = s.recv_until_done("again", 10)
            self.assertEqual(frames[0]["type"], "result", frames)
            self.assertEqual(frames[0]["error"]["code"], "timeout")
            self.assertEqual(frames[-1]["type"], "done", frames)
        finally:
            s.kill()
            os.unlink(cfg)


BAD_CONFIG = ("# the user's choice: never believe AD from this resolver\n"
              "trust_ad = no\n"
              "resolver = %s\n"
              "timeout_ms = fast\n")


class TestInvalidConfig(unittest.TestCase):
    """A bad file is not replaced by the defaults (which would drop its
    trust_ad = no and its resolver): nothing is looked up, and every
    answer names the file and the line."""

    def setUp(self):
        fd, self.path = tempfile.mkstemp(prefix="dane-smime-bad-",
                                         suffix=".conf")
        with os.fdopen(fd, "w") as f:
            f.write(BAD_CONFIG % SILENT.address)
        self.where = self.path + ":4"
        self.udp_before = SILENT.udp_count

    def tearDown(self):
        os.unlink(self.path)

    def started_by_thunderbird(self):
        # Thunderbird: "path manifest.json extension-id"; the config comes
        # from $DANE_SMIME_CONFIG since there is no --config.
        return nm.Session(None, argv=[nm.binary(),
                                      "/usr/lib/mozilla/native-messaging-"
                                      "hosts/dane_smime.json",
                                      "dane-smime@dane-smime.org"],
                          env={"DANE_SMIME_CONFIG": self.path})

    def assert_config_error(self, err):
        self.assertEqual(err["code"], "config", err)
        self.assertIn(self.where, err["message"])

    def test_native_fails_closed(self):
        s = self.started_by_thunderbird()
        try:
            h = s.hello("h")
            self.assertFalse(h["trusted"], h)
            self.assertIn(self.where, h["trust"])
            self.assertEqual(h["resolvers"], [], h)

            s.send({"type": "lookup", "id": "l",
                    "addresses": ["hugh@example.test", "x"]})
            frames = s.recv_until_done("l")
            res = {f["address"]: f for f in frames if f["type"] == "result"}
            r = res["hugh@example.test"]
            self.assertEqual(r["status"], "error", r)
            self.assertEqual(r["dnssec"], "indeterminate", r)
            self.assert_config_error(r["error"])
            self.assertIn("configuration", r["reason"])
            self.assertEqual(res["x"]["error"]["code"], "bad-address")
            self.assertEqual(frames[-1], {"type": "done", "id": "l",
                                          "count": 2})

            s.send({"type": "import", "id": "i", "db": "sql:/nonexistent",
                    "addresses": ["hugh@example.test"]})
            frames = s.recv_until_done("i")
            self.assertEqual(frames[0]["type"], "import", frames)
            self.assertEqual(frames[0]["status"], "error", frames)
            self.assertEqual(frames[0]["changes"], [], frames)
            self.assert_config_error(frames[0]["error"])

            s.send({"type": "doctor", "id": "d"})
            f = s.recv()
            self.assertEqual(f["type"], "error", f)
            self.assertEqual(f["id"], "d")
            self.assert_config_error(f["error"])

            s.send({"type": "check", "id": "c",
                    "address": "hugh@example.test"})
            f = s.recv()
            self.assertEqual(f["type"], "error", f)
            self.assert_config_error(f["error"])

            with open(os.path.join(MAIL, "detached-lf.eml"), "rb") as fh:
                raw = base64.b64encode(fh.read()).decode()
            s.send({"type": "verify-message", "id": "m", "message": raw,
                    "from": "Hugh <hugh@example.test>"})
            m = s.recv()
            self.assertEqual(m["type"], "message-verification", m)
            self.assertEqual(m["id"], "m")
            self.assertEqual(m["signature"], "valid", m)
            self.assertEqual(m["dane"], "error", m)
            self.assertFalse(m["green"], m)
            codes = [p["code"] for p in m["problems"]]
            self.assertIn("config", codes, m)
            self.assertIn(self.where, [p["message"] for p in m["problems"]
                                       if p["code"] == "config"][0])

            s.hello("still")
            rc, _ = s.close(5)
            self.assertEqual(rc, 0, s.stderr())
            self.assertIn(self.where, s.stderr())
            # The resolver the bad file named was never asked.
            self.assertEqual(SILENT.udp_count, self.udp_before)
        finally:
            s.kill()

    def test_cli_exits_with_the_error(self):
        for argv in (["lookup", "hugh@example.test"], ["doctor"],
                     ["native"]):
            with self.subTest(argv=argv):
                p = subprocess.run([nm.binary(), "--config", self.path] +
                                   argv, stdin=subprocess.DEVNULL,
                                   capture_output=True,
                                   env=nm.clean_env(), timeout=30)
                self.assertEqual(p.returncode, 78, p)
                self.assertIn(self.where, p.stderr.decode())
                self.assertEqual(p.stdout, b"")


if __name__ == "__main__":
    sys.exit(nm.main(__name__))
