// "Verify sender (DANE)": the displayed message's raw bytes go to the
// host's verify-message; the verdict is shown in the message-display
// action's popup and badge. Thunderbird tells no add-on whether a message
// is signed or by whom, so the host (NSS) parses the message.

import { emit } from "./bus.js";
import * as host from "./host.js";
import * as store from "./store.js";
import * as certs from "./certimport.js";

const MAX_MESSAGE_BYTES = 48 * 1024 * 1024;  // base64 must stay below the host's 64 MiB
const results = new Map();   // tabId -> {messageId, state, reply, error}

function base64(buffer) {
  const bytes = new Uint8Array(buffer);
  let s = "";
  for (let i = 0; i < bytes.length; i += 0x8000)
    s += String.fromCharCode.apply(null, bytes.subarray(i, i + 0x8000));
  return btoa(s);
}

// Cheap look at the top-level header: is this S/MIME at all?
function looksSigned(headerText) {
  return /^content-type:[^\n]*(?:\n[ \t][^\n]*)*(multipart\/signed|application\/(x-)?pkcs7-mime)/im
    .test(headerText);
}

// The colour of a verification, shown on the button, the badge and the
// popup's verdict line. Green exactly when the host says `green` (its one
// green outcome: valid signature, DNSSEC-secure match for the From
// address, ...); a host without `green` never gives green. Red for what
// reads as forged or altered; amber when it could not be verified (no
// record, no DNSSEC, lookup failed, a problem); grey for unsigned mail.
const RED_PROBLEMS = new Set(["from-mismatch", "several-from", "bad-from",
  "email-mismatch", "digest-mismatch", "bad-signature",
  "display-name-mismatch"]);

export function verdict(reply) {
  if (!reply)
    return "grey";
  if (reply.green === true && reply.signature === "valid" &&
      reply.dane === "match")
    return "green";
  const problems = (reply.problems || []).map((p) => p && p.code);
  if (reply.signature === "invalid" || reply.dane === "mismatch" ||
      reply.dane === "bogus" || reply.address_match === false &&
      reply.signature === "valid" ||
      problems.some((c) => RED_PROBLEMS.has(c)))
    return "red";
  if (reply.signature === "none" || reply.signature === "encrypted")
    return "grey";
  return "amber";
}

const COLOURS = { green: "#2e7d32", red: "#c62828", amber: "#b26a00",
  grey: "#616161" };
const BADGES = { green: "\u2713", red: "\u2717", amber: "!", grey: "\u2013" };
export const ICONS = { green: "/icons/verified.svg", red: "/icons/forged.svg",
  amber: "/icons/warning.svg", grey: "/icons/icon.svg" };

// The button starts neutral (manifest icon, no badge): no mark before a
// check; after one its icon and badge take the verdict's colour.
async function setBadge(tabId, colour) {
  const mda = browser.messageDisplayAction;
  await mda.setBadgeText({ tabId, text: colour ? BADGES[colour] : "" });
  if (colour)
    await mda.setBadgeBackgroundColor({ tabId, color: COLOURS[colour] });
  if (mda.setIcon)
    await mda.setIcon({ tabId, path: ICONS[colour || "grey"] });
}

// The sender address to hand to the host: Thunderbird's author header
// ("Alice <alice@example.org>") parsed to its address; the host compares
// only the address part, so the raw author is the fallback.
export async function senderAddress(author) {
  if (!author)
    return null;
  try {
    const mu = browser.messengerUtilities;
    if (mu && mu.parseMailboxString) {
      const list = await mu.parseMailboxString(author);
      if (list && list.length === 1 && list[0].email &&
          list[0].email.includes("@"))
        return list[0].email;
    }
  } catch (e) {
    console.warn("dane-smime: parseMailboxString failed", e);
  }
  return author;
}

async function displayed(tabId) {
  const list = await browser.messageDisplay.getDisplayedMessages(tabId);
  const msgs = list && (list.messages || list);
  return msgs && msgs.length === 1 ? msgs[0] : null;
}

// Verifies the message shown in tabId; onlySigned skips unsigned mail
// (auto-verify). Resolves to the stored result.
export async function verifyTab(tabId, onlySigned) {
  const message = await displayed(tabId);
  if (!message)
    return null;
  let r = { messageId: message.id, state: "working" };
  results.set(tabId, r);
  try {
    if (message.size > MAX_MESSAGE_BYTES)
      throw new Error(browser.i18n.getMessage("errTooBig"));
    const file = await browser.messages.getRaw(message.id,
      { data_format: "File" });
    if (onlySigned && !looksSigned(await file.slice(0, 65536).text())) {
      results.delete(tabId);
      await setBadge(tabId, null);
      return null;
    }
    if (!host.usable() && host.status.state !== "untrusted")
      throw new Error(browser.i18n.getMessage("hostState_" + host.status.state));
    const sentFrom = await senderAddress(message.author);
    const reply = await host.verifyMessage(base64(await file.arrayBuffer()),
      sentFrom);
    if (reply.type === "error")
      throw new Error(reply.error.code === "not-implemented" ?
        browser.i18n.getMessage("errHostNoVerify") :
        browser.i18n.getMessage("code_" + String(reply.error.code)
          .replace(/-/g, "_")) || reply.error.message);
    r = { messageId: message.id, state: "done", reply, colour: verdict(reply),
      sentFrom };
  } catch (e) {
    r = { messageId: message.id, state: "error", error: e.message,
      colour: "amber" };
  }
  results.set(tabId, r);
  await setBadge(tabId, r.colour);
  emit("verified", { tabId, ...r });
  return r;
}

export function tabResult(tabId) {
  return results.get(tabId) || null;
}

// The trust strings the host may allow a certificate (PROTOCOL.md): the
// add-on follows the host's `trust` and never derives one.
const HOST_TRUST = [",C,", ",,"];

// The signer's certificate may be imported when DANE authenticated it
// for the sender's address, the host found it usable and allows it trust.
export function canImport(r) {
  const s = r && r.reply && r.reply.signer;
  return !!(s && r.reply.dane === "match" && r.reply.dnssec === "secure" &&
    r.reply.address_match === true &&
    r.reply.signature === "valid" && s.usable === true &&
    HOST_TRUST.includes(s.trust) && s.is_ca !== true);
}

export async function importSigner(tabId) {
  const r = results.get(tabId);
  if (!canImport(r))
    return [];
  const address = r.reply.from;
  // Shaped as a secure lookup result so that the same rules apply.
  return certs.importResult(address, { dnssec: "secure", status: "found",
    certificates: [r.reply.signer] });
}

// Thunderbird may report one display more than once: verify it once.
export async function onDisplayed(tab, list) {
  const msgs = list && (list.messages || list);
  const id = msgs && msgs.length === 1 ? msgs[0].id : null;
  const prev = results.get(tab.id);
  if (prev && id !== null && prev.messageId === id)
    return;
  results.delete(tab.id);
  await setBadge(tab.id, null);
  if (id !== null && (await store.getSettings()).autoVerify)
    await verifyTab(tab.id, true);
}
