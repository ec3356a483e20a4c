/**
 * Appends ONNX nodes to an IR graph with fresh, readable names. Gradient rules, targets and
 * explainers use it to write their arithmetic as ONNX ops, so that ONNX Runtime executes it.
 */
import type { Attribute, Graph, Node } from '../graph/ir.ts';
import { valueOf } from '../graph/ir.ts';
import { Tensor, type DType } from '../graph/tensor.ts';

/** Attribute shorthands: numbers become `int` unless wrapped with {@link f}. */
export type AttrInput = number | string | number[] | string[] | Attribute | { float: number } | { floats: number[] };

/** Marks a number as a float attribute (ONNX distinguishes `alpha=1.0` from `axis=1`). */
export function f(value: number): { float: number } { return { float: value }; }
/** Marks a number list as a floats attribute. */
export function fs(values: number[]): { floats: number[] } { return { floats: values }; }

function toAttribute(v: AttrInput): Attribute {
  if (typeof v === 'number') return { type: 'int', value: v };
  if (typeof v === 'string') return { type: 'string', value: v };
  if (Array.isArray(v)) {
    return v.length > 0 && typeof v[0] === 'string'
      ? { type: 'strings', value: v as string[] }
      : { type: 'ints', value: v as number[] };
  }
  if ('float' in v) return { type: 'float', value: v.float };
  if ('floats' in v) return { type: 'floats', value: v.floats };
  return v;
}

/** Builds nodes into `graph`; every name it creates starts with `prefix`. */
export class GraphBuilder {
  private counter = 0;
  constructor(readonly graph: Graph, readonly prefix: string) {}

  /** A fresh value name. */
  fresh(hint: string): string {
    let name: string;
    do name = `${this.prefix}/${hint}_${this.counter++}`; while (this.graph.values.has(name));
    return name;
  }

  /**
   * Appends one node and returns its output names.
   * @example const [y] = b.node('Mul', [a, c]);
   */
  node(op: string, inputs: string[], attrs: Record<string, AttrInput> = {}, outputs = 1, domain = ''): string[] {
    const outs = Array.from({ length: outputs }, () => this.fresh(op));
    const attributes: Record<string, Attribute> = {};
    for (const [k, v] of Object.entries(attrs)) attributes[k] = toAttribute(v);
    const node: Node = { name: this.fresh(`${op}_node`), op, domain, inputs, outputs: outs, attributes, group: [], params: [] };
    this.graph.nodes.push(node);
    for (const o of outs) valueOf(this.graph, o);
    return outs;
  }

  /** Appends one single-output node and returns the output name. */
  op(op: string, inputs: string[], attrs: Record<string, AttrInput> = {}): string {
    return this.node(op, inputs, attrs)[0]!;
  }

  /** Adds a constant initializer and returns its name. */
  constant(dtype: DType, shape: number[], data: Float32Array | BigInt64Array | Int32Array | Uint8Array | Float64Array, hint = 'const'): string {
    return this.lazyConstant(Tensor.of(dtype, shape, data), hint);
  }

  /**
   * A constant holding `tensor`. A lazy tensor's values are computed only when the graph is
   * serialized (and not kept), e.g. a re-laid-out copy of a weight: it costs no memory until
   * ONNX Runtime takes it.
   */
  lazyConstant(tensor: Tensor, hint = 'const'): string {
    const name = this.fresh(hint);
    const v = valueOf(this.graph, name);
    v.initializer = tensor;
    v.dtype = tensor.dtype;
    v.shape = [...tensor.shape];
    return name;
  }

  /** A float32 constant (scalar when `shape` is []). */
  floats(values: number[], shape: number[] = [values.length]): string {
    return this.constant('float32', shape, Float32Array.from(values), 'f');
  }

  /** An int64 1-D constant (axes, shapes, pads...). */
  ints(values: number[], shape: number[] = [values.length]): string {
    return this.constant('int64', shape, BigInt64Array.from(values.map((v) => BigInt(v))), 'i');
  }

  /** Declares a new graph input. */
  input(name: string, dtype: DType, shape: (number | string | null)[]): string {
    const v = valueOf(this.graph, name);
    v.dtype = dtype;
    v.shape = shape;
    if (!this.graph.inputs.includes(name)) this.graph.inputs.push(name);
    return name;
  }
}
