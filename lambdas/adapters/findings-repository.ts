// DynamoDB store of findings: one item per analysisId (conditional put; a result supersedes a
// FAILED finding, never the reverse), listed per service
// newest first through the `byService` index. Items stay under DynamoDB's 400 KB limit by
// compacting very large findings instead of failing.

import {
  type AttributeValue,
  ConditionalCheckFailedException,
  DynamoDBClient,
  GetItemCommand,
  PutItemCommand,
  QueryCommand,
  UpdateItemCommand,
} from '@aws-sdk/client-dynamodb';
import type { Finding, ServiceHealth } from '../core/model.ts';
import { type ClientOptions, clientConfig } from './clients.ts';
import { checkListQuery, decodeNext, encodeNext, isConditionFailure } from './dynamo-pages.ts';
import {
  ANALYSIS_KEY_PREFIX,
  analysisKey,
  byServiceSortKey,
  FINDINGS_TABLE_SCHEMA,
  findingService,
} from './findings-table-schema.ts';
import type { FindingPage, FindingSummary, FindingsRepository, ListQuery, PutOutcome } from './ports.ts';

/** The Finding JSON's budget in UTF-8 bytes: the rest of the 400 KB item is keys and list fields. */
export const MAX_FINDING_BYTES = 300 * 1024;
/** Largest page a caller may ask for. */
export const MAX_LIST_LIMIT = 1000;
const SUMMARY_MAX_CHARS = 2000;
const DAY_SECONDS = 86_400;

const PK = FINDINGS_TABLE_SCHEMA.partitionKey.name;
const SERVICE = FINDINGS_TABLE_SCHEMA.byServiceIndex.partitionKey.name;
const AT = FINDINGS_TABLE_SCHEMA.byServiceIndex.sortKey.name;
const TTL = FINDINGS_TABLE_SCHEMA.ttlAttribute;

export interface DynamoFindingsRepositoryOptions {
  /** Create it once per cold start (`createDynamoDBClient`). */
  readonly client: DynamoDBClient;
  readonly tableName: string;
  /** Days a finding is kept before DynamoDB's TTL removes it (sets `expiresAt`). */
  readonly retentionDays: number;
  /** Injectable for tests: stamps `at` when a finding has no window, and `expiresAt`. @default () => new Date() */
  readonly now?: () => Date;
}

export class DynamoFindingsRepository implements FindingsRepository {
  private readonly client: DynamoDBClient;
  private readonly tableName: string;
  private readonly retentionDays: number;
  private readonly now: () => Date;

  constructor(options: DynamoFindingsRepositoryOptions) {
    if (options.tableName.trim() === '') throw new Error('tableName must not be empty');
    if (!Number.isInteger(options.retentionDays) || options.retentionDays < 1) {
      throw new Error(`retentionDays must be a whole number ≥ 1, got ${options.retentionDays}`);
    }
    this.client = options.client;
    this.tableName = options.tableName;
    this.retentionDays = options.retentionDays;
    this.now = options.now ?? (() => new Date());
  }

  async put(finding: Finding): Promise<PutOutcome> {
    const now = this.now();
    const at = finding.window?.end ? normalizeIso(finding.window.end) : now.toISOString();
    const { finding: stored, truncated } = compactFinding(finding, MAX_FINDING_BYTES);
    const rootCause = finding.rootCauses[0]?.service;
    const item: Record<string, AttributeValue> = {
      [PK]: { S: analysisKey(finding.analysisId) },
      [SERVICE]: { S: findingService(finding) },
      [AT]: { S: byServiceSortKey(at, finding.analysisId) },
      analysisId: { S: finding.analysisId },
      status: { S: finding.status },
      ...(rootCause !== undefined ? { rootCause: { S: rootCause } } : {}),
      systemHealth: { N: String(Number.isFinite(finding.systemHealth) ? finding.systemHealth : 0) },
      summary: { S: clip(finding.summary, SUMMARY_MAX_CHARS) },
      finding: { S: JSON.stringify(stored) },
      truncated: { BOOL: truncated },
      serviceCount: { N: String(finding.services.length) },
      storedAt: { S: now.toISOString() },
      [TTL]: { N: String(Math.floor(now.getTime() / 1000) + this.retentionDays * DAY_SECONDS) },
    };
    const putIf = async (condition: string, values?: Record<string, AttributeValue>): Promise<boolean> => {
      try {
        await this.client.send(
          new PutItemCommand({
            TableName: this.tableName,
            Item: item,
            ConditionExpression: condition,
            ExpressionAttributeNames: { '#pk': PK, ...(values ? { '#status': 'status' } : {}) },
            ...(values ? { ExpressionAttributeValues: values } : {}),
          }),
        );
        return true;
      } catch (err) {
        if (err instanceof ConditionalCheckFailedException || isConditionFailure(err)) return false;
        throw err;
      }
    };
    if (await putIf('attribute_not_exists(#pk)')) return 'created';
    // A result supersedes a FAILED finding (a transient failure, then a successful redelivery);
    // a FAILED one never replaces anything, and nothing replaces a result.
    if (finding.status !== 'FAILED') {
      if (await putIf('attribute_exists(#pk) AND #status = :failed', { ':failed': { S: 'FAILED' } })) {
        return 'superseded';
      }
    }
    return 'exists';
  }

