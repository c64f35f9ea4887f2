// storage.local: settings and the log of certificates this add-on put
// into Thunderbird's certificate store.

export const DEFAULTS = {
  autoImport: true,     // import usable certificates of recipients
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
