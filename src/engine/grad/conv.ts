/**
 * Backward rules of convolutions (ONNX Conv / ConvTranspose, N-d, groups, dilations, pads).
 *
 * d input: the transposed convolution of dY with the same weights (ConvTranspose). For stride 1
 * the same result is a plain Conv of dY with the spatially flipped, channel-swapped kernel, which
 * ONNX Runtime runs several times faster than ConvTranspose (measured on ResNet-18 backward,
 * see bench/); that path is used when the kernel is a constant and the pads allow it.
 * Strided convs keep ConvTranspose: the sub-pixel alternative (Shi et al. 2016, arXiv:1609.07009:
 * the s^2 phases as output channels of one stride-1 Conv, then interleaved) was measured no
 * faster with ORT 1.30 at one thread on ResNet-18's shapes: 7x7/2 stem 4.1 ms Conv + 0.4 ms
 * DepthToSpace vs 4.6 ms ConvTranspose (zero taps and channel padding to the NCHWc block waste
 * 43% of its work); 3x3/2 and 1x1/2 about twice slower (zero-padded sub-kernels, and the
 * interleave is a 6-D transpose, which ORT runs at ~5 ns per element). With the exact
 * per-phase taps (one stride-1 Conv per phase, no zero taps) and one GatherElements over a
 * constant index map as the interleave (0.08 ms for 256x28x28 against 1.15 ms for DepthToSpace:
 * `node --import tsx bench/dev/ops/interleave.ts 256,14,14`),
 * the whole fwd+bwd did not get measurably faster either: paired ratio to ConvTranspose 0.99 on
 * ResNet-18 (10 rounds) and 0.97 on ResNet-50 (6 rounds, round-to-round spread 0.74-1.33), 2
 * threads, 2026-11-22; the stem (3 output channels) was 3x slower as phase Convs. That version,
 * its exactness tests and the A/B script are commit a5e7665 (`git checkout a5e7665 && node
 * --import tsx bench/dev/conv-phases.ts resnet18 10`).
 * d weight: a convolution of the input with dY, with the roles of stride and dilation swapped.
 * d bias: dY summed over batch and space.
 */
import { attr } from '../../graph/ir.ts';
import { Tensor } from '../../graph/tensor.ts';
import { scratch } from '../../io/scratch.ts';
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
        const wConst = c.e.b.graph.values.get(w)?.initializer !== undefined && c.dtype(w) === 'float32';
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
 * [C, M/g, *K] and flipped along every spatial axis. It is computed in JS (the kernel is a
 * constant) only when the graph is serialized, from a fresh read of W into reused scratch
 * buffers, and not kept: the process never holds JS copies of the model's kernels next to ONNX
 * Runtime's (issue 3's memory goal).
 */
function flipKernel(c: GradContext, w: string, ws: number[], group: number): string {
  const src = c.e.b.graph.values.get(w)!.initializer!;
  const [M, Cg] = ws as [number, number];
  const K = ws.slice(2);
  const kSize = K.reduce((p, d) => p * d, 1);
  const Mg = M / group, C = Cg * group;
  // Output row r = g * Cg + ci holds, for every mo, input row (g * Mg + mo) * Cg + ci reversed.
  const flipRows = (data: Float32Array, out: Float32Array, r0: number, r1: number): Float32Array => {
    for (let r = r0; r < r1; r++) {
      const g = Math.floor(r / Cg), ci = r % Cg;
      for (let mo = 0; mo < Mg; mo++) {
        const from = ((g * Mg + mo) * Cg + ci) * kSize;
        const to = ((r - r0) * Mg + mo) * kSize;
        for (let k = 0; k < kSize; k++) out[to + kSize - 1 - k] = data[from + k]!; // reversing the flat index flips every spatial axis
      }
    }
    return out;
  };
  const rowBytes = Mg * kSize * 4;
  const tensor = new Tensor('float32', [C, Mg, ...K], {
    where: `${src.where} (flipped)`,
    read: () => flipRows(src.transientData() as Float32Array, new Float32Array(src.size), 0, C),
    *chunks() {
      const input = scratch('flip-in', src.byteLength);
      let o = 0;
      for (const piece of src.rawChunks()) { input.set(piece, o); o += piece.byteLength; }
      const data = new Float32Array(input.buffer, 0, src.size);
      // Output in pieces of about 1 MiB of whole rows.
      const rows = Math.max(1, Math.floor((1 << 20) / rowBytes));
      for (let r = 0; r < C; r += rows) {
        const r1 = Math.min(C, r + rows);
        const out = scratch('flip-out', (r1 - r) * rowBytes);
        flipRows(data, new Float32Array(out.buffer, 0, (r1 - r) * Mg * kSize), r, r1);
        yield out;
      }
    },
  });
  return c.e.b.lazyConstant(tensor, 'wflip');
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
