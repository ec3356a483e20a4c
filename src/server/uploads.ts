/**
 * Models opened from the page: each upload gets its own folder in the server's temporary folder,
 * files are streamed to disk (never buffered whole) under a total size limit, and file names are
 * plain names (no folders, no `..`), so an upload can only ever write inside its own folder.
 * Several files make one model: Keras architecture `.json` + weights `.h5`, TF.js `model.json`
 * + its weight shards.
 */
import { createWriteStream, mkdirSync, readdirSync, rmSync } from 'node:fs';
import type { IncomingMessage } from 'node:http';
import { join } from 'node:path';
import { HttpError, formatMb } from './http.ts';

/** Files one upload may hold (TF.js models come in many shards). */
export const MAX_FILES = 256;
/** Uploads in progress at once. */
export const MAX_PENDING = 16;

/** A safe plain file name: letters, digits, `.`, `_`, `-`, spaces; no leading dot. */
const SAFE_NAME = /^[A-Za-z0-9_][A-Za-z0-9._ -]{0,200}$/;

interface Upload { dir: string; bytes: number; files: Set<string>; sealed: boolean }

/** Uploads of one server. */
export class Uploads {
  private readonly items = new Map<string, Upload>();
  private counter = 0;

  /**
   * @param root folder under which each upload gets its folder
   * @param limit most bytes one upload may hold (all its files together)
   */
  constructor(private readonly root: string, readonly limit: number) {}

  /** Starts an upload and returns its id. */
  create(): string {
    const pending = [...this.items.values()].filter((u) => !u.sealed).length;
    if (pending >= MAX_PENDING) throw new HttpError(429, `too many uploads in progress (${MAX_PENDING}); finish or reload`);
    const id = `u${++this.counter}`;
    const dir = join(this.root, id);
    mkdirSync(dir, { recursive: true });
    this.items.set(id, { dir, bytes: 0, files: new Set(), sealed: false });
    return id;
  }

  /**
   * Streams a request body into file `name` of upload `id`.
   * @throws HttpError 400 for unsafe names, 404 for unknown uploads, 409 for sealed ones, 413 over the limit
   */
  async receive(id: string, name: string, req: IncomingMessage): Promise<number> {
    const u = this.upload(id);
    if (u.sealed) throw new HttpError(409, `upload ${id} is already opened`);
    if (!SAFE_NAME.test(name) || name.includes('..')) throw new HttpError(400, `file name '${name}' is not allowed (plain names only: letters, digits, . _ - and spaces)`);
    if (u.files.has(name)) throw new HttpError(409, `upload ${id} already has a file named '${name}'`);
    if (u.files.size >= MAX_FILES) throw new HttpError(413, `an upload holds at most ${MAX_FILES} files`);
    const declared = Number(req.headers['content-length'] ?? NaN);
    if (Number.isFinite(declared) && u.bytes + declared > this.limit) throw this.tooBig();
    u.files.add(name);
    const file = join(u.dir, name);
    const out = createWriteStream(file, { flags: 'wx' });
    let size = 0;
    try {
      await new Promise<void>((resolve, reject) => {
        req.on('data', (chunk: Buffer) => {
          size += chunk.length;
          if (u.bytes + size > this.limit) { req.pause(); req.unpipe(out); reject(this.tooBig()); }
        });
        req.on('error', reject);
        out.on('error', reject);
        out.on('finish', resolve);
        req.pipe(out);
      });
    } catch (e) {
      out.destroy();
      rmSync(file, { force: true });
      u.files.delete(name);
      throw e;
    }
    u.bytes += size;
    return size;
  }

  /**
   * Seals an upload and returns its folder (to open the model in it).
   * @throws HttpError 400 when it holds no file
   */
  seal(id: string): string {
    const u = this.upload(id);
    if (readdirSync(u.dir).length === 0) throw new HttpError(400, `upload ${id} holds no file`);
    u.sealed = true;
    return u.dir;
  }

  /** Forgets an upload and deletes its files (a model that failed to open). */
  discard(id: string): void {
    const u = this.items.get(id);
    if (!u) return;
    this.items.delete(id);
    rmSync(u.dir, { recursive: true, force: true });
  }

  private upload(id: string): Upload {
    const u = this.items.get(id);
    if (!u) throw new HttpError(404, `no upload '${id}'`);
    return u;
  }

  private tooBig(): HttpError {
    return new HttpError(413, `the upload is larger than the limit of ${formatMb(this.limit)} (nnlens serve --max-upload MB)`);
  }
}
