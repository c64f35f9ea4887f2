#!/usr/bin/python3
"""dane-smime demo: start a local DNSSEC test bed (NSD + validating
Unbound on 127.0.0.1), then run the CLI for four addresses that show the
four things a DANE client must tell apart.

Run:  /usr/bin/python3 tests/demo.py
Binary: $DANE_SMIME or build/host/dane-smime.
"""

import os
import subprocess
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from testbed import Testbed, host_binary  # noqa: E402

CASES = [
    ("hugh@example.test",
     "Found: example.test is DNSSEC-signed and publishes a certificate "
     "(SMIMEA 3 0 0) for hugh."),
    ("nobody@example.test",
     "Absent: the signed zone proves (authenticated NXDOMAIN) that nobody "
     "has no record."),
    ("hugh@unsigned.test",
     "Insecure: unsigned.test has a record but no DNSSEC, so it must not "
     "be trusted."),
    ("hugh@bogus.test",
     "Bogus: bogus.test's signatures do not chain to the trust anchor; the "
     "validator answers SERVFAIL."),
]


def main():
    binary = host_binary()
    if not os.access(binary, os.X_OK):
        sys.stderr.write("demo: %s not found; build it (meson compile -C "
                         "build) or set DANE_SMIME\n" % binary)
        return 1
    print("Starting the test bed (certificates, signed zones, NSD, "
          "Unbound) ...")
    sys.stdout.flush()
    t = time.monotonic()
    with Testbed() as tb:
        print("Up in %.1f s: validating resolver %s, authoritative server %s"
              % (time.monotonic() - t, tb.resolver, tb.auth))
        rc_all = 0
        for address, intro in CASES:
            print()
            print("== " + intro)
            argv = [binary, "--resolver", tb.resolver, "lookup", address]
            print("$ dane-smime --resolver %s lookup %s" % (tb.resolver,
                                                           address))
            sys.stdout.flush()
            env = dict(os.environ)
            env.pop("DANE_SMIME_CONFIG", None)
            p = subprocess.run(argv, env=env, timeout=60)
            print("(exit status %d)" % p.returncode)
            if p.returncode >= 64 or p.returncode == 1:
                rc_all = 1
        print()
        print("Stopping the test bed.")
    return rc_all


if __name__ == "__main__":
    sys.exit(main())
