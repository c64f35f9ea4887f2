#!/usr/bin/python3
"""Integration tests for the certificate trust engine (issue 3): SMIMEA
usages 0-3 x selectors 0-1 x matching types 0-2 with `verify` (match and
mismatch), PKIX with a private CA in a test NSS DB, DANE-TA, usability
problems (address, validity with --at, EKU, key usage, weak key, CA),
hash-only records, rollover order, SmtpUTF8Mailbox, insecure and bogus
zones, and `verify` over native messaging.

Names and certificates: tests/testbed/README.md (issue 3 section).

Run:  /usr/bin/python3 tests/integration/test_trust.py
Binary: $DANE_SMIME or build/host/dane-smime.  Last line of stdout:
"N passed, N failed[, N skipped]"; exit status 1 on failure.
"""

import base64
import concurrent.futures
import os
import subprocess
import sys
import tempfile
import time
import unittest

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import helpers  # noqa: E402
from helpers import (EXIT, ISO, Native, binary,  # noqa: E402
                     require_binary, run_cli)

TB = None

COMBOS = [(u, s, m) for u in range(4) for s in range(2) for m in range(3)]
BASIS = {0: "pkix", 1: "pkix", 2: "dane-ta", 3: "dane-ee"}
# Epoch seconds: 2020-06-01, 2075-01-01, 2100-01-01, 2000-01-01
T2020 = 1590969600
T2075 = 3313526400
ISO2100 = "2100-01-01T00:00:00Z"
ISO2000 = "2000-01-01T00:00:00Z"


def setUpModule():
    global TB
    require_binary()
    TB = helpers.start_testbed()


def tearDownModule():
    if TB is not None:
        TB.stop()


def umatch(c):
    """usage/selector/matching of a certificate's match (issue 15 adds
    the record's index and the depth), or None."""
    m = c.get("match")
    return None if m is None else {k: m[k] for k in ("usage", "selector",
                                                      "matching")}


def combo_addr(u, s, m):
    return "u%ds%dm%d@example.test" % (u, s, m)


def cli(verb, *args, nss=False, at=None, config=None, timeout=30,
        json_out=True):
    argv = [verb] + (["--json"] if json_out else [])
    if at is not None:
        argv += ["--at", at]
    argv += list(args)
    cfg = config or (TB.nss_config_path if nss else TB.config_path)
    return run_cli(argv, config=cfg, timeout=timeout)


class Base(unittest.TestCase):
    maxDiff = None

    def result(self, r, address=None):
        """The single result of a lookup/verify run, framing checked."""
        try:
            res = r.results()
            done = r.done()
        except Exception as e:
            self.fail("bad JSON output (%s)\n%s" % (e, r.describe()))
        self.assertEqual(len(res), 1, r.describe())
        self.assertEqual(len(done), 1, r.describe())
        self.assertEqual(done[0].get("count"), 1, r.describe())
        self.assertIs(r.objects()[-1], done[0], "done must come last")
        if address is not None:
            self.assertEqual(res[0].get("address"), address, r.describe())
        return res[0]

    def lookup(self, address, status=None, nss=False, at=None, rc=None):
        r = cli("lookup", address, nss=nss, at=at)
        x = self.result(r, address)
        if status is not None:
            self.assertEqual(x.get("status"), status, r.describe())
            self.assertEqual(r.rc, EXIT[status] if rc is None else rc,
                             r.describe())
        self.check_fields(x, r)
        return x, r

    def verify(self, address, certfile, status=None, nss=False, at=None):
        r = cli("verify", address, certfile, nss=nss, at=at)
        x = self.result(r, address)
        if status is not None:
            self.assertEqual(x.get("status"), status, r.describe())
            self.assertEqual(r.rc, EXIT[status], r.describe())
        self.assertEqual(x.get("mode"), "verify", r.describe())
        self.check_fields(x, r)
        return x, r

    def check_fields(self, x, r):
        """Every certificate carries the issue 3 fields."""
        for c in x.get("certificates", []):
            for k in ("usable", "can_encrypt", "can_sign", "is_ca"):
                self.assertIsInstance(c.get(k), bool, "%s: %s" % (
                    k, r.describe()))
            self.assertIn("match", c, r.describe())
            self.assertIn("trust_basis", c, r.describe())
            self.assertIn(c["trust_basis"], (None, "pkix", "dane-ee",
                                             "dane-ta"), r.describe())
            if c["match"] is not None:
                # issue 15: plus the record's index and the depth
                self.assertLessEqual({"matching", "selector", "usage"},
                                     set(c["match"]), r.describe())
                self.assertLessEqual(set(c["match"]), {
                    "matching", "selector", "usage", "record", "depth"})
            self.assertIsInstance(c.get("key"), str, r.describe())
            self.assertIsInstance(c.get("problems"), list, r.describe())
            for p in c["problems"]:
                self.assertIsInstance(p.get("code"), str, r.describe())
                self.assertIsInstance(p.get("message"), str, r.describe())
                self.assertNotEqual(p["message"], "", r.describe())
            if c["usable"]:
                self.assertIsNotNone(c["match"], r.describe())
                self.assertIsNotNone(c["trust_basis"], r.describe())
                self.assertTrue(c["can_encrypt"], r.describe())
                self.assertFalse(c["is_ca"], r.describe())
        if x.get("status") == "found":
            self.assertTrue(any(c["usable"] for c in x["certificates"]),
                            "found without a usable certificate\n"
                            + r.describe())
        if x.get("status") in ("unusable", "insecure", "bogus"):
            self.assertFalse(any(c.get("usable") for c in
                                 x.get("certificates", [])), r.describe())

    def cert(self, x, name, r=None):
        """The JSON certificate of testbed cert `name` in result x."""
        want = TB.certs[name].sha256
        for c in x.get("certificates", []):
            if c["sha256"].lower() == want:
                return c
        self.fail("certificate %s not in result\n%s" % (
            name, r.describe() if r else x))

    def codes(self, c):
        return {p["code"] for p in c.get("problems", [])}

    def assert_usable(self, c, usage, selector, matching, basis, r):
        self.assertIs(c["usable"], True, r.describe())
        self.assertEqual(umatch(c), {"usage": usage, "selector": selector,
                                      "matching": matching}, r.describe())
        self.assertEqual(c["trust_basis"], basis, r.describe())

    def assert_problem(self, c, code, r):
        if isinstance(code, str):
            code = {code}
        self.assertIs(c["usable"], False, r.describe())
        self.assertTrue(self.codes(c) & set(code), "want one of %s, got %s\n"
                        "%s" % (sorted(code), sorted(self.codes(c)),
                                r.describe()))


