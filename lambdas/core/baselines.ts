// The two comparison rankers the benchmark runs beside the engine. Neither is meant for use:
// they show what the engine's attribution adds.

import type { Attribution } from './attribution.ts';
import type { Evidence } from './model.ts';
import type { Candidate } from './rank.ts';
import { meanLatency, rate } from './stats.ts';
import type { Topology } from './topology.ts';

/**
 * The project's original method: a DFS chain from the failed service, a service is unhealthy
 * when its error rate (4xx + 5xx) exceeds 5 %, score = dependencies × 0.3 + (chain length −
 * position) × 0.7. It ranks callers before callees.
 */
export function seedRanking(topo: Topology, starts: readonly number[]): Candidate[] {
  const chain: number[] = [];
  const seen = new Uint8Array(topo.nodes.length);
  for (const start of starts) {
    const stack = [start];
    while (stack.length > 0) {
      const v = stack.pop() as number;
      if (seen[v]) continue;
      seen[v] = 1;
      chain.push(v);
      const next = (topo.nodes[v]?.edges ?? []).map((e) => e.to).reverse();
      for (const to of next) if (!seen[to]) stack.push(to);
    }
  }
  const out: Candidate[] = [];
  chain.forEach((v, position) => {
    const s = topo.nodes[v]?.stats;
    if (!s || s.total === 0) return;
    const errorRate = rate(s.faults + s.errors + s.throttles, s.total);
    if (errorRate <= 0.05) return;
    const deps = topo.nodes[v]?.edges.length ?? 0;
    const score = deps * 0.3 + (chain.length - position) * 0.7;
    out.push(
      simple(v, score, 'errors', [
        evidence('faults', `error rate ${(100 * errorRate).toFixed(1)} %`, errorRate, s.total),
      ]),
    );
  });
  return out.sort((a, b) => b.score - a.score || a.node - b.node);
}

/** Each service by its fault-rate rise plus its mean-latency ratio, with no notion of propagation. */
export function naiveRanking(
  topo: Topology,
  attr: Attribution,
  scope: ReadonlySet<number> | undefined,
): Candidate[] {
  const out: Candidate[] = [];
  topo.nodes.forEach((nd, v) => {
    if (scope && !scope.has(v)) return;
    const s = nd.stats;
    const a = attr.node[v];
    if (!s || s.total === 0 || nd.isClient || !a) return;
    const b = a.baseline;
    const rise = Math.max(0, rate(s.faults, s.total) - (b ? rate(b.faults, b.total) : 0));
    const bm = b ? meanLatency(b) : 0;
    const ratio = bm > 0 ? meanLatency(s) / bm : 1;
    out.push(
      simple(v, rise + ratio, 'anomaly', [
        evidence('latency', `latency ratio ${ratio.toFixed(2)}`, ratio, s.total),
      ]),
    );
  });
  return out.sort((a, b) => b.score - a.score || a.node - b.node);
}

function simple(node: number, score: number, kind: string, ev: Evidence[]): Candidate {
  return {
    node,
    kind,
    kinds: [kind],
    score,
    severity: score,
    blameShare: 0,
    confidence: 0.5,
    support: Number.POSITIVE_INFINITY,
    evidence: ev,
    origin: true,
  };
}

function evidence(signal: Evidence['signal'], text: string, incident: number, requests: number): Evidence {
  return { signal, text, incident, requests };
}
