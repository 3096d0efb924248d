// Benchmark (not a test): the add-in saving large attachments in headless Chromium
// against the stand-ins, and in the same run the floors it is compared with.
//
//   1. 8 attachments of 16 MiB: the add-in's save time; the floor: plain fetch of the
//      same bytes from the Graph stand-in, and plain fetch POSTs of the same base64
//      JSON to the iMIS stand-in, 3 at a time each.
//   2. One 150 MiB attachment: wasm linear memory after the save (it only grows, so
//      this is the peak).
//   3. The 8 x 16 MiB email the naive way: one at a time, JSON contentBytes, decoded
//      and encoded again, uploaded.
//
// `npm run bench` builds first and prints a table.
import { control, fillSetup, imisToken, mailbox, messageFixture, saveAndWait, signInImis, startHarness } from "../e2e/harness.mjs";

const MiB = 1024 * 1024;
const CLIENT_ID = "4b9c2d1e-7f3a-4c5b-9e8d-2a1f0c6b5d43";
const h = await startHarness();

const message = (ewsId, subject, sizes) =>
  messageFixture(ewsId, subject, sizes.map((size, i) => ({
    name: `data-${i + 1}.bin`, contentType: "application/octet-stream", generate: { size, seed: i + 11 },
  })));

/** Opens `ewsId` in the simulated Outlook and signs in to iMIS (Setup on the first). */
async function open(context, ewsId, first = false) {
  const page = await context.newPage();
  await page.goto(`${h.urls.outlook}/?message=${encodeURIComponent(ewsId)}`);
  await page.click("#save-to-imis-button");
  const pane = page.frameLocator("#taskpane");
  await pane.locator("#email").waitFor({ state: "visible", timeout: 30_000 });
  if (first) {
    await fillSetup(pane, {
      clientId: CLIENT_ID,
      authority: `${h.urls.idp}/${mailbox.tenantId}/`,
      imisUrl: "",
      emailFile: false, // the email's own .eml: tests/e2e/save.test.mjs
      // A site whose administrator raised IIS's limit (a stock one takes 10 MiB).
      maxRequestMb: "256",
      graphConcurrency: "3",
    });
  }
  await signInImis(pane);
  const frame = () => page.frames().find((f) => f.url().includes("/taskpane.html"));
  return { page, pane, frame };
}

/** Milliseconds from the click to the summary; every attachment must have saved. */
async function timedSave(context, pane, popup) {
  const ms = await saveAndWait(context, pane, { expectPopup: popup, timeout: 600_000 });
  if (await pane.locator("#summary-list li[data-status=failed]").count()) {
    throw new Error(`attachments failed: ${await pane.locator("#summary-list").textContent()}`);
  }
  return ms;
}

// Runs in the pane's frame (the add-in's origin: the same CORS path as the add-in).
// floor: 3 at a time, fetch every $value, then POST the same base64 JSON.
// naive: one at a time, GET the JSON with contentBytes, decode, encode, POST.
async function inPane(args) {
  const { mode, urls, graphToken, imis, imisToken, folder } = args;
  const pool = async (items, n, work) => {
    const queue = [...items];
    await Promise.all(Array.from({ length: n }, async () => {
      while (queue.length) await work(queue.shift());
    }));
  };
  const toBase64 = (bytes) => {
    let text = "";
    for (let i = 0; i < bytes.length; i += 0x8000) text += String.fromCharCode(...bytes.subarray(i, i + 0x8000));
    return btoa(text);
  };
  const upload = async (name, base64) => {
    const r = await fetch(`${imis}/api/Document`, {
      method: "POST",
      headers: { Authorization: `Bearer ${imisToken}`, "Content-Type": "application/json" },
      body: JSON.stringify({
        $type: "Asi.Soa.Core.DataContracts.DocumentData, Asi.Contracts",
        Name: name, AlternateName: name, DocumentTypeId: "BIN", Path: folder,
        Data: { $type: "System.Byte[], mscorlib", $value: base64 },
      }),
    });
    if (!r.ok) throw new Error(`upload ${name}: ${r.status}`);
  };
  const get = (url) => fetch(url, { headers: { Authorization: `Bearer ${graphToken}` } });
  if (mode === "naive") {
    const t = performance.now();
    let i = 0;
    for (const url of urls) {
      const binary = atob((await (await get(url)).json()).contentBytes);
      const bytes = new Uint8Array(binary.length);
      for (let k = 0; k < binary.length; k++) bytes[k] = binary.charCodeAt(k);
      i += 1;
      await upload(`naive-${i}.bin`, toBase64(bytes));
    }
    return { total: performance.now() - t };
  }
  const bodies = [];
  let t = performance.now();
  await pool(urls.map((u, i) => [u, i]), 3, async ([u, i]) => {
    bodies[i] = new Uint8Array(await (await get(u)).arrayBuffer());
  });
  const download = performance.now() - t;
  const encoded = bodies.map(toBase64);
  t = performance.now();
  await pool(encoded.map((b, i) => [b, i]), 3, ([b, i]) => upload(`floor-${i + 1}.bin`, b));
  return { download, upload: performance.now() - t };
}

