#!/usr/bin/python3
"""Integration tests for verify-message (issue 4): real signed messages
(tests/fixtures/mail, made by its make.sh with openssl) verified by the
built binary against SMIMEA records served by the DNS test bed.

Records added to example.test for the fixtures' signers:
  hugh@  3 1 1 SHA-256 of the fixture rsa.pem's SPKI (hash-only: the
         case only verify-message can use), next to the test bed's own
         3 0 0 for another hugh certificate
  chain@ 2 0 0 the fixture ca.der (DANE-TA; the message carries the chain)
  ec@    nothing (absent)

Run:  /usr/bin/python3 tests/integration/test_message.py
"""

import base64
import hashlib
import os
import subprocess
import sys
import unittest

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import helpers  # noqa: E402
from helpers import EXIT, Native, binary, require_binary, run_cli  # noqa: E402

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(
    os.path.abspath(__file__))))
MAIL = os.path.join(ROOT, "tests", "fixtures", "mail")
CERTS = os.path.join(ROOT, "tests", "fixtures", "certs")
TB = None


def owner(address):
    local, domain = address.rsplit("@", 1)
    return "%s._smimecert.%s." % (
        hashlib.sha256(local.encode()).hexdigest()[:56], domain)


def spki_sha256(pem):
    pub = subprocess.run(["openssl", "x509", "-pubkey", "-noout", "-in", pem],
                         check=True, capture_output=True).stdout
    der = subprocess.run(["openssl", "pkey", "-pubin", "-outform", "DER"],
                         input=pub, check=True, capture_output=True).stdout
    return hashlib.sha256(der).hexdigest()


