/**
 * The card-transactions fraud classifier: a multilayer perceptron on the standardized row
 * (tabular-input.ts), ReLU hidden layers, two logits (normal, fraud).
 */
import { NetBuilder, type Network } from './net.ts';
import { scalingBlock, type TabularScaling } from './tabular-input.ts';

/** Shape of an MLP. */
export interface MlpOptions {
  /** Feature names, in input order. */
  features: readonly string[];
  /** Hidden layer widths, e.g. [64, 32]. */
  hidden: readonly number[];
  classes: number;
  scaling: TabularScaling;
  seed: number;
  /** The model's metadata (`nnlens.*` keys). */
  metadata?: Record<string, string>;
}

/** Name of the data input of the tabular models. */
export const TABULAR_INPUT = 'transaction';

/**
 * Builds the MLP: `scale` -> (`fc1` Gemm + Relu) ... -> `head` Gemm -> `logits`.
 * @example const net = buildMlp({ features: FEATURE_NAMES, hidden: [64, 32], classes: 2, scaling, seed: 1 })
 */
export function buildMlp(o: MlpOptions): Network {
  const n = new NetBuilder('transactions_mlp', o.seed);
  const x = n.input(TABULAR_INPUT, ['N', o.features.length]);
  let h = scalingBlock(n, 'scale', x, o.scaling);
  let width = o.features.length;
  o.hidden.forEach((w, i) => {
    const scope = `fc${i + 1}`;
    h = n.node(scope, 'Relu', [n.dense(scope, h, width, w, 'he')]);
    width = w;
  });
  n.dense('head', h, width, o.classes, 'glorot', 'logits');
  return { model: n.model(['logits'], o.metadata ?? {}), params: n.params, inputName: x, logitsName: 'logits' };
}
