/**
 * Keras Embedding: a row lookup (ONNX Gather) in the `embeddings` matrix (input_dim, output_dim).
 * Keras feeds indices as floats (the model's input dtype is float32) and casts them to int32
 * (keras 2 `Embedding.call`, TF.js `Embedding.call`), which truncates, as ONNX Cast does.
 * With `mask_zero`, index 0 is padding: the output carries a mask (index != 0) that recurrent
 * layers downstream use to skip those steps.
 */
import type { LayerLowering } from './keras-call.ts';

/** ONNX TensorProto dtype code of int64. */
const INT64 = 7;

const embedding: LayerLowering = (c) => {
  const e = c.e;
  const x = c.inputs[0]!;
  const idx = e.op('Cast', [x], { to: INT64 });
  const y = e.op('Gather', [c.w.constant('embeddings'), idx], { axis: 0 });
  const mask = c.cfg.mask_zero === true ? e.op('Not', [e.op('Equal', [idx, e.b.ints([0], [])])]) : undefined;
  return { outputs: [y], masks: [mask] };
};

/** Embedding layers by Keras class name. */
export const EMBEDDING_LAYERS: Record<string, LayerLowering> = { Embedding: embedding };
