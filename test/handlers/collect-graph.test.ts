import { describe, expect, it } from 'vitest';
import { collectGraph } from '../../lambdas/handlers/collect-graph.ts';
import type { AnalysisRequest } from '../../lambdas/handlers/contracts.ts';
import { InputValidationError } from '../../lambdas/handlers/errors.ts';
import { asDocument, FakeGraphSource, MemorySnapshotStore, SHOP } from './fakes.ts';

const REQUEST: AnalysisRequest = {
  analysisId: 'alarm-0123456789abcdef0123456789abcdef',
  service: 'frontend',
  trigger: { source: 'alarm', service: 'frontend', alarmName: 'cascade-analyzer-frontend-fault-rate' },
  window: { start: '2026-11-20T03:00:00.000Z', end: '2026-11-20T03:15:00.000Z' },
  baseline: { start: '2026-11-20T02:00:00.000Z', end: '2026-11-20T03:00:00.000Z' },
  groupName: 'ca-frontend',
};

describe('Handler: collect-graph', () => {
  it('should read both windows from the request group and store one snapshot by key', async () => {
    // Prepare
    const graphSource = new FakeGraphSource(
      asDocument(SHOP.incident),
      asDocument(SHOP.baseline),
      REQUEST.window.end,
    );
    const snapshotStore = new MemorySnapshotStore();

    // Act
    const collected = await collectGraph(REQUEST, { graphSource, snapshotStore });

    // Assess
    expect(
      graphSource.calls.map((c) => [c.range.start.toISOString(), c.range.end.toISOString(), c.groupName]),
    ).toEqual([
      ['2026-11-20T03:00:00.000Z', '2026-11-20T03:15:00.000Z', 'ca-frontend'],
      ['2026-11-20T02:00:00.000Z', '2026-11-20T03:00:00.000Z', 'ca-frontend'],
    ]);
    expect(collected).toEqual({
      ...REQUEST,
      snapshotKey: `snapshots/${REQUEST.analysisId}.json`,
      serviceCount: 9,
    });
    const stored = JSON.parse(snapshotStore.docs.get(collected.snapshotKey) ?? 'null');
    expect(stored.incident.Services).toHaveLength(SHOP.incident.Services.length);
    expect(stored.baseline.Services).toHaveLength(SHOP.baseline.Services.length);
  });

  it('should reject a request without a window, naming the field', async () => {
    // Prepare
    const { window: _w, ...bad } = REQUEST;
    const graphSource = new FakeGraphSource(
      asDocument(SHOP.incident),
      asDocument(SHOP.baseline),
      REQUEST.window.end,
    );

    // Act & Assess
    await expect(
      collectGraph(bad, { graphSource, snapshotStore: new MemorySnapshotStore() }),
    ).rejects.toMatchObject({
      constructor: InputValidationError,
      field: 'window',
    });
    expect(graphSource.calls).toHaveLength(0);
  });
});
