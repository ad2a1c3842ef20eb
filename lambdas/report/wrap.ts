// Text that fits the reader's terminal: words wrapped at spaces, continuation lines indented under
// the first line's text, and no line longer than the width (issue 19: one screen to the answer).

/** The width text output wraps to when the terminal does not say (a pipe, a file, CI). */
export const DEFAULT_WIDTH = 100;
const MIN_WIDTH = 40;
const MAX_WIDTH = 200;

/**
 * The width to wrap to: `COLUMNS` when it is set to a number (shells export it; a user can set it),
 * else the terminal's own width, else 100. Clamped to 40–200 so that a hanging indent always
 * leaves room for words.
 */
export function outputWidth(env: NodeJS.ProcessEnv, terminalColumns: number | undefined): number {
  const fromEnv = Number.parseInt(env.COLUMNS ?? '', 10);
  const width = Number.isFinite(fromEnv) && fromEnv > 0 ? fromEnv : (terminalColumns ?? DEFAULT_WIDTH);
  return Math.max(MIN_WIDTH, Math.min(MAX_WIDTH, width));
}

/**
 * `text` wrapped to `width`: the first line starts with `first` (a label, padded by the caller),
 * the others with `rest` (spaces as wide as the label). A word longer than a line (an ARN, an id)
 * is cut into line-sized pieces rather than left to overflow; a link stays whole, on a line of its own.
 */
export function wrap(text: string, width: number, first = '', rest = ' '.repeat(first.length)): string[] {
  const lines: string[] = [];
  let line = first;
  let empty = true;
  const room = (prefix: string) => Math.max(1, width - prefix.length);
  for (const word of words(text)) {
    const prefix = lines.length === 0 ? first : rest;
    if (!empty && line.length + 1 + word.length <= width) {
      line += ` ${word}`;
      continue;
    }
    if (!empty) {
      lines.push(line);
      line = rest;
    }
    let piece = word;
    const cap = room(lines.length === 0 ? prefix : rest);
    // A link stays whole (cut, it would not open); any other over-long word is cut to fit.
    while (piece.length > cap && !/^https?:\/\//.test(piece)) {
      lines.push(`${line}${piece.slice(0, cap)}`);
      line = rest;
      piece = piece.slice(cap);
    }
    line += piece;
    empty = false;
  }
  lines.push(empty ? first.trimEnd() : line);
  return lines;
}

/** A unit after a number: it stays on the number's line ("30 %", "4.00 s", "12 min"). */
const UNIT = /^(?:%|ms|s|min|h|[KMG]iB|MB|KB|GB)(?:[^\p{L}\p{N}]|$)/u;

/** The words of `text`, a unit kept with the number before it. */
function words(text: string): string[] {
  const out: string[] = [];
  for (const w of text.split(/\s+/)) {
    if (w.length === 0) continue;
    const prev = out[out.length - 1];
    if (prev !== undefined && /\d$/.test(prev) && UNIT.test(w)) out[out.length - 1] = `${prev} ${w}`;
    else out.push(w);
  }
  return out;
}

/** Every line of a block wrapped to `width`, each keeping its own leading spaces as its indent. */
export function wrapBlock(block: string, width: number): string {
  return block
    .split('\n')
    .flatMap((l) => {
      if (l.length <= width) return [l];
      const indent = /^\s*/.exec(l)?.[0] ?? '';
      return wrap(l.slice(indent.length), width, indent, `${indent}  `);
    })
    .join('\n');
}
