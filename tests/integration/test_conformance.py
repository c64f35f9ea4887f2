#!/usr/bin/python3
"""Integration tests for the PKI layer (issues 12 and 15) against the real
test bed: a long-running host keeps judging PKIX and DANE-TA paths right
after other validations in the same process (NSS's and libpkix's
certificate caches); DANE-TA anchors published as bare keys (2 1 0, RFC
7671 5.2: OpenSSL's danetest cases "DANE-TA(2) SPKI(1) Full(0)
intermediate from DNS" and "root from DNS"); signing-only signers in
verify-message via 2 0 0 and via PKIX; `match` with the record index and
the depth even for an unfit certificate; the root module loaded only
when a PKIX usage needs it.

Names and certificates: tests/testbed/README.md (issue 3 section), and a
small PKI made here with openssl (PKI below), published in example.test:
  keyinter@  2 1 0 SPKI of KI        leaf issued by KI, chain: none
  keyroot@   2 1 0 SPKI of KR        leaf issued by KI, chain: KI
  fit@       3 0 1 of KR, 2 0 0 KR   leaf issued by KR, EKU serverAuth
  signta@    2 0 0 KR                signing-only leaf issued by KR
  signpkix@  1 0 0 of its leaf       signing-only leaf issued by KR
  keymsg@    2 1 0 SPKI of KR        leaf issued by KI (messages carry KI)
KR is trusted C,C,C in an NSS database made here (for signpkix@).

Run:  /usr/bin/python3 tests/integration/test_conformance.py
Binary: $DANE_SMIME or build/host/dane-smime.  Last line of stdout:
"N passed, N failed[, N skipped]"; exit status 1 on failure.
"""

import base64
import hashlib
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
import unittest

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import helpers  # noqa: E402
from helpers import EXIT, Native, binary, require_binary, run_cli  # noqa: E402

TB = None
PKI = None
KR_CONFIG = None        # test bed config + nss_db trusting KR


def owner(address):
    local, domain = address.rsplit("@", 1)
    return "%s._smimecert.%s." % (
        hashlib.sha256(local.encode()).hexdigest()[:56], domain)


def generic(u, s, m, data):
    rdata = bytes([u, s, m]) + data
    return "TYPE53 \\# %d %s" % (len(rdata), rdata.hex())


