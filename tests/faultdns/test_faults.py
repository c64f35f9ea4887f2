#!/usr/bin/python3
"""Resolver fault injection: the real binary against faultdns.py.

Each case scripts one misbehaviour of "the resolver" for one name
(a@<case>.fault.test), runs a native-messaging lookup for it, and checks
the documented verdict (host/PROTOCOL.md: status, dnssec, error.code,
ede), that it arrives within the configured time bound
    timeout_ms x (2^attempts - 1) + slack
(c-ares doubles the per-try timeout on each round over the servers), that
nothing untrustworthy is ever "secure", and that the host still answers
a hello afterwards in the same session.

Run:  python3 tests/faultdns/test_faults.py
Binary: $DANE_SMIME or build/host/dane-smime.  $FAULT_TIMEOUT_MS (the
configured timeout_ms, default 300; every scripted delay scales with it)
and $FAULT_SLACK (seconds, default 1.0) are for slow runs: under valgrind
use FAULT_TIMEOUT_MS=2000 FAULT_SLACK=20.  Last line of
stdout: "N passed, N failed"; exit status 1 on failure.
"""

import hashlib
import os
import socket
import struct
import sys
import time
import unittest

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
sys.path.insert(0, os.path.join(os.path.dirname(HERE), "hostile"))
import nm  # noqa: E402
from faultdns import Fault, FaultDNS, smimea  # noqa: E402

TIMEOUT_MS = int(os.environ.get("FAULT_TIMEOUT_MS", "300"))
ATTEMPTS = 2
BOUND = TIMEOUT_MS * (2 ** ATTEMPTS - 1) / 1000.0
SLACK = float(os.environ.get("FAULT_SLACK", "1.0"))

# A SPKI SHA-256 record: well-formed, never yields a certificate, so a
# secure answer is "unusable" and an untrusted one "insecure".
REC = smimea(3, 1, 1, hashlib.sha256(b"faultdns").digest())
# 40 such records: a ~1.9 kB answer, more than the 1232 bytes asked for.
BIG = [smimea(3, 1, 1, hashlib.sha256(b"big%d" % i).digest())
       for i in range(40)]


def comp_loop(qid, question):
    """An answer whose owner name is a compression pointer to itself
    (RFC 1035 4.1.4 pointers must point backwards; this one loops)."""
    hdr = struct.pack("!HHHHHH", qid, 0x81A0, 1, 1, 0, 0)
    off = len(hdr) + len(question)
    rr = (struct.pack("!H", 0xC000 | off) +
          struct.pack("!HHIH", 53, 1, 300, len(REC)) + REC)
    return hdr + question + rr


def comp_loop2(qid, question):
    """Two pointers pointing at each other, behind a label."""
    hdr = struct.pack("!HHHHHH", qid, 0x81A0, 1, 1, 0, 0)
    off = len(hdr) + len(question)
    name = b"\x01a" + struct.pack("!H", 0xC000 | (off + 4)) + \
        struct.pack("!H", 0xC000 | off)
    rr = name + struct.pack("!HHIH", 53, 1, 300, len(REC)) + REC
    return hdr + question + rr


def rdlength_beyond(qid, question):
    """RDLENGTH 500 with 10 bytes of RDATA left in the message."""
    hdr = struct.pack("!HHHHHH", qid, 0x81A0, 1, 1, 0, 0)
    rr = b"\xc0\x0c" + struct.pack("!HHIH", 53, 1, 300, 500) + REC[:10]
    return hdr + question + rr


def ancount_beyond(qid, question):
    """ANCOUNT 5, one answer RR present."""
    hdr = struct.pack("!HHHHHH", qid, 0x81A0, 1, 5, 0, 0)
    rr = b"\xc0\x0c" + struct.pack("!HHIH", 53, 1, 300, len(REC)) + REC
    return hdr + question + rr


def pointer_forward(qid, question):
    """An owner-name pointer beyond the end of the message."""
    hdr = struct.pack("!HHHHHH", qid, 0x81A0, 1, 1, 0, 0)
    rr = b"\xff\xff" + struct.pack("!HHIH", 53, 1, 300, len(REC)) + REC
    return hdr + question + rr


