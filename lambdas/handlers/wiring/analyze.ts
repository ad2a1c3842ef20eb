// Analyze's composition root: S3, read (the snapshot and the evidence) and write (the finding),
// and the watched services' thresholds.

import { S3SnapshotStore } from '../../adapters/snapshot-store.ts';
import { checkRequiredEnv, type Env, readWatchedServices } from '../env.ts';
import { logger } from '../observability.ts';
import { snapshotBucketFrom } from './snapshot-bucket.ts';

export function analyzeDeps(env: Env = process.env) {
  checkRequiredEnv('analyze', env);
  return {
    watched: readWatchedServices(env, true),
    snapshotStore: new S3SnapshotStore(snapshotBucketFrom(env)),
    onEvidenceUnreadable: (error: unknown) =>
      logger.warn('stored evidence unreadable; analysing the graph alone', { error }),
  };
}
