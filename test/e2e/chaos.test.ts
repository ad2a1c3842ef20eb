// The chaos test of issue 10: bursts of alarm events over two cascades through the local pipeline,
// with failures injected at random into every step and adapter — thrown before and after each side
// effect, throttling (429) and server errors (5xx) from X-Ray, DynamoDB and SNS — and events
// delivered twice. Afterwards: every alarm belongs to exactly one incident, every incident has one
// current finding (COMPLETED, or FAILED with a reason), every decided message was sent, and each
// under one notification id. `npm test` runs a short form (100 events); the full run is
// `CHAOS_EVENTS=200 npx vitest run test/e2e/chaos.test.ts` (any number; CHAOS_SEED varies the faults).

import { ScanCommand } from '@aws-sdk/client-dynamodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Incident } from '../../lambdas/core/incidents/model.ts';
import type { PublishedNotification } from '../../lambdas/local/notifications.ts';
import { LocalPipeline, type StepAdapters } from '../../lambdas/local/pipeline.ts';
import { replaySnapshot } from '../../lambdas/local/replay.ts';
import type { TaskFunction } from '../../lambdas/local/state-machine.ts';
import { SEARCH_CASCADE, STORM_CASCADE, stormScenario } from '../../lambdas/local/storm-scenario.ts';
import { mulberry32 } from '../../lambdas/simulator/graph-builder.ts';

const EVENTS = Number(process.env.CHAOS_EVENTS ?? 100);
const BURST = 20;
const SEED = Number(process.env.CHAOS_SEED ?? 10);
/** The claim lease of an outbox message (lambdas/handlers/incidents.ts). */
const LEASE_MS = 120_000;

/** What each injected failure looks like: AWS's error names, so the retry policies treat them as in AWS. */
const THROTTLE = (service: string) =>
  Object.assign(new Error(`${service}: Rate exceeded (429)`), {
    name: 'ThrottlingException',
    $metadata: { httpStatusCode: 429 },
  });
const SERVER = (service: string) =>
  Object.assign(new Error(`${service}: We encountered an internal error (500)`), {
    name: 'InternalServerError',
    $metadata: { httpStatusCode: 500 },
  });
const CRASH = (where: string) =>
  Object.assign(new Error(`injected crash ${where}`), { name: 'InjectedCrash' });

