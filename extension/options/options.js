import { t, localize, el, date, send, onChange, validity, trustText,
  problemText, setupBanner } from "../ui.js";

const $ = (id) => document.getElementById(id);
const CHECKBOXES = ["keepCopy", "https", "autoEncrypt", "autoVerify"];

async function render() {
  const s = await send("status");
  const banner = setupBanner(s.host, s.os, () => send("reconnect"));
  $("banners").replaceChildren(...(banner ? [banner] : []));
  $("hostOk").hidden = !!banner;
  // The live token: the default path, nothing written into the profile.
  const ts = s.token.state;
  $("tokenState").textContent = t("tokenState_" + ts, [s.token.error || ""]);
  $("tokenState").className = ["installed", "added"].includes(ts) ?
    "host-ready" : ["checking", "off"].includes(ts) ? "" : "banner warn";
  $("tokenRetry").hidden = ["installed", "added", "checking", "off"]
    .includes(ts);
  $("vouched").textContent = t("optVouched", [String(s.vouched)]);
  // Keeping a copy: the Experiment (or the helper) is asked only when on.
  $("copyPart").hidden = !s.keepCopy;
  $("storeMode").textContent = s.experiment ? t("optStoreExperiment") :
    t("optStoreFallback", [s.profileDb || t("optStoreUnknown")]);
  $("profileRow").hidden = s.experiment;
  if (document.activeElement !== $("profileDir"))
    $("profileDir").value = s.settings.profileDir || "";
  for (const k of CHECKBOXES)
    $(k).checked = !!s.settings[k];
  if (document.activeElement !== $("neverDomains"))
    $("neverDomains").value = s.settings.neverDomains.join("\n");
  $("log").replaceChildren(...s.log.map((e) => {
    const undoable = ["added", "trusted"].includes(e.action || "added");
    const btn = e.removed ? t("optRemoved") : !undoable ? "" :
      el("button", { "data-sha": e.sha256 }, t("optRemove"));
    if (btn && !e.removed && (!s.experiment || e.method !== "experiment")) {
      btn.disabled = true;
      btn.title = t("optRemoveByHand", [e.sha256]);
    }
    return el("tr", {}, el("td", {}, date(e.time)), el("td", {}, e.address),
      el("td", {}, e.subject || "", el("div", { class: "small" },
        validity(null, e.notAfter))),
      el("td", {}, ["added", "trusted", "unchanged"].includes(e.action ||
        "added") ? trustText(e.trust) : t("import_" + String(e.action)
        .replace(/-/g, "_"), [e.code ? problemText({ code: e.code,
        message: e.reason }) : (e.reason || "")]) || e.action,
      el("div", { class: "small" }, t("method_" + e.method))),
      el("td", {}, btn));
  }));
  $("logEmpty").hidden = s.log.length > 0;
  document.body.dataset.rendered = String(Date.now());
}

async function save(changes) {
  await send("set-settings", { settings: changes });
  render();
}

for (const k of CHECKBOXES)
  $(k).addEventListener("change", () => save({ [k]: $(k).checked }));
$("tokenRetry").addEventListener("click", async () => {
  await send("token-install");
  render();
});
$("recheck").addEventListener("click", async () => {
  $("rechecked").textContent = t("optRechecking");
  const r = await send("recheck");
  $("rechecked").textContent = r ? t("optRechecked", [String(r.checked),
    String(r.gone.length)]) : t("optRecheckNoHost");
  render();
});
$("neverDomains").addEventListener("change", () => save({
  neverDomains: $("neverDomains").value.split(/[\s,]+/).filter(Boolean) }));
$("profileDir").addEventListener("change", () => save({
  profileDir: $("profileDir").value.trim() || null }));
$("log").addEventListener("click", async (ev) => {
  const sha = ev.target.dataset && ev.target.dataset.sha;
  if (sha && confirm(t("optRemoveConfirm"))) {
    await send("remove-import", { sha256: sha });
    render();
  }
});

localize();
render();
onChange(render);
