/**
 * One queue for all model computations. ONNX Runtime already uses every core for one run, so
 * running jobs one at a time gives each the whole machine and a predictable latency; and a job
 * whose request was abandoned while it waited (the user picked another class before the previous
 * Grad-CAM started) is skipped instead of delaying the one the user is waiting for.
 */
import { HttpError } from './http.ts';

/** A serial job queue. */
export class JobQueue {
  private tail: Promise<unknown> = Promise.resolve();
  private waiting = 0;

  /** Jobs queued or running. */
  get pending(): number { return this.waiting; }

  /**
   * Runs `job` after every job queued before it; when `cancelled()` is true at its turn, the job
   * is skipped and the promise rejects with a 499 HttpError (client closed the request).
   * @example await queue.run(() => engine.run(feeds), () => res.closed)
   */
  run<T>(job: () => Promise<T>, cancelled: () => boolean = () => false): Promise<T> {
    this.waiting++;
    const p = this.tail.then(() => {
      if (cancelled()) throw new HttpError(499, 'request abandoned before it ran');
      return job();
    });
    this.tail = p.then(() => undefined, () => undefined).finally(() => { this.waiting--; });
    return p;
  }
}
