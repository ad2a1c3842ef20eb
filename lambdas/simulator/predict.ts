// The simulator's own answer to "what if this failed?": the physics without noise, with and without
// the faults, compared service by service. This is the prediction the what-if prints next to what the
// engine makes of the simulated incident.

import type { Fault, FaultKind } from './faults.ts';
import { describeFault } from './faults.ts';
import { failureSeen, nominalPlan, type Solution, solveWindow } from './physics.ts';
import type { CompiledTopology } from './topology.ts';

/** A service is affected when the share of failed requests its callers see rises by this much… */
export const AFFECTED_FAILURE_RISE = 0.005;
/** …or its mean response time by this factor (and by at least 2 ms). */
export const AFFECTED_LATENCY_RATIO = 1.2;
const AFFECTED_LATENCY_MIN = 0.002;

export interface ServiceImpact {
  readonly service: string;
  readonly type: string;
  /** Share of attempts on it that fail as its callers see them (refused, 429, 503, 5xx, abandoned at a timeout). */
  readonly failureBefore: number;
  readonly failureAfter: number;
  /** Mean response time of what it serves, in seconds. */
  readonly meanBefore: number;
  readonly meanAfter: number;
  /** Requests per second arriving, retries included. */
  readonly loadBefore: number;
  readonly loadAfter: number;
}

export interface UserTraffic {
  readonly requestsPerSecond: number;
  /** Share of users' requests whose calls reach a faulted service. */
  readonly reach: number;
  /** Share of users' requests that fail because of the faults. */
  readonly failing: number;
  /** Users' mean response time, in seconds, without and with the faults. */
  readonly meanBefore: number;
  readonly meanAfter: number;
}

export interface Prediction {
  readonly faults: readonly {
    readonly service: string;
    readonly kind: FaultKind;
    readonly description: string;
  }[];
  readonly faulted: readonly ServiceImpact[];
  /** Other services whose callers would notice, worst first. */
  readonly affected: readonly ServiceImpact[];
  /** Every service that calls a faulted one, directly or not. */
  readonly atRisk: readonly string[];
  /** Entry points that are faulted or affected. */
  readonly entryPoints: readonly ServiceImpact[];
  readonly userTraffic: UserTraffic;
  readonly unaffected: readonly string[];
}

export function predict(
  topo: CompiledTopology,
  faults: readonly Fault[],
  traffic = topo.traffic,
): Prediction {
  const seconds = 900;
  const before = solveWindow(topo, nominalPlan(topo, traffic, seconds, []));
  const after = solveWindow(topo, nominalPlan(topo, traffic, seconds, faults));
  const impact = (v: number): ServiceImpact => ({
    service: topo.labels[v] as string,
    type: topo.types[v] as string,
    failureBefore: seenByCallers(topo, before, v),
    failureAfter: seenByCallers(topo, after, v),
    meanBefore: meanOf(before, v),
    meanAfter: meanOf(after, v),
    loadBefore: (before.arrivals[v] ?? 0) / seconds,
    loadAfter: (after.arrivals[v] ?? 0) / seconds,
  });
  const faultedSet = new Set(faults.map((f) => f.index));
  const faulted = [...faultedSet].sort((a, b) => a - b).map(impact);
  const affected: ServiceImpact[] = [];
  const unaffected: string[] = [];
  for (let v = 0; v < topo.n; v++) {
    if (faultedSet.has(v)) continue;
    const i = impact(v);
    if (i.loadBefore <= 0 && i.loadAfter <= 0) continue;
    if (isAffected(i)) affected.push(i);
    else unaffected.push(i.service);
  }
  affected.sort(
    (a, b) =>
      b.failureAfter - b.failureBefore - (a.failureAfter - a.failureBefore) ||
      b.meanAfter / Math.max(b.meanBefore, 1e-9) - a.meanAfter / Math.max(a.meanBefore, 1e-9) ||
      cmp(a.service, b.service),
  );
  const entryPoints = [...faulted, ...affected].filter((i) => {
    const v = topo.byLabel.get(i.service);
    return v !== undefined && (topo.entry[v] ?? 0) > 0;
  });
  return {
    faults: faults.map((f) => ({ service: f.label, kind: f.kind, description: describeFault(f) })),
    faulted,
    affected,
    atRisk: callersOf(topo, faultedSet)
      .map((v) => topo.labels[v] as string)
      .sort(cmp),
    entryPoints,
    userTraffic: userTraffic(topo, before, after, faultedSet, seconds),
    unaffected: unaffected.sort(cmp),
  };
}

