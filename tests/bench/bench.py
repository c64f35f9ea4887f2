#!/usr/bin/env python3
"""bench.py - bulk discovery benchmark (issue 8), run by hand.

Starts the DNS test bed (real NSD + validating Unbound, tests/testbed)
with a realistic mix of addresses, warms the validator's cache, and
measures side by side, for N = 1, 100, 1000, 10000 addresses:

  floor      the validator alone: floor.c (C, UDP, 64 queries in flight,
             the same query as dane-smime), no certificate work at all
  cli        dane-smime lookup --json ADDR... (all addresses in argv)
  native     dane-smime native, one session, one lookup request with N
             addresses, until its "done" (read by nreader.c)
  python     alt_dnspython.py: dnspython + cryptography, one address after
             another (what a person would write)
  dig+ossl   dig-openssl.sh: dig + sha256sum + xxd + openssl per address,
             as public how-tos describe (only for small N)

plus the cold start of `dane-smime native` to its hello reply (median of
20, alternating with echo.c, a C program that only answers one frame: the
reference of issue 15) and one cold-cache N (validator cache empty for
those names).

Figures: wall time, lookups/s, CPU (user+sys of the measured process and
the children it waited for: wait4 rusage via measure.c, since a child
forked from Python inherits Python's RSS high-water mark), peak RSS
(ru_maxrss), CPU
the validator (Unbound) spent meanwhile (/proc), lost (addresses without
exactly one answer) and wrong (answered, but not the expected verdict).

Mix (per N): 90 % found (userK@bulk.test, each its own 3 0 0 RSA-2048
certificate), 5 % absent (secure NXDOMAIN in example.test), 4 % insecure
(userK@unsigned.test with a 3 0 0 record, unsigned zone), 1 % bogus
(userK@bogus.test: SERVFAIL); shuffled.

usage: python3 tests/bench/bench.py [--binary PATH] [--ns 1,100,1000,10000]
       [--runs 3] [--dig-max 100] [--python-max 10000] [--cold-n 1000]
       [--validator-cache-mb 256] [--markdown FILE]
Needs /usr/bin/python3 with python3-dnspython and python3-cryptography
(Debian packages) for the python column; cc for floor.c.
"""
import argparse
import json
import os
import platform
import random
import shutil
import statistics
import struct
import subprocess
import sys
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))
REPO = os.path.dirname(os.path.dirname(HERE))
sys.path.insert(0, os.path.join(REPO, "tests", "testbed"))
from testbed import (Testbed, owner_name, smimea_generic,  # noqa: E402
                     _resign_with_email)

SYSTEM_PYTHON = "/usr/bin/python3"
EXPECT_DNS = {  # floor: (rcode, ad) per expected verdict
    "found": (0, 1), "absent": (3, 1), "insecure": (0, 0), "bogus": (2, 0)}


