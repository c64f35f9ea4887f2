"""Protocol transcripts of test runs (issue 16: "the protocol output is
byte-identical before and after for the whole integration suite").

With DANE_SMIME_TRANSCRIPT=DIR set, the test helpers that start the host
(tests/integration/helpers.py run_cli and Native, tests/testbed run_host,
tests/hostile/nm.py Session) record each host run here: its argv, the
bytes written to its stdin and the bytes read from its stdout, as
DIR/<test program>/<NNNN>.json, numbered in the order the program started
the runs.  Without the variable nothing is recorded and nothing changes.

    DANE_SMIME_TRANSCRIPT=/tmp/t-old DANE_SMIME=old/dane-smime \
        python3 tests/integration/test_native.py
    DANE_SMIME_TRANSCRIPT=/tmp/t-new DANE_SMIME=new/dane-smime \
        python3 tests/integration/test_native.py
    python3 tests/transcript/compare.py /tmp/t-old /tmp/t-new

compare.py says what it normalises (only what varies from run to run).
"""

import atexit
import base64
import json
import os
import sys
import threading

_DIR = os.environ.get("DANE_SMIME_TRANSCRIPT")
_lock = threading.Lock()
_runs = []


class Run:
    """One host process: argv, stdin bytes, stdout bytes."""

    def __init__(self, argv):
        self.argv = [str(a) for a in argv]
        self.stdin = bytearray()
        self.stdout = bytearray()
        self.rc = None

    def wrote(self, data):
        if data:
            self.stdin += data

    def read(self, data):
        if data:
            self.stdout += data


class _Null(Run):
    def wrote(self, data):
        pass

    def read(self, data):
        pass


def start(argv):
    """A Run to record into (a no-op one when not recording)."""
    if not _DIR:
        return _Null(argv)
    r = Run(argv)
    with _lock:
        _runs.append(r)
    return r


def _text(b):
    try:
        return {"text": bytes(b).decode("utf-8")}
    except UnicodeDecodeError:
        return {"base64": base64.b64encode(bytes(b)).decode("ascii")}


def _save():
    if not _DIR or not _runs:
        return
    prog = os.path.splitext(os.path.basename(sys.argv[0]))[0] or "python"
    d = os.path.join(_DIR, prog)
    os.makedirs(d, exist_ok=True)
    for i, r in enumerate(_runs):
        with open(os.path.join(d, "%04d.json" % i), "w",
                  encoding="utf-8") as f:
            json.dump({"argv": r.argv, "stdin": _text(r.stdin),
                       "stdout": _text(r.stdout), "rc": r.rc}, f, indent=1)


atexit.register(_save)
