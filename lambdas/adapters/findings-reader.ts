// Findings out of DynamoDB: one by analysisId, or listed per service newest first through the
// `byService` index, with opaque pagination tokens checked strictly on the way back in.

import type * as DynamoDB from '@aws-sdk/client-dynamodb';
import type { Finding } from '../core/model.ts';
import { awsSdk } from './aws-sdk.ts';
import { AT, type AttributeValue, FindingsTable, PK, SERVICE } from './findings-table.ts';
import { ANALYSIS_KEY_PREFIX, analysisKey, FINDINGS_TABLE_SCHEMA } from './findings-table-schema.ts';
import {
  BadRequestError,
  type FindingPage,
  type FindingSummary,
  type FindingsReader,
  type ListQuery,
} from './ports.ts';

const { GetItemCommand, QueryCommand } = awsSdk<typeof DynamoDB>('@aws-sdk/client-dynamodb');

/** Largest page a caller may ask for. */
export const MAX_LIST_LIMIT = 1000;

export class DynamoFindingsReader extends FindingsTable implements FindingsReader {
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

  async listByService(query: ListQuery): Promise<FindingPage> {
    if (query.service === '') throw new BadRequestError('service must not be empty');
    if (!Number.isInteger(query.limit) || query.limit < 1 || query.limit > MAX_LIST_LIMIT) {
      throw new BadRequestError(`limit must be a whole number from 1 to ${MAX_LIST_LIMIT}`);
    }
    const from = query.from === undefined ? undefined : parseBound(query.from, 'from');
    const to = query.to === undefined ? undefined : parseBound(query.to, 'to');
    if (from !== undefined && to !== undefined && from > to) {
      throw new BadRequestError('from must not be later than to');
    }
    const startKey = query.next === undefined ? undefined : decodeNext(query.next, query.service);

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

function parseBound(value: string, name: string): string {
  const ms = Date.parse(value);
  if (Number.isNaN(ms)) throw new BadRequestError(`${name} must be an ISO-8601 time`);
  return new Date(ms).toISOString();
}

// --- pagination tokens: base64url JSON of LastEvaluatedKey, checked strictly on the way back in ---

const KEY_NAMES = [PK, SERVICE, AT].sort();

export function encodeNext(key: Record<string, AttributeValue>): string {
  return Buffer.from(JSON.stringify(key), 'utf8').toString('base64url');
}

function decodeNext(token: string, service: string): Record<string, AttributeValue> {
  const bad = (): BadRequestError => new BadRequestError('next is not a token this list returned');
  if (token.length === 0 || token.length > 4096 || !/^[A-Za-z0-9_-]+$/.test(token)) throw bad();
  let parsed: unknown;
  try {
    parsed = JSON.parse(Buffer.from(token, 'base64url').toString('utf8'));
  } catch {
    throw bad();
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) throw bad();
  const entries = Object.entries(parsed);
  if (
    entries
      .map(([k]) => k)
      .sort()
      .join('\n') !== KEY_NAMES.join('\n')
  )
    throw bad();
  const key: Record<string, AttributeValue> = {};
  for (const [k, v] of entries) {
    if (typeof v !== 'object' || v === null || Object.keys(v).length !== 1) throw bad();
    const s = (v as { S?: unknown }).S;
    if (typeof s !== 'string' || s === '') throw bad();
    key[k] = { S: s };
  }
  if (
    !key[PK]?.S?.startsWith(ANALYSIS_KEY_PREFIX) ||
    key[SERVICE]?.S !== service ||
    !key[AT]?.S?.includes('#')
  ) {
    throw bad();
  }
  return key;
}
