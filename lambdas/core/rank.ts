// Ranks root-cause candidates: services whose anomaly is their own, and links whose failures only
// the caller saw. The score multiplies how strong the own anomaly is — at the lower edge of
// what the request counts support — by how much of the users' degradation it accounts for.

import { type Attribution, type AttrSignal, type NodeAttr, SIGNALS, zOf } from './attribution.ts';
import { failedShare, OUTAGE_SHARE } from './baseline-choice.ts';
import type { AnalysisConfig } from './config.ts';
import { type LinkGroup, localiseLinks, ms } from './links.ts';
import type { Evidence, GraphNode, RequestStats } from './model.ts';
import { rateText } from './percent.ts';
import { meanLatency, rate, significanceWeight } from './stats.ts';
import type { Topology } from './topology.ts';
import { CHANCE, SMALL } from './weak-evidence.ts';

export interface Candidate {
  readonly node: number;
  /** Edge index on `via` when the candidate is the link from `via` to `node`. */
  readonly via?: { readonly caller: number; readonly edge: number };
  /** When its lead is a group of faulty links: in front of the service, or its own calls out. */
  readonly linkGroup?: LinkGroup;
  readonly kind: string;
  /** Every kind of evidence against this service, strongest first (`kind` is the first). */
  readonly kinds: readonly string[];
  readonly score: number;
  readonly severity: number;
  readonly blameShare: number;
  readonly confidence: number;
  /** Effective requests behind the lead evidence's comparison of the two windows (see supportOf). */
  readonly support: number;
  readonly evidence: readonly Evidence[];
  readonly origin: boolean;
  /** No signal of the line passed the anomaly test (a rise chance could explain, or too small to count). */
  readonly noAnomaly?: true;
  /** The service failed most of its requests in the baseline window (see outageBaselines). */
  readonly baselineOutage?: { readonly failed: number; readonly requests: number };
}

/**
 * The effective number of requests behind a comparison of two windows: n1·n0 / (n1 + n0), as in
 * the standard error of a difference; without a baseline, the incident's requests alone.
 */
export function effectiveRequests(n1: number, n0: number): number {
  return n0 > 0 ? (n1 * n0) / (n1 + n0) : n1;
}

/**
 * How much a comparison backed by `effective` requests can be trusted, 0–1:
 * 1 − e^(−effective / scale). A rise read off 11 requests against 7 is a lead (about 0.4 at the
 * default scale, 8); off 60 against 1,000 it is evidence (1.0). The scale is the one constant
 * fitted for calibration; the leave-one-set-out check in docs/benchmarks.md picks it on three
 * public sets and scores the fourth.
 */
export function supportOf(effective: number, scale: number): number {
  return scale > 0 ? 1 - Math.exp(-effective / scale) : 1;
}

/**
 * score = ln(1 + severity) × (impactFloor + blame share) × sample factor [× 0.5 without a
 * baseline] [× 0.5 when not an origin]. The floor lets a strong anomaly that users do not (yet)
 * feel still rank; the logarithm keeps one extreme ratio from outweighing the users' evidence.
 */
const strength = (sev: number): number => Math.log1p(sev);

