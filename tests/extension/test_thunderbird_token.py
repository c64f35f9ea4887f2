#!/usr/bin/python3
"""The live DANE token (issue 17) in a real, headless Thunderbird 153:
what its compose lookup (findCertForEmail ->
nsIMsgComposeSecure.asyncFindCertByEmailAddr, mozilla::pkix over all
tokens) finds when the only copy of a certificate is on the token.

The module is added to the profile's NSS database with modutil before
start (what the add-on's pkcs11.installModule will do); the token cache
is written here, in the format of host/token/tokencache.h, into the
XDG_RUNTIME_DIR Thunderbird runs with. No compose window is opened, so
the host writes nothing and the token serves exactly that file.

- served with ",C," and a v3 end entity (the test bed's hugh@example.test,
  the fixtures' legacy@example.test with its address only in the
  subject): found, and nothing is written into cert9.db;
- served without trust (",," self-signed), a CA marked ",C,", the leaf
  that CA issued (",,"), a v1 certificate marked ",C," (mallet@evil.test):
  not found;
- the same cache made writable by others: the token serves nothing, not
  even hugh@example.test.

Uses the harness of test_thunderbird.py and the hook of
test_thunderbird_trust.py (which calls the certdb Experiment: the control
that its "loaded" line reaches stdout).

The add-on's side (class AddonToken): the add-on, its default settings
(no permanent copy), the module NOT installed in the profile, its pkcs11
manifest in HOME, the host writing the cache from the add-on's lookups.
A test-only Experiment "testprobe" (TESTPROBE_* below, packaged only
here) asks Thunderbird's own compose lookup and sets a user's distrust
through nsIX509CertDB, so that the add-on's certdb Experiment is never
called:
- the add-on installs the module (pkcs11 state; pkcs11.txt names it);
- a compose window to hugh@example.test (3 0 0, its record at a 30 s TTL
  here), sent with encryption required (sendLater): the queued message
  decrypts with hugh's key; v1 (mallet@), multi-address (multi@, same@)
  attacker certificates and their victims are never found; cert9.db gets
  no new certificate; the certdb Experiment is never loaded;
- the record is withdrawn (zone re-signed without it, NSD and Unbound
  restarted: an empty validator cache), the add-on's re-check runs (the
  test hook calls it every 4 s, as the alarm would every 15 minutes),
  the host drops hugh from the cache, and within a minute a NEW compose
  window can no longer send encrypted to hugh (Thunderbird's lookup finds
  nothing, the send does not go out);
- a certificate the user distrusts in the profile (p,p,p set with
  Thunderbird's own nsIX509CertDB before the lookup) is not found.

Skips (77) without thunderbird, modutil or the module.  Usage:
test_thunderbird_token.py MODULE.so
"""

import base64
import glob
import json
import os
import shutil
import signal
import struct
import subprocess
import sys
import tempfile
import time
import unittest
import zipfile

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
import test_thunderbird as tt  # noqa: E402
import test_thunderbird_trust as ttt  # noqa: E402
from testbed import testbed as testbed_mod  # noqa: E402
from testbed import Testbed, owner_name  # noqa: E402

MODULE = None
FIXTURES = os.path.join(HERE, "..", "fixtures", "certs")
FOUND = ["hugh@example.test", "legacy@example.test"]
NOT_FOUND = ["ec@example.test", "ca@example.test", "leaf@example.test",
             "mallet@evil.test"]


def cache_image(entries):
    """Version 1 of host/token/tokencache.h: (address, der, trust)."""
    expires = int(time.time()) + 3600
    out = b"DSTC" + struct.pack(">HHI", 1, 0, len(entries))
    for addr, der, trust in entries:
        a = addr.encode()
        out += struct.pack(">BBHIII", 1 if trust == ",C," else 0, 0,
                           len(a), expires >> 32, expires & 0xffffffff,
                           len(der)) + a + der
    return out


def fixture(name):
    with open(os.path.join(FIXTURES, name), "rb") as f:
        return f.read()


