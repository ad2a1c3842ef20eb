// Findings out of DynamoDB: one by analysisId, or listed per service newest first through the
// `byService` index, with opaque pagination tokens checked strictly on the way back in.

import type * as DynamoDB from '@aws-sdk/client-dynamodb';
import { awsSdk } from './aws-sdk.ts';
import { checkListQuery, decodeNext, encodeNext } from './dynamo-pages.ts';
import { DynamoFindingLookup } from './findings-lookup.ts';
import { AT, type AttributeValue, PK, SERVICE } from './findings-table.ts';
import { ANALYSIS_KEY_PREFIX, FINDINGS_TABLE_SCHEMA } from './findings-table-schema.ts';
import type { FindingPage, FindingSummary, FindingsReader, ListQuery } from './ports.ts';

const { QueryCommand } = awsSdk<typeof DynamoDB>('@aws-sdk/client-dynamodb');

export { encodeNext };

/** Largest page a caller may ask for. */
export const MAX_LIST_LIMIT = 1000;

export class DynamoFindingsReader extends DynamoFindingLookup implements FindingsReader {
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

// --- pagination tokens: base64url JSON of LastEvaluatedKey (dynamo-pages.ts), this list's own ---

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