export function rankCandidates(
  topo: Topology,
  attr: Attribution,
  cfg: AnalysisConfig,
  scope: ReadonlySet<number> | undefined,
): Candidate[] {
  const parts: Part[] = [];
  const total = attr.totalImpact;
  topo.nodes.forEach((nd, v) => {
    if (scope && !scope.has(v)) return;
    const a = attr.node[v] as NodeAttr;
    if (!a.present || a.newDependency) return;
    const sev = nodeSeverity(a, cfg);
    const severity = Math.max(sev.failures, sev.errors, sev.latency);
    if (severity <= 0) return;
    const strongest = (['failures', 'latency', 'errors'] as const).reduce((best, s) =>
      sev[s] > sev[best] ? s : best,
    );
    // An origin has at least one anomalous signal that is mostly its own.
    const origin = SIGNALS.some((s) => a.anomalous[s] && a.selfShare[s] >= 0.5 && sev[s] > 0);
    const samples = (nd.stats?.total ?? 0) / ((nd.stats?.total ?? 0) + cfg.minRequests);
    parts.push({
      node: v,
      kind: kindOf(nd, strongest, attr, v),
      severity,
      blame: total > 0 ? (attr.blame[v] ?? 0) / total : 0,
      samples,
      // Without a baseline only absolute thresholds speak; a propagator's own part is a side note.
      weight: (a.hasBaseline ? 1 : 0.5) * (origin ? 1 : 0.5),
      confidence: confidenceOf(a, strongest, samples, origin),
      support: effectiveRequests(nd.stats?.total ?? 0, a.baseline?.total ?? 0),
      evidence: nodeEvidence(topo, attr, v, cfg, strongest),
      origin,
      significant: a.anomalous[strongest],
    });
  });
  for (const link of localiseLinks(topo, attr, cfg, scope)) {
    const blame = total > 0 ? link.blame / total : 0;
    const samples = link.calls / (link.calls + cfg.minRequests);
    parts.push({
      node: link.endpoint,
      ...(link.via ? { via: link.via } : {}),
      ...(link.group ? { linkGroup: link.group } : {}),
      kind: link.kind,
      severity: link.severity,
      blame,
      samples,
      weight: 1,
      confidence: Math.min(0.9, 0.4 + 0.5 * samples * Math.min(1, link.severity / 4)),
      support: effectiveRequests(link.calls, link.reference),
      evidence: link.evidence,
      origin: true,
      significant: true,
    });
  }
  const ranked = mergeByService(topo, parts, cfg.impactFloor);
  return ranked.length > 0 ? ranked : degradedFallback(topo, attr, cfg, scope);
}

/**
 * While anything is degraded there is always an answer. When no service's anomaly stands out
 * against the baseline, the degraded services are listed farthest downstream first (a degraded
 * service none of whose callees is degraded is where to start looking), with a low confidence
 * and a sentence saying why.
 */
function degradedFallback(
  topo: Topology,
  attr: Attribution,
  cfg: AnalysisConfig,
  scope: ReadonlySet<number> | undefined,
): Candidate[] {
  const degraded = (v: number): boolean => {
    const a = attr.node[v];
    return !!a?.present && (a.unhealthy || a.anomalous.failures || a.anomalous.errors || a.anomalous.latency);
  };
  const out: Candidate[] = [];
  topo.nodes.forEach((nd, v) => {
    if ((scope && !scope.has(v)) || !degraded(v)) return;
    const s = nd.stats;
    if (!s) return;
    const calleesDegraded = nd.edges.some((e) => e.to !== v && degraded(e.to));
    const samples = s.total / (s.total + cfg.minRequests);
    out.push({
      node: v,
      kind: 'degraded',
      kinds: ['degraded'],
      // Leaves first, then by traffic: scores far below any real origin's.
      score: 1e-6 * (calleesDegraded ? 1 : 2) * samples,
      severity: 0,
      blameShare: 0,
      confidence: 0.15 * samples,
      support: effectiveRequests(s.total, attr.node[v]?.baseline?.total ?? 0),
      evidence: [
        {
          signal: 'faults',
          text: `degraded (failure rate ${rateText(rate(s.faults + s.throttles, s.total))} over ${s.total} requests, mean ${ms(meanLatency(s))}) but no rise against the baseline stands out${calleesDegraded ? '' : ', and none of the services it calls is degraded'}: thin evidence, start here`,
          incident: rate(s.faults + s.throttles, s.total),
          requests: s.total,
        },
      ],
      origin: !calleesDegraded,
    });
  });
  return out.sort(
    (x, y) => y.score - x.score || cmp(topo.nodes[x.node]?.key ?? '', topo.nodes[y.node]?.key ?? ''),
  );
}

/**
 * Confidence that a candidate, rather than its strongest rival, is the root cause: its share of
 * the two scores (the first line's rival is the second; every other line's is the first) times
 * the quality of its own evidence (significance, sample size, origin or not). A clear winner on
 * strong evidence approaches 1; two close candidates share the doubt.
 */
