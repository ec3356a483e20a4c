/**
 * Forward pass over many points at once, for drawing: every neuron's value over a 100 x 100 grid
 * of the input plane (the neuron heatmaps and the output's decision surface) and the train/test
 * losses over whole datasets.
 *
 * Layout is feature-major (one contiguous row of `count` values per neuron), so the inner loop
 * runs over points: `out[o] += w[o,i] * in[i]` as whole rows, which V8 compiles to a tight loop
 * over typed arrays; per-point evaluation with an inner loop over 2..8 inputs is several times
 * slower. The arithmetic is the same sums in the same order as {@link forwardExample}, so a point
 * gets the same values as in a training step (a test checks this).
 */
import type { Network } from './network.ts';

/** Buffers for a batched forward pass: per layer, `size x count` activations (and pre-activations). */
export interface BatchBuffers {
  count: number;
  /** `z[l]`, `a[l]` for layers 0..depth; `a[0]` is the input the caller fills, `z[0]` is unused. */
  z: Float64Array[];
  a: Float64Array[];
}

/** Buffers for `count` points through `net` (allocate once, reuse every frame). */
export function batchBuffers(net: Network, count: number): BatchBuffers {
  return {
    count,
    z: net.sizes.map((s, l) => new Float64Array(l === 0 ? 0 : s * count)),
    a: net.sizes.map((s) => new Float64Array(s * count)),
  };
}

/** True when the buffers were made for this network's widths and `count` points. */
export function buffersFit(net: Network, buf: BatchBuffers, count: number): boolean {
  return buf.count === count && buf.a.length === net.sizes.length && net.sizes.every((s, l) => buf.a[l].length === s * count);
}

/**
 * Runs all points in `buf.a[0]` (feature-major, `inputs x count`) through the network, filling
 * every layer's `z` and `a`. The output layer's `a` is its (linear) z.
 * @example
 * const buf = batchBuffers(net, cols.length / net.sizes[0]);
 * buf.a[0].set(cols); forwardBatch(net, buf); // buf.a[net.depth] holds the logits
 */
export function forwardBatch(net: Network, buf: BatchBuffers): void {
  const p = net.params;
  const f = net.activation.f;
  const P = buf.count;
  const last = net.depth - 1;
  for (let l = 0; l <= last; l++) {
    const { nIn, nOut, w, b } = net.layers[l];
    const aIn = buf.a[l];
    const z = buf.z[l + 1];
    const a = buf.a[l + 1];
    for (let o = 0; o < nOut; o++) {
      const off = o * P;
      const bias = p[b + o];
      for (let q = 0; q < P; q++) z[off + q] = bias;
      for (let i = 0; i < nIn; i++) {
        const wi = p[w + o * nIn + i];
        const inOff = i * P;
        for (let q = 0; q < P; q++) z[off + q] += wi * aIn[inOff + q];
      }
      if (l === last) a.set(z.subarray(off, off + P), off);
      else for (let q = 0; q < P; q++) a[off + q] = f(z[off + q]);
    }
  }
}

/**
 * Mean data loss of the points already run through {@link forwardBatch}.
 * @param targets row-major `count x outputs` (one-hot for classes)
 */
export function meanLoss(net: Network, buf: BatchBuffers, targets: Float64Array): number {
  const k = net.sizes[net.depth];
  const P = buf.count;
  const out = buf.a[net.depth];
  const row = new Float64Array(k);
  let sum = 0;
  for (let q = 0; q < P; q++) {
    for (let j = 0; j < k; j++) row[j] = out[j * P + q];
    sum += net.loss.evaluate(row, 0, k, targets, q * k);
  }
  return P === 0 ? 0 : sum / P;
}
