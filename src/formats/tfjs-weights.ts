/**
 * TF.js weight manifests (tfjs-core `io/types.ts` WeightsManifestConfig): groups of weights, each
 * group stored as the concatenation of its shard files, weights laid out one after another in
 * manifest order. Values are read lazily from the shards when a tensor's `data()` is called.
 *
 * Shards are resolved inside the model's folder; a missing shard, or shards whose size does not
 * match what the manifest's shapes and dtypes need, is an error naming the shard. Quantized
 * weights (`quantization: {dtype: 'uint8' | 'uint16', min, scale}` or `{dtype: 'float16'}`) are
 * dequantized when read, as tfjs-core `io_utils.decodeWeights` does: `value = q * scale + min`.
 */
import { closeSync, openSync, readSync, statSync } from 'node:fs';
import { basename } from 'node:path';
import { NnlensError } from '../errors.ts';
import { Tensor, halfToFloat, type DType, type TensorArray } from '../graph/tensor.ts';
import type { FormatContext } from './context.ts';

/** One weight of a manifest group. */
export interface ManifestWeight {
  name: string;
  shape: number[];
  dtype: string;
  quantization?: { dtype: string; min?: number; scale?: number };
}

/** A manifest group: shard paths and the weights stored across them. */
export interface ManifestGroup {
  paths: string[];
  weights: ManifestWeight[];
}

/** The weights of a manifest, by name, and the quantization dtypes met. */
export interface ManifestWeights {
  tensors: Map<string, Tensor>;
  quantized: Set<string>;
}

interface Shard { path: string; size: number }

/** Bytes per stored element; strings have no fixed size (see {@link stringBytes}). */
const BYTES: Record<string, number> = { float32: 4, int32: 4, bool: 1, uint8: 1, uint16: 2, float16: 2, string: 0 };

/**
 * Lays out every weight of `manifest` over its shards and returns lazy tensors.
 * @example const { tensors } = readManifest(ctx, json.weightsManifest); tensors.get('conv/kernel')?.float32()
 */
export function readManifest(ctx: FormatContext, manifest: unknown): ManifestWeights {
  if (manifest !== undefined && !Array.isArray(manifest)) throw new NnlensError(ctx.path, 'weightsManifest is not a list of weight groups');
  const out: ManifestWeights = { tensors: new Map(), quantized: new Set() };
  ((manifest ?? []) as ManifestGroup[]).forEach((group, gi) => readGroup(ctx, gi, group, out));
  return out;
}

function readGroup(ctx: FormatContext, gi: number, group: ManifestGroup, out: ManifestWeights): void {
  if (!Array.isArray(group?.paths) || !Array.isArray(group.weights)) throw new NnlensError(ctx.path, `weightsManifest group ${gi} has no paths or weights`);
  const shards: Shard[] = group.paths.map((p) => {
    const path = ctx.requireSibling(p, 'weight shard');
    return { path, size: statSync(path).size };
  });
  const names = shards.map((s) => basename(s.path)).join('+');
  let offset = 0;
  const placed: { w: ManifestWeight; offset: number; bytes: number }[] = [];
  for (const w of group.weights) {
    const stored = w.quantization?.dtype ?? w.dtype;
    const per = BYTES[stored];
    if (per === undefined || !Array.isArray(w.shape)) throw new NnlensError(ctx.path, `weight '${w.name}' has dtype '${stored}', which nnlens cannot read`);
    if (w.quantization) out.quantized.add(w.quantization.dtype);
    const count = w.shape.reduce((a, b) => a * b, 1);
    const bytes = stored === 'string' ? stringBytes(shards, offset, count, ctx.path) : count * per;
    placed.push({ w, offset, bytes });
    offset += bytes;
  }
  const have = shards.reduce((a, s) => a + s.size, 0);
  if (have !== offset) {
    throw new NnlensError(shards[0]?.path ?? ctx.path, `weight shards (${names}) hold ${have} bytes but the weights that ${ctx.name} lists for them need ${offset} bytes: a weight's size does not match its declared shape`);
  }
  for (const { w, offset: off, bytes } of placed) {
    const dtype = dtypeOf(w.dtype);
    const where = `${names} @ ${off} (${w.name})`;
    out.tensors.set(w.name, new Tensor(dtype, w.shape, { where, read: () => decode(readShards(shards, off, bytes, ctx.path), w, dtype, where) }));
  }
}

function dtypeOf(d: string): DType {
  return d === 'int32' || d === 'bool' || d === 'string' ? d : 'float32';
}

/** Byte length of `count` strings at `offset`: each is a uint32 little-endian length, then its bytes. */
function stringBytes(shards: Shard[], offset: number, count: number, file: string): number {
  let at = offset;
  for (let i = 0; i < count; i++) {
    const len = new DataView(readShards(shards, at, 4, file).buffer).getUint32(0, true);
    at += 4 + len;
  }
  return at - offset;
}

/** Reads `length` bytes at `offset` of the concatenation of the shard files (TF.js shards are one byte stream cut into files). */
export function readShards(shards: readonly { path: string; size: number }[], offset: number, length: number, file: string): Uint8Array {
  const out = new Uint8Array(length);
  let start = 0, done = 0;
  for (const s of shards) {
    const end = start + s.size;
    if (done < length && offset + done < end) {
      const from = offset + done - start;
      const n = Math.min(s.size - from, length - done);
      const fd = openSync(s.path, 'r');
      try {
        const got = readSync(fd, out, done, n, from);
        if (got !== n) throw new NnlensError(s.path, `weight shard ended early (read ${got} of ${n} bytes at ${from})`);
      } finally {
        closeSync(fd);
      }
      done += n;
    }
    start = end;
  }
  if (done !== length) throw new NnlensError(file, 'weight data runs past the end of its shards');
  return out;
}

/** Decodes stored bytes, dequantizing as tfjs-core `io_utils.decodeWeights` does. */
function decode(bytes: Uint8Array, w: ManifestWeight, dtype: DType, where: string): TensorArray {
  const q = w.quantization;
  const copy = bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength);
  if (dtype === 'string') {
    const view = new DataView(copy), utf8 = new TextDecoder();
    const strs: string[] = [];
    for (let at = 0; at < copy.byteLength;) {
      const len = view.getUint32(at, true);
      strs.push(utf8.decode(new Uint8Array(copy, at + 4, len)));
      at += 4 + len;
    }
    return strs;
  }
  if (!q) {
    if (dtype === 'float32') return new Float32Array(copy);
    if (dtype === 'int32') return new Int32Array(copy);
    return new Uint8Array(copy);
  }
  if (q.dtype === 'float16') return Float32Array.from(new Uint16Array(copy), halfToFloat);
  if (typeof q.min !== 'number' || typeof q.scale !== 'number') throw new NnlensError(where, `quantized weight '${w.name}' has no min/scale`);
  const raw = q.dtype === 'uint8' ? new Uint8Array(copy) : new Uint16Array(copy);
  const { min, scale } = q;
  if (dtype === 'int32') return Int32Array.from(raw, (v) => Math.round(v * scale + min));
  return Float32Array.from(raw, (v) => v * scale + min);
}
