// Incidents into the findings table. Every open incident lives in one item (`INCIDENTS#OPEN`)
// with a version number: a change reads it, applies a pure reducer and writes it back only if the
// version is still the one it read (optimistic concurrency), else it reads again and re-applies.
// So alarms that arrive together are decided one after the other and never open two incidents for
// one cascade. Each changed incident is then copied to its own item (`INCIDENT#<id>`, written only
// forward by revision, with TTL) with one index row per alarmed service (incidents-reader.ts).

import type * as DynamoDB from '@aws-sdk/client-dynamodb';
import type { Incident, OpenIncidents } from '../core/incidents/model.ts';
import { EMPTY_OPEN_INCIDENTS } from '../core/incidents/model.ts';
import { awsSdk } from './aws-sdk.ts';
import { isConditionFailure } from './dynamo-pages.ts';
import {
  type AttributeValue,
  type DynamoFindingsRepositoryOptions,
  FindingsTable,
  PK,
  TTL,
} from './findings-table.ts';
import {
  analysisIncidentKey,
  FINDINGS_TABLE_SCHEMA,
  incidentKey,
  incidentServiceKey,
  OPEN_INCIDENTS_KEY,
} from './findings-table-schema.ts';

const { GetItemCommand, PutItemCommand } = awsSdk<typeof DynamoDB>('@aws-sdk/client-dynamodb');

const IDX = FINDINGS_TABLE_SCHEMA.incidentsIndex;
const DAY_SECONDS = 86_400;
/** DynamoDB's item limit is 400 KB; the open item stops growing well before it. */
export const MAX_OPEN_DOCUMENT_BYTES = 350 * 1024;

/** A reducer's answer: the new document, what to return, and the incidents whose copies to write. */
export interface Change<R> {
  readonly doc: OpenIncidents;
  readonly result: R;
  readonly touched: readonly Incident[];
}

export interface IncidentsWriter {
  /** Applies `change` to the open incidents atomically (re-applied on a concurrent write). */
  mutate<R>(change: (doc: OpenIncidents) => Change<R>): Promise<R>;
}

/** Too many writers for too long: the step fails and Step Functions retries it later. */
export class IncidentsConflictError extends Error {
  override readonly name = 'IncidentsConflictError';
}

export interface DynamoIncidentsStoreOptions extends DynamoFindingsRepositoryOptions {
  /** Attempts of one change before giving up with `IncidentsConflictError`. @default 50 */
  readonly maxAttempts?: number;
  /** @default a full-jitter wait of up to 20·2^attempt ms, capped at 500 ms */
  readonly backoff?: (attempt: number) => Promise<void>;
}

export class DynamoIncidentsWriter extends FindingsTable implements IncidentsWriter {
  private readonly maxAttempts: number;
  private readonly backoff: (attempt: number) => Promise<void>;

  constructor(options: DynamoIncidentsStoreOptions) {
    super(options);
    this.maxAttempts = options.maxAttempts ?? 50;
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

  /** The services whose index rows the stored copy of an incident has (its alarms' services). */
  private async indexedServices(incidentId: string): Promise<string[]> {
    const out = await this.client.send(
      new GetItemCommand({
        TableName: this.tableName,
        Key: { [PK]: { S: incidentKey(incidentId) } },
        ConsistentRead: true,
      }),
    );
    const item = out.Item;
    if (item === undefined) return [];
    const found = new Set<string>();
    try {
      const kept = JSON.parse(item.indexedServices?.S ?? '[]') as unknown;
      if (Array.isArray(kept)) for (const s of kept) if (typeof s === 'string') found.add(s);
      const stored = JSON.parse(item.incident?.S ?? '{}') as Partial<Incident>;
      for (const a of stored.alarms ?? []) found.add(a.service);
    } catch {
      // An unreadable copy has no services to bring up to date.
    }
    return [...found];
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
    // One index row per service the incident has alarms on. A merged incident's alarms moved to the
    // one it joined, but its rows must say MERGED too, or the lists by service would still show it
    // OPEN with its alarms: so the services indexed before are kept on the item and rewritten.
    const services = [...new Set(incident.alarms.map((a) => a.service))];
    if (incident.status === 'MERGED') {
      for (const s of await this.indexedServices(incident.incidentId)) {
        if (!services.includes(s)) services.push(s);
      }
    }
    await put({
      [PK]: { S: incidentKey(incident.incidentId) },
      ...listed,
      incident: { S: JSON.stringify(incident) },
      indexedServices: { S: JSON.stringify(services) },
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
