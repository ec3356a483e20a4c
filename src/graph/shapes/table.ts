/**
 * The shape rule table (STYLE.md 2: an explicit list, no registration by import side effects):
 * `op` (or `domain:op` outside the default ONNX domain) to its rule. Each family file lists its ops.
 */
import { constantRules } from './constant.ts';
import { controlRules } from './control.ts';
import { convRules } from './conv.ts';
import { elementwiseRules } from './elementwise.ts';
import { indexingRules } from './indexing.ts';
import { matmulRules } from './matmul.ts';
import { mlRules } from './ml.ts';
import { normRules } from './norm.ts';
import { reduceRules } from './reduce.ts';
import { reshapeRules } from './reshape.ts';
import { rnnRules } from './rnn.ts';
import { tfArrayRules } from './tf-array.ts';
import { tfNnRules } from './tf-nn.ts';
import type { Rule } from './types.ts';

/** Every shape rule, keyed by {@link ruleKey}. */
export const SHAPE_RULES: Readonly<Record<string, Rule>> = {
  ...elementwiseRules,
  ...convRules,
  ...matmulRules,
  ...reshapeRules,
  ...constantRules,
  ...indexingRules,
  ...reduceRules,
  ...normRules,
  ...rnnRules,
  ...controlRules,
  ...mlRules,
  ...tfNnRules,
  ...tfArrayRules,
};

/** The table key of an op: `Conv` for ONNX's default domain, `ai.onnx.ml:ZipMap`, `tf:Conv2D`. */
export function ruleKey(domain: string, op: string): string {
  return domain === '' || domain === 'ai.onnx' ? op : `${domain}:${op}`;
}
