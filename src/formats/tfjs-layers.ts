/**
 * TF.js layers models (`tfjs.converters.save_keras_model`, `tensorflowjs_converter
 * --output_format tfjs_layers_model`, or `model.save()` in TF.js): `model.json` holds
 * `modelTopology` (a Keras model config, wrapped in `{keras_version, backend, model_config}` by
 * the Python converter, bare `{class_name, config}` when saved from TF.js; TF.js 0.x files have
 * no `format` key) and a `weightsManifest`: groups of weights, each group stored as the
 * concatenation of its shard files (tfjs-core `io/types.ts`, `io_utils.ts decodeWeights`).
 *
 * Shards are resolved inside the model's folder; a missing shard, or shards whose size does not
 * match what the manifest's shapes and dtypes need, is an error naming the shard. Quantized
 * weights (`quantization: {dtype: 'uint8' | 'uint16', min, scale}` or `{dtype: 'float16'}`) are
 * dequantized when read, as tfjs-core does: `value = q * scale + min`.
 *
 * TF.js graph models (`format: 'graph-model'`, or `modelTopology.node`) are not this loader's.
 */
import { statSync } from 'node:fs';
import { basename } from 'node:path';
import { NnlensError } from '../errors.ts';
import type { Model } from '../graph/ir.ts';
import { Tensor, halfToFloat, type DType, type TensorArray } from '../graph/tensor.ts';
import type { FormatContext } from './context.ts';
import { addParam, allLayers, buildKerasGraph, modelConfigOf, roleFromWeightName, type LayerEntry } from './keras-config.ts';
import { readShards } from './tfjs-weights.ts';

interface ManifestWeight { name: string; shape: number[]; dtype: string; quantization?: { dtype: string; min?: number; scale?: number } }
interface ManifestGroup { paths: string[]; weights: ManifestWeight[] }
interface ModelJson { format?: string; generatedBy?: string; convertedBy?: string; modelTopology?: Record<string, unknown>; weightsManifest?: ManifestGroup[] }

/** A `.json` whose `modelTopology` is a Keras config (not a GraphDef). */
export function match(ctx: FormatContext): boolean {
  if (ctx.ext !== '.json') return false;
  const head = new TextDecoder().decode(ctx.head);
  if (!/"(modelTopology|weightsManifest)"/.test(head) && !/"format"\s*:\s*"layers-model"/.test(head)) return false;
  let j: ModelJson;
  try {
    j = JSON.parse(ctx.text()) as ModelJson;
  } catch {
    return true; // open() reports the JSON error
  }
  if (typeof j !== 'object' || j === null) return false;
  if (j.format === 'graph-model' || (j.modelTopology && 'node' in j.modelTopology)) return false;
  const t = j.modelTopology;
  return j.format === 'layers-model' || (!!t && (isObj(t.model_config) || typeof t.class_name === 'string'));
}

const BYTES: Record<string, number> = { float32: 4, int32: 4, bool: 1, uint8: 1, uint16: 2, float16: 2 };

/** Opens a TF.js layers model.json with its shards. */
export async function open(ctx: FormatContext): Promise<Model> {
  const j = ctx.json() as ModelJson;
  const topo = j.modelTopology;
  if (!isObj(topo)) throw new NnlensError(ctx.path, 'TF.js model.json has no modelTopology');
  const mc = modelConfigOf(isObj(topo.model_config) ? topo.model_config : topo, ctx.path);
  const { graph, tree, warnings } = buildKerasGraph(mc, { domain: 'tfjs', file: ctx.path });
  const layers = new Map<string, LayerEntry>();
  for (const l of allLayers(tree)) if (l.node && !layers.has(l.name)) layers.set(l.name, l);
  let quantized = new Set<string>();
  for (const [gi, group] of (j.weightsManifest ?? []).entries()) {
    quantized = new Set([...quantized, ...readGroup(ctx, gi, group, layers, warnings)]);
  }
  const kv = (topo.keras_version as string | undefined) ?? (/keras v?([\d.]+\S*)/.exec(j.generatedBy ?? '')?.[1]);
  // Models saved by TF.js itself say `keras_version: 'tfjs-layers 4.22.0'`.
  const producer = kv ? (kv.startsWith('tfjs') ? kv : `keras ${kv}`) : j.generatedBy;
  const conv = /v?([\d.]+)\s*$/.exec(j.convertedBy ?? '')?.[1];
  const parts = [conv ? `converter ${conv}` : j.format ? undefined : 'TF.js 0.x, no format key', producer].filter(Boolean);
  const metadata: Record<string, string> = {};
  for (const k of ['format', 'generatedBy', 'convertedBy'] as const) if (typeof j[k] === 'string') metadata[k] = j[k];
  if (kv) metadata.keras_version = kv;
  if (typeof topo.backend === 'string') metadata.backend = topo.backend;
  return {
    format: 'tfjs-layers',
    formatLabel: `TF.js layers model${parts.length ? ` (${parts.join(', ')})` : ''}${quantized.size ? `, ${[...quantized].join('/')}-quantized weights` : ''}`,
    path: ctx.path,
    ...(producer ? { producer } : {}),
    metadata,
    graph,
    warnings,
  };
}

