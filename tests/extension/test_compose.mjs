// Unit tests of extension/modules/compose.js and certimport.js (node
// --test): recipient tracking of compose tabs against a fake browser
// (fake_browser.mjs) and the real host.js talking to a fake native port.
// Timers are a fake clock (fakeClock); every test imports a fresh compose.js
// (its recipient cache is module state).
import test from "node:test";
import assert from "node:assert/strict";
import { install, flush, hostResponder, fakeClock } from "./fake_browser.mjs";
import * as host from "../../extension/modules/host.js";
import * as certs from "../../extension/modules/certimport.js";
import * as token from "../../extension/modules/token.js";

const COMPOSE_URL = new URL("../../extension/modules/compose.js", import.meta.url);
let instance = 0;
let hostPort = null;

test.before(async () => {
  const fake = install();
  host.connect();
  hostPort = fake.ports[0];
  await flush();
  assert.equal(host.status.state, "ready");
});

function cert(sha, extra = {}) {
  return { usable: true, trust_basis: "dane-ee", trust: ",C,", is_ca: false,
    der: "MII" + sha, sha256: sha, subject: "CN=" + sha,
    not_after: "2030-01-01T00:00:00Z", ...extra };
}

function found(sha, extra = {}) {
  return { status: "found", dnssec: "secure", ttl: 300,
    certificates: [cert(sha)], ...extra };
}

// A fresh fake browser (the host's port is kept and given a new
// responder), the token's module installed (opts.token false: not), a
// fresh compose module and a fake clock. The default path is the live
// token; tests of the permanent copy set settings.keepCopy.
async function setup(t, opts = {}) {
  const fake = install();
  hostPort.responder = hostResponder(opts);
  host.status.state = "ready";
  if (opts.token === false)
    fake.manifests.clear();
  await token.ensure();
  const clock = fakeClock(t);
  t.mock.method(console, "warn", () => {});
  if (opts.settings)
    fake.stored.settings = opts.settings;
  const compose = await import(COMPOSE_URL.href + "?i=" + instance++);
  const first = hostPort.sent.length;
  const lookups = () => hostPort.sent.slice(first)
    .filter((m) => m.type === "lookup").map((m) => m.addresses);
  const openTab = async (id, details) => {
    fake.composeDetails.set(id, { to: [], cc: [], bcc: [], ...details });
    compose.track({ id, type: "messageCompose" });
    await flush();
  };
  const nextPoll = async () => {
    clock.tick(2000);
    await flush();
  };
  const states = (id) => compose.tabStatus(id).map((e) =>
    [e.address, e.state]);
  t.after(() => {
    for (const id of fake.composeDetails.keys())
      compose.untrack(id);
  });
  return { fake, compose, lookups, openTab, nextPoll, states, clock };
}

test("new recipients are looked up once, removed ones dropped", async (t) => {
  const { fake, compose, lookups, openTab, nextPoll, states } = await setup(t);
  await openTab(1, { to: ["Alice <alice@a.test>", "bob@b.test"] });
  assert.deepEqual(lookups(), [["alice@a.test", "bob@b.test"]]);
  assert.deepEqual(states(1), [["alice@a.test", "absent"], ["bob@b.test", "absent"]]);
  await nextPoll();
  await nextPoll();
  assert.equal(lookups().length, 1);
  fake.composeDetails.get(1).cc = ["Carol <carol@c.test>"];
  await nextPoll();
  assert.deepEqual(lookups(), [["alice@a.test", "bob@b.test"], ["carol@c.test"]]);
  fake.composeDetails.get(1).to = ["Alice <alice@a.test>"];
  await nextPoll();
  assert.equal(lookups().length, 2);
  assert.deepEqual(states(1).map((s) => s[0]), ["alice@a.test", "carol@c.test"]);
  // Another tab, other spelling: a new window looks its recipients up
  // afresh once (the token must not serve what DNS withdrew meanwhile).
  await openTab(2, { bcc: ["ALICE@a.test"] });
  assert.deepEqual(lookups().at(-1), ["ALICE@a.test"]);
  await nextPoll();
  assert.equal(lookups().length, 3);
  assert.deepEqual(compose.tabStatus(2).map((e) => e.state), ["absent"]);
  compose.untrack(1);
  assert.deepEqual(compose.tabStatus(1), []);
});

test("untracked tabs are not polled any more", async (t) => {
  const { fake, compose, openTab, nextPoll } = await setup(t);
  await openTab(1, { to: ["alice@a.test"] });
  compose.untrack(1);
  const n = fake.calls.length;
  await nextPoll();
  await nextPoll();
  assert.equal(fake.calls.filter((c) => c[0] === "getComposeDetails")
    .length, fake.calls.slice(0, n).filter((c) =>
    c[0] === "getComposeDetails").length);
});

