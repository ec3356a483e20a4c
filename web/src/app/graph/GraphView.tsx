/**
 * The graph panel: lays out the expanded view in the layout worker, draws it, and handles pan
 * (drag), zoom (wheel, buttons), fit, a minimap, clicks (select a node; open a group; close a
 * group by its label) and centering on a searched node. Pan and zoom write the transform
 * directly to the DOM, so they never re-render the drawing.
 */
import { forwardRef, useCallback, useEffect, useImperativeHandle, useLayoutEffect, useMemo, useRef, useState } from 'react';
import { diagramSvg } from '../../../../src/render/diagram-svg.ts';
import { isDiagramContainer, type DiagramContainer } from '../../../../src/render/diagram-model.ts';
import { GraphSvg } from './GraphSvg.tsx';
import { layoutInWorker, warmUpLayout } from './layout.ts';
import { Minimap } from './Minimap.tsx';
import { applyLayout, buildView, sameExpansion, type BoxRef, type GraphIndex, type GraphViewModel } from '../../../../src/server/graph-view.ts';

/** Pan and zoom: screen = world * k + (x, y). */
export interface Transform { x: number; y: number; k: number }

/** What the page can ask of the graph panel. */
export interface GraphHandle {
  fit(): void;
  zoom(factor: number): void;
  /** Centers a box (keeping the zoom readable). */
  center(boxId: string): void;
  /** The current view as a standalone SVG (title, legend), as `nnlens diagram` draws it. */
  svg(): string | undefined;
}

/** Props of {@link GraphView}. */
export interface GraphViewProps {
  ix: GraphIndex;
  expanded: ReadonlySet<number>;
  /** Box id to keep in place across the coming layout (the group being opened or closed). */
  anchor?: { from: string; to: string };
  selected?: string;
  matches: ReadonlySet<string>;
  onSelect(ref: BoxRef, boxId: string): void;
  onToggleGroup(group: number, open: boolean, boxId: string): void;
  /** Called after each layout with the view and the layout time. */
  onLaidOut?(view: GraphViewModel, ms: number): void;
}

const MIN_K = 0.04, MAX_K = 3;
let warmed = false;
/** Smallest zoom at which box text stays readable when a graph first opens. */
const READABLE = 0.75;

function findBox(view: GraphViewModel, id: string): { x: number; y: number; width: number; height: number } | undefined {
  const b = view.diagram.boxes.get(id);
  if (b) return b;
  const walk = (c: DiagramContainer): DiagramContainer | undefined => {
    for (const ch of c.children) if (isDiagramContainer(ch)) { if (ch.id === id) return ch; const r = walk(ch); if (r) return r; }
    return undefined;
  };
  return walk(view.diagram.root);
}

