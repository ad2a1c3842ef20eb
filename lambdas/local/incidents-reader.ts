// Reads the incidents the local runtime stored, like findings-reader.ts reads findings: straight
// from the data folder's table, or through the API of the `serve` process that holds the folder.

import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoFeedbackLookup } from '../adapters/feedback-lookup.ts';
import { INCIDENT_KEY_PREFIX } from '../adapters/findings-table-schema.ts';
import { DynamoIncidentsStore, type IncidentSummary, summaryOf } from '../adapters/incidents-store.ts';
import { type ConfirmedCause, confirmedCause } from '../core/feedback.ts';
import type { Incident } from '../core/incidents/model.ts';
import type { DataDir } from './data-dir.ts';
import { LOCAL_TABLE_NAME } from './local-aws.ts';
import { getFromServe, openLocalTable, scanLocalTable, serveApiName } from './local-table.ts';

export interface IncidentsReader {
  readonly source: string;
  /** False through the API of `serve`, which lists one service at a time. */
  readonly listsEveryService: boolean;
  /** The incident, with the root cause on-call confirmed when a verdict names one (issue 21). */
  get(incidentId: string): Promise<(Incident & { readonly confirmedRootCause?: ConfirmedCause }) | undefined>;
  /** Newest first; one service's (through the API a service is required), or every one's. */
  list(service: string | undefined, limit: number): Promise<IncidentSummary[]>;
  close(): Promise<void>;
}

export async function openIncidents(dir: DataDir, command: string): Promise<IncidentsReader | undefined> {
  const table = await openLocalTable(dir, command);
  if (table === undefined) return undefined;
  if (table.kind === 'api') return apiReader(table.endpoint);
  const store = new DynamoIncidentsStore({
    client: table.client,
    tableName: LOCAL_TABLE_NAME,
    retentionDays: 1,
  });
  const feedback = new DynamoFeedbackLookup({
    client: table.client,
    tableName: LOCAL_TABLE_NAME,
    retentionDays: 1,
  });
  return {
    source: dir.root,
    listsEveryService: true,
    async get(id) {
      const incident = await store.get(id);
      if (incident === undefined || incident.currentAnalysisId === null) return incident;
      const record = await feedback.get(incident.currentAnalysisId);
      const confirmed = record === undefined ? undefined : confirmedCause(record);
      return confirmed === undefined ? incident : { ...incident, confirmedRootCause: confirmed };
    },
    async list(service, limit) {
      if (service !== undefined) return [...(await store.listByService({ service, limit })).items];
      return (await scanIncidents(table.client)).slice(0, limit);
    },
    close: () => table.close(),
  };
}

/** Every incident copy of the table, newest first (a local table is small enough to scan). */
async function scanIncidents(client: DynamoDBClient): Promise<IncidentSummary[]> {
  const items = await scanLocalTable(client, {
    FilterExpression: 'begins_with(pk, :p) AND attribute_exists(incident)',
    ExpressionAttributeValues: { ':p': { S: INCIDENT_KEY_PREFIX } },
  });
  const found = items.map((item) => summaryOf(JSON.parse(item.incident?.S ?? '{}') as Incident));
  return found.sort((a, b) => (a.openedAt < b.openedAt ? 1 : a.openedAt > b.openedAt ? -1 : 0));
}

function apiReader(endpoint: string): IncidentsReader {
  const call = (path: string) => getFromServe(endpoint, path);
  return {
    source: serveApiName(endpoint),
    listsEveryService: false,
    async get(id) {
      const r = await call(`/incidents/${encodeURIComponent(id)}`);
      return r.status === 404 ? undefined : (r.body as Incident & { confirmedRootCause?: ConfirmedCause });
    },
    async list(service, limit) {
      if (service === undefined) {
        throw new Error(
          `reading through ${endpoint}, which lists one service at a time: give --service NAME`,
        );
      }
      const r = await call(`/incidents?${new URLSearchParams({ service, limit: String(limit) })}`);
      return (r.body as { items: IncidentSummary[] }).items;
    },
    close: async () => undefined,
  };
}
