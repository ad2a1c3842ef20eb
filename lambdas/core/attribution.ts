// Splits each service's anomaly into the part its callees account for and the part that is
// its own, then follows the user-visible degradation from the entry points down to where it
// starts. This is what separates origins from propagators.
//
// Signals: `failures` (5xx and 429, which callers turn into their own faults), `errors` (other
// 4xx) and `latency` (seconds). For each, a service's *excess* is what the incident window has
// beyond the baseline rate applied to the incident's traffic; the excess on an edge is measured
// by the caller. A caller's excess is explained by the excess on its synchronous edges; an
// edge's excess is explained by its callee's own excess per request times the calls on the edge;
// whatever the callee cannot account for sits on the link itself (connection failures, network,
// throttling in front of the callee).

import type { AnalysisConfig } from './config.ts';
import type { GraphEdge, GraphNode, RequestStats, ServiceGraph } from './model.ts';
import {
  binnedRequests,
  latencyRiseZ,
  meanLatency,
  proportionRiseZ,
  quantile,
  rankRiseZ,
  rate,
  significanceWeight,
  wilson,
  windowSeconds,
} from './stats.ts';
import type { Topology } from './topology.ts';

export const SIGNALS = ['failures', 'errors', 'latency'] as const;
export type AttrSignal = (typeof SIGNALS)[number];

export interface NodeAttr {
  readonly present: boolean;
  readonly baseline: RequestStats | undefined;
  readonly hasBaseline: boolean;
  /** Inferred node absent from a non-empty baseline: a call its callers started making. */
  readonly newDependency: boolean;
  readonly excess: Record<AttrSignal, number>;
  readonly self: Record<AttrSignal, number>;
  readonly selfShare: Record<AttrSignal, number>;
  /** Rise in failure (5xx + 429) and error (other 4xx) rate against the baseline, and their z statistics. */
  readonly failureRise: number;
  readonly failureZ: number;
  readonly errorRise: number;
  readonly errorZ: number;
  /** Mean latency rise in seconds and its z statistic. */
  readonly latencyRise: number;
  readonly latencyZ: number;
  /** Relative latency rise beyond the drift every service shows between the two windows. */
  readonly latencyRelative: number;
  /** Requests per second in the incident over the baseline's (1 when either window is unknown). */
  readonly loadRatio: number;
  readonly anomalous: Record<AttrSignal, boolean>;
  /** Unhealthy by absolute thresholds in the incident window. */
  readonly unhealthy: boolean;
}

export interface EdgeAttr {
  readonly baseline: RequestStats | undefined;
  readonly excess: Record<AttrSignal, number>;
  /** Part of the edge's excess the callee's own statistics account for. */
  readonly callee: Record<AttrSignal, number>;
  /** Part only the caller saw. */
  readonly link: Record<AttrSignal, number>;
  /** Share of the caller's excess this edge carries (after scaling for parallel calls). */
  readonly share: Record<AttrSignal, number>;
  /**
   * Share of the caller's latency excess that is time spent retrying this edge's failing calls
   * (set by the caller's decomposition; carried into the callee's failures).
   */
  readonly retry: number;
  /** z statistic of the rise on the edge against its reference (the edge's or the callee's baseline). */
  readonly z: Record<AttrSignal, number>;
  readonly toNewDependency: boolean;
}

export interface Attribution {
  readonly node: readonly NodeAttr[];
  readonly edge: readonly (readonly EdgeAttr[])[];
  /** Degradation (in request equivalents) that reached users through each node's own anomaly. */
  readonly blame: readonly number[];
  /** …and through each edge's link part, aligned with `edge`. */
  readonly linkBlame: readonly (readonly number[])[];
  /** Flow carried on each edge toward callees (aggregate of all signals), for path tracing. */
  readonly edgeFlow: readonly (readonly number[])[];
  /** Total user-visible degradation at the entry points, in request equivalents. */
  readonly totalImpact: number;
  /** Requests entering the system (the denominator of user-traffic shares). */
  readonly entryRequests: number;
}

