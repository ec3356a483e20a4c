/**
 * End to end in headless Chromium: `nnlens serve` on the bundled examples (or, while they are
 * absent, the server test fixtures: a digits CNN and a tabular classifier), and the built app:
 * open it and see the graph, click a convolution and see its weights, run Grad-CAM on a sample
 * digit and see the overlay (and a new one for another class), edit a transaction field and see
 * the probabilities change. Screenshots: /tmp/nnlens-app-*.png.
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import type { Browser, Page } from 'playwright-core';
import type { ModelEntry, ModelInfo } from '../../src/server/api-types.ts';
import { bundledModels } from '../../src/server/examples.ts';
import { startServer, type NnlensServer } from '../../src/server/server.ts';
import { launchChromium, NEEDS_CHROMIUM } from '../helpers/browser.ts';
import { ROOT } from '../helpers/shared.ts';
import { buildFixtures, type Fixtures } from '../server/fixtures.ts';

let server: NnlensServer | undefined;
let browser: Browser | undefined;
let page: Page;
let dist = '';
let fx: Fixtures | undefined;
const errors: string[] = [];

/** Builds the web app into its own folder (other tests build web/dist concurrently). */
function buildApp(out: string): void {
  const r = spawnSync(process.execPath, [join(ROOT, 'node_modules', 'vite', 'bin', 'vite.js'), 'build', '--config', join(ROOT, 'web', 'vite.config.ts'), '--outDir', out, '--emptyOutDir'], { cwd: ROOT, encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`web build failed:\n${r.stdout}\n${r.stderr}`);
}

before(async () => {
  if (NEEDS_CHROMIUM) return;
  dist = mkdtempSync(join(tmpdir(), 'nnlens-app-dist-'));
  buildApp(dist);
  server = await startServer({ models: bundledModels(), webRoot: dist });
  const kinds = await infos();
  if (!kinds.some(isDigits) || !kinds.some(isTable)) {
    // The bundled examples are absent (or being regenerated): use the server test fixtures.
    await server.close();
    fx = await buildFixtures();
    server = await startServer({ models: [fx.digits, fx.table], webRoot: dist });
  }
  browser = await launchChromium();
  page = await browser.newPage({ viewport: { width: 1500, height: 950 } });
  page.on('pageerror', (e) => errors.push(e.message));
  page.on('console', (m) => { if (m.type() === 'error') errors.push(m.text()); });
});

after(async () => {
  await browser?.close();
  await server?.close();
  if (dist) rmSync(dist, { recursive: true, force: true });
  if (fx) rmSync(fx.root, { recursive: true, force: true });
});

const isDigits = (m: ModelInfo) => m.inputKind === 'image' && m.image?.channels === 1 && m.samples.length > 0;
const isTable = (m: ModelInfo) => m.inputKind === 'tabular' && !!m.featureNames;

async function infos(): Promise<ModelInfo[]> {
  const list = (await (await fetch(`${server!.url}api/models`)).json()) as ModelEntry[];
  return Promise.all(list.map(async (m) => (await fetch(`${server!.url}api/models/${m.id}`)).json() as Promise<ModelInfo>));
}

/** Resolves when `attr` of the element matching `selector` is no longer `old`. */
async function changed(selector: string, attr: string, old: string | null, timeout = 60_000): Promise<string> {
  await page.waitForFunction(([s, a, o]) => {
    const el = document.querySelector(s!);
    const v = el?.getAttribute(a!);
    return !!v && v !== o;
  }, [selector, attr, old] as const, { timeout });
  return (await page.getAttribute(selector, attr))!;
}

test('the app: graph, weights, Grad-CAM on a digit, an edited transaction', { skip: NEEDS_CHROMIUM, timeout: 300_000 }, async () => {
  const all = await infos();
  const digits = all.find(isDigits);
  const table = all.find(isTable);
  assert.ok(digits && table, `a digits model and a tabular model are open: ${all.map((m) => m.name).join(', ')}`);

  // Open the app on the digits model: the graph is drawn.
  await page.goto(`${server!.url}#model=${encodeURIComponent(digits.name)}`);
  await page.waitForSelector('[data-testid="graph"][data-ready="1"]', { timeout: 60_000 });
  const boxes = Number(await page.getAttribute('[data-testid="graph"]', 'data-boxes'));
  assert.ok(boxes >= 5, `${boxes} boxes drawn`);
  assert.ok(await page.locator('.graph .box.node').count() >= 3);
  assert.ok(await page.locator('.graph .edges path').count() >= 3, 'edges are drawn');

  // Click a convolution: the inspector shows it with its weights.
  const conv = page.locator('.graph .box.node').filter({ hasText: /^Conv/ }).first();
  const convName = await conv.getAttribute('data-node');
  assert.ok(convName, 'a Conv node is visible');
  await conv.click();
  await page.waitForSelector('[data-testid="node-op"]');
  assert.match((await page.textContent('[data-testid="node-op"]'))!, /^Conv/);
  await page.waitForSelector('[data-testid="weights"] .weight-row');
  assert.ok(await page.locator('[data-testid="weights"] .weight-row').count() >= 1);
  const filters = page.locator('[data-testid="weight-filters"]');
  await filters.waitFor({ timeout: 30_000 });
  await page.waitForFunction(() => ((document.querySelector('[data-testid="weight-filters"]') as HTMLImageElement | null)?.naturalWidth ?? 0) > 0, null, { timeout: 30_000 });
  assert.match(page.url(), new RegExp(`sel=${encodeURIComponent(convName!).replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}`), 'the selection is in the URL');
  await page.screenshot({ path: '/tmp/nnlens-app-weights.png' });

  // Search by op type: the hit is selected and shown in the inspector.
  await page.fill('[data-testid="search"]', 'relu');
  await page.click('[data-testid="search-hits"] li button');
  await page.waitForFunction(() => /^Relu/.test(document.querySelector('[data-testid="node-op"]')?.textContent ?? ''), null, { timeout: 30_000 });
  assert.equal(await page.locator('.graph .box.selected').count(), 1, 'the hit is selected in the graph');

  // Grad-CAM on a sample digit: the overlay appears; another class gives another overlay.
  await page.selectOption('[data-testid="method"]', 'gradcam');
  await page.click(`[data-testid="sample-${digits.samples[0]!.label}"]`);
  await page.waitForSelector('[data-testid="overlay"]', { timeout: 60_000 });
  await page.waitForFunction(() => ((document.querySelector('[data-testid="overlay"]') as HTMLImageElement | null)?.naturalWidth ?? 0) >= 200, null, { timeout: 30_000 });
  const first = await page.getAttribute('[data-testid="overlay"]', 'src');
  assert.match(first!, /^data:image\/png;base64,/);
  await page.screenshot({ path: '/tmp/nnlens-app-gradcam.png' });
  const predicted = await page.$eval('[data-testid="target"] option[value="-1"]', (o) => o.textContent);
  const other = digits.labels ? digits.labels.findIndex((l) => !predicted!.includes(`(${l})`)) : 0;
  await page.selectOption('[data-testid="target"]', String(other));
  await changed('[data-testid="overlay"]', 'src', first);
  assert.match(page.url(), /target=/, 'the target class is in the URL');

  // Draw a digit: the drawing becomes the input and is predicted.
  await page.click('[data-testid="tab-draw"]');
  const canvas = (await page.locator('[data-testid="draw-canvas"]').boundingBox())!;
  const pen = (x: number, y: number) => [canvas.x + x * canvas.width, canvas.y + y * canvas.height] as const;
  await page.mouse.move(...pen(0.5, 0.15));
  await page.mouse.down();
  for (let t = 0; t <= 1; t += 0.1) await page.mouse.move(...pen(0.5, 0.15 + 0.7 * t));
  await page.mouse.up();
  await page.waitForFunction(() => document.querySelector('[data-testid="input-panel"] header .note')?.textContent === 'drawing', null, { timeout: 60_000 });
  await page.waitForSelector('[data-testid="output-panel"] [data-testid^="prob-"]', { timeout: 60_000 });
  await page.screenshot({ path: '/tmp/nnlens-app-drawing.png' });

  // The tabular model: edit a field, the probabilities change.
  await page.selectOption('[data-testid="model-select"]', table.name);
  await page.waitForSelector('[data-testid="row-fields"]', { timeout: 60_000 });
  await page.waitForSelector('[data-testid="output-panel"] [data-testid^="prob-"]', { timeout: 60_000 });
  const probSel = '[data-testid="output-panel"] g[data-testid^="prob-"]';
  const before_ = await page.getAttribute(probSel, 'data-value');
  await page.waitForSelector('[data-testid="feature-bars"] [data-feature]', { timeout: 60_000 });
  // The field whose attribution is largest surely moves the output.
  const feature = await page.$eval('[data-testid="feature-bars"] [data-feature]', (g) => g.getAttribute('data-feature'));
  const field = page.locator(`[data-testid="field-${feature}"]`);
  const value = Number(await field.inputValue());
  await field.fill(String(value * 10 + 100));
  await changed(probSel, 'data-value', before_);
  const after_ = Number(await page.getAttribute(probSel, 'data-value'));
  assert.notEqual(after_, Number(before_));
  await page.waitForTimeout(300);
  await page.screenshot({ path: '/tmp/nnlens-app-table.png' });

  // Open a model from files: it is uploaded, opened and shown.
  await page.setInputFiles('[data-testid="open-files"]', join(ROOT, 'test', 'fixtures', 'zoo', 'seq_lstm', 'model.onnx'));
  await page.waitForFunction(() => /^model\.onnx/.test((document.querySelector('[data-testid="model-select"]') as HTMLSelectElement | null)?.value ?? ''), null, { timeout: 60_000 });
  await page.locator('.graph .box').filter({ hasText: /LSTM/ }).first().waitFor({ timeout: 60_000 });
  await page.screenshot({ path: '/tmp/nnlens-app-upload.png' });
  assert.deepEqual(errors, [], 'no page errors');
});
