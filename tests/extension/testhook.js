// End-to-end test hook: packaged into the add-on only by
// tests/extension/test_thunderbird.py (with testhook.json). It reports
// what the add-on does as "DANE-SMIME-TEST {json}" lines on the console,
// which Thunderbird copies to stdout (devtools.console.stdout.content).

const T0 = Date.now();

function out(event, data) {
  console.log("DANE-SMIME-TEST " + JSON.stringify({ event, ...data,
    t: (Date.now() - T0) / 1000 }));
}

// A local folder to import test messages into.
async function localFolder() {
  let accounts = [];
  for (let i = 0; i < 100; i++) {   // folders appear ~2 s after start
    accounts = await browser.accounts.list(true);
    const local = accounts.find((a) => a.type === "none" ||
      a.type === "local");
    const root = local && local.rootFolder;
    const subs = root && (root.subFolders && root.subFolders.length ?
      root.subFolders : await browser.folders.getSubFolders(root.id));
    if (subs && subs.length)
      return (subs.find((f) => (f.specialUse || []).includes("trash")) ||
        subs[0]).id;
    await new Promise((r) => setTimeout(r, 200));
  }
  throw new Error("no local folder in " + JSON.stringify(accounts));
}

// Each start of the background page counts (storage.local survives the
// page's suspension): the idle scenario tells from it whether Thunderbird
// suspended the page.
async function countStart() {
  const { hookStarts } = await browser.storage.local.get("hookStarts");
  const n = (hookStarts || 0) + 1;
  await browser.storage.local.set({ hookStarts: n });
  return n;
}

// config.settings: stored before the add-on starts (the background page
// awaits run() before it connects the host), e.g. {keepCopy: true} for
// the scenarios of the permanent copy through the certdb Experiment.
export async function run(config, m) {
  if (config.settings)
    await m.store.setSettings(config.settings);
  let composeTab = null;
  let opened = false;
  let reported = false;
  const started = Date.now();
  countStart().then(async (n) => out("hook", {
    keepCopy: await m.certs.keepingCopy(),
    experiment: m.certs.experimentAvailable(), starts: n }));
  if (browser.runtime.onSuspend)
    browser.runtime.onSuspend.addListener(() => out("suspend", {}));
  if (config.idle)
    idle(config.idle, m).catch((e) => out("error", { where: "idle",
      message: String(e) }));
  // (popup.noHost: the pictures of a missing host start once the add-on
  // knows it is missing.)
  if (config.popup)
    m.bus.on((event, detail) => {
      if (event === "host-state" && !opened && (detail.state === "ready" ||
          config.popup.noHost && detail.state !== "connecting")) {
        opened = true;
        popups(config.popup, m).catch((e) => out("error", { where: "popup",
          message: String(e) }));
      }
    });

  async function openCompose() {
    opened = true;
    const tab = await browser.compose.beginNew({ to: config.compose.to });
    composeTab = tab.id;
    out("compose-opened", { tabId: tab.id });
  }

  let messageId = null;

  async function openMessage() {
    opened = true;
    await m.store.setSettings({ autoVerify: true });
    const folder = await localFolder();
    const blob = await (await fetch(browser.runtime.getURL(config.message)))
      .blob();
    const file = new File([blob], "test.eml", { type: "message/rfc822" });
    const hdr = await browser.messages.import(file, folder);
    messageId = hdr.id;
    out("message-imported", { id: hdr.id, folder });
    await browser.messageDisplay.open({ messageId: hdr.id, location: "tab" });
  }

  async function verified(detail) {
    const v = detail.reply || {};
    const r = m.verify.tabResult(detail.tabId);
    out("verified", { state: detail.state, colour: detail.colour,
      error: detail.error || null, signature: v.signature, dane: v.dane,
      dnssec: v.dnssec, from: v.from, summary: v.summary, green: v.green,
      problems: v.problems, address_match: v.address_match,
      from_display: v.from_display, sentFrom: detail.sentFrom,
      canImport: m.verify.canImport(r) });
    const changes = await m.verify.importSigner(detail.tabId);
    const tb = v.from ? await m.certs.thunderbirdFinds(v.from) : null;
    out("signer-import", { changes, thunderbird: tb });
  }

  async function report(recipients) {
    reported = true;
    for (const r of recipients) {
      const tb = await m.certs.thunderbirdFinds(r.address);
      out("recipient-final", { address: r.address, state: r.state,
        usable: !!r.usable, imports: r.imports || [],
        subject: r.certificate ? r.certificate.subject : null,
        thunderbird: tb });
    }
    out("compose-done", { count: recipients.length });
  }

  m.bus.on((event, detail) => {
    if (event === "token")
      out("token", { state: detail.state, error: detail.error,
        slots: detail.slots });
    else if (event === "recheck")
      out("recheck", detail);
    if (event === "host-state") {
      out("host-state", { state: detail.state, error: detail.error,
        trusted: detail.hello ? detail.hello.trusted : null,
        protocol: detail.hello ? detail.hello.protocol : null });
      if (detail.state === "ready" && config.compose && !opened)
        openCompose().catch((e) => out("error", { where: "beginNew",
          message: String(e) }));
      if (detail.state === "ready" && config.message && !opened)
        openMessage().catch((e) => out("error", { where: "openMessage",
          message: String(e) }));
    } else if (event === "verified") {
      if (detail.messageId === messageId && detail.state !== "working")
        verified(detail).catch((e) => out("error", { where: "verified",
          message: String(e) }));
    } else if (event === "recipient") {
      out("recipient", { address: detail.address, state: detail.state,
        ttl: detail.ttl, expiresIn: detail.expires ?
          Math.round((detail.expires - Date.now()) / 1000) : null });
    } else if (event === "compose" && detail.tabId === composeTab &&
               !reported) {
      const want = config.compose.to.length;
      const list = detail.recipients;
      if (list.length >= want && list.every((r) => r.state !== "pending"))
        report(list).catch((e) => out("error", { where: "report",
          message: String(e) }));
    }
  });
}