export function calibrate(ranked: readonly Candidate[], supportScale: number): Candidate[] {
  const first = ranked[0]?.score ?? 0;
  const second = ranked[1]?.score ?? 0;
  return ranked.map((c, i) => {
    const rival = i === 0 ? second : first;
    // A line alone whose rise chance could explain has one rival left: that nothing is wrong.
    const share = c.noAnomaly && rival === 0 ? 0.5 : c.score + rival > 0 ? c.score / (c.score + rival) : 0;
    // A fallback line (no anomaly stood out: severity 0) keeps its own low confidence.
    // …and no more than the two windows' sizes can carry.
    const confidence =
      c.severity > 0 ? share * (0.8 + 0.2 * c.confidence) * supportOf(c.support, supportScale) : c.confidence;
    return { ...c, confidence: Math.max(0.01, confidence) };
  });
}

/**
 * A service that failed most of its requests in the baseline window was in an outage then, not
 * in its normal: whatever its figures do against that window — a recovery looks like a rise in
 * latency, the tail of the outage like a steady failure rate — says less. Its line says so, and
 * its confidence loses half the failed share of the baseline (halved when every request failed):
 * the outage may or may not mislead. The ranking is unchanged.
 */
export function outageBaselines(
  topo: Topology,
  attr: Attribution,
  ranked: readonly Candidate[],
): Candidate[] {
  return ranked.map((c) => {
    const b = attr.node[c.node]?.baseline;
    const s = topo.nodes[c.node]?.stats;
    if (!b || b.total === 0 || !s) return c;
    // Failed as callers see it (5xx and 429); other 4xx are the callers' mistakes, normal for some.
    const failed = b.faults + b.throttles;
    const share = failedShare(b);
    if (share < OUTAGE_SHARE) return c;
    const name = topo.labels[c.node] as string;
    return {
      ...c,
      confidence: Math.max(0.01, c.confidence * (1 - share / 2)),
      evidence: [
        ...c.evidence,
        {
          signal: 'faults',
          text: `${name} failed ${failed} of its ${b.total} requests in the baseline window: the comparison starts from an outage, not from its normal, so this line is less certain`,
          incident: rate(s.faults + s.throttles, s.total),
          baseline: share,
          requests: b.total,
        },
      ],
      baselineOutage: { failed, requests: b.total },
    };
  });
}

/** One kind of evidence against one service, before the service's parts are merged into one line. */
interface Part {
  readonly node: number;
  readonly via?: { readonly caller: number; readonly edge: number };
  readonly linkGroup?: LinkGroup;
  readonly kind: string;
  readonly severity: number;
  /** Share (0–1) of the users' degradation that flowed to this part. */
  readonly blame: number;
  readonly samples: number;
  readonly weight: number;
  readonly confidence: number;
  readonly support: number;
  readonly evidence: readonly Evidence[];
  readonly origin: boolean;
  /** The part's signal passed the anomaly test (a link fault is judged by its own significance). */
  readonly significant: boolean;
}

const partScore = (p: Part, floor: number): number =>
  strength(p.severity) * (floor + p.blame) * p.samples * p.weight;

/**
 * One line per service: the strongest part sets the kind, the severity and the confidence; the
 * users' degradation its parts account for adds up (they are disjoint shares of one flow); the
 * evidence of every part is kept, strongest part first.
 */