class Pki:
    """A root KR, an intermediate KI and end entities, made with openssl
    (P-256 keys)."""

    def __init__(self):
        self.dir = tempfile.mkdtemp(prefix="dane-conformance-")
        self.n = 0
        self.ca("kr", "/O=dane-smime conformance/CN=KR Root", None)
        self.ca("ki", "/O=dane-smime conformance/CN=KI Intermediate", "kr")
        ku = "critical, digitalSignature, keyEncipherment, keyAgreement"
        self.ee("keyinter", "ki", ku, "emailProtection")
        self.ee("keyroot", "ki", ku, "emailProtection")
        self.ee("keymsg", "ki", ku, "emailProtection")
        self.ee("fit", "kr", ku, "serverAuth")
        self.ee("signta", "kr", "critical, digitalSignature",
                "emailProtection")
        self.ee("signpkix", "kr", "critical, digitalSignature",
                "emailProtection")
        self.nss_db = "sql:" + os.path.join(self.dir, "nss")
        os.mkdir(os.path.join(self.dir, "nss"))
        self.run("certutil", "-N", "--empty-password", "-d", self.nss_db)
        self.run("certutil", "-A", "-d", self.nss_db, "-n", "kr", "-t",
                 "C,C,C", "-i", self.pem("kr"))

    def run(self, *argv, **kw):
        return subprocess.run(argv, check=True, capture_output=True, **kw)

    def path(self, name, ext):
        return os.path.join(self.dir, "%s.%s" % (name, ext))

    def pem(self, name):
        return self.path(name, "pem")

    def der(self, name):
        with open(self.path(name, "der"), "rb") as f:
            return f.read()

    def b64(self, name):
        return base64.b64encode(self.der(name)).decode()

    def spki(self, name):
        return self.run("openssl", "pkey", "-in", self.path(name, "key"),
                        "-pubout", "-outform", "DER").stdout

    def _issue(self, name, subj, issuer, ext):
        key, csr = self.path(name, "key"), self.path(name, "csr")
        cnf = self.path(name, "cnf")
        self.run("openssl", "genpkey", "-algorithm", "EC", "-pkeyopt",
                 "ec_paramgen_curve:P-256", "-out", key)
        with open(cnf, "w") as f:
            f.write("[ext]\n" + "\n".join(ext) + "\n")
        self.n += 1
        serial = "0x%x" % (0x1000 + self.n)
        if issuer is None:
            self.run("openssl", "req", "-x509", "-new", "-key", key,
                     "-subj", subj, "-days", "3650", "-sha256",
                     "-set_serial", serial, "-config", cnf, "-extensions",
                     "ext", "-out", self.pem(name))
        else:
            self.run("openssl", "req", "-new", "-key", key, "-subj", subj,
                     "-config", cnf, "-out", csr)
            self.run("openssl", "x509", "-req", "-in", csr, "-CA",
                     self.pem(issuer), "-CAkey", self.path(issuer, "key"),
                     "-set_serial", serial, "-days", "3000", "-sha256",
                     "-extfile", cnf, "-extensions", "ext", "-out",
                     self.pem(name))
        self.run("openssl", "x509", "-in", self.pem(name), "-outform", "DER",
                 "-out", self.path(name, "der"))

    def ca(self, name, subj, issuer):
        self._issue(name, subj, issuer, [
            "basicConstraints = critical, CA:TRUE",
            "keyUsage = critical, keyCertSign, cRLSign",
            "subjectKeyIdentifier = hash",
            "authorityKeyIdentifier = keyid"
            if issuer else "subjectKeyIdentifier = hash",
            "[req]", "distinguished_name = dn", "[dn]"])

    def ee(self, name, issuer, ku, eku):
        self._issue(name, "/CN=%s conformance test" % name, issuer, [
            "basicConstraints = critical, CA:FALSE",
            "keyUsage = " + ku, "extendedKeyUsage = " + eku,
            "subjectAltName = email:%s@example.test" % name,
            "subjectKeyIdentifier = hash", "authorityKeyIdentifier = keyid",
            "[req]", "distinguished_name = dn", "[dn]"])

    def sign(self, signer, extra_certs=()):
        """A detached S/MIME message from signer@example.test, signed now,
        carrying the signer's certificate and extra_certs."""
        body = self.path("body-" + signer, "txt")
        out = self.path("signed-" + signer, "eml")
        with open(body, "w") as f:
            f.write("Content-Type: text/plain\r\n\r\nhello from %s\r\n"
                    % signer)
        argv = ["openssl", "smime", "-sign", "-in", body, "-out", out,
                "-signer", self.pem(signer), "-inkey",
                self.path(signer, "key"), "-from",
                "%s@example.test" % signer, "-to", "you@example.test",
                "-subject", "test", "-md", "sha256"]
        if extra_certs:
            chain = self.path("certs-" + signer, "pem")
            with open(chain, "w") as f:
                for c in extra_certs:
                    with open(self.pem(c)) as g:
                        f.write(g.read())
            argv += ["-certfile", chain]
        self.run(*argv)
        return out

    def remove(self):
        shutil.rmtree(self.dir, ignore_errors=True)