def generic(u, s, m, data_hex):
    rdata = "%02x%02x%02x%s" % (u, s, m, data_hex)
    return "TYPE53 \\# %d %s" % (len(rdata) // 2, rdata)


def setUpModule():
    global TB
    require_binary()
    with open(os.path.join(CERTS, "ca.der"), "rb") as f:
        ca_hex = f.read().hex()
    lines = [
        "%s 300 IN %s" % (owner("hugh@example.test"),
                          generic(3, 1, 1, spki_sha256(
                              os.path.join(CERTS, "rsa.pem")))),
        "%s 300 IN %s" % (owner("chain@example.test"),
                          generic(2, 0, 0, ca_hex)),
    ]
    TB = helpers.start_testbed(extra_zone_text={"example.test": lines})


def tearDownModule():
    if TB is not None:
        TB.stop()


def verify(name, *extra):
    r = run_cli(["verify-message", "--json", *extra, os.path.join(MAIL, name)],
                config=TB.config_path)
    lines = [x for x in r.out.splitlines() if x.strip()]
    msgs = [helpers.json.loads(x) for x in lines]
    mv = [m for m in msgs if m.get("type") == "message-verification"]
    return (mv[0] if mv else None), r


def codes(m):
    return [p["code"] for p in m.get("problems", [])]


class TestGreen(unittest.TestCase):
    def test_green_forms(self):
        for name in ("detached-crlf.eml", "detached-lf.eml", "smime.eml",
                     "pkcs7-sig.eml", "opaque.eml", "opaque-lf.eml"):
            with self.subTest(name=name):
                m, r = verify(name)
                self.assertIsNotNone(m, r.describe())
                self.assertEqual(m["signature"], "valid", r.describe())
                self.assertEqual(m["dane"], "match", r.describe())
                self.assertEqual(m["match"], {"usage": 3, "selector": 1,
                                              "matching": 1})
                self.assertTrue(m["address_match"])
                self.assertTrue(m["green"], r.describe())
                self.assertEqual(m["dnssec"], "secure")
                self.assertEqual(r.rc, EXIT["found"], r.describe())
                self.assertIn("Verified", m["summary"])

    def test_dane_ta_chain_from_message(self):
        m, r = verify("chain.eml")
        self.assertEqual(m["signature"], "valid", r.describe())
        self.assertEqual(m["dane"], "match", r.describe())
        self.assertEqual(m["match"]["usage"], 2, r.describe())
        self.assertTrue(m["green"], r.describe())

    def test_human_output(self):
        r = run_cli(["verify-message", os.path.join(MAIL, "smime.eml")],
                    config=TB.config_path)
        self.assertEqual(r.rc, 0, r.describe())
        self.assertIn("Verified", r.out)
        self.assertIn("DANE       match", r.out)


class TestNotGreen(unittest.TestCase):
    def test_absent(self):
        m, r = verify("ec.eml")
        self.assertEqual(m["signature"], "valid", r.describe())
        self.assertEqual(m["dane"], "absent", r.describe())
        self.assertFalse(m["green"])
        self.assertEqual(r.rc, EXIT["absent"], r.describe())

    def test_other_from(self):
        m, r = verify("other-from.eml")
        self.assertEqual(m["signature"], "valid", r.describe())
        self.assertFalse(m["green"], r.describe())
        self.assertFalse(m["address_match"], r.describe())

    def test_invalid_signatures(self):
        for name, sig, code in (("tampered.eml", "invalid", "digest-mismatch"),
                                ("badsig.eml", "invalid", "bad-signature"),
                                ("truncated-cms.eml", "invalid", "bad-cms"),
                                ("garbage-cms.eml", "invalid", "bad-cms"),
                                ("two-signers.eml", "unsupported",
                                 "several-signers")):
            with self.subTest(name=name):
                m, r = verify(name)
                self.assertEqual(m["signature"], sig, r.describe())
                self.assertIn(code, codes(m), r.describe())
                self.assertIsNone(m["dane"], r.describe())
                self.assertFalse(m["green"])
                self.assertEqual(r.rc, EXIT["unusable"], r.describe())

    def test_not_signed_kinds(self):
        for name, sig in (("unsigned.eml", "none"), ("pgp.eml", "none"),
                          ("encrypted.eml", "encrypted")):
            with self.subTest(name=name):
                m, r = verify(name)
                self.assertEqual(m["signature"], sig, r.describe())
                self.assertFalse(m["green"])

    def test_bad_mime(self):
        for name, code in (("no-boundary.eml", "no-boundary"),
                           ("unclosed.eml", "unclosed-boundary"),
                           ("bad-base64.eml", "bad-base64"),
                           ("deep.eml", "too-deep"),
                           ("no-from.eml", "no-from")):
            with self.subTest(name=name):
                m, r = verify(name)
                self.assertIsNotNone(m, r.describe())
                self.assertEqual(m["signature"], "invalid", r.describe())
                self.assertIn(code, codes(m), r.describe())

    def test_nested_is_never_green(self):
        m, r = verify("nested.eml")
        self.assertEqual(m["signature"], "valid", r.describe())
        self.assertEqual(m["dane"], "match", r.describe())
        self.assertIn("partly-signed", codes(m))
        self.assertFalse(m["green"])

    def test_several_from(self):
        m, r = verify("multi-from.eml")
        self.assertFalse(m["green"], r.describe())
        self.assertIn("several-from", codes(m), r.describe())


def sign_at_test_time(cert, sender, workdir):
    """A detached S/MIME message signed now by a test bed certificate."""
    body = os.path.join(workdir, "body-%s.txt" % cert.name)
    out = os.path.join(workdir, "signed-%s.eml" % cert.name)
    with open(body, "w") as f:
        f.write("Content-Type: text/plain\r\n\r\nhello from %s\r\n" % sender)
    subprocess.run(["openssl", "smime", "-sign", "-in", body, "-out", out,
                    "-signer", cert.cert_path, "-inkey", cert.key_path,
                    "-from", sender, "-to", "you@example.test",
                    "-subject", "test", "-md", "sha256"], check=True,
                   capture_output=True)
    return out


class TestSignedAtTestTime(unittest.TestCase):
    """Messages signed with the test bed's own keys: the publication forms
    3 0 0 (green), an unsigned zone (insecure) and a bogus zone (bogus)."""

    def run_msg(self, certname, sender):
        path = sign_at_test_time(TB.certs[certname], sender, TB.workdir)
        r = run_cli(["verify-message", "--json", path], config=TB.config_path)
        m = helpers.json.loads([x for x in r.out.splitlines() if x][0])
        return m, r

    def test_full_certificate_record(self):
        m, r = self.run_msg("hugh", "hugh@example.test")
        self.assertEqual(m["dane"], "match", r.describe())
        self.assertEqual({k: m["match"][k] for k in ("usage", "selector",
                                                     "matching")},
                         {"usage": 3, "selector": 0, "matching": 0})
        self.assertTrue(m["green"], r.describe())
        self.assertEqual(m["problems"], [], r.describe())
        # hugh's certificate also names cname@example.test, which
        # vouches for it (a CNAME to hugh's record): the add-on may store
        # the signer with e-mail trust (issue 13)
        self.assertEqual(m["signer"]["trust"], ",C,", r.describe())
        self.assertIs(m["signer"]["usable"], True, r.describe())

    def test_signer_naming_an_unvouched_address(self):
        # multi@evil.test's certificate also names victim@bank.test: the
        # signature is still multi's (green, no message problem), but the
        # signer may not be stored with trust
        m, r = self.run_msg("evilmulti", "multi@evil.test")
        self.assertEqual(m["dane"], "match", r.describe())
        self.assertTrue(m["green"], r.describe())
        self.assertEqual(m["problems"], [], r.describe())
        self.assertIsNone(m["signer"]["trust"], r.describe())
        self.assertIn("other-address-not-vouched",
                      [p["code"] for p in m["signer"]["problems"]])

    def test_unsigned_zone(self):
        m, r = self.run_msg("unsigned", "hugh@unsigned.test")
        self.assertEqual(m["signature"], "valid", r.describe())
        self.assertEqual(m["dane"], "insecure", r.describe())
        self.assertFalse(m["green"])
        self.assertEqual(r.rc, EXIT["insecure"], r.describe())

    def test_bogus_zone(self):
        m, r = self.run_msg("bogus", "hugh@bogus.test")
        self.assertEqual(m["dane"], "bogus", r.describe())
        self.assertFalse(m["green"])
        self.assertEqual(r.rc, EXIT["bogus"], r.describe())


def sign_from(cert, from_header, workdir, tag):
    """A detached S/MIME message signed now by a test bed certificate whose
    From header is exactly from_header (UTF-8 allowed, RFC 6532)."""
    body = os.path.join(workdir, "body-from-%s.txt" % tag)
    out = os.path.join(workdir, "signed-from-%s.eml" % tag)
    with open(body, "w") as f:
        f.write("Content-Type: text/plain\r\n\r\nhello from %s\r\n" % tag)
    subprocess.run(["openssl", "smime", "-sign", "-in", body, "-out", out,
                    "-signer", cert.cert_path, "-inkey", cert.key_path,
                    "-from", from_header, "-to", "you@example.test",
                    "-subject", "test", "-md", "sha256"], check=True,
                   capture_output=True)
    with open(out, "rb") as f:
        raw = f.read()
    assert ("From: " + from_header).encode() in raw, raw[:300]
    return base64.b64encode(raw).decode()


# (cert, the message's From header, the addr-spec the host must find in it,
#  the senders a client may show for it as "from"): every pair is green.
GREEN_FORMS = [
    # Thunderbird's message.author, Apple Mail
    ("Hugh", "Hugh Example <Hugh@example.test>", "Hugh@example.test",
     ["Hugh Example <Hugh@example.test>", "Hugh@example.test"]),
    # Gmail quotes the name
    ("Hugh", '"Hugh Example" <Hugh@example.test>', "Hugh@example.test",
     ['"Hugh Example" <Hugh@example.test>', "Hugh Example <Hugh@example.test>",
      "<Hugh@example.test>"]),
    # Outlook: "Last, First", quoted; clients show it decoded, unquoted
    ("Hugh", '"Example, Hugh" <Hugh@example.test>', "Hugh@example.test",
     ['"Example, Hugh" <Hugh@example.test>',
      "Example, Hugh <Hugh@example.test>"]),
    # RFC 2047 encoded words, Q and B, and decoded
    ("Hugh", "=?UTF-8?Q?H=C3=BCgh_Example?= <Hugh@example.test>",
     "Hugh@example.test",
     ["=?UTF-8?Q?H=C3=BCgh_Example?= <Hugh@example.test>",
      "=?UTF-8?B?SMO8Z2ggRXhhbXBsZQ==?= <Hugh@example.test>",
      "H\u00fcgh Example <Hugh@example.test>"]),
    ("Hugh", "=?UTF-8?Q?Example=2C_H=C3=BCgh?= <Hugh@example.test>",
     "Hugh@example.test",
     ["Example, H\u00fcgh <Hugh@example.test>",
      '"Example, H\u00fcgh" <Hugh@example.test>']),
    # the comment form; the name equal to the address
    ("Hugh", "Hugh@example.test (Hugh Example)", "Hugh@example.test",
     ["Hugh@example.test (Hugh Example)", "Hugh@example.test"]),
    ("Hugh", '"Hugh@example.test" <Hugh@example.test>', "Hugh@example.test",
     ['"Hugh@example.test" <Hugh@example.test>']),
    # upper-case domain, in the message and in what is shown
    ("Hugh", "Hugh <Hugh@EXAMPLE.TEST>", "Hugh@EXAMPLE.TEST",
     ["Hugh <Hugh@EXAMPLE.TEST>", "Hugh <Hugh@example.test>",
      "Hugh@Example.Test"]),
    # IDN: A-label in the message, U-label or A-label shown, and back
    ("idn", "Hugh <hugh@xn--bcher-kva.test>", "hugh@xn--bcher-kva.test",
     ["Hugh <hugh@b\u00fccher.test>", "hugh@xn--bcher-kva.test",
      "Hugh <hugh@B\u00dcCHER.test>", "Hugh <hugh@XN--BCHER-KVA.TEST>"]),
    ("idn", "Hugh <hugh@b\u00fccher.test>", "hugh@b\u00fccher.test",
     ["Hugh <hugh@xn--bcher-kva.test>", "Hugh <hugh@b\u00fccher.test>"]),
    # SMTPUTF8 local-part (RFC 6531), encoded display name
    ("jorg", "=?UTF-8?Q?J=C3=B6rg?= <j\u00f6rg@example.test>",
     "j\u00f6rg@example.test",
     ["J\u00f6rg <j\u00f6rg@example.test>", "j\u00f6rg@example.test"]),
]


class TestSenderForms(unittest.TestCase):
    """Issue 14: the From forms real clients produce, and the sender they
    show ("from"), are green with no problems; only the address counts."""

    @classmethod
    def setUpClass(cls):
        cls.n = Native([binary(), "--config", TB.config_path, "native"])
        cls.seq = 0

    @classmethod
    def tearDownClass(cls):
        rc, _ = cls.n.close(2.0)
        cls.n.kill()
        assert rc == 0, rc

    def ask(self, raw, claim=None):
        TestSenderForms.seq += 1
        req = {"id": self.seq, "type": "verify-message", "message": raw}
        if claim is not None:
            req["from"] = claim
        self.n.send(req)
        m = self.n.recv(20)
        self.assertEqual(m["type"], "message-verification", m)
        self.assertEqual(m["id"], self.seq)
        return m

    def test_green_forms(self):
        for i, (cert, header, addr, shown) in enumerate(GREEN_FORMS):
            raw = sign_from(TB.certs[cert], header, TB.workdir, "g%d" % i)
            for claim in [None] + shown:
                with self.subTest(header=header, claim=claim):
                    m = self.ask(raw, claim)
                    self.assertEqual(m["signature"], "valid", m)
                    self.assertEqual(m["from"], addr, m)
                    self.assertEqual(m["dane"], "match", m)
                    self.assertTrue(m["address_match"], m)
                    self.assertEqual(m["problems"], [], m)
                    self.assertTrue(m["green"], m)
                    self.assertIn("Verified", m["summary"])

    def test_display_name_is_decoded(self):
        raw = sign_from(TB.certs["Hugh"],
                        "=?UTF-8?Q?Example=2C_H=C3=BCgh?= <Hugh@example.test>",
                        TB.workdir, "dn")
        m = self.ask(raw)
        self.assertEqual(m["from_display"], "Example, H\u00fcgh")
        self.assertTrue(m["green"], m)

    def test_shown_sender_not_the_signer(self):
        """Another address in the brackets, an address-like display name
        in front of someone else's address, a group, two mailboxes."""
        raw = sign_from(TB.certs["Hugh"], "Hugh Example <Hugh@example.test>",
                        TB.workdir, "claims")
        for claim, code in (
                ("Hugh Example <mallory@example.test>", "from-mismatch"),
                ('"Hugh@example.test" <mallory@evil.test>', "from-mismatch"),
                ("Hugh@example.test (hugh) <mallory@evil.test>",
                 "bad-from"),
                ("Hugh <hugh@example.test>", "from-mismatch"),
                ("Hugh <Hugh@example.test.evil.test>", "from-mismatch"),
                ("Hugh@example.test <mallory@evil.test>", "bad-from"),
                ("Friends: Hugh@example.test;", "bad-from"),
                ("Friends: Hugh <Hugh@example.test>, Mallory "
                 "<mallory@evil.test>;", "bad-from"),
                ("Hugh@example.test, mallory@evil.test", "bad-from"),
                ("Hugh <Hugh@example.test>, Hugh <Hugh@example.test>",
                 "bad-from"),
                ("garbage", "bad-from"),
                ("", "bad-from"),
                ("=?UTF-8?Q?hugh=40example.test?=", "bad-from")):
            with self.subTest(claim=claim):
                m = self.ask(raw, claim)
                self.assertEqual(m["signature"], "valid", m)
                self.assertEqual(m["dane"], "match", m)
                self.assertFalse(m["green"], m)
                self.assertIn(code, codes(m), m)
                self.assertNotIn("Verified", m["summary"])

    def test_deceptive_from_header(self):
        """A From whose display name shows another address than the one
        that signed, and an address-like name before another's address."""
        for i, (header, addr, dane, code) in enumerate((
                ('"alice@example.test" <Hugh@example.test>',
                 "Hugh@example.test", "match", "display-name-mismatch"),
                ("=?UTF-8?Q?alice=40example.test?= <Hugh@example.test>",
                 "Hugh@example.test", "match", "display-name-mismatch"),
                ('"Hugh@example.test" <mallory@example.test>',
                 "mallory@example.test", "absent", "display-name-mismatch"),
                ('"Hugh" <mallory@example.test>',
                 "mallory@example.test", "absent", None))):
            raw = sign_from(TB.certs["Hugh"], header, TB.workdir, "d%d" % i)
            with self.subTest(header=header):
                m = self.ask(raw)
                self.assertEqual(m["signature"], "valid", m)
                self.assertEqual(m["from"], addr, m)
                self.assertEqual(m["dane"], dane, m)
                self.assertFalse(m["green"], m)
                if code is not None:
                    self.assertIn(code, codes(m), m)


class TestImportSigner(unittest.TestCase):
    """The verified signer of a message offered for import: the fixture
    certificate is published only as a 3 1 1 hash, so only import with the
    certificate itself can store it."""

    def test_import_with_certificate(self):
        db = os.path.join(TB.workdir, "signer-db")
        cert = os.path.join(CERTS, "rsa.pem")
        r = run_cli(["import", "--json", "--db", "sql:" + db, "--cert", cert,
                     "hugh@example.test"], config=TB.config_path)
        msgs = [helpers.json.loads(x) for x in r.out.splitlines() if x]
        imp = [m for m in msgs if m["type"] == "import"][0]
        self.assertEqual(r.rc, 0, r.describe())
        self.assertEqual(len(imp["changes"]), 1, r.describe())
        self.assertEqual(imp["changes"][0]["trust"], ",C,")
        self.assertEqual(imp["changes"][0]["action"], "added")
        listing = subprocess.run(["certutil", "-L", "-d", "sql:" + db],
                                 capture_output=True, text=True).stdout
        self.assertIn(imp["changes"][0]["nickname"], listing)
        # Without a matching record nothing is imported.
        r = run_cli(["import", "--json", "--db", "sql:" + db, "--cert",
                     os.path.join(CERTS, "ec.pem"), "ec@example.test"],
                    config=TB.config_path)
        imp = [helpers.json.loads(x) for x in r.out.splitlines() if x][0]
        self.assertEqual(imp["changes"], [], r.describe())
        self.assertNotEqual(r.rc, 0)


class TestNative(unittest.TestCase):
    def test_native_with_from_claim(self):
        with open(os.path.join(MAIL, "detached-lf.eml"), "rb") as f:
            raw = base64.b64encode(f.read()).decode()
        n = Native([binary(), "--config", TB.config_path, "native"])
        try:
            n.send({"id": 1, "type": "verify-message", "message": raw})
            m = n.recv()
            self.assertEqual(m["type"], "message-verification")
            self.assertEqual(m["id"], 1)
            self.assertTrue(m["green"], m)
            n.send({"id": 2, "type": "verify-message", "message": raw,
                    "from": "mallory@example.test"})
            m = n.recv()
            self.assertEqual(m["id"], 2)
            self.assertFalse(m["green"])
            self.assertIn("from-mismatch", codes(m))
            n.send({"id": 3, "type": "verify-message", "message": "!!"})
            m = n.recv()
            self.assertEqual(m["type"], "error")
            self.assertEqual(m["error"]["code"], "bad-field")
            n.send({"id": 4, "type": "hello"})
            self.assertEqual(n.recv()["type"], "hello")
            rc, _ = n.close(2.0)
            self.assertEqual(rc, 0)
        finally:
            n.kill()


if __name__ == "__main__":
    sys.exit(helpers.main(__name__))
