// ResolveAlarm's composition root: the incidents writer and settings. No S3, no SNS: Notify sends.

import { checkRequiredEnv, type Env } from '../env.ts';
import { findingsTableFrom } from './findings-table.ts';
import { incidentDepsFrom } from './incidents-store.ts';

export function resolveAlarmDeps(env: Env = process.env) {
  checkRequiredEnv('resolve-alarm', env);
  return incidentDepsFrom(env, findingsTableFrom(env));
}
