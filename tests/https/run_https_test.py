#!/usr/bin/env python3
"""Runs the HTTPS fetch test driver (tests/unit/test_https.c) against real
HTTPS servers on 127.0.0.1: python's http.server with ssl, their
certificates from test CAs made here with openssl at test time.

  server "main"     localhost, certificate from CA A: the certificates
                    and every misbehaviour (redirects, sizes, slowness)
  server "mismatch" certificate from CA A for wrong.example (name mismatch)
  server "b"        localhost, certificate from CA B (another CA)
  "http"            a plain TCP listener that counts connections: an http
                    URL must be refused before any connection
  "closed"          a port nobody listens on

usage: run_https_test.py TEST_HTTPS_BINARY
After the driver ends, the servers' side is checked too: what was asked
how often (the redirect loop stops after 3 redirects, nothing reached the
http listener, no request got through the mismatching TLS).
"""
import collections
import http.server
import os
import socket
import ssl
import subprocess
import sys
import tempfile
import threading
import time

HERE = os.path.dirname(os.path.abspath(__file__))
FIXTURES = os.path.join(HERE, "..", "fixtures", "certs")
BODY_MAX = 64 * 1024
# As the driver: slower runs (valgrind) stretch the bounds alike.
TIME_SCALE = max(1.0, float(os.environ.get("DANE_SMIME_TIME_SCALE", "1")))

hits = collections.Counter()
hits_lock = threading.Lock()


def openssl(*args):
    subprocess.run(["openssl", *args], check=True, capture_output=True)


def make_ca(d, name):
    key, crt = os.path.join(d, name + ".key"), os.path.join(d, name + ".pem")
    openssl("req", "-x509", "-newkey", "ec", "-pkeyopt",
            "ec_paramgen_curve:P-256", "-nodes", "-keyout", key, "-out", crt,
            "-days", "2", "-subj", "/O=dane-smime tests/CN=HTTPS test " + name,
            "-addext", "basicConstraints=critical,CA:TRUE",
            "-addext", "keyUsage=critical,keyCertSign,cRLSign")
    return key, crt


def make_server_cert(d, name, ca, dns):
    key, csr = os.path.join(d, name + ".key"), os.path.join(d, name + ".csr")
    crt, ext = os.path.join(d, name + ".pem"), os.path.join(d, name + ".ext")
    with open(ext, "w") as f:
        f.write("subjectAltName=DNS:%s\nextendedKeyUsage=serverAuth\n"
                "basicConstraints=critical,CA:FALSE\n" % dns)
    openssl("req", "-new", "-newkey", "ec", "-pkeyopt",
            "ec_paramgen_curve:P-256", "-nodes", "-keyout", key, "-out", csr,
            "-subj", "/CN=" + dns)
    openssl("x509", "-req", "-in", csr, "-CA", ca[1], "-CAkey", ca[0],
            "-CAcreateserial", "-out", crt, "-days", "2", "-extfile", ext)
    return key, crt


def fixture(name):
    with open(os.path.join(FIXTURES, name), "rb") as f:
        return f.read()


PEM = fixture("chain.pem") + b"\n" + fixture("inter.pem")
DER = fixture("rsaleaf.der")