class TestMatrix(Base):
    """verify with every usage/selector/matching combination: uUsSmM@ holds
    exactly one `U S M` record (of ca for U 0/2, of combo for U 1/3)."""

    def run_all(self, certfile_names, nss=True):
        chain = TB.chain_path(*certfile_names)

        def one(usm):
            return usm, cli("verify", combo_addr(*usm), chain, nss=nss)
        with concurrent.futures.ThreadPoolExecutor(4) as ex:
            return list(ex.map(one, COMBOS))

    def test_match_every_combination(self):
        for (u, s, m), r in self.run_all(("combo", "ca")):
            with self.subTest(usage=u, selector=s, matching=m):
                x = self.result(r, combo_addr(u, s, m))
                self.check_fields(x, r)
                self.assertEqual(x.get("mode"), "verify", r.describe())
                self.assertEqual(x["status"], "found", r.describe())
                self.assertEqual(r.rc, EXIT["found"], r.describe())
                self.assertEqual(x["dnssec"], "secure")
                self.assertEqual(len(x["certificates"]), 1, r.describe())
                c = x["certificates"][0]
                self.assertEqual(c["sha256"].lower(), TB.certs["combo"].sha256)
                self.assert_usable(c, u, s, m, BASIS[u], r)
                self.assertEqual(len(x["records"]), 1, r.describe())

    def test_mismatch_every_combination(self):
        # combo2: same addresses, other key, issued by ca2 (also trusted)
        for (u, s, m), r in self.run_all(("combo2", "ca2")):
            with self.subTest(usage=u, selector=s, matching=m):
                x = self.result(r, combo_addr(u, s, m))
                self.check_fields(x, r)
                self.assertEqual(x["status"], "unusable", r.describe())
                self.assertEqual(r.rc, EXIT["unusable"], r.describe())
                c = x["certificates"][0]
                self.assertEqual(c["sha256"].lower(),
                                 TB.certs["combo2"].sha256)
                self.assertIsNone(c["match"], r.describe())
                self.assertIsNone(c["trust_basis"], r.describe())
                want = {"no-record-match"}
                if u == 2:
                    want |= {"dane-ta-invalid", "dane-ta-missing"}
                self.assert_problem(c, want, r)

    def test_dane_ta_hash_needs_the_ta_certificate(self):
        # 2 1 1 names ca only by a digest: without the chain there is
        # no trust anchor certificate (RFC 7671 5.2)
        x, r = self.verify("u2s1m1@example.test",
                           TB.certs["combo"].cert_path, status="unusable")
        self.assert_problem(x["certificates"][0],
                            {"dane-ta-missing", "no-record-match"}, r)
        # 2 0 0 carries the TA itself: no chain needed. The record fits,
        # but combo names 24 addresses: no e-mail trust (issue 13) unless
        # its CA is trusted (nss_db), when it needs none.
        x, r = self.verify("u2s0m0@example.test",
                           TB.certs["combo"].cert_path, status="unusable")
        c = x["certificates"][0]
        self.assertEqual(umatch(c), {"usage": 2, "selector": 0,
                                      "matching": 0}, r.describe())
        self.assert_problem(c, "too-many-addresses", r)
        self.assertIsNone(c["trust"], r.describe())
        x, r = self.verify("u2s0m0@example.test",
                           TB.certs["combo"].cert_path, status="found",
                           nss=True)
        self.assert_usable(x["certificates"][0], 2, 0, 0, "dane-ta", r)
        self.assertEqual(x["certificates"][0]["trust"], ",,", r.describe())

    def test_lookup_full_ee_records(self):
        x, r = self.lookup("u3s0m0@example.test", status="unusable")
        self.assert_problem(self.cert(x, "combo", r), "too-many-addresses", r)
        x, r = self.lookup("u3s0m0@example.test", status="found", nss=True)
        self.assert_usable(self.cert(x, "combo", r), 3, 0, 0, "dane-ee", r)
        self.assertEqual(self.cert(x, "combo", r)["trust"], ",,")
        x, r = self.lookup("u1s0m0@example.test", status="found", nss=True)
        self.assert_usable(self.cert(x, "combo", r), 1, 0, 0, "pkix", r)

    def test_lookup_hash_records_unusable(self):
        for u, s, m in COMBOS:
            if s == 0 and m == 0:
                continue
            with self.subTest(usage=u, selector=s, matching=m):
                x, r = self.lookup(combo_addr(u, s, m), status="unusable",
                                   nss=True)