class BenchTestbed(Testbed):
    """The test bed, with a bigger Unbound cache: 9,000 answers of ~1.2 kB
    do not fit Unbound's default 4 MB rrset cache, so "warm" would not be
    warm (set --validator-cache-mb 0 to keep the default)."""
    cache_mb = 256

    def _spawn(self, name, argv):
        if name == "unbound" and self.cache_mb:
            conf = argv[-1]
            with open(conf, encoding="ascii") as f:
                text = f.read()
            text = text.replace("server:\n", "server:\n"
                                "    msg-cache-size: %dm\n"
                                "    rrset-cache-size: %dm\n"
                                % (self.cache_mb // 2, self.cache_mb), 1)
            with open(conf, "w", encoding="ascii") as f:
                f.write(text)
        super()._spawn(name, argv)


# --- address mix ---------------------------------------------------------

def counts(n):
    bogus = n // 100
    insecure = 4 * n // 100
    absent = 5 * n // 100
    return n - bogus - insecure - absent, absent, insecure, bogus


def mix(n, tag, found_base):
    """n addresses with their expected verdict.  `tag` keeps sets apart
    (absent/insecure/bogus names), found_base the bulk.test user range."""
    f, a, i, b = counts(n)
    out = [("user%d@bulk.test" % (found_base + k), "found") for k in range(f)]
    out += [("%snobody%d@example.test" % (tag, k), "absent")
            for k in range(a)]
    out += [("%suser%d@unsigned.test" % (tag, k), "insecure")
            for k in range(i)]
    out += [("%suser%d@bogus.test" % (tag, k), "bogus") for k in range(b)]
    random.Random(n).shuffle(out)
    return out


def unsigned_zone_lines(workdir, locals_):
    """3 0 0 records in unsigned.test: one RSA-2048 certificate made here,
    re-issued per address (its signature kept: nobody checks it, the
    answer is insecure anyway)."""
    key = os.path.join(workdir, "u.key")
    pem = os.path.join(workdir, "u.pem")
    subprocess.run(["openssl", "req", "-x509", "-newkey", "rsa:2048",
                    "-nodes", "-keyout", key, "-out", pem, "-days", "3650",
                    "-subj", "/CN=user0@unsigned.test", "-addext",
                    "subjectAltName=email:user0@unsigned.test",
                    "-outform", "DER"], check=True,
                   stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    with open(pem, "rb") as f:
        tmpl = f.read()
    lines = []
    for k, local in enumerate(locals_):
        der = _resign_with_email(tmpl, None, 0x20000 + k,
                                 "user0@unsigned.test",
                                 "%s@unsigned.test" % local)
        lines.append("%s. 3600 IN %s" % (
            owner_name("%s@unsigned.test" % local),
            smimea_generic(3, 0, 0, der)))
    return lines


# --- measuring -------------------------------------------------------------

def cpu_of(pid):
    """utime+stime of a process in seconds (from /proc)."""
    try:
        with open("/proc/%d/stat" % pid) as f:
            fields = f.read().rsplit(")", 1)[1].split()
        return (int(fields[11]) + int(fields[12])) / os.sysconf(
            "SC_CLK_TCK")
    except OSError:
        return float("nan")


class Run:
    def __init__(self, tool, n, wall, ru, vcpu, lost, wrong, note=""):
        self.tool, self.n, self.wall = tool, n, wall
        self.cpu = ru.ru_utime + ru.ru_stime
        self.rss_mb = ru.ru_maxrss / 1024.0
        self.vcpu, self.lost, self.wrong, self.note = vcpu, lost, wrong, note

    @property
    def rate(self):
        return self.n / self.wall if self.wall > 0 else float("inf")


class Usage:
    """What measure.c wrote: rusage of the command (and its reaped
    children), its wall time and exit status."""

    def __init__(self, path):
        with open(path) as f:
            u, sy, rss, wall, rc = f.read().split()
        self.ru_utime, self.ru_stime = float(u), float(sy)
        self.ru_maxrss, self.wall, self.status = int(rss), float(wall), int(rc)


MEASURE = None      # path of the compiled measure.c
NREADER = None      # path of the compiled nreader.c


def measured(argv, **kw):
    """Popen of argv under measure.c; returns (Popen, usage file)."""
    fd, path = tempfile.mkstemp(prefix="ru-")
    os.close(fd)
    return subprocess.Popen([MEASURE, path] + list(argv), **kw), path


def wait_measured(p, path, t0):
    """Wait for p; (wall since t0 in this process, Usage)."""
    p.wait()
    wall = time.perf_counter() - t0
    u = Usage(path)
    os.unlink(path)
    return wall, u


def check_verdicts(addrs, got):
    """got: list of (address, verdict).  Returns (lost, wrong, detail)."""
    want = dict(addrs)
    seen = {}
    wrong = []
    for a, v in got:
        seen[a] = seen.get(a, 0) + 1
        if a in want and v != want[a]:
            wrong.append((a, want[a], v))
    lost = sum(1 for a in want if seen.get(a, 0) != 1)
    lost += sum(1 for a in seen if a not in want)
    return lost, len(wrong), wrong[:3]


class Bench:
    def __init__(self, tb, binary, work, floor_bin):
        self.tb, self.binary, self.work = tb, binary, work
        self.floor_bin = floor_bin
        self.ip, self.port = tb.resolver.rsplit(":", 1)
        self.unbound_pid = tb._procs["unbound"][0].pid
        self.env = dict(os.environ)
        self.env.pop("DANE_SMIME_CONFIG", None)

    def _file(self, name, lines):
        path = os.path.join(self.work, name)
        with open(path, "w", encoding="utf-8") as f:
            f.write("".join(x + "\n" for x in lines))
        return path

    def floor(self, addrs, label="floor"):
        names = self._file("names", [owner_name(a) for a, _ in addrs])
        out = os.path.join(self.work, "floor.out")
        v0 = cpu_of(self.unbound_pid)
        with open(out, "w") as fo:
            t0 = time.perf_counter()
            p, ruf = measured([self.floor_bin, self.ip, self.port, names,
                               "64", "1000"], stdout=fo,
                              stderr=subprocess.PIPE)
            err = p.stderr.read().decode()
            wall, ru = wait_measured(p, ruf, t0)
        vcpu = cpu_of(self.unbound_pid) - v0
        with open(out) as f:
            res = [tuple(map(int, l.split())) for l in f]
        got = []
        for (a, want), (rcode, ad, tc, tries) in zip(addrs, res):
            if rcode < 0:
                continue
            v = [k for k, e in EXPECT_DNS.items() if e == (rcode, ad)]
            got.append((a, v[0] if v else "rcode%d/ad%d" % (rcode, ad)))
        lost, wrong, _ = check_verdicts(addrs, got)
        tcs = sum(1 for r in res if r[2])
        note = err.strip() + (" TC=%d" % tcs if tcs else "")
        return Run(label, len(addrs), wall, ru, vcpu, lost, wrong, note)

    def cli(self, addrs, label="cli"):
        out = os.path.join(self.work, "cli.out")
        argv = [self.binary, "--config", self.tb.config_path, "lookup",
                "--json"] + [a for a, _ in addrs]
        v0 = cpu_of(self.unbound_pid)
        with open(out, "wb") as fo:
            t0 = time.perf_counter()
            p, ruf = measured(argv, stdout=fo, stderr=subprocess.DEVNULL,
                              stdin=subprocess.DEVNULL, env=self.env)
            wall, ru = wait_measured(p, ruf, t0)
        vcpu = cpu_of(self.unbound_pid) - v0
        got = []
        with open(out, "rb") as f:
            for line in f:
                m = json.loads(line)
                if m.get("type") == "result":
                    got.append((m["address"], m["status"]))
        lost, wrong, _ = check_verdicts(addrs, got)
        return Run(label, len(addrs), wall, ru, vcpu, lost, wrong,
                   "argv %d bytes" % sum(len(a) + 1 for a in argv))

    def native(self, addrs, label="native"):
        req = json.dumps({"type": "lookup", "id": "b",
                          "addresses": [a for a, _ in addrs]}).encode()
        frame = struct.pack("=I", len(req)) + req
        reqf = os.path.join(self.work, "native.req")
        outf = os.path.join(self.work, "native.out")
        with open(reqf, "wb") as f:
            f.write(frame)
        fd, ruf = tempfile.mkstemp(prefix="ru-")
        os.close(fd)
        v0 = cpu_of(self.unbound_pid)
        # nreader.c writes the request, drains the replies and notes when
        # the done reply arrived (CLOCK_MONOTONIC, time.perf_counter's
        # clock), as Thunderbird's reader would: a Python reader here was
        # a third process on two cores and decided the figure.
        t0 = time.perf_counter()
        subprocess.run([NREADER, ruf, reqf, outf, self.binary, "--config",
                        self.tb.config_path, "native"],
                       stdin=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                       env=self.env)
        ru = Usage(ruf)
        os.unlink(ruf)
        wall = (ru.wall - t0) if ru.wall > 0 else time.perf_counter() - t0
        vcpu = cpu_of(self.unbound_pid) - v0
        with open(outf, "rb") as f:
            buf = f.read()
        msgs = []
        pos = 0
        while len(buf) - pos >= 4:
            (ln,) = struct.unpack_from("=I", buf, pos)
            if len(buf) - pos - 4 < ln:
                break
            msgs.append(bytes(buf[pos + 4:pos + 4 + ln]))
            pos += 4 + ln
        if not any(b'"type":"done"' in m[:40] for m in msgs[-1:]):
            print("native: the last frame is not the done reply",
                  file=sys.stderr)
        got = []
        for body in msgs:
            m = json.loads(body)
            if m.get("type") == "result":
                got.append((m["address"], m["status"]))
        lost, wrong, _ = check_verdicts(addrs, got)
        return Run(label, len(addrs), wall, ru, vcpu, lost, wrong,
                   "request %d bytes" % len(frame))

    def external(self, argv, addrs, label):
        inp = self._file("addrs", [a for a, _ in addrs])
        out = os.path.join(self.work, label + ".out")
        v0 = cpu_of(self.unbound_pid)
        with open(inp, "rb") as fi, open(out, "wb") as fo:
            t0 = time.perf_counter()
            p, ruf = measured(argv + [self.ip, self.port], stdin=fi,
                              stdout=fo, stderr=subprocess.DEVNULL)
            wall, ru = wait_measured(p, ruf, t0)
        vcpu = cpu_of(self.unbound_pid) - v0
        with open(out, encoding="utf-8") as f:
            got = [tuple(l.split()) for l in f if l.strip()]
        lost, wrong, detail = check_verdicts(addrs, got)
        return Run(label, len(addrs), wall, ru, vcpu, lost, wrong,
                   ("wrong e.g. %s" % detail) if wrong else "")

    def hello(self, runs=20, echo_bin=None, libs_bin=None):
        """Spawn `native`, send hello at once, time until the reply.  The
        timed runs are spawned directly (no launcher in the way); one more
        run under measure.c gives the RSS of an idle session.  With
        echo_bin (echo.c: a C program that only answers one frame), that
        reference is timed the same way, its runs alternating with the
        host's so that both see the same load; libs_bin (echo.c linked
        with the host's shared libraries) shows what loading them
        costs."""
        req = json.dumps({"type": "hello", "id": 1}).encode()
        frame = struct.pack("=I", len(req)) + req
        argv = [self.binary, "--config", self.tb.config_path, "native"]
        kw = dict(stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                  stderr=subprocess.DEVNULL, env=self.env)

        def once(cmd, launcher=False):
            t0 = time.perf_counter()
            if launcher:
                p, ruf = measured(cmd, **kw)
            else:
                p = subprocess.Popen(cmd, **kw)
            p.stdin.write(frame)
            p.stdin.flush()
            (ln,) = struct.unpack("=I", p.stdout.read(4))
            body = p.stdout.read(ln)
            t = time.perf_counter() - t0
            assert json.loads(body)["type"] == "hello", body
            p.stdin.close()
            p.stdout.read()
            if launcher:
                _, ru = wait_measured(p, ruf, t0)
                return t, ru
            p.wait()
            return t, None
        times, etimes, ltimes = [], [], []
        for i in range(runs):
            times.append(once(argv)[0])
            if echo_bin:
                etimes.append(once([echo_bin])[0])
            if libs_bin:
                ltimes.append(once([libs_bin])[0])
        _, ru = once(argv, launcher=True)
        rss = ru.ru_maxrss / 1024.0
        cpu = ru.ru_utime + ru.ru_stime
        echo = statistics.median(etimes) if etimes else None
        libs = statistics.median(ltimes) if ltimes else None
        return (statistics.median(times), min(times), max(times), rss, cpu,
                echo, libs)


def median_of(rs):
    rs = sorted(rs, key=lambda r: r.wall)
    best = rs[len(rs) // 2]
    best.lost = max(r.lost for r in rs)     # any run losing counts
    best.wrong = max(r.wrong for r in rs)
    return best


def median_runs(fns, addrs, runs):
    """The median run of each fn, the fns taking turns (one run of each,
    `runs` rounds): a slow spell of the machine (another VM, the CPU's
    clock) then falls on every column alike instead of on one of them,
    which the ratios to the floor would otherwise take for the host's."""
    rs = [[] for _ in fns]
    for _ in range(runs):
        for i, fn in enumerate(fns):
            rs[i].append(fn(addrs))
    return [median_of(r) for r in rs]


def fmt_table(rows):
    hdr = ["N", "tool", "wall s", "lookups/s", "ms/address", "CPU s",
           "peak RSS MB", "validator CPU s", "lost", "wrong", "note"]
    out = ["| " + " | ".join(hdr) + " |", "|" + "---|" * len(hdr)]
    for r in rows:
        out.append("| %d | %s | %.3f | %.0f | %.3f | %.3f | %.1f | %.2f | "
                   "%d | %d | %s |" % (
                       r.n, r.tool, r.wall, r.rate, 1000 * r.wall / r.n,
                       r.cpu, r.rss_mb, r.vcpu, r.lost, r.wrong, r.note))
    return "\n".join(out)


def machine():
    cpu = ""
    try:
        with open("/proc/cpuinfo") as f:
            for line in f:
                if line.startswith("model name"):
                    cpu = line.split(":", 1)[1].strip()
                    break
    except OSError:
        pass
    def ver(argv):
        try:
            return subprocess.run(argv, capture_output=True, text=True
                                  ).stdout.splitlines()[0].strip()
        except (OSError, IndexError):
            return "?"
    return ("%s, %d CPUs (os.cpu_count), %s; %s; unbound %s; nsd %s" % (
        cpu, os.cpu_count(), platform.platform(), ver(["openssl", "version"]),
        ver(["sh", "-c", "unbound -V | head -1"]),
        ver(["sh", "-c", "nsd -v 2>&1 | head -1"])))


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--binary", default=os.environ.get(
        "DANE_SMIME", os.path.join(REPO, "build", "host", "dane-smime")))
    ap.add_argument("--ns", default="1,100,1000,10000")
    ap.add_argument("--runs", type=int, default=3)
    ap.add_argument("--dig-max", type=int, default=100)
    ap.add_argument("--python-max", type=int, default=10000)
    ap.add_argument("--cold-n", type=int, default=1000)
    ap.add_argument("--hello-runs", type=int, default=20)
    ap.add_argument("--validator-cache-mb", type=int, default=256)
    ap.add_argument("--markdown", help="also write the tables here")
    ap.add_argument("--baseline", help="another dane-smime binary, "
                    "measured in the same run (rows 'cli base', "
                    "'native base'): before/after comparisons")
    a = ap.parse_args()
    ns = [int(x) for x in a.ns.split(",")]
    nmax = max(ns)
    fmax = counts(nmax)[0]
    cold_f = counts(a.cold_n)[0] if a.cold_n else 0
    work = tempfile.mkdtemp(prefix="dane-smime-bench-")
    global MEASURE, NREADER
    floor_bin = os.path.join(work, "floor")
    MEASURE = os.path.join(work, "measure")
    NREADER = os.path.join(work, "nreader")
    echo_bin = os.path.join(work, "echo")
    for exe in (floor_bin, MEASURE, NREADER, echo_bin):
        subprocess.run(["cc", "-O2", "-o", exe, os.path.join(
            HERE, os.path.basename(exe) + ".c")], check=True)
    # echo.c again, linked with the shared libraries the binary names
    # (readelf -d: NEEDED): the part of a start that is loading them.
    libs_bin, needed = None, []
    try:
        dyn = subprocess.run(["readelf", "-d", a.binary], capture_output=True,
                             text=True).stdout
        needed = [l.split("[", 1)[1].rstrip("]") for l in dyn.splitlines()
                  if "(NEEDED)" in l and "[" in l]
        needed = [n for n in needed if not n.startswith("libc.so")]
    except OSError:
        pass
    if needed and subprocess.run(
            ["cc", "-O2", "-o", os.path.join(work, "echo-libs"),
             os.path.join(HERE, "echo.c"), "-Wl,--no-as-needed"] +
            ["-l:" + n for n in needed], capture_output=True).returncode == 0:
        libs_bin = os.path.join(work, "echo-libs")
    have_py = subprocess.run([SYSTEM_PYTHON, "-c",
                              "import dns.message, cryptography.x509"],
                             capture_output=True).returncode == 0
    if not have_py:
        print("note: %s lacks dnspython/cryptography: no python column "
              "(apt-get install python3-dnspython python3-cryptography)"
              % SYSTEM_PYTHON)
    # insecure names of every set, published in unsigned.test
    insecure = ["user%d" % k for k in range(counts(nmax)[2])]
    for tag in ("coldcli", "coldfloor"):
        insecure += ["%suser%d" % (tag, k) for k in range(counts(a.cold_n)[2])]
    BenchTestbed.cache_mb = a.validator_cache_mb
    bulk = fmax + 2 * cold_f
    t0 = time.monotonic()
    lines = unsigned_zone_lines(work, insecure)
    tb = BenchTestbed(bulk_found=bulk,
                      extra_zone_text={"unsigned.test": lines})
    with tb:
        startup = time.monotonic() - t0
        b = Bench(tb, a.binary, work, floor_bin)
        base = Bench(tb, a.baseline, work, floor_bin) if a.baseline \
            else None
        report = []
        report.append("machine: " + machine())
        report.append("binary: %s" % a.binary)
        if a.baseline:
            report.append("baseline binary: %s" % a.baseline)
        report.append("load average at the start: %.2f %.2f %.2f"
                      % os.getloadavg())
        report.append("test bed: bulk_found=%d, %d unsigned records, up in "
                      "%.1f s (%s); Unbound cache %s" % (
                          bulk, len(lines), startup, ", ".join(
                              "%s %.1f" % kv for kv in tb.timings.items()),
                          "%d MB rrset + %d MB msg" % (
                              a.validator_cache_mb,
                              a.validator_cache_mb // 2)
                          if a.validator_cache_mb else "default (4 MB)"))
        print("\n".join(report), flush=True)
        cold = []
        if a.cold_n:
            # Cold: the validator has never seen these names (one run each,
            # disjoint sets, before anything else).
            cold.append(b.cli(mix(a.cold_n, "coldcli", fmax), "cli cold"))
            cold.append(b.floor(mix(a.cold_n, "coldfloor", fmax + cold_f),
                                "floor cold"))
            print(fmt_table(cold), flush=True)
        rows = []
        for n in ns:
            addrs = mix(n, "", 0)
            b.floor(addrs, "warm-up")           # warm the validator
            fns = [b.floor, b.cli, b.native]
            if base is not None:
                fns += [lambda x: base.cli(x, "cli base"),
                        lambda x: base.native(x, "native base")]
            block = median_runs(fns, addrs, a.runs)
            if have_py and n <= a.python_max:
                block.append(b.external([SYSTEM_PYTHON, os.path.join(
                    HERE, "alt_dnspython.py")], addrs, "python"))
            if n <= a.dig_max:
                block.append(b.external(["sh", os.path.join(
                    HERE, "dig-openssl.sh")], addrs, "dig+openssl"))
            rows += block
            print(fmt_table(block), flush=True)
        med, lo, hi, rss, hcpu, echo, libs = b.hello(a.hello_runs, echo_bin,
                                                     libs_bin)
        hello = ("cold start to hello (spawn -> hello reply; hello "
                 "loads no NSS), %d runs: median %.2f ms (min %.2f, max %.2f); "
                 "a do-nothing C program answering one frame (echo.c), "
                 "runs alternating: median %.2f ms%s; one more session "
                 "(hello, then end of input): CPU %.1f ms, peak RSS %.1f MB"
                 % (a.hello_runs, 1000 * med, 1000 * lo, 1000 * hi,
                    1000 * echo, "; echo.c linked with the binary's %d "
                    "shared libraries (%s): median %.2f ms" % (
                        len(needed), " ".join(needed), 1000 * libs)
                    if libs else "", 1000 * hcpu, rss))
        print(hello)
        report.append("load average at the end: %.2f %.2f %.2f (other "
                      "work on the machine shows here)" % os.getloadavg())
    targets = evaluate(rows, med, echo)
    text = "\n".join(report) + "\n\nCold validator cache:\n\n" + \
        fmt_table(cold) + "\n\nWarm validator cache (median of %d runs " \
        "for floor/cli/native, one run for python and dig+openssl):\n\n" \
        % a.runs + fmt_table(rows) + "\n\n" + hello + "\n\n" + targets
    print("\n" + targets)
    if a.markdown:
        with open(a.markdown, "w", encoding="utf-8") as f:
            f.write(text + "\n")
    shutil.rmtree(work, ignore_errors=True)


def evaluate(rows, hello_s, echo_s=None):
    by = {(r.tool, r.n): r for r in rows}
    nmax = max(r.n for r in rows)
    out = ["Targets (issue 15):", ""]

    def line(ok, text):
        out.append("- [%s] %s" % ("met" if ok else "NOT met", text))
    for n in (1000, 10000):
        f = by.get(("floor", n))
        for tool in ("cli", "native"):
            r = by.get((tool, n))
            if r and f:
                line(r.wall <= 2 * f.wall and r.lost == 0 and r.wrong == 0,
                     "%s at N=%d within 2x the floor: %.3f s vs %.3f s = "
                     "%.2fx" % (tool, n, r.wall, f.wall, r.wall / f.wall))
    if echo_s:
        line(hello_s <= 2 * echo_s, "cold start to hello within 2x a "
             "do-nothing C program: %.2f ms vs %.2f ms = %.2fx" % (
                 1000 * hello_s, 1000 * echo_s, hello_s / echo_s))
    out += ["", "Targets (issue 8):", ""]
    for tool in ("cli", "native"):
        r = by.get((tool, nmax))
        f = by.get(("floor", nmax))
        if r:
            line(r.wall < 2.0 and r.lost == 0,
                 "%s: %d addresses in %.2f s (< 2 s), lost %d" % (
                     tool, nmax, r.wall, r.lost))
            if f:
                line(r.wall <= 3 * f.wall, "%s within 3x of the floor: "
                     "%.2f s vs %.2f s = %.1fx" % (tool, r.wall, f.wall,
                                                    r.wall / f.wall))
            line(r.rss_mb < 30, "%s peak RSS at %d: %.1f MB (< 30 MB)" % (
                tool, nmax, r.rss_mb))
    line(hello_s < 0.020, "cold start to hello %.1f ms (< 20 ms)"
         % (1000 * hello_s))
    ours = by.get(("cli", nmax)) or by.get(("native", nmax))
    per_ours = ours.wall / ours.n
    for tool, want in (("dig+openssl", 100), ("python", 10)):
        rs = [r for r in rows if r.tool == tool]
        if not rs:
            out.append("- [n/a] %s: not run" % tool)
            continue
        r = max(rs, key=lambda x: x.n)
        per = r.wall / r.n
        line(per / per_ours >= want, "%s: %.3f ms/address at N=%d vs "
             "dane-smime cli %.4f ms/address at N=%d: %.0fx (>= %dx)%s" % (
                 tool, 1000 * per, r.n, 1000 * per_ours, ours.n,
                 per / per_ours, want,
                 "; extrapolated: %d addresses would take %.0f s" % (
                     nmax, per * nmax) if r.n < nmax else ""))
    return "\n".join(out)


if __name__ == "__main__":
    main()
