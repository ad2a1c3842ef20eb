// The engine's entry point: a graph snapshot in, a Finding out. Pure and deterministic: no I/O,
// no clock, no randomness; the same snapshot gives the same bytes.

import { attribute } from './attribution.ts';
import { naiveRanking, seedRanking } from './baselines.ts';
import { blastRadiusOf } from './blast-radius.ts';
import { cascadePaths, chainOf, pickSymptomEntry } from './cascade.ts';
import { type AnalysisConfig, resolveConfig } from './config.ts';
import { UnknownServiceError } from './errors.ts';
import { type AnalysisEvidence, withEvidence } from './evidence/blend.ts';
import type { GraphContext } from './evidence/change-rules.ts';
import { computeSystemHealth, serviceHealth } from './health.ts';
import type {
  DataQuality,
  Finding,
  GraphNode,
  GraphSnapshot,
  RootCause,
  ServiceMetrics,
  ServiceRole,
  Trigger,
} from './model.ts';
import { type Candidate, calibrate, outageBaselines, rankCandidates } from './rank.ts';
import { recommend } from './recommendations.ts';
import { assignRoles } from './roles.ts';
import { clamp, round } from './stats.ts';
import { summarize } from './summary.ts';
import { buildTopology, descendantsOf, type Topology } from './topology.ts';
import { ENGINE_VERSION } from './version.ts';

export type { ServiceMetrics } from './model.ts';

export { ENGINE_VERSION };
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
  /** Issue 11: X-Ray trace summaries and change events, blended into the final ranking (evidence/blend.ts). */
  readonly evidence?: AnalysisEvidence;
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
  const kept = onePerName(
    topo,
    ranked.filter((c) => c.score > 0 && c.score >= 0.01 * best),
  );
  const top = (
    method === 'engine' ? outageBaselines(topo, attr, calibrate(kept, cfg.supportRequests)) : kept
  ).slice(0, cfg.maxRootCauses);
  const topScore = top[0]?.score ?? 0;
  const originNodes = new Set(
    top.filter((c) => c.origin && c.via === undefined && c.score >= 0.1 * topScore).map((c) => c.node),
  );
  for (const c of top) if (c.via && c.origin && c.score >= 0.1 * topScore) originNodes.add(c.node);
  const roles = assignRoles(topo, attr, originNodes, scope);
  // [issue 10 item 7 — begin] An incomplete graph (edges to missing ids) lowers every confidence.
  const graphQuality = dataQualityOf(topo, snapshot.incident.danglingEdges);
  const rootCauses = top
    .map((c, i) => toRootCause(topo, c, i + 1, roles))
    .map((rc) =>
      graphQuality ? { ...rc, confidence: round(rc.confidence * graphQuality.completeness, 2) } : rc,
    );
  const first = method === 'engine' ? top[0] : undefined;
  const quality = withBaselineNote(
    withBaselineOutage(withSampleSize(graphQuality, first, cfg), first, topo),
    snapshot.baselineNote,
  );
  // [issue 10 item 7 — end]
  const services = serviceHealth(topo, attr, roles, cfg, snapshot, scope, options.metrics ?? {});
  const paths = cascadePaths(topo, attr, top, roles);
  const chainFrom = target ?? pickSymptomEntry(topo, attr);
  const dependencyChain = chainFrom === undefined ? [] : chainOf(topo, chainFrom, roles);
  const metrics = options.metrics ?? {};
  const recommendations = recommend(topo, attr, top, cfg, metrics);
  const systemHealth = computeSystemHealth(topo, attr, cfg, scope);
  // Issue 11: the evidence re-ranks the final list (no evidence: the very same object).
  const finding: Omit<Finding, 'summary'> = withEvidence(
    {
      ...base,
      status: 'COMPLETED',
      rootCauses,
      dependencyChain,
      cascade: { paths },
      services,
      recommendations,
      systemHealth: round(systemHealth, 3),
      ...(quality ? { dataQuality: quality } : {}), // [issue 10 item 7]
    },
    options.evidence,
    options.evidence ? graphContext(topo, target, scope) : undefined,
  );
  return { ...finding, summary: summarize(finding, topo.labels[chainFrom ?? -1]) };
}

