// Reads GetServiceGraph responses (wire JSON, SDK output, AWS CLI output) and graph snapshots
// into the engine's model. Every field is optional in X-Ray; anything present must make sense.

import { GraphInputError } from './errors.ts';
import type {
  GraphEdge,
  GraphNode,
  GraphSnapshot,
  Histogram,
  RequestStats,
  ServiceGraph,
  TimeWindow,
} from './model.ts';

type Json = unknown;
type Obj = Record<string, Json>;

const isObj = (v: Json): v is Obj => typeof v === 'object' && v !== null && !Array.isArray(v);

/** Types whose nodes carry segments of their own; everything else AWS-typed is inferred from callers. */
const COMPUTE_TYPES = new Set([
  'service',
  'client',
  'AWS::EC2::Instance',
  'AWS::ECS::Container',
  'AWS::ECS::Fargate',
  'AWS::EKS::Container',
  'AWS::ElasticBeanstalk::Environment',
  'AWS::Lambda',
  'AWS::Lambda::Function',
  'AWS::ApiGateway::Stage',
  'AWS::AppSync::GraphQLAPI',
  'AWS::StepFunctions::StateMachine',
  'AWS::AppRunner::Service',
]);

export function isInferredType(type: string): boolean {
  if (type === 'remote' || type === 'Database::SQL') return true;
  return type.startsWith('AWS::') && !COMPUTE_TYPES.has(type);
}

/** Longest `baselineNote` a snapshot may carry (the workflow writes one sentence). */
const MAX_BASELINE_NOTE_CHARS = 1000;

/**
 * Parses a snapshot: `{incident, baseline?, baselineNote?}` where each window is a GetServiceGraph
 * response or an array of its pages, and the note says why the baseline is not the window right
 * before the incident; a bare response (or array of pages) is a snapshot without baseline.
 */
export function parseSnapshot(input: Json): GraphSnapshot {
  if (isObj(input) && 'incident' in input) {
    const incident = parseWindow(input.incident, 'incident');
    const baseline =
      input.baseline === undefined || input.baseline === null
        ? undefined
        : parseWindow(input.baseline, 'baseline');
    const note = input.baselineNote;
    if (note === undefined || note === null) return { incident, baseline };
    if (typeof note !== 'string' || note.length > MAX_BASELINE_NOTE_CHARS) {
      throw new GraphInputError(
        'baselineNote',
        `expected a sentence of at most ${MAX_BASELINE_NOTE_CHARS} characters, got ${describe(note)}`,
      );
    }
    return { incident, baseline, baselineNote: note };
  }
  return { incident: parseWindow(input, ''), baseline: undefined };
}

