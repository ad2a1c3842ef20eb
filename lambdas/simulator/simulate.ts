// A topology plus faults in, the graph snapshot X-Ray would have produced out: a quiet baseline
// window and the incident window, in the GetServiceGraph shape (optionally split into NextToken
// pages). Counts are drawn around the physics' expected values with noise that belongs to each
// service and edge, so a fault changes only what it reaches and the same seed gives the same bytes.

import { SimulationInputError } from './errors.ts';
import type { Fault, FaultSpec } from './faults.ts';
import { resolveFaults } from './faults.ts';
import {
  type HistogramBins,
  type HistogramEntry,
  type Latency,
  latencyHistogram,
  mergeHistograms,
  mulberry32,
  type XRayEdge,
  type XRayService,
  type XRayServiceGraph,
  type XRayStatistics,
} from './graph-builder.ts';
import { type Solution, solveWindow, type WindowPlan } from './physics.ts';
import { type CompiledTopology, MAX_TRAFFIC } from './topology.ts';

/** 2026-11-20T03:00:00Z: the incident starts here unless told otherwise. */
export const DEFAULT_START = 1795143600;
export const DEFAULT_MINUTES = 15;
export const DEFAULT_BASELINE_MINUTES = 60;
/** Window lengths, in minutes: from one (X-Ray's resolution) to six hours (incident) or a day (baseline). */
export const WINDOW_MINUTES = { min: 1, incident: 360, baseline: 1440 } as const;
/** The incident start, in epoch seconds: from 1970 to the end of year 9999, as ISO-8601 can write it. */
export const MAX_START = 253_402_300_799;

export interface SimulateOptions {
  readonly faults?: readonly FaultSpec[];
  /** Users' requests per second; default: the topology's. */
  readonly traffic?: number;
  readonly seed?: number;
  /** Split each window into this many GetServiceGraph pages (`NextToken`); default 1. */
  readonly pages?: number;
  /** Incident start in epoch seconds; the baseline ends there. */
  readonly start?: number;
  readonly minutes?: number;
  readonly baselineMinutes?: number;
  /** Histogram resolution; default `fine` up to 2,000 services, `compact` above. */
  readonly histogramBins?: HistogramBins;
}

export type SimulatedWindow = XRayServiceGraph | XRayServiceGraph[];

export interface SimulatedSnapshot {
  readonly incident: SimulatedWindow;
  readonly baseline: SimulatedWindow;
}

export interface Simulation {
  readonly topology: CompiledTopology;
  readonly faults: readonly Fault[];
  readonly traffic: number;
  readonly seed: number;
  readonly snapshot: SimulatedSnapshot;
  /** The expected values behind each window (noise in traffic and latency levels included). */
  readonly expected: { readonly incident: Solution; readonly baseline: Solution };
}

