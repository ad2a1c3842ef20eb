// Enrich's composition root: CloudWatch GetMetricData and the watched services; a CloudWatch
// failure is logged and counted, and the analysis goes on without metrics.

import { MetricUnit } from '@aws-lambda-powertools/metrics';
import { CloudWatchMetricsSource, createCloudWatchClient } from '../../adapters/metrics-source.ts';
import { checkRequiredEnv, type Env, readWatchedServices } from '../env.ts';
import { logger, metrics, tracer } from '../observability.ts';

export function enrichDeps(env: Env = process.env) {
  checkRequiredEnv('enrich', env);
  return {
    watched: readWatchedServices(env, true),
    metricsSource: new CloudWatchMetricsSource({
      client: tracer.captureAWSv3Client(createCloudWatchClient()),
    }),
    onMetricsUnavailable: (error: unknown) => {
      logger.warn('CloudWatch metrics unavailable; analysing without them', { error });
      metrics.addMetric('MetricsUnavailable', MetricUnit.Count, 1);
    },
  };
}
