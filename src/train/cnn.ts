/**
 * The handwritten-digits CNN, with the head that class activation maps need (Zhou et al. 2016,
 * "Learning Deep Features for Discriminative Localization", Sec. 2): convolutions, then global
 * average pooling, then one dense layer. The logit of class c is then sum_k w[c,k] * mean(A_k), so
 * CAM_c = sum_k w[c,k] * A_k is exact, and Grad-CAM on the last conv block equals it up to scale.
 */
import { NetBuilder, type Network } from './net.ts';

/** Name of the image input of the digits model. */
export const IMAGE_INPUT = 'image';

/** Shape of the CNN. */
export interface CnnOptions {
  /** Input side (square, one channel). */
  size: number;
  /** Channels of each conv block; a 2x2 max-pool follows every block but the last `unpooled`. */
  channels: readonly number[];
  /** How many of the last blocks keep their resolution (the CAM's resolution is size / 2^(blocks - unpooled)). */
  unpooled: number;
  classes: number;
  /** Whether the convolutions have biases (default true). */
  convBias?: boolean;
  seed: number;
  metadata?: Record<string, string>;
}

/**
 * Builds `conv1` (Conv 3x3 + Relu) -> `pool1` -> ... -> `convK` -> `gap` (GlobalAveragePool, Flatten) -> `head` Gemm -> `logits`.
 * The last conv block (`conv<K>`) is the layer for CAM and Grad-CAM.
 * @example const net = buildCnn({ size: 28, channels: [16, 32, 64], unpooled: 1, classes: 10, seed: 1 })
 */
export function buildCnn(o: CnnOptions): Network {
  const n = new NetBuilder('digits_cnn', o.seed);
  const x = n.input(IMAGE_INPUT, ['N', 1, o.size, o.size]);
  let h = x, inC = 1;
  o.channels.forEach((c, i) => {
    const scope = `conv${i + 1}`;
    h = n.node(scope, 'Relu', [n.conv(scope, h, inC, c, 3, { bias: o.convBias ?? true })]);
    if (i < o.channels.length - o.unpooled) h = n.node(`pool${i + 1}`, 'MaxPool', [h], { kernel_shape: [2, 2], strides: [2, 2] });
    inC = c;
  });
  const pooled = n.node('gap', 'Flatten', [n.node('gap', 'GlobalAveragePool', [h])], { axis: 1 });
  n.dense('head', pooled, inC, o.classes, 'glorot', 'logits');
  return { model: n.model(['logits'], o.metadata ?? {}), params: n.params, inputName: x, logitsName: 'logits' };
}

/** The layer reference of the last conv block (for `--layer`). */
export function lastConvLayer(o: Pick<CnnOptions, 'channels'>): string {
  return `conv${o.channels.length}`;
}
