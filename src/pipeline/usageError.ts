/**
 * An error caused by what the user typed or pointed at (a bad override, an unknown pipeline): the
 * CLI prints its message as one line, without a stack, and exits with status 2.
 */
export class UsageError extends Error {
  override readonly name = 'UsageError';
}
