import assert from 'node:assert/strict';
import { test } from 'node:test';
import { openModel } from '../../src/formats/registry.ts';
import { buildDiagram, isDiagramContainer, type Diagram, type DiagramContainer } from '../../src/render/diagram-model.ts';
import { layoutDiagram } from '../../src/render/diagram-layout.ts';
import { diagramSvg } from '../../src/render/diagram-svg.ts';
import { diagramDot } from '../../src/render/diagram-dot.ts';
import { elkInWorker } from '../../src/render/elk-node.ts';
import { pngZoom, svgSize, svgToPng } from '../../src/render/png.ts';
import { pngSize, PNG_SIGNATURE } from '../../src/render/raster.ts';
import { textWidth } from '../../src/render/svg.ts';
import { residualModel } from '../../bench/synthetic.ts';
import { NEEDS_SHARED, real } from '../helpers/shared.ts';

const count = (s: string, re: RegExp) => (s.match(re) ?? []).length;

function assertNoOverlap(d: Diagram): void {
  const boxes = [...d.boxes.values()];
  for (let i = 0; i < boxes.length; i++) for (let j = i + 1; j < boxes.length; j++) {
    const a = boxes[i]!, b = boxes[j]!;
    const overlap = a.x < b.x + b.width && b.x < a.x + a.width && a.y < b.y + b.height && b.y < a.y + a.height;
    assert.ok(!overlap, `${a.id} overlaps ${b.id}`);
  }
}

function assertInside(c: DiagramContainer): void {
  for (const ch of c.children) {
    if (c.id !== 'c:') {
      assert.ok(ch.x >= c.x && ch.y >= c.y && ch.x + ch.width <= c.x + c.width + 0.01 && ch.y + ch.height <= c.y + c.height + 0.01, `${ch.id} leaves ${c.id}`);
    }
    if (isDiagramContainer(ch)) assertInside(ch);
  }
}

test('diagram at full depth: one box per node plus inputs/outputs, containers hold their boxes, nothing overlaps', async () => {
  const m = residualModel({ nodes: 60 });
  const d = await layoutDiagram(buildDiagram(m, { shapes: true, names: true }), elkInWorker);
  assert.equal(d.boxes.size, m.graph.nodes.length + 2);
  assertNoOverlap(d);
  assertInside(d.root);
  for (const e of d.edges) assert.ok(e.points.length >= 2, `edge ${e.id} has a route`);
  const svg = diagramSvg(d);
  assert.equal(count(svg, /class="box node"/g), m.graph.nodes.length);
  assert.equal(count(svg, /class="box group"/g), 0);
  assert.equal(count(svg, /class="container"/g), 4 + m.graph.nodes.filter((n, i, a) => n.group.length === 2 && a.findIndex((x) => x.group.join('/') === n.group.join('/')) === i).length);
  assert.match(svg, /^<svg xmlns="http:\/\/www\.w3\.org\/2000\/svg"/);
  assert.match(svg, /<\/svg>\n$/);
});

test('--names inside containers shows names relative to the module', () => {
  const m = residualModel({ nodes: 30 });
  const d = buildDiagram(m, { names: true });
  assert.equal(d.boxes.get('n:/layer1/layer1.0/conv1/Conv')!.lines[1]!.text, 'conv1');
  assert.equal(d.boxes.get('n:/layer1/layer1.0/Add')!.lines.length, 1, 'no name line repeating the op');
  const flat = buildDiagram(m, { names: true, containers: false });
  assert.equal(flat.boxes.get('n:/layer1/layer1.0/conv1/Conv')!.lines[1]!.text, '/layer1/layer1.0/conv1/Conv');
});

test('diagram text never overflows its box', () => {
  const m = residualModel({ nodes: 60 });
  // A very long node name must be shortened, not spill out.
  m.graph.nodes[0]!.name = `/${'very_long_module_name/'.repeat(12)}Conv`;
  for (const depth of [undefined, 1]) {
    const d = buildDiagram(m, { depth, shapes: true, names: true });
    for (const b of d.boxes.values()) {
      for (const l of b.lines) assert.ok(textWidth(l.text, l.size, l.bold) <= b.width - 2 * 12 + 0.01, `${b.id}: '${l.text}' is wider than its box`);
    }
  }
});

