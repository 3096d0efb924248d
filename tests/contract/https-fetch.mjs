// A fetch for runContract over node:https: { status, ok, headers (lower-case names), text() }.
// ca: extra certificates to trust INSTEAD of the system's (the local test certificate for the
// stand-in, or a site using it); without it, the system's roots, as any client.
// A connection that fails or is cut before the answer rejects, like fetch.
import { request } from "node:https";

export function httpsFetch({ ca } = {}) {
  return (url, { method = "GET", headers = {}, body, signal } = {}) => new Promise((resolve, reject) => {
    const sent = { ...headers };
    if (body !== undefined && body !== null && !Object.keys(sent).some((k) => k.toLowerCase() === "content-length")) {
      sent["Content-Length"] = Buffer.byteLength(body);
    }
    const req = request(url, { method, headers: sent, ...(ca ? { ca } : {}), signal }, (res) => {
      const chunks = [];
      res.on("data", (c) => chunks.push(c));
      res.on("end", () => {
        const text = Buffer.concat(chunks).toString("utf8");
        resolve({ status: res.statusCode, ok: res.statusCode >= 200 && res.statusCode < 300, headers: res.headers, text: async () => text });
      });
      res.on("error", reject);
    });
    req.on("error", reject);
    req.end(body ?? undefined);
  });
}
