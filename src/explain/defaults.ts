/**
 * What `nnlens explain` picks when the user does not say (issue 4): the default CAM layer, the
 * tensor holding the class scores (the logits before the model's own softmax or sigmoid), and
 * classes named by index or label.
 */
import { NnlensError } from '../errors.ts';
import { attr, producers, type Graph, type Model, type Node } from '../graph/ir.ts';
import type { Engine } from '../engine/engine.ts';

const POOLING = new Set(['GlobalAveragePool', 'GlobalMaxPool', 'Flatten', 'GlobalAveragePooling2D', 'GlobalMaxPooling2D', 'GlobalAvgPool2D', 'GlobalMaxPool2D']);
const PLUMBING = new Set(['Identity', 'Reshape', 'Flatten', 'Squeeze', 'Cast', 'Dropout']);

/**
 * The default CAM layer: the last 4-D tensor that enters a global pooling, flatten or spatial
 * mean, walking back past 1 x 1 maps (a ResNet's Flatten after its GlobalAveragePool, a Keras CNN
 * pooled down to 1 x 1), since a single position cannot localize anything. Returns a reference the
 * engine resolves: the tensor name for ONNX, the layer name for Keras / TF.js.
 * @example defaultCamLayer(await openModel('resnet18.onnx')) // '/layer4/layer4.1/relu_1/Relu_output_0'
 */
export function defaultCamLayer(model: Model): string {
  const g = model.graph;
  const rank4 = (t: string | undefined): boolean => !!t && g.values.get(t)?.shape?.length === 4 && !g.values.get(t)?.initializer;
  let last: string | undefined;
  for (const n of g.nodes) if ((POOLING.has(n.op) || isSpatialMean(n, g)) && rank4(n.inputs[0])) last = n.inputs[0];
  if (!last) throw new NnlensError(model.path, 'no 4-D feature map enters a global pooling or flatten layer, so there is no default CAM layer; name one with --layer');
  const channelsFirst = model.format === 'onnx';
  const prod = producers(g);
  let found: string = last;
  for (let hops = 0; hops < 64; hops++) {
    const s = g.values.get(found)!.shape!;
    const [h, w] = channelsFirst ? [s[2], s[3]] : [s[1], s[2]];
    if (!(h === 1 && w === 1)) break;
    const prev: string | undefined = prod.get(found)?.inputs.find((i) => rank4(i));
    if (!prev) break;
    found = prev;
  }
  if (model.format === 'onnx') return found;
  return prod.get(found)?.name ?? found;
}

function isSpatialMean(n: Node, g: Graph): boolean {
  if (n.op !== 'ReduceMean') return false;
  const fromInput = n.inputs[1] ? g.values.get(n.inputs[1])?.initializer : undefined;
  const axes = attr(n, 'axes', 'ints', []).length ? attr(n, 'axes', 'ints', []) : fromInput ? Array.from(fromInput.data() as BigInt64Array, Number) : [];
  const set = new Set(axes);
  return axes.length === 2 && ((set.has(2) && set.has(3)) || (set.has(-1) && set.has(-2)));
}

/**
 * The tensor holding the class scores to explain: the model's first output, or the input of the
 * Softmax / Sigmoid that produces it (the logits).
 * @example logitsOf(engine) // { output: 'probs', tensor: 'logits', activation: 'softmax' }
 */
export function logitsOf(engine: Engine): { output: string; tensor: string; activation: 'softmax' | 'sigmoid' | 'none' } {
  const g = engine.exec.graph;
  const output = g.outputs[0];
  if (!output) throw new NnlensError(engine.model.path, 'the model has no output to explain');
  const byOutput = producers(g);
  let t = output;
  for (let hops = 0; hops < 32; hops++) {
    const n = byOutput.get(t);
    if (!n || !n.inputs[0]) break;
    if (n.op === 'Softmax' || n.op === 'Sigmoid') return { output, tensor: n.inputs[0], activation: n.op === 'Softmax' ? 'softmax' : 'sigmoid' };
    if (!PLUMBING.has(n.op)) break;
    t = n.inputs[0];
  }
  return { output, tensor: output, activation: 'none' };
}

/**
 * Parses a class given as an index or a label name.
 * @example parseClass('3', 10) === 3; parseClass('Dog', 2, { names: ['Cat', 'Dog'], source: 'l.txt' }) === 1
 */
export function parseClass(v: string, classes: number, labels: { names: string[]; source: string } | undefined, flag = '--target'): number {
  if (/^-?\d+$/.test(v.trim())) {
    const k = Number(v);
    if (k < 0 || k >= classes) throw new NnlensError('', `${flag} ${v} is out of range: the model outputs ${classes} class${classes === 1 ? '' : 'es'} (0..${classes - 1})`);
    return k;
  }
  if (!labels) throw new NnlensError('', `${flag} '${v}' is not a class index, and there are no labels to look it up (--labels FILE)`);
  const low = v.trim().toLowerCase();
  const k = labels.names.findIndex((n) => n.toLowerCase() === low);
  if (k < 0) throw new NnlensError(labels.source, `has no label '${v}' (${flag}); labels: ${labels.names.slice(0, 8).join(', ')}${labels.names.length > 8 ? ', ...' : ''}`);
  // A single sigmoid output: label 1 is its own class; label 0 is explained through the same logit.
  return classes === 1 ? 0 : k;
}