# case -> (Fault, expected fields of the result)
#   expected: status, dnssec, code (error.code or None), ede (code or None),
#   min (seconds the answer may not come before, e.g. a timeout)
T = TIMEOUT_MS / 1000.0
TRUSTED = {
    "silent": (Fault(drop=True),
               dict(status="error", dnssec="indeterminate", code="timeout",
                    min=BOUND * 0.9, queries=ATTEMPTS)),
    "latebefore": (Fault(delay=T * 0.7, ad=True, records=[REC]),
                   dict(status="unusable", dnssec="secure")),
    "lateduringretry": (Fault(delay=T * 1.5, ad=True, records=[REC]),
                        # the first try's answer arrives while the retry
                        # waits: it is the right answer, so it is used
                        dict(status="unusable", dnssec="secure")),
    "lateafter": (Fault(delay=BOUND + 0.5, ad=True, records=[REC]),
                  # the late answers reach the host after it gave up:
                  # wait for them before the hello
                  dict(status="error", dnssec="indeterminate",
                       code="timeout", min=BOUND * 0.9, settle=0.8)),
    "wrongid": (Fault(wrong_id=True, ad=True, records=[REC]),
                dict(status="error", dnssec="indeterminate", code="timeout",
                     min=BOUND * 0.9)),
    "wrongquestion": (Fault(wrong_question=True, ad=True, records=[REC]),
                      dict(status="error", dnssec="indeterminate",
                           code="timeout", min=BOUND * 0.9)),
    "spoofidfirst": (Fault(wrong_id=True, spoof_first=True, ad=True,
                           records=[REC]),
                     dict(status="unusable", dnssec="secure")),
    "spoofqfirst": (Fault(wrong_question=True, spoof_first=True, ad=True,
                          records=[REC]),
                    dict(status="unusable", dnssec="secure")),
    "refused": (Fault(rcode=5),
                dict(status="error", dnssec="indeterminate", code="refused")),
    "servfail": (Fault(rcode=2),
                 # a trusted validator's SERVFAIL without EDE: fail closed
                 dict(status="bogus", dnssec="bogus", code="dnssec-bogus")),
    "servfailede": (Fault(rcode=2, ede=(6, "signature invalid")),
                    dict(status="bogus", dnssec="bogus", code="dnssec-bogus",
                         ede=6)),
    "servfailedenet": (Fault(rcode=2, ede=(22, "no reachable authority")),
                       dict(status="error", dnssec="indeterminate",
                            code="servfail", ede=22)),
    "servfailad": (Fault(rcode=2, ad=True, records=[REC]),
                   dict(status="bogus", dnssec="bogus", code="dnssec-bogus")),
    "formerr": (Fault(rcode=1),
                dict(status="error", dnssec="indeterminate",
                     code="resolver-error")),
    "notimp": (Fault(rcode=4),
               dict(status="error", dnssec="indeterminate",
                    code="resolver-error")),
    "tcreset": (Fault(tc=True, tcp="reset", ad=True, records=[REC]),
                # every TCP connection for it is reset: only it fails
                dict(status="error", dnssec="indeterminate",
                     code="unreachable")),
    "tcresetlate": (Fault(tc=True, tcp="reset", tcp_delay=T * 0.2, ad=True,
                          records=[REC]),
                    # the same, while other TCP questions are on the wire
                    dict(status="error", dnssec="indeterminate",
                         code="unreachable")),
    "tcslow": (Fault(tc=True, tcp_delay=T * 0.5, ad=True, records=[REC]),
               dict(status="unusable", dnssec="secure", tcp=True)),
    "tclate": (Fault(delay=T * 2.5, tc=True, tcp="drop", ad=True,
                     records=[REC]),
               # TC arrives (for the first try) at 2.5 T, the TCP retry
               # gets no answer: the time bound counts from the first
               # send, so it ends at the bound, not T later
               dict(status="error", dnssec="indeterminate", code="timeout",
                    min=BOUND * 0.9, max=BOUND + T * 0.4, settle=T * 1.5)),
    "bigudp": (Fault(ad=True, records=BIG),
               # a UDP answer over our EDNS size without TC: c-ares cuts
               # it to 1232 bytes, so it must be asked again over TCP
               dict(status="unusable", dnssec="secure", tcp=True)),
    "tcsilent": (Fault(tc=True, tcp="drop", ad=True, records=[REC]),
                 dict(status="error", dnssec="indeterminate",
                      code="timeout")),
    "tcsplit": (Fault(tc=True, tcp="split", ad=True, records=[REC]),
                dict(status="unusable", dnssec="secure", tcp=True)),
    "tcdrip": (Fault(tc=True, tcp="split", split_delay=T / 40, ad=True,
                     records=[REC]),
               # a TCP answer dripping in slower than the timeout
               dict(status="error", dnssec="indeterminate", code="timeout")),
    "tcboth": (Fault(tc="both", ad=True, records=[REC]),
               dict(status="error", dnssec="indeterminate",
                    code="truncated")),
    "comploop": (Fault(raw=comp_loop),
                 dict(status="error", dnssec="indeterminate",
                      code="malformed-answer")),
    "comploop2": (Fault(raw=comp_loop2),
                  dict(status="error", dnssec="indeterminate",
                       code="malformed-answer")),
    "rdlength": (Fault(raw=rdlength_beyond),
                 dict(status="error", dnssec="indeterminate",
                      code="malformed-answer")),
    "ancount": (Fault(raw=ancount_beyond),
                dict(status="error", dnssec="indeterminate",
                     code="malformed-answer")),
    "ptrforward": (Fault(raw=pointer_forward),
                   dict(status="error", dnssec="indeterminate",
                        code="malformed-answer")),
    "shortrdata": (Fault(ad=True, records=[b"\x03\x00"]),
                   dict(status="unusable", dnssec="secure",
                        problem="short-rdata")),
    "secure": (Fault(ad=True, records=[REC]),
               dict(status="unusable", dnssec="secure")),
    "nxdomainad": (Fault(ad=True, rcode=3),
                   dict(status="absent", dnssec="secure")),
    "noad": (Fault(records=[REC]),
             dict(status="insecure", dnssec="insecure")),
}