class TestPkix(Base):

    def test_pkix_ee_with_nss_db(self):
        x, r = self.lookup("pkix@example.test", status="found", nss=True)
        c = self.cert(x, "leaf", r)
        self.assert_usable(c, 1, 0, 0, "pkix", r)
        self.assertEqual(c["problems"], [], r.describe())

    def test_pkix_ee_without_nss_db(self):
        x, r = self.lookup("pkix@example.test", status="unusable")
        c = self.cert(x, "leaf", r)
        self.assert_problem(c, "pkix-untrusted-issuer", r)

    def test_pkix_ta_lookup(self):
        x, r = self.lookup("pkixta@example.test", status="found", nss=True)
        leaf = self.cert(x, "leaf", r)
        self.assert_usable(leaf, 0, 0, 0, "pkix", r)
        ca = self.cert(x, "ca", r)
        self.assertIs(ca["is_ca"], True, r.describe())
        self.assertIs(ca["usable"], False, r.describe())
        # best first: the usable end entity before the CA
        self.assertEqual(x["certificates"][0]["sha256"].lower(),
                         TB.certs["leaf"].sha256, r.describe())

    def test_pkix_ta_without_nss_db(self):
        x, r = self.lookup("pkixta@example.test", status="unusable")
        self.assert_problem(self.cert(x, "leaf", r), "pkix-untrusted-issuer",
                            r)

    def test_verify_pkix_untrusted(self):
        for addr in ("u1s0m1@example.test", "u0s1m1@example.test"):
            with self.subTest(address=addr):
                x, r = self.verify(addr, TB.chain_path("combo", "ca"),
                                   status="unusable")
                self.assert_problem(x["certificates"][0],
                                    "pkix-untrusted-issuer", r)

    def test_nss_db_left_alone(self):
        before = certutil_list(TB.nss_db)
        self.lookup("pkix@example.test", nss=True)
        self.verify("ta-only@example.test", TB.certs["leaf"].cert_path,
                    nss=True)
        self.assertEqual(certutil_list(TB.nss_db), before)
        self.assertEqual(sorted(before), ["testca", "testca2"])


class TestDaneTa(Base):

    def test_dane_ta_lookup(self):
        # leaf also names pkix@ and pkixta@, whose records (usage 1/0)
        # need its CA trusted: without nss_db they do not vouch for it,
        # ta-only@ (2 0 0 ca) does (issue 13).
        x, r = self.lookup("dane-ta@example.test", status="unusable")
        c = self.cert(x, "leaf", r)
        self.assert_problem(c, "other-address-not-vouched", r)
        p = [p for p in c["problems"]
             if p["code"] == "other-address-not-vouched"][0]
        self.assertEqual(p["addresses"], ["pkix@example.test",
                                          "pkixta@example.test"])
        self.assertEqual(umatch(c), {"usage": 2, "selector": 0,
                                      "matching": 0}, r.describe())
        x, r = self.lookup("dane-ta@example.test", status="found", nss=True)
        self.assert_usable(self.cert(x, "leaf", r), 2, 0, 0, "dane-ta", r)
        self.assertEqual(self.cert(x, "leaf", r)["trust"], ",,")
        ca = self.cert(x, "ca", r)
        self.assertIs(ca["usable"], False, r.describe())
        self.assertIs(ca["is_ca"], True, r.describe())
        self.assertEqual(x["certificates"][0]["sha256"].lower(),
                         TB.certs["leaf"].sha256, r.describe())

    def test_ta_only_lookup_unusable(self):
        x, r = self.lookup("ta-only@example.test", status="unusable")
        for c in x.get("certificates", []):
            self.assertIs(c["usable"], False, r.describe())

    def test_ta_only_verify_leaf(self):
        x, r = self.verify("ta-only@example.test", TB.certs["leaf"].cert_path,
                           status="unusable")
        self.assert_problem(x["certificates"][0],
                            "other-address-not-vouched", r)
        x, r = self.verify("ta-only@example.test", TB.certs["leaf"].cert_path,
                           status="found", nss=True)
        c = x["certificates"][0]
        self.assertEqual(c["sha256"].lower(), TB.certs["leaf"].sha256)
        self.assert_usable(c, 2, 0, 0, "dane-ta", r)

    def test_ta_only_verify_leaf_with_chain_der(self):
        x, r = self.verify("ta-only@example.test", TB.chain_path("leaf", "ca"),
                           status="found", nss=True)
        self.assert_usable(x["certificates"][0], 2, 0, 0, "dane-ta", r)
        x, r = self.verify("ta-only@example.test", TB.der_path("leaf"),
                           status="found", nss=True)

    def test_ta_only_other_ca(self):
        # a certificate for ta-only@ issued by ca2 does not chain to ca
        # (combo2 lacks the address too: any of these problems will do)
        x, r = self.verify("ta-only@example.test",
                           TB.chain_path("combo2", "ca2"), status="unusable")
        self.assert_problem(x["certificates"][0],
                            {"dane-ta-invalid", "no-record-match",
                             "email-mismatch"}, r)


