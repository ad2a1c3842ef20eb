// DynamoIncidentsStore on dynalite (with the local runtime's transactions) and on DynamoDB Local:
// one item per incident, written in transactions conditional on what was read, under many writers
// at once; the index of open incidents near a service; writes per alarm that do not grow with the
// open incidents; items that stay under 100 KB; merges, early OKs and the by-service list.

import {
  type DynamoDBClient,
  GetItemCommand,
  TransactWriteItemsCommand,
  UpdateItemCommand,
} from '@aws-sdk/client-dynamodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createDynamoDBClient } from '../../lambdas/adapters/findings-repository.ts';
import { DynamoFindingsWriter } from '../../lambdas/adapters/findings-writer.ts';
import {
  DynamoIncidentsStore,
  IncidentsConflictError,
  type IncidentsWrite,
} from '../../lambdas/adapters/incidents-store.ts';
import { DynamoOutboxSweepList } from '../../lambdas/adapters/outbox-sweep-list.ts';
import { BadRequestError } from '../../lambdas/adapters/ports.ts';
import { type AnalysedAlarm, alarmOk, attachAnalysis } from '../../lambdas/core/incidents/lifecycle.ts';
import { DEFAULT_INCIDENT_CONFIG } from '../../lambdas/core/incidents/model.ts';
import { sampleFinding } from '../handlers/fakes.ts';
import {
  clientOptions,
  createFindingsTable,
  type LocalServer,
  startDynalite,
  startDynamoDbLocal,
} from '../support/local-servers.ts';

const T0 = Date.parse('2026-11-20T03:00:00.000Z');
const at = (s: number) => new Date(T0 + s * 1000).toISOString();
const NOW = new Date(T0 + 60_000);

function alarm(
  table: string,
  service: string,
  i: number,
  reach: string[],
  extra: Partial<AnalysedAlarm> = {},
): AnalysedAlarm {
  return {
    analysisId: `${table}-alarm-${service}-${i}`,
    alarmKey: `${table}-${service}-${i % 2 ? 'p99' : 'faults'}`,
    alarmName: `${service}-${i % 2 ? 'p99' : 'faults'}`,
    service,
    firedAt: at(i),
    status: 'COMPLETED',
    rootCause: reach[0] ?? null,
    reach,
    near: [service],
    ...extra,
  };
}

const attach = (store: DynamoIncidentsStore, a: AnalysedAlarm, now: Date = NOW) =>
  store.mutate(
    {
      kind: 'attach',
      analysisId: a.analysisId,
      alarmKey: a.alarmKey,
      firedAt: a.firedAt,
      windowMinutes: DEFAULT_INCIDENT_CONFIG.windowMinutes,
      services: [a.service, ...a.near, ...a.reach],
    },
    (doc) => {
      const r = attachAnalysis(doc, a, now, DEFAULT_INCIDENT_CONFIG);
      return { doc: r.doc, result: r, touched: [r.incident, ...r.absorbed] };
    },
  );

const ok = (store: DynamoIncidentsStore, alarmKey: string, when: string) =>
  store.mutate({ kind: 'alarm-ok', alarmKey }, (doc) => {
    const r = alarmOk(doc, { alarmKey, at: when }, NOW, DEFAULT_INCIDENT_CONFIG);
    return { doc: r.doc, result: r, touched: r.incidents };
  });

