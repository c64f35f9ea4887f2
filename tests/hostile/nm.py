"""A native-messaging client for the hardening tests (stdlib only).

Shared by tests/hostile, tests/faultdns and tests/load.  Frames are a
4-byte native-endian length followed by UTF-8 JSON (host/PROTOCOL.md).
Every read has a deadline, so a hung host fails a test instead of
hanging it.
"""

import json
import os
import select
import socket
import struct
import subprocess
import sys
import tempfile
import threading
import time
import unittest

REPO = os.path.dirname(os.path.dirname(os.path.dirname(
    os.path.abspath(__file__))))
MAX_REPLY = 1048576
# Multiplies every wait (valgrind runs: 10 or more).
TIME_SCALE = float(os.environ.get("DANE_SMIME_TIME_SCALE", "1"))

# The integration tests' helpers: the binary, its environment, ending a
# host, and the runner that prints one summary line for every suite.
sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)),
                                "..", "integration"))
from helpers import clean_env, end_process, main  # noqa: E402,F401
from helpers import require_binary as binary  # noqa: E402
from helpers import transcript  # noqa: E402


def write_config(lines, directory=None):
    """A config file from (key, value) pairs; returns its path."""
    fd, path = tempfile.mkstemp(prefix="dane-smime-", suffix=".conf",
                                dir=directory)
    with os.fdopen(fd, "w", encoding="utf-8") as f:
        for k, v in lines:
            f.write("%s = %s\n" % (k, v))
    return path


class HostGone(AssertionError):
    pass


class Session:
    """One `dane-smime --config C native` process."""

    def __init__(self, config, argv=None, env=None):
        self.argv = argv or [binary(), "--config", config, "native"]
        self.rec = transcript.start(self.argv)
        self.p = subprocess.Popen(self.argv, stdin=subprocess.PIPE,
                                  stdout=subprocess.PIPE,
                                  stderr=subprocess.PIPE,
                                  env=clean_env(env))
        self.buf = b""
        self.err = b""
        # Drain stderr in the background so a chatty host never blocks.
        self._errt = threading.Thread(target=self._drain_err, daemon=True)
        self._errt.start()

    def _drain_err(self):
        try:
            for chunk in iter(lambda: self.p.stderr.read1(65536), b""):
                self.err += chunk
        except (OSError, ValueError):
            pass

    @property
    def pid(self):
        return self.p.pid

    def write(self, data):
        self.rec.wrote(data)
        try:
            self.p.stdin.write(data)
            self.p.stdin.flush()
        except BrokenPipeError:
            raise HostGone("host closed stdin (rc=%r); stderr:\n%s"
                           % (self.p.poll(), self.stderr()))

    def send_raw(self, body, length=None):
        n = len(body) if length is None else length
        self.write(struct.pack("=I", n) + body)

    def send(self, obj):
        self.send_raw(json.dumps(obj, ensure_ascii=False).encode("utf-8"))

    def _fill(self, n, deadline):
        fd = self.p.stdout.fileno()
        while len(self.buf) < n:
            left = deadline - time.monotonic()
            if left <= 0:
                raise AssertionError("timed out waiting for a frame "
                                     "(rc=%r); stderr:\n%s"
                                     % (self.p.poll(), self.stderr()))
            r, _, _ = select.select([fd], [], [], left)
            if not r:
                continue
            chunk = os.read(fd, 1 << 20)
            self.rec.read(chunk)
            if not chunk:
                raise HostGone("host closed stdout (rc=%r); stderr:\n%s"
                               % (self.p.poll(), self.stderr()))
            self.buf += chunk

    def recv(self, timeout=10):
        deadline = time.monotonic() + timeout * TIME_SCALE
        self._fill(4, deadline)
        (n,) = struct.unpack("=I", self.buf[:4])
        if n > MAX_REPLY:
            raise AssertionError("reply frame of %d bytes > 1 MiB" % n)
        self._fill(4 + n, deadline)
        body, self.buf = self.buf[4:4 + n], self.buf[4 + n:]
        return json.loads(body.decode("utf-8"))   # strict UTF-8

    def recv_until_done(self, req_id, timeout=30):
        """Frames up to and including the done/error for req_id."""
        deadline = time.monotonic() + timeout * TIME_SCALE
        frames = []
        while True:
            f = self.recv(max(0.01, deadline - time.monotonic()) /
                          TIME_SCALE)
            frames.append(f)
            if f.get("type") in ("done", "error") and f.get("id") == req_id:
                return frames

    def hello(self, req_id, timeout=10):
        """Sends a hello and checks its reply (nothing else may come)."""
        self.send({"type": "hello", "id": req_id})
        f = self.recv(timeout)
        if f.get("type") != "hello" or f.get("id") != req_id:
            raise AssertionError("expected hello %r, got %r" % (req_id, f))
        return f

    def nothing_more(self, wait=0.2):
        """Asserts no unsolicited frame arrives within `wait` seconds."""
        fd = self.p.stdout.fileno()
        if self.buf:
            raise AssertionError("unexpected bytes %r" % self.buf[:200])
        r, _, _ = select.select([fd], [], [], wait)
        if r:
            chunk = os.read(fd, 65536)
            if chunk:
                raise AssertionError("unexpected frame bytes %r"
                                     % chunk[:200])

    def stderr(self):
        return self.err.decode("utf-8", "replace")[-4000:]

    def close(self, timeout=5.0):
        """Closes stdin; returns (rc, seconds to exit) or (None, timeout)."""
        t = time.monotonic()
        try:
            self.p.stdin.close()
        except OSError:
            pass
        try:
            rc = self.p.wait(timeout * TIME_SCALE)
        except subprocess.TimeoutExpired:
            return None, timeout
        self._errt.join(1)
        return rc, time.monotonic() - t

    def kill(self):
        end_process(self.p)


class SilentUDP:
    """A UDP/TCP port on 127.0.0.1 that never answers (a dead resolver)."""

    def __enter__(self):
        for _ in range(50):
            t = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
            t.bind(("127.0.0.1", 0))
            port = t.getsockname()[1]
            u = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
            try:
                u.bind(("127.0.0.1", port))
            except OSError:
                t.close()
                u.close()
                continue
            t.listen(64)
            self.tcp, self.udp = t, u
            self.address = "127.0.0.1:%d" % port
            return self
        raise RuntimeError("no free port")

    def __exit__(self, *exc):
        self.tcp.close()
        self.udp.close()
        return False


def vm_hwm_kib(pid):
    """Peak resident set (VmHWM, KiB) of a live process, or None."""
    try:
        with open("/proc/%d/status" % pid, "r") as f:
            for line in f:
                if line.startswith("VmHWM:"):
                    return int(line.split()[1])
    except OSError:
        return None
    return None