class TestProblems(Base):

    def test_dane_ee_found_fields(self):
        x, r = self.lookup("hugh@example.test", status="found")
        c = self.cert(x, "hugh", r)
        self.assert_usable(c, 3, 0, 0, "dane-ee", r)
        self.assertIs(c["can_encrypt"], True)
        self.assertIs(c["can_sign"], True)
        self.assertIs(c["is_ca"], False)
        self.assertEqual(c["key"].lower(), "rsa 2048", r.describe())
        self.assertEqual(c["problems"], [], r.describe())

    def test_ca_certificate_as_dane_ee(self):
        x, r = self.lookup("ca@example.test", status="unusable")
        c = self.cert(x, "ca", r)
        self.assertIs(c["is_ca"], True, r.describe())
        self.assert_problem(c, "ca-certificate", r)

    def test_address_mismatch(self):
        x, r = self.lookup("wrongaddr@example.test", status="unusable")
        self.assert_problem(self.cert(x, "someone", r), "email-mismatch", r)

    def test_verify_address_mismatch_but_record_matches(self):
        # mismatch@ publishes 3 0 1 of hugh's certificate: it matches, but
        # hugh's certificate is not for mismatch@
        x, r = self.verify("mismatch@example.test",
                           TB.certs["hugh"].cert_path, status="unusable")
        c = x["certificates"][0]
        self.assertEqual(umatch(c), {"usage": 3, "selector": 0,
                                      "matching": 1}, r.describe())
        self.assert_problem(c, "email-mismatch", r)

    def test_verify_no_record_match(self):
        x, r = self.verify("mismatch@example.test",
                           TB.certs["mismatch"].cert_path, status="unusable")
        self.assert_problem(x["certificates"][0], "no-record-match", r)
        self.assertIsNone(x["certificates"][0]["match"], r.describe())

    def test_local_part_case_matters(self):
        # Hugh's certificate is for Hugh@, not hugh@ (RFC 8162 3: the
        # local-part is compared exactly)
        x, r = self.verify("hugh@example.test", TB.certs["Hugh"].cert_path,
                           status="unusable")
        self.assert_problem(x["certificates"][0],
                            {"email-mismatch", "no-record-match"}, r)

    def test_expired(self):
        x, r = self.lookup("expired@example.test", status="unusable")
        self.assert_problem(self.cert(x, "expired", r), "expired", r)

    def test_not_yet_valid(self):
        x, r = self.lookup("future@example.test", status="unusable")
        self.assert_problem(self.cert(x, "future", r), "not-yet-valid", r)

    def test_at_makes_them_valid(self):
        x, r = self.lookup("expired@example.test", status="found",
                           at="@%d" % T2020)
        self.assert_usable(self.cert(x, "expired", r), 3, 0, 0, "dane-ee", r)
        x, r = self.lookup("future@example.test", status="found",
                           at="2075-01-01T00:00:00Z")
        self.assert_usable(self.cert(x, "future", r), 3, 0, 0, "dane-ee", r)

    def test_at_far_future_expired(self):
        for at in (ISO2100, "@4102444800"):
            with self.subTest(at=at):
                x, r = self.lookup("hugh@example.test", status="unusable",
                                   at=at)
                self.assert_problem(self.cert(x, "hugh", r), "expired", r)
        x, r = self.verify("spki@example.test", TB.certs["spki"].cert_path,
                           status="unusable", at=ISO2100)
        self.assert_problem(x["certificates"][0], "expired", r)

    def test_at_past_not_yet_valid(self):
        x, r = self.lookup("hugh@example.test", status="unusable", at=ISO2000)
        self.assert_problem(self.cert(x, "hugh", r), "not-yet-valid", r)

    def test_at_bad_values(self):
        for at in ("yesterday", "2030-13-01T00:00:00Z", "@", "@abc",
                   "2030-01-01 00:00:00"):
            with self.subTest(at=at):
                r = cli("lookup", "hugh@example.test", at=at)
                self.assertEqual(r.rc, EXIT["usage"], r.describe())
                self.assertEqual(r.results(), [], r.describe())

    def test_wrong_eku(self):
        x, r = self.lookup("wrongeku@example.test", status="unusable")
        c = self.cert(x, "wrongeku", r)
        self.assert_problem(c, "no-email-protection-eku", r)
        self.assertIs(c["can_encrypt"], False, r.describe())

    def test_sign_only_key_usage(self):
        x, r = self.lookup("signonly@example.test", status="unusable")
        c = self.cert(x, "signonly", r)
        self.assert_problem(c, "key-usage", r)
        self.assertIs(c["can_encrypt"], False, r.describe())
        self.assertIs(c["can_sign"], True, r.describe())

    def test_weak_key(self):
        x, r = self.lookup("weak@example.test", status="unusable")
        c = self.cert(x, "weak", r)
        self.assert_problem(c, "weak-key", r)
        self.assertEqual(c["key"].lower(), "rsa 1024", r.describe())


class TestSelectors(Base):

    def test_spki_only(self):
        x, r = self.lookup("spki@example.test", status="unusable")
        self.assertEqual(x.get("certificates", []), [], r.describe())
        x, r = self.verify("spki@example.test", TB.certs["spki"].cert_path,
                           status="found")
        self.assert_usable(x["certificates"][0], 3, 1, 1, "dane-ee", r)

    def test_sha512_only(self):
        x, r = self.lookup("sha512@example.test", status="unusable")
        x, r = self.verify("sha512@example.test", TB.der_path("sha512"),
                           status="found")
        self.assert_usable(x["certificates"][0], 3, 0, 2, "dane-ee", r)

    def test_existing_hashonly(self):
        x, r = self.verify("hashonly@example.test",
                           TB.certs["hashonly"].cert_path, status="found")
        self.assert_usable(x["certificates"][0], 3, 1, 1, "dane-ee", r)

    def test_multi_digest_agility(self):
        # 3 0 0 + 3 1 1 + 3 0 1 of one certificate: found; verify matches
        x, r = self.lookup("multi@example.test", status="found")
        self.assertIs(self.cert(x, "multi", r)["usable"], True)
        x, r = self.verify("multi@example.test", TB.certs["multi"].cert_path,
                           status="found")
        self.assertEqual(x["certificates"][0]["match"]["usage"], 3)

    def test_verify_absent(self):
        x, r = self.verify("absent@example.test", TB.certs["hugh"].cert_path,
                           status="absent")

    def test_verify_bad_certificate(self):
        p = os.path.join(TB.workdir, "garbage.pem")
        with open(p, "wb") as f:
            f.write(b"-----BEGIN CERTIFICATE-----\nAAAA\n"
                    b"-----END CERTIFICATE-----\n")
        r = cli("verify", "hugh@example.test", p)
        self.assertEqual(r.rc, EXIT["error"], r.describe())
        x = self.result(r)
        self.assertEqual(x["status"], "error", r.describe())
        self.assertEqual(x.get("error", {}).get("code"), "bad-certificate",
                         r.describe())

    def test_verify_unreadable_file(self):
        r = cli("verify", "hugh@example.test",
                os.path.join(TB.workdir, "no-such-file.pem"))
        self.assertEqual(r.rc, 66, r.describe())

    def test_verify_usage_errors(self):
        for args in ([], ["hugh@example.test"]):
            with self.subTest(args=args):
                r = cli("verify", *args)
                self.assertEqual(r.rc, EXIT["usage"], r.describe())

    def test_verify_human(self):
        r = cli("verify", "spki@example.test", TB.certs["spki"].cert_path,
                json_out=False)
        self.assertEqual(r.rc, 0, r.describe())
        self.assertIn("spki@example.test", r.out, r.describe())
        self.assertNotIn('"type":', r.out)


