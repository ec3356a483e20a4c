/**
 * Draws a laid-out view as SVG elements, in the style of `nnlens diagram` (src/render/diagram-svg.ts):
 * boxes coloured by op category with a category accent, collapsed groups as stacked cards with a
 * strip of their op mix and a "+" to open them, expanded groups as labelled dashed containers
 * (click the label to close), orthogonal edges with arrowheads and the tensor shape where each
 * edge leaves its box. Memoized: panning and zooming never re-render it.
 */
import { memo, type ReactNode } from 'react';
import { CONTAINER_LABEL } from '../../../../src/render/diagram-layout.ts';
import { isDiagramContainer, type DiagramBox, type DiagramContainer } from '../../../../src/render/diagram-model.ts';
import { FONT_FAMILY } from '../../../../src/render/svg.ts';
import type { GraphViewModel } from '../../../../src/server/graph-view.ts';

const EDGE = '#8c959f';

/** Path through points with rounded corners (as the CLI draws edges). */
function roundedPath(pts: [number, number][], r = 6): string {
  if (pts.length === 0) return '';
  let s = `M${pts[0]![0]},${pts[0]![1]}`;
  for (let i = 1; i < pts.length - 1; i++) {
    const [px, py] = pts[i - 1]!, [x, y] = pts[i]!, [nx, ny] = pts[i + 1]!;
    const d1 = Math.hypot(x - px, y - py), d2 = Math.hypot(nx - x, ny - y);
    const rr = Math.min(r, d1 / 2, d2 / 2);
    if (rr < 0.5) { s += `L${x},${y}`; continue; }
    s += `L${x - ((x - px) / d1) * rr},${y - ((y - py) / d1) * rr}Q${x},${y} ${x + ((nx - x) / d2) * rr},${y + ((ny - y) / d2) * rr}`;
  }
  const last = pts[pts.length - 1]!;
  return `${s}L${last[0]},${last[1]}`;
}

function arrow(from: [number, number], to: [number, number]): string {
  const dx = to[0] - from[0], dy = to[1] - from[1], d = Math.hypot(dx, dy) || 1, ux = dx / d, uy = dy / d;
  const bx = to[0] - ux * 7, by = to[1] - uy * 7;
  return `M${to[0]},${to[1]}L${bx - uy * 3.5},${by + ux * 3.5}L${bx + uy * 3.5},${by - ux * 3.5}z`;
}

/** Props of {@link GraphSvg}. */
export interface GraphSvgProps {
  view: GraphViewModel;
  /** Box ids to outline as search matches. */
  matches: ReadonlySet<string>;
  selected: string | undefined;
  /** Node names per box id, for `data-node` (tests, tooltips). */
  nodeName: (boxId: string) => string | undefined;
}

function Box({ b, selected, match, name, colors }: { b: DiagramBox; selected: boolean; match: boolean; name?: string; colors: GraphViewModel['categories'] }) {
  const group = b.kind === 'group';
  const w = group ? b.width - 4 : b.width, h = group ? b.height - 4 : b.height;
  const rx = b.kind === 'input' || b.kind === 'output' ? Math.min(h / 2, 14) : 5;
  let ty = b.y + 6;
  return (
    <g className={`box ${b.kind}${selected ? ' selected' : ''}${match ? ' match' : ''}`} data-box={b.id} data-node={name}>
      <title>{b.title}</title>
      {group && <rect x={b.x + 4} y={b.y + 4} width={w} height={h} rx={5} fill={b.style.fill} stroke={b.style.stroke} strokeWidth={1.1} />}
      {(selected || match) && <rect x={b.x - 4} y={b.y - 4} width={w + 8} height={h + 8} rx={rx + 3} className={selected ? 'halo' : 'match-halo'} />}
      <rect x={b.x} y={b.y} width={w} height={h} rx={rx} fill={b.style.fill} stroke={b.style.stroke} strokeWidth={1.3} />
      {b.kind === 'node' && <rect x={b.x + 1} y={b.y + 3} width={3} height={h - 6} rx={1.5} fill={b.style.stroke} />}
      {b.lines.map((l, i) => {
        const y = ty + l.size * 1.02;
        ty += l.size * 1.3;
        return <text key={i} x={b.x + w / 2} y={y} fontSize={l.size} textAnchor="middle" fontWeight={l.bold ? 'bold' : undefined} fill={l.color}>{l.text}</text>;
      })}
      {group && b.mix && (() => {
        const total = b.mix.reduce((s, [, n]) => s + n, 0);
        let sx = b.x + 8;
        return b.mix.map(([cat, n]) => {
          const sw = ((w - 16) * n) / total;
          const el = <rect key={cat} x={sx} y={b.y + h - 7} width={sw} height={3.5} fill={colors[cat]?.stroke ?? '#888'} />;
          sx += sw;
          return el;
        });
      })()}
      {group && <text x={b.x + w - 9} y={b.y + 13} fontSize={13} textAnchor="middle" fill="#57606a" className="expander">+</text>}
    </g>
  );
}

function containers(c: DiagramContainer, depth: number, out: ReactNode[], labels: ReactNode[]) {
  for (const ch of c.children) {
    if (!isDiagramContainer(ch)) continue;
    out.push(<rect key={ch.id} x={ch.x} y={ch.y} width={ch.width} height={ch.height} rx={8} className={`container d${depth % 2}`} data-container={ch.id} />);
    labels.push(
      <g key={ch.id} className="container-label" data-container={ch.id}>
        <title>{`${ch.title} (click to collapse)`}</title>
        <rect x={ch.x} y={ch.y} width={ch.width} height={CONTAINER_LABEL} rx={8} fill="transparent" />
        <text x={ch.x + 10} y={ch.y + CONTAINER_LABEL - 7} fontSize={11} fontWeight="bold" fill="#57606a">{'\u2212 '}{ch.label}</text>
      </g>,
    );
    containers(ch, depth + 1, out, labels);
  }
}

/** The drawing (inside the pan/zoom group). */
export const GraphSvg = memo(function GraphSvg({ view, matches, selected, nodeName }: GraphSvgProps) {
  const d = view.diagram;
  const back: ReactNode[] = [], labels: ReactNode[] = [];
  containers(d.root, 0, back, labels);
  const paths: ReactNode[] = [], heads: string[] = [], shapes: ReactNode[] = [];
  const labelled = new Set<string>();
  for (const e of d.edges) {
    if (e.points.length < 2) continue;
    paths.push(<path key={e.id} d={roundedPath(e.points)} />);
    heads.push(arrow(e.points[e.points.length - 2]!, e.points[e.points.length - 1]!));
    const text = view.edgeLabels.get(e.id);
    const key = `${e.from}|${e.values[0]}`;
    if (text && !labelled.has(key)) {
      labelled.add(key);
      const [x, y] = e.points[0]!;
      shapes.push(<text key={e.id} x={x + 4} y={y + 11}>{text}</text>);
    }
  }
  return (
    <g fontFamily={FONT_FAMILY}>
      <g className="containers">{back}</g>
      <g className="edges" fill="none" stroke={EDGE} strokeWidth={1.2}>{paths}</g>
      <path className="arrows" fill={EDGE} d={heads.join('')} />
      <g className="shapes">{shapes}</g>
      {labels}
      <g className="boxes">
        {[...d.boxes.values()].map((b) => <Box key={b.id} b={b} selected={selected === b.id} match={matches.has(b.id)} name={nodeName(b.id)} colors={view.categories} />)}
      </g>
    </g>
  );
});
