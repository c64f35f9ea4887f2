// The one long-lived native-messaging port to the host "dane_smime".
// Every request carries an id; replies are routed back by it. The host
// may answer a lookup with many "result" messages, then one "done".
//
// States (this.state): "connecting", "ready", "missing" (no host manifest,
// or this add-on is not in allowed_extensions), "failed" (the host could
// not be started or crashed), "outdated" (protocol below what we need),
// "untrusted" (ready, but the host does not believe its resolver's AD bit:
// no answer will ever be secure, so nothing is imported).

import { emit } from "./bus.js";

export const HOST_NAME = "dane_smime";
export const PROTOCOL = 1;
const BACKOFF_MIN_MS = 1000;
const BACKOFF_MAX_MS = 5 * 60 * 1000;

let port = null;
let nextId = 1;
let backoff = BACKOFF_MIN_MS;
let retryTimer = null;
const pending = new Map();   // id -> {onMessage, resolve, reject}

export const status = {
  state: "connecting",
  error: null,       // text of the last connection error
  hello: null,       // the host's hello reply
  validating: null,  // doctor's probe: false when the trusted resolver
                     // answered without validating (no AD), else true/null
};

function setState(state, error) {
  status.state = state;
  status.error = error || null;
  emit("host-state", { ...status });
}

function classify(errorMessage) {
  // Texts checked against Thunderbird 153 (shared/notes/thunderbird.md).
  if (/No such native application/i.test(errorMessage || ""))
    return "missing";
  return "failed";
}

function failAll(reason) {
  for (const [, p] of pending)
    p.reject(new Error(reason));
  pending.clear();
}

function scheduleReconnect() {
  if (retryTimer)
    return;
  retryTimer = setTimeout(() => {
    retryTimer = null;
    connect();
  }, backoff);
  backoff = Math.min(backoff * 2, BACKOFF_MAX_MS);
}

function onMessage(msg) {
  const p = pending.get(msg && msg.id);
  if (!p) {
    console.warn("dane-smime: reply for unknown request", msg && msg.id);
    return;
  }
  let finished = false;
  try {
    finished = p.onMessage(msg);
  } catch (e) {
    pending.delete(msg.id);
    p.reject(e);
    return;
  }
  if (finished) {
    pending.delete(msg.id);
    p.resolve(finished === true ? msg : finished);
  }
}

function onDisconnect(p, which) {
  if (which !== port)
    return;   // a port reconnectNow() has already let go of
  const err = (p.error && p.error.message) || browser.runtime.lastError?.message;
  port = null;
  failAll(err || "host disconnected");
  setState(classify(err), err || "the host exited");
  scheduleReconnect();
}

export function connect() {
  if (port)
    return;
  setState("connecting");
  try {
    port = browser.runtime.connectNative(HOST_NAME);
  } catch (e) {
    port = null;
    setState(classify(e.message), e.message);
    scheduleReconnect();
    return;
  }
  port.onMessage.addListener(onMessage);
  const which = port;
  port.onDisconnect.addListener((p) => onDisconnect(p, which));
  sayHello();
}

async function sayHello() {
  let hello;
  try {
    hello = await request({ type: "hello" });
  } catch (e) {
    return;   // onDisconnect has set the state already
  }
  backoff = BACKOFF_MIN_MS;
  status.hello = hello;
  if (hello.type !== "hello" || typeof hello.protocol !== "number" ||
      hello.protocol < PROTOCOL)
    setState("outdated", hello.error ? hello.error.message : null);
  else if (!hello.trusted)
    setState("untrusted", hello.trust || null);
  else {
    setState("ready");
    probe();
  }
}

// A trusted resolver that does not validate makes every answer insecure:
// a set-up problem to show once, not a fact about each recipient. The
// host's doctor asks its probe name with DO and reports the AD bit.
async function probe() {
  let doc;
  try {
    doc = await request({ type: "doctor" });
  } catch (e) {
    return;
  }
  const p = doc && doc.type === "doctor" ? doc.probe : null;
  const validating = p && p.answered === true && p.rcode === 0 ?
    p.ad === true : null;
  if (validating !== status.validating) {
    status.validating = validating;
    emit("host-validating", { ...status });
  }
}

// The state the set-up banner and badges show: "not-validating" when a
// ready host's resolver does not validate.
export function setupState() {
  return status.state === "ready" && status.validating === false ?
    "not-validating" : status.state;
}

// Sends one request. onMessage(msg) returns true (or a value) when msg is
// the last reply; the default treats the first reply as the last. A
// lookup-style request ends at "done" or "error".
export function request(body, onMsg) {
  return new Promise((resolve, reject) => {
    if (!port) {
      reject(new Error("host not connected (" + status.state + ")"));
      return;
    }
    const id = nextId++;
    pending.set(id, { onMessage: onMsg || (() => true), resolve, reject });
    try {
      port.postMessage({ ...body, id });
    } catch (e) {
      pending.delete(id);
      reject(e);
    }
  });
}

// lookup: resolves to a Map address -> result once "done" arrives.
// opts: request fields from the settings (store.lookupOptions()).
export function lookup(addresses, opts) {
  const results = new Map();
  return request({ ...(opts || {}), type: "lookup", addresses }, (msg) => {
    if (msg.type === "result")
      results.set(msg.address, msg);
    else if (msg.type === "error")
      throw new Error(msg.error.code + ": " + msg.error.message);
    return msg.type === "done" ? results : false;
  });
}

// import into an NSS database by the host (the fallback without the
// Experiment): resolves to the list of "import" messages.
export function hostImport(db, addresses, opts) {
  const out = [];
  return request({ ...(opts || {}), type: "import", db, addresses },
    (msg) => {
      if (msg.type === "import")
        out.push(msg);
      else if (msg.type === "error")
        throw new Error(msg.error.code + ": " + msg.error.message);
      return msg.type === "done" ? out : false;
    });
}

export function verifyMessage(base64, from) {
  const body = { type: "verify-message", message: base64 };
  if (from)
    body.from = from;
  return request(body);
}

// The options page's "try again": no waiting for the backoff. A host that
// is connected but not ready (too old, untrusted resolver) is started
// again, so that an update or a configuration fix takes effect.
export function reconnectNow() {
  if (retryTimer) {
    clearTimeout(retryTimer);
    retryTimer = null;
  }
  backoff = BACKOFF_MIN_MS;
  if (port && status.state !== "ready") {
    const old = port;
    port = null;
    failAll("reconnecting to the host");
    try {
      old.disconnect();   // fires no onDisconnect on this side
    } catch (e) {
      console.warn("dane-smime: disconnect failed", e);
    }
  }
  connect();
}

export function usable() {
  return status.state === "ready";
}
