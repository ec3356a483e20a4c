/**
 * What shape rules see and return. A rule gets one {@link Fact} per node input and returns one per
 * output: dtype, shape and, for tiny tensors, the values themselves, so that shape-computing
 * subgraphs (Shape -> Gather -> Unsqueeze -> Concat -> Reshape) fold to real shapes.
 */
import type { Dim, Graph, Node, Shape } from '../ir.ts';
import type { DType } from '../tensor.ts';

/**
 * What is known about one tensor. `value` holds the elements (row-major) of small tensors whose
 * shape is fully known; an element is a number, a symbolic dimension (a value read from `Shape`
 * of a symbolic input) or null when that element is unknown.
 */
export interface Fact {
  dtype?: DType;
  shape?: Shape;
  value?: Dim[];
}

/** What a rule may know besides its inputs. */
export interface InferContext {
  /** Opset version of the node's domain (0 when the format has no opsets, e.g. TF). */
  opset: number;
  /**
   * Infers a subgraph (If branches, Loop and Scan bodies) with the enclosing graph's facts in
   * scope, given facts for its formal inputs; returns facts for its outputs.
   */
  subgraph?(graph: Graph, inputs: (Fact | undefined)[]): Fact[];
}

/**
 * A shape rule: facts about the inputs (undefined for an omitted optional input) to facts about
 * the outputs (one per output; an empty fact where nothing is known). Throws on inputs that
 * cannot be right (the driver turns that into a warning naming the node).
 */
export type Rule = (node: Node, inputs: (Fact | undefined)[], ctx: InferContext) => Fact[];

/** Tensors with at most this many elements keep their values (shape arithmetic, scales, axes). */
export const MAX_FOLD = 256;

/** Normalizes a possibly negative axis against a rank; throws when out of range. */
export function normAxis(axis: number, rank: number): number {
  const a = axis < 0 ? axis + rank : axis;
  if (a < 0 || a >= rank) throw new Error(`axis ${axis} is out of range for rank ${rank}`);
  return a;
}

/** The shape as numbers, or undefined when any dim is not a known number. */
export function numericShape(shape: Shape | undefined): number[] | undefined {
  if (!shape || shape.some((d) => typeof d !== 'number')) return undefined;
  return shape as number[];
}

/** Element count of a fully known shape, else undefined. */
export function knownSize(shape: Shape | undefined): number | undefined {
  const s = numericShape(shape);
  return s ? s.reduce((a, b) => a * b, 1) : undefined;
}

/** The value of a fact as plain numbers, or undefined when not known element by element. */
export function ints(fact: Fact | undefined): number[] | undefined {
  const v = fact?.value;
  if (!v || v.some((x) => typeof x !== 'number')) return undefined;
  return v as number[];
}

/** The single element of a scalar (or 1-element) fact, possibly symbolic; undefined when unknown. */
export function scalar(fact: Fact | undefined): Dim | undefined {
  return fact?.value?.length === 1 ? fact.value[0] : undefined;
}

/** A fact with the same dtype and shape as `x` (values are not carried). */
export function like(x: Fact | undefined, dtype?: DType): Fact {
  return { dtype: dtype ?? x?.dtype, shape: x?.shape && [...x.shape] };
}

/** Keeps `value` only when the shape is fully known and small enough to fold. */
export function withValue(fact: Fact, value: Dim[] | undefined): Fact {
  const n = knownSize(fact.shape);
  if (value && n !== undefined && n === value.length && n <= MAX_FOLD) fact.value = value;
  return fact;
}

/** Whether a dtype holds integers (for integer division and rounding of folded values). */
export function isIntegerDtype(dtype: DType | undefined): boolean {
  return dtype !== undefined && /^u?int|^bool$/.test(dtype);
}

/** Row-major strides of a numeric shape. */
export function stridesOf(shape: readonly number[]): number[] {
  const s = new Array<number>(shape.length);
  let acc = 1;
  for (let i = shape.length - 1; i >= 0; i--) { s[i] = acc; acc *= shape[i]!; }
  return s;
}

/** ONNX `TensorProto.DataType` codes (onnx/onnx.proto) to nnlens dtypes, for `Cast.to` and friends. */
export const ONNX_TYPE_CODES: readonly (DType | undefined)[] = [
  undefined, 'float32', 'uint8', 'int8', 'uint16', 'int16', 'int32', 'int64', 'string', 'bool',
  'float16', 'float64', 'uint32', 'uint64', undefined, undefined, 'bfloat16',
];
