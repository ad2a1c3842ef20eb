// The physics of one window, in expected values: how many requests reach each service, which
// share of them fail and how, and how long they take. Faults act on the service they are injected
// in; everything else follows from the calls: callers see their callees' failures (and their own
// timeouts) on the edge, retry them (more load on the callee), pass a share of what still fails on
// as their own 5xx, and wait for their callees. Load, retries, throttling and saturation depend on
// one another, so the window is solved by iterating to the fixed point (monotone: it converges).

import type { Fault } from './faults.ts';
import {
  type CalleeTime,
  callerLatency,
  exceedance,
  type Latency,
  lognormal,
  perRequest as perRequestLatency,
  scaleLatency,
  shiftLatency,
  slowTail,
  truncateLatency,
  withFastShare,
} from './graph-builder.ts';
import type { CompiledTopology } from './topology.ts';

/** Network time a caller adds on its side of a call to another instrumented service (seconds). */
export const HOP_SECONDS = 0.0008;
/** Time to answer a request that is turned away (429, 503 from load shedding). */
export const REJECT_SECONDS = 0.002;
/** Time to learn that a connection was refused. */
export const REFUSED_SECONDS = 0.003;
/** Utilisation past which queueing makes a service slower; the slow-down is capped. */
export const KNEE = 0.6;
export const MAX_SLOWDOWN = 20;
const MAX_ITERATIONS = 200;
/** Fast rejections below this share change latency by less than the histograms resolve; not drawn. */
const MIN_FAST_SHARE = 0.002;

/** What one window looks like before the physics: traffic, latency levels, background rates, faults. */
export interface WindowPlan {
  readonly seconds: number;
  /** Users' requests per second arriving at each service (0 for non-entries). */
  readonly users: Float64Array;
  /** Multiplier on each service's own latency in this window (1 = nominal). */
  readonly level: Float64Array;
  readonly ownFaults: Float64Array;
  readonly ownErrors: Float64Array;
  readonly ownThrottles: Float64Array;
  readonly faults: readonly Fault[];
  /** This window's traffic over the topology's default: the usual load a fault severity refers to. */
  readonly trafficRatio: number;
}

/** A solved window, in expected values. Shares are of what arrives at a service, as noted. */
export interface Solution {
  /** Attempts arriving per window (users' requests included). */
  readonly arrivals: Float64Array;
  /** Users' requests per window. */
  readonly users: Float64Array;
  /** Share of arriving attempts whose connection is refused (never recorded by the service). */
  readonly refused: Float64Array;
  /** Share of connected requests answered 429. */
  readonly throttled: Float64Array;
  /** Share of connected requests shed with 503 (over capacity). */
  readonly shed: Float64Array;
  /** 5xx share among processed requests (own faults and what callees' failures make of them). */
  readonly faultShare: Float64Array;
  /** Own 4xx share among processed requests that did not fault. */
  readonly errorShare: Float64Array;
  readonly utilisation: Float64Array;
  /** Latency of processed requests, and of everything the service records (fast rejections included). */
  readonly processed: readonly Latency[];
  readonly node: readonly Latency[];
  /**
   * Per call: attempts per window, share of processed attempts abandoned at the timeout, and what
   * the caller's subsegment records: one attempt, or for AWS SDK calls one call with its retries.
   */
  readonly attempts: Float64Array;
  readonly slow: Float64Array;
  readonly view: readonly (Latency | undefined)[];
  readonly attemptsPerCall: Float64Array;
  /** Per call: share of attempts that fail (refused, 429, 503, 5xx, abandoned). */
  readonly attemptFailure: Float64Array;
  /** Per call: share of calls that still fail after retries. */
  readonly finalFailure: Float64Array;
  readonly iterations: number;
}

/** Effects of the window's faults on each service. */
interface FaultEffects {
  readonly extraFault: Float64Array;
  readonly refused: Float64Array;
  /** Requests per second above which the service answers 429 (Infinity: no limit). */
  readonly limit: Float64Array;
  /** Requests per second the service can process (Infinity: unbounded). */
  readonly capacity: Float64Array;
  readonly latency: Map<number, Fault[]>;
}

const referenceCache = new WeakMap<CompiledTopology, Float64Array>();

/**
 * Requests per second reaching each service at the topology's default traffic when all is well
 * (no retries needed): what capacities and fault severities are relative to.
 */
