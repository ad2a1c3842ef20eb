// The API's composition root: DynamoDB, read only (findings and incidents), the access list, Step
// Functions StartExecution, new analysis ids and the clock. Unexpected errors are logged; callers
// only get the request id.

import { randomUUID } from 'node:crypto';
import { DynamoFindingsReader } from '../../adapters/findings-reader.ts';
import { DynamoIncidentsReader } from '../../adapters/incidents-reader.ts';
import { consoleLinkFor } from '../../report/console-link.ts';
import { ENV } from '../contracts.ts';
import { checkRequiredEnv, type Env, readAccessRules, readIncidentConsole, requireEnv } from '../env.ts';
import { logger, tracer } from '../observability.ts';
import { createSfnClient, SfnWorkflowStarter } from '../sfn-workflow-starter.ts';
import { findingsTableFrom } from './findings-table.ts';

export function apiDeps(env: Env = process.env) {
  checkRequiredEnv('api', env);
  const table = findingsTableFrom(env);
  const consoleLink = consoleLinkFor(readIncidentConsole(env));
  return {
    ...(consoleLink !== undefined ? { consoleLink } : {}),
    repository: new DynamoFindingsReader(table),
    incidents: new DynamoIncidentsReader(table),
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