# trust_ad = no: the AD bit of even a loopback resolver is ignored.
UNTRUSTED = {
    "untrustedad": (Fault(ad=True, records=[REC]),
                    dict(status="insecure", dnssec="insecure")),
    "untrustednx": (Fault(ad=True, rcode=3),
                    dict(status="insecure", dnssec="insecure")),
    "untrustedservfail": (Fault(rcode=2, ede=(6, "bogus")),
                          dict(status="error", dnssec="indeterminate",
                               code="servfail", ede=6)),
}


def address(case):
    return "a@%s.fault.test" % case


class Base(unittest.TestCase):
    maxDiff = 2000
    dns = None
    config = None

    @classmethod
    def serve(cls, faults, extra=(), **kw):
        """Starts the fault responder and a host config that uses it."""
        cls.dns = FaultDNS(faults, **kw).__enter__()
        cls.config = nm.write_config([("resolver", cls.dns.address),
                                      ("timeout_ms", str(TIMEOUT_MS)),
                                      ("attempts", str(ATTEMPTS))] +
                                     list(extra))

    @classmethod
    def tearDownClass(cls):
        if cls.dns is not None:
            cls.dns.__exit__(None, None, None)
        os.unlink(cls.config)

    def lookup_one(self, case, expect, sess=None):
        own = sess is None
        s = sess or nm.Session(self.config)
        try:
            req_id = "f-" + case
            addr = address(case)
            self.dns.reset_counts()
            t0 = time.monotonic()
            s.send({"type": "lookup", "id": req_id, "addresses": [addr]})
            r = s.recv(BOUND + SLACK + 5)
            t_end = time.monotonic()
            took = t_end - t0
            done = s.recv(5)
            self.assertEqual(r.get("type"), "result", r)
            self.assertEqual(r.get("address"), addr, r)
            self.assertEqual(done.get("type"), "done", done)
            self.assertEqual(done.get("count"), 1, done)
            self.assertEqual(r.get("status"), expect["status"], r)
            self.assertEqual(r.get("dnssec"), expect["dnssec"], r)
            code = expect.get("code")
            got = (r.get("error") or {}).get("code")
            if isinstance(code, tuple):
                self.assertIn(got, code, r)
            else:
                self.assertEqual(got, code, r)
            if "ede" in expect:
                self.assertEqual((r.get("ede") or {}).get("code"),
                                 expect["ede"], r)
            if "problem" in expect:
                self.assertIn(expect["problem"],
                              [(x.get("problem") or {}).get("code")
                               for x in r.get("records", [])], r)
            if expect["dnssec"] != "secure":
                self.assertNotEqual(r.get("status"), "found", r)
                for c in r.get("certificates", []):
                    self.assertFalse(c.get("usable"), r)
            self.assertLessEqual(took, BOUND + SLACK,
                                 "answer after %.2f s" % took)
            if "max" in expect:
                # from the first query the responder saw: the time the
                # host takes to start (valgrind) is not the resolver's
                first = self.dns.first_seen(case, t0)
                self.assertIsNotNone(first)
                self.assertLessEqual(t_end - first, expect["max"],
                                     "answer %.2f s after the first query"
                                     % (t_end - first))
            if "min" in expect:
                self.assertGreaterEqual(took, expect["min"],
                                        "answer after %.2f s" % took)
            if "queries" in expect:
                self.assertEqual(self.dns.count(case), expect["queries"])
            if expect.get("tcp"):
                self.assertGreaterEqual(self.dns.tcp_count(case), 1)
            time.sleep(expect.get("settle", 0))
            s.hello("after-" + case)
            if own:
                rc, _ = s.close(5)
                self.assertEqual(rc, 0, s.stderr())
            return r, took
        finally:
            if own:
                s.kill()


