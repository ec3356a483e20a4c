/**
 * KernelSHAP (Lundberg & Lee 2017, arXiv:1705.07874, Theorem 2): Shapley values as the solution of
 * a weighted linear regression over feature coalitions z, with the Shapley kernel
 *   pi(z) = (M - 1) / (C(M, |z|) |z| (M - |z|)),
 * and the efficiency constraint sum(phi) = f(x) - E[f(background)] enforced by eliminating the
 * last feature (as the shap library's KernelExplainer does). A coalition's value is the model
 * averaged over background rows with the absent features taken from them. Coalitions are all
 * enumerated when 2^M - 2 <= samples, else sampled by size from the kernel with paired complements.
 */
import { NnlensError } from '../../errors.ts';
import { Attribution, f32Array, type AttributionResult, type ExplainContext } from '../method.ts';
import { Random } from '../../data/random.ts';
import { scoreVariants } from '../scores.ts';

export interface KernelShapOptions {
  /** Background rows [B, M] (row-major); default: one row of zeros. */
  background?: Float32Array;
  /** Number of coalitions (default 2M + 2048, as shap's "auto"). */
  samples?: number;
}

export class KernelShap extends Attribution<KernelShapOptions> {
  readonly name = 'kernelshap';
  readonly displayName = 'KernelSHAP';
  readonly space = 'input' as const;
  readonly citation = 'Lundberg & Lee 2017, A Unified Approach to Interpreting Model Predictions (Theorem 2)';

  async attribute(ctx: ExplainContext, o: KernelShapOptions = {}): Promise<AttributionResult> {
    const N = ctx.x.shape[0]!, M = ctx.x.data.length / N;
    if (M > 512) throw new NnlensError(ctx.engine.model.path, `KernelSHAP is for tabular inputs; this input has ${M} features per item (use occlusion for images)`);
    const bg = o.background ?? new Float32Array(M);
    if (bg.length % M !== 0) throw new NnlensError('', `background rows have ${bg.length} values, not a multiple of ${M} features`);
    const B = bg.length / M;
    const { Z, weights } = coalitions(M, o.samples ?? 2 * M + 2048, ctx.seed ?? 0);
    const S = Z.length / M;
    const phi = new Float32Array(N * M), score = new Float32Array(N);
    // Rows per item: S coalitions x B background rows, then the full input, then the B background rows.
    const rows = (S + 1) * B + B;
    const values = await scoreVariants(ctx, N * rows, (i, dst) => {
      const n = Math.floor(i / rows), r = i % rows;
      const x = ctx.x.data.subarray(n * M, (n + 1) * M);
      if (r < S * B) {
        const s = Math.floor(r / B), b = r % B;
        for (let j = 0; j < M; j++) dst[j] = Z[s * M + j] ? x[j]! : bg[b * M + j]!;
      } else if (r < (S + 1) * B) {
        dst.set(x);
      } else {
        dst.set(bg.subarray((r - (S + 1) * B) * M, (r - (S + 1) * B + 1) * M));
      }
    }, (i) => Math.floor(i / rows));
    for (let n = 0; n < N; n++) {
      const v = values.subarray(n * rows, (n + 1) * rows);
      const fz = new Float64Array(S);
      for (let s = 0; s < S; s++) { let t = 0; for (let b = 0; b < B; b++) t += v[s * B + b]!; fz[s] = t / B; }
      const fx = v[S * B]!;
      let f0 = 0;
      for (let b = 0; b < B; b++) f0 += v[(S + 1) * B + b]!;
      f0 /= B;
      score[n] = fx;
      phi.set(solveConstrained(Z, weights, fz, f0, fx, M), n * M);
    }
    return { map: f32Array(ctx.x.shape, phi), space: 'input', score, info: { coalitions: S, background: B } };
  }
}

