/**
 * Web app benchmark (issue 6, "Speed"), in headless Chromium on this machine, against `nnlens
 * serve` in the same process:
 * - ResNet-50 (make-zoo): time from navigation to a drawn, clickable graph (goal <= 1 s), and the
 *   frame times of a pan/zoom burst (60 wheel and drag steps);
 * - a generated 10,000-node ResNet-like ONNX file: time to a drawn graph (goal <= 3 s; Netron needs
 *   about 3 s for its layout alone at 10k nodes), and the time to open its largest stage;
 * - ResNet-18 (make-zoo) Grad-CAM: time from changing the target class (and the method) to the new
 *   overlay on the page (goal <= 300 ms), after the first explanation compiled the gradient graph.
 *
 * `node --import tsx bench/web.ts` prints the figures; {@link webBench} is the module for bench/run.ts.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Page } from 'playwright-core';
import { writeOnnx } from '../src/formats/onnx-write.ts';
import { emptyGraph, valueOf, type Graph, type Node } from '../src/graph/ir.ts';
import { Tensor } from '../src/graph/tensor.ts';
import { startServer } from '../src/server/server.ts';
import { CHROMIUM, launchChromium } from '../test/helpers/browser.ts';
import { needsZoo, zooEntry } from '../test/helpers/zoo.ts';
import type { BenchMetric, BenchModule, BenchResult } from './types.ts';

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..');

/** Goals of the issue, in milliseconds. */
export const GOALS = { resnet50: 1000, big: 3000, gradcam: 300 };

/**
 * A ResNet-like ONNX graph of about `nodes` nodes (`/layerS/layerS.B/conv1/Conv` names, so module
 * groups `layerS > layerS.B`), with 4 channels on 8 x 8 maps so that the file stays small: the
 * benchmark is about the graph, not the weights.
 * @example writeFileSync('big.onnx', syntheticOnnx(10_000))
 */
export function syntheticOnnx(nodes: number): Uint8Array {
  const g: Graph = emptyGraph('synthetic_resnet');
  const C = 4, HW = 8;
  let seed = 1;
  const shape = [1, C, HW, HW];
  const weight = (name: string, dims: number[]): string => {
    const n = dims.reduce((a, b) => a * b, 1);
    const v = valueOf(g, name);
    v.initializer = Tensor.of('float32', dims, Float32Array.from({ length: n }, () => ((seed = (seed * 16807) % 2147483647) / 2147483647 - 0.5) * 0.2));
    v.shape = dims; v.dtype = 'float32';
    return name;
  };
  const add = (name: string, op: string, group: string[], inputs: string[], attributes: Node['attributes'] = {}): string => {
    const out = `${name}_output_0`;
    g.nodes.push({ name, op, domain: '', inputs, outputs: [out], attributes, group, params: [] });
    const v = valueOf(g, out); v.shape = shape; v.dtype = 'float32';
    return out;
  };
  const conv = (p: string, group: string[], x: string) => add(`${p}/Conv`, 'Conv', group, [x, weight(`${p.slice(1).replace(/\//g, '.')}.weight`, [C, C, 3, 3])], { pads: { type: 'ints', value: [1, 1, 1, 1] } });
  g.inputs = ['input'];
  Object.assign(valueOf(g, 'input'), { shape, dtype: 'float32' });
  let x = add('/relu/Relu', 'Relu', [], [conv('/conv1', [], 'input')]);
  // 6 nodes per block: conv, relu, conv, add, relu... spread over 4 stages.
  const blocks = Math.ceil((nodes - 4) / 5);
  for (let b = 0; b < blocks; b++) {
    const s = 1 + Math.floor((b * 4) / blocks), layer = `layer${s}`, block = `${layer}.${b}`, grp = [layer, block], p = `/${layer}/${block}`;
    let y = conv(`${p}/conv1`, grp, x);
    y = add(`${p}/relu/Relu`, 'Relu', grp, [y]);
    y = conv(`${p}/conv2`, grp, y);
    y = add(`${p}/Add`, 'Add', grp, [y, x]);
    x = add(`${p}/relu_1/Relu`, 'Relu', grp, [y]);
  }
  x = add('/avgpool/GlobalAveragePool', 'GlobalAveragePool', [], [x]);
  g.outputs = [x];
  valueOf(g, x).shape = [1, C, 1, 1];
  return writeOnnx(g, { opsets: { '': 13 } });
}

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s.length ? (s[(s.length - 1) >> 1]! + s[s.length >> 1]!) / 2 : NaN;
}

/** Opens the app on a model in a fresh page; milliseconds from navigation to the graph drawn. */
async function openGraph(page: Page, url: string): Promise<{ ms: number; boxes: number }> {
  await page.goto(url);
  await page.waitForSelector('[data-testid="graph"][data-ready="1"]', { timeout: 120_000 });
  return page.evaluate(() => {
    const m = performance.getEntriesByName('nnlens-graph-ready')[0] as PerformanceMark;
    return { ms: m.startTime, boxes: (m.detail as { boxes: number }).boxes };
  });
}

