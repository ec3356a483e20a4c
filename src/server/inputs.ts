/**
 * Inputs the page creates for a model (`POST /api/models/:id/inputs`): a sample by id, an uploaded
 * or drawn picture, or a table row with named fields. Each becomes files in the server's temporary
 * folder and goes through the same loader as `nnlens run --input FILE` (cli/input-options.ts), so
 * a picture in the page means exactly the tensor it means on the command line. Inputs are kept in
 * a small LRU and referred to by id by `run`, `activations` and `explain`.
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { loadInputFor, type LoadedInputs } from '../cli/input-options.ts';
import type { Engine } from '../engine/engine.ts';
import { readTable } from '../io/csv.ts';
import { inputGeometry } from '../explain/explain.ts';
import type { Picture } from '../io/image.ts';
import { pictureFromTensor } from '../render/overlay.ts';
import type { InputInfo } from './api-types.ts';
import { HttpError } from './http.ts';
import type { OpenedModel } from './opened.ts';

/** Inputs kept per model. */
export const INPUTS_KEPT = 48;

/** What the page asks for. */
export type InputSpec =
  | { sample: string }
  | { row: Record<string, number> }
  | { image: Uint8Array; source: 'upload' | 'drawing' };

/** A stored input. */
export interface StoredInput {
  info: InputInfo;
  loaded: LoadedInputs;
  /** The picture the model sees: decoded for images, drawn from the tensor for arrays of image models. */
  picture?: Picture;
}

/** Magic bytes of the picture formats accepted from the page. */
const PICTURES: [string, number[]][] = [
  ['.png', [0x89, 0x50, 0x4e, 0x47]], ['.jpg', [0xff, 0xd8, 0xff]], ['.gif', [0x47, 0x49, 0x46, 0x38]],
  ['.webp', [0x52, 0x49, 0x46, 0x46]], ['.bmp', [0x42, 0x4d]],
];

/** The extension of a picture's bytes, or undefined when they are not a known picture format. */
export function pictureExt(bytes: Uint8Array): string | undefined {
  return PICTURES.find(([, magic]) => magic.every((b, i) => bytes[i] === b))?.[0];
}

/** The inputs of one model. */
export class InputStore {
  private readonly items = new Map<string, StoredInput>();
  private counter = 0;

  constructor(private readonly opened: OpenedModel, private readonly dir: string) {}

  /**
   * Creates an input (runs no model: loading only), keeps it and returns it.
   * @throws NnlensError for inputs the model cannot take (wrong shape, not a picture...)
   */
  async create(engine: Engine, spec: InputSpec): Promise<StoredInput> {
    const id = `i${++this.counter}`;
    const file = this.fileFor(id, spec);
    const loaded = await loadInputFor(engine, file);
    const input = loaded.primary.input;
    const source = 'sample' in spec ? `sample ${this.opened.samples.find((s) => s.id === spec.sample)?.label ?? spec.sample}` : 'row' in spec ? 'edited row' : spec.source;
    const info: InputInfo = { id, kind: input.kind, source, shape: input.shape, description: '' };
    let picture = input.picture;
    if (!picture && this.opened.entry.inputKind === 'image' && input.shape.length === 4 && input.dtype === 'float32') {
      // A raw array for an image model: shown as a picture (each channel scaled to its range).
      const g = inputGeometry(input.shape, engine.exec.layoutOf(loaded.primary.name));
      picture = pictureFromTensor((input.data as Float32Array).subarray(0, g.C * g.H * g.W), g.C, g.H, g.W, g.layout);
    }
    if (picture) info.picture = `/api/models/${this.opened.id}/inputs/${id}/picture.png`;
    // A row of a tabular model, whether it came from a table or a .npy array, gets its fields.
    const tabular = input.kind === 'tabular' || (this.opened.entry.inputKind === 'tabular' && input.shape.length === 2 && input.shape[0] === 1);
    if (tabular) {
      const names = this.opened.facts.featureNames ?? input.featureNames ?? Array.from({ length: input.data.length }, (_, k) => `feature ${k}`);
      if (names.length === input.data.length) info.row = { names, values: Array.from(input.data as ArrayLike<number | bigint>, Number) };
    }
    info.description = input.kind === 'image' ? `picture ${input.picture?.width}x${input.picture?.height} -> [${input.shape.join(', ')}]` : `[${input.shape.join(', ')}] ${input.dtype}`;
    const stored: StoredInput = { info, loaded, ...(picture ? { picture } : {}) };
    this.items.set(id, stored);
    while (this.items.size > INPUTS_KEPT) this.items.delete(this.items.keys().next().value!);
    return stored;
  }

  /**
   * A stored input by id.
   * @throws HttpError 404 for unknown (or evicted) ids
   */
  get(id: string): StoredInput {
    const s = this.items.get(id);
    if (!s) throw new HttpError(404, `no input '${id}' (inputs are kept for the latest ${INPUTS_KEPT}; create it again)`);
    return s;
  }

  /** Writes the spec to a file the input loader reads (samples are read in place). */
  private fileFor(id: string, spec: InputSpec): string {
    if ('sample' in spec) {
      const s = this.opened.samples.find((x) => x.id === spec.sample);
      if (!s) throw new HttpError(404, `no sample '${spec.sample}' for this model`);
      if (s.row === undefined) return s.file;
      // One row of a table: written on its own, with the model's column names.
      const table = readTable(s.file, this.opened.facts.featureNames);
      const values = table.rows[s.row]!;
      const names = this.opened.facts.featureNames ?? table.columns;
      const file = join(this.dir, `${id}.json`);
      writeFileSync(file, JSON.stringify(names ? [Object.fromEntries(names.map((n, k) => [n, values[k]]))] : [values]));
      return file;
    }
    if ('row' in spec) {
      const names = this.opened.facts.featureNames;
      if (!names) throw new HttpError(400, 'this model does not name its features (metadata nnlens.feature_names); send a sample or a picture');
      const row: Record<string, number> = {};
      for (const n of names) {
        const v = spec.row[n];
        if (typeof v !== 'number' || !Number.isFinite(v)) throw new HttpError(400, `row: feature '${n}' must be a finite number`);
        row[n] = v;
      }
      const file = join(this.dir, `${id}.json`);
      writeFileSync(file, JSON.stringify([row]));
      return file;
    }
    const ext = pictureExt(spec.image);
    if (!ext) throw new HttpError(415, 'the upload is not a PNG, JPEG, GIF, WebP or BMP picture');
    const file = join(this.dir, `${id}${ext}`);
    writeFileSync(file, spec.image);
    return file;
  }
}
