/**
 * Tiny hand-built ONNX models for the run/activations CLI tests: known weights, so expected
 * outputs are computed by hand, and nnlens metadata (labels, task) written into the file.
 */
import { writeFileSync } from 'node:fs';
import { GraphBuilder } from '../../src/engine/builder.ts';
import { writeOnnx } from '../../src/formats/onnx-write.ts';
import { emptyGraph, type Graph } from '../../src/graph/ir.ts';

function save(path: string, g: Graph, metadata: Record<string, string>): string {
  writeFileSync(path, writeOnnx(g, { opsets: { '': 17 }, metadata }));
  return path;
}

/** `logits = x @ W` with x [N, 3] and W the 3x3 matrix {@link CLASSIFIER_W}; labels in the metadata. */
export const CLASSIFIER_W = [1, 0, 0.5, 0, 2, 0, -1, 0, 1];
export function writeClassifier(path: string, metadata: Record<string, string>): string {
  const g = emptyGraph('tiny_classifier');
  const b = new GraphBuilder(g, 'tiny');
  const x = b.input('x', 'float32', ['N', 3]);
  const [logits] = b.node('MatMul', [x, b.floats(CLASSIFIER_W, [3, 3])]);
  g.outputs = [logits!];
  g.values.get(logits!)!.dtype = 'float32';
  return save(path, g, metadata);
}

/** `p = sigmoid(x @ [[1], [-1]])` with x [N, 2]: one probability per sample. */
export function writeBinary(path: string, metadata: Record<string, string>): string {
  const g = emptyGraph('tiny_binary');
  const b = new GraphBuilder(g, 'tiny');
  const x = b.input('x', 'float32', ['N', 2]);
  const z = b.op('MatMul', [x, b.floats([1, -1], [2, 1])]);
  const p = b.op('Sigmoid', [z]);
  g.outputs = [p];
  g.values.get(p)!.dtype = 'float32';
  return save(path, g, metadata);
}

/** A module `blk` with two tensors leaving it: `/blk/Relu` and `/blk/Neg`, added by `/Add`. */
export function writeTwoLeaving(path: string): string {
  const g = emptyGraph('tiny_two');
  const b = new GraphBuilder(g, 'tiny');
  const x = b.input('x', 'float32', ['N', 4]);
  const r = b.op('Relu', [x]);
  const n = b.op('Neg', [x]);
  const y = b.op('Add', [r, n]);
  const names = ['/blk/Relu', '/blk/Neg', '/Add'];
  g.nodes.forEach((node, i) => { node.name = names[i]!; });
  g.outputs = [y];
  g.values.get(y)!.dtype = 'float32';
  return save(path, g, {});
}