/** Parses one window: a GetServiceGraph response, or an array of its pages (`NextToken` chain). */
export function parseWindow(input: Json, path: string): ServiceGraph {
  const pages = Array.isArray(input) ? input : [input];
  if (pages.length === 0)
    throw new GraphInputError(path, 'expected a GetServiceGraph response, got an empty list');
  const raw = new Map<number, { svc: Obj; field: string }>();
  const refOrder: number[] = [];
  let window: TimeWindow | undefined;
  pages.forEach((page, p) => {
    const pagePath = Array.isArray(input) ? join(path, `[${p}]`) : path;
    rejectOtherShapes(page, pagePath);
    if (!isObj(page) || !('Services' in page)) {
      throw new GraphInputError(pagePath, 'not a service graph: expected an object with a "Services" list');
    }
    const services = page.Services;
    if (services !== null && !Array.isArray(services)) {
      throw new GraphInputError(join(pagePath, 'Services'), `expected a list, got ${describe(services)}`);
    }
    window ??= readWindow(page, pagePath);
    (services ?? []).forEach((svc, i) => {
      const field = join(pagePath, `Services[${i}]`);
      if (!isObj(svc)) throw new GraphInputError(field, `expected an object, got ${describe(svc)}`);
      const ref = readInt(svc.ReferenceId, field, 'ReferenceId');
      if (ref === undefined)
        throw new GraphInputError(join(field, 'ReferenceId'), 'missing: every service needs one');
      const prior = raw.get(ref);
      if (prior) {
        // Pages may repeat a node; the same id naming another service is a corrupt export.
        if (prior.svc.Name !== svc.Name || prior.svc.Type !== svc.Type) {
          throw new GraphInputError(
            join(field, 'ReferenceId'),
            `${ref} is also used by ${prior.field} for a different service`,
          );
        }
        const edges = [...asList(prior.svc.Edges), ...asList(svc.Edges)];
        raw.set(ref, { svc: { ...prior.svc, Edges: edges }, field: prior.field });
        return;
      }
      raw.set(ref, { svc, field });
      refOrder.push(ref);
    });
  });

  const drafts = refOrder.map((ref) => {
    const { svc, field } = raw.get(ref) as { svc: Obj; field: string };
    return readNode(svc, field, ref);
  });
  // Deterministic order independent of the export's order: by name, type, then id.
  drafts.sort((a, b) => cmp(a.name, b.name) || cmp(a.type, b.type) || a.referenceId - b.referenceId);
  const keyCount = new Map<string, number>();
  for (const d of drafts) keyCount.set(d.baseKey, (keyCount.get(d.baseKey) ?? 0) + 1);
  const indexOfRef = new Map<number, number>();
  drafts.forEach((d, i) => {
    indexOfRef.set(d.referenceId, i);
  });

  let dangling = 0;
  const nodes: GraphNode[] = drafts.map((d) => {
    const found: GraphEdge[] = [];
    for (const e of d.edges) {
      const to = indexOfRef.get(e.ref);
      if (to === undefined) dangling++;
      else found.push({ stats: e.stats, async: e.async, to });
    }
    // Sorted by callee (stable: repeated edges to one callee merge in the export's order).
    found.sort((a, b) => a.to - b.to);
    const edges: GraphEdge[] = [];
    for (const e of found) {
      const prior = edges[edges.length - 1];
      if (prior !== undefined && prior.to === e.to) edges[edges.length - 1] = mergeEdge(prior, e);
      else edges.push(e);
    }
    const key = (keyCount.get(d.baseKey) ?? 0) > 1 ? `${d.baseKey}|${d.referenceId}` : d.baseKey;
    return {
      key,
      name: d.name,
      type: d.type,
      referenceId: d.referenceId,
      root: d.root,
      isClient: d.type === 'client',
      inferred: isInferredType(d.type),
      stats: d.stats,
      edges,
    };
  });
  return { window, nodes: statsFromCallers(nodes), danglingEdges: dangling };
}

interface NodeDraft {
  name: string;
  type: string;
  baseKey: string;
  referenceId: number;
  root: boolean;
  stats: RequestStats | undefined;
  /** Callees by ReferenceId, in the export's order. */
  edges: { ref: number; stats: RequestStats | undefined; async: boolean }[];
}

function readNode(svc: Obj, field: string, referenceId: number): NodeDraft {
  const name = readString(svc.Name, field, 'Name') ?? firstName(svc.Names, join(field, 'Names'));
  if (name === undefined || name === '')
    throw new GraphInputError(join(field, 'Name'), 'missing: every service needs a name');
  const type = readString(svc.Type, field, 'Type') || 'service';
  const root = svc.Root === true;
  const stats = readStats(svc.SummaryStatistics, svc.ResponseTimeHistogram, field);
  const edgesRaw = svc.Edges;
  if (edgesRaw !== undefined && edgesRaw !== null && !Array.isArray(edgesRaw)) {
    throw new GraphInputError(join(field, 'Edges'), `expected a list, got ${describe(edgesRaw)}`);
  }
  const edges = (edgesRaw ?? []).map((e, i) => {
    // Paths are built only for an error message: a 10,000-service graph has ~10⁶ fields.
    const ef = () => join(field, `Edges[${i}]`);
    if (!isObj(e)) throw new GraphInputError(ef(), `expected an object, got ${describe(e)}`);
    const ref = readInt(e.ReferenceId, ef, 'ReferenceId');
    if (ref === undefined)
      throw new GraphInputError(join(ef(), 'ReferenceId'), 'missing: an edge must name its callee');
    const edgeType = readString(e.EdgeType, ef, 'EdgeType');
    return {
      ref,
      stats: readStats(e.SummaryStatistics, e.ResponseTimeHistogram, ef),
      async: edgeType === 'link',
    };
  });
  return { name, type, baseKey: `${name}|${type}`, referenceId, root, stats, edges };
}

/** Where a field is: its parent's path (or a function building it, for the rare error) and its name. */
type Where = string | (() => string);
function pathOf(where: Where, member: string): string {
  const base = typeof where === 'string' ? where : where();
  return member === '' ? base : join(base, member);
}

