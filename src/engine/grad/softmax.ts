/**
 * Backward rules of Softmax and LogSoftmax along one axis.
 * Softmax: dx = y * (dy - sum(dy * y)). LogSoftmax: dx = dy - exp(y) * sum(dy).
 * Before opset 13 both ops coerced the input to 2-D at `axis` (default 1); the rules reduce over
 * all axes from `axis` on in that case, which is the same computation.
 */
import { attr } from '../../graph/ir.ts';
import type { GradContext, GradRule } from './rule.ts';

function axes(c: GradContext): number[] {
  const rank = c.shape(c.node.inputs[0]!).length;
  const legacy = c.e.opset < 13;
  let axis = attr(c.node, 'axis', 'int', legacy ? 1 : -1);
  if (axis < 0) axis += rank;
  if (!legacy) return [axis];
  return Array.from({ length: rank - axis }, (_, i) => axis + i);
}

export const softmax: GradRule = {
  ops: ['Softmax'],
  grad: (c) => [() => {
    const e = c.e, y = c.node.outputs[0]!, dy = c.dy()!;
    const s = e.reduceSum(e.mul(dy, y), axes(c), true);
    return e.mul(y, e.sub(dy, s));
  }],
};

export const logSoftmax: GradRule = {
  ops: ['LogSoftmax'],
  grad: (c) => [() => {
    const e = c.e, y = c.node.outputs[0]!, dy = c.dy()!;
    const s = e.reduceSum(dy, axes(c), true);
    return e.sub(dy, e.mul(e.op('Exp', [y]), s));
  }],
};

export const RULES: GradRule[] = [softmax, logSoftmax];
