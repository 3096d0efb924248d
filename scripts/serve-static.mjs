// A small https static server for dist/: the add-in's web host in the demo and tests.
// Any static host serves the add-in in production; the files need no server logic.
// With `proxy`, it is also the one-origin deployment's reverse proxy (as
// deploy/nginx does): `{prefix}/...` is passed on to `target/...`, so the pane reaches
// iMIS on its own origin and no CORS is involved.
// Every file is sent with the build's Content-Security-Policy header, dist/csp.txt
// (scripts/csp.mjs: frame-ancestors lives only there, a <meta> policy cannot carry it),
// as deploy/nginx and deploy/iis do; the iMIS answers passed on are sent as they come.
import { createServer, request } from "node:https";
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
  ".txt": "text/plain; charset=utf-8",
};

// Hop-by-hop headers a proxy does not pass on (RFC 9110 7.6.1).
const HOP = ["connection", "keep-alive", "proxy-connection", "transfer-encoding", "upgrade", "te", "trailer"];

function forward(req, res, target, path, ca) {
  const url = new URL(path, target);
  const headers = Object.fromEntries(Object.entries(req.headers).filter(([k]) => !HOP.includes(k) && k !== "host"));
  const upstream = request(url, { method: req.method, headers: { ...headers, host: url.host }, ca }, (answer) => {
    const back = Object.fromEntries(Object.entries(answer.headers).filter(([k]) => !HOP.includes(k)));
    res.writeHead(answer.statusCode, back);
    answer.pipe(res);
  });
  // iMIS cutting a large request short reaches the browser as a cut connection too.
  upstream.on("error", () => res.destroy());
  req.pipe(upstream);
}

export async function serveStatic({ host, port, tls, root, proxy }) {
  const server = createServer(tls, async (req, res) => {
    const path = decodeURIComponent(new URL(req.url, "https://x").pathname);
    if (proxy && (path === proxy.prefix || path.startsWith(`${proxy.prefix}/`))) {
      forward(req, res, proxy.target, req.url.slice(proxy.prefix.length) || "/", tls.cert);
      return;
    }
    const file = normalize(join(root, path === "/" ? "taskpane.html" : path));
    if (!file.startsWith(normalize(root) + sep) || req.method !== "GET") {
      res.writeHead(404).end();
      return;
    }
    try {
      const body = await readFile(file);
      // Read with each file, so a rebuild while serving takes effect at once.
      const csp = (await readFile(join(root, "csp.txt"), "utf8").catch(() => "")).trim();
      res.writeHead(200, {
        "Content-Type": TYPES[extname(file)] ?? "application/octet-stream",
        "Cache-Control": "no-store",
        "X-Content-Type-Options": "nosniff",
        ...(csp && { "Content-Security-Policy": csp }),
      });
      res.end(body);
    } catch {
      res.writeHead(404, { "Content-Type": "text/plain" }).end("not found");
    }
  });
  await new Promise((resolve, reject) => server.once("error", reject).listen(port, host, resolve));
  return { url: `https://${host}:${port}`, close: () => new Promise((r) => { server.close(r); server.closeAllConnections(); }) };
}
