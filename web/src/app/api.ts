/**
 * The page's client of the server API (docs/api.md). Every call can be aborted: a newer request
 * for the same view (another class, another layer) cancels the older one, and the server skips
 * queued work whose request was abandoned.
 */
import type {
  ActivationsJson, ExplainJson, GraphJson, HistogramJson, InputInfo, ModelEntry, ModelInfo, NodeJson, RunJson, TrainingJson,
} from '../../../src/server/api-types.ts';

/** An explanation as the page receives it (with the overlay picture for image inputs). */
export type Explained = ExplainJson & { overlay?: string };

async function answer<T>(r: Response): Promise<T> {
  const text = await r.text();
  let body: unknown;
  try { body = JSON.parse(text); } catch { throw new Error(`${r.status} ${r.statusText}: ${text.slice(0, 200)}`); }
  if (!r.ok) throw new Error((body as { error?: string }).error ?? `${r.status} ${r.statusText}`);
  return body as T;
}

function get<T>(path: string, signal?: AbortSignal): Promise<T> {
  return fetch(path, { signal }).then((r) => answer<T>(r));
}

function post<T>(path: string, body: BodyInit, type: string, signal?: AbortSignal): Promise<T> {
  return fetch(path, { method: 'POST', body, headers: { 'content-type': type }, signal }).then((r) => answer<T>(r));
}

const q = encodeURIComponent;

/** Query string of the defined entries. */
function query(o: Record<string, string | number | undefined | null>): string {
  return Object.entries(o).filter(([, v]) => v !== undefined && v !== null && v !== '').map(([k, v]) => `${k}=${q(String(v))}`).join('&');
}

export const api = {
  models: (s?: AbortSignal) => get<ModelEntry[]>('/api/models', s),
  model: (id: string, s?: AbortSignal) => get<ModelInfo>(`/api/models/${id}`, s),
  graph: (id: string, s?: AbortSignal) => get<GraphJson>(`/api/models/${id}/graph`, s),
  node: (id: string, name: string, s?: AbortSignal) => get<NodeJson>(`/api/models/${id}/node?name=${q(name)}`, s),
  histogram: (id: string, name: string, s?: AbortSignal) => get<HistogramJson>(`/api/models/${id}/weight?${query({ name, view: 'histogram', format: 'json' })}`, s),
  weightUrl: (id: string, name: string, view: string, format: 'svg' | 'png' = 'svg') => `/api/models/${id}/weight?${query({ name, view, format })}`,
  inputFromSample: (id: string, sample: string, s?: AbortSignal) => post<InputInfo>(`/api/models/${id}/inputs`, JSON.stringify({ sample }), 'application/json', s),
  inputFromRow: (id: string, row: Record<string, number>, s?: AbortSignal) => post<InputInfo>(`/api/models/${id}/inputs`, JSON.stringify({ row }), 'application/json', s),
  inputFromPicture: (id: string, picture: Blob, source: 'upload' | 'drawing', s?: AbortSignal) => post<InputInfo>(`/api/models/${id}/inputs?source=${source}`, picture, picture.type || 'image/png', s),
  run: (id: string, input: string, s?: AbortSignal) => get<RunJson>(`/api/models/${id}/run?input=${q(input)}`, s),
  activations: (id: string, input: string, layer: string, s?: AbortSignal) => get<ActivationsJson>(`/api/models/${id}/activations?${query({ input, layer })}`, s),
  activationsUrl: (id: string, input: string, layer: string, format: 'svg' | 'png' = 'svg') => `/api/models/${id}/activations?${query({ input, layer, format })}`,
  explain: (id: string, p: { input: string; method: string; target?: number | null; contrast?: number | null; layer?: string | null; colormap: string; alpha: number }, s?: AbortSignal) =>
    get<Explained>(`/api/models/${id}/explain?${query(p)}`, s),
  training: (id: string, s?: AbortSignal) => get<TrainingJson>(`/api/models/${id}/training`, s),
  /** Uploads files as one model (Keras .json + .h5, TF.js model.json + shards) and opens it. */
  async upload(files: File[]): Promise<ModelEntry> {
    const { id } = await post<{ id: string }>('/api/uploads', '{}', 'application/json');
    for (const f of files) {
      const r = await fetch(`/api/uploads/${id}/files/${q(f.name)}`, { method: 'PUT', body: f, headers: { 'content-type': 'application/octet-stream' } });
      await answer(r);
    }
    return post<ModelEntry>(`/api/uploads/${id}/open`, '{}', 'application/json');
  },
};
