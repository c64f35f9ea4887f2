// Follows the recipients of every open compose tab. Thunderbird has no
// recipients-changed event (shared/notes/thunderbird.md), so each compose
// tab is polled with compose.getComposeDetails; onBeforeSend is the final
// gate. Only addresses not seen recently are looked up.
//
// Thunderbird suspends an idle background page (about 30 s); its timers
// die with it. The page wakes for top-level listeners (a new compose tab,
// a popup asking, onBeforeSend) and for browser.alarms: while compose tabs
// are open an alarm fires every minute, and wake() then tracks the open
// compose tabs again (start()) and polls them.
//
// The live token (issue 17): a lookup of at most 64 addresses makes the
// host write what DNS vouches for now into the cache the token serves,
// and drop an address's entries after a secure answer without them (or
// an insecure or bogus one). So the recipients of a new compose window
// are always looked up afresh (the host's own TTL cache keeps that
// cheap), and the addresses the token serves (store.getVouched) are
// looked up again every RECHECK_MINUTES (an alarm) and when a compose
// window opens after RECHECK_ON_COMPOSE_MS: a withdrawn record leaves the
// token at the next re-check once the answer's TTL has run out.

import { emit } from "./bus.js";
import * as host from "./host.js";
import * as store from "./store.js";
import * as certs from "./certimport.js";
import * as token from "./token.js";

const POLL_MS = 2000;
const SEND_WAIT_MS = 4000;       // onBeforeSend never waits longer on DNS
const MAX_CACHE_S = 3600;
const MIN_CACHE_S = 60;
// What the token serves lives as long as the record's TTL (the host's
// cache entry and the token's entry end together): an open window looks
// its served recipients up again a little before that, so that they stay
// served while it is open (never more often than every 10 s).
const TOKEN_MARGIN_S = 5;
const MIN_TOKEN_S = 10;
export const ALARM = "dane-smime-compose";
export const RECHECK_ALARM = "dane-smime-recheck";
export const RECHECK_MINUTES = 15;
const RECHECK_ON_COMPOSE_MS = 5 * 60 * 1000;
// DS_TC_MAX_REQUEST_ADDRESSES: a larger request does not feed the token
const RECHECK_BATCH = 64;

const tabs = new Map();          // tabId -> {timer, addresses: [], key, encrypted}
const entries = new Map();       // lowercased address -> entry
const inflight = new Map();      // lowercased address -> Promise

// entry: {address, state: pending|found|absent|insecure|bogus|unusable|
//   error|skipped, reason, certificate: {subject, notAfter}, imports: [],
//   thunderbird: {found,...}|null, expires}

function fields(details) {
  return ["to", "cc", "bcc"].flatMap((f) => details[f] || []);
}

// Contacts and mailing lists come as "Name <addr>" / "List <List>" strings
// in MV3: parseMailboxString expands them.
async function recipientsOf(details) {
  const list = fields(details);
  if (list.length === 0)
    return [];
  const parsed = await browser.messengerUtilities.parseMailboxString(
    list.join(", "), { expandMailingLists: true });
  const seen = new Set();
  const out = [];
  for (const m of parsed) {
    const email = (m.email || "").trim();
    if (!email.includes("@") || seen.has(email.toLowerCase()))
      continue;
    seen.add(email.toLowerCase());
    out.push(email);
  }
  return out;
}

function stateOf(result) {
  switch (result.status) {
  case "found": case "absent": case "unusable": case "insecure":
  case "bogus": case "unverified":
    return result.status;
  default:
    return "error";
  }
}

function fresh(address) {
  const e = entries.get(address.toLowerCase());
  return e && e.state !== "pending" && e.expires > Date.now();
}

