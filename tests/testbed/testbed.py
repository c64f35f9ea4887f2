#!/usr/bin/python3
"""A throw-away DNSSEC test bed on 127.0.0.1: NSD (authoritative) + Unbound
(validating, stub zones pointing at NSD), with SMIMEA records (RFC 8162)
and freshly generated certificates.

Standard library only.  Tools needed: openssl, ldns-keygen, ldns-signzone,
nsd, unbound, dig.

    from testbed import Testbed
    with Testbed() as tb:
        tb.resolver                 # "127.0.0.1:PORT" of the validating Unbound
        tb.auth                     # "127.0.0.1:PORT" of NSD
        tb.cert_der("hugh@example.test")
        tb.owner("hugh@example.test")
        tb.run_host(["lookup", "--json", "hugh@example.test"])

Zones (see ZONE_NOTES below): example.test (signed), unsigned.test (no
signatures, no trust anchor), bogus.test (signed, but the trust anchor is
the DS of a key not in the zone), xn--bcher-kva.test (IDN, signed) and,
with bulk_found=N, bulk.test (signed; user0..userN-1 each with a 3 0 0
record of a certificate for that address).

Everything listens on 127.0.0.1 only; Unbound refuses every name outside
"test." so nothing ever leaves the machine.  Set DANE_SMIME_KEEP_TESTBED=1
to keep the temporary directory (configs, logs, keys, zones) for debugging.

Run this file directly to start a test bed and keep it up until Ctrl-C.
"""

import base64
import hashlib
import os
import shutil
import signal
import socket
import ssl
import subprocess
import sys
import tempfile
import threading
import time

__all__ = ["Testbed", "SilentResolver", "TestbedError", "owner_name",
           "free_port", "repo_root", "host_binary"]

TTL = 300
# RRSIG times are serial numbers (RFC 4034 3.1.5): keep expiry < 68 years
# ahead of inception, or validators see it as already expired.
EXPIRY = "20800101000000"
ALG = "ECDSAP256SHA256"
START_TIMEOUT = 10.0


class TestbedError(Exception):
    pass


def repo_root():
    return os.path.dirname(os.path.dirname(os.path.dirname(
        os.path.abspath(__file__))))


def host_binary():
    """Path of the dane-smime binary: $DANE_SMIME or build/host/dane-smime."""
    env = os.environ.get("DANE_SMIME")
    if env:
        return env
    return os.path.join(repo_root(), "build", "host", "dane-smime")


def idna_domain(domain):
    """A-label form of a domain (Python's codec is IDNA2003; fine for the
    names used here, e.g. buecher -> xn--bcher-kva)."""
    try:
        domain.encode("ascii")
        return domain.lower()
    except UnicodeEncodeError:
        return domain.encode("idna").decode("ascii").lower()


def owner_name(address):
    """RFC 8162 section 3: hex(SHA-256(local-part as UTF-8))[:56] (28
    octets), then _smimecert, then the domain (A-labels).  No trailing dot.
    The local-part is hashed exactly as given (no case mapping)."""
    local, _, domain = address.rpartition("@")
    if not local:
        raise ValueError("not an address: %r" % address)
    h = hashlib.sha256(local.encode("utf-8")).hexdigest()[:56]
    return "%s._smimecert.%s" % (h, idna_domain(domain))


def free_port():
    """A port that is free on 127.0.0.1 for both UDP and TCP right now."""
    for _ in range(50):
        t = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        u = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        try:
            t.bind(("127.0.0.1", 0))
            port = t.getsockname()[1]
            try:
                u.bind(("127.0.0.1", port))
            except OSError:
                continue
            return port
        finally:
            t.close()
            u.close()
    raise TestbedError("no free loopback port found")


def smimea_generic(usage, selector, matching, data):
    """RFC 3597 generic RDATA for type 53 (SMIMEA): 'TYPE53 \\# len hex'."""
    rdata = bytes([usage, selector, matching]) + bytes(data)
    return "TYPE53 \\# %d %s" % (len(rdata), rdata.hex())


class Cert:
    """One generated certificate."""

    def __init__(self, name, pem, der, spki, key_path, cert_path, emails,
                 issuer=None, is_ca=False):
        self.name = name
        self.issuer = issuer        # name of the issuing Cert, None: self
        self.is_ca = is_ca
        self.pem = pem
        self.der = der
        self.spki = spki            # SubjectPublicKeyInfo DER (selector 1)
        self.key_path = key_path
        self.cert_path = cert_path
        self.emails = emails        # what the SAN carries

    @property
    def sha256(self):
        return hashlib.sha256(self.der).hexdigest()

    @property
    def spki_sha256(self):
        return hashlib.sha256(self.spki).hexdigest()

    @property
    def b64(self):
        return base64.b64encode(self.der).decode("ascii")


# key name -> bits; several certificates may share a key
# (RSA-4096 generation costs ~1.3 s of CPU: one key serves both big certs.)
KEYS = {
    "hugh": 2048, "Hugh": 2048, "multi": 2048, "hashonly": 2048,
    "other": 2048, "big": 4096,
    # issue 3 (trust engine)
    # (ca2 shares hashonly's key and the CA-issued end entities multi's:
    # fewer RSA key generations; their SPKIs never meet in one test.)
    "ca": 2048, "weak": 1024,
}

# cert name -> (key, subject CN, SAN entries)
CERTS = {
    # cname@'s owner is a CNAME to hugh's: the certificate must carry
    # that address too to be usable for it (issue 3)
    "hugh": ("hugh", "hugh@example.test", ["email:hugh@example.test",
                                           "email:cname@example.test"]),
    "Hugh": ("Hugh", "Hugh@example.test", ["email:Hugh@example.test"]),
    "jorg": ("other", "j\u00f6rg@example.test",
             ["otherName:1.3.6.1.5.5.7.8.9;UTF8:j\u00f6rg@example.test"]),
    "big1": ("big", "big@example.test", ["email:big@example.test"]),
    "big2": ("big", "big@example.test (second)", ["email:big@example.test"]),
    "multi": ("multi", "multi@example.test", ["email:multi@example.test"]),
    "hashonly": ("hashonly", "hashonly@example.test",
                 ["email:hashonly@example.test"]),
    "odd": ("other", "odd@example.test", ["email:odd@example.test"]),
    "unsigned": ("other", "hugh@unsigned.test", ["email:hugh@unsigned.test"]),
    "bogus": ("other", "hugh@bogus.test", ["email:hugh@bogus.test"]),
    "idn": ("other", "hugh@b\u00fccher.test",
            ["email:hugh@xn--bcher-kva.test"]),
    "bulk": ("other", "user@bulk.test", ["email:user0@bulk.test"]),
}


# --- issue 3: certificates for the trust engine -----------------------
# One name per SMIMEA usage/selector/matching combination, each with
# exactly one record (see _make_zones): uUsSmM@example.test.
COMBO_ADDRESSES = ["u%ds%dm%d@example.test" % (u, s, m)
                   for u in range(4) for s in range(2) for m in range(3)]


def _email_sans(*addresses):
    return ["email:" + a for a in addresses]


