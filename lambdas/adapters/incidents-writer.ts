// Incidents into the findings table, one item per incident (`INCIDENT#<id>`, with a `revision`).
// A change names its scope — an alarm to attach, an alarm back to OK, or one incident — and the
// writer reads just the incidents that scope involves, consistently: for an alarm, the open
// incidents near its services (through the `OPEN_NEAR#<service>` items, each with a `version`),
// the incident already holding it (its `ANALYSIS_INCIDENT#<analysisId>` membership) and its alarm's
// state (`ALARM_STATE#<alarmKey>`). It applies a pure reducer and writes back what changed in one
// transaction: each incident only if its revision is the one read, each index item only if its
// version is, the membership only if absent. A conflict reads again and re-applies. So two alarms
// that could belong together are decided one after the other (they share an index item), alarms of
// unrelated services never wait for each other, and a write touches a bounded number of items
// whatever the number of alarms or incidents.

import type * as DynamoDB from '@aws-sdk/client-dynamodb';
import type { Incident, OpenIncidents } from '../core/incidents/model.ts';
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
  alarmStateKey,
  analysisIncidentKey,
  FINDINGS_TABLE_SCHEMA,
  incidentKey,
  incidentServiceKey,
  nearServiceKey,
  SWEEP_KINDS,
} from './findings-table-schema.ts';

const { BatchGetItemCommand, PutItemCommand, TransactWriteItemsCommand } =
  awsSdk<typeof DynamoDB>('@aws-sdk/client-dynamodb');

const IDX = FINDINGS_TABLE_SCHEMA.incidentsIndex;
const SWEEP = FINDINGS_TABLE_SCHEMA.sweepIndex;
const DAY_SECONDS = 86_400;

/** Services of an alarm whose index items are read to find its incident: itself and its neighbours first. */
export const MAX_LOOKUP_SERVICES = 30;
/** Services an open incident is indexed under: its alarmed services, then their neighbours, then its cascade. */
export const MAX_INDEXED_SERVICES = 40;
/** Incidents one alarm may merge at once (the next alarm of the cascade merges the rest). */
export const MAX_MERGED_PER_CHANGE = 6;
/** DynamoDB's limit of actions in one TransactWriteItems. */
const MAX_TRANSACTION_ITEMS = 100;
/** How many `mergedInto` links a read follows to the incident holding an alarm. */
const MAX_MERGE_HOPS = 4;

/** A reducer's answer: the new working set, what to return, and incidents it closed or dropped from it. */
export interface Change<R> {
  readonly doc: OpenIncidents;
  readonly result: R;
  readonly touched: readonly Incident[];
}

/** Which incidents a change involves: what the writer reads before it applies the reducer. */
export type IncidentScope =
  | {
      readonly kind: 'attach';
      readonly analysisId: string;
      readonly alarmKey: string;
      /** ISO-8601: when the alarm fired; incidents idle longer than `windowMinutes` before it are skipped. */
      readonly firedAt: string;
      readonly windowMinutes: number;
      /** The alarm's service, then its neighbours, then its cascade: where its incident may be indexed. */
      readonly services: readonly string[];
    }
  | { readonly kind: 'alarm-ok'; readonly alarmKey: string }
  | { readonly kind: 'incident'; readonly incidentId: string };

export interface IncidentsWriter {
  /** Applies `change` to the incidents `scope` involves, atomically (re-applied on a concurrent write). */
  mutate<R>(scope: IncidentScope, change: (doc: OpenIncidents) => Change<R>): Promise<R>;
}

/** Too many writers for too long: the step fails and Step Functions retries it later. */
export class IncidentsConflictError extends Error {
  override readonly name = 'IncidentsConflictError';
}

/** One successful write of a change: what it was for and how many items it wrote (and checked). */
export interface IncidentsWrite {
  readonly scope: IncidentScope;
  readonly items: number;
}

export interface DynamoIncidentsStoreOptions extends DynamoFindingsRepositoryOptions {
  /** Attempts of one change before giving up with `IncidentsConflictError`. @default 50 */
  readonly maxAttempts?: number;
  /** @default a full-jitter wait of up to 20·2^attempt ms, capped at 500 ms */
  readonly backoff?: (attempt: number) => Promise<void>;
  /** Told of every write, for measurements (the chaos test prints the most items one alarm wrote). */
  readonly onWrite?: (write: IncidentsWrite) => void;
}