function mergeByService(topo: Topology, parts: readonly Part[], floor: number): Candidate[] {
  const byNode = new Map<number, Part[]>();
  for (const p of parts) {
    const list = byNode.get(p.node);
    if (list) list.push(p);
    else byNode.set(p.node, [p]);
  }
  const out: Candidate[] = [];
  for (const [node, list] of byNode) {
    list.sort((x, y) => partScore(y, floor) - partScore(x, floor) || cmp(x.kind, y.kind));
    const lead = list[0] as Part;
    const blameShare = Math.min(
      1,
      list.reduce((sum, p) => sum + p.blame, 0),
    );
    const score = strength(lead.severity) * (floor + blameShare) * lead.samples * lead.weight;
    const kinds = [...new Set(list.map((p) => p.kind))];
    // Independent kinds of evidence pointing at one service make it likelier, never less likely.
    const confidence = 1 - list.reduce((miss, p) => miss * (1 - p.confidence), 1);
    out.push({
      node,
      ...(lead.via && list.every((p) => p.via?.caller === lead.via?.caller) ? { via: lead.via } : {}),
      ...(lead.linkGroup ? { linkGroup: lead.linkGroup } : {}),
      kind: lead.kind,
      kinds,
      score,
      severity: lead.severity,
      blameShare,
      confidence: Math.min(lead.origin ? 0.99 : 0.6, confidence),
      support: lead.support,
      evidence: list.flatMap((p) => p.evidence),
      origin: list.some((p) => p.origin),
      ...(list.some((p) => p.significant) ? {} : { noAnomaly: true as const }),
    });
  }
  // By score; ties broken by key for byte-stable output.
  return out.sort(
    (x, y) => y.score - x.score || cmp(topo.nodes[x.node]?.key ?? '', topo.nodes[y.node]?.key ?? ''),
  );
}

/**
 * How strong a service's own anomaly is, per signal: the rise relative to what counts as
 * unhealthy (5 % more failures, latency up by `latencyRiseRatio`), times the share that is its
 * own, times the weight of evidence of its z statistic (nothing below z = 1, full from z = 4).
 */
export function nodeSeverity(a: NodeAttr, cfg: AnalysisConfig): Record<AttrSignal, number> {
  const latencyRelative = a.latencyRelative;
  return {
    failures:
      (Math.max(0, a.failureRise) * a.selfShare.failures * significanceWeight(a.failureZ)) /
      Math.max(cfg.faultRate, 1e-3),
    errors:
      (0.5 * Math.max(0, a.errorRise) * a.selfShare.errors * significanceWeight(a.errorZ)) /
      Math.max(cfg.errorRate, 1e-3),
    latency:
      (Math.max(0, latencyRelative) * a.selfShare.latency * significanceWeight(a.latencyZ)) /
      Math.max(cfg.latencyRiseRatio - 1, 0.1),
  };
}

function confidenceOf(a: NodeAttr, s: AttrSignal, samples: number, origin: boolean): number {
  const z = s === 'latency' ? a.latencyZ : s === 'failures' ? a.failureZ : a.errorZ;
  let c = 0.35 + 0.35 * significanceWeight(z) + 0.25 * a.selfShare[s];
  c *= samples;
  if (!a.hasBaseline) c *= 0.6;
  if (!origin) c *= 0.6;
  return Math.max(0.05, Math.min(0.99, c));
}

function kindOf(nd: GraphNode, s: AttrSignal, attr: Attribution, v: number): string {
  const startedNew = nd.edges.some((_, i) => attr.edge[v]?.[i]?.toNewDependency);
  if (startedNew && s !== 'latency') return 'new-dependency';
  if (s === 'latency') return 'latency';
  if (s === 'errors') return 'errors';
  const st = nd.stats;
  if (st && st.throttles > st.faults) return 'throttling';
  return 'faults';
}

/**
 * A service's evidence lines. `lead`, the signal the ranking found strongest, comes first: the
 * line's headline kind and its first evidence line tell the same story (issue 19 §3).
 */
