// Shared by the popups and the options page: strings from _locales.

export const t = (key, subs) => browser.i18n.getMessage(key, subs) || key;

export function localize(root = document) {
  for (const el of root.querySelectorAll("[data-i18n]"))
    el.textContent = t(el.dataset.i18n);
}

export function el(tag, attrs = {}, ...children) {
  const e = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs))
    if (k === "class")
      e.className = v;
    else
      e.setAttribute(k, v);
  for (const c of children)
    if (c !== null && c !== undefined)
      e.append(c instanceof Node ? c : String(c));
  return e;
}

export function date(iso) {
  return iso ? iso.slice(0, 10) : "";
}

export const send = (type, extra) =>
  browser.runtime.sendMessage({ type, ...extra });

// Re-render when the background reports a change.
export function onChange(fn) {
  browser.runtime.onMessage.addListener((m) => {
    if (m && m.type === "changed")
      fn();
  });
}
