// Verdicts and "seen before" in the findings table (issue 21), on dynalite and DynamoDB Local: two
// people judging one finding at once both count, the accuracy lists records by time through the
// history index, and Store names the past incident a new finding looks like — from a table of
// past incidents written by the real writers, within the lookback, through indexes (no Scan).

import { CreateTableCommand, type DynamoDBClient, PutItemCommand } from '@aws-sdk/client-dynamodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DynamoFeedbackStore } from '../../lambdas/adapters/feedback-store.ts';
import { DynamoFindingLookup } from '../../lambdas/adapters/findings-lookup.ts';
import { createDynamoDBClient } from '../../lambdas/adapters/findings-repository.ts';
import { DynamoFindingsWriter } from '../../lambdas/adapters/findings-writer.ts';
import { DynamoIncidentsStore } from '../../lambdas/adapters/incidents-store.ts';
import { DynamoPastFindings } from '../../lambdas/adapters/past-findings.ts';
import { alarmOk, attachAnalysis } from '../../lambdas/core/incidents/lifecycle.ts';
import { DEFAULT_INCIDENT_CONFIG } from '../../lambdas/core/incidents/model.ts';
import type { Finding } from '../../lambdas/core/model.ts';
import { storeFinding } from '../../lambdas/handlers/store.ts';
import { ensureFindingsTable } from '../../lambdas/local/dynamodb.ts';
import { MemorySnapshotStore } from '../handlers/fakes.ts';
import {
  clientOptions,
  createFindingsTable,
  type LocalServer,
  startDynalite,
  startDynamoDbLocal,
} from '../support/local-servers.ts';
import { makeFinding } from './findings-kit.ts';

const NOW = new Date('2026-11-20T04:00:00.000Z');
const minutes = (m: number) => new Date(NOW.getTime() + m * 60_000).toISOString();
const days = (d: number) => minutes(-d * 24 * 60);

/** A finding of `service` whose window ends at `end`, its first root cause `root`. */
function finding(id: string, end: string, service = 'checkout', root = 'payment-api'): Finding {
  const f = makeFinding({ analysisId: id, service, end });
  const [top, ...rest] = f.rootCauses;
  return { ...f, rootCauses: top ? [{ ...top, service: root }, ...rest] : [] };
}