# cert name -> spec.  Keys: key (KEYS), cn (default: first address), sans,
# issuer (None: self-signed with `openssl req -x509`; else the CA's cert
# name, signed with `openssl ca`), ca (CA:TRUE, keyCertSign), ku / eku
# (None: extension left out), days (validity from now) or start/end
# (fixed, "YYYYMMDDHHMMSSZ"; needs an issuer).
TRUST_CERTS = {
    # private CAs: both trusted (C,C,C) in the test NSS DB (tb.nss_db)
    "ca": dict(key="ca", cn="dane-smime test CA", ca=True,
               sans=_email_sans("ca@example.test")),
    "ca2": dict(key="hashonly", cn="dane-smime test CA 2", ca=True, sans=[]),
    # issued by ca: the end entity of the PKIX-EE/PKIX-TA/DANE-TA names
    "leaf": dict(key="multi", issuer="ca", sans=_email_sans(
        "pkix@example.test", "pkixta@example.test", "dane-ta@example.test",
        "ta-only@example.test")),
    # issued by ca: carries all 24 uUsSmM addresses
    "combo": dict(key="multi", issuer="ca", cn="combo@example.test",
                  sans=_email_sans(*COMBO_ADDRESSES)),
    # issued by ca2 (also trusted), other key: matches none of the uUsSmM
    # records, so verifying it is the mismatch case of every combination
    "combo2": dict(key="other", issuer="ca2", cn="combo2@example.test",
                   sans=_email_sans(*COMBO_ADDRESSES)),
    "mismatch": dict(key="other", sans=_email_sans("mismatch@example.test")),
    "expired": dict(key="other", issuer="ca", start="20200101000000Z",
                    end="20210101000000Z",
                    sans=_email_sans("expired@example.test")),
    "future": dict(key="other", issuer="ca", start="20700101000000Z",
                   end="20800101000000Z",
                   sans=_email_sans("future@example.test")),
    "wrongeku": dict(key="other", eku="serverAuth",
                     sans=_email_sans("wrongeku@example.test")),
    "signonly": dict(key="other", ku="critical, digitalSignature",
                     sans=_email_sans("signonly@example.test")),
    "someone": dict(key="other",
                    sans=_email_sans("someone-else@example.test")),
    "roll-old": dict(key="other", days=400, cn="rollover@example.test (old)",
                     sans=_email_sans("rollover@example.test")),
    "roll-new": dict(key="multi", days=3650, cn="rollover@example.test (new)",
                     sans=_email_sans("rollover@example.test")),
    "spki": dict(key="multi", sans=_email_sans("spki@example.test")),
    "sha512": dict(key="other", sans=_email_sans("sha512@example.test")),
    "weak": dict(key="weak", sans=_email_sans("weak@example.test")),
    "dup": dict(key="other", sans=_email_sans("dup@example.test")),
    "wrongname": dict(key="other", sans=_email_sans(
        "wrongname@example.test", "wrongplain@example.test")),
    # not published anywhere: for `dane-smime record` round trips into
    # extra_zone_text of a second test bed (zone roundtrip.test)
    "roundtrip": dict(key="multi", sans=_email_sans(
        "pres@roundtrip.test", "generic@roundtrip.test",
        "spki@roundtrip.test")),
    "paste": dict(key="other", sans=_email_sans("paste@roundtrip.test")),
    # issue 13: an attacker's signed zone evil.test and a victim's
    # bank.test. v1/v2: no extensions at all (`openssl x509 -req`), the
    # address only in the subject; the others are v3 end entities whose
    # SAN or subject also names someone else.
    "mallet": dict(key="other", version=1, cn="mallet@evil.test",
                   subj_email="mallet@evil.test", sans=[]),
    "v2cert": dict(key="other", version=2, cn="v2@evil.test",
                   subj_email="v2@evil.test", sans=[]),
    "evilmulti": dict(key="other", sans=_email_sans(
        "multi@evil.test", "victim@bank.test")),
    "evilsame": dict(key="other", sans=_email_sans(
        "same@evil.test", "boss@evil.test")),
    "evilutf8": dict(key="other", sans=[
        "email:utf8@evil.test",
        "otherName:1.3.6.1.5.5.7.8.9;UTF8:j\u00f6rg@bank.test"]),
    "evilsubj": dict(key="other", sans=_email_sans("subj@evil.test"),
                     subj_email="victim@bank.test"),
    "pair": dict(key="other", sans=_email_sans(
        "pair1@evil.test", "pair2@evil.test")),
    "victim": dict(key="multi", sans=_email_sans("victim@bank.test")),
}

# issue 13: who publishes what in evil.test / bank.test (3 0 0 each)
EVIL_RECORDS = [
    ("mallet@evil.test", "mallet"), ("v2@evil.test", "v2cert"),
    ("multi@evil.test", "evilmulti"), ("same@evil.test", "evilsame"),
    ("utf8@evil.test", "evilutf8"), ("subj@evil.test", "evilsubj"),
    ("pair1@evil.test", "pair"), ("pair2@evil.test", "pair"),
    ("victim@bank.test", "victim"),
]

# Human-readable notes on what each test address is for.
ZONE_NOTES = {
    "hugh@example.test": "secure, one 3 0 0 RSA-2048 certificate",
    "absent@example.test": "secure NXDOMAIN (no record)",
    "nobody@example.test": "secure NXDOMAIN (no record)",
    "Hugh@example.test": "mixed case local-part: a different owner and cert",
    "j\u00f6rg@example.test": "UTF-8 local-part, SmtpUTF8Mailbox SAN",
    "big@example.test": "two 4096-bit 3 0 0 certs: > 1232 bytes, TC -> TCP",
    "multi@example.test": "3 0 0 cert + 3 1 1 SPKI hash + 3 0 1 cert hash",
    "hashonly@example.test": "only 3 1 1 (cannot discover a certificate)",
    "bad@example.test": "3 0 0 with garbage data",
    "odd@example.test": "usage 9 (unknown) with a certificate",
    "cname@example.test": "CNAME to hugh's owner name",
    "hugh@unsigned.test": "3 0 0 in an unsigned zone (insecure)",
    "hugh@bogus.test": "signed zone, trust anchor of another key (bogus)",
    "hugh@b\u00fccher.test": "IDN domain, queried as xn--bcher-kva.test",
    # issue 3 (certificate names: TRUST_CERTS; ca = private test CA)
    "uUsSmM@example.test": "24 names, one record each: usage U selector S "
                           "matching M of ca (U 0/2) or combo (U 1/3)",
    "pkix@example.test": "1 0 0 leaf (issued by ca: usable with tb.nss_db)",
    "pkixta@example.test": "0 0 0 ca + 0 0 0 leaf (PKIX-TA, EE published)",
    "dane-ta@example.test": "2 0 0 ca + 2 0 0 leaf (DANE-TA, EE published)",
    "ta-only@example.test": "2 0 0 ca only (lookup: unusable; verify leaf)",
    "ca@example.test": "3 0 0 of the CA certificate itself (ca-certificate)",
    "mismatch@example.test": "3 0 1 hash of hugh's cert (no-record-match)",
    "expired@example.test": "3 0 0 cert valid 2020..2021 (expired)",
    "future@example.test": "3 0 0 cert valid 2070..2080 (not-yet-valid)",
    "wrongeku@example.test": "3 0 0 cert with EKU serverAuth only",
    "signonly@example.test": "3 0 0 cert, KU digitalSignature only",
    "wrongaddr@example.test": "3 0 0 cert for someone-else@example.test",
    "rollover@example.test": "3 0 0 old (400 days) + 3 0 0 new (10 years)",
    "spki@example.test": "3 1 1 only (verify: found; lookup: unusable)",
    "sha512@example.test": "3 0 2 only (verify: found; lookup: unusable)",
    "weak@example.test": "3 0 0 RSA-1024 cert (weak-key)",
    "dup@example.test": "3 0 0 C + 1 0 0 C: one certificate in full twice",
    "wrongname@example.test": "record only at the SHA-224 label",
    "wrongplain@example.test": "record only at the plain local-part label",
    # issue 13 (attacker zone evil.test, victim zone bank.test)
    "mallet@evil.test": "3 0 0 of a v1 self-signed certificate (E= only)",
    "v2@evil.test": "3 0 0 of a v2 certificate (E= only)",
    "multi@evil.test": "3 0 0; SAN also victim@bank.test",
    "same@evil.test": "3 0 0; SAN also boss@evil.test (publishes nothing)",
    "utf8@evil.test": "3 0 0; also SmtpUTF8Mailbox j\u00f6rg@bank.test",
    "subj@evil.test": "3 0 0; subject emailAddress victim@bank.test",
    "pair1@evil.test": "3 0 0 of one certificate for pair1@ and pair2@, "
                       "both publish it (trusted)",
    "victim@bank.test": "3 0 0 of victim's own certificate",
}


