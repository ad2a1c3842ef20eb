// RecordFailure's composition root: DynamoDB (the FAILED finding, read back, its outbox flag) and
// the SNS notifier (no S3: the FAILED finding is built from the Catch payload), the watched
// services to name an alarm's service, and the incidents writer (a failed alarm still joins its
// incident).

import { DynamoFindingsOutbox } from '../../adapters/findings-outbox.ts';
import { DynamoFindingsWriter } from '../../adapters/findings-writer.ts';
import { checkRequiredEnv, type Env, readAlarmPrefix, readWatchedServices } from '../env.ts';
import { findingsTableFrom } from './findings-table.ts';
import { incidentDepsFrom } from './incidents-store.ts';
import { notifierFrom } from './notifier.ts';
import { pagingFrom } from './paging.ts';

export function recordFailureDeps(env: Env = process.env) {
  checkRequiredEnv('record-failure', env);
  const table = findingsTableFrom(env);
  const writer = new DynamoFindingsWriter(table);
  const outbox = new DynamoFindingsOutbox(table);
  const repository = {
    put: writer.put.bind(writer),
    get: outbox.get.bind(outbox),
    isNotified: outbox.isNotified.bind(outbox),
    markNotified: outbox.markNotified.bind(outbox),
  };
  const notifier = notifierFrom(env);
  return {
    watched: readWatchedServices(env, false),
    alarmPrefix: readAlarmPrefix(env),
    repository,
    notifier,
    incident: { ...incidentDepsFrom(env, table), repository, notifier, ...pagingFrom(env) },
  };
}
