// The verify popup: the verdict sentence first (its colour is the
// button's), then why, then the facts behind "Details". Under a verdict
// that is not green no fact is marked green.
import { t, localize, el, date, send, validity, problemText, problemWithCode,
  details, facts, targetTab, setupBanner } from "../ui.js";

let tabId = null;
const MARKS = { green: "\u2713", red: "\u2717", amber: "!", grey: "\u2013",
  busy: "\u2026" };

function domainOf(address) {
  const at = (address || "").lastIndexOf("@");
  return at >= 0 ? address.slice(at + 1) : (address || "");
}

// [headline, explanation] for a reply and its colour.
export function verdictText(v, colour) {
  const domain = domainOf(v.from);
  const codes = (v.problems || []).map((p) => p.code);
  if (colour === "green")
    return [t("v_green", [v.from]), t("vs_green", [domain])];
  if (v.signature === "invalid")
    return [t("v_forged"), t("vs_forged")];
  if (v.signature === "none")
    return [t("v_none"), t("vs_none")];
  if (v.signature === "encrypted")
    return [t("v_encrypted"), t("vs_encrypted")];
  if (v.signature === "unsupported")
    return [t("v_unsupported"), t("vs_unsupported")];
  if (codes.includes("from-mismatch") || codes.includes("email-mismatch") ||
      codes.includes("several-from") ||
      codes.includes("display-name-mismatch") || v.address_match === false)
    return [t("v_fromMismatch"), t("vs_fromMismatch")];
  if (v.dane === "mismatch")
    return [t("v_mismatch", [domain]), t("vs_mismatch")];
  if (v.dane === "bogus")
    return [t("v_bogus"), t("vs_bogus")];
  if (v.dane === "absent")
    return [t("v_absent", [domain]), t("vs_absent")];
  if (v.dane === "insecure")
    return [t("v_insecure", [domain]), t("vs_insecure")];
  if (v.dane === "error")
    return [t("v_error"), t("vs_error")];
  return [t("v_problem"), t("vs_problem")];
}

// "phrase (code)", the code only where it says something the phrase
// does not.
function withCode(phrase, code) {
  if (!phrase)
    return code || "";
  return code && code !== phrase ? phrase + " (" + code + ")" : phrase;
}

function detailRows(v) {
  const s = v.signer || {};
  const rows = [
    [t("v_signature"), withCode(t("sig_" + v.signature), v.signature)],
    [t("v_from"), v.from_display ? `${v.from_display} <${v.from}>` : v.from],
    [t("v_signer"), s.subject],
    [t("v_certValid"), s.not_after ? validity(s.not_before, s.not_after) : null],
    [t("v_dns"), withCode(t("dane_" + (v.dane || "null")), v.dane)],
    [t("d_query"), v.query ? el("span", { class: "mono" }, v.query) : null],
    [t("d_dnssec"), v.dnssec ? withCode(t("dnssec_" + v.dnssec), v.dnssec) :
      null],
  ];
  if (v.match)
    rows.push([t("d_matchedBy"), `SMIMEA ${v.match.usage} ${v.match.selector} ${v.match.matching}`]);
  if (v.format)
    rows.push([t("v_format"), v.format + (v.digest_alg ? ", " + v.digest_alg : "") +
      (v.signature_alg ? ", " + v.signature_alg : "")]);
  if (v.signing_time)
    rows.push([t("v_signedAt"), new Date(v.signing_time * 1000).toLocaleString(
      browser.i18n.getUILanguage())]);
  if (s.sha256)
    rows.push([t("d_sha256"), el("span", { class: "mono" }, s.sha256)]);
  return rows;
}

function setVerdict(colour, headline, sub) {
  document.getElementById("verdict").className = "verdict tone-" + colour;
  document.getElementById("mark").textContent = MARKS[colour] || "";
  document.getElementById("headline").textContent = headline;
  document.getElementById("sub").textContent = sub || "";
}

function show(r, status) {
  const problems = document.getElementById("problems");
  const more = document.getElementById("more");
  const banners = document.getElementById("banners");
  problems.replaceChildren();
  more.replaceChildren();
  banners.replaceChildren();
  const banner = status && setupBanner(status.host, status.os, async () => {
    await send("reconnect");
    refresh(true);
  });
  if (banner)
    banners.append(banner);
  document.getElementById("import").hidden = !(r && r.canImport);
  if (!r)
    return setVerdict("grey", t("noMessage"), "");
  if (r.state === "working")
    return setVerdict("busy", t("verifying"), "");
  if (r.state === "error")
    return setVerdict(r.colour || "amber", t("v_failed"), r.error);
  const v = r.reply;
  const [headline, sub] = verdictText(v, r.colour);
  setVerdict(r.colour, headline, sub);
  // What is wrong, in plain words, right under a verdict that is not
  // green; under a green one the host's notes stay in Details.
  if (r.colour !== "green")
    for (const p of v.problems || [])
      problems.append(el("li", {}, problemText(p)));
  const d = details("details", facts(detailRows(v)));
  const codes = (v.problems || []).filter((p) => p.code);
  if (codes.length)
    d.append(el("p", { class: "label" }, t(r.colour === "green" ? "d_notes" :
      "d_problems")), el("ul", { class: "problems" },
    codes.map((p) => el("li", {}, problemWithCode(p)))));
  d.append(el("p", { class: "small" }, t("d_rfcVerify")));
  if (document.body.dataset.openDetails)
    d.open = true;
  more.append(d);
  document.body.dataset.rendered = String(Date.now());
}

async function refresh(force) {
  tabId = await targetTab();
  const status = await send("status");
  if (tabId === null)
    return show(null, status);
  let r = force ? null : await send("verify-status", { tabId });
  if (!r || r.state === "working") {
    show({ state: "working" }, status);
    await send("verify", { tabId });
    r = await send("verify-status", { tabId });
  }
  show(r, status);
}

document.getElementById("import").addEventListener("click", async () => {
  const changes = await send("import-signer", { tabId });
  document.getElementById("imported").textContent = changes.length ?
    changes.map((c) => t("import_" + String(c.action).replace(/-/g, "_"),
      [c.trust || c.reason || ""]) || c.action).join(" ") : t("importNothing");
});
document.getElementById("again").addEventListener("click", () => refresh(true));
if (new URLSearchParams(location.search).get("details") === "open")
  document.body.dataset.openDetails = "1";
localize();
refresh(false);