export function simulate(topo: CompiledTopology, options: SimulateOptions = {}): Simulation {
  const faults = resolveFaults(topo, options.faults ?? []);
  const traffic = options.traffic ?? topo.traffic;
  const seed = options.seed ?? 1;
  const pages = options.pages ?? 1;
  const start = options.start ?? DEFAULT_START;
  const minutes = options.minutes ?? DEFAULT_MINUTES;
  const baselineMinutes = options.baselineMinutes ?? DEFAULT_BASELINE_MINUTES;
  if (!(traffic > 0 && traffic <= MAX_TRAFFIC))
    throw new SimulationInputError(
      `--traffic must be a number of requests per second above 0 and at most ${MAX_TRAFFIC}, got ${traffic}`,
    );
  if (!Number.isSafeInteger(seed) || seed < 0)
    throw new SimulationInputError(`--seed must be a whole number ≥ 0, got ${seed}`);
  const { min, incident, baseline } = WINDOW_MINUTES;
  if (!(minutes >= min && minutes <= incident) || !(baselineMinutes >= min && baselineMinutes <= baseline))
    throw new SimulationInputError(
      `window lengths must be at least ${min} minute (incident ≤ ${incident} minutes, baseline ≤ ${baseline}), got ${minutes} and ${baselineMinutes}`,
    );
  if (!(start >= 0 && start <= MAX_START))
    throw new SimulationInputError(
      `--start must be between 1970 and the end of 9999 (0 to ${MAX_START} in epoch seconds), got ${start}`,
    );
  const bins = options.histogramBins ?? (topo.n > 2000 ? 'compact' : 'fine');
  const ids = referenceIds(topo);
  if (!Number.isSafeInteger(pages) || pages < 1 || pages > ids.count) {
    throw new SimulationInputError(
      `--pages must be a whole number from 1 to ${ids.count} (the nodes in the graph), got ${pages}`,
    );
  }
  const windows = {
    baseline: { start: start - baselineMinutes * 60, end: start, tag: 1, faults: [] as Fault[] },
    incident: { start, end: start + minutes * 60, tag: 2, faults },
  };
  const solved = {
    baseline: solveWindow(topo, noisyPlan(topo, traffic, windows.baseline, seed)),
    incident: solveWindow(topo, noisyPlan(topo, traffic, windows.incident, seed)),
  };
  const graph = (w: 'incident' | 'baseline'): SimulatedWindow => {
    const def = windows[w];
    const g = assemble(topo, solved[w], ids, def, seed, bins);
    return pages > 1 ? paginate(g, pages, w) : g;
  };
  return {
    topology: topo,
    faults,
    traffic,
    seed,
    snapshot: { incident: graph('incident'), baseline: graph('baseline') },
    expected: solved,
  };
}

// ---------------------------------------------------------------------------------------------
// Deterministic noise: every service and every call draws from a stream of its own.

/** 32-bit mix of several integers (murmur3 finalizer over a running hash). */
export function hashInts(...xs: readonly number[]): number {
  let h = 0x9e3779b9;
  for (const x of xs) {
    h = Math.imul(h ^ (x >>> 0), 0x85ebca6b);
    h ^= h >>> 13;
    h = Math.imul(h, 0xc2b2ae35);
    h ^= h >>> 16;
  }
  return h >>> 0;
}

/** Standard normal draws from a seeded stream (Box–Muller). */
export function normals(seed: number, count: number): Float64Array {
  const rng = mulberry32(seed);
  const out = new Float64Array(count);
  for (let i = 0; i < count; i += 2) {
    const u1 = Math.max(1e-12, rng());
    const u2 = rng();
    const r = Math.sqrt(-2 * Math.log(u1));
    out[i] = r * Math.cos(2 * Math.PI * u2);
    if (i + 1 < count) out[i + 1] = r * Math.sin(2 * Math.PI * u2);
  }
  return out;
}

const STREAM = { window: 1, service: 2, call: 3, users: 4 } as const;

interface WindowDef {
  readonly start: number;
  readonly end: number;
  readonly tag: number;
  readonly faults: readonly Fault[];
}

/**
 * Background noise of one window: overall traffic ±2 %, each entry's share ±3 %, each service's
 * latency level by its own spread (3 % unless the topology says otherwise), background error rates
 * ±25 %. Drawn per service, so that they do not depend on the faults.
 */
function noisyPlan(topo: CompiledTopology, traffic: number, w: WindowDef, seed: number): WindowPlan {
  const n = topo.n;
  const global = normals(hashInts(seed, w.tag, STREAM.window), 2);
  const total = traffic * Math.exp(0.02 * (global[0] ?? 0));
  const users = new Float64Array(n);
  const level = new Float64Array(n);
  const ownFaults = new Float64Array(n);
  const ownErrors = new Float64Array(n);
  const ownThrottles = new Float64Array(n);
  for (let v = 0; v < n; v++) {
    const z = normals(hashInts(seed, w.tag, STREAM.service, v), 6);
    users[v] = total * (topo.entry[v] ?? 0) * Math.exp(0.03 * (z[0] ?? 0));
    level[v] = Math.exp((topo.wobble[v] ?? 0.03) * (z[1] ?? 0));
    ownFaults[v] = (topo.noiseFaults[v] ?? 0) * Math.exp(0.25 * (z[2] ?? 0));
    ownErrors[v] = (topo.noiseErrors[v] ?? 0) * Math.exp(0.25 * (z[3] ?? 0));
    ownThrottles[v] = (topo.noiseThrottles[v] ?? 0) * Math.exp(0.25 * (z[4] ?? 0));
  }
  return {
    seconds: w.end - w.start,
    users,
    level,
    ownFaults,
    ownErrors,
    ownThrottles,
    faults: w.faults,
    trafficRatio: traffic / topo.traffic,
  };
}

