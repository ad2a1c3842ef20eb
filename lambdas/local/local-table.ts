// Opening the data folder's table for reading, as the `findings` and `incidents` commands do:
// nothing when nothing was stored yet, the API of the `serve` process that holds the folder (LevelDB
// allows one process), or the folder itself through an embedded dynalite.

import { existsSync } from 'node:fs';
import {
  type AttributeValue,
  type DynamoDBClient,
  ScanCommand,
  type ScanCommandInput,
} from '@aws-sdk/client-dynamodb';
import { createDynamoDBClient } from '../adapters/findings-repository.ts';
import { BadRequestError } from '../adapters/ports.ts';
import { type DataDir, DataDirBusyError, lockDataDir } from './data-dir.ts';
import { startDynalite } from './dynamodb.ts';
import { LOCAL_TABLE_NAME, localClientOptions } from './local-aws.ts';

export type LocalTable =
  | { readonly kind: 'api'; readonly endpoint: string }
  | { readonly kind: 'table'; readonly client: DynamoDBClient; close(): Promise<void> };

/** How the readers name the API of the `serve` process they read through. */
export function serveApiName(endpoint: string): string {
  return `the API of "cascade-analyzer serve" on ${endpoint}`;
}

/**
 * GET `path` from the API of the `serve` process that holds the folder: its status and its JSON
 * body (the text when it is not JSON). A 404 is an answer; any other error status throws with the
 * API's message.
 */
export async function getFromServe(
  endpoint: string,
  path: string,
): Promise<{ status: number; body: unknown }> {
  const res = await fetch(`${endpoint}${path}`, { signal: AbortSignal.timeout(30_000) });
  const text = await res.text();
  let body: unknown;
  try {
    body = JSON.parse(text);
  } catch {
    body = text;
  }
  if (res.status >= 400 && res.status !== 404) {
    const message = (body as { message?: unknown } | undefined)?.message;
    const said = `${serveApiName(endpoint)} answered ${res.status}: ${String(message ?? text)}`;
    // 400 is the caller's bad query (a --next token it never returned), as the table itself says.
    throw res.status === 400 ? new BadRequestError(said) : new Error(said);
  }
  return { status: res.status, body };
}

export async function openLocalTable(dir: DataDir, command: string): Promise<LocalTable | undefined> {
  if (!existsSync(dir.dynamodb)) return undefined;
  let lock: Awaited<ReturnType<typeof lockDataDir>>;
  try {
    lock = await lockDataDir(dir, command);
  } catch (err) {
    if (err instanceof DataDirBusyError && err.holder.apiEndpoint !== undefined) {
      return { kind: 'api', endpoint: err.holder.apiEndpoint };
    }
    throw err;
  }
  try {
    const dynamo = await startDynalite({ path: dir.dynamodb });
    const client = createDynamoDBClient(localClientOptions(dynamo.endpoint));
    return {
      kind: 'table',
      client,
      async close() {
        client.destroy();
        await dynamo.stop();
        await lock.release();
      },
    };
  } catch (err) {
    await lock.release();
    throw err;
  }
}

/** Every item a Scan of the local table returns, page after page (a local table is small enough). */
export async function scanLocalTable(
  client: DynamoDBClient,
  input: Omit<ScanCommandInput, 'TableName' | 'ExclusiveStartKey'>,
): Promise<Record<string, AttributeValue>[]> {
  const items: Record<string, AttributeValue>[] = [];
  let start: ScanCommandInput['ExclusiveStartKey'];
  do {
    const out = await client.send(
      new ScanCommand({
        ...input,
        TableName: LOCAL_TABLE_NAME,
        ...(start !== undefined ? { ExclusiveStartKey: start } : {}),
      }),
    );
    items.push(...(out.Items ?? []));
    start = out.LastEvaluatedKey;
  } while (start !== undefined);
  return items;
}
