/**
 * The `nnlens` command line. Each command lives in its own file under `commands/` and is listed
 * in COMMANDS below (explicit registration, STYLE.md 2); this file only parses and reports errors.
 */
import { Command, CommanderError } from 'commander';
import { NnlensError } from '../errors.ts';
import { COMMANDS } from './commands/index.ts';

/**
 * Runs the CLI with `argv` (without `node` and the script) and returns the exit code:
 * 0 on success, 2 for bad input (one line naming the file and the problem), 1 for internal errors.
 * @example process.exitCode = await main(['summary', 'model.onnx'])
 */
export async function main(argv: string[]): Promise<number> {
  const program = new Command('nnlens')
    .description('See inside neural networks: graphs, weights, activations and explanations.')
    .exitOverride()
    .configureOutput({ writeErr: (s) => process.stderr.write(s) });
  for (const register of COMMANDS) register(program);
  try {
    await program.parseAsync(argv, { from: 'user' });
    return typeof process.exitCode === 'number' ? process.exitCode : 0;
  } catch (e) {
    if (e instanceof CommanderError) return e.exitCode === 0 ? 0 : 2;
    if (e instanceof NnlensError) {
      process.stderr.write(`nnlens: ${e.message}\n`);
      return 2;
    }
    const err = e as Error;
    process.stderr.write(`nnlens: internal error: ${(err?.message ?? String(e)).split('\n')[0]}\n`);
    if (process.env.NNLENS_DEBUG) process.stderr.write(`${err?.stack}\n`);
    return 1;
  }
}
