// Keeping a permanent copy in Thunderbird's store: an explicit choice
// (settings.keepCopy, off by default), for people who want a recipient's
// certificate kept when offline or after uninstalling. The default path
// is the live token (token.js), which writes nothing into the profile.
// With the choice on, certificates go through the certdb Experiment when
// Thunderbird runs it, else through the host's "import" into the
// profile's cert9.db (NSS allows a second writer; Thunderbird sees the
// addition at once). Only usable certificates of DNSSEC-secure answers
// are ever imported, and only with the trust string the host decided for
// them (`trust` in its result): the host has judged them (match, PKIX,
// validity, usage, v3 end entity, every address in them vouched for by
// its own record); the Experiment checks again.
//
// Thunderbird loads an Experiment's implementation.js only when the
// add-on first calls into it: nothing here touches browser.certdb unless
// the choice is on, so with it off the privileged code never runs.

import * as host from "./host.js";
import * as store from "./store.js";

// Whether Thunderbird offers the Experiment (looking at the namespace
// does not load its implementation). Asked only with keepCopy on.
function experimentPresent() {
  return typeof browser.certdb !== "undefined" &&
    typeof browser.certdb.importCertificate === "function";
}

// Whether a permanent copy is kept (the setting), and if so whether
// through the Experiment.
let keepCopy = false;
export async function keepingCopy() {
  keepCopy = (await store.getSettings()).keepCopy === true;
  return keepCopy;
}

// The Experiment may be used: the choice is on (as of the last
// keepingCopy()) and Thunderbird runs it.
export function experimentAvailable() {
  return keepCopy && experimentPresent();
}

// The trust strings the host may allow (host/PROTOCOL.md, "result"):
// ",C," e-mail trust on this one DANE-authenticated end entity, ",," no
// trust flags (PKIX-valid). The add-on passes the host's string on as it
// is and never derives one itself (not from trust_basis, not from is_ca).
export const TRUST_STRINGS = [",C,", ",,"];

// The certificates of a lookup result that may be imported: usable ones
// of a DNSSEC-secure answer that the host allows a trust string (a
// certificate the host also calls a CA is contradictory: never).
export function importable(result) {
  if (!result || result.dnssec !== "secure" || result.status !== "found")
    return [];
  return (result.certificates || []).filter((c) => c && c.usable === true &&
    TRUST_STRINGS.includes(c.trust) && c.is_ca !== true &&
    typeof c.der === "string" && typeof c.sha256 === "string");
}

// Usable certificates of a secure answer that the host allows no trust
// (trust null: a v1/v2 certificate, another address in it that its own
// record does not vouch for, ...): never imported, logged as refused with
// the host's problem code.
export function withheld(result) {
  if (!result || result.dnssec !== "secure" || result.status !== "found")
    return [];
  const ok = importable(result);
  return (result.certificates || []).filter((c) => c && c.usable === true &&
    !ok.includes(c) && typeof c.sha256 === "string");
}

function hostRefusal(c) {
  const p = (c.problems || []).find((x) => x && typeof x.code === "string");
  return { action: "refused", sha256: c.sha256, trust: null,
    code: p ? p.code : "no-trust",
    reason: p && p.message ? p.message :
      "the host allows this certificate no trust" };
}