const zero = (): Record<AttrSignal, number> => ({ failures: 0, errors: 0, latency: 0 });

const failuresOf = (s: RequestStats): number => s.faults + s.throttles;

function rateExcess(k1: number, n1: number, k0: number, n0: number): number {
  return k1 - (n0 > 0 ? k0 / n0 : 0) * n1;
}

export function attribute(
  topo: Topology,
  incidentGraph: ServiceGraph,
  baselineGraph: ServiceGraph | undefined,
  cfg: AnalysisConfig,
  scope: readonly number[] | undefined,
): Attribution {
  const { nodes } = topo;
  const base = indexBaseline(baselineGraph);
  const baselineKnown = [...base.nodes.values()].some((nd) => !nd.isClient);

  const drift = latencyDrift(nodes, base.nodes, cfg);
  const d1 = windowSeconds(incidentGraph.window);
  const d0 = windowSeconds(baselineGraph?.window);
  const node: NodeAttr[] = nodes.map((nd) => {
    const a = nodeSignals(nd, base.nodes.get(nd.key), baselineKnown, cfg);
    const n1 = nd.stats?.total ?? 0;
    const n0 = a.baseline?.total ?? 0;
    const loadRatio = d1 > 0 && d0 > 0 && n0 > 0 ? n1 / d1 / (n0 / d0) : 1;
    const m0 = meanLatency(a.baseline);
    const latencyRelative =
      a.hasBaseline && m0 > 0 && a.latencyRise > 0
        ? Math.max(0, Math.exp(Math.log((m0 + a.latencyRise) / m0) - drift.median) - 1 - 2 * drift.spread)
        : a.hasBaseline
          ? 0
          : a.latencyRise / (cfg.p99Seconds / 2);
    return { ...a, loadRatio, latencyRelative };
  });
  const edge: EdgeAttr[][] = nodes.map((nd) =>
    nd.edges.map((e) => edgeSignals(nd, e, nodes, node, baselineEdge(base, nd.key, nodes[e.to]?.key), cfg)),
  );

  // A service's own time can grow a lot while its total barely moves, when most of its time is
  // spent waiting on callees: judge its own time (mean minus the time its synchronous calls take
  // per request) against the baseline too.
  nodes.forEach((nd, v) => {
    const a = node[v] as NodeAttr;
    const own = ownTimes(nd, a, edge[v] ?? []);
    if (!own || a.anomalous.latency || a.latencyZ < 3) return;
    const [own1, own0] = own;
    const ownBase = Math.max(own0, 0.005);
    if (own1 - own0 < 0.01 || own1 / ownBase < cfg.latencyRiseRatio) return;
    node[v] = {
      ...a,
      anomalous: { ...a.anomalous, latency: true },
      latencyRelative: Math.max(a.latencyRelative, (own1 - own0) / ownBase - 2 * drift.spread),
    };
  });

  // Node decomposition: what the callees explain, what is left as the node's own.
  const nodeOut: NodeAttr[] = node.map((a, v) => {
    const edges = edge[v] ?? [];
    const self = zero();
    const selfShare = zero();
    for (const s of SIGNALS) {
      const x = Math.max(0, a.excess[s]);
      let explained = 0;
      nodes[v]?.edges.forEach((e, i) => {
        const ea = edges[i] as EdgeAttr;
        if (e.async || ea.toNewDependency) return;
        explained += carriedExcess(ea, s);
      });
      // Leftovers of floating-point subtraction are not an anomaly of the node's own.
      let own = x - explained;
      // What is left of a latency or failure rise lines up with retries of a failing callee.
      const retried = s !== 'errors' && own > 0 ? retriedEdges(nodes[v] as GraphNode, a, edges, own / x) : [];
      for (const r of retried) own -= r.share * x;
      self[s] = own > 1e-9 * Math.max(1, x) ? own : 0;
      selfShare[s] = x > 0 ? self[s] / x : explained > 0 ? 0 : 1;
      const scale = explained > x && explained > 0 ? x / explained : 1;
      nodes[v]?.edges.forEach((e, i) => {
        const ea = edges[i] as EdgeAttr;
        if (e.async || ea.toNewDependency || x <= 0) return;
        (ea.share as Record<AttrSignal, number>)[s] = (carriedExcess(ea, s) * scale) / x;
      });
      for (const r of retried) {
        const ea = edges[r.edge] as { retry: number; share: Record<AttrSignal, number> };
        // Failures stay failures; waiting between retries is carried into the callee's failures.
        if (s === 'latency') ea.retry = r.share;
        else ea.share[s] += r.share;
      }
    }
    return { ...a, self, selfShare };
  });

  // Follow user-visible degradation from the entry points down (callers before callees).
  const n = nodes.length;
  const inScope = scope ? new Set(scope) : undefined;
  const entries = inScope ? [...inScope].slice(0, 1) : topo.entries;
  const blame = new Float64Array(n);
  const linkBlame = nodes.map((nd) => new Float64Array(nd.edges.length));
  const edgeFlow = nodes.map((nd) => new Float64Array(nd.edges.length));
  let totalImpact = 0;
  let entryRequests = 0;
  const flowIn = SIGNALS.map(() => new Float64Array(n));
  for (const e of entries) {
    const nd = nodes[e] as GraphNode;
    const a = nodeOut[e] as NodeAttr;
    const total = nd.stats?.total ?? 0;
    const fromUsers = inScope ? 1 : userShare(topo, e);
    const users = total * fromUsers;
    entryRequests += users;
    SIGNALS.forEach((s, si) => {
      // Only the part of an entry's degradation the data support counts as felt by users.
      const x = Math.max(0, a.excess[s]) * fromUsers * significanceWeight(zOf(a, s));
      const units = toRequestEquivalents(s, x, a, users, cfg);
      (flowIn[si] as Float64Array)[e] = ((flowIn[si] as Float64Array)[e] ?? 0) + units;
      totalImpact += units;
      // What users waited or failed on their calls beyond what the entry itself recorded sits on
      // the link into it (a fault in front of the service: its network, its proxy, its host).
      for (const c of topo.callers[e] ?? []) {
        if (!nodes[c.from]?.isClient) continue;
        const ea = edge[c.from]?.[c.edge];
        const calls = nodes[c.from]?.edges[c.edge]?.stats?.total ?? 0;
        if (!ea || calls === 0) continue;
        const link = linkPart(ea, s);
        const felt = toRequestEquivalents(s, link * significanceWeight(ea.z[s]), a, calls, cfg);
        if (felt <= 0) continue;
        (linkBlame[c.from] as Float64Array)[c.edge] =
          ((linkBlame[c.from] as Float64Array)[c.edge] ?? 0) + felt;
        (edgeFlow[c.from] as Float64Array)[c.edge] = ((edgeFlow[c.from] as Float64Array)[c.edge] ?? 0) + felt;
        totalImpact += felt;
      }
    });
  }
  // Flow carried down edge i of v in signal s: the link's own part is blamed on the link, the rest
  // goes on into the callee's flow on that signal.
  const passDown = (v: number, i: number, to: number, carried: number, ea: EdgeAttr, s: AttrSignal) => {
    const linkFrac = linkFraction(ea, s);
    (linkBlame[v] as Float64Array)[i] = ((linkBlame[v] as Float64Array)[i] ?? 0) + carried * linkFrac;
    (edgeFlow[v] as Float64Array)[i] = ((edgeFlow[v] as Float64Array)[i] ?? 0) + carried;
    const target = flowIn[SIGNALS.indexOf(s)] as Float64Array;
    target[to] = (target[to] ?? 0) + carried * (1 - linkFrac);
  };
  for (const v of topo.order) {
    if (inScope && !inScope.has(v)) continue;
    const a = nodeOut[v] as NodeAttr;
    const nd = nodes[v] as GraphNode;
    SIGNALS.forEach((s, si) => {
      const fin = flowIn[si] as Float64Array;
      const inflow = fin[v] ?? 0;
      if (inflow <= 0) return;
      // A node's own share keeps the flow only as far as its own rise is significant; the rest is noise.
      blame[v] = (blame[v] ?? 0) + inflow * (a.selfShare[s] ?? 0) * significanceWeight(zOf(a, s));
      nd.edges.forEach((e, i) => {
        if (topo.backEdge[v]?.has(e.to)) return;
        const ea = edge[v]?.[i] as EdgeAttr;
        // Time spent retrying a failing callee is that callee's failures, felt as waiting.
        if (s === 'latency' && ea.retry > 0) passDown(v, i, e.to, inflow * ea.retry, ea, 'failures');
        const carried = inflow * ea.share[s];
        if (carried > 0) passDown(v, i, e.to, carried, ea, s);
      });
    });
  }
  return {
    node: nodeOut,
    edge,
    blame: [...blame],
    linkBlame: linkBlame.map((a) => [...a]),
    edgeFlow: edgeFlow.map((a) => [...a]),
    totalImpact,
    entryRequests,
  };
}

