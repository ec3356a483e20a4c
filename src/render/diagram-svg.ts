/**
 * Draws a laid-out {@link Diagram} as SVG: boxes coloured by op category, collapsed groups as
 * stacked cards with a strip showing their mix of op categories, expanded groups as labelled
 * containers, orthogonal edges with rounded bends and arrowheads, a title and a legend.
 */
import { CATEGORY_STYLES, GROUP_STYLE, type OpCategory } from '../graph/ops.ts';
import { isDiagramContainer, type Diagram, type DiagramBox, type DiagramContainer } from './diagram-model.ts';
import { CONTAINER_LABEL } from './diagram-layout.ts';
import { escapeXml, fitText, r2, svgOpen, textWidth } from './svg.ts';

const MARGIN = 16, TITLE_H = 46, LEGEND_GAP = 24;
const EDGE = '#6e7781';

interface LegendEntry { label: string; fill: string; stroke: string }

function legendEntries(d: Diagram): LegendEntry[] {
  const used = new Set<OpCategory | 'group'>();
  for (const b of d.boxes.values()) {
    used.add(b.category);
    for (const [cat] of b.mix ?? []) used.add(cat);
  }
  const out: LegendEntry[] = [];
  for (const [cat, style] of Object.entries(CATEGORY_STYLES) as [OpCategory, typeof GROUP_STYLE][]) {
    if (used.has(cat)) out.push(style);
  }
  if (used.has('group')) out.push(GROUP_STYLE);
  return out;
}

/** Path through `pts` with rounded corners of radius up to `r`. */
function roundedPath(pts: [number, number][], r = 6): string {
  if (pts.length === 0) return '';
  let s = `M${r2(pts[0]![0])},${r2(pts[0]![1])}`;
  for (let i = 1; i < pts.length - 1; i++) {
    const [px, py] = pts[i - 1]!, [x, y] = pts[i]!, [nx, ny] = pts[i + 1]!;
    const d1 = Math.hypot(x - px, y - py), d2 = Math.hypot(nx - x, ny - y);
    const rr = Math.min(r, d1 / 2, d2 / 2);
    if (rr < 0.5) { s += `L${r2(x)},${r2(y)}`; continue; }
    const ax = x - ((x - px) / d1) * rr, ay = y - ((y - py) / d1) * rr;
    const bx = x + ((nx - x) / d2) * rr, by = y + ((ny - y) / d2) * rr;
    s += `L${r2(ax)},${r2(ay)}Q${r2(x)},${r2(y)} ${r2(bx)},${r2(by)}`;
  }
  const last = pts[pts.length - 1]!;
  return `${s}L${r2(last[0])},${r2(last[1])}`;
}

/** A filled triangle ending at `to`, pointing along from -> to (drawn as a polygon, not a marker, so every renderer agrees). */
function arrowHead(from: [number, number], to: [number, number], len = 7, half = 3.5): string {
  const dx = to[0] - from[0], dy = to[1] - from[1];
  const d = Math.hypot(dx, dy) || 1;
  const ux = dx / d, uy = dy / d;
  const bx = to[0] - ux * len, by = to[1] - uy * len;
  return `<path d="M${r2(to[0])},${r2(to[1])}L${r2(bx - uy * half)},${r2(by + ux * half)}L${r2(bx + uy * half)},${r2(by - ux * half)}z"/>`;
}

function boxSvg(b: DiagramBox, ox: number, oy: number): string {
  const x = b.x + ox, y = b.y + oy;
  const parts: string[] = [`<g class="box ${b.kind}" data-id="${escapeXml(b.id)}"><title>${escapeXml(b.title)}</title>`];
  let w = b.width, h = b.height;
  if (b.kind === 'group') {
    // A collapsed group is a stack of cards: a back card offset by 4 px, inside the laid-out size.
    w -= 4; h -= 4;
    parts.push(`<rect x="${r2(x + 4)}" y="${r2(y + 4)}" width="${r2(w)}" height="${r2(h)}" rx="5" fill="${b.style.fill}" stroke="${b.style.stroke}" stroke-width="1.1"/>`);
  }
  const rx = b.kind === 'input' || b.kind === 'output' ? h / 2 : 5;
  parts.push(`<rect x="${r2(x)}" y="${r2(y)}" width="${r2(w)}" height="${r2(h)}" rx="${r2(Math.min(rx, 14))}" fill="${b.style.fill}" stroke="${b.style.stroke}" stroke-width="1.3"/>`);
  if (b.kind === 'node' && b.category !== 'io') {
    // Category accent on the left edge, readable even in grayscale prints by its position.
    parts.push(`<rect x="${r2(x + 1)}" y="${r2(y + 3)}" width="3" height="${r2(h - 6)}" rx="1.5" fill="${b.style.stroke}"/>`);
  }
  let ty = y + 6;
  for (const l of b.lines) {
    const lh = l.size * 1.3;
    parts.push(`<text x="${r2(x + w / 2)}" y="${r2(ty + l.size * 1.02)}" font-size="${l.size}" text-anchor="middle"${l.bold ? ' font-weight="bold"' : ''} fill="${l.color ?? '#1f2328'}">${escapeXml(l.text)}</text>`);
    ty += lh;
  }
  if (b.mix && b.mix.length) {
    const total = b.mix.reduce((s, [, n]) => s + n, 0);
    let sx = x + 8;
    const sw = w - 16;
    for (const [cat, n] of b.mix) {
      const segW = (sw * n) / total;
      parts.push(`<rect x="${r2(sx)}" y="${r2(y + h - 7)}" width="${r2(segW)}" height="3.5" fill="${CATEGORY_STYLES[cat].stroke}"/>`);
      sx += segW;
    }
  }
  parts.push('</g>');
  return parts.join('');
}

