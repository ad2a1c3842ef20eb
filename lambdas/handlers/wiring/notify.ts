// Notify's composition root: S3, read only (the finding Analyze wrote), and the SNS notifier.

import { S3SnapshotReader } from '../../adapters/s3-snapshot-reader.ts';
import { checkRequiredEnv, type Env } from '../env.ts';
import { notifierFrom } from './notifier.ts';
import { snapshotBucketFrom } from './snapshot-bucket.ts';

export function notifyDeps(env: Env = process.env) {
  checkRequiredEnv('notify', env);
  return { snapshotStore: new S3SnapshotReader(snapshotBucketFrom(env)), notifier: notifierFrom(env) };
}
