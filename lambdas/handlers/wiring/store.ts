// Store's composition root: the S3 snapshot store (to read the finding) and the DynamoDB repository.

import { checkRequiredEnv, type Env } from '../env.ts';
import { repositoryFrom } from './findings-repository.ts';
import { snapshotStoreFrom } from './snapshot-store.ts';

export function storeDeps(env: Env = process.env) {
  checkRequiredEnv('store', env);
  return { snapshotStore: snapshotStoreFrom(env), repository: repositoryFrom(env) };
}
