// The small statistics the engine leans on: quantiles from X-Ray histograms, Wilson bounds, the
// z statistics of a rise, and the summaries of services with no traffic.

import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { RequestStats } from '../../lambdas/core/model.ts';
import { parseSnapshot } from '../../lambdas/core/parse.ts';
import {
  latencyRiseZ,
  latencySummary,
  latencyVariance,
  proportionRiseZ,
  quantile,
  round,
  significanceWeight,
  wilson,
} from '../../lambdas/core/stats.ts';
import { node, serviceGraph } from './graph-kit.ts';

function statsOf(overrides: Partial<RequestStats>): RequestStats {
  return {
    total: 0,
    ok: 0,
    errors: 0,
    throttles: 0,
    faults: 0,
    totalTime: 0,
    histogram: { values: [], counts: [] },
    ...overrides,
  };
}

/** Parses one service whose histogram is given in X-Ray's (unsorted) order. */
function parsedHistogram(entries: { Value: number; Count: number }[]) {
  const raw = serviceGraph([node('api', { n: 1 })], { entry: null });
  const svc = raw.Services[0];
  if (!svc) throw new Error('kit lost api');
  // Empty statistics: the request count and total time come from the histogram alone.
  (svc as { SummaryStatistics?: unknown }).SummaryStatistics = {};
  svc.ResponseTimeHistogram = entries;
  const stats = parseSnapshot(raw).incident.nodes[0]?.stats;
  if (!stats) throw new Error('api has no statistics');
  return stats;
}

describe('Function: quantile', () => {
  it('should read quantiles from an unsorted X-Ray histogram once it is parsed', () => {
    // Prepare: 100 requests, 90 fast and 10 slow, in the order X-Ray may send them
    const stats = parsedHistogram([
      { Value: 2.0, Count: 1 },
      { Value: 0.01, Count: 50 },
      { Value: 0.5, Count: 9 },
      { Value: 0.02, Count: 40 },
    ]);

    // Act
    const p50 = quantile(stats.histogram, 0.5);
    const p90 = quantile(stats.histogram, 0.9);
    const p99 = quantile(stats.histogram, 0.99);
    const p100 = quantile(stats.histogram, 1);

    // Assess
    expect(stats.total).toBe(100);
    expect(p50).toBe(0.01);
    expect(p90).toBe(0.02);
    expect(p99).toBe(0.5);
    expect(p100).toBe(2.0);
  });

  it('should use the nearest rank, rounding up, when q × total is not whole', () => {
    // Prepare: 9 fast requests and 1 slow one; the 95th percentile is rank 10 of 10
    const stats = parsedHistogram([
      { Value: 1.0, Count: 1 },
      { Value: 0.1, Count: 9 },
    ]);

    // Act
    const p85 = quantile(stats.histogram, 0.85);
    const p95 = quantile(stats.histogram, 0.95);

    // Assess
    expect(p85).toBe(0.1);
    expect(p95).toBe(1.0);
  });

  it('should merge repeated values before counting ranks', () => {
    // Prepare
    const stats = parsedHistogram([
      { Value: 0.3, Count: 30 },
      { Value: 0.1, Count: 30 },
      { Value: 0.3, Count: 40 },
    ]);

    // Act
    const p50 = quantile(stats.histogram, 0.5);

    // Assess
    expect(stats.histogram).toEqual({ values: [0.1, 0.3], counts: [30, 70] });
    expect(p50).toBe(0.3);
  });

  it('should return 0 for an empty histogram', () => {
    // Act
    const q = quantile({ values: [], counts: [] }, 0.99);

    // Assess
    expect(q).toBe(0);
  });

  it('should be non-decreasing in q and stay within the histogram values', () => {
    fc.assert(
      fc.property(
        fc.array(fc.record({ Value: fc.double({ min: 0, max: 30, noNaN: true }), Count: fc.nat(1000) }), {
          minLength: 1,
          maxLength: 12,
        }),
        fc.double({ min: 0, max: 1, noNaN: true }),
        fc.double({ min: 0, max: 1, noNaN: true }),
        (entries, qa, qb) => {
          // Prepare
          const hist = parsedHistogram(entries).histogram;
          const [lo, hi] = qa <= qb ? [qa, qb] : [qb, qa];

          // Act
          const a = quantile(hist, lo);
          const b = quantile(hist, hi);

          // Assess
          expect(a).toBeLessThanOrEqual(b);
          if (hist.values.length > 0) {
            expect(hist.values.includes(b)).toBe(true);
          }
        },
      ),
      { numRuns: 200 },
    );
  });
});

