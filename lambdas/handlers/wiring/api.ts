// The API's composition root: DynamoDB, read only, Step Functions StartExecution, new
// analysis ids and the clock. Unexpected errors are logged; callers only get the request id.

import { randomUUID } from 'node:crypto';
import { DynamoFindingsReader } from '../../adapters/findings-reader.ts';
import { ENV } from '../contracts.ts';
import { checkRequiredEnv, type Env, requireEnv } from '../env.ts';
import { logger, tracer } from '../observability.ts';
import { createSfnClient, SfnWorkflowStarter } from '../sfn-workflow-starter.ts';
import { findingsTableFrom } from './findings-table.ts';

export function apiDeps(env: Env = process.env) {
  checkRequiredEnv('api', env);
  return {
    repository: new DynamoFindingsReader(findingsTableFrom(env)),
    starter: new SfnWorkflowStarter({
      client: tracer.captureAWSv3Client(createSfnClient()),
      stateMachineArn: requireEnv(env, ENV.stateMachineArn),
    }),
    newId: () => `api-${randomUUID()}`,
    now: () => new Date(),
    onError: (error: unknown, requestId: string) => logger.error('unexpected error', { error, requestId }),
  };
}
