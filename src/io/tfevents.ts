/**
 * Reads TensorBoard event files (`events.out.tfevents.*`): TFRecords (src/io/tfrecord.ts) holding
 * `Event` protobufs (src/io/tfevents-schema.ts).
 *
 * Every writer generation is understood, as TensorBoard's `data_compat.py` migrates them:
 * - TF1 / PyTorch / Lightning: scalars as `simple_value`, histograms as `histo`, images as `image`;
 * - TF2 (`.v2` files): scalars, histograms and images as `tensor` values whose plugin is named in
 *   the `metadata` of the tag's first value only (later values of the tag omit it).
 * Graphs (`graph_def`, `meta_graph_def`, run metadata, Keras model JSON) are noted, not decoded.
 */
import { readFileSync, readdirSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { asNnlensError, NnlensError } from '../errors.ts';
import { MemorySource } from './bytes.ts';
import { decode, readRange, type ByteRange, type Message } from './protobuf.ts';
import { DATA_CLASS, TF_DTYPE, TFEVENTS_SCHEMA } from './tfevents-schema.ts';
import { readRecords } from './tfrecord.ts';

/** One point of a scalar curve. */
export interface ScalarPoint { step: number; wallTime: number; value: number }
/** One histogram bucket `[left, right)` holding `count` values. */
export interface HistogramBucket { left: number; right: number; count: number }
/** A histogram at one step. */
export interface HistogramPoint { step: number; wallTime: number; buckets: HistogramBucket[] }
/** An image logged at one step (encoded PNG/JPEG bytes, read on demand). */
export interface ImageEntry {
  step: number;
  wallTime: number;
  /** 0 unless the step logged several images under one tag (TF2 `max_outputs`). */
  index: number;
  width: number;
  height: number;
  byteLength: number;
  read(): Uint8Array;
}
/** A tensor of another plugin (pr_curves, text...): its kind and shape, not its values. */
export interface TensorEntry { step: number; wallTime: number; plugin: string; dtype: number; shape: number[] }
/** A graph-like record: noted so the viewer can offer it, not decoded. */
export interface GraphEntry {
  kind: 'graph_def' | 'meta_graph_def' | 'run_metadata' | 'keras_model';
  step: number;
  tag?: string;
  byteLength: number;
}

/** Everything read from one event file (or merged from the files of one run). */
export interface EventLog {
  files: string[];
  fileVersion?: string;
  /** Number of records read. */
  records: number;
  scalars: Map<string, ScalarPoint[]>;
  histograms: Map<string, HistogramPoint[]>;
  images: Map<string, ImageEntry[]>;
  tensors: Map<string, TensorEntry[]>;
  /** Values per plugin name (`scalars`, `histograms`, `hparams`, `pr_curves`...). */
  plugins: Map<string, number>;
  graphs: GraphEntry[];
  /** Things worth telling the user (a record cut short at the end of a file being written...). */
  warnings: string[];
}

function emptyLog(): EventLog {
  return { files: [], records: 0, scalars: new Map(), histograms: new Map(), images: new Map(), tensors: new Map(), plugins: new Map(), graphs: [], warnings: [] };
}

function add<T>(m: Map<string, T[]>, key: string, v: T): void {
  const list = m.get(key);
  if (list) list.push(v); else m.set(key, [v]);
}

/**
 * Parses the bytes of one event file.
 * @example const log = parseEventFile(readFileSync(path), path); log.scalars.get('loss')?.length
 */
export function parseEventFile(bytes: Uint8Array, file: string): EventLog {
  const { records, truncatedAt } = readRecords(bytes, file);
  const log = emptyLog();
  log.files.push(file);
  log.records = records.length;
  if (truncatedAt !== undefined) log.warnings.push(`${file}: the last record (byte ${truncatedAt}) is incomplete and was skipped (still being written?)`);
  const src = new MemorySource(file, bytes);
  const tagPlugin = new Map<string, string>();
  for (const r of records) {
    let ev: Message;
    try {
      ev = decode(TFEVENTS_SCHEMA, 'Event', src, r.data.byteOffset - bytes.byteOffset, r.data.byteLength);
    } catch (e) {
      throw new NnlensError(file, `record ${r.index} (byte ${r.offset}): not a valid Event (${asNnlensError(file, e).problem})`);
    }
    try {
      addEvent(log, ev, tagPlugin);
    } catch (e) {
      throw new NnlensError(file, `record ${r.index} (byte ${r.offset}): ${asNnlensError(file, e).problem}`);
    }
  }
  return log;
}

function addEvent(log: EventLog, ev: Message, tagPlugin: Map<string, string>): void {
  const step = (ev.step as number | undefined) ?? 0;
  const wallTime = (ev.wall_time as number | undefined) ?? 0;
  if (ev.file_version !== undefined) log.fileVersion ??= ev.file_version as string;
  if (ev.graph_def) log.graphs.push({ kind: 'graph_def', step, byteLength: (ev.graph_def as ByteRange).length });
  if (ev.meta_graph_def) log.graphs.push({ kind: 'meta_graph_def', step, byteLength: (ev.meta_graph_def as ByteRange).length });
  const trm = ev.tagged_run_metadata as Message | undefined;
  if (trm) log.graphs.push({ kind: 'run_metadata', step, tag: trm.tag as string, byteLength: (trm.run_metadata as ByteRange | undefined)?.length ?? 0 });
  const summary = ev.summary as Message | undefined;
  for (const v of (summary?.value as Message[] | undefined) ?? []) addValue(log, v, step, wallTime, tagPlugin);
}

function addValue(log: EventLog, v: Message, step: number, wallTime: number, tagPlugin: Map<string, string>): void {
  const tag = (v.tag as string | undefined) ?? (v.node_name as string | undefined) ?? '';
  const meta = v.metadata as Message | undefined;
  const pluginName = (meta?.plugin_data as Message | undefined)?.plugin_name as string | undefined;
  if (pluginName) tagPlugin.set(tag, pluginName);
  // Metadata is written with a tag's first value only (TensorBoard `plugin_event_accumulator`).
  const plugin = pluginName ?? tagPlugin.get(tag);
  if (plugin) log.plugins.set(plugin, (log.plugins.get(plugin) ?? 0) + 1);
  if (v.simple_value !== undefined) {
    add(log.scalars, tag, { step, wallTime, value: v.simple_value as number });
  } else if (v.histo) {
    add(log.histograms, tag, { step, wallTime, buckets: legacyBuckets(v.histo as Message) });
  } else if (v.image) {
    const im = v.image as Message;
    const range = im.encoded_image_string as ByteRange | undefined;
    add(log.images, tag, {
      step, wallTime, index: 0, width: (im.width as number) ?? 0, height: (im.height as number) ?? 0,
      byteLength: range?.length ?? 0, read: () => (range ? readRange(range) : new Uint8Array(0)),
    });
  } else if (v.tensor) {
    addTensor(log, tag, v.tensor as Message, plugin, meta, step, wallTime);
  }
}

function addTensor(log: EventLog, tag: string, t: Message, plugin: string | undefined, meta: Message | undefined, step: number, wallTime: number): void {
  const shape = tensorShape(t);
  const dtype = (t.dtype as number | undefined) ?? 0;
  if (plugin === 'scalars' || (!plugin && meta?.data_class === DATA_CLASS.SCALAR)) {
    const values = tensorValues(t, shape);
    if (values.length !== 1) throw new Error(`scalar '${tag}' holds ${values.length} values`);
    add(log.scalars, tag, { step, wallTime, value: values[0]! });
  } else if (plugin === 'histograms') {
    // TF2 histogram tensor: shape [k, 3], rows (left edge, right edge, count).
    const values = tensorValues(t, shape);
    if (shape.length !== 2 || shape[1] !== 3) throw new Error(`histogram '${tag}' has shape [${shape.join(', ')}], expected [k, 3]`);
    const buckets: HistogramBucket[] = [];
    for (let i = 0; i < shape[0]!; i++) buckets.push({ left: values[3 * i]!, right: values[3 * i + 1]!, count: values[3 * i + 2]! });
    add(log.histograms, tag, { step, wallTime, buckets });
  } else if (plugin === 'images' && dtype === TF_DTYPE.STRING) {
    // TF2 image tensor: string vector [width, height, encoded image 1, encoded image 2, ...].
    const s = (t.string_val as ByteRange[] | undefined) ?? [];
    const dec = new TextDecoder();
    const width = Number(dec.decode(s[0] ? readRange(s[0]) : new Uint8Array(0)));
    const height = Number(dec.decode(s[1] ? readRange(s[1]) : new Uint8Array(0)));
    s.slice(2).forEach((r, index) => add(log.images, tag, { step, wallTime, index, width, height, byteLength: r.length, read: () => readRange(r) }));
  } else if (plugin === 'graph_keras_model') {
    const s = (t.string_val as ByteRange[] | undefined) ?? [];
    log.graphs.push({ kind: 'keras_model', step, tag, byteLength: s.reduce((n, r) => n + r.length, 0) });
  } else if (plugin === 'graph_run_metadata' || plugin === 'graph_run_metadata_graph') {
    const s = (t.string_val as ByteRange[] | undefined) ?? [];
    log.graphs.push({ kind: 'run_metadata', step, tag, byteLength: s.reduce((n, r) => n + r.length, 0) });
  } else {
    add(log.tensors, tag, { step, wallTime, plugin: plugin ?? '', dtype, shape });
  }
}

/**
 * Buckets of a legacy `HistogramProto`, as TensorBoard's `data_compat._migrate_histogram_value`
 * converts them: lefts are `[min, limit_0, ..., limit_{k-2}]`, rights `[limit_0, ..., limit_{k-2}, max]`.
 */
function legacyBuckets(h: Message): HistogramBucket[] {
  const limits = (h.bucket_limit as number[] | undefined) ?? [];
  const counts = (h.bucket as number[] | undefined) ?? [];
  const min = (h.min as number | undefined) ?? 0, max = (h.max as number | undefined) ?? 0;
  return counts.map((count, i) => ({ left: i === 0 ? min : limits[i - 1]!, right: i === counts.length - 1 ? max : limits[i]!, count }));
}

function tensorShape(t: Message): number[] {
  const dims = ((t.tensor_shape as Message | undefined)?.dim as Message[] | undefined) ?? [];
  return dims.map((d) => (d.size as number | undefined) ?? 0);
}

/**
 * Numeric values of a TensorFlow TensorProto (tensor_content bytes, or the typed `*_val` lists,
 * where a shorter list repeats its last value to fill the shape, as TensorFlow's `MakeNdarray` does).
 */
export function tensorValues(t: Message, shape = tensorShape(t)): number[] {
  const n = shape.reduce((a, b) => a * b, 1);
  const dtype = (t.dtype as number | undefined) ?? 0;
  const content = t.tensor_content as Uint8Array | undefined;
  if (content && content.length > 0) {
    const v = new DataView(content.buffer, content.byteOffset, content.byteLength);
    const size = ({ [TF_DTYPE.FLOAT]: 4, [TF_DTYPE.DOUBLE]: 8, [TF_DTYPE.INT32]: 4, [TF_DTYPE.INT64]: 8, [TF_DTYPE.HALF]: 2 } as Record<number, number>)[dtype];
    if (!size) throw new Error(`tensor of dtype ${dtype} is not numeric`);
    const out: number[] = [];
    for (let o = 0; o + size <= content.length; o += size) {
      if (dtype === TF_DTYPE.FLOAT) out.push(v.getFloat32(o, true));
      else if (dtype === TF_DTYPE.DOUBLE) out.push(v.getFloat64(o, true));
      else if (dtype === TF_DTYPE.INT32) out.push(v.getInt32(o, true));
      else if (dtype === TF_DTYPE.INT64) out.push(Number(v.getBigInt64(o, true)));
      else out.push(half(v.getUint16(o, true)));
    }
    return out;
  }
  const list = ((): number[] => {
    switch (dtype) {
      case TF_DTYPE.FLOAT: return (t.float_val as number[] | undefined) ?? [];
      case TF_DTYPE.DOUBLE: return (t.double_val as number[] | undefined) ?? [];
      case TF_DTYPE.INT32: case TF_DTYPE.INT16: case TF_DTYPE.INT8: case TF_DTYPE.UINT8: return (t.int_val as number[] | undefined) ?? [];
      case TF_DTYPE.INT64: return (t.int64_val as number[] | undefined) ?? [];
      case TF_DTYPE.BOOL: return ((t.bool_val as boolean[] | undefined) ?? []).map(Number);
      case TF_DTYPE.HALF: return ((t.half_val as number[] | undefined) ?? []).map(half);
    }
    throw new Error(`tensor of dtype ${dtype} is not numeric`);
  })();
  if (list.length > 0 && list.length < n) return [...list, ...new Array<number>(n - list.length).fill(list[list.length - 1]!)];
  return list;
}

function half(h: number): number {
  const s = h & 0x8000 ? -1 : 1, e = (h >> 10) & 0x1f, f = h & 0x3ff;
  if (e === 0) return s * f * 2 ** -24;
  if (e === 31) return f ? NaN : s * Infinity;
  return s * (1 + f / 1024) * 2 ** (e - 15);
}

/**
 * Reads one event file.
 * @example readEventFile('logs/train/events.out.tfevents.1707801634.host.v2').scalars.get('epoch_loss')
 */
export function readEventFile(file: string): EventLog {
  let bytes: Uint8Array;
  try { bytes = readFileSync(file); } catch (e) {
    throw new NnlensError(file, (e as NodeJS.ErrnoException).code === 'ENOENT' ? 'no such file' : `cannot read (${(e as Error).message})`);
  }
  return parseEventFile(bytes, file);
}

/** Whether a file name is a TensorBoard event file (TensorBoard's own test: the name contains `tfevents`). */
export function isEventFile(name: string): boolean {
  return name.includes('tfevents');
}

/**
 * Reads every run under a log folder: the event files of each folder form one run, named by the
 * folder's path relative to `dir` (`.` for files directly in it), like TensorBoard's run list.
 * Files of a run are merged in name order (their names start with the creation time).
 * @example for (const [run, log] of readLogDir('logs/fit')) console.log(run, [...log.scalars.keys()]);
 */
export function readLogDir(dir: string): Map<string, EventLog> {
  if (statSync(dir).isFile()) return new Map([['.', readEventFile(dir)]]);
  const runs = new Map<string, EventLog>();
  const walk = (d: string): void => {
    const names = readdirSync(d).sort();
    const files = names.filter((n) => isEventFile(n) && statSync(join(d, n)).isFile());
    if (files.length > 0) runs.set(relative(dir, d) || '.', mergeLogs(files.map((f) => readEventFile(join(d, f)))));
    for (const n of names) if (statSync(join(d, n)).isDirectory()) walk(join(d, n));
  };
  walk(dir);
  return runs;
}

/** Merges logs of one run (curves concatenated in the given order). */
export function mergeLogs(logs: EventLog[]): EventLog {
  const out = emptyLog();
  for (const l of logs) {
    out.files.push(...l.files);
    out.fileVersion ??= l.fileVersion;
    out.records += l.records;
    for (const key of ['scalars', 'histograms', 'images', 'tensors'] as const) {
      for (const [tag, pts] of l[key]) for (const p of pts) add(out[key] as Map<string, unknown[]>, tag, p);
    }
    for (const [p, n] of l.plugins) out.plugins.set(p, (out.plugins.get(p) ?? 0) + n);
    out.graphs.push(...l.graphs);
    out.warnings.push(...l.warnings);
  }
  return out;
}
