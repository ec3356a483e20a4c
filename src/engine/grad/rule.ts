/**
 * The shape of a gradient rule (STYLE.md 2, after tfjs-core's `src/gradients/*_grad.ts`):
 * a rule receives the forward node and the gradients flowing into its outputs, and returns one
 * thunk per input that, when called, appends the ONNX nodes computing that input's gradient.
 * Thunks let the autodiff build only the gradients that are actually needed.
 */
import type { Node } from '../../graph/ir.ts';
import type { DType } from '../../graph/tensor.ts';
import type { Emit } from '../emit.ts';

/** What a rule can see and use. */
export interface GradContext {
  node: Node;
  /** Emitter that appends backward nodes (opset-aware helpers included). */
  e: Emit;
  /** Gradient w.r.t. output `i`, or undefined when nothing flows into it. */
  dy(i?: number): string | undefined;
  /** Gradient w.r.t. output `i`, materializing zeros when nothing flows into it. */
  dyOrZeros(i: number): string;
  /** Concrete shape of a forward value (from the shape probe). */
  shape(name: string): number[];
  dtype(name: string): DType;
  /** Constant values of an initializer input, if the input is one (for axes, shapes, pads...). */
  constant(name: string): number[] | undefined;
  /** A float initializer's values without conversion to a JS array (weights: conv kernels...). */
  weights(name: string): Float32Array | undefined;
}

/** Per-input gradient builders; `undefined` where the input has no gradient (indices, shapes...). */
export type GradThunks = Array<(() => string) | undefined>;

/** A backward rule for one or more op types. */
export interface GradRule {
  ops: string[];
  grad(ctx: GradContext): GradThunks;
}
