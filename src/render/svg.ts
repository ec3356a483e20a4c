/**
 * Small SVG helpers shared by the renderers: escaping, text width estimates and number formats.
 *
 * Widths are measured from DejaVu Sans advance widths (units per em / 1000, code points 32..126),
 * the font the PNG rasterizer uses; browsers fall back to Verdana, whose metrics are as wide, so
 * boxes sized with these estimates never let their text overflow.
 */

/** Font stack of every SVG nnlens draws. */
export const FONT_FAMILY = "'DejaVu Sans', Verdana, 'Bitstream Vera Sans', Arial, sans-serif";

// DejaVu Sans and DejaVu Sans Bold advance widths for ' '..'~', in thousandths of an em
// (read from DejaVuSans.ttf / DejaVuSans-Bold.ttf hmtx tables, version 2.37).
const REGULAR = [318, 401, 460, 838, 636, 950, 780, 275, 390, 390, 500, 838, 318, 361, 318, 337, 636, 636, 636, 636, 636, 636, 636, 636, 636, 636, 337, 337, 838, 838, 838, 531, 1000, 684, 686, 698, 770, 632, 575, 775, 752, 295, 295, 656, 557, 863, 748, 787, 603, 787, 695, 635, 611, 732, 684, 989, 685, 611, 685, 390, 337, 390, 838, 500, 500, 613, 635, 550, 635, 615, 352, 635, 634, 278, 278, 579, 278, 974, 634, 612, 635, 635, 411, 521, 392, 634, 592, 818, 592, 592, 525, 636, 337, 636, 838];
const BOLD = [348, 456, 521, 838, 696, 1002, 872, 306, 457, 457, 523, 838, 380, 415, 380, 365, 696, 696, 696, 696, 696, 696, 696, 696, 696, 696, 400, 400, 838, 838, 838, 580, 1000, 774, 762, 734, 830, 683, 683, 821, 837, 372, 372, 775, 637, 995, 837, 850, 733, 850, 770, 720, 682, 812, 774, 1103, 771, 724, 725, 457, 365, 457, 838, 500, 500, 675, 716, 593, 716, 678, 435, 716, 712, 343, 343, 665, 343, 1042, 712, 687, 716, 716, 493, 595, 478, 712, 652, 924, 645, 652, 582, 712, 365, 712, 838];

/**
 * Escapes text for SVG/XML content and attribute values.
 * @example escapeXml('a < b & "c"') === 'a &lt; b &amp; &quot;c&quot;'
 */
export function escapeXml(s: string): string {
  return s.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!);
}

/**
 * Estimated rendered width of `text` in pixels at `size` px (non-ASCII counted as a wide glyph).
 * @example textWidth('Conv', 12) // about 28
 */
export function textWidth(text: string, size: number, bold = false): number {
  const table = bold ? BOLD : REGULAR;
  let w = 0;
  for (const ch of text) {
    const c = ch.codePointAt(0)!;
    w += c >= 32 && c < 127 ? table[c - 32]! : 1000;
  }
  return (w * size) / 1000;
}

/**
 * Shortens `text` with a middle ellipsis so that it fits `maxWidth` px; the end of a name
 * (`.../conv1/Conv`) is usually the most telling part, so both ends are kept.
 * @example fitText('/layer4/layer4.1/conv1/Conv', 80, 12)
 */
export function fitText(text: string, maxWidth: number, size: number, bold = false): string {
  if (textWidth(text, size, bold) <= maxWidth) return text;
  const chars = [...text];
  let keep = chars.length - 1;
  while (keep > 1) {
    const head = Math.ceil(keep / 2), tail = keep - head;
    const s = `${chars.slice(0, head).join('')}\u2026${tail ? chars.slice(chars.length - tail).join('') : ''}`;
    if (textWidth(s, size, bold) <= maxWidth) return s;
    keep--;
  }
  return '\u2026';
}

/**
 * A compact number for labels and ticks: `1.2M`, `34.5K`, `0.031`, `-2e-5`.
 * @example compactNumber(1234567) === '1.23M'
 */
export function compactNumber(x: number): string {
  if (!Number.isFinite(x)) return String(x);
  const a = Math.abs(x);
  if (a >= 1e9) return `${trim((x / 1e9).toPrecision(3))}G`;
  if (a >= 1e6) return `${trim((x / 1e6).toPrecision(3))}M`;
  if (a >= 1e3) return `${trim((x / 1e3).toPrecision(3))}K`;
  if (a === 0) return '0';
  if (a >= 1e-3) return trim(x.toPrecision(3));
  return x.toExponential(1).replace('e-', 'e-');
}

function trim(s: string): string {
  return s.includes('.') && !s.includes('e') ? s.replace(/\.?0+$/, '') : s;
}

/** "Nice" axis ticks covering [lo, hi] (about `count` of them), after Heckbert's "Nice numbers for graph labels" (Graphics Gems, 1990). */
export function niceTicks(lo: number, hi: number, count = 5): number[] {
  if (!(hi > lo)) return [lo];
  const raw = (hi - lo) / Math.max(1, count);
  const mag = 10 ** Math.floor(Math.log10(raw));
  const f = raw / mag;
  const step = (f < 1.5 ? 1 : f < 3 ? 2 : f < 7 ? 5 : 10) * mag;
  const out: number[] = [];
  // Integer multiples of the step, rounded to 12 digits, so that 3 * 0.2 prints as 0.6.
  for (let k = Math.ceil(lo / step - 1e-9); k * step <= hi + step * 1e-9; k++) out.push(k === 0 ? 0 : Number((k * step).toPrecision(12)));
  return out;
}

/** Number rounded for SVG coordinates (keeps files small and diffs stable). */
export function r2(x: number): string {
  return String(Math.round(x * 100) / 100);
}

/** Opening `<svg>` tag with a white background. */
export function svgOpen(width: number, height: number): string {
  return `<svg xmlns="http://www.w3.org/2000/svg" width="${r2(width)}" height="${r2(height)}" viewBox="0 0 ${r2(width)} ${r2(height)}" font-family="${escapeXml(FONT_FAMILY)}">\n<rect width="100%" height="100%" fill="#ffffff"/>\n`;
}
