// Shared by the popups and the options page: every sentence comes from
// _locales; the host sends codes and data, rendered here (its English
// `message`/`reason` only as a fallback for a code we do not know).

export const t = (key, subs) => browser.i18n.getMessage(key, subs) || "";

export function localize(root = document) {
  for (const el of root.querySelectorAll("[data-i18n]"))
    el.textContent = t(el.dataset.i18n) || el.dataset.i18n;
}

export function el(tag, attrs = {}, ...children) {
  const e = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs))
    if (v === null || v === undefined || v === false)
      continue;
    else if (k === "class")
      e.className = v;
    else
      e.setAttribute(k, v === true ? "" : v);
  for (const c of children.flat(Infinity))
    if (c !== null && c !== undefined && c !== "")
      e.append(c instanceof Node ? c : String(c));
  return e;
}

// A date as the reader's locale writes it ("1 January 2021").
export function date(iso) {
  if (!iso)
    return "";
  const d = new Date(iso);
  if (isNaN(d))
    return iso.slice(0, 10);
  return d.toLocaleDateString(browser.i18n.getUILanguage(),
    { year: "numeric", month: "long", day: "numeric", timeZone: "UTC" });
}

export function time(iso) {
  const d = new Date(iso);
  return isNaN(d) ? "" : d.toLocaleTimeString(browser.i18n.getUILanguage(),
    { hour: "2-digit", minute: "2-digit" });
}

// Validity of a certificate as a person reads it: "valid until ...",
// "expired on ...", "valid only from ...".
export function validity(notBefore, notAfter, now = Date.now()) {
  if (notAfter && Date.parse(notAfter) < now)
    return t("expiredOn", [date(notAfter)]);
  if (notBefore && Date.parse(notBefore) > now)
    return t("validFrom", [date(notBefore)]);
  return notAfter ? t("validUntil", [date(notAfter)]) : "";
}

// One problem {code, message, address?} in plain words.
export function problemText(p) {
  if (!p)
    return "";
  if (typeof p === "string")
    p = { code: p };
  const key = "code_" + String(p.code || "").replace(/-/g, "_");
  const subs = p.address ? [p.address] : Array.isArray(p.addresses) &&
    p.addresses.length ? [p.addresses.join(", ")] : [t("d_otherAddresses")];
  return t(key, subs) || p.message || p.code || "";
}

// A problem with its code, for Details: "the certificate has expired
// (expired)".
export function problemWithCode(p) {
  const text = problemText(p);
  const code = p && (p.code || (typeof p === "string" ? p : null));
  return code && text !== code ? text + " (" + code + ")" : text;
}

export function trustText(trust) {
  if (trust === ",C,")
    return t("trust_email");
  if (trust === ",,")
    return t("trust_none");
  if (trust === null || trust === undefined)
    return t("trust_never");
  return trust;
}

export function details(summaryKey, ...children) {
  return el("details", {}, el("summary", {}, t(summaryKey)), ...children);
}

// A definition list of [label, value] rows (values may be nodes).
export function facts(rows) {
  return el("dl", { class: "facts" }, rows.filter((r) => r &&
    r[1] !== null && r[1] !== undefined && r[1] !== "").map(([k, v]) =>
    [el("dt", {}, k), el("dd", {}, v)]));
}

export const send = (type, extra) =>
  browser.runtime.sendMessage({ type, ...extra });

// Which tab a popup is about: ?tabId=N when it is opened in a window of
// its own (screenshots, tests), else the active tab of this window.
export async function targetTab() {
  const q = new URLSearchParams(location.search).get("tabId");
  if (q !== null && /^\d+$/.test(q))
    return Number(q);
  const [tab] = await browser.tabs.query({ active: true, currentWindow: true });
  return tab ? tab.id : null;
}

// The set-up problem banner (host missing, failed, too old, resolver not
// trusted or not validating), or null when the set-up is fine.
export function setupProblem(host) {
  if (!host || (host.state === "ready" && host.validating !== false))
    return null;
  return host.state === "ready" ? "notValidating" : host.state;
}

export function setupBanner(host, os, onRetry) {
  const problem = setupProblem(host);
  if (!problem)
    return null;
  const box = el("div", { class: "banner " + (problem === "connecting" ?
    "info" : "warn"), role: "alert" },
  el("p", { class: "banner-title" }, t("setup_" + problem)));
  let fix = "";
  if (problem === "missing")
    fix = t("fix_missing_" + (["mac", "win"].includes(os) ? os : "linux"));
  else if (problem === "untrusted")
    fix = t(os === "linux" || !os ? "fix_untrusted_linux" :
      "fix_untrusted_other") + " " + t("fix_untrusted_note");
  else if (problem !== "connecting")
    fix = t("fix_" + problem);
  if (fix)
    box.append(el("p", {}, fix));
  const why = host.error || (host.hello && host.hello.trust);
  if (why && problem !== "connecting")
    box.append(details("details", el("p", { class: "mono" },
      t("hostWhy", [why]))));
  if (onRetry && problem !== "connecting") {
    const b = el("button", {}, t("tryAgain"));
    b.addEventListener("click", onRetry);
    box.append(b);
  }
  return box;
}

// Re-render when the background reports a change.
export function onChange(fn) {
  browser.runtime.onMessage.addListener((m) => {
    if (m && m.type === "changed")
      fn();
  });
}
