/**
 * Lowerings from source formats to plain ONNX ops, by model format: an explicit table (STYLE.md 2),
 * read by `toExec` in engine/exec.ts. ONNX models need none; TF.js graph models have none yet.
 */
import type { Lowering } from '../exec.ts';
import { lowerKeras } from './keras.ts';

/** Lowering per model format. */
export const LOWERINGS: Readonly<Record<string, Lowering>> = {
  keras: lowerKeras,
  'tfjs-layers': lowerKeras,
};