type Item = Record<string, AttributeValue>;

interface Versioned {
  readonly version: number;
  readonly exists: boolean;
}

interface NearItem extends Versioned {
  /** incidentId → when it opened. */
  readonly open: Readonly<Record<string, string>>;
}

interface AlarmStateItem extends Versioned {
  /** incidentId → when the alarm fired there. */
  readonly holders: Readonly<Record<string, string>>;
  readonly earlyOkAt?: string;
}

interface Loaded {
  readonly doc: OpenIncidents;
  /** Every incident read, by id, as stored (MERGED ones too). */
  readonly incidents: ReadonlyMap<string, Incident>;
  /** Incident ids read as no longer open (pruned from the index items written). */
  readonly closed: ReadonlySet<string>;
  readonly near: Map<string, NearItem>;
  readonly alarm?: AlarmStateItem;
  readonly pointer?: string;
}

type Action = NonNullable<DynamoDB.TransactWriteItemsInput['TransactItems']>[number];

export class DynamoIncidentsWriter extends FindingsTable implements IncidentsWriter {
  private readonly maxAttempts: number;
  private readonly backoff: (attempt: number) => Promise<void>;
  private readonly onWrite: ((write: IncidentsWrite) => void) | undefined;

  constructor(options: DynamoIncidentsStoreOptions) {
    super(options);
    this.maxAttempts = options.maxAttempts ?? 50;
    this.backoff =
      options.backoff ??
      ((attempt) => new Promise((r) => setTimeout(r, Math.random() * Math.min(500, 20 * 2 ** attempt))));
    this.onWrite = options.onWrite;
  }

  async mutate<R>(scope: IncidentScope, change: (doc: OpenIncidents) => Change<R>): Promise<R> {
    for (let attempt = 0; attempt < this.maxAttempts; attempt++) {
      const loaded = await this.load(scope);
      const next = change(loaded.doc);
      const actions = await this.plan(scope, loaded, next);
      if (actions.length === 0) return next.result;
      if (await this.commit(actions)) {
        this.onWrite?.({ scope, items: actions.length });
        return next.result;
      }
      await this.backoff(attempt);
    }
    throw new IncidentsConflictError(
      `the incidents changed under ${this.maxAttempts} attempts in a row; try again`,
    );
  }

  // --- reading -------------------------------------------------------------------------------

  private async load(scope: IncidentScope): Promise<Loaded> {
    if (scope.kind === 'incident') {
      const incidents = await this.followMerges([scope.incidentId]);
      return this.loaded(incidents, new Map(), undefined, undefined, []);
    }
    if (scope.kind === 'alarm-ok') {
      const [alarmItem] = await this.batchGet([alarmStateKey(scope.alarmKey)]);
      const alarm = alarmStateOf(alarmItem);
      const incidents = await this.followMerges(Object.keys(alarm.holders));
      const earlyOks = alarm.earlyOkAt ? [{ alarmKey: scope.alarmKey, at: alarm.earlyOkAt }] : [];
      return this.loaded(incidents, new Map(), alarm, undefined, earlyOks);
    }
    const services = lookupServices(scope.services);
    const items = await this.batchGet([
      ...services.map(nearServiceKey),
      alarmStateKey(scope.alarmKey),
      analysisIncidentKey(scope.analysisId),
    ]);
    const near = new Map<string, NearItem>();
    for (const [i, s] of services.entries()) near.set(s, nearItemOf(items[i]));
    const alarm = alarmStateOf(items[services.length]);
    const pointer = items[services.length + 1]?.incidentId?.S;
    // The open incidents near the alarm's services, by a light read first: only those whose last
    // activity is within the window (and the one already holding this analysis) are read whole.
    const candidates = new Set<string>();
    for (const n of near.values()) for (const id of Object.keys(n.open)) candidates.add(id);
    const summaries = await this.summaries([...candidates]);
    const at = Date.parse(scope.firedAt);
    const windowMs = scope.windowMinutes * 60_000;
    const wanted = new Set<string>(pointer === undefined ? [] : [pointer]);
    const closed = new Set<string>();
    for (const [id, s] of summaries) {
      if (s.status === 'MERGED' && s.mergedInto !== undefined) wanted.add(s.mergedInto);
      else if (s.status !== 'OPEN') closed.add(id);
      else if (Math.abs(at - Date.parse(s.lastActivityAt)) <= windowMs) wanted.add(id);
    }
    for (const id of candidates) if (!summaries.has(id)) closed.add(id);
    const incidents = await this.followMerges([...wanted]);
    const earlyOks = alarm.earlyOkAt ? [{ alarmKey: scope.alarmKey, at: alarm.earlyOkAt }] : [];
    const loaded = this.loaded(incidents, near, alarm, pointer, earlyOks, scope.analysisId);
    for (const id of closed) (loaded.closed as Set<string>).add(id);
    return loaded;
  }