function readStats(raw: Json, histRaw: Json, field: Where): RequestStats | undefined {
  const histogram = readHistogram(histRaw, field);
  if (raw === undefined || raw === null) return undefined;
  const S = 'SummaryStatistics';
  if (!isObj(raw)) throw new GraphInputError(pathOf(field, S), `expected an object, got ${describe(raw)}`);
  const err = raw.ErrorStatistics;
  const flt = raw.FaultStatistics;
  if (err !== undefined && err !== null && !isObj(err)) {
    throw new GraphInputError(
      pathOf(field, `${S}.ErrorStatistics`),
      `expected an object, got ${describe(err)}`,
    );
  }
  if (flt !== undefined && flt !== null && !isObj(flt)) {
    throw new GraphInputError(
      pathOf(field, `${S}.FaultStatistics`),
      `expected an object, got ${describe(flt)}`,
    );
  }
  const ok = readCount(raw.OkCount, field, `${S}.OkCount`);
  const throttles = readCount(
    isObj(err) ? err.ThrottleCount : undefined,
    field,
    `${S}.ErrorStatistics.ThrottleCount`,
  );
  const errOther = readCount(
    isObj(err) ? err.OtherCount : undefined,
    field,
    `${S}.ErrorStatistics.OtherCount`,
  );
  const errTotal = readCount(
    isObj(err) ? err.TotalCount : undefined,
    field,
    `${S}.ErrorStatistics.TotalCount`,
  );
  const faultTotal = readCount(
    isObj(flt) ? flt.TotalCount : undefined,
    field,
    `${S}.FaultStatistics.TotalCount`,
  );
  const faultOther = readCount(
    isObj(flt) ? flt.OtherCount : undefined,
    field,
    `${S}.FaultStatistics.OtherCount`,
  );
  const faults = faultTotal ?? faultOther ?? 0;
  const throttle = throttles ?? 0;
  const allErrors = errTotal ?? (errOther ?? 0) + throttle;
  const errors = Math.max(0, allErrors - throttle);
  const declared = readCount(raw.TotalCount, field, `${S}.TotalCount`);
  let histTotal = 0;
  let histSum = 0;
  const { values, counts } = histogram;
  for (let i = 0; i < values.length; i++) {
    const count = counts[i] as number;
    histTotal += count;
    histSum += (values[i] as number) * count;
  }
  const total = declared ?? (ok !== undefined ? ok + allErrors + faults : histTotal);
  if (faults + allErrors > total) {
    throw new GraphInputError(
      pathOf(field, `${S}.TotalCount`),
      `${total} requests cannot hold ${faults} faults and ${allErrors} errors`,
    );
  }
  const totalTime = readNumber(raw.TotalResponseTime, field, `${S}.TotalResponseTime`);
  if (totalTime !== undefined && totalTime < 0) {
    throw new GraphInputError(
      pathOf(field, `${S}.TotalResponseTime`),
      `expected seconds ≥ 0, got ${totalTime}`,
    );
  }
  const meanFromHist = histTotal > 0 ? histSum / histTotal : 0;
  return {
    total,
    ok: ok ?? Math.max(0, total - allErrors - faults),
    errors,
    throttles: throttle,
    faults,
    totalTime: totalTime ?? meanFromHist * total,
    histogram,
  };
}

/** The histogram of statistics without one (async links, and no traffic): shared, never changed. */
const NO_BINS: Histogram = Object.freeze({ values: Object.freeze([]), counts: Object.freeze([]) });

/**
 * The histogram sorted by value with equal values merged and empty bins dropped. Exports are
 * usually sorted already with distinct values: that case takes one pass and no map.
 */
