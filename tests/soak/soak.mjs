// A seeded fault soak (not a unit of the suite by itself: `npm run soak`, and 40 cases in
// tests/e2e/soak.test.mjs). Each case saves one fresh email in the one headless Chromium
// of the harness, with faults drawn from the case's seed, then saves it a second time
// once the faults are cleared, and reads the stand-ins back after each save:
//
//   L (lost)         an attachment neither stored nor reported with a reason, a record
//                    missing, or anything missing after the second save;
//   D (duplicated)   anything stored twice (a document by sha256, a folder, a record), or
//                    bytes stored that match no attachment;
//   U (unexplained)  a failure without a reason, or a pane error that is not a clear message.
//
// Case i of a run with seed S uses seed S + i: `--cases 1 --seed <that seed>` replays it.
// Everything a case does is drawn from its seed (the email, Setup, the contacts, the
// faults); the timing of a real browser is not, so a replay is the same plan, not always
// the same interleaving.
import { createHash } from "node:crypto";
import { control, field, fillSetup, mailbox, messageFixture, msUser, imisUser } from "../e2e/harness.mjs";

const CLIENT_ID = "4b9c2d1e-7f3a-4c5b-9e8d-2a1f0c6b5d43";
const IMIS_DEFAULTS = { tokenLifetimeSeconds: 1199, maxRequestBytes: 10485760, largeBody: "404.13", documentPost500: false };
const FIXTURE_FOLDERS = 3; // $, $/Common, $/Common/Email (tests/fixtures/imis.json)
const SENDER = "23001"; // Alex Member, the sender of every soak email
const COPIED = "22708"; // Sam Board, on copy in some
const KB = 1024;
const SETUP_LIMIT = 10 * 1000 * 1000; // Setup's default limit, 10 MB (its unit)

// ---- the seeded generator -------------------------------------------------------------

/** mulberry32: a small 32-bit generator; the same seed gives the same stream. */
export function mulberry32(seed) {
  let a = seed >>> 0;
  const next = () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  const int = (lo, hi) => lo + Math.floor(next() * (hi - lo + 1)); // inclusive
  const pick = (list) => list[Math.floor(next() * list.length)];
  const chance = (p) => next() < p;
  /** One of `{key: weight}`. */
  const weighted = (table) => {
    const entries = Object.entries(table);
    let r = next() * entries.reduce((s, [, w]) => s + w, 0);
    for (const [k, w] of entries) if ((r -= w) < 0) return k;
    return entries.at(-1)[0];
  };
  return { next, int, pick, chance, weighted };
}

// ---- what a case is -----------------------------------------------------------------------

/** The fault kinds and how often each is drawn (a case draws none, one or two). */
export const FAULT_WEIGHTS = {
  graph429: 3, // 429 on one download, 1-2 times, with or without Retry-After
  graph429Window: 2, // 429 on every download (or the list too) for 1.5-4 s
  graph503: 2, // 503 on one download, 1-2 times, with or without Retry-After
  graph503Window: 1,
  graph401: 2, // 401 once, on a download or the list
  graph404List: 2, // 404 ErrorItemNotFound on the list: attachments through Outlook
  graphCut: 3, // a body cut midway (cutAfterBytes), 1-2 times
  graph502Cap: 1, // 502 five times: past the retry cap, reported, stored on the second save
  imis500Stored: 3, // 500 after storing (store: true) on a document, the folder, the record or the note
  imis500: 2, // 500 without storing on a document or the folder
  imis500Record: 1, // 500 without storing on the record
  imis500Lookup: 1, // 500 on a document lookup (DocumentSummary)
  imisSlow: 1, // a slow iMIS answer (delayMs) on uploads
  imisSession: 2, // the iMIS session ends mid-save: sign in again when the pane asks
  imisTooLarge: 2, // the site's limit below one attachment's request, Setup's higher: 404.13, ASP.NET 500 or reset
  paneClosed: 2, // the Outlook page closed mid-save, the pane opened again and the email saved again
};