/** The graph by service name, for the evidence rules: calls, where to look from, and the scope. */
function graphContext(
  topo: Topology,
  target: number | undefined,
  scope: ReadonlySet<number> | undefined,
): GraphContext {
  const callees = new Map<string, string[]>();
  topo.nodes.forEach((nd, v) => {
    if (nd.isClient || (scope && !scope.has(v))) return;
    const list = callees.get(nd.name) ?? [];
    for (const e of nd.edges) {
      const to = topo.nodes[e.to];
      if (to && !to.isClient && (!scope || scope.has(e.to)) && !list.includes(to.name)) list.push(to.name);
    }
    callees.set(nd.name, list);
  });
  const callers = new Map<string, string[]>();
  for (const [caller, list] of callees) {
    for (const c of list) {
      const into = callers.get(c);
      if (into) into.push(caller);
      else callers.set(c, [caller]);
    }
  }
  const from =
    target === undefined
      ? topo.entries.map((v) => topo.nodes[v]?.name ?? '')
      : [topo.nodes[target]?.name ?? ''];
  const alarmed = target === undefined ? undefined : topo.nodes[target]?.name;
  return {
    callees,
    callers,
    from: [...new Set(from)],
    ...(alarmed !== undefined ? { alarmed } : {}),
    scope: new Set(callees.keys()),
  };
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

/**
 * Adds to the data quality when the first root cause rests on fewer effective requests than the
 * confidence scale: on sparse or sampled graphs a link fault cannot be localised reliably, and the
 * finding says so rather than guess quietly.
 */
function withSampleSize(
  quality: DataQuality | undefined,
  first: Candidate | undefined,
  cfg: AnalysisConfig,
): DataQuality | undefined {
  if (!first || first.severity <= 0 || first.support >= cfg.supportRequests) return quality;
  const n = round(first.support, 1);
  const thin = `The first root cause rests on about ${n} requests' worth of comparison between the two windows (sparse or sampled traces, or a short baseline): too few to localise it reliably, so treat it as a lead; its confidence is lowered to match.`;
  return withWarning(quality, { effectiveRequests: n }, thin);
}

/** The data quality with `fields` set and `sentence` added to its warning (a new one when there was none). */
function withWarning(
  quality: DataQuality | undefined,
  fields: Partial<Omit<DataQuality, 'warning'>>,
  sentence: string,
): DataQuality {
  return {
    ...(quality ?? { danglingEdges: 0, completeness: 1 }),
    ...fields,
    warning: quality ? `${quality.warning} ${sentence}` : sentence,
  };
}

/**
 * Adds to the data quality when the first root cause failed most of its requests in the baseline
 * window: the comparison starts from an outage (an earlier incident not over, a flapping alarm),
 * so what looks like a rise may be its recovery or its tail.
 */
function withBaselineOutage(
  quality: DataQuality | undefined,
  first: Candidate | undefined,
  topo: Topology,
): DataQuality | undefined {
  const outage = first?.baselineOutage;
  if (!first || !outage) return quality;
  const service = topo.nodes[first.node]?.name ?? '';
  const text = `${service} failed ${outage.failed} of its ${outage.requests} requests in the baseline window: the baseline was an outage, not its normal (an earlier incident not over, or a flapping alarm), so a rise against it may be a recovery or the outage's tail; its confidence is lowered to match. Compare with an earlier, healthy window before acting.`;
  return withWarning(quality, { baselineOutage: { service, ...outage } }, text);
}

/** Says which baseline the analysis compared with, when it is not the window right before the incident. */
function withBaselineNote(
  quality: DataQuality | undefined,
  note: string | undefined,
): DataQuality | undefined {
  return note === undefined ? quality : withWarning(quality, { baselineNote: note }, note);
}

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

/**
 * One line per service name: X-Ray can show one service under several types (a Lambda's service
 * and function nodes); the best-ranked keeps the line and gains the others' kinds and evidence.
 */
function onePerName(topo: Topology, cands: readonly Candidate[]): Candidate[] {
  const byName = new Map<string, Candidate>();
  const out: Candidate[] = [];
  for (const c of cands) {
    const name = topo.nodes[c.node]?.name ?? '';
    const first = byName.get(name);
    if (!first) {
      const copy = { ...c };
      byName.set(name, copy);
      out.push(copy);
      continue;
    }
    const merged = first as { kinds: readonly string[]; evidence: Candidate['evidence'] };
    merged.kinds = [...new Set([...first.kinds, ...c.kinds])];
    merged.evidence = [...first.evidence, ...c.evidence];
  }
  return out;
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
    kinds: c.kinds,
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