/** An edge's excess on a signal; for failures, with the 4xx errors a caller turns into its own faults. */
function carriedExcess(ea: EdgeAttr, s: AttrSignal): number {
  return Math.max(0, ea.excess[s]) + (s === 'failures' ? Math.max(0, ea.excess.errors) : 0);
}

/** The part of an edge's excess only the caller saw (counted the same way). */
function linkPart(ea: EdgeAttr, s: AttrSignal): number {
  return ea.link[s] + (s === 'failures' ? ea.link.errors : 0);
}

/** Share (0–1) of an edge's excess that sits on the link itself. */
function linkFraction(ea: EdgeAttr, s: AttrSignal): number {
  const ex = carriedExcess(ea, s);
  return ex > 0 ? Math.min(1, linkPart(ea, s) / ex) : 0;
}

export function zOf(a: NodeAttr, s: AttrSignal): number {
  return s === 'latency' ? a.latencyZ : s === 'failures' ? a.failureZ : a.errorZ;
}

/** Calls per request on an edge that rose this much over the baseline are retries. */
const RETRY_RISE = 1.2;

/**
 * A caller that retries a failing callee makes more calls per request and sleeps between them:
 * its own time rises, and requests that run out of attempts or of time fail, though each failed
 * call is retried and most succeed in the end. The cause is the callee. Returns the retried edges
 * (calls per request up by RETRY_RISE, failures up significantly) with the share of the caller's
 * rise each takes: all of what is left (`ownShare`), in proportion to their extra failures.
 */