class Token(unittest.TestCase):

    @classmethod
    def setUpClass(cls):
        cls.tb = Testbed()
        cls.tb.start()
        cls.run_dir = tempfile.mkdtemp(prefix="dane-smime-token-run.")
        os.chmod(cls.run_dir, 0o700)
        os.mkdir(os.path.join(cls.run_dir, "dane-smime"), 0o700)
        cls.cache = os.path.join(cls.run_dir, "dane-smime", "tokens.cache")
        cls.old_xdg = os.environ.get("XDG_RUNTIME_DIR")
        os.environ["XDG_RUNTIME_DIR"] = cls.run_dir
        with open(cls.cache, "wb") as f:
            f.write(cache_image([
                ("hugh@example.test", cls.tb.cert("hugh@example.test").der,
                 ",C,"),
                ("legacy@example.test", fixture("legacy.der"), ",C,"),
                ("ec@example.test", fixture("ec.der"), ",,"),
                ("ca@example.test", fixture("ca.der"), ",C,"),
                ("leaf@example.test", fixture("leaf.der"), ",,"),
                ("mallet@evil.test", cls.tb.cert("mallet@evil.test").der,
                 ",C,"),
            ]))
        os.chmod(cls.cache, 0o600)

    @classmethod
    def tearDownClass(cls):
        cls.tb.stop()
        if cls.old_xdg is None:
            os.environ.pop("XDG_RUNTIME_DIR", None)
        else:
            os.environ["XDG_RUNTIME_DIR"] = cls.old_xdg
        shutil.rmtree(cls.run_dir, ignore_errors=True)

    def finds(self):
        """Thunderbird with the token; {address: findCertForEmail}."""
        r = tt.Run(self.tb, {"find": FOUND + NOT_FOUND})
        self.addCleanup(r.stop)
        r.runtime_dir = self.run_dir   # the cache written here
        # Only the module modutil adds below (not the add-on's as well).
        shutil.rmtree(os.path.join(r.home, ".mozilla", "pkcs11-modules"),
                      ignore_errors=True)
        ttt.swap_hook(os.path.join(r.profile, "extensions",
                                   tt.EXTENSION_ID + ".xpi"))
        db = "sql:" + r.profile
        ttt.certutil("-N", "-d", db, "--empty-password")
        p = subprocess.run(["modutil", "-force", "-add", "DANE S/MIME",
                            "-libfile", MODULE, "-dbdir", db],
                           capture_output=True, text=True, timeout=60)
        self.assertEqual(p.returncode, 0, p.stdout + p.stderr)
        r.start()
        got = {}
        while True:
            ev = r.wait_for(lambda e: e["event"] in (
                "find", "trust-done", "error"), "token hook")
            self.assertNotEqual(ev["event"], "error", ev)
            if ev["event"] == "trust-done":
                break
            got[ev["address"]] = ev["result"]
        # Thunderbird ends (r.stop also removes the profile) before the
        # profile's own store is listed.
        r.proc.send_signal(signal.SIGTERM)
        r.proc.wait(timeout=30)
        listed = subprocess.run(["certutil", "-L", "-d", db],
                                capture_output=True, text=True, timeout=60)
        # This hook calls the certdb Experiment directly: its "loaded"
        # line (the control of AddonToken's "never loaded").
        self.loaded = [ln for ln in r.lines if LOADED in ln]
        r.stop()
        return got, listed

    def test_1_served(self):
        got, listed = self.finds()
        hugh = self.tb.cert("hugh@example.test")
        self.assertTrue(got["hugh@example.test"]["found"], got)
        self.assertEqual(got["hugh@example.test"]["sha256"], hugh.sha256)
        self.assertTrue(got["legacy@example.test"]["found"], got)
        for a in NOT_FOUND:
            self.assertFalse(got[a]["found"], (a, got[a]))
        # The token's certificates stay on the token: the profile's own
        # store (certutil -L without -h all) holds no certificate.
        self.assertEqual(listed.returncode, 0, listed.stderr)
        self.assertIn("Certificate Nickname", listed.stdout)
        own = [ln for ln in listed.stdout.splitlines()[4:] if ln.strip()]
        self.assertEqual(own, [], listed.stdout)
        self.assertEqual(len(self.loaded), 1, self.loaded)

    def test_2_refused_cache(self):
        os.chmod(self.cache, 0o666)
        try:
            got, _ = self.finds()
        finally:
            os.chmod(self.cache, 0o600)
        for a in FOUND + NOT_FOUND:
            self.assertFalse(got[a]["found"], (a, got[a]))


# --- the add-on's side -----------------------------------------------------

HUGH = "hugh@example.test"
SHORT_TTL = 30          # hugh's record here: the host caches answers this long
ATTACKERS = ["mallet@evil.test", "multi@evil.test", "same@evil.test"]
VICTIMS = ["victim@bank.test", "boss@evil.test"]
LOADED = "dane-smime: certdb Experiment loaded"


