/**
 * Browser side of bench/playground-ort.ts: times the playground engine inside the same Chromium
 * page as onnxruntime-web, interleaved with it, so both see the same machine load.
 */
import { WasmGrid } from '../src/playground/grid-wasm.ts';
import { Session } from '../src/playground/session.ts';
import { parseHash } from '../src/playground/state.ts';

/** Microseconds per call, best of 5 rounds of `n` calls. */
function perCall(n: number, fn: () => void): number {
  for (let i = 0; i < Math.min(n, 50); i++) fn();
  let best = Infinity;
  for (let r = 0; r < 5; r++) {
    const t = performance.now();
    for (let i = 0; i < n; i++) fn();
    best = Math.min(best, ((performance.now() - t) * 1000) / n);
  }
  return best;
}

/**
 * The engine's training step (mini-batch of 10) and epoch, and the page's grid pass (float32
 * WebAssembly, 10,000 points), on TF Playground's largest network.
 */
export function engineTimes(): Record<string, number> {
  const s = new Session(parseHash('#dataset=circle&features=x1,x2,x1sq,x2sq,x1x2,sinx1,sinx2&hidden=8,8,8,8,8,8'));
  const grid = WasmGrid.create(s.net, 10000);
  if (!grid) throw new Error('no WebAssembly SIMD in this browser');
  grid.a[0].fill(0.5);
  return {
    step: perCall(300, () => { s.step(); }),
    epoch: perCall(20, () => s.trainEpoch()),
    grid: perCall(10, () => grid.forward()),
  };
}
