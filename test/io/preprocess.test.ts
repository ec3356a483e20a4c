import assert from 'node:assert/strict';
import { test } from 'node:test';
import { NnlensError } from '../../src/errors.ts';
import {
  describeTransform, guessFromShape, META, modelMetadata, parseNumbers, parseScale, parseSize, PRESETS, readModelFacts, resolvePreprocess,
} from '../../src/io/preprocess.ts';
import { fitShape, perSampleShape } from '../../src/io/shape-fit.ts';

const err = (re: RegExp) => (e: unknown): boolean => e instanceof NnlensError && re.test(e.message);

test('flag values: sizes, fractions, number lists', () => {
  assert.deepEqual(parseSize('224x160', '--size'), [224, 160]);
  assert.deepEqual(parseSize('28', '--size'), [28, 28]);
  assert.throws(() => parseSize('224 by 224', '--size'), err(/^--size: '224 by 224' is not a size: expected HxW/));
  assert.throws(() => parseSize('0x4', '--size'), err(/not a size/));
  assert.equal(parseScale('1/255', '--scale'), 1 / 255);
  assert.equal(parseScale('0.5', '--scale'), 0.5);
  assert.throws(() => parseScale('1/0', '--scale'), err(/not a number/));
  assert.throws(() => parseScale('half', '--scale'), err(/not a number/));
  assert.deepEqual(parseNumbers('0.485,0.456, 0.406', '--mean'), [0.485, 0.456, 0.406]);
  assert.deepEqual(parseNumbers('[0.5, 0.5]', '--mean'), [0.5, 0.5]);
  assert.throws(() => parseNumbers('0.5,x', '--std'), err(/^--std: '0.5,x' is not a list of numbers/));
});

test('guessing from input shapes: NCHW, NHWC, symbolic dims, no channel axis, flattened', () => {
  assert.deepEqual(guessFromShape(['batch_size', 1, 28, 28]), { layout: 'NCHW', color: 'grayscale', size: [28, 28] });
  assert.deepEqual(guessFromShape([null, 160, 320, 3]), { layout: 'NHWC', color: 'rgb', size: [160, 320] });
  assert.deepEqual(guessFromShape(['N', 3, 'H', 'W']), { layout: 'NCHW', color: 'rgb' });
  assert.deepEqual(guessFromShape([1, 3, 3, 3], 'NHWC').layout, 'NHWC');
  assert.deepEqual(guessFromShape([1, 3, 3, 3], 'NCHW').layout, 'NCHW');
  assert.deepEqual(guessFromShape(['N', 28, 28]), { color: 'grayscale', size: [28, 28] });
  assert.deepEqual(guessFromShape(['N', 784]), { color: 'grayscale', size: [28, 28] });
  assert.deepEqual(guessFromShape(['N', 3072]), { color: 'rgb', size: [32, 32] });
  assert.deepEqual(guessFromShape(['N', 13]), {});
  assert.deepEqual(guessFromShape(undefined), {});
});

test('metadata round trip, and bad metadata names the model and the key', () => {
  const facts = {
    preprocess: { ...PRESETS.mnist, layout: 'NCHW' as const },
    inputKind: 'image' as const, labels: ['zero', 'one'], task: 'classification' as const, outputKind: 'logits' as const,
    featureNames: ['a', 'b'], trainingLog: 'digits-log',
  };
  const meta = modelMetadata(facts);
  assert.equal(meta[META.size], '28x28');
  assert.equal(meta[META.scale], '1/255');
  assert.deepEqual(readModelFacts(meta, 'm.onnx'), facts);
  assert.throws(() => readModelFacts({ [META.layout]: 'CHWN' }, 'm.onnx'), err(/^m\.onnx \(metadata nnlens\.input\.layout\): 'CHWN' is not one of NCHW, NHWC$/));
  assert.throws(() => readModelFacts({ [META.labels]: '["a", 2]' }, 'm.onnx'), err(/nnlens\.labels\): is not a JSON array of strings/));
  assert.throws(() => readModelFacts({ [META.mean]: 'zero' }, 'm.onnx'), err(/nnlens\.input\.mean/));
  assert.deepEqual(readModelFacts({ other: 'x', [META.preset]: 'imagenet', [META.size]: '299x299' }, 'm').preprocess.size, [299, 299]);
});

