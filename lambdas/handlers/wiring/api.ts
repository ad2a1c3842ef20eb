// The API's composition root: DynamoDB (findings and incidents read only, verdict records written),
// the access list, Step Functions StartExecution, new analysis ids, the clock and the verdict
// metrics. Unexpected errors are logged; callers only get the request id.

import { randomUUID } from 'node:crypto';
import { MetricUnit } from '@aws-lambda-powertools/metrics';
import { DynamoFeedbackStore } from '../../adapters/feedback-store.ts';
import { DynamoFindingsReader } from '../../adapters/findings-reader.ts';
import { DynamoIncidentsReader } from '../../adapters/incidents-reader.ts';
import { consoleLinkFor } from '../../report/console-link.ts';
import { VERDICT_METRICS } from '../api-feedback.ts';
import { ENV } from '../contracts.ts';
import { checkRequiredEnv, type Env, readAccessRules, readIncidentConsole, requireEnv } from '../env.ts';
import { logger, metrics, tracer } from '../observability.ts';
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
    feedback: new DynamoFeedbackStore(table),
    // One metric per verdict given (issue 21), and one more when the real root cause was in the top 3.
    onVerdict: (verdict: 'right' | 'wrong' | 'partly', inTop3: boolean) => {
      metrics.addMetric(VERDICT_METRICS[verdict], MetricUnit.Count, 1);
      if (inTop3) metrics.addMetric(VERDICT_METRICS.inTop3, MetricUnit.Count, 1);
    },
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
