/**
 * Colormaps: `colormap(name)(t)` maps t in [0, 1] to an `[r, g, b]` triple of 0..255 integers.
 * Values outside [0, 1] are clamped; NaN maps to mid-grey.
 *
 * - `turbo`: Google's polynomial fit of Turbo (A. Mikhailov, "Turbo, an improved rainbow colormap", 2019).
 * - `viridis`, `magma`: matplotlib's perceptually uniform maps (van der Walt and Smith, 2015), as
 *   the degree-6 polynomial fits published by Matt Zucker (shadertoy WlfXRN), error below 1/255.
 * - `jet`: MATLAB's classic piecewise-linear rainbow (kept because Grad-CAM papers use it).
 * - `gray`: black to white.
 * - `bwr` (alias `diverging`): ColorBrewer RdBu reversed, blue (low) - white (0.5) - red (high),
 *   for signed values such as weights and attributions centred on zero.
 */

/** An RGB colour, each channel 0..255. */
export type Rgb = [number, number, number];

/** Names accepted by {@link colormap}. */
export const COLORMAPS = ['turbo', 'viridis', 'magma', 'jet', 'gray', 'bwr', 'diverging'] as const;
/** A colormap name. */
export type ColormapName = (typeof COLORMAPS)[number];

const clamp01 = (x: number) => (x < 0 ? 0 : x > 1 ? 1 : x);
const byte = (x: number) => Math.round(clamp01(x) * 255);

function poly(c: readonly (readonly [number, number, number])[]): (t: number) => Rgb {
  return (t) => {
    const out: Rgb = [0, 0, 0];
    for (let k = 0; k < 3; k++) {
      let v = 0;
      for (let i = c.length - 1; i >= 0; i--) v = v * t + c[i]![k]!;
      out[k] = byte(v);
    }
    return out;
  };
}

// Coefficients c0..c6 per channel (r, g, b), lowest degree first.
const VIRIDIS = [
  [0.2777273272234177, 0.005407344544966578, 0.3340998053353061], [0.1050930431085774, 1.404613529898575, 1.384590162594685],
  [-0.3308618287255563, 0.214847559468213, 0.09509516302823659], [-4.634230498983486, -5.799100973351585, -19.33244095627987],
  [6.228269936347081, 14.17993336680509, 56.69055260068105], [4.776384997670288, -13.74514537774601, -65.35303263337234],
  [-5.435455855934631, 4.645852612178535, 26.3124352495832],
] as const;
const MAGMA = [
  [-0.002136485053939582, -0.000749655052795221, -0.005386127855323933], [0.2516605407371642, 0.6775232436837668, 2.494026599312351],
  [8.353717279216625, -3.577719514958484, 0.3144679030132573], [-27.66873308576866, 14.26473078096533, -13.64921318813922],
  [52.17613981234068, -27.94360607168351, 12.94416944238394], [-50.76852536473588, 29.04658282127291, 4.23415299384598],
  [18.65570506591883, -11.48977351997711, -5.601961508734096],
] as const;
const TURBO = [
  [0.13572138, 0.09140261, 0.1066733], [4.6153926, 2.19418839, 12.64194608], [-42.66032258, 4.84296658, -60.58204836],
  [132.13108234, -14.18503333, 110.36276771], [-152.94239396, 4.27729857, -89.90310912], [59.28637943, 2.82956604, 27.34824973],
] as const;
// ColorBrewer RdBu (11 classes), from blue to red.
const RDBU: Rgb[] = [[5, 48, 97], [33, 102, 172], [67, 147, 195], [146, 197, 222], [209, 229, 240], [247, 247, 247],
  [253, 219, 199], [244, 165, 130], [214, 96, 77], [178, 24, 43], [103, 0, 31]];

function stops(list: Rgb[]): (t: number) => Rgb {
  return (t) => {
    const x = t * (list.length - 1);
    const i = Math.min(list.length - 2, Math.floor(x));
    const f = x - i, a = list[i]!, b = list[i + 1]!;
    return [Math.round(a[0] + (b[0] - a[0]) * f), Math.round(a[1] + (b[1] - a[1]) * f), Math.round(a[2] + (b[2] - a[2]) * f)];
  };
}

const MAPS: Record<ColormapName, (t: number) => Rgb> = {
  turbo: poly(TURBO),
  viridis: poly(VIRIDIS),
  magma: poly(MAGMA),
  jet: (t) => [byte(1.5 - Math.abs(4 * t - 3)), byte(1.5 - Math.abs(4 * t - 2)), byte(1.5 - Math.abs(4 * t - 1))],
  gray: (t) => { const v = byte(t); return [v, v, v]; },
  bwr: stops(RDBU),
  diverging: stops(RDBU),
};

/** Whether `name` is a known colormap. */
export function isColormap(name: string): name is ColormapName {
  return (COLORMAPS as readonly string[]).includes(name);
}

/**
 * The colormap called `name`; throws on unknown names (listing the known ones).
 * @example colormap('viridis')(0.5) // [33, 145, 140]
 */
export function colormap(name: string): (t: number) => Rgb {
  if (!isColormap(name)) throw new Error(`unknown colormap '${name}' (known: ${COLORMAPS.join(', ')})`);
  const f = MAPS[name];
  return (t) => (Number.isNaN(t) ? [128, 128, 128] : f(clamp01(t)));
}

/** `#rrggbb` of a colour. */
export function hex(c: Rgb): string {
  return `#${c.map((v) => v.toString(16).padStart(2, '0')).join('')}`;
}
