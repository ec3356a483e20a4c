/**
 * The input gradient of a convolution as stride-1 convolutions, one per output phase.
 *
 * For a forward conv y[i] = sum_k x[s*i + k - pb] w[k] (one spatial axis, dilation 1), the input
 * gradient at p = s*m + r (phase r = p mod s) is
 *     dx[s*m + r] = sum_d dy[m + d] * w[r + pb - s*d],
 * a stride-1 correlation of dY with the taps k = r + pb - s*d of W taken in increasing d: no
 * zero taps, so the s^2 phase convolutions together do exactly the multiply-adds of the
 * transposed convolution (the sub-pixel view of Shi et al. 2016, arXiv:1609.07009). For s = 1
 * there is one phase and its taps are W flipped, the usual "conv with the flipped kernel".
 * The phases are then interleaved back into dX.
 */
import { Tensor } from '../../graph/tensor.ts';
import { scratch } from '../../io/scratch.ts';
import type { GradContext } from './rule.ts';

/** The taps of one phase along one axis: kernel indices in correlation order, and the first d. */
export interface PhaseTaps { taps: number[]; dMin: number }

/**
 * Taps of phase `r` for kernel size `K`, stride `s`, begin pad `pb` (dilation 1).
 * @example phaseTaps(3, 2, 1, 1) // { taps: [2, 0], dMin: 0 }: dx[2m+1] = dy[m] w[2] + dy[m+1] w[0]
 */
export function phaseTaps(K: number, s: number, pb: number, r: number): PhaseTaps {
  const dMin = Math.ceil((r + pb - K + 1) / s) + 0, dMax = Math.floor((r + pb) / s); // + 0: no -0
  const taps: number[] = [];
  for (let d = dMin; d <= dMax; d++) taps.push(r + pb - s * d);
  return { taps, dMin };
}

/**
 * The kernel of an input-gradient convolution: W [M, C/g, *K] regrouped to [C, M/g, *T], where
 * axis a keeps the kernel indices `taps[a]` in that order (reversed indices flip the axis).
 * Computed in JS from a fresh read of W into reused scratch buffers, only when the graph is
 * serialized, and not kept: the process never holds JS copies of the model's kernels next to
 * ONNX Runtime's (issue 3's memory goal).
 */
export function regroupedKernel(c: GradContext, w: string, ws: number[], group: number, taps: number[][], hint: string): string {
  const src = c.e.b.graph.values.get(w)!.initializer!;
  const [M, Cg] = ws as [number, number];
  const K = ws.slice(2);
  const T = taps.map((t) => t.length);
  const kSize = K.reduce((p, d) => p * d, 1), tSize = T.reduce((p, d) => p * d, 1);
  const Mg = M / group, C = Cg * group;
  // Flat kernel offset of every output tap, row-major over T.
  const from = new Int32Array(tSize);
  for (let j = 0; j < tSize; j++) {
    let rem = j, off = 0, stride = 1;
    for (let a = T.length - 1; a >= 0; a--) {
      off += taps[a]![rem % T[a]!]! * stride;
      rem = Math.floor(rem / T[a]!);
      stride *= K[a]!;
    }
    from[j] = off;
  }
  // Output row r = g * Cg + ci holds, for every mo, input row (g * Mg + mo) * Cg + ci at the taps.
  const fill = (data: Float32Array, out: Float32Array, r0: number, r1: number): Float32Array => {
    for (let r = r0; r < r1; r++) {
      const g = Math.floor(r / Cg), ci = r % Cg;
      for (let mo = 0; mo < Mg; mo++) {
        const base = ((g * Mg + mo) * Cg + ci) * kSize;
        const to = ((r - r0) * Mg + mo) * tSize;
        for (let j = 0; j < tSize; j++) out[to + j] = data[base + from[j]!]!;
      }
    }
    return out;
  };
  const rowBytes = Mg * tSize * 4;
  const tensor = new Tensor('float32', [C, Mg, ...T], {
    where: `${src.where} (${hint})`,
    read: () => fill(src.transientData() as Float32Array, new Float32Array(C * Mg * tSize), 0, C),
    *chunks() {
      const input = scratch('kernel-in', src.byteLength);
      let o = 0;
      for (const piece of src.rawChunks()) { input.set(piece, o); o += piece.byteLength; }
      const data = new Float32Array(input.buffer, 0, src.size);
      // Output in pieces of about 1 MiB of whole rows.
      const rows = Math.max(1, Math.floor((1 << 20) / rowBytes));
      for (let r = 0; r < C; r += rows) {
        const r1 = Math.min(C, r + rows);
        const out = scratch('kernel-out', (r1 - r) * rowBytes);
        fill(data, new Float32Array(out.buffer, 0, (r1 - r) * Mg * tSize), r, r1);
        yield out;
      }
    },
  });
  return c.e.b.lazyConstant(tensor, hint);
}

