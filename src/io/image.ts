/**
 * Image inputs: decode .png/.jpg/.webp (and whatever else libvips reads) with sharp, resize to
 * the model's input size, and turn the pixels into a float tensor in the layout the model wants.
 * The resized RGB picture is kept beside the tensor, so overlays (Grad-CAM heatmaps...) are drawn
 * on exactly the pixels the model saw.
 *
 * The arithmetic is the one of torchvision and Keras preprocessing:
 * `value = (pixel * scale - mean[c]) / std[c]`, e.g. ImageNet's `ToTensor()` (scale 1/255)
 * followed by `Normalize(mean, std)`.
 */
import { extname } from 'node:path';
import sharp from 'sharp';
import type { Metadata, OutputInfo } from 'sharp';
import { NnlensError } from '../errors.ts';
import { writeOutput } from './output.ts';

/** Tensor layout: channels first (PyTorch, ONNX) or channels last (Keras, TF.js). */
export type Layout = 'NCHW' | 'NHWC';
/** Colour handling: three channels, or one luma channel. */
export type ColorMode = 'rgb' | 'grayscale';
/**
 * How the picture is fitted to the size: `stretch` ignores the aspect ratio; `cover` scales the
 * shorter side and cuts the centre (with {@link ImageTransform.cropFraction} below 1 it scales to
 * `size / cropFraction` first, which is torchvision's `Resize(256) + CenterCrop(224)` for 0.875).
 */
export type Fit = 'stretch' | 'cover';

/** Everything that turns a picture into a model input. */
export interface ImageTransform {
  /** Target `[height, width]`; undefined keeps the picture's own size. */
  size?: readonly [number, number];
  color: ColorMode;
  layout: Layout;
  /** Multiplies the 0..255 pixel values first (1/255 for [0, 1] inputs, 1 for raw pixels). */
  scale: number;
  /** Subtracted after scaling: one value for all channels, or one per channel. */
  mean: readonly number[];
  /** Divides after the mean: one value for all channels, or one per channel. */
  std: readonly number[];
  fit?: Fit;
  /** Share of the scaled picture kept by a `cover` fit (1 = none cut beyond the aspect ratio). */
  cropFraction?: number;
}

/** An 8-bit RGB picture, pixels interleaved row by row (`rgb[(y * width + x) * 3 + c]`). */
export interface Picture {
  width: number;
  height: number;
  rgb: Uint8Array;
}

/** A decoded, preprocessed image ready to feed a model. */
export interface ImageInput {
  file: string;
  /** Batch of one: `[1, C, H, W]` or `[1, H, W, C]`. */
  shape: number[];
  data: Float32Array;
  /** The resized RGB picture the tensor was computed from (for overlays). */
  picture: Picture;
  /** Size of the file's picture before resizing. */
  original: { width: number; height: number };
}

/** File extensions treated as images by the commands. */
export const IMAGE_EXTENSIONS = ['.png', '.jpg', '.jpeg', '.webp', '.gif', '.bmp', '.tif', '.tiff'];

/** Whether `path` names an image by its extension. */
export function isImageFile(path: string): boolean {
  return IMAGE_EXTENSIONS.includes(extname(path).toLowerCase());
}

/**
 * Decodes an image file to an RGB picture, applying EXIF orientation and the resize of `t`.
 * Alpha is dropped without blending (as PIL's `convert('RGB')` does, so inputs match what a
 * PyTorch pipeline would have fed the model).
 * @example const pic = await decodeImage('cat.jpg', { size: [224, 224], fit: 'cover', cropFraction: 0.875 });
 */
export async function decodeImage(file: string, t: Pick<ImageTransform, 'size' | 'fit' | 'cropFraction'> = {}): Promise<Picture & { original: { width: number; height: number } }> {
  let meta: Metadata;
  try {
    meta = await sharp(file).metadata();
  } catch (e) {
    throw new NnlensError(file, `cannot decode image (${firstLine(e)})`);
  }
  // Width/height after EXIF rotation (orientations 5..8 swap the axes).
  const swap = (meta.orientation ?? 1) >= 5;
  const ow = swap ? meta.height : meta.width, oh = swap ? meta.width : meta.height;
  if (!ow || !oh) throw new NnlensError(file, 'image has no width or height');
  let img = sharp(file).autoOrient().removeAlpha().toColourspace('srgb');
  if (t.size) {
    const [h, w] = t.size;
    if (!(h >= 1 && w >= 1 && Number.isInteger(h) && Number.isInteger(w))) throw new NnlensError(file, `bad target size ${h}x${w}`);
    const crop = t.cropFraction ?? 1;
    if (!(crop > 0 && crop <= 1)) throw new NnlensError(file, `crop fraction ${crop} is not in (0, 1]`);
    if ((t.fit ?? 'stretch') === 'stretch') {
      img = img.resize(w, h, { fit: 'fill', kernel: 'linear' });
    } else {
      // Scale so the picture covers (h, w) / crop, then keep the centre (h, w).
      const s = Math.max(h / oh, w / ow) / crop;
      const rw = Math.max(w, Math.round(ow * s)), rh = Math.max(h, Math.round(oh * s));
      img = img.resize(rw, rh, { fit: 'fill', kernel: 'linear' })
        .extract({ left: Math.floor((rw - w) / 2), top: Math.floor((rh - h) / 2), width: w, height: h });
    }
  }
  let out: { data: Buffer; info: OutputInfo };
  try {
    out = await img.raw({ depth: 'uchar' }).toBuffer({ resolveWithObject: true });
  } catch (e) {
    throw new NnlensError(file, `cannot decode image (${firstLine(e)})`);
  }
  const { width, height, channels } = out.info;
  const rgb = toRgb(new Uint8Array(out.data.buffer, out.data.byteOffset, out.data.byteLength), width * height, channels);
  return { width, height, rgb, original: { width: ow, height: oh } };
}