/** Coalition matrix Z [S, M] (0/1) and regression weights. */
export function coalitions(M: number, samples: number, seed: number): { Z: Uint8Array; weights: Float64Array } {
  const kernel = (k: number): number => (M - 1) / (binom(M, k) * k * (M - k));
  if (M <= 20 && 2 ** M - 2 <= samples) {
    const S = 2 ** M - 2;
    const Z = new Uint8Array(S * M), w = new Float64Array(S);
    for (let s = 0; s < S; s++) {
      const mask = s + 1;
      let k = 0;
      for (let j = 0; j < M; j++) if ((mask >> j) & 1) { Z[s * M + j] = 1; k++; }
      w[s] = kernel(k);
    }
    return { Z, weights: w };
  }
  // Sample coalition sizes with probability proportional to the kernel mass of each size,
  // i.e. (M - 1) / (k (M - k)); each sampled subset is paired with its complement.
  const rng = new Random(seed);
  const r = (): number => rng.uniform();
  const sizeMass = Array.from({ length: M - 1 }, (_, i) => (M - 1) / ((i + 1) * (M - i - 1)));
  const total = sizeMass.reduce((a, b) => a + b, 0);
  const pairs = Math.max(1, Math.floor(samples / 2));
  const Z = new Uint8Array(pairs * 2 * M), w = new Float64Array(pairs * 2).fill(1);
  const perm = Array.from({ length: M }, (_, i) => i);
  for (let p = 0; p < pairs; p++) {
    let u = r() * total, k = 1;
    while (k < M - 1 && u > sizeMass[k - 1]!) { u -= sizeMass[k - 1]!; k++; }
    for (let i = 0; i < k; i++) { const j = i + Math.floor(r() * (M - i)); [perm[i], perm[j]] = [perm[j]!, perm[i]!]; }
    for (let j = 0; j < M; j++) { Z[2 * p * M + j] = 0; Z[(2 * p + 1) * M + j] = 1; }
    for (let i = 0; i < k; i++) { Z[2 * p * M + perm[i]!] = 1; Z[(2 * p + 1) * M + perm[i]!] = 0; }
  }
  return { Z, weights: w };
}

/** Weighted least squares with sum(phi) = fx - f0, eliminating the last feature. */
function solveConstrained(Z: Uint8Array, w: Float64Array, fz: Float64Array, f0: number, fx: number, M: number): Float32Array {
  const S = fz.length, total = fx - f0, P = M - 1;
  if (M === 1) return Float32Array.of(total);
  const A = new Float64Array(P * P), b = new Float64Array(P);
  for (let s = 0; s < S; s++) {
    const zM = Z[s * M + P]!;
    const y = fz[s]! - f0 - zM * total;
    const row = new Float64Array(P);
    for (let j = 0; j < P; j++) row[j] = Z[s * M + j]! - zM;
    const ws = w[s]!;
    for (let i = 0; i < P; i++) {
      if (row[i] === 0) continue;
      b[i] += ws * row[i]! * y;
      for (let j = 0; j < P; j++) A[i * P + j] += ws * row[i]! * row[j]!;
    }
  }
  for (let i = 0; i < P; i++) A[i * P + i] += 1e-10; // keeps the system solvable when a feature never varies
  const sol = gaussSolve(A, b, P);
  const phi = new Float32Array(M);
  let s = 0;
  for (let j = 0; j < P; j++) { phi[j] = sol[j]!; s += sol[j]!; }
  phi[P] = total - s;
  return phi;
}

function gaussSolve(A: Float64Array, b: Float64Array, n: number): Float64Array {
  for (let c = 0; c < n; c++) {
    let p = c;
    for (let r = c + 1; r < n; r++) if (Math.abs(A[r * n + c]!) > Math.abs(A[p * n + c]!)) p = r;
    if (p !== c) {
      for (let k = 0; k < n; k++) { const t = A[c * n + k]!; A[c * n + k] = A[p * n + k]!; A[p * n + k] = t; }
      const t = b[c]!; b[c] = b[p]!; b[p] = t;
    }
    const d = A[c * n + c]!;
    if (Math.abs(d) < 1e-300) continue;
    for (let r = c + 1; r < n; r++) {
      const f = A[r * n + c]! / d;
      if (f === 0) continue;
      for (let k = c; k < n; k++) A[r * n + k] -= f * A[c * n + k]!;
      b[r] -= f * b[c]!;
    }
  }
  const x = new Float64Array(n);
  for (let r = n - 1; r >= 0; r--) {
    let s = b[r]!;
    for (let k = r + 1; k < n; k++) s -= A[r * n + k]! * x[k]!;
    x[r] = Math.abs(A[r * n + r]!) < 1e-300 ? 0 : s / A[r * n + r]!;
  }
  return x;
}

function binom(n: number, k: number): number {
  let r = 1;
  for (let i = 1; i <= k; i++) r = (r * (n - k + i)) / i;
  return r;
}
