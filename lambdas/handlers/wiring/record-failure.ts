// RecordFailure's composition root: the DynamoDB repository and the SNS notifier (no S3: the FAILED
// finding is built from the Catch payload), the watched services to name an alarm's service, and
// the incidents store (a failed alarm still joins its incident).

import { checkRequiredEnv, type Env, readAlarmPrefix, readWatchedServices } from '../env.ts';
import { repositoryFrom } from './findings-repository.ts';
import { incidentDepsFrom } from './incidents-store.ts';
import { notifierFrom } from './notifier.ts';

export function recordFailureDeps(env: Env = process.env) {
  checkRequiredEnv('record-failure', env);
  const repository = repositoryFrom(env);
  const notifier = notifierFrom(env);
  return {
    watched: readWatchedServices(env, false),
    alarmPrefix: readAlarmPrefix(env),
    repository,
    notifier,
    incident: { ...incidentDepsFrom(env), repository, notifier },
  };
}
