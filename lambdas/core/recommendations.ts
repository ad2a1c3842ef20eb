// What to do now, tied to the numbers that made each root cause: one recommendation per
// pattern seen, naming the service to change and the evidence behind it.

import type { Attribution, NodeAttr } from './attribution.ts';
import type { AnalysisConfig } from './config.ts';
import { LINK_KINDS, type LinkGroup, linkEndName, ms } from './links.ts';
import type { GraphNode, Recommendation, RequestStats, ServiceMetrics } from './model.ts';
import { rateText } from './percent.ts';
import type { Candidate } from './rank.ts';
import { latencySummary, meanLatency, rate } from './stats.ts';
import type { Topology } from './topology.ts';

const pct = rateText;

/**
 * A duration someone will type into a config: two significant figures (601 ms → 600 ms,
 * 1.234 s → 1.2 s), never the false precision of a measured p99.
 */
export function configMs(seconds: number): string {
  const millis = seconds * 1000;
  if (!(millis >= 1)) return '1 ms';
  const step = 10 ** Math.max(0, Math.floor(Math.log10(millis)) - 1);
  const rounded = Math.round(millis / step) * step;
  return rounded >= 1000 ? `${Number((rounded / 1000).toPrecision(2))} s` : `${rounded} ms`;
}

export function recommend(
  topo: Topology,
  attr: Attribution,
  top: readonly Candidate[],
  cfg: AnalysisConfig,
  metrics: Readonly<Record<string, ServiceMetrics>> = {},
): Recommendation[] {
  const out: Recommendation[] = [];
  const seen = new Set<string>();
  const add = (r: Recommendation) => {
    const k = `${r.service}|${r.action}`;
    if (seen.has(k)) return;
    seen.add(k);
    out.push(r);
  };
  const adviseOn = (c: Candidate): void => {
    const nd = topo.nodes[c.node] as GraphNode;
    const a = attr.node[c.node] as NodeAttr;
    const label = topo.labels[c.node] as string;
    const s = nd.stats;
    if (!s) return;
    const callers = logicalCallers(topo, c.node)
      .map((ce) => ({
        ...ce,
        label: topo.labels[ce.from] as string,
        name: topo.nodes[ce.from]?.name ?? '',
        calls: topo.nodes[ce.from]?.edges[ce.edge]?.stats?.total ?? 0,
      }))
      .sort((x, y) => y.calls - x.calls || cmp(x.label, y.label));
    const callerNames = listOf(callers.map((ce) => ce.label));
    // Advice about calls goes to the caller that makes most of them (the others are named in the text).
    const adviseCaller = callers[0]?.name ?? nd.name;

    if (c.via) {
      const caller = topo.labels[c.via.caller] as string;
      const es = topo.nodes[c.via.caller]?.edges[c.via.edge]?.stats;
      const callerName = topo.nodes[c.via.caller]?.name ?? caller;
      const seen = es ? `${es.faults + es.throttles} of ${es.total}` : 'see evidence';
      add({
        service: callerName,
        action:
          c.kind === 'throttled-link' ? 'rate-limit' : c.kind === 'slow-link' ? 'timeout' : 'circuit-breaker',
        text:
          c.kind === 'slow-link'
            ? `Calls from ${caller} to ${label} are slower than ${label} itself: check the network path and connection pool of ${caller}, and bound the call with a timeout near ${configMs(latencySummary(es).p99)} (its p99).`
            : c.kind === 'throttled-link'
              ? `${caller}'s calls to ${label} are throttled before ${label} sees them (${seen}): rate-limit ${caller} below the quota in front of ${label} (API gateway, service quota) and retry with exponential backoff and jitter.`
              : `${caller} fails calls to ${label} that ${label} never records (${seen}): check connectivity, DNS, security groups and connection limits between them, and put a circuit breaker on the call.`,
      });
      return;
    }
    if (c.linkGroup && LINK_KINDS.has(c.kind)) {
      add(linkGroupAdvice(topo, c.kind, c.linkGroup, label, nd.name));
      return;
    }
    if (c.kind === 'new-dependency') {
      add({
        service: nd.name,
        action: 'rollback',
        text: `${label} started calling a dependency that is not in the baseline and those calls fail: roll back or fix the change to ${nd.name} deployed just before ${attr.node[c.node]?.hasBaseline ? 'the incident' : 'the window'}.`,
      });
      return;
    }
    const failureRate = rate(s.faults + s.throttles, s.total);
    const baseFailure = a.baseline ? rate(a.baseline.faults + a.baseline.throttles, a.baseline.total) : 0;
    if (c.kind === 'throttling' || s.throttles > s.faults) {
      add({
        service: nd.name,
        action: 'rate-limit',
        text: `${label} throttles ${pct(rate(s.throttles, s.total))} of ${s.total} requests: rate-limit ${callerNames} to ${label}'s capacity and retry with exponential backoff and jitter.`,
      });
    } else if (a.anomalous.failures && nd.inferred) {
      add({
        service: adviseCaller,
        action: 'circuit-breaker',
        text: `${label} is a dependency outside your services failing ${pct(failureRate)} of calls (baseline ${pct(baseFailure)}): put a circuit breaker in ${callerNames} with a fallback queue so that requests are kept and replayed when ${label} recovers.`,
      });
    } else if (a.anomalous.failures) {
      add({
        service: nd.name,
        action: 'investigate',
        text: `${label}'s own faults rose to ${pct(failureRate)} of ${s.total} requests (baseline ${pct(baseFailure)}) while its callees stayed healthy: look at its logs and at deployments or configuration changes from the start of the window; roll back if one lines up.`,
      });
    }
    const cpu = metrics[nd.name]?.cpuPercent;
    const hot = cpu !== undefined && cpu > cfg.cpuPercent;
    if (hot && (a.anomalous.latency || a.anomalous.failures)) {
      add({
        service: nd.name,
        action: 'bulkhead',
        text: `${label} runs hot at ${cpu.toFixed(0)} % CPU (above ${cfg.cpuPercent} %) while degraded: scale it out, and isolate its callers with bulkheads (separate pools per caller) so one cannot starve the others.`,
      });
    }
    if (a.anomalous.latency) {
      const base = a.baseline ? latencySummary(a.baseline) : undefined;
      const now = latencySummary(s);
      const load = loadRatio(a);
      if (load >= 1.3 && !hot) {
        add({
          service: nd.name,
          action: 'bulkhead',
          text: `${label} slowed from ${ms(meanLatency(a.baseline))} to ${ms(now.mean)} mean while its request rate grew ${load.toFixed(1)}× over the baseline, so it is saturated: scale ${label} out and isolate its callers with bulkheads (separate pools per caller).`,
        });
      }
      if (callers.length > 0) {
        const target = base ? Math.max(base.p99 * 1.5, 0.05) : cfg.p99Seconds;
        add({
          service: adviseCaller,
          action: 'timeout',
          text: `${label}'s p99 is ${ms(now.p99)}${base ? ` (baseline ${ms(base.p99)})` : ''}: give ${callerNames} a timeout on calls to ${label} near ${configMs(target)} so that slowness fails fast instead of holding their threads.`,
        });
      }
    }
    // Retries amplify load: callers now make more calls per request to the failing service.
    for (const ce of callers) {
      const e = topo.nodes[ce.from]?.edges[ce.edge];
      const ea = attr.edge[ce.from]?.[ce.edge];
      const callerA = attr.node[ce.from];
      const cs = topo.nodes[ce.from]?.stats;
      if (!e?.stats || !ea?.baseline || !callerA?.baseline || !cs || cs.total === 0) continue;
      const now = e.stats.total / cs.total;
      const before = ea.baseline.total / Math.max(1, callerA.baseline.total);
      if (before > 0 && now / before >= 1.3 && (a.anomalous.failures || a.anomalous.latency)) {
        add({
          service: ce.name,
          action: 'retry-budget',
          text: `${ce.label} now makes ${now.toFixed(2)} calls to ${label} per request against ${before.toFixed(2)} in the baseline, and its retries add load to a struggling service: cap ${ce.label}'s retries with a retry budget (e.g. 10 % of calls) and back off with jitter.`,
        });
      }
    }
  };
  // The first step is about the first line, whatever it is: its own advice first, and when no
  // pattern fits it (a slow entry point with no callers to protect, a degraded service with no
  // rise), the place to start looking. Then the other origins' advice, up to three lines in all.
  const first = top[0];
  if (first) {
    adviseOn(first);
    if (out.length === 0) {
      const label = topo.labels[first.node] as string;
      add({
        service: topo.nodes[first.node]?.name ?? label,
        action: 'investigate',
        text: `${label} is where the evidence points and no remedy pattern fits it: look at ${label}'s logs, host (CPU, memory, connections), deployments or configuration changes from the start of the window; roll back if one lines up.`,
      });
    }
  }
  for (const c of top.filter((x) => x.origin && x !== first).slice(0, first?.origin ? 2 : 3)) adviseOn(c);
  return out;
}

