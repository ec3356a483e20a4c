/**
 * What a benchmark module is: `bench/run.ts` runs a list of these and writes `bench/RESULTS.md`.
 * Each module owns one section of that file, so engineers can add benches without touching others.
 */

/** One measured figure. */
export interface BenchMetric {
  label: string;
  value: number;
  unit: string;
  /** The target, in words (`<= 30 s`), when there is one. */
  goal?: string;
  /** Whether the target was met. */
  ok?: boolean;
}

/** The outcome of one benchmark module. */
export interface BenchResult {
  metrics: BenchMetric[];
  /** Extra lines for the results file (set-up, caveats). */
  notes?: string[];
}

/** A benchmark: a name (its section in RESULTS.md), what it measures, and how to run it. */
export interface BenchModule {
  name: string;
  description: string;
  run(): Promise<BenchResult>;
}

/**
 * Wall time of `fn` in milliseconds, with its result.
 * @example const { ms, value } = await timed(() => layout(graph))
 */
export async function timed<T>(fn: () => Promise<T> | T): Promise<{ ms: number; value: T }> {
  const t0 = performance.now();
  const value = await fn();
  return { ms: performance.now() - t0, value };
}