// Where the fallback writes: remembered from the Experiment, or set by
// the user in the options page.
export async function profileDb() {
  if (!(await keepingCopy()))
    return null;
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

// Every import action goes into the log (store.addLog adds `time`):
// {address, sha256, subject, notAfter, action, trust, requested, code,
// reason, method}. action: added | trusted | unchanged | refused |
// would-add | error; trust: what the store holds from this add-on (null
// unless added/trusted/unchanged); requested: the host's trust string;
// code/reason: why it was refused (null otherwise). A repeat of the
// newest entry for the same address and certificate (every lookup of a
// recipient imports again) is not logged twice.
async function logChange(address, cert, change, method) {
  const entry = { address, sha256: change.sha256 || cert.sha256 || null,
    subject: cert.subject || null, notAfter: cert.not_after || null,
    action: change.action,
    trust: ["added", "trusted", "unchanged"].includes(change.action) ?
      change.trust : null,
    requested: TRUST_STRINGS.includes(cert.trust) ? cert.trust : null,
    code: change.code || null, reason: change.reason || null, method };
  if (entry.action !== "added" && entry.action !== "trusted") {
    const last = (await store.getLog()).find((e) =>
      e.sha256 === entry.sha256 && e.address === address);
    if (last && !last.removed && last.action === entry.action &&
        (last.code || null) === entry.code && last.method === method)
      return;
  }
  await store.addLog(entry);
}

// Imports the importable certificates of one secure lookup result and
// reports the withheld ones. Returns [{sha256, subject, notAfter, action,
// trust, code, reason, method}].
export async function importResult(address, result) {
  if (!(await keepingCopy()))
    return [];
  const certs = importable(result);
  const out = [];
  const method = experimentAvailable() ? "experiment" : "host";
  for (const c of withheld(result)) {
    const change = hostRefusal(c);
    await logChange(address, c, change, method);
    out.push({ ...change, subject: c.subject, notAfter: c.not_after, method });
  }
  if (certs.length === 0)
    return out;
  if (experimentAvailable()) {
    for (const c of certs) {
      let change;
      try {
        const r = await browser.certdb.importCertificate(c.der, c.sha256,
          c.trust);
        change = { action: r.action, sha256: r.sha256, trust: r.trust || null,
          code: r.code || null, reason: r.reason || null };
      } catch (e) {
        change = { action: "error", sha256: c.sha256, trust: null,
          code: "error", reason: e.message };
      }
      await logChange(address, c, change, method);
      out.push({ ...change, subject: c.subject, notAfter: c.not_after,
        method });
    }
    return out;
  }
  const db = await profileDb();
  if (!db) {
    for (const c of certs) {
      const change = { action: "error", sha256: c.sha256, trust: null,
        code: "no-profile", reason: browser.i18n.getMessage("errNoProfileDir") };
      await logChange(address, c, change, method);
      out.push({ ...change, subject: c.subject, notAfter: c.not_after,
        method });
    }
    return out;
  }
  // The host looks the address up again and applies the same rule.
  const replies = await host.hostImport(db, [address],
    await store.lookupOptions());
  for (const r of replies) {
    for (const ch of r.changes || []) {
      const c = certs.find((x) => x.sha256 === ch.sha256) || {};
      const change = { action: ch.action, sha256: ch.sha256, trust: ch.trust,
        code: null, reason: null };
      await logChange(address, c, change, method);
      out.push({ ...change, subject: c.subject, notAfter: c.not_after,
        method });
    }
    for (const rf of r.refused || []) {
      const c = certs.find((x) => x.sha256 === rf.sha256) || {};
      const change = { action: "refused", sha256: rf.sha256, trust: null,
        code: rf.code || "refused", reason: rf.reason || null };
      await logChange(address, c, change, method);
      out.push({ ...change, subject: c.subject, notAfter: c.not_after,
        method });
    }
  }
  return out;
}

// Thunderbird's own compose lookup: {found, sha256, subject} or null when
// it cannot be asked (no Experiment, or no permanent copy kept: the
// Experiment is then never loaded).
export async function thunderbirdFinds(address) {
  if (!(await keepingCopy()) || !experimentAvailable())
    return null;
  try {
    return await browser.certdb.findCertForEmail(address);
  } catch (e) {
    console.warn("dane-smime: findCertForEmail failed", e);
    return null;
  }
}

// Undo: only certificates this add-on added or gave trust (the log says
// which; the Experiment keeps its own record and refuses anything else).
// Resolves to true when the change was taken back (or the certificate is
// gone).
export async function remove(sha256) {
  const log = await store.getLog();
  const entry = log.find((e) => e.sha256 === sha256 && !e.removed &&
    (e.action === "added" || e.action === "trusted"));
  if (!entry || !(await keepingCopy()) || !experimentAvailable())
    return false;
  let done;
  try {
    done = await browser.certdb.deleteCertificate(sha256);
  } catch (e) {
    console.warn("dane-smime: deleteCertificate failed", e);
    return false;
  }
  if (done !== true && !(done && ["removed", "untrusted", "gone"]
    .includes(done.action))) {
    console.warn("dane-smime: undo refused", done && done.code,
      done && done.reason);
    return false;
  }
  await store.markRemoved(sha256);
  return true;
}
