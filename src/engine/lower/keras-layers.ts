/**
 * The table of Keras layer lowerings: one entry per Keras class name (Keras 1, 2 and 3 names,
 * and TF.js layers, which use Keras's), assembled from one small file per layer family, plus the
 * TimeDistributed wrapper, which lowers its inner layer through this same table.
 */
import type { Shape } from '../../graph/ir.ts';
import { ACTIVATION_LAYERS } from './keras-activation.ts';
import type { KerasConfig } from './keras-args.ts';
import type { LayerLowering, LayerResult } from './keras-call.ts';
import { CONV_LAYERS } from './keras-conv.ts';
import { DENSE_LAYERS } from './keras-dense.ts';
import { EMBEDDING_LAYERS } from './keras-embedding.ts';
import { MERGE_LAYERS } from './keras-merge.ts';
import { NORM_LAYERS } from './keras-norm.ts';
import { POOL_LAYERS } from './keras-pool.ts';
import { PREPROCESSING_LAYERS } from './keras-preprocessing.ts';
import { RESHAPE_LAYERS } from './keras-reshape.ts';
import { RNN_LAYERS } from './keras-rnn.ts';

/** Inner layers that act on the last axis only, so TimeDistributed can apply them to (N, T, ...) as is. */
const PER_STEP = new Set(['Dense', 'Activation', 'Dropout', 'ReLU', 'LeakyReLU', 'ELU', 'PReLU', 'Softmax', 'ThresholdedReLU']);

/**
 * TimeDistributed(layer): the inner layer applied to every time step, by folding time into the
 * batch (N, T, ...) -> (N*T, ...) and back (keras/src/layers/rnn/time_distributed.py); layers that
 * act on the last axis (Dense...) are applied directly.
 */
const timeDistributed: LayerLowering = (c): LayerResult => {
  const inner = c.cfg.layer as { class_name?: string; config?: KerasConfig } | undefined;
  const className = inner?.class_name;
  const lower = className ? KERAS_LAYERS[className] : undefined;
  if (!className || !lower) return c.fail(`TimeDistributed wraps '${String(className)}', which cannot be executed`);
  const cfg = inner.config ?? {};
  const asResult = (r: string[] | LayerResult): string[] => (Array.isArray(r) ? r : r.outputs);
  if (PER_STEP.has(className)) return { outputs: asResult(lower({ ...c, cfg, className })), masks: [c.masks[0]] };
  const inShape = c.inShapes[0], outShape = c.outShapes[0];
  const rest = inShape?.slice(2), outRest = outShape?.slice(2);
  if (!rest || !outRest || [...rest, ...outRest].some((d) => typeof d !== 'number')) return c.fail('TimeDistributed needs known per-step shapes');
  const e = c.e, x = c.inputs[0]!;
  const flat = e.reshape(x, [-1, ...(rest as number[])]);
  const steps: Shape = [null, ...rest], outSteps: Shape = [null, ...outRest];
  const [y] = asResult(lower({ ...c, cfg, className, inputs: [flat], inShapes: [steps], outShapes: [outSteps], masks: [undefined] }));
  const nt = e.slice(e.op('Shape', [x]), [0], [2], [0]);
  const shape = e.op('Concat', [nt, e.b.ints(outRest as number[])], { axis: 0 });
  return { outputs: [e.op('Reshape', [y!, shape])], masks: [c.masks[0]] };
};

/** Every Keras layer class that can be executed, by class name. */
export const KERAS_LAYERS: Record<string, LayerLowering> = {
  ...RESHAPE_LAYERS,
  ...ACTIVATION_LAYERS,
  ...DENSE_LAYERS,
  ...CONV_LAYERS,
  ...POOL_LAYERS,
  ...NORM_LAYERS,
  ...MERGE_LAYERS,
  ...EMBEDDING_LAYERS,
  ...RNN_LAYERS,
  ...PREPROCESSING_LAYERS,
  TimeDistributed: timeDistributed,
};

/** Layers that pass their input's mask on unchanged (Keras `supports_masking` without a compute_mask of their own). */
export const MASK_PASSING = new Set([
  'Dropout', 'SpatialDropout1D', 'GaussianNoise', 'GaussianDropout', 'AlphaDropout', 'Activation', 'Dense',
  'BatchNormalization', 'LayerNormalization', 'ReLU', 'LeakyReLU', 'ELU', 'PReLU', 'Softmax', 'ThresholdedReLU',
  'ActivityRegularization', 'Identity', 'InputLayer', 'Rescaling',
]);
