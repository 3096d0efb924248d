// The pane's door to Microsoft sign-in. MSAL is most of the pane's script, and the pane
// needs it only when a save first asks for a Graph token, so www/js/msal.js (with MSAL)
// is a chunk of its own, loaded then (with its Subresource Integrity: webpack.config.js).

/** www/js/msal.js, loaded once, the first time it is needed. */
let loading = null;
const msal = () => (loading ??= import(/* webpackChunkName: "msal" */ "./msal.js"));

/**
 * The token function the Rust core calls: `(scopes, forceRefresh) => Promise<token>`.
 */
export function graphTokenSource(currentSettings) {
  let source = null;
  return async (scopes, forceRefresh) => {
    let m;
    try {
      m = await msal();
    } catch (e) {
      loading = null; // the next attempt loads it again
      throw new Error(`The Microsoft sign-in could not be loaded from the add-in's web server: ${e.message ?? e}. Check the connection and save again.`);
    }
    source ??= m.graphTokenSource(currentSettings);
    return source(scopes, forceRefresh);
  };
}

/** Forgets every Microsoft token this pane holds. MSAL's own clients exist only once it
 * is loaded; its session-storage cache may be there from an earlier pane in any case. */
export async function signOut(settings) {
  if (loading) {
    const m = await loading.catch(() => null);
    if (m) return m.signOut(settings);
  }
  forgetMsalSession(settings);
}

/** Drops MSAL's entries for this app from the pane's session storage. */
export function forgetMsalSession(settings) {
  const clientId = settings?.clientId;
  for (const key of Object.keys(sessionStorage)) {
    if (key.startsWith("msal.") || (clientId && key.includes(clientId))) sessionStorage.removeItem(key);
  }
}
