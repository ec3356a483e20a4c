/**
 * Writes TensorBoard event files, so training curves logged by nnlens open in TensorBoard and in
 * the nnlens web app alike. Scalars are written as legacy `simple_value`s and histograms as legacy
 * `histo`s: every TensorBoard version reads them (newer ones migrate them, `data_compat.py`).
 *
 * Each event is appended as one TFRecord as soon as it is logged, so a run that stops early keeps
 * its curve up to the last step (a half-written last record is skipped by readers, see tfrecord.ts).
 */
import { closeSync, mkdirSync, openSync, writeSync } from 'node:fs';
import { hostname } from 'node:os';
import { join } from 'node:path';
import { ProtoWriter } from './protobuf.ts';
import { encodeRecord } from './tfrecord.ts';

function tagBytes(no: number, wire: number): number[] {
  const out: number[] = [];
  let v = no * 8 + wire;
  while (v >= 0x80) { out.push((v & 0x7f) | 0x80); v >>>= 7; }
  out.push(v);
  return out;
}

/** Encodes a double field (wire type 1), which ProtoWriter does not offer. */
function doubleField(no: number, v: number): Uint8Array {
  const t = tagBytes(no, 1);
  const out = new Uint8Array(t.length + 8);
  out.set(t);
  new DataView(out.buffer).setFloat64(t.length, v, true);
  return out;
}

/** Encodes a packed repeated double field. */
function packedDoubles(no: number, values: readonly number[]): Uint8Array {
  const body = new Uint8Array(values.length * 8);
  const dv = new DataView(body.buffer);
  values.forEach((x, i) => dv.setFloat64(i * 8, x, true));
  return new ProtoWriter().bytes(no, body).finish();
}

function concat(parts: Uint8Array[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let o = 0;
  for (const p of parts) { out.set(p, o); o += p.length; }
  return out;
}

/** A histogram in HistogramProto form (bucket i holds the values up to `limits[i]`). */
export interface Histogram { tag: string; min: number; max: number; num: number; sum: number; sumSquares: number; limits: number[]; counts: number[] }

/** What one Event carries. */
export type EventBody = { fileVersion: string } | { scalars: Record<string, number> } | { histogram: Histogram };

/**
 * Encodes one `Event` message (field numbers from event.proto / summary.proto).
 * @example encodeEvent(1.7e9, 3, { scalars: { loss: 0.25 } })
 */
export function encodeEvent(wallTime: number, step: number, body: EventBody): Uint8Array {
  const head = [doubleField(1, wallTime), new ProtoWriter().int(2, step).finish()];
  if ('fileVersion' in body) return concat([...head, new ProtoWriter().string(3, body.fileVersion).finish()]);
  const summary = new ProtoWriter();
  if ('scalars' in body) {
    for (const [tag, value] of Object.entries(body.scalars)) summary.message(1, new ProtoWriter().string(1, tag).float(2, value));
  } else {
    const h = body.histogram;
    const histo = concat([
      doubleField(1, h.min), doubleField(2, h.max), doubleField(3, h.num), doubleField(4, h.sum), doubleField(5, h.sumSquares),
      packedDoubles(6, h.limits), packedDoubles(7, h.counts),
    ]);
    summary.message(1, new ProtoWriter().string(1, h.tag).bytes(5, histo));
  }
  return concat([...head, new ProtoWriter().message(5, summary).finish()]);
}

/**
 * A histogram of `values` with `bins` equal-width buckets between their min and max.
 * @example histogramOf([0, 1, 1, 2], 2).counts // [1, 3]
 */
export function histogramOf(values: ArrayLike<number>, bins = 30, tag = ''): Histogram {
  let min = Infinity, max = -Infinity, sum = 0, sumSquares = 0;
  for (let i = 0; i < values.length; i++) {
    const v = values[i]!;
    if (v < min) min = v;
    if (v > max) max = v;
    sum += v; sumSquares += v * v;
  }
  if (values.length === 0) { min = 0; max = 0; }
  const width = (max - min) / bins || 1;
  const counts = new Array<number>(bins).fill(0);
  for (let i = 0; i < values.length; i++) counts[Math.min(bins - 1, Math.floor((values[i]! - min) / width))]!++;
  const limits = counts.map((_, i) => (i === bins - 1 ? max : min + (i + 1) * width));
  return { tag, min, max, num: values.length, sum, sumSquares, limits, counts };
}

/**
 * Appends events to a new TensorBoard event file in `dir`, named as TensorFlow names them
 * (`events.out.tfevents.<seconds>.<host>.<pid>.<n>`), so TensorBoard and `readLogDir` find it.
 * @example
 * const w = new EventWriter('runs/digits/train');
 * for (let step = 1; step <= 100; step++) w.scalars(step, { loss: 1 / step, accuracy: 1 - 1 / step });
 * w.close();
 */
export class EventWriter {
  /** The event file being written. */
  readonly path: string;
  private fd: number | undefined;
  private static counter = 0;

  /**
   * @param dir folder of the run (created if needed)
   * @param clock seconds since the epoch for each event (tests pass a fixed clock)
   */
  constructor(dir: string, private readonly clock: () => number = () => Date.now() / 1000) {
    mkdirSync(dir, { recursive: true });
    const name = `events.out.tfevents.${Math.floor(clock())}.${hostname().replace(/[^\w.-]/g, '_')}.${process.pid}.${EventWriter.counter++}`;
    this.path = join(dir, name);
    this.fd = openSync(this.path, 'wx');
    this.write(0, { fileVersion: 'brain.Event:2' });
  }

  private write(step: number, body: EventBody): void {
    if (this.fd === undefined) throw new Error(`${this.path}: event writer is closed`);
    const rec = encodeRecord(encodeEvent(this.clock(), step, body));
    writeSync(this.fd, rec, 0, rec.length);
  }

  /** Logs one scalar. */
  scalar(tag: string, value: number, step: number): void { this.write(step, { scalars: { [tag]: value } }); }

  /** Logs several scalars of one step (one Event). */
  scalars(step: number, values: Record<string, number>): void { this.write(step, { scalars: values }); }

  /** Logs a histogram of `values` (weights, activations) at a step. */
  histogram(tag: string, values: ArrayLike<number>, step: number, bins = 30): void {
    this.write(step, { histogram: histogramOf(values, bins, tag) });
  }

  /** Closes the file; later calls throw. */
  close(): void {
    if (this.fd !== undefined) { closeSync(this.fd); this.fd = undefined; }
  }
}