describe.each([
  { backend: 'dynalite', start: startDynalite },
  { backend: 'DynamoDB Local', start: startDynamoDbLocal },
])('Class: DynamoIncidentsStore on $backend', ({ start }) => {
  let server: LocalServer;
  let client: DynamoDBClient;
  let tables = 0;

  const storeOn = async (options: { maxAttempts?: number; client?: DynamoDBClient } = {}) => {
    const tableName = `incidents-${tables++}`;
    await createFindingsTable(client, tableName);
    const writes: IncidentsWrite[] = [];
    const store = new DynamoIncidentsStore({
      client: options.client ?? client,
      tableName,
      retentionDays: 30,
      now: () => NOW,
      onWrite: (w) => writes.push(w),
      ...(options.maxAttempts !== undefined ? { maxAttempts: options.maxAttempts } : {}),
    });
    return { store, tableName, writes };
  };

  beforeAll(async () => {
    server = await start();
    client = createDynamoDBClient(clientOptions(server.endpoint));
  }, 120_000);

  afterAll(async () => {
    client?.destroy();
    await server?.stop();
  });

  it('should open one incident for 20 alarms on 8 services of one cascade written at the same moment', async () => {
    // Prepare
    const { store, tableName } = await storeOn();
    const cascade = ['payment-api', 'checkout', 'cart', 'web', 'orders', 'ledger', 'auth', 'gateway'];
    const alarms = Array.from({ length: 20 }, (_, i) =>
      alarm(tableName, cascade[(i * 3) % cascade.length] as string, i, cascade),
    );

    // Act
    const results = await Promise.all(alarms.map((a) => attach(store, a)));

    // Assess
    const ids = new Set(results.map((r) => r.incident.incidentId));
    expect(ids.size).toBe(1);
    expect(results.filter((r) => r.outcome === 'opened')).toHaveLength(1);
    const [id] = [...ids] as [string];
    const stored = await store.get(id);
    expect(stored?.alarms).toHaveLength(20);
    expect(stored?.notifications.map((n) => n.kind)).toEqual(['opened']);
    const page = await store.listByService({ service: 'checkout', limit: 10 });
    expect(page.items.map((i) => [i.incidentId, i.alarmCount])).toEqual([[id, 20]]);
    expect(await store.incidentOf(alarms[7]?.analysisId ?? '')).toBe(id);
    expect(await store.incidentOf('alarm-unknown')).toBeUndefined();
  }, 60_000);

  it('should keep two unrelated cascades apart when their alarms interleave', async () => {
    // Prepare
    const { store, tableName } = await storeOn();
    const shop = ['payment-api', 'checkout', 'web'];
    const search = ['search', 'catalog'];
    const alarms = Array.from({ length: 10 }, (_, i) =>
      i % 2
        ? alarm(tableName, shop[i % 3] as string, i, shop)
        : alarm(tableName, search[i % 2] as string, i, search),
    );

    // Act
    const results = await Promise.all(alarms.map((a) => attach(store, a)));

    // Assess
    expect(new Set(results.map((r) => r.incident.incidentId)).size).toBe(2);
  });

  it('should give the same answer and write nothing when an alarm is attached twice', async () => {
    // Prepare
    const { store, tableName, writes } = await storeOn();
    const a = alarm(tableName, 'web', 0, ['web']);
    const first = await attach(store, a);
    const written = writes.length;

    // Act
    const again = await attach(store, a);

    // Assess
    expect(again.outcome).toBe('duplicate');
    expect(again.incident.incidentId).toBe(first.incident.incidentId);
    expect(writes.length).toBe(written);
    expect((await store.get(first.incident.incidentId))?.revision).toBe(first.incident.revision);
  });

  it('should write the same number of items per alarm with 0 or 120 incidents open, near it or not', async () => {
    // Prepare: 60 open incidents on other services, 60 on the alarm's own service out of its window.
    const quiet = await storeOn();
    const busy = await storeOn();
    for (let i = 0; i < 120; i++) {
      const service = i % 2 ? `other-${i}` : 'web';
      await attach(busy.store, alarm(busy.tableName, service, -7200 - i, [service]));
    }
    const before = busy.writes.length;

    // Act
    await attach(quiet.store, alarm(quiet.tableName, 'web', 0, ['web', 'db'], { near: ['web', 'db'] }));
    await attach(busy.store, alarm(busy.tableName, 'web', 0, ['web', 'db'], { near: ['web', 'db'] }));

    // Assess
    const quietItems = quiet.writes.at(-1)?.items;
    const busyItems = busy.writes.at(-1)?.items;
    expect(busy.writes.length).toBe(before + 1);
    expect(busyItems).toBe(quietItems);
    expect(busyItems).toBeLessThanOrEqual(10);
  }, 120_000);

  it('should keep an incident of 300 alarms with long names under 100 KB, every alarm in ALARM listed', async () => {
    // Prepare
    const { store, tableName } = await storeOn();
    const long = (s: string) => `${s}-${'x'.repeat(200)}`;
    const services = Array.from({ length: 12 }, (_, i) => long(`service-${i}`));
    let last: Awaited<ReturnType<typeof attach>> | undefined;

    // Act: alarms one after the other, most of them back to OK before the next.
    for (let i = 0; i < 300; i++) {
      const service = services[i % services.length] as string;
      const a = alarm(tableName, service, i, services, {
        alarmKey: long(`key-${i}`),
        alarmName: long(`alarm-${i}`),
      });
      last = await attach(store, a);
      if (i % 10 !== 0) await ok(store, a.alarmKey, at(i + 1));
    }

    // Assess
    const id = last?.incident.incidentId ?? '';
    const raw = await client.send(
      new GetItemCommand({ TableName: tableName, Key: { pk: { S: `INCIDENT#${id}` } } }),
    );
    const bytes = Object.entries(raw.Item ?? {}).reduce(
      (n, [k, v]) => n + Buffer.byteLength(k) + Buffer.byteLength(JSON.stringify(v)),
      0,
    );
    const stored = await store.get(id);
    expect(bytes).toBeLessThan(100 * 1024);
    expect(stored?.alarmCount).toBe(300);
    expect(stored?.alarms.filter((a) => a.state === 'ALARM')).toHaveLength(30);
    expect(await store.incidentOf(`${tableName}-alarm-${services[0]}-0`)).toBe(id);
  }, 300_000);

  it('should apply an OK that came before its ALARM was attached, and resolve', async () => {
    // Prepare
    const { store, tableName } = await storeOn();
    const a = alarm(tableName, 'web', 0, ['web']);
    const early = await ok(store, a.alarmKey, at(30));

    // Act
    const attached = await attach(store, a);

    // Assess
    expect(early.incidents).toEqual([]);
    expect(attached.incident.status).toBe('RESOLVED');
    expect(attached.incident.notifications.map((n) => n.kind)).toEqual(['opened', 'resolved']);
  });

  it('should merge two incidents in one transaction once a result shows they are one cascade', async () => {
    // Prepare: two analyses failed, so two incidents; then a result ties them together.
    const { store, tableName } = await storeOn();
    const failed = { status: 'FAILED' as const, rootCause: null };
    const a = await attach(store, alarm(tableName, 'web', 0, ['web'], failed));
    const b = await attach(store, alarm(tableName, 'db', 1, ['db'], failed));

    // Act
    const c = await attach(
      store,
      alarm(tableName, 'api', 2, ['db', 'api', 'web'], { near: ['api', 'web', 'db'] }),
    );

    // Assess
    expect(a.incident.incidentId).not.toBe(b.incident.incidentId);
    expect(c.absorbed.map((i) => i.incidentId)).toHaveLength(1);
    const survivor = c.incident.incidentId;
    const merged = c.absorbed[0]?.incidentId ?? '';
    expect((await store.get(merged))?.status).toBe('MERGED');
    expect((await store.get(survivor))?.alarms).toHaveLength(3);
    const listed = await store.listByService({
      service: merged === a.incident.incidentId ? 'web' : 'db',
      limit: 10,
    });
    // The list shows each incident as stored now: the merged one as MERGED, with no alarms.
    expect(listed.items.find((i) => i.incidentId === merged)).toMatchObject({
      status: 'MERGED',
      alarmCount: 0,
    });
    // An OK of an alarm of the merged incident resolves through the survivor.
    const webKey = `${tableName}-web-faults`;
    const dbKey = `${tableName}-db-p99`;
    const apiKey = `${tableName}-api-faults`;
    await ok(store, webKey, at(10));
    await ok(store, dbKey, at(10));
    const last = await ok(store, apiKey, at(10));
    expect(last.incidents.map((i) => [i.incidentId, i.status])).toEqual([[survivor, 'RESOLVED']]);
  });

  it('should give up with IncidentsConflictError when every attempt loses the race', async () => {
    // Prepare: a client that lets another writer bump the incident just before each of our writes.
    const { store: plain, tableName } = await storeOn();
    const opened = await attach(plain, alarm(tableName, 'web', 0, ['web']));
    let competing = 0;
    const racing = {
      send: async (command: unknown) => {
        if (command instanceof TransactWriteItemsCommand) {
          competing++;
          await client.send(
            new UpdateItemCommand({
              TableName: tableName,
              Key: { pk: { S: `INCIDENT#${opened.incident.incidentId}` } },
              UpdateExpression: 'SET revision = revision + :one',
              ExpressionAttributeValues: { ':one': { N: '1' } },
            }),
          );
        }
        return client.send(command as never);
      },
    } as unknown as DynamoDBClient;
    const store = new DynamoIncidentsStore({
      client: racing,
      tableName,
      retentionDays: 30,
      maxAttempts: 3,
      backoff: async () => undefined,
      now: () => NOW,
    });

    // Act
    const result = attach(store, alarm(tableName, 'web', 1, ['web']));

    // Assess
    await expect(result).rejects.toBeInstanceOf(IncidentsConflictError);
    expect(competing).toBe(3);
  });

  it('should list an API finding for the sweep until its message is sent, and never an alarm finding', async () => {
    // Prepare
    const { tableName } = await storeOn();
    const options = { client, tableName, retentionDays: 30, now: () => NOW };
    const writer = new DynamoFindingsWriter(options);
    const list = new DynamoOutboxSweepList(options);
    const { DynamoFindingsOutbox } = await import('../../lambdas/adapters/findings-outbox.ts');
    const outbox = new DynamoFindingsOutbox(options);
    const api = { ...sampleFinding('api-1', 'web'), trigger: { source: 'api' as const, service: 'web' } };
    await writer.put(api);
    await writer.put(sampleFinding('alarm-1', 'web'));
    const later = new Date(T0 + 3_600_000).toISOString();

    // Act
    const before = await list.unsentFindings(later, 10);
    await outbox.markNotified('api-1', 'msg-1');
    const after = await list.unsentFindings(later, 10);

    // Assess
    expect(before.map((r) => r.analysisId)).toEqual(['api-1']);
    expect(after).toEqual([]);
  });

  it('should refuse a page token it did not hand out', async () => {
    // Prepare
    const { store } = await storeOn();

    // Act & Assess
    await expect(store.listByService({ service: 'web', limit: 5, next: 'bm9wZQ' })).rejects.toBeInstanceOf(
      BadRequestError,
    );
  });
});
