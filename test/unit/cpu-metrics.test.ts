import { describe, expect, it } from 'vitest';
import { analyze } from '../../lambdas/core/analyze.ts';
import { parseSnapshot } from '../../lambdas/core/parse.ts';
import { edge, node, type Part, snapshot } from './graph-kit.ts';

const slowCallee = (slowMean: number): Part[] => [
  node('api', { n: 1000, mean: 0.03 + slowMean }),
  node('db', { n: 1000, mean: slowMean }),
  edge('api', 'db', { n: 1000, mean: slowMean }),
];

describe('Function: analyze (CloudWatch figures)', () => {
  const run = (cpu: number | undefined) =>
    analyze(parseSnapshot(snapshot(slowCallee(0.4), slowCallee(0.02))), {
      ...(cpu !== undefined ? { metrics: { db: { cpuPercent: cpu } } } : {}),
    });

  it('should recommend scaling out a hot origin and report its CPU', () => {
    // Act
    const f = run(93);
    // Assess
    const bulkhead = f.recommendations.find((r) => r.action === 'bulkhead');
    expect(bulkhead?.service).toBe('db');
    expect(bulkhead?.text).toContain('93 % CPU');
    const db = f.services.find((s) => s.service === 'db');
    expect(db?.cpuPercent).toBe(93);
    expect(db?.unhealthy).toBe(true);
  });

  it('should not call a service hot under the CPU threshold or without figures', () => {
    for (const cpu of [40, undefined]) {
      const f = run(cpu);
      expect(f.recommendations.some((r) => r.action === 'bulkhead')).toBe(false);
    }
  });

  it('should honour a configured CPU threshold', () => {
    const f = analyze(parseSnapshot(snapshot(slowCallee(0.4), slowCallee(0.02))), {
      metrics: { db: { cpuPercent: 60 } },
      config: { cpuPercent: 50 },
    });
    expect(f.recommendations.some((r) => r.action === 'bulkhead')).toBe(true);
  });
});