def setUpModule():
    global TB, PKI, KR_CONFIG
    require_binary()
    PKI = Pki()
    other = hashlib.sha256(b"not KR").digest()
    lines = [
        "%s 300 IN %s" % (owner("keyinter@example.test"),
                          generic(2, 1, 0, PKI.spki("ki"))),
        "%s 300 IN %s" % (owner("keyroot@example.test"),
                          generic(2, 1, 0, PKI.spki("kr"))),
        "%s 300 IN %s" % (owner("keymsg@example.test"),
                          generic(2, 1, 0, PKI.spki("kr"))),
        "%s 300 IN %s" % (owner("fit@example.test"),
                          generic(3, 0, 1, other)),
        "%s 300 IN %s" % (owner("fit@example.test"),
                          generic(2, 0, 0, PKI.der("kr"))),
        "%s 300 IN %s" % (owner("signta@example.test"),
                          generic(2, 0, 0, PKI.der("kr"))),
        "%s 300 IN %s" % (owner("signpkix@example.test"),
                          generic(1, 0, 0, PKI.der("signpkix"))),
    ]
    TB = helpers.start_testbed(extra_zone_text={"example.test": lines})
    KR_CONFIG = TB.write_config(extra={"nss_db": PKI.nss_db})


def tearDownModule():
    if TB is not None:
        TB.stop()
    if PKI is not None:
        PKI.remove()


def cli_json(argv, config=None):
    r = run_cli(argv, config=config or TB.config_path)
    objs = [json.loads(x) for x in r.out.splitlines() if x.strip()]
    return objs, r


def verify_cli(address, cert_der_b64_name, chain=(), config=None):
    """`verify --json address cert [chain...]` with PKI certificates."""
    paths = [PKI.pem(cert_der_b64_name)] + [PKI.pem(c) for c in chain]
    if chain:
        bundle = PKI.path("bundle-%s-%d" % (cert_der_b64_name, len(chain)),
                          "pem")
        with open(bundle, "w") as f:
            for p in paths:
                with open(p) as g:
                    f.write(g.read())
        paths = [bundle]
    objs, r = cli_json(["verify", "--json", address] + paths, config)
    res = [o for o in objs if o.get("type") == "result"]
    assert len(res) == 1, r.describe()
    return res[0], r


def verify_message(path, config=None):
    objs, r = cli_json(["verify-message", "--json", path], config)
    mv = [o for o in objs if o.get("type") == "message-verification"]
    assert len(mv) == 1, r.describe()
    return mv[0], r


def record_index(x, usage, selector, matching):
    """Index in x["records"] of the (only) record u s m."""
    idx = [i for i, rec in enumerate(x["records"])
           if (rec["usage"], rec["selector"], rec["matching"]) ==
           (usage, selector, matching)]
    assert len(idx) == 1, x["records"]
    return idx[0]


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


