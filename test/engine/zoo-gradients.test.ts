/**
 * The engine against PyTorch (issue 3, "Checked against PyTorch"): for every make-zoo model,
 * d logit[target] / d input and d logit[target] / d CAM-layer activation agree with PyTorch
 * autograd's reference to a relative L2 error below 1e-3. The small models are committed
 * fixtures (always checked); the big ones are checked when a built zoo is present.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { Engine } from '../../src/engine/engine.ts';
import type { NdArray } from '../../src/engine/ndarray.ts';
import { openModel } from '../../src/formats/registry.ts';
import { readNpy } from '../../src/io/npy.ts';
import { relErr } from './fd.ts';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { BIG_ZOO, SMALL_ZOO, needsZoo, zooEntry } from '../helpers/zoo.ts';

/** scripts/zoo-precision.py's measurement of the float32 reference, when it was run on this zoo. */
function precisionOf(zooDir: string, name: string): { f32_vs_f64: number } | undefined {
  const p = join(zooDir, 'precision.json');
  if (!existsSync(p) || !existsSync(join(zooDir, name, 'grad_input_f64.npy'))) return undefined;
  return (JSON.parse(readFileSync(p, 'utf8')) as Record<string, { f32_vs_f64: number }>)[name];
}

for (const name of [...SMALL_ZOO, ...BIG_ZOO]) {
  test(`${name}: gradients to the input and the CAM layer match PyTorch (rel L2 < 1e-3)`, { skip: needsZoo(name) }, async (t) => {
    const z = zooEntry(name);
    const model = await openModel(z.model);
    const engine = Engine.fromModel(model);
    try {
      const x = readNpy(z.input) as NdArray;
      const inputName = engine.inputs()[0]!.name;
      const wrt = [inputName, ...(z.cam_layer ? [z.cam_layer] : [])];
      const res = await engine.gradients({ [inputName]: x }, { target: { kind: 'logit' }, wrt, capture: z.cam_layer ? [z.cam_layer] : [] }, { index: [z.target] });
      const logits = readNpy(z.logits).data as Float32Array;
      const out = Object.values(res.outputs)[0]!.data as Float32Array;
      assert.ok(relErr(out, logits) < 1e-4, `logits differ: ${relErr(out, logits)}`);
      assert.ok(Math.abs(res.score[0]! - logits[z.target]!) < 1e-3 * Math.max(1, Math.abs(logits[z.target]!)));
      const gIn = relErr(res.grads[inputName]!.data as Float32Array, readNpy(z.gradInput).data as Float32Array);
      const prec = precisionOf(join(z.dir, '..'), name);
      if (prec && prec.f32_vs_f64 > 1e-3) {
        // PyTorch's own float32 reference is not defined to 1e-3 here (scripts/zoo-precision.py): compare with
        // its float64 gradient and require an error no larger than PyTorch float32's own.
        const g64 = relErr(res.grads[inputName]!.data as Float32Array, readNpy(join(z.dir, 'grad_input_f64.npy')).data as Float32Array);
        t.diagnostic(`${name}: PyTorch float32 vs float64 ${prec.f32_vs_f64.toExponential(2)}; nnlens vs float64 ${g64.toExponential(2)}; nnlens vs float32 ${gIn.toExponential(2)}`);
        assert.ok(g64 <= prec.f32_vs_f64, `d logit / d input vs float64: ${g64} > PyTorch float32's ${prec.f32_vs_f64}`);
      } else {
        assert.ok(gIn < 1e-3, `d logit / d input: relative L2 error ${gIn}`);
      }
      if (z.cam_layer) {
        const act = relErr(res.captured[z.cam_layer]![0]!.data as Float32Array, readNpy(z.act!).data as Float32Array);
        assert.ok(act < 1e-4, `activation of ${z.cam_layer}: relative L2 error ${act}`);
        const gAct = relErr(res.grads[z.cam_layer]!.data as Float32Array, readNpy(z.gradAct!).data as Float32Array);
        assert.ok(gAct < 1e-3, `d logit / d ${z.cam_layer}: relative L2 error ${gAct}`);
      }
    } finally {
      await engine.dispose();
    }
  });
}
