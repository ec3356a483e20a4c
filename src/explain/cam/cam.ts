/**
 * CAM (Zhou et al. 2016, arXiv:1512.04150, Eq. 2): for a network whose head is global average
 * pooling followed by one dense layer, the class activation map is sum_c w_c^k A_c, with w^k the
 * dense layer's weights for class k. The head is checked structurally and the weights are read
 * from the model; other heads are refused (Grad-CAM generalizes CAM to them).
 */
import { NnlensError } from '../../errors.ts';
import { attr, consumers, type Graph, type Model, type Node } from '../../graph/ir.ts';
import type { Tensor } from '../../graph/tensor.ts';
import type { ExplainContext } from '../method.ts';
import { CamMethod, type LayerTensors } from './base.ts';

const GAP = new Set(['GlobalAveragePool', 'GlobalAveragePooling2D']);
const PASS = new Set(['Flatten', 'Reshape', 'Squeeze', 'Identity', 'Dropout']);

/** The dense weights of a GAP -> dense head as a [K, C] row-major matrix (row k: class k). */
export interface HeadWeights { K: number; C: number; W: Float32Array }

export class Cam extends CamMethod {
  readonly name = 'cam';
  readonly displayName = 'CAM';
  readonly citation = 'Zhou et al. 2016, Learning Deep Features for Discriminative Localization (Eq. 2)';
  protected override readonly needsGradient = false;

  protected channelWeights(t: LayerTensors, ctx: ExplainContext): Float32Array {
    const head = gapDenseHead(ctx.engine.model, ctx.engine.resolve(ctx.layer!)[0]!, ctx.layer!);
    if (head.C !== t.C) throw new NnlensError(ctx.engine.model.path, `CAM: the dense layer has ${head.C} inputs but '${ctx.layer}' has ${t.C} channels`);
    if (ctx.target.kind !== 'logit' && ctx.target.kind !== 'probability' && ctx.target.kind !== 'logprob') {
      throw new NnlensError(ctx.engine.model.path, 'CAM explains a class; use gradcam for neuron or channel targets');
    }
    const idx = ctx.values.index ?? [0];
    const w = new Float32Array(t.N * t.C);
    for (let n = 0; n < t.N; n++) {
      const k = idx[n % idx.length]!;
      if (k < 0 || k >= head.K) throw new NnlensError(ctx.engine.model.path, `class ${k} is out of range (the head has ${head.K} classes)`);
      w.set(head.W.subarray(k * head.C, (k + 1) * head.C), n * t.C);
    }
    return w;
  }
}

/**
 * Finds the GAP -> (flatten) -> dense head after `tensor` (a layer output of the source graph)
 * and returns its weights; throws an NnlensError saying what was found instead.
 */
export function gapDenseHead(model: Model, execTensor: string, layer: string): HeadWeights {
  const g = model.graph;
  const start = sourceTensor(model, execTensor, layer);
  const cons = consumers(g);
  const next = (v: string): Node | undefined => {
    const list = (cons.get(v) ?? []).filter((n) => n.op !== 'Shape');
    return list.length === 1 ? list[0] : undefined;
  };
  const refuse = (why: string): never => {
    throw new NnlensError(model.path, `CAM needs a global-average-pooling -> dense head after '${layer}': ${why}; use --method gradcam, which generalizes CAM`);
  };
  let n = next(start);
  if (!n || !(GAP.has(n.op) || isSpatialMean(n, g))) refuse(`it is followed by ${n ? n.op : 'several layers'}`);
  let v = n!.outputs[0]!;
  for (n = next(v); n && PASS.has(n.op); n = next(v)) v = n.outputs[0]!;
  if (!n) refuse('the pooled features feed several layers');
  return denseWeights(model, n!, v, refuse);
}

function isSpatialMean(n: Node, g: Graph): boolean {
  if (n.op !== 'ReduceMean') return false;
  const axes = attr(n, 'axes', 'ints', []);
  const fromInput = n.inputs[1] ? g.values.get(n.inputs[1])?.initializer : undefined;
  const list = axes.length ? axes : fromInput ? Array.from(fromInput.data() as BigInt64Array, Number) : [];
  return list.length === 2 && list.includes(2) && list.includes(3) || list.length === 2 && list.includes(-1) && list.includes(-2);
}

function sourceTensor(model: Model, execTensor: string, layer: string): string {
  if (model.format === 'onnx') return execTensor;
  const node = model.graph.nodes.find((n) => n.name === layer);
  if (!node) throw new NnlensError(model.path, `CAM: '${layer}' is not a layer name`);
  return node.outputs[0]!;
}

function denseWeights(model: Model, n: Node, input: string, refuse: (why: string) => never): HeadWeights {
  const init = (name: string | undefined): Tensor | undefined => (name ? model.graph.values.get(name)?.initializer : undefined);
  if (n.op === 'Dense') {
    const kernel = n.params.find((p) => p.role === 'kernel')?.tensor;
    if (!kernel) refuse('the dense layer has no kernel');
    const [C, K] = kernel!.shape as [number, number];
    return { K, C, W: transpose(kernel!.float32(), C, K) };
  }
  if (n.op === 'Gemm' && n.inputs[0] === input) {
    const B = init(n.inputs[1]);
    if (!B) refuse('the Gemm weights are not constant');
    const transB = attr(n, 'transB', 'int', 0);
    const [r, c] = B!.shape as [number, number];
    return transB ? { K: r, C: c, W: Float32Array.from(B!.float32()) } : { K: c, C: r, W: transpose(B!.float32(), r, c) };
  }
  if (n.op === 'MatMul' && n.inputs[0] === input) {
    const B = init(n.inputs[1]);
    if (!B || B.shape.length !== 2) refuse('the MatMul weights are not a constant matrix');
    const [C, K] = B!.shape as [number, number];
    return { K, C, W: transpose(B!.float32(), C, K) };
  }
  return refuse(`the pooled features go to ${n.op}, not a dense layer`);
}

function transpose(a: Float32Array, rows: number, cols: number): Float32Array {
  const out = new Float32Array(a.length);
  for (let i = 0; i < rows; i++) for (let j = 0; j < cols; j++) out[j * rows + i] = a[i * cols + j]!;
  return out;
}
