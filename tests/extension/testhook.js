// End-to-end test hook: packaged into the add-on only by
// tests/extension/test_thunderbird.py (with testhook.json). It reports
// what the add-on does as "DANE-SMIME-TEST {json}" lines on the console,
// which Thunderbird copies to stdout (devtools.console.stdout.content).

function out(event, data) {
  console.log("DANE-SMIME-TEST " + JSON.stringify({ event, ...data }));
}

export function run(config, m) {
  let composeTab = null;
  let opened = false;
  let reported = false;
  out("hook", { experiment: m.certs.experimentAvailable() });

  async function openCompose() {
    opened = true;
    const tab = await browser.compose.beginNew({ to: config.compose.to });
    composeTab = tab.id;
    out("compose-opened", { tabId: tab.id });
  }

  let messageId = null;

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
      dnssec: v.dnssec, from: v.from, summary: v.summary,
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
      out("recipient", { address: detail.address, state: detail.state });
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
