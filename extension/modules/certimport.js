// Getting certificates into Thunderbird's store: through the certdb
// Experiment when Thunderbird runs it, else through the host's "import"
// into the profile's cert9.db (NSS allows a second writer; Thunderbird
// sees the addition at once). Only usable certificates of DNSSEC-secure
// answers are ever imported: the host has already judged them (usage,
// match, PKIX, validity, key usage, CA or not).

import * as host from "./host.js";
import * as store from "./store.js";

export function experimentAvailable() {
  return typeof browser.certdb !== "undefined" &&
    typeof browser.certdb.importCertificate === "function";
}

// The certificates of a lookup result that may be imported.
export function importable(result) {
  if (!result || result.dnssec !== "secure" || result.status !== "found")
    return [];
  return (result.certificates || []).filter((c) => c.usable === true &&
    ["pkix", "dane-ee", "dane-ta"].includes(c.trust_basis) && !c.is_ca &&
    typeof c.der === "string" && typeof c.sha256 === "string");
}

// Where the fallback writes: remembered from the Experiment, or set by
// the user in the options page.
export async function profileDb() {
  if (experimentAvailable()) {
    try {
      const dir = await browser.certdb.profileDirectory();
      const settings = await store.getSettings();
      if (settings.profileDir !== dir)
        await store.setSettings({ profileDir: dir });
      return "sql:" + dir;
    } catch (e) {
      console.warn("dane-smime: profileDirectory failed", e);
    }
  }
  const { profileDir } = await store.getSettings();
  return profileDir ? "sql:" + profileDir : null;
}

async function logChange(address, cert, change, method) {
  if (change.action !== "added" && change.action !== "trusted")
    return;
  await store.addLog({ sha256: change.sha256, address, subject: cert.subject,
    notAfter: cert.not_after, trust: change.trust, method,
    action: change.action });
}

// Imports the usable certificates of one secure lookup result. Returns
// [{sha256, subject, notAfter, action, trust, reason, method}].
export async function importResult(address, result) {
  const certs = importable(result);
  if (certs.length === 0)
    return [];
  const out = [];
  if (experimentAvailable()) {
    for (const c of certs) {
      let change;
      try {
        change = await browser.certdb.importCertificate(c.der, c.sha256,
          c.trust_basis);
      } catch (e) {
        change = { action: "error", sha256: c.sha256, reason: e.message };
      }
      await logChange(address, c, change, "experiment");
      out.push({ ...change, subject: c.subject, notAfter: c.not_after,
        method: "experiment" });
    }
    return out;
  }
  const db = await profileDb();
  if (!db)
    return certs.map((c) => ({ action: "error", sha256: c.sha256,
      subject: c.subject, notAfter: c.not_after, method: "host",
      reason: browser.i18n.getMessage("errNoProfileDir") }));
  // The host looks the address up again and applies the same rules.
  const replies = await host.hostImport(db, [address]);
  for (const r of replies) {
    for (const ch of r.changes || []) {
      const c = certs.find((x) => x.sha256 === ch.sha256) || {};
      const change = { action: ch.action, sha256: ch.sha256, trust: ch.trust };
      await logChange(address, c, change, "host");
      out.push({ ...change, subject: c.subject, notAfter: c.not_after,
        method: "host" });
    }
    for (const rf of r.refused || [])
      out.push({ action: "refused", sha256: rf.sha256, reason: rf.reason,
        method: "host" });
  }
  return out;
}

// Thunderbird's own compose lookup: {found, sha256, subject} or null when
// it cannot be asked (no Experiment).
export async function thunderbirdFinds(address) {
  if (!experimentAvailable())
    return null;
  try {
    return await browser.certdb.findCertForEmail(address);
  } catch (e) {
    console.warn("dane-smime: findCertForEmail failed", e);
    return null;
  }
}

// Undo: only certificates this add-on added (they are in the log).
export async function remove(sha256) {
  const log = await store.getLog();
  const entry = log.find((e) => e.sha256 === sha256 && !e.removed);
  if (!entry || !experimentAvailable())
    return false;
  const done = await browser.certdb.deleteCertificate(sha256,
    entry.action === "trusted");
  await store.markRemoved(sha256);
  return done;
}
