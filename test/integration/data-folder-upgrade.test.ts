// A data folder from an older version: its findings table lacks an index the schema declares now
// (the sweep index came with issue 18). dynalite cannot add an index to a table, so the local
// runtime rebuilds the table with every index and copies the items back — in a data folder on
// disk, as a user's `.cascade-analyzer/` is — and finishes a rebuild that was interrupted.

import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  BatchWriteItemCommand,
  CreateTableCommand,
  DescribeTableCommand,
  DynamoDBClient,
  ListTablesCommand,
  QueryCommand,
  ScanCommand,
} from '@aws-sdk/client-dynamodb';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { FINDINGS_TABLE_SCHEMA } from '../../lambdas/adapters/findings-table-schema.ts';
import { ensureFindingsTable, upgradeBackupName } from '../../lambdas/local/dynamodb.ts';
import { clientOptions, startDynalite } from '../support/local-servers.ts';

const S = FINDINGS_TABLE_SCHEMA;
const TABLE = 'findings';

/** The table as an older version created it: the same keys, without the sweep index. */
async function createOldTable(client: DynamoDBClient, name: string): Promise<void> {
  const old = [S.byServiceIndex, S.incidentsIndex];
  await client.send(
    new CreateTableCommand({
      TableName: name,
      BillingMode: 'PAY_PER_REQUEST',
      AttributeDefinitions: [
        { AttributeName: S.partitionKey.name, AttributeType: S.partitionKey.type },
        ...old.flatMap((i) => [
          { AttributeName: i.partitionKey.name, AttributeType: i.partitionKey.type },
          { AttributeName: i.sortKey.name, AttributeType: i.sortKey.type },
        ]),
      ],
      KeySchema: [{ AttributeName: S.partitionKey.name, KeyType: 'HASH' }],
      GlobalSecondaryIndexes: old.map((i) => ({
        IndexName: i.name,
        KeySchema: [
          { AttributeName: i.partitionKey.name, KeyType: 'HASH' },
          { AttributeName: i.sortKey.name, KeyType: 'RANGE' },
        ],
        Projection: { ProjectionType: 'ALL' },
      })),
    }),
  );
  // dynalite makes a table ACTIVE a moment after CreateTable answers; writes before that fail.
  for (;;) {
    const { Table } = await client.send(new DescribeTableCommand({ TableName: name }));
    if (Table?.TableStatus === 'ACTIVE') return;
    await new Promise((r) => setTimeout(r, 20));
  }
}

/** 60 items (more than two BatchWriteItem calls), 5 of them sweep-index candidates. */
async function fill(client: DynamoDBClient, name: string): Promise<void> {
  const items = Array.from({ length: 60 }, (_, i) => ({
    [S.partitionKey.name]: { S: `item-${String(i).padStart(3, '0')}` },
    payload: { S: `finding ${i}` },
    ...(i < 5
      ? {
          [S.sweepIndex.partitionKey.name]: { S: 'pending' },
          [S.sweepIndex.sortKey.name]: { S: `2026-12-07T03:0${i}:00.000Z#item-${i}` },
        }
      : {}),
  }));
  for (let i = 0; i < items.length; i += 25) {
    await client.send(
      new BatchWriteItemCommand({
        RequestItems: { [name]: items.slice(i, i + 25).map((Item) => ({ PutRequest: { Item } })) },
      }),
    );
  }
}

async function keys(client: DynamoDBClient, name: string): Promise<string[]> {
  const out: string[] = [];
  let start: Record<string, never> | undefined;
  do {
    const page = await client.send(new ScanCommand({ TableName: name, ExclusiveStartKey: start }));
    for (const item of page.Items ?? []) out.push(item[S.partitionKey.name]?.S ?? '');
    start = page.LastEvaluatedKey as typeof start;
  } while (start !== undefined);
  return out.sort();
}

describe('Local runtime: upgrading an older data folder', () => {
  let dir: string;
  let dynamo: Awaited<ReturnType<typeof startDynalite>>;
  let client: DynamoDBClient;

  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'cascade-upgrade-'));
    dynamo = await startDynalite({ path: dir });
    client = new DynamoDBClient(clientOptions(dynamo.endpoint));
  });

  afterEach(async () => {
    client.destroy();
    await dynamo.stop();
    await rm(dir, { recursive: true, force: true });
  });

  it('should rebuild a table without the sweep index with every index, keeping every item', async () => {
    // Prepare
    await createOldTable(client, TABLE);
    await fill(client, TABLE);
    // Act
    const outcome = await ensureFindingsTable(client, TABLE);
    const again = await ensureFindingsTable(client, TABLE);
    // Assess
    expect(outcome).toBe('upgraded');
    expect(again).toBe('existed');
    const { Table } = await client.send(new DescribeTableCommand({ TableName: TABLE }));
    expect((Table?.GlobalSecondaryIndexes ?? []).map((g) => g.IndexName).sort()).toEqual(
      [S.byServiceIndex.name, S.incidentsIndex.name, S.sweepIndex.name, S.historyIndex.name].sort(),
    );
    expect(await keys(client, TABLE)).toHaveLength(60);
    const swept = await client.send(
      new QueryCommand({
        TableName: TABLE,
        IndexName: S.sweepIndex.name,
        KeyConditionExpression: '#p = :p',
        ExpressionAttributeNames: { '#p': S.sweepIndex.partitionKey.name },
        ExpressionAttributeValues: { ':p': { S: 'pending' } },
      }),
    );
    expect(swept.Items).toHaveLength(5);
    const tables = (await client.send(new ListTablesCommand({}))).TableNames;
    expect(tables).toEqual([TABLE]);
  });

  it('should finish an upgrade that was interrupted after the old table was deleted', async () => {
    // Prepare: the state a killed process leaves: the backup holds the items, the table is gone.
    await createOldTable(client, upgradeBackupName(TABLE));
    await fill(client, upgradeBackupName(TABLE));
    // Act
    const outcome = await ensureFindingsTable(client, TABLE);
    // Assess
    expect(outcome).toBe('upgraded');
    expect(await keys(client, TABLE)).toHaveLength(60);
    expect((await client.send(new ListTablesCommand({}))).TableNames).toEqual([TABLE]);
  });

  it('should finish an upgrade that was interrupted before the old table was deleted', async () => {
    // Prepare: the backup is full and the old table, without the sweep index, is still there.
    await createOldTable(client, TABLE);
    await fill(client, TABLE);
    await createOldTable(client, upgradeBackupName(TABLE));
    await fill(client, upgradeBackupName(TABLE));
    // Act
    const outcome = await ensureFindingsTable(client, TABLE);
    // Assess
    expect(outcome).toBe('upgraded');
    const { Table } = await client.send(new DescribeTableCommand({ TableName: TABLE }));
    expect((Table?.GlobalSecondaryIndexes ?? []).map((g) => g.IndexName)).toContain(S.sweepIndex.name);
    expect(await keys(client, TABLE)).toHaveLength(60);
    expect((await client.send(new ListTablesCommand({}))).TableNames).toEqual([TABLE]);
  });

  it('should create a missing table and leave a current one as it is', async () => {
    // Act
    const created = await ensureFindingsTable(client, TABLE);
    const existed = await ensureFindingsTable(client, TABLE);
    // Assess
    expect([created, existed]).toEqual(['created', 'existed']);
  });
});
