/**
 * Normalization and the softmax family (ONNX Operators.md): the main output has the input's shape;
 * BatchNormalization's training outputs are per-channel `[C]`, LayerNormalization's Mean and
 * InvStdDev keep the leading dims and put 1 in the normalized ones.
 */
import { attr } from '../ir.ts';
import { normAxis, like, type Fact, type Rule } from './types.ts';

const sameShape: Rule = (_node, [x]) => [like(x)];

/** BatchNormalization: Y like X, then up to four `[C]` statistics (training mode). */
const batchNorm: Rule = (node, [x]) => {
  const c = x?.shape?.[1] ?? null;
  return node.outputs.map((_, i) => (i === 0 ? like(x) : { dtype: x?.dtype, shape: [c] }));
};

/** LayerNormalization (opset 17): Y like X; Mean and InvStdDev are X.shape[:axis] + [1] * (rank - axis). */
const layerNorm: Rule = (node, [x]) => {
  if (!x?.shape) return [like(x), {}, {}];
  const rank = x.shape.length;
  const axis = normAxis(attr(node, 'axis', 'int', -1), rank);
  const stat: Fact = { dtype: 'float32', shape: x.shape.map((d, i) => (i < axis ? d : 1)) };
  return [like(x), stat, { ...stat, shape: [...stat.shape!] }];
};

/** Rules of this family, by ONNX op type. */
export const normRules: Record<string, Rule> = {
  BatchNormalization: batchNorm,
  LayerNormalization: layerNorm,
  InstanceNormalization: sameShape,
  GroupNormalization: sameShape,
  LpNormalization: sameShape,
  MeanVarianceNormalization: sameShape,
  LRN: sameShape,
  Softmax: sameShape,
  LogSoftmax: sameShape,
  Hardmax: sameShape,
};
