/**
 * Keras architecture JSON (`model.to_json()`, Keras 1 to 3) together with its weights HDF5
 * (`model.save_weights('model.h5')`). The weights are the `--weights` file when given, else
 * `<base>.h5` (or `.hdf5`) beside the JSON; a missing weights file is an error naming it.
 *
 * Some projects wrote the architecture with `json.dump(model.to_json(), f)`, which stores the
 * JSON text as one JSON string; that double-encoded form is accepted too.
 */
import { closeSync, existsSync, openSync, readSync, statSync } from 'node:fs';
import { basename } from 'node:path';
import { NnlensError } from '../errors.ts';
import type { Model } from '../graph/ir.ts';
import type { FormatContext } from './context.ts';
import { isHdf5, openHdf5 } from './hdf5.ts';
import { buildKerasGraph, modelConfigOf } from './keras-config.ts';
import { attachLegacyWeights, kerasMetadata } from './keras-h5.ts';
import { attachKeras3Weights } from './keras-zip.ts';

/** A `.json` holding a Keras model config (`class_name` + `config`), possibly as a JSON string; never a TF.js model.json. */
export function match(ctx: FormatContext): boolean {
  if (ctx.ext !== '.json') return false;
  let v: unknown;
  try {
    v = JSON.parse(ctx.text());
  } catch {
    // Unparseable: claim it only if it looks like a Keras config, so that open() names the JSON error.
    const head = new TextDecoder().decode(ctx.head);
    return /class_name/.test(head) && !/modelTopology|weightsManifest/.test(head);
  }
  if (typeof v === 'string') {
    try {
      v = JSON.parse(v);
    } catch {
      return false;
    }
  }
  return typeof v === 'object' && v !== null && 'class_name' in v && 'config' in v && !('modelTopology' in v);
}

/** Opens an architecture JSON and its weights HDF5. */
export async function open(ctx: FormatContext): Promise<Model> {
  const json = ctx.json();
  const mc = modelConfigOf(json, ctx.path);
  const { graph, tree, warnings } = buildKerasGraph(mc, { domain: 'keras', file: ctx.path });
  const weightsPath = findWeights(ctx);
  const head = readHead(weightsPath);
  if (!isHdf5(head)) throw new NnlensError(weightsPath, 'not an HDF5 file (expected the Keras weights saved with save_weights)');
  const h5 = await openHdf5(weightsPath);
  const root = h5.root;
  if (root.attrNames().includes('layer_names')) attachLegacyWeights(tree, root, weightsPath, warnings);
  else if (root.group('model_weights')) attachLegacyWeights(tree, root.group('model_weights')!, weightsPath, warnings);
  else if (root.group('layers')) attachKeras3Weights(tree, root.group('layers')!, weightsPath, warnings);
  else throw new NnlensError(weightsPath, 'not a Keras weights file: it has no layer_names, model_weights or layers');
  const metadata = kerasMetadata(root);
  if (mc.keras_version && !metadata.keras_version) metadata.keras_version = mc.keras_version;
  if (mc.backend && !metadata.backend) metadata.backend = mc.backend;
  const version = metadata.keras_version;
  return {
    format: 'keras',
    formatLabel: `Keras ${version ?? '(version unknown)'} HDF5 weights + architecture JSON`,
    path: ctx.path,
    ...(version ? { producer: `keras ${version}` } : {}),
    metadata: { ...metadata, weights: weightsPath },
    graph,
    warnings,
  };
}

/** The weights file: `--weights`, else `<base>.h5` / `<base>.hdf5` beside the JSON. */
function findWeights(ctx: FormatContext): string {
  const given = ctx.options.weights;
  if (given) {
    if (!existsSync(given) || !statSync(given).isFile()) throw new NnlensError(given, 'weights file is missing');
    return given;
  }
  const base = basename(ctx.path).replace(/\.json$/i, '');
  for (const ext of ['.h5', '.hdf5']) {
    const p = ctx.resolveInside(base + ext, 'weights file');
    if (existsSync(p)) return p;
  }
  const expected = ctx.resolveInside(`${base}.h5`, 'weights file');
  throw new NnlensError(expected, `weights file is missing: the architecture ${ctx.name} needs it beside it (or pass --weights FILE)`);
}

/** The first 8 bytes of a file (enough for the HDF5 signature). */
function readHead(path: string): Uint8Array {
  const fd = openSync(path, 'r');
  try {
    const buf = new Uint8Array(8);
    return buf.subarray(0, readSync(fd, buf, 0, 8, 0));
  } finally {
    closeSync(fd);
  }
}
