// The compose popup: one summary line, then per recipient one plain
// phrase and the next step; the technical facts behind "Details".
import { t, localize, el, date, time, send, onChange, validity, problemText,
  problemWithCode, trustText, details, facts, targetTab, setupBanner,
  setupProblem } from "../ui.js";

const MARKS = { ok: "\u2713", warn: "!", bad: "\u2717", neutral: "\u2013",
  busy: "\u2026" };

// As modules/compose.js ready(): the live token serves it (its module is
// loaded), or a kept copy that Thunderbird finds.
function ready(e) {
  if (!e.usable)
    return false;
  if (e.path === "token")
    return e.token === "installed" || e.token === "added";
  return !!((e.thunderbird ? e.thunderbird.found === true : true) &&
    !(e.imports || []).some((i) => i.action === "error"));
}

function added(e) {
  return (e.imports || []).some((i) => i.action === "added" ||
    i.action === "trusted");
}

// The certificate problem that explains an unusable answer best.
function mainProblem(e) {
  for (const c of e.certificates || [])
    for (const p of c.problems || [])
      if (p.code !== "insecure")
        return { cert: c, problem: p };
  return null;
}

// {tone, phrase, next} for one recipient.
export function describe(e) {
  const who = e.address;
  switch (e.state) {
  case "pending":
    return { tone: "busy", phrase: t("rec_pending") };
  case "skipped":
    return { tone: "neutral", phrase: t("rec_skipped") };
  case "absent":
    return { tone: "neutral", phrase: t("rec_absent"), next: t("next_absent") };
  case "insecure":
    return { tone: "warn", phrase: t("rec_insecure"), next: t("next_insecure") };
  case "unverified":   // fetched over HTTPS, no DNS record vouches for it
    return { tone: "warn", phrase: t("rec_unverified"),
      next: t("next_unverified") };
  case "bogus":
    return { tone: "bad", phrase: t("rec_bogus"), next: t("next_bogus") };
  case "error":
    return { tone: "warn", phrase: t("rec_error", [problemText(e.error) ||
      e.reason || t("code_no_result")]), next: t("next_error") };
  default:
    break;
  }
  if (e.state.startsWith("host-"))
    return { tone: "neutral", phrase: t("rec_host") };
  if (e.state === "found" && e.usable && e.path === "token")
    return ready(e) ? { tone: "ok", phrase: t("rec_live", [who]) } :
      { tone: "warn", phrase: t("rec_tokenMissing"),
        next: t("next_tokenMissing") };
  if (e.state === "found" && e.usable) {
    if (ready(e))
      return { tone: "ok", phrase: t(added(e) ? "rec_added" : "rec_known",
        [who]) };
    if ((e.imports || []).some((i) => i.action === "error"))
      return { tone: "bad", phrase: t("rec_addFailed"), next: t("next_seeDetails") };
    return { tone: "warn", phrase: t("rec_tbRefuses"), next: t("next_seeDetails") };
  }
  // unusable (or found without a certificate we may use)
  const certs = e.certificates || [];
  const expired = certs.filter((c) => (c.problems || []).some((p) =>
    p.code === "expired"));
  if (expired.length && expired.length === certs.length) {
    const last = expired.map((c) => c.notAfter).sort().at(-1);
    return { tone: "warn", phrase: t("rec_expired", [date(last)]),
      next: t("next_expired") };
  }
  const future = certs.filter((c) => (c.problems || []).some((p) =>
    p.code === "not-yet-valid"));
  if (future.length && future.length === certs.length)
    return { tone: "warn", phrase: t("rec_notYetValid",
      [date(future[0].notBefore)]), next: t("next_wait") };
  if (certs.length === 0)
    return { tone: "warn", phrase: t("rec_hashOnly"), next: t("next_unusable") };
  const m = mainProblem(e);
  return { tone: "warn", phrase: t("rec_unusable", [m ? problemText(m.problem) :
    t("code_no_record_match")]), next: t("next_unusable") };
}