test("mailing lists are expanded; duplicates and non-addresses dropped",
  async (t) => {
    const { fake, lookups, openTab } = await setup(t);
    fake.lists["Team <Team>"] = ["Dan <dan@d.test>", "alice@a.test"];
    await openTab(1, { to: ["Team <Team>", "Alice@A.test", "nobody"],
      cc: ["dan@d.test"] });
    assert.deepEqual(lookups(), [["dan@d.test", "alice@a.test"]]);
  });

test("excluded domains are never looked up, and the exclusion can be undone",
  async (t) => {
    const { fake, lookups, openTab, nextPoll, states } = await setup(t, {
      settings: { neverDomains: ["b.test"] },
      results: { "alice@a.test": found("aa"), "bob@x.b.test": found("bb") } });
    await openTab(1, { to: ["alice@a.test", "bob@x.b.test"] });
    assert.deepEqual(lookups(), [["alice@a.test"]]);
    assert.deepEqual(states(1), [["alice@a.test", "found"],
      ["bob@x.b.test", "skipped"]]);
    assert.equal(fake.badges.get(1).text, "1/2");
    // The user takes b.test off the list: bob is looked up now.
    fake.stored.settings = { neverDomains: [] };
    await nextPoll();
    assert.deepEqual(lookups(), [["alice@a.test"], ["bob@x.b.test"]]);
    assert.deepEqual(states(1), [["alice@a.test", "found"],
      ["bob@x.b.test", "found"]]);
    assert.deepEqual(fake.badges.get(1), { text: "2/2", color: "#2e7d32",
      icon: "/icons/verified.svg" });
    // ... and puts a.test on it: alice no longer counts.
    fake.stored.settings = { neverDomains: ["a.test"] };
    await nextPoll();
    assert.equal(lookups().length, 2);
    assert.deepEqual(states(1), [["alice@a.test", "skipped"],
      ["bob@x.b.test", "found"]]);
    assert.equal(fake.badges.get(1).text, "1/2");
  });

test("the badge counts recipients with a usable certificate", async (t) => {
  const { fake, compose, openTab, states } = await setup(t, {
    settings: { keepCopy: true }, results: {
    "alice@a.test": found("aa"),
    "bob@b.test": { status: "absent", dnssec: "secure", ttl: 300 },
    "carol@c.test": { status: "insecure", dnssec: "insecure",
      certificates: [cert("cc")] },
    "dan@d.test": { status: "unusable", dnssec: "secure",
      certificates: [cert("dd", { usable: false, problems: ["expired"] })] },
    "erin@e.test": { status: "bogus", dnssec: "bogus", reason: "signature expired" },
    "fred@f.test": { status: "error", dnssec: "indeterminate",
      error: { code: "timeout", message: "no answer" } },
  } });
  await openTab(1, { to: ["alice@a.test", "bob@b.test", "carol@c.test",
    "dan@d.test", "erin@e.test", "fred@f.test"] });
  assert.deepEqual(states(1), [["alice@a.test", "found"],
    ["bob@b.test", "absent"], ["carol@c.test", "insecure"],
    ["dan@d.test", "unusable"], ["erin@e.test", "bogus"],
    ["fred@f.test", "error"]]);
  assert.deepEqual(fake.badges.get(1), { text: "1/6", color: "#616161",
    icon: "/icons/icon.svg" });
  const st = Object.fromEntries(compose.tabStatus(1).map((e) =>
    [e.address, e]));
  assert.deepEqual(st["dan@d.test"].certificate, { subject: "CN=dd",
    notAfter: "2030-01-01T00:00:00Z", usable: false, problems: ["expired"] });
  assert.equal(st["erin@e.test"].reason, "signature expired");
  assert.equal(st["fred@f.test"].reason, "no answer");
  assert.deepEqual(fake.imported.map((i) => i.sha256), ["aa"]);
  await openTab(2, { to: ["alice@a.test"] });
  assert.deepEqual(fake.badges.get(2), { text: "1/1", color: "#2e7d32",
    icon: "/icons/verified.svg" });
  await openTab(3, {});
  assert.equal(fake.badges.get(3).text, "");
});

