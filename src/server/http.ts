/**
 * Small HTTP helpers of the server: typed errors with a status, JSON and binary responses (gzip
 * for large JSON), and request bodies read with a hard size limit, so that no request can make
 * the server buffer more than it allows.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { gzipSync } from 'node:zlib';
import { NnlensError } from '../errors.ts';

/** An error that maps to an HTTP status; its message is the one line the client sees. */
export class HttpError extends Error {
  constructor(readonly status: number, message: string) {
    super(message);
    this.name = 'HttpError';
  }
}

/**
 * Headers every response carries: no MIME sniffing, no framing by other sites, no referrer leaks.
 * There are deliberately no CORS headers: only pages served by this server may read its API.
 */
export const BASE_HEADERS: Record<string, string> = {
  'x-content-type-options': 'nosniff',
  'x-frame-options': 'DENY',
  'referrer-policy': 'no-referrer',
  'cross-origin-resource-policy': 'same-origin',
  'cache-control': 'no-store',
};

/** JSON above this size is gzipped when the client accepts it. */
const GZIP_OVER = 16 * 1024;

/** NaN and infinities are not JSON: they are sent as null. */
function jsonNumbers(_k: string, v: unknown): unknown {
  return typeof v === 'number' && !Number.isFinite(v) ? null : v;
}

/**
 * Sends `body` as JSON (gzipped when large and accepted).
 * @example sendJson(req, res, 200, { models })
 */
export function sendJson(req: IncomingMessage, res: ServerResponse, status: number, body: unknown): void {
  const text = Buffer.from(JSON.stringify(body, jsonNumbers));
  sendBytes(req, res, status, 'application/json; charset=utf-8', text, true);
}

/** Sends bytes with a content type; `compress` allows gzip for large compressible bodies. */
export function sendBytes(req: IncomingMessage, res: ServerResponse, status: number, type: string, body: Uint8Array, compress = false, extra: Record<string, string> = {}): void {
  const headers: Record<string, string> = { ...BASE_HEADERS, 'content-type': type, ...extra };
  let out = body;
  if (compress && body.length > GZIP_OVER && /\bgzip\b/.test(String(req.headers['accept-encoding'] ?? ''))) {
    out = gzipSync(body, { level: 4 });
    headers['content-encoding'] = 'gzip';
    headers.vary = 'accept-encoding';
  }
  headers['content-length'] = String(out.length);
  res.writeHead(status, headers);
  res.end(req.method === 'HEAD' ? undefined : out);
}

/** Sends an error as `{ "error": "..." }`, mapping NnlensError to 400 and anything else to 500. */
export function sendError(req: IncomingMessage, res: ServerResponse, e: unknown): void {
  if (res.headersSent) { res.destroy(); return; }
  if (e instanceof HttpError) return sendJson(req, res, e.status, { error: e.message });
  if (e instanceof NnlensError) return sendJson(req, res, 400, { error: e.message });
  const msg = e instanceof Error ? e.message : String(e);
  sendJson(req, res, 500, { error: `internal error: ${msg.split('\n')[0]}` });
}

/**
 * Reads a request body of at most `limit` bytes. A larger declared or actual body is refused
 * with 413 before (or as soon as) it exceeds the limit, and the connection is not read further.
 */
export function readBody(req: IncomingMessage, limit: number): Promise<Buffer> {
  const declared = Number(req.headers['content-length'] ?? NaN);
  if (Number.isFinite(declared) && declared > limit) return Promise.reject(tooLarge(limit));
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    let failed = false;
    req.on('data', (c: Buffer) => {
      if (failed) return;
      size += c.length;
      if (size > limit) { failed = true; req.pause(); reject(tooLarge(limit)); return; }
      chunks.push(c);
    });
    req.on('end', () => { if (!failed) resolve(Buffer.concat(chunks)); });
    req.on('error', (e) => { if (!failed) { failed = true; reject(e); } });
  });
}

/** The 413 error for a body over `limit` bytes. */
export function tooLarge(limit: number): HttpError {
  return new HttpError(413, `request body is larger than the limit of ${formatMb(limit)}`);
}

/** Parses a JSON body, as a 400 error when it is not JSON. */
export function parseJson(body: Buffer): unknown {
  try { return JSON.parse(body.toString('utf8')); } catch { throw new HttpError(400, 'request body is not valid JSON'); }
}

/** `12 MB`, `1.5 GB`. */
export function formatMb(bytes: number): string {
  return bytes >= 2 ** 30 ? `${(bytes / 2 ** 30).toFixed(1)} GB` : `${Math.round(bytes / 2 ** 20)} MB`;
}
