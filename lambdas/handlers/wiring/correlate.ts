// Correlate's composition root: the incidents writer and settings, the stored finding (GetItem)
// and S3, read only (the graph, for the services near the alarmed one).

import { DynamoFindingLookup } from '../../adapters/findings-lookup.ts';
import { S3SnapshotReader } from '../../adapters/s3-snapshot-reader.ts';
import { checkRequiredEnv, type Env } from '../env.ts';
import { findingsTableFrom } from './findings-table.ts';
import { incidentDepsFrom } from './incidents-store.ts';
import { snapshotBucketFrom } from './snapshot-bucket.ts';

export function correlateDeps(env: Env = process.env) {
  checkRequiredEnv('correlate', env);
  const table = findingsTableFrom(env);
  return {
    ...incidentDepsFrom(env, table),
    repository: new DynamoFindingLookup(table),
    snapshotStore: new S3SnapshotReader(snapshotBucketFrom(env)),
  };
}
