// The embedded DynamoDB: dynalite in this process, its data in a folder (or in memory), with
// TransactWriteItems added in front of it (dynalite-transactions.ts), and the findings table
// created as the CDK construct declares it (keys, indexes, TTL).

import type { Server } from 'node:http';
import { createRequire } from 'node:module';
import type { AddressInfo } from 'node:net';
import {
  type AttributeValue,
  BatchWriteItemCommand,
  type BatchWriteItemCommandInput,
  CreateTableCommand,
  DeleteTableCommand,
  DescribeTableCommand,
  type DynamoDBClient,
  ResourceNotFoundException,
  ScanCommand,
  UpdateTimeToLiveCommand,
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
  const idx = s.byServiceIndex;
  const inc = s.incidentsIndex;
  const sweep = s.sweepIndex;
  const history = s.historyIndex;
  await client.send(
    new CreateTableCommand({
      TableName: tableName,
      BillingMode: 'PAY_PER_REQUEST',
      AttributeDefinitions: [
        { AttributeName: s.partitionKey.name, AttributeType: s.partitionKey.type },
        ...[idx, inc, sweep, history].flatMap(indexAttributes),
      ],
      KeySchema: [{ AttributeName: s.partitionKey.name, KeyType: 'HASH' }],
      GlobalSecondaryIndexes: [...[idx, inc, sweep, history].map(indexDefinition)],
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

/** Creates the findings table unless an earlier run already did. */
export async function ensureFindingsTable(
  client: DynamoDBClient,
  tableName: string,
): Promise<'created' | 'existed'> {
  try {
    const { Table } = await client.send(new DescribeTableCommand({ TableName: tableName }));
    await waitUntilActive(client, tableName);
    // A data folder from before an index (sweep, history): dynalite cannot add one with UpdateTable
    // (it wants provisioned throughput), so the table is created again with its items copied over.
    const have = new Set((Table?.GlobalSecondaryIndexes ?? []).map((g) => g.IndexName));
    const s = FINDINGS_TABLE_SCHEMA;
    if (![s.sweepIndex, s.historyIndex].every((index) => have.has(index.name))) {
      await recreateWithItems(client, tableName);
    }
    return 'existed';
  } catch (err) {
    if (
      !(err instanceof ResourceNotFoundException) &&
      (err as { name?: unknown }).name !== 'ResourceNotFoundException'
    ) {
      throw err;
    }
  }
  await createFindingsTable(client, tableName);
  return 'created';
}

/** Creates the table again as the schema declares it, with every item it held. */
async function recreateWithItems(client: DynamoDBClient, tableName: string): Promise<void> {
  const items: Record<string, AttributeValue>[] = [];
  let start: Record<string, AttributeValue> | undefined;
  do {
    const out = await client.send(
      new ScanCommand({ TableName: tableName, ...(start !== undefined ? { ExclusiveStartKey: start } : {}) }),
    );
    items.push(...(out.Items ?? []));
    start = out.LastEvaluatedKey;
  } while (start !== undefined);
  await client.send(new DeleteTableCommand({ TableName: tableName }));
  await createFindingsTable(client, tableName);
  for (let i = 0; i < items.length; i += 25) {
    let writes: BatchWriteItemCommandInput['RequestItems'] = {
      [tableName]: items.slice(i, i + 25).map((Item) => ({ PutRequest: { Item } })),
    };
    for (let round = 0; writes !== undefined && Object.keys(writes).length > 0; round++) {
      if (round > 20) throw new Error(`could not copy the items of ${tableName} into its new table`);
      writes = (await client.send(new BatchWriteItemCommand({ RequestItems: writes }))).UnprocessedItems;
    }
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
