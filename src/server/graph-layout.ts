/**
 * The opening view of each model, laid out by the server ahead of time: ELK's first run in a fresh
 * page costs a second or more (loading 1.4 MB of elkjs and running it cold), which would delay the
 * first drawing; the server lays out the same view with the same code (graph-view.ts, the CLI's
 * ELK settings) in a worker thread as soon as the model is opened, and sends the positions with
 * the graph. Every later view (opening or closing groups) is laid out in the page's Web Worker.
 */
import { layoutDiagram } from '../render/diagram-layout.ts';
import { elkInWorker } from '../render/elk-node.ts';
import type { GraphJson, ViewLayout } from './api-types.ts';
import { buildView, indexGraph, initialExpansion, layoutJson } from './graph-view.ts';

/**
 * Lays out the view a model opens with.
 * @example (await openingLayout(graphJson(model))).expanded
 */
export async function openingLayout(g: GraphJson): Promise<ViewLayout> {
  const ix = indexGraph(g);
  const expanded = initialExpansion(ix);
  const view = buildView(ix, expanded);
  await layoutDiagram(view.diagram, elkInWorker);
  return layoutJson(view.diagram, expanded);
}