test('resolution: flags > metadata > input shape > preset > defaults, with sources', () => {
  // Nothing known: defaults.
  const none = resolvePreprocess({});
  assert.deepEqual(none.transform, { color: 'rgb', layout: 'NCHW', scale: 1 / 255, mean: [0], std: [1], fit: 'stretch', cropFraction: 1 });
  assert.equal(none.sources.scale, 'default');
  assert.equal(none.sources.size, undefined);
  // Shape only.
  const shaped = resolvePreprocess({ inputShape: [null, 64, 64, 3] });
  assert.deepEqual([shaped.transform.layout, shaped.transform.size, shaped.sources.size], ['NHWC', [64, 64], 'input shape']);
  // The preset normalizes but does not override a fixed input shape (Inception-style 299 NHWC).
  const inc = resolvePreprocess({ flags: { preset: 'imagenet' }, inputShape: [null, 299, 299, 3] });
  assert.deepEqual(inc.transform.size, [299, 299]);
  assert.equal(inc.transform.layout, 'NHWC');
  assert.deepEqual(inc.transform.mean, [0.485, 0.456, 0.406]);
  assert.equal(inc.sources.mean, 'preset');
  // With a dynamic input, the preset's size is used.
  assert.deepEqual(resolvePreprocess({ flags: { preset: 'imagenet' }, inputShape: ['N', 3, 'H', 'W'] }).transform.size, [224, 224]);
  // Metadata beats the shape guess; flags beat metadata; a preset flag beats metadata scale.
  const metadata = modelMetadata({ preprocess: { scale: 1, color: 'grayscale', size: [32, 32] } });
  const m = resolvePreprocess({ metadata, inputShape: ['N', 1, 'H', 'W'] });
  assert.deepEqual([m.transform.scale, m.transform.size, m.sources.size, m.sources.color], [1, [32, 32], 'metadata', 'metadata']);
  const f = resolvePreprocess({ metadata, flags: { size: '40x40', scale: '1/255', grayscale: false }, inputShape: ['N', 1, 'H', 'W'] });
  assert.deepEqual([f.transform.size, f.sources.size, f.transform.scale, f.sources.scale], [[40, 40], 'flag', 1 / 255, 'flag']);
  assert.equal(resolvePreprocess({ metadata, flags: { preset: 'mnist' } }).transform.scale, 1 / 255);
  assert.equal(resolvePreprocess({ flags: { preset: 'raw' } }).transform.scale, 1);
  assert.throws(() => resolvePreprocess({ flags: { preset: 'cifar' } }), err(/^--preset: 'cifar' is not one of imagenet, mnist, raw$/));
  assert.throws(() => resolvePreprocess({ flags: { layout: 'CHW' } }), err(/^--layout/));
  assert.match(describeTransform(m), /size 32x32 \(metadata\), grayscale \(metadata\), NCHW \(input shape\), scale 1 \(metadata\)/);
});

test('shape fitting: exact, unit axes, flattening; everything else is a clear error', () => {
  assert.deepEqual(fitShape([1, 3, 224, 224], ['N', 3, 224, 224], 'cat.png', 'input'), [1, 3, 224, 224]);
  assert.deepEqual(fitShape([1, 1, 28, 28], ['N', 28, 28], 'd.png'), [1, 28, 28]);
  assert.deepEqual(fitShape([1, 28, 28], [null, 28, 28, 1], 'd.npy'), [1, 28, 28, 1]);
  assert.deepEqual(fitShape([1, 1, 28, 28], ['N', 784], 'd.png'), [1, 784]);
  assert.deepEqual(fitShape([4, 3], undefined, 'r.csv'), [4, 3]);
  assert.throws(() => fitShape([1, 3, 224, 224], ['N', 1, 28, 28], 'cat.png', 'x'),
    err(/^cat\.png: gives shape \[1,3,224,224\], but the model's input 'x' takes \[N,1,28,28\] \(axis 1, 2, 3 differ\)$/));
  assert.throws(() => fitShape([1, 3, 32, 32], ['N', 784], 'c.png'), err(/takes \[N,784\]/));
  assert.throws(() => fitShape([2, 12], [1, 12], 'r.csv'), err(/batch of exactly 1, this input has 2/));
  assert.deepEqual(perSampleShape([2, 12], [1, 12]), [1, 12]);
  assert.equal(perSampleShape([2, 12], ['N', 12]), undefined);
});
