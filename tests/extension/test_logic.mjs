// Unit tests of the add-on's decision logic (node --test, no browser).
import test from "node:test";
import assert from "node:assert/strict";
import { isNeverDomain } from "../../extension/modules/store.js";
import { importable } from "../../extension/modules/certimport.js";
import { verdict, canImport } from "../../extension/modules/verify.js";

const cert = { usable: true, trust_basis: "dane-ee", is_ca: false,
  der: "MII=", sha256: "ab" };

test("only usable certificates of secure found answers are importable", () => {
  assert.equal(importable({ dnssec: "secure", status: "found",
    certificates: [cert] }).length, 1);
  for (const r of [
    { dnssec: "insecure", status: "insecure", certificates: [cert] },
    { dnssec: "bogus", status: "bogus", certificates: [cert] },
    { dnssec: "secure", status: "unusable", certificates: [cert] },
    { dnssec: "secure", status: "found", certificates: [{ ...cert, usable: false }] },
    { dnssec: "secure", status: "found", certificates: [{ ...cert, is_ca: true }] },
    { dnssec: "secure", status: "found", certificates: [{ ...cert, trust_basis: null }] },
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
    address_match: true, from: "h@example.test", signer: cert };
  assert.equal(verdict(good), "green");
  assert.equal(verdict({ ...good, dane: "mismatch" }), "red");
  assert.equal(verdict({ ...good, signature: "invalid" }), "red");
  assert.equal(verdict({ ...good, address_match: false }), "red");
  assert.equal(verdict({ ...good, dane: "absent" }), "grey");
  assert.equal(verdict(null), "grey");
  assert.ok(canImport({ reply: good }));
  assert.ok(!canImport({ reply: { ...good, dnssec: "insecure" } }));
  assert.ok(!canImport({ reply: { ...good, signer: { ...cert, is_ca: true } } }));
  assert.ok(!canImport({ reply: { ...good, dane: "absent" } }));
});

test("importable: DANE-TA and PKIX bases, never without DER or digest", () => {
  const secure = (c) => importable({ dnssec: "secure", status: "found",
    certificates: [c] });
  assert.equal(secure({ ...cert, trust_basis: "dane-ta" }).length, 1);
  assert.equal(secure({ ...cert, trust_basis: "pkix" }).length, 1);
  assert.deepEqual(secure({ ...cert, trust_basis: "self" }), []);
  assert.deepEqual(secure({ ...cert, usable: "true" }), []);
  assert.deepEqual(secure({ ...cert, der: undefined }), []);
  assert.deepEqual(secure({ ...cert, sha256: undefined }), []);
  assert.deepEqual(importable(null), []);
  assert.deepEqual(importable({ dnssec: "secure", status: "found" }), []);
  assert.deepEqual(importable({ dnssec: "indeterminate", status: "found",
    certificates: [cert] }), []);
});
