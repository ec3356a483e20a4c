/**
 * What the phase-Conv input gradient of strided convs (src/engine/grad/conv-phases.ts) buys over
 * ONNX Runtime's ConvTranspose: forward+backward of a zoo model, in child processes that
 * alternate the two settings round by round (the host's speed drifts by ~30% within minutes, so
 * only paired rounds compare), 2 threads:
 *
 *     node --import tsx bench/dev/conv-phases.ts resnet18 8
 *
 * Prints each round and the medians of both sides and of the paired ratios (phases / ConvTranspose).
 */
import { runChild } from '../engine.ts';

const model = (process.argv[2] ?? 'resnet18') as 'resnet18' | 'resnet50';
const rounds = Number(process.argv[3] ?? 8);
const runs = model === 'resnet18' ? 10 : 6;
const median = (xs: number[]): number => { const s = [...xs].sort((a, b) => a - b); const m = s.length >> 1; return s.length % 2 ? s[m]! : (s[m - 1]! + s[m]!) / 2; };
const phases: number[] = [], convT: number[] = [];
for (let r = 0; r < rounds; r++) {
  const a = await runChild(model, runs);
  const b = await runChild(model, runs, { NNLENS_NO_PHASE: '1' });
  phases.push(a.median_ms); convT.push(b.median_ms);
  console.log(`round ${r + 1}: phases ${a.median_ms} ms (grad rel L2 vs PyTorch ${a.grad_rel_l2_vs_zoo.toExponential(2)}), ConvTranspose ${b.median_ms} ms (${b.grad_rel_l2_vs_zoo.toExponential(2)}), ratio ${(a.median_ms / b.median_ms).toFixed(3)}`);
}
const ratios = phases.map((p, i) => p / convT[i]!);
console.log(`${model}, ${rounds} rounds: median phases ${median(phases).toFixed(1)} ms, ConvTranspose ${median(convT).toFixed(1)} ms, median paired ratio ${median(ratios).toFixed(3)} (range ${Math.min(...ratios).toFixed(2)}-${Math.max(...ratios).toFixed(2)})`);
