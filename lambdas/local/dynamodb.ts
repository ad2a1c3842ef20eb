// The embedded DynamoDB: dynalite in this process, its data in a folder (or in memory), with
// TransactWriteItems added in front of it (dynalite-transactions.ts), and the findings table
// created as the CDK construct declares it (keys, indexes, TTL).

import type { Server } from 'node:http';
import { createRequire } from 'node:module';
import type { AddressInfo } from 'node:net';
import {
  type AttributeValue,
  BatchWriteItemCommand,
  CreateTableCommand,
  DeleteTableCommand,
  DescribeTableCommand,
  type DynamoDBClient,
  ResourceNotFoundException,
  ScanCommand,
  type TableDescription,
  UpdateTimeToLiveCommand,
  type WriteRequest,
} from '@aws-sdk/client-dynamodb';
import { FINDINGS_TABLE_SCHEMA } from '../adapters/findings-table-schema.ts';
import { transactionsFront } from './dynalite-transactions.ts';
import { closeServer } from './xray-endpoint.ts';

export interface EmbeddedDynamo {
  /** `http://127.0.0.1:<port>` */
  readonly endpoint: string;
  stop(): Promise<void>;
}

type DynaliteFactory = (options: Record<string, unknown>) => Server;

/**
 * dynalite on a free local port; tables become ACTIVE at once. With `path` its LevelDB files live
 * there (one process at a time: see data-dir.ts's lock); without, everything is in memory.
 */
export async function startDynalite(options: { readonly path?: string } = {}): Promise<EmbeddedDynamo> {
  const dynalite = createRequire(import.meta.url)('dynalite') as DynaliteFactory;
  const server = dynalite({
    createTableMs: 0,
    deleteTableMs: 0,
    updateTableMs: 0,
    ...(options.path !== undefined ? { path: options.path } : {}),
  });
  const listen = (s: Server) =>
    new Promise<void>((resolve, reject) => {
      s.once('error', reject);
      s.listen(0, '127.0.0.1', resolve);
    });
  await listen(server);
  const front = transactionsFront(server);
  await listen(front);
  const { port } = front.address() as AddressInfo;
  return {
    endpoint: `http://127.0.0.1:${port}`,
    stop: async () => {
      await closeServer(front);
      await closeServer(server);
    },
  };
}

/**
 * Creates the findings table as the CDK construct does (keys, indexes, TTL) and waits
 * until it and its index are ACTIVE. Returns whether TTL could be enabled: dynalite has no
 * UpdateTimeToLive, DynamoDB Local has.
 */
export async function createFindingsTable(
  client: DynamoDBClient,
  tableName: string,
): Promise<{ ttlEnabled: boolean }> {
  const s = FINDINGS_TABLE_SCHEMA;
  await client.send(
    new CreateTableCommand({
      TableName: tableName,
      BillingMode: 'PAY_PER_REQUEST',
      AttributeDefinitions: [
        { AttributeName: s.partitionKey.name, AttributeType: s.partitionKey.type },
        ...schemaIndexes().flatMap(indexAttributes),
      ],
      KeySchema: [{ AttributeName: s.partitionKey.name, KeyType: 'HASH' }],
      GlobalSecondaryIndexes: schemaIndexes().map(indexDefinition),
    }),
  );
  await waitUntilActive(client, tableName);
  try {
    await client.send(
      new UpdateTimeToLiveCommand({
        TableName: tableName,
        TimeToLiveSpecification: { AttributeName: s.ttlAttribute, Enabled: true },
      }),
    );
    return { ttlEnabled: true };
  } catch (err) {
    if ((err as { name?: unknown }).name === 'UnknownOperationException') return { ttlEnabled: false };
    throw err;
  }
}

/** The shape every index of the findings table schema has. */
interface IndexSchema {
  readonly name: string;
  readonly partitionKey: { readonly name: string; readonly type: 'S' | 'N' };
  readonly sortKey: { readonly name: string; readonly type: 'S' | 'N' };
  readonly nonKeyAttributes: readonly string[];
}

/** A global secondary index of the findings table as CreateTable and UpdateTable take it. */
function indexDefinition(index: IndexSchema) {
  return {
    IndexName: index.name,
    KeySchema: [
      { AttributeName: index.partitionKey.name, KeyType: 'HASH' as const },
      { AttributeName: index.sortKey.name, KeyType: 'RANGE' as const },
    ],
    Projection: { ProjectionType: 'INCLUDE' as const, NonKeyAttributes: [...index.nonKeyAttributes] },
  };
}

/** The attribute definitions an index's keys need. */
function indexAttributes(index: IndexSchema) {
  return [
    { AttributeName: index.partitionKey.name, AttributeType: index.partitionKey.type },
    { AttributeName: index.sortKey.name, AttributeType: index.sortKey.type },
  ];
}

/** Every global secondary index the findings table schema declares. */
function schemaIndexes(): IndexSchema[] {
  const s = FINDINGS_TABLE_SCHEMA;
  return [s.byServiceIndex, s.incidentsIndex, s.sweepIndex, s.historyIndex];
}

function hasEveryIndex(table: TableDescription): boolean {
  const present = new Set((table.GlobalSecondaryIndexes ?? []).map((g) => g.IndexName));
  return schemaIndexes().every((i) => present.has(i.name));
}

