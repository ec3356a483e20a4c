/**
 * Who may talk to the server. A local server is reachable by every web page the user opens, so:
 * - DNS rebinding (a page on evil.example re-pointing its own name at 127.0.0.1, then reading the
 *   API as same-origin): every request must carry a Host header naming this server, as the
 *   Jupyter and webpack-dev-server fixes for that attack do (`allowedHosts`);
 * - cross-site requests (a page POSTing to http://127.0.0.1:PORT without reading the answer): any
 *   request whose Origin is not this server, or that the browser marks `Sec-Fetch-Site:
 *   cross-site`, is refused; and the server sends no CORS headers, so no other origin can read it.
 */
import type { IncomingMessage } from 'node:http';
import { hostname, networkInterfaces } from 'node:os';
import { HttpError } from './http.ts';

/** Addresses that mean "every interface". */
const ANY = new Set(['0.0.0.0', '::', '[::]']);

/** Wraps an IPv6 literal in brackets, as it appears in a Host header. */
function hostPart(h: string): string {
  return h.includes(':') && !h.startsWith('[') ? `[${h}]` : h;
}

/**
 * The Host header values accepted for a server bound to `host`:`port`. Loopback servers accept
 * their loopback names; a server bound to all interfaces also accepts this machine's addresses
 * and host name (never an arbitrary name, which is what a rebinding attack uses).
 * @example allowedHosts('127.0.0.1', 8080) // Set { '127.0.0.1:8080', 'localhost:8080', '[::1]:8080' }
 */
export function allowedHosts(host: string, port: number): Set<string> {
  const names = new Set<string>([hostPart(host)]);
  const loopback = host === '127.0.0.1' || host === 'localhost' || host === '::1' || ANY.has(host);
  if (loopback) for (const n of ['127.0.0.1', 'localhost', '[::1]']) names.add(n);
  if (ANY.has(host)) {
    names.add(hostname().toLowerCase());
    for (const list of Object.values(networkInterfaces())) for (const a of list ?? []) names.add(hostPart(a.address));
  }
  return new Set([...names].map((n) => `${n.toLowerCase()}:${port}`));
}

/**
 * Refuses a request that does not come from a page of this server (see the file comment);
 * `api` marks API calls, which a page of another site may not even trigger.
 * @throws HttpError 421 for a foreign Host, 403 for a foreign Origin or a cross-site fetch
 */
export function checkRequest(req: IncomingMessage, allowed: ReadonlySet<string>, api: boolean): void {
  const host = String(req.headers.host ?? '').toLowerCase();
  if (!allowed.has(host)) {
    throw new HttpError(421, `refused: Host '${host || '(none)'}' is not this server (protection against DNS rebinding); open the URL nnlens printed`);
  }
  const origin = req.headers.origin;
  if (origin !== undefined && origin !== 'null') {
    let o: string;
    try { o = new URL(origin).host.toLowerCase(); } catch { throw new HttpError(403, 'refused: malformed Origin header'); }
    if (!allowed.has(o)) throw new HttpError(403, `refused: requests from ${origin} are not allowed`);
  } else if (origin === 'null') {
    throw new HttpError(403, 'refused: requests from opaque origins (sandboxed frames, file:// pages) are not allowed');
  }
  // A link from another site may open the app (a top-level navigation), but not call the API.
  if (api && (req.headers['sec-fetch-site'] === 'cross-site' || req.headers['sec-fetch-site'] === 'same-site')) {
    throw new HttpError(403, 'refused: cross-site request');
  }
}