describe('E2E: chaos — alarm storms with failures injected everywhere', () => {
  const random = mulberry32(SEED);
  const injected = new Map<string, number>();
  const count = (key: string) => injected.set(key, (injected.get(key) ?? 0) + 1);
  const published: PublishedNotification[] = [];
  let armed = false;
  let pipeline: LocalPipeline;

  /** Every method of `target` may throw before it runs or after it ran (its side effect done). */
  function flaky<T extends object>(
    target: T,
    name: string,
    p: { before: number; after: number; fault: (s: string) => Error },
  ): T {
    return new Proxy(target, {
      get(t, prop, receiver) {
        const value = Reflect.get(t, prop, receiver);
        if (typeof value !== 'function') return value;
        return async (...args: unknown[]) => {
          if (armed && random() < p.before) {
            count(`${name}.${String(prop)} before`);
            throw p.fault(name);
          }
          const result = await value.apply(t, args);
          if (armed && random() < p.after) {
            count(`${name}.${String(prop)} after`);
            throw p.fault(name);
          }
          return result;
        };
      },
    });
  }

  function adapters(real: StepAdapters): StepAdapters {
    return {
      ...real,
      graphSource: flaky(real.graphSource, 'xray', { before: 0.08, after: 0.02, fault: THROTTLE }),
      repository: flaky(real.repository, 'dynamodb-findings', { before: 0.03, after: 0.03, fault: SERVER }),
      incidents: flaky(real.incidents, 'dynamodb-incidents', { before: 0.03, after: 0.03, fault: THROTTLE }),
      notifier: flaky(real.notifier, 'sns', { before: 0.05, after: 0.02, fault: SERVER }),
      snapshotStore: flaky(real.snapshotStore, 's3', { before: 0.02, after: 0.02, fault: SERVER }),
    };
  }

  /** Every Task state (and ExecutionWatch) may crash before it runs or after it ran. */
  const task =
    (state: string, fn: TaskFunction): TaskFunction =>
    async (input) => {
      if (armed && random() < 0.03) {
        count(`${state} before`);
        throw CRASH(`before ${state}`);
      }
      const out = await fn(input);
      if (armed && random() < 0.03) {
        count(`${state} after`);
        throw CRASH(`after ${state}`);
      }
      return out;
    };

  beforeAll(async () => {
    const storm = stormScenario();
    pipeline = await LocalPipeline.start({
      xray: { graphs: replaySnapshot(storm.snapshot, { incidentMinutes: 15 }) },
      watch: [...STORM_CASCADE, ...SEARCH_CASCADE],
      retryDelayMs: 5,
      onNotification: (n) => published.push(n),
      faults: { adapters, task },
    });
  }, 90_000);

  afterAll(async () => {
    await pipeline?.stop();
  });

  it(`should keep every alarm in exactly one incident, one current finding per incident and one notification per decision over ${EVENTS} alarm events`, async () => {
    // Prepare: bursts alternate between the two cascades; each ends with its alarms back to OK.
    const bursts = Math.ceil(EVENTS / BURST);
    const start = Date.now() - 14 * 60_000;
    const step = Math.floor((13 * 60_000) / bursts);
    const alarmIds = new Set<string>();
    let executions = 0;
    let duplicates = 0;
    const deliver = (event: ReturnType<LocalPipeline['alarmEvent']>) => {
      const runs = [pipeline.run(event)];
      executions++;
      if (random() < 0.1) {
        runs.push(pipeline.run(structuredClone(event)));
        executions++;
        duplicates++;
      }
      return runs;
    };

    // Act
    armed = true;
    for (let b = 0; b < bursts; b++) {
      const cascade = b % 2 === 0 ? STORM_CASCADE : SEARCH_CASCADE;
      const t = start + b * step;
      const fired = Array.from({ length: Math.min(BURST, EVENTS - b * BURST) }, (_, i) => ({
        service: cascade[Math.floor(random() * cascade.length)] as string,
        kind: random() < 0.5 ? ('fault-rate' as const) : ('p99' as const),
        at: new Date(t + i * 1000),
      }));
      const runs = fired.flatMap((a) => deliver(pipeline.alarmEvent(a.service, a.at, a.kind)));
      await Promise.all(runs);
      for (const a of fired) alarmIds.add(`${a.service}|${a.kind}|${a.at.toISOString()}`);
      const oks = [...new Set(fired.map((a) => `${a.service}|${a.kind}`))].map((k) => {
        const [service, kind] = k.split('|') as [string, 'fault-rate' | 'p99'];
        return pipeline.okEvent(service, new Date(t + step - 5_000), kind);
      });
      await Promise.all(oks.flatMap((e) => deliver(e)));
    }
    armed = false;
    await pipeline.idle();

    // Assess
    const everything = await allIncidents(pipeline);
    const merged = everything.filter((i) => i.status === 'MERGED');
    const incidents = everything.filter((i) => i.status !== 'MERGED');
    const memberships = new Map<string, number>();
    for (const i of incidents)
      for (const a of i.alarms) memberships.set(a.analysisId, (memberships.get(a.analysisId) ?? 0) + 1);
    const expectedAlarms = alarmIds.size;
    const inTwo = [...memberships.values()].filter((n) => n !== 1).length;

    const findings = await Promise.all(
      incidents.map((i) => pipeline.repository.get(i.currentAnalysisId ?? '')),
    );
    const completed = findings.filter((f) => f?.status === 'COMPLETED').length;
    const failedWithReason = findings.filter((f) => f?.status === 'FAILED' && (f.error ?? '') !== '').length;
    const decided = incidents.flatMap((i) => i.notifications);
    // A message claimed by a sender that then died is sent by the incident's next change once its
    // lease (120 s) is over — there is no sweeper (docs/analysis.md, Guarantees). Still within its lease at
    // the end of the run, it is in flight, not lost; any other unsent message is a loss.
    const inFlight = decided.filter(
      (n) => !n.sent && n.claimedAt !== undefined && Date.parse(n.claimedAt) + LEASE_MS > Date.now(),
    );
    const pending = decided.filter((n) => !n.sent && !inFlight.includes(n));
    const byId = new Map<string, number>();
    for (const n of published) {
      const id = n.attributes.notificationId;
      if (id !== undefined) byId.set(id, (byId.get(id) ?? 0) + 1);
    }
    const unexplained = published.filter((n) => n.attributes.notificationId === undefined).length;
    const missing = decided.filter((n) => !byId.has(n.id) && !inFlight.includes(n)).length;
    const copies = [...byId.values()].reduce((s, n) => s + (n - 1), 0);
    const kinds = (k: string) => decided.filter((n) => n.kind === k).length;
    const resolved = incidents.filter((i) => i.status === 'RESOLVED');

    const faults = [...injected.entries()].sort(([a], [b]) => a.localeCompare(b));
    console.info(
      [
        `chaos (seed ${SEED}): ${EVENTS} alarm events in ${bursts} bursts, ${executions} executions (${duplicates} duplicate deliveries), ${[...injected.values()].reduce((s, n) => s + n, 0)} injected failures`,
        `  faults: ${faults.map(([k, n]) => `${k} ${n}`).join(', ')}`,
        `  alarms: ${expectedAlarms} distinct state changes, ${memberships.size} in incidents, ${inTwo} in more than one`,
        `  incidents: ${incidents.length} (${resolved.length} resolved; ${merged.length} more merged into them); current findings: ${completed} COMPLETED, ${failedWithReason} FAILED with a reason`,
        `  messages decided: ${decided.length} (${kinds('opened')} root cause, ${kinds('root-cause-changed')} root cause changed, ${kinds('update')} updates, ${kinds('resolved')} resolutions); pending ${pending.length}; in flight (claimed, lease running) ${inFlight.length}; sent without a decision ${unexplained}; decided but never sent ${missing}`,
        `  published: ${published.length} (${byId.size} distinct notification ids; ${copies} repeated copies after a publish whose answer was lost)`,
      ].join('\n'),
    );

    expect(memberships.size).toBe(expectedAlarms);
    expect(inTwo).toBe(0);
    expect(completed + failedWithReason).toBe(incidents.length);
    expect(pending).toEqual([]);
    expect(missing).toBe(0);
    expect(unexplained).toBe(0);
    expect(byId.size).toBe(decided.length - inFlight.length);
    expect(kinds('resolved')).toBe(resolved.length);
    // Every alarm went back to OK: every incident resolved, with one closing message each.
    expect(resolved.length).toBe(incidents.length);
    expect(incidents.length).toBeGreaterThanOrEqual(bursts);
    for (const i of incidents)
      expect(i.notifications.filter((n) => n.kind === 'resolved').length).toBeLessThanOrEqual(1);
  }, 600_000);
});

