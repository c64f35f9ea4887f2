// Unit tests of extension/modules/host.js (node --test): the native port
// is a fake (fake_browser.mjs); timers are a fake clock (fakeClock). Every
// test imports a fresh copy of host.js (a query string makes a new module
// instance), so no state leaks between tests.
import test from "node:test";
import assert from "node:assert/strict";
import { install, flush, hostResponder, HELLO_OK, fakeClock } from "./fake_browser.mjs";
import * as bus from "../../extension/modules/bus.js";

const HOST_URL = new URL("../../extension/modules/host.js", import.meta.url);
let instance = 0;
const clocks = new WeakMap();

// A fresh fake browser, a fresh host module, a fake clock and a record of
// the host-state events.
async function setup(t, responder) {
  const fake = install();
  if (responder)
    fake.responder = responder;
  if (!clocks.has(t)) {   // tests with several cases call setup again
    clocks.set(t, fakeClock(t));
    t.mock.method(console, "warn", () => {});
  }
  const clock = clocks.get(t);
  const host = await import(HOST_URL.href + "?i=" + instance++);
  const states = [];
  const off = bus.on((event, detail) => {
    if (event === "host-state")
      states.push(detail.state);
  });
  t.after(off);
  return { fake, host, states, clock };
}

test("connect sends hello with an id; a trusted protocol-1 hello is ready",
  async (t) => {
    const { fake, host, states } = await setup(t);
    host.connect();
    assert.equal(fake.ports.length, 1);
    assert.equal(fake.ports[0].name, "dane_smime");
    assert.equal(host.status.state, "connecting");
    assert.equal(fake.ports[0].sent.length, 1);
    assert.equal(fake.ports[0].sent[0].type, "hello");
    assert.equal(typeof fake.ports[0].sent[0].id, "number");
    await flush();
    assert.equal(host.status.state, "ready");
    assert.ok(host.usable());
    assert.equal(host.status.hello.version, "0.1.0");
    assert.deepEqual(states, ["connecting", "ready"]);
    host.connect();   // already connected: no second port
    assert.equal(fake.ports.length, 1);
  });

test("hello with trusted false is untrusted, with the host's reason",
  async (t) => {
    const { host } = await setup(t, hostResponder({
      hello: { ...HELLO_OK, trusted: false, trust: "resolver 192.0.2.1 is remote" } }));
    host.connect();
    await flush();
    assert.equal(host.status.state, "untrusted");
    assert.equal(host.status.error, "resolver 192.0.2.1 is remote");
    assert.ok(!host.usable());
  });

test("an old protocol, or an error answer to hello, is outdated", async (t) => {
  for (const hello of [
    { ...HELLO_OK, protocol: 0 },
    { ...HELLO_OK, protocol: "1" },
    { type: "error", error: { code: "unknown-type", message: "no hello here" } },
  ]) {
    const { host } = await setup(t, (msg, port) =>
      port.reply({ ...hello, id: msg.id }));
    host.connect();
    await flush();
    assert.equal(host.status.state, "outdated", JSON.stringify(hello));
    assert.ok(!host.usable());
    if (hello.type === "error")
      assert.equal(host.status.error, "no hello here");
  }
});

test("disconnect errors: no such native application is missing, others failed",
  async (t) => {
    for (const [error, state, text] of [
      ["No such native application dane_smime", "missing",
        "No such native application dane_smime"],
      ["An unexpected error occurred", "failed", "An unexpected error occurred"],
      [null, "failed", "the host exited"],
    ]) {
      const { fake, host, states } = await setup(t, () => {});
      host.connect();
      const hello = host.status.state;
      fake.ports[0].hostGone(error);
      assert.equal(hello, "connecting");
      assert.equal(host.status.state, state, String(error));
      assert.equal(host.status.error, text);
      assert.deepEqual(states, ["connecting", state]);
    }
  });

test("connectNative throwing is classified like a disconnect", async (t) => {
  const { fake, host } = await setup(t);
  fake.connectError = "No such native application dane_smime";
  host.connect();
  assert.equal(host.status.state, "missing");
  await assert.rejects(host.lookup(["a@example.test"]), /not connected \(missing\)/);
});