function retriedEdges(
  nd: GraphNode,
  a: NodeAttr,
  edges: readonly EdgeAttr[],
  ownShare: number,
): { edge: number; share: number }[] {
  const s = nd.stats;
  const b = a.baseline;
  if (!s || !b || s.total === 0 || b.total === 0 || ownShare <= 0) return [];
  const retried: { edge: number; weight: number }[] = [];
  nd.edges.forEach((e, i) => {
    const ea = edges[i];
    const eb = ea?.baseline;
    if (!ea || e.async || !e.stats || !eb || eb.total === 0) return;
    const perRequest = e.stats.total / s.total / (eb.total / b.total);
    const failed = Math.max(0, ea.excess.failures) + Math.max(0, ea.excess.errors);
    if (perRequest >= RETRY_RISE && failed > 0 && Math.max(ea.z.failures, ea.z.errors) >= 3) {
      retried.push({ edge: i, weight: failed });
    }
  });
  const total = retried.reduce((sum, r) => sum + r.weight, 0);
  return total > 0 ? retried.map((r) => ({ edge: r.edge, share: (ownShare * r.weight) / total })) : [];
}

/** Own time per request in the incident and the baseline, when every synchronous call has both windows. */
function ownTimes(nd: GraphNode, a: NodeAttr, edges: readonly EdgeAttr[]): [number, number] | undefined {
  const s = nd.stats;
  const b = a.baseline;
  if (!s || !b || s.total === 0 || b.total === 0 || nd.edges.length === 0) return undefined;
  let wait1 = 0;
  let wait0 = 0;
  for (let i = 0; i < nd.edges.length; i++) {
    const e = nd.edges[i] as GraphEdge;
    if (e.async) continue;
    const eb = edges[i]?.baseline;
    if (!e.stats || !eb || eb.total === 0) return undefined;
    wait1 += e.stats.totalTime / s.total;
    wait0 += eb.totalTime / b.total;
  }
  const own1 = meanLatency(s) - wait1;
  const own0 = meanLatency(b) - wait0;
  return own1 > 0 && own0 > 0 ? [own1, own0] : undefined;
}

