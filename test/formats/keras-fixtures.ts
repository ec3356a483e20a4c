/**
 * Small Keras / TF.js model files generated in a temp folder for the loader tests, so that the
 * bad-input tests do not depend on ../shared: HDF5 written with h5wasm, zips written by a tiny
 * store-only writer (which, unlike a library, can also write the malformed archives we refuse).
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { File as H5File } from 'h5wasm';
import { crc32 } from '../../src/formats/keras-zip.ts';

const made: string[] = [];

/** A fresh temp folder, removed when the test process exits. */
export function tempDir(prefix = 'nnlens-keras-'): string {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  if (made.push(dir) === 1) process.once('exit', () => { for (const d of made) rmSync(d, { recursive: true, force: true }); });
  return dir;
}

/** Writes an HDF5 file with h5wasm (node build: real files). */
export async function writeH5(path: string, build: (f: H5File) => void): Promise<void> {
  // Same tsx bypass as src/formats/hdf5.ts (tsx would spend ~5 s rewriting h5wasm's bundle).
  const h5 = ((await import(`${import.meta.resolve('h5wasm/node')}?tsx-namespace=nnlens-h5wasm`)) as typeof import('h5wasm')).default;
  await h5.ready;
  const f = new h5.File(path, 'w');
  try {
    build(f);
  } finally {
    f.close();
  }
}

/** The weights of the generated MLP: dense_1 kernel [3,4] = 0..11 / 10, bias = 1..4; dense_2 kernel [4,2] = -(0..7), bias [0.5, -0.5]. */
export const MLP = {
  k1: Float32Array.from({ length: 12 }, (_, i) => i / 10),
  b1: Float32Array.from([1, 2, 3, 4]),
  k2: Float32Array.from({ length: 8 }, (_, i) => -i),
  b2: Float32Array.from([0.5, -0.5]),
};

/** A Keras 2 Sequential config: Dense(4, input 3) -> Dense(units2). */
export function mlpConfig(units2 = 2): object {
  return {
    class_name: 'Sequential',
    config: {
      name: 'mlp',
      layers: [
        { class_name: 'Dense', config: { name: 'dense_1', units: 4, activation: 'relu', batch_input_shape: [null, 3], dtype: 'float32', trainable: true } },
        { class_name: 'Dense', config: { name: 'dense_2', units: units2, activation: 'softmax', trainable: true } },
      ],
    },
    keras_version: '2.2.4',
    backend: 'tensorflow',
  };
}

/** Writes the MLP's weights in the legacy layout (`layer_names` / `weight_names`) into group `g` (root or model_weights). */
function legacyWeights(f: H5File, prefix: string): void {
  const g = prefix ? f.create_group(prefix) : f;
  g.create_attribute('layer_names', ['dense_1', 'dense_2']);
  for (const [layer, k, b, ks] of [['dense_1', MLP.k1, MLP.b1, [3, 4]], ['dense_2', MLP.k2, MLP.b2, [4, 2]]] as const) {
    const lg = g.create_group(layer);
    lg.create_attribute('weight_names', [`${layer}/kernel:0`, `${layer}/bias:0`]);
    const inner = lg.create_group(layer);
    inner.create_dataset({ name: 'kernel:0', data: k, shape: [...ks] });
    inner.create_dataset({ name: 'bias:0', data: b, shape: [b.length] });
  }
}

/** A Keras 2 full-model HDF5 (`model_config` + `model_weights`). */
export async function writeFullH5(path: string, units2 = 2): Promise<void> {
  await writeH5(path, (f) => {
    f.create_attribute('keras_version', '2.2.4');
    f.create_attribute('backend', 'tensorflow');
    f.create_attribute('model_config', JSON.stringify(mlpConfig(units2)));
    legacyWeights(f, 'model_weights');
  });
}

/** A Keras 2 weights-only HDF5 (`save_weights`). */
export async function writeWeightsH5(path: string): Promise<void> {
  await writeH5(path, (f) => {
    f.create_attribute('keras_version', '2.2.4');
    legacyWeights(f, '');
  });
}

/** A Keras 3 `model.weights.h5` for the MLP (`layers/dense/vars/0..1`, `layers/dense_1/vars/...`). */
export async function writeKeras3WeightsH5(path: string): Promise<Uint8Array> {
  await writeH5(path, (f) => {
    const layers = f.create_group('layers');
    for (const [key, k, b, ks] of [['dense', MLP.k1, MLP.b1, [3, 4]], ['dense_1', MLP.k2, MLP.b2, [4, 2]]] as const) {
      const vars = layers.create_group(key).create_group('vars');
      vars.create_dataset({ name: '0', data: k, shape: [...ks] });
      vars.create_dataset({ name: '1', data: b, shape: [b.length] });
    }
    f.create_group('vars');
  });
  return readFileSync(path);
}

/** A Keras 3 config.json for the MLP (InputLayer + 2 Dense with custom names, Keras 3 form). */
export function keras3Config(): object {
  const dense = (name: string, units: number): object => ({ module: 'keras.layers', class_name: 'Dense', config: { name, trainable: true, dtype: { module: 'keras', class_name: 'DTypePolicy', config: { name: 'float32' } }, units, activation: 'relu', use_bias: true }, registered_name: null });
  return {
    module: 'keras', class_name: 'Sequential',
    config: { name: 'sequential', trainable: true, layers: [{ module: 'keras.layers', class_name: 'InputLayer', config: { batch_shape: [null, 3], dtype: 'float32', name: 'input_layer' } }, dense('hidden', 4), dense('out', 2)] },
  };
}