  private loaded(
    incidents: Map<string, Incident>,
    near: Map<string, NearItem>,
    alarm: AlarmStateItem | undefined,
    pointer: string | undefined,
    earlyOks: OpenIncidents['earlyOks'],
    analysisId?: string,
  ): Loaded {
    const live = [...incidents.values()].filter((i) => i.status !== 'MERGED');
    const closed = new Set(
      [...incidents.values()].filter((i) => i.status !== 'OPEN').map((i) => i.incidentId),
    );
    const holder = pointer === undefined ? undefined : holderId(incidents, pointer);
    return {
      doc: {
        version: 0,
        incidents: live,
        earlyOks,
        ...(analysisId !== undefined && holder !== undefined ? { attached: { [analysisId]: holder } } : {}),
      },
      incidents,
      closed,
      near,
      ...(alarm !== undefined ? { alarm } : {}),
      ...(pointer !== undefined ? { pointer } : {}),
    };
  }

  /** The incidents `ids` name, and those they were merged into, whole. */
  private async followMerges(ids: readonly string[]): Promise<Map<string, Incident>> {
    const found = new Map<string, Incident>();
    let wanted = [...new Set(ids)];
    for (let hop = 0; hop <= MAX_MERGE_HOPS && wanted.length > 0; hop++) {
      const items = await this.batchGet(wanted.map(incidentKey));
      const next: string[] = [];
      for (const item of items) {
        const json = item?.incident?.S;
        if (json === undefined) continue;
        const incident = JSON.parse(json) as Incident;
        found.set(incident.incidentId, incident);
        if (
          incident.status === 'MERGED' &&
          incident.mergedInto !== undefined &&
          !found.has(incident.mergedInto)
        )
          next.push(incident.mergedInto);
      }
      wanted = next;
    }
    return found;
  }

  /** Status, last activity and merge target of each incident (a projection: the JSON is not sent). */
  private async summaries(
    ids: readonly string[],
  ): Promise<Map<string, { status: string; lastActivityAt: string; mergedInto?: string }>> {
    const items = await this.batchGet(ids.map(incidentKey), {
      ProjectionExpression: 'incidentId, #s, lastActivityAt, mergedInto',
      ExpressionAttributeNames: { '#s': 'status' },
    });
    const out = new Map<string, { status: string; lastActivityAt: string; mergedInto?: string }>();
    for (const item of items) {
      const id = item?.incidentId?.S;
      if (item === undefined || id === undefined) continue;
      const mergedInto = item.mergedInto?.S;
      out.set(id, {
        status: item.status?.S ?? 'OPEN',
        lastActivityAt: item.lastActivityAt?.S ?? '',
        ...(mergedInto !== undefined ? { mergedInto } : {}),
      });
    }
    return out;
  }