def _run(argv, cwd=None, input=None):
    p = subprocess.run(argv, cwd=cwd, input=input, stdout=subprocess.PIPE,
                       stderr=subprocess.PIPE)
    if p.returncode != 0:
        raise TestbedError("%s failed (exit %d): %s" % (
            " ".join(argv), p.returncode,
            p.stderr.decode("utf-8", "replace").strip()))
    return p.stdout


def _run_parallel(jobs, cwd):
    """Run argv lists concurrently (at most 2x CPUs at once)."""
    limit = max(2, 2 * (os.cpu_count() or 1))
    pending = list(jobs)
    running = []
    errors = []
    while pending or running:
        while pending and len(running) < limit:
            argv = pending.pop(0)
            running.append((argv, subprocess.Popen(
                argv, cwd=cwd, stdout=subprocess.DEVNULL,
                stderr=subprocess.PIPE)))
        argv, p = running.pop(0)
        _, err = p.communicate()
        if p.returncode != 0:
            errors.append("%s: %s" % (" ".join(argv),
                                      err.decode("utf-8", "replace")))
    if errors:
        raise TestbedError("command(s) failed:\n" + "\n".join(errors))


def _openssl_conf(cn, sans, ca=False, ku=None, eku="emailProtection",
                  issued=False, subj_email=None):
    """openssl req config with the certificate extensions in [ext].
    Defaults: an e-mail end entity (CA:FALSE, digitalSignature +
    keyEncipherment, emailProtection).  ca=True: CA:TRUE, keyCertSign."""
    if ku is None:
        ku = ("critical, keyCertSign, cRLSign" if ca else
              "critical, digitalSignature, keyEncipherment")
    ext = ["basicConstraints = critical, CA:%s" % ("TRUE" if ca else "FALSE"),
           "keyUsage = %s" % ku]
    if eku and not ca:
        ext.append("extendedKeyUsage = %s" % eku)
    ext.append("subjectKeyIdentifier = hash")
    if issued:
        ext.append("authorityKeyIdentifier = keyid:always")
    if sans:
        ext.append("subjectAltName = @alt")
    return "\n".join([
        "[req]",
        "distinguished_name = dn",
        "x509_extensions = ext",
        "prompt = no",
        "utf8 = yes",
        "string_mask = utf8only",
        "[dn]",
        "O = dane-smime test bed",
        "CN = %s" % cn,
    ] + (["emailAddress = %s" % subj_email] if subj_email else []) + [
        "[ext]",
    ] + ext + ["[alt]"] + _san_lines(sans) + [""])


def _ca_conf(name, issuer_cert, issuer_key):
    """`openssl ca` config with a private database per certificate, so
    that several can be signed at once."""
    return "\n".join([
        "[ca]",
        "default_ca = d",
        "[d]",
        "database = %s.ca/index.txt" % name,
        "new_certs_dir = %s.ca" % name,
        "serial = %s.ca/serial" % name,
        "certificate = %s" % issuer_cert,
        "private_key = %s" % issuer_key,
        "default_md = sha256",
        "default_days = 3650",
        "policy = pol",
        "unique_subject = no",
        "copy_extensions = none",
        "string_mask = utf8only",
        "utf8 = yes",
        "[pol]",
        "organizationName = optional",
        "commonName = supplied",
        "",
    ])


def _run_dag(jobs, cwd):
    """Run jobs [(id, argv, [dependency ids])] concurrently (at most 2x
    CPUs at once), each as soon as its dependencies have finished; jobs
    start in list order, so put the long poles first."""
    limit = max(2, 2 * (os.cpu_count() or 1))
    pending = list(jobs)
    running = {}
    done = set()
    errors = []
    logdir = os.path.join(cwd, ".log")
    os.makedirs(logdir, exist_ok=True)
    while pending or running:
        for job in list(pending):
            if len(running) >= limit or errors:
                break
            jid, argv, deps = job
            if all(d in done for d in deps):
                pending.remove(job)
                errpath = os.path.join(logdir, jid.replace("/", "_") + ".err")
                with open(errpath, "wb") as err:
                    running[jid] = (argv, errpath, subprocess.Popen(
                        argv, cwd=cwd, stdout=subprocess.DEVNULL,
                        stderr=err, stdin=subprocess.DEVNULL))
        if not running:
            if pending and not errors:
                raise TestbedError("jobs with unmet dependencies: %s"
                                   % [j[0] for j in pending])
            break
        finished = [j for j, (_, _, p) in running.items()
                    if p.poll() is not None]
        if not finished:
            time.sleep(0.003)
            continue
        for jid in finished:
            argv, errpath, p = running.pop(jid)
            if p.returncode != 0:
                with open(errpath, "rb") as f:
                    errors.append("%s: %s" % (" ".join(argv), f.read().decode(
                        "utf-8", "replace")))
            else:
                done.add(jid)
    if errors:
        raise TestbedError("command(s) failed:\n" + "\n".join(errors))


def _san_lines(sans):
    """SAN entries as an [alt] section.  A section (not a comma list) so
    that FORMAT:UTF8 can be given: without it openssl reads an otherName
    UTF8 value byte by byte as Latin-1 and double-encodes it."""
    out = []
    for i, san in enumerate(sans):
        kind, value = san.split(":", 1)
        if kind == "otherName":
            oid, v = value.split(";UTF8:", 1)
            value = "%s;FORMAT:UTF8,UTF8:%s" % (oid, v)
        out.append("%s.%d = %s" % (kind, i, value))
    return out


def _der_tlv(buf, pos):
    """(tag, content start, content end) of the DER TLV at pos."""
    tag = buf[pos]
    n = buf[pos + 1]
    pos += 2
    if n & 0x80:
        k = n & 0x7F
        n = int.from_bytes(buf[pos:pos + k], "big")
        pos += k
    return tag, pos, pos + n


def spki_of(der):
    """SubjectPublicKeyInfo DER of a certificate (RFC 5280 4.1):
    tbsCertificate = [0] version, serial, signature, issuer, validity,
    subject, subjectPublicKeyInfo, ..."""
    _, s, _ = _der_tlv(der, 0)          # Certificate
    _, pos, _ = _der_tlv(der, s)        # tbsCertificate
    skip = 5
    if der[pos] == 0xA0:                # explicit version
        skip = 6
    for _ in range(skip):
        _, _, pos = _der_tlv(der, pos)
    _, _, end = _der_tlv(der, pos)
    return der[pos:end]


# --- DER re-encoding and RSA signing, for many certificates quickly ----
# bulk.test needs one certificate per address (issue 3: the address must
# be in the certificate, and DS_MAX_CERT_EMAILS bounds one certificate):
# 1000 `openssl` runs would take a minute, so the bulk certificates are
# the openssl-made template with another serial and SAN.  Re-signing in
# Python (RFC 8017 8.2 RSASSA-PKCS1-v1_5, SHA-256, CRT) costs ~8 ms each
# here, so by default (bulk_signed=False) the template's signature is
# kept: invalid, which DANE-EE never looks at (the record pins the
# certificate itself, RFC 7671 5.1); bulk_signed=True signs properly.