def make_test(case, expect):
    def test(self):
        self.lookup_one(case, expect)
    return test


class TestTrusted(Base):
    """trust_ad = auto, resolver 127.0.0.1: loopback, AD believed."""

    @classmethod
    def setUpClass(cls):
        cls.serve({k: v[0] for k, v in TRUSTED.items()})

    def test_hello_trusted(self):
        s = nm.Session(self.config)
        try:
            self.assertIs(s.hello("h").get("trusted"), True)
        finally:
            s.kill()

    def test_all_faults_one_session(self):
        # All at once in one session (concurrently): every address gets
        # exactly its verdict, the slowest within the bound.  The names
        # whose TCP connections are reset fail alone.
        s = nm.Session(self.config)
        cases = list(TRUSTED)
        try:
            addrs = [address(c) for c in cases]
            t0 = time.monotonic()
            s.send({"type": "lookup", "id": "all", "addresses": addrs})
            frames = s.recv_until_done("all", BOUND + SLACK + 5)
            took = time.monotonic() - t0
            got = {f["address"]: f for f in frames[:-1]}
            self.assertEqual(len(frames) - 1, len(addrs))
            self.assertEqual(sorted(got), sorted(addrs))
            self.assertEqual(frames[-1].get("count"), len(addrs))
            for c in cases:
                e = TRUSTED[c][1]
                r = got[address(c)]
                self.assertEqual((r["status"], r["dnssec"]),
                                 (e["status"], e["dnssec"]), r)
                self.assertEqual((r.get("error") or {}).get("code"),
                                 e.get("code"), r)
            self.assertLessEqual(took, BOUND + SLACK)
            s.hello("after-all")
        finally:
            s.kill()


    def concurrent(self, req_id, addrs):
        """Looks up addrs in one request; {address: result}, seconds."""
        s = nm.Session(self.config)
        try:
            t0 = time.monotonic()
            s.send({"type": "lookup", "id": req_id, "addresses": addrs})
            frames = s.recv_until_done(req_id, BOUND + SLACK + 5)
            took = time.monotonic() - t0
            got = {f["address"]: f for f in frames[:-1]}
            self.assertEqual(sorted(got), sorted(addrs))
            self.assertEqual(frames[-1].get("count"), len(addrs))
            s.hello("after-" + req_id)
            return got, took
        finally:
            s.kill()

    def check_verdict(self, r, case):
        e = TRUSTED[case][1]
        self.assertEqual((r["status"], r["dnssec"]),
                         (e["status"], e["dnssec"]), r)
        self.assertEqual((r.get("error") or {}).get("code"), e.get("code"), r)

    def test_reset_does_not_fail_others(self):
        # One name whose TCP connection is reset must not fail an
        # unrelated lookup waiting on UDP at the same time.
        got, took = self.concurrent("rs", [address("latebefore"),
                                           address("tcreset")])
        self.check_verdict(got[address("latebefore")], "latebefore")
        self.check_verdict(got[address("tcreset")], "tcreset")
        self.assertLessEqual(took, BOUND + SLACK)

    def test_reset_does_not_fail_tcp_others(self):
        # Several names whose TCP connections are reset (at once, and
        # while other TCP answers are still coming) next to several
        # whose answers need TCP or arrive late over UDP: each gets its
        # own verdict, within the bound.  Different local parts make
        # different questions (no coalescing).
        cases = ["tcslow", "tcsplit", "bigudp", "tcresetlate", "tcreset",
                 "latebefore", "secure"]
        addrs = {"%s@%s.fault.test" % (lp, c): c
                 for c in cases for lp in ("a", "b", "c", "d")}
        got, took = self.concurrent("rs2", list(addrs))
        for a, c in addrs.items():
            self.check_verdict(got[a], c)
        self.assertLessEqual(took, BOUND + SLACK)


