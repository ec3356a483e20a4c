/**
 * Tensors of the IR: a dtype, a shape and data that is read only when asked for.
 *
 * Weights of a 1 GB model must not be copied into memory when the model is merely opened
 * (Netron-style browsing), so a {@link Tensor} holds a {@link TensorSource} that knows where
 * the bytes are (a file region, an HDF5 dataset, a zip member...) and reads them on demand.
 */

/** Element types, named as onnxruntime names them. */
export type DType =
  | 'float32' | 'float64' | 'float16' | 'bfloat16'
  | 'int8' | 'uint8' | 'int16' | 'uint16' | 'int32' | 'uint32' | 'int64' | 'uint64'
  | 'bool' | 'string';

/** Typed array of any dtype (64-bit integers as BigInt arrays, strings as string[]). */
export type TensorArray =
  | Float32Array | Float64Array | Int8Array | Uint8Array | Int16Array | Uint16Array
  | Int32Array | Uint32Array | BigInt64Array | BigUint64Array | string[];

/** Byte size of one element (0 for strings, whose size varies). */
export const DTYPE_BYTES: Record<DType, number> = {
  float32: 4, float64: 8, float16: 2, bfloat16: 2, int8: 1, uint8: 1, int16: 2, uint16: 2,
  int32: 4, uint32: 4, int64: 8, uint64: 8, bool: 1, string: 0,
};

/** Where a tensor's values come from; `read` is called at most once per Tensor (the result is cached). */
export interface TensorSource {
  /** Human-readable place, used in error messages (e.g. `model.onnx.data @ 1024`). */
  readonly where: string;
  /** Returns the values, decoded to the tensor's dtype. */
  read(): TensorArray;
  /**
   * Optional: the values as little-endian bytes (ONNX raw_data layout) in pieces, each valid only
   * until the next is requested (pieces may share one scratch buffer). Lets a writer stream a
   * weight without allocating an array for it.
   */
  chunks?(): Iterable<Uint8Array>;
}

/** Number of elements of a fully known shape. */
export function sizeOf(shape: readonly number[]): number {
  let n = 1;
  for (const d of shape) n *= d;
  return n;
}

/** Allocates a typed array of the right class for `dtype`. */
export function allocArray(dtype: DType, n: number): TensorArray {
  switch (dtype) {
    case 'float32': return new Float32Array(n);
    case 'float64': return new Float64Array(n);
    case 'float16': case 'bfloat16': case 'uint16': return new Uint16Array(n);
    case 'int8': return new Int8Array(n);
    case 'uint8': case 'bool': return new Uint8Array(n);
    case 'int16': return new Int16Array(n);
    case 'int32': return new Int32Array(n);
    case 'uint32': return new Uint32Array(n);
    case 'int64': return new BigInt64Array(n);
    case 'uint64': return new BigUint64Array(n);
    case 'string': return new Array<string>(n).fill('');
  }
}

/**
 * Decodes little-endian bytes into a typed array of `dtype` (copying, so alignment never matters).
 * float16/bfloat16 stay as raw Uint16 bit patterns; use {@link toFloat32} to get numbers.
 */
export function fromBytes(dtype: DType, bytes: Uint8Array): TensorArray {
  const size = DTYPE_BYTES[dtype];
  if (size === 0) throw new Error('string tensors have no fixed-size byte layout');
  const n = Math.floor(bytes.byteLength / size);
  const out = allocArray(dtype, n) as Exclude<TensorArray, string[]>;
  new Uint8Array(out.buffer, out.byteOffset, n * size).set(bytes.subarray(0, n * size));
  return out;
}

/** Converts an IEEE half-precision bit pattern to a number. */
export function halfToFloat(h: number): number {
  const s = h & 0x8000 ? -1 : 1;
  const e = (h >> 10) & 0x1f;
  const f = h & 0x3ff;
  if (e === 0) return s * f * 2 ** -24;
  if (e === 31) return f ? NaN : s * Infinity;
  return s * (1 + f / 1024) * 2 ** (e - 15);
}

/** Any numeric tensor array as Float32Array (float16/bfloat16 decoded; bool as 0/1). */
export function toFloat32(dtype: DType, data: TensorArray): Float32Array {
  if (data instanceof Float32Array) return data;
  if (Array.isArray(data)) throw new Error('string tensor has no numeric values');
  const out = new Float32Array(data.length);
  if (dtype === 'float16') {
    for (let i = 0; i < out.length; i++) out[i] = halfToFloat(Number(data[i]));
  } else if (dtype === 'bfloat16') {
    const u = new Uint32Array(1), f = new Float32Array(u.buffer);
    for (let i = 0; i < out.length; i++) { u[0] = Number(data[i]) << 16; out[i] = f[0]!; }
  } else {
    for (let i = 0; i < out.length; i++) out[i] = Number(data[i]);
  }
  return out;
}

/** A tensor of known dtype and shape whose values are read lazily from a {@link TensorSource}. */
export class Tensor {
  private cached: TensorArray | undefined;
  constructor(
    readonly dtype: DType,
    readonly shape: readonly number[],
    private readonly source: TensorSource,
  ) {}

  /** Builds a tensor from values already in memory. */
  static of(dtype: DType, shape: readonly number[], data: TensorArray): Tensor {
    const t = new Tensor(dtype, shape, { where: 'memory', read: () => data });
    t.cached = data;
    return t;
  }

  /** Number of elements. */
  get size(): number { return sizeOf(this.shape); }
  /** Bytes the values occupy (0 for strings). */
  get byteLength(): number { return this.size * DTYPE_BYTES[this.dtype]; }
  /** Where the values are stored. */
  get where(): string { return this.source.where; }
  /** Whether the values are already in memory. */
  get loaded(): boolean { return this.cached !== undefined; }

  /** Reads (once) and returns the values; throws if the stored byte count does not match the shape. */
  data(): TensorArray {
    this.cached ??= this.transientData();
    return this.cached;
  }

  /** Values as Float32Array (converting from other numeric dtypes). */
  float32(): Float32Array { return toFloat32(this.dtype, this.data()); }

  /**
   * The values as little-endian bytes in pieces, each valid until the next is requested: the
   * cached values when loaded, else the source's own pieces (no allocation for file-backed
   * weights), else one transient read. Not for strings.
   */
  *rawChunks(): Generator<Uint8Array> {
    if (this.cached === undefined && this.source.chunks) {
      let n = 0;
      for (const c of this.source.chunks()) { n += c.byteLength; yield c; }
      if (n !== this.byteLength) throw new Error(`${this.source.where}: holds ${n} bytes but its shape [${this.shape.join(', ')}] of ${this.dtype} needs ${this.byteLength}`);
      return;
    }
    const d = this.transientData();
    if (Array.isArray(d)) throw new Error(`${this.source.where}: string tensors have no byte layout`);
    yield new Uint8Array(d.buffer, d.byteOffset, d.byteLength);
  }

  /**
   * The values without keeping them: the cached ones when already loaded, else read from the
   * source and not retained. Serializing a model for ONNX Runtime goes through this, so that the
   * process never holds a JS copy of every weight next to ONNX Runtime's own.
   */
  transientData(): TensorArray {
    if (this.cached !== undefined) return this.cached;
    const d = this.source.read();
    if (d.length !== this.size) {
      throw new Error(`${this.source.where}: holds ${d.length} values but its shape [${this.shape.join(', ')}] needs ${this.size}`);
    }
    return d;
  }

  /** Drops the cached values, so that they are read again from the source on the next call. */
  release(): void { this.cached = undefined; }
}
