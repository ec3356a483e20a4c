import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import sharp from 'sharp';
import { NnlensError } from '../../src/errors.ts';
import { parseEventFile, readEventFile, readLogDir } from '../../src/io/tfevents.ts';
import { EventWriter, encodeEvent, histogramOf } from '../../src/io/tfevents-writer.ts';
import { crc32c, encodeRecord, maskedCrc32c, readRecords } from '../../src/io/tfrecord.ts';
import { NEEDS_SHARED, real } from '../helpers/shared.ts';

test('CRC-32C matches the RFC 3720 check value and TFRecord masking', () => {
  assert.equal(crc32c(new TextEncoder().encode('123456789')), 0xe3069283);
  assert.equal(crc32c(new Uint8Array(32)), 0x8a9136aa); // RFC 3720 B.4: 32 bytes of zeros
  // Mask: rotate right by 15, add 0xa282ead8 (TensorFlow crc32c.h).
  const c = crc32c(new Uint8Array([1, 2, 3]));
  assert.equal(maskedCrc32c(new Uint8Array([1, 2, 3])), ((((c >>> 15) | (c << 17)) >>> 0) + 0xa282ead8) >>> 0);
});

test('write -> read round trip: scalars per step and a histogram', () => {
  const dir = mkdtempSync(join(tmpdir(), 'nnlens-tfevents-'));
  try {
    let t = 1700000000;
    const w = new EventWriter(join(dir, 'train'), () => t++);
    for (let step = 1; step <= 20; step++) w.scalars(step, { loss: 1 / step, accuracy: 1 - 1 / (step + 1) });
    w.scalar('lr', 0.01, 20);
    w.histogram('dense/kernel', [0, 0.5, 1, 1, 2], 20, 4);
    w.close();
    assert.throws(() => w.scalar('loss', 0, 21), /closed/);
    const runs = readLogDir(dir);
    assert.deepEqual([...runs.keys()], ['train']);
    const log = runs.get('train')!;
    assert.equal(log.fileVersion, 'brain.Event:2');
    assert.equal(log.records, 1 + 20 + 1 + 1);
    const loss = log.scalars.get('loss')!;
    assert.deepEqual(loss.map((p) => p.step), Array.from({ length: 20 }, (_, i) => i + 1));
    // simple_value is a float32: compare at float32 precision.
    loss.forEach((p, i) => assert.equal(p.value, Math.fround(1 / (i + 1))));
    assert.equal(loss[0]!.wallTime, 1700000002); // clock read for the file name, the version record, then step 1
    assert.equal(log.scalars.get('accuracy')!.length, 20);
    assert.deepEqual(log.scalars.get('lr')!.map((p) => [p.step, p.value]), [[20, Math.fround(0.01)]]);
    const h = log.histograms.get('dense/kernel')![0]!;
    assert.deepEqual(h.buckets.map((b) => b.count), [1, 1, 2, 1]);
    assert.equal(h.buckets[0]!.left, 0);
    assert.equal(h.buckets[3]!.right, 2);
    assert.equal(h.buckets[1]!.left, 0.5);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('a bad CRC names the file and the record; a cut-off last record is a warning', () => {
  const rec = (s: number): Uint8Array => encodeRecord(encodeEvent(1, s, { scalars: { loss: s } }));
  const bytes = new Uint8Array([...rec(0), ...rec(1), ...rec(2)]);
  assert.equal(parseEventFile(bytes, 'ok').scalars.get('loss')!.length, 3);
  const bad = bytes.slice();
  const second = rec(0).length + 14; // inside record 1's data
  bad[second] = bad[second]! ^ 0xff;
  assert.throws(() => parseEventFile(bad, 'run/events.out.tfevents.1'), (e: unknown) =>
    e instanceof NnlensError && e.message.startsWith('run/events.out.tfevents.1: record 1') && /CRC/.test(e.message));
  const cut = parseEventFile(bytes.subarray(0, bytes.length - 3), 'live');
  assert.equal(cut.scalars.get('loss')!.length, 2);
  assert.match(cut.warnings[0]!, /incomplete/);
  assert.throws(() => readRecords(new TextEncoder().encode('this is not a tfrecord file at all'), 'x.txt'), /record 0.*length CRC/);
});

test('histogramOf puts every value in one bucket', () => {
  const h = histogramOf([-1, -1, 0, 3, 3, 3], 4);
  assert.equal(h.counts.reduce((a, b) => a + b, 0), 6);
  assert.deepEqual(h.counts, [2, 1, 0, 3]);
  assert.equal(h.limits.at(-1), 3);
});

// One fact per real event file (MANIFEST.md rows 39-43), written by TF1 Keras, TF2 Keras,
// PyTorch SummaryWriter and PyTorch Lightning.
const REAL_FILES: [string, (log: ReturnType<typeof readEventFile>) => void][] = [
  ['fraud-mlp-creditcard-0xdaksh/events.out.tfevents.1498485909.DESKTOP-GTSE0SD', (l) => {
    assert.deepEqual([...l.scalars.keys()], ['loss', 'acc']);
    assert.equal(l.scalars.get('loss')!.length, 5);
    assert.ok(l.scalars.get('loss')!.at(-1)!.value < l.scalars.get('loss')![0]!.value, 'loss went down');
    assert.deepEqual(l.graphs.map((g) => g.kind), ['graph_def', 'meta_graph_def']);
  }],
  ['tb-keras-tf1-carnd-1524045/events.out.tfevents.1507746835.task-instance-container', (l) => {
    assert.deepEqual([...l.scalars.keys()], ['loss', 'val_loss']);
    assert.deepEqual(l.scalars.get('val_loss')!.map((p) => p.step), [0, 1, 2, 3, 4, 5, 6, 7, 8]);
  }],
  ['tb-keras-tf215-tensor-histograms-samuelkoh/events.out.tfevents.1707801634.LAPTOP-BJ0HLR1P.29400.0.v2', (l) => {
    // TF2 tensor scalars: metadata only on the first value of each tag.
    assert.equal(l.scalars.get('epoch_loss')!.length, 5);
    assert.ok(Math.abs(l.scalars.get('epoch_accuracy')![4]!.value - 0.9856) < 1e-4);
    const h = l.histograms.get('layers_dense/bias_0/histogram')!;
    assert.equal(h.length, 5);
    assert.equal(h[0]!.buckets.reduce((a, b) => a + b.count, 0), 512); // Dense(512) bias
    assert.ok(l.graphs.some((g) => g.kind === 'keras_model'));
  }],
  ['tb-keras-tf215-tensor-histograms-samuelkoh/events.out.tfevents.1707801645.LAPTOP-BJ0HLR1P.29400.1.v2', (l) => {
    assert.deepEqual(l.scalars.get('evaluation_loss_vs_iterations')!.map((p) => p.step), [1875, 3750, 5625, 7500, 9375]);
  }],
  ['tb-keras-tf22-histo-images-nivesara/events.out.tfevents.1594061603.DESKTOP-IJHBKKC.41228.18612.v2', (l) => {
    assert.equal(l.histograms.size, 6);
    const k = l.histograms.get('conv2d/kernel_0')!;
    assert.equal(k[0]!.buckets.reduce((a, b) => a + b.count, 0), 288); // 3x3x1x32 kernel, legacy histo
    assert.equal(l.images.size, 8);
    assert.equal(l.images.get('dense_5/kernel_0/image/0')!.length, 10);
  }],
  ['tb-keras-tf22-histo-images-nivesara/events.out.tfevents.1594061623.DESKTOP-IJHBKKC.41228.19697.v2', (l) => {
    assert.equal(l.scalars.get('epoch_accuracy')!.length, 10);
  }],
  ['tb-lightning-hparams-dani/events.out.tfevents.1729814299.PC_Dani.36468.7', (l) => {
    assert.equal(l.scalars.get('train/loss')!.length, 375);
    assert.equal(l.scalars.get('val/loss')!.length, 50);
    assert.equal(l.plugins.get('hparams'), 3);
  }],
  ['tb-lightning-hparams-dani/events.out.tfevents.1729817436.PC_Dani.36468.8', (l) => {
    assert.deepEqual([...l.scalars.keys()].sort(), ['epoch', 'hp_metric', 'test/latent_norm', 'test/loss', 'test/psnr']);
  }],
  ['tb-pytorch-prcurves-graph-sbyebss/events.out.tfevents.1583090805.ae-scml-406093.24786.0', (l) => {
    const im = l.images.get('four_fashion_mnist_images')!;
    assert.equal(im.length, 1);
    assert.deepEqual([im[0]!.width, im[0]!.height], [122, 32]);
    assert.ok(l.graphs.some((g) => g.kind === 'graph_def'));
  }],
  ['tb-pytorch-prcurves-graph-sbyebss/events.out.tfevents.1583091853.ae-scml-406093.28300.2', (l) => {
    assert.equal(l.scalars.get('training_loss')!.length, 15);
    assert.deepEqual(l.tensors.get('T-shirt/top')![0]!.shape, [6, 127]); // pr_curves: 6 rows x thresholds
  }],
  ['tb-pytorch-prcurves-graph-sbyebss/events.out.tfevents.1583092140.ae-scml-406093.28300.3', (l) => {
    assert.equal(l.tensors.get('Trouser')![0]!.plugin, 'pr_curves');
  }],
];

for (const [file, check] of REAL_FILES) {
  test(`reads ${file.split('/')[0]} (${file.split('.').slice(-2).join('.')})`, { skip: NEEDS_SHARED }, () => {
    const log = readEventFile(real(file));
    assert.equal(log.fileVersion, 'brain.Event:2');
    assert.deepEqual(log.warnings, []);
    check(log);
  });
}

test('images stored in event files decode to the size the event says', { skip: NEEDS_SHARED }, async () => {
  const log = readEventFile(real('tb-pytorch-prcurves-graph-sbyebss/events.out.tfevents.1583090805.ae-scml-406093.24786.0'));
  const im = log.images.get('four_fashion_mnist_images')![0]!;
  const meta = await sharp(im.read()).metadata();
  assert.deepEqual([meta.format, meta.width, meta.height], ['png', 122, 32]);
});

test('a copy of a real file with one flipped byte is refused with the record number', { skip: NEEDS_SHARED }, () => {
  const src = real('tb-keras-tf1-carnd-1524045/events.out.tfevents.1507746835.task-instance-container');
  const bytes = new Uint8Array(readFileSync(src));
  const { records } = readRecords(bytes, src);
  const r5 = records[5]!;
  const bad = bytes.slice();
  bad[r5.offset + 12 + 2]! ^= 1;
  const dir = mkdtempSync(join(tmpdir(), 'nnlens-tfevents-'));
  try {
    const f = join(dir, 'events.out.tfevents.bad');
    writeFileSync(f, bad);
    assert.throws(() => readEventFile(f), (e: unknown) => e instanceof NnlensError && e.message.includes(`${f}: record 5 (byte ${r5.offset})`));
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
