/**
 * Canvas drawings other than heatmaps: data points, the loss curves and activation-function
 * plots. Canvases are sized to their CSS box times devicePixelRatio so lines stay sharp.
 */
import type { Activation } from '../../../src/playground/activations.ts';
import { DOMAIN } from '../../../src/playground/datasets.ts';
import type { SessionData } from '../../../src/playground/session.ts';
import { classCss, divergingCss } from './colors.ts';

/** Sizes the canvas backing store to its CSS size at the device pixel ratio and returns a context in CSS pixels. */
export function hiDpi(canvas: HTMLCanvasElement, w: number, h: number): CanvasRenderingContext2D {
  const dpr = globalThis.devicePixelRatio || 1;
  if (canvas.width !== Math.round(w * dpr) || canvas.height !== Math.round(h * dpr)) {
    canvas.width = Math.round(w * dpr);
    canvas.height = Math.round(h * dpr);
  }
  const ctx = canvas.getContext('2d')!;
  ctx.setTransform(dpr, 0, 0, dpr, 0, 0);
  ctx.clearRect(0, 0, w, h);
  return ctx;
}

/** Points of the mini-batch being shown in step-by-step mode. */
export interface Highlight {
  batch: number[];
  chosen: number;
}

/**
 * Draws the data over the output heatmap: training points with a white rim, test points with a
 * dark rim (TF Playground's convention); in step-by-step mode the mini-batch is ringed and the
 * chosen example marked.
 */
export function drawPoints(canvas: HTMLCanvasElement, data: SessionData, showTest: boolean, hl?: Highlight): void {
  const size = canvas.clientWidth || 300;
  const ctx = hiDpi(canvas, size, size);
  const sx = (x: number) => ((x + DOMAIN) / (2 * DOMAIN)) * size;
  const sy = (y: number) => ((DOMAIN - y) / (2 * DOMAIN)) * size;
  const fill = (label: number) => (data.task === 'regression' ? divergingCss(label) : classCss(label));
  const r = size > 250 ? 3.2 : 2.4;
  const dot = (p: { x1: number; x2: number; label: number }, rim: string) => {
    ctx.beginPath();
    ctx.arc(sx(p.x1), sy(p.x2), r, 0, 2 * Math.PI);
    ctx.fillStyle = fill(p.label);
    ctx.fill();
    ctx.lineWidth = 1;
    ctx.strokeStyle = rim;
    ctx.stroke();
  };
  for (const p of data.train) dot(p, 'rgba(255,255,255,0.9)');
  if (showTest) for (const p of data.test) dot(p, 'rgba(0,0,0,0.85)');
  if (hl) {
    ctx.lineWidth = 1.5;
    ctx.strokeStyle = '#222';
    for (const i of hl.batch) {
      const p = data.train[i];
      ctx.beginPath();
      ctx.arc(sx(p.x1), sy(p.x2), r + 3, 0, 2 * Math.PI);
      ctx.stroke();
    }
    const p = data.train[hl.chosen];
    if (p) {
      const x = sx(p.x1);
      const y = sy(p.x2);
      ctx.lineWidth = 2;
      ctx.strokeStyle = '#d6001c';
      ctx.beginPath();
      ctx.arc(x, y, r + 6, 0, 2 * Math.PI);
      ctx.moveTo(x - r - 12, y); ctx.lineTo(x - r - 6, y);
      ctx.moveTo(x + r + 6, y); ctx.lineTo(x + r + 12, y);
      ctx.moveTo(x, y - r - 12); ctx.lineTo(x, y - r - 6);
      ctx.moveTo(x, y + r + 6); ctx.lineTo(x, y + r + 12);
      ctx.stroke();
    }
  }
}