try {
  await h.reset();
  await control(h.urls.imis, "/settings", { maxRequestBytes: 256 * MiB });
  const seed = (m) => control(h.urls.graph, "/messages", m);
  const warm = await seed(message("AAMkBench+warmup/1=", "Warm-up", [1024]));
  const eight = await seed(message("AAMkBench+eight/16=", "Eight of 16 MiB", Array(8).fill(16 * MiB)));
  const big = await seed(message("AAMkBench+big/150=", "One of 150 MiB", [150 * MiB]));
  const context = await h.browser.newContext({ ignoreHTTPSErrors: true });

  // Warm-up: Setup, iMIS and Microsoft sign-in, so no popup is timed later.
  await timedSave(context, (await open(context, warm.ewsId, true)).pane, true);

  // 1. 8 x 16 MiB: the floors first, then the add-in, then the floors again (the
  // stand-ins grow as they store; both floor runs are printed), and the naive way.
  const e = await open(context, eight.ewsId);
  const graphToken = (await control(h.urls.idp, "/mint", { scope: `${h.urls.graph}/Mail.Read` })).access_token;
  const imisTok = await imisToken(h.urls.imis);
  const base = `${h.urls.graph}/v1.0/me/messages/${encodeURIComponent(eight.restId)}/attachments`;
  const common = { graphToken, imis: h.urls.imis, imisToken: imisTok };
  const run = async (mode, name) => {
    await e.frame().evaluate(async ({ imis, imisToken, name }) => {
      const r = await fetch(`${imis}/api/Document`, {
        method: "POST",
        headers: { Authorization: `Bearer ${imisToken}`, "Content-Type": "application/json" },
        body: JSON.stringify({ $type: "Asi.Soa.Core.DataContracts.DocumentData, Asi.Contracts", Name: name, DocumentTypeId: "FOL", Path: "$/Common/Email" }),
      });
      if (!r.ok) throw new Error(`folder ${name}: ${r.status}`);
    }, { ...common, name });
    const suffix = mode === "naive" ? "" : "/$value";
    return e.frame().evaluate(inPane, {
      ...common, mode, folder: `$/Common/Email/${name}`,
      urls: eight.attachments.map((a) => `${base}/${encodeURIComponent(a.restId)}${suffix}`),
    });
  };
  const floorBefore = await run("floor", "bench-floor-1");
  const addin = await timedSave(context, e.pane, false);
  const floorAfter = await run("floor", "bench-floor-2");
  const naive = await run("naive", "bench-naive");
  const floor = {
    download: Math.min(floorBefore.download, floorAfter.download),
    upload: Math.min(floorBefore.upload, floorAfter.upload),
  };

  // 2. One 150 MiB attachment, in a fresh pane: wasm memory before and after.
  const b = await open(context, big.ewsId);
  const memory = async () => (await b.frame().evaluate(() => globalThis.saveToImisDiagnostics())).wasmMemoryBytes;
  const memBefore = await memory();
  const bigMs = await timedSave(context, b.pane, false);
  const memAfter = await memory();

  // The figures count only if every byte arrived, once.
  const state = await h.imisState();
  const now = await h.graphMailbox();
  for (const m of [eight, big]) {
    for (const a of now.messages.find((x) => x.ewsId === m.ewsId).attachments) {
      const copies = state.documents.filter((d) => d.Name === a.name && d.sha256 === a.sha256 && d.Path.includes("[")).length;
      if (copies !== 1) throw new Error(`${a.name}: ${copies} correct copies in iMIS`);
    }
  }

  const s = (ms) => `${(ms / 1000).toFixed(2)} s`;
  const rate = (ms) => `${(128 / (ms / 1000)).toFixed(0)} MiB/s`;
  const serial = floor.download + floor.upload;
  const slower = Math.max(floor.download, floor.upload);
  console.log(`
| 8 x 16 MiB | time | throughput |
| --- | --- | --- |
| add-in (Save to iMIS, 3 at a time) | ${s(addin)} | ${rate(addin)} |
| floor: fetch downloads, 3 at a time (before / after) | ${s(floorBefore.download)} / ${s(floorAfter.download)} | ${rate(floor.download)} |
| floor: fetch POST uploads, 3 at a time (before / after) | ${s(floorBefore.upload)} / ${s(floorAfter.upload)} | ${rate(floor.upload)} |
| naive: one at a time, JSON contentBytes | ${s(naive.total)} | ${rate(naive.total)} |

(floors: the faster of the two runs)
add-in / (download floor + upload floor) = ${(addin / serial).toFixed(2)} (target <= 1.25)
add-in / slower floor alone = ${(addin / slower).toFixed(2)}
add-in speed-up over naive = ${(naive.total / addin).toFixed(2)} x

| 1 x 150 MiB | value |
| --- | --- |
| save time | ${s(bigMs)} |
| wasm linear memory before the save | ${(memBefore / MiB).toFixed(1)} MiB |
| wasm linear memory after (peak) | ${(memAfter / MiB).toFixed(1)} MiB (target < 64 MiB) |
`);
} finally {
  await h.close();
}
