/**
 * Trains a {@link Network} with the project's own engine (issue 5, "Training, as a capability"):
 * the weights are fed to ONNX Runtime at run time (`feedParams`), and one forward+backward run per
 * mini-batch gives the summed log-probability of the labels and its gradient w.r.t. every weight
 * through the engine's gradient rules (Gemm, MatMul, Conv, ...). The loss is the mean
 * cross-entropy, L = -(1/B) sum_b log p(y_b | x_b), so dL/dW = -(1/B) d(sum log p)/dW.
 */
import { Random } from '../data/random.ts';
import { Engine } from '../engine/engine.ts';
import type { NdArray } from '../engine/ndarray.ts';
import { Session } from '../engine/session.ts';
import { cloneGraph } from '../engine/exec.ts';
import { accuracy, classLogProb, crossEntropy, rocAuc } from './metrics.ts';
import { cosineLr, type Optimizer } from './optimizers.ts';
import { paramValues, setParamValues, type Network } from './net.ts';
import type { EpochRecord, SetScores, TrainingLog } from './log.ts';
import { Progress } from './progress.ts';

/** Labelled examples: `x` holds `n` items of `itemShape`, row-major. */
export interface Dataset {
  x: Float32Array;
  y: Uint8Array;
  n: number;
  itemShape: number[];
}

/** The metric reported per epoch: accuracy, or ROC AUC of class 1 (for rare positives such as fraud). */
export type MetricName = 'accuracy' | 'auc';

/** How to train. */
export interface TrainOptions {
  epochs: number;
  batchSize: number;
  optimizer: Optimizer;
  /** Seeds the shuffling of the training set (and the augmentation). */
  seed: number;
  classes: number;
  metric: MetricName;
  /** `cosine` decays the learning rate to 1/100 of its start over the run; default constant. */
  schedule?: 'constant' | 'cosine';
  /** Changes a batch in place before the step (data augmentation), with the run's seeded generator. */
  augment?: (x: Float32Array, count: number, rng: Random) => void;
  log?: TrainingLog;
  /** Progress bar on stderr (default on); false to stay silent. */
  progress?: boolean;
  /** Label shown before the progress bar. */
  label?: string;
  /** Most per-step points in the log: the step loss is averaged over blocks of steps beyond that (default 400). */
  maxLoggedSteps?: number;
}

/** What a run produced. */
export interface TrainResult {
  history: EpochRecord[];
  /** Seconds for the whole run. */
  seconds: number;
}

/**
 * Trains `net` in place (its initializers hold the trained weights afterwards).
 * @example await train(net, trainSet, validationSet, { epochs: 10, batchSize: 64, optimizer: new Adam(1e-3), seed: 1, classes: 2, metric: 'auc' })
 */
export async function train(net: Network, trainSet: Dataset, validation: Dataset, o: TrainOptions): Promise<TrainResult> {
  const started = Date.now();
  const params = paramValues(net);
  const engine = Engine.fromModel(net.model);
  const evaluator = await Evaluator.create(net);
  const rng = new Random(o.seed);
  const per = trainSet.itemShape.reduce((p, d) => p * d, 1);
  const stepsPerEpoch = Math.ceil(trainSet.n / o.batchSize);
  const totalSteps = stepsPerEpoch * o.epochs;
  const lr0 = o.optimizer.lr;
  const progress = o.progress === false ? undefined : new Progress(o.label ?? 'train', o.metric);
  const history: EpochRecord[] = [];
  // Per-step points: the mean loss of each block of `every` steps, so long runs keep small logs.
  const every = Math.max(1, Math.ceil(totalSteps / (o.maxLoggedSteps ?? 400)));
  let blockLoss = 0, blockSteps = 0;
  let step = 0;
  try {
    for (let epoch = 1; epoch <= o.epochs; epoch++) {
      const t0 = Date.now();
      const order = rng.shuffle(Array.from({ length: trainSet.n }, (_, i) => i));
      const epochLogits = new Float32Array(trainSet.n * o.classes);
      const epochLabels = new Uint8Array(trainSet.n);
      let lossSum = 0;
      for (let s = 0; s < stepsPerEpoch; s++) {
        const idx = order.slice(s * o.batchSize, (s + 1) * o.batchSize);
        const B = idx.length;
        const xb = new Float32Array(B * per), yb = new Array<number>(B);
        idx.forEach((i, k) => { xb.set(trainSet.x.subarray(i * per, (i + 1) * per), k * per); yb[k] = trainSet.y[i]!; });
        o.augment?.(xb, B, rng);
        if (o.schedule === 'cosine') o.optimizer.lr = cosineLr(lr0, step, totalSteps);
        const { loss: batchLoss, grads, logits } = await batchGradients(engine, net, params, xb, yb, trainSet.itemShape);
        o.optimizer.step(params, grads);
        step++;
        lossSum += batchLoss * B;
        epochLogits.set(logits, s * o.batchSize * o.classes);
        epochLabels.set(yb, s * o.batchSize);
        blockLoss += batchLoss; blockSteps++;
        if (step % every === 0 || s === stepsPerEpoch - 1) {
          o.log?.step({ step, epoch, loss: blockLoss / blockSteps });
          blockLoss = 0; blockSteps = 0;
        }
        progress?.update(epoch, o.epochs, s + 1, stepsPerEpoch, lossSum / Math.min(trainSet.n, (s + 1) * o.batchSize));
      }
      const trainScores: SetScores = { loss: lossSum / trainSet.n, metric: metricOf(o.metric, epochLogits, epochLabels, o.classes) };
      const val = await evaluator.evaluate(params, validation, o.classes);
      const valScores: SetScores = { loss: crossEntropy(val, validation.y, o.classes), metric: metricOf(o.metric, val, validation.y, o.classes) };
      const record: EpochRecord = { epoch, step, train: trainScores, validation: valScores, lr: o.optimizer.lr, seconds: (Date.now() - t0) / 1000 };
      history.push(record);
      o.log?.epoch(record, params);
      progress?.epochDone(record);
    }
  } finally {
    await engine.dispose();
    await evaluator.dispose();
  }
  setParamValues(net, params);
  return { history, seconds: (Date.now() - started) / 1000 };
}

