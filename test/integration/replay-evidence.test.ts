// Every scenario the demo knows has evidence to replay: the shop its recording, the simulator's
// topologies their simulated trace summaries, any other graph summaries derived from it; each moved
// to the window asked for, through the local X-Ray and CloudTrail endpoints and the real adapters.

import { describe, expect, it } from 'vitest';
import { CloudTrailChangeSource, createCloudTrailClient } from '../../lambdas/adapters/change-source.ts';
import { XRayTraceSource } from '../../lambdas/adapters/trace-source.ts';
import { createXRayClient } from '../../lambdas/adapters/xray-client.ts';
import { parseLookupEvents } from '../../lambdas/core/evidence/change-events.ts';
import { parseTraceSummaries, voteByService } from '../../lambdas/core/evidence/trace-summaries.ts';
import { scenarioEvidence } from '../../lambdas/local/replay-evidence.ts';
import {
  exampleScenarios,
  findScenario,
  SHOP_EXAMPLE,
  scenarioFromGraphFile,
} from '../../lambdas/local/scenarios.ts';
import { simulatedScenarios } from '../../lambdas/local/simulated-scenarios.ts';
import { clientOptions, startLocalCloudTrail, startLocalXRay } from '../support/local-servers.ts';

const END = new Date('2027-01-05T10:15:00.000Z');
const WINDOW = { start: new Date(END.getTime() - 15 * 60_000), end: END };

async function replayed(scenario: Parameters<typeof scenarioEvidence>[0]) {
  const answers = scenarioEvidence(scenario);
  const xray = await startLocalXRay({
    pages: [{ Services: [] }],
    traceSummaries: answers.traceSummaries,
    traces: answers.traces,
  });
  const trail = await startLocalCloudTrail({ events: answers.changes });
  try {
    const traces = await new XRayTraceSource({
      client: createXRayClient(clientOptions(xray.endpoint)),
    }).getTraceSummaries({ range: WINDOW, service: 'any', slowerThanSeconds: 1 });
    const changes = await new CloudTrailChangeSource({
      client: createCloudTrailClient(clientOptions(trail.endpoint)),
      minCallIntervalMs: 0,
      clock: () => END.getTime(),
    }).lookupChanges({ start: new Date(WINDOW.start.getTime() - 3_600_000), end: END });
    return { traces: parseTraceSummaries(traces), changes: parseLookupEvents(changes) };
  } finally {
    await xray.stop();
    await trail.stop();
  }
}

describe('Function: scenarioEvidence', () => {
  it("should replay the shop's recording moved to the window: X-Ray blames the payment API, payment-service changed 4 min before", async () => {
    // Act
    const { traces, changes } = await replayed(await findScenario(exampleScenarios, 'shop'));
    // Assess
    expect(traces.summaries).toHaveLength(40);
    expect(voteByService(traces.summaries).services[0]?.service).toBe('api.payments.example.com');
    for (const s of traces.summaries) {
      expect(s.start).toBeGreaterThanOrEqual(WINDOW.start.getTime());
      expect(s.start).toBeLessThanOrEqual(WINDOW.end.getTime());
    }
    expect(changes.events[0]?.at).toBe(WINDOW.start.getTime() - 4 * 60_000);
    expect(changes.events.map((e) => e.what)).toEqual(['ECS service update', 'SSM parameter write']);
  });

  it.each(['online-boutique', 'sock-shop'])(
    'should replay the simulated traces of %s, blaming the back end the scenario fails',
    async (name) => {
      // Prepare
      const scenario = await findScenario(simulatedScenarios, name);
      // Act
      const { traces, changes } = await replayed(scenario);
      // Assess
      expect(traces.summaries.length).toBeGreaterThan(20);
      expect(voteByService(traces.summaries).services[0]?.service).toBe(scenario.expectedRootCause);
      expect(changes.events).toEqual([]);
    },
  );

  it('should derive trace summaries from a graph that has no recording, blaming its deepest faulty service', async () => {
    // Prepare: the shop graph as a user's file, without its recorded evidence.
    const scenario = await scenarioFromGraphFile(SHOP_EXAMPLE);
    // Act
    const { traces } = await replayed(scenario);
    // Assess
    expect(scenario.evidence).toBeUndefined();
    expect(traces.summaries.length).toBeGreaterThan(0);
    expect(voteByService(traces.summaries).services[0]?.service).toBe('api.payments.example.com');
  });
});
