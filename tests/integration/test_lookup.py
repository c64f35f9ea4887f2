#!/usr/bin/python3
"""Integration tests: `dane-smime lookup` (CLI, --json and human output),
config file handling and exit codes, against a real NSD + validating
Unbound test bed (tests/testbed).

Run:  /usr/bin/python3 tests/integration/test_lookup.py
Binary: $DANE_SMIME or build/host/dane-smime.  Last line of stdout:
"N passed, N failed[, N skipped]"; exit status 1 on failure.
"""

import base64
import hashlib
import os
import sys
import time
import unittest

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import helpers  # noqa: E402
from helpers import (EXIT, ISO, HEX, SilentResolver,  # noqa: E402
                     run_cli, require_binary, scaled)

TB = None


def setUpModule():
    global TB
    require_binary()
    TB = helpers.start_testbed(scale=False)


def tearDownModule():
    if TB is not None:
        TB.stop()


def lookup(*addresses, config=None, args=(), env=None, timeout=30):
    return run_cli(list(args) + ["lookup", "--json"] + list(addresses),
                   config=config or TB.config_path, env=env, timeout=timeout)


class Base(unittest.TestCase):
    maxDiff = None

    def one(self, address, rc=None, status=None, dnssec=None, **kw):
        """Look up one address; check exit code, status, dnssec, framing."""
        r = lookup(address, **kw)
        try:
            res = r.by_address()
            done = r.done()
        except Exception as e:
            self.fail("bad JSON output (%s)\n%s" % (e, r.describe()))
        self.assertEqual(list(res), [address], r.describe())
        self.assertEqual(len(done), 1, r.describe())
        self.assertEqual(done[0].get("count"), 1, r.describe())
        self.assertIsNone(done[0].get("id"), r.describe())
        self.assertIs(r.objects()[-1], done[0], "done must come last")
        x = res[address]
        self.assertIsNone(x.get("id"), r.describe())
        if status is not None:
            self.assertEqual(x.get("status"), status, r.describe())
        if dnssec is not None:
            self.assertEqual(x.get("dnssec"), dnssec, r.describe())
        if rc is not None:
            self.assertEqual(r.rc, rc, r.describe())
        return x, r

    def check_cert(self, c, cert, r):
        """A JSON certificate object against a testbed Cert."""
        self.assertEqual(base64.b64decode(c["der"]), cert.der, r.describe())
        self.assertEqual(c["sha256"].lower(), cert.sha256, r.describe())
        self.assertEqual((c["usage"], c["selector"], c["matching"]),
                         (3, 0, 0))
        for k in ("subject", "issuer", "not_before", "not_after"):
            self.assertIsInstance(c.get(k), str, "%s missing\n%s"
                                  % (k, r.describe()))
        self.assertRegex(c["not_before"], ISO)
        self.assertRegex(c["not_after"], ISO)
        self.assertLess(c["not_before"], c["not_after"])
        for e in cert.emails:
            self.assertIn(e.lower(), [x.lower() for x in c["emails"]],
                          r.describe())