  async get(analysisId: string): Promise<Finding | undefined> {
    const out = await this.client.send(
      new GetItemCommand({
        TableName: this.tableName,
        Key: { [PK]: { S: analysisKey(analysisId) } },
        ConsistentRead: true,
      }),
    );
    const json = out.Item?.finding?.S;
    return json === undefined ? undefined : (JSON.parse(json) as Finding);
  }

  async isNotified(analysisId: string): Promise<boolean> {
    const out = await this.client.send(
      new GetItemCommand({
        TableName: this.tableName,
        Key: { [PK]: { S: analysisKey(analysisId) } },
        ProjectionExpression: 'notifiedAt',
        ConsistentRead: true,
      }),
    );
    return out.Item?.notifiedAt?.S !== undefined;
  }

  async markNotified(analysisId: string, messageId: string): Promise<boolean> {
    try {
      await this.client.send(
        new UpdateItemCommand({
          TableName: this.tableName,
          Key: { [PK]: { S: analysisKey(analysisId) } },
          UpdateExpression: 'SET notifiedAt = :at, messageId = :m',
          ConditionExpression: 'attribute_exists(#pk) AND attribute_not_exists(notifiedAt)',
          ExpressionAttributeNames: { '#pk': PK },
          ExpressionAttributeValues: { ':at': { S: this.now().toISOString() }, ':m': { S: messageId } },
        }),
      );
      return true;
    } catch (err) {
      if (isConditionFailure(err)) return false;
      throw err;
    }
  }

  async listByService(query: ListQuery): Promise<FindingPage> {
    const { from, to } = checkListQuery(query, MAX_LIST_LIMIT);
    const startKey = query.next === undefined ? undefined : decodeFindingsNext(query.next, query.service);

    // `at` is "<ISO>#<id>": "<to>$" sorts after every "<to>#…" ('$' follows '#'), so `to` is inclusive.
    const values: Record<string, AttributeValue> = { ':service': { S: query.service } };
    let range = '';
    if (from !== undefined && to !== undefined) {
      range = ' AND #at BETWEEN :from AND :to';
      values[':from'] = { S: from };
      values[':to'] = { S: `${to}$` };
    } else if (from !== undefined) {
      range = ' AND #at >= :from';
      values[':from'] = { S: from };
    } else if (to !== undefined) {
      range = ' AND #at <= :to';
      values[':to'] = { S: `${to}$` };
    }
    const out = await this.client.send(
      new QueryCommand({
        TableName: this.tableName,
        IndexName: FINDINGS_TABLE_SCHEMA.byServiceIndex.name,
        KeyConditionExpression: `#service = :service${range}`,
        ExpressionAttributeNames: { '#service': SERVICE, ...(range ? { '#at': AT } : {}) },
        ExpressionAttributeValues: values,
        ScanIndexForward: false,
        Limit: query.limit,
        ...(startKey !== undefined ? { ExclusiveStartKey: startKey } : {}),
      }),
    );
    const items = (out.Items ?? []).map(toSummary);
    const last = out.LastEvaluatedKey;
    return last === undefined ? { items } : { items, next: encodeNext(last) };
  }
}

function toSummary(item: Record<string, AttributeValue>): FindingSummary {
  const at = item[AT]?.S ?? '';
  const hash = at.indexOf('#');
  return {
    analysisId: item.analysisId?.S ?? '',
    service: item[SERVICE]?.S ?? '',
    status: (item.status?.S ?? 'FAILED') as FindingSummary['status'],
    at: hash >= 0 ? at.slice(0, hash) : at,
    rootCause: item.rootCause?.S ?? null,
    systemHealth: Number(item.systemHealth?.N ?? 0),
    summary: item.summary?.S ?? '',
  };
}

function normalizeIso(value: string): string {
  const ms = Date.parse(value);
  return Number.isNaN(ms) ? value : new Date(ms).toISOString();
}

// --- pagination tokens: base64url JSON of LastEvaluatedKey (dynamo-pages.ts), this list's own ---

export { encodeNext };

function decodeFindingsNext(token: string, service: string): Record<string, AttributeValue> {
  return decodeNext(
    token,
    [PK, SERVICE, AT],
    (key) =>
      !!key[PK]?.S?.startsWith(ANALYSIS_KEY_PREFIX) &&
      key[SERVICE]?.S === service &&
      !!key[AT]?.S?.includes('#'),
  );
}

// --- compaction: keep the key facts, shed the long lists ---

interface Caps {
  readonly services: number;
  readonly chain: number;
  readonly paths: number;
  readonly recommendations: number;
  /** Names per blast-radius list. */
  readonly blast: number;
  readonly rootCauses: number;
  readonly evidence: number;
  /** Characters per free-text field. */
  readonly text: number;
}

