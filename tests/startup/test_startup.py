#!/usr/bin/env python3
"""test_startup.py - what a start of the host loads (issue 15).

Most runs never fetch a certificate over HTTPS, so libcurl (and the 25
libraries it brings: OpenSSL, GnuTLS, Kerberos, LDAP, ...) must not be
loaded until the first fetch (host/web/https.c opens it with dlopen): that
was 5 ms of every 7 ms start. Checked as the dynamic loader sees it
(LD_DEBUG=files) for a native session answering hello and for a CLI
lookup whose resolver does not answer (no certificate, no fetch), and
both answers are checked as a person would see them. No network, no
test bed.

usage: DANE_SMIME=path/to/dane-smime python3 test_startup.py
"""
import json
import os
import struct
import subprocess
import sys
import tempfile

BIN = os.environ.get("DANE_SMIME", "build/host/dane-smime")
FAILED = []


def check(ok, what):
    print("%s %s" % ("ok  " if ok else "FAIL", what))
    if not ok:
        FAILED.append(what)


def loaded(stderr):
    """Names of the objects the loader opened (LD_DEBUG=files)."""
    out = set()
    for line in stderr.splitlines():
        if "file=" in line and "generating link map" in line:
            out.add(line.split("file=", 1)[1].split()[0])
    return out


def run(argv, stdin, cfg):
    env = dict(os.environ, LD_DEBUG="files")
    env.pop("DANE_SMIME_CONFIG", None)
    return subprocess.run([BIN, "--config", cfg] + argv, input=stdin,
                          capture_output=True, env=env, timeout=60)


def main():
    with tempfile.TemporaryDirectory() as d:
        cfg = os.path.join(d, "dane-smime.conf")
        with open(cfg, "w") as f:
            # TEST-NET-1 (RFC 5737): nothing answers; one short try.
            f.write("resolver = 192.0.2.1\ntimeout_ms = 200\n"
                    "attempts = 1\ntrust_ad = yes\n")
        req = json.dumps({"type": "hello", "id": 1}).encode()
        p = run(["native"], struct.pack("=I", len(req)) + req, cfg)
        libs = loaded(p.stderr.decode(errors="replace"))
        body = p.stdout[4:4 + struct.unpack("=I", p.stdout[:4])[0]] \
            if len(p.stdout) >= 4 else b"{}"
        hello = json.loads(body)
        check(hello.get("type") == "hello" and hello.get("id") == 1,
              "native answers hello (%s)" % body[:60])
        check(any("libcares" in x for x in libs),
              "the loader's view is seen (libcares among %d objects)"
              % len(libs))
        check(not any("libcurl" in x for x in libs),
              "hello without libcurl: %s" % sorted(
                  x for x in libs if "curl" in x or "ssl" in x))
        p = run(["lookup", "--json", "alice@example.test"], b"", cfg)
        libs = loaded(p.stderr.decode(errors="replace"))
        res = [m for m in (json.loads(l) for l in p.stdout.splitlines()
                           if l.strip()) if m.get("type") == "result"]
        check(len(res) == 1 and res[0].get("address") ==
              "alice@example.test" and res[0].get("status") == "error",
              "lookup without an answering resolver: status error (%s)"
              % (res[0].get("status") if res else None))
        check(not any("libcurl" in x for x in libs),
              "a lookup that fetches nothing loads no libcurl")
    if FAILED:
        print("%d failed" % len(FAILED))
        return 1
    print("all passed")
    return 0


if __name__ == "__main__":
    sys.exit(main())
