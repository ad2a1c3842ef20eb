// Health: each service's figures and role for the finding, and the system health score.

import type { Attribution, NodeAttr } from './attribution.ts';
import type { AnalysisConfig } from './config.ts';
import type {
  GraphSnapshot,
  RequestStats,
  ServiceHealth,
  ServiceMetrics,
  ServiceRole,
  Signal,
} from './model.ts';
import { nodeSeverity } from './rank.ts';
import { clamp, latencySummary, rate, round, windowSeconds } from './stats.ts';
import type { Topology } from './topology.ts';

export function serviceHealth(
  topo: Topology,
  attr: Attribution,
  roles: readonly ServiceRole[],
  cfg: AnalysisConfig,
  snapshot: GraphSnapshot,
  scope: ReadonlySet<number> | undefined,
  metrics: Readonly<Record<string, ServiceMetrics>>,
): ServiceHealth[] {
  const seconds = windowSeconds(snapshot.incident.window);
  const out: ServiceHealth[] = [];
  topo.nodes.forEach((nd, v) => {
    const a = attr.node[v] as NodeAttr;
    const s = nd.stats;
    if (nd.isClient || !s || s.total === 0 || (scope && !scope.has(v))) return;
    const b = a.baseline;
    const cpu = metrics[nd.name]?.cpuPercent;
    const signals = signalsOf(a, s, cfg);
    const strongest = signals[0];
    const selfShare =
      strongest === undefined
        ? 1
        : strongest === 'latency'
          ? a.selfShare.latency
          : strongest === 'errors'
            ? a.selfShare.errors
            : a.selfShare.failures;
    out.push({
      service: nd.name,
      type: nd.type,
      key: nd.key,
      role: roles[v] ?? 'healthy',
      requests: s.total,
      requestRate: round(seconds > 0 ? s.total / seconds : 0, 3),
      faultRate: round(rate(s.faults, s.total)),
      errorRate: round(rate(s.errors, s.total)),
      throttleRate: round(rate(s.throttles, s.total)),
      latency: roundLatency(latencySummary(s)),
      ...(b
        ? {
            baseline: {
              requests: b.total,
              faultRate: round(rate(b.faults, b.total)),
              errorRate: round(rate(b.errors, b.total)),
              throttleRate: round(rate(b.throttles, b.total)),
              latency: roundLatency(latencySummary(b)),
            },
          }
        : {}),
      ...(cpu !== undefined ? { cpuPercent: round(cpu, 1) } : {}),
      unhealthy: a.unhealthy || (cpu !== undefined && cpu > cfg.cpuPercent),
      anomalous: signals.length > 0,
      signals,
      selfShare: round(selfShare, 3),
    });
  });
  const roleOrder: Record<ServiceRole, number> = { origin: 0, propagator: 1, affected: 2, healthy: 3 };
  return out.sort((x, y) => roleOrder[x.role] - roleOrder[y.role] || cmp(x.key, y.key));
}

/** Signals on which a service is anomalous, strongest first; none, without weighing, for a calm one (most). */
function signalsOf(a: NodeAttr, s: RequestStats, cfg: AnalysisConfig): Signal[] {
  if (!(a.anomalous.failures || a.anomalous.errors || a.anomalous.latency)) return [];
  const sev = nodeSeverity(a, cfg);
  return (
    [
      ['faults', a.anomalous.failures && s.faults >= s.throttles ? sev.failures + 1e-9 : 0],
      ['throttles', a.anomalous.failures && s.throttles > s.faults ? sev.failures + 1e-9 : 0],
      ['errors', a.anomalous.errors ? sev.errors + 1e-9 : 0],
      ['latency', a.anomalous.latency ? sev.latency + 1e-9 : 0],
    ] as [Signal, number][]
  )
    .filter(([, x]) => x > 0)
    .sort((x, y) => y[1] - x[1])
    .map(([sig]) => sig);
}

const roundLatency = (l: { mean: number; p50: number; p90: number; p99: number }) => ({
  mean: round(l.mean, 4),
  p50: round(l.p50, 4),
  p90: round(l.p90, 4),
  p99: round(l.p99, 4),
});

/**
 * System health in [0, 1]: 0.7 × the share of user requests that were served well (traffic-
 * weighted over entry points, as the users' own calls into each show it where X-Ray has them: not a
 * fault, not throttled, and no slower than the p99 threshold
 * allows) + 0.3 × the share of services that are not anomalous. More faults, more latency or more
 * anomalous services never raise it.
 */
export function computeSystemHealth(
  topo: Topology,
  attr: Attribution,
  cfg: AnalysisConfig,
  scope: ReadonlySet<number> | undefined,
): number {
  const entries = scope ? [...scope].slice(0, 1) : topo.entries;
  let served = 0;
  let total = 0;
  for (const e of entries) {
    // The users' own view of an entry (their calls into it) where X-Ray has it: a fault in front
    // of the service shows there and not in its own figures.
    const usersView = (topo.callers[e] ?? [])
      .filter((c) => topo.nodes[c.from]?.isClient)
      .map((c) => topo.nodes[c.from]?.edges[c.edge]?.stats)
      .filter((st): st is RequestStats => st !== undefined && st.total > 0);
    const own = topo.nodes[e]?.stats;
    const views = usersView.length > 0 ? usersView : own && own.total > 0 ? [own] : [];
    for (const s of views) {
      const good = 1 - rate(s.faults + s.throttles, s.total);
      const p99 = latencySummary(s).p99;
      const speed = p99 > cfg.p99Seconds ? cfg.p99Seconds / p99 : 1;
      served += s.total * good * speed;
      total += s.total;
    }
  }
  let considered = 0;
  let calm = 0;
  topo.nodes.forEach((nd, v) => {
    const a = attr.node[v] as NodeAttr;
    if (nd.isClient || !a.present || (scope && !scope.has(v))) return;
    considered++;
    if (!(a.anomalous.failures || a.anomalous.errors || a.anomalous.latency)) calm++;
  });
  const users = total > 0 ? served / total : 1;
  const services = considered > 0 ? calm / considered : 1;
  return clamp(0.7 * users + 0.3 * services, 0, 1);
}

function cmp(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