function containerSvg(c: DiagramContainer, ox: number, oy: number, depth: number, out: string[], labels: string[]): void {
  const x = c.x + ox, y = c.y + oy;
  const fill = depth % 2 === 0 ? '#f6f8fa' : '#eef1f4';
  out.push(`<g class="container" data-id="${escapeXml(c.id)}"><title>${escapeXml(c.title)}</title><rect x="${r2(x)}" y="${r2(y)}" width="${r2(c.width)}" height="${r2(c.height)}" rx="8" fill="${fill}" stroke="#c4cbd4" stroke-width="1" stroke-dasharray="4 3"/></g>`);
  const label = fitText(c.label, c.width - 20, 11, true);
  labels.push(`<text x="${r2(x + 10)}" y="${r2(y + CONTAINER_LABEL - 6)}" font-size="11" font-weight="bold" fill="#57606a">${escapeXml(label)}</text>`);
  for (const ch of c.children) if (isDiagramContainer(ch)) containerSvg(ch, ox, oy, depth + 1, out, labels);
}

/**
 * The SVG text of a laid-out diagram.
 * @example writeOutput('model.svg', diagramSvg(await layoutDiagram(buildDiagram(model), elkInWorker)))
 */
export function diagramSvg(d: Diagram): string {
  const legend = legendEntries(d);
  const legendW = Math.max(0, ...legend.map((e) => 22 + textWidth(e.label, 11))) + 8;
  const legendH = legend.length * 18 + 20;
  const titleW = Math.max(textWidth(d.title, 16, true), textWidth(d.subtitle, 11));
  const ox = MARGIN + legendW + LEGEND_GAP, oy = MARGIN + TITLE_H;
  const width = Math.max(ox + d.width + MARGIN, MARGIN * 2 + titleW);
  const height = oy + Math.max(d.height, legendH) + MARGIN;
  const out: string[] = [svgOpen(width, height)];
  out.push(`<text x="${MARGIN}" y="${MARGIN + 16}" font-size="16" font-weight="bold" fill="#1f2328">${escapeXml(d.title)}</text>`);
  out.push(`<text x="${MARGIN}" y="${MARGIN + 33}" font-size="11" fill="#57606a">${escapeXml(d.subtitle)}</text>`);
  // Legend column.
  out.push(`<g class="legend"><text x="${MARGIN}" y="${oy + 12}" font-size="11" font-weight="bold" fill="#57606a">Legend</text>`);
  legend.forEach((e, i) => {
    const y = oy + 22 + i * 18;
    // The group swatch is a small stack of cards, like the boxes it stands for.
    if (e === GROUP_STYLE) out.push(`<rect x="${MARGIN + 3}" y="${y + 3}" width="16" height="11" rx="2" fill="${e.fill}" stroke="${e.stroke}" stroke-width="1.1"/>`);
    out.push(`<rect x="${MARGIN}" y="${y}" width="16" height="11" rx="2" fill="${e.fill}" stroke="${e.stroke}" stroke-width="1.3"/><text x="${MARGIN + 22}" y="${y + 9.5}" font-size="11" fill="#1f2328">${escapeXml(e.label)}</text>`);
  });
  out.push('</g>');
  const labels: string[] = [];
  for (const ch of d.root.children) if (isDiagramContainer(ch)) containerSvg(ch, ox, oy, 0, out, labels);
  out.push(...labels);
  const heads: string[] = [];
  out.push(`<g class="edges" fill="none" stroke="${EDGE}" stroke-width="1.2">`);
  for (const e of d.edges) {
    if (e.points.length < 2) continue;
    const pts = e.points.map(([x, y]) => [x + ox, y + oy] as [number, number]);
    out.push(`<path d="${roundedPath(pts)}"/>`);
    heads.push(arrowHead(pts[pts.length - 2]!, pts[pts.length - 1]!));
  }
  out.push('</g>');
  out.push(`<g class="arrows" fill="${EDGE}">${heads.join('')}</g>`);
  for (const b of d.boxes.values()) out.push(boxSvg(b, ox, oy));
  out.push('</svg>\n');
  return out.join('\n');
}