test("only usable certificates of secure answers are imported; the recipients are set again once",
  async (t) => {
    const { fake, compose, openTab, nextPoll } = await setup(t, {
      settings: { keepCopy: true }, results: {
      "alice@a.test": { ...found("aa"), certificates: [
        cert("a0", { usable: false }), cert("aa"),
        cert("ca", { is_ca: true }), cert("px", { trust_basis: "pkix", trust: ",," })] },
      "carol@c.test": { status: "insecure", dnssec: "insecure",
        certificates: [cert("cc")] },
      "dan@d.test": { ...found("dd"), dnssec: "insecure" },
    } });
    const details = { to: ["Alice <alice@a.test>"], cc: ["carol@c.test"],
      bcc: ["dan@d.test"] };
    await openTab(1, details);
    assert.deepEqual(fake.imported, [
      { der: "MIIaa", sha256: "aa", trust: ",C," },
      { der: "MIIpx", sha256: "px", trust: ",," }]);
    const entry = compose.tabStatus(1)[0];
    // (A certimport.js that reports withheld certificates lists them as
    // refused: only what was added counts here.)
    assert.deepEqual(entry.imports.filter((i) => i.action !== "refused")
      .map((i) => [i.sha256, i.action, i.trust]),
    [["aa", "added", ",C,"], ["px", "added", ",,"]]);
    assert.deepEqual(entry.certificate.subject, "CN=aa");
    assert.deepEqual(entry.thunderbird, { found: true });
    assert.equal(compose.tabStatus(1)[1].usable, false);
    const log = fake.stored.importLog.filter((e) => e.action === "added");
    assert.deepEqual(log.map((e) => [e.sha256, e.address, e.method]),
      [["px", "alice@a.test", "experiment"], ["aa", "alice@a.test", "experiment"]]);
    const sets = () => fake.calls.filter((c) => c[0] === "setComposeDetails");
    assert.deepEqual(sets(), [["setComposeDetails", 1, details]]);
    await nextPoll();
    await nextPoll();
    assert.equal(sets().length, 1);
  });

test("an import that changes nothing does not set the recipients again",
  async (t) => {
    const { fake, openTab } = await setup(t, { settings: { keepCopy: true },
      results: { "alice@a.test": found("aa") } });
    fake.importAction = () => "unchanged";
    await openTab(1, { to: ["alice@a.test"] });
    assert.equal(fake.imported.length, 1);
    assert.equal(fake.calls.filter((c) => c[0] === "setComposeDetails").length, 0);
    assert.deepEqual((fake.stored.importLog || []).filter((e) =>
      e.action === "added" || e.action === "trusted"), []);
    assert.equal(fake.badges.get(1).text, "1/1");
  });

test("by default (the live token) nothing is imported and browser.certdb is never touched; the badge counts",
  async (t) => {
    const { fake, compose, openTab, nextPoll } = await setup(t, {
      results: { "alice@a.test": found("aa"), "bob@b.test": found("bb") } });
    await openTab(1, { to: ["alice@a.test", "bob@b.test"] });
    assert.equal(fake.imported.length, 0);
    assert.equal(fake.badges.get(1).text, "2/2");
    // Thunderbird checked them before the token served them: the same
    // recipients are set again, once, so that it checks again.
    const sets = () => fake.calls.filter((c) => c[0] === "setComposeDetails");
    assert.deepEqual(sets(), [["setComposeDetails", 1,
      { to: ["alice@a.test", "bob@b.test"], cc: [], bcc: [] }]]);
    await nextPoll();
    assert.equal(sets().length, 1);
    const e = compose.tabStatus(1)[0];
    assert.deepEqual([e.path, e.token, e.usable, e.imports, e.thunderbird,
      compose.ready(e)], ["token", "added", true, [], null, true]);
    // What the options page and the popups ask for, too.
    assert.equal(await certs.profileDb(), null);
    assert.equal(await certs.thunderbirdFinds("alice@a.test"), null);
    assert.deepEqual(await certs.importResult("alice@a.test", found("aa")), []);
    assert.equal(await certs.remove("aa"), false);
    assert.equal(certs.experimentAvailable(), false);
    assert.equal(fake.certdbTouched, 0);
    assert.equal(fake.stored.importLog, undefined);
    // Both are remembered for the re-checks.
    assert.deepEqual(Object.keys(fake.stored.vouched).sort(),
      ["alice@a.test", "bob@b.test"]);
  });

