// What the outbox sweeper has to visit, from the findings table's sparse `sweep` index (Query only):
// the incidents open or holding an unsent message, and the findings no alarm started whose message
// is not sent yet. Rows leave the index when their work is done, so a read is as long as the work.

import type * as DynamoDB from '@aws-sdk/client-dynamodb';
import { awsSdk } from './aws-sdk.ts';
import { type AttributeValue, FindingsTable } from './findings-table.ts';
import { FINDINGS_TABLE_SCHEMA, SWEEP_KINDS } from './findings-table-schema.ts';

const { QueryCommand } = awsSdk<typeof DynamoDB>('@aws-sdk/client-dynamodb');

const SWEEP = FINDINGS_TABLE_SCHEMA.sweepIndex;

/** An incident the sweep may have to act on. */
export interface SweepIncidentRow {
  readonly incidentId: string;
  readonly status: string;
  readonly lastActivityAt: string;
  /** When its oldest unsent message was decided; undefined when every message is sent. */
  readonly pendingAt?: string;
  /** When that message was claimed, if it was. */
  readonly pendingClaimedAt?: string;
}

/** A finding no alarm started, not yet sent. */
export interface SweepFindingRow {
  readonly analysisId: string;
  /** ISO-8601: when it was stored. */
  readonly storedAt: string;
}

export interface OutboxSweepList {
  /** The incidents open or holding an unsent message, longest idle first, at most `limit`. */
  incidents(limit: number): Promise<SweepIncidentRow[]>;
  /** Findings no alarm started, unsent and stored before `before` (ISO-8601), oldest first, at most `limit`. */
  unsentFindings(before: string, limit: number): Promise<SweepFindingRow[]>;
}

export class DynamoOutboxSweepList extends FindingsTable implements OutboxSweepList {
  async incidents(limit: number): Promise<SweepIncidentRow[]> {
    const items = await this.query(SWEEP_KINDS.incident, undefined, limit);
    return items.map((i) => ({
      incidentId: i.incidentId?.S ?? '',
      status: i.status?.S ?? 'OPEN',
      lastActivityAt: i.lastActivityAt?.S ?? '',
      ...(i.pendingAt?.S !== undefined ? { pendingAt: i.pendingAt.S } : {}),
      ...(i.pendingClaimedAt?.S !== undefined ? { pendingClaimedAt: i.pendingClaimedAt.S } : {}),
    }));
  }

  async unsentFindings(before: string, limit: number): Promise<SweepFindingRow[]> {
    const items = await this.query(SWEEP_KINDS.api, before, limit);
    return items.map((i) => ({
      analysisId: i.analysisId?.S ?? '',
      storedAt: (i[SWEEP.sortKey.name]?.S ?? '').split('#')[0] ?? '',
    }));
  }

  private async query(kind: string, before: string | undefined, limit: number) {
    const items: Record<string, AttributeValue>[] = [];
    let start: Record<string, AttributeValue> | undefined;
    do {
      const out: DynamoDB.QueryCommandOutput = await this.client.send(
        new QueryCommand({
          TableName: this.tableName,
          IndexName: SWEEP.name,
          KeyConditionExpression: before === undefined ? '#k = :k' : '#k = :k AND #at < :before',
          ExpressionAttributeNames: {
            '#k': SWEEP.partitionKey.name,
            ...(before === undefined ? {} : { '#at': SWEEP.sortKey.name }),
          },
          ExpressionAttributeValues: {
            ':k': { S: kind },
            ...(before === undefined ? {} : { ':before': { S: before } }),
          },
          Limit: Math.min(limit - items.length, 500),
          ...(start !== undefined ? { ExclusiveStartKey: start } : {}),
        }),
      );
      items.push(...(out.Items ?? []));
      start = out.LastEvaluatedKey;
    } while (start !== undefined && items.length < limit);
    return items;
  }
}
