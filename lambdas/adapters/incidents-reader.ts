// Incidents out of the findings table: one by id, listed per alarmed service newest first through
// the `incidentsByService` index, and the incident an analysis joined (GetItem and Query only; the
// writes are incidents-writer.ts, so that a function that only reads imports no PutItem).

import type * as DynamoDB from '@aws-sdk/client-dynamodb';
import type { Incident } from '../core/incidents/model.ts';
import { awsSdk } from './aws-sdk.ts';
import { checkListQuery, decodeNext, encodeNext } from './dynamo-pages.ts';
import { type AttributeValue, FindingsTable, PK } from './findings-table.ts';
import {
  analysisIncidentKey,
  FINDINGS_TABLE_SCHEMA,
  INCIDENT_KEY_PREFIX,
  incidentKey,
} from './findings-table-schema.ts';

const { GetItemCommand, QueryCommand } = awsSdk<typeof DynamoDB>('@aws-sdk/client-dynamodb');

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
    alarmCount: i.alarms.length,
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

export class DynamoIncidentsReader extends FindingsTable implements IncidentsReader {
  async get(incidentId: string): Promise<Incident | undefined> {
    const out = await this.client.send(
      new GetItemCommand({
        TableName: this.tableName,
        Key: { [PK]: { S: incidentKey(incidentId) } },
        ConsistentRead: true,
      }),
    );
    const json = out.Item?.incident?.S;
    return json === undefined ? undefined : (JSON.parse(json) as Incident);
  }

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
    const items = (out.Items ?? []).map(
      (i): IncidentSummary => ({
        incidentId: i.incidentId?.S ?? '',
        status: (i.status?.S ?? 'OPEN') as Incident['status'],
        rootCause: i.rootCause?.S ?? null,
        openedAt: i.openedAt?.S ?? '',
        lastActivityAt: i.lastActivityAt?.S ?? '',
        alarmCount: Number(i.alarmCount?.N ?? 0),
      }),
    );
    const last = out.LastEvaluatedKey;
    return last === undefined ? { items } : { items, next: encodeNext(last) };
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
