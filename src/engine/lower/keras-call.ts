/**
 * What one layer lowering sees: one call of one Keras layer (inputs as executable tensors in
 * Keras layout, their Keras shapes, masks), an {@link Emit} to append ONNX nodes with, and its
 * weights, re-laid out on demand as new constant initializers.
 */
import { NnlensError } from '../../errors.ts';
import type { Graph, Node, Param, Shape } from '../../graph/ir.ts';
import { valueOf } from '../../graph/ir.ts';
import { Tensor } from '../../graph/tensor.ts';
import type { Emit } from '../emit.ts';
import type { KerasConfig } from './keras-args.ts';

/** Which framework's semantics apply where they differ (hard_sigmoid, LeakyReLU defaults...). */
export interface Dialect {
  /** Keras major version that wrote the config (1, 2 or 3); TF.js layers models count as 2. */
  keras: number;
  /** The full Keras version when known (`[2, 2, 4]`), else `[keras]`. */
  version: number[];
  /** The model is a TF.js layers model (TF.js semantics). */
  tfjs: boolean;
}

/** One call of a layer, as a lowering function receives it. */
export interface LayerCall {
  /** The source node (a Keras layer). */
  node: Node;
  /** The layer's config (for a wrapped layer, the inner layer's). */
  cfg: KerasConfig;
  /** Layer class name (for a wrapped layer, the inner layer's). */
  className: string;
  /** Executable input tensors, in Keras layout. */
  inputs: string[];
  /** Keras shapes of the inputs (batch first; undefined when unknown). */
  inShapes: (Shape | undefined)[];
  /** Keras shapes of the outputs, as the loader inferred them. */
  outShapes: (Shape | undefined)[];
  /** Keras masks of the inputs (bool [N, T]), from Embedding(mask_zero) or Masking. */
  masks: (string | undefined)[];
  e: Emit;
  w: Weights;
  dialect: Dialect;
  /** Throws an NnlensError naming the model file and the layer. */
  fail(why: string): never;
}

/** What a lowering returns: output tensors (Keras layout) and, when it sets them, their masks. */
export interface LayerResult {
  outputs: string[];
  masks?: (string | undefined)[];
}

/** Lowers one layer call to ONNX nodes. */
export type LayerLowering = (c: LayerCall) => string[] | LayerResult;

/**
 * A layer's weights by role (`kernel`, `bias`, `forward/kernel`...). Constants are created once
 * per (layer, role, layout) and shared by every call of a shared layer.
 */
export class Weights {
  constructor(
    private readonly graph: Graph,
    private readonly node: Node,
    private readonly file: string,
    private readonly cache: Map<string, string>,
    private readonly prefix = '',
  ) {}

  /** The weights of a wrapped layer (`forward/` of a Bidirectional). */
  sub(prefix: string): Weights {
    return new Weights(this.graph, this.node, this.file, this.cache, this.prefix + prefix);
  }

  private param(role: string): Param | undefined {
    return this.node.params.find((p) => p.role === this.prefix + role);
  }

  /** Whether the layer holds a weight of this role. */
  has(role: string): boolean { return this.param(role) !== undefined; }

  /** The values of a weight (float32) and its shape; a missing weight is an NnlensError. */
  get(role: string): { data: Float32Array; shape: number[] } {
    const p = this.param(role);
    if (!p) {
      const have = this.node.params.map((q) => q.role).join(', ') || 'none';
      throw new NnlensError(this.file, `layer '${this.node.name}' (${this.node.op}) has no '${this.prefix + role}' weight (it has: ${have}); the weights file does not match the architecture`);
    }
    return { data: p.tensor.float32(), shape: [...p.tensor.shape] };
  }

  /**
   * A constant initializer holding a weight, transformed by `layout` (re-layout, reordering of
   * gates...) and cached under `key`; without `layout`, the weight as stored.
   * @example w.constant('kernel', 'OIHW', (k) => permute(k.data, k.shape, [3, 2, 0, 1]))
   */
  constant(role: string, key = 'as-is', layout?: (w: { data: Float32Array; shape: number[] }) => { data: Float32Array; shape: number[] }): string {
    const cacheKey = `${this.node.name}|${this.prefix}${role}|${key}`;
    const hit = this.cache.get(cacheKey);
    if (hit) return hit;
    const w = this.get(role);
    const t = layout ? layout(w) : w;
    const base = `${this.node.name}/${this.prefix}${role}${key === 'as-is' ? '' : `_${key}`}`;
    let name = base;
    for (let k = 2; this.graph.values.has(name); k++) name = `${base}_${k}`;
    const v = valueOf(this.graph, name);
    v.initializer = Tensor.of('float32', t.shape, t.data);
    v.dtype = 'float32';
    v.shape = t.shape;
    this.cache.set(cacheKey, name);
    return name;
  }
}
