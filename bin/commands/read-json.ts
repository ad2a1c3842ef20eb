// Reads a JSON file named on the command line; a missing, unreadable or malformed file is bad
// input (exit 2) with one line saying which file and why.

import { readFileSync } from 'node:fs';
import { UsageError } from './usage-error.ts';

/** `context` prefixes the messages, e.g. `simulate: ` (empty for none); `what` names the file's role. */
export function readJsonFile(file: string, options: { context?: string; what?: string } = {}): unknown {
  const context = options.context ?? '';
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    const why =
      code === 'ENOENT' ? 'no such file' : code === 'EISDIR' ? 'is a directory' : (code ?? 'unreadable');
    const role = options.what ? `${options.what} file ` : '';
    throw new UsageError(`${context}cannot read ${role}"${file}": ${why}`);
  }
  try {
    return JSON.parse(text);
  } catch (err) {
    throw new UsageError(`${context}${file}: not valid JSON (${(err as Error).message})`);
  }
}
