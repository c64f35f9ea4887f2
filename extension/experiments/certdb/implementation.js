/* The only privileged code of dane-smime, and the second line of defence.
 *
 * The host decides which trust a certificate may get (host/PROTOCOL.md,
 * "result": `trust` is ",C," or ",," or null); the add-on passes that
 * string on unchanged. This code never widens it and re-checks, with
 * NSS's own answers where Thunderbird 153 exposes them, what it can:
 *   bad-trust             trust is not exactly ",C," or ",,"
 *   bad-certificate       der is not one well-formed DER certificate
 *   sha256-mismatch       sha256 is not the SHA-256 of der (recomputed here)
 *   version-1-certificate, version-2-certificate
 *                         X.509 v1/v2: mozilla::pkix treats them as CAs
 *   ca-certificate        NSS's certType says CA (basicConstraints cA,
 *                         Netscape cert-type CA bits, a v1 root), or the
 *                         DER asserts cA, keyCertSign or Netscape CA bits
 *   built-in              a certificate of the built-in root module
 *   has-trust             the certificate is in the store with trust or
 *                         distrust someone else set (never changed)
 *   store-error           NSS refused the change
 *   not-ours              (undo) this add-on did not set that trust
 * A certificate already in the store is only touched when its trust is
 * provably empty: no isCertTrusted bit for any type, a certType that
 * comes from no trust flag, and no active distrust in a CA-usage
 * verification (measured on Thunderbird 153.8: isCertTrusted and
 * certType see ",p," (e-mail distrust) as no trust at all, while verifying
 * the certificate as an e-mail CA answers SEC_ERROR_UNTRUSTED_CERT for it,
 * as for "p,p,p"). Object-signing flags cannot be read at all (Gecko
 * ignores them).
 * What this add-on set is recorded in the profile (dane-smime-certdb.json)
 * so that undo removes exactly that and nothing else. */
/* global ChromeUtils, Cc, Ci, Services, IOUtils, PathUtils, dump */
"use strict";

var { ExtensionCommon } = ChromeUtils.importESModule(
  "resource://gre/modules/ExtensionCommon.sys.mjs");

var { setTimeout, clearTimeout } = ChromeUtils.importESModule(
  "resource://gre/modules/Timer.sys.mjs");

const FIND_TIMEOUT_MS = 10000;
const VERIFY_TIMEOUT_MS = 10000;
const MAX_CERT_BYTES = 65535;          // DS_MAX_CERT_BYTES in host/base/dslimits.h
const TRUST_STRINGS = [",C,", ",,"];
const BUILTIN_TOKEN = "Builtin Object Token";   // nssckbi's token
const SEC_ERROR_UNTRUSTED_CERT = -8171;         // SEC_ERROR_BASE + 21
const RECORD_FILE = "dane-smime-certdb.json";

function certDB() {
  return Cc["@mozilla.org/security/x509certdb;1"].getService(Ci.nsIX509CertDB);
}

function hexFingerprint(cert) {
  return cert.sha256Fingerprint.replace(/:/g, "").toLowerCase();
}

function sha256Hex(bytes) {
  const h = Cc["@mozilla.org/security/hash;1"].createInstance(Ci.nsICryptoHash);
  h.init(Ci.nsICryptoHash.SHA256);
  h.update(bytes, bytes.length);
  const bin = h.finish(false);
  let hex = "";
  for (let i = 0; i < bin.length; i++)
    hex += bin.charCodeAt(i).toString(16).padStart(2, "0");
  return hex;
}

function binaryString(bytes) {
  let s = "";
  for (let i = 0; i < bytes.length; i += 8192)
    s += String.fromCharCode.apply(null, bytes.subarray(i, i + 8192));
  return s;
}

function findBySha256(sha256) {
  for (const c of certDB().getCerts())
    if (hexFingerprint(c) === sha256)
      return c;
  return null;
}

class Refusal extends Error {
  constructor(code, message) {
    super(message);
    this.code = code;
  }
}

