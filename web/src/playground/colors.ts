/**
 * Colours of the playground. Two classes and signed values use TF Playground's orange (negative,
 * class 0) and blue (positive, class 1) through a light grey, so people who know that page read
 * this one the same way; more classes get distinct hues from the same family.
 */

/** Negative values and class 0. */
export const ORANGE: readonly [number, number, number] = [245, 147, 34];
/** Positive values and class 1. */
export const BLUE: readonly [number, number, number] = [8, 119, 189];
/** Zero. */
export const MIDDLE: readonly [number, number, number] = [232, 234, 235];

/** Class colours; the first two are ORANGE and BLUE. */
export const CLASS_COLORS: readonly (readonly [number, number, number])[] = [
  ORANGE, BLUE, [44, 162, 95], [197, 27, 125], [106, 81, 163], [215, 48, 31], [65, 182, 196], [115, 115, 115],
];

/** CSS colour of a class. */
export function classCss(k: number): string {
  const [r, g, b] = CLASS_COLORS[k % CLASS_COLORS.length];
  return `rgb(${r},${g},${b})`;
}

const mix = (a: readonly number[], b: readonly number[], t: number) => a.map((x, i) => Math.round(x + (b[i] - x) * t));

/** Number of entries in a colour lookup table; values are quantized to this many levels. */
export const LUT_SIZE = 256;

/** Packs RGB into a little-endian RGBA pixel (the byte order of ImageData seen through a Uint32Array). */
function pack([r, g, b]: readonly number[], alpha = 255): number {
  return ((alpha << 24) | (b << 16) | (g << 8) | r) >>> 0;
}

/**
 * Diverging lookup table over [-1, 1]: ORANGE at -1, MIDDLE at 0, BLUE at +1. Index with
 * {@link lutIndex}. A table turns the per-pixel colour mapping of 10,000 pixels per frame into
 * one array read each.
 */
export const DIVERGING: Uint32Array = Uint32Array.from({ length: LUT_SIZE }, (_, i) => {
  const v = (i / (LUT_SIZE - 1)) * 2 - 1;
  return pack(v < 0 ? mix(MIDDLE, ORANGE, -v) : mix(MIDDLE, BLUE, v));
});

/** Per class, a table from confidence 0 (MIDDLE) to 1 (the class colour). */
export const CLASS_LUTS: Uint32Array[] = CLASS_COLORS.map((c) =>
  Uint32Array.from({ length: LUT_SIZE }, (_, i) => pack(mix(MIDDLE, c, i / (LUT_SIZE - 1)))));

/** Index into a diverging LUT for value v (clipped to [-1, 1]). */
export function lutIndex(v: number): number {
  const t = v <= -1 ? 0 : v >= 1 ? 1 : (v + 1) * 0.5;
  return (t * (LUT_SIZE - 1) + 0.5) | 0;
}

/** CSS colour of a signed value on the diverging scale (links, numbers). */
export function divergingCss(v: number): string {
  const c = DIVERGING[lutIndex(v)];
  return `rgb(${c & 255},${(c >>> 8) & 255},${(c >>> 16) & 255})`;
}
