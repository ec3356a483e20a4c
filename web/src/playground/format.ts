/** Number formatting for the step-by-step tables: 4 significant digits, exponent form when tiny or huge. */
export function fmt(v: number): string {
  if (v === 0) return '0';
  if (!Number.isFinite(v)) return String(v);
  const a = Math.abs(v);
  if (a < 1e-3 || a >= 1e5) return v.toExponential(2).replace('e', 'e');
  return v.toPrecision(4).replace(/(\.\d*?)0+$/, '$1').replace(/\.$/, '');
}

/** A signed change, with + for positive values. */
export function fmtDelta(v: number): string {
  return v > 0 ? `+${fmt(v)}` : fmt(v);
}