def _der_len(n):
    if n < 0x80:
        return bytes([n])
    b = n.to_bytes((n.bit_length() + 7) // 8, "big")
    return bytes([0x80 | len(b)]) + b


def _der(tag, content):
    return bytes([tag]) + _der_len(len(content)) + content


def _der_children(buf):
    """[(tag, content)] of the TLVs that fill buf."""
    out = []
    pos = 0
    while pos < len(buf):
        tag, s, e = _der_tlv(buf, pos)
        out.append((tag, buf[s:e]))
        pos = e
    return out


def _der_int(v):
    b = v.to_bytes(v.bit_length() // 8 + 1, "big")
    return _der(0x02, b)


class _RsaKey:
    """The private numbers of a PKCS#8 RSA key (PEM, from genpkey)."""

    def __init__(self, pem):
        der = _pem_to_der(pem, "PRIVATE KEY")
        info = _der_children(_der_children(der)[0][1])
        rsa = _der_children(_der_children(info[2][1])[0][1])
        v = [int.from_bytes(c, "big") for _, c in rsa]
        self.n, self.e, self.d, self.p, self.q, self.dp, self.dq, self.qi = (
            v[1:9])
        self.k = (self.n.bit_length() + 7) // 8

    def sign_sha256(self, data):
        prefix = bytes.fromhex("3031300d060960864801650304020105000420")
        t = prefix + hashlib.sha256(data).digest()
        em = b"\x00\x01" + b"\xff" * (self.k - len(t) - 3) + b"\x00" + t
        m = int.from_bytes(em, "big")
        m1 = pow(m, self.dp, self.p)
        m2 = pow(m, self.dq, self.q)
        h = (self.qi * (m1 - m2)) % self.p
        return (m2 + h * self.q).to_bytes(self.k, "big")


def _resign_with_email(template_der, key, serial, old_email, new_email):
    """A copy of a self-signed certificate with another serial number and
    `old_email` replaced by `new_email` (in subjectAltName), re-signed
    with key (None: the template's signature, now invalid, is kept)."""
    cert = _der_children(template_der)[0][1]
    tbs, alg, oldsig = _der_children(cert)
    fields = _der_children(tbs[1])
    i = 1 if fields[0][0] == 0xA0 else 0
    fields[i] = (0x02, _der_int(serial)[2:])
    old = old_email.encode("ascii")
    new = new_email.encode("ascii")

    def rewrite(tag, content):
        if tag == 0x81 and content == old:      # rfc822Name [1] IA5String
            return _der(tag, new)
        if tag == 0x04 or tag & 0x20:           # OCTET STRING or constructed
            try:
                kids = _der_children(content)
            except (IndexError, ValueError):
                return _der(tag, content)
            if tag == 0x04 and not (kids and kids[0][0] == 0x30):
                return _der(tag, content)
            return _der(tag, b"".join(rewrite(t, c) for t, c in kids))
        return _der(tag, content)

    body = b"".join(rewrite(t, c) if n > i else _der(t, c)
                    for n, (t, c) in enumerate(fields))
    tbs_der = _der(0x30, body)
    if key is None:
        bits = oldsig[1]
    else:
        bits = b"\x00" + key.sign_sha256(tbs_der)
    return _der(0x30, tbs_der + _der(alg[0], alg[1]) + _der(0x03, bits))


def _as_version2(v1_der, key):
    """A v1 certificate (no version field) as v2: version [0] INTEGER 1
    put in front of the TBSCertificate (RFC 5280 4.1), re-signed."""
    cert = _der_children(v1_der)[0][1]
    tbs, alg, _ = _der_children(cert)
    body = _der(0xA0, _der_int(1)) + tbs[1]
    tbs_der = _der(0x30, body)
    bits = b"\x00" + key.sign_sha256(tbs_der)
    return _der(0x30, tbs_der + _der(alg[0], alg[1]) + _der(0x03, bits))


def _pem_to_der(pem, label):
    begin = "-----BEGIN %s-----" % label
    end = "-----END %s-----" % label
    s = pem.index(begin) + len(begin)
    e = pem.index(end, s)
    return base64.b64decode("".join(pem[s:e].split()))


class Zone:
    """Zone text builder."""

    def __init__(self, name, signed=True, bogus=False):
        self.name = name
        self.signed = signed
        self.bogus = bogus          # trust anchor will be an unrelated key
        self.lines = [
            "$ORIGIN %s." % name,
            "$TTL %d" % TTL,
            "@ IN SOA ns.%s. hostmaster.%s. 1 3600 600 86400 %d"
            % (name, name, TTL),
            "@ IN NS ns.%s." % name,
            "ns IN A 127.0.0.1",
        ]
        self.trust_anchor = None    # "name. IN DS ..." for Unbound

    def add(self, owner, rrtype_and_rdata):
        # Fully qualified names get their dot; others stay relative.
        if owner == self.name or owner.endswith("." + self.name):
            owner += "."
        self.lines.append("%s %d IN %s" % (owner, TTL, rrtype_and_rdata))

    def smimea(self, owner, usage, selector, matching, data):
        self.add(owner, smimea_generic(usage, selector, matching, data))

    def text(self):
        return "\n".join(self.lines) + "\n"


class Testbed:
    """Context manager: certificates, zones, NSD and a validating Unbound.

    Parameters:
      workdir      directory to use (default: a new temp dir, removed on exit
                   unless DANE_SMIME_KEEP_TESTBED=1; a given dir is kept)
      bulk_found   N > 0 adds bulk.test with user0..user{N-1}@bulk.test,
                   each a 3 0 0 record of its own certificate (the "bulk"
                   one re-issued for that address: tb.bulk_der(i))
      bulk_signed  re-sign those (slow); default: template signature kept
      extra_zones  {zone: [(local_part, usage, selector, matching, bytes)]}
                   more signed zones
      extra_zone_text  {zone: str or [lines]} raw zone-file text appended
                   before signing (e.g. `dane-smime record` output); a zone
                   not otherwise served is created (signed)
      certs_from   a running Testbed whose certificates and NSS DB to
                   reuse (no key/certificate generation: starts faster)
      verbose      print timing to stderr
    """

    def __init__(self, workdir=None, bulk_found=0, extra_zones=None,
                 verbose=False, extra_zone_text=None, certs_from=None,
                 bulk_signed=False):
        self._given_workdir = workdir
        self.bulk_found = int(bulk_found)
        self.bulk_signed = bulk_signed
        self.extra_zones = dict(extra_zones or {})
        self.extra_zone_text = dict(extra_zone_text or {})
        self.certs_from = certs_from
        self.nss_db = None          # "sql:DIR": ca + ca2 trusted C,C,C
        self.bulk_ders = []         # DER for user{i}@bulk.test
        self.nss_config_path = None  # config_path plus nss_db = ...
        self.verbose = verbose
        self.workdir = None
        self.certs = {}             # cert name -> Cert
        self._addr_cert = {}        # address -> [cert name, ...]
        self.zones = {}             # zone name -> Zone
        self._procs = {}            # "nsd"/"unbound" -> (Popen, stderr path)
        self.nsd_port = None
        self.unbound_port = None
        self.resolver = None
        self.auth = None
        self.config_path = None
        self.probe_name = "example.test"
        self.startup_seconds = None
        self.timings = {}

    # --- public helpers -------------------------------------------------

    def owner(self, address):
        return owner_name(address)

    def certs_for(self, address):
        """All Cert objects published (as 3 0 0) for an address."""
        return [self.certs[n] for n in self._cert_names(address)]

    def cert(self, address):
        return self.certs_for(address)[0]

    def cert_pem(self, address):
        return self.cert(address).pem

    def cert_der(self, address):
        return self.cert(address).der

    def chain_path(self, *names):
        """A PEM file holding the named certificates in that order (e.g.
        chain_path("combo", "ca"): end entity first, then its chain)."""
        path = os.path.join(self.workdir, "chain-%s.pem" % "+".join(names))
        with open(path, "w", encoding="ascii") as f:
            f.write("".join(self.certs[n].pem for n in names))
        return path

    def der_path(self, name):
        """The named certificate as a DER file."""
        path = os.path.join(self.workdir, "%s.der" % name)
        with open(path, "wb") as f:
            f.write(self.certs[name].der)
        return path

    def write_config(self, path=None, extra=None, resolvers=None,
                     probe=True):
        """Write a dane-smime config file pointing at Unbound (and with
        probe_name = a signed test name, since Unbound here refuses every
        name outside test.); `extra` is a dict or list of (key, value)
        lines appended.  Returns the path."""
        if path is None:
            path = os.path.join(self.workdir, "dane-smime-%d.conf"
                                % time.monotonic_ns())
        lines = ["# written by tests/testbed"]
        for r in (resolvers if resolvers is not None else [self.resolver]):
            lines.append("resolver = %s" % r)
        if probe:
            lines.append("probe_name = %s" % self.probe_name)
        if isinstance(extra, dict):
            extra = list(extra.items())
        for k, v in extra or []:
            lines.append("%s = %s" % (k, v))
        with open(path, "w", encoding="utf-8") as f:
            f.write("\n".join(lines) + "\n")
        return path

    def host_argv(self, args, config=None, binary=None):
        return [binary or host_binary(), "--config",
                config or self.config_path] + list(args)

    def run_host(self, args, config=None, input=None, timeout=60,
                 binary=None, env=None):
        """Run the host binary with --config (default: one pointing at
        Unbound).  Returns subprocess.CompletedProcess (bytes)."""
        e = dict(os.environ)
        e.pop("DANE_SMIME_CONFIG", None)
        if env:
            e.update(env)
        argv = self.host_argv(args, config, binary)
        p = subprocess.run(argv,
                           input=input, stdout=subprocess.PIPE,
                           stderr=subprocess.PIPE, timeout=timeout, env=e)
        if os.environ.get("DANE_SMIME_TRANSCRIPT"):
            # tests/transcript: the protocol output, recorded for a
            # before/after comparison.
            sys.path.insert(0, os.path.dirname(os.path.dirname(
                os.path.abspath(__file__))))
            from transcript import transcript
            rec = transcript.start(argv)
            rec.wrote(input.encode("utf-8") if isinstance(input, str)
                      else input)
            rec.read(p.stdout)
            rec.rc = p.returncode
        return p

    def dig(self, name, rrtype="TYPE53", server=None, extra=()):
        """dig output (text) for name at Unbound (default)."""
        host, port = (server or self.resolver).rsplit(":", 1)
        argv = ["dig", "@" + host, "-p", port, name, rrtype, "+dnssec",
                "+time=2", "+tries=1"] + list(extra)
        return subprocess.run(argv, stdout=subprocess.PIPE,
                              stderr=subprocess.STDOUT,
                              timeout=15).stdout.decode("utf-8", "replace")

    def log(self, which):
        """Captured stderr of 'nsd' or 'unbound' so far."""
        p = self._procs.get(which)
        if not p:
            return ""
        try:
            with open(p[1], "r", encoding="utf-8", errors="replace") as f:
                return f.read()
        except OSError:
            return ""

    # --- context manager ------------------------------------------------

    def __enter__(self):
        try:
            self.start()
        except BaseException:
            self.stop()
            raise
        return self

    def __exit__(self, *exc):
        self.stop()
        return False

    def start(self):
        t0 = time.monotonic()
        self._install_sigterm()
        if self._given_workdir:
            self.workdir = os.path.abspath(self._given_workdir)
            os.makedirs(self.workdir, exist_ok=True)
        else:
            self.workdir = tempfile.mkdtemp(prefix="dane-smime-testbed-")
        self._step("certificates", self._make_certs)
        self._step("zones", self._make_zones)
        self._step("signing", self._sign_zones)
        self.nsd_port = free_port()
        self.unbound_port = free_port()
        while self.unbound_port == self.nsd_port:
            self.unbound_port = free_port()
        self.auth = "127.0.0.1:%d" % self.nsd_port
        self.resolver = "127.0.0.1:%d" % self.unbound_port
        self._step("daemons", self._start_daemons)
        self.config_path = self.write_config(
            os.path.join(self.workdir, "dane-smime.conf"))
        self.nss_config_path = self.write_config(
            os.path.join(self.workdir, "dane-smime-nss.conf"),
            extra={"nss_db": self.nss_db})
        self.startup_seconds = time.monotonic() - t0
        if self.verbose:
            sys.stderr.write("testbed: up in %.2f s (%s) in %s\n" % (
                self.startup_seconds,
                ", ".join("%s %.2f" % kv for kv in self.timings.items()),
                self.workdir))

    def _install_sigterm(self):
        # A test runner's timeout sends SIGTERM: turn it into SystemExit so
        # __exit__/tearDown stop the daemons instead of leaking them.
        self._old_sigterm = None
        if threading.current_thread() is not threading.main_thread():
            return
        if signal.getsignal(signal.SIGTERM) is not signal.SIG_DFL:
            return

        def on_term(signum, frame):
            raise SystemExit(128 + signum)
        self._old_sigterm = signal.signal(signal.SIGTERM, on_term)

    def stop(self):
        if getattr(self, "_old_sigterm", None) is not None:
            signal.signal(signal.SIGTERM, self._old_sigterm)
            self._old_sigterm = None
        for name in ("unbound", "nsd"):
            p = self._procs.get(name)
            if p:
                _terminate(p[0])
        if self.workdir and not self._given_workdir:
            if os.environ.get("DANE_SMIME_KEEP_TESTBED") == "1":
                sys.stderr.write("testbed: kept %s\n" % self.workdir)
            else:
                shutil.rmtree(self.workdir, ignore_errors=True)

    # --- internals ------------------------------------------------------

    def _step(self, name, fn):
        t = time.monotonic()
        fn()
        self.timings[name] = time.monotonic() - t

    def _cert_names(self, address):
        if address in self._addr_cert:
            return self._addr_cert[address]
        local, _, domain = address.rpartition("@")
        if idna_domain(domain) == "bulk.test" and local.startswith("user"):
            return ["bulk"]
        raise KeyError("no certificate for %r" % address)

    def _make_certs(self):
        if self.certs_from is not None:
            # Reuse another (running) test bed's certificates and NSS DB.
            self.certs = dict(self.certs_from.certs)
            self.nss_db = self.certs_from.nss_db
            return
        d = os.path.join(self.workdir, "certs")
        os.makedirs(d, exist_ok=True)
        specs = {}
        for name, (key, cn, sans) in CERTS.items():
            specs[name] = dict(key=key, cn=cn, sans=sans)
        specs.update(TRUST_CERTS)
        used = {sp["key"] for sp in specs.values()}
        # Biggest first: the 4096-bit key is the long pole; everything not
        # waiting for it runs meanwhile.
        jobs = [("key/" + k, ["openssl", "genpkey", "-algorithm", "RSA",
                              "-pkeyopt", "rsa_keygen_bits:%d" % KEYS[k],
                              "-out", k + ".key"], [])
                for k in sorted(used, key=lambda k: (-KEYS[k], k))]
        for name, sp in specs.items():
            key = sp["key"]
            sans = sp.get("sans", [])
            cn = sp.get("cn") or (sans[0].split(":", 1)[1] if sans else name)
            issuer = sp.get("issuer")
            with open(os.path.join(d, name + ".cnf"), "w",
                      encoding="utf-8") as f:
                f.write(_openssl_conf(cn, sans, ca=sp.get("ca", False),
                                      ku=sp.get("ku"),
                                      eku=sp.get("eku", "emailProtection"),
                                      issued=bool(issuer),
                                      subj_email=sp.get("subj_email")))
            if sp.get("version", 3) < 3:
                # `x509 -req` without -extfile writes a v1 certificate
                # (v2 is made from it below).
                jobs.append(("csr/" + name, [
                    "openssl", "req", "-new", "-config", name + ".cnf",
                    "-key", key + ".key", "-out", name + ".csr"],
                    ["key/" + key]))
                jobs.append(("cert/" + name, [
                    "openssl", "x509", "-req", "-in", name + ".csr",
                    "-signkey", key + ".key", "-sha256", "-days", "3650",
                    "-out", name + ".pem"], ["csr/" + name]))
                continue
            if not issuer:
                jobs.append(("cert/" + name, [
                    "openssl", "req", "-x509", "-new", "-config",
                    name + ".cnf", "-key", key + ".key", "-sha256", "-days",
                    str(sp.get("days", 3650)), "-out", name + ".pem"],
                    ["key/" + key]))
                continue
            ik = specs[issuer]["key"]
            if not sp.get("start"):
                # OpenSSL 3: req -x509 -CA signs with the issuer at once
                jobs.append(("cert/" + name, [
                    "openssl", "req", "-x509", "-new", "-config",
                    name + ".cnf", "-key", key + ".key", "-sha256", "-days",
                    str(sp.get("days", 3650)), "-CA", issuer + ".pem",
                    "-CAkey", ik + ".key", "-out", name + ".pem"],
                    ["key/" + key, "cert/" + issuer]))
                continue
            # Fixed dates in the past or future need `openssl ca`.
            cadir = os.path.join(d, name + ".ca")
            os.makedirs(cadir, exist_ok=True)
            open(os.path.join(cadir, "index.txt"), "w").close()
            with open(os.path.join(cadir, "serial"), "w") as f:
                f.write("%04X\n" % (0x1000 + len(jobs)))
            with open(os.path.join(d, name + ".ca.cnf"), "w") as f:
                f.write(_ca_conf(name, issuer + ".pem", ik + ".key"))
            jobs.append(("csr/" + name, [
                "openssl", "req", "-new", "-config", name + ".cnf", "-key",
                key + ".key", "-out", name + ".csr"], ["key/" + key]))
            jobs.append(("cert/" + name, [
                "openssl", "ca", "-batch", "-notext", "-utf8", "-preserveDN",
                "-config", name + ".ca.cnf", "-extfile", name + ".cnf",
                "-extensions", "ext", "-in", name + ".csr", "-out",
                name + ".pem", "-startdate", sp["start"], "-enddate",
                sp["end"]], ["csr/" + name, "cert/" + issuer]))
        # The test NSS DB: both private CAs trusted for everything, as a
        # Thunderbird profile would hold an imported company CA.
        nssdir = os.path.join(self.workdir, "nssdb")
        os.makedirs(nssdir, exist_ok=True)
        self.nss_db = "sql:" + nssdir
        jobs.append(("nss/init", ["certutil", "-N", "--empty-password",
                                  "-d", self.nss_db], []))
        prev = "nss/init"
        for ca, nick in (("ca", "testca"), ("ca2", "testca2")):
            jobs.append(("nss/" + ca, ["certutil", "-A", "-d", self.nss_db,
                                       "-n", nick, "-t", "C,C,C", "-i",
                                       os.path.join(d, ca + ".pem")],
                         [prev, "cert/" + ca]))
            prev = "nss/" + ca
        _run_dag(jobs, cwd=d)
        for name, sp in specs.items():
            key = sp["key"]
            sans = sp.get("sans", [])
            path = os.path.join(d, name + ".pem")
            with open(path, "r", encoding="ascii") as f:
                pem = f.read()
            # `openssl ca -notext` still writes only the PEM block
            pem = pem[pem.index("-----BEGIN CERTIFICATE-----"):]
            der = ssl.PEM_cert_to_DER_cert(pem)
            if sp.get("version") == 2:
                with open(os.path.join(d, key + ".key"), "r",
                          encoding="ascii") as f:
                    der = _as_version2(der, _RsaKey(f.read()))
                pem = ssl.DER_cert_to_PEM_cert(der)
                with open(path, "w", encoding="ascii") as f:
                    f.write(pem)
            emails = [s.split(":", 1)[1] if s.startswith("email:")
                      else s.rsplit(";UTF8:", 1)[1] for s in sans]
            if sp.get("subj_email"):
                emails.append(sp["subj_email"])
            self.certs[name] = Cert(name, pem, der, spki_of(der),
                                    os.path.join(d, key + ".key"), path,
                                    emails, issuer=sp.get("issuer"),
                                    is_ca=sp.get("ca", False))

    def _make_zones(self):
        c = self.certs
        ex = Zone("example.test")
        o = owner_name
        ex.smimea(o("hugh@example.test"), 3, 0, 0, c["hugh"].der)
        ex.smimea(o("Hugh@example.test"), 3, 0, 0, c["Hugh"].der)
        ex.smimea(o("j\u00f6rg@example.test"), 3, 0, 0, c["jorg"].der)
        ex.smimea(o("big@example.test"), 3, 0, 0, c["big1"].der)
        ex.smimea(o("big@example.test"), 3, 0, 0, c["big2"].der)
        m = c["multi"]
        ex.smimea(o("multi@example.test"), 3, 0, 0, m.der)
        ex.smimea(o("multi@example.test"), 3, 1, 1,
                  hashlib.sha256(m.spki).digest())
        ex.smimea(o("multi@example.test"), 3, 0, 1,
                  hashlib.sha256(m.der).digest())
        ex.smimea(o("hashonly@example.test"), 3, 1, 1,
                  hashlib.sha256(c["hashonly"].spki).digest())
        ex.smimea(o("bad@example.test"), 3, 0, 0,
                  b"this is not a certificate, just garbage \x00\x01\x02"
                  + bytes(range(0x30, 0x60)))
        ex.smimea(o("odd@example.test"), 9, 0, 0, c["odd"].der)
        ex.add(o("cname@example.test"), "CNAME %s." % o("hugh@example.test"))
        ex.add("www", "A 127.0.0.1")
        self._trust_records(ex)
        self._addr_cert.update({
            "hugh@example.test": ["hugh"],
            "Hugh@example.test": ["Hugh"],
            "j\u00f6rg@example.test": ["jorg"],
            "big@example.test": ["big1", "big2"],
            "multi@example.test": ["multi"],
            "hashonly@example.test": ["hashonly"],
            "odd@example.test": ["odd"],
            "cname@example.test": ["hugh"],
            "hugh@unsigned.test": ["unsigned"],
            "hugh@bogus.test": ["bogus"],
            "hugh@b\u00fccher.test": ["idn"],
            "hugh@xn--bcher-kva.test": ["idn"],
        })
        un = Zone("unsigned.test", signed=False)
        un.smimea(o("hugh@unsigned.test"), 3, 0, 0, c["unsigned"].der)
        bo = Zone("bogus.test", bogus=True)
        bo.smimea(o("hugh@bogus.test"), 3, 0, 0, c["bogus"].der)
        idn = Zone("xn--bcher-kva.test")
        idn.smimea(o("hugh@xn--bcher-kva.test"), 3, 0, 0, c["idn"].der)
        zones = [ex, un, bo, idn]
        # issue 13: the attacker's and the victim's signed zones
        evil, bank = Zone("evil.test"), Zone("bank.test")
        for address, name in EVIL_RECORDS:
            z = evil if address.endswith("@evil.test") else bank
            z.smimea(o(address), 3, 0, 0, c[name].der)
            self._addr_cert[address] = [name]
        zones += [evil, bank]
        if self.bulk_found > 0:
            bu = Zone("bulk.test")
            for i, der in enumerate(self._bulk_ders()):
                bu.add(o("user%d@bulk.test" % i),
                       smimea_generic(3, 0, 0, der))
            zones.append(bu)
        for zname, recs in self.extra_zones.items():
            z = Zone(zname)
            for local, u, s, m, data in recs:
                z.smimea(o("%s@%s" % (local, zname)), u, s, m, data)
            zones.append(z)
        byname = {z.name: z for z in zones}
        for zname, text in self.extra_zone_text.items():
            z = byname.get(zname)
            if z is None:
                z = byname[zname] = Zone(zname)
                zones.append(z)
            if isinstance(text, str):
                text = text.splitlines()
            z.lines.extend(text)
        d = os.path.join(self.workdir, "zones")
        os.makedirs(d, exist_ok=True)
        for z in zones:
            with open(os.path.join(d, z.name + ".zone"), "w",
                      encoding="ascii") as f:
                f.write(z.text())
            self.zones[z.name] = z

    def _bulk_ders(self):
        """user{i}@bulk.test: the "bulk" certificate re-issued for each
        address (see _resign_with_email)."""
        if len(self.bulk_ders) >= self.bulk_found:
            return self.bulk_ders[:self.bulk_found]
        t = self.certs["bulk"]
        key = None
        if self.bulk_signed:
            with open(t.key_path, "r", encoding="ascii") as f:
                key = _RsaKey(f.read())
        ders = [t.der]
        for i in range(1, self.bulk_found):
            ders.append(_resign_with_email(t.der, key, 0x10000 + i,
                                           "user0@bulk.test",
                                           "user%d@bulk.test" % i))
        self.bulk_ders = ders
        return ders

    def bulk_der(self, i):
        """DER of the certificate published for user{i}@bulk.test."""
        return self._bulk_ders()[i]

    def _trust_records(self, ex):
        """Issue 3 names in example.test (see ZONE_NOTES, README)."""
        c = self.certs
        o = owner_name

        def data(cert, selector, matching):
            d = cert.der if selector == 0 else cert.spki
            if matching == 1:
                return hashlib.sha256(d).digest()
            if matching == 2:
                return hashlib.sha512(d).digest()
            return d

        # One record per name and combination: usages 0 and 2 name the
        # CA (the trust anchor), 1 and 3 the end entity "combo".
        for addr in COMBO_ADDRESSES:
            u, sel, m = int(addr[1]), int(addr[3]), int(addr[5])
            target = c["ca"] if u in (0, 2) else c["combo"]
            ex.smimea(o(addr), u, sel, m, data(target, sel, m))
        ex.smimea(o("pkix@example.test"), 1, 0, 0, c["leaf"].der)
        # RFC 8162 lookups need the end entity itself somewhere in the set
        # to discover it; with usages 0/2 it is published as a full
        # certificate under the same usage next to the CA.
        ex.smimea(o("pkixta@example.test"), 0, 0, 0, c["ca"].der)
        ex.smimea(o("pkixta@example.test"), 0, 0, 0, c["leaf"].der)
        ex.smimea(o("dane-ta@example.test"), 2, 0, 0, c["ca"].der)
        ex.smimea(o("dane-ta@example.test"), 2, 0, 0, c["leaf"].der)
        ex.smimea(o("ta-only@example.test"), 2, 0, 0, c["ca"].der)
        ex.smimea(o("ca@example.test"), 3, 0, 0, c["ca"].der)
        ex.smimea(o("mismatch@example.test"), 3, 0, 1,
                  hashlib.sha256(c["hugh"].der).digest())
        for n in ("expired", "future", "wrongeku", "signonly", "weak"):
            ex.smimea(o("%s@example.test" % n), 3, 0, 0, c[n].der)
        ex.smimea(o("wrongaddr@example.test"), 3, 0, 0, c["someone"].der)
        # the old one first in the zone: order must come from not_after
        ex.smimea(o("rollover@example.test"), 3, 0, 0, c["roll-old"].der)
        ex.smimea(o("rollover@example.test"), 3, 0, 0, c["roll-new"].der)
        ex.smimea(o("spki@example.test"), 3, 1, 1,
                  hashlib.sha256(c["spki"].spki).digest())
        ex.smimea(o("sha512@example.test"), 3, 0, 2,
                  hashlib.sha512(c["sha512"].der).digest())
        # "Duplicates": identical RRs cannot coexist in an RRset (RFC 2181
        # 5), so this is the same certificate in full twice.
        ex.smimea(o("dup@example.test"), 3, 0, 0, c["dup"].der)
        ex.smimea(o("dup@example.test"), 1, 0, 0, c["dup"].der)
        # Records at the names popular how-tos get wrong, none at the
        # right name (RFC 8162 3: SHA-256 truncated to 28 octets).  A full
        # 64-hex SHA-256 label cannot exist: labels are <= 63 octets (RFC
        # 1035 2.3.4).  SHA-224 gives 56 hex digits too: the usual mix-up.
        wn = c["wrongname"].der
        ex.smimea("%s._smimecert.example.test" % hashlib.sha224(
            b"wrongname").hexdigest(), 3, 0, 0, wn)
        ex.smimea("wrongplain._smimecert.example.test", 3, 0, 0, wn)
        m = self._addr_cert
        for a in ("pkix", "pkixta", "dane-ta", "ta-only"):
            m[a + "@example.test"] = ["leaf"]
        for a in COMBO_ADDRESSES:
            m[a] = ["combo"]
        for n in ("mismatch", "expired", "future", "wrongeku", "signonly",
                  "spki", "sha512", "weak", "dup", "wrongname"):
            m[n + "@example.test"] = [n]
        m["wrongplain@example.test"] = ["wrongname"]
        m["ca@example.test"] = ["ca"]
        m["wrongaddr@example.test"] = ["someone"]
        m["rollover@example.test"] = ["roll-new", "roll-old"]
        m["pres@roundtrip.test"] = ["roundtrip"]
        m["generic@roundtrip.test"] = ["roundtrip"]
        m["spki@roundtrip.test"] = ["roundtrip"]
        m["paste@roundtrip.test"] = ["paste"]

    def _sign_zones(self):
        d = os.path.join(self.workdir, "zones")
        # Key generation is quick (ECDSA); signing runs in parallel.
        jobs = []
        for z in self.zones.values():
            if not z.signed:
                continue
            ksk = _run(["ldns-keygen", "-r", "/dev/urandom", "-a", ALG, "-k",
                        z.name], cwd=d).decode().strip()
            zsk = _run(["ldns-keygen", "-r", "/dev/urandom", "-a", ALG,
                        z.name], cwd=d).decode().strip()
            anchor_key = ksk
            if z.bogus:
                # A KSK that is never published: its DS as trust anchor
                # makes the zone's real DNSKEY set unverifiable -> bogus.
                anchor_key = _run(["ldns-keygen", "-r", "/dev/urandom", "-a",
                                   ALG, "-k", z.name], cwd=d).decode().strip()
            with open(os.path.join(d, anchor_key + ".ds"), "r") as f:
                ds = f.read().split()
            # "name. [ttl] IN DS tag alg digesttype digest"
            i = ds.index("DS")
            z.trust_anchor = "%s IN DS %s" % (ds[0], " ".join(ds[i + 1:]))
            jobs.append(["ldns-signzone", "-e", EXPIRY, "-f",
                         z.name + ".zone.signed", z.name + ".zone", zsk, ksk])
        _run_parallel(jobs, cwd=d)

    def _zonefile(self, z):
        return os.path.join(self.workdir, "zones", z.name + ".zone"
                            + (".signed" if z.signed else ""))

    def _start_daemons(self):
        w = self.workdir
        nsd_conf = os.path.join(w, "nsd.conf")
        lines = [
            "server:",
            "    ip-address: 127.0.0.1@%d" % self.nsd_port,
            "    do-ip4: yes",
            "    do-ip6: no",
            '    username: ""',
            '    chroot: ""',
            '    zonesdir: "%s"' % w,
            '    pidfile: "%s"' % os.path.join(w, "nsd.pid"),
            '    database: ""',
            '    xfrdfile: "%s"' % os.path.join(w, "nsd-xfrd.state"),
            '    xfrdir: "%s"' % w,
            '    zonelistfile: "%s"' % os.path.join(w, "nsd-zone.list"),
            "    server-count: 1",
            "    verbosity: 1",
            "    hide-version: yes",
            "    rrl-ratelimit: 0",
            "    rrl-whitelist-ratelimit: 0",
            "    tcp-count: 200",
            "remote-control:",
            "    control-enable: no",
        ]
        for z in self.zones.values():
            lines += ["zone:", "    name: %s" % z.name,
                      '    zonefile: "%s"' % self._zonefile(z)]
        with open(nsd_conf, "w", encoding="ascii") as f:
            f.write("\n".join(lines) + "\n")

        ub_conf = os.path.join(w, "unbound.conf")
        lines = [
            "server:",
            "    interface: 127.0.0.1@%d" % self.unbound_port,
            "    port: %d" % self.unbound_port,
            "    do-ip4: yes",
            "    do-ip6: no",
            "    do-udp: yes",
            "    do-tcp: yes",
            "    access-control: 127.0.0.0/8 allow",
            "    do-not-query-localhost: no",
            '    username: ""',
            '    chroot: ""',
            '    directory: "%s"' % w,
            '    pidfile: "%s"' % os.path.join(w, "unbound.pid"),
            "    use-syslog: no",
            '    logfile: ""',
            "    verbosity: 1",
            "    num-threads: 1",
            "    so-reuseport: no",
            "    module-config: \"validator iterator\"",
            "    ede: yes",
            "    val-log-level: 2",
            "    qname-minimisation: no",
            "    harden-dnssec-stripped: yes",
            "    edns-buffer-size: 1232",
            "    max-udp-size: 1232",
            "    trust-anchor-signaling: no",
            "    root-key-sentinel: no",
            "    num-queries-per-thread: 4096",
            "    outgoing-range: 8192",
            "    so-rcvbuf: 4m",
            "    so-sndbuf: 4m",
            "    cache-max-ttl: 300",
            # Nothing outside test. is ever resolved: no traffic leaves
            # the machine.  "test." overrides the built-in RFC 6761 zone.
            '    local-zone: "." refuse',
            '    local-zone: "test." transparent',
        ]
        for z in self.zones.values():
            if z.trust_anchor:
                lines.append('    trust-anchor: "%s"' % z.trust_anchor)
        lines += ["remote-control:", "    control-enable: no"]
        for z in self.zones.values():
            lines += ["stub-zone:", '    name: "%s"' % z.name,
                      "    stub-addr: 127.0.0.1@%d" % self.nsd_port]
        with open(ub_conf, "w", encoding="ascii") as f:
            f.write("\n".join(lines) + "\n")

        self._spawn("nsd", ["nsd", "-d", "-c", nsd_conf])
        self._spawn("unbound", ["unbound", "-d", "-c", ub_conf])
        deadline = time.monotonic() + START_TIMEOUT
        self._wait_for("nsd", self.auth, "example.test", deadline,
                       want_ad=False)
        self._wait_for("unbound", self.resolver, "example.test", deadline,
                       want_ad=True)

    def _spawn(self, name, argv):
        errpath = os.path.join(self.workdir, name + ".stderr")
        err = open(errpath, "wb")
        try:
            p = subprocess.Popen(argv, stdin=subprocess.DEVNULL,
                                 stdout=err, stderr=subprocess.STDOUT,
                                 cwd=self.workdir, start_new_session=True)
        finally:
            err.close()
        self._procs[name] = (p, errpath)

    def _wait_for(self, name, server, qname, deadline, want_ad):
        host, port = server.rsplit(":", 1)
        p = self._procs[name][0]
        last = ""
        while True:
            if p.poll() is not None:
                raise TestbedError("%s exited with %d during start-up:\n%s"
                                   % (name, p.returncode, self.log(name)))
            r = subprocess.run(["dig", "@" + host, "-p", port, qname, "SOA",
                                "+dnssec", "+time=1", "+tries=1"],
                               stdout=subprocess.PIPE,
                               stderr=subprocess.STDOUT)
            last = r.stdout.decode("utf-8", "replace")
            if r.returncode == 0 and "status: NOERROR" in last:
                flags = _dig_flags(last)
                if not want_ad or "ad" in flags:
                    return
            if time.monotonic() > deadline:
                raise TestbedError(
                    "%s did not answer on %s within %.0f s.\nlast dig:\n%s\n"
                    "nsd stderr:\n%s\nunbound stderr:\n%s" % (
                        name, server, START_TIMEOUT, last,
                        self.log("nsd"), self.log("unbound")))
            time.sleep(0.05)


def _dig_flags(out):
    for line in out.splitlines():
        if line.startswith(";; flags:"):
            return line.split(":", 1)[1].split(";", 1)[0].split()
    return []


def _terminate(p):
    if p.poll() is not None:
        return
    try:
        p.send_signal(signal.SIGTERM)
        p.wait(timeout=2)
    except subprocess.TimeoutExpired:
        p.kill()
        p.wait(timeout=5)
    except ProcessLookupError:
        pass


class SilentResolver:
    """A 'resolver' on 127.0.0.1 that accepts UDP and TCP and never answers
    (for timeout tests).  `address` is "127.0.0.1:PORT"; `udp_count` and
    `tcp_count` count what arrived."""

    def __init__(self):
        self.udp = None
        self.tcp = None
        self.address = None
        self.udp_count = 0
        self.tcp_count = 0
        self._conns = []
        self._stop = threading.Event()
        self._thread = None

    def __enter__(self):
        for _ in range(50):
            t = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
            t.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
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
            t.settimeout(0.1)
            u.settimeout(0.1)
            self.tcp, self.udp = t, u
            self.address = "127.0.0.1:%d" % port
            break
        else:
            raise TestbedError("no free port for the silent resolver")
        self._thread = threading.Thread(target=self._serve, daemon=True)
        self._thread.start()
        return self

    def _serve(self):
        while not self._stop.is_set():
            try:
                self.udp.recvfrom(65536)
                self.udp_count += 1
            except (socket.timeout, OSError):
                pass
            try:
                c, _ = self.tcp.accept()
                self.tcp_count += 1
                self._conns.append(c)   # hold it open, never answer
            except (socket.timeout, OSError):
                pass

    def __exit__(self, *exc):
        self._stop.set()
        if self._thread:
            self._thread.join(2)
        for s in self._conns + [self.udp, self.tcp]:
            try:
                s.close()
            except OSError:
                pass
        return False


def main(argv):
    import argparse
    ap = argparse.ArgumentParser(description="run the DNS test bed until "
                                 "interrupted")
    ap.add_argument("--bulk", type=int, default=0,
                    help="add userN@bulk.test addresses")
    ap.add_argument("--workdir")
    a = ap.parse_args(argv)
    with Testbed(workdir=a.workdir, bulk_found=a.bulk, verbose=True) as tb:
        print("resolver (Unbound): %s" % tb.resolver)
        print("auth (NSD):         %s" % tb.auth)
        print("config:             %s" % tb.config_path)
        print("workdir:            %s" % tb.workdir)
        for addr, note in ZONE_NOTES.items():
            print("  %-24s %s" % (addr, note))
        print("example: dig @127.0.0.1 -p %d %s TYPE53 +dnssec"
              % (tb.unbound_port, tb.owner("hugh@example.test")))
        print("Ctrl-C to stop.")
        sys.stdout.flush()
        try:
            while True:
                time.sleep(3600)
        except KeyboardInterrupt:
            pass
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
