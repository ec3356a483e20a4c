/**
 * The gradient rule table: an explicit list, one import per op family (STYLE.md 2), so that
 * which ops are differentiable is visible in one place.
 */
import * as activations from './activations.ts';
import * as conv from './conv.ts';
import * as elementwise from './elementwise.ts';
import * as matmul from './matmul.ts';
import * as norm from './norm.ts';
import * as pool from './pool.ts';
import * as reduce from './reduce.ts';
import * as resize from './resize.ts';
import type { GradRule } from './rule.ts';
import * as shape from './shape.ts';
import * as softmax from './softmax.ts';

const FAMILIES: GradRule[][] = [
  elementwise.RULES, activations.RULES, matmul.RULES, conv.RULES, pool.RULES, norm.RULES,
  softmax.RULES, reduce.RULES, shape.RULES, resize.RULES,
];

/** Gradient rules by op type. */
export const GRAD_RULES: ReadonlyMap<string, GradRule> = new Map(
  FAMILIES.flat().flatMap((rule) => rule.ops.map((op) => [op, rule] as const)),
);

/** The same rules with guided backpropagation's ReLU (Springenberg et al. 2015, Sec. 3.4). */
export const GUIDED_RULES: ReadonlyMap<string, GradRule> = new Map([...GRAD_RULES, ['Relu', activations.guidedRelu]]);
