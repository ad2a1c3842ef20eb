// Roles: which anomalous services are origins, which only pass a callee's fault on (propagators),
// and which are degraded upstream of an origin (affected).

import type { Attribution, NodeAttr } from './attribution.ts';
import type { ServiceRole } from './model.ts';
import { ancestorsOf, type Topology } from './topology.ts';

export function isDegraded(a: NodeAttr): boolean {
  return a.anomalous.failures || a.anomalous.errors || a.anomalous.latency || a.unhealthy;
}

export function assignRoles(
  topo: Topology,
  attr: Attribution,
  origins: ReadonlySet<number>,
  scope: ReadonlySet<number> | undefined,
): ServiceRole[] {
  const upstream = new Set<number>();
  for (const o of origins) for (const a of ancestorsOf(topo, o)) upstream.add(a);
  return topo.nodes.map((nd, v) => {
    const a = attr.node[v] as NodeAttr;
    if (nd.isClient || !a.present || (scope && !scope.has(v))) return 'healthy';
    if (origins.has(v)) return 'origin';
    const anomalous = a.anomalous.failures || a.anomalous.errors || a.anomalous.latency;
    if (anomalous && upstream.has(v)) return 'propagator';
    if (isDegraded(a) && (upstream.has(v) || anomalous)) return 'affected';
    return 'healthy';
  });
}
