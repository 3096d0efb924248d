// Redirect bridge for MSAL Browser 5: hands the authorization response in this page's URL
// to the window that started the popup (or the hidden iframe's parent) and closes itself.
import { broadcastResponseToMainFrame } from '@azure/msal-browser/redirect-bridge';

broadcastResponseToMainFrame().catch((err) => {
  document.body.textContent = `Sign-in response could not be handed back: ${err.errorCode || err.message}`;
});
