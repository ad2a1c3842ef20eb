// CollectEvidence: trace summaries of the alarmed service (faulty, then slower than its p99), one
// exemplar in full, CloudTrail changes from the lookback before the window, stored by key; a
// failing source is left out, never fatal. Analyze then reads the evidence into the finding.

import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import type {
  ChangeDocument,
  ChangeSource,
  TimeRange,
  TraceQuery,
  TraceSource,
  TraceSummaryDocument,
} from '../../lambdas/adapters/ports.ts';
import type { Finding } from '../../lambdas/core/model.ts';
import { analyzeIncident } from '../../lambdas/handlers/analyze.ts';
import { type CollectEvidenceDeps, collectEvidence } from '../../lambdas/handlers/collect-evidence.ts';
import { asDocument, COLLECTED, MemorySnapshotStore, SHOP } from './fakes.ts';

const ROOT = resolve(import.meta.dirname, '../..');
const example = (file: string) => JSON.parse(readFileSync(resolve(ROOT, 'examples', file), 'utf8'));

const collected = COLLECTED;

class FakeTraces implements TraceSource {
  readonly queries: TraceQuery[] = [];
  readonly fetched: string[][] = [];
  constructor(private readonly fail?: Error) {}
  async getTraceSummaries(query: TraceQuery): Promise<TraceSummaryDocument> {
    this.queries.push(query);
    if (this.fail) throw this.fail;
    return { ...example('shop-traces.json'), calls: 1, truncated: false };
  }
  async getTraces(ids: readonly string[]) {
    this.fetched.push([...ids]);
    const all = example('shop-exemplars.json') as { Traces: { Id: string }[] };
    return { Traces: all.Traces.filter((t) => ids.includes(t.Id)) };
  }
}

class FakeChanges implements ChangeSource {
  readonly ranges: TimeRange[] = [];
  constructor(private readonly fail?: Error) {}
  async lookupChanges(range: TimeRange): Promise<ChangeDocument> {
    this.ranges.push(range);
    if (this.fail) throw this.fail;
    return { ...example('shop-changes.json'), calls: 14, truncated: false };
  }
}

function deps(overrides: Partial<CollectEvidenceDeps> = {}) {
  const unavailable: string[] = [];
  const d: CollectEvidenceDeps = {
    watched: [{ name: 'frontend', p99Seconds: 2 }],
    changeLookbackMinutes: 60,
    traceEvidence: true,
    serviceMapping: {},
    traceSource: new FakeTraces(),
    changeSource: new FakeChanges(),
    snapshotStore: new MemorySnapshotStore(),
    region: 'eu-west-1',
    onUnavailable: (source) => unavailable.push(source),
    ...overrides,
  };
  return { d, unavailable };
}

