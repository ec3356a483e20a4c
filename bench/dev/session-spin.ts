/**
 * Two ONNX Runtime sessions of one engine used in turn (forward, then forward + backward), against
 * each alone, and explanations that use several sessions per call (Grad-CAM: forward + CAM head;
 * saliency: forward + gradient): each session has its own thread pool, whose workers spin after
 * a run and can take the cores from the next session's run (the reason for
 * `session.force_spinning_stop` in src/engine/runtime.ts, which applies from 1 MiB graphs).
 * Any zoo model works. As nnlens runs (the stop for graphs from 1 MiB), with the stop off for
 * every graph, and with it on for every graph (small models show what stopping costs them):
 *
 *     node --import tsx bench/dev/session-spin.ts resnet18 tabular_mlp gap_cnn
 *     NNLENS_SESSION_OPTIONS='{"extra":{"session":{"force_spinning_stop":"0"}}}' node --import tsx bench/dev/session-spin.ts resnet18 tabular_mlp gap_cnn
 *     NNLENS_SESSION_OPTIONS='{"extra":{"session":{"force_spinning_stop":"1"}}}' node --import tsx bench/dev/session-spin.ts tabular_mlp gap_cnn
 */
import { Engine } from '../../src/engine/engine.ts';
import type { NdArray } from '../../src/engine/ndarray.ts';
import { explain } from '../../src/explain/explain.ts';
import { openModel } from '../../src/formats/registry.ts';
import { readNpy } from '../../src/io/npy.ts';
import { needsZoo, zooEntry } from '../../test/helpers/zoo.ts';

const median = (xs: number[]): number => [...xs].sort((a, b) => a - b)[xs.length >> 1]!;
const timed = async (f: () => Promise<unknown>, into: number[]): Promise<void> => { const t = performance.now(); await f(); into.push(performance.now() - t); };
const ms = (x: number): string => (x < 1 ? `${(x * 1000).toFixed(0)} us` : `${x.toFixed(1)} ms`);

for (const name of process.argv.slice(2).length ? process.argv.slice(2) : ['resnet18']) {
  const why = needsZoo(name);
  if (why) { console.log(why); continue; }
  const z = zooEntry(name);
  const engine = Engine.fromModel(await openModel(z.model));
  const input = engine.inputs()[0]!.name;
  const feeds = { [input]: readNpy(z.input) as NdArray };
  const req = { target: { kind: 'logit' as const }, wrt: [input] };
  const values = { index: [z.target] };
  await engine.gradients(feeds, req, values);
  await engine.run(feeds);
  // Many runs for models whose calls take microseconds.
  const n = name.startsWith('resnet') ? 15 : 300;
  for (let round = 1; round <= 3; round++) {
    const grads: number[] = [], fwd: number[] = [], fwdTurns: number[] = [], gradTurns: number[] = [];
    for (let i = 0; i < n; i++) await timed(() => engine.gradients(feeds, req, values), grads);
    for (let i = 0; i < n; i++) await timed(() => engine.run(feeds), fwd);
    for (let i = 0; i < n; i++) {
      await timed(() => engine.run(feeds), fwdTurns);
      await timed(() => engine.gradients(feeds, req, values), gradTurns);
    }
    console.log(`${name} round ${round}: alone: forward ${ms(median(fwd))}, fwd+bwd ${ms(median(grads))}; in turn: forward ${ms(median(fwdTurns))}, fwd+bwd ${ms(median(gradTurns))}`);
  }
  if (z.cam_layer && z.input_shape.length === 4) {
    for (const method of ['gradcam', 'saliency']) {
      const calls: number[] = [];
      // A new class each call, as the web app does when the user picks one; the first call compiles.
      for (let i = 0; i < 6; i++) await timed(() => explain(engine, { feeds, inputName: input, items: [{ file: 'input.npy', row: 0 }] }, { method, target: String(i) }), calls);
      console.log(`${name} explain ${method}: median of calls 2-6 ${ms(median(calls.slice(1)))}`);
    }
  }
  await engine.dispose();
}
