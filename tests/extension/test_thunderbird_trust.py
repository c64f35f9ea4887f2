#!/usr/bin/python3
"""Issue 13 in a real, headless Thunderbird: trust never wider than the
record proved, seen through Thunderbird's own eyes.

Uses the harness of test_thunderbird.py (Run, build_xpi, thunderbird) and
the test bed's attacker zone evil.test and victim zone bank.test.  The
add-on is packaged with an extra hook (TRUST_HOOK below, wrapping the
normal testhook.js) that, once every compose recipient is settled, makes
direct certdb Experiment calls and asks Thunderbird's own compose lookup
(findCertForEmail -> nsIMsgComposeSecure.asyncFindCertByEmailAddr) about
other addresses.

Scenarios:
- compose to the attacker's addresses (v1, v2, a second address in SAN,
  SmtpUTF8Mailbox or subject): nothing of theirs is imported, and
  Thunderbird finds nothing for the victims' addresses (victim@bank.test,
  boss@evil.test, jörg@bank.test, and ceo@bank.test whose certificate,
  issued by mallet's v1 key, waits in the store as a kept signer
  certificate would); a certificate both of whose addresses publish it
  (pair1/pair2) is trusted; hugh@example.test (3 0 0) is still added and
  found;
- a user's distrust (p,p,p, set with certutil before start) of
  multi@example.test's published certificate stays: refused has-trust,
  not found;
- the Experiment, called directly: ISRG Root X1's SHA-256 with a leaf's
  DER, the root itself, mallet's v1 and the v2 certificate, a trust
  string other than the host's: each refused with its code, and the root
  is never written into the profile;
- undo (deleteCertificate): what the add-on added is deleted, what it
  trusted has no trust again, what it never touched is refused;
- control: with the attacker's certificates trusted by hand (certutil
  ",C,"), Thunderbird does find the victims' addresses, so the first
  scenario's "nothing" means something.

Skips (exit 77) without thunderbird.  Standard library only.
"""

import base64
import hashlib
import json
import os
import ssl
import subprocess
import sys
import tempfile
import time
import unittest
import zipfile

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
import test_thunderbird as tt  # noqa: E402
from testbed import Testbed, host_binary  # noqa: E402

ISRG = "/usr/share/ca-certificates/mozilla/ISRG_Root_X1.crt"

# Wraps the normal hook (packaged as testhook_base.js).
TRUST_HOOK = r"""
import * as base from "./testhook_base.js";

// ASCII only: Thunderbird's stdout mangles other characters.
function out(event, data) {
  console.log("DANE-SMIME-TEST " + JSON.stringify({ event, ...data })
    .replace(/[\u0080-\uffff]/g, (c) =>
      "\\u" + c.charCodeAt(0).toString(16).padStart(4, "0")));
}

export async function run(config, m) {
  // The base hook reports every recipient (Thunderbird's lookup of each
  // included) and then "compose-done": only after that does this hook
  // act, so that its undo cannot race those lookups.
  const log = console.log;
  let baseDone = null;
  const composeDone = new Promise((resolve) => { baseDone = resolve; });
  console.log = (...args) => {
    log.apply(console, args);
    if (typeof args[0] === "string" &&
        args[0].startsWith("DANE-SMIME-TEST {\"event\":\"compose-done\""))
      baseDone();
  };
  await base.run(config, m);
  let started = false;
  async function after() {
    for (const c of config.calls || []) {
      let r;
      try {
        r = await browser.certdb.importCertificate(c.der, c.sha256, c.trust);
      } catch (e) {
        r = { error: String(e) };
      }
      out("call", { name: c.name, result: r });
    }
    for (const a of config.find || [])
      out("find", { address: a,
        result: await browser.certdb.findCertForEmail(a) });
    out("log", { log: await m.store.getLog() });
    for (const sha of config.undo || [])
      out("undo", { sha256: sha,
        result: await browser.certdb.deleteCertificate(sha) });
    for (const a of config.findAfterUndo || [])
      out("find-after-undo", { address: a,
        result: await browser.certdb.findCertForEmail(a) });
    out("trust-done", {});
  }
  function go() {
    if (started)
      return;
    started = true;
    after().catch((e) => out("error", { where: "trust-hook",
      message: String(e) }));
  }
  if (config.compose)
    composeDone.then(go);
  else
    go();
}
"""

RECIPIENTS = ["hugh@example.test", "mallet@evil.test", "v2@evil.test",
              "multi@evil.test", "same@evil.test", "utf8@evil.test",
              "subj@evil.test", "pair1@evil.test", "pair2@evil.test",
              "multi@example.test"]
