#!/usr/bin/env python3
"""Issue 18, the other discovery path end to end: `_smime` TXT records in
signed (and unsigned) test-bed zones name URLs on a real HTTPS server on
127.0.0.1 (python's http.server + ssl, its certificate from a CA made here
and given to the host as https_ca_file); the certificate served there is
judged against the address's SMIMEA records.

  web@       TXT + 3 0 1 of the served certificate     -> found (https)
  webspki@   TXT + 3 1 1                               -> found (https)
  webpair@   TXT, certificate also names web@ ...      -> see the test
  webwrong@  TXT + 3 0 1 of another certificate        -> unverified
  webnone@   TXT, no SMIMEA record (secure NXDOMAIN)   -> unverified
  webhttp@   TXT naming an http:// URL                 -> not fetched
  webjunk@   TXT, the server answers garbage           -> https-not-certificate
  webpkix@   TXT, no SMIMEA, issued by a CA in nss_db  -> found (pkix), else
             unverified
  web@unsigned.test  TXT in an unsigned zone           -> not fetched
"""
import hashlib
import http.server
import os
import ssl
import subprocess
import sys
import tempfile
import threading
import unittest

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
sys.path.insert(0, os.path.join(HERE, "..", "https"))

import helpers  # noqa: E402
from helpers import binary, require_binary, run_cli  # noqa: E402
from run_https_test import make_ca, make_server_cert, openssl  # noqa: E402
from testbed.testbed import owner_name, smimea_generic  # noqa: E402

TB = None
SRV = None
WORK = None
HITS = {}
CERTS = {}       # name -> (pem bytes, der bytes)


def make_email_cert(d, name, *addresses, ca=None):
    key, crt = os.path.join(d, name + ".key"), os.path.join(d, name + ".pem")
    san = ",".join("email:" + a for a in addresses)
    ext = ["-addext", "basicConstraints=critical,CA:FALSE",
           "-addext", "keyUsage=critical,digitalSignature,keyAgreement",
           "-addext", "extendedKeyUsage=emailProtection",
           "-addext", "subjectAltName=" + san]
    if ca is None:
        openssl("req", "-x509", "-newkey", "ec", "-pkeyopt",
                "ec_paramgen_curve:P-256", "-nodes", "-keyout", key, "-out",
                crt, "-days", "30", "-subj", "/CN=" + addresses[0], *ext)
    else:
        # OpenSSL 3: req -x509 -CA signs with the issuer at once
        openssl("req", "-x509", "-newkey", "ec", "-pkeyopt",
                "ec_paramgen_curve:P-256", "-nodes", "-keyout", key, "-out",
                crt, "-days", "30", "-subj", "/CN=" + addresses[0], *ext,
                "-CA", ca[1], "-CAkey", ca[0])
    der = subprocess.run(["openssl", "x509", "-in", crt, "-outform", "DER"],
                         check=True, capture_output=True).stdout
    spki = subprocess.run(["openssl", "x509", "-in", crt, "-pubkey",
                           "-noout"], check=True, capture_output=True).stdout
    spki_der = subprocess.run(["openssl", "pkey", "-pubin", "-outform",
                               "DER"], input=spki, check=True,
                              capture_output=True).stdout
    with open(crt, "rb") as f:
        CERTS[name] = (f.read(), der, spki_der)


class Handler(http.server.BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def log_message(self, *args):
        pass

    def do_GET(self):
        HITS[self.path] = HITS.get(self.path, 0) + 1
        name = self.path.strip("/").split(".")[0]
        if self.path == "/junk.crt":
            body = b"this is not a certificate\n"
        elif name in CERTS:
            body = CERTS[name][0] if self.path.endswith(".pem") else \
                CERTS[name][1]
        else:
            body = b"not found\n"
        self.send_response(200 if name in CERTS or "junk" in self.path
                           else 404)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)


def txt(owner, url):
    return '%s 300 IN TXT "%s"' % (owner, url)


