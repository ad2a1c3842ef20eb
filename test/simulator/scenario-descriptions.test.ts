// A simulated demo scenario says which rate it injected, so that the finding's observed rate
// does not read as a contradiction (issue 19: "fails 20 % of calls", then "0.8 %").

import { describe, expect, it } from 'vitest';
import { analyze } from '../../lambdas/core/analyze.ts';
import { parseSnapshot } from '../../lambdas/core/parse.ts';
import { INJECTED_ERROR, simulatedScenarios } from '../../lambdas/local/simulated-scenarios.ts';

describe('Scenarios: simulated demo incidents', () => {
  it('should call the fault injected and leave the observed rate to the finding', async () => {
    // Prepare
    const scenario = await simulatedScenarios.scenario('online-boutique');
    expect(scenario).toBeDefined();
    if (!scenario) return;
    const target = scenario.expectedRootCause as string;
    // Act
    const finding = analyze(parseSnapshot(scenario.snapshot), {
      analysisId: 'online-boutique',
      service: scenario.alarmedService,
    });
    // Assess
    expect(scenario.description).toContain(
      `injected into ${target}: 5xx on ${INJECTED_ERROR * 100} % of its own answers`,
    );
    expect(scenario.description).toContain('the finding shows the rates X-Ray observed');
    expect(scenario.description).not.toMatch(/fails \d+ % of calls/);
    const observed = finding.rootCauses[0]?.evidence.find((e) => e.text.startsWith('failure rate'));
    expect(observed?.text).toMatch(/^failure rate \d+\.\d %/);
  });
});
