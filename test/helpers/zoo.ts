/**
 * The make-zoo model zoo (../shared/tools/make-zoo.py): seeded PyTorch models exported to ONNX with
 * PyTorch's reference logits and gradients, to check the engine and the explanations against.
 *
 * Two places: the small models are committed in test/fixtures/zoo (scripts/zoo-fixtures.sh), so CI
 * checks them without Python; the whole zoo (ResNet-18/50 and the other big models, ~200 MB) is built
 * by scripts/make-zoo.sh into .zoo/ and found there, in $NNLENS_ZOO, or in /work/zoo. Tests that need
 * a big model use `{ skip: needsZoo('resnet18') }`, which says why when it is absent.
 */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { ROOT } from './shared.ts';

/** One row of make-zoo's zoo.json. */
export interface ZooRow {
  input_shape: number[];
  /** The class make-zoo differentiated: argmax of PyTorch's logits. */
  target: number;
  /** Module path of the CAM layer whose activation is in act.npy, or null (no act.npy). */
  cam_layer: string | null;
  opset: number;
}

/** The files of one zoo model. */
export interface ZooEntry extends ZooRow {
  name: string;
  dir: string;
  model: string;
  input: string;
  logits: string;
  gradInput: string;
  /** Present only when cam_layer is not null. */
  act?: string;
  gradAct?: string;
}

/** test/fixtures/zoo: the small models, always present. */
export const ZOO_FIXTURES = join(ROOT, 'test', 'fixtures', 'zoo');
/** Names of the models committed in test/fixtures/zoo. */
export const SMALL_ZOO = ['gap_cnn', 'tabular_mlp', 'seq_lstm', 'small_vit'] as const;
/** Names of the models only in a built zoo. */
export const BIG_ZOO = ['resnet18', 'resnet50', 'mobilenet_v2', 'squeezenet1_1', 'googlenet', 'mnasnet0_5'] as const;

/**
 * The whole built zoo, or undefined when none has a zoo.json: $NNLENS_ZOO when set (and then only
 * it, so `NNLENS_ZOO=none` runs as CI without a zoo would), else .zoo/, else /work/zoo.
 */
export const ZOO_FULL = ((): string | undefined => {
  const env = process.env.NNLENS_ZOO;
  const candidates = env ? [env] : [join(ROOT, '.zoo'), '/work/zoo'];
  return candidates.find((p) => existsSync(join(p, 'zoo.json')));
})();

function rows(dir: string): Record<string, ZooRow> {
  return JSON.parse(readFileSync(join(dir, 'zoo.json'), 'utf8')) as Record<string, ZooRow>;
}

/** Where model `name` can be found: the built zoo first (it has all), then the committed fixtures. */
function dirOf(name: string): string | undefined {
  if (ZOO_FULL && existsSync(join(ZOO_FULL, name, 'model.onnx')) && rows(ZOO_FULL)[name]) return ZOO_FULL;
  if (existsSync(join(ZOO_FIXTURES, name, 'model.onnx')) && rows(ZOO_FIXTURES)[name]) return ZOO_FIXTURES;
  return undefined;
}

/**
 * A skip reason when model `name` is in neither place, else false.
 * @example test('resnet18 gradients match PyTorch', { skip: needsZoo('resnet18') }, () => { ... })
 */
export function needsZoo(name: string): string | false {
  return dirOf(name)
    ? false
    : `SKIPPED: zoo model ${name} is absent (build it with scripts/make-zoo.sh into .zoo/, or set NNLENS_ZOO)`;
}

/**
 * Paths and zoo.json row of model `name` (call only when needsZoo(name) is false).
 * @example const e = zooEntry('gap_cnn'); readNpy(e.gradInput)
 */
export function zooEntry(name: string): ZooEntry {
  const root = dirOf(name);
  if (!root) throw new Error(needsZoo(name) || name);
  const dir = join(root, name);
  const row = rows(root)[name]!;
  return {
    ...row,
    name,
    dir,
    model: join(dir, 'model.onnx'),
    input: join(dir, 'input.npy'),
    logits: join(dir, 'logits.npy'),
    gradInput: join(dir, 'grad_input.npy'),
    ...(row.cam_layer ? { act: join(dir, 'act.npy'), gradAct: join(dir, 'grad_act.npy') } : {}),
  };
}