export function nodeEvidence(
  topo: Topology,
  attr: Attribution,
  v: number,
  cfg: AnalysisConfig,
  lead?: AttrSignal,
): Evidence[] {
  const nd = topo.nodes[v] as GraphNode;
  const a = attr.node[v] as NodeAttr;
  const s = nd.stats;
  if (!s) return [];
  const b = a.baseline;
  const out: Evidence[] = [];
  const pct = rateText;
  if (a.anomalous.failures || (a.failureRise > 0 && a.failureZ >= 2)) {
    const fr = rate(s.faults + s.throttles, s.total);
    const br = b ? rate(b.faults + b.throttles, b.total) : undefined;
    const own = a.selfShare.failures < 1 ? ` (${pct(a.selfShare.failures)} of the rise is its own)` : '';
    out.push({
      signal: s.throttles > s.faults ? 'throttles' : 'faults',
      text: `failure rate ${pct(fr)} over ${s.total} requests${br !== undefined ? `, baseline ${pct(br)}` : ', no baseline'}${own}`,
      incident: fr,
      ...(br !== undefined ? { baseline: br } : {}),
      requests: s.total,
    });
  }
  if (a.anomalous.errors) {
    const er = rate(s.errors, s.total);
    const br = b ? rate(b.errors, b.total) : undefined;
    out.push({
      signal: 'errors',
      text: `4xx rate ${pct(er)} over ${s.total} requests${br !== undefined ? `, baseline ${pct(br)}` : ''}`,
      incident: er,
      ...(br !== undefined ? { baseline: br } : {}),
      requests: s.total,
    });
  }
  if (a.anomalous.latency) {
    const m = meanLatency(s);
    const bm = b ? meanLatency(b) : undefined;
    const own = a.selfShare.latency < 1 ? ` (${pct(a.selfShare.latency)} of the rise is its own time)` : '';
    out.push({
      signal: 'latency',
      text: `mean latency ${ms(m)}${bm !== undefined ? ` against ${ms(bm)} in the baseline` : ''}${own}`,
      incident: m,
      ...(bm !== undefined ? { baseline: bm } : {}),
      requests: s.total,
    });
  }
  nd.edges.forEach((e, i) => {
    const ea = attr.edge[v]?.[i];
    if (!ea?.toNewDependency || !e.stats) return;
    const callee = topo.labels[e.to] as string;
    out.push({
      signal: 'new-dependency',
      text: `started calling ${callee}, absent from the baseline: ${e.stats.faults + e.stats.throttles} of ${e.stats.total} calls failed`,
      incident: rate(e.stats.faults + e.stats.throttles, e.stats.total),
      requests: e.stats.total,
    });
  });
  // A line is never named without its numbers: when the signal it ranks on is no anomaly (a rise
  // too small for its sample), it is still given, and said to be one chance could explain.
  if (lead !== undefined && !out.some((e) => signalOf(e) === lead))
    out.push(weakEvidence(s, b, lead, zOf(a, lead) >= 3 ? SMALL : CHANCE));
  const first = lead === undefined ? -1 : out.findIndex((e) => signalOf(e) === lead);
  const ordered = first > 0 ? [out[first] as Evidence, ...out.filter((_, i) => i !== first)] : out;
  if (s.total < cfg.minRequests) {
    ordered.push({
      signal: 'faults',
      text: `only ${s.total} requests in the window: too few to be sure`,
      incident: s.total,
      requests: s.total,
    });
  }
  return ordered;
}

/** The numbers behind a signal that is no anomaly on its own. */
function weakEvidence(
  s: RequestStats,
  b: RequestStats | undefined,
  signal: AttrSignal,
  why: string,
): Evidence {
  const baseline = (r: string) => (b ? `, baseline ${r}` : ', no baseline');
  if (signal === 'latency') {
    const m = meanLatency(s);
    const bm = b ? meanLatency(b) : undefined;
    return {
      signal: 'latency',
      text: `mean latency ${ms(m)}${bm !== undefined ? ` against ${ms(bm)} in the baseline` : ', no baseline'}: ${why}`,
      incident: m,
      ...(bm !== undefined ? { baseline: bm } : {}),
      requests: s.total,
    };
  }
  const part = (x: RequestStats) => (signal === 'errors' ? x.errors : x.faults + x.throttles);
  const r = rate(part(s), s.total);
  const br = b ? rate(part(b), b.total) : undefined;
  return {
    signal: signal === 'errors' ? 'errors' : s.throttles > s.faults ? 'throttles' : 'faults',
    text: `${signal === 'errors' ? '4xx' : 'failure'} rate ${rateText(r)} over ${s.total} requests${baseline(rateText(br ?? 0))}: ${why}`,
    incident: r,
    ...(br !== undefined ? { baseline: br } : {}),
    requests: s.total,
  };
}

/** The attribution signal an evidence line speaks for. */
function signalOf(e: Evidence): AttrSignal | undefined {
  if (e.signal === 'faults' || e.signal === 'throttles') return 'failures';
  if (e.signal === 'errors') return 'errors';
  if (e.signal === 'latency') return 'latency';
  return undefined;
}

function cmp(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