// --- The certificate's own claims (RFC 5280 4.1), read from the DER. -----
// NSS in Thunderbird 153 exposes neither the version nor the key usage, so
// those two come from this strict walker; it can only refuse, never allow:
// anything it does not understand is bad-certificate.

function tlv(b, pos, end) {
  if (pos + 2 > end)
    throw new Refusal("bad-certificate", "truncated DER");
  const tag = b[pos];
  let len = b[pos + 1];
  let p = pos + 2;
  if (len & 0x80) {
    const n = len & 0x7f;
    if (n < 1 || n > 3 || p + n > end)
      throw new Refusal("bad-certificate", "bad DER length");
    len = 0;
    for (let i = 0; i < n; i++)
      len = len * 256 + b[p++];
  }
  if (p + len > end)
    throw new Refusal("bad-certificate", "DER length past the end");
  return { tag, start: p, end: p + len };
}

function children(b, t) {
  const out = [];
  for (let p = t.start; p < t.end;) {
    const c = tlv(b, p, t.end);
    out.push(c);
    p = c.end;
  }
  return out;
}

function sameBytes(b, t, want) {
  return t.end - t.start === want.length &&
    want.every((v, i) => b[t.start + i] === v);
}

const OID_BASIC_CONSTRAINTS = [0x55, 0x1d, 0x13];                  // 2.5.29.19
const OID_KEY_USAGE = [0x55, 0x1d, 0x0f];                          // 2.5.29.15
const OID_NS_CERT_TYPE = [0x60, 0x86, 0x48, 0x01, 0x86, 0xf8, 0x42, 0x01, 0x01];

// {version, ca: null or why it is a CA}
function inspect(b) {
  const cert = tlv(b, 0, b.length);
  if (cert.tag !== 0x30 || cert.end !== b.length)
    throw new Refusal("bad-certificate", "not one DER certificate");
  const top = children(b, cert);
  if (top.length !== 3 || top[0].tag !== 0x30)
    throw new Refusal("bad-certificate", "not a certificate");
  const tbs = children(b, top[0]);
  let i = 0;
  let version = 1;
  if (tbs[0] && tbs[0].tag === 0xa0) {           // [0] EXPLICIT Version
    const v = children(b, tbs[0]);
    if (v.length !== 1 || v[0].tag !== 0x02 || v[0].end - v[0].start !== 1 ||
        b[v[0].start] > 2)
      throw new Refusal("bad-certificate", "bad version");
    version = b[v[0].start] + 1;
    i = 1;
  }
  // serial, signature, issuer, validity, subject, subjectPublicKeyInfo
  if (tbs.length < i + 6)
    throw new Refusal("bad-certificate", "short TBSCertificate");
  let ca = null;
  const seen = new Set();
  for (const t of tbs.slice(i + 6)) {
    if (t.tag === 0x81 || t.tag === 0x82) {     // unique identifiers (v2+)
      if (version < 2)
        throw new Refusal("bad-certificate", "unique identifier in a v1 certificate");
      continue;
    }
    if (t.tag !== 0xa3 || version < 3)
      throw new Refusal("bad-certificate", "unexpected field in TBSCertificate");
    const exts = children(b, t);
    if (exts.length !== 1 || exts[0].tag !== 0x30)
      throw new Refusal("bad-certificate", "bad extensions");
    for (const ext of children(b, exts[0])) {
      const parts = ext.tag === 0x30 ? children(b, ext) : [];
      if (parts.length < 2 || parts.length > 3 || parts[0].tag !== 0x06 ||
          parts.length === 3 && parts[1].tag !== 0x01 ||
          parts.at(-1).tag !== 0x04)
        throw new Refusal("bad-certificate", "bad extension");
      const oid = Array.from(b.subarray(parts[0].start, parts[0].end)).join(".");
      if (seen.has(oid))                          // RFC 5280 4.2
        throw new Refusal("bad-certificate", "duplicate extension");
      seen.add(oid);
      const value = tlv(b, parts.at(-1).start, parts.at(-1).end);
      if (value.end !== parts.at(-1).end)
        throw new Refusal("bad-certificate", "bad extension value");
      if (sameBytes(b, parts[0], OID_BASIC_CONSTRAINTS)) {
        // RFC 5280 4.2.1.9: cA BOOLEAN DEFAULT FALSE, first in the SEQUENCE
        const bc = value.tag === 0x30 ? children(b, value) : null;
        if (!bc)
          throw new Refusal("bad-certificate", "bad basicConstraints");
        if (bc[0] && bc[0].tag === 0x01 &&
            (bc[0].end - bc[0].start !== 1 || b[bc[0].start] !== 0))
          ca = ca || "basicConstraints cA is TRUE";
      } else if (sameBytes(b, parts[0], OID_KEY_USAGE) ||
                 sameBytes(b, parts[0], OID_NS_CERT_TYPE)) {
        // BIT STRING: first content octet = unused bits, then the bits.
        if (value.tag !== 0x03 || value.end - value.start < 1)
          throw new Refusal("bad-certificate", "bad bit string");
        const first = value.end - value.start > 1 ? b[value.start + 1] : 0;
        if (sameBytes(b, parts[0], OID_KEY_USAGE) && first & 0x04)
          ca = ca || "key usage keyCertSign";       // RFC 5280 4.2.1.3 bit 5
        if (sameBytes(b, parts[0], OID_NS_CERT_TYPE) && first & 0x07)
          ca = ca || "Netscape cert type SSL/e-mail/object-signing CA";
      }
    }
  }
  return { version, ca };
}