/** Every incident: the copies of those that left the open document, and those still in it. */
async function allIncidents(pipeline: LocalPipeline): Promise<Incident[]> {
  const open = await pipeline.incidents.mutate((doc) => ({ doc, result: doc.incidents, touched: [] }));
  const byId = new Map<string, Incident>(open.map((i) => [i.incidentId, i]));
  // The findings table's client and name, as the repository's writer holds them.
  const { client, tableName } = (
    pipeline.repository as unknown as {
      writer: {
        client: {
          send: (
            c: ScanCommand,
          ) => Promise<{ Items?: Record<string, { S?: string }>[]; LastEvaluatedKey?: unknown }>;
        };
        tableName: string;
      };
    }
  ).writer;
  let startKey: unknown;
  do {
    const out = await client.send(
      new ScanCommand({
        TableName: tableName,
        FilterExpression: 'begins_with(pk, :p) AND attribute_exists(incident)',
        ExpressionAttributeValues: { ':p': { S: 'INCIDENT#' } },
        ...(startKey !== undefined ? { ExclusiveStartKey: startKey as never } : {}),
      }),
    );
    for (const item of out.Items ?? []) {
      const i = JSON.parse(item.incident?.S ?? '{}') as Incident;
      if (!byId.has(i.incidentId)) byId.set(i.incidentId, i);
    }
    startKey = out.LastEvaluatedKey;
  } while (startKey !== undefined);
  return [...byId.values()];
}
