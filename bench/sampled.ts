// The public sets as X-Ray's default sampling rule would have recorded them: the first request each
// second and 5 % of the rest (a fixed rate of 5 % on a reservoir of 1/s). The sets' own graphs are
// complete counts (PetShop from CloudWatch metrics) or every trace (TraceRCA); users' accounts
// sample, so their graphs are thinner and noisier. This asks whether the engine stays right on a
// sampled graph, and whether its confidence comes down with the counts: accuracy and the
// calibration table per set, complete against sampled, over several draws.
//
// Sampling is decided per trace at the entry, so every service of a window keeps about the same
// share of its requests: each count is thinned binomially at the window's rate, failures and
// latency-histogram bins with it, and the mean latency follows the thinned histogram.

import { isObj } from '../lambdas/core/evidence/fields.ts';
import { mulberry32 } from '../lambdas/simulator/graph-builder.ts';
import { hashInts } from '../lambdas/simulator/simulate.ts';
import { type BenchCase, type CaseResult, DATASETS, loadDataset, runCase, score } from './accuracy.ts';
import { brier, calibrationTable } from './accuracy-report.ts';

/** X-Ray's default sampling rule: a reservoir of one request per second, then a fixed rate. */
export const RESERVOIR_PER_SECOND = 1;
export const FIXED_RATE = 0.05;
/** Draws per case in `npm run bench`: each a different sample of the same incident. */
export const SAMPLED_DRAWS = 3;

type Json = Record<string, unknown>;
const num = (x: unknown): number => (typeof x === 'number' && Number.isFinite(x) ? x : 0);

/** One binomial draw: exact for small counts, the normal approximation (rounded, clamped) beyond. */
export function binomial(n: number, p: number, rng: () => number): number {
  if (n <= 0 || p <= 0) return 0;
  if (p >= 1) return n;
  const variance = n * p * (1 - p);
  if (variance < 25) {
    let k = 0;
    for (let i = 0; i < n; i++) if (rng() < p) k++;
    return k;
  }
  const u1 = Math.max(1e-12, rng());
  const z = Math.sqrt(-2 * Math.log(u1)) * Math.cos(2 * Math.PI * rng());
  return Math.min(n, Math.max(0, Math.round(n * p + z * Math.sqrt(variance))));
}

/** The share of a window's requests the default rule keeps: requests entering at `perSecond`. */
export function keptShare(entryRequests: number, seconds: number): number {
  if (entryRequests <= 0 || seconds <= 0) return 1;
  const reservoir = Math.min(entryRequests, RESERVOIR_PER_SECOND * seconds);
  return (reservoir + FIXED_RATE * (entryRequests - reservoir)) / entryRequests;
}

/** Requests entering the window: the services nobody in the graph calls (the entry points). */
function entryRequests(services: readonly Json[]): number {
  const called = new Set<unknown>();
  for (const s of services) for (const e of (s.Edges as Json[] | undefined) ?? []) called.add(e.ReferenceId);
  let entry = 0;
  let busiest = 0;
  for (const s of services) {
    const n = num((s.SummaryStatistics as Json | undefined)?.TotalCount);
    busiest = Math.max(busiest, n);
    if (!called.has(s.ReferenceId)) entry += n;
  }
  return entry > 0 ? entry : busiest;
}

type Bin = { Value: number; Count: number };
const binsOf = (x: unknown): Bin[] =>
  Array.isArray(x) ? x.filter((b): b is Bin => isObj(b) && typeof b.Value === 'number') : [];
const histMean = (bins: readonly Bin[]): number => {
  let n = 0;
  let t = 0;
  for (const b of bins) {
    n += num(b.Count);
    t += num(b.Count) * b.Value;
  }
  return n > 0 ? t / n : 0;
};

/** How a service's figures moved when sampled: each part's kept count over its expected one. */
interface Draw {
  readonly requests: number;
  readonly faults: number;
  readonly throttles: number;
  readonly others: number;
  /** Kept mean latency over the complete one. */
  readonly latency: number;
}

const UNMOVED: Draw = { requests: 1, faults: 1, throttles: 1, others: 1, latency: 1 };

/** Counts of a SummaryStatistics block: requests, faults, throttles, other 4xx. */
function countsOf(st: Json): [number, number, number, number] {
  const fault = isObj(st.FaultStatistics) ? st.FaultStatistics : undefined;
  const error = isObj(st.ErrorStatistics) ? st.ErrorStatistics : undefined;
  const throttles = num(error?.ThrottleCount);
  return [
    num(st.TotalCount),
    num(fault?.TotalCount),
    throttles,
    Math.max(0, num(error?.TotalCount) - throttles),
  ];
}

