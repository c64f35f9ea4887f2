#!/usr/bin/python3
"""The live DANE token (issue 17) in a real, headless Thunderbird 153:
what its compose lookup (findCertForEmail ->
nsIMsgComposeSecure.asyncFindCertByEmailAddr, mozilla::pkix over all
tokens) finds when the only copy of a certificate is on the token.

The module is added to the profile's NSS database with modutil before
start (what the add-on's pkcs11.installModule will do); the token cache
is written here, in the format of host/tokencache.h, into the
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
test_thunderbird_trust.py. Skips (77) without thunderbird, modutil or
the module.  Usage: test_thunderbird_token.py MODULE.so
"""

import os
import shutil
import signal
import struct
import subprocess
import sys
import tempfile
import time
import unittest

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
import test_thunderbird as tt  # noqa: E402
import test_thunderbird_trust as ttt  # noqa: E402
from testbed import Testbed  # noqa: E402

MODULE = None
FIXTURES = os.path.join(HERE, "..", "fixtures", "certs")
FOUND = ["hugh@example.test", "legacy@example.test"]
NOT_FOUND = ["ec@example.test", "ca@example.test", "leaf@example.test",
             "mallet@evil.test"]


def cache_image(entries):
    """Version 1 of host/tokencache.h: (address, der, trust)."""
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

    def test_2_refused_cache(self):
        os.chmod(self.cache, 0o666)
        try:
            got, _ = self.finds()
        finally:
            os.chmod(self.cache, 0o600)
        for a in FOUND + NOT_FOUND:
            self.assertFalse(got[a]["found"], (a, got[a]))


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
    suite = unittest.defaultTestLoader.loadTestsFromTestCase(Token)
    res = unittest.TextTestRunner(verbosity=2).run(suite)
    failed = len(res.failures) + len(res.errors)
    print("%d passed, %d failed" % (res.testsRun - failed, failed))
    return 0 if res.wasSuccessful() else 1


if __name__ == "__main__":
    sys.exit(main())