class TestBareKeyAnchor(unittest.TestCase):
    """RFC 7671 5.2: a DANE-TA record may publish the anchor's full public
    key (2 1 0) and leave its certificate out."""

    def test_intermediate_key_from_dns(self):
        x, r = verify_cli("keyinter@example.test", "keyinter")
        self.assertEqual(x["status"], "found", r.describe())
        self.assertEqual(r.rc, EXIT["found"], r.describe())
        c = x["certificates"][0]
        self.assertIs(c["usable"], True, r.describe())
        self.assertEqual(c["match"], {"usage": 2, "selector": 1,
                                      "matching": 0, "record": 0,
                                      "depth": 1}, r.describe())
        self.assertEqual(c["trust_basis"], "dane-ta", r.describe())
        self.assertEqual(c["problems"], [], r.describe())

    def test_root_key_from_dns(self):
        x, r = verify_cli("keyroot@example.test", "keyroot", ["ki"])
        self.assertEqual(x["status"], "found", r.describe())
        c = x["certificates"][0]
        self.assertIs(c["usable"], True, r.describe())
        self.assertEqual(c["match"], {"usage": 2, "selector": 1,
                                      "matching": 0, "record": 0,
                                      "depth": 2}, r.describe())
        self.assertEqual(c["trust_basis"], "dane-ta", r.describe())

    def test_root_key_without_the_intermediate(self):
        x, r = verify_cli("keyroot@example.test", "keyroot")
        self.assertEqual(x["status"], "unusable", r.describe())
        self.assertEqual(r.rc, EXIT["unusable"], r.describe())
        c = x["certificates"][0]
        self.assertIs(c["usable"], False, r.describe())
        self.assertIsNone(c["match"], r.describe())
        self.assertIn("dane-ta-invalid", codes(c), r.describe())

    def test_other_certificate_not_signed_by_the_key(self):
        # keyinter's key record (KI) does not vouch for fit, issued by KR.
        x, r = verify_cli("keyinter@example.test", "fit", ["kr"])
        self.assertEqual(x["status"], "unusable", r.describe())
        c = x["certificates"][0]
        self.assertIsNone(c["match"], r.describe())

    def test_native_verify_with_chain(self):
        s = Native([binary(), "--config", TB.config_path, "native"])
        try:
            s.send({"type": "verify", "id": 1,
                    "address": "keyroot@example.test",
                    "certificate": PKI.b64("keyroot"),
                    "chain": [PKI.b64("ki")]})
            frames = s.recv_until_done(1)
        finally:
            s.kill()
        res = [f for f in frames if f.get("type") == "result"]
        self.assertEqual(len(res), 1, frames)
        c = res[0]["certificates"][0]
        self.assertIs(c["usable"], True, frames)
        self.assertEqual(c["match"]["depth"], 2, frames)

    def test_verify_message_key_anchor(self):
        # The message carries KI; the record publishes KR's key only.
        m, r = verify_message(PKI.sign("keymsg", ["ki"]))
        self.assertEqual(m["signature"], "valid", r.describe())
        self.assertEqual(m["dane"], "match", r.describe())
        self.assertEqual(m["match"]["usage"], 2, r.describe())
        self.assertEqual(m["match"]["selector"], 1, r.describe())
        self.assertEqual(m["match"]["matching"], 0, r.describe())
        self.assertIs(m["green"], True, r.describe())
        # Without KI in the message there is no path to the key.
        m, r = verify_message(PKI.sign("keymsg"))
        self.assertEqual(m["signature"], "valid", r.describe())
        self.assertNotEqual(m["dane"], "match", r.describe())
        self.assertIs(m["green"], False, r.describe())


class TestMatchApartFromFitness(unittest.TestCase):
    """`match` says whether a record fits the chain, with its index in
    `records` and the depth of the matched certificate, even when the
    certificate is not fit for mail."""

    def test_fits_but_no_email_eku(self):
        x, r = verify_cli("fit@example.test", "fit")
        self.assertEqual(x["status"], "unusable", r.describe())
        c = x["certificates"][0]
        self.assertIs(c["usable"], False, r.describe())
        self.assertEqual(c["match"], {
            "usage": 2, "selector": 0, "matching": 0,
            "record": record_index(x, 2, 0, 0), "depth": 1}, r.describe())
        self.assertIn("no-email-protection-eku", codes(c), r.describe())
        self.assertNotIn("no-record-match", codes(c), r.describe())
        self.assertNotIn("dane-ta-invalid", codes(c), r.describe())
        self.assertIsNone(c["trust_basis"], r.describe())

    def test_does_not_fit(self):
        # keyinter (issued by KI, under KR) against fit@'s records, KI
        # not at hand: no path to KR, nothing fits.
        x, r = verify_cli("fit@example.test", "keyinter")
        c = x["certificates"][0]
        self.assertIsNone(c["match"], r.describe())
        self.assertIn("email-mismatch", codes(c), r.describe())

    def test_dane_ee_depth_zero(self):
        objs, r = cli_json(["lookup", "--json", "hugh@example.test"])
        x = [o for o in objs if o.get("type") == "result"][0]
        c = x["certificates"][0]
        self.assertEqual(c["match"]["depth"], 0, r.describe())
        self.assertEqual(c["match"]["record"], record_index(
            x, c["match"]["usage"], c["match"]["selector"],
            c["match"]["matching"]), r.describe())

    def test_pkix_ta_depth(self):
        # pkixta@: 0 0 0 ca, 0 0 0 leaf; the leaf's path is leaf -> ca.
        objs, r = cli_json(["lookup", "--json", "pkixta@example.test"],
                           TB.nss_config_path)
        x = [o for o in objs if o.get("type") == "result"][0]
        self.assertEqual(x["status"], "found", r.describe())
        c = [c for c in x["certificates"] if c["usable"]][0]
        self.assertEqual(c["match"]["usage"], 0, r.describe())
        self.assertEqual(c["match"]["depth"], 1, r.describe())


