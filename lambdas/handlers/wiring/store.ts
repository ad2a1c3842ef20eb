// Store's composition root: S3, read only (the finding Analyze wrote), and DynamoDB, write only.

import { DynamoFindingsWriter } from '../../adapters/findings-writer.ts';
import { S3SnapshotReader } from '../../adapters/s3-snapshot-reader.ts';
import { checkRequiredEnv, type Env } from '../env.ts';
import { findingsTableFrom } from './findings-table.ts';
import { snapshotBucketFrom } from './snapshot-bucket.ts';

export function storeDeps(env: Env = process.env) {
  checkRequiredEnv('store', env);
  return {
    snapshotStore: new S3SnapshotReader(snapshotBucketFrom(env)),
    repository: new DynamoFindingsWriter(findingsTableFrom(env)),
  };
}