function decode(der) {
  if (typeof der !== "string" || !/^[A-Za-z0-9+/]+={0,2}$/.test(der) ||
      der.length % 4 !== 0 || der.length > Math.ceil(MAX_CERT_BYTES / 3) * 4)
    throw new Refusal("bad-certificate", "der is not base64 of at most 65,535 bytes");
  return new Uint8Array(ChromeUtils.base64URLDecode(
    der.replace(/\+/g, "-").replace(/\//g, "_"), { padding: "ignore" }));
}

// --- Trust already in the store. -----------------------------------------

function verifyCode(cert, usage) {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error("verification timed out")),
      VERIFY_TIMEOUT_MS);
    certDB().asyncVerifyCertAtTime(cert, usage,
      Ci.nsIX509CertDB.FLAG_LOCAL_ONLY, "", Math.floor(Date.now() / 1000), [],
      (code) => {
        clearTimeout(timer);
        resolve(code);
      });
  });
}

// "none": provably no trust flags (but for object signing); ",C,": exactly
// what this add-on writes for DANE (e-mail CA trust, nothing else);
// "other": anything else, trust or distrust.
async function trustOf(cert) {
  const db = certDB();
  const X = Ci.nsIX509Cert;
  const D = Ci.nsIX509CertDB;
  const set = [];
  for (const type of ["CA_CERT", "SERVER_CERT", "EMAIL_CERT", "USER_CERT"])
    for (const bit of ["TRUSTED_SSL", "TRUSTED_EMAIL"])
      if (db.isCertTrusted(cert, X[type], D[bit]))
        set.push(type + "/" + bit);
  // certType is USER_CERT/SERVER_CERT only from trust flags ("u", or "p"/"P"
  // in the SSL field), CA_CERT from "c"/"C"/"T" anywhere or NSS's own CA test.
  const type = cert.certType;
  // A "p" (or "P") in a field makes NSS treat the certificate as actively
  // distrusted when asked to use it as a CA: the only way to see an
  // e-mail-only ",p,".
  for (const usage of [D.verifyUsageEmailCA, D.verifyUsageTLSServerCA,
    D.verifyUsageTLSClientCA])
    if (await verifyCode(cert, usage) === SEC_ERROR_UNTRUSTED_CERT)
      return "other";
  if (set.length === 1 && set[0] === "CA_CERT/TRUSTED_EMAIL" &&
      type === X.CA_CERT)
    return ",C,";
  if (set.length === 0 && (type === X.EMAIL_CERT || type === X.UNKNOWN_CERT))
    return "none";
  return "other";
}

