// ExecutionWatch's composition root: RecordFailure's (repository, notifier, incidents, watched services).

import { checkRequiredEnv, type Env } from '../env.ts';
import { recordFailureDeps } from './record-failure.ts';

export function executionWatchDeps(env: Env = process.env) {
  checkRequiredEnv('execution-watch', env);
  return recordFailureDeps(env);
}