// Idle scenario (config.idle = {windows: [{after: S, to: [...]}, ...]}):
// compose window k opens S seconds after the previous step (the first
// after the hook's first start), driven by browser.alarms so that it
// works whether or not Thunderbird suspended the page meanwhile. Once
// its recipients are settled it is reported and closed. Progress lives in
// storage.local, which survives the page.
async function idle(cfg, m) {
  const state = async () => (await browser.storage.local.get("hookIdle"))
    .hookIdle;
  const save = (st) => browser.storage.local.set({ hookIdle: st });
  const schedule = async (step) => {
    const after = cfg.windows[step].after;
    await browser.alarms.create("hook-idle-" + step,
      { when: Date.now() + after * 1000 });
    out("idle-scheduled", { step, after });
  };
  let reporting = false;
  m.bus.on((event, detail) => {
    if (event === "alarm" && detail.name.startsWith("hook-idle-")) {
      const step = Number(detail.name.slice("hook-idle-".length));
      (async () => {
        const tab = await browser.compose.beginNew({
          to: cfg.windows[step].to });
        await save({ step, tabId: tab.id, opened: Date.now() });
        out("compose-opened", { tabId: tab.id, step });
      })().catch((e) => out("error", { where: "idle-open",
        message: String(e) }));
    } else if (event === "compose" && !reporting) {
      (async () => {
        const st = await state();
        if (!st || st.tabId !== detail.tabId || st.done)
          return;
        const want = cfg.windows[st.step].to.length;
        const list = detail.recipients;
        if (list.length < want || list.some((r) => r.state === "pending"))
          return;
        reporting = true;
        st.done = true;
        await save(st);
        for (const r of list) {
          const tb = await m.certs.thunderbirdFinds(r.address);
          out("recipient-final", { step: st.step, address: r.address,
            state: r.state, usable: !!r.usable, imports: r.imports || [],
            thunderbird: tb, seconds: (Date.now() - st.opened) / 1000 });
        }
        await browser.tabs.remove(st.tabId);
        if (st.step + 1 < cfg.windows.length) {
          await save({ step: st.step + 1 });
          await schedule(st.step + 1);
        } else {
          out("idle-done", {});
        }
        reporting = false;
      })().catch((e) => out("error", { where: "idle-report",
        message: String(e) }));
    }
  });
  if (!(await state())) {
    await save({ step: 0 });
    await schedule(0);
  }
}