// What the popup's Details show of a certificate: its data, the host's
// decision and problems (codes rendered by the add-on), and the trust the
// host allows into Thunderbird's store (`trust`, never re-derived here).
function certDetail(c) {
  return { subject: c.subject || "", issuer: c.issuer || "",
    emails: c.emails || [], notBefore: c.not_before || null,
    notAfter: c.not_after || null, usable: c.usable === true,
    problems: c.problems || [], match: c.match || null,
    record: c.usage !== undefined ? [c.usage, c.selector, c.matching] : null,
    trustBasis: c.trust_basis || null,
    trust: c.trust === undefined ? null : c.trust,
    version: c.version === undefined ? null : c.version,
    key: c.key || null, sha256: c.sha256 || null };
}

async function settle(address, result) {
  const settings = await store.getSettings();
  const best = certs.importable(result)[0] ||
    (result.certificates || [])[0] || null;
  const keepCopy = settings.keepCopy === true;
  const entry = {
    address,
    state: stateOf(result),
    reason: result.reason || (result.error && result.error.message) || null,
    error: result.error || null,
    ede: result.ede || null,
    query: result.query || null,
    dnssec: result.dnssec || null,
    status: result.status || null,
    ttl: result.ttl === undefined ? null : result.ttl,
    // the _smime TXT + HTTPS path: {url, fetched, code, message}
    https: result.https || null,
    records: (result.records || []).map((r) => ({ usage: r.usage,
      selector: r.selector, matching: r.matching,
      certificate: r.certificate === undefined ? null : r.certificate,
      problem: r.problem || null })),
    certificates: (result.certificates || []).map(certDetail),
    certificate: best ? { subject: best.subject, notAfter: best.not_after,
      usable: best.usable === true, problems: best.problems || [] } : null,
    usable: certs.importable(result).length > 0,
    // "token": served live (nothing stored), "copy": also kept in
    // Thunderbird's store (settings.keepCopy)
    path: keepCopy ? "copy" : "token",
    keepCopy,
    token: token.status.state,
    imports: [],
    thunderbird: null,
    expires: 0,
  };
  entry.expires = Date.now() + 1000 * (entry.usable && !keepCopy ?
    Math.min(MAX_CACHE_S, Math.max(MIN_TOKEN_S, (result.ttl || 0) -
      TOKEN_MARGIN_S)) :
    Math.min(MAX_CACHE_S, Math.max(MIN_CACHE_S, result.ttl || 0)));
  if (entry.usable && keepCopy)
    entry.imports = await certs.importResult(address, result);
  if (entry.usable && keepCopy)
    entry.thunderbird = await certs.thunderbirdFinds(address);
  // The token serves it now (or no longer): remembered for re-checks.
  // An answer that is no answer (error, indeterminate) changes nothing.
  await store.noteVouched(address, entry.usable ? true :
    entry.state === "error" || result.dnssec === "indeterminate" ? null :
      false);
  entries.set(address.toLowerCase(), entry);
  emit("recipient", entry);
  return entry;
}

// Ready: Thunderbird can encrypt to this recipient now: a usable
// certificate, and either the token that serves it is loaded, or (a
// permanent copy kept) Thunderbird's own lookup finds one when it can be
// asked.
export function ready(e) {
  if (!e || !e.usable)
    return false;
  if (e.path === "token")
    return e.token === "installed" || e.token === "added";
  return !!((e.thunderbird ? e.thunderbird.found === true : true) &&
    !(e.imports || []).some((i) => i.action === "error"));
}