class TestRollover(Base):

    def test_newest_first(self):
        x, r = self.lookup("rollover@example.test", status="found")
        certs = x["certificates"]
        self.assertEqual(len(certs), 2, r.describe())
        self.assertEqual(certs[0]["sha256"].lower(),
                         TB.certs["roll-new"].sha256, r.describe())
        self.assertEqual(certs[1]["sha256"].lower(),
                         TB.certs["roll-old"].sha256, r.describe())
        for c in certs:
            self.assertIs(c["usable"], True, r.describe())
            self.assertRegex(c["not_after"], ISO)
        self.assertGreater(certs[0]["not_after"], certs[1]["not_after"])

    def test_usable_before_newer(self):
        # in 500 days the old one (400 days) has expired: the new one
        # first, the old one unusable; status still found
        x, r = self.lookup("rollover@example.test", status="found",
                           at="@%d" % (time.time() + 500 * 86400))
        certs = x["certificates"]
        self.assertIs(certs[0]["usable"], True, r.describe())
        self.assertIs(certs[1]["usable"], False, r.describe())
        self.assertIn("expired", self.codes(certs[1]), r.describe())


class TestUtf8(Base):

    def test_smtputf8_mailbox(self):
        a = "j\u00f6rg@example.test"
        x, r = self.lookup(a, status="found")
        self.assert_usable(self.cert(x, "jorg", r), 3, 0, 0, "dane-ee", r)
        x, r = self.verify(a, TB.certs["jorg"].cert_path, status="found")
        self.assert_usable(x["certificates"][0], 3, 0, 0, "dane-ee", r)

    def test_idn_domain(self):
        x, r = self.lookup("hugh@b\u00fccher.test", status="found")
        self.assertIs(x["certificates"][0]["usable"], True, r.describe())


class TestInsecureBogus(Base):

    def test_insecure_never_usable(self):
        x, r = self.lookup("hugh@unsigned.test", status="insecure")
        for c in x.get("certificates", []):
            self.assertIs(c["usable"], False, r.describe())
            self.assertIn("insecure", self.codes(c), r.describe())
        x, r = self.verify("hugh@unsigned.test",
                           TB.certs["unsigned"].cert_path, status="insecure")
        for c in x.get("certificates", []):
            self.assertIs(c["usable"], False, r.describe())

    def test_insecure_with_trust_ad_no(self):
        cfg = TB.write_config(extra={"trust_ad": "no"})
        r = cli("verify", "hugh@example.test", TB.certs["hugh"].cert_path,
                config=cfg)
        x = self.result(r)
        self.assertEqual(x["status"], "insecure", r.describe())
        self.assertEqual(r.rc, EXIT["insecure"], r.describe())
        for c in x.get("certificates", []):
            self.assertIs(c["usable"], False, r.describe())

    def test_bogus(self):
        x, r = self.verify("hugh@bogus.test", TB.certs["bogus"].cert_path,
                           status="bogus")
        for c in x.get("certificates", []):
            self.assertIs(c["usable"], False, r.describe())


