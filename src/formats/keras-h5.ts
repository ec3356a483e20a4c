/**
 * Keras legacy HDF5 models (`model.save('model.h5')` in Keras 1, 2 and 3, tf.keras):
 * the root attribute `model_config` holds the architecture JSON and the group `model_weights`
 * the weights, one group per layer listed in its `layer_names` attribute, each with a
 * `weight_names` attribute naming its datasets (keras/src/legacy/saving/legacy_h5_format.py,
 * keras 1.2 `keras/engine/topology.py` `save_weights_to_hdf5_group`).
 *
 * Weights-only files (`model.save_weights('w.h5')`) have `layer_names` at the root; they are
 * opened together with the architecture `.json` (see keras-json.ts, which uses
 * {@link attachLegacyWeights}); opening such a file directly opens `<base>.json` beside it. Files are sniffed by the HDF5 signature, not by extension, so a
 * legacy HDF5 model saved under a `.keras` name opens here.
 */
import { existsSync } from 'node:fs';
import { basename } from 'node:path';
import { NnlensError } from '../errors.ts';
import type { Model } from '../graph/ir.ts';
import { FormatContext } from './context.ts';
import { HDF5_MAGIC, openHdf5, type Hdf5Group } from './hdf5.ts';
import * as kerasJson from './keras-json.ts';
import { addParam, allLayers, buildKerasGraph, modelConfigOf, roleFromWeightName, type LayerEntry, type ModelTree } from './keras-config.ts';

/** HDF5 signature at offset 0 (user-block offsets are not used by Keras). */
export function match(ctx: FormatContext): boolean {
  return ctx.startsWith(HDF5_MAGIC);
}

/** Opens a Keras HDF5 full model. */
export async function open(ctx: FormatContext): Promise<Model> {
  const file = await openHdf5(ctx.path);
  const root = file.root;
  const config = root.attrString('model_config');
  if (config === undefined) {
    // A weights-only file opened directly: use the architecture `<base>.json` beside it, if any.
    const json = ctx.path.replace(/\.(h5|hdf5)$/i, '.json');
    if (json !== ctx.path && root.attrNames().includes('layer_names') && existsSync(json)) {
      const jctx = new FormatContext(json, { weights: ctx.path });
      if (kerasJson.match(jctx)) return kerasJson.open(jctx);
    }
    throw new NnlensError(ctx.path, whyNoConfig(root, ctx.path));
  }
  let json: unknown;
  try {
    json = JSON.parse(config);
  } catch (e) {
    throw new NnlensError(ctx.path, `corrupted model_config JSON: ${(e as Error).message}`);
  }
  const mc = modelConfigOf(json, ctx.path);
  const { graph, tree, warnings } = buildKerasGraph(mc, { domain: 'keras', file: ctx.path });
  const weights = root.group('model_weights');
  if (weights) attachLegacyWeights(tree, weights, ctx.path, warnings, true);
  else warnings.push('the file has no model_weights group: the model has no weights');
  const version = root.attrString('keras_version') ?? weights?.attrString('keras_version') ?? mc.keras_version;
  const metadata = kerasMetadata(root);
  return {
    format: 'keras',
    formatLabel: `Keras ${version ?? '(version unknown)'} HDF5 full model`,
    path: ctx.path,
    ...(version ? { producer: `keras ${version}` } : {}),
    metadata,
    graph,
    warnings,
  };
}

/** keras_version, backend and the training config's loss and optimizer, as metadata strings. */
export function kerasMetadata(root: Hdf5Group): Record<string, string> {
  const md: Record<string, string> = {};
  for (const k of ['keras_version', 'backend']) {
    const v = root.attrString(k);
    if (v !== undefined) md[k] = v;
  }
  const tc = root.attrString('training_config');
  if (tc !== undefined) {
    try {
      const t = JSON.parse(tc) as { loss?: unknown; optimizer_config?: { class_name?: string } };
      if (t.loss !== undefined) md.loss = typeof t.loss === 'string' ? t.loss : JSON.stringify(t.loss);
      if (t.optimizer_config?.class_name) md.optimizer = t.optimizer_config.class_name;
    } catch {
      md.training_config = tc; // kept verbatim when it is not JSON
    }
  }
  return md;
}

