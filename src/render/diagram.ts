/**
 * One call from a model to a diagram file's content, in Node: build, lay out (ELK in a worker),
 * draw. Browsers compose `diagram-model`, `diagram-layout` (with their own runner) and
 * `diagram-svg` directly.
 */
import type { Model } from '../graph/ir.ts';
import { buildDiagram, type DiagramOptions } from './diagram-model.ts';
import { layoutDiagram, type LayoutRunner } from './diagram-layout.ts';
import { diagramSvg } from './diagram-svg.ts';
import { diagramDot } from './diagram-dot.ts';
import { elkInWorker } from './elk-node.ts';
import { svgToPng } from './png.ts';

/** Output kinds of a diagram. */
export type DiagramFormat = 'svg' | 'png' | 'dot';

/**
 * The diagram of a model as SVG text.
 * @example const svg = await modelDiagramSvg(model, { depth: 1, shapes: true })
 */
export async function modelDiagramSvg(model: Model, options: DiagramOptions = {}, run: LayoutRunner = elkInWorker): Promise<string> {
  const d = await layoutDiagram(buildDiagram(model, options), run);
  return diagramSvg(d);
}

/**
 * The diagram of a model in a file format: SVG or DOT text, or PNG bytes.
 * @example writeOutput('m.png', await modelDiagram(model, 'png', { shapes: true }))
 */
export async function modelDiagram(model: Model, format: DiagramFormat, options: DiagramOptions = {}): Promise<string | Uint8Array> {
  if (format === 'dot') return diagramDot(buildDiagram(model, options));
  const svg = await modelDiagramSvg(model, options);
  return format === 'png' ? svgToPng(svg) : svg;
}
