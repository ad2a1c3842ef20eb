// A baseline caught in an outage (issue 17 §4, confidence that travels): when the answer failed
// most of its requests in the baseline window, what its figures do against that window says less
// (a recovery looks like a latency rise). The line and the data quality say so, the confidence
// comes down, and the ranking stays as it was.

import { describe, expect, it } from 'vitest';
import { analyze } from '../../lambdas/core/analyze.ts';
import { parseSnapshot } from '../../lambdas/core/parse.ts';
import { edge, node, type Part, snapshot } from './graph-kit.ts';

/** web → db: 400 requests, db's mean latency and 5xx as given (web fails as db does). */
const world = (latency: number, faults = 0): Part[] => [
  node('web', { n: 400, faults, mean: 0.02 + latency }),
  edge('web', 'db', { n: 400, faults, mean: latency }),
  node('db', { n: 400, faults, mean: latency }),
];

describe('Function: analyze (a baseline caught in an outage)', () => {
  it('should lower the confidence of a line whose service failed most of its baseline requests, not its rank', () => {
    // Prepare: db answers in 200 ms now; before, in 20 ms — once healthy, once failing 360 of 400
    const healthy = parseSnapshot(snapshot(world(0.2), world(0.02)));
    const outage = parseSnapshot(snapshot(world(0.2), world(0.02, 360)));

    // Act
    const a = analyze(healthy);
    const b = analyze(outage);

    // Assess: the same answer, at a bit over half the confidence (a failed share of 0.9 halves 0.45 of it)
    expect(a.rootCauses[0]?.service).toBe('db');
    expect(b.rootCauses[0]?.service).toBe('db');
    const ca = a.rootCauses[0]?.confidence ?? 0;
    const cb = b.rootCauses[0]?.confidence ?? 1;
    expect(cb).toBeLessThan(0.6 * ca);
    expect(cb).toBeGreaterThan(0.4 * ca);
    expect(b.rootCauses[0]?.evidence.map((e) => e.text)).toContain(
      'db failed 360 of its 400 requests in the baseline window: the comparison starts from an outage, not from its normal, so this line is less certain',
    );
    expect(a.dataQuality).toBeUndefined();
    expect(b.dataQuality?.baselineOutage).toEqual({ service: 'db', failed: 360, requests: 400 });
    expect(b.dataQuality?.warning).toMatch(/the baseline was an outage, not its normal/);
  });

  it('should leave a line alone when under half of its baseline requests failed', () => {
    // Prepare: 120 of 400 failed in the baseline (30 %): a bad window, not an outage
    const bad = parseSnapshot(snapshot(world(0.2), world(0.02, 120)));
    const healthy = parseSnapshot(snapshot(world(0.2), world(0.02)));

    // Act
    const b = analyze(bad).rootCauses[0];
    const a = analyze(healthy).rootCauses[0];

    // Assess
    expect(b?.service).toBe('db');
    expect(b?.evidence.some((e) => /in the baseline window/.test(e.text))).toBe(false);
    expect(b?.confidence).toBeGreaterThan(0.6 * (a?.confidence ?? 0));
  });
});
