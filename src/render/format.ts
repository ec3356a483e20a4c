/**
 * Number, byte and shape formats shared by text tables, diagrams and charts.
 */
import type { Shape } from '../graph/ir.ts';

/**
 * A shape for display: `[batch, 3, 224, 224]`, unknown dimensions as `?`, unknown rank as `?`.
 * @example formatShape([null, 10]) === '[?, 10]'
 */
export function formatShape(shape: Shape | null | undefined): string {
  if (!shape) return '?';
  return `[${shape.map((d) => (d === null ? '?' : String(d))).join(', ')}]`;
}

/** 1234567 -> `1,234,567`. */
export function formatCount(n: number): string {
  return Math.round(n).toLocaleString('en-US');
}

/** Byte count in binary units, as Keras prints it: `6.68 KB`. */
export function formatBytes(n: number): string {
  const units = ['B', 'KB', 'MB', 'GB', 'TB'];
  let i = 0, v = n;
  while (v >= 1024 && i < units.length - 1) { v /= 1024; i++; }
  return i === 0 ? `${v} B` : `${v.toFixed(2)} ${units[i]}`;
}
