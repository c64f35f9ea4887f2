#!/usr/bin/env python3
"""test_needed.py - the program links no NSS and no libidn2 (issue 15).

NSS (libnss3, libnssutil3, libsmime3, libnspr4: BIND_NOW on Debian) and
libidn2 are opened with dlopen where they are first needed
(host/base/nsslib.c, host/mail/address.c): linked, they cost every start
~0.65 ms, also the many that never touch a certificate or a non-ASCII
domain. This fails if the executable names one of them as DT_NEEDED
again (readelf -d, else objdump -p; exit 77, skipped, without either),
and if a native hello loads one of them (LD_DEBUG=files, glibc).

usage: DANE_SMIME=path/to/dane-smime python3 test_needed.py
"""
import json
import os
import shutil
import struct
import subprocess
import sys
import tempfile

BIN = os.environ.get("DANE_SMIME", "build/host/dane-smime")
FORBIDDEN = ("libnss3", "libnssutil3", "libsmime3", "libnspr4", "libidn2")
FAILED = []


def check(ok, what):
    print("%s %s" % ("ok  " if ok else "FAIL", what))
    if not ok:
        FAILED.append(what)


def forbidden(name):
    base = os.path.basename(name)
    return any(base == f or base.startswith(f + ".") for f in FORBIDDEN)


def needed():
    """The DT_NEEDED names of BIN, or None without readelf and objdump."""
    if shutil.which("readelf"):
        out = subprocess.run(["readelf", "-d", BIN], capture_output=True,
                             text=True, check=True).stdout
        # " 0x...01 (NEEDED)  Shared library: [libc.so.6]"
        return [l.split("[", 1)[1].split("]", 1)[0]
                for l in out.splitlines() if "(NEEDED)" in l]
    if shutil.which("objdump"):
        out = subprocess.run(["objdump", "-p", BIN], capture_output=True,
                             text=True, check=True).stdout
        return [l.split()[1] for l in out.splitlines()
                if l.split()[:1] == ["NEEDED"]]
    return None


def main():
    libs = needed()
    if libs is None:
        print("SKIP neither readelf nor objdump")
        return 77
    check(any(x.startswith("libc.") for x in libs),
          "the NEEDED list is read (%s)" % " ".join(libs))
    bad = [x for x in libs if forbidden(x)]
    check(not bad, "no NSS or libidn2 among the NEEDED libraries: %s"
          % (bad or "none"))

    # What the loader opens for a hello (glibc's LD_DEBUG; elsewhere the
    # list is empty and only the NEEDED check above counts).
    req = json.dumps({"type": "hello", "id": 1}).encode()
    env = dict(os.environ, LD_DEBUG="files")
    env.pop("DANE_SMIME_CONFIG", None)
    with tempfile.TemporaryDirectory() as d:
        cfg = os.path.join(d, "dane-smime.conf")
        with open(cfg, "w") as f:
            f.write("resolver = 192.0.2.1\n")    # TEST-NET-1, never asked
        p = subprocess.run([BIN, "--config", cfg, "native"],
                           input=struct.pack("=I", len(req)) + req,
                           capture_output=True, env=env, timeout=60)
    body = p.stdout[4:4 + struct.unpack("=I", p.stdout[:4])[0]] \
        if len(p.stdout) >= 4 else b"{}"
    check(json.loads(body).get("type") == "hello",
          "native answers hello (%s)" % body[:40])
    opened = set()
    for line in p.stderr.decode(errors="replace").splitlines():
        if "file=" in line and "generating link map" in line:
            opened.add(line.split("file=", 1)[1].split()[0])
    if opened:
        bad = sorted(x for x in opened if forbidden(x))
        check(not bad, "hello loads no NSS or libidn2 (%d objects): %s"
              % (len(opened), bad or "none"))
    if FAILED:
        print("%d failed" % len(FAILED))
        return 1
    print("all passed")
    return 0


if __name__ == "__main__":
    sys.exit(main())
