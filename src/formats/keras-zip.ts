/**
 * Keras 3 / tf.keras 2.13+ `.keras` archives: a zip holding `config.json` (the model config),
 * `metadata.json` (`keras_version`, `date_saved`) and `model.weights.h5`, whose layout is Keras 3's
 * (keras/src/saving/saving_lib.py): `layers/<name>/vars/0, 1, ...`, nested models under
 * `layers/<model>/layers/...`, sub-objects such as an RNN's `cell/vars/...`.
 *
 * `<name>` is not the layer's name but its class name in snake case, made unique per container
 * with `_1`, `_2`... in the order of `model.layers` (saving_lib `_save_container_state`), so the
 * weights of `Dense(name='output_layer')` can live under `layers/dense_2`.
 *
 * Safety: the zip's central directory is read first and the archive is refused when a member
 * name is absolute or has `..` (a path that would escape the folder when extracted), when two
 * members share a name (different zip readers would then see different files: the
 * UNSAFE-keras3-npz-pickle-evil proof of concept relies on that), or when weights are stored as
 * `.npz`/pickle (unpickling runs code; nnlens never parses pickle). Members are CRC-checked.
 */
import { inflateSync } from 'fflate';
import { NnlensError } from '../errors.ts';
import type { Model } from '../graph/ir.ts';
import { FileSource } from '../io/bytes.ts';
import type { FormatContext } from './context.ts';
import { openHdf5Bytes, type Hdf5Dataset, type Hdf5Group } from './hdf5.ts';
import { addParam, buildKerasGraph, modelConfigOf, type ModelTree } from './keras-config.ts';
import type { KerasConfig } from './keras-shapes.ts';

/** Local file header signature `PK\x03\x04` (PKWARE APPNOTE.TXT 4.3.7). */
export const ZIP_MAGIC = [0x50, 0x4b, 0x03, 0x04] as const;

/** A `.keras` file that is a zip (one that is HDF5 is matched by keras-h5.ts first). */
export function match(ctx: FormatContext): boolean {
  return ctx.ext === '.keras' && ctx.startsWith(ZIP_MAGIC);
}

/** Opens a `.keras` zip archive. */
export async function open(ctx: FormatContext): Promise<Model> {
  const src = new FileSource(ctx.path);
  try {
    const entries = readZipDirectory(src, ctx.path);
    checkMembers(entries, ctx.path);
    const byName = new Map(entries.map((e) => [e.name, e]));
    const cfgEntry = byName.get('config.json');
    if (!cfgEntry) throw new NnlensError(ctx.path, 'not a Keras archive: it has no config.json');
    const config = parseJson(readMember(src, cfgEntry, ctx.path), `${ctx.path}/config.json`);
    const metaEntry = byName.get('metadata.json');
    const meta = metaEntry ? parseJson(readMember(src, metaEntry, ctx.path), `${ctx.path}/metadata.json`) as Record<string, unknown> : {};
    const mc = modelConfigOf(config, `${ctx.path}/config.json`);
    const { graph, tree, warnings } = buildKerasGraph(mc, { domain: 'keras', file: ctx.path });
    const wEntry = byName.get('model.weights.h5');
    if (!wEntry) throw new NnlensError(ctx.path, 'the archive has no model.weights.h5');
    const wName = `${ctx.path}/model.weights.h5`;
    const h5 = await openHdf5Bytes(wName, readMember(src, wEntry, ctx.path));
    const layers = h5.root.group('layers');
    if (layers) attachKeras3Weights(tree, layers, wName, warnings);
    else warnings.push('model.weights.h5 has no layers group: the model has no weights');
    const version = typeof meta.keras_version === 'string' ? meta.keras_version : undefined;
    const metadata: Record<string, string> = {};
    for (const [k, v] of Object.entries(meta)) metadata[k] = typeof v === 'string' ? v : JSON.stringify(v);
    return {
      format: 'keras',
      formatLabel: `Keras ${version ?? '(version unknown)'} .keras archive`,
      path: ctx.path,
      ...(version ? { producer: `keras ${version}` } : {}),
      metadata,
      graph,
      warnings,
    };
  } finally {
    src.close();
  }
}

