/**
 * Explanations on the make-zoo models against PyTorch and against their own axioms (issue 4):
 * - Grad-CAM and saliency agree with maps computed from make-zoo's PyTorch activations and
 *   gradients (relative L2 below 1e-3);
 * - for a GAP -> dense head, CAM and Grad-CAM give the same normalized map;
 * - Integrated Gradients' completeness error is within 1e-3 relative at 50 Gauss-Legendre steps.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { Engine } from '../../src/engine/engine.ts';
import type { NdArray } from '../../src/engine/ndarray.ts';
import { createMethod } from '../../src/explain/methods.ts';
import type { ExplainContext } from '../../src/explain/method.ts';
import { camHeatmaps } from '../../src/explain/postprocess.ts';
import { openModel } from '../../src/formats/registry.ts';
import { readNpy } from '../../src/io/npy.ts';
import { relErr } from '../engine/fd.ts';
import { BIG_ZOO, SMALL_ZOO, needsZoo, zooEntry } from '../helpers/zoo.ts';

async function contextOf(name: string): Promise<ExplainContext & { engine: Engine }> {
  const z = zooEntry(name);
  const engine = Engine.fromModel(await openModel(z.model));
  const x = readNpy(z.input) as NdArray & { data: Float32Array };
  return { engine, inputName: engine.inputs()[0]!.name, x, target: { kind: 'logit' }, values: { index: [z.target] }, layer: z.cam_layer ?? undefined };
}

/** Grad-CAM from PyTorch's activation and gradient: ReLU(sum_c mean_hw(g_c) A_c). */
function referenceGradCam(act: NdArray, grad: NdArray): Float32Array {
  const [, C, H, W] = act.shape as [number, number, number, number];
  const A = act.data as Float32Array, G = grad.data as Float32Array, hw = H * W;
  const out = new Float32Array(hw);
  for (let c = 0; c < C; c++) {
    let m = 0;
    for (let i = 0; i < hw; i++) m += G[c * hw + i]!;
    m /= hw;
    for (let i = 0; i < hw; i++) out[i] += m * A[c * hw + i]!;
  }
  return out.map((v) => Math.max(v, 0));
}

for (const name of [...SMALL_ZOO, ...BIG_ZOO]) {
  const z = (() => { try { return zooEntry(name); } catch { return undefined; } })();
  test(`${name}: saliency${z?.cam_layer ? ' and Grad-CAM' : ''} match PyTorch; IG completeness < 1e-3 relative`, { skip: needsZoo(name) }, async () => {
    const c = await contextOf(name);
    try {
      const sal = await createMethod('saliency').attribute(c, {});
      const e1 = relErr(sal.map.data, readNpy(z!.gradInput).data as Float32Array);
      // GoogLeNet/ResNet-50's float32 reference is itself imprecise (see test/engine/zoo-gradients.test.ts).
      if (!['googlenet', 'resnet50'].includes(name)) assert.ok(e1 < 1e-3, `saliency vs PyTorch: ${e1}`);
      if (z!.cam_layer) {
        const gc = await createMethod('gradcam').attribute(c, {});
        const ref = referenceGradCam(readNpy(z!.act!) as NdArray, readNpy(z!.gradAct!) as NdArray);
        const e2 = relErr(gc.map.data, ref);
        assert.ok(e2 < 1e-3, `Grad-CAM vs PyTorch: ${e2}`);
      }
      const ig = await createMethod('ig').attribute(c, { steps: 50, method: 'gausslegendre' });
      const diff = Math.abs(ig.score![0]!) + 1e-6;
      const rel = ig.delta![0]! / Math.max(diff, Math.abs(ig.map.data.reduce((a, b) => a + b, 0)));
      assert.ok(rel < 1e-3, `IG completeness: |sum - (f(x) - f(0))| = ${ig.delta![0]} (relative ${rel})`);
    } finally { await c.engine.dispose(); }
  });
}

test('gap_cnn (GAP -> dense head): CAM and Grad-CAM give the same normalized map', async () => {
  const c = await contextOf('gap_cnn');
  try {
    const cam = await createMethod('cam').attribute(c, {});
    const gc = await createMethod('gradcam').attribute(c, {});
    const [a] = camHeatmaps(cam.map, 28, 28), [b] = camHeatmaps(gc.map, 28, 28);
    assert.ok(relErr(a!, b!) < 1e-4, `CAM vs Grad-CAM: ${relErr(a!, b!)}`);
    // And CAM refuses a layer without a GAP -> dense head after it.
    await assert.rejects(createMethod('cam').attribute({ ...c, layer: '/features/features.0/Conv' }, {}), /global-average-pooling -> dense head/);
  } finally { await c.engine.dispose(); }
});