class TestSecure(Base):

    def test_found_hugh(self):
        a = "hugh@example.test"
        x, r = self.one(a, rc=EXIT["found"], status="found", dnssec="secure")
        self.assertEqual(x["query"].rstrip("."), TB.owner(a))
        self.assertTrue(x["query"].startswith(
            "c93f1e400f26708f98cb19d936620da35eec8f72e57f9eec01c1afd6."))
        self.assertIsInstance(x["ttl"], int)
        self.assertTrue(0 < x["ttl"] <= 300, x["ttl"])
        self.assertEqual(len(x["records"]), 1, r.describe())
        rec = x["records"][0]
        self.assertEqual((rec["usage"], rec["selector"], rec["matching"]),
                         (3, 0, 0))
        self.assertNotIn("data", rec, "full certificates carry no data")
        self.assertNotIn("problem", rec)
        self.assertNotIn("error", x)
        self.assertEqual(len(x["certificates"]), 1, r.describe())
        c = x["certificates"][0]
        self.check_cert(c, TB.cert(a), r)
        self.assertIn("hugh@example.test", c["subject"])

    def test_absent(self):
        x, r = self.one("absent@example.test", rc=EXIT["absent"],
                        status="absent", dnssec="secure")
        self.assertEqual(x.get("records", []), [])
        self.assertEqual(x.get("certificates", []), [])
        self.assertNotIn("error", x)

    def test_big_tc_then_tcp(self):
        a = "big@example.test"
        # the answer really is too big for UDP (dig sees TC)
        self.assertIn(" tc ", TB.dig(TB.owner(a), extra=["+ignore"]))
        x, r = self.one(a, rc=EXIT["found"], status="found", dnssec="secure")
        self.assertEqual(len(x["records"]), 2, r.describe())
        self.assertEqual(len(x["certificates"]), 2, r.describe())
        got = sorted(c["sha256"].lower() for c in x["certificates"])
        self.assertEqual(got, sorted(c.sha256 for c in TB.certs_for(a)))
        for c in x["certificates"]:
            der = base64.b64decode(c["der"])
            self.assertGreater(len(der), 1200)

    def test_utf8_local_part(self):
        a = "j\u00f6rg@example.test"
        x, r = self.one(a, rc=EXIT["found"], status="found", dnssec="secure")
        h = hashlib.sha256("j\u00f6rg".encode("utf-8")).hexdigest()[:56]
        self.assertEqual(x["query"].rstrip("."),
                         h + "._smimecert.example.test")
        self.assertEqual(len(x["certificates"]), 1, r.describe())
        c = x["certificates"][0]
        self.assertEqual(c["sha256"].lower(), TB.cert(a).sha256)
        # the only address is in a SmtpUTF8Mailbox otherName (RFC 9598)
        self.assertIn(a, c["emails"], r.describe())

    def test_idn_domain(self):
        a = "hugh@b\u00fccher.test"
        x, r = self.one(a, rc=EXIT["found"], status="found", dnssec="secure")
        self.assertEqual(x["address"], a)
        self.assertEqual(
            x["query"].rstrip("."),
            "c93f1e400f26708f98cb19d936620da35eec8f72e57f9eec01c1afd6"
            "._smimecert.xn--bcher-kva.test")
        self.assertEqual(x["certificates"][0]["sha256"].lower(),
                         TB.cert(a).sha256)

    def test_mixed_case_local_part(self):
        lo, _ = self.one("hugh@example.test", status="found")
        up, r = self.one("Hugh@example.test", rc=EXIT["found"],
                         status="found", dnssec="secure")
        self.assertNotEqual(lo["query"], up["query"])
        self.assertTrue(up["query"].startswith(
            "7063a398942ba5c6125429518d0608563f3974bb48013ddf58fb01d4."))
        self.assertEqual(up["certificates"][0]["sha256"].lower(),
                         TB.cert("Hugh@example.test").sha256)
        self.assertNotEqual(lo["certificates"][0]["sha256"],
                            up["certificates"][0]["sha256"])

    def test_multi(self):
        a = "multi@example.test"
        x, r = self.one(a, rc=EXIT["found"], status="found", dnssec="secure")
        cert = TB.cert(a)
        recs = {(q["usage"], q["selector"], q["matching"]): q
                for q in x["records"]}
        self.assertEqual(sorted(recs), [(3, 0, 0), (3, 0, 1), (3, 1, 1)],
                         r.describe())
        self.assertEqual(recs[(3, 1, 1)]["data"].lower(), cert.spki_sha256)
        self.assertEqual(recs[(3, 0, 1)]["data"].lower(), cert.sha256)
        self.assertRegex(recs[(3, 1, 1)]["data"], HEX)
        for q in x["records"]:
            self.assertNotIn("problem", q, r.describe())
        self.assertEqual(len(x["certificates"]), 1, r.describe())
        self.assertEqual(x["certificates"][0]["sha256"].lower(), cert.sha256)

    def test_hash_only_unusable(self):
        a = "hashonly@example.test"
        x, r = self.one(a, rc=EXIT["unusable"], status="unusable",
                        dnssec="secure")
        self.assertEqual(x.get("certificates", []), [])
        self.assertEqual(len(x["records"]), 1)
        q = x["records"][0]
        self.assertEqual((q["usage"], q["selector"], q["matching"]),
                         (3, 1, 1))
        self.assertEqual(q["data"].lower(), TB.cert(a).spki_sha256)

    def test_garbage_certificate(self):
        x, r = self.one("bad@example.test", rc=EXIT["unusable"],
                        status="unusable", dnssec="secure")
        self.assertEqual(x.get("certificates", []), [])
        self.assertEqual(len(x["records"]), 1, r.describe())
        self.assertEqual(x["records"][0].get("problem", {}).get("code"),
                         "bad-certificate", r.describe())
        self.assertIsInstance(x["records"][0]["problem"].get("message"), str)

    def test_unknown_usage(self):
        x, r = self.one("odd@example.test", rc=EXIT["unusable"],
                        status="unusable", dnssec="secure")
        self.assertEqual(len(x["records"]), 1, r.describe())
        self.assertEqual(x["records"][0]["usage"], 9)
        self.assertEqual(x["records"][0].get("problem", {}).get("code"),
                         "unknown-usage", r.describe())

    def test_cname(self):
        a = "cname@example.test"
        x, r = self.one(a, rc=EXIT["found"], status="found", dnssec="secure")
        self.assertEqual(len(x["certificates"]), 1, r.describe())
        self.assertEqual(x["certificates"][0]["sha256"].lower(),
                         TB.cert("hugh@example.test").sha256)


