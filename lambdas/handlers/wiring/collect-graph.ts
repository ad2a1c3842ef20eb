// CollectGraph's composition root: X-Ray (retries left to the graph source) and S3, write only.

import { S3SnapshotWriter } from '../../adapters/s3-snapshot-writer.ts';
import { createXRayClient } from '../../adapters/xray-client.ts';
import { XRayGraphSource } from '../../adapters/xray-source.ts';
import { checkRequiredEnv, type Env } from '../env.ts';
import { tracer } from '../observability.ts';
import { snapshotBucketFrom } from './snapshot-bucket.ts';

export function collectGraphDeps(env: Env = process.env) {
  checkRequiredEnv('collect-graph', env);
  return {
    graphSource: new XRayGraphSource({ client: tracer.captureAWSv3Client(createXRayClient()) }),
    snapshotStore: new S3SnapshotWriter(snapshotBucketFrom(env)),
  };
}
