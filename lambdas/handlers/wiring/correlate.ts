// Correlate's composition root: the incidents store and settings, the findings repository (the
// stored finding) and the S3 snapshot store (the graph, for the services near the alarmed one).

import { checkRequiredEnv, type Env } from '../env.ts';
import { repositoryFrom } from './findings-repository.ts';
import { incidentDepsFrom } from './incidents-store.ts';
import { snapshotStoreFrom } from './snapshot-store.ts';

export function correlateDeps(env: Env = process.env) {
  checkRequiredEnv('correlate', env);
  return { ...incidentDepsFrom(env), repository: repositoryFrom(env), snapshotStore: snapshotStoreFrom(env) };
}
