// A small https static server for dist/: the add-in's web host in the demo and tests.
// Any static host serves the add-in in production; the files need no server logic.
import { createServer } from "node:https";
import { readFile } from "node:fs/promises";
import { extname, join, normalize, sep } from "node:path";

const TYPES = {
  ".html": "text/html; charset=utf-8",
  ".js": "text/javascript; charset=utf-8",
  ".css": "text/css; charset=utf-8",
  ".wasm": "application/wasm",
  ".png": "image/png",
  ".xml": "application/xml; charset=utf-8",
  ".json": "application/json",
};

export async function serveStatic({ host, port, tls, root }) {
  const server = createServer(tls, async (req, res) => {
    const path = decodeURIComponent(new URL(req.url, "https://x").pathname);
    const file = normalize(join(root, path === "/" ? "taskpane.html" : path));
    if (!file.startsWith(normalize(root) + sep) || req.method !== "GET") {
      res.writeHead(404).end();
      return;
    }
    try {
      const body = await readFile(file);
      res.writeHead(200, {
        "Content-Type": TYPES[extname(file)] ?? "application/octet-stream",
        "Cache-Control": "no-store",
        "X-Content-Type-Options": "nosniff",
      });
      res.end(body);
    } catch {
      res.writeHead(404, { "Content-Type": "text/plain" }).end("not found");
    }
  });
  await new Promise((resolve, reject) => server.once("error", reject).listen(port, host, resolve));
  return { url: `https://${host}:${port}`, close: () => new Promise((r) => server.close(r)) };
}