/** Rounds up with probability equal to the fraction: unbiased, and whole. */
const roundRandomly = (x: number, rng: () => number): number => {
  const whole = Math.floor(x);
  return whole + (rng() < x - whole ? 1 : 0);
};

function setStats(
  holder: Json,
  st: Json,
  kept: [number, number, number, number],
  mean: number,
  bins: readonly Bin[] | undefined,
): void {
  const [n, f, t, o0] = kept;
  const faults = Math.min(n, f);
  const throttles = Math.min(n - faults, t);
  const others = Math.min(n - faults - throttles, o0);
  holder.SummaryStatistics = {
    ...st,
    TotalCount: n,
    OkCount: n - faults - throttles - others,
    FaultStatistics: { OtherCount: faults, TotalCount: faults },
    ErrorStatistics: { ThrottleCount: throttles, OtherCount: others, TotalCount: throttles + others },
    TotalResponseTime: n * mean,
  };
  if (bins) {
    holder.ResponseTimeHistogram = bins.filter((b) => b.Count > 0);
    if (Array.isArray(holder.DurationHistogram)) holder.DurationHistogram = holder.ResponseTimeHistogram;
  }
}

/**
 * A service's own figures, thinned at `p`: each request kept or not on its own, the failed ones
 * like the others, its latency histogram bin by bin, and its exact mean moved as the kept
 * histogram's mean moved. Returns how each part moved, for the calls into it.
 */
function thinService(holder: Json, p: number, rng: () => number): Draw {
  const st = holder.SummaryStatistics;
  if (!isObj(st)) return UNMOVED;
  const [total, faults, throttles, others] = countsOf(st);
  const histogram = binsOf(holder.ResponseTimeHistogram);
  const thinned = histogram.map((b) => ({ Value: b.Value, Count: binomial(num(b.Count), p, rng) }));
  const kept = histogram.length > 0 ? thinned.reduce((n, b) => n + b.Count, 0) : binomial(total, p, rng);
  const kf = binomial(faults, p, rng);
  const kt = binomial(throttles, p, rng);
  const ko = binomial(others, p, rng);
  const before = histMean(histogram);
  const latency = before > 0 && kept > 0 ? histMean(thinned) / before : 1;
  const mean = total > 0 ? num(st.TotalResponseTime) / total : 0;
  setStats(holder, st, [kept, kf, kt, ko], mean * latency, histogram.length > 0 ? thinned : undefined);
  const moved = (k: number, n: number) => (n > 0 ? k / (n * p) : 1);
  return {
    requests: moved(kept, total),
    faults: moved(kf, faults),
    throttles: moved(kt, throttles),
    others: moved(ko, others),
    latency,
  };
}

/**
 * A call's figures, sampled with the same traces as its callee's: the callee's draw, so that a
 * caller and its callee still agree where they agreed (sampling adds no link fault), and the
 * call's own part — failures the callee never recorded — drawn on its own.
 */
function thinCall(holder: Json, p: number, callee: Draw, rng: () => number): void {
  const st = holder.SummaryStatistics;
  if (!isObj(st)) return;
  const [total, faults, throttles, others] = countsOf(st);
  const part = (k: number, moved: number) => roundRandomly(k * p * moved, rng);
  const kept = part(total, callee.requests);
  const share = total > 0 ? kept / total : 0;
  const histogram = binsOf(holder.ResponseTimeHistogram);
  const bins = histogram.map((b) => ({ Value: b.Value, Count: roundRandomly(num(b.Count) * share, rng) }));
  const mean = total > 0 ? num(st.TotalResponseTime) / total : 0;
  setStats(
    holder,
    st,
    [kept, part(faults, callee.faults), part(throttles, callee.throttles), part(others, callee.others)],
    mean * callee.latency,
    histogram.length > 0 ? bins : undefined,
  );
}

/** A GetServiceGraph response as the default rule would have sampled it (a new object). */
export function sampleWindow(graph: unknown, rng: () => number): { graph: unknown; share: number } {
  if (!isObj(graph) || !Array.isArray(graph.Services)) return { graph, share: 1 };
  const copy = structuredClone(graph) as Json & { Services: Json[] };
  const seconds = num(copy.EndTime) - num(copy.StartTime);
  const share = keptShare(entryRequests(copy.Services), seconds);
  if (share >= 1) return { graph: copy, share };
  const draws = new Map<unknown, Draw>();
  for (const s of copy.Services) draws.set(s.ReferenceId, thinService(s, share, rng));
  for (const s of copy.Services) {
    for (const e of (s.Edges as Json[] | undefined) ?? [])
      thinCall(e, share, draws.get(e.ReferenceId) ?? UNMOVED, rng);
  }
  return { graph: copy, share };
}