describe('Function: wilson', () => {
  it('should bracket the observed proportion within [0, 1]', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 100_000 }),
        fc.double({ min: 0, max: 1, noNaN: true }),
        (n, share) => {
          // Prepare
          const k = Math.round(share * n);

          // Act
          const { low, high } = wilson(k, n);

          // Assess
          expect(low).toBeGreaterThanOrEqual(0);
          expect(high).toBeLessThanOrEqual(1);
          expect(low).toBeLessThanOrEqual(k / n + 1e-12);
          expect(high).toBeGreaterThanOrEqual(k / n - 1e-12);
        },
      ),
      { numRuns: 200 },
    );
  });

  it('should narrow as the number of requests grows at the same proportion', () => {
    // Act
    const small = wilson(2, 10);
    const large = wilson(2000, 10_000);

    // Assess
    expect(large.high - large.low).toBeLessThan(small.high - small.low);
    expect(large.low).toBeGreaterThan(small.low);
  });

  it('should keep a lower bound above 0 for 20 % of 1000 and near 0 for 2 of 4', () => {
    // Act
    const solid = wilson(200, 1000);
    const handful = wilson(2, 4);

    // Assess
    expect(solid.low).toBeCloseTo(0.176, 2);
    expect(solid.high).toBeCloseTo(0.226, 2);
    expect(handful.low).toBeLessThan(0.2);
  });

  it('should say nothing is known with no requests', () => {
    // Act
    const none = wilson(0, 0);

    // Assess
    expect(none).toEqual({ low: 0, high: 1 });
  });
});

describe('Function: proportionRiseZ', () => {
  it('should give a large positive z for 0 % → 20 % over 1000 requests each', () => {
    // Act
    const z = proportionRiseZ(200, 1000, 0, 1000);

    // Assess: pooled p = 0.1, se = sqrt(0.1 × 0.9 × 2 / 1000)
    expect(z).toBeCloseTo(0.2 / Math.sqrt(0.00018), 6);
  });

  it('should be negative for a fall and zero with no change', () => {
    // Act
    const fall = proportionRiseZ(10, 1000, 100, 1000);
    const same = proportionRiseZ(50, 1000, 50, 1000);

    // Assess
    expect(fall).toBeLessThan(0);
    expect(same).toBe(0);
  });

  it('should grow with the number of requests behind the same rise', () => {
    // Act
    const few = proportionRiseZ(2, 10, 0, 10);
    const many = proportionRiseZ(200, 1000, 0, 1000);

    // Assess
    expect(few).toBeGreaterThan(0);
    expect(many).toBeGreaterThan(3 * few);
  });

  it('should be 0 without requests in either window or without variance', () => {
    // Act
    const noIncident = proportionRiseZ(0, 0, 5, 100);
    const noBaseline = proportionRiseZ(5, 100, 0, 0);
    const allFailing = proportionRiseZ(100, 100, 100, 100);

    // Assess
    expect(noIncident).toBe(0);
    expect(noBaseline).toBe(0);
    expect(allFailing).toBe(0);
  });

  it('should be antisymmetric when the windows swap', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 10_000 }),
        fc.integer({ min: 1, max: 10_000 }),
        fc.double({ min: 0, max: 1, noNaN: true }),
        fc.double({ min: 0, max: 1, noNaN: true }),
        (n1, n0, p1, p0) => {
          // Prepare
          const k1 = Math.round(p1 * n1);
          const k0 = Math.round(p0 * n0);

          // Act
          const up = proportionRiseZ(k1, n1, k0, n0);
          const down = proportionRiseZ(k0, n0, k1, n1);

          // Assess
          expect(Number.isFinite(up)).toBe(true);
          expect(up + down).toBeCloseTo(0, 9);
          expect(Math.sign(up)).toBe(Math.sign(k1 / n1 - k0 / n0) || 0);
        },
      ),
      { numRuns: 200 },
    );
  });
});

