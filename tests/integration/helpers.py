"""Shared helpers for the dane-smime integration tests (stdlib only).

Each test program starts ONE test bed for its module, runs the built
binary ($DANE_SMIME or build/host/dane-smime) against it, and ends with a
single summary line "N passed, N failed[, N skipped]" (exit 1 on failure).
"""

import atexit
import json
import os
import re
import select
import shutil
import struct
import subprocess
import sys
import tempfile
import time
import unittest

TESTS = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
if TESTS not in sys.path:
    sys.path.insert(0, TESTS)

from testbed import (Testbed, SilentResolver, TestbedError,  # noqa: E402
                     owner_name, host_binary)
from transcript import transcript  # noqa: E402

EXIT = {"found": 0, "absent": 2, "unusable": 3, "insecure": 4, "bogus": 5,
        "error": 6, "usage": 64, "config": 78, "internal": 70}

ISO = re.compile(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$")
HEX = re.compile(r"^[0-9a-fA-F]*$")

# Multiplies every wait and every wall-clock bound: a run under valgrind
# (tests/run.sh sets 20) is 20-100 times slower, mostly at start-up.
TIME_SCALE = float(os.environ.get("DANE_SMIME_TIME_SCALE", "1"))


def scaled(seconds):
    """A timeout or wall-clock bound of `seconds` on a normal build."""
    return seconds * TIME_SCALE


def scale_host_timeouts(tb):
    """In a slow run (TIME_SCALE > 1) give the host's own DNS timeouts
    (host/base/dslimits.h DS_DEFAULT_TIMEOUT_MS, 2000 ms) the same scale in the
    test bed's two standard configs: under valgrind on a busy machine a
    2 s TCP probe can run out before the host gets to its answer."""
    if TIME_SCALE <= 1:
        return
    ms = min(60000, int(2000 * TIME_SCALE))
    for path in (tb.config_path, tb.nss_config_path):
        with open(path, "a", encoding="utf-8") as f:
            f.write("timeout_ms = %d\n" % ms)


def start_testbed(scale=True, **kw):
    """A started Testbed(**kw), stopped again if starting fails; with
    scale, the host's timeouts in its configs scaled for slow runs."""
    tb = Testbed(**kw)
    try:
        tb.start()
        if scale:
            scale_host_timeouts(tb)
    except BaseException:
        tb.stop()
        raise
    return tb


def binary():
    return host_binary()


def require_binary():
    b = binary()
    if not (os.path.isfile(b) and os.access(b, os.X_OK)):
        # A missing binary is a failure, not a skip: CI must not go green
        # on a build that produced nothing.
        raise AssertionError("binary %s not built (set DANE_SMIME)" % b)
    return b


_RUNTIME_DIR = []


def runtime_dir():
    """A private XDG_RUNTIME_DIR for the hosts this process starts: the
    token cache (native mode) never goes into the user's own folders."""
    if not _RUNTIME_DIR:
        d = tempfile.mkdtemp(prefix="dane-smime-rt-")
        atexit.register(shutil.rmtree, d, True)
        _RUNTIME_DIR.append(d)
    return _RUNTIME_DIR[0]


def clean_env(extra=None):
    e = dict(os.environ)
    e.pop("DANE_SMIME_CONFIG", None)
    # keep a developer's own ~/.config/dane-smime out of the tests
    e["XDG_CONFIG_HOME"] = "/nonexistent/dane-smime-tests"
    e["XDG_RUNTIME_DIR"] = runtime_dir()
    if extra:
        e.update(extra)
    return e


class Run:
    """Result of one CLI run: rc, stdout/stderr text, parsed JSON lines."""

    def __init__(self, argv, proc, wall):
        self.argv = argv
        self.rc = proc.returncode
        self.out_bytes = proc.stdout
        self.out = proc.stdout.decode("utf-8", "replace")
        self.err = proc.stderr.decode("utf-8", "replace")
        self.wall = wall
        self._objs = None

    def describe(self):
        return "argv=%r rc=%d wall=%.2fs\nstdout:\n%s\nstderr:\n%s" % (
            self.argv, self.rc, self.wall, self.out[:4000], self.err[:4000])

    def objects(self):
        """All stdout lines as JSON objects (strict UTF-8, one per line)."""
        if self._objs is None:
            text = self.out_bytes.decode("utf-8")     # must be valid UTF-8
            self._objs = [json.loads(line) for line in text.splitlines()
                          if line.strip()]
        return self._objs

    def results(self):
        return [o for o in self.objects() if o.get("type") == "result"]

    def by_address(self):
        """address -> result; fails if an address appears twice."""
        d = {}
        for r in self.results():
            if r["address"] in d:
                raise AssertionError("two results for %r" % r["address"])
            d[r["address"]] = r
        return d

    def done(self):
        d = [o for o in self.objects() if o.get("type") == "done"]
        return d


def run_cli(args, config=None, tb=None, env=None, timeout=60, input=None):
    """Run the binary; `config` is a path (passed with --config) or None."""
    argv = [binary()]
    if config:
        argv += ["--config", config]
    argv += list(args)
    rec = transcript.start(argv)
    t = time.monotonic()
    p = subprocess.run(argv, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                       stdin=subprocess.DEVNULL if input is None else None,
                       input=input, timeout=scaled(timeout),
                       env=clean_env(env))
    rec.wrote(input.encode("utf-8") if isinstance(input, str) else input)
    rec.read(p.stdout)
    rec.rc = p.returncode
    return Run(argv, p, time.monotonic() - t)


def end_process(p):
    """Ends a host: EOF first (so that a valgrind run gets to its leak
    check at exit), SIGKILL if it is still there after 1 s (scaled)."""
    if p.poll() is None:
        for f in (p.stdin, p.stdout):
            try:
                f.close()
            except OSError:
                pass
        try:
            p.wait(scaled(1.0))
        except subprocess.TimeoutExpired:
            pass
    if p.poll() is None:
        p.kill()
        p.wait(scaled(5))
    for f in (p.stdin, p.stdout, p.stderr):
        try:
            f.close()
        except OSError:
            pass


class Native:
    """A native-messaging session: 4-byte native-endian length + JSON."""

    def __init__(self, argv, env=None):
        self.argv = argv
        self.rec = transcript.start(argv)
        self.p = subprocess.Popen(argv, stdin=subprocess.PIPE,
                                  stdout=subprocess.PIPE,
                                  stderr=subprocess.PIPE, env=clean_env(env))
        self.buf = b""

    def send_raw(self, body, length=None):
        n = len(body) if length is None else length
        self.rec.wrote(struct.pack("=I", n) + body)
        self.p.stdin.write(struct.pack("=I", n) + body)
        self.p.stdin.flush()

    def send(self, obj):
        self.send_raw(json.dumps(obj).encode("utf-8"))

    def _read(self, n, deadline):
        fd = self.p.stdout.fileno()
        while len(self.buf) < n:
            left = deadline - time.monotonic()
            if left <= 0:
                raise AssertionError("timed out waiting for a frame; stderr:"
                                     "\n" + self.stderr_so_far())
            r, _, _ = select.select([fd], [], [], left)
            if not r:
                continue
            chunk = os.read(fd, 1 << 20)
            self.rec.read(chunk)
            if not chunk:
                raise EOFError("host closed stdout (rc=%r); stderr:\n%s" % (
                    self.p.poll(), self.stderr_so_far()))
            self.buf += chunk
        out, self.buf = self.buf[:n], self.buf[n:]
        return out

    def recv(self, timeout=10):
        """One frame within `timeout` (scaled) seconds."""
        return self.recv_before(time.monotonic() + scaled(timeout))

    def recv_before(self, deadline):
        """One frame before time.monotonic() reaches `deadline`."""
        (n,) = struct.unpack("=I", self._read(4, deadline))
        if n > 1048576:
            raise AssertionError("frame of %d bytes > 1 MiB" % n)
        body = self._read(n, deadline)
        return json.loads(body.decode("utf-8"))

    def recv_until_done(self, req_id, timeout=30):
        """Frames up to and including the done for req_id."""
        deadline = time.monotonic() + scaled(timeout)
        frames = []
        while True:
            f = self.recv_before(deadline)
            frames.append(f)
            if f.get("type") in ("done", "error") and f.get("id") == req_id:
                return frames

    def stderr_so_far(self):
        if self.p.poll() is None:
            return "(still running)"
        try:
            return self.p.stderr.read().decode("utf-8", "replace")[:4000]
        except (OSError, ValueError):
            return ""

    def close(self, timeout=1.0):
        """Close stdin; returns (rc, seconds to exit) or (None, timeout),
        waiting `timeout` (scaled) seconds."""
        t = time.monotonic()
        try:
            self.p.stdin.close()
        except OSError:
            pass
        try:
            rc = self.p.wait(scaled(timeout))
        except subprocess.TimeoutExpired:
            return None, timeout
        return rc, time.monotonic() - t

    def kill(self):
        end_process(self.p)


def main(module_name):
    """Run the tests of a module and print the one summary line."""
    suite = unittest.defaultTestLoader.loadTestsFromModule(
        sys.modules[module_name])
    runner = unittest.TextTestRunner(verbosity=2, stream=sys.stderr)
    t0 = time.monotonic()
    res = runner.run(suite)
    # Count tests, not subtests: a test with three failing subtests is one
    # failed test.  A setUpModule error counts as one failure.
    bad = set()
    for test, _ in res.failures + res.errors:
        bad.add(getattr(test, "test_case", test).id())
    for test in res.unexpectedSuccesses:
        bad.add(test.id())
    failed = len(bad)
    skipped = len(res.skipped)
    passed = max(0, res.testsRun - failed - skipped)
    sys.stderr.write("%s: %.1f s\n" % (module_name, time.monotonic() - t0))
    sys.stderr.flush()
    line = "%d passed, %d failed" % (passed, failed)
    if skipped:
        line += ", %d skipped" % skipped
    print(line)
    sys.stdout.flush()
    return 1 if failed else 0
