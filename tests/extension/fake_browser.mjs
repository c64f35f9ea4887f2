// A fake of the parts of Thunderbird's `browser` the add-on's modules use,
// for the node --test unit tests: a scripted native port, storage.local,
// compose, messengerUtilities, composeAction, pkcs11 and the certdb
// Experiment (every access to browser.certdb is counted: fake.certdbTouched).
// Import this module before the add-on's modules: it sets
// globalThis.browser (the modules look it up only when they run).

class FakeEvent {
  constructor() {
    this.listeners = [];
  }
  addListener(fn) {
    this.listeners.push(fn);
  }
  fire(...args) {
    for (const fn of [...this.listeners])
      fn(...args);
  }
}

// One native-messaging port. `responder(msg, port)` is called for every
// posted message; it answers with port.reply(...) (asynchronously, as the
// real port does: replies never arrive inside postMessage).
export class FakePort {
  constructor(name, responder) {
    this.name = name;
    this.responder = responder;
    this.sent = [];
    this.error = null;
    this.closed = false;
    this.disconnectCalled = false;
    this.onMessage = new FakeEvent();
    this.onDisconnect = new FakeEvent();
  }
  postMessage(msg) {
    if (this.closed)
      throw new Error("Attempt to postMessage on disconnected port");
    this.sent.push(structuredClone(msg));
    if (this.responder)
      this.responder(msg, this);
  }
  // Delivers a message from the "host", after the current task.
  reply(msg) {
    setImmediate(() => {
      if (!this.closed)
        this.onMessage.fire(structuredClone(msg));
    });
  }
  // The host side goes away: errorMessage null is a plain exit.
  hostGone(errorMessage) {
    this.closed = true;
    this.error = errorMessage ? { message: errorMessage } : null;
    this.onDisconnect.fire(this);
  }
  // Called by the add-on; like WebExtensions, does not fire onDisconnect.
  disconnect() {
    this.closed = true;
    this.disconnectCalled = true;
  }
}

export const HELLO_OK = { type: "hello", name: "dane-smime", version: "0.1.0",
  protocol: 1, trusted: true, trust: "every resolver is on this machine" };

// A responder that answers hello with `hello` and every lookup with the
// results in `results` (address -> partial result), then "done".
// Addresses without an entry are never answered unless `answerAll`.
export function hostResponder(opts = {}) {
  const hello = opts.hello || HELLO_OK;
  return (msg, port) => {
    if (msg.type === "hello") {
      port.reply({ ...hello, id: msg.id });
    } else if (msg.type === "lookup") {
      if (opts.hang && opts.hang(msg))
        return;
      for (const a of msg.addresses) {
        const r = (opts.results && opts.results[a.toLowerCase()]) ||
          { status: "absent", dnssec: "secure", ttl: 300 };
        port.reply({ type: "result", id: msg.id, address: a, ...r });
      }
      port.reply({ type: "done", id: msg.id });
    } else if (msg.type === "import") {
      for (const a of msg.addresses)
        port.reply({ type: "import", id: msg.id, address: a,
          ...(opts.imports ? opts.imports(a) : { changes: [] }) });
      port.reply({ type: "done", id: msg.id });
    } else if (opts.other) {
      opts.other(msg, port);
    }
  };
}

// Resolves after `rounds` turns of the event loop (real setImmediate, which
// the tests never mock): lets the add-on's promise chains and the port's
// replies run.
export async function flush(rounds = 30) {
  for (let i = 0; i < rounds; i++)
    await new Promise((r) => setImmediate(r));
}

// Splits "Name <addr>, addr2, List <List>" the way Thunderbird's
// parseMailboxString does, for the cases the tests use.
function parseMailboxes(text, lists, expand) {
  const out = [];
  for (let part of text.split(",")) {
    part = part.trim();
    if (!part)
      continue;
    const m = /^(.*?)\s*<([^>]*)>$/.exec(part);
    const name = m ? m[1] : "";
    const email = m ? m[2] : part;
    if (expand && lists[part]) {
      for (const member of lists[part])
        out.push(...parseMailboxes(member, lists, expand));
      continue;
    }
    out.push({ name, email });
  }
  return out;
}

