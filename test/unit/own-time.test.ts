// A service whose own time grows while its total barely moves (it mostly waits on a callee) is
// still an origin: the engine judges its own time against the baseline too.

import { describe, expect, it } from 'vitest';
import { analyze } from '../../lambdas/core/analyze.ts';
import { parseSnapshot } from '../../lambdas/core/parse.ts';
import { edge, node, type Part, snapshot } from './graph-kit.ts';

/** web → pay → card (external); pay spends `own` seconds itself plus 140 ms waiting for card. */
const shop = (own: number): Part[] => [
  node('web', { n: 2000, mean: 0.02 + 0.5 * (own + 0.14) }),
  node('pay', { n: 1000, mean: own + 0.14 }),
  node('card', { n: 1000, mean: 0.14, type: 'remote' }),
  edge('web', 'pay', { n: 1000, mean: own + 0.14 }),
  edge('pay', 'card', { n: 1000, mean: 0.14 }),
];

describe('Function: analyze (own time)', () => {
  it('should name a service whose own time tripled though its total rose only 1.2×', () => {
    // Act
    const finding = analyze(parseSnapshot(snapshot(shop(0.05), shop(0.018))));
    // Assess
    expect(finding.rootCauses[0]?.service).toBe('pay');
    expect(finding.services.find((s) => s.service === 'pay')?.signals).toContain('latency');
    expect(finding.services.find((s) => s.service === 'card')?.role).toBe('healthy');
  });

  it('should not flag an own time that moved within noise', () => {
    const finding = analyze(parseSnapshot(snapshot(shop(0.019), shop(0.018))));
    expect(finding.services.find((s) => s.service === 'pay')?.anomalous).toBe(false);
  });
});
