// CollectEvidence's composition root: X-Ray trace summaries and BatchGetTraces, CloudTrail
// LookupEvents (both sources retry throttling themselves) and S3, write only; a source that
// fails is logged and counted, and the analysis goes on without it.

import { MetricUnit } from '@aws-lambda-powertools/metrics';
import { CloudTrailChangeSource, createCloudTrailClient } from '../../adapters/change-source.ts';
import { S3SnapshotWriter } from '../../adapters/s3-snapshot-writer.ts';
import { XRayTraceSource } from '../../adapters/trace-source.ts';
import { createXRayClient } from '../../adapters/xray-client.ts';
import type { EvidenceSummary } from '../collect-evidence.ts';
import { type Env, evidenceSettings } from '../env.ts';
import { logger, metrics, tracer } from '../observability.ts';
import { snapshotBucketFrom } from './snapshot-bucket.ts';

export function collectEvidenceDeps(env: Env = process.env) {
  const settings = evidenceSettings(env);
  const region = env.AWS_REGION;
  return {
    ...settings,
    traceSource: new XRayTraceSource({ client: tracer.captureAWSv3Client(createXRayClient()) }),
    changeSource: new CloudTrailChangeSource({ client: tracer.captureAWSv3Client(createCloudTrailClient()) }),
    snapshotStore: new S3SnapshotWriter(snapshotBucketFrom(env)),
    ...(region ? { region } : {}),
    onCollected: (summary: EvidenceSummary) => logger.info('evidence collected', { ...summary }),
    onUnavailable: (source: string, error: unknown) => {
      logger.warn(`${source} evidence unavailable; analysing without it`, { error });
      metrics.addMetric('EvidenceUnavailable', MetricUnit.Count, 1);
    },
  };
}
