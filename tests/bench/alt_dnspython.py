#!/usr/bin/python3
"""alt_dnspython.py - the Python script a person would write without
dane-smime: dnspython for DNS, cryptography for the certificate.

Per address, one after another (the obvious script): RFC 8162 section 3
owner name, a query with DO and AD to the validating resolver (TCP when
truncated), AD checked, each 3 0 0 certificate parsed, the address looked
for in subjectAltName, the validity dates checked.  One line per address:
ADDRESS STATUS (found | absent | unusable | insecure | bogus | error).

usage: /usr/bin/python3 alt_dnspython.py RESOLVER_IP PORT < addresses
(Debian packages python3-dnspython, python3-cryptography; bench only.)
"""
import datetime
import hashlib
import sys

import dns.flags
import dns.message
import dns.query
import dns.rcode
import dns.rdatatype
from cryptography import x509


def lookup(addr, ip, port, now):
    local, _, domain = addr.rpartition("@")
    h = hashlib.sha256(local.encode("utf-8")).hexdigest()[:56]
    name = "%s._smimecert.%s." % (h, domain.encode("idna").decode())
    q = dns.message.make_query(name, dns.rdatatype.SMIMEA,
                               want_dnssec=True, use_edns=0, payload=1232)
    q.flags |= dns.flags.AD
    try:
        r = dns.query.udp(q, ip, port=port, timeout=2.0)
        if r.flags & dns.flags.TC:
            r = dns.query.tcp(q, ip, port=port, timeout=2.0)
    except Exception:
        return "error"
    secure = bool(r.flags & dns.flags.AD)
    rc = r.rcode()
    if rc == dns.rcode.SERVFAIL:
        return "bogus"
    if rc == dns.rcode.NXDOMAIN:
        return "absent" if secure else "insecure"
    if rc != dns.rcode.NOERROR:
        return "error"
    found = False
    for rrset in r.answer:
        if rrset.rdtype != dns.rdatatype.SMIMEA:
            continue
        for rd in rrset:
            if (rd.usage, rd.selector, rd.mtype) != (3, 0, 0):
                continue
            try:
                c = x509.load_der_x509_certificate(rd.cert)
                san = c.extensions.get_extension_for_class(
                    x509.SubjectAlternativeName).value
                emails = san.get_values_for_type(x509.RFC822Name)
            except Exception:
                continue
            if (addr.lower() in (e.lower() for e in emails)
                    and c.not_valid_before <= now <= c.not_valid_after):
                found = True
    if not secure:
        return "insecure"
    return "found" if found else ("unusable" if r.answer else "absent")


def main():
    ip, port = sys.argv[1], int(sys.argv[2])
    now = datetime.datetime.utcnow()
    out = sys.stdout
    for line in sys.stdin:
        addr = line.strip()
        if addr:
            out.write("%s %s\n" % (addr, lookup(addr, ip, port, now)))


if __name__ == "__main__":
    main()