class TestInsecureBogus(Base):

    def test_unsigned_zone_insecure(self):
        x, r = self.one("hugh@unsigned.test", rc=EXIT["insecure"],
                        status="insecure", dnssec="insecure")
        self.assertNotEqual(x["dnssec"], "secure")

    def test_bogus_zone(self):
        a = "hugh@bogus.test"
        dig = TB.dig(TB.owner(a))
        self.assertIn("SERVFAIL", dig)
        x, r = self.one(a, rc=EXIT["bogus"], status="bogus", dnssec="bogus")
        self.assertEqual(x.get("certificates", []), [])
        # Unbound (ede: yes) sends an Extended DNS Error (RFC 8914):
        # 9 "DNSKEY Missing" when it validates, 6 "DNSSEC Bogus" from cache
        self.assertIn("ede", x, r.describe())
        self.assertIn(x["ede"].get("code"), (6, 9), r.describe())
        self.assertIsInstance(x["ede"].get("text", ""), str)

    def test_trust_ad_no(self):
        cfg = TB.write_config(extra={"trust_ad": "no"})
        x, r = self.one("hugh@example.test", config=cfg, rc=EXIT["insecure"],
                        status="insecure", dnssec="insecure")

    def test_trust_ad_yes(self):
        cfg = TB.write_config(extra={"trust_ad": "yes"})
        self.one("hugh@example.test", config=cfg, rc=EXIT["found"],
                 status="found", dnssec="secure")


