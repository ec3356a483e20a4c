/**
 * Baselines for path and perturbation methods: what "absence of the feature" means
 * (Sturmfels et al. 2020, "Visualizing the Impact of Feature Attribution Baselines", Distill).
 */
import { NnlensError } from '../../errors.ts';
import { readNpy } from '../../io/npy.ts';
import { toFloat32 } from '../../graph/tensor.ts';
import type { ExplainContext } from '../method.ts';
import { Random } from '../../data/random.ts';

/** Baseline kinds accepted by `--baseline` (or a path to a .npy file). */
export type BaselineSpec = 'zeros' | 'blur' | 'uniform' | string;

/**
 * The baseline for every item of ctx.x, same shape.
 * - zeros: all zeros;
 * - blur: the input blurred with a Gaussian (sigma = 1/16 of the larger image side) over its spatial axes;
 * - uniform: uniform noise between the input's minimum and maximum (seeded);
 * - FILE.npy: an array of the input's shape, or of one item's shape (repeated).
 */
export function makeBaseline(ctx: ExplainContext, spec: BaselineSpec = 'zeros'): Float32Array {
  const x = ctx.x.data, shape = ctx.x.shape;
  if (spec === 'zeros') return new Float32Array(x.length);
  if (spec === 'uniform') {
    let lo = Infinity, hi = -Infinity;
    for (const v of x) { if (v < lo) lo = v; if (v > hi) hi = v; }
    const r = new Random(ctx.seed ?? 0);
    return Float32Array.from(x, () => lo + (hi - lo) * r.uniform());
  }
  if (spec === 'blur') return blur(ctx);
  if (spec.toLowerCase().endsWith('.npy')) {
    const a = readNpy(spec);
    const data = toFloat32(a.dtype, a.data);
    if (data.length === x.length) return Float32Array.from(data);
    const per = x.length / (shape[0] ?? 1);
    if (data.length === per) {
      const out = new Float32Array(x.length);
      for (let n = 0; n < (shape[0] ?? 1); n++) out.set(data, n * per);
      return out;
    }
    throw new NnlensError(spec, `baseline has shape [${a.shape.join(', ')}] but the input is [${shape.join(', ')}]`);
  }
  throw new NnlensError('', `unknown baseline '${spec}' (expected zeros, blur, uniform or a .npy file)`);
}

function blur(ctx: ExplainContext): Float32Array {
  const shape = ctx.x.shape, x = ctx.x.data;
  if (shape.length !== 4) throw new NnlensError(ctx.engine.model.path, 'the blur baseline needs an image input (4-D)');
  const layout = ctx.engine.exec.layoutOf(ctx.inputName);
  const [N, C, H, W] = layout === 'NHWC' ? [shape[0]!, shape[3]!, shape[1]!, shape[2]!] : (shape as [number, number, number, number]);
  const sigma = Math.max(H, W) / 16;
  const radius = Math.ceil(3 * sigma);
  const k = Array.from({ length: 2 * radius + 1 }, (_, i) => Math.exp(-((i - radius) ** 2) / (2 * sigma * sigma)));
  const ks = k.reduce((a, b) => a + b, 0);
  const kern = k.map((v) => v / ks);
  const at = (n: number, c: number, y: number, xx: number): number => (layout === 'NHWC' ? ((n * H + y) * W + xx) * C + c : ((n * C + c) * H + y) * W + xx);
  const out = new Float32Array(x.length), tmp = new Float32Array(x.length);
  for (let n = 0; n < N; n++) for (let c = 0; c < C; c++) {
    for (let y = 0; y < H; y++) for (let xx = 0; xx < W; xx++) {
      let s = 0;
      for (let d = -radius; d <= radius; d++) s += kern[d + radius]! * x[at(n, c, y, Math.min(Math.max(xx + d, 0), W - 1))]!;
      tmp[at(n, c, y, xx)] = s;
    }
    for (let y = 0; y < H; y++) for (let xx = 0; xx < W; xx++) {
      let s = 0;
      for (let d = -radius; d <= radius; d++) s += kern[d + radius]! * tmp[at(n, c, Math.min(Math.max(y + d, 0), H - 1), xx)]!;
      out[at(n, c, y, xx)] = s;
    }
  }
  return out;
}
