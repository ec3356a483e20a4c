/**
 * The HTTP API (docs/api.md): one table of routes, each a small handler over the library. Model
 * computations go through the server's job queue; everything else answers at once.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { readFileSync } from 'node:fs';
import { extname } from 'node:path';
import { runInputs } from '../cli/input-options.ts';
import { labelsFor, modelFacts } from '../cli/input-options.ts';
import { readOutput } from '../inspect/outputs.ts';
import { svgToPng } from '../render/png.ts';
import { activationSvg, activationsJson, captureActivation, type Captured } from './activations.ts';
import type { ExplainJson, OutputJson, RunJson } from './api-types.ts';
import { explainInput, type ExplainRequest } from './explain.ts';
import { HttpError, parseJson, readBody, sendBytes, sendJson } from './http.ts';
import type { InputSpec, StoredInput } from './inputs.ts';
import { findWeight, nodeJson, weightHistogram, weightSvg } from './node-json.ts';
import { overlayPng, picturePng } from './overlay.ts';
import type { JobQueue } from './queue.ts';
import type { ModelStore, Slot } from './store.ts';
import { findTrainingLog, trainingSeries } from './training.ts';
import type { Uploads } from './uploads.ts';

/** What a handler gets. */
export interface Ctx {
  req: IncomingMessage;
  res: ServerResponse;
  url: URL;
  params: string[];
  store: ModelStore;
  uploads: Uploads;
  queue: JobQueue;
}

type Handler = (c: Ctx) => Promise<void> | void;

/** Largest JSON body (an input row) and picture (an uploaded or drawn input) accepted. */
export const JSON_LIMIT = 1 << 20, PICTURE_LIMIT = 32 << 20;

const runCache = new WeakMap<StoredInput, RunJson>();
const activationCache = new WeakMap<StoredInput, Map<string, Captured>>();

/** A required query parameter. */
function param(c: Ctx, name: string): string {
  const v = c.url.searchParams.get(name);
  if (v === null || v === '') throw new HttpError(400, `query parameter '${name}' is required`);
  return v;
}

/** An optional whole-number query parameter. */
function intParam(c: Ctx, name: string): number | undefined {
  const v = c.url.searchParams.get(name);
  if (v === null || v === '') return undefined;
  const n = Number(v);
  if (!Number.isInteger(n)) throw new HttpError(400, `query parameter '${name}' must be a whole number, got '${v}'`);
  return n;
}

/** The output format asked for, among `allowed` (the first is the default). */
function format<T extends string>(c: Ctx, allowed: readonly T[]): T {
  const f = (c.url.searchParams.get('format') ?? allowed[0]!) as T;
  if (!allowed.includes(f)) throw new HttpError(400, `format must be one of ${allowed.join(', ')}, got '${f}'`);
  return f;
}

/** Sends SVG text as SVG or PNG. */
function sendPicture(c: Ctx, svg: string, as: 'svg' | 'png'): void {
  if (as === 'svg') sendBytes(c.req, c.res, 200, 'image/svg+xml', Buffer.from(svg), true);
  else sendBytes(c.req, c.res, 200, 'image/png', svgToPng(svg, { scale: 1.5 }));
}

/** Runs a job on the queue, skipped if the client has gone away meanwhile. */
function job<T>(c: Ctx, fn: () => Promise<T>): Promise<T> {
  // Not `req.destroyed`: a request whose body has been read is destroyed too; a closed socket means the client left.
  return c.queue.run(fn, () => c.res.destroyed || !!c.req.socket?.destroyed);
}

async function runOf(c: Ctx, slot: Slot, stored: StoredInput): Promise<RunJson> {
  const cached = runCache.get(stored);
  if (cached) return cached;
  const top = 10;
  const json = await job(c, async () => {
    const t0 = performance.now();
    const engine = await slot.opened.engine('main');
    const res = await runInputs(engine, stored.loaded);
    const names = engine.exec.graph.outputs.filter((o) => res.outputs[o]);
    const primary = names.find((o) => res.outputs[o]!.shape.length === 2 && res.outputs[o]!.dtype.startsWith('float')) ?? names[0];
    const labels = labelsFor(engine, undefined);
    const facts = modelFacts(engine);
    const attention = slot.opened.info().attentionOutput;
    const outputs: OutputJson[] = names.map((name) => {
      // Attention weights are values per feature, not classes (the explanation shows them by feature).
      const r = readOutput(res.outputs[name]!, { name, facts: name === attention ? { preprocess: {}, task: 'regression' } : facts, labels: name === primary ? labels : undefined, graph: engine.exec.graph, top, modelFile: engine.model.path });
      if (name === attention && r.kind === 'values') r.reason = 'attention weights over the input features (shown by feature with the explanation)';
      return r.kind === 'classification' ? { ...r, top: r.top[0] ?? [] } : { ...r, values: r.values[0] ?? [] };
    });
    return { input: stored.info.id, outputs, ms: performance.now() - t0 };
  });
  runCache.set(stored, json);
  return json;
}

