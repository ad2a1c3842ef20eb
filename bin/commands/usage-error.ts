// Bad input from the command line: exit status 2 and one line on stderr.

export class UsageError extends Error {
  override readonly name = 'UsageError';
}

/**
 * node:util parseArgs's complaint as one line. Its message for `--limit -1` spans three lines
 * ("argument is ambiguous", "Did you forget…", "use '--limit=-XYZ'"): the first, and how to write it.
 */
export function argsProblem(err: unknown): string {
  const message = err instanceof Error ? err.message : String(err);
  const first = message.split('\n')[0] ?? '';
  const ambiguous = /^Option '(-[^']*)' argument is ambiguous/.exec(first);
  if (ambiguous) {
    const option = ambiguous[1] ?? '';
    return `${option} needs a value; for one that starts with a dash, write ${option}=VALUE (e.g. ${option}=-1)`;
  }
  return first;
}
