/**
 * Fits the shape of a prepared input (image tensor, table rows, .npy array) to the shape a model's
 * input declares. Only reshapes that cannot reorder values are made: adding or removing axes of
 * size 1 (`[1, 1, 28, 28]` for a model taking `[N, 28, 28]`), and flattening everything after the
 * batch axis for a model taking `[N, F]` (an MLP on 28x28 digits). Anything else is a clear error.
 */
import { NnlensError } from '../errors.ts';
import type { Shape } from '../graph/ir.ts';
import { shapeText } from '../graph/ir.ts';

const prod = (a: readonly number[]): number => a.reduce((x, y) => x * y, 1);

/**
 * Returns the shape to feed (`given` itself, or a reshape of it), or throws an NnlensError naming
 * `file`, both shapes and the model input.
 * @example fitShape([1, 1, 28, 28], ['N', 784], 'digit.png', 'input') // [1, 784]
 */
export function fitShape(given: readonly number[], expected: Shape | undefined, file: string, inputName = 'input'): number[] {
  if (!expected) return [...given];
  const fail = (why: string): never => {
    throw new NnlensError(file, `gives shape ${shapeText([...given])}, but the model's input '${inputName}' takes ${shapeText(expected)}${why ? ` (${why})` : ''}`);
  };
  const batch = given[0] ?? 1;
  const e0 = expected[0];
  if (given.length === expected.length && given.every((d, i) => typeof expected[i] !== 'number' || expected[i] === d)) return [...given];
  if (typeof e0 === 'number' && e0 !== batch && expected.length > 0) {
    if (given.length === expected.length && given.slice(1).every((d, i) => typeof expected[i + 1] !== 'number' || expected[i + 1] === d)) {
      fail(`the model takes a batch of exactly ${e0}, this input has ${batch}`);
    }
  }
  const rest = expected.slice(1);
  const givenRest = given.slice(1);
  const batchOk = typeof e0 !== 'number' || e0 === batch;
  if (batchOk && rest.every((d): d is number => typeof d === 'number')) {
    // Flatten to [N, F]
    if (rest.length === 1 && prod(givenRest) === rest[0]) return [batch, rest[0]];
    // Add or remove unit axes
    const nonUnit = (a: readonly number[]): string => a.filter((d) => d !== 1).join(',');
    if (nonUnit(givenRest) === nonUnit(rest)) return [batch, ...rest];
  }
  if (batchOk && given.length === expected.length) {
    const bad = given.map((d, i) => (typeof expected[i] === 'number' && expected[i] !== d ? i : -1)).filter((i) => i >= 0);
    return fail(`axis ${bad.join(', ')} differ${bad.length === 1 ? 's' : ''}`);
  }
  return fail('');
}

/**
 * Splits a batch into single-sample shapes when a model takes a fixed batch of 1 (so several CSV
 * rows can still be run one after the other). Returns the per-sample shape, or undefined when the
 * model accepts the whole batch.
 * @example perSampleShape([5, 12], [1, 12]) // [1, 12]
 */
export function perSampleShape(given: readonly number[], expected: Shape | undefined): number[] | undefined {
  if (!expected || expected[0] !== 1 || (given[0] ?? 1) <= 1) return undefined;
  return [1, ...given.slice(1)];
}
