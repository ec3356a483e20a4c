/**
 * A thin, read-only wrapper over h5wasm (the HDF5 C library compiled to WebAssembly) for the Keras
 * loaders: open a file, walk groups, read attributes, and read datasets lazily.
 *
 * Two builds of h5wasm are used, each loaded on first need:
 * - `h5wasm/node` reads files on disk through Emscripten's NODERAWFS, so opening a large `.h5`
 *   reads only its structure; a dataset's bytes are read when its tensor's `data()` is called.
 * - the plain ESM build keeps files in an in-memory filesystem (MEMFS); it opens HDF5 bytes that
 *   only exist in memory, such as `model.weights.h5` inside a `.keras` zip. Under NODERAWFS a
 *   "memory" file would be written to the host disk, which is why the node build cannot do this.
 *
 * HDF5 errors are turned into one-line {@link NnlensError}s naming the file (the HDF5 library's
 * own multi-line diagnostic stack is reduced to its innermost, most specific line).
 */
import type { Dataset, File as H5File, Group as H5Group, Metadata } from 'h5wasm';
import { NnlensError } from '../errors.ts';
import { Tensor, type DType, type TensorArray } from '../graph/tensor.ts';

type H5Lib = typeof import('h5wasm').default;
type H5Ready = Awaited<H5Lib['ready']>;

let diskLib: Promise<H5Lib> | undefined;
let memLib: Promise<{ lib: H5Lib; module: H5Ready }> | undefined;
let memCounter = 0;

/**
 * Imports an h5wasm build. The dev loader tsx rewrites every dynamic `import(` in each module it
 * loads and builds a source map for it; on h5wasm's 4 MB one-line Emscripten bundle that costs
 * about 5 s per process. A `tsx-namespace` query makes tsx hand the module (and its imports) to
 * Node untouched; plain Node ignores the query.
 */
async function importH5(spec: 'h5wasm' | 'h5wasm/node'): Promise<H5Lib> {
  const url = `${import.meta.resolve(spec)}?tsx-namespace=nnlens-h5wasm`;
  return ((await import(url)) as typeof import('h5wasm')).default;
}

async function loadDiskLib(): Promise<H5Lib> {
  const lib = await importH5('h5wasm/node');
  const module = await lib.ready;
  // Throw instead of printing the HDF5 diagnostic stack to stderr (h5wasm >= 0.7.2).
  module.activate_throwing_error_handler();
  return lib;
}

async function loadMemLib(): Promise<{ lib: H5Lib; module: H5Ready }> {
  const lib = await importH5('h5wasm');
  const module = await lib.ready;
  module.activate_throwing_error_handler();
  return { lib, module };
}

/** HDF5 signature (HDF5 spec, "Format Signature"): `\x89HDF\r\n\x1a\n`. */
export const HDF5_MAGIC = [0x89, 0x48, 0x44, 0x46, 0x0d, 0x0a, 0x1a, 0x0a] as const;

/** Whether `bytes` start with the HDF5 signature. */
export function isHdf5(bytes: Uint8Array): boolean {
  return HDF5_MAGIC.every((b, i) => bytes[i] === b);
}

/**
 * Opens an HDF5 file on disk for reading. Its datasets stay on disk until read.
 * @example const f = await openHdf5('model.h5'); console.log(f.root.attrString('keras_version'))
 */
export async function openHdf5(path: string): Promise<Hdf5File> {
  diskLib ??= loadDiskLib();
  const lib = await diskLib;
  const file = guard(path, () => new lib.File(path, 'r'));
  if (file.file_id < 0n) throw new NnlensError(path, 'not a readable HDF5 file');
  return new Hdf5File(path, lib, file);
}

/**
 * Opens HDF5 bytes held in memory (a zip member); `name` is used in error messages.
 * @example const f = await openHdf5Bytes('model.keras/model.weights.h5', bytes)
 */
