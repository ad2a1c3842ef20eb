// Builds GetServiceGraph responses (the wire JSON: times in epoch seconds) from service definitions
// and per-window traffic, and the latency distributions the simulator composes. The statistics agree with each other the way X-Ray's do:
// OkCount + 4xx + 5xx = TotalCount, histogram counts sum to TotalCount and TotalResponseTime is the
// sum of the histogram's seconds. Edges live on the caller and point at the callee's ReferenceId.
// Everything is deterministic: no clocks, no Math.random (use `mulberry32` for seeded noise).

import { isInferredType } from '../core/parse.ts';

// ---------------------------------------------------------------------------------------------
// Output shapes (a subset of the X-Ray model that this builder fills in)

export interface HistogramEntry {
  Value: number;
  Count: number;
}

export interface XRayErrorStatistics {
  /** 429. */
  ThrottleCount: number;
  /** 4xx other than 429. */
  OtherCount: number;
  /** All 4xx = ThrottleCount + OtherCount. */
  TotalCount: number;
}

export interface XRayFaultStatistics {
  OtherCount: number;
  TotalCount: number;
}

export interface XRayStatistics {
  OkCount: number;
  ErrorStatistics: XRayErrorStatistics;
  FaultStatistics: XRayFaultStatistics;
  TotalCount: number;
  /** Sum of response times in seconds. */
  TotalResponseTime: number;
}

export interface XRayAlias {
  Name: string;
  Names: string[];
  Type: string;
}

/** What X-Ray gives for an asynchronous link (e.g. SQS queue → consumer): no statistics. */
export type XRayEmptyStatistics = Record<string, never>;

export interface XRayEdge {
  ReferenceId: number;
  StartTime: number;
  EndTime: number;
  SummaryStatistics: XRayStatistics | XRayEmptyStatistics;
  ResponseTimeHistogram: HistogramEntry[];
  Aliases: XRayAlias[];
  EdgeType?: string;
}

export interface XRayService {
  ReferenceId: number;
  Name: string;
  Names: string[];
  Root?: boolean;
  AccountId?: string;
  Type: string;
  State: string;
  StartTime: number;
  EndTime: number;
  Edges: XRayEdge[];
  SummaryStatistics?: XRayStatistics;
  DurationHistogram?: HistogramEntry[];
  ResponseTimeHistogram?: HistogramEntry[];
}

export interface XRayServiceGraph {
  StartTime: number;
  EndTime: number;
  Services: XRayService[];
  ContainsOldGroupVersions: boolean;
  /** Present on every page but the last when a window is split into pages. */
  NextToken?: string;
}

export function hasStatistics(s: XRayStatistics | XRayEmptyStatistics | undefined): s is XRayStatistics {
  return s !== undefined && 'TotalCount' in s;
}

/** The snapshot file format: one GetServiceGraph page per window. */
export interface XRayGraphSnapshot {
  incident: XRayServiceGraph;
  baseline: XRayServiceGraph;
}

// ---------------------------------------------------------------------------------------------
// Input shapes

export interface ServiceDef {
  /** Identifies the service in `WindowDef`; defaults to `name`. Must be unique (a `client` node
   *  shares its Name with the root service it calls, so give one of them a key). */
  readonly key?: string;
  readonly name: string;
  /** X-Ray Type: `client`, `remote`, `AWS::ECS::Container`, `AWS::DynamoDB::Table`, `Database::SQL`, … */
  readonly type: string;
  readonly root?: boolean;
  readonly accountId?: string;
  /** Defaults to `[name]`. */
  readonly names?: readonly string[];
  /** Defaults to `unknown` for `client` and inferred types (remote, databases, AWS resources), else `active`. */
  readonly state?: string;
}

/** Request statistics of a node (all requests it served) or an edge (the caller's view of its calls). */
export interface TrafficStats {
  readonly faults?: number;
  /** 4xx other than throttles. */
  readonly errors?: number;
  /** 429. */
  readonly throttles?: number;
  readonly latency: Latency;
}

export interface NodeTraffic extends TrafficStats {
  readonly requests: number;
}

export interface EdgeTraffic extends TrafficStats {
  /** Caller's key. */
  readonly from: string;
  /** Callee's key. */
  readonly to: string;
  readonly calls: number;
  /** `link` for asynchronous connections. */
  readonly edgeType?: string;
}

export interface WindowDef {
  /** Epoch seconds. */
  readonly start: number;
  readonly end: number;
  /** By service key. `client` nodes must not appear; other services without an entry get no statistics. */
  readonly nodes: Readonly<Record<string, NodeTraffic>>;
  readonly edges: readonly EdgeTraffic[];
}

// ---------------------------------------------------------------------------------------------
// Deterministic randomness

