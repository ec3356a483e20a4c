/**
 * Synthetic ONNX-like models for benchmarks and tests: a deep residual stack shaped like a
 * PyTorch ResNet export (node names `/layer1/layer1.0/conv1/Conv`, groups `layer1 > layer1.0`,
 * Conv + BatchNormalization + Relu blocks with a projection shortcut at each stage's first block).
 * Weights are lazy tensors whose values are generated only when read.
 */
import type { Graph, Model, Node, Param } from '../src/graph/ir.ts';
import { emptyGraph, valueOf } from '../src/graph/ir.ts';
import { Tensor, sizeOf } from '../src/graph/tensor.ts';

/** Deterministic lazy float32 tensor (xorshift values in [-0.5, 0.5) scaled by `scale`). */
export function lazyTensor(shape: number[], seed: number, scale = 0.1): Tensor {
  return new Tensor('float32', shape, {
    where: `synthetic #${seed}`,
    read: () => {
      const out = new Float32Array(sizeOf(shape));
      let s = (seed * 2654435761) >>> 0 || 1;
      for (let i = 0; i < out.length; i++) {
        s ^= s << 13; s >>>= 0; s ^= s >>> 17; s ^= s << 5; s >>>= 0;
        out[i] = (s / 4294967296 - 0.5) * scale;
      }
      return out;
    },
  });
}

/** Options of {@link residualModel}. */
export interface ResidualOptions {
  /** Approximate node count wanted (the stack grows by whole blocks). */
  nodes: number;
  /** Number of stages (`layer1`...); blocks are spread evenly over them. Default 4. */
  stages?: number;
}

/**
 * A ResNet-like model with about `nodes` nodes.
 * @example const m = residualModel({ nodes: 10_000 }); m.graph.nodes.length
 */
export function residualModel(o: ResidualOptions): Model {
  const g: Graph = emptyGraph('synthetic_resnet');
  let seed = 1;
  const shape = (name: string, s: (number | string)[]) => { const v = valueOf(g, name); v.shape = s; v.dtype = 'float32'; };
  const param = (name: string, role: string, dims: number[], trainable = true): Param => {
    const tensor = lazyTensor(dims, seed++);
    const v = valueOf(g, name);
    v.initializer = tensor; v.shape = dims; v.dtype = 'float32';
    return { role, name, tensor, trainable };
  };
  const add = (name: string, op: string, group: string[], inputs: string[], params: Param[], outShape: (number | string)[]): string => {
    const out = `${name}_output_0`;
    const node: Node = { name, op, domain: '', inputs: [...inputs, ...params.map((p) => p.name)], outputs: [out], attributes: {}, group, params };
    g.nodes.push(node);
    shape(out, outShape);
    return out;
  };
  const conv = (prefix: string, group: string[], x: string, cin: number, cout: number, k: number, hw: number) =>
    add(`${prefix}/Conv`, 'Conv', group, [x], [param(`${prefix.slice(1).replace(/\//g, '.')}.weight`, 'weight', [cout, cin, k, k])], ['N', cout, hw, hw]);
  const bn = (prefix: string, group: string[], x: string, c: number, hw: number) => {
    const base = prefix.slice(1).replace(/\//g, '.');
    return add(`${prefix}/BatchNormalization`, 'BatchNormalization', group, [x], [
      param(`${base}.weight`, 'weight', [c]), param(`${base}.bias`, 'bias', [c]),
      param(`${base}.running_mean`, 'running_mean', [c], false), param(`${base}.running_var`, 'running_var', [c], false),
    ], ['N', c, hw, hw]);
  };
  g.inputs = ['input'];
  shape('input', ['N', 3, 224, 224]);
  let x = conv('/conv1', [], 'input', 3, 64, 7, 112);
  x = bn('/bn1', [], x, 64, 112);
  x = add('/relu/Relu', 'Relu', [], [x], [], ['N', 64, 112, 112]);
  x = add('/maxpool/MaxPool', 'MaxPool', [], [x], [], ['N', 64, 56, 56]);
  const stages = o.stages ?? 4;
  // 7 stem/head nodes, 7 per block, 2 more per projection shortcut (stages 2 and up).
  const blocks = Math.max(stages, Math.round((o.nodes - 7 - 2 * (stages - 1)) / 7));
  let c = 64, hw = 56;
  for (let s = 1; s <= stages; s++) {
    const count = Math.floor(blocks / stages) + (s <= blocks % stages ? 1 : 0);
    const cout = s === 1 ? 64 : Math.min(512, c * 2);
    const hwOut = s === 1 ? hw : Math.max(1, Math.ceil(hw / 2));
    for (let b = 0; b < count; b++) {
      const layer = `layer${s}`, block = `${layer}.${b}`, group = [layer, block], p = `/${layer}/${block}`;
      const cin = b === 0 ? c : cout;
      let y = conv(`${p}/conv1`, group, x, cin, cout, 3, hwOut);
      y = bn(`${p}/bn1`, group, y, cout, hwOut);
      y = add(`${p}/relu/Relu`, 'Relu', group, [y], [], ['N', cout, hwOut, hwOut]);
      y = conv(`${p}/conv2`, group, y, cout, cout, 3, hwOut);
      y = bn(`${p}/bn2`, group, y, cout, hwOut);
      let shortcut = x;
      if (b === 0 && (cin !== cout || hwOut !== hw)) {
        shortcut = conv(`${p}/downsample/downsample.0`, group, x, cin, cout, 1, hwOut);
        shortcut = bn(`${p}/downsample/downsample.1`, group, shortcut, cout, hwOut);
      }
      y = add(`${p}/Add`, 'Add', group, [y, shortcut], [], ['N', cout, hwOut, hwOut]);
      x = add(`${p}/relu_1/Relu`, 'Relu', group, [y], [], ['N', cout, hwOut, hwOut]);
    }
    c = cout; hw = hwOut;
  }
  x = add('/avgpool/GlobalAveragePool', 'GlobalAveragePool', [], [x], [], ['N', c, 1, 1]);
  x = add('/Flatten', 'Flatten', [], [x], [], ['N', c]);
  const fcW = param('fc.weight', 'weight', [1000, c]), fcB = param('fc.bias', 'bias', [1000]);
  x = add('/fc/Gemm', 'Gemm', [], [x], [fcW, fcB], ['N', 1000]);
  g.outputs = [x];
  return { format: 'onnx', formatLabel: 'synthetic ONNX-like IR', path: 'synthetic-resnet.onnx', metadata: {}, graph: g, warnings: [] };
}
