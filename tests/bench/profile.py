#!/usr/bin/env python3
"""profile.py - profile dane-smime on the bench's address mix (issue 8).

Starts the same test bed as bench.py, warms the validator, then
  - callgrind: `dane-smime lookup --json` on N addresses under
    valgrind --tool=callgrind (instruction counts, exact), and prints the
    top functions (self and inclusive) with callgrind_annotate;
  - perf (if `perf record -e cpu-clock` works): the same on M addresses,
    sampled at 2 kHz (wall-clock reality: kernel and libraries included).

usage: python3 tests/bench/profile.py [--binary PATH] [--n 1000]
       [--perf-n 10000] [--out DIR]
The raw profiles stay in --out (default /tmp/dane-smime-profile).
"""
import argparse
import os
import subprocess
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
import bench  # noqa: E402


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--binary", default=os.environ.get(
        "DANE_SMIME", os.path.join(bench.REPO, "build", "host",
                                   "dane-smime")))
    ap.add_argument("--n", type=int, default=1000)
    ap.add_argument("--perf-n", type=int, default=10000)
    ap.add_argument("--out", default="/tmp/dane-smime-profile")
    a = ap.parse_args()
    os.makedirs(a.out, exist_ok=True)
    nmax = max(a.n, a.perf_n)
    lines = bench.unsigned_zone_lines(
        a.out, ["user%d" % k for k in range(bench.counts(nmax)[2])])
    tb = bench.BenchTestbed(bulk_found=bench.counts(nmax)[0],
                            extra_zone_text={"unsigned.test": lines})
    with tb:
        ip, port = tb.resolver.rsplit(":", 1)
        env = dict(os.environ)
        env.pop("DANE_SMIME_CONFIG", None)
        floor = os.path.join(a.out, "floor")
        subprocess.run(["cc", "-O2", "-o", floor,
                        os.path.join(HERE, "floor.c")], check=True)

        def warm(addrs):
            names = os.path.join(a.out, "names")
            with open(names, "w") as f:
                f.write("".join(bench.owner_name(x) + "\n"
                                for x, _ in addrs))
            subprocess.run([floor, ip, port, names, "64", "1000"],
                           stdout=subprocess.DEVNULL, check=True)

        # generous timeout: under valgrind the host runs ~50x slower
        host = [a.binary, "--config", tb.config_path, "--timeout", "30000"]
        addrs = bench.mix(a.n, "", 0)
        warm(addrs)
        cg = os.path.join(a.out, "callgrind.out")
        subprocess.run(["valgrind", "--tool=callgrind",
                        "--callgrind-out-file=" + cg] + host +
                       ["lookup", "--json"] + [x for x, _ in addrs],
                       stdout=subprocess.DEVNULL, env=env,
                       stderr=open(cg + ".log", "w"))
        for incl in ("no", "yes"):
            r = subprocess.run(["callgrind_annotate", "--inclusive=" + incl,
                                cg], capture_output=True, text=True)
            out = r.stdout.splitlines()
            start = next((i for i, l in enumerate(out)
                          if "file:function" in l), 0)
            print("=== callgrind N=%d, %s ===" % (
                a.n, "inclusive" if incl == "yes" else "self"))
            print("\n".join(out[start:start + 40]))
        print("(callers: callgrind_annotate --tree=caller %s)" % cg)
        if a.perf_n and subprocess.run(
                ["perf", "record", "-e", "cpu-clock", "-o", os.devnull,
                 "true"], capture_output=True).returncode == 0:
            addrs = bench.mix(a.perf_n, "", 0)
            warm(addrs)
            pd = os.path.join(a.out, "perf.data")
            subprocess.run(["perf", "record", "-e", "cpu-clock", "-F",
                            "2000", "-g", "-o", pd] + host +
                           ["lookup", "--json"] + [x for x, _ in addrs],
                           stdout=subprocess.DEVNULL,
                           stderr=subprocess.DEVNULL, env=env)
            r = subprocess.run(["perf", "report", "-i", pd, "--stdio",
                                "--no-children", "--sort", "dso,symbol",
                                "-g", "none", "--percent-limit", "0.7"],
                               capture_output=True, text=True)
            print("=== perf cpu-clock N=%d (self time) ===" % a.perf_n)
            print("\n".join(l for l in r.stdout.splitlines()
                            if l and not l.startswith("#")))


if __name__ == "__main__":
    main()
