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

/**
 * Session options used for every engine session: full graph optimization, both cores.
 * Environment overrides for experiments and benchmarks: NNLENS_THREADS (intra-op threads),
 * NNLENS_ORT_OPT (optimization level), NNLENS_SESSION_OPTIONS (JSON merged into the options).
 */
export function sessionOptions(): InferenceSession.SessionOptions {
  const threads = typeof process !== 'undefined' ? Number(process.env.NNLENS_THREADS ?? 0) : 0;
  return {
    graphOptimizationLevel: (typeof process !== 'undefined' && (process.env.NNLENS_ORT_OPT as 'all' | undefined)) || 'all',
    ...(threads > 0 ? { intraOpNumThreads: threads } : {}),
    executionMode: 'sequential',
    logSeverityLevel: 3,
    ...(typeof process !== 'undefined' && process.env.NNLENS_SESSION_OPTIONS ? (JSON.parse(process.env.NNLENS_SESSION_OPTIONS) as object) : {}),
  };
}

export type { InferenceSession, OrtTensor };
