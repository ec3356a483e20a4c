/**
 * Module groups from ONNX node names. PyTorch's exporter names nodes after the module path that
 * created them (`/layer4/layer4.1/conv1/Conv`); the path without its last segment is the module,
 * and modules holding a single node are not worth a group of their own, so
 * `/layer4/layer4.1/conv1/Conv` lands in `layer4 > layer4.1`.
 */
import type { Graph } from '../graph/ir.ts';

/** Sets `node.group` for every node of `graph` from its name's scopes. */
export function groupByScopes(graph: Graph): void {
  const paths = graph.nodes.map((n) => scopesOf(n.name));
  // Count nodes under each prefix.
  const count = new Map<string, number>();
  for (const p of paths) for (let i = 1; i <= p.length; i++) {
    const k = p.slice(0, i).join('/');
    count.set(k, (count.get(k) ?? 0) + 1);
  }
  graph.nodes.forEach((node, idx) => {
    const p = paths[idx]!;
    let keep = p.length;
    // Drop trailing scopes that hold only this node.
    while (keep > 0 && count.get(p.slice(0, keep).join('/')) === 1) keep--;
    node.group = p.slice(0, keep);
  });
}

/** Module scopes of an exporter-generated node name; [] when the name carries none. */
export function scopesOf(name: string): string[] {
  if (!name.startsWith('/')) return [];
  const parts = name.split('/').filter((s) => s.length > 0);
  return parts.slice(0, -1);
}
