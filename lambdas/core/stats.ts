// Small statistics over X-Ray's request statistics: rates, histogram quantiles, and the
// confidence bounds that turn "how many requests back this change" into numbers.

import type { Histogram, LatencySummary, RequestStats } from './model.ts';

export const rate = (part: number, total: number): number => (total > 0 ? part / total : 0);

export function meanLatency(s: RequestStats | undefined): number {
  return s && s.total > 0 ? s.totalTime / s.total : 0;
}

/** Requests in a histogram. */
export function binnedRequests(hist: Histogram): number {
  let total = 0;
  for (const count of hist.counts) total += count;
  return total;
}

/** Quantile from a sorted, merged histogram (nearest rank). */
export function quantile(hist: Histogram, q: number): number {
  const total = binnedRequests(hist);
  if (total === 0) return 0;
  const rank = Math.max(1, Math.ceil(q * total));
  let seen = 0;
  for (let i = 0; i < hist.counts.length; i++) {
    seen += hist.counts[i] as number;
    if (seen >= rank) return hist.values[i] as number;
  }
  return hist.values[hist.values.length - 1] ?? 0;
}

export function latencySummary(s: RequestStats | undefined): LatencySummary {
  if (!s || s.total === 0) return { mean: 0, p50: 0, p90: 0, p99: 0 };
  const mean = meanLatency(s);
  if (s.histogram.values.length === 0) return { mean, p50: mean, p90: mean, p99: mean };
  return {
    mean,
    p50: quantile(s.histogram, 0.5),
    p90: quantile(s.histogram, 0.9),
    p99: quantile(s.histogram, 0.99),
  };
}

/** Variance of response time from the histogram; when there is none, assume a spread like the mean. */
export function latencyVariance(s: RequestStats): number {
  const { values, counts } = s.histogram;
  let n = 0;
  let sum = 0;
  let sq = 0;
  for (let i = 0; i < values.length; i++) {
    const value = values[i] as number;
    const count = counts[i] as number;
    n += count;
    sum += value * count;
    sq += value * value * count;
  }
  if (n < 2) {
    const m = meanLatency(s);
    return m * m;
  }
  const m = sum / n;
  return Math.max(0, sq / n - m * m);
}

/** Wilson score interval of a proportion at ~95 %. */
export function wilson(successes: number, n: number, z = 1.96): { low: number; high: number } {
  if (n <= 0) return { low: 0, high: 1 };
  const p = successes / n;
  const z2 = z * z;
  const denom = 1 + z2 / n;
  const centre = p + z2 / (2 * n);
  const margin = z * Math.sqrt((p * (1 - p)) / n + z2 / (4 * n * n));
  return { low: Math.max(0, (centre - margin) / denom), high: Math.min(1, (centre + margin) / denom) };
}

/** One-sided z statistic of a rise in a proportion from baseline (k0/n0) to incident (k1/n1), pooled. */
export function proportionRiseZ(k1: number, n1: number, k0: number, n0: number): number {
  if (n1 <= 0 || n0 <= 0) return 0;
  const p = (k1 + k0) / (n1 + n0);
  const se = Math.sqrt(p * (1 - p) * (1 / n1 + 1 / n0));
  const d = k1 / n1 - k0 / n0;
  if (se === 0) return 0;
  return d / se;
}

/** Weight of evidence from a z statistic: nothing below 1, full weight from 4. */
export const significanceWeight = (z: number): number => Math.min(1, Math.max(0, (z - 1) / 3));

/** z statistic of a rise in mean latency between two windows. */
export function latencyRiseZ(incident: RequestStats, baseline: RequestStats | undefined): number {
  if (!baseline || baseline.total === 0 || incident.total === 0) return 0;
  const d = meanLatency(incident) - meanLatency(baseline);
  const se = Math.sqrt(
    latencyVariance(incident) / incident.total + latencyVariance(baseline) / baseline.total,
  );
  if (se === 0) return d > 0 ? 10 : 0;
  return d / se;
}

/**
 * z statistic of a rank test (Mann–Whitney U) that calls in `incident` take longer than calls in
 * `baseline`, read off the two histograms (sorted by value). It asks whether a typical call got
 * slower, so a few outliers in a handful of calls do not make a rise; with no histogram on either
 * side it falls back to the rise in mean latency.
 */
export function rankRiseZ(incident: RequestStats, baseline: RequestStats | undefined): number {
  if (!baseline || baseline.histogram.values.length === 0 || incident.histogram.values.length === 0) {
    return latencyRiseZ(incident, baseline);
  }
  const before = baseline.histogram;
  const after = incident.histogram;
  const n0 = binnedRequests(before);
  let n1 = 0;
  let u = 0;
  let below = 0;
  let j = 0;
  for (let i = 0; i < after.values.length; i++) {
    const value = after.values[i] as number;
    const count = after.counts[i] as number;
    while (j < before.values.length && (before.values[j] as number) < value) {
      below += before.counts[j] as number;
      j++;
    }
    const tie = j < before.values.length && before.values[j] === value ? (before.counts[j] as number) : 0;
    u += count * (below + 0.5 * tie);
    n1 += count;
  }
  if (n1 === 0 || n0 === 0) return 0;
  const sd = Math.sqrt((n1 * n0 * (n1 + n0 + 1)) / 12);
  return (u - (n1 * n0) / 2) / sd;
}

/** Length of a window in seconds; 0 when unknown. */
export function windowSeconds(w: { start: string; end: string } | undefined | null): number {
  return w ? Math.max(0, (Date.parse(w.end) - Date.parse(w.start)) / 1000) : 0;
}

export const clamp = (x: number, lo: number, hi: number): number => Math.min(hi, Math.max(lo, x));

/** Rounds for output so that findings are byte-stable and readable. */
export const round = (x: number, digits = 4): number => {
  const f = 10 ** digits;
  const r = Math.round(x * f) / f;
  return r === 0 ? 0 : r;
};