test("without the token's module a usable certificate is not ready, and says why",
  async (t) => {
    const { fake, compose, openTab } = await setup(t, { token: false,
      results: { "alice@a.test": found("aa") } });
    assert.equal(token.status.state, "missing");
    assert.match(token.status.error, /No such PKCS#11 module dane_smime_pkcs11/);
    await openTab(1, { to: ["alice@a.test"] });
    const e = compose.tabStatus(1)[0];
    assert.deepEqual([e.usable, e.token, compose.ready(e)],
      [true, "missing", false]);
    assert.equal(fake.badges.get(1).text, "0/1");
    assert.equal(fake.certdbTouched, 0);
  });

test("auto-encrypt: once, only when every recipient can get it and the identity can encrypt",
  async (t) => {
    const results = { "alice@a.test": found("aa"), "bob@b.test": found("bb") };
    const { fake, openTab, nextPoll } = await setup(t, {
      settings: { autoEncrypt: true }, results });
    fake.importAction = () => "unchanged";
    fake.identityData.set("id1", { id: "id1",
      encryptionCapabilities: { "S/MIME": { canEncrypt: true } } });
    fake.identityData.set("id2", { id: "id2",
      encryptionCapabilities: { "S/MIME": { canEncrypt: false } } });
    const encrypts = () => fake.calls.filter((c) => c[0] === "setComposeDetails" &&
      c[2].selectedEncryptionTechnology);
    await openTab(1, { identityId: "id1", to: ["alice@a.test", "x@none.test"] });
    assert.equal(encrypts().length, 0);
    await openTab(2, { identityId: "id2", to: ["alice@a.test"] });
    assert.equal(encrypts().length, 0);
    await openTab(3, { identityId: "id1", to: ["alice@a.test", "bob@b.test"] });
    assert.deepEqual(encrypts(), [["setComposeDetails", 3,
      { selectedEncryptionTechnology: { name: "S/MIME", encryptBody: true } }]]);
    await nextPoll();
    assert.equal(encrypts().length, 1);
  });

test("onBeforeSend waits for unresolved recipients at most 4 s", async (t) => {
  const { compose, lookups, clock } = await setup(t, { hang: () => true });
  let done = null;
  compose.beforeSend({ id: 1 }, { to: ["slow@s.test"] }).then((r) => { done = r; });
  await flush();
  assert.deepEqual(lookups(), [["slow@s.test"]]);
  clock.tick(3999);
  await flush();
  assert.equal(done, null);
  clock.tick(1);
  await flush();
  assert.deepEqual(done, {});
});

test("onBeforeSend returns as soon as the lookup is done, and imports",
  async (t) => {
    const { fake, compose } = await setup(t, { settings: { keepCopy: true },
      results: { "alice@a.test": found("aa") } });
    const r = await compose.beforeSend({ id: 1 }, { to: ["alice@a.test"] });
    assert.deepEqual(r, {});
    assert.deepEqual(fake.imported.map((i) => i.sha256), ["aa"]);
  });

test("onBeforeSend never waits when the host is not usable or fails",
  async (t) => {
    const { fake, compose, lookups } = await setup(t);
    host.status.state = "missing";
    assert.deepEqual(await compose.beforeSend({ id: 1 },
      { to: ["alice@a.test"] }), {});
    assert.equal(lookups().length, 0);
    host.status.state = "ready";
    fake.messengerUtilities.parseMailboxString = async () => {
      throw new Error("bad header");
    };
    assert.deepEqual(await compose.beforeSend({ id: 1 },
      { to: ["alice@a.test"] }), {});
    assert.deepEqual(await compose.beforeSend({ id: 1 }, {}), {});
  });

test("onBeforeSend joins a lookup already in flight", async (t) => {
  const { fake, compose, lookups } = await setup(t, { hang: () => true });
  fake.composeDetails.set(1, { to: ["slow@s.test"], cc: [], bcc: [] });
  compose.track({ id: 1, type: "messageCompose" });
  await flush();
  let done = null;
  compose.beforeSend({ id: 1 }, { to: ["slow@s.test"] }).then((r) => { done = r; });
  await flush();
  assert.equal(lookups().length, 1);
  const req = hostPort.sent.at(-1);
  hostPort.reply({ type: "result", id: req.id, address: "slow@s.test",
    status: "absent", dnssec: "secure" });
  hostPort.reply({ type: "done", id: req.id });
  await flush();
  assert.deepEqual(done, {});
  assert.equal(compose.tabStatus(1)[0].state, "absent");
});

test("without a usable host recipients show its state and are looked up once it is ready",
  async (t) => {
    const { fake, compose, lookups, openTab, states } = await setup(t, {
      results: { "alice@a.test": found("aa") } });
    host.status.state = "missing";
    await openTab(1, { to: ["alice@a.test"] });
    assert.deepEqual(states(1), [["alice@a.test", "host-missing"]]);
    assert.equal(lookups().length, 0);
    // A set-up problem: a warning on the button, not a recipient fact.
    assert.deepEqual(fake.badges.get(1), { text: "0/1", color: "#b26a00",
      icon: "/icons/warning.svg" });
    host.status.state = "ready";
    compose.hostReady();
    await flush();
    assert.deepEqual(states(1), [["alice@a.test", "found"]]);
    assert.deepEqual(fake.badges.get(1), { text: "1/1", color: "#2e7d32",
      icon: "/icons/verified.svg" });
  });

test("a failed lookup is an error, retried when the host is back",
  async (t) => {
    const { compose, lookups, openTab, nextPoll, states } = await setup(t, {
      hang: () => true });
    await openTab(1, { to: ["alice@a.test"] });
    const req = hostPort.sent.at(-1);
    hostPort.reply({ type: "error", id: req.id,
      error: { code: "internal", message: "out of memory" } });
    await flush();
    assert.deepEqual(states(1), [["alice@a.test", "error"]]);
    assert.equal(compose.tabStatus(1)[0].reason, "internal: out of memory");
    await nextPoll();
    assert.equal(lookups().length, 1);   // errors are kept for 10 s
    hostPort.responder = hostResponder({ results: { "alice@a.test": found("aa") } });
    compose.hostReady();
    await flush();
    assert.equal(lookups().length, 2);
    assert.deepEqual(states(1), [["alice@a.test", "found"]]);
  });

test("a missing result in the host's answer is an error for that address",
  async (t) => {
    const { openTab, states } = await setup(t, { hang: () => true });
    await openTab(1, { to: ["alice@a.test"] });
    hostPort.reply({ type: "done", id: hostPort.sent.at(-1).id });
    await flush();
    assert.deepEqual(states(1), [["alice@a.test", "error"]]);
  });

test("results are cached for their TTL, between 60 s and one hour",
  async (t) => {
    const { lookups, openTab, nextPoll } = await setup(t, { results: {
      "a@a.test": { status: "absent", dnssec: "secure", ttl: 120 },
      "b@b.test": { status: "absent", dnssec: "secure", ttl: 5 },
      "c@c.test": { status: "absent", dnssec: "secure", ttl: 86400 },
    } });
    await openTab(1, { to: ["a@a.test", "b@b.test", "c@c.test"] });
    const count = (a) => lookups().filter((l) => l.includes(a)).length;
    for (let s = 2; s <= 3600; s += 2)
      await nextPoll();
    // 3600 s: b every 60 s (+ the first), a every 120 s, c once more.
    assert.ok(count("a@a.test") >= 28 && count("a@a.test") <= 31, String(count("a@a.test")));
    assert.ok(count("b@b.test") >= 55 && count("b@b.test") <= 61, String(count("b@b.test")));
    assert.equal(count("c@c.test"), 2);
  });

test("without the Experiment, imports go through the host into the profile database",
  async (t) => {
    const { fake } = await setup(t, {
      settings: { keepCopy: true, profileDir: "/home/u/.thunderbird/p" },
      imports: (a) => ({ status: "found", dnssec: "secure",
        changes: [{ sha256: "aa", trust: ",C,", action: "added" }],
        refused: [{ sha256: "ca", reason: "a CA certificate never gets trust" }] }) });
    delete fake.certdb;
    assert.equal(certs.experimentAvailable(), false);
    const out = await certs.importResult("alice@a.test", found("aa"));
    const req = hostPort.sent.at(-1);
    assert.equal(req.type, "import");
    assert.equal(req.db, "sql:/home/u/.thunderbird/p");
    assert.deepEqual(req.addresses, ["alice@a.test"]);
    assert.deepEqual(out.map((o) => [o.action, o.sha256, o.method]),
      [["added", "aa", "host"], ["refused", "ca", "host"]]);
    assert.equal(out[0].subject, "CN=aa");
    assert.deepEqual(fake.stored.importLog.filter((e) => e.action === "added")
      .map((e) => [e.sha256, e.method]), [["aa", "host"]]);
    assert.equal(await certs.thunderbirdFinds("alice@a.test"), null);
    // Nothing importable: the host is not even asked.
    const n = hostPort.sent.length;
    assert.deepEqual(await certs.importResult("a@a.test",
      { ...found("aa"), dnssec: "insecure" }), []);
    assert.equal(hostPort.sent.length, n);
  });

test("without the Experiment and without a profile directory, imports are errors",
  async (t) => {
    const { fake } = await setup(t, { settings: { keepCopy: true } });
    delete fake.certdb;
    const n = hostPort.sent.length;
    const out = await certs.importResult("alice@a.test", found("aa"));
    assert.deepEqual(out.map((o) => [o.action, o.reason]),
      [["error", "errNoProfileDir"]]);
    assert.equal(hostPort.sent.length, n);
    assert.equal(await certs.profileDb(), null);
  });

test("the Experiment's profile directory is remembered for the fallback",
  async (t) => {
    const { fake } = await setup(t, { settings: { keepCopy: true } });
    assert.equal(await certs.profileDb(), "sql:/home/u/.thunderbird/p.default");
    assert.equal(fake.stored.settings.profileDir, "/home/u/.thunderbird/p.default");
  });

test("undo removes only logged certificates, keeping ones that were there before",
  async (t) => {
    const { fake } = await setup(t, { settings: { keepCopy: true } });
    fake.importAction = (sha) => (sha === "bb" ? "trusted" : "added");
    await certs.importResult("alice@a.test", found("aa"));
    await certs.importResult("bob@b.test", found("bb"));
    assert.equal(await certs.remove("zz"), false);
    assert.equal(await certs.remove("aa"), true);
    assert.equal(await certs.remove("bb"), true);
    assert.equal(await certs.remove("aa"), false);   // already removed
    assert.deepEqual(fake.calls.filter((c) => c[0] === "deleteCertificate")
      .map((c) => c.slice(0, 2)),
    [["deleteCertificate", "aa"], ["deleteCertificate", "bb"]]);
    assert.ok(fake.stored.importLog.every((e) => e.removed));
  });

test("with a copy kept, ready needs Thunderbird to find the certificate; a pending lookup shows no count yet",
  async (t) => {
    const { fake, compose, openTab } = await setup(t, {
      settings: { keepCopy: true }, hang: (m) =>
      m.addresses.includes("slow@s.test"), results: {
      "alice@a.test": found("aa"), "bob@b.test": found("bb") } });
    fake.tbFinds = (a) => ({ found: a === "alice@a.test" });
    await openTab(1, { to: ["alice@a.test", "bob@b.test"] });
    const r = compose.tabReport(1);
    assert.deepEqual([r.total, r.ready, r.checking], [2, 1, 0]);
    assert.deepEqual(fake.badges.get(1), { text: "1/2", color: "#616161",
      icon: "/icons/icon.svg" });
    await openTab(2, { to: ["slow@s.test"] });
    assert.deepEqual(fake.badges.get(2), { text: "\u2026", color: "#616161",
      icon: "/icons/icon.svg" });
    assert.equal(compose.tabReport(2).checking, 1);
  });

test("the popup's report carries every detail a person may open", async (t) => {
  const { compose, openTab } = await setup(t, { results: {
    "dan@d.test": { status: "unusable", dnssec: "secure", ttl: 300,
      query: "abc._smimecert.d.test",
      records: [{ usage: 3, selector: 0, matching: 0, certificate: 0 },
        { usage: 9, selector: 0, matching: 0, problem: { code: "unknown-usage",
          message: "usage 9" } }],
      certificates: [cert("dd", { usable: false, usage: 3, selector: 0,
        matching: 0, not_before: "2020-01-01T00:00:00Z",
        not_after: "2021-01-01T00:00:00Z", trust: null, version: 3,
        problems: [{ code: "expired", message: "expired 2021-01-01" }] })] },
  } });
  await openTab(1, { to: ["dan@d.test"] });
  const [e] = compose.tabReport(1).recipients;
  assert.equal(e.query, "abc._smimecert.d.test");
  assert.equal(e.dnssec, "secure");
  assert.equal(e.records[1].problem.code, "unknown-usage");
  assert.deepEqual(e.certificates[0].problems, [{ code: "expired",
    message: "expired 2021-01-01" }]);
  assert.equal(e.certificates[0].notAfter, "2021-01-01T00:00:00Z");
  assert.deepEqual(e.certificates[0].record, [3, 0, 0]);
  assert.equal(e.certificates[0].trust, null);
  assert.equal(e.certificates[0].version, 3);
});

test("auto-encrypt says what it did and why it could not", async (t) => {
  const results = { "alice@a.test": found("aa") };
  const { fake, compose, openTab, clock } = await setup(t, {
    settings: { autoEncrypt: true }, results });
  fake.importAction = () => "unchanged";
  fake.identityData.set("id1", { id: "id1", email: "me@m.test",
    encryptionCapabilities: { "S/MIME": { canEncrypt: true } } });
  fake.identityData.set("id2", { id: "id2", email: "me2@m.test",
    encryptionCapabilities: { "S/MIME": { canEncrypt: false } } });
  await openTab(1, { identityId: "id1", to: ["alice@a.test"] });
  const on = compose.tabReport(1).encryption;
  assert.equal(on.state, "on");
  assert.ok(Math.abs(Date.parse(on.at) - Date.now()) < 5000, on.at);
  await openTab(2, { identityId: "id2", to: ["alice@a.test"] });
  assert.deepEqual(compose.tabReport(2).encryption, { state: "no-identity-cert" });
  assert.deepEqual(compose.tabReport(2).identity, { id: "id2",
    email: "me2@m.test", canEncrypt: false });
  await openTab(3, { identityId: "id1", to: ["alice@a.test", "x@none.test"] });
  assert.deepEqual(compose.tabReport(3).encryption, { state: "not-all-ready" });
  fake.compose.setComposeDetails = async () => {
    throw new Error("no certificate for the identity");
  };
  await openTab(4, { identityId: "id1", to: ["alice@a.test"] });
  assert.deepEqual(compose.tabReport(4).encryption, { state: "failed",
    error: "no certificate for the identity" });
  void clock;
});

test("an alarm keeps the compose tabs followed across a suspended page",
  async (t) => {
    const { fake, compose, lookups, openTab } = await setup(t, { results: {
      "alice@a.test": found("aa") } });
    await openTab(1, { to: ["alice@a.test"] });
    assert.deepEqual(fake.alarms.list.get(compose.ALARM), { periodInMinutes: 1 });
    compose.untrack(1);
    await flush();
    assert.equal(fake.alarms.list.has(compose.ALARM), false);
    // The page was suspended (module state gone, timers dead) while a
    // compose tab stayed open; the alarm wakes a fresh page, which finds
    // the tab and looks its recipients up.
    const fresh = await import(COMPOSE_URL.href + "?i=" + instance++);
    fake.composeDetails.set(7, { to: ["alice@a.test"], cc: [], bcc: [] });
    await fresh.wake();
    await flush();
    assert.deepEqual(fresh.tabStatus(7).map((e) => e.state), ["found"]);
    assert.deepEqual(lookups().at(-1), ["alice@a.test"]);
    assert.ok(fake.alarms.list.has(fresh.ALARM));
    fresh.untrack(7);
  });

// --- The live token (issue 17) and the web-server switch (issue 18) ---

test("the token's module: installed when missing, left alone when there, and why not",
  async () => {
    const fake = install();
    let s = await token.ensure();
    assert.deepEqual([s.state, s.error, s.slots], ["added", null,
      [{ name: "DANE S/MIME", token: "DANE S/MIME: 1 certificate" }]]);
    assert.deepEqual(fake.calls.filter((c) => c[0].startsWith("pkcs11.")), [
      ["pkcs11.isModuleInstalled", "dane_smime_pkcs11"],
      ["pkcs11.installModule", "dane_smime_pkcs11"]]);
    // Thunderbird keeps it (pkcs11.txt): the next start only asks.
    s = await token.ensure();
    assert.equal(s.state, "installed");
    assert.equal(fake.calls.filter((c) => c[0] === "pkcs11.installModule")
      .length, 1);
    assert.equal(token.ready(), true);
    // No manifest (the helper's package is missing or too old).
    install().manifests.clear();
    s = await token.ensure();
    assert.deepEqual([s.state, token.ready()], ["missing", false]);
    // Thunderbird refuses to load it.
    install().installError = "Module could not be loaded";
    s = await token.ensure();
    assert.deepEqual([s.state, s.error], ["failed", "Module could not be loaded"]);
    // A Thunderbird without the API.
    delete install().pkcs11;
    s = await token.ensure();
    assert.equal(s.state, "unavailable");
    // Calls during a check share one more check after it.
    const f = install();
    await Promise.all([token.ensure(), token.ensure(), token.ensure()]);
    assert.equal(f.calls.filter((c) => c[0] === "pkcs11.isModuleInstalled")
      .length, 2);
    // A permanent copy kept: the token is not used, an installed module
    // unloaded, installed again once the choice is off.
    f.stored.settings = { keepCopy: true };
    s = await token.ensure();
    assert.deepEqual([s.state, token.ready(), f.modules.has(token.MODULE_NAME)],
      ["off", false, false]);
    assert.equal(f.calls.filter((c) => c[0] === "pkcs11.uninstallModule")
      .length, 1);
    s = await token.ensure();
    assert.equal(s.state, "off");
    f.stored.settings = { keepCopy: false };
    s = await token.ensure();
    assert.deepEqual([s.state, f.modules.has(token.MODULE_NAME)],
      ["added", true]);
    // Without a manifest, a kept copy is just "off".
    const g = install();
    g.manifests.clear();
    g.stored.settings = { keepCopy: true };
    assert.equal((await token.ensure()).state, "off");
  });

test("re-check: every served address is looked up again (at most 64 a request); withdrawn ones are dropped and shown",
  async (t) => {
    const results = {};
    for (let i = 0; i < 70; i++)
      results["u" + i + "@a.test"] = found("s" + i);
    const { fake, compose, lookups, openTab } = await setup(t, { results });
    // The alarm exists once and is not pushed back by a second start.
    await compose.start();
    assert.deepEqual(fake.alarms.list.get(compose.RECHECK_ALARM),
      { periodInMinutes: 15, delayInMinutes: 15 });
    const creates = () => fake.calls.filter((c) => c[0] === "alarms.create" &&
      c[1] === compose.RECHECK_ALARM).length;
    await compose.start();
    assert.equal(creates(), 1);
    // 70 recipients, in a window of their own, are served.
    await openTab(1, { to: Object.keys(results) });
    assert.equal(Object.keys(fake.stored.vouched).length, 70);
    assert.equal(fake.badges.get(1).text, "70");
    compose.untrack(1);
    // u3's record is withdrawn (secure denial), u4's domain turns
    // insecure, u5 times out (kept: no answer is no verdict).
    results["u3@a.test"] = { status: "absent", dnssec: "secure", ttl: 300 };
    results["u4@a.test"] = { ...found("s4"), status: "insecure",
      dnssec: "insecure" };
    results["u5@a.test"] = { status: "error", dnssec: "indeterminate",
      error: { code: "timeout", message: "no answer" } };
    const events = [];
    const { on } = await import("../../extension/modules/bus.js");
    const off = on((ev, d) => ev === "recheck" && events.push(d));
    const before = lookups().length;
    const r = await compose.recheck("alarm");
    off();
    const batches = lookups().slice(before);
    assert.deepEqual(batches.map((b) => b.length), [64, 6]);
    assert.deepEqual(batches.flat().sort(), Object.keys(results).sort());
    assert.deepEqual([r.reason, r.checked, r.gone.sort(), r.still.length],
      ["alarm", 70, ["u3@a.test", "u4@a.test"], 67]);
    assert.deepEqual(events, [r]);
    assert.equal(Object.keys(fake.stored.vouched).length, 68);
    assert.equal(fake.stored.vouched["u3@a.test"], undefined);
    assert.ok(fake.stored.vouched["u5@a.test"]);
    // A new window to u3 shows at once that it can no longer get it.
    await openTab(2, { to: ["u3@a.test"] });
    assert.deepEqual(compose.tabStatus(2).map((e) => [e.state, e.usable]),
      [["absent", false]]);
    assert.equal(fake.badges.get(2).text, "0/1");
    assert.equal(fake.certdbTouched, 0);
  });

test("re-check on compose: at most every 5 minutes; excluded domains are dropped, not looked up",
  async (t) => {
    const { fake, compose, lookups, openTab, clock } = await setup(t, {
      results: { "a@a.test": found("aa"), "b@b.test": found("bb") } });
    await openTab(1, { to: ["a@a.test", "b@b.test"] });
    // The first window re-checked the (empty) set; the second, a minute
    // later, does not; one six minutes later does.
    compose.untrack(1);
    clock.tick(60 * 1000);
    const n = lookups().length;
    await openTab(2, { to: ["c@c.test"] });
    assert.deepEqual(lookups().slice(n), [["c@c.test"]]);
    compose.untrack(2);
    fake.stored.settings = { neverDomains: ["b.test"] };
    clock.tick(6 * 60 * 1000);
    const m = lookups().length;
    await openTab(3, { to: ["c@c.test"] });
    await flush();
    assert.deepEqual(lookups().slice(m).sort(), [["a@a.test"], ["c@c.test"]]);
    assert.deepEqual(Object.keys(fake.stored.vouched), ["a@a.test"]);
  });

test("re-check without a usable host does nothing and says so", async (t) => {
  const { compose, lookups } = await setup(t);
  host.status.state = "missing";
  const n = lookups().length;
  assert.equal(await compose.recheck("alarm"), null);
  assert.equal(lookups().length, n);
  host.status.state = "ready";
});

test("the web-server switch: off sends \"https\": false in lookups and imports, on sends nothing",
  async (t) => {
    const { fake, compose, openTab } = await setup(t, {
      settings: { https: false, keepCopy: true, profileDir: "/p" },
      results: { "a@a.test": found("aa") },
      imports: () => ({ changes: [] }) });
    await openTab(1, { to: ["a@a.test"] });
    const sent = () => hostPort.sent.filter((m) => m.type === "lookup" ||
      m.type === "import");
    assert.equal(sent().at(-1).type, "lookup");
    assert.equal(sent().at(-1).https, false);
    delete fake.certdb;
    await certs.importResult("a@a.test", found("aa"));
    assert.deepEqual([sent().at(-1).type, sent().at(-1).https],
      ["import", false]);
    fake.stored.settings.https = true;
    await compose.beforeSend({ id: 1 }, { to: ["n@n.test"] });
    assert.equal(sent().at(-1).type, "lookup");
    assert.equal("https" in sent().at(-1), false);
    await certs.importResult("a@a.test", found("aa"));
    assert.equal("https" in sent().at(-1), false);
  });

test("what the token serves is looked up again a little before its TTL ends (at most every 10 s)",
  async (t) => {
    const { lookups, openTab, nextPoll } = await setup(t, { results: {
      "a@a.test": { ...found("aa"), ttl: 20 },
      "b@b.test": { ...found("bb"), ttl: 3 },
      "c@c.test": { ...found("cc"), ttl: 300 },
    } });
    await openTab(1, { to: ["a@a.test", "b@b.test", "c@c.test"] });
    const count = (a) => lookups().filter((l) => l.includes(a)).length;
    for (let s = 2; s <= 600; s += 2)
      await nextPoll();
    // 600 s: a every 15 s (16 s: the next 2 s poll), b every 10 s, c
    // every 295 s (296 s), each + the first.
    assert.ok(count("a@a.test") >= 37 && count("a@a.test") <= 41, String(count("a@a.test")));
    assert.ok(count("b@b.test") >= 59 && count("b@b.test") <= 61, String(count("b@b.test")));
    assert.equal(count("c@c.test"), 3);
  });
