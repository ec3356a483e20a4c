/**
 * Keras Dense (and Keras 1 Dense with `output_dim`): `activation(x @ kernel + bias)` on the last
 * axis of an input of any rank (keras/src/layers/core/dense.py). The kernel is stored (in, out),
 * which is what MatMul takes, so it is used as stored.
 */
import { applyActivation } from './keras-activation.ts';
import type { LayerLowering } from './keras-call.ts';

const dense: LayerLowering = (c) => {
  let y = c.e.op('MatMul', [c.inputs[0]!, c.w.constant('kernel')]);
  if (c.w.has('bias')) y = c.e.add(y, c.w.constant('bias'));
  return [applyActivation(c.e, c.cfg.activation, y, c.dialect, c.fail)];
};

/** Dense layers by Keras class name. */
export const DENSE_LAYERS: Record<string, LayerLowering> = { Dense: dense };