/** Draws train (grey) and test (black) loss per epoch, as TF Playground's small chart. */
export function drawLossChart(canvas: HTMLCanvasElement, h: { train: number[]; test: number[] }): void {
  const w = canvas.clientWidth || 300;
  const ht = canvas.clientHeight || 60;
  const ctx = hiDpi(canvas, w, ht);
  const n = h.train.length;
  if (n < 2) return;
  let max = 0;
  for (let i = 0; i < n; i++) max = Math.max(max, h.train[i], h.test[i]);
  if (!(max > 0) || !Number.isFinite(max)) max = 1;
  // At most one vertex per CSS pixel: long runs are subsampled, not all drawn.
  const stride = Math.max(1, Math.floor(n / w));
  const line = (ys: number[], color: string) => {
    ctx.beginPath();
    for (let i = 0; i < n; i += stride) {
      const x = (i / (n - 1)) * (w - 2) + 1;
      const y = ht - 2 - (Math.min(ys[i], max) / max) * (ht - 4);
      if (i === 0) ctx.moveTo(x, y); else ctx.lineTo(x, y);
    }
    ctx.lineTo(w - 1, ht - 2 - (Math.min(ys[n - 1], max) / max) * (ht - 4));
    ctx.strokeStyle = color;
    ctx.lineWidth = 1.5;
    ctx.stroke();
  };
  line(h.train, '#9aa0a6');
  line(h.test, '#202124');
}

/** Options of an activation plot. */
export interface PlotOptions {
  /** Mark this pre-activation on the curves. */
  z?: number;
  /** Show f' as well (dashed). */
  derivative?: boolean;
  range?: number;
}

/**
 * Plots f (solid) and f' (dashed) of an activation on [-range, range], with z marked: a vertical
 * line, a dot at (z, f(z)) and one at (z, f'(z)).
 */
export function drawActivation(canvas: HTMLCanvasElement, act: Activation, opt: PlotOptions = {}): void {
  const w = canvas.clientWidth || 160;
  const h = canvas.clientHeight || 110;
  const ctx = hiDpi(canvas, w, h);
  const R = opt.range ?? 4;
  const zMark = opt.z;
  // When z falls outside the window, widen it so the mark stays visible.
  const xr = zMark !== undefined && Math.abs(zMark) > R * 0.9 ? Math.abs(zMark) * 1.15 : R;
  const xs = Array.from({ length: w }, (_, i) => -xr + (2 * xr * i) / (w - 1));
  const fs = xs.map((x) => act.f(x));
  const ds = xs.map((x, i) => act.df(x, fs[i]));
  let lo = Math.min(-1, ...fs, ...(opt.derivative ? ds : []));
  let hi = Math.max(1, ...fs, ...(opt.derivative ? ds : []));
  lo = Math.max(lo, -xr);
  hi = Math.min(hi, xr);
  const pad = 6;
  const px = (x: number) => ((x + xr) / (2 * xr)) * (w - 1);
  const py = (y: number) => pad + ((hi - y) / (hi - lo)) * (h - 2 * pad);
  ctx.strokeStyle = '#dadce0';
  ctx.lineWidth = 1;
  ctx.beginPath();
  ctx.moveTo(0, py(0)); ctx.lineTo(w, py(0));
  ctx.moveTo(px(0), 0); ctx.lineTo(px(0), h);
  ctx.stroke();
  const curve = (ys: number[], color: string, dash: number[]) => {
    ctx.setLineDash(dash);
    ctx.strokeStyle = color;
    ctx.lineWidth = 2;
    ctx.beginPath();
    ys.forEach((y, i) => { const Y = py(Math.max(lo, Math.min(hi, y))); if (i === 0) ctx.moveTo(i, Y); else ctx.lineTo(i, Y); });
    ctx.stroke();
    ctx.setLineDash([]);
  };
  if (opt.derivative) curve(ds, '#e37400', [4, 3]);
  curve(fs, '#1a73e8', []);
  if (zMark !== undefined) {
    const a = act.f(zMark);
    ctx.strokeStyle = '#d6001c';
    ctx.lineWidth = 1;
    ctx.beginPath();
    ctx.moveTo(px(zMark), 0); ctx.lineTo(px(zMark), h);
    ctx.stroke();
    const dotAt = (y: number, color: string) => {
      ctx.fillStyle = color;
      ctx.beginPath();
      ctx.arc(px(zMark), py(Math.max(lo, Math.min(hi, y))), 3.5, 0, 2 * Math.PI);
      ctx.fill();
    };
    if (opt.derivative) dotAt(act.df(zMark, a), '#e37400');
    dotAt(a, '#d6001c');
  }
}
