#!/usr/bin/env python3
"""Compares two transcript directories (tests/transcript/transcript.py):

    python3 tests/transcript/compare.py OLD NEW

Runs are matched by test program and number.  The argv, the stdin and
the exit status must be equal; the stdout is compared frame by frame
(native messaging: 4-byte length + JSON) or line by line (the CLI) after
normalising only what differs between two runs of the same binary:

  - temporary paths (/tmp/...), the test bed's ports (127.0.0.1:N),
  - key material, made afresh by every test bed (tests/testbed), and
    its sizes: hex strings of 16+ digits (and the 8 of a nickname), base64 of 60+
    characters,
  - times: RFC 3339 timestamps, "ttl"/"expires_in" seconds counting down,
    "signing_time" (messages signed at test time), the text mode's "TTL Ns" and "(N s)" figures,
  - Unbound's validation failure text (the failure it met first),
  - the order of frames/lines (answers to concurrent requests, and the
    addresses of one request, come in the order the resolver answers),
  - the order of an RRset (RFC 2181 5: a set; resolvers rotate it): a
    JSON frame's "records" and "certificates" arrays are sorted and the indices into them
    ("record", "certificate") masked; the frame's length after the
    substitutions is compared too, so a change of spacing or escaping
    still shows.

The host keeps an answer's SMIMEA records in canonical order (RFC 4034
6.3, host/dns/dnsmsg.c), so its verdicts and problems no longer depend on the
order a resolver lists them in (two DANE-TA records of dane-ta@example.test
used to give dane-ta-missing or dane-ta-invalid run to run).

Prints each differing run with a unified diff of its normalised output;
exit status 0 when there is none, 1 otherwise.
"""

import base64
import difflib
import json
import os
import re
import struct
import sys

SUBS = [
    (re.compile(r"\b[0-9a-fA-F]{16,}\b"), "HEX"),
    (re.compile(r"[A-Za-z0-9+/]{60,}={0,2}"), "B64"),
    (re.compile(r"\(([0-9a-f]{8})\)"), "(H8)"),
    # a record's data over several lines, its length and the last line's
    (re.compile(r"(HEX|B64)((\s|\\n|\\t)*(HEX|B64|[0-9a-fA-F]+\b))*"),
     "BLOB"),
    (re.compile(r"\\# \d+ BLOB"), "\\# N BLOB"),
    (re.compile(r"\b\d+ bytes\b"), "N bytes"),
    (re.compile(r"\bport \d+"), "port PORT"),
    # Unbound's extended error text names whichever failure it met first
    (re.compile(r"(validation failure <[^>]*>:)[^)\"]*"), r"\1 EDE"),
    (re.compile(r"/tmp/[A-Za-z0-9._/+-]*"), "/tmp/X"),
    (re.compile(r"(127\.0\.0\.1|localhost|\[::1\]|::1)([:@#])\d+"),
     r"\1\2PORT"),
    (re.compile(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?Z"), "TIME"),
    (re.compile(r'"(ttl|expires_in|remaining|age|signing_time)":\s*\d+'), r'"\1":0'),
    (re.compile(r"\b(TTL|ttl) \d+"), r"\1 N"),
    (re.compile(r"\b\d+ ?(s|ms|seconds)\b"), r"N \1"),
]


def blob(d):
    if "text" in d:
        return d["text"].encode("utf-8")
    return base64.b64decode(d["base64"])


def frames(b):
    """The frames of a native-messaging stream, or None."""
    out, i = [], 0
    while i < len(b):
        if i + 4 > len(b):
            return None
        (n,) = struct.unpack("=I", b[i:i + 4])
        if i + 4 + n > len(b):
            return None
        out.append(b[i + 4:i + 4 + n])
        i += 4 + n
    return out


def norm(text):
    for rx, rep in SUBS:
        text = rx.sub(rep, text)
    return text


def canon(v, key=None):
    if isinstance(v, list):
        items = [canon(x) for x in v]
        if key in ("records", "certificates"):
            items.sort(key=lambda x: json.dumps(x, ensure_ascii=False))
        return items
    if isinstance(v, dict):
        return {k: canon(x, k) for k, x in v.items()}
    if key in ("record", "certificate") and isinstance(v, int) and \
            not isinstance(v, bool):
        return "N"
    return v


def unit(x):
    t = norm(x.decode("utf-8", "replace"))
    try:
        obj = json.loads(t)
    except ValueError:
        return re.sub(r"\brecord \d+", "record N", t)
    compact = json.dumps(obj, ensure_ascii=False, separators=(",", ":"))
    return "%s %s" % ("compact" if compact == t else "spaced",
                      json.dumps(canon(obj), ensure_ascii=False,
                                 separators=(",", ":")))


def units(run):
    b = blob(run["stdout"])
    f = frames(b) if "native" in run["argv"] or any(
        a.endswith(".json") for a in run["argv"]) else None
    if f is None:
        f = b.split(b"\n")
    return sorted(unit(x) for x in f)


def load(d):
    runs = {}
    for prog in sorted(os.listdir(d)):
        p = os.path.join(d, prog)
        if not os.path.isdir(p):
            continue
        for name in sorted(os.listdir(p)):
            with open(os.path.join(p, name), encoding="utf-8") as f:
                runs["%s/%s" % (prog, name)] = json.load(f)
    return runs


def main():
    old, new = load(sys.argv[1]), load(sys.argv[2])
    bad = 0
    for k in sorted(set(old) | set(new)):
        a, b = old.get(k), new.get(k)
        if a is None or b is None:
            print("%s: only in %s" % (k, "new" if a is None else "old"))
            bad += 1
            continue
        why = []
        if [norm(x) for x in a["argv"][1:]] != [norm(x) for x in
                                              b["argv"][1:]]:
            why.append("argv %r != %r" % (a["argv"], b["argv"]))
        if norm(blob(a["stdin"]).decode("utf-8", "replace")) != norm(
                blob(b["stdin"]).decode("utf-8", "replace")):
            why.append("stdin differs")
        if a.get("rc") != b.get("rc"):
            why.append("exit status %r != %r" % (a.get("rc"), b.get("rc")))
        ua, ub = units(a), units(b)
        if ua != ub:
            why.append("stdout differs:\n" + "\n".join(difflib.unified_diff(
                ua, ub, "old", "new", lineterm="", n=0)))
        if why:
            bad += 1
            print("%s (%s):\n  %s" % (k, " ".join(a["argv"][1:])[:200],
                                      "\n  ".join(why)))
    print("%d runs compared, %d differ" % (len(set(old) | set(new)), bad))
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main())
