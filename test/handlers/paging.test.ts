// Pages as channels of the incident outbox, over the in-memory ports: SNS first, then each pager;
// each channel that took a message is recorded on it, so a retry after a pager's outage sends it
// neither to SNS nor to that pager again; a page refused for good does not hold the outbox; a
// receiver still down holds the message (or, for the sweep, fails its flush); any other error fails.

import { describe, expect, it } from 'vitest';
import { PageDeliveryError } from '../../lambdas/adapters/pager.ts';
import type { Page, PageReceipt, Pager } from '../../lambdas/adapters/ports.ts';
import { DEFAULT_INCIDENT_CONFIG } from '../../lambdas/core/incidents/model.ts';
import {
  attachFinding,
  type FlushDeps,
  flushIncident,
  type PageEvent,
  PagesHeldError,
} from '../../lambdas/handlers/incidents.ts';
import {
  MemoryFindingsRepository,
  MemoryIncidentsWriter,
  RecordingNotifier,
  sampleFinding,
} from './fakes.ts';

const T0 = '2026-11-20T03:15:00.000Z';

/** A receiver scripted answer by answer: a receipt, or `down` (it throws as a 5xx would). */
class ScriptedPager implements Pager {
  readonly pages: Page[] = [];
  constructor(
    readonly channel: 'pagerduty' | 'webhook',
    private readonly script: (PageReceipt['outcome'] | 'down' | Error)[],
  ) {}
  async deliver(page: Page): Promise<PageReceipt> {
    const next = this.script.shift() ?? 'accepted';
    if (next instanceof Error) throw next;
    if (next === 'down') throw new PageDeliveryError(`${this.channel}: receiver answered 503`);
    this.pages.push(page);
    return { outcome: next, detail: next === 'accepted' ? '202' : '400: invalid event' };
  }
}

async function setup(pagers: Pager[], extra: Partial<FlushDeps> = {}) {
  const repository = new MemoryFindingsRepository();
  const finding = sampleFinding('alarm-1', 'frontend');
  await repository.put(finding);
  const events: PageEvent[] = [];
  const deps: FlushDeps = {
    incidents: new MemoryIncidentsWriter(),
    config: DEFAULT_INCIDENT_CONFIG,
    now: () => new Date(T0),
    repository,
    notifier: new RecordingNotifier(),
    pagers,
    onPage: (e) => events.push(e),
    sleep: async () => {},
    ...extra,
  };
  const attached = await attachFinding(
    finding,
    { key: 'frontend-fault-rate', name: 'frontend-fault-rate', firedAt: T0 },
    'frontend',
    ['frontend'],
    deps,
  );
  const incidentId = attached.incident.incidentId;
  const message = () => (deps.incidents as MemoryIncidentsWriter).incidents.get(incidentId)?.notifications[0];
  return { deps, incidentId, events, message, notifier: deps.notifier as RecordingNotifier };
}

describe('Function: flushIncident with pagers', () => {
  it('should send to SNS, then each pager, and tick the message off once every channel took it', async () => {
    // Prepare
    const pd = new ScriptedPager('pagerduty', []);
    const hook = new ScriptedPager('webhook', []);
    const { deps, incidentId, events, message, notifier } = await setup([pd, hook]);

    // Act
    const sent = await flushIncident(incidentId, 'execution-1', deps);

    // Assess
    expect(sent).toEqual([`${incidentId}#0`]);
    expect(notifier.published).toHaveLength(1);
    expect(pd.pages.map((p) => [p.id, p.route])).toEqual([[`${incidentId}#0`, 'frontend']]);
    expect(pd.pages[0]?.documents).toEqual([
      expect.objectContaining({ event_action: 'trigger', dedup_key: incidentId }),
    ]);
    expect(hook.pages[0]?.documents).toEqual([
      expect.objectContaining({ id: `${incidentId}#0`, kind: 'opened' }),
    ]);
    expect(message()).toMatchObject({
      sent: true,
      messageId: 'msg-1',
      delivered: ['sns', 'pagerduty', 'webhook'],
    });
    expect(events.map((e) => [e.channel, e.receipt.outcome])).toEqual([
      ['pagerduty', 'accepted'],
      ['webhook', 'accepted'],
    ]);
  });

  it('should hold the message while a pager is down, then send it only where it is missing', async () => {
    // Prepare: the webhook's receiver is down for both tries of the first flush.
    const pd = new ScriptedPager('pagerduty', []);
    const hook = new ScriptedPager('webhook', ['down', 'down']);
    const { deps, incidentId, events, message, notifier } = await setup([pd, hook]);

    // Act
    const first = await flushIncident(incidentId, 'execution-1', deps);
    const held = message();
    const second = await flushIncident(incidentId, 'execution-1', deps);

    // Assess: nothing sent by the first flush; SNS and PagerDuty took it once, the webhook once after.
    expect(first).toEqual([]);
    expect(held).toMatchObject({ sent: false, claimedBy: 'execution-1', delivered: ['sns', 'pagerduty'] });
    expect(second).toEqual([`${incidentId}#0`]);
    expect(notifier.published).toHaveLength(1);
    expect(pd.pages).toHaveLength(1);
    expect(hook.pages).toHaveLength(1);
    expect(message()).toMatchObject({ sent: true, messageId: 'msg-1' });
    expect(events.map((e) => [e.channel, e.receipt.outcome])).toEqual([
      ['pagerduty', 'accepted'],
      ['webhook', 'held'],
      ['webhook', 'accepted'],
    ]);
  });

  it('should not hold the outbox for a page refused for good', async () => {
    // Prepare
    const pd = new ScriptedPager('pagerduty', ['rejected']);
    const { deps, incidentId, events, message } = await setup([pd]);

    // Act
    const sent = await flushIncident(incidentId, 'execution-1', deps);

    // Assess
    expect(sent).toEqual([`${incidentId}#0`]);
    expect(message()?.sent).toBe(true);
    expect(events.map((e) => e.receipt.outcome)).toEqual(['rejected']);
  });

  it('should fail the flush when the sweep finds the receiver still down, or on any other error', async () => {
    // Prepare
    const down = await setup([new ScriptedPager('pagerduty', ['down', 'down'])], { onPagerDown: 'throw' });
    const broken = await setup([
      new ScriptedPager('pagerduty', [new Error('AccessDeniedException: secret')]),
    ]);

    // Act / Assess
    await expect(flushIncident(down.incidentId, 'sweeper:1', down.deps)).rejects.toThrow(PagesHeldError);
    await expect(flushIncident(broken.incidentId, 'execution-1', broken.deps)).rejects.toThrow(
      /AccessDenied/,
    );
    expect(down.message()?.sent).toBe(false);
    expect(broken.message()?.sent).toBe(false);
  });
});
