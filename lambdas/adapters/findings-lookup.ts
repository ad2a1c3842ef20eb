// One stored finding by analysisId (GetItem only): what the steps that read a finding back need,
// without the list's Query (a bundle imports only the commands its handler sends).

import type * as DynamoDB from '@aws-sdk/client-dynamodb';
import type { Finding } from '../core/model.ts';
import { awsSdk } from './aws-sdk.ts';
import { FindingsTable, PK } from './findings-table.ts';
import { analysisKey } from './findings-table-schema.ts';
import type { FindingLookup } from './ports.ts';

const { GetItemCommand } = awsSdk<typeof DynamoDB>('@aws-sdk/client-dynamodb');

export class DynamoFindingLookup extends FindingsTable implements FindingLookup {
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

  /** The outbox flag of a finding no alarm started: set once its message was sent. */
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
}