// --- What this add-on set, kept in the profile. --------------------------

function recordPath() {
  return PathUtils.join(PathUtils.profileDir, RECORD_FILE);
}

async function readRecord() {
  try {
    const r = await IOUtils.readJSON(recordPath());
    if (r && typeof r.certs === "object" && r.certs)
      return r;
  } catch (e) {
    if (e.name !== "NotFoundError")
      console.warn("dane-smime: unreadable " + RECORD_FILE + ", starting empty", e);
  }
  return { version: 1, certs: {} };
}

async function writeRecord(r) {
  await IOUtils.writeJSON(recordPath(), r, { tmpPath: recordPath() + ".tmp" });
}

function recorded(r, sha256) {
  const e = /^[0-9a-f]{64}$/.test(sha256) && Object.hasOwn(r.certs, sha256) ?
    r.certs[sha256] : null;
  return e && ["added", "trusted"].includes(e.action) &&
    TRUST_STRINGS.includes(e.trust) ? e : null;
}

// entry {action: "added"|"trusted", trust} or null to forget.
async function remember(r, sha256, entry) {
  if (entry)
    r.certs[sha256] = { action: entry.action, trust: entry.trust,
      time: entry.time || new Date().toISOString() };
  else
    delete r.certs[sha256];
  await writeRecord(r);
}

// One store operation at a time: check-then-change must not interleave.
let queue = Promise.resolve();
function serially(fn) {
  const run = queue.then(fn, fn);
  queue = run.catch(() => {});
  return run;
}

function refused(sha256, code, reason) {
  return { action: "refused", sha256, trust: null, code, reason };
}

async function importCertificate(der, sha256, trust) {
  sha256 = typeof sha256 === "string" ? sha256.toLowerCase() : "";
  if (!TRUST_STRINGS.includes(trust))
    return refused(sha256, "bad-trust", "the trust must be the host's \",C,\" or \",,\"");
  let bytes;
  let facts;
  try {
    bytes = decode(der);
    if (sha256Hex(bytes) !== sha256)
      throw new Refusal("sha256-mismatch",
        "the SHA-256 of the certificate is not the one given");
    facts = inspect(bytes);
  } catch (e) {
    if (e instanceof Refusal)
      return refused(sha256, e.code, e.message);
    throw e;
  }
  if (facts.version < 3)
    return refused(sha256, "version-" + facts.version + "-certificate",
      "an X.509 v" + facts.version + " certificate counts as a CA");
  const db = certDB();
  let decoded;
  try {
    decoded = db.constructX509(Array.from(bytes));
  } catch (e) {
    return refused(sha256, "bad-certificate", "NSS cannot decode it");
  }
  // NSS hashes what it decoded: trailing or re-encoded bytes differ.
  if (!decoded || hexFingerprint(decoded) !== sha256)
    return refused(sha256, "bad-certificate", "NSS decoded another certificate");
  const existing = findBySha256(sha256);
  if (existing && existing.tokenName === BUILTIN_TOKEN)
    return refused(sha256, "built-in", "a built-in root certificate is never changed");
  if (facts.ca)
    return refused(sha256, "ca-certificate", "a CA never gets trust (" + facts.ca + ")");
  const record = await readRecord();
  const ours = recorded(record, sha256);
  if (!existing) {
    // Not in the store: certType is NSS's CERT_IsCACert alone.
    if (decoded.certType === Ci.nsIX509Cert.CA_CERT)
      return refused(sha256, "ca-certificate", "NSS classifies it as a CA");
    // Recorded first: trust this add-on gives is never left unrecorded.
    await remember(record, sha256, { action: "added", trust });
    let added = null;
    try {
      added = db.addCert(binaryString(bytes), trust);
    } catch (e) {
      added = null;
    }
    if (!added || hexFingerprint(added) !== sha256) {
      if (added)
        db.deleteCertificate(added);
      await remember(record, sha256, null);
      return refused(sha256, "store-error", "NSS did not store the certificate");
    }
    return { action: "added", sha256, trust };
  }
  let now;
  try {
    now = await trustOf(existing);
  } catch (e) {
    return refused(sha256, "has-trust", "its trust cannot be read: " + e.message);
  }
  const nowTrust = now === "none" ? ",," : now;
  if (ours && ours.trust === nowTrust && nowTrust === trust)
    return { action: "unchanged", sha256, trust };
  if (now === "none" && !ours && trust === ",,")
    return { action: "unchanged", sha256, trust };
  if (now !== "none")
    return refused(sha256, "has-trust", ours ?
      "it carries trust this add-on set earlier (" + ours.trust + "): undo that first" :
      "it is in the store with trust or distrust someone else set: left as it is");
  // Provably without trust (e.g. a signer certificate Thunderbird kept).
  await remember(record, sha256, { action: ours ? ours.action : "trusted", trust });
  try {
    db.setCertTrustFromString(existing, trust);
  } catch (e) {
    await remember(record, sha256, ours || null);
    return refused(sha256, "store-error", "NSS did not change its trust: " + e.message);
  }
  return { action: "trusted", sha256, trust };
}

