// The steps chained as the state machine chains them, each output the next input, with in-memory
// fakes of AWS: the shop example from alarm event to notification.

import { describe, expect, it } from 'vitest';
import { analyzeIncident } from '../../lambdas/handlers/analyze.ts';
import { collectGraph } from '../../lambdas/handlers/collect-graph.ts';
import type { WatchedService } from '../../lambdas/handlers/contracts.ts';
import { enrich } from '../../lambdas/handlers/enrich.ts';
import { notifyFinding } from '../../lambdas/handlers/notify.ts';
import { prepare } from '../../lambdas/handlers/prepare.ts';
import { storeFinding } from '../../lambdas/handlers/store.ts';
import {
  alarmEvent,
  asDocument,
  FakeGraphSource,
  FakeMetricsSource,
  MemoryFindingsRepository,
  MemorySnapshotStore,
  RecordingNotifier,
  SHOP,
} from './fakes.ts';

const WATCHED: WatchedService[] = [
  { name: 'frontend', groupName: 'ca-frontend', alarmNames: ['cascade-analyzer-frontend-fault-rate'] },
];

function world() {
  const snapshotStore = new MemorySnapshotStore();
  const repository = new MemoryFindingsRepository();
  const notifier = new RecordingNotifier();
  const graphSource = new FakeGraphSource(
    asDocument(SHOP.incident),
    asDocument(SHOP.baseline),
    '2026-11-20T03:15:00.000Z',
  );
  const run = async (event: unknown) => {
    const request = prepare(event, {
      watched: WATCHED,
      lookbackMinutes: 15,
      baselineMinutes: 60,
      alarmPrefix: 'cascade-analyzer',
      now: () => new Date('2026-11-20T04:00:00Z'),
    });
    const collected = await collectGraph(request, { graphSource, snapshotStore });
    const enriched = await enrich(collected, { metricsSource: new FakeMetricsSource(), watched: WATCHED });
    const analyzed = await analyzeIncident(enriched, { snapshotStore, watched: WATCHED });
    const stored = await storeFinding(analyzed, { snapshotStore, repository });
    const notified = await notifyFinding(stored, { snapshotStore, notifier, repository });
    return { request, stored, notified };
  };
  return { repository, notifier, run };
}

describe('Workflow: prepare → collect-graph → enrich → analyze → store → notify', () => {
  it('should find api.payments.example.com behind the shop incident, store it and notify once', async () => {
    // Prepare
    const { repository, notifier, run } = world();

    // Act
    const { request, notified } = await run(alarmEvent());

    // Assess
    const finding = repository.findings.get(request.analysisId);
    expect(finding?.status).toBe('COMPLETED');
    expect(finding?.rootCauses[0]?.service).toBe('api.payments.example.com');
    expect(finding?.trigger).toEqual({
      source: 'alarm',
      service: 'frontend',
      alarmName: 'cascade-analyzer-frontend-fault-rate',
    });
    expect(notifier.published).toHaveLength(1);
    expect(notifier.published[0]?.finding.rootCauses[0]?.service).toBe('api.payments.example.com');
    expect(notified.messageId).toBe('msg-1');
  });

  it('should store one finding and send one message when the same alarm event arrives twice', async () => {
    // Prepare
    const { repository, notifier, run } = world();
    const event = alarmEvent();

    // Act
    const first = await run(event);
    const second = await run({ ...structuredClone(event), id: 'redelivered' });

    // Assess
    expect(second.request.analysisId).toBe(first.request.analysisId);
    expect(second.stored.stored).toBe('exists');
    expect(second.notified.messageId).toBeNull();
    expect(repository.findings.size).toBe(1);
    expect(notifier.published).toHaveLength(1);
  });
});
