/**
 * Backward rules of convolutions (ONNX Conv / ConvTranspose, N-d, groups, dilations, pads).
 *
 * d input: the transposed convolution of dY with the same weights (ConvTranspose). For stride 1
 * the same result is a plain Conv of dY with the spatially flipped, channel-swapped kernel, which
 * ONNX Runtime runs several times faster than ConvTranspose (measured on ResNet-18 backward,
 * see bench/); that path is used when the kernel is a constant and the pads allow it.
 * d weight: a convolution of the input with dY, with the roles of stride and dilation swapped.
 * d bias: dY summed over batch and space.
 */
import { attr } from '../../graph/ir.ts';
import { outputPadding, windowOf } from './conv-geometry.ts';
import type { GradContext, GradRule } from './rule.ts';

export const conv: GradRule = {
  ops: ['Conv'],
  grad: (c) => {
    const [x, w, b] = c.node.inputs as [string, string, string | undefined];
    const xs = c.shape(x), ws = c.shape(w), ys = c.shape(c.node.outputs[0]!);
    const spatial = xs.slice(2);
    const win = windowOf(c.node, spatial, ws.slice(2));
    const group = attr(c.node, 'group', 'int', 1);
    const e = c.e;
    const dy = (): string => c.dy()!;
    return [
      () => {
        const flipPads = win.kernel.map((k, i) => win.dilations[i]! * (k - 1));
        const pb = flipPads.map((p, i) => p - win.padsBegin[i]!), pe = flipPads.map((p, i) => p - win.padsEnd[i]!);
        const wConst = c.weights(w) !== undefined;
        if (!process.env.NNLENS_NO_FLIP && win.strides.every((s) => s === 1) && wConst && [...pb, ...pe].every((p) => p >= 0)) {
          const flipped = flipKernel(c, w, ws, group);
          return e.op('Conv', [dy(), flipped], { dilations: win.dilations, group, pads: [...pb, ...pe], kernel_shape: win.kernel });
        }
        return e.op('ConvTranspose', [dy(), w], {
          strides: win.strides, dilations: win.dilations, group, kernel_shape: win.kernel,
          pads: [...win.padsBegin, ...win.padsEnd], output_padding: outputPadding(win, spatial, ys.slice(2)),
        });
      },
      () => {
        // X'' = [C/g, g*N, *S] so that a grouped conv with dY' = [M, N, *O] as kernel yields [C/g, M, *K'].
        const [N, C] = xs as [number, number];
        const Cg = C / group;
        const x5 = e.reshape(x, [N, group, Cg, ...spatial]);
        const xt = e.transpose(x5, [2, 1, 0, ...spatial.map((_, i) => 3 + i)]);
        const xr = e.reshape(xt, [Cg, group * N, ...spatial]);
        const dyT = e.transpose(dy(), [1, 0, ...spatial.map((_, i) => 2 + i)]);
        const r = e.op('Conv', [xr, dyT], {
          strides: win.dilations, dilations: win.strides, group,
          pads: [...win.padsBegin, ...win.padsEnd], kernel_shape: ys.slice(2),
        });
        const sliced = e.slice(r, spatial.map(() => 0), win.kernel, spatial.map((_, i) => 2 + i));
        return e.transpose(sliced, [1, 0, ...spatial.map((_, i) => 2 + i)]);
      },
      b ? () => e.reduceSum(dy(), [0, ...spatial.map((_, i) => 2 + i)], false) : undefined,
    ];
  },
};

/**
 * The kernel of the stride-1 input-gradient convolution: W [M, C/g, *K] regrouped to
 * [C, M/g, *K] and flipped along every spatial axis, computed once in JS (the kernel is constant).
 */
function flipKernel(c: GradContext, w: string, ws: number[], group: number): string {
  const data = c.weights(w)!;
  const [M, Cg] = ws as [number, number];
  const K = ws.slice(2);
  const kSize = K.reduce((p, d) => p * d, 1);
  const Mg = M / group, C = Cg * group;
  const out = new Float32Array(data.length);
  for (let g = 0; g < group; g++) {
    for (let mo = 0; mo < Mg; mo++) {
      for (let ci = 0; ci < Cg; ci++) {
        const src = ((g * Mg + mo) * Cg + ci) * kSize;
        const dst = ((g * Cg + ci) * Mg + mo) * kSize;
        for (let k = 0; k < kSize; k++) out[dst + kSize - 1 - k] = data[src + k]!; // reversing the flat index flips every spatial axis
      }
    }
  }
  return c.e.b.constant('float32', [C, Mg, ...K], out, 'wflip');
}

/** ConvTranspose: d input is the forward Conv of dY with the same kernel. */
export const convTranspose: GradRule = {
  ops: ['ConvTranspose'],
  grad: (c) => {
    const [x, w, b] = c.node.inputs as [string, string, string | undefined];
    const xs = c.shape(x), ws = c.shape(w), ys = c.shape(c.node.outputs[0]!);
    const spatial = xs.slice(2);
    const group = attr(c.node, 'group', 'int', 1);
    const kernel = attr(c.node, 'kernel_shape', 'ints', ws.slice(2));
    const strides = attr(c.node, 'strides', 'ints', spatial.map(() => 1));
    const dilations = attr(c.node, 'dilations', 'ints', spatial.map(() => 1));
    // Pads actually used: recover them from the sizes (covers auto_pad and output_shape).
    const opad = attr(c.node, 'output_padding', 'ints', spatial.map(() => 0));
    let pads = attr(c.node, 'pads', 'ints', []);
    const autoPad = attr(c.node, 'auto_pad', 'string', 'NOTSET');
    if (pads.length === 0 || autoPad !== 'NOTSET' || c.node.attributes.output_shape) {
      const total = spatial.map((s, i) => strides[i]! * (s - 1) + opad[i]! + (kernel[i]! - 1) * dilations[i]! + 1 - ys[2 + i]!);
      const upper = autoPad !== 'SAME_LOWER';
      pads = [...total.map((t) => (upper ? Math.floor(t / 2) : t - Math.floor(t / 2))), ...total.map((t) => (upper ? t - Math.floor(t / 2) : Math.floor(t / 2)))];
    }
    const e = c.e;
    return [
      () => e.op('Conv', [c.dy()!, w], { strides, dilations, group, pads, kernel_shape: kernel }),
      undefined,
      b ? () => e.reduceSum(c.dy()!, [0, ...spatial.map((_, i) => 2 + i)], false) : undefined,
    ];
  },
};

export const RULES: GradRule[] = [conv, convTranspose];