describe('Handler: collect-evidence', () => {
  it("should read the service's faulty and slow traces, one exemplar and the changes of the lookback, stored by key", async () => {
    // Prepare
    const { d, unavailable } = deps();
    // Act
    const out = await collectEvidence(collected, d);
    // Assess
    expect(out).toEqual({ ...collected, evidenceKey: 'evidence/alarm-1.json' });
    const traces = d.traceSource as FakeTraces;
    expect(traces.queries).toEqual([
      {
        range: { start: new Date(collected.window.start), end: new Date(collected.window.end) },
        service: 'frontend',
        slowerThanSeconds: 2,
      },
    ]);
    expect(traces.fetched).toHaveLength(1);
    expect((d.changeSource as FakeChanges).ranges).toEqual([
      { start: new Date('2026-11-20T02:00:00.000Z'), end: new Date(collected.window.end) },
    ]);
    const doc = JSON.parse(
      (d.snapshotStore as MemorySnapshotStore).docs.get('evidence/alarm-1.json') ?? '{}',
    );
    expect(doc.traces.TraceSummaries).toHaveLength(40);
    expect(doc.exemplarTraces.Traces).toHaveLength(1);
    expect(doc.changes.Events).toHaveLength(2);
    expect(doc.region).toBe('eu-west-1');
    expect(unavailable).toEqual([]);
  });

  it('should leave out a source that fails and go on with the other', async () => {
    // Prepare
    const { d, unavailable } = deps({ changeSource: new FakeChanges(new Error('AccessDenied')) });
    // Act
    const out = await collectEvidence(collected, d);
    // Assess
    expect(out.evidenceKey).toBe('evidence/alarm-1.json');
    expect(unavailable).toEqual(['changes']);
    const doc = JSON.parse(
      (d.snapshotStore as MemorySnapshotStore).docs.get('evidence/alarm-1.json') ?? '{}',
    );
    expect(doc.changes).toBeUndefined();
  });

  it('should store nothing and pass the input on when no source answers or both are off', async () => {
    // Prepare
    const failing = deps({
      traceSource: new FakeTraces(new Error('boom')),
      changeSource: new FakeChanges(new Error('boom')),
    });
    const off = deps({ traceEvidence: false, changeLookbackMinutes: 0 });
    // Act
    const a = await collectEvidence(collected, failing.d);
    const b = await collectEvidence(collected, off.d);
    // Assess
    expect(a).toEqual(collected);
    expect(b).toEqual(collected);
    expect(failing.unavailable).toEqual(['traces', 'changes']);
    expect((off.d.traceSource as FakeTraces).queries).toEqual([]);
    expect((off.d.snapshotStore as MemorySnapshotStore).docs.size).toBe(0);
  });

  /** The shop incident collected with `overrides`, then analyzed: the finding Analyze stores. */
  async function collectedThenAnalyzed(overrides: Partial<CollectEvidenceDeps> = {}): Promise<Finding> {
    const { d } = deps(overrides);
    const store = d.snapshotStore as MemorySnapshotStore;
    await store.put(
      collected.snapshotKey,
      JSON.stringify({ incident: asDocument(SHOP.incident), baseline: asDocument(SHOP.baseline) }),
    );
    const withEvidence = await collectEvidence(collected, d);
    const analyzed = await analyzeIncident(
      { ...withEvidence, metrics: {} },
      { snapshotStore: store, watched: [] },
    );
    return JSON.parse(store.docs.get(analyzed.findingKey) ?? '{}') as Finding;
  }

  it('should give Analyze a finding with exceptions, exemplar links and the change', async () => {
    // Act
    const f = await collectedThenAnalyzed();

    // Assess
    const top = f.rootCauses[0];
    expect(top?.traces?.exceptions[0]?.name).toBe('PaymentGatewayError');
    expect(top?.traces?.exemplars[0]?.url).toContain('eu-west-1.console.aws.amazon.com');
    expect(top?.traces?.detail?.operation).toBe('POST /v2/charges');
    expect(f.changes?.[0]).toMatchObject({ services: ['payment-service'], minutesBeforeStart: 4 });
  });

  it('should count changes only as far back as the lookback they were read with', async () => {
    // Act: the shop's changes were 4 (payment-service) and 38 minutes (the frontend's banner
    // parameter, mapped to frontend) before the start
    const mapping = { serviceMapping: { banner: ['frontend'] } };
    const hour = await collectedThenAnalyzed({ changeLookbackMinutes: 60, ...mapping });
    const halfHour = await collectedThenAnalyzed({ changeLookbackMinutes: 30, ...mapping });

    // Assess
    expect(hour.changes?.map((c) => c.minutesBeforeStart)).toEqual([4, 38]);
    expect(halfHour.changes?.map((c) => c.minutesBeforeStart)).toEqual([4]);
  });

  it('should keep in the finding only the changes of services it may name, with only their resources', async () => {
    // Act: the banner parameter is mapped to no service of the graph
    const f = await collectedThenAnalyzed({ changeLookbackMinutes: 60 });

    // Assess
    expect(f.changes?.map((c) => c.services)).toEqual([['payment-service']]);
    expect(JSON.stringify(f)).not.toContain('/shop/frontend/banner');
    expect(JSON.stringify(f)).not.toContain('alice');
  });

  it('should analyze the graph alone when the stored evidence is unreadable', async () => {
    // Prepare
    const store = new MemorySnapshotStore();
    await store.put(
      collected.snapshotKey,
      JSON.stringify({ incident: asDocument(SHOP.incident), baseline: asDocument(SHOP.baseline) }),
    );
    await store.put('evidence/alarm-1.json', JSON.stringify({ traces: { TraceSummaries: [{ Id: 7 }] } }));
    const seen: unknown[] = [];
    // Act
    const analyzed = await analyzeIncident(
      { ...collected, evidenceKey: 'evidence/alarm-1.json', metrics: {} },
      { snapshotStore: store, watched: [], onEvidenceUnreadable: (e) => seen.push(e) },
    );
    // Assess
    expect(analyzed.rootCause).toBe('api.payments.example.com');
    expect(seen).toHaveLength(1);
    const f = JSON.parse(store.docs.get(analyzed.findingKey) ?? '{}') as Finding;
    expect(f.traces).toBeUndefined();
  });
});