describe('Function: latencySummary', () => {
  it('should be all zeros for a service with no statistics or no requests', () => {
    // Act
    const missing = latencySummary(undefined);
    const idle = latencySummary(statsOf({ total: 0, totalTime: 0 }));

    // Assess
    expect(missing).toEqual({ mean: 0, p50: 0, p90: 0, p99: 0 });
    expect(idle).toEqual({ mean: 0, p50: 0, p90: 0, p99: 0 });
  });

  it('should use the mean for every quantile when there is no histogram', () => {
    // Act
    const summary = latencySummary(statsOf({ total: 10, ok: 10, totalTime: 2 }));

    // Assess
    expect(summary).toEqual({ mean: 0.2, p50: 0.2, p90: 0.2, p99: 0.2 });
  });

  it('should read the quantiles from the histogram and the mean from the total time', () => {
    // Prepare
    const stats = statsOf({
      total: 100,
      ok: 100,
      totalTime: 10,
      histogram: { values: [0.05, 0.5, 3], counts: [89, 10, 1] },
    });

    // Act
    const summary = latencySummary(stats);

    // Assess
    expect(summary).toEqual({ mean: 0.1, p50: 0.05, p90: 0.5, p99: 0.5 });
  });
});

describe('Function: latencyRiseZ', () => {
  it('should be positive and finite for a rise between spread histograms, and 0 without a baseline', () => {
    // Prepare
    const before = parsedHistogram([
      { Value: 0.01, Count: 250 },
      { Value: 0.02, Count: 500 },
      { Value: 0.03, Count: 250 },
    ]);
    const after = parsedHistogram([
      { Value: 0.2, Count: 250 },
      { Value: 0.4, Count: 500 },
      { Value: 0.6, Count: 250 },
    ]);

    // Act
    const rise = latencyRiseZ(after, before);
    const fall = latencyRiseZ(before, after);
    const none = latencyRiseZ(after, undefined);

    // Assess
    expect(Number.isFinite(rise)).toBe(true);
    expect(rise).toBeGreaterThan(3);
    expect(fall).toBeLessThan(-3);
    expect(none).toBe(0);
    expect(latencyVariance(after)).toBeGreaterThan(0);
  });
});

describe('Function: significanceWeight', () => {
  it('should give nothing below z = 1, full weight from z = 4, and be monotone between', () => {
    // Act
    const weights = [-5, 0, 1, 2, 2.5, 4, 40].map(significanceWeight);

    // Assess
    expect(weights[0]).toBe(0);
    expect(weights[2]).toBe(0);
    expect(weights[3]).toBeCloseTo(1 / 3, 12);
    expect(weights[5]).toBe(1);
    expect(weights[6]).toBe(1);
    for (let i = 1; i < weights.length; i++) expect(weights[i]).toBeGreaterThanOrEqual(weights[i - 1] ?? 0);
  });
});

describe('Function: round', () => {
  it('should round to the given digits and never produce -0', () => {
    // Act
    const r = round(0.123456);
    const tiny = round(-0.00001);

    // Assess
    expect(r).toBe(0.1235);
    expect(Object.is(tiny, -0)).toBe(false);
    expect(tiny).toBe(0);
  });
});
