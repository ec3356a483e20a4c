/** The CLI's commands, in help order. Each entry adds one subcommand to the program. */
import type { Command } from 'commander';
import { registerSummary } from './summary.ts';
import { registerDiagram } from './diagram.ts';
import { registerWeights } from './weights.ts';
import { registerRun } from './run.ts';
import { registerActivations } from './activations.ts';
import { registerExplain } from './explain.ts';
import { registerSanity } from './sanity.ts';
import { registerServe } from './serve.ts';
import { registerTrain } from './train.ts';
import { registerStart } from './start.ts';

/** A function that adds a subcommand to the program. */
export type RegisterCommand = (program: Command) => void;

export const COMMANDS: RegisterCommand[] = [
  registerSummary,
  registerDiagram,
  registerWeights,
  registerRun,
  registerActivations,
  registerExplain,
  registerSanity,
  registerServe,
  registerTrain,
  registerStart,
];