// ------------------------------------------------------------------------------------ Keras 3 weights

/** Keras's `naming.to_snake_case` (keras/src/utils/naming.py). */
export function toSnakeCase(name: string): string {
  return name.replace(/\W+/g, '').replace(/(.)([A-Z][a-z]+)/g, '$1_$2').replace(/([a-z])([A-Z])/g, '$1_$2').toLowerCase();
}

/**
 * Attaches Keras 3 `model.weights.h5` weights (`layers/<snake_name>/vars/<i>`) to the layers of
 * `tree`; datasets stay unread until used.
 */
export function attachKeras3Weights(tree: ModelTree, layersGroup: Hdf5Group, file: string, warnings: string[]): void {
  const used = new Map<string, number>();
  const byVarName = new Map<string, string>();
  for (const k of layersGroup.keys()) {
    const n = layersGroup.group(`${k}/vars`)?.attrString('name');
    if (n) byVarName.set(n, k); // Keras 3.9+ also records the layer's own name on `vars`
  }
  for (const l of tree.layers) {
    const snake = toSnakeCase(l.className);
    const count = used.get(snake);
    used.set(snake, count === undefined ? 0 : count + 1);
    const key = byVarName.get(l.name) ?? (count === undefined ? snake : `${snake}_${count + 1}`);
    const g = layersGroup.group(key);
    if (!g) {
      if (l.model || (l.node && !['InputLayer'].includes(l.className))) warnings.push(`layer '${l.name}' has no group layers/${key} in model.weights.h5`);
      continue;
    }
    if (l.model) {
      const inner = g.group('layers');
      if (inner) attachKeras3Weights(l.model, inner, file, warnings);
      continue;
    }
    for (const w of collect(l.className, l.config, g, '')) addParam(l, w.role, `${l.name}/${w.role}`, w.ds.tensor(), file);
  }
}

interface Found { role: string; ds: Hdf5Dataset }

/** The datasets of one layer object: its own `vars`, then sub-objects (cell, forward/backward layer, wrapped layer). */
function collect(className: string, cfg: KerasConfig, g: Hdf5Group, prefix: string): Found[] {
  const out: Found[] = [];
  const vars = g.group('vars');
  if (vars) {
    const roles = ownRoles(className, cfg);
    const keys = vars.keys().filter((k) => /^\d+$/.test(k)).sort((a, b) => Number(a) - Number(b));
    keys.forEach((k, i) => {
      const ds = vars.dataset(k);
      if (ds) out.push({ role: `${prefix}${roles[i] ?? `var${k}`}`, ds });
    });
  }
  const wrapped = cfg.layer as { class_name?: string; config?: KerasConfig } | undefined;
  const order = ['cell', 'forward_layer', 'backward_layer', 'layer'];
  const subs = g.keys().filter((k) => k !== 'vars').sort((a, b) => rank(order, a) - rank(order, b) || a.localeCompare(b));
  for (const s of subs) {
    const sg = g.group(s);
    if (!sg) continue;
    if (s === 'cell') out.push(...collect(`${className}Cell`, cfg, sg, prefix));
    else if ((s === 'forward_layer' || s === 'backward_layer' || s === 'layer') && wrapped?.class_name) {
      const p = s === 'layer' ? prefix : `${prefix}${s.split('_')[0]}/`;
      out.push(...collect(wrapped.class_name, wrapped.config ?? {}, sg, p));
    } else out.push(...collect('', {}, sg, `${prefix}${s}/`));
  }
  return out;
}

const rank = (order: string[], k: string): number => (order.includes(k) ? order.indexOf(k) : order.length);

