// Blast radius: who is hurt when a service fails, and how much of the users' traffic reaches it.

import type { BlastRadius, GraphNode, ServiceRole } from './model.ts';
import { round } from './stats.ts';
import { ancestorsOf, type Topology } from './topology.ts';

/**
 * Who is hurt if `v` fails: its callers (transitively), the anomalous ones among them, the entry
 * points reached and the share of entry traffic whose calls reach `v` (from edge call counts).
 */
export function blastRadiusOf(
  topo: Topology,
  v: number,
  roles: readonly ServiceRole[],
  includeSelf = false,
): BlastRadius {
  const ancestors = ancestorsOf(topo, v);
  const members = new Set([...ancestors, v]);
  // p[u] = probability that a request at u leads to a call reaching v, callees before callers.
  const p = new Map<number, number>([[v, 1]]);
  const order = [...topo.order].reverse();
  for (const u of order) {
    if (u === v || !members.has(u)) continue;
    const nd = topo.nodes[u] as GraphNode;
    const total = nd.stats?.total ?? 0;
    let miss = 1;
    nd.edges.forEach((e) => {
      const pc = p.get(e.to);
      if (pc === undefined || topo.backEdge[u]?.has(e.to)) return;
      const perRequest = total > 0 ? Math.min(1, (e.stats?.total ?? 0) / total) : e.stats ? 1 : 0.5;
      miss *= 1 - perRequest * pc;
    });
    p.set(u, 1 - miss);
  }
  const entrySet = topo.entries.filter((e) => members.has(e));
  let reach = 0;
  let all = 0;
  for (const e of topo.entries) {
    const n = topo.nodes[e]?.stats?.total ?? 0;
    all += n;
    reach += n * (p.get(e) ?? 0);
  }
  const names = (xs: number[]) => xs.map((x) => topo.labels[x] as string).sort();
  const affected = ancestors.filter(
    (a) => roles[a] === 'propagator' || roles[a] === 'affected' || roles[a] === 'origin',
  );
  return {
    affected: names(includeSelf ? [...new Set([v, ...affected])] : affected),
    atRisk: names(includeSelf ? [v, ...ancestors] : ancestors),
    entryPoints: names(entrySet),
    entryTrafficShare: round(all > 0 ? reach / all : 0, 3),
  };
}
