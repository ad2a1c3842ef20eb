// Reads a JSON file named on the command line; a missing, unreadable, non-regular, oversized or
// malformed file is bad input (exit 2) with one line saying which file and why.

import { InputFileError, readInputFile } from '../../lambdas/local/input-file.ts';
import { UsageError } from './usage-error.ts';

/** `context` prefixes the messages, e.g. `simulate: ` (empty for none); `what` names the file's role. */
export function readJsonFile(file: string, options: { context?: string; what?: string } = {}): unknown {
  const context = options.context ?? '';
  let text: string;
  try {
    text = readInputFile(file);
  } catch (err) {
    if (!(err instanceof InputFileError)) throw err;
    const role = options.what ? `${options.what} file ` : '';
    throw new UsageError(`${context}cannot read ${role}"${file}": ${err.message}`);
  }
  try {
    return JSON.parse(text);
  } catch (err) {
    throw new UsageError(`${context}${file}: not valid JSON (${(err as Error).message})`);
  }
}
