// SweepOutbox over the in-memory ports: a message whose sender died is sent once its lease is over,
// exactly once and under its notification id; a live claim is left to its sender; an unclaimed
// message is sent; an incident that fails does not stop the others, and then the invocation fails.

import type { Context } from 'aws-lambda';
import { describe, expect, it, vi } from 'vitest';
import type { Notifier } from '../../lambdas/adapters/ports.ts';
import { claimNext, markSent } from '../../lambdas/core/incidents/lifecycle.ts';
import { CLAIM_LEASE_MS, DEFAULT_INCIDENT_CONFIG } from '../../lambdas/core/incidents/model.ts';
import { attachFinding, flushIncident, recordAlarmOk } from '../../lambdas/handlers/incidents.ts';
import { metrics } from '../../lambdas/handlers/observability.ts';
import {
  handler,
  type SweepDeps,
  SweepFailedError,
  sweepOutbox,
} from '../../lambdas/handlers/sweep-outbox.ts';
import {
  MemoryFindingsRepository,
  MemoryIncidentsWriter,
  MemoryOutboxSweepList,
  RecordingNotifier,
  sampleFinding,
} from './fakes.ts';

const T0 = Date.parse('2026-11-20T03:15:00.000Z');
const MINUTE = 60_000;

/** What the handler's composition root would build; each test sets its own. */
const wired = vi.hoisted(() => ({ deps: undefined as unknown }));
vi.mock('../../lambdas/handlers/wiring/sweep-outbox.ts', () => ({ sweepOutboxDeps: () => wired.deps }));

function setup() {
  const clock = { ms: T0 };
  const incidents = new MemoryIncidentsWriter();
  const repository = new MemoryFindingsRepository();
  repository.clock = () => new Date(clock.ms);
  const deps = {
    incidents,
    config: DEFAULT_INCIDENT_CONFIG,
    now: () => new Date(clock.ms),
    repository,
    findings: repository,
    work: new MemoryOutboxSweepList(incidents, repository),
    notifier: new RecordingNotifier(),
  } satisfies SweepDeps;
  /** Sets the clock `ms` after T0. */
  const at = (ms: number) => {
    clock.ms = T0 + ms;
  };
  /**
   * Correlate's part for an alarm at `ms` after T0 (alarms an hour apart open separate incidents):
   * its finding stored, unless not yet, and attached, which decides its root-cause message.
   */
  const decide = async (analysisId: string, service: string, ms: number, stored = true) => {
    at(ms);
    const finding = sampleFinding(analysisId, service);
    if (stored) await deps.repository.put(finding);
    const alarm = {
      key: `${service}-fault-rate`,
      name: `${service}-fault-rate`,
      firedAt: deps.now().toISOString(),
    };
    const attached = await attachFinding(finding, alarm, service, [service], deps);
    const id = attached.notification?.id;
    if (id === undefined) throw new Error(`${analysisId} decided no message`);
    return { incidentId: attached.incident.incidentId, notificationId: id };
  };
  const notification = (id: string) =>
    deps.incidents.all.flatMap((i) => i.notifications).find((n) => n.id === id);
  return { deps, at, decide, notification };
}

/** A sender that claims its message, then dies before SNS answers (a crash or a timeout). */
const DYING: Notifier = {
  async publish() {
    throw new Error('Task timed out after 30.00 seconds');
  },
};