test("request ids are unique; interleaved replies go to their own request",
  async (t) => {
    const { fake, host } = await setup(t, (msg, port) => {
      if (msg.type === "hello")
        port.reply({ ...HELLO_OK, id: msg.id });
    });
    host.connect();
    await flush();
    const port = fake.ports[0];
    const a = host.lookup(["a@one.test", "b@one.test"]);
    const b = host.lookup(["c@two.test"]);
    const [ra, rb] = port.sent.filter((m) => m.type === "lookup");
    assert.equal(ra.type, "lookup");
    assert.deepEqual(ra.addresses, ["a@one.test", "b@one.test"]);
    assert.notEqual(ra.id, rb.id);
    assert.equal(new Set(port.sent.map((m) => m.id)).size, port.sent.length);
    // Completion order, not request order; an unknown id is ignored.
    port.reply({ type: "result", id: rb.id, address: "c@two.test", status: "absent" });
    port.reply({ type: "result", id: ra.id, address: "b@one.test", status: "found" });
    port.reply({ type: "result", id: 9999, address: "x@y.test", status: "found" });
    port.reply({ type: "done", id: rb.id });
    port.reply({ type: "result", id: ra.id, address: "a@one.test", status: "bogus" });
    port.reply({ type: "done", id: ra.id });
    const [ma, mb] = await Promise.all([a, b]);
    assert.deepEqual([...ma.keys()].sort(), ["a@one.test", "b@one.test"]);
    assert.equal(ma.get("a@one.test").status, "bogus");
    assert.equal(ma.get("b@one.test").status, "found");
    assert.deepEqual([...mb.keys()], ["c@two.test"]);
    assert.equal(console.warn.mock.callCount(), 1);   // the unknown id
  });

test("a ready host is asked for its doctor probe: a resolver that answers without validating is a set-up problem",
  async (t) => {
    for (const [probe, want, state] of [
      [{ answered: true, ad: false, rcode: 0 }, false, "not-validating"],
      [{ answered: true, ad: true, rcode: 0 }, true, "ready"],
      [{ answered: true, ad: false, rcode: 5 }, null, "ready"],
      [{ answered: false }, null, "ready"]]) {
      const { fake, host } = await setup(t, hostResponder({
        other: (msg, port) => {
          if (msg.type === "doctor")
            port.reply({ type: "doctor", id: msg.id, probe, ok: !!probe.ad });
        } }));
      host.connect();
      await flush();
      assert.deepEqual(fake.ports[0].sent.map((m) => m.type), ["hello", "doctor"]);
      assert.equal(host.status.state, "ready");
      assert.equal(host.status.validating, want, JSON.stringify(probe));
      assert.equal(host.setupState(), state);
    }
  });

test("an error reply rejects only its own request", async (t) => {
  const { fake, host } = await setup(t, hostResponder({ hang: () => true }));
  host.connect();
  await flush();
  const port = fake.ports[0];
  const a = host.lookup(["a@one.test"]);
  const b = host.lookup(["b@two.test"]);
  const [ra, rb] = port.sent.filter((m) => m.type === "lookup");
  port.reply({ type: "error", id: ra.id,
    error: { code: "too-many-addresses", message: "at most 100000" } });
  port.reply({ type: "done", id: rb.id });
  await assert.rejects(a, /^Error: too-many-addresses: at most 100000$/);
  assert.equal((await b).size, 0);
});

test("a disconnect fails every pending request", async (t) => {
  const { fake, host } = await setup(t, hostResponder({ hang: () => true }));
  host.connect();
  await flush();
  const a = host.lookup(["a@one.test"]);
  const v = host.verifyMessage("TUlNRQ==", "h@one.test");
  fake.ports[0].hostGone(null);
  await assert.rejects(a, /the host exited|host disconnected/);
  await assert.rejects(v, /host disconnected/);
  assert.equal(host.status.state, "failed");
  await assert.rejects(host.lookup(["b@one.test"]), /not connected \(failed\)/);
});

test("postMessage throwing rejects that request and keeps the port",
  async (t) => {
    const { fake, host } = await setup(t);
    host.connect();
    await flush();
    const port = fake.ports[0];
    const post = port.postMessage;
    port.postMessage = () => { throw new Error("message too big"); };
    await assert.rejects(host.lookup(["a@one.test"]), /message too big/);
    port.postMessage = post;
    const r = await host.lookup(["a@one.test"]);
    assert.equal(r.get("a@one.test").status, "absent");
  });