export function referenceLoad(topo: CompiledTopology): Float64Array {
  const cached = referenceCache.get(topo);
  if (cached) return cached;
  const { n, order, outStart, to, perRequest, back } = topo;
  const load = new Float64Array(n);
  let backIn = new Float64Array(n);
  for (let it = 0; it < MAX_ITERATIONS; it++) {
    for (let v = 0; v < n; v++) load[v] = topo.traffic * (topo.entry[v] ?? 0) + (backIn[v] ?? 0);
    const next = new Float64Array(n);
    for (let i = 0; i < n; i++) {
      const v = order[i] as number;
      const p = (load[v] ?? 0) * (1 - (topo.noiseThrottles[v] ?? 0));
      for (let k = outStart[v] ?? 0; k < (outStart[v + 1] ?? 0); k++) {
        const w = to[k] ?? 0;
        const a = p * (perRequest[k] ?? 0);
        if (back[k]) next[w] = (next[w] ?? 0) + a;
        else load[w] = (load[w] ?? 0) + a;
      }
    }
    let change = 0;
    for (let v = 0; v < n; v++) change = Math.max(change, Math.abs((next[v] ?? 0) - (backIn[v] ?? 0)));
    backIn = next;
    if (change < 1e-9) break;
  }
  referenceCache.set(topo, load);
  return load;
}

/** A window without noise: nominal latency, default background rates. */
export function nominalPlan(
  topo: CompiledTopology,
  traffic: number,
  seconds: number,
  faults: readonly Fault[],
): WindowPlan {
  const users = new Float64Array(topo.n);
  for (let v = 0; v < topo.n; v++) users[v] = traffic * (topo.entry[v] ?? 0);
  return {
    seconds,
    users,
    level: new Float64Array(topo.n).fill(1),
    ownFaults: topo.noiseFaults,
    ownErrors: topo.noiseErrors,
    ownThrottles: topo.noiseThrottles,
    faults,
    trafficRatio: traffic / topo.traffic,
  };
}

export function solveWindow(topo: CompiledTopology, plan: WindowPlan): Solution {
  return solveWith(topo, plan, faultEffects(topo, plan));
}

function faultEffects(topo: CompiledTopology, plan: WindowPlan): FaultEffects {
  const ref = referenceLoad(topo);
  const n = topo.n;
  const extraFault = new Float64Array(n);
  const refused = new Float64Array(n);
  const limit = new Float64Array(n).fill(Number.POSITIVE_INFINITY);
  const capacity = new Float64Array(n);
  for (let v = 0; v < n; v++) {
    const r = ref[v] ?? 0;
    capacity[v] = r > 0 ? r / (topo.utilisation[v] ?? 0.3) : Number.POSITIVE_INFINITY;
  }
  const latency = new Map<number, Fault[]>();
  for (const f of plan.faults) {
    const v = f.index;
    const usual = (ref[v] ?? 0) * plan.trafficRatio;
    const s = f.severity;
    if (f.kind === 'error' && s.mode === 'share')
      extraFault[v] = 1 - (1 - (extraFault[v] ?? 0)) * (1 - s.share);
    else if (f.kind === 'unavailable' && s.mode === 'share') refused[v] = s.share;
    else if (f.kind === 'throttle' && s.mode === 'share') limit[v] = usual * (1 - s.share);
    else if (f.kind === 'saturation' && s.mode === 'utilisation')
      capacity[v] = usual > 0 ? usual / s.utilisation : 0;
    else if (f.kind === 'latency') latency.set(v, [...(latency.get(v) ?? []), f]);
  }
  return { extraFault, refused, limit, capacity, latency };
}

/** How much slower queueing makes a service at utilisation ρ: 1 up to the knee, then (1 − knee)/(1 − ρ). */
export function slowdown(rho: number): number {
  if (rho <= KNEE) return 1;
  return Math.min(MAX_SLOWDOWN, (1 - KNEE) / Math.max(1e-9, 1 - rho));
}

