import { t, localize, el, date, send } from "../ui.js";

let tabId = null;

function row(label, value, cls) {
  return el("tr", {}, el("th", {}, t(label)),
    el("td", cls ? { class: cls } : {}, value));
}

function show(r) {
  const summary = document.getElementById("summary");
  const details = document.getElementById("details");
  const problems = document.getElementById("problems");
  details.replaceChildren();
  problems.replaceChildren();
  document.getElementById("import").hidden = !(r && r.canImport);
  if (!r) {
    summary.textContent = t("noMessage");
    return;
  }
  summary.className = "summary " + (r.colour || "grey");
  if (r.state === "error") {
    summary.textContent = r.error;
    return;
  }
  const v = r.reply;
  summary.textContent = v.summary;
  const s = v.signer || {};
  details.append(
    row("vSignature", t("sig_" + v.signature), v.signature === "valid" ? "green" :
      v.signature === "invalid" ? "red" : "grey"),
    row("vFrom", v.from || ""),
    row("vSigner", s.subject || ""),
    row("vExpiry", date(s.not_after)),
    row("vDnssec", v.dnssec || ""),
    row("vDane", t("dane_" + v.dane), v.dane === "match" ? "green" :
      ["mismatch", "bogus"].includes(v.dane) ? "red" : "grey"),
    row("vAddressMatch", v.address_match ? t("yes") : t("no"),
      v.address_match ? "green" : "red"));
  if (v.match)
    details.append(row("vRecord", `${v.match.usage} ${v.match.selector} ${v.match.matching}`));
  for (const p of v.problems || [])
    problems.append(el("li", {}, p.message || p.code || String(p)));
}

async function refresh(force) {
  const [tab] = await browser.tabs.query({ active: true, currentWindow: true });
  tabId = tab ? tab.id : null;
  if (tabId === null)
    return show(null);
  let r = force ? null : await send("verify-status", { tabId });
  if (!r || r.state === "working") {
    await send("verify", { tabId });
    r = await send("verify-status", { tabId });
  }
  show(r);
}

document.getElementById("import").addEventListener("click", async () => {
  const changes = await send("import-signer", { tabId });
  document.getElementById("imported").textContent = changes.length ?
    changes.map((c) => ["added", "trusted"].includes(c.action) ? t("importAdded", [c.trust,
      t("method_" + c.method)]) : t("importRefused", [c.reason || c.action]))
      .join(" ") : t("importNothing");
});
document.getElementById("again").addEventListener("click", () => refresh(true));
localize();
refresh(false);