export function isAffected(i: ServiceImpact): boolean {
  if (i.failureAfter - i.failureBefore >= AFFECTED_FAILURE_RISE) return true;
  return (
    i.meanAfter >= AFFECTED_LATENCY_RATIO * i.meanBefore && i.meanAfter - i.meanBefore >= AFFECTED_LATENCY_MIN
  );
}

/** Share of attempts on a service that fail as its callers and users see them, timeouts included. */
function seenByCallers(topo: CompiledTopology, sol: Solution, v: number): number {
  let total = sol.users[v] ?? 0;
  let failed = total * failureSeen(sol, v);
  for (let i = topo.inStart[v] ?? 0; i < (topo.inStart[v + 1] ?? 0); i++) {
    const k = topo.inList[i] ?? 0;
    if (topo.async[k]) continue;
    const a = sol.attempts[k] ?? 0;
    total += a;
    failed += a * (sol.attemptFailure[k] ?? 0);
  }
  return total > 0 ? failed / total : failureSeen(sol, v);
}

function meanOf(sol: Solution, v: number): number {
  return (sol.arrivals[v] ?? 0) > 0 ? (sol.node[v]?.mean() ?? 0) : 0;
}

/** Transitive callers of a set of services (synchronous calls; queues do not make anyone wait). */
function callersOf(topo: CompiledTopology, targets: ReadonlySet<number>): number[] {
  const seen = new Uint8Array(topo.n);
  const queue = [...targets];
  for (const t of targets) seen[t] = 1;
  const out: number[] = [];
  for (let q = 0; q < queue.length; q++) {
    const v = queue[q] as number;
    for (let i = topo.inStart[v] ?? 0; i < (topo.inStart[v + 1] ?? 0); i++) {
      const k = topo.inList[i] ?? 0;
      if (topo.async[k]) continue;
      const u = topo.from[k] ?? 0;
      if (seen[u]) continue;
      seen[u] = 1;
      out.push(u);
      queue.push(u);
    }
  }
  return out;
}

function userTraffic(
  topo: CompiledTopology,
  before: Solution,
  after: Solution,
  faulted: ReadonlySet<number>,
  seconds: number,
): UserTraffic {
  // reach[v]: probability that a request served by v leads to a call reaching a faulted service.
  const reach = new Float64Array(topo.n);
  for (let i = topo.n - 1; i >= 0; i--) {
    const v = topo.order[i] as number;
    if (faulted.has(v)) {
      reach[v] = 1;
      continue;
    }
    let miss = 1;
    for (let k = topo.outStart[v] ?? 0; k < (topo.outStart[v + 1] ?? 0); k++) {
      if (topo.async[k] || topo.back[k]) continue;
      const r = reach[topo.to[k] ?? 0] ?? 0;
      const calls = topo.perRequest[k] ?? 0;
      miss *= calls <= 1 ? 1 - calls * r : (1 - r) ** calls;
    }
    reach[v] = 1 - miss;
  }
  let users = 0;
  let reached = 0;
  let failing = 0;
  let meanBefore = 0;
  let meanAfter = 0;
  for (let v = 0; v < topo.n; v++) {
    const u = before.users[v] ?? 0;
    if (u <= 0) continue;
    users += u;
    reached += u * (reach[v] ?? 0);
    failing += u * Math.max(0, failureSeen(after, v) - failureSeen(before, v));
    meanBefore += u * meanOf(before, v);
    meanAfter += u * meanOf(after, v);
  }
  return {
    requestsPerSecond: users / seconds,
    reach: users > 0 ? reached / users : 0,
    failing: users > 0 ? failing / users : 0,
    meanBefore: users > 0 ? meanBefore / users : 0,
    meanAfter: users > 0 ? meanAfter / users : 0,
  };
}

function cmp(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
