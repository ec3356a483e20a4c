/**
 * Serializes an IR graph of ONNX ops to ModelProto bytes (the inverse of `onnx.ts`), so that the
 * engine can hand ONNX Runtime the forward graph with its appended backward pass.
 * Field numbers follow onnx.proto (see onnx-schema.ts).
 */
import type { Attribute, Graph } from '../graph/ir.ts';
import type { DType, Tensor } from '../graph/tensor.ts';
import { ProtoWriter } from '../io/protobuf.ts';
import { onnxDtypeCode } from './onnx-schema.ts';

/** What a serialized model needs besides its graph. */
export interface WriteOptions {
  /** Opset per domain; '' (ai.onnx) is required. */
  opsets: Record<string, number>;
  producer?: string;
  metadata?: Record<string, string>;
  /** IR version; 8 (ONNX 1.12+) covers opsets up to 17 and is read by every ORT since 1.12. */
  irVersion?: number;
}

/**
 * Encodes `graph` as an ONNX ModelProto.
 * @example const bytes = writeOnnx(graph, { opsets: { '': 17 } }); await ort.InferenceSession.create(bytes)
 */
export function writeOnnx(graph: Graph, options: WriteOptions): Uint8Array {
  return encodeOnnx(graph, options).finish();
}

/**
 * The ModelProto of `graph` as a writer whose weights are read only while it is written out
 * (`chunks()`), one tensor at a time: a large model can be streamed to a file without a second
 * copy of its weights in memory.
 * @example for (const chunk of encodeOnnx(graph, { opsets: { '': 17 } }).chunks()) writeSync(fd, chunk)
 */
export function encodeOnnx(graph: Graph, options: WriteOptions): ProtoWriter {
  const m = new ProtoWriter();
  m.int(1, options.irVersion ?? irVersionFor(options.opsets[''] ?? 13));
  m.string(2, options.producer ?? 'nnlens');
  m.message(7, graphProto(graph));
  for (const [domain, version] of Object.entries(options.opsets)) {
    const o = new ProtoWriter();
    if (domain) o.string(1, domain);
    o.int(2, version);
    m.message(8, o);
  }
  for (const [k, v] of Object.entries(options.metadata ?? {})) m.message(14, new ProtoWriter().string(1, k).string(2, v));
  return m;
}

/** Smallest IR version that allows `opset` (onnx/helper.py VERSION_TABLE), at least 7 for external tooling. */
function irVersionFor(opset: number): number {
  if (opset <= 12) return 7;
  if (opset <= 15) return 8;
  if (opset <= 18) return 8;
  if (opset <= 20) return 9;
  return 10;
}

function graphProto(graph: Graph): ProtoWriter {
  const g = new ProtoWriter();
  for (const node of graph.nodes) {
    const n = new ProtoWriter();
    for (const i of node.inputs) n.string(1, i);
    for (const o of node.outputs) n.string(2, o);
    n.string(3, node.name);
    n.string(4, node.op);
    for (const [name, a] of Object.entries(node.attributes)) {
      const w = attributeProto(name, a);
      if (w) n.message(5, w);
    }
    if (node.domain) n.string(7, node.domain);
    g.message(1, n);
  }
  g.string(2, graph.name || 'main');
  for (const v of graph.values.values()) if (v.initializer) g.message(5, tensorProto(v.name, v.initializer));
  for (const name of graph.inputs) g.message(11, valueInfo(graph, name));
  for (const name of graph.outputs) g.message(12, valueInfo(graph, name));
  return g;
}

function valueInfo(graph: Graph, name: string): ProtoWriter {
  const v = graph.values.get(name);
  const w = new ProtoWriter().string(1, name);
  if (v?.dtype) {
    const tt = new ProtoWriter().int(1, onnxDtypeCode(v.dtype));
    if (v.shape) {
      const sh = new ProtoWriter();
      for (const d of v.shape) {
        const dim = new ProtoWriter();
        if (typeof d === 'number') dim.int(1, d); else if (typeof d === 'string') dim.string(2, d);
        sh.message(1, dim);
      }
      tt.message(2, sh);
    }
    w.message(2, new ProtoWriter().message(1, tt));
  }
  return w;
}

/** Encodes a tensor with its values as raw_data (little-endian, as the spec requires). */
export function tensorProto(name: string, t: Tensor): ProtoWriter {
  const w = new ProtoWriter();
  for (const d of t.shape) w.int(1, d);
  w.int(2, onnxDtypeCode(t.dtype));
  w.string(8, name);
  if (t.dtype === 'string') {
    for (const s of t.data() as string[]) w.string(6, s);
  } else {
    // raw_data is produced when written out, in pieces that are not kept (Tensor.rawChunks).
    w.lazyBytes(9, { length: t.byteLength, produce: () => t.rawChunks() });
  }
  return w;
}

function attributeProto(name: string, a: Attribute): ProtoWriter | undefined {
  const w = new ProtoWriter().string(1, name);
  switch (a.type) {
    case 'float': return w.int(20, 1).float(2, a.value);
    case 'int': return w.int(20, 2).int(3, a.value);
    case 'string': return w.int(20, 3).string(4, a.value);
    case 'tensor': return w.int(20, 4).message(5, tensorProto('', a.value));
    case 'graph': return w.int(20, 5).message(6, graphProto(a.value));
    case 'floats': w.int(20, 6); for (const f of a.value) w.float(7, f); return w;
    case 'ints': w.int(20, 7); for (const i of a.value) w.int(8, i); return w;
    case 'strings': w.int(20, 8); for (const s of a.value) w.string(9, s); return w;
    case 'graphs': w.int(20, 10); for (const g of a.value) w.message(11, graphProto(g)); return w;
    case 'json': return undefined; // source-framework config: not part of an executable graph
  }
}

/** Re-exported for builders that create typed constants. */
export type { DType };
