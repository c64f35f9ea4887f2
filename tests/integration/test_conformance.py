#!/usr/bin/python3
"""Integration tests for the PKI layer (issues 12 and 15) against the real
test bed: a long-running host keeps judging PKIX and DANE-TA paths right
after other validations in the same process (NSS's and libpkix's
certificate caches).

Names and certificates: tests/testbed/README.md (issue 3 section).

Run:  /usr/bin/python3 tests/integration/test_conformance.py
Binary: $DANE_SMIME or build/host/dane-smime.  Last line of stdout:
"N passed, N failed[, N skipped]"; exit status 1 on failure.
"""

import os
import sys
import unittest

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import helpers  # noqa: E402
from helpers import Native, binary, require_binary  # noqa: E402

TB = None


def setUpModule():
    global TB
    require_binary()
    TB = helpers.start_testbed()


def tearDownModule():
    if TB is not None:
        TB.stop()


class Session:
    """One native-messaging host process with the test bed's nss_db."""

    def __init__(self, test):
        self.t = test
        self.s = Native([binary(), "--config", TB.nss_config_path, "native"])
        self.n = 0

    def request(self, req):
        self.n += 1
        req = dict(req, id=self.n)
        self.s.send(req)
        frames = self.s.recv_until_done(self.n)
        res = {f["address"]: f for f in frames if f.get("type") == "result"}
        self.t.assertEqual(frames[-1].get("type"), "done", frames)
        return res

    def verify(self, address, cert, *chain):
        res = self.request({"type": "verify", "address": address,
                            "certificate": TB.certs[cert].b64,
                            "chain": [TB.certs[c].b64 for c in chain]})
        self.t.assertEqual(list(res), [address], res)
        return res[address]

    def lookup(self, *addresses):
        return self.request({"type": "lookup", "addresses": list(addresses)})

    def close(self):
        self.s.kill()


def codes(c):
    return {p["code"] for p in c.get("problems", [])}


class TestLongRunningHost(unittest.TestCase):
    """Issue 12: validations earlier in the same host process must not
    change the verdict of later ones."""

    def setUp(self):
        self.h = Session(self)

    def tearDown(self):
        self.h.close()

    def test_dane_ta_then_pkix_same_ca(self):
        # dane-ta@: 2 0 0 ca (NSS gets ca as a temporary anchor); pkix@:
        # 1 0 0 leaf, a PKIX path to the very same ca, trusted in nss_db.
        for _ in range(2):
            res = self.h.lookup("dane-ta@example.test")
            x = res["dane-ta@example.test"]
            self.assertEqual(x["status"], "found", x)
            c = [c for c in x["certificates"] if c["usable"]]
            self.assertEqual([c["match"]["usage"] for c in c], [2], x)
            res = self.h.lookup("pkix@example.test")
            x = res["pkix@example.test"]
            self.assertEqual(x["status"], "found", x)
            c = x["certificates"][0]
            self.assertIs(c["usable"], True, x)
            self.assertEqual(c["match"]["usage"], 1, x)
            self.assertEqual(c["trust_basis"], "pkix", x)
            self.assertEqual(codes(c), set(), x)

    def test_pkix_then_dane_ta_with_other_anchor(self):
        # combo2 chains to ca2, which nss_db trusts. Once a PKIX path to
        # ca2 was found (u0s0m0@: 0 0 0 ca, PKIX-TA: combo2 validates to
        # ca2, whose path lacks ca, so no match), a DANE-TA record naming
        # ca (u2s0m0@: 2 0 0 ca) must still not authenticate combo2: ca
        # is the only anchor the record allows (RFC 7671 5.2), and the
        # path ends at ca2. (Before the fix: found, trust_basis dane-ta.)
        x = self.h.verify("u0s0m0@example.test", "combo2", "ca2")
        self.assertEqual(x["status"], "unusable", x)
        self.assertIsNone(x["certificates"][0]["match"], x)
        for _ in range(2):
            x = self.h.verify("u2s0m0@example.test", "combo2", "ca2")
            self.assertEqual(x["status"], "unusable", x)
            c = x["certificates"][0]
            self.assertIs(c["usable"], False, x)
            self.assertIsNone(c["trust_basis"], x)
            self.assertTrue(codes(c) & {"dane-ta-invalid",
                                        "no-record-match"}, x)
        # The right certificate still works in the same process.
        x = self.h.verify("u2s0m0@example.test", "combo", "ca")
        self.assertEqual(x["status"], "found", x)
        self.assertEqual(x["certificates"][0]["match"]["usage"], 2, x)


if __name__ == "__main__":
    helpers.main(__name__)
