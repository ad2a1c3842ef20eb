// Notify's composition root: the S3 snapshot store (to read the finding) and the SNS notifier.

import { checkRequiredEnv, type Env } from '../env.ts';
import { notifierFrom } from './notifier.ts';
import { snapshotStoreFrom } from './snapshot-store.ts';

export function notifyDeps(env: Env = process.env) {
  checkRequiredEnv('notify', env);
  return { snapshotStore: snapshotStoreFrom(env), notifier: notifierFrom(env) };
}
