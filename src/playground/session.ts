/**
 * A training session built from a {@link PlaygroundState}: the points (built-in or CSV), the
 * feature matrices, the network, the optimizer memory and the position in the epoch. The page
 * and the tests both drive training through {@link Session.step}, which calls the one engine
 * function {@link step}.
 */
import { csvDataset, defaultCsvChoice, parseCsv, type CsvDataset } from './csv.ts';
import { dataset, splitTrainTest, type Point, type Task } from './datasets.ts';
import { featureColumns, featureRows, selectFeatures, type Feature } from './features.ts';
import { batchBuffers, forwardBatch, meanLoss, type BatchBuffers } from './batch.ts';
import { Network } from './network.ts';
import { DEFAULT_SETTINGS, optimizerState, type OptimizerState } from './optimizers.ts';
import { Rng } from './random.ts';
import { decodeCsv, type PlaygroundState } from './state.ts';
import { step, Workspace, type Batch, type StepResult, type TrainSettings } from './step.ts';

/** The labelled points of a session and what they mean. */
export interface SessionData {
  task: Task;
  /** Number of classes (1 output for regression). */
  classes: number;
  classNames: string[];
  train: Point[];
  test: Point[];
  /** Axis names (x1, x2, label) when the data came from a CSV. */
  axes?: [string, string, string];
}

/** Largest CSV the page accepts, in rows: training cost grows with it and the hash carries the file. */
export const MAX_CSV_ROWS = 5000;

/**
 * Generates (or reads from the state's CSV) the points and splits them, deterministically from
 * the state's seed.
 */
export function sessionData(state: PlaygroundState): SessionData {
  const rng = new Rng(state.dataSeed);
  if (state.dataset === 'csv') {
    const name = state.csvName || 'data.csv';
    if (!state.csv) throw new Error('no CSV loaded: choose a file');
    const table = parseCsv(decodeCsv(state.csv), name);
    if (table.rows.length > MAX_CSV_ROWS) throw new Error(`${name}: ${table.rows.length} rows; the playground takes at most ${MAX_CSV_ROWS}`);
    const def = defaultCsvChoice(table);
    const pick = (v: number, d: number) => (v >= 0 ? v : d);
    const d: CsvDataset = csvDataset(table, {
      x1: pick(state.csvX1, def.x1), x2: pick(state.csvX2, def.x2), label: pick(state.csvLabel, def.label), task: state.csvTask,
    }, name);
    const { train, test } = splitTrainTest(d.points, state.trainRatio / 100, rng);
    return { task: d.task, classes: d.task === 'regression' ? 1 : d.classNames.length, classNames: d.classNames, train, test, axes: d.axes };
  }
  const gen = dataset(state.dataset);
  const classes = gen.task === 'regression' ? 1 : gen.multiclass ? state.classes : 2;
  const points = gen.generate(gen.samples, state.noise / 100, rng, classes);
  const { train, test } = splitTrainTest(points, state.trainRatio / 100, rng);
  const classNames = gen.task === 'regression' ? [] : Array.from({ length: classes }, (_, k) => String(k));
  return { task: gen.task, classes, classNames, train, test };
}

/** Targets row-major: one-hot rows for classification, the value for regression. */
function targets(points: readonly Point[], data: SessionData): Float64Array {
  const k = data.task === 'regression' ? 1 : data.classes;
  const t = new Float64Array(points.length * k);
  points.forEach((p, i) => {
    if (data.task === 'regression') t[i] = p.label;
    else t[i * k + p.label] = 1;
  });
  return t;
}

/** The training settings a state asks for. */
export function trainSettings(state: PlaygroundState): TrainSettings {
  return {
    ...DEFAULT_SETTINGS,
    learningRate: state.learningRate,
    momentum: state.momentum,
    optimizer: state.optimizer,
    regularization: state.regularization,
    regularizationRate: state.regularizationRate,
  };
}

/** A step as the session took it: the engine's result plus which training points formed the batch. */
export interface SessionStep extends StepResult {
  /** Indices into {@link Session.data}.train of the batch's examples, in batch order. */
  indices: number[];
  /** Epoch and step within it that this step was. */
  epoch: number;
  stepInEpoch: number;
}

/** A training session (see the file comment). */
export class Session {
  readonly data: SessionData;
  readonly features: Feature[];
  readonly net: Network;
  readonly opt: OptimizerState;
  /** Train inputs and targets, row-major (the layout of a {@link Batch}). */
  readonly trainX: Float64Array;
  readonly trainT: Float64Array;
  readonly testT: Float64Array;
  /** Completed epochs. */
  epoch = 0;
  /** Position in the current epoch's order. */
  cursor = 0;
  /** Mini-batches trained since the session began. */
  steps = 0;
  /** Losses after each completed epoch. */
  readonly history: { train: number[]; test: number[] } = { train: [], test: [] };
  private settings: TrainSettings;
  private batchSize: number;
  private order: Int32Array;
  private readonly shuffler: Rng;
  private ws: Workspace;
  private readonly trainBuf: BatchBuffers;
  private readonly testBuf: BatchBuffers;
  private batch: Batch;

