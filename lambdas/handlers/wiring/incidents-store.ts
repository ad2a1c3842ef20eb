// The incidents writer and the incident settings as a deployed function builds them, on the
// findings table's options (findings-table.ts). Only bundles of functions that change incidents
// import this module; the API reads them through DynamoIncidentsReader.

import type { DynamoFindingsRepositoryOptions } from '../../adapters/findings-table.ts';
import { DynamoIncidentsWriter } from '../../adapters/incidents-writer.ts';
import { consoleLinkFor } from '../../report/console-link.ts';
import { type Env, incidentConfig, readIncidentConsole } from '../env.ts';
import type { IncidentDeps } from '../incidents.ts';

export function incidentDepsFrom(env: Env, table: DynamoFindingsRepositoryOptions): IncidentDeps {
  const consoleLink = consoleLinkFor(readIncidentConsole(env));
  return {
    incidents: new DynamoIncidentsWriter(table),
    config: incidentConfig(env),
    now: () => new Date(),
    ...(consoleLink !== undefined ? { consoleLink } : {}),
  };
}
