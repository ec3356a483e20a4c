import assert from 'node:assert/strict';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { NnlensError } from '../../src/errors.ts';
import type { Model } from '../../src/graph/ir.ts';
import { openModel } from '../../src/formats/registry.ts';
import { MLP, mlpConfig, tempDir, writeFullH5, writeKerasZip, writeWeightsH5, zipStore } from './keras-fixtures.ts';

const paramCount = (m: Model) => m.graph.nodes.reduce((a, n) => a + n.params.reduce((b, p) => b + p.tensor.size, 0), 0);
const param = (m: Model, node: string, role: string) => m.graph.nodes.find((n) => n.name === node)!.params.find((p) => p.role === role)!;

/** Asserts that opening rejects with a one-line NnlensError matching `re`. */
async function refuses(path: string, re: RegExp, options = {}): Promise<NnlensError> {
  const err = await openModel(path, options).then(() => undefined, (e: unknown) => e);
  assert.ok(err instanceof NnlensError, `expected an NnlensError, got ${String(err)}`);
  assert.match(err.message, re);
  assert.equal(err.message.includes('\n'), false, 'one line');
  return err;
}

function checkMlp(m: Model): void {
  assert.deepEqual(m.graph.nodes.map((n) => `${n.name}:${n.op}`), ['dense_1:Dense', 'dense_2:Dense']);
  assert.equal(paramCount(m), 3 * 4 + 4 + 4 * 2 + 2);
  assert.deepEqual(m.graph.values.get(m.graph.outputs[0]!)!.shape, [null, 2]);
  const k = param(m, 'dense_1', 'kernel');
  assert.equal(k.tensor.loaded, false, 'weights are not read while opening');
  assert.deepEqual([...k.tensor.float32()], [...MLP.k1]);
  assert.deepEqual([...param(m, 'dense_2', 'bias').tensor.float32()], [...MLP.b2]);
  assert.equal(k.trainable, true);
}

test('Keras HDF5 full model: generated file opens with lazy weights', async () => {
  const dir = tempDir();
  await writeFullH5(join(dir, 'mlp.h5'));
  const m = await openModel(join(dir, 'mlp.h5'));
  checkMlp(m);
  assert.equal(m.formatLabel, 'Keras 2.2.4 HDF5 full model');
  assert.equal(m.producer, 'keras 2.2.4');
  assert.equal(param(m, 'dense_1', 'kernel').name, 'dense_1/kernel:0');
});

test('Keras HDF5 under a .keras name is sniffed by its magic bytes', async () => {
  const dir = tempDir();
  await writeFullH5(join(dir, 'model.keras'));
  checkMlp(await openModel(join(dir, 'model.keras')));
});

test('architecture JSON + weights .h5: beside it, double-encoded, or given with --weights', async () => {
  const dir = tempDir();
  await writeWeightsH5(join(dir, 'mlp.h5'));
  writeFileSync(join(dir, 'mlp.json'), JSON.stringify(mlpConfig()));
  const m = await openModel(join(dir, 'mlp.json'));
  checkMlp(m);
  assert.equal(m.formatLabel, 'Keras 2.2.4 HDF5 weights + architecture JSON');
  // A folder with the pair, or the weights file itself, opens the same model.
  checkMlp(await openModel(dir));
  checkMlp(await openModel(join(dir, 'mlp.h5')));
  // json.dump(model.to_json()) double-encodes; the weights file has another name.
  writeFileSync(join(dir, 'arch.json'), JSON.stringify(JSON.stringify(mlpConfig())));
  checkMlp(await openModel(join(dir, 'arch.json'), { weights: join(dir, 'mlp.h5') }));
});

test('bad input: architecture JSON without its .h5 names the missing file', async () => {
  const dir = tempDir();
  writeFileSync(join(dir, 'lonely.json'), JSON.stringify(mlpConfig()));
  await refuses(join(dir, 'lonely.json'), /lonely\.h5: weights file is missing/);
  await refuses(join(dir, 'lonely.json'), /nope\.h5: weights file is missing/, { weights: join(dir, 'nope.h5') });
});

