/**
 * Values of small constant tensors, for constant folding of shape arithmetic. Weights are never
 * read here: only tensors of at most {@link MAX_FOLD} elements (shape vectors, axes, scales).
 */
import type { Dim, Shape } from '../ir.ts';
import { halfToFloat, type Tensor } from '../tensor.ts';
import { MAX_FOLD, numericShape, stridesOf, type Fact } from './types.ts';

/**
 * What is known about a constant tensor: dtype, shape and, when small, its values. A tensor whose
 * bytes cannot be read (missing external data) just has no value: the error is the loader's to
 * report when the weights are really needed.
 */
export function tensorFact(t: Tensor): Fact {
  const fact: Fact = { dtype: t.dtype, shape: [...t.shape] };
  if (!worthReading(t)) return fact;
  const wasLoaded = t.loaded;
  try {
    const data = t.data();
    const v: Dim[] = new Array(data.length);
    for (let i = 0; i < data.length; i++) {
      const x = data[i] as number | bigint;
      v[i] = t.dtype === 'float16' ? halfToFloat(Number(x)) : t.dtype === 'bfloat16' ? bf16(Number(x)) : Number(x);
    }
    fact.value = v;
  } catch {
    // Unreadable values (e.g. missing external data) only mean fewer facts.
  } finally {
    if (!wasLoaded) t.release();
  }
  return fact;
}

/**
 * Integer tensors up to {@link MAX_FOLD} elements (shapes, axes, indices) and float tensors of a
 * handful of elements (Resize scales, ConstantOfShape fills) can matter to shapes; reading every
 * small float weight (batch-norm statistics...) would cost file reads for nothing.
 */
function worthReading(t: Tensor): boolean {
  if (t.dtype === 'string' || t.size > MAX_FOLD) return false;
  return t.dtype.startsWith('float') || t.dtype === 'bfloat16' ? t.size <= 8 : true;
}

function bf16(bits: number): number {
  return new Float32Array(new Uint32Array([bits << 16]).buffer)[0]!;
}

/**
 * Builds the values of a small tensor of shape `shape` element by element from its multi-index
 * (Transpose, Slice, Gather, Concat, Tile folding). Undefined when the shape is unknown or too big,
 * or when `at` returns undefined (a needed input value is unknown).
 */
export function foldByIndex(shape: Shape | undefined, at: (index: number[]) => Dim | undefined): Dim[] | undefined {
  const s = numericShape(shape);
  if (!s) return undefined;
  const n = s.reduce((a, b) => a * b, 1);
  if (n > MAX_FOLD) return undefined;
  const out: Dim[] = new Array(n);
  const idx = new Array<number>(s.length).fill(0);
  for (let k = 0; k < n; k++) {
    const v = at(idx);
    if (v === undefined) return undefined;
    out[k] = v;
    for (let i = s.length - 1; i >= 0; i--) {
      if (++idx[i]! < s[i]!) break;
      idx[i] = 0;
    }
  }
  return out;
}

/** Reads element `index` of a fact with known value and numeric shape; undefined otherwise. */
export function elementAt(fact: Fact | undefined, index: readonly number[]): Dim | undefined {
  const s = numericShape(fact?.shape);
  if (!s || !fact?.value) return undefined;
  const st = stridesOf(s);
  let k = 0;
  for (let i = 0; i < s.length; i++) k += index[i]! * st[i]!;
  return fact.value[k];
}
