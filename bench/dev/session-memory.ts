/**
 * Resident memory of an ONNX Runtime session created from one buffer vs from a file path (the
 * choice behind src/engine/session.ts), for the forward+backward graph nnlens builds for a make-zoo
 * model, with and without glibc's fixed mmap threshold (bin/malloc-env.mjs). Each measurement is
 * a fresh bare `node` process that only loads onnxruntime-node. Not part of `npm run bench`.
 *
 *     node --import tsx bench/dev/session-memory.ts resnet50
 */
import { spawnSync } from 'node:child_process';
import { copyFileSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { MALLOC_ENV } from '../../bin/malloc-env.mjs';
import { Engine } from '../../src/engine/engine.ts';
import type { NdArray } from '../../src/engine/ndarray.ts';
import { getRuntime, setRuntime } from '../../src/engine/runtime.ts';
import { openModel } from '../../src/formats/registry.ts';
import { readNpy } from '../../src/io/npy.ts';
import { needsZoo, zooEntry } from '../../test/helpers/zoo.ts';

const name = process.argv[2] ?? 'resnet50';
const why = needsZoo(name);
if (why) throw new Error(why);
const z = zooEntry(name);
const dir = mkdtempSync(join(tmpdir(), 'nnlens-session-memory-'));
const graph = join(dir, 'grad.onnx');
// Keep a copy of the graph the engine hands ONNX Runtime for its gradient session.
const ort = await getRuntime();
setRuntime({ Tensor: ort.Tensor, InferenceSession: { create: (m, o) => { if (typeof m === 'string') copyFileSync(m, graph); return ort.InferenceSession.create(m, o); } } }, { readsFiles: true });
const engine = Engine.fromModel(await openModel(z.model));
await engine.gradients({ input: readNpy(z.input) as NdArray }, { target: { kind: 'logit' }, wrt: ['input'] }, { index: [z.target] });
await engine.dispose();

const child = `
import * as ort from 'onnxruntime-node';
import { readFileSync } from 'node:fs';
const [file, mode] = process.argv.slice(1);
const mb = () => Math.round(process.memoryUsage().rss / 2 ** 20);
const before = mb();
const model = mode === 'path' ? file : readFileSync(file);
const s = await ort.InferenceSession.create(model, { graphOptimizationLevel: 'all', executionMode: 'sequential', logSeverityLevel: 3 });
const created = mb();
const feeds = {};
for (const n of s.inputNames) feeds[n] = n === 'input' ? new ort.Tensor('float32', new Float32Array(3 * 224 * 224).fill(0.1), [1, 3, 224, 224]) : new ort.Tensor('int64', BigInt64Array.from([1n]), [1]);
for (let i = 0; i < 4; i++) await s.run(feeds);
console.log(JSON.stringify({ before, created, afterRuns: mb(), peak: Math.round(process.resourceUsage().maxRSS / 1024) }));
`;
for (const malloc of [false, true]) {
  for (const mode of ['buffer', 'path']) {
    const env: NodeJS.ProcessEnv = { ...process.env };
    for (const k of Object.keys(MALLOC_ENV)) delete env[k];
    const r = spawnSync(process.execPath, ['--input-type=module', '-e', child, graph, mode], { encoding: 'utf8', env: { ...env, ...(malloc ? MALLOC_ENV : {}) }, cwd: process.cwd() });
    const m = JSON.parse(r.stdout.trim().split('\n').at(-1) ?? '{}') as Record<string, number>;
    console.log(`${name} gradient graph from a ${mode}${malloc ? ', fixed mmap threshold' : ', glibc defaults'}: RSS ${m.before} MB before, ${m.created} MB after creation, ${m.afterRuns} MB after 4 runs, peak ${m.peak} MB`);
  }
}
rmSync(dir, { recursive: true, force: true });
