import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import sharp from 'sharp';
import { NnlensError } from '../../src/errors.ts';
import { castFloats, loadModelInput } from '../../src/io/input.ts';
import { writeNpy } from '../../src/io/npy.ts';
import { modelMetadata, PRESETS } from '../../src/io/preprocess.ts';

const dir = mkdtempSync(join(tmpdir(), 'nnlens-input-'));
after(() => rmSync(dir, { recursive: true, force: true }));
const err = (re: RegExp) => (e: unknown): boolean => e instanceof NnlensError && re.test(e.message);

test('an image for a model whose metadata says what it wants needs no flags', async () => {
  // 56x56 white square on black: a digits model (mnist preset in metadata) sees 28x28 grayscale in [0, 1].
  const px = new Uint8Array(56 * 56 * 3);
  for (let y = 14; y < 42; y++) px.fill(255, (y * 56 + 14) * 3, (y * 56 + 42) * 3);
  const f = join(dir, 'square.png');
  await sharp(px, { raw: { width: 56, height: 56, channels: 3 } }).png().toFile(f);
  const metadata = modelMetadata({ preprocess: { ...PRESETS.mnist, layout: 'NCHW' }, inputKind: 'image' });
  const input = await loadModelInput(f, { inputShape: ['N', 1, 28, 28], metadata, modelFile: 'digits.onnx' });
  assert.equal(input.kind, 'image');
  assert.deepEqual(input.shape, [1, 1, 28, 28]);
  const d = input.data as Float32Array;
  assert.equal(d[14 * 28 + 14], 1);
  assert.equal(d[0], 0);
  assert.equal(input.preprocess!.sources.scale, 'metadata');
  assert.deepEqual([input.picture!.width, input.picture!.height], [28, 28]);
  // Flags win: RGB at 28x28 does not fit a 1-channel input, and the error says so.
  await assert.rejects(loadModelInput(f, { inputShape: ['N', 1, 28, 28], metadata }, { color: 'rgb' }), err(/square\.png: gives shape \[1,3,28,28\], but the model's input 'input' takes \[N,1,28,28\]/));
  // A Keras-style NHWC uint8 input gets rounded pixel values in NHWC.
  const keras = await loadModelInput(f, { inputShape: [null, 28, 28, 1], inputDtype: 'uint8' }, { preset: 'raw', grayscale: true });
  assert.deepEqual(keras.shape, [1, 28, 28, 1]);
  assert.ok(keras.data instanceof Uint8Array && keras.data[14 * 28 + 14] === 255);
});

test('CSV rows by the feature names in the metadata; .npy as given; unknown types refused', async () => {
  const csv = join(dir, 'row.csv');
  writeFileSync(csv, 'is_fraud,hour,amount\n1,3,950.5\n');
  const metadata = modelMetadata({ preprocess: {}, featureNames: ['amount', 'hour'], inputKind: 'tabular' });
  const row = await loadModelInput(csv, { inputShape: ['N', 2], metadata });
  assert.deepEqual([row.kind, row.shape, [...(row.data as Float32Array)], row.featureNames], ['tabular', [1, 2], [950.5, 3], ['amount', 'hour']]);
  await assert.rejects(loadModelInput(csv, { inputShape: ['N', 2] }), err(/has 3 columns .*takes 2 features/));

  const npy = join(dir, 'x.npy');
  writeNpy(npy, { dtype: 'int64', shape: [1, 4], data: BigInt64Array.of(1n, 2n, 3n, 4n) });
  const arr = await loadModelInput(npy, { inputShape: ['batch', 4] });
  assert.deepEqual([arr.kind, arr.dtype, arr.shape], ['array', 'int64', [1, 4]]);
  await assert.rejects(loadModelInput(npy, { inputShape: ['batch', 5], inputName: 'ids' }), err(/x\.npy: gives shape \[1,4\], but the model's input 'ids' takes \[batch,5\]/));
  await assert.rejects(loadModelInput(join(dir, 'x.bin'), {}), err(/unknown input type '\.bin'/));
});

test('castFloats rounds and clamps for integer inputs', () => {
  assert.deepEqual([...(castFloats(Float32Array.of(-3, 0.4, 254.6, 300), 'uint8', 'f') as Uint8Array)], [0, 0, 255, 255]);
  assert.deepEqual([...(castFloats(Float32Array.of(1.6), 'int64', 'f') as BigInt64Array)], [2n]);
  assert.throws(() => castFloats(Float32Array.of(1), 'string', 'f.png'), err(/f\.png: the model input is string/));
});