// Undo: only what the record says this add-on did, and only while the
// certificate still has exactly the trust this add-on gave it.
async function deleteCertificate(sha256) {
  sha256 = typeof sha256 === "string" ? sha256.toLowerCase() : "";
  const record = await readRecord();
  const ours = recorded(record, sha256);
  if (!ours)
    return { action: "refused", sha256, code: "not-ours",
      reason: "this add-on did not add this certificate or set its trust" };
  const cert = findBySha256(sha256);
  if (!cert) {
    await remember(record, sha256, null);
    return { action: "gone", sha256 };
  }
  let now;
  try {
    now = await trustOf(cert);
  } catch (e) {
    return { action: "refused", sha256, code: "has-trust",
      reason: "its trust cannot be read: " + e.message };
  }
  if ((now === "none" ? ",," : now) !== ours.trust)
    return { action: "refused", sha256, code: "has-trust",
      reason: "its trust was changed since this add-on set it: left as it is" };
  try {
    if (ours.action === "added")
      certDB().deleteCertificate(cert);
    else if (now !== "none")   // it was there before, without trust
      certDB().setCertTrustFromString(cert, ",,");
  } catch (e) {
    return { action: "refused", sha256, code: "store-error",
      reason: "NSS did not change it: " + e.message };
  }
  await remember(record, sha256, null);
  return { action: ours.action === "added" ? "removed" : "untrusted", sha256 };
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

// Thunderbird loads this file only when the add-on first calls into
// browser.certdb, which it does only when the user chose to keep a
// permanent copy (settings.keepCopy). Said once in the error console (and
// on stdout where dump is enabled, as in tests/extension), so that anyone
// can see whether the privileged code ran.
var certdb = class extends ExtensionCommon.ExtensionAPI {
  getAPI() {
    const note = "dane-smime: certdb Experiment loaded (keep a permanent copy is on)";
    Services.console.logStringMessage(note);
    dump(note + "\n");
    return {
      certdb: {
        importCertificate(der, sha256, trust) {
          return serially(() => importCertificate(der, sha256, trust));
        },
        async findCertForEmail(email) {
          return findCert(email.toLowerCase());
        },
        deleteCertificate(sha256) {
          return serially(() => deleteCertificate(sha256));
        },
        async profileDirectory() {
          return Services.dirsvc.get("ProfD", Ci.nsIFile).path;
        },
      },
    };
  }
};
