/**
 * The format registry: one row per format (STYLE.md 1). `openModel` sniffs the file with each
 * row's `match` (extension and magic bytes) and opens it with the first row that accepts it.
 * Folders are resolved to the one model file they hold.
 */
import { existsSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { NnlensError, asNnlensError } from '../errors.ts';
import type { Model } from '../graph/ir.ts';
import { FormatContext, type OpenOptions } from './context.ts';
import * as kerasH5 from './keras-h5.ts';
import * as kerasJson from './keras-json.ts';
import * as kerasZip from './keras-zip.ts';
import * as onnx from './onnx.ts';
import * as tfjsGraph from './tfjs-graph.ts';
import * as tfjsLayers from './tfjs-layers.ts';

/** A model format: how to recognize it and how to open it. */
export interface Format {
  name: string;
  /** Extensions this format usually has (for folder scanning and docs). */
  extensions: string[];
  match(ctx: FormatContext): boolean;
  open(ctx: FormatContext): Promise<Model>;
}

const formats: Format[] = [
  { name: 'onnx', extensions: ['.onnx'], match: onnx.match, open: onnx.open },
  // Keras HDF5 by magic bytes, whatever the extension (a legacy HDF5 model saved as `.keras`).
  { name: 'keras-h5', extensions: ['.h5', '.hdf5', '.keras'], match: kerasH5.match, open: kerasH5.open },
  { name: 'keras-zip', extensions: ['.keras'], match: kerasZip.match, open: kerasZip.open },
  // TF.js layers before Keras architecture JSON: both are .json; a TF.js graph model matches neither.
  { name: 'tfjs-layers', extensions: ['.json'], match: tfjsLayers.match, open: tfjsLayers.open },
  { name: 'tfjs-graph', extensions: ['.json'], match: tfjsGraph.match, open: tfjsGraph.open },
  { name: 'keras-json', extensions: ['.json'], match: kerasJson.match, open: kerasJson.open },
];

/** Registers a format (used by loader modules listed in `formats/index.ts`). */
export function registerFormat(f: Format, first = false): void {
  if (first) formats.unshift(f); else formats.push(f);
}

/** The registered formats, in match order. */
export function listFormats(): readonly Format[] { return formats; }

/**
 * Opens a model file or a folder that holds one model.
 * @example const model = await openModel('resnet18.onnx'); console.log(model.graph.nodes.length)
 */
export async function openModel(path: string, options: OpenOptions = {}): Promise<Model> {
  if (!existsSync(path)) throw new NnlensError(path, 'no such file or folder');
  const file = statSync(path).isDirectory() ? pickInFolder(path) : path;
  const ctx = new FormatContext(file, options);
  if (ctx.size === 0) throw new NnlensError(file, 'file is empty');
  const format = formats.find((f) => f.match(ctx));
  if (!format) {
    throw new NnlensError(file, 'unknown model format (expected ONNX .onnx, Keras .h5/.keras/architecture .json, or TF.js model.json)');
  }
  try {
    return await format.open(ctx);
  } catch (e) {
    throw asNnlensError(file, e);
  }
}

/** Picks the model file of a folder: TF.js `model.json`, else the single model-looking file. */
function pickInFolder(folder: string): string {
  const names = readdirSync(folder).sort();
  if (names.includes('model.json')) return join(folder, 'model.json');
  const modelExt = /\.(onnx|keras|h5|hdf5)$/i;
  const candidates = names.filter((n) => modelExt.test(n));
  const jsons = names.filter((n) => /\.json$/i.test(n));
  // An architecture .json with a weights .h5 of the same base name is one model.
  for (const j of jsons) {
    const base = j.replace(/\.json$/i, '');
    if (names.includes(`${base}.h5`)) return join(folder, j);
  }
  if (candidates.length === 1) return join(folder, candidates[0]!);
  if (candidates.length === 0 && jsons.length === 1) return join(folder, jsons[0]!);
  if (candidates.length === 0) throw new NnlensError(folder, 'folder holds no model file (.onnx, .h5, .keras, model.json)');
  throw new NnlensError(folder, `folder holds several models (${candidates.join(', ')}); name one`);
}