  /** Consistent reads of `keys`, in their order (undefined where no item), 100 keys a call. */
  private async batchGet(
    keys: readonly string[],
    projection: { ProjectionExpression?: string; ExpressionAttributeNames?: Record<string, string> } = {},
  ): Promise<(Item | undefined)[]> {
    const byKey = new Map<string, Item>();
    const unique = [...new Set(keys)];
    for (let i = 0; i < unique.length; i += 100) {
      let request: Record<string, DynamoDB.KeysAndAttributes> | undefined = {
        [this.tableName]: {
          Keys: unique.slice(i, i + 100).map((k) => ({ [PK]: { S: k } })),
          ConsistentRead: true,
          ...(projection.ProjectionExpression !== undefined
            ? { ProjectionExpression: `${PK}, ${projection.ProjectionExpression}` }
            : {}),
          ...(projection.ExpressionAttributeNames !== undefined
            ? { ExpressionAttributeNames: projection.ExpressionAttributeNames }
            : {}),
        },
      };
      for (let round = 0; request !== undefined && Object.keys(request).length > 0; round++) {
        if (round > 0) await this.backoff(round);
        const out: DynamoDB.BatchGetItemCommandOutput = await this.client.send(
          new BatchGetItemCommand({ RequestItems: request }),
        );
        for (const item of out.Responses?.[this.tableName] ?? []) {
          const k = item[PK]?.S;
          if (k !== undefined) byKey.set(k, item);
        }
        request = out.UnprocessedKeys;
      }
    }
    return keys.map((k) => byKey.get(k));
  }

  // --- writing -------------------------------------------------------------------------------

  /** The writes that make the table what the reducer decided, each conditional on what was read. */
  private async plan<R>(scope: IncidentScope, loaded: Loaded, next: Change<R>): Promise<Action[]> {
    const expiresAt = {
      N: String(Math.floor(this.now().getTime() / 1000) + this.retentionDays * DAY_SECONDS),
    };
    const changed = new Map<string, Incident>();
    for (const i of [...next.doc.incidents, ...next.touched]) {
      const before = loaded.incidents.get(i.incidentId);
      if (before === undefined || before.revision !== i.revision) changed.set(i.incidentId, i);
    }
    const earlyBefore = loaded.doc.earlyOks.find(
      (o) => scope.kind !== 'incident' && o.alarmKey === scope.alarmKey,
    );
    const earlyAfter = next.doc.earlyOks.find(
      (o) => scope.kind !== 'incident' && o.alarmKey === scope.alarmKey,
    );
    const earlyChanged = earlyBefore?.at !== earlyAfter?.at;
    if (changed.size === 0 && !earlyChanged) return [];

    const actions: Action[] = [];
    const closed = new Set(loaded.closed);
    for (const i of changed.values()) if (i.status !== 'OPEN') closed.add(i.incidentId);

    for (const incident of changed.values()) {
      const before = loaded.incidents.get(incident.incidentId);
      actions.push({
        Put: {
          TableName: this.tableName,
          Item: this.incidentItem(incident, expiresAt),
          ...(before === undefined
            ? { ConditionExpression: 'attribute_not_exists(#pk)', ExpressionAttributeNames: { '#pk': PK } }
            : {
                ConditionExpression: '#rev = :rev',
                ExpressionAttributeNames: { '#rev': 'revision' },
                ExpressionAttributeValues: { ':rev': { N: String(before.revision) } },
              }),
        },
      });
      // The list by alarmed service: one row per (incident, service), written once.
      const listedBefore = new Set(before?.alarms.map((a) => a.service) ?? []);
      for (const service of new Set(incident.alarms.map((a) => a.service))) {
        if (listedBefore.has(service)) continue;
        actions.push({
          Put: { TableName: this.tableName, Item: this.serviceRow(incident, service, expiresAt) },
        });
      }
    }

    // The index of open incidents near each service: entries added where an open incident is now
    // indexed and was not, stale ones pruned, and every item this change read checked unchanged.
    const additions = new Map<string, Map<string, string>>();
    for (const incident of changed.values()) {
      if (incident.status !== 'OPEN') continue;
      const before = loaded.incidents.get(incident.incidentId);
      const had = new Set(before?.status === 'OPEN' ? indexedServices(before) : []);
      for (const s of indexedServices(incident)) {
        if (had.has(s)) continue;
        const add = additions.get(s) ?? new Map<string, string>();
        add.set(incident.incidentId, incident.openedAt);
        additions.set(s, add);
      }
    }
    const unread = [...additions.keys()].filter((s) => !loaded.near.has(s));
    const extra = await this.batchGet(unread.map(nearServiceKey));
    for (const [i, s] of unread.entries()) loaded.near.set(s, nearItemOf(extra[i]));
    for (const [service, item] of loaded.near) {
      const add = additions.get(service);
      const stale = Object.keys(item.open).filter((id) => closed.has(id));
      const condition = versionCondition(item);
      if (add === undefined && stale.length === 0) {
        // Read to find this alarm's incident: unchanged, or an incident opened there meanwhile.
        const key = { [PK]: { S: nearServiceKey(service) } };
        actions.push({ ConditionCheck: { TableName: this.tableName, Key: key, ...condition } });
        continue;
      }
      const open: Record<string, string> = { ...item.open };
      for (const id of stale) delete open[id];
      for (const [id, at] of add ?? []) open[id] = at;
      actions.push({
        Put: {
          TableName: this.tableName,
          Item: {
            [PK]: { S: nearServiceKey(service) },
            version: { N: String(item.version + 1) },
            open: { M: Object.fromEntries(Object.entries(open).map(([id, at]) => [id, { S: at }])) },
            [TTL]: expiresAt,
          },
          ...condition,
        },
      });
    }

    // The alarm's state: the incidents holding it in ALARM, and an OK that came first.
    if (scope.kind !== 'incident' && loaded.alarm !== undefined) {
      const holders: Record<string, string> = {};
      const after = new Map<string, Incident>([...loaded.incidents, ...changed]);
      if (scope.kind === 'attach') {
        for (const [id, at] of Object.entries(loaded.alarm.holders)) if (!closed.has(id)) holders[id] = at;
      }
      for (const i of after.values()) {
        if (i.status === 'MERGED') continue;
        const a = i.alarms.find((x) => x.alarmKey === scope.alarmKey && x.state === 'ALARM');
        if (a !== undefined) holders[i.incidentId] = a.firedAt;
      }
      const same =
        !earlyChanged &&
        Object.keys(holders).sort().join() === Object.keys(loaded.alarm.holders).sort().join();
      if (!same) {
        actions.push({
          Put: {
            TableName: this.tableName,
            Item: {
              [PK]: { S: alarmStateKey(scope.alarmKey) },
              version: { N: String(loaded.alarm.version + 1) },
              holders: { M: Object.fromEntries(Object.entries(holders).map(([id, at]) => [id, { S: at }])) },
              ...(earlyAfter !== undefined ? { earlyOkAt: { S: earlyAfter.at } } : {}),
              [TTL]: expiresAt,
            },
            ...versionCondition(loaded.alarm),
          },
        });
      }
    }

    // Membership: the analysis is in exactly one incident, recorded once.
    if (scope.kind === 'attach' && loaded.pointer === undefined) {
      const holder = [...changed.values()].find(
        (i) => i.status !== 'MERGED' && i.alarms.some((a) => a.analysisId === scope.analysisId),
      );
      if (holder !== undefined) {
        actions.push({
          Put: {
            TableName: this.tableName,
            Item: {
              [PK]: { S: analysisIncidentKey(scope.analysisId) },
              incidentId: { S: holder.incidentId },
              [TTL]: expiresAt,
            },
            ConditionExpression: 'attribute_not_exists(#pk)',
            ExpressionAttributeNames: { '#pk': PK },
          },
        });
      }
    }
    if (actions.length > MAX_TRANSACTION_ITEMS) {
      throw new Error(
        `one incident change would write ${actions.length} items, over DynamoDB's ${MAX_TRANSACTION_ITEMS} per transaction`,
      );
    }
    return actions;
  }

