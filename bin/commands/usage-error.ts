// Bad input from the command line: exit status 2 and one line on stderr.

export class UsageError extends Error {
  override readonly name = 'UsageError';
}