test('bad input: truncated HDF5 is one line naming the file', async () => {
  const dir = tempDir();
  await writeFullH5(join(dir, 'full.h5'));
  const bytes = readFileSync(join(dir, 'full.h5'));
  writeFileSync(join(dir, 'cut.h5'), bytes.subarray(0, 1500));
  const err = await refuses(join(dir, 'cut.h5'), /truncated HDF5 file: it has 1500 bytes/);
  assert.ok(err.message.startsWith(join(dir, 'cut.h5')));
});

test('bad input: a weights-only .h5 opened alone points to its architecture JSON', async () => {
  const dir = tempDir();
  await writeWeightsH5(join(dir, 'w.h5'));
  await refuses(join(dir, 'w.h5'), /weights-only Keras HDF5 file/);
});

test('bad input: a weight whose shape does not fit its layer is refused', async () => {
  const dir = tempDir();
  await writeFullH5(join(dir, 'bad.h5'), 3); // config says dense_2 has 3 units; the stored kernel is [4, 2]
  await refuses(join(dir, 'bad.h5'), /weight 'dense_2\/kernel:0' has shape \[4, 2\] but layer 'dense_2' \(Dense\) has 3 output units/);
});

test('.keras zip: Keras 3 weights found by snake-case class path, not by layer name', async () => {
  const dir = tempDir();
  const m = await openModel(await writeKerasZip(dir, 'mlp.keras'));
  assert.deepEqual(m.graph.nodes.map((n) => n.name), ['input_layer', 'hidden', 'out']);
  assert.deepEqual([...param(m, 'hidden', 'kernel').tensor.float32()], [...MLP.k1]); // stored under layers/dense
  assert.deepEqual([...param(m, 'out', 'bias').tensor.float32()], [...MLP.b2]); // stored under layers/dense_1
  assert.equal(m.formatLabel, 'Keras 3.5.0 .keras archive');
  assert.deepEqual(m.graph.values.get('out:0:0')!.shape, [null, 2]);
});

test('bad input: corrupted and truncated zips', async () => {
  const dir = tempDir();
  const good = await writeKerasZip(dir, 'good.keras');
  const bytes = readFileSync(good);
  writeFileSync(join(dir, 'cut.keras'), bytes.subarray(0, bytes.length - 40));
  await refuses(join(dir, 'cut.keras'), /corrupted zip: end of central directory not found/);
  const flipped = Uint8Array.from(bytes);
  flipped[60] = flipped[60]! ^ 0xff; // inside metadata.json's data
  writeFileSync(join(dir, 'flip.keras'), flipped);
  await refuses(join(dir, 'flip.keras'), /corrupted zip member 'metadata\.json': CRC-32 mismatch/);
});

test('bad input: zip members escaping the folder, duplicate names and pickled weights are refused', async () => {
  const dir = tempDir();
  await refuses(await writeKerasZip(dir, 'escape.keras', [['../../etc/evil.txt', 'x']]), /zip member '\.\.\/\.\.\/etc\/evil\.txt' has a path that escapes/);
  await refuses(await writeKerasZip(dir, 'abs.keras', [['/tmp/evil.txt', 'x']]), /escapes the archive's folder/);
  await refuses(await writeKerasZip(dir, 'dup.keras', [['config.json', '{}']]), /zip has two members named 'config\.json'/);
  await refuses(await writeKerasZip(dir, 'npz.keras', [['model.weights.npz', 'PK-not-really']], false), /model\.weights\.npz.*refused, because unpickling can run arbitrary code/);
  writeFileSync(join(dir, 'noconf.keras'), zipStore([['hello.txt', 'hi']]));
  await refuses(join(dir, 'noconf.keras'), /not a Keras archive: it has no config\.json/);
});

test('bad input: corrupted architecture JSON names the file', async () => {
  const dir = tempDir();
  writeFileSync(join(dir, 'broken.json'), '{"class_name": "Sequential", "config": [');
  await refuses(join(dir, 'broken.json'), /broken\.json: corrupted JSON/);
});
