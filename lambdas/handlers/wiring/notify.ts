// Notify's composition root: the S3 snapshot store (to read the finding), the SNS notifier, and
// for incident outboxes the incidents store and the findings repository.

import { checkRequiredEnv, type Env } from '../env.ts';
import { repositoryFrom } from './findings-repository.ts';
import { incidentDepsFrom } from './incidents-store.ts';
import { notifierFrom } from './notifier.ts';
import { snapshotStoreFrom } from './snapshot-store.ts';

export function notifyDeps(env: Env = process.env) {
  checkRequiredEnv('notify', env);
  const notifier = notifierFrom(env);
  const repository = repositoryFrom(env);
  return {
    snapshotStore: snapshotStoreFrom(env),
    notifier,
    repository,
    incident: { ...incidentDepsFrom(env), repository, notifier },
  };
}
