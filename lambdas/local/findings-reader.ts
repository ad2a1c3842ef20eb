// Reads the findings the local runtime stored: straight from the data folder's table, or — when a
// `serve` process has the folder open (LevelDB allows one process) — through that process's API.

import { type DynamoDBClient, ResourceNotFoundException } from '@aws-sdk/client-dynamodb';
import { DynamoFindingsRepository } from '../adapters/findings-repository.ts';
import { FINDINGS_TABLE_SCHEMA } from '../adapters/findings-table-schema.ts';
import type { FindingPage, FindingSummary, ListQuery } from '../adapters/ports.ts';
import type { Finding } from '../core/model.ts';
import type { DataDir } from './data-dir.ts';
import { LOCAL_TABLE_NAME } from './local-aws.ts';
import { getFromServe, openLocalTable, scanLocalTable, serveApiName } from './local-table.ts';

export interface FindingsReader {
  /** Where the findings are read from, for the terminal. */
  readonly source: string;
  get(analysisId: string): Promise<Finding | undefined>;
  /** One service's findings, newest first, a page at a time. */
  listByService(query: ListQuery): Promise<FindingPage>;
  /** Every service with findings; undefined when this reader cannot tell (through the API). */
  services(): Promise<string[] | undefined>;
  close(): Promise<void>;
}

/** The newest findings of every service (or of `services`), merged newest first. */
export async function listAll(
  reader: FindingsReader,
  query: Omit<ListQuery, 'service' | 'next'>,
  services: readonly string[],
): Promise<FindingSummary[]> {
  const pages = await Promise.all(services.map((service) => reader.listByService({ ...query, service })));
  return pages
    .flatMap((p) => p.items)
    .sort((a, b) => (a.at < b.at ? 1 : a.at > b.at ? -1 : a.analysisId < b.analysisId ? 1 : -1))
    .slice(0, query.limit);
}

/**
 * Opens the findings of a data folder. Undefined when nothing was ever stored there; the API of the
 * `serve` process holding the folder, when one does; the folder itself otherwise.
 */
export async function openFindings(dir: DataDir, command: string): Promise<FindingsReader | undefined> {
  const table = await openLocalTable(dir, command);
  if (table === undefined) return undefined;
  if (table.kind === 'api') return apiReader(table.endpoint);
  const { client } = table;
  const repository = new DynamoFindingsRepository({ client, tableName: LOCAL_TABLE_NAME, retentionDays: 1 });
  const orEmpty = async <T>(read: () => Promise<T>, empty: T): Promise<T> => {
    try {
      return await read();
    } catch (err) {
      if (isMissingTable(err)) return empty;
      throw err;
    }
  };
  return {
    source: dir.root,
    get: (id) => orEmpty(() => repository.get(id), undefined),
    listByService: (q) => orEmpty(() => repository.listByService(q), { items: [] }),
    services: () => orEmpty(() => scanServices(client), []),
    close: () => table.close(),
  };
}

function isMissingTable(err: unknown): boolean {
  return (
    err instanceof ResourceNotFoundException ||
    (err as { name?: unknown }).name === 'ResourceNotFoundException'
  );
}

/** The distinct services of the table (a local table is small enough to scan). */
async function scanServices(client: DynamoDBClient): Promise<string[]> {
  const attr = FINDINGS_TABLE_SCHEMA.byServiceIndex.partitionKey.name;
  const items = await scanLocalTable(client, {
    ProjectionExpression: '#s',
    ExpressionAttributeNames: { '#s': attr },
  });
  const names = new Set(items.flatMap((item) => (item[attr]?.S !== undefined ? [item[attr].S] : [])));
  return [...names].sort();
}

/** The routes of the running `serve`: GET /analyses?service=… and GET /analyses/{id}. */
function apiReader(endpoint: string): FindingsReader {
  const call = (path: string) => getFromServe(endpoint, path);
  return {
    source: serveApiName(endpoint),
    async get(id) {
      const r = await call(`/analyses/${encodeURIComponent(id)}`);
      return r.status === 404 ? undefined : (r.body as Finding);
    },
    async listByService(q) {
      const params = new URLSearchParams({ service: q.service, limit: String(q.limit) });
      if (q.from !== undefined) params.set('from', q.from);
      if (q.to !== undefined) params.set('to', q.to);
      if (q.next !== undefined) params.set('next', q.next);
      const r = await call(`/analyses?${params}`);
      const body = r.body as { items: FindingSummary[]; next: string | null };
      return body.next === null ? { items: body.items } : { items: body.items, next: body.next };
    },
    services: async () => undefined,
    close: async () => undefined,
  };
}