function solveWith(topo: CompiledTopology, plan: WindowPlan, fx: FaultEffects): Solution {
  const { n, e, order, outStart, to, perRequest, back, inferred } = topo;
  const seconds = plan.seconds;
  const arrivals = new Float64Array(n);
  const users = plan.users.map((u) => u * seconds);
  const throttled = new Float64Array(n);
  const shed = new Float64Array(n);
  const faultShare = new Float64Array(n);
  const errorShare = new Float64Array(n);
  const utilisation = new Float64Array(n);
  const processedCount = new Float64Array(n);
  const processed: Latency[] = new Array(n);
  const node: Latency[] = new Array(n);
  const attempts = new Float64Array(e);
  const slow = new Float64Array(e);
  const view: (Latency | undefined)[] = new Array(e).fill(undefined);
  let perCall = new Float64Array(e).fill(1);
  const finalFailure = new Float64Array(e);
  const attemptFailure = new Float64Array(e);
  let backIn = new Float64Array(n);
  let prevArrivals = new Float64Array(n).fill(-1);
  const own = (v: number): Latency => {
    const lv = plan.level[v] ?? 1;
    let d = lognormal({ median: (topo.median[v] ?? 0.01) * lv, p99: (topo.p99[v] ?? 0.05) * lv });
    for (const f of fx.latency.get(v) ?? []) {
      const s = f.severity;
      if (s.mode === 'add') d = shiftLatency(d, s.seconds);
      else if (s.mode === 'scale') d = scaleLatency(d, s.factor);
      else if (s.mode === 'tail') d = slowTail(d, s.share, s.seconds);
    }
    return d;
  };
  const base: Latency[] = Array.from({ length: n }, (_, v) => own(v));

  // A service is recomputed only when its load or a callee changed: unrelated services keep their
  // values bit for bit whatever the faults do elsewhere, and converged regions cost nothing.
  const lastUtil = new Float64Array(n).fill(Number.NaN);
  const lastRejected = new Float64Array(n).fill(Number.NaN);
  let dirty = new Uint8Array(n).fill(1);
  let iterations = 0;
  for (let it = 0; it < MAX_ITERATIONS; it++) {
    iterations = it + 1;
    // 1. Load, callers first; calls that close a cycle arrive in the next iteration.
    for (let v = 0; v < n; v++) arrivals[v] = (users[v] ?? 0) + (backIn[v] ?? 0);
    const nextBackIn = new Float64Array(n);
    for (let i = 0; i < n; i++) {
      const v = order[i] as number;
      const connected = (arrivals[v] ?? 0) * (1 - (fx.refused[v] ?? 0));
      const rate = connected / seconds;
      const lim = fx.limit[v] ?? Number.POSITIVE_INFINITY;
      const overLimit = rate > lim ? 1 - lim / rate : 0;
      const thr = 1 - (1 - (plan.ownThrottles[v] ?? 0)) * (1 - overLimit);
      const cap = fx.capacity[v] ?? Number.POSITIVE_INFINITY;
      const rho = cap > 0 ? (rate * (1 - thr)) / cap : Number.POSITIVE_INFINITY;
      const sh = rho > 1 ? (1 - thr) * (1 - 1 / rho) : 0;
      throttled[v] = thr;
      shed[v] = sh;
      utilisation[v] = rho;
      const p = connected * (1 - thr - sh);
      processedCount[v] = p;
      for (let k = outStart[v] ?? 0; k < (outStart[v + 1] ?? 0); k++) {
        const a = p * (perRequest[k] ?? 0) * (topo.async[k] ? 1 : (perCall[k] ?? 1));
        attempts[k] = a;
        const w = to[k] ?? 0;
        if (back[k]) nextBackIn[w] = (nextBackIn[w] ?? 0) + a;
        else arrivals[w] = (arrivals[w] ?? 0) + a;
      }
    }
    // 2. Failures and latency, callees first.
    const nextPerCall = new Float64Array(e);
    const dirtyPrev = dirty;
    dirty = new Uint8Array(n);
    for (let i = n - 1; i >= 0; i--) {
      const v = order[i] as number;
      const rejectedHere = (throttled[v] ?? 0) + (shed[v] ?? 0);
      let needed = utilisation[v] !== lastUtil[v] || rejectedHere !== lastRejected[v];
      for (let k = outStart[v] ?? 0; !needed && k < (outStart[v + 1] ?? 0); k++) {
        if (!topo.async[k]) needed = (back[k] ? dirtyPrev : dirty)[to[k] ?? 0] === 1;
      }
      if (!needed) {
        for (let k = outStart[v] ?? 0; k < (outStart[v + 1] ?? 0); k++) nextPerCall[k] = perCall[k] ?? 1;
        continue;
      }
      dirty[v] = 1;
      lastUtil[v] = utilisation[v] ?? 0;
      lastRejected[v] = rejectedHere;
      const self = scaleLatency(base[v] as Latency, slowdown(utilisation[v] ?? 0));
      let healthy = (1 - (plan.ownFaults[v] ?? 0)) * (1 - (fx.extraFault[v] ?? 0));
      const parts: CalleeTime[] = [];
      let backoff = 0;
      for (let k = outStart[v] ?? 0; k < (outStart[v + 1] ?? 0); k++) {
        if (topo.async[k]) continue;
        const w = to[k] ?? 0;
        const calleeProcessed = processed[w] ?? (base[w] as Latency);
        const hop = inferred[w] ? 0 : HOP_SECONDS;
        const seen = hop > 0 ? shiftLatency(calleeProcessed, hop) : calleeProcessed;
        const limit = topo.timeout[k] ?? 3;
        const sl = exceedance(seen, limit);
        const c = fx.refused[w] ?? 0;
        const rejected = (throttled[w] ?? 0) + (shed[w] ?? 0);
        const fastShare = c + (1 - c) * rejected;
        const fastTime =
          fastShare > 0 ? (c * REFUSED_SECONDS + (1 - c) * rejected * (REJECT_SECONDS + hop)) / fastShare : 0;
        const truncated = truncateLatency(seen, limit);
        const attemptView =
          fastShare >= MIN_FAST_SHARE
            ? withFastShare(truncated, Math.min(1, fastShare), fastTime)
            : truncated;
        const q = 1 - (1 - c) * (1 - rejected) * (1 - (faultShare[w] ?? 0)) * (1 - sl);
        const r = topo.retries[k] ?? 0;
        const m = r === 0 ? 1 : q >= 1 ? r + 1 : (1 - q ** (r + 1)) / (1 - q);
        const qFinal = q ** (r + 1);
        const kk = perRequest[k] ?? 0;
        const pass = (topo.passOn[k] ?? 0) * qFinal;
        const failing = kk <= 1 ? kk * pass : 1 - (1 - pass) ** kk;
        healthy *= 1 - failing;
        slow[k] = sl;
        attemptFailure[k] = q;
        if (topo.sdk[k] && m > 1) {
          // Retries inside one SDK call: the caller sees one longer call (attempts and backoff).
          const call = shiftLatency(perRequestLatency(attemptView, m), (m - 1) * (topo.backoff[k] ?? 0));
          parts.push({ latency: call, callsPerRequest: kk });
          view[k] = call;
        } else {
          parts.push({ latency: attemptView, callsPerRequest: kk * m });
          backoff += kk * (m - 1) * (topo.backoff[k] ?? 0);
          view[k] = attemptView;
        }
        nextPerCall[k] = m;
        finalFailure[k] = qFinal;
      }
      faultShare[v] = 1 - healthy;
      errorShare[v] = plan.ownErrors[v] ?? 0;
      let proc = parts.length > 0 ? callerLatency(self, parts) : self;
      if (backoff > 0) proc = shiftLatency(proc, backoff);
      processed[v] = proc;
      node[v] =
        rejectedHere >= MIN_FAST_SHARE
          ? withFastShare(proc, Math.min(1, rejectedHere), REJECT_SECONDS)
          : proc;
    }
    for (let k = 0; k < e; k++) if (topo.async[k]) nextPerCall[k] = 1;
    let change = 0;
    for (let v = 0; v < n; v++) {
      const a = arrivals[v] ?? 0;
      change = Math.max(change, Math.abs(a - (prevArrivals[v] ?? 0)) / Math.max(1, a));
    }
    for (let k = 0; k < e; k++)
      change = Math.max(change, Math.abs((nextPerCall[k] ?? 1) - (perCall[k] ?? 1)));
    prevArrivals = arrivals.slice();
    perCall = nextPerCall;
    backIn = nextBackIn;
    if (change < 1e-10) break;
  }
  return {
    arrivals,
    users,
    refused: fx.refused,
    throttled,
    shed,
    faultShare,
    errorShare,
    utilisation,
    processed,
    node,
    attempts,
    slow,
    view,
    attemptsPerCall: perCall,
    attemptFailure,
    finalFailure,
    iterations,
  };
}

/** Share of a service's arriving attempts its callers see fail (refused, rejected, faulted, abandoned on average). */
export function failureSeen(sol: Solution, v: number): number {
  const c = sol.refused[v] ?? 0;
  const rejected = (sol.throttled[v] ?? 0) + (sol.shed[v] ?? 0);
  return 1 - (1 - c) * (1 - rejected) * (1 - (sol.faultShare[v] ?? 0));
}