const getModels: Handler = (c) => sendJson(c.req, c.res, 200, c.store.list());

const getModel: Handler = (c) => sendJson(c.req, c.res, 200, c.store.get(c.params[0]!).opened.info());

/** Longest wait for the server's layout of the opening view before sending the graph without it. */
const LAYOUT_WAIT_MS = 4000;

const getGraph: Handler = async (c) => {
  const slot = c.store.get(c.params[0]!);
  const body = await Promise.race([slot.laidOut, new Promise<undefined>((ok) => { (setTimeout(ok, LAYOUT_WAIT_MS) as unknown as NodeJS.Timeout).unref(); })]);
  sendBytes(c.req, c.res, 200, 'application/json; charset=utf-8', body ?? Buffer.from(JSON.stringify(slot.graph)), true);
};

const getNode: Handler = (c) => sendJson(c.req, c.res, 200, nodeJson(c.store.get(c.params[0]!).opened.model, param(c, 'name')));

const getWeight: Handler = (c) => {
  const model = c.store.get(c.params[0]!).opened.model;
  const w = findWeight(model, param(c, 'name'));
  const view = c.url.searchParams.get('view') ?? 'histogram';
  const f = format(c, ['svg', 'png', 'json'] as const);
  if (f === 'json') {
    if (view !== 'histogram') throw new HttpError(400, 'format=json is for view=histogram');
    return sendJson(c.req, c.res, 200, weightHistogram(w, intParam(c, 'bins') ?? 60));
  }
  sendPicture(c, weightSvg(w, view), f);
};

const getSample: Handler = (c) => {
  const slot = c.store.get(c.params[0]!);
  const id = param(c, 'id');
  const s = slot.opened.samples.find((x) => x.id === id);
  if (!s || s.kind !== 'image') throw new HttpError(404, `no picture sample '${id}'`);
  const ext = extname(s.file).toLowerCase();
  const type = ext === '.png' ? 'image/png' : ext === '.jpg' || ext === '.jpeg' ? 'image/jpeg' : ext === '.webp' ? 'image/webp' : ext === '.gif' ? 'image/gif' : 'application/octet-stream';
  sendBytes(c.req, c.res, 200, type, readFileSync(s.file));
};

const postInput: Handler = async (c) => {
  const slot = c.store.get(c.params[0]!);
  const type = String(c.req.headers['content-type'] ?? '').split(';')[0]!.trim().toLowerCase();
  let spec: InputSpec;
  if (type === 'application/json') {
    const body = parseJson(await readBody(c.req, JSON_LIMIT)) as { sample?: unknown; row?: unknown };
    if (typeof body?.sample === 'string') spec = { sample: body.sample };
    else if (body?.row && typeof body.row === 'object') spec = { row: body.row as Record<string, number> };
    else throw new HttpError(400, 'send { "sample": id } or { "row": { feature: value, ... } }, or a picture');
  } else if (type.startsWith('image/')) {
    const source = c.url.searchParams.get('source') === 'drawing' ? 'drawing' : 'upload';
    spec = { image: await readBody(c.req, PICTURE_LIMIT), source };
  } else throw new HttpError(415, `unsupported content type '${type || '(none)'}': send application/json or a picture (image/png, image/jpeg...)`);
  const stored = await job(c, async () => slot.inputs.create(await slot.opened.engine('main'), spec));
  sendJson(c.req, c.res, 201, stored.info);
};

const getInput: Handler = (c) => sendJson(c.req, c.res, 200, c.store.get(c.params[0]!).inputs.get(c.params[1]!).info);

const getInputPicture: Handler = (c) => {
  const stored = c.store.get(c.params[0]!).inputs.get(c.params[1]!);
  const pic = stored.picture;
  if (!pic) throw new HttpError(404, `input ${c.params[1]} is not a picture`);
  const zoom = Math.min(16, Math.max(1, intParam(c, 'zoom') ?? 1));
  sendBytes(c.req, c.res, 200, 'image/png', picturePng(pic, zoom));
};

const getRun: Handler = async (c) => {
  const slot = c.store.get(c.params[0]!);
  sendJson(c.req, c.res, 200, await runOf(c, slot, slot.inputs.get(param(c, 'input'))));
};

const getActivations: Handler = async (c) => {
  const slot = c.store.get(c.params[0]!);
  const stored = slot.inputs.get(param(c, 'input'));
  const layer = param(c, 'layer');
  const f = format(c, ['json', 'svg', 'png'] as const);
  // The page asks for the numbers and then the picture: one run serves both.
  let kept = activationCache.get(stored);
  if (!kept) { kept = new Map(); activationCache.set(stored, kept); }
  let captured = kept.get(layer);
  if (!captured) {
    captured = await job(c, async () => captureActivation(await slot.opened.engine(`layer:${layer}`), stored.loaded, layer));
    kept.set(layer, captured);
    while (kept.size > 4) kept.delete(kept.keys().next().value!);
  }
  if (f === 'json') return sendJson(c.req, c.res, 200, activationsJson(captured));
  sendPicture(c, activationSvg(captured), f);
};

