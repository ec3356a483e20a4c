/**
 * The card-transactions classifier with a feature-attention block: a dense layer with a softmax
 * over the features gives one weight per feature and per row, the features are multiplied by
 * those weights, and the classifier sees only the weighted features. This is the attention
 * technique for dense networks of Keras's `attention_dense` recipe (philipperemy/keras-attention,
 * after Bahdanau et al. 2015's soft alignment): `a = softmax(W z)`, `h = F * (z * a)`.
 *
 * Three choices make the weights say something about each row (measured in docs/training.md):
 * - the inputs z are centred on a typical transaction and the attention layer has no bias, so a
 *   typical row gets uniform attention and only unusual features can draw it;
 * - the product is scaled by F (uniform attention passes z unchanged);
 * - the classifier after the block is linear by default: with hidden layers after it, attention
 *   settles on one global weighting and the hidden layers do the work. (Decoupled weight decay on
 *   `attention.weight`, set by the example's optimizer, keeps the softmax from collapsing onto one
 *   feature used as a code.)
 *
 * The weights are a second model output, `attention` [N, F] (each row sums to 1), so users and
 * the web app can set them beside attributions.
 */
import { NetBuilder, type Network } from './net.ts';
import { TABULAR_INPUT } from './mlp.ts';
import { scalingBlock, type TabularScaling } from './tabular-input.ts';

/** Name of the attention-weights output. */
export const ATTENTION_OUTPUT = 'attention';
/** Name of the attention layer's weight (for weight decay). */
export const ATTENTION_WEIGHT = 'attention.weight';

/** Shape of an attention MLP. */
export interface AttentionMlpOptions {
  features: readonly string[];
  /** Hidden widths of the classifier after the attention block (default none: a linear classifier). */
  hidden?: readonly number[];
  classes: number;
  scaling: TabularScaling;
  seed: number;
  metadata?: Record<string, string>;
}

/**
 * Builds `scale` -> `attention` (Gemm without bias, Softmax over features, Mul, scale by F) -> [`fc1`...] -> `head` -> `logits`.
 * @example const net = buildAttentionMlp({ features: FEATURE_NAMES, classes: 2, scaling, seed: 1 })
 */
export function buildAttentionMlp(o: AttentionMlpOptions): Network {
  const F = o.features.length;
  const n = new NetBuilder('transactions_attention_mlp', o.seed);
  const x = n.input(TABULAR_INPUT, ['N', F]);
  const z = scalingBlock(n, 'scale', x, o.scaling);
  const scores = n.dense('attention', z, F, F, 'glorot', undefined, { bias: false });
  const weights = n.node('attention', 'Softmax', [scores], { axis: 1 }, ATTENTION_OUTPUT);
  const count = n.constant('attention.feature_count', [], Float32Array.of(F));
  let h = n.node('attention', 'Mul', [n.node('attention', 'Mul', [z, weights]), count]);
  let width = F;
  (o.hidden ?? []).forEach((w, i) => {
    const scope = `fc${i + 1}`;
    h = n.node(scope, 'Relu', [n.dense(scope, h, width, w, 'he')]);
    width = w;
  });
  n.dense('head', h, width, o.classes, 'glorot', 'logits');
  return { model: n.model(['logits', ATTENTION_OUTPUT], o.metadata ?? {}), params: n.params, inputName: x, logitsName: 'logits' };
}