class Handler(http.server.BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def log_message(self, *args):
        pass

    def send(self, status, body, ctype="application/octet-stream"):
        self.send_response(status)
        self.send_header("Content-Type", ctype)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def redirect(self, status, location):
        self.send_response(status)
        self.send_header("Location", location)
        self.send_header("Content-Length", "0")
        self.end_headers()

    def do_GET(self):
        label, port = self.server.label, self.server.server_address[1]
        with hits_lock:
            hits[label + self.path] += 1
            if self.path.startswith("/loop/"):
                hits[label + "/loop"] += 1
        p = self.path
        if p == "/cert.pem":
            self.send(200, PEM, "application/x-pem-file")
        elif p == "/cert.der":
            self.send(200, DER, "application/pkix-cert")
        elif p == "/ua":
            # What the request carried, for the checks after the run.
            with hits_lock:
                hits["ua:" + self.headers.get("User-Agent", "")] += 1
                hits["cookie:" + self.headers.get("Cookie", "")] += 1
                hits["auth:" + self.headers.get("Authorization", "")] += 1
            self.send(404, b"")
        elif p == "/redirect-once":
            self.redirect(301, "/cert.pem")
        elif p.startswith("/loop/"):
            self.redirect(302, "/loop/%d" % (int(p[6:]) + 1))
        elif p == "/to-http":
            self.redirect(302, "http://localhost:%d/cert.pem"
                          % self.server.http_port)
        elif p == "/to-userinfo":
            self.redirect(307, "https://u:p@localhost:%d/cert.pem" % port)
        elif p == "/big":
            self.send(200, b"x" * (BODY_MAX + 1))
        elif p == "/big-stream":
            # No Content-Length: the body ends when the connection does,
            # so only the running count can stop it.
            self.send_response(200)
            self.send_header("Connection", "close")
            self.end_headers()
            self.close_connection = True
            try:
                for _ in range(80):
                    self.wfile.write(b"y" * 1024)
            except OSError:
                pass
        elif p == "/exact":
            self.send(200, b"z" * BODY_MAX)
        elif p == "/slow":
            time.sleep(5 * TIME_SCALE)
            try:
                self.send(200, PEM)
            except OSError:
                pass
        elif p == "/garbage":
            self.send(200, b"<html>this is not a certificate</html>\n",
                      "text/html")
        elif p == "/pem-broken":
            self.send(200, b"-----BEGIN CERTIFICATE-----\n!!!!\n"
                      b"-----END CERTIFICATE-----\n")
        else:
            self.send(404, b"not found\n", "text/plain")


def serve(label, cert, http_port):
    srv = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    srv.daemon_threads = True
    srv.label = label
    srv.http_port = http_port
    ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    ctx.load_cert_chain(cert[1], cert[0])
    srv.socket = ctx.wrap_socket(srv.socket, server_side=True)
    threading.Thread(target=srv.serve_forever, daemon=True).start()
    return srv


def counting_listener():
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    s.listen(8)
    count = [0]

    def run():
        while True:
            try:
                c, _ = s.accept()
            except OSError:
                return
            count[0] += 1
            c.close()
    threading.Thread(target=run, daemon=True).start()
    return s, count


def main():
    binary = sys.argv[1]
    with tempfile.TemporaryDirectory(prefix="dane-smime-https-") as d:
        ca_a, ca_b = make_ca(d, "ca-a"), make_ca(d, "ca-b")
        main_cert = make_server_cert(d, "main", ca_a, "localhost")
        mismatch_cert = make_server_cert(d, "mismatch", ca_a, "wrong.example")
        b_cert = make_server_cert(d, "b", ca_b, "localhost")
        http_sock, http_count = counting_listener()
        http_port = http_sock.getsockname()[1]
        srv_main = serve("main", main_cert, http_port)
        srv_mismatch = serve("mismatch", mismatch_cert, http_port)
        srv_b = serve("b", b_cert, http_port)
        closed = socket.socket()
        closed.bind(("127.0.0.1", 0))
        closed_port = closed.getsockname()[1]
        closed.close()
        args = [binary, ca_a[1], ca_b[1],
                str(srv_main.server_address[1]),
                str(srv_mismatch.server_address[1]),
                str(srv_b.server_address[1]), str(http_port),
                str(closed_port), FIXTURES]
        rc = subprocess.run(args, timeout=120 * TIME_SCALE).returncode
        bad = []
        with hits_lock:
            # /loop/0 and three redirects: /loop/1, /loop/2, /loop/3.
            if hits["main/loop"] != 4:
                bad.append("redirect loop: %d requests, want 4"
                           % hits["main/loop"])
            if hits["main/loop/4"] != 0:
                bad.append("a fourth redirect was followed")
            if sum(v for k, v in hits.items() if k.startswith("mismatch")):
                bad.append("a request got through a mismatching TLS name")
            if sum(v for k, v in hits.items() if k.startswith("b/")) != 1:
                bad.append("CA B server: want exactly the union fetch")
            ua = [k for k in hits if k.startswith("ua:")]
            if len(ua) != 1 or not ua[0].startswith("ua:dane-smime/"):
                bad.append("User-Agent: %r" % ua)
            if [k for k in hits if k.startswith("cookie:")] != ["cookie:"]:
                bad.append("a Cookie header was sent")
            if [k for k in hits if k.startswith("auth:")] != ["auth:"]:
                bad.append("an Authorization header was sent")
        if http_count[0] != 0:
            bad.append("the http listener saw %d connections, want 0"
                       % http_count[0])
        for b in bad:
            print("run_https_test: FAIL: " + b, file=sys.stderr)
        print("run_https_test: server side: %d checks failed" % len(bad))
        for s in (srv_main, srv_mismatch, srv_b):
            s.shutdown()
        http_sock.close()
        return 1 if rc != 0 or bad else 0


if __name__ == "__main__":
    sys.exit(main())
