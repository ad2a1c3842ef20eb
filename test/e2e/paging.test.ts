// Pages end to end. `demo --page-to` as a user runs it, against a local receiver that checks every
// PagerDuty event against the documented fields and limits and every webhook request's signature:
// the shop incident triggers one alert whose dedup_key is the incident id and resolves it when its
// alarm goes back to OK; the storm triggers one, updates it at most once and resolves it. Then the
// chaos case: the receiver answers 500 through a whole storm, comes back, and after the sweep every
// page has arrived exactly once per message id, in each incident's order, on both channels.

import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PagerDutyPager, WebhookPager } from '../../lambdas/adapters/pager.ts';
import { CLAIM_LEASE_MS } from '../../lambdas/core/incidents/model.ts';
import type { PageEvent } from '../../lambdas/handlers/incidents.ts';
import { DEMO_ROUTING_KEY, DEMO_WEBHOOK_SECRET, FixedSecret } from '../../lambdas/local/paging.ts';
import { LocalPipeline } from '../../lambdas/local/pipeline.ts';
import { STORM_CASCADE, stormScenario } from '../../lambdas/local/storm-scenario.ts';
import type { WebhookDocument } from '../../lambdas/report/pages.ts';
import { type CliResult, runCli } from '../support/cli.ts';
import { type PageReceiver, type ReceivedPage, startPageReceiver } from '../support/page-receiver.ts';
import { allIncidents } from './e2e-kit.ts';

/** A guard against a hung run, not a budget: a demo takes seconds, minutes on a loaded machine. */
const HANG_GUARD_MS = 900_000;
const INCIDENT_ID = /^inc-[0-9a-f]{24}$/;

const demo = (args: readonly string[], cwd: string): Promise<CliResult> => runCli(['demo', ...args], cwd);

interface PdEvent {
  readonly routing_key: string;
  readonly event_action: string;
  readonly dedup_key: string;
  readonly payload?: { readonly summary: string; readonly custom_details: { readonly message: string } };
}

const pd = (r: ReceivedPage) => r.json as PdEvent;