VICTIMS = ["victim@bank.test", "boss@evil.test", "j\u00f6rg@bank.test",
           "ceo@bank.test"]


def swap_hook(xpi):
    """The package's testhook.js becomes testhook_base.js, TRUST_HOOK the
    new testhook.js."""
    tmp = xpi + ".new"
    with zipfile.ZipFile(xpi) as src, \
            zipfile.ZipFile(tmp, "w", zipfile.ZIP_DEFLATED) as dst:
        for item in src.infolist():
            data = src.read(item.filename)
            name = ("testhook_base.js" if item.filename == "testhook.js"
                    else item.filename)
            dst.writestr(name, data)
        dst.writestr("testhook.js", TRUST_HOOK)
    os.replace(tmp, xpi)


def certutil(*args):
    p = subprocess.run(["certutil"] + list(args), stdin=subprocess.DEVNULL,
                       stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
    if p.returncode != 0:
        raise AssertionError("certutil %s: %s" % (args, p.stdout.decode()))
    return p.stdout.decode("utf-8", "replace")


def isrg_der():
    with open(ISRG, encoding="ascii") as f:
        return ssl.PEM_cert_to_DER_cert(f.read())


class TrustTest(unittest.TestCase):
    tb = None

    @classmethod
    def setUpClass(cls):
        cls.tb = Testbed()
        cls.tb.start()
        cls.work = tempfile.mkdtemp(prefix="dane-smime-trust-")
        cls.ceo = cls.issue_by_mallet("ceo@bank.test")

    @classmethod
    def tearDownClass(cls):
        cls.tb.stop()
        subprocess.run(["rm", "-rf", cls.work])

    @classmethod
    def issue_by_mallet(cls, address):
        """A v3 e-mail end entity for address issued by mallet's v1
        certificate (mallet's key): valid to Thunderbird exactly when
        mallet's certificate is a trusted CA."""
        mallet = cls.tb.cert("mallet@evil.test")
        w = lambda n: os.path.join(cls.work, n)  # noqa: E731
        with open(w("ceo.ext"), "w") as f:
            f.write("basicConstraints=critical,CA:FALSE\n"
                    "keyUsage=critical,digitalSignature,keyEncipherment\n"
                    "extendedKeyUsage=emailProtection\n"
                    "subjectAltName=email:%s\n" % address)
        run = lambda *a: subprocess.run(  # noqa: E731
            ["openssl"] + list(a), check=True, stdout=subprocess.DEVNULL,
            stderr=subprocess.PIPE)
        run("genpkey", "-algorithm", "EC", "-pkeyopt",
            "ec_paramgen_curve:P-256", "-out", w("ceo.key"))
        run("req", "-new", "-key", w("ceo.key"), "-subj", "/CN=" + address,
            "-out", w("ceo.csr"))
        run("x509", "-req", "-in", w("ceo.csr"), "-CA", mallet.cert_path,
            "-CAkey", mallet.key_path, "-set_serial", "1313", "-days", "3650",
            "-sha256", "-extfile", w("ceo.ext"), "-out", w("ceo.pem"))
        return w("ceo.pem")

    def pem(self, address):
        path = os.path.join(self.work, address.replace("@", "_") + ".pem")
        with open(path, "w", encoding="ascii") as f:
            f.write(self.tb.cert_pem(address))
        return path

    def run_tb(self, hook, store):
        """Thunderbird with the trust hook; store: [(nickname, trust,
        pem path)] put into the profile with certutil before start."""
        # The permanent copy through the Experiment: an explicit choice
        # since issue 17 (off by default).
        r = tt.Run(self.tb, dict(hook, settings={"keepCopy": True}))
        self.addCleanup(r.stop)
        swap_hook(os.path.join(r.profile, "extensions",
                               tt.EXTENSION_ID + ".xpi"))
        db = "sql:" + r.profile
        certutil("-N", "-d", db, "--empty-password")
        for nick, trust, path in store:
            certutil("-A", "-d", db, "-n", nick, "-t", trust, "-i", path)
        r.start()
        return r

    def collect(self, r, count):
        """recipient-final events (by address; the base hook's, all
        before this hook acts), then this hook's calls, finds, log and
        undo, up to trust-done."""
        finals, calls, finds, log = {}, {}, {}, None
        self.undone, self.after_undo = {}, {}
        while True:
            ev = r.wait_for(lambda e: e["event"] in (
                "recipient-final", "call", "find", "log", "undo",
                "find-after-undo", "trust-done", "error"), "trust hook")
            self.assertNotEqual(ev["event"], "error", ev)
            if ev["event"] == "recipient-final":
                finals[ev["address"]] = ev
            elif ev["event"] == "call":
                calls[ev["name"]] = ev["result"]
            elif ev["event"] == "find":
                finds[ev["address"]] = ev["result"]
            elif ev["event"] == "log":
                log = ev["log"]
            elif ev["event"] == "undo":
                self.undone[ev["sha256"]] = ev["result"]
            elif ev["event"] == "find-after-undo":
                self.after_undo[ev["address"]] = ev["result"]
            else:
                break
        self.assertEqual(len(finals), count, finals)
        return finals, calls, finds, log

    def test_attacker_zone_and_user_distrust(self):
        tb = self.tb
        isrg = isrg_der()
        isrg_sha = hashlib.sha256(isrg).hexdigest()
        hugh = tb.cert("hugh@example.test")
        mallet = tb.cert("mallet@evil.test")
        v2 = tb.cert("v2@evil.test")
        multi = tb.cert("multi@example.test")
        pair = tb.cert("pair1@evil.test")
        calls = [
            dict(name="isrg-sha-leaf-der", der=hugh.b64, sha256=isrg_sha,
                 trust=",C,"),
            dict(name="isrg", der=base64.b64encode(isrg).decode(),
                 sha256=isrg_sha, trust=",C,"),
            dict(name="mallet", der=mallet.b64, sha256=mallet.sha256,
                 trust=",C,"),
            dict(name="v2", der=v2.b64, sha256=v2.sha256, trust=",C,"),
            dict(name="bad-trust", der=hugh.b64, sha256=hugh.sha256,
                 trust="CT,C,C"),
        ]
        r = self.run_tb({"compose": {"to": RECIPIENTS}, "calls": calls,
                         "find": VICTIMS + ["pair2@evil.test"],
                         # undo: what the add-on added, what it trusted,
                         # what it never touched
                         "undo": [hugh.sha256, pair.sha256, multi.sha256],
                         "findAfterUndo": ["pair1@evil.test"]}, [
            # the user's explicit distrust of multi@example.test's cert
            ("user distrusts multi", "p,p,p", self.pem("multi@example.test")),
            # kept without trust, as Thunderbird keeps signer certificates
            # (certutil -t ",," writes the certificate object alone, no
            # trust object: checked in cert9.db's nssPublic table)
            ("kept ceo", ",,", self.ceo),
            ("kept pair", ",,", self.pem("pair1@evil.test")),
        ])
        finals, called, finds, log = self.collect(r, len(RECIPIENTS))

        # hugh: a normal 3 0 0 recipient, added with ",C," and found.
        h = finals["hugh@example.test"]
        self.assertEqual(h["state"], "found", h)
        self.assertEqual([(i["action"], i["sha256"], i["trust"])
                          for i in h["imports"]],
                         [("added", hugh.sha256, ",C,")], h)
        self.assertTrue(h["thunderbird"]["found"], h)
        self.assertEqual(h["thunderbird"]["sha256"], hugh.sha256)

        # The attacker's own addresses: nothing imported, nothing found.
        for a in ("mallet@evil.test", "v2@evil.test", "multi@evil.test",
                  "same@evil.test", "utf8@evil.test", "subj@evil.test"):
            f = finals[a]
            self.assertEqual(f["imports"], [], f)
            self.assertFalse(f["usable"], f)
            self.assertFalse(f["thunderbird"] and f["thunderbird"]["found"],
                             f)

        # The victims: Thunderbird's own lookup finds nothing.
        for a in VICTIMS:
            self.assertEqual(finds.get(a), {"found": False}, (a, finds))

        # pair1/pair2 both publish their one certificate: trusted (it was
        # in the store without trust), then unchanged; found for both.
        p1, p2 = finals["pair1@evil.test"], finals["pair2@evil.test"]
        self.assertEqual(sorted((i["action"], i["trust"]) for i in
                                p1["imports"] + p2["imports"]),
                         [("trusted", ",C,"), ("unchanged", ",C,")],
                         (p1, p2))
        for f in (p1, p2):
            self.assertEqual(f["thunderbird"]["sha256"], pair.sha256, f)
        self.assertEqual(finds["pair2@evil.test"]["sha256"], pair.sha256)

        # The user's distrust stays: refused with has-trust, not found.
        m = finals["multi@example.test"]
        self.assertEqual([(i["action"], i["code"], i["sha256"])
                          for i in m["imports"]],
                         [("refused", "has-trust", multi.sha256)], m)
        self.assertFalse(m["thunderbird"]["found"], m)

        # Direct Experiment calls: each refused with its code.
        want = {"isrg-sha-leaf-der": "sha256-mismatch", "isrg": "built-in",
                "mallet": "version-1-certificate",
                "v2": "version-2-certificate", "bad-trust": "bad-trust"}
        for name, code in want.items():
            res = called[name]
            self.assertEqual((res.get("action"), res.get("code"),
                              res.get("trust")), ("refused", code, None),
                             (name, res))
            self.assertTrue(res.get("reason"), res)
        # After the calls ceo@bank.test is still not found (mallet's v1
        # certificate never became a CA).
        self.assertEqual(finds["ceo@bank.test"], {"found": False})

        # The import log shows every action, refusals with their code.
        entries = {(e["address"], e["sha256"]): e for e in log}
        e = entries[("multi@example.test", multi.sha256)]
        self.assertEqual((e["action"], e["code"], e["trust"], e["requested"],
                          e["method"]),
                         ("refused", "has-trust", None, ",C,", "experiment"))
        self.assertTrue(e["reason"])
        e = entries[("hugh@example.test", hugh.sha256)]
        self.assertEqual((e["action"], e["trust"], e["code"]),
                         ("added", ",C,", None))

        # Undo: the certificate it added is deleted, the one it trusted
        # has no trust again (Thunderbird no longer finds it), the user's
        # distrusted one is not the add-on's to touch.
        self.assertEqual(self.undone[hugh.sha256]["action"], "removed",
                         self.undone)
        self.assertEqual(self.undone[pair.sha256]["action"], "untrusted",
                         self.undone)
        self.assertEqual((self.undone[multi.sha256]["action"],
                          self.undone[multi.sha256]["code"]),
                         ("refused", "not-ours"), self.undone)
        self.assertEqual(self.after_undo["pair1@evil.test"],
                         {"found": False})
        with open(os.path.join(r.profile, "dane-smime-certdb.json")) as f:
            self.assertEqual(json.load(f)["certs"], {})

        r.proc.terminate()
        r.proc.wait(timeout=30)
        # What Thunderbird left in the profile, read with the system NSS:
        # the user's p,p,p record is as certutil wrote it, and no trust
        # for ISRG Root X1 was written (a root touched through the
        # store would be copied into cert9.db with its new trust).
        listing = certutil("-L", "-d", "sql:" + r.profile)
        line = [ln for ln in listing.splitlines()
                if ln.startswith("user distrusts multi")]
        self.assertEqual(len(line), 1, listing)
        self.assertTrue(line[0].rstrip().endswith("p,p,p"), listing)
        self.assertNotIn("ISRG", listing)
        # hugh's certificate, added and then undone, is gone; the kept
        # pair certificate is still there.
        self.assertNotIn("hugh@example.test", listing)
        self.assertIn("kept pair", listing)
        print("trust scenario: %.1f s" % (time.monotonic() - r.started),
              file=sys.stderr)

    def test_control_trusted_by_hand(self):
        """The same victims ARE found once the attacker's certificates
        carry ",C," (set with certutil here, which the add-on never does):
        the checks above can fail."""
        r = self.run_tb({"find": ["ceo@bank.test", "victim@bank.test",
                                  "boss@evil.test"]}, [
            ("mallet", ",C,", self.pem("mallet@evil.test")),
            ("kept ceo", ",,", self.ceo),
            ("multi", ",C,", self.pem("multi@evil.test")),
            ("same", ",C,", self.pem("same@evil.test")),
        ])
        _, _, finds, _ = self.collect(r, 0)
        for a in ("ceo@bank.test", "victim@bank.test", "boss@evil.test"):
            self.assertTrue(finds[a]["found"], (a, finds[a]))
        self.assertEqual(finds["victim@bank.test"]["sha256"],
                         self.tb.cert("multi@evil.test").sha256)


def main():
    if not tt.thunderbird():
        print("SKIP: thunderbird not installed", file=sys.stderr)
        return 77
    if not os.access(host_binary(), os.X_OK):
        print("host binary %s missing" % host_binary(), file=sys.stderr)
        return 1
    if tt.MODE != "build":
        print("SKIP: DANE_SMIME_TB_HOST=%s: this test uses the build's host"
              % tt.MODE, file=sys.stderr)
        return 77
    res = unittest.main(exit=False, verbosity=2).result
    failed = len(res.failures) + len(res.errors)
    print("%d passed, %d failed" % (res.testsRun - failed, failed))
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
