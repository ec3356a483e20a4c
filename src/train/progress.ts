/**
 * The training progress bar on stderr: on a terminal one line per epoch redrawn in place
 * (`epoch 3/12 [=====>    ] 61/125 loss 0.1234`), finished with the epoch's train and validation
 * loss and metric; elsewhere (logs, CI) only the finished lines.
 */
import type { EpochRecord } from './log.ts';

const WIDTH = 24;

/** Writes progress lines to a stream (stderr by default). */
export class Progress {
  private lastDraw = 0;

  constructor(
    private readonly label: string,
    private readonly metric: string,
    private readonly out: { write(s: string): unknown; isTTY?: boolean } = process.stderr,
  ) {}

  /** Redraws the bar (at most 10 times a second; only on a terminal). */
  update(epoch: number, epochs: number, step: number, steps: number, loss: number): void {
    if (!this.out.isTTY) return;
    const now = Date.now();
    if (step < steps && now - this.lastDraw < 100) return;
    this.lastDraw = now;
    const filled = Math.round((WIDTH * step) / steps);
    const bar = `${'='.repeat(Math.max(0, filled - 1))}${filled > 0 ? (step === steps ? '=' : '>') : ''}${' '.repeat(WIDTH - filled)}`;
    this.out.write(`\r${this.label} epoch ${epoch}/${epochs} [${bar}] ${step}/${steps} loss ${loss.toFixed(4)}`);
  }

  /** Prints the finished epoch. */
  epochDone(r: EpochRecord): void {
    const line = `${this.label} epoch ${r.epoch}: loss ${r.train.loss.toFixed(4)} ${this.metric} ${r.train.metric.toFixed(4)}`
      + ` | validation loss ${r.validation.loss.toFixed(4)} ${this.metric} ${r.validation.metric.toFixed(4)} | lr ${r.lr.toPrecision(3)} | ${r.seconds.toFixed(1)} s`;
    this.out.write(`${this.out.isTTY ? '\r\x1b[2K' : ''}${line}\n`);
  }
}
