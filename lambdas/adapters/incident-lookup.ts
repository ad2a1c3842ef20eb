// One incident by id (GetItem only): what a function that shows one incident reads, so that its
// bundle takes no list or batch call it is not granted (incidents-reader.ts adds those).

import type * as DynamoDB from '@aws-sdk/client-dynamodb';
import type { Incident } from '../core/incidents/model.ts';
import { awsSdk } from './aws-sdk.ts';
import { FindingsTable, PK } from './findings-table.ts';
import { incidentKey } from './findings-table-schema.ts';

const { GetItemCommand } = awsSdk<typeof DynamoDB>('@aws-sdk/client-dynamodb');

export interface IncidentLookup {
  get(incidentId: string): Promise<Incident | undefined>;
}

export class DynamoIncidentLookup extends FindingsTable implements IncidentLookup {
  async get(incidentId: string): Promise<Incident | undefined> {
    const out = await this.client.send(
      new GetItemCommand({
        TableName: this.tableName,
        Key: { [PK]: { S: incidentKey(incidentId) } },
        ConsistentRead: true,
      }),
    );
    const json = out.Item?.incident?.S;
    return json === undefined ? undefined : (JSON.parse(json) as Incident);
  }
}