// Looks up the addresses that are neither fresh nor in flight (force:
// also the fresh ones). Resolves when all of them are settled.
async function resolve(addresses, onStart, force) {
  const settings = await store.getSettings();
  const todo = [];
  const waits = [];
  for (const a of addresses) {
    const k = a.toLowerCase();
    if (inflight.has(k)) {
      waits.push(inflight.get(k));
    } else if (store.isNeverDomain(a, settings.neverDomains)) {
      // Never fresh: taking the domain off the list takes effect.
      entries.set(k, { address: a, state: "skipped", imports: [],
        expires: 0 });
    } else if (force || !fresh(a)) {
      todo.push(a);
    }
  }
  if (todo.length > 0 && host.usable()) {
    for (const a of todo)
      entries.set(a.toLowerCase(), { address: a, state: "pending",
        imports: [], expires: 0 });
    if (onStart)
      await onStart();
    const opts = await store.lookupOptions();
    const job = host.lookup(todo, opts).then(async (results) => {
      for (const a of todo) {
        const r = results.get(a) || { status: "error",
          error: { message: "no result from the host" } };
        await settle(a, r);
      }
    }).catch((e) => {
      for (const a of todo)
        entries.set(a.toLowerCase(), { address: a, state: "error",
          reason: e.message, imports: [], expires: Date.now() + 10000 });
    }).finally(() => {
      for (const a of todo)
        inflight.delete(a.toLowerCase());
    });
    for (const a of todo)
      inflight.set(a.toLowerCase(), job);
    waits.push(job);
  }
  await Promise.all(waits);
}

export function tabStatus(tabId) {
  const t = tabs.get(tabId);
  return (t ? t.addresses : []).map((a) => {
    const e = entries.get(a.toLowerCase());
    if (!e)
      return { address: a, imports: [], state: host.usable() ? "pending" :
        "host-" + host.status.state };
    if (e.path === "token")
      e.token = token.status.state;   // the module may have come since
    return e;
  });
}

// Badge and icon carry the tab's state: neutral until every recipient is
// checked, a warning when the set-up is broken (no host, a resolver that
// is not trusted), green only when every recipient is ready; the badge
// counts "ready/all" (at most 4 characters, so it is never clipped).
const BADGE_COLOURS = { green: "#2e7d32", amber: "#b26a00", grey: "#616161" };
const TAB_ICONS = { green: "/icons/verified.svg", amber: "/icons/warning.svg",
  grey: "/icons/icon.svg" };

export function badgeFor(list, hostState) {
  if (list.length === 0)
    return { text: "", colour: "grey" };
  const n = list.filter(ready).length;
  const text = list.length > 99 ? String(n).slice(0, 4) : n + "/" + list.length;
  if (hostState !== "ready")
    return { text: list.length > 99 ? "!" : text, colour: "amber" };
  if (list.some((e) => e.state === "pending"))
    return { text: "\u2026", colour: "grey" };
  return { text: text.length > 4 ? String(n) : text,
    colour: n === list.length ? "green" : "grey" };
}

async function updateBadge(tabId) {
  const b = badgeFor(tabStatus(tabId), host.setupState());
  const ca = browser.composeAction;
  await ca.setBadgeText({ tabId, text: b.text });
  await ca.setBadgeBackgroundColor({ tabId, color: BADGE_COLOURS[b.colour] });
  if (ca.setIcon)
    await ca.setIcon({ tabId, path: TAB_ICONS[b.colour] });
}

// The sender's side: Thunderbird encrypts only with an S/MIME certificate
// of the sending identity (Account Settings > End-To-End Encryption).
async function identityOf(identityId) {
  if (!identityId || !browser.identities)
    return null;
  try {
    const identity = await browser.identities.get(identityId);
    if (!identity)
      return null;
    const caps = identity.encryptionCapabilities &&
      identity.encryptionCapabilities["S/MIME"];
    return { id: identityId, email: identity.email || null,
      canEncrypt: caps ? caps.canEncrypt === true : null };
  } catch (e) {
    console.warn("dane-smime: identities.get failed", e);
    return null;
  }
}