/** A binomial draw approximated by its normal, with the draw `z` fixed in advance. */
function binom(count: number, p: number, z: number): number {
  if (count <= 0 || p <= 0) return 0;
  if (p >= 1) return count;
  const x = Math.round(count * p + z * Math.sqrt(count * p * (1 - p)));
  return x < 0 ? 0 : x > count ? count : x;
}

/** A count around its expectation (Poisson-like spread). */
function noisyCount(expected: number, z: number): number {
  if (expected <= 0) return 0;
  return Math.max(0, Math.round(expected + z * Math.sqrt(expected)));
}

interface Counts {
  total: number;
  ok: number;
  errors: number;
  throttles: number;
  faults: number;
}

const zeroCounts = (): Counts => ({ total: 0, ok: 0, errors: 0, throttles: 0, faults: 0 });

/** What a service records for `connected` requests: 429s, 5xx, other 4xx and the rest OK. */
function classify(sol: Solution, w: number, connected: number, z: Float64Array, at: number): Counts {
  const thr = sol.throttled[w] ?? 0;
  const rejected = thr + (sol.shed[w] ?? 0);
  const flt = (sol.shed[w] ?? 0) + (1 - rejected) * (sol.faultShare[w] ?? 0);
  const err = (1 - rejected) * (1 - (sol.faultShare[w] ?? 0)) * (sol.errorShare[w] ?? 0);
  const throttles = binom(connected, thr, z[at] ?? 0);
  const rest1 = connected - throttles;
  const faults = binom(rest1, thr < 1 ? flt / (1 - thr) : 0, z[at + 1] ?? 0);
  const rest2 = rest1 - faults;
  const errors = binom(rest2, thr + flt < 1 ? err / (1 - thr - flt) : 0, z[at + 2] ?? 0);
  return { total: connected, ok: rest2 - errors, errors, throttles, faults };
}

/** Outcomes of `calls` SDK calls as their subsegments record them: a call fails when its last attempt does. */
function classifyCalls(sol: Solution, k: number, to: number, calls: number, z: Float64Array): Counts {
  const q = sol.attemptFailure[k] ?? 0;
  const r = q > 0 ? (sol.finalFailure[k] ?? 0) / q : 0;
  const c = sol.refused[to] ?? 0;
  const thr = sol.throttled[to] ?? 0;
  const shed = sol.shed[to] ?? 0;
  const f = sol.faultShare[to] ?? 0;
  const throttleShare = (1 - c) * thr * r;
  const faultShare = (c + (1 - c) * (shed + (1 - thr - shed) * (f + (1 - f) * (sol.slow[k] ?? 0)))) * r;
  const throttles = binom(calls, throttleShare, z[1] ?? 0);
  const rest1 = calls - throttles;
  const faults = binom(rest1, throttleShare < 1 ? faultShare / (1 - throttleShare) : 0, z[2] ?? 0);
  const rest2 = rest1 - faults;
  const errors = binom(rest2, sol.errorShare[to] ?? 0, z[3] ?? 0);
  return { total: calls, ok: rest2 - errors, errors, throttles, faults };
}

function add(into: Counts, c: Counts): void {
  into.total += c.total;
  into.ok += c.ok;
  into.errors += c.errors;
  into.throttles += c.throttles;
  into.faults += c.faults;
}

// ---------------------------------------------------------------------------------------------
// Assembly into GetServiceGraph JSON

interface Ids {
  readonly service: Int32Array;
  /** ReferenceId of the `client` node in front of an entry point, −1 for others. */
  readonly client: Int32Array;
  readonly count: number;
}

/** ReferenceIds in topology order, a `client` node just before each entry point; the same in both windows. */
function referenceIds(topo: CompiledTopology): Ids {
  const service = new Int32Array(topo.n);
  const client = new Int32Array(topo.n).fill(-1);
  let next = 0;
  for (let v = 0; v < topo.n; v++) {
    if ((topo.entry[v] ?? 0) > 0) client[v] = next++;
    service[v] = next++;
  }
  return { service, client, count: next };
}

