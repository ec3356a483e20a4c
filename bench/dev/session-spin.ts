/**
 * Two ONNX Runtime sessions of one engine used in turn (forward, then forward + backward), against
 * each alone: each session has its own thread pool, whose workers spin after a run and can take
 * the cores from the next session's run (the reason for `session.force_spinning_stop` in
 * src/engine/runtime.ts). Compare with the setting off:
 *
 *     node --import tsx bench/dev/session-spin.ts resnet18
 *     NNLENS_SESSION_OPTIONS='{"extra":{"session":{"force_spinning_stop":"0"}}}' node --import tsx bench/dev/session-spin.ts resnet18
 */
import { Engine } from '../../src/engine/engine.ts';
import type { NdArray } from '../../src/engine/ndarray.ts';
import { openModel } from '../../src/formats/registry.ts';
import { readNpy } from '../../src/io/npy.ts';
import { needsZoo, zooEntry } from '../../test/helpers/zoo.ts';

const name = process.argv[2] ?? 'resnet18';
const why = needsZoo(name);
if (why) throw new Error(why);
const z = zooEntry(name);
const engine = Engine.fromModel(await openModel(z.model));
const input = engine.inputs()[0]!.name;
const feeds = { [input]: readNpy(z.input) as NdArray };
const req = { target: { kind: 'logit' as const }, wrt: [input] };
const values = { index: [z.target] };
const median = (xs: number[]): number => [...xs].sort((a, b) => a - b)[xs.length >> 1]!;
const timed = async (f: () => Promise<unknown>, into: number[]): Promise<void> => { const t = performance.now(); await f(); into.push(performance.now() - t); };
await engine.gradients(feeds, req, values);
await engine.run(feeds);
for (let round = 1; round <= 3; round++) {
  const grads: number[] = [], fwd: number[] = [], fwdTurns: number[] = [], gradTurns: number[] = [];
  for (let i = 0; i < 15; i++) await timed(() => engine.gradients(feeds, req, values), grads);
  for (let i = 0; i < 15; i++) await timed(() => engine.run(feeds), fwd);
  for (let i = 0; i < 15; i++) {
    await timed(() => engine.run(feeds), fwdTurns);
    await timed(() => engine.gradients(feeds, req, values), gradTurns);
  }
  console.log(`${name} round ${round}: alone: forward ${median(fwd).toFixed(1)} ms, fwd+bwd ${median(grads).toFixed(1)} ms; in turn: forward ${median(fwdTurns).toFixed(1)} ms, fwd+bwd ${median(gradTurns).toFixed(1)} ms`);
}
await engine.dispose();
