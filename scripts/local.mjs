// Where the local stand-ins listen: one place for the demo, the tests and the build.
// Every port can be changed with its environment variable.
import { readFileSync } from "node:fs";

const env = process.env;
export const host = env.STANDIN_HOST ?? "127.0.0.1";
const port = (name, fallback) => Number(env[name] ?? fallback);

export const ports = {
  pane: port("PANE_PORT", 3000),
  outlook: port("OUTLOOK_PORT", 3100),
  idp: port("IDP_PORT", 3200),
  graph: port("GRAPH_PORT", 3300),
  imis: port("IMIS_PORT", 3400),
};

export const urls = Object.fromEntries(Object.entries(ports).map(([k, p]) => [k, `https://${host}:${p}`]));

const mailbox = JSON.parse(readFileSync(new URL("../tests/fixtures/mailbox.json", import.meta.url), "utf8"));

/** The demo Entra app registered at the local identity provider. */
export const demoClientId = "4b9c2d1e-7f3a-4c5b-9e8d-2a1f0c6b5d43";
export const tenantId = mailbox.tenantId;

/** Where the pane's own web host passes requests on to iMIS (as deploy/nginx does). */
export const imisPath = "/imis";

/** What a local build embeds: iMIS on the pane's own origin, the local sign-in cloud. */
export function localAddinConfig() {
  return {
    imisPath,
    extraClouds: [{ authorityHost: `${host}:${ports.idp}`, graphUrl: urls.graph }],
  };
}

/** The local deployment's config.json (dist/config.json): the demo Entra app at the
 * local identity provider, as starting values a user may change in Setup. */
export function localDeployment() {
  return {
    defaults: {
      clientId: demoClientId,
      authority: `${urls.idp}/${tenantId}/`,
    },
  };
}
