#!/usr/bin/env python3
"""The live DANE token in a plain NSS database, with NSS's own tools, as
README "Other NSS applications" tells a user to do (issue 17):
`modutil -add` the module, then `certutil -V -u R` and `vfychain` (NSS's
classic verifier and libpkix) accept a served, vouched certificate for
e-mail recipient use and refuse an unvouched one: served without trust,
not served at all, or withdrawn while the database is in use.

Usage: test_pkcs11_tools.py MODULE.so [FIXTURE_DIR]
"""
import os
import shutil
import struct
import subprocess
import sys
import tempfile
import time
import unittest

MODULE = None
FIXTURES = "tests/fixtures/certs"
NICK = "DANE S/MIME:"


def cache_image(entries):
    """The token cache format of host/token/tokencache.h, version 1."""
    out = b"DSTC" + struct.pack(">HHI", 1, 0, len(entries))
    for addr, der, trust, expires in entries:
        a = addr.encode()
        out += struct.pack(">BBHIII", 1 if trust == ",C," else 0, 0,
                           len(a), expires >> 32, expires & 0xffffffff,
                           len(der)) + a + der
    return out


def sanitizer_env(module):
    """An ASan build of the module loads into NSS's (uninstrumented)
    tools only with the sanitizer runtimes preloaded."""
    env = {}
    r = subprocess.run(["ldd", module], capture_output=True, text=True)
    pre = [line.split("=>")[1].split()[0] for line in r.stdout.splitlines()
           if "=>" in line and ("libasan" in line or "libubsan" in line)]
    if pre:
        env["LD_PRELOAD"] = ":".join(pre)
        env["ASAN_OPTIONS"] = "detect_leaks=0"
    return env