class TestErrors(Base):

    def test_timeout_config(self):
        with SilentResolver() as s:
            cfg = TB.write_config(resolvers=[s.address],
                                  extra=[("timeout_ms", "300"),
                                         ("attempts", "1")])
            t = time.monotonic()
            x, r = self.one("hugh@example.test", config=cfg,
                            rc=EXIT["error"], status="error",
                            dnssec="indeterminate", timeout=20)
            wall = time.monotonic() - t
            self.assertEqual(x.get("error", {}).get("code"), "timeout",
                             r.describe())
            self.assertLess(wall, scaled(5.0), r.describe())
            self.assertGreater(s.udp_count + s.tcp_count, 0,
                               "no query reached the silent resolver")

    def test_timeout_flags(self):
        with SilentResolver() as s:
            cfg = TB.write_config(resolvers=[])
            t = time.monotonic()
            x, r = self.one("hugh@example.test", config=cfg,
                            args=["--resolver", s.address, "--timeout", "300",
                                  "--attempts", "1"],
                            rc=EXIT["error"], status="error",
                            dnssec="indeterminate", timeout=20)
            self.assertLess(time.monotonic() - t, scaled(5.0), r.describe())
            self.assertEqual(x.get("error", {}).get("code"), "timeout")

    BAD = ["not-an-address", "@example.test", "hugh@", "a" * 65
           + "@example.test", "hugh@exa mple.test", "hugh@@example.test"]

    def test_bad_addresses_mixed(self):
        good = ["hugh@example.test", "absent@example.test"]
        r = lookup(*(good[:1] + self.BAD + good[1:]))
        res = r.by_address()
        self.assertEqual(sorted(res), sorted(good + self.BAD), r.describe())
        self.assertEqual(r.done()[0]["count"], len(good) + len(self.BAD))
        for b in self.BAD:
            with self.subTest(address=b):
                self.assertEqual(res[b]["status"], "error", r.describe())
                self.assertEqual(res[b].get("error", {}).get("code"),
                                 "bad-address", r.describe())
                self.assertIsInstance(res[b]["error"].get("message"), str)
        self.assertEqual(res[good[0]]["status"], "found")
        self.assertEqual(res[good[1]]["status"], "absent")
        self.assertEqual(r.rc, EXIT["error"], r.describe())

    def test_bad_address_makes_no_query(self):
        with SilentResolver() as s:
            cfg = TB.write_config(resolvers=[s.address],
                                  extra=[("timeout_ms", "300"),
                                         ("attempts", "1")])
            r = lookup(*self.BAD, config=cfg, timeout=20)
            self.assertEqual(r.rc, EXIT["error"], r.describe())
            self.assertEqual(len(r.results()), len(self.BAD))
            time.sleep(0.2)
            self.assertEqual((s.udp_count, s.tcp_count), (0, 0),
                             "a bad address caused a DNS query")
            self.assertLess(r.wall, scaled(2.0), r.describe())

    def test_invalid_utf8_address(self):
        r = run_cli(["lookup", "--json", b"j\xf6rg@example.test"],
                    config=TB.config_path)
        self.assertEqual(r.rc, EXIT["error"], r.describe())
        res = r.results()       # output must still be valid UTF-8 JSON
        self.assertEqual(len(res), 1, r.describe())
        self.assertEqual(res[0]["status"], "error")
        self.assertEqual(res[0]["error"]["code"], "bad-address")


