/**
 * End to end in headless Chromium: the built playground trains the circle dataset, then takes one
 * step in step-by-step mode, and every number it shows is checked against the same engine run in
 * Node from the same URL state (same seeds, same number of epochs). Screenshots go to
 * /tmp/playground-train.png and /tmp/playground-step.png.
 */
import assert from 'node:assert/strict';
import type { Server } from 'node:http';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { after, before, test } from 'node:test';
import type { Browser, Page } from 'playwright-core';
import { Session } from '../../src/playground/session.ts';
import { parseHash } from '../../src/playground/state.ts';
import { fmt } from '../../web/src/playground/format.ts';
import { rmSync } from 'node:fs';
import { buildWeb, launchChromium, NEEDS_CHROMIUM, serveStatic } from '../helpers/browser.ts';

const HASH = 'dataset=circle&features=x1,x2&hidden=4,2&activation=tanh&learningRate=0.03&batchSize=10&dataSeed=3&initSeed=5';

let server: Server | undefined;
let browser: Browser | undefined;
let page: Page;
let base = '';
let dist = '';
const errors: string[] = [];

before(async () => {
  if (NEEDS_CHROMIUM) return;
  // Always a fresh build of this page alone, in a folder of its own: a stale web/dist would test
  // old code, and other pages or builds running meanwhile must not break this test.
  dist = buildWeb(['playground.html']);
  ({ server, url: base } = await serveStatic(dist));
  browser = await launchChromium();
  page = await browser.newPage({ viewport: { width: 1500, height: 1000 } });
  page.on('pageerror', (e) => errors.push(e.message));
  page.on('console', (m) => { if (m.type() === 'error') errors.push(m.text()); });
});

after(async () => {
  await browser?.close();
  server?.close();
  if (dist) rmSync(dist, { recursive: true, force: true });
});

/** The exact value behind a shown number (data-value), and its shown text. */
async function shown(testid: string): Promise<{ value: number; text: string }> {
  const el = page.locator(`[data-testid="${testid}"]`);
  const [v, text] = await Promise.all([el.getAttribute('data-value'), el.textContent()]);
  assert.ok(v !== null, `${testid} has a data-value`);
  return { value: Number(v), text: (text ?? '').trim() };
}

/**
 * Asserts a shown number equals the engine's value. Weights, z, a and deltas come out bit-identical
 * (the same IEEE operations in both V8s); losses go through Math.exp/Math.log, which differ by
 * an ulp between Node 20's V8 and Chromium's, hence the 1e-12 relative tolerance.
 */
function same(got: { value: number; text: string }, want: number, what: string) {
  const tol = 1e-12 * Math.max(1, Math.abs(want));
  assert.ok(Math.abs(got.value - want) <= tol, `${what}: page ${got.value}, engine ${want}`);
}

test('trains the circle dataset, then one step-by-step mini-batch shows the engine\'s numbers', { skip: NEEDS_CHROMIUM, timeout: 180_000 }, async () => {
  await page.goto(`${base}playground.html#${HASH}`);
  await page.waitForSelector('[data-testid="epoch"][data-value="0"]');
  const start = await shown('test-loss');

  // Train: play until at least 40 epochs, then pause. The page reports how many mini-batches it
  // trained (a frame trains up to one epoch, less when its time budget runs out), and the engine
  // in Node replays exactly that many.
  await page.click('[data-testid="play"]');
  await page.waitForFunction(() => Number(document.querySelector('[data-testid="epoch"]')?.getAttribute('data-value')) >= 40, null, { timeout: 60_000 });
  await page.click('[data-testid="play"]');
  await page.waitForSelector('[data-testid="play"]:not(.playing)');
  await page.waitForTimeout(100);
  const epochs = (await shown('epoch')).value;
  const steps = Number(await page.getAttribute('[data-testid="epoch"]', 'data-steps'));
  assert.ok(epochs >= 40 && steps >= epochs * 25, `${epochs} epochs, ${steps} mini-batches`);
  await page.screenshot({ path: '/tmp/playground-train.png', fullPage: true });

  const s = new Session(parseHash(HASH));
  same(start, s.losses().test, 'untrained test loss');
  for (let i = 0; i < steps; i++) s.step();
  assert.equal(s.epoch, epochs);
  const trainedLoss = await shown('test-loss');
  same(trainedLoss, s.losses().test, `test loss after ${epochs} epochs`);
  same(await shown('train-loss'), s.losses().train, `train loss after ${epochs} epochs`);
  assert.equal(trainedLoss.text, s.losses().test.toFixed(3));
  assert.ok(trainedLoss.value < 0.5 * start.value, `test loss fell: ${start.value} -> ${trainedLoss.value}`);

  // Step by step: one mini-batch, example #4, neuron 1 of the second hidden layer.
  await page.click('[data-testid="mode-step"]');
  await page.click('[data-testid="step"]');
  await page.waitForSelector('[data-testid="neurons-table"]');
  await page.click('[data-testid="example-3"]');
  await page.click('[data-node="2:1"]');
  await page.click('[data-testid="phase-backward"]');
  await page.waitForTimeout(100);
  await page.screenshot({ path: '/tmp/playground-step.png', fullPage: true });

  const r = s.step(true);
  const t = r.trace!;
  const net = s.net;
  const e = 3;
  same(await shown('batch-loss'), r.loss, 'batch loss');
  const pt = s.data.train[r.indices[e]];
  same(await shown('ex-x1'), pt.x1, 'example x1');
  same(await shown('ex-x2'), pt.x2, 'example x2');
  same(await shown('ex-loss'), t.losses[e], 'example loss');
  let checked = 0;
  for (let l = 1; l <= net.depth; l++) {
    const n = net.sizes[l];
    for (let u = 0; u < n; u++) {
      const z = await shown(`z-${l}-${u}`);
      same(z, t.z[l][e * n + u], `z of layer ${l} neuron ${u}`);
      assert.equal(z.text, fmt(t.z[l][e * n + u]));
      const a = l === net.depth ? t.prediction[e * n + u] : t.a[l][e * n + u];
      same(await shown(`a-${l}-${u}`), a, `a of layer ${l} neuron ${u}`);
      const d = await shown(`d-${l}-${u}`);
      same(d, t.delta[l][e * n + u], `delta of layer ${l} neuron ${u}`);
      assert.equal(d.text, fmt(t.delta[l][e * n + u]));
      checked += 3;
    }
  }
  for (let u = 0; u < 2; u++) same(await shown(`prob-${u}`), t.prediction[e * 2 + u], `p(class ${u})`);
  // The chosen neuron's incoming weights: value carried, gradient, before -> after.
  const L = net.layers[1];
  for (let i = 0; i < L.nIn; i++) {
    const wi = L.w + 1 * L.nIn + i;
    same(await shown(`w-${i}-before`), t.before[wi], `w[${i}] before`);
    same(await shown(`w-${i}-flow`), t.flow[2][(e * L.nOut + 1) * L.nIn + i], `w[${i}]·a`);
    same(await shown(`w-${i}-grad`), t.grad[wi], `dL/dw[${i}]`);
    const after = await shown(`w-${i}-after`);
    same(after, t.after[wi], `w[${i}] after`);
    assert.equal(after.text, fmt(t.after[wi]));
    checked += 4;
  }
  same(await shown('b-grad'), t.grad[L.b + 1], 'bias gradient');
  assert.ok(checked >= 30, `${checked} numbers checked`);
  // The page's network now holds the updated weights: its losses match the engine's after the step.
  const l = s.losses();
  same(await shown('test-loss'), l.test, 'test loss after the step');
  assert.deepEqual(errors, [], 'no page errors');
});

