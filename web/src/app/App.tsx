/**
 * The nnlens app: every view linked by the selected node and the current input. The URL hash
 * holds the state (state.ts); the server computes (api.ts); this component only wires them:
 * model -> graph, selection -> inspector, activations and CAM layer; input -> prediction,
 * activations and explanation.
 */
import { useCallback, useEffect, useMemo, useRef, useState } from 'react';
import type { InputInfo, ModelEntry } from '../../../src/server/api-types.ts';
import { ActivationsPanel } from './ActivationsPanel.tsx';
import { api, type Explained } from './api.ts';
import { ExplainPanel } from './ExplainPanel.tsx';
import { exportAs } from './export.ts';
import { GraphView, type GraphHandle } from './graph/GraphView.tsx';
import { boxOfGroup, boxOfNode, indexGraph, initialExpansion, revealNode, searchNodes, type BoxRef, type GraphIndex } from '../../../src/server/graph-view.ts';
import { useFetch } from './hooks.ts';
import { InputPanel } from './InputPanel.tsx';
import { NodePanel } from './NodePanel.tsx';
import { OutputPanel } from './OutputPanel.tsx';
import { Section } from './Section.tsx';
import { parseHash, toHash, type AppState } from './state.ts';
import { TopBar } from './TopBar.tsx';
import { TrainingPanel } from './TrainingPanel.tsx';

/** What is selected in the graph. */
export type Selection =
  | { kind: 'node'; name: string; index: number }
  | { kind: 'group'; group: number; path: string[]; nodes: number; params: number };

/** The selection named by `sel` (`NAME` or `group:PATH`) in a graph. */
function selectionOf(ix: GraphIndex | undefined, sel: string): Selection | undefined {
  if (!ix || !sel) return undefined;
  if (sel.startsWith('group:')) {
    const k = ix.byKey.get(sel.slice(6));
    if (k === undefined) return undefined;
    const mem = ix.members[k]!;
    return { kind: 'group', group: k, path: ix.g.groups[k]!.path, nodes: mem.length, params: mem.reduce((s, i) => s + ix.g.nodes[i]!.p, 0) };
  }
  const i = ix.byName.get(sel);
  return i === undefined ? undefined : { kind: 'node', name: sel, index: i };
}

/** Whether a shape text has rank 4 (`[1,64,56,56]`): a feature map CAM methods can use. */
function isFeatureMap(shape: string | undefined): boolean {
  return !!shape && shape.split(',').length === 4;
}

