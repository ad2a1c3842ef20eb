// A data folder that another process holds is an expected refusal, not an unexpected failure:
// every command that opens the folder prints one line naming the holder and exits 1.

import { DataDirBusyError } from '../../lambdas/local/data-dir.ts';
import { escapeUnsafe } from '../../lambdas/report/format.ts';

/** What `unlessBusy` returns when another process holds the folder (the line is printed). */
export const BUSY = Symbol('data folder busy');

export async function unlessBusy<T>(command: string, open: () => Promise<T>): Promise<T | typeof BUSY> {
  try {
    return await open();
  } catch (err) {
    if (!(err instanceof DataDirBusyError)) throw err;
    process.stderr.write(`cascade-analyzer: ${command}: ${escapeUnsafe(err.message)}\n`);
    return BUSY;
  }
}