/** The loss of one mini-batch, its gradient w.r.t. every parameter, and the batch's logits. */
export interface BatchGradients {
  /** Mean cross-entropy over the batch. */
  loss: number;
  /** dLoss/dW by parameter name. */
  grads: Map<string, Float32Array>;
  /** Row-major [B, classes]. */
  logits: Float32Array;
}

/**
 * One forward+backward run of the engine on a mini-batch: the engine differentiates the summed
 * log-probability of the labels, so the mean cross-entropy's gradient is its negative over B.
 * @example const { loss, grads } = await batchGradients(engine, net, paramValues(net), x, [3, 1], [1, 28, 28])
 */
export async function batchGradients(engine: Engine, net: Network, params: ReadonlyMap<string, Float32Array>, x: Float32Array, labels: number[], itemShape: number[]): Promise<BatchGradients> {
  const B = labels.length;
  const feeds: Record<string, NdArray> = { [net.inputName]: { dtype: 'float32', shape: [B, ...itemShape], data: x } };
  for (const [name, p] of params) feeds[name] = { dtype: 'float32', shape: shapeOf(net, name), data: p };
  const r = await engine.gradients(feeds, { target: { kind: 'logprob', tensor: net.logitsName }, wrt: net.params, feedParams: net.params }, { index: labels });
  const grads = new Map<string, Float32Array>();
  for (const name of net.params) grads.set(name, Float32Array.from(r.grads[name]!.data as Float32Array, (g) => -g / B));
  let loss = 0;
  for (const v of r.score) loss -= v;
  return { loss: loss / B, grads, logits: Float32Array.from(r.outputs[net.logitsName]!.data as Float32Array) };
}

/**
 * The metric of logits against labels.
 * @example metricOf('auc', logits, labels, 2)
 */
export function metricOf(metric: MetricName, logits: Float32Array, labels: Uint8Array, classes: number): number {
  return metric === 'accuracy' ? accuracy(logits, labels, classes) : rocAuc(classLogProb(logits, classes, 1), labels);
}

function shapeOf(net: Network, param: string): number[] {
  return [...net.model.graph.values.get(param)!.initializer!.shape];
}

/**
 * Forward runs with the weights as runtime inputs (one session for every weight update), for
 * validation during training and for evaluating a trained network.
 */
export class Evaluator {
  private constructor(private readonly net: Network, private readonly session: Session) {}

  /** Compiles the network's forward graph with its parameters turned into inputs. */
  static async create(net: Network): Promise<Evaluator> {
    const g = cloneGraph(net.model.graph);
    for (const p of net.params) {
      const v = g.values.get(p)!;
      g.values.set(p, { name: p, dtype: 'float32', shape: [...v.initializer!.shape] });
      g.inputs.push(p);
    }
    return new Evaluator(net, await Session.create(g, net.model.opsets ?? { '': 17 }, net.model.path));
  }

  /**
   * Logits of every item of `data` (row-major [n, classes]), in chunks of `chunk` items.
   * @example const logits = await ev.evaluate(paramValues(net), testSet, 10)
   */
  async evaluate(params: ReadonlyMap<string, Float32Array>, data: Pick<Dataset, 'x' | 'n' | 'itemShape'>, classes: number, chunk = 500): Promise<Float32Array> {
    const per = data.itemShape.reduce((p, d) => p * d, 1);
    const out = new Float32Array(data.n * classes);
    const weights: Record<string, NdArray> = {};
    for (const [name, p] of params) weights[name] = { dtype: 'float32', shape: shapeOf(this.net, name), data: p };
    for (let i = 0; i < data.n; i += chunk) {
      const B = Math.min(chunk, data.n - i);
      const x = data.x.slice(i * per, (i + B) * per); // a copy: ORT must not see a view into the whole set
      const r = await this.session.run({ ...weights, [this.net.inputName]: { dtype: 'float32', shape: [B, ...data.itemShape], data: x } }, this.net.model.path);
      out.set(r[this.net.logitsName]!.data as Float32Array, i * classes);
    }
    return out;
  }

  /** Releases the session. */
  async dispose(): Promise<void> { await this.session.dispose(); }
}
