import { describe, expect, it } from 'vitest';
import { GraphInputError } from '../../lambdas/core/errors.ts';
import type { Finding } from '../../lambdas/core/model.ts';
import { analyzeIncident } from '../../lambdas/handlers/analyze.ts';
import type { Enriched, WatchedService } from '../../lambdas/handlers/contracts.ts';
import { asDocument, EMPTY_GRAPH, MemorySnapshotStore, SHOP } from './fakes.ts';

function enriched(service: string, analysisId = 'alarm-1'): Enriched {
  return {
    analysisId,
    service,
    trigger: { source: 'alarm', service, alarmName: `cascade-analyzer-${service}-fault-rate` },
    window: { start: '2026-11-20T03:00:00.000Z', end: '2026-11-20T03:15:00.000Z' },
    baseline: { start: '2026-11-20T02:00:00.000Z', end: '2026-11-20T03:00:00.000Z' },
    snapshotKey: `snapshots/${analysisId}.json`,
    serviceCount: 9,
    metrics: {},
  };
}

async function run(input: Enriched, snapshot: unknown, watched: WatchedService[] = []) {
  const snapshotStore = new MemorySnapshotStore();
  await snapshotStore.put(
    input.snapshotKey,
    typeof snapshot === 'string' ? snapshot : JSON.stringify(snapshot),
  );
  const analyzed = await analyzeIncident(input, { snapshotStore, watched });
  const finding = JSON.parse(snapshotStore.docs.get(analyzed.findingKey) ?? 'null') as Finding;
  return { analyzed, finding };
}

const SHOP_SNAPSHOT = { incident: asDocument(SHOP.incident), baseline: asDocument(SHOP.baseline) };

describe('Handler: analyze', () => {
  it('should store the finding by key and pass on its key facts', async () => {
    // Act
    const { analyzed, finding } = await run(enriched('frontend'), SHOP_SNAPSHOT);

    // Assess
    expect(analyzed).toEqual({
      analysisId: 'alarm-1',
      service: 'frontend',
      findingKey: 'findings/alarm-1.json',
      status: 'COMPLETED',
      rootCause: 'api.payments.example.com',
    });
    expect(finding.analysisId).toBe('alarm-1');
    expect(finding.trigger).toEqual({
      source: 'alarm',
      service: 'frontend',
      alarmName: 'cascade-analyzer-frontend-fault-rate',
    });
  });

  it('should give a NO_DATA finding for an empty graph', async () => {
    // Act
    const { analyzed, finding } = await run(enriched('frontend'), {
      incident: EMPTY_GRAPH,
      baseline: EMPTY_GRAPH,
    });

    // Assess
    expect(analyzed.status).toBe('NO_DATA');
    expect(analyzed.rootCause).toBeNull();
    expect(finding.status).toBe('NO_DATA');
    expect(finding.rootCauses).toEqual([]);
  });

  it('should analyze nothing, and say so, when the service is not in the graph', async () => {
    // Act
    const { analyzed, finding } = await run(enriched('checkout-service'), SHOP_SNAPSHOT);

    // Assess: no whole-graph finding — no other service, root cause or path is in it.
    expect(analyzed.status).toBe('NO_DATA');
    expect(analyzed.rootCause).toBeNull();
    expect(finding.summary).toMatch(
      /^Service "checkout-service" does not appear in the X-Ray graph.*nothing was analyzed/,
    );
    expect(finding.trigger.service).toBe('checkout-service');
    expect(finding.rootCauses).toEqual([]);
    expect(finding.services).toEqual([]);
    expect(finding.summary).not.toContain('frontend');
  });

  it("should apply the watched service's thresholds", async () => {
    // Prepare: frontend fails 5.8 % of its requests with a p99 of 2.2 s; the defaults (5 %, 1 s)
    // call that unhealthy on both counts.
    const slowOnly: WatchedService[] = [{ name: 'frontend', p99Seconds: 5 }];
    const lenient: WatchedService[] = [{ name: 'frontend', faultRate: 0.5, p99Seconds: 5 }];

    // Act
    const defaults = await run(enriched('frontend'), SHOP_SNAPSHOT);
    const latencyRelaxed = await run(enriched('frontend'), SHOP_SNAPSHOT, slowOnly);
    const bothRelaxed = await run(enriched('frontend'), SHOP_SNAPSHOT, lenient);

    // Assess
    const frontend = (f: Finding) => f.services.find((s) => s.service === 'frontend');
    expect(frontend(defaults.finding)?.unhealthy).toBe(true);
    expect(frontend(latencyRelaxed.finding)?.unhealthy).toBe(true);
    expect(frontend(bothRelaxed.finding)?.unhealthy).toBe(false);
  });

  it('should fail with a typed error when the stored snapshot is not JSON', async () => {
    // Act & Assess
    await expect(run(enriched('frontend'), '{"incident": ')).rejects.toBeInstanceOf(GraphInputError);
  });
});
