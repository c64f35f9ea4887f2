"""A scriptable DNS responder on loopback, for resolver fault injection.

Python 3 standard library only.  It is NOT a resolver: it answers every
query from a script the test writes, keyed by one label of the query name
(by default the label before the last two, so that
"<hash>._smimecert.<case>.fault.test" selects script["<case>"]).  It
speaks UDP and TCP on the same port and misbehaves on request in the
ways real servers never do (RFC 1035 4.1 framing broken on purpose).

    with FaultDNS({"refused": Fault(rcode=5)}) as dns:
        dns.address            # "127.0.0.1:PORT"
        dns.count("refused")   # queries seen for that case (UDP + TCP)

A Fault says what to send back:
    drop=True             never answer (UDP and TCP)
    delay=S               wait S seconds before answering (UDP)
    rcode=N               RCODE of the answer (default 0)
    ad=True               set the AD bit
    ede=(code, text)      add an RFC 8914 Extended DNS Error option
    records=[rdata, ...]  SMIMEA (type 53) answer RRs
    wrong_id=True         answer with another query id
    wrong_question=True   answer with another question name
    spoof_first=True      with wrong_id/wrong_question: send the bad
                          answer, then the right one
    tc=True               UDP answer has TC=1 and no records
    tc="both"             TC=1 over TCP as well
    tcp="answer"|"reset"|"split"|"drop"
                          over TCP: answer normally, reset the connection
                          (SO_LINGER 0) after reading the query, send the
                          answer in 1-byte segments (TCP_NODELAY,
                          split_delay seconds apart), or never answer
    tcp_delay=S           over TCP: wait S seconds after reading the query
                          before answering or resetting
    raw=callable(query_id, question_bytes) -> bytes
                          the whole message (for malformed answers)
"""

import socket
import struct
import threading
import time

TYPE_SMIMEA = 53
TYPE_OPT = 41


class Fault:
    def __init__(self, drop=False, delay=0.0, rcode=0, ad=False, ede=None,
                 records=None, wrong_id=False, wrong_question=False,
                 spoof_first=False, tc=False, tcp="answer", raw=None,
                 aa=False, split_delay=0.0005, tcp_delay=0.0):
        self.drop = drop
        self.delay = delay
        self.rcode = rcode
        self.ad = ad
        self.ede = ede
        self.records = list(records or [])
        self.wrong_id = wrong_id
        self.wrong_question = wrong_question
        self.spoof_first = spoof_first
        self.tc = tc
        self.tcp = tcp
        self.raw = raw
        self.aa = aa
        self.split_delay = split_delay
        self.tcp_delay = tcp_delay


def parse_query(msg):
    """(id, flags, qname labels, question bytes incl. type/class, has_opt)
    or None for something that is not a query we understand."""
    if len(msg) < 12:
        return None
    qid, flags, qd, an, ns, ar = struct.unpack("!HHHHHH", msg[:12])
    if qd != 1:
        return None
    pos = 12
    labels = []
    while True:
        if pos >= len(msg):
            return None
        n = msg[pos]
        if n == 0:
            pos += 1
            break
        if n & 0xC0:
            return None         # queries are never compressed
        labels.append(msg[pos + 1:pos + 1 + n].decode("ascii", "replace"))
        pos += 1 + n
    if pos + 4 > len(msg):
        return None
    question = msg[12:pos + 4]
    return qid, flags, labels, question, ar > 0


def encode_name(labels):
    out = b""
    for lab in labels:
        b = lab.encode("ascii")
        out += bytes([len(b)]) + b
    return out + b"\0"


def opt_rr(ede=None, udp=1232):
    """An OPT pseudo-RR (RFC 6891 6.1.2), DO set, optionally with EDE."""
    rdata = b""
    if ede is not None:
        code, text = ede
        body = struct.pack("!H", code) + text.encode("utf-8")
        rdata = struct.pack("!HH", 15, len(body)) + body
    return (b"\0" + struct.pack("!HHIH", TYPE_OPT, udp, 0x00008000,
                                len(rdata)) + rdata)


def smimea(usage, selector, matching, data):
    return bytes([usage, selector, matching]) + data


def build(qid, question, fault, tc=False, flags_rd=True):
    """A response to `question` (the raw question bytes) per `fault`."""
    flags = 0x8000                      # QR
    if fault.aa:
        flags |= 0x0400
    if tc:
        flags |= 0x0200
    if flags_rd:
        flags |= 0x0100 | 0x0080        # RD, RA
    if fault.ad:
        flags |= 0x0020
    flags |= fault.rcode & 0xF
    answers = b""
    nan = 0
    if not tc:
        for rd in fault.records:
            # owner: a pointer to the question name at offset 12
            answers += (b"\xc0\x0c" + struct.pack("!HHIH", TYPE_SMIMEA, 1,
                                                  300, len(rd)) + rd)
            nan += 1
    hdr = struct.pack("!HHHHHH", qid, flags, 1, nan, 0, 1)
    return hdr + question + answers + opt_rr(fault.ede)


def other_question(question):
    """The same question for another name (first label changed)."""
    n = question[0]
    label = bytearray(question[1:1 + n])
    label[0] = ord("z") if label[0] != ord("z") else ord("y")
    return bytes([n]) + bytes(label) + question[1 + n:]