  /** False when a condition failed or another transaction got there first: read again. */
  private async commit(actions: Action[]): Promise<boolean> {
    try {
      const [only] = actions;
      if (actions.length === 1 && only?.Put !== undefined) {
        await this.client.send(new PutItemCommand(only.Put));
      } else {
        await this.client.send(new TransactWriteItemsCommand({ TransactItems: actions }));
      }
      return true;
    } catch (err) {
      if (isConditionFailure(err) || isTransactionConflict(err)) return false;
      throw err;
    }
  }

  private incidentItem(incident: Incident, expiresAt: AttributeValue): Item {
    const pending = incident.notifications.find((n) => !n.sent);
    // In the sweep index while the incident is open or a message of it is unsent.
    const swept = incident.status === 'OPEN' || pending !== undefined;
    return {
      [PK]: { S: incidentKey(incident.incidentId) },
      incidentId: { S: incident.incidentId },
      status: { S: incident.status },
      ...(incident.rootCause !== null ? { rootCause: { S: incident.rootCause } } : {}),
      ...(incident.mergedInto !== undefined ? { mergedInto: { S: incident.mergedInto } } : {}),
      openedAt: { S: incident.openedAt },
      lastActivityAt: { S: incident.lastActivityAt },
      // For "seen before" (past-findings.ts): how long a past incident took, without its JSON.
      ...(incident.resolvedAt !== undefined ? { resolvedAt: { S: incident.resolvedAt } } : {}),
      alarmCount: { N: String(incident.alarmCount ?? incident.alarms.length) },
      revision: { N: String(incident.revision) },
      incident: { S: JSON.stringify(incident) },
      ...(swept
        ? {
            [SWEEP.partitionKey.name]: { S: SWEEP_KINDS.incident },
            [SWEEP.sortKey.name]: { S: `${incident.lastActivityAt}#${incident.incidentId}` },
          }
        : {}),
      ...(pending !== undefined ? { pendingAt: { S: pending.decidedAt } } : {}),
      ...(pending?.claimedAt !== undefined ? { pendingClaimedAt: { S: pending.claimedAt } } : {}),
      [TTL]: expiresAt,
    };
  }

