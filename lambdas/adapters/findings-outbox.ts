// The outbox flag of findings no alarm started: read with GetItem (findings-lookup.ts), set once
// with a conditional UpdateItem, so a retried Notify or RecordFailure sends no second message.

import type * as DynamoDB from '@aws-sdk/client-dynamodb';
import { awsSdk } from './aws-sdk.ts';
import { isConditionFailure } from './dynamo-pages.ts';
import { DynamoFindingLookup } from './findings-lookup.ts';
import { PK } from './findings-table.ts';
import { analysisKey, FINDINGS_TABLE_SCHEMA } from './findings-table-schema.ts';
import type { FindingsOutbox } from './ports.ts';

const { UpdateItemCommand } = awsSdk<typeof DynamoDB>('@aws-sdk/client-dynamodb');

export class DynamoFindingsOutbox extends DynamoFindingLookup implements FindingsOutbox {
  async markNotified(analysisId: string, messageId: string): Promise<boolean> {
    try {
      await this.client.send(
        new UpdateItemCommand({
          TableName: this.tableName,
          Key: { [PK]: { S: analysisKey(analysisId) } },
          // Sent: out of the sweep index too.
          UpdateExpression: 'SET notifiedAt = :at, messageId = :m REMOVE #sk, #sa',
          ConditionExpression: 'attribute_exists(#pk) AND attribute_not_exists(notifiedAt)',
          ExpressionAttributeNames: {
            '#pk': PK,
            '#sk': FINDINGS_TABLE_SCHEMA.sweepIndex.partitionKey.name,
            '#sa': FINDINGS_TABLE_SCHEMA.sweepIndex.sortKey.name,
          },
          ExpressionAttributeValues: { ':at': { S: this.now().toISOString() }, ':m': { S: messageId } },
        }),
      );
      return true;
    } catch (err) {
      if (isConditionFailure(err)) return false;
      throw err;
    }
  }
}