function whyNoConfig(root: Hdf5Group, path: string): string {
  if (root.attrNames().includes('layer_names')) {
    const json = path.replace(/\.(h5|hdf5|keras)$/i, '.json');
    const hint = json !== path && existsSync(json) ? `${basename(json)} beside it is not a Keras architecture` : 'open its architecture .json with --weights';
    return `weights-only Keras HDF5 file (no model_config attribute): ${hint}`;
  }
  if (root.group('layers') && root.group('vars')) return 'Keras 3 weights-only file (.weights.h5): its architecture is in the .keras file it came from';
  return 'HDF5 file without a Keras model_config attribute: not a Keras model';
}

/** Layer classes that never hold weights (used to pair layers by order, as Keras's load_weights does). */
const WEIGHTLESS = /^(InputLayer|Dropout|SpatialDropout[123]D|GaussianNoise|GaussianDropout|AlphaDropout|Activation|ELU|LeakyReLU|ReLU|Softmax|ThresholdedReLU|Flatten|Reshape|Permute|RepeatVector|Lambda|Masking|Cropping[123]D|ZeroPadding[123]D|UpSampling[123]D|(Max|Average|Avg)Pool(ing)?[123]D|Global(Max|Average|Avg)Pool(ing)?[123]D|Add|Subtract|Multiply|Average|Maximum|Minimum|Concatenate|ActivityRegularization)$/;

/**
 * Attaches the weights of a legacy HDF5 weights group (`model_weights`, or the root of a
 * weights-only file) to the layers of `tree`. Layers are matched by name; when names do not
 * match (a weights file saved from a differently named but identical model), by order of the
 * layers that have weights, as Keras's `load_weights` does (`by_name=False`).
 * Weights stay in the file until read.
 */
export function attachLegacyWeights(tree: ModelTree, group: Hdf5Group, file: string, warnings: string[], byNameOnly = false): void {
  const stored = group.attrStrings('layer_names').map((name) => {
    const g = group.group(name);
    if (!g) throw new NnlensError(file, `corrupted Keras weights: layer_names lists '${name}' but the group is missing`);
    return { name, g, weightNames: g.attrStrings('weight_names') };
  }).filter((s) => s.weightNames.length > 0);
  // Top-level layers first; nested ones too, because Keras 1 saved the layers of Merge branches flattened.
  const top = new Map(tree.layers.map((l) => [l.name, l]));
  for (const l of allLayers(tree)) if (l.node && !top.has(l.name)) top.set(l.name, l);
  let pairs: [LayerEntry, (typeof stored)[number]][];
  if (byNameOnly || stored.every((s) => top.has(s.name))) {
    pairs = stored.map((s) => {
      const l = top.get(s.name);
      if (!l) throw new NnlensError(file, `the weights of layer '${s.name}' match no layer of the model config`);
      return [l, s];
    });
  } else {
    const targets = tree.layers.filter((l) => !WEIGHTLESS.test(l.className));
    if (targets.length !== stored.length) {
      throw new NnlensError(file, `the weights file has ${stored.length} layers with weights but the architecture has ${targets.length} (layer names differ too: '${stored.find((s) => !top.has(s.name))?.name}')`);
    }
    pairs = targets.map((l, i) => [l, stored[i]!]);
  }
  for (const [layer, s] of pairs) {
    for (const wn of s.weightNames) {
      const ds = s.g.dataset(wn);
      if (!ds) throw new NnlensError(file, `corrupted Keras weights: layer '${s.name}' lists weight '${wn}' but the dataset is missing`);
      const target = layer.model ? innerLayer(layer.model, wn) : layer;
      if (!target) {
        warnings.push(`weight '${wn}' of nested model '${layer.name}' matches none of its layers; it is not shown`);
        continue;
      }
      addParam(target, roleFromWeightName(wn, target), wn, ds.tensor(), file);
    }
  }
  for (const l of allLayers(tree)) {
    if (l.node && !WEIGHTLESS.test(l.className) && !l.node.opaque && l.node.params.length === 0 && l.className !== 'InputLayer') {
      warnings.push(`layer '${l.name}' (${l.className}) has no weights in ${basename(file)}`);
    }
  }
}

/** The layer of a nested model that a weight name such as `sequential/conv2d_1/kernel:0` belongs to. */
function innerLayer(model: ModelTree, weightName: string): LayerEntry | undefined {
  const segs = weightName.split('/').filter((s) => s !== '').slice(0, -1);
  const layers = allLayers(model).filter((l) => l.node);
  for (let i = segs.length - 1; i >= 0; i--) {
    const hit = layers.find((l) => l.name === segs[i]);
    if (hit) return hit;
  }
  return undefined;
}
