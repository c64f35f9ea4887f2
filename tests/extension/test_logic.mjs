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
