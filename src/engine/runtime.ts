/**
 * The ONNX Runtime the engine runs on. The engine is written against the API that
 * onnxruntime-node and onnxruntime-web share (`InferenceSession`, `Tensor` from
 * onnxruntime-common), so the browser can run the very same graphs: Node uses onnxruntime-node
 * by default; a browser build calls {@link setRuntime} with onnxruntime-web.
 */
import type { InferenceSession, Tensor as OrtTensor } from 'onnxruntime-common';

/** The part of the onnxruntime module the engine uses. */
export interface Runtime {
  InferenceSession: { create(model: Uint8Array, options?: InferenceSession.SessionOptions): Promise<InferenceSession> };
  Tensor: new (type: OrtTensor.Type, data: OrtTensor.DataType, dims?: readonly number[]) => OrtTensor;
}

let runtime: Runtime | undefined;

/** Replaces the runtime (e.g. with onnxruntime-web in a browser). */
export function setRuntime(r: Runtime): void { runtime = r; }

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