/** Lays out one weight group over its shards, checks the sizes, and attaches lazy tensors. Returns the quantization dtypes met. */
function readGroup(ctx: FormatContext, gi: number, group: ManifestGroup, layers: Map<string, LayerEntry>, warnings: string[]): Set<string> {
  if (!Array.isArray(group.paths) || !Array.isArray(group.weights)) throw new NnlensError(ctx.path, `weightsManifest group ${gi} has no paths or weights`);
  const shards = group.paths.map((p) => {
    const path = ctx.requireSibling(p, 'weight shard');
    return { path, size: statSync(path).size };
  });
  const quant = new Set<string>();
  let offset = 0;
  const placed: { w: ManifestWeight; offset: number; bytes: number }[] = [];
  for (const w of group.weights) {
    const storedType = w.quantization?.dtype ?? w.dtype;
    const per = BYTES[storedType];
    if (per === undefined) throw new NnlensError(ctx.path, `weight '${w.name}' has dtype '${storedType}', which nnlens cannot read`);
    if (w.quantization) quant.add(w.quantization.dtype);
    const bytes = w.shape.reduce((a, b) => a * b, 1) * per;
    placed.push({ w, offset, bytes });
    offset += bytes;
  }
  const have = shards.reduce((a, s) => a + s.size, 0);
  if (have !== offset) {
    const names = shards.map((s) => basename(s.path)).join(', ');
    throw new NnlensError(shards[0]?.path ?? ctx.path, `weight shards (${names}) hold ${have} bytes but the weights that model.json lists for them need ${offset} bytes: a weight's size does not match its declared shape`);
  }
  for (const { w, offset: off, bytes } of placed) {
    const entry = layerOf(w.name, layers);
    if (!entry) {
      warnings.push(`weight '${w.name}' matches no layer; it is not shown`);
      continue;
    }
    const dtype: DType = w.dtype === 'int32' ? 'int32' : w.dtype === 'bool' ? 'bool' : 'float32';
    const where = `${shards.map((s) => basename(s.path)).join('+')} @ ${off} (${w.name})`;
    const tensor = new Tensor(dtype, w.shape, { where, read: () => decode(readShards(shards, off, bytes, ctx.path), w, dtype, where) });
    addParam(entry, roleFromWeightName(w.name, entry), w.name, tensor, ctx.path);
  }
  return quant;
}

/** The layer a weight name such as `bidirectional/forward_lstm/lstm_cell_1/kernel` belongs to. */
function layerOf(name: string, layers: Map<string, LayerEntry>): LayerEntry | undefined {
  const segs = name.split('/').slice(0, -1);
  for (let i = segs.length - 1; i >= 0; i--) {
    const l = layers.get(segs[i]!);
    if (l) return l;
  }
  return undefined;
}


/** Decodes stored bytes, dequantizing as tfjs-core `io_utils.decodeWeights` does. */
function decode(bytes: Uint8Array, w: ManifestWeight, dtype: DType, where: string): TensorArray {
  const q = w.quantization;
  const copy = bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength);
  if (!q) {
    if (dtype === 'float32') return new Float32Array(copy);
    if (dtype === 'int32') return new Int32Array(copy);
    return new Uint8Array(copy);
  }
  if (q.dtype === 'float16') {
    const h = new Uint16Array(copy);
    return Float32Array.from(h, halfToFloat);
  }
  if (typeof q.min !== 'number' || typeof q.scale !== 'number') throw new NnlensError(where, `quantized weight '${w.name}' has no min/scale`);
  const raw = q.dtype === 'uint8' ? new Uint8Array(copy) : new Uint16Array(copy);
  const { min, scale } = q;
  if (dtype === 'int32') return Int32Array.from(raw, (v) => Math.round(v * scale + min));
  return Float32Array.from(raw, (v) => v * scale + min);
}

function isObj(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}