class TestEmailTrust(Base):
    """Issue 13: a signed zone an attacker controls (evil.test) must never
    get trust for anyone else's address; the one rule (host/pki/trustrule.h):
    v3 end entity, every address vouched for by its own lookup."""

    def one_cert(self, address, status):
        x, r = self.lookup(address, status=status)
        self.assertEqual(len(x["certificates"]), 1, r.describe())
        return x["certificates"][0], r

    def assert_refused(self, address, codes, addresses=None):
        c, r = self.one_cert(address, "unusable")
        self.assertIs(c["usable"], False, r.describe())
        self.assertIsNone(c["trust"], r.describe())
        self.assertIsNone(c["trust_basis"], r.describe())
        # the record does fit: only the rule refuses it
        self.assertEqual(umatch(c), {"usage": 3, "selector": 0,
                                      "matching": 0}, r.describe())
        self.assertTrue(set(codes) <= self.codes(c), r.describe())
        if addresses is not None:
            p = [p for p in c["problems"]
                 if p["code"] == "other-address-not-vouched"][0]
            self.assertEqual(p["addresses"], addresses, r.describe())
            for a in addresses:
                self.assertIn(a, p["message"], r.describe())
        return c

    def test_version_1_is_never_trusted(self):
        c = self.assert_refused("mallet@evil.test", ["version-1-certificate"])
        self.assertEqual(c["version"], 1)
        self.assertIs(c["is_ca"], False)     # no basicConstraints at all

    def test_version_2_is_never_trusted(self):
        c = self.assert_refused("v2@evil.test", ["version-2-certificate"])
        self.assertEqual(c["version"], 2)

    def test_other_domain_not_vouched(self):
        # victim@bank.test publishes its own, other certificate
        self.assert_refused("multi@evil.test", ["other-address-not-vouched"],
                            ["victim@bank.test"])

    def test_same_domain_other_person_not_vouched(self):
        self.assert_refused("same@evil.test", ["other-address-not-vouched"],
                            ["boss@evil.test"])

    def test_smtputf8_only_second_address(self):
        self.assert_refused("utf8@evil.test", ["other-address-not-vouched"],
                            ["j\u00f6rg@bank.test"])

    def test_subject_email_only_second_address(self):
        c = self.assert_refused("subj@evil.test",
                                ["other-address-not-vouched"],
                                ["victim@bank.test"])
        # the SAN is all `emails` shows; the rule sees the subject too
        self.assertEqual(c["emails"], ["subj@evil.test"])

    def test_both_addresses_publish_it(self):
        for a in ("pair1@evil.test", "pair2@evil.test"):
            with self.subTest(address=a):
                c, r = self.one_cert(a, "found")
                self.assertIs(c["usable"], True, r.describe())
                self.assertEqual(c["trust"], ",C,", r.describe())
                self.assertEqual(c["problems"], [], r.describe())
                self.assertEqual(c["version"], 3)

    def test_one_address_trusted_as_before(self):
        c, r = self.one_cert("victim@bank.test", "found")
        self.assertEqual(c["trust"], ",C,", r.describe())
        x, r = self.lookup("hugh@example.test", status="found")
        # hugh's certificate also names cname@, a CNAME to hugh's owner
        # name: that address vouches for it too
        self.assertEqual(x["certificates"][0]["trust"], ",C,", r.describe())

    def test_verify_cannot_launder(self):
        # the attacker's certificate handed in by verify for its own
        # address is judged by the same rule
        x, r = self.verify("multi@evil.test", TB.certs["evilmulti"].cert_path,
                           status="unusable")
        self.assert_problem(x["certificates"][0],
                            "other-address-not-vouched", r)
        x, r = self.verify("victim@bank.test",
                           TB.certs["evilmulti"].cert_path, status="unusable")
        self.assert_problem(x["certificates"][0], "no-record-match", r)

    def test_import_follows_the_rule(self):
        d = tempfile.mkdtemp(prefix="trust-", dir=TB.workdir)
        r = cli("import", "--db", "sql:" + d, "mallet@evil.test",
                "v2@evil.test", "multi@evil.test", "same@evil.test",
                "utf8@evil.test", "subj@evil.test", "pair1@evil.test")
        objs = {o["address"]: o for o in r.objects()
                if o.get("type") == "import"}
        for a in ("mallet@evil.test", "v2@evil.test", "multi@evil.test",
                  "same@evil.test", "utf8@evil.test", "subj@evil.test"):
            self.assertEqual(objs[a]["changes"], [], r.describe())
            self.assertEqual(len(objs[a]["refused"]), 1, r.describe())
        ch = objs["pair1@evil.test"]["changes"]
        self.assertEqual([(c["action"], c["trust"]) for c in ch],
                         [("added", ",C,")], r.describe())
        lst = certutil_list("sql:" + d)
        self.assertEqual(sorted(lst.values()), [",C,"], lst)

    def test_import_refuses_newer_trust_format(self):
        # Thunderbird's own newer NSS stores trust as PKCS #11 3.2
        # CKO_TRUST (0x0b) objects that this NSS cannot read: such a
        # database is never written (the row is what NSS's SQLite store
        # keeps: class in column a0, 4 octets, network order)
        d = tempfile.mkdtemp(prefix="trust-", dir=TB.workdir)
        subprocess.run(["certutil", "-N", "--empty-password", "-d",
                        "sql:" + d], check=True)
        subprocess.run(["certutil", "-A", "-d", "sql:" + d, "-n", "x", "-t",
                        ",C,", "-i", TB.certs["victim"].cert_path],
                       check=True)
        subprocess.run(["sqlite3", os.path.join(d, "cert9.db"),
                        "CREATE TEMP TABLE t AS SELECT * FROM nssPublic "
                        "WHERE a0 = x'ce534353'; UPDATE t SET id = id + 7, "
                        "a0 = x'0000000b'; INSERT INTO nssPublic "
                        "SELECT * FROM t;"], check=True)
        r = cli("import", "--json", "--db", "sql:" + d, "hugh@example.test")
        o = [o for o in r.objects() if o.get("type") == "import"][0]
        self.assertEqual(o["changes"], [], r.describe())
        self.assertIn("newer format", o["refused"][0]["reason"],
                      r.describe())
        self.assertEqual(list(certutil_list("sql:" + d)), ["x"])


def tc_read(path):
    """The token cache file (host/token/tokencache.h, version 1) as a list of
    (address, der, trust, expires)."""
    with open(path, "rb") as f:
        b = f.read()
    assert b[:4] == b"DSTC" and b[4:6] == b"\x00\x01", b[:8]
    n = int.from_bytes(b[8:12], "big")
    out, p = [], 12
    for _ in range(n):
        trust, alen = b[p], int.from_bytes(b[p + 2:p + 4], "big")
        exp = int.from_bytes(b[p + 4:p + 12], "big")
        dlen = int.from_bytes(b[p + 12:p + 16], "big")
        p += 16
        addr = b[p:p + alen].decode()
        der = b[p + alen:p + alen + dlen]
        p += alen + dlen
        out.append((addr, der, ",C," if trust else ",,", exp))
    assert p == len(b)
    return out


def tc_write(path, entries):
    body = b"".join(bytes([1 if t == ",C," else 0, 0]) +
                    len(a.encode()).to_bytes(2, "big") +
                    e.to_bytes(8, "big") + len(d).to_bytes(4, "big") +
                    a.encode() + d for a, d, t, e in entries)
    with open(path, "wb") as f:
        f.write(b"DSTC\x00\x01\x00\x00" + len(entries).to_bytes(4, "big")
                + body)
    os.chmod(path, 0o600)


