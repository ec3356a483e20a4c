/**
 * Builds small trainable networks as IR graphs of plain ONNX ops, named the way PyTorch's exporter
 * names them (`/conv1/Conv`, parameters `conv1.weight`), so that nnlens's own summary, diagram and
 * layer references (`--layer conv3`) read the trained models like any exported model.
 */
import type { Attribute, Graph, Model } from '../graph/ir.ts';
import { emptyGraph, valueOf } from '../graph/ir.ts';
import { Tensor } from '../graph/tensor.ts';
import { Random } from '../data/random.ts';
import { initValues, type InitKind } from './init.ts';

/** A network ready for the trainer: the model, the names of its trainable weights and its I/O. */
export interface Network {
  model: Model;
  /** Trainable initializers, in creation order. */
  params: string[];
  /** The data input. */
  inputName: string;
  /** The class scores (logits) the loss is computed on. */
  logitsName: string;
}

/** Attribute values accepted by {@link NetBuilder.node}: numbers are ints unless passed through {@link float}. */
export type AttrValue = number | number[] | string | Attribute;

/** Marks a float attribute. */
export function float(value: number): Attribute { return { type: 'float', value }; }

function toAttribute(v: AttrValue): Attribute {
  if (typeof v === 'number') return { type: 'int', value: v };
  if (typeof v === 'string') return { type: 'string', value: v };
  if (Array.isArray(v)) return { type: 'ints', value: v };
  return v;
}

/**
 * Appends named nodes and seeded parameters to a new graph.
 * @example
 * const n = new NetBuilder('mlp', 1);
 * const x = n.input('x', ['N', 4]);
 * const logits = n.dense('fc1', x, 4, 2, 'glorot');
 */
export class NetBuilder {
  readonly graph: Graph;
  readonly params: string[] = [];
  private readonly rng: Random;
  private readonly used = new Set<string>();

  constructor(name: string, seed: number) {
    this.graph = emptyGraph(name);
    this.rng = new Random(seed);
  }

  /** Declares a float32 graph input. */
  input(name: string, shape: (number | string)[]): string {
    const v = valueOf(this.graph, name);
    v.dtype = 'float32';
    v.shape = shape;
    this.graph.inputs.push(name);
    return name;
  }

  /**
   * Appends one node in module `scope`; returns its output name (`output` when given, for model outputs).
   * @example const h = n.node('fc1', 'Relu', [x]);
   */
  node(scope: string, op: string, inputs: string[], attrs: Record<string, AttrValue> = {}, output?: string): string {
    let name = `/${scope}/${op}`;
    for (let k = 1; this.used.has(name); k++) name = `/${scope}/${op}_${k}`;
    this.used.add(name);
    const out = output ?? `${name}_output_0`;
    const attributes: Record<string, Attribute> = {};
    for (const [k, v] of Object.entries(attrs)) attributes[k] = toAttribute(v);
    this.graph.nodes.push({ name, op, domain: '', inputs, outputs: [out], attributes, group: [], params: [] });
    valueOf(this.graph, out);
    return out;
  }

  /** A constant (non-trainable) float32 initializer named `name`. */
  constant(name: string, shape: number[], data: Float32Array): string {
    const v = valueOf(this.graph, name);
    v.initializer = Tensor.of('float32', shape, data);
    v.dtype = 'float32';
    v.shape = shape;
    return name;
  }

  /** A trainable parameter `scope.role`, drawn with `init`. */
  param(scope: string, role: string, shape: number[], init: InitKind, fan: { fanIn: number; fanOut: number }): string {
    const name = `${scope}.${role}`;
    const count = shape.reduce((p, d) => p * d, 1);
    this.constant(name, shape, initValues(init, count, fan, this.rng));
    this.params.push(name);
    return name;
  }

  /**
   * A fully connected layer y = x W^T + b (PyTorch's `Linear` layout: W is [out, in]).
   * `init` is He for layers followed by ReLU, Glorot otherwise.
   */
  dense(scope: string, x: string, inF: number, outF: number, init: InitKind, output?: string, o: { bias?: boolean } = {}): string {
    const w = this.param(scope, 'weight', [outF, inF], init, { fanIn: inF, fanOut: outF });
    const inputs = [x, w];
    if (o.bias ?? true) inputs.push(this.param(scope, 'bias', [outF], 'zeros', { fanIn: inF, fanOut: outF }));
    return this.node(scope, 'Gemm', inputs, { transB: 1 }, output);
  }

  /** A k x k convolution with 'same' padding (stride 1), He-initialised for the ReLU after it; with a bias unless `bias` is false. */
  conv(scope: string, x: string, inC: number, outC: number, k: number, o: { bias?: boolean } = {}): string {
    const fan = { fanIn: inC * k * k, fanOut: outC * k * k };
    const inputs = [x, this.param(scope, 'weight', [outC, inC, k, k], 'he', fan)];
    if (o.bias ?? true) inputs.push(this.param(scope, 'bias', [outC], 'zeros', fan));
    const p = Math.floor(k / 2);
    return this.node(scope, 'Conv', inputs, { kernel_shape: [k, k], pads: [p, p, p, p], strides: [1, 1] });
  }

  /**
   * The finished model (ONNX opset 17), with `outputs` as graph outputs in that order.
   * @example const model = n.model(['logits'], { 'nnlens.task': 'classification' })
   */
  model(outputs: string[], metadata: Record<string, string>, path = `${this.graph.name}.onnx`): Model {
    this.graph.outputs = outputs;
    for (const o of outputs) valueOf(this.graph, o).dtype = 'float32';
    return { format: 'onnx', formatLabel: 'ONNX (trained by nnlens)', path, producer: 'nnlens', opsets: { '': 17 }, metadata, graph: this.graph, warnings: [] };
  }
}

/**
 * The current values of a network's parameters (copies).
 * @example const w = paramValues(net); w.get('fc1.weight')!.length
 */
export function paramValues(net: Network): Map<string, Float32Array> {
  const out = new Map<string, Float32Array>();
  for (const p of net.params) out.set(p, Float32Array.from(net.model.graph.values.get(p)!.initializer!.float32()));
  return out;
}

/** Writes parameter values back into the model's initializers (after training). */
export function setParamValues(net: Network, values: ReadonlyMap<string, Float32Array>): void {
  for (const p of net.params) {
    const v = net.model.graph.values.get(p)!;
    const data = values.get(p);
    if (!data) throw new Error(`no value for parameter '${p}'`);
    v.initializer = Tensor.of('float32', [...v.initializer!.shape], Float32Array.from(data));
  }
}