def setUpModule():
    global TB, SRV, WORK
    require_binary()
    WORK = tempfile.mkdtemp(prefix="https-discovery-")
    ca = make_ca(WORK, "ca")
    srv_cert = make_server_cert(WORK, "localhost", ca, "localhost")
    make_email_cert(WORK, "web", "web@example.test")
    make_email_cert(WORK, "webspki", "webspki@example.test")
    make_email_cert(WORK, "webwrong", "webwrong@example.test")
    make_email_cert(WORK, "other", "webwrong@example.test")
    make_email_cert(WORK, "webnone", "webnone@example.test")
    make_email_cert(WORK, "webu", "web@unsigned.test")
    mailca = make_ca(WORK, "mailca")
    make_email_cert(WORK, "webpkix", "webpkix@example.test", ca=mailca)
    nssdir = os.path.join(WORK, "nssdb")
    os.makedirs(nssdir)
    subprocess.run(["certutil", "-N", "--empty-password", "-d",
                    "sql:" + nssdir], check=True)
    subprocess.run(["certutil", "-A", "-d", "sql:" + nssdir, "-n", "mailca",
                    "-t", "C,C,C", "-i", mailca[1]], check=True)
    SRV = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    SRV.daemon_threads = True
    ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    ctx.load_cert_chain(srv_cert[1], srv_cert[0])
    SRV.socket = ctx.wrap_socket(SRV.socket, server_side=True)
    threading.Thread(target=SRV.serve_forever, daemon=True).start()
    base = "https://localhost:%d" % SRV.server_address[1]
    ex = [
        txt("web._smime.example.test.", base + "/web.pem"),
        "%s. 300 IN %s" % (owner_name("web@example.test"), smimea_generic(
            3, 0, 1, hashlib.sha256(CERTS["web"][1]).digest())),
        txt("webspki._smime.example.test.", base + "/webspki.crt"),
        "%s. 300 IN %s" % (owner_name("webspki@example.test"),
                           smimea_generic(3, 1, 1, hashlib.sha256(
                               CERTS["webspki"][2]).digest())),
        txt("webwrong._smime.example.test.", base + "/webwrong.crt"),
        "%s. 300 IN %s" % (owner_name("webwrong@example.test"),
                           smimea_generic(3, 0, 1, hashlib.sha256(
                               CERTS["other"][1]).digest())),
        txt("webnone._smime.example.test.", base + "/webnone.crt"),
        txt("webhttp._smime.example.test.",
            "http://localhost:%d/web.crt" % SRV.server_address[1]),
        txt("webjunk._smime.example.test.", base + "/junk.crt"),
        txt("webpkix._smime.example.test.", base + "/webpkix.crt"),
    ]
    un = [txt("web._smime.unsigned.test.", base + "/webu.crt")]
    TB = helpers.start_testbed(extra_zone_text={"example.test": ex,
                                                "unsigned.test": un})
    TB.https_config = TB.write_config(
        os.path.join(TB.workdir, "https.conf"),
        extra={"https_ca_file": ca[1]})
    TB.pkix_config = TB.write_config(
        os.path.join(TB.workdir, "https-nss.conf"),
        extra={"https_ca_file": ca[1], "nss_db": "sql:" + nssdir})
    TB.nohttps_config = TB.write_config(
        os.path.join(TB.workdir, "nohttps.conf"),
        extra={"https_ca_file": ca[1], "https": "no"})


def tearDownModule():
    if SRV is not None:
        SRV.shutdown()
    if TB is not None:
        TB.stop()


def lookup(address, config=None):
    r = run_cli(["lookup", "--json", address],
                config=config or TB.https_config)
    res = [o for o in r.objects() if o.get("type") == "result"]
    assert len(res) == 1, r.describe()
    return res[0], r


