// The engine's entry point: a graph snapshot in, a Finding out. Pure and deterministic: no I/O,
// no clock, no randomness; the same snapshot gives the same bytes.

import { type Attribution, attribute, type NodeAttr } from './attribution.ts';
import { naiveRanking, seedRanking } from './baselines.ts';
import { type AnalysisConfig, resolveConfig } from './config.ts';
import { UnknownServiceError } from './errors.ts';
import type {
  BlastRadius,
  CascadePath,
  ChainEntry,
  DataQuality,
  Finding,
  GraphNode,
  GraphSnapshot,
  RootCause,
  ServiceHealth,
  ServiceRole,
  Signal,
  Trigger,
} from './model.ts';
import { type Candidate, nodeSeverity, rankCandidates } from './rank.ts';
import { recommend } from './recommendations.ts';
import { clamp, latencySummary, rate, round } from './stats.ts';
import { summarize } from './summary.ts';
import { ancestorsOf, buildTopology, descendantsOf, type Topology } from './topology.ts';

export const ENGINE_VERSION = '0.1.0';
export const METHODS = ['engine', 'seed', 'naive'] as const;
export type Method = (typeof METHODS)[number];

export interface AnalyzeOptions {
  /** The alarmed service: limits the analysis to it and what it calls. */
  readonly service?: string;
  readonly method?: Method;
  readonly config?: Partial<AnalysisConfig>;
  readonly trigger?: Trigger;
  /** Supplied by the caller (the workflow); derived from the snapshot when absent. */
  readonly analysisId?: string;
  /** CloudWatch figures per service name (the workflow's Enrich step): CPU above `cpuPercent` is hot. */
  readonly metrics?: Readonly<Record<string, ServiceMetrics>>;
}

export interface ServiceMetrics {
  readonly cpuPercent?: number | undefined;
}

export function analyze(snapshot: GraphSnapshot, options: AnalyzeOptions = {}): Finding {
  const cfg = resolveConfig(options.config);
  const method = options.method ?? 'engine';
  const topo = buildTopology(snapshot.incident);
  const target = options.service === undefined ? undefined : findService(topo, options.service);
  const trigger: Trigger = options.trigger ?? {
    source: 'cli',
    ...(options.service !== undefined ? { service: options.service } : {}),
  };
  const analysisId = options.analysisId ?? deriveId(snapshot, options.service, method);
  const window = snapshot.incident.window ?? null;
  const baselineWindow = snapshot.baseline?.window ?? null;
  const base = { analysisId, method, trigger, window, baselineWindow, engineVersion: ENGINE_VERSION };

  const hasData = topo.nodes.some((n) => !n.isClient && (n.stats?.total ?? 0) > 0);
  if (!hasData) {
    return {
      ...base,
      status: 'NO_DATA',
      rootCauses: [],
      dependencyChain: [],
      cascade: { paths: [] },
      services: [],
      recommendations: [],
      systemHealth: 1,
      summary:
        'X-Ray recorded no requests in the incident window: nothing to analyze. Check that the services are instrumented and that the window is right.',
    };
  }

  const scopeList = target === undefined ? undefined : descendantsOf(topo, target).map((d) => d.node);
  const scope = scopeList ? new Set(scopeList) : undefined;
  const attr = attribute(topo, snapshot.incident, snapshot.baseline, cfg, scopeList);
  const ranked =
    method === 'seed'
      ? seedRanking(topo, target === undefined ? topo.entries : [target])
      : method === 'naive'
        ? naiveRanking(topo, attr, scope)
        : rankCandidates(topo, attr, cfg, scope);

  // Candidates far below the best (under 1 % of its score) are noise, not alternatives.
  const best = ranked[0]?.score ?? 0;
  const top = dedupe(ranked)
    .filter((c) => c.score > 0 && c.score >= 0.01 * best)
    .slice(0, cfg.maxRootCauses);
  const topScore = top[0]?.score ?? 0;
  const originNodes = new Set(
    top.filter((c) => c.origin && c.via === undefined && c.score >= 0.1 * topScore).map((c) => c.node),
  );
  for (const c of top) if (c.via && c.origin && c.score >= 0.1 * topScore) originNodes.add(c.node);
  const roles = assignRoles(topo, attr, originNodes, scope);
  // [issue 10 item 7 — begin] An incomplete graph (edges to missing ids) lowers every confidence.
  const quality = dataQualityOf(topo, snapshot.incident.danglingEdges);
  const rootCauses = top
    .map((c, i) => toRootCause(topo, c, i + 1, roles))
    .map((rc) => (quality ? { ...rc, confidence: round(rc.confidence * quality.completeness, 2) } : rc));
  // [issue 10 item 7 — end]
  const services = serviceHealth(topo, attr, roles, cfg, snapshot, scope, options.metrics ?? {});
  const paths = cascadePaths(topo, attr, top, roles);
  const chainFrom = target ?? pickSymptomEntry(topo, attr);
  const dependencyChain = chainFrom === undefined ? [] : chainOf(topo, chainFrom, roles);
  const metrics = options.metrics ?? {};
  const recommendations = recommend(topo, attr, top, cfg, metrics);
  const systemHealth = computeSystemHealth(topo, attr, cfg, scope);
  const finding: Omit<Finding, 'summary'> = {
    ...base,
    status: 'COMPLETED',
    rootCauses,
    dependencyChain,
    cascade: { paths },
    services,
    recommendations,
    systemHealth: round(systemHealth, 3),
    ...(quality ? { dataQuality: quality } : {}), // [issue 10 item 7]
  };
  return { ...finding, summary: summarize(finding, topo.labels[chainFrom ?? -1]) };
}

