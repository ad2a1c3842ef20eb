// The DynamoDB findings repository as a deployed function builds it: table and retention from the
// environment, the client traced. Only bundles of functions that use DynamoDB import this module.

import { createDynamoDBClient, DynamoFindingsRepository } from '../../adapters/findings-repository.ts';
import { ENV } from '../contracts.ts';
import { type Env, requireEnv, retentionDays } from '../env.ts';
import { tracer } from '../observability.ts';

export function repositoryFrom(env: Env): DynamoFindingsRepository {
  return new DynamoFindingsRepository({
    client: tracer.captureAWSv3Client(createDynamoDBClient()),
    tableName: requireEnv(env, ENV.findingsTable),
    retentionDays: retentionDays(env),
  });
}