class TestUnreachable(Base):
    """A resolver port where nothing listens (ICMP port unreachable)."""

    @classmethod
    def setUpClass(cls):
        u = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        u.bind(("127.0.0.1", 0))
        cls.port = u.getsockname()[1]
        u.close()
        cls.config = nm.write_config([("resolver", "127.0.0.1:%d" % cls.port),
                                      ("timeout_ms", str(TIMEOUT_MS)),
                                      ("attempts", str(ATTEMPTS))])

    @classmethod
    def tearDownClass(cls):
        os.unlink(cls.config)

    def test_closed_port(self):
        class NoDNS:
            def reset_counts(self):
                pass
        self.dns = NoDNS()
        self.lookup_one("closed", dict(status="error", dnssec="indeterminate",
                                       code="unreachable"))


class TestUntrusted(Base):
    """trust_ad = no on a loopback resolver: never secure."""

    @classmethod
    def setUpClass(cls):
        cls.serve({k: v[0] for k, v in UNTRUSTED.items()},
                  extra=[("trust_ad", "no")])

    def test_hello_untrusted(self):
        s = nm.Session(self.config)
        try:
            self.assertIs(s.hello("h").get("trusted"), False)
        finally:
            s.kill()


def non_loopback_ipv4():
    """An IPv4 address of this machine that is not 127/8, or None."""
    try:
        s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        s.connect(("192.0.2.1", 9))     # no packet is sent
        a = s.getsockname()[0]
        s.close()
    except OSError:
        return None
    return None if a.startswith("127.") or a == "0.0.0.0" else a


class TestNonLoopback(Base):
    """trust_ad = auto with a resolver that is not on loopback: the AD
    bit of the answer must not be believed."""

    @classmethod
    def setUpClass(cls):
        cls.host = non_loopback_ipv4()
        if cls.host is None:
            raise unittest.SkipTest("no non-loopback IPv4 address")
        cls.serve({"remotead": Fault(ad=True, records=[REC]),
                   "remotenx": Fault(ad=True, rcode=3)}, host=cls.host)

    def test_hello_not_trusted(self):
        s = nm.Session(self.config)
        try:
            self.assertIs(s.hello("h").get("trusted"), False)
        finally:
            s.kill()

    def test_remote_ad(self):
        self.lookup_one("remotead", dict(status="insecure",
                                         dnssec="insecure"))

    def test_remote_nxdomain_ad(self):
        self.lookup_one("remotenx", dict(status="insecure",
                                         dnssec="insecure"))


for _c, (_f, _e) in TRUSTED.items():
    setattr(TestTrusted, "test_" + _c, make_test(_c, _e))
for _c, (_f, _e) in UNTRUSTED.items():
    setattr(TestUntrusted, "test_" + _c, make_test(_c, _e))


if __name__ == "__main__":
    sys.exit(nm.main(__name__))
