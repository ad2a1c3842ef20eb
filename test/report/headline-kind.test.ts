// The headline kind is the strongest evidence (issue 19 §3): a root cause headlined "latency" must
// not open its evidence with a failure rate, nor one headlined "server errors" with latency. On the
// demo scenarios, whose faults are both 5xx and slowness (carts, productcatalogservice).

import { describe, expect, it } from 'vitest';
import { analyze } from '../../lambdas/core/analyze.ts';
import type { Evidence, RootCause } from '../../lambdas/core/model.ts';
import { parseSnapshot } from '../../lambdas/core/parse.ts';
import { exampleScenarios } from '../../lambdas/local/scenarios.ts';
import { simulatedScenarios } from '../../lambdas/local/simulated-scenarios.ts';

/** The evidence signal a node-level kind stands for. */
const SIGNAL_OF_KIND: Readonly<Record<string, readonly Evidence['signal'][]>> = {
  faults: ['faults', 'throttles'],
  throttling: ['throttles', 'faults'],
  errors: ['errors'],
  latency: ['latency'],
};

async function rootCauses(name: string): Promise<RootCause[]> {
  const scenario = (await simulatedScenarios.scenario(name)) ?? (await exampleScenarios.scenario(name));
  if (!scenario) throw new Error(`no scenario ${name}`);
  const finding = analyze(parseSnapshot(scenario.snapshot), { service: scenario.alarmedService });
  return [...finding.rootCauses];
}

describe('Reports: the headline kind and the first evidence line agree', () => {
  for (const name of ['shop', 'online-boutique', 'sock-shop', 'train-ticket', 'social-network']) {
    it(`should open each root cause's evidence with its kind on ${name}`, async () => {
      // Act
      const causes = await rootCauses(name);
      // Assess
      const nodeLevel = causes.filter((r) => r.kind in SIGNAL_OF_KIND && r.via === undefined);
      expect(nodeLevel.length).toBeGreaterThan(0);
      for (const r of nodeLevel) {
        expect(SIGNAL_OF_KIND[r.kind], `${r.service}: ${r.kind} vs "${r.evidence[0]?.text}"`).toContain(
          r.evidence[0]?.signal,
        );
      }
    });
  }
});
