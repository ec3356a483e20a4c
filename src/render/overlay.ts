/**
 * Heatmaps over the picture the model saw (the Grad-CAM figure): the heatmap's colours blended into
 * the picture, `out = (1 - alpha) * picture + alpha * colormap(heat)` as pytorch-grad-cam's
 * `show_cam_on_image` does (alpha 0.5 there), drawn beside the plain picture with a colour bar
 * labelled 0 and 1 and a title saying what is explained. Pictures of grayscale models are shown in
 * gray, so the overlay shows what the model saw. Small inputs (28 x 28 digits) are enlarged with
 * nearest-neighbour sampling, so each input pixel stays a visible square.
 */
import type { Picture } from '../io/image.ts';
import { colormap, type ColormapName } from './colormap.ts';
import { createImage, pngDataUri, scaleNearest, setPixel, type RgbaImage } from './raster.ts';
import { escapeXml, fitText, r2, svgOpen } from './svg.ts';

/** Options of {@link overlaySvg}. */
export interface OverlayOptions {
  /** Colormap of the heatmap (default `jet`, as in the Grad-CAM paper's figures). */
  colormap?: ColormapName;
  /** Weight of the heatmap in the blend, 0..1 (default 0.5). */
  alpha?: number;
  /** Show the picture in gray (the model saw one luma channel). */
  grayscale?: boolean;
  /** First line above the panels (method, target). */
  title?: string;
  /** Second line (probability, layer, ...). */
  caption?: string;
  /** Displayed size of each panel's longer side, in SVG units (default 256). */
  size?: number;
}

/**
 * The picture with the heatmap blended in, at the picture's resolution.
 * @example overlayImage(picture, heat, { colormap: 'jet', alpha: 0.5 })
 */
export function overlayImage(picture: Picture, heat: Float32Array, o: OverlayOptions = {}): RgbaImage {
  const { width, height, rgb } = picture;
  if (heat.length !== width * height) throw new Error(`overlay: heatmap has ${heat.length} values for a ${width} x ${height} picture`);
  const alpha = Math.min(1, Math.max(0, o.alpha ?? 0.5));
  const cmap = colormap(o.colormap ?? 'jet');
  const img = createImage(width, height);
  for (let i = 0; i < width * height; i++) {
    const [r, g, b] = pixel(rgb, i, o.grayscale);
    const c = cmap(heat[i]!);
    setPixel(img, i % width, Math.floor(i / width), (1 - alpha) * r + alpha * c[0], (1 - alpha) * g + alpha * c[1], (1 - alpha) * b + alpha * c[2]);
  }
  return img;
}

/** The picture alone (gray when asked). */
export function pictureImage(picture: Picture, grayscale = false): RgbaImage {
  const img = createImage(picture.width, picture.height);
  for (let i = 0; i < picture.width * picture.height; i++) {
    const [r, g, b] = pixel(picture.rgb, i, grayscale);
    setPixel(img, i % picture.width, Math.floor(i / picture.width), r, g, b);
  }
  return img;
}

function pixel(rgb: Uint8Array, i: number, gray: boolean | undefined): [number, number, number] {
  const r = rgb[i * 3]!, g = rgb[i * 3 + 1]!, b = rgb[i * 3 + 2]!;
  if (!gray) return [r, g, b];
  // ITU-R BT.601 luma, as PIL's convert('L') (the grayscale the model was fed).
  const y = Math.round(0.299 * r + 0.587 * g + 0.114 * b);
  return [y, y, y];
}

/**
 * A picture made from a model input tensor (for .npy inputs, which come without one): each
 * channel min-max scaled to 0..255 over the item; one channel is gray, three are RGB, others show
 * their first channel.
 * @example pictureFromTensor(x.subarray(0, 784), 1, 28, 28, 'NCHW')
 */