class LiveTestbed(Testbed):
    """The test bed with hugh@example.test's record at a short TTL (the
    host's own cache keeps an answer that long: a withdrawal is seen by
    the first re-check after it), and withdraw()."""

    def _make_zones(self):
        super()._make_zones()
        z = self.zones["example.test"]
        owner = owner_name(HUGH) + ". %d IN " % testbed_mod.TTL
        hits = [i for i, ln in enumerate(z.lines) if ln.startswith(owner)]
        assert len(hits) == 1, hits
        z.lines[hits[0]] = z.lines[hits[0]].replace(
            " %d IN " % testbed_mod.TTL, " %d IN " % SHORT_TTL, 1)
        with open(os.path.join(self.workdir, "zones", "example.test.zone"),
                  "w", encoding="ascii") as f:
            f.write(z.text())

    def withdraw(self, address):
        """Removes address's SMIMEA record: example.test re-signed with its
        keys, NSD and Unbound restarted on their ports (Unbound's cache
        starts empty). Returns the seconds it took."""
        t0 = time.monotonic()
        zname = address.rpartition("@")[2]
        z = self.zones[zname]
        owner = owner_name(address) + ". "
        before = len(z.lines)
        z.lines = [ln for ln in z.lines if not ln.startswith(owner)]
        assert len(z.lines) == before - 1, "no record of %s" % address
        d = os.path.join(self.workdir, "zones")
        with open(os.path.join(d, zname + ".zone"), "w",
                  encoding="ascii") as f:
            f.write(z.text())
        ksk = zsk = None
        for key in glob.glob(os.path.join(d, "K%s.+*.key" % zname)):
            with open(key, encoding="ascii") as f:
                flags = [ln.split()[3] for ln in f
                         if " DNSKEY " in ln or "\tDNSKEY\t" in ln][0]
            name = os.path.basename(key)[:-4]
            if flags == "257":
                ksk = name
            else:
                zsk = name
        subprocess.run(["ldns-signzone", "-e", testbed_mod.EXPIRY, "-f",
                        zname + ".zone.signed", zname + ".zone", zsk, ksk],
                       cwd=d, check=True, stdout=subprocess.DEVNULL)
        for name, conf in (("nsd", ["nsd", "-d", "-c", "nsd.conf"]),
                           ("unbound", ["unbound", "-d", "-c",
                                        "unbound.conf"])):
            testbed_mod._terminate(self._procs[name][0])
            self._spawn(name, [conf[0], conf[1], conf[2],
                               os.path.join(self.workdir, conf[3])])
        deadline = time.monotonic() + testbed_mod.START_TIMEOUT
        self._wait_for("nsd", self.auth, zname, deadline, want_ad=False)
        self._wait_for("unbound", self.resolver, zname, deadline,
                       want_ad=True)
        return time.monotonic() - t0


TESTPROBE_SCHEMA = [{
    "namespace": "testprobe",
    "functions": [
        {"name": "findCert", "type": "function", "async": True,
         "parameters": [{"name": "email", "type": "string"}]},
        {"name": "distrust", "type": "function", "async": True,
         "parameters": [{"name": "der", "type": "string"}]},
    ],
}]

# Test-only privileged code: Thunderbird's compose lookup, and a user's
# distrust set the way Certificate Manager's "Edit Trust" does.
TESTPROBE_IMPL = r"""
"use strict";
/* global ChromeUtils, Cc, Ci */
var { ExtensionCommon } = ChromeUtils.importESModule(
  "resource://gre/modules/ExtensionCommon.sys.mjs");
function db() {
  return Cc["@mozilla.org/security/x509certdb;1"].getService(Ci.nsIX509CertDB);
}
var testprobe = class extends ExtensionCommon.ExtensionAPI {
  getAPI() {
    return { testprobe: {
      findCert(email) {
        return new Promise((resolve) => {
          const secure = Cc["@mozilla.org/messengercompose/composesecure;1"]
            .createInstance(Ci.nsIMsgComposeSecure);
          secure.asyncFindCertByEmailAddr(email.toLowerCase(), {
            findCertDone(addr, cert) {
              resolve(cert ? { found: true, sha256: cert.sha256Fingerprint
                .replace(/:/g, "").toLowerCase(), token: cert.tokenName } :
                { found: false });
            },
          });
        });
      },
      async distrust(der) {
        const c = db().addCertFromBase64(der, "p,p,p");
        return { sha256: c.sha256Fingerprint.replace(/:/g, "").toLowerCase(),
          token: c.tokenName };
      },
    } };
  }
};
"""