export async function openHdf5Bytes(name: string, bytes: Uint8Array): Promise<Hdf5File> {
  memLib ??= loadMemLib();
  const { lib, module } = await memLib;
  const fsName = `/nnlens-mem-${process.pid}-${memCounter++}.h5`;
  module.FS.writeFile(fsName, bytes);
  const file = guard(name, () => new lib.File(fsName, 'r'));
  if (file.file_id < 0n) throw new NnlensError(name, 'not a readable HDF5 file');
  return new Hdf5File(name, lib, file, () => module.FS.unlink(fsName));
}

/**
 * Closes HDF5 files nobody can read any more: every group, dataset and lazy tensor keeps its
 * {@link Hdf5File} alive, so once the model and all its tensors are garbage, the file handle (and,
 * for in-memory files, the MEMFS copy of the bytes) is released. A long-running server that opens
 * many models would otherwise keep every one of them.
 */
const collector = new FinalizationRegistry<{ file: H5File; onClose?: () => void; closed: { done: boolean } }>((h) => {
  if (h.closed.done) return;
  try {
    h.file.close();
    h.onClose?.();
  } catch {
    // Nothing to report to: the file is unreachable already.
  }
});

/** An open HDF5 file. It stays open while any of its groups, datasets or tensors is reachable. */
export class Hdf5File {
  /** The root group. */
  readonly root: Hdf5Group;
  private readonly closed = { done: false };
  constructor(readonly name: string, lib: H5Lib, private readonly file: H5File, private readonly onClose?: () => void) {
    this.root = new Hdf5Group(this, file, lib);
    collector.register(this, { file, ...(onClose ? { onClose } : {}), closed: this.closed }, this);
  }
  /** Closes the file now; tensors not yet read can no longer be read. */
  close(): void {
    if (this.closed.done) return;
    this.closed.done = true;
    collector.unregister(this);
    this.file.close();
    this.onClose?.();
  }
}

/** A group: named children (groups and datasets) and attributes. */
export class Hdf5Group {
  constructor(readonly file: Hdf5File, private readonly g: H5Group, private readonly lib: H5Lib) {}

  /** The group's path inside the file, e.g. `/model_weights/dense_1`. */
  get path(): string { return this.g.path; }

  /** Names of the children, in the file's order. */
  keys(): string[] { return guard(this.file.name, () => this.g.keys()); }

  /** A child group by (relative, `/`-separated) path, or undefined. */
  group(path: string): Hdf5Group | undefined {
    const c = this.child(path);
    return c instanceof this.lib.Group ? new Hdf5Group(this.file, c, this.lib) : undefined;
  }

  /** A child dataset by (relative) path, or undefined. */
  dataset(path: string): Hdf5Dataset | undefined {
    const c = this.child(path);
    return c instanceof this.lib.Dataset ? new Hdf5Dataset(this.file, c) : undefined;
  }

  /** Names of the attributes. */
  attrNames(): string[] { return guard(this.file.name, () => Object.keys(this.g.attrs)); }

  /** An attribute's value as h5wasm decodes it (string, string[], typed array, number...), or undefined. */
  attr(name: string): unknown {
    return guard(this.file.name, () => {
      const a = this.g.attrs[name];
      return a === undefined ? undefined : a.value;
    });
  }

  /** A string attribute (bytes or variable-length), or undefined when absent or not a string. */
  attrString(name: string): string | undefined {
    const v = this.attr(name);
    if (typeof v === 'string') return v;
    if (Array.isArray(v) && v.length === 1 && typeof v[0] === 'string') return v[0];
    if (v instanceof Uint8Array) return new TextDecoder().decode(v);
    return undefined;
  }

  /** A list-of-strings attribute such as Keras's `layer_names`; an empty or absent attribute gives []. */
  attrStrings(name: string): string[] {
    const v = this.attr(name);
    if (typeof v === 'string') return [v];
    if (Array.isArray(v)) return v.map((x) => String(x));
    return [];
  }

  private child(path: string): unknown {
    // HDF5 treats repeated separators as one (Keras writes names such as `res_net//conv2d_1/kernel:0`).
    const clean = path.split('/').filter((s) => s !== '').join('/');
    if (!clean) return this.g;
    return guard(this.file.name, () => {
      try {
        return this.g.get(clean);
      } catch {
        return null; // a missing link in the middle of the path
      }
    });
  }
}

