/**
 * The ONNX Runtime the engine runs on. The engine is written against the API that
 * onnxruntime-node and onnxruntime-web share (`InferenceSession`, `Tensor` from
 * onnxruntime-common), so the browser can run the very same graphs: Node uses onnxruntime-node
 * by default; a browser build calls {@link setRuntime} with onnxruntime-web.
 */
import type { InferenceSession, Tensor as OrtTensor } from 'onnxruntime-common';

/** The part of the onnxruntime module the engine uses. */
export interface Runtime {
  /** `model` is the serialized model, or a file path where the runtime can read files (Node). */
  InferenceSession: { create(model: Uint8Array | string, options?: InferenceSession.SessionOptions): Promise<InferenceSession> };
  Tensor: new (type: OrtTensor.Type, data: OrtTensor.DataType, dims?: readonly number[]) => OrtTensor;
}

let runtime: Runtime | undefined;
let readsFiles = true;

/**
 * Replaces the runtime (e.g. with onnxruntime-web in a browser). `readsFiles`: whether its
 * `InferenceSession.create` accepts a file path (onnxruntime-node does; then the engine streams
 * large models to a temporary file instead of building one buffer).
 */
export function setRuntime(r: Runtime, options: { readsFiles?: boolean } = {}): void {
  runtime = r;
  readsFiles = options.readsFiles ?? false;
}

/** Whether the runtime in use loads models from file paths. */
export function fileRuntime(): boolean { return readsFiles; }

/** The runtime in use, loading onnxruntime-node on first use in Node. */
export async function getRuntime(): Promise<Runtime> {
  if (!runtime) runtime = (await import('onnxruntime-node')) as unknown as Runtime;
  return runtime;
}

/** Serialized size from which a session's thread pool stops spinning after each run (see sessionOptions). */
export const STOP_SPINNING_BYTES = 1 << 20;

/**
 * Session options used for every engine session: full graph optimization, both cores.
 *
 * `session.force_spinning_stop`: every session has its own intra-op thread pool, whose workers
 * spin for a while after a run. An engine uses several sessions (forward, gradients, the head of
 * a CAM method), and a run of one right after a run of another shared the cores with the
 * other's spinning workers: ResNet-18 forward and fwd+bwd calls alternating took 35 and 83 ms
 * against 19 and 50 ms each alone; with spinning stopped at the end of each run, 19 and 50 ms,
 * and a session alone is as fast as before; a Grad-CAM call (forward + CAM head) 41 -> 23 ms,
 * saliency 125 -> 78 ms (`node --import tsx bench/dev/session-spin.ts resnet18 gap_cnn`).
 * Turning spinning off altogether (`session.intra_op.allow_spinning` 0) costs 20-30% within a run;
 * `session.dynamic_block_base` 4 (finer work split between the threads) did not help ResNet-18's
 * fwd+bwd (mean 55.9 vs 54.2 ms over 6 alternating rounds: `node --import tsx
 * bench/dev/ab-env.ts resnet18 6 - 'NNLENS_SESSION_OPTIONS={"extra":{"session":{"dynamic_block_base":"4"}}}'`).
 * Small models keep spinning: their runs take microseconds, and waking the stopped workers for
 * each run cost more than the spinning did (make-zoo gap_cnn forward 34-38 us spinning, 44-86 us
 * stopped; fwd+bwd 137-156 vs 169-240 us), so the stop applies from {@link STOP_SPINNING_BYTES}.
 *
 * Environment overrides for experiments and benchmarks: NNLENS_THREADS (intra-op threads),
 * NNLENS_ORT_OPT (optimization level), NNLENS_SESSION_OPTIONS (JSON merged into the options).
 * @param modelBytes size of the serialized graph, when known
 */
export function sessionOptions(modelBytes = Infinity): InferenceSession.SessionOptions {
  const threads = typeof process !== 'undefined' ? Number(process.env.NNLENS_THREADS ?? 0) : 0;
  return {
    graphOptimizationLevel: (typeof process !== 'undefined' && (process.env.NNLENS_ORT_OPT as 'all' | undefined)) || 'all',
    ...(threads > 0 ? { intraOpNumThreads: threads } : {}),
    executionMode: 'sequential',
    logSeverityLevel: 3,
    ...(modelBytes >= STOP_SPINNING_BYTES ? { extra: { session: { force_spinning_stop: '1' } } } : {}),
    ...(typeof process !== 'undefined' && process.env.NNLENS_SESSION_OPTIONS ? (JSON.parse(process.env.NNLENS_SESSION_OPTIONS) as object) : {}),
  };
}

export type { InferenceSession, OrtTensor };
