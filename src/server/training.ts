/**
 * Training curves of a model: the TensorBoard log its metadata names (`nnlens.training_log`,
 * relative to the model's folder, docs/model-metadata.md), else an event file or run folder beside
 * the model (`<model>.log`, `logs/`, `runs/`, or the one event file in its folder).
 */
import { existsSync, readdirSync, statSync } from 'node:fs';
import { basename, dirname, extname, join } from 'node:path';
import { resolveInside } from '../formats/context.ts';
import type { Model } from '../graph/ir.ts';
import { isEventFile, readLogDir } from '../io/tfevents.ts';
import type { ModelFacts } from '../io/preprocess.ts';
import type { TrainingJson } from './api-types.ts';

/**
 * The training log of a model (a file or folder), or undefined.
 * @example findTrainingLog(model, facts) // 'examples/digits/digits-cnn.log'
 */
export function findTrainingLog(model: Model, facts: ModelFacts): string | undefined {
  const folder = dirname(model.path);
  if (facts.trainingLog) {
    const p = resolveInside(model.path, folder, facts.trainingLog, 'metadata nnlens.training_log');
    return existsSync(p) ? p : undefined;
  }
  const base = basename(model.path, extname(model.path));
  for (const cand of [`${base}.log`, `${base}-log`, `${base}.tfevents`]) {
    const p = join(folder, cand);
    if (existsSync(p)) return p;
  }
  const events = readdirSync(folder).filter((n) => isEventFile(n) && statSync(join(folder, n)).isFile());
  const mine = events.filter((n) => n.includes(base));
  if (mine.length === 1) return join(folder, mine[0]!);
  if (events.length === 1) return join(folder, events[0]!);
  for (const d of ['logs', 'runs']) {
    const p = join(folder, d);
    if (existsSync(p) && statSync(p).isDirectory()) return p;
  }
  return undefined;
}

/**
 * The scalar series of a training log, one per run and tag, in step order.
 * @example trainingSeries('digits-cnn.log').series.map((s) => s.tag) // ['train/loss', 'val/accuracy', ...]
 */
export function trainingSeries(file: string): TrainingJson {
  const series: TrainingJson['series'] = [];
  for (const [run, log] of readLogDir(file)) {
    for (const [tag, points] of log.scalars) {
      const sorted = [...points].sort((a, b) => a.step - b.step || a.wallTime - b.wallTime);
      series.push({ run, tag, steps: sorted.map((p) => p.step), values: sorted.map((p) => p.value) });
    }
  }
  return { source: basename(file), series };
}
