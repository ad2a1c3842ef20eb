// Incidents end to end in the local pipeline: a storm of alarms over one cascade, delivered at once
// and out of order, gives one incident, one root-cause message and at most one update; the alarms
// back to OK give one resolution message; two unrelated cascades give two incidents.

import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { Incident } from '../../lambdas/core/incidents/model.ts';
import { LocalPipeline } from '../../lambdas/local/pipeline.ts';
import { replaySnapshot } from '../../lambdas/local/replay.ts';
import type { ExecutionReport } from '../../lambdas/local/state-machine.ts';
import { SEARCH_CASCADE, STORM_CASCADE, stormScenario } from '../../lambdas/local/storm-scenario.ts';
import { mulberry32 } from '../../lambdas/simulator/graph-builder.ts';
import { type LocalServer, startMotoServer } from '../support/local-servers.ts';
import {
  allIncidents,
  expireOpenIncidents,
  type ReceivedNotification,
  subscribeQueue,
  type TopicQueue,
} from './e2e-kit.ts';

const incidentOf = (r: ExecutionReport): string | undefined =>
  (r.output as { incidentId?: string })?.incidentId;
const kinds = (messages: readonly ReceivedNotification[]) =>
  messages.map((m) => m.attributes.notificationKind);

function shuffled<T>(items: readonly T[], seed: number): T[] {
  const random = mulberry32(seed);
  const out = [...items];
  for (let i = out.length - 1; i > 0; i--) {
    const j = Math.floor(random() * (i + 1));
    [out[i], out[j]] = [out[j] as T, out[i] as T];
  }
  return out;
}