const EXTENSIONS = [
  ["pdf", "application/pdf"], ["docx", "application/vnd.openxmlformats-officedocument.wordprocessingml.document"],
  ["xlsx", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"], ["csv", "text/csv"],
  ["png", "image/png"], ["jpg", "image/jpeg"], ["zip", "application/zip"], ["bin", "application/octet-stream"],
  ["txt", "text/plain"], ["msg", "application/vnd.ms-outlook"], ["pptx", "application/vnd.openxmlformats-officedocument.presentationml.presentation"],
];
const WORDS = ["minutes", "budget", "scan", "photo", "renewal", "report", "agenda", "notes", "invoice", "résumé", "plan", "Q3 figures"];

function fileSize(r) {
  const x = r.next();
  if (x < 0.5) return r.int(2 * KB, 50 * KB);
  if (x < 0.85) return r.int(50 * KB, 500 * KB);
  return r.int(500 * KB, 2 * 1024 * KB);
}

/** The case drawn from `seed`: its email, Setup, contacts and faults. Pure. */
export function drawCase(seed) {
  const r = mulberry32(seed);
  const n = r.int(1, 5);
  const attachments = [];
  for (let j = 0; j < n; j++) {
    const kind = r.weighted({ file: 6, small: 1, item: 2, reference: 0.5, inline: 0.5 });
    const word = r.pick(WORDS);
    const dataSeed = (Math.imul(seed, 16) + j + 1) >>> 0 || 7;
    if (kind === "file") {
      const [ext, contentType] = r.pick(EXTENSIONS);
      attachments.push({ name: `a${j} ${word}.${ext}`, contentType, generate: { size: fileSize(r), seed: dataSeed } });
    } else if (kind === "small") {
      const text = r.chance(0.2) ? "" : `soak ${seed} attachment ${j} ${word}\n`.repeat(r.int(1, 40));
      attachments.push({ name: `a${j} ${word}.txt`, contentType: "text/plain", base64: Buffer.from(text).toString("base64") });
    } else if (kind === "item") {
      const itemType = r.pick(["message", "event", "contact"]);
      const subject = `a${j} ${itemType} ${word} ${seed}`;
      attachments.push({ kind: "item", itemType, name: subject, subject, bodyText: `Attached ${itemType} ${seed}/${j}.`,
        ...(itemType === "event" && { start: "2026-12-03T17:00:00Z" }), ...(itemType === "contact" && { email: `c${j}.${seed}@example.net` }) });
    } else if (kind === "reference") {
      attachments.push({ kind: "reference", name: `a${j} ${word}.docx`, contentType: EXTENSIONS[1][1], sourceUrl: `https://contoso.sharepoint.com/sites/soak/${seed}/${j}.docx` });
    } else {
      attachments.push({ name: `a${j} logo.png`, contentType: "image/png", isInline: true, contentId: `logo${j}@soak`, generate: { size: r.int(1 * KB, 40 * KB), seed: dataSeed } });
    }
  }
  const setup = {
    graphConcurrency: String(r.int(1, 4)),
    emailFile: r.chance(0.3),
    recordKind: r.chance(0.15) ? "interaction" : "activity",
    includeInline: r.chance(0.5),
  };
  const copied = r.chance(0.35);
  const contacts = copied && r.chance(0.6) ? [SENDER, COPIED] : [SENDER];

  // Faults: none (1 in 10), one, or two of different kinds; at most one of the kinds that
  // drive the pane (the session, the closed pane).
  const count = r.weighted({ 0: 1, 1: 6, 2: 3 });
  const faults = [];
  const downloadable = attachments.map((a, i) => [a, i]).filter(([a]) => a.kind !== "reference" && (!a.isInline || setup.includeInline));
  const files = downloadable.filter(([a]) => a.generate);
  const largest = files.map(([a]) => a.generate.size).reduce((m, s) => Math.max(m, s), 0);
  for (let tries = 0; faults.length < Number(count) && tries < 20; tries++) {
    const kind = r.weighted(FAULT_WEIGHTS);
    if (faults.some((f) => f.kind === kind)) continue;
    if ((kind === "imisSession" || kind === "paneClosed") && faults.some((f) => f.kind === "imisSession" || f.kind === "paneClosed")) continue;
    const one = () => r.pick(downloadable)?.[1];
    switch (kind) {
      case "graph429":
      case "graph503":
        if (!downloadable.length) continue;
        faults.push({ kind, attachment: one(), times: r.int(1, 2), retryAfter: r.chance(0.5) ? 1 : null });
        break;
      case "graph429Window":
      case "graph503Window":
        faults.push({ kind, match: r.chance(0.7) ? "$value" : "/attachments", forMs: r.int(1500, 4000), retryAfter: r.chance(0.3) ? 1 : null });
        break;
      case "graph401":
        faults.push({ kind, attachment: downloadable.length && r.chance(0.7) ? one() : null });
        break;
      case "graph404List":
        faults.push({ kind });
        break;
      case "graphCut": {
        if (!files.length) continue;
        const [a, i] = r.pick(files);
        faults.push({ kind, attachment: i, cutAfterBytes: r.int(1, Math.max(1, a.generate.size - 1)), times: r.int(1, 2) });
        break;
      }
      case "graph502Cap":
        if (!downloadable.length) continue;
        faults.push({ kind, attachment: one() });
        break;
      case "imis500Stored":
        faults.push({ kind, target: r.weighted({ document: 4, folder: 1, record: 2, note: 1 }), times: r.int(1, 3) });
        break;
      case "imis500":
        faults.push({ kind, target: r.weighted({ document: 3, folder: 1 }), times: r.int(1, 2) });
        break;
      case "imis500Record":
      case "imis500Lookup":
        faults.push({ kind });
        break;
      case "imisSlow":
        faults.push({ kind, delayMs: r.int(300, 1500), times: r.int(1, 3) });
        break;
      case "imisSession":
        // Where the session ends: at a record (the second one when there are two), the folder or a document.
        faults.push({ kind, lifetimeSeconds: 4, at: r.weighted({ record: 1, folder: 2, document: 1 }) });
        break;
      case "imisTooLarge": {
        // Below the largest file's request, above everything a record needs.
        if (largest < 120 * KB) continue;
        const request = Math.ceil(largest / 3) * 4;
        faults.push({ kind, maxRequestBytes: Math.max(96 * KB, Math.floor(request * (0.5 + 0.45 * r.next()))), largeBody: r.weighted({ "404.13": 2, aspnet500: 1, reset: 1 }) });
        break;
      }
      case "paneClosed":
        faults.push({ kind, when: r.pick(["soon", "record", "uploading"]), afterMs: r.int(0, 1200), slowMs: r.chance(0.6) ? r.int(600, 1500) : 0 });
        break;
      default:
        throw new Error(kind);
    }
  }
  return { seed, subject: `Soak case ${seed} ${r.pick(WORDS)}`, attachments, copied, contacts, setup, faults };
}

/** One line for a case's faults. */
export function describeFaults(plan) {
  if (!plan.faults.length) return "no fault";
  return plan.faults.map((f) => {
    const { kind, ...rest } = f;
    const args = Object.entries(rest).filter(([, v]) => v !== null && v !== undefined).map(([k, v]) => `${k}=${v}`).join(",");
    return args ? `${kind}(${args})` : kind;
  }).join(" + ");
}

// ---- running it -----------------------------------------------------------------------------

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
const sha256 = (text) => createHash("sha256").update(text).digest("hex");
const messageKey = (id) => `email:${sha256(id.trim()).slice(0, 16)}`;
const interactionKey = (id) => sha256(id.trim()).slice(0, 10);

/** A message the pane can state clearly: words, not a bare code or a program's error. */
export function clearMessage(text) {
  const t = (text ?? "").trim();
  return t.length >= 15 && /[a-z]{3,}/i.test(t)
    && !/\bundefined\b|\bnull\b|\[object|JsValue|RuntimeError|unreachable|panicked|TypeError|ReferenceError|SyntaxError|is not a function/.test(t);
}

/**
 * Runs `cases` cases from `seed` against a started harness (tests/e2e/harness.mjs).
 * `log` gets one line per case. Resolves to {cases, lost, duplicated, unexplained,
 * failures: [{seed, faults, problems: [{kind, text}]}], ms}.
 */
export async function runSoak(h, { cases, seed, log = () => {}, caseTimeoutMs = 90_000 }) {
  const started = performance.now();
  const driver = new Driver(h);
  const failures = [];
  const counts = { L: 0, D: 0, U: 0 };
  try {
    for (let i = 0; i < cases; i++) {
      const caseSeed = (seed + i) >>> 0;
      const plan = drawCase(caseSeed);
      const t0 = performance.now();
      let problems;
      try {
        problems = await withTimeout(driver.run(plan), caseTimeoutMs, `the case did not finish within ${caseTimeoutMs / 1000} s`);
      } catch (e) {
        problems = [{ kind: "U", text: `the soak could not drive the pane: ${e.message.split("\n")[0]}` }];
        await driver.restart(); // a fresh browser context for the next case
      }
      for (const k of new Set(problems.map((p) => p.kind))) counts[k] += 1;
      const seconds = ((performance.now() - t0) / 1000).toFixed(1);
      log(`case ${i + 1}/${cases} seed ${caseSeed}: ${describeFaults(plan)} -> ${problems.length ? problems.map((p) => `${p.kind}: ${p.text}`).join("; ") : "ok"} (${seconds} s)`);
      if (problems.length) failures.push({ seed: caseSeed, faults: describeFaults(plan), problems });
    }
  } finally {
    await driver.close();
  }
  return { cases, lost: counts.L, duplicated: counts.D, unexplained: counts.U, failures, ms: performance.now() - started, popups: driver.popups };
}

function withTimeout(promise, ms, message) {
  let timer;
  return Promise.race([promise, new Promise((_, reject) => { timer = setTimeout(() => reject(new Error(message)), ms); })])
    .finally(() => clearTimeout(timer));
}

/** Drives the one browser context: the Outlook page, the pane, the sign-in popups. */
class Driver {
  constructor(h) {
    this.h = h;
    this.context = null;
    this.page = null;
    this.popups = 0; // Microsoft sign-in forms filled in
  }

  async ensureContext() {
    if (this.context) return;
    this.context = await this.h.browser.newContext({ ignoreHTTPSErrors: true });
    // Each case starts signed out of iMIS: the pane keeps its iMIS session for the Outlook
    // session (one tab here, reused across cases), and the stand-in is reset between cases.
    await this.context.addInitScript(() => {
      if (location.pathname.endsWith("/taskpane.html")) sessionStorage.removeItem("saveToImis.imisSession");
    });
    // Any Microsoft sign-in window, whenever the pane opens one: sign in as the user would.
    this.context.on("page", (p) => this.signInPopup(p).catch(() => {}));
  }

  async signInPopup(p) {
    if (!(await p.opener())) return; // the Outlook page itself
    await p.waitForSelector("#username", { timeout: 20_000 });
    await p.fill("#username", msUser.mail);
    await p.fill("#password", msUser.password);
    this.popups += 1;
    await p.click("#signin");
  }

  async page_() {
    await this.ensureContext();
    if (!this.page || this.page.isClosed()) {
      this.page = await this.context.newPage();
      this.page.on("dialog", (d) => d.dismiss().catch(() => {}));
    }
    return this.page;
  }

  async restart() {
    await this.context?.close().catch(() => {});
    this.context = null;
    this.page = null;
  }

  async close() {
    await this.restart();
  }

  /** Opens the simulated Outlook on the message and the pane on it. */
  async openPane(ewsId) {
    const page = await this.page_();
    await page.goto(`${this.h.urls.outlook}/?${new URLSearchParams({ message: ewsId })}`);
    await page.click("#save-to-imis-button");
    const pane = page.frameLocator("#taskpane");
    await pane.locator("#email, #imis-sign-in").locator("visible=true").first().waitFor({ timeout: 30_000 });
    const frame = page.frames().find((f) => f.url().includes("/taskpane.html"));
    return { page, pane, frame };
  }

  async run(plan) {
    const h = this.h;
    const problems = [];
    const problem = (kind, text) => problems.push({ kind, text });
    await Promise.all([h.urls.graph, h.urls.imis, h.urls.outlook].map((u) => control(u, "/reset", {})));
    const fixture = this.fixture(plan);
    this.keys = new Set([messageKey(fixture.internetMessageId), interactionKey(fixture.internetMessageId)]);
    await control(h.urls.graph, "/messages", fixture);
    const message = (await control(h.urls.graph, `/messages/${encodeURIComponent(fixture.ewsId)}`));
    const expected = this.expected(plan, message);
    if (plan.setup.emailFile) {
      const mime = await control(h.urls.graph, `/mime?message=${encodeURIComponent(fixture.ewsId)}`);
      expected.unshift({ name: `${plan.subject}.eml`, sha256: mime.sha256, size: mime.size, eml: true });
    }
    const fault = (kind) => plan.faults.find((f) => f.kind === kind);

    let { pane, frame } = await this.openPane(fixture.ewsId);
    await this.fillSetup(pane, plan);
    const session = fault("imisSession");
    if (session) await control(h.urls.imis, "/settings", { tokenLifetimeSeconds: session.lifetimeSeconds });
    await this.signIn(pane, plan);
    await this.applyFaults(plan, message);

    // The first save.
    let first;
    const closing = fault("paneClosed");
    if (closing) {
      await this.startSave(frame, pane);
      await this.closeMidSave(frame, closing);
      await sleep(closing.slowMs + 500); // what iMIS was still doing ends before the pane is back
      ({ pane, frame } = await this.openPane(fixture.ewsId));
      await this.signIn(pane, plan);
    }
    await this.startSave(frame, pane);
    first = await this.waitForSave(frame, pane);
    await this.judge(first, plan, expected, problem, { final: false });

    // The second save, the faults cleared.
    await control(h.urls.graph, "/reset", {});
    await control(h.urls.graph, "/messages", fixture);
    await control(h.urls.imis, "/faults", []);
    await control(h.urls.imis, "/settings", IMIS_DEFAULTS);
    if (await pane.locator("#imis-sign-in").isVisible()) await this.signInAgain(pane);
    await this.tick(pane, plan); // the user's contacts, whatever the pane shows now
    await this.startSave(frame, pane);
    const second = await this.waitForSave(frame, pane);
    await this.judge(second, plan, expected, problem, { final: true });
    return problems;
  }

  fixture(plan) {
    const f = messageFixture(`AAMkSoak+${plan.seed}/msg=`, plan.subject, plan.attachments);
    f.internetMessageId = `<soak.${plan.seed}@mail.example.com>`;
    f.cc = plan.copied ? [{ name: "Sam Board", address: "sam.board@example.net" }] : [];
    f.bodyText = `Soak case ${plan.seed}.\n\nSee attached.`;
    return f;
  }

  /** What must end up stored: every file and item the pane ticks (inline images when Setup includes them). */
  expected(plan, message) {
    return message.attachments.map((a, i) => ({ ...plan.attachments[i], sha256: a.sha256, size: a.size, restId: a.restId }))
      .filter((a) => a.kind !== "reference" && (!a.isInline || plan.setup.includeInline));
  }

  async fillSetup(pane, plan) {
    const values = {
      clientId: CLIENT_ID,
      authority: `${this.h.urls.idp}/${mailbox.tenantId}/`,
      imisUrl: "",
      graphConcurrency: plan.setup.graphConcurrency,
      emailFile: plan.setup.emailFile,
      recordKind: plan.setup.recordKind,
      includeInline: plan.setup.includeInline,
    };
    await fillSetup(pane, values);
    await pane.locator("#setup").waitFor({ state: "hidden" });
  }

  /** Signs in to iMIS, waits for the contacts and ticks the case's. */
  async signIn(pane, plan) {
    await pane.locator("#imis-sign-in").waitFor({ state: "visible" });
    await pane.locator("#imis-sign-in [name=username]").fill(imisUser.username);
    await pane.locator("#imis-sign-in [name=password]").fill(imisUser.password);
    await pane.locator("#imis-sign-in-submit").click();
    await pane.locator("#contacts input[type=checkbox]").first().waitFor();
    await this.tick(pane, plan);
  }

  async tick(pane, plan) {
    await pane.locator("#contacts input[type=checkbox]").first().waitFor();
    for (const box of await pane.locator("#contacts label.contact").all()) {
      const text = await box.textContent();
      const want = plan.contacts.some((id) => text.includes(`(${id})`));
      const input = box.locator("input");
      if ((await input.isChecked()) !== want) await input.setChecked(want);
    }
    // Inline images: the pane ticks them when Setup includes them, from the next email
    // it shows on; this one was shown before Setup was filled, so the user ticks them.
    if (plan.setup.includeInline) for (const box of await pane.locator("#inline-attachments input").all()) await box.check();
    // The "already saved" lookup runs when the ticks change: let it finish.
    await pane.locator("#save:not([disabled])").waitFor();
  }

  /** The pane asked to sign in again mid-save (its session ended): as a user would. */
  async signInAgain(pane) {
    await control(this.h.urls.imis, "/settings", { tokenLifetimeSeconds: IMIS_DEFAULTS.tokenLifetimeSeconds });
    await pane.locator("#imis-sign-in [name=username]").fill(imisUser.username);
    await pane.locator("#imis-sign-in [name=password]").fill(imisUser.password);
    await pane.locator("#imis-sign-in-submit").click();
  }

  async applyFaults(plan, message) {
    const h = this.h;
    const value = (i) => `${encodeURIComponent(message.attachments[i].restId)}/$value`;
    const graph = [];
    const imis = [];
    const settings = {};
    for (const f of plan.faults) {
      switch (f.kind) {
        case "graph429":
        case "graph503":
          graph.push({ match: value(f.attachment), status: f.kind === "graph429" ? 429 : 503, times: f.times, ...(f.retryAfter && { retryAfter: f.retryAfter }) });
          break;
        case "graph429Window":
        case "graph503Window":
          graph.push({ match: f.match, status: f.kind === "graph429Window" ? 429 : 503, forMs: f.forMs, ...(f.retryAfter && { retryAfter: f.retryAfter }) });
          break;
        case "graph401":
          graph.push({ match: f.attachment == null ? "/attachments?" : value(f.attachment), status: 401, times: 1 });
          break;
        case "graph404List":
          graph.push({ match: "/attachments?", status: 404, code: "ErrorItemNotFound", times: 1 });
          break;
        case "graphCut":
          graph.push({ match: value(f.attachment), cutAfterBytes: f.cutAfterBytes, times: f.times });
          break;
        case "graph502Cap":
          graph.push({ match: value(f.attachment), status: 502, times: 5 });
          break;
        case "imis500Stored": {
          const match = { document: "POST /api/Document", folder: "POST /api/Document", record: `POST /api/${plan.setup.recordKind === "interaction" ? "CommunicationLogRecipient" : "Activity"}`, note: "PUT /api/" }[f.target];
          // The folder is the first document POST of a save; a document's comes after it.
          if (f.target === "document") imis.push({ match, exact: true, times: 1 });
          imis.push({ match, exact: f.target !== "note", status: 500, store: true, times: f.times });
          break;
        }
        case "imis500":
          if (f.target === "document") imis.push({ match: "POST /api/Document", exact: true, times: 1 });
          imis.push({ match: "POST /api/Document", exact: true, status: 500, times: f.times });
          break;
        case "imis500Record":
          imis.push({ match: `POST /api/${plan.setup.recordKind === "interaction" ? "CommunicationLogRecipient" : "Activity"}`, exact: true, status: 500, times: 1 });
          break;
        case "imis500Lookup":
          imis.push({ match: "GET /api/DocumentSummary", status: 500, times: 1 });
          break;
        case "imisSlow":
          imis.push({ match: "POST /api/Document", exact: true, delayMs: f.delayMs, times: f.times });
          break;
        case "imisSession": {
          // One request waits past the session's end: the session ends mid-save.
          const record = `POST /api/${plan.setup.recordKind === "interaction" ? "CommunicationLogRecipient" : "Activity"}`;
          const match = f.at === "record" ? record : "POST /api/Document";
          const before = f.at === "record" ? plan.contacts.length - 1 : f.at === "document" ? 1 : 0;
          if (before) imis.push({ match, exact: true, times: before });
          imis.push({ match, exact: true, delayMs: f.lifetimeSeconds * 1000 + 600, times: 1 });
          break;
        }
        case "imisTooLarge":
          Object.assign(settings, { maxRequestBytes: f.maxRequestBytes, largeBody: f.largeBody });
          break;
        case "paneClosed":
          if (f.slowMs) imis.push({ match: "POST /api/Document", exact: true, delayMs: f.slowMs, times: 2 });
          break;
        default:
          throw new Error(f.kind);
      }
    }
    if (graph.length) await control(h.urls.graph, "/faults", graph);
    if (imis.length) await control(h.urls.imis, "/faults", imis);
    if (Object.keys(settings).length) await control(h.urls.imis, "/settings", settings);
  }

  async startSave(frame, pane) {
    await frame.evaluate(() => { delete document.getElementById("summary").dataset.state; });
    await pane.locator("#save").click();
  }

  async closeMidSave(frame, f) {
    const deadline = Date.now() + 15_000;
    const reached = async () => frame.evaluate((when) => {
      const status = document.getElementById("status").textContent;
      if (when === "record") return /Email saved|saving attachments/.test(status);
      if (when === "uploading") return [...document.querySelectorAll("#attachments .state")].some((s) => s.dataset.phase === "uploading");
      return true;
    }, f.when);
    while (Date.now() < deadline && !(await reached().catch(() => true))) await sleep(25);
    await sleep(f.afterMs);
    await this.page.close();
    this.page = null;
  }

  /** Waits for the save to end: the summary, or an error; signs in again when asked. */
  async waitForSave(frame, pane) {
    const deadline = Date.now() + 80_000;
    let signIns = 0;
    for (;;) {
      const s = await frame.evaluate(() => {
        const $ = (id) => document.getElementById(id);
        return {
          done: $("summary").dataset.state === "done",
          saving: $("save").disabled && !$("email").hidden,
          error: $("error").hidden ? null : $("error").textContent,
          signIn: !$("imis-sign-in").hidden,
          graphChoice: $("graph-choice").hidden ? null : $("graph-choice-text").textContent,
          status: $("status").textContent,
        };
      });
      if (!s.saving && s.signIn && signIns < 3) {
        signIns += 1;
        await this.signInAgain(pane);
        await sleep(200);
        continue;
      }
      if (!s.saving && (s.done || s.error || s.graphChoice)) {
        const summary = s.done ? await frame.evaluate(() => ({
          lines: [...document.querySelectorAll("#summary-list li")].map((li) => ({ status: li.dataset.status, text: li.textContent })),
          notice: document.getElementById("summary-notice").textContent,
        })) : null;
        return { ...s, summary, signIns };
      }
      if (Date.now() > deadline) return { ...s, timedOut: true, signIns };
      await sleep(100);
    }
  }

  /** Reads iMIS back and classifies what went wrong after one save. */
  async judge(outcome, plan, expected, problem, { final }) {
    const which = final ? "second save" : "first save";
    const state = await this.h.imisState();
    if (process.env.SOAK_DEBUG) {
      console.log(`  ${which}: ${JSON.stringify({ done: outcome.done, error: outcome.error, graphChoice: outcome.graphChoice, signIns: outcome.signIns, status: outcome.status, summary: outcome.summary })}`);
      console.log(`  iMIS: ${state.activities.length} activities, ${state.interactions.length} interactions, documents ${JSON.stringify(state.documents.filter((d) => d.FolderPath.startsWith("$/Common/Email/")).map((d) => d.Name))}`);
    }
    if (outcome.timedOut) problem("U", `${which}: the pane did not finish (status "${outcome.status}")`);
    const failed = !outcome.done;
    if (failed && !outcome.timedOut) {
      const text = outcome.error ?? outcome.graphChoice;
      if (!clearMessage(text)) problem("U", `${which}: the pane stopped without a clear message ("${text ?? ""}")`);
      if (final) problem("L", `${which} did not finish: "${text}"`);
    }

    // Records: one per chosen contact, none for others.
    const records = [
      ...state.activities.map((a) => ({ party: String(field(a.entity, "PartyId")), key: field(a.entity, "UF_1") })),
      ...state.interactions.map((x) => ({ party: String(x.entity.Party?.PartyId), key: x.entity.MessageId })),
    ];
    const keys = this.keys;
    for (const party of plan.contacts) {
      const n = records.filter((x) => x.party === party && keys.has(x.key)).length;
      if (n > 1) problem("D", `${which}: ${n} records for contact ${party}`);
      if (n === 0 && (final || !failed)) problem("L", `${which}: no record for contact ${party}${failed ? "" : " although the pane reported the save done"}`);
    }
    const others = records.filter((x) => !plan.contacts.includes(x.party));
    if (others.length) problem("D", `${which}: records for contacts not chosen: ${others.map((x) => x.party).join(", ")}`);

    // Documents: each attachment once, byte for byte; nothing else; one folder.
    const docs = state.documents.filter((d) => d.DocumentTypeId !== "FOL");
    const folders = state.documents.filter((d) => d.DocumentTypeId === "FOL").length - FIXTURE_FOLDERS;
    if (folders > 1) problem("D", `${which}: ${folders} folders for the email`);
    const bySha = new Map();
    for (const d of docs) bySha.set(d.sha256, [...(bySha.get(d.sha256) ?? []), d]);
    const wanted = new Set(expected.map((a) => a.sha256));
    for (const [sha, list] of bySha) {
      if (!wanted.has(sha)) problem("D", `${which}: stored bytes that match no attachment: ${list.map((d) => `${d.Name} (${d.size} B)`).join(", ")}`);
    }
    const lines = outcome.summary?.lines ?? [];
    for (const a of expected) {
      const copies = bySha.get(a.sha256) ?? [];
      if (copies.length > 1) problem("D", `${which}: ${a.name} stored ${copies.length} times (${copies.map((d) => d.Name).join(", ")})`);
      if (copies.length === 1) continue;
      // Not stored: it must be reported, with a reason.
      const line = lines.find((l) => (l.status === "failed" || l.status === "leftOut") && l.text.startsWith(`${a.name}: not saved`));
      const reason = line ? line.text.slice(`${a.name}: not saved`.length).replace(/^[.\s(]+|\)$/g, "") : null;
      const tooLargeForSetup = Math.ceil(a.size / 3) * 4 > SETUP_LIMIT * 0.95; // a request Setup's limit cannot take
      if (line && !clearMessage(reason)) problem("U", `${which}: ${a.name} reported without a reason ("${line.text}")`);
      if (final && !(tooLargeForSetup && line && /too large/.test(reason ?? ""))) {
        problem("L", `${which}: ${a.name} not stored${line ? `: ${line.text}` : ""}`);
      } else if (!final && !line && !failed) {
        problem("L", `${which}: ${a.name} neither stored nor reported`);
      }
    }
    for (const l of lines) {
      if (l.status === "failed" && !clearMessage(l.text.replace(/^[^:]*: not saved\.?/, ""))) problem("U", `${which}: a failure without a reason: "${l.text}"`);
    }
  }
}
