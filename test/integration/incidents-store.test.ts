// DynamoIncidentsStore on dynalite: the optimistic-concurrency loop under many writers at once,
// the incident copies and their by-service index.

import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { GetItemCommand, PutItemCommand } from '@aws-sdk/client-dynamodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createDynamoDBClient } from '../../lambdas/adapters/findings-repository.ts';
import { DynamoIncidentsStore, IncidentsConflictError } from '../../lambdas/adapters/incidents-store.ts';
import { BadRequestError } from '../../lambdas/adapters/ports.ts';
import { type AnalysedAlarm, attachAnalysis } from '../../lambdas/core/incidents/lifecycle.ts';
import { DEFAULT_INCIDENT_CONFIG, type Incident } from '../../lambdas/core/incidents/model.ts';
import {
  clientOptions,
  createFindingsTable,
  type LocalServer,
  startDynalite,
} from '../support/local-servers.ts';

const T0 = Date.parse('2026-11-20T03:00:00.000Z');
const at = (s: number) => new Date(T0 + s * 1000).toISOString();

function alarm(table: string, service: string, i: number, reach: string[]): AnalysedAlarm {
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
  };
}

describe('Class: DynamoIncidentsStore on dynalite', () => {
  let server: LocalServer;
  let client: DynamoDBClient;
  let tables = 0;

  const storeOn = async (options: { maxAttempts?: number } = {}) => {
    const tableName = `incidents-${tables++}`;
    await createFindingsTable(client, tableName);
    const store = new DynamoIncidentsStore({
      client,
      tableName,
      retentionDays: 30,
      now: () => new Date(T0 + 60_000),
      ...options,
    });
    return { store, tableName };
  };

  const attach = (store: DynamoIncidentsStore, a: AnalysedAlarm) =>
    store.mutate((doc) => {
      const r = attachAnalysis(doc, a, new Date(T0 + 60_000), DEFAULT_INCIDENT_CONFIG);
      return { doc: r.doc, result: r, touched: [r.incident] };
    });

  beforeAll(async () => {
    server = await startDynalite();
    client = createDynamoDBClient(clientOptions(server.endpoint));
  }, 60_000);

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
  });

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

  it('should give the same answer and write nothing new when a change is applied twice', async () => {
    // Prepare
    const { store, tableName } = await storeOn();
    const a = alarm(tableName, 'web', 0, ['web']);
    const first = await attach(store, a);

    // Act
    const again = await attach(store, a);

    // Assess
    expect(again.outcome).toBe('duplicate');
    expect(again.incident.incidentId).toBe(first.incident.incidentId);
    expect((await store.get(first.incident.incidentId))?.revision).toBe(first.incident.revision);
  });

  it('should never overwrite an incident copy with an older revision', async () => {
    // Prepare
    const { store, tableName } = await storeOn();
    const first = await attach(store, alarm(tableName, 'web', 0, ['web']));
    const second = await attach(store, alarm(tableName, 'web', 1, ['web']));

    // Act: a late retry of the first change re-writes its (older) copy.
    await store.mutate((doc) => ({ doc, result: null, touched: [first.incident as Incident] }));

    // Assess
    const stored = await store.get(first.incident.incidentId);
    expect(stored?.revision).toBe(second.incident.revision);
    expect(stored?.alarms).toHaveLength(2);
    const raw = await client.send(
      new GetItemCommand({
        TableName: tableName,
        Key: { pk: { S: `INCIDENT#${first.incident.incidentId}` } },
      }),
    );
    expect(Number(raw.Item?.expiresAt?.N)).toBe(Math.floor((T0 + 60_000) / 1000) + 30 * 86_400);
  });

  it('should give up with IncidentsConflictError when every attempt loses the race', async () => {
    // Prepare: a client that lets another writer bump the open item just before each of our writes.
    const { tableName } = await storeOn();
    let competing = 0;
    const racing = {
      send: async (command: { input: { Item?: Record<string, { S?: string }> } }) => {
        if (command instanceof PutItemCommand && command.input.Item?.pk?.S === 'INCIDENTS#OPEN') {
          competing++;
          await client.send(
            new PutItemCommand({
              TableName: tableName,
              Item: {
                pk: { S: 'INCIDENTS#OPEN' },
                version: { N: String(1000 + competing) },
                doc: { S: '{}' },
              },
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
    });

    // Act
    const result = attach(store, alarm(tableName, 'web', 0, ['web']));

    // Assess
    await expect(result).rejects.toBeInstanceOf(IncidentsConflictError);
    expect(competing).toBe(3);
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
