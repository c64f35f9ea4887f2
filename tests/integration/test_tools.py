#!/usr/bin/python3
"""Integration tests for the publisher and user tools of issue 3:
`record` (zone-file lines; loaded into a freshly signed zone and looked up
again), `check` (good and broken publications, wrong owner names, answer
size) and `import` (into fresh NSS databases, stored trust inspected with
certutil; --dry-run; CA certificates refused), over the CLI and native
messaging.

Names and certificates: tests/testbed/README.md (issue 3 section).

Run:  /usr/bin/python3 tests/integration/test_tools.py
Binary: $DANE_SMIME or build/host/dane-smime.  Last line of stdout:
"N passed, N failed[, N skipped]"; exit status 1 on failure.
"""

import base64
import hashlib
import os
import re
import subprocess
import sys
import tempfile
import unittest

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import helpers  # noqa: E402
from helpers import (EXIT, Native, Testbed, binary,  # noqa: E402
                     owner_name, require_binary, run_cli)

TB = None

CHECK_NAMES = {"record-present", "dnssec-secure", "records-well-formed",
               "no-duplicates", "answer-size", "tcp", "certificates-decode",
               "certificate-addresses", "usable", "matches-certificate",
               "wrong-name-sha256-full", "wrong-name-sha224",
               "wrong-name-plain",
               # the _smime TXT + HTTPS path (issue 18,
               # test_https_discovery.py)
               "txt-present", "txt-dnssec-secure", "txt-url",
               "txt-reachable", "txt-certificate-matches"}
RESULTS = {"pass", "fail", "warn", "info"}


def setUpModule():
    global TB
    require_binary()
    TB = helpers.start_testbed()


def tearDownModule():
    if TB is not None:
        TB.stop()


def cli(*args, nss=False, config=None, timeout=30, no_config=False):
    cfg = None if no_config else (
        config or (TB.nss_config_path if nss else TB.config_path))
    return run_cli(list(args), config=cfg, timeout=timeout)


def hexdata(text):
    """The hex digits after 'SMIMEA u s m' in a presentation record."""
    m = re.search(r"\bSMIMEA\s+(\d+)\s+(\d+)\s+(\d+)\s+(.*)$", text, re.S)
    if not m:
        raise AssertionError("no SMIMEA presentation in %r" % text)
    data = re.sub(r"[\s()]", "", m.group(4))
    return (int(m.group(1)), int(m.group(2)), int(m.group(3))), data.lower()


def certutil_list(db):
    """{nickname: trust} of an NSS DB via certutil -L."""
    p = subprocess.run(["certutil", "-L", "-d", db], stdout=subprocess.PIPE,
                       stderr=subprocess.PIPE, timeout=30)
    out = {}
    for line in p.stdout.decode("utf-8", "replace").splitlines()[4:]:
        line = line.rstrip()
        if line:
            nick, trust = line.rsplit(None, 1)
            out[nick.strip()] = trust
    return out


def certutil_der(db, nick):
    p = subprocess.run(["certutil", "-L", "-d", db, "-n", nick, "-r"],
                       stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                       timeout=30)
    return p.stdout if p.returncode == 0 else None


class Base(unittest.TestCase):
    maxDiff = None

    def objects(self, r, rtype):
        try:
            objs = r.objects()
        except Exception as e:
            self.fail("bad JSON output (%s)\n%s" % (e, r.describe()))
        return [o for o in objs if o.get("type") == rtype]


