// The incident widget's composition root: the findings table, read only — one incident and one
// finding by key (GetItem), the open incidents from the sweep index (Query) — and where the
// dashboard is, for the links between incidents.

import { DynamoFindingLookup } from '../../adapters/findings-lookup.ts';
import { DynamoIncidentLookup } from '../../adapters/incident-lookup.ts';
import { DynamoOutboxSweepList } from '../../adapters/outbox-sweep-list.ts';
import { checkRequiredEnv, type Env, readIncidentConsole } from '../env.ts';
import type { IncidentConsoleDeps } from '../incident-console.ts';
import { findingsTableFrom } from './findings-table.ts';

export function incidentConsoleDeps(env: Env = process.env): IncidentConsoleDeps {
  checkRequiredEnv('incident-console', env);
  const dashboard = readIncidentConsole(env);
  if (dashboard === undefined) throw new Error('INCIDENT_DASHBOARD is required (checked above)');
  const table = findingsTableFrom(env);
  return {
    incidents: new DynamoIncidentLookup(table),
    findings: new DynamoFindingLookup(table),
    work: new DynamoOutboxSweepList(table),
    dashboard,
  };
}