/** Frame times (ms) of 60 animation frames that each zoom or pan the graph. */
async function panZoomFrames(page: Page): Promise<number[]> {
  const box = (await page.locator('[data-testid="graph"]').boundingBox())!;
  const cx = box.x + box.width / 2, cy = box.y + box.height / 2;
  await page.mouse.move(cx, cy);
  // Page scripts are strings: tsx's compiled functions would reference its own helpers, absent in the page.
  await page.evaluate(`(() => {
    window.__frames = [];
    let last = performance.now();
    const tick = (t) => { window.__frames.push(t - last); last = t; if (window.__frames.length < 200) requestAnimationFrame(tick); };
    requestAnimationFrame(tick);
  })()`);
  for (let i = 0; i < 30; i++) await page.mouse.wheel(0, i < 15 ? -60 : 60);
  await page.mouse.down();
  for (let i = 0; i < 30; i++) await page.mouse.move(cx + 8 * i, cy + 4 * i);
  await page.mouse.up();
  return page.evaluate(() => (window as unknown as { __frames: number[] }).__frames.slice(1));
}

/**
 * Milliseconds from choosing `value` in a select to the overlay of the new explanation on the page
 * (its `data-explained` key changes: two classes can have identical pictures, an all-zero map).
 */
async function overlayAfter(page: Page, select: string, value: string): Promise<number> {
  const overlay = '[data-testid="overlay"]';
  const old = await page.getAttribute(overlay, 'data-explained');
  // Page scripts are strings: tsx's compiled functions would reference its own helpers, absent in the page.
  const t0 = (await page.evaluate('performance.now()')) as number;
  await page.selectOption(select, value);
  // A polling promise evaluated through the DevTools protocol (waitForFunction would eval in the page, which the app's CSP forbids).
  const t1 = (await page.evaluate(`new Promise((resolve) => {
    const old = ${JSON.stringify(old)};
    const check = () => { const i = document.querySelector('${overlay}'); if (i && i.dataset.explained !== old && i.complete) resolve(performance.now()); else requestAnimationFrame(check); };
    check();
  })`)) as number;
  return t1 - t0;
}

const say = (s: string): void => { process.stderr.write(`  web: ${s}\n`); };

