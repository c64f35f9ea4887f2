#!/usr/bin/python3
"""`meson install --destdir` puts exactly the expected files in place, the
generated manifest names the installed binary and the add-on id, and
`ninja uninstall` removes everything again (files and the folders the
install created).

    test_meson_install.py BUILD_DIR

Runs `meson install --no-rebuild` on the given, already built tree, so
it must not run alongside another install from that tree (meson test:
is_parallel false). Standard library only; ends with "N passed, N failed".
"""

import json
import os
import shutil
import stat
import subprocess
import sys
import tempfile
import unittest

BUILD = os.path.abspath(sys.argv.pop(1)) if len(sys.argv) > 1 else None
EXTENSION_ID_DEFAULT = "dane-smime@dane-smime.org"


def options(build):
    out = subprocess.run(["meson", "introspect", "--buildoptions", build],
                         check=True, capture_output=True, text=True).stdout
    return {o["name"]: o["value"] for o in json.loads(out)}


def tree(root):
    """Files (and symlinks) under root, as absolute install paths."""
    found = set()
    for d, dirs, files in os.walk(root):
        for f in files:
            found.add("/" + os.path.relpath(os.path.join(d, f), root))
    return found


class MesonInstall(unittest.TestCase):

    @classmethod
    def setUpClass(cls):
        cls.opts = options(BUILD)
        prefix = cls.opts["prefix"]
        nm = cls.opts.get("native_messaging_dir", "")
        if not nm:
            nm = ("/usr/lib64/mozilla/native-messaging-hosts"
                  if cls.opts["libdir"].endswith("lib64")
                  else "/usr/lib/mozilla/native-messaging-hosts")
        cls.bin = os.path.join(prefix, cls.opts["bindir"], "dane-smime")
        cls.man = os.path.join(prefix, cls.opts["mandir"], "man1",
                               "dane-smime.1")
        cls.manifest = os.path.join(nm, "dane_smime.json")
        # issue 17: the PKCS#11 module and its manifest beside the host's
        libdir = cls.opts["libdir"]
        cls.module = os.path.join(libdir if os.path.isabs(libdir) else
                                  os.path.join(prefix, libdir), "dane-smime",
                                  "dane-smime-pkcs11.so")
        cls.p11manifest = os.path.join(os.path.dirname(nm), "pkcs11-modules",
                                       "dane_smime_pkcs11.json")
        cls.ext_id = cls.opts.get("extension_id", EXTENSION_ID_DEFAULT)
        cls.tmp = tempfile.mkdtemp(prefix="dane-smime-install.")
        cls.dest = os.path.join(cls.tmp, "dest")
        r = subprocess.run(["meson", "install", "-C", BUILD, "--no-rebuild",
                            "--destdir", cls.dest],
                           capture_output=True, text=True)
        cls.install = r

    @classmethod
    def tearDownClass(cls):
        shutil.rmtree(cls.tmp, ignore_errors=True)

    def d(self, path):
        return self.dest + path

    def test_1_install_ok(self):
        self.assertEqual(self.install.returncode, 0,
                         self.install.stdout + self.install.stderr)

    def test_2_file_list(self):
        self.assertEqual(tree(self.dest),
                         {self.bin, self.man, self.manifest, self.module,
                          self.p11manifest})

    def test_3_modes(self):
        self.assertEqual(stat.S_IMODE(os.stat(self.d(self.bin)).st_mode)
                         & 0o111, 0o111)
        self.assertEqual(stat.S_IMODE(os.stat(self.d(self.manifest))
                                      .st_mode), 0o644)
        self.assertEqual(stat.S_IMODE(os.stat(self.d(self.p11manifest))
                                      .st_mode), 0o644)

    def test_4_manifest(self):
        with open(self.d(self.manifest), encoding="utf-8") as f:
            m = json.load(f)
        self.assertEqual(m["name"], "dane_smime")
        self.assertTrue(m["description"])
        # The installed path, not the destdir or build tree one.
        self.assertEqual(m["path"], self.bin)
        self.assertTrue(os.path.isabs(m["path"]))
        self.assertEqual(m["type"], "stdio")
        self.assertEqual(m["allowed_extensions"], [self.ext_id])
        self.assertEqual(set(m), {"name", "description", "path", "type",
                                  "allowed_extensions"})

    def test_5_installed_binary_runs(self):
        r = subprocess.run([self.d(self.bin), "--version"],
                           capture_output=True, text=True, timeout=30)
        self.assertEqual(r.returncode, 0, r.stderr)
        self.assertTrue(r.stdout.startswith("dane-smime "), r.stdout)

    def test_6_uninstall_leaves_nothing(self):
        r = subprocess.run(["ninja", "-C", BUILD, "uninstall"],
                           capture_output=True, text=True)
        self.assertEqual(r.returncode, 0, r.stdout + r.stderr)
        left = []
        if os.path.exists(self.dest):
            for d, dirs, files in os.walk(self.dest):
                left += [os.path.join(d, x) for x in dirs + files]
        self.assertEqual(left, [])


def main():
    if BUILD is None:
        print("usage: test_meson_install.py BUILD_DIR", file=sys.stderr)
        return 64
    suite = unittest.defaultTestLoader.loadTestsFromTestCase(MesonInstall)
    res = unittest.TextTestRunner(verbosity=2).run(suite)
    failed = len(res.failures) + len(res.errors)
    print("%d passed, %d failed" % (res.testsRun - failed, failed))
    return 0 if res.wasSuccessful() else 1


if __name__ == "__main__":
    sys.exit(main())
