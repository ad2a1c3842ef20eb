// DynamoDB store of incidents, in the findings table beside the findings. Every open incident lives
// in one item (`INCIDENTS#OPEN`) with a version number: a change reads it, applies a pure reducer
// and writes it back only if the version is still the one it read (optimistic concurrency), else
// it reads again and re-applies. So alarms that arrive together are decided one after the other
// and never open two incidents for one cascade. Each changed incident is then copied to its own
// item (`INCIDENT#<id>`, written only forward by revision, with TTL) with one index row per
// alarmed service: what the API reads, and the history once the incident left the open item.

import {
  type AttributeValue,
  type DynamoDBClient,
  GetItemCommand,
  PutItemCommand,
  QueryCommand,
} from '@aws-sdk/client-dynamodb';
import type { Incident, OpenIncidents } from '../core/incidents/model.ts';
import { EMPTY_OPEN_INCIDENTS } from '../core/incidents/model.ts';
import { checkListQuery, decodeNext, encodeNext, isConditionFailure } from './dynamo-pages.ts';
import {
  analysisIncidentKey,
  FINDINGS_TABLE_SCHEMA,
  INCIDENT_KEY_PREFIX,
  incidentKey,
  incidentServiceKey,
  OPEN_INCIDENTS_KEY,
} from './findings-table-schema.ts';

const PK = FINDINGS_TABLE_SCHEMA.partitionKey.name;
const TTL = FINDINGS_TABLE_SCHEMA.ttlAttribute;
const IDX = FINDINGS_TABLE_SCHEMA.incidentsIndex;
const DAY_SECONDS = 86_400;
/** DynamoDB's item limit is 400 KB; the open item stops growing well before it. */
export const MAX_OPEN_DOCUMENT_BYTES = 350 * 1024;
/** Largest page a caller may ask for. */
export const MAX_INCIDENT_LIST_LIMIT = 100;

/** A reducer's answer: the new document, what to return, and the incidents whose copies to write. */
export interface Change<R> {
  readonly doc: OpenIncidents;
  readonly result: R;
  readonly touched: readonly Incident[];
}

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

export interface IncidentsStore {
  /** Applies `change` to the open incidents atomically (re-applied on a concurrent write). */
  mutate<R>(change: (doc: OpenIncidents) => Change<R>): Promise<R>;
  get(incidentId: string): Promise<Incident | undefined>;
  listByService(query: IncidentListQuery): Promise<IncidentPage>;
  /** The incident an analysis was attached to, if any. */
  incidentOf(analysisId: string): Promise<string | undefined>;
}

/** Too many writers for too long: the step fails and Step Functions retries it later. */
export class IncidentsConflictError extends Error {
  override readonly name = 'IncidentsConflictError';
}

export interface DynamoIncidentsStoreOptions {
  readonly client: DynamoDBClient;
  readonly tableName: string;
  /** Days an incident's own item is kept after its last change (TTL). */
  readonly retentionDays: number;
  /** Attempts of one change before giving up with `IncidentsConflictError`. @default 50 */
  readonly maxAttempts?: number;
  /** @default () => new Date() */
  readonly now?: () => Date;
  /** @default a full-jitter wait of up to 20·2^attempt ms, capped at 500 ms */
  readonly backoff?: (attempt: number) => Promise<void>;
}

export class DynamoIncidentsStore implements IncidentsStore {
  private readonly client: DynamoDBClient;
  private readonly tableName: string;
  private readonly retentionDays: number;
  private readonly maxAttempts: number;
  private readonly now: () => Date;
  private readonly backoff: (attempt: number) => Promise<void>;

  constructor(options: DynamoIncidentsStoreOptions) {
    if (options.tableName.trim() === '') throw new Error('tableName must not be empty');
    if (!Number.isInteger(options.retentionDays) || options.retentionDays < 1) {
      throw new Error(`retentionDays must be a whole number ≥ 1, got ${options.retentionDays}`);
    }
    this.client = options.client;
    this.tableName = options.tableName;
    this.retentionDays = options.retentionDays;
    this.maxAttempts = options.maxAttempts ?? 50;
    this.now = options.now ?? (() => new Date());
    this.backoff =
      options.backoff ??
      ((attempt) => new Promise((r) => setTimeout(r, Math.random() * Math.min(500, 20 * 2 ** attempt))));
  }

