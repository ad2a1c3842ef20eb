// Builds hand-made GetServiceGraph responses (wire JSON, times in epoch seconds) so that a test can
// state its scenario in a few lines: node('api', {n: 1000, faults: 10, mean: 0.05}) and
// edge('api', 'db', {n: 1000, mean: 0.01}). Counts agree with each other the way X-Ray's do, and
// every histogram is spread around its mean so that latency z statistics stay finite.

export interface HistogramEntry {
  Value: number;
  Count: number;
}

export interface XRayStatistics {
  OkCount: number;
  ErrorStatistics: { ThrottleCount: number; OtherCount: number; TotalCount: number };
  FaultStatistics: { OtherCount: number; TotalCount: number };
  TotalCount: number;
  TotalResponseTime: number;
}

export interface XRayEdge {
  ReferenceId: number;
  SummaryStatistics: XRayStatistics | Record<string, never>;
  ResponseTimeHistogram: HistogramEntry[];
  EdgeType?: string;
}

export interface XRayService {
  ReferenceId: number;
  Name: string;
  Type: string;
  Root: boolean;
  SummaryStatistics?: XRayStatistics;
  ResponseTimeHistogram?: HistogramEntry[];
  Edges: XRayEdge[];
}

export interface XRayServiceGraph {
  StartTime: number;
  EndTime: number;
  Services: XRayService[];
}

export interface XRaySnapshot {
  incident: XRayServiceGraph;
  baseline?: XRayServiceGraph;
}

/** Traffic over one window: request count, 5xx, other 4xx, 429, and mean response time in seconds. */
export interface Traffic {
  readonly n: number;
  readonly faults?: number;
  readonly errors?: number;
  readonly throttles?: number;
  readonly mean?: number;
}

export interface NodeDef {
  readonly kind: 'node';
  readonly name: string;
  readonly type: string;
  readonly root: boolean;
  readonly traffic: Traffic;
}

export interface EdgeDef {
  readonly kind: 'edge';
  readonly from: string;
  readonly to: string;
  readonly async: boolean;
  readonly traffic: Traffic;
}

export type Part = NodeDef | EdgeDef;

export const DEFAULT_MEAN = 0.02;
/** The incident window: ten minutes; the baseline is the hour before it, same length. */
export const INCIDENT_START = 1_700_003_600;
export const BASELINE_START = 1_700_000_000;
export const WINDOW_SECONDS = 600;

export function node(name: string, traffic: Traffic & { type?: string; root?: boolean }): NodeDef {
  return {
    kind: 'node',
    name,
    type: traffic.type ?? 'AWS::ECS::Container',
    root: traffic.root ?? false,
    traffic,
  };
}

export function edge(from: string, to: string, traffic: Traffic & { async?: boolean }): EdgeDef {
  return { kind: 'edge', from, to, async: traffic.async ?? false, traffic };
}

/**
 * Three bins at 0.5×, 1× and 1.5× the mean holding a quarter, a half and a quarter of the
 * requests: the histogram's mean is the mean, and its variance (≈ mean² / 8) is not zero.
 */
export function histogram(n: number, mean: number): HistogramEntry[] {
  if (n <= 0) return [];
  const side = Math.floor(n / 4);
  const bins: HistogramEntry[] = [
    { Value: mean * 0.5, Count: side },
    { Value: mean, Count: n - 2 * side },
    { Value: mean * 1.5, Count: side },
  ];
  return bins.filter((b) => b.Count > 0);
}

export function statistics(t: Traffic): XRayStatistics {
  const faults = t.faults ?? 0;
  const errors = t.errors ?? 0;
  const throttles = t.throttles ?? 0;
  if (faults + errors + throttles > t.n) {
    throw new RangeError(`graph-kit: ${t.n} requests cannot hold ${faults + errors + throttles} failures`);
  }
  return {
    OkCount: t.n - faults - errors - throttles,
    ErrorStatistics: { ThrottleCount: throttles, OtherCount: errors, TotalCount: errors + throttles },
    FaultStatistics: { OtherCount: faults, TotalCount: faults },
    TotalCount: t.n,
    TotalResponseTime: (t.mean ?? DEFAULT_MEAN) * t.n,
  };
}

export interface GraphOptions {
  /**
   * Services the `client` node calls (with the entry's own traffic). Default: the first node given.
   * `null`: no client node at all.
   */
  readonly entry?: string | readonly string[] | null;
  readonly start?: number;
  readonly end?: number;
}

