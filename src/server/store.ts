/**
 * The models a server has opened, by id, each with its inputs and a cache of recent explanations
 * (so that changing only the colormap or the opacity redraws without recomputing). Models come
 * from paths given on the command line or from uploads; the page can only name them by id.
 */
import { mkdirSync, readdirSync } from 'node:fs';
import { basename, join } from 'node:path';
import { openModel } from '../formats/registry.ts';
import type { GraphJson, ModelEntry } from './api-types.ts';
import { openingLayout } from './graph-layout.ts';
import { graphJson } from './graph-json.ts';
import type { Explanation } from './explain.ts';
import { HttpError } from './http.ts';
import { InputStore } from './inputs.ts';
import { displayName, OpenedModel } from './opened.ts';

/** Explanations kept per model. */
export const EXPLANATIONS_KEPT = 24;

/** A model with what the page created for it. */
export interface Slot {
  opened: OpenedModel;
  inputs: InputStore;
  explanations: Map<string, Explanation>;
  /** The graph JSON without a layout, at once. */
  graph: GraphJson;
  /** The graph JSON with the opening view laid out (started when the model opens). */
  laidOut: Promise<Buffer>;
}

/** The opened models. */
export class ModelStore {
  private readonly slots = new Map<string, Slot>();
  private counter = 0;

  /** @param tmp the server's temporary folder (inputs are written under it) */
  constructor(private readonly tmp: string) {}

  /**
   * Opens a model file or folder and returns its slot.
   * @throws NnlensError naming the file when it cannot be opened
   */
  async open(path: string): Promise<Slot> {
    const model = await openModel(path);
    const id = `m${++this.counter}`;
    // Every file in an upload folder belongs to the model; for command-line paths, only the model file.
    const upload = path.startsWith(this.tmp);
    const files = upload ? readdirSync(path).map((n) => join(path, n)) : [model.path];
    // Names are what links use: an uploaded model is named by its file, and no two models share a name.
    const base = upload ? basename(model.path) : displayName(model.path);
    const taken = new Set(this.list().map((m) => m.name));
    let name = base;
    for (let k = 2; taken.has(name); k++) name = `${base} (${k})`;
    const opened = new OpenedModel(id, model, files, name);
    const dir = join(this.tmp, 'inputs', id);
    mkdirSync(dir, { recursive: true });
    const graph = graphJson(model, name);
    const laidOut = openingLayout(graph).then((layout) => ({ ...graph, layout }), () => graph).then((g) => Buffer.from(JSON.stringify(g)));
    const slot: Slot = { opened, inputs: new InputStore(opened, dir), explanations: new Map(), graph, laidOut };
    this.slots.set(id, slot);
    return slot;
  }

  /** Every model, in opening order. */
  list(): ModelEntry[] {
    return [...this.slots.values()].map((s) => s.opened.entry);
  }

  /**
   * A model by id.
   * @throws HttpError 404 for unknown ids
   */
  get(id: string): Slot {
    const s = this.slots.get(id);
    if (!s) throw new HttpError(404, `no model '${id}'`);
    return s;
  }

  /** Keeps an explanation (least recently used ones are dropped). */
  remember(slot: Slot, key: string, e: Explanation): void {
    slot.explanations.delete(key);
    slot.explanations.set(key, e);
    while (slot.explanations.size > EXPLANATIONS_KEPT) slot.explanations.delete(slot.explanations.keys().next().value!);
  }

  /** Releases every model's engines. */
  async dispose(): Promise<void> {
    for (const s of this.slots.values()) await s.opened.dispose();
    this.slots.clear();
  }
}
