// The API's composition root: the DynamoDB repository and incidents store (reads), the access list,
// Step Functions StartExecution, new analysis ids and the clock. Unexpected errors are logged; callers only get the request id.

import { randomUUID } from 'node:crypto';
import { ENV } from '../contracts.ts';
import { checkRequiredEnv, type Env, readAccessRules, requireEnv } from '../env.ts';
import { logger, tracer } from '../observability.ts';
import { createSfnClient, SfnWorkflowStarter } from '../sfn-workflow-starter.ts';
import { repositoryFrom } from './findings-repository.ts';
import { incidentDepsFrom } from './incidents-store.ts';

export function apiDeps(env: Env = process.env) {
  checkRequiredEnv('api', env);
  return {
    repository: repositoryFrom(env),
    incidents: incidentDepsFrom(env).incidents,
    access: readAccessRules(env),
    starter: new SfnWorkflowStarter({
      client: tracer.captureAWSv3Client(createSfnClient()),
      stateMachineArn: requireEnv(env, ENV.stateMachineArn),
    }),
    newId: () => `api-${randomUUID()}`,
    now: () => new Date(),
    onError: (error: unknown, requestId: string) => logger.error('unexpected error', { error, requestId }),
  };
}