test("hostImport collects import messages; verifyMessage sends from only if given",
  async (t) => {
    const { fake, host } = await setup(t, hostResponder({
      imports: (a) => ({ status: "found", dnssec: "secure",
        changes: [{ sha256: "ab", trust: ",C,", action: "added" }] }),
      other: (msg, port) => port.reply({ type: "verify-message", id: msg.id,
        signature: "valid" }),
    }));
    host.connect();
    await flush();
    const out = await host.hostImport("sql:/p", ["a@one.test", "b@one.test"]);
    assert.equal(out.length, 2);
    assert.deepEqual(out.map((m) => m.address), ["a@one.test", "b@one.test"]);
    const sent = fake.ports[0].sent;
    assert.equal(sent.at(-1).db, "sql:/p");
    assert.equal((await host.verifyMessage("TQ==")).signature, "valid");
    assert.ok(!("from" in sent.at(-1)));
    await host.verifyMessage("TQ==", "h@one.test");
    assert.equal(sent.at(-1).from, "h@one.test");
    assert.equal(sent.at(-1).message, "TQ==");
  });

test("reconnect with doubling backoff, capped at five minutes", async (t) => {
  const { fake, host, clock } = await setup(t);
  fake.connectError = null;
  fake.responder = () => {};   // never answers hello
  host.connect();
  const delays = [1000, 2000, 4000, 8000, 16000, 32000, 64000, 128000,
    256000, 300000, 300000];
  for (const d of delays) {
    const n = fake.ports.length;
    fake.ports[n - 1].hostGone("No such native application dane_smime");
    assert.equal(host.status.state, "missing");
    clock.tick(d - 1);
    assert.equal(fake.ports.length, n, "no reconnect before " + d + " ms");
    clock.tick(1);
    assert.equal(fake.ports.length, n + 1, "reconnect after " + d + " ms");
    assert.equal(host.status.state, "connecting");
  }
});

test("a successful hello resets the backoff", async (t) => {
  const { fake, host, clock } = await setup(t, () => {});
  host.connect();
  for (const d of [1000, 2000]) {
    fake.ports.at(-1).hostGone(null);
    clock.tick(d);
  }
  assert.equal(fake.ports.length, 3);
  fake.responder = hostResponder();
  fake.ports.at(-1).hostGone(null);   // the next wait would be 4000 ms
  clock.tick(4000);
  await flush();
  assert.equal(host.status.state, "ready");
  fake.ports.at(-1).hostGone(null);   // crash after hello: 1000 ms again
  clock.tick(999);
  assert.equal(fake.ports.length, 4);
  clock.tick(1);
  assert.equal(fake.ports.length, 5);
  await flush();
  assert.equal(host.status.state, "ready");
});

test("reconnectNow cancels the wait and connects at once", async (t) => {
  const { fake, host, clock } = await setup(t, () => {});
  host.connect();
  fake.ports[0].hostGone("No such native application dane_smime");
  fake.responder = hostResponder();
  host.reconnectNow();
  assert.equal(fake.ports.length, 2);
  await flush();
  assert.equal(host.status.state, "ready");
  clock.tick(10 * 60 * 1000);   // the cancelled timer does nothing
  assert.equal(fake.ports.length, 2);
});

test("reconnectNow restarts a connected host that is untrusted or outdated",
  async (t) => {
    for (const hello of [{ ...HELLO_OK, trusted: false },
      { ...HELLO_OK, protocol: 0 }]) {
      const { fake, host } = await setup(t, hostResponder({ hello }));
      host.connect();
      await flush();
      assert.notEqual(host.status.state, "ready");
      const pendingLookup = host.request({ type: "lookup", addresses: [] },
        () => false);
      fake.responder = hostResponder();   // the user fixed the setup
      host.reconnectNow();
      assert.ok(fake.ports[0].disconnectCalled);
      assert.equal(fake.ports.length, 2);
      await assert.rejects(pendingLookup, /reconnecting/);
      await flush();
      assert.equal(host.status.state, "ready");
      // A late disconnect of the old port changes nothing.
      fake.ports[0].hostGone(null);
      assert.equal(host.status.state, "ready");
      assert.ok(host.usable());
    }
  });

test("reconnectNow leaves a ready host alone", async (t) => {
  const { fake, host } = await setup(t);
  host.connect();
  await flush();
  host.reconnectNow();
  assert.equal(fake.ports.length, 1);
  assert.ok(!fake.ports[0].disconnectCalled);
  assert.equal(host.status.state, "ready");
});
