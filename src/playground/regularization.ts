/**
 * Weight penalties, each with its derivative beside it. As in TF Playground, they apply to
 * weights, not biases. The penalty is `rate * R(w)` summed over weights and added to the mean
 * data loss of a mini-batch, so its gradient `rate * R'(w)` joins the data gradient before the
 * optimizer sees it (this is "L2 regularization", not AdamW's decoupled weight decay).
 */

/** A per-weight penalty R with its derivative dR. */
export interface Regularizer {
  name: RegularizationName;
  label: string;
  penalty(w: number): number;
  grad(w: number): number;
}

/** Regularization names. */
export type RegularizationName = 'none' | 'l1' | 'l2';

/** The regularizers. L1's derivative at exactly 0 is taken as 0 (the subgradient that keeps w at 0). */
export const REGULARIZERS: Record<RegularizationName, Regularizer> = {
  none: { name: 'none', label: 'None', penalty: () => 0, grad: () => 0 },
  l1: { name: 'l1', label: 'L1', penalty: (w) => Math.abs(w), grad: (w) => Math.sign(w) },
  l2: { name: 'l2', label: 'L2', penalty: (w) => 0.5 * w * w, grad: (w) => w },
};