/** Share of an entry's requests that come from users rather than from other services. */
function userShare(topo: Topology, v: number): number {
  const total = topo.nodes[v]?.stats?.total ?? 0;
  if (total <= 0) return 0;
  let fromServices = 0;
  for (const c of topo.callers[v] ?? []) {
    const caller = topo.nodes[c.from];
    if (!caller || caller.isClient) continue;
    fromServices += caller.edges[c.edge]?.stats?.total ?? 0;
  }
  return Math.max(0, Math.min(1, 1 - fromServices / total));
}

/** Latency excess becomes "requests' worth of slowness": extra seconds over the baseline mean. */
function toRequestEquivalents(
  s: AttrSignal,
  x: number,
  a: NodeAttr,
  requests: number,
  cfg: AnalysisConfig,
): number {
  if (s === 'failures') return x;
  if (s === 'errors') return 0.5 * x;
  const baseMean = Math.max(meanLatency(a.baseline), cfg.latencyFloorSeconds);
  return Math.min(requests, x / baseMean);
}

/**
 * How much latency moves between the two windows for everybody: the median and the robust spread
 * (1.4826 × MAD, at least 5 %) of log mean-latency ratios over services with enough traffic. A
 * rise within two spreads of the median is the day's drift, not an anomaly.
 */
function latencyDrift(
  nodes: readonly GraphNode[],
  base: ReadonlyMap<string, GraphNode>,
  cfg: AnalysisConfig,
): { median: number; spread: number } {
  const logs: number[] = [];
  for (const nd of nodes) {
    const s = nd.stats;
    const b = base.get(nd.key)?.stats;
    if (nd.isClient || !s || !b || s.total < cfg.minRequests || b.total < cfg.minRequests) continue;
    const m1 = meanLatency(s);
    const m0 = meanLatency(b);
    if (m1 > 0 && m0 > 0) logs.push(Math.log(m1 / m0));
  }
  if (logs.length < 5) return { median: 0, spread: 0.05 };
  const median = medianOf(logs);
  const mad = medianOf(logs.map((x) => Math.abs(x - median)));
  return { median: Math.max(0, median), spread: Math.max(0.05, 1.4826 * mad) };
}

function medianOf(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const mid = s.length >> 1;
  return s.length % 2 ? (s[mid] as number) : ((s[mid - 1] as number) + (s[mid] as number)) / 2;
}

interface BaselineIndex {
  readonly graph: ServiceGraph | undefined;
  readonly nodes: Map<string, GraphNode>;
}

function indexBaseline(g: ServiceGraph | undefined): BaselineIndex {
  const nodes = new Map<string, GraphNode>();
  // Clients have no statistics of their own, but their edges are the users' view of each entry.
  if (g) for (const nd of g.nodes) if (nd.isClient || (nd.stats && nd.stats.total > 0)) nodes.set(nd.key, nd);
  return { graph: g, nodes };
}

