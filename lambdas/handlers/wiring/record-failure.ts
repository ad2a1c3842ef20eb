// RecordFailure's composition root: DynamoDB, write only, and the SNS notifier (no S3: the FAILED
// finding is built from the Catch payload), and the watched services to name an alarm's service.

import { DynamoFindingsWriter } from '../../adapters/findings-writer.ts';
import { checkRequiredEnv, type Env, readAlarmPrefix, readWatchedServices } from '../env.ts';
import { findingsTableFrom } from './findings-table.ts';
import { notifierFrom } from './notifier.ts';

export function recordFailureDeps(env: Env = process.env) {
  checkRequiredEnv('record-failure', env);
  return {
    watched: readWatchedServices(env, false),
    alarmPrefix: readAlarmPrefix(env),
    repository: new DynamoFindingsWriter(findingsTableFrom(env)),
    notifier: notifierFrom(env),
  };
}
