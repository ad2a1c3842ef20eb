// Notify's composition root: S3, read only (the finding Analyze wrote), the SNS notifier, the
// findings' outbox flag, and for incident outboxes the incidents writer and the stored findings.

import { DynamoFeedbackLookup } from '../../adapters/feedback-lookup.ts';
import { DynamoFindingsOutbox } from '../../adapters/findings-outbox.ts';
import { S3SnapshotReader } from '../../adapters/s3-snapshot-reader.ts';
import { checkRequiredEnv, type Env } from '../env.ts';
import { findingsTableFrom } from './findings-table.ts';
import { incidentDepsFrom } from './incidents-store.ts';
import { notifierFrom } from './notifier.ts';
import { pagingFrom } from './paging.ts';
import { snapshotBucketFrom } from './snapshot-bucket.ts';

export function notifyDeps(env: Env = process.env) {
  checkRequiredEnv('notify', env);
  const table = findingsTableFrom(env);
  const notifier = notifierFrom(env);
  const repository = new DynamoFindingsOutbox(table);
  return {
    snapshotStore: new S3SnapshotReader(snapshotBucketFrom(env)),
    notifier,
    repository,
    // The closing message names the root cause on-call confirmed (issue 21).
    incident: {
      ...incidentDepsFrom(env, table),
      repository,
      notifier,
      ...pagingFrom(env),
      feedback: new DynamoFeedbackLookup(table),
    },
  };
}
