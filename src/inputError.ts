/**
 * An error in what the user gave: a setting, a file or data to fix, not a failure of the work. The
 * CLI prints its message as one line, without a stack, and exits with status 2. Any layer may throw
 * it (a refused resume in the training loop, a damaged checkpoint), so it lives below them all.
 */
export class InputError extends Error {
  override readonly name: string = 'InputError';
}
