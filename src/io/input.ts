/**
 * One entry point for `--input FILE`, whatever the file is (issue 3, "Inputs everywhere"):
 * - `.npy`: the raw model input, used as given (only its shape is checked);
 * - images (.png .jpg .webp ...): decoded and preprocessed as resolved from flags, the model's
 *   metadata and its input shape (src/io/preprocess.ts);
 * - `.csv` / `.json` rows: matched to the model's feature names (src/io/tabular.ts).
 */
import { extname } from 'node:path';
import { NnlensError } from '../errors.ts';
import type { Shape } from '../graph/ir.ts';
import type { DType, TensorArray } from '../graph/tensor.ts';
import { isImageFile, loadImage, type Layout, type Picture } from './image.ts';
import { readNpy } from './npy.ts';
import { readModelFacts, resolvePreprocess, type PreprocessFlags, type Resolved } from './preprocess.ts';
import { fitShape } from './shape-fit.ts';
import { loadTabular } from './tabular.ts';

/** What the input is fed to: one model input and the model's metadata. */
export interface InputTarget {
  /** Declared shape of the model input (symbolic dims as strings or null). */
  inputShape?: Shape;
  inputName?: string;
  /** Element type of the model input; image and table values are converted to it. */
  inputDtype?: DType;
  /** The model's metadata (`nnlens.*` keys, docs/model-metadata.md). */
  metadata?: Record<string, string>;
  /** The model file, for metadata error messages. */
  modelFile?: string;
  /** Layout for ambiguous image shapes: NCHW for ONNX, NHWC for Keras and TF.js. */
  prefer?: Layout;
}

/** A loaded input, ready for the engine. */
export interface ModelInput {
  file: string;
  kind: 'array' | 'image' | 'tabular';
  dtype: DType;
  shape: number[];
  data: TensorArray;
  /** Images: the resized RGB picture the tensor came from (for overlays). */
  picture?: Picture;
  /** Images: the transform used and where each setting came from. */
  preprocess?: Resolved;
  /** Tables: feature names in the order fed. */
  featureNames?: string[];
}

/**
 * Loads `file` as an input for a model input.
 * @example const input = await loadModelInput('7.png', { inputShape: ['N', 1, 28, 28], metadata: model.metadata });
 */
export async function loadModelInput(file: string, target: InputTarget = {}, flags: PreprocessFlags = {}): Promise<ModelInput> {
  const ext = extname(file).toLowerCase();
  if (ext === '.npy') {
    const a = readNpy(file);
    return { file, kind: 'array', dtype: a.dtype, shape: fitShape(a.shape, target.inputShape, file, target.inputName), data: a.data };
  }
  if (isImageFile(file)) {
    const preprocess = resolvePreprocess({ flags, metadata: target.metadata, inputShape: target.inputShape, prefer: target.prefer, modelFile: target.modelFile });
    const im = await loadImage(file, preprocess.transform);
    const shape = fitShape(im.shape, target.inputShape, file, target.inputName);
    const dtype = target.inputDtype ?? 'float32';
    return { file, kind: 'image', dtype, shape, data: castFloats(im.data, dtype, file), picture: im.picture, preprocess };
  }
  if (ext === '.csv' || ext === '.json' || ext === '.tsv') {
    const facts = target.metadata ? readModelFacts(target.metadata, target.modelFile ?? 'model') : undefined;
    const t = loadTabular(file, { featureNames: facts?.featureNames, inputShape: target.inputShape, inputName: target.inputName });
    const dtype = target.inputDtype ?? 'float32';
    return { file, kind: 'tabular', dtype, shape: t.shape, data: castFloats(t.data, dtype, file), featureNames: t.featureNames };
  }
  throw new NnlensError(file, `unknown input type '${ext || '(no extension)'}' (expected .npy, an image such as .png/.jpg/.webp, or .csv/.json rows)`);
}

/**
 * Converts float values to a model input's dtype (integer inputs get rounded values).
 * @example castFloats(Float32Array.of(0.4, 254.6), 'uint8', 'x.png') // Uint8Array [0, 255]
 */
export function castFloats(v: Float32Array, dtype: DType, file: string): TensorArray {
  switch (dtype) {
    case 'float32': return v;
    case 'float64': return Float64Array.from(v);
    case 'int8': return Int8Array.from(v, Math.round);
    case 'uint8': return Uint8Array.from(v, (x) => Math.min(255, Math.max(0, Math.round(x))));
    case 'int16': return Int16Array.from(v, Math.round);
    case 'uint16': return Uint16Array.from(v, Math.round);
    case 'int32': return Int32Array.from(v, Math.round);
    case 'uint32': return Uint32Array.from(v, Math.round);
    case 'int64': return BigInt64Array.from(v, (x) => BigInt(Math.round(x)));
    case 'uint64': return BigUint64Array.from(v, (x) => BigInt(Math.max(0, Math.round(x))));
    case 'bool': return Uint8Array.from(v, (x) => (x !== 0 ? 1 : 0));
    default: throw new NnlensError(file, `the model input is ${dtype}; images and tables can only feed numeric inputs`);
  }
}