  private serviceRow(incident: Incident, service: string, expiresAt: AttributeValue): Item {
    return {
      [PK]: { S: incidentServiceKey(incident.incidentId, service) },
      incidentId: { S: incident.incidentId },
      openedAt: { S: incident.openedAt },
      [IDX.partitionKey.name]: { S: service },
      [IDX.sortKey.name]: { S: `${incident.openedAt}#${incident.incidentId}` },
      [TTL]: expiresAt,
    };
  }
}

/** The services an open incident is found through: alarmed ones, their neighbours, then its cascade. */
export function indexedServices(incident: Incident): string[] {
  const alarmed = [...new Set(incident.alarms.map((a) => a.service))].sort();
  return [...new Set([...alarmed, ...incident.near, ...incident.reach])].slice(0, MAX_INDEXED_SERVICES);
}

/** The services whose index items an alarm reads: the order given (the alarm's own first), bounded. */
export function lookupServices(services: readonly string[]): string[] {
  return [...new Set(services)].slice(0, MAX_LOOKUP_SERVICES);
}

function holderId(incidents: ReadonlyMap<string, Incident>, id: string): string | undefined {
  let current = incidents.get(id);
  for (let hop = 0; hop <= MAX_MERGE_HOPS && current?.status === 'MERGED' && current.mergedInto; hop++) {
    current = incidents.get(current.mergedInto);
  }
  return current?.status === 'MERGED' ? undefined : current?.incidentId;
}

function versionOf(item: Item | undefined): Versioned {
  return { version: Number(item?.version?.N ?? 0), exists: item !== undefined };
}

function nearItemOf(item: Item | undefined): NearItem {
  const open = Object.fromEntries(Object.entries(item?.open?.M ?? {}).map(([id, v]) => [id, v.S ?? '']));
  return { ...versionOf(item), open };
}

function alarmStateOf(item: Item | undefined): AlarmStateItem {
  const holders = Object.fromEntries(
    Object.entries(item?.holders?.M ?? {}).map(([id, v]) => [id, v.S ?? '']),
  );
  const earlyOkAt = item?.earlyOkAt?.S;
  return { ...versionOf(item), holders, ...(earlyOkAt !== undefined ? { earlyOkAt } : {}) };
}

/** The item is still the one read: the same version, or still absent. */
function versionCondition(item: Versioned) {
  return item.exists
    ? {
        ConditionExpression: '#v = :v',
        ExpressionAttributeNames: { '#v': 'version' },
        ExpressionAttributeValues: { ':v': { N: String(item.version) } },
      }
    : { ConditionExpression: 'attribute_not_exists(#pk)', ExpressionAttributeNames: { '#pk': PK } };
}

function isTransactionConflict(err: unknown): boolean {
  const e = err as { name?: unknown; CancellationReasons?: { Code?: string }[] };
  if (e.name !== 'TransactionCanceledException') return e.name === 'TransactionConflictException';
  return (e.CancellationReasons ?? []).every(
    (r) => r.Code === undefined || ['None', 'ConditionalCheckFailed', 'TransactionConflict'].includes(r.Code),
  );
}