/** Geometry of the input gradient of a conv: per axis, the forward sizes and window. */
export interface PhaseGeometry {
  /** Forward input spatial sizes (dX's). */
  inSize: number[];
  /** Forward output spatial sizes (dY's). */
  outSize: number[];
  kernel: number[];
  strides: number[];
  padsBegin: number[];
}

/** One phase's convolution: taps per axis, its pads on dY, and how many dX positions it fills. */
export interface PhasePlan { phase: number[]; taps: number[][]; pads: number[]; size: number[] }

/**
 * The phase convolutions of an input gradient, or undefined when one of them would need a
 * negative pad (dY cropped), which ONNX Conv cannot express; phases without taps (a kernel
 * smaller than the stride) are left out: they are zero.
 */
export function planPhases(g: PhaseGeometry): PhasePlan[] | undefined {
  const n = g.inSize.length;
  const perAxis = Array.from({ length: n }, (_, a) => Array.from({ length: g.strides[a]! }, (_, r) => {
    const { taps, dMin } = phaseTaps(g.kernel[a]!, g.strides[a]!, g.padsBegin[a]!, r);
    const size = Math.ceil((g.inSize[a]! - r) / g.strides[a]!);
    // Correlation output length: O + pb' + pe' - T + 1 = size, with pb' = -dMin.
    const pb = 0 - dMin, pe = size + taps.length - 1 - g.outSize[a]! - pb;
    return { r, taps, pb, pe, size };
  }));
  const plans: PhasePlan[] = [];
  const walk = (a: number, acc: typeof perAxis[number]): boolean => {
    if (a === n) {
      if (acc.some((p) => p.taps.length === 0 || p.size <= 0)) return true;
      if (acc.some((p) => p.pb < 0 || p.pe < 0)) return false;
      plans.push({ phase: acc.map((p) => p.r), taps: acc.map((p) => p.taps), pads: [...acc.map((p) => p.pb), ...acc.map((p) => p.pe)], size: acc.map((p) => p.size) });
      return true;
    }
    return perAxis[a]!.every((p) => walk(a + 1, [...acc, p]));
  };
  return walk(0, []) ? plans : undefined;
}

/**
 * Where each element of dX [C, *inSize] comes from in the concatenation of the flattened phase
 * outputs ([C, *size] each, in `plans` order) followed by one zero: its flat index there.
 */
export function interleaveIndex(C: number, inSize: number[], strides: number[], plans: PhasePlan[]): Int32Array {
  const n = inSize.length;
  const perItem = inSize.reduce((p, d) => p * d, 1);
  const offsets = new Map<string, { off: number; size: number[] }>();
  let total = 0;
  for (const p of plans) {
    offsets.set(p.phase.join(','), { off: total, size: p.size });
    total += C * p.size.reduce((q, d) => q * d, 1);
  }
  const zero = total;
  const idx = new Int32Array(C * perItem);
  const pos = new Array<number>(n).fill(0);
  for (let flat = 0; flat < perItem; flat++) {
    let rem = flat;
    for (let a = n - 1; a >= 0; a--) { pos[a] = rem % inSize[a]!; rem = Math.floor(rem / inSize[a]!); }
    const ph = offsets.get(pos.map((q, a) => q % strides[a]!).join(','));
    for (let ch = 0; ch < C; ch++) {
      if (!ph) { idx[ch * perItem + flat] = zero; continue; }
      let local = ch;
      for (let a = 0; a < n; a++) local = local * ph.size[a]! + Math.floor(pos[a]! / strides[a]!);
      idx[ch * perItem + flat] = ph.off + local;
    }
  }
  return idx;
}
