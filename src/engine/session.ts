/**
 * One compiled ONNX Runtime session over an IR graph, with NdArray in and out.
 * Sessions hold native memory: call {@link Session.dispose} (the Engine does it for its cache).
 */
import { NnlensError } from '../errors.ts';
import type { Graph } from '../graph/ir.ts';
import { writeOnnx } from '../formats/onnx-write.ts';
import type { NdArray } from './ndarray.ts';
import { getRuntime, sessionOptions, type InferenceSession, type OrtTensor } from './runtime.ts';

/** A compiled graph. */
export class Session {
  private constructor(private readonly session: InferenceSession, readonly outputNames: readonly string[]) {}

  /**
   * Serializes `graph` and creates an ONNX Runtime session for it.
   * @example const s = await Session.create(graph, { '': 17 }); const out = await s.run({ input: x })
   */
  static async create(graph: Graph, opsets: Record<string, number>, label = graph.name): Promise<Session> {
    const bytes = writeOnnx(graph, { opsets });
    const ort = await getRuntime();
    try {
      const s = await ort.InferenceSession.create(bytes, sessionOptions());
      return new Session(s, graph.outputs);
    } catch (e) {
      throw new NnlensError(label, `ONNX Runtime could not load the graph: ${firstLine(e)}`);
    }
  }

  /** Runs the session; returns every graph output by name. */
  async run(feeds: Record<string, NdArray>, label = 'model'): Promise<Record<string, NdArray>> {
    const ort = await getRuntime();
    const ortFeeds: Record<string, OrtTensor> = {};
    for (const [name, a] of Object.entries(feeds)) {
      ortFeeds[name] = new ort.Tensor(a.dtype as OrtTensor.Type, a.data as OrtTensor.DataType, a.shape);
    }
    let out: InferenceSession.ReturnType;
    try {
      out = await this.session.run(ortFeeds);
    } catch (e) {
      throw new NnlensError(label, `run failed: ${firstLine(e)}`);
    }
    const result: Record<string, NdArray> = {};
    for (const [name, t] of Object.entries(out)) {
      result[name] = { dtype: t.type as NdArray['dtype'], shape: [...t.dims], data: t.data as NdArray['data'] };
    }
    return result;
  }

  /** Releases the native session. */
  async dispose(): Promise<void> { await this.session.release(); }
}

function firstLine(e: unknown): string {
  const m = e instanceof Error ? e.message : String(e);
  return m.split('\n')[0]!.slice(0, 400);
}
