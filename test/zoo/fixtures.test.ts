// The zoo's reference files agree with its models: ONNX Runtime running model.onnx on input.npy gives
// PyTorch's logits.npy, and zoo.json's target is their argmax. This guards the fixtures themselves
// (a stale or mixed-up regeneration), so that a failing engine test points at the engine.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import * as ort from 'onnxruntime-node';
import { readNpy } from '../../src/io/npy.ts';
import { BIG_ZOO, SMALL_ZOO, ZOO_FULL, needsZoo, zooEntry } from '../helpers/zoo.ts';

/** ||a - b|| / ||b||, the error measure of issue 3 ("relative L2 error"). */
function relL2(a: ArrayLike<number>, b: ArrayLike<number>): number {
  let num = 0, den = 0;
  for (let i = 0; i < b.length; i++) { num += (a[i]! - b[i]!) ** 2; den += b[i]! ** 2; }
  return Math.sqrt(num / den);
}

async function checkModel(name: string): Promise<void> {
  const e = zooEntry(name);
  const x = readNpy(e.input);
  assert.deepEqual(x.shape, e.input_shape);
  const ref = readNpy(e.logits);
  const session = await ort.InferenceSession.create(e.model, { intraOpNumThreads: 2 });
  try {
    assert.deepEqual(session.inputNames, ['input']);
    assert.deepEqual(session.outputNames, ['logits']);
    const out = await session.run({ input: new ort.Tensor('float32', x.data as Float32Array, x.shape) });
    const logits = out.logits!;
    assert.deepEqual([...logits.dims], ref.shape);
    const got = logits.data as Float32Array;
    const err = relL2(got, ref.data as Float32Array);
    assert.ok(err < 1e-4, `${name}: ONNX Runtime vs PyTorch logits, relative L2 error ${err.toExponential(2)}`);
    let best = 0;
    for (let i = 1; i < ref.data.length; i++) if (ref.data[i]! > ref.data[best]!) best = i;
    assert.equal(best, e.target, `${name}: zoo.json target is the argmax of logits.npy`);
    for (const v of Object.values(out)) v.dispose();
  } finally {
    await session.release();
  }
  const gi = readNpy(e.gradInput);
  assert.deepEqual(gi.shape, e.input_shape);
  assert.ok(gi.data.some((v) => v !== 0), `${name}: grad_input.npy is not all zeros`);
  if (e.act && e.gradAct) {
    const act = readNpy(e.act), ga = readNpy(e.gradAct);
    assert.deepEqual(act.shape, ga.shape);
    assert.equal(act.shape[0], 1);
  }
}

for (const name of SMALL_ZOO) {
  test(`committed fixture ${name}: ONNX Runtime reproduces PyTorch's logits`, () => checkModel(name));
}

if (!ZOO_FULL) test('the big zoo models', { skip: needsZoo(BIG_ZOO[0]) }, () => {});
for (const name of ZOO_FULL ? BIG_ZOO : []) {
  test(`built zoo ${name}: ONNX Runtime reproduces PyTorch's logits`, { skip: needsZoo(name) }, () => checkModel(name));
}