// Auto-encrypt (option): once per tab, only when every recipient is
// ready and the identity can encrypt; t.encryption says what happened:
// {state: on|no-identity-cert|not-all-ready|failed, at, error}.
async function maybeEncrypt(tabId, details, list) {
  const t = tabs.get(tabId);
  if (!t || t.encrypted || list.length === 0)
    return;
  if (!(await store.getSettings()).autoEncrypt) {
    t.encryption = null;
    return;
  }
  if (!list.every(ready)) {
    t.encryption = list.some((e) => e.state === "pending") ? null :
      { state: "not-all-ready" };
    return;
  }
  if (t.identity && t.identity.canEncrypt === false) {
    t.encryption = { state: "no-identity-cert" };
    return;
  }
  if (!t.identity || t.identity.canEncrypt !== true)
    return;
  t.encrypted = true;   // once per tab: never fight the user's choice
  try {
    await browser.compose.setComposeDetails(tabId, {
      selectedEncryptionTechnology: { name: "S/MIME", encryptBody: true } });
    t.encryption = { state: "on", at: new Date(Date.now()).toISOString() };
  } catch (e) {
    t.encryption = { state: "failed", error: String(e.message || e) };
  }
  emit("compose", { tabId, recipients: list });
}

async function poll(tabId) {
  const t = tabs.get(tabId);
  if (!t || t.busy)
    return;
  t.busy = true;
  try {
    const details = await browser.compose.getComposeDetails(tabId);
    if (!t.identity || t.identity.id !== details.identityId)
      t.identity = await identityOf(details.identityId);
    t.addresses = await recipientsOf(details);
    const key = t.addresses.map((a) => a.toLowerCase()).join(",");
    const changed = key !== t.key;
    t.key = key;
    const before = t.addresses.filter(fresh).length;
    // A new window looks every recipient up afresh once (the token must
    // not serve what DNS withdrew meanwhile); later polls only new ones.
    const force = !t.looked && t.addresses.length > 0;
    if (force)
      t.looked = true;
    // While lookups run the badge shows that (never an old green).
    await resolve(t.addresses, () => updateBadge(tabId).then(() => {
      t.badge = null;
    }), force);
    const list = tabStatus(tabId);
    // A recipient that became usable in this window: added to the store,
    // or served by the token (Thunderbird checked it when it was typed,
    // before the token had it).
    const imported = list.some((e) => !t.rechecked?.has(e.address) &&
      (e.imports && e.imports.some((i) => i.action === "added" ||
        i.action === "trusted") || e.path === "token" && e.usable));
    if (imported) {
      // Thunderbird does not re-check recipients when the certificate DB
      // (or a token) changes; setting the same recipients again makes it.
      t.rechecked = new Set(list.map((e) => e.address));
      try {
        await browser.compose.setComposeDetails(tabId, { to: details.to,
          cc: details.cc, bcc: details.bcc });
      } catch (e) {
        console.warn("dane-smime: setting the recipients again failed", e);
      }
    }
    const badge = JSON.stringify(badgeFor(list, host.setupState()));
    if (changed || before !== t.addresses.filter(fresh).length ||
        badge !== t.badge) {
      t.badge = badge;
      await updateBadge(tabId);
      emit("compose", { tabId, recipients: list });
    }
    await maybeEncrypt(tabId, details, list);
  } catch (e) {
    console.warn("dane-smime: compose poll failed", e);
  } finally {
    t.busy = false;
  }
}

export function track(tab) {
  if (tab.type !== "messageCompose" || tabs.has(tab.id))
    return;
  const t = { addresses: [], key: null, busy: false, identity: null,
    encryption: null, encrypted: false, badge: null };
  t.timer = setInterval(() => poll(tab.id), POLL_MS);
  tabs.set(tab.id, t);
  keepAwake();
  poll(tab.id);
  if (Date.now() - lastRecheck > RECHECK_ON_COMPOSE_MS)
    recheck("compose").catch((e) =>
      console.warn("dane-smime: re-check failed", e));
}

export function untrack(tabId) {
  const t = tabs.get(tabId);
  if (t) {
    clearInterval(t.timer);
    tabs.delete(tabId);
  }
  if (tabs.size === 0 && browser.alarms)
    browser.alarms.clear(ALARM).catch(() => {});
}

// An alarm, unlike a timer, survives the page's suspension and wakes it.
function keepAwake() {
  if (browser.alarms)
    browser.alarms.create(ALARM, { periodInMinutes: 1 });
}

// The alarm (or any other event) woke the page: follow the compose tabs
// that are open now and poll them at once.
export async function wake() {
  await start();
  for (const tabId of tabs.keys())
    poll(tabId);
}