class TestTokenCache(Base):
    """Issue 17: lookups keep the set of certificates DNS vouches for now
    (what the PKCS#11 module serves): only what the trust rule allows, and
    an address's entries go as soon as a lookup finds them gone."""

    def setUp(self):
        self.rt = tempfile.mkdtemp(prefix="rt-", dir=TB.workdir)
        os.chmod(self.rt, 0o700)
        self.path = os.path.join(self.rt, "dane-smime", "tokens.cache")
        self.cfg = TB.write_config(os.path.join(self.rt, "tc.conf"),
                                   extra={"token_cache": "yes"})

    def run_lookup(self, *addresses, config=None):
        env = {"XDG_RUNTIME_DIR": self.rt}
        p = TB.run_host(["lookup", "--json"] + list(addresses),
                        config=config or self.cfg, binary=binary(), env=env)
        self.assertIn(p.returncode, (0, 2, 3, 4, 5), p.stderr)
        return p

    def test_only_trusted_certificates_enter(self):
        self.run_lookup("hugh@example.test", "pair1@evil.test",
                        "multi@evil.test", "mallet@evil.test",
                        "hugh@unsigned.test", "hugh@bogus.test")
        st = os.stat(self.path)
        self.assertEqual(st.st_mode & 0o777, 0o600)
        self.assertEqual(os.stat(os.path.dirname(self.path)).st_mode &
                         0o777, 0o700)
        got = sorted((a, t) for a, d, t, e in tc_read(self.path))
        self.assertEqual(got, [("hugh@example.test", ",C,"),
                               ("pair1@evil.test", ",C,")])
        for a, d, t, e in tc_read(self.path):
            self.assertEqual(d, TB.cert_der(a))
            # the record's TTL (300 s in the test bed) bounds it
            self.assertLessEqual(e, time.time() + 301)

    def test_gone_insecure_or_bogus_removes(self):
        os.makedirs(os.path.dirname(self.path), mode=0o700)
        far = int(time.time()) + 3600
        der = TB.cert_der("hugh@example.test")
        tc_write(self.path, [("absent@example.test", der, ",C,", far),
                             ("hugh@unsigned.test", der, ",C,", far),
                             ("hugh@bogus.test", der, ",C,", far),
                             ("keep@example.test", der, ",C,", far)])
        self.run_lookup("absent@example.test", "hugh@unsigned.test",
                        "hugh@bogus.test")
        self.assertEqual([a for a, d, t, e in tc_read(self.path)],
                         ["keep@example.test"])

    def test_not_from_the_command_line_by_default(self):
        self.run_lookup("hugh@example.test", config=TB.config_path)
        self.assertFalse(os.path.exists(self.path))

    def test_unsafe_folder_left_alone(self):
        os.makedirs(os.path.dirname(self.path), mode=0o700)
        os.chmod(os.path.dirname(self.path), 0o777)
        p = self.run_lookup("hugh@example.test")
        self.assertFalse(os.path.exists(self.path))
        self.assertIn(b"token cache", p.stderr)


TB_NSS = "/usr/lib/thunderbird"


class TestTokenCacheDistrust(Base):
    """Issue 17: a certificate the user distrusts in a Thunderbird profile
    never enters the token cache (at the default trust order the token's
    trust would override the distrust); the others do. The profile's
    cert9.db is made by real NSS: Debian's certutil (NSS 3.87, CKO_NSS_TRUST)
    and the same certutil on Thunderbird 153's NSS 3.125 (CKO_TRUST)."""

    def setUp(self):
        self.rt = tempfile.mkdtemp(prefix="rt-", dir=TB.workdir)
        os.chmod(self.rt, 0o700)
        self.home = tempfile.mkdtemp(prefix="home-", dir=TB.workdir)
        self.tb = os.path.join(self.home, ".thunderbird")
        os.makedirs(self.tb)
        self.path = os.path.join(self.rt, "dane-smime", "tokens.cache")
        self.cfg = TB.write_config(os.path.join(self.rt, "tc.conf"),
                                   extra={"token_cache": "yes"})

    def profile(self, name, trusts, tb_nss=False):
        """A profile folder whose cert9.db holds {address: trust}."""
        d = os.path.join(self.tb, name)
        os.makedirs(d)
        env = dict(os.environ)
        if tb_nss:
            env["LD_LIBRARY_PATH"] = TB_NSS
        subprocess.run(["certutil", "-N", "--empty-password", "-d",
                        "sql:" + d], check=True, env=env)
        for i, (a, t) in enumerate(sorted(trusts.items())):
            subprocess.run(["certutil", "-A", "-d", "sql:" + d, "-n",
                            "c%d" % i, "-t", t, "-i",
                            TB.cert(a).cert_path], check=True, env=env)
        return d

    def profiles_ini(self, *dirs):
        with open(os.path.join(self.tb, "profiles.ini"), "w") as f:
            for i, d in enumerate(dirs):
                f.write("[Profile%d]\nName=p%d\nIsRelative=0\nPath=%s\n\n"
                        % (i, i, d))
            f.write("[General]\nStartWithLastProfile=1\nVersion=2\n")

    def lookup(self):
        p = TB.run_host(["lookup", "--json", "hugh@example.test",
                         "pair1@evil.test"], config=self.cfg,
                        binary=binary(),
                        env={"XDG_RUNTIME_DIR": self.rt, "HOME": self.home})
        self.assertIn(p.returncode, (0, 2, 3, 4, 5), p.stderr)
        return p, sorted((a, t) for a, d, t, e in tc_read(self.path))

    def test_legacy_distrust_withheld(self):
        # p,p,p as NSS 3.87 (and Thunderbird before NSS 3.11x) wrote it;
        # ,C, and ,, in the profile are no distrust
        self.profiles_ini(self.profile("a", {
            "hugh@example.test": "p,p,p", "pair1@evil.test": ",C,"}))
        p, got = self.lookup()
        self.assertEqual(got, [("pair1@evil.test", ",C,")], p.stderr)
        self.assertIn(b"1 certificate left out", p.stderr)
        # the distrust lifted: served again at the next lookup
        subprocess.run(["certutil", "-M", "-d", "sql:" +
                        os.path.join(self.tb, "a"), "-n", "c0", "-t",
                        ",,"], check=True)
        p, got = self.lookup()
        self.assertEqual(got, [("hugh@example.test", ",C,"),
                               ("pair1@evil.test", ",C,")], p.stderr)

    @unittest.skipUnless(os.path.exists(TB_NSS + "/libnss3.so"),
                         "no Thunderbird NSS")
    def test_thunderbird_153_distrust_withheld(self):
        # CKO_TRUST (PKCS #11 3.2) as Thunderbird 153's NSS 3.125 writes
        # it, in the second of two profiles: any profile's distrust counts
        a = self.profile("a", {"hugh@example.test": ",C,"})
        b = self.profile("b", {"pair1@evil.test": "p,p,p"}, tb_nss=True)
        self.profiles_ini(a, b)
        p, got = self.lookup()
        self.assertEqual(got, [("hugh@example.test", ",C,")], p.stderr)

    def test_unreadable_profile_no_trust(self):
        # a damaged cert9.db: what the others say still counts, and
        # nothing is written with trust (a distrust there may exist)
        a = self.profile("a", {"hugh@example.test": "p,p,p"})
        b = os.path.join(self.tb, "b")
        os.makedirs(b)
        with open(os.path.join(b, "cert9.db"), "wb") as f:
            f.write(b"SQLite format 3\0" + b"\xff" * 4000)
        self.profiles_ini(a, b)
        p, got = self.lookup()
        self.assertEqual(got, [("pair1@evil.test", ",,")], p.stderr)
        self.assertIn(b"written without trust", p.stderr)
        self.assertIn(os.path.join(b, "cert9.db").encode(), p.stderr)
        # readable again (here: gone): trust back at the next lookup
        os.unlink(os.path.join(b, "cert9.db"))
        p, got = self.lookup()
        self.assertEqual(got, [("pair1@evil.test", ",C,")], p.stderr)
        self.assertNotIn(b"without trust", p.stderr)

    def test_profile_held_open_by_parent(self):
        # Thunderbird started with --profile DIR: not in profiles.ini, but
        # its cert9.db is open in the host's parent (here: this test)
        d = self.profile("x", {"pair1@evil.test": "p,p,p"})
        with open(os.path.join(d, "cert9.db"), "rb"):
            p, got = self.lookup()
        self.assertEqual(got, [("hugh@example.test", ",C,")], p.stderr)
        p, got = self.lookup()
        self.assertEqual(got, [("hugh@example.test", ",C,"),
                               ("pair1@evil.test", ",C,")], p.stderr)


