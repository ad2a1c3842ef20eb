// Typed errors of the simulator, so that the CLI can tell bad input (exit 2) from a bug.

/** A topology, a fault or an option the simulator cannot use; the message is one plain line. */
export class SimulationInputError extends Error {
  override readonly name = 'SimulationInputError';
}

/** Closest names to `wanted` among `names` (substring either way, then shared prefix), at most 3. */
export function suggest(wanted: string, names: Iterable<string>): string[] {
  const lower = wanted.toLowerCase();
  const all = [...new Set(names)];
  const contains = all.filter((n) => n.toLowerCase().includes(lower) || lower.includes(n.toLowerCase()));
  if (contains.length > 0) return contains.slice(0, 3);
  const prefix = (a: string) => {
    let i = 0;
    const b = a.toLowerCase();
    while (i < b.length && i < lower.length && b[i] === lower[i]) i++;
    return i;
  };
  return all
    .map((n) => ({ n, p: prefix(n) }))
    .filter((x) => x.p >= 3)
    .sort((a, b) => b.p - a.p || (a.n < b.n ? -1 : 1))
    .slice(0, 3)
    .map((x) => x.n);
}