export const GraphView = forwardRef<GraphHandle, GraphViewProps>(function GraphView(p, ref) {
  const { ix, expanded } = p;
  const host = useRef<HTMLDivElement>(null);
  const layer = useRef<SVGGElement>(null);
  const t = useRef<Transform>({ x: 0, y: 0, k: 1 });
  const [laid, setLaid] = useState<GraphViewModel>();
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string>();
  const [tick, setTick] = useState(0);
  const fitted = useRef<GraphIndex['g'] | undefined>(undefined);
  const pendingAnchor = useRef<{ to: string; sx: number; sy: number } | undefined>(undefined);

  const apply = useCallback(() => {
    const { x, y, k } = t.current;
    layer.current?.setAttribute('transform', `translate(${x},${y}) scale(${k})`);
    setTick((n) => n + 1);
  }, []);

  const size = () => { const r = host.current?.getBoundingClientRect(); return { w: r?.width ?? 800, h: r?.height ?? 600 }; };

  const fit = useCallback((view = laid, whole = false) => {
    if (!view) return;
    const { w, h } = size();
    const d = view.diagram, pad = 24;
    const fitW = (w - 2 * pad) / Math.max(1, d.width), fitH = (h - 2 * pad) / Math.max(1, d.height);
    let k = Math.max(MIN_K, Math.min(1.1, fitW, fitH));
    // A long graph fitted whole is unreadable: show its top at a readable zoom (the minimap shows the rest).
    if (k < READABLE && !whole) k = Math.max(MIN_K, Math.min(READABLE, fitW));
    t.current = { k, x: (w - d.width * k) / 2, y: Math.max(pad, (h - d.height * k) / 2) };
    apply();
  }, [laid, apply]);

  // Lay out the expanded view; the previous drawing stays until the new one is ready.
  const view = useMemo(() => buildView(ix, expanded), [ix, expanded]);
  useEffect(() => {
    let live = true;
    setBusy(true);
    const t0 = performance.now();
    if (p.anchor && laid) {
      const old = findBox(laid, p.anchor.from);
      if (old) pendingAnchor.current = { to: p.anchor.to, sx: old.x * t.current.k + t.current.x, sy: old.y * t.current.k + t.current.y };
    }
    // The opening view comes laid out by the server (src/server/graph-layout.ts).
    const pre = view.g.layout;
    const done = pre && sameExpansion(expanded, pre.expanded) && applyLayout(view.diagram, pre) ? Promise.resolve(view.diagram) : layoutInWorker(view.diagram);
    done.then(() => {
      if (!live) return;
      setError(undefined);
      setLaid(view);
      setBusy(false);
      p.onLaidOut?.(view, performance.now() - t0);
    }, (e: Error) => { if (live) { setError(e.message); setBusy(false); } });
    return () => { live = false; };
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [view]);

  // After a layout: fit a newly opened model, or keep the opened/closed group where it was.
  useLayoutEffect(() => {
    if (!laid) return;
    // For benchmarks: when a view is drawn and takes clicks (bench/web.ts reads these marks).
    performance.mark('nnlens-graph-ready', { detail: { boxes: laid.diagram.boxes.size } });
    if (fitted.current !== laid.g) {
      fitted.current = laid.g;
      pendingAnchor.current = undefined;
      fit(laid);
      // Get ELK loaded and compiled for the first group the user opens, once the page is idle.
      if (!warmed) { warmed = true; setTimeout(warmUpLayout, 300); }
      return;
    }
    const a = pendingAnchor.current;
    pendingAnchor.current = undefined;
    const nb = a && findBox(laid, a.to);
    if (a && nb) {
      t.current = { ...t.current, x: a.sx - nb.x * t.current.k, y: a.sy - nb.y * t.current.k };
      apply();
    }
  }, [laid, fit, apply]);

  const zoomAt = useCallback((factor: number, cx: number, cy: number) => {
    const { x, y, k } = t.current;
    const nk = Math.min(MAX_K, Math.max(MIN_K, k * factor));
    t.current = { k: nk, x: cx - ((cx - x) * nk) / k, y: cy - ((cy - y) * nk) / k };
    apply();
  }, [apply]);

  useImperativeHandle(ref, () => ({
    fit: () => fit(laid, true),
    zoom: (f) => { const { w, h } = size(); zoomAt(f, w / 2, h / 2); },
    center: (id) => {
      if (!laid) return;
      const b = findBox(laid, id);
      if (!b) return;
      const { w, h } = size();
      const k = Math.max(t.current.k, 0.8);
      t.current = { k, x: w / 2 - (b.x + b.width / 2) * k, y: h / 2 - (b.y + b.height / 2) * k };
      apply();
    },
    svg: () => (laid ? diagramSvg(laid.diagram) : undefined),
  }), [fit, zoomAt, laid, apply]);

  // Wheel zoom needs a non-passive listener to keep the page from scrolling.
  useEffect(() => {
    const el = host.current;
    if (!el) return;
    const onWheel = (e: WheelEvent) => {
      e.preventDefault();
      const r = el.getBoundingClientRect();
      const dy = e.deltaMode === 1 ? e.deltaY * 16 : e.deltaY;
      zoomAt(Math.exp(-dy * (e.ctrlKey ? 0.01 : 0.0015)), e.clientX - r.left, e.clientY - r.top);
    };
    el.addEventListener('wheel', onWheel, { passive: false });
    return () => el.removeEventListener('wheel', onWheel);
  }, [zoomAt]);

  const drag = useRef<{ x: number; y: number; tx: number; ty: number; moved: boolean } | undefined>(undefined);
  const onPointerDown = (e: React.PointerEvent) => {
    if (e.button !== 0) return;
    drag.current = { x: e.clientX, y: e.clientY, tx: t.current.x, ty: t.current.y, moved: false };
    (e.currentTarget as Element).setPointerCapture(e.pointerId);
  };
  const onPointerMove = (e: React.PointerEvent) => {
    const d = drag.current;
    if (!d) return;
    const dx = e.clientX - d.x, dy = e.clientY - d.y;
    if (!d.moved && Math.hypot(dx, dy) < 4) return;
    d.moved = true;
    host.current?.classList.add('panning');
    t.current = { ...t.current, x: d.tx + dx, y: d.ty + dy };
    apply();
  };
  const onPointerUp = (e: React.PointerEvent) => {
    const d = drag.current;
    drag.current = undefined;
    host.current?.classList.remove('panning');
    if (!d || d.moved || !laid) return;
    // A click, not a drag: what is under the pointer?
    const el = document.elementFromPoint(e.clientX, e.clientY);
    const label = el?.closest('.container-label') as SVGElement | null;
    if (label) {
      const k = Number(label.dataset.container!.slice(2));
      p.onToggleGroup(k, false, label.dataset.container!);
      return;
    }
    const box = el?.closest('[data-box]') as SVGElement | null;
    if (!box) return;
    const id = box.dataset.box!;
    const r = laid.refs.get(id);
    if (!r) return;
    p.onSelect(r, id);
    if (r.kind === 'group') p.onToggleGroup(r.group, true, id);
  };

  const nodeName = useCallback((id: string) => {
    const r = laid?.refs.get(id);
    return r?.kind === 'node' ? laid!.g.nodes[r.node]!.n : undefined;
  }, [laid]);

  const legend = useMemo(() => {
    if (!laid) return [];
    const used = new Set<string>();
    for (const b of laid.diagram.boxes.values()) { used.add(b.category); for (const [c] of b.mix ?? []) used.add(c); }
    return Object.entries(laid.categories).filter(([c]) => used.has(c) && c !== 'io');
  }, [laid]);

  return (
    <div className="graph" ref={host} onPointerDown={onPointerDown} onPointerMove={onPointerMove} onPointerUp={onPointerUp}
      data-testid="graph" data-ready={laid && !busy ? '1' : '0'} data-boxes={laid?.diagram.boxes.size ?? 0}>
      <svg className="graph-svg" width="100%" height="100%">
        <g ref={layer}>{laid && <GraphSvg view={laid} matches={p.matches} selected={p.selected} nodeName={nodeName} />}</g>
      </svg>
      {busy && <div className="graph-status">laying out {view.diagram.boxes.size} boxes{'\u2026'}</div>}
      {error && <div className="graph-status error">{error}</div>}
      <div className="graph-tools" onPointerDown={(e) => e.stopPropagation()}>
        <button title="Zoom in" onClick={() => { const { w, h } = size(); zoomAt(1.3, w / 2, h / 2); }}>+</button>
        <button title="Zoom out" onClick={() => { const { w, h } = size(); zoomAt(1 / 1.3, w / 2, h / 2); }}>{'\u2212'}</button>
        <button title="Fit the graph to the window" data-testid="fit" onClick={() => fit(laid, true)}>Fit</button>
      </div>
      <div className="legend" onPointerDown={(e) => e.stopPropagation()}>
        {legend.map(([c, s]) => <span key={c}><i style={{ background: s.fill, borderColor: s.stroke }} />{s.label}</span>)}
      </div>
      {laid && <Minimap view={laid} transform={t.current} tick={tick} viewport={size} onMove={(x, y) => { t.current = { ...t.current, x, y }; apply(); }} />}
    </div>
  );
});