function recordText(r) {
  const usage = t("usage_" + r.usage) || t("usage_other");
  const what = [usage, t("selector_" + r.selector), t("matching_" + r.matching)]
    .filter(Boolean).join(", ");
  const parts = [t("d_record", [r.usage, r.selector, r.matching, what])];
  if (r.certificate !== null && r.certificate !== undefined)
    parts.push("(" + t("d_recordCert", [r.certificate + 1]) + ")");
  if (r.problem)
    parts.push("\u2014 " + problemWithCode(r.problem));
  return parts.join(" ");
}

// live: served by the token (nothing written into Thunderbird's store).
function certBox(c, i, trusted, live) {
  const range = c.notBefore && c.notAfter ? t("d_validRange",
    [date(c.notBefore), date(c.notAfter)]) : "";
  const v = validity(c.notBefore, c.notAfter);
  const rows = [
    [t("d_subject"), c.subject],
    [t("d_issuer"), c.issuer],
    [t("d_emails"), (c.emails || []).join(", ")],
    [t("d_validity"), range + (v ? " (" + v + ")" : "")],
  ];
  if (trusted) {
    rows.push([t("d_usable"), c.usable ? t("yes") : t("no")]);
    if (c.match)
      rows.push([t("d_matchedBy"), `SMIMEA ${c.match.usage} ${c.match.selector} ${c.match.matching}`]);
    if (c.trust !== undefined)
      rows.push([t(live ? "d_trustLive" : "d_trust"), trustText(c.trust)]);
  }
  if (c.version)
    rows.push([t("d_version"), t("d_version_n", [c.version])]);
  if (c.key)
    rows.push([t("d_key"), c.key]);
  rows.push([t("d_sha256"), el("span", { class: "mono" }, c.sha256)]);
  const problems = (c.problems || []).filter((p) => trusted ||
    p.code !== "insecure");
  return el("div", { class: trusted ? "cert" : "cert untrusted" },
    el("p", { class: "cert-title" }, t("d_cert", [i + 1])),
    trusted ? null : el("p", { class: "untrusted-note" }, t("d_untrusted")),
    facts(rows),
    problems.length ? el("div", {}, el("p", { class: "label" }, t("d_problems")),
      el("ul", { class: "problems" }, problems.map((p) =>
        el("li", {}, problemWithCode(p))))) : null);
}

function importLine(i) {
  const key = "import_" + String(i.action).replace(/-/g, "_");
  const arg = ["added", "trusted", "unchanged"].includes(i.action) ?
    trustText(i.trust) : i.code ? problemWithCode({ code: i.code,
      message: i.reason }) : (i.reason || i.action);
  return (t(key, [arg]) || i.action) + (i.method ?
    " (" + t("method_" + i.method) + ")" : "");
}

function recipientDetails(e) {
  const rows = [
    [t("d_query"), e.query ? el("span", { class: "mono" }, e.query) : null],
    [t("d_dnssec"), e.dnssec ? t("dnssec_" + e.dnssec) + " (" + e.dnssec + ")" : null],
    [t("d_result"), e.status],
    [t("d_error"), e.error ? problemWithCode(e.error) : null],
    [t("d_ede"), e.ede ? `${e.ede.text || ""} (EDE ${e.ede.code})` : null],
  ];
  if (e.records)
    rows.push([t("d_records"), e.records.length ? el("ul", { class: "plain" },
      e.records.map((r) => el("li", {}, recordText(r)))) : t("d_noRecords")]);
  if (e.imports && e.imports.length)
    rows.push([t("d_imports"), el("ul", { class: "plain" },
      e.imports.map((i) => el("li", {}, importLine(i))))]);
  if (e.thunderbird)
    rows.push([t("d_thunderbird"), e.thunderbird.found ? t("yes") : t("no")]);
  if (e.https && e.https.url)
    rows.push([t("d_https"), el("span", {}, el("span", { class: "mono" },
      e.https.url), e.https.fetched ? null : " \u2013 " + (problemText(e.https) ||
      e.https.message || ""))]);
  // A certificate from a web server no DNS record vouches for is laid out
  // as untrusted, like one from an unsigned zone.
  const trusted = e.dnssec === "secure" && e.state !== "unverified";
  return details("details", facts(rows),
    (e.certificates || []).map((c, i) => certBox(c, i, trusted,
      e.path === "token")),
    el("p", { class: "small" }, t("d_rfc")));
}

