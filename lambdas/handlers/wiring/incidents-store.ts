// The DynamoDB incidents store and the incident settings as a deployed function builds them. Only
// bundles of functions that touch incidents import this module.

import { createDynamoDBClient } from '../../adapters/findings-repository.ts';
import { DynamoIncidentsStore } from '../../adapters/incidents-store.ts';
import { ENV } from '../contracts.ts';
import { type Env, incidentConfig, requireEnv, retentionDays } from '../env.ts';
import type { IncidentDeps } from '../incidents.ts';
import { tracer } from '../observability.ts';

export function incidentDepsFrom(env: Env): IncidentDeps {
  return {
    incidents: new DynamoIncidentsStore({
      client: tracer.captureAWSv3Client(createDynamoDBClient()),
      tableName: requireEnv(env, ENV.findingsTable),
      retentionDays: retentionDays(env),
    }),
    config: incidentConfig(env),
    now: () => new Date(),
  };
}