function statistics(c: Counts, totalSeconds: number): XRayStatistics {
  return {
    OkCount: c.ok,
    ErrorStatistics: { ThrottleCount: c.throttles, OtherCount: c.errors, TotalCount: c.errors + c.throttles },
    FaultStatistics: { OtherCount: c.faults, TotalCount: c.faults },
    TotalCount: c.total,
    TotalResponseTime: totalSeconds,
  };
}

function assemble(
  topo: CompiledTopology,
  sol: Solution,
  ids: Ids,
  w: WindowDef,
  seed: number,
  bins: HistogramBins,
): XRayServiceGraph {
  const { n, e } = topo;
  const recorded: Counts[] = Array.from({ length: n }, zeroCounts);
  const usersSeen: Counts[] = Array.from({ length: n }, zeroCounts);
  const inferredParts: HistogramEntry[][][] = Array.from({ length: n }, () => []);
  const edges: (XRayEdge | undefined)[] = new Array(e).fill(undefined);

  for (let v = 0; v < n; v++) {
    const expected = sol.users[v] ?? 0;
    if (expected <= 0) continue;
    const z = normals(hashInts(seed, w.tag, STREAM.users, v), 5);
    const arriving = noisyCount(expected, z[0] ?? 0);
    const connected = arriving - binom(arriving, sol.refused[v] ?? 0, z[1] ?? 0);
    const c = classify(sol, v, connected, z, 2);
    usersSeen[v] = c;
    add(recorded[v] as Counts, c);
  }
  for (let k = 0; k < e; k++) {
    const to = topo.to[k] ?? 0;
    const z = normals(hashInts(seed, w.tag, STREAM.call, k), 7);
    if (topo.sdk[k]) {
      // One subsegment per SDK call, whatever its retries: the edge and the AWS node count calls.
      const calls = noisyCount((sol.attempts[k] ?? 0) / (sol.attemptsPerCall[k] ?? 1), z[0] ?? 0);
      if (calls === 0) continue;
      const seen = classifyCalls(sol, k, to, calls, z);
      const { histogram, totalSeconds } = latencyHistogram(sol.view[k] as Latency, calls, bins);
      edges[k] = measuredEdge(ids.service[to] ?? 0, w, seen, histogram, totalSeconds);
      add(recorded[to] as Counts, seen);
      inferredParts[to]?.push(histogram);
      continue;
    }
    const attempts = noisyCount(sol.attempts[k] ?? 0, z[0] ?? 0);
    if (attempts === 0) continue;
    const refused = binom(attempts, sol.refused[to] ?? 0, z[1] ?? 0);
    const callee = classify(sol, to, attempts - refused, z, 2);
    if (topo.async[k]) {
      // A queue delivering to its consumer: the consumer records the messages; the link has no statistics.
      add(recorded[to] as Counts, callee);
      edges[k] = link(ids.service[to] ?? 0, w);
      continue;
    }
    const slow = sol.slow[k] ?? 0;
    const abandonedErrors = binom(callee.errors, slow, z[5] ?? 0);
    const abandonedOk = binom(callee.ok, slow, z[6] ?? 0);
    const seen: Counts = {
      total: attempts,
      ok: callee.ok - abandonedOk,
      errors: callee.errors - abandonedErrors,
      throttles: callee.throttles,
      faults: callee.faults + refused + abandonedErrors + abandonedOk,
    };
    const { histogram, totalSeconds } = latencyHistogram(sol.view[k] as Latency, attempts, bins);
    edges[k] = measuredEdge(ids.service[to] ?? 0, w, seen, histogram, totalSeconds);
    if (topo.inferred[to]) {
      // Inferred nodes have no segments: X-Ray builds them from their callers' subsegments.
      add(recorded[to] as Counts, seen);
      inferredParts[to]?.push(histogram);
    } else {
      add(recorded[to] as Counts, callee);
    }
  }

  const referenced = new Uint8Array(n);
  for (let k = 0; k < e; k++) if (edges[k]) referenced[topo.to[k] ?? 0] = 1;
  const services: XRayService[] = [];
  for (let v = 0; v < n; v++) {
    const c = recorded[v] as Counts;
    const name = topo.names[v] as string;
    const type = topo.types[v] as string;
    const outgoing: XRayEdge[] = [];
    for (let k = topo.outStart[v] ?? 0; k < (topo.outStart[v + 1] ?? 0); k++) {
      const edge = edges[k];
      if (edge) outgoing.push(edge);
    }
    if (c.total === 0 && !referenced[v] && outgoing.length === 0) continue;
    const users = usersSeen[v] as Counts;
    let stats: XRayStatistics | undefined;
    let histogram: HistogramEntry[] = [];
    if (c.total > 0) {
      const h = topo.inferred[v]
        ? mergeHistograms(inferredParts[v] ?? [], bins)
        : latencyHistogram(sol.node[v] as Latency, c.total, bins);
      histogram = h.histogram;
      stats = statistics(c, h.totalSeconds);
    }
    if ((ids.client[v] ?? -1) >= 0 && users.total > 0) {
      // The users calling an entry point; the client's view of it is the entry's own record of them.
      const h = latencyHistogram(sol.node[v] as Latency, users.total, bins);
      services.push({
        ReferenceId: ids.client[v] ?? 0,
        Name: name,
        Names: [name],
        Type: 'client',
        State: 'unknown',
        StartTime: w.start,
        EndTime: w.end,
        Edges: [
          {
            ReferenceId: ids.service[v] ?? 0,
            StartTime: w.start,
            EndTime: w.end,
            SummaryStatistics: statistics(users, h.totalSeconds),
            ResponseTimeHistogram: h.histogram,
            Aliases: [],
          },
        ],
      });
    }
    const svc: XRayService = {
      ReferenceId: ids.service[v] ?? 0,
      Name: name,
      Names: [name],
      ...((topo.entry[v] ?? 0) > 0 ? { Root: true } : {}),
      Type: type,
      State: topo.inferred[v] ? 'unknown' : 'active',
      StartTime: w.start,
      EndTime: w.end,
      Edges: outgoing,
    };
    if (stats) {
      svc.SummaryStatistics = stats;
      svc.DurationHistogram = histogram;
      svc.ResponseTimeHistogram = histogram.map((b) => ({ Value: b.Value, Count: b.Count }));
    }
    services.push(svc);
  }
  return { StartTime: w.start, EndTime: w.end, Services: services, ContainsOldGroupVersions: false };
}

