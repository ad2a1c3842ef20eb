// Confidence that travels (issue 17 §4): the same rise read off a handful of requests is a lead,
// off hundreds it is evidence; the windows' sizes cap the confidence.

import { describe, expect, it } from 'vitest';
import { analyze } from '../../lambdas/core/analyze.ts';
import { parseSnapshot } from '../../lambdas/core/parse.ts';
import { effectiveRequests, supportOf } from '../../lambdas/core/rank.ts';
import { edge, node, type Part, snapshot } from './graph-kit.ts';

describe('Function: supportOf', () => {
  it('should rise with both windows and be held down by the smaller one', () => {
    // Act and Assess
    const support = (n1: number, n0: number) => supportOf(effectiveRequests(n1, n0), 8);
    expect(support(11, 7)).toBeLessThan(0.5);
    expect(support(60, 1000)).toBeGreaterThan(0.99);
    expect(support(1000, 3)).toBeLessThan(support(60, 60));
    expect(support(0, 0)).toBe(0);
  });
});

/** web → db, n requests in the window, db's mean latency as given. */
const world = (n: number, latency: number): Part[] => [
  node('web', { n, mean: 0.02 + latency }),
  edge('web', 'db', { n, mean: latency }),
  node('db', { n, mean: latency }),
];

describe('Function: analyze (confidence and sample size)', () => {
  it('should give the same answer a lower confidence when it rests on a handful of requests', () => {
    // Prepare: db's latency ten times its baseline, over 1,000 requests or over 12
    const big = parseSnapshot(snapshot(world(1000, 0.5), world(1000, 0.05)));
    const small = parseSnapshot(snapshot(world(12, 0.5), world(8, 0.05)));

    // Act
    const a = analyze(big).rootCauses[0];
    const b = analyze(small).rootCauses[0];

    // Assess
    expect(a?.service).toBe('db');
    expect(b?.service).toBe('db');
    expect(a?.confidence).toBeGreaterThan(0.9);
    expect(b?.confidence).toBeLessThan(0.6);
  });

  it('should say in the data quality when the first root cause rests on too few requests', () => {
    // Prepare
    const big = parseSnapshot(snapshot(world(1000, 0.5), world(1000, 0.05)));
    const small = parseSnapshot(snapshot(world(9, 0.5), world(5, 0.05)));

    // Act
    const a = analyze(big);
    const b = analyze(small);

    // Assess
    expect(a.dataQuality).toBeUndefined();
    expect(b.dataQuality?.effectiveRequests).toBeCloseTo(3.2, 1);
    expect(b.dataQuality?.warning).toMatch(/too few to localise it reliably/);
  });
});

describe('Function: analyze (a line no anomaly backs)', () => {
  it('should name it with its numbers and no more than even odds when it stands alone', () => {
    // Prepare: db 10 → 13 ms over 1,000 requests (significant, under the 1.5× that makes an
    // anomaly), and the same over 30 requests (a rise chance could explain); nothing else moves
    const small = parseSnapshot(snapshot(world(1000, 0.013), world(1000, 0.01)));
    const chance = parseSnapshot(snapshot(world(30, 0.013), world(30, 0.01)));

    // Act
    const a = analyze(small).rootCauses;
    const b = analyze(chance).rootCauses;

    // Assess: the one rival left is that nothing is wrong (00483c8: 0.8 and more, with no evidence)
    expect(a.map((r) => r.service)).toEqual(['db']);
    expect(a[0]?.evidence[0]?.text).toMatch(
      /^mean latency 13 ms against 10 ms in the baseline: a rise too small to count as an anomaly$/,
    );
    expect(a[0]?.confidence).toBeLessThanOrEqual(0.5);
    for (const r of b) expect(r.confidence).toBeLessThanOrEqual(0.5);
    expect(b[0]?.evidence.map((e) => e.text).join('\n')).toMatch(/chance alone could explain this rise/);
  });
});