const ALL = Number.POSITIVE_INFINITY;
/** Tried in order; root causes stay whole until the last two, which only very odd graphs reach. */
const LEVELS: readonly Caps[] = [
  {
    services: 2000,
    chain: 2000,
    paths: 200,
    recommendations: 100,
    blast: ALL,
    rootCauses: ALL,
    evidence: ALL,
    text: ALL,
  },
  {
    services: 500,
    chain: 500,
    paths: 50,
    recommendations: 50,
    blast: ALL,
    rootCauses: ALL,
    evidence: ALL,
    text: ALL,
  },
  {
    services: 100,
    chain: 100,
    paths: 20,
    recommendations: 20,
    blast: ALL,
    rootCauses: ALL,
    evidence: ALL,
    text: ALL,
  },
  {
    services: 20,
    chain: 20,
    paths: 5,
    recommendations: 10,
    blast: 1000,
    rootCauses: ALL,
    evidence: ALL,
    text: 4000,
  },
  {
    services: 0,
    chain: 0,
    paths: 0,
    recommendations: 5,
    blast: 100,
    rootCauses: 100,
    evidence: 10,
    text: 2000,
  },
  { services: 0, chain: 0, paths: 0, recommendations: 0, blast: 10, rootCauses: 10, evidence: 3, text: 300 },
  { services: 0, chain: 0, paths: 0, recommendations: 0, blast: 0, rootCauses: 3, evidence: 1, text: 100 },
];

const ROLE_ORDER: Record<ServiceHealth['role'], number> = {
  origin: 0,
  propagator: 1,
  affected: 2,
  healthy: 3,
};

/**
 * The finding itself when its JSON fits `maxBytes`; otherwise a compacted copy: services limited to
 * the non-healthy ones, dependency chain and other lists shortened, status, summary and root causes
 * kept (root causes are only cut when nothing else is left to shed).
 */
export function compactFinding(finding: Finding, maxBytes: number): { finding: Finding; truncated: boolean } {
  if (byteLength(JSON.stringify(finding)) <= maxBytes) return { finding, truncated: false };
  const notHealthy = finding.services
    .map((s, i) => ({ s, i }))
    .filter(({ s }) => s.role !== 'healthy' || s.unhealthy || s.anomalous)
    .sort((a, b) => ROLE_ORDER[a.s.role] - ROLE_ORDER[b.s.role] || a.i - b.i)
    .map(({ s }) => s);
  let compacted: Finding | undefined;
  for (const caps of LEVELS) {
    compacted = applyCaps(finding, notHealthy, caps);
    if (byteLength(JSON.stringify(compacted)) <= maxBytes) return { finding: compacted, truncated: true };
  }
  // Only absurd names get here (every list already cut to a handful): keep the identity and status.
  return {
    finding: {
      ...(compacted ?? finding),
      rootCauses: [],
      services: [],
      dependencyChain: [],
      cascade: { paths: [] },
      recommendations: [],
      summary: clip(finding.summary, 1000),
      ...(finding.error !== undefined ? { error: clip(finding.error, 1000) } : {}),
    },
    truncated: true,
  };
}

function applyCaps(f: Finding, notHealthy: readonly ServiceHealth[], caps: Caps): Finding {
  const text = (s: string): string => clip(s, caps.text);
  return {
    ...f,
    summary: text(f.summary),
    ...(f.error !== undefined ? { error: text(f.error) } : {}),
    rootCauses: f.rootCauses.slice(0, cap(caps.rootCauses)).map((rc) => ({
      ...rc,
      evidence: rc.evidence.slice(0, cap(caps.evidence)).map((e) => ({ ...e, text: text(e.text) })),
      blastRadius: {
        ...rc.blastRadius,
        affected: rc.blastRadius.affected.slice(0, cap(caps.blast)),
        atRisk: rc.blastRadius.atRisk.slice(0, cap(caps.blast)),
        entryPoints: rc.blastRadius.entryPoints.slice(0, cap(caps.blast)),
      },
    })),
    services: notHealthy.slice(0, cap(caps.services)),
    dependencyChain: f.dependencyChain.slice(0, cap(caps.chain)),
    cascade: { paths: f.cascade.paths.slice(0, cap(caps.paths)) },
    recommendations: f.recommendations
      .slice(0, cap(caps.recommendations))
      .map((r) => ({ ...r, text: text(r.text) })),
  };
}

function cap(n: number): number | undefined {
  return Number.isFinite(n) ? n : undefined;
}

function clip(s: string, max: number): string {
  if (!Number.isFinite(max) || s.length <= max) return s;
  return `${s.slice(0, Math.max(0, max - 1))}…`;
}

function byteLength(s: string): number {
  return Buffer.byteLength(s, 'utf8');
}

export function createDynamoDBClient(options: ClientOptions = {}): DynamoDBClient {
  return new DynamoDBClient(clientConfig(options));
}
