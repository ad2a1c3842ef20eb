// SweepOutbox's composition root: the incidents writer (claims and ticks messages off), the stored
// findings the messages report (GetItem only) and the SNS notifier. No S3: the finding is read from
// the table, as every incident message reads it.

import { DynamoFindingLookup } from '../../adapters/findings-lookup.ts';
import { checkRequiredEnv, type Env } from '../env.ts';
import type { FlushDeps } from '../incidents.ts';
import { findingsTableFrom } from './findings-table.ts';
import { incidentDepsFrom } from './incidents-store.ts';
import { notifierFrom } from './notifier.ts';

export function sweepOutboxDeps(env: Env = process.env): FlushDeps {
  checkRequiredEnv('sweep-outbox', env);
  const table = findingsTableFrom(env);
  return {
    ...incidentDepsFrom(env, table),
    repository: new DynamoFindingLookup(table),
    notifier: notifierFrom(env),
  };
}