/** The baseline's statistics for the edge caller → callee, matched by keys (ids differ between calls). */
function baselineEdge(
  base: BaselineIndex,
  callerKey: string,
  calleeKey: string | undefined,
): RequestStats | undefined {
  const caller = base.nodes.get(callerKey);
  if (!caller || !base.graph || calleeKey === undefined) return undefined;
  for (const e of caller.edges) if (base.graph.nodes[e.to]?.key === calleeKey) return e.stats;
  return undefined;
}

function nodeSignals(
  nd: GraphNode,
  baseNode: GraphNode | undefined,
  baselineKnown: boolean,
  cfg: AnalysisConfig,
): Omit<NodeAttr, 'loadRatio' | 'latencyRelative'> {
  const s = nd.stats;
  const b = baseNode?.stats;
  const present = !nd.isClient && s !== undefined && s.total > 0;
  const hasBaseline = b !== undefined && b.total > 0;
  const newDependency = present && baselineKnown && !hasBaseline && nd.inferred;
  const excess = zero();
  const anomalous = { failures: false, errors: false, latency: false };
  let failureRise = 0;
  let failureZ = 0;
  let errorRise = 0;
  let errorZ = 0;
  let latencyRise = 0;
  let latencyZ = 0;
  let unhealthy = false;
  if (present && s) {
    const n1 = s.total;
    const n0 = hasBaseline && b ? b.total : 0;
    const f0 = hasBaseline && b ? failuresOf(b) : 0;
    const e0 = hasBaseline && b ? b.errors : 0;
    excess.failures = rateExcess(failuresOf(s), n1, f0, n0);
    excess.errors = rateExcess(s.errors, n1, e0, n0);
    const p99 = quantileOf(s, 0.99);
    unhealthy =
      rate(s.faults, n1) > cfg.faultRate ||
      rate(s.errors, n1) > cfg.errorRate ||
      rate(s.throttles, n1) > cfg.throttleRate ||
      p99 > cfg.p99Seconds;
    if (hasBaseline && b) {
      failureRise = rate(failuresOf(s), n1) - rate(f0, n0);
      failureZ = proportionRiseZ(failuresOf(s), n1, f0, n0);
      errorRise = rate(s.errors, n1) - rate(e0, n0);
      errorZ = proportionRiseZ(s.errors, n1, e0, n0);
      latencyRise = meanLatency(s) - meanLatency(b);
      latencyZ = latencyRiseZ(s, b);
      excess.latency = n1 * latencyRise;
      const ratio = meanLatency(b) > 0 ? meanLatency(s) / meanLatency(b) : Number.POSITIVE_INFINITY;
      anomalous.failures = failureZ >= 3 && failureRise >= cfg.rateRise;
      anomalous.errors = errorZ >= 3 && errorRise >= cfg.rateRise;
      anomalous.latency =
        latencyZ >= 3 &&
        (ratio >= cfg.latencyRiseRatio || (p99 > cfg.p99Seconds && p99 >= 1.2 * quantileOf(b, 0.99)));
    } else {
      // No baseline: only the absolute thresholds speak, and only with enough requests behind them.
      const fLow = wilson(failuresOf(s), n1).low;
      const eLow = wilson(s.errors, n1).low;
      failureRise = Math.max(0, rate(failuresOf(s), n1) - cfg.faultRate);
      failureZ = fLow > cfg.faultRate ? 3 : 0;
      errorRise = Math.max(0, rate(s.errors, n1) - cfg.errorRate);
      errorZ = eLow > cfg.errorRate ? 3 : 0;
      anomalous.failures = fLow > cfg.faultRate;
      anomalous.errors = eLow > cfg.errorRate;
      anomalous.latency = p99 > cfg.p99Seconds && n1 >= cfg.minRequests;
      if (anomalous.latency) {
        latencyRise = Math.max(0, meanLatency(s) - cfg.p99Seconds / 2);
        latencyZ = 3;
        excess.latency = n1 * latencyRise;
      }
    }
  }
  return {
    present,
    baseline: hasBaseline ? b : undefined,
    hasBaseline,
    newDependency,
    excess,
    self: zero(),
    selfShare: zero(),
    failureRise,
    failureZ,
    errorRise,
    errorZ,
    latencyRise,
    latencyZ,
    anomalous,
    unhealthy,
  };
}

