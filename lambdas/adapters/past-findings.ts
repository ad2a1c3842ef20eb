// Past findings a new one may look like (issue 21, "seen before"), found through indexes within a
// bounded lookback, never a scan: the `history` index by first root cause and the `byService` index
// by alarmed service, each read newest first and at most MAX_SEEN_BEFORE_CANDIDATES deep, then the
// verdict records, incident memberships and incidents of those (BatchGetItem). The choice among
// them is pure (lambdas/core/seen-before.ts).

import type * as DynamoDB from '@aws-sdk/client-dynamodb';
import { confirmedCause, type FeedbackRecord } from '../core/feedback.ts';
import { MAX_SEEN_BEFORE_CANDIDATES, type PastFinding } from '../core/seen-before.ts';
import { awsSdk } from './aws-sdk.ts';
import { type AttributeValue, FindingsTable, PK } from './findings-table.ts';
import {
  analysisIncidentKey,
  FINDINGS_TABLE_SCHEMA,
  feedbackKey,
  historyCauseKey,
  incidentKey,
} from './findings-table-schema.ts';

const { BatchGetItemCommand, QueryCommand } = awsSdk<typeof DynamoDB>('@aws-sdk/client-dynamodb');

export interface PastQuery {
  /** The new finding's first root cause. */
  readonly rootCause: string;
  /** The alarmed service it is filed under. */
  readonly service: string;
  /** ISO-8601 bounds of the lookback: findings filed in [from, to). */
  readonly from: string;
  readonly to: string;
}

export interface PastFindingsLookup {
  find(query: PastQuery): Promise<PastFinding[]>;
}

export class DynamoPastFindings extends FindingsTable implements PastFindingsLookup {
  async find(query: PastQuery): Promise<PastFinding[]> {
    const h = FINDINGS_TABLE_SCHEMA.historyIndex;
    const s = FINDINGS_TABLE_SCHEMA.byServiceIndex;
    // `to` is exclusive: "<to>#" sorts before every "<to>#<id>", and the new finding itself is at `to`.
    const [byCause, byService] = await Promise.all([
      this.ids(h.name, h.partitionKey.name, h.sortKey.name, historyCauseKey(query.rootCause), query),
      this.ids(s.name, s.partitionKey.name, s.sortKey.name, query.service, query),
    ]);
    const ids = [...new Set([...byCause, ...byService])];
    if (ids.length === 0) return [];
    const items = await this.batchGet([
      ...ids.map((id) => feedbackKey(id)),
      ...ids.map((id) => analysisIncidentKey(id)),
    ]);
    const incidentOf = new Map<string, string>();
    for (const id of ids) {
      const inc = items.get(analysisIncidentKey(id))?.incidentId?.S;
      if (inc !== undefined) incidentOf.set(id, inc);
    }
    // Only what "seen before" says of an incident: its status and times, not its JSON (up to 90 KB).
    const incidents = await this.batchGet([...new Set(incidentOf.values())].map(incidentKey), {
      ProjectionExpression: '#pk, #s, openedAt, resolvedAt',
      ExpressionAttributeNames: { '#pk': PK, '#s': 'status' },
    });
    return ids.flatMap((id): PastFinding[] => {
      const record = parse(items.get(feedbackKey(id))?.feedback?.S);
      const top = record?.rootCauses[0]?.service;
      if (record === undefined || top === undefined) return [];
      const confirmed = confirmedCause(record);
      const incId = incidentOf.get(id);
      const inc = incId === undefined ? undefined : incidents.get(incidentKey(incId));
      return [
        {
          analysisId: id,
          at: record.at,
          service: record.service,
          rootCause: top,
          cascade: record.cascade,
          ...(confirmed !== undefined
            ? { confirmed: { service: confirmed.service, verdict: confirmed.verdict, by: confirmed.by } }
            : {}),
          ...(inc !== undefined && incId !== undefined
            ? {
                incident: {
                  incidentId: incId,
                  status: (inc.status?.S ?? 'OPEN') as NonNullable<PastFinding['incident']>['status'],
                  openedAt: inc.openedAt?.S ?? record.at,
                  ...(inc.resolvedAt?.S !== undefined ? { resolvedAt: inc.resolvedAt.S } : {}),
                },
              }
            : {}),
        },
      ];
    });
  }

  /** The analysis ids of one index partition in [from, to), newest first, at most the bound. */
  private async ids(
    index: string,
    keyName: string,
    atName: string,
    key: string,
    q: PastQuery,
  ): Promise<string[]> {
    const out = await this.client.send(
      new QueryCommand({
        TableName: this.tableName,
        IndexName: index,
        KeyConditionExpression: '#k = :k AND #at BETWEEN :from AND :to',
        ExpressionAttributeNames: { '#k': keyName, '#at': atName },
        ExpressionAttributeValues: { ':k': { S: key }, ':from': { S: q.from }, ':to': { S: `${q.to}#` } },
        ScanIndexForward: false,
        Limit: MAX_SEEN_BEFORE_CANDIDATES,
      }),
    );
    return (out.Items ?? []).flatMap((i) => (i.analysisId?.S !== undefined ? [i.analysisId.S] : []));
  }

  /** Items by key (at most 100 keys: one BatchGetItem, then its unprocessed keys). */
  private async batchGet(
    keys: readonly string[],
    projection: Omit<DynamoDB.KeysAndAttributes, 'Keys'> = {},
  ): Promise<Map<string, Record<string, AttributeValue>>> {
    const found = new Map<string, Record<string, AttributeValue>>();
    let request: Record<string, DynamoDB.KeysAndAttributes> | undefined =
      keys.length === 0
        ? undefined
        : { [this.tableName]: { ...projection, Keys: keys.map((k) => ({ [PK]: { S: k } })) } };
    for (let round = 0; request !== undefined && Object.keys(request).length > 0 && round < 10; round++) {
      const out: DynamoDB.BatchGetItemCommandOutput = await this.client.send(
        new BatchGetItemCommand({ RequestItems: request }),
      );
      for (const item of out.Responses?.[this.tableName] ?? []) {
        const k = item[PK]?.S;
        if (k !== undefined) found.set(k, item);
      }
      request = out.UnprocessedKeys;
    }
    return found;
  }
}

function parse(json: string | undefined): FeedbackRecord | undefined {
  if (json === undefined) return undefined;
  try {
    return JSON.parse(json) as FeedbackRecord;
  } catch {
    return undefined;
  }
}
