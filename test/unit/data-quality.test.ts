// Issue 10 item 7: edges that point at ids missing from the graph are reported in the finding as a
// data-quality warning, and the confidence of every root cause is lowered by the share missing.

import { describe, expect, it } from 'vitest';
import { analyze } from '../../lambdas/core/analyze.ts';
import { parseSnapshot } from '../../lambdas/core/parse.ts';
import { edge, node, type Part, snapshot, statistics } from './graph-kit.ts';

/** api → orders → db, db failing; the same in the baseline but healthy. */
const incident: Part[] = [
  node('api', { n: 1000, faults: 200, mean: 0.05 }),
  node('orders', { n: 1000, faults: 200, mean: 0.03 }),
  node('db', { n: 1000, faults: 200, mean: 0.01 }),
  edge('api', 'orders', { n: 1000, faults: 200, mean: 0.03 }),
  edge('orders', 'db', { n: 1000, faults: 200, mean: 0.01 }),
];
const baseline: Part[] = [
  node('api', { n: 1000, mean: 0.05 }),
  node('orders', { n: 1000, mean: 0.03 }),
  node('db', { n: 1000, mean: 0.01 }),
  edge('api', 'orders', { n: 1000, mean: 0.03 }),
  edge('orders', 'db', { n: 1000, mean: 0.01 }),
];

describe('Engine: data quality', () => {
  it('should report edges to missing services and lower the confidence, and say nothing for a complete graph', () => {
    // Prepare
    const complete = snapshot(incident, baseline);
    const broken = snapshot(incident, baseline);
    const api = broken.incident.Services.find((s) => s.Name === 'api');
    if (!api) throw new Error('kit lost api');
    api.Edges.push({ ReferenceId: 99, SummaryStatistics: statistics({ n: 5 }), ResponseTimeHistogram: [] });

    // Act
    const whole = analyze(parseSnapshot(complete), { analysisId: 'a' });
    const partial = analyze(parseSnapshot(broken), { analysisId: 'a' });

    // Assess
    expect(whole.dataQuality).toBeUndefined();
    expect(partial.dataQuality).toMatchObject({ danglingEdges: 1 });
    expect(partial.dataQuality?.warning).toMatch(/1 edge\(s\) point at services missing/);
    const top = whole.rootCauses[0];
    const lowered = partial.rootCauses[0];
    expect(lowered?.service).toBe(top?.service);
    expect(lowered?.confidence).toBeLessThan(top?.confidence ?? 0);
  });
});