// [issue 10 item 7 — begin]
/** Undefined for a complete graph; else the dropped edges and the share of edges kept (≥ 0.5). */
function dataQualityOf(topo: Topology, danglingEdges: number): DataQuality | undefined {
  if (danglingEdges <= 0) return undefined;
  const kept = topo.nodes.reduce((n, node) => n + node.edges.length, 0);
  const completeness = round(Math.max(0.5, kept / (kept + danglingEdges)), 3);
  return {
    danglingEdges,
    completeness,
    warning: `${danglingEdges} edge(s) point at services missing from the graph (truncated pages or a partial export); confidence is scaled by ${completeness}.`,
  };
}
// [issue 10 item 7 — end]

function findService(topo: Topology, name: string): number {
  const exact = topo.nodes
    .map((n, i) => ({ n, i }))
    .filter(
      ({ n }) =>
        !n.isClient && (n.name === name || n.key === name || topo.labels[topo.nodes.indexOf(n)] === name),
    );
  if (exact.length > 0) {
    // Same name with several types: the one with the most traffic is what an alarm watches.
    exact.sort((a, b) => (b.n.stats?.total ?? 0) - (a.n.stats?.total ?? 0) || a.i - b.i);
    return (exact[0] as { i: number }).i;
  }
  const lower = name.toLowerCase();
  const close = [...new Set(topo.nodes.filter((n) => !n.isClient).map((n) => n.name))]
    .filter((n) => n.toLowerCase().includes(lower) || lower.includes(n.toLowerCase()))
    .slice(0, 3);
  throw new UnknownServiceError(name, close);
}

function dedupe(cands: readonly Candidate[]): Candidate[] {
  const seen = new Set<string>();
  return cands.filter((c) => {
    const k = `${c.node}/${c.via?.caller ?? ''}`;
    if (seen.has(k)) return false;
    seen.add(k);
    return true;
  });
}

function isDegraded(a: NodeAttr): boolean {
  return a.anomalous.failures || a.anomalous.errors || a.anomalous.latency || a.unhealthy;
}

function assignRoles(
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

function toRootCause(topo: Topology, c: Candidate, rank: number, roles: readonly ServiceRole[]): RootCause {
  const nd = topo.nodes[c.node] as GraphNode;
  const blastRadius = blastRadiusOf(topo, c.via ? c.via.caller : c.node, roles, c.via !== undefined);
  const impactScore = Math.round(
    100 * clamp(0.5 * blastRadius.entryTrafficShare * Math.min(1, c.severity / 2) + 0.5 * c.blameShare, 0, 1),
  );
  return {
    rank,
    service: nd.name,
    type: nd.type,
    kind: c.kind,
    ...(c.via ? { via: topo.nodes[c.via.caller]?.name ?? '' } : {}),
    score: round(c.score, 4),
    confidence: round(c.confidence, 2),
    impactScore,
    evidence: c.evidence.map((e) => ({
      ...e,
      incident: round(e.incident, 4),
      ...(e.baseline !== undefined ? { baseline: round(e.baseline, 4) } : {}),
    })),
    blastRadius,
  };
}

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

function serviceHealth(
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
    const sev = nodeSeverity(a, cfg);
    const signals = (
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

const roundLatency = (l: { mean: number; p50: number; p90: number; p99: number }) => ({
  mean: round(l.mean, 4),
  p50: round(l.p50, 4),
  p90: round(l.p90, 4),
  p99: round(l.p99, 4),
});

function windowSeconds(w: { start: string; end: string } | undefined): number {
  if (!w) return 0;
  return Math.max(0, (Date.parse(w.end) - Date.parse(w.start)) / 1000);
}

/** From each reported origin up through the callers that carried its degradation to an entry point. */
function cascadePaths(
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
function pickSymptomEntry(topo: Topology, attr: Attribution): number | undefined {
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

function chainOf(topo: Topology, from: number, roles: readonly ServiceRole[]): ChainEntry[] {
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

/**
 * System health in [0, 1]: 0.7 × the share of user requests that were served well (traffic-
 * weighted over entry points: not a fault, not throttled, and no slower than the p99 threshold
 * allows) + 0.3 × the share of services that are not anomalous. More faults, more latency or more
 * anomalous services never raise it.
 */
function computeSystemHealth(
  topo: Topology,
  attr: Attribution,
  cfg: AnalysisConfig,
  scope: ReadonlySet<number> | undefined,
): number {
  const entries = scope ? [...scope].slice(0, 1) : topo.entries;
  let served = 0;
  let total = 0;
  for (const e of entries) {
    const s = topo.nodes[e]?.stats;
    if (!s || s.total === 0) continue;
    const good = 1 - rate(s.faults + s.throttles, s.total);
    const p99 = latencySummary(s).p99;
    const speed = p99 > cfg.p99Seconds ? cfg.p99Seconds / p99 : 1;
    served += s.total * good * speed;
    total += s.total;
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

/** A stable id for findings made without one (CLI): FNV-1a over the window and the request. */
function deriveId(snapshot: GraphSnapshot, service: string | undefined, method: string): string {
  const w = snapshot.incident.window;
  const text = [
    w?.start ?? '',
    w?.end ?? '',
    service ?? '*',
    method,
    snapshot.incident.nodes.length,
    ...snapshot.incident.nodes.map((n) => `${n.key}:${n.stats?.total ?? 0}:${n.stats?.faults ?? 0}`),
  ].join('\n');
  let h1 = 0x811c9dc5;
  let h2 = 0x01000193;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    h1 = Math.imul(h1 ^ c, 0x01000193) >>> 0;
    h2 = Math.imul(h2 ^ c, 0x5bd1e995) >>> 0;
  }
  return `an-${h1.toString(16).padStart(8, '0')}${h2.toString(16).padStart(8, '0')}`;
}

function cmp(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