class TestRecord(Base):

    def record(self, *args, rc=0):
        r = cli("record", "--json", *args, no_config=True)
        self.assertEqual(r.rc, rc, r.describe())
        objs = self.objects(r, "record")
        self.assertEqual(len(objs), 1, r.describe())
        recs = objs[0].get("records")
        self.assertIsInstance(recs, list, r.describe())
        return recs, r

    def test_forms_hash_and_txt(self):
        # issue 18: the fields a provider's form asks for, the hash record
        # and the _smime TXT line for a certificate served over HTTPS
        cert = TB.certs["hugh"]
        url = "https://www.example.test/.well-known/smime/hugh.crt"
        recs, r = self.record(cert.cert_path, "--address",
                              "hugh@example.test", "--ttl", "3600",
                              "--url", url)
        x = recs[0]
        self.assertEqual(x["form"], {
            "host": owner_name("hugh@example.test")[:-len(".example.test")],
            "type": "SMIMEA", "usage": 3, "selector": 0, "matching_type": 0,
            "certificate_association_data": cert.der.hex(), "ttl": 3600},
            r.describe())
        usm, data = hexdata(x["hash_presentation"])
        self.assertEqual(usm, (3, 0, 1))
        self.assertEqual(data, hashlib.sha256(cert.der).hexdigest())
        self.assertEqual(x["txt"], {
            "owner": "hugh._smime.example.test",
            "presentation": 'hugh._smime.example.test. 3600 IN TXT "%s"'
                            % url}, r.describe())
        recs, r = self.record(cert.cert_path, "--address",
                              "hugh@example.test", "--url",
                              "http://www.example.test/hugh.crt")
        self.assertNotIn("txt", recs[0])
        self.assertIn("https", recs[0]["txt_warning"])

    def test_json_fields_default_300(self):
        cert = TB.certs["roundtrip"]
        recs, r = self.record(cert.cert_path)
        self.assertEqual([x["address"] for x in recs], cert.emails,
                         r.describe())
        for x in recs:
            with self.subTest(address=x["address"]):
                self.assertEqual(x["owner"].rstrip("."),
                                 owner_name(x["address"]))
                self.assertEqual(x["rdata_len"], 3 + len(cert.der))
                (usm, data) = hexdata(x["presentation"])
                self.assertEqual(usm, (3, 0, 0))
                self.assertEqual(data, cert.der.hex())
                self.assertTrue(x["presentation"].startswith(
                    owner_name(x["address"]) + ". "), x["presentation"])
                g = x["generic"]
                self.assertTrue(g.startswith(owner_name(x["address"]) + ". "),
                                g)
                m = re.search(r"\bIN\s+TYPE53\s+\\#\s+(\d+)\s+"
                              r"([0-9a-fA-F\s]+)$", g)
                self.assertIsNotNone(m, g)
                self.assertEqual(int(m.group(1)), 3 + len(cert.der))
                self.assertEqual(re.sub(r"\s", "", m.group(2)).lower(),
                                 "030000" + cert.der.hex())
                self.assertIsInstance(x["answer_estimate"], int)
                self.assertGreater(x["answer_estimate"], x["rdata_len"])
                self.assertIsInstance(x["fits_udp"], bool)

    def test_options(self):
        cert = TB.certs["roundtrip"]
        want = {
            (3, 1, 1): hashlib.sha256(cert.spki).hexdigest(),
            (3, 0, 1): hashlib.sha256(cert.der).hexdigest(),
            (3, 0, 2): hashlib.sha512(cert.der).hexdigest(),
            (1, 1, 0): cert.spki.hex(),
            (2, 1, 2): hashlib.sha512(cert.spki).hexdigest(),
            (0, 0, 0): cert.der.hex(),
        }
        for (u, s, m), data in want.items():
            with self.subTest(usage=u, selector=s, matching=m):
                recs, r = self.record(cert.cert_path, "--address",
                                      "spki@roundtrip.test", "--usage",
                                      str(u), "--selector", str(s),
                                      "--matching", str(m))
                self.assertEqual(len(recs), 1, r.describe())
                self.assertEqual(recs[0]["address"], "spki@roundtrip.test")
                self.assertEqual(hexdata(recs[0]["presentation"]),
                                 ((u, s, m), data), r.describe())
                self.assertEqual(recs[0]["rdata_len"], 3 + len(data) // 2)
                self.assertIn("\\# %d %02x%02x%02x" % (3 + len(data) // 2,
                                                        u, s, m),
                              recs[0]["generic"].lower())

    def test_ttl(self):
        recs, r = self.record(TB.certs["hugh"].cert_path, "--ttl", "600")
        self.assertRegex(recs[0]["presentation"], r"\. 600 IN SMIMEA ")
        self.assertRegex(recs[0]["generic"], r"\. 600 IN TYPE53 ")

    def test_der_input(self):
        recs, r = self.record(TB.der_path("hugh"))
        self.assertEqual(hexdata(recs[0]["presentation"])[1],
                         TB.certs["hugh"].der.hex())

    def test_utf8_address(self):
        a = "j\u00f6rg@example.test"
        recs, r = self.record(TB.certs["jorg"].cert_path)
        self.assertEqual([x["address"] for x in recs], [a], r.describe())
        self.assertEqual(recs[0]["owner"].rstrip("."), owner_name(a))

    def test_size_warning(self):
        recs, r = self.record(TB.certs["big1"].cert_path)
        self.assertIs(recs[0]["fits_udp"], False, r.describe())
        self.assertGreater(recs[0]["answer_estimate"], 1232)
        self.assertIsInstance(recs[0].get("warning"), str, r.describe())
        recs, r = self.record(TB.certs["hugh"].cert_path)
        self.assertIs(recs[0]["fits_udp"], True, r.describe())
        self.assertLessEqual(recs[0]["answer_estimate"], 1232)
        self.assertNotIn("warning", recs[0], r.describe())
        r = cli("record", TB.certs["big1"].cert_path, no_config=True)
        self.assertEqual(r.rc, 0, r.describe())
        self.assertIn("1232", r.out + r.err, r.describe())

    def test_human_format(self):
        cert = TB.certs["hugh"]
        r = cli("record", cert.cert_path, no_config=True)
        self.assertEqual(r.rc, 0, r.describe())
        lines = r.out.splitlines()
        self.assertTrue(lines[0].startswith(";"), r.describe())
        self.assertIn("hugh@example.test", lines[0])
        owner = owner_name("hugh@example.test") + "."
        # the record, its RFC 3597 form, and the hash record (issue 18)
        self.assertEqual(len([x for x in lines if x.startswith(owner)]), 3,
                         r.describe())
        self.assertIn("IN SMIMEA 3 0 0", r.out)
        self.assertIn("IN SMIMEA 3 0 1", r.out)
        self.assertIn("; in a DNS provider's form: Host ", r.out)
        self.assertIn("IN TYPE53 \\# %d " % (3 + len(cert.der)), r.out)

    def test_errors(self):
        garbage = os.path.join(TB.workdir, "not-a-cert.pem")
        with open(garbage, "w") as f:
            f.write("hello\n")
        for args, rc in (([garbage], 65),
                         ([os.path.join(TB.workdir, "missing.pem")], 66),
                         ([], 64),
                         ([TB.certs["hugh"].cert_path, "--usage", "x"], 64),
                         ([TB.certs["hugh"].cert_path, "--usage", "256"], 64),
                         ([TB.certs["hugh"].cert_path, "--matching", "-1"],
                          64),
                         ([TB.certs["hugh"].cert_path, "--no-such"], 64)):
            with self.subTest(args=args):
                r = cli("record", *args, no_config=True)
                self.assertEqual(r.rc, rc, r.describe())

    def test_round_trip(self):
        """`record` output in a freshly signed zone: lookups find the same
        certificate (RFC 8162 owner names, both RDATA forms)."""
        rt = TB.certs["roundtrip"]
        recs, r = self.record(rt.cert_path)
        by = {x["address"]: x for x in recs}
        lines = [by["pres@roundtrip.test"]["presentation"],
                 by["generic@roundtrip.test"]["generic"]]
        spki, r2 = self.record(rt.cert_path, "--address",
                               "spki@roundtrip.test", "--selector", "1",
                               "--matching", "1")
        lines.append(spki[0]["presentation"])
        # the whole human output, pasted as it is (comments, both forms)
        paste = cli("record", TB.certs["paste"].cert_path, "--ttl", "600",
                    no_config=True)
        self.assertEqual(paste.rc, 0, paste.describe())
        lines += paste.out.splitlines()
        try:
            tb2 = Testbed(certs_from=TB,
                          extra_zone_text={"roundtrip.test": lines})
            tb2.start()
        except Exception as e:
            self.fail("record output does not load into a zone: %s\n%s"
                      % (e, "\n".join(lines)))
        try:
            res = run_cli(["lookup", "--json", "pres@roundtrip.test",
                           "generic@roundtrip.test", "spki@roundtrip.test",
                           "paste@roundtrip.test"],
                          config=tb2.config_path).by_address()
            for a, name in (("pres@roundtrip.test", "roundtrip"),
                            ("generic@roundtrip.test", "roundtrip"),
                            ("paste@roundtrip.test", "paste")):
                with self.subTest(address=a):
                    x = res[a]
                    self.assertEqual(x["status"], "found", x)
                    self.assertEqual(x["dnssec"], "secure", x)
                    self.assertEqual(len(x["certificates"]), 1, x)
                    c = x["certificates"][0]
                    self.assertEqual(base64.b64decode(c["der"]),
                                     TB.certs[name].der)
                    self.assertIs(c.get("usable"), True, x)
            self.assertEqual(res["paste@roundtrip.test"]["ttl"] <= 600, True)
            x = res["spki@roundtrip.test"]
            self.assertEqual(x["status"], "unusable", x)
            v = run_cli(["verify", "--json", "spki@roundtrip.test",
                         rt.cert_path], config=tb2.config_path)
            self.assertEqual(v.rc, 0, v.describe())
            c = v.results()[0]["certificates"][0]
            self.assertEqual(c["match"], {"usage": 3, "selector": 1,
                                          "matching": 1, "record": 0,
                                          "depth": 0}, v.describe())
        finally:
            tb2.stop()

    def test_native(self):
        s = Native([binary(), "--config", TB.config_path, "native"])
        try:
            s.send({"type": "record", "id": "r1",
                    "certificate": TB.certs["roundtrip"].b64,
                    "address": "generic@roundtrip.test", "usage": 3,
                    "selector": 1, "matching": 2, "ttl": 3600})
            f = s.recv()
            self.assertEqual(f.get("type"), "record", f)
            self.assertEqual(f.get("id"), "r1", f)
            self.assertEqual(len(f["records"]), 1, f)
            x = f["records"][0]
            self.assertEqual(x["address"], "generic@roundtrip.test")
            self.assertEqual(hexdata(x["presentation"]), (
                (3, 1, 2),
                hashlib.sha512(TB.certs["roundtrip"].spki).hexdigest()))
            self.assertRegex(x["presentation"], r"\. 3600 IN SMIMEA ")
            s.send({"type": "record", "id": "r2", "certificate": "AAAA"})
            f = s.recv()
            self.assertIn(f.get("type"), ("error", "record"), f)
            self.assertEqual(f.get("id"), "r2", f)
            self.assertEqual(f.get("error", {}).get("code"),
                             "bad-certificate", f)
        finally:
            s.kill()


class TestCheck(Base):

    def check(self, address, certfile=None, ok=None, config=None):
        args = ["check", "--json", address] + ([certfile] if certfile
                                               else [])
        r = cli(*args, config=config)
        objs = self.objects(r, "check")
        self.assertEqual(len(objs), 1, r.describe())
        x = objs[0]
        self.assertEqual(x.get("address"), address, r.describe())
        for k in ("query", "dnssec", "status"):
            self.assertIsInstance(x.get(k), str, r.describe())
        self.assertIsInstance(x.get("ok"), bool, r.describe())
        self.assertIsInstance(x.get("fixes"), list, r.describe())
        checks = {}
        for c in x.get("checks", []):
            self.assertIn(c.get("name"), CHECK_NAMES, r.describe())
            self.assertIn(c.get("result"), RESULTS, r.describe())
            self.assertIsInstance(c.get("message"), str, r.describe())
            self.assertNotIn(c["name"], checks, "check twice\n"
                             + r.describe())
            checks[c["name"]] = c
        self.assertEqual(x["ok"], not any(c["result"] == "fail"
                                          for c in checks.values()),
                         r.describe())
        self.assertEqual(r.rc, 0 if x["ok"] else 3, r.describe())
        if ok is not None:
            self.assertIs(x["ok"], ok, r.describe())
        return x, checks, r

    def res(self, checks, name):
        return checks.get(name, {}).get("result")

    def test_good(self):
        x, ch, r = self.check("hugh@example.test", ok=True)
        for name in ("record-present", "dnssec-secure", "records-well-formed",
                     "no-duplicates", "answer-size", "tcp",
                     "certificates-decode", "certificate-addresses",
                     "wrong-name-sha224", "wrong-name-plain"):
            with self.subTest(check=name):
                self.assertEqual(self.res(ch, name), "pass", r.describe())
        # hugh's certificate also names cname@: the publisher is told that
        # it is usable only if that address publishes it too (issue 13)
        self.assertEqual(self.res(ch, "usable"), "warn", r.describe())
        self.assertIn("cname@example.test",
                      [c for c in x["checks"] if c["name"] == "usable"][0]
                      ["message"], r.describe())
        self.assertEqual(x["status"], "found")
        self.assertEqual(x["dnssec"], "secure")
        self.assertNotEqual(self.res(ch, "wrong-name-sha256-full"), "fail")
        self.assertEqual(x["fixes"], [], r.describe())

    def test_good_other_usages(self):
        for a, nss in (("dane-ta@example.test", False),
                       ("pkix@example.test", True),
                       ("rollover@example.test", False),
                       ("j\u00f6rg@example.test", False)):
            with self.subTest(address=a):
                self.check(a, ok=True,
                           config=TB.nss_config_path if nss else None)

    def test_matches_certificate(self):
        x, ch, r = self.check("hugh@example.test",
                              TB.certs["hugh"].cert_path, ok=True)
        self.assertEqual(self.res(ch, "matches-certificate"), "pass",
                         r.describe())
        x, ch, r = self.check("hugh@example.test",
                              TB.certs["Hugh"].cert_path, ok=False)
        self.assertEqual(self.res(ch, "matches-certificate"), "fail",
                         r.describe())
        # hash-only publication + the certificate: it matches
        x, ch, r = self.check("spki@example.test",
                              TB.certs["spki"].cert_path)
        self.assertEqual(self.res(ch, "matches-certificate"), "pass",
                         r.describe())

    def test_wrong_name_sha224(self):
        a = "wrongname@example.test"
        right = owner_name(a)
        wrong = "%s._smimecert.example.test" % hashlib.sha224(
            b"wrongname").hexdigest()
        x, ch, r = self.check(a, ok=False)
        self.assertEqual(self.res(ch, "record-present"), "fail", r.describe())
        self.assertEqual(self.res(ch, "wrong-name-sha224"), "fail",
                         r.describe())
        self.assertIn(right, ch["wrong-name-sha224"]["message"])
        self.assertIn(wrong, ch["wrong-name-sha224"]["message"])
        self.assertEqual(self.res(ch, "wrong-name-plain"), "pass")
        self.assertTrue(any(right in f for f in x["fixes"]), r.describe())

    def test_wrong_name_plain(self):
        a = "wrongplain@example.test"
        x, ch, r = self.check(a, ok=False)
        self.assertEqual(self.res(ch, "wrong-name-plain"), "fail",
                         r.describe())
        self.assertIn(owner_name(a), ch["wrong-name-plain"]["message"])
        self.assertIn("wrongplain._smimecert.example.test",
                      ch["wrong-name-plain"]["message"])
        self.assertEqual(self.res(ch, "wrong-name-sha224"), "pass")
        self.assertTrue(any(owner_name(a) in f for f in x["fixes"]))

    def test_absent(self):
        x, ch, r = self.check("absent@example.test", ok=False)
        self.assertEqual(self.res(ch, "record-present"), "fail")
        self.assertEqual(x["status"], "absent")
        self.assertTrue(x["fixes"], r.describe())

    def test_hash_only_not_usable(self):
        x, ch, r = self.check("hashonly@example.test", ok=False)
        self.assertEqual(self.res(ch, "usable"), "fail", r.describe())
        self.assertEqual(self.res(ch, "record-present"), "pass")
        self.assertTrue(x["fixes"], r.describe())

    def test_big_answer_warns(self):
        x, ch, r = self.check("big@example.test", ok=True)
        self.assertEqual(self.res(ch, "answer-size"), "warn", r.describe())
        self.assertIn("1232", ch["answer-size"]["message"])
        self.assertEqual(self.res(ch, "tcp"), "pass", r.describe())

    def test_duplicates(self):
        # dup@: 3 0 0 C and 1 0 0 C, the same certificate in full twice
        x, ch, r = self.check("dup@example.test")
        self.assertIn(self.res(ch, "no-duplicates"), ("warn", "fail"),
                      r.describe())
        # multi@: 3 0 0 + 3 1 1 + 3 0 1 of one certificate (digest
        # agility, RFC 7671 9) is not duplication
        x, ch, r = self.check("multi@example.test", ok=True)
        self.assertEqual(self.res(ch, "no-duplicates"), "pass", r.describe())

    def test_broken_certificates(self):
        x, ch, r = self.check("bad@example.test", ok=False)
        self.assertEqual(self.res(ch, "certificates-decode"), "fail",
                         r.describe())
        x, ch, r = self.check("wrongaddr@example.test", ok=False)
        self.assertEqual(self.res(ch, "certificate-addresses"), "fail",
                         r.describe())
        self.assertEqual(self.res(ch, "usable"), "fail", r.describe())
        x, ch, r = self.check("expired@example.test", ok=False)
        self.assertEqual(self.res(ch, "usable"), "fail", r.describe())
        x, ch, r = self.check("odd@example.test", ok=False)
        self.assertIn(self.res(ch, "records-well-formed"), ("fail", "warn"),
                      r.describe())

    def test_insecure_and_bogus(self):
        x, ch, r = self.check("hugh@unsigned.test", ok=False)
        self.assertEqual(self.res(ch, "dnssec-secure"), "fail", r.describe())
        x, ch, r = self.check("hugh@bogus.test", ok=False)
        self.assertEqual(self.res(ch, "dnssec-secure"), "fail", r.describe())

    def test_human(self):
        r = cli("check", "wrongname@example.test")
        self.assertEqual(r.rc, 3, r.describe())
        self.assertIn(owner_name("wrongname@example.test"), r.out)
        self.assertIn("wrong-name-sha224", r.out)
        r = cli("check", "hugh@example.test")
        self.assertEqual(r.rc, 0, r.describe())

    def test_usage(self):
        for args in ([], ["a@example.test", "x", "y"]):
            with self.subTest(args=args):
                r = cli("check", *args)
                self.assertEqual(r.rc, EXIT["usage"], r.describe())

    def test_native(self):
        s = Native([binary(), "--config", TB.config_path, "native"])
        try:
            s.send({"type": "check", "id": 1,
                    "address": "wrongname@example.test"})
            f = s.recv()
            self.assertEqual(f.get("type"), "check", f)
            self.assertEqual(f.get("id"), 1, f)
            self.assertIs(f.get("ok"), False, f)
            s.send({"type": "check", "id": 2, "address": "hugh@example.test",
                    "certificate": TB.certs["hugh"].b64})
            f = s.recv()
            self.assertIs(f.get("ok"), True, f)
            self.assertIn("matches-certificate",
                          [c["name"] for c in f["checks"]])
        finally:
            s.kill()


class TestImport(Base):

    def setUp(self):
        self.tmp = tempfile.mkdtemp(prefix="import-", dir=TB.workdir)
        self.db = "sql:" + self.tmp

    def fresh_certutil_db(self):
        subprocess.run(["certutil", "-N", "--empty-password", "-d", self.db],
                       check=True, stdout=subprocess.DEVNULL,
                       stderr=subprocess.DEVNULL)

    def imp(self, *addresses, dry=False, nss=False, rc=None):
        args = ["import", "--json", "--db", self.db] + (
            ["--dry-run"] if dry else []) + list(addresses)
        r = cli(*args, nss=nss)
        objs = self.objects(r, "import")
        self.assertEqual(sorted(o.get("address") for o in objs),
                         sorted(addresses), r.describe())
        done = self.objects(r, "done")
        self.assertEqual(len(done), 1, r.describe())
        self.assertEqual(done[0].get("count"), len(addresses))
        if rc is not None:
            self.assertEqual(r.rc, rc, r.describe())
        for o in objs:
            self.assertIsInstance(o.get("changes"), list, r.describe())
            self.assertIsInstance(o.get("refused", []), list, r.describe())
            for c in o["changes"]:
                self.assertIn(c.get("action"), ("added", "unchanged",
                                                "would-add"), r.describe())
                self.assertIn(c.get("trust"), (",,", ",C,"), r.describe())
                self.assertRegex(c.get("sha256", ""), "^[0-9a-f]{64}$")
                # "dane-smime <first e-mail of the certificate> (8 hex)";
                # no ":" since NSS reads "token:nickname"
                self.assertRegex(c.get("nickname", ""),
                                 r"^dane-smime:? [^ @]+@[^ ]+ \(%s\)$"
                                 % c["sha256"][:8])
        return {o["address"]: o for o in objs}, r

    def stored(self, change):
        """(trust, DER) of a change as certutil sees it."""
        lst = certutil_list(self.db)
        return lst.get(change["nickname"]), certutil_der(self.db,
                                                         change["nickname"])

    def test_dane_ee_into_empty_dir(self):
        res, r = self.imp("hugh@example.test", rc=0)
        x = res["hugh@example.test"]
        self.assertEqual(x["status"], "found")
        self.assertEqual(len(x["changes"]), 1, r.describe())
        c = x["changes"][0]
        self.assertEqual(c["action"], "added", r.describe())
        self.assertEqual(c["trust"], ",C,")
        self.assertEqual(c["sha256"], TB.certs["hugh"].sha256)
        trust, der = self.stored(c)
        self.assertEqual(trust, ",C,", certutil_list(self.db))
        self.assertEqual(der, TB.certs["hugh"].der)
        # again: unchanged, nothing added
        res, r = self.imp("hugh@example.test", rc=0)
        c2 = res["hugh@example.test"]["changes"][0]
        self.assertEqual(c2["action"], "unchanged", r.describe())
        self.assertEqual(len(certutil_list(self.db)), 1)

    def test_pkix_no_trust_flags(self):
        self.fresh_certutil_db()
        res, r = self.imp("pkix@example.test", nss=True, rc=0)
        c = res["pkix@example.test"]["changes"][0]
        self.assertEqual(c["trust"], ",,", r.describe())
        self.assertEqual(c["sha256"], TB.certs["leaf"].sha256)
        trust, der = self.stored(c)
        self.assertEqual(trust, ",,", certutil_list(self.db))
        self.assertEqual(der, TB.certs["leaf"].der)
        # the CA is not copied along, and the nss_db is not touched
        self.assertEqual(len(certutil_list(self.db)), 1,
                         certutil_list(self.db))
        self.assertEqual(sorted(certutil_list(TB.nss_db)),
                         ["testca", "testca2"])

    def test_dane_ta_end_entity_only(self):
        self.fresh_certutil_db()
        # leaf also names pkix@ and pkixta@, whose records need its CA
        # trusted: without nss_db no trust for anyone (issue 13) ...
        res, r = self.imp("dane-ta@example.test", rc=EXIT["unusable"])
        x = res["dane-ta@example.test"]
        self.assertEqual(x["changes"], [], r.describe())
        self.assertIn(TB.certs["leaf"].sha256,
                      [f["sha256"] for f in x["refused"]], r.describe())
        self.assertEqual(certutil_list(self.db), {})
        # ... with its CA trusted it is stored, without trust flags; the
        # CA of the 2 0 0 record never is
        res, r = self.imp("dane-ta@example.test", nss=True, rc=0)
        x = res["dane-ta@example.test"]
        self.assertEqual([c["sha256"] for c in x["changes"]],
                         [TB.certs["leaf"].sha256], r.describe())
        self.assertEqual(x["changes"][0]["trust"], ",,")
        lst = certutil_list(self.db)
        self.assertEqual(list(lst.values()), [",,"], lst)

    def test_ca_only_refused(self):
        self.fresh_certutil_db()
        for a in ("ta-only@example.test", "ca@example.test"):
            with self.subTest(address=a):
                res, r = self.imp(a, rc=EXIT["unusable"])
                x = res[a]
                self.assertEqual(x["changes"], [], r.describe())
                self.assertEqual(certutil_list(self.db), {}, r.describe())
        self.assertIn(TB.certs["ca"].sha256,
                      [f.get("sha256") for f in x.get("refused", [])],
                      r.describe())
        self.assertIsInstance(x["refused"][0].get("reason"), str)

    def test_unusable_insecure_absent(self):
        self.fresh_certutil_db()
        for a, st in (("hashonly@example.test", "unusable"),
                      ("hugh@unsigned.test", "insecure"),
                      ("absent@example.test", "absent"),
                      ("hugh@bogus.test", "bogus"),
                      ("expired@example.test", "unusable"),
                      ("pkix@example.test", "unusable")):  # no nss_db
            with self.subTest(address=a):
                res, r = self.imp(a, rc=EXIT[st])
                self.assertEqual(res[a]["status"], st, r.describe())
                self.assertEqual(res[a]["changes"], [], r.describe())
        self.assertEqual(certutil_list(self.db), {})

    def test_dry_run_writes_nothing(self):
        self.fresh_certutil_db()
        before = {f: os.stat(os.path.join(self.tmp, f)).st_mtime_ns
                  for f in os.listdir(self.tmp)}
        res, r = self.imp("hugh@example.test", "rollover@example.test",
                          dry=True, rc=0)
        for a in res:
            for c in res[a]["changes"]:
                self.assertEqual(c["action"], "would-add", r.describe())
        self.assertEqual(len(res["rollover@example.test"]["changes"]), 2)
        self.assertEqual(certutil_list(self.db), {})
        after = {f: os.stat(os.path.join(self.tmp, f)).st_mtime_ns
                 for f in os.listdir(self.tmp)}
        self.assertEqual(before, after, "dry run modified the database")

    def test_dry_run_empty_dir_creates_nothing(self):
        res, r = self.imp("hugh@example.test", dry=True, rc=0)
        self.assertEqual(res["hugh@example.test"]["changes"][0]["action"],
                         "would-add")
        self.assertEqual(os.listdir(self.tmp), [], r.describe())

    def test_several_addresses_worst_exit(self):
        res, r = self.imp("hugh@example.test", "absent@example.test",
                          "j\u00f6rg@example.test", rc=EXIT["absent"])
        self.assertEqual(len(certutil_list(self.db)), 2)

    def test_human_prints_undo(self):
        r = cli("import", "--db", self.db, "hugh@example.test")
        self.assertEqual(r.rc, 0, r.describe())
        nick = list(certutil_list(self.db))[0]
        self.assertIn("certutil -D -d %s -n" % self.db, r.out, r.describe())
        self.assertIn(nick, r.out, r.describe())
        self.assertIn(",C,", r.out)

    def test_usage_errors(self):
        for args in (["import", "hugh@example.test"],
                     ["import", "--db", self.db],
                     ["import", "--db"]):
            with self.subTest(args=args):
                r = cli(*args)
                self.assertEqual(r.rc, EXIT["usage"], r.describe())

    def test_bad_db(self):
        p = os.path.join(self.tmp, "file")
        with open(p, "w") as f:
            f.write("x")
        r = cli("import", "--json", "--db", "sql:" + p, "hugh@example.test")
        self.assertNotEqual(r.rc, 0, r.describe())
        self.assertGreater(r.rc, 0, "killed by a signal\n" + r.describe())

    def test_native(self):
        s = Native([binary(), "--config", TB.config_path, "native"])
        try:
            s.send({"type": "import", "id": "i1", "db": self.db,
                    "addresses": ["hugh@example.test", "ca@example.test"],
                    "dry_run": False})
            frames = s.recv_until_done("i1")
            by = {f["address"]: f for f in frames
                  if f.get("type") == "import"}
            self.assertEqual(sorted(by), ["ca@example.test",
                                          "hugh@example.test"], frames)
            self.assertEqual(by["hugh@example.test"]["changes"][0]["action"],
                             "added", frames)
            self.assertEqual(by["ca@example.test"]["changes"], [], frames)
            self.assertEqual(frames[-1], {"type": "done", "id": "i1",
                                          "count": 2})
            self.assertEqual(list(certutil_list(self.db).values()), [",C,"])
        finally:
            s.kill()


if __name__ == "__main__":
    sys.exit(helpers.main(__name__))
