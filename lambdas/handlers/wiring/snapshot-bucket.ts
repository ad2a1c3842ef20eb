// The snapshot bucket's options as a deployed function builds them: the bucket from SNAPSHOT_BUCKET,
// the client traced. Each root then takes the reader, the writer or both (snapshot-store.ts).

import type { S3SnapshotStoreOptions } from '../../adapters/snapshot-bucket.ts';
import { createS3Client } from '../../adapters/snapshot-bucket.ts';
import { ENV } from '../contracts.ts';
import { type Env, requireEnv } from '../env.ts';
import { tracer } from '../observability.ts';

export function snapshotBucketFrom(env: Env): S3SnapshotStoreOptions {
  return {
    client: tracer.captureAWSv3Client(createS3Client()),
    bucket: requireEnv(env, ENV.snapshotBucket),
  };
}