  /**
   * @param data points to use; defaults to {@link sessionData}(state) (pass it to keep the points across a network reset)
   * @example const s = new Session(parseHash('#dataset=circle')); s.trainEpoch(); s.losses()
   */
  constructor(state: PlaygroundState, data: SessionData = sessionData(state)) {
    this.data = data;
    this.features = selectFeatures(state.features);
    const k = data.task === 'regression' ? 1 : data.classes;
    this.net = Network.init({
      inputs: this.features.length, hidden: state.hidden, outputs: k, activation: state.activation,
      loss: data.task === 'regression' ? 'mse' : 'softmax-ce',
    }, new Rng(state.initSeed));
    this.opt = optimizerState(this.net.params.length);
    this.trainX = featureRows(this.features, data.train);
    this.trainT = targets(data.train, data);
    this.testT = targets(data.test, data);
    this.settings = trainSettings(state);
    this.batchSize = Math.min(state.batchSize, data.train.length);
    this.ws = new Workspace(this.net, this.batchSize);
    this.batch = { n: 0, x: new Float64Array(this.batchSize * this.features.length), t: new Float64Array(this.batchSize * k) };
    // The example order is its own stream, seeded from both seeds, so a new network on the same
    // data sees a different order only when its seed changes.
    this.shuffler = new Rng((state.initSeed * 7919) ^ state.dataSeed);
    this.order = this.shuffler.shuffle(Int32Array.from(data.train.keys()));
    const cols = (pts: Point[]) => featureColumns(this.features, pts.map((p) => p.x1), pts.map((p) => p.x2));
    this.trainBuf = batchBuffers(this.net, data.train.length);
    this.trainBuf.a[0].set(cols(data.train));
    this.testBuf = batchBuffers(this.net, data.test.length);
    this.testBuf.a[0].set(cols(data.test));
  }

  /** Applies the state's live properties (learning rate, regularization, momentum, batch size). */
  applyLive(state: PlaygroundState): void {
    this.settings = trainSettings(state);
    const bs = Math.min(state.batchSize, this.data.train.length);
    if (bs !== this.batchSize) {
      this.batchSize = bs;
      this.ws = new Workspace(this.net, bs);
      this.batch = { n: 0, x: new Float64Array(bs * this.net.sizes[0]), t: new Float64Array(bs * this.net.sizes[this.net.depth]) };
    }
  }

  /** Number of mini-batches per epoch (the last one may be smaller). */
  get stepsPerEpoch(): number {
    return Math.ceil(this.data.train.length / this.batchSize);
  }

  /** Indices (into data.train) of the next mini-batch, without taking it. */
  nextIndices(): number[] {
    const end = Math.min(this.cursor + this.batchSize, this.order.length);
    return Array.from(this.order.subarray(this.cursor, end));
  }

  /**
   * Trains on the next mini-batch of the epoch's shuffled order; at the end of the order the
   * epoch counter advances, the losses are recorded and the order is reshuffled.
   * @param record return the step's full trace (step-by-step mode)
   */
  step(record = false): SessionStep {
    const indices = this.nextIndices();
    const d = this.net.sizes[0];
    const k = this.net.sizes[this.net.depth];
    const b = this.batch;
    b.n = indices.length;
    indices.forEach((idx, e) => {
      b.x.set(this.trainX.subarray(idx * d, idx * d + d), e * d);
      b.t.set(this.trainT.subarray(idx * k, idx * k + k), e * k);
    });
    const epoch = this.epoch;
    const stepInEpoch = Math.floor(this.cursor / this.batchSize);
    const r = step(this.net, this.opt, b, this.settings, this.ws, record);
    this.steps++;
    this.cursor += indices.length;
    if (this.cursor >= this.order.length) {
      this.epoch++;
      this.cursor = 0;
      this.shuffler.shuffle(this.order);
      const l = this.losses();
      this.history.train.push(l.train);
      this.history.test.push(l.test);
    }
    return { ...r, indices, epoch, stepInEpoch };
  }

  /** Trains until the current epoch completes (a whole epoch from its start). */
  trainEpoch(): void {
    const e = this.epoch;
    while (this.epoch === e) this.step(false);
  }

  /** Mean data loss over the train and test points with the current weights. */
  losses(): { train: number; test: number } {
    forwardBatch(this.net, this.trainBuf);
    forwardBatch(this.net, this.testBuf);
    return { train: meanLoss(this.net, this.trainBuf, this.trainT), test: meanLoss(this.net, this.testBuf, this.testT) };
  }
}
