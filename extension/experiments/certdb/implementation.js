/* The only privileged code of dane-smime: keep it this small.
 * Trust rules (shared/notes/thunderbird.md, host/PROTOCOL.md "import"):
 * PKIX-validated -> ",," (no trust flags); DANE-EE/DANE-TA on a
 * certificate that is not a CA -> ",C," (e-mail trust on that certificate
 * only: it does not extend to certificates its key signs); a CA never. */
/* global ChromeUtils, Cc, Ci, Services */
"use strict";

var { ExtensionCommon } = ChromeUtils.importESModule(
  "resource://gre/modules/ExtensionCommon.sys.mjs");

var { setTimeout, clearTimeout } = ChromeUtils.importESModule(
  "resource://gre/modules/Timer.sys.mjs");

const FIND_TIMEOUT_MS = 10000;

function certDB() {
  return Cc["@mozilla.org/security/x509certdb;1"].getService(Ci.nsIX509CertDB);
}

function hexFingerprint(cert) {
  return cert.sha256Fingerprint.replace(/:/g, "").toLowerCase();
}

function findBySha256(sha256) {
  for (const c of certDB().getCerts())
    if (hexFingerprint(c) === sha256)
      return c;
  return null;
}

// DER TLV at pos: [tag, contentStart, contentEnd] or null.
function tlv(b, pos, end) {
  if (pos + 2 > end)
    return null;
  const tag = b[pos];
  let len = b[pos + 1];
  let p = pos + 2;
  if (len & 0x80) {
    const n = len & 0x7f;
    if (n < 1 || n > 3 || p + n > end)
      return null;
    len = 0;
    for (let i = 0; i < n; i++)
      len = len * 256 + b[p++];
  }
  return p + len > end ? null : [tag, p, p + len];
}

// Whether the certificate may be a CA: RFC 5280 4.2.1.9 basicConstraints
// cA. Every occurrence of the extension's OID is examined and anything
// not clearly "cA absent or FALSE" counts as a CA, so a crafted
// certificate can only lose trust here, never gain it.
function mayBeCA(b) {
  const oid = [0x06, 0x03, 0x55, 0x1d, 0x13];
  for (let i = 0; i + oid.length <= b.length; i++) {
    if (!oid.every((v, k) => b[i + k] === v))
      continue;
    let p = i + oid.length;
    let t = tlv(b, p, b.length);
    if (t && t[0] === 0x01) {          // critical BOOLEAN
      p = t[2];
      t = tlv(b, p, b.length);
    }
    if (!t || t[0] !== 0x04)           // extnValue OCTET STRING
      return true;
    const seq = tlv(b, t[1], t[2]);
    if (!seq || seq[0] !== 0x30)
      return true;
    const first = tlv(b, seq[1], seq[2]);
    if (first && first[0] === 0x01 &&
        (first[2] - first[1] !== 1 || b[first[1]] !== 0))
      return true;
  }
  return false;
}

function findCert(email) {
  return new Promise((resolve) => {
    const timer = setTimeout(() => resolve({ found: false, timeout: true }),
      FIND_TIMEOUT_MS);
    const secure = Cc["@mozilla.org/messengercompose/composesecure;1"]
      .createInstance(Ci.nsIMsgComposeSecure);
    secure.asyncFindCertByEmailAddr(email, {
      findCertDone(addr, cert) {
        clearTimeout(timer);
        resolve(cert ? { found: true, sha256: hexFingerprint(cert),
          subject: cert.subjectName } : { found: false });
      },
    });
  });
}

var certdb = class extends ExtensionCommon.ExtensionAPI {
  getAPI() {
    return {
      certdb: {
        async importCertificate(der, sha256, basis) {
          sha256 = sha256.toLowerCase();
          const bytes = new Uint8Array(ChromeUtils.base64URLDecode(
            der.replace(/\+/g, "-").replace(/\//g, "_"), { padding: "ignore" }));
          if (mayBeCA(bytes))
            return { action: "refused", sha256, trust: null,
              reason: "a CA certificate never gets trust" };
          const trust = basis === "pkix" ? ",," : ",C,";
          const db = certDB();
          const existing = findBySha256(sha256);
          if (existing) {
            // ",C," is CA-type e-mail trust in NSS terms (CERTDB_TRUSTED_CA).
            if (trust === ",," || db.isCertTrusted(existing,
                Ci.nsIX509Cert.CA_CERT, Ci.nsIX509CertDB.TRUSTED_EMAIL))
              return { action: "unchanged", sha256, trust };
            // Thunderbird keeps the signer certificates of messages it
            // displayed, without trust: give exactly this one e-mail trust.
            db.setCertTrustFromString(existing, trust);
            return { action: "trusted", sha256, trust };
          }
          const cert = db.addCertFromBase64(der, trust);
          if (!cert || hexFingerprint(cert) !== sha256) {
            if (cert)
              db.deleteCertificate(cert);
            return { action: "refused", sha256, trust: null,
              reason: "the certificate is not the one the host judged" };
          }
          return { action: "added", sha256, trust };
        },
        async findCertForEmail(email) {
          return findCert(email.toLowerCase());
        },
        async deleteCertificate(sha256, keep) {
          const cert = findBySha256(sha256.toLowerCase());
          if (!cert)
            return false;
          if (keep)   // it was there before: only take our trust back
            certDB().setCertTrustFromString(cert, ",,");
          else
            certDB().deleteCertificate(cert);
          return true;
        },
        async profileDirectory() {
          return Services.dirsvc.get("ProfD", Ci.nsIFile).path;
        },
      },
    };
  }
};
