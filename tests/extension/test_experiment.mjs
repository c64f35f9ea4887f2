// The certdb Experiment (extension/experiments/certdb/implementation.js)
// as the second line of defence, from a table (node --test): the real
// implementation.js runs in a vm context whose ChromeUtils/Cc/Ci/Services/
// IOUtils/PathUtils are fakes; the fake certificate store answers the way
// Thunderbird 153.8's NSS was measured to answer (certType, isCertTrusted,
// asyncVerifyCertAtTime: see fakeNss). The certificates are real, made
// with openssl at test time (and ISRG Root X1 from ca-certificates).
// The last tests run the add-on's certimport.js over the same Experiment.
import test from "node:test";
import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { mkdtempSync, readFileSync, writeFileSync, rmSync, existsSync }
  from "node:fs";
import { join } from "node:path";
import { tmpdir } from "node:os";
import crypto from "node:crypto";
import vm from "node:vm";
import { install } from "./fake_browser.mjs";

const IMPL = new URL("../../extension/experiments/certdb/implementation.js",
  import.meta.url);
const ISRG = "/usr/share/ca-certificates/mozilla/ISRG_Root_X1.crt";

// --- Certificates ----------------------------------------------------------

function derTlv(buf, pos) {
  let len = buf[pos + 1];
  let p = pos + 2;
  if (len & 0x80) {
    const n = len & 0x7f;
    len = 0;
    for (let i = 0; i < n; i++)
      len = len * 256 + buf[p++];
  }
  return { start: pos, body: p, end: p + len };
}

function derEnc(tag, content) {
  const n = content.length;
  const len = n < 128 ? [n] : n < 256 ? [0x81, n] : [0x82, n >> 8, n & 255];
  return Buffer.concat([Buffer.from([tag, ...len]), content]);
}

function derChildren(buf, t) {
  const out = [];
  for (let p = t.body; p < t.end;) {
    const c = derTlv(buf, p);
    out.push(c);
    p = c.end;
  }
  return out;
}