export function pictureFromTensor(data: ArrayLike<number>, C: number, H: number, W: number, layout: 'NCHW' | 'NHWC'): Picture {
  const at = (c: number, p: number): number => data[layout === 'NCHW' ? c * H * W + p : p * C + c]!;
  let lo = Infinity, hi = -Infinity;
  for (let i = 0; i < C * H * W; i++) { const v = data[i]!; if (Number.isFinite(v)) { lo = Math.min(lo, v); hi = Math.max(hi, v); } }
  const span = hi > lo ? hi - lo : 1;
  const rgb = new Uint8Array(H * W * 3);
  for (let p = 0; p < H * W; p++) {
    for (let k = 0; k < 3; k++) {
      const c = C === 3 ? k : 0;
      rgb[p * 3 + k] = Math.round(((at(c, p) - lo) / span) * 255);
    }
  }
  return { width: W, height: H, rgb };
}

/**
 * The figure: the plain picture, the overlay, a colour bar from 0 (bottom) to 1 (top), and a title.
 * @example writeOutput('heat.png', svgToPng(overlaySvg(picture, heat, { title: 'Grad-CAM: class 3' })))
 */
export function overlaySvg(picture: Picture, heat: Float32Array, o: OverlayOptions = {}): string {
  const size = o.size ?? 256;
  const k = size / Math.max(picture.width, picture.height);
  const pw = picture.width * k, ph = picture.height * k;
  // Enlarge the rasters to about twice the displayed size (the PNG is drawn at zoom 2) with nearest sampling.
  const factor = Math.max(1, Math.ceil((2 * size) / Math.max(picture.width, picture.height)));
  const M = 16, gap = 16, barW = 14, top = o.caption ? 58 : 40;
  const width = M + pw + gap + pw + gap + barW + 36;
  const height = top + ph + 30;
  const x1 = M, x2 = M + pw + gap, xb = x2 + pw + gap;
  const plain = pngDataUri(scaleNearest(pictureImage(picture, o.grayscale), factor));
  const blended = pngDataUri(scaleNearest(overlayImage(picture, heat, o), factor));
  const cmap = colormap(o.colormap ?? 'jet');
  const bar = createImage(1, 256);
  for (let y = 0; y < 256; y++) { const c = cmap(1 - y / 255); setPixel(bar, 0, y, c[0], c[1], c[2]); }
  const out = [svgOpen(width, height)];
  if (o.title) out.push(`<text x="${M}" y="22" font-size="14" font-weight="bold" fill="#1f2328">${escapeXml(fitText(o.title, width - 2 * M, 14, true))}</text>`);
  if (o.caption) out.push(`<text x="${M}" y="40" font-size="11" fill="#57606a">${escapeXml(fitText(o.caption, width - 2 * M, 11))}</text>`);
  const img = (x: number, href: string): string => `<image x="${r2(x)}" y="${top}" width="${r2(pw)}" height="${r2(ph)}" preserveAspectRatio="none" style="image-rendering:pixelated" href="${href}"/>`;
  out.push(img(x1, plain), img(x2, blended));
  out.push(`<rect x="${r2(x1)}" y="${top}" width="${r2(pw)}" height="${r2(ph)}" fill="none" stroke="#d0d7de"/>`);
  out.push(`<rect x="${r2(x2)}" y="${top}" width="${r2(pw)}" height="${r2(ph)}" fill="none" stroke="#d0d7de"/>`);
  out.push(`<image x="${r2(xb)}" y="${top}" width="${barW}" height="${r2(ph)}" preserveAspectRatio="none" href="${pngDataUri(bar)}"/>`);
  out.push(`<rect x="${r2(xb)}" y="${top}" width="${barW}" height="${r2(ph)}" fill="none" stroke="#57606a" stroke-width="0.5"/>`);
  out.push(`<text x="${r2(xb + barW + 5)}" y="${top + 9}" font-size="11" fill="#1f2328">1</text>`);
  out.push(`<text x="${r2(xb + barW + 5)}" y="${r2(top + ph)}" font-size="11" fill="#1f2328">0</text>`);
  const label = (x: number, text: string): string => `<text x="${r2(x + pw / 2)}" y="${r2(top + ph + 18)}" font-size="11" text-anchor="middle" fill="#57606a">${escapeXml(fitText(text, pw, 11))}</text>`;
  out.push(label(x1, o.grayscale ? 'input (as the model saw it, gray)' : 'input (as the model saw it)'), label(x2, `heatmap over input (alpha ${r2(Math.min(1, Math.max(0, o.alpha ?? 0.5)))})`));
  out.push('</svg>\n');
  return out.join('\n');
}
