// The public sets as X-Ray's default sampling would record them (bench/sampled.ts): the rule's
// share, the same draw on every run, and a sample that adds no fault of its own — a caller and its
// callee that agreed before sampling still agree after, so what the engine finds on a sampled
// graph is the incident's, not the sampler's.

import { describe, expect, it } from 'vitest';
import { binomial, keptShare, sampledCase, sampleWindow } from '../../bench/sampled.ts';
import { mulberry32 } from '../../lambdas/simulator/graph-builder.ts';

const stats = (total: number, faults: number, meanSeconds: number) => ({
  OkCount: total - faults,
  ErrorStatistics: { ThrottleCount: 0, OtherCount: 0, TotalCount: 0 },
  FaultStatistics: { OtherCount: faults, TotalCount: faults },
  TotalCount: total,
  TotalResponseTime: total * meanSeconds,
});
const histogram = (total: number) => [
  { Value: 0.01, Count: Math.round(total / 2) },
  { Value: 0.03, Count: total - Math.round(total / 2) },
];

/** Users → api (3,000 requests in 600 s, 5/s) → db; api's calls to db fail exactly as often as db does. */
function window(start = 0) {
  return {
    StartTime: start,
    EndTime: start + 600,
    Services: [
      {
        ReferenceId: 0,
        Name: 'users',
        Type: 'client',
        Edges: [
          {
            ReferenceId: 1,
            SummaryStatistics: stats(3000, 30, 0.02),
            ResponseTimeHistogram: histogram(3000),
          },
        ],
      },
      {
        ReferenceId: 1,
        Name: 'api',
        Type: 'AWS::ECS::Container',
        SummaryStatistics: stats(3000, 30, 0.02),
        ResponseTimeHistogram: histogram(3000),
        Edges: [
          {
            ReferenceId: 2,
            SummaryStatistics: stats(3000, 300, 0.01),
            ResponseTimeHistogram: histogram(3000),
          },
        ],
      },
      {
        ReferenceId: 2,
        Name: 'db',
        Type: 'AWS::DynamoDB::Table',
        SummaryStatistics: stats(3000, 300, 0.01),
        ResponseTimeHistogram: histogram(3000),
      },
    ],
  };
}

type Sampled = ReturnType<typeof window>;
const summary = (g: Sampled, ref: number) => g.Services.find((s) => s.ReferenceId === ref)?.SummaryStatistics;
const call = (g: Sampled, from: number) =>
  g.Services.find((s) => s.ReferenceId === from)?.Edges?.[0]?.SummaryStatistics;

describe('X-Ray default sampling of a labelled graph', () => {
  it('should keep one request a second and 5 % of the rest, and everything when traffic is under 1/s', () => {
    // Arrange / Act / Assert: 3,000 requests in 600 s keep 600 + 5 % of 2,400.
    expect(keptShare(3000, 600)).toBeCloseTo((600 + 0.05 * 2400) / 3000, 10);
    expect(keptShare(300, 600)).toBe(1);
  });

  it('should draw binomial counts around n·p, never outside 0…n', () => {
    const rng = mulberry32(7);
    const draws = Array.from({ length: 400 }, () => binomial(1000, 0.2, rng));
    const mean = draws.reduce((a, b) => a + b, 0) / draws.length;
    expect(Math.abs(mean - 200)).toBeLessThan(5);
    expect(Math.min(...draws)).toBeGreaterThanOrEqual(0);
    expect(Math.max(...draws)).toBeLessThanOrEqual(1000);
    expect(binomial(12, 0, rng)).toBe(0);
    expect(binomial(12, 1, rng)).toBe(12);
  });

  it('should thin every service and call by the window share and keep callers and callees in agreement', () => {
    // Arrange
    const graph = window();
    // Act
    const { graph: out, share } = sampleWindow(graph, mulberry32(11));
    const g = out as Sampled;
    // Assert: about 24 % kept, and the call into each service reads exactly what that service recorded.
    expect(share).toBeCloseTo(0.24, 2);
    const api = summary(g, 1);
    const db = summary(g, 2);
    expect(api?.TotalCount).toBeGreaterThan(600);
    expect(api?.TotalCount).toBeLessThan(840);
    for (const [from, to] of [
      [0, 1],
      [1, 2],
    ] as const) {
      const edge = call(g, from);
      const node = summary(g, to);
      // The same draw: counts may differ by one from rounding, failure rates and means not at all.
      expect(Math.abs((edge?.TotalCount ?? 0) - (node?.TotalCount ?? 0))).toBeLessThanOrEqual(1);
      expect(
        Math.abs((edge?.FaultStatistics.TotalCount ?? 0) - (node?.FaultStatistics.TotalCount ?? 0)),
      ).toBeLessThanOrEqual(1);
      // Each call took as long as its callee recorded before sampling, and still does.
      expect((edge?.TotalResponseTime ?? 0) / (edge?.TotalCount ?? 1)).toBeCloseTo(
        (node?.TotalResponseTime ?? 0) / (node?.TotalCount ?? 1),
        6,
      );
    }
    // db's failure rate stays about 10 %: a sample thins the failures with the rest.
    expect((db?.FaultStatistics.TotalCount ?? 0) / (db?.TotalCount ?? 1)).toBeGreaterThan(0.06);
    expect((db?.FaultStatistics.TotalCount ?? 0) / (db?.TotalCount ?? 1)).toBeLessThan(0.14);
    // The input is left as it was.
    expect(summary(graph, 1)?.TotalCount).toBe(3000);
  });

  it('should give the same sample of a case on every run, and another one on another draw', () => {
    const c = {
      dataset: 'unit',
      caseId: 'unit-1',
      snapshot: { incident: window(600), baseline: window(0) },
      label: { groundTruth: { rootCauseServices: ['db'], faultType: 'error' }, meta: {} },
    };
    const first = JSON.stringify(sampledCase(c, 1).snapshot);
    expect(JSON.stringify(sampledCase(c, 1).snapshot)).toBe(first);
    expect(JSON.stringify(sampledCase(c, 2).snapshot)).not.toBe(first);
  });
});