/** An edge as its caller measured it. */
function measuredEdge(
  referenceId: number,
  w: WindowDef,
  seen: Counts,
  histogram: HistogramEntry[],
  totalSeconds: number,
): XRayEdge {
  return {
    ReferenceId: referenceId,
    StartTime: w.start,
    EndTime: w.end,
    SummaryStatistics: statistics(seen, totalSeconds),
    ResponseTimeHistogram: histogram,
    Aliases: [],
  };
}

function link(referenceId: number, w: WindowDef): XRayEdge {
  return {
    ReferenceId: referenceId,
    StartTime: w.start,
    EndTime: w.end,
    SummaryStatistics: {},
    ResponseTimeHistogram: [],
    Aliases: [],
    EdgeType: 'link',
  };
}

/** Splits a window into `pages` GetServiceGraph pages chained by `NextToken`, as the API returns them. */
export function paginate(graph: XRayServiceGraph, pages: number, window: string): XRayServiceGraph[] {
  const services = graph.Services;
  const out: XRayServiceGraph[] = [];
  for (let p = 0; p < pages; p++) {
    const from = Math.floor((services.length * p) / pages);
    const to = Math.floor((services.length * (p + 1)) / pages);
    const page: XRayServiceGraph = {
      StartTime: graph.StartTime,
      EndTime: graph.EndTime,
      Services: services.slice(from, to),
      ContainsOldGroupVersions: graph.ContainsOldGroupVersions,
    };
    if (p < pages - 1) page.NextToken = Buffer.from(`simulated:${window}:${p + 1}`).toString('base64');
    out.push(page);
  }
  return out;
}
