/**
 * Backward rules of reductions. The reduced gradient is reshaped to keepdims form and broadcast
 * back: ReduceSum passes dy to every element, ReduceMean divides by the count, ReduceMax sends
 * dy to the elements equal to the maximum (split evenly between ties, as PyTorch's amax does).
 */
import { attr } from '../../graph/ir.ts';
import type { GradContext, GradRule } from './rule.ts';

/** Axes of a reduce node (attribute before opset 13/18, second input after), normalized; [] = all. */
function reduceAxes(c: GradContext): number[] {
  const rank = c.shape(c.node.inputs[0]!).length;
  let axes = attr(c.node, 'axes', 'ints', []);
  const axesInput = c.node.inputs[1];
  if (axesInput) {
    const v = c.constant(axesInput);
    if (!v) throw new Error(`node '${c.node.name}' (${c.node.op}): axes must be constant to differentiate`);
    axes = v;
  }
  if (axes.length === 0 && attr(c.node, 'noop_with_empty_axes', 'int', 0) === 0) axes = Array.from({ length: rank }, (_, i) => i);
  return axes.map((a) => (a < 0 ? a + rank : a));
}

/** dy reshaped to the keepdims shape of the reduction. */
function keepdimsGrad(c: GradContext, axes: number[]): string {
  const xs = c.shape(c.node.inputs[0]!);
  const kd = xs.map((d, i) => (axes.includes(i) ? 1 : d));
  return attr(c.node, 'keepdims', 'int', 1) ? c.dy()! : c.e.reshape(c.dy()!, kd);
}

export const reduceSum: GradRule = {
  ops: ['ReduceSum'],
  grad: (c) => [() => c.e.expand(keepdimsGrad(c, reduceAxes(c)), c.shape(c.node.inputs[0]!)), undefined],
};

export const reduceMean: GradRule = {
  ops: ['ReduceMean'],
  grad: (c) => [() => {
    const axes = reduceAxes(c), xs = c.shape(c.node.inputs[0]!);
    const n = axes.reduce((p, a) => p * xs[a]!, 1);
    return c.e.expand(c.e.scale(keepdimsGrad(c, axes), 1 / n), xs);
  }, undefined],
};

export const reduceMax: GradRule = {
  ops: ['ReduceMax', 'ReduceMin'],
  grad: (c) => [() => {
    const e = c.e, axes = reduceAxes(c), x = c.node.inputs[0]!, xs = c.shape(x);
    const kd = xs.map((d, i) => (axes.includes(i) ? 1 : d));
    const y = attr(c.node, 'keepdims', 'int', 1) ? c.node.outputs[0]! : e.reshape(c.node.outputs[0]!, kd);
    const mask = e.op('Cast', [e.op('Equal', [x, y])], { to: 1 });
    const ties = e.reduceSum(mask, axes, true);
    return e.mul(mask, e.div(keepdimsGrad(c, axes), ties));
  }, undefined],
};

export const RULES: GradRule[] = [reduceSum, reduceMean, reduceMax];
