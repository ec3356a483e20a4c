/**
 * How the engine hands models to ONNX Runtime (src/engine/session.ts): in Node the graph is
 * streamed to a temporary file one weight at a time and loaded from there, and the weights are
 * read without being kept, so the process holds no JS copy of the model's weights next to ONNX
 * Runtime's (issue 3's memory goal). The results must equal those of the in-memory path.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { Engine } from '../../src/engine/engine.ts';
import type { NdArray } from '../../src/engine/ndarray.ts';
import { getRuntime, setRuntime } from '../../src/engine/runtime.ts';
import { openModel } from '../../src/formats/registry.ts';
import { readNpy } from '../../src/io/npy.ts';
import { zooEntry } from '../helpers/zoo.ts';

test('compiling and running gradients keeps no JS copy of the weights, leaves no temporary file, and equals the in-memory path', async () => {
  const z = zooEntry('gap_cnn'); // convolutions with stride 1: the flipped-kernel path is used too
  const x = readNpy(z.input) as NdArray;
  const req = { target: { kind: 'logit' as const }, wrt: ['input'] };
  const ownTmp = mkdtempSync(join(tmpdir(), 'nnlens-session-test-'));
  const savedTmp = process.env.TMPDIR;
  process.env.TMPDIR = ownTmp; // os.tmpdir() follows TMPDIR: temporary models of this test go here
  const ort = await getRuntime();
  try {
    const model = await openModel(z.model);
    const weights = [...model.graph.values.values()].filter((v) => v.initializer).map((v) => v.initializer!);
    assert.ok(weights.length > 4);
    const engine = Engine.fromModel(model);
    const inputName = engine.inputs()[0]!.name;
    const viaFile = await engine.gradients({ [inputName]: x }, { ...req, wrt: [inputName] }, { index: [z.target] });
    await engine.run({ [inputName]: x });
    assert.deepEqual(weights.filter((w) => w.loaded).map((w) => w.where), [], 'weights left in JS memory after compiling');
    assert.deepEqual(readdirSync(ownTmp).filter((f) => f.startsWith('nnlens-')), [], 'temporary model files left behind');
    await engine.dispose();

    // The same graph handed over as one buffer (the browser's path) gives identical numbers.
    setRuntime(ort, { readsFiles: false });
    const engine2 = Engine.fromModel(await openModel(z.model));
    const inMemory = await engine2.gradients({ [inputName]: x }, { ...req, wrt: [inputName] }, { index: [z.target] });
    await engine2.dispose();
    assert.deepEqual(viaFile.grads[inputName]!.data, inMemory.grads[inputName]!.data);
    assert.deepEqual(viaFile.score, inMemory.score);
  } finally {
    setRuntime(ort, { readsFiles: true });
    if (savedTmp === undefined) delete process.env.TMPDIR; else process.env.TMPDIR = savedTmp;
    rmSync(ownTmp, { recursive: true, force: true });
  }
});

test('a graph ONNX Runtime refuses is a one-line error naming the model, and its temporary file is removed', async () => {
  const ownTmp = mkdtempSync(join(tmpdir(), 'nnlens-session-test-'));
  const savedTmp = process.env.TMPDIR;
  process.env.TMPDIR = ownTmp;
  try {
    const { Session } = await import('../../src/engine/session.ts');
    const graph = {
      name: 'broken', inputs: ['x'], outputs: ['y'],
      nodes: [{ name: 'n', op: 'NoSuchOp', domain: '', inputs: ['x'], outputs: ['y'], attributes: {}, group: [], params: [] }],
      values: new Map([['x', { name: 'x', dtype: 'float32' as const, shape: [1] }], ['y', { name: 'y' }]]),
    };
    await assert.rejects(Session.create(graph as never, { '': 17 }, 'broken.onnx'), (e: Error) => {
      assert.match(e.message, /^broken\.onnx: ONNX Runtime could not load the graph: .*NoSuchOp/);
      assert.ok(!e.message.includes('\n') && !e.message.includes('graph.onnx'), e.message); // one line, no temporary path
      return true;
    });
    assert.deepEqual(readdirSync(ownTmp).filter((f) => f.startsWith('nnlens-')), []);
  } finally {
    if (savedTmp === undefined) delete process.env.TMPDIR; else process.env.TMPDIR = savedTmp;
    rmSync(ownTmp, { recursive: true, force: true });
  }
});

test('when the temporary folder cannot be written, the session is created from a buffer instead', async () => {
  const savedTmp = process.env.TMPDIR;
  process.env.TMPDIR = '/nonexistent/nnlens-no-tmp';
  try {
    const z = zooEntry('tabular_mlp');
    const engine = Engine.fromModel(await openModel(z.model));
    const inputName = engine.inputs()[0]!.name;
    const res = await engine.gradients({ [inputName]: readNpy(z.input) as NdArray }, { target: { kind: 'logit' }, wrt: [inputName] }, { index: [z.target] });
    assert.ok(res.grads[inputName]!.data.length > 0);
    await engine.dispose();
  } finally {
    if (savedTmp === undefined) delete process.env.TMPDIR; else process.env.TMPDIR = savedTmp;
  }
});
