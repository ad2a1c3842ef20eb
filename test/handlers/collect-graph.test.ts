import { describe, expect, it } from 'vitest';
import type { GraphSource, ServiceGraphDocument, TimeRange } from '../../lambdas/adapters/ports.ts';
import { analyze } from '../../lambdas/core/analyze.ts';
import { parseSnapshot } from '../../lambdas/core/parse.ts';
import { collectGraph } from '../../lambdas/handlers/collect-graph.ts';
import type { AnalysisRequest } from '../../lambdas/handlers/contracts.ts';
import { InputValidationError } from '../../lambdas/handlers/errors.ts';
import { edge, node, type Part, snapshot } from '../unit/graph-kit.ts';
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

  describe('a baseline that caught an outage', () => {
    /** web → db, 400 requests; db's mean latency and 5xx as given (web fails as db does). */
    const world = (mean: number, faults: number): Part[] => [
      node('web', { n: 400, faults, mean: 0.01 + mean }),
      edge('web', 'db', { n: 400, faults, mean }),
      node('db', { n: 400, faults, mean }),
    ];
    const doc = (parts: Part[]): ServiceGraphDocument => {
      const g = snapshot(parts).incident;
      return { ...g, StartTime: String(g.StartTime), EndTime: String(g.EndTime) };
    };
    const DAY_EARLIER = ['2026-11-19T02:00:00.000Z', '2026-11-19T03:00:00.000Z'];

    /** Answers by window: the incident, the hour before, the same hour a day earlier. */
    class ByWindow implements GraphSource {
      readonly calls: string[][] = [];
      constructor(private readonly docs: Record<string, ServiceGraphDocument | Error>) {}
      async getServiceGraph(range: TimeRange): Promise<ServiceGraphDocument> {
        const key = [range.start.toISOString(), range.end.toISOString()];
        this.calls.push(key);
        const answer = this.docs[key[0] as string];
        if (answer === undefined) throw new Error(`no graph for ${key[0]}`);
        if (answer instanceof Error) throw answer;
        return answer;
      }
    }
    const source = (earlier: ServiceGraphDocument | Error) =>
      new ByWindow({
        [REQUEST.window.start]: doc(world(0.2, 0)),
        [REQUEST.baseline.start]: doc(world(0.02, 380)),
        [DAY_EARLIER[0] as string]: earlier,
      });

    it('should compare with the same hours a day earlier when they heal it, and say so in the finding', async () => {
      // Prepare: db answers in 200 ms now; the hour before it failed 380 of 400; a day earlier it answered in 20 ms
      const graphSource = source(doc(world(0.02, 0)));
      const snapshotStore = new MemorySnapshotStore();

      // Act
      const collected = await collectGraph(REQUEST, { graphSource, snapshotStore });
      const stored = JSON.parse(snapshotStore.docs.get(collected.snapshotKey) ?? 'null');
      const finding = analyze(parseSnapshot(stored));

      // Assess
      expect(graphSource.calls).toContainEqual(DAY_EARLIER);
      expect(stored.baseline).toEqual(doc(world(0.02, 0)));
      expect(stored.baselineNote).toBe(
        'The baseline is the same hours a day earlier (2026-11-19 02:00 to 03:00 UTC): in the window right before the incident, 2 services (db, web) failed at least half of their requests — an outage, not their normal.',
      );
      expect(finding.rootCauses[0]?.service).toBe('db');
      expect(finding.dataQuality?.baselineNote).toBe(stored.baselineNote);
      expect(finding.dataQuality?.warning).toContain('the same hours a day earlier');
    });

    it('should keep the hour before when the day earlier was an outage too', async () => {
      // Prepare
      const graphSource = source(doc(world(0.02, 390)));
      const snapshotStore = new MemorySnapshotStore();

      // Act
      const collected = await collectGraph(REQUEST, { graphSource, snapshotStore });

      // Assess
      const stored = JSON.parse(snapshotStore.docs.get(collected.snapshotKey) ?? 'null');
      expect(graphSource.calls).toContainEqual(DAY_EARLIER);
      expect(stored.baseline).toEqual(doc(world(0.02, 380)));
      expect(stored.baselineNote).toBeUndefined();
    });

    it('should keep the hour before when the day earlier cannot be read', async () => {
      // Prepare
      const graphSource = source(new Error('ThrottledException'));
      const snapshotStore = new MemorySnapshotStore();

      // Act
      const collected = await collectGraph(REQUEST, { graphSource, snapshotStore });

      // Assess
      const stored = JSON.parse(snapshotStore.docs.get(collected.snapshotKey) ?? 'null');
      expect(stored.baseline).toEqual(doc(world(0.02, 380)));
      expect(stored.baselineNote).toBeUndefined();
    });

    it('should read no third window when the hour before had no outage', async () => {
      // Prepare
      const graphSource = new ByWindow({
        [REQUEST.window.start]: doc(world(0.2, 0)),
        [REQUEST.baseline.start]: doc(world(0.02, 100)),
      });

      // Act
      await collectGraph(REQUEST, { graphSource, snapshotStore: new MemorySnapshotStore() });

      // Assess: 100 of 400 failed: a bad hour, not an outage
      expect(graphSource.calls).toHaveLength(2);
    });
  });
});
