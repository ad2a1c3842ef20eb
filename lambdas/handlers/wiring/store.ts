// Store's composition root: S3 (the finding Analyze wrote, rewritten when the table keeps an
// earlier one) and DynamoDB: the conditional put, and the stored finding read back.

import { DynamoFeedbackStore } from '../../adapters/feedback-store.ts';
import { DynamoFindingLookup } from '../../adapters/findings-lookup.ts';
import { DynamoFindingsWriter } from '../../adapters/findings-writer.ts';
import { DynamoPastFindings } from '../../adapters/past-findings.ts';
import { S3SnapshotStore } from '../../adapters/snapshot-store.ts';
import { checkRequiredEnv, type Env, readSeenBeforeDays } from '../env.ts';
import { findingsTableFrom } from './findings-table.ts';
import { snapshotBucketFrom } from './snapshot-bucket.ts';

export function storeDeps(env: Env = process.env) {
  checkRequiredEnv('store', env);
  const table = findingsTableFrom(env);
  const writer = new DynamoFindingsWriter(table);
  const lookup = new DynamoFindingLookup(table);
  return {
    snapshotStore: new S3SnapshotStore(snapshotBucketFrom(env)),
    repository: { put: writer.put.bind(writer), get: lookup.get.bind(lookup) },
    history: {
      past: new DynamoPastFindings(table),
      feedback: new DynamoFeedbackStore(table),
      seenBeforeDays: readSeenBeforeDays(env),
    },
  };
}