export function App() {
  const [state, setState] = useState<AppState>(() => parseHash(location.hash));
  const update = useCallback((p: Partial<AppState>) => setState((s) => ({ ...s, ...p })), []);
  useEffect(() => {
    const h = toHash(state);
    if (location.hash.replace(/^#/, '') !== h) history.replaceState(null, '', h ? `#${h}` : location.pathname + location.search);
  }, [state]);
  useEffect(() => {
    const on = () => setState(parseHash(location.hash));
    addEventListener('hashchange', on);
    return () => removeEventListener('hashchange', on);
  }, []);

  // Models.
  const [models, setModels] = useState<ModelEntry[]>();
  const [modelsError, setModelsError] = useState<string>();
  const [uploading, setUploading] = useState(false);
  const loadModels = useCallback(() => api.models().then(setModels, (e: Error) => setModelsError(e.message)), []);
  useEffect(() => { void loadModels(); }, [loadModels]);
  const entry = models?.find((m) => m.name === state.model) ?? models?.[0];
  const modelId = entry?.id;
  useEffect(() => { if (entry && entry.name !== state.model) update({ model: entry.name }); }, [entry, state.model, update]);
  const openFiles = useCallback((files: File[]) => {
    setUploading(true);
    api.upload(files).then(async (m) => {
      await loadModels();
      update({ model: m.name, sel: '', sample: '', target: -1, contrast: -1 });
      setModelsError(undefined);
    }, (e: Error) => setModelsError(e.message)).finally(() => setUploading(false));
  }, [loadModels, update]);

  const info = useFetch(modelId ?? null, (s) => api.model(modelId!, s));
  const graph = useFetch(modelId ? `${modelId}/graph` : null, (s) => api.graph(modelId!, s));
  const ix = useMemo(() => (graph.data ? indexGraph(graph.data) : undefined), [graph.data]);
  const modelInfo = info.data?.id === modelId ? info.data : undefined;

  // Graph: expansion, selection, search.
  // Expanded groups belong to one graph: a new graph starts from its initial expansion at once.
  const [exp, setExp] = useState<{ ix?: GraphIndex; set: ReadonlySet<number> }>({ set: new Set() });
  const sel = selectionOf(ix, state.sel);
  const expanded = useMemo(() => {
    if (!ix) return new Set<number>();
    if (exp.ix === ix) return exp.set;
    // The server's opening layout says which groups it opened (the same rule as initialExpansion).
    const e = ix.g.layout ? new Set(ix.g.layout.expanded) : initialExpansion(ix);
    return sel?.kind === 'node' ? revealNode(ix, e, sel.index) : e;
    // The selection only matters when the graph arrives.
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [ix, exp]);
  const setExpanded = useCallback((f: (e: ReadonlySet<number>) => ReadonlySet<number>) => setExp({ ix, set: f(expanded) }), [ix, expanded]);
  const [anchor, setAnchor] = useState<{ from: string; to: string }>();
  const graphRef = useRef<GraphHandle>(null);
  const selectedBox = ix && sel ? (sel.kind === 'node' ? boxOfNode(ix, expanded, sel.index) : boxOfGroup(ix, expanded, sel.group)) : undefined;
  const onSelect = useCallback((r: BoxRef) => {
    if (!ix) return;
    if (r.kind === 'node') update({ sel: ix.g.nodes[r.node]!.n });
    else if (r.kind === 'group') update({ sel: `group:${ix.groupKey[r.group]}` });
  }, [ix, update]);
  const onToggleGroup = useCallback((k: number, open: boolean, boxId: string) => {
    setAnchor(open ? { from: boxId, to: `c:${k}` } : { from: `c:${k}`, to: `g:${k}` });
    setExpanded((e) => {
      const next = new Set(e);
      if (open) next.add(k);
      else {
        // Closing a group closes the groups inside it too.
        const stack = [k];
        while (stack.length) { const x = stack.pop()!; next.delete(x); stack.push(...ix!.children[x]!); }
      }
      return next;
    });
  }, [ix, setExpanded]);
  const [query, setQuery] = useState('');
  const hits = useMemo(() => (ix ? searchNodes(ix, query, 40) : []), [ix, query]);
  const matches = useMemo(() => new Set(ix ? hits.map((i) => boxOfNode(ix, expanded, i)) : []), [ix, hits, expanded]);
  const [focus, setFocus] = useState<number>();
  const pickHit = (i: number) => {
    if (!ix) return;
    const next = revealNode(ix, expanded, i);
    if (next.size !== expanded.size) { setAnchor(undefined); setExpanded(() => next); }
    update({ sel: ix.g.nodes[i]!.n });
    setFocus(i);
  };

  // The graph last drawn (the input waits for the first drawing of a model's graph).
  const [drawn, setDrawn] = useState<unknown>();
  const graphDrawn = (!!graph.data && drawn === graph.data) || !!graph.error;

  // Input: a sample by id (kept in the URL), or an upload, drawing or edited row.
  const [input, setInput] = useState<InputInfo & { model: string }>();
  const [inputError, setInputError] = useState<string>();
  const [inputBusy, setInputBusy] = useState(false);
  const currentInput = input && input.model === modelId ? input : undefined;
  const makeInput = useCallback((p: Promise<InputInfo>) => {
    const id = modelId!;
    setInputBusy(true);
    p.then((i) => { setInput({ ...i, model: id }); setInputError(undefined); }, (e: Error) => setInputError(e.message)).finally(() => setInputBusy(false));
  }, [modelId]);
  useEffect(() => {
    // The graph is drawn first: on a 2-core machine the model's first run would slow its layout.
    if (!modelInfo || !modelInfo.runnable || !graphDrawn) return;
    const samples = modelInfo.samples;
    if (state.sample && samples.some((s) => s.id === state.sample)) { makeInput(api.inputFromSample(modelInfo.id, state.sample)); return; }
    if (currentInput) return;
    if (samples[0]) update({ sample: samples[0].id });
    else if (modelInfo.featureNames) makeInput(api.inputFromRow(modelInfo.id, Object.fromEntries(modelInfo.featureNames.map((n) => [n, 0]))));
    // Inputs follow the model and the sample only.
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [modelInfo, state.sample, graphDrawn]);

  // Prediction.
  const run = useFetch(currentInput && modelId ? `${modelId}/${currentInput.id}` : null, (s) => api.run(modelId!, currentInput!.id, s));
  const cls = run.data?.input === currentInput?.id ? run.data?.outputs.find((o) => o.kind === 'classification') : undefined;
  const classes = cls && cls.kind === 'classification' ? (cls.shape[1] === 1 ? 2 : cls.classes) : 0;
  const predicted = cls && cls.kind === 'classification' ? cls.top[0]?.index : undefined;

  // The layer of the selection: activations, and CAM methods when it is a feature map.
  const selectionLayer = sel ? (sel.kind === 'node' ? sel.name : sel.path.join('/')) : undefined;
  const selectionIsMap = !!ix && !!sel && (sel.kind === 'node'
    ? isFeatureMap(ix.g.shapes[ix.g.nodes[sel.index]!.o[0] ?? ''])
    : isFeatureMap(ix.g.shapes[ix.g.nodes[ix.members[sel.group]!.at(-1)!]!.o[0] ?? '']));
  const camLayer = selectionIsMap ? selectionLayer : modelInfo?.camLayer;

  // Explanation: fall back to an available method for this model.
  const method = modelInfo?.methods.find((m) => m.name === state.method);
  useEffect(() => {
    if (!modelInfo || (method && !method.unavailable)) return;
    const first = modelInfo.methods.find((m) => !m.unavailable && (modelInfo.inputKind === 'image' ? m.name === 'gradcam' : m.name === 'ig')) ?? modelInfo.methods.find((m) => !m.unavailable);
    if (first) update({ method: first.name });
  }, [modelInfo, method, update]);
  const target = state.target >= 0 && state.target < classes ? state.target : undefined;
  const contrast = state.contrast >= 0 && state.contrast < classes && state.contrast !== (target ?? predicted) ? state.contrast : undefined;
  const explainParams = currentInput && method && !method.unavailable && classes > 0
    ? { input: currentInput.id, method: method.name, target, contrast, layer: method.space === 'layer' ? camLayer : undefined, colormap: state.cmap, alpha: state.alpha }
    : undefined;
  const explained = useFetch<Explained>(explainParams && modelId ? `${modelId}/${JSON.stringify(explainParams)}` : null, (s) => api.explain(modelId!, explainParams!, s));

  useEffect(() => { if (focus !== undefined && ix) graphRef.current?.center(boxOfNode(ix, expanded, focus)); }, [focus, expanded, ix]);

  const onDrop = (e: React.DragEvent) => {
    e.preventDefault();
    const files = [...e.dataTransfer.files];
    if (files.length) openFiles(files);
  };

  return (
    <div className="app" onDragOver={(e) => e.preventDefault()} onDrop={onDrop}>
      <TopBar models={models ?? []} current={entry} subtitle={graph.data?.subtitle} uploading={uploading}
        onModel={(name) => update({ model: name, sel: '', sample: '', target: -1, contrast: -1 })} onFiles={openFiles}
        query={query} onQuery={setQuery} hits={hits.map((i) => ({ index: i, name: ix!.g.nodes[i]!.n, op: ix!.g.nodes[i]!.op }))} onHit={pickHit} />
      {modelsError && <div className="banner error" role="alert">{modelsError}</div>}
      {models && models.length === 0 && (
        <div className="welcome">
          <h1>Open a model</h1>
          <p>Drop model files here, or use <b>Open model{'\u2026'}</b>: ONNX <code>.onnx</code>, Keras <code>.h5</code> / <code>.keras</code> / architecture <code>.json</code> with its weights <code>.h5</code>, TF.js <code>model.json</code> with its shards.</p>
        </div>
      )}
      {modelId && (
        <main className="main">
          <aside className="left">
            {modelInfo && !modelInfo.runnable && <Section title="Input"><p className="hint">This model can be inspected but not run: {modelInfo.whyNot}</p></Section>}
            {modelInfo && modelInfo.runnable && (
              <InputPanel info={modelInfo} input={currentInput} sample={state.sample} error={inputError} busy={inputBusy}
                onSample={(id) => update({ sample: id })}
                onPicture={(b, source) => { update({ sample: '' }); makeInput(api.inputFromPicture(modelId, b, source)); }}
                onRow={(row) => { update({ sample: '' }); makeInput(api.inputFromRow(modelId, row)); }} />
            )}
            {currentInput && <OutputPanel run={run} target={target ?? -1} onTarget={(k) => update({ target: k })} />}
            {modelInfo && <TrainingPanel model={modelId} has={modelInfo.training} />}
          </aside>
          <section className="center">
            {graph.error && <div className="banner error">{graph.error}</div>}
            {ix && (
              <GraphView ref={graphRef} ix={ix} expanded={expanded} anchor={anchor} selected={selectedBox} matches={matches}
                onSelect={onSelect} onToggleGroup={onToggleGroup} onLaidOut={(v, ms) => { setDrawn(v.g); performance.mark('nnlens-layout', { detail: { boxes: v.diagram.boxes.size, ms } }); }} />
            )}
            {!ix && !graph.error && <div className="graph-status">loading the graph{'\u2026'}</div>}
            {ix && (
              <div className="graph-export" title="Save the graph as drawn (expanded groups open), with a legend">
                {(['svg', 'png'] as const).map((f) => (
                  <button key={f} onClick={() => void exportAs({ kind: 'svg-text', text: () => graphRef.current?.svg() }, f, `${entry?.name ?? 'graph'}-graph`)}>{f.toUpperCase()}</button>
                ))}
              </div>
            )}
          </section>
          <aside className="right">
            <NodePanel model={modelId} sel={sel} colors={graph.data?.categories ?? {}} />
            {modelInfo?.runnable && <ActivationsPanel model={modelId} input={currentInput?.id} layer={selectionLayer} />}
            {modelInfo?.runnable && (
              <ExplainPanel info={modelInfo} state={state} update={update} selectionLayer={selectionIsMap ? selectionLayer : undefined} layer={camLayer}
                classes={classes} predicted={predicted} result={explained} />
            )}
          </aside>
        </main>
      )}
    </div>
  );
}
