// The live DANE token (issue 17): the helper's read-only PKCS#11 module
// dane-smime-pkcs11.so serves Thunderbird the certificates DNS vouches
// for now, from a per-user cache the helper keeps. This add-on only makes
// sure Thunderbird has the module loaded (the `pkcs11` permission,
// granted at install without a prompt) and says so; nothing is written
// into the profile's certificate database on this path.
//
// pkcs11.installModule(name) loads the library a native manifest of type
// "pkcs11" names (~/.mozilla/pkcs11-modules/<name>.json or
// /usr/lib/mozilla/pkcs11-modules/, installed with the helper), with no
// parameters. Thunderbird keeps it in the profile's pkcs11.txt across
// restarts, so isModuleInstalled is asked first; removing the add-on does
// not remove the module (shared/notes/thunderbird.md).
//
// The explicit choice "keep a permanent copy" (store.js keepCopy) uses
// Thunderbird's own store instead, and the token is then not loaded (an
// installed one is unloaded): a certificate the token serves carries the
// token's trust, so the certdb Experiment, which never changes trust it
// did not set, would refuse to copy it (has-trust), and the copy of a
// certificate that also lives on another token cannot be undone
// (nsIX509CertDB.deleteCertificate then only resets its trust).
//
// status.state: "checking", "installed" (it was already), "added" (this
// start installed it), "off" (a permanent copy is kept instead; not
// loaded), "missing" (no manifest: the helper's package is not installed
// or too old), "failed" (Thunderbird refused it: error), "unavailable"
// (this Thunderbird has no pkcs11 API).

import { emit } from "./bus.js";
import * as store from "./store.js";

// manifest/dane_smime_pkcs11.json.in: "name"
export const MODULE_NAME = "dane_smime_pkcs11";

export const status = {
  state: "checking",
  error: null,     // Thunderbird's message when missing/failed
  slots: [],       // [{name, token}] the module's slots and token names
  checked: null,   // ISO time of the last check
};

function set(state, error, slots) {
  status.state = state;
  status.error = error || null;
  status.slots = slots || [];
  status.checked = new Date(Date.now()).toISOString();
  emit("token", { ...status });
}

// Thunderbird 153: "No such PKCS#11 module dane_smime_pkcs11" when no
// manifest of that name (and type) exists.
function classify(message) {
  return /No such PKCS#11 module/i.test(message || "") ? "missing" : "failed";
}

async function slotsOf() {
  try {
    const slots = await browser.pkcs11.getModuleSlots(MODULE_NAME);
    return (slots || []).map((s) => ({ name: s.name || "",
      token: s.token && s.token.name ? s.token.name : null }));
  } catch (e) {
    return [];
  }
}

let running = null;   // the check in progress
let queued = null;    // one more after it, for the callers that came meanwhile

// Installs the module when Thunderbird does not have it yet (unloads it
// when a permanent copy is kept). Resolves to status. Calls during a
// check share one more check after it (the setting may have changed).
export function ensure() {
  if (!running) {
    running = check().finally(() => {
      running = null;
    });
    return running;
  }
  if (!queued)
    queued = running.then(() => {
      queued = null;
      return ensure();
    });
  return queued;
}

async function check() {
  if (typeof browser.pkcs11 === "undefined" ||
      typeof browser.pkcs11.isModuleInstalled !== "function") {
    set("unavailable");
    return status;
  }
  const keepCopy = (await store.getSettings()).keepCopy === true;
  let installed;
  try {
    installed = await browser.pkcs11.isModuleInstalled(MODULE_NAME);
  } catch (e) {
    set(keepCopy ? "off" : classify(e.message), e.message);
    return status;
  }
  if (keepCopy) {
    if (installed) {
      try {
        await browser.pkcs11.uninstallModule(MODULE_NAME);
      } catch (e) {
        set("failed", e.message);
        return status;
      }
    }
    set("off");
    return status;
  }
  if (installed) {
    set("installed", null, await slotsOf());
    return status;
  }
  try {
    await browser.pkcs11.installModule(MODULE_NAME);
  } catch (e) {
    set(classify(e.message), e.message);
    return status;
  }
  set("added", null, await slotsOf());
  return status;
}

// Thunderbird has the module: what DNS vouches for is usable in compose.
export function ready() {
  return status.state === "installed" || status.state === "added";
}