/** Runs the benchmark. */
export async function run(): Promise<BenchResult> {
  const metrics: BenchMetric[] = [];
  const notes: string[] = [`1-minute load average at start: ${loadavg()[0]!.toFixed(1)} on this 2-core machine (other jobs slow every wall time here)`];
  const dist = mkdtempSync(join(tmpdir(), 'nnlens-web-bench-'));
  const r = spawnSync(process.execPath, [join(ROOT, 'node_modules', 'vite', 'bin', 'vite.js'), 'build', '--config', join(ROOT, 'web', 'vite.config.ts'), '--outDir', dist, '--emptyOutDir'], { cwd: ROOT, encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`web build failed: ${r.stderr}`);
  const big = join(dist, 'synthetic-10k.onnx');
  writeFileSync(big, syntheticOnnx(10_000));
  const zoo = ['resnet50', 'resnet18'].filter((m) => !needsZoo(m));
  if (zoo.length < 2) notes.push(`make-zoo models absent (${['resnet50', 'resnet18'].filter((m) => !zoo.includes(m)).join(', ')}): run npm run zoo`);
  const server = await startServer({ models: [...zoo.map((m) => zooEntry(m).model), big], webRoot: dist });
  const browser = await launchChromium();
  try {
    const names = new Map((await (await fetch(`${server.url}api/models`)).json() as { name: string; nodes: number }[]).map((m) => [m.name, m.nodes]));
    const fresh = async () => browser.newPage({ viewport: { width: 1500, height: 950 } });
    if (zoo.includes('resnet50')) {
      const times: number[] = [];
      let boxes = 0, frames: number[] = [];
      for (let i = 0; i < 3; i++) {
        const page = await fresh();
        const o = await openGraph(page, `${server.url}#model=${encodeURIComponent('resnet50/model.onnx')}`);
        times.push(o.ms); boxes = o.boxes;
        if (i === 2) frames = await panZoomFrames(page);
        await page.close();
      }
      const m = median(times);
      say(`ResNet-50 ${times.map((t) => t.toFixed(0)).join(', ')} ms`);
      metrics.push({ label: 'ResNet-50: navigation to drawn graph (median of 3)', value: Math.round(m), unit: 'ms', goal: `<= ${GOALS.resnet50} ms`, ok: m <= GOALS.resnet50 });
      const sorted = [...frames].sort((a, b) => a - b);
      metrics.push({ label: 'ResNet-50: pan/zoom frame time, median / p95', value: Number(median(frames).toFixed(1)), unit: `ms / ${sorted[Math.floor(sorted.length * 0.95)]?.toFixed(1)} ms` });
      notes.push(`ResNet-50: ${names.get('resnet50/model.onnx')} nodes, first view ${boxes} boxes (groups collapsed past ${120} boxes); runs ${times.map((t) => t.toFixed(0)).join(', ')} ms; ${frames.length} frames measured while zooming and dragging`);
    }
    {
      const times: number[] = [];
      let boxes = 0, open = NaN, openBoxes = 0;
      for (let i = 0; i < 3; i++) {
        const page = await fresh();
        const o = await openGraph(page, `${server.url}#model=${encodeURIComponent('synthetic-10k.onnx')}`);
        times.push(o.ms); boxes = o.boxes;
        if (i === 2) {
          // Open the first stage (a quarter of the graph, as collapsed blocks).
          const t0 = await page.evaluate(() => performance.now());
          await page.locator('.graph .box.group').filter({ hasText: /^layer1/ }).first().click();
          await page.evaluate(`new Promise((resolve) => { const check = () => (performance.getEntriesByName('nnlens-graph-ready').length > 1 ? resolve() : setTimeout(check, 10)); check(); })`);
          const mk = await page.evaluate(() => { const e = performance.getEntriesByName('nnlens-graph-ready'); const m = e[e.length - 1] as PerformanceMark; return { t: m.startTime, boxes: (m.detail as { boxes: number }).boxes }; });
          open = mk.t - t0; openBoxes = mk.boxes;
        }
        await page.close();
      }
      const m = median(times);
      say(`10k graph ${times.map((t) => t.toFixed(0)).join(', ')} ms, opening layer1 ${open.toFixed(0)} ms`);
      metrics.push({ label: `generated ${names.get('synthetic-10k.onnx')}-node ONNX graph: navigation to drawn graph (median of 3)`, value: Math.round(m), unit: 'ms', goal: `<= ${GOALS.big} ms`, ok: m <= GOALS.big });
      metrics.push({ label: `generated graph: opening stage layer1 (${openBoxes} boxes)`, value: Math.round(open), unit: 'ms' });
      notes.push(`10k graph: first view ${boxes} boxes; runs ${times.map((t) => t.toFixed(0)).join(', ')} ms`);
    }
    if (zoo.includes('resnet18')) {
      const page = await fresh();
      await page.goto(`${server.url}#model=${encodeURIComponent('resnet18/model.onnx')}&sample=input.npy&method=gradcam`);
      page.on('pageerror', (e) => say(`page error: ${e.message}`));
      page.on('crash', () => say('page crashed'));
      await page.waitForSelector('[data-testid="overlay"]', { timeout: 180_000 });
      say('first Grad-CAM shown');
      const classes = ['1', '2', '3', '4', '5', '6', '7', '8'];
      const target: number[] = [];
      for (const c of classes) { target.push(await overlayAfter(page, '[data-testid="target"]', c)); say(`class ${c}: ${target.at(-1)!.toFixed(0)} ms`); }
      const method: number[] = [];
      for (const m of ['gradcam++', 'xgradcam', 'hirescam', 'gradcam']) method.push(await overlayAfter(page, '[data-testid="method"]', m));
      const t = median(target);
      metrics.push({ label: 'ResNet-18 Grad-CAM: new target class to new overlay (median of 8)', value: Math.round(t), unit: 'ms', goal: `<= ${GOALS.gradcam} ms`, ok: t <= GOALS.gradcam });
      metrics.push({ label: 'ResNet-18: new CAM method to new overlay (median of 4)', value: Math.round(median(method)), unit: 'ms', goal: `<= ${GOALS.gradcam} ms`, ok: median(method) <= GOALS.gradcam });
      notes.push(`Grad-CAM target changes: ${target.map((x) => x.toFixed(0)).join(', ')} ms; method changes (Grad-CAM++, XGrad-CAM, HiResCAM, Grad-CAM): ${method.map((x) => x.toFixed(0)).join(', ')} ms`);
      await page.close();
    }
  } finally {
    await browser.close();
    await server.close();
    rmSync(dist, { recursive: true, force: true });
  }
  notes.push(`1-minute load average at the end: ${loadavg()[0]!.toFixed(1)}`);
  return { metrics, notes };
}

/** The module for bench/run.ts. */
export const webBench: BenchModule = {
  name: 'web',
  description: '`nnlens serve` in headless Chromium: ResNet-50 and a generated 10,000-node graph to a drawn graph, pan/zoom frame times, ResNet-18 Grad-CAM after changing the class',
  async run() {
    if (CHROMIUM && !(await import('node:fs')).existsSync(CHROMIUM)) throw new Error(`${CHROMIUM} is absent (apt-get install chromium)`);
    return run();
  },
};

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  const r = await run();
  for (const m of r.metrics) process.stdout.write(`${m.label}: ${m.value} ${m.unit}${m.goal ? ` (goal ${m.goal}: ${m.ok ? 'met' : 'NOT met'})` : ''}\n`);
  for (const n of r.notes ?? []) process.stdout.write(`- ${n}\n`);
}
