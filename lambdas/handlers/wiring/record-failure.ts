// RecordFailure's composition root: the DynamoDB repository and the SNS notifier (no S3: the FAILED
// finding is built from the Catch payload), and the watched services to name an alarm's service.

import { checkRequiredEnv, type Env, readAlarmPrefix, readWatchedServices } from '../env.ts';
import { repositoryFrom } from './findings-repository.ts';
import { notifierFrom } from './notifier.ts';

export function recordFailureDeps(env: Env = process.env) {
  checkRequiredEnv('record-failure', env);
  return {
    watched: readWatchedServices(env, false),
    alarmPrefix: readAlarmPrefix(env),
    repository: repositoryFrom(env),
    notifier: notifierFrom(env),
  };
}
