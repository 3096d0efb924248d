// The sign-in popup lands here. MSAL 5 waits for the answer on a BroadcastChannel;
// this page must only pass it on (no MSAL client of its own).
import { broadcastResponseToMainFrame } from "@azure/msal-browser/redirect-bridge";

broadcastResponseToMainFrame();
