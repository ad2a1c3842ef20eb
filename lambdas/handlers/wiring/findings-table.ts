// The findings table's options as a deployed function builds them: table and retention from the
// environment, the client traced. Each root then takes the writer or the reader.

import { createDynamoDBClient, type DynamoFindingsRepositoryOptions } from '../../adapters/findings-table.ts';
import { ENV } from '../contracts.ts';
import { type Env, requireEnv, retentionDays } from '../env.ts';
import { tracer } from '../observability.ts';

export function findingsTableFrom(env: Env): DynamoFindingsRepositoryOptions {
  return {
    client: tracer.captureAWSv3Client(createDynamoDBClient()),
    tableName: requireEnv(env, ENV.findingsTable),
    retentionDays: retentionDays(env),
  };
}
