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
  web.insec@   secure 3 0 1, but its TXT in an unsigned delegation
             (insec._smime.example.test)               -> not fetched
  webgone@     TXT + 3 0 1, nothing listens at the URL -> unreachable

`check` (the publisher's self-test) checks the same path: the TXT record
(txt-present, txt-dnssec-secure, txt-url), its URL (txt-reachable) and
the certificate served there against the SMIMEA records
(txt-certificate-matches); `"https": false` in a request turns the path
off for that request.
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
from testbed.testbed import (Testbed, Zone, free_port,  # noqa: E402
                             owner_name, smimea_generic)

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


# An unsigned zone delegated from the signed example.test without a DS
# record (an insecure delegation, RFC 4035 5.2): the TXT record of
# web.insec@example.test sits in it, next to its secure SMIMEA record.
INSEC = "insec._smime.example.test"
INSEC_TEXT = []


class SplitTestbed(Testbed):
    def _make_zones(self):
        super()._make_zones()
        z = Zone(INSEC, signed=False)
        z.lines.extend(INSEC_TEXT)
        with open(os.path.join(self.workdir, "zones", z.name + ".zone"),
                  "w", encoding="ascii") as f:
            f.write(z.text())
        self.zones[z.name] = z


def hash_record(address, name):
    return "%s. 300 IN %s" % (owner_name(address), smimea_generic(
        3, 0, 1, hashlib.sha256(CERTS[name][1]).digest()))


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
    make_email_cert(WORK, "webinsec", "web.insec@example.test")
    make_email_cert(WORK, "webgone", "webgone@example.test")
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
        # the insecure delegation: NS and glue, no DS
        "%s. 300 IN NS ns.%s." % (INSEC, INSEC),
        "ns.%s. 300 IN A 127.0.0.1" % INSEC,
        hash_record("web.insec@example.test", "webinsec"),
        txt("webgone._smime.example.test.",
            "https://localhost:%d/webgone.crt" % free_port()),
        hash_record("webgone@example.test", "webgone"),
    ]
    INSEC_TEXT[:] = [txt("web.%s." % INSEC, base + "/webinsec.crt")]
    un = [txt("web._smime.unsigned.test.", base + "/webu.crt")]
    TB = SplitTestbed(extra_zone_text={"example.test": ex,
                                       "unsigned.test": un})
    try:
        TB.start()
        helpers.scale_host_timeouts(TB)
    except BaseException:
        TB.stop()
        raise
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


def check(address, config=None):
    r = run_cli(["check", "--json", address],
                config=config or TB.https_config)
    res = [o for o in r.objects() if o.get("type") == "check"]
    assert len(res) == 1, r.describe()
    x = res[0]
    x["by_name"] = {c["name"]: c for c in x["checks"]}
    return x, r