describe('E2E: demo --page-to', () => {
  let receiver: PageReceiver;
  let cwd: string;

  beforeAll(async () => {
    receiver = await startPageReceiver(DEMO_WEBHOOK_SECRET);
    cwd = await mkdtemp(join(tmpdir(), 'cascade-paging-'));
  });

  afterAll(async () => {
    await receiver?.close();
    if (cwd) await rm(cwd, { recursive: true, force: true });
  });

  it(
    'should trigger one PagerDuty alert for the shop incident, keyed by its id, and resolve it when the alarm is back to OK',
    async () => {
      // Prepare
      const before = receiver.received.length;

      // Act
      const run = await demo(
        ['--no-sns', '--data-dir', 'shop', '--page-to', `${receiver.url}/v2/enqueue`],
        cwd,
      );

      // Assess: two valid events, a trigger then a resolve, under the incident's id.
      expect(run.stderr).toBe('');
      expect(run.code).toBe(0);
      const got = receiver.received.slice(before);
      expect(got.map((r) => [r.status, r.problems])).toEqual([
        [202, []],
        [202, []],
      ]);
      const [trigger, resolveEvent] = got.map(pd);
      expect(trigger?.event_action).toBe('trigger');
      expect(trigger?.routing_key).toBe(DEMO_ROUTING_KEY);
      expect(trigger?.dedup_key).toMatch(INCIDENT_ID);
      expect(trigger?.payload?.summary).toMatch(
        /^Root cause api\.payments\.example\.com \(confidence \d+ %\)/,
      );
      expect(resolveEvent).toEqual({
        routing_key: DEMO_ROUTING_KEY,
        event_action: 'resolve',
        dedup_key: trigger?.dedup_key,
      });
      // The terminal lists both, under the incident the demo stored.
      expect(run.stdout).toContain(`pagerduty ${trigger?.dedup_key}#0 trigger → accepted (202)`);
      expect(run.stdout).toContain(`pagerduty ${trigger?.dedup_key}#1 resolve → accepted (202)`);
    },
    HANG_GUARD_MS,
  );

  it(
    'should page the storm as one alert: one trigger, at most one update, one resolve',
    async () => {
      // Prepare
      const before = receiver.received.length;

      // Act
      const run = await demo(
        ['--scenario', 'storm', '--no-sns', '--data-dir', 'storm', '--page-to', `${receiver.url}/v2/enqueue`],
        cwd,
      );

      // Assess
      expect(run.stderr).toBe('');
      expect(run.code).toBe(0);
      const got = receiver.received.slice(before);
      expect(got.every((r) => r.status === 202 && r.problems.length === 0)).toBe(true);
      const events = got.map(pd);
      const triggers = events.filter((e) => e.event_action === 'trigger');
      const resolves = events.filter((e) => e.event_action === 'resolve');
      const key = triggers[0]?.dedup_key;
      expect(key).toMatch(INCIDENT_ID);
      expect(triggers.length).toBeGreaterThanOrEqual(1);
      expect(triggers.length).toBeLessThanOrEqual(2);
      expect(triggers.every((e) => e.dedup_key === key)).toBe(true);
      expect(resolves.map((e) => e.dedup_key)).toEqual([key]);
      expect(events.at(-1)?.event_action).toBe('resolve');
    },
    HANG_GUARD_MS,
  );

  it(
    'should send the signed webhook shape to any other path: one document per message, verified by the receiver',
    async () => {
      // Prepare
      const before = receiver.received.length;

      // Act
      const run = await demo(
        ['--no-sns', '--data-dir', 'hook', '--page-to', `${receiver.url}/hooks/cascade`],
        cwd,
      );

      // Assess
      expect(run.stderr).toBe('');
      expect(run.code).toBe(0);
      const got = receiver.received.slice(before);
      expect(got.map((r) => [r.status, r.problems])).toEqual([
        [204, []],
        [204, []],
      ]);
      const docs = got.map((r) => r.json as WebhookDocument);
      const id = docs[0]?.incident.id ?? '';
      expect(id).toMatch(INCIDENT_ID);
      expect(docs.map((d) => [d.id, d.kind, d.sequence])).toEqual([
        [`${id}#0`, 'opened', 0],
        [`${id}#1`, 'resolved', 1],
      ]);
      expect(got.map((r) => r.headers['x-cascade-message-id'])).toEqual([`${id}#0`, `${id}#1`]);
      expect(docs[0]?.finding?.rootCause?.service).toBe('api.payments.example.com');
    },
    HANG_GUARD_MS,
  );

  it('should refuse a --page-to that is not an http(s) URL, naming it (exit 2)', async () => {
    // Act
    const run = await demo(['--no-sns', '--data-dir', 'bad', '--page-to', 'ftp://example.com/x'], cwd);

    // Assess
    expect(run.code).toBe(2);
    expect(run.stderr).toMatch(/--page-to: "ftp:\/\/example\.com\/x" is not an http\(s\) URL/);
  });
});

