import { InputError } from '../inputError.ts';

/**
 * An `InputError` in what the user typed or pointed at (a bad override, an unknown pipeline): the
 * CLI prints its message as one line, without a stack, and exits with status 2.
 */
export class UsageError extends InputError {
  override readonly name = 'UsageError';
}
