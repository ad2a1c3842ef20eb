// Reads a file named on the command line without trusting it: only a regular file is read (a FIFO
// would wait for a writer forever, /dev/zero never ends), and at most MAX_INPUT_BYTES of it.

import { closeSync, constants, fstatSync, openSync, readSync, type Stats } from 'node:fs';

/** The largest input read: well above a 20,000-service graph snapshot (about 140 MB compact). */
export const MAX_INPUT_BYTES = 256 * 1024 * 1024;

/** Why a file cannot be read, as a phrase to follow its name ("no such file", "is a FIFO…"). */
export class InputFileError extends Error {
  override readonly name = 'InputFileError';
}

export function readInputFile(file: string, maxBytes = MAX_INPUT_BYTES): string {
  let fd: number;
  try {
    // Non-blocking, so that opening a FIFO returns at once (to be refused) instead of waiting.
    fd = openSync(file, constants.O_RDONLY | (constants.O_NONBLOCK ?? 0));
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    throw new InputFileError(
      code === 'ENOENT'
        ? 'no such file'
        : code === 'EACCES'
          ? 'permission denied'
          : code === 'EISDIR'
            ? 'is a directory'
            : (code ?? 'unreadable'),
    );
  }
  try {
    const stat = fstatSync(fd);
    if (stat.isDirectory()) throw new InputFileError('is a directory');
    if (!stat.isFile()) throw new InputFileError(`is ${kindOf(stat)}, not a regular file`);
    if (stat.size > maxBytes) throw new InputFileError(tooBig(stat.size, maxBytes));
    // Read to the end, whatever the size said (files in /proc say 0), but never past the limit.
    const chunks: Buffer[] = [];
    let total = 0;
    for (;;) {
      const chunk = Buffer.allocUnsafe(
        Math.min(Math.max(stat.size - total, 64 * 1024), maxBytes + 1 - total),
      );
      const n = readSync(fd, chunk, 0, chunk.length, null);
      if (n === 0) break;
      chunks.push(chunk.subarray(0, n));
      total += n;
      if (total > maxBytes) throw new InputFileError(tooBig(maxBytes, maxBytes, 'over'));
    }
    // A regular file arrives in one read of its size: decode that buffer rather than copy it first
    // (for a 70 MB graph the copy cost as much as the read).
    const whole = chunks.length === 1 ? (chunks[0] as Buffer) : Buffer.concat(chunks, total);
    return whole.toString('utf8');
  } catch (err) {
    if (err instanceof InputFileError) throw err;
    throw new InputFileError((err as NodeJS.ErrnoException).code ?? 'unreadable');
  } finally {
    closeSync(fd);
  }
}

function kindOf(stat: Stats): string {
  if (stat.isFIFO()) return 'a FIFO (named pipe)';
  if (stat.isCharacterDevice()) return 'a character device';
  if (stat.isBlockDevice()) return 'a block device';
  if (stat.isSocket()) return 'a socket';
  return 'not a file';
}

function tooBig(bytes: number, max: number, over = ''): string {
  const size = (b: number) => (b < 1024 * 1024 ? `${b} bytes` : `${(b / (1024 * 1024)).toFixed(1)} MiB`);
  return `is ${over ? 'over ' : ''}${size(bytes)}; an input file may have at most ${size(max)}`;
}
