// A service that refuses every connection writes no segments: X-Ray lists it without statistics,
// and only its callers' edges show the failures. The engine must still name it.

import { describe, expect, it } from 'vitest';
import { analyze } from '../../lambdas/core/analyze.ts';
import { parseSnapshot } from '../../lambdas/core/parse.ts';

const stats = (n: number, faults: number, mean: number) => ({
  OkCount: n - faults,
  ErrorStatistics: { ThrottleCount: 0, OtherCount: 0, TotalCount: 0 },
  FaultStatistics: { OtherCount: 0, TotalCount: faults },
  TotalCount: n,
  TotalResponseTime: n * mean,
  ResponseTimeHistogram: [
    { Value: mean / 2, Count: Math.floor(n / 2) },
    { Value: mean * 1.5, Count: n - Math.floor(n / 2) },
  ],
});

function window(down: boolean) {
  const apiFaults = down ? 300 : 1;
  return {
    Services: [
      {
        ReferenceId: 0,
        Name: 'api',
        Type: 'client',
        Edges: [{ ReferenceId: 1, SummaryStatistics: stats(1000, apiFaults, 0.05) }],
      },
      {
        ReferenceId: 1,
        Name: 'api',
        Type: 'AWS::ECS::Container',
        Root: true,
        SummaryStatistics: stats(1000, apiFaults, 0.05),
        Edges: [
          { ReferenceId: 2, SummaryStatistics: stats(300, down ? 300 : 0, down ? 0.002 : 0.03) },
          { ReferenceId: 3, SummaryStatistics: stats(1000, 1, 0.01) },
        ],
      },
      // Down: no statistics at all, as X-Ray shows a service that recorded no segment.
      down
        ? { ReferenceId: 2, Name: 'payments', Type: 'AWS::ECS::Container', Edges: [] }
        : {
            ReferenceId: 2,
            Name: 'payments',
            Type: 'AWS::ECS::Container',
            SummaryStatistics: stats(300, 0, 0.03),
            Edges: [],
          },
      {
        ReferenceId: 3,
        Name: 'users',
        Type: 'AWS::ECS::Container',
        SummaryStatistics: stats(1000, 1, 0.01),
        Edges: [],
      },
    ],
  };
}

describe('Function: analyze (a service that is down)', () => {
  it('should see a service without statistics through its callers and name it the root cause', () => {
    // Act
    const finding = analyze(parseSnapshot({ incident: window(true), baseline: window(false) }));
    // Assess
    expect(finding.rootCauses[0]?.service).toBe('payments');
    expect(finding.services.find((s) => s.service === 'payments')?.faultRate).toBe(1);
    expect(finding.services.find((s) => s.service === 'api')?.role).toBe('propagator');
  });

  it('should leave a node without statistics and without callers out', () => {
    const snapshot = parseSnapshot({
      Services: [{ ReferenceId: 0, Name: 'idle', Type: 'AWS::ECS::Container' }],
    });
    expect(snapshot.incident.nodes[0]?.stats).toBeUndefined();
    expect(analyze(snapshot).status).toBe('NO_DATA');
  });
});
