import { t, localize, el, date, send, onChange } from "../ui.js";

function importText(i) {
  if (i.action === "added" || i.action === "trusted")
    return t("importAdded", [i.trust, t("method_" + i.method)]);
  if (i.action === "unchanged")
    return t("importUnchanged");
  return t("importRefused", [i.reason || i.action]);
}

async function render() {
  const [tab] = await browser.tabs.query({ active: true, currentWindow: true });
  const status = await send("status");
  const host = document.getElementById("host");
  host.textContent = status.host.state === "ready" ? "" :
    t("hostState_" + status.host.state);
  host.className = "small host-" + status.host.state;
  const list = tab ? await send("compose-status", { tabId: tab.id }) : [];
  const rows = document.getElementById("rows");
  rows.replaceChildren(...list.map((r) => {
    const c = r.certificate;
    const cert = c ? el("div", {}, c.subject,
      el("div", { class: "small" }, t("expires", [date(c.notAfter)]))) : "";
    const extra = (r.imports || []).map((i) =>
      el("div", { class: "small" }, importText(i)));
    if (r.thunderbird)
      extra.push(el("div", { class: "small" }, r.thunderbird.found ?
        t("tbFinds") : t("tbDoesNotFind")));
    if (r.reason && r.state !== "found")
      extra.push(el("div", { class: "small" }, r.reason));
    return el("tr", {}, el("td", {}, r.address),
      el("td", { class: r.state }, t("state_" + r.state.replace(/-/g, "_"))),
      el("td", {}, cert, ...extra));
  }));
  document.getElementById("empty").hidden = list.length > 0;
}

localize();
render();
onChange(render);
