// Follows the recipients of every open compose tab. Thunderbird has no
// recipients-changed event (shared/notes/thunderbird.md), so each compose
// tab is polled with compose.getComposeDetails; onBeforeSend is the final
// gate. Only addresses not seen recently are looked up.

import { emit } from "./bus.js";
import * as host from "./host.js";
import * as store from "./store.js";
import * as certs from "./certimport.js";

const POLL_MS = 2000;
const SEND_WAIT_MS = 4000;       // onBeforeSend never waits longer on DNS
const MAX_CACHE_S = 3600;
const MIN_CACHE_S = 60;

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
  case "bogus":
    return result.status;
  default:
    return "error";
  }
}

function fresh(address) {
  const e = entries.get(address.toLowerCase());
  return e && e.state !== "pending" && e.expires > Date.now();
}

async function settle(address, result) {
  const settings = await store.getSettings();
  const best = certs.importable(result)[0] ||
    (result.certificates || [])[0] || null;
  const entry = {
    address,
    state: stateOf(result),
    reason: result.reason || (result.error && result.error.message) || null,
    certificate: best ? { subject: best.subject, notAfter: best.not_after,
      usable: best.usable === true, problems: best.problems || [] } : null,
    usable: certs.importable(result).length > 0,
    imports: [],
    thunderbird: null,
    expires: Date.now() + 1000 * Math.min(MAX_CACHE_S,
      Math.max(MIN_CACHE_S, result.ttl || 0)),
  };
  if (entry.usable && settings.autoImport)
    entry.imports = await certs.importResult(address, result);
  if (entry.usable)
    entry.thunderbird = await certs.thunderbirdFinds(address);
  entries.set(address.toLowerCase(), entry);
  emit("recipient", entry);
  return entry;
}

// Looks up the addresses that are neither fresh nor in flight. Resolves
// when all of them are settled.
async function resolve(addresses) {
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
    } else if (!fresh(a)) {
      todo.push(a);
    }
  }
  if (todo.length > 0 && host.usable()) {
    for (const a of todo)
      entries.set(a.toLowerCase(), { address: a, state: "pending",
        imports: [], expires: 0 });
    const job = host.lookup(todo).then(async (results) => {
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
  return (t ? t.addresses : []).map((a) => entries.get(a.toLowerCase()) ||
    { address: a, state: host.usable() ? "pending" : "host-" + host.status.state,
      imports: [] });
}

async function updateBadge(tabId) {
  const list = tabStatus(tabId);
  const n = list.filter((e) => e.usable).length;
  await browser.composeAction.setBadgeText({ tabId,
    text: list.length ? String(n) : "" });
  await browser.composeAction.setBadgeBackgroundColor({ tabId,
    color: n > 0 && n === list.length ? "#2e7d32" : "#757575" });
}

async function maybeEncrypt(tabId, details, list) {
  const t = tabs.get(tabId);
  if (!t || t.encrypted || list.length === 0 || !list.every((e) => e.usable))
    return;
  if (!(await store.getSettings()).autoEncrypt || !details.identityId)
    return;
  const identity = await browser.identities.get(details.identityId);
  const caps = identity && identity.encryptionCapabilities &&
    identity.encryptionCapabilities["S/MIME"];
  if (!caps || !caps.canEncrypt)
    return;
  t.encrypted = true;   // once per tab: never fight the user's choice
  await browser.compose.setComposeDetails(tabId, {
    selectedEncryptionTechnology: { name: "S/MIME", encryptBody: true } });
}

async function poll(tabId) {
  const t = tabs.get(tabId);
  if (!t || t.busy)
    return;
  t.busy = true;
  try {
    const details = await browser.compose.getComposeDetails(tabId);
    t.addresses = await recipientsOf(details);
    const key = t.addresses.map((a) => a.toLowerCase()).join(",");
    const changed = key !== t.key;
    t.key = key;
    const before = t.addresses.filter(fresh).length;
    await resolve(t.addresses);
    const list = tabStatus(tabId);
    const imported = list.some((e) => e.imports &&
      e.imports.some((i) => i.action === "added" || i.action === "trusted") && !t.rechecked?.has(e.address));
    if (imported) {
      // Thunderbird does not re-check recipients when the certificate DB
      // changes; setting the same recipients again makes it.
      t.rechecked = new Set(list.map((e) => e.address));
      await browser.compose.setComposeDetails(tabId, { to: details.to,
        cc: details.cc, bcc: details.bcc });
    }
    if (changed || before !== t.addresses.filter(fresh).length) {
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
  const t = { addresses: [], key: null, busy: false };
  t.timer = setInterval(() => poll(tab.id), POLL_MS);
  tabs.set(tab.id, t);
  poll(tab.id);
}

export function untrack(tabId) {
  const t = tabs.get(tabId);
  if (t) {
    clearInterval(t.timer);
    tabs.delete(tabId);
  }
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
  for (const tab of await browser.tabs.query({ type: "messageCompose" }))
    track(tab);
}

// Host came back: look again at what failed while it was away.
export function hostReady() {
  for (const [k, e] of entries)
    if (e.state === "error")
      entries.delete(k);
  for (const tabId of tabs.keys())
    poll(tabId);
}