def native(requests, config=None):
    """Frames of each request (by id) in one native session."""
    s = helpers.Native([binary(), "--config", config or TB.https_config,
                        "native"])
    out = {}
    try:
        for q in requests:
            s.send(q)
            # check answers with one message, no done
            out[q["id"]] = [s.recv(30)] if q["type"] == "check" else \
                s.recv_until_done(q["id"])
    finally:
        helpers.end_process(s.p)
    return out


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

    def test_secure_hash_insecure_txt(self):
        # a DNSSEC-secure 3 0 1 record, but the TXT record sits in an
        # unsigned delegation: its URL is shown, never fetched
        before = dict(HITS)
        x, r = lookup("web.insec@example.test")
        self.assertEqual(x["dnssec"], "secure", r.describe())
        self.assertEqual(x["status"], "unusable", r.describe())
        self.assertEqual(x["source"], "smimea", r.describe())
        h = x["https"]
        self.assertFalse(h["fetched"], r.describe())
        self.assertEqual(h["code"], "txt-insecure", r.describe())
        self.assertIn("not DNSSEC-secure", h["message"])
        self.assertIn("not fetched", h["message"])
        self.assertTrue(h["url"].startswith("https://localhost:"))
        self.assertTrue(h["url"].endswith("/webinsec.crt"))
        self.assertEqual(x["certificates"], [])
        self.assertEqual(HITS, before)
        self.assertEqual(r.rc, 3, r.describe())

    def test_request_field_https_false(self):
        before = dict(HITS)
        f = native([{"type": "lookup", "id": 1, "https": False,
                     "addresses": ["web@example.test"]},
                    {"type": "import", "id": 2, "https": False,
                     "dry_run": True, "db": "sql:" + WORK + "/nssdb",
                     "addresses": ["webspki@example.test"]}])
        res = [x for x in f[1] if x.get("type") == "result"]
        self.assertEqual(len(res), 1, f)
        # only the hash record: nothing to use without the fetch
        self.assertEqual(res[0]["status"], "unusable", res)
        self.assertNotIn("https", res[0])
        self.assertEqual(res[0]["source"], "smimea")
        imp = [x for x in f[2] if x.get("type") == "import"]
        self.assertEqual(len(imp), 1, f)
        self.assertEqual(imp[0]["status"], "unusable", imp)
        self.assertEqual(imp[0]["changes"], [], imp)
        self.assertEqual(HITS, before)
        # true follows the configuration: on here ...
        f = native([{"type": "lookup", "id": 3, "https": True,
                     "addresses": ["web@example.test"]}])
        res = [x for x in f[3] if x.get("type") == "result"]
        self.assertEqual(res[0]["status"], "found", res)
        self.assertEqual(res[0]["source"], "https", res)
        # ... and it never turns on what the configuration turned off
        before = dict(HITS)
        f = native([{"type": "lookup", "id": 4, "https": True,
                     "addresses": ["web@example.test"]}],
                   config=TB.nohttps_config)
        res = [x for x in f[4] if x.get("type") == "result"]
        self.assertEqual(res[0]["status"], "unusable", res)
        self.assertNotIn("https", res[0])
        self.assertEqual(HITS, before)

    def test_request_field_https_bad_type(self):
        for v in ("no", 0, None, [False], {}):
            with self.subTest(https=v):
                f = native([{"type": "lookup", "id": 5, "https": v,
                             "addresses": ["web@example.test"]}])
                self.assertEqual(len(f[5]), 1, f)
                e = f[5][0]
                self.assertEqual(e["type"], "error", e)
                self.assertEqual(e["id"], 5)
                self.assertEqual(e["error"]["code"], "bad-field", e)
                self.assertIn('"https" must be a boolean',
                              e["error"]["message"])

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