function readHistogram(raw: Json, field: Where): Histogram {
  if (raw === undefined || raw === null) return NO_BINS;
  const H = 'ResponseTimeHistogram';
  if (!Array.isArray(raw))
    throw new GraphInputError(pathOf(field, H), `expected a list, got ${describe(raw)}`);
  const values: number[] = [];
  const counts: number[] = [];
  let sorted = true;
  let last = Number.NEGATIVE_INFINITY;
  for (let i = 0; i < raw.length; i++) {
    const entry: Json = raw[i];
    if (!isObj(entry)) {
      throw new GraphInputError(
        `${pathOf(field, H)}[${i}]`,
        `expected {Value, Count}, got ${describe(entry)}`,
      );
    }
    const value = entry.Value;
    const count = entry.Count;
    // The checks of readNumber/readCount, inline: this loop runs for every bin of every stats.
    if (value === undefined || value === null || count === undefined || count === null) {
      // A bin without one of the two is skipped; what is there must still be a number.
      readNumber(value, `${pathOf(field, H)}[${i}]`, 'Value');
      readCount(count, `${pathOf(field, H)}[${i}]`, 'Count');
      continue;
    }
    const v = binValue(value, field, i);
    const c = binCount(count, field, i);
    if (c === 0) continue;
    if (v <= last) sorted = false;
    last = v;
    values.push(v);
    counts.push(c);
  }
  if (values.length === 0) return NO_BINS;
  if (sorted) return { values, counts };
  const byValue = new Map<number, number>();
  addBins(byValue, { values, counts });
  return histogramOf(byValue);
}

/** Adds a histogram's bins to counts by value. */
function addBins(byValue: Map<number, number>, h: Histogram): void {
  for (let i = 0; i < h.values.length; i++) {
    const value = h.values[i] as number;
    byValue.set(value, (byValue.get(value) ?? 0) + (h.counts[i] as number));
  }
}

/** Counts by value as a histogram, sorted by value. */
function histogramOf(byValue: ReadonlyMap<number, number>): Histogram {
  if (byValue.size === 0) return NO_BINS;
  const bins = [...byValue.entries()].sort((a, b) => a[0] - b[0]);
  return { values: bins.map(([value]) => value), counts: bins.map(([, count]) => count) };
}

/** A bin's Value: seconds ≥ 0, -0 folded into 0. */
function binValue(v: Json, field: Where, i: number): number {
  if (typeof v === 'number' && Number.isFinite(v) && v >= 0) return v + 0;
  const f = `${pathOf(field, 'ResponseTimeHistogram')}[${i}].Value`;
  const n = readNumber(v, f, '');
  if (n === undefined) return 0;
  throw new GraphInputError(f, `expected seconds ≥ 0, got ${n}`);
}

function binCount(v: Json, field: Where, i: number): number {
  if (typeof v === 'number' && Number.isInteger(v) && v >= 0) return v + 0;
  return readCount(v, `${pathOf(field, 'ResponseTimeHistogram')}[${i}].Count`, '') ?? 0;
}

function mergeEdge(a: GraphEdge, b: Omit<GraphEdge, 'to'>): GraphEdge {
  if (!a.stats || !b.stats) return { ...a, stats: a.stats ?? b.stats, async: a.async && b.async };
  return { to: a.to, async: a.async && b.async, stats: sumStats([a.stats, b.stats]) };
}

function sumStats(all: readonly RequestStats[]): RequestStats {
  const bins = new Map<number, number>();
  for (const s of all) addBins(bins, s.histogram);
  const sum = (f: (s: RequestStats) => number) => all.reduce((acc, s) => acc + f(s), 0);
  return {
    total: sum((s) => s.total),
    ok: sum((s) => s.ok),
    errors: sum((s) => s.errors),
    throttles: sum((s) => s.throttles),
    faults: sum((s) => s.faults),
    totalTime: sum((s) => s.totalTime),
    histogram: histogramOf(bins),
  };
}

/**
 * A service that refuses every connection writes no segments: X-Ray lists it without statistics
 * and only its callers' edges show what happened. Such a node is seen the way X-Ray sees inferred
 * nodes — through its callers: the sum of its synchronous incoming edges.
 */
function statsFromCallers(nodes: readonly GraphNode[]): GraphNode[] {
  const incoming = new Map<number, RequestStats[]>();
  for (const nd of nodes) {
    if (nd.isClient) continue;
    for (const e of nd.edges) {
      if (e.async || !e.stats || e.stats.total === 0) continue;
      const list = incoming.get(e.to);
      if (list) list.push(e.stats);
      else incoming.set(e.to, [e.stats]);
    }
  }
  return nodes.map((nd, i) => {
    if (nd.isClient || (nd.stats && nd.stats.total > 0)) return nd;
    const seen = incoming.get(i);
    return seen ? { ...nd, stats: sumStats(seen) } : nd;
  });
}