class TestSigners(unittest.TestCase):
    """A signing-only certificate (keyUsage digitalSignature) is
    authenticated as a message signer (certificateUsageEmailSigner), not
    judged as a recipient."""

    def test_signing_only_via_dane_ta(self):
        m, r = verify_message(PKI.sign("signta"))
        self.assertEqual(m["signature"], "valid", r.describe())
        self.assertEqual(m["dane"], "match", r.describe())
        self.assertEqual(m["match"], {"usage": 2, "selector": 0,
                                      "matching": 0}, r.describe())
        self.assertIs(m["green"], True, r.describe())
        self.assertEqual(r.rc, EXIT["found"], r.describe())
        self.assertEqual([p["code"] for p in m["problems"]], [],
                         r.describe())

    def test_signing_only_via_pkix(self):
        m, r = verify_message(PKI.sign("signpkix"), KR_CONFIG)
        self.assertEqual(m["signature"], "valid", r.describe())
        self.assertEqual(m["dane"], "match", r.describe())
        self.assertEqual(m["match"]["usage"], 1, r.describe())
        self.assertIs(m["green"], True, r.describe())
        # Without the database that trusts KR: no PKIX path.
        m, r = verify_message(PKI.sign("signpkix"))
        self.assertNotEqual(m["dane"], "match", r.describe())
        self.assertIs(m["green"], False, r.describe())
        self.assertIn("pkix-untrusted-issuer",
                      [p["code"] for p in m["problems"]], r.describe())

    def test_signing_only_is_no_recipient(self):
        # The same certificate as a recipient: the record fits, the key
        # cannot encrypt.
        x, r = verify_cli("signta@example.test", "signta")
        self.assertEqual(x["status"], "unusable", r.describe())
        c = x["certificates"][0]
        self.assertIs(c["usable"], False, r.describe())
        self.assertEqual(c["match"]["usage"], 2, r.describe())
        self.assertIn("key-usage", codes(c), r.describe())
        self.assertIs(c["can_sign"], True, r.describe())
        self.assertIs(c["can_encrypt"], False, r.describe())


def mapped(pid, name):
    with open("/proc/%d/maps" % pid) as f:
        return name in f.read()


class TestRootModuleOnDemand(unittest.TestCase):
    """The root module (libnssckbi) is loaded when a PKIX usage needs it,
    not on the first answer with records."""

    def test_loaded_on_demand(self):
        s = Native([binary(), "--config", TB.config_path, "native"])
        try:
            # DANE-EE (rollover@: two 3 0 0 certificates for that address
            # alone) and a DANE-TA path (keyinter@, 2 1 0): no PKIX usage,
            # and no other address that PKIX might vouch for.
            s.send({"type": "lookup", "id": 1,
                    "addresses": ["rollover@example.test"]})
            frames = s.recv_until_done(1)
            self.assertEqual(frames[0].get("status"), "found", frames)
            s.send({"type": "verify", "id": 3,
                    "address": "keyinter@example.test",
                    "certificate": PKI.b64("keyinter")})
            frames = s.recv_until_done(3)
            self.assertEqual(frames[0].get("status"), "found", frames)
            self.assertFalse(mapped(s.p.pid, "libnssckbi"),
                             "root module loaded for DANE-EE/DANE-TA")
            s.send({"type": "lookup", "id": 2,
                    "addresses": ["pkix@example.test"]})
            frames = s.recv_until_done(2)
            self.assertTrue(mapped(s.p.pid, "libnssckbi"),
                            "root module not loaded for PKIX-EE")
        finally:
            s.kill()


if __name__ == "__main__":
    helpers.main(__name__)
