/**
 * The minimap: the whole laid-out view in miniature (boxes in their category colours) with the
 * visible window as a rectangle; click or drag in it to move there. Drawn on a canvas, redrawn on
 * every pan or zoom (a few hundred rectangles: well under a millisecond).
 */
import { useEffect, useRef } from 'react';
import type { Transform } from './GraphView.tsx';
import type { GraphViewModel } from '../../../../src/server/graph-view.ts';

const W = 170, H = 120, PAD = 6;

/** Props of {@link Minimap}. */
export interface MinimapProps {
  view: GraphViewModel;
  transform: Transform;
  /** Changes on every pan/zoom, so the minimap redraws. */
  tick: number;
  viewport(): { w: number; h: number };
  /** Moves the main view to translation (x, y). */
  onMove(x: number, y: number): void;
}

export function Minimap({ view, transform, tick, viewport, onMove }: MinimapProps) {
  const canvas = useRef<HTMLCanvasElement>(null);
  const d = view.diagram;
  const s = Math.min((W - 2 * PAD) / Math.max(1, d.width), (H - 2 * PAD) / Math.max(1, d.height));
  const ox = (W - d.width * s) / 2, oy = (H - d.height * s) / 2;

  useEffect(() => {
    const c = canvas.current;
    const ctx = c?.getContext('2d');
    if (!c || !ctx) return;
    const dpr = window.devicePixelRatio || 1;
    if (c.width !== W * dpr) { c.width = W * dpr; c.height = H * dpr; }
    ctx.setTransform(dpr, 0, 0, dpr, 0, 0);
    ctx.clearRect(0, 0, W, H);
    for (const b of d.boxes.values()) {
      ctx.fillStyle = b.style.stroke;
      ctx.fillRect(ox + b.x * s, oy + b.y * s, Math.max(1, b.width * s), Math.max(1, b.height * s));
    }
    const { w, h } = viewport();
    const { x, y, k } = transform;
    ctx.strokeStyle = '#0969da';
    ctx.lineWidth = 1.5;
    ctx.fillStyle = 'rgba(9,105,218,0.08)';
    const rx = ox + (-x / k) * s, ry = oy + (-y / k) * s, rw = (w / k) * s, rh = (h / k) * s;
    ctx.fillRect(rx, ry, rw, rh);
    ctx.strokeRect(rx, ry, rw, rh);
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [view, tick]);

  const moveTo = (e: React.PointerEvent<HTMLCanvasElement>) => {
    const r = e.currentTarget.getBoundingClientRect();
    const wx = (e.clientX - r.left - ox) / s, wy = (e.clientY - r.top - oy) / s;
    const { w, h } = viewport();
    onMove(w / 2 - wx * transform.k, h / 2 - wy * transform.k);
  };

  return (
    <canvas className="minimap" ref={canvas} style={{ width: W, height: H }} data-testid="minimap"
      onPointerDown={(e) => { e.stopPropagation(); e.currentTarget.setPointerCapture(e.pointerId); moveTo(e); }}
      onPointerMove={(e) => { if (e.buttons & 1) moveTo(e); }} />
  );
}
