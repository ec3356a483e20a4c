/**
 * The app's own static files (the Vite build in web/dist): only regular files inside that folder,
 * never a directory listing, never a path that leaves it (`..`, encoded or not, absolute paths,
 * NUL bytes, symbolic links pointing outside).
 */
import { createHash } from 'node:crypto';
import { existsSync, readFileSync, realpathSync, statSync } from 'node:fs';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { extname, join, resolve, sep } from 'node:path';
import { HttpError, sendBytes } from './http.ts';

const TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8', '.js': 'text/javascript; charset=utf-8', '.mjs': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8', '.json': 'application/json', '.svg': 'image/svg+xml', '.png': 'image/png',
  '.wasm': 'application/wasm', '.ico': 'image/x-icon', '.woff2': 'font/woff2', '.txt': 'text/plain; charset=utf-8',
};

/**
 * Content Security Policy of the app's pages: scripts, styles, workers and fetches from this
 * server only; images also from data: and blob: URLs (exports and canvases); WebAssembly allowed
 * (the playground's kernel), no eval. A page's own inline scripts (the playground is built as one
 * self-contained file) are allowed by their SHA-256 hashes, so no other inline script can run.
 * @example csp(['sha256-abc='])
 */
export function csp(scriptHashes: readonly string[] = []): string {
  return [
    "default-src 'self'", `script-src 'self' 'wasm-unsafe-eval'${scriptHashes.map((h) => ` '${h}'`).join('')}`, "style-src 'self' 'unsafe-inline'",
    "img-src 'self' data: blob:", "worker-src 'self' blob:", "connect-src 'self'", "object-src 'none'",
    "base-uri 'none'", "form-action 'none'", "frame-ancestors 'none'",
  ].join('; ');
}

/** The policy of pages without inline scripts. */
export const CSP = csp();

/**
 * SHA-256 hashes (CSP source form) of the inline scripts of an HTML page.
 * @example inlineScriptHashes('<script>alert(1)</script>') // ['sha256-bhHHL3z2vDgxUt0W3dWQOrprscmda2Y5pLsLg4GF+pI=']
 */
export function inlineScriptHashes(html: string): string[] {
  const out: string[] = [];
  for (const m of html.matchAll(/<script\b([^>]*)>([\s\S]*?)<\/script>/gi)) {
    if (/\ssrc\s*=/i.test(m[1]!)) continue;
    out.push(`sha256-${createHash('sha256').update(m[2]!, 'utf8').digest('base64')}`);
  }
  return out;
}

/**
 * Resolves a URL path to a file inside `root`, or undefined (which the caller answers with 404).
 * @example staticFile('/work/main/web/dist', '/assets/index-abc.js')
 */
export function staticFile(root: string, urlPath: string): string | undefined {
  let path: string;
  try { path = decodeURIComponent(urlPath); } catch { return undefined; }
  if (path.includes('\0') || path.includes('\\')) return undefined;
  if (path === '/' || path === '') path = '/index.html';
  if (path.split('/').some((seg) => seg === '..' || seg === '.')) return undefined;
  const base = resolve(root);
  const file = resolve(join(base, path));
  if (!file.startsWith(base + sep)) return undefined;
  if (!existsSync(file)) return undefined;
  // A symbolic link inside the folder must not lead outside it.
  let real: string;
  try { real = realpathSync(file); } catch { return undefined; }
  const realBase = realpathSync(base);
  if (!real.startsWith(realBase + sep) || !statSync(real).isFile()) return undefined;
  return real;
}

/**
 * Serves one static file of `root` (GET and HEAD only).
 * @throws HttpError 404 when there is no such file (directories included), 405 for other methods
 */
export function serveStatic(req: IncomingMessage, res: ServerResponse, root: string, urlPath: string): void {
  if (req.method !== 'GET' && req.method !== 'HEAD') throw new HttpError(405, `${req.method} is not allowed here`);
  const file = staticFile(root, urlPath);
  if (!file) {
    if (!existsSync(join(root, 'index.html'))) throw new HttpError(404, `the web app is not built (run npm run build:web); ${urlPath} not found`);
    throw new HttpError(404, `${urlPath} not found`);
  }
  const ext = extname(file).toLowerCase();
  const type = TYPES[ext] ?? 'application/octet-stream';
  // Hashed build assets never change; pages always revalidate.
  const body = readFileSync(file);
  const extra: Record<string, string> = ext === '.html' ? { 'content-security-policy': csp(inlineScriptHashes(body.toString('utf8'))) } : {};
  if (urlPath.startsWith('/assets/')) extra['cache-control'] = 'public, max-age=31536000, immutable';
  sendBytes(req, res, 200, type, body, /\.(html|js|mjs|css|json|svg|txt)$/.test(ext), extra);
}