/** A dataset: shape and dtype known at once, values read on demand. */
export class Hdf5Dataset {
  readonly shape: number[];
  readonly dtype: DType;
  private readonly fileName: string;
  /** The file is referenced so that it stays open while this dataset (or its tensor) is reachable. */
  constructor(private readonly file: Hdf5File, private readonly ds: Dataset) {
    const fileName = (this.fileName = file.name);
    const md = guard(fileName, () => ds.metadata);
    this.shape = md.shape ?? [];
    this.dtype = dtypeOf(md, fileName, ds.path);
  }

  /** The dataset's path inside the file. */
  get path(): string { return this.ds.path; }

  /** Reads all values (a copy out of the WebAssembly heap). */
  read(): TensorArray {
    const v = guard(this.fileName, () => this.ds.value);
    const n = this.shape.reduce((a, b) => a * b, 1);
    let out: TensorArray;
    if (typeof v === 'number') out = this.dtype === 'float64' ? Float64Array.of(v) : Float32Array.of(v);
    else if (typeof v === 'bigint') out = BigInt64Array.of(v);
    else if (ArrayBuffer.isView(v) && !(v instanceof DataView) && !(v instanceof Uint8ClampedArray)) out = v as Exclude<TensorArray, string[]>;
    else throw new NnlensError(this.fileName, `dataset ${this.ds.path} does not hold numbers`);
    if (out.length !== n) {
      throw new NnlensError(this.fileName, `dataset ${this.ds.path} holds ${out.length} values but its shape [${this.shape.join(', ')}] needs ${n}`);
    }
    return out;
  }

  /** A lazy tensor over this dataset; `where` names it in error messages. */
  tensor(): Tensor {
    return new Tensor(this.dtype, this.shape, { where: `${this.fileName}:${this.ds.path}`, read: () => this.read() });
  }
}

function dtypeOf(md: Metadata, file: string, path: string): DType {
  const { type, size, signed } = md;
  if (type === 0) {
    const bits = size * 8;
    if (![8, 16, 32, 64].includes(bits)) throw new NnlensError(file, `dataset ${path}: ${bits}-bit integers are not supported`);
    return `${signed ? 'int' : 'uint'}${bits}` as DType;
  }
  if (type === 1) {
    if (size === 4) return 'float32';
    if (size === 8) return 'float64';
    throw new NnlensError(file, `dataset ${path}: ${size * 8}-bit floats are not supported (h5wasm reads float32 and float64 only)`);
  }
  throw new NnlensError(file, `dataset ${path} is not numeric (HDF5 type class ${type})`);
}

/** Runs an h5wasm call, turning HDF5 errors into one-line NnlensErrors about `file`. */
function guard<T>(file: string, fn: () => T): T {
  try {
    return fn();
  } catch (e) {
    if (e instanceof NnlensError) throw e;
    throw new NnlensError(file, hdf5Problem(e));
  }
}

/**
 * Reduces HDF5's diagnostic stack (`#000: ... in H5Fopen(): unable to open file` ... `#006: ...
 * in H5F__super_read(): truncated file: eof = 3000, ...`) to one line: the innermost frame says
 * what is actually wrong, the outer frames only say which API call failed.
 */
export function hdf5Problem(e: unknown): string {
  const text = e instanceof Error ? e.message : String(e);
  const frames = [...text.matchAll(/#\d+: .*? in [\w.]+\(\): (.*)$/gm)].map((m) => m[1]!.trim());
  const inner = frames.at(-1);
  if (!inner) return `corrupted HDF5 (${text.split('\n')[0]})`;
  const trunc = /truncated file: eof = (\d+).*stored_eof = (\d+)/.exec(inner);
  if (trunc) return `truncated HDF5 file: it has ${trunc[1]} bytes but its superblock says ${trunc[2]}`;
  return `corrupted HDF5 (${inner})`;
}