class Tools(unittest.TestCase):

    @classmethod
    def setUpClass(cls):
        cls.tmp = tempfile.mkdtemp(prefix="dane-smime-pkcs11-tools.")
        run = os.path.join(cls.tmp, "run")
        os.mkdir(run, 0o700)
        cls.cache_dir = os.path.join(run, "dane-smime")
        os.mkdir(cls.cache_dir, 0o700)
        cls.cache = os.path.join(cls.cache_dir, "tokens.cache")
        cls.db = "sql:" + os.path.join(cls.tmp, "db")
        os.mkdir(os.path.join(cls.tmp, "db"), 0o700)
        cls.env = dict(os.environ, XDG_RUNTIME_DIR=run)
        cls.der = {}
        for name in ("rsa", "ec"):
            with open(os.path.join(FIXTURES, name + ".der"), "rb") as f:
                cls.der[name] = f.read()
        cls.write({"hugh@example.test": ("rsa", ",C,"),
                   "ec@example.test": ("ec", ",,")})
        cls.tool(["certutil", "-N", "-d", cls.db, "--empty-password"])
        env = dict(cls.env, **sanitizer_env(MODULE))
        # -force: no "close your browser" prompt.
        r = cls.tool(["modutil", "-force", "-add", "DANE S/MIME", "-libfile",
                      MODULE, "-dbdir", cls.db], env=env)
        cls.added = r.stdout + r.stderr
        cls.env = env

    @classmethod
    def tearDownClass(cls):
        shutil.rmtree(cls.tmp, ignore_errors=True)

    @classmethod
    def write(cls, entries):
        now = int(time.time())
        img = cache_image([(a, cls.der[n], t, now + 3600)
                           for a, (n, t) in entries.items()])
        tmp = cls.cache + ".new"
        with open(tmp, "wb") as f:
            f.write(img)
        os.chmod(tmp, 0o600)
        os.rename(tmp, cls.cache)

    @classmethod
    def tool(cls, argv, env=None, check=True):
        r = subprocess.run(argv, capture_output=True, text=True,
                           env=env or cls.env, timeout=60,
                           stdin=subprocess.DEVNULL)
        if check and r.returncode != 0:
            raise AssertionError("%s: %s%s" % (argv, r.stdout, r.stderr))
        return r

    def verify(self, addr):
        return self.tool(["certutil", "-V", "-u", "R", "-n", NICK + addr,
                          "-d", self.db], check=False)

    def vfychain(self, name, pkix=False):
        argv = ["vfychain", "-v", "-d", self.db, "-u", "5", "-a",
                os.path.join(FIXTURES, name + ".pem")]
        if pkix:
            argv.insert(1, "-pp")
        return self.tool(argv, check=False)

    def test_1_module_listed(self):
        self.assertIn("added to database", self.added)
        r = self.tool(["modutil", "-list", "-dbdir", self.db])
        self.assertIn("DANE S/MIME", r.stdout)
        self.assertIn("status: loaded", r.stdout)
        self.assertIn("DANE S/MIME: 2 certificates, 1 with e-mail trust",
                      r.stdout)
        self.assertIn("model=serving", r.stdout)

    def test_2_listed_with_trust(self):
        r = self.tool(["certutil", "-L", "-d", self.db, "-h", "all"])
        lines = {ln.rsplit(None, 1)[0].strip(): ln.rsplit(None, 1)[1]
                 for ln in r.stdout.splitlines() if ln.startswith(NICK)}
        # Debian's NSS reads NSS's own trust class: a trusted peer.
        self.assertEqual(lines.get(NICK + "hugh@example.test"), ",P,")
        self.assertEqual(lines.get(NICK + "ec@example.test"), ",,")

    def test_3_vouched_valid(self):
        r = self.verify("hugh@example.test")
        self.assertEqual(r.returncode, 0, r.stdout + r.stderr)
        self.assertIn("certificate is valid", r.stdout)
        r = self.vfychain("rsa")
        self.assertEqual(r.returncode, 0, r.stdout + r.stderr)
        self.assertIn("Chain is good!", r.stdout + r.stderr)
        r = self.vfychain("rsa", pkix=True)
        self.assertEqual(r.returncode, 0, r.stdout + r.stderr)
        self.assertIn("Chain is good!", r.stdout + r.stderr)

    def test_4_unvouched_refused(self):
        r = self.verify("ec@example.test")
        self.assertNotEqual(r.returncode, 0)
        self.assertIn("certificate is invalid", r.stdout + r.stderr)
        r = self.vfychain("ec")
        self.assertNotEqual(r.returncode, 0)
        self.assertIn("Chain is bad!", r.stdout + r.stderr)
        r = self.vfychain("ec", pkix=True)
        self.assertIn("Chain is bad!", r.stdout + r.stderr)

    def test_5_withdrawn(self):
        self.write({"ec@example.test": ("ec", ",,")})
        try:
            r = self.verify("hugh@example.test")
            self.assertNotEqual(r.returncode, 0)
            self.assertIn("could not find certificate named",
                          r.stdout + r.stderr)
            r = self.vfychain("rsa")
            self.assertNotEqual(r.returncode, 0)
            # Back, but the record no longer vouches for it: no trust.
            self.write({"hugh@example.test": ("rsa", ",,")})
            r = self.verify("hugh@example.test")
            self.assertNotEqual(r.returncode, 0)
            self.assertIn("certificate is invalid", r.stdout + r.stderr)
        finally:
            self.write({"hugh@example.test": ("rsa", ",C,"),
                        "ec@example.test": ("ec", ",,")})

    def test_6_refused_cache_serves_nothing(self):
        os.chmod(self.cache, 0o666)
        try:
            r = self.tool(["modutil", "-list", "-dbdir", self.db])
            self.assertIn("model=cache%20refused", r.stdout)
            r = self.verify("hugh@example.test")
            self.assertNotEqual(r.returncode, 0)
        finally:
            os.chmod(self.cache, 0o600)

    def test_7_delete(self):
        r = self.tool(["modutil", "-force", "-delete", "DANE S/MIME",
                       "-dbdir", self.db])
        self.assertIn("deleted", r.stdout + r.stderr)
        r = self.verify("hugh@example.test")
        self.assertNotEqual(r.returncode, 0)


def main():
    global MODULE, FIXTURES
    if len(sys.argv) < 2:
        print("usage: test_pkcs11_tools.py MODULE.so [FIXTURE_DIR]",
              file=sys.stderr)
        return 64
    MODULE = os.path.abspath(sys.argv[1])
    if len(sys.argv) > 2:
        FIXTURES = sys.argv[2]
    for t in ("certutil", "modutil", "vfychain"):
        if shutil.which(t) is None:
            print("SKIP: %s not installed (libnss3-tools)" % t)
            return 77
    suite = unittest.defaultTestLoader.loadTestsFromTestCase(Tools)
    res = unittest.TextTestRunner(verbosity=2).run(suite)
    failed = len(res.failures) + len(res.errors)
    print("%d passed, %d failed" % (res.testsRun - failed, failed))
    return 0 if res.wasSuccessful() else 1


if __name__ == "__main__":
    sys.exit(main())
