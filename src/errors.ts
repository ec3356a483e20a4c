/**
 * The one error type users see. Bad input must produce one line that names the file and the
 * problem (DEVELOPERS.md, "Bad input"); the CLI prints `message` and exits with code 2.
 */
export class NnlensError extends Error {
  /**
   * @param file the file (or folder) at fault, as the user gave it or as found beside it
   * @param problem what is wrong, in words a user can act on
   * @example throw new NnlensError('model.onnx', 'truncated protobuf: field 7 runs past the end of the file')
   */
  constructor(readonly file: string, readonly problem: string) {
    super(file ? `${file}: ${problem}` : problem);
    this.name = 'NnlensError';
  }
}

/** Wraps any thrown value as an NnlensError about `file`, keeping NnlensErrors as they are. */
export function asNnlensError(file: string, err: unknown): NnlensError {
  if (err instanceof NnlensError) return err;
  const msg = err instanceof Error ? err.message : String(err);
  return new NnlensError(file, msg.split('\n')[0] ?? msg);
}
