/**
 * Backward rules of normalization layers.
 * BatchNormalization (inference): y = scale * (x - mean) / sqrt(var + eps) + B is affine per
 * channel, so dx = dy * scale / sqrt(var + eps).
 * Layer/Instance normalization: with xhat = (x - mu) / sigma over the normalized axes and
 * g = dy * scale, dx = (g - mean(g) - xhat * mean(g * xhat)) / sigma (Ba et al. 2016; the usual
 * derivation, e.g. PyTorch's native_layer_norm_backward).
 */
import { attr } from '../../graph/ir.ts';
import type { GradContext, GradRule } from './rule.ts';

/** Reshapes a per-channel [C] vector to broadcast over [N, C, ...spatial]. */
function perChannel(c: GradContext, v: string, rank: number): string {
  const C = c.shape(c.node.inputs[0]!)[1]!;
  return c.e.reshape(v, [1, C, ...new Array(Math.max(0, rank - 2)).fill(1)]);
}

export const batchNorm: GradRule = {
  ops: ['BatchNormalization'],
  grad: (c) => {
    if (attr(c.node, 'training_mode', 'int', 0)) throw new Error(`node '${c.node.name}': gradient of training-mode BatchNormalization is not supported`);
    const e = c.e;
    const [x, scale, , mean, variance] = c.node.inputs as [string, string, string, string, string];
    const rank = c.shape(x).length;
    const eps = attr(c.node, 'epsilon', 'float', 1e-5);
    const invStd = (): string => e.op('Reciprocal', [e.op('Sqrt', [e.add(variance, e.scalar(eps))])]);
    const axes = [0, ...Array.from({ length: rank - 2 }, (_, i) => i + 2)];
    return [
      () => e.mul(c.dy()!, perChannel(c, e.mul(scale, invStd()), rank)),
      () => {
        const xhat = e.mul(e.sub(x, perChannel(c, mean, rank)), perChannel(c, invStd(), rank));
        return e.reduceSum(e.mul(c.dy()!, xhat), axes, false);
      },
      () => e.reduceSum(c.dy()!, axes, false),
      undefined,
      undefined,
    ];
  },
};

function normBackward(c: GradContext, axes: number[], scaleBroadcast: string | undefined, eps: number): string {
  const e = c.e, x = c.node.inputs[0]!;
  const mu = e.reduceMean(x, axes, true);
  const xc = e.sub(x, mu);
  const variance = e.reduceMean(e.mul(xc, xc), axes, true);
  const invSigma = e.op('Reciprocal', [e.op('Sqrt', [e.add(variance, e.scalar(eps))])]);
  const xhat = e.mul(xc, invSigma);
  const g = scaleBroadcast ? e.mul(c.dy()!, scaleBroadcast) : c.dy()!;
  const t = e.sub(e.sub(g, e.reduceMean(g, axes, true)), e.mul(xhat, e.reduceMean(e.mul(g, xhat), axes, true)));
  return e.mul(t, invSigma);
}

function xhatOf(c: GradContext, axes: number[], eps: number): string {
  const e = c.e, x = c.node.inputs[0]!;
  const xc = e.sub(x, e.reduceMean(x, axes, true));
  return e.mul(xc, e.op('Reciprocal', [e.op('Sqrt', [e.add(e.reduceMean(e.mul(xc, xc), axes, true), e.scalar(eps))])]));
}

export const layerNorm: GradRule = {
  ops: ['LayerNormalization'],
  grad: (c) => {
    const x = c.node.inputs[0]!, rank = c.shape(x).length;
    let axis = attr(c.node, 'axis', 'int', -1);
    if (axis < 0) axis += rank;
    const axes = Array.from({ length: rank - axis }, (_, i) => axis + i);
    const lead = Array.from({ length: axis }, (_, i) => i);
    const eps = attr(c.node, 'epsilon', 'float', 1e-5);
    const [, scale, bias] = c.node.inputs as [string, string, string | undefined];
    return [
      () => normBackward(c, axes, scale, eps),
      () => c.e.reduceSum(c.e.mul(c.dy()!, xhatOf(c, axes, eps)), lead, false),
      bias ? () => c.e.reduceSum(c.dy()!, lead, false) : undefined,
    ];
  },
};

export const instanceNorm: GradRule = {
  ops: ['InstanceNormalization'],
  grad: (c) => {
    const x = c.node.inputs[0]!, rank = c.shape(x).length;
    const axes = Array.from({ length: rank - 2 }, (_, i) => i + 2);
    const eps = attr(c.node, 'epsilon', 'float', 1e-5);
    const [, scale] = c.node.inputs as [string, string];
    return [
      () => normBackward(c, axes, perChannel(c, scale, rank), eps),
      () => c.e.reduceSum(c.e.mul(c.dy()!, xhatOf(c, axes, eps)), [0, ...axes], false),
      () => c.e.reduceSum(c.dy()!, [0, ...axes], false),
    ];
  },
};

export const RULES: GradRule[] = [batchNorm, layerNorm, instanceNorm];
