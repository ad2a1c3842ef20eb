// Where the CLI's output goes. A reader that stops reading (`… | head -1`) is not a failure: the rest
// of the output is dropped and the command ends as it would have. `--out` writes a file, never
// something that would block (a FIFO with no reader waits forever).

import { statSync, writeFileSync } from 'node:fs';
import { escapeUnsafe } from '../../lambdas/report/format.ts';
import { DEFAULT_WIDTH, outputWidth } from '../../lambdas/report/wrap.ts';

/** The streams already given the handler (a second call adds nothing). */
const tolerant = new WeakSet<NodeJS.WriteStream>();

/**
 * Drops the output once its reader has gone (EPIPE) instead of dying on an unhandled 'error' event.
 * Installed whatever other listeners there are: a loader's own (tsx, when the CLI runs from its
 * sources) does not stand in for it.
 */
export function tolerateClosedOutput(): void {
  for (const stream of [process.stdout, process.stderr]) {
    if (tolerant.has(stream)) continue;
    tolerant.add(stream);
    stream.on('error', (err: NodeJS.ErrnoException) => {
      if (err.code === 'EPIPE' || err.code === 'ERR_STREAM_DESTROYED') {
        stream.destroy();
        return;
      }
      throw err;
    });
  }
}

/** Why `--out` cannot be written, as a phrase after the file's name. */
export class OutputFileError extends Error {
  override readonly name = 'OutputFileError';
}

/** Writes `text` to `file`: a new or regular file, or a device such as /dev/null. */
export function writeOutputFile(file: string, text: string): void {
  let kind: string | undefined;
  try {
    const stat = statSync(file);
    if (stat.isDirectory()) kind = 'a directory';
    else if (stat.isFIFO()) kind = 'a FIFO (named pipe)';
    else if (stat.isSocket()) kind = 'a socket';
  } catch {
    // Not there yet (or not visible): writeFileSync says why if it cannot create it.
  }
  if (kind !== undefined)
    throw new OutputFileError(`is ${kind}; give a file, or leave out the option for standard output`);
  try {
    writeFileSync(file, text);
  } catch (err) {
    throw new OutputFileError((err as NodeJS.ErrnoException).code ?? (err as Error).message);
  }
}

/** A value for a command line the user may copy: as is when plain, else single-quoted, on one line. */
export function shellArg(value: string): string {
  return /^[A-Za-z0-9._:/=+@%-]+$/.test(value) ? value : `'${escapeUnsafe(value).replace(/'/g, `'\\''`)}'`;
}

/**
 * The width text output wraps to: COLUMNS, else the terminal's width, else 100 (wrap.ts); a report
 * written to a file (`--out`) always to 100, whatever the terminal.
 */
export function textWidth(out?: string): number {
  if (out !== undefined) return DEFAULT_WIDTH;
  return outputWidth(process.env, process.stdout.isTTY ? process.stdout.columns : undefined);
}