/** One GetServiceGraph response: `client` gets ReferenceId 0, the nodes 1… in the order given. */
export function serviceGraph(parts: readonly Part[], options: GraphOptions = {}): XRayServiceGraph {
  const nodes = parts.filter((p): p is NodeDef => p.kind === 'node');
  const edges = parts.filter((p): p is EdgeDef => p.kind === 'edge');
  const entryOpt = options.entry === undefined ? nodes[0]?.name : options.entry;
  const entries =
    entryOpt === null || entryOpt === undefined ? [] : typeof entryOpt === 'string' ? [entryOpt] : entryOpt;
  const ref = new Map<string, number>();
  nodes.forEach((nd, i) => {
    if (ref.has(nd.name)) throw new RangeError(`graph-kit: node "${nd.name}" given twice`);
    ref.set(nd.name, i + 1);
  });
  const refOf = (name: string): number => {
    const r = ref.get(name);
    if (r === undefined) throw new RangeError(`graph-kit: no node "${name}"`);
    return r;
  };
  const toEdge = (e: { to: string; async: boolean; traffic: Traffic }): XRayEdge =>
    e.async
      ? { ReferenceId: refOf(e.to), SummaryStatistics: {}, ResponseTimeHistogram: [], EdgeType: 'link' }
      : {
          ReferenceId: refOf(e.to),
          SummaryStatistics: statistics(e.traffic),
          ResponseTimeHistogram: histogram(e.traffic.n, e.traffic.mean ?? DEFAULT_MEAN),
        };
  for (const e of edges) refOf(e.from);
  const services: XRayService[] = nodes.map((nd) => ({
    ReferenceId: refOf(nd.name),
    Name: nd.name,
    Type: nd.type,
    Root: nd.root || entries.includes(nd.name),
    SummaryStatistics: statistics(nd.traffic),
    ResponseTimeHistogram: histogram(nd.traffic.n, nd.traffic.mean ?? DEFAULT_MEAN),
    Edges: edges.filter((e) => e.from === nd.name).map(toEdge),
  }));
  if (entries.length > 0) {
    const clientEdges = entries.map((name) => {
      const target = nodes.find((nd) => nd.name === name);
      if (!target) throw new RangeError(`graph-kit: entry "${name}" is not a node`);
      return toEdge({ to: name, async: false, traffic: target.traffic });
    });
    services.unshift({ ReferenceId: 0, Name: 'client', Type: 'client', Root: false, Edges: clientEdges });
  }
  const start = options.start ?? INCIDENT_START;
  return { StartTime: start, EndTime: options.end ?? start + WINDOW_SECONDS, Services: services };
}

/** A snapshot as the CLI reads it: the incident window and, when given, the baseline window before it. */
export function snapshot(
  incident: readonly Part[],
  baseline?: readonly Part[],
  options: Omit<GraphOptions, 'start' | 'end'> = {},
): XRaySnapshot {
  const inc = serviceGraph(incident, { ...options, start: INCIDENT_START });
  if (baseline === undefined) return { incident: inc };
  return { incident: inc, baseline: serviceGraph(baseline, { ...options, start: BASELINE_START }) };
}

/** A chain api → b → … → leaf where every call passes through once and faults bubble up unchanged. */
export function chain(names: readonly string[], t: { n: number; faults?: number; mean?: number }): Part[] {
  const parts: Part[] = [];
  names.forEach((name, i) => {
    const selfMean = t.mean ?? DEFAULT_MEAN;
    // Each hop adds its own `mean` of self time on top of everything below it.
    const nodeMean = selfMean * (names.length - i);
    parts.push(node(name, { n: t.n, faults: t.faults ?? 0, mean: nodeMean }));
    const next = names[i + 1];
    if (next !== undefined)
      parts.push(
        edge(name, next, { n: t.n, faults: t.faults ?? 0, mean: selfMean * (names.length - i - 1) }),
      );
  });
  return parts;
}

/**
 * A starved caller: web calls c and d; c and d each call p, q and r once per request. c's calls
 * take `calls` s while d's take 50 ms and p, q and r's own spans stay at 50 ms, so the fault is on
 * c's side (its CPU, connection pool or network).
 */
export function starvedCaller(calls: number): Part[] {
  return [
    node('web', { n: 1000, mean: 0.02 + 3 * calls + 0.01 + 3 * 0.05 }),
    node('c', { n: 1000, mean: 0.01 + 3 * calls }),
    node('d', { n: 1000, mean: 0.01 + 3 * 0.05 }),
    edge('web', 'c', { n: 1000, mean: 0.01 + 3 * calls }),
    edge('web', 'd', { n: 1000, mean: 0.01 + 3 * 0.05 }),
    ...['p', 'q', 'r'].flatMap((callee) => [
      node(callee, { n: 2000, mean: 0.05 }),
      edge('c', callee, { n: 1000, mean: calls }),
      edge('d', callee, { n: 1000, mean: 0.05 }),
    ]),
  ];
}