describe('Function: sweepOutbox', () => {
  it('should send a message whose sender died once its lease is over, exactly once, with its notification id', async () => {
    // Prepare
    const { deps, at, decide, notification } = setup();
    const m = await decide('alarm-a', 'checkout', 0);
    await expect(flushIncident(m.incidentId, 'execution-dead', { ...deps, notifier: DYING })).rejects.toThrow(
      'timed out',
    );

    // Act
    at(CLAIM_LEASE_MS - 1);
    const withinLease = await sweepOutbox('sweeper:1', deps);
    at(CLAIM_LEASE_MS);
    const leaseOver = await sweepOutbox('sweeper:2', deps);
    at(CLAIM_LEASE_MS + 5 * MINUTE);
    const nextSweep = await sweepOutbox('sweeper:3', deps);

    // Assess
    const none = { findingsSent: [], expired: [], failed: [] };
    expect(withinLease).toEqual({ incidents: 0, sent: [], ...none });
    expect(leaseOver).toEqual({ incidents: 1, sent: [m.notificationId], ...none });
    expect(nextSweep).toEqual({ incidents: 0, sent: [], ...none });
    expect(deps.notifier.published.map((p) => p.note?.notificationId)).toEqual([m.notificationId]);
    expect(deps.notifier.published[0]?.finding.analysisId).toBe('alarm-a');
    expect(notification(m.notificationId)).toMatchObject({
      sent: true,
      claimedBy: 'sweeper:2',
      messageId: 'msg-1',
    });
  });

  it('should send a message nobody claimed and leave one within its lease to its sender', async () => {
    // Prepare: Notify never ran for checkout's message; search's sender claimed its message a minute ago.
    const { deps, at, decide, notification } = setup();
    const unclaimed = await decide('alarm-a', 'checkout', 0);
    const live = await decide('alarm-b', 'search', 60 * MINUTE);
    await deps.incidents.mutate({ kind: 'incident', incidentId: live.incidentId }, (doc) => {
      const r = claimNext(doc, live.incidentId, 'execution-live', deps.now(), CLAIM_LEASE_MS);
      return { doc: r.doc, result: r, touched: [] };
    });

    // Act
    at(61 * MINUTE);
    const swept = await sweepOutbox('sweeper:1', deps);

    // Assess
    expect(swept).toEqual({
      incidents: 1,
      sent: [unclaimed.notificationId],
      findingsSent: [],
      expired: [],
      failed: [],
    });
    expect(deps.notifier.published.map((p) => p.note?.notificationId)).toEqual([unclaimed.notificationId]);
    expect(notification(live.notificationId)).toMatchObject({ sent: false, claimedBy: 'execution-live' });
  });

  it('should go on past an incident that fails, and send its message on a later sweep', async () => {
    // Prepare: the older incident's finding is not stored yet.
    const { deps, at, decide } = setup();
    const unstored = await decide('alarm-a', 'checkout', 0, false);
    const stored = await decide('alarm-b', 'search', 60 * MINUTE);

    // Act
    at(61 * MINUTE);
    const first = await sweepOutbox('sweeper:1', deps);
    await deps.repository.put(sampleFinding('alarm-a', 'checkout'));
    at(66 * MINUTE);
    const second = await sweepOutbox('sweeper:2', deps);

    // Assess
    expect(first.sent).toEqual([stored.notificationId]);
    expect(first.failed).toEqual([
      { incidentId: unstored.incidentId, error: expect.stringMatching(/alarm-a is not stored yet/) },
    ]);
    expect(second).toEqual({
      incidents: 1,
      sent: [unstored.notificationId],
      findingsSent: [],
      expired: [],
      failed: [],
    });
    expect(deps.notifier.published.map((p) => p.note?.notificationId)).toEqual([
      stored.notificationId,
      unstored.notificationId,
    ]);
  });
});

describe('Function: sweepOutbox — every outbox', () => {
  it('should send an API analysis whose Notify never sent it, once its lease is over, with its analysis id as notification id', async () => {
    // Prepare: Store kept the finding of an API analysis; SNS was down past every retry of Notify.
    const { deps, at } = setup();
    const finding = {
      ...sampleFinding('api-1', 'checkout'),
      trigger: { source: 'api' as const, service: 'checkout' },
    };
    await deps.repository.put(finding);

    // Act
    at(CLAIM_LEASE_MS - 1);
    const early = await sweepOutbox('sweeper:1', deps);
    at(CLAIM_LEASE_MS + 1);
    const due = await sweepOutbox('sweeper:2', deps);
    at(CLAIM_LEASE_MS + 5 * MINUTE);
    const again = await sweepOutbox('sweeper:3', deps);

    // Assess
    expect(early.findingsSent).toEqual([]);
    expect(due.findingsSent).toEqual(['api-1']);
    expect(again.findingsSent).toEqual([]);
    expect(deps.notifier.published.map((p) => p.finding.analysisId)).toEqual(['api-1']);
    expect(await deps.repository.isNotified('api-1')).toBe(true);
  });

  it('should expire an incident idle past incidentMaxIdleHours in the sweep, and still send its pending message', async () => {
    // Prepare: an incident whose message could not be sent (finding not stored) and then nothing happened.
    const { deps, at, decide, notification } = setup();
    const m = await decide('alarm-a', 'checkout', 0, false);
    const quiet = await decide('alarm-b', 'search', 10 * MINUTE);
    await sweepOutbox('sweeper:0', deps);

    // Act
    at((DEFAULT_INCIDENT_CONFIG.maxIdleHours * 60 + 11) * MINUTE);
    await deps.repository.put(sampleFinding('alarm-a', 'checkout'));
    const swept = await sweepOutbox('sweeper:1', deps);

    // Assess
    expect([...swept.expired].sort()).toEqual([m.incidentId, quiet.incidentId].sort());
    expect(deps.incidents.incidents.get(m.incidentId)?.status).toBe('EXPIRED');
    expect(deps.incidents.incidents.get(quiet.incidentId)?.status).toBe('EXPIRED');
    expect(notification(m.notificationId)).toMatchObject({ sent: true });
    expect(deps.notifier.published.map((p) => p.note?.notificationId)).toEqual([
      quiet.notificationId,
      m.notificationId,
    ]);
  });

  it("should never send an incident's later message while an earlier one is claimed by a live sender", async () => {
    // Prepare: Notify claimed the root-cause message #0 and is still publishing it; the alarm goes
    // back to OK, which decides the resolution #1.
    const { deps, at, decide, notification } = setup();
    const m = await decide('alarm-a', 'checkout', 0);
    await deps.incidents.mutate({ kind: 'incident', incidentId: m.incidentId }, (doc) => {
      const r = claimNext(doc, m.incidentId, 'execution-live', deps.now(), CLAIM_LEASE_MS);
      return { doc: r.doc, result: r, touched: [] };
    });
    await recordAlarmOk('checkout-fault-rate', new Date(T0 + MINUTE).toISOString(), deps);
    const resolution = deps.incidents.incidents.get(m.incidentId)?.notifications[1];

    // Act: NotifyResolution and a sweep both try to send, within the live sender's lease.
    at(CLAIM_LEASE_MS - 1);
    let waited = 0;
    const sleep = async (ms: number) => {
      waited += ms;
    };
    const byResolution = await flushIncident(m.incidentId, 'execution-ok', { ...deps, sleep });
    const swept = await sweepOutbox('sweeper:1', deps);

    // Assess
    expect(resolution).toMatchObject({ kind: 'resolved', sent: false });
    expect(byResolution).toEqual([]);
    // NotifyResolution waited for the live sender a while (it may die before taking #1), then left it.
    expect(waited).toBeGreaterThanOrEqual(10_000);
    expect(swept.sent).toEqual([]);
    expect(deps.notifier.published).toEqual([]);
    expect(notification(resolution?.id ?? '')).toMatchObject({ sent: false });
    expect(notification(resolution?.id ?? '')?.claimedBy).toBeUndefined();
  });
});

