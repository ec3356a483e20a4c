/**
 * Turning raw attributions into heatmaps, as pytorch-grad-cam's `scale_cam_image` does: per-image
 * min-max normalization to [0, 1], then bilinear resize to the input's size with half-pixel
 * centres (cv2.resize INTER_LINEAR; torch's interpolate(mode='bilinear', align_corners=False)).
 */

/**
 * Bilinear resize of one [h, w] map to [H, W] with half-pixel centres.
 * @example resizeBilinear(map7x7, 7, 7, 224, 224)
 */
export function resizeBilinear(src: Float32Array, h: number, w: number, H: number, W: number): Float32Array {
  const out = new Float32Array(H * W);
  const sy = h / H, sx = w / W;
  for (let y = 0; y < H; y++) {
    const fy = Math.min(Math.max((y + 0.5) * sy - 0.5, 0), h - 1);
    const y0 = Math.floor(fy), y1 = Math.min(y0 + 1, h - 1), wy = fy - y0;
    for (let x = 0; x < W; x++) {
      const fx = Math.min(Math.max((x + 0.5) * sx - 0.5, 0), w - 1);
      const x0 = Math.floor(fx), x1 = Math.min(x0 + 1, w - 1), wx = fx - x0;
      const top = src[y0 * w + x0]! * (1 - wx) + src[y0 * w + x1]! * wx;
      const bot = src[y1 * w + x0]! * (1 - wx) + src[y1 * w + x1]! * wx;
      out[y * W + x] = top * (1 - wy) + bot * wy;
    }
  }
  return out;
}

/** Min-max normalization to [0, 1] in place (a constant map becomes all zeros). Returns the array. */
export function normalizeMinMax(a: Float32Array): Float32Array {
  let lo = Infinity, hi = -Infinity;
  for (const v of a) { if (v < lo) lo = v; if (v > hi) hi = v; }
  const span = hi - lo;
  // pytorch-grad-cam divides by (max + 1e-7) after subtracting the min; the epsilon keeps flat maps at 0.
  for (let i = 0; i < a.length; i++) a[i] = span > 0 ? (a[i]! - lo) / (span + 1e-7) : 0;
  return a;
}

/**
 * The heatmap of a CAM map batch [N, h, w] at input size: per item normalized, then resized.
 * @example camHeatmaps(result.map, 224, 224) // N maps of 224*224 values in [0, 1]
 */
export function camHeatmaps(map: { shape: number[]; data: Float32Array }, H: number, W: number): Float32Array[] {
  const [N, h, w] = map.shape as [number, number, number];
  const out: Float32Array[] = [];
  for (let n = 0; n < N; n++) {
    const m = normalizeMinMax(Float32Array.from(map.data.subarray(n * h * w, (n + 1) * h * w)));
    out.push(resizeBilinear(m, h, w, H, W));
  }
  return out;
}

/**
 * An input-space attribution [C, H, W] (or [H, W, C]) reduced to one [H, W] heatmap in [0, 1]:
 * the maximum of |attribution| over channels (Simonyan et al. 2013, Sec. 3.1), then normalized.
 */
export function inputHeatmap(attr: Float32Array, C: number, H: number, W: number, layout: 'NCHW' | 'NHWC'): Float32Array {
  const out = new Float32Array(H * W);
  for (let y = 0; y < H; y++) for (let x = 0; x < W; x++) {
    let m = 0;
    for (let c = 0; c < C; c++) {
      const v = Math.abs(layout === 'NCHW' ? attr[(c * H + y) * W + x]! : attr[(y * W + x) * C + c]!);
      if (v > m) m = v;
    }
    out[y * W + x] = m;
  }
  // Clip the top 1% so that one extreme pixel does not wash out the rest (common practice for saliency maps).
  const sorted = Float32Array.from(out).sort();
  const cap = sorted[Math.floor(sorted.length * 0.99)] ?? 0;
  if (cap > 0) for (let i = 0; i < out.length; i++) out[i] = Math.min(out[i]! / cap, 1);
  return out;
}

/**
 * Contrast of two maps (the classic "dog minus cat" class activation map): (a - b) divided by its
 * largest absolute value and clipped to [0, 1].
 */
export function contrastMaps(a: Float32Array, b: Float32Array): Float32Array {
  const d = new Float32Array(a.length);
  let m = 0;
  for (let i = 0; i < a.length; i++) { d[i] = a[i]! - b[i]!; m = Math.max(m, Math.abs(d[i]!)); }
  for (let i = 0; i < d.length; i++) d[i] = m > 0 ? Math.min(Math.max(d[i]! / m, 0), 1) : 0;
  return d;
}
