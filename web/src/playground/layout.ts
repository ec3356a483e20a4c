/**
 * Geometry of the network diagram: one column per layer (all input features, whether used or
 * not, then hidden layers, then the output layer), neurons as squares top-aligned in each column,
 * links as horizontal cubic curves. Pure arithmetic, so the diagram and the imperative per-frame
 * updates agree on positions.
 */

/** Position of one neuron square (top-left corner). */
export interface NodeBox {
  x: number;
  y: number;
}

/** The computed diagram. */
export interface NetLayout {
  /** Side of a neuron square, px. */
  size: number;
  width: number;
  height: number;
  /** Left edge of each column. */
  columnX: number[];
  /** Boxes by column: column 0 has one per available feature; then one per neuron. */
  nodes: NodeBox[][];
}

/** Height reserved above the columns for layer headers and their buttons. */
export const HEADER = 44;

/**
 * Lays out columns of the given heights.
 * @param counts neurons per column (column 0: all features)
 * @param labels true when each neuron gets two lines of numbers under it (step-by-step mode)
 */
export function layoutNetwork(counts: readonly number[], labels: boolean): NetLayout {
  const most = Math.max(...counts);
  const size = most <= 8 ? 36 : most <= 16 ? 28 : 20;
  const gapY = labels ? 34 : Math.round(size * 0.45);
  const colW = labels ? 128 : Math.max(86, size + 56);
  const columnX = counts.map((_, c) => 8 + c * colW);
  const nodes = counts.map((n, c) => Array.from({ length: n }, (_, u) => ({ x: columnX[c], y: HEADER + u * (size + gapY) })));
  const height = HEADER + most * (size + gapY) + 8;
  const width = columnX[counts.length - 1] + size + (labels ? 96 : 24);
  return { size, width, height, columnX, nodes };
}
