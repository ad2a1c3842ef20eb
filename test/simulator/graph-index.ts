// Reads a simulated GetServiceGraph window back by service name, for tests that compare windows.

import type {
  XRayEdge,
  XRayService,
  XRayServiceGraph,
  XRayStatistics,
} from '../../lambdas/simulator/graph-builder.ts';
import { hasStatistics } from '../../lambdas/simulator/graph-builder.ts';

export interface GraphIndex {
  /** Non-client services by name. */
  readonly service: ReadonlyMap<string, XRayService>;
  /** Edges by "caller → callee" (caller a service or `users → entry` for client edges). */
  readonly edge: ReadonlyMap<string, XRayEdge>;
}

export function indexGraph(window: XRayServiceGraph | XRayServiceGraph[]): GraphIndex {
  const pages = Array.isArray(window) ? window : [window];
  const all = pages.flatMap((p) => p.Services);
  const byRef = new Map(all.map((s) => [s.ReferenceId, s]));
  const service = new Map<string, XRayService>();
  const edge = new Map<string, XRayEdge>();
  for (const s of all) {
    if (s.Type !== 'client') service.set(s.Name, s);
    for (const e of s.Edges) {
      const callee = byRef.get(e.ReferenceId);
      edge.set(`${s.Type === 'client' ? 'users' : s.Name} → ${callee?.Name ?? e.ReferenceId}`, e);
    }
  }
  return { service, edge };
}

export function stats(s: XRayService | XRayEdge | undefined): XRayStatistics {
  const st = s?.SummaryStatistics;
  if (!hasStatistics(st)) throw new Error('no statistics');
  return st;
}

export const failures = (s: XRayStatistics): number =>
  s.FaultStatistics.TotalCount + s.ErrorStatistics.ThrottleCount;
export const failureRate = (s: XRayStatistics): number => (s.TotalCount > 0 ? failures(s) / s.TotalCount : 0);
export const meanSeconds = (s: XRayStatistics): number =>
  s.TotalCount > 0 ? s.TotalResponseTime / s.TotalCount : 0;

/** Services that call `target`, directly or not, and those it calls, directly or not (through the topology's edges in this window). */
export function relatives(
  g: GraphIndex,
  target: string,
): { ancestors: Set<string>; descendants: Set<string> } {
  const calls = new Map<string, string[]>();
  for (const key of g.edge.keys()) {
    const [from, to] = key.split(' → ') as [string, string];
    if (from === 'users') continue;
    calls.set(from, [...(calls.get(from) ?? []), to]);
  }
  const walk = (start: string, next: (x: string) => string[]) => {
    const seen = new Set<string>();
    const queue = [start];
    while (queue.length > 0) {
      const x = queue.pop() as string;
      for (const y of next(x)) {
        if (seen.has(y) || y === start) continue;
        seen.add(y);
        queue.push(y);
      }
    }
    return seen;
  };
  const callersOf = (x: string) => [...calls.entries()].filter(([, tos]) => tos.includes(x)).map(([f]) => f);
  return { ancestors: walk(target, callersOf), descendants: walk(target, (x) => calls.get(x) ?? []) };
}
