// Analyze's composition root: the S3 snapshot store and the watched services' thresholds.

import { checkRequiredEnv, type Env, readWatchedServices } from '../env.ts';
import { logger } from '../observability.ts';
import { snapshotStoreFrom } from './snapshot-store.ts';

export function analyzeDeps(env: Env = process.env) {
  checkRequiredEnv('analyze', env);
  return {
    watched: readWatchedServices(env, true),
    snapshotStore: snapshotStoreFrom(env),
    onEvidenceUnreadable: (error: unknown) =>
      logger.warn('stored evidence unreadable; analysing the graph alone', { error }),
  };
}
