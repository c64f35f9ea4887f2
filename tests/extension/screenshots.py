#!/usr/bin/python3
"""Screenshots of the add-on's popups in a real Thunderbird under Xvfb.

Starts the DNS test bed, an Xvfb display and Thunderbird (not headless)
with the add-on and its test hook (testhook.js, config "popup"). The hook
opens real compose windows and messages, lets the add-on look them up with
the real host, and opens each popup page in a window of its own at the top
left of the screen; this script photographs the screen (ImageMagick
`import`), crops to that window and checks that each picture was made and
is not blank.

Pictures:
  compose-mixed      recipients found, absent, unsigned zone, failed
                     DNSSEC, expired; the account has no certificate
  compose-expired    the expired certificate's Details
  compose-unsigned   the unsigned zone's Details (untrusted data)
  compose-found      a found recipient's Details
  options            the options page with its import log
  verify-good        a genuine signed message (From with display name)
  verify-good-details  the same with its Details open
  verify-forged      the same message altered after signing
  verify-unsigned    signed, but the sender's zone is not DNSSEC-signed
  compose-nohost     no helper program installed: the set-up banner
  options-nohost     the options page saying what to install

    python3 tests/extension/screenshots.py [--out DIR] [--docs]

--out (default $DANE_SMIME_SCREENS or a temporary directory, kept) is
where the PNGs go; --docs also writes the README's pictures, trimmed and
reduced, into docs/screens/. Needs: thunderbird, Xvfb, ImageMagick and the
test bed's tools; skips (exit 77) without thunderbird, Xvfb or import.
The last line is "N passed, N failed".
"""

import argparse
import os
import shutil
import subprocess
import sys
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(HERE))
sys.path.insert(0, HERE)
sys.path.insert(0, os.path.join(ROOT, "tests"))
from testbed import Testbed, host_binary  # noqa: E402
from test_thunderbird import Run, signed_message, thunderbird  # noqa: E402

SCREEN = (1280, 1024)
# For the README: the compose and verify popups.
DOCS = ["compose-mixed", "compose-expired", "verify-good", "verify-forged",
        "verify-unsigned"]


def hook_config():
    return {"popup": {
        "hold": 3,
        "compose": [
            {"name": "compose-mixed", "height": 620, "to": [
                "hugh@example.test", "absent@example.test",
                "hugh@unsigned.test", "hugh@bogus.test",
                "expired@example.test"]},
            {"name": "compose-expired", "height": 800,
             "to": ["expired@example.test"],
             "details": "expired@example.test"},
            {"name": "compose-unsigned", "height": 700,
             "to": ["hugh@unsigned.test"], "details": "hugh@unsigned.test"},
            {"name": "compose-found", "height": 860,
             "to": ["hugh@example.test"], "details": "hugh@example.test"},
        ],
        "options": {"height": 620, "width": 780},
        "verify": [
            {"name": "verify-good", "file": "good.eml", "height": 420},
            {"name": "verify-good-details", "file": "good.eml",
             "height": 640, "details": True},
            {"name": "verify-forged", "file": "forged.eml", "height": 420},
            {"name": "verify-unsigned", "file": "unsigned.eml",
             "height": 420},
        ],
    }}


def hook_config_nohost():
    return {"popup": {"hold": 3, "noHost": True, "compose": [
        {"name": "compose-nohost", "height": 520,
         "to": ["hugh@example.test", "absent@example.test"]}],
        "options": {"name": "options-nohost", "height": 520, "width": 780}}}


def shoot(tb, display, cfg, out, results, files=None, with_host=True):
    """One Thunderbird run: photographs every window the hook shows."""
    run = Run(tb, cfg, with_host=with_host, files=files,
              prefs={"extensions.blocklist.enabled": True})
    # The live token (issue 17), the add-on's default path: its module
    # beside the built host, installed by the add-on at start.
    module = os.path.join(os.path.dirname(os.path.abspath(host_binary())),
                          "dane-smime-pkcs11.so")
    if with_host and os.path.exists(module):
        run.pkcs11_manifest(module)
    try:
        run.start(display=display)
        deadline = time.monotonic() + 300
        while time.monotonic() < deadline:
            ev = run.wait_for(lambda e: e["event"] in (
                "shot", "shots-done", "error", "verify-result"), "a shot",
                timeout=deadline - time.monotonic())
            if ev["event"] == "error":
                raise AssertionError("hook error: %s" % ev)
            if ev["event"] == "shots-done":
                break
            if ev["event"] == "verify-result":
                print("  %(name)s: %(colour)s (signature %(signature)s, "
                      "dane %(dane)s)" % ev, file=sys.stderr)
                continue
            path = os.path.join(out, ev["name"] + ".png")
            grab(display, ev, path)
            results[ev["name"]] = not_blank(path)
    finally:
        run.stop()