/** Variable order of Keras 3 layers' `build()` (trainable first, then non-trainable: Layer.save_own_variables). */
function ownRoles(className: string, cfg: KerasConfig): string[] {
  const bias = cfg.use_bias === false ? [] : ['bias'];
  if (/^(Dense|EinsumDense|Conv[123]D|Conv[123]DTranspose|Convolution[123]D|DepthwiseConv[12]D)$/.test(className)) return ['kernel', ...bias];
  if (/^SeparableConv[12]D$/.test(className)) return ['depthwise_kernel', 'pointwise_kernel', ...bias];
  if (className === 'BatchNormalization') return [...(cfg.scale === false ? [] : ['gamma']), ...(cfg.center === false ? [] : ['beta']), 'moving_mean', 'moving_variance'];
  if (className === 'LayerNormalization') return [...(cfg.scale === false ? [] : ['gamma']), ...(cfg.center === false ? [] : ['beta'])];
  if (className === 'Embedding') return ['embeddings'];
  if (className === 'PReLU') return ['alpha'];
  if (className === 'Normalization') return ['mean', 'variance', 'count'];
  if (/^(LSTM|GRU|SimpleRNN)Cell$/.test(className)) return ['kernel', 'recurrent_kernel', ...bias];
  return [];
}

// ---------------------------------------------------------------------------------------- zip reader

/** One member of a zip's central directory. */
interface ZipEntry { name: string; method: number; crc: number; compressedSize: number; size: number; headerOffset: number }

/** Reads the central directory (APPNOTE.TXT 4.3.12-4.3.16, with the Zip64 records of 4.3.14-4.3.15). */
function readZipDirectory(src: FileSource, file: string): ZipEntry[] {
  const bad = (why: string): NnlensError => new NnlensError(file, `corrupted zip: ${why}`);
  const tailLen = Math.min(src.length, 22 + 0xffff);
  const tail = src.read(src.length - tailLen, tailLen);
  const dv = new DataView(tail.buffer, tail.byteOffset, tail.byteLength);
  let e = -1;
  for (let i = tailLen - 22; i >= 0; i--) if (dv.getUint32(i, true) === 0x06054b50) { e = i; break; }
  if (e < 0) throw bad('end of central directory not found (truncated file?)');
  let count = dv.getUint16(e + 10, true);
  let cdSize = dv.getUint32(e + 12, true);
  let cdOffset = dv.getUint32(e + 16, true);
  if ((count === 0xffff || cdOffset === 0xffffffff) && e >= 20 && dv.getUint32(e - 20, true) === 0x07064b50) {
    const z = Number(dv.getBigUint64(e - 12, true));
    const rec = src.read(z, 56);
    const zd = new DataView(rec.buffer, rec.byteOffset, 56);
    if (zd.getUint32(0, true) !== 0x06064b50) throw bad('bad Zip64 end of central directory');
    count = Number(zd.getBigUint64(32, true));
    cdSize = Number(zd.getBigUint64(40, true));
    cdOffset = Number(zd.getBigUint64(48, true));
  }
  if (cdOffset + cdSize > src.length) throw bad('central directory runs past the end of the file (truncated file?)');
  const cd = src.read(cdOffset, cdSize);
  const cv = new DataView(cd.buffer, cd.byteOffset, cd.byteLength);
  const entries: ZipEntry[] = [];
  let p = 0;
  for (let i = 0; i < count; i++) {
    if (p + 46 > cd.byteLength || cv.getUint32(p, true) !== 0x02014b50) throw bad(`central directory entry ${i} is damaged`);
    const nameLen = cv.getUint16(p + 28, true), extraLen = cv.getUint16(p + 30, true), commentLen = cv.getUint16(p + 32, true);
    const entry: ZipEntry = {
      name: new TextDecoder().decode(cd.subarray(p + 46, p + 46 + nameLen)),
      method: cv.getUint16(p + 10, true),
      crc: cv.getUint32(p + 16, true),
      compressedSize: cv.getUint32(p + 20, true),
      size: cv.getUint32(p + 24, true),
      headerOffset: cv.getUint32(p + 42, true),
    };
    // Zip64 extended information extra field (header 0x0001): 64-bit values for saturated fields.
    for (let q = p + 46 + nameLen; q + 4 <= p + 46 + nameLen + extraLen;) {
      const id = cv.getUint16(q, true), len = cv.getUint16(q + 2, true);
      if (id === 0x0001) {
        let r = q + 4;
        if (entry.size === 0xffffffff) { entry.size = Number(cv.getBigUint64(r, true)); r += 8; }
        if (entry.compressedSize === 0xffffffff) { entry.compressedSize = Number(cv.getBigUint64(r, true)); r += 8; }
        if (entry.headerOffset === 0xffffffff) entry.headerOffset = Number(cv.getBigUint64(r, true));
      }
      q += 4 + len;
    }
    entries.push(entry);
    p += 46 + nameLen + extraLen + commentLen;
  }
  return entries;
}

