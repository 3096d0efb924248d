// After webpack: Subresource Integrity for the pages' script and stylesheet tags, and
// dist/SHA256SUMS, so that what a server hosts can be checked against the build:
//
//   cd <the hosted folder> && sha256sum -c SHA256SUMS
import { createHash } from "node:crypto";
import { readdirSync, readFileSync, statSync, writeFileSync } from "node:fs";
import path from "node:path";

export const SUMS = "SHA256SUMS";

const TAG = /<(script|link)\b((?:[^>"']|"[^"]*"|'[^']*')*)>/gi;
const ATTR = /([^\s"'>/=]+)(?:\s*=\s*("[^"]*"|'[^']*'|[^\s"'=<>`]+))?/g;

function parseAttrs(text) {
  return [...text.matchAll(ATTR)].map((m) => {
    const raw = m[2];
    const value = raw === undefined ? null : /^["']/.test(raw) ? raw.slice(1, -1) : raw;
    return [m[1].toLowerCase(), value?.replaceAll("&amp;", "&") ?? null];
  });
}

const escape = (v) => v.replaceAll("&", "&amp;").replaceAll('"', "&quot;");
const serialize = (tag, attrs) =>
  `<${tag}${attrs.map(([k, v]) => (v === null ? ` ${k}` : ` ${k}="${escape(v)}"`)).join("")}>`;

/** `sha384-...` of a file's bytes, as a browser checks it. */
export const sri = (bytes) => `sha384-${createHash("sha384").update(bytes).digest("base64")}`;

/** A URL the page loads from another origin (scheme or protocol-relative). */
const external = (url) => /^([a-z][a-z0-9+.-]*:|\/\/)/i.test(url);

/**
 * Adds integrity="sha384-..." and crossorigin="anonymous" to every <script src> and
 * <link rel=stylesheet|modulepreload|preload> of each dist/*.html whose file is in dist/.
 * Files from other origins (Office.js) are left as they are and listed in `skipped`.
 */
export function addIntegrity(dist) {
  const pinned = [];
  const skipped = [];
  for (const name of readdirSync(dist).filter((n) => n.endsWith(".html"))) {
    const file = path.join(dist, name);
    const html = readFileSync(file, "utf8");
    const out = html.replace(TAG, (whole, tagName, attrText) => {
      const tag = tagName.toLowerCase();
      const attrs = parseAttrs(attrText.replace(/\/\s*$/, ""));
      const get = (k) => attrs.find(([a]) => a === k)?.[1];
      const rel = (get("rel") ?? "").toLowerCase().split(/\s+/);
      const url = tag === "script" ? get("src") : ["stylesheet", "modulepreload", "preload"].some((r) => rel.includes(r)) ? get("href") : null;
      if (!url) return whole;
      if (external(url)) {
        skipped.push(`${name}: ${url}`);
        return whole;
      }
      const target = path.resolve(dist, decodeURIComponent(url.split(/[?#]/)[0]));
      if (!target.startsWith(path.resolve(dist) + path.sep)) throw new Error(`${name}: ${url} points outside dist/`);
      const kept = attrs.filter(([k]) => k !== "integrity" && k !== "crossorigin");
      pinned.push(`${name}: ${url}`);
      return serialize(tag, [...kept, ["integrity", sri(readFileSync(target))], ["crossorigin", "anonymous"]]);
    });
    if (out !== html) writeFileSync(file, out);
  }
  return { pinned, skipped };
}

/** Every file under `dir`, as paths relative to it with "/" (sorted byte-wise, as
 * `LC_ALL=C sort` would). */
export function listFiles(dir, base = dir) {
  const all = readdirSync(dir).flatMap((n) => {
    const f = path.join(dir, n);
    return statSync(f).isDirectory() ? listFiles(f, base) : [path.relative(base, f).split(path.sep).join("/")];
  });
  return all.sort((a, b) => (Buffer.compare(Buffer.from(a), Buffer.from(b))));
}

/** Writes dist/SHA256SUMS: `<sha256 hex>  <path>` for every file but itself. */
export function writeSums(dist) {
  const lines = listFiles(dist)
    .filter((p) => p !== SUMS)
    .map((p) => `${createHash("sha256").update(readFileSync(path.join(dist, p))).digest("hex")}  ${p}`);
  writeFileSync(path.join(dist, SUMS), `${lines.join("\n")}\n`);
  return lines.length;
}
