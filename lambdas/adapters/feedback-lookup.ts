// One finding's verdict record by analysisId (GetItem only): what an incident's closing message and
// `incidents get` need to say who confirmed the root cause, without the writes and the list
// (a bundle imports only the commands its handler sends).

import type * as DynamoDB from '@aws-sdk/client-dynamodb';
import type { FeedbackRecord } from '../core/feedback.ts';
import { awsSdk } from './aws-sdk.ts';
import { FindingsTable, PK } from './findings-table.ts';
import { feedbackKey } from './findings-table-schema.ts';

const { GetItemCommand } = awsSdk<typeof DynamoDB>('@aws-sdk/client-dynamodb');

export interface FeedbackLookup {
  get(analysisId: string): Promise<FeedbackRecord | undefined>;
}

export class DynamoFeedbackLookup extends FindingsTable implements FeedbackLookup {
  async get(analysisId: string): Promise<FeedbackRecord | undefined> {
    return (await this.read(analysisId))?.record;
  }

  /** The record and its revision (0: none yet), read consistently. */
  protected async read(
    analysisId: string,
  ): Promise<{ record: FeedbackRecord; revision: number } | undefined> {
    const out = await this.client.send(
      new GetItemCommand({
        TableName: this.tableName,
        Key: { [PK]: { S: feedbackKey(analysisId) } },
        ConsistentRead: true,
      }),
    );
    const record = parseFeedbackRecord(out.Item?.feedback?.S);
    return record === undefined ? undefined : { record, revision: Number(out.Item?.revision?.N ?? 0) };
  }
}

/** A stored record, or undefined when the JSON is not one. */
export function parseFeedbackRecord(json: string | undefined): FeedbackRecord | undefined {
  if (json === undefined) return undefined;
  try {
    const r = JSON.parse(json) as FeedbackRecord;
    return typeof r.analysisId === 'string' && Array.isArray(r.verdicts) ? r : undefined;
  } catch {
    return undefined;
  }
}
