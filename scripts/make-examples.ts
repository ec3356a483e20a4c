/**
 * Regenerates the bundled examples from their seeds (`npm run examples`): trains each model with
 * nnlens's own engine and rewrites examples/<name>/ (model.onnx, logs/, training-log.json,
 * labels, samples, README). Usage: `npm run examples [-- NAME ...]` (default: all three).
 * Set NNLENS_THREADS=1 on a busy machine: one ORT thread wastes no time spinning.
 */
import { EXAMPLE_NAMES, trainExample, type ExampleName } from '../src/train/examples/index.ts';

const asked = process.argv.slice(2);
for (const a of asked) if (!(EXAMPLE_NAMES as readonly string[]).includes(a)) throw new Error(`unknown example '${a}' (one of: ${EXAMPLE_NAMES.join(', ')})`);
const names = (asked.length ? asked : EXAMPLE_NAMES) as readonly ExampleName[];
for (const name of names) {
  const r = await trainExample(name, `examples/${name}`, {}, { progress: true });
  const figures = Object.entries(r.figures).map(([k, v]) => `${k} ${Number(v.toFixed(4))}`).join(', ');
  process.stdout.write(`examples/${name}: ${figures}; ${r.files.length} files, ${Math.round(r.seconds)} s\n`);
}