// {name: {der: Buffer, sha256: hex, b64, nssCA, email}}; nssCA is what
// NSS's CERT_IsCACert answers (measured in Thunderbird 153.8: certType 1
// for ca, nsca, v1 and roots; 4 for kcs and the leaves).
function makeCerts() {
  const dir = mkdtempSync(join(tmpdir(), "dane-smime-exp-"));
  try {
    const run = (...a) => execFileSync("openssl", a,
      { cwd: dir, stdio: ["ignore", "pipe", "pipe"] });
    const key = (n) => run("genpkey", "-algorithm", "EC", "-pkeyopt",
      "ec_paramgen_curve:P-256", "-out", n + ".key");
    const csr = (n, cn) => run("req", "-new", "-key", n + ".key", "-subj",
      "/CN=" + cn, "-out", n + ".csr");
    const v3 = (n, exts, issuer) => {
      key(n);
      csr(n, n);
      writeFileSync(join(dir, n + ".ext"), exts.join("\n") + "\n");
      const sign = issuer ? ["-CA", issuer + ".pem", "-CAkey", issuer + ".key",
        "-set_serial", "4242"] : ["-signkey", n + ".key"];
      run("x509", "-req", "-in", n + ".csr", ...sign, "-days", "3650",
        "-extfile", n + ".ext", "-out", n + ".pem");
    };
    const leaf = (addr) => ["basicConstraints=critical,CA:FALSE",
      "keyUsage=critical,digitalSignature,keyEncipherment",
      "extendedKeyUsage=emailProtection", "subjectAltName=email:" + addr];
    for (const n of ["leaf", "kept", "pppp", "emailp", "someone", "mine"])
      v3(n, leaf(n + "@example.test"));
    v3("ca", ["basicConstraints=critical,CA:TRUE",
      "keyUsage=critical,keyCertSign,cRLSign"]);
    v3("pkix", leaf("pkix@example.test"), "ca");
    v3("nsca", ["nsCertType=client,email,emailCA",
      "subjectAltName=email:nsca@example.test"]);
    v3("kcs", ["keyUsage=critical,digitalSignature,keyCertSign",
      "extendedKeyUsage=emailProtection", "subjectAltName=email:kcs@example.test"]);
    // v1: x509 -req without extensions (req -x509 would make a v3).
    key("v1");
    csr("v1", "mallet");
    run("x509", "-req", "-in", "v1.csr", "-signkey", "v1.key", "-days", "3650",
      "-out", "v1.pem");
    const der = {};
    for (const n of ["leaf", "kept", "pppp", "emailp", "someone", "mine",
      "ca", "pkix", "nsca", "kcs", "v1"])
      der[n] = run("x509", "-in", n + ".pem", "-outform", "DER");
    // v2: v1's TBSCertificate with version [0] 1 and a subjectUniqueID,
    // signed again (openssl cannot make one).
    const v1 = der.v1;
    const [tbs, alg] = derChildren(v1, derTlv(v1, 0));
    const fields = derChildren(v1, tbs).map((c) => v1.subarray(c.start, c.end));
    const tbs2 = derEnc(0x30, Buffer.concat([derEnc(0xa0, derEnc(0x02,
      Buffer.from([1]))), ...fields, derEnc(0x82, Buffer.from([0, 1, 2, 3]))]));
    const sig = crypto.sign("sha256", tbs2, readFileSync(join(dir, "v1.key")));
    der.v2 = derEnc(0x30, Buffer.concat([tbs2, v1.subarray(alg.start, alg.end),
      derEnc(0x03, Buffer.concat([Buffer.from([0]), sig]))]));
    der.root = existsSync(ISRG) ?
      run("x509", "-in", ISRG, "-outform", "DER") : der.ca;
    const nssCA = new Set(["ca", "nsca", "v1", "v2", "root"]);
    const out = {};
    for (const [n, d] of Object.entries(der))
      out[n] = { der: d, b64: d.toString("base64"),
        sha256: crypto.createHash("sha256").update(d).digest("hex"),
        nssCA: nssCA.has(n), email: !["ca", "v1", "v2", "root"].includes(n) };
    return out;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

const C = makeCerts();
const byDer = (buf) => Object.values(C).find((c) => c.der.equals(buf));

// --- A fake NSS ------------------------------------------------------------

const X = { UNKNOWN_CERT: 0, CA_CERT: 1, USER_CERT: 2, EMAIL_CERT: 4,
  SERVER_CERT: 8, ANY_CERT: 0xffff };
const D = { UNTRUSTED: 0, TRUSTED_SSL: 1, TRUSTED_EMAIL: 2, FLAG_LOCAL_ONLY: 1,
  verifyUsageTLSServer: 1, verifyUsageTLSServerCA: 2, verifyUsageTLSClient: 3,
  verifyUsageTLSClientCA: 4, verifyUsageEmailSigner: 5,
  verifyUsageEmailRecipient: 6, verifyUsageEmailCA: 7 };
const UNTRUSTED_CERT = -8171;
const INADEQUATE_KEY_USAGE = -8102;
const SOFTOKEN = "Software Security Device";
const BUILTIN = "Builtin Object Token";

// trust: null (no trust object, as Thunderbird keeps signer certificates)
// or an NSS trust string "ssl,email,objsign".
function fields(trust) {
  return (trust || ",,").split(",");
}

// store: Map sha256 -> {cert, trust, token}
function fakeNss(store) {
  const calls = [];
  const wrap = (cert, entry) => ({
    sha256Fingerprint: cert.sha256.toUpperCase().match(/../g).join(":"),
    get tokenName() {
      return entry ? entry.token : "Generic Crypto Services";
    },
    // Gecko's getCertType: trust flags first, then CERT_IsCACert.
    get certType() {
      const [ssl, email, obj] = fields(entry && entry.trust);
      if ((ssl + email + obj).includes("u"))
        return X.USER_CERT;
      if (/[cCT]/.test(ssl + email + obj))
        return X.CA_CERT;
      if (/[pP]/.test(ssl))
        return X.SERVER_CERT;
      if (/[pP]/.test(email) && cert.email)
        return X.EMAIL_CERT;
      if (cert.nssCA)
        return X.CA_CERT;
      return cert.email ? X.EMAIL_CERT : X.UNKNOWN_CERT;
    },
    subjectName: "CN=test",
    _cert: cert,
  });
  const entryOf = (w) => store.get(w._cert.sha256);
  const db = {
    getCerts() {
      return [...store.values()].map((e) => wrap(e.cert, e));
    },
    constructX509(bytes) {
      const cert = byDer(Buffer.from(bytes));
      if (!cert || cert === C.v2)   // Thunderbird 153's NSS fails on our v2
        throw new Error("NS_ERROR_FAILURE");
      return wrap(cert, store.get(cert.sha256));
    },
    addCert(binary, trust) {
      calls.push(["addCert", trust]);
      const cert = byDer(Buffer.from(binary, "latin1"));
      if (!cert)
        throw new Error("NS_ERROR_FAILURE");
      const e = store.get(cert.sha256) ||
        { cert, trust: null, token: SOFTOKEN };
      e.trust = trust;
      store.set(cert.sha256, e);
      return wrap(cert, e);
    },
    setCertTrustFromString(w, trust) {
      calls.push(["setCertTrustFromString", w._cert.sha256, trust]);
      entryOf(w).trust = trust;
    },
    deleteCertificate(w) {
      calls.push(["deleteCertificate", w._cert.sha256]);
      store.delete(w._cert.sha256);
    },
    // Gecko's IsCertTrusted: C/T for CA_CERT, P for the peer types.
    isCertTrusted(w, type, bit) {
      const e = entryOf(w);
      const [ssl, email] = fields(e && e.trust);
      const f = bit === D.TRUSTED_SSL ? ssl : email;
      if (type === X.CA_CERT)
        return /[CT]/.test(f);
      if (type === X.SERVER_CERT || type === X.EMAIL_CERT)
        return f.includes("P");
      return false;
    },
    // As a CA, a certificate with p or P (and no C) in the field of the
    // usage is actively distrusted; measured: e-mail CA and TLS client CA
    // read the e-mail field, TLS server CA the SSL field.
    asyncVerifyCertAtTime(w, usage, flags, host, time, scts, cb) {
      const e = entryOf(w);
      const [ssl, email] = fields(e && e.trust);
      const f = usage === D.verifyUsageTLSServerCA ? ssl : email;
      const ca = [D.verifyUsageEmailCA, D.verifyUsageTLSServerCA,
        D.verifyUsageTLSClientCA].includes(usage);
      setImmediate(() => cb(ca && /[pP]/.test(f) && !/[CT]/.test(f) ?
        UNTRUSTED_CERT : INADEQUATE_KEY_USAGE, [], false));
    },
  };
  return { db, calls };
}

function fakeHash() {
  let h = null;
  return {
    init() {
      h = crypto.createHash("sha256");
    },
    update(bytes, len) {
      h.update(Buffer.from(bytes.slice(0, len)));
    },
    finish() {
      return h.digest().toString("latin1");
    },
  };
}

// Loads implementation.js into a fresh context: {api, store, calls, files}.
function load(entries = []) {
  const store = new Map();
  for (const [name, trust, token] of entries)
    store.set(C[name].sha256, { cert: C[name], trust, token: token || SOFTOKEN });
  const { db, calls } = fakeNss(store);
  const files = new Map();
  const notes = [];
  const ctx = {
    console,
    dump: (text) => notes.push(["dump", text]),
    ChromeUtils: {
      importESModule(url) {
        if (url.endsWith("ExtensionCommon.sys.mjs"))
          return { ExtensionCommon: { ExtensionAPI: class {} } };
        return { setTimeout, clearTimeout };
      },
      base64URLDecode(s) {
        const b = Buffer.from(s, "base64url");
        return b.buffer.slice(b.byteOffset, b.byteOffset + b.length);
      },
    },
    Cc: {
      "@mozilla.org/security/x509certdb;1": { getService: () => db },
      "@mozilla.org/security/hash;1": { createInstance: () => fakeHash() },
    },
    Ci: { nsIX509Cert: X, nsIX509CertDB: D, nsICryptoHash: { SHA256: 4 },
      nsIFile: {} },
    Services: { dirsvc: { get: () => ({ path: "/profile" }) },
      console: { logStringMessage: (text) => notes.push(["console", text]) } },
    PathUtils: { profileDir: "/profile", join: (...p) => p.join("/") },
    IOUtils: {
      async readJSON(p) {
        if (!files.has(p))
          throw Object.assign(new Error("no file"), { name: "NotFoundError" });
        return JSON.parse(files.get(p));
      },
      async writeJSON(p, v) {
        files.set(p, JSON.stringify(v));
      },
    },
  };
  vm.createContext(ctx);
  vm.runInContext(readFileSync(IMPL, "utf8"), ctx, { filename: IMPL.pathname });
  assert.deepEqual(notes, []);   // loading the script says nothing ...
  const api = new ctx.certdb().getAPI().certdb;
  // ... getAPI (Thunderbird's first call into browser.certdb) says it once,
  // in the error console and on stdout (what the real Thunderbird test
  // looks for).
  const note = "dane-smime: certdb Experiment loaded (keep a permanent copy is on)";
  assert.deepEqual(notes, [["console", note], ["dump", note + "\n"]]);
  const trustOf = (name) => {
    const e = store.get(C[name].sha256);
    return e ? e.trust : undefined;
  };
  const record = () => JSON.parse(files.get("/profile/dane-smime-certdb.json") ||
    '{"certs":{}}').certs;
  return { api, store, calls, trustOf, record };
}

// --- The table -------------------------------------------------------------

// [what, store before [[name, trust, token]], call [der, sha256, trust],
//  expected {action, code, trust}, store after {name: trust}]
const d = (n) => C[n].b64;
const h = (n) => C[n].sha256;
const TABLE = [
  ["a DANE leaf gets exactly ,C,", [], [d("leaf"), h("leaf"), ",C,"],
    { action: "added", trust: ",C," }, { leaf: ",C," }],
  ["a PKIX leaf gets no trust flags", [], [d("pkix"), h("pkix"), ",,"],
    { action: "added", trust: ",," }, { pkix: ",," }],
  ["an upper-case digest is the same digest", [],
    [d("leaf"), h("leaf").toUpperCase(), ",C,"],
    { action: "added", trust: ",C," }, { leaf: ",C," }],
  ["v1 (mozilla::pkix treats it as a CA)", [], [d("v1"), h("v1"), ",C,"],
    { action: "refused", code: "version-1-certificate" }, { v1: undefined }],
  ["v2", [], [d("v2"), h("v2"), ",C,"],
    { action: "refused", code: "version-2-certificate" }, { v2: undefined }],
  ["a CA by basicConstraints", [], [d("ca"), h("ca"), ",C,"],
    { action: "refused", code: "ca-certificate" }, { ca: undefined }],
  ["a CA by Netscape cert type", [], [d("nsca"), h("nsca"), ",C,"],
    { action: "refused", code: "ca-certificate" }, { nsca: undefined }],
  ["keyCertSign without basicConstraints (NSS: not a CA)", [],
    [d("kcs"), h("kcs"), ",,"],
    { action: "refused", code: "ca-certificate" }, { kcs: undefined }],
  ["a built-in root is never changed", [["root", "C,,", BUILTIN]],
    [d("root"), h("root"), ",C,"],
    { action: "refused", code: "built-in" }, { root: "C,," }],
  ["the root's digest with a leaf's DER (ISRG Root X1)",
    [["root", "C,,", BUILTIN]], [d("leaf"), h("root"), ",C,"],
    { action: "refused", code: "sha256-mismatch" },
    { root: "C,,", leaf: undefined }],
  ["the user's distrust p,p,p stays", [["pppp", "p,p,p"]],
    [d("pppp"), h("pppp"), ",C,"],
    { action: "refused", code: "has-trust" }, { pppp: "p,p,p" }],
  ["an e-mail-only distrust ,p, stays", [["emailp", ",p,"]],
    [d("emailp"), h("emailp"), ",C,"],
    { action: "refused", code: "has-trust" }, { emailp: ",p," }],
  ["an e-mail-only distrust ,p, is not lowered to ,, either",
    [["emailp", ",p,"]], [d("emailp"), h("emailp"), ",,"],
    { action: "refused", code: "has-trust" }, { emailp: ",p," }],
  [",C, set by someone else is not taken over", [["someone", ",C,"]],
    [d("someone"), h("someone"), ",C,"],
    { action: "refused", code: "has-trust" }, { someone: ",C," }],
  [",C, set by someone else is not lowered", [["someone", ",C,"]],
    [d("someone"), h("someone"), ",,"],
    { action: "refused", code: "has-trust" }, { someone: ",C," }],
  ["a signer certificate Thunderbird kept (no trust) gets ,C,",
    [["kept", null]], [d("kept"), h("kept"), ",C,"],
    { action: "trusted", trust: ",C," }, { kept: ",C," }],
  ["a kept certificate asked for no trust is unchanged", [["kept", null]],
    [d("kept"), h("kept"), ",,"],
    { action: "unchanged", trust: ",," }, { kept: null }],
  ["a leaf on the built-in token is never changed", [["leaf", null, BUILTIN]],
    [d("leaf"), h("leaf"), ",C,"],
    { action: "refused", code: "built-in" }, { leaf: null }],
  ...["CT,C,C", "P,P,P", ",c,", ",C", "", ",C,\n", " ,C,", null, 3].map((t) =>
    ["bad trust " + JSON.stringify(t), [], [d("leaf"), h("leaf"), t],
      { action: "refused", code: "bad-trust" }, { leaf: undefined }]),
  ["not base64", [], ["MII*", h("leaf"), ",C,"],
    { action: "refused", code: "bad-certificate" }, {}],
  ["trailing bytes after the certificate", [],
    [Buffer.concat([C.leaf.der, Buffer.from([0])]).toString("base64"),
      crypto.createHash("sha256").update(Buffer.concat([C.leaf.der,
        Buffer.from([0])])).digest("hex"), ",C,"],
    { action: "refused", code: "bad-certificate" }, { leaf: undefined }],
  ["a truncated certificate", [],
    [C.leaf.der.subarray(0, 100).toString("base64"),
      crypto.createHash("sha256").update(C.leaf.der.subarray(0, 100))
        .digest("hex"), ",C,"],
    { action: "refused", code: "bad-certificate" }, { leaf: undefined }],
  ["a digest that is not one", [], [d("leaf"), "00", ",C,"],
    { action: "refused", code: "sha256-mismatch" }, { leaf: undefined }],
];

for (const [what, before, call, want, after] of TABLE) {
  test("Experiment: " + what, async () => {
    const x = load(before);
    const r = await x.api.importCertificate(...call);
    assert.equal(r.action, want.action, JSON.stringify(r));
    assert.equal(r.code, want.code, JSON.stringify(r));
    if (want.action === "refused") {
      assert.equal(r.trust, null);
      assert.equal(typeof r.reason, "string");
      assert.ok(r.reason.length > 0);
    } else {
      assert.equal(r.trust, want.trust);
    }
    assert.equal(r.sha256, typeof call[1] === "string" ?
      call[1].toLowerCase() : "");
    for (const [name, trust] of Object.entries(after))
      assert.equal(x.trustOf(name), trust, name);
    // Nothing but the changes reported: a refusal writes nothing.
    const writes = x.calls.filter((c) => c[0] !== "deleteCertificate");
    if (want.action === "refused" || want.action === "unchanged")
      assert.deepEqual(writes, []);
    else
      assert.equal(writes.length, 1, JSON.stringify(writes));
  });
}

test("Experiment: damaged certificates are refused, never thrown on",
  async () => {
    const x = load();
    const leaf = C.leaf.der;
    const variants = [];
    for (let n = 0; n < leaf.length; n += 3)
      variants.push(leaf.subarray(0, n));
    for (let i = 0; i < leaf.length; i++)
      for (const bit of [0x01, 0x80]) {
        const b = Buffer.from(leaf);
        b[i] ^= bit;
        variants.push(b);
      }
    const codes = new Set();
    for (const v of variants) {
      if (v.length === 0)
        continue;
      const r = await x.api.importCertificate(v.toString("base64"),
        crypto.createHash("sha256").update(v).digest("hex"), ",C,");
      assert.equal(r.action, "refused", v.toString("hex"));
      codes.add(r.code);
    }
    assert.deepEqual([...codes].filter((c) => !["bad-certificate",
      "version-1-certificate", "version-2-certificate", "ca-certificate"]
      .includes(c)), []);
    assert.deepEqual(x.calls, []);
  });

test("Experiment: a second import of its own certificate is unchanged",
  async () => {
    const x = load();
    assert.equal((await x.api.importCertificate(d("mine"), h("mine"), ",C,"))
      .action, "added");
    const again = await x.api.importCertificate(d("mine"), h("mine"), ",C,");
    assert.deepEqual({ ...again }, { action: "unchanged", sha256: h("mine"),
      trust: ",C," });
    // The host now allows only ",,": its own earlier ",C," is not silently
    // kept as if it were what the host said, nor lowered.
    const lower = await x.api.importCertificate(d("mine"), h("mine"), ",,");
    assert.equal(lower.code, "has-trust");
    assert.equal(x.trustOf("mine"), ",C,");
    assert.equal(x.calls.length, 1);
  });

test("Experiment: concurrent imports of one certificate add it once",
  async () => {
    const x = load();
    const rs = await Promise.all([1, 2, 3].map(() =>
      x.api.importCertificate(d("leaf"), h("leaf"), ",C,")));
    assert.deepEqual(rs.map((r) => r.action).sort(),
      ["added", "unchanged", "unchanged"]);
    assert.deepEqual(x.calls.map((c) => c[0]), ["addCert"]);
  });

test("Experiment: undo removes only what it added or trusted", async () => {
  const x = load([["kept", null], ["someone", ",C,"], ["pppp", null]]);
  await x.api.importCertificate(d("leaf"), h("leaf"), ",C,");
  await x.api.importCertificate(d("kept"), h("kept"), ",C,");
  await x.api.importCertificate(d("pppp"), h("pppp"), ",C,");
  assert.deepEqual(Object.keys(x.record()).sort(),
    [h("leaf"), h("kept"), h("pppp")].sort());
  // Someone else's ",C,": not ours.
  let r = await x.api.deleteCertificate(h("someone"));
  assert.equal(r.action, "refused");
  assert.equal(r.code, "not-ours");
  assert.equal(x.trustOf("someone"), ",C,");
  // The user distrusted it after the import: left as the user set it.
  x.store.get(h("pppp")).trust = "p,p,p";
  r = await x.api.deleteCertificate(h("pppp"));
  assert.equal(r.code, "has-trust");
  assert.equal(x.trustOf("pppp"), "p,p,p");
  // Added: deleted. Trusted (it was there before): back to no trust.
  assert.equal((await x.api.deleteCertificate(h("leaf"))).action, "removed");
  assert.equal(x.trustOf("leaf"), undefined);
  assert.equal((await x.api.deleteCertificate(h("kept").toUpperCase()))
    .action, "untrusted");
  assert.equal(x.trustOf("kept"), ",,");
  assert.deepEqual(Object.keys(x.record()), [h("pppp")]);
  // Twice: not ours any more; nor is anything that is not a digest.
  assert.equal((await x.api.deleteCertificate(h("leaf"))).code, "not-ours");
  for (const bad of ["__proto__", "constructor", "", null, h("pppp") + "0"])
    assert.equal((await x.api.deleteCertificate(bad)).code, "not-ours", bad);
  // Gone meanwhile: forgotten.
  x.store.delete(h("pppp"));
  assert.equal((await x.api.deleteCertificate(h("pppp"))).action, "gone");
  assert.deepEqual(x.record(), {});
});

test("Experiment: the record survives a restart (a fresh context)",
  async () => {
    const x = load();
    await x.api.importCertificate(d("leaf"), h("leaf"), ",C,");
    const saved = x.record();
    assert.equal(saved[h("leaf")].action, "added");
    assert.equal(saved[h("leaf")].trust, ",C,");
  });

// --- certimport.js over the real Experiment --------------------------------

const certs = await import("../../extension/modules/certimport.js");

function hostCert(name, extra = {}) {
  return { usable: true, trust_basis: "dane-ee", is_ca: false,
    der: C[name].b64, sha256: C[name].sha256, subject: "CN=" + name,
    not_after: "2036-01-01T00:00:00Z", trust: ",C,", ...extra };
}

function withExperiment(entries) {
  const fake = install();
  const x = load(entries);
  fake.certdb = x.api;
  fake.stored.settings = { keepCopy: true };   // the explicit choice
  return { fake, x };
}

test("add-on: imports exactly the host's trust string, never a derived one",
  async () => {
    assert.deepEqual(certs.importable({ dnssec: "secure", status: "found",
      certificates: [hostCert("leaf", { trust: null }),
        hostCert("pkix", { trust: undefined, trust_basis: "pkix" }),
        hostCert("kcs", { trust: ",P," })] }), []);
    const { fake, x } = withExperiment([["pppp", "p,p,p"]]);
    const out = await certs.importResult("leaf@example.test", {
      dnssec: "secure", status: "found", certificates: [
        hostCert("leaf"), hostCert("pkix", { trust: ",," }),
        hostCert("v1", { trust: null, problems: [{ code:
          "version-1-certificate", message: "an X.509 v1 certificate" }] }),
        hostCert("pppp"), hostCert("ca", { usable: false, trust: null })] });
    assert.deepEqual(out.map((o) => [o.sha256, o.action, o.trust, o.code]), [
      [h("v1"), "refused", null, "version-1-certificate"],
      [h("leaf"), "added", ",C,", null],
      [h("pkix"), "added", ",,", null],
      [h("pppp"), "refused", null, "has-trust"]]);
    assert.equal(x.trustOf("leaf"), ",C,");
    assert.equal(x.trustOf("pkix"), ",,");
    assert.equal(x.trustOf("pppp"), "p,p,p");
    assert.equal(x.trustOf("v1"), undefined);
    // The log has every action, refusals with their code.
    const log = fake.stored.importLog;
    assert.deepEqual(log.map((e) => [e.sha256, e.action, e.trust, e.requested,
      e.code, e.method, e.address]).reverse(), [
      [h("v1"), "refused", null, null, "version-1-certificate", "experiment",
        "leaf@example.test"],
      [h("leaf"), "added", ",C,", ",C,", null, "experiment", "leaf@example.test"],
      [h("pkix"), "added", ",,", ",,", null, "experiment", "leaf@example.test"],
      [h("pppp"), "refused", null, ",C,", "has-trust", "experiment",
        "leaf@example.test"]]);
    assert.ok(log.every((e) => typeof e.time === "string"));
    // The next lookup of the same recipient logs nothing new ...
    await certs.importResult("leaf@example.test", { dnssec: "secure",
      status: "found", certificates: [hostCert("leaf")] });
    assert.equal(fake.stored.importLog.length, 5);
    assert.equal(fake.stored.importLog[0].action, "unchanged");
    await certs.importResult("leaf@example.test", { dnssec: "secure",
      status: "found", certificates: [hostCert("leaf")] });
    assert.equal(fake.stored.importLog.length, 5);
  });

test("add-on: undo goes through the Experiment's record", async () => {
  const { fake, x } = withExperiment([["someone", ",C,"]]);
  await certs.importResult("leaf@example.test", { dnssec: "secure",
    status: "found", certificates: [hostCert("leaf"), hostCert("someone")] });
  assert.equal(await certs.remove(h("someone")), false);  // refused, not logged as ours
  assert.equal(x.trustOf("someone"), ",C,");
  assert.equal(await certs.remove(h("leaf")), true);
  assert.equal(x.trustOf("leaf"), undefined);
  assert.ok(fake.stored.importLog.find((e) => e.sha256 === h("leaf")).removed);
  assert.equal(await certs.remove(h("leaf")), false);
});