# Wraps the normal hook (testhook_base.js). config.live: {address,
# attackers, victims, distrust: b64, recheckEvery: s, sendWait: s}.
LIVE_HOOK = r"""
import * as base from "./testhook_base.js";

function out(event, data) {
  console.log("DANE-SMIME-TEST " + JSON.stringify({ event, ...data })
    .replace(/[\u0080-\uffff]/g, (c) =>
      "\\u" + c.charCodeAt(0).toString(16).padStart(4, "0")));
}
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

// A compose window to `to`, once the add-on has settled its recipients.
async function openSettled(m, to, body) {
  const tab = await browser.compose.beginNew({ to, subject: "live token",
    plainTextBody: body || "Hello through the live DANE token.\n",
    isPlainText: true });
  for (let i = 0; i < 300; i++) {
    const list = m.compose.tabStatus(tab.id);
    if (list.length >= to.length && list.every((e) => e.state !== "pending"))
      return { tab, list };
    await sleep(200);
  }
  throw new Error("recipients never settled: " + to);
}

// Encryption required, sendLater; Thunderbird never answers a send it
// refuses for lack of a recipient certificate (headless: the dialog is
// invisible), so a send is given `wait` seconds.
async function send(tab, wait) {
  await browser.compose.setComposeDetails(tab.id, {
    selectedEncryptionTechnology: { name: "S/MIME", encryptBody: true,
      signMessage: false } });
  const d = await browser.compose.getComposeDetails(tab.id);
  const sent = browser.compose.sendMessage(tab.id, { mode: "sendLater" })
    .then((r) => ({ sent: true, result: r }),
      (e) => ({ sent: false, error: String(e) }));
  const r = await Promise.race([sent, sleep(wait * 1000).then(() =>
    ({ sent: false, timedOut: true }))]);
  return { ...r, encryption: d.selectedEncryptionTechnology || null };
}

async function finds(addresses) {
  const r = {};
  for (const a of addresses)
    r[a] = await browser.testprobe.findCert(a);
  return r;
}

export async function run(config, m) {
  const cfg = config.live;
  let ready = null;
  const tokenReady = new Promise((r) => { ready = r; });
  m.bus.on((event, detail) => {
    if (event === "token" && detail.state !== "checking")
      ready(detail);
    if (event === "host-state" && detail.state === "ready")
      go();
  });
  await base.run(config, m);
  let started = false;
  function go() {
    if (started)
      return;
    started = true;
    scenario().catch((e) => out("error", { where: "live",
      message: String(e) }));
  }
  async function scenario() {
    const tok = await tokenReady;
    out("token-ready", { state: tok.state, error: tok.error,
      installed: await browser.pkcs11.isModuleInstalled("dane_smime_pkcs11"),
      slots: await browser.pkcs11.getModuleSlots("dane_smime_pkcs11")
        .catch((e) => String(e)) });
    if (cfg.keepCopy) {
      // The permanent copy beside the token: a certificate only the
      // token served is copied (the Experiment), found, and undone.
      const { list } = await openSettled(m, [cfg.address]);
      out("copied", { recipients: list.map((e) => ({ address: e.address,
        state: e.state, path: e.path, imports: e.imports })) });
      const sha = (list[0].imports[0] || {}).sha256;
      out("undone", { result: await m.certs.remove(sha),
        log: (await m.store.getLog()).filter((x) => x.sha256 === sha) });
      out("live-done", {});
      return;
    }
    if (cfg.distrust) {
      // The control: served and found before the user distrusts it.
      const first = await openSettled(m, [cfg.address]);
      out("finds-before", { finds: await finds([cfg.address]) });
      await browser.tabs.remove(first.tab.id);
      out("distrusted", { result: await browser.testprobe.distrust(
        cfg.distrust) });
      const { list } = await openSettled(m, [cfg.address]);
      out("settled", { recipients: list.map((e) => ({ address: e.address,
        state: e.state, usable: e.usable })) });
      // A certificate Thunderbird still holds lingers a few seconds.
      const t0 = Date.now();
      let f;
      do {
        f = await finds([cfg.address]);
        if (!f[cfg.address].found)
          break;
        await sleep(1000);
      } while (Date.now() - t0 < 30000);
      out("finds", { finds: f, seconds: (Date.now() - t0) / 1000 });
      out("live-done", {});
      return;
    }
    // The attackers: their lookups feed the cache like any other.
    const att = await openSettled(m, cfg.attackers);
    out("settled", { recipients: att.list.map((e) => ({ address: e.address,
      state: e.state, usable: e.usable })) });
    out("finds", { finds: await finds([...cfg.attackers, ...cfg.victims,
      cfg.address]) });
    await browser.tabs.remove(att.tab.id);
    // The recipient: served, found, sent encrypted.
    const one = await openSettled(m, [cfg.address]);
    out("settled", { recipients: one.list.map((e) => ({ address: e.address,
      state: e.state, usable: e.usable, path: e.path, token: e.token,
      ready: m.compose.ready(e) })) });
    out("finds", { finds: await finds([cfg.address]) });
    const ident = await browser.identities.get("id1").catch((e) => String(e));
    out("identity", { caps: ident && ident.encryptionCapabilities,
      own: await finds(["tester@example.test"]) });
    out("sent", await send(one.tab, cfg.sendWait));
    // The test withdraws the record meanwhile; the re-check runs until
    // the host has dropped it.
    const t0 = Date.now();
    for (;;) {
      await sleep(cfg.recheckEvery * 1000);
      const r = await m.compose.recheck("test");
      out("rechecked", { report: r, seconds: (Date.now() - t0) / 1000 });
      if (r && r.gone.includes(cfg.address))
        break;
      if (Date.now() - t0 > 150000)
        throw new Error("the re-check never saw the withdrawal");
    }
    const vouched = await m.store.getVouched();
    out("vouched", { addresses: Object.keys(vouched) });
    // NSS keeps a certificate it still references for a few seconds
    // (shared/notes/thunderbird.md), and a compose window opened
    // meanwhile pins its recipients' certificates for as long as it is
    // open (SECURITY.md, known limits): so the new window is opened once
    // Thunderbird's own lookup no longer finds it, asked each second.
    // (Opening it first raced with NSS letting go: one CI run in ~10
    // found the certificate pinned 25 s later.)
    let after;
    const t1 = Date.now();
    do {
      after = await finds([cfg.address]);
      if (!after[cfg.address].found)
        break;
      await sleep(1000);
    } while (Date.now() - t1 < 45000);
    out("finds-after", { finds: after, seconds: (Date.now() - t0) / 1000,
      lingered: (Date.now() - t1) / 1000 });
    const two = await openSettled(m, [cfg.address],
      "This must not go out encrypted.\n");
    out("settled-after", { recipients: two.list.map((e) => ({
      address: e.address, state: e.state, usable: e.usable,
      ready: m.compose.ready(e) })) });
    out("sent-after", await send(two.tab, cfg.sendWait));
    out("live-done", {});
  }
}
"""


