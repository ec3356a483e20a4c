/**
 * Elementwise ops: unary activations keep their input's shape; binary and variadic ops broadcast
 * (ONNX docs/Broadcasting.md). Arithmetic, comparisons and Where are also folded on small known
 * values, since exporters compute shapes with them (`Shape -> Gather -> Add -> ... -> Reshape`).
 */
import type { Dim } from '../ir.ts';
import type { DType } from '../tensor.ts';
import { broadcastShapes, foldBroadcast } from './broadcast.ts';
import { dimAdd, dimDivExact, dimFloorDiv, dimMul, dimSub, sameDim } from './symbolic.ts';
import { attr } from '../ir.ts';
import { isIntegerDtype, like, withValue, type Fact, type Rule } from './types.ts';

type Fold = (xs: Dim[], dtype: DType | undefined) => Dim;

/** Lifts a numeric function to dims: any non-number argument gives an unknown element. */
function numeric(f: (...xs: number[]) => number | boolean): Fold {
  return (xs) => {
    if (xs.some((x) => typeof x !== 'number')) return null;
    const r = f(...(xs as number[]));
    return typeof r === 'boolean' ? (r ? 1 : 0) : r;
  };
}

/** Integer division truncates toward zero (as ONNX Runtime's Div does for integer types). */
const divide: Fold = ([a, b], dtype) => {
  if (typeof a === 'number' && typeof b === 'number') return isIntegerDtype(dtype) ? Math.trunc(a / b) : a / b;
  if (!isIntegerDtype(dtype) || typeof b !== 'number' || b <= 0) return dimDivExact(a!, b!);
  return dimDivExact(a!, b) ?? dimFloorDiv(a!, b);
};

/**
 * Equal on shape values. A symbolic element is a dimension, hence never negative: exporters test
 * `shape == -1` (Reshape's placeholder) and that is false for any symbol.
 */
const equal: Fold = ([a, b]) => {
  if (sameDim(a!, b!)) return 1;
  if (typeof a === 'number' && typeof b === 'number') return 0;
  if ((typeof a === 'string' && typeof b === 'number' && b < 0) || (typeof b === 'string' && typeof a === 'number' && a < 0)) return 0;
  return null;
};

/** A broadcasting op with an output dtype (`undefined`: the first input's) and an optional fold. */
export function broadcasting(outDtype?: DType, fold?: Fold): Rule {
  return (_node, inputs) => {
    const present = inputs.filter((x): x is Fact => x !== undefined);
    const dtype = outDtype ?? present[0]?.dtype;
    const out: Fact = { dtype, shape: broadcastShapes(present.map((x) => x.shape)) };
    const inDtype = present[0]?.dtype;
    return [withValue(out, fold && foldBroadcast(present, out.shape, (xs) => fold(xs, inDtype)))];
  };
}

/** A unary op that keeps shape and dtype, with an optional fold. */
function unary(fold?: Fold, outDtype?: DType): Rule {
  return (_node, [x]) => {
    const out = like(x, outDtype);
    const v = fold && x?.value ? x.value.map((e) => fold([e], x.dtype)) : undefined;
    return [withValue(out, v)];
  };
}

/** Where(cond, x, y): broadcast of all three; dtype of x. */
const where: Rule = (_node, [c, x, y]) => {
  const out: Fact = { dtype: x?.dtype ?? y?.dtype, shape: broadcastShapes([c?.shape, x?.shape, y?.shape]) };
  const v = c && x && y ? foldBroadcast([c, x, y], out.shape, ([k, a, b]) => (k === null ? (sameDim(a!, b!) ? a! : null) : k ? a! : b!)) : undefined;
  return [withValue(out, v)];
};

/** Mod: the sign of the divisor (Python's %) by default, C's fmod (the dividend's sign) with fmod=1. */
const floorMod = broadcasting(undefined, numeric((a, b) => ((a % b) + b) % b));
const truncMod = broadcasting(undefined, numeric((a, b) => a % b));
const mod: Rule = (node, inputs, ctx) => (attr(node, 'fmod', 'int', 0) ? truncMod : floorMod)(node, inputs, ctx);

/** Clip(x, min, max) and other ops whose extra inputs are scalars or parameters: shape of input 0. */
const sameAsFirst: Rule = (_node, [x]) => [like(x)];

const UNARY_SAME = [
  'Acos', 'Acosh', 'Asin', 'Asinh', 'Atan', 'Atanh', 'Cos', 'Cosh', 'Sin', 'Sinh', 'Tan', 'Tanh',
  'Elu', 'Celu', 'Erf', 'Gelu', 'HardSigmoid', 'HardSwish', 'LeakyRelu', 'Log', 'Mish', 'Round',
  'Selu', 'Shrink', 'Sigmoid', 'Softplus', 'Softsign', 'ThresholdedRelu', 'BitwiseNot',
];

/** Rules of this family, by ONNX op type. */
export const elementwiseRules: Record<string, Rule> = {
  ...Object.fromEntries(UNARY_SAME.map((op) => [op, unary()])),
  Abs: unary(numeric(Math.abs)),
  Ceil: unary(numeric(Math.ceil)),
  Exp: unary(numeric(Math.exp)),
  Floor: unary(numeric(Math.floor)),
  Neg: unary(([a]) => dimSub(0, a!)),
  Not: unary(numeric((a) => !a)),
  Reciprocal: unary(numeric((a) => 1 / a)),
  Relu: unary(numeric((a) => Math.max(a, 0))),
  Sign: unary(numeric(Math.sign)),
  Sqrt: unary(numeric(Math.sqrt)),
  IsNaN: unary(undefined, 'bool'),
  IsInf: unary(undefined, 'bool'),
  Clip: sameAsFirst,
  PRelu: broadcasting(),
  Add: broadcasting(undefined, ([a, b]) => dimAdd(a!, b!)),
  Sub: broadcasting(undefined, ([a, b]) => dimSub(a!, b!)),
  Mul: broadcasting(undefined, ([a, b]) => dimMul(a!, b!)),
  Div: broadcasting(undefined, divide),
  Pow: broadcasting(undefined, numeric((a, b) => a ** b)),
  Mod: mod,
  Max: broadcasting(undefined, numeric(Math.max)),
  Min: broadcasting(undefined, numeric(Math.min)),
  Sum: broadcasting(undefined, numeric((...xs) => xs.reduce((s, x) => s + x, 0))),
  Mean: broadcasting(),
  BitShift: broadcasting(),
  BitwiseAnd: broadcasting(), BitwiseOr: broadcasting(), BitwiseXor: broadcasting(),
  And: broadcasting('bool', numeric((a, b) => !!a && !!b)),
  Or: broadcasting('bool', numeric((a, b) => !!a || !!b)),
  Xor: broadcasting('bool', numeric((a, b) => !!a !== !!b)),
  Equal: broadcasting('bool', equal),
  Greater: broadcasting('bool', numeric((a, b) => a > b)),
  GreaterOrEqual: broadcasting('bool', numeric((a, b) => a >= b)),
  Less: broadcasting('bool', numeric((a, b) => a < b)),
  LessOrEqual: broadcasting('bool', numeric((a, b) => a <= b)),
  Where: where,
};