class TestCheckTxtPath(unittest.TestCase):
    """`dane-smime check`: the TXT + HTTPS path of one address."""

    TXT = ("txt-present", "txt-dnssec-secure", "txt-url", "txt-reachable",
           "txt-certificate-matches")

    def results(self, x):
        return {n: x["by_name"][n]["result"] for n in self.TXT
                if n in x["by_name"]}

    def test_good_path(self):
        for a, name, rec in (("web@example.test", "web", "3 0 1"),
                             ("webspki@example.test", "webspki", "3 1 1")):
            with self.subTest(address=a):
                x, r = check(a)
                d = x["by_name"]
                self.assertEqual(self.results(x), dict.fromkeys(
                    self.TXT, "pass"), r.describe())
                self.assertEqual(x["status"], "found", r.describe())
                self.assertEqual(x["dnssec"], "secure")
                self.assertIs(x["ok"], True, r.describe())
                self.assertEqual(x["fixes"], [], r.describe())
                self.assertEqual(x["txt_query"],
                                 a.split("@")[0] + "._smime.example.test")
                self.assertTrue(x["url"].startswith("https://localhost:"))
                self.assertIn(x["txt_query"],
                              d["txt-present"]["message"])
                self.assertEqual(d["txt-dnssec-secure"]["message"],
                                 "the TXT answer is DNSSEC-validated")
                self.assertIn(x["url"] + " is acceptable",
                              d["txt-url"]["message"])
                sha = hashlib.sha256(CERTS[name][1]).hexdigest()
                self.assertIn("fetched from " + x["url"],
                              d["txt-reachable"]["message"])
                self.assertIn("HTTP 200", d["txt-reachable"]["message"])
                self.assertIn(sha, d["txt-reachable"]["message"])
                self.assertIn("record %s of %s matches" % (rec, a),
                              d["txt-certificate-matches"]["message"])
                # what a sender gets: the certificate over HTTPS
                self.assertEqual(d["usable"]["result"], "pass")
                self.assertIn("over HTTPS", d["usable"]["message"])
                self.assertIn("discover the certificate over HTTPS "
                              "instead",
                              d["certificates-decode"]["message"])
                self.assertEqual(r.rc, 0, r.describe())
                # the text output says the same
                t = run_cli(["check", a], config=TB.https_config)
                self.assertEqual(t.rc, 0, t.describe())
                self.assertIn("publication OK", t.out)
                self.assertRegex(t.out, r"pass\s+txt-reachable\s+a "
                                 r"certificate was fetched")

    def test_native(self):
        # the native protocol: the same reply, the fetch in the host's
        # own loop beside the DNS questions
        f = native([{"type": "check", "id": "c",
                     "address": "web@example.test"},
                    {"type": "check", "id": "d",
                     "address": "webwrong@example.test"}])
        c, d = f["c"][0], f["d"][0]
        self.assertEqual(c["type"], "check", c)
        self.assertEqual({n["name"]: n["result"] for n in c["checks"]
                          if n["name"] in self.TXT},
                         dict.fromkeys(self.TXT, "pass"), c)
        self.assertIs(c["ok"], True, c)
        self.assertEqual(c["status"], "found", c)
        self.assertEqual(d["status"], "unverified", d)
        self.assertIs(d["ok"], False, d)

    def test_unsigned_txt(self):
        before = dict(HITS)
        x, r = check("web.insec@example.test")
        d = x["by_name"]
        self.assertEqual(self.results(x), {
            "txt-present": "pass", "txt-dnssec-secure": "fail",
            "txt-url": "pass", "txt-reachable": "info"}, r.describe())
        self.assertIn("not DNSSEC-validated",
                      d["txt-dnssec-secure"]["message"])
        self.assertIn(INSEC, d["txt-dnssec-secure"]["message"])
        self.assertEqual(d["txt-reachable"]["message"], "not fetched: the "
                         "TXT record is not DNSSEC-secure, and senders do "
                         "not fetch it either")
        self.assertEqual(d["dnssec-secure"]["result"], "pass")
        self.assertEqual(x["status"], "unusable", r.describe())
        self.assertIs(x["ok"], False)
        self.assertTrue(any("sign the zone that holds web." + INSEC in f
                            for f in x["fixes"]), x["fixes"])
        self.assertTrue(x["url"].endswith("/webinsec.crt"))
        self.assertEqual(HITS, before)
        self.assertEqual(r.rc, 3, r.describe())
        t = run_cli(["check", "web.insec@example.test"],
                    config=TB.https_config)
        self.assertEqual(t.rc, 3, t.describe())
        self.assertIn("problems found", t.out)
        self.assertRegex(t.out, r"fail\s+txt-dnssec-secure\s+the TXT "
                         r"answer is not DNSSEC-validated")

    def test_unreachable_url(self):
        x, r = check("webgone@example.test")
        d = x["by_name"]
        self.assertEqual(self.results(x), {
            "txt-present": "pass", "txt-dnssec-secure": "pass",
            "txt-url": "pass", "txt-reachable": "fail"}, r.describe())
        self.assertTrue(d["txt-reachable"]["message"].startswith(
            "https-connect: "), d["txt-reachable"])
        self.assertEqual(x["status"], "unusable", r.describe())
        self.assertIs(x["ok"], False)
        self.assertTrue(any(f.startswith("serve the certificate (PEM or "
                                         "DER) at " + x["url"])
                            for f in x["fixes"]), x["fixes"])
        self.assertEqual(r.rc, 3, r.describe())

    def test_certificate_not_matching(self):
        x, r = check("webwrong@example.test")
        d = x["by_name"]
        self.assertEqual(self.results(x), {
            "txt-present": "pass", "txt-dnssec-secure": "pass",
            "txt-url": "pass", "txt-reachable": "pass",
            "txt-certificate-matches": "fail"}, r.describe())
        sha = hashlib.sha256(CERTS["webwrong"][1]).hexdigest()
        m = d["txt-certificate-matches"]["message"]
        self.assertIn("no SMIMEA record of webwrong@example.test matches "
                      "the certificate served at " + x["url"], m)
        self.assertIn(sha, m)
        self.assertIn("unverified and never use it", m)
        self.assertEqual(x["status"], "unverified", r.describe())
        self.assertEqual(d["usable"]["result"], "fail")
        self.assertIs(x["ok"], False)
        self.assertTrue(any("publish the hash record of the certificate "
                            "you serve" in f for f in x["fixes"]),
                        x["fixes"])
        self.assertEqual(r.rc, 3, r.describe())

    def test_no_txt_full_certificate(self):
        # SMIMEA carries the certificate: no TXT record is needed, and
        # its absence is no failure
        x, r = check("hugh@example.test")
        d = x["by_name"]
        self.assertEqual(self.results(x), {"txt-present": "info"},
                         r.describe())
        self.assertEqual(d["txt-present"]["message"], "no _smime TXT "
                         "record at hugh._smime.example.test: none is "
                         "needed, the SMIMEA record carries the "
                         "certificate")
        self.assertIsNone(x["url"])
        self.assertEqual(x["txt_query"], "hugh._smime.example.test")
        self.assertEqual(x["status"], "found")
        self.assertIs(x["ok"], True, r.describe())
        self.assertEqual(r.rc, 0, r.describe())

    def test_no_txt_hash_only(self):
        # hash records only and no TXT: nothing to discover either way
        x, r = check("hashonly@example.test")
        d = x["by_name"]
        self.assertEqual(self.results(x), {"txt-present": "info"},
                         r.describe())
        self.assertIn("senders find no certificate over HTTPS either",
                      d["txt-present"]["message"])
        self.assertEqual(d["usable"]["result"], "fail")
        self.assertTrue(any("3 0 0 record" in f and "--url" in f
                            for f in x["fixes"]), x["fixes"])
        self.assertIs(x["ok"], False)
        self.assertEqual(r.rc, 3, r.describe())

    def test_no_record_pkix_or_unverified(self):
        # no SMIMEA record: a CA-issued certificate is found by PKIX (a
        # warning: no DNSSEC binding), any other is unverified (failure)
        x, r = check("webpkix@example.test", config=TB.pkix_config)
        d = x["by_name"]
        self.assertEqual(x["status"], "found", r.describe())
        self.assertEqual(d["txt-certificate-matches"]["result"], "warn")
        self.assertIn("valid by PKIX for webpkix@example.test",
                      d["txt-certificate-matches"]["message"])
        self.assertEqual(d["record-present"]["result"], "warn")
        self.assertEqual(d["usable"]["result"], "pass")
        self.assertIs(x["ok"], True, r.describe())
        self.assertEqual(r.rc, 0, r.describe())
        x, r = check("webnone@example.test")
        d = x["by_name"]
        self.assertEqual(x["status"], "unverified", r.describe())
        self.assertEqual(d["txt-reachable"]["result"], "pass")
        self.assertEqual(d["txt-certificate-matches"]["result"], "fail")
        self.assertIn("no SMIMEA record vouches for the certificate",
                      d["txt-certificate-matches"]["message"])
        self.assertEqual(d["record-present"]["result"], "fail")
        self.assertIs(x["ok"], False)
        self.assertEqual(r.rc, 3, r.describe())

    def test_http_url(self):
        before = dict(HITS)
        x, r = check("webhttp@example.test")
        d = x["by_name"]
        self.assertEqual(d["txt-url"]["result"], "fail", r.describe())
        self.assertTrue(d["txt-url"]["message"].startswith(
            "url-not-https: "), d["txt-url"])
        self.assertEqual(d["txt-reachable"]["result"], "info")
        self.assertNotIn("txt-certificate-matches", d)
        self.assertIsNone(x["url"])
        self.assertIs(x["ok"], False)
        self.assertEqual(HITS, before)
        self.assertEqual(r.rc, 3, r.describe())

    def test_switched_off(self):
        before = dict(HITS)
        x, r = check("web@example.test", config=TB.nohttps_config)
        d = x["by_name"]
        self.assertEqual(d["txt-reachable"]["result"], "info")
        self.assertIn("HTTPS path is off", d["txt-reachable"]["message"])
        self.assertNotIn("txt-certificate-matches", d)
        self.assertEqual(HITS, before)
        # as a lookup with this configuration: hash record only
        self.assertEqual(x["status"], "unusable")
        self.assertEqual(r.rc, 3, r.describe())


if __name__ == "__main__":
    sys.exit(helpers.main(__name__))