class TestNative(Base):

    def setUp(self):
        self.s = Native([binary(), "--config", TB.config_path, "native"])

    def tearDown(self):
        self.s.kill()

    def one(self, req):
        self.s.send(req)
        frames = self.s.recv_until_done(req["id"])
        res = [f for f in frames if f.get("type") == "result"]
        self.assertEqual(len(res), 1, frames)
        self.assertEqual(frames[-1], {"type": "done", "id": req["id"],
                                      "count": 1})
        self.assertEqual(res[0].get("id"), req["id"])
        return res[0]

    def test_verify_with_chain(self):
        x = self.one({"type": "verify", "id": "v1",
                      "address": "u2s1m1@example.test",
                      "certificate": TB.certs["combo"].b64,
                      "chain": [TB.certs["ca"].b64]})
        # the record fits (match), but combo names 24 addresses: no
        # e-mail trust without its CA in nss_db (issue 13)
        self.assertEqual(x["status"], "unusable", x)
        self.assertEqual(x.get("mode"), "verify", x)
        c = x["certificates"][0]
        self.assertIs(c["usable"], False, x)
        self.assertEqual(umatch(c), {"usage": 2, "selector": 1,
                                      "matching": 1}, x)
        self.assertEqual([p["code"] for p in c["problems"]],
                         ["too-many-addresses"], x)
        self.assertIsNone(c["trust"], x)
        self.assertEqual(base64.b64decode(c["der"]), TB.certs["combo"].der)

    def test_verify_without_chain(self):
        x = self.one({"type": "verify", "id": 2,
                      "address": "u2s1m1@example.test",
                      "certificate": TB.certs["combo"].b64})
        self.assertEqual(x["status"], "unusable", x)
        self.assertIs(x["certificates"][0]["usable"], False, x)

    def test_verify_at(self):
        x = self.one({"type": "verify", "id": 3,
                      "address": "expired@example.test",
                      "certificate": TB.certs["expired"].b64, "at": T2020})
        self.assertEqual(x["status"], "found", x)
        x = self.one({"type": "verify", "id": 4,
                      "address": "hugh@example.test",
                      "certificate": TB.certs["hugh"].b64, "at": ISO2100})
        self.assertEqual(x["status"], "unusable", x)
        self.assertIn("expired", self.codes(x["certificates"][0]))

    def test_lookup_at(self):
        self.s.send({"type": "lookup", "id": 5, "at": ISO2000,
                     "addresses": ["hugh@example.test", "spki@example.test"]})
        frames = self.s.recv_until_done(5)
        by = {f["address"]: f for f in frames if f.get("type") == "result"}
        self.assertEqual(by["hugh@example.test"]["status"], "unusable")
        self.assertEqual(by["spki@example.test"]["status"], "unusable")

    def test_verify_bad_certificate(self):
        self.s.send({"type": "verify", "id": 6,
                     "address": "hugh@example.test",
                     "certificate": base64.b64encode(b"\x30\x03\x02\x01\x00")
                     .decode()})
        frames = self.s.recv_until_done(6)
        bad = [f for f in frames if f.get("type") in ("result", "error")]
        self.assertTrue(bad, frames)
        f = bad[0]
        self.assertNotEqual(f.get("status"), "found", frames)
        self.assertEqual(f.get("error", {}).get("code"), "bad-certificate",
                         frames)
        # still in sync
        self.s.send({"type": "hello", "id": 7})
        self.assertEqual(self.s.recv().get("type"), "hello")

    def test_verify_missing_fields(self):
        for req, code in (({"type": "verify", "id": 8,
                            "address": "hugh@example.test"}, "missing-field"),
                          ({"type": "verify", "id": 9,
                            "certificate": TB.certs["hugh"].b64},
                           "missing-field"),
                          ({"type": "verify", "id": 10,
                            "address": "hugh@example.test",
                            "certificate": 5}, "bad-field")):
            with self.subTest(req=req):
                self.s.send(req)
                f = self.s.recv()
                self.assertEqual(f.get("type"), "error", f)
                self.assertEqual(f.get("error", {}).get("code"), code, f)
                self.assertEqual(f.get("id"), req["id"], f)


def certutil_list(db):
    """{nickname: trust} of an NSS DB via certutil -L."""
    p = subprocess.run(["certutil", "-L", "-d", db], stdout=subprocess.PIPE,
                       stderr=subprocess.PIPE, timeout=30)
    out = {}
    for line in p.stdout.decode("utf-8", "replace").splitlines()[4:]:
        line = line.rstrip()
        if not line:
            continue
        nick, trust = line.rsplit(None, 1)
        out[nick.strip()] = trust
    return out


if __name__ == "__main__":
    sys.exit(helpers.main(__name__))