describe('E2E: incidents in the local pipeline', () => {
  let moto: LocalServer;
  let pipeline: LocalPipeline;
  let queue: TopicQueue;
  /** Publishes to fail, each before or after SNS took the message (the notifier is wrapped). */
  const publishFaults: ('before' | 'after')[] = [];
  /** Task states (and ExecutionWatch) that throw on every call while listed. */
  const brokenStates = new Set<string>();

  beforeAll(async () => {
    moto = await startMotoServer();
    const storm = stormScenario();
    pipeline = await LocalPipeline.start({
      xray: { graphs: replaySnapshot(storm.snapshot, { incidentMinutes: 15 }) },
      watch: [...STORM_CASCADE, ...SEARCH_CASCADE],
      snsEndpoint: moto.endpoint,
      retryDelayMs: 20,
      faults: {
        task: (state, fn) => async (input) => {
          if (brokenStates.has(state))
            throw Object.assign(new Error(`${state} is broken`), { name: 'Broken' });
          return fn(input);
        },
        adapters: (real) => ({
          ...real,
          notifier: {
            async publish(...args) {
              const fault = publishFaults.shift();
              if (fault === 'before')
                throw Object.assign(new Error('SNS is down'), { name: 'InternalErrorException' });
              const out = await real.notifier.publish(...args);
              if (fault === 'after')
                throw Object.assign(new Error('connection reset'), { name: 'TimeoutError' });
              return out;
            },
          },
        }),
      },
    });
    queue = await subscribeQueue(moto.endpoint, pipeline.topicArn as string, 'e2e-incidents');
  }, 90_000);

  beforeEach(async () => {
    publishFaults.length = 0;
    brokenStates.clear();
    await expireOpenIncidents(pipeline);
    await queue.receive({ min: 0, settleMs: 200 });
  });

  afterAll(async () => {
    queue?.destroy();
    await pipeline?.stop();
    await moto?.stop();
  });

  it('should give 1 incident, 1 root-cause message and at most 1 update for 20 alarms on 8 services delivered at once out of order, and 1 resolution when they are back to OK', async () => {
    // Prepare: both alarms of each of the 8 services, and 4 of them firing again 30 s later.
    const t0 = Date.now() - 120_000;
    const fired = STORM_CASCADE.flatMap((service, i) => [
      { service, kind: 'fault-rate' as const, at: new Date(t0 + i * 5_000) },
      { service, kind: 'p99' as const, at: new Date(t0 + i * 5_000 + 2_000) },
    ]);
    const again = fired.slice(0, 4).map((a) => ({ ...a, at: new Date(a.at.getTime() + 30_000) }));
    const storm = shuffled([...fired, ...again], 20);
    expect(storm).toHaveLength(20);
    expect(new Set(storm.map((a) => a.service)).size).toBe(8);

    // Act
    const reports = await Promise.all(
      storm.map((a) => pipeline.run(pipeline.alarmEvent(a.service, a.at, a.kind))),
    );
    const messages = await queue.receive({ min: 1, settleMs: 2_000 });

    // Assess
    expect(reports.map((r) => r.status)).toEqual(Array(20).fill('SUCCEEDED'));
    const incidents = new Set(reports.map(incidentOf));
    expect(incidents.size).toBe(1);
    const [incidentId] = [...incidents] as [string];
    const ofIncident = messages.filter((m) => m.attributes.incidentId === incidentId);
    expect(ofIncident).toHaveLength(messages.length);
    expect(kinds(ofIncident).filter((k) => k === 'opened')).toHaveLength(1);
    expect(kinds(ofIncident).filter((k) => k === 'root-cause-changed')).toHaveLength(0);
    expect(kinds(ofIncident).filter((k) => k === 'update').length).toBeLessThanOrEqual(1);
    expect(ofIncident[0]?.attributes.rootCause).toBe('bank-api');
    const stored = (await pipeline.incidents.get(incidentId)) as Incident;
    expect(stored.alarms).toHaveLength(20);
    expect(stored.rootCause).toBe('bank-api');
    expect(stored.status).toBe('OPEN');

    // Act: every alarm back to OK, at once, in another order.
    const oks = shuffled(fired, 7).map((a) => pipeline.okEvent(a.service, new Date(t0 + 100_000), a.kind));
    const resolved = await Promise.all(oks.map((e) => pipeline.run(e)));
    const closing = await queue.receive({ min: 1, settleMs: 2_000 });

    // Assess
    expect(resolved.map((r) => r.status)).toEqual(Array(16).fill('SUCCEEDED'));
    expect(kinds(closing)).toEqual(['resolved']);
    expect(closing[0]?.attributes.incidentId).toBe(incidentId);
    expect(closing[0]?.message).toContain('Final root cause: bank-api.');
    expect(closing[0]?.message).toContain('Alarms (16):');
    const final = (await pipeline.incidents.get(incidentId)) as Incident;
    expect(final.status).toBe('RESOLVED');
    expect(final.notifications.every((n) => n.sent)).toBe(true);
    const open = (await allIncidents(pipeline)).filter((i) => i.status === 'OPEN');
    expect(open).toEqual([]);
    const listed = await pipeline.incidents.listByService({ service: 'ledger', limit: 10 });
    expect(listed.items.map((i) => [i.incidentId, i.status])).toContainEqual([incidentId, 'RESOLVED']);
  });

  it('should still send the root-cause message once when Notify fails after Store (RecordFailure sends the outbox)', async () => {
    // Prepare: SNS fails Notify's publish and its 3 retries (an error no retry policy names transient).
    publishFaults.push(...Array<'before'>(4).fill('before'));
    const at = new Date(Date.now() - 30_000);

    // Act
    const report = await pipeline.run(pipeline.alarmEvent('orders', at));
    const messages = await queue.receive({ min: 1, settleMs: 1_500 });

    // Assess
    expect(report.states.map((s) => `${s.state}:${s.outcome}`)).toContain('Notify:caught');
    expect(report.states.map((s) => `${s.state}:${s.outcome}`)).toContain('RecordFailure:succeeded');
    expect(kinds(messages)).toEqual(['opened']);
    expect(messages[0]?.attributes.rootCause).toBe('bank-api');
    expect(messages[0]?.attributes.status).toBe('COMPLETED');
    const incident = await pipeline.incidents.get(messages[0]?.attributes.incidentId ?? '');
    expect(incident?.notifications.map((n) => n.sent)).toEqual([true]);
  });

  it('should resend with the same notification id, never a new one, when SNS took the message but the answer was lost', async () => {
    // Prepare
    publishFaults.push('after');
    const at = new Date(Date.now() - 30_000);

    // Act
    await pipeline.run(pipeline.alarmEvent('payments', at));
    const messages = await queue.receive({ min: 1, settleMs: 1_500 });

    // Assess: at least once, and every copy is the same notification.
    expect(new Set(messages.map((m) => m.attributes.notificationId)).size).toBe(1);
    expect(kinds(messages).every((k) => k === 'opened')).toBe(true);
  });

  it('should record a FAILED finding and send one message through ExecutionWatch when the execution could not record its own failure', async () => {
    // Prepare: Analyze fails, and so does RecordFailure every time: the execution fails with no finding.
    brokenStates.add('Analyze').add('RecordFailure');
    const at = new Date(Date.now() - 20_000);

    // Act
    const report = await pipeline.run(pipeline.alarmEvent('checkout', at));
    const messages = await queue.receive({ min: 1, settleMs: 1_500 });

    // Assess
    expect(report.status).toBe('FAILED');
    expect(report.states.map((s) => `${s.state}:${s.outcome}`)).toContain('RecordFailure:failed');
    expect(kinds(messages)).toEqual(['opened']);
    expect(messages[0]?.attributes.status).toBe('FAILED');
    const finding = await pipeline.repository.get(messages[0]?.attributes.analysisId ?? '');
    expect(finding?.status).toBe('FAILED');
    expect(finding?.error).toBe('Broken: unexpected error.');
  });

  it('should give 2 incidents and 2 root-cause messages for two unrelated cascades alarming together', async () => {
    // Prepare
    const at = new Date(Date.now() - 60_000);
    const events = [
      pipeline.alarmEvent('web', at),
      pipeline.alarmEvent('search', at),
      pipeline.alarmEvent('ledger', at, 'p99'),
      pipeline.alarmEvent('search-frontend', at, 'p99'),
    ];

    // Act
    const reports = await Promise.all(events.map((e) => pipeline.run(e)));
    const messages = await queue.receive({ min: 2, settleMs: 2_000 });

    // Assess
    const ids = reports.map(incidentOf);
    expect(new Set(ids).size).toBe(2);
    expect(ids[0]).toBe(ids[2]);
    expect(ids[1]).toBe(ids[3]);
    expect(kinds(messages)).toEqual(['opened', 'opened']);
    expect(messages.map((m) => m.attributes.rootCause).sort()).toEqual(['bank-api', 'search-index']);
  });
});
