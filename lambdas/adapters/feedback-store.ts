// On-call verdicts in the findings table (issue 21): one item per finding, `FEEDBACK#<analysisId>`,
// holding what the verdicts are judged against, every person's current verdict and the history of
// changes, written under a revision condition. The sparse `history` index lists them by the
// finding's time for the live accuracy. Store opens the record when a finding names a root cause,
// so that the accuracy also counts the findings nobody judged.

import type * as DynamoDB from '@aws-sdk/client-dynamodb';
import { type FeedbackRecord, feedbackSubject, recordVerdict, type Verdict } from '../core/feedback.ts';
import type { Finding } from '../core/model.ts';
import { awsSdk } from './aws-sdk.ts';
import { isConditionFailure } from './dynamo-pages.ts';
import { DynamoFeedbackLookup, type FeedbackLookup, parseFeedbackRecord } from './feedback-lookup.ts';
import { type AttributeValue, PK, TTL } from './findings-table.ts';
import {
  byServiceSortKey,
  FINDINGS_TABLE_SCHEMA,
  feedbackKey,
  findingTime,
  HISTORY_FEEDBACK,
} from './findings-table-schema.ts';

const { ConditionalCheckFailedException, PutItemCommand, QueryCommand } =
  awsSdk<typeof DynamoDB>('@aws-sdk/client-dynamodb');

const HISTORY = FINDINGS_TABLE_SCHEMA.historyIndex;
const DAY_SECONDS = 86_400;
/** Most verdict records one accuracy read takes (a year of a busy account's findings). */
export const MAX_ACCURACY_RECORDS = 20_000;
/** Writers racing on one finding's verdicts: retries before giving up. */
const MAX_ATTEMPTS = 5;

export interface FeedbackReader extends FeedbackLookup {
  /** Every record of a finding filed in [from, to], oldest first; `truncated` past MAX_ACCURACY_RECORDS. */
  list(from: string, to: string): Promise<{ records: FeedbackRecord[]; truncated: boolean }>;
}

export interface FeedbackWriter {
  /** Opens the record of a finding that named a root cause (once; later calls change nothing). */
  open(finding: Finding): Promise<void>;
  /** Records a verdict on the finding (its record opened from it when absent): the record after. */
  give(finding: Finding, verdict: Verdict): Promise<FeedbackRecord>;
}

export class DynamoFeedbackStore extends DynamoFeedbackLookup implements FeedbackReader, FeedbackWriter {
  async open(finding: Finding): Promise<void> {
    const subject = feedbackSubject(finding, findingTime(finding, this.now()));
    if (subject === undefined) return;
    await this.write(subject, 0);
  }

  async give(finding: Finding, verdict: Verdict): Promise<FeedbackRecord> {
    const subject = feedbackSubject(finding, findingTime(finding, this.now()));
    if (subject === undefined) throw new Error(`finding ${finding.analysisId} names no root cause to judge`);
    for (let attempt = 1; ; attempt++) {
      const found = await this.read(finding.analysisId);
      const next = recordVerdict(found?.record ?? subject, verdict);
      if (await this.write(next, found?.revision ?? 0)) return next;
      if (attempt >= MAX_ATTEMPTS) {
        throw new Error(`verdicts on ${finding.analysisId} kept changing: gave up after ${attempt} attempts`);
      }
    }
  }

  async list(from: string, to: string): Promise<{ records: FeedbackRecord[]; truncated: boolean }> {
    const records: FeedbackRecord[] = [];
    let start: Record<string, AttributeValue> | undefined;
    do {
      const out: DynamoDB.QueryCommandOutput = await this.client.send(
        new QueryCommand({
          TableName: this.tableName,
          IndexName: HISTORY.name,
          KeyConditionExpression: '#k = :k AND #at BETWEEN :from AND :to',
          ExpressionAttributeNames: { '#k': HISTORY.partitionKey.name, '#at': HISTORY.sortKey.name },
          ExpressionAttributeValues: {
            ':k': { S: HISTORY_FEEDBACK },
            ':from': { S: from },
            // "<to>$" sorts after every "<to>#…": `to` is inclusive.
            ':to': { S: `${to}$` },
          },
          ...(start !== undefined ? { ExclusiveStartKey: start } : {}),
        }),
      );
      for (const item of out.Items ?? []) {
        const record = parseFeedbackRecord(item.feedback?.S);
        if (record !== undefined) records.push(record);
      }
      start = out.LastEvaluatedKey;
    } while (start !== undefined && records.length < MAX_ACCURACY_RECORDS);
    return { records: records.slice(0, MAX_ACCURACY_RECORDS), truncated: start !== undefined };
  }

  /** Puts the record if its stored revision is still `revision` (0: absent); false when it moved on. */
  private async write(record: FeedbackRecord, revision: number): Promise<boolean> {
    const now = this.now();
    try {
      await this.client.send(
        new PutItemCommand({
          TableName: this.tableName,
          Item: {
            [PK]: { S: feedbackKey(record.analysisId) },
            [HISTORY.partitionKey.name]: { S: HISTORY_FEEDBACK },
            [HISTORY.sortKey.name]: { S: byServiceSortKey(record.at, record.analysisId) },
            analysisId: { S: record.analysisId },
            service: { S: record.service },
            rootCause: { S: record.rootCauses[0]?.service ?? '' },
            feedback: { S: JSON.stringify(record) },
            revision: { N: String(revision + 1) },
            updatedAt: { S: now.toISOString() },
            [TTL]: { N: String(Math.floor(now.getTime() / 1000) + this.retentionDays * DAY_SECONDS) },
          },
          ConditionExpression: revision === 0 ? 'attribute_not_exists(#pk)' : '#rev = :rev',
          ExpressionAttributeNames: revision === 0 ? { '#pk': PK } : { '#rev': 'revision' },
          ...(revision === 0 ? {} : { ExpressionAttributeValues: { ':rev': { N: String(revision) } } }),
        }),
      );
      return true;
    } catch (err) {
      if (err instanceof ConditionalCheckFailedException || isConditionFailure(err)) return false;
      throw err;
    }
  }
}