/** mulberry32: a tiny seeded PRNG returning floats in [0, 1). */
export function mulberry32(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

// ---------------------------------------------------------------------------------------------
// Latency distributions
//
// A distribution is described by its quantile function, sampled on a fixed grid of probabilities.
// Histogram bins are probability segments (narrow ones around p50, p90 and p99, so that the
// nearest-rank quantiles of the output histogram land on the distribution's own); each bin's Value
// is the distribution's mean inside its segment, so TotalResponseTime matches the distribution's
// mean. A caller's latency adds its callees' (see `callerLatency`): means add exactly.

/** Probability boundaries of the histogram bins (18 bins; narrow ones centred on p50, p90 and p99). */
const BOUNDS: readonly number[] = [
  0, 0.1, 0.2, 0.3, 0.4, 0.49, 0.51, 0.6, 0.7, 0.8, 0.89, 0.91, 0.95, 0.975, 0.988, 0.992, 0.995, 0.999, 1,
];
const SEGMENTS = BOUNDS.length - 1;
/** Quadrature points per segment. */
const SUB = 4;
const GRID = SEGMENTS * SUB;
/** Histogram values are multiples of 0.1 ms; sums are exact in these units. */
const UNITS_PER_SECOND = 10_000;
const Z99 = 2.3263478740408408;

const GRID_U = new Float64Array(GRID);
const GRID_W = new Float64Array(GRID);
for (let s = 0; s < SEGMENTS; s++) {
  const a = BOUNDS[s] ?? 0;
  const b = BOUNDS[s + 1] ?? 1;
  for (let k = 0; k < SUB; k++) {
    GRID_U[s * SUB + k] = a + ((k + 0.5) / SUB) * (b - a);
    GRID_W[s * SUB + k] = (b - a) / SUB;
  }
}
const GRID_Z = GRID_U.map((u) => invNorm(u));

/** A latency distribution in seconds. Make one with `lognormal`, `fixedLatency`, `addLatencies`, … */
export interface Latency {
  /** Seconds at probability u ∈ (0, 1). */
  quantile(u: number): number;
  /** Mean in seconds, as the histograms will report it (before rounding to 0.1 ms). */
  mean(): number;
}

class Dist implements Latency {
  #grid: Float64Array | undefined;
  #segMeans: Float64Array | undefined;
  #compactMeans: Float64Array | undefined;
  #mean: number | undefined;
  readonly #make: (() => Float64Array) | undefined;
  readonly #exact: ((u: number) => number) | undefined;
  /** An affine view of another distribution: value = base × scale + offset (no grid of its own). */
  readonly #base: Dist | undefined;
  readonly #scale: number;
  readonly #offset: number;

  private constructor(
    make: (() => Float64Array) | undefined,
    exact: ((u: number) => number) | undefined,
    base: Dist | undefined,
    scale: number,
    offset: number,
  ) {
    this.#make = make;
    this.#exact = exact;
    this.#base = base;
    this.#scale = scale;
    this.#offset = offset;
  }

  /** A distribution whose quantiles on the grid `make` computes (lazily, once). */
  static of(make: () => Float64Array, exact?: (u: number) => number): Dist {
    return new Dist(make, exact, undefined, 1, 0);
  }

  static view(d: Dist, scale: number, offset: number): Dist {
    if (d.#base) return new Dist(undefined, undefined, d.#base, d.#scale * scale, d.#offset * scale + offset);
    return new Dist(undefined, undefined, d, scale, offset);
  }

  /** The grid this distribution reads and its transform: quantile i = g[i] × s + o. */
  raw(): { g: Float64Array; s: number; o: number } {
    if (this.#base) return { g: this.#base.grid(), s: this.#scale, o: this.#offset };
    return { g: this.grid(), s: 1, o: 0 };
  }

  grid(): Float64Array {
    if (!this.#grid) {
      if (this.#base) {
        const { g, s, o } = this.raw();
        const out = new Float64Array(GRID);
        for (let i = 0; i < GRID; i++) out[i] = (g[i] ?? 0) * s + o;
        this.#grid = out;
      } else {
        this.#grid = this.#make ? this.#make() : new Float64Array(GRID);
      }
    }
    return this.#grid;
  }

  segmentMeans(): Float64Array {
    if (!this.#segMeans) {
      const m = new Float64Array(SEGMENTS);
      if (this.#base) {
        const b = this.#base.segmentMeans();
        for (let s = 0; s < SEGMENTS; s++) m[s] = (b[s] ?? 0) * this.#scale + this.#offset;
      } else {
        const g = this.grid();
        for (let s = 0; s < SEGMENTS; s++) {
          let sum = 0;
          for (let k = 0; k < SUB; k++) sum += g[s * SUB + k] ?? 0;
          m[s] = sum / SUB;
        }
      }
      this.#segMeans = m;
    }
    return this.#segMeans;
  }

  /** Mean inside each bin of `layout`. */
  binMeans(layout: BinLayout): Float64Array {
    if (layout === FINE) return this.segmentMeans();
    if (!this.#compactMeans) {
      const fine = this.segmentMeans();
      const nSeg = layout.bounds.length - 1;
      const m = new Float64Array(nSeg);
      for (let s = 0; s < nSeg; s++) {
        const a = layout.first[s] ?? 0;
        const b = layout.first[s + 1] ?? SEGMENTS;
        let sum = 0;
        for (let f = a; f < b; f++) sum += (fine[f] ?? 0) * ((BOUNDS[f + 1] ?? 1) - (BOUNDS[f] ?? 0));
        m[s] = sum / ((layout.bounds[s + 1] ?? 1) - (layout.bounds[s] ?? 0));
      }
      this.#compactMeans = m;
    }
    return this.#compactMeans;
  }

  quantile(u: number): number {
    if (this.#base) return this.#base.quantile(u) * this.#scale + this.#offset;
    if (this.#exact) return this.#exact(u);
    return interpolate(this.grid(), u);
  }

  mean(): number {
    if (this.#mean === undefined) {
      if (this.#base) this.#mean = this.#base.mean() * this.#scale + this.#offset;
      else {
        const g = this.grid();
        let sum = 0;
        for (let i = 0; i < GRID; i++) sum += (g[i] ?? 0) * (GRID_W[i] ?? 0);
        this.#mean = sum;
      }
    }
    return this.#mean;
  }
}

function asDist(d: Latency): Dist {
  if (d instanceof Dist) return d;
  return Dist.of(() => GRID_U.map((u) => d.quantile(u)));
}

export type LogNormalSpec =
  | { readonly median: number; readonly p99: number }
  | { readonly mean: number; readonly p99: number };

/**
 * Lognormal latency from its median and p99, or from its mean and p99 (seconds).
 * The mean form needs p99 ≤ ~15 × mean.
 */
export function lognormal(spec: LogNormalSpec): Latency {
  const { p99 } = spec;
  let median: number;
  let sigma: number;
  if ('median' in spec) {
    median = spec.median;
    if (!(median > 0) || !(p99 >= median))
      throw new RangeError(`lognormal: need 0 < median ≤ p99, got ${median}, ${p99}`);
    sigma = Math.log(p99 / median) / Z99;
  } else {
    const { mean } = spec;
    const r = Math.log(p99 / mean);
    if (!(mean > 0) || !(r >= 0) || 2 * r > Z99 * Z99) {
      throw new RangeError(`lognormal: need 0 < mean ≤ p99 ≤ 15 × mean, got ${mean}, ${p99}`);
    }
    sigma = Z99 - Math.sqrt(Z99 * Z99 - 2 * r);
    median = p99 / Math.exp(Z99 * sigma);
  }
  return Dist.of(
    () => {
      const g = new Float64Array(GRID);
      for (let i = 0; i < GRID; i++) g[i] = median * Math.exp(sigma * (GRID_Z[i] ?? 0));
      return g;
    },
    (u) => median * Math.exp(sigma * invNorm(Math.min(1 - 1e-12, Math.max(1e-12, u)))),
  );
}

/** Every request takes exactly `seconds`. */
export function fixedLatency(seconds: number): Latency {
  if (!(seconds >= 0)) throw new RangeError(`fixedLatency: need seconds ≥ 0, got ${seconds}`);
  return Dist.of(
    () => new Float64Array(GRID).fill(seconds),
    () => seconds,
  );
}

/** Sum of independent parts (see `callerLatency`): means add exactly. */
export function addLatencies(...parts: readonly Latency[]): Latency {
  return callerLatency(
    fixedLatency(0),
    parts.map((latency) => ({ latency, callsPerRequest: 1 })),
  );
}

/** Adds a constant ≥ 0, e.g. network time on the caller's side of an edge. */
export function shiftLatency(d: Latency, seconds: number): Latency {
  if (!(seconds >= 0)) throw new RangeError(`shiftLatency: need seconds ≥ 0, got ${seconds}`);
  return Dist.view(asDist(d), 1, seconds);
}

/** Multiplies every latency by `factor`. */
export function scaleLatency(d: Latency, factor: number): Latency {
  if (!(factor >= 0)) throw new RangeError(`scaleLatency: need factor ≥ 0, got ${factor}`);
  return Dist.view(asDist(d), factor, 0);
}

/**
 * Time a request spends in a callee that it calls `callsPerRequest` times on average (sequentially):
 * below 1 only that share of requests calls it (the rest spend 0 s), above 1 the time is scaled.
 * The mean is exactly `callsPerRequest × mean(callee)`.
 */
export function perRequest(callee: Latency, callsPerRequest: number): Latency {
  return callerLatency(fixedLatency(0), [{ latency: callee, callsPerRequest }]);
}

/** A sequential call made `callsPerRequest` times per request on average (see `perRequest`). */
export interface CalleeTime {
  readonly latency: Latency;
  readonly callsPerRequest: number;
}

/**
 * A caller's latency: its own (self) time plus the time it waits for its callees, called one after
 * the other (`callsPerRequest` as in `perRequest`). The mean is exactly the sum of the parts' means.
 * The shape comes from the comonotonic sum (a request that is slow in one part is slow in all), its
 * spread is then narrowed to the variance of a sum of independent parts, so that many small calls do
 * not pile all their tails onto the same requests. Pass `comonotonic` to keep the comonotonic sum.
 */
export function callerLatency(
  self: Latency,
  calls: readonly CalleeTime[],
  dependence: 'independent' | 'comonotonic' = 'independent',
): Latency {
  const own = asDist(self);
  const parts = calls.map((c) => {
    const p = c.callsPerRequest;
    if (!(p >= 0) || !Number.isFinite(p))
      throw new RangeError(`callerLatency: need calls per request ≥ 0, got ${p}`);
    return { base: asDist(c.latency), p };
  });
  return Dist.of(() => {
    const out = new Float64Array(GRID);
    const { g, s, o } = own.raw();
    let m1 = 0;
    let m2 = 0;
    for (let i = 0; i < GRID; i++) {
      const v = (g[i] ?? 0) * s + o;
      out[i] = v;
      const w = GRID_W[i] ?? 0;
      m1 += w * v;
      m2 += w * v * v;
    }
    let independentVariance = Math.max(0, m2 - m1 * m1);
    for (const { base, p } of parts) independentVariance += accumulatePerRequest(out, base, p);
    if (dependence === 'independent') {
      let mean = 0;
      let sq = 0;
      for (let i = 0; i < GRID; i++) {
        const v = out[i] ?? 0;
        const w = GRID_W[i] ?? 0;
        mean += w * v;
        sq += w * v * v;
      }
      const comonotonicVariance = sq - mean * mean;
      if (comonotonicVariance > independentVariance && comonotonicVariance > 0) {
        const k = Math.sqrt(independentVariance / comonotonicVariance);
        for (let i = 0; i < GRID; i++) out[i] = mean + k * ((out[i] ?? 0) - mean);
      }
    }
    return out;
  });
}

/**
 * A share of requests that take exactly `seconds` (fast rejections: 429s, load shedding, refused
 * connections), placed below the distribution's fastest requests so that quantiles stay ordered.
 */
export function withFastShare(d: Latency, share: number, seconds: number): Latency {
  if (!(share >= 0 && share <= 1)) throw new RangeError(`withFastShare: need 0 ≤ share ≤ 1, got ${share}`);
  if (share === 0) return d;
  if (share === 1) return fixedLatency(seconds);
  const base = asDist(d);
  return Dist.of(() => {
    const g = base.grid();
    const floor = Math.min(seconds, g[0] ?? seconds);
    const out = new Float64Array(GRID);
    for (let i = 0; i < GRID; i++) {
      const u = GRID_U[i] ?? 0;
      out[i] = u < share ? floor : interpolate(g, (u - share) / (1 - share));
    }
    return out;
  });
}

/** The caller's view of calls it abandons after `limit` seconds: no request takes longer. */
export function truncateLatency(d: Latency, limit: number): Latency {
  if (!(limit > 0)) throw new RangeError(`truncateLatency: need limit > 0, got ${limit}`);
  const base = asDist(d);
  if (latencyMax(base) <= limit) return base;
  return Dist.of(() => base.grid().map((v) => Math.min(v, limit)));
}

/** The slowest `share` of requests take `seconds` longer (a slow tail: one bad instance, GC pauses). */
export function slowTail(d: Latency, share: number, seconds: number): Latency {
  if (!(share > 0 && share < 1)) throw new RangeError(`slowTail: need 0 < share < 1, got ${share}`);
  if (!(seconds >= 0)) throw new RangeError(`slowTail: need seconds ≥ 0, got ${seconds}`);
  const base = asDist(d);
  return Dist.of(() => {
    const g = base.grid();
    const out = new Float64Array(GRID);
    for (let i = 0; i < GRID; i++) out[i] = (g[i] ?? 0) + ((GRID_U[i] ?? 0) >= 1 - share ? seconds : 0);
    return out;
  });
}

/** The slowest quantile the grid holds (just below p99.99). */
export function latencyMax(d: Latency): number {
  const { g, s, o } = asDist(d).raw();
  return (g[GRID - 1] ?? 0) * s + o;
}

/** Share of requests slower than `seconds`, interpolated between grid quantiles. */
export function exceedance(d: Latency, seconds: number): number {
  const { g, s, o } = asDist(d).raw();
  const at = (i: number) => (g[i] ?? 0) * s + o;
  if (at(GRID - 1) <= seconds) return 0;
  if (at(0) > seconds) return 1 - (GRID_U[0] ?? 0) * (seconds > 0 ? seconds / at(0) : 0);
  let lo = 0;
  let hi = GRID - 1;
  while (hi - lo > 1) {
    const mid = (lo + hi) >> 1;
    if (at(mid) <= seconds) lo = mid;
    else hi = mid;
  }
  const v0 = at(lo);
  const v1 = at(hi);
  const u0 = GRID_U[lo] ?? 0;
  const u1 = GRID_U[hi] ?? 1;
  const u = v1 > v0 ? u0 + ((seconds - v0) / (v1 - v0)) * (u1 - u0) : u1;
  return Math.max(0, Math.min(1, 1 - u));
}

const SCRATCH_GRID = new Float64Array(GRID);

/**
 * Adds the per-request time of `p` calls to `base` onto `out` (comonotonic), with an exact mean;
 * returns the variance of what it added.
 */
function accumulatePerRequest(out: Float64Array, base: Dist, p: number): number {
  if (p === 0) return 0;
  const { g, s, o } = base.raw();
  let m1 = 0;
  let m2 = 0;
  if (p >= 1) {
    for (let i = 0; i < GRID; i++) {
      const v = p * ((g[i] ?? 0) * s + o);
      out[i] = (out[i] ?? 0) + v;
      const w = GRID_W[i] ?? 0;
      m1 += w * v;
      m2 += w * v * v;
    }
    return Math.max(0, m2 - m1 * m1);
  }
  // Only the slowest share p of requests makes the call: Q(u) = Q_base((u − (1 − p)) / p) above
  // 1 − p, else 0. Walk both grids once (the mapped probabilities increase with u).
  const first = 1 - p;
  let i = 0;
  while (i < GRID && (GRID_U[i] ?? 0) < first) i++;
  const start = i;
  const vals = SCRATCH_GRID;
  let got = 0;
  let j = 0;
  const firstU = GRID_U[0] ?? 0;
  const lastU = GRID_U[GRID - 1] ?? 1;
  for (; i < GRID; i++) {
    const v = ((GRID_U[i] ?? 0) - first) / p;
    let q: number;
    if (v <= firstU) q = g[0] ?? 0;
    else if (v >= lastU) q = g[GRID - 1] ?? 0;
    else {
      while (j + 1 < GRID && (GRID_U[j + 1] ?? 1) <= v) j++;
      const u0 = GRID_U[j] ?? 0;
      const u1 = GRID_U[j + 1] ?? 1;
      q = (g[j] ?? 0) + ((v - u0) / (u1 - u0)) * ((g[j + 1] ?? 0) - (g[j] ?? 0));
    }
    q = q * s + o;
    vals[i - start] = q;
    got += q * (GRID_W[i] ?? 0);
  }
  // The grid samples a small share coarsely; rescale so that the mean is exactly p × mean.
  const k = got > 0 ? (p * base.mean()) / got : 0;
  for (let t = 0; t < GRID - start; t++) {
    const v = (vals[t] ?? 0) * k;
    out[start + t] = (out[start + t] ?? 0) + v;
    const w = GRID_W[start + t] ?? 0;
    m1 += w * v;
    m2 += w * v * v;
  }
  return Math.max(0, m2 - m1 * m1);
}

function interpolate(g: Float64Array, u: number): number {
  const first = GRID_U[0] ?? 0;
  if (u <= first) return g[0] ?? 0;
  if (u >= (GRID_U[GRID - 1] ?? 1)) return g[GRID - 1] ?? 0;
  let lo = 0;
  let hi = GRID - 1;
  while (hi - lo > 1) {
    const mid = (lo + hi) >> 1;
    if ((GRID_U[mid] ?? 0) <= u) lo = mid;
    else hi = mid;
  }
  const u0 = GRID_U[lo] ?? 0;
  const u1 = GRID_U[hi] ?? 1;
  const v0 = g[lo] ?? 0;
  const v1 = g[hi] ?? 0;
  return v0 + ((u - u0) / (u1 - u0)) * (v1 - v0);
}

/** Inverse standard normal CDF (Acklam; relative error < 1.2e-9). */
function invNorm(p: number): number {
  const a = [
    -39.69683028665376, 220.9460984245205, -275.9285104469687, 138.357751867269, -30.66479806614716,
    2.506628277459239,
  ];
  const b = [
    -54.47609879822406, 161.5858368580409, -155.6989798598866, 66.80131188771972, -13.28068155288572,
  ];
  const c = [
    -0.007784894002430293, -0.3223964580411365, -2.400758277161838, -2.549732539343734, 4.374664141464968,
    2.938163982698783,
  ];
  const d = [0.007784695709041462, 0.3224671290700398, 2.445134137142996, 3.754408661907416];
  const [a0, a1, a2, a3, a4, a5] = a as [number, number, number, number, number, number];
  const [b0, b1, b2, b3, b4] = b as [number, number, number, number, number];
  const [c0, c1, c2, c3, c4, c5] = c as [number, number, number, number, number, number];
  const [d0, d1, d2, d3] = d as [number, number, number, number];
  const pLow = 0.02425;
  if (p < pLow) {
    const q = Math.sqrt(-2 * Math.log(p));
    return (
      (((((c0 * q + c1) * q + c2) * q + c3) * q + c4) * q + c5) /
      ((((d0 * q + d1) * q + d2) * q + d3) * q + 1)
    );
  }
  if (p > 1 - pLow) {
    const q = Math.sqrt(-2 * Math.log(1 - p));
    return (
      -(((((c0 * q + c1) * q + c2) * q + c3) * q + c4) * q + c5) /
      ((((d0 * q + d1) * q + d2) * q + d3) * q + 1)
    );
  }
  const q = p - 0.5;
  const r = q * q;
  return (
    ((((((a0 * r + a1) * r + a2) * r + a3) * r + a4) * r + a5) * q) /
    (((((b0 * r + b1) * r + b2) * r + b3) * r + b4) * r + 1)
  );
}

/**
 * `fine`: 18 bins (the default); `compact`: 11 bins over a subset of the same boundaries
 * ([0, .2, .49, .51, .8, .89, .91, .975, .988, .992, .999, 1]) for very large graphs. Both keep the
 * histogram's nearest-rank p50, p90 and p99 on the distribution's own.
 */
export type HistogramBins = 'fine' | 'compact';

interface BinLayout {
  readonly bounds: readonly number[];
  /** Index of the first fine segment of each bin, plus SEGMENTS at the end. */
  readonly first: readonly number[];
}

function layoutOf(bounds: readonly number[]): BinLayout {
  const first = bounds.map((b) => {
    const i = BOUNDS.indexOf(b);
    if (i < 0) throw new Error(`histogram bound ${b} is not a fine bound`);
    return i;
  });
  return { bounds, first };
}

const FINE = layoutOf(BOUNDS);
const COMPACT = layoutOf([0, 0.2, 0.49, 0.51, 0.8, 0.89, 0.91, 0.975, 0.988, 0.992, 0.999, 1]);
const SCRATCH_COUNTS = new Float64Array(SEGMENTS);

/**
 * Histogram of `count` requests (≤ 18 bins, ≤ 11 when `compact`; sorted by Value, equal values
 * merged) and their total response time in seconds, which equals Σ Value × Count exactly (values
 * are multiples of 0.1 ms) and count × mean of the distribution up to that rounding.
 */
export function latencyHistogram(
  d: Latency,
  count: number,
  bins: HistogramBins = 'fine',
): { histogram: HistogramEntry[]; totalSeconds: number } {
  const dist = asDist(d);
  const layout = bins === 'compact' ? COMPACT : FINE;
  const nSeg = layout.bounds.length - 1;
  const means = dist.binMeans(layout);
  const counts = SCRATCH_COUNTS;
  let prevCum = 0;
  let binned = 0;
  for (let s = 0; s < nSeg; s++) {
    const cum = Math.round(count * (layout.bounds[s + 1] ?? 1));
    counts[s] = cum - prevCum;
    binned += (cum - prevCum) * (means[s] ?? 0);
    prevCum = cum;
  }
  // Whole counts shift a little weight between bins (most in the tail, for few requests); scale
  // the values so that TotalResponseTime stays count × mean: a caller's time then covers its callees'.
  const want = count * dist.mean();
  const k = binned > 0 && want > 0 ? want / binned : 1;
  const histogram: HistogramEntry[] = [];
  let units = 0;
  let lastUnits = -1;
  for (let s = 0; s < nSeg; s++) {
    const n = counts[s] ?? 0;
    if (n <= 0) continue;
    const v = Math.max(1, Math.round((means[s] ?? 0) * k * UNITS_PER_SECOND));
    units += v * n;
    const last = histogram[histogram.length - 1];
    if (last && v === lastUnits) last.Count += n;
    else histogram.push({ Value: v / UNITS_PER_SECOND, Count: n });
    lastUnits = v;
  }
  return { histogram, totalSeconds: units / UNITS_PER_SECOND };
}

/**
 * Sum of several histograms (an inferred node is the sum of its callers' views), kept to the bins of
 * `bins`: entries are grouped at the same probability boundaries `latencyHistogram` uses and each group
 * takes its mean value (to 0.1 ms). Counts are kept exactly; `totalSeconds` is Σ Value × Count.
 */
export function mergeHistograms(
  parts: readonly (readonly HistogramEntry[])[],
  bins: HistogramBins = 'fine',
): { histogram: HistogramEntry[]; totalSeconds: number } {
  const byUnits = new Map<number, number>();
  for (const h of parts) {
    for (const e of h) {
      if (e.Count <= 0) continue;
      const u = Math.round(e.Value * UNITS_PER_SECOND);
      byUnits.set(u, (byUnits.get(u) ?? 0) + e.Count);
    }
  }
  const entries = [...byUnits.entries()].sort((a, b) => a[0] - b[0]);
  const layout = bins === 'compact' ? COMPACT : FINE;
  const nSeg = layout.bounds.length - 1;
  let histogram: HistogramEntry[];
  if (entries.length <= nSeg) {
    histogram = entries.map(([u, c]) => ({ Value: u / UNITS_PER_SECOND, Count: c }));
  } else {
    const total = entries.reduce((a, e) => a + e[1], 0);
    histogram = [];
    let k = 0;
    let left = entries[0]?.[1] ?? 0;
    let prevCum = 0;
    for (let s = 0; s < nSeg; s++) {
      const cum = Math.round(total * (layout.bounds[s + 1] ?? 1));
      let need = cum - prevCum;
      prevCum = cum;
      if (need <= 0) continue;
      const n = need;
      let units = 0;
      while (need > 0 && k < entries.length) {
        const take = Math.min(need, left);
        units += take * (entries[k]?.[0] ?? 0);
        need -= take;
        left -= take;
        if (left === 0) {
          k++;
          left = entries[k]?.[1] ?? 0;
        }
      }
      const v = Math.max(1, Math.round(units / n));
      const last = histogram[histogram.length - 1];
      if (last && Math.round(last.Value * UNITS_PER_SECOND) === v) last.Count += n;
      else histogram.push({ Value: v / UNITS_PER_SECOND, Count: n });
    }
  }
  let units = 0;
  for (const e of histogram) units += Math.round(e.Value * UNITS_PER_SECOND) * e.Count;
  return { histogram, totalSeconds: units / UNITS_PER_SECOND };
}

// ---------------------------------------------------------------------------------------------
// Graph assembly

/** X-Ray's `State`: `unknown` for users and for nodes inferred from their callers, `active` otherwise. */
function defaultState(type: string): string {
  return type === 'client' || isInferredType(type) ? 'unknown' : 'active';
}

function count(v: number | undefined, what: () => string, field: string): number {
  const n = v ?? 0;
  if (!Number.isSafeInteger(n) || n < 0) {
    throw new RangeError(`${what()} ${field}: expected a whole count ≥ 0, got ${n}`);
  }
  return n;
}

/** `what` names the node or edge in error messages (built only when there is one). */
function statistics(
  total: number,
  t: TrafficStats,
  what: () => string,
  bins: HistogramBins,
): { stats: XRayStatistics; histogram: HistogramEntry[] } {
  const n = count(total, what, 'requests');
  const faults = count(t.faults, what, 'faults');
  const errors = count(t.errors, what, 'errors');
  const throttles = count(t.throttles, what, 'throttles');
  if (faults + errors + throttles > n) {
    throw new RangeError(
      `${what()}: ${n} requests cannot hold ${faults} faults, ${errors} errors and ${throttles} throttles`,
    );
  }
  const { histogram, totalSeconds } = latencyHistogram(t.latency, n, bins);
  return {
    stats: {
      OkCount: n - faults - errors - throttles,
      ErrorStatistics: { ThrottleCount: throttles, OtherCount: errors, TotalCount: errors + throttles },
      FaultStatistics: { OtherCount: faults, TotalCount: faults },
      TotalCount: n,
      TotalResponseTime: totalSeconds,
    },
    histogram,
  };
}

export interface BuildOptions {
  /** Histogram resolution; default `fine`. */
  readonly histogramBins?: HistogramBins;
}

/**
 * One GetServiceGraph page for one window. ReferenceIds follow the order of `services`; each
 * service's edges follow the order of `window.edges`. Throws on unknown keys, duplicate keys or
 * edges, statistics on a `client` node, and counts that do not fit.
 */
export function buildServiceGraph(
  services: readonly ServiceDef[],
  window: WindowDef,
  options: BuildOptions = {},
): XRayServiceGraph {
  const bins = options.histogramBins ?? 'fine';
  const { start, end } = window;
  if (!(Number.isFinite(start) && Number.isFinite(end) && end >= start)) {
    throw new RangeError(`window: need start ≤ end in epoch seconds, got ${start}, ${end}`);
  }
  const index = new Map<string, number>();
  services.forEach((s, i) => {
    const key = s.key ?? s.name;
    if (index.has(key)) throw new Error(`duplicate service key ${JSON.stringify(key)}`);
    index.set(key, i);
  });
  for (const key of Object.keys(window.nodes)) {
    if (!index.has(key)) throw new Error(`window.nodes: unknown service key ${JSON.stringify(key)}`);
  }
  const out: XRayService[] = services.map((s, i) => {
    const key = s.key ?? s.name;
    const svc: XRayService = {
      ReferenceId: i,
      Name: s.name,
      Names: s.names ? [...s.names] : [s.name],
      ...(s.root ? { Root: true } : {}),
      ...(s.accountId !== undefined ? { AccountId: s.accountId } : {}),
      Type: s.type,
      State: s.state ?? defaultState(s.type),
      StartTime: start,
      EndTime: end,
      Edges: [],
    };
    const traffic = Object.hasOwn(window.nodes, key) ? window.nodes[key] : undefined;
    if (traffic) {
      if (s.type === 'client') throw new Error(`${key}: client nodes carry no statistics`);
      const { stats, histogram } = statistics(traffic.requests, traffic, () => key, bins);
      svc.SummaryStatistics = stats;
      svc.DurationHistogram = histogram;
      svc.ResponseTimeHistogram = histogram.map((h) => ({ Value: h.Value, Count: h.Count }));
    }
    return svc;
  });
  const seen = new Set<number>();
  for (const e of window.edges) {
    const from = index.get(e.from);
    const to = index.get(e.to);
    if (from === undefined) throw new Error(`edge: unknown caller ${JSON.stringify(e.from)}`);
    if (to === undefined) throw new Error(`edge: unknown callee ${JSON.stringify(e.to)}`);
    const id = from * services.length + to;
    if (seen.has(id)) throw new Error(`duplicate edge ${e.from} → ${e.to}`);
    seen.add(id);
    const { stats, histogram } = statistics(e.calls, e, () => `${e.from} → ${e.to}`, bins);
    const edge: XRayEdge = {
      ReferenceId: to,
      StartTime: start,
      EndTime: end,
      SummaryStatistics: stats,
      ResponseTimeHistogram: histogram,
      Aliases: [],
    };
    if (e.edgeType !== undefined) edge.EdgeType = e.edgeType;
    out[from]?.Edges.push(edge);
  }
  return { StartTime: start, EndTime: end, Services: out, ContainsOldGroupVersions: false };
}

/** `{incident, baseline}` over the same services. */
export function buildSnapshot(
  services: readonly ServiceDef[],
  windows: { readonly incident: WindowDef; readonly baseline: WindowDef },
  options: BuildOptions = {},
): XRayGraphSnapshot {
  return {
    incident: buildServiceGraph(services, windows.incident, options),
    baseline: buildServiceGraph(services, windows.baseline, options),
  };
}

// ---------------------------------------------------------------------------------------------
// Consistency check (for tests and generated examples)

export interface CheckOptions {
  /** Also require every caller's TotalResponseTime ≥ the sum over its synchronous edges (sequential calls). */
  readonly callerTimeCoversCallees?: boolean;
}

/** Problems found in a GetServiceGraph response built by this module; empty when consistent. */
export function checkServiceGraph(graph: XRayServiceGraph, options: CheckOptions = {}): string[] {
  const problems: string[] = [];
  const refs = new Set(graph.Services.map((s) => s.ReferenceId));
  if (refs.size !== graph.Services.length) problems.push('duplicate ReferenceId');
  const checkStats = (
    where: string,
    s: XRayStatistics,
    hists: readonly (readonly HistogramEntry[])[],
  ): void => {
    const e = s.ErrorStatistics;
    const f = s.FaultStatistics;
    if (s.OkCount + e.TotalCount + f.TotalCount !== s.TotalCount)
      problems.push(`${where}: Ok + errors + faults ≠ TotalCount`);
    if (e.ThrottleCount + e.OtherCount !== e.TotalCount)
      problems.push(`${where}: ErrorStatistics do not add up`);
    if (f.OtherCount !== f.TotalCount) problems.push(`${where}: FaultStatistics do not add up`);
    for (const h of hists) {
      const n = h.reduce((a, b) => a + b.Count, 0);
      const t = h.reduce((a, b) => a + b.Value * b.Count, 0);
      if (n !== s.TotalCount) problems.push(`${where}: histogram counts ${n} ≠ TotalCount ${s.TotalCount}`);
      if (Math.abs(t - s.TotalResponseTime) > 1e-6 * Math.max(1, t)) {
        problems.push(`${where}: histogram time ${t} ≠ TotalResponseTime ${s.TotalResponseTime}`);
      }
      if (h.length > 20) problems.push(`${where}: ${h.length} histogram bins`);
    }
  };
  for (const svc of graph.Services) {
    const where = `${svc.Name} (${svc.Type}, ${svc.ReferenceId})`;
    if (svc.Type === 'client' && svc.SummaryStatistics)
      problems.push(`${where}: client node with statistics`);
    if (svc.SummaryStatistics) {
      checkStats(where, svc.SummaryStatistics, [
        svc.ResponseTimeHistogram ?? [],
        svc.DurationHistogram ?? [],
      ]);
    }
    let edgeTime = 0;
    for (const e of svc.Edges) {
      const ew = `${where} → ${e.ReferenceId}`;
      if (!refs.has(e.ReferenceId)) problems.push(`${ew}: no such service`);
      if (!hasStatistics(e.SummaryStatistics)) {
        if (e.EdgeType !== 'link') problems.push(`${ew}: a synchronous edge without statistics`);
        continue;
      }
      checkStats(ew, e.SummaryStatistics, [e.ResponseTimeHistogram]);
      if (e.EdgeType !== 'link') edgeTime += e.SummaryStatistics.TotalResponseTime;
    }
    if (
      options.callerTimeCoversCallees &&
      svc.SummaryStatistics &&
      svc.SummaryStatistics.TotalResponseTime < edgeTime
    ) {
      problems.push(
        `${where}: TotalResponseTime ${svc.SummaryStatistics.TotalResponseTime} < time in callees ${edgeTime}`,
      );
    }
  }
  return problems;
}