test('a CSV file becomes the dataset, its classes are listed, and the URL carries it', { skip: NEEDS_CHROMIUM, timeout: 120_000 }, async () => {
  const rows = ['sepal,petal,species'];
  const names = ['setosa', 'versicolor', 'virginica'];
  for (let i = 0; i < 150; i++) {
    const k = i % 3;
    rows.push(`${(4 + k * 1.2 + ((i * 7) % 10) / 10).toFixed(2)},${(1 + k * 2 + ((i * 3) % 10) / 8).toFixed(2)},${names[k]}`);
  }
  await page.goto(`${base}playground.html#hidden=6`);
  await page.waitForSelector('[data-testid="epoch"][data-value="0"]');
  await page.setInputFiles('[data-testid="csv-file"]', { name: 'flowers.csv', mimeType: 'text/csv', buffer: Buffer.from(rows.join('\n')) });
  await page.waitForFunction(() => location.hash.includes('csv='));
  const info = await page.textContent('.data .hint.small');
  assert.match(info ?? '', /75 training and 75 test points · X₁ = sepal, X₂ = petal, label = species/);
  const legend = await page.textContent('.legend .classes');
  assert.equal(legend, 'class setosaclass versicolorclass virginica');
  const before = (await shown('test-loss')).value;
  await page.click('[data-testid="play"]');
  await page.waitForFunction(() => Number(document.querySelector('[data-testid="epoch"]')?.getAttribute('data-value')) >= 30);
  await page.click('[data-testid="play"]');
  const after = (await shown('test-loss')).value;
  assert.ok(after < 0.7 * before, `CSV test loss ${before} -> ${after}`);
  // Reloading the URL restores the same data.
  const url = page.url();
  await page.goto('about:blank');
  await page.goto(url);
  await page.waitForSelector('[data-testid="epoch"][data-value="0"]');
  assert.match((await page.textContent('.data .hint.small')) ?? '', /X₁ = sepal/);
  await page.screenshot({ path: '/tmp/playground-csv.png', fullPage: true });
  assert.deepEqual(errors, [], 'no page errors');
});

test('the built page also works opened straight from disk (file://), with no server', { skip: NEEDS_CHROMIUM, timeout: 60_000 }, async () => {
  const p = await browser!.newPage();
  const errs: string[] = [];
  p.on('pageerror', (e) => errs.push(e.message));
  p.on('console', (m) => { if (m.type() === 'error') errs.push(m.text()); });
  await p.goto(`${pathToFileURL(join(dist, 'playground.html')).href}#dataset=xor&hidden=3`);
  await p.waitForSelector('[data-testid="epoch"][data-value="0"]');
  await p.click('[data-testid="play"]');
  await p.waitForFunction(() => Number(document.querySelector('[data-testid="epoch"]')?.getAttribute('data-value')) >= 5);
  await p.close();
  assert.deepEqual(errs, []);
});
