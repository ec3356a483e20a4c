/**
 * How the number of scaled inputs per engine run changes Integrated Gradients' speed and memory
 * (the choice behind src/explain/method.ts defaultChunk). Runs IG (50 Gauss-Legendre steps, zero
 * baseline) on N copies of make-zoo ResNet-50's input once per batch size, after a warm-up that
 * compiles the session, and prints wall time, CPU time and peak RSS. Not part of `npm run bench`.
 *
 *     MALLOC_MMAP_THRESHOLD_=131072 node --import tsx bench/dev/ig-chunks.ts 2 1,2,4,8,12,16
 */
import { Engine } from '../../src/engine/engine.ts';
import { explain, type ExplainOptions } from '../../src/explain/explain.ts';
import { openModel } from '../../src/formats/registry.ts';
import { readNpy } from '../../src/io/npy.ts';
import { needsZoo, zooEntry } from '../../test/helpers/zoo.ts';

const n = Number(process.argv[2] ?? 2);
const sizes = (process.argv[3] ?? '1,2,4,8,12,16').split(',').map(Number);
const why = needsZoo('resnet50');
if (why) throw new Error(why);
const z = zooEntry('resnet50');
for (const bs of sizes) {
  // A fresh engine per size, so that sessions of other sizes do not share the process's memory.
  const model = await openModel(z.model);
  for (const name of [...model.graph.inputs, ...model.graph.outputs]) {
    const v = model.graph.values.get(name)!;
    if (v.shape?.[0] === 1) v.shape = ['N', ...v.shape.slice(1)]; // as bench/explain.ts
  }
  const engine = Engine.fromModel(model);
  const x0 = readNpy(z.input).data as Float32Array;
  const per = x0.length;
  const data = new Float32Array(n * per);
  for (let i = 0; i < n; i++) data.set(x0, i * per);
  const input = { feeds: { input: { dtype: 'float32' as const, shape: [n, 3, 224, 224], data } }, inputName: 'input', items: Array.from({ length: n }, (_, i) => ({ file: `copy ${i}`, row: 0 })) };
  const o: ExplainOptions = { method: 'ig', steps: 50, igMethod: 'gausslegendre', baseline: 'zeros', batchSize: bs };
  await explain(engine, input, o); // warm-up: compiles the sessions
  const t = performance.now(), c0 = process.cpuUsage();
  await explain(engine, input, o);
  const c = process.cpuUsage(c0), wall = performance.now() - t;
  console.log(`${bs} scaled inputs per run: ${n} inputs in ${(wall / 1000).toFixed(2)} s wall, ${((c.user + c.system) / 1e6).toFixed(1)} s CPU; peak RSS so far ${(process.resourceUsage().maxRSS / 1024).toFixed(0)} MB`);
  await engine.dispose();
}
