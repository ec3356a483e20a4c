/**
 * The training log: loss and metrics per step and per epoch, written twice so that both
 * TensorBoard and the nnlens web app can plot it (issue 5 "Training"; issue 6 "Training curves"):
 * - TensorBoard event files laid out as Keras's TensorBoard callback lays them out: run folders
 *   `train/` (`batch_loss` per step; `epoch_loss`, `epoch_<metric>`, `learning_rate` and weight
 *   histograms per epoch) and `validation/` (`epoch_loss`, `epoch_<metric>`);
 * - `training-log.json`, a small file the web app can read without a protobuf decoder
 *   (format `nnlens.training-log/1`, documented in docs/training.md).
 */
import { join } from 'node:path';
import { EventWriter } from '../io/tfevents-writer.ts';
import { writeOutput } from '../io/output.ts';

/** Name of the JSON log inside a training output folder. */
export const TRAINING_LOG_JSON = 'training-log.json';
/** Name of the TensorBoard log folder inside a training output folder. */
export const TRAINING_LOG_DIR = 'logs';

/** Loss and metric of one pass over a set. */
export interface SetScores { loss: number; metric: number }

/** One epoch's results. */
export interface EpochRecord {
  epoch: number;
  /** Optimizer steps taken so far. */
  step: number;
  train: SetScores;
  validation: SetScores;
  lr: number;
  /** Seconds the epoch took (training and validation). */
  seconds: number;
}

/** One optimizer step's loss. */
export interface StepRecord { step: number; epoch: number; loss: number }

/** The JSON log (`training-log.json`). */
export interface TrainingLogJson {
  format: 'nnlens.training-log/1';
  /** Name of the metric in `epochs[].train.metric`: `accuracy` or `auc` (ROC AUC). */
  metric: string;
  /** What was trained and how (example, optimizer, learning rate, batch size, seed, ...). */
  config: Record<string, unknown>;
  steps: StepRecord[];
  epochs: EpochRecord[];
  /** Extra results computed after training (e.g. test accuracy). */
  results: Record<string, number>;
}

const round = (v: number): number => (Number.isFinite(v) ? Number(v.toPrecision(6)) : v);

/**
 * Writes the log of one training run into `dir` (`dir/logs/{train,validation}/events.out.tfevents.*`
 * and `dir/training-log.json`).
 * @example const log = new TrainingLog('out', 'auc', { example: 'transactions' }); ...; log.close()
 */
export class TrainingLog {
  private readonly trainEvents: EventWriter;
  private readonly validationEvents: EventWriter;
  private readonly json: TrainingLogJson;

  constructor(readonly dir: string, metric: string, config: Record<string, unknown>, clock?: () => number) {
    this.trainEvents = new EventWriter(join(dir, TRAINING_LOG_DIR, 'train'), clock);
    this.validationEvents = new EventWriter(join(dir, TRAINING_LOG_DIR, 'validation'), clock);
    this.json = { format: 'nnlens.training-log/1', metric, config, steps: [], epochs: [], results: {} };
  }

  /** Logs the loss at an optimizer step (the trainer may average it over the steps since the last point). */
  step(r: StepRecord): void {
    this.trainEvents.scalars(r.step, { batch_loss: r.loss });
    this.json.steps.push({ step: r.step, epoch: r.epoch, loss: round(r.loss) });
  }

  /** Logs one epoch (scalars at step = epoch, as Keras does) and the weight histograms. */
  epoch(r: EpochRecord, weights?: ReadonlyMap<string, Float32Array>): void {
    const m = this.json.metric;
    this.trainEvents.scalars(r.epoch, { epoch_loss: r.train.loss, [`epoch_${m}`]: r.train.metric, learning_rate: r.lr });
    this.validationEvents.scalars(r.epoch, { epoch_loss: r.validation.loss, [`epoch_${m}`]: r.validation.metric });
    for (const [name, w] of weights ?? []) this.trainEvents.histogram(name, w, r.epoch);
    this.json.epochs.push({
      epoch: r.epoch, step: r.step, lr: round(r.lr), seconds: Number(r.seconds.toFixed(2)),
      train: { loss: round(r.train.loss), metric: round(r.train.metric) },
      validation: { loss: round(r.validation.loss), metric: round(r.validation.metric) },
    });
  }

  /** Records a result computed after training (also as a validation-run scalar at the last epoch). */
  result(name: string, value: number): void {
    this.json.results[name] = round(value);
    this.validationEvents.scalars(this.json.epochs.at(-1)?.epoch ?? 0, { [name]: value });
  }

  /** The JSON log as it stands. */
  toJson(): TrainingLogJson { return this.json; }

  /** Closes the event files and writes `training-log.json`. */
  close(): void {
    this.trainEvents.close();
    this.validationEvents.close();
    writeOutput(join(this.dir, TRAINING_LOG_JSON), `${JSON.stringify(this.json)}\n`);
  }
}