def make_identity(work):
    """tester@example.test's own S/MIME certificate and key (Thunderbird
    encrypts only with one for the sending identity): a self-signed v3
    e-mail end entity, as PKCS#12."""
    w = lambda n: os.path.join(work, n)  # noqa: E731
    with open(w("id.ext"), "w") as f:
        f.write("basicConstraints=critical,CA:FALSE\n"
                "keyUsage=critical,digitalSignature,keyEncipherment\n"
                "extendedKeyUsage=emailProtection\n"
                "subjectAltName=email:tester@example.test\n")
    run = lambda *a: subprocess.run(  # noqa: E731
        ["openssl"] + list(a), check=True, stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE)
    run("req", "-new", "-newkey", "rsa:2048", "-nodes", "-keyout",
        w("id.key"), "-out", w("id.csr"), "-subj", "/CN=tester@example.test")
    run("x509", "-req", "-in", w("id.csr"), "-signkey", w("id.key"),
        "-days", "3650", "-sha256", "-extfile", w("id.ext"), "-set_serial",
        "4242", "-out", w("id.pem"))
    run("pkcs12", "-export", "-in", w("id.pem"), "-inkey", w("id.key"),
        "-name", "tester", "-passout", "pass:", "-out", w("id.p12"))
    return w("id.pem"), w("id.p12")


def _tlv(der, i):
    """(tag, start of content, end) of the DER TLV at der[i]."""
    tag, n = der[i], der[i + 1]
    i += 2
    if n & 0x80:
        k, n = n & 0x7f, int.from_bytes(der[i:i + (n & 0x7f)], "big")
        i += k
    return tag, i, i + n


def db_key(pem_path):
    """nsIX509Cert.dbKey: base64 of 4+4 zero octets, the serial's and the
    issuer's lengths (32-bit big-endian), the serial's content octets and
    the issuer Name's DER (what Account Settings stores in
    mail.identity.idN.encryption_cert_dbkey). Read from the DER with a
    few lines of TLV walking (RFC 5280 4.1), so the test needs no Python
    package a fresh Debian lacks."""
    der = subprocess.run(["openssl", "x509", "-in", pem_path, "-outform",
                          "DER"], capture_output=True, check=True,
                         timeout=60).stdout
    _, i, _ = _tlv(der, 0)             # Certificate
    _, i, _ = _tlv(der, i)             # TBSCertificate
    tag, _, end = _tlv(der, i)
    if tag == 0xa0:                    # [0] version
        i = end
    _, s0, s1 = _tlv(der, i)           # serialNumber
    serial = der[s0:s1]
    _, _, i = _tlv(der, s1)            # signature AlgorithmIdentifier
    _, _, end = _tlv(der, i)           # issuer Name, whole TLV
    issuer = der[i:end]
    return base64.b64encode(b"\0" * 8 + struct.pack(">II", len(serial),
                                                    len(issuer))
                            + serial + issuer).decode()


def listed_certs(db):
    p = subprocess.run(["certutil", "-L", "-d", db], capture_output=True,
                       text=True, timeout=60)
    assert p.returncode == 0, p.stderr
    return sorted(ln.rstrip() for ln in p.stdout.splitlines()[4:]
                  if ln.strip())


def unsent_messages(profile):
    """The messages in Local Folders' Unsent Messages (mbox: each begins
    with a "From " line), as bytes."""
    path = os.path.join(profile, "Mail", "Local Folders", "Unsent Messages")
    if not os.path.exists(path):
        return []
    msgs = []
    with open(path, "rb") as f:
        for line in f:
            if line.startswith(b"From "):
                msgs.append(b"")
            elif msgs:
                msgs[-1] += line
    return [m for m in msgs if m.strip()]