def messages(tb):
    good = signed_message(tb, "hugh@example.test",
                          '"Hugh Example" <hugh@example.test>',
                          b"Hello, the figures are attached.\r\n",
                          "Quarterly figures")
    # Altered after signing: one word of the signed body changed.
    forged = signed_message(tb, "hugh@example.test",
                            '"Hugh Example" <hugh@example.test>',
                            b"Please pay invoice 1001 to account A.\r\n",
                            "Invoice")
    forged = forged.replace(b"account A.", b"account B.")
    unsigned = signed_message(tb, "hugh@unsigned.test",
                              '"Hugh Unsigned" <hugh@unsigned.test>',
                              b"Hello from a zone without DNSSEC.\r\n",
                              "Hello")
    return {"good.eml": good, "forged.eml": forged,
            "unsigned.eml": unsigned}


def start_xvfb():
    r, w = os.pipe()
    proc = subprocess.Popen(
        ["Xvfb", "-displayfd", str(w), "-screen", "0",
         "%dx%dx24" % SCREEN, "-nolisten", "tcp"], pass_fds=(w,),
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
        start_new_session=True)
    os.close(w)
    with os.fdopen(r) as f:
        num = f.readline().strip()
    if not num.isdigit():
        proc.kill()
        raise RuntimeError("Xvfb did not start")
    return proc, ":" + num


def grab(display, ev, path):
    """The window's rectangle of the screen, as PNG."""
    x, y = max(0, ev["left"]), max(0, ev["top"])
    w = min(ev["width"], SCREEN[0] - x)
    h = min(ev["height"], SCREEN[1] - y)
    subprocess.run(["import", "-display", display, "-window", "root",
                    "-crop", "%dx%d+%d+%d" % (w, h, x, y), "+repage", path],
                   check=True, stdout=subprocess.DEVNULL,
                   stderr=subprocess.PIPE)


def not_blank(path):
    """(ok, why): the picture exists, has the expected size and shows
    something (many colours, not one flat area)."""
    if not os.path.exists(path) or os.path.getsize(path) == 0:
        return False, "missing"
    out = subprocess.run(["identify", "-format", "%w %h %k %[fx:standard_deviation]",
                          path], stdout=subprocess.PIPE, check=True
                         ).stdout.decode().split()
    w, h, colours, sd = int(out[0]), int(out[1]), int(out[2]), float(out[3])
    if w < 200 or h < 100:
        return False, "too small (%dx%d)" % (w, h)
    if colours < 16 or sd < 0.02:
        return False, "blank (%d colours, sd %.3f)" % (colours, sd)
    return True, "%dx%d, %d colours" % (w, h, colours)


def docs_copy(src, name):
    d = os.path.join(ROOT, "docs", "screens")
    os.makedirs(d, exist_ok=True)
    dst = os.path.join(d, name + ".png")
    subprocess.run(["convert", src, "-trim", "+repage", "-bordercolor",
                    "white", "-border", "8", "-colors", "64", "-strip",
                    "PNG8:" + dst], check=True)
    return dst


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--out")
    ap.add_argument("--docs", action="store_true")
    args = ap.parse_args()
    for tool in ("Xvfb", "import", "identify"):
        if not shutil.which(tool):
            print("SKIP: %s not installed" % tool, file=sys.stderr)
            return 77
    if not thunderbird():
        print("SKIP: thunderbird not installed", file=sys.stderr)
        return 77
    if not os.access(host_binary(), os.X_OK):
        print("host binary %s missing" % host_binary(), file=sys.stderr)
        return 1
    out = args.out or os.environ.get("DANE_SMIME_SCREENS") or \
        tempfile.mkdtemp(prefix="dane-smime-screens-")
    os.makedirs(out, exist_ok=True)
    cfg = hook_config()
    nohost = hook_config_nohost()
    want = [c["name"] for c in cfg["popup"]["compose"]] + ["options"] + \
        [v["name"] for v in cfg["popup"]["verify"]] + \
        ["compose-nohost", "options-nohost"]
    tb = Testbed()
    tb.start()
    xvfb = None
    results = {}
    try:
        xvfb, display = start_xvfb()
        shoot(tb, display, cfg, out, results, files=messages(tb))
        shoot(tb, display, nohost, out, results, with_host=False)
    finally:
        if xvfb:
            xvfb.terminate()
            xvfb.wait()
        tb.stop()
    failed = 0
    for name in want:
        ok, why = results.get(name, (False, "never shown"))
        failed += not ok
        print("%s %s: %s" % ("ok  " if ok else "FAIL", name, why))
    if args.docs and not failed:
        for name in DOCS:
            print("docs: %s" % docs_copy(os.path.join(out, name + ".png"),
                                          name))
    print("pictures in %s" % out)
    print("%d passed, %d failed" % (len(want) - failed, failed))
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