test('diagram at depth 1: one box per collapsed group with node and parameter counts', async () => {
  const m = residualModel({ nodes: 120 });
  const d = await layoutDiagram(buildDiagram(m, { depth: 1, shapes: true }), elkInWorker);
  const svg = diagramSvg(d);
  assert.equal(count(svg, /class="box group"/g), 4);
  assert.equal(count(svg, /class="box node"/g), m.graph.nodes.filter((n) => n.group.length === 0).length);
  const layer1 = d.boxes.get('g:layer1')!;
  const nodes = m.graph.nodes.filter((n) => n.group[0] === 'layer1').length;
  assert.equal(layer1.lines[0]!.text, 'layer1');
  assert.match(layer1.lines[1]!.text, new RegExp(`^${nodes} nodes \\u00b7 [\\d.]+K params$`));
  assertNoOverlap(d);
});

test('LR direction lays the chain out left to right', async () => {
  const m = residualModel({ nodes: 30 });
  const d = await layoutDiagram(buildDiagram(m, { depth: 1, direction: 'LR' }), elkInWorker);
  const a = d.boxes.get('n:/conv1/Conv')!, b = d.boxes.get('n:/fc/Gemm')!;
  assert.ok(b.x > a.x + a.width, 'fc right of conv1');
  assert.ok(d.width > d.height);
});

test('DOT output is a digraph with every box and edge', () => {
  const m = residualModel({ nodes: 60 });
  const d = buildDiagram(m, { depth: 2 });
  const dot = diagramDot(d);
  assert.match(dot, /^digraph "synthetic-resnet\.onnx" \{\n/);
  assert.match(dot, /\}\n$/);
  assert.equal(count(dot, /\{/g), count(dot, /\}/g));
  assert.equal(count(dot, /^ {2}"[^"]+" -> "[^"]+";$/gm), d.edges.length);
  for (const id of d.boxes.keys()) assert.ok(dot.includes(`"${id}" [label=`), id);
  assert.equal(count(dot, /subgraph "cluster_/g), 4);
});

test('PNG output has the PNG signature and the size of the SVG times the zoom', async () => {
  const m = residualModel({ nodes: 30 });
  const svg = diagramSvg(await layoutDiagram(buildDiagram(m, { depth: 1, shapes: true }), elkInWorker));
  const png = svgToPng(svg);
  assert.deepEqual([...png.subarray(0, 8)], [...PNG_SIGNATURE]);
  const { width, height } = svgSize(svg);
  const z = pngZoom(width, height);
  assert.equal(z, 2);
  assert.deepEqual(pngSize(png), { width: Math.round(width * z), height: Math.round(height * z) });
});

test('real ONNX model: one box per node at full depth, one per group at depth 1', { skip: NEEDS_SHARED }, async () => {
  const m = await openModel(real('onnx-mnist-cnn-bn-opset11'));
  const full = diagramSvg(await layoutDiagram(buildDiagram(m, { shapes: true }), elkInWorker));
  assert.equal(count(full, /class="box node"/g), 23);
  assert.match(full, />\[batch_size, 10\] float32</);
  const d1 = diagramSvg(await layoutDiagram(buildDiagram(m, { depth: 1 }), elkInWorker));
  assert.equal(count(d1, /class="box group"/g), 2);
  assert.equal(count(d1, /class="box node"/g), 0);
});

test('real Keras model: layers keep their Keras types and fused activations', { skip: NEEDS_SHARED }, async () => {
  const m = await openModel(real('fraud-mlp-creditcard-0xdaksh'));
  const d = buildDiagram(m, { shapes: true, names: true });
  const types = [...d.boxes.values()].filter((b) => b.kind === 'node').map((b) => b.lines[0]!.text);
  assert.deepEqual(types, ['Dense \u00b7 relu', 'Dense \u00b7 relu', 'Dropout', 'Dense \u00b7 relu', 'Dense \u00b7 relu', 'Dense \u00b7 sigmoid']);
});
