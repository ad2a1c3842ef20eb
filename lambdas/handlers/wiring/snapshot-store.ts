// The S3 snapshot store as a deployed function builds it: the bucket from SNAPSHOT_BUCKET, the
// client traced. Its own module so that only the bundles of functions that use S3 import the client.

import { createS3Client, S3SnapshotStore } from '../../adapters/snapshot-store.ts';
import { ENV } from '../contracts.ts';
import { type Env, requireEnv } from '../env.ts';
import { tracer } from '../observability.ts';

export function snapshotStoreFrom(env: Env): S3SnapshotStore {
  return new S3SnapshotStore({
    client: tracer.captureAWSv3Client(createS3Client()),
    bucket: requireEnv(env, ENV.snapshotBucket),
  });
}
