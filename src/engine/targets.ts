/**
 * Targets: the scalar whose gradient is taken (pytorch-grad-cam's `ClassifierOutputTarget`,
 * STYLE.md 6), written as ONNX nodes appended to the graph. Each batch item contributes its own
 * term, so one backward pass gives every item's gradient. Class and channel indices are runtime
 * inputs: one compiled graph serves every class.
 */
import type { Emit } from './emit.ts';

/** Runtime input names of target graphs. */
export const TARGET_INDEX = 'nnlens_target_index';
export const TARGET_WEIGHTS = 'nnlens_target_weights';

/** What to differentiate. `tensor` defaults to the model's first output. */
export type TargetSpec =
  /** logits[b, index[b]] (index: int64 [N] runtime input). */
  | { kind: 'logit'; tensor?: string }
  /** softmax(logits)[b, index[b]]. */
  | { kind: 'probability'; tensor?: string }
  /** log softmax(logits)[b, index[b]] (cross-entropy's negative). */
  | { kind: 'logprob'; tensor?: string }
  /** mean (or sum) over space of channel index[b] of a [N, C, ...] tensor. */
  | { kind: 'channel'; tensor: string; reduce: 'mean' | 'sum' }
  /** tensor.reshape(N, -1)[b, index[b]]: one neuron. */
  | { kind: 'neuron'; tensor: string }
  /** sum(tensor * weights): any linear functional, weights a runtime input of the tensor's shape. */
  | { kind: 'weighted'; tensor?: string };

/** Whether a spec's runtime input is an index vector (else weights). */
export function usesIndex(spec: TargetSpec): boolean { return spec.kind !== 'weighted'; }

/**
 * Appends the target subgraph; it uses no static shapes (Flatten, Squeeze, GatherElements), so it
 * can be built before shapes are probed. Returns `loss` (scalar: the sum over the batch) and
 * `perItem` ([N]: each item's target value, reported to users as "the score").
 */
export function buildTarget(e: Emit, spec: TargetSpec, defaultTensor: string, layout: 'NCHW' | 'NHWC' = 'NCHW', rank?: number): { loss: string; perItem: string } {
  const t = spec.tensor ?? defaultTensor;
  let perItem: string;
  if (spec.kind === 'weighted') {
    e.b.input(TARGET_WEIGHTS, 'float32', []);
    e.b.graph.values.get(TARGET_WEIGHTS)!.shape = undefined; // any shape broadcastable to the tensor
    const prod = e.op('Flatten', [e.mul(t, TARGET_WEIGHTS)], { axis: 1 });
    perItem = e.reduceSum(prod, [1], false);
  } else {
    e.b.input(TARGET_INDEX, 'int64', ['N']);
    const idx = e.unsqueeze(TARGET_INDEX, [1]); // [N, 1]
    let scores: string; // [N, K]
    if (spec.kind === 'channel') {
      // Mean (or sum) over the spatial axes, giving [N, C]: axes 2.. for NCHW, 1..rank-2 for
      // channels-last (Keras). (ONNX Flatten always yields 2-D, so it cannot keep [N, C, spatial].)
      if (!rank || rank < 3) throw new Error(`channel target: '${t}' must have a known rank of at least 3`);
      const axes = layout === 'NHWC' ? Array.from({ length: rank - 2 }, (_, i) => i + 1) : Array.from({ length: rank - 2 }, (_, i) => i + 2);
      scores = spec.reduce === 'mean' ? e.reduceMean(t, axes, false) : e.reduceSum(t, axes, false);
    } else {
      scores = e.op('Flatten', [t], { axis: 1 });
      if (spec.kind === 'probability') scores = e.op('Softmax', [scores], { axis: 1 });
      if (spec.kind === 'logprob') scores = e.op('LogSoftmax', [scores], { axis: 1 });
    }
    perItem = e.squeeze(e.op('GatherElements', [scores, idx], { axis: 1 }), [1]);
  }
  const loss = e.reduceSum(perItem, [0], false);
  return { loss, perItem };
}