function recipientItem(e) {
  const d = describe(e);
  const hasDetails = e.query || e.error || (e.certificates || []).length;
  return el("li", { class: "item tone-" + d.tone },
    el("span", { class: "mark", "aria-hidden": "true" }, MARKS[d.tone]),
    el("div", { class: "body" },
      el("div", { class: "addr" }, e.address),
      el("div", { class: "phrase" }, d.phrase),
      d.next ? el("div", { class: "next" }, d.next) : null,
      hasDetails ? recipientDetails(e) : null));
}

export function summaryText(r, setupBroken) {
  if (r.total === 0)
    return t("noRecipients");
  if (setupBroken)
    return t("summarySetup");
  if (r.checking > 0)
    return t("summaryChecking", [r.total - r.checking, r.total]);
  if (r.ready === r.total)
    return r.total === 1 ? t("summaryOneYes") : t("summaryAll", [r.total]);
  if (r.ready === 0)
    return r.total === 1 ? t("summaryOneNo") : t("summaryNone", [r.total]);
  return t("summarySome", [r.ready, r.total]);
}

function encryptionText(enc) {
  if (!enc)
    return null;
  switch (enc.state) {
  case "on": return t("encOn", [time(enc.at)]);
  case "not-all-ready": return t("encNotAll");
  case "no-identity-cert": return t("encNoId");
  case "failed": return t("encFailed", [enc.error || ""]);
  default: return null;
  }
}

async function render() {
  const tabId = await targetTab();
  const status = await send("status");
  const r = tabId === null ? { recipients: [], total: 0, ready: 0, checking: 0 } :
    await send("compose-status", { tabId });
  const banners = document.getElementById("banners");
  banners.replaceChildren();
  const setup = setupBanner(status.host, status.os, async () => {
    await send("reconnect");
  });
  if (setup)
    banners.append(setup);
  if (r.identity && r.identity.canEncrypt === false)
    banners.append(el("div", { class: "banner warn", role: "alert" },
      el("p", { class: "banner-title" }, t("idNoCert", [r.identity.email || ""])),
      el("p", {}, t("idNoCertFix"))));
  const broken = !!setupProblem(status.host) &&
    status.host.state !== "connecting";
  const summary = document.getElementById("summary");
  summary.textContent = summaryText(r, broken);
  const canSend = !(r.identity && r.identity.canEncrypt === false);
  summary.className = "summary tone-" + (r.total === 0 ? "neutral" :
    r.checking > 0 ? "busy" : r.ready === r.total && !broken && canSend ?
      "ok" : "neutral");
  const enc = encryptionText(r.encryption);
  const encEl = document.getElementById("encryption");
  encEl.hidden = !enc;
  encEl.textContent = enc || "";
  // Keep open Details open across re-renders.
  const open = new Set([...document.querySelectorAll("#recipients details[open]")]
    .map((d) => d.closest("li").dataset.address));
  const list = document.getElementById("recipients");
  list.replaceChildren(...r.recipients.map((e) => {
    const li = recipientItem(e);
    li.dataset.address = e.address;
    const d = li.querySelector("details");
    const want = document.body.dataset.openDetails;
    if (d && (open.has(e.address) || want === "open" ||
        want && want.toLowerCase() === e.address.toLowerCase()))
      d.open = true;
    return li;
  }));
  document.body.dataset.rendered = String(Date.now());
}

// ?details=open opens every recipient's Details, ?details=ADDRESS one.
const openDetails = new URLSearchParams(location.search).get("details");
if (openDetails)
  document.body.dataset.openDetails = openDetails;
localize();
render();
onChange(render);
