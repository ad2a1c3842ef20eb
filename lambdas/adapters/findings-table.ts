// The findings table as every DynamoDB adapter of it sees it: options, key names and the client.
// The writer (PutItem) and the reader (GetItem, Query) live in modules of their own, so that a
// function's bundle imports only the commands its handler sends (test/infra/permissions.test.ts
// derives each role's grants from them).

import type * as DynamoDB from '@aws-sdk/client-dynamodb';
import { awsSdk } from './aws-sdk.ts';
import { type ClientOptions, clientConfig } from './clients.ts';
import { FINDINGS_TABLE_SCHEMA } from './findings-table-schema.ts';

const { DynamoDBClient } = awsSdk<typeof DynamoDB>('@aws-sdk/client-dynamodb');
type DynamoDBClient = DynamoDB.DynamoDBClient;

export type AttributeValue = DynamoDB.AttributeValue;

export const PK = FINDINGS_TABLE_SCHEMA.partitionKey.name;
export const SERVICE = FINDINGS_TABLE_SCHEMA.byServiceIndex.partitionKey.name;
export const AT = FINDINGS_TABLE_SCHEMA.byServiceIndex.sortKey.name;
export const TTL = FINDINGS_TABLE_SCHEMA.ttlAttribute;

export interface DynamoFindingsRepositoryOptions {
  /** Create it once per cold start (`createDynamoDBClient`). */
  readonly client: DynamoDBClient;
  readonly tableName: string;
  /** Days a finding is kept before DynamoDB's TTL removes it (sets `expiresAt`). */
  readonly retentionDays: number;
  /** Injectable for tests: stamps `at` when a finding has no window, and `expiresAt`. @default () => new Date() */
  readonly now?: () => Date;
}

/** What the writer and the reader share: the checked options. */
export abstract class FindingsTable {
  protected readonly client: DynamoDBClient;
  protected readonly tableName: string;
  protected readonly retentionDays: number;
  protected readonly now: () => Date;

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
}

export function createDynamoDBClient(options: ClientOptions = {}): DynamoDBClient {
  return new DynamoDBClient(clientConfig(options));
}
