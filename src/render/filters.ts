/**
 * Mosaics of convolution filters. First-layer filters over RGB input are drawn as small colour
 * images (each filter contrast-stretched on its own, as in Krizhevsky et al. 2012, fig. 3, and
 * Zeiler and Fergus 2014), so edge and colour-blob detectors show up as such. Other filters are
 * drawn per input channel on a diverging map with one symmetric scale for the whole layer, so
 * magnitudes compare across tiles.
 *
 * Kernels come in the layout of their op (ONNX `Conv` OIHW, Keras `Conv2D` HWIO...; see
 * `KernelLayout` in graph/ops.ts); everything is first brought to O x I x H x W.
 */
import type { KernelLayout } from '../graph/ops.ts';
import { colormap } from './colormap.ts';
import { createImage, pngDataUri, setPixel, type RgbaImage } from './raster.ts';
import { escapeXml, fitText, r2, svgOpen, textWidth } from './svg.ts';

/** A kernel as O x I x H x W floats. */
export interface CanonicalKernel {
  data: Float32Array;
  o: number;
  i: number;
  h: number;
  w: number;
  /** Set when a 3-D kernel was reduced to its middle depth slice. */
  note?: string;
}

/**
 * Brings a 3- to 5-D kernel of the given layout to O x I x H x W. 1-D kernels get H = 1; 3-D
 * (volumetric) kernels keep their middle depth slice. A depthwise kernel (S x I x M) becomes
 * I * M single-channel filters.
 * @example canonicalKernel(w, [3, 3, 1, 32], 'SIO') // -> o 32, i 1, h 3, w 3
 */
export function canonicalKernel(data: ArrayLike<number>, shape: readonly number[], layout: KernelLayout): CanonicalKernel {
  const rank = shape.length;
  if (rank < 3 || rank > 5) throw new Error(`a convolution kernel has 3 to 5 dimensions; this one has shape [${shape.join(', ')}]`);
  const s = rank - 2;
  // Position of O, I and the spatial axes in the stored tensor.
  const spatialFirst = layout.startsWith('S');
  const sp = spatialFirst ? [...Array(s).keys()] : [...Array(s).keys()].map((k) => k + 2);
  const [a, b] = spatialFirst ? [s, s + 1] : [0, 1];
  let oAx: number, iAx: number;
  switch (layout) {
    case 'OIS': oAx = a; iAx = b; break;
    case 'IOS': iAx = a; oAx = b; break;
    case 'SIO': iAx = a; oAx = b; break;
    case 'SOI': oAx = a; iAx = b; break;
    case 'SIM': iAx = a; oAx = b; break;
  }
  const strides = shape.map((_, k) => shape.slice(k + 1).reduce((p, d) => p * d, 1));
  const spatial = sp.map((k) => shape[k]!);
  const H = s === 1 ? 1 : spatial[s - 2]!, W = spatial[s - 1]!;
  const depthFix = s === 3 ? Math.floor(spatial[0]! / 2) : 0;
  const depthwise = layout === 'SIM';
  const O0 = shape[oAx]!, I0 = shape[iAx]!;
  const O = depthwise ? I0 * O0 : O0, I = depthwise ? 1 : I0;
  const out = new Float32Array(O * I * H * W);
  for (let o = 0; o < O0; o++) for (let i = 0; i < I0; i++) for (let y = 0; y < H; y++) for (let x = 0; x < W; x++) {
    const idx: number[] = new Array(rank).fill(0);
    idx[oAx] = o; idx[iAx] = i;
    if (s === 1) idx[sp[0]!] = x;
    else { idx[sp[s - 2]!] = y; idx[sp[s - 1]!] = x; if (s === 3) idx[sp[0]!] = depthFix; }
    let off = 0;
    for (let k = 0; k < rank; k++) off += idx[k]! * strides[k]!;
    const oc = depthwise ? i * O0 + o : o, ic = depthwise ? 0 : i;
    out[((oc * I + ic) * H + y) * W + x] = data[off]!;
  }
  return { data: out, o: O, i: I, h: H, w: W, note: s === 3 ? `middle depth slice ${depthFix} of ${spatial[0]}` : undefined };
}

/** Options of {@link filterMosaic}. */
export interface FilterMosaicOptions {
  /** Most filters drawn (default 64). */
  maxFilters?: number;
  /** Most input channels drawn per filter (default 16). */
  maxChannels?: number;
  /** Treat 3-channel filters as RGB (default true). */
  rgb?: boolean;
}

/** The mosaic raster and what it shows. */
export interface FilterMosaic {
  image: RgbaImage;
  /** `rgb`: one colour tile per filter; `channels`: a row of tiles per filter, one per input channel; `gray`: one tile per single-channel filter. */
  mode: 'rgb' | 'channels' | 'gray';
  filters: number;
  channels: number;
  /** max |w| used for the diverging scale (channels and gray modes). */
  scale: number;
}

/**
 * Draws filters into a raster mosaic with 2 px gaps; tiles are enlarged to about 36 px.
 * @example const m = filterMosaic(canonicalKernel(w.float32(), w.shape, 'OIS'))
 */
