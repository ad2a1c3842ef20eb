// The cascade: paths from each origin up through the callers that carried its degradation to the
// users, the entry point users feel most, and the dependency chain of a service.

import type { Attribution, NodeAttr } from './attribution.ts';
import type { CascadePath, ChainEntry, GraphNode, ServiceRole } from './model.ts';
import type { Candidate } from './rank.ts';
import { latencySummary, rate, round } from './stats.ts';
import { descendantsOf, type Topology } from './topology.ts';

/** From each reported origin up through the callers that carried its degradation to an entry point. */
export function cascadePaths(
  topo: Topology,
  attr: Attribution,
  top: readonly Candidate[],
  roles: readonly ServiceRole[],
): CascadePath[] {
  const out: CascadePath[] = [];
  for (const [i, c] of top.entries()) {
    if (roles[c.node] !== 'origin') continue;
    const start = c.via ? c.via.caller : c.node;
    // Best caller of each node: the one whose edge carried the most flow; ties by index.
    const prev = new Map<number, number>();
    const seen = new Set<number>([start]);
    const queue = [start];
    for (let q = 0; q < queue.length; q++) {
      const v = queue[q] as number;
      const callers = [...(topo.callers[v] ?? [])]
        .filter((ce) => !topo.nodes[ce.from]?.isClient)
        .map((ce) => ({ from: ce.from, flow: attr.edgeFlow[ce.from]?.[ce.edge] ?? 0 }))
        .filter((ce) => ce.flow > 0 || roles[ce.from] !== 'healthy')
        .sort((x, y) => y.flow - x.flow || x.from - y.from);
      for (const ce of callers) {
        if (seen.has(ce.from)) continue;
        seen.add(ce.from);
        prev.set(ce.from, v);
        queue.push(ce.from);
      }
    }
    const ends = queue.filter((v) => topo.isEntry[v]);
    const terminals = ends.length > 0 ? ends : [queue[queue.length - 1] as number];
    const label = topo.labels[c.node] as string;
    for (const end of terminals.slice(0, 5)) {
      const chain: number[] = [end];
      let cur = end;
      while (prev.has(cur)) {
        cur = prev.get(cur) as number;
        chain.push(cur);
      }
      const services = chain.reverse().map((x) => topo.labels[x] as string);
      if (c.via) services.unshift(label);
      out.push({ rank: i + 1, origin: label, services });
    }
  }
  return out;
}

/** The entry point users feel most: the one carrying the largest degradation. */
export function pickSymptomEntry(topo: Topology, attr: Attribution): number | undefined {
  let best: number | undefined;
  let bestScore = -1;
  for (const e of topo.entries) {
    const a = attr.node[e] as NodeAttr;
    const n = topo.nodes[e]?.stats?.total ?? 0;
    const score = Math.max(0, a.excess.failures) + Math.max(0, a.excess.latency) * 10 + n * 1e-6;
    if (score > bestScore) {
      best = e;
      bestScore = score;
    }
  }
  return best;
}

export function chainOf(topo: Topology, from: number, roles: readonly ServiceRole[]): ChainEntry[] {
  return descendantsOf(topo, from).map(({ node, depth, parent }) => {
    const nd = topo.nodes[node] as GraphNode;
    const s = nd.stats;
    return {
      service: topo.labels[node] as string,
      type: nd.type,
      depth,
      parent: parent >= 0 ? (topo.labels[parent] as string) : null,
      role: roles[node] ?? 'healthy',
      faultRate: round(s ? rate(s.faults, s.total) : 0),
      p99: round(latencySummary(s).p99, 4),
    };
  });
}