const caseSeed = (caseId: string, draw: number): number =>
  hashInts(draw, ...[...caseId].map((ch) => ch.charCodeAt(0)));

/** The case with both windows sampled; the same case and draw always give the same graphs. */
export function sampledCase(c: BenchCase, draw: number): BenchCase & { shares: [number, number] } {
  const rng = mulberry32(caseSeed(c.caseId, draw));
  const snap = c.snapshot as Json;
  const incident = sampleWindow(snap.incident, rng);
  const baseline = sampleWindow(snap.baseline, rng);
  return {
    ...c,
    snapshot: { ...snap, incident: incident.graph, baseline: baseline.graph },
    shares: [incident.share, baseline.share],
  };
}

export interface SampledRun {
  readonly dataset: string;
  readonly complete: CaseResult[];
  readonly sampled: CaseResult[];
  /** Median share of requests kept, incident and baseline windows. */
  readonly keptIncident: number;
  readonly keptBaseline: number;
}

/** The upper of the middle two for an even count (the table's figures), 1 for none. */
const upperMedian = (xs: readonly number[]): number => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length === 0 ? 1 : (s[s.length >> 1] as number);
};

export function runSampled(draws = 3): SampledRun[] {
  return DATASETS.map((d) => {
    const cases = loadDataset(d.name, d.dir);
    const complete = cases.map((c) => runCase(c, 'engine', false));
    const sampled: CaseResult[] = [];
    const inc: number[] = [];
    const base: number[] = [];
    for (let draw = 1; draw <= draws; draw++) {
      for (const c of cases) {
        const s = sampledCase(c, draw);
        inc.push(s.shares[0]);
        base.push(s.shares[1]);
        sampled.push({ ...runCase(s, 'engine', false), dataset: `${d.name} sampled` });
      }
    }
    return {
      dataset: d.name,
      complete,
      sampled,
      keptIncident: upperMedian(inc),
      keptBaseline: upperMedian(base),
    };
  });
}

const ac1 = (rs: readonly CaseResult[]) => score(rs).ac1;
const meanConfidence = (rs: readonly CaseResult[]) =>
  rs.reduce((sum, r) => sum + r.confidence, 0) / Math.max(1, rs.length);

export function sampledTables(runs: readonly SampledRun[], draws: number): string {
  const f2 = (x: number) => x.toFixed(2);
  const rows = runs.map((r) => {
    const shown = (rs: readonly CaseResult[]) => rs.filter((x) => x.visible !== false);
    return `| ${r.dataset} | ${f2(r.keptIncident)} / ${f2(r.keptBaseline)} | ${f2(ac1(r.complete))} → ${f2(ac1(r.sampled))} | ${f2(ac1(shown(r.complete)))} → ${f2(ac1(shown(r.sampled)))} | ${f2(meanConfidence(r.complete))} → ${f2(meanConfidence(r.sampled))} | ${brier(r.complete).toFixed(3)} → ${brier(r.sampled).toFixed(3)} |`;
  });
  return [
    `Sampled as X-Ray's default rule would (${RESERVOIR_PER_SECOND}/s, then ${FIXED_RATE * 100} %), ${draws} draws per case; engine, whole graph, complete → sampled.`,
    '',
    '| set | share kept (incident / baseline, median) | AC@1 | AC@1 where the graph shows the fault | mean confidence | Brier |',
    '|---|---|---|---|---|---|',
    ...rows,
    '',
    'Calibration of the sampled graphs (share right, answers):',
    '',
    calibrationTable(runs.flatMap((r) => r.sampled)),
  ].join('\n');
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const draws = Number(process.argv.find((a) => a.startsWith('--draws='))?.slice(8) ?? SAMPLED_DRAWS);
  if (!Number.isInteger(draws) || draws < 1) {
    console.error('--draws=N: N must be a whole number ≥ 1');
    process.exit(2);
  }
  const runs = runSampled(draws);
  if (runs.every((r) => r.complete.length === 0)) {
    console.error(
      'bench/sampled.ts: no labelled sets found; they live in ../shared/benchmarks/rca beside the checkout',
    );
    process.exit(1);
  }
  console.log(sampledTables(runs, draws));
}
