// storage.local: settings, the log of certificates this add-on put
// into Thunderbird's certificate store (only with keepCopy), and the
// addresses the live token serves (re-checked: compose.js).

export const DEFAULTS = {
  // Also keep a permanent copy of recipients' certificates in
  // Thunderbird's own store (the certdb Experiment, or the helper into
  // cert9.db). Off: the live token alone, nothing written into the
  // profile (issue 17). (Replaces autoImport, which was on by default.)
  keepCopy: false,
  // Issue 18: also fetch a certificate from the domain's web server
  // (_smime TXT + HTTPS) when DNS has none. Off: every lookup says
  // "https": false (the helper's own `https` setting can only narrow it).
  https: true,
  autoVerify: false,    // verify every displayed signed message
  autoEncrypt: false,   // turn S/MIME encryption on when all recipients can get it
  neverDomains: [],     // domains never looked up (privacy)
  profileDir: null,     // for the host fallback (remembered from the Experiment)
};
const MAX_LOG = 1000;

export async function getSettings() {
  const { settings } = await browser.storage.local.get("settings");
  return { ...DEFAULTS, ...(settings || {}) };
}

export async function setSettings(changes) {
  const settings = { ...(await getSettings()), ...changes };
  await browser.storage.local.set({ settings });
  return settings;
}

// The fields every lookup/import request carries from the settings:
// "https": false when the user turned the web-server path off (the
// helper's own setting can only narrow it further).
export async function lookupOptions() {
  const s = await getSettings();
  return s.https === false ? { https: false } : {};
}

export async function getLog() {
  const { importLog } = await browser.storage.local.get("importLog");
  return importLog || [];
}

// entry: {sha256, address, subject, notAfter, trust, method, action, time}
export async function addLog(entry) {
  const log = await getLog();
  log.unshift({ ...entry, time: new Date().toISOString() });
  await browser.storage.local.set({ importLog: log.slice(0, MAX_LOG) });
}

export async function markRemoved(sha256) {
  const log = await getLog();
  for (const e of log)
    if (e.sha256 === sha256)
      e.removed = new Date().toISOString();
  await browser.storage.local.set({ importLog: log });
}

// Whether an address falls in a domain the user never wants looked up
// (the domain itself and its subdomains).
export function isNeverDomain(address, neverDomains) {
  const at = address.lastIndexOf("@");
  if (at < 0)
    return false;
  const domain = address.slice(at + 1).toLowerCase().replace(/\.$/, "");
  return neverDomains.some((d) => {
    d = d.trim().toLowerCase().replace(/^\*?\./, "").replace(/\.$/, "");
    return d && (domain === d || domain.endsWith("." + d));
  });
}

// The addresses whose certificates the live token serves (DNS vouched
// for them with trust at the last lookup): {address (lowercased):
// {address, since, checked}}. Re-checked on compose and periodically so
// that the helper drops what DNS no longer vouches for.
const MAX_VOUCHED = 256;   // DS_TC_MAX_SERVED in host/base/dslimits.h

export async function getVouched() {
  const { vouched } = await browser.storage.local.get("vouched");
  return vouched || {};
}

// One lookup's verdict: usable true (vouched with trust now), false (the
// record is gone, changed, insecure, bogus or unusable), null (no answer:
// kept as it is).
let vouchQueue = Promise.resolve();

// Serial: concurrent lookups must not lose each other's updates.
export function noteVouched(address, usable) {
  const run = vouchQueue.then(() => updateVouched(address, usable));
  vouchQueue = run.catch(() => {});
  return run;
}

async function updateVouched(address, usable) {
  if (usable === null)
    return;
  const k = address.toLowerCase();
  const v = await getVouched();
  const now = new Date(Date.now()).toISOString();
  if (usable) {
    v[k] = { address, since: v[k] ? v[k].since : now, checked: now };
    const keys = Object.keys(v);
    if (keys.length > MAX_VOUCHED) {
      keys.sort((a, b) => v[a].checked < v[b].checked ? -1 : 1);
      for (const old of keys.slice(0, keys.length - MAX_VOUCHED))
        delete v[old];
    }
  } else if (v[k]) {
    delete v[k];
  } else {
    return;
  }
  await browser.storage.local.set({ vouched: v });
}