// Screenshot scenario (config.popup = {compose: [...], verify: [...],
// options: true, hold: S}): each popup page is opened in a window of its
// own at the top left of the screen, filled with real data from the test
// bed, and announced as "shot" with its geometry; tests/extension/
// screenshots.py photographs the screen, and the window closes `hold`
// seconds later.
async function popups(cfg, m) {
  const hold = (cfg.hold || 4) * 1000;
  const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
  async function shot(name, url, height, width) {
    out("shot-open", { name });
    // Under Xvfb without a window manager windows.create may never
    // resolve although the window is there: look for it.
    const created = browser.windows.create({ url, type: "popup",
      left: 0, top: 0, width: width || cfg.width || 560,
      height: height || 640 });
    let win = await Promise.race([created, sleep(5000).then(() => null)]);
    if (!win) {
      const all = await browser.windows.getAll({ populate: true });
      out("shot-windows", { all: all.map((w) => ({ id: w.id, type: w.type,
        state: w.state, left: w.left, top: w.top, width: w.width,
        height: w.height, urls: (w.tabs || []).map((x) => x.url) })) });
      win = all.find((w) => (w.tabs || []).some((x) => x.url === url));
      if (!win)
        throw new Error("the window for " + name + " did not open");
    }
    out("shot-opened", { name, windowId: win.id });
    await sleep(1500);   // layout, fonts, the page's own requests
    const w = await browser.windows.get(win.id);
    out("shot", { name, left: w.left, top: w.top, width: w.width,
      height: w.height });
    await sleep(hold);
    await browser.windows.remove(win.id);
  }
  async function settled(tabId, want) {
    for (let i = 0; i < 300; i++) {
      const list = m.compose.tabStatus(tabId);
      if (list.length >= want && list.every((r) => r.state !== "pending"))
        return list;
      await sleep(200);
    }
    throw new Error("recipients of tab " + tabId + " never settled");
  }
  for (const c of cfg.compose || []) {
    const tab = await browser.compose.beginNew({ to: c.to });
    out("shot-compose", { name: c.name, tabId: tab.id });
    await settled(tab.id, c.to.length);
    await sleep(2500);   // a poll or two: badge, auto-encrypt, recheck
    const q = "?tabId=" + tab.id + (c.details ? "&details=" +
      encodeURIComponent(c.details) : "");
    await shot(c.name, browser.runtime.getURL("popup/compose.html" + q),
      c.height);
    await browser.tabs.remove(tab.id);
  }
  if (cfg.options)
    await shot(cfg.options.name || "options",
      browser.runtime.getURL("options/options.html"), cfg.options.height,
      cfg.options.width);
  if (cfg.verify && cfg.verify.length) {
    await m.store.setSettings({ autoVerify: false });
    const folder = await localFolder();
    const imported = {};   // file -> message header (import once)
    for (const v of cfg.verify) {
      if (!imported[v.file]) {
        const blob = await (await fetch(browser.runtime.getURL(v.file)))
          .blob();
        imported[v.file] = await browser.messages.import(
          new File([blob], "m.eml", { type: "message/rfc822" }), folder);
      }
      const hdr = imported[v.file];
      const tab = await browser.messageDisplay.open({ messageId: hdr.id,
        location: "tab" });
      await sleep(1000);
      const r = await m.verify.verifyTab(tab.id, false);
      out("verify-result", { name: v.name, colour: r && r.colour,
        signature: r && r.reply && r.reply.signature,
        dane: r && r.reply && r.reply.dane });
      const q = "?tabId=" + tab.id + (v.details ? "&details=open" : "");
      await shot(v.name, browser.runtime.getURL("popup/verify.html" + q),
        v.height);
      await browser.tabs.remove(tab.id);
    }
  }
  out("shots-done", {});
}