describe('Function: flushIncident', () => {
  it('should wait for a live sender of an earlier message, then send its own message in order', async () => {
    // Prepare: Notify claimed #0; the alarm's OK decides #1; #0's sender sends it while the other
    // waits, then dies before it takes #1.
    const { deps, decide } = setup();
    const m = await decide('alarm-a', 'checkout', 0);
    await deps.incidents.mutate({ kind: 'incident', incidentId: m.incidentId }, (doc) => {
      const r = claimNext(doc, m.incidentId, 'execution-live', deps.now(), CLAIM_LEASE_MS);
      return { doc: r.doc, result: r, touched: [] };
    });
    await recordAlarmOk('checkout-fault-rate', new Date(T0 + MINUTE).toISOString(), deps);
    let finished = false;
    const sleep = async () => {
      if (finished) return;
      finished = true;
      await deps.incidents.mutate({ kind: 'incident', incidentId: m.incidentId }, (doc) => {
        const r = markSent(doc, m.incidentId, `${m.incidentId}#0`, 'msg-live');
        return { doc: r.doc, result: r, touched: r.incident ? [r.incident] : [] };
      });
    };

    // Act
    const sent = await flushIncident(m.incidentId, 'execution-ok', { ...deps, sleep });

    // Assess
    expect(sent).toEqual([`${m.incidentId}#1`]);
    expect(deps.notifier.published.map((p) => p.note?.notificationId)).toEqual([`${m.incidentId}#1`]);
    expect(deps.incidents.incidents.get(m.incidentId)?.notifications.every((n) => n.sent)).toBe(true);
  });
});

describe('Handler: sweep-outbox', () => {
  const context = { awsRequestId: 'req-7', functionName: 'SweepOutbox' } as Context;

  it('should claim as sweeper:<request id>, and fail the invocation after the others when an incident fails', async () => {
    // Prepare
    const { deps, at, decide, notification } = setup();
    wired.deps = deps;
    const unstored = await decide('alarm-a', 'checkout', 0, false);
    const stored = await decide('alarm-b', 'search', 60 * MINUTE);
    at(61 * MINUTE);
    const counted = vi.spyOn(metrics, 'addMetric');

    // Act
    const failing = handler({}, context);

    // Assess
    await expect(failing).rejects.toThrow(SweepFailedError);
    await expect(failing).rejects.toThrow(`1 outboxes not swept: ${unstored.incidentId}`);
    expect(notification(stored.notificationId)).toMatchObject({ sent: true, claimedBy: 'sweeper:req-7' });
    expect(counted.mock.calls).toEqual([
      ['SweptNotificationsSent', 'Count', 1],
      ['SweptIncidentsExpired', 'Count', 0],
      ['SweepIncidentsFailed', 'Count', 1],
    ]);
    counted.mockRestore();
  });
});