class AddonToken(unittest.TestCase):
    """The add-on's side of the live DANE token in a real Thunderbird."""

    @classmethod
    def setUpClass(cls):
        cls.tb = LiveTestbed()
        cls.tb.start()
        cls.run_dir = tempfile.mkdtemp(prefix="dane-smime-live-run.")
        os.chmod(cls.run_dir, 0o700)
        cls.cache = os.path.join(cls.run_dir, "dane-smime", "tokens.cache")
        cls.old_xdg = os.environ.get("XDG_RUNTIME_DIR")
        os.environ["XDG_RUNTIME_DIR"] = cls.run_dir
        cls.work = tempfile.mkdtemp(prefix="dane-smime-live-")
        cls.id_pem, cls.id_p12 = make_identity(cls.work)

    @classmethod
    def tearDownClass(cls):
        cls.tb.stop()
        if cls.old_xdg is None:
            os.environ.pop("XDG_RUNTIME_DIR", None)
        else:
            os.environ["XDG_RUNTIME_DIR"] = cls.old_xdg
        shutil.rmtree(cls.run_dir, ignore_errors=True)
        shutil.rmtree(cls.work, ignore_errors=True)

    def start(self, live, settings=None):
        """Thunderbird with the add-on (default settings), LIVE_HOOK and
        the testprobe Experiment, the pkcs11 manifest in HOME, the module
        not in the profile, tester's own certificate and key."""
        prefs = {
            "mail.identity.id1.encryption_cert_name": "tester",
            "mail.identity.id1.signing_cert_name": "tester",
            "mail.identity.id1.encryption_cert_dbkey": db_key(self.id_pem),
            "mail.identity.id1.signing_cert_dbkey": db_key(self.id_pem),
            "mail.identity.id1.encryptionpolicy": 2,
            "mail.identity.id1.sign_mail": False,
            "devtools.console.stdout.chrome": True,
        }
        hook = {"live": live}
        if settings:
            hook["settings"] = settings
        r = tt.Run(self.tb, hook, prefs=prefs)
        self.addCleanup(r.stop)
        r.runtime_dir = self.run_dir
        self.package(os.path.join(r.profile, "extensions",
                                  tt.EXTENSION_ID + ".xpi"))
        r.pkcs11_manifest(MODULE)
        db = "sql:" + r.profile
        ttt.certutil("-N", "-d", db, "--empty-password")
        subprocess.run(["pk12util", "-i", self.id_p12, "-d", db, "-W", ""],
                       check=True, capture_output=True, timeout=60)
        # Thunderbird accepts its own self-signed certificate for e-mail.
        ttt.certutil("-M", "-d", db, "-n", "tester", "-t", "u,Cu,u")
        with open(os.path.join(r.profile, "pkcs11.txt")) as f:
            self.assertNotIn(MODULE, f.read())
        r.db = db
        r.before = listed_certs(db)
        r.start()
        return r

    @staticmethod
    def package(xpi):
        """The hook swapped for LIVE_HOOK; the test-only Experiment and
        the compose.send permission added to the package."""
        tmp = xpi + ".new"
        with zipfile.ZipFile(xpi) as src, \
                zipfile.ZipFile(tmp, "w", zipfile.ZIP_DEFLATED) as dst:
            for item in src.infolist():
                data = src.read(item.filename)
                name = item.filename
                if name == "testhook.js":
                    name = "testhook_base.js"
                elif name == "manifest.json":
                    m = json.loads(data)
                    m["permissions"].append("compose.send")
                    m["experiment_apis"]["testprobe"] = {
                        "schema": "testprobe/schema.json",
                        "parent": {"scopes": ["addon_parent"],
                                   "paths": [["testprobe"]],
                                   "script": "testprobe/implementation.js"}}
                    data = json.dumps(m, indent=1).encode()
                dst.writestr(name, data)
            dst.writestr("testhook.js", LIVE_HOOK)
            dst.writestr("testprobe/schema.json",
                         json.dumps(TESTPROBE_SCHEMA))
            dst.writestr("testprobe/implementation.js", TESTPROBE_IMPL)
        os.replace(tmp, xpi)

    def events(self, r, until, timeout=tt.TIMEOUT):
        ev = r.wait_for(lambda e: e["event"] in (until, "error"), until,
                        timeout=timeout)
        self.assertNotEqual(ev["event"], "error", ev)
        return ev

    def cache_state(self):
        """What the token cache holds (for failure messages)."""
        try:
            st = os.stat(self.cache)
            with open(self.cache, "rb") as f:
                data = f.read()
        except OSError as e:
            return "no cache: %s" % e
        entries = []
        try:
            n = struct.unpack(">I", data[8:12])[0]
            pos = 12
            for _ in range(n):
                trust, _f, alen, hi, lo, dlen = struct.unpack(
                    ">BBHIII", data[pos:pos + 16])
                pos += 16
                entries.append((data[pos:pos + alen].decode(), trust,
                                (hi << 32 | lo) - int(time.time())))
                pos += alen + dlen
        except (struct.error, UnicodeDecodeError) as e:
            entries.append("unreadable: %s" % e)
        return "cache %o %d bytes: (address, trusted, expires in s) %s" % (
            st.st_mode & 0o777, len(data), entries)

    @staticmethod
    def host_log(r):
        """The host's log lines (its stderr reaches Thunderbird's)."""
        return [ln for ln in r.lines if "dane-smime" in ln and
                "DANE-SMIME-TEST" not in ln][-20:]

    def stopped(self, r):
        r.proc.send_signal(signal.SIGTERM)
        r.proc.wait(timeout=30)
        with open(os.path.join(r.profile, "pkcs11.txt")) as f:
            r.pkcs11_txt = f.read()
        return listed_certs(r.db)

    def test_1_install_send_withdraw(self):
        t_start = time.monotonic()
        r = self.start({"address": HUGH, "attackers": ATTACKERS,
                        "victims": VICTIMS, "recheckEvery": 4,
                        "sendWait": 20})
        ev = self.events(r, "token-ready")
        # The module was not in the profile: the add-on installed it.
        self.assertEqual(ev["state"], "added", ev)
        self.assertIs(ev["installed"], True, ev)
        self.assertTrue(any(s["token"] and s["token"]["name"]
                            .startswith("DANE S/MIME")
                            for s in ev["slots"]), ev)
        # Attackers: nothing usable, nothing found, nor for the victims.
        ev = self.events(r, "settled")
        for e in ev["recipients"]:
            self.assertFalse(e["usable"], e)
        ev = self.events(r, "finds")
        for a in ATTACKERS + VICTIMS:
            self.assertEqual(ev["finds"][a], {"found": False}, a)
        # hugh: served by the token, found, sent encrypted.
        hugh = self.tb.cert(HUGH)
        ev = self.events(r, "settled")
        self.assertEqual(ev["recipients"], [{
            "address": HUGH, "state": "found", "usable": True,
            "path": "token", "token": "added", "ready": True}])
        ev = self.events(r, "finds")
        self.assertTrue(ev["finds"][HUGH]["found"], (ev, self.cache_state(),
                                                     self.host_log(r)))
        self.assertEqual(ev["finds"][HUGH]["sha256"], hugh.sha256)
        self.assertTrue(ev["finds"][HUGH]["token"].startswith("DANE S/MIME"),
                        ev)
        ident = self.events(r, "identity")
        ev = self.events(r, "sent", timeout=60)
        self.assertTrue(ev["sent"], (ev, ident))
        self.assertTrue(ev["encryption"]["encryptBody"], ev)
        # Withdrawn: re-signed without it, both caches of the DNS empty.
        took = self.tb.withdraw(HUGH)
        t_withdrawn = time.monotonic()
        out = self.tb.dig(owner_name(HUGH))
        self.assertIn("NXDOMAIN", out)
        while True:
            ev = self.events(r, "rechecked", timeout=120)
            self.assertIsNotNone(ev["report"], ev)
            if HUGH in ev["report"]["gone"]:
                break
        ev = self.events(r, "vouched")
        self.assertNotIn(HUGH, ev["addresses"])
        ev = self.events(r, "finds-after", timeout=90)
        self.assertEqual(ev["finds"][HUGH], {"found": False}, ev)
        lingered = ev["lingered"]
        refused_after = time.monotonic() - t_withdrawn
        ev = self.events(r, "settled-after")
        self.assertEqual(ev["recipients"], [{"address": HUGH,
                                             "state": "absent",
                                             "usable": False,
                                             "ready": False}])
        ev = self.events(r, "sent-after", timeout=60)
        self.assertFalse(ev["sent"], ev)
        self.events(r, "live-done")
        after = self.stopped(r)
        # Within a minute and a half of the withdrawal Thunderbird no
        # longer finds a certificate for hugh (typically ~33 s: the
        # record's TTL, a re-check, then NSS letting go).
        self.assertLess(refused_after, 90)
        # The module stays in the profile's pkcs11.txt.
        self.assertIn("library=" + MODULE, r.pkcs11_txt)
        # Nothing written into cert9.db: the same certificates as before
        # (tester's own), hugh's nowhere.
        self.assertEqual(after, r.before)
        # The certdb Experiment was never loaded (no permanent copy kept).
        self.assertFalse([ln for ln in r.lines if LOADED in ln])
        # The one queued message is hugh's, encrypted: it decrypts with
        # hugh's key; the second window's message never went out.
        msgs = unsent_messages(r.profile)
        self.assertEqual(len(msgs), 1, msgs)
        self.assertIn(b"application/pkcs7-mime", msgs[0][:4000])
        self.assertNotIn(b"Hello through the live DANE token", msgs[0])
        p = subprocess.run(["openssl", "smime", "-decrypt", "-recip",
                            hugh.cert_path, "-inkey", hugh.key_path],
                           input=msgs[0], capture_output=True, timeout=60)
        self.assertEqual(p.returncode, 0, p.stderr)
        self.assertIn(b"Hello through the live DANE token", p.stdout)
        print("live token scenario: %.0f s; withdrawal (re-sign, restart)"
              " %.1f s, refused %.0f s after it (NSS let go of the"
              " certificate %.0f s after the re-check dropped it)"
              % (time.monotonic() - t_start, took, refused_after, lingered),
              file=sys.stderr)

    def test_3_keep_copy(self):
        """The explicit choice "keep a permanent copy": the token's module
        is not used (the add-on does not load it: a certificate the token
        serves carries the token's trust, which the Experiment would not
        touch), the certificate is copied into the store through the
        Experiment (which then loads), found, and its undo removes it."""
        # (hugh's record is withdrawn by test_1)
        multi = self.tb.cert("multi@example.test")
        r = self.start({"address": "multi@example.test", "keepCopy": True},
                       settings={"keepCopy": True})
        ev = self.events(r, "token-ready")
        self.assertEqual((ev["state"], ev["installed"]), ("off", False), ev)
        ev = self.events(r, "copied")
        e = ev["recipients"][0]
        self.assertEqual((e["state"], e["path"]), ("found", "copy"), ev)
        self.assertEqual([(i["action"], i["sha256"], i["trust"], i["method"])
                          for i in e["imports"]],
                         [("added", multi.sha256, ",C,", "experiment")], ev)
        ev = self.events(r, "undone")
        self.assertIs(ev["result"], True, ev)
        self.assertTrue(ev["log"][0]["removed"], ev)
        self.events(r, "live-done")
        after = self.stopped(r)
        self.assertEqual(after, r.before)
        self.assertEqual(len([ln for ln in r.lines if LOADED in ln]), 1)

    def test_2_user_distrust(self):
        """H3's part (the host withholds what the user distrusts in the
        profile); at the default trust order the token's trust would
        otherwise beat the user's p,p,p."""
        multi = self.tb.cert("multi@example.test")
        r = self.start({"address": "multi@example.test",
                        "distrust": multi.b64, "recheckEvery": 4,
                        "sendWait": 20})
        ev = self.events(r, "token-ready")
        self.assertIn(ev["state"], ("added", "installed"), ev)
        ev = self.events(r, "finds-before")
        self.assertTrue(ev["finds"]["multi@example.test"]["found"], ev)
        self.assertEqual(ev["finds"]["multi@example.test"]["sha256"],
                         multi.sha256)
        ev = self.events(r, "distrusted")
        self.assertEqual(ev["result"]["sha256"], multi.sha256, ev)
        ev = self.events(r, "settled")
        self.assertEqual(ev["recipients"][0]["state"], "found", ev)
        ev = self.events(r, "finds", timeout=60)
        self.assertEqual(ev["finds"]["multi@example.test"], {"found": False},
                         ev)
        print("user distrust: not found %.0f s after the next lookup"
              % ev["seconds"], file=sys.stderr)
        self.events(r, "live-done")
        self.assertFalse([ln for ln in r.lines if LOADED in ln])


def main():
    global MODULE
    if len(sys.argv) < 2:
        print("usage: test_thunderbird_token.py MODULE.so", file=sys.stderr)
        return 64
    MODULE = os.path.abspath(sys.argv[1])
    if not tt.thunderbird() or shutil.which("modutil") is None:
        print("SKIP: thunderbird or modutil not installed", file=sys.stderr)
        return 77
    if not os.path.exists(MODULE):
        print("module %s missing" % MODULE, file=sys.stderr)
        return 1
    suite = unittest.TestSuite()
    for case in (Token, AddonToken):
        suite.addTests(unittest.defaultTestLoader.loadTestsFromTestCase(case))
    if len(sys.argv) > 2:   # test names to run, e.g. AddonToken
        suite = unittest.defaultTestLoader.loadTestsFromNames(
            sys.argv[2:], sys.modules[__name__])
    res = unittest.TextTestRunner(verbosity=2).run(suite)
    failed = len(res.failures) + len(res.errors)
    print("%d passed, %d failed" % (res.testsRun - failed, failed))
    return 0 if res.wasSuccessful() else 1


if __name__ == "__main__":
    sys.exit(main())
