/**
 * A diagram as Graphviz DOT text (https://graphviz.org/doc/info/lang.html), for users who want
 * to lay it out or restyle it with Graphviz: same boxes, colours and groups (as `cluster_`
 * subgraphs) as the SVG. Needs no layout.
 */
import { isDiagramContainer, type Diagram, type DiagramBox, type DiagramContainer } from './diagram-model.ts';

/** A DOT double-quoted string. */
export function dotString(s: string): string {
  return `"${s.replace(/\\/g, '\\\\').replace(/"/g, '\\"').replace(/\n/g, '\\n')}"`;
}

function boxDot(b: DiagramBox, indent: string): string {
  const label = b.lines.map((l) => l.text).join('\n');
  const shape = b.kind === 'input' || b.kind === 'output' ? 'ellipse' : b.kind === 'group' ? 'box3d' : 'box';
  const style = b.kind === 'group' ? 'filled' : 'rounded,filled';
  return `${indent}${dotString(b.id)} [label=${dotString(label)}, shape=${shape}, style=${dotString(style)}, fillcolor=${dotString(b.style.fill)}, color=${dotString(b.style.stroke)}, tooltip=${dotString(b.title)}];`;
}

function containerDot(c: DiagramContainer, indent: string, out: string[]): void {
  for (const ch of c.children) {
    if (isDiagramContainer(ch)) {
      out.push(`${indent}subgraph ${dotString(`cluster_${ch.id}`)} {`);
      out.push(`${indent}  label=${dotString(ch.label)}; style="rounded,dashed"; color="#c4cbd4"; fontcolor="#57606a";`);
      containerDot(ch, `${indent}  `, out);
      out.push(`${indent}}`);
    } else out.push(boxDot(ch, indent));
  }
}

/**
 * DOT text of a diagram (positions, if any, are ignored).
 * @example writeOutput('model.dot', diagramDot(buildDiagram(model, { depth: 1 })))
 */
export function diagramDot(d: Diagram): string {
  const out: string[] = [];
  out.push(`digraph ${dotString(d.title)} {`);
  out.push(`  graph [rankdir=${d.direction === 'LR' ? 'LR' : 'TB'}, fontname="DejaVu Sans", label=${dotString(`${d.title}\n${d.subtitle}`)}, labelloc=t];`);
  out.push('  node [fontname="DejaVu Sans", fontsize=11, penwidth=1.3];');
  out.push('  edge [color="#6e7781", arrowsize=0.7];');
  containerDot(d.root, '  ', out);
  for (const e of d.edges) out.push(`  ${dotString(e.from)} -> ${dotString(e.to)};`);
  out.push('}');
  return `${out.join('\n')}\n`;
}
