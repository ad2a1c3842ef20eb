import { describe, expect, it } from 'vitest';
import { analyze } from '../../lambdas/core/analyze.ts';
import { parseSnapshot } from '../../lambdas/core/parse.ts';
import { findScenario } from '../../lambdas/local/scenarios.ts';
import { simulatedScenarios } from '../../lambdas/local/simulated-scenarios.ts';

describe('Provider: simulatedScenarios', () => {
  it('should offer every simulated topology but the shop (the example file serves it)', () => {
    const names = simulatedScenarios.names();
    expect(names).toEqual(
      expect.arrayContaining(['online-boutique', 'sock-shop', 'train-ticket', 'generated-1000']),
    );
    expect(names).not.toContain('shop');
  });

  for (const name of ['online-boutique', 'train-ticket']) {
    it(`should build a ${name} incident whose alarmed service reaches the planted root cause`, async () => {
      // Act
      const s = await findScenario(simulatedScenarios, name);
      const finding = analyze(parseSnapshot(s.snapshot), { service: s.alarmedService });
      // Assess
      expect(s.expectedRootCause).toBeDefined();
      expect(finding.rootCauses[0]?.service).toBe(s.expectedRootCause);
    });
  }

  it('should not know other names', async () => {
    expect(await simulatedScenarios.scenario('nope')).toBeUndefined();
  });
});
