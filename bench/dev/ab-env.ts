/**
 * A/B of engine settings given as environment variables: ResNet fwd+bwd (bench/engine.ts's child,
 * 2 threads) in child processes, the settings alternating round by round (the host's speed drifts
 * by ~30% within minutes, so only paired rounds compare). The first setting is the reference; `-`
 * means no extra variables.
 *
 *     node --import tsx bench/dev/ab-env.ts resnet18 8 - NNLENS_NO_FLIP=1
 *     node --import tsx bench/dev/ab-env.ts resnet18 6 - 'NNLENS_SESSION_OPTIONS={"extra":{"session":{"dynamic_block_base":"4"}}}'
 */
import { runChild } from '../engine.ts';

const [model = 'resnet18', roundsArg = '8', ...settings] = process.argv.slice(2);
const rounds = Number(roundsArg);
const runs = model === 'resnet50' ? 6 : 10;
const configs = (settings.length ? settings : ['-']).map((s) => ({
  label: s,
  env: s === '-' ? {} : Object.fromEntries(s.split(/\s+/).map((kv) => [kv.slice(0, kv.indexOf('=')), kv.slice(kv.indexOf('=') + 1)])),
}));
const median = (xs: number[]): number => { const s = [...xs].sort((a, b) => a - b); const m = s.length >> 1; return s.length % 2 ? s[m]! : (s[m - 1]! + s[m]!) / 2; };
const times = configs.map(() => [] as number[]);
for (let r = 0; r < rounds; r++) {
  for (const [i, c] of configs.entries()) {
    const f = await runChild(model, runs, c.env);
    times[i]!.push(f.median_ms);
    console.log(`round ${r + 1} [${c.label}]: ${f.median_ms} ms (grad rel L2 vs PyTorch ${f.grad_rel_l2_vs_zoo.toExponential(2)})`);
  }
}
for (const [i, c] of configs.entries()) {
  const ratios = times[i]!.map((t, k) => t / times[0]![k]!);
  console.log(`${model} [${c.label}]: median ${median(times[i]!).toFixed(1)} ms, mean ${(times[i]!.reduce((s, t) => s + t, 0) / rounds).toFixed(1)} ms, median paired ratio to the first ${median(ratios).toFixed(3)}`);
}