const getExplain: Handler = async (c) => {
  const slot = c.store.get(c.params[0]!);
  const stored = slot.inputs.get(param(c, 'input'));
  const req: ExplainRequest = { method: param(c, 'method') };
  const target = intParam(c, 'target'), contrast = intParam(c, 'contrast'), layer = c.url.searchParams.get('layer');
  if (target !== undefined) req.target = target;
  if (contrast !== undefined) req.contrast = contrast;
  if (layer) req.layer = layer;
  const f = format(c, ['json', 'png'] as const);
  const cmap = c.url.searchParams.get('colormap') ?? 'jet';
  const alphaText = c.url.searchParams.get('alpha');
  const alpha = alphaText === null || alphaText === '' ? 0.5 : Number(alphaText);
  const key = JSON.stringify([stored.info.id, req.method, req.target ?? null, req.contrast ?? null, req.layer ?? null]);
  let e = slot.explanations.get(key);
  const cached = !!e;
  if (!e) {
    e = await job(c, () => explainInput(slot.opened, stored, req));
    c.store.remember(slot, key, e);
  }
  const png = e.heat && e.picture ? await overlayPng(e.heat, e.picture, cmap, alpha, e.grayscale) : undefined;
  if (f === 'png') {
    if (!png) throw new HttpError(400, 'this explanation is a list of feature attributions: ask for format=json');
    return sendBytes(c.req, c.res, 200, 'image/png', png);
  }
  const body: ExplainJson & { overlay?: string } = { ...e.json, ms: e.ms, cached };
  if (png) body.overlay = `data:image/png;base64,${Buffer.from(png).toString('base64')}`;
  sendJson(c.req, c.res, 200, body);
};

const getTraining: Handler = (c) => {
  const opened = c.store.get(c.params[0]!).opened;
  const log = findTrainingLog(opened.model, opened.facts);
  if (!log) throw new HttpError(404, `${opened.entry.name} has no training log (metadata nnlens.training_log, or an event file beside it)`);
  sendJson(c.req, c.res, 200, trainingSeries(log));
};

const postUpload: Handler = (c) => sendJson(c.req, c.res, 201, { id: c.uploads.create() });

const putUploadFile: Handler = async (c) => {
  const bytes = await c.uploads.receive(c.params[0]!, decodeURIComponent(c.params[1]!), c.req);
  sendJson(c.req, c.res, 201, { name: decodeURIComponent(c.params[1]!), bytes });
};

const postUploadOpen: Handler = async (c) => {
  const dir = c.uploads.seal(c.params[0]!);
  try {
    const slot = await c.store.open(dir);
    sendJson(c.req, c.res, 201, slot.opened.entry);
  } catch (e) {
    c.uploads.discard(c.params[0]!);
    throw e;
  }
};

/** The routes: method, path pattern (`:x` segments become params), handler. */
const ROUTES: [string, string, Handler][] = [
  ['GET', '/api/models', getModels],
  ['GET', '/api/models/:id', getModel],
  ['GET', '/api/models/:id/graph', getGraph],
  ['GET', '/api/models/:id/node', getNode],
  ['GET', '/api/models/:id/weight', getWeight],
  ['GET', '/api/models/:id/sample', getSample],
  ['POST', '/api/models/:id/inputs', postInput],
  ['GET', '/api/models/:id/inputs/:input', getInput],
  ['GET', '/api/models/:id/inputs/:input/picture.png', getInputPicture],
  ['GET', '/api/models/:id/run', getRun],
  ['GET', '/api/models/:id/activations', getActivations],
  ['GET', '/api/models/:id/explain', getExplain],
  ['GET', '/api/models/:id/training', getTraining],
  ['POST', '/api/uploads', postUpload],
  ['PUT', '/api/uploads/:id/files/:name', putUploadFile],
  ['POST', '/api/uploads/:id/open', postUploadOpen],
];

const COMPILED = ROUTES.map(([method, pattern, handler]) => ({
  method,
  re: new RegExp(`^${pattern.replace(/:[a-z]+/g, '([^/]+)')}$`),
  handler,
}));

/**
 * Dispatches an API request to its handler.
 * @throws HttpError 404 for unknown paths, 405 for a known path with another method
 */
export async function handleApi(c: Omit<Ctx, 'params'>): Promise<void> {
  const path = c.url.pathname;
  const method = c.req.method === 'HEAD' ? 'GET' : c.req.method;
  let known = false;
  for (const r of COMPILED) {
    const m = r.re.exec(path);
    if (!m) continue;
    known = true;
    if (r.method !== method) continue;
    await r.handler({ ...c, params: m.slice(1) });
    return;
  }
  if (known) throw new HttpError(405, `${c.req.method} is not allowed on ${path}`);
  throw new HttpError(404, `no API route ${path}`);
}
