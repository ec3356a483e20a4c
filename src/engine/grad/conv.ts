/**
 * Backward rules of convolutions (ONNX Conv / ConvTranspose, N-d, groups, dilations, pads).
 *
 * d input: the transposed convolution of dY with the same weights. When the kernel is a
 * constant it is built from plain stride-1 Convs instead (conv-phases.ts), which ONNX Runtime
 * runs in its blocked NCHWc kernels, several times faster than its ConvTranspose:
 * - stride 1: one Conv of dY with the spatially flipped, channel-swapped kernel;
 * - strided (dilation 1, one item, at least 16 input channels): one Conv per output phase with
 *   that phase's taps of the kernel (no zero taps), interleaved back by one GatherElements over a
 *   constant index map. ResNet-18 fwd+bwd, 2 threads, 8 interleaved rounds: median paired time
 *   ratio 0.92 against ConvTranspose (`node --import tsx bench/dev/conv-phases.ts`, which turns
 *   this path off with NNLENS_NO_PHASE=1; NNLENS_NO_FLIP=1 turns off both); ResNet-50
 *   unchanged (1.00), where its 3x3/2 ConvTransposes ran at 30-60 GMAC/s against 90-100 for Conv.
 *   Not used for few channels: the stem's 64->3 phases as Convs took 11 ms against 3.5 ms
 *   (ORT's Conv with 3 output channels falls back to im2col + a 3-row GEMM); nor for batches,
 *   whose index map would need one copy per item.
 * d weight: a convolution of the input with dY, with the roles of stride and dilation swapped.
 * d bias: dY summed over batch and space.
 */
import { attr } from '../../graph/ir.ts';
import { outputPadding, windowOf, type Window } from './conv-geometry.ts';
import { interleaveIndex, planPhases, regroupedKernel } from './conv-phases.ts';
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
        const wConst = c.e.b.graph.values.get(w)?.initializer !== undefined && c.dtype(w) === 'float32';
        if (!process.env.NNLENS_NO_FLIP && wConst) {
          if (win.strides.every((s) => s === 1) && [...pb, ...pe].every((p) => p >= 0)) {
            const flipped = regroupedKernel(c, w, ws, group, win.kernel.map((k) => Array.from({ length: k }, (_, i) => k - 1 - i)), 'wflip');
            return e.op('Conv', [dy(), flipped], { dilations: win.dilations, group, pads: [...pb, ...pe], kernel_shape: win.kernel });
          }
          if (!process.env.NNLENS_NO_PHASE && xs[0] === 1 && xs[1]! >= 16 && win.dilations.every((d) => d === 1)) {
            const phases = phaseInputGrad(c, w, ws, group, xs, ys, win, dy());
            if (phases) return phases;
          }
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
 * The input gradient of a strided conv of one item as one stride-1 Conv per output phase, then
 * one GatherElements that interleaves the phases (and zeros where no tap reaches) into dX; or
 * undefined when a phase would need dY cropped.
 */
function phaseInputGrad(c: GradContext, w: string, ws: number[], group: number, xs: number[], ys: number[], win: Window, dy: string): string | undefined {
  const plans = planPhases({ inSize: xs.slice(2), outSize: ys.slice(2), kernel: win.kernel, strides: win.strides, padsBegin: win.padsBegin });
  if (!plans?.length) return undefined;
  const e = c.e;
  const flat = plans.map((p) => {
    const k = regroupedKernel(c, w, ws, group, p.taps, 'wphase');
    return e.reshape(e.op('Conv', [dy, k], { group, pads: p.pads, kernel_shape: p.taps.map((t) => t.length) }), [-1]);
  });
  flat.push(e.zeros([1]));
  const idx = interleaveIndex(xs[1]!, xs.slice(2), win.strides, plans);
  const gathered = e.op('GatherElements', [e.op('Concat', flat, { axis: 0 }), e.b.constant('int32', [idx.length], idx, 'interleave')], { axis: 0 });
  return e.reshape(gathered, xs);
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