class TestHttpsDiscovery(unittest.TestCase):

    def test_hash_record_confirms(self):
        for a, name, rec in (("web@example.test", "web", (3, 0, 1)),
                             ("webspki@example.test", "webspki", (3, 1, 1))):
            with self.subTest(address=a):
                x, r = lookup(a)
                self.assertEqual(x["status"], "found", r.describe())
                self.assertEqual(x["source"], "https", r.describe())
                self.assertTrue(x["https"]["fetched"], r.describe())
                self.assertTrue(x["https"]["url"].startswith(
                    "https://localhost:"), r.describe())
                self.assertNotIn("mode", x, r.describe())
                c = x["certificates"][0]
                self.assertEqual(bytes.fromhex(c["sha256"]),
                                 hashlib.sha256(CERTS[name][1]).digest())
                self.assertIs(c["usable"], True, r.describe())
                self.assertEqual(c["trust"], ",C,", r.describe())
                m = c["match"]
                self.assertEqual((m["usage"], m["selector"], m["matching"]),
                                 rec, r.describe())
                self.assertEqual(r.rc, 0, r.describe())

    def test_mismatching_certificate_unverified(self):
        x, r = lookup("webwrong@example.test")
        self.assertEqual(x["status"], "unverified", r.describe())
        self.assertEqual(x["source"], "https")
        c = x["certificates"][0]
        self.assertIs(c["usable"], False)
        self.assertIsNone(c["trust"])
        self.assertIn("no-record-match", [p["code"] for p in c["problems"]])
        self.assertIn("never trusted", x["reason"])
        self.assertEqual(r.rc, 3, r.describe())

    def test_no_smimea_record_unverified(self):
        x, r = lookup("webnone@example.test")
        self.assertEqual(x["status"], "unverified", r.describe())
        self.assertIsNone(x["certificates"][0]["trust"])

    def test_pkix_without_record(self):
        # no SMIMEA record at all, but issued by a CA the user trusts
        x, r = lookup("webpkix@example.test", config=TB.pkix_config)
        self.assertEqual(x["status"], "found", r.describe())
        self.assertEqual(x["source"], "https")
        c = x["certificates"][0]
        self.assertEqual(c["trust_basis"], "pkix", r.describe())
        self.assertEqual(c["trust"], ",,", r.describe())
        self.assertEqual(c["match"]["record"], -1, r.describe())
        self.assertEqual(c["problems"], [], r.describe())
        # the same without that CA: nothing vouches for it
        x, r = lookup("webpkix@example.test")
        self.assertEqual(x["status"], "unverified", r.describe())
        self.assertIsNone(x["certificates"][0]["trust"])

    def test_http_url_not_fetched(self):
        before = dict(HITS)
        x, r = lookup("webhttp@example.test")
        self.assertEqual(x["status"], "absent", r.describe())
        self.assertEqual(x["source"], "smimea")
        self.assertFalse(x["https"]["fetched"])
        self.assertEqual(x["https"]["code"], "url-not-https", r.describe())
        self.assertEqual(HITS, before)

    def test_garbage_body(self):
        x, r = lookup("webjunk@example.test")
        self.assertEqual(x["status"], "absent", r.describe())
        self.assertEqual(x["https"]["code"], "https-not-certificate",
                         r.describe())
        self.assertEqual(x["certificates"], [])

    def test_insecure_txt_not_fetched(self):
        # the SMIMEA lookup of an unsigned zone is insecure: the path is
        # not even taken (only a secure answer without a certificate
        # leads to it)
        before = dict(HITS)
        x, r = lookup("web@unsigned.test")
        self.assertEqual(x["status"], "insecure", r.describe())
        self.assertNotIn("https", x)
        self.assertEqual(HITS, before)

    def test_absent_without_txt(self):
        x, r = lookup("nobody@example.test")
        self.assertEqual(x["status"], "absent", r.describe())
        self.assertEqual(x["https"]["code"], "txt-absent", r.describe())
        self.assertIsNone(x["https"]["url"])

    def test_switched_off(self):
        before = dict(HITS)
        x, r = lookup("web@example.test", config=TB.nohttps_config)
        # only the hash record: nothing to use without the fetch
        self.assertEqual(x["status"], "unusable", r.describe())
        self.assertNotIn("https", x)
        self.assertEqual(HITS, before)

    def test_native_and_token(self):
        # the native protocol takes the path too; nothing else changed
        s = helpers.Native([binary(), "--config", TB.https_config,
                            "native"])
        try:
            s.send({"type": "lookup", "id": 1,
                    "addresses": ["web@example.test",
                                  "webwrong@example.test"]})
            frames = s.recv_until_done(1)
        finally:
            helpers.end_process(s.p)
        st = {f["address"]: f["status"] for f in frames
              if f.get("type") == "result"}
        self.assertEqual(st, {"web@example.test": "found",
                              "webwrong@example.test": "unverified"})


if __name__ == "__main__":
    sys.exit(helpers.main(__name__))
