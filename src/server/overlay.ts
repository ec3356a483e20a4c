/**
 * A heatmap drawn over the picture the model saw, as pytorch-grad-cam's `show_cam_on_image` does:
 * out = (1 - alpha) * picture + alpha * colormap(heat). The picture is enlarged by whole pixels
 * (nearest neighbour), so a 28 x 28 digit stays crisp, while CAM heatmaps come already resized
 * bilinearly to the display size (explain.ts).
 */
import { colormap, isColormap } from '../render/colormap.ts';
import { createImage, encodePng } from '../render/raster.ts';
import type { Picture } from '../io/image.ts';
import { HttpError } from './http.ts';

/**
 * PNG bytes of `heat` (values in [0, 1], `picture` size times `zoom`) over the picture.
 * @example overlayPng(heat, picture, 10, 'jet', 0.5)
 */
export function overlayPng(heat: Float32Array, picture: Picture, zoom: number, cmapName: string, alpha: number): Uint8Array {
  if (!isColormap(cmapName)) throw new HttpError(400, `unknown colormap '${cmapName}'`);
  if (!(alpha >= 0 && alpha <= 1)) throw new HttpError(400, `alpha must be a number from 0 to 1, got ${alpha}`);
  const cmap = colormap(cmapName);
  const W = picture.width * zoom, H = picture.height * zoom;
  if (heat.length !== W * H) throw new Error(`overlay: heatmap has ${heat.length} values, expected ${W} x ${H}`);
  const img = createImage(W, H);
  const d = img.data;
  for (let y = 0; y < H; y++) {
    const py = Math.floor(y / zoom);
    for (let x = 0; x < W; x++) {
      const p = (py * picture.width + Math.floor(x / zoom)) * 3;
      const [r, g, b] = cmap(heat[y * W + x]!);
      const o = (y * W + x) * 4;
      d[o] = (1 - alpha) * picture.rgb[p]! + alpha * r;
      d[o + 1] = (1 - alpha) * picture.rgb[p + 1]! + alpha * g;
      d[o + 2] = (1 - alpha) * picture.rgb[p + 2]! + alpha * b;
      d[o + 3] = 255;
    }
  }
  return encodePng(img);
}

/**
 * The picture alone, enlarged like the overlay (what the model saw).
 * @example picturePng(picture, 10)
 */
export function picturePng(picture: Picture, zoom = 1): Uint8Array {
  const W = picture.width * zoom, H = picture.height * zoom;
  const img = createImage(W, H);
  for (let y = 0; y < H; y++) for (let x = 0; x < W; x++) {
    const p = (Math.floor(y / zoom) * picture.width + Math.floor(x / zoom)) * 3, o = (y * W + x) * 4;
    img.data[o] = picture.rgb[p]!; img.data[o + 1] = picture.rgb[p + 1]!; img.data[o + 2] = picture.rgb[p + 2]!;
  }
  return encodePng(img);
}
