/**
 * exp and tanh in plain JavaScript, accurate to about one unit in the last place, because the
 * built-in ones are slow where the playground needs them most. Math.exp and Math.tanh compile to
 * calls into C (V8's ieee754 port of fdlibm): measured on this project's 2-core machine, a call
 * costs about 14 ns (exp) and 38 ns (tanh) in Chromium 156, while the functions below inline into
 * the calling loop. Drawing a 6 x 8 tanh network over the 100 x 100 grid evaluates 480,000
 * activations per frame: 18 ms with Math.tanh, more than a whole 60 fps frame.
 *
 * Training and drawing both use these functions (activations.ts), so the heatmaps show exactly
 * the function being trained; test/playground/fastmath.test.ts bounds their error against the
 * built-ins.
 */

// fdlibm e_exp.c (Sun Microsystems, 1993): x = k ln2 + r with |r| <= ln2/2, exp(r) from a Remez
// polynomial in r^2, then scaled by 2^k. ln2 is split in a high part with trailing zero bits (so
// k * LN2_HI is exact for |k| < 2^11) and a low correction.
export const LN2_HI = 6.93147180369123816490e-1;
export const LN2_LO = 1.90821492927058770002e-10;
export const INV_LN2 = 1.44269504088896338700;
export const P1 = 1.66666666666666019037e-1;
export const P2 = -2.77777777770155933842e-3;
export const P3 = 6.61375632143793436117e-5;
export const P4 = -1.65339022054652515390e-6;
export const P5 = 4.13813679705723846039e-8;
const EXP_OVER = 7.09782712893383973096e2; // above: +Infinity
const EXP_UNDER = -7.45133219101941108420e2; // below: 0
/**
 * 1.5 * 2^52: adding and subtracting it rounds a double below 2^51 to the nearest integer (ties to
 * even) in two IEEE additions. Math.round is not a machine instruction in V8 on x64 (measured:
 * 37 ns per exp with it, 10 ns without), and the same two additions give the same k in the
 * WebAssembly kernel of grid-wasm.ts.
 */
export const ROUND_SHIFTER = 6755399441055744;

/** 2^k for k = -1022..1023 at index k + 1022 (exact powers of two; a table lookup beats bit fiddling through a DataView). */
const POW2 = Float64Array.from({ length: 2046 }, (_, i) => 2 ** (i - 1022));

/**
 * e^x, within one ulp of the correctly rounded result (fdlibm's bound).
 * @example fastExp(1) // 2.718281828459045
 */
export function fastExp(x: number): number {
  if (!(x < EXP_OVER)) return x !== x ? x : Infinity; // NaN stays NaN
  if (x < EXP_UNDER) return 0;
  const k = x * INV_LN2 + ROUND_SHIFTER - ROUND_SHIFTER;
  const hi = x - k * LN2_HI;
  const lo = k * LN2_LO;
  const r = hi - lo;
  const t = r * r;
  const c = r - t * (P1 + t * (P2 + t * (P3 + t * (P4 + t * P5))));
  const y = 1 - ((lo - (r * c) / (2 - c)) - hi);
  // Results below 2^-1022 (k < -1021) are subnormal: scale in two steps so the table stays small.
  // `| 0` makes the index a small integer: a float index sends V8 down a slow generic element load.
  const ki = k | 0;
  if (ki > 1023) return y * 2 * POW2[1023 + 1022]; // k = 1024 near the overflow threshold
  return ki >= -1022 ? y * POW2[ki + 1022] : y * POW2[ki + 1022 + 60] * POW2[1022 - 60];
}

// Cephes tanh.c (S. Moshier), as in Go's math/tanh.go: a rational approximation for |x| < 0.625,
// where 1 - 2/(e^2x + 1) would lose bits to cancellation, and that formula above it.
export const TP0 = -9.64399179425052238628e-1;
export const TP1 = -9.92877231001918586564e1;
export const TP2 = -1.61468768441708447952e3;
export const TQ0 = 1.12811678491632931402e2;
export const TQ1 = 2.23548839060100448583e3;
export const TQ2 = 4.84406305325125486048e3;
/** Above this |x|, 1 - tanh(x) < 2^-126 and the result rounds to +-1. */
export const TANH_ONE = 44;
/** Below this |x| the rational form is used. */
export const TANH_RATIONAL = 0.625;
/** 2^-27: below it the x^3/3 term is under half an ulp of x. */
export const TANH_TINY = 7.450580596923828e-9;

/**
 * tanh(x), within a few ulp (Cephes: relative error 2.5e-16 peak).
 * @example fastTanh(0.5) // 0.46211715726000974
 */
export function fastTanh(x: number): number {
  const z = x < 0 ? -x : x;
  if (z > TANH_ONE) return x < 0 ? -1 : 1;
  if (z >= TANH_RATIONAL) {
    const t = 1 - 2 / (fastExp(2 * z) + 1);
    return x < 0 ? -t : t;
  }
  // Returning x itself also keeps tanh(-0) = -0.
  if (z < TANH_TINY) return x;
  const s = x * x;
  return x + (x * s * ((TP0 * s + TP1) * s + TP2)) / (((s + TQ0) * s + TQ1) * s + TQ2);
}