/** The table a rebuild keeps the items in until they are back (upgradeFindingsTable). */
export function upgradeBackupName(tableName: string): string {
  return `${tableName}-upgrade-backup`;
}

/**
 * Creates the findings table unless an earlier run already did. A data folder from an older
 * version whose table lacks an index the schema now declares is upgraded: dynalite cannot add an
 * index to a table (UpdateTable with a new index fails or creates none), so the table is rebuilt
 * with every index and its items copied back. The items wait in a backup table meanwhile; a rebuild
 * that was interrupted (the process killed) is finished on the next start, so nothing is lost.
 */
export async function ensureFindingsTable(
  client: DynamoDBClient,
  tableName: string,
): Promise<'created' | 'existed' | 'upgraded'> {
  const backup = upgradeBackupName(tableName);
  if ((await describe(client, backup)) !== undefined) {
    // An interrupted upgrade: the backup holds every item; the table may be the old one still,
    // gone, or rebuilt and half-filled.
    const left = await describe(client, tableName);
    if (left !== undefined && !hasEveryIndex(left)) {
      await dropTable(client, tableName);
    }
    if (left === undefined || !hasEveryIndex(left)) await createFindingsTable(client, tableName);
    await copyItems(client, backup, tableName);
    await dropTable(client, backup);
    return 'upgraded';
  }
  const table = await describe(client, tableName);
  if (table === undefined) {
    await createFindingsTable(client, tableName);
    return 'created';
  }
  await waitUntilActive(client, tableName);
  if (hasEveryIndex(table)) return 'existed';
  await upgradeFindingsTable(client, tableName, table);
  return 'upgraded';
}

/** Rebuilds the table with the schema's indexes, its items kept in a backup table meanwhile. */
async function upgradeFindingsTable(
  client: DynamoDBClient,
  tableName: string,
  table: TableDescription,
): Promise<void> {
  const backup = upgradeBackupName(tableName);
  const keys = new Set((table.KeySchema ?? []).map((k) => k.AttributeName));
  await client.send(
    new CreateTableCommand({
      TableName: backup,
      BillingMode: 'PAY_PER_REQUEST',
      KeySchema: table.KeySchema,
      AttributeDefinitions: (table.AttributeDefinitions ?? []).filter((a) => keys.has(a.AttributeName)),
    }),
  );
  await waitUntilActive(client, backup);
  await copyItems(client, tableName, backup);
  await dropTable(client, tableName);
  await createFindingsTable(client, tableName);
  await copyItems(client, backup, tableName);
  await dropTable(client, backup);
}

/** Copies every item of one table into another (Scan pages, BatchWriteItem by 25, unprocessed retried). */
async function copyItems(client: DynamoDBClient, from: string, to: string): Promise<number> {
  let copied = 0;
  let start: Record<string, AttributeValue> | undefined;
  do {
    const page = await client.send(new ScanCommand({ TableName: from, ExclusiveStartKey: start }));
    const items = page.Items ?? [];
    for (let i = 0; i < items.length; i += 25) {
      let pending: WriteRequest[] = items.slice(i, i + 25).map((Item) => ({ PutRequest: { Item } }));
      for (let attempt = 0; pending.length > 0; attempt++) {
        if (attempt >= 10)
          throw new Error(
            `copying ${from} to ${to}: ${pending.length} item(s) not written after 10 attempts`,
          );
        const r = await client.send(new BatchWriteItemCommand({ RequestItems: { [to]: pending } }));
        pending = r.UnprocessedItems?.[to] ?? [];
        if (pending.length > 0) await new Promise((done) => setTimeout(done, 50 * 2 ** attempt));
      }
    }
    copied += items.length;
    start = page.LastEvaluatedKey;
  } while (start !== undefined);
  return copied;
}

async function describe(client: DynamoDBClient, tableName: string): Promise<TableDescription | undefined> {
  try {
    return (await client.send(new DescribeTableCommand({ TableName: tableName }))).Table;
  } catch (err) {
    if (
      err instanceof ResourceNotFoundException ||
      (err as { name?: unknown }).name === 'ResourceNotFoundException'
    )
      return undefined;
    throw err;
  }
}

/** Deletes a table and waits until it is gone (a DELETING table still answers DescribeTable). */
async function dropTable(client: DynamoDBClient, tableName: string): Promise<void> {
  await client.send(new DeleteTableCommand({ TableName: tableName }));
  const deadline = Date.now() + 20_000;
  while ((await describe(client, tableName)) !== undefined) {
    if (Date.now() > deadline) throw new Error(`table ${tableName} was not deleted within 20 s`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

async function waitUntilActive(client: DynamoDBClient, tableName: string): Promise<void> {
  const deadline = Date.now() + 20_000;
  for (;;) {
    const { Table } = await client.send(new DescribeTableCommand({ TableName: tableName }));
    const ready =
      Table?.TableStatus === 'ACTIVE' &&
      (Table.GlobalSecondaryIndexes ?? []).every((g) => g.IndexStatus === 'ACTIVE');
    if (ready) return;
    if (Date.now() > deadline) throw new Error(`table ${tableName} did not become ACTIVE within 20 s`);
    await new Promise((r) => setTimeout(r, 50));
  }
}
