import assert from 'node:assert/strict';
import { test } from 'node:test';
import { groupTree, isContainer, maxDepth, paramCount, viewAt, type ViewContainer } from '../../src/graph/groups.ts';
import { residualModel } from '../../bench/synthetic.ts';

test('group tree follows node.group paths', () => {
  const m = residualModel({ nodes: 60 });
  const t = groupTree(m.graph);
  assert.deepEqual(t.children.map((g) => g.key), ['layer1', 'layer2', 'layer3', 'layer4']);
  assert.equal(t.allNodes.length, m.graph.nodes.length);
  assert.equal(maxDepth(m.graph), 2);
  assert.equal(t.children.reduce((s, g) => s + g.allNodes.length, 0) + t.nodes.length, m.graph.nodes.length);
});

test('views: full depth has one item per node, depth 1 one per top-level module', () => {
  const m = residualModel({ nodes: 60 });
  const full = viewAt(m.graph);
  const nodeItems = [...full.items.values()].filter((i) => i.kind === 'node');
  assert.equal(nodeItems.length, m.graph.nodes.length);
  // Expanded groups are containers: layer1 > layer1.0 ...
  const layer1 = full.root.children.find((c) => isContainer(c) && c.path.join('/') === 'layer1') as ViewContainer;
  assert.ok(layer1 && layer1.children.every((c) => isContainer(c)));
  const d1 = viewAt(m.graph, { depth: 1 });
  const groups = [...d1.items.values()].filter((i) => i.kind === 'group');
  assert.deepEqual(groups.map((g) => g.id), ['g:layer1', 'g:layer2', 'g:layer3', 'g:layer4']);
  // Value flow between collapsed groups: a chain stem -> layer1 -> layer2 -> layer3 -> layer4 -> head.
  const pairs = d1.edges.map((e) => `${e.from} -> ${e.to}`);
  for (const p of ['g:layer1 -> g:layer2', 'g:layer2 -> g:layer3', 'g:layer3 -> g:layer4', 'n:/maxpool/MaxPool -> g:layer1']) assert.ok(pairs.includes(p), p);
  assert.equal(new Set(pairs).size, pairs.length, 'one edge per pair of items');
  // A collapsed group's params are its nodes' params.
  for (const g of groups) if (g.kind === 'group') assert.equal(g.params, paramCount(g.nodes));
  assert.throws(() => viewAt(m.graph, { depth: 0 }), /depth must be/);
});

test('views: inputs and outputs become items with edges', () => {
  const m = residualModel({ nodes: 30 });
  const v = viewAt(m.graph, { depth: 1 });
  assert.ok(v.items.has('in:input'));
  const out = m.graph.outputs[0]!;
  assert.ok(v.edges.some((e) => e.to === `out:${out}` && e.from === 'n:/fc/Gemm'));
  assert.ok(v.edges.some((e) => e.from === 'in:input' && e.to === 'n:/conv1/Conv'));
});

test('views can leave out constant source nodes, keeping every other node and edge', () => {
  const m = residualModel({ nodes: 30 });
  // A Constant feeding the first Add, as ONNX exporters emit them.
  const add = m.graph.nodes.find((n) => n.op === 'Add')!;
  m.graph.nodes.unshift({ name: 'Constant_0', op: 'Constant', domain: '', inputs: [], outputs: ['c0'], attributes: {}, group: add.group, params: [] });
  add.inputs.push('c0');
  const all = viewAt(m.graph);
  const lean = viewAt(m.graph, { hideConstants: true });
  assert.equal(all.items.size - lean.items.size, 1);
  assert.ok(!lean.items.has('n:Constant_0'));
  assert.equal(all.edges.length - lean.edges.length, 1);
  assert.ok(lean.edges.every((e) => lean.items.has(e.from) && lean.items.has(e.to)));
});
