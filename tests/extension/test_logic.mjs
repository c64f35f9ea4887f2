// Unit tests of the add-on's decision logic (node --test, no browser).
import test from "node:test";
import assert from "node:assert/strict";
import { isNeverDomain } from "../../extension/modules/store.js";
import { importable } from "../../extension/modules/certimport.js";
import { verdict, canImport, senderAddress } from "../../extension/modules/verify.js";

const cert = { usable: true, trust_basis: "dane-ee", is_ca: false,
  der: "MII=", sha256: "ab", trust: ",C," };

test("only usable certificates of secure found answers are importable", () => {
  assert.equal(importable({ dnssec: "secure", status: "found",
    certificates: [cert] }).length, 1);
  for (const r of [
    { dnssec: "insecure", status: "insecure", certificates: [cert] },
    { dnssec: "bogus", status: "bogus", certificates: [cert] },
    { dnssec: "secure", status: "unusable", certificates: [cert] },
    { dnssec: "secure", status: "found", certificates: [{ ...cert, usable: false }] },
    { dnssec: "secure", status: "found", certificates: [{ ...cert, is_ca: true }] },
    // Neither a trust basis nor a trust string from the host (both kept:
    // certimport.js moves from the one to the other).
    { dnssec: "secure", status: "found", certificates: [{ ...cert,
      trust_basis: null, trust: null }] },
  ])
    assert.deepEqual(importable(r), [], JSON.stringify(r));
});

test("never-looked-up domains include subdomains", () => {
  const d = ["example.org", ".corp.test"];
  assert.ok(isNeverDomain("a@example.org", d));
  assert.ok(isNeverDomain("a@mx.Example.ORG", d));
  assert.ok(isNeverDomain("a@x.corp.test", d));
  assert.ok(!isNeverDomain("a@badexample.org", d));
  assert.ok(!isNeverDomain("a@example.com", d));
});

test("badge colour and import offer of a verification", () => {
  const good = { signature: "valid", dane: "match", dnssec: "secure",
    address_match: true, from: "h@example.test", signer: cert, green: true,
    problems: [] };
  assert.equal(verdict(good), "green");
  assert.equal(verdict({ ...good, dane: "mismatch", green: false }), "red");
  assert.equal(verdict({ ...good, signature: "invalid", green: false }), "red");
  assert.equal(verdict({ ...good, address_match: false, green: false }), "red");
  assert.equal(verdict({ ...good, dane: "bogus", green: false }), "red");
  assert.equal(verdict({ ...good, dane: "absent", green: false }), "amber");
  assert.equal(verdict({ ...good, dane: "insecure", green: false }), "amber");
  assert.equal(verdict({ signature: "none", green: false }), "grey");
  assert.equal(verdict(null), "grey");
  // A match with a problem is not green (issue 14: the host's green alone
  // decides, and a display-name From no longer reads as a mismatch).
  assert.equal(verdict({ ...good, green: false,
    problems: [{ code: "expired", message: "x" }] }), "amber");
  assert.equal(verdict({ ...good, green: false,
    problems: [{ code: "from-mismatch", message: "x" }] }), "red");
  // The host's green decides: a note it lists under a green verdict does
  // not turn it amber.
  assert.equal(verdict({ ...good, problems: [{ code: "other-address-not-vouched" }] }),
    "green");
  // An old host without `green`: never green.
  const { green, ...old } = good;
  assert.equal(verdict(old), "amber");
  assert.ok(canImport({ reply: good }));
  assert.ok(!canImport({ reply: { ...good, dnssec: "insecure" } }));
  assert.ok(!canImport({ reply: { ...good, signer: { ...cert, is_ca: true } } }));
  assert.ok(!canImport({ reply: { ...good, dane: "absent" } }));
  // The host allows the signer no trust: nothing to offer.
  assert.ok(!canImport({ reply: { ...good, signer: { ...cert, trust: null } } }));
  assert.ok(canImport({ reply: { ...good, signer: { ...cert, trust: ",," } } }));
});

test("the sender address handed to the host is the parsed From address",
  async () => {
    const saved = globalThis.browser;
    const seen = [];
    globalThis.browser = { messengerUtilities: { async parseMailboxString(s) {
      seen.push(s);
      if (s === "two <a@x.test>, b@y.test")
        return [{ name: "two", email: "a@x.test" }, { name: "", email: "b@y.test" }];
      const m = /<([^>]*)>/.exec(s);
      return [{ name: "", email: m ? m[1] : s }];
    } } };
    try {
      assert.equal(await senderAddress("\"Hugh, Example\" <hugh@example.test>"),
        "hugh@example.test");
      assert.equal(await senderAddress("hugh@example.test"), "hugh@example.test");
      // Not exactly one mailbox, or no API: the author as it is.
      assert.equal(await senderAddress("two <a@x.test>, b@y.test"),
        "two <a@x.test>, b@y.test");
      assert.equal(await senderAddress(null), null);
      globalThis.browser = {};
      assert.equal(await senderAddress("Hugh <hugh@example.test>"),
        "Hugh <hugh@example.test>");
    } finally {
      globalThis.browser = saved;
    }
  });

