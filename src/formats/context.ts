/**
 * What a format loader gets: the file, its first bytes for sniffing, and safe access to files
 * beside it (external data, weight shards, the weights `.h5` of an architecture `.json`).
 */
import { closeSync, existsSync, openSync, readFileSync, readSync, statSync } from 'node:fs';
import { basename, dirname, extname, isAbsolute, relative, resolve } from 'node:path';
import { NnlensError } from '../errors.ts';

/** Options a user can pass when opening a model. */
export interface OpenOptions {
  /** Weights file for an architecture-only `.json` (Keras `to_json()` output). */
  weights?: string;
}

/** The file being opened, as loaders see it. */
export class FormatContext {
  readonly folder: string;
  readonly ext: string;
  readonly size: number;
  readonly head: Uint8Array;
  private textCache: string | undefined;

  constructor(readonly path: string, readonly options: OpenOptions = {}) {
    this.folder = dirname(path);
    this.ext = extname(path).toLowerCase();
    this.size = statSync(path).size;
    this.head = readHead(path, 512);
  }

  /** The file name without folder. */
  get name(): string { return basename(this.path); }

  /** Whether the first bytes equal `magic`. */
  startsWith(magic: readonly number[]): boolean {
    return magic.every((b, i) => this.head[i] === b);
  }

  /** The whole file as UTF-8 text (cached). */
  text(): string {
    this.textCache ??= readFileSync(this.path, 'utf8');
    return this.textCache;
  }

  /** The whole file parsed as JSON; bad JSON is an NnlensError naming the file. */
  json(): unknown {
    try {
      return JSON.parse(this.text());
    } catch (e) {
      throw new NnlensError(this.path, `corrupted JSON: ${(e as Error).message}`);
    }
  }

  /**
   * Resolves `rel` against the model's folder and refuses paths that leave it
   * (absolute paths, `..` segments): model files must not make nnlens read arbitrary files.
   */
  resolveInside(rel: string, what = 'path'): string {
    return resolveInside(this.path, this.folder, rel, what);
  }

  /** Resolves a sibling file and checks it exists; a missing file is an NnlensError naming it. */
  requireSibling(rel: string, what: string): string {
    const p = this.resolveInside(rel, what);
    if (!existsSync(p)) throw new NnlensError(p, `${what} is missing (referenced by ${this.name})`);
    return p;
  }
}

/** Resolves `rel` inside `folder`, refusing anything that escapes it; `owner` names the referencing file. */
export function resolveInside(owner: string, folder: string, rel: string, what = 'path'): string {
  if (rel.includes('\0')) throw new NnlensError(owner, `${what} '${rel}' contains a NUL byte`);
  if (isAbsolute(rel) || /^[a-zA-Z]:[\\/]/.test(rel)) throw new NnlensError(owner, `${what} '${rel}' is absolute; only paths inside the model's folder are allowed`);
  const full = resolve(folder, rel);
  const r = relative(resolve(folder), full);
  if (r === '' || r.startsWith('..') || isAbsolute(r)) throw new NnlensError(owner, `${what} '${rel}' escapes the model's folder`);
  return full;
}

function readHead(path: string, n: number): Uint8Array {
  const fd = openSync(path, 'r');
  try {
    const buf = new Uint8Array(n);
    const got = readSync(fd, buf, 0, n, 0);
    return buf.subarray(0, got);
  } finally {
    closeSync(fd);
  }
}