function readWindow(page: Obj, path: string): TimeWindow | undefined {
  const start = readTime(page.StartTime, join(path, 'StartTime'));
  const end = readTime(page.EndTime, join(path, 'EndTime'));
  if (start === undefined || end === undefined) return undefined;
  if (end < start) throw new GraphInputError(join(path, 'EndTime'), 'ends before StartTime');
  return { start: new Date(start).toISOString(), end: new Date(end).toISOString() };
}

/** Epoch seconds (wire, SDK after JSON), ISO-8601 (AWS CLI v2) or a Date (SDK in memory) → epoch ms. */
function readTime(v: Json, field: string): number | undefined {
  if (v === undefined || v === null) return undefined;
  let ms: number | undefined;
  if (v instanceof Date) ms = v.getTime();
  else if (typeof v === 'number' && Number.isFinite(v) && v >= 0) ms = v * 1000;
  else if (typeof v === 'string') {
    const asNum = Number(v);
    if (v.trim() !== '' && Number.isFinite(asNum) && asNum >= 0) ms = asNum * 1000;
    else if (!Number.isNaN(Date.parse(v))) ms = Date.parse(v);
  }
  if (ms === undefined || Number.isNaN(ms)) {
    throw new GraphInputError(field, `expected epoch seconds or an ISO-8601 time, got ${describe(v)}`);
  }
  // Beyond the year 9999 the value is not epoch seconds (milliseconds or microseconds, say).
  if (ms > MAX_TIME_MS) {
    throw new GraphInputError(
      field,
      `${describe(v)} is not a time in epoch seconds (it lies after the year 9999)`,
    );
  }
  return ms;
}

const MAX_TIME_MS = Date.UTC(9999, 11, 31);

function rejectOtherShapes(page: Json, path: string): void {
  if (!isObj(page)) {
    throw new GraphInputError(
      path,
      `not a service graph: expected a GetServiceGraph response object, got ${describe(page)}`,
    );
  }
  const other: [string, string][] = [
    ['Traces', 'a BatchGetTraces response (Traces)'],
    ['TraceSummaries', 'a GetTraceSummaries response (TraceSummaries)'],
    ['Segments', 'a trace (Segments)'],
    ['InsightSummaries', 'a GetInsightSummaries response'],
  ];
  for (const [k, what] of other) {
    if (k in page && !('Services' in page)) {
      throw new GraphInputError(
        path,
        `this is ${what}, not a service graph; export one with "aws xray get-service-graph --start-time … --end-time …"`,
      );
    }
  }
}

function readInt(v: Json, where: Where, member: string): number | undefined {
  const n = readNumber(v, where, member);
  if (n === undefined) return undefined;
  if (!Number.isInteger(n)) throw new GraphInputError(pathOf(where, member), `expected an integer, got ${n}`);
  return n + 0;
}

function readCount(v: Json, where: Where, member: string): number | undefined {
  const n = readNumber(v, where, member);
  if (n === undefined) return undefined;
  if (n < 0 || !Number.isInteger(n))
    throw new GraphInputError(pathOf(where, member), `expected a whole count ≥ 0, got ${n}`);
  return n + 0;
}

function readNumber(v: Json, where: Where, member: string): number | undefined {
  if (v === undefined || v === null) return undefined;
  if (typeof v !== 'number' || !Number.isFinite(v)) {
    throw new GraphInputError(pathOf(where, member), `expected a number, got ${describe(v)}`);
  }
  return v + 0;
}

function readString(v: Json, where: Where, member: string): string | undefined {
  if (v === undefined || v === null) return undefined;
  if (typeof v !== 'string')
    throw new GraphInputError(pathOf(where, member), `expected a string, got ${describe(v)}`);
  return v;
}

function firstName(v: Json, field: string): string | undefined {
  if (v === undefined || v === null) return undefined;
  if (!Array.isArray(v)) throw new GraphInputError(field, `expected a list of names, got ${describe(v)}`);
  const first = v[0];
  return typeof first === 'string' ? first : undefined;
}

function asList(v: Json): Json[] {
  return Array.isArray(v) ? v : [];
}

function join(path: string, member: string): string {
  if (!path) return member;
  return member.startsWith('[') ? `${path}${member}` : `${path}.${member}`;
}

function describe(v: Json): string {
  if (v === null) return 'null';
  if (Array.isArray(v)) return 'a list';
  if (typeof v === 'string') return JSON.stringify(v.length > 40 ? `${v.slice(0, 40)}…` : v);
  if (typeof v === 'object') return 'an object';
  return String(v);
}

function cmp(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