class FaultDNS:
    """UDP + TCP responder on host:port (port 0: any free port)."""

    def __init__(self, script, host="127.0.0.1", label_index=-3):
        self.script = dict(script)
        self.host = host
        self.label_index = label_index
        self.counts = {}
        self.tcp_counts = {}
        self.log = []
        self._lock = threading.Lock()
        self._stop = threading.Event()
        self._threads = []
        self._conns = []
        self.udp = self.tcp = None
        self.address = None

    # -- lifecycle --
    def __enter__(self):
        for _ in range(50):
            t = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
            t.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
            t.bind((self.host, 0))
            port = t.getsockname()[1]
            u = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
            try:
                u.bind((self.host, port))
            except OSError:
                t.close()
                u.close()
                continue
            t.listen(64)
            t.settimeout(0.1)
            u.settimeout(0.1)
            self.tcp, self.udp = t, u
            self.address = "%s:%d" % (self.host, port)
            break
        else:
            raise RuntimeError("no free port for the fault responder")
        for fn in (self._serve_udp, self._serve_tcp):
            th = threading.Thread(target=fn, daemon=True)
            th.start()
            self._threads.append(th)
        return self

    def __exit__(self, *exc):
        self._stop.set()
        for th in self._threads:
            th.join(2)
        with self._lock:
            conns = list(self._conns)
        for s in conns + [self.udp, self.tcp]:
            try:
                s.close()
            except OSError:
                pass
        return False

    def reset_counts(self):
        with self._lock:
            self.counts.clear()
            self.tcp_counts.clear()

    def count(self, case):
        with self._lock:
            return self.counts.get(case, 0)

    def first_seen(self, case, since):
        """When the first query for case arrived at or after `since`
        (time.monotonic()), or None."""
        with self._lock:
            ts = [t for t, _, key in self.log if key == case and t >= since]
        return min(ts) if ts else None

    def tcp_count(self, case):
        with self._lock:
            return self.tcp_counts.get(case, 0)

    # -- helpers --
    def _lookup(self, labels):
        key = None
        if len(labels) >= -self.label_index:
            key = labels[self.label_index].lower()
        return key, self.script.get(key)

    def _note(self, key, proto):
        with self._lock:
            self.counts[key] = self.counts.get(key, 0) + 1
            if proto == "tcp":
                self.tcp_counts[key] = self.tcp_counts.get(key, 0) + 1
            self.log.append((time.monotonic(), proto, key))

    def _responses(self, q, fault, over_tcp):
        """The messages to send for one query, in order."""
        qid, flags, labels, question, _ = q
        if fault.raw is not None:
            return [fault.raw(qid, question)]
        good = build(qid, question, fault,
                     tc=fault.tc == "both" or (bool(fault.tc) and
                                               not over_tcp))
        bad = None
        if fault.wrong_id:
            bad = build(qid ^ 0x5A5A, question, fault)
        elif fault.wrong_question:
            bad = build(qid, other_question(question), fault)
        if bad is None:
            return [good]
        return [bad, good] if fault.spoof_first else [bad]

    # -- UDP --
    def _serve_udp(self):
        while not self._stop.is_set():
            try:
                msg, peer = self.udp.recvfrom(65535)
            except (socket.timeout, OSError):
                continue
            q = parse_query(msg)
            if q is None:
                continue
            key, fault = self._lookup(q[2])
            self._note(key, "udp")
            if fault is None:
                fault = Fault(rcode=5)      # REFUSED for unscripted names
            if fault.drop:
                continue
            out = self._responses(q, fault, False)
            if fault.delay > 0:
                th = threading.Timer(fault.delay, self._send_udp,
                                     (out, peer))
                th.daemon = True
                th.start()
            else:
                self._send_udp(out, peer)

    def _send_udp(self, msgs, peer):
        for m in msgs:
            try:
                self.udp.sendto(m, peer)
            except OSError:
                pass

    # -- TCP --
    def _serve_tcp(self):
        while not self._stop.is_set():
            try:
                c, _ = self.tcp.accept()
            except (socket.timeout, OSError):
                continue
            with self._lock:
                self._conns.append(c)
            th = threading.Thread(target=self._conn, args=(c,), daemon=True)
            th.start()

    def _recv_exact(self, c, n):
        buf = b""
        while len(buf) < n and not self._stop.is_set():
            try:
                chunk = c.recv(n - len(buf))
            except socket.timeout:
                continue
            except OSError:
                return None
            if not chunk:
                return None
            buf += chunk
        return buf if len(buf) == n else None

    def _conn(self, c):
        c.settimeout(0.2)
        c.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        while not self._stop.is_set():
            hdr = self._recv_exact(c, 2)
            if hdr is None:
                break
            msg = self._recv_exact(c, struct.unpack("!H", hdr)[0])
            if msg is None:
                break
            q = parse_query(msg)
            if q is None:
                break
            key, fault = self._lookup(q[2])
            self._note(key, "tcp")
            if fault is None:
                fault = Fault(rcode=5)
            if fault.drop or fault.tcp == "drop":
                continue
            if fault.tcp_delay > 0:
                # each connection has its own thread: others go on
                self._stop.wait(fault.tcp_delay)
            if fault.tcp == "reset":
                c.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER,
                             struct.pack("ii", 1, 0))
                c.close()
                return
            try:
                for m in self._responses(q, fault, True):
                    data = struct.pack("!H", len(m)) + m
                    if fault.tcp == "split":
                        for i in range(len(data)):
                            c.send(data[i:i + 1])
                            time.sleep(fault.split_delay)
                    else:
                        c.sendall(data)
            except OSError:
                break
        try:
            c.close()
        except OSError:
            pass
