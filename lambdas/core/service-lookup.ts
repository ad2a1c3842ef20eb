// Is a named service in the graph, and if not, which names did the caller probably mean? Pure: the
// check the engine makes when it is scoped to a service, done before calling it, so that a name
// that is not in the graph is refused instead of analyzed as the whole graph.

import type { ServiceGraph } from './model.ts';
import { buildTopology } from './topology.ts';

/** At most this many suggestions. */
export const MAX_SUGGESTIONS = 3;

/** The names of the graph's services (not its `client` nodes), sorted, each once. */
export function serviceNamesOf(graph: ServiceGraph): string[] {
  return [...new Set(graph.nodes.filter((n) => !n.isClient).map((n) => n.name))].sort();
}

/**
 * True when the engine, scoped to `name`, would find it: a service's name, its `Name` plus `Type`
 * key, or its label (the name with its type when one name has several types).
 */
export function hasService(graph: ServiceGraph, name: string): boolean {
  const topo = buildTopology(graph);
  return topo.nodes.some(
    (n, i) => !n.isClient && (n.name === name || n.key === name || topo.labels[i] === name),
  );
}

/**
 * One line refusing `name`, which is not in `graph`, with the graph's closest service names. Names
 * are JSON-quoted, so that a control character in them cannot break or forge the line.
 */
export function notInGraphMessage(graph: ServiceGraph, name: string): string {
  const close = closestNames(name, serviceNamesOf(graph));
  return (
    `service ${JSON.stringify(name)} is not in the graph` +
    (close.length > 0 ? `; did you mean ${close.map((s) => JSON.stringify(s)).join(', ')}?` : '')
  );
}

/**
 * The names among `names` closest to `wanted`, best first, at most `MAX_SUGGESTIONS`: the same name
 * in another case, then names containing it or contained in it, then close misspellings (a letter
 * missing, added, changed or two letters swapped: `fronend` and `fronted` → `frontend`).
 */
export function closestNames(wanted: string, names: Iterable<string>): string[] {
  const lower = wanted.toLowerCase();
  if (lower === '') return [];
  const all = [...new Set(names)].sort();
  const picked: string[] = [];
  const add = (xs: readonly string[]) => {
    for (const x of xs) if (!picked.includes(x)) picked.push(x);
  };
  add(all.filter((n) => n.toLowerCase() === lower));
  add(all.filter((n) => n.toLowerCase().includes(lower) || lower.includes(n.toLowerCase())));
  const budget = lower.length <= 4 ? 1 : lower.length <= 8 ? 2 : 3;
  add(
    all
      .map((n) => ({ n, d: editDistance(lower, n.toLowerCase(), budget) }))
      .filter((x) => x.d <= budget)
      .sort((a, b) => a.d - b.d || (a.n < b.n ? -1 : a.n > b.n ? 1 : 0))
      .map((x) => x.n),
  );
  return picked.slice(0, MAX_SUGGESTIONS);
}

/**
 * Optimal string alignment distance (insertions, deletions, substitutions, adjacent swaps), or
 * `limit + 1` as soon as it is sure to exceed `limit`: long names cost nothing to rule out.
 */
export function editDistance(a: string, b: string, limit: number = Number.POSITIVE_INFINITY): number {
  if (Math.abs(a.length - b.length) > limit) return limit + 1;
  let before: number[] = [];
  let prev = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const cur = [i];
    let best = i;
    for (let j = 1; j <= b.length; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      let d = Math.min((prev[j] ?? 0) + 1, (cur[j - 1] ?? 0) + 1, (prev[j - 1] ?? 0) + cost);
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1]) {
        d = Math.min(d, (before[j - 2] ?? 0) + 1);
      }
      cur.push(d);
      best = Math.min(best, d);
    }
    if (best > limit) return limit + 1;
    before = prev;
    prev = cur;
  }
  return prev[b.length] ?? 0;
}