class TestExitCodes(Base):

    def test_worst_status_wins(self):
        cases = [
            (["hugh@example.test", "big@example.test"], "found"),
            (["hugh@example.test", "absent@example.test"], "absent"),
            (["absent@example.test", "hashonly@example.test",
              "hugh@example.test"], "unusable"),
            (["hashonly@example.test", "hugh@unsigned.test",
              "absent@example.test"], "insecure"),
            (["hugh@bogus.test", "hugh@unsigned.test", "hugh@example.test",
              "hashonly@example.test"], "bogus"),
            (["hugh@bogus.test", "not-an-address"], "error"),
        ]
        for addrs, worst in cases:
            with self.subTest(addresses=addrs):
                r = lookup(*addrs)
                self.assertEqual(r.rc, EXIT[worst], r.describe())
                self.assertEqual(sorted(r.by_address()), sorted(addrs))
                self.assertEqual(r.done()[0]["count"], len(addrs))

    def test_many_addresses_one_run(self):
        addrs = ["hugh@example.test", "Hugh@example.test",
                 "multi@example.test", "cname@example.test",
                 "big@example.test", "j\u00f6rg@example.test",
                 "hugh@b\u00fccher.test"] + ["nobody%d@example.test" % i
                                            for i in range(40)]
        r = lookup(*addrs)
        res = r.by_address()
        self.assertEqual(sorted(res), sorted(addrs), r.describe())
        for a in addrs:
            self.assertEqual(res[a]["status"],
                             "absent" if a.startswith("nobody") else "found",
                             a)
        self.assertEqual(r.rc, EXIT["absent"])

    def test_duplicate_address(self):
        r = lookup("hugh@example.test", "hugh@example.test")
        self.assertEqual(r.rc, EXIT["found"], r.describe())
        res = r.results()
        self.assertEqual(len(res), 2, r.describe())
        self.assertEqual(r.done()[0]["count"], 2)

    def test_usage_errors(self):
        for args in (["lookup"], ["--no-such-option", "lookup", "x@y.test"],
                     ["no-such-command"], ["--timeout", "abc", "lookup",
                                           "hugh@example.test"],
                     ["--resolver"]):
            with self.subTest(args=args):
                r = run_cli(args, config=TB.config_path)
                self.assertEqual(r.rc, EXIT["usage"], r.describe())
                self.assertEqual(r.out_bytes.count(b'"type":"result"'), 0)
                self.assertNotEqual(r.err.strip(), "", "no usage message")

    def test_no_arguments(self):
        r = run_cli([])
        self.assertEqual(r.rc, EXIT["usage"], r.describe())

    def test_help_and_version(self):
        r = run_cli(["--help"])
        self.assertEqual(r.rc, 0, r.describe())
        self.assertIn("lookup", r.out + r.err)
        r = run_cli(["--version"])
        self.assertEqual(r.rc, 0, r.describe())
        self.assertRegex(r.out, r"\d+\.\d+")


class TestConfig(Base):

    def write(self, text):
        p = os.path.join(TB.workdir, "cfg-%d.conf" % (time.monotonic_ns()))
        with open(p, "w", encoding="utf-8") as f:
            f.write(text)
        return p

    def test_comments_and_blank_lines(self):
        p = self.write("# a comment\n\nresolver = %s\n  # indented\n"
                       "timeout_ms = 2000\nattempts = 2\ntrust_ad = auto\n"
                       % TB.resolver)
        self.one("hugh@example.test", config=p, rc=0, status="found")

    def test_env_config(self):
        p = self.write("resolver = %s\n" % TB.resolver)
        r = run_cli(["lookup", "--json", "hugh@example.test"],
                    env={"DANE_SMIME_CONFIG": p})
        self.assertEqual(r.rc, 0, r.describe())
        self.assertEqual(r.results()[0]["status"], "found")

    def test_resolver_flag_without_config(self):
        empty = self.write("# nothing\n")
        r = run_cli(["--resolver", TB.resolver, "lookup", "--json",
                     "hugh@example.test"], env={"DANE_SMIME_CONFIG": empty})
        self.assertEqual(r.rc, 0, r.describe())
        self.assertEqual(r.results()[0]["status"], "found")

    def test_unknown_key(self):
        p = self.write("resolver = %s\n# two\nno_such_key = 1\n" % TB.resolver)
        r = run_cli(["lookup", "--json", "hugh@example.test"], config=p)
        self.assertEqual(r.rc, EXIT["config"], r.describe())
        self.assertIn(os.path.basename(p), r.err, r.describe())
        self.assertIn("3", r.err, "line number missing\n" + r.describe())
        self.assertEqual(r.results(), [])

    def test_bad_values(self):
        for line in ("timeout_ms = abc", "attempts = -1", "trust_ad = maybe",
                     "resolver = not-an-ip", "resolver = 127.0.0.1:99999",
                     "timeout_ms"):
            with self.subTest(line=line):
                p = self.write("resolver = %s\n%s\n" % (TB.resolver, line))
                r = run_cli(["lookup", "--json", "hugh@example.test"],
                            config=p)
                self.assertEqual(r.rc, EXIT["config"], r.describe())
                self.assertIn(os.path.basename(p), r.err, r.describe())
                self.assertIn("2", r.err, r.describe())

    def test_missing_config_file(self):
        r = run_cli(["lookup", "--json", "hugh@example.test"],
                    config=os.path.join(TB.workdir, "does-not-exist.conf"))
        self.assertEqual(r.rc, EXIT["config"], r.describe())

    def test_ipv6_bracket_syntax_accepted(self):
        # [::1]:port parses (nothing listens there: the query times out)
        p = self.write("resolver = [::1]:%d\ntimeout_ms = 200\n"
                       "attempts = 1\n" % TB.unbound_port)
        r = run_cli(["lookup", "--json", "hugh@example.test"], config=p,
                    timeout=20)
        self.assertNotIn(r.rc, (EXIT["config"], EXIT["usage"]), r.describe())
        self.assertGreaterEqual(r.rc, 0, "killed by a signal")