test("importable: DANE-TA and PKIX bases, never without DER or digest", () => {
  const secure = (c) => importable({ dnssec: "secure", status: "found",
    certificates: [c] });
  assert.equal(secure({ ...cert, trust_basis: "dane-ta" }).length, 1);
  assert.equal(secure({ ...cert, trust_basis: "pkix" }).length, 1);
  assert.deepEqual(secure({ ...cert, trust_basis: "self", trust: "self" }), []);
  assert.deepEqual(secure({ ...cert, usable: "true" }), []);
  assert.deepEqual(secure({ ...cert, der: undefined }), []);
  assert.deepEqual(secure({ ...cert, sha256: undefined }), []);
  assert.deepEqual(importable(null), []);
  assert.deepEqual(importable({ dnssec: "secure", status: "found" }), []);
  assert.deepEqual(importable({ dnssec: "indeterminate", status: "found",
    certificates: [cert] }), []);
});

// Every sentence a person reads comes from the catalogues: en and de hold
// the same keys, every key the add-on's code asks for exists, and every
// code the host may send (host/PROTOCOL.md plus the codes added with
// issues 13 and 14) has a plain phrase.
test("the en and de catalogues are complete", async () => {
  const { readFile, readdir } = await import("node:fs/promises");
  const root = new URL("../../extension/", import.meta.url);
  const load = async (lang) => JSON.parse(await readFile(
    new URL(`_locales/${lang}/messages.json`, root), "utf8"));
  const en = await load("en");
  const de = await load("de");
  assert.deepEqual(Object.keys(de).sort(), Object.keys(en).sort());
  for (const [k, v] of Object.entries(de))
    assert.ok(v.message && v.message !== en[k].message || /^[A-Z/ .-]+$|^\$|DANE|DNSSEC|SHA|SMIMEA|Details|Format|Name/.test(en[k].message),
      "de " + k + " looks untranslated: " + v.message);
  const files = ["ui.js", "background.js", "popup/compose.js", "popup/verify.js",
    "options/options.js", "modules/verify.js", "modules/compose.js",
    "modules/certimport.js", "modules/token.js"];
  const html = ["popup/compose.html", "popup/verify.html", "options/options.html"];
  const used = new Set();
  for (const f of files) {
    const src = await readFile(new URL(f, root), "utf8");
    for (const m of src.matchAll(/\bt\("([A-Za-z0-9_]+)"|getMessage\("([A-Za-z0-9_]+)"/g))
      used.add(m[1] || m[2]);
  }
  for (const f of html) {
    const src = await readFile(new URL(f, root), "utf8");
    for (const m of src.matchAll(/data-i18n="([A-Za-z0-9_]+)"/g))
      used.add(m[1]);
  }
  const manifest = await readFile(new URL("manifest.json", root), "utf8");
  for (const m of manifest.matchAll(/__MSG_([A-Za-z0-9_]+)__/g))
    used.add(m[1]);
  for (const k of used)
    if (!k.endsWith("_"))   // a prefix: t("setup_" + state)
      assert.ok(en[k], "missing in the catalogues: " + k);
  // Keys built at run time from the host's values.
  const dynamic = [
    ...["connecting", "missing", "failed", "outdated", "untrusted",
      "notValidating"].map((s) => "setup_" + s),
    ...["failed", "outdated", "notValidating", "missing_linux", "missing_mac",
      "missing_win"].map((s) => "fix_" + s),
    ...["secure", "insecure", "bogus", "indeterminate"].map((s) => "dnssec_" + s),
    ...["valid", "invalid", "none", "unsupported", "encrypted"].map((s) => "sig_" + s),
    ...["match", "mismatch", "absent", "insecure", "bogus", "error", "null"]
      .map((s) => "dane_" + s),
    ...["added", "trusted", "unchanged", "would_add", "refused", "error"]
      .map((s) => "import_" + s),
    ...["checking", "installed", "added", "off", "missing", "failed",
      "unavailable"]
      .map((s) => "tokenState_" + s),
    "usage_0", "usage_1", "usage_2", "usage_3", "selector_0", "selector_1",
    "matching_0", "matching_1", "matching_2", "method_experiment", "method_host",
  ];
  for (const k of dynamic)
    assert.ok(en[k], "missing in the catalogues: " + k);
  const protocol = await readFile(new URL("../host/PROTOCOL.md", root), "utf8");
  const section = (from, to) => protocol.slice(protocol.indexOf(from),
    protocol.indexOf(to, protocol.indexOf(from)));
  const codes = new Set([
    ...section("`problems`: `[{code, message}]`, codes:", "A lookup's")
      .matchAll(/`([a-z0-9-]+)`/g),
    ...section("malformed or undecodable has", "the other")
      .matchAll(/`([a-z0-9-]+)`/g),
    ...section("Codes:\n  `bad-address`", "- `ede`").matchAll(/`([a-z0-9-]+)`/g),
    ...section("`problems` (codes from", "and `summary`").matchAll(/`([a-z0-9-]+)`/g),
    ...section("- `refused`: nothing was written", "### verify-message")
      .matchAll(/`([a-z0-9-]+)`/g),
  ].map((m) => m[1]).filter((c) => c.includes("-") || ["insecure", "expired",
    "timeout", "unreachable", "truncated", "servfail", "refused"].includes(c)));
  for (const c of ["version-1-certificate", "version-2-certificate",
    "other-address-not-vouched", "too-many-addresses", "too-much-work", "busy",
    "config", "bad-from"])
    codes.add(c);
  assert.ok(codes.size > 40, [...codes].join(" "));
  for (const c of codes) {
    if (["problem", "bad-field", "dry-run"].includes(c))
      continue;
    assert.ok(en["code_" + c.replace(/-/g, "_")], "no phrase for code " + c);
  }
});
