// Starts every stand-in and the add-in's web host (dist/), on the ports of
// scripts/local.mjs. `node tests/standins/start.mjs` runs them until Ctrl+C (the demo);
// tests import startAll() and close them when done.
import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { host, imisPath, ports, urls } from "../../scripts/local.mjs";
import { serveStatic } from "../../scripts/serve-static.mjs";
import { BROKER_CLIENT_ID, start as startIdp } from "./idp/server.mjs";
import { start as startGraph } from "./graph/server.mjs";
import { start as startImis } from "./imis/server.mjs";
import { start as startOutlook } from "./outlook/server.mjs";

const root = fileURLToPath(new URL("../../", import.meta.url));

export async function startAll() {
  const tls = {
    key: readFileSync(`${root}.local/certs/key.pem`),
    cert: readFileSync(`${root}.local/certs/cert.pem`),
  };
  const started = [];
  try {
    const idp = await startIdp({
      host, port: ports.idp, tls, defaultResource: urls.graph,
      clients: [{
        clientId: "4b9c2d1e-7f3a-4c5b-9e8d-2a1f0c6b5d43",
        name: "Save to iMIS (demo)",
        redirectUris: [`${urls.pane}/auth-redirect.html`, `${urls.pane}/auth-dialog.html`, `brk-multihub://${host}:${ports.pane}`],
        permissions: ["Mail.Read", "Mail.Read.Shared"],
      }],
      // The simulated Outlook brokers nested app authentication for the pane.
      brokers: [{ clientId: BROKER_CLIENT_ID, name: "Outlook (simulated)", redirectUris: [`${urls.outlook}/`] }],
    });
    started.push(idp);
    started.push(await startGraph({ host, port: ports.graph, tls, jwksUrl: idp.jwksUrl, audience: urls.graph }));
    started.push(await startImis({ host, port: ports.imis, tls }));
    started.push(await startOutlook({
      host, port: ports.outlook, tls,
      paneUrl: `${urls.pane}/taskpane.html`, graphControlUrl: `${urls.graph}/_control`, idpUrl: urls.idp,
    }));
    // The pane's host is also its reverse proxy to iMIS: one origin, as deployed.
    started.push(await serveStatic({ host, port: ports.pane, tls, root: `${root}dist`, proxy: { prefix: imisPath, target: urls.imis } }));
  } catch (e) {
    await Promise.all(started.map((s) => s.close()));
    throw e;
  }
  return { urls, close: () => Promise.all(started.map((s) => s.close())) };
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const all = await startAll();
  const mailbox = JSON.parse(readFileSync(`${root}tests/fixtures/mailbox.json`, "utf8"));
  const imis = JSON.parse(readFileSync(`${root}tests/fixtures/imis.json`, "utf8"));
  console.log(`
Save to iMIS demo is running.

  Open the simulated Outlook:  ${all.urls.outlook}/
  (local certificate: start Chromium with --ignore-certificate-errors, or accept the
  warning once for each of ${Object.values(ports).join(", ")} on ${host})

  Microsoft sign-in (popup):   ${mailbox.users[0].mail} / ${mailbox.users[0].password}
  iMIS sign-in (in the pane):  ${imis.users[0].username} / ${imis.users[0].password}

  Stand-ins: sign-in ${all.urls.idp}  Graph ${all.urls.graph}  iMIS ${all.urls.imis}  add-in ${all.urls.pane}
  The pane reaches iMIS on its own origin, ${all.urls.pane}${imisPath} (passed on to the iMIS stand-in).
Press Ctrl+C to stop.`);
  const stop = () => all.close().then(() => process.exit(0));
  process.on("SIGINT", stop);
  process.on("SIGTERM", stop);
}