export function filterMosaic(k: CanonicalKernel, o: FilterMosaicOptions = {}): FilterMosaic {
  const F = Math.min(k.o, o.maxFilters ?? 64);
  const rgb = (o.rgb ?? true) && k.i === 3;
  const gray = k.i === 1;
  const C = rgb || gray ? 1 : Math.min(k.i, o.maxChannels ?? 16);
  // rgb/gray: a near-square grid of filters; channels: one row per filter.
  const gridCols = rgb || gray ? Math.ceil(Math.sqrt(F)) : C;
  const gridRows = rgb || gray ? Math.ceil(F / gridCols) : F;
  const gap = 3;
  // Tiles of about 36 px, smaller when that would make the mosaic taller than ~1400 px.
  const z = Math.max(1, Math.min(Math.round(36 / Math.max(k.h, k.w)), Math.floor((1400 / gridRows - gap) / k.h)));
  const tw = k.w * z, th = k.h * z;
  // Light grey grooves between tiles, so that near-white (near-zero) tiles keep their outline.
  const img = createImage(gridCols * (tw + gap) + gap, gridRows * (th + gap) + gap, [216, 221, 227, 255]);
  const at = (f: number, c: number, y: number, x: number) => k.data[((f * k.i + c) * k.h + y) * k.w + x]!;
  let scale = 0;
  for (let f = 0; f < F; f++) for (let c = 0; c < (rgb ? 3 : C); c++) for (let y = 0; y < k.h; y++) for (let x = 0; x < k.w; x++) scale = Math.max(scale, Math.abs(at(f, c, y, x)));
  scale ||= 1;
  const div = colormap('bwr');
  const paint = (col: number, row: number, y: number, x: number, rgbv: [number, number, number]) => {
    const px = gap + col * (tw + gap) + x * z, py = gap + row * (th + gap) + y * z;
    for (let dy = 0; dy < z; dy++) for (let dx = 0; dx < z; dx++) setPixel(img, px + dx, py + dy, rgbv[0], rgbv[1], rgbv[2]);
  };
  for (let f = 0; f < F; f++) {
    if (rgb) {
      let lo = Infinity, hi = -Infinity;
      for (let c = 0; c < 3; c++) for (let y = 0; y < k.h; y++) for (let x = 0; x < k.w; x++) { const v = at(f, c, y, x); lo = Math.min(lo, v); hi = Math.max(hi, v); }
      const span = hi - lo || 1;
      for (let y = 0; y < k.h; y++) for (let x = 0; x < k.w; x++) {
        const px = [0, 1, 2].map((c) => Math.round(((at(f, c, y, x) - lo) / span) * 255)) as [number, number, number];
        paint(f % gridCols, Math.floor(f / gridCols), y, x, px);
      }
    } else {
      for (let c = 0; c < C; c++) for (let y = 0; y < k.h; y++) for (let x = 0; x < k.w; x++) {
        const col = gray ? f % gridCols : c, row = gray ? Math.floor(f / gridCols) : f;
        paint(col, row, y, x, div(0.5 + at(f, c, y, x) / (2 * scale)));
      }
    }
  }
  return { image: img, mode: rgb ? 'rgb' : gray ? 'gray' : 'channels', filters: F, channels: rgb ? 3 : C, scale };
}

/**
 * SVG of a filter mosaic with a title and a caption saying what is shown.
 * @example filterMosaicSvg(filterMosaic(k), 'conv1.weight', k)
 */
export function filterMosaicSvg(m: FilterMosaic, title: string, k: CanonicalKernel): string {
  const left = 16, top = 56;
  const what = m.mode === 'rgb'
    ? `${m.filters} of ${k.o} filters as RGB images (${k.h}x${k.w}), each stretched to its own min..max`
    : m.mode === 'gray'
      ? `${m.filters} of ${k.o} single-channel filters (${k.h}x${k.w}); blue < 0 < red, |w| max ${m.scale.toPrecision(3)}`
      : `rows: ${m.filters} of ${k.o} filters; columns: ${m.channels} of ${k.i} input channels (${k.h}x${k.w}); blue < 0 < red, |w| max ${m.scale.toPrecision(3)}`;
  const caption = k.note ? `${what}; ${k.note}` : what;
  const width = Math.max(m.image.width + 2 * left, textWidth(caption, 10.5) + 2 * left, textWidth(title, 14, true) + 2 * left);
  const height = top + m.image.height + 16;
  return [
    svgOpen(width, height),
    `<text x="${left}" y="24" font-size="14" font-weight="bold" fill="#1f2328">${escapeXml(fitText(title, width - 2 * left, 14, true))}</text>`,
    `<text x="${left}" y="42" font-size="10.5" fill="#57606a">${escapeXml(caption)}</text>`,
    `<image x="${left}" y="${top}" width="${m.image.width}" height="${m.image.height}" image-rendering="optimizeSpeed" style="image-rendering:pixelated" href="${pngDataUri(m.image)}"/>`,
    `<rect x="${r2(left - 0.5)}" y="${r2(top - 0.5)}" width="${m.image.width + 1}" height="${m.image.height + 1}" fill="none" stroke="#d0d7de"/>`,
    '</svg>\n',
  ].join('\n');
}