// Builds a fresh fake and installs it as globalThis.browser.
export function install() {
  const calls = [];   // [api, ...args] of every call with a side effect
  const storage = {};
  const fake = {
    calls,
    stored: storage,        // what storage.local holds
    ports: [],
    // connectNative behaviour: set per test.
    responder: hostResponder(),
    connectError: null,     // a message to throw from connectNative
    composeDetails: new Map(),  // tabId -> {to, cc, bcc, identityId}
    lists: {},              // "Team <Team>" -> ["a@x", "B <b@y>"]
    badges: new Map(),      // tabId -> {text, color}
    identityData: new Map(),  // identityId -> MailIdentity
    imported: [],           // certdb.importCertificate calls
    importAction: () => "added",
    tbFinds: () => ({ found: true }),
    runtime: {
      id: "dane-smime@test",
      lastError: undefined,
      connectNative(name) {
        calls.push(["connectNative", name]);
        if (fake.connectError)
          throw new Error(fake.connectError);
        const port = new FakePort(name, fake.responder);
        fake.ports.push(port);
        return port;
      },
      sendMessage: async () => {},
    },
    i18n: {
      getMessage: (key, subs) => key + (subs ? "(" + subs + ")" : ""),
    },
    storage: {
      local: {
        async get(key) {
          return key in storage ? { [key]: structuredClone(storage[key]) } : {};
        },
        async set(obj) {
          for (const [k, v] of Object.entries(obj))
            storage[k] = structuredClone(v);
        },
      },
    },
    tabs: {
      async query() {
        return [...fake.composeDetails.keys()].map((id) =>
          ({ id, type: "messageCompose" }));
      },
    },
    compose: {
      async getComposeDetails(tabId) {
        calls.push(["getComposeDetails", tabId]);
        const d = fake.composeDetails.get(tabId);
        if (!d)
          throw new Error("no compose tab " + tabId);
        return structuredClone(d);
      },
      async setComposeDetails(tabId, details) {
        calls.push(["setComposeDetails", tabId, structuredClone(details)]);
        const d = fake.composeDetails.get(tabId);
        for (const [k, v] of Object.entries(details))
          if (v !== undefined)
            d[k] = structuredClone(v);
      },
    },
    messengerUtilities: {
      async parseMailboxString(text, opts) {
        return parseMailboxes(text, fake.lists,
          !!(opts && opts.expandMailingLists));
      },
    },
    composeAction: {
      async setBadgeText({ tabId, text }) {
        fake.badges.set(tabId, { ...fake.badges.get(tabId), text });
      },
      async setBadgeBackgroundColor({ tabId, color }) {
        fake.badges.set(tabId, { ...fake.badges.get(tabId), color });
      },
      async setIcon({ tabId, path }) {
        fake.badges.set(tabId, { ...fake.badges.get(tabId), icon: path });
      },
    },
    // Alarms: fake.alarms holds name -> options; tests fire them with
    // fake.alarms.fire(name).
    alarms: {
      list: new Map(),
      onAlarm: new FakeEvent(),
      create(name, opts) {
        calls.push(["alarms.create", name, opts]);
        fake.alarms.list.set(name, opts);
      },
      async get(name) {
        return fake.alarms.list.has(name) ?
          { name, ...fake.alarms.list.get(name) } : undefined;
      },
      async clear(name) {
        calls.push(["alarms.clear", name]);
        return fake.alarms.list.delete(name);
      },
      fire(name) {
        fake.alarms.onAlarm.fire({ name });
      },
    },
    // pkcs11: fake.modules holds the installed module names; a name in
    // fake.manifests may be installed (Thunderbird's errors otherwise).
    modules: new Set(),
    manifests: new Set(["dane_smime_pkcs11"]),
    installError: null,
    pkcs11: {
      async isModuleInstalled(name) {
        calls.push(["pkcs11.isModuleInstalled", name]);
        if (!fake.manifests.has(name))
          throw new Error("No such PKCS#11 module " + name);
        return fake.modules.has(name);
      },
      async installModule(name) {
        calls.push(["pkcs11.installModule", name]);
        if (!fake.manifests.has(name))
          throw new Error("No such PKCS#11 module " + name);
        if (fake.installError)
          throw new Error(fake.installError);
        fake.modules.add(name);
      },
      async uninstallModule(name) {
        calls.push(["pkcs11.uninstallModule", name]);
        if (!fake.modules.has(name))
          throw new Error("The module " + name + " is not installed");
        fake.modules.delete(name);
      },
      async getModuleSlots(name) {
        if (!fake.modules.has(name))
          throw new Error("The module " + name + " is not installed");
        return [{ name: "DANE S/MIME", token: { name: "DANE S/MIME: 1 certificate" } }];
      },
    },
    identities: {
      async get(id) {
        return fake.identityData.get(id) || null;
      },
    },
    certdb: {
      // The third argument is the host's trust string (",C," or ",,");
      // an older certimport.js passed the trust basis instead.
      async importCertificate(der, sha256, trustArg) {
        const trust = { "pkix": ",,", "dane-ee": ",C,", "dane-ta": ",C," }[
          trustArg] || trustArg;
        fake.imported.push({ der, sha256, trust });
        const action = fake.importAction(sha256);
        return { action, sha256, trust };
      },
      async findCertForEmail(email) {
        calls.push(["findCertForEmail", email]);
        return fake.tbFinds(email);
      },
      async deleteCertificate(sha256, keep) {
        calls.push(["deleteCertificate", sha256, keep]);
        return true;
      },
      async profileDirectory() {
        return "/home/u/.thunderbird/p.default";
      },
    },
  };
  // Counts every look at browser.certdb (typeof included): with no
  // permanent copy kept the add-on must never touch it.
  const certdb = fake.certdb;
  fake.certdbTouched = 0;
  Object.defineProperty(fake, "certdb", {
    get() {
      fake.certdbTouched++;
      return fake.certdbValue;
    },
    set(v) {
      fake.certdbValue = v;
    },
    enumerable: true, configurable: true,
  });
  fake.certdbValue = certdb;
  globalThis.browser = fake;
  return fake;
}