describe('E2E: chaos — the pager is down through a storm', () => {
  let receiver: PageReceiver;
  let pipeline: LocalPipeline;
  let clockAheadMs = 0;
  const now = () => new Date(Date.now() + clockAheadMs);
  const pages: PageEvent[] = [];

  beforeAll(async () => {
    receiver = await startPageReceiver(DEMO_WEBHOOK_SECRET);
    const storm = stormScenario();
    pipeline = await LocalPipeline.start({
      xray: { replay: storm.snapshot },
      watch: [...STORM_CASCADE],
      retryDelayMs: 5,
      now,
      paging: {
        pagers: [
          new PagerDutyPager({
            url: `${receiver.url}/v2/enqueue`,
            secrets: new FixedSecret(DEMO_ROUTING_KEY),
            routes: { defaultSecret: 'local' },
          }),
          new WebhookPager({
            url: `${receiver.url}/hooks`,
            secret: 'local',
            secrets: new FixedSecret(DEMO_WEBHOOK_SECRET),
          }),
        ],
        onPage: (e) => pages.push(e),
      },
    });
  }, 600_000);

  afterAll(async () => {
    await pipeline?.stop();
    await receiver?.close();
  });

  it(
    'should deliver every page exactly once per message id, in order, once the receiver is back and the sweep runs',
    async () => {
      // Prepare: the receiver answers 500 to everything while the storm fires and clears.
      receiver.down = true;
      const t0 = Date.now() - 90_000;
      const alarms = STORM_CASCADE.map((service, i) => ({ service, at: new Date(t0 + i * 3_000) }));

      // Act: the storm, then every alarm back to OK, all while the receiver is down.
      const fired = await Promise.all(alarms.map((a) => pipeline.run(pipeline.alarmEvent(a.service, a.at))));
      const cleared = await Promise.all(
        alarms.map((a) => pipeline.run(pipeline.okEvent(a.service, new Date(t0 + 80_000)))),
      );
      const duringOutage = (await allIncidents(pipeline)).filter((i) => i.status !== 'MERGED');
      const refusedDuringOutage = receiver.received.length;
      receiver.down = false;
      // The claims of the senders that gave up run out; then the sweep runs, as its schedule would.
      clockAheadMs = CLAIM_LEASE_MS + 1_000;
      const swept = await pipeline.sweepOutbox();
      const after = (await allIncidents(pipeline)).filter((i) => i.status !== 'MERGED');

      // Assess: the outage failed no execution; it held every message (none went out), and the
      // senders said so.
      expect([...fired, ...cleared].every((r) => r.status === 'SUCCEEDED')).toBe(true);
      expect(refusedDuringOutage).toBeGreaterThan(0);
      expect(receiver.received.slice(0, refusedDuringOutage).every((r) => r.status === 500)).toBe(true);
      expect(duringOutage.flatMap((i) => i.notifications).some((n) => !n.sent)).toBe(true);
      expect(pages.some((p) => p.receipt.outcome === 'held')).toBe(true);
      expect(swept.failed).toEqual([]);

      // Every message of every incident is sent, and arrived once per id on each channel.
      const decided = after.flatMap((i) => i.notifications);
      expect(decided.length).toBeGreaterThanOrEqual(2);
      expect(decided.every((n) => n.sent)).toBe(true);
      const taken = receiver.accepted();
      expect(taken.every((r) => r.problems.length === 0)).toBe(true);
      const hooks = taken.filter((r) => r.path === '/hooks').map((r) => r.json as WebhookDocument);
      const hookIds = hooks.map((d) => d.id);
      expect([...hookIds].sort()).toEqual(decided.map((n) => n.id).sort());
      expect(new Set(hookIds).size).toBe(hookIds.length);
      const events = taken.filter((r) => r.path === '/v2/enqueue').map(pd);
      const triggerIds = events
        .filter((e) => e.event_action === 'trigger')
        .map((e) => e.payload?.custom_details.message);
      const expectedTriggers = decided.filter((n) => n.kind !== 'resolved').map((n) => n.id);
      expect([...triggerIds].sort()).toEqual([...expectedTriggers].sort());
      for (const incident of after) {
        const resolves = events.filter(
          (e) => e.event_action === 'resolve' && e.dedup_key === incident.incidentId,
        );
        expect(resolves).toHaveLength(incident.status === 'RESOLVED' ? 1 : 0);
        // In order: each incident's documents arrived by ascending sequence.
        const seqs = hooks.filter((d) => d.incident.id === incident.incidentId).map((d) => d.sequence);
        expect(seqs).toEqual([...seqs].sort((a, b) => a - b));
      }
    },
    HANG_GUARD_MS,
  );
});