describe.each([
  { backend: 'dynalite', start: startDynalite },
  { backend: 'DynamoDB Local', start: startDynamoDbLocal },
])('Class: DynamoFeedbackStore and DynamoPastFindings on $backend', ({ start }) => {
  let server: LocalServer;
  let client: DynamoDBClient;
  let tables = 0;
  const sent: string[] = [];

  const tableOn = async () => {
    const tableName = `feedback-${tables++}`;
    await createFindingsTable(client, tableName);
    const options = { client, tableName, retentionDays: 30, now: () => NOW };
    return {
      tableName,
      writer: new DynamoFindingsWriter(options),
      lookup: new DynamoFindingLookup(options),
      feedback: new DynamoFeedbackStore(options),
      past: new DynamoPastFindings(options),
      incidents: new DynamoIncidentsStore(options),
    };
  };

  beforeAll(async () => {
    server = await start();
    client = createDynamoDBClient(clientOptions(server.endpoint));
    // Every command sent, by name: "seen before" must read indexes, never Scan.
    client.middlewareStack.add(
      (next, context) => (args) => {
        sent.push(String(context.commandName));
        return next(args);
      },
      { step: 'initialize' },
    );
  }, 120_000);

  afterAll(async () => {
    client?.destroy();
    await server?.stop();
  });

  it('should keep both verdicts when two people judge one finding at once, and list records by time', async () => {
    // Prepare
    const t = await tableOn();
    const f = finding('alarm-a', minutes(-30));
    const old = finding('alarm-old', days(200));
    for (const x of [f, old]) {
      await t.writer.put(x);
      await t.feedback.open(x);
    }
    await t.feedback.open(f); // a repeated Store changes nothing

    // Act
    await Promise.all([
      t.feedback.give(f, { verdict: 'right', by: 'alice', at: minutes(0) }),
      t.feedback.give(f, { verdict: 'wrong', actual: 'payment-service', by: 'bob', at: minutes(1) }),
    ]);
    const listed = await t.feedback.list(days(90), minutes(0));

    // Assess
    const stored = await t.feedback.get('alarm-a');
    expect(stored?.verdicts.map((v) => v.by).sort()).toEqual(['alice', 'bob']);
    expect(stored?.history).toHaveLength(2);
    expect(listed.records.map((r) => r.analysisId)).toEqual(['alarm-a']);
    expect(listed.truncated).toBe(false);
  });

  it('should name the past incident a new finding looks like, from a table of past incidents', async () => {
    // Prepare: past incidents on checkout, each attached and resolved by the real incident store.
    const t = await tableOn();
    const pastIncident = async (
      id: string,
      firedAt: string,
      resolvedAfterMin: number,
      root = 'payment-api',
      service = 'checkout',
    ) => {
      const f = finding(id, firedAt, service, root);
      await t.writer.put(f);
      await t.feedback.open(f);
      const a = {
        analysisId: id,
        alarmKey: `${service}-faults-${id}`,
        alarmName: `${service}-faults`,
        service,
        firedAt,
        status: 'COMPLETED' as const,
        rootCause: root,
        reach: ['payment-api', 'checkout', 'web'],
        near: [service],
      };
      const at = new Date(firedAt);
      await t.incidents.mutate(
        {
          kind: 'attach',
          analysisId: id,
          alarmKey: a.alarmKey,
          firedAt,
          windowMinutes: 15,
          services: a.reach,
        },
        (doc) => {
          const r = attachAnalysis(doc, a, at, DEFAULT_INCIDENT_CONFIG);
          return { doc: r.doc, result: r, touched: [r.incident, ...r.absorbed] };
        },
      );
      const okAt = new Date(at.getTime() + resolvedAfterMin * 60_000).toISOString();
      await t.incidents.mutate({ kind: 'alarm-ok', alarmKey: a.alarmKey }, (doc) => {
        const r = alarmOk(doc, { alarmKey: a.alarmKey, at: okAt }, new Date(okAt), DEFAULT_INCIDENT_CONFIG);
        return { doc: r.doc, result: r, touched: r.incidents };
      });
      return f;
    };
    await pastIncident('alarm-120d', days(120), 10); // past the 90-day lookback
    const judged = await pastIncident('alarm-30d', days(30), 42);
    // Another alarmed service with another root cause: not a look-alike, however recent.
    await pastIncident('alarm-10d', days(10), 15, 'inventory', 'search');
    await t.feedback.give(judged, { verdict: 'right', by: 'alice', at: days(29) });
    const snapshots = new MemorySnapshotStore();
    const now = finding('alarm-now', minutes(-5));
    await snapshots.put('findings/alarm-now.json', JSON.stringify(now));
    sent.length = 0;

    // Act: Store, as the workflow runs it.
    await storeFinding(
      {
        analysisId: 'alarm-now',
        service: 'checkout',
        findingKey: 'findings/alarm-now.json',
        status: 'COMPLETED',
        rootCause: 'payment-api',
      },
      {
        snapshotStore: snapshots,
        repository: { put: (x) => t.writer.put(x), get: (id) => t.lookup.get(id) },
        history: { past: t.past, feedback: t.feedback, seenBeforeDays: 90, now: () => NOW },
      },
    );

    // Assess: the finding, stored and in S3, names the judged incident 30 days ago.
    const stored = await t.lookup.get('alarm-now');
    expect(stored?.seenBefore).toMatchObject({
      analysisId: 'alarm-30d',
      incidentId: expect.stringMatching(/^inc-/),
      at: days(30),
      rootCause: 'payment-api',
      verdict: 'right',
      confirmedBy: 'alice',
      resolvedMinutes: 42,
      match: 'root-cause',
    });
    expect(JSON.parse(await snapshots.get('findings/alarm-now.json')).seenBefore?.analysisId).toBe(
      'alarm-30d',
    );
    expect(sent).not.toContain('ScanCommand');
    expect(sent).toContain('QueryCommand');
    expect(await t.feedback.get('alarm-now')).toMatchObject({ analysisId: 'alarm-now', verdicts: [] });
  });
});

describe('Local runtime: a data folder from before the history index', () => {
  let server: LocalServer;
  let client: DynamoDBClient;

  beforeAll(async () => {
    server = await startDynalite();
    client = createDynamoDBClient(clientOptions(server.endpoint));
  }, 120_000);

  afterAll(async () => {
    client?.destroy();
    await server?.stop();
  });

  it('should recreate the table with its indexes and keep every item', async () => {
    // Prepare: the table as an older version created it (no sweep or history index), with an item.
    await client.send(
      new CreateTableCommand({
        TableName: 'old-folder',
        BillingMode: 'PAY_PER_REQUEST',
        AttributeDefinitions: [{ AttributeName: 'pk', AttributeType: 'S' }],
        KeySchema: [{ AttributeName: 'pk', KeyType: 'HASH' }],
      }),
    );
    const f = finding('alarm-kept', minutes(-30));
    await client.send(
      new PutItemCommand({
        TableName: 'old-folder',
        Item: { pk: { S: 'ANALYSIS#alarm-kept' }, finding: { S: JSON.stringify(f) } },
      }),
    );

    // Act
    const outcome = await ensureFindingsTable(client, 'old-folder');
    const options = { client, tableName: 'old-folder', retentionDays: 1, now: () => NOW };
    const kept = await new DynamoFindingLookup(options).get('alarm-kept');
    await new DynamoFeedbackStore(options).give(f, { verdict: 'right', by: 'alice', at: minutes(0) });
    const listed = await new DynamoFeedbackStore(options).list(days(1), minutes(0));

    // Assess
    expect(outcome).toBe('upgraded');
    expect(kept?.analysisId).toBe('alarm-kept');
    expect(listed.records.map((r) => r.analysisId)).toEqual(['alarm-kept']);
  });
});
