/**
 * Why the playground trains with its own small engine instead of ONNX Runtime (docs/playground.md):
 * per-call latency of ONNX Runtime on TF Playground's largest network (7 inputs, 6 x 8 tanh,
 * 2 outputs, built here as an ONNX Gemm/Tanh graph) against the playground engine doing more
 * work (forward, backward and update of a whole mini-batch). ORT runs in Node (onnxruntime-node)
 * and in headless Chromium (onnxruntime-web, WebAssembly, 1 thread: threads need cross-origin
 * isolation, which a static page opened from disk does not have).
 *
 * `node --import tsx bench/playground-ort.ts` prints the figures.
 */
import { copyFileSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { ProtoWriter } from '../src/io/protobuf.ts';
import { batchBuffers, forwardBatch } from '../src/playground/batch.ts';
import { WasmGrid } from '../src/playground/grid-wasm.ts';
import { Session } from '../src/playground/session.ts';
import { parseHash } from '../src/playground/state.ts';
import { ROOT } from '../test/helpers/shared.ts';
import { launchChromium, serveStatic } from '../test/helpers/browser.ts';
import { build } from 'vite';

const SIZES = [7, 8, 8, 8, 8, 8, 8, 2];
const GRID = 100 * 100;

/** The network as an ONNX model (opset 13, float32, dynamic batch), Gemm + Tanh per layer. */
export function mlpOnnx(sizes: readonly number[] = SIZES): Uint8Array {
  const W = () => new ProtoWriter();
  const valueInfo = (name: string, d: number) => W().string(1, name).message(2, W().message(1, W().int(1, 1)
    .message(2, W().message(1, W().string(2, 'batch')).message(1, W().int(1, d)))));
  const g = W().string(2, 'mlp');
  let prev = 'x';
  for (let l = 1; l < sizes.length; l++) {
    const [i, o] = [sizes[l - 1], sizes[l]];
    g.message(5, W().packedInts(1, [o, i]).int(2, 1).packedFloats(4, Array.from({ length: o * i }, (_, k) => Math.sin(k + l) * 0.5)).string(8, `W${l}`));
    g.message(5, W().packedInts(1, [o]).int(2, 1).packedFloats(4, Array.from({ length: o }, () => 0.1)).string(8, `b${l}`));
    g.message(1, W().string(1, prev).string(1, `W${l}`).string(1, `b${l}`).string(2, `z${l}`).string(4, 'Gemm')
      .message(5, W().string(1, 'transB').int(3, 1).int(20, 2)));
    prev = `z${l}`;
    if (l < sizes.length - 1) {
      g.message(1, W().string(1, prev).string(2, `a${l}`).string(4, 'Tanh'));
      prev = `a${l}`;
    }
  }
  g.message(11, valueInfo('x', sizes[0])).message(12, valueInfo(prev, sizes[sizes.length - 1]));
  return W().int(1, 8).message(7, g).message(8, W().string(1, '').int(2, 13)).finish();
}

/** Microseconds per call of `fn`, best of 5 rounds of `n` calls (the best is the least disturbed by other processes). */
async function perCall(n: number, fn: () => unknown): Promise<number> {
  for (let i = 0; i < Math.min(n, 20); i++) await fn();
  let best = Infinity;
  for (let r = 0; r < 5; r++) {
    const t = performance.now();
    for (let i = 0; i < n; i++) await fn();
    best = Math.min(best, ((performance.now() - t) * 1000) / n);
  }
  return best;
}

const PAGE = `<!doctype html><html><body><script type="module">
import * as ort from './ort.bundle.min.mjs';
import { engineTimes } from './engine.mjs';
ort.env.wasm.numThreads = 1;
const s = await ort.InferenceSession.create('./mlp.onnx', { executionProviders: ['wasm'] });
const out = {};
for (const [batch, n] of [[1, 300], [10, 300], [${GRID}, 10]]) {
  const x = new ort.Tensor('float32', new Float32Array(7 * batch).fill(0.5), [batch, 7]);
  for (let i = 0; i < 10; i++) await s.run({ x });
  let best = Infinity;
  for (let r = 0; r < 5; r++) { const t = performance.now(); for (let i = 0; i < n; i++) await s.run({ x }); best = Math.min(best, (performance.now() - t) * 1000 / n); }
  out[batch] = best;
  const e = engineTimes();
  out['engine-step-' + batch] = e.step;
  out['engine-epoch-' + batch] = e.epoch;
  out['engine-grid-' + batch] = e.grid;
}
window.result = out;
</script></body></html>`;

/** All figures, in microseconds. */
export async function measure(): Promise<Record<string, number>> {
  const model = mlpOnnx();
  const r: Record<string, number> = {};
  // The playground engine, on the same network with all 7 features.
  const s = new Session(parseHash('#dataset=circle&features=x1,x2,x1sq,x2sq,x1x2,sinx1,sinx2&hidden=8,8,8,8,8,8'));
  r['Node, engine: one training step, mini-batch of 10 (forward + backward + update)'] = await perCall(2000, () => s.step());
  r['Node, engine: one epoch, 25 steps'] = await perCall(50, () => s.trainEpoch());
  const buf = batchBuffers(s.net, GRID);
  r['Node, engine: forward over 100 x 100 grid, JavaScript (float64)'] = await perCall(10, () => forwardBatch(s.net, buf));
  const wg = WasmGrid.create(s.net, GRID)!;
  r['Node, engine: forward over 100 x 100 grid, WebAssembly SIMD (float32, as the page draws)'] = await perCall(20, () => wg.forward());
  // ONNX Runtime in Node.
  const ortNode = await import('onnxruntime-node');
  const sess = await ortNode.InferenceSession.create(model, { intraOpNumThreads: 1 });
  for (const [batch, n] of [[1, 2000], [10, 2000], [GRID, 20]] as const) {
    const x = new ortNode.Tensor('float32', new Float32Array(7 * batch).fill(0.5), [batch, 7]);
    r[`Node, onnxruntime-node (float32): forward only, batch ${batch}`] = await perCall(n, () => sess.run({ x }));
  }
  // onnxruntime-web in headless Chromium.
  const dir = mkdtempSync(join(tmpdir(), 'nnlens-ortweb-'));
  const dist = join(ROOT, 'node_modules', 'onnxruntime-web', 'dist');
  for (const f of readdirSync(dist)) if (f.endsWith('.wasm') || f === 'ort.bundle.min.mjs') copyFileSync(join(dist, f), join(dir, f));
  writeFileSync(join(dir, 'mlp.onnx'), model);
  writeFileSync(join(dir, 'index.html'), PAGE);
  await build({
    configFile: false, logLevel: 'warn', root: ROOT,
    build: { outDir: dir, emptyOutDir: false, target: 'es2022', lib: { entry: join(ROOT, 'bench', 'playground-engine-page.ts'), formats: ['es'], fileName: () => 'engine.mjs' } },
  });
  const { server, url } = await serveStatic(dir);
  const browser = await launchChromium();
  try {
    const page = await browser.newPage();
    await page.goto(`${url}index.html`);
    await page.waitForFunction(() => (globalThis as { result?: unknown }).result, null, { timeout: 120_000 });
    const web = await page.evaluate(() => (globalThis as unknown as { result: Record<string, number> }).result);
    for (const batch of [1, 10, GRID]) r[`Chromium, onnxruntime-web (wasm): forward only, batch ${batch}`] = web[batch];
    // The engine was timed after each ORT batch size; its best is the least disturbed.
    const best = (k: string) => Math.min(...Object.entries(web).filter(([n]) => n.startsWith(k)).map(([, v]) => v));
    r['Chromium, engine: one training step, mini-batch of 10 (forward + backward + update)'] = best('engine-step-');
    r['Chromium, engine: one epoch, 25 steps'] = best('engine-epoch-');
    r['Chromium, engine: forward over 100 x 100 grid, WebAssembly SIMD (float32, as the page draws)'] = best('engine-grid-');
  } finally {
    await browser.close();
    server.close();
    rmSync(dir, { recursive: true, force: true });
  }
  return r;
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const { loadavg } = await import('node:os');
  const load = loadavg()[0];
  for (const [k, v] of Object.entries(await measure())) console.log(`${v >= 1000 ? `${(v / 1000).toFixed(2)} ms` : `${v.toFixed(1)} us`}\t${k}`);
  console.log(`(load average at start ${load.toFixed(2)})`);
}