class TestDoctor(Base):

    def doctor(self, cfg, json_out=True, timeout=20):
        r = run_cli(["doctor"] + (["--json"] if json_out else []),
                    config=cfg, timeout=timeout)
        if not json_out:
            return None, r
        objs = r.objects()
        self.assertEqual(len(objs), 1, r.describe())
        self.assertEqual(objs[0].get("type"), "doctor", r.describe())
        return objs[0], r

    def test_doctor_ok(self):
        d, r = self.doctor(TB.config_path)
        self.assertEqual(r.rc, 0, r.describe())
        self.assertIs(d.get("ok"), True, r.describe())
        self.assertIs(d.get("trusted"), True, r.describe())
        self.assertEqual(d["probe"].get("name", "").rstrip("."),
                         TB.probe_name)
        self.assertIs(d["probe"].get("ad"), True, r.describe())
        self.assertIn(TB.resolver, [x.get("address")
                                    for x in d.get("resolvers", [])])

    def test_doctor_human(self):
        _, r = self.doctor(TB.config_path, json_out=False)
        self.assertEqual(r.rc, 0, r.describe())
        self.assertIn(TB.resolver, r.out, r.describe())

    def test_doctor_untrusted(self):
        d, r = self.doctor(TB.write_config(extra={"trust_ad": "no"}))
        self.assertIs(d.get("ok"), False, r.describe())
        self.assertIs(d.get("trusted"), False, r.describe())
        self.assertEqual(r.rc, EXIT["insecure"], r.describe())

    def test_doctor_unsigned_probe(self):
        cfg = TB.write_config(probe=False,
                              extra={"probe_name": "unsigned.test"})
        d, r = self.doctor(cfg)
        self.assertIs(d.get("ok"), False, r.describe())
        self.assertIs(d["probe"].get("ad"), False, r.describe())
        self.assertEqual(r.rc, EXIT["insecure"], r.describe())

    def test_doctor_silent_resolver(self):
        with SilentResolver() as s:
            cfg = TB.write_config(resolvers=[s.address],
                                  extra=[("timeout_ms", "300"),
                                         ("attempts", "1")])
            t = time.monotonic()
            d, r = self.doctor(cfg)
            self.assertLess(time.monotonic() - t, scaled(5.0))
            self.assertIs(d.get("ok"), False, r.describe())
            self.assertEqual(r.rc, EXIT["error"], r.describe())


class TestHuman(Base):

    def test_human_output(self):
        for a, rc in (("hugh@example.test", 0), ("absent@example.test", 2),
                      ("hugh@unsigned.test", 4), ("hugh@bogus.test", 5)):
            with self.subTest(address=a):
                r = run_cli(["lookup", a], config=TB.config_path)
                self.assertEqual(r.rc, rc, r.describe())
                self.assertIn(a, r.out, r.describe())
                self.assertNotIn('"type":', r.out)


if __name__ == "__main__":
    sys.exit(helpers.main(__name__))
