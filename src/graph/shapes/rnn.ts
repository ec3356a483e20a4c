/**
 * Recurrent layers LSTM, GRU and RNN (ONNX Operators.md). With layout 0, X is
 * `[seq_length, batch_size, input_size]`, Y is `[seq_length, num_directions, batch_size, hidden_size]`
 * and Y_h (and LSTM's Y_c) `[num_directions, batch_size, hidden_size]`; layout 1 (opset 14) puts
 * the batch first: X `[batch, seq, input]`, Y `[batch, seq, num_directions, hidden]`, Y_h `[batch, num_directions, hidden]`.
 */
import type { Dim } from '../ir.ts';
import { attr } from '../ir.ts';
import type { Rule } from './types.ts';

const recurrent: Rule = (node, [x, w, r]) => {
  const dirs = attr(node, 'direction', 'string', 'forward') === 'bidirectional' ? 2 : 1;
  // hidden_size is optional in practice; R is [num_directions, gates * hidden, hidden].
  const hidden: Dim = attr(node, 'hidden_size', 'int', 0) || (r?.shape?.[2] ?? null);
  const batchFirst = attr(node, 'layout', 'int', 0) === 1;
  const seq = x?.shape?.[batchFirst ? 1 : 0] ?? null;
  const batch = x?.shape?.[batchFirst ? 0 : 1] ?? null;
  const dtype = x?.dtype ?? w?.dtype;
  const y = batchFirst ? [batch, seq, dirs, hidden] : [seq, dirs, batch, hidden];
  const state = (): Dim[] => (batchFirst ? [batch, dirs, hidden] : [dirs, batch, hidden]);
  return node.outputs.map((_, i) => ({ dtype, shape: i === 0 ? y : state() }));
};

/** Rules of this family, by ONNX op type. */
export const rnnRules: Record<string, Rule> = {
  LSTM: recurrent,
  GRU: recurrent,
  RNN: recurrent,
};