  async mutate<R>(change: (doc: OpenIncidents) => Change<R>): Promise<R> {
    for (let attempt = 0; attempt < this.maxAttempts; attempt++) {
      const current = await this.readOpen();
      const next = change(current);
      if (next.doc !== current && !(await this.writeOpen(current.version, next.doc))) {
        await this.backoff(attempt);
        continue;
      }
      // Written (or nothing to write): bring each touched incident's own copy up to date. A retry
      // of the step re-applies the reducer, which changes nothing, and writes the copies again.
      for (const incident of next.touched) await this.writeCopy(incident);
      return next.result;
    }
    throw new IncidentsConflictError(
      `the open incidents changed under ${this.maxAttempts} attempts in a row; try again`,
    );
  }

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

  private async readOpen(): Promise<OpenIncidents> {
    const out = await this.client.send(
      new GetItemCommand({
        TableName: this.tableName,
        Key: { [PK]: { S: OPEN_INCIDENTS_KEY } },
        ConsistentRead: true,
      }),
    );
    const item = out.Item;
    if (item === undefined) return EMPTY_OPEN_INCIDENTS;
    const body = JSON.parse(item.doc?.S ?? '{}') as Partial<OpenIncidents>;
    return {
      version: Number(item.version?.N ?? 0),
      incidents: body.incidents ?? [],
      earlyOks: body.earlyOks ?? [],
    };
  }

  /** False when someone else wrote first (the version moved on). */
  private async writeOpen(expected: number, doc: OpenIncidents): Promise<boolean> {
    const body = JSON.stringify({ incidents: doc.incidents, earlyOks: doc.earlyOks });
    if (Buffer.byteLength(body, 'utf8') > MAX_OPEN_DOCUMENT_BYTES) {
      throw new Error(
        `the open incidents document would exceed ${MAX_OPEN_DOCUMENT_BYTES} bytes (${doc.incidents.length} open incidents)`,
      );
    }
    try {
      await this.client.send(
        new PutItemCommand({
          TableName: this.tableName,
          Item: {
            [PK]: { S: OPEN_INCIDENTS_KEY },
            version: { N: String(expected + 1) },
            doc: { S: body },
            updatedAt: { S: this.now().toISOString() },
          },
          ConditionExpression: 'attribute_not_exists(#pk) OR #v = :v',
          ExpressionAttributeNames: { '#pk': PK, '#v': 'version' },
          ExpressionAttributeValues: { ':v': { N: String(expected) } },
        }),
      );
      return true;
    } catch (err) {
      if (isConditionFailure(err)) return false;
      throw err;
    }
  }

  /** The incident's own item and its index rows, written only if newer than what is stored. */
  private async writeCopy(incident: Incident): Promise<void> {
    const expiresAt = {
      N: String(Math.floor(this.now().getTime() / 1000) + this.retentionDays * DAY_SECONDS),
    };
    const listed: Record<string, AttributeValue> = {
      incidentId: { S: incident.incidentId },
      status: { S: incident.status },
      ...(incident.rootCause !== null ? { rootCause: { S: incident.rootCause } } : {}),
      openedAt: { S: incident.openedAt },
      lastActivityAt: { S: incident.lastActivityAt },
      alarmCount: { N: String(incident.alarms.length) },
      revision: { N: String(incident.revision) },
      [TTL]: expiresAt,
    };
    const newer = {
      ConditionExpression: 'attribute_not_exists(#pk) OR #rev < :rev',
      ExpressionAttributeNames: { '#pk': PK, '#rev': 'revision' },
      ExpressionAttributeValues: { ':rev': { N: String(incident.revision) } },
    };
    const put = async (item: Record<string, AttributeValue>) => {
      try {
        await this.client.send(new PutItemCommand({ TableName: this.tableName, Item: item, ...newer }));
      } catch (err) {
        if (!isConditionFailure(err)) throw err;
      }
    };
    await put({
      [PK]: { S: incidentKey(incident.incidentId) },
      ...listed,
      incident: { S: JSON.stringify(incident) },
    });
    // Which incident each analysis belongs to (the report links to it); never changes once written.
    for (const a of incident.analyses) {
      await this.client.send(
        new PutItemCommand({
          TableName: this.tableName,
          Item: {
            [PK]: { S: analysisIncidentKey(a.analysisId) },
            incidentId: { S: incident.incidentId },
            [TTL]: expiresAt,
          },
        }),
      );
    }
    const services = [...new Set(incident.alarms.map((a) => a.service))];
    for (const service of services) {
      await put({
        [PK]: { S: incidentServiceKey(incident.incidentId, service) },
        ...listed,
        [IDX.partitionKey.name]: { S: service },
        [IDX.sortKey.name]: { S: `${incident.openedAt}#${incident.incidentId}` },
      });
    }
  }
}