/**
 * Advice for a group of faulty links. In front of a service (`front`): its callers' calls into it
 * are slow or fail beyond what it records, so look at what sits between them — its load balancer,
 * proxy or sidecar, its network and host — and protect the callers. On its own side (`own`): its
 * calls to several healthy services all suffer, so it is starved itself. The calls named are the
 * group's, as its evidence lists them.
 */
function linkGroupAdvice(
  topo: Topology,
  kind: string,
  group: LinkGroup,
  label: string,
  name: string,
): Recommendation {
  if (group.side === 'own') {
    const callees = [...new Set(group.links.map((l) => topo.labels[l.callee] as string))];
    return {
      service: name,
      action: 'investigate',
      text: `${label}'s calls to ${listOf(callees)} are slow or failing beyond what those services record, so ${label} itself is starved: check ${label}'s CPU and memory, its connection pool, DNS and network, and scale it out if it is saturated.`,
    };
  }
  const calls = group.links.flatMap((l) => {
    const stats = topo.nodes[l.caller]?.edges[l.edge]?.stats;
    return stats ? [{ from: linkEndName(topo, l.caller), stats }] : [];
  });
  const callerNames = listOf([...new Set(calls.map((l) => l.from))]);
  const failed = calls.reduce((n, l) => n + l.stats.faults + l.stats.throttles, 0);
  const total = calls.reduce((n, l) => n + l.stats.total, 0);
  if (kind === 'throttled-link') {
    return {
      service: name,
      action: 'rate-limit',
      text: `Calls into ${label} from ${callerNames} are throttled before ${label} sees them (${failed} of ${total}): rate-limit ${callerNames} below the quota in front of ${label} (API gateway, service quota) and retry with exponential backoff and jitter.`,
    };
  }
  if (kind === 'connection-failures') {
    return {
      service: name,
      action: 'circuit-breaker',
      text: `${callerNames} fail calls to ${label} that ${label} never records (${failed} of ${total}): check what sits in front of ${label} — its load balancer, proxy or sidecar, DNS, security groups and connection limits — and put a circuit breaker on the calls.`,
    };
  }
  const busiest = calls.reduce<RequestStats | undefined>(
    (b, l) => (!b || l.stats.total > b.total ? l.stats : b),
    undefined,
  );
  return {
    service: name,
    action: 'timeout',
    text: `Calls into ${label} from ${callerNames} are slower than ${label} itself records: check what sits in front of ${label} — its load balancer, proxy or sidecar, its network path and its host — and bound the calls with a timeout near ${configMs(latencySummary(busiest).p99)} (their p99).`,
  };
}

/**
 * The callers to advise: X-Ray shows a Lambda twice (service node → function node) under one name;
 * the wrapper is no place for a timeout, so look through same-name callers to theirs.
 */
function logicalCallers(topo: Topology, v: number): { from: number; edge: number }[] {
  const name = topo.nodes[v]?.name;
  const out: { from: number; edge: number }[] = [];
  const seen = new Set<number>([v]);
  const queue = [v];
  for (let q = 0; q < queue.length; q++) {
    for (const ce of topo.callers[queue[q] as number] ?? []) {
      const caller = topo.nodes[ce.from];
      if (!caller || caller.isClient || seen.has(ce.from)) continue;
      seen.add(ce.from);
      if (caller.name === name) queue.push(ce.from);
      else out.push(ce);
    }
  }
  return out;
}

/** Requests per second in the incident against the baseline, when both windows are known. */
function loadRatio(a: NodeAttr): number {
  return a.loadRatio;
}

function listOf(labels: readonly string[]): string {
  if (labels.length === 0) return 'its callers';
  const shown = labels.slice(0, 3).join(', ');
  return labels.length > 3 ? `${shown} and ${labels.length - 3} more` : shown;
}

function cmp(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
