// dane-smime background: wires the modules together. Listeners are
// registered synchronously at the top level (MV3 event page): Thunderbird
// suspends an idle page after about 30 s (timers die with it) and wakes
// it for these listeners and for browser.alarms (compose.js keeps an
// alarm while compose tabs are open, and one that re-checks what the
// live token serves). Every start makes sure Thunderbird has the token's
// PKCS#11 module (token.js), connects the host and picks up the compose
// tabs that are open.

import * as bus from "./modules/bus.js";
import * as host from "./modules/host.js";
import * as compose from "./modules/compose.js";
import * as verify from "./modules/verify.js";
import * as store from "./modules/store.js";
import * as certs from "./modules/certimport.js";
import * as token from "./modules/token.js";

browser.tabs.onCreated.addListener((tab) => compose.track(tab));
browser.tabs.onRemoved.addListener((tabId) => compose.untrack(tabId));
browser.compose.onBeforeSend.addListener((tab, details) =>
  compose.beforeSend(tab, details));
browser.messageDisplay.onMessagesDisplayed.addListener((tab, list) =>
  verify.onDisplayed(tab, list));

// The test hook (test builds only) is loaded before the first alarm is
// handed on, so that an alarm that woke the page reaches it.
let started = null;

browser.alarms.onAlarm.addListener(async (alarm) => {
  await started;
  if (alarm.name === compose.ALARM)
    await compose.wake();
  else if (alarm.name === compose.RECHECK_ALARM)
    await compose.recheck("alarm");
  else
    bus.emit("alarm", { name: alarm.name });
});

bus.on((event, detail) => {
  if (event === "host-state" && detail.state === "ready")
    compose.hostReady();
  else if (event === "host-validating" || event === "token" ||
           event === "host-state" && detail.state !== "connecting")
    compose.hostChanged();
  // Open popups and the options page refresh themselves on this.
  browser.runtime.sendMessage({ type: "changed", event }).catch(() => {});
});

async function statusReport() {
  // Only with the permanent copy on is the Experiment asked anything.
  const keepCopy = await certs.keepingCopy();
  return {
    host: { ...host.status },
    os: (await browser.runtime.getPlatformInfo()).os,
    token: { ...token.status },
    vouched: Object.keys(await store.getVouched()).length,
    keepCopy,
    experiment: certs.experimentAvailable(),
    profileDb: keepCopy ? await certs.profileDb() : null,
    settings: await store.getSettings(),
    log: await store.getLog(),
  };
}

// Requests from the popups and the options page.
const handlers = {
  "status": () => statusReport(),
  "compose-status": (m) => compose.tabReport(m.tabId),
  "verify": (m) => verify.verifyTab(m.tabId, false),
  // Adding a signer's certificate is keeping a copy: offered only with
  // that choice on (the token serves the sender once one writes to them).
  "verify-status": async (m) => {
    const r = verify.tabResult(m.tabId);
    return r ? { ...r, canImport: verify.canImport(r) &&
      await certs.keepingCopy(), host: { state: host.status.state } } : null;
  },
  "import-signer": (m) => verify.importSigner(m.tabId),
  "set-settings": async (m) => {
    const s = await store.setSettings(m.settings);
    if ("keepCopy" in (m.settings || {}))
      await token.ensure();   // the token off with a copy kept, on without
    bus.emit("settings", s);
    return s;
  },
  "token-install": () => token.ensure(),
  "recheck": () => compose.recheck("options"),
  "remove-import": (m) => certs.remove(m.sha256),
  "reconnect": () => { host.reconnectNow(); return true; },
};

browser.runtime.onMessage.addListener((m, sender) => {
  if (sender.id !== browser.runtime.id || !m || !handlers[m.type])
    return undefined;
  return Promise.resolve(handlers[m.type](m));
});

// Test builds (tests/extension) add testhook.json and testhook.js to the
// package; release packages have neither.
async function testHook() {
  let config;
  try {
    const r = await fetch(browser.runtime.getURL("testhook.json"));
    if (!r.ok)
      return;
    config = await r.json();
  } catch (e) {
    return;
  }
  try {
    const hook = await import("./testhook.js");
    await hook.run(config, { bus, host, compose, verify, store, certs,
      token });
  } catch (e) {
    console.error("dane-smime: test hook failed", e);
  }
}

started = testHook().finally(() => {
  host.connect();
  return Promise.all([token.ensure(), compose.start()]);
});