// What the compose popup shows for one tab.
export function tabReport(tabId) {
  const t = tabs.get(tabId);
  const list = tabStatus(tabId);
  return {
    recipients: list,
    total: list.length,
    ready: list.filter(ready).length,
    checking: list.filter((e) => e.state === "pending").length,
    identity: t ? t.identity : null,
    encryption: t ? t.encryption : null,
    badge: badgeFor(list, host.setupState()),
  };
}

// The final gate: a bounded wait for recipients not resolved yet; sending
// is never blocked or cancelled because of DNS.
export async function beforeSend(tab, details) {
  try {
    const addresses = await recipientsOf(details);
    await Promise.race([resolve(addresses),
      new Promise((r) => setTimeout(r, SEND_WAIT_MS))]);
  } catch (e) {
    console.warn("dane-smime: onBeforeSend lookup failed", e);
  }
  return {};
}

export async function start() {
  await recheckAlarm();
  for (const tab of await browser.tabs.query({ type: "messageCompose" }))
    track(tab);
  if (tabs.size === 0 && browser.alarms)
    await browser.alarms.clear(ALARM).catch(() => {});
}

// The periodic re-check's alarm, created once (creating it again on every
// start of the page would postpone it for ever).
async function recheckAlarm() {
  if (!browser.alarms)
    return;
  try {
    if (!(await browser.alarms.get(RECHECK_ALARM)))
      browser.alarms.create(RECHECK_ALARM,
        { periodInMinutes: RECHECK_MINUTES, delayInMinutes: RECHECK_MINUTES });
  } catch (e) {
    console.warn("dane-smime: re-check alarm", e);
  }
}

let lastRecheck = 0;
let rechecking = null;

// Looks up again every address the token serves (batches of at most 64,
// so that the host updates its cache for them). Resolves to {reason,
// checked, still, gone, at} or null (no usable host: tried again at the
// next occasion).
export function recheck(reason) {
  if (!rechecking)
    rechecking = doRecheck(reason).finally(() => {
      rechecking = null;
    });
  return rechecking;
}

async function doRecheck(reason) {
  if (!host.usable())
    return null;
  lastRecheck = Date.now();
  const settings = await store.getSettings();
  const vouched = Object.values(await store.getVouched());
  const todo = [];
  for (const v of vouched) {
    if (store.isNeverDomain(v.address, settings.neverDomains))
      await store.noteVouched(v.address, false);   // never looked up again
    else
      todo.push(v.address);
  }
  const gone = [];
  const still = [];
  const opts = await store.lookupOptions();
  for (let i = 0; i < todo.length; i += RECHECK_BATCH) {
    const batch = todo.slice(i, i + RECHECK_BATCH);
    let results;
    try {
      results = await host.lookup(batch, opts);
    } catch (e) {
      console.warn("dane-smime: re-check lookup failed", e);
      return null;
    }
    for (const a of batch) {
      const r = results.get(a) || { status: "error",
        error: { message: "no result from the host" } };
      const e = await settle(a, r);
      if (e.usable)
        still.push(a);
      else if (e.state !== "error")
        gone.push(a);
    }
  }
  const report = { reason: reason || null, checked: todo.length, still, gone,
    at: new Date(Date.now()).toISOString() };
  emit("recheck", report);
  // Open windows redraw at their next poll.
  for (const t of tabs.values())
    t.badge = null;
  return report;
}

// Host came back: look again at what failed while it was away.
export function hostReady() {
  for (const [k, e] of entries)
    if (e.state === "error")
      entries.delete(k);
  for (const [tabId, t] of tabs) {
    t.key = null;   // redraw: the banner is gone
    poll(tabId);
  }
}

// The host went away or is not trusted: the badge shows a warning.
export function hostChanged() {
  for (const [tabId, t] of tabs) {
    t.badge = null;
    updateBadge(tabId).catch(() => {});
  }
}
