/**
 * One compiled ONNX Runtime session over an IR graph, with NdArray in and out.
 * Sessions hold native memory: call {@link Session.dispose} (the Engine does it for its cache).
 */
import { NnlensError } from '../errors.ts';
import type { Graph } from '../graph/ir.ts';
import { encodeOnnx } from '../formats/onnx-write.ts';
import { releaseScratch } from '../io/scratch.ts';
import type { NdArray } from './ndarray.ts';
import { fileRuntime, getRuntime, sessionOptions, type InferenceSession, type OrtTensor } from './runtime.ts';

/** A compiled graph. */
export class Session {
  private constructor(private readonly session: InferenceSession, readonly outputNames: readonly string[]) {}

  /**
   * Serializes `graph` and creates an ONNX Runtime session for it.
   *
   * In Node the model is streamed to a temporary file, one weight at a time, and ONNX Runtime
   * loads it from there: handing it a buffer instead costs the buffer, ONNX Runtime's copy of it
   * and the weights parsed out of that copy at once (ResNet-50's gradient graph: 578 MB resident
   * after creation from a buffer, 413 MB from a file: bench/dev/session-memory.ts).
   * @example const s = await Session.create(graph, { '': 17 }); const out = await s.run({ input: x })
   */
  static async create(graph: Graph, opsets: Record<string, number>, label = graph.name): Promise<Session> {
    const proto = encodeOnnx(graph, { opsets });
    const ort = await getRuntime();
    let file: { path: string; remove(): void } | undefined;
    try {
      file = canUseFiles() ? await writeTemp(proto.chunks()) : undefined;
    } catch (e) {
      // A model that cannot be read is the user's error; a temporary folder that cannot be written
      // (full, read-only) only costs memory: ONNX Runtime then gets one buffer.
      if (e instanceof NnlensError || !(e as NodeJS.ErrnoException).code) throw e;
    } finally {
      releaseScratch();
    }
    try {
      const s = await ort.InferenceSession.create(file?.path ?? proto.finish(), sessionOptions(proto.length));
      return new Session(s, graph.outputs);
    } catch (e) {
      // ONNX Runtime names the temporary file it loaded; the user's file is `label`.
      throw new NnlensError(label, `ONNX Runtime could not load the graph: ${firstLine(e).replace(/^Load model from .* failed: ?/, '')}`);
    } finally {
      file?.remove();
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

/** Whether models can go to ONNX Runtime through a file: Node with its default runtime. */
function canUseFiles(): boolean {
  return typeof process !== 'undefined' && !!process.versions?.node && fileRuntime();
}

/**
 * Streams chunks to a new file in the OS temporary folder (readable only by this user) and
 * returns its path with a function that deletes it.
 */
async function writeTemp(chunks: Iterable<Uint8Array>): Promise<{ path: string; remove(): void }> {
  const { mkdtempSync, openSync, writeSync, closeSync, rmSync } = await import('node:fs');
  const { tmpdir } = await import('node:os');
  const { join } = await import('node:path');
  const dir = mkdtempSync(join(tmpdir(), 'nnlens-'));
  const path = join(dir, 'graph.onnx');
  const remove = (): void => rmSync(dir, { recursive: true, force: true });
  try {
    const fd = openSync(path, 'wx', 0o600);
    try {
      for (const c of chunks) {
        let done = 0;
        while (done < c.byteLength) done += writeSync(fd, c, done, c.byteLength - done);
      }
    } finally {
      closeSync(fd);
    }
  } catch (e) {
    remove();
    throw e;
  }
  return { path, remove };
}

function firstLine(e: unknown): string {
  const m = e instanceof Error ? e.message : String(e);
  return m.split('\n')[0]!.slice(0, 400);
}