install();

// A fake clock for one test: setTimeout, setInterval, their clear
// functions and Date.now are replaced (and restored by t.mock after the
// test); tick(ms) runs the timers that fall due, in order, synchronously.
// (node:test's mock.timers would do, but Date mocking needs node 20.11.)
export function fakeClock(t, start = Date.UTC(2026, 0, 1)) {
  let now = start;
  let nextId = 1;
  const timers = new Map();
  const add = (fn, ms, repeat, args) => {
    const delay = Math.max(repeat ? 1 : 0, Number(ms) || 0);
    const id = nextId++;
    timers.set(id, { fn, at: now + delay, every: repeat ? delay : 0, args });
    return id;
  };
  t.mock.method(globalThis, "setTimeout", (fn, ms, ...a) => add(fn, ms, false, a));
  t.mock.method(globalThis, "setInterval", (fn, ms, ...a) => add(fn, ms, true, a));
  t.mock.method(globalThis, "clearTimeout", (id) => { timers.delete(id); });
  t.mock.method(globalThis, "clearInterval", (id) => { timers.delete(id); });
  t.mock.method(Date, "now", () => now);
  return {
    pending: () => timers.size,
    tick(ms) {
      const end = now + ms;
      for (;;) {
        let due = null;
        for (const [id, tm] of timers)
          if (tm.at <= end && (!due || tm.at < due[1].at))
            due = [id, tm];
        if (!due)
          break;
        const [id, tm] = due;
        now = tm.at;
        if (tm.every)
          tm.at += tm.every;
        else
          timers.delete(id);
        tm.fn(...tm.args);
      }
      now = end;
    },
  };
}
