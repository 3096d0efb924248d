// What the deployment knows. Two sources, both set by an administrator, never by staff:
// - values embedded at build time (scripts/build.mjs): the allowed sign-in clouds and
//   where iMIS answers on the pane's own origin;
// - `config.json` beside the pane, edited once per deployment (README: Deployment
//   settings (config.json)): `fixed` settings apply to everyone and are read-only in
//   Setup; `defaults` are starting values each user (or the organisation's settings in
//   iMIS) may change.
/* global __ADDIN_CONFIG__ */
export const config = {
  defaults: {},
  extraClouds: [],
  /** Where iMIS answers on the pane's own origin ("" when the pane is under the iMIS site). */
  imisPath: "",
  ...(typeof __ADDIN_CONFIG__ === "object" ? __ADDIN_CONFIG__ : {}),
};

const isObject = (v) => v !== null && typeof v === "object" && !Array.isArray(v);

/** Reads `config.json` beside the pane: `{fixed, defaults}` (each field a string, as
 * Setup has them). No file means no deployment values; a broken one is an error. */
export async function loadDeployment() {
  const url = new URL("config.json", location.href);
  let response;
  try {
    response = await fetch(url, { cache: "no-cache", credentials: "same-origin" });
  } catch {
    return { fixed: {}, defaults: {} };
  }
  if (response.status === 404) return { fixed: {}, defaults: {} };
  let body;
  try {
    if (!response.ok) throw new Error(`HTTP ${response.status}`);
    body = await response.json();
    if (!isObject(body)) throw new Error("it is not a JSON object");
  } catch (e) {
    const error = new Error("The deployment's config.json could not be read, so this pane uses Setup's values only. Ask your administrator to fix it (README: Deployment settings (config.json)).");
    error.details = `${url.pathname}: ${e.message}`;
    throw error;
  }
  const strings = (o) => Object.fromEntries(Object.entries(isObject(o) ? o : {}).map(([k, v]) => [k, typeof v === "string" ? v : JSON.stringify(v)]));
  return { fixed: strings(body.fixed), defaults: strings(body.defaults) };
}
