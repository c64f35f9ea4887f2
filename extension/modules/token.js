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
// status.state: "checking", "installed" (it was already), "added" (this
// start installed it), "missing" (no manifest: the helper's package is
// not installed or too old), "failed" (Thunderbird refused it: error),
// "unavailable" (this Thunderbird has no pkcs11 API).

import { emit } from "./bus.js";

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

let running = null;

// Installs the module when Thunderbird does not have it yet. Resolves to
// status. Concurrent calls share one check.
export function ensure() {
  if (!running)
    running = check().finally(() => {
      running = null;
    });
  return running;
}

async function check() {
  if (typeof browser.pkcs11 === "undefined" ||
      typeof browser.pkcs11.isModuleInstalled !== "function") {
    set("unavailable");
    return status;
  }
  let installed;
  try {
    installed = await browser.pkcs11.isModuleInstalled(MODULE_NAME);
  } catch (e) {
    set(classify(e.message), e.message);
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
