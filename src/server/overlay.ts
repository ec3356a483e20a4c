/**
 * PNG pictures for the page: a heatmap over the picture the model saw (render/overlay.ts's blend,
 * `out = (1 - alpha) * picture + alpha * colormap(heat)`, as pytorch-grad-cam's
 * `show_cam_on_image`), and the picture alone, enlarged by whole pixels.
 */
import sharp from 'sharp';
import type { Picture } from '../io/image.ts';
import { isColormap } from '../render/colormap.ts';
import { overlayImage, pictureImage } from '../render/overlay.ts';
import { encodePng, type RgbaImage } from '../render/raster.ts';
import { HttpError } from './http.ts';

/**
 * PNG of an opaque image, encoded fast: libvips (sharp) with light deflate, RGB only. A 224 x 224
 * overlay of a photo takes about 5 ms this way against 25-90 ms at deflate level 6 in JavaScript,
 * which matters when the page redraws the overlay for every class or opacity change.
 */
async function fastPng(img: RgbaImage): Promise<Uint8Array> {
  const buf = await sharp(new Uint8Array(img.data.buffer, img.data.byteOffset, img.data.byteLength), { raw: { width: img.width, height: img.height, channels: 4 } })
    .removeAlpha().png({ compressionLevel: 2 }).toBuffer();
  return new Uint8Array(buf.buffer, buf.byteOffset, buf.byteLength);
}

/**
 * PNG bytes of `heat` (values in [0, 1], the picture's size) over the picture.
 * @throws HttpError 400 for an unknown colormap or an opacity outside 0..1
 * @example overlayPng(heat, picture, 'jet', 0.5, true)
 */
export function overlayPng(heat: Float32Array, picture: Picture, cmapName: string, alpha: number, grayscale: boolean): Promise<Uint8Array> {
  if (!isColormap(cmapName)) throw new HttpError(400, `unknown colormap '${cmapName}'`);
  if (!(alpha >= 0 && alpha <= 1)) throw new HttpError(400, `alpha must be a number from 0 to 1, got ${alpha}`);
  return fastPng(overlayImage(picture, heat, { colormap: cmapName, alpha, grayscale }));
}

/**
 * The picture alone, enlarged `zoom` times by whole pixels (what the model saw).
 * @example picturePng(picture, 4)
 */
export function picturePng(picture: Picture, zoom = 1): Uint8Array {
  const img = pictureImage(picture);
  if (zoom === 1) return encodePng(img);
  const W = img.width * zoom, H = img.height * zoom, data = new Uint8ClampedArray(W * H * 4);
  for (let y = 0; y < H; y++) for (let x = 0; x < W; x++) data.set(img.data.subarray((Math.floor(y / zoom) * img.width + Math.floor(x / zoom)) * 4, (Math.floor(y / zoom) * img.width + Math.floor(x / zoom)) * 4 + 4), (y * W + x) * 4);
  return encodePng({ width: W, height: H, data });
}
