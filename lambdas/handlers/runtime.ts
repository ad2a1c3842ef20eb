// Production wiring: the AWS SDK clients and adapters, built lazily and once per execution
// environment, after the environment variables they need have been checked (the error names the
// variable). Only the handlers' `handler` exports load this module; unit tests never do.

import { randomUUID } from 'node:crypto';
import { MetricUnit } from '@aws-lambda-powertools/metrics';
import { SFNClient } from '@aws-sdk/client-sfn';
import {
  createCloudWatchClient,
  createDynamoDBClient,
  createS3Client,
  createSnsClient,
  createXRayClient,
} from '../adapters/clients.ts';
import { DynamoFindingsRepository } from '../adapters/findings-repository.ts';
import { CloudWatchMetricsSource } from '../adapters/metrics-source.ts';
import { SnsNotifier } from '../adapters/notifier.ts';
import { S3SnapshotStore } from '../adapters/snapshot-store.ts';
import { XRayGraphSource } from '../adapters/xray-source.ts';
import type { AnalyzeDeps } from './analyze.ts';
import type { ApiDeps } from './api.ts';
import type { CollectGraphDeps } from './collect-graph.ts';
import { ENV } from './contracts.ts';
import type { EnrichDeps } from './enrich.ts';
import {
  checkRequiredEnv,
  prepareSettings,
  readAlarmPrefix,
  readFlagEnv,
  readWatchedServices,
  requireEnv,
  retentionDays,
} from './env.ts';
import type { NotifyDeps } from './notify.ts';
import { logger, metrics, tracer } from './observability.ts';
import type { PrepareDeps } from './prepare.ts';
import type { RecordFailureDeps } from './record-failure.ts';
import { SfnWorkflowStarter } from './sfn-workflow-starter.ts';
import type { StoreDeps } from './store.ts';

const env = process.env;

function once<T>(build: () => T): () => T {
  let value: { readonly v: T } | undefined;
  return () => {
    value ??= { v: build() };
    return value.v;
  };
}

const snapshotStore = once(
  () =>
    new S3SnapshotStore({
      client: tracer.captureAWSv3Client(createS3Client()),
      bucket: requireEnv(env, ENV.snapshotBucket),
    }),
);
const repository = once(
  () =>
    new DynamoFindingsRepository({
      client: tracer.captureAWSv3Client(createDynamoDBClient()),
      tableName: requireEnv(env, ENV.findingsTable),
      retentionDays: retentionDays(env),
    }),
);
const notifier = once(
  () =>
    new SnsNotifier({
      client: tracer.captureAWSv3Client(createSnsClient()),
      topicArn: requireEnv(env, ENV.topicArn),
      chatbot: readFlagEnv(env, ENV.chatbotNotifications),
    }),
);
const graphSource = once(
  () => new XRayGraphSource({ client: tracer.captureAWSv3Client(createXRayClient()) }),
);
const metricsSource = once(
  () => new CloudWatchMetricsSource({ client: tracer.captureAWSv3Client(createCloudWatchClient()) }),
);
const workflowStarter = once(
  () =>
    new SfnWorkflowStarter({
      client: tracer.captureAWSv3Client(new SFNClient({ maxAttempts: 3 })),
      stateMachineArn: requireEnv(env, ENV.stateMachineArn),
    }),
);

export function prepareDeps(): PrepareDeps {
  return { ...prepareSettings(env), now: () => new Date() };
}

export function collectGraphDeps(): CollectGraphDeps {
  checkRequiredEnv('collect-graph', env);
  return { graphSource: graphSource(), snapshotStore: snapshotStore() };
}

export function enrichDeps(): EnrichDeps {
  checkRequiredEnv('enrich', env);
  return {
    watched: readWatchedServices(env, true),
    metricsSource: metricsSource(),
    onMetricsUnavailable: (error) => {
      logger.warn('CloudWatch metrics unavailable; analysing without them', { error });
      metrics.addMetric('MetricsUnavailable', MetricUnit.Count, 1);
    },
  };
}

export function analyzeDeps(): AnalyzeDeps {
  checkRequiredEnv('analyze', env);
  return { watched: readWatchedServices(env, true), snapshotStore: snapshotStore() };
}

export function storeDeps(): StoreDeps {
  checkRequiredEnv('store', env);
  return { snapshotStore: snapshotStore(), repository: repository() };
}

export function notifyDeps(): NotifyDeps {
  checkRequiredEnv('notify', env);
  return { snapshotStore: snapshotStore(), notifier: notifier() };
}

export function recordFailureDeps(): RecordFailureDeps {
  checkRequiredEnv('record-failure', env);
  return {
    watched: readWatchedServices(env, false),
    alarmPrefix: readAlarmPrefix(env),
    repository: repository(),
    notifier: notifier(),
  };
}

export function apiDeps(): ApiDeps {
  checkRequiredEnv('api', env);
  return {
    repository: repository(),
    starter: workflowStarter(),
    newId: () => `api-${randomUUID()}`,
    now: () => new Date(),
    onError: (error, requestId) => logger.error('unexpected error', { error, requestId }),
  };
}