function toRgb(px: Uint8Array, n: number, channels: number): Uint8Array {
  if (channels === 3) return px.slice();
  const rgb = new Uint8Array(n * 3);
  for (let i = 0; i < n; i++) {
    for (let c = 0; c < 3; c++) rgb[i * 3 + c] = px[i * channels + (channels < 3 ? 0 : c)]!;
  }
  return rgb;
}

/**
 * Luma of an RGB pixel with PIL's `convert('L')` integer formula (ITU-R BT.601 weights
 * 0.299/0.587/0.114 in 16-bit fixed point), so grayscale inputs match torchvision's `Grayscale`.
 */
export function luma(r: number, g: number, b: number): number {
  return (r * 19595 + g * 38470 + b * 7471 + 0x8000) >> 16;
}

/**
 * Turns a picture into a batch-of-one float tensor: grayscale or RGB, NCHW or NHWC,
 * `(pixel * scale - mean[c]) / std[c]`. `file` names the input in errors.
 * @example const { data, shape } = pictureToTensor(pic, { color: 'rgb', layout: 'NCHW', scale: 1 / 255, mean: [0.485, 0.456, 0.406], std: [0.229, 0.224, 0.225] }, 'cat.jpg');
 */
export function pictureToTensor(pic: Picture, t: ImageTransform, file: string): { data: Float32Array; shape: number[] } {
  const C = t.color === 'grayscale' ? 1 : 3;
  const mean = perChannel(t.mean, C, 'mean', file);
  const std = perChannel(t.std, C, 'std', file);
  if (std.some((s) => s === 0 || !Number.isFinite(s))) throw new NnlensError(file, `std [${t.std.join(', ')}] has a zero or non-finite value`);
  if (!Number.isFinite(t.scale)) throw new NnlensError(file, `scale ${t.scale} is not a finite number`);
  const { width: W, height: H, rgb } = pic;
  const n = W * H;
  const data = new Float32Array(n * C);
  for (let i = 0; i < n; i++) {
    for (let c = 0; c < C; c++) {
      const p = C === 1 ? luma(rgb[i * 3]!, rgb[i * 3 + 1]!, rgb[i * 3 + 2]!) : rgb[i * 3 + c]!;
      const v = (p * t.scale - mean[c]!) / std[c]!;
      data[t.layout === 'NCHW' ? c * n + i : i * C + c] = v;
    }
  }
  return { data, shape: t.layout === 'NCHW' ? [1, C, H, W] : [1, H, W, C] };
}

function perChannel(v: readonly number[], C: number, what: string, file: string): number[] {
  if (v.length === 1) return new Array<number>(C).fill(v[0]!);
  if (v.length === C) return [...v];
  throw new NnlensError(file, `${what} has ${v.length} values, but the input has ${C} channel${C === 1 ? '' : 's'} (give 1 or ${C})`);
}

/**
 * Decodes, resizes and normalizes an image file for a model.
 * @example const input = await loadImage('digit.png', { size: [28, 28], color: 'grayscale', layout: 'NCHW', scale: 1 / 255, mean: [0], std: [1] });
 */
export async function loadImage(file: string, t: ImageTransform): Promise<ImageInput> {
  const pic = await decodeImage(file, t);
  const { data, shape } = pictureToTensor(pic, t, file);
  return { file, shape, data, picture: { width: pic.width, height: pic.height, rgb: pic.rgb }, original: pic.original };
}

/**
 * Encodes 8-bit pixels (RGBA by default; 1, 2 or 3 channels also accepted) as PNG bytes.
 * @example const png = await encodePng(rgba, 224, 224);
 */
export async function encodePng(pixels: Uint8Array, width: number, height: number, channels: 1 | 2 | 3 | 4 = 4): Promise<Uint8Array> {
  if (pixels.byteLength !== width * height * channels) {
    throw new Error(`encodePng: ${pixels.byteLength} bytes do not make a ${width}x${height} picture with ${channels} channels`);
  }
  let img = sharp(pixels, { raw: { width, height, channels } });
  // Without this, libvips stores 1- and 2-channel input as RGB(A); grayscale PNGs are a third the size.
  if (channels <= 2) img = img.toColourspace('b-w');
  const buf = await img.png({ compressionLevel: 9 }).toBuffer();
  return new Uint8Array(buf.buffer, buf.byteOffset, buf.byteLength);
}

/**
 * Writes 8-bit pixels as a PNG file, atomically (see {@link writeOutput}).
 * @example await writePng('overlay.png', rgba, 224, 224);
 */
export async function writePng(path: string, pixels: Uint8Array, width: number, height: number, channels: 1 | 2 | 3 | 4 = 4): Promise<void> {
  writeOutput(path, await encodePng(pixels, width, height, channels));
}

function firstLine(e: unknown): string {
  const m = e instanceof Error ? e.message : String(e);
  return m.split('\n')[0] ?? m;
}
