#!/usr/bin/python3
"""Load: one native-messaging session asks for 10,000 addresses.

A quarter each of found (userN@bulk.test, DANE-EE certificates), absent
(secure NXDOMAIN in example.test), insecure (unsigned.test) and bogus
(bogus.test) names from the DNS test bed (real NSD + validating Unbound,
tests/testbed).  Every address must get exactly one result with the
verdict of its group, then one done with the count; peak resident memory
of the host (VmHWM from /proc/PID/status) is printed, and its growth over
a fresh session (after one hello: the same measure in sanitizer builds)
must stay under $LOAD_MAX_RSS_MIB (default 64).

Run:  python3 tests/load/test_load.py
Binary: $DANE_SMIME or build/host/dane-smime.  Last line of stdout:
"N passed, N failed"; exit status 1 on failure.
"""

import os
import sys
import time
import unittest

HERE = os.path.dirname(os.path.abspath(__file__))
TESTS = os.path.dirname(HERE)
sys.path.insert(0, os.path.join(TESTS, "hostile"))
sys.path.insert(0, TESTS)
import nm  # noqa: E402
from testbed import Testbed  # noqa: E402

N = int(os.environ.get("LOAD_ADDRESSES", "10000"))
MAX_RSS_MIB = int(os.environ.get("LOAD_MAX_RSS_MIB", "64"))
TB = None

GROUPS = [
    # (prefix of the address, status, dnssec)
    ("found", "found", "secure"),
    ("absent", "absent", "secure"),
    ("insecure", "insecure", "insecure"),
    ("bogus", "bogus", "bogus"),
]


def addresses(n):
    """address -> (status, dnssec), n in all, interleaved by group."""
    q = n // 4
    out = {}
    for i in range(q):
        out["user%d@bulk.test" % i] = ("found", "secure")
        out["nobody%d@example.test" % i] = ("absent", "secure")
        out["someone%d@unsigned.test" % i] = ("insecure", "insecure")
        out["victim%d@bogus.test" % i] = ("bogus", "bogus")
    return out


def setUpModule():
    global TB
    nm.binary()
    tb = Testbed(bulk_found=N // 4)
    try:
        tb.start()
    except BaseException:
        tb.stop()
        raise
    TB = tb


def tearDownModule():
    if TB is not None:
        TB.stop()


class TestLoad(unittest.TestCase):
    maxDiff = 2000

    def test_10000_addresses_one_session(self):
        want = addresses(N)
        s = nm.Session(TB.config_path)
        try:
            s.hello("before")
            base = nm.vm_hwm_kib(s.pid)
            t0 = time.monotonic()
            s.send({"type": "lookup", "id": "load",
                    "addresses": list(want)})
            got = {}
            while True:
                f = s.recv(60)
                if f.get("type") == "done":
                    break
                self.assertEqual(f.get("type"), "result", f)
                self.assertEqual(f.get("id"), "load", f)
                a = f["address"]
                self.assertNotIn(a, got, "two results for %r" % a)
                got[a] = f
            took = time.monotonic() - t0
            self.assertEqual(f.get("id"), "load", f)
            self.assertEqual(f.get("count"), len(want), f)
            hwm = nm.vm_hwm_kib(s.pid)
            s.hello("after")
            rc, _ = s.close(10)
            self.assertEqual(rc, 0, s.stderr())
        finally:
            s.kill()
        self.assertEqual(len(got), len(want))
        self.assertEqual(set(got), set(want))
        wrong = {}
        for a, (status, dnssec) in want.items():
            r = got[a]
            if (r.get("status"), r.get("dnssec")) != (status, dnssec):
                key = (status, r.get("status"), r.get("dnssec"),
                       (r.get("error") or {}).get("code"))
                wrong.setdefault(key, []).append(a)
        sys.stderr.write(
            "  %d addresses in %.1f s (%.0f/s); host VmHWM %d KiB "
            "(%.1f MiB; %.1f MiB after a hello)\n"
            % (len(want), took, len(want) / took, hwm, hwm / 1024.0,
               base / 1024.0))
        self.assertFalse(wrong, "wrong verdicts (expected, got status, "
                         "dnssec, code): %s" % {
                             k: (len(v), v[:3]) for k, v in wrong.items()})
        if os.environ.get("ASAN_OPTIONS"):
            # AddressSanitizer's shadow memory and quarantine make RSS
            # meaningless; the -Werror build checks the bound.
            return
        self.assertLess(hwm - base, MAX_RSS_MIB * 1024,
                        "peak RSS %d KiB, %d KiB after a hello: grew by "
                        "more than %d MiB" % (hwm, base, MAX_RSS_MIB))


if __name__ == "__main__":
    sys.exit(nm.main(__name__))