/** Mean latency now over before, the before floored at a millisecond. */
function latencyRatio(now: RequestStats, before: RequestStats | undefined): number {
  return meanLatency(now) / Math.max(meanLatency(before), 0.001);
}

/** A quantile of the histogram, or the mean where the histogram holds no requests. */
function quantileOf(s: RequestStats, q: number): number {
  return binnedRequests(s.histogram) > 0 ? quantile(s.histogram, q) : meanLatency(s);
}

function edgeSignals(
  _caller: GraphNode,
  e: GraphEdge,
  nodes: readonly GraphNode[],
  node: readonly NodeAttr[],
  baseEdge: RequestStats | undefined,
  cfg: AnalysisConfig,
): EdgeAttr {
  const calleeAttr = node[e.to] as NodeAttr;
  const callee = nodes[e.to] as GraphNode;
  const excess = zero();
  const calleePart = zero();
  const link = zero();
  const z = zero();
  const toNewDependency = calleeAttr.newDependency;
  const s = e.stats;
  if (s && s.total > 0) {
    // The edge's own baseline, else the callee's, else (a call that did not happen before) nothing.
    const ref = baseEdge && baseEdge.total > 0 ? baseEdge : calleeAttr.baseline;
    const n0 = ref?.total ?? 0;
    excess.failures = rateExcess(failuresOf(s), s.total, ref ? failuresOf(ref) : 0, n0);
    excess.errors = rateExcess(s.errors, s.total, ref?.errors ?? 0, n0);
    excess.latency = ref ? s.total * (meanLatency(s) - meanLatency(ref)) : toNewDependency ? s.totalTime : 0;
    if (ref && n0 > 0) {
      z.failures = proportionRiseZ(failuresOf(s), s.total, failuresOf(ref), n0);
      z.errors = proportionRiseZ(s.errors, s.total, ref.errors, n0);
    }
    const cs = callee.stats;
    for (const sig of SIGNALS) {
      const ex = Math.max(0, excess[sig]);
      if (toNewDependency) continue;
      if (callee.inferred || !cs || cs.total === 0) {
        // Inferred nodes are built from their callers' subsegments: the edge is the node.
        calleePart[sig] = ex;
        continue;
      }
      const perRequest = Math.max(0, calleeAttr.excess[sig]) / cs.total;
      // A callee whose own figures rose on this signal explains the whole rise its callers see
      // when that rise is within a few times its own: the extra they report (a retry or two
      // waiting on the same slow answer, timeouts, unequal samples) magnifies the callee's
      // fault, it is not a second fault in front of it.
      // Latency compares ratios: a caller's requests can be the callee's slow kind.
      if (
        calleeAttr.anomalous[sig] &&
        (sig === 'latency'
          ? latencyRatio(s, ref) <= cfg.magnification * latencyRatio(cs, calleeAttr.baseline)
          : perRequest * cfg.magnification * s.total >= ex)
      ) {
        calleePart[sig] = ex;
        continue;
      }
      calleePart[sig] = Math.min(ex, perRequest * s.total);
      link[sig] = ex - calleePart[sig];
    }
    // The latency z needs the histograms' variance: only worth it where a link part that can
    // count is left (at least `latencyFloorSeconds` per call).
    // Both tests: the mean must rise and a typical call must be slower (a few outliers in a
    // handful of calls are not a slow link).
    if (ref && n0 > 0 && link.latency >= cfg.latencyFloorSeconds * s.total)
      z.latency = Math.min(latencyRiseZ(s, ref), rankRiseZ(s, ref));
  }
  return {
    baseline: baseEdge,
    excess,
    callee: calleePart,
    link,
    share: zero(),
    retry: 0,
    z,
    toNewDependency,
  };
}