/** Refuses archives whose member names could mislead a reader or an extractor (see file comment). */
function checkMembers(entries: ZipEntry[], file: string): void {
  const seen = new Set<string>();
  for (const e of entries) {
    const n = e.name.replace(/\\/g, '/');
    if (n.startsWith('/') || /^[a-zA-Z]:/.test(n) || n.split('/').includes('..')) {
      throw new NnlensError(file, `zip member '${e.name}' has a path that escapes the archive's folder; refusing the file`);
    }
  }
  const pickled = entries.find((e) => /\.(npz|npy|pkl|pickle)$/i.test(e.name));
  if (pickled) {
    throw new NnlensError(file, `weights are stored as '${pickled.name}' (NumPy/pickle): refused, because unpickling can run arbitrary code; re-save the model with Keras 3 to get model.weights.h5`);
  }
  for (const e of entries) {
    if (seen.has(e.name)) throw new NnlensError(file, `zip has two members named '${e.name}' (different readers would see different files); refusing the file`);
    seen.add(e.name);
  }
}

/** Reads and checks one member (stored or deflated), verifying its CRC-32. */
function readMember(src: FileSource, e: ZipEntry, file: string): Uint8Array {
  const bad = (why: string): NnlensError => new NnlensError(file, `corrupted zip member '${e.name}': ${why}`);
  if (e.headerOffset + 30 > src.length) throw bad('local header is past the end of the file');
  const h = src.read(e.headerOffset, 30);
  const hv = new DataView(h.buffer, h.byteOffset, 30);
  if (hv.getUint32(0, true) !== 0x04034b50) throw bad('bad local header signature');
  const start = e.headerOffset + 30 + hv.getUint16(26, true) + hv.getUint16(28, true);
  if (start + e.compressedSize > src.length) throw bad('data runs past the end of the file (truncated file?)');
  if (e.size > 0x7fffffff) throw bad(`too large (${e.size} bytes)`);
  const raw = src.read(start, e.compressedSize);
  let data: Uint8Array;
  if (e.method === 0) data = raw.slice();
  else if (e.method === 8) {
    try {
      data = inflateSync(raw, { out: new Uint8Array(e.size) });
    } catch (err) {
      throw bad(`deflate data is damaged (${(err as Error).message})`);
    }
  } else throw bad(`unsupported compression method ${e.method}`);
  if (data.byteLength !== e.size) throw bad(`holds ${data.byteLength} bytes, the directory says ${e.size}`);
  if (crc32(data) !== e.crc) throw bad('CRC-32 mismatch');
  return data;
}

let CRC_TABLE: Uint32Array | undefined;

/** CRC-32 (IEEE 802.3 polynomial, reflected 0xEDB88320), as zip uses. */
export function crc32(data: Uint8Array): number {
  if (!CRC_TABLE) {
    CRC_TABLE = new Uint32Array(256);
    for (let n = 0; n < 256; n++) {
      let c = n;
      for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
      CRC_TABLE[n] = c >>> 0;
    }
  }
  let c = 0xffffffff;
  for (let i = 0; i < data.length; i++) c = CRC_TABLE[(c ^ data[i]!) & 0xff]! ^ (c >>> 8);
  return (c ^ 0xffffffff) >>> 0;
}

function parseJson(bytes: Uint8Array, name: string): unknown {
  try {
    return JSON.parse(new TextDecoder().decode(bytes));
  } catch (e) {
    throw new NnlensError(name, `corrupted JSON: ${(e as Error).message}`);
  }
}