/** Store-only zip (APPNOTE.TXT 4.3): entries in order, duplicates and any names allowed. */
export function zipStore(entries: [string, Uint8Array | string][]): Uint8Array {
  const enc = new TextEncoder();
  const locals: Uint8Array[] = [];
  const centrals: Uint8Array[] = [];
  let offset = 0;
  for (const [name, content] of entries) {
    const data = typeof content === 'string' ? enc.encode(content) : content;
    const n = enc.encode(name);
    const crc = crc32(data);
    const lh = new Uint8Array(30 + n.length);
    const lv = new DataView(lh.buffer);
    lv.setUint32(0, 0x04034b50, true); lv.setUint16(4, 20, true); lv.setUint32(14, crc, true);
    lv.setUint32(18, data.length, true); lv.setUint32(22, data.length, true); lv.setUint16(26, n.length, true);
    lh.set(n, 30);
    const ch = new Uint8Array(46 + n.length);
    const cv = new DataView(ch.buffer);
    cv.setUint32(0, 0x02014b50, true); cv.setUint16(4, 20, true); cv.setUint16(6, 20, true); cv.setUint32(16, crc, true);
    cv.setUint32(20, data.length, true); cv.setUint32(24, data.length, true); cv.setUint16(28, n.length, true); cv.setUint32(42, offset, true);
    ch.set(n, 46);
    locals.push(lh, data);
    centrals.push(ch);
    offset += lh.length + data.length;
  }
  const cdSize = centrals.reduce((a, c) => a + c.length, 0);
  const eocd = new Uint8Array(22);
  const ev = new DataView(eocd.buffer);
  ev.setUint32(0, 0x06054b50, true); ev.setUint16(8, entries.length, true); ev.setUint16(10, entries.length, true);
  ev.setUint32(12, cdSize, true); ev.setUint32(16, offset, true);
  const out = new Uint8Array(offset + cdSize + 22);
  let p = 0;
  for (const part of [...locals, ...centrals, eocd]) { out.set(part, p); p += part.length; }
  return out;
}

/** Writes a `.keras` archive of the MLP; `extra` entries are appended (for the refusal tests). */
export async function writeKerasZip(dir: string, name: string, extra: [string, Uint8Array | string][] = [], weights = true): Promise<string> {
  const w = weights ? [['model.weights.h5', await writeKeras3WeightsH5(join(dir, `${name}.weights.h5`))] as [string, Uint8Array]] : [];
  const path = join(dir, name);
  writeFileSync(path, zipStore([
    ['metadata.json', JSON.stringify({ keras_version: '3.5.0', date_saved: '2025-01-01@00:00:00' })],
    ['config.json', JSON.stringify(keras3Config())],
    ...w,
    ...extra,
  ]));
  return path;
}

/** A TF.js layers model.json + one shard for the MLP; `quantize` stores dense_1/kernel as uint8 with min/scale. */
export function writeTfjs(dir: string, opts: { quantize?: boolean; shardBytesDelta?: number; shards?: string[] } = {}): string {
  const kernel = opts.quantize ? Uint8Array.from(MLP.k1, (v) => Math.round(v * 10)) : MLP.k1;
  const parts = [kernel, MLP.b1, MLP.k2, MLP.b2].map((a) => new Uint8Array(a.buffer, a.byteOffset, a.byteLength));
  let bytes: Uint8Array<ArrayBufferLike> = new Uint8Array(parts.reduce((a, p) => a + p.length, 0));
  let o = 0;
  for (const p of parts) { bytes.set(p, o); o += p.length; }
  if (opts.shardBytesDelta) bytes = opts.shardBytesDelta < 0 ? bytes.subarray(0, bytes.length + opts.shardBytesDelta) : new Uint8Array([...bytes, ...new Uint8Array(opts.shardBytesDelta)]);
  writeFileSync(join(dir, 'group1-shard1of1.bin'), bytes);
  const json = {
    format: 'layers-model', generatedBy: 'keras v2.2.4', convertedBy: 'TensorFlow.js Converter v4.0.0',
    modelTopology: { keras_version: '2.2.4', backend: 'tensorflow', model_config: mlpConfig() },
    weightsManifest: [{
      paths: opts.shards ?? ['group1-shard1of1.bin'],
      weights: [
        { name: 'dense_1/kernel', shape: [3, 4], dtype: 'float32', ...(opts.quantize ? { quantization: { dtype: 'uint8', min: 0, scale: 0.1 } } : {}) },
        { name: 'dense_1/bias', shape: [4], dtype: 'float32' },
        { name: 'dense_2/kernel', shape: [4, 2], dtype: 'float32' },
        { name: 'dense_2/bias', shape: [2], dtype: 'float32' },
      ],
    }],
  };
  const path = join(dir, 'model.json');
  writeFileSync(path, JSON.stringify(json));
  return path;
}
