// Static https server for the MSAL probe pages, plus build(): webpack with ./webpack.config.mjs.
// Serves index.html, auth-redirect.html, pane.html and dialog.html from this folder, the bundles from the
// bundle folder (build({ outDir }) and start({ outDir }), default .local/msal-probe-dist/); no
// Cross-Origin-Opener-Policy (MSAL 5's redirect bridge needs the popup to stay in the opener's browsing
// context group, and an Office dialog must stay reachable from the host that opened it).
// Standalone: node serve.mjs (PROBE_PORT, default 3290).
import https from 'node:https';
import { readFile } from 'node:fs/promises';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import webpack from 'webpack';
import { configFor, outDir as defaultOutDir } from './webpack.config.mjs';

const here = fileURLToPath(new URL('.', import.meta.url));
const pages = ['index.html', 'auth-redirect.html', 'pane.html', 'dialog.html'];
const bundles = ['probe.js', 'redirect.js', 'pane.js', 'dialog.js'];

export function build({ outDir = defaultOutDir } = {}) {
  return new Promise((resolve, reject) => webpack(configFor(outDir), (err, stats) => {
    if (err || stats.hasErrors()) return reject(err || new Error(stats.toString('errors-only')));
    resolve(outDir);
  }));
}

export async function start({ host = '127.0.0.1', port = 0, tls, outDir = defaultOutDir }) {
  const files = Object.fromEntries([['/', [here, 'index.html']], ...pages.map((f) => [`/${f}`, [here, f]]),
    ...bundles.map((f) => [`/${f}`, [outDir, f]])]);
  const server = https.createServer(tls, async (req, res) => {
    const f = files[new URL(req.url, 'https://x').pathname];
    if (!f) { res.writeHead(404); return res.end('not found'); }
    try {
      const body = await readFile(join(f[0], f[1]));
      res.writeHead(200, { 'content-type': f[1].endsWith('.js') ? 'text/javascript' : 'text/html; charset=utf-8', 'cache-control': 'no-store' });
      res.end(body);
    } catch { res.writeHead(500); res.end('build the probe first (build())'); }
  });
  await new Promise((resolve, reject) => { server.once('error', reject); server.listen(port, host, resolve); });
  return {
    url: `https://${host}:${server.address().port}`,
    close: () => new Promise((resolve) => { server.closeAllConnections(); server.close(() => resolve()); }),
  };
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  const certs = fileURLToPath(new URL('../../../../.local/certs/', import.meta.url));
  await build();
  const s = await start({ port: Number(process.env.PROBE_PORT || 3290),
    tls: { key: readFileSync(`${certs}key.pem`), cert: readFileSync(`${certs}cert.pem`) } });
  console.log(`MSAL probe on ${s.url}/ (register ${s.url}/auth-redirect.html with the IdP)`);
}
