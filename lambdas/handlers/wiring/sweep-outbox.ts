// SweepOutbox's composition root: the sweep index (Query), the incidents writer (claims, ticks
// messages off, expires), the stored findings the messages report and their outbox flag, and the
// SNS notifier. No S3: the finding is read from the table, as every incident message reads it.

import { DynamoFeedbackLookup } from '../../adapters/feedback-lookup.ts';
import { DynamoFindingsOutbox } from '../../adapters/findings-outbox.ts';
import { DynamoOutboxSweepList } from '../../adapters/outbox-sweep-list.ts';
import { checkRequiredEnv, type Env } from '../env.ts';
import type { SweepDeps } from '../sweep-outbox.ts';
import { findingsTableFrom } from './findings-table.ts';
import { incidentDepsFrom } from './incidents-store.ts';
import { notifierFrom } from './notifier.ts';
import { pagingFrom } from './paging.ts';

export function sweepOutboxDeps(env: Env = process.env): SweepDeps {
  checkRequiredEnv('sweep-outbox', env);
  const table = findingsTableFrom(env);
  const findings = new DynamoFindingsOutbox(table);
  return {
    ...incidentDepsFrom(env, table),
    repository: findings,
    findings,
    work: new DynamoOutboxSweepList(table),
    notifier: notifierFrom(env),
    ...pagingFrom(env),
    // A closing message it sends names the root cause on-call confirmed, as Notify's does.
    feedback: new DynamoFeedbackLookup(table),
  };
}
