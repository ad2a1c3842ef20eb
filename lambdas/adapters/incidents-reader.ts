// Incidents out of the findings table: one by id, listed per alarmed service newest first through
// the `incidentsByService` index (its rows name the incidents; what a list shows of each is read
// from the incident itself, so a list and a get never disagree), and the incident an analysis
// joined (GetItem, BatchGetItem and Query only; the writes are incidents-writer.ts, so that a
// function that only reads imports no PutItem).

import type * as DynamoDB from '@aws-sdk/client-dynamodb';
import type { Incident } from '../core/incidents/model.ts';
import { awsSdk } from './aws-sdk.ts';
import { checkListQuery, decodeNext, encodeNext } from './dynamo-pages.ts';
import { type AttributeValue, PK } from './findings-table.ts';
import {
  analysisIncidentKey,
  FINDINGS_TABLE_SCHEMA,
  INCIDENT_KEY_PREFIX,
  incidentKey,
} from './findings-table-schema.ts';
import { DynamoIncidentLookup } from './incident-lookup.ts';

const { BatchGetItemCommand, GetItemCommand, QueryCommand } =
  awsSdk<typeof DynamoDB>('@aws-sdk/client-dynamodb');

const IDX = FINDINGS_TABLE_SCHEMA.incidentsIndex;
/** Largest page a caller may ask for. */
export const MAX_INCIDENT_LIST_LIMIT = 100;

export interface IncidentSummary {
  readonly incidentId: string;
  readonly status: Incident['status'];
  readonly rootCause: string | null;
  readonly openedAt: string;
  readonly lastActivityAt: string;
  readonly alarmCount: number;
}

/** What a list of incidents shows of one. */
export function summaryOf(i: Incident): IncidentSummary {
  return {
    incidentId: i.incidentId,
    status: i.status,
    rootCause: i.rootCause,
    openedAt: i.openedAt,
    lastActivityAt: i.lastActivityAt,
    alarmCount: i.alarmCount ?? i.alarms.length,
  };
}

export interface IncidentPage {
  readonly items: readonly IncidentSummary[];
  readonly next?: string;
}

export interface IncidentListQuery {
  readonly service: string;
  readonly from?: string;
  readonly to?: string;
  readonly limit: number;
  readonly next?: string;
}

export interface IncidentsReader {
  get(incidentId: string): Promise<Incident | undefined>;
  listByService(query: IncidentListQuery): Promise<IncidentPage>;
  /** The incident an analysis was attached to, if any. */
  incidentOf(analysisId: string): Promise<string | undefined>;
}

export class DynamoIncidentsReader extends DynamoIncidentLookup implements IncidentsReader {
  async listByService(query: IncidentListQuery): Promise<IncidentPage> {
    const { from, to } = checkListQuery(query, MAX_INCIDENT_LIST_LIMIT);
    const values: Record<string, AttributeValue> = {
      ':service': { S: query.service },
      ':from': { S: from ?? '0' },
      ':to': { S: `${to ?? '9'}$` },
    };
    const out = await this.client.send(
      new QueryCommand({
        TableName: this.tableName,
        IndexName: IDX.name,
        KeyConditionExpression: '#s = :service AND #at BETWEEN :from AND :to',
        ExpressionAttributeNames: { '#s': IDX.partitionKey.name, '#at': IDX.sortKey.name },
        ExpressionAttributeValues: values,
        ScanIndexForward: false,
        Limit: query.limit,
        ...(query.next !== undefined
          ? {
              ExclusiveStartKey: decodeNext(
                query.next,
                [PK, IDX.partitionKey.name, IDX.sortKey.name],
                (key) =>
                  !!key[PK]?.S?.startsWith(INCIDENT_KEY_PREFIX) &&
                  key[IDX.partitionKey.name]?.S === query.service,
              ),
            }
          : {}),
      }),
    );
    const ids = (out.Items ?? []).map((i) => i.incidentId?.S ?? '').filter((id) => id !== '');
    const current = await this.summaries(ids);
    const items = ids.flatMap((id) => current.get(id) ?? []);
    const last = out.LastEvaluatedKey;
    return last === undefined ? { items } : { items, next: encodeNext(last) };
  }

  /** What a list shows of each incident, as stored now (one BatchGetItem: a page is at most 100). */
  private async summaries(ids: readonly string[]): Promise<Map<string, IncidentSummary>> {
    const found = new Map<string, IncidentSummary>();
    let request: Record<string, DynamoDB.KeysAndAttributes> | undefined =
      ids.length === 0
        ? undefined
        : {
            [this.tableName]: {
              Keys: [...new Set(ids)].map((id) => ({ [PK]: { S: incidentKey(id) } })),
              ProjectionExpression: 'incidentId, #s, rootCause, openedAt, lastActivityAt, alarmCount',
              ExpressionAttributeNames: { '#s': 'status' },
            },
          };
    for (let round = 0; request !== undefined && Object.keys(request).length > 0 && round < 10; round++) {
      const out: DynamoDB.BatchGetItemCommandOutput = await this.client.send(
        new BatchGetItemCommand({ RequestItems: request }),
      );
      for (const i of out.Responses?.[this.tableName] ?? []) {
        const id = i.incidentId?.S;
        if (id === undefined) continue;
        found.set(id, {
          incidentId: id,
          status: (i.status?.S ?? 'OPEN') as Incident['status'],
          rootCause: i.rootCause?.S ?? null,
          openedAt: i.openedAt?.S ?? '',
          lastActivityAt: i.lastActivityAt?.S ?? '',
          alarmCount: Number(i.alarmCount?.N ?? 0),
        });
      }
      request = out.UnprocessedKeys;
    }
    return found;
  }

  async incidentOf(analysisId: string): Promise<string | undefined> {
    const out = await this.client.send(
      new GetItemCommand({
        TableName: this.tableName,
        Key: { [PK]: { S: analysisIncidentKey(analysisId) } },
      }),
    );
    return out.Item?.incidentId?.S;
  }
}
