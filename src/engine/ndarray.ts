/**
 * Arrays passed into and out of the engine: plain dtype + shape + data, independent of the
 * runtime's own tensor class (onnxruntime-node and -web each have one).
 */
import type { DType, TensorArray } from '../graph/tensor.ts';

/** A dense array in row-major (C) order. */
export interface NdArray {
  dtype: DType;
  shape: number[];
  data: TensorArray;
}

/** A float32 NdArray. */
export function f32(shape: number[], data?: Float32Array | number[]): NdArray & { data: Float32Array } {
  const n = shape.reduce((p, d) => p * d, 1);
  const arr = data instanceof Float32Array ? data : data ? Float32Array.from(data) : new Float32Array(n);
  if (arr.length !== n) throw new Error(`f32: ${arr.length} values do not fill shape [${shape.join(', ')}]`);
  return { dtype: 'float32', shape, data: arr };
}

/** An int64 NdArray from numbers. */
export function i64(shape: number[], data: number[]): NdArray {
  return { dtype: 'int64', shape, data: BigInt64Array.from(data.map((v) => BigInt(v))) };
}

/** Element count of a shape. */
export function numel(shape: readonly number[]): number {
  return shape.reduce((p, d) => p * d, 1);
}
