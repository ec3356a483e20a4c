/**
 * `nnlens serve`'s HTTP server (node:http): the API under /api/ (api.ts) and the built web app
 * (web/dist) for everything else, behind the request checks of security.ts. It binds 127.0.0.1
 * unless told otherwise, and keeps its temporary files (uploads, inputs) in one folder that
 * {@link NnlensServer.close} deletes.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { handleApi } from './api.ts';
import { HttpError, sendError } from './http.ts';
import { JobQueue } from './queue.ts';
import { allowedHosts, checkRequest } from './security.ts';
import { serveStatic } from './static.ts';
import { ModelStore } from './store.ts';
import { Uploads } from './uploads.ts';

/** The built web app shipped with nnlens. */
export const WEB_ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..', 'web', 'dist');

/** Options of {@link startServer}. */
export interface ServeOptions {
  /** Model files or folders to open at start. */
  models?: string[];
  /** Address to bind (default 127.0.0.1: this machine only). */
  host?: string;
  /** Port (default 0: any free port). */
  port?: number;
  /** Most bytes one model upload may hold (default 1 GiB). */
  maxUpload?: number;
  /** Folder of the built app (default web/dist). */
  webRoot?: string;
}

/** A running server. */
export interface NnlensServer {
  server: Server;
  /** `http://127.0.0.1:PORT/` */
  url: string;
  store: ModelStore;
  close(): Promise<void>;
}

/**
 * Opens the models and starts listening.
 * @throws NnlensError when a model cannot be opened (before anything listens)
 * @example const s = await startServer({ models: ['examples/digits'] }); console.log(s.url)
 */
export async function startServer(o: ServeOptions = {}): Promise<NnlensServer> {
  const host = o.host ?? '127.0.0.1';
  const tmp = mkdtempSync(join(tmpdir(), 'nnlens-serve-'));
  const store = new ModelStore(tmp);
  const uploads = new Uploads(join(tmp, 'uploads'), o.maxUpload ?? 2 ** 30);
  const queue = new JobQueue();
  const webRoot = o.webRoot ?? WEB_ROOT;
  try {
    for (const m of o.models ?? []) await store.open(m);
  } catch (e) {
    await store.dispose();
    rmSync(tmp, { recursive: true, force: true });
    throw e;
  }
  let allowed = new Set<string>();
  const server = createServer((req, res) => {
    void (async () => {
      try {
        const isApi = (req.url ?? '/').startsWith('/api/');
        checkRequest(req, allowed, isApi);
        const url = new URL(req.url ?? '/', 'http://localhost');
        if (url.pathname.startsWith('/api/')) await handleApi({ req, res, url, store, uploads, queue });
        else serveStatic(req, res, webRoot, url.pathname);
      } catch (e) {
        // A refused or oversized body is not read: close the connection after the answer.
        if (e instanceof HttpError && (e.status === 413 || e.status === 421 || e.status === 403)) res.setHeader('connection', 'close');
        if (!(e instanceof HttpError && e.status === 499)) sendError(req, res, e);
        else res.destroy();
      }
    })();
  });
  await new Promise<void>((ok, fail) => {
    server.once('error', fail);
    server.listen(o.port ?? 0, host, () => { server.off('error', fail); ok(); });
  });
  const port = (server.address() as AddressInfo).port;
  allowed = allowedHosts(host, port);
  const shown = host === '0.0.0.0' || host === '::' ? '127.0.0.1' : host.includes(':') ? `[${host}]` : host;
  return {
    server, url: `http://${shown}:${port}/`, store,
    async close() {
      await new Promise<void>((ok) => { server.close(() => ok()); server.closeAllConnections(); });
      await store.dispose();
      rmSync(tmp, { recursive: true, force: true });
    },
  };
}
